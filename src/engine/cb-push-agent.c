/* cb-push-agent.c — publish a stream to an RTMP destination, with events and reconnection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An agent is a consumer of its stream (H.264 video, AAC audio, a transcoding profile
 * when asked) and the owner of one RTMP client connection at a time. Media arrives on
 * the producer's thread and goes out through the FLV sending core it shares with RTMP
 * players (cb-flv-sender.c): the stream's shared forms, except for the agent's own muted
 * or mixed audio. A slow uplink drops whole GOPs from the agent's queue alone; nothing
 * else waits for it.
 */
#include "config.h"

#include "cb-context.h"

#include <string.h>

#include "cb-engine-error.h"
#include "cb-push-agent-private.h"
#include "cb-redact.h"
#include "cb-vod.h"
#include "cb-rtmp-client.h"
#include "cb-rtmp-url.h"
#include "cb-engine-private.h"
#include "cb-flv-sender.h"
#include "cb-sound-mixer.h"
#include "cb-stream.h"

#define MAX_EVENTS            50
/* What the agent queues before it drops a GOP: media time and bytes. */
#define DEFAULT_QUEUE_MS      4000
#define MAX_QUEUE_BYTES       (24 * 1024 * 1024)
/* How often a congested uplink is looked at again, with the outgoing buffer off. */
#define CONGESTED_RETRY_MS    50
#define LIVENESS_TIMEOUT_US   (15 * G_USEC_PER_SEC)
#define MAX_BACKOFF_MS        60000
/* Voximplant's default keyframe interval, and its smallest: 2 s. */
#define KEYFRAME_MIN_SECONDS  2
#define KEYFRAME_MAX_SECONDS  300

struct _CbPushAgent
{
  GObject        parent_instance;

  CbEngine      *engine;          /* weak: the engine owns its agents */
  char          *id;
  char          *stream_name;
  char          *request_url;     /* rtmpUrl as the request gave it, secrets and all */
  CbRtmpUrl     *url;
  CbRtmpUrl     *backup_url;
  gboolean       using_backup;
  char          *publish_name;
  char          *app;
  char          *flash_ver;
  char          *bind_address;
  gboolean       send_metadata;
  CbProfile      profile;
  char          *codec_error;     /* set when the video cannot go out as H.264 */

  CbPushState    state;
  GPtrArray     *events;          /* CbPushEvent* */
  guint          reconnects;
  guint          attempts_used;
  gboolean       full_url;        /* the URL's last element is the published name */
  gboolean       restore;
  int            restore_attempts;
  guint          restore_interval_ms;
  GSource       *retry_source;
  gint64         retry_at;

  CbRtmpClient  *client;
  GCancellable  *cancellable;
  CbStream      *stream;
  CbConsumer    *consumer;
  gulong         stream_changed_id;

  GSource       *tick_source;
  guint64        last_bytes_sent;
  gint64         last_progress;
  int            keyframe_seconds; /* the longest gap between keyframes sent */
  int            bitrate;
  gboolean       out_buffer_enabled;
  guint          out_start_ms;
  guint          queue_limit_ms;
  guint          out_polling_ms;
  int            out_max_bufferings;   /* -1: no limit */

  /* The FLV sending core, shared with RTMP players. */
  CbFlvSender   *sender;

  /* Shared with the producer's thread. */
  GMutex         lock;
  gboolean       muted;
  CbSoundMixer  *mixer;
  GstCaps       *mixer_caps;      /* audio caps for the mixer, on their way to the engine */
  char          *sound_file;
};

G_DEFINE_FINAL_TYPE (CbPushAgent, cb_push_agent, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void connect_now (CbPushAgent *self);
static void end_session (CbPushAgent *self);
static void stop_ticking (CbPushAgent *self);

/* Timers run on the engine's context (the GUI runs it on its own thread). */
static GSource *
timeout_on_engine (CbPushAgent *self,
                   guint        ms,
                   GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, cb_engine_get_context (self->engine));
  return source;
}

/* Runs @func (with a reference on the agent) from the engine context's loop, never now. */
static void
idle_on_engine (CbPushAgent *self,
                int          priority,
                GSourceFunc  func)
{
  cb_idle_on (cb_engine_get_context (self->engine), priority, func, g_object_ref (self),
              g_object_unref);
}

const char *
cb_push_state_to_string (CbPushState state)
{
  static const char *names[] = { "CONNECTING", "STREAMING", "WAITING", "FAILED", "STOPPED" };

  return (guint) state < G_N_ELEMENTS (names) ? names[state] : "FAILED";
}

const char *
cb_push_event_type_to_string (CbPushEventType type)
{
  static const char *names[] = { "Connected", "ConnectionFailed", "Disconnected", "Error",
                                 "StreamStarted", "StreamError", "StreamStopped" };

  return (guint) type < G_N_ELEMENTS (names) ? names[type] : "Error";
}

static void
event_free (gpointer data)
{
  CbPushEvent *e = data;

  g_free (e->reason);
  g_free (e);
}

void
cb_push_info_free (CbPushInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->media_session_id);
  g_free (info->stream_name);
  g_free (info->rtmp_url);
  g_free (info->publish_name);
  g_free (info->target);
  g_free (info->sound_file);
  g_ptr_array_unref (info->events);
  g_free (info);
}

