/* test-registry.c — the engine's stream registry and the publish operations
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "cb-engine.h"
#include "cb-local-source.h"

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
}

typedef struct {
  const char *name;
  gboolean    ok;
} NameCase;

static const NameCase name_cases[] = {
  { "studio", TRUE },
  { "amsStream#amsroom1", TRUE },
  { "with space inside", TRUE },
  { "Трансляция", TRUE },
  { "a", TRUE },
  { "", FALSE },
  { "../etc/passwd", FALSE },
  { "a/b", FALSE },
  { "a\\b", FALSE },
  { "tab\there", FALSE },
  { "new\nline", FALSE },
  { " leading", FALSE },
  { "trailing ", FALSE },
  { "bad\xff utf8", FALSE },
};

static void
test_names (void)
{
  g_autofree char *long_name = g_strnfill (256, 'x');
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (name_cases); i++)
    {
      g_autoptr(GError) e = NULL;
      g_test_message ("name case %u", i);
      g_assert_cmpint (cb_engine_validate_stream_name (name_cases[i].name, &e), ==, name_cases[i].ok);
      if (!name_cases[i].ok)
        g_assert_error (e, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
    }
  g_assert_false (cb_engine_validate_stream_name (NULL, &error));
  g_clear_error (&error);
  g_assert_false (cb_engine_validate_stream_name (long_name, &error));
}

typedef struct {
  guint added, removed, changed;
  CbStreamStatus last_removed_status;
  char *last_removed_info;
} Events;

static void
on_added (CbEngine *e, CbStream *s, Events *ev)
{
  ev->added++;
}

static void
on_removed (CbEngine *e, CbStream *s, Events *ev)
{
  ev->removed++;
  ev->last_removed_status = cb_stream_get_status (s);
  g_free (ev->last_removed_info);
  ev->last_removed_info = cb_stream_dup_info (s);
}

static void
on_changed (CbEngine *e, CbStream *s, Events *ev)
{
  ev->changed++;
}

static void
stop_counter (gpointer data, const char *info)
{
  (*(guint *) data)++;
}

static void
test_registry (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(CbStream) a = cb_stream_new ("a", "WebRTC");
  g_autoptr(CbStream) b = cb_stream_new ("b", "RTMP");
  g_autoptr(CbStream) a2 = cb_stream_new ("a", "RTMP");
  g_autoptr(CbStream) found = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  Events ev = { 0 };
  guint stops = 0;
  CbStreamFilter by_status = { NULL, NULL, -1, "pending" };
  CbStreamFilter by_session = { NULL, NULL, -1, NULL };
  CbStreamFilter nothing = { "zzz", NULL, -1, NULL };

  g_signal_connect (engine, "stream-added", G_CALLBACK (on_added), &ev);
  g_signal_connect (engine, "stream-removed", G_CALLBACK (on_removed), &ev);
  g_signal_connect (engine, "stream-changed", G_CALLBACK (on_changed), &ev);

  g_assert_true (cb_engine_add_stream (engine, a, stop_counter, &stops, NULL, &error));
  g_assert_true (cb_engine_add_stream (engine, b, NULL, NULL, NULL, &error));
  g_assert_false (cb_engine_add_stream (engine, a2, NULL, NULL, NULL, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpuint (ev.added, ==, 2);
  g_assert_cmpint (cb_stream_get_status (a), ==, CB_STREAM_PENDING);
  g_assert_cmpstr (cb_stream_get_media_session_id (a), !=, cb_stream_get_media_session_id (b));

  found = cb_engine_lookup_session (engine, cb_stream_get_media_session_id (b));
  g_assert_true (found == b);
  g_clear_object (&found);
  g_assert_null (cb_engine_lookup_stream (engine, "nope"));
  g_assert_null (cb_engine_lookup_session (engine, "nope"));

  list = cb_engine_find_streams (engine, &by_status);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  by_session.media_session_id = cb_stream_get_media_session_id (a);
  list = cb_engine_find_streams (engine, &by_session);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (g_ptr_array_index (list, 0) == a);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = cb_engine_find_streams (engine, &nothing);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Status changes reach the engine's listeners on its context. */
  cb_stream_set_status (b, CB_STREAM_PUBLISHING, NULL);
  iterate_for (50);
  g_assert_cmpuint (ev.changed, >=, 1);

  g_assert_true (cb_engine_terminate (engine, cb_stream_get_media_session_id (a), NULL, &error));
  g_assert_cmpuint (stops, ==, 1);
  g_assert_cmpuint (ev.removed, ==, 1);
  g_assert_cmpint (ev.last_removed_status, ==, CB_STREAM_UNPUBLISHED);
  g_assert_cmpstr (ev.last_removed_info, ==, "Stopped by rest /terminate");
  g_assert_null (cb_engine_lookup_stream (engine, "a"));
  /* Removing twice does nothing; a final status sticks. */
  cb_engine_remove_stream (engine, a, CB_STREAM_FAILED, "late");
  g_assert_cmpuint (ev.removed, ==, 1);
  g_assert_cmpint (cb_stream_get_status (a), ==, CB_STREAM_UNPUBLISHED);

  g_assert_false (cb_engine_terminate (engine, "no-such-session", NULL, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The name is free again. */
  g_assert_true (cb_engine_add_stream (engine, a2, NULL, NULL, NULL, &error));
  cb_engine_shutdown (engine);
  g_assert_cmpuint (ev.removed, ==, 3);
  g_assert_false (cb_engine_add_stream (engine, cb_stream_new ("late", NULL), NULL, NULL, NULL, &error));
  g_free (ev.last_removed_info);
  /* The engine keeps no stream after shutdown, and no stream keeps the engine. */
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&a));
  g_assert_finalize_object (g_steal_pointer (&b));
  g_assert_finalize_object (g_steal_pointer (&a2));
}

