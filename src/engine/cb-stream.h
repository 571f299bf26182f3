/* cb-stream.h — a named stream: state, media info and the encoded fan-out
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>
#include "cb-media.h"

G_BEGIN_DECLS

/**
 * CbStreamStatus:
 *
 * Stream statuses, named and ordered as WCS names them.
 */
typedef enum {
  CB_STREAM_NEW,
  CB_STREAM_PENDING,
  CB_STREAM_PUBLISHING,
  CB_STREAM_PLAYING,
  CB_STREAM_PAUSED,
  CB_STREAM_UNPUBLISHED,
  CB_STREAM_STOPPED,
  CB_STREAM_FAILED,
  CB_STREAM_PLAYBACK_PROBLEM,
  CB_STREAM_PROCESSED_LOCAL,
  CB_STREAM_PROCESSED_REMOTE,
} CbStreamStatus;

const char *cb_stream_status_to_string   (CbStreamStatus status);
gboolean    cb_stream_status_from_string (const char     *text,
                                          CbStreamStatus *status);
gboolean    cb_stream_status_is_final    (CbStreamStatus  status);

/**
 * CbStreamInfo:
 *
 * A copy of a stream's state at one moment, safe to hand to any thread.
 * This is what REST answers, the GUI and the log read.
 */
typedef struct {
  char           *name;
  char           *media_session_id;
  CbStreamStatus  status;
  char           *info;
  gboolean        published;
  char           *media_provider;   /* "Local", "WebRTC", "RTMP", "VOD" */
  char           *source;           /* the producer's description ("test", "file:…") */
  gboolean        rtmp_pull;        /* pulled from an RTMP server (/pull/rtmp/pull) */
  gboolean        record;           /* a recorder is writing it now */
  char           *record_name;      /* the recording's file name (kept after it stops) */
  gint64          create_date;      /* ms since the epoch */
  CbMediaInfo     media;
  guint           n_consumers;
  guint           n_renditions;     /* transcoders running for this stream */
  char           *egress;           /* WebRTC player: "shared" (the egress) or "webrtcbin" */
} CbStreamInfo;

CbStreamInfo *cb_stream_info_copy (const CbStreamInfo *info);
void          cb_stream_info_free (CbStreamInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbStreamInfo, cb_stream_info_free)

#define CB_TYPE_STREAM (cb_stream_get_type ())
G_DECLARE_FINAL_TYPE (CbStream, cb_stream, CB, STREAM, GObject)

CbStream       *cb_stream_new               (const char      *name,
                                             const char      *media_provider);
CbStream       *cb_stream_new_full          (const char      *name,
                                             const char      *media_provider,
                                             const char      *media_session_id,
                                             gboolean         published);
gboolean        cb_stream_is_published      (CbStream        *self);
/* The producer's way to make a keyframe; consumers call cb_stream_request_keyframe(),
 * which calls it at most once a second. @func runs on the caller's thread. */
void            cb_stream_set_keyframe_func (CbStream        *self,
                                             void           (*func) (gpointer data),
                                             gpointer         data);
void            cb_stream_request_keyframe  (CbStream        *self);
const char     *cb_stream_get_name          (CbStream        *self);
const char     *cb_stream_get_media_session_id (CbStream     *self);
CbStreamStatus  cb_stream_get_status        (CbStream        *self);
char           *cb_stream_dup_info          (CbStream        *self);
void            cb_stream_set_status        (CbStream        *self,
                                             CbStreamStatus   status,
                                             const char      *info);
/* What the stream comes from, shown as it is in REST answers, events and the GUI: a URL
 * in it goes through cb_redact_url() first. */
void            cb_stream_set_source        (CbStream        *self,
                                             const char      *source);
/* Marks a stream that an RTMP pull publishes (before it is registered). */
void            cb_stream_set_egress        (CbStream        *self,
                                             const char      *egress);
void            cb_stream_set_rtmp_pull     (CbStream        *self);
/* The recorder's state as WCS reports it (`record`, `recordName`); the name stays
 * after the recording stops, so that UNPUBLISHED still tells the SDK the file. */
void            cb_stream_set_record        (CbStream        *self,
                                             gboolean         recording,
                                             const char      *record_name);
CbStreamInfo   *cb_stream_get_snapshot      (CbStream        *self);

