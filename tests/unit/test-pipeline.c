/* test-pipeline.c — cb_pipeline_watch(): errors name the element and carry the debug text,
 * a graph is dumped where GST_DEBUG_DUMP_DOT_DIR says, and a watch ends with its pipeline
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "cb-pipeline.h"

static char *dot_dir;

typedef struct {
  GError   *error;
  char     *text;
  gboolean  eos;
  guint     destroyed;
} Seen;

static gboolean
on_message (GstMessage   *message,
            const GError *error,
            gpointer      data)
{
  Seen *seen = data;

  if (error != NULL && seen->error == NULL)
    {
      seen->error = g_error_copy (error);
      seen->text = cb_pipeline_error_text (message);
    }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    seen->eos = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
on_destroy (gpointer data)
{
  ((Seen *) data)->destroyed++;
}

static GstElement *
missing_file_pipeline (void)
{
  GstElement *pipeline = gst_parse_launch ("filesrc name=reader location=/nonexistent/cb-file ! "
                                           "fakesink", NULL);

  g_assert_nonnull (pipeline);
  return gst_object_ref_sink (pipeline);
}

static void
check_error (Seen *seen)
{
  g_assert_error (seen->error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  /* The element's name first, GStreamer's text, then the debug text (which names the file). */
  g_assert_true (g_str_has_prefix (seen->error->message, "reader: "));
  g_assert_nonnull (strstr (seen->error->message, "/nonexistent/cb-file"));
  /* The text for answers has neither. */
  g_assert_null (strstr (seen->text, "reader"));
  g_assert_cmpstr (seen->text, !=, "");
}

/* The graphs of errors in dot_dir; with @remove, removes every file there. */
static guint
count_dot_files (gboolean remove)
{
  g_autoptr(GDir) dir = g_dir_open (dot_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dot_dir, name, NULL);

      n += g_str_has_suffix (name, ".dot") && strstr (name, "-error") != NULL;
      if (remove)
        g_unlink (path);
    }
  return n;
}

static void
test_async (void)
{
  GstElement *pipeline = missing_file_pipeline ();
  Seen seen = { 0 };
  guint dots = count_dot_files (FALSE);

  cb_pipeline_watch (pipeline, g_main_context_default (), on_message, &seen, on_destroy);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (seen.error == NULL)
    g_main_context_iteration (NULL, TRUE);
  check_error (&seen);
  g_assert_cmpuint (count_dot_files (FALSE), ==, dots + 1);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  cb_pipeline_unwatch (pipeline);
  g_assert_cmpuint (seen.destroyed, ==, 1);
  cb_pipeline_unwatch (pipeline);   /* twice is nothing */
  g_assert_cmpuint (seen.destroyed, ==, 1);
  g_assert_finalize_object (pipeline);
  g_clear_error (&seen.error);
  g_free (seen.text);
}

static void
test_sync (void)
{
  GstElement *pipeline = missing_file_pipeline ();
  g_autoptr(GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  Seen seen = { 0 };

  /* No context: the function runs on the posting thread, and the bus keeps nothing. */
  cb_pipeline_watch (pipeline, NULL, on_message, &seen, on_destroy);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  check_error (&seen);
  g_assert_false (gst_bus_have_pending (bus));
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* The watch ends with its pipeline. */
  g_assert_finalize_object (pipeline);
  g_assert_cmpuint (seen.destroyed, ==, 1);
  g_clear_error (&seen.error);
  g_free (seen.text);
}

static void
test_replaced (void)
{
  g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new ("empty"));
  Seen first = { 0 }, second = { 0 };

  cb_pipeline_watch (pipeline, g_main_context_default (), on_message, &first, on_destroy);
  cb_pipeline_watch (pipeline, NULL, on_message, &second, on_destroy);
  g_assert_cmpuint (first.destroyed, ==, 1);
  g_assert_cmpuint (second.destroyed, ==, 0);
  cb_pipeline_unwatch (pipeline);
  g_assert_cmpuint (second.destroyed, ==, 1);
}

int
main (int argc, char *argv[])
{
  int status;

  dot_dir = g_dir_make_tmp ("cb-dot-XXXXXX", NULL);
  g_setenv ("GST_DEBUG_DUMP_DOT_DIR", dot_dir, TRUE);   /* read by gst_init() */
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/pipeline/async", test_async);
  g_test_add_func ("/cb/pipeline/sync", test_sync);
  g_test_add_func ("/cb/pipeline/replaced", test_replaced);
  status = g_test_run ();
  count_dot_files (TRUE);
  g_rmdir (dot_dir);
  g_free (dot_dir);
  return status;
}
