/* cb-engine.c — the registry of named streams and the operations on them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-engine-private.h"
#include "cb-webrtc-peer.h"
#include "cb-local-source.h"
#include "cb-push-agent-private.h"
#include "cb-recorder-private.h"
#include "cb-relay.h"
#include "cb-vod.h"

typedef struct {
  CbStream       *stream;
  CbStopFunc      stop;
  gpointer        stop_data;
  GDestroyNotify  stop_destroy;
  gulong          changed_id;
} Entry;

struct _CbEngine
{
  GObject       parent_instance;

  CbSettings   *settings;
  GMainContext *context;
  gint64        start_time;
  char         *media_dir;
  char         *records_dir;

  GMutex        lock;        /* guards the two tables: lookups may come from any thread */
  GHashTable   *by_session;  /* mediaSessionId → Entry* (owns): publishers and players */
  GHashTable   *by_name;     /* name → Entry*: publishers only */
  GHashTable   *pushes;      /* mediaSessionId → CbPushAgent* (engine context only) */
  GHashTable   *stopped_pushes;   /* the same, stopped, kept a while for find */
  CbRecordRegistry *records;
#ifdef CB_HAVE_EGRESS
  CbEgressHub  *egress_hub;   /* WebRTC viewers; its egress thread starts at the first */
#endif
  gboolean      shut_down;
  CbLocalSource *scene_capture;   /* under lock: what the source "scene" publishes */
};

G_DEFINE_FINAL_TYPE (CbEngine, cb_engine, G_TYPE_OBJECT)

enum {
  SIGNAL_STREAM_ADDED,
  SIGNAL_STREAM_REMOVED,
  SIGNAL_STREAM_CHANGED,
  SIGNAL_PUSH_ADDED,
  SIGNAL_PUSH_REMOVED,
  SIGNAL_PUSH_CHANGED,
  SIGNAL_RECORDINGS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (gpointer data)
{
  Entry *e = data;

  if (e->stop_destroy != NULL)
    e->stop_destroy (e->stop_data);
  g_clear_signal_handler (&e->changed_id, e->stream);
  g_object_unref (e->stream);
  g_free (e);
}

static void
cb_engine_dispose (GObject *object)
{
  CbEngine *self = CB_ENGINE (object);

  cb_engine_shutdown (self);
  G_OBJECT_CLASS (cb_engine_parent_class)->dispose (object);
}

static void
cb_engine_finalize (GObject *object)
{
  CbEngine *self = CB_ENGINE (object);

#ifdef CB_HAVE_EGRESS
  /* No plugin loading may outlive the engine: a process exiting meanwhile breaks GObject. */
  cb_egress_hub_join_preload ();
#endif
  g_hash_table_unref (self->by_name);
  g_hash_table_unref (self->by_session);
  g_hash_table_unref (self->pushes);
  g_hash_table_unref (self->stopped_pushes);
  g_clear_pointer (&self->records, cb_record_registry_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->scene_capture);
  g_main_context_unref (self->context);
  g_free (self->media_dir);
  g_free (self->records_dir);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cb_engine_parent_class)->finalize (object);
}

