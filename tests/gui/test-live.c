/* test-live.c — one Go Live for every destination, the header bar while live, the
 * question before closing while live, the event log and the Relays panel, against a
 * real engine, nginx-rtmp and a second castbridge-server, under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user sees: two destinations switched on before going live start with Go Live,
 * end with Stop and come back with the next Go Live; the header bar counts the time and
 * the bitrate; closing while live asks first; a destination whose server dies shows in the
 * event log as dropped and then reconnected (and the desktop is told); a relay started in
 * the Relays panel plays on the other server, and a /pull/pull started over REST shows in
 * the panel; a WHIP push from the panel plays on the other server (an RTMP player there
 * gets frames), WHEP and RTMP pulls from the panel play here (an RTMP player here gets
 * frames), bad addresses say why without their passwords, and relays of each kind started
 * over REST show in the panel and stop from it. Screenshots go to CB_SCREENSHOT_DIR.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cb-destination-config.h"
#include "cb-destination-presets.h"
#include "cb-preferences-window.h"
#include "cb-sidebar-switcher.h"
#include "cb-window-studio.h"
#include "gui-util.h"

/* The panels. */

static CbDestinationList *
list_of (Fixture *fixture)
{
  return cb_window_get_destinations_model (fixture->window);
}

static gboolean
list_is_loaded (Fixture       *fixture,
                gconstpointer  data)
{
  return cb_destination_list_is_loaded (list_of (fixture));
}

static gboolean
list_is_saved (Fixture       *fixture,
               gconstpointer  data)
{
  return cb_destination_list_is_saved (list_of (fixture));
}

static gboolean
is_streaming (Fixture       *fixture,
              gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;

  return cb_destination_get_state (destination) == CB_PUSH_STREAMING &&
         cb_destination_is_active (destination) && !cb_destination_get_busy (destination);
}

/* Streaming again after a drop: "Disconnected" reaches the log a moment before the state
 * leaves STREAMING, so streaming alone may still be the old connection. */
static gboolean
is_streaming_again (Fixture       *fixture,
                    gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;

  return cb_destination_get_info (destination)->reconnects >= 1 && is_streaming (fixture, data);
}

static gboolean
is_off (Fixture       *fixture,
        gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;

  return !cb_destination_is_active (destination) && !cb_destination_get_busy (destination);
}

static gboolean
is_standing_by (Fixture       *fixture,
                gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  CbDestinationRow *row = cb_destinations_panel_get_row (
    cb_window_get_destinations_panel (fixture->window), destination);

  /* Off in the engine, on for the next Go Live: the switch says so. */
  return row != NULL && !cb_destination_is_active (destination) &&
         !cb_destination_get_busy (destination) && cb_destination_get_enabled (destination) &&
         gtk_switch_get_active (cb_destination_row_get_switch (row));
}

static void
activate (Fixture    *fixture,
          const char *action)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), action, NULL);
}

static void
show_pane (Fixture    *fixture,
           const char *name)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-pane",
                                  g_variant_new_string (name));
  settle ();
}

static CbDestination *
add_destination (Fixture    *fixture,
                 guint       port,
                 const char *key)
{
  g_autofree char *server = g_strdup_printf ("rtmp://127.0.0.1:%u/live", port);

  return cb_destination_list_add (list_of (fixture), CB_PRESET_CUSTOM, server, key, "studio",
                                  NULL);
}

static gboolean
header_says_live (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *stats = cb_window_dup_live_stats (fixture->window);

  /* The time, and once a tick has passed, the CPU (and the bitrate with destinations). */
  return stats != NULL && strstr (stats, "%") != NULL &&
         (data == NULL || strstr (stats, data) != NULL);
}

/* Go Live starts the stream and both destinations switched on; Stop ends all of them and
 * leaves them switched on (remembered); the next Go Live brings both back. */
static void
test_go_live_destinations (Fixture       *fixture,
                           gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  CbDestination *first, *second;
  g_autofree char *config = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *first_session = NULL;

  if (nginx == NULL)
    return;
  g_assert_true (wait_for (fixture, list_is_loaded, NULL));
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));

  first = add_destination (fixture, nginx->port, "first-key-1");
  second = add_destination (fixture, nginx->port, "second-key-2");

  /* Switched on while not live: they wait for Go Live, without an error. */
  cb_destination_list_start (list_of (fixture), first);
  cb_destination_list_start (list_of (fixture), second);
  g_assert_true (wait_for (fixture, is_standing_by, first));
  g_assert_true (wait_for (fixture, is_standing_by, second));
  g_assert_cmpstr (cb_destination_get_state_label (first), ==,
                   C_("push state", "Starts with Go Live"));

  /* One Go Live: the stream and both destinations. */
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  if (!wait_for (fixture, is_streaming, first) || !wait_for (fixture, is_streaming, second))
    {
      nginx_log (nginx);
      g_test_fail ();
      nginx_stop (nginx);
      return;
    }
  first_session = g_strdup (cb_destination_get_media_session_id (first));
  g_assert_true (wait_for (fixture, header_says_live, "bit/s"));
  stats = cb_window_dup_live_stats (fixture->window);
  g_test_message ("header bar: %s", stats);
  spin_for (2000);
  save_window_screenshot (fixture, "castbridge-live");

  /* Stop ends everything, and both stay switched on, in the file too. */
  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_true (wait_for (fixture, is_standing_by, first));
  g_assert_true (wait_for (fixture, is_standing_by, second));
  g_assert_null (cb_window_dup_live_stats (fixture->window));
  g_assert_true (wait_for (fixture, list_is_saved, NULL));
  {
    g_autofree char *path = cb_destination_config_default_path ();

    g_assert_true (g_file_get_contents (path, &config, NULL, NULL));
    g_assert_nonnull (strstr (config, "\"enabled\" : true"));
    g_assert_null (strstr (config, "first-key-1"));
  }

  /* The next Go Live brings the same set back. */
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, is_streaming, first));
  g_assert_true (wait_for (fixture, is_streaming, second));
  g_assert_cmpstr (cb_destination_get_media_session_id (first), !=, first_session);

  /* A destination's own switch still works while live. */
  cb_destination_list_stop (list_of (fixture), second);
  g_assert_true (wait_for (fixture, is_off, second));
  g_assert_true (is_streaming (fixture, first));
  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_false (cb_destination_get_enabled (second));
  g_assert_true (cb_destination_get_enabled (first));

  nginx_stop (nginx);
}

/* Closing the window while live asks first; "Keep Streaming" keeps it. */
static void
test_quit_asks (Fixture       *fixture,
                gconstpointer  data)
{
  AdwMessageDialog *dialog;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));

  /* Not live: nothing to ask. */
  g_assert_false (cb_window_request_quit (fixture->window));

  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));

  gtk_window_close (GTK_WINDOW (fixture->window));
  settle ();
  dialog = cb_window_get_quit_dialog (fixture->window);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  spin_for (300);
  save_native_screenshot (fixture, GTK_WIDGET (dialog), "castbridge-quit-asks");
  adw_message_dialog_response (dialog, "cancel");
  settle ();
  g_assert_null (cb_window_get_quit_dialog (fixture->window));
  g_assert_true (cb_window_is_live (fixture->window));

  /* Quitting asks too (the application's quit action goes through here). */
  g_assert_true (cb_window_request_quit (fixture->window));
  dialog = cb_window_get_quit_dialog (fixture->window);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  settle ();

  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

/* The event log. */

static gboolean
log_has (Fixture       *fixture,
         gconstpointer  data)
{
  g_autofree char *text = cb_event_log_dup_text (cb_window_get_event_log (fixture->window));

  return strstr (text, data) != NULL;
}

/* A destination on nginx at @port, switched on, and Go Live: it streams. */
static CbDestination *
go_live_to (Fixture    *fixture,
            guint       port,
            const char *key)
{
  CbDestination *destination;

  g_assert_true (wait_for (fixture, list_is_loaded, NULL));
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  destination = add_destination (fixture, port, key);
  cb_destination_list_start (list_of (fixture), destination);
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, is_streaming, destination));
  return destination;
}

/* The destination's server dies (the log says "Disconnected") and comes back on the same
 * port: the destination streams again by itself. Takes @nginx; the new one. */