static void
cb_push_agent_dispose (GObject *object)
{
  CbPushAgent *self = CB_PUSH_AGENT (object);

  end_session (self);
  cb_clear_source (&self->retry_source);
  stop_ticking (self);
  G_OBJECT_CLASS (cb_push_agent_parent_class)->dispose (object);
}

static void
cb_push_agent_finalize (GObject *object)
{
  CbPushAgent *self = CB_PUSH_AGENT (object);

  g_free (self->id);
  g_free (self->stream_name);
  g_free (self->request_url);
  g_clear_pointer (&self->url, cb_rtmp_url_free);
  g_clear_pointer (&self->backup_url, cb_rtmp_url_free);
  g_free (self->publish_name);
  g_free (self->app);
  g_free (self->flash_ver);
  g_free (self->bind_address);
  g_free (self->sound_file);
  g_free (self->codec_error);
  g_ptr_array_unref (self->events);
  g_clear_pointer (&self->sender, cb_flv_sender_free);
  gst_clear_caps (&self->mixer_caps);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cb_push_agent_parent_class)->finalize (object);
}

static void
cb_push_agent_class_init (CbPushAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_push_agent_dispose;
  object_class->finalize = cb_push_agent_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* (const CbPushEvent *event): each event as it happens, for those who deliver them. */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
cb_push_agent_init (CbPushAgent *self)
{
  g_mutex_init (&self->lock);
  self->events = g_ptr_array_new_with_free_func (event_free);
  self->state = CB_PUSH_CONNECTING;
}

static void
emit_changed (CbPushAgent *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
add_event (CbPushAgent     *self,
           CbPushEventType  type,
           const char      *reason)
{
  CbPushEvent *e = g_new0 (CbPushEvent, 1);

  e->type = type;
  e->reason = g_strdup (reason ? reason : "");
  e->time = g_get_real_time () / 1000;
  if (self->events->len >= MAX_EVENTS)
    g_ptr_array_remove_index (self->events, 0);
  g_ptr_array_add (self->events, e);
  /* The reason carries the server's words, never our URL: nothing secret to redact. */
  g_info ("push %s → %s: %s %s", self->stream_name, self->id,
          cb_push_event_type_to_string (type), e->reason);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, e);
}

static void
set_state (CbPushAgent *self,
           CbPushState  state)
{
  self->state = state;
  emit_changed (self);
}

/* ---- media in (producer thread) ------------------------------------------ */

/* The silent frame of a muted agent is made on a worker (once per process and audio
 * format) when the agent is muted, so that agents never muted load no AAC encoder. */
static void
prepare_silence (GstCaps *caps)
{
  GBytes *silence = caps != NULL ? cb_media_silent_aac (caps) : NULL;

  if (silence != NULL)
    g_bytes_unref (silence);
}

/* What is the agent's own in what it sends: muted or mixed audio. Never blocks: the
 * silent frame was prepared when the audio caps came (cb_media_silent_aac()). */
static gboolean
sender_audio (gpointer    data,
              GstBuffer  *buffer,
              GBytes    **replacement)
{
  CbPushAgent *self = data;
  g_autoptr(CbSoundMixer) mixer = NULL;
  gboolean muted;

  g_mutex_lock (&self->lock);
  if (self->mixer != NULL)
    mixer = g_object_ref (self->mixer);
  muted = self->muted;
  g_mutex_unlock (&self->lock);

  if (mixer != NULL)
    {
      /* The mixer hands the mixed frame back (on_mixer_output). */
      cb_sound_mixer_push (mixer, buffer);
      return FALSE;
    }
  if (muted)
    {
      g_autoptr(GstCaps) caps = cb_flv_sender_dup_caps (self->sender, CB_MEDIA_AUDIO);

      if (caps == NULL)
        return TRUE;
      /* Until the silent frame is ready (a moment after the audio caps), nothing. */
      *replacement = cb_media_silent_aac (caps);
      return *replacement != NULL;
    }
  return TRUE;
}

/* On the engine context: a sound mixer loads its file and builds its pipeline for the
 * new audio format, never in the producer's callback. */
static gboolean
mixer_caps_idle (gpointer data)
{
  CbPushAgent *self = data;
  g_autoptr(CbSoundMixer) mixer = NULL;
  g_autoptr(GstCaps) caps = NULL;

  g_mutex_lock (&self->lock);
  caps = g_steal_pointer (&self->mixer_caps);
  if (self->mixer != NULL)
    mixer = g_object_ref (self->mixer);
  g_mutex_unlock (&self->lock);
  if (mixer != NULL && caps != NULL)
    cb_sound_mixer_set_caps (mixer, caps);
  return G_SOURCE_REMOVE;
}

static void
sender_audio_caps (gpointer  data,
                   GstCaps  *caps)
{
  CbPushAgent *self = data;
  gboolean mixing, muted;

  g_mutex_lock (&self->lock);
  mixing = self->mixer != NULL;
  muted = self->muted;
  if (mixing)
    gst_caps_replace (&self->mixer_caps, caps);
  g_mutex_unlock (&self->lock);
  if (mixing)
    idle_on_engine (self, G_PRIORITY_DEFAULT, mixer_caps_idle);
  if (muted)
    prepare_silence (caps);
}

static void
on_mixer_output (GstBuffer *buffer,
                 gpointer   data)
{
  CbPushAgent *self = data;

  cb_flv_sender_push (self->sender, CB_MEDIA_AUDIO, buffer);
}

static gboolean
stream_ended_idle (gpointer data)
{
  CbPushAgent *self = data;

  if (self->state != CB_PUSH_STOPPED)
    cb_push_agent_stop (self, "Stream stopped");
  return G_SOURCE_REMOVE;
}

static void
sender_ended (gpointer data)
{
  CbPushAgent *self = data;

  /* Let what is queued go out, then stop (later: the sender is draining). */
  idle_on_engine (self, G_PRIORITY_LOW, stream_ended_idle);
}

static const CbFlvSenderHooks sender_hooks = {
  sender_audio,
  sender_audio_caps,
  sender_ended,
};

/* ---- sessions and reconnection -------------------------------------------- */

static void
detach_consumer (CbPushAgent *self)
{
  if (self->sender != NULL)
    cb_flv_sender_stop (self->sender);
  self->consumer = NULL;
  if (self->stream != NULL)
    g_clear_signal_handler (&self->stream_changed_id, self->stream);
  g_clear_object (&self->stream);
}

static void
end_session (CbPushAgent *self)
{
  detach_consumer (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      cb_rtmp_client_close (self->client, FALSE);
      g_clear_object (&self->client);
    }
}

static gboolean
retry_timeout (gpointer data)
{
  CbPushAgent *self = data;

  cb_clear_source (&self->retry_source);
  self->retry_at = 0;
  self->reconnects++;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* After a failure: wait and try again, or give up. */
static void
after_failure (CbPushAgent *self)
{
  guint delay;

  end_session (self);
  if (self->state == CB_PUSH_STOPPED)
    return;

  if (self->backup_url != NULL && !self->using_backup && self->attempts_used == 0)
    {
      /* Voximplant's backupUrl: the main URL did not answer, try the backup at once. */
      self->using_backup = TRUE;
      self->attempts_used++;
      connect_now (self);
      return;
    }

  if (!self->restore ||
      (self->restore_attempts >= 0 && self->attempts_used >= (guint) self->restore_attempts))
    {
      set_state (self, CB_PUSH_FAILED);
      return;
    }

  if (self->restore_attempts >= 0)
    delay = self->restore_interval_ms;
  else
    {
      /* No limit: back off exponentially, with jitter so that many agents spread out. */
      guint shift = MIN (self->attempts_used, 10);
      guint64 d = (guint64) MAX (self->restore_interval_ms, 100) << shift;
      d = MIN (d, MAX_BACKOFF_MS);
      delay = (guint) (d * g_random_double_range (0.8, 1.2));
    }
  self->attempts_used++;
  self->retry_at = g_get_real_time () / 1000 + delay;
  self->retry_source = timeout_on_engine (self, delay, retry_timeout);
  set_state (self, CB_PUSH_WAITING);
}

static void
on_client_connected (CbRtmpClient *client,
                     gpointer      data)
{
  CbPushAgent *self = data;

  add_event (self, CB_PUSH_EVENT_CONNECTED, "NetConnection.Connect.Success");
  emit_changed (self);
}

static void
on_client_closed (CbRtmpClient *client,
                  const GError *reason,
                  gpointer      data)
{
  CbPushAgent *self = data;

  if (self->state != CB_PUSH_STREAMING)
    return;   /* publish_finish reports failures before streaming */
  add_event (self, CB_PUSH_EVENT_DISCONNECTED, reason ? reason->message : "Connection closed");
  after_failure (self);
}

static void
on_client_status (CbRtmpClient *client,
                  const char   *level,
                  const char   *code,
                  const char   *description,
                  gpointer      data)
{
  CbPushAgent *self = data;
  g_autofree char *reason = NULL;

  if (self->state != CB_PUSH_STREAMING || g_strcmp0 (level, "error") != 0)
    return;
  reason = g_strdup_printf ("%s%s%s", code, description && *description ? ": " : "",
                            description ? description : "");
  add_event (self, CB_PUSH_EVENT_STREAM_ERROR, reason);
  emit_changed (self);
}

static void
on_stream_changed (CbStream *stream,
                   gpointer  data)
{
  CbPushAgent *self = data;
  g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (stream);

  if (cb_stream_status_is_final (info->status) && self->state != CB_PUSH_STOPPED)
    {
      g_autoptr(CbPushAgent) keep = g_object_ref (self);
      cb_push_agent_stop (self, info->info && *info->info ? info->info : "Stream stopped");
    }
}

/* The frame rate an encoder of ours runs at: the profile's, else the stream's, else 30. */
static int
stream_fps (const CbProfile *profile,
            GstCaps         *vcaps)
{
  int num = 0, den = 1;

  if (profile->fps > 0)
    return profile->fps;
  if (vcaps != NULL &&
      gst_structure_get_fraction (gst_caps_get_structure (vcaps, 0), "framerate", &num, &den) &&
      num > 0 && den > 0)
    return MAX (num / den, 1);
  return 30;
}

/* The profile this agent attaches with: its own, or, when the stream's video is not
 * H.264, one that makes H.264 (the one rule of cb_engine_want_video()). */
static gboolean
media_profile (CbPushAgent  *self,
               CbStream     *stream,
               CbProfile    *profile,
               GError      **error)
{
  g_autoptr(GstCaps) vcaps = cb_stream_dup_caps (stream, CB_MEDIA_VIDEO);

  *profile = self->profile;
  return cb_engine_want_video (self->engine, stream, "H264", TRUE, NULL,
                               self->keyframe_seconds * stream_fps (profile, vcaps), profile,
                               error);
}

static gboolean
start_media (CbPushAgent  *self,
             GError      **error)
{
  /* A vod-live stream that ended while this agent reconnected starts again. */
  g_autoptr(CbStream) stream = cb_engine_open_play_stream (self->engine, self->stream_name, error);
  CbProfile profile;

  if (stream == NULL)
    return FALSE;
  /* The codec may have become known only now (the stream was pending at start). */
  if (!media_profile (self, stream, &profile, error))
    return FALSE;

  self->stream = g_object_ref (stream);
  self->stream_changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_stream_changed), self);
  cb_flv_sender_set_videodatarate (self->sender, self->profile.bitrate);
  self->consumer = cb_flv_sender_start (self->sender, &cb_flv_out_client, self->client, stream,
                                        GST_CLOCK_TIME_NONE, &profile, error);
  return self->consumer != NULL;
}

