/* cb-flv.h — FLV tag bodies as carried in RTMP audio/video/data messages, H.264 helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "cb-amf0.h"
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

/* FLV tag types, equal to the RTMP message types carrying them. */
#define CB_FLV_TAG_AUDIO   8
#define CB_FLV_TAG_VIDEO   9
#define CB_FLV_TAG_SCRIPT  18

/**
 * CbFlvVideoCodec:
 *
 * CodecID of the VIDEODATA header (FLV specification 10.1, E.4.3.1). 12 is the HEVC id of
 * the Chinese CDN extension; Enhanced RTMP uses FourCCs instead (see #CbFlvVideoTag).
 */
typedef enum {
  CB_FLV_VIDEO_SORENSON_H263 = 2,
  CB_FLV_VIDEO_SCREEN        = 3,
  CB_FLV_VIDEO_VP6           = 4,
  CB_FLV_VIDEO_VP6_ALPHA     = 5,
  CB_FLV_VIDEO_SCREEN_V2     = 6,
  CB_FLV_VIDEO_AVC           = 7,
  CB_FLV_VIDEO_HEVC_EXT      = 12,
} CbFlvVideoCodec;

typedef enum {
  CB_FLV_FRAME_KEY           = 1,
  CB_FLV_FRAME_INTER         = 2,
  CB_FLV_FRAME_DISPOSABLE    = 3,
  CB_FLV_FRAME_GENERATED_KEY = 4,
  CB_FLV_FRAME_COMMAND       = 5,
} CbFlvFrameType;

typedef enum {
  CB_FLV_AVC_SEQUENCE_HEADER = 0,
  CB_FLV_AVC_NALU            = 1,
  CB_FLV_AVC_END_OF_SEQUENCE = 2,
} CbFlvAvcPacketType;

/**
 * CbFlvAudioFormat:
 *
 * SoundFormat of the AUDIODATA header (FLV specification 10.1, E.4.2.1).
 */
typedef enum {
  CB_FLV_AUDIO_PCM           = 0,
  CB_FLV_AUDIO_ADPCM         = 1,
  CB_FLV_AUDIO_MP3           = 2,
  CB_FLV_AUDIO_PCM_LE        = 3,
  CB_FLV_AUDIO_NELLY_16K     = 4,
  CB_FLV_AUDIO_NELLY_8K      = 5,
  CB_FLV_AUDIO_NELLY         = 6,
  CB_FLV_AUDIO_G711_ALAW     = 7,
  CB_FLV_AUDIO_G711_MULAW    = 8,
  CB_FLV_AUDIO_EX_HEADER     = 9,
  CB_FLV_AUDIO_AAC           = 10,
  CB_FLV_AUDIO_SPEEX         = 11,
  CB_FLV_AUDIO_MP3_8K        = 14,
  CB_FLV_AUDIO_DEVICE        = 15,
} CbFlvAudioFormat;

typedef enum {
  CB_FLV_AAC_SEQUENCE_HEADER = 0,
  CB_FLV_AAC_RAW             = 1,
} CbFlvAacPacketType;

/**
 * CbFlvVideoTag:
 * @frame_type: a #CbFlvFrameType
 * @codec_id: a #CbFlvVideoCodec, or 0 for an Enhanced RTMP header
 * @fourcc: the FourCC of an Enhanced RTMP header ("avc1", "hvc1", "av01", "vp09"), else 0
 * @packet_type: the AVCPacketType for AVC, the Enhanced RTMP packet type, else 0
 * @composition_time: the AVC composition time offset in ms (signed), else 0
 * @data: what follows the header: avcC, AVCC NAL units, or a codec's own payload; points
 *   into the parsed buffer
 * @size: its length
 */
typedef struct {
  guint8        frame_type;
  guint8        codec_id;
  guint32       fourcc;
  guint8        packet_type;
  gint32        composition_time;
  const guint8 *data;
  gsize         size;
} CbFlvVideoTag;

/**
 * CbFlvAudioTag:
 * @sound_format: a #CbFlvAudioFormat
 * @sound_rate: 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz
 * @sound_size: 0 = 8-bit, 1 = 16-bit
 * @sound_type: 0 = mono, 1 = stereo
 * @packet_type: the AACPacketType for AAC, the Enhanced RTMP packet type, else 0
 * @fourcc: the FourCC of an Enhanced RTMP header (sound format 9: "Opus", "fLaC", …), else 0
 * @data: what follows the header (AudioSpecificConfig, a raw AAC frame, …)
 * @size: its length
 */
typedef struct {
  guint8        sound_format;
  guint8        sound_rate;
  guint8        sound_size;
  guint8        sound_type;
  guint8        packet_type;
  guint32       fourcc;
  const guint8 *data;
  gsize         size;
} CbFlvAudioTag;

gboolean      cb_flv_video_tag_parse       (const guint8   *data,
                                            gsize           len,
                                            CbFlvVideoTag  *out,
                                            GError        **error);
gboolean      cb_flv_audio_tag_parse       (const guint8   *data,
                                            gsize           len,
                                            CbFlvAudioTag  *out,
                                            GError        **error);