static void
cb_engine_class_init (CbEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_engine_dispose;
  object_class->finalize = cb_engine_finalize;

  signals[SIGNAL_STREAM_ADDED] =
    g_signal_new ("stream-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_STREAM);
  signals[SIGNAL_STREAM_REMOVED] =
    g_signal_new ("stream-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_STREAM);
  signals[SIGNAL_STREAM_CHANGED] =
    g_signal_new ("stream-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_STREAM);
  signals[SIGNAL_PUSH_ADDED] =
    g_signal_new ("push-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_PUSH_AGENT);
  signals[SIGNAL_PUSH_REMOVED] =
    g_signal_new ("push-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_PUSH_AGENT);
  signals[SIGNAL_PUSH_CHANGED] =
    g_signal_new ("push-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CB_TYPE_PUSH_AGENT);
  signals[SIGNAL_RECORDINGS_CHANGED] =
    g_signal_new ("recordings-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

CbRecordRegistry *
cb_engine_get_record_registry (CbEngine *self)
{
  return self->records;
}

void
cb_engine_emit_recordings_changed (CbEngine *self)
{
  g_signal_emit (self, signals[SIGNAL_RECORDINGS_CHANGED], 0);
}

GHashTable *
cb_engine_get_push_table (CbEngine *self)
{
  return self->pushes;
}

GHashTable *
cb_engine_get_stopped_push_table (CbEngine *self)
{
  return self->stopped_pushes;
}

void
cb_engine_emit_push (CbEngine    *self,
                     CbPushAgent *agent,
                     int          what)
{
  guint id = what > 0 ? SIGNAL_PUSH_ADDED : what < 0 ? SIGNAL_PUSH_REMOVED : SIGNAL_PUSH_CHANGED;

  g_signal_emit (self, signals[id], 0, agent);
}

static void
cb_engine_init (CbEngine *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->start_time = g_get_monotonic_time ();
  self->by_session = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->pushes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->stopped_pushes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->records = cb_record_registry_new (self);
#ifdef CB_HAVE_EGRESS
  self->egress_hub = cb_egress_hub_new (self);
#endif
}

/**
 * cb_engine_new:
 * @settings: (nullable): the settings; defaults when %NULL
 *
 * Returns: (transfer full): an engine bound to the thread-default main context.
 */
CbEngine *
cb_engine_new (CbSettings *settings)
{
  CbEngine *self;
  const char *dir;

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  self = g_object_new (CB_TYPE_ENGINE, NULL);
  self->settings = settings ? g_object_ref (settings) : cb_settings_new ();

  dir = cb_settings_get_string (self->settings, "media_dir");
  if (dir != NULL && *dir != '\0')
    self->media_dir = g_canonicalize_filename (dir, NULL);
  else
    {
      const char *videos = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);
      self->media_dir = g_build_filename (videos ? videos : g_get_home_dir (), "Castbridge", NULL);
    }

  /* WCS keeps records apart from the media; beside the media folder unless set. */
  dir = cb_settings_get_string (self->settings, "record_dir");
  if (dir != NULL && *dir != '\0')
    self->records_dir = g_canonicalize_filename (dir, NULL);
  else
    {
      g_autofree char *parent = g_path_get_dirname (self->media_dir);
      self->records_dir = g_build_filename (parent, "records", NULL);
    }
  return self;
}

#ifdef CB_HAVE_EGRESS
/* NULL after shutdown. */
CbEgressHub *
cb_engine_get_egress_hub (CbEngine *self)
{
  return self->egress_hub;
}
#endif

CbSettings *
cb_engine_get_settings (CbEngine *self)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  return self->settings;
}

GMainContext *
cb_engine_get_context (CbEngine *self)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  return self->context;
}

gint64
cb_engine_get_start_time (CbEngine *self)
{
  return self->start_time;
}

const char *
cb_engine_get_media_dir (CbEngine *self)
{
  return self->media_dir;
}

const char *
cb_engine_get_records_dir (CbEngine *self)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  return self->records_dir;
}

void
cb_engine_invoke (CbEngine       *self,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  g_return_if_fail (CB_IS_ENGINE (self));
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func, data, destroy);
}

/**
 * cb_engine_validate_stream_name:
 *
 * A stream name is 1–255 bytes of UTF-8 with no control characters, no `/`, `\`
 * or `..`; `#`, spaces and the rest are allowed (WCS names like `amsStream#amsroom1`).
 */
gboolean
cb_engine_validate_stream_name (const char  *name,
                                GError     **error)
{
  gsize len;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Stream name is empty");
      return FALSE;
    }
  len = strlen (name);
  if (len > 255 || !g_utf8_validate (name, len, NULL))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Stream name must be UTF-8 of at most 255 bytes");
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
      {
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                     "Stream name must not contain control characters, “/” or “\\”");
        return FALSE;
      }
  if (strstr (name, "..") != NULL || g_str_has_prefix (name, " ") || g_str_has_suffix (name, " "))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Stream name must not contain “..” or start or end with a space");
      return FALSE;
    }
  /* Players asking for such a name get the file: a live stream by it could not be played. */
  if (cb_vod_parse_name (name, NULL, NULL) != CB_VOD_NONE)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Stream names starting with “vod:” or “vod-live:” name VOD files");
      return FALSE;
    }
  return TRUE;
}

