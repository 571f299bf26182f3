/* test-destinations.c — the Destinations panel against a real engine, server and
 * nginx-rtmp, under Xvfb
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user sees: a Custom RTMP destination added through the panel's own widgets goes
 * live on a real RTMP server (ffprobe finds H.264 and AAC there), its row says
 * Streaming and draws its bitrate, and its switch stops it; a push started over REST
 * shows up in the panel and one started in the panel shows up over REST; destinations
 * are remembered with their keys in the secret store and never in the file. The keys
 * never show. Screenshots go to CB_SCREENSHOT_DIR.
 *
 * CB_TEST_SECRET_SERVICE=1 says a Secret Service runs (with-keyring.sh starts one);
 * otherwise none answers and keys must stay in memory.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cb-destination-config.h"
#include "cb-destination-presets.h"
#include "cb-secret-store.h"
#ifdef HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif
#include "gui-util.h"

#define GUI_TEST_KEY  "gui-test"
#define TWITCH_KEY    "live_123456789_AbCdEfGhIjKlMnOp"

/* The engine's push agents, asked on its own thread. */

typedef struct
{
  CbEngine   *engine;
  const char *stream_name;
  guint       n_agents;
  CbPushState state;
  gboolean    done;
} PushLookup;

static gboolean
find_pushes_in_engine (gpointer data)
{
  PushLookup *lookup = data;
  g_autoptr(GPtrArray) agents = cb_engine_find_pushes (lookup->engine, lookup->stream_name, NULL);

  lookup->n_agents = agents->len;
  if (agents->len > 0)
    lookup->state = cb_push_agent_get_state (g_ptr_array_index (agents, 0));
  g_atomic_int_set (&lookup->done, TRUE);
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
push_lookup_done (Fixture       *fixture,
                  gconstpointer  data)
{
  return g_atomic_int_get (&((PushLookup *) data)->done);
}

static guint
engine_count_pushes (Fixture     *fixture,
                     const char  *stream_name,
                     CbPushState *state)
{
  PushLookup lookup = { cb_studio_get_engine (fixture->studio), stream_name, 0,
                        CB_PUSH_STOPPED, FALSE };

  cb_engine_invoke (lookup.engine, find_pushes_in_engine, &lookup, NULL);
  g_assert_true (wait_for (fixture, push_lookup_done, &lookup));
  if (state != NULL)
    *state = lookup.state;
  return lookup.n_agents;
}

/* The panel. */

static CbDestinationsPanel *
panel_of (Fixture *fixture)
{
  return cb_window_get_destinations_panel (fixture->window);
}

static CbDestinationList *
list_of (Fixture *fixture)
{
  return cb_window_get_destinations_model (fixture->window);
}

static CbDestination *
destination_at (Fixture *fixture,
                guint    position)
{
  g_autoptr(CbDestination) destination =
    g_list_model_get_item (G_LIST_MODEL (list_of (fixture)), position);

  /* Borrowed: the list keeps it. */
  return destination;
}

static gboolean
list_has_n (Fixture       *fixture,
            gconstpointer  data)
{
  return cb_destination_list_is_loaded (list_of (fixture)) &&
         g_list_model_get_n_items (G_LIST_MODEL (list_of (fixture))) == GPOINTER_TO_UINT (data);
}

static gboolean
list_is_saved (Fixture       *fixture,
               gconstpointer  data)
{
  CbDestinationList *list = list_of (fixture);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    if (cb_destination_get_key_storage (destination_at (fixture, i)) == CB_KEY_PENDING)
      return FALSE;
  return cb_destination_list_is_saved (list);
}

static gboolean
destination_is_streaming (Fixture       *fixture,
                          gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  CbDestinationRow *row = cb_destinations_panel_get_row (panel_of (fixture), destination);
  CbBitrateGraph *graph = row != NULL ? cb_destination_row_get_graph (row) : NULL;

  /* What the row shows: the state, and a graph with something in it. */
  return row != NULL && cb_destination_get_state (destination) == CB_PUSH_STREAMING &&
         g_strcmp0 (gtk_label_get_label (cb_destination_row_get_state_label (row)),
                    cb_destination_format_state (CB_PUSH_STREAMING)) == 0 &&
         gtk_switch_get_state (cb_destination_row_get_switch (row)) &&
         cb_bitrate_graph_get_n_samples (graph) >= 3 && cb_bitrate_graph_get_peak (graph) > 0;
}

typedef struct
{
  CbDestination *destination;
  const char    *old_session;
} RestartWait;

typedef struct
{
  CbDestination *destination;
  guint          reconnects;
} ReconnectWait;

static gboolean
reconnects_above (Fixture       *fixture,
                  gconstpointer  data)
{
  const ReconnectWait *wait = data;
  const CbPushInfo *info = cb_destination_get_info (wait->destination);

  return info != NULL && info->reconnects > wait->reconnects;
}

static gboolean
restarted_streaming (Fixture       *fixture,
                     gconstpointer  data)
{
  const RestartWait *wait = data;
  const char *session = cb_destination_get_media_session_id (wait->destination);

  return session != NULL && g_strcmp0 (session, wait->old_session) != 0 &&
         cb_destination_get_state (wait->destination) == CB_PUSH_STREAMING &&
         !cb_destination_get_busy (wait->destination);
}

static gboolean
destination_is_off (Fixture       *fixture,
                    gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  CbDestinationRow *row = cb_destinations_panel_get_row (panel_of (fixture), destination);

  return row != NULL && !cb_destination_is_active (destination) &&
         !cb_destination_get_busy (destination) &&
         !gtk_switch_get_state (cb_destination_row_get_switch (row)) &&
         !gtk_switch_get_active (cb_destination_row_get_switch (row));
}

static gboolean
destination_is_muted (Fixture       *fixture,
                      gconstpointer  data)
{
  return cb_destination_get_muted ((CbDestination *) data);
}

static guint
preset_position (const char *id)
{
  guint n;
  const CbDestinationPreset *presets = cb_destination_presets (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (presets[i].id, id) == 0)
      return i;
  g_assert_not_reached ();
}

static gboolean
form_is_closed (Fixture       *fixture,
                gconstpointer  data)
{
  return !gtk_toggle_button_get_active (cb_destinations_panel_get_add_toggle (panel_of (fixture)));
}

/* Fills the add form as a person would and presses Add. */
static void
add_through_form (Fixture    *fixture,
                  const char *preset_id,
                  const char *url,
                  const char *key)
{
  CbDestinationsPanel *panel = panel_of (fixture);
  GtkButton *add_button = cb_destinations_panel_get_add_button (panel);

  gtk_toggle_button_set_active (cb_destinations_panel_get_add_toggle (panel), TRUE);
  /* The stream defaults to the studio's own. */
  g_assert_cmpstr (gtk_editable_get_text (cb_destinations_panel_get_stream_entry (panel)), ==,
                   gtk_editable_get_text (cb_window_get_name_entry (fixture->window)));
  gtk_drop_down_set_selected (cb_destinations_panel_get_preset_dropdown (panel),
                              preset_position (preset_id));
  if (url != NULL)
    gtk_editable_set_text (cb_destinations_panel_get_url_entry (panel), url);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (add_button)) &&
                  !cb_destination_preset_is_custom (cb_destination_preset_lookup (preset_id)));
  gtk_editable_set_text (cb_destinations_panel_get_key_entry (panel), key);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));
  settle ();
  /* As the keyboard does: the button shows the press, then clicks. */
  g_assert_true (gtk_widget_activate (GTK_WIDGET (add_button)));

  /* The form closes, and the key does not wait in it. */
  g_assert_true (wait_for (fixture, form_is_closed, NULL));
  g_assert_cmpstr (gtk_editable_get_text (cb_destinations_panel_get_key_entry (panel)), ==, "");
}