static Nginx *
drop_and_reconnect (Fixture       *fixture,
                    Nginx         *nginx,
                    CbDestination *destination)
{
  guint port = nginx->port;

  nginx_stop (nginx);
  g_assert_true (wait_for (fixture, log_has, "Disconnected"));
  nginx = nginx_start_on (port);
  g_assert_nonnull (nginx);
  g_assert_true (wait_for (fixture, is_streaming_again, destination));
  return nginx;
}

static const char *reconnect_settings[] = {
  "studio_push_restore_interval_ms=1000",
  NULL,
};

/* The destination's server dies and comes back: the log shows the drop and the
 * reconnection (the destination reconnects by itself: the studio's default). What the
 * desktop is told is test_notifications's. */
static void
test_event_log (Fixture       *fixture,
                gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  CbEventsPanel *panel = cb_window_get_events_panel (fixture->window);
  CbDestination *destination;
  g_autofree char *shown = NULL;
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *rest_line = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *msid;
  guint port;

  if (nginx == NULL)
    return;
  port = nginx->port;
  destination = go_live_to (fixture, port, "event-key-3");
  g_assert_true (wait_for (fixture, log_has, "PUBLISHING"));
  g_assert_true (wait_for (fixture, log_has, "StreamStarted"));

  /* A push started over REST is in the log too, by its masked URL, to its last event. */
  request = g_strdup_printf ("{\"streamName\": \"studio\", \"rtmpUrl\": "
                             "\"rtmp://127.0.0.1:%u/live?token=rest-push-token\"}", port);
  g_assert_cmpuint (rest_post (fixture, "push/startup", request, &answer), ==, 200);
  rest_line = g_strdup_printf ("Destination  rtmp://127.0.0.1:%u/live?token=***  StreamStarted",
                               port);
  g_assert_true (wait_for (fixture, log_has, rest_line));
  parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, answer, -1, NULL));
  msid = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                        "mediaSessionId");
  g_clear_pointer (&request, g_free);
  request = g_strdup_printf ("{\"mediaSessionId\": \"%s\"}", msid);
  g_assert_cmpuint (rest_post (fixture, "push/terminate", request, NULL), ==, 200);
  g_clear_pointer (&rest_line, g_free);
  rest_line = g_strdup_printf ("Destination  rtmp://127.0.0.1:%u/live?token=***  StreamStopped: "
                               "Stopped by rest /terminate", port);
  g_assert_true (wait_for (fixture, log_has, rest_line));

  nginx = drop_and_reconnect (fixture, nginx, destination);

  /* Filter and search, as a person would. */
  show_pane (fixture, "events");
  gtk_drop_down_set_selected (cb_events_panel_get_filter (panel), 2);   /* Destinations */
  settle ();
  shown = cb_events_panel_dup_shown_text (panel);
  g_test_message ("destination events:\n%s", shown);
  g_assert_nonnull (strstr (shown, "Disconnected"));
  g_assert_null (strstr (shown, "PUBLISHING"));
  g_clear_pointer (&shown, g_free);
  gtk_drop_down_set_selected (cb_events_panel_get_filter (panel), 0);
  gtk_editable_set_text (cb_events_panel_get_search (panel), "disconnected");
  spin_for (500);
  shown = cb_events_panel_dup_shown_text (panel);
  g_assert_nonnull (strstr (shown, "Disconnected"));
  g_assert_null (strstr (shown, "StreamStarted"));
  /* No key in it. */
  g_assert_null (strstr (shown, "event-key-3"));
  g_clear_pointer (&shown, g_free);
  shown = cb_event_log_dup_text (cb_window_get_event_log (fixture->window));
  g_assert_null (strstr (shown, "rest-push-token"));
  gtk_editable_set_text (cb_events_panel_get_search (panel), "");
  spin_for (500);
  save_window_screenshot (fixture, "castbridge-events");

  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  nginx_stop (nginx);
}

/* Every kind of event, and what the panel does with them. */

/* The labels of each row the events panel shows, "|"-joined: time, source, subject, then
 * "kind: reason". */
static GPtrArray *
shown_rows (CbEventsPanel *panel)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *stack = g_ptr_array_new ();

  g_ptr_array_add (stack, panel);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_LIST_BOX_ROW (w) && gtk_widget_get_visible (w))
        {
          GString *text = g_string_new (NULL);
          GPtrArray *inner = g_ptr_array_new ();

          g_ptr_array_add (inner, w);
          /* Depth first, in order: the labels as they read. */
          while (inner->len > 0)
            {
              GtkWidget *x = g_ptr_array_steal_index (inner, 0);
              guint at = 0;

              if (GTK_IS_LABEL (x))
                g_string_append_printf (text, "%s%s", text->len > 0 ? "|" : "",
                                        gtk_label_get_label (GTK_LABEL (x)));
              for (GtkWidget *c = gtk_widget_get_first_child (x); c != NULL;
                   c = gtk_widget_get_next_sibling (c))
                g_ptr_array_insert (inner, at++, c);
            }
          g_ptr_array_unref (inner);
          g_ptr_array_add (rows, g_string_free (text, FALSE));
          continue;
        }
      for (GtkWidget *c = gtk_widget_get_last_child (w); c != NULL;
           c = gtk_widget_get_prev_sibling (c))
        g_ptr_array_add (stack, c);
    }
  g_ptr_array_unref (stack);
  return rows;
}

/* A row of @source with a time, a subject and a kind (@kind, unless NULL), and a reason
 * (any: "", one with @reason in it, or none asked for: NULL). */
static const char *
find_row (GPtrArray  *rows,
          const char *source,
          const char *kind,
          const char *reason)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const char *row = g_ptr_array_index (rows, i);
      g_auto(GStrv) parts = g_strsplit (row, "|", -1);
      const char *colon;
      g_autofree char *row_kind = NULL;
      const char *row_reason;

      if (g_strv_length (parts) != 4 ||
          !g_regex_match_simple ("^[0-9]{2}:[0-9]{2}:[0-9]{2}$", parts[0], 0, 0) ||
          !g_str_equal (parts[1], source) || *parts[2] == '\0')
        continue;
      colon = strstr (parts[3], ": ");
      row_kind = colon != NULL ? g_strndup (parts[3], colon - parts[3]) : g_strdup (parts[3]);
      row_reason = colon != NULL ? colon + 2 : "";
      if (*row_kind == '\0' || (kind != NULL && !g_str_equal (row_kind, kind)))
        continue;
      if (reason != NULL && (*row_reason == '\0' || strstr (row_reason, reason) == NULL))
        continue;
      return row;
    }
  return NULL;
}

typedef struct
{
  gboolean  done;
  char     *text;
} ClipboardRead;

static void
on_clipboard_read (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

/* Copy, as a person clicks it; then what the clipboard holds, read as another program
 * pastes it: through the X server, on a connection of its own (on the window's own
 * connection GDK would answer from memory). */
static char *
copy_and_read_back (Fixture       *fixture,
                    CbEventsPanel *panel)
{
  static GdkDisplay *other;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (panel));
  ClipboardRead read = { FALSE, NULL };

  if (other == NULL)
    other = gdk_display_open (gdk_display_get_name (gtk_widget_get_display (GTK_WIDGET (panel))));
  g_assert_nonnull (other);
  gdk_clipboard_set_text (clipboard, "nothing copied yet");
  g_signal_emit_by_name (cb_events_panel_get_copy_button (panel), "clicked");
  g_assert_true (gdk_clipboard_is_local (clipboard));
  settle ();
  g_assert_false (gdk_clipboard_is_local (gdk_display_get_clipboard (other)));
  gdk_clipboard_read_text_async (gdk_display_get_clipboard (other), NULL, on_clipboard_read,
                                 &read);
  g_assert_true (wait_for (fixture, flag_set, &read.done));
  g_assert_nonnull (read.text);
  return read.text;
}

static gboolean
is_recording (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *indicator = cb_window_dup_record_indicator (fixture->window);

  return indicator != NULL;
}

static char *records_dir;

static const char *kinds_settings[] = {
  "studio_push_restore=false",
  NULL,   /* record_dir=…, set in main() */
  NULL,
};

/* A stream, a destination, a relay and a recording each have something happen to them
 * (with a reason: a refused connection, a server that is not there, a full disk); each
 * shows in the panel with its time, source, kind and reason; the source filter and the
 * search narrow the list, and Copy puts what is shown on the clipboard, oldest first. */
