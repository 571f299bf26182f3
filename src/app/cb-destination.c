/* cb-destination.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A model object, not a widget: CbDestinationList keeps one per remembered destination
 * and per push started elsewhere, and rows bind to its properties. Everything here runs
 * on the GTK thread; the engine's state arrives as CbPushInfo snapshots.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cb-destination.h"
#include "cb-stream-row.h"
#include "cb-destination-presets.h"
#include "cb-rtmp-url.h"

#define N_TOOLTIP_EVENTS 6

struct _CbDestination
{
  GObject               parent_instance;

  char                 *id;
  char                 *preset_id;
  char                 *server;
  char                 *key;
  char                 *stream_name;
  CbDestinationProfile  profile;
  CbKeyStorage          key_storage;
  gboolean              external;

  char                 *media_session_id;
  CbPushInfo           *info;           /* the last snapshot, kept after the agent went */
  gboolean              active;
  gboolean              busy;
  gboolean              stopped_here;   /* the agent was stopped by the switch */
  gboolean              enabled;        /* switched on: Go Live starts it (remembered) */
  char                 *error;

  int                   history[CB_DESTINATION_HISTORY_LENGTH];
  guint                 n_history;
  int                   countdown;      /* seconds to the next attempt, -1 when none */

  /* For people. */
  char                 *title;
  char                 *masked_url;
  char                 *event_label;
  char                 *event_tooltip;
  char                 *bitrate_label;
  char                 *reconnects_label;
  char                 *countdown_label;
  char                 *profile_label;
  char                 *note;
};

