/* cb-ws-media.c — the stream messages of the WCS WebSocket protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * publishStream / playStream answer with setRemoteSDP and then follow the stream's
 * status with notifyStreamStatusEvent; unPublishStream / stopStream end them; a closed
 * socket ends all of the session's streams. Every field comes from the network: checked,
 * never asserted.
 */
#include "config.h"

#include "cb-ws-media.h"

#include "cb-error-map.h"
#include "cb-rest.h"
#include "cb-rest-json.h"
#include "cb-snapshot.h"
#include "cb-webrtc-endpoint.h"

typedef struct {
  CbWsMedia      *media;        /* weak: the media object outlives its entries */
  CbStream       *stream;
  gulong          changed_id;
  CbStreamStatus  last_sent;
  gboolean        final_sent;
} Entry;

struct _CbWsMedia
{
  GObject      parent_instance;

  CbEngine    *engine;
  CbWsSession *session;         /* weak: the session owns us */
  char        *remote;
  GHashTable  *entries;         /* mediaSessionId → Entry* */
  gboolean     closed;
};

G_DEFINE_FINAL_TYPE (CbWsMedia, cb_ws_media, G_TYPE_OBJECT)

/* Every live session's media, to reach the players of a stream. Used on the server's
 * context only. */
static GPtrArray *all_media;

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_clear_signal_handler (&e->changed_id, e->stream);
  g_object_unref (e->stream);
  g_free (e);
}

static void
cb_ws_media_finalize (GObject *object)
{
  CbWsMedia *self = CB_WS_MEDIA (object);

  g_ptr_array_remove_fast (all_media, self);
  g_hash_table_unref (self->entries);
  g_free (self->remote);
  g_object_unref (self->engine);
  G_OBJECT_CLASS (cb_ws_media_parent_class)->finalize (object);
}

static void
cb_ws_media_class_init (CbWsMediaClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_ws_media_finalize;
}

static void
cb_ws_media_init (CbWsMedia *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
}

CbWsMedia *
cb_ws_media_new (CbEngine    *engine,
                 CbWsSession *session,
                 const char  *remote)
{
  CbWsMedia *self = g_object_new (CB_TYPE_WS_MEDIA, NULL);

  self->engine = g_object_ref (engine);
  self->session = session;
  self->remote = g_strdup (remote);
  if (all_media == NULL)
    all_media = g_ptr_array_new ();
  g_ptr_array_add (all_media, self);
  return self;
}

static JsonNode *
one_element (JsonNode *node)
{
  JsonArray *array = json_array_new ();
  JsonNode *out = json_node_new (JSON_NODE_ARRAY);

  json_array_add_element (array, node);
  json_node_take_array (out, array);
  return out;
}

static void
send_status (CbWsMedia          *self,
             const CbStreamInfo *info)
{
  cb_ws_session_send (self->session, "notifyStreamStatusEvent",
                      one_element (cb_rest_json_stream (info)));
}

/* A stream that never was: FAILED with the reason, in the shape the SDK reads. */
static void
send_failed (CbWsMedia  *self,
             const char *media_session_id,
             const char *name,
             gboolean    published,
             const char *info)
{
  CbStreamInfo si = { 0 };

  si.media_session_id = (char *) (media_session_id ? media_session_id : "");
  si.name = (char *) (name ? name : "");
  si.status = CB_STREAM_FAILED;
  si.info = (char *) info;
  si.published = published;
  si.media_provider = (char *) "WebRTC";
  si.create_date = g_get_real_time () / 1000;
  send_status (self, &si);
}

static void
on_stream_changed (CbStream *stream,
                   gpointer  data)
{
  Entry *e = data;
  CbWsMedia *self = e->media;
  g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (stream);

  if (e->final_sent || info->status == e->last_sent)
    return;
  /* PENDING is the client's own state; it learns the stream started from the status after. */
  if (info->status == CB_STREAM_PENDING || info->status == CB_STREAM_NEW)
    return;
  e->last_sent = info->status;
  if (!self->closed)
    send_status (self, info);
  if (cb_stream_status_is_final (info->status))
    {
      e->final_sent = TRUE;
      g_hash_table_remove (self->entries, info->media_session_id);
    }
}

