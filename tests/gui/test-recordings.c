/* test-recordings.c — Record buttons and the Recordings panel, against a real engine and
 * server, under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user sees: the studio goes live with its test pattern; Record beside Go Live
 * starts a recording, which the Recordings panel shows as recording with its size growing,
 * the Streams row with a red indicator and the header bar with REC, the time and the size.
 * The Streams row's button stops it; the panel then shows the finished file with its
 * duration and a thumbnail. Play opens the player for vod://FILE; Delete asks first, then
 * the file is gone. Screenshots go to CB_SCREENSHOT_DIR for people to look at.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cb-recording-row.h"
#include "gui-util.h"

static char *records_dir;
static const char *settings[2];
/* The same, with the start time in the names: the default template names every recording of
 * one stream alike (see test_newest_first). */
static const char *timed_settings[3];

/* Conditions. */

static CbStreamRow *
find_publisher (Fixture *fixture)
{
  return cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), "studio");
}

static gboolean
publisher_is_live (Fixture       *fixture,
                   gconstpointer  data)
{
  CbStreamRow *row = find_publisher (fixture);

  return cb_window_is_live (fixture->window) && row != NULL &&
         g_strcmp0 (cb_stream_row_get_status (row), "PUBLISHING") == 0;
}

static gboolean
record_button_ready (Fixture       *fixture,
                     gconstpointer  data)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (cb_window_get_record_button (fixture->window)));
}

/* The live stream's running recording, once it writes and has written @data bytes. */
static CbRecording *
live_recording (Fixture *fixture)
{
  CbStreamRow *row = find_publisher (fixture);

  if (row == NULL)
    return NULL;
  return cb_recording_list_lookup_running (cb_window_get_recordings_model (fixture->window),
                                           cb_stream_row_get_media_session_id (row));
}

static gboolean
recording_has_written (Fixture       *fixture,
                       gconstpointer  data)
{
  CbRecording *recording = live_recording (fixture);

  return recording != NULL && cb_recording_get_state (recording) == CB_RECORDING_RECORDING &&
         cb_recording_get_size (recording) > *(const guint64 *) data;
}

typedef struct
{
  const char *file_name;
  char       *details;       /* what the row said before */
} RowWatch;

static CbRecordingRow *
panel_row (Fixture    *fixture,
           const char *file_name)
{
  return cb_recordings_panel_get_row (cb_window_get_recordings_panel (fixture->window),
                                      file_name);
}

static gboolean
row_details_changed (Fixture       *fixture,
                     gconstpointer  data)
{
  const RowWatch *watch = data;
  CbRecordingRow *row = panel_row (fixture, watch->file_name);

  return row != NULL &&
         g_strcmp0 (gtk_label_get_label (cb_recording_row_get_details_label (row)),
                    watch->details) != 0;
}

static gboolean
window_is_recording (Fixture *fixture)
{
  g_autofree char *indicator = cb_window_dup_record_indicator (fixture->window);

  return indicator != NULL;
}

static gboolean
recording_is_finished (Fixture       *fixture,
                       gconstpointer  data)
{
  CbRecordingList *list = cb_window_get_recordings_model (fixture->window);
  CbRecording *recording = cb_recording_list_lookup (list, data);
  CbRecordingRow *row = panel_row (fixture, data);

  return recording != NULL && row != NULL &&
         cb_recording_get_state (recording) == CB_RECORDING_FINISHED &&
         cb_recording_get_duration (recording) > 0 && cb_recording_list_is_idle (list) &&
         !window_is_recording (fixture);
}

static gboolean
recording_is_gone (Fixture       *fixture,
                   gconstpointer  data)
{
  return cb_recording_list_lookup (cb_window_get_recordings_model (fixture->window),
                                   data) == NULL && panel_row (fixture, data) == NULL;
}

/* What the list answered to Publish: the stream's name, or why not. */
typedef struct
{
  char *published;
  char *failure;
} PublishAnswer;