static void
test_event_kinds (Fixture       *fixture,
                  gconstpointer  data)
{
  CbEventsPanel *panel = cb_window_get_events_panel (fixture->window);
  guint closed = free_port ();
  g_autofree char *request = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  CbDestination *destination;

  g_assert_true (wait_for (fixture, list_is_loaded, NULL));
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));

  /* A stream: the studio's own. */
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, log_has, "PUBLISHING"));

  /* A destination whose server is not there (and that does not retry: the settings). */
  destination = add_destination (fixture, closed, "kinds-key-7");
  cb_destination_list_start (list_of (fixture), destination);
  g_assert_true (wait_for (fixture, log_has, "FAILED"));

  /* A relay from an RTMP server that is not there. */
  request = g_strdup_printf ("{\"uri\":\"rtmp://127.0.0.1:%u/live/gone\","
                             "\"localStreamName\":\"relayed-in\"}", closed);
  g_assert_cmpuint (rest_post (fixture, "pull/rtmp/pull", request, NULL), ==, 200);
  g_assert_true (wait_for (fixture, log_has, "Relay  rtmp://127.0.0.1"));

  /* A recording, stopped by a disk that is "full": more free space asked for than any
   * disk has. */
  activate (fixture, "record");
  g_assert_true (wait_for (fixture, is_recording, NULL));
  g_assert_true (wait_for (fixture, log_has, "RECORDING"));
  g_assert_true (cb_studio_change_setting (fixture->studio, "record_min_free_space",
                                           "2000000000", &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (fixture, log_has, "the disk is almost full"));
  g_assert_true (cb_studio_change_setting (fixture->studio, "record_min_free_space", "200",
                                           &error));

  /* Each in the panel, as people read it. */
  show_pane (fixture, "events");
  spin_for (500);
  rows = shown_rows (panel);
  for (guint i = 0; i < rows->len; i++)
    g_test_message ("row: %s", (char *) g_ptr_array_index (rows, i));
  g_assert_nonnull (find_row (rows, "Stream", "PUBLISHING", NULL));
  g_assert_nonnull (find_row (rows, "Destination", NULL, ""));
  g_assert_nonnull (find_row (rows, "Destination", "FAILED", NULL));
  g_assert_nonnull (find_row (rows, "Relay", NULL, ""));
  g_assert_nonnull (find_row (rows, "Recording", NULL, "the disk is almost full"));
  save_window_screenshot (fixture, "castbridge-events-kinds");

  /* Destinations only; then the search too. */
  gtk_drop_down_set_selected (cb_events_panel_get_filter (panel), 2);
  settle ();
  copied = copy_and_read_back (fixture, panel);
  g_test_message ("copied:\n%s", copied);
  shown = cb_events_panel_dup_shown_text (panel);
  g_assert_cmpstr (copied, ==, shown);
  lines = g_strsplit (copied, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 3);   /* two events or more, and "" */
  for (guint i = 0; lines[i][0] != '\0'; i++)
    g_assert_nonnull (strstr (lines[i], "  Destination  "));
  g_assert_null (strstr (copied, "kinds-key-7"));
  /* Oldest first: the push started before it failed. */
  g_assert_nonnull (strstr (lines[g_strv_length (lines) - 2], "FAILED"));
  g_clear_pointer (&copied, g_free);
  g_clear_pointer (&shown, g_free);
  g_clear_pointer (&lines, g_strfreev);

  gtk_drop_down_set_selected (cb_events_panel_get_filter (panel), 0);
  gtk_editable_set_text (cb_events_panel_get_search (panel), "DISK IS ALMOST");
  spin_for (500);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = shown_rows (panel);
  /* Finishing, then finished, for that reason. */
  g_assert_cmpuint (rows->len, >=, 1);
  for (guint i = 0; i < rows->len; i++)
    g_assert_true (g_str_has_prefix (strchr (g_ptr_array_index (rows, i), '|'), "|Recording|"));
  g_assert_nonnull (find_row (rows, "Recording", "FINISHED", "the disk is almost full"));
  copied = copy_and_read_back (fixture, panel);
  g_test_message ("copied:\n%s", copied);
  lines = g_strsplit (copied, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, rows->len + 1);
  for (guint i = 0; lines[i][0] != '\0'; i++)
    g_assert_true (g_regex_match_simple ("^[0-9]{2}:[0-9]{2}:[0-9]{2}  Recording  .+  [A-Z]+: "
                                         "Recording stopped: the disk is almost full$",
                                         lines[i], 0, 0));
  g_assert_nonnull (strstr (lines[rows->len - 1], "FINISHED: "));

  /* Nothing matches: the placeholder, and nothing to copy. */
  gtk_editable_set_text (cb_events_panel_get_search (panel), "no event says this");
  spin_for (500);
  g_clear_pointer (&copied, g_free);
  copied = copy_and_read_back (fixture, panel);
  g_assert_cmpstr (copied, ==, "");
  gtk_editable_set_text (cb_events_panel_get_search (panel), "");

  g_assert_cmpuint (rest_post (fixture, "pull/rtmp/terminate", request, NULL), <, 500);
  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

/* Desktop notifications, delivered. */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
} Notifier;

/* CB_FAKE_NOTIFICATIONS on the test's private bus, owning the name GLib looks for
 * (CB_NOTIFICATION_SERVER: "fdo", the default, or "gtk"). */
static Notifier *
notifier_start (Fixture *fixture)
{
  const char *fake = g_getenv ("CB_FAKE_NOTIFICATIONS");
  const char *server = g_getenv ("CB_NOTIFICATION_SERVER");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  Notifier *self = g_new0 (Notifier, 1);

  g_assert_nonnull (fake);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  self->process = g_subprocess_launcher_spawn (launcher, &error, fake,
                                               server != NULL ? server : "fdo", NULL);
  g_assert_no_error (error);
  self->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  ready = read_child_line (fixture, self->out);
  g_assert_cmpstr (ready, ==, "ready");
  return self;
}

static void
notifier_stop (Notifier *self)
{
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  g_object_unref (self->out);
  g_object_unref (self->process);
  g_free (self);
}

/* The next notification the server got: its title, its body in @body; whether it was
 * urgent (freedesktop's "critical" urgency 2, GNOME's priority "urgent") in @urgent. */
static char *
next_notification_full (Fixture   *fixture,
                        Notifier  *notifier,
                        char     **body,
                        gboolean  *urgent)
{
  g_autofree char *line = read_child_line (fixture, notifier->out);
  g_auto(GStrv) fields = g_strsplit (line, "\t", -1);

  g_assert_cmpuint (g_strv_length (fields), ==, 4);
  g_assert_cmpstr (fields[0], ==, "notify");
  *body = g_strdup (fields[2]);
  if (urgent != NULL)
    *urgent = g_str_equal (fields[3], "2") || g_str_equal (fields[3], "urgent");
  return g_strdup (fields[1]);
}

static char *
next_notification (Fixture  *fixture,
                   Notifier *notifier,
                   char    **body)
{
  return next_notification_full (fixture, notifier, body, NULL);
}

static gboolean
is_failed (Fixture       *fixture,
           gconstpointer  data)
{
  return cb_destination_get_state ((CbDestination *) data) == CB_PUSH_FAILED;
}

static const char *notification_settings[] = {
  "studio_push_restore_attempts=3",
  "studio_push_restore_interval_ms=500",
  NULL,   /* record_dir=…, set in main() */
  NULL,
};

/* The studio as an application registered on the test's own session bus, with a fake
 * notification server there. In front of its user, the window says what happens and the
 * desktop is not told; hidden, the server gets "A Destination Dropped" (the masked
 * address and the reason), "A Destination Is Back", "A Destination Gave Up", and "A
 * Recording Stopped" for a full disk, in that order and nothing else. */
