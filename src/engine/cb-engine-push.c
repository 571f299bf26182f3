/* cb-engine-push.c — the engine's RTMP push operations (WCS push verbs)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-context.h"
#include "cb-engine-private.h"
#include "cb-path.h"
#include "cb-push-agent-private.h"
#include "cb-rtmp-url.h"
#include "cb-sound-mixer.h"

/* How long /push/startup waits for the destination's host name to resolve. */
#define RESOLVE_TIMEOUT_MS 5000

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

/* An agent and its engine, for sources that may outlive the engine (a test's fixture). */
typedef struct {
  GWeakRef     engine;
  CbPushAgent *agent;
} EngineAgent;

static EngineAgent *
engine_agent_new (CbEngine    *engine,
                  CbPushAgent *agent)
{
  EngineAgent *ea = g_new0 (EngineAgent, 1);

  g_weak_ref_init (&ea->engine, engine);
  ea->agent = g_object_ref (agent);
  return ea;
}

static void
engine_agent_free (gpointer data)
{
  EngineAgent *ea = data;

  g_weak_ref_clear (&ea->engine);
  g_object_unref (ea->agent);
  g_free (ea);
}

static gboolean
forget_stopped (gpointer data)
{
  EngineAgent *ea = data;
  g_autoptr(CbEngine) engine = g_weak_ref_get (&ea->engine);
  GHashTable *table = engine ? cb_engine_get_stopped_push_table (engine) : NULL;

  if (table != NULL && g_hash_table_lookup (table, cb_push_agent_get_id (ea->agent)) == ea->agent)
    g_hash_table_remove (table, cb_push_agent_get_id (ea->agent));
  return G_SOURCE_REMOVE;
}

/* A stopped agent stays findable (push/find, push/find_all) with its last events for
 * rtmp_push_keep_stopped_seconds: a client that polls sees StreamStopped and its reason. */
static void
keep_stopped (CbEngine    *engine,
              CbPushAgent *agent)
{
  gint64 seconds = cb_settings_get_int (cb_engine_get_settings (engine),
                                        "rtmp_push_keep_stopped_seconds");
  GSource *timeout;

  if (seconds <= 0)
    return;
  g_hash_table_replace (cb_engine_get_stopped_push_table (engine),
                        g_strdup (cb_push_agent_get_id (agent)), g_object_ref (agent));
  timeout = g_timeout_source_new_seconds ((guint) MIN (seconds, 24 * 3600));
  g_source_set_callback (timeout, forget_stopped, engine_agent_new (engine, agent),
                         engine_agent_free);
  g_source_attach (timeout, cb_engine_get_context (engine));
  g_source_unref (timeout);
}

static void
remove_stopped (CbEngine    *engine,
                CbPushAgent *agent)
{
  GHashTable *table = cb_engine_get_push_table (engine);

  if (g_hash_table_lookup (table, cb_push_agent_get_id (agent)) == agent)
    {
      g_object_ref (agent);
      g_hash_table_remove (table, cb_push_agent_get_id (agent));
      g_signal_handlers_disconnect_by_data (agent, engine);
      cb_engine_emit_push (engine, agent, -1);
      keep_stopped (engine, agent);
      g_object_unref (agent);
    }
}

static gboolean
remove_stopped_idle (gpointer data)
{
  EngineAgent *ea = data;
  g_autoptr(CbEngine) engine = g_weak_ref_get (&ea->engine);

  if (engine != NULL)
    remove_stopped (engine, ea->agent);
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
      cb_idle_on (cb_engine_get_context (engine), G_PRIORITY_DEFAULT, remove_stopped_idle,
                  engine_agent_new (engine, agent), engine_agent_free);
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

  g_hash_table_insert (table, g_strdup (cb_push_agent_get_id (agent)), agent);
  g_signal_connect (agent, "changed", G_CALLBACK (on_agent_changed), self);
  cb_engine_emit_push (self, agent, 1);
  cb_push_agent_start (agent);
  return g_object_ref (agent);
}

/* A request that owns its strings, for the time the host name resolves. */
typedef struct {
  CbPushRequest  request;
  GStrv          strings;
  char          *host;
  GCancellable  *lookup_cancellable;
  GSource       *timeout;
  gboolean       timed_out;
} StartData;

#define N_START_STRINGS 6   /* the request's strings that StartData copies */

static void
start_data_free (gpointer data)
{
  StartData *sd = data;

  if (sd->timeout != NULL)
    {
      g_source_destroy (sd->timeout);
      g_source_unref (sd->timeout);
    }
  g_clear_object (&sd->lookup_cancellable);
  /* Not g_strfreev(): a field the request leaves out is a NULL in the middle. */
  for (guint i = 0; i < N_START_STRINGS; i++)
    g_free (sd->strings[i]);
  g_free (sd->strings);
  g_free (sd->host);
  g_free (sd);
}

