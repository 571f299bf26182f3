/* cb-player-window.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stream of the studio's own server, played the way any WebRTC player plays it: our
 * client asks the server's WHEP endpoint over loopback, so what the window shows (and
 * its statistics) is what a viewer gets, transport included.
 *
 * Threads. The client and its peer live on the GTK context. Encoded frames go from the
 * peer's streaming threads into the decoding pipeline of cb-player-feed.c, made and
 * taken down on worker threads; the media ports are read on the engine's context, which
 * owns the settings. A generation counter drops answers that belong to a playback
 * already stopped.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/audio/audio.h>
#include <math.h>

#include "cb-byte-rate.h"
#include "cb-error-text.h"
#include "cb-player-feed.h"
#include "cb-player-window.h"
#include "cb-preview-paintable.h"
#include "cb-stream-row.h"
#include "cb-webrtc-client.h"
#include "cb-vod.h"
#include "cb-webrtc-endpoint.h"

#define STATS_INTERVAL_S 1

typedef enum {
  PLAYER_IDLE,
  PLAYER_CONNECTING,
  PLAYER_PLAYING,
  PLAYER_FAILED,
  PLAYER_STOPPED,
} PlayerState;

struct _CbPlayerWindow
{
  AdwWindow           parent_instance;

  CbStudio           *studio;
  char               *stream_name;
  GMainContext       *ui_context;
  CbPreviewPaintable *paintable;

  /* The playback; all NULL when there is none. */
  PlayerState         state;
  guint               generation;
  GCancellable       *cancellable;
  guint               port_min;
  guint               port_max;
  CbWebrtcClient     *client;
  CbPlayerFeed       *feed;
  GstElement         *pipeline;
  GstElement         *volume;
  GSource            *bus_source;
  gboolean            audio_output;
  guint               stats_id;
  guint               teardown_id;

  /* Statistics: the previous sample of each counter. */
  CbByteRate          byte_rate;
  guint64             last_decoded;
  gint64              last_decoded_time;
  int                 bitrate_kbps;
  double              sender_rtt;      /* seconds, from the server's side; -1 unknown */

  /* Template. */
  GtkButton          *stop_button;
  AdwButtonContent   *stop_content;
  GtkLabel           *audio_label;
  GtkImage           *volume_icon;
  GtkScale           *volume_scale;
  GtkStack           *video_stack;
  AdwStatusPage      *status_page;
  GtkPicture         *picture;
  GtkLabel           *state_label;
  GtkLabel           *bitrate_label;
  GtkLabel           *fps_label;
  GtkLabel           *resolution_label;
  GtkLabel           *loss_label;
  GtkLabel           *rtt_label;
};

