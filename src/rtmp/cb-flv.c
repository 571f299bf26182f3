/* cb-flv.c — FLV tag bodies as carried in RTMP audio/video/data messages, H.264 helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-flv.h"
#include "cb-rtmp-bytes-private.h"

#include <math.h>
#include <string.h>

#define FOURCC(a, b, c, d) \
  (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))

#define H264_NAL_SPS 7
#define H264_NAL_PPS 8

static gboolean
truncated (GError     **error,
           const char  *what,
           gsize        have,
           gsize        need_len)
{
  g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED,
               "%s of %" G_GSIZE_FORMAT " bytes, at least %" G_GSIZE_FORMAT " needed",
               what, have, need_len);
  return FALSE;
}

/* ---- audio and video tag headers ---- */

static const char *
fourcc_name (guint32 fourcc)
{
  switch (fourcc)
    {
    case FOURCC ('a', 'v', 'c', '1'): return "H.264";
    case FOURCC ('h', 'v', 'c', '1'): return "H.265";
    case FOURCC ('a', 'v', '0', '1'): return "AV1";
    case FOURCC ('v', 'p', '0', '9'): return "VP9";
    case FOURCC ('v', 'p', '0', '8'): return "VP8";
    case FOURCC ('O', 'p', 'u', 's'): return "Opus";
    case FOURCC ('f', 'L', 'a', 'C'): return "FLAC";
    case FOURCC ('a', 'c', '-', '3'): return "AC-3";
    case FOURCC ('e', 'c', '-', '3'): return "E-AC-3";
    case FOURCC ('.', 'm', 'p', '3'): return "MP3";
    case FOURCC ('m', 'p', '4', 'a'): return "AAC";
    default: return "unknown";
    }
}

/**
 * cb_flv_video_tag_parse:
 * @data: the body of an RTMP video message (an FLV VIDEODATA)
 * @out: (out caller-allocates): the header fields; @out->data points into @data
 *
 * Parses the header of a legacy tag (frame type and codec id, plus packet type and
 * composition time for AVC and HEVC) or of an Enhanced RTMP tag (FourCC).
 */
gboolean
cb_flv_video_tag_parse (const guint8   *data,
                        gsize           len,
                        CbFlvVideoTag  *out,
                        GError        **error)
{
  CbFlvVideoTag tag = { 0, };
  gsize hlen = 1;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (len < 1)
    return truncated (error, "video tag", len, 1);

  if (data[0] & 0x80)
    {
      /* Enhanced RTMP: IsExHeader, FrameType (3 bits), PacketType (4 bits), FourCC. */
      tag.frame_type = (data[0] >> 4) & 0x07;
      tag.packet_type = data[0] & 0x0f;
      if (tag.packet_type > 5)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                       "Enhanced RTMP video packet type %u (multitrack, ModEx) is not supported",
                       tag.packet_type);
          return FALSE;
        }
      if (len < 5)
        return truncated (error, "enhanced video tag", len, 5);
      tag.fourcc = cb_read_be32 (data + 1);
      hlen = 5;
      if (tag.packet_type == 1 &&
          (tag.fourcc == FOURCC ('a', 'v', 'c', '1') || tag.fourcc == FOURCC ('h', 'v', 'c', '1')))
        {
          guint32 cts;

          if (len < 8)
            return truncated (error, "enhanced video tag", len, 8);
          cts = cb_read_be24 (data + 5);
          tag.composition_time = (gint32) ((cts & 0x800000) ? (cts | 0xff000000u) : cts);
          hlen = 8;
        }
    }
  else
    {
      tag.frame_type = data[0] >> 4;
      tag.codec_id = data[0] & 0x0f;
      if (tag.frame_type < CB_FLV_FRAME_KEY || tag.frame_type > CB_FLV_FRAME_COMMAND)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                       "video frame type %u is not defined", tag.frame_type);
          return FALSE;
        }
      if (tag.codec_id == CB_FLV_VIDEO_AVC || tag.codec_id == CB_FLV_VIDEO_HEVC_EXT)
        {
          guint32 cts;

          if (len < 5)
            return truncated (error, "AVC video tag", len, 5);
          tag.packet_type = data[1];
          if (tag.packet_type > CB_FLV_AVC_END_OF_SEQUENCE)
            {
              g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "AVC packet type %u is not defined", tag.packet_type);
              return FALSE;
            }
          cts = cb_read_be24 (data + 2);
          tag.composition_time = (gint32) ((cts & 0x800000) ? (cts | 0xff000000u) : cts);
          hlen = 5;
        }
    }

  tag.data = data + hlen;
  tag.size = len - hlen;
  *out = tag;
  return TRUE;
}

