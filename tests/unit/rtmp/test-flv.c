/* test-flv.c — FLV tag headers, avcC, Annex B conversion, onMetaData, FLV files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-flv.h"
#include "rtmp-test-util.h"

#define SPS "6764001facd9405005bb0110000003001000000303c0f1831960"
#define SPS_LEN "001a"
#define PPS "68ebe3cb22c0"
#define PPS_LEN "0006"
#define AVCC "01 64001f ff e1 " SPS_LEN " " SPS " 01 " PPS_LEN " " PPS

/* ---- video tags ---- */

typedef struct {
  const char *name;
  const char *hex;
  int         error;
  guint8      frame_type;
  guint8      codec_id;
  const char *fourcc;
  guint8      packet_type;
  gint32      composition_time;
  gsize       body_size;
  const char *mismatch;     /* the message of check_codec (H.264), NULL when it matches */
} VideoRow;

static const VideoRow video_rows[] = {
  { "avc-sequence-header", "17 00 000000 " AVCC, -1, 1, 7, NULL, 0, 0, 43, NULL },
  { "avc-nalu-cts", "27 01 000021 00000002 0910", -1, 2, 7, NULL, 1, 33, 6, NULL },
  { "avc-nalu-negative-cts", "17 01 ffffdf 00", -1, 1, 7, NULL, 1, -33, 1, NULL },
  { "avc-end-of-sequence", "17 02 000000", -1, 1, 7, NULL, 2, 0, 0, NULL },
  { "avc-disposable", "37 01 000000", -1, 3, 7, NULL, 1, 0, 0, NULL },
  { "avc-command-frame", "57 01 000000 00", -1, 5, 7, NULL, 1, 0, 1, NULL },
  { "vp6", "24 00 11 22", -1, 2, 4, NULL, 0, 0, 3,
    "Video codec mismatch. VP6 granted, but should be H.264" },
  { "sorenson", "12 abcd", -1, 1, 2, NULL, 0, 0, 2,
    "Video codec mismatch. Sorenson H.263 granted, but should be H.264" },
  { "screen-video", "33", -1, 3, 3, NULL, 0, 0, 0,
    "Video codec mismatch. Screen video granted, but should be H.264" },
  { "hevc-cdn-extension", "1c 00 000000 01", -1, 1, 12, NULL, 0, 0, 1,
    "Video codec mismatch. H.265 granted, but should be H.264" },
  { "enhanced-hevc-start", "90 68766331 01", -1, 1, 0, "hvc1", 0, 0, 1,
    "Video codec mismatch. H.265 (Enhanced RTMP) granted, but should be H.264" },
  { "enhanced-hevc-frames", "a1 68766331 000010 aa", -1, 2, 0, "hvc1", 1, 16, 1,
    "Video codec mismatch. H.265 (Enhanced RTMP) granted, but should be H.264" },
  { "enhanced-av1-framesx", "93 61763031 aa", -1, 1, 0, "av01", 3, 0, 1,
    "Video codec mismatch. AV1 (Enhanced RTMP) granted, but should be H.264" },

  { "empty", "", CB_RTMP_ERROR_TRUNCATED, 0, 0, NULL, 0, 0, 0, NULL },
  { "avc-short", "17 01 0000", CB_RTMP_ERROR_TRUNCATED, 0, 0, NULL, 0, 0, 0, NULL },
  { "avc-bad-packet-type", "17 03 000000", CB_RTMP_ERROR_MALFORMED, 0, 0, NULL, 0, 0, 0, NULL },
  { "frame-type-zero", "07 01 000000", CB_RTMP_ERROR_MALFORMED, 0, 0, NULL, 0, 0, 0, NULL },
  { "frame-type-six", "67 01 000000", CB_RTMP_ERROR_MALFORMED, 0, 0, NULL, 0, 0, 0, NULL },
  { "enhanced-short", "90 6876", CB_RTMP_ERROR_TRUNCATED, 0, 0, NULL, 0, 0, 0, NULL },
  { "enhanced-hevc-frames-short", "a1 68766331 00", CB_RTMP_ERROR_TRUNCATED, 0, 0, NULL, 0, 0,
    0, NULL },
  { "enhanced-multitrack", "96 68766331", CB_RTMP_ERROR_UNSUPPORTED, 0, 0, NULL, 0, 0, 0, NULL },
};