static void
on_published (CbRecordingList *list,
              const char      *name,
              PublishAnswer   *answer)
{
  g_free (answer->published);
  answer->published = g_strdup (name);
}

static void
on_operation_failed (CbRecordingList *list,
                     const char      *message,
                     PublishAnswer   *answer)
{
  g_free (answer->failure);
  answer->failure = g_strdup (message);
}

static gboolean
publish_answered (Fixture       *fixture,
                  gconstpointer  data)
{
  const PublishAnswer *answer = data;

  return answer->published != NULL || answer->failure != NULL;
}

static gboolean
vod_is_playing (Fixture       *fixture,
                gconstpointer  data)
{
  CbPlayerWindow *player = (CbPlayerWindow *) data;

  return cb_player_window_get_n_decoded (player) > 10 &&
         cb_player_window_get_bitrate (player) > 0;
}

static gboolean
stream_is_publishing (Fixture       *fixture,
                      gconstpointer  data)
{
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data);

  return row != NULL && g_strcmp0 (cb_stream_row_get_status (row), "PUBLISHING") == 0;
}

static gboolean
delete_dialog_closed (Fixture       *fixture,
                      gconstpointer  data)
{
  return cb_recordings_panel_get_delete_dialog ((CbRecordingsPanel *) data) == NULL;
}

static gboolean
player_is_closed (Fixture       *fixture,
                  gconstpointer  data)
{
  return cb_window_get_player (fixture->window, data) == NULL;
}

static gboolean
stream_row_shows_recording (Fixture       *fixture,
                            gconstpointer  data)
{
  CbStreamRow *row = find_publisher (fixture);

  return row != NULL && cb_stream_row_get_recording (row) == GPOINTER_TO_INT (data) &&
         (cb_stream_row_get_record_progress (row) != NULL) == GPOINTER_TO_INT (data);
}

/* The Streams row's Record button: the one visible record-button in the column view (only
 * the publisher has one). */
static gboolean
is_record_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "record-button") &&
         gtk_widget_get_visible (widget);
}

static GtkWidget *
find_record_button (GtkWidget *widget)
{
  return find_widget (widget, is_record_button, NULL);
}

static void
on_message (CbRecordingsPanel *panel,
            const char        *text,
            gpointer           data)
{
  g_test_message ("the panel says: %s", text);
}

/* A click, as the pointer makes it (a key's activation releases the button a moment
 * later). */
static void
click (gpointer button)
{
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

static char *
clipboard_text (Fixture *fixture)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
  g_auto(GValue) value = G_VALUE_INIT;

  /* Our own content: read without a round trip through the X server. */
  if (content == NULL)
    return NULL;
  g_value_init (&value, G_TYPE_STRING);
  if (!gdk_content_provider_get_value (content, &value, NULL))
    return NULL;
  return g_value_dup_string (&value);
}

/* Records the live stream until it has written something; its file name. */
static char *
start_recording (Fixture *fixture)
{
  GtkToggleButton *record_button = cb_window_get_record_button (fixture->window);
  guint64 size = 0;

  g_assert_true (wait_for (fixture, record_button_ready, NULL));
  g_assert_false (gtk_toggle_button_get_active (record_button));
  gtk_toggle_button_set_active (record_button, TRUE);
  g_assert_true (wait_for (fixture, recording_has_written, &size));
  return g_strdup (cb_recording_get_file_name (live_recording (fixture)));
}

static void
stop_recording (Fixture    *fixture,
                const char *file_name)
{
  gtk_toggle_button_set_active (cb_window_get_record_button (fixture->window), FALSE);
  g_assert_true (wait_for (fixture, recording_is_finished, file_name));
}