/**
 * cb_flv_audio_tag_parse:
 * @data: the body of an RTMP audio message (an FLV AUDIODATA)
 * @out: (out caller-allocates): the header fields; @out->data points into @data
 */
gboolean
cb_flv_audio_tag_parse (const guint8   *data,
                        gsize           len,
                        CbFlvAudioTag  *out,
                        GError        **error)
{
  CbFlvAudioTag tag = { 0, };
  gsize hlen = 1;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (len < 1)
    return truncated (error, "audio tag", len, 1);

  tag.sound_format = data[0] >> 4;
  tag.sound_rate = (data[0] >> 2) & 0x03;
  tag.sound_size = (data[0] >> 1) & 0x01;
  tag.sound_type = data[0] & 0x01;
  if (tag.sound_format == CB_FLV_AUDIO_EX_HEADER)
    {
      /* Enhanced RTMP v2 audio: the low nibble is the packet type, a FourCC follows. */
      tag.packet_type = data[0] & 0x0f;
      tag.sound_rate = tag.sound_size = tag.sound_type = 0;
      if (len < 5)
        return truncated (error, "enhanced audio tag", len, 5);
      tag.fourcc = cb_read_be32 (data + 1);
      hlen = 5;
    }
  else if (tag.sound_format == CB_FLV_AUDIO_AAC)
    {
      if (len < 2)
        return truncated (error, "AAC audio tag", len, 2);
      tag.packet_type = data[1];
      if (tag.packet_type > CB_FLV_AAC_RAW)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                       "AAC packet type %u is not defined", tag.packet_type);
          return FALSE;
        }
      hlen = 2;
    }
  else if (tag.sound_format == 12 || tag.sound_format == 13)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "audio sound format %u is not defined", tag.sound_format);
      return FALSE;
    }

  tag.data = data + hlen;
  tag.size = len - hlen;
  *out = tag;
  return TRUE;
}

/**
 * cb_flv_video_codec_name:
 *
 * Returns: the name users know the codec by ("H.264", "VP6", …)
 */
const char *
cb_flv_video_codec_name (guint8 codec_id)
{
  switch (codec_id)
    {
    case CB_FLV_VIDEO_SORENSON_H263: return "Sorenson H.263";
    case CB_FLV_VIDEO_SCREEN: return "Screen video";
    case CB_FLV_VIDEO_VP6: return "VP6";
    case CB_FLV_VIDEO_VP6_ALPHA: return "VP6 alpha";
    case CB_FLV_VIDEO_SCREEN_V2: return "Screen video v2";
    case CB_FLV_VIDEO_AVC: return "H.264";
    case CB_FLV_VIDEO_HEVC_EXT: return "H.265";
    default: return "unknown";
    }
}

const char *
cb_flv_audio_codec_name (guint8 sound_format)
{
  switch (sound_format)
    {
    case CB_FLV_AUDIO_PCM:
    case CB_FLV_AUDIO_PCM_LE: return "PCM";
    case CB_FLV_AUDIO_ADPCM: return "ADPCM";
    case CB_FLV_AUDIO_MP3:
    case CB_FLV_AUDIO_MP3_8K: return "MP3";
    case CB_FLV_AUDIO_NELLY_16K:
    case CB_FLV_AUDIO_NELLY_8K:
    case CB_FLV_AUDIO_NELLY: return "Nellymoser";
    case CB_FLV_AUDIO_G711_ALAW: return "G.711 A-law";
    case CB_FLV_AUDIO_G711_MULAW: return "G.711 mu-law";
    case CB_FLV_AUDIO_AAC: return "AAC";
    case CB_FLV_AUDIO_SPEEX: return "Speex";
    case CB_FLV_AUDIO_DEVICE: return "device-specific";
    default: return "unknown";
    }
}

/**
 * cb_flv_video_tag_check_codec:
 *
 * Returns: %FALSE with %CB_RTMP_ERROR_UNSUPPORTED and the message WCS users know ("Video
 *   codec mismatch. VP6 granted, but should be H.264") when @tag is of another codec;
 *   an Enhanced RTMP tag never matches a legacy codec id
 */
gboolean
cb_flv_video_tag_check_codec (const CbFlvVideoTag  *tag,
                              guint8                expected_codec_id,
                              GError              **error)
{
  g_return_val_if_fail (tag != NULL, FALSE);

  if (tag->fourcc == 0 && tag->codec_id == expected_codec_id)
    return TRUE;
  g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
               "Video codec mismatch. %s%s granted, but should be %s",
               tag->fourcc != 0 ? fourcc_name (tag->fourcc) : cb_flv_video_codec_name (tag->codec_id),
               tag->fourcc != 0 ? " (Enhanced RTMP)" : "",
               cb_flv_video_codec_name (expected_codec_id));
  return FALSE;
}