G_DEFINE_FINAL_TYPE (CbPlayerWindow, cb_player_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STUDIO,
  PROP_STREAM_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_playback (CbPlayerWindow *self);
static void stop_playback  (CbPlayerWindow *self);
static void reset_stats    (CbPlayerWindow *self);

static void
set_state_css (CbPlayerWindow *self,
               const char     *name)
{
  const char *classes[] = { "status", name, NULL };

  gtk_widget_set_css_classes (GTK_WIDGET (self->state_label), classes);
}

static void
show_state (CbPlayerWindow *self,
            PlayerState     state,
            const char     *reason)
{
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;
  gboolean active = state == PLAYER_CONNECTING || state == PLAYER_PLAYING;
  const char *title = NULL;
  const char *icon = "network-receive-symbolic";

  self->state = state;

  switch (state)
    {
    case PLAYER_CONNECTING:
      text = g_strdup (C_("player state", "Connecting…"));
      set_state_css (self, "pending");
      title = C_("player state", "Connecting…");
      /* TRANSLATORS: %s is a stream name. */
      description = g_strdup_printf (_("Asking this studio’s server for “%s” over WebRTC"),
                                     self->stream_name);
      break;
    case PLAYER_PLAYING:
      text = g_strdup (C_("player state", "Playing"));
      set_state_css (self, "playing");
      break;
    case PLAYER_FAILED:
      /* The reason is the client's or GStreamer's, in English as in the logs. */
      if (reason != NULL && *reason != '\0')
        text = g_strdup_printf (_("Failed: %s"), reason);
      else
        text = g_strdup (C_("player state", "Failed"));
      set_state_css (self, "failed");
      title = _("Playback Failed");
      icon = "dialog-warning-symbolic";
      description = g_strdup (reason);
      break;
    case PLAYER_STOPPED:
    case PLAYER_IDLE:
    default:
      text = g_strdup (C_("player state", "Stopped"));
      set_state_css (self, "stopped");
      title = C_("player state", "Stopped");
      icon = "media-playback-stop-symbolic";
      description = g_strdup (reason != NULL && *reason != '\0'
                              ? reason : _("Press Play to watch the stream again"));
      break;
    }

  gtk_label_set_label (self->state_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_label), text);
  /* Figures of a playback that is over would read as if it went on. */
  if (!active)
    reset_stats (self);

  if (title != NULL)
    {
      adw_status_page_set_title (self->status_page, title);
      adw_status_page_set_description (self->status_page, description);
      adw_status_page_set_icon_name (self->status_page, icon);
      gtk_stack_set_visible_child_name (self->video_stack, "message");
    }
  else
    gtk_stack_set_visible_child_name (self->video_stack, "video");

  adw_button_content_set_label (self->stop_content, active ? _("Stop") : _("Play"));
  adw_button_content_set_icon_name (self->stop_content,
                                    active ? "media-playback-stop-symbolic"
                                           : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_button),
                               active ? _("Stop playing") : _("Play the stream again"));
}

static void
reset_stats (CbPlayerWindow *self)
{
  cb_byte_rate_init (&self->byte_rate);
  self->last_decoded = 0;
  self->last_decoded_time = 0;
  self->bitrate_kbps = 0;
  self->sender_rtt = -1;
  gtk_label_set_label (self->bitrate_label, "—");
  gtk_label_set_label (self->fps_label, "—");
  gtk_label_set_label (self->resolution_label, "—");
  gtk_label_set_label (self->loss_label, "—");
  gtk_label_set_label (self->rtt_label, "—");
}

static void
show_audio_output (CbPlayerWindow *self,
                   gboolean        audio_output)
{
  self->audio_output = audio_output;
  gtk_widget_set_visible (GTK_WIDGET (self->audio_label), !audio_output);
  gtk_widget_set_sensitive (GTK_WIDGET (self->volume_scale), audio_output);
  gtk_image_set_from_icon_name (self->volume_icon, audio_output ? "audio-volume-high-symbolic"
                                                                : "audio-volume-muted-symbolic");
}

static void
apply_volume (CbPlayerWindow *self)
{
  double value = gtk_range_get_value (GTK_RANGE (self->volume_scale));

  if (self->volume == NULL)
    return;
  /* The slider is perceptual, the element linear. */
  g_object_set (self->volume, "volume",
                gst_stream_volume_convert_volume (GST_STREAM_VOLUME_FORMAT_CUBIC,
                                                  GST_STREAM_VOLUME_FORMAT_LINEAR, value),
                NULL);
}

static void
on_volume_changed (CbPlayerWindow *self)
{
  apply_volume (self);
}

/* Statistics, once a second. */

/* Requests can overlap (webrtcbin answers late on a loaded machine): each answer is
 * dated by when it was asked for, and an answer older than the last one taken is
 * dropped. Dated by its arrival, two answers a moment apart made a second's bytes look
 * like the work of microseconds: hundreds of millions of kbit/s. */
typedef struct
{
  GWeakRef window;
  guint    generation;
  gint64   asked_at;   /* monotonic µs */
} StatsRequest;

static void
stats_request_free (gpointer data)
{
  StatsRequest *request = data;

  g_weak_ref_clear (&request->window);
  g_free (request);
}

static char *
format_loss (gint64 packets,
             gint64 lost)
{
  gint64 total = packets + lost;
  double percent = total > 0 ? 100.0 * (double) lost / (double) total : 0.0;
  gulong count = (gulong) CLAMP (lost, 0, (gint64) G_MAXINT32);

  /* TRANSLATORS: packet loss: "0.3 % · 12 packets". */
  return g_strdup_printf (ngettext ("%.1f %% · %lu packet", "%.1f %% · %lu packets", count),
                          percent, count);
}

