/* cb-rest-push.c — the WCS push verbs: RTMP transponders
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rest-push.h"

#include "cb-engine.h"
#include "cb-server.h"

const CbRestField cb_rest_push_startup_fields[] = {
  { "streamName",             CB_JSON_STRING,  TRUE,  0 },
  { "rtmpUrl",                CB_JSON_STRING,  FALSE, 0 },
  { "rtmpTransponderFullUrl", CB_JSON_BOOLEAN, FALSE, 0 },
  { "rtmpFlashVersion",       CB_JSON_STRING,  FALSE, 128 },
  { "applicationName",        CB_JSON_STRING,  FALSE, 0 },
  { "backupUrl",              CB_JSON_STRING,  FALSE, 0 },
  { "width",                  CB_JSON_INTEGER, FALSE, 0 },
  { "height",                 CB_JSON_INTEGER, FALSE, 0 },
  { "bitrate",                CB_JSON_INTEGER, FALSE, 0 },
  { "fps",                    CB_JSON_INTEGER, FALSE, 0 },
  { "keyFrameInterval",       CB_JSON_INTEGER, FALSE, 0 },
  { "keyframeInterval",       CB_JSON_NUMBER,  FALSE, 0 },
  { "options",                CB_JSON_OBJECT,  FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_push_find_fields[] = {
  { "streamName",     CB_JSON_STRING,  FALSE, 0 },
  { "rtmpUrl",        CB_JSON_STRING,  FALSE, 0 },
  { "mediaSessionId", CB_JSON_STRING,  FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_push_id_fields[] = {
  { "mediaSessionId", CB_JSON_STRING,  TRUE,  0 },
  { NULL }
};

const CbRestField cb_rest_push_sound_on_fields[] = {
  { "mediaSessionId", CB_JSON_STRING,  TRUE,  0 },
  { "soundFile",      CB_JSON_STRING,  TRUE,  255 },
  { "loop",           CB_JSON_BOOLEAN, FALSE, 0 },
  { "replace",        CB_JSON_BOOLEAN, FALSE, 0 },
  { NULL }
};

static int
get_bool (JsonObject *object,
          const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return -1;
  return json_node_get_boolean (node);
}

static gboolean
check_range (const char  *name,
             gint64       value,
             gint64       max,
             GError     **error)
{
  if (value < 0 || value > max)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Field '%s' must be from 0 to %" G_GINT64_FORMAT, name, max);
      return FALSE;
    }
  return TRUE;
}

JsonNode *
cb_rest_json_push (const CbPushInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, info->media_session_id);
  /* As WCS: the name on the RTMP server, and the URL as the request gave it; neither
   * shows a secret (see CbPushInfo). The local stream is Castbridge's localStreamName. */
  json_builder_set_member_name (b, "streamName");
  json_builder_add_string_value (b, info->publish_name);
  json_builder_set_member_name (b, "localStreamName");
  json_builder_add_string_value (b, info->stream_name);
  json_builder_set_member_name (b, "rtmpUrl");
  json_builder_add_string_value (b, info->rtmp_url);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, info->profile.height > 0 ? info->width : info->profile.width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, info->profile.height > 0 ? info->height : 0);
  json_builder_set_member_name (b, "muted");
  json_builder_add_boolean_value (b, info->muted);
  json_builder_set_member_name (b, "soundEnabled");
  json_builder_add_boolean_value (b, info->sound_enabled);
  json_builder_set_member_name (b, "options");
  json_builder_begin_object (b);
  if (info->muted)
    {
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, "mute");
    }
  else if (info->sound_enabled)
    {
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, "sound_on");
      json_builder_set_member_name (b, "soundFile");
      json_builder_add_string_value (b, info->sound_file);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, cb_push_state_to_string (info->state));
  json_builder_set_member_name (b, "profile");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, info->profile.width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, info->profile.height);
  json_builder_set_member_name (b, "fps");
  json_builder_add_int_value (b, info->profile.fps);
  json_builder_set_member_name (b, "bitrate");
  json_builder_add_int_value (b, info->profile.bitrate);
  json_builder_set_member_name (b, "keyFrameInterval");
  json_builder_add_int_value (b, info->profile.keyframe_interval);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "keyframeInterval");
  json_builder_add_int_value (b, info->keyframe_seconds);
  json_builder_set_member_name (b, "reconnects");
  json_builder_add_int_value (b, info->reconnects);
  json_builder_set_member_name (b, "retryAt");
  json_builder_add_int_value (b, info->retry_at);
  json_builder_set_member_name (b, "bytesSent");
  json_builder_add_int_value (b, (gint64) info->bytes_sent);
  json_builder_set_member_name (b, "bytesAcknowledged");
  json_builder_add_int_value (b, (gint64) info->bytes_acked);
  json_builder_set_member_name (b, "bitrate");
  json_builder_add_int_value (b, info->bitrate);
  json_builder_set_member_name (b, "dropped");
  json_builder_add_int_value (b, (gint64) info->dropped);
  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->events->len; i++)
    {
      CbPushEvent *e = g_ptr_array_index (info->events, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, cb_push_event_type_to_string (e->type));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, e->reason);
      json_builder_set_member_name (b, "time");
      json_builder_add_int_value (b, e->time);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