/* The panel lists @newer above @older, at the top, as the model does, newest first. */
static void
check_newest_first (Fixture    *fixture,
                    const char *newer,
                    const char *older)
{
  GListModel *model = G_LIST_MODEL (cb_window_get_recordings_model (fixture->window));
  GtkListBox *list_box = cb_recordings_panel_get_list_box (
                           cb_window_get_recordings_panel (fixture->window));
  g_autoptr(CbRecording) first = NULL;
  g_autoptr(CbRecording) second = NULL;

  settle ();
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  first = g_list_model_get_item (model, 0);
  second = g_list_model_get_item (model, 1);
  g_test_message ("panel: %s (started %" G_GINT64_FORMAT "), then %s (%" G_GINT64_FORMAT ")",
                  cb_recording_get_file_name (first), cb_recording_get_start_time (first),
                  cb_recording_get_file_name (second), cb_recording_get_start_time (second));
  g_assert_cmpstr (cb_recording_get_file_name (first), ==, newer);
  g_assert_cmpstr (cb_recording_get_file_name (second), ==, older);
  g_assert_cmpint (cb_recording_get_start_time (first), >, cb_recording_get_start_time (second));
  g_assert_true (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 0)) ==
                 GTK_WIDGET (panel_row (fixture, newer)));
  g_assert_true (GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 1)) ==
                 GTK_WIDGET (panel_row (fixture, older)));
}

/* Tests. */