static char *
read_config (void)
{
  g_autofree char *path = cb_destination_config_default_path ();
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* What a player finds at @url: "h264,aac" and the like. */
static char *
ffprobe_codecs (Fixture    *fixture,
                const char *url)
{
  const char *argv[] = { "ffprobe", "-v", "warning", "-rw_timeout", "8000000",
                         "-show_entries", "stream=codec_name", "-of", "csv", url, NULL };
  g_autofree char *out = run_for_output (fixture, argv);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) codecs = g_ptr_array_new ();

  g_test_message ("ffprobe says: %s", out);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "stream,"))
      g_ptr_array_add (codecs, lines[i] + strlen ("stream,"));
  g_ptr_array_sort (codecs, compare_strings);
  g_ptr_array_add (codecs, NULL);
  return g_strjoinv (",", (char **) codecs->pdata);
}

static void
go_live (Fixture *fixture)
{
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  gtk_toggle_button_set_active (cb_window_get_live_button (fixture->window), TRUE);
  g_assert_true (wait_for (fixture, window_is_live, NULL));
}

/* Tests. */

static void
test_push (Fixture       *fixture,
           gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  g_autofree char *server = NULL;
  g_autofree char *target = NULL;
  g_autofree char *codecs = NULL;
  g_autofree char *config = NULL;
  g_autofree char *find_all = NULL;
  CbDestination *destination;
  CbDestinationRow *row;
  CbPushState state;
  g_autofree char *ffprobe = g_find_program_in_path ("ffprobe");

  if (nginx == NULL)
    return;
  if (ffprobe == NULL)
    {
      g_test_skip ("no ffprobe");
      nginx_stop (nginx);
      return;
    }
  server = g_strdup_printf ("rtmp://127.0.0.1:%u/live", nginx->port);
  target = g_strdup_printf ("%s/%s", server, GUI_TEST_KEY);

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  go_live (fixture);

  add_through_form (fixture, CB_PRESET_CUSTOM, server, GUI_TEST_KEY);
  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (1)));
  destination = destination_at (fixture, 0);
  g_assert_cmpstr (cb_destination_get_stream_name (destination), ==, "studio");
  row = cb_destinations_panel_get_row (panel_of (fixture), destination);
  g_assert_nonnull (row);
  g_assert_false (gtk_switch_get_active (cb_destination_row_get_switch (row)));
  g_assert_cmpuint (engine_count_pushes (fixture, "studio", NULL), ==, 0);

  /* On. */
  gtk_switch_set_active (cb_destination_row_get_switch (row), TRUE);
  if (!wait_for (fixture, destination_is_streaming, destination))
    {
      g_test_message ("state: %s; event: %s; note: %s",
                      cb_destination_get_state_label (destination),
                      cb_destination_get_event_label (destination),
                      cb_destination_get_note (destination));
      nginx_log (nginx);
      g_test_fail ();
      nginx_stop (nginx);
      return;
    }
  g_assert_cmpuint (engine_count_pushes (fixture, "studio", &state), ==, 1);
  g_assert_cmpint (state, ==, CB_PUSH_STREAMING);
  g_test_message ("streaming at %d kbit/s; %s", cb_destination_get_bitrate (destination),
                  cb_destination_get_event_label (destination));

  /* A player on the destination finds what RTMP carries. One that joins between
   * keyframes on a busy machine may see no video within its probing window, as
   * tests/server's wait_ffprobe() knows: a few tries, as a player would retry. */
  for (guint attempt = 0; attempt < 4 && g_strcmp0 (codecs, "aac,h264") != 0; attempt++)
    {
      g_free (codecs);
      codecs = ffprobe_codecs (fixture, target);
      g_test_message ("ffprobe %s: %s", target, codecs);
    }
  g_assert_cmpstr (codecs, ==, "aac,h264");

  /* Started here, seen over REST; the key shows nowhere. */
  g_assert_cmpuint (rest_post (fixture, "push/find_all", "{}", &find_all), ==, 200);
  g_assert_nonnull (strstr (find_all, cb_destination_get_media_session_id (destination)));
  g_assert_null (strstr (find_all, GUI_TEST_KEY));
  assert_nowhere_shown (GTK_WIDGET (fixture->window), GUI_TEST_KEY);
  g_assert_null (strstr (cb_destination_get_masked_url (destination), GUI_TEST_KEY));

  /* Mute, as the row's button does. */
  gtk_toggle_button_set_active (cb_destination_row_get_mute_button (row), TRUE);
  g_assert_true (wait_for (fixture, destination_is_muted, destination));
  gtk_toggle_button_set_active (cb_destination_row_get_mute_button (row), FALSE);

  /* The graph fills a little more, for the picture. */
  spin_for (8000);
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations");

  /* A new profile from the row's settings: the destination restarts with it, as a new
   * agent that the engine encodes for. */
  {
    g_autofree char *old_session = g_strdup (cb_destination_get_media_session_id (destination));
    RestartWait wait = { destination, old_session };
    GtkMenuButton *settings = cb_destination_row_get_settings_button (row);
    GtkPopover *popover = gtk_menu_button_get_popover (settings);

    gtk_menu_button_popup (settings);
    gtk_switch_set_active (cb_destination_row_get_transcode_switch (row), TRUE);
    gtk_drop_down_set_selected (cb_destination_row_get_height_dropdown (row), 4);
    settle ();
    save_native_screenshot (fixture, GTK_WIDGET (popover), "castbridge-destination-settings");
    g_signal_emit_by_name (cb_destination_row_get_save_button (row), "clicked");
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
    g_assert_true (wait_for (fixture, restarted_streaming, &wait));
    g_assert_true (wait_for (fixture, destination_is_streaming, destination));
    g_assert_cmpint (cb_destination_get_info (destination)->profile.height, ==, 360);
    /* Two seconds at the source's 30 fps. */
    g_assert_cmpint (cb_destination_get_info (destination)->profile.keyframe_interval, ==, 60);
    g_test_message ("restarted as %s: %s", cb_destination_get_media_session_id (destination),
                    cb_destination_get_info (destination)->rtmp_url);
  }

  /* Off: the agent is gone from the engine. */
  gtk_switch_set_active (cb_destination_row_get_switch (row), FALSE);
  g_assert_true (wait_for (fixture, destination_is_off, destination));
  g_assert_cmpuint (engine_count_pushes (fixture, "studio", NULL), ==, 0);
  /* The row says who stopped it: the switch, not REST. */
  g_test_message ("off: %s", cb_destination_get_event_label (destination));
  g_assert_nonnull (strstr (cb_destination_get_event_label (destination),
                            g_dgettext (GETTEXT_PACKAGE, "switched off here")));

  /* Stopped from elsewhere (REST): the row shows the final StreamStopped and its reason. */
  gtk_switch_set_active (cb_destination_row_get_switch (row), TRUE);
  g_assert_true (wait_for (fixture, destination_is_streaming, destination));
  {
    g_autofree char *body = g_strdup_printf ("{\"mediaSessionId\":\"%s\"}",
                                             cb_destination_get_media_session_id (destination));

    g_assert_cmpuint (rest_post (fixture, "push/terminate", body, NULL), ==, 200);
  }
  g_assert_true (wait_for (fixture, destination_is_off, destination));
  g_test_message ("stopped over REST: %s", cb_destination_get_event_label (destination));
  g_assert_nonnull (strstr (cb_destination_get_event_label (destination),
                            "Stopped by rest /terminate"));

  /* Remembered, without the key. */
  g_assert_true (wait_for (fixture, list_is_saved, NULL));
  config = read_config ();
  g_assert_nonnull (strstr (config, server));
  g_assert_null (strstr (config, GUI_TEST_KEY));

  nginx_stop (nginx);
}

