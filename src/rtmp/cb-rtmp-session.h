/* cb-rtmp-session.h — the RTMP session core shared by the client and the server sessions
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-amf0.h"
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-handshake.h"

G_BEGIN_DECLS

typedef struct _CbRtmpSession CbRtmpSession;

/**
 * CbRtmpSessionFuncs:
 * @handshake_done: (nullable): the handshake is complete; the chunk stream starts with
 *   what follows. Return %FALSE with an error to end the session
 * @message: a message the core does not answer itself (it answers Window Acknowledgement
 *   Size and ping requests, and the reader applies Set Chunk Size and Abort; those are
 *   still handed here, but for the first two). Return %FALSE to stop reading: with
 *   @error set when the session must end, without when its owner closed or dropped it
 * @output: (nullable): bytes were queued: the transport may write
 *
 * What the owner of a session (a client connection, a server session) adds to it. The
 * callbacks run from inside cb_rtmp_session_feed() and the send functions; they may call
 * any function of the session except cb_rtmp_session_free().
 */
typedef struct {
  gboolean (*handshake_done) (gpointer        data,
                              GError        **error);
  gboolean (*message)        (gpointer        data,
                              CbRtmpMessage  *message,
                              GError        **error);
  void     (*output)         (gpointer        data);
} CbRtmpSessionFuncs;

/* The output queue's default high-water mark: a session past it is congested. */
#define CB_RTMP_SESSION_HIGH_WATER  (512 * 1024)
/* Vectors per gathered write (cb_rtmp_session_peek_vectors()): a few dozen messages — a
 * message over a chunk is a vector per chunk and one per header between — well under
 * IOV_MAX. */
#define CB_RTMP_SESSION_MAX_VECTORS 256

/* The byte handling of one RTMP connection, either side: the handshake, the chunk reader
 * and writer, the control messages, acknowledgements, the output queue with its
 * high-water mark, and what timeouts are judged on. No socket of its own: bytes in with
 * cb_rtmp_session_feed(), bytes out through the output queue (gathered writes with
 * CbRtmpWriter, or peek/consume). */
CbRtmpSession  *cb_rtmp_session_new                (CbRtmpHandshake          *handshake,
                                                    guint32                   window,
                                                    const CbRtmpSessionFuncs *funcs,
                                                    gpointer                  data);
void            cb_rtmp_session_free               (CbRtmpSession            *self);

/* Input. */
gboolean        cb_rtmp_session_feed               (CbRtmpSession            *self,
                                                    const guint8             *data,
                                                    gsize                     len,
                                                    GError                  **error);
gboolean        cb_rtmp_session_is_handshake_done  (CbRtmpSession            *self);
void            cb_rtmp_session_set_input_limit    (CbRtmpSession            *self,
                                                    guint32                   limit);
void            cb_rtmp_session_set_max_message_size (CbRtmpSession          *self,
                                                    guint32                   max_size);
guint64         cb_rtmp_session_get_bytes_received (CbRtmpSession            *self);
gint64          cb_rtmp_session_get_last_input     (CbRtmpSession            *self);

/* Output. */
gboolean        cb_rtmp_session_send_message       (CbRtmpSession            *self,
                                                    const CbRtmpMessage      *message);
gboolean        cb_rtmp_session_send_command       (CbRtmpSession            *self,
                                                    guint32                   csid,
                                                    guint32                   stream_id,
                                                    CbAmf0Command            *command);
gboolean        cb_rtmp_session_send_media         (CbRtmpSession            *self,
                                                    guint32                   stream_id,
                                                    guint8                    type_id,
                                                    guint32                   timestamp,
                                                    GBytes                   *payload);
gboolean        cb_rtmp_session_send_form          (CbRtmpSession            *self,
                                                    const CbRtmpChunkForm    *form,
                                                    guint32                   stream_id,
                                                    guint32                   timestamp);
gboolean        cb_rtmp_session_set_chunk_size     (CbRtmpSession            *self,
                                                    guint32                   chunk_size);
guint32         cb_rtmp_session_get_chunk_size     (CbRtmpSession            *self);
void            cb_rtmp_session_queue_bytes        (CbRtmpSession            *self,
                                                    GBytes                   *bytes);

/* The output queue. */
gsize           cb_rtmp_session_get_queued_bytes   (CbRtmpSession            *self);
void            cb_rtmp_session_set_high_water     (CbRtmpSession            *self,
                                                    gsize                     bytes);
gsize           cb_rtmp_session_get_high_water     (CbRtmpSession            *self);
gboolean        cb_rtmp_session_is_congested       (CbRtmpSession            *self);
guint           cb_rtmp_session_peek_vectors       (CbRtmpSession            *self,
                                                    GOutputVector            *vectors,
                                                    guint                     n_vectors);
void            cb_rtmp_session_consume_output     (CbRtmpSession            *self,
                                                    gsize                     n);
GBytes         *cb_rtmp_session_take_output        (CbRtmpSession            *self);
void            cb_rtmp_session_clear_output       (CbRtmpSession            *self);
guint64         cb_rtmp_session_get_bytes_sent     (CbRtmpSession            *self);
gint64          cb_rtmp_session_get_write_stall    (CbRtmpSession            *self,
                                                    gint64                    now);

/* An aggregate message (type 22) split into its FLV tags; the function returns %FALSE to
 * stop. */
typedef gboolean (*CbRtmpAggregateFunc)               (gpointer                  data,
                                                    guint8                    type_id,
                                                    guint32                   timestamp,
                                                    GBytes                   *payload);
gboolean        cb_rtmp_aggregate_split            (const CbRtmpMessage      *message,
                                                    CbRtmpAggregateFunc       func,
                                                    gpointer                  data,
                                                    GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpSession, cb_rtmp_session_free)

G_END_DECLS