static const char *
video_row_name (gconstpointer row)
{
  return ((const VideoRow *) row)->name;
}

static void
test_video_row (gconstpointer data)
{
  const VideoRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  CbFlvVideoTag tag;

  if (!cb_flv_video_tag_parse (in->data, in->len, &tag, &error))
    {
      g_assert_cmpint (row->error, >=, 0);
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      return;
    }
  g_assert_cmpint (row->error, ==, -1);
  g_assert_cmpuint (tag.frame_type, ==, row->frame_type);
  g_assert_cmpuint (tag.codec_id, ==, row->codec_id);
  if (row->fourcc != NULL)
    {
      guint32 be;

      memcpy (&be, row->fourcc, 4);
      g_assert_cmpuint (tag.fourcc, ==, GUINT32_FROM_BE (be));
    }
  else
    g_assert_cmpuint (tag.fourcc, ==, 0);
  g_assert_cmpuint (tag.packet_type, ==, row->packet_type);
  g_assert_cmpint (tag.composition_time, ==, row->composition_time);
  g_assert_cmpuint (tag.size, ==, row->body_size);
  g_assert_true (tag.data + tag.size == in->data + in->len);
  g_assert_cmpint (cb_flv_video_tag_is_keyframe (&tag), ==, row->frame_type == 1);

  if (row->mismatch == NULL)
    {
      g_assert_true (cb_flv_video_tag_check_codec (&tag, CB_FLV_VIDEO_AVC, &error));
    }
  else
    {
      g_assert_false (cb_flv_video_tag_check_codec (&tag, CB_FLV_VIDEO_AVC, &error));
      g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==, row->mismatch);
    }

  for (gsize n = 0; n < in->len; n++)
    {
      g_autoptr(GError) e = NULL;
      CbFlvVideoTag part;

      if (!cb_flv_video_tag_parse (in->data, n, &part, &e))
        g_assert_error (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
    }
}

/* ---- audio tags ---- */

typedef struct {
  const char *name;
  const char *hex;
  int         error;
  guint8      format;
  guint8      rate;
  guint8      size;
  guint8      type;
  guint8      packet_type;
  gsize       body_size;
  const char *mismatch;     /* check_codec (AAC) */
} AudioRow;

static const AudioRow audio_rows[] = {
  { "aac-config", "af 00 1210", -1, 10, 3, 1, 1, 0, 2, NULL },
  { "aac-raw", "af 01 212223", -1, 10, 3, 1, 1, 1, 3, NULL },
  { "aac-mono-header", "ae 01 21", -1, 10, 3, 1, 0, 1, 1, NULL },
  { "mp3", "2f fffb", -1, 2, 3, 1, 1, 0, 2, "Audio codec mismatch. MP3 granted, but should be AAC" },
  { "speex", "b2 00", -1, 11, 0, 1, 0, 0, 1,
    "Audio codec mismatch. Speex granted, but should be AAC" },
  { "nellymoser", "62 00", -1, 6, 0, 1, 0, 0, 1,
    "Audio codec mismatch. Nellymoser granted, but should be AAC" },
  { "g711-alaw", "72 00", -1, 7, 0, 1, 0, 0, 1,
    "Audio codec mismatch. G.711 A-law granted, but should be AAC" },
  { "enhanced-opus", "90 4f707573 01", -1, 9, 0, 0, 0, 0, 1,
    "Audio codec mismatch. Opus granted, but should be AAC" },
  { "empty", "", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0, 0, 0, 0, NULL },
  { "aac-short", "af", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0, 0, 0, 0, NULL },
  { "aac-bad-packet-type", "af 02", CB_RTMP_ERROR_MALFORMED, 0, 0, 0, 0, 0, 0, NULL },
  { "format-12", "c0", CB_RTMP_ERROR_MALFORMED, 0, 0, 0, 0, 0, 0, NULL },
  { "enhanced-short", "90 4f70", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0, 0, 0, 0, NULL },
};