static gboolean
has_external_streaming (Fixture       *fixture,
                        gconstpointer  data)
{
  CbDestinationList *list = list_of (fixture);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      CbDestination *destination = destination_at (fixture, i);

      if (cb_destination_is_external (destination) &&
          cb_destination_get_state (destination) == CB_PUSH_STREAMING &&
          cb_destinations_panel_get_row (panel_of (fixture), destination) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A push started over REST appears in the panel, and its switch stops it. */
static void
test_rest_push_shows (Fixture       *fixture,
                      gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  g_autofree char *request = NULL;
  CbDestination *destination;
  CbDestinationRow *row;

  if (nginx == NULL)
    return;

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  g_assert_cmpuint (rest_post (fixture, "castbridge/source/publish",
                               "{\"name\":\"from-rest\",\"source\":\"test\"}", NULL), ==, 200);
  request = g_strdup_printf ("{\"streamName\":\"from-rest\","
                             "\"rtmpUrl\":\"rtmp://127.0.0.1:%u/live/rest-secret-key-1234\","
                             "\"rtmpTransponderFullUrl\":true}", nginx->port);
  g_assert_cmpuint (rest_post (fixture, "push/startup", request, NULL), ==, 200);

  g_assert_true (wait_for (fixture, has_external_streaming, NULL));
  destination = destination_at (fixture, 0);
  g_assert_true (cb_destination_is_external (destination));
  g_assert_cmpstr (cb_destination_get_stream_name (destination), ==, "from-rest");
  g_assert_null (strstr (cb_destination_get_masked_url (destination), "rest-secret-key"));
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "rest-secret-key");
  g_assert_nonnull (cb_destination_get_note (destination));
  row = cb_destinations_panel_get_row (panel_of (fixture), destination);
  g_assert_true (gtk_switch_get_state (cb_destination_row_get_switch (row)));
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-rest");

  /* Its switch terminates it: gone from the engine and from the panel. */
  gtk_switch_set_active (cb_destination_row_get_switch (row), FALSE);
  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  g_assert_cmpuint (engine_count_pushes (fixture, "from-rest", NULL), ==, 0);

  /* Nothing of it was remembered. */
  g_assert_true (wait_for (fixture, list_is_saved, NULL));
  {
    g_autofree char *config = read_config ();

    g_assert_null (strstr (config, "rest-secret-key"));
  }

  g_assert_cmpuint (rest_post (fixture, "castbridge/source/unpublish",
                               "{\"name\":\"from-rest\"}", NULL), ==, 200);
  nginx_stop (nginx);
}

static gboolean
destination_is_waiting (Fixture       *fixture,
                        gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  CbDestinationRow *row = cb_destinations_panel_get_row (panel_of (fixture), destination);

  return row != NULL && cb_destination_get_state (destination) == CB_PUSH_WAITING &&
         gtk_widget_get_sensitive (GTK_WIDGET (cb_destination_row_get_retry_button (row))) &&
         gtk_widget_get_visible (GTK_WIDGET (cb_destination_row_get_countdown_label (row)));
}

static gboolean
destination_has_reconnected (Fixture       *fixture,
                             gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  const CbPushInfo *info = cb_destination_get_info (destination);

  return info != NULL && info->reconnects >= 1 && destination_is_streaming (fixture, data);
}

static const char *reconnect_settings[] = {
  "studio_push_restore_attempts=20",
  "studio_push_restore_interval_ms=4000",
  NULL,
};

/* The destination's server goes away: the row counts down to the next attempt, "Retry
 * now" tries at once, and when the server is back the destination streams again and
 * says how often it reconnected. */
static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  Nginx *nginx = nginx_start ();
  g_autofree char *server = NULL;
  CbDestination *destination;
  CbDestinationRow *row;
  GtkLabel *countdown;
  ReconnectWait wait;
  guint port;

  if (nginx == NULL)
    return;
  port = nginx->port;
  server = g_strdup_printf ("rtmp://127.0.0.1:%u/live", port);

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  go_live (fixture);
  add_through_form (fixture, CB_PRESET_CUSTOM, server, GUI_TEST_KEY);
  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (1)));
  destination = destination_at (fixture, 0);
  row = cb_destinations_panel_get_row (panel_of (fixture), destination);
  gtk_switch_set_active (cb_destination_row_get_switch (row), TRUE);
  g_assert_true (wait_for (fixture, destination_is_streaming, destination));

  /* The server dies. */
  nginx_stop (g_steal_pointer (&nginx));
  g_assert_true (wait_for (fixture, destination_is_waiting, destination));
  g_test_message ("%s; %s; %s", cb_destination_get_state_label (destination),
                  gtk_label_get_label (cb_destination_row_get_countdown_label (row)),
                  cb_destination_get_event_label (destination));
  countdown = cb_destination_row_get_countdown_label (row);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (countdown), "Retry in "));
  /* Still on: waiting is part of being on. */
  g_assert_true (gtk_switch_get_active (cb_destination_row_get_switch (row)));
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-waiting");

  /* Retry now, with the server still down: another attempt, and waiting again. */
  g_signal_emit_by_name (cb_destination_row_get_retry_button (row), "clicked");
  wait.destination = destination;
  wait.reconnects = cb_destination_get_info (destination)->reconnects;
  g_assert_true (wait_for (fixture, reconnects_above, &wait));
  g_assert_true (wait_for (fixture, destination_is_waiting, destination));

  /* The server is back: the destination streams again, by itself. */
  nginx = nginx_start_on (port);
  g_assert_nonnull (nginx);
  g_assert_true (wait_for (fixture, destination_has_reconnected, destination));
  g_test_message ("back after %u reconnects: %s", cb_destination_get_info (destination)->reconnects,
                  cb_destination_get_event_label (destination));
  g_assert_true (gtk_widget_get_visible (
    GTK_WIDGET (cb_destination_row_get_reconnects_label (row))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (countdown)));

  nginx_stop (nginx);
}