/* ---- registry ------------------------------------------------------------ */

static CbStream *
lookup_in (CbEngine   *self,
           GHashTable *table,
           const char *key)
{
  Entry *e;
  CbStream *stream = NULL;

  if (key == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  e = g_hash_table_lookup (table, key);
  if (e != NULL)
    stream = g_object_ref (e->stream);
  g_mutex_unlock (&self->lock);
  return stream;
}

CbStream *
cb_engine_lookup_stream (CbEngine   *self,
                         const char *name)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  return lookup_in (self, self->by_name, name);
}

CbStream *
cb_engine_lookup_session (CbEngine   *self,
                          const char *media_session_id)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  return lookup_in (self, self->by_session, media_session_id);
}

CbStream *
cb_engine_open_play_stream (CbEngine    *self,
                            const char  *name,
                            GError     **error)
{
  g_autofree char *file = NULL;
  g_autofree char *canonical = NULL;
  CbVodKind kind;
  CbStream *stream;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  kind = name != NULL ? cb_vod_parse_name (name, &file, &canonical) : CB_VOD_NONE;
  if (kind != CB_VOD_NONE)
    return cb_vod_open (self, kind, file, canonical, error);

  stream = name != NULL ? cb_engine_lookup_stream (self, name) : NULL;
  if (stream == NULL)
    g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
  return stream;
}

/**
 * cb_engine_release_play_stream:
 *
 * The caller of cb_engine_open_play_stream() will not play @stream after all (its own
 * request failed). A personal VOD nobody watches ends now; anything else is left alone.
 */
void
cb_engine_release_play_stream (CbEngine *self,
                               CbStream *stream)
{
  g_return_if_fail (CB_IS_ENGINE (self));

  if (stream != NULL)
    cb_vod_release (self, stream);
}

static int
compare_by_date (gconstpointer a,
                 gconstpointer b)
{
  CbStream *sa = *(CbStream **) a;
  CbStream *sb = *(CbStream **) b;
  CbStreamInfo *ia = cb_stream_get_snapshot (sa);
  CbStreamInfo *ib = cb_stream_get_snapshot (sb);
  int r = ia->create_date < ib->create_date ? -1 : ia->create_date > ib->create_date ? 1
          : g_strcmp0 (ia->name, ib->name);

  cb_stream_info_free (ia);
  cb_stream_info_free (ib);
  return r;
}

/**
 * cb_engine_list_streams:
 *
 * Returns: (transfer full) (element-type CbStream): the live streams, oldest first.
 */
GPtrArray *
cb_engine_list_streams (CbEngine *self)
{
  CbStreamFilter all = { NULL, NULL, -1, NULL };

  return cb_engine_find_streams (self, &all);
}

GPtrArray *
cb_engine_find_streams (CbEngine             *self,
                        const CbStreamFilter *filter)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (CB_IS_ENGINE (self), out);

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->by_session);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *e = value;
      g_autoptr(CbStreamInfo) info = NULL;

      if (filter != NULL)
        {
          info = cb_stream_get_snapshot (e->stream);
          if (filter->name != NULL && g_strcmp0 (filter->name, info->name) != 0)
            continue;
          if (filter->media_session_id != NULL &&
              g_strcmp0 (filter->media_session_id, info->media_session_id) != 0)
            continue;
          if (filter->published >= 0 && (!!filter->published) != (!!info->published))
            continue;
          if (filter->status != NULL &&
              g_ascii_strcasecmp (filter->status, cb_stream_status_to_string (info->status)) != 0)
            continue;
        }
      g_ptr_array_add (out, g_object_ref (e->stream));
    }
  g_mutex_unlock (&self->lock);

  g_ptr_array_sort (out, compare_by_date);
  return out;
}

static void
on_stream_changed (CbStream *stream,
                   gpointer  data)
{
  g_signal_emit (data, signals[SIGNAL_STREAM_CHANGED], 0, stream);
}

/**
 * cb_engine_add_stream:
 * @stop: (nullable): how to stop the producer; called once, on the engine context
 *
 * Registers a producer's stream under its name. On error, @stop_destroy is called.
 */
