/* test-window.c — the studio window against a real engine and server, under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user sees: the test pattern moves in the preview; a stream published over
 * REST shows in the Streams panel; Go Live puts "studio" on the server and Stop takes
 * it off; a name in use is refused and the button goes back. Screenshots are written
 * to CB_SCREENSHOT_DIR for people to look at.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>

#include "gui-util.h"

#include <json-glib/json-glib.h>

/* The engine's registry, asked on its own thread. */

typedef struct
{
  CbEngine *engine;
  char     *name;
  gboolean  found;
  gboolean  done;
} Lookup;

static gboolean
lookup_in_engine (gpointer data)
{
  Lookup *lookup = data;
  g_autoptr(CbStream) stream = cb_engine_lookup_stream (lookup->engine, lookup->name);

  g_atomic_int_set (&lookup->found, stream != NULL);
  g_atomic_int_set (&lookup->done, TRUE);
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
lookup_done (Fixture       *fixture,
             gconstpointer  data)
{
  return g_atomic_int_get (&((Lookup *) data)->done);
}

static gboolean
engine_has_stream (Fixture    *fixture,
                   const char *name)
{
  Lookup lookup = { cb_studio_get_engine (fixture->studio), (char *) name, FALSE, FALSE };

  cb_engine_invoke (lookup.engine, lookup_in_engine, &lookup, NULL);
  g_assert_true (wait_for (fixture, lookup_done, &lookup));
  return lookup.found;
}

/* Conditions. */

static gboolean
row_is_gone (Fixture       *fixture,
             gconstpointer  data)
{
  return cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data) == NULL;
}

static gboolean
row_has_bitrate (Fixture       *fixture,
                 gconstpointer  data)
{
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data);

  return row != NULL && g_strcmp0 (cb_stream_row_get_bitrate (row), "—") != 0;
}

/* Tests. */

static void
test_preview (Fixture       *fixture,
              gconstpointer  data)
{
  GdkPaintable *paintable;

  if (!wait_for (fixture, preview_has_frame, NULL))
    {
      /* Either the window said why, or the capture never delivered a frame. */
      g_test_message ("no preview frame; the window says: %s",
                      cb_window_get_preview_problem (fixture->window));
      g_test_fail ();
      return;
    }
  paintable = gtk_picture_get_paintable (cb_window_get_preview_picture (fixture->window));
  g_test_message ("preview %d×%d", gdk_paintable_get_intrinsic_width (paintable),
                  gdk_paintable_get_intrinsic_height (paintable));

  /* Before anything is published: the preview and the empty Streams panel. */
  settle ();
  save_window_screenshot (fixture, "castbridge-idle");
}

static void
test_rest_publish_shows (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *publishing[] = { "from-rest", "PUBLISHING" };
  const char *live[] = { "studio", "PUBLISHING" };
  GListModel *streams;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  streams = G_LIST_MODEL (cb_window_get_streams_model (fixture->window));
  g_assert_cmpuint (g_list_model_get_n_items (streams), ==, 0);

  /* A stream from outside the window, with no refresh asked for. */
  g_assert_cmpuint (rest_post (fixture, "castbridge/source/publish",
                               "{\"name\":\"from-rest\",\"source\":\"test\"}", NULL), ==, 200);
  g_assert_true (wait_for (fixture, row_has_status, publishing));
  /* A publisher from this machine's own sources, described as the engine describes it. */
  {
    CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window),
                                              "from-rest");
    g_autofree char *publisher = cb_format_kind (TRUE, "Local");
    g_autofree char *player = cb_format_kind (FALSE, "Local");

    g_assert_cmpstr (cb_stream_row_get_kind (row), ==, publisher);
    g_assert_cmpstr (cb_stream_row_get_kind (row), !=, player);
    g_assert_cmpstr (cb_stream_row_get_source (row), ==, "test");
    g_assert_cmpstr (cb_stream_row_get_source_label (row), ==, C_("stream source", "Test pattern"));
    if (g_getenv ("LANGUAGE") == NULL)
      {
        static const char *sources[][2] = {
          { "scene", "Scenes" },
          { "file:clips/intro.mp4", "intro.mp4" },
          { "pull rtmp://***@example.com/live/***", "Pulled from rtmp://***@example.com/live/***" },
          { "rtmp 127.0.0.1:5000 (FMLE/3.0)", "RTMP from 127.0.0.1:5000 (FMLE/3.0)" },
          { "", "—" },
          { "something new", "something new" },
        };

        g_assert_cmpstr (cb_stream_row_get_kind (row), ==, "Publisher · Local");
        for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
          {
            g_autofree char *label = cb_format_source (sources[i][0]);

            g_assert_cmpstr (label, ==, sources[i][1]);
          }
      }
  }
  /* The once-a-second poll brings the measured bitrate. */
  g_assert_true (wait_for (fixture, row_has_bitrate, "from-rest"));

  /* The window's own stream next to it, for the picture. */
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, row_has_status, live));
  g_assert_true (wait_for (fixture, row_has_bitrate, "studio"));
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  settle ();

  save_window_screenshot (fixture, "castbridge-window");
  save_screen_grab ("screen");

  /* Stopped over REST: the row goes, and so does the window's live state. */
  g_assert_cmpuint (rest_post (fixture, "castbridge/source/unpublish",
                               "{\"name\":\"from-rest\"}", NULL), ==, 200);
  g_assert_true (wait_for (fixture, row_is_gone, "from-rest"));
  g_assert_cmpuint (rest_post (fixture, "castbridge/source/unpublish",
                               "{\"name\":\"studio\"}", NULL), ==, 200);
  g_assert_true (wait_for (fixture, row_is_gone, "studio"));
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_false (gtk_toggle_button_get_active (cb_window_get_live_button (fixture->window)));
}