typedef struct
{
  const char *destination_id;
  const char *part;
  gboolean    pending;
  gboolean    gone;
} SecretGone;

static void
on_secret_looked_up (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SecretGone *gone = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = cb_secret_store_lookup_finish (result, &error);

  g_assert_no_error (error);
  gone->gone = secret == NULL;
  gone->pending = FALSE;
}

/* Clearing takes the store a search and a deletion: ask until it has forgotten. */
static gboolean
secret_is_gone (Fixture       *fixture,
                gconstpointer  data)
{
  SecretGone *gone = (SecretGone *) data;

  if (gone->gone)
    return TRUE;
  if (!gone->pending)
    {
      gone->pending = TRUE;
      cb_secret_store_lookup_async (gone->destination_id, gone->part, NULL,
                                    on_secret_looked_up, gone);
    }
  return FALSE;
}

static gboolean
list_keys_known (Fixture       *fixture,
                 gconstpointer  data)
{
  CbDestinationList *list = list_of (fixture);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (!cb_destination_list_is_loaded (list) || n != GPOINTER_TO_UINT (data))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (cb_destination_get_key_storage (destination_at (fixture, i)) == CB_KEY_PENDING)
      return FALSE;
  return TRUE;
}

#define PRIVATE_SERVER "rtmp://studio:s3cr3t-pass@127.0.0.1:1935/live?token=t0k3n-42"
#define PRIVATE_KEY    "second-key-0123456789"

/* Destinations are remembered between runs; their keys, and the passwords in their
 * servers' addresses, are in the secret store or (with none) only in memory, and the
 * rows say so. The file never has them. */
