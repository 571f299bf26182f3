/* cb-media.h — media kinds, codecs, per-stream media info and transcoding profiles
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum {
  CB_MEDIA_VIDEO,
  CB_MEDIA_AUDIO,
  CB_MEDIA_N_KINDS,
} CbMediaKind;

/**
 * CbAudioWant:
 * @CB_AUDIO_ANY: the consumer takes the stream's audio as it is
 * @CB_AUDIO_AAC: the consumer needs AAC (RTMP, MP4)
 * @CB_AUDIO_OPUS: the consumer needs Opus (WebRTC players)
 */
typedef enum {
  CB_AUDIO_ANY,
  CB_AUDIO_AAC,
  CB_AUDIO_OPUS,
} CbAudioWant;

/**
 * CbVideoCodec:
 * @CB_VIDEO_CODEC_H264: H.264, constrained baseline without B-frames (the default)
 * @CB_VIDEO_CODEC_VP8: VP8, for WebRTC players that offer no H.264
 *
 * What a transcoding profile encodes to.
 */
typedef enum {
  CB_VIDEO_CODEC_H264,
  CB_VIDEO_CODEC_VP8,
} CbVideoCodec;

/**
 * CbProfile:
 * @width: output width, 0 keeps the aspect ratio from @height (or the source size)
 * @height: output height, 0 keeps the source size
 * @fps: output frame rate, 0 keeps the source rate
 * @bitrate: video bitrate in kbit/s, 0 picks one from the size (VP8: from the source's)
 * @keyframe_interval: frames between keyframes, 0 for the encoder's default of 2 s
 * @codec: what to encode to; asking for VP8 makes a profile a transcoding one (a VP8
 *   stream's VP8 consumers use no profile at all)
 *
 * A video transcoding profile. An all-zero profile means passthrough.
 */
typedef struct {
  int          width;
  int          height;
  int          fps;
  int          bitrate;
  int          keyframe_interval;
  CbVideoCodec codec;
} CbProfile;

gboolean  cb_profile_is_passthrough (const CbProfile *profile);
char     *cb_profile_to_key         (const CbProfile *profile,
                                     CbAudioWant      audio);

/**
 * CbMediaInfo:
 *
 * What is known of a stream's media, as WCS reports it. Codec names are
 * WCS's: "H264", "VP8", "opus", "mpeg4-generic" (AAC), "PCMU", "PCMA".
 */
typedef struct {
  gboolean has_video;
  gboolean has_audio;
  char    *video_codec;
  int      width;
  int      height;
  double   fps;
  int      bitrate;          /* kbit/s, measured over the last seconds, video + audio */
  gboolean b_frames;         /* video frames come out of order (PTS != DTS seen) */
  char    *audio_codec;
  int      audio_rate;
  int      audio_channels;
} CbMediaInfo;

void        cb_media_info_clear        (CbMediaInfo       *info);
void        cb_media_info_copy         (CbMediaInfo       *dest,
                                        const CbMediaInfo *src);
void        cb_media_info_update_caps  (CbMediaInfo       *info,
                                        CbMediaKind        kind,
                                        const GstCaps     *caps);
const char *cb_media_codec_from_caps   (const GstCaps     *caps);
/* A copy of @buffer with its timestamps in @segment's running time (a TIME segment; with
 * none, as they are): one clock for buffers from different pipelines or encoders. */
GstBuffer  *cb_media_running_time_copy (GstBuffer         *buffer,
                                        const GstSegment  *segment);

/* The AAC bitrate everywhere Castbridge encodes AAC (bits per second; ffmpeg's default). */
#define CB_MEDIA_AAC_BITRATE 128000
/* "<encoder> bitrate=N" for the best AAC encoder installed (bits per second), or NULL. */
char       *cb_media_aac_encoder       (int                bitrate,
                                        GError           **error);
GBytes     *cb_media_silent_aac        (GstCaps           *caps);
GstElement *cb_media_parse_bin         (const char        *description,
                                        gboolean           ghost_unlinked_pads,
                                        GError           **error);
/* The headphones' and the player's sound output, opened: @device (a device's id or name
 * of cb_media_list_devices ("Audio/Sink")), or with NULL or "" the system's default;
 * CB_AUDIO_SINK, where set, wins. */
GstElement *cb_media_make_audio_output (const char        *device,
                                        GError           **error);
/* The devices of class @klass ("Video/Source", "Audio/Source", "Audio/Sink") there are
 * now; (element-type GstDevice) (transfer full). */
GList      *cb_media_list_devices      (const char        *klass);
/* What finds @device again: its path, node name… (the first its properties have), else
 * its display name. */
char       *cb_media_device_id         (GstDevice         *device);
/* The element of the device of @klass whose id or display name is @id (NULL: the first),
 * or NULL when there is none. (transfer floating) */
GstElement *cb_media_create_device_element (const char    *klass,
                                            const char    *id);
gboolean    cb_media_have_element      (const char        *factory,
                                        GError           **error);
/* A launch-line fragment that scales and converts video: videoconvertscale (one pass) where
 * GStreamer has it, videoconvert ! videoscale otherwise. */
const char *cb_media_convert_scale     (void);

G_END_DECLS
