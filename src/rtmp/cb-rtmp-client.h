/* cb-rtmp-client.h — the publishing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-error.h"
#include "cb-rtmp-url.h"

G_BEGIN_DECLS

/**
 * CbRtmpClientConfig:
 * @url: the parsed destination; the client keeps a copy
 * @stream_name: the name to publish (prefix and full-URL mode already applied)
 * @app: (nullable): the application, overriding @url's (Voximplant's applicationName)
 * @flash_ver: (nullable): flashVer sent in connect; NULL: "FMLE/3.0 (compatible; FMSc/1.0)"
 * @bind_address: (nullable): local address for the socket (rtmp_publisher_ip)
 * @timeout_ms: for connecting and for each answer the client waits for; 0: 10 s
 * @tls_validation: check the server certificate (rtmps); tests turn it off
 */
typedef struct {
  const CbRtmpUrl *url;
  const char      *stream_name;
  const char      *app;
  const char      *flash_ver;
  const char      *bind_address;
  guint            timeout_ms;
  gboolean         tls_validation;
} CbRtmpClientConfig;

#define CB_TYPE_RTMP_CLIENT (cb_rtmp_client_get_type ())
G_DECLARE_FINAL_TYPE (CbRtmpClient, cb_rtmp_client, CB, RTMP_CLIENT, GObject)

/* The client lives on the GMainContext that is thread-default when it is created; call it
 * there only. Signals, all emitted there:
 *   "connected" ()                     — NetConnection.Connect.Success
 *   "status" (const char *level, const char *code, const char *description)
 *                                        — every onStatus the server sends after publish
 *   "closed" (const GError *reason)    — the connection is gone; reason NULL when we closed
 *                                        it ourselves; else the server's words or the I/O
 *                                        error. Emitted once. */
CbRtmpClient *cb_rtmp_client_new               (const CbRtmpClientConfig *config);

/* TCP (TLS for rtmps), handshake, connect (answering an Adobe-style authentication
 * challenge with the URL's credentials), releaseStream, FCPublish, createStream, publish.
 * Completes on NetStream.Publish.Start. Errors: CB_RTMP_ERROR_REJECTED with the server's
 * code and description as the message ("NetConnection.Connect.Rejected: …",
 * "NetStream.Publish.BadName: …"); G_IO_ERROR_* / G_RESOLVER_ERROR_* / G_TLS_ERROR_* for
 * network trouble; CB_RTMP_ERROR_PROTOCOL for a peer that breaks the rules. Whether the
 * failure came before NetConnection.Connect.Success can be read with
 * cb_rtmp_client_is_connected(). */
void          cb_rtmp_client_publish_async     (CbRtmpClient        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      cb_rtmp_client_publish_finish    (CbRtmpClient        *self,
                                                GAsyncResult        *result,
                                                GError             **error);
gboolean      cb_rtmp_client_is_connected      (CbRtmpClient        *self);

/* Media, after publish completed: FLV tag bodies as RTMP messages of type 8 (audio),
 * 9 (video) or 18 (data: @setDataFrame onMetaData), on the published stream. Never
 * blocks: bytes go to an output queue written as the socket allows. Returns FALSE once
 * the connection is closed. */
gboolean      cb_rtmp_client_send              (CbRtmpClient        *self,
                                                guint8               type_id,
                                                guint32              timestamp_ms,
                                                GBytes              *payload);
/* The same with media serialized once for every session (see cb_rtmp_chunk_form_new()):
 * only the first chunk's header is this connection's own. */
gboolean      cb_rtmp_client_send_form         (CbRtmpClient        *self,
                                                const CbRtmpChunkForm *form,
                                                guint32              timestamp_ms);
/* The chunk size forms for this client are made with (it changes once, before publish). */
guint32       cb_rtmp_client_get_chunk_size    (CbRtmpClient        *self);
/* Whether the output queue is past its high-water mark (CB_RTMP_SESSION_HIGH_WATER). */
gboolean      cb_rtmp_client_is_congested      (CbRtmpClient        *self);
/* Bytes queued and not yet written to the socket: the pusher's measure of a slow uplink. */
gsize         cb_rtmp_client_get_queued_bytes  (CbRtmpClient        *self);
guint64       cb_rtmp_client_get_bytes_sent    (CbRtmpClient        *self);
/* What the server says it has received (its Acknowledgement sequence numbers, unwrapped):
 * a connection whose acknowledged bytes stop growing while we send is dead. 0 until the
 * server sends its first acknowledgement (some never do). */
guint64       cb_rtmp_client_get_bytes_acked   (CbRtmpClient        *self);
gint64        cb_rtmp_client_get_last_ack_time (CbRtmpClient        *self);

/* FCUnpublish + deleteStream (when @graceful and published), then closes. "closed" is
 * emitted with a NULL reason. Safe to call at any time, more than once. */
void          cb_rtmp_client_close             (CbRtmpClient        *self,
                                                gboolean             graceful);

G_END_DECLS