/* On the peer's context, which is ours. */
static void
on_stats (CbWebrtcPeer        *peer,
          const CbWebrtcStats *stats,
          gpointer             data)
{
  StatsRequest *request = data;
  g_autoptr(CbPlayerWindow) self = g_weak_ref_get (&request->window);
  int kbps;
  double rtt;

  if (self == NULL || request->generation != self->generation || stats == NULL)
    return;

  /* An answer older than one already taken is dropped whole. */
  if (!cb_byte_rate_take (&self->byte_rate, stats->bytes, request->asked_at, &kbps))
    return;
  if (kbps >= 0)
    {
      g_autofree char *text = cb_format_bitrate (kbps);

      self->bitrate_kbps = kbps;
      gtk_label_set_label (self->bitrate_label, text);
    }

  if (stats->packets_lost >= 0 && stats->packets >= 0)
    {
      g_autofree char *text = format_loss (stats->packets, stats->packets_lost);

      gtk_label_set_label (self->loss_label, text);
    }
  else
    gtk_label_set_label (self->loss_label, "—");

  /* webrtcbin gives a receiver no round trip; the server's sender of this session has it
   * from our receiver reports (stream_check_done()). */
  rtt = stats->round_trip_time >= 0 ? stats->round_trip_time : self->sender_rtt;
  if (rtt >= 0)
    {
      g_autofree char *text = g_strdup_printf (_("%d ms"), (int) lround (rtt * 1000.0));

      gtk_label_set_label (self->rtt_label, text);
    }
  else
    gtk_label_set_label (self->rtt_label, "—");
}

/* Whether the stream is still published. WHEP tells a player nothing when the stream
 * ends (the server just stops sending), so the window asks the engine; and the round
 * trip, which the engine's sender to this player knows. */

typedef struct
{
  GWeakRef      window;
  guint         generation;
  CbEngine     *engine;
  GMainContext *ui_context;
  char         *name;
  char         *session_id;    /* the server's id of our WHEP session */
  gboolean      published;
  double        sender_rtt;
} StreamCheck;

static void
stream_check_free (gpointer data)
{
  StreamCheck *check = data;

  g_weak_ref_clear (&check->window);
  g_clear_object (&check->engine);
  g_clear_pointer (&check->ui_context, g_main_context_unref);
  g_free (check->name);
  g_free (check->session_id);
  g_free (check);
}

static gboolean
stream_check_done (gpointer data)
{
  StreamCheck *check = data;
  g_autoptr(CbPlayerWindow) self = g_weak_ref_get (&check->window);

  if (self == NULL || check->generation != self->generation || self->state != PLAYER_PLAYING)
    return G_SOURCE_REMOVE;
  if (check->sender_rtt >= 0)
    self->sender_rtt = check->sender_rtt;
  if (check->published)
    return G_SOURCE_REMOVE;

  g_debug ("Player of “%s”: the stream has ended", self->stream_name);
  stop_playback (self);
  show_state (self, PLAYER_STOPPED, _("The stream has ended"));
  return G_SOURCE_REMOVE;
}

/* Hands @data (a StreamCheck) to the GTK context, which frees it there. */
static void
stream_check_deliver (gpointer data)
{
  StreamCheck *check = data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, stream_check_done, check, stream_check_free);
  g_source_attach (source, check->ui_context);
  g_source_unref (source);
}

/* On the engine's context. */
static void
on_sender_stats (CbWebrtcPeer        *peer,
                 const CbWebrtcStats *stats,
                 gpointer             data)
{
  StreamCheck *check = data;

  check->sender_rtt = stats->round_trip_time;
}