static void
test_remembered (Fixture       *fixture,
                 gconstpointer  data)
{
  gboolean secret_service = g_strcmp0 (g_getenv ("CB_TEST_SECRET_SERVICE"), "1") == 0;
  CbKeyStorage expected = !cb_secret_store_is_supported () ? CB_KEY_MEMORY_UNSUPPORTED
                          : secret_service ? CB_KEY_STORED : CB_KEY_MEMORY_NO_SERVICE;
  g_autofree char *config = NULL;
  g_autofree char *twitch_id = NULL;
  g_autofree char *private_id = NULL;
  CbDestination *twitch, *private;
  CbDestinationRow *row;

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  add_through_form (fixture, "twitch", NULL, TWITCH_KEY);
  add_through_form (fixture, CB_PRESET_CUSTOM, PRIVATE_SERVER, PRIVATE_KEY);
  g_assert_true (wait_for (fixture, list_keys_known, GUINT_TO_POINTER (2)));
  g_assert_true (wait_for (fixture, list_is_saved, NULL));

  twitch = destination_at (fixture, 0);
  private = destination_at (fixture, 1);
  twitch_id = g_strdup (cb_destination_get_id (twitch));
  private_id = g_strdup (cb_destination_get_id (private));
  g_test_message ("key storage %d, note: %s", cb_destination_get_key_storage (twitch),
                  cb_destination_get_note (twitch));
  g_assert_cmpint (cb_destination_get_key_storage (twitch), ==, expected);
  g_assert_cmpint (cb_destination_get_key_storage (private), ==, expected);
  g_assert_cmpstr (cb_destination_get_server (twitch), ==, "rtmp://live.twitch.tv/app");
  /* No part of a key, a password or a token shows, not even its last characters. */
  g_assert_cmpstr (cb_destination_get_masked_url (twitch), ==, "rtmp://live.twitch.tv/app/***");
  g_assert_cmpstr (cb_destination_get_masked_url (private), ==,
                   "rtmp://***@127.0.0.1:1935/live/***?token=***");
  row = cb_destinations_panel_get_row (panel_of (fixture), twitch);
  g_assert_cmpint (gtk_widget_get_visible (gtk_widget_get_parent (
                     GTK_WIDGET (cb_destination_row_get_note_label (row)))), ==,
                   expected != CB_KEY_STORED);
  assert_nowhere_shown (GTK_WIDGET (fixture->window), TWITCH_KEY);
  assert_nowhere_shown (GTK_WIDGET (fixture->window), PRIVATE_KEY);
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "s3cr3t");
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "t0k3n");
  /* Nor the keys' last characters. */
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "MnOp");
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "6789");

  config = read_config ();
  g_test_message ("%s", config);
  g_assert_nonnull (strstr (config, "\"twitch\""));
  g_assert_nonnull (strstr (config, "\"serverSecret\""));
  g_assert_null (strstr (config, TWITCH_KEY));
  g_assert_null (strstr (config, "AbCdEf"));
  g_assert_null (strstr (config, PRIVATE_KEY));
  g_assert_null (strstr (config, "s3cr3t"));
  g_assert_null (strstr (config, "t0k3n"));
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-remembered");

  /* The next run. */
  fixture_reopen_window (fixture);
  g_assert_true (wait_for (fixture, list_keys_known, GUINT_TO_POINTER (2)));
  twitch = destination_at (fixture, 0);
  private = destination_at (fixture, 1);
  g_assert_cmpstr (cb_destination_get_id (twitch), ==, twitch_id);
  g_assert_cmpstr (cb_destination_get_preset_id (twitch), ==, "twitch");
  g_assert_cmpstr (cb_destination_get_id (private), ==, private_id);
  if (expected == CB_KEY_STORED)
    {
      g_assert_cmpint (cb_destination_get_key_storage (twitch), ==, CB_KEY_STORED);
      g_assert_cmpstr (cb_destination_get_key (twitch), ==, TWITCH_KEY);
      g_assert_null (cb_destination_get_note (twitch));
      g_assert_cmpint (cb_destination_get_key_storage (private), ==, CB_KEY_STORED);
      g_assert_cmpstr (cb_destination_get_server (private), ==, PRIVATE_SERVER);
      g_assert_cmpstr (cb_destination_get_key (private), ==, PRIVATE_KEY);
    }
  else
    {
      /* The key went with the last run; the row asks for it again. */
      g_assert_null (cb_destination_get_key (twitch));
      g_assert_nonnull (cb_destination_get_note (twitch));
      /* A password in the server's address cannot be typed in again: it says so. */
      g_assert_cmpint (cb_destination_get_key_storage (private), ==, CB_KEY_SERVER_MISSING);
      g_assert_null (strstr (cb_destination_get_server (private), "s3cr3t"));
      g_assert_nonnull (cb_destination_get_note (private));
    }
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-reopened");

  /* Removed: forgotten, secrets included. */
  cb_destination_list_remove (list_of (fixture), twitch);
  cb_destination_list_remove (list_of (fixture), private);
  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  g_assert_true (wait_for (fixture, list_is_saved, NULL));
  g_clear_pointer (&config, g_free);
  config = read_config ();
  g_assert_null (strstr (config, twitch_id));
  g_assert_null (strstr (config, private_id));
  if (expected == CB_KEY_STORED)
    {
      SecretGone twitch_key = { twitch_id, CB_SECRET_KEY, FALSE, FALSE };
      SecretGone private_key = { private_id, CB_SECRET_KEY, FALSE, FALSE };
      SecretGone private_server = { private_id, CB_SECRET_SERVER, FALSE, FALSE };

      g_assert_true (wait_for (fixture, secret_is_gone, &twitch_key));
      g_assert_true (wait_for (fixture, secret_is_gone, &private_key));
      g_assert_true (wait_for (fixture, secret_is_gone, &private_server));
    }
}