agent_json (gconstpointer agent)
{
  g_autoptr(CbPushInfo) info = cb_push_agent_get_info ((CbPushAgent *) agent);

  return cb_rest_json_push (info);
}

static const CbRestVerb startup_verb = { "push/startup" };

static gboolean
push_started (GObject       *source,
              GAsyncResult  *result,
              JsonNode     **answer,
              GError       **error)
{
  g_autoptr(CbPushAgent) agent = cb_engine_push_start_finish (CB_ENGINE (source), result, error);
  g_autoptr(CbPushInfo) info = NULL;

  if (agent == NULL)
    return FALSE;
  info = cb_push_agent_get_info (agent);
  *answer = cb_rest_json_push (info);
  return TRUE;
}

/* Fills @req from @request (borrowing its strings). */
static gboolean
startup_request (CbEngine       *engine,
                 JsonObject     *request,
                 CbPushRequest  *req,
                 GError        **error)
{
  CbSettings *settings = cb_engine_get_settings (engine);
  JsonObject *options = NULL;
  JsonNode *options_node = json_object_get_member (request, "options");
  JsonNode *kf_seconds = json_object_get_member (request, "keyframeInterval");
  const char *action;
  gint64 width = cb_rest_get_int (request, "width");
  gint64 height = cb_rest_get_int (request, "height");
  gint64 fps = cb_rest_get_int (request, "fps");
  gint64 bitrate = cb_rest_get_int (request, "bitrate");
  gint64 kint = cb_rest_get_int (request, "keyFrameInterval");
  double seconds = 0;

  if (!check_range ("width", width, 7680, error) || !check_range ("height", height, 4320, error) ||
      !check_range ("fps", fps, 120, error) || !check_range ("bitrate", bitrate, 100000, error) ||
      !check_range ("keyFrameInterval", kint, 3000, error))
    return FALSE;
  /* Voximplant's keyframeInterval is in seconds (WCS's keyFrameInterval in frames). */
  if (kf_seconds != NULL && !JSON_NODE_HOLDS_NULL (kf_seconds))
    seconds = json_node_get_double (kf_seconds);
  if (seconds < 0 || seconds > 300)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Field 'keyframeInterval' must be from 0 to 300 (seconds)");
      return FALSE;
    }

  req->stream_name = cb_rest_get_string (request, "streamName");
  req->rtmp_url = cb_rest_get_string (request, "rtmpUrl");
  req->full_url = get_bool (request, "rtmpTransponderFullUrl");
  req->flash_version = cb_rest_get_string (request, "rtmpFlashVersion");
  req->application_name = cb_rest_get_string (request, "applicationName");
  req->backup_url = cb_rest_get_string (request, "backupUrl");
  req->keyframe_seconds = (int) (seconds + 0.5);
  /* Height switches transcoding on; width counts only with a height and when the aspect
   * ratio is not kept; width alone is ignored, as in WCS. */
  req->profile.height = (int) height;
  req->profile.width = height > 0 && !cb_settings_get_bool (settings, "transcoding_keep_aspect")
                       ? (int) width : 0;
  req->profile.fps = (int) fps;
  req->profile.bitrate = (int) bitrate;
  req->profile.keyframe_interval = (int) kint;

  if (options_node != NULL && JSON_NODE_HOLDS_OBJECT (options_node))
    options = json_node_get_object (options_node);
  action = cb_rest_get_string (options, "action");
  if (action != NULL)
    {
      if (g_str_equal (action, "mute"))
        req->muted = TRUE;
      else if (g_str_equal (action, "sound_on"))
        {
          req->sound_file = cb_rest_get_string (options, "soundFile");
          req->sound_loop = get_bool (options, "loop") == 1;
          req->sound_replace = get_bool (options, "replace") == 1;
          if (req->sound_file == NULL)
            {
              g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "options.soundFile is required with action sound_on");
              return FALSE;
            }
        }
      else
        {
          g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                       "options.action must be mute or sound_on");
          return FALSE;
        }
    }
  return TRUE;
}