gboolean
cb_flv_audio_tag_check_codec (const CbFlvAudioTag  *tag,
                              guint8                expected_format,
                              GError              **error)
{
  g_return_val_if_fail (tag != NULL, FALSE);

  if (tag->sound_format == expected_format)
    return TRUE;
  g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
               "Audio codec mismatch. %s granted, but should be %s",
               tag->sound_format == CB_FLV_AUDIO_EX_HEADER ? fourcc_name (tag->fourcc)
                                                          : cb_flv_audio_codec_name (tag->sound_format),
               cb_flv_audio_codec_name (expected_format));
  return FALSE;
}

gboolean
cb_flv_video_tag_is_keyframe (const CbFlvVideoTag *tag)
{
  g_return_val_if_fail (tag != NULL, FALSE);

  return tag->frame_type == CB_FLV_FRAME_KEY || tag->frame_type == CB_FLV_FRAME_GENERATED_KEY;
}

/**
 * cb_flv_write_avc_video:
 * @data: avcC for a sequence header, length-prefixed NAL units for a NALU packet
 *
 * Appends an AVC VIDEODATA: the RTMP video message body.
 */
void
cb_flv_write_avc_video (GByteArray         *out,
                        gboolean            keyframe,
                        CbFlvAvcPacketType  packet_type,
                        gint32              composition_time,
                        const guint8       *data,
                        gsize               len)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (data != NULL || len == 0);

  cb_put_u8 (out, ((keyframe ? CB_FLV_FRAME_KEY : CB_FLV_FRAME_INTER) << 4) | CB_FLV_VIDEO_AVC);
  cb_put_u8 (out, packet_type);
  cb_put_be24 (out, (guint32) composition_time & 0xffffff);
  g_byte_array_append (out, data, len);
}

/**
 * cb_flv_write_aac_audio:
 * @data: the AudioSpecificConfig, or a raw AAC frame (no ADTS header)
 *
 * Appends an AAC AUDIODATA. The header says 44 kHz, 16-bit, stereo whatever the stream is,
 * as the FLV specification wants for AAC: the AudioSpecificConfig tells the truth.
 */
void
cb_flv_write_aac_audio (GByteArray         *out,
                        CbFlvAacPacketType  packet_type,
                        const guint8       *data,
                        gsize               len)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (data != NULL || len == 0);

  cb_put_u8 (out, (CB_FLV_AUDIO_AAC << 4) | (3 << 2) | (1 << 1) | 1);
  cb_put_u8 (out, packet_type);
  g_byte_array_append (out, data, len);
}

/* ---- AVCDecoderConfigurationRecord ---- */

CbAvcConfig *
cb_avc_config_new (void)
{
  CbAvcConfig *config = g_new0 (CbAvcConfig, 1);

  config->nal_length_size = 4;
  config->sps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  config->pps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return config;
}

void
cb_avc_config_free (CbAvcConfig *config)
{
  if (config == NULL)
    return;
  g_ptr_array_unref (config->sps);
  g_ptr_array_unref (config->pps);
  g_free (config);
}

static gboolean
read_parameter_sets (const guint8  *data,
                     gsize          len,
                     gsize         *pos,
                     guint          count,
                     guint8         nal_type,
                     GPtrArray     *into,
                     GError       **error)
{
  for (guint i = 0; i < count; i++)
    {
      guint16 n;

      if (len - *pos < 2)
        return truncated (error, "avcC", len, *pos + 2);
      n = cb_read_be16 (data + *pos);
      *pos += 2;
      if (len - *pos < n)
        return truncated (error, "avcC", len, *pos + n);
      if (n == 0 || (data[*pos] & 0x1f) != nal_type)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                       "avcC: %s %u is not a NAL unit of type %u",
                       nal_type == H264_NAL_SPS ? "SPS" : "PPS", i, nal_type);
          return FALSE;
        }
      g_ptr_array_add (into, g_bytes_new (data + *pos, n));
      *pos += n;
    }
  return TRUE;
}

/**
 * cb_avc_config_parse:
 * @data: an AVCDecoderConfigurationRecord (the body of an AVC sequence header, or
 *   GStreamer's codec_data)
 *
 * Validates the record: version 1, at least one SPS and one PPS, each of the right NAL
 * type, every length within the data. Bytes after the PPS (the high-profile extension)
 * are ignored.
 */