static gboolean
obs_url_is_set (Fixture       *fixture,
                gconstpointer  data)
{
  CbStreamsPanel *panel = cb_window_get_streams_panel (fixture->window);

  return *gtk_label_get_label (cb_streams_panel_get_obs_url_label (panel)) != '\0';
}

static GtkText *
find_text (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkText *text = GTK_IS_TEXT (child) ? GTK_TEXT (child) : find_text (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

/* Connect OBS: the server URL with the real RTMP port, and a key OBS can paste, hidden
 * until asked for. */
static void
test_connect_obs (Fixture       *fixture,
                  gconstpointer  data)
{
  CbStreamsPanel *panel = cb_window_get_streams_panel (fixture->window);
  GtkMenuButton *button = cb_streams_panel_get_obs_button (panel);
  GtkPopover *popover = gtk_menu_button_get_popover (button);
  GtkEditable *key_entry = cb_streams_panel_get_obs_key_entry (panel);
  g_autofree char *port_path = NULL;
  const char *url;
  GtkText *text;

  g_assert_true (wait_for (fixture, window_is_drawn, NULL));
  g_assert_true (wait_for (fixture, obs_url_is_set, NULL));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));

  gtk_menu_button_popup (button);
  settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));

  url = gtk_label_get_label (cb_streams_panel_get_obs_url_label (panel));
  port_path = g_strdup_printf (":%u/live", cb_studio_get_rtmp_port (fixture->studio));
  g_assert_cmpuint (cb_studio_get_rtmp_port (fixture->studio), !=, 0);
  g_assert_true (g_str_has_prefix (url, "rtmp://"));
  g_assert_true (g_str_has_suffix (url, port_path));

  /* The key is the stream name with the server's publish key. */
  g_assert_cmpstr (gtk_editable_get_text (key_entry), ==, "obs?key=s3cret");
  text = find_text (GTK_WIDGET (key_entry));
  g_assert_nonnull (text);
  g_assert_false (gtk_text_get_visibility (text));

  save_native_screenshot (fixture, GTK_WIDGET (popover), "castbridge-connect-obs");
  gtk_popover_popdown (popover);
}

static const char *obs_settings[] = {
  "rtmp_publish_key=s3cret",
  NULL,
};

static void
test_go_live (Fixture       *fixture,
              gconstpointer  data)
{
  const char *live[] = { "studio", "PUBLISHING" };
  GtkToggleButton *button = cb_window_get_live_button (fixture->window);
  GtkEditable *name_entry = cb_window_get_name_entry (fixture->window);

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  g_assert_false (engine_has_stream (fixture, "studio"));

  gtk_toggle_button_set_active (button, TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (engine_has_stream (fixture, "studio"));
  g_assert_true (wait_for (fixture, row_has_status, live));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (name_entry)));

  gtk_toggle_button_set_active (button, FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_false (engine_has_stream (fixture, "studio"));
  g_assert_true (wait_for (fixture, row_is_gone, "studio"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (name_entry)));
}

