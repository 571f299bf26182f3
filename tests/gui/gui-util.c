/* gui-util.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include <json-glib/json-glib.h>

#include "cb-preview-paintable.h"
#include "cb-scene-editor.h"
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
fixture_set_up_default_scene (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *scenes = cb_scene_editor_dup_path ();

  g_remove (scenes);
  fixture_set_up (fixture, data);
}

/* The scenes and settings files a test leaves: the scene editor and the preferences
 * write them. */
void
remove_scenes_and_settings (void)
{
  g_autofree char *scenes = cb_scene_editor_dup_path ();
  g_autofree char *settings = g_build_filename (g_get_user_config_dir (), "castbridge",
                                                "castbridge.properties", NULL);

  g_remove (scenes);
  g_remove (settings);
}

void
fixture_set_up_clean (Fixture       *fixture,
                      gconstpointer  data)
{
  remove_scenes_and_settings ();
  fixture_set_up (fixture, data);
}

void
fixture_tear_down_clean (Fixture       *fixture,
                         gconstpointer  data)
{
  fixture_tear_down (fixture, data);
  remove_scenes_and_settings ();
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&fixture->window)));
  settle ();
  /* What the window started may still be letting go of the studio (a scene's program
   * stopping, a settings write on its thread): give it a few seconds, then insist. */
  for (guint i = 0; i < 100 && G_OBJECT (fixture->studio)->ref_count > 1; i++)
    spin_for (50);
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
  /* The start of the answer: a snapshot's base64 PNG is longer than the line meson's TAP
   * reader takes, and the rest of it would be read as unknown TAP output. */
  g_test_message ("POST %s %s → %u %.*s%s", path, json, soup_message_get_status (message),
                  (int) MIN (g_bytes_get_size (body), 2000), (const char *) g_bytes_get_data (body, NULL),
                  g_bytes_get_size (body) > 2000 ? "…" : "");
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

static const char *module_paths[] = {
  "/usr/lib/nginx/modules/ngx_rtmp_module.so",
  "/usr/lib64/nginx/modules/ngx_rtmp_module.so",
};

/* nginx with the RTMP module, as tests/server/nginxrtmp.py starts it. */

guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
port_answers (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/* A failed assertion aborts the test before nginx_stop(): nginx goes with it. */
void
die_with_parent (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* NULL (and the test skipped) when nginx or its RTMP module is not installed. @port 0
 * picks a free one. */
Nginx *
nginx_start_on (guint port)
{
  g_autofree char *nginx = g_find_program_in_path ("nginx");
  const char *module = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Nginx *self;

  if (nginx == NULL && g_file_test ("/usr/sbin/nginx", G_FILE_TEST_IS_EXECUTABLE))
    nginx = g_strdup ("/usr/sbin/nginx");
  for (guint i = 0; i < G_N_ELEMENTS (module_paths); i++)
    if (g_file_test (module_paths[i], G_FILE_TEST_EXISTS))
      module = module_paths[i];
  if (nginx == NULL || module == NULL)
    {
      g_test_skip ("nginx with the RTMP module is not installed");
      return NULL;
    }

  self = g_new0 (Nginx, 1);
  self->dir = g_dir_make_tmp ("cb-gui-nginx-XXXXXX", &error);
  g_assert_no_error (error);
  self->port = port != 0 ? port : free_port ();
  conf = g_strdup_printf ("load_module %s;\n"
                          "daemon off;\n"
                          "master_process off;\n"
                          "pid %s/nginx.pid;\n"
                          "error_log %s/error.log info;\n"
                          "events { worker_connections 256; }\n"
                          "rtmp {\n"
                          "  server {\n"
                          "    listen 127.0.0.1:%u;\n"
                          "    chunk_size 4096;\n"
                          "    application live {\n"
                          "      live on;\n"
                          "      record off;\n"
                          "    }\n"
                          "  }\n"
                          "}\n",
                          module, self->dir, self->dir, self->port);
  conf_path = g_build_filename (self->dir, "nginx.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, &error));
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  self->process = g_subprocess_launcher_spawn (launcher, &error,
                                               nginx, "-c", conf_path, "-p", self->dir, NULL);
  g_assert_no_error (error);

  for (guint i = 0; i < 200 && !port_answers (self->port); i++)
    {
      /* NULL once it has exited, say for a port taken meanwhile. */
      g_assert_nonnull (g_subprocess_get_identifier (self->process));
      g_usleep (50 * 1000);
    }
  g_assert_true (port_answers (self->port));
  g_test_message ("nginx-rtmp on 127.0.0.1:%u", self->port);
  return self;
}

Nginx *
nginx_start (void)
{
  return nginx_start_on (0);
}

void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* For a failing test's log: what nginx said. */
void
nginx_log (Nginx *self)
{
  g_autofree char *path = g_build_filename (self->dir, "error.log", NULL);
  g_autofree char *log = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &log, &length, NULL))
    g_test_message ("nginx says:\n%s", length > 4000 ? log + length - 4000 : log);
}

void
nginx_stop (Nginx *self)
{
  if (self == NULL)
    return;
  g_subprocess_send_signal (self->process, SIGKILL);
  g_subprocess_wait (self->process, NULL, NULL);
  g_object_unref (self->process);
  remove_tree (self->dir);
  g_free (self->dir);
  g_free (self);
}

void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                          NULL, NULL);
  read->done = TRUE;
}

