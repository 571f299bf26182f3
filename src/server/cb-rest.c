/* cb-rest.c — the REST verbs: tables, handlers and dispatch, free of HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every verb is a row: a path, a validation table and a handler that calls the same
 * engine operation the GUI calls. Errors are GErrors mapped in cb-error-map.c.
 */
#include "config.h"

#include "cb-rest.h"

#include "cb-error-map.h"
#include "cb-rest-json.h"
#include "cb-rest-pull-rtmp.h"
#include "cb-rest-pull.h"
#include "cb-rest-push.h"
#include "cb-rest-record.h"
#include "cb-rest-vod.h"
#include "cb-snapshot.h"
#include "cb-server.h"

/* WCS verbs take extra members (clients send whole stream objects back): keep them.
 * Castbridge's own verbs are strict, so that a typo is a 400, not a silent default. */

static const CbRestField no_fields[] = {
  { NULL }
};

static const CbRestField stream_find_fields[] = {
  { "name",           CB_JSON_STRING,  FALSE, 0 },
  { "mediaSessionId", CB_JSON_STRING,  FALSE, 0 },
  { "published",      CB_JSON_BOOLEAN, FALSE, 0 },
  { "status",         CB_JSON_STRING,  FALSE, 64 },
  { NULL }
};

static const CbRestField stream_terminate_fields[] = {
  { "mediaSessionId", CB_JSON_STRING,  FALSE, 0 },
  { "name",           CB_JSON_STRING,  FALSE, 0 },
  { NULL }
};

static const CbRestField source_publish_fields[] = {
  { "name",           CB_JSON_STRING,  TRUE,  0 },
  { "source",         CB_JSON_STRING,  TRUE,  0 },
  { NULL }
};

static const CbRestField source_unpublish_fields[] = {
  { "name",           CB_JSON_STRING,  TRUE,  0 },
  { NULL }
};

static gboolean
answer_streams (GPtrArray  *streams,
                JsonNode  **answer,
                GError    **error)
{
  if (streams == NULL || streams->len == 0)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND,
                           "Stream not found");
      return FALSE;
    }

  *answer = cb_rest_json_stream_array (streams);
  return TRUE;
}

static gboolean
stream_find_all (CbEngine    *engine,
                 JsonObject  *request,
                 JsonNode   **answer,
                 GError     **error)
{
  g_autoptr(GPtrArray) streams = cb_engine_list_streams (engine);

  return answer_streams (streams, answer, error);
}

static gboolean
stream_find (CbEngine    *engine,
             JsonObject  *request,
             JsonNode   **answer,
             GError     **error)
{
  g_autoptr(GPtrArray) streams = NULL;
  CbStreamFilter filter = { NULL, NULL, -1, NULL };
  CbStreamStatus status;
  JsonNode *published;

  filter.name = cb_rest_get_string (request, "name");
  filter.media_session_id = cb_rest_get_string (request, "mediaSessionId");
  filter.status = cb_rest_get_string (request, "status");

  published = json_object_get_member (request, "published");
  if (published != NULL && !JSON_NODE_HOLDS_NULL (published))
    filter.published = json_node_get_boolean (published) ? 1 : 0;

  if (filter.status != NULL && !cb_stream_status_from_string (filter.status, &status))
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Field 'status' is not a stream status");
      return FALSE;
    }

  streams = cb_engine_find_streams (engine, &filter);
  return answer_streams (streams, answer, error);
}

static gboolean
stream_terminate (CbEngine    *engine,
                  JsonObject  *request,
                  JsonNode   **answer,
                  GError     **error)
{
  const char *media_session_id = cb_rest_get_string (request, "mediaSessionId");
  const char *name = cb_rest_get_string (request, "name");

  if (media_session_id == NULL && name == NULL)
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Missing required field 'mediaSessionId' (or 'name')");
      return FALSE;
    }

  return cb_engine_terminate (engine, media_session_id, name, error);
}

static gboolean
source_publish (CbEngine    *engine,
                JsonObject  *request,
                JsonNode   **answer,
                GError     **error)
{
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(CbStreamInfo) info = NULL;

  stream = cb_engine_publish_network_source (engine,
                                             cb_rest_get_string (request, "name"),
                                             cb_rest_get_string (request, "source"),
                                             error);
  if (stream == NULL)
    return FALSE;

  info = cb_stream_get_snapshot (stream);
  *answer = cb_rest_json_stream (info);
  return TRUE;
}

static gboolean
source_unpublish (CbEngine    *engine,
                  JsonObject  *request,
                  JsonNode   **answer,
                  GError     **error)
{
  return cb_engine_unpublish (engine, cb_rest_get_string (request, "name"), error);
}

