/* cb-event-log.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The events are the engine's own: a stream's status changes with their info (what
 * stream status events carry over the WebSocket and REST's stream/find shows), a push
 * agent's events with the remote server's reason (push/find), a recording's state and
 * reason. Two CbMirrors (cb-mirror.c) bring the snapshots of streams and pushes to the UI
 * thread in order; each snapshot is compared with the last one of the same object, and
 * what is new becomes an event. Relays have no engine signal: CbRelayList polls them and
 * adds their changes here.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-event-log.h"
#include "cb-mirror-private.h"

#define MAX_EVENTS 2000

/* CbEvent. */

struct _CbEvent
{
  GObject        parent_instance;

  gint64         time;
  CbEventSource  source;
  char          *subject;
  char          *kind;
  char          *reason;
};

G_DEFINE_FINAL_TYPE (CbEvent, cb_event, G_TYPE_OBJECT)

static void
cb_event_finalize (GObject *object)
{
  CbEvent *self = CB_EVENT (object);

  g_free (self->subject);
  g_free (self->kind);
  g_free (self->reason);
  G_OBJECT_CLASS (cb_event_parent_class)->finalize (object);
}

static void
cb_event_class_init (CbEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_event_finalize;
}

static void
cb_event_init (CbEvent *self)
{
}

static CbEvent *
cb_event_new (gint64         time,
              CbEventSource  source,
              const char    *subject,
              const char    *kind,
              const char    *reason)
{
  CbEvent *self = g_object_new (CB_TYPE_EVENT, NULL);

  self->time = time;
  self->source = source;
  self->subject = g_strdup (subject != NULL ? subject : "");
  self->kind = g_strdup (kind != NULL ? kind : "");
  self->reason = g_strdup (reason != NULL ? reason : "");
  return self;
}

gint64
cb_event_get_time (CbEvent *self)
{
  g_return_val_if_fail (CB_IS_EVENT (self), 0);
  return self->time;
}

CbEventSource
cb_event_get_source (CbEvent *self)
{
  g_return_val_if_fail (CB_IS_EVENT (self), CB_EVENT_STREAM);
  return self->source;
}

const char *
cb_event_get_subject (CbEvent *self)
{
  g_return_val_if_fail (CB_IS_EVENT (self), NULL);
  return self->subject;
}

const char *
cb_event_get_kind (CbEvent *self)
{
  g_return_val_if_fail (CB_IS_EVENT (self), NULL);
  return self->kind;
}

const char *
cb_event_get_reason (CbEvent *self)
{
  g_return_val_if_fail (CB_IS_EVENT (self), NULL);
  return self->reason;
}

const char *
cb_event_source_label (CbEventSource source)
{
  switch (source)
    {
    case CB_EVENT_STREAM:      return C_("event source", "Stream");
    case CB_EVENT_DESTINATION: return C_("event source", "Destination");
    case CB_EVENT_RELAY:       return C_("event source", "Relay");
    case CB_EVENT_RECORDING:   return C_("event source", "Recording");
    default:                   return "";
    }
}

char *
cb_event_dup_line (CbEvent *self)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;

  g_return_val_if_fail (CB_IS_EVENT (self), NULL);

  utc = g_date_time_new_from_unix_utc (self->time / 1000);
  local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  time = local != NULL ? g_date_time_format (local, "%H:%M:%S") : g_strdup ("");
  return g_strdup_printf ("%s  %s  %s  %s%s%s", time, cb_event_source_label (self->source),
                          self->subject, self->kind, *self->reason != '\0' ? ": " : "",
                          self->reason);
}

char *
cb_event_dup_lines (GListModel *events)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (G_IS_LIST_MODEL (events), NULL);

  /* Oldest first, as a log reads. */
  for (guint i = g_list_model_get_n_items (events); i > 0; i--)
    {
      g_autoptr(CbEvent) event = g_list_model_get_item (events, i - 1);
      g_autofree char *line = cb_event_dup_line (event);

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* CbEventLog. */

typedef struct
{
  CbPushState state;
  guint       n_events;
  gint64      last_time;      /* of the last event taken */
  int         last_type;
  char       *last_reason;
} PushSeen;

static void
push_seen_free (gpointer data)
{
  PushSeen *seen = data;

  g_free (seen->last_reason);
  g_free (seen);
}

struct _CbEventLog
{
  GObject          parent_instance;

  CbEngine        *engine;
  CbRecordingList *recordings;
  GApplication    *application;   /* weak */
  gboolean         in_view;       /* the window is in front of its user */
  GListStore      *events;
  CbMirror        *stream_mirror;
  CbMirror        *push_mirror;
  GHashTable      *stream_status;  /* mediaSessionId → CbStreamStatus + 1 */
  GHashTable      *push_seen;      /* mediaSessionId → PushSeen */
  GHashTable      *recording_seen; /* key → "STATE reason" */
  GHashTable      *notified;       /* notification id → count */
};

static void cb_event_log_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbEventLog, cb_event_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cb_event_log_model_init))

