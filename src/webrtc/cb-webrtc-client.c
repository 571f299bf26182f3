/* cb-webrtc-client.c — publish to or play from another server over WebRTC: WCS
 * WebSocket, WHIP or WHEP
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client side of the same signaling the server speaks: with a ws:// URL it says
 * `connection`, waits for `getUserData`, sends `publishStream` (or `playStream`) with our
 * offer and takes the answer from `setRemoteSDP`; the remote stream's status arrives in
 * `notifyStreamStatusEvent`. With an http(s):// URL it POSTs the offer to a WHIP (or
 * WHEP) endpoint and DELETEs the resource at the end. Everything from the remote side is
 * checked.
 */
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cb-webrtc-client.h"

#define MAX_MESSAGE (1024 * 1024)

struct _CbWebrtcClient
{
  GObject                  parent_instance;

  char                    *url;
  char                    *stream_name;
  gboolean                 whip;          /* http(s): WHIP, or WHEP when playing */
  gboolean                 play;
  CbWebrtcPeer            *peer;
  CbWebrtcClientState      state;
  char                    *media_session_id;
  char                    *resource_id;    /* WHIP/WHEP: the last segment of Location */
  char                    *whip_resource;

  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GCancellable            *cancellable;
  GMainContext            *context;
};

G_DEFINE_FINAL_TYPE (CbWebrtcClient, cb_webrtc_client, G_TYPE_OBJECT)

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
cb_webrtc_client_state_to_string (CbWebrtcClientState state)
{
  static const char *names[] = { "CONNECTING", "PUBLISHING", "FAILED", "STOPPED", "PLAYING" };

  return (guint) state < G_N_ELEMENTS (names) ? names[state] : "FAILED";
}

static void
cb_webrtc_client_dispose (GObject *object)
{
  CbWebrtcClient *self = CB_WEBRTC_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
  if (self->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->peer, self);
      cb_webrtc_peer_close (self->peer);
      g_clear_object (&self->peer);
    }
  g_clear_object (&self->session);
  G_OBJECT_CLASS (cb_webrtc_client_parent_class)->dispose (object);
}

static void
cb_webrtc_client_finalize (GObject *object)
{
  CbWebrtcClient *self = CB_WEBRTC_CLIENT (object);

  g_free (self->url);
  g_free (self->stream_name);
  g_free (self->media_session_id);
  g_free (self->resource_id);
  g_free (self->whip_resource);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (cb_webrtc_client_parent_class)->finalize (object);
}

static void
cb_webrtc_client_class_init (CbWebrtcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_webrtc_client_dispose;
  object_class->finalize = cb_webrtc_client_finalize;

  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cb_webrtc_client_init (CbWebrtcClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->media_session_id = g_uuid_string_random ();
}

static void
set_state (CbWebrtcClient      *self,
           CbWebrtcClientState  state,
           const char          *reason)
{
  if (self->state == state || self->state == CB_WEBRTC_CLIENT_FAILED ||
      self->state == CB_WEBRTC_CLIENT_STOPPED)
    return;
  self->state = state;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (int) state, reason);
}

static void
fail (CbWebrtcClient *self,
      const char     *reason)
{
  g_debug ("WebRTC client to %s failed: %s", self->stream_name, reason);
  set_state (self, CB_WEBRTC_CLIENT_FAILED, reason);
  g_cancellable_cancel (self->cancellable);
}

/* A server on this machine's loopback is reached over loopback (libnice leaves loopback
 * out unless asked); any other server over every interface. */
static void
set_loopback_address (CbWebrtcPeer *peer,
                      const char   *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    cb_webrtc_peer_set_local_address (peer, "127.0.0.1");
  else if (address != NULL && g_inet_address_get_is_loopback (address))
    cb_webrtc_peer_set_local_address (peer, host);
}

static CbWebrtcClient *
client_new (const char  *url,
            const char  *stream_name,
            gboolean     play,
            guint        port_min,
            guint        port_max,
            GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  CbWebrtcClient *self;
  const char *scheme;

  uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "ws") != 0 && g_strcmp0 (scheme, "wss") != 0 &&
       g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                   play ? "Bad URI: use ws://, wss:// (WCS) or http(s):// (WHEP)"
                        : "Bad URI: use ws://, wss:// (WCS) or http(s):// (WHIP)");
      return NULL;
    }
  if (stream_name == NULL || *stream_name == '\0')
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED, "No remote stream name");
      return NULL;
    }

  self = g_object_new (CB_TYPE_WEBRTC_CLIENT, NULL);
  self->url = g_strdup (url);
  self->stream_name = g_strdup (stream_name);
  self->whip = g_str_has_prefix (scheme, "http");
  self->play = play;
  self->peer = cb_webrtc_peer_new (play ? CB_WEBRTC_RECEIVE : CB_WEBRTC_SEND, port_min, port_max);
  set_loopback_address (self->peer, g_uri_get_host (uri));
  return self;
}