static const CbRestField stream_snapshot_fields[] = {
  { "streamName",     CB_JSON_STRING,  TRUE,  0 },
  { NULL }
};

typedef struct {
  CbRestReply reply;
  gpointer    data;
} SnapshotReply;

static void
on_snapshot_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SnapshotReply *sr = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = cb_engine_snapshot_finish (CB_ENGINE (source), result, &error);
  static const CbRestVerb snapshot_verb = { "stream/snapshot" };
  JsonNode *answer = NULL;
  guint status = 200;

  if (png == NULL)
    status = cb_rest_error_answer (&snapshot_verb, error, &answer);
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
      g_autofree char *data = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "data");
      json_builder_add_string_value (b, data);
      json_builder_end_object (b);
      answer = json_builder_get_root (b);
    }
  sr->reply (status, answer, sr->data);
  g_free (sr);
}

static void
stream_snapshot (CbEngine    *engine,
                 JsonObject  *request,
                 CbRestReply  reply,
                 gpointer     data)
{
  SnapshotReply *sr = g_new0 (SnapshotReply, 1);

  sr->reply = reply;
  sr->data = data;
  cb_engine_snapshot_async (engine, cb_rest_get_string (request, "streamName"), NULL, on_snapshot_done, sr);
}

static const CbRestVerb verbs[] = {
  { "stream/find_all",            { no_fields,               FALSE }, stream_find_all },
  { "stream/find",                { stream_find_fields,      FALSE }, stream_find },
  { "stream/terminate",           { stream_terminate_fields, FALSE }, stream_terminate },
  { "stream/snapshot",            { stream_snapshot_fields,  FALSE }, NULL, stream_snapshot },
  { "stream/startRecording",      { cb_rest_record_id_fields,        FALSE }, cb_rest_record_start },
  { "stream/stopRecording",       { cb_rest_record_id_fields,        FALSE }, cb_rest_record_stop },
  { "recorder/startup",           { cb_rest_recorder_startup_fields, FALSE }, cb_rest_recorder_startup },
  { "recorder/terminate",         { cb_rest_record_id_fields,        FALSE }, cb_rest_record_stop },
  { "recorder/find_all",          { no_fields,                       FALSE }, cb_rest_recorder_find_all },
  { "castbridge/recordings/find_all", { no_fields,                   TRUE  }, cb_rest_recordings_find_all },
  { "castbridge/recordings/delete",   { cb_rest_recordings_file_fields, TRUE }, cb_rest_recordings_delete },
  { "castbridge/source/publish",  { source_publish_fields,   TRUE  }, source_publish },
  { "castbridge/source/unpublish", { source_unpublish_fields, TRUE  }, source_unpublish },
  { "push/startup",               { cb_rest_push_startup_fields, FALSE }, NULL, cb_rest_push_startup },
  { "push/find",                  { cb_rest_push_find_fields,    FALSE }, cb_rest_push_find },
  { "push/find_all",              { no_fields,                   FALSE }, cb_rest_push_find_all },
  { "push/terminate",             { cb_rest_push_id_fields,      FALSE }, cb_rest_push_terminate },
  { "push/mute",                  { cb_rest_push_id_fields,      FALSE }, cb_rest_push_mute },
  { "push/unmute",                { cb_rest_push_id_fields,      FALSE }, cb_rest_push_unmute },
  { "push/sound_on",              { cb_rest_push_sound_on_fields, FALSE }, cb_rest_push_sound_on },
  { "push/sound_off",             { cb_rest_push_id_fields,      FALSE }, cb_rest_push_sound_off },
  { "castbridge/push/retry",      { cb_rest_push_id_fields,      TRUE  }, cb_rest_push_retry },
  { "pull/push",                  { cb_rest_pull_push_fields,      FALSE }, cb_rest_pull_push },
  { "pull/pull",                  { cb_rest_pull_pull_fields,      FALSE }, cb_rest_pull_pull },
  { "pull/find_all",              { no_fields,                     FALSE }, cb_rest_pull_find_all },
  { "pull/terminate",             { cb_rest_pull_terminate_fields, FALSE }, cb_rest_pull_terminate },
  { "pull/rtmp/pull",             { cb_rest_pull_rtmp_pull_fields,      FALSE }, cb_rest_pull_rtmp_pull },
  { "pull/rtmp/find_all",         { no_fields,                          FALSE }, cb_rest_pull_rtmp_find_all },
  { "pull/rtmp/terminate",        { cb_rest_pull_rtmp_terminate_fields, FALSE }, cb_rest_pull_rtmp_terminate },
  { "vod/startup",                { cb_rest_vod_startup_fields,   FALSE }, NULL, cb_rest_vod_startup },
  { "vod/find",                   { cb_rest_vod_find_fields,      FALSE }, cb_rest_vod_find },
  { "vod/find_all",               { no_fields,                    FALSE }, cb_rest_vod_find_all },
  { "vod/terminate",              { cb_rest_vod_terminate_fields, FALSE }, cb_rest_vod_terminate },
};