G_DEFINE_FINAL_TYPE (CbDestination, cb_destination, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_BADGE,
  PROP_BADGE_CSS,
  PROP_MASKED_URL,
  PROP_STREAM_NAME,
  PROP_ACTIVE,
  PROP_ENABLED,
  PROP_BUSY,
  PROP_STATE_LABEL,
  PROP_STATE_CSS,
  PROP_EVENT_LABEL,
  PROP_EVENT_TOOLTIP,
  PROP_BITRATE,
  PROP_BITRATE_LABEL,
  PROP_RECONNECTS_LABEL,
  PROP_COUNTDOWN_LABEL,
  PROP_PROFILE_LABEL,
  PROP_MUTED,
  PROP_CAN_RETRY,
  PROP_NOTE,
  PROP_EXTERNAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SAMPLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Profiles. */

void
cb_destination_profile_init (CbDestinationProfile *profile)
{
  g_return_if_fail (profile != NULL);

  *profile = (CbDestinationProfile) { 0 };
  profile->keyframe_seconds = CB_DESTINATION_DEFAULT_KEYFRAME_SECONDS;
}

void
cb_destination_profile_to_engine (const CbDestinationProfile *profile,
                                  double                      source_fps,
                                  CbProfile                  *out)
{
  int fps;

  g_return_if_fail (profile != NULL);
  g_return_if_fail (out != NULL);

  *out = (CbProfile) { 0 };
  if (!profile->transcode)
    return;

  out->height = MAX (profile->height, 0);
  out->fps = MAX (profile->fps, 0);
  out->bitrate = MAX (profile->bitrate, 0);

  /* The engine counts keyframe intervals in frames (WCS keyFrameInterval); people think
   * in seconds. At the output's rate, which is the source's unless changed. */
  fps = out->fps > 0 ? out->fps : source_fps >= 1 ? (int) lround (source_fps) : 30;
  out->keyframe_interval = MAX (profile->keyframe_seconds, 1) * fps;
}

char *
cb_destination_profile_describe (const CbDestinationProfile *profile)
{
  GPtrArray *parts;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (profile != NULL, NULL);

  if (!profile->transcode)
    return g_strdup (_("Passthrough"));

  parts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (parts, profile->height > 0
                            ? g_strdup_printf (C_("video height", "%dp"), profile->height)
                            : g_strdup (_("Source size")));
  if (profile->fps > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%d fps"), profile->fps));
  if (profile->bitrate > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%d kbit/s"), profile->bitrate));
  g_ptr_array_add (parts, g_strdup_printf (_("keyframe every %d s"),
                                           MAX (profile->keyframe_seconds, 1)));
  g_ptr_array_add (parts, NULL);
  joined = g_strjoinv (" · ", (char **) parts->pdata);
  g_ptr_array_unref (parts);
  return g_steal_pointer (&joined);
}

/* Formatting. */

const char *
cb_destination_format_state (CbPushState state)
{
  switch (state)
    {
    case CB_PUSH_CONNECTING: return C_("push state", "Connecting");
    case CB_PUSH_STREAMING:  return C_("push state", "Streaming");
    case CB_PUSH_WAITING:    return C_("push state", "Waiting to retry");
    case CB_PUSH_FAILED:     return C_("push state", "Failed");
    case CB_PUSH_STOPPED:    return C_("push state", "Stopped");
    default:                 return C_("push state", "Unknown");
    }
}

const char *
cb_destination_format_event_type (CbPushEventType type)
{
  switch (type)
    {
    case CB_PUSH_EVENT_CONNECTED:         return C_("push event", "Connected");
    case CB_PUSH_EVENT_CONNECTION_FAILED: return C_("push event", "Connection failed");
    case CB_PUSH_EVENT_DISCONNECTED:      return C_("push event", "Disconnected");
    case CB_PUSH_EVENT_ERROR:             return C_("push event", "Error");
    case CB_PUSH_EVENT_STREAM_STARTED:    return C_("push event", "Stream started");
    case CB_PUSH_EVENT_STREAM_ERROR:      return C_("push event", "Stream error");
    case CB_PUSH_EVENT_STREAM_STOPPED:    return C_("push event", "Stream stopped");
    default:                              return C_("push event", "Event");
    }
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%H:%M:%S") : g_strdup ("");
}

static char *
format_event (const CbPushEvent *event,
              gboolean           stopped_here)
{
  g_autofree char *time = format_time (event->time);
  const char *type = cb_destination_format_event_type (event->type);

  /* cb_engine_push_terminate() gives every stop WCS's reason, "Stopped by rest
   * /terminate"; a stop from the switch was not REST's doing. */
  if (stopped_here && event->type == CB_PUSH_EVENT_STREAM_STOPPED)
    return g_strdup_printf (_("%s  %s: %s"), time, type, _("switched off here"));
  if (event->reason != NULL && *event->reason != '\0')
    /* Translators: time, event, the remote server's own words */
    return g_strdup_printf (_("%s  %s: %s"), time, type, event->reason);
  return g_strdup_printf ("%s  %s", time, type);
}

static void
push_event_free (gpointer data)
{
  CbPushEvent *event = data;

  g_free (event->reason);
  g_free (event);
}

static CbPushInfo *
push_info_copy (const CbPushInfo *info)
{
  CbPushInfo *copy = g_new0 (CbPushInfo, 1);

  *copy = *info;
  copy->media_session_id = g_strdup (info->media_session_id);
  copy->stream_name = g_strdup (info->stream_name);
  copy->rtmp_url = g_strdup (info->rtmp_url);
  copy->publish_name = g_strdup (info->publish_name);
  copy->target = g_strdup (info->target);
  copy->sound_file = g_strdup (info->sound_file);
  copy->events = g_ptr_array_new_with_free_func (push_event_free);
  for (guint i = 0; i < info->events->len; i++)
    {
      const CbPushEvent *event = g_ptr_array_index (info->events, i);
      CbPushEvent *event_copy = g_new0 (CbPushEvent, 1);

      *event_copy = *event;
      event_copy->reason = g_strdup (event->reason);
      g_ptr_array_add (copy->events, event_copy);
    }
  return copy;
}

/* Takes @value; notifies on change. */
static void
set_field (CbDestination  *self,
           char          **field,
           char           *value,
           guint           prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  if (prop_id != PROP_0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static char *
host_of (const char *url)
{
  g_autoptr(CbRtmpUrl) parsed = cb_rtmp_url_parse (url != NULL ? url : "", NULL);

  if (parsed == NULL)
    return g_strdup (url != NULL ? url : "");
  if (parsed->port_explicit && parsed->port != (parsed->tls ? CB_RTMPS_DEFAULT_PORT
                                                            : CB_RTMP_DEFAULT_PORT))
    return g_strdup_printf ("%s:%u", parsed->host, parsed->port);
  return g_strdup (parsed->host);
}

static void
update_title (CbDestination *self)
{
  const CbDestinationPreset *preset = cb_destination_preset_lookup (self->preset_id);
  char *title;

  if (!self->external && !cb_destination_preset_is_custom (preset))
    title = g_strdup (preset->name);
  else
    title = host_of (self->external && self->info != NULL ? self->info->rtmp_url : self->server);
  set_field (self, &self->title, title, PROP_TITLE);
}

static void
update_masked_url (CbDestination *self)
{
  char *masked;

  if (self->info != NULL && self->active)
    masked = g_strdup (self->info->rtmp_url);
  else
    masked = cb_destination_mask_url (self->server, self->key);
  set_field (self, &self->masked_url, masked, PROP_MASKED_URL);
}

static void
update_note (CbDestination *self)
{
  const char *note = NULL;

  if (self->error != NULL)
    note = self->error;
  else if (self->external)
    note = _("Started outside the studio, over the REST API: not remembered");
  else
    switch (self->key_storage)
      {
      case CB_KEY_MEMORY_UNSUPPORTED:
        note = self->key != NULL
                 ? _("The stream key is kept only until Castbridge quits: this build cannot "
                     "use the secret store")
                 : _("Enter the stream key: this build cannot remember it");
        break;
      case CB_KEY_MEMORY_NO_SERVICE:
        note = self->key != NULL
                 ? _("The stream key is kept only until Castbridge quits: no secret store answered")
                 : _("Enter the stream key: no secret store answered");
        break;
      case CB_KEY_MISSING:
        if (self->key == NULL)
          note = _("The stream key is not remembered: enter it again");
        break;
      case CB_KEY_SERVER_MISSING:
        note = _("The password in the server’s address was not remembered: remove this "
                 "destination and add it again");
        break;
      case CB_KEY_LOCKED:
        note = _("The secret store is locked: unlock it to use this destination");
        break;
      case CB_KEY_NONE:
      case CB_KEY_PENDING:
      case CB_KEY_STORED:
      default:
        break;
      }
  set_field (self, &self->note, g_strdup (note), PROP_NOTE);
}

static void
update_profile_label (CbDestination *self)
{
  g_autofree char *profile = NULL;
  const char *stream = self->info != NULL && self->active ? self->info->stream_name
                                                          : self->stream_name;
  CbDestinationProfile shown = self->profile;

  if (self->external && self->info != NULL)
    {
      /* What the agent was started with: frames, not seconds. */
      shown.transcode = !cb_profile_is_passthrough (&self->info->profile);
      shown.height = self->info->profile.height;
      shown.fps = self->info->profile.fps;
      shown.bitrate = self->info->profile.bitrate;
      shown.keyframe_seconds = self->info->profile.keyframe_interval > 0 &&
                               self->info->profile.fps > 0
                                 ? self->info->profile.keyframe_interval / self->info->profile.fps
                                 : CB_DESTINATION_DEFAULT_KEYFRAME_SECONDS;
    }
  profile = cb_destination_profile_describe (&shown);
  /* Translators: “stream name” · transcoding profile */
  set_field (self, &self->profile_label,
             g_strdup_printf (_("From “%s” · %s"), stream != NULL ? stream : "", profile),
             PROP_PROFILE_LABEL);
}

static void
update_countdown (CbDestination *self,
                  gint64         now_ms)
{
  int countdown = -1;
  char *label = NULL;

  if (self->active && self->info != NULL && self->info->state == CB_PUSH_WAITING &&
      self->info->retry_at > 0)
    countdown = (int) MAX (0, (self->info->retry_at - now_ms + 999) / 1000);
  self->countdown = countdown;
  if (countdown >= 0)
    label = g_strdup_printf (_("Retry in %d s"), countdown);
  set_field (self, &self->countdown_label, label, PROP_COUNTDOWN_LABEL);
}

static void
update_live_fields (CbDestination *self)
{
  const CbPushInfo *info = self->info;
  GString *tooltip = g_string_new (NULL);
  char *event = NULL;

  if (info != NULL && info->events->len > 0)
    {
      guint first = info->events->len > N_TOOLTIP_EVENTS ? info->events->len - N_TOOLTIP_EVENTS
                                                         : 0;

      event = format_event (g_ptr_array_index (info->events, info->events->len - 1),
                            self->stopped_here);
      for (guint i = info->events->len; i > first; i--)
        {
          g_autofree char *line = format_event (g_ptr_array_index (info->events, i - 1),
                                                self->stopped_here);

          if (tooltip->len > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, line);
        }
    }
  set_field (self, &self->event_label, event, PROP_EVENT_LABEL);
  set_field (self, &self->event_tooltip,
             tooltip->len > 0 ? g_string_free (tooltip, FALSE)
                              : (g_string_free (tooltip, TRUE), NULL),
             PROP_EVENT_TOOLTIP);

  set_field (self, &self->bitrate_label,
             cb_format_bitrate (self->active && info != NULL ? info->bitrate : 0),
             PROP_BITRATE_LABEL);
  set_field (self, &self->reconnects_label,
             info != NULL && info->reconnects > 0
               ? g_strdup_printf (_("Reconnects: %u"), info->reconnects)
               : NULL,
             PROP_RECONNECTS_LABEL);
  update_countdown (self, g_get_real_time () / 1000);
  update_masked_url (self);
  update_profile_label (self);
}

static GStrv
dup_state_css (CbDestination *self)
{
  const char *state = "off";
  const char *classes[3] = { "status", NULL, NULL };

  if (self->active && self->info != NULL)
    switch (self->info->state)
      {
      case CB_PUSH_CONNECTING: state = "connecting"; break;
      case CB_PUSH_STREAMING:  state = "streaming"; break;
      case CB_PUSH_WAITING:    state = "waiting"; break;
      case CB_PUSH_FAILED:     state = "failed"; break;
      case CB_PUSH_STOPPED:
      default:                 state = "off"; break;
      }
  else if (self->busy)
    state = "connecting";
  classes[1] = state;
  return g_strdupv ((char **) classes);
}

static GStrv
dup_badge_css (CbDestination *self)
{
  const char *classes[3] = { "destination-badge", NULL, NULL };

  classes[1] = self->external ? "external" : cb_destination_preset_lookup (self->preset_id)->id;
  return g_strdupv ((char **) classes);
}

/* GObject. */

static void
cb_destination_finalize (GObject *object)
{
  CbDestination *self = CB_DESTINATION (object);

  g_free (self->id);
  g_free (self->preset_id);
  g_free (self->server);
  if (self->key != NULL)
    {
      /* Not a guarantee (copies were made on the way), but this one does not linger. */
      memset (self->key, 0, strlen (self->key));
      g_free (self->key);
    }
  g_free (self->stream_name);
  g_free (self->media_session_id);
  g_clear_pointer (&self->info, cb_push_info_free);
  g_free (self->error);
  g_free (self->title);
  g_free (self->masked_url);
  g_free (self->event_label);
  g_free (self->event_tooltip);
  g_free (self->bitrate_label);
  g_free (self->reconnects_label);
  g_free (self->countdown_label);
  g_free (self->profile_label);
  g_free (self->note);

  G_OBJECT_CLASS (cb_destination_parent_class)->finalize (object);
}

/* A failed or waiting push of this destination can be retried now. */
static gboolean
can_retry (CbDestination *self)
{
  return self->active && self->info != NULL &&
         (self->info->state == CB_PUSH_WAITING || self->info->state == CB_PUSH_FAILED);
}

static void
cb_destination_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CbDestination *self = CB_DESTINATION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_BADGE:
      g_value_set_string (value,
                          self->external ? "↗"
                                         : cb_destination_preset_lookup (self->preset_id)->badge);
      break;
    case PROP_BADGE_CSS:
      g_value_take_boxed (value, dup_badge_css (self));
      break;
    case PROP_MASKED_URL:
      g_value_set_string (value, self->masked_url);
      break;
    case PROP_STREAM_NAME:
      g_value_set_string (value, self->stream_name);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, cb_destination_get_state_label (self));
      break;
    case PROP_STATE_CSS:
      g_value_take_boxed (value, dup_state_css (self));
      break;
    case PROP_EVENT_LABEL:
      g_value_set_string (value, self->event_label);
      break;
    case PROP_EVENT_TOOLTIP:
      g_value_set_string (value, self->event_tooltip);
      break;
    case PROP_BITRATE:
      g_value_set_int (value, cb_destination_get_bitrate (self));
      break;
    case PROP_BITRATE_LABEL:
      g_value_set_string (value, self->bitrate_label);
      break;
    case PROP_RECONNECTS_LABEL:
      g_value_set_string (value, self->reconnects_label);
      break;
    case PROP_COUNTDOWN_LABEL:
      g_value_set_string (value, self->countdown_label);
      break;
    case PROP_PROFILE_LABEL:
      g_value_set_string (value, self->profile_label);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, cb_destination_get_muted (self));
      break;
    case PROP_CAN_RETRY:
      g_value_set_boolean (value, can_retry (self));
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case PROP_EXTERNAL:
      g_value_set_boolean (value, self->external);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
readable_string (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
readable_boolean (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
readable_strv (const char *name)
{
  return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
cb_destination_class_init (CbDestinationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cb_destination_finalize;
  object_class->get_property = cb_destination_get_property;

  properties[PROP_TITLE] = readable_string ("title");
  /* A letter or two for the service, and style classes for its colour. */
  properties[PROP_BADGE] = readable_string ("badge");
  properties[PROP_BADGE_CSS] = readable_strv ("badge-css");
  properties[PROP_MASKED_URL] = readable_string ("masked-url");
  properties[PROP_STREAM_NAME] = readable_string ("stream-name");
  /* An agent exists in the engine. */
  properties[PROP_ACTIVE] = readable_boolean ("active");
  properties[PROP_BUSY] = readable_boolean ("busy");
  /* Switched on: it goes live with the studio's Go Live, and stays on after Stop. */
  properties[PROP_ENABLED] = readable_boolean ("enabled");
  properties[PROP_STATE_LABEL] = readable_string ("state-label");
  properties[PROP_STATE_CSS] = readable_strv ("state-css");
  properties[PROP_EVENT_LABEL] = readable_string ("event-label");
  properties[PROP_EVENT_TOOLTIP] = readable_string ("event-tooltip");
  properties[PROP_BITRATE] =
    g_param_spec_int ("bitrate", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BITRATE_LABEL] = readable_string ("bitrate-label");
  properties[PROP_RECONNECTS_LABEL] = readable_string ("reconnects-label");
  properties[PROP_COUNTDOWN_LABEL] = readable_string ("countdown-label");
  properties[PROP_PROFILE_LABEL] = readable_string ("profile-label");
  properties[PROP_MUTED] = readable_boolean ("muted");
  properties[PROP_CAN_RETRY] = readable_boolean ("can-retry");
  /* What people should know: where the key is kept, an error, where the push came from. */
  properties[PROP_NOTE] = readable_string ("note");
  properties[PROP_EXTERNAL] = readable_boolean ("external");
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A bitrate sample was added to the history. */
  signals[SIGNAL_SAMPLED] =
    g_signal_new ("sampled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cb_destination_init (CbDestination *self)
{
  cb_destination_profile_init (&self->profile);
  self->countdown = -1;
  self->bitrate_label = g_strdup ("—");
}

static void
update_all (CbDestination *self)
{
  update_title (self);
  update_note (self);
  update_live_fields (self);
}

CbDestination *
cb_destination_new (const char *id,
                    const char *preset_id,
                    const char *server,
                    const char *stream_name)
{
  CbDestination *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (CB_TYPE_DESTINATION, NULL);
  self->id = g_strdup (id);
  self->preset_id = g_strdup (cb_destination_preset_lookup (preset_id)->id);
  self->server = g_strdup (server != NULL ? server : "");
  self->stream_name = g_strdup (stream_name);
  self->key_storage = CB_KEY_MISSING;
  update_all (self);
  return self;
}

CbDestination *
cb_destination_new_external (const CbPushInfo *info)
{
  CbDestination *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CB_TYPE_DESTINATION, NULL);
  self->external = TRUE;
  self->id = g_strconcat ("external-", info->media_session_id, NULL);
  self->preset_id = g_strdup (CB_PRESET_CUSTOM);
  self->server = g_strdup ("");
  self->stream_name = g_strdup (info->stream_name);
  self->key_storage = CB_KEY_NONE;
  cb_destination_apply_info (self, info);
  update_all (self);
  return self;
}

const char *
cb_destination_get_id (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->id;
}

const char *
cb_destination_get_preset_id (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->preset_id;
}

const char *
cb_destination_get_server (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->server;
}

void
cb_destination_set_server (CbDestination *self,
                           const char    *server)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  g_free (self->server);
  self->server = g_strdup (server != NULL ? server : "");
  update_title (self);
  update_masked_url (self);
}

const char *
cb_destination_get_stream_name (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->stream_name;
}

void
cb_destination_set_stream_name (CbDestination *self,
                                const char    *stream_name)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  set_field (self, &self->stream_name, g_strdup (stream_name), PROP_STREAM_NAME);
  update_profile_label (self);
}

void
cb_destination_get_profile (CbDestination        *self,
                            CbDestinationProfile *profile)
{
  g_return_if_fail (CB_IS_DESTINATION (self));
  g_return_if_fail (profile != NULL);

  *profile = self->profile;
}

void
cb_destination_set_profile (CbDestination              *self,
                            const CbDestinationProfile *profile)
{
  g_return_if_fail (CB_IS_DESTINATION (self));
  g_return_if_fail (profile != NULL);

  self->profile = *profile;
  update_profile_label (self);
}

gboolean
cb_destination_is_external (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->external;
}

const char *
cb_destination_get_key (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->key;
}

gboolean
cb_destination_has_key (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->key != NULL && *self->key != '\0';
}

void
cb_destination_set_key (CbDestination *self,
                        const char    *key)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  if (self->key != NULL)
    memset (self->key, 0, strlen (self->key));
  g_free (self->key);
  self->key = key != NULL && *key != '\0' ? g_strdup (key) : NULL;
  update_masked_url (self);
  update_note (self);
}

CbKeyStorage
cb_destination_get_key_storage (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), CB_KEY_NONE);
  return self->key_storage;
}

void
cb_destination_set_key_storage (CbDestination *self,
                                CbKeyStorage   storage)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  self->key_storage = storage;
  update_note (self);
}

char *
cb_destination_dup_push_url (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return cb_destination_compose_url (self->server, self->key);
}

const char *
cb_destination_get_media_session_id (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->active ? self->media_session_id : NULL;
}

gboolean
cb_destination_is_active (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->active;
}

CbPushState
cb_destination_get_state (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), CB_PUSH_STOPPED);
  return self->active && self->info != NULL ? self->info->state : CB_PUSH_STOPPED;
}