/* The add form: presets fill in servers, a custom URL is checked as it is typed. */
static void
test_form (Fixture       *fixture,
           gconstpointer  data)
{
  CbDestinationsPanel *panel = panel_of (fixture);
  GtkDropDown *presets = cb_destinations_panel_get_preset_dropdown (panel);
  GtkDropDown *servers = cb_destinations_panel_get_server_dropdown (panel);
  GtkButton *add_button = cb_destinations_panel_get_add_button (panel);
  GtkEditable *url = cb_destinations_panel_get_url_entry (panel);
  GtkEditable *key = cb_destinations_panel_get_key_entry (panel);

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  gtk_toggle_button_set_active (cb_destinations_panel_get_add_toggle (panel), TRUE);

  gtk_drop_down_set_selected (presets, preset_position ("twitch"));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (servers)), >=, 8);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));
  gtk_editable_set_text (key, "live_1_x");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));

  gtk_drop_down_set_selected (presets, preset_position ("youtube"));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (servers)), ==, 2);

  gtk_drop_down_set_selected (presets, preset_position ("facebook"));
  g_assert_true (g_str_has_prefix (cb_destination_preset_lookup ("facebook")->servers[0].url,
                                   "rtmps://"));

  gtk_drop_down_set_selected (presets, preset_position (CB_PRESET_CUSTOM));
  gtk_editable_set_text (url, "http://example.com/live");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));
  gtk_editable_set_text (url, "rtmp://example.com/live");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));
  /* No key: the URL must name the stream itself. */
  gtk_editable_set_text (key, "");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));
  gtk_editable_set_text (url, "rtmp://example.com/live/name");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (add_button)));

  gtk_editable_set_text (url, "rtmp://example.com/live");
  gtk_editable_set_text (key, "gui-form-key");
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-add");
  gtk_toggle_button_set_active (cb_destinations_panel_get_add_toggle (panel), FALSE);
  g_assert_cmpstr (gtk_editable_get_text (key), ==, "");
}

/* Not on screen: the conversions behind the panel. */

static void
test_profile (void)
{
  CbDestinationProfile profile;
  CbProfile out;
  g_autofree char *described = NULL;

  cb_destination_profile_init (&profile);
  cb_destination_profile_to_engine (&profile, 30, &out);
  g_assert_true (cb_profile_is_passthrough (&out));

  /* Keyframe seconds become frames at the output rate, else the source's. */
  profile.transcode = TRUE;
  profile.height = 720;
  profile.bitrate = 2500;
  cb_destination_profile_to_engine (&profile, 25, &out);
  g_assert_cmpint (out.height, ==, 720);
  g_assert_cmpint (out.width, ==, 0);
  g_assert_cmpint (out.fps, ==, 0);
  g_assert_cmpint (out.bitrate, ==, 2500);
  g_assert_cmpint (out.keyframe_interval, ==, 50);
  profile.fps = 60;
  profile.keyframe_seconds = 4;
  cb_destination_profile_to_engine (&profile, 25, &out);
  g_assert_cmpint (out.keyframe_interval, ==, 240);
  profile.fps = 0;
  cb_destination_profile_to_engine (&profile, 0, &out);
  g_assert_cmpint (out.keyframe_interval, ==, 120);

  described = cb_destination_profile_describe (&profile);
  g_assert_nonnull (strstr (described, "720"));
}