static void
test_notifications (Fixture       *fixture,
                    gconstpointer  data)
{
  Notifier *notifier = notifier_start (fixture);
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  gboolean urgent = FALSE;
  CbEventLog *log = cb_window_get_event_log (fixture->window);
  CbDestination *destination;
  Nginx *nginx = nginx_start ();
  guint port;

  if (nginx == NULL)
    {
      notifier_stop (notifier);
      return;
    }
  port = nginx->port;
  application = gtk_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  gtk_window_set_application (GTK_WINDOW (fixture->window), application);

  destination = go_live_to (fixture, port, "notify-key-9");
  masked = g_strdup_printf ("rtmp://127.0.0.1:%u/live/", port);

  /* In front of its user: the row and the log say it; no notification. */
  gtk_window_present (GTK_WINDOW (fixture->window));
  settle ();
  g_test_message ("window active: %d", gtk_window_is_active (GTK_WINDOW (fixture->window)));
  if (gtk_window_is_active (GTK_WINDOW (fixture->window)))
    {
      nginx = drop_and_reconnect (fixture, nginx, destination);
      g_assert_cmpuint (cb_event_log_count_notifications (log, "destination-dropped"), ==, 0);
      g_assert_cmpuint (cb_event_log_count_notifications (log, "destination-reconnected"), ==, 0);
    }
  else
    g_test_incomplete ("the window did not become active under this X server");

  /* Hidden, as behind another window or minimized: the desktop is told. */
  gtk_widget_set_visible (GTK_WIDGET (fixture->window), FALSE);
  settle ();
  nginx_stop (g_steal_pointer (&nginx));
  title = next_notification (fixture, notifier, &body);
  g_assert_cmpstr (title, ==, "A Destination Dropped");
  g_assert_true (g_str_has_prefix (body, masked));
  g_assert_null (strstr (body, "notify-key-9"));
  g_assert_nonnull (strstr (body, "It reconnects by itself if it can."));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&body, g_free);

  nginx = nginx_start_on (port);
  g_assert_nonnull (nginx);
  title = next_notification (fixture, notifier, &body);
  g_assert_cmpstr (title, ==, "A Destination Is Back");
  g_assert_true (g_str_has_prefix (body, masked));
  g_assert_null (strstr (body, "notify-key-9"));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&body, g_free);
  g_assert_true (wait_for (fixture, is_streaming, destination));

  /* Gone for good: dropped, three attempts half a second apart, then it gives up. */
  nginx_stop (g_steal_pointer (&nginx));
  title = next_notification (fixture, notifier, &body);
  g_assert_cmpstr (title, ==, "A Destination Dropped");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&body, g_free);
  title = next_notification_full (fixture, notifier, &body, &urgent);
  g_assert_cmpstr (title, ==, "A Destination Gave Up");
  g_assert_true (urgent);
  g_assert_true (g_str_has_prefix (body, masked));
  g_assert_null (strstr (body, "notify-key-9"));
  g_assert_true (wait_for (fixture, is_failed, destination));
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&body, g_free);

  /* A recording stopped by a full disk (more free space asked for than any disk has). */
  activate (fixture, "record");
  g_assert_true (wait_for (fixture, is_recording, NULL));
  g_assert_true (cb_studio_change_setting (fixture->studio, "record_min_free_space",
                                           "2000000000", &error));
  title = next_notification_full (fixture, notifier, &body, &urgent);
  g_assert_cmpstr (title, ==, "A Recording Stopped");
  g_assert_true (urgent);
  g_assert_cmpstr (body, ==, "studio: Recording stopped: the disk is almost full");
  g_assert_true (cb_studio_change_setting (fixture->studio, "record_min_free_space", "200",
                                           &error));

  gtk_widget_set_visible (GTK_WIDGET (fixture->window), TRUE);
  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  gtk_window_set_application (GTK_WINDOW (fixture->window), NULL);
  notifier_stop (notifier);
}

/* Reconnecting, as the preferences set it. */

typedef struct
{
  gboolean waited;        /* the destination was ever WAITING */
  gboolean counted_down;  /* its row ever showed a countdown */
  char    *first_countdown;
} Seen;

static void
on_destination_notify (CbDestination *destination,
                       GParamSpec    *pspec,
                       Seen          *seen)
{
  const char *countdown = NULL;

  if (cb_destination_get_state (destination) == CB_PUSH_WAITING)
    seen->waited = TRUE;
  g_object_get (destination, "countdown-label", &countdown, NULL);
  if (countdown != NULL && *countdown != '\0')
    {
      seen->counted_down = TRUE;
      if (seen->first_countdown == NULL)
        seen->first_countdown = g_strdup (countdown);
    }
  g_free ((char *) countdown);
}

static void
set_number (CbPreferencesWindow *prefs,
            const char          *key,
            int                  value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cb_preferences_window_get_field (prefs, key)),
                             value);
  g_assert_null (cb_preferences_window_get_message (prefs, key));
}

/* Preferences → Destinations: with "Reconnect by itself" off, a destination whose server
 * dies fails on the first drop, with no countdown, and stays failed when the server is
 * back; on, with 2 attempts 1.5 s apart, it counts down from 2 s, tries twice at that
 * pace and then gives up. */
static void
test_reconnect_off (Fixture       *fixture,
                    gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  GtkWidget *window = cb_preferences_window_new (fixture->studio, GTK_WINDOW (fixture->window));
  CbPreferencesWindow *prefs = CB_PREFERENCES_WINDOW (window);
  CbDestination *destination;
  CbDestinationRow *row;
  Seen seen = { FALSE, FALSE, NULL };
  gint64 dropped_at, failed_at;
  guint port;
  gulong handler;

  if (nginx == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  port = nginx->port;
  gtk_window_present (GTK_WINDOW (window));
  /* Off, as a person switches it. */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (cb_preferences_window_get_field (prefs, "studio_push_restore"))));
  gtk_switch_set_active (GTK_SWITCH (cb_preferences_window_get_field (prefs, "studio_push_restore")), FALSE);
  g_assert_null (cb_preferences_window_get_message (prefs, "studio_push_restore"));
  g_assert_false (cb_settings_get_bool (cb_studio_get_gui_settings (fixture->studio),
                                        "studio_push_restore"));
  spin_for (300);
  save_native_screenshot (fixture, window, "castbridge-preferences-reconnect-off");

  destination = go_live_to (fixture, port, "off-key-4");
  handler = g_signal_connect (destination, "notify", G_CALLBACK (on_destination_notify), &seen);

  nginx_stop (g_steal_pointer (&nginx));
  g_assert_true (wait_for (fixture, is_failed, destination));
  g_assert_false (seen.waited);
  g_assert_false (seen.counted_down);
  g_assert_cmpuint (cb_destination_get_info (destination)->reconnects, ==, 0);
  row = cb_destinations_panel_get_row (cb_window_get_destinations_panel (fixture->window),
                                       destination);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (cb_destination_row_get_countdown_label (row))));
  g_test_message ("off: %s; %s", cb_destination_get_state_label (destination),
                  cb_destination_get_event_label (destination));

  /* The server is back: nothing tries it (the engine's default pause is 5 s). */
  nginx = nginx_start_on (port);
  g_assert_nonnull (nginx);
  spin_for (6000);
  g_assert_true (is_failed (fixture, destination));
  g_assert_cmpuint (cb_destination_get_info (destination)->reconnects, ==, 0);
  g_assert_false (seen.waited);

  /* On, 2 attempts, 1.5 s apart; the destination switched off and on again takes it. */
  gtk_switch_set_active (GTK_SWITCH (cb_preferences_window_get_field (prefs, "studio_push_restore")), TRUE);
  set_number (prefs, "studio_push_restore_attempts", 2);
  set_number (prefs, "studio_push_restore_interval_ms", 1500);
  cb_destination_list_stop (list_of (fixture), destination);
  g_assert_true (wait_for (fixture, is_off, destination));
  cb_destination_list_start (list_of (fixture), destination);
  g_assert_true (wait_for (fixture, is_streaming, destination));

  nginx_stop (g_steal_pointer (&nginx));
  dropped_at = g_get_monotonic_time ();
  g_assert_true (wait_for (fixture, is_failed, destination));
  failed_at = g_get_monotonic_time ();
  g_test_message ("on: failed after %.1f s, %u reconnects; %s",
                  (failed_at - dropped_at) / 1e6, cb_destination_get_info (destination)->reconnects,
                  cb_destination_get_event_label (destination));
  g_assert_true (seen.waited);
  g_assert_true (seen.counted_down);
  g_assert_cmpuint (cb_destination_get_info (destination)->reconnects, ==, 2);
  /* Two pauses of 1.5 s (not the 5 s default, nor growing ones). */
  g_assert_cmpint (failed_at - dropped_at, >=, 2800 * 1000);
  g_assert_cmpint (failed_at - dropped_at, <, 9000 * 1000);
  /* From the interval, not the default 5 s: "Retry in 2 s" (1.5 s, rounded up) or less. */
  g_assert_true (g_strcmp0 (seen.first_countdown, "Retry in 2 s") == 0 ||
                 g_strcmp0 (seen.first_countdown, "Retry in 1 s") == 0);
  g_free (seen.first_countdown);

  g_signal_handler_disconnect (destination, handler);
  gtk_window_destroy (GTK_WINDOW (window));
  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