gboolean
line_read (Fixture       *fixture,
           gconstpointer  data)
{
  return ((LineRead *) data)->done;
}

void
on_exited (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

gboolean
flag_set (Fixture       *fixture,
          gconstpointer  data)
{
  return *(const gboolean *) data;
}

/* A second castbridge-server on loopback (CB_SERVER_BINARY), on ports of its own. */
GSubprocess *
second_server_start (Fixture *fixture,
                     guint   *http_port,
                     guint   *ws_port,
                     guint   *rtmp_port)
{
  guint rtmp = 0;

  const char *program = g_getenv ("CB_SERVER_BINARY");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (program);
  *http_port = 0;
  *ws_port = 0;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program,
                              "--http-port", "0", "--ws-port", "0", "--rtmp-port", "0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while (*http_port == 0)
    {
      LineRead read = { 0 };

      g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
      g_assert_true (wait_for (fixture, line_read, &read));
      g_assert_nonnull (read.line);
      g_test_message ("castbridge-server: %s", read.line);
      if (sscanf (read.line, "listening http=%u ws=%u rtmp=%u", http_port, ws_port, &rtmp) != 3)
        *http_port = 0;
      g_free (read.line);
    }
  g_assert_cmpuint (*ws_port, >, 0);
  g_assert_cmpuint (rtmp, >, 0);
  if (rtmp_port != NULL)
    *rtmp_port = rtmp;
  return g_steal_pointer (&process);
}

void
second_server_stop (Fixture     *fixture,
                    GSubprocess *process)
{
  gboolean exited = FALSE;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, on_exited, &exited);
  g_assert_true (wait_for (fixture, flag_set, &exited));
  g_object_unref (process);
}

/* Players and publishers. */

typedef struct
{
  char     *out;
  gboolean  done;
} Output;

static void
on_output_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Output *output = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &output->out, NULL,
                                        &error);
  g_assert_no_error (error);
  output->done = TRUE;
}

static gboolean
output_done (Fixture       *fixture,
             gconstpointer  data)
{
  return ((const Output *) data)->done;
}

char *
run_for_output (Fixture            *fixture,
                const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };

#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_output_done, &output);
  /* The main loop turns meanwhile: the window draws, the engine pushes. */
  if (!wait_for (fixture, output_done, &output))
    {
      /* Hung: end it, and say what it said so far. */
      g_subprocess_force_exit (process);
      g_assert_true (wait_for (fixture, output_done, &output));
    }
  return output.out != NULL ? output.out : g_strdup ("");
}