static void
test_go_live_name_in_use (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *taken[] = { "taken", "PUBLISHING" };
  GtkToggleButton *button = cb_window_get_live_button (fixture->window);

  g_assert_cmpuint (rest_post (fixture, "castbridge/source/publish",
                               "{\"name\":\"taken\",\"source\":\"test\"}", NULL), ==, 200);
  g_assert_true (wait_for (fixture, row_has_status, taken));

  gtk_editable_set_text (cb_window_get_name_entry (fixture->window), "taken");
  gtk_toggle_button_set_active (button, TRUE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  /* Refused: the button is back, the other stream untouched. */
  g_assert_false (gtk_toggle_button_get_active (button));
  g_assert_true (engine_has_stream (fixture, "taken"));

  /* A name the engine refuses never leaves the window. */
  gtk_editable_set_text (cb_window_get_name_entry (fixture->window), "");
  gtk_toggle_button_set_active (button, TRUE);
  g_assert_false (gtk_toggle_button_get_active (button));
  g_assert_true (window_is_idle (fixture, NULL));
}

static gboolean
preview_has_problem (Fixture       *fixture,
                     gconstpointer  data)
{
  return cb_window_get_preview_problem (fixture->window) != NULL;
}

static gboolean
row_from_file (Fixture       *fixture,
               gconstpointer  data)
{
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data);

  return row != NULL && g_str_has_prefix (cb_stream_row_get_source (row), "file:") &&
         g_strcmp0 (cb_stream_row_get_status (row), "PUBLISHING") == 0;
}

/* A media file: previewed, published, and the stream ends with the file. */
static void
test_media_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autofree char *dir = NULL;
  g_autofree char *clip = NULL;
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/castbridge/clip.webm");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (ffmpeg == NULL)
    {
      g_test_skip ("no ffmpeg to make a media file");
      return;
    }
  dir = g_dir_make_tmp ("castbridge-gui-XXXXXX", &error);
  g_assert_no_error (error);
  clip = g_build_filename (dir, "clip.webm", NULL);
  {
    const char *argv[] = { ffmpeg, "-loglevel", "error", "-y",
                           "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30",
                           "-f", "lavfi", "-i", "sine=frequency=440",
                           "-t", "3", "-c:v", "libvpx", "-b:v", "500k", "-c:a", "libvorbis",
                           clip, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  /* A file that is not there is a message, not a crash. */
  g_assert_true (cb_window_use_file (fixture->window, missing));
  g_assert_true (wait_for (fixture, preview_has_problem, NULL));
  g_test_message ("missing file: %s", cb_window_get_preview_problem (fixture->window));
  save_window_screenshot (fixture, "castbridge-no-preview");

  file = g_file_new_for_path (clip);
  g_assert_true (cb_window_use_file (fixture->window, file));
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  g_assert_null (cb_window_get_preview_problem (fixture->window));

  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, row_from_file, "studio"));

  /* Three seconds later the file ends, and so does the stream: the window sees it. */
  g_assert_true (wait_for (fixture, row_is_gone, "studio"));
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_false (gtk_toggle_button_get_active (cb_window_get_live_button (fixture->window)));

  g_unlink (clip);
  g_rmdir (dir);
}

/* The castbridge program itself: it says where it listens, serves REST while its window
 * is up, and quits cleanly on SIGTERM. */

static void
test_application (void)
{
  const char *program = g_getenv ("CB_CASTBRIDGE");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  LineRead read = { 0 };
  gboolean exited = FALSE;
  guint http_port = 0, ws_port = 0, rtmp_port = 0;

  if (program == NULL)
    {
      g_test_skip ("CB_CASTBRIDGE is not set");
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "CB_HTTP_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "CB_WS_PORT", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "CB_RTMP_PORT", "0", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, "-o", "bind_address=127.0.0.1",
                                         NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line_read, &read);
  g_assert_true (wait_for (&fixture, line_read, &read));
  g_assert_nonnull (read.line);
  g_test_message ("castbridge: %s", read.line);
  g_assert_cmpint (sscanf (read.line, "listening http=%u ws=%u rtmp=%u", &http_port, &ws_port,
                           &rtmp_port), ==, 3);
  g_assert_cmpuint (http_port, >, 0);
  g_assert_cmpuint (ws_port, >, 0);
  /* RTMP ingest on a port of the system's choosing, as asked. */
  g_assert_cmpuint (rtmp_port, >, 0);

  /* Its server answers while the GUI runs. */
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/rest-api/stream/find_all",
                                            http_port);
    g_autoptr(SoupMessage) message = soup_message_new ("POST", uri);
    g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
    g_autoptr(GBytes) body = NULL;

    fixture.session = soup_session_new ();
    soup_session_send_and_read_async (fixture.session, message, G_PRIORITY_DEFAULT, NULL,
                                      on_rest_done, g_object_ref (task));
    g_assert_true (wait_for (&fixture, task_done, task));
    body = g_task_propagate_pointer (task, &error);
    g_assert_no_error (error);
    g_test_message ("find_all → %u", soup_message_get_status (message));
    /* An HTTP answer from our server, whatever find_all says of no streams. */
    g_assert_cmpuint (soup_message_get_status (message), >=, 200);
    g_assert_cmpuint (soup_message_get_status (message), <, 500);
    g_clear_object (&fixture.session);
  }

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, on_exited, &exited);
  g_assert_true (wait_for (&fixture, flag_set, &exited));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_free (read.line);
}