CbWebrtcClient *
cb_webrtc_client_new (const char  *url,
                      const char  *stream_name,
                      guint        port_min,
                      guint        port_max,
                      GError     **error)
{
  return client_new (url, stream_name, FALSE, port_min, port_max, error);
}

CbWebrtcClient *
cb_webrtc_client_new_player (const char  *url,
                             const char  *stream_name,
                             guint        port_min,
                             guint        port_max,
                             GError     **error)
{
  return client_new (url, stream_name, TRUE, port_min, port_max, error);
}

CbWebrtcPeer *
cb_webrtc_client_get_peer (CbWebrtcClient *self)
{
  return self->peer;
}

const char *
cb_webrtc_client_get_remote_id (CbWebrtcClient *self)
{
  return self->resource_id != NULL ? self->resource_id : self->media_session_id;
}

CbWebrtcClientState
cb_webrtc_client_get_state (CbWebrtcClient *self)
{
  return self->state;
}

static void
on_peer_state (CbWebrtcPeer *peer,
               int           state,
               const char   *reason,
               gpointer      data)
{
  CbWebrtcClient *self = data;

  if (state == CB_WEBRTC_PEER_CONNECTED)
    {
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
      /* WHIP and WHEP have no status messages: connected is publishing, or playing. */
      if (self->whip)
        set_state (self, self->play ? CB_WEBRTC_CLIENT_PLAYING : CB_WEBRTC_CLIENT_PUBLISHING, NULL);
    }
  else if (state == CB_WEBRTC_PEER_FAILED)
    fail (self, reason ? reason : "WebRTC failed");
}

/* ---- WCS over WebSocket ------------------------------------------------------ */

static void
ws_send (CbWebrtcClient *self,
         const char     *message,
         JsonNode       *argument)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  if (argument != NULL)
    json_builder_add_value (b, argument);
  else
    json_builder_add_null_value (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  if (self->ws != NULL && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->ws, text);
}

static void
on_offer_for_wcs (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(CbWebrtcClient) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = cb_webrtc_peer_offer_finish (CB_WEBRTC_PEER (source), result, &error);
  g_autoptr(JsonBuilder) b = NULL;

  if (offer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error->message);
      return;
    }
  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, self->media_session_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->stream_name);
  json_builder_set_member_name (b, "published");
  json_builder_add_boolean_value (b, !self->play);
  json_builder_set_member_name (b, "hasVideo");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "hasAudio");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "PENDING");
  json_builder_set_member_name (b, "record");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "mediaProvider");
  json_builder_add_string_value (b, "WebRTC");
  json_builder_set_member_name (b, "sdp");
  json_builder_add_string_value (b, offer);
  json_builder_end_object (b);
  ws_send (self, self->play ? "playStream" : "publishStream", json_builder_get_root (b));
}

static const char *
object_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static void
handle_ws_message (CbWebrtcClient *self,
                   const char     *text,
                   gsize           len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *data = NULL;
  JsonNode *first = NULL;
  const char *message;

  if (len > MAX_MESSAGE || !json_parser_load_from_data (parser, text, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  root = json_node_get_object (json_parser_get_root (parser));
  message = object_string (root, "message");
  if (message == NULL)
    return;
  if (json_object_has_member (root, "data") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "data")))
    data = json_object_get_array_member (root, "data");
  if (data != NULL && json_array_get_length (data) > 0)
    first = json_array_get_element (data, 0);

  if (g_str_equal (message, "ping"))
    ws_send (self, "pong", NULL);
  else if (g_str_equal (message, "getUserData"))
    cb_webrtc_peer_offer_async (self->peer, TRUE, TRUE, self->cancellable, on_offer_for_wcs,
                                g_object_ref (self));
  else if (g_str_equal (message, "setRemoteSDP") && data != NULL && json_array_get_length (data) >= 2)
    {
      JsonNode *id = json_array_get_element (data, 0);
      JsonNode *sdp = json_array_get_element (data, 1);
      g_autoptr(GError) error = NULL;

      if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
          g_strcmp0 (json_node_get_string (id), self->media_session_id) != 0 ||
          !JSON_NODE_HOLDS_VALUE (sdp) || json_node_get_value_type (sdp) != G_TYPE_STRING)
        return;
      if (!cb_webrtc_peer_set_answer (self->peer, json_node_get_string (sdp), &error))
        fail (self, error->message);
    }
  else if (g_str_equal (message, "notifyStreamStatusEvent") && first != NULL &&
           JSON_NODE_HOLDS_OBJECT (first))
    {
      JsonObject *stream = json_node_get_object (first);
      const char *status = object_string (stream, "status");
      const char *info = object_string (stream, "info");

      if (g_strcmp0 (object_string (stream, "mediaSessionId"), self->media_session_id) != 0)
        return;
      if (g_strcmp0 (status, self->play ? "PLAYING" : "PUBLISHING") == 0)
        set_state (self, self->play ? CB_WEBRTC_CLIENT_PLAYING : CB_WEBRTC_CLIENT_PUBLISHING, NULL);
      else if (g_strcmp0 (status, "FAILED") == 0 || g_strcmp0 (status, "UNPUBLISHED") == 0 ||
               g_strcmp0 (status, "STOPPED") == 0)
        fail (self, info && *info ? info : status);
    }
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 data)
{
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    handle_ws_message (data, text, len);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 data)
{
  CbWebrtcClient *self = data;

  if (self->state == CB_WEBRTC_CLIENT_STOPPED)
    return;
  fail (self, "The remote server closed the connection");
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(CbWebrtcClient) self = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonBuilder) b = NULL;

  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error->message);
      return;
    }
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_MESSAGE);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);

  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "appKey");
  json_builder_add_string_value (b, "defaultApp");
  json_builder_set_member_name (b, "mediaProviders");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "WebRTC");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "keepAlive");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "clientVersion");
  json_builder_add_string_value (b, "2.0");
  json_builder_set_member_name (b, "clientOSVersion");
  json_builder_add_string_value (b, "Castbridge");
  json_builder_set_member_name (b, "clientBrowserVersion");
  json_builder_add_string_value (b, "Castbridge");
  json_builder_end_object (b);
  ws_send (self, "connection", json_builder_get_root (b));
}