/* On the engine's context. */
static gboolean
stream_check_run (gpointer data)
{
  StreamCheck *check = data;
  g_autoptr(CbStream) stream = NULL;

  /* A personal VOD ("vod://x.mp4") is no stream anyone finds by name: the server's player
   * of this WHEP session says whether it still plays (it ends with the file). */
  if (cb_vod_parse_name (check->name, NULL, NULL) == CB_VOD_PERSONAL)
    {
      stream = check->session_id ? cb_engine_lookup_session (check->engine, check->session_id)
                                 : NULL;
      check->published = check->session_id == NULL ||
                         (stream != NULL && !cb_stream_status_is_final (cb_stream_get_status (stream)));
    }
  else
    {
      stream = cb_engine_lookup_stream (check->engine, check->name);
      check->published = stream != NULL && cb_stream_is_published (stream);
    }
  /* The sender's statistics come later; their destroy hands the check on. */
  if (check->published && check->session_id != NULL &&
      cb_engine_webrtc_get_stats (check->engine, check->session_id, on_sender_stats, check,
                                  stream_check_deliver))
    return G_SOURCE_REMOVE;
  stream_check_deliver (check);
  return G_SOURCE_REMOVE;
}

static void
check_stream (CbPlayerWindow *self)
{
  StreamCheck *check = g_new0 (StreamCheck, 1);

  g_weak_ref_init (&check->window, self);
  check->generation = self->generation;
  check->engine = g_object_ref (cb_studio_get_engine (self->studio));
  check->ui_context = g_main_context_ref (self->ui_context);
  check->name = g_strdup (self->stream_name);
  check->sender_rtt = -1;
  if (self->client != NULL)
    check->session_id = g_strdup (cb_webrtc_client_get_remote_id (self->client));
  /* Handed on to the GTK context by stream_check_run(), which frees it there. */
  cb_engine_invoke (check->engine, stream_check_run, check, NULL);
}

static gboolean
on_stats_tick (gpointer data)
{
  CbPlayerWindow *self = data;
  gint64 now = g_get_monotonic_time ();
  guint64 decoded = 0;
  int width = 0, height = 0;

  if (self->feed != NULL)
    decoded = cb_player_feed_get_decoded (self->feed, &width, &height);

  if (self->last_decoded_time > 0 && now > self->last_decoded_time)
    {
      double fps = (double) (decoded - self->last_decoded) * G_USEC_PER_SEC /
                   (double) (now - self->last_decoded_time);
      g_autofree char *text = g_strdup_printf (_("%d fps"), (int) lround (fps));

      gtk_label_set_label (self->fps_label, decoded > 0 ? text : "—");
    }
  self->last_decoded = decoded;
  self->last_decoded_time = now;

  if (width > 0 && height > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d×%d", width, height);

      gtk_label_set_label (self->resolution_label, text);
    }

  if (self->client != NULL && cb_webrtc_client_get_peer (self->client) != NULL)
    {
      StatsRequest *request = g_new0 (StatsRequest, 1);

      g_weak_ref_init (&request->window, self);
      request->generation = self->generation;
      request->asked_at = now;
      cb_webrtc_peer_get_stats (cb_webrtc_client_get_peer (self->client), on_stats, request,
                                stats_request_free);
    }
  if (self->state == PLAYER_PLAYING)
    check_stream (self);
  return G_SOURCE_CONTINUE;
}

/* Playback. */

static gboolean
teardown_idle (gpointer data)
{
  CbPlayerWindow *self = data;

  self->teardown_id = 0;
  stop_playback (self);
  return G_SOURCE_REMOVE;
}

/* Ends the playback after the current signal emission: the client is still in it. */
static void
fail_later (CbPlayerWindow *self,
            PlayerState     state,
            const char     *reason)
{
  show_state (self, state, reason);
  if (self->teardown_id == 0)
    self->teardown_id = g_idle_add_full (G_PRIORITY_DEFAULT, teardown_idle, self, NULL);
}

