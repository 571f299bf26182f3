/* gui-util.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>

#include "gui-util.h"

gboolean
gui_test_init (int    *argc,
               char ***argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, CB_BUILD_DIR "/po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (argc, argv, NULL);
  /* Line by line into meson's pipe: a test killed for hanging shows how far it got. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (!gtk_init_check ())
    return FALSE;
  adw_init ();
  /* What AdwApplication does at startup for castbridge. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/castbridge/Castbridge/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  return TRUE;
}

static gboolean
on_wait_limit (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
wait_for (Fixture       *fixture,
          Condition      condition,
          gconstpointer  data)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (WAIT_LIMIT_S, on_wait_limit, &expired);

  while (!condition (fixture, data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return !expired;
}

void
settle (void)
{
  for (guint i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

void
spin_for (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, on_wait_limit, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *destinations = g_build_filename (g_get_user_config_dir (), "castbridge",
                                                    "destinations.json", NULL);

  /* Each test starts with no remembered destinations (the tests point
   * XDG_CONFIG_HOME into the build tree). */
  g_remove (destinations);

  /* Ephemeral ports, as CB_HTTP_PORT=0 CB_WS_PORT=0 CB_RTMP_PORT=0 castbridge would use. */
  g_assert_true (cb_settings_set (settings, "http.port", "0", NULL));
  g_assert_true (cb_settings_set (settings, "ws.port", "0", NULL));
  g_assert_true (cb_settings_set (settings, "rtmp.port", "0", NULL));
  g_assert_true (cb_settings_set (settings, "bind_address", "127.0.0.1", NULL));
  /* A test's own settings: "key=value" strings. */
  for (const char * const *o = data; o != NULL && *o != NULL; o++)
    {
      g_assert_true (cb_settings_parse_override (settings, *o, &error));
      g_assert_no_error (error);
    }

  fixture->studio = cb_studio_new (settings);
  g_assert_true (cb_studio_start (fixture->studio, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cb_studio_get_http_port (fixture->studio), >, 0);

  fixture->window = cb_window_new (NULL, fixture->studio);
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->session = soup_session_new ();
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&fixture->window)));
  settle ();
  cb_studio_stop (fixture->studio);
  g_assert_finalize_object (g_steal_pointer (&fixture->studio));
}

void
fixture_reopen_window (Fixture *fixture)
{
  gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&fixture->window)));
  settle ();
  fixture->window = cb_window_new (NULL, fixture->studio);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

/* REST, as a script would call it. */

void
on_rest_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

gboolean
task_done (Fixture       *fixture,
           gconstpointer  data)
{
  return g_task_get_completed ((GTask *) data);
}

guint
rest_post (Fixture     *fixture,
           const char  *path,
           const char  *json,
           char       **body_out)
{
  return rest_post_at (fixture, cb_studio_get_http_port (fixture->studio), path, json, body_out);
}

guint
rest_post_at (Fixture     *fixture,
              guint        port,
              const char  *path,
              const char  *json,
              char       **body_out)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/rest-api/%s", port, path);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", uri);
  g_autoptr(GBytes) request = g_bytes_new (json, strlen (json));
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  /* Async, with the GTK main loop turning: the window keeps drawing meanwhile. */
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL,
                                    on_rest_done, g_object_ref (task));
  g_assert_true (wait_for (fixture, task_done, task));
  body = g_task_propagate_pointer (task, &error);
  g_assert_no_error (error);
  g_test_message ("POST %s %s → %u %.*s", path, json, soup_message_get_status (message),
                  (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  if (body_out != NULL)
    *body_out = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return soup_message_get_status (message);
}

/* Conditions. */

gboolean
window_is_drawn (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *widget = GTK_WIDGET (fixture->window);

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0 &&
         gtk_widget_get_height (widget) > 0;
}

gboolean
preview_has_frame (Fixture       *fixture,
                   gconstpointer  data)
{
  GdkPaintable *paintable =
    gtk_picture_get_paintable (cb_window_get_preview_picture (fixture->window));

  return paintable != NULL && gdk_paintable_get_intrinsic_width (paintable) > 0 &&
         gdk_paintable_get_intrinsic_height (paintable) > 0;
}

typedef struct {
  GSourceFunc func;
  gpointer    data;
  gboolean    done;
} EngineCall;

static gboolean
engine_call (gpointer data)
{
  EngineCall *call = data;

  call->func (call->data);
  g_atomic_int_set (&call->done, TRUE);
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
engine_call_done (Fixture       *fixture,
                  gconstpointer  data)
{
  return g_atomic_int_get (&((EngineCall *) data)->done);
}

void
run_in_engine (Fixture     *fixture,
               GSourceFunc  func,
               gpointer     data)
{
  EngineCall call = { func, data, FALSE };

  cb_engine_invoke (cb_studio_get_engine (fixture->studio), engine_call, &call, NULL);
  g_assert_true (wait_for (fixture, engine_call_done, &call));
}

gboolean
row_has_status (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const *name_status = data;
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window),
                                            name_status[0]);

  return row != NULL && g_strcmp0 (cb_stream_row_get_status (row), name_status[1]) == 0;
}