/* Relays. */

typedef struct
{
  CbRelayKind kind;
  const char *local_name;
  const char *status;    /* NULL: any */
  CbRelay    *found;
} RelayWait;

static gboolean
relay_shown (Fixture       *fixture,
             gconstpointer  data)
{
  RelayWait *wait = (RelayWait *) data;
  GListModel *model = G_LIST_MODEL (cb_window_get_relay_list (fixture->window));

  wait->found = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbRelay) relay = g_list_model_get_item (model, i);

      if (cb_relay_get_kind (relay) == wait->kind &&
          g_strcmp0 (cb_relay_get_local_name (relay), wait->local_name) == 0 &&
          (wait->status == NULL || g_strcmp0 (cb_relay_get_status (relay), wait->status) == 0) &&
          cb_relays_panel_get_row (cb_window_get_relays_panel (fixture->window), relay) != NULL)
        {
          wait->found = relay;   /* borrowed: the list keeps it */
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
relay_gone (Fixture       *fixture,
            gconstpointer  data)
{
  RelayWait wait = *(const RelayWait *) data;

  wait.status = NULL;
  return !relay_shown (fixture, &wait);
}

typedef struct
{
  guint       port;
  const char *name;
  const char *status;
} RemoteWait;

static gboolean
remote_has (Fixture       *fixture,
            gconstpointer  data)
{
  const RemoteWait *wait = data;
  g_autofree char *request = g_strdup_printf ("{\"name\":\"%s\"}", wait->name);
  g_autofree char *body = NULL;
  g_autofree char *status = g_strdup_printf ("\"status\":\"%s\"", wait->status);

  if (rest_post_at (fixture, wait->port, "stream/find", request, &body) != 200)
    return FALSE;
  spin_for (200);
  return strstr (body, status) != NULL && strstr (body, "\"videoCodec\":\"H264\"") != NULL;
}

#define RELAY_SECRET "relay-pass-5678"

static gboolean
second_server_wanted (void)
{
  if (g_getenv ("CB_SERVER_BINARY") == NULL)
    {
      g_test_skip ("CB_SERVER_BINARY is not set");
      return FALSE;
    }
  return TRUE;
}

/* A relay to a second castbridge-server started from the Relays panel plays there; a
 * /pull/pull started over REST shows in the panel; each stops with its button. */
static void
test_relays (Fixture       *fixture,
             gconstpointer  data)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;
  RelayWait push = { CB_RELAY_PUSH, "studio", "PUBLISHING", NULL };
  RelayWait pull = { CB_RELAY_PULL, "back-here", "PLAYING", NULL };
  RemoteWait remote = { 0, "studio-there", "PUBLISHING" };
  guint http_port, ws_port;

  if (!second_server_wanted ())
    return;
  server = second_server_start (fixture, &http_port, &ws_port, NULL);
  remote.port = http_port;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));

  /* The form, as a person fills it: the studio's stream is already there. A password in
   * the address never shows. */
  show_pane (fixture, "relays");
  gtk_drop_down_set_selected (cb_relays_panel_get_direction (panel), 0);
  g_assert_cmpstr (gtk_editable_get_text (cb_relays_panel_get_local_entry (panel)), ==,
                   "studio");
  url = g_strdup_printf ("ws://studio:" RELAY_SECRET "@127.0.0.1:%u", ws_port);
  gtk_editable_set_text (cb_relays_panel_get_url_entry (panel), url);
  gtk_editable_set_text (cb_relays_panel_get_remote_entry (panel), "studio-there");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_relays_panel_get_start_button (panel))));
  g_signal_emit_by_name (cb_relays_panel_get_start_button (panel), "clicked");

  g_assert_true (wait_for (fixture, relay_shown, &push));
  g_assert_true (wait_for (fixture, remote_has, &remote));
  text = cb_relays_panel_dup_row_text (panel, push.found);
  g_test_message ("push row: %s", text);
  g_assert_null (strstr (text, RELAY_SECRET));
  g_clear_pointer (&text, g_free);

  /* Over REST, the other way: it shows in the panel. */
  request = g_strdup_printf ("{\"uri\":\"ws://127.0.0.1:%u\",\"remoteStreamName\":"
                             "\"studio-there\",\"localStreamName\":\"back-here\"}", ws_port);
  g_assert_cmpuint (rest_post (fixture, "pull/pull", request, NULL), ==, 200);
  g_assert_true (wait_for (fixture, relay_shown, &pull));
  text = cb_relays_panel_dup_row_text (panel, pull.found);
  g_test_message ("pull row: %s", text);
  g_assert_nonnull (strstr (text, "Pulled over WebRTC · Receiving"));
  g_assert_true (wait_for (fixture, log_has, "back-here"));
  spin_for (1500);
  save_window_screenshot (fixture, "castbridge-relays");

  /* Stop buttons. */
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, pull.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &pull));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, push.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &push));

  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  second_server_stop (fixture, g_steal_pointer (&server));
}

/* The other kinds: WHIP, WHEP and RTMP. */

#define WHIP_SECRET "whip-token-4321"
#define PULL_SECRET "pull-pass-8765"

/* The form, as a person fills it; then Start. Direction 0 sends, 1 pulls. */
static void
start_relay (Fixture    *fixture,
             guint       direction,
             const char *url,
             const char *local,
             const char *remote)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);

  show_pane (fixture, "relays");
  gtk_drop_down_set_selected (cb_relays_panel_get_direction (panel), direction);
  gtk_editable_set_text (cb_relays_panel_get_url_entry (panel), url);
  if (local != NULL)
    gtk_editable_set_text (cb_relays_panel_get_local_entry (panel), local);
  gtk_editable_set_text (cb_relays_panel_get_remote_entry (panel), remote != NULL ? remote : "");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_relays_panel_get_start_button (panel))));
  g_signal_emit_by_name (cb_relays_panel_get_start_button (panel), "clicked");
  /* The address does not wait in the form. */
  g_assert_cmpstr (gtk_editable_get_text (cb_relays_panel_get_url_entry (panel)), ==, "");
}

/* What @wait's row says (logged), once it says @want. */
typedef struct
{
  RelayWait  *relay;
  const char *want;
} RowWait;

static gboolean
row_says (Fixture       *fixture,
          gconstpointer  data)
{
  const RowWait *wait = data;
  g_autofree char *text = NULL;

  if (!relay_shown (fixture, wait->relay))
    return FALSE;
  text = cb_relays_panel_dup_row_text (cb_window_get_relays_panel (fixture->window),
                                       wait->relay->found);
  return text != NULL && strstr (text, wait->want) != NULL;
}

static char *
row_text (Fixture  *fixture,
          RelayWait *relay)
{
  char *text = cb_relays_panel_dup_row_text (cb_window_get_relays_panel (fixture->window),
                                             relay->found);

  g_test_message ("row: %s", text);
  return text;
}

/* The figure beside a running relay's row: its stream's bitrate, once it has one. */
static gboolean
row_shows_bitrate (Fixture       *fixture,
                   gconstpointer  data)
{
  RelayWait *relay = (RelayWait *) data;
  GtkWidget *row;

  if (!relay_shown (fixture, relay))
    return FALSE;
  row = cb_relays_panel_get_row (cb_window_get_relays_panel (fixture->window), relay->found);
  for (GtkWidget *c = gtk_widget_get_first_child (row); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LABEL (c) && gtk_widget_has_css_class (c, "numeric"))
      {
        const char *label = gtk_label_get_label (GTK_LABEL (c));

        /* "2400 kbit/s", in any language; "—" while there is none. */
        return g_ascii_isdigit (*label) && !g_str_has_prefix (label, "0 ");
      }
  return FALSE;
}

/* No row, tooltip or event shows @secret. */
static void
assert_secret_hidden (Fixture    *fixture,
                      const char *secret)
{
  g_autofree char *log = cb_event_log_dup_text (cb_window_get_event_log (fixture->window));
  GListModel *model = G_LIST_MODEL (cb_window_get_relay_list (fixture->window));
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);

  assert_nowhere_shown (GTK_WIDGET (panel), secret);
  g_assert_null (strstr (log, secret));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbRelay) relay = g_list_model_get_item (model, i);
      g_autofree char *text = cb_relays_panel_dup_row_text (panel, relay);

      g_assert_null (strstr (text != NULL ? text : "", secret));
    }
}