static void
on_client_state_changed (CbWebrtcClient *client,
                         int             state,
                         const char     *reason,
                         CbPlayerWindow *self)
{
  g_debug ("Player of “%s”: %s%s%s", self->stream_name,
           cb_webrtc_client_state_to_string (state), reason != NULL ? ": " : "",
           reason != NULL ? reason : "");

  switch (state)
    {
    case CB_WEBRTC_CLIENT_CONNECTING:
      show_state (self, PLAYER_CONNECTING, NULL);
      break;
    case CB_WEBRTC_CLIENT_PLAYING:
      show_state (self, PLAYER_PLAYING, NULL);
      break;
    case CB_WEBRTC_CLIENT_STOPPED:
      fail_later (self, PLAYER_STOPPED, reason);
      break;
    case CB_WEBRTC_CLIENT_FAILED:
    default:
      fail_later (self, PLAYER_FAILED, reason);
      break;
    }
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    data)
{
  CbPlayerWindow *self = data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &error, &debug);
        g_warning ("Player of “%s”: %s (%s)", self->stream_name, error->message,
                   debug != NULL ? debug : "");
        if (self->pipeline != NULL)
          GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (self->pipeline), GST_DEBUG_GRAPH_SHOW_ALL,
                                             "cb-player-error");
        fail_later (self, PLAYER_FAILED, error->message);
      }
      break;
    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) error = NULL;

        gst_message_parse_warning (message, &error, NULL);
        g_debug ("Player of “%s”: %s", self->stream_name, error->message);
      }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static char *
dup_whep_url (CbPlayerWindow *self)
{
  g_autofree char *escaped = g_uri_escape_string (self->stream_name, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/whep/", escaped, NULL);

  return cb_studio_dup_local_url (self->studio, path);
}

/* Which playback a pipeline being made is for. */
typedef struct
{
  GWeakRef      window;
  guint         generation;
  CbPlayerFeed *feed;
} Pending;

static void
on_pipeline_built (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(CbPlayerWindow) self = g_weak_ref_get (&pending->window);
  g_autoptr(CbPlayerFeed) feed = g_steal_pointer (&pending->feed);
  guint generation = pending->generation;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) volume = NULL;
  g_autofree char *url = NULL;
  g_autoptr(CbWebrtcClient) client = NULL;
  gboolean audio_output = FALSE;
  GstBus *bus;

  g_weak_ref_clear (&pending->window);
  g_free (pending);
  pipeline = cb_player_feed_build_finish (result, &volume, &audio_output, &error);
  if (pipeline == NULL)
    {
      if (self != NULL && generation == self->generation)
        {
          g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_PLAYER, NULL);

          g_warning ("Player of “%s”: %s", self->stream_name, error->message);
          fail_later (self, PLAYER_FAILED, message);
        }
      return;
    }
  if (self == NULL || generation != self->generation)
    {
      cb_player_pipeline_shutdown (g_steal_pointer (&pipeline));
      return;
    }

  self->pipeline = g_steal_pointer (&pipeline);
  self->volume = g_steal_pointer (&volume);
  self->feed = g_steal_pointer (&feed);
  show_audio_output (self, audio_output);
  apply_volume (self);

  bus = gst_element_get_bus (self->pipeline);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc) (void (*) (void)) on_bus_message,
                         self, NULL);
  g_source_attach (self->bus_source, self->ui_context);
  gst_object_unref (bus);

  url = dup_whep_url (self);
  if (url == NULL)
    {
      fail_later (self, PLAYER_FAILED, _("Server is not running"));
      return;
    }
  client = cb_webrtc_client_new_player (url, self->stream_name, self->port_min, self->port_max,
                                        &error);
  if (client == NULL)
    {
      g_warning ("Player of “%s”: %s", self->stream_name, error->message);
      fail_later (self, PLAYER_FAILED, error->message);
      return;
    }
  g_debug ("Playing “%s” from %s", self->stream_name, url);

  self->client = g_steal_pointer (&client);
  g_signal_connect (self->client, "state-changed", G_CALLBACK (on_client_state_changed), self);
  cb_webrtc_peer_set_media_func (cb_webrtc_client_get_peer (self->client), cb_player_feed_on_media,
                                 cb_player_feed_ref (self->feed), cb_player_feed_unref);
  cb_webrtc_client_start (self->client);

  self->stats_id = g_timeout_add_seconds (STATS_INTERVAL_S, on_stats_tick, self);
}

static void
build_pipeline (CbPlayerWindow *self)
{
  Pending *pending = g_new0 (Pending, 1);

  g_weak_ref_init (&pending->window, self);
  pending->generation = self->generation;
  pending->feed = cb_player_feed_new (self->paintable, self->ui_context);
  cb_player_feed_build_async (pending->feed, self->cancellable, on_pipeline_built, pending);
}