static void
on_publish_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(CbPushAgent) self = data;
  CbRtmpClient *client = CB_RTMP_CLIENT (source);
  g_autoptr(GError) error = NULL;

  if (!cb_rtmp_client_publish_finish (client, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || client != self->client)
        return;
      add_event (self, cb_rtmp_client_is_connected (client) ? CB_PUSH_EVENT_STREAM_ERROR
                                                            : CB_PUSH_EVENT_CONNECTION_FAILED,
                 error->message);
      after_failure (self);
      return;
    }
  if (client != self->client)
    return;

  self->attempts_used = 0;
  self->last_progress = g_get_monotonic_time ();
  self->last_bytes_sent = 0;
  add_event (self, CB_PUSH_EVENT_STREAM_STARTED, "NetStream.Publish.Start");
  self->state = CB_PUSH_STREAMING;
  if (!start_media (self, &error))
    {
      add_event (self, CB_PUSH_EVENT_STREAM_ERROR, error->message);
      self->state = CB_PUSH_FAILED;
      end_session (self);
    }
  emit_changed (self);
}

static void
connect_now (CbPushAgent *self)
{
  CbSettings *settings = cb_engine_get_settings (self->engine);
  CbRtmpClientConfig config = { 0 };
  const char *ip = cb_settings_get_string (settings, "rtmp_publisher_ip");

  end_session (self);
  config.url = self->using_backup ? self->backup_url : self->url;
  config.stream_name = self->publish_name;
  config.app = self->app;
  config.flash_ver = self->flash_ver;
  config.bind_address = ip && *ip ? ip : NULL;
  config.timeout_ms = 10000;
  config.tls_validation = !cb_settings_get_bool (settings, "rtmp_tls_no_verify");

  self->client = cb_rtmp_client_new (&config);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->client, "connected", G_CALLBACK (on_client_connected), self);
  g_signal_connect (self->client, "closed", G_CALLBACK (on_client_closed), self);
  g_signal_connect (self->client, "status", G_CALLBACK (on_client_status), self);
  set_state (self, CB_PUSH_CONNECTING);
  cb_rtmp_client_publish_async (self->client, self->cancellable, on_publish_done,
                                g_object_ref (self));
}