static void
test_record (Fixture       *fixture,
             gconstpointer  data)
{
  CbRecordingsPanel *panel = cb_window_get_recordings_panel (fixture->window);
  GtkToggleButton *record_button = cb_window_get_record_button (fixture->window);
  gboolean english = g_getenv ("LANGUAGE") == NULL;
  CbRecording *recording;
  CbRecordingRow *row;
  GtkWidget *stream_button;
  AdwMessageDialog *dialog;
  CbPlayerWindow *player;
  RowWatch watch = { NULL, NULL };
  g_autofree char *file_name = NULL;
  g_autofree char *vod_name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *link = NULL;
  g_autofree char *expected_link = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *indicator = NULL;
  guint64 size = 0;

  g_signal_connect (panel, "message", G_CALLBACK (on_message), NULL);
  /* Nothing recorded yet, and nothing to record until the studio is live. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (
                      cb_window_get_recordings_model (fixture->window))), ==, 0);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (record_button)));
  g_assert_false (window_is_recording (fixture));

  /* Ctrl+R shows the Recordings page of the sidebar. */
  g_assert_false (cb_window_get_recordings_shown (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-recordings", NULL));
  g_assert_true (cb_window_get_recordings_shown (fixture->window));

  /* Live with the test pattern. */
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, publisher_is_live, NULL));
  g_assert_true (wait_for (fixture, record_button_ready, NULL));

  /* Record, beside Go Live. */
  gtk_toggle_button_set_active (record_button, TRUE);
  g_assert_true (gtk_toggle_button_get_active (record_button));
  g_assert_true (wait_for (fixture, recording_has_written, &size));
  recording = live_recording (fixture);
  file_name = g_strdup (cb_recording_get_file_name (recording));
  g_test_message ("recording into %s", file_name);
  g_assert_nonnull (file_name);
  g_assert_true (gtk_toggle_button_get_active (record_button));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (record_button)));

  /* The panel shows it recording; the file cannot be deleted or played meanwhile. */
  row = panel_row (fixture, file_name);
  g_assert_nonnull (row);
  if (english)
    g_assert_cmpstr (gtk_label_get_label (cb_recording_row_get_state_label (row)), ==,
                     "Recording");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_delete_button (row))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_play_button (row))));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (cb_recording_row_get_thumbnail_stack (row)),
                   ==, "placeholder");

  /* Its size grows, and the row says so. */
  size = cb_recording_get_size (recording);
  watch.file_name = file_name;
  watch.details = g_strdup (gtk_label_get_label (cb_recording_row_get_details_label (row)));
  g_assert_true (wait_for (fixture, recording_has_written, &size));
  g_assert_true (wait_for (fixture, row_details_changed, &watch));
  indicator = cb_window_dup_record_indicator (fixture->window);
  g_test_message ("recording: %s; header bar: %s",
                  gtk_label_get_label (cb_recording_row_get_details_label (row)), indicator);
  g_free (watch.details);

  /* At a glance: the header bar and the Streams row. */
  g_assert_nonnull (indicator);
  g_assert_true (wait_for (fixture, stream_row_shows_recording, GINT_TO_POINTER (TRUE)));

  /* The download link, copied. */
  click (cb_recording_row_get_link_button (row));
  link = clipboard_text (fixture);
  escaped = g_uri_escape_string (file_name, NULL, FALSE);
  expected_link = g_strdup_printf ("http://127.0.0.1:%u/client/records/%s",
                                   cb_studio_get_http_port (fixture->studio), escaped);
  g_assert_cmpstr (link, ==, expected_link);

  settle ();
  save_window_screenshot (fixture, "castbridge-recording");
  /* A few seconds more, so that the in-app player below has time to connect before the
   * file ends (a 2 s file was over before WHEP had connected on a loaded machine). */
  spin_for (3000);

  /* Stop, from the Streams row. */
  stream_button = find_record_button (GTK_WIDGET (cb_streams_panel_get_column_view (
                                        cb_window_get_streams_panel (fixture->window))));
  g_assert_nonnull (stream_button);
  click (stream_button);
  g_assert_true (wait_for (fixture, recording_is_finished, file_name));
  g_assert_true (wait_for (fixture, stream_row_shows_recording, GINT_TO_POINTER (FALSE)));
  g_assert_false (gtk_toggle_button_get_active (record_button));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (record_button)));

  /* Finished: a duration, a size, a thumbnail, and the buttons that were off. */
  row = panel_row (fixture, file_name);
  recording = cb_recording_row_get_recording (row);
  g_test_message ("finished: %s %s, %.1f s, %" G_GUINT64_FORMAT " bytes, thumbnail: %s",
                  gtk_label_get_label (cb_recording_row_get_details_label (row)),
                  gtk_label_get_label (cb_recording_row_get_state_label (row)),
                  cb_recording_get_duration (recording), cb_recording_get_size (recording),
                  gtk_stack_get_visible_child_name (cb_recording_row_get_thumbnail_stack (row)));
  if (english)
    g_assert_cmpstr (gtk_label_get_label (cb_recording_row_get_state_label (row)), ==,
                     "Finished");
  g_assert_cmpuint (cb_recording_get_size (recording), >, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (cb_recording_row_get_thumbnail_stack (row)),
                   ==, "picture");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_delete_button (row))));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_play_button (row))));
  /* Translated: in Russian the state is not the English word. */
  if (!english)
    g_assert_false (g_str_is_ascii (gtk_label_get_label (cb_recording_row_get_state_label (row))));
  settle ();
  save_window_screenshot (fixture, "castbridge-recordings");

  /* Keyboard: Ctrl+R puts the focus on the newest recording, and Tab reaches each of its
   * buttons, every one of which says what it does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-recordings", NULL));
  settle ();
  g_assert_true (GTK_WIDGET (row) ==
                 GTK_WIDGET (gtk_list_box_get_row_at_index (cb_recordings_panel_get_list_box (panel), 0)));
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
    GtkButton *buttons[] = {
      cb_recording_row_get_play_button (row), cb_recording_row_get_publish_button (row),
      cb_recording_row_get_folder_button (row), cb_recording_row_get_link_button (row),
      cb_recording_row_get_delete_button (row),
    };
    gboolean reached[G_N_ELEMENTS (buttons)] = { FALSE };
    guint n_reached = 0;

    g_assert_nonnull (focus);
    g_assert_true (focus == GTK_WIDGET (row) || gtk_widget_is_ancestor (focus, GTK_WIDGET (row)));
    for (guint step = 0; step < 40 && n_reached < G_N_ELEMENTS (buttons); step++)
      {
        g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture->window), GTK_DIR_TAB_FORWARD));
        focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
        for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
          if (!reached[i] && focus == GTK_WIDGET (buttons[i]))
            {
              reached[i] = TRUE;
              n_reached++;
            }
      }
    for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
      {
        g_test_message ("button %u (%s): %s by Tab", i,
                        gtk_widget_get_tooltip_text (GTK_WIDGET (buttons[i])),
                        reached[i] ? "reached" : "not reached");
        g_assert_true (reached[i]);
        g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (buttons[i])));
      }
  }

  /* Play: the in-app player, for vod://FILE. */
  vod_name = g_strconcat ("vod://", file_name, NULL);
  g_assert_null (cb_window_get_player (fixture->window, vod_name));
  click (cb_recording_row_get_play_button (row));
  player = cb_window_get_player (fixture->window, vod_name);
  g_assert_nonnull (player);
  g_assert_cmpstr (cb_player_window_get_stream_name (player), ==, vod_name);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (player)) ==
                 GTK_WINDOW (fixture->window));
  /* The recording plays: pictures decoded, over WHEP, from the studio's own server. */
  g_assert_true (wait_for (fixture, vod_is_playing, player));
  g_test_message ("the player of %s says: %s", vod_name,
                  gtk_label_get_label (cb_player_window_get_state_label (player)));
  settle ();
  save_native_screenshot (fixture, GTK_WIDGET (player), "castbridge-recording-play");
  gtk_window_close (GTK_WINDOW (player));
  g_assert_true (wait_for (fixture, player_is_closed, vod_name));

  /* Publish as vod-live: the server answers either way, and the user hears of it. */
  {
    CbRecordingList *list = cb_window_get_recordings_model (fixture->window);
    g_autofree char *name = cb_recording_dup_publish_name (recording);
    PublishAnswer answer = { NULL, NULL };
    gulong published_id = g_signal_connect (list, "published", G_CALLBACK (on_published),
                                            &answer);
    gulong failed_id = g_signal_connect (list, "operation-failed",
                                         G_CALLBACK (on_operation_failed), &answer);

    click (cb_recording_row_get_publish_button (row));
    g_assert_true (wait_for (fixture, publish_answered, &answer));
    g_test_message ("publishing as “%s”: %s", name,
                    answer.published != NULL ? "published" : answer.failure);
    g_assert_cmpstr (answer.published, ==, name);
    /* A stream like any other: listed in Streams, publishing. */
    g_assert_true (wait_for (fixture, stream_is_publishing, name));
    g_signal_handler_disconnect (list, published_id);
    g_signal_handler_disconnect (list, failed_id);
    g_free (answer.published);
    g_free (answer.failure);
  }

  /* Delete: asked first; Cancel keeps the file, Delete removes it. */
  path = g_build_filename (records_dir, file_name, NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  click (cb_recording_row_get_delete_button (row));
  dialog = cb_recordings_panel_get_delete_dialog (panel);
  g_assert_nonnull (dialog);
  settle ();
  save_native_screenshot (fixture, GTK_WIDGET (dialog), "castbridge-recording-delete");
  /* What a press on its button does: the answer, then the dialog closes. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (wait_for (fixture, delete_dialog_closed, panel));
  g_assert_nonnull (cb_recording_list_lookup (cb_window_get_recordings_model (fixture->window),
                                              file_name));

  click (cb_recording_row_get_delete_button (row));
  dialog = cb_recordings_panel_get_delete_dialog (panel);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "delete");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (wait_for (fixture, recording_is_gone, file_name));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (record_button)));
}

/* Two recordings, one after the other: the panel lists the newer one first, while it
 * records and once it is finished. */
static void
test_newest_first (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *older = NULL;
  g_autofree char *newer = NULL;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, publisher_is_live, NULL));

  older = start_recording (fixture);
  stop_recording (fixture, older);
  newer = start_recording (fixture);
  g_assert_cmpstr (newer, !=, older);
  check_newest_first (fixture, newer, older);
  stop_recording (fixture, newer);
  check_newest_first (fixture, newer, older);
  settle ();
  save_window_screenshot (fixture, "castbridge-recordings-two");

  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
}