GSubprocess *
ffmpeg_publish (const char *url)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *publisher;

  if (ffmpeg == NULL)
    return NULL;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  publisher = g_subprocess_launcher_spawn (launcher, &error, ffmpeg, "-loglevel", "error",
                                           "-re", "-f", "lavfi",
                                           "-i", "testsrc=size=640x360:rate=30",
                                           "-f", "lavfi", "-i", "sine=frequency=440",
                                           "-c:v", "libx264", "-preset", "ultrafast",
                                           "-tune", "zerolatency", "-g", "30",
                                           "-pix_fmt", "yuv420p", "-c:a", "aac",
                                           "-f", "flv", url, NULL);
  g_assert_no_error (error);
  return publisher;
}

guint
ffmpeg_count_frames (Fixture    *fixture,
                     const char *url)
{
  /* One line a decoded frame ("0, dts, pts, duration, size, md5"). */
  const char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "8000000",
                         "-i", url, "-map", "0:v:0", "-frames:v", "10", "-f", "framemd5",
                         "-", NULL };
  g_autofree char *out = run_for_output (fixture, argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint frames = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    frames += g_str_has_prefix (lines[i], "0,");
  g_test_message ("ffmpeg read %u frames from %s%s%s", frames, url, frames == 0 ? ": " : "",
                  frames == 0 ? out : "");
  return frames;
}

void
assert_nowhere_shown (GtkWidget  *widget,
                      const char *secret)
{
  if (GTK_IS_LABEL (widget))
    g_assert_null (strstr (gtk_label_get_label (GTK_LABEL (widget)), secret));
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_assert_null (strstr (gtk_widget_get_tooltip_text (widget), secret));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_nowhere_shown (child, secret);
}

/* The studio's stream "studio" and its picture. */

const char *studio_publishing[] = { "studio", "PUBLISHING" };

/* The live stream's picture, as REST's stream/snapshot gives it. */
GdkTexture *
studio_snapshot (Fixture *fixture)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  guchar *decoded;
  gsize length;

  if (rest_post (fixture, "stream/snapshot", "{\"streamName\": \"studio\"}", &body) != 200)
    return NULL;
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  data = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "data");
  decoded = g_base64_decode (data, &length);
  png = g_bytes_new_take (decoded, length);
  return gdk_texture_new_from_bytes (png, &error);
}

guint32
texture_pixel (GdkTexture *texture,
               double      fx,
               double      fy)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  const guint8 *p;

  gdk_texture_download (texture, pixels, w * 4);
  p = pixels + ((int) (fy * h) * w + (int) (fx * w)) * 4;
  /* Cairo's ARGB32, native endian: B G R A in memory here. */
  return (p[2] << 16) | (p[1] << 8) | p[0];
}

gboolean
close_to (guint32 rgb,
          guint32 want)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((rgb >> shift) & 0xff) - (int) ((want >> shift) & 0xff)) > 48)
      return FALSE;
  return TRUE;
}

/* Whether @texture (NULL: not yet) has @want's colour; kept as the screenshot @name for
 * whoever looks into a failure. */
static gboolean
texture_has_pixel (GdkTexture      *texture,
                   const PixelWant *want,
                   const char      *name)
{
  g_autofree char *path = screenshot_path (name);

  if (texture == NULL)
    return FALSE;
  gdk_texture_save_to_png (texture, path);
  return close_to (texture_pixel (texture, want->x, want->y), want->rgb);
}

gboolean
stream_pixel_is (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GdkTexture) texture = studio_snapshot (fixture);

  return texture_has_pixel (texture, data, "studio-last-snapshot");
}

/* Whether the engine's "studio" has video yet; on the engine's thread. */
typedef struct {
  CbEngine *engine;
  gboolean  video;
} VideoCheck;