static void
test_urls (void)
{
  static const struct { const char *server, *key, *url, *masked; gboolean valid; } rows[] = {
    { "rtmp://a.rtmp.youtube.com/live2", "abcd-efgh-ijkl-mnop",
      "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop",
      "rtmp://a.rtmp.youtube.com/live2/***", TRUE },
    /* Facebook's server ends with a slash; no doubled one. */
    { "rtmps://live-api-s.facebook.com:443/rtmp/", "FB-1234567890-0-AbCd",
      "rtmps://live-api-s.facebook.com:443/rtmp/FB-1234567890-0-AbCd",
      "rtmps://live-api-s.facebook.com:443/rtmp/***", TRUE },
    { " rtmp://h/app ", " key ", "rtmp://h/app/key", "rtmp://h/app/***", TRUE },
    { "rtmp://h/app/name", "", "rtmp://h/app/name", "rtmp://h/app/***", TRUE },
    { "rtmp://user:pw@h/app", "k", "rtmp://user:pw@h/app/k", "rtmp://***@h/app/***", TRUE },
    /* The key goes before the query, whose values are masked too. */
    { "rtmp://h/app/?token=abc", "k", "rtmp://h/app/k?token=abc", "rtmp://h/app/***?token=***",
      TRUE },
    { "rtmp://h/app", "", "rtmp://h/app", "rtmp://h/app", FALSE },
    { "http://h/app", "k", "http://h/app/k", NULL, FALSE },
    { "", "k", "/k", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *url = cb_destination_compose_url (rows[i].server, rows[i].key);
      g_autofree char *masked = cb_destination_mask_url (rows[i].server, rows[i].key);
      g_autoptr(GError) error = NULL;
      gboolean valid = cb_destination_check_url (rows[i].server, rows[i].key, &error);

      g_test_message ("%s + %s → %s, masked %s", rows[i].server, rows[i].key, url, masked);
      g_assert_cmpstr (url, ==, rows[i].url);
      g_assert_cmpint (valid, ==, rows[i].valid);
      if (!valid)
        g_assert_nonnull (error);
      if (rows[i].masked != NULL)
        g_assert_cmpstr (masked, ==, rows[i].masked);
      /* Whatever the input, the mask hides the key: not even four characters of it. */
      for (gsize j = 0; strlen (rows[i].key) >= 4 && j + 4 <= strlen (rows[i].key); j++)
        {
          g_autofree char *part = g_strndup (rows[i].key + j, 4);

          if (strcmp (rows[i].key, " key ") != 0)
            g_assert_null (strstr (masked, part));
        }
    }
}

static void
test_config (void)
{
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cb_destination_record_free);
  g_autoptr(CbDestination) destination = cb_destination_new ("id-1", "youtube",
                                                             "rtmp://a.rtmp.youtube.com/live2",
                                                             "studio");
  CbDestinationProfile profile;
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;
  const CbDestinationRecord *record;
  static const char *bad[] = { "", "[]", "{\"destinations\": 3}", "{nope", "\0{}" };
  g_autoptr(CbDestination) private = cb_destination_new ("id-2", CB_PRESET_CUSTOM,
                                                         "rtmp://u:pa55@h/app?token=t0k",
                                                         "studio");
  /* A custom URL that names its stream, with the key field left empty. */
  g_autoptr(CbDestination) whole = cb_destination_new ("id-3", CB_PRESET_CUSTOM,
                                                       "rtmp://cdn.example/live/sk-WH0LEKEY",
                                                       "studio");

  cb_destination_set_key (destination, "abcd-efgh-ijkl-mnop");
  cb_destination_set_key_storage (destination, CB_KEY_STORED);
  cb_destination_profile_init (&profile);
  profile.transcode = TRUE;
  profile.height = 480;
  cb_destination_set_profile (destination, &profile);
  g_ptr_array_add (records, cb_destination_record_new_from_destination (destination));
  /* A server with a password and a token: the file has it masked. */
  g_ptr_array_add (records, cb_destination_record_new_from_destination (private));
  /* Its key is in its URL: the file has the URL without it. */
  g_ptr_array_add (records, cb_destination_record_new_from_destination (whole));

  json = cb_destination_config_serialize (records);
  g_test_message ("%s", json);
  g_assert_null (strstr (json, "abcd-efgh"));
  g_assert_nonnull (strstr (json, "secret-store"));
  g_assert_null (strstr (json, "pa55"));
  g_assert_null (strstr (json, "t0k"));
  g_assert_null (strstr (json, "WH0LE"));

  parsed = cb_destination_config_parse (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 3);
  record = g_ptr_array_index (parsed, 2);
  g_assert_true (record->server_secret);
  g_assert_cmpstr (record->server, ==, "rtmp://cdn.example/live/***");
  record = g_ptr_array_index (parsed, 1);
  g_assert_true (record->server_secret);
  g_assert_cmpstr (record->server, ==, "rtmp://***@h/app?token=***");
  /* Its password was never stored: the next run knows it is gone. */
  g_assert_cmpint (record->key, ==, CB_RECORD_KEY_NOT_REMEMBERED);
  record = g_ptr_array_index (parsed, 0);
  g_assert_false (record->server_secret);
  g_assert_cmpstr (record->id, ==, "id-1");
  g_assert_cmpstr (record->preset_id, ==, "youtube");
  g_assert_cmpstr (record->stream_name, ==, "studio");
  g_assert_cmpint (record->key, ==, CB_RECORD_KEY_SECRET_STORE);
  g_assert_true (record->profile.transcode);
  g_assert_cmpint (record->profile.height, ==, 480);
  g_assert_cmpint (record->profile.keyframe_seconds, ==, 2);

  /* Damaged files are errors, never crashes; nonsense entries are skipped. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) none = cb_destination_config_parse (bad[i], i == 4 ? 3 : -1, &error);

      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }
  g_clear_pointer (&parsed, g_ptr_array_unref);
  parsed = cb_destination_config_parse ("{\"destinations\": [1, {\"id\": \"x\"}, "
                                        "{\"id\": \"y\", \"server\": \"rtmp://h/a\", "
                                        "\"profile\": {\"height\": -5, \"fps\": \"x\"}}]}",
                                        -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 1);
  record = g_ptr_array_index (parsed, 0);
  g_assert_cmpint (record->profile.height, ==, 0);
  g_assert_cmpint (record->profile.fps, ==, 0);
}

/* Streams pulled from nginx-rtmp: added from the Streams panel, removed from their row. */

typedef struct
{
  const char *name;
  const char *status;
} RowWait;

static gboolean
stream_row_has_status (Fixture       *fixture,
                       gconstpointer  data)
{
  const RowWait *wait = data;
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window),
                                            wait->name);

  return row != NULL && g_strcmp0 (cb_stream_row_get_status (row), wait->status) == 0;
}

static gboolean
stream_row_has_video (Fixture       *fixture,
                      gconstpointer  data)
{
  CbStreamRow *row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data);

  return row != NULL && g_strcmp0 (cb_stream_row_get_video (row), "—") != 0
         && g_strcmp0 (cb_stream_row_get_bitrate (row), "—") != 0;
}

static gboolean
stream_row_is_gone (Fixture       *fixture,
                    gconstpointer  data)
{
  return cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), data) == NULL;
}

/* The visible remove button of @name's row, as a user finds it. */
static gboolean
is_remove_button_of (GtkWidget     *widget,
                     gconstpointer  name)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (widget), "cb-list-item");

  /* The row's other button records it. */
  return GTK_IS_BUTTON (widget) && item != NULL && gtk_widget_get_visible (widget) &&
         !gtk_widget_has_css_class (widget, "record-button") &&
         CB_IS_STREAM_ROW (gtk_list_item_get_item (item)) &&
         g_strcmp0 (cb_stream_row_get_name (gtk_list_item_get_item (item)), name) == 0;
}

static GtkButton *
find_remove_button (GtkWidget  *widget,
                    const char *name)
{
  return GTK_BUTTON (find_widget (widget, is_remove_button_of, name));
}

