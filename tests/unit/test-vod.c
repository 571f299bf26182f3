/* test-vod.c — VOD names and the engine's open of them, without a real MP4 (the server
 * tests play real files with ffmpeg)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "cb-engine.h"
#include "cb-vod.h"

typedef struct {
  const char *name;
  CbVodKind   kind;
  const char *file;
  const char *canonical;
} NameCase;

static const NameCase name_cases[] = {
  { "vod://a.mp4",          CB_VOD_PERSONAL, "a.mp4",     "vod://a.mp4" },
  { "vod-live://a/b.mp4",   CB_VOD_LIVE,     "a/b.mp4",   "vod-live://a/b.mp4" },
  { "vod:a.mp4",            CB_VOD_PERSONAL, "a.mp4",     "vod://a.mp4" },     /* RTMP's form */
  { "vod-live:a.mp4",       CB_VOD_LIVE,     "a.mp4",     "vod-live://a.mp4" },
  { "VOD-Live://x.mp4",     CB_VOD_LIVE,     "x.mp4",     "vod-live://x.mp4" },
  { "vod:/x.mp4",           CB_VOD_PERSONAL, "/x.mp4",    "vod:///x.mp4" },    /* refused later */
  { "vod:",                 CB_VOD_PERSONAL, "",          "vod://" },
  { "vod",                  CB_VOD_NONE },
  { "vodka",                CB_VOD_NONE },
  { "vodx://a.mp4",         CB_VOD_NONE },
  { "vod-livex:a.mp4",      CB_VOD_NONE },
  { "video://a.mp4",        CB_VOD_NONE },
  { "cam",                  CB_VOD_NONE },
  { "",                     CB_VOD_NONE },
};

static void
test_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (name_cases); i++)
    {
      const NameCase *c = &name_cases[i];
      g_autofree char *file = NULL;
      g_autofree char *canonical = NULL;

      g_test_message ("name “%s”", c->name);
      g_assert_cmpint (cb_vod_parse_name (c->name, &file, &canonical), ==, c->kind);
      g_assert_cmpstr (file, ==, c->file);
      g_assert_cmpstr (canonical, ==, c->canonical);
    }
  g_assert_cmpint (cb_vod_parse_name (NULL, NULL, NULL), ==, CB_VOD_NONE);
}

/* A live stream by a VOD name could never be played: publishers may not take one. */
static void
test_publish_names (void)
{
  const char *refused[] = { "vod:x", "vod-live:x", "VOD:x", "vod:" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cb_engine_validate_stream_name (refused[i], &error));
      g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
    }
  g_assert_true (cb_engine_validate_stream_name ("vodka", NULL));
  g_assert_true (cb_engine_validate_stream_name ("my vod", NULL));
}

typedef struct {
  char       *tmp;
  CbSettings *settings;
  CbEngine   *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *media = NULL;
  g_autofree char *text = NULL;

  f->tmp = g_dir_make_tmp ("cb-test-vod-XXXXXX", &error);
  g_assert_no_error (error);
  media = g_build_filename (f->tmp, "media", NULL);
  g_assert_cmpint (g_mkdir (media, 0700), ==, 0);
  text = g_build_filename (media, "x.mp4", NULL);
  g_assert_true (g_file_set_contents (text, "not an MP4 file\n", -1, &error));
  f->settings = cb_settings_new ();
  g_assert_true (cb_settings_set (f->settings, "media_dir", media, &error));
  g_assert_no_error (error);
  f->engine = cb_engine_new (f->settings);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *text = g_build_filename (f->tmp, "media", "x.mp4", NULL);
  g_autofree char *media = g_build_filename (f->tmp, "media", NULL);

  cb_engine_shutdown (f->engine);
  /* Probes cancelled by the shutdown still report to this context. */
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
  g_assert_finalize_object (f->engine);
  g_object_unref (f->settings);
  g_unlink (text);
  g_rmdir (media);
  g_rmdir (f->tmp);
  g_free (f->tmp);
}

