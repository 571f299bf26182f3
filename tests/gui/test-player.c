/* test-player.c — the player window, against a real engine and server, under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user sees: the studio goes live with its test pattern; activating the stream's
 * row in the Streams panel (a double-click) opens a window that plays it over WebRTC
 * from the studio's own server, with the picture moving and the statistics filled in;
 * the server lists the player next to the publisher; closing the window ends the
 * player on the server and leaves the publisher alone. A screenshot of the player is
 * written to CB_SCREENSHOT_DIR for people to look at.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "gui-util.h"

/* Conditions. */

static CbStreamRow *
find_row (Fixture  *fixture,
          gboolean  published,
          guint    *position)
{
  GListModel *model = G_LIST_MODEL (cb_window_get_streams_model (fixture->window));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbStreamRow) row = g_list_model_get_item (model, i);

      if (g_strcmp0 (cb_stream_row_get_name (row), "studio") == 0 &&
          cb_stream_row_get_published (row) == published)
        {
          if (position != NULL)
            *position = i;
          /* The list holds it. */
          return row;
        }
    }
  return NULL;
}

static gboolean
publisher_row_has_size (Fixture       *fixture,
                        gconstpointer  data)
{
  CbStreamRow *row = find_row (fixture, TRUE, NULL);

  return row != NULL && g_strcmp0 (cb_stream_row_get_status (row), "PUBLISHING") == 0 &&
         strstr (cb_stream_row_get_video (row), "×") != NULL;
}

static gboolean
player_row_shown (Fixture       *fixture,
                  gconstpointer  data)
{
  return find_row (fixture, FALSE, NULL) != NULL;
}

static gboolean
player_row_gone (Fixture       *fixture,
                 gconstpointer  data)
{
  return find_row (fixture, FALSE, NULL) == NULL;
}

static gboolean
player_is_playing (Fixture       *fixture,
                   gconstpointer  data)
{
  CbPlayerWindow *player = (CbPlayerWindow *) data;

  return cb_player_window_get_n_decoded (player) > 10 &&
         cb_player_window_get_bitrate (player) > 0 &&
         g_strcmp0 (gtk_label_get_label (cb_player_window_get_resolution_label (player)),
                    "—") != 0 &&
         g_strcmp0 (gtk_label_get_label (cb_player_window_get_fps_label (player)), "—") != 0;
}

/* The round trip comes from the server's sender, once our first receiver report is back. */
static gboolean
player_has_rtt (Fixture       *fixture,
                gconstpointer  data)
{
  CbPlayerWindow *player = (CbPlayerWindow *) data;

  return g_strcmp0 (gtk_label_get_label (cb_player_window_get_rtt_label (player)), "—") != 0;
}

static gboolean
player_has_stopped (Fixture       *fixture,
                    gconstpointer  data)
{
  CbPlayerWindow *player = (CbPlayerWindow *) data;

  return !cb_player_window_is_playing (player);
}

static gboolean
player_is_closed (Fixture       *fixture,
                  gconstpointer  data)
{
  return cb_window_get_player (fixture->window, "studio") == NULL;
}

static void
on_play_requested (CbStreamsPanel *panel,
                   const char     *name,
                   guint          *count)
{
  (*count)++;
}

/* The server's players of "studio", over REST as a script asks: their count, 0 for 404. */
static guint
count_server_players (Fixture *fixture)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status;
  JsonNode *root;

  status = rest_post (fixture, "stream/find", "{\"name\":\"studio\",\"published\":false}", &body);
  if (status == 404)
    return 0;
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_get_length (json_node_get_array (root));
}

/* Tests. */

