/* cb-live.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One Go Live: the engine publishes the studio's source as a named stream, and every
 * destination of that stream that is switched on starts with it. Stop ends the
 * destinations first (they stay switched on, remembered in the destinations file) and
 * then the stream, so that the next Go Live brings the same set back. The stream can also
 * end without us (REST, an unplugged camera, a file at its end): the stream list says so.
 *
 * No widget here: the window's actions (win.go-live, win.stop) and the tests drive it.
 */
#include "config.h"

#include <string.h>

#include "cb-live.h"
#include "cb-platform.h"

#define TICK_INTERVAL_MS 1000

struct _CbLive
{
  GObject            parent_instance;

  CbEngine          *engine;
  CbStreamList      *streams;
  CbDestinationList *destinations;
  GCancellable      *cancellable;

  CbLiveState        state;
  char              *name;
  char              *spec;
  char              *session_id;
  gboolean           row_seen;
  gint64             started_us;     /* monotonic, once confirmed */

  guint              tick_id;
  gint64             cpu_last_us;    /* user + system time of the process */
  gint64             cpu_last_wall_us;
  double             cpu_percent;
};

G_DEFINE_FINAL_TYPE (CbLive, cb_live, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_FAILED,
  SIGNAL_ENDED,
  SIGNAL_TICK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_state (CbLive      *self,
           CbLiveState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
on_tick (gpointer data)
{
  CbLive *self = data;
  gint64 cpu = cb_platform_process_cpu_time ();
  gint64 now = g_get_monotonic_time ();

  if (cpu >= 0 && self->cpu_last_us >= 0 && now > self->cpu_last_wall_us)
    self->cpu_percent = 100.0 * (double) (cpu - self->cpu_last_us) /
                        (double) (now - self->cpu_last_wall_us);
  self->cpu_last_us = cpu;
  self->cpu_last_wall_us = now;

  g_signal_emit (self, signals[SIGNAL_TICK], 0);
  return G_SOURCE_CONTINUE;
}

static void
start_ticks (CbLive *self)
{
  if (self->tick_id != 0)
    return;
  self->cpu_last_us = cb_platform_process_cpu_time ();
  self->cpu_last_wall_us = g_get_monotonic_time ();
  self->cpu_percent = -1;
  self->tick_id = g_timeout_add (TICK_INTERVAL_MS, on_tick, self);
}

static void
go_off (CbLive *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  cb_destination_list_set_live_stream (self->destinations, NULL);
  self->row_seen = FALSE;
  self->started_us = 0;
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->spec, g_free);
  g_clear_pointer (&self->session_id, g_free);
  set_state (self, CB_LIVE_OFF);
}

static void
on_publish_ready (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CbLive) self = user_data;
  g_autoptr(GError) error = NULL;
  CbStreamInfo *info;

  info = cb_engine_publish_source_finish (CB_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (info == NULL)
    {
      g_debug ("Publishing “%s” failed: %s", self->name, error->message);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
      go_off (self);
      return;
    }

  g_debug ("Live as “%s” (%s)", info->name, info->media_session_id);
  g_free (self->session_id);
  self->session_id = g_strdup (info->media_session_id);
  cb_stream_info_free (info);

  self->row_seen = cb_stream_list_lookup (self->streams, self->name) != NULL;
  self->started_us = g_get_monotonic_time ();
  cb_destination_list_set_live_stream (self->destinations, self->name);
  start_ticks (self);
  set_state (self, CB_LIVE_ON);
  cb_destination_list_start_enabled (self->destinations, self->name);
}

gboolean
cb_live_start (CbLive      *self,
               const char  *name,
               const char  *spec,
               GError     **error)
{
  g_return_val_if_fail (CB_IS_LIVE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  if (self->state != CB_LIVE_OFF)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS, "Already live");
      return FALSE;
    }
  if (!cb_engine_validate_stream_name (name, error))
    return FALSE;

  self->name = g_strdup (name);
  self->spec = g_strdup (spec);
  set_state (self, CB_LIVE_STARTING);
  cb_engine_publish_source_async (self->engine, self->name, self->spec, self->cancellable,
                                  on_publish_ready, g_object_ref (self));
  return TRUE;
}

static void
on_unpublish_ready (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CbLive) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cb_engine_unpublish_finish (CB_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Gone already (stopped over REST, say): that is what was asked for. */
      if (!g_error_matches (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND))
        {
          g_warning ("Stopping “%s” failed: %s", self->name, error->message);
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
        }
    }
  go_off (self);
}

void
cb_live_stop (CbLive *self)
{
  g_return_if_fail (CB_IS_LIVE (self));

  if (self->state != CB_LIVE_ON)
    return;
  set_state (self, CB_LIVE_STOPPING);
  /* Before the stream: an agent that outlived it would end as "stopped elsewhere". */
  cb_destination_list_set_live_stream (self->destinations, NULL);
  cb_destination_list_stop_stream (self->destinations, self->name);
  cb_engine_unpublish_async (self->engine, self->name, self->cancellable, on_unpublish_ready,
                             g_object_ref (self));
}

