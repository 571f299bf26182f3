/* cb-stream.c — a named stream's identity, state and media info
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-context.h"
#include "cb-stream-private.h"

G_DEFINE_FINAL_TYPE (CbStream, cb_stream, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const status_names[] = {
  [CB_STREAM_NEW] = "NEW",
  [CB_STREAM_PENDING] = "PENDING",
  [CB_STREAM_PUBLISHING] = "PUBLISHING",
  [CB_STREAM_PLAYING] = "PLAYING",
  [CB_STREAM_PAUSED] = "PAUSED",
  [CB_STREAM_UNPUBLISHED] = "UNPUBLISHED",
  [CB_STREAM_STOPPED] = "STOPPED",
  [CB_STREAM_FAILED] = "FAILED",
  [CB_STREAM_PLAYBACK_PROBLEM] = "PLAYBACK_PROBLEM",
  [CB_STREAM_PROCESSED_LOCAL] = "PROCESSED_LOCAL",
  [CB_STREAM_PROCESSED_REMOTE] = "PROCESSED_REMOTE",
};

const char *
cb_stream_status_to_string (CbStreamStatus status)
{
  if ((guint) status < G_N_ELEMENTS (status_names))
    return status_names[status];
  return "FAILED";
}

gboolean
cb_stream_status_from_string (const char     *text,
                              CbStreamStatus *status)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_ascii_strcasecmp (text, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
cb_stream_status_is_final (CbStreamStatus status)
{
  return status == CB_STREAM_UNPUBLISHED || status == CB_STREAM_STOPPED ||
         status == CB_STREAM_FAILED;
}

CbStreamInfo *
cb_stream_info_copy (const CbStreamInfo *info)
{
  CbStreamInfo *copy = g_new0 (CbStreamInfo, 1);

  *copy = *info;
  copy->name = g_strdup (info->name);
  copy->media_session_id = g_strdup (info->media_session_id);
  copy->info = g_strdup (info->info);
  copy->media_provider = g_strdup (info->media_provider);
  copy->source = g_strdup (info->source);
  copy->record_name = g_strdup (info->record_name);
  copy->egress = g_strdup (info->egress);
  cb_media_info_copy (&copy->media, &info->media);
  return copy;
}

void
cb_stream_info_free (CbStreamInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->media_session_id);
  g_free (info->info);
  g_free (info->media_provider);
  g_free (info->source);
  g_free (info->record_name);
  g_free (info->egress);
  cb_media_info_clear (&info->media);
  g_free (info);
}

static void
cb_stream_finalize (GObject *object)
{
  CbStream *self = CB_STREAM (object);

  cb_stream_fanout_clear (self);
  g_free (self->name);
  g_free (self->media_session_id);
  g_free (self->media_provider);
  g_free (self->info);
  g_free (self->source);
  g_free (self->egress);
  g_free (self->record_name);
  cb_media_info_clear (&self->media);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cb_stream_parent_class)->finalize (object);
}

static void
cb_stream_class_init (CbStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_stream_finalize;

  /**
   * CbStream::changed:
   *
   * The status, info or media info changed. Emitted on the context that was
   * thread-default when the stream was created, never from a streaming thread.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cb_stream_init (CbStream *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->create_date = g_get_real_time () / 1000;
  self->status = CB_STREAM_NEW;
  self->window_start = GST_CLOCK_TIME_NONE;
  self->timeline_origin = GST_CLOCK_TIME_NONE;
  cb_stream_fanout_init (self);
}

/**
 * cb_stream_new:
 * @name: the stream's name
 * @media_provider: who produces it ("Local", "WebRTC", "RTMP", …)
 *
 * Returns: (transfer full): a new stream with a fresh mediaSessionId, status NEW.
 */
CbStream *
cb_stream_new (const char *name,
               const char *media_provider)
{
  return cb_stream_new_full (name, media_provider, NULL, TRUE);
}