static GType
cb_event_log_get_item_type (GListModel *model)
{
  return CB_TYPE_EVENT;
}

static guint
cb_event_log_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (CB_EVENT_LOG (model)->events));
}

static gpointer
cb_event_log_get_item (GListModel *model,
                       guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (CB_EVENT_LOG (model)->events), position);
}

static void
cb_event_log_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cb_event_log_get_item_type;
  iface->get_n_items = cb_event_log_get_n_items;
  iface->get_item = cb_event_log_get_item;
}

static void
on_store_items_changed (GListModel *store,
                        guint       position,
                        guint       removed,
                        guint       added,
                        CbEventLog *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
add_event (CbEventLog    *self,
           gint64         time,
           CbEventSource  source,
           const char    *subject,
           const char    *kind,
           const char    *reason)
{
  g_autoptr(CbEvent) event = cb_event_new (time > 0 ? time : g_get_real_time () / 1000, source,
                                           subject, kind, reason);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->events));

  if (n >= MAX_EVENTS)
    g_list_store_remove (self->events, n - 1);
  g_list_store_insert (self->events, 0, event);
}

void
cb_event_log_add (CbEventLog    *self,
                  CbEventSource  source,
                  const char    *subject,
                  const char    *kind,
                  const char    *reason)
{
  g_return_if_fail (CB_IS_EVENT_LOG (self));
  add_event (self, 0, source, subject, kind, reason);
}

static void
notify (CbEventLog *self,
        const char *id,
        const char *title,
        const char *body)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->notified, id));

  /* The desktop is told what happens while the window is hidden, minimized or behind
   * others; in front of its user, the row says it already. */
  if (self->in_view)
    return;
  g_hash_table_replace (self->notified, g_strdup (id), GUINT_TO_POINTER (count + 1));
  if (self->application != NULL)
    {
      g_autoptr(GNotification) notification = g_notification_new (title);

      g_notification_set_body (notification, body);
      /* What needs the streamer now stays on screen until seen (urgent: "critical" for
       * freedesktop servers, where high is sent as normal); a drop that is being mended,
       * high. */
      if (g_str_has_suffix (id, "gave-up") || g_str_has_prefix (id, "recording"))
        g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
      else if (g_str_has_suffix (id, "dropped"))
        g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_application_send_notification (self->application, id, notification);
    }
}

guint
cb_event_log_count_notifications (CbEventLog *self,
                                  const char *id)
{
  g_return_val_if_fail (CB_IS_EVENT_LOG (self), 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->notified, id));
}

/* Streams. */

static void
apply_stream (gpointer    list,
              gpointer    snapshot,
              const char *tag)
{
  CbEventLog *self = list;
  const CbStreamInfo *info = snapshot;
  gpointer old = g_hash_table_lookup (self->stream_status, info->media_session_id);

  if (old != NULL && GPOINTER_TO_INT (old) - 1 == (int) info->status)
    return;
  if (cb_stream_status_is_final (info->status))
    g_hash_table_remove (self->stream_status, info->media_session_id);
  else
    g_hash_table_replace (self->stream_status, g_strdup (info->media_session_id),
                          GINT_TO_POINTER ((int) info->status + 1));
  add_event (self, 0, CB_EVENT_STREAM, info->name, cb_stream_status_to_string (info->status),
             info->info);
}

static void
apply_stream_removed (gpointer    list,
                      gpointer    media_session_id,
                      const char *tag)
{
  CbEventLog *self = list;

  g_hash_table_remove (self->stream_status, media_session_id);
}

static const char *
stream_snapshot_id (gpointer info)
{
  return ((const CbStreamInfo *) info)->media_session_id;
}

static gpointer
dup_media_session_id (gpointer stream)
{
  return g_strdup (cb_stream_get_media_session_id (stream));
}

static GPtrArray *
list_streams (CbEngine *engine)
{
  return cb_engine_list_streams (engine);
}

static void
drop_missing_streams (gpointer    list,
                      GHashTable *ids)
{
}

static const CbMirrorFuncs stream_funcs = {
  .added = { "stream-added", (CbMirrorSnapshotFunc) cb_stream_get_snapshot,
             (GDestroyNotify) cb_stream_info_free, apply_stream },
  .changed = { "stream-changed", (CbMirrorSnapshotFunc) cb_stream_get_snapshot,
               (GDestroyNotify) cb_stream_info_free, apply_stream },
  .removed = { "stream-removed", dup_media_session_id, g_free, apply_stream_removed },
  .list_all = list_streams,
  .snapshot_id = stream_snapshot_id,
  .drop_missing = drop_missing_streams,
};