static void
test_open_errors (Fixture       *f,
                  gconstpointer  data)
{
  const struct {
    const char *name;
    int         code;
  } cases[] = {
    { "nothing",              CB_ENGINE_ERROR_NOT_FOUND },
    { "vod://missing.mp4",    CB_ENGINE_ERROR_FILE_NOT_FOUND },
    { "vod-live://nope.mp4",  CB_ENGINE_ERROR_FILE_NOT_FOUND },
    /* Names that would leave the folders say no more than missing ones. */
    { "vod://../media/x.mp4", CB_ENGINE_ERROR_FILE_NOT_FOUND },
    { "vod:///etc/passwd",    CB_ENGINE_ERROR_FILE_NOT_FOUND },
    { "vod://",               CB_ENGINE_ERROR_FILE_NOT_FOUND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CbStream) stream = cb_engine_open_play_stream (f->engine, cases[i].name, &error);

      g_test_message ("open “%s”", cases[i].name);
      g_assert_null (stream);
      g_assert_error (error, CB_ENGINE_ERROR, cases[i].code);
    }
  {
    g_autoptr(GPtrArray) none = cb_engine_vod_find (f->engine, NULL, NULL);

    g_assert_cmpuint (none->len, ==, 0);
  }
}

static gboolean
wait_final (CbStream *stream)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!cb_stream_status_is_final (cb_stream_get_status (stream)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
  return cb_stream_status_is_final (cb_stream_get_status (stream));
}

static void
test_wrong_format (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) live = cb_engine_open_play_stream (f->engine, "vod-live://x.mp4", &error);
  g_autoptr(CbStream) again = NULL;
  g_autoptr(CbStream) personal = NULL;
  g_autoptr(CbStream) found = NULL;
  g_autofree char *info = NULL;
  const GError *failure;

  g_assert_no_error (error);
  g_assert_nonnull (live);
  g_assert_true (cb_vod_is_vod_stream (live));
  /* Shared: a second viewer joins the same reader, whatever form of the name it uses. */
  again = cb_engine_open_play_stream (f->engine, "vod-live:x.mp4", &error);
  g_assert_no_error (error);
  g_assert_true (again == live);
  /* Personal: a reader of its own, that nobody can find by name. */
  personal = cb_engine_open_play_stream (f->engine, "vod://x.mp4", &error);
  g_assert_no_error (error);
  g_assert_null (cb_engine_lookup_stream (f->engine, "vod://x.mp4"));
  found = cb_engine_lookup_session (f->engine, cb_stream_get_media_session_id (personal));
  g_assert_true (found == personal);
  {
    g_autoptr(GPtrArray) both = cb_engine_vod_find (f->engine, NULL, NULL);

    g_assert_cmpuint (both->len, ==, 2);
  }

  /* Read on a worker thread, then failed with WCS's words. */
  g_assert_true (wait_final (live));
  g_assert_cmpint (cb_stream_get_status (live), ==, CB_STREAM_FAILED);
  info = cb_stream_dup_info (live);
  g_assert_cmpstr (info, ==, "File has wrong format");
  failure = cb_vod_get_error (live);
  g_assert_error ((GError *) failure, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT);
  g_assert_true (wait_final (personal));
  g_assert_null (cb_engine_lookup_stream (f->engine, "vod-live://x.mp4"));
}

/* A play path that does not attach after all hands a personal reader back at once. */
static void
test_release (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) personal = cb_engine_open_play_stream (f->engine, "vod://x.mp4", &error);
  g_autoptr(CbStream) live = cb_engine_open_play_stream (f->engine, "vod-live://x.mp4", &error);

  g_assert_no_error (error);
  cb_engine_release_play_stream (f->engine, personal);
  g_assert_cmpint (cb_stream_get_status (personal), ==, CB_STREAM_UNPUBLISHED);
  cb_engine_release_play_stream (f->engine, live);     /* shared: left to its timeout */
  g_assert_cmpint (cb_stream_get_status (live), ==, CB_STREAM_PENDING);
  g_assert_true (wait_final (live));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/vod/names", test_names);
  g_test_add_func ("/cb/vod/publish-names", test_publish_names);
  g_test_add ("/cb/vod/open-errors", Fixture, NULL, fixture_set_up, test_open_errors,
              fixture_tear_down);
  g_test_add ("/cb/vod/wrong-format", Fixture, NULL, fixture_set_up, test_wrong_format,
              fixture_tear_down);
  g_test_add ("/cb/vod/release", Fixture, NULL, fixture_set_up, test_release,
              fixture_tear_down);
  return g_test_run ();
}
