/* cb-engine-push.c — the engine's RTMP push operations (WCS push verbs)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-engine-private.h"
#include "cb-path.h"
#include "cb-push-agent-private.h"
#include "cb-sound-mixer.h"

char *
cb_engine_resolve_media_file (CbEngine    *self,
                              const char  *name,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *path;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  path = cb_path_confine (cb_engine_get_media_dir (self), name, &local_error);
  if (path != NULL)
    return path;
  if (g_error_matches (local_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* Why, for the log; the name is the client's, and the answer is the same for all. */
  g_debug ("media file refused: %s", local_error->message);
  g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Bad file name: give the name of a file in the media folder");
  return NULL;
}

static gboolean
remove_stopped_idle (gpointer data)
{
  CbPushAgent *agent = data;
  CbEngine *engine = g_object_get_data (G_OBJECT (agent), "cb-engine");
  GHashTable *table;

  if (engine == NULL)
    return G_SOURCE_REMOVE;
  table = cb_engine_get_push_table (engine);
  if (g_hash_table_lookup (table, cb_push_agent_get_id (agent)) == agent)
    {
      g_object_ref (agent);
      g_hash_table_remove (table, cb_push_agent_get_id (agent));
      g_signal_handlers_disconnect_by_data (agent, engine);
      cb_engine_emit_push (engine, agent, -1);
      g_object_unref (agent);
    }
  return G_SOURCE_REMOVE;
}

static void
on_agent_changed (CbPushAgent *agent,
                  gpointer     data)
{
  CbEngine *engine = data;

  cb_engine_emit_push (engine, agent, 0);
  if (cb_push_agent_get_state (agent) == CB_PUSH_STOPPED)
    {
      /* A real idle, never synchronous: the agent is still inside its own emission. */
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, remove_stopped_idle, g_object_ref (agent), g_object_unref);
      g_source_attach (idle, cb_engine_get_context (engine));
      g_source_unref (idle);
    }
}

/**
 * cb_engine_push_start:
 *
 * Starts pushing a stream to an RTMP URL. Errors: _INVALID for a missing or bad URL or
 * sound file name, _NOT_FOUND for an unknown stream or sound file, _EXISTS when the same
 * stream already goes to the same destination.
 */
CbPushAgent *
cb_engine_push_start (CbEngine            *self,
                      const CbPushRequest *request,
                      GError             **error)
{
  GHashTable *table = cb_engine_get_push_table (self);
  g_autoptr(GPtrArray) same = NULL;
  g_autofree char *sound_path = NULL;
  CbPushRequest resolved = *request;
  CbPushAgent *agent;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (request->sound_file != NULL)
    {
      sound_path = cb_engine_resolve_media_file (self, request->sound_file, error);
      if (sound_path == NULL)
        return NULL;
      resolved.sound_file = sound_path;
    }

  agent = cb_push_agent_new (self, &resolved, error);
  if (agent == NULL)
    return NULL;

  /* 409 for a live duplicate; a failed agent to the same place is replaced. */
  same = cb_engine_find_pushes (self, request->stream_name, NULL);
  for (guint i = 0; i < same->len; i++)
    {
      CbPushAgent *other = g_ptr_array_index (same, i);

      if (!cb_push_agent_same_target (agent, other))
        continue;
      if (cb_push_agent_get_state (other) == CB_PUSH_FAILED)
        cb_engine_push_terminate (self, cb_push_agent_get_id (other), NULL);
      else
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                       "Stream is already pushed to this URL");
          g_object_unref (agent);
          return NULL;
        }
    }

  g_object_set_data (G_OBJECT (agent), "cb-engine", self);
  g_hash_table_insert (table, g_strdup (cb_push_agent_get_id (agent)), agent);
  g_signal_connect (agent, "changed", G_CALLBACK (on_agent_changed), self);
  cb_engine_emit_push (self, agent, 1);
  cb_push_agent_start (agent);
  return g_object_ref (agent);
}

CbPushAgent *
cb_engine_lookup_push (CbEngine   *self,
                       const char *media_session_id)
{
  CbPushAgent *agent;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);
  if (media_session_id == NULL)
    return NULL;
  agent = g_hash_table_lookup (cb_engine_get_push_table (self), media_session_id);
  return agent ? g_object_ref (agent) : NULL;
}