gboolean
cb_destination_get_muted (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->active && self->info != NULL && self->info->muted;
}

int
cb_destination_get_bitrate (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), 0);
  return self->active && self->info != NULL ? self->info->bitrate : 0;
}

const char *
cb_destination_get_masked_url (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->masked_url;
}

const CbPushInfo *
cb_destination_get_info (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->info;
}

void
cb_destination_apply_info (CbDestination    *self,
                           const CbPushInfo *info)
{
  gboolean was_active, was_muted, could_retry;
  CbPushState old_state;
  int old_bitrate;
  GObject *object = G_OBJECT (self);

  g_return_if_fail (CB_IS_DESTINATION (self));
  g_return_if_fail (info != NULL);

  g_object_freeze_notify (object);

  was_active = self->active;
  old_state = cb_destination_get_state (self);
  was_muted = cb_destination_get_muted (self);
  old_bitrate = cb_destination_get_bitrate (self);
  could_retry = can_retry (self);

  /* A new agent: a new graph. */
  if (g_strcmp0 (self->media_session_id, info->media_session_id) != 0)
    {
      g_free (self->media_session_id);
      self->media_session_id = g_strdup (info->media_session_id);
      self->n_history = 0;
      self->stopped_here = FALSE;
    }
  g_clear_pointer (&self->info, cb_push_info_free);
  self->info = push_info_copy (info);
  self->active = info->state != CB_PUSH_STOPPED || self->external;
  g_clear_pointer (&self->error, g_free);

  update_live_fields (self);
  update_note (self);
  if (self->external)
    update_title (self);

  if (was_active != self->active)
    g_object_notify_by_pspec (object, properties[PROP_ACTIVE]);
  if (was_active != self->active || old_state != cb_destination_get_state (self))
    {
      g_object_notify_by_pspec (object, properties[PROP_STATE_LABEL]);
      g_object_notify_by_pspec (object, properties[PROP_STATE_CSS]);
    }
  if (was_muted != cb_destination_get_muted (self))
    g_object_notify_by_pspec (object, properties[PROP_MUTED]);
  if (old_bitrate != cb_destination_get_bitrate (self))
    g_object_notify_by_pspec (object, properties[PROP_BITRATE]);
  if (could_retry != can_retry (self))
    g_object_notify_by_pspec (object, properties[PROP_CAN_RETRY]);

  g_object_thaw_notify (object);
}

