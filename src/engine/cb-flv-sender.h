/* cb-flv-sender.h — the one FLV sending core of push agents and RTMP players
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "cb-rtmp-chunk.h"
#include "cb-stream.h"

G_BEGIN_DECLS

/**
 * CbFlvTag:
 *
 * One media message of a stream as an FLV tag body, and its RTMP chunk forms, one per
 * chunk size in use: made once and shared by every push agent and RTMP player of the
 * stream. A tag of a stream's buffer rides on the buffer itself while the stream has
 * senders (cb_flv_tag_for_buffer()), so that every sender and every replay of the cached
 * GOP finds the same one.
 */
typedef struct _CbFlvTag CbFlvTag;

CbFlvTag        *cb_flv_tag_new              (guint8        type,
                                              GBytes       *payload);
CbFlvTag        *cb_flv_tag_for_buffer       (CbMediaKind   kind,
                                              GstBuffer    *buffer);
void             cb_flv_tag_adopt            (CbMediaKind   kind,
                                              GstBuffer    *buffer,
                                              GBytes       *payload);
CbFlvTag        *cb_flv_tag_ref              (CbFlvTag     *tag);
void             cb_flv_tag_unref            (CbFlvTag     *tag);
GBytes          *cb_flv_tag_get_payload      (CbFlvTag     *tag);
gboolean         cb_flv_tag_is_shared        (CbFlvTag     *tag);
CbRtmpChunkForm *cb_flv_tag_get_form         (CbFlvTag     *tag,
                                              guint32       chunk_size);
/* Drops the tags riding on @buffer (its stream has no sender left). */
void             cb_flv_tag_clear_buffer     (GstBuffer    *buffer);
/* For tests: tags alive, and tags and chunk forms made so far. */
void             cb_flv_tag_get_counts       (guint        *live,
                                              guint        *tags_made,
                                              guint        *forms_made);

/**
 * CbFlvOutFuncs:
 * @send_form: write a shared form with this session's timestamp
 * @send_media: write a message of this session's own (metadata, sequence headers, an
 *   agent's own audio)
 * @chunk_size: the chunk size forms for this session are made with
 * @congested: whether the session's output queue is past its high-water mark
 *
 * The RTMP session a sender writes to: a server session to a player, a client
 * connection of a push agent. Each returns %FALSE once the session is closed.
 */
typedef struct {
  gboolean (*send_form)  (gpointer               out,
                          const CbRtmpChunkForm *form,
                          guint32                timestamp);
  gboolean (*send_media) (gpointer               out,
                          guint8                 type,
                          guint32                timestamp,
                          GBytes                *payload);
  guint32  (*chunk_size) (gpointer               out);
  gboolean (*congested)  (gpointer               out);
} CbFlvOutFuncs;

/**
 * CbFlvSenderHooks:
 * @audio: (nullable): on the producer's thread, must not block: %FALSE when the owner
 *   takes the frame itself (a sound mixer hands it back with cb_flv_sender_push());
 *   else *@replacement may be set to an AAC frame sent in its place (mute)
 * @audio_caps: (nullable): on the producer's thread, must not block: the audio changed
 * @ended: (nullable): on the sender's context: the stream ended and (when the sender
 *   waits for it) what was queued went out
 *
 * What an owner adds to the core.
 */
typedef struct {
  gboolean (*audio)      (gpointer      owner,
                          GstBuffer    *buffer,
                          GBytes      **replacement);
  void     (*audio_caps) (gpointer      owner,
                          GstCaps      *caps);
  void     (*ended)      (gpointer      owner);
} CbFlvSenderHooks;

typedef struct {
  guint    limit_ms;          /* media queued before whole GOPs go */
  gsize    max_bytes;         /* bytes queued before whole GOPs go */
  gboolean send_metadata;     /* onMetaData first */
  gboolean set_data_frame;    /* as @setDataFrame (to a server), not to a player */
  int      videodatarate;     /* kbit/s in onMetaData, or 0 */
  guint    start_ms;          /* hold the first packets until this much media is queued */
  guint    retry_ms;          /* look again this often while the session is congested */
  gboolean end_when_drained;  /* call @ended once the queue is empty, not at once */
} CbFlvSenderConfig;

/* The bounded queue of one RTMP output session, fed by a stream consumer on the
 * producer's thread and drained into the session on @context. */
typedef struct _CbFlvSender CbFlvSender;

CbFlvSender     *cb_flv_sender_new           (GMainContext            *context,
                                              const CbFlvSenderConfig *config,
                                              const CbFlvSenderHooks  *hooks,
                                              gpointer                 owner);
void             cb_flv_sender_free          (CbFlvSender             *self);
/* Starts a session: an empty queue, timestamps from 0 (or @base), then attaches to
 * @stream (the cached GOP first). */
CbConsumer      *cb_flv_sender_start         (CbFlvSender             *self,
                                              const CbFlvOutFuncs     *out_funcs,
                                              gpointer                 out,
                                              CbStream                *stream,
                                              GstClockTime             base,
                                              const CbProfile         *profile,
                                              GError                 **error);
/* Detaches and forgets the session; nothing reaches it after this returns. */
void             cb_flv_sender_stop          (CbFlvSender             *self);
/* A frame of the owner's own (mixed audio): queued as it is. */
void             cb_flv_sender_push          (CbFlvSender             *self,
                                              CbMediaKind              kind,
                                              GstBuffer               *buffer);
void             cb_flv_sender_set_videodatarate (CbFlvSender         *self,
                                              int                      kbps);
GstCaps         *cb_flv_sender_dup_caps      (CbFlvSender             *self,
                                              CbMediaKind              kind);
guint64          cb_flv_sender_get_dropped   (CbFlvSender             *self);
guint            cb_flv_sender_get_bufferings (CbFlvSender            *self);
gint64           cb_flv_sender_get_last_keyframe (CbFlvSender         *self);

/* Out funcs of the two session kinds. */
extern const CbFlvOutFuncs cb_flv_out_server_session;   /* out: a CbFlvServerOut */
extern const CbFlvOutFuncs cb_flv_out_client;           /* out: a CbRtmpClient */

typedef struct {
  gpointer session;     /* CbRtmpServerSession */
  guint32  stream_id;
} CbFlvServerOut;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbFlvTag, cb_flv_tag_unref)

G_END_DECLS