/* Pushes. */

static void
take_push_event (CbEventLog        *self,
                 const CbPushInfo  *info,
                 const CbPushEvent *event)
{
  const char *subject = info->rtmp_url;

  add_event (self, event->time, CB_EVENT_DESTINATION, subject,
             cb_push_event_type_to_string (event->type), event->reason);

  if (event->type == CB_PUSH_EVENT_DISCONNECTED)
    {
      /* TRANSLATORS: a desktop notification: the destination's masked address, the
       * remote server's reason. */
      g_autofree char *body = g_strdup_printf (_("%s: %s. It reconnects by itself if it "
                                                 "can."), subject,
                                               event->reason != NULL && *event->reason
                                                 ? event->reason : _("no reason given"));

      notify (self, "destination-dropped", _("A Destination Dropped"), body);
    }
  else if (event->type == CB_PUSH_EVENT_STREAM_STARTED && info->reconnects > 0)
    notify (self, "destination-reconnected", _("A Destination Is Back"), subject);
}

static void
apply_push (gpointer    list,
            gpointer    snapshot,
            const char *tag)
{
  CbEventLog *self = list;
  const CbPushInfo *info = snapshot;
  PushSeen *seen = g_hash_table_lookup (self->push_seen, info->media_session_id);
  guint first = 0;

  if (seen == NULL)
    {
      seen = g_new0 (PushSeen, 1);
      seen->state = CB_PUSH_CONNECTING;
      seen->last_type = -1;
      g_hash_table_insert (self->push_seen, g_strdup (info->media_session_id), seen);
    }
  else
    {
      /* The agent keeps its last events only: find the last one taken. */
      first = MIN (seen->n_events, info->events->len);
      for (guint i = info->events->len; i > 0; i--)
        {
          const CbPushEvent *event = g_ptr_array_index (info->events, i - 1);

          if (event->time == seen->last_time && (int) event->type == seen->last_type &&
              g_strcmp0 (event->reason, seen->last_reason) == 0)
            {
              first = i;
              break;
            }
        }
    }

  for (guint i = first; i < info->events->len; i++)
    take_push_event (self, info, g_ptr_array_index (info->events, i));

  if (info->events->len > 0)
    {
      const CbPushEvent *last = g_ptr_array_index (info->events, info->events->len - 1);

      seen->last_time = last->time;
      seen->last_type = last->type;
      g_free (seen->last_reason);
      seen->last_reason = g_strdup (last->reason);
    }
  seen->n_events = info->events->len;

  if (info->state == CB_PUSH_FAILED && seen->state != CB_PUSH_FAILED)
    {
      add_event (self, 0, CB_EVENT_DESTINATION, info->rtmp_url,
                 cb_push_state_to_string (info->state), NULL);
      notify (self, "destination-gave-up", _("A Destination Gave Up"), info->rtmp_url);
    }
  seen->state = info->state;
}

static void
apply_push_removed (gpointer    list,
                    gpointer    snapshot,
                    const char *tag)
{
  CbEventLog *self = list;
  const CbPushInfo *info = snapshot;

  apply_push (list, snapshot, tag);
  g_hash_table_remove (self->push_seen, info->media_session_id);
}

static const char *
push_snapshot_id (gpointer info)
{
  return ((const CbPushInfo *) info)->media_session_id;
}

static GPtrArray *
list_pushes (CbEngine *engine)
{
  return cb_engine_find_pushes (engine, NULL, NULL);
}

static void
drop_missing_pushes (gpointer    list,
                     GHashTable *ids)
{
}

static const CbMirrorFuncs push_funcs = {
  .added = { "push-added", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
             (GDestroyNotify) cb_push_info_free, apply_push },
  .changed = { "push-changed", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
               (GDestroyNotify) cb_push_info_free, apply_push },
  .removed = { "push-removed", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
               (GDestroyNotify) cb_push_info_free, apply_push_removed },
  .list_all = list_pushes,
  .snapshot_id = push_snapshot_id,
  .drop_missing = drop_missing_pushes,
};

/* Recordings. */

static const char *
recording_state_word (CbRecordingState state)
{
  switch (state)
    {
    case CB_RECORDING_WAITING:   return "WAITING";
    case CB_RECORDING_RECORDING: return "RECORDING";
    case CB_RECORDING_FINISHING: return "FINISHING";
    case CB_RECORDING_FINISHED:  return "FINISHED";
    case CB_RECORDING_RECOVERED: return "RECOVERED";
    case CB_RECORDING_FAILED:    return "FAILED";
    default:                     return "UNKNOWN";
    }
}