void
cb_destination_detach (CbDestination *self)
{
  GObject *object = G_OBJECT (self);

  g_return_if_fail (CB_IS_DESTINATION (self));

  if (!self->active)
    return;

  g_object_freeze_notify (object);
  self->active = FALSE;
  update_live_fields (self);
  g_object_notify_by_pspec (object, properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (object, properties[PROP_STATE_LABEL]);
  g_object_notify_by_pspec (object, properties[PROP_STATE_CSS]);
  g_object_notify_by_pspec (object, properties[PROP_BITRATE]);
  g_object_notify_by_pspec (object, properties[PROP_MUTED]);
  g_object_notify_by_pspec (object, properties[PROP_CAN_RETRY]);
  g_object_thaw_notify (object);
}

gboolean
cb_destination_get_enabled (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->enabled;
}

void
cb_destination_set_enabled (CbDestination *self,
                            gboolean       enabled)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  enabled = !!enabled && !self->external;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
}

gboolean
cb_destination_get_stopped_here (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->stopped_here;
}

void
cb_destination_set_stopped_here (CbDestination *self)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  self->stopped_here = TRUE;
  update_live_fields (self);
}

gboolean
cb_destination_get_busy (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), FALSE);
  return self->busy;
}

void
cb_destination_set_busy (CbDestination *self,
                         gboolean       busy)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  busy = !!busy;
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_CSS]);
}