static void
track (CbWsMedia *self,
       CbStream  *stream)
{
  Entry *e = g_new0 (Entry, 1);

  e->media = self;
  e->stream = g_object_ref (stream);
  e->last_sent = CB_STREAM_PENDING;
  e->changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_stream_changed), e);
  g_hash_table_replace (self->entries, g_strdup (cb_stream_get_media_session_id (stream)), e);
}

typedef struct {
  CbWsMedia *media;
  char      *media_session_id;
} AnswerData;

static void
answer_data_free (gpointer data)
{
  AnswerData *ad = data;

  g_object_unref (ad->media);
  g_free (ad->media_session_id);
  g_free (ad);
}

static void
on_answer (CbStream     *stream,
           const char   *answer,
           const GError *error,
           gpointer      data)
{
  AnswerData *ad = data;
  CbWsMedia *self = ad->media;
  JsonArray *array;
  JsonNode *node;

  if (answer == NULL || self->closed)
    return;   /* the stream's FAILED status says why */
  array = json_array_new ();
  json_array_add_string_element (array, ad->media_session_id);
  json_array_add_string_element (array, answer);
  json_array_add_boolean_element (array, FALSE);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  cb_ws_session_send (self->session, "setRemoteSDP", node);
}

/* Why @message may not run on this session, or NULL when it may. The SDK sends stream
 * messages only once its session is ESTABLISHED (anything else is not a WCS client). A
 * session whose page may not play (ws_play_any_origin=false) may not take a snapshot (a
 * picture of the stream) nor ask availableStream (what there is to play) either. */
static const char *
refusal (CbWsMedia  *self,
         const char *message,
         gboolean    publish)
{
  if (!cb_ws_session_is_established (self->session))
    return CB_WS_INFO_NOT_CONNECTED;
  if (publish ? !cb_ws_session_may_publish (self->session)
              : !cb_ws_session_may_play (self->session))
    {
      g_debug ("%s refused: the session's page may not %s", message,
               publish ? "publish" : "play");
      return CB_WS_INFO_RESTRICTED;
    }
  return NULL;
}

static void
start_stream (CbWsMedia  *self,
              JsonObject *arg,
              gboolean    publish)
{
  const char *msid = cb_rest_get_string (arg, "mediaSessionId");
  const char *name = cb_rest_get_string (arg, "name");
  const char *sdp = cb_rest_get_string (arg, "sdp");
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) stream = NULL;
  g_autofree char *remote = g_strdup_printf ("WebRTC %s", self->remote ? self->remote : "");
  CbWebrtcRequest request = { 0 };
  const char *refused;
  AnswerData *ad;

  refused = refusal (self, publish ? "publishStream" : "playStream", publish);
  if (refused != NULL)
    {
      send_failed (self, msid, name, publish, refused);
      return;
    }
  if (msid == NULL || *msid == '\0' || name == NULL || sdp == NULL)
    {
      send_failed (self, msid, name, publish, "Bad request: mediaSessionId, name and sdp are required");
      return;
    }
  if (g_hash_table_contains (self->entries, msid))
    {
      send_failed (self, msid, name, publish, "mediaSessionId is already in use");
      return;
    }

  request.name = name;
  request.media_session_id = msid;
  request.sdp = sdp;
  request.remote_address = remote;
  request.loopback_address = cb_ws_session_get_loopback_address (self->session);
  request.local_address = cb_ws_session_get_local_address (self->session);
  request.rtmp_url = cb_rest_get_string (arg, "rtmpUrl");
  request.width = (int) CLAMP (cb_rest_get_int (arg, "width"), 0, 7680);
  request.height = (int) CLAMP (cb_rest_get_int (arg, "height"), 0, 4320);

  ad = g_new0 (AnswerData, 1);
  ad->media = g_object_ref (self);
  ad->media_session_id = g_strdup (msid);
  stream = publish ? cb_engine_webrtc_publish (self->engine, &request, on_answer, ad, answer_data_free, &error)
                   : cb_engine_webrtc_play (self->engine, &request, on_answer, ad, answer_data_free, &error);
  if (stream == NULL)
    {
      const char *info = cb_error_map_wcs_info (error);

      send_failed (self, msid, name, publish, info ? info : error->message);
      return;
    }
  track (self, stream);

  /* record: true — the recorder waits for the media; recordName comes in the status events. */
  if (publish)
    {
      JsonNode *record = json_object_get_member (arg, "record");

      if (record != NULL && JSON_NODE_HOLDS_VALUE (record) &&
          json_node_get_value_type (record) == G_TYPE_BOOLEAN && json_node_get_boolean (record) &&
          !cb_engine_record_start (self->engine, msid, NULL, &error))
        g_debug ("record: true for %s: %s", name, error->message);
    }
}