static void
start_now (GTask *task)
{
  StartData *sd = g_task_get_task_data (task);
  GError *error = NULL;
  CbPushAgent *agent = cb_engine_push_start (g_task_get_source_object (task), &sd->request, &error);

  if (agent == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, agent, g_object_unref);
}

static gboolean
on_resolve_timeout (gpointer data)
{
  StartData *sd = data;

  sd->timed_out = TRUE;
  g_cancellable_cancel (sd->lookup_cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_host_resolved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *sd = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (addresses != NULL)
    {
      g_resolver_free_addresses (addresses);
      start_now (task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  /* The host name is not a secret (user info and keys are elsewhere in the URL). */
  if (sd->timed_out)
    g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                             "Bad rtmpUrl: the host %s did not resolve within %d s",
                             sd->host, RESOLVE_TIMEOUT_MS / 1000);
  else
    g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                             "Bad rtmpUrl: the host %s does not resolve", sd->host);
}

/* The host of @request's destination when it is a name to look up; NULL for an address,
 * or a URL that cb_engine_push_start() will refuse anyway. */
static char *
host_to_resolve (CbEngine            *self,
                 const CbPushRequest *request)
{
  CbSettings *settings = cb_engine_get_settings (self);
  gboolean full_url = request->full_url >= 0 ? request->full_url
                      : cb_settings_get_bool (settings, "rtmp_transponder_full_url");
  g_autofree char *url = cb_push_url_with_application (request->rtmp_url,
                                                       request->application_name, full_url);
  g_autoptr(CbRtmpUrl) parsed = url ? cb_rtmp_url_parse_wcs (url, request->stream_name, NULL,
                                                             full_url, NULL)
                                    : NULL;

  /* With a backupUrl, a main URL that does not answer is the agent's business. */
  if (parsed == NULL || g_hostname_is_ip_address (parsed->host) ||
      (request->backup_url != NULL && *request->backup_url != '\0'))
    return NULL;
  return g_strdup (parsed->host);
}

void
cb_engine_push_start_async (CbEngine            *self,
                            const CbPushRequest *request,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = NULL;
  StartData *sd;
  const char *strings[] = { request->stream_name, request->rtmp_url, request->application_name,
                            request->backup_url, request->flash_version, request->sound_file,
                            NULL };

  g_return_if_fail (CB_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cb_engine_push_start_async);
  sd = g_new0 (StartData, 1);
  sd->request = *request;
  /* Copies: the caller's strings may not outlive this call. NULLs stay NULL. */
  G_STATIC_ASSERT (G_N_ELEMENTS (strings) == N_START_STRINGS + 1);
  sd->strings = g_new0 (char *, N_START_STRINGS);
  for (guint i = 0; i + 1 < G_N_ELEMENTS (strings); i++)
    sd->strings[i] = g_strdup (strings[i]);
  sd->request.stream_name = sd->strings[0];
  sd->request.rtmp_url = sd->strings[1];
  sd->request.application_name = sd->strings[2];
  sd->request.backup_url = sd->strings[3];
  sd->request.flash_version = sd->strings[4];
  sd->request.sound_file = sd->strings[5];
  g_task_set_task_data (task, sd, start_data_free);

  sd->host = host_to_resolve (self, &sd->request);
  if (sd->host == NULL)
    {
      start_now (task);
      return;
    }
  /* Our own: the timeout cancels the lookup, not the caller's operation. */
  sd->lookup_cancellable = g_cancellable_new ();
  sd->timeout = g_timeout_source_new (RESOLVE_TIMEOUT_MS);
  g_source_set_callback (sd->timeout, on_resolve_timeout, sd, NULL);
  g_source_attach (sd->timeout, g_task_get_context (task));
  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, sd->host, sd->lookup_cancellable, on_host_resolved,
                                   g_steal_pointer (&task));
}

CbPushAgent *
cb_engine_push_start_finish (CbEngine      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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

static GPtrArray *
find_in (GHashTable *table,
         const char *media_session_id,
         const char *stream_name,
         const char *rtmp_url)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if ((media_session_id == NULL ||
         g_str_equal (media_session_id, cb_push_agent_get_id (value))) &&
        cb_push_agent_matches (value, stream_name, rtmp_url))
      g_ptr_array_add (out, g_object_ref (value));
  return out;
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
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  return find_in (cb_engine_get_push_table (self), NULL, stream_name, rtmp_url);
}

GPtrArray *
cb_engine_find_stopped_pushes (CbEngine   *self,
                               const char *media_session_id,
                               const char *stream_name,
                               const char *rtmp_url)
{
  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  return find_in (cb_engine_get_stopped_push_table (self), media_session_id, stream_name,
                  rtmp_url);
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
    remove_stopped (self, agent);
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
  g_hash_table_remove_all (cb_engine_get_stopped_push_table (self));
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
