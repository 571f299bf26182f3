/* cb-rtmp-connection-private.h — the client side of an RTMP connection, shared by the
 * publishing client (cb-rtmp-client.c) and the player (cb-rtmp-player.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-amf0.h"
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-url.h"

G_BEGIN_DECLS

typedef struct _CbRtmpConnection CbRtmpConnection;

/* Where a connection is; every state before STARTED but IDLE waits for the server under
 * the connection's timeout. */
typedef enum {
  CB_RTMP_CONNECTION_IDLE,
  CB_RTMP_CONNECTION_TCP,
  CB_RTMP_CONNECTION_HANDSHAKE,
  CB_RTMP_CONNECTION_CONNECT,
  CB_RTMP_CONNECTION_CREATE_STREAM,
  CB_RTMP_CONNECTION_STARTING,       /* publish or play sent */
  CB_RTMP_CONNECTION_STARTED,        /* publishing or playing */
  CB_RTMP_CONNECTION_CLOSED,
} CbRtmpConnectionState;

/* Transaction id of connect; the role chooses the others. */
#define CB_RTMP_CONNECTION_TXN_CONNECT 1
/* The acknowledgement window until the server sets one, and the one a publisher asks for. */
#define CB_RTMP_CONNECTION_WINDOW      2500000

/**
 * CbRtmpConnectionRole:
 * @log_name: how debug messages name the connection ("RTMP", "RTMP player")
 * @start_command: what STARTING waits for, as timeouts name it ("publish", "play")
 * @create_stream_txn: the transaction id of createStream
 * @reads_may_idle: the socket timeout covers connecting only, not later reads (a server
 *   may stay silent for long while we publish); else it stays on the socket
 * @watch_silence: once STARTED, fail when the server sends nothing for the timeout
 * @tell_early_close: an end of stream before connect was answered says so, rather than
 *   "Connection closed by the server"
 * @send_connect: the handshake is done: send connect (and what must precede it)
 * @connected: (nullable): connect succeeded; createStream goes out when it returns
 * @stream_created: createStream answered @stream_id: send publish or play and move to
 *   STARTING. Return %FALSE for an id the role cannot use
 * @command: a command other than `_result` and `close`: `_error`, `onStatus`, …
 * @message: (nullable): any other message: media, acknowledgements, …
 * @closed: the connection is closed, once: @error is why, %NULL after
 *   cb_rtmp_connection_close() or cb_rtmp_connection_close_after_flush()
 *
 * What a publisher or a player adds to the shared connection. The callbacks run on the
 * connection's context with the owner given to cb_rtmp_connection_new() as @data; they may
 * call any function of the connection, cb_rtmp_connection_fail() included.
 */
typedef struct {
  const char *log_name;
  const char *start_command;
  double      create_stream_txn;
  gboolean    reads_may_idle;
  gboolean    watch_silence;
  gboolean    tell_early_close;

  void     (*send_connect)   (gpointer             data);
  void     (*connected)      (gpointer             data);
  gboolean (*stream_created) (gpointer             data,
                              double               stream_id);
  void     (*command)        (gpointer             data,
                              CbAmf0Command       *command);
  void     (*message)        (gpointer             data,
                              CbRtmpMessage       *message);
  void     (*closed)         (gpointer             data,
                              const GError        *error);
} CbRtmpConnectionRole;

/* TCP (TLS for rtmps), handshake, connect and createStream on the GMainContext that is
 * thread-default at creation, with GIO's async calls. Every pending operation holds a
 * reference on @owner, which frees the connection in its dispose; @timeout_ms 0: 10 s. */
CbRtmpConnection *cb_rtmp_connection_new             (const CbRtmpConnectionRole *role,
                                                      GObject                    *owner,
                                                      const CbRtmpUrl            *url,
                                                      const char                 *bind_address,
                                                      guint                       timeout_ms,
                                                      gboolean                    tls_validation);
void              cb_rtmp_connection_free            (CbRtmpConnection           *self);

void              cb_rtmp_connection_start           (CbRtmpConnection           *self);
/* Drops the socket and everything queued and starts again from TCP: each step of an
 * authentication challenge is a new connection. */
void              cb_rtmp_connection_restart         (CbRtmpConnection           *self);
/* Cancels what is pending, which then fails with G_IO_ERROR_CANCELLED: for the "cancelled"
 * handler of a caller's GCancellable. */
void              cb_rtmp_connection_cancel          (CbRtmpConnection           *self);
/* Closes with @error (taken): "closed" is reported unless the connection is closed. */
void              cb_rtmp_connection_fail            (CbRtmpConnection           *self,
                                                      GError                     *error);
/* Closes now, dropping what is queued. */
void              cb_rtmp_connection_close           (CbRtmpConnection           *self);
/* Closes once what is queued is written, or after two seconds. */
void              cb_rtmp_connection_close_after_flush (CbRtmpConnection         *self);

CbRtmpConnectionState cb_rtmp_connection_get_state   (CbRtmpConnection           *self);
/* For STARTING and STARTED; re-arms the timeout. */
void              cb_rtmp_connection_set_state       (CbRtmpConnection           *self,
                                                      CbRtmpConnectionState       state);
const CbRtmpUrl  *cb_rtmp_connection_get_url         (CbRtmpConnection           *self);
/* Whether connect was answered with success. */
gboolean          cb_rtmp_connection_is_accepted     (CbRtmpConnection           *self);
gsize             cb_rtmp_connection_get_queued_bytes (CbRtmpConnection          *self);
guint64           cb_rtmp_connection_get_bytes_sent  (CbRtmpConnection           *self);
guint64           cb_rtmp_connection_get_bytes_received (CbRtmpConnection        *self);

/* Output: queued and written as the socket allows; never blocks. */
gboolean          cb_rtmp_connection_send_message    (CbRtmpConnection           *self,
                                                      CbRtmpMessage              *message);
/* Media on the chunk stream of its type; a shared form (cb_rtmp_chunk_form_new() with
 * cb_rtmp_connection_get_chunk_size()) adds only this connection's first chunk header. */
gboolean          cb_rtmp_connection_send_media      (CbRtmpConnection           *self,
                                                      guint32                     stream_id,
                                                      guint8                      type_id,
                                                      guint32                     timestamp,
                                                      GBytes                     *payload);
gboolean          cb_rtmp_connection_send_form       (CbRtmpConnection           *self,
                                                      const CbRtmpChunkForm      *form,
                                                      guint32                     stream_id,
                                                      guint32                     timestamp);
guint32           cb_rtmp_connection_get_chunk_size  (CbRtmpConnection           *self);
/* The output queue is past its high-water mark. */
gboolean          cb_rtmp_connection_is_congested    (CbRtmpConnection           *self);
void              cb_rtmp_connection_send_command    (CbRtmpConnection           *self,
                                                      guint32                     stream_id,
                                                      CbAmf0Command              *command);
void              cb_rtmp_connection_set_chunk_size  (CbRtmpConnection           *self,
                                                      guint32                     chunk_size);

/* "code: description" of an onStatus or _error info object, or @fallback. */
char             *cb_rtmp_status_text                (const CbAmf0Value          *info,
                                                      const char                 *fallback);

G_END_DECLS
