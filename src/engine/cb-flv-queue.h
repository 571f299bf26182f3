/* cb-flv-queue.h — the bounded FLV tag queue of an RTMP sender (push agent, RTMP player)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "cb-flv.h"
#include "cb-media.h"

G_BEGIN_DECLS

typedef struct _CbFlvTag CbFlvTag;

typedef struct {
  guint8   type;         /* CB_FLV_TAG_AUDIO / _VIDEO / _SCRIPT */
  guint32  timestamp;    /* ms from the queue's first DTS */
  GBytes  *payload;      /* the FLV tag body */
  CbFlvTag *tag;         /* (nullable) the stream's shared tag of it (cb-flv-sender.h) */
  gboolean keyframe;
  gboolean config;       /* a sequence header: never dropped */
  GList    link;         /* in the queue: no list node allocated per packet */
} CbFlvPacket;

/* Not locked: its owner's lock guards it (buffers come on the producer's thread, the
 * owner drains on the engine's context). */
typedef struct {
  GQueue       packets;        /* CbFlvPacket* */
  gsize        queued_bytes;
  GstClockTime base;           /* the first DTS, time 0 of the timestamps */
  guint32      last_ts;
  guint64      dropped;        /* media packets dropped with their GOPs */
} CbFlvQueue;

void         cb_flv_packet_free         (gpointer      packet);

void         cb_flv_queue_init          (CbFlvQueue   *queue);
/* Empties the queue and starts its timestamps anew (a new connection). */
void         cb_flv_queue_reset         (CbFlvQueue   *queue);
void         cb_flv_queue_clear         (CbFlvQueue   *queue);

/* A sequence header from @caps' codec_data, queued at the last timestamp; FALSE when the
 * caps have none. */
gboolean     cb_flv_queue_push_config   (CbFlvQueue   *queue,
                                         CbMediaKind   kind,
                                         GstCaps      *caps);
/* An encoded frame as an FLV tag body (AVC NALUs with the composition time, or raw AAC),
 * or, when @replacement is given, that AAC frame in its place; NULL when unreadable. */
GBytes      *cb_flv_payload_for         (CbMediaKind   kind,
                                         GstBuffer    *buffer,
                                         GBytes       *replacement);
gboolean     cb_flv_payload_is          (CbMediaKind   kind,
                                         GstBuffer    *buffer,
                                         GBytes       *payload);
/* Queues @payload for @buffer's kind and times. Over @limit_ms of media or @max_bytes,
 * whole GOPs go: everything before the newest queued keyframe, or, with none, all media;
 * then FALSE: the stream should skip to its next keyframe for this consumer.
 * *@overflowed (may be NULL) says whether the limits were hit. */
gboolean     cb_flv_queue_push_media    (CbFlvQueue   *queue,
                                         CbMediaKind   kind,
                                         GstBuffer    *buffer,
                                         GBytes       *payload,
                                         guint32       limit_ms,
                                         gsize         max_bytes,
                                         gboolean     *overflowed);
/* The same with a tag (cb-flv-sender.h) and its payload; the queue takes @tag. */
gboolean     cb_flv_queue_push_tag      (CbFlvQueue   *queue,
                                         CbMediaKind   kind,
                                         GstBuffer    *buffer,
                                         CbFlvTag     *tag,
                                         guint32       limit_ms,
                                         gsize         max_bytes,
                                         gboolean     *overflowed);
CbFlvPacket *cb_flv_queue_pop           (CbFlvQueue   *queue);
gboolean     cb_flv_queue_is_empty      (const CbFlvQueue *queue);
/* Milliseconds from the first queued packet to the last. */
guint32      cb_flv_queue_span_ms       (const CbFlvQueue *queue);
/* Time 0 of the timestamps, unless it is set already (the first push sets it too). */
void         cb_flv_queue_set_base      (CbFlvQueue   *queue,
                                         GstClockTime  dts);

/* onMetaData for what is sent: H.264 size and rate from @vcaps, AAC from @acaps (either
 * may be NULL), and our encoder name. */
void         cb_flv_metadata_from_caps  (CbFlvMetadata *metadata,
                                         GstCaps       *vcaps,
                                         GstCaps       *acaps);

G_END_DECLS