static const char *
audio_row_name (gconstpointer row)
{
  return ((const AudioRow *) row)->name;
}

static void
test_audio_row (gconstpointer data)
{
  const AudioRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  CbFlvAudioTag tag;

  if (!cb_flv_audio_tag_parse (in->data, in->len, &tag, &error))
    {
      g_assert_cmpint (row->error, >=, 0);
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      return;
    }
  g_assert_cmpint (row->error, ==, -1);
  g_assert_cmpuint (tag.sound_format, ==, row->format);
  g_assert_cmpuint (tag.sound_rate, ==, row->rate);
  g_assert_cmpuint (tag.sound_size, ==, row->size);
  g_assert_cmpuint (tag.sound_type, ==, row->type);
  g_assert_cmpuint (tag.packet_type, ==, row->packet_type);
  g_assert_cmpuint (tag.size, ==, row->body_size);
  if (row->mismatch == NULL)
    {
      g_assert_true (cb_flv_audio_tag_check_codec (&tag, CB_FLV_AUDIO_AAC, &error));
    }
  else
    {
      g_assert_false (cb_flv_audio_tag_check_codec (&tag, CB_FLV_AUDIO_AAC, &error));
      g_assert_cmpstr (error->message, ==, row->mismatch);
    }
}

static void
test_tag_writers (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) want = test_hex ("17 00 000000 aabb");
  g_autoptr(GByteArray) want2 = test_hex ("27 01 ffffdf cc");
  g_autoptr(GByteArray) want3 = test_hex ("af 00 1210");
  static const guint8 ab[] = { 0xaa, 0xbb }, cc[] = { 0xcc }, asc[] = { 0x12, 0x10 };
  CbFlvVideoTag tag;

  cb_flv_write_avc_video (out, TRUE, CB_FLV_AVC_SEQUENCE_HEADER, 0, ab, 2);
  g_assert_cmpmem (out->data, out->len, want->data, want->len);
  g_byte_array_set_size (out, 0);
  cb_flv_write_avc_video (out, FALSE, CB_FLV_AVC_NALU, -33, cc, 1);
  g_assert_cmpmem (out->data, out->len, want2->data, want2->len);
  g_assert_true (cb_flv_video_tag_parse (out->data, out->len, &tag, NULL));
  g_assert_cmpint (tag.composition_time, ==, -33);
  g_byte_array_set_size (out, 0);
  cb_flv_write_aac_audio (out, CB_FLV_AAC_SEQUENCE_HEADER, asc, 2);
  g_assert_cmpmem (out->data, out->len, want3->data, want3->len);
}

/* ---- avcC ---- */

typedef struct {
  const char *name;
  const char *hex;
  int         error;
  guint       n_sps;
  guint       n_pps;
  guint       nal_length_size;
} AvccRow;