typedef struct
{
  const char *path;     /* pull/find_all, pull/rtmp/find_all */
  const char *needle;
} RestWait;

static gboolean
rest_lists (Fixture       *fixture,
            gconstpointer  data)
{
  const RestWait *wait = data;
  g_autofree char *body = NULL;
  gboolean listed = rest_post (fixture, wait->path, "{}", &body) == 200 &&
                    strstr (body, wait->needle) != NULL;

  if (!listed)
    spin_for (200);
  return listed;
}

static gboolean
rest_lacks (Fixture       *fixture,
            gconstpointer  data)
{
  return !rest_lists (fixture, data);
}

/* Sent by WHIP from the panel to a second castbridge-server: it publishes there with
 * H.264, and an RTMP player there gets frames. The token in the address shows nowhere;
 * Stop ends it, over REST too. */
static void
test_relay_whip_push (Fixture       *fixture,
                      gconstpointer  data)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *played = NULL;
  g_autofree char *text = NULL;
  RelayWait push = { CB_RELAY_PUSH, "studio", "PUBLISHING", NULL };
  RemoteWait remote = { 0, "studio-whip", "PUBLISHING" };
  RestWait listed = { "pull/find_all", "/whip/studio-whip" };
  guint http_port, ws_port, rtmp_port;

  if (!second_server_wanted ())
    return;
  server = second_server_start (fixture, &http_port, &ws_port, &rtmp_port);
  remote.port = http_port;
  studio_go_live (fixture);

  /* The name there is the URL's: the form's field stays empty. */
  url = g_strdup_printf ("http://127.0.0.1:%u/whip/studio-whip?token=" WHIP_SECRET, http_port);
  start_relay (fixture, 0, url, NULL, NULL);
  g_assert_true (wait_for (fixture, relay_shown, &push));
  g_assert_true (wait_for (fixture, remote_has, &remote));
  played = g_strdup_printf ("rtmp://127.0.0.1:%u/live/studio-whip", rtmp_port);
  g_assert_cmpuint (ffmpeg_count_frames (fixture, played), >, 0);

  text = row_text (fixture, &push);
  g_assert_nonnull (strstr (text, "studio → studio-whip"));
  g_assert_nonnull (strstr (text, "Sent over WebRTC · Relaying"));
  g_assert_nonnull (strstr (text, "token=***"));
  g_assert_true (wait_for (fixture, row_shows_bitrate, &push));
  g_assert_true (wait_for (fixture, rest_lists, &listed));
  assert_secret_hidden (fixture, WHIP_SECRET);

  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, push.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &push));
  g_assert_true (wait_for (fixture, rest_lacks, &listed));
  assert_secret_hidden (fixture, WHIP_SECRET);

  studio_stop_live (fixture);
  second_server_stop (fixture, g_steal_pointer (&server));
}

/* Pulled from the panel by WHEP and by RTMP from a second castbridge-server (where ffmpeg
 * publishes): each plays here, an RTMP player here gets frames. The password in the RTMP
 * address shows nowhere. */
static void
test_relay_pulls (Fixture       *fixture,
                  gconstpointer  data)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) publisher = NULL;
  g_autofree char *source = NULL;
  g_autofree char *url = NULL;
  g_autofree char *played = NULL;
  g_autofree char *text = NULL;
  RelayWait whep = { CB_RELAY_PULL, "whep-here", "PLAYING", NULL };
  RelayWait rtmp = { CB_RELAY_RTMP_PULL, "rtmp-here", "PLAYING", NULL };
  RemoteWait there = { 0, "there", "PUBLISHING" };
  RowWait rtmp_rate = { &rtmp, "bit/s" };
  guint http_port, ws_port, rtmp_port;

  if (!second_server_wanted ())
    return;
  server = second_server_start (fixture, &http_port, &ws_port, &rtmp_port);
  there.port = http_port;
  source = g_strdup_printf ("rtmp://127.0.0.1:%u/live/there", rtmp_port);
  publisher = ffmpeg_publish (source);
  if (publisher == NULL)
    {
      g_test_skip ("no ffmpeg");
      second_server_stop (fixture, g_steal_pointer (&server));
      return;
    }
  g_assert_true (wait_for (fixture, remote_has, &there));

  /* WHEP: the name there is the URL's. */
  url = g_strdup_printf ("http://127.0.0.1:%u/whep/there", http_port);
  start_relay (fixture, 1, url, "whep-here", NULL);
  g_assert_true (wait_for (fixture, relay_shown, &whep));
  played = g_strdup_printf ("rtmp://127.0.0.1:%u/live/whep-here",
                            cb_studio_get_rtmp_port (fixture->studio));
  g_assert_cmpuint (ffmpeg_count_frames (fixture, played), >, 0);
  text = row_text (fixture, &whep);
  g_assert_nonnull (strstr (text, "whep-here ← there"));
  g_assert_true (wait_for (fixture, row_shows_bitrate, &whep));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&played, g_free);

  /* RTMP, with a password in the address. */
  url = g_strdup_printf ("rtmp://studio:" PULL_SECRET "@127.0.0.1:%u/live/there", rtmp_port);
  start_relay (fixture, 1, url, "rtmp-here", NULL);
  g_assert_true (wait_for (fixture, relay_shown, &rtmp));
  played = g_strdup_printf ("rtmp://127.0.0.1:%u/live/rtmp-here",
                            cb_studio_get_rtmp_port (fixture->studio));
  g_assert_cmpuint (ffmpeg_count_frames (fixture, played), >, 0);
  g_assert_true (wait_for (fixture, row_says, &rtmp_rate));
  text = row_text (fixture, &rtmp);
  g_assert_nonnull (strstr (text, "Pulled over RTMP · Receiving"));
  g_assert_true (wait_for (fixture, log_has, "rtmp-here"));
  assert_secret_hidden (fixture, PULL_SECRET);

  /* Stop buttons. */
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, rtmp.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &rtmp));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, whep.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &whep));
  assert_secret_hidden (fixture, PULL_SECRET);

  g_subprocess_force_exit (publisher);
  g_subprocess_wait (publisher, NULL, NULL);
  second_server_stop (fixture, g_steal_pointer (&server));
}

static gboolean
relay_count_is (Fixture       *fixture,
                gconstpointer  data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (cb_window_get_relay_list (fixture->window))) ==
         GPOINTER_TO_UINT (data);
}

static gboolean
form_error_shown (Fixture       *fixture,
                  gconstpointer  data)
{
  return gtk_widget_get_visible (GTK_WIDGET (cb_relays_panel_get_error_label (
    cb_window_get_relays_panel (fixture->window))));
}