CbAvcConfig *
cb_avc_config_parse (const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  g_autoptr(CbAvcConfig) config = NULL;
  gsize pos;
  guint n;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < 7)
    {
      truncated (error, "avcC", len, 7);
      return NULL;
    }
  if (data[0] != 1)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "avcC version %u, not 1 (Annex B data where avcC was expected?)", data[0]);
      return NULL;
    }
  config = cb_avc_config_new ();
  config->profile = data[1];
  config->compatibility = data[2];
  config->level = data[3];
  config->nal_length_size = (data[4] & 0x03) + 1;
  if (config->nal_length_size == 3)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "avcC: NAL length size 3 is not allowed");
      return NULL;
    }
  n = data[5] & 0x1f;
  pos = 6;
  if (!read_parameter_sets (data, len, &pos, n, H264_NAL_SPS, config->sps, error))
    return NULL;
  if (len - pos < 1)
    {
      truncated (error, "avcC", len, pos + 1);
      return NULL;
    }
  n = data[pos++];
  if (!read_parameter_sets (data, len, &pos, n, H264_NAL_PPS, config->pps, error))
    return NULL;
  if (config->sps->len == 0 || config->pps->len == 0)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "avcC with %u SPS and %u PPS: one of each is needed",
                   config->sps->len, config->pps->len);
      return NULL;
    }
  return g_steal_pointer (&config);
}

/**
 * cb_avc_config_serialize:
 *
 * Returns: (transfer full): the AVCDecoderConfigurationRecord, or %NULL with
 *   %CB_RTMP_ERROR_MALFORMED when @config lacks an SPS or PPS or holds oversized ones
 */
GBytes *
cb_avc_config_serialize (const CbAvcConfig  *config,
                         GError            **error)
{
  g_autoptr(GByteArray) out = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->sps->len == 0 || config->pps->len == 0 || config->sps->len > 31 ||
      config->pps->len > 255)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "cannot build avcC from %u SPS and %u PPS",
                   config->sps->len, config->pps->len);
      return NULL;
    }
  if (config->nal_length_size != 1 && config->nal_length_size != 2 &&
      config->nal_length_size != 4)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "NAL length size %u is not 1, 2 or 4", config->nal_length_size);
      return NULL;
    }

  out = g_byte_array_new ();
  cb_put_u8 (out, 1);
  cb_put_u8 (out, config->profile);
  cb_put_u8 (out, config->compatibility);
  cb_put_u8 (out, config->level);
  cb_put_u8 (out, 0xfc | (config->nal_length_size - 1));
  cb_put_u8 (out, 0xe0 | config->sps->len);
  for (guint i = 0; i < config->sps->len + config->pps->len; i++)
    {
      GBytes *ps = i < config->sps->len ? g_ptr_array_index (config->sps, i)
                                        : g_ptr_array_index (config->pps, i - config->sps->len);
      gsize n;
      const guint8 *p = g_bytes_get_data (ps, &n);

      if (n == 0 || n > G_MAXUINT16)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                       "parameter set of %" G_GSIZE_FORMAT " bytes", n);
          return NULL;
        }
      if (i == config->sps->len)
        cb_put_u8 (out, config->pps->len);
      cb_put_be16 (out, n);
      g_byte_array_append (out, p, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
bytes_in_array (GPtrArray *array,
                GBytes    *bytes)
{
  for (guint i = 0; i < array->len; i++)
    if (g_bytes_equal (g_ptr_array_index (array, i), bytes))
      return TRUE;
  return FALSE;
}

/**
 * cb_avc_config_new_from_nal_units:
 * @nal_units: (element-type GBytes): NAL units without start codes or prefixes, e.g. from
 *   cb_h264_split_annexb() on a keyframe of an encoder with stream-format=byte-stream
 *
 * Collects the SPS and PPS (duplicates dropped) into a record with 4-byte NAL lengths and
 * the profile, compatibility and level of the first SPS.
 *
 * Returns: (transfer full): the record, or %NULL with %CB_RTMP_ERROR_MALFORMED when there
 *   is no SPS or no PPS
 */
CbAvcConfig *
cb_avc_config_new_from_nal_units (GPtrArray  *nal_units,
                                  GError    **error)
{
  g_autoptr(CbAvcConfig) config = cb_avc_config_new ();

  g_return_val_if_fail (nal_units != NULL, NULL);

  for (guint i = 0; i < nal_units->len; i++)
    {
      GBytes *nal = g_ptr_array_index (nal_units, i);
      gsize n;
      const guint8 *p = g_bytes_get_data (nal, &n);
      GPtrArray *into;

      if (n == 0)
        continue;
      if ((p[0] & 0x1f) == H264_NAL_SPS)
        into = config->sps;
      else if ((p[0] & 0x1f) == H264_NAL_PPS)
        into = config->pps;
      else
        continue;
      if (n > G_MAXUINT16 || bytes_in_array (into, nal))
        continue;
      if (into == config->sps && into->len == 0)
        {
          if (n < 4)
            {
              g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "SPS of %" G_GSIZE_FORMAT " bytes is too short", n);
              return NULL;
            }
          config->profile = p[1];
          config->compatibility = p[2];
          config->level = p[3];
        }
      g_ptr_array_add (into, g_bytes_ref (nal));
    }
  if (config->sps->len == 0 || config->pps->len == 0 || config->sps->len > 31 ||
      config->pps->len > 255)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "%u SPS and %u PPS found: one of each is needed",
                   config->sps->len, config->pps->len);
      return NULL;
    }
  return g_steal_pointer (&config);
}

