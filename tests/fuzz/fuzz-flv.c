/* fuzz-flv.c — FLV tag headers, avcC, NAL unit conversions, onMetaData, FLV files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-flv.h"
#include "fuzz-common.h"

static void
check_nal_lists_equal (GPtrArray *a,
                       GPtrArray *b)
{
  FUZZ_CHECK (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    FUZZ_CHECK (g_bytes_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

static void
fuzz_avcc (const uint8_t *data,
           size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAvcConfig) config = cb_avc_config_parse (data, size, &error);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CbAvcConfig) again = NULL;
  g_autofree char *codec = NULL;

  if (config == NULL)
    {
      FUZZ_CHECK_ERROR (error);
      return;
    }
  FUZZ_CHECK (config->sps->len >= 1 && config->pps->len >= 1);
  codec = cb_avc_config_get_codec_string (config);
  bytes = cb_avc_config_serialize (config, &error);
  FUZZ_CHECK (bytes != NULL);
  again = cb_avc_config_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (again->nal_length_size == config->nal_length_size);
  check_nal_lists_equal (again->sps, config->sps);
  check_nal_lists_equal (again->pps, config->pps);
}

static void
fuzz_nal_units (const uint8_t *data,
                size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nals = cb_h264_split_annexb (data, size, &error);

  if (nals != NULL)
    {
      g_autoptr(GBytes) prefixed = cb_h264_annexb_to_length_prefixed (data, size, 4, &error);
      g_autoptr(GPtrArray) back = NULL;
      g_autoptr(CbAvcConfig) config = NULL;

      FUZZ_CHECK (prefixed != NULL);
      back = cb_h264_split_length_prefixed (g_bytes_get_data (prefixed, NULL),
                                            g_bytes_get_size (prefixed), 4, &error);
      FUZZ_CHECK (back != NULL);
      check_nal_lists_equal (nals, back);
      config = cb_avc_config_new_from_nal_units (nals, &error);
      if (config != NULL)
        {
          g_autoptr(GBytes) avcc = cb_avc_config_serialize (config, &error);

          FUZZ_CHECK (avcc != NULL);
        }
      else
        {
          FUZZ_CHECK_ERROR (error);
        }
    }
  else
    {
      FUZZ_CHECK_ERROR (error);
    }

  for (guint n = 1; n <= 4; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(GBytes) annexb = cb_h264_length_prefixed_to_annexb (data, size, n, &e);

      if (annexb == NULL)
        FUZZ_CHECK_ERROR (e);
    }
}

static void
fuzz_file (const uint8_t *data,
           size_t         size)
{
  g_autoptr(GError) error = NULL;
  gsize pos = 0, consumed = 0;

  if (!cb_flv_parse_file_header (data, size, &consumed, NULL, NULL, &error))
    {
      FUZZ_CHECK_ERROR (error);
      consumed = 0;   /* try the tags from the start anyway */
      g_clear_error (&error);
    }
  pos = consumed;
  while (pos < size)
    {
      guint8 type;
      guint32 ts;
      const guint8 *body;
      gsize body_len;

      if (!cb_flv_parse_tag (data + pos, size - pos, &consumed, &type, &ts, &body, &body_len,
                             &error))
        {
          FUZZ_CHECK_ERROR (error);
          break;
        }
      FUZZ_CHECK (consumed > 0 && consumed <= size - pos);
      FUZZ_CHECK (body + body_len <= data + size);
      pos += consumed;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  {
    g_autoptr(GError) error = NULL;
    CbFlvVideoTag tag;

    if (cb_flv_video_tag_parse (data, size, &tag, &error))
      {
        FUZZ_CHECK (tag.data + tag.size == data + size);
        if (!cb_flv_video_tag_check_codec (&tag, CB_FLV_VIDEO_AVC, &error))
          FUZZ_CHECK_ERROR (error);
        if (tag.codec_id == CB_FLV_VIDEO_AVC && tag.packet_type == CB_FLV_AVC_SEQUENCE_HEADER)
          fuzz_avcc (tag.data, tag.size);
      }
    else
      {
        FUZZ_CHECK_ERROR (error);
      }
  }
  {
    g_autoptr(GError) error = NULL;
    CbFlvAudioTag tag;

    if (cb_flv_audio_tag_parse (data, size, &tag, &error))
      {
        FUZZ_CHECK (tag.data + tag.size == data + size);
        if (!cb_flv_audio_tag_check_codec (&tag, CB_FLV_AUDIO_AAC, &error))
          FUZZ_CHECK_ERROR (error);
      }
    else
      {
        FUZZ_CHECK_ERROR (error);
      }
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CbFlvMetadata) meta = cb_flv_metadata_parse (data, size, &error);

    if (meta != NULL)
      {
        g_autoptr(GBytes) rebuilt = cb_flv_metadata_build (meta, TRUE);
        g_autoptr(CbFlvMetadata) again = NULL;

        again = cb_flv_metadata_parse (g_bytes_get_data (rebuilt, NULL),
                                       g_bytes_get_size (rebuilt), &error);
        FUZZ_CHECK (again != NULL);
      }
    else
      {
        FUZZ_CHECK_ERROR (error);
      }
  }
  fuzz_avcc (data, size);
  fuzz_nal_units (data, size);
  fuzz_file (data, size);
  return 0;
}