/* Once a second: the sent bitrate, and whether the connection is still alive. */
static void
tick (CbPushAgent *self)
{
  guint64 sent;
  gint64 now = g_get_monotonic_time ();

  if (self->state != CB_PUSH_STREAMING || self->client == NULL)
    {
      if (self->bitrate != 0)
        {
          self->bitrate = 0;
          emit_changed (self);
        }
      return;
    }

  sent = cb_rtmp_client_get_bytes_sent (self->client);
  self->bitrate = (int) ((sent - MIN (sent, self->last_bytes_sent)) * 8 / 1000);
  if (sent != self->last_bytes_sent || cb_rtmp_client_get_queued_bytes (self->client) == 0)
    self->last_progress = now;
  self->last_bytes_sent = sent;

  /* Liveness: bytes stuck in our queue, or a server that stopped acknowledging. */
  if (now - self->last_progress > LIVENESS_TIMEOUT_US)
    {
      add_event (self, CB_PUSH_EVENT_DISCONNECTED,
                 "Connection stalled: the server accepted no data for 15 s");
      after_failure (self);
      return;
    }
  if (cb_rtmp_client_get_bytes_acked (self->client) > 0 &&
      now - cb_rtmp_client_get_last_ack_time (self->client) > LIVENESS_TIMEOUT_US &&
      sent - cb_rtmp_client_get_bytes_acked (self->client) > 4 * 1024 * 1024)
    {
      add_event (self, CB_PUSH_EVENT_DISCONNECTED,
                 "Connection dead: no acknowledgement from the server for 15 s");
      after_failure (self);
      return;
    }
  if (self->out_buffer_enabled && self->out_max_bufferings >= 0)
    {
      guint bufferings = cb_flv_sender_get_bufferings (self->sender);

      if (bufferings > (guint) self->out_max_bufferings)
        {
          g_autofree char *reason = g_strdup_printf ("The uplink cannot keep up: %u bufferings, "
                                                     "rtmp_out_buffer_max_bufferings_allowed is %d",
                                                     bufferings, self->out_max_bufferings);
          add_event (self, CB_PUSH_EVENT_STREAM_ERROR, reason);
          after_failure (self);
          return;
        }
    }

  /* RTMP servers keep no GOP: viewers who join there need keyframes every few seconds.
   * Producers with rare keyframes (browsers send one on request) are asked for them. */
  {
    gint64 last_key = cb_flv_sender_get_last_keyframe (self->sender);

    /* Ticks are a second apart: ask at the last tick before the gap would be too long. */
    if (self->stream != NULL &&
        now - last_key + G_USEC_PER_SEC > (gint64) self->keyframe_seconds * G_USEC_PER_SEC)
      cb_stream_request_keyframe (self->stream);
  }
  emit_changed (self);
}

