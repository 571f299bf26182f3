/* test-mp4.c — the ISO-BMFF box reader of the recorder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>

#include "cb-engine-error.h"
#include "cb-mp4.h"
#include "record-test-util.h"

/* ---- building boxes -------------------------------------------------------------------- */

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

static void
put_u64 (GByteArray *a,
         guint64     v)
{
  put_u32 (a, v >> 32);
  put_u32 (a, (guint32) v);
}

static void
put_fourcc (GByteArray *a,
            const char *type)
{
  g_assert_cmpuint (strlen (type), ==, 4);
  g_byte_array_append (a, (const guint8 *) type, 4);
}

static void
put_zeros (GByteArray *a,
           guint       n)
{
  for (guint i = 0; i < n; i++)
    g_byte_array_append (a, (const guint8 *) "", 1);
}

static void
set_u32 (GByteArray *a,
         guint       at,
         guint32     v)
{
  a->data[at] = v >> 24;
  a->data[at + 1] = v >> 16;
  a->data[at + 2] = v >> 8;
  a->data[at + 3] = v;
}

static guint
open_box (GByteArray *a,
          const char *type)
{
  guint start = a->len;

  put_u32 (a, 0);
  put_fourcc (a, type);
  return start;
}

static void
close_box (GByteArray *a,
           guint       start)
{
  set_u32 (a, start, a->len - start);
}

/* A box with a 64-bit size (size field 1). */
static guint
open_box64 (GByteArray *a,
            const char *type)
{
  guint start = a->len;

  put_u32 (a, 1);
  put_fourcc (a, type);
  put_u64 (a, 0);
  return start;
}

static void
close_box64 (GByteArray *a,
             guint       start)
{
  set_u32 (a, start + 8, 0);
  set_u32 (a, start + 12, a->len - start);
}

static void
add_ftyp (GByteArray *a)
{
  guint box = open_box (a, "ftyp");

  put_fourcc (a, "isom");
  put_u32 (a, 0);
  put_fourcc (a, "isom");
  close_box (a, box);
}

static void
add_mvhd_v0 (GByteArray *a,
             guint32     timescale,
             guint32     duration)
{
  guint box = open_box (a, "mvhd");

  put_u32 (a, 0);   /* version 0, flags */
  put_u32 (a, 0);
  put_u32 (a, 0);
  put_u32 (a, timescale);
  put_u32 (a, duration);
  put_zeros (a, 80);
  close_box (a, box);
}

static void
add_mvhd_v1 (GByteArray *a,
             guint32     timescale,
             guint64     duration)
{
  guint box = open_box (a, "mvhd");

  put_u32 (a, 0x01000000);
  put_u64 (a, 0);
  put_u64 (a, 0);
  put_u32 (a, timescale);
  put_u64 (a, duration);
  put_zeros (a, 80);
  close_box (a, box);
}

/* trak/mdia/{hdlr, minf/stbl/stsd/<entry>}; @entry NULL: an stsd with no entries. */
static void
add_trak (GByteArray *a,
          const char *handler,
          const char *entry)
{
  guint trak = open_box (a, "trak");
  guint tkhd = open_box (a, "tkhd");
  guint mdia, hdlr, minf, stbl, stsd;

  put_zeros (a, 84);
  close_box (a, tkhd);
  mdia = open_box (a, "mdia");
  hdlr = open_box (a, "hdlr");
  put_u32 (a, 0);
  put_u32 (a, 0);
  put_fourcc (a, handler);
  put_zeros (a, 13);
  close_box (a, hdlr);
  minf = open_box (a, "minf");
  stbl = open_box (a, "stbl");
  stsd = open_box (a, "stsd");
  put_u32 (a, 0);
  put_u32 (a, entry != NULL ? 1 : 0);
  if (entry != NULL)
    {
      guint e = open_box (a, entry);

      put_zeros (a, 28);
      close_box (a, e);
    }
  close_box (a, stsd);
  close_box (a, stbl);
  close_box (a, minf);
  close_box (a, mdia);
  close_box (a, trak);
}

static void
add_mdat (GByteArray *a,
          guint       n)
{
  guint box = open_box (a, "mdat");

  put_zeros (a, n);
  close_box (a, box);
}

static void
add_moov_av (GByteArray *a)
{
  guint moov = open_box (a, "moov");

  add_mvhd_v0 (a, 1000, 5000);
  add_trak (a, "vide", "avc1");
  add_trak (a, "soun", "mp4a");
  close_box (a, moov);
}