/**
 * cb_stream_new_full:
 * @media_session_id: (nullable): the id a client chose (WCS clients do), or %NULL for a new one
 * @published: %FALSE for a player's stream (WCS lists players as streams too)
 */
CbStream *
cb_stream_new_full (const char *name,
                    const char *media_provider,
                    const char *media_session_id,
                    gboolean    published)
{
  CbStream *self = g_object_new (CB_TYPE_STREAM, NULL);

  self->name = g_strdup (name);
  self->media_provider = g_strdup (media_provider != NULL ? media_provider : "Local");
  self->media_session_id = media_session_id != NULL && *media_session_id != '\0'
                           ? g_strdup (media_session_id) : g_uuid_string_random ();
  self->published = published;
  return self;
}

gboolean
cb_stream_is_published (CbStream *self)
{
  g_return_val_if_fail (CB_IS_STREAM (self), FALSE);
  return self->published;
}

void
cb_stream_set_keyframe_func (CbStream  *self,
                             void     (*func) (gpointer data),
                             gpointer   data)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  self->keyframe_func = func;
  self->keyframe_data = data;
  g_mutex_unlock (&self->lock);
}

void
cb_stream_request_keyframe (CbStream *self)
{
  void (*func) (gpointer) = NULL;
  gpointer data = NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  /* Rate-limited: a lossy player asking every frame must not make every frame a keyframe. */
  if (self->keyframe_func != NULL && now - self->last_keyframe_request >= G_USEC_PER_SEC)
    {
      self->last_keyframe_request = now;
      func = self->keyframe_func;
      data = self->keyframe_data;
    }
  g_mutex_unlock (&self->lock);
  if (func != NULL)
    func (data);
}

const char *
cb_stream_get_name (CbStream *self)
{
  g_return_val_if_fail (CB_IS_STREAM (self), NULL);
  return self->name;
}

const char *
cb_stream_get_media_session_id (CbStream *self)
{
  g_return_val_if_fail (CB_IS_STREAM (self), NULL);
  return self->media_session_id;
}

CbStreamStatus
cb_stream_get_status (CbStream *self)
{
  CbStreamStatus status;

  g_return_val_if_fail (CB_IS_STREAM (self), CB_STREAM_FAILED);
  g_mutex_lock (&self->lock);
  status = self->status;
  g_mutex_unlock (&self->lock);
  return status;
}

char *
cb_stream_dup_info (CbStream *self)
{
  char *info;

  g_return_val_if_fail (CB_IS_STREAM (self), NULL);
  g_mutex_lock (&self->lock);
  info = g_strdup (self->info);
  g_mutex_unlock (&self->lock);
  return info;
}

static gboolean
emit_changed_idle (gpointer data)
{
  CbStream *self = data;

  g_atomic_int_set (&self->notify_pending, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Coalesces changes from any thread into one "changed" on the stream's context. */
void
cb_stream_schedule_changed (CbStream *self)
{
  if (!g_atomic_int_compare_and_exchange (&self->notify_pending, 0, 1))
    return;
  /* Always later, never inside the caller: callers hold locks or are mid-removal. */
  cb_idle_on (self->context, G_PRIORITY_DEFAULT, emit_changed_idle, g_object_ref (self),
              g_object_unref);
}

/**
 * cb_stream_set_status:
 * @info: (nullable): the WCS info text, e.g. "Stopped by publisher stop"
 *
 * A final status (UNPUBLISHED, STOPPED, FAILED) is kept: later changes are ignored,
 * so that the first reason for an end is the one people see.
 */
void
cb_stream_set_status (CbStream       *self,
                      CbStreamStatus  status,
                      const char     *info)
{
  gboolean changed = FALSE;

  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  if (!cb_stream_status_is_final (self->status) &&
      (self->status != status || g_strcmp0 (self->info, info) != 0))
    {
      self->status = status;
      g_free (self->info);
      self->info = g_strdup (info);
      changed = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (changed)
    {
      g_debug ("stream %s: %s%s%s", self->name, cb_stream_status_to_string (status),
               info ? " — " : "", info ? info : "");
      cb_stream_schedule_changed (self);
    }
}

void
cb_stream_set_source (CbStream   *self,
                      const char *source)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  g_free (self->source);
  self->source = g_strdup (source);
  g_mutex_unlock (&self->lock);
  cb_stream_schedule_changed (self);
}

/**
 * cb_stream_set_egress:
 * @egress: (nullable): how a WebRTC player is served: "shared" (the viewers' egress) or
 *   "webrtcbin" (a peer of its own)
 */
void
cb_stream_set_egress (CbStream   *self,
                      const char *egress)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  g_free (self->egress);
  self->egress = g_strdup (egress);
  g_mutex_unlock (&self->lock);
  cb_stream_schedule_changed (self);
}

void
cb_stream_set_rtmp_pull (CbStream *self)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  self->rtmp_pull = TRUE;
  g_mutex_unlock (&self->lock);
}