static void
stop_stream (CbWsMedia  *self,
             JsonObject *arg)
{
  const char *msid = cb_rest_get_string (arg, "mediaSessionId");

  /* Only this session's own streams. */
  if (msid == NULL || !g_hash_table_contains (self->entries, msid))
    return;
  cb_engine_webrtc_stop (self->engine, msid, NULL, NULL);
}

static void
available_stream (CbWsMedia  *self,
                  JsonObject *arg)
{
  const char *msid = cb_rest_get_string (arg, "mediaSessionId");
  const char *name = cb_rest_get_string (arg, "name");
  /* Whether a stream is there to play is told to those who may play it. */
  const char *refused = refusal (self, "availableStream", FALSE);
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  if (name != NULL && refused == NULL)
    stream = cb_engine_lookup_stream (self->engine, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, msid ? msid : "");
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, stream != NULL ? "true" : "false");
  json_builder_set_member_name (b, "info");
  json_builder_add_string_value (b, refused != NULL ? refused
                                   : stream != NULL ? "Available" : "Stream not found");
  json_builder_end_object (b);
  cb_ws_session_send (self->session, "availableStream", one_element (json_builder_get_root (b)));
}

/* WCS's event types are camelCase words ("audioMuted", "data"): a short name of letters,
 * digits, '_', '-' and '.' leaves room for others and keeps odd bytes out of players. */
static gboolean
is_event_type (const char *type)
{
  gsize n = 0;

  for (const char *p = type; *p != '\0'; p++, n++)
    if (n >= CB_WS_MAX_EVENT_TYPE ||
        !(g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '.'))
      return FALSE;
  return n > 0;
}

/* Absent, null, or an object of bounded size (the SDK's sendData() sends any object). */
static gboolean
is_event_payload (JsonNode *payload)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (payload == NULL || JSON_NODE_HOLDS_NULL (payload))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (payload))
    return FALSE;
  text = cb_rest_json_to_string (payload, &length);
  return length <= CB_WS_MAX_EVENT_PAYLOAD;
}

/* Mute states and data from a publisher reach the players of its stream: only from the
 * session that publishes it, never from a player or another session. */
static void
stream_event (CbWsMedia  *self,
              JsonObject *arg)
{
  const char *msid = cb_rest_get_string (arg, "mediaSessionId");
  const char *type = cb_rest_get_string (arg, "type");
  Entry *e = msid ? g_hash_table_lookup (self->entries, msid) : NULL;
  JsonNode *payload = arg ? json_object_get_member (arg, "payload") : NULL;

  if (e == NULL || !cb_stream_is_published (e->stream))
    {
      g_debug ("sendStreamEvent ignored: not a stream this session publishes");
      return;
    }
  if (type == NULL || !is_event_type (type) || !is_event_payload (payload))
    {
      g_debug ("sendStreamEvent ignored: bad type or payload");
      return;
    }
  cb_ws_media_broadcast_event (self->engine, cb_stream_get_name (e->stream), msid, type, payload);
}

void
cb_ws_media_broadcast_event (CbEngine   *engine,
                             const char *stream_name,
                             const char *from_media_session_id,
                             const char *type,
                             JsonNode   *payload)
{
  for (guint i = 0; all_media != NULL && i < all_media->len; i++)
    {
      CbWsMedia *m = g_ptr_array_index (all_media, i);
      GHashTableIter iter;
      gpointer key, value;

      if (m->engine != engine || m->closed)
        continue;
      g_hash_table_iter_init (&iter, m->entries);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Entry *e = value;
          g_autoptr(JsonBuilder) b = NULL;

          if (cb_stream_is_published (e->stream) ||
              g_strcmp0 (cb_stream_get_name (e->stream), stream_name) != 0)
            continue;
          b = json_builder_new_immutable ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "mediaSessionId");
          json_builder_add_string_value (b, key);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, type);
          json_builder_set_member_name (b, "payload");
          if (payload != NULL)
            json_builder_add_value (b, json_node_copy (payload));
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
          cb_ws_session_send (m->session, "notifyStreamEvent", one_element (json_builder_get_root (b)));
        }
    }
}