gboolean
cb_engine_add_stream (CbEngine        *self,
                      CbStream        *stream,
                      CbStopFunc       stop,
                      gpointer         stop_data,
                      GDestroyNotify   stop_destroy,
                      GError         **error)
{
  return cb_engine_add_stream_full (self, stream, 0, stop, stop_data, stop_destroy, error);
}

gboolean
cb_engine_add_stream_full (CbEngine          *self,
                           CbStream          *stream,
                           CbEngineAddFlags   flags,
                           CbStopFunc         stop,
                           gpointer           stop_data,
                           GDestroyNotify     stop_destroy,
                           GError           **error)
{
  const char *name = cb_stream_get_name (stream);
  gboolean published;
  Entry *e;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (CB_IS_STREAM (stream), FALSE);

  /* A VOD reader checks its name itself; a player is named after what it plays, which
   * may be a VOD file. */
  if (!(flags & (CB_ENGINE_ADD_VOD | CB_ENGINE_ADD_URI_NAME)) &&
      !(!cb_stream_is_published (stream) && cb_vod_parse_name (name, NULL, NULL) != CB_VOD_NONE) &&
      !cb_engine_validate_stream_name (name, error))
    goto fail;

  published = cb_stream_is_published (stream) && !(flags & CB_ENGINE_ADD_UNNAMED);
  g_mutex_lock (&self->lock);
  if (self->shut_down ||
      (published && g_hash_table_contains (self->by_name, name)) ||
      g_hash_table_contains (self->by_session, cb_stream_get_media_session_id (stream)))
    {
      gboolean shut_down = self->shut_down;
      gboolean name_taken = published && g_hash_table_contains (self->by_name, name);

      g_mutex_unlock (&self->lock);
      if (shut_down)
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "The server is stopping");
      else if (name_taken)
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS, "Stream name is already in use");
      else
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS, "mediaSessionId is already in use");
      goto fail;
    }
  e = g_new0 (Entry, 1);
  e->stream = g_object_ref (stream);
  e->stop = stop;
  e->stop_data = stop_data;
  e->stop_destroy = stop_destroy;
  g_hash_table_insert (self->by_session, (gpointer) cb_stream_get_media_session_id (stream), e);
  if (published)
    g_hash_table_insert (self->by_name, (gpointer) name, e);
  g_mutex_unlock (&self->lock);

  e->changed_id = g_signal_connect_object (stream, "changed", G_CALLBACK (on_stream_changed),
                                           self, 0);
  if (cb_stream_get_status (stream) == CB_STREAM_NEW)
    cb_stream_set_status (stream, CB_STREAM_PENDING, NULL);
  g_info ("stream %s published (%s)", name, cb_stream_get_media_session_id (stream));
  g_signal_emit (self, signals[SIGNAL_STREAM_ADDED], 0, stream);
  /* Publishers only: a player is no stream to push or record, and nobody published a VOD
   * (pushing or recording every file someone watches is not what the settings ask for). */
  if (published && !(flags & CB_ENGINE_ADD_VOD))
    {
      cb_engine_push_auto_start (self, stream);
      cb_engine_record_auto_start (self, stream);
    }
  return TRUE;

fail:
  if (stop_destroy != NULL)
    stop_destroy (stop_data);
  return FALSE;
}

/**
 * cb_engine_remove_stream:
 *
 * The one way a stream ends: sets its final status, tells its consumers, stops its
 * producer and removes it from the registry. Safe to call more than once.
 */