/**
 * cb_avc_config_get_codec_string:
 *
 * Returns: (transfer full): the RFC 6381 codec string, e.g. "avc1.64001f"
 */
char *
cb_avc_config_get_codec_string (const CbAvcConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  return g_strdup_printf ("avc1.%02x%02x%02x",
                          config->profile, config->compatibility, config->level);
}

/* ---- Annex B and length-prefixed NAL units ---- */

/* Finds the next 00 00 01 at or after @from; returns @len when there is none. */
static gsize
find_start_code (const guint8 *data,
                 gsize         len,
                 gsize         from)
{
  for (gsize i = from; i + 2 < len; i++)
    {
      if (data[i + 2] > 1)
        i += 2;   /* none of the next two positions can start a code */
      else if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
        return i;
    }
  return len;
}

/**
 * cb_h264_split_annexb:
 * @data: an H.264 byte stream (start codes 00 00 01 or 00 00 00 01)
 *
 * Returns: (transfer full) (element-type GBytes): the NAL units without start codes
 *   (trailing zero bytes dropped, empty ones skipped), or %NULL with
 *   %CB_RTMP_ERROR_MALFORMED when @data does not begin with a start code
 */
GPtrArray *
cb_h264_split_annexb (const guint8  *data,
                      gsize          len,
                      GError       **error)
{
  g_autoptr(GPtrArray) nals = NULL;
  gsize sc;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  sc = find_start_code (data, len, 0);
  for (gsize i = 0; i < sc; i++)
    {
      if (data[i] != 0)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "H.264 data does not begin with a start code "
                               "(length-prefixed data where Annex B was expected?)");
          return NULL;
        }
    }
  if (sc == len)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "H.264 data holds no start code");
      return NULL;
    }

  nals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while (sc < len)
    {
      gsize start = sc + 3;
      gsize next = find_start_code (data, len, start);
      gsize end = next;

      while (end > start && data[end - 1] == 0)
        end--;
      if (end > start)
        g_ptr_array_add (nals, g_bytes_new (data + start, end - start));
      sc = next;
    }
  return g_steal_pointer (&nals);
}

/**
 * cb_h264_split_length_prefixed:
 * @nal_length_size: 1 to 4 (from the avcC)
 *
 * Returns: (transfer full) (element-type GBytes): the NAL units (empty ones skipped), or
 *   %NULL with %CB_RTMP_ERROR_TRUNCATED when a length runs past the data
 */
GPtrArray *
cb_h264_split_length_prefixed (const guint8  *data,
                               gsize          len,
                               guint          nal_length_size,
                               GError       **error)
{
  g_autoptr(GPtrArray) nals = NULL;
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (nal_length_size >= 1 && nal_length_size <= 4, NULL);

  nals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  while (pos < len)
    {
      guint32 n = 0;

      if (len - pos < nal_length_size)
        {
          truncated (error, "NAL length prefix", len - pos, nal_length_size);
          return NULL;
        }
      for (guint i = 0; i < nal_length_size; i++)
        n = (n << 8) | data[pos + i];
      pos += nal_length_size;
      if (len - pos < n)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED,
                       "NAL unit of %u bytes with %" G_GSIZE_FORMAT " left", n, len - pos);
          return NULL;
        }
      if (n > 0)
        g_ptr_array_add (nals, g_bytes_new (data + pos, n));
      pos += n;
    }
  return g_steal_pointer (&nals);
}

