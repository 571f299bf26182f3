/* cb-stream-private.h — shared by cb-stream.c, cb-fanout.c and cb-transcoder.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-stream.h"

G_BEGIN_DECLS

typedef struct _CbTranscoder CbTranscoder;

typedef struct {
  CbMediaKind  kind;
  GstBuffer   *buffer;
} CbCachedPacket;

struct _CbConsumer
{
  CbStream              *stream;      /* strong: the stream (or rendition) attached to */
  CbStream              *parent;      /* strong, only when attached through a rendition */
  CbTranscoder          *rendition;   /* owned by parent's table; released on detach */
  guint                  kinds;       /* bit per CbMediaKind: what this consumer gets */
  /* A consumer whose video comes from a video rendition and whose audio needs another
   * codec: its audio is a second consumer, of the audio rendition, detached with it. */
  CbConsumer            *twin;
  const CbConsumerFuncs *funcs;
  gpointer               data;
  GDestroyNotify         destroy;
  gboolean               need_keyframe;
  gboolean               eos_sent;
  gboolean               flv_tags;    /* counted in its stream's flv_senders */
  guint64                dropped;
  guint64                delivered;
};

struct _CbStream
{
  GObject         parent_instance;

  char           *name;
  char           *media_session_id;
  char           *media_provider;
  gint64          create_date;
  gboolean        published;        /* FALSE for players */
  GMainContext   *context;          /* where "changed" is emitted */

  /* How to ask the producer for a keyframe (guarded by lock). */
  void          (*keyframe_func) (gpointer data);
  gpointer        keyframe_data;
  gint64          last_keyframe_request;

  /* Guards everything below. Consumer callbacks run with it held. */
  GMutex          lock;
  CbStreamStatus  status;
  char           *info;
  char           *source;
  char           *egress;
  gboolean        rtmp_pull;
  gboolean        recording;
  char           *record_name;
  CbMediaInfo     media;
  GstCaps        *caps[CB_MEDIA_N_KINDS];
  GArray         *gop;              /* CbCachedPacket since the last keyframe */
  gsize           gop_bytes;
  gboolean        gop_overflow;     /* too long a GOP: stop caching until the next keyframe */
  GPtrArray      *consumers;        /* CbConsumer* */
  GHashTable     *renditions;       /* profile key → CbTranscoder* */
  gboolean        eos;
  gboolean        preparing;
  guint           flv_senders;      /* consumers sharing FLV tags riding on the buffers */
  GstClockTime    timeline_origin;

  /* Bitrate over a sliding window. */
  guint64         window_bytes;
  GstClockTime    window_start;
  gint64          window_wall_start;
  guint64         frames;

  /* Frame rate from timestamps, for producers whose caps give none (browsers' H.264 and
   * VP8 over WebRTC): frames counted over a window of stream time. */
  gboolean        fps_from_caps;
  GstClockTime    fps_window_start;
  GstClockTime    fps_window_last;
  guint           fps_window_frames;

  gint            notify_pending;   /* atomic */
};

void      cb_stream_schedule_changed     (CbStream     *self);
void      cb_stream_fanout_init          (CbStream     *self);
void      cb_stream_fanout_clear         (CbStream     *self);

/* cb-transcoder.c */
CbTranscoder *cb_transcoder_new          (CbStream          *parent,
                                          const CbProfile   *profile,
                                          CbAudioWant        audio,
                                          GError           **error);
CbStream     *cb_transcoder_get_output   (CbTranscoder      *self);
void          cb_transcoder_free         (CbTranscoder      *self);

G_END_DECLS