/* What a row says of a recording a crash interrupted, and of one that failed. */
static void
test_row_states (void)
{
  CbRecordingInfo recovered = {
    .file_name = (char *) "recovered-1.mp4", .path = (char *) "/nonexistent/recovered-1.mp4",
    .stream_name = (char *) "studio", .state = CB_RECORDING_RECOVERED,
    .start_time = 1767225600000, .duration = 12.4, .size = 1536000,
    .video_codec = (char *) "H264", .audio_codec = (char *) "mpeg4-generic",
    .recovered_seconds = 12.4,
  };
  CbRecordingInfo failed = {
    .file_name = (char *) ".castbridge-x.mp4", .path = (char *) "/nonexistent/.castbridge-x.mp4",
    .stream_name = (char *) "studio", .state = CB_RECORDING_FAILED,
    .start_time = 1767225600000, .reason = (char *) "Recording stopped: the disk is almost full",
  };
  g_autoptr(CbRecording) recording = cb_recording_new (&recovered);
  g_autoptr(CbRecording) failure = cb_recording_new (&failed);
  CbRecordingRow *row = g_object_ref_sink (CB_RECORDING_ROW (cb_recording_row_new (recording)));
  CbRecordingRow *bad = g_object_ref_sink (CB_RECORDING_ROW (cb_recording_row_new (failure)));
  gboolean english = g_getenv ("LANGUAGE") == NULL;
  const char *details = gtk_label_get_label (cb_recording_row_get_details_label (row));
  const char *state = gtk_label_get_label (cb_recording_row_get_state_label (row));

  g_test_message ("recovered: %s, %s", details, state);
  if (english)
    g_assert_cmpstr (state, ==, "Recovered, 12 s");
  g_assert_nonnull (strstr (details, "0:12"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_play_button (row))));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_delete_button (row))));

  if (english)
    g_assert_cmpstr (gtk_label_get_label (cb_recording_row_get_state_label (bad)), ==, "Failed");
  g_assert_cmpstr (gtk_label_get_label (cb_recording_row_get_note_label (bad)), ==,
                   failed.reason);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (cb_recording_row_get_note_label (bad))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_play_button (bad))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (cb_recording_row_get_delete_button (bad))));

  g_object_unref (row);
  g_object_unref (bad);
  g_assert_finalize_object (g_steal_pointer (&recording));
  g_assert_finalize_object (g_steal_pointer (&failure));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *record_dir_setting = NULL;
  int status;

  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }

  /* Recordings go to a folder of the test's own, never beside the user's videos. */
  records_dir = g_dir_make_tmp ("cb-test-records-XXXXXX", &error);
  g_assert_no_error (error);
  record_dir_setting = g_strconcat ("record_dir=", records_dir, NULL);
  settings[0] = record_dir_setting;
  settings[1] = NULL;
  timed_settings[0] = record_dir_setting;
  timed_settings[1] = "stream_record_policy_template={streamName}-{startTimeMillis}";
  timed_settings[2] = NULL;

  g_test_add ("/cb/gui/recordings/record", Fixture, settings, fixture_set_up, test_record,
              fixture_tear_down);
  g_test_add ("/cb/gui/recordings/newest-first", Fixture, timed_settings, fixture_set_up,
              test_newest_first, fixture_tear_down);
  g_test_add_func ("/cb/gui/recordings/row-states", test_row_states);

  status = g_test_run ();
  remove_tree (records_dir);
  g_free (records_dir);
  return status;
}