void
cb_live_abandon (CbLive *self)
{
  g_return_if_fail (CB_IS_LIVE (self));

  g_cancellable_cancel (self->cancellable);
  if (self->name != NULL)
    {
      cb_destination_list_set_live_stream (self->destinations, NULL);
      cb_destination_list_stop_stream (self->destinations, self->name);
      cb_engine_unpublish_async (self->engine, self->name, NULL, NULL, NULL);
    }
  go_off (self);
}

/* The stream can end without us: stopped over REST, the camera unplugged, a file at its
 * end. The registry says so. */
static void
on_streams_items_changed (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          CbLive     *self)
{
  if (self->state != CB_LIVE_ON)
    return;

  if (cb_stream_list_lookup (self->streams, self->name) != NULL)
    {
      self->row_seen = TRUE;
      return;
    }
  if (self->row_seen)
    {
      g_autofree char *name = g_strdup (self->name);

      cb_destination_list_set_live_stream (self->destinations, NULL);
      go_off (self);
      g_signal_emit (self, signals[SIGNAL_ENDED], 0, name);
    }
}

/* Statistics. */

static int
state_rank (CbPushState state)
{
  switch (state)
    {
    case CB_PUSH_FAILED:     return 4;
    case CB_PUSH_WAITING:    return 3;
    case CB_PUSH_CONNECTING: return 2;
    case CB_PUSH_STOPPED:    return 1;
    case CB_PUSH_STREAMING:
    default:                 return 0;
    }
}

void
cb_live_get_stats (CbLive      *self,
                   CbLiveStats *stats)
{
  GListModel *model;

  g_return_if_fail (CB_IS_LIVE (self));
  g_return_if_fail (stats != NULL);

  memset (stats, 0, sizeof *stats);
  stats->worst = CB_PUSH_STREAMING;
  stats->cpu_percent = self->tick_id != 0 ? self->cpu_percent : -1;
  if (self->started_us > 0)
    stats->elapsed_s = (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC;
  if (self->name == NULL)
    return;

  model = G_LIST_MODEL (self->destinations);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbDestination) destination = g_list_model_get_item (model, i);
      const CbPushInfo *info = cb_destination_get_info (destination);
      CbPushState state;

      if (!cb_destination_is_active (destination) ||
          g_strcmp0 (cb_destination_get_stream_name (destination), self->name) != 0)
        continue;
      state = cb_destination_get_state (destination);
      stats->n_destinations++;
      stats->bitrate += cb_destination_get_bitrate (destination);
      if (info != NULL)
        stats->dropped += info->dropped;
      if (state_rank (state) > state_rank (stats->worst))
        stats->worst = state;
    }
}

char *
cb_live_format_elapsed (gint64 seconds)
{
  seconds = MAX (seconds, 0);
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* Getters. */

CbLiveState
cb_live_get_state (CbLive *self)
{
  g_return_val_if_fail (CB_IS_LIVE (self), CB_LIVE_OFF);
  return self->state;
}

const char *
cb_live_get_name (CbLive *self)
{
  g_return_val_if_fail (CB_IS_LIVE (self), NULL);
  return self->name;
}

const char *
cb_live_get_spec (CbLive *self)
{
  g_return_val_if_fail (CB_IS_LIVE (self), NULL);
  return self->spec;
}

const char *
cb_live_get_session_id (CbLive *self)
{
  g_return_val_if_fail (CB_IS_LIVE (self), NULL);
  return self->session_id;
}

/* GObject. */

static void
cb_live_dispose (GObject *object)
{
  CbLive *self = CB_LIVE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->streams != NULL)
    g_signal_handlers_disconnect_by_data (self->streams, self);
  g_clear_object (&self->streams);
  g_clear_object (&self->destinations);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_live_parent_class)->dispose (object);
}

static void
cb_live_finalize (GObject *object)
{
  CbLive *self = CB_LIVE (object);

  g_clear_object (&self->cancellable);
  g_free (self->name);
  g_free (self->spec);
  g_free (self->session_id);

  G_OBJECT_CLASS (cb_live_parent_class)->finalize (object);
}

static void
cb_live_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CbLive *self = CB_LIVE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_live_class_init (CbLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_live_dispose;
  object_class->finalize = cb_live_finalize;
  object_class->get_property = cb_live_get_property;

  /* A CbLiveState. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, CB_LIVE_OFF, CB_LIVE_STOPPING, CB_LIVE_OFF,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Publishing or unpublishing failed: the engine's GError. */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* The stream (named) ended without a Stop from here. */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Once a second while live: new statistics. */
  signals[SIGNAL_TICK] =
    g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cb_live_init (CbLive *self)
{
  self->cancellable = g_cancellable_new ();
  self->cpu_percent = -1;
}

CbLive *
cb_live_new (CbEngine          *engine,
             CbStreamList      *streams,
             CbDestinationList *destinations)
{
  CbLive *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (CB_IS_STREAM_LIST (streams), NULL);
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (destinations), NULL);

  self = g_object_new (CB_TYPE_LIVE, NULL);
  self->engine = g_object_ref (engine);
  self->streams = g_object_ref (streams);
  self->destinations = g_object_ref (destinations);
  g_signal_connect (streams, "items-changed", G_CALLBACK (on_streams_items_changed), self);
  return self;
}