gboolean
window_is_live (Fixture       *fixture,
                gconstpointer  data)
{
  return cb_window_is_live (fixture->window);
}

gboolean
window_is_idle (Fixture       *fixture,
                gconstpointer  data)
{
  return !cb_window_is_live (fixture->window) && !cb_window_is_busy (fixture->window);
}

/* Screenshots. */

static gboolean
texture_is_blank (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint32 *pixels = g_malloc (stride * height);

  gdk_texture_download (texture, (guchar *) pixels, stride);
  for (gsize i = 1; i < (gsize) width * height; i++)
    if (pixels[i] != pixels[0])
      return FALSE;
  return TRUE;
}

char *
screenshot_path (const char *name)
{
  const char *dir = g_getenv ("CB_SCREENSHOT_DIR");
  const char *suffix = g_getenv ("CB_SCREENSHOT_SUFFIX");
  g_autofree char *file = g_strdup_printf ("%s%s.png", name, suffix != NULL ? suffix : "");

  return g_build_filename (dir != NULL ? dir : ".", file, NULL);
}

typedef struct
{
  GtkWidget     *widget;
  GskRenderNode *node;
  int            width;
  int            height;
} WindowImage;

/* A surface's render nodes exist only while its layout is valid: between frames that
 * change it (a row added, a label changed) there is none, so try until one comes. */
static gboolean
native_rendered (Fixture       *fixture,
                 gconstpointer  data)
{
  WindowImage *image = (WindowImage *) data;
  GtkWidget *widget = image->widget;
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;

  if (!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) <= 0 ||
      gtk_widget_get_height (widget) <= 0)
    return FALSE;

  image->width = gtk_widget_get_width (widget);
  image->height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, image->width, image->height);
  image->node = gtk_snapshot_free_to_node (snapshot);
  return image->node != NULL;
}

void
save_native_screenshot (Fixture    *fixture,
                        GtkWidget  *native,
                        const char *name)
{
  WindowImage image = { native, NULL, 0, 0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = screenshot_path (name);

  g_assert_true (GTK_IS_NATIVE (native));
  g_assert_true (wait_for (fixture, native_rendered, &image));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (native)),
                                         image.node,
                                         &GRAPHENE_RECT_INIT (0, 0, image.width, image.height));
  gsk_render_node_unref (image.node);
  g_assert_nonnull (texture);
  g_assert_false (texture_is_blank (texture));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_test_message ("screenshot: %s (%d×%d)", path, image.width, image.height);
}

void
save_window_screenshot (Fixture    *fixture,
                        const char *name)
{
  save_native_screenshot (fixture, GTK_WIDGET (fixture->window), name);
}

void
save_screen_grab (const char *name)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autofree char *path = screenshot_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int status = 0;
  const char *display = g_getenv ("DISPLAY");
  const char *argv[] = { "ffmpeg", "-loglevel", "error", "-y", "-f", "x11grab",
                         "-i", display, "-frames:v", "1", path, NULL };

  if (ffmpeg == NULL || display == NULL)
    {
      g_test_message ("no ffmpeg or no X display: no screen grab");
      return;
    }
  argv[0] = ffmpeg;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_false (texture_is_blank (texture));
  g_test_message ("screen grab: %s", path);
}