/**
 * cb_h264_annexb_to_length_prefixed:
 *
 * Returns: (transfer full): the NAL units of @data, each behind a big-endian length of
 *   @nal_length_size bytes (1, 2 or 4), or %NULL with @error set
 */
GBytes *
cb_h264_annexb_to_length_prefixed (const guint8  *data,
                                   gsize          len,
                                   guint          nal_length_size,
                                   GError       **error)
{
  g_autoptr(GPtrArray) nals = NULL;
  g_autoptr(GByteArray) out = NULL;

  g_return_val_if_fail (nal_length_size >= 1 && nal_length_size <= 4, NULL);

  nals = cb_h264_split_annexb (data, len, error);
  if (nals == NULL)
    return NULL;
  out = g_byte_array_sized_new (len + 4 * nals->len);
  for (guint i = 0; i < nals->len; i++)
    {
      gsize n;
      const guint8 *p = g_bytes_get_data (g_ptr_array_index (nals, i), &n);

      if (nal_length_size < 4 && n >= ((gsize) 1 << (8 * nal_length_size)))
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                       "NAL unit of %" G_GSIZE_FORMAT " bytes does not fit a %u-byte length",
                       n, nal_length_size);
          return NULL;
        }
      if (n > G_MAXUINT32)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                               "NAL unit over 4 GiB");
          return NULL;
        }
      for (guint b = nal_length_size; b > 0; b--)
        cb_put_u8 (out, (n >> (8 * (b - 1))) & 0xff);
      g_byte_array_append (out, p, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/**
 * cb_h264_length_prefixed_to_annexb:
 *
 * Returns: (transfer full): the NAL units of @data behind 4-byte start codes, or %NULL
 *   with @error set
 */
GBytes *
cb_h264_length_prefixed_to_annexb (const guint8  *data,
                                   gsize          len,
                                   guint          nal_length_size,
                                   GError       **error)
{
  static const guint8 start_code[4] = { 0, 0, 0, 1 };
  g_autoptr(GPtrArray) nals = NULL;
  g_autoptr(GByteArray) out = NULL;

  g_return_val_if_fail (nal_length_size >= 1 && nal_length_size <= 4, NULL);

  nals = cb_h264_split_length_prefixed (data, len, nal_length_size, error);
  if (nals == NULL)
    return NULL;
  out = g_byte_array_sized_new (len + 4 * nals->len);
  for (guint i = 0; i < nals->len; i++)
    {
      gsize n;
      const guint8 *p = g_bytes_get_data (g_ptr_array_index (nals, i), &n);

      g_byte_array_append (out, start_code, sizeof start_code);
      g_byte_array_append (out, p, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- onMetaData ---- */

static void
set_if_positive (CbAmf0Value *array,
                 const char  *key,
                 gdouble      value)
{
  if (value > 0 && isfinite (value))
    cb_amf0_object_set_number (array, key, value);
}

/**
 * cb_flv_metadata_build:
 * @set_data_frame: prefix with "@setDataFrame", as a publisher sends it to a server (the
 *   server strips it before passing "onMetaData" on to players)
 *
 * Returns: (transfer full): the body of the data message (type 18), the fields in the order
 *   OBS and FFmpeg use, absent ones left out
 */
GBytes *
cb_flv_metadata_build (const CbFlvMetadata *metadata,
                       gboolean             set_data_frame)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(CbAmf0Value) array = cb_amf0_value_new_ecma_array ();

  g_return_val_if_fail (metadata != NULL, NULL);

  if (set_data_frame)
    cb_amf0_write_string (out, "@setDataFrame");
  cb_amf0_write_string (out, "onMetaData");

  set_if_positive (array, "duration", metadata->duration);
  set_if_positive (array, "width", metadata->width);
  set_if_positive (array, "height", metadata->height);
  set_if_positive (array, "videodatarate", metadata->videodatarate);
  set_if_positive (array, "framerate", metadata->framerate);
  set_if_positive (array, "videocodecid", metadata->videocodecid);
  set_if_positive (array, "audiodatarate", metadata->audiodatarate);
  set_if_positive (array, "audiosamplerate", metadata->audiosamplerate);
  set_if_positive (array, "audiosamplesize", metadata->audiosamplesize);
  set_if_positive (array, "audiochannels", metadata->audiochannels);
  if (metadata->audiochannels > 0)
    cb_amf0_object_set_boolean (array, "stereo", metadata->audiochannels == 2);
  set_if_positive (array, "audiocodecid", metadata->audiocodecid);
  if (metadata->encoder != NULL)
    cb_amf0_object_set_string (array, "encoder", metadata->encoder);

  cb_amf0_encode (out, array);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gdouble
codec_id_value (const CbAmf0Value *value)
{
  const char *s;
  gsize len;

  if (value == NULL)
    return 0;
  if (cb_amf0_value_get_kind (value) == CB_AMF0_NUMBER)
    {
      gdouble v = cb_amf0_value_get_number (value);

      return isfinite (v) ? v : 0;
    }
  /* Wirecast and some hardware encoders send FourCCs. */
  s = cb_amf0_value_get_string (value, &len);
  if (s == NULL || len != 4)
    return 0;
  if (memcmp (s, "avc1", 4) == 0)
    return CB_FLV_VIDEO_AVC;
  if (memcmp (s, "hvc1", 4) == 0 || memcmp (s, "hev1", 4) == 0)
    return CB_FLV_VIDEO_HEVC_EXT;
  if (memcmp (s, "mp4a", 4) == 0)
    return CB_FLV_AUDIO_AAC;
  if (memcmp (s, ".mp3", 4) == 0)
    return CB_FLV_AUDIO_MP3;
  return 0;
}

static gdouble
number_or_zero (const CbAmf0Value *object,
                const char        *key)
{
  gdouble v = 0;

  if (!cb_amf0_object_get_number (object, key, &v) || !isfinite (v))
    return 0;
  return v;
}

/**
 * cb_flv_metadata_parse:
 * @data: the body of a data message: `"@setDataFrame", "onMetaData", {…}` or
 *   `"onMetaData", {…}`, the properties as an ECMA array or an object
 *
 * Returns: (transfer full): the metadata, or %NULL with @error set
 *   (%CB_RTMP_ERROR_UNSUPPORTED for other data messages such as onCuePoint)
 */
CbFlvMetadata *
cb_flv_metadata_parse (const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  g_autoptr(GPtrArray) values = NULL;
  CbFlvMetadata *meta;
  CbAmf0Value *props;
  const char *name;
  guint i = 0;
  gsize name_len;

  values = cb_amf0_decode_all (data, len, error);
  if (values == NULL)
    return NULL;
  if (values->len > 0)
    {
      name = cb_amf0_value_get_string (g_ptr_array_index (values, 0), &name_len);
      if (name != NULL && name_len == strlen ("@setDataFrame") &&
          strcmp (name, "@setDataFrame") == 0)
        i++;
    }
  if (values->len < i + 2)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "data message with %u values: a name and properties are needed", values->len);
      return NULL;
    }
  name = cb_amf0_value_get_string (g_ptr_array_index (values, i), &name_len);
  if (name == NULL || name_len != strlen ("onMetaData") || strcmp (name, "onMetaData") != 0)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                   "data message \"%.32s\" is not onMetaData",
                   name != NULL && memchr (name, '\0', name_len) == NULL ? name : "?");
      return NULL;
    }
  props = g_ptr_array_index (values, i + 1);
  if (cb_amf0_value_get_kind (props) != CB_AMF0_ECMA_ARRAY &&
      cb_amf0_value_get_kind (props) != CB_AMF0_OBJECT)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "onMetaData properties are not an ECMA array or object");
      return NULL;
    }

  meta = g_new0 (CbFlvMetadata, 1);
  meta->width = number_or_zero (props, "width");
  meta->height = number_or_zero (props, "height");
  meta->framerate = number_or_zero (props, "framerate");
  if (meta->framerate == 0)
    meta->framerate = number_or_zero (props, "fps");
  meta->videodatarate = number_or_zero (props, "videodatarate");
  meta->videocodecid = codec_id_value (cb_amf0_object_get (props, "videocodecid"));
  meta->audiocodecid = codec_id_value (cb_amf0_object_get (props, "audiocodecid"));
  meta->audiosamplerate = number_or_zero (props, "audiosamplerate");
  meta->audiosamplesize = number_or_zero (props, "audiosamplesize");
  meta->audiochannels = number_or_zero (props, "audiochannels");
  if (meta->audiochannels == 0)
    {
      gboolean stereo;

      if (cb_amf0_object_get_boolean (props, "stereo", &stereo))
        meta->audiochannels = stereo ? 2 : 1;
    }
  meta->audiodatarate = number_or_zero (props, "audiodatarate");
  meta->duration = number_or_zero (props, "duration");
  meta->encoder = g_strdup (cb_amf0_object_get_string (props, "encoder"));
  meta->properties = g_ptr_array_steal_index (values, i + 1);
  return meta;
}