static void
on_recordings_updated (CbRecordingList *recordings,
                       CbEventLog      *self)
{
  GListModel *model = G_LIST_MODEL (recordings);
  gboolean first = g_hash_table_size (self->recording_seen) == 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbRecording) recording = g_list_model_get_item (model, i);
      const char *word = recording_state_word (cb_recording_get_state (recording));
      const char *reason = cb_recording_get_reason (recording);
      const char *old = g_hash_table_lookup (self->recording_seen,
                                             cb_recording_get_key (recording));
      g_autofree char *now = g_strdup_printf ("%s %s", word, reason != NULL ? reason : "");

      if (g_strcmp0 (old, now) == 0)
        continue;
      g_hash_table_replace (self->recording_seen, g_strdup (cb_recording_get_key (recording)),
                            g_strdup (now));
      /* The files found at start-up are not news. */
      if (first && old == NULL && !cb_recording_is_running (recording))
        continue;
      add_event (self, 0, CB_EVENT_RECORDING,
                 cb_recording_get_file_name (recording) != NULL
                   ? cb_recording_get_file_name (recording)
                   : cb_recording_get_stream_name (recording),
                 word, reason);
      /* The recorder's words when it stops for the disk (cb-recorder.c). */
      if (reason != NULL && strstr (reason, "the disk") != NULL &&
          (old == NULL || strstr (old, "the disk") == NULL))
        {
          g_autofree char *body = g_strdup_printf ("%s: %s",
                                                   cb_recording_get_stream_name (recording),
                                                   reason);

          notify (self, "recording-disk", _("A Recording Stopped"), body);
        }
    }
}

char *
cb_event_log_dup_text (CbEventLog *self)
{
  g_return_val_if_fail (CB_IS_EVENT_LOG (self), NULL);
  return cb_event_dup_lines (G_LIST_MODEL (self->events));
}

void
cb_event_log_set_in_view (CbEventLog *self,
                          gboolean    in_view)
{
  g_return_if_fail (CB_IS_EVENT_LOG (self));
  self->in_view = in_view;
}

void
cb_event_log_set_application (CbEventLog   *self,
                              GApplication *application)
{
  g_return_if_fail (CB_IS_EVENT_LOG (self));

  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = application;
  if (application != NULL)
    g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
}

static void
cb_event_log_dispose (GObject *object)
{
  CbEventLog *self = CB_EVENT_LOG (object);

  if (self->stream_mirror != NULL)
    {
      cb_mirror_close (self->stream_mirror, self->engine);
      g_clear_pointer (&self->stream_mirror, cb_mirror_unref);
    }
  if (self->push_mirror != NULL)
    {
      cb_mirror_close (self->push_mirror, self->engine);
      g_clear_pointer (&self->push_mirror, cb_mirror_unref);
    }
  if (self->recordings != NULL)
    g_signal_handlers_disconnect_by_data (self->recordings, self);
  g_clear_object (&self->recordings);
  cb_event_log_set_application (self, NULL);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_event_log_parent_class)->dispose (object);
}

static void
cb_event_log_finalize (GObject *object)
{
  CbEventLog *self = CB_EVENT_LOG (object);

  g_clear_object (&self->events);
  g_hash_table_unref (self->stream_status);
  g_hash_table_unref (self->push_seen);
  g_hash_table_unref (self->recording_seen);
  g_hash_table_unref (self->notified);

  G_OBJECT_CLASS (cb_event_log_parent_class)->finalize (object);
}

static void
cb_event_log_class_init (CbEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_event_log_dispose;
  object_class->finalize = cb_event_log_finalize;
}

static void
cb_event_log_init (CbEventLog *self)
{
  self->events = g_list_store_new (CB_TYPE_EVENT);
  g_signal_connect (self->events, "items-changed", G_CALLBACK (on_store_items_changed), self);
  self->stream_status = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->push_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, push_seen_free);
  self->recording_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

CbEventLog *
cb_event_log_new (CbEngine        *engine,
                  CbRecordingList *recordings,
                  GApplication    *application)
{
  CbEventLog *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (recordings == NULL || CB_IS_RECORDING_LIST (recordings), NULL);

  self = g_object_new (CB_TYPE_EVENT_LOG, NULL);
  self->engine = g_object_ref (engine);
  cb_event_log_set_application (self, application);
  self->stream_mirror = cb_mirror_new (self, &stream_funcs);
  cb_mirror_connect (self->stream_mirror, engine);
  self->push_mirror = cb_mirror_new (self, &push_funcs);
  cb_mirror_connect (self->push_mirror, engine);
  if (recordings != NULL)
    {
      self->recordings = g_object_ref (recordings);
      g_signal_connect (recordings, "updated", G_CALLBACK (on_recordings_updated), self);
    }
  return self;
}