/* The media ports are settings, which belong to the engine's context. */

typedef struct
{
  GWeakRef      window;
  guint         generation;
  CbEngine     *engine;
  GMainContext *ui_context;
  guint         port_min;
  guint         port_max;
} PortFetch;

static void
port_fetch_free (gpointer data)
{
  PortFetch *fetch = data;

  g_weak_ref_clear (&fetch->window);
  g_clear_object (&fetch->engine);
  g_clear_pointer (&fetch->ui_context, g_main_context_unref);
  g_free (fetch);
}

static gboolean
port_fetch_done (gpointer data)
{
  PortFetch *fetch = data;
  g_autoptr(CbPlayerWindow) self = g_weak_ref_get (&fetch->window);

  if (self == NULL || fetch->generation != self->generation)
    return G_SOURCE_REMOVE;

  self->port_min = fetch->port_min;
  self->port_max = fetch->port_max;
  build_pipeline (self);
  return G_SOURCE_REMOVE;
}

static gboolean
port_fetch_read (gpointer data)
{
  PortFetch *fetch = data;
  CbSettings *settings = cb_engine_get_settings (fetch->engine);
  GSource *source;

  fetch->port_min = (guint) cb_settings_get_int (settings, "media_port_from");
  fetch->port_max = (guint) cb_settings_get_int (settings, "media_port_to");

  /* An idle source of the GTK context, which this thread does not own. */
  source = g_idle_source_new ();
  g_source_set_callback (source, port_fetch_done, fetch, port_fetch_free);
  g_source_attach (source, fetch->ui_context);
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

static void
start_playback (CbPlayerWindow *self)
{
  CbEngine *engine = cb_studio_get_engine (self->studio);
  PortFetch *fetch;

  stop_playback (self);
  reset_stats (self);
  show_state (self, PLAYER_CONNECTING, NULL);

  if (engine == NULL || cb_studio_get_http_port (self->studio) == 0)
    {
      show_state (self, PLAYER_FAILED, _("The server is not running"));
      return;
    }

  self->cancellable = g_cancellable_new ();
  fetch = g_new0 (PortFetch, 1);
  g_weak_ref_init (&fetch->window, self);
  fetch->generation = self->generation;
  fetch->engine = g_object_ref (engine);
  fetch->ui_context = g_main_context_ref (self->ui_context);
  /* Handed on to the GTK context by port_fetch_read(), which frees it there. */
  cb_engine_invoke (engine, port_fetch_read, fetch, NULL);
}

/* Ends the playback, if any: the server's player stream goes (the client says so to
 * the server), and so does the pipeline. What the window shows is the caller's. */
static void
stop_playback (CbPlayerWindow *self)
{
  /* Answers still on their way belong to this playback. */
  self->generation++;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->stats_id, g_source_remove);
  g_clear_handle_id (&self->teardown_id, g_source_remove);

  if (self->client != NULL)
    {
      CbWebrtcPeer *peer = cb_webrtc_client_get_peer (self->client);

      if (peer != NULL)
        cb_webrtc_peer_set_media_func (peer, NULL, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->client, self);
      cb_webrtc_client_stop (self->client);
      g_clear_object (&self->client);
    }

  if (self->feed != NULL)
    {
      cb_player_feed_close (self->feed);
      g_clear_pointer (&self->feed, cb_player_feed_unref);
    }

  if (self->bus_source != NULL)
    {
      g_source_destroy (self->bus_source);
      g_clear_pointer (&self->bus_source, g_source_unref);
    }
  g_clear_object (&self->volume);
  if (self->pipeline != NULL)
    cb_player_pipeline_shutdown (g_steal_pointer (&self->pipeline));
}

static void
on_stop_button_clicked (CbPlayerWindow *self)
{
  if (self->state == PLAYER_CONNECTING || self->state == PLAYER_PLAYING)
    {
      stop_playback (self);
      show_state (self, PLAYER_STOPPED, NULL);
    }
  else
    start_playback (self);
}

/* GObject. */