static void
add_moov_fragmented (GByteArray *a)
{
  guint moov = open_box (a, "moov");
  guint mvex;

  add_mvhd_v0 (a, 1000, 0);
  add_trak (a, "vide", "avc3");
  mvex = open_box (a, "mvex");
  put_zeros (a, 32);
  close_box (a, mvex);
  close_box (a, moov);
}

static void
add_moof (GByteArray *a)
{
  guint moof = open_box (a, "moof");

  put_zeros (a, 40);
  close_box (a, moof);
}

static void
add_bytes (GByteArray *a,
           const char *bytes,
           gsize       n)
{
  g_byte_array_append (a, (const guint8 *) bytes, n);
}

/* ---- the table ------------------------------------------------------------------------- */

static gsize
build_empty (GByteArray *a)
{
  return a->len;
}

static gsize
build_garbage (GByteArray *a)
{
  add_bytes (a, "hello, this is not an MP4 file at all", 37);
  return a->len;
}

static gsize
build_short (GByteArray *a)
{
  add_bytes (a, "\0\0\0\x14" "ft", 6);
  return a->len;
}

static gsize
build_webm (GByteArray *a)
{
  add_bytes (a, "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01", 13);
  return a->len;
}

static gsize
build_first_size_too_small (GByteArray *a)
{
  add_bytes (a, "\0\0\0\x04" "ftypisom\0\0\0\0", 16);
  return a->len;
}

static gsize
build_first_unknown_type (GByteArray *a)
{
  guint box = open_box (a, "RIFF");

  put_zeros (a, 8);
  close_box (a, box);
  return a->len;
}

static gsize
build_ftyp_only (GByteArray *a)
{
  add_ftyp (a);
  return a->len;
}

static gsize
build_plain (GByteArray *a)
{
  add_ftyp (a);
  add_moov_av (a);
  add_mdat (a, 100);
  return a->len;
}

static gsize
build_moov_last_v1 (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  add_mdat (a, 100);
  moov = open_box (a, "moov");
  add_mvhd_v1 (a, 90000, G_GUINT64_CONSTANT (90000) * 7);
  add_trak (a, "vide", "vp08");
  add_trak (a, "soun", "Opus");
  close_box (a, moov);
  return a->len;
}

static gsize
build_64bit_sizes (GByteArray *a)
{
  guint moov, mdat;

  add_ftyp (a);
  moov = open_box64 (a, "moov");
  add_mvhd_v0 (a, 1000, 5000);
  add_trak (a, "vide", "avc1");
  add_trak (a, "soun", "mp4a");
  close_box64 (a, moov);
  mdat = open_box64 (a, "mdat");
  put_zeros (a, 100);
  close_box64 (a, mdat);
  return a->len;
}

static gsize
build_size_zero (GByteArray *a)
{
  add_ftyp (a);
  add_moov_av (a);
  add_bytes (a, "\0\0\0\0mdat", 8);
  put_zeros (a, 50);
  return a->len;
}

static gsize
build_claims_4gib (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_av (a);
  complete = a->len;
  add_bytes (a, "\xff\xff\xff\xff" "mdat", 8);
  put_zeros (a, 100);
  return complete;
}

