/* cb-ws-session.c — one WebSocket signaling session (WCS protocol)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session start and the keep-alive: `connection` is answered with `getUserData` and
 * `getVersion`. Stream messages go to CbWsMedia (cb-ws-media.c).
 * Everything here reads network input: nothing asserts on it, bad frames are ignored.
 */
#include "config.h"

#include "cb-rest-json.h"
#include "cb-ws-session.h"

#include <string.h>

#include "cb-rest-validate.h"
#include "cb-ws-media.h"

/* A publishStream carries an SDP offer of a few KiB; this leaves room for large ones. */
#define MAX_MESSAGE (256 * 1024)
/* Names from the network end up in debug logs: keep them short there. */
#define MAX_NAME_IN_LOG 64

struct _CbWsSession
{
  GObject                  parent_instance;

  CbEngine                *engine;
  CbWsMedia               *media;
  SoupWebsocketConnection *connection;
  GMainContext            *context;
  GSource                 *ping_source;
  char                    *auth_token;
  const char              *loopback_address; /* a static string */
  const char              *local_address;    /* interned */

  guint                    ping_interval_ms;
  guint                    probes;
  guint                    missed;
  gboolean                 established;
  gboolean                 closed;
  gboolean                 may_publish;
  gboolean                 may_play;

  gulong                   message_id;
  gulong                   closed_id;
  gulong                   error_id;
};

G_DEFINE_FINAL_TYPE (CbWsSession, cb_ws_session, G_TYPE_OBJECT)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stop_pinging (CbWsSession *self)
{
  if (self->ping_source != NULL)
    {
      g_source_destroy (self->ping_source);
      g_clear_pointer (&self->ping_source, g_source_unref);
    }
}

static gboolean
is_open (CbWsSession *self)
{
  return self->connection != NULL &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
cb_ws_session_send (CbWsSession *self,
                    const char  *message,
                    JsonNode    *data)
{
  g_autoptr(JsonNode) owned_data = data;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CB_IS_WS_SESSION (self));
  g_return_if_fail (message != NULL);

  if (!is_open (self))
    return;

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "data");
  if (owned_data != NULL)
    json_builder_add_value (builder, g_steal_pointer (&owned_data));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  /* Through the REST writer: json-glib alone writes control characters raw (not JSON). */
  text = cb_rest_json_to_string (root, NULL);
  soup_websocket_connection_send_text (self->connection, text);
}

void
cb_ws_session_close (CbWsSession *self,
                     gushort      code,
                     const char  *reason)
{
  g_return_if_fail (CB_IS_WS_SESSION (self));

  stop_pinging (self);
  if (is_open (self))
    soup_websocket_connection_close (self->connection, code, reason);
}

static gboolean
on_ping_timeout (gpointer user_data)
{
  CbWsSession *self = user_data;

  if (self->missed >= self->probes)
    {
      g_debug ("WebSocket %s: no pong after %u pings, closing",
               self->auth_token, self->missed);
      g_clear_pointer (&self->ping_source, g_source_unref);
      if (is_open (self))
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         "No pong");
      return G_SOURCE_REMOVE;
    }

  self->missed++;
  {
    g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

    json_builder_begin_array (builder);
    json_builder_add_null_value (builder);
    json_builder_end_array (builder);
    cb_ws_session_send (self, "ping", json_builder_get_root (builder));
  }

  return G_SOURCE_CONTINUE;
}

static gboolean
is_private_member (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  /* Never echo anything that looks like a secret, even to its sender: answers can end
   * up in browser logs and bug reports. */
  return strstr (lower, "password") != NULL || strstr (lower, "secret") != NULL;
}