/**
 * cb_engine_find_pushes:
 * @stream_name: (nullable): only agents of this stream
 * @rtmp_url: (nullable): only agents to this destination
 *
 * Returns: (transfer full) (element-type CbPushAgent): matching agents
 */
GPtrArray *
cb_engine_find_pushes (CbEngine   *self,
                       const char *stream_name,
                       const char *rtmp_url)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (CB_IS_ENGINE (self), out);

  g_hash_table_iter_init (&iter, cb_engine_get_push_table (self));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (cb_push_agent_matches (value, stream_name, rtmp_url))
      g_ptr_array_add (out, g_object_ref (value));
  return out;
}

static CbPushAgent *
lookup_or_error (CbEngine    *self,
                 const char  *media_session_id,
                 GError     **error)
{
  CbPushAgent *agent = cb_engine_lookup_push (self, media_session_id);

  if (agent == NULL)
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Transponder not found");
  return agent;
}

gboolean
cb_engine_push_terminate (CbEngine    *self,
                          const char  *media_session_id,
                          GError     **error)
{
  return cb_engine_push_terminate_full (self, media_session_id, "Stopped by rest /terminate", error);
}

gboolean
cb_engine_push_terminate_full (CbEngine    *self,
                               const char  *media_session_id,
                               const char  *reason,
                               GError     **error)
{
  g_autoptr(CbPushAgent) agent = lookup_or_error (self, media_session_id, error);

  if (agent == NULL)
    return FALSE;
  cb_push_agent_stop (agent, reason ? reason : "Stopped");
  if (cb_push_agent_get_state (agent) == CB_PUSH_STOPPED)
    remove_stopped_idle (agent);
  return TRUE;
}

gboolean
cb_engine_push_set_muted (CbEngine    *self,
                          const char  *media_session_id,
                          gboolean     muted,
                          GError     **error)
{
  g_autoptr(CbPushAgent) agent = lookup_or_error (self, media_session_id, error);

  if (agent == NULL)
    return FALSE;
  cb_push_agent_set_muted (agent, muted);
  return TRUE;
}

gboolean
cb_engine_push_sound_on (CbEngine    *self,
                         const char  *media_session_id,
                         const char  *sound_file,
                         gboolean     loop,
                         gboolean     replace,
                         GError     **error)
{
  g_autoptr(CbPushAgent) agent = lookup_or_error (self, media_session_id, error);
  g_autofree char *path = NULL;

  if (agent == NULL)
    return FALSE;
  path = cb_engine_resolve_media_file (self, sound_file, error);
  if (path == NULL)
    return FALSE;
  return cb_push_agent_sound_on (agent, path, loop, replace, error);
}

gboolean
cb_engine_push_sound_off (CbEngine    *self,
                          const char  *media_session_id,
                          GError     **error)
{
  g_autoptr(CbPushAgent) agent = lookup_or_error (self, media_session_id, error);

  if (agent == NULL)
    return FALSE;
  cb_push_agent_sound_off (agent);
  return TRUE;
}

gboolean
cb_engine_push_retry_now (CbEngine    *self,
                          const char  *media_session_id,
                          GError     **error)
{
  g_autoptr(CbPushAgent) agent = lookup_or_error (self, media_session_id, error);

  if (agent == NULL)
    return FALSE;
  cb_push_agent_retry_now (agent);
  return TRUE;
}

void
cb_engine_stop_all_pushes (CbEngine *self)
{
  g_autoptr(GPtrArray) all = cb_engine_find_pushes (self, NULL, NULL);

  for (guint i = 0; i < all->len; i++)
    cb_engine_push_terminate (self, cb_push_agent_get_id (g_ptr_array_index (all, i)), NULL);
}

/* rtmp_push_auto_start: every stream that publishes goes to rtmp_push_auto_start_url. */
void
cb_engine_push_auto_start (CbEngine *self,
                           CbStream *stream)
{
  CbSettings *settings = cb_engine_get_settings (self);
  const char *url = cb_settings_get_string (settings, "rtmp_push_auto_start_url");
  CbPushRequest request = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CbPushAgent) agent = NULL;

  if (!cb_settings_get_bool (settings, "rtmp_push_auto_start") || url == NULL || *url == '\0')
    return;
  request.stream_name = cb_stream_get_name (stream);
  request.rtmp_url = url;
  request.full_url = -1;
  agent = cb_engine_push_start (self, &request, &error);
  if (agent == NULL)
    g_warning ("automatic push of %s: %s", cb_stream_get_name (stream), error->message);
}