const CbRestVerb *
cb_rest_get_verbs (guint *n_verbs)
{
  if (n_verbs != NULL)
    *n_verbs = G_N_ELEMENTS (verbs);
  return verbs;
}

const CbRestVerb *
cb_rest_lookup_verb (const char *path)
{
  if (path == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (g_str_equal (verbs[i].path, path))
        return &verbs[i];
    }
  return NULL;
}

guint
cb_rest_call (CbEngine          *engine,
              const CbRestVerb  *verb,
              const char        *body,
              gsize              length,
              JsonNode         **answer)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_return_val_if_fail (CB_IS_ENGINE (engine), 500);
  g_return_val_if_fail (verb != NULL && verb->handler != NULL, 500);
  g_return_val_if_fail (answer != NULL && *answer == NULL, 500);

  request = cb_rest_validate_body (&verb->schema, body, length, &error);
  if (request != NULL && verb->handler (engine, request, &result, &error))
    {
      *answer = g_steal_pointer (&result);
      return 200;
    }

  if (error == NULL)
    {
      g_warning ("REST %s failed without an error", verb->path);
      g_set_error_literal (&error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Internal error");
    }
  return cb_rest_error_answer (verb, error, answer);
}

guint
cb_rest_error_answer (const CbRestVerb *verb,
                      const GError     *error,
                      JsonNode        **answer)
{
  guint status = cb_error_map_http_status (error);

  if (status >= 500)
    g_warning ("REST %s: %s", verb->path, error->message);
  else
    g_debug ("REST %s: %u %s", verb->path, status, error->message);

  *answer = cb_rest_json_error (status, error->message, cb_error_map_wcs_info (error));
  return status;
}

typedef struct {
  const CbRestVerb *verb;
  CbRestFinishFunc  finish;
  CbRestReply       reply;
  gpointer          data;
} Held;

gpointer
cb_rest_hold (const CbRestVerb *verb,
              CbRestFinishFunc  finish,
              CbRestReply       reply,
              gpointer          data)
{
  Held *held = g_new (Held, 1);

  *held = (Held) { verb, finish, reply, data };
  return held;
}

void
cb_rest_answer_later (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Held *held = data;
  g_autoptr(GError) error = NULL;
  JsonNode *answer = NULL;
  guint status = 200;

  if (!held->finish (source, result, &answer, &error))
    {
      g_clear_pointer (&answer, json_node_unref);
      status = cb_rest_error_answer (held->verb, error, &answer);
    }
  held->reply (status, answer, held->data);
  g_free (held);
}

void
cb_rest_call_async (CbEngine         *engine,
                    const CbRestVerb *verb,
                    const char       *body,
                    gsize             length,
                    CbRestReply       reply,
                    gpointer          data)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *answer = NULL;
  guint status;

  if (verb->async_handler == NULL)
    {
      status = cb_rest_call (engine, verb, body, length, &answer);
      reply (status, answer, data);
      return;
    }
  request = cb_rest_validate_body (&verb->schema, body, length, &error);
  if (request == NULL)
    {
      status = cb_rest_error_answer (verb, error, &answer);
      reply (status, answer, data);
      return;
    }
  verb->async_handler (engine, request, reply, data);
}

const char *
cb_rest_get_string (JsonObject *object,
                    const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
cb_rest_get_int (JsonObject *object,
                 const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return 0;
  value = json_node_get_double (node);
  if (value >= 9.2e18 || value <= -9.2e18)
    return value > 0 ? G_MAXINT64 : G_MININT64;
  return (gint64) value;
}

gboolean
cb_rest_answer_list (GPtrArray   *items,
                     JsonNode  *(*to_json) (gconstpointer item),
                     const char  *none,
                     JsonNode   **answer,
                     GError     **error)
{
  JsonArray *array;

  if (items == NULL || items->len == 0)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, none);
      return FALSE;
    }
  array = json_array_new ();
  for (guint i = 0; i < items->len; i++)
    json_array_add_element (array, to_json (g_ptr_array_index (items, i)));
  *answer = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (*answer, array);
  return TRUE;
}

JsonNode *
cb_rest_health (CbEngine *engine)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gint64 uptime;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  uptime = (g_get_monotonic_time () - cb_engine_get_start_time (engine)) / G_USEC_PER_SEC;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "uptime");
  json_builder_add_int_value (builder, MAX (uptime, 0));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