static void
test_player (Fixture       *fixture,
             gconstpointer  data)
{
  CbStreamsPanel *panel = cb_window_get_streams_panel (fixture->window);
  GtkColumnView *column_view = cb_streams_panel_get_column_view (panel);
  CbPlayerWindow *player;
  CbStreamRow *row;
  const char *resolution;
  g_autofree char *size = NULL;
  guint position = 0;
  guint requests = 0;

  g_signal_connect (panel, "play-requested", G_CALLBACK (on_play_requested), &requests);

  /* Live with the test pattern, its size known to the server. */
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
  g_assert_true (wait_for (fixture, publisher_row_has_size, NULL));
  g_assert_cmpuint (count_server_players (fixture), ==, 0);

  /* A double-click on the row. */
  g_assert_nonnull (find_row (fixture, TRUE, &position));
  g_assert_null (cb_window_get_player (fixture->window, "studio"));
  g_signal_emit_by_name (column_view, "activate", position);
  g_assert_cmpuint (requests, ==, 1);
  player = cb_window_get_player (fixture->window, "studio");
  g_assert_nonnull (player);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (player)), ==, "studio");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (player)) ==
                 GTK_WINDOW (fixture->window));

  /* Pictures decoded and counted, bytes measured: the statistics a streamer reads. */
  if (!wait_for (fixture, player_is_playing, player))
    {
      g_test_message ("after %d s: %" G_GUINT64_FORMAT " frames decoded, %d kbit/s; "
                      "state %s, resolution %s, fps %s", WAIT_LIMIT_S,
                      cb_player_window_get_n_decoded (player),
                      cb_player_window_get_bitrate (player),
                      gtk_label_get_label (cb_player_window_get_state_label (player)),
                      gtk_label_get_label (cb_player_window_get_resolution_label (player)),
                      gtk_label_get_label (cb_player_window_get_fps_label (player)));
      g_test_fail ();
      return;
    }
  g_assert_true (wait_for (fixture, player_has_rtt, player));
  row = find_row (fixture, TRUE, NULL);
  resolution = gtk_label_get_label (cb_player_window_get_resolution_label (player));
  g_test_message ("player: %s, %s, %s, loss %s, round trip %s; the server says %s",
                  gtk_label_get_label (cb_player_window_get_state_label (player)),
                  gtk_label_get_label (cb_player_window_get_bitrate_label (player)),
                  gtk_label_get_label (cb_player_window_get_fps_label (player)),
                  gtk_label_get_label (cb_player_window_get_loss_label (player)),
                  gtk_label_get_label (cb_player_window_get_rtt_label (player)),
                  cb_stream_row_get_video (row));
  /* The published size, as the Streams panel shows it ("H264 1280×720 30 fps"). */
  size = g_strdup_printf (" %s ", resolution);
  g_assert_nonnull (strstr (cb_stream_row_get_video (row), size));
  g_assert_cmpstr (gtk_label_get_label (cb_player_window_get_bitrate_label (player)), !=, "—");
  /* The figure is the stream's, never a burst's: for 5 s (five updates) under three times
   * what the studio encodes — capture_bitrate plus 96 kbit/s for the sound (the player
   * gets the Opus made for WebRTC players, 64 kbit/s). */
  {
    gint64 nominal = cb_settings_get_int (cb_studio_get_gui_settings (fixture->studio),
                                          "capture_bitrate") + 96;

    for (guint i = 0; i < 50; i++)
      {
        spin_for (100);
        g_assert_cmpint (cb_player_window_get_bitrate (player), >, 0);
        g_assert_cmpint (cb_player_window_get_bitrate (player), <, 3 * nominal);
      }
  }
  if (g_getenv ("LANGUAGE") == NULL)
    {
      g_assert_cmpstr (gtk_label_get_label (cb_player_window_get_state_label (player)), ==,
                       "Playing");
      g_assert_true (g_str_has_suffix (gtk_label_get_label (
                       cb_player_window_get_bitrate_label (player)), " kbit/s"));
      g_assert_true (g_str_has_suffix (gtk_label_get_label (
                       cb_player_window_get_rtt_label (player)), " ms"));
    }
  /* Under Xvfb there is no sound card; the window says so rather than pretend. */
  if (!cb_player_window_has_audio_output (player))
    g_test_message ("no audio output here");

  /* The server lists the player, and so does the Streams panel, as a row of its own. */
  g_assert_cmpuint (count_server_players (fixture), ==, 1);
  g_assert_true (wait_for (fixture, player_row_shown, NULL));

  /* Activating the stream again brings the same window; a player's row plays nothing. */
  g_assert_nonnull (find_row (fixture, TRUE, &position));
  g_signal_emit_by_name (column_view, "activate", position);
  g_assert_true (cb_window_get_player (fixture->window, "studio") == player);
  g_assert_nonnull (find_row (fixture, FALSE, &position));
  g_signal_emit_by_name (column_view, "activate", position);
  g_assert_cmpuint (requests, ==, 2);

  settle ();
  save_native_screenshot (fixture, GTK_WIDGET (player), "castbridge-player");

  /* Closing the window ends the player on the server; the publisher goes on. */
  gtk_window_close (GTK_WINDOW (player));
  g_assert_true (wait_for (fixture, player_is_closed, NULL));
  g_assert_true (wait_for (fixture, player_row_gone, NULL));
  g_assert_cmpuint (count_server_players (fixture), ==, 0);
  g_assert_true (cb_window_is_live (fixture->window));
  g_assert_true (wait_for (fixture, publisher_row_has_size, NULL));

  /* A new double-click opens a new player. */
  g_assert_nonnull (find_row (fixture, TRUE, &position));
  g_signal_emit_by_name (column_view, "activate", position);
  player = cb_window_get_player (fixture->window, "studio");
  g_assert_nonnull (player);
  g_assert_true (wait_for (fixture, player_is_playing, player));

  /* Going offline ends the stream and its player; the window says so. */
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), FALSE);
  g_assert_true (wait_for (fixture, window_is_idle, NULL));
  g_assert_true (wait_for (fixture, player_row_gone, NULL));
  g_assert_true (wait_for (fixture, player_has_stopped, player));
  g_test_message ("after going offline the player says: %s",
                  gtk_label_get_label (cb_player_window_get_state_label (player)));
  settle ();
  save_native_screenshot (fixture, GTK_WIDGET (player), "castbridge-player-ended");
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

  g_test_add ("/cb/gui/player", Fixture, NULL, fixture_set_up, test_player, fixture_tear_down);

  return g_test_run ();
}
