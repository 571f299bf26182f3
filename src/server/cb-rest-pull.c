/* cb-rest-pull.c — the WCS pull verbs for WebRTC relays
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /pull/push publishes a local stream to another server over WebRTC (WCS, another
 * Castbridge, or a WHIP endpoint); /pull/find_all lists relays; /pull/terminate stops them.
 */
#include "cb-rest-pull.h"

#include "cb-relay.h"
#include "cb-server.h"

const CbRestField cb_rest_pull_push_fields[] = {
  { "uri",              CB_JSON_STRING, TRUE,  2048 },
  { "localStreamName",  CB_JSON_STRING, TRUE,  0 },
  { "remoteStreamName", CB_JSON_STRING, FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_pull_terminate_fields[] = {
  { "uri",              CB_JSON_STRING, FALSE, 2048 },
  { "localStreamName",  CB_JSON_STRING, FALSE, 0 },
  { "remoteStreamName", CB_JSON_STRING, FALSE, 0 },
  { NULL }
};

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

static JsonNode *
relay_json (const CbRelayInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "localMediaSessionId");
  json_builder_add_string_value (b, info->local_media_session_id);
  json_builder_set_member_name (b, "remoteMediaSessionId");
  json_builder_add_string_value (b, info->remote_media_session_id);
  json_builder_set_member_name (b, "localStreamName");
  json_builder_add_string_value (b, info->local_stream_name);
  json_builder_set_member_name (b, "remoteStreamName");
  json_builder_add_string_value (b, info->remote_stream_name);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, info->uri);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, info->status);
  json_builder_set_member_name (b, "info");
  json_builder_add_string_value (b, info->info ? info->info : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
cb_rest_pull_push (CbEngine    *engine,
                   JsonObject  *request,
                   JsonNode   **answer,
                   GError     **error)
{
  g_autoptr(CbRelayInfo) info = cb_engine_relay_push (engine, get_string (request, "uri"),
                                                      get_string (request, "localStreamName"),
                                                      get_string (request, "remoteStreamName"),
                                                      error);

  if (info == NULL)
    return FALSE;
  *answer = relay_json (info);
  return TRUE;
}

gboolean
cb_rest_pull_find_all (CbEngine    *engine,
                       JsonObject  *request,
                       JsonNode   **answer,
                       GError     **error)
{
  g_autoptr(GPtrArray) relays = cb_engine_list_relays (engine);
  JsonArray *array;

  if (relays->len == 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "No relay");
      return FALSE;
    }
  array = json_array_new ();
  for (guint i = 0; i < relays->len; i++)
    json_array_add_element (array, relay_json (g_ptr_array_index (relays, i)));
  *answer = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (*answer, array);
  return TRUE;
}

gboolean
cb_rest_pull_terminate (CbEngine    *engine,
                        JsonObject  *request,
                        JsonNode   **answer,
                        GError     **error)
{
  const char *uri = get_string (request, "uri");
  const char *local = get_string (request, "localStreamName");
  const char *remote = get_string (request, "remoteStreamName");

  if (uri == NULL && local == NULL && remote == NULL)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Give localStreamName and remoteStreamName, or uri");
      return FALSE;
    }
  return cb_engine_relay_terminate (engine, uri, local, remote, error);
}
