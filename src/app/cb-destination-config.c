/* cb-destination-config.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * JSON, so that people can read what is kept about them: services, servers, stream
 * names and profiles. Stream keys go to the secret store and the file only says whether
 * one is there; so do servers' URLs that hold a password or a token, which the file
 * keeps masked.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cb-destination-config.h"
#include "cb-destination-presets.h"

#define FORMAT_VERSION 1

void
cb_destination_record_free (CbDestinationRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->preset_id);
  g_free (record->server);
  g_free (record->stream_name);
  g_free (record);
}

CbDestinationRecord *
cb_destination_record_new_from_destination (CbDestination *destination)
{
  CbDestinationRecord *record;
  const char *server, *key;

  g_return_val_if_fail (CB_IS_DESTINATION (destination), NULL);
  g_return_val_if_fail (!cb_destination_is_external (destination), NULL);

  record = g_new0 (CbDestinationRecord, 1);
  record->id = g_strdup (cb_destination_get_id (destination));
  record->preset_id = g_strdup (cb_destination_get_preset_id (destination));
  server = cb_destination_get_server (destination);
  key = cb_destination_get_key (destination);
  record->server_secret = cb_destination_server_has_secret (server, key);
  record->server = record->server_secret ? cb_destination_mask_server (server, key)
                                         : g_strdup (server);
  record->stream_name = g_strdup (cb_destination_get_stream_name (destination));
  cb_destination_get_profile (destination, &record->profile);
  record->enabled = cb_destination_get_enabled (destination);
  if (cb_destination_get_key_storage (destination) == CB_KEY_STORED)
    record->key = CB_RECORD_KEY_SECRET_STORE;
  else if (cb_destination_has_key (destination) ||
           cb_destination_get_key_storage (destination) != CB_KEY_NONE)
    record->key = CB_RECORD_KEY_NOT_REMEMBERED;
  else
    record->key = CB_RECORD_KEY_NONE;
  return record;
}

char *
cb_destination_config_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "castbridge", "destinations.json", NULL);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static int
get_int (JsonObject *object,
         const char *member,
         int         fallback,
         int         min,
         int         max)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  value = json_node_get_int (node);
  return (int) CLAMP (value, min, max);
}

static gboolean
get_bool (JsonObject *object,
          const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

GPtrArray *
cb_destination_config_parse (const char  *data,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonNode *list;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Not JSON: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_member (json_node_get_object (root), "destinations")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "No \"destinations\" list");
      return NULL;
    }

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_destination_record_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (list), i);
      JsonObject *object, *profile;
      JsonNode *profile_node;
      CbDestinationRecord *record;
      const char *id, *server;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      id = get_string (object, "id");
      server = get_string (object, "server");
      if (id == NULL || *id == '\0' || server == NULL || *server == '\0')
        continue;

      record = g_new0 (CbDestinationRecord, 1);
      record->id = g_strdup (id);
      record->preset_id = g_strdup (get_string (object, "preset"));
      record->server = g_strdup (server);
      record->server_secret = get_bool (object, "serverSecret");
      record->stream_name = g_strdup (get_string (object, "stream"));
      record->enabled = get_bool (object, "enabled");
      if (g_strcmp0 (get_string (object, "key"), "secret-store") == 0)
        record->key = CB_RECORD_KEY_SECRET_STORE;
      else if (g_strcmp0 (get_string (object, "key"), "none") == 0)
        record->key = CB_RECORD_KEY_NONE;
      else
        record->key = CB_RECORD_KEY_NOT_REMEMBERED;

      profile_node = json_object_get_member (object, "profile");
      profile = profile_node != NULL && JSON_NODE_HOLDS_OBJECT (profile_node)
                  ? json_node_get_object (profile_node) : NULL;
      cb_destination_profile_init (&record->profile);
      record->profile.transcode = get_bool (profile, "transcode");
      record->profile.height = get_int (profile, "height", 0, 0, 4320);
      record->profile.fps = get_int (profile, "fps", 0, 0, 240);
      record->profile.bitrate = get_int (profile, "bitrate", 0, 0, 100000);
      record->profile.keyframe_seconds = get_int (profile, "keyframeSeconds",
                                                  CB_DESTINATION_DEFAULT_KEYFRAME_SECONDS, 1, 60);
      g_ptr_array_add (records, record);
    }
  return g_steal_pointer (&records);
}

char *
cb_destination_config_serialize (GPtrArray *records)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (records != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  json_builder_set_member_name (builder, "destinations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      const CbDestinationRecord *record = g_ptr_array_index (records, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, record->id);
      json_builder_set_member_name (builder, "preset");
      json_builder_add_string_value (builder, record->preset_id);
      json_builder_set_member_name (builder, "server");
      json_builder_add_string_value (builder, record->server);
      if (record->server_secret)
        {
          json_builder_set_member_name (builder, "serverSecret");
          json_builder_add_boolean_value (builder, TRUE);
        }
      json_builder_set_member_name (builder, "stream");
      json_builder_add_string_value (builder, record->stream_name);
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder, record->enabled);
      /* Where the key is, never the key. */
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder,
                                     record->key == CB_RECORD_KEY_SECRET_STORE ? "secret-store"
                                     : record->key == CB_RECORD_KEY_NONE ? "none"
                                     : "not-remembered");
      json_builder_set_member_name (builder, "profile");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "transcode");
      json_builder_add_boolean_value (builder, record->profile.transcode);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, record->profile.height);
      json_builder_set_member_name (builder, "fps");
      json_builder_add_int_value (builder, record->profile.fps);
      json_builder_set_member_name (builder, "bitrate");
      json_builder_add_int_value (builder, record->profile.bitrate);
      json_builder_set_member_name (builder, "keyframeSeconds");
      json_builder_add_int_value (builder, record->profile.keyframe_seconds);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}
