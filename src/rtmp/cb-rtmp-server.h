/* cb-rtmp-server.h — the server side of RTMP: a session state machine and a listener on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

typedef struct _CbRtmpServerSession CbRtmpServerSession;

/**
 * CbRtmpConnectInfo:
 * @app: the application of `connect` without its query ("live", "app/instance")
 * @query: (nullable): the query of the application or of tcUrl, without the '?'
 * @tc_url: (nullable): tcUrl as sent
 * @flash_ver: (nullable): flashVer as sent (the encoder: "FMLE/3.0 …", "LNX 9,0,124,2", …)
 * @peer: (nullable): the peer's address as "ip:port"
 */
typedef struct {
  const char *app;
  const char *query;
  const char *tc_url;
  const char *flash_ver;
  const char *peer;
} CbRtmpConnectInfo;

/**
 * CbRtmpServerHandler:
 * @connect: (nullable): accept a `connect`; return %FALSE with an error to refuse it
 *   (the client gets `_error` NetConnection.Connect.Rejected with the message)
 * @publish: start a publish of @name (without its query) on message stream @stream_id.
 *   Return a non-%NULL handle, or %NULL with an error: %CB_RTMP_ERROR_REJECTED refuses
 *   the client (NetConnection.Connect.Rejected, then the connection closes), any other
 *   code answers NetStream.Publish.BadName with the message and keeps the connection
 * @play: start playing @name on @stream_id: a handle, or %NULL with an error
 *   (%CB_RTMP_ERROR_REJECTED as for @publish; else NetStream.Play.StreamNotFound).
 *   The session has sent StreamBegin, NetStream.Play.Reset/Start and |RtmpSampleAccess
 *   before the handler's media, so the handler must not send media from this callback
 * @media: audio (8), video (9) or data (18, AMF0, as received: `@setDataFrame` included)
 *   of a publish, aggregates already split; @payload is an FLV tag body
 * @end: a publish or play ended (FCUnpublish, deleteStream, closeStream, publish(false),
 *   the connection going away): the handle is not used again. @reason is WCS-style text
 *
 * What the owner of a listener does with the requests of its clients. Every callback runs
 * on the listener's context, from inside the session: it may call the session's send
 * functions and cb_rtmp_server_session_close().
 */
typedef struct {
  gboolean (*connect) (gpointer                  data,
                       CbRtmpServerSession      *session,
                       const CbRtmpConnectInfo  *info,
                       GError                  **error);
  gpointer (*publish) (gpointer                  data,
                       CbRtmpServerSession      *session,
                       guint32                   stream_id,
                       const char               *name,
                       const char               *query,
                       GError                  **error);
  gpointer (*play)    (gpointer                  data,
                       CbRtmpServerSession      *session,
                       guint32                   stream_id,
                       const char               *name,
                       const char               *query,
                       GError                  **error);
  void     (*media)   (gpointer                  data,
                       gpointer                  handle,
                       guint8                    type_id,
                       guint32                   timestamp,
                       GBytes                   *payload);
  void     (*end)     (gpointer                  data,
                       gpointer                  handle,
                       const char               *reason);
} CbRtmpServerHandler;

/* Most message streams (createStream) one connection may hold. */
#define CB_RTMP_SERVER_MAX_STREAMS 8

/* The session: a byte-in, byte-out state machine with no I/O of its own, so that unit
 * tests and fuzzers drive it directly; CbRtmpServer runs one per accepted socket. */
CbRtmpServerSession *cb_rtmp_server_session_new        (const CbRtmpServerHandler *handler,
                                                        gpointer                   data,
                                                        const char                *peer);
/* Ends what is still published or played (reason "Stopped by session disconnect") first. */
void          cb_rtmp_server_session_free               (CbRtmpServerSession *session);
/* Returns %FALSE when the connection must close: @error tells why (a peer breaking the
 * protocol, a broken packet, a refused connect). What is queued should still be written. */
gboolean      cb_rtmp_server_session_feed               (CbRtmpServerSession *session,
                                                        const guint8        *data,
                                                        gsize                len,
                                                        GError             **error);
/* All queued output at once (tests, fuzzers). */
GBytes       *cb_rtmp_server_session_take_output        (CbRtmpServerSession *session);
/* For the transport: the next bytes to write, and how many were written. */
const guint8 *cb_rtmp_server_session_peek_output        (CbRtmpServerSession *session,
                                                        gsize               *len);
void          cb_rtmp_server_session_consume_output     (CbRtmpServerSession *session,
                                                        gsize                n);
gsize         cb_rtmp_server_session_get_queued_bytes   (CbRtmpServerSession *session);
/* @kick: output was queued; @close: the session wants the connection closed once the
 * output is written. Both may be NULL. */