static void
cb_player_window_constructed (GObject *object)
{
  CbPlayerWindow *self = CB_PLAYER_WINDOW (object);

  G_OBJECT_CLASS (cb_player_window_parent_class)->constructed (object);

  g_assert (CB_IS_STUDIO (self->studio));
  g_assert (self->stream_name != NULL);

  gtk_window_set_title (GTK_WINDOW (self), self->stream_name);
  start_playback (self);
}

static void
cb_player_window_dispose (GObject *object)
{
  CbPlayerWindow *self = CB_PLAYER_WINDOW (object);

  stop_playback (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_PLAYER_WINDOW);
  g_clear_object (&self->paintable);
  g_clear_object (&self->studio);

  G_OBJECT_CLASS (cb_player_window_parent_class)->dispose (object);
}

static void
cb_player_window_finalize (GObject *object)
{
  CbPlayerWindow *self = CB_PLAYER_WINDOW (object);

  g_free (self->stream_name);
  g_main_context_unref (self->ui_context);

  G_OBJECT_CLASS (cb_player_window_parent_class)->finalize (object);
}

static void
cb_player_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CbPlayerWindow *self = CB_PLAYER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      g_value_set_object (value, self->studio);
      break;
    case PROP_STREAM_NAME:
      g_value_set_string (value, self->stream_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_player_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CbPlayerWindow *self = CB_PLAYER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      self->studio = g_value_dup_object (value);
      break;
    case PROP_STREAM_NAME:
      self->stream_name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_player_window_class_init (CbPlayerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cb_player_window_constructed;
  object_class->dispose = cb_player_window_dispose;
  object_class->finalize = cb_player_window_finalize;
  object_class->get_property = cb_player_window_get_property;
  object_class->set_property = cb_player_window_set_property;

  properties[PROP_STUDIO] =
    g_param_spec_object ("studio", NULL, NULL, CB_TYPE_STUDIO,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STREAM_NAME] =
    g_param_spec_string ("stream-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-player-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, stop_content);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, audio_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, volume_icon);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, volume_scale);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, video_stack);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, picture);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, state_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, bitrate_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, fps_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, resolution_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, loss_label);
  gtk_widget_class_bind_template_child (widget_class, CbPlayerWindow, rtt_label);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_volume_changed);
}

static void
cb_player_window_init (CbPlayerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->ui_context = g_main_context_ref_thread_default ();
  self->paintable = cb_preview_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  cb_byte_rate_init (&self->byte_rate);
  /* Until the pipeline has looked for a device. */
  show_audio_output (self, TRUE);
}

CbPlayerWindow *
cb_player_window_new (CbStudio   *studio,
                      const char *stream_name)
{
  g_return_val_if_fail (CB_IS_STUDIO (studio), NULL);
  g_return_val_if_fail (stream_name != NULL && *stream_name != '\0', NULL);

  return g_object_new (CB_TYPE_PLAYER_WINDOW,
                       "studio", studio,
                       "stream-name", stream_name,
                       NULL);
}

const char *
cb_player_window_get_stream_name (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->stream_name;
}

guint64
cb_player_window_get_n_decoded (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), 0);

  return self->feed != NULL ? cb_player_feed_get_decoded (self->feed, NULL, NULL) : 0;
}

int
cb_player_window_get_bitrate (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), 0);
  return self->bitrate_kbps;
}

gboolean
cb_player_window_has_audio_output (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), FALSE);
  return self->audio_output;
}

GtkPicture *
cb_player_window_get_picture (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->picture;
}

GtkLabel *
cb_player_window_get_state_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->state_label;
}

GtkLabel *
cb_player_window_get_bitrate_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->bitrate_label;
}

GtkLabel *
cb_player_window_get_fps_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->fps_label;
}

GtkLabel *
cb_player_window_get_resolution_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->resolution_label;
}

GtkLabel *
cb_player_window_get_loss_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->loss_label;
}

GtkLabel *
cb_player_window_get_rtt_label (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), NULL);
  return self->rtt_label;
}

gboolean
cb_player_window_is_playing (CbPlayerWindow *self)
{
  g_return_val_if_fail (CB_IS_PLAYER_WINDOW (self), FALSE);
  return self->state == PLAYER_CONNECTING || self->state == PLAYER_PLAYING;
}