/* tick() runs with the context's other seconds (cb-context.h): no timer of its own for
 * GLib to look at in every iteration of the loop. */
typedef struct {
  CbFlagSource  flag;
  CbPushAgent  *agent;   /* not referenced: the agent destroys the source before it goes */
} TickSource;

static void
tick_run (CbFlagSource *source)
{
  g_autoptr(CbPushAgent) self = g_object_ref (((TickSource *) source)->agent);

  tick (self);
}

static GSourceFuncs tick_source_funcs = {
  NULL, NULL, NULL, cb_flag_source_finalize, NULL, NULL,
};

static void
start_ticking (CbPushAgent *self)
{
  TickSource *source;

  if (self->tick_source != NULL)
    return;
  source = (TickSource *) g_source_new (&tick_source_funcs, sizeof (TickSource));
  source->agent = self;
  g_source_set_static_name (&source->flag.parent, "cb-push-agent tick");
  cb_flag_source_attach (&source->flag, cb_engine_get_context (self->engine), tick_run);
  cb_flag_source_set_ticking (&source->flag, TRUE);
  self->tick_source = &source->flag.parent;
}

static void
stop_ticking (CbPushAgent *self)
{
  if (self->tick_source == NULL)
    return;
  cb_flag_source_set_ticking ((CbFlagSource *) self->tick_source, FALSE);
  cb_clear_source (&self->tick_source);
}

/* ---- public --------------------------------------------------------------- */

/**
 * cb_push_agent_new:
 *
 * Checks the request and builds the agent; cb_push_agent_start() connects.
 * Errors: CB_ENGINE_ERROR_INVALID for a missing or malformed URL, _NOT_FOUND for an
 * unknown stream or sound file, _FAILED when the video codec is not H.264 and
 * transcoding is off ("Video codec mismatch. VP8 granted, but should be H.264").
 */