static gboolean
check_video_in_engine (gpointer data)
{
  VideoCheck *check = data;
  g_autoptr(CbStream) stream = cb_engine_lookup_stream (check->engine, "studio");
  g_autoptr(GstCaps) caps = stream != NULL ? cb_stream_dup_caps (stream, CB_MEDIA_VIDEO) : NULL;

  check->video = caps != NULL;
  return G_SOURCE_REMOVE;
}

gboolean
stream_has_video (Fixture       *fixture,
                  gconstpointer  data)
{
  VideoCheck check = { cb_studio_get_engine (fixture->studio), FALSE };

  run_in_engine (fixture, check_video_in_engine, &check);
  return check.video;
}

void
studio_go_live (Fixture *fixture)
{
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, row_has_status, studio_publishing));
  g_assert_true (wait_for (fixture, stream_has_video, NULL));
}

void
studio_stop_live (Fixture *fixture)
{
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

void
show_sidebar_page (Fixture    *fixture,
                   GtkWidget  *panel,
                   const char *page)
{
  GtkWidget *stack = gtk_widget_get_ancestor (panel, ADW_TYPE_VIEW_STACK);

  gtk_widget_set_visible (gtk_widget_get_parent (stack), TRUE);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), page);
  settle ();
}

guint64
preview_frames (Fixture *fixture)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (cb_window_get_preview_picture (fixture->window));

  return CB_IS_PREVIEW_PAINTABLE (paintable)
         ? cb_preview_paintable_get_n_frames (CB_PREVIEW_PAINTABLE (paintable)) : 0;
}

GdkTexture *
preview_image (Fixture *fixture)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (cb_window_get_preview_picture (fixture->window));
  int w = paintable != NULL ? gdk_paintable_get_intrinsic_width (paintable) : 0;
  int h = paintable != NULL ? gdk_paintable_get_intrinsic_height (paintable) : 0;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GdkTexture *texture;

  if (w <= 0 || h <= 0)
    return NULL;
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  return texture;
}

gboolean
preview_pixel_is (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GdkTexture) texture = preview_image (fixture);

  return texture_has_pixel (texture, data, "studio-last-preview");
}

gboolean
preview_passes (Fixture       *fixture,
                gconstpointer  data)
{
  return preview_frames (fixture) > *(const guint64 *) data;
}