static const AvccRow avcc_rows[] = {
  { "x264-high", AVCC, -1, 1, 1, 4 },
  { "two-pps", "01 64001f ff e1 " SPS_LEN " " SPS " 02 " PPS_LEN " " PPS " 0002 6801", -1, 1, 2, 4 },
  { "length-size-2", "01 42c01e fd e1 0004 6742c01e 01 0002 68ce", -1, 1, 1, 2 },
  { "length-size-1", "01 42c01e fc e1 0004 6742c01e 01 0002 68ce", -1, 1, 1, 1 },
  { "high-profile-extension", AVCC " fd f8 f8 00", -1, 1, 1, 4 },
  { "reserved-bits-clear", "01 42c01e 03 01 0004 6742c01e 01 0002 68ce", -1, 1, 1, 4 },

  { "empty", "", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0 },
  { "version-0", "00 42c01e ff e1 0004 6742c01e 01 0002 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "annexb-instead", "00000001 6742c01e 00000001 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "length-size-3", "01 42c01e fe e1 0004 6742c01e 01 0002 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "sps-overrun", "01 42c01e ff e1 00ff 6742c01e 01 0002 68ce", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0 },
  { "pps-overrun", "01 42c01e ff e1 0004 6742c01e 01 0009 68ce", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0 },
  { "no-pps-count", "01 42c01e ff e1 0004 6742c01e", CB_RTMP_ERROR_TRUNCATED, 0, 0, 0 },
  { "no-sps", "01 42c01e ff e0 01 0002 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "no-pps", "01 42c01e ff e1 0004 6742c01e 00", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "sps-wrong-type", "01 42c01e ff e1 0004 6842c01e 01 0002 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "pps-wrong-type", "01 42c01e ff e1 0004 6742c01e 01 0002 65ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
  { "sps-empty", "01 42c01e ff e1 0000 01 0002 68ce", CB_RTMP_ERROR_MALFORMED, 0, 0, 0 },
};

static const char *
avcc_row_name (gconstpointer row)
{
  return ((const AvccRow *) row)->name;
}

static void
test_avcc_row (gconstpointer data)
{
  const AvccRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAvcConfig) config = cb_avc_config_parse (in->data, in->len, &error);

  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (config);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (config->sps->len, ==, row->n_sps);
  g_assert_cmpuint (config->pps->len, ==, row->n_pps);
  g_assert_cmpuint (config->nal_length_size, ==, row->nal_length_size);

  /* Serialize → parse gives the same record (the extension bytes aside). */
  {
    g_autoptr(GBytes) bytes = cb_avc_config_serialize (config, &error);
    g_autoptr(CbAvcConfig) again = NULL;

    g_assert_no_error (error);
    again = cb_avc_config_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 &error);
    g_assert_no_error (error);
    g_assert_cmpuint (again->profile, ==, config->profile);
    g_assert_cmpuint (again->level, ==, config->level);
    g_assert_cmpuint (again->nal_length_size, ==, config->nal_length_size);
    g_assert_cmpuint (again->sps->len, ==, config->sps->len);
    g_assert_true (g_bytes_equal (g_ptr_array_index (again->sps, 0),
                                  g_ptr_array_index (config->sps, 0)));
  }

  /* Every prefix: truncated or malformed (no PPS yet), never a crash. */
  for (gsize n = 0; n < in->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(CbAvcConfig) part = cb_avc_config_parse (in->data, n, &e);

      if (part == NULL)
        g_assert_true (g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED) ||
                       g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED));
    }
}

static void
test_avcc_from_annexb (void)
{
  g_autoptr(GByteArray) frame = test_hex ("00000001 " SPS " 000001 " PPS " 0000 00000001 "
                                          "06 0501 80 00000001 65 888421");
  g_autoptr(GByteArray) want = test_hex (AVCC);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nals = cb_h264_split_annexb (frame->data, frame->len, &error);
  g_autoptr(CbAvcConfig) config = NULL;
  g_autoptr(GBytes) avcc = NULL;
  g_autofree char *codec = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (nals->len, ==, 4);
  /* Trailing zero bytes before a start code belong to the byte stream, not the NAL. */
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (nals, 1)), ==, 6);
  g_ptr_array_add (nals, g_bytes_ref (g_ptr_array_index (nals, 0)));  /* duplicate SPS */
  config = cb_avc_config_new_from_nal_units (nals, &error);
  g_assert_no_error (error);
  avcc = cb_avc_config_serialize (config, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (avcc, NULL), g_bytes_get_size (avcc), want->data, want->len);
  codec = cb_avc_config_get_codec_string (config);
  g_assert_cmpstr (codec, ==, "avc1.64001f");

  g_ptr_array_set_size (nals, 0);
  g_assert_null (cb_avc_config_new_from_nal_units (nals, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED);
}