void
cb_engine_remove_stream (CbEngine       *self,
                         CbStream       *stream,
                         CbStreamStatus  status,
                         const char     *info)
{
  Entry *e;
  g_autoptr(CbStream) keep = g_object_ref (stream);

  g_return_if_fail (CB_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  e = g_hash_table_lookup (self->by_session, cb_stream_get_media_session_id (stream));
  if (e == NULL || e->stream != stream)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_hash_table_steal (self->by_session, cb_stream_get_media_session_id (stream));
  if (g_hash_table_lookup (self->by_name, cb_stream_get_name (stream)) == e)
    g_hash_table_remove (self->by_name, cb_stream_get_name (stream));
  g_mutex_unlock (&self->lock);

  /* Before the final status: it carries the recording's file name. */
  cb_engine_record_stream_ending (self, stream);
  cb_stream_set_status (stream, status, info);
  cb_stream_push_eos (stream);
  if (e->stop != NULL)
    e->stop (e->stop_data, info);

  g_info ("stream %s ended: %s %s", cb_stream_get_name (stream),
          cb_stream_status_to_string (status), info ? info : "");
  g_signal_emit (self, signals[SIGNAL_STREAM_CHANGED], 0, stream);
  g_signal_emit (self, signals[SIGNAL_STREAM_REMOVED], 0, stream);
  entry_free (e);
}

/* ---- local sources ------------------------------------------------------- */

typedef struct {
  CbEngine      *engine;   /* weak: the engine outlives its entries */
  CbStream      *stream;
  CbLocalSource *source;
  gboolean       borrowed; /* the studio's scenes: they run on before and after */
} LocalPublisher;

static void
local_publisher_free (gpointer data)
{
  LocalPublisher *lp = data;

  cb_stream_set_keyframe_func (lp->stream, NULL, NULL);
  g_signal_handlers_disconnect_by_data (lp->source, lp);
  cb_local_source_set_stream (lp->source, NULL);
  if (!lp->borrowed)
    cb_local_source_stop (lp->source);
  g_object_unref (lp->source);
  g_object_unref (lp->stream);
  g_free (lp);
}

static void
local_publisher_stop (gpointer    data,
                      const char *info)
{
  LocalPublisher *lp = data;

  cb_local_source_set_stream (lp->source, NULL);
  if (!lp->borrowed)
    cb_local_source_stop (lp->source);
}

/**
 * cb_engine_set_scene_capture:
 * @capture: (nullable): the studio's program (cb_program_get_capture()), made and run by
 *   the front end
 *
 * What the source `scene` publishes: the composed scenes, encoded once. A stream already
 * publishing keeps the capture it has. Any thread.
 */
void
cb_engine_set_scene_capture (CbEngine      *self,
                             CbLocalSource *capture)
{
  g_return_if_fail (CB_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  g_set_object (&self->scene_capture, capture);
  g_mutex_unlock (&self->lock);
}

/* Forgets @capture if it is still the one "scene" publishes (another window may have
 * set its own since). Any thread. */
void
cb_engine_unset_scene_capture (CbEngine      *self,
                               CbLocalSource *capture)
{
  g_autoptr(CbLocalSource) dropped = NULL;

  g_return_if_fail (CB_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  if (self->scene_capture == capture)
    dropped = g_steal_pointer (&self->scene_capture);
  g_mutex_unlock (&self->lock);
}

static void
on_local_source_error (CbLocalSource *source,
                       const GError  *error,
                       gpointer       data)
{
  LocalPublisher *lp = data;

  g_debug ("stream %s: %s", cb_stream_get_name (lp->stream), error->message);
  cb_engine_remove_stream (lp->engine, lp->stream, CB_STREAM_FAILED, error->message);
}

static void
on_local_source_eos (CbLocalSource *source,
                     gpointer       data)
{
  LocalPublisher *lp = data;

  cb_engine_remove_stream (lp->engine, lp->stream, CB_STREAM_UNPUBLISHED,
                           "Stopped by publisher stop");
}

CbStream *
cb_engine_publish_network_source (CbEngine    *self,
                                  const char  *name,
                                  const char  *source,
                                  GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *spec = NULL;
  CbStream *stream;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (source == NULL || !g_str_has_prefix (source, "file:"))
    return cb_engine_publish_source (self, name, source, error);
  path = cb_engine_resolve_media_file (self, source + strlen ("file:"), error);
  if (path == NULL)
    return NULL;
  spec = g_strconcat ("file:", path, NULL);
  stream = cb_engine_publish_source (self, name, spec, error);
  /* Shown as the client named it: the media folder's place on disk is no business of
   * other clients. */
  if (stream != NULL)
    cb_stream_set_source (stream, source);
  return stream;
}

/**
 * cb_engine_publish_source:
 * @name: the stream's name
 * @source: a capture spec (see cb_local_source_new())
 *
 * Starts capturing and publishes the capture as stream @name.
 *
 * Returns: (transfer full): the stream, status PENDING until media flows
 */
CbStream *
cb_engine_publish_source (CbEngine    *self,
                          const char  *name,
                          const char  *source,
                          GError     **error)
{
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(CbStream) existing = NULL;
  g_autoptr(GError) start_error = NULL;
  LocalPublisher *lp;
  CbLocalSource *capture;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (!cb_engine_validate_stream_name (name, error))
    return NULL;
  existing = cb_engine_lookup_stream (self, name);
  if (existing != NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS, "Stream name is already in use");
      return NULL;
    }

  if (g_strcmp0 (source, "scene") == 0)
    {
      g_mutex_lock (&self->lock);
      capture = self->scene_capture ? g_object_ref (self->scene_capture) : NULL;
      g_mutex_unlock (&self->lock);
      if (capture == NULL)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                       "No scenes here: the studio window makes them");
          return NULL;
        }
    }
  else
    capture = cb_local_source_new_configured (source, self->settings, error);
  if (capture == NULL)
    return NULL;

  stream = cb_stream_new (name, "Local");
  cb_stream_set_source (stream, source);

  lp = g_new0 (LocalPublisher, 1);
  lp->engine = self;
  lp->stream = g_object_ref (stream);
  lp->source = capture;
  lp->borrowed = g_strcmp0 (source, "scene") == 0;
  /* The scenes' own signals come on the front end's context, which watches them. */
  if (!lp->borrowed)
    {
      g_signal_connect (capture, "error", G_CALLBACK (on_local_source_error), lp);
      g_signal_connect (capture, "eos", G_CALLBACK (on_local_source_eos), lp);
    }

  if (!cb_engine_add_stream (self, stream, local_publisher_stop, lp, local_publisher_free, error))
    return NULL;

  cb_local_source_set_stream (capture, stream);
  cb_stream_set_keyframe_func (stream, (void (*) (gpointer)) cb_local_source_request_keyframe, capture);
  if (!cb_local_source_start (capture, &start_error))
    {
      cb_engine_remove_stream (self, stream, CB_STREAM_FAILED, start_error->message);
      g_propagate_error (error, g_steal_pointer (&start_error));
      return NULL;
    }
  return g_steal_pointer (&stream);
}

