/* cb-rest-record.c — the WCS recording verbs (/stream/startRecording, /stream/stopRecording,
 * /recorder/…) and Castbridge's list of recordings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rest-record.h"

#include "cb-engine.h"
#include "cb-server.h"

const CbRestField cb_rest_record_id_fields[] = {
  { "mediaSessionId", CB_JSON_STRING, TRUE,  0 },
  { NULL }
};

const CbRestField cb_rest_recorder_startup_fields[] = {
  { "mediaSessionId", CB_JSON_STRING, TRUE,  0 },
  { "config",         CB_JSON_OBJECT, FALSE, 0 },
  { NULL }
};

const CbRestField cb_rest_recordings_file_fields[] = {
  { "fileName",       CB_JSON_STRING, TRUE,  255 },
  { NULL }
};

/* The members of `config` that /recorder/startup reads. */
static const CbRestField recorder_config_fields[] = {
  { "fileTemplate",   CB_JSON_STRING, FALSE, 1024 },
  { "rotation",       CB_JSON_STRING, FALSE, 32 },
  { NULL }
};

gboolean
cb_rest_record_start (CbEngine    *engine,
                      JsonObject  *request,
                      JsonNode   **answer,
                      GError     **error)
{
  return cb_engine_record_start (engine, cb_rest_get_string (request, "mediaSessionId"), NULL,
                                 error);
}

gboolean
cb_rest_record_stop (CbEngine    *engine,
                     JsonObject  *request,
                     JsonNode   **answer,
                     GError     **error)
{
  return cb_engine_record_stop (engine, cb_rest_get_string (request, "mediaSessionId"), error);
}

gboolean
cb_rest_recorder_startup (CbEngine    *engine,
                          JsonObject  *request,
                          JsonNode   **answer,
                          GError     **error)
{
  JsonNode *node = json_object_get_member (request, "config");
  JsonObject *config = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  static const CbRestSchema config_schema = { recorder_config_fields, FALSE };
  CbRecordConfig rc = { NULL, NULL };

  if (config != NULL)
    {
      if (!cb_rest_validate_object (&config_schema, config, error))
        return FALSE;
      rc.file_template = cb_rest_get_string (config, "fileTemplate");
      rc.rotation = cb_rest_get_string (config, "rotation");
    }
  return cb_engine_record_start (engine, cb_rest_get_string (request, "mediaSessionId"), &rc,
                                 error);
}

static JsonNode *
json_recorder (gconstpointer item)
{
  const CbRecordingInfo *info = item;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fileName");
  json_builder_add_string_value (b, info->file_name ? info->file_name : "");
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, info->media_session_id ? info->media_session_id : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
cb_rest_recorder_find_all (CbEngine    *engine,
                           JsonObject  *request,
                           JsonNode   **answer,
                           GError     **error)
{
  g_autoptr(GPtrArray) running = cb_engine_list_recordings (engine, TRUE);

  return cb_rest_answer_list (running, json_recorder, "Recorder not found", answer, error);
}

JsonNode *
cb_rest_json_recording (const CbRecordingInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *url = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fileName");
  json_builder_add_string_value (b, info->file_name ? info->file_name : "");
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, cb_recording_state_to_string (info->state));
  json_builder_set_member_name (b, "streamName");
  json_builder_add_string_value (b, info->stream_name ? info->stream_name : "");
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, info->media_session_id ? info->media_session_id : "");
  json_builder_set_member_name (b, "startTime");
  json_builder_add_int_value (b, info->start_time);
  json_builder_set_member_name (b, "duration");
  json_builder_add_double_value (b, info->duration);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) info->size);
  json_builder_set_member_name (b, "videoCodec");
  json_builder_add_string_value (b, info->video_codec ? info->video_codec : "");
  json_builder_set_member_name (b, "audioCodec");
  json_builder_add_string_value (b, info->audio_codec ? info->audio_codec : "");
  json_builder_set_member_name (b, "recoveredSeconds");
  json_builder_add_double_value (b, info->recovered_seconds);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, info->reason ? info->reason : "");
  /* Relative: the page or script that asked knows the host and port it used. */
  url = g_uri_escape_string (info->file_name ? info->file_name : "", NULL, FALSE);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
cb_rest_recordings_find_all (CbEngine    *engine,
                             JsonObject  *request,
                             JsonNode   **answer,
                             GError     **error)
{
  g_autoptr(GPtrArray) all = cb_engine_list_recordings (engine, FALSE);

  return cb_rest_answer_list (all, (JsonNode *(*) (gconstpointer)) cb_rest_json_recording,
                              "No recordings", answer, error);
}

gboolean
cb_rest_recordings_delete (CbEngine    *engine,
                           JsonObject  *request,
                           JsonNode   **answer,
                           GError     **error)
{
  return cb_engine_delete_recording (engine, cb_rest_get_string (request, "fileName"), error);
}