static void
handle_connection (CbWsSession *self,
                   JsonObject  *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GList) members = NULL;
  JsonNode *node;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);

  /* WCS answers with the client's own connection object, completed. */
  if (request != NULL)
    members = json_object_get_members (request);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (g_str_equal (name, "authToken") || g_str_equal (name, "status") ||
          g_str_equal (name, "mediaProviders") || g_str_equal (name, "keepAlive") ||
          g_str_equal (name, "appKey") || is_private_member (name))
        continue;

      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (json_object_get_member (request, name)));
    }

  json_builder_set_member_name (builder, "appKey");
  node = request != NULL ? json_object_get_member (request, "appKey") : NULL;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    json_builder_add_string_value (builder, json_node_get_string (node));
  else
    json_builder_add_string_value (builder, "defaultApp");

  json_builder_set_member_name (builder, "mediaProviders");
  node = request != NULL ? json_object_get_member (request, "mediaProviders") : NULL;
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    json_builder_add_value (builder, json_node_copy (node));
  else
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, "WebRTC");
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "keepAlive");
  node = request != NULL ? json_object_get_member (request, "keepAlive") : NULL;
  json_builder_add_boolean_value (builder,
                                  node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                                  json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                                  json_node_get_boolean (node));

  json_builder_set_member_name (builder, "authToken");
  json_builder_add_string_value (builder, self->auth_token != NULL ? self->auth_token : "");
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ESTABLISHED");

  json_builder_end_object (builder);
  json_builder_end_array (builder);

  self->established = TRUE;
  cb_ws_session_send (self, "getUserData", json_builder_get_root (builder));

  {
    g_autoptr(JsonBuilder) version = json_builder_new_immutable ();

    json_builder_begin_array (version);
    json_builder_add_string_value (version, PACKAGE_VERSION);
    json_builder_end_array (version);
    cb_ws_session_send (self, "getVersion", json_builder_get_root (version));
  }
}

void
cb_ws_session_handle_text (CbWsSession *self,
                           const char  *data,
                           gsize        length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *message_node;
  JsonNode *data_node;
  JsonObject *argument = NULL;
  const char *message;

  g_return_if_fail (CB_IS_WS_SESSION (self));

  root = cb_rest_parse_json (data, length, MAX_MESSAGE, &error);
  if (root == NULL)
    {
      g_debug ("WebSocket %s: ignoring a frame: %s", self->auth_token, error->message);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("WebSocket %s: ignoring a frame that is not an object", self->auth_token);
      return;
    }

  object = json_node_get_object (root);
  message_node = json_object_get_member (object, "message");
  if (message_node == NULL || !JSON_NODE_HOLDS_VALUE (message_node) ||
      json_node_get_value_type (message_node) != G_TYPE_STRING)
    {
      g_debug ("WebSocket %s: ignoring a frame without a message name", self->auth_token);
      return;
    }
  message = json_node_get_string (message_node);

  data_node = json_object_get_member (object, "data");
  if (data_node != NULL && JSON_NODE_HOLDS_ARRAY (data_node))
    {
      JsonArray *array = json_node_get_array (data_node);

      if (json_array_get_length (array) > 0)
        {
          JsonNode *first = json_array_get_element (array, 0);

          if (JSON_NODE_HOLDS_OBJECT (first))
            argument = json_node_get_object (first);
        }
    }

  if (g_str_equal (message, "connection"))
    handle_connection (self, argument);
  else if (g_str_equal (message, "pong"))
    self->missed = 0;
  else if (g_str_equal (message, "ping"))
    cb_ws_session_send (self, "pong", NULL);
  else if (self->media != NULL && cb_ws_media_handle (self->media, message, argument))
    ;
  else
    g_debug ("WebSocket %s: ignoring message '%.*s'", self->auth_token,
             MAX_NAME_IN_LOG, message);
}

static void
on_connection_message (SoupWebsocketConnection *connection,
                       gint                     type,
                       GBytes                  *message,
                       gpointer                 user_data)
{
  CbWsSession *self = user_data;
  gsize length = 0;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_debug ("WebSocket %s: ignoring a binary frame", self->auth_token);
      return;
    }

  data = g_bytes_get_data (message, &length);
  cb_ws_session_handle_text (self, data, length);
}

static void
on_connection_error (SoupWebsocketConnection *connection,
                     GError                  *error,
                     gpointer                 user_data)
{
  CbWsSession *self = user_data;

  g_debug ("WebSocket %s: %s", self->auth_token, error->message);
}

static void
on_connection_closed (SoupWebsocketConnection *connection,
                      gpointer                 user_data)
{
  CbWsSession *self = user_data;

  stop_pinging (self);
  if (self->closed)
    return;

  self->closed = TRUE;
  g_debug ("WebSocket %s closed (%u)", self->auth_token,
           soup_websocket_connection_get_close_code (connection));
  if (self->media != NULL)
    cb_ws_media_session_closed (self->media);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
cb_ws_session_dispose (GObject *object)
{
  CbWsSession *self = CB_WS_SESSION (object);

  stop_pinging (self);

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->message_id, self->connection);
      g_clear_signal_handler (&self->closed_id, self->connection);
      g_clear_signal_handler (&self->error_id, self->connection);
      if (is_open (self))
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         NULL);
      g_clear_object (&self->connection);
    }

  if (self->media != NULL)
    {
      cb_ws_media_session_closed (self->media);
      g_clear_object (&self->media);
    }
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_ws_session_parent_class)->dispose (object);
}