/* Async: the destination's host name is resolved before the answer (400 if it does not). */
void
cb_rest_push_startup (CbEngine    *engine,
                      JsonObject  *request,
                      CbRestReply  reply,
                      gpointer     data)
{
  CbPushRequest req = { 0 };
  g_autoptr(GError) error = NULL;

  if (!startup_request (engine, request, &req, &error))
    {
      JsonNode *answer = NULL;
      guint status = cb_rest_error_answer (&startup_verb, error, &answer);

      reply (status, answer, data);
      return;
    }
  cb_engine_push_start_async (engine, &req, NULL, cb_rest_answer_later,
                              cb_rest_hold (&startup_verb, push_started, reply, data));
}

static gboolean
answer_pushes (GPtrArray  *agents,
               JsonNode  **answer,
               GError    **error)
{
  return cb_rest_answer_list (agents, agent_json, "Transponder not found", answer, error);
}

/* Live transponders first, then those stopped a short while ago (with StreamStopped). */
gboolean
cb_rest_push_find (CbEngine    *engine,
                   JsonObject  *request,
                   JsonNode   **answer,
                   GError     **error)
{
  const char *id = cb_rest_get_string (request, "mediaSessionId");
  const char *name = cb_rest_get_string (request, "streamName");
  const char *url = cb_rest_get_string (request, "rtmpUrl");
  g_autoptr(GPtrArray) agents = NULL;
  g_autoptr(GPtrArray) stopped = NULL;

  if (id != NULL)
    {
      g_autoptr(CbPushAgent) agent = cb_engine_lookup_push (engine, id);

      agents = g_ptr_array_new_with_free_func (g_object_unref);
      if (agent != NULL)
        g_ptr_array_add (agents, g_steal_pointer (&agent));
    }
  else
    agents = cb_engine_find_pushes (engine, name, url);
  stopped = cb_engine_find_stopped_pushes (engine, id, id != NULL ? NULL : name,
                                           id != NULL ? NULL : url);
  g_ptr_array_extend_and_steal (agents, g_steal_pointer (&stopped));
  return answer_pushes (agents, answer, error);
}

gboolean
cb_rest_push_find_all (CbEngine    *engine,
                       JsonObject  *request,
                       JsonNode   **answer,
                       GError     **error)
{
  g_autoptr(GPtrArray) agents = cb_engine_find_pushes (engine, NULL, NULL);

  g_ptr_array_extend_and_steal (agents, cb_engine_find_stopped_pushes (engine, NULL, NULL, NULL));
  return answer_pushes (agents, answer, error);
}

gboolean
cb_rest_push_terminate (CbEngine    *engine,
                        JsonObject  *request,
                        JsonNode   **answer,
                        GError     **error)
{
  return cb_engine_push_terminate (engine, cb_rest_get_string (request, "mediaSessionId"), error);
}

gboolean
cb_rest_push_mute (CbEngine    *engine,
                   JsonObject  *request,
                   JsonNode   **answer,
                   GError     **error)
{
  return cb_engine_push_set_muted (engine, cb_rest_get_string (request, "mediaSessionId"), TRUE, error);
}

gboolean
cb_rest_push_unmute (CbEngine    *engine,
                     JsonObject  *request,
                     JsonNode   **answer,
                     GError     **error)
{
  return cb_engine_push_set_muted (engine, cb_rest_get_string (request, "mediaSessionId"), FALSE, error);
}

gboolean
cb_rest_push_sound_on (CbEngine    *engine,
                       JsonObject  *request,
                       JsonNode   **answer,
                       GError     **error)
{
  return cb_engine_push_sound_on (engine, cb_rest_get_string (request, "mediaSessionId"),
                                  cb_rest_get_string (request, "soundFile"),
                                  get_bool (request, "loop") == 1,
                                  get_bool (request, "replace") == 1, error);
}

gboolean
cb_rest_push_sound_off (CbEngine    *engine,
                        JsonObject  *request,
                        JsonNode   **answer,
                        GError     **error)
{
  return cb_engine_push_sound_off (engine, cb_rest_get_string (request, "mediaSessionId"), error);
}

gboolean
cb_rest_push_retry (CbEngine    *engine,
                    JsonObject  *request,
                    JsonNode   **answer,
                    GError     **error)
{
  return cb_engine_push_retry_now (engine, cb_rest_get_string (request, "mediaSessionId"), error);
}