CbPushAgent *
cb_push_agent_new (CbEngine            *engine,
                   const CbPushRequest *request,
                   GError             **error)
{
  CbSettings *settings = cb_engine_get_settings (engine);
  g_autoptr(CbPushAgent) self = NULL;
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GstCaps) vcaps = NULL;
  g_autoptr(GError) url_error = NULL;
  g_autofree char *rtmp_url = NULL;
  gboolean full_url;
  const char *prefix;
  const char *flash;

  if (request->rtmp_url == NULL || *request->rtmp_url == '\0')
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Missing rtmpUrl");
      return NULL;
    }
  /* A personal VOD serves one viewer of its own; a shared one (vod-live://) can be pushed. */
  if (cb_vod_parse_name (request->stream_name, NULL, NULL) == CB_VOD_PERSONAL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Bad URI: a vod:// stream has one viewer; push vod-live:// instead");
      return NULL;
    }
  stream = cb_engine_open_play_stream (engine, request->stream_name, error);
  if (stream == NULL)
    return NULL;

  self = g_object_new (CB_TYPE_PUSH_AGENT, NULL);
  self->engine = engine;
  self->id = g_uuid_string_random ();
  self->stream_name = g_strdup (request->stream_name);
  self->profile = request->profile;
  self->muted = request->muted;
  self->keyframe_seconds = request->keyframe_seconds > 0
                           ? CLAMP (request->keyframe_seconds, KEYFRAME_MIN_SECONDS, KEYFRAME_MAX_SECONDS)
                           : KEYFRAME_MIN_SECONDS;

  full_url = request->full_url >= 0 ? request->full_url
                                    : cb_settings_get_bool (settings, "rtmp_transponder_full_url");
  self->full_url = full_url;
  self->request_url = g_strdup (request->rtmp_url);
  prefix = cb_settings_get_string (settings, "rtmp_transponder_stream_name_prefix");
  rtmp_url = cb_push_url_with_application (request->rtmp_url, request->application_name, full_url);
  self->url = cb_rtmp_url_parse_wcs (rtmp_url, request->stream_name, prefix, full_url, &url_error);
  if (self->url == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Bad rtmpUrl: %s",
                   url_error->message);
      return NULL;
    }
  if (request->backup_url != NULL && *request->backup_url != '\0')
    {
      g_autofree char *backup_url = cb_push_url_with_application (request->backup_url,
                                                                  request->application_name,
                                                                  full_url);

      self->backup_url = cb_rtmp_url_parse_wcs (backup_url, request->stream_name, prefix,
                                                full_url, &url_error);
      if (self->backup_url == NULL)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Bad backupUrl: %s",
                       url_error->message);
          return NULL;
        }
    }
  self->publish_name = cb_rtmp_url_get_publish_name (self->url);
  if (self->publish_name == NULL || *self->publish_name == '\0')
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "rtmpUrl names no stream to publish");
      return NULL;
    }
  self->app = g_strdup (request->application_name && *request->application_name
                        ? request->application_name : NULL);
  flash = request->flash_version && *request->flash_version
          ? request->flash_version : cb_settings_get_string (settings, "rtmp_flash_ver_subscriber");
  self->flash_ver = g_strdup (flash);
  self->send_metadata = cb_settings_get_bool (settings, "rtmp_transponder_send_metadata");
  self->restore = request->restore == CB_PUSH_RESTORE_DEFAULT
                  ? cb_settings_get_bool (settings, "rtmp_push_restore")
                  : request->restore == CB_PUSH_RESTORE_ON;
  self->restore_attempts = request->restore == CB_PUSH_RESTORE_ON && request->restore_attempts != 0
                           ? request->restore_attempts
                           : (int) cb_settings_get_int (settings, "rtmp_push_restore_attempts");
  self->restore_interval_ms = (guint) CLAMP (request->restore == CB_PUSH_RESTORE_ON &&
                                             request->restore_interval_ms > 0
                                             ? request->restore_interval_ms
                                             : cb_settings_get_int (settings, "rtmp_push_restore_interval_ms"),
                                             100, 3600 * 1000);
  self->out_buffer_enabled = cb_settings_get_bool (settings, "rtmp_out_buffer_enabled");
  self->out_start_ms = (guint) CLAMP (cb_settings_get_int (settings, "rtmp_out_buffer_start_size"), 0, 60000);
  self->out_polling_ms = (guint) CLAMP (cb_settings_get_int (settings, "rtmp_out_buffer_polling_time"), 5, 5000);
  self->out_max_bufferings = (int) MAX (cb_settings_get_int (settings, "rtmp_out_buffer_max_bufferings_allowed"), -1);
  self->queue_limit_ms = self->out_buffer_enabled
                         ? (guint) CLAMP (cb_settings_get_int (settings, "rtmp_out_buffer_initial_size"), 500, 60000)
                         : DEFAULT_QUEUE_MS;

  {
    CbFlvSenderConfig config = {
      .limit_ms = self->queue_limit_ms,
      .max_bytes = MAX_QUEUE_BYTES,
      .send_metadata = self->send_metadata,
      .set_data_frame = TRUE,
      .start_ms = self->out_buffer_enabled ? self->out_start_ms : 0,
      /* With the outgoing buffer on, a backed-up uplink is polled every
       * rtmp_out_buffer_polling_time instead of waiting for the next frame. */
      .retry_ms = self->out_buffer_enabled ? self->out_polling_ms : CONGESTED_RETRY_MS,
    };

    self->sender = cb_flv_sender_new (cb_engine_get_context (engine), &config, &sender_hooks,
                                      self);
  }

  vcaps = cb_stream_dup_caps (stream, CB_MEDIA_VIDEO);
  /* An encoder of our own (a profile) makes the keyframes: give it the gap in frames. */
  if (request->keyframe_seconds > 0 && !cb_profile_is_passthrough (&self->profile) &&
      self->profile.keyframe_interval <= 0)
    self->profile.keyframe_interval = self->keyframe_seconds * stream_fps (&self->profile, vcaps);
  /* RTMP carries H.264, by the rule every consumer follows: a profile with transcoding
   * off makes no agent; another codec makes one that says why it cannot stream
   * (StreamError). */
  {
    g_autoptr(GError) codec_error = NULL;
    CbProfile profile;

    if (!media_profile (self, stream, &profile, &codec_error))
      {
        if (!cb_profile_is_passthrough (&self->profile))
          {
            g_propagate_error (error, g_steal_pointer (&codec_error));
            return NULL;
          }
        self->codec_error = g_strdup (codec_error->message);
      }
  }

  if (request->sound_file != NULL && !cb_push_agent_sound_on (self, request->sound_file,
                                                              request->sound_loop,
                                                              request->sound_replace, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
cb_push_agent_start (CbPushAgent *self)
{
  g_return_if_fail (CB_IS_PUSH_AGENT (self));

  if (self->codec_error != NULL)
    {
      add_event (self, CB_PUSH_EVENT_STREAM_ERROR, self->codec_error);
      set_state (self, CB_PUSH_FAILED);
      return;
    }
  start_ticking (self);
  connect_now (self);
}

/**
 * cb_push_agent_stop:
 *
 * Ends the publish properly (FCUnpublish, deleteStream) so that the destination sees
 * the end of the stream, and reports StreamStopped with @reason.
 */
void
cb_push_agent_stop (CbPushAgent *self,
                    const char  *reason)
{
  g_return_if_fail (CB_IS_PUSH_AGENT (self));

  if (self->state == CB_PUSH_STOPPED)
    return;
  cb_clear_source (&self->retry_source);
  stop_ticking (self);
  self->retry_at = 0;
  detach_consumer (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      cb_rtmp_client_close (self->client, TRUE);
      g_clear_object (&self->client);
    }
  g_clear_object (&self->cancellable);
  cb_push_agent_sound_off (self);
  add_event (self, CB_PUSH_EVENT_STREAM_STOPPED, reason);
  self->bitrate = 0;
  set_state (self, CB_PUSH_STOPPED);
}

void
cb_push_agent_retry_now (CbPushAgent *self)
{
  g_return_if_fail (CB_IS_PUSH_AGENT (self));

  if (self->state != CB_PUSH_WAITING && self->state != CB_PUSH_FAILED)
    return;
  cb_clear_source (&self->retry_source);
  self->retry_at = 0;
  self->attempts_used = 0;
  self->reconnects++;
  start_ticking (self);
  connect_now (self);
}

void
cb_push_agent_set_muted (CbPushAgent *self,
                         gboolean     muted)
{
  g_return_if_fail (CB_IS_PUSH_AGENT (self));

  g_mutex_lock (&self->lock);
  self->muted = muted;
  g_mutex_unlock (&self->lock);
  if (muted && self->sender != NULL)
    {
      g_autoptr(GstCaps) caps = cb_flv_sender_dup_caps (self->sender, CB_MEDIA_AUDIO);

      prepare_silence (caps);
    }
  emit_changed (self);
}

gboolean
cb_push_agent_sound_on (CbPushAgent  *self,
                        const char   *path,
                        gboolean      loop,
                        gboolean      replace,
                        GError      **error)
{
  g_autoptr(CbSoundMixer) mixer = NULL;
  g_autoptr(CbSoundMixer) old = NULL;
  GstCaps *caps;

  g_return_val_if_fail (CB_IS_PUSH_AGENT (self), FALSE);

  caps = cb_flv_sender_dup_caps (self->sender, CB_MEDIA_AUDIO);

  mixer = cb_sound_mixer_new (path, loop, replace, on_mixer_output, self, error);
  if (caps != NULL)
    {
      if (mixer != NULL)
        cb_sound_mixer_set_caps (mixer, caps);
      gst_caps_unref (caps);
    }
  if (mixer == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  old = self->mixer;
  self->mixer = g_steal_pointer (&mixer);
  g_free (self->sound_file);
  self->sound_file = g_path_get_basename (path);
  g_mutex_unlock (&self->lock);
  if (old != NULL)
    cb_sound_mixer_stop (old);
  emit_changed (self);
  return TRUE;
}

void
cb_push_agent_sound_off (CbPushAgent *self)
{
  g_autoptr(CbSoundMixer) old = NULL;

  g_return_if_fail (CB_IS_PUSH_AGENT (self));

  g_mutex_lock (&self->lock);
  old = g_steal_pointer (&self->mixer);
  g_clear_pointer (&self->sound_file, g_free);
  g_mutex_unlock (&self->lock);
  if (old != NULL)
    {
      cb_sound_mixer_stop (old);
      emit_changed (self);
    }
}

const char *
cb_push_agent_get_id (CbPushAgent *self)
{
  return self->id;
}

const char *
cb_push_agent_get_stream_name (CbPushAgent *self)
{
  return self->stream_name;
}

CbPushState
cb_push_agent_get_state (CbPushAgent *self)
{
  return self->state;
}

/* rtmpUrl as answers show it: as the request gave it, each secret hidden whole. */
static char *
shown_url (CbPushAgent *self)
{
  return cb_redact_url (self->request_url,
                        self->full_url ? CB_REDACT_KEY_IN_PATH : CB_REDACT_DEFAULT);
}

/* The name on the RTMP server as answers show it: the URL's last element is a key in
 * full-URL mode; otherwise it is the prefix and the stream name, both given in clear. */
static const char *
shown_publish_name (CbPushAgent *self)
{
  return self->full_url ? CB_REDACTED : self->url->stream;
}

/**
 * cb_push_agent_matches:
 * @stream_name: (nullable): the local stream's name, or the name on the RTMP server as
 *   given or as answers show it
 * @rtmp_url: (nullable): the destination as given (compared part by part), or as answers
 *   show it
 *
 * Whether this agent is the one a `/push/find` names: what an answer showed finds the
 * agent it came from, and so does what the request gave.
 */
gboolean
cb_push_agent_matches (CbPushAgent *self,
                       const char  *stream_name,
                       const char  *rtmp_url)
{
  g_autoptr(CbRtmpUrl) other = NULL;
  CbSettings *settings = cb_engine_get_settings (self->engine);
  g_autofree char *shown = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (stream_name != NULL && g_strcmp0 (stream_name, self->stream_name) != 0 &&
      g_strcmp0 (stream_name, self->url->stream) != 0 &&
      g_strcmp0 (stream_name, shown_publish_name (self)) != 0)
    return FALSE;
  if (rtmp_url == NULL || g_strcmp0 (rtmp_url, self->request_url) == 0)
    return TRUE;
  shown = shown_url (self);
  if (g_strcmp0 (rtmp_url, shown) == 0)
    return TRUE;
  other = cb_rtmp_url_parse_wcs (rtmp_url, self->stream_name,
                                 cb_settings_get_string (settings, "rtmp_transponder_stream_name_prefix"),
                                 self->full_url, NULL);
  if (other == NULL)
    return FALSE;
  a = cb_rtmp_url_to_string (self->url);
  b = cb_rtmp_url_to_string (other);
  return g_strcmp0 (a, b) == 0;
}

char *
cb_push_url_with_application (const char *url,
                              const char *application_name,
                              gboolean    full_url)
{
  const char *authority, *path, *end;
  guint elements = 0;

  if (url == NULL)
    return NULL;
  if (application_name == NULL || *application_name == '\0' || strchr (url, ':') == NULL ||
      strstr (url, "://") == NULL)
    return g_strdup (url);
  authority = strstr (url, "://") + 3;
  path = authority + strcspn (authority, "/?");
  end = path + strcspn (path, "?");
  /* Count the path's elements, ignoring a leading and a trailing '/'. */
  for (const char *p = path; p < end; p++)
    if (*p != '/' && (p == path || p[-1] == '/'))
      elements++;
  if (elements > (full_url ? 1u : 0u))
    return g_strdup (url);
  /* "rtmp://host" + "/live2" + "?query", or (full URL) + "/key?query". */
  return g_strdup_printf ("%.*s/%s%s", (int) (path - url), url, application_name,
                          elements > 0 ? path : end);
}

/* A digest keyed per process: equal targets give equal digests. Digests stay in the
 * process (the GUI compares them) and are never shown; the key keeps one from telling a
 * guessable URL even so. */
static char *
digest_of (const CbRtmpUrl *url)
{
  static guint8 key[32];
  static gsize key_set = 0;
  g_autofree char *text = cb_rtmp_url_to_string (url);

  if (g_once_init_enter (&key_set))
    {
      for (guint i = 0; i < G_N_ELEMENTS (key); i++)
        key[i] = (guint8) g_random_int_range (0, 256);
      g_once_init_leave (&key_set, 1);
    }
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, key, sizeof key, text, -1);
}

/**
 * cb_push_target_digest:
 * @full_url: a destination's URL, its last element the published name
 *
 * For the GUI to find which of its destinations a push started elsewhere goes to,
 * without the push telling its key: compare with #CbPushInfo's @target.
 *
 * Returns: (transfer full) (nullable): the digest, or %NULL for a URL that does not parse
 */
char *
cb_push_target_digest (const char *full_url)
{
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse_wcs (full_url, NULL, NULL, TRUE, NULL);

  return url != NULL ? digest_of (url) : NULL;
}

/* Whether @self and @other push the same stream to the same place: same local stream,
 * same server, application, published name and query. */
gboolean
cb_push_agent_same_target (CbPushAgent *self,
                           CbPushAgent *other)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (g_strcmp0 (self->stream_name, other->stream_name) != 0)
    return FALSE;
  a = cb_rtmp_url_to_string (self->url);
  b = cb_rtmp_url_to_string (other->url);
  return g_strcmp0 (a, b) == 0;
}

CbPushInfo *
cb_push_agent_get_info (CbPushAgent *self)
{
  CbPushInfo *info = g_new0 (CbPushInfo, 1);

  info->media_session_id = g_strdup (self->id);
  info->stream_name = g_strdup (self->stream_name);
  info->rtmp_url = shown_url (self);
  info->publish_name = g_strdup (shown_publish_name (self));
  info->target = digest_of (self->url);
  info->state = self->state;
  info->profile = self->profile;
  info->reconnects = self->reconnects;
  info->retry_at = self->retry_at;
  info->bitrate = self->bitrate;
  if (self->client != NULL)
    {
      info->bytes_sent = cb_rtmp_client_get_bytes_sent (self->client);
      info->bytes_acked = cb_rtmp_client_get_bytes_acked (self->client);
    }
  info->keyframe_seconds = self->keyframe_seconds;
  info->events = g_ptr_array_new_with_free_func (event_free);
  for (guint i = 0; i < self->events->len; i++)
    {
      CbPushEvent *e = g_ptr_array_index (self->events, i);
      CbPushEvent *copy = g_new0 (CbPushEvent, 1);

      *copy = *e;
      copy->reason = g_strdup (e->reason);
      g_ptr_array_add (info->events, copy);
    }

  g_mutex_lock (&self->lock);
  info->muted = self->muted;
  info->sound_enabled = self->mixer != NULL;
  info->sound_file = g_strdup (self->sound_file);
  g_mutex_unlock (&self->lock);
  info->dropped = cb_flv_sender_get_dropped (self->sender);
  {
    g_autoptr(GstCaps) vcaps = cb_flv_sender_dup_caps (self->sender, CB_MEDIA_VIDEO);

    if (vcaps != NULL)
      {
        const GstStructure *s = gst_caps_get_structure (vcaps, 0);
        gst_structure_get_int (s, "width", &info->width);
        gst_structure_get_int (s, "height", &info->height);
      }
  }
  return info;
}
