/* cb-rest-pull-rtmp.c — the WCS /pull/rtmp verbs: streams pulled from other RTMP servers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rest-pull-rtmp.h"

#include "cb-engine.h"
#include "cb-server.h"

const CbRestField cb_rest_pull_rtmp_pull_fields[] = {
  { "uri",             CB_JSON_STRING,  TRUE,  0 },
  { "localStreamName", CB_JSON_STRING,  FALSE, 0 },
  { "record",          CB_JSON_BOOLEAN, FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_pull_rtmp_terminate_fields[] = {
  { "uri",             CB_JSON_STRING,  TRUE,  0 },
  { NULL }
};

JsonNode *
cb_rest_json_pull_rtmp (const CbRtmpPullInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, info->uri);
  json_builder_set_member_name (b, "localStreamName");
  json_builder_add_string_value (b, info->local_stream_name);
  json_builder_set_member_name (b, "localMediaSessionId");
  json_builder_add_string_value (b, info->local_media_session_id);
  /* WCS's status of a stream pulled from another server; Castbridge's own state beside. */
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, info->state == CB_RTMP_PULL_PLAYING ? "PROCESSED_REMOTE"
                                                                       : "PENDING");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, cb_rtmp_pull_state_to_string (info->state));
  json_builder_set_member_name (b, "hasAudio");
  json_builder_add_boolean_value (b, info->has_audio);
  json_builder_set_member_name (b, "hasVideo");
  json_builder_add_boolean_value (b, info->has_video);
  json_builder_set_member_name (b, "record");
  json_builder_add_boolean_value (b, info->record);
  json_builder_set_member_name (b, "reconnects");
  json_builder_add_int_value (b, info->reconnects);
  json_builder_set_member_name (b, "retryAt");
  json_builder_add_int_value (b, info->retry_at);
  json_builder_set_member_name (b, "bytesReceived");
  json_builder_add_int_value (b, (gint64) info->bytes_received);
  json_builder_set_member_name (b, "info");
  json_builder_add_string_value (b, info->last_error ? info->last_error : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* WCS answers the start of a pull with an empty body. */
gboolean
cb_rest_pull_rtmp_pull (CbEngine    *engine,
                        JsonObject  *request,
                        JsonNode   **answer,
                        GError     **error)
{
  JsonNode *record = json_object_get_member (request, "record");
  g_autoptr(CbRtmpPullInfo) info = NULL;

  info = cb_rtmp_pull_start (engine, cb_rest_get_string (request, "uri"),
                             cb_rest_get_string (request, "localStreamName"),
                             record != NULL && !JSON_NODE_HOLDS_NULL (record) &&
                             json_node_get_boolean (record),
                             error);
  return info != NULL;
}

gboolean
cb_rest_pull_rtmp_find_all (CbEngine    *engine,
                            JsonObject  *request,
                            JsonNode   **answer,
                            GError     **error)
{
  g_autoptr(GPtrArray) pulls = cb_rtmp_pull_list (engine);

  return cb_rest_answer_list (pulls, (JsonNode *(*) (gconstpointer)) cb_rest_json_pull_rtmp,
                              "Pull not found", answer, error);
}

gboolean
cb_rest_pull_rtmp_terminate (CbEngine    *engine,
                             JsonObject  *request,
                             JsonNode   **answer,
                             GError     **error)
{
  return cb_rtmp_pull_terminate (engine, cb_rest_get_string (request, "uri"), error);
}