/* ---- Annex B ↔ length-prefixed ---- */

typedef struct {
  const char *name;
  const char *annexb;
  guint       nal_length_size;
  int         error;
  const char *prefixed;      /* expected length-prefixed output */
  const char *normalized;    /* expected Annex B when converted back (4-byte start codes) */
} NalRow;

static const NalRow nal_rows[] = {
  { "three-and-four-byte-codes", "00000001 6742 000001 68ce 00000001 658884", 4, -1,
    "00000002 6742 00000002 68ce 00000003 658884",
    "00000001 6742 00000001 68ce 00000001 658884" },
  { "leading-zeros", "0000 00000001 09f0", 4, -1, "00000002 09f0", "00000001 09f0" },
  { "trailing-zeros", "00000001 09f0 0000", 4, -1, "00000002 09f0", "00000001 09f0" },
  { "empty-nal-skipped", "00000001 00000001 09f0", 4, -1, "00000002 09f0", "00000001 09f0" },
  { "two-byte-lengths", "000001 6742 000001 68ce", 2, -1, "0002 6742 0002 68ce",
    "00000001 6742 00000001 68ce" },
  { "one-byte-lengths", "000001 6742", 1, -1, "02 6742", "00000001 6742" },
  { "no-start-code", "6742c01e", 4, CB_RTMP_ERROR_MALFORMED, NULL, NULL },
  { "length-prefixed-instead", "00000004 6742c01e", 4, CB_RTMP_ERROR_MALFORMED, NULL, NULL },
  { "empty", "", 4, CB_RTMP_ERROR_MALFORMED, NULL, NULL },
};

static const char *
nal_row_name (gconstpointer row)
{
  return ((const NalRow *) row)->name;
}

static void
test_nal_row (gconstpointer data)
{
  const NalRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->annexb);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) prefixed = cb_h264_annexb_to_length_prefixed (in->data, in->len,
                                                                  row->nal_length_size, &error);
  g_autoptr(GByteArray) want = NULL;
  g_autoptr(GByteArray) want_back = NULL;
  g_autoptr(GBytes) back = NULL;

  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (prefixed);
      return;
    }
  g_assert_no_error (error);
  want = test_hex (row->prefixed);
  g_assert_cmpmem (g_bytes_get_data (prefixed, NULL), g_bytes_get_size (prefixed),
                   want->data, want->len);
  back = cb_h264_length_prefixed_to_annexb (g_bytes_get_data (prefixed, NULL),
                                            g_bytes_get_size (prefixed), row->nal_length_size,
                                            &error);
  g_assert_no_error (error);
  want_back = test_hex (row->normalized);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back),
                   want_back->data, want_back->len);

  /* Prefixes of the length-prefixed form: truncated or fewer NAL units. */
  for (gsize n = 0; n < want->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(GPtrArray) nals = cb_h264_split_length_prefixed (want->data, n,
                                                                 row->nal_length_size, &e);

      if (nals == NULL)
        g_assert_error (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
    }
}

static void
test_nal_too_large_for_length (void)
{
  g_autoptr(GByteArray) in = test_hex ("000001");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  g_byte_array_set_size (in, 3 + 300);
  memset (in->data + 3, 0x41, 300);
  out = cb_h264_annexb_to_length_prefixed (in->data, in->len, 1, &error);
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_null (out);
}

static void
test_length_prefixed_absurd (void)
{
  g_autoptr(GByteArray) in = test_hex ("ffffffff 65");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = cb_h264_length_prefixed_to_annexb (in->data, in->len, 4, &error);

  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
  g_assert_null (out);
}

/* ---- onMetaData ---- */

