/* cb-rest-pull.c — the WCS pull verbs for WebRTC relays
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /pull/push publishes a local stream to another server over WebRTC (WCS, another
 * Castbridge, or a WHIP endpoint); /pull/pull plays a stream of another server (WCS,
 * another Castbridge, or a WHEP endpoint) into a local stream; /pull/find_all lists
 * relays; /pull/terminate stops them.
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

const CbRestField cb_rest_pull_pull_fields[] = {
  { "uri",              CB_JSON_STRING, TRUE,  2048 },
  { "localStreamName",  CB_JSON_STRING, FALSE, 0 },
  { "remoteStreamName", CB_JSON_STRING, FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_pull_terminate_fields[] = {
  { "uri",              CB_JSON_STRING, FALSE, 2048 },
  { "localStreamName",  CB_JSON_STRING, FALSE, 0 },
  { "remoteStreamName", CB_JSON_STRING, FALSE, 0 },
  { NULL }
};

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
  /* WCS calls a relay that runs PROCESSED_REMOTE; Castbridge's own status beside it. */
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, g_strcmp0 (info->status, "PUBLISHING") == 0 ||
                                    g_strcmp0 (info->status, "PLAYING") == 0
                                    ? "PROCESSED_REMOTE" : info->status);
  json_builder_set_member_name (b, "state");
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
  g_autoptr(CbRelayInfo) info = cb_engine_relay_push (engine, cb_rest_get_string (request, "uri"),
                                                      cb_rest_get_string (request, "localStreamName"),
                                                      cb_rest_get_string (request, "remoteStreamName"),
                                                      error);

  if (info == NULL)
    return FALSE;
  *answer = relay_json (info);
  return TRUE;
}

gboolean
cb_rest_pull_pull (CbEngine    *engine,
                   JsonObject  *request,
                   JsonNode   **answer,
                   GError     **error)
{
  const char *local = cb_rest_get_string (request, "localStreamName");
  const char *remote = cb_rest_get_string (request, "remoteStreamName");
  g_autoptr(CbRelayInfo) info = NULL;

  if ((local == NULL || *local == '\0') && (remote == NULL || *remote == '\0'))
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Give remoteStreamName (and localStreamName for another local name)");
      return FALSE;
    }
  info = cb_engine_relay_pull (engine, cb_rest_get_string (request, "uri"), local, remote, error);
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

  return cb_rest_answer_list (relays, (JsonNode *(*) (gconstpointer)) relay_json, "Relay not found",
                              answer, error);
}

gboolean
cb_rest_pull_terminate (CbEngine    *engine,
                        JsonObject  *request,
                        JsonNode   **answer,
                        GError     **error)
{
  const char *uri = cb_rest_get_string (request, "uri");
  const char *local = cb_rest_get_string (request, "localStreamName");
  const char *remote = cb_rest_get_string (request, "remoteStreamName");

  if (uri == NULL && local == NULL && remote == NULL)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Give localStreamName and remoteStreamName, or uri");
      return FALSE;
    }
  return cb_engine_relay_terminate (engine, uri, local, remote, error);
}