/* The capture of the local stream @name, or NULL (CB_ENGINE_ERROR_NOT_FOUND). */
static CbLocalSource *
dup_local_source (CbEngine    *self,
                  const char  *name,
                  GError     **error)
{
  CbLocalSource *source = NULL;
  Entry *e;

  g_mutex_lock (&self->lock);
  e = name ? g_hash_table_lookup (self->by_name, name) : NULL;
  if (e != NULL && e->stop == local_publisher_stop)
    source = g_object_ref (((LocalPublisher *) e->stop_data)->source);
  g_mutex_unlock (&self->lock);

  if (source == NULL)
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND,
                 "No local capture is published as “%s”", name ? name : "");
  return source;
}

gboolean
cb_engine_set_local_preview (CbEngine             *self,
                             const char           *name,
                             CbEnginePreviewFunc   func,
                             gpointer              data,
                             GDestroyNotify        destroy,
                             GError              **error)
{
  CbLocalSource *source;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  source = dup_local_source (self, name, error);
  if (source == NULL)
    {
      if (destroy != NULL)
        destroy (data);
      return FALSE;
    }
  cb_local_source_set_preview (source, (CbPreviewFunc) func, data, destroy);
  g_object_unref (source);
  return TRUE;
}

gboolean
cb_engine_set_local_muted (CbEngine    *self,
                           const char  *name,
                           gboolean     muted,
                           GError     **error)
{
  CbLocalSource *source;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  source = dup_local_source (self, name, error);
  if (source == NULL)
    return FALSE;
  cb_local_source_set_muted (source, muted);
  g_object_unref (source);
  return TRUE;
}

gboolean
cb_engine_unpublish (CbEngine    *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(CbStream) stream = NULL;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  stream = cb_engine_lookup_stream (self, name);
  if (stream == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return FALSE;
    }
  cb_engine_remove_stream (self, stream, CB_STREAM_UNPUBLISHED, "Stopped by publisher stop");
  return TRUE;
}