static void
cb_ws_session_finalize (GObject *object)
{
  CbWsSession *self = CB_WS_SESSION (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->auth_token);

  G_OBJECT_CLASS (cb_ws_session_parent_class)->finalize (object);
}

static void
cb_ws_session_class_init (CbWsSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_ws_session_dispose;
  object_class->finalize = cb_ws_session_finalize;

  /**
   * CbWsSession::closed:
   *
   * The socket is closed; the session will send nothing more.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cb_ws_session_init (CbWsSession *self)
{
  self->may_publish = TRUE;
  self->may_play = TRUE;
}

CbWsSession *
cb_ws_session_new (CbEngine                *engine,
                   SoupWebsocketConnection *connection,
                   GMainContext            *context,
                   const char              *auth_token,
                   guint                    ping_interval_ms,
                   guint                    probes)
{
  CbWsSession *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection), NULL);

  self = g_object_new (CB_TYPE_WS_SESSION, NULL);
  self->engine = g_object_ref (engine);
  self->connection = g_object_ref (connection);
  self->context = context != NULL ? g_main_context_ref (context)
                                   : g_main_context_ref_thread_default ();
  self->auth_token = g_strdup (auth_token);
  self->media = cb_ws_media_new (engine, self, auth_token);
  self->ping_interval_ms = ping_interval_ms;
  self->probes = MAX (probes, 1);

  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_MESSAGE);

  self->message_id = g_signal_connect (connection, "message",
                                       G_CALLBACK (on_connection_message), self);
  self->closed_id = g_signal_connect (connection, "closed",
                                      G_CALLBACK (on_connection_closed), self);
  self->error_id = g_signal_connect (connection, "error",
                                     G_CALLBACK (on_connection_error), self);

  if (ping_interval_ms > 0)
    {
      self->ping_source = g_timeout_source_new (ping_interval_ms);
      g_source_set_callback (self->ping_source, on_ping_timeout, self, NULL);
      g_source_set_name (self->ping_source, "[castbridge] websocket ping");
      g_source_attach (self->ping_source, self->context);
    }

  return self;
}

const char *
cb_ws_session_get_auth_token (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), NULL);

  return self->auth_token;
}

const char *
cb_ws_session_get_loopback_address (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), NULL);

  return self->loopback_address;
}

void
cb_ws_session_set_loopback_address (CbWsSession *self,
                                    const char  *address)
{
  g_return_if_fail (CB_IS_WS_SESSION (self));

  self->loopback_address = g_intern_string (address);
}

const char *
cb_ws_session_get_local_address (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), NULL);

  return self->local_address;
}

void
cb_ws_session_set_local_address (CbWsSession *self,
                                 const char  *address)
{
  g_return_if_fail (CB_IS_WS_SESSION (self));

  self->local_address = g_intern_string (address);
}

void
cb_ws_session_set_permissions (CbWsSession *self,
                               gboolean     may_publish,
                               gboolean     may_play)
{
  g_return_if_fail (CB_IS_WS_SESSION (self));

  self->may_publish = !!may_publish;
  self->may_play = !!may_play;
}

gboolean
cb_ws_session_may_publish (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), FALSE);

  return self->may_publish;
}

gboolean
cb_ws_session_may_play (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), FALSE);

  return self->may_play;
}

gboolean
cb_ws_session_is_established (CbWsSession *self)
{
  g_return_val_if_fail (CB_IS_WS_SESSION (self), FALSE);

  return self->established;
}

static char *
format_address (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  host = g_inet_address_to_string (
           g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

char *
cb_ws_session_make_auth_token (GSocketAddress *remote,
                               GSocketAddress *local)
{
  g_autofree char *remote_text = format_address (remote);
  g_autofree char *local_text = format_address (local);

  if (remote_text == NULL || local_text == NULL)
    return NULL;

  return g_strdup_printf ("/%s/%s", remote_text, local_text);
}