static void
send_data (CbWsMedia  *self,
           JsonObject *arg)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  JsonNode *op = arg ? json_object_get_member (arg, "operationId") : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "operationId");
  if (op != NULL)
    json_builder_add_value (b, json_node_copy (op));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ACCEPTED");
  json_builder_end_object (b);
  cb_ws_session_send (self->session, "DataStatusEvent", one_element (json_builder_get_root (b)));
}

typedef struct {
  CbWsMedia *media;
  char      *media_session_id;
} SnapshotData;

/* notifyStreamEvent snapshotCompleted with the PNG, or snapshotFailed with @info. */
static void
send_snapshot_event (CbWsMedia  *self,
                     const char *media_session_id,
                     GBytes     *png,
                     const char *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, media_session_id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, png ? "snapshotCompleted" : "snapshotFailed");
  json_builder_set_member_name (b, "payload");
  json_builder_begin_object (b);
  if (png != NULL)
    {
      g_autofree char *text = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
      json_builder_set_member_name (b, "snapshot");
      json_builder_add_string_value (b, text);
    }
  else
    {
      json_builder_set_member_name (b, "info");
      json_builder_add_string_value (b, info);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  cb_ws_session_send (self->session, "notifyStreamEvent", one_element (json_builder_get_root (b)));
}

static void
on_snapshot (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  SnapshotData *sd = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = cb_engine_snapshot_finish (CB_ENGINE (source), result, &error);

  if (!sd->media->closed)
    send_snapshot_event (sd->media, sd->media_session_id, png, png ? NULL : error->message);
  g_object_unref (sd->media);
  g_free (sd->media_session_id);
  g_free (sd);
}

static void
snapshot (CbWsMedia  *self,
          JsonObject *arg)
{
  const char *msid = cb_rest_get_string (arg, "mediaSessionId");
  const char *refused = refusal (self, "snapshot", FALSE);
  SnapshotData *sd;

  if (refused != NULL)
    {
      send_snapshot_event (self, msid ? msid : "", NULL, refused);
      return;
    }
  sd = g_new0 (SnapshotData, 1);
  sd->media = g_object_ref (self);
  sd->media_session_id = g_strdup (msid ? msid : "");
  cb_engine_snapshot_async (self->engine, cb_rest_get_string (arg, "name"), NULL, on_snapshot, sd);
}

gboolean
cb_ws_media_handle (CbWsMedia  *self,
                    const char *message,
                    JsonObject *arg)
{
  if (self->closed)
    return TRUE;
  if (g_str_equal (message, "publishStream"))
    start_stream (self, arg, TRUE);
  else if (g_str_equal (message, "playStream"))
    start_stream (self, arg, FALSE);
  else if (g_str_equal (message, "unPublishStream") || g_str_equal (message, "stopStream"))
    stop_stream (self, arg);
  else if (g_str_equal (message, "availableStream"))
    available_stream (self, arg);
  else if (g_str_equal (message, "sendStreamEvent"))
    stream_event (self, arg);
  else if (g_str_equal (message, "sendData"))
    send_data (self, arg);
  else if (g_str_equal (message, "snapshot"))
    snapshot (self, arg);
  else if (g_str_equal (message, "pushLogs") || g_str_equal (message, "submitBugReport") ||
           g_str_equal (message, "sessionDebug"))
    ;   /* accepted, nothing to do */
  else
    return FALSE;
  return TRUE;
}

/**
 * cb_ws_media_session_closed:
 *
 * The socket is gone: its publishers stop ("Stopped by session disconnect"; their
 * players learn "Stopped by publisher stop") and its players stop.
 */
void
cb_ws_media_session_closed (CbWsMedia *self)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (self->closed)
    return;
  self->closed = TRUE;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  for (guint i = 0; i < ids->len; i++)
    cb_engine_webrtc_stop (self->engine, g_ptr_array_index (ids, i), "Stopped by session disconnect",
                           NULL);
  g_hash_table_remove_all (self->entries);
}