gboolean
cb_engine_terminate (CbEngine    *self,
                     const char  *media_session_id,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(CbStream) stream = NULL;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  if (media_session_id != NULL)
    stream = cb_engine_lookup_session (self, media_session_id);
  else if (name != NULL)
    stream = cb_engine_lookup_stream (self, name);
  if (stream == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return FALSE;
    }
  cb_engine_remove_stream (self, stream, CB_STREAM_UNPUBLISHED, "Stopped by rest /terminate");
  return TRUE;
}

/**
 * cb_engine_shutdown:
 *
 * Stops every stream (their consumers see the end) and refuses new ones.
 */
void
cb_engine_shutdown (CbEngine *self)
{
  g_autoptr(GPtrArray) streams = NULL;

  g_mutex_lock (&self->lock);
  self->shut_down = TRUE;
  g_mutex_unlock (&self->lock);

  cb_engine_stop_all_pushes (self);
  cb_engine_stop_all_relays (self);
  cb_engine_record_shutdown (self);

  streams = cb_engine_list_streams (self);
  for (guint i = 0; i < streams->len; i++)
    cb_engine_remove_stream (self, g_ptr_array_index (streams, i), CB_STREAM_UNPUBLISHED,
                             "Stopped by server shutdown");
  /* WebRTC peers stop in worker threads: let them finish before the process goes. */
  if (!cb_webrtc_peer_wait_closed (5000))
    g_warning ("Some WebRTC connections were still closing at shutdown");
#ifdef CB_HAVE_EGRESS
  /* Its viewers ended with their streams: the egress thread goes now. */
  g_clear_pointer (&self->egress_hub, cb_egress_hub_free);
#endif
  /* Recordings are finished into their final files before the process goes (a file left
   * behind would be repaired at the next start, but a clean stop should not need that). */
  if (!cb_engine_record_idle (self) && g_main_context_acquire (self->context))
    {
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

      while (!cb_engine_record_idle (self) && g_get_monotonic_time () < deadline)
        if (!g_main_context_iteration (self->context, FALSE))
          g_usleep (10 * 1000);
      g_main_context_release (self->context);
      if (!cb_engine_record_idle (self))
        g_warning ("Some recordings were still being finished at shutdown");
    }
}

/* ---- async wrappers for other threads ------------------------------------ */

typedef struct {
  char *name;
  char *source;
} PublishData;

static void
publish_data_free (gpointer data)
{
  PublishData *pd = data;

  g_free (pd->name);
  g_free (pd->source);
  g_free (pd);
}

static gboolean
publish_in_engine (gpointer data)
{
  GTask *task = data;
  CbEngine *self = g_task_get_source_object (task);
  PublishData *pd = g_task_get_task_data (task);
  g_autoptr(CbStream) stream = NULL;
  GError *error = NULL;

  stream = cb_engine_publish_source (self, pd->name, pd->source, &error);
  if (stream == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cb_stream_get_snapshot (stream),
                           (GDestroyNotify) cb_stream_info_free);
  return G_SOURCE_REMOVE;
}

void
cb_engine_publish_source_async (CbEngine            *self,
                                const char          *name,
                                const char          *source,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PublishData *pd = g_new0 (PublishData, 1);

  g_task_set_source_tag (task, cb_engine_publish_source_async);
  pd->name = g_strdup (name);
  pd->source = g_strdup (source);
  g_task_set_task_data (task, pd, publish_data_free);
  cb_engine_invoke (self, publish_in_engine, task, g_object_unref);
}

CbStreamInfo *
cb_engine_publish_source_finish (CbEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
unpublish_in_engine (gpointer data)
{
  GTask *task = data;
  CbEngine *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (cb_engine_unpublish (self, g_task_get_task_data (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  return G_SOURCE_REMOVE;
}

void
cb_engine_unpublish_async (CbEngine            *self,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cb_engine_unpublish_async);
  g_task_set_task_data (task, g_strdup (name), g_free);
  cb_engine_invoke (self, unpublish_in_engine, task, g_object_unref);
}

gboolean
cb_engine_unpublish_finish (CbEngine      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