static void
test_publish_test_source (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "t", "test", &error);
  g_autoptr(CbStream) dup = NULL;
  g_autoptr(CbStreamInfo) info = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (s);
  for (guint i = 0; i < 200 && cb_stream_get_status (s) != CB_STREAM_PUBLISHING; i++)
    iterate_for (50);
  g_assert_cmpint (cb_stream_get_status (s), ==, CB_STREAM_PUBLISHING);
  /* Both media and a bitrate figure: a moment on a quiet machine, many seconds on a busy
   * one under the sanitizers. */
  for (guint i = 0; i < 300; i++)
    {
      g_clear_pointer (&info, cb_stream_info_free);
      iterate_for (100);
      info = cb_stream_get_snapshot (s);
      if (info->media.video_codec != NULL && info->media.audio_codec != NULL &&
          info->media.bitrate > 0)
        break;
    }
  g_assert_cmpstr (info->media.video_codec, ==, "H264");
  g_assert_cmpint (info->media.width, ==, 1280);
  g_assert_cmpint (info->media.height, ==, 720);
  g_assert_cmpint ((int) info->media.fps, ==, 30);
  g_assert_cmpstr (info->media.audio_codec, ==, "mpeg4-generic");
  g_assert_cmpint (info->media.audio_rate, ==, 48000);
  g_assert_cmpint (info->media.bitrate, >, 0);
  g_assert_cmpstr (info->source, ==, "test");
  g_assert_cmpstr (info->media_provider, ==, "Local");

  dup = cb_engine_publish_source (engine, "t", "test", &error);
  g_assert_null (dup);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (cb_engine_unpublish (engine, "t", &error));
  g_assert_cmpint (cb_stream_get_status (s), ==, CB_STREAM_UNPUBLISHED);
  g_assert_false (cb_engine_unpublish (engine, "t", &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND);
  /* Unpublished: its pipeline and the engine let go of the stream. */
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

typedef struct {
  const char *spec;
  int         code;
} BadSource;

static void
test_bad_sources (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  static const BadSource cases[] = {
    { "", CB_ENGINE_ERROR_INVALID },
    { "webcam", CB_ENGINE_ERROR_INVALID },
    { "test+test", CB_ENGINE_ERROR_INVALID },
    { "pattern+camera", CB_ENGINE_ERROR_INVALID },
    { "camera:", CB_ENGINE_ERROR_INVALID },
    { "file:", CB_ENGINE_ERROR_INVALID },
    { "file:/nonexistent/clip.mp4", CB_ENGINE_ERROR_FILE_NOT_FOUND },
    { "camera:/dev/no-such-camera", CB_ENGINE_ERROR_NO_DEVICE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CbStream) s = cb_engine_publish_source (engine, "bad", cases[i].spec, &error);

      g_test_message ("case %s", cases[i].spec);
      g_assert_null (s);
      g_assert_error (error, CB_ENGINE_ERROR, cases[i].code);
      g_assert_null (cb_engine_lookup_stream (engine, "bad"));
    }
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
test_missing_devices (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GPtrArray) cams = cb_devices_list (CB_MEDIA_VIDEO);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = NULL;

  if (cams->len > 0)
    {
      g_test_skip ("this machine has a camera");
      return;
    }
  s = cb_engine_publish_source (engine, "cam", "camera", &error);
  g_assert_null (s);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
test_file_wrong_format (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("cb-not-media-XXXXXX.mp4", &path, &error);
  g_autoptr(CbStream) s = NULL;
  g_autofree char *uri = NULL;
  Events ev = { 0 };

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_file_set_contents (path, "this is not a video", -1, &error));
  close (fd);
  g_signal_connect (engine, "stream-removed", G_CALLBACK (on_removed), &ev);

  uri = g_strconcat ("file:", path, NULL);
  s = cb_engine_publish_source (engine, "junk", uri, &error);
  if (s != NULL)
    for (guint i = 0; i < 100 && ev.removed == 0; i++)
      iterate_for (50);
  else
    ev.last_removed_status = CB_STREAM_FAILED;
  g_assert_cmpint (ev.last_removed_status, ==, CB_STREAM_FAILED);
  if (s != NULL)
    g_assert_cmpstr (ev.last_removed_info, ==, "File has wrong format");
  g_assert_null (cb_engine_lookup_stream (engine, "junk"));
  g_unlink (path);
  g_free (ev.last_removed_info);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  if (s != NULL)
    g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
count_frame (GstSample *sample,
             gpointer   data)
{
  const GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);

  g_assert_cmpstr (gst_structure_get_string (s, "format"), ==, "RGBA");
  g_atomic_int_inc ((gint *) data);
}

static void
test_local_preview (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "prev", "test", &error);
  gint frames = 0;

  g_assert_no_error (error);
  g_assert_true (cb_engine_set_local_preview (engine, "prev", count_frame, &frames, NULL, &error));
  for (guint i = 0; i < 100 && g_atomic_int_get (&frames) < 5; i++)
    iterate_for (50);
  g_assert_cmpint (g_atomic_int_get (&frames), >=, 5);
  g_assert_true (cb_engine_set_local_preview (engine, "prev", NULL, NULL, NULL, &error));

  g_assert_false (cb_engine_set_local_preview (engine, "nope", count_frame, &frames, NULL, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/engine/names", test_names);
  g_test_add_func ("/cb/engine/registry", test_registry);
  g_test_add_func ("/cb/engine/publish-test-source", test_publish_test_source);
  g_test_add_func ("/cb/engine/bad-sources", test_bad_sources);
  g_test_add_func ("/cb/engine/missing-devices", test_missing_devices);
  g_test_add_func ("/cb/engine/file-wrong-format", test_file_wrong_format);
  g_test_add_func ("/cb/engine/local-preview", test_local_preview);
  return g_test_run ();
}