static void
test_metadata_round_trip (void)
{
  CbFlvMetadata meta = {
    .width = 1280, .height = 720, .framerate = 30, .videocodecid = 7, .videodatarate = 2500,
    .audiocodecid = 10, .audiosamplerate = 48000, .audiosamplesize = 16, .audiochannels = 2,
    .audiodatarate = 160, .encoder = (char *) "Castbridge 0.1",
  };

  for (int with_frame = 0; with_frame < 2; with_frame++)
    {
      g_autoptr(GBytes) bytes = cb_flv_metadata_build (&meta, with_frame);
      g_autoptr(GError) error = NULL;
      g_autoptr(CbFlvMetadata) back = NULL;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      gboolean stereo = FALSE;

      /* "@setDataFrame" is 2 + 2 + 13 bytes; "onMetaData" 2 + 1 + 10. */
      g_assert_cmpuint (data[0], ==, 0x02);
      g_assert_cmpuint (data[with_frame ? 16 : 0], ==, 0x02);
      back = cb_flv_metadata_parse (data, len, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (back->width, ==, 1280);
      g_assert_cmpfloat (back->height, ==, 720);
      g_assert_cmpfloat (back->framerate, ==, 30);
      g_assert_cmpfloat (back->videocodecid, ==, 7);
      g_assert_cmpfloat (back->videodatarate, ==, 2500);
      g_assert_cmpfloat (back->audiocodecid, ==, 10);
      g_assert_cmpfloat (back->audiosamplerate, ==, 48000);
      g_assert_cmpfloat (back->audiosamplesize, ==, 16);
      g_assert_cmpfloat (back->audiochannels, ==, 2);
      g_assert_cmpfloat (back->audiodatarate, ==, 160);
      g_assert_cmpfloat (back->duration, ==, 0);
      g_assert_cmpstr (back->encoder, ==, "Castbridge 0.1");
      g_assert_cmpint (cb_amf0_value_get_kind (back->properties), ==, CB_AMF0_ECMA_ARRAY);
      g_assert_true (cb_amf0_object_get_boolean (back->properties, "stereo", &stereo));
      g_assert_true (stereo);
      /* Absent fields are left out, not written as 0. */
      g_assert_null (cb_amf0_object_get (back->properties, "duration"));

      for (gsize n = 0; n < len; n++)
        {
          g_autoptr(GError) e = NULL;
          g_autoptr(CbFlvMetadata) part = cb_flv_metadata_parse (data, n, &e);

          g_assert_null (part);
          g_assert_true (g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED) ||
                         g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED) ||
                         g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED));
        }
    }
}

typedef struct {
  const char *name;
  const char *hex;
  int         error;
  gdouble     videocodecid;
  gdouble     audiochannels;
} MetaRow;

#define S_ONMETADATA "02 000a 6f6e4d65746144617461"
#define S_SETDATAFRAME "02 000d 40736574446174614672616d65"
#define K_VCODEC "000c 766964656f636f6465636964"
#define K_STEREO "0006 73746572656f"

static const MetaRow meta_rows[] = {
  { "object-form-fourcc", S_ONMETADATA " 03 " K_VCODEC " 02 0004 61766331 "
    K_STEREO " 01 00 0000 09", -1, 7, 1 },
  { "ecma-with-frame", S_SETDATAFRAME " " S_ONMETADATA " 08 00000001 " K_VCODEC
    " 00 4014000000000000 0000 09", -1, 5, 0 },
  { "unknown-fourcc", S_ONMETADATA " 03 " K_VCODEC " 02 0004 78787878 0000 09", -1, 0, 0 },
  { "not-onmetadata", "02 000a 6f6e43756550 6f696e74 03 0000 09", CB_RTMP_ERROR_UNSUPPORTED,
    0, 0 },
  { "properties-not-object", S_ONMETADATA " 05", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "name-only", S_ONMETADATA, CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "frame-only", S_SETDATAFRAME, CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "empty", "", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "truncated", S_ONMETADATA " 08 00000001 " K_VCODEC, CB_RTMP_ERROR_TRUNCATED, 0, 0 },
};