void          cb_rtmp_server_session_set_transport      (CbRtmpServerSession *session,
                                                        void               (*kick)  (gpointer data),
                                                        void               (*close) (gpointer data),
                                                        gpointer             data);

/* Ends every publish and play with @reason and asks the transport to close. */
void          cb_rtmp_server_session_close              (CbRtmpServerSession *session,
                                                        const char          *reason);
gboolean      cb_rtmp_server_session_is_closed          (CbRtmpServerSession *session);
gboolean      cb_rtmp_server_session_is_connected       (CbRtmpServerSession *session);
/* Whether a publish or play is running (a connection doing neither is watched more closely). */
gboolean      cb_rtmp_server_session_is_active          (CbRtmpServerSession *session);
/* Whether it plays a stream. */
gboolean      cb_rtmp_server_session_is_playing         (CbRtmpServerSession *session);
const char   *cb_rtmp_server_session_get_peer           (CbRtmpServerSession *session);
const char   *cb_rtmp_server_session_get_app            (CbRtmpServerSession *session);
const char   *cb_rtmp_server_session_get_flash_ver      (CbRtmpServerSession *session);
const char   *cb_rtmp_server_session_get_connect_query  (CbRtmpServerSession *session);

/* To a player: media (8, 9) and data (18) on @stream_id. FALSE once closed. */
gboolean      cb_rtmp_server_session_send_media         (CbRtmpServerSession *session,
                                                        guint32              stream_id,
                                                        guint8               type_id,
                                                        guint32              timestamp,
                                                        GBytes              *payload);
/* To players: media serialized once for all of them (see cb_rtmp_chunk_form_new()), with
 * only the first chunk's header of this session's own. FALSE once closed. */
gboolean      cb_rtmp_server_session_send_form          (CbRtmpServerSession *session,
                                                        guint32              stream_id,
                                                        const CbRtmpChunkForm *form,
                                                        guint32              timestamp);
/* The chunk size of what the session sends (forms for it are made with it). */
guint32       cb_rtmp_server_session_get_chunk_size     (CbRtmpServerSession *session);
/* Whether the output queue is past its high-water mark (CB_RTMP_SESSION_HIGH_WATER). */
gboolean      cb_rtmp_server_session_is_congested       (CbRtmpServerSession *session);
void          cb_rtmp_server_session_send_status        (CbRtmpServerSession *session,
                                                        guint32              stream_id,
                                                        const char          *level,
                                                        const char          *code,
                                                        const char          *description);
void          cb_rtmp_server_session_send_user_control  (CbRtmpServerSession *session,
                                                        CbRtmpUserControlEvent event,
                                                        guint32              value);

/**
 * CbRtmpServerTimeouts:
 * @handshake_ms: from accept to a connect answered
 * @idle_ms: no byte from the peer (a ping request goes out after a third of it)
 * @write_stall_ms: output queued and none of it written
 */
typedef struct {
  guint handshake_ms;
  guint idle_ms;
  guint write_stall_ms;
} CbRtmpServerTimeouts;

#define CB_TYPE_RTMP_SERVER (cb_rtmp_server_get_type ())
G_DECLARE_FINAL_TYPE (CbRtmpServer, cb_rtmp_server, CB, RTMP_SERVER, GObject)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpServerSession, cb_rtmp_server_session_free)

/* The listener belongs to the GMainContext that is thread-default when it is created:
 * accepting, every connection's I/O, its timers and the handler's callbacks run there. */
CbRtmpServer *cb_rtmp_server_new                 (const CbRtmpServerHandler  *handler,
                                                  gpointer                    data);
void          cb_rtmp_server_set_timeouts        (CbRtmpServer               *self,
                                                  const CbRtmpServerTimeouts *timeouts);
/* Players' writes merged every @merge_ms (0: none; at most 1000): fewer system calls for
 * up to @merge_ms more latency. */
void          cb_rtmp_server_set_play_merge      (CbRtmpServer               *self,
                                                  guint                       merge_ms);
/* @bind: an IP address, "localhost", or NULL / "0.0.0.0" / "::" for every address (IPv4
 * and IPv6 where the system has it). @port 0 picks one. */
gboolean      cb_rtmp_server_listen              (CbRtmpServer               *self,
                                                  const char                 *bind,
                                                  guint                       port,
                                                  GError                    **error);
guint         cb_rtmp_server_get_port            (CbRtmpServer               *self);
/* Closes the listeners and every connection (their publishes and plays end). */
void          cb_rtmp_server_stop                (CbRtmpServer               *self);

G_END_DECLS