void
cb_destination_set_error (CbDestination *self,
                          const char    *message)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  g_free (self->error);
  self->error = g_strdup (message);
  update_note (self);
}

void
cb_destination_tick (CbDestination *self,
                     gint64         now_ms)
{
  g_return_if_fail (CB_IS_DESTINATION (self));

  update_countdown (self, now_ms);
  if (!self->active)
    return;

  if (self->n_history == CB_DESTINATION_HISTORY_LENGTH)
    {
      memmove (self->history, self->history + 1,
               sizeof (int) * (CB_DESTINATION_HISTORY_LENGTH - 1));
      self->n_history--;
    }
  self->history[self->n_history++] = cb_destination_get_bitrate (self);
  g_signal_emit (self, signals[SIGNAL_SAMPLED], 0);
}

const int *
cb_destination_get_history (CbDestination *self,
                            guint         *n_samples)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);

  if (n_samples != NULL)
    *n_samples = self->n_history;
  return self->history;
}

const char *
cb_destination_get_title (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->title;
}

const char *
cb_destination_get_state_label (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);

  if (self->active && self->info != NULL)
    return cb_destination_format_state (self->info->state);
  if (self->busy)
    return C_("push state", "Starting");
  if (self->enabled)
    return C_("push state", "Starts with Go Live");
  return C_("push state", "Off");
}

const char *
cb_destination_get_event_label (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->event_label;
}

const char *
cb_destination_get_note (CbDestination *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION (self), NULL);
  return self->note;
}