static gsize
build_claims_2_64 (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_av (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x01" "mdat\xff\xff\xff\xff\xff\xff\xff\xff", 16);
  put_zeros (a, 100);
  return complete;
}

static gsize
build_64bit_size_too_small (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_av (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x01" "mdat\0\0\0\0\0\0\0\x08", 16);
  put_zeros (a, 100);
  return complete;
}

static gsize
build_cut_header (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x40" "mo", 6);
  return complete;
}

static gsize
build_cut_64bit_header (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x01" "mdat\0\0\0\0", 12);
  return complete;
}

static gsize
build_fragmented_cut (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_fragmented (a);
  add_moof (a);
  add_mdat (a, 64);
  complete = a->len;
  add_moof (a);
  add_bytes (a, "\0\0\0\x64" "mdat", 8);   /* 100 bytes claimed, 30 written */
  put_zeros (a, 22);
  return complete;
}

static gsize
build_fragmented_moof_last (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_fragmented (a);
  add_moof (a);
  add_mdat (a, 64);
  complete = a->len;
  add_moof (a);
  return complete;
}

static gsize
build_fragmented_free_after_moof (GByteArray *a)
{
  gsize complete = build_fragmented_moof_last (a);
  guint box = open_box (a, "free");

  close_box (a, box);
  return complete;
}

static gsize
build_moof_without_mvex (GByteArray *a)
{
  add_ftyp (a);
  add_moov_av (a);
  add_moof (a);
  add_mdat (a, 64);
  add_moof (a);
  add_mdat (a, 64);
  add_mdat (a, 8);   /* two mdats in a row: the second is complete too */
  return a->len;
}

static gsize
build_unknown_codecs (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_trak (a, "vide", "hvc1");
  add_trak (a, "soun", "ac-3");
  add_trak (a, "vide", "avc1");   /* only the first track of a kind counts */
  close_box (a, moov);
  return a->len;
}

static gsize
build_no_sample_entry (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_trak (a, "vide", NULL);
  add_trak (a, "meta", "avc1");
  close_box (a, moov);
  return a->len;
}

static gsize
build_child_overflows (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_mvhd_v0 (a, 1000, 2000);
  add_bytes (a, "\0\0\x10\0" "trak", 8);   /* 4096 bytes claimed inside a small moov */
  put_zeros (a, 16);
  close_box (a, moov);
  return a->len;
}

static gsize
build_short_hdlr (GByteArray *a)
{
  guint moov, trak, mdia, hdlr;

  add_ftyp (a);
  moov = open_box (a, "moov");
  trak = open_box (a, "trak");
  mdia = open_box (a, "mdia");
  hdlr = open_box (a, "hdlr");
  put_u32 (a, 0);
  put_u32 (a, 0);
  close_box (a, hdlr);
  close_box (a, mdia);
  close_box (a, trak);
  close_box (a, moov);
  return a->len;
}

static gsize
build_timescale_zero (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_mvhd_v0 (a, 0, 5000);
  close_box (a, moov);
  return a->len;
}

static gsize
build_duration_unknown (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_mvhd_v0 (a, 1000, G_MAXUINT32);
  close_box (a, moov);
  return a->len;
}

static gsize
build_duration_overflow (GByteArray *a)
{
  guint moov;

  add_ftyp (a);
  moov = open_box (a, "moov");
  add_mvhd_v1 (a, 1, G_GUINT64_CONSTANT (1) << 62);
  close_box (a, moov);
  return a->len;
}

static gsize
build_mvhd_short (GByteArray *a)
{
  guint moov, mvhd;

  add_ftyp (a);
  moov = open_box (a, "moov");
  mvhd = open_box (a, "mvhd");
  put_u32 (a, 0x01000000);   /* version 1, but cut after a version 0 header's worth */
  put_zeros (a, 16);
  close_box (a, mvhd);
  close_box (a, moov);
  return a->len;
}

static gsize
build_junk_after_boxes (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_av (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x10\x01\x02\x03\x04", 8);
  put_zeros (a, 8);
  return complete;
}

static gsize
build_size_too_small_later (GByteArray *a)
{
  gsize complete;

  add_ftyp (a);
  add_moov_av (a);
  complete = a->len;
  add_bytes (a, "\0\0\0\x03" "mdat", 8);
  add_mdat (a, 10);
  return complete;
}

typedef struct {
  const char *name;
  gsize     (*build) (GByteArray *a);   /* returns the expected complete_length */
  gboolean    ok;
  gboolean    fragmented, faststart;
  gint64      duration_ms;
  const char *video_codec;       /* NULL: no video track */
  const char *audio_codec;       /* NULL: no audio track */
} BoxCase;

static const BoxCase box_cases[] = {
  { "empty", build_empty, FALSE },
  { "garbage", build_garbage, FALSE },
  { "shorter-than-a-header", build_short, FALSE },
  { "webm", build_webm, FALSE },
  { "first-size-too-small", build_first_size_too_small, FALSE },
  { "first-box-unknown", build_first_unknown_type, FALSE },
  { "ftyp-only", build_ftyp_only, TRUE, FALSE, FALSE, -1 },
  { "plain", build_plain, TRUE, FALSE, TRUE, 5000, "H264", "mpeg4-generic" },
  { "moov-last-mvhd-v1", build_moov_last_v1, TRUE, FALSE, FALSE, 7000, "VP8", "opus" },
  { "64-bit-sizes", build_64bit_sizes, TRUE, FALSE, TRUE, 5000, "H264", "mpeg4-generic" },
  { "size-zero-to-end", build_size_zero, TRUE, FALSE, TRUE, 5000, "H264", "mpeg4-generic" },
  { "claims-4-gib", build_claims_4gib, TRUE, FALSE, TRUE, 5000, "H264", "mpeg4-generic" },
  { "claims-64-bit-max", build_claims_2_64, TRUE, FALSE, TRUE, 5000, "H264", "mpeg4-generic" },
  { "64-bit-size-too-small", build_64bit_size_too_small, TRUE, FALSE, TRUE, 5000, "H264",
    "mpeg4-generic" },
  { "cut-header", build_cut_header, TRUE, FALSE, FALSE, -1 },
  { "cut-64-bit-header", build_cut_64bit_header, TRUE, FALSE, FALSE, -1 },
  { "fragmented-cut", build_fragmented_cut, TRUE, TRUE, TRUE, -1, "H264" },
  { "fragmented-moof-last", build_fragmented_moof_last, TRUE, TRUE, TRUE, -1, "H264" },
  { "fragmented-free-after-moof", build_fragmented_free_after_moof, TRUE, TRUE, TRUE, -1,
    "H264" },
  { "moof-without-mvex", build_moof_without_mvex, TRUE, TRUE, TRUE, -1, "H264",
    "mpeg4-generic" },
  { "unknown-codecs", build_unknown_codecs, TRUE, FALSE, TRUE, -1, "", "" },
  { "no-sample-entry", build_no_sample_entry, TRUE, FALSE, TRUE, -1, "" },
  { "child-overflows-parent", build_child_overflows, TRUE, FALSE, TRUE, 2000 },
  { "short-hdlr", build_short_hdlr, TRUE, FALSE, TRUE, -1 },
  { "timescale-zero", build_timescale_zero, TRUE, FALSE, TRUE, -1 },
  { "duration-unknown", build_duration_unknown, TRUE, FALSE, TRUE, -1 },
  { "duration-overflow", build_duration_overflow, TRUE, FALSE, TRUE, -1 },
  { "mvhd-short", build_mvhd_short, TRUE, FALSE, TRUE, -1 },
  { "junk-after-boxes", build_junk_after_boxes, TRUE, FALSE, TRUE, 5000, "H264",
    "mpeg4-generic" },
  { "size-too-small-later", build_size_too_small_later, TRUE, FALSE, TRUE, 5000, "H264",
    "mpeg4-generic" },
};

static void
check_case (gconstpointer data)
{
  const BoxCase *c = data;
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *exact = NULL;
  gsize expected_length;
  CbMp4Info info;
  gboolean ok;

  expected_length = c->build (a);
  /* An exact-size copy, so that a read past the end shows under valgrind or ASan. */
  exact = g_memdup2 (a->data, a->len);
  ok = cb_mp4_parse (exact, a->len, &info, &error);
  g_assert_cmpint (ok, ==, c->ok);
  if (!ok)
    {
      g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
      g_assert_cmpint (info.duration_ms, ==, -1);
      g_assert_false (info.has_video || info.has_audio);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (info.complete_length, ==, expected_length);
  g_assert_cmpint (info.fragmented, ==, c->fragmented);
  g_assert_cmpint (info.faststart, ==, c->faststart);
  g_assert_cmpint (info.duration_ms, ==, c->duration_ms);
  g_assert_cmpint (info.has_video, ==, c->video_codec != NULL);
  g_assert_cmpstr (info.video_codec, ==, c->video_codec ? c->video_codec : "");
  g_assert_cmpint (info.has_audio, ==, c->audio_codec != NULL);
  g_assert_cmpstr (info.audio_codec, ==, c->audio_codec ? c->audio_codec : "");
}

/* ---- real files from mp4mux ------------------------------------------------------------ */

static char *media_dir;

/* The complete length of a well-formed file cut at @cut: the end of the last box that fits,
 * a moof counting only with the mdat after it. */
static guint64
expected_complete_length (GArray *boxes,
                          gsize   cut)
{
  guint64 length = 0;

  for (guint i = 0; i < boxes->len; i++)
    {
      const RecordTestBox *b = &g_array_index (boxes, RecordTestBox, i);

      if (b->end <= cut && b->type != RECORD_TEST_FOURCC ("moof"))
        length = b->end;
    }
  return length;
}

static void
check_probe_matches (const char      *path,
                     const CbMp4Info *parsed)
{
  g_autoptr(GError) error = NULL;
  CbMp4Info probed;

  g_assert_true (cb_mp4_probe_file (path, &probed, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&probed, sizeof probed, parsed, sizeof *parsed);
}

static void
test_real_fragmented (void)
{
  g_autofree char *path = g_build_filename (media_dir, "fragmented.mp4", NULL);
  g_autofree char *cut_path = g_build_filename (media_dir, "cut.mp4", NULL);
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize length = 0;
  guint64 moov_end = 0;
  guint n_moof = 0;
  gint64 full_video_end, full_audio_end;
  CbMp4Info info;

  if (!record_test_have ("x264enc avenc_aac mp4mux"))
    return;
  record_test_write_media (path, RECORD_TEST_FRAGMENTED, 3, TRUE, FALSE);
  file = record_test_read (path);
  data = g_bytes_get_data (file, &length);
  boxes = record_test_top_level_boxes (file);

  g_assert_true (cb_mp4_parse (data, length, &info, &error));
  g_assert_no_error (error);
  g_assert_true (info.fragmented);
  g_assert_true (info.faststart);
  g_assert_cmpuint (info.complete_length, ==, length);
  g_assert_cmpint (info.duration_ms, ==, -1);
  g_assert_true (info.has_video && info.has_audio);
  g_assert_cmpstr (info.video_codec, ==, "H264");
  g_assert_cmpstr (info.audio_codec, ==, "mpeg4-generic");
  g_test_message ("video ends at %" G_GINT64_FORMAT " ns, audio at %" G_GINT64_FORMAT,
                  info.video_end_ns, info.audio_end_ns);
  g_assert_cmpfloat_with_epsilon (info.video_end_ns / 1e9, 3.0, 0.05);
  g_assert_cmpfloat_with_epsilon (info.audio_end_ns / 1e9, 3.0, 0.05);
  full_video_end = info.video_end_ns;
  full_audio_end = info.audio_end_ns;
  check_probe_matches (path, &info);

  /* Every box boundary, a byte on either side of it, and the middle of every box. */
  for (guint i = 0; i < boxes->len; i++)
    {
      const RecordTestBox *b = &g_array_index (boxes, RecordTestBox, i);
      gsize at[] = { b->start, b->start + 1, b->start + 4, b->start + 8, (b->start + b->end) / 2,
                     b->end - 1, b->end, b->end + 1 };

      if (b->type == RECORD_TEST_FOURCC ("moov"))
        moov_end = b->end;
      n_moof += b->type == RECORD_TEST_FOURCC ("moof");
      for (guint j = 0; j < G_N_ELEMENTS (at); j++)
        if (at[j] <= length)
          g_array_append_val (cuts, at[j]);
    }
  g_assert_cmpuint (n_moof, >=, 4);   /* 3 s of two tracks in fragments of a second */
  g_assert_cmpuint (moov_end, >, 0);

  for (guint i = 0; i < cuts->len; i++)
    {
      gsize cut = g_array_index (cuts, gsize, i);
      g_autofree guint8 *exact = g_memdup2 (data, cut);
      gboolean ok = cb_mp4_parse (exact, cut, &info, &error);
      CbMp4Info again;

      g_test_message ("cut at %" G_GSIZE_FORMAT, cut);
      if (cut < 8)
        {
          g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
          g_assert_false (ok);
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (info.complete_length, ==, expected_complete_length (boxes, cut));
      g_assert_cmpint (info.has_video, ==, cut >= moov_end);
      g_assert_cmpint (info.has_audio, ==, cut >= moov_end);
      g_assert_cmpint (info.faststart, ==, cut >= moov_end);
      /* The ends of the complete fragments only: known once one is complete. */
      g_assert_cmpint (info.video_end_ns, <=, full_video_end);
      g_assert_cmpint (info.audio_end_ns, <=, full_audio_end);
      g_assert_cmpint (info.video_end_ns >= 0 || info.audio_end_ns >= 0, ==,
                       info.complete_length > moov_end);

      /* What is left after the repair reads back whole. */
      if (info.complete_length >= 8)
        {
          g_assert_true (cb_mp4_parse (data, info.complete_length, &again, &error));
          g_assert_cmpuint (again.complete_length, ==, info.complete_length);
        }
      if (i % 7 == 0)
        {
          record_test_write_cut (cut_path, file, cut);
          check_probe_matches (cut_path, &info);
        }
    }
  g_unlink (cut_path);
  g_unlink (path);
}

/* Tracks of different lengths, as a publisher leaves them: each one's end is read from the
 * fragments. */
static void
test_real_track_ends (void)
{
  static const struct {
    guint video_ms, audio_ms;
  } files[] = {
    { 2000, 3000 },
    { 3000, 2000 },
    { 2000, 0 },
  };

  if (!record_test_have ("x264enc avenc_aac mp4mux"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (media_dir, "ends.mp4", NULL);
      g_autoptr(GError) error = NULL;
      CbMp4Info info;

      record_test_write_media_ms (path, RECORD_TEST_FRAGMENTED, files[i].video_ms,
                                  files[i].audio_ms, FALSE);
      g_assert_true (cb_mp4_probe_file (path, &info, &error));
      g_assert_no_error (error);
      g_test_message ("video %u ms, audio %u ms: ends at %" G_GINT64_FORMAT " and %"
                      G_GINT64_FORMAT " ns", files[i].video_ms, files[i].audio_ms,
                      info.video_end_ns, info.audio_end_ns);
      g_assert_cmpfloat_with_epsilon (info.video_end_ns / 1e6, files[i].video_ms, 50);
      if (files[i].audio_ms > 0)
        g_assert_cmpfloat_with_epsilon (info.audio_end_ns / 1e6, files[i].audio_ms, 50);
      else
        g_assert_cmpint (info.audio_end_ns, ==, -1);
      g_unlink (path);
    }
}

static void
test_real_regular (void)
{
  static const struct {
    const char *mux;
    gboolean    faststart;
  } files[] = {
    { RECORD_TEST_FASTSTART, TRUE },
    { RECORD_TEST_MOOV_LAST, FALSE },
  };

  if (!record_test_have ("x264enc avenc_aac mp4mux"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (media_dir, "regular.mp4", NULL);
      g_autoptr(GError) error = NULL;
      CbMp4Info info;

      record_test_write_media (path, files[i].mux, 2, TRUE, FALSE);
      g_assert_true (cb_mp4_probe_file (path, &info, &error));
      g_assert_no_error (error);
      g_assert_false (info.fragmented);
      g_assert_cmpint (info.faststart, ==, files[i].faststart);
      g_assert_cmpint (info.duration_ms, >=, 1900);
      g_assert_cmpint (info.duration_ms, <=, 2100);
      g_assert_cmpstr (info.video_codec, ==, "H264");
      g_assert_cmpstr (info.audio_codec, ==, "mpeg4-generic");
      g_unlink (path);
    }
}

static void
test_probe_errors (void)
{
  g_autofree char *missing = g_build_filename (media_dir, "missing.mp4", NULL);
  g_autofree char *empty = g_build_filename (media_dir, "empty.mp4", NULL);
  g_autofree char *huge = g_build_filename (media_dir, "huge-moov.mp4", NULL);
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  CbMp4Info info;

  g_assert_false (cb_mp4_probe_file (missing, &info, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (cb_mp4_probe_file (media_dir, &info, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED);
  g_clear_error (&error);

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  g_assert_false (cb_mp4_probe_file (empty, &info, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* A complete moov over 64 MiB (a sparse file): refused, not read into memory. */
  add_ftyp (a);
  put_u32 (a, (guint32) CB_MP4_MAX_MOOV_SIZE + 16);
  put_fourcc (a, "moov");
  g_file_set_contents (huge, (const char *) a->data, a->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (huge, a->len - 8 + CB_MP4_MAX_MOOV_SIZE + 16), ==, 0);
  g_assert_false (cb_mp4_probe_file (huge, &info, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT);
  g_clear_error (&error);

  /* The same moov cut short is just an unfinished file. */
  g_assert_cmpint (truncate (huge, CB_MP4_MAX_MOOV_SIZE), ==, 0);
  g_assert_true (cb_mp4_probe_file (huge, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.complete_length, ==, 20);

  g_unlink (missing);
  g_unlink (empty);
  g_unlink (huge);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  media_dir = g_dir_make_tmp ("cb-test-mp4-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (box_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/mp4/parse/%s", box_cases[i].name);

      g_test_add_data_func (path, &box_cases[i], check_case);
    }
  g_test_add_func ("/cb/mp4/real-fragmented-cut", test_real_fragmented);
  g_test_add_func ("/cb/mp4/real-track-ends", test_real_track_ends);
  g_test_add_func ("/cb/mp4/real-regular", test_real_regular);
  g_test_add_func ("/cb/mp4/probe-errors", test_probe_errors);
  status = g_test_run ();
  record_test_remove_dir (media_dir);
  g_free (media_dir);
  return status;
}