static const char *
meta_row_name (gconstpointer row)
{
  return ((const MetaRow *) row)->name;
}

static void
test_meta_row (gconstpointer data)
{
  const MetaRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbFlvMetadata) meta = cb_flv_metadata_parse (in->data, in->len, &error);

  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (meta);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpfloat (meta->videocodecid, ==, row->videocodecid);
  g_assert_cmpfloat (meta->audiochannels, ==, row->audiochannels);
}

/* ---- FLV files ---- */

static void
test_flv_file (void)
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GByteArray) want_header = test_hex ("464c5601 05 00000009 00000000");
  static const guint8 video[] = { 0x17, 0x01, 0, 0, 0, 0xaa };
  static const guint8 audio[] = { 0xaf, 0x01, 0x21 };
  gsize pos, consumed = 0;
  gboolean has_audio = FALSE, has_video = FALSE;
  guint8 type = 0;
  guint32 ts = 0;
  const guint8 *body = NULL;
  gsize body_len = 0;
  g_autoptr(GError) error = NULL;

  cb_flv_write_file_header (file, TRUE, TRUE);
  g_assert_cmpmem (file->data, file->len, want_header->data, want_header->len);
  cb_flv_write_tag (file, CB_FLV_TAG_VIDEO, 0x12345678, video, sizeof video);
  cb_flv_write_tag (file, CB_FLV_TAG_AUDIO, 40, audio, sizeof audio);

  g_assert_true (cb_flv_parse_file_header (file->data, file->len, &consumed, &has_audio,
                                           &has_video, &error));
  g_assert_true (has_audio && has_video);
  pos = consumed;
  g_assert_cmpuint (pos, ==, CB_FLV_FILE_HEADER_SIZE);
  g_assert_true (cb_flv_parse_tag (file->data + pos, file->len - pos, &consumed, &type, &ts,
                                   &body, &body_len, &error));
  g_assert_cmpuint (type, ==, CB_FLV_TAG_VIDEO);
  g_assert_cmpuint (ts, ==, 0x12345678);
  g_assert_cmpmem (body, body_len, video, sizeof video);
  /* PreviousTagSize = 11 + body. */
  g_assert_cmpuint (file->data[pos + consumed - 1], ==, 11 + sizeof video);
  pos += consumed;
  g_assert_true (cb_flv_parse_tag (file->data + pos, file->len - pos, &consumed, &type, &ts,
                                   &body, &body_len, &error));
  g_assert_cmpuint (type, ==, CB_FLV_TAG_AUDIO);
  g_assert_cmpuint (ts, ==, 40);
  pos += consumed;
  g_assert_cmpuint (pos, ==, file->len);

  for (gsize n = 0; n < file->len - CB_FLV_FILE_HEADER_SIZE; n++)
    {
      g_autoptr(GError) e = NULL;

      if (!cb_flv_parse_tag (file->data + CB_FLV_FILE_HEADER_SIZE, n, NULL, NULL, NULL, NULL,
                             NULL, &e))
        g_assert_error (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
    }
}

typedef struct {
  const char *name;
  const char *hex;
  int         error;
} FileRow;

static const FileRow file_rows[] = {
  { "header-ok", "464c5601 01 00000009 00000000", -1 },
  { "header-longer", "464c5601 01 0000000b 0000 00000000", -1 },
  { "header-short", "464c5601 01 0000", CB_RTMP_ERROR_TRUNCATED },
  { "header-not-flv", "464c4101 01 00000009 00000000", CB_RTMP_ERROR_MALFORMED },
  { "header-version-2", "464c5602 01 00000009 00000000", CB_RTMP_ERROR_UNSUPPORTED },
  { "header-offset-small", "464c5601 01 00000008 00000000", CB_RTMP_ERROR_MALFORMED },
  { "header-offset-absurd", "464c5601 01 ffffffff 00000000", CB_RTMP_ERROR_TOO_LARGE },
  { "header-no-prev-size", "464c5601 01 00000009", CB_RTMP_ERROR_TRUNCATED },
};