void
cb_stream_set_record (CbStream   *self,
                      gboolean    recording,
                      const char *record_name)
{
  gboolean changed;

  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  changed = self->recording != !!recording || g_strcmp0 (self->record_name, record_name) != 0;
  self->recording = !!recording;
  if (record_name != NULL && g_strcmp0 (self->record_name, record_name) != 0)
    {
      g_free (self->record_name);
      self->record_name = g_strdup (record_name);
    }
  g_mutex_unlock (&self->lock);

  if (changed)
    cb_stream_schedule_changed (self);
}

void
cb_stream_set_preparing (CbStream *self,
                         gboolean  preparing)
{
  gboolean changed;

  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  changed = self->preparing != !!preparing;
  self->preparing = !!preparing;
  g_mutex_unlock (&self->lock);
  if (changed)
    cb_stream_schedule_changed (self);
}

gboolean
cb_stream_is_preparing (CbStream *self)
{
  gboolean preparing;

  g_return_val_if_fail (CB_IS_STREAM (self), FALSE);

  g_mutex_lock (&self->lock);
  preparing = self->preparing;
  g_mutex_unlock (&self->lock);
  return preparing;
}

void
cb_stream_mark_b_frames (CbStream *self)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  self->media.b_frames = TRUE;
  g_mutex_unlock (&self->lock);
  cb_stream_schedule_changed (self);
}

void
cb_stream_set_timeline_origin (CbStream     *self,
                               GstClockTime  origin)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  self->timeline_origin = origin;
  g_mutex_unlock (&self->lock);
}

GstClockTime
cb_stream_get_timeline_origin (CbStream *self)
{
  GstClockTime origin;

  g_return_val_if_fail (CB_IS_STREAM (self), GST_CLOCK_TIME_NONE);

  g_mutex_lock (&self->lock);
  origin = self->timeline_origin;
  g_mutex_unlock (&self->lock);
  return origin;
}

/**
 * cb_stream_get_snapshot:
 *
 * Returns: (transfer full): a copy of the stream's state, for any thread.
 */
CbStreamInfo *
cb_stream_get_snapshot (CbStream *self)
{
  CbStreamInfo *info = g_new0 (CbStreamInfo, 1);

  g_return_val_if_fail (CB_IS_STREAM (self), NULL);

  info->name = g_strdup (self->name);
  info->media_session_id = g_strdup (self->media_session_id);
  info->media_provider = g_strdup (self->media_provider);
  info->create_date = self->create_date;
  info->published = self->published;

  g_mutex_lock (&self->lock);
  info->status = self->status;
  info->info = g_strdup (self->info);
  info->source = g_strdup (self->source);
  info->rtmp_pull = self->rtmp_pull;
  info->record = self->recording;
  info->record_name = g_strdup (self->record_name);
  info->egress = g_strdup (self->egress);
  cb_media_info_copy (&info->media, &self->media);
  info->n_consumers = self->consumers->len;
  info->n_renditions = g_hash_table_size (self->renditions);
  g_mutex_unlock (&self->lock);

  return info;
}