/* Publish to another server: a second castbridge-server on loopback. */

static gboolean
remote_stream_is (Fixture    *fixture,
                  guint       port,
                  const char *status,
                  const char *video_codec)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object = NULL;
  guint http_status;

  http_status = rest_post_at (fixture, port, "stream/find", "{\"name\":\"studio-remote\"}",
                              &body);
  if (status == NULL)
    return http_status == 404;
  if (http_status != 200 || !json_parser_load_from_data (parser, body, -1, NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)
    object = json_array_get_object_element (json_node_get_array (root), 0);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);
  return object != NULL &&
         g_strcmp0 (json_object_get_string_member_with_default (object, "status", ""),
                    status) == 0 &&
         g_strcmp0 (json_object_get_string_member_with_default (object, "videoCodec", ""),
                    video_codec) == 0;
}

static gboolean
poll_remote (Fixture    *fixture,
             guint       port,
             const char *status,
             const char *video_codec)
{
  gint64 end = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      if (remote_stream_is (fixture, port, status, video_codec))
        return TRUE;
      spin_for (500);
    }
  return FALSE;
}

static gboolean
relay_is_publishing (Fixture       *fixture,
                     gconstpointer  data)
{
  CbPublishTarget *target = cb_window_get_publish_target (fixture->window);

  return g_strcmp0 (cb_publish_target_get_status (target), "PUBLISHING") == 0;
}

static void
test_publish_to (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *uri = NULL;
  GtkToggleButton *button = cb_window_get_live_button (fixture->window);
  CbPublishTarget *target = cb_window_get_publish_target (fixture->window);
  guint http_port = 0, ws_port = 0;

  if (g_getenv ("CB_SERVER_BINARY") == NULL)
    {
      g_test_skip ("CB_SERVER_BINARY is not set");
      return;
    }

  process = second_server_start (fixture, &http_port, &ws_port, NULL);

  g_assert_null (cb_publish_target_get_uri (target));
  uri = g_strdup_printf ("ws://127.0.0.1:%u", ws_port);
  cb_publish_target_set_remote (target, uri, "studio-remote");
  g_assert_cmpstr (cb_publish_target_get_uri (target), ==, uri);
  gtk_menu_button_popup (cb_publish_target_get_menu_button (target));
  spin_for (300);
  save_native_screenshot (fixture,
                          GTK_WIDGET (gtk_menu_button_get_popover (
                            cb_publish_target_get_menu_button (target))),
                          "publish-to-popover");
  gtk_menu_button_popdown (cb_publish_target_get_menu_button (target));

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  gtk_toggle_button_set_active (button, TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));

  /* The other server has it, as H.264, and the window says so. */
  g_assert_true (poll_remote (fixture, http_port, "PUBLISHING", "H264"));
  g_assert_true (wait_for (fixture, relay_is_publishing, NULL));
  spin_for (500);
  save_window_screenshot (fixture, "publish-to");

  /* Stop ends the relay too. */
  gtk_toggle_button_set_active (button, FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_null (cb_publish_target_get_status (target));
  g_assert_true (poll_remote (fixture, http_port, NULL, NULL));

  second_server_stop (fixture, g_steal_pointer (&process));
}

int
main (int   argc,
      char *argv[])
{
  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }

  g_test_add ("/cb/gui/preview", Fixture, NULL, fixture_set_up, test_preview, fixture_tear_down);
  g_test_add ("/cb/gui/rest-publish-shows", Fixture, NULL, fixture_set_up,
              test_rest_publish_shows, fixture_tear_down);
  g_test_add ("/cb/gui/connect-obs", Fixture, obs_settings, fixture_set_up, test_connect_obs,
              fixture_tear_down);
  g_test_add ("/cb/gui/go-live", Fixture, NULL, fixture_set_up, test_go_live, fixture_tear_down);
  g_test_add ("/cb/gui/go-live-name-in-use", Fixture, NULL, fixture_set_up,
              test_go_live_name_in_use, fixture_tear_down);

  g_test_add ("/cb/gui/media-file", Fixture, NULL, fixture_set_up, test_media_file,
              fixture_tear_down);
  g_test_add ("/cb/gui/publish-to", Fixture, NULL, fixture_set_up, test_publish_to,
              fixture_tear_down);
  g_test_add_func ("/cb/gui/application", test_application);

  return g_test_run ();
}