/* Bad addresses: a clear error, in the form or the row, never the password. */
static void
test_relay_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);
  GtkLabel *error = cb_relays_panel_get_error_label (panel);
  guint dead = free_port ();
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;
  RelayWait push = { CB_RELAY_PUSH, "studio", "FAILED", NULL };
  RelayWait whep = { CB_RELAY_PULL, "whep-nowhere", "FAILED", NULL };
  RelayWait rtmp = { CB_RELAY_RTMP_PULL, "rtmp-nowhere", NULL, NULL };
  RowWait rtmp_reason = { &rtmp, "Waiting to retry: " };

  studio_go_live (fixture);

  /* A scheme no relay speaks: the form says so. */
  start_relay (fixture, 0, "ftp://studio:" PULL_SECRET "@127.0.0.1/whip/x", NULL, NULL);
  g_assert_true (wait_for (fixture, form_error_shown, NULL));
  g_test_message ("form says: %s", gtk_label_get_label (error));
  g_assert_nonnull (strstr (gtk_label_get_label (error), "ws://"));
  start_relay (fixture, 1, "ftp://studio:" PULL_SECRET "@127.0.0.1/whep/x", "ftp-here", "x");
  g_assert_true (wait_for (fixture, form_error_shown, NULL));
  g_assert_nonnull (strstr (gtk_label_get_label (error), "ws://"));
  assert_secret_hidden (fixture, PULL_SECRET);

  /* Nothing listens there: the row says why. */
  url = g_strdup_printf ("http://127.0.0.1:%u/whip/x?token=" PULL_SECRET, dead);
  /* Back to sending: the stream sent is the studio's again, not the pull's name. */
  gtk_drop_down_set_selected (cb_relays_panel_get_direction (panel), 0);
  g_assert_cmpstr (gtk_editable_get_text (cb_relays_panel_get_local_entry (panel)), ==, "studio");
  start_relay (fixture, 0, url, NULL, NULL);
  g_assert_true (wait_for (fixture, relay_shown, &push));
  text = row_text (fixture, &push);
  g_assert_nonnull (strstr (text, "Relay failed: "));
  g_assert_false (row_shows_bitrate (fixture, &push));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&url, g_free);

  /* The same stream and name to another (dead) server: a relay of its own, which the
   * first one's Stop leaves alone. */
  url = g_strdup_printf ("ws://studio:" PULL_SECRET "@127.0.0.1:%u", dead);
  start_relay (fixture, 0, url, "studio", "x");
  g_assert_true (wait_for (fixture, relay_count_is, GUINT_TO_POINTER (2)));
  g_clear_pointer (&url, g_free);
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, push.found), "clicked");
  g_assert_true (wait_for (fixture, relay_count_is, GUINT_TO_POINTER (1)));
  g_assert_true (wait_for (fixture, relay_shown, &push));
  text = row_text (fixture, &push);
  g_assert_nonnull (strstr (text, "ws://"));
  g_clear_pointer (&text, g_free);

  url = g_strdup_printf ("https://studio:" PULL_SECRET "@127.0.0.1:%u/whep/x", dead);
  start_relay (fixture, 1, url, "whep-nowhere", NULL);
  g_assert_true (wait_for (fixture, relay_shown, &whep));
  text = row_text (fixture, &whep);
  g_assert_nonnull (strstr (text, "Relay failed: "));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&url, g_free);

  url = g_strdup_printf ("rtmp://studio:" PULL_SECRET "@127.0.0.1:%u/live/x", dead);
  start_relay (fixture, 1, url, "rtmp-nowhere", NULL);
  g_assert_true (wait_for (fixture, row_says, &rtmp_reason));
  text = row_text (fixture, &rtmp);
  g_clear_pointer (&text, g_free);

  g_assert_true (wait_for (fixture, log_has, "rtmp-nowhere"));
  spin_for (500);
  save_window_screenshot (fixture, "castbridge-relays-errors");
  assert_secret_hidden (fixture, PULL_SECRET);
  {
    g_autofree char *log = cb_event_log_dup_text (cb_window_get_event_log (fixture->window));

    g_test_message ("event log:\n%s", log);
  }

  /* Each goes with its button, the failed ones too. */
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, rtmp.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &rtmp));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, whep.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &whep));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, push.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &push));
  /* The log says why they ended: not their last failure. */
  g_assert_true (wait_for (fixture, log_has, "ENDED: Stopped in the studio"));
  g_assert_false (log_has (fixture, "ENDED: Could not connect"));

  studio_stop_live (fixture);
}

/* Started over REST, each kind shows in the panel (the screenshot has the three); Stop
 * in the panel ends them over REST too. */
static void
test_relays_rest (Fixture       *fixture,
                  gconstpointer  data)
{
  CbRelaysPanel *panel = cb_window_get_relays_panel (fixture->window);
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *request = NULL;
  RelayWait push = { CB_RELAY_PUSH, "studio", "PUBLISHING", NULL };
  RelayWait whep = { CB_RELAY_PULL, "whep-back", "PLAYING", NULL };
  RelayWait rtmp = { CB_RELAY_RTMP_PULL, "rtmp-back", "PLAYING", NULL };
  RemoteWait remote = { 0, "rest-whip", "PUBLISHING" };
  RestWait pushed = { "pull/find_all", "\"localStreamName\":\"studio\"" };
  RestWait pulled = { "pull/find_all", "\"localStreamName\":\"whep-back\"" };
  RestWait rtmp_pulled = { "pull/rtmp/find_all", "\"localStreamName\":\"rtmp-back\"" };
  guint http_port, ws_port, rtmp_port;

  if (!second_server_wanted ())
    return;
  server = second_server_start (fixture, &http_port, &ws_port, &rtmp_port);
  remote.port = http_port;
  studio_go_live (fixture);

  request = g_strdup_printf ("{\"uri\":\"http://127.0.0.1:%u/whip/rest-whip?token=" WHIP_SECRET
                             "\",\"localStreamName\":\"studio\","
                             "\"remoteStreamName\":\"rest-whip\"}",
                             http_port);
  g_assert_cmpuint (rest_post (fixture, "pull/push", request, NULL), ==, 200);
  g_assert_true (wait_for (fixture, remote_has, &remote));
  g_clear_pointer (&request, g_free);
  request = g_strdup_printf ("{\"uri\":\"http://127.0.0.1:%u/whep/rest-whip\","
                             "\"remoteStreamName\":\"rest-whip\","
                             "\"localStreamName\":\"whep-back\"}",
                             http_port);
  g_assert_cmpuint (rest_post (fixture, "pull/pull", request, NULL), ==, 200);
  g_clear_pointer (&request, g_free);
  request = g_strdup_printf ("{\"uri\":\"rtmp://127.0.0.1:%u/live/rest-whip\","
                             "\"localStreamName\":\"rtmp-back\"}", rtmp_port);
  g_assert_cmpuint (rest_post (fixture, "pull/rtmp/pull", request, NULL), ==, 200);

  g_assert_true (wait_for (fixture, relay_shown, &push));
  g_assert_true (wait_for (fixture, relay_shown, &whep));
  g_assert_true (wait_for (fixture, relay_shown, &rtmp));
  g_assert_true (wait_for (fixture, rest_lists, &pushed));
  g_assert_true (wait_for (fixture, rest_lists, &pulled));
  g_assert_true (wait_for (fixture, rest_lists, &rtmp_pulled));
  /* Each with its bitrate beside it. */
  g_assert_true (wait_for (fixture, row_shows_bitrate, &push));
  g_assert_true (wait_for (fixture, row_shows_bitrate, &whep));
  g_assert_true (wait_for (fixture, row_shows_bitrate, &rtmp));
  g_free (row_text (fixture, &push));
  g_free (row_text (fixture, &whep));
  g_free (row_text (fixture, &rtmp));
  assert_secret_hidden (fixture, WHIP_SECRET);
  show_pane (fixture, "relays");
  spin_for (2000);
  save_window_screenshot (fixture, "castbridge-relays-kinds");

  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, rtmp.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &rtmp));
  g_assert_true (wait_for (fixture, rest_lacks, &rtmp_pulled));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, whep.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &whep));
  g_assert_true (wait_for (fixture, rest_lacks, &pulled));
  g_signal_emit_by_name (cb_relays_panel_get_stop_button (panel, push.found), "clicked");
  g_assert_true (wait_for (fixture, relay_gone, &push));
  g_assert_true (wait_for (fixture, rest_lacks, &pushed));

  studio_stop_live (fixture);
  second_server_stop (fixture, g_steal_pointer (&server));
}

/* Every widget the header bar shows lies inside it and the window, and the source drop-downs
 * have their natural width (nothing clipped, no label cut short): the header's start
 * left out the program meter and the icons first. */
static void
assert_in_header (GtkWidget *widget,
                  GtkWidget *header)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  g_assert_true (gtk_widget_compute_bounds (widget, header, &bounds));
  if (bounds.origin.x < -0.5 || bounds.origin.x + bounds.size.width > gtk_widget_get_width (header) + 0.5)
    g_error ("%s at %.0f, %.0f wide, outside a header bar %d wide", G_OBJECT_TYPE_NAME (widget),
             bounds.origin.x, bounds.size.width, gtk_widget_get_width (header));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    assert_in_header (c, header);
}

static void
assert_header_fits (Fixture *fixture)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *header = gtk_widget_get_ancestor (GTK_WIDGET (cb_window_get_live_button (fixture->window)),
                                               ADW_TYPE_HEADER_BAR);
  GtkWidget *start = gtk_widget_get_parent (GTK_WIDGET (cb_window_get_program_meter (fixture->window)));

  graphene_rect_t bounds;

  /* The header bar spans the window (a pixel of its border either side). */
  g_assert_true (gtk_widget_compute_bounds (header, window, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, -1);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (window) + 1);
  for (GtkWidget *c = gtk_widget_get_first_child (header); c != NULL; c = gtk_widget_get_next_sibling (c))
    assert_in_header (c, header);
  for (GtkWidget *c = gtk_widget_get_first_child (start); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_DROP_DOWN (c))
      {
        int natural;

        gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
        g_assert_cmpint (gtk_widget_get_width (c), >=, natural);
      }
}