const char   *cb_flv_video_codec_name      (guint8          codec_id);
const char   *cb_flv_audio_codec_name      (guint8          sound_format);
gboolean      cb_flv_video_tag_check_codec (const CbFlvVideoTag *tag,
                                            guint8          expected_codec_id,
                                            GError        **error);
gboolean      cb_flv_audio_tag_check_codec (const CbFlvAudioTag *tag,
                                            guint8          expected_format,
                                            GError        **error);
gboolean      cb_flv_video_tag_is_keyframe (const CbFlvVideoTag *tag);

void          cb_flv_write_avc_video       (GByteArray     *out,
                                            gboolean        keyframe,
                                            CbFlvAvcPacketType packet_type,
                                            gint32          composition_time,
                                            const guint8   *data,
                                            gsize           len);
void          cb_flv_write_aac_audio       (GByteArray     *out,
                                            CbFlvAacPacketType packet_type,
                                            const guint8   *data,
                                            gsize           len);

/**
 * CbAvcConfig:
 * @profile: AVCProfileIndication (66 baseline, 77 main, 100 high, …)
 * @compatibility: profile_compatibility
 * @level: AVCLevelIndication (31 = 3.1, …)
 * @nal_length_size: the size of NAL length prefixes: 1, 2 or 4
 * @sps: (element-type GBytes): sequence parameter sets (NAL units, no prefix)
 * @pps: (element-type GBytes): picture parameter sets
 *
 * An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1): the body of the AVC
 * sequence header, and GStreamer's codec_data for stream-format=avc.
 */
typedef struct {
  guint8     profile;
  guint8     compatibility;
  guint8     level;
  guint8     nal_length_size;
  GPtrArray *sps;
  GPtrArray *pps;
} CbAvcConfig;

CbAvcConfig  *cb_avc_config_new           (void);
CbAvcConfig  *cb_avc_config_parse         (const guint8   *data,
                                           gsize           len,
                                           GError        **error);
GBytes       *cb_avc_config_serialize     (const CbAvcConfig *config,
                                           GError        **error);
CbAvcConfig  *cb_avc_config_new_from_nal_units (GPtrArray *nal_units,
                                           GError        **error);
char         *cb_avc_config_get_codec_string (const CbAvcConfig *config);
void          cb_avc_config_free          (CbAvcConfig    *config);

GPtrArray    *cb_h264_split_annexb        (const guint8   *data,
                                           gsize           len,
                                           GError        **error);
GPtrArray    *cb_h264_split_length_prefixed (const guint8 *data,
                                           gsize           len,
                                           guint           nal_length_size,
                                           GError        **error);
GBytes       *cb_h264_annexb_to_length_prefixed (const guint8 *data,
                                           gsize           len,
                                           guint           nal_length_size,
                                           GError        **error);
GBytes       *cb_h264_length_prefixed_to_annexb (const guint8 *data,
                                           gsize           len,
                                           guint           nal_length_size,
                                           GError        **error);

/**
 * CbFlvMetadata:
 *
 * The fields of onMetaData Castbridge reads and writes; 0 / %NULL mean absent. Rates are in
 * kbit/s, sample rate in Hz. @properties holds everything received (parse only).
 */
typedef struct {
  gdouble      width;
  gdouble      height;
  gdouble      framerate;
  gdouble      videocodecid;
  gdouble      videodatarate;
  gdouble      audiocodecid;
  gdouble      audiosamplerate;
  gdouble      audiosamplesize;
  gdouble      audiochannels;
  gdouble      audiodatarate;
  gdouble      duration;
  char        *encoder;
  CbAmf0Value *properties;
} CbFlvMetadata;

GBytes       *cb_flv_metadata_build       (const CbFlvMetadata *metadata,
                                           gboolean        set_data_frame);
CbFlvMetadata *cb_flv_metadata_parse      (const guint8   *data,
                                           gsize           len,
                                           GError        **error);
void          cb_flv_metadata_free        (CbFlvMetadata  *metadata);

/* FLV files (tests, debug dumps). */
#define CB_FLV_FILE_HEADER_SIZE 13   /* 9-byte header + PreviousTagSize0 */
#define CB_FLV_TAG_HEADER_SIZE  11

void          cb_flv_write_file_header    (GByteArray     *out,
                                           gboolean        has_audio,
                                           gboolean        has_video);
void          cb_flv_write_tag            (GByteArray     *out,
                                           guint8          tag_type,
                                           guint32         timestamp,
                                           const guint8   *data,
                                           gsize           len);
gboolean      cb_flv_parse_file_header    (const guint8   *data,
                                           gsize           len,
                                           gsize          *consumed,
                                           gboolean       *has_audio,
                                           gboolean       *has_video,
                                           GError        **error);
gboolean      cb_flv_parse_tag            (const guint8   *data,
                                           gsize           len,
                                           gsize          *consumed,
                                           guint8         *tag_type,
                                           guint32        *timestamp,
                                           const guint8  **body,
                                           gsize          *body_len,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbAvcConfig, cb_avc_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbFlvMetadata, cb_flv_metadata_free)

G_END_DECLS