/* Producer side: called from any thread (usually a GStreamer streaming thread).
 * Buffers carry PTS (and DTS for video) in one clock for both kinds; video
 * buffers without GST_BUFFER_FLAG_DELTA_UNIT are keyframes. Caps come before the
 * first buffer of their kind: H.264 as stream-format=avc,alignment=au with
 * codec_data; AAC as stream-format=raw with codec_data; Opus as audio/x-opus. */
void            cb_stream_push_caps         (CbStream        *self,
                                             CbMediaKind      kind,
                                             GstCaps         *caps);
void            cb_stream_push_buffer       (CbStream        *self,
                                             CbMediaKind      kind,
                                             GstBuffer       *buffer);
void            cb_stream_push_eos          (CbStream        *self);
GstCaps        *cb_stream_dup_caps          (CbStream        *self,
                                             CbMediaKind      kind);
/* The codec of its video ("H264", "VP8", a static string), or NULL while not known. */
const char     *cb_stream_get_video_codec   (CbStream        *self);
/* TRUE once a video frame came with a decoding time other than its presentation time:
 * WebRTC has no B-frames, so WebRTC consumers need the video transcoded. */
gboolean        cb_stream_has_b_frames      (CbStream        *self);

/* A producer that knows its media before it flows (a VOD reader reads the head of its
 * file first) marks its stream preparing until the caps and B-frames are on it: consumers
 * that choose what to ask for by the source's media (WebRTC players) wait while a stream
 * is preparing. "changed" is emitted when it stops preparing. */
void            cb_stream_set_preparing     (CbStream        *self,
                                             gboolean         preparing);
gboolean        cb_stream_is_preparing      (CbStream        *self);
/* The producer knows the video has B-frames before the first one comes. */
void            cb_stream_mark_b_frames     (CbStream        *self);
/* The time of the stream's own position 0 (a VOD file's start), or GST_CLOCK_TIME_NONE
 * (the default) for streams that have none. RTMP players count their timestamps from
 * it instead of from their first buffer, so that a viewer who joins a shared VOD sees
 * where in the file it is. */
void            cb_stream_set_timeline_origin (CbStream      *self,
                                               GstClockTime   origin);
GstClockTime    cb_stream_get_timeline_origin (CbStream      *self);

/* Consumer side. */
typedef struct _CbConsumer CbConsumer;

/**
 * CbConsumerFuncs:
 * @caps: the caps of @kind changed (also called first on attach)
 * @buffer: a buffer to queue. Called with the stream's fan-out lock held, from the
 *   producer's thread: it must not block. Return %FALSE when the consumer's queue is
 *   full; the stream then drops for this consumer alone until the next keyframe.
 * @eos: the producer stopped; no more buffers will come
 */
typedef struct {
  void     (*caps)   (gpointer data, CbMediaKind kind, GstCaps *caps);
  gboolean (*buffer) (gpointer data, CbMediaKind kind, GstBuffer *buffer);
  void     (*eos)    (gpointer data);
} CbConsumerFuncs;

CbConsumer *cb_stream_attach              (CbStream               *self,
                                           const CbConsumerFuncs  *funcs,
                                           gpointer                data,
                                           GDestroyNotify          destroy,
                                           const CbProfile        *profile,
                                           CbAudioWant             audio,
                                           GError                **error);
void        cb_consumer_detach            (CbConsumer             *consumer);
void        cb_consumer_request_keyframe  (CbConsumer             *consumer);
guint64     cb_consumer_get_dropped       (CbConsumer             *consumer);
guint64     cb_consumer_get_delivered     (CbConsumer             *consumer);

void        cb_consumer_share_flv_tags    (CbConsumer             *consumer);
guint       cb_stream_get_n_flv_senders   (CbStream               *self);
guint       cb_stream_get_n_consumers     (CbStream               *self);
guint       cb_stream_get_n_renditions    (CbStream               *self);

/* Convenience: a consumer that feeds one or two appsrc elements (either may be NULL),
 * rebasing timestamps to start at 0 and dropping GOPs when an appsrc holds more
 * than its max-bytes. */
CbConsumer *cb_stream_attach_appsrc       (CbStream               *self,
                                           GstElement             *video_appsrc,
                                           GstElement             *audio_appsrc,
                                           const CbProfile        *profile,
                                           CbAudioWant             audio,
                                           GError                **error);

G_END_DECLS