void
cb_flv_metadata_free (CbFlvMetadata *metadata)
{
  if (metadata == NULL)
    return;
  g_free (metadata->encoder);
  cb_amf0_value_free (metadata->properties);
  g_free (metadata);
}

/* ---- FLV files ---- */

void
cb_flv_write_file_header (GByteArray *out,
                          gboolean    has_audio,
                          gboolean    has_video)
{
  static const guint8 signature[4] = { 'F', 'L', 'V', 1 };

  g_return_if_fail (out != NULL);

  g_byte_array_append (out, signature, sizeof signature);
  cb_put_u8 (out, (has_audio ? 0x04 : 0) | (has_video ? 0x01 : 0));
  cb_put_be32 (out, 9);
  cb_put_be32 (out, 0);   /* PreviousTagSize0 */
}

/**
 * cb_flv_write_tag:
 * @tag_type: %CB_FLV_TAG_AUDIO, %CB_FLV_TAG_VIDEO or %CB_FLV_TAG_SCRIPT
 * @data: the tag body (the RTMP message payload); at most 16 MiB - 1 bytes
 *
 * Appends a tag and its PreviousTagSize.
 */
void
cb_flv_write_tag (GByteArray   *out,
                  guint8        tag_type,
                  guint32       timestamp,
                  const guint8 *data,
                  gsize         len)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (len <= 0xffffff);

  cb_put_u8 (out, tag_type & 0x1f);
  cb_put_be24 (out, len);
  cb_put_be24 (out, timestamp & 0xffffff);
  cb_put_u8 (out, timestamp >> 24);
  cb_put_be24 (out, 0);
  g_byte_array_append (out, data, len);
  cb_put_be32 (out, CB_FLV_TAG_HEADER_SIZE + len);
}

