/* cb-rest-vod.c — the WCS /vod verbs: MP4 files played as streams
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /vod/startup starts a shared (vod-live://) reader under a name of its own; find,
 * find_all and terminate see both kinds, as in WCS. Viewers play "vod://file.mp4" and
 * "vod-live://file.mp4" (or the startup's name) like any stream.
 */
#include "cb-rest-vod.h"

#include "cb-engine.h"

const CbRestField cb_rest_vod_startup_fields[] = {
  { "uri",             CB_JSON_STRING,  TRUE,  0 },
  { "localStreamName", CB_JSON_STRING,  FALSE, 0 },
  { "loop",            CB_JSON_BOOLEAN, FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_vod_find_fields[] = {
  { "localStreamName", CB_JSON_STRING,  FALSE, 0 },
  { "uri",             CB_JSON_STRING,  FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_vod_terminate_fields[] = {
  { "uri",             CB_JSON_STRING,  FALSE, 0 },
  { "localStreamName", CB_JSON_STRING,  FALSE, 0 },
  { NULL }
};

JsonNode *
cb_rest_json_vod (const CbVodInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "localMediaSessionId");
  json_builder_add_string_value (b, info->local_media_session_id);
  json_builder_set_member_name (b, "localStreamName");
  json_builder_add_string_value (b, info->local_stream_name);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, info->uri);
  /* WCS's REST status of a stream read from a local file, whatever its stream status. */
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, cb_stream_status_to_string (CB_STREAM_PROCESSED_LOCAL));
  json_builder_set_member_name (b, "hasAudio");
  json_builder_add_boolean_value (b, info->has_audio);
  json_builder_set_member_name (b, "hasVideo");
  json_builder_add_boolean_value (b, info->has_video);
  json_builder_set_member_name (b, "loop");
  json_builder_add_boolean_value (b, info->loop);
  json_builder_set_member_name (b, "record");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* WCS answers a started VOD with an empty body, like a started pull. */
static gboolean
vod_started (GObject       *source,
             GAsyncResult  *result,
             JsonNode     **answer,
             GError       **error)
{
  g_autoptr(CbStream) stream = cb_engine_vod_startup_finish (CB_ENGINE (source), result, error);

  return stream != NULL;
}

/* Answered once the file is read, so that "File has wrong format" is this call's 400. */
void
cb_rest_vod_startup (CbEngine    *engine,
                     JsonObject  *request,
                     CbRestReply  reply,
                     gpointer     data)
{
  static const CbRestVerb startup_verb = { "vod/startup" };
  JsonNode *loop = json_object_get_member (request, "loop");

  cb_engine_vod_startup_async (engine, cb_rest_get_string (request, "uri"),
                               cb_rest_get_string (request, "localStreamName"),
                               loop != NULL && !JSON_NODE_HOLDS_NULL (loop)
                               ? json_node_get_boolean (loop) : -1,
                               NULL, cb_rest_answer_later,
                               cb_rest_hold (&startup_verb, vod_started, reply, data));
}

gboolean
cb_rest_vod_find (CbEngine    *engine,
                  JsonObject  *request,
                  JsonNode   **answer,
                  GError     **error)
{
  g_autoptr(GPtrArray) found = cb_engine_vod_find (engine,
                                                   cb_rest_get_string (request, "localStreamName"),
                                                   cb_rest_get_string (request, "uri"));

  return cb_rest_answer_list (found, (JsonNode *(*) (gconstpointer)) cb_rest_json_vod,
                              "VOD stream not found", answer, error);
}

gboolean
cb_rest_vod_find_all (CbEngine    *engine,
                      JsonObject  *request,
                      JsonNode   **answer,
                      GError     **error)
{
  g_autoptr(GPtrArray) found = cb_engine_vod_find (engine, NULL, NULL);

  return cb_rest_answer_list (found, (JsonNode *(*) (gconstpointer)) cb_rest_json_vod,
                              "VOD stream not found", answer, error);
}

gboolean
cb_rest_vod_terminate (CbEngine    *engine,
                       JsonObject  *request,
                       JsonNode   **answer,
                       GError     **error)
{
  return cb_engine_vod_terminate (engine, cb_rest_get_string (request, "uri"),
                                  cb_rest_get_string (request, "localStreamName"), error);
}