static const char *
file_row_name (gconstpointer row)
{
  return ((const FileRow *) row)->name;
}

static void
test_file_row (gconstpointer data)
{
  const FileRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  gsize consumed = 0;
  gboolean ok = cb_flv_parse_file_header (in->data, in->len, &consumed, NULL, NULL, &error);

  if (row->error >= 0)
    {
      g_assert_false (ok);
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, in->len);
}

static void
test_flv_tag_errors (void)
{
  g_autoptr(GByteArray) encrypted = test_hex ("29 000001 000000 00 000000 aa 0000000c");
  g_autoptr(GByteArray) reserved = test_hex ("49 000001 000000 00 000000 aa 0000000c");
  g_autoptr(GByteArray) absurd = test_hex ("09 ffffff 000000 00 000000 aa");
  g_autoptr(GError) error = NULL;

  g_assert_false (cb_flv_parse_tag (encrypted->data, encrypted->len, NULL, NULL, NULL, NULL,
                                    NULL, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (cb_flv_parse_tag (reserved->data, reserved->len, NULL, NULL, NULL, NULL,
                                    NULL, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (cb_flv_parse_tag (absurd->data, absurd->len, NULL, NULL, NULL, NULL,
                                    NULL, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
}

static void
test_codec_names (void)
{
  g_assert_cmpstr (cb_flv_video_codec_name (7), ==, "H.264");
  g_assert_cmpstr (cb_flv_video_codec_name (4), ==, "VP6");
  g_assert_cmpstr (cb_flv_video_codec_name (0), ==, "unknown");
  g_assert_cmpstr (cb_flv_audio_codec_name (10), ==, "AAC");
  g_assert_cmpstr (cb_flv_audio_codec_name (14), ==, "MP3");
  g_assert_cmpstr (cb_flv_audio_codec_name (13), ==, "unknown");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_add_rows ("flv/video", video_rows, sizeof video_rows[0], G_N_ELEMENTS (video_rows),
                 video_row_name, test_video_row);
  test_add_rows ("flv/audio", audio_rows, sizeof audio_rows[0], G_N_ELEMENTS (audio_rows),
                 audio_row_name, test_audio_row);
  test_add_rows ("flv/avcc", avcc_rows, sizeof avcc_rows[0], G_N_ELEMENTS (avcc_rows),
                 avcc_row_name, test_avcc_row);
  test_add_rows ("flv/nal", nal_rows, sizeof nal_rows[0], G_N_ELEMENTS (nal_rows),
                 nal_row_name, test_nal_row);
  test_add_rows ("flv/metadata", meta_rows, sizeof meta_rows[0], G_N_ELEMENTS (meta_rows),
                 meta_row_name, test_meta_row);
  test_add_rows ("flv/file-header", file_rows, sizeof file_rows[0], G_N_ELEMENTS (file_rows),
                 file_row_name, test_file_row);
  g_test_add_func ("/cb/rtmp/flv/tag-writers", test_tag_writers);
  g_test_add_func ("/cb/rtmp/flv/avcc-from-annexb", test_avcc_from_annexb);
  g_test_add_func ("/cb/rtmp/flv/nal-too-large-for-length", test_nal_too_large_for_length);
  g_test_add_func ("/cb/rtmp/flv/length-prefixed-absurd", test_length_prefixed_absurd);
  g_test_add_func ("/cb/rtmp/flv/metadata-round-trip", test_metadata_round_trip);
  g_test_add_func ("/cb/rtmp/flv/file", test_flv_file);
  g_test_add_func ("/cb/rtmp/flv/tag-errors", test_flv_tag_errors);
  g_test_add_func ("/cb/rtmp/flv/codec-names", test_codec_names);

  return g_test_run ();
}