/**
 * cb_flv_parse_file_header:
 * @consumed: (out): the header size, PreviousTagSize0 included
 */
gboolean
cb_flv_parse_file_header (const guint8  *data,
                          gsize          len,
                          gsize         *consumed,
                          gboolean      *has_audio,
                          gboolean      *has_video,
                          GError       **error)
{
  guint32 offset;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < 9)
    return truncated (error, "FLV header", len, 9);
  if (memcmp (data, "FLV", 3) != 0)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "not an FLV file");
      return FALSE;
    }
  if (data[3] != 1)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                   "FLV version %u", data[3]);
      return FALSE;
    }
  offset = cb_read_be32 (data + 5);
  if (offset < 9)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "FLV header size %u", offset);
      return FALSE;
    }
  if (offset > 65536)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                   "FLV header size %u", offset);
      return FALSE;
    }
  if (len < (gsize) offset + 4)
    return truncated (error, "FLV header", len, (gsize) offset + 4);
  if (has_audio != NULL)
    *has_audio = (data[4] & 0x04) != 0;
  if (has_video != NULL)
    *has_video = (data[4] & 0x01) != 0;
  if (consumed != NULL)
    *consumed = offset + 4;
  return TRUE;
}

/**
 * cb_flv_parse_tag:
 * @consumed: (out): the tag size, its PreviousTagSize included
 * @body: (out): points into @data
 *
 * Parses one tag. The PreviousTagSize is not checked: files in the wild get it wrong and
 * readers (FFmpeg's too) ignore it.
 */
gboolean
cb_flv_parse_tag (const guint8   *data,
                  gsize           len,
                  gsize          *consumed,
                  guint8         *tag_type,
                  guint32        *timestamp,
                  const guint8  **body,
                  gsize          *body_len,
                  GError        **error)
{
  guint32 size;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < CB_FLV_TAG_HEADER_SIZE)
    return truncated (error, "FLV tag", len, CB_FLV_TAG_HEADER_SIZE);
  if (data[0] & 0x20)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                           "encrypted FLV tag");
      return FALSE;
    }
  if (data[0] & 0xc0)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "FLV tag with reserved bits set (0x%02x)", data[0]);
      return FALSE;
    }
  size = cb_read_be24 (data + 1);
  if (len - CB_FLV_TAG_HEADER_SIZE < (gsize) size + 4)
    return truncated (error, "FLV tag", len, CB_FLV_TAG_HEADER_SIZE + (gsize) size + 4);
  if (tag_type != NULL)
    *tag_type = data[0] & 0x1f;
  if (timestamp != NULL)
    *timestamp = cb_read_be24 (data + 4) | ((guint32) data[7] << 24);
  if (body != NULL)
    *body = data + CB_FLV_TAG_HEADER_SIZE;
  if (body_len != NULL)
    *body_len = size;
  if (consumed != NULL)
    *consumed = CB_FLV_TAG_HEADER_SIZE + size + 4;
  return TRUE;
}