/* ---- WHIP ------------------------------------------------------------------------ */

static void
on_whip_answer (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(CbWebrtcClient) self = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *answer = NULL;
  const char *location;
  guint status;

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error->message);
      return;
    }
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_CREATED)
    {
      g_autofree char *reason = g_strdup_printf ("%s endpoint answered %u %s",
                                                 self->play ? "WHEP" : "WHIP", status,
                                                 soup_message_get_reason_phrase (msg));
      fail (self, reason);
      return;
    }
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location != NULL)
    {
      g_autoptr(GUri) base = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GUri) resolved = base ? g_uri_parse_relative (base, location, G_URI_FLAGS_NONE, NULL) : NULL;

      if (resolved != NULL)
        {
          self->whip_resource = g_uri_to_string (resolved);
          g_free (self->resource_id);
          self->resource_id = g_path_get_basename (g_uri_get_path (resolved));
        }
    }
  answer = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!cb_webrtc_peer_set_answer (self->peer, answer, &error))
    fail (self, error->message);
}

static void
on_offer_for_whip (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(CbWebrtcClient) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = cb_webrtc_peer_offer_finish (CB_WEBRTC_PEER (source), result, &error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  if (offer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error->message);
      return;
    }
  msg = soup_message_new ("POST", self->url);
  if (msg == NULL)
    {
      fail (self, self->play ? "Bad WHEP URL" : "Bad WHIP URL");
      return;
    }
  {
    gsize len = strlen (offer);
    body = g_bytes_new_take (g_steal_pointer (&offer), len);
  }
  soup_message_set_request_body_from_bytes (msg, "application/sdp", body);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_whip_answer, g_object_ref (self));
}

/* ---- public ---------------------------------------------------------------------- */

void
cb_webrtc_client_start (CbWebrtcClient *self)
{
  g_return_if_fail (CB_IS_WEBRTC_CLIENT (self));

  self->session = soup_session_new_with_options ("timeout", 15, NULL);
  g_signal_connect (self->peer, "state-changed", G_CALLBACK (on_peer_state), self);
  self->state = CB_WEBRTC_CLIENT_CONNECTING;

  if (self->whip)
    cb_webrtc_peer_offer_async (self->peer, TRUE, TRUE, self->cancellable, on_offer_for_whip,
                                g_object_ref (self));
  else
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", self->url);

      if (msg == NULL)
        {
          fail (self, "Bad WebSocket URL");
          return;
        }
      soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                            self->cancellable, on_ws_connected, g_object_ref (self));
    }
}

void
cb_webrtc_client_stop (CbWebrtcClient *self)
{
  g_return_if_fail (CB_IS_WEBRTC_CLIENT (self));

  if (self->state == CB_WEBRTC_CLIENT_STOPPED)
    return;
  if (self->ws != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "mediaSessionId");
      json_builder_add_string_value (b, self->media_session_id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, self->stream_name);
      json_builder_end_object (b);
      ws_send (self, self->play ? "stopStream" : "unPublishStream", json_builder_get_root (b));
      g_signal_handlers_disconnect_by_data (self->ws, self);
      soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  else if (self->whip_resource != NULL && self->session != NULL)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", self->whip_resource);

      /* Fire and forget: the session keeps the request alive until it is done. */
      if (msg != NULL)
        soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  g_cancellable_cancel (self->cancellable);
  if (self->peer != NULL)
    cb_webrtc_peer_close (self->peer);
  self->state = CB_WEBRTC_CLIENT_STOPPED;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (int) CB_WEBRTC_CLIENT_STOPPED, NULL);
}