GtkWidget *
find_widget (GtkWidget     *widget,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (widget, data))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_named (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

GtkWidget *
find_named_widget (GtkWidget  *widget,
                   const char *name)
{
  return find_widget (widget, is_named, name);
}

CbSceneCollection *
saved_collection (void)
{
  g_autofree char *path = cb_scene_editor_dup_path ();
  g_autofree char *json = NULL;

  if (!g_file_get_contents (path, &json, NULL, NULL))
    return NULL;
  return cb_scene_collection_from_json (json, -1, NULL);
}

CbSceneSource *
saved_source (guint id)
{
  g_autoptr(CbSceneCollection) c = saved_collection ();
  CbSceneSource *s;

  if (c == NULL || (s = cb_scene_collection_find_source (c, id)) == NULL)
    return NULL;
  return cb_scene_source_copy (s);
}

/* Audio devices for machines with none: a GStreamer device provider of this process
 * whose "microphone" and output "monitor" are live sine tones, found by the device
 * monitor as PulseAudio's or PipeWire's would be. */

#define FAKE_TYPE_AUDIO_DEVICE (fake_audio_device_get_type ())
G_DECLARE_FINAL_TYPE (FakeAudioDevice, fake_audio_device, FAKE, AUDIO_DEVICE, GstDevice)

struct _FakeAudioDevice
{
  GstDevice parent_instance;
  double    freq;
  double    volume;
  gboolean  square;
};

G_DEFINE_FINAL_TYPE (FakeAudioDevice, fake_audio_device, GST_TYPE_DEVICE)

static GstElement *
fake_audio_device_create_element (GstDevice  *device,
                                  const char *name)
{
  GstElement *src = gst_element_factory_make ("audiotestsrc", name);

  FakeAudioDevice *self = FAKE_AUDIO_DEVICE (device);

  g_object_set (src, "is-live", TRUE, "freq", self->freq, "volume", self->volume, NULL);
  if (self->square)
    gst_util_set_object_arg (G_OBJECT (src), "wave", "square");
  return src;
}

static void
fake_audio_device_class_init (FakeAudioDeviceClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = fake_audio_device_create_element;
}

static void
fake_audio_device_init (FakeAudioDevice *self)
{
}

#define FAKE_TYPE_AUDIO_PROVIDER (fake_audio_provider_get_type ())
G_DECLARE_FINAL_TYPE (FakeAudioProvider, fake_audio_provider, FAKE, AUDIO_PROVIDER, GstDeviceProvider)

struct _FakeAudioProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (FakeAudioProvider, fake_audio_provider, GST_TYPE_DEVICE_PROVIDER)

static GstDevice *
fake_audio_device_new (const char *name,
                       const char *id,
                       const char *device_class,
                       double      freq,
                       double      volume,
                       gboolean    square)
{
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple ("audio/x-raw");
  GstStructure *props = gst_structure_new ("properties",
                                           "device.class", G_TYPE_STRING, device_class,
                                           "node.name", G_TYPE_STRING, id,
                                           NULL);
  FakeAudioDevice *device = g_object_new (FAKE_TYPE_AUDIO_DEVICE,
                                          "display-name", name,
                                          "device-class", "Audio/Source",
                                          "caps", caps,
                                          "properties", props,
                                          NULL);

  gst_structure_free (props);
  device->freq = freq;
  device->volume = volume;
  device->square = square;
  return GST_DEVICE (device);
}

static GList *
fake_audio_provider_probe (GstDeviceProvider *provider)
{
  /* The microphone first: a source with no device chosen takes the first. */
  GList *devices = NULL;

  devices = g_list_append (devices, fake_audio_device_new ("Fake Microphone", "fake-mic", "sound",
                                                           440, 0.1, FALSE));
  devices = g_list_append (devices, fake_audio_device_new ("Monitor of Fake Output",
                                                           "fake-output.monitor", "monitor",
                                                           880, 0.1, FALSE));
  /* Full scale: a microphone that clips. */
  devices = g_list_append (devices, fake_audio_device_new ("Loud Microphone", "fake-loud-mic",
                                                           "sound", 220, 1.0, TRUE));
  return devices;
}

static void
fake_audio_provider_class_init (FakeAudioProviderClass *klass)
{
  GST_DEVICE_PROVIDER_CLASS (klass)->probe = fake_audio_provider_probe;
  gst_device_provider_class_set_static_metadata (GST_DEVICE_PROVIDER_CLASS (klass),
                                                 "Fake audio devices", "Audio/Source",
                                                 "Microphones and a monitor of tones, for tests",
                                                 "Castbridge");
}

static void
fake_audio_provider_init (FakeAudioProvider *self)
{
}

void
fake_audio_devices_register (void)
{
  static gboolean registered;

  /* Once per process: the tests of a binary that run one after the other all may ask. */
  if (registered)
    return;
  g_assert_true (gst_device_provider_register (NULL, "cbfakeaudio", GST_RANK_PRIMARY,
                                               FAKE_TYPE_AUDIO_PROVIDER));
  registered = TRUE;
}

/* A private session bus and the fakes on it. */

void
start_private_bus (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cb-test-bus-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (dir, "session.conf", NULL);
  g_autofree char *contents = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:tmpdir=%s</listen>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", dir);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  g_assert_true (g_file_set_contents (config, contents, -1, &error));
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                        "--print-address=1", "--config-file", config, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  /* Never stopped: GDBus ends a process whose session bus goes away. */
  g_object_ref (daemon);
}

char *
read_child_line (Fixture          *fixture,
                 GDataInputStream *out)
{
  LineRead read = { 0 };

  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  g_assert_true (wait_for (fixture, line_read, &read));
  g_assert_nonnull (read.line);
  g_test_message ("fake: %s", read.line);
  return read.line;
}