static gboolean
is_label_saying (GtkWidget     *widget,
                 gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

/* The Streams list's Name cell shows the whole short name "studio": the spare width goes to
 * Name, and columns hide before it is cut. */
static void
assert_stream_name_whole (Fixture *fixture)
{
  GtkColumnView *view = cb_streams_panel_get_column_view (cb_window_get_streams_panel (fixture->window));
  GtkLabel *name = GTK_LABEL (find_widget (GTK_WIDGET (view), is_label_saying, "studio"));
  int natural;

  g_assert_nonnull (name);
  gtk_widget_measure (GTK_WIDGET (name), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_test_message ("Name cell: %d pixels of %d", gtk_widget_get_width (GTK_WIDGET (name)), natural);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (name)), >=, natural);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (name)));
}

/* The sidebar's page buttons: one per page, in the window, and the open page's name
 * whole beside its icon (the others are icons, their names in tooltips). */
static gboolean
is_sidebar_switcher (GtkWidget     *widget,
                     gconstpointer  data)
{
  return CB_IS_SIDEBAR_SWITCHER (widget);
}

static void
assert_sidebar_names (Fixture    *fixture,
                      const char *page)
{
  GtkWidget *switcher = find_widget (GTK_WIDGET (fixture->window), is_sidebar_switcher, NULL);
  guint n = 0, active = 0;
  int x_end = 0;

  g_assert_nonnull (switcher);
  for (GtkWidget *b = gtk_widget_get_first_child (switcher); b != NULL; b = gtk_widget_get_next_sibling (b))
    {
      GtkWidget *label = gtk_widget_get_last_child (gtk_button_get_child (GTK_BUTTON (b)));
      graphene_rect_t bounds;

      n++;
      g_assert_nonnull (gtk_widget_get_tooltip_text (b));
      g_assert_true (gtk_widget_compute_bounds (b, GTK_WIDGET (fixture->window), &bounds));
      x_end = MAX (x_end, (int) (bounds.origin.x + bounds.size.width));
      if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (b)))
        {
          int natural;

          active++;
          g_assert_cmpstr (g_object_get_data (G_OBJECT (b), "cb-page"), ==, page);
          g_assert_true (gtk_widget_get_visible (label));
          gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
          g_assert_cmpint (gtk_widget_get_width (label), >=, natural);
        }
      else
        g_assert_false (gtk_widget_get_visible (label));
    }
  /* Destinations, Relays, Recordings, Events, Scenes, Mixer. */
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpuint (active, ==, 1);
  g_assert_cmpint (x_end, <=, gtk_widget_get_width (GTK_WIDGET (fixture->window)));
}

/* For the Russian screenshots: the Relays and Events panels, the shortcuts window. */
static void
test_panels (Fixture       *fixture,
             gconstpointer  data)
{
  GtkBuilder *builder;
  GtkWidget *shortcuts;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  activate (fixture, "go-live");
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, header_says_live, NULL));
  /* Mute the microphone: the default scene has none in the Mixer, which the toast says;
   * nothing is muted and the stream goes on (test-mixer.c mutes one). */
  activate (fixture, "mute-mic");
  {
    g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (fixture->window),
                                                                 "mute-mic");

    g_assert_false (g_variant_get_boolean (state));
  }
  spin_for (500);
  g_assert_true (cb_window_is_live (fixture->window));

  /* The question before closing, in this language too. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  settle ();
  g_assert_nonnull (cb_window_get_quit_dialog (fixture->window));
  spin_for (300);
  save_native_screenshot (fixture, GTK_WIDGET (cb_window_get_quit_dialog (fixture->window)),
                          "castbridge-quit-live");
  adw_message_dialog_response (cb_window_get_quit_dialog (fixture->window), "cancel");
  settle ();

  show_pane (fixture, "relays");
  spin_for (500);
  save_window_screenshot (fixture, "castbridge-relays-panel");
  assert_sidebar_names (fixture, "relays");
  show_pane (fixture, "events");
  spin_for (500);
  save_window_screenshot (fixture, "castbridge-events-panel");
  assert_sidebar_names (fixture, "events");

  builder = gtk_builder_new_from_resource ("/io/castbridge/Castbridge/gtk/help-overlay.ui");
  shortcuts = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_nonnull (shortcuts);
  gtk_window_present (GTK_WINDOW (shortcuts));
  spin_for (800);
  save_native_screenshot (fixture, shortcuts, "castbridge-shortcuts");
  gtk_window_destroy (GTK_WINDOW (shortcuts));
  g_object_unref (builder);

  /* The smallest screen the window is made for. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1024, 600);
  spin_for (1500);
  settle ();
  save_window_screenshot (fixture, "castbridge-1024x600");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 1024);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (fixture->window)), <=, 600);
  assert_header_fits (fixture);
  assert_stream_name_whole (fixture);
  show_pane (fixture, "destinations");
  settle ();
  assert_sidebar_names (fixture, "destinations");
  /* Live, at 1024 pixels the header has no room for the program meter (the Mixer has it). */
  g_assert_false (gtk_widget_get_child_visible (GTK_WIDGET (cb_window_get_program_meter (fixture->window))));
  /* Between that and the default width, the same holds. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 600);
  spin_for (800);
  settle ();
  save_window_screenshot (fixture, "castbridge-1100x600");
  assert_header_fits (fixture);
  assert_stream_name_whole (fixture);

  activate (fixture, "stop");
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *record_dir_setting = NULL;
  int status;

  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }
  /* Recordings go to a folder of the test's own. */
  records_dir = g_dir_make_tmp ("cb-test-live-records-XXXXXX", NULL);
  g_assert_nonnull (records_dir);
  record_dir_setting = g_strconcat ("record_dir=", records_dir, NULL);
  kinds_settings[1] = record_dir_setting;
  notification_settings[2] = record_dir_setting;

  g_test_add ("/cb/gui/live/go-live-destinations", Fixture, NULL, fixture_set_up,
              test_go_live_destinations, fixture_tear_down);
  g_test_add ("/cb/gui/live/quit-asks", Fixture, NULL, fixture_set_up, test_quit_asks,
              fixture_tear_down);
  g_test_add ("/cb/gui/live/event-log", Fixture, reconnect_settings, fixture_set_up,
              test_event_log, fixture_tear_down);
  g_test_add ("/cb/gui/live/event-kinds", Fixture, kinds_settings, fixture_set_up_clean,
              test_event_kinds, fixture_tear_down_clean);
  g_test_add ("/cb/gui/live/reconnect-off", Fixture, NULL, fixture_set_up_clean,
              test_reconnect_off, fixture_tear_down_clean);
  /* Only on a bus of its own (meson's "notifications" tests): GLib picks its notification
   * server once per process. */
  if (g_getenv ("CB_FAKE_NOTIFICATIONS") != NULL)
    {
      start_private_bus ();
      g_test_add ("/cb/gui/live/notifications", Fixture, notification_settings,
                  fixture_set_up_clean, test_notifications, fixture_tear_down_clean);
    }
  g_test_add ("/cb/gui/live/relays", Fixture, NULL, fixture_set_up, test_relays,
              fixture_tear_down);
  g_test_add ("/cb/gui/live/relay-whip-push", Fixture, NULL, fixture_set_up,
              test_relay_whip_push, fixture_tear_down);
  g_test_add ("/cb/gui/live/relay-pulls", Fixture, NULL, fixture_set_up, test_relay_pulls,
              fixture_tear_down);
  g_test_add ("/cb/gui/live/relay-errors", Fixture, NULL, fixture_set_up, test_relay_errors,
              fixture_tear_down);
  g_test_add ("/cb/gui/live/relays-rest", Fixture, NULL, fixture_set_up, test_relays_rest,
              fixture_tear_down);
  g_test_add ("/cb/gui/live/panels", Fixture, NULL, fixture_set_up, test_panels,
              fixture_tear_down);

  status = g_test_run ();
  remove_tree (records_dir);
  g_free (records_dir);
  return status;
}