static void
test_rtmp_pull (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autoptr(GSubprocess) publisher = NULL;
  g_autofree char *publish_url = NULL;
  g_autofree char *rtmp_kind = NULL;
  CbStreamsPanel *panel = cb_window_get_streams_panel (fixture->window);
  RowWait publishing = { "pulled", "PUBLISHING" };
  CbStreamRow *row;
  GtkButton *remove;
  Nginx *nginx;

  if (ffmpeg == NULL)
    {
      g_test_skip ("no ffmpeg to publish to nginx");
      return;
    }
  nginx = nginx_start ();
  if (nginx == NULL)
    return;

  publish_url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/source", nginx->port);
  publisher = ffmpeg_publish (publish_url);

  /* As a user does it: the + button, the address and a name, Pull. The pull retries until
   * ffmpeg is publishing. */
  g_assert_true (wait_for (fixture, window_is_drawn, NULL));
  gtk_menu_button_popup (cb_streams_panel_get_pull_button (panel));
  gtk_editable_set_text (cb_streams_panel_get_pull_url_entry (panel), publish_url);
  gtk_editable_set_text (cb_streams_panel_get_pull_name_entry (panel), "pulled");
  settle ();
  save_native_screenshot (fixture,
                          GTK_WIDGET (gtk_menu_button_get_popover (
                            cb_streams_panel_get_pull_button (panel))),
                          "castbridge-rtmp-pull-add");
  g_signal_emit_by_name (cb_streams_panel_get_pull_start_button (panel), "clicked");

  if (!wait_for (fixture, stream_row_has_status, &publishing))
    nginx_log (nginx);
  g_assert_true (wait_for (fixture, stream_row_has_status, &publishing));
  row = cb_stream_list_lookup (cb_window_get_streams_model (fixture->window), "pulled");
  rtmp_kind = cb_format_kind (TRUE, "RTMP");
  g_assert_cmpstr (cb_stream_row_get_kind (row), ==, rtmp_kind);
  g_assert_true (cb_stream_row_get_pulled (row));
  g_assert_true (g_str_has_prefix (cb_stream_row_get_source (row), "pull rtmp://"));
  /* ffmpeg's picture arrives through nginx and the pull, and its bitrate is measured. */
  g_assert_true (wait_for (fixture, stream_row_has_video, "pulled"));
  settle ();
  save_window_screenshot (fixture, "castbridge-rtmp-pull");

  /* Its row's button ends the pull; the stream leaves the panel. */
  remove = find_remove_button (GTK_WIDGET (panel), "pulled");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_true (wait_for (fixture, stream_row_is_gone, "pulled"));

  g_subprocess_send_signal (publisher, SIGKILL);
  g_subprocess_wait (publisher, NULL, NULL);
  nginx_stop (nginx);
}

#ifdef HAVE_LIBSECRET
static gboolean
destination_is_locked (Fixture       *fixture,
                       gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;
  CbDestinationRow *row = cb_destinations_panel_get_row (panel_of (fixture), destination);

  return row != NULL && cb_destination_get_key_storage (destination) == CB_KEY_LOCKED &&
         gtk_widget_get_visible (GTK_WIDGET (cb_destination_row_get_unlock_button (row)));
}

static gboolean
note_is_error (Fixture       *fixture,
               gconstpointer  data)
{
  CbDestination *destination = (CbDestination *) data;

  return !cb_destination_get_busy (destination) && cb_destination_get_note (destination) != NULL &&
         strstr (cb_destination_get_note (destination), "locked") != NULL;
}

/* The secret store is locked when the studio starts: the rows say so and offer to unlock
 * it; switching one on says the same, never an error about its (masked) address. */
static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  CbDestination *destination;
  CbDestinationRow *row;
  GList *objects;

  if (g_strcmp0 (g_getenv ("CB_TEST_SECRET_SERVICE"), "1") != 0)
    {
      g_test_skip ("no Secret Service of the test's own");
      return;
    }

  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (0)));
  add_through_form (fixture, CB_PRESET_CUSTOM, PRIVATE_SERVER, PRIVATE_KEY);
  g_assert_true (wait_for (fixture, list_keys_known, GUINT_TO_POINTER (1)));
  g_assert_true (wait_for (fixture, list_is_saved, NULL));
  g_assert_cmpint (cb_destination_get_key_storage (destination_at (fixture, 0)), ==,
                   CB_KEY_STORED);

  service = secret_service_get_sync (SECRET_SERVICE_LOAD_COLLECTIONS, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  objects = g_list_prepend (NULL, collection);
  secret_service_lock_sync (service, objects, NULL, NULL, &error);
  g_list_free (objects);
  g_assert_no_error (error);
  g_assert_true (secret_collection_get_locked (collection));

  fixture_reopen_window (fixture);
  g_assert_true (wait_for (fixture, list_has_n, GUINT_TO_POINTER (1)));
  destination = destination_at (fixture, 0);
  g_assert_true (wait_for (fixture, destination_is_locked, destination));
  g_test_message ("note: %s", cb_destination_get_note (destination));
  row = cb_destinations_panel_get_row (panel_of (fixture), destination);
  settle ();
  save_window_screenshot (fixture, "castbridge-destinations-locked");

  gtk_switch_set_active (cb_destination_row_get_switch (row), TRUE);
  g_assert_true (wait_for (fixture, note_is_error, destination));
  g_assert_null (strstr (cb_destination_get_note (destination), "address"));
  assert_nowhere_shown (GTK_WIDGET (fixture->window), PRIVATE_KEY);
  assert_nowhere_shown (GTK_WIDGET (fixture->window), "s3cr3t");
}
#endif

static const char *pull_settings[] = {
  "rtmp_pull_restore_interval_ms=500",
  NULL,
};

int
main (int   argc,
      char *argv[])
{
  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }

  g_test_add_func ("/cb/gui/destinations/profile", test_profile);
  g_test_add_func ("/cb/gui/destinations/urls", test_urls);
  g_test_add_func ("/cb/gui/destinations/config", test_config);
  g_test_add ("/cb/gui/destinations/form", Fixture, NULL, fixture_set_up, test_form,
              fixture_tear_down);
  g_test_add ("/cb/gui/destinations/push", Fixture, NULL, fixture_set_up, test_push,
              fixture_tear_down);
  g_test_add ("/cb/gui/destinations/rest-push-shows", Fixture, NULL, fixture_set_up,
              test_rest_push_shows, fixture_tear_down);
  g_test_add ("/cb/gui/destinations/remembered", Fixture, NULL, fixture_set_up,
              test_remembered, fixture_tear_down);
#ifdef HAVE_LIBSECRET
  g_test_add ("/cb/gui/destinations/locked", Fixture, NULL, fixture_set_up, test_locked,
              fixture_tear_down);
#endif
  g_test_add ("/cb/gui/destinations/reconnect", Fixture, reconnect_settings, fixture_set_up,
              test_reconnect, fixture_tear_down);

  g_test_add ("/cb/gui/streams/rtmp-pull", Fixture, pull_settings, fixture_set_up,
              test_rtmp_pull, fixture_tear_down);

  return g_test_run ();
}
