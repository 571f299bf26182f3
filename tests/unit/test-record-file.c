/* test-record-file.c — finishing recordings: repair, fast-start remux, verify, rename
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-engine-error.h"
#include "cb-mp4.h"
#include "cb-record-file.h"
#include "record-test-util.h"

#define FINISH_TIMEOUT_S 100

/* Made once: 3 s of H.264 + AAC and 3 s of H.264 alone as the recorder writes them
 * (fragments of a second), 2 s of VP8 + Opus in WebM, 1 s of a regular fast-start MP4. */
static char *media_dir;
static GBytes *av_fragmented, *video_fragmented, *webm, *faststart;

typedef struct {
  GAsyncResult *result;
  gboolean      timed_out;
} Wait;

static void
on_finished (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Wait *wait = data;

  g_assert_null (source);
  wait->result = g_object_ref (result);
}

static gboolean
on_timeout (gpointer data)
{
  Wait *wait = data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static CbRecordFileResult *
finish_with (gboolean       decode,
             const char    *temp_path,
             const char    *final_path,
             GCancellable  *cancellable,
             GError       **error)
{
  Wait wait = { NULL, FALSE };
  guint timeout = g_timeout_add_seconds (FINISH_TIMEOUT_S, on_timeout, &wait);
  CbRecordFileResult *result;

  cb_record_file_finish_async (temp_path, final_path, decode, cancellable, on_finished, &wait);
  while (wait.result == NULL && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (wait.timed_out);
  g_source_remove (timeout);
  result = cb_record_file_finish_finish (wait.result, error);
  g_object_unref (wait.result);
  return result;
}

/* As a file left by a crash is finished: decoded to the end. */
static CbRecordFileResult *
finish (const char    *temp_path,
        const char    *final_path,
        GCancellable  *cancellable,
        GError       **error)
{
  return finish_with (TRUE, temp_path, final_path, cancellable, error);
}

static char *
make_work_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cb-test-record-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in @dir, sorted, separated by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

/* The finished file is a regular fast-start MP4 that holds all of itself. */
static void
check_regular_mp4 (const CbRecordFileResult *r)
{
  g_autoptr(GError) error = NULL;
  CbMp4Info info;

  g_assert_true (cb_mp4_probe_file (r->final_path, &info, &error));
  g_assert_no_error (error);
  g_assert_false (info.fragmented);
  g_assert_true (info.faststart);
  g_assert_cmpuint (info.complete_length, ==, r->size);
  g_assert_cmpint (info.duration_ms, >, 0);
  g_assert_cmpfloat_with_epsilon (info.duration_ms / 1000.0, r->duration, 0.2);
}

/* Offset of the middle of the last mdat of @file. */
static gsize
middle_of_last_mdat (GBytes *file)
{
  g_autoptr(GArray) boxes = record_test_top_level_boxes (file);
  gsize middle = 0;

  for (guint i = 0; i < boxes->len; i++)
    {
      const RecordTestBox *b = &g_array_index (boxes, RecordTestBox, i);

      if (b->type == RECORD_TEST_FOURCC ("mdat"))
        middle = (b->start + b->end) / 2;
    }
  g_assert_cmpuint (middle, >, 0);
  return middle;
}

static gsize
end_of_box (GBytes     *file,
            const char *type)
{
  g_autoptr(GArray) boxes = record_test_top_level_boxes (file);

  for (guint i = 0; i < boxes->len; i++)
    {
      const RecordTestBox *b = &g_array_index (boxes, RecordTestBox, i);

      if (b->type == RECORD_TEST_FOURCC (type))
        return b->end;
    }
  g_assert_not_reached ();
}

/* @data: non-NULL to check by demuxing only, as a cleanly stopped recording is. */
static void
test_complete (gconstpointer data)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "rec.mp4.part", NULL);
  g_autofree char *final = g_build_filename (dir, "rec.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;
  g_autofree char *listing = NULL;

  if (av_fragmented == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  record_test_write_cut (temp, av_fragmented, g_bytes_get_size (av_fragmented));
  r = finish_with (data == NULL, temp, final, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_true (r->remuxed);
  g_assert_cmpstr (r->final_path, ==, final);
  g_assert_cmpfloat_with_epsilon (r->duration, 3.0, 0.15);
  g_assert_cmpuint (r->size, ==, file_size (final));
  g_assert_cmpstr (r->video_codec, ==, "H264");
  g_assert_cmpstr (r->audio_codec, ==, "mpeg4-generic");
  check_regular_mp4 (r);
  /* No temporary file left behind: the recording, the .tmp, mp4mux's faststart file. */
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "rec.mp4");
  record_test_remove_dir (dir);
}

/* Audio and video that end 0.5 s apart, the longer one either way: after a clean stop the
 * finished file ends both where the shorter one ends (within a sample), and still has
 * both; a file left by a crash keeps the longer end. */
static void
test_trim (void)
{
  static const struct {
    guint video_ms, audio_ms;
  } cases[] = {
    { 2000, 2500 },
    { 2500, 2000 },
  };

  if (!record_test_have ("x264enc avenc_aac mp4mux qtdemux avdec_h264 avdec_aac"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = make_work_dir ();
      g_autofree char *temp = g_build_filename (dir, "rec.mp4.part", NULL);
      g_autofree char *final = g_build_filename (dir, "rec.mp4", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CbRecordFileResult) r = NULL;
      CbMp4Info info;

      record_test_write_media_ms (temp, RECORD_TEST_FRAGMENTED, cases[i].video_ms,
                                  cases[i].audio_ms, FALSE);
      g_assert_true (cb_mp4_probe_file (temp, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (ABS (info.video_end_ns - info.audio_end_ns) / 1e9, >, 0.4);

      r = finish_with (FALSE, temp, final, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_true (r->remuxed);
      g_assert_cmpstr (r->video_codec, ==, "H264");
      g_assert_cmpstr (r->audio_codec, ==, "mpeg4-generic");
      /* Decoded to the end: the last sample of either kind ends by 2 s and one audio
       * frame (21.3 ms) and the movie lasts as long. */
      g_test_message ("video %u ms, audio %u ms: finished file lasts %.3f s",
                      cases[i].video_ms, cases[i].audio_ms, r->duration);
      g_assert_cmpfloat_with_epsilon (r->duration, 2.0, 0.05);
      check_regular_mp4 (r);
      g_assert_true (cb_mp4_probe_file (r->final_path, &info, &error));
      g_assert_true (info.has_video && info.has_audio);
      g_assert_cmpfloat_with_epsilon (info.duration_ms / 1000.0, 2.0, 0.05);
      g_clear_pointer (&r, cb_record_file_result_free);

      /* Recovered after a crash: nothing cut. */
      g_assert_cmpint (g_unlink (final), ==, 0);
      record_test_write_media_ms (temp, RECORD_TEST_FRAGMENTED, cases[i].video_ms,
                                  cases[i].audio_ms, FALSE);
      r = finish (temp, final, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("recovered: %.3f s", r->duration);
      g_assert_cmpfloat_with_epsilon (r->duration, 2.5, 0.05);
      record_test_remove_dir (dir);
    }
}

/* Cut by kill -9 in the middle of the last fragment: the fragments before it are kept. */
static void
test_cut_video (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "cam.mp4.part", NULL);
  g_autofree char *final = g_build_filename (dir, "cam.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;
  g_autofree char *listing = NULL;

  if (video_fragmented == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  record_test_write_cut (temp, video_fragmented, middle_of_last_mdat (video_fragmented));
  r = finish (temp, final, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (r->remuxed);
  g_assert_cmpfloat_with_epsilon (r->duration, 2.0, 0.1);
  g_assert_cmpstr (r->video_codec, ==, "H264");
  g_assert_null (r->audio_codec);
  check_regular_mp4 (r);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "cam.mp4");
  record_test_remove_dir (dir);
}

/* Cut at many places in the middle and at the end of a file with audio and video. */
static void
test_cut_av (void)
{
  g_autoptr(GArray) boxes = NULL;
  guint n_mdat = 0, seen = 0;

  if (av_fragmented == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  boxes = record_test_top_level_boxes (av_fragmented);
  for (guint i = 0; i < boxes->len; i++)
    n_mdat += g_array_index (boxes, RecordTestBox, i).type == RECORD_TEST_FOURCC ("mdat");
  g_assert_cmpuint (n_mdat, >=, 4);

  for (guint i = 0; i < boxes->len; i++)
    {
      const RecordTestBox *b = &g_array_index (boxes, RecordTestBox, i);
      g_autofree char *dir = NULL;
      g_autofree char *temp = NULL;
      g_autofree char *final = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CbRecordFileResult) r = NULL;
      double at_least;

      if (b->type != RECORD_TEST_FOURCC ("mdat") || ++seen < 3 || (seen != 3 && seen != n_mdat))
        continue;
      /* Cut in the third mdat (after one second of each track) and in the last one. */
      dir = make_work_dir ();
      temp = g_build_filename (dir, "av.mp4.part", NULL);
      final = g_build_filename (dir, "av.mp4", NULL);
      record_test_write_cut (temp, av_fragmented, b->start + 100);
      r = finish (temp, final, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("cut in mdat %u of %u: %.3f s", seen, n_mdat, r->duration);
      at_least = seen == 3 ? 0.9 : 1.9;
      g_assert_cmpfloat (r->duration, >=, at_least);
      g_assert_cmpfloat (r->duration, <=, seen == 3 ? 2.1 : 3.1);
      g_assert_true (r->remuxed);
      g_assert_cmpstr (r->video_codec, ==, "H264");
      g_assert_cmpstr (r->audio_codec, ==, "mpeg4-generic");
      check_regular_mp4 (r);
      g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
      record_test_remove_dir (dir);
    }
}

/* The remux cannot write its output (as with a full disk): the fragmented file is kept. */
static void
test_remux_fails (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "frag.mp4.part", NULL);
  g_autofree char *final = g_build_filename (dir, "frag.mp4", NULL);
  g_autofree char *in_the_way = g_build_filename (dir, ".frag.mp4.part.remux.tmp", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;
  g_autofree char *listing = NULL;
  CbMp4Info info;

  if (video_fragmented == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  record_test_write_cut (temp, video_fragmented, middle_of_last_mdat (video_fragmented));
  g_assert_cmpint (g_mkdir (in_the_way, 0700), ==, 0);
  r = finish (temp, final, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->remuxed);
  g_assert_cmpstr (r->final_path, ==, final);
  g_assert_cmpfloat_with_epsilon (r->duration, 2.0, 0.1);
  g_assert_cmpstr (r->video_codec, ==, "H264");
  /* Still fragmented, but without the partly written fragment. */
  g_assert_true (cb_mp4_probe_file (final, &info, &error));
  g_assert_true (info.fragmented);
  g_assert_cmpuint (info.complete_length, ==, r->size);
  g_assert_cmpuint (r->size, <, middle_of_last_mdat (video_fragmented));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, ".frag.mp4.part.remux.tmp frag.mp4");
  g_rmdir (in_the_way);
  record_test_remove_dir (dir);
}

typedef struct {
  const char *name;
  const char *temp_name;
  const char *damaged_name;
} HopelessCase;

static const HopelessCase hopeless_cases[] = {
  { "garbage", "junk.mp4.part", "junk.damaged.mp4" },
  { "cut-in-moov", "short.mp4.part", "short.damaged.mp4" },
  { "no-fragment", "nofrag.mp4.part", "nofrag.damaged.mp4" },
  { "webm-garbage", "junk.webm", "junk.damaged.webm" },
  { "damaged-name-taken", "junk.mp4.part", "junk.damaged-1.mp4" },
};

static void
test_hopeless (gconstpointer data)
{
  const HopelessCase *c = data;
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, c->temp_name, NULL);
  g_autofree char *damaged = g_build_filename (dir, c->damaged_name, NULL);
  g_autofree char *final = NULL;
  g_autofree char *stem = g_strdup (c->temp_name);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;

  *strchr (stem, '.') = '\0';
  final = g_strdup_printf ("%s/%s%s", dir, stem,
                           g_str_has_suffix (c->temp_name, ".webm") ? ".webm" : ".mp4");
  if (g_str_equal (c->name, "cut-in-moov") || g_str_equal (c->name, "no-fragment"))
    {
      if (av_fragmented == NULL)
        {
          g_test_skip ("GStreamer elements missing to make the media");
          return;
        }
      /* Half the moov; the moov and the start of the first fragment. */
      contents = g_bytes_new_from_bytes (av_fragmented, 0,
                                         g_str_equal (c->name, "cut-in-moov")
                                           ? end_of_box (av_fragmented, "moov") - 200
                                           : end_of_box (av_fragmented, "moov") + 100);
    }
  else
    {
      static const char junk[] = "This is no recording. \x1a\x45\xdf\xa3 \0\0\0\x08mdat";

      contents = g_bytes_new_static (junk, sizeof junk - 1);
    }
  record_test_write_cut (temp, contents, g_bytes_get_size (contents));
  if (g_str_equal (c->name, "damaged-name-taken"))
    {
      g_autofree char *taken = g_build_filename (dir, "junk.damaged.mp4", NULL);

      g_file_set_contents (taken, "an older one", -1, &error);
      g_assert_no_error (error);
    }

  r = finish (temp, final, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, c->damaged_name));
  /* Kept, never deleted; nothing else made. */
  g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));
  kept = record_test_read (damaged);
  if (g_str_equal (c->name, "no-fragment"))
    g_assert_cmpuint (g_bytes_get_size (kept), ==, end_of_box (av_fragmented, "moov"));
  else
    g_assert_true (g_bytes_equal (kept, contents));
  record_test_remove_dir (dir);
}

static void
test_existing_name (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *final = g_build_filename (dir, "show.mp4", NULL);
  g_autoptr(GBytes) older = NULL;

  if (video_fragmented == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  g_file_set_contents (final, "an older recording", -1, NULL);
  for (guint n = 1; n <= 2; n++)
    {
      g_autofree char *temp = g_build_filename (dir, "show.mp4.part", NULL);
      g_autofree char *expected = g_strdup_printf ("%s/show-%u.mp4", dir, n);
      g_autoptr(GError) error = NULL;
      g_autoptr(CbRecordFileResult) r = NULL;

      record_test_write_cut (temp, video_fragmented, g_bytes_get_size (video_fragmented));
      r = finish (temp, final, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (r->final_path, ==, expected);
      check_regular_mp4 (r);
    }
  older = record_test_read (final);
  g_assert_cmpmem (g_bytes_get_data (older, NULL), g_bytes_get_size (older),
                   "an older recording", 18);
  record_test_remove_dir (dir);
}

static void
test_webm (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "rec-temp.webm", NULL);
  g_autofree char *final = g_build_filename (dir, "rec.webm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;
  g_autofree char *listing = NULL;

  if (webm == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  /* matroskamux killed at 70 %: no cues, a cluster cut short. */
  record_test_write_cut (temp, webm, g_bytes_get_size (webm) * 7 / 10);
  r = finish (temp, final, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->remuxed);
  g_assert_cmpstr (r->final_path, ==, final);
  g_assert_cmpuint (r->size, ==, g_bytes_get_size (webm) * 7 / 10);
  g_assert_cmpfloat (r->duration, >=, 0.5);
  g_assert_cmpfloat (r->duration, <=, 2.1);
  g_assert_cmpstr (r->video_codec, ==, "VP8");
  g_assert_cmpstr (r->audio_codec, ==, "opus");
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "rec.webm");
  record_test_remove_dir (dir);
}

static void
test_already_faststart (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "fs.mp4.part", NULL);
  g_autofree char *final = g_build_filename (dir, "fs.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;

  if (faststart == NULL)
    {
      g_test_skip ("GStreamer elements missing to make the media");
      return;
    }
  record_test_write_cut (temp, faststart, g_bytes_get_size (faststart));
  r = finish (temp, final, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->remuxed);
  g_assert_cmpuint (r->size, ==, g_bytes_get_size (faststart));
  g_assert_cmpfloat_with_epsilon (r->duration, 1.0, 0.1);
  check_regular_mp4 (r);
  record_test_remove_dir (dir);
}

static void
test_missing_and_cancelled (void)
{
  g_autofree char *dir = make_work_dir ();
  g_autofree char *temp = g_build_filename (dir, "gone.mp4.part", NULL);
  g_autofree char *final = g_build_filename (dir, "gone.mp4", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = NULL;
  g_autofree char *listing = NULL;

  r = finish (temp, final, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND);
  g_clear_error (&error);

  /* Cancelled: the recording stays as it is, to be finished later. */
  g_file_set_contents (temp, "whatever", -1, NULL);
  g_cancellable_cancel (cancellable);
  r = finish (temp, final, cancellable, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "gone.mp4.part");
  record_test_remove_dir (dir);
}

static GBytes *
make_media (const char *name,
            const char *needs,
            const char *mux,
            guint       seconds,
            gboolean    audio,
            gboolean    vp8)
{
  g_autofree char *path = g_build_filename (media_dir, name, NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_auto(GStrv) factories = g_strsplit (needs, " ", -1);

  for (guint i = 0; factories[i] != NULL; i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (factories[i]);

      if (factory == NULL)
        g_string_append_printf (missing, " %s", factories[i]);
    }
  if (missing->len > 0)
    {
      g_printerr ("# %s not made, missing:%s\n", name, missing->str);
      return NULL;
    }
  record_test_write_media (path, mux, seconds, audio, vp8);
  return record_test_read (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *mp4_needs = "x264enc avenc_aac mp4mux qtdemux h264parse aacparse avdec_h264 "
                          "avdec_aac decodebin";
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  media_dir = g_dir_make_tmp ("cb-test-record-media-XXXXXX", &error);
  g_assert_no_error (error);
  av_fragmented = make_media ("av.mp4", mp4_needs, RECORD_TEST_FRAGMENTED, 3, TRUE, FALSE);
  video_fragmented = make_media ("v.mp4", mp4_needs, RECORD_TEST_FRAGMENTED, 3, FALSE, FALSE);
  faststart = make_media ("fs.mp4", mp4_needs, RECORD_TEST_FASTSTART, 1, TRUE, FALSE);
  webm = make_media ("w.webm", "vp8enc opusenc webmmux matroskademux vp8dec opusdec decodebin",
                     RECORD_TEST_WEBM, 2, TRUE, TRUE);

  g_test_add_data_func ("/cb/record-file/complete", NULL, test_complete);
  g_test_add_data_func ("/cb/record-file/complete-demux-only", "", test_complete);
  g_test_add_func ("/cb/record-file/trim", test_trim);
  g_test_add_func ("/cb/record-file/cut-video", test_cut_video);
  g_test_add_func ("/cb/record-file/cut-av", test_cut_av);
  g_test_add_func ("/cb/record-file/remux-fails", test_remux_fails);
  for (guint i = 0; i < G_N_ELEMENTS (hopeless_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/record-file/hopeless/%s",
                                               hopeless_cases[i].name);

      g_test_add_data_func (path, &hopeless_cases[i], test_hopeless);
    }
  g_test_add_func ("/cb/record-file/existing-name", test_existing_name);
  g_test_add_func ("/cb/record-file/webm", test_webm);
  g_test_add_func ("/cb/record-file/already-faststart", test_already_faststart);
  g_test_add_func ("/cb/record-file/missing-and-cancelled", test_missing_and_cancelled);
  status = g_test_run ();

  g_clear_pointer (&av_fragmented, g_bytes_unref);
  g_clear_pointer (&video_fragmented, g_bytes_unref);
  g_clear_pointer (&faststart, g_bytes_unref);
  g_clear_pointer (&webm, g_bytes_unref);
  record_test_remove_dir (media_dir);
  g_free (media_dir);
  return status;
}
