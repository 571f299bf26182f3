/* cb-server.c — the embedded server's network front: REST, WebSocket signaling, health
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two SoupServers, so that the REST port answers no WebSocket upgrades and the
 * signaling port (which WCS clients open with any path) serves nothing else. Both run
 * on the engine's context; every handler is synchronous there, so a client that goes
 * away mid-request leaves nothing behind.
 */
#include "config.h"

#include "cb-server.h"

#include <gio/gnetworking.h>   /* IPPROTO_IPV6, IPV6_V6ONLY */
#include <libsoup/soup.h>
#include <string.h>

#include "cb-error-map.h"
#include "cb-metrics.h"
#include "cb-net.h"
#include "cb-openapi.h"
#include "cb-platform.h"
#include "cb-rest.h"
#include "cb-rest-auth.h"
#include "cb-rest-hook.h"
#include "cb-rest-json.h"
#include "cb-rtmp-ingest.h"
#include "cb-rtmp-server.h"
#include "cb-server-settings.h"
#include "cb-whip.h"
#include "cb-ws-session.h"

#define DEFAULT_HTTP_PORT          8081
#define DEFAULT_WS_PORT            8080
#define DEFAULT_RTMP_PORT          1935
#define DEFAULT_BIND_ADDRESS       "0.0.0.0"
#define DEFAULT_PING_INTERVAL_MS   5000
#define DEFAULT_PING_PROBES        10
#define DEFAULT_WS_PLAY_ANY_ORIGIN TRUE

#define CORS_ALLOW_METHODS "POST, GET, OPTIONS"
#define CORS_ALLOW_HEADERS "Content-Type, Authorization"

G_DEFINE_QUARK (cb-server-error-quark, cb_server_error)

struct _CbServer
{
  GObject       parent_instance;

  CbEngine     *engine;
  GMainContext *context;
  SoupServer   *http_server;
  SoupServer   *ws_server;
  SoupServer   *https_server;   /* only with a certificate */
  SoupServer   *wss_server;
  guint         https_port;
  guint         wss_port;
  CbRtmpServer *rtmp_server;   /* RTMP ingest and play: publishes are engine streams */
  GPtrArray    *sessions;      /* CbWsSession, owned */
  CbRestHook   *hook;          /* push events to rest_hook_url */
  char        **machine_names; /* host name and interface addresses, read at start */

  guint         http_port;
  guint         ws_port;
  guint         rtmp_port;
  gboolean      started;
};

G_DEFINE_FINAL_TYPE (CbServer, cb_server, G_TYPE_OBJECT)

static const char *remote_host (SoupServerMessage *msg);

/* Set on a request whose body went over the limit while it was being read. */
static GQuark too_large_quark;

/* ---- trust ------------------------------------------------------------------------ */

/* This machine's host name and the addresses of its interfaces: a loopback request
 * addressed to one of them is not DNS rebinding. */
static char **
read_machine_names (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) addresses = cb_platform_list_addresses ();

  g_strv_builder_add (builder, g_get_host_name ());
  for (guint i = 0; i < addresses->len; i++)
    {
      g_autofree char *text = g_inet_address_to_string (addresses->pdata[i]);

      g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

void
cb_server_get_auth_config (CbServer         *self,
                           CbRestAuthConfig *config)
{
  g_return_if_fail (CB_IS_SERVER (self));
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  cb_rest_auth_config_init (config, cb_engine_get_settings (self->engine));
  config->http_port = self->http_port;
  config->https_port = self->https_port;
  config->machine_names = (const char * const *) self->machine_names;
}

void
cb_server_request_init (CbRestRequest     *request,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers;

  g_return_if_fail (request != NULL);
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  headers = soup_server_message_get_request_headers (msg);
  request->remote = soup_server_message_get_remote_address (msg);
  request->host = soup_message_headers_get_one (headers, "Host");
  request->origin = soup_message_headers_get_one (headers, "Origin");
  request->referer = soup_message_headers_get_one (headers, "Referer");
  request->authorization = soup_message_headers_get_one (headers, "Authorization");
}

void
cb_server_add_cors (CbServer          *self,
                    SoupServerMessage *msg,
                    const char        *methods,
                    const char        *allow_headers,
                    const char        *expose)
{
  SoupMessageHeaders *headers;
  CbRestAuthConfig config;
  CbRestRequest request;

  g_return_if_fail (CB_IS_SERVER (self));
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  headers = soup_server_message_get_response_headers (msg);
  /* The answer differs by Origin: caches must not hand one page's answer to another. */
  soup_message_headers_append (headers, "Vary", "Origin");

  cb_server_request_init (&request, msg);
  cb_server_get_auth_config (self, &config);
  if (!cb_rest_auth_origin_allowed (request.origin, request.host, &config))
    return;

  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", request.origin);
  if (methods != NULL)
    soup_message_headers_replace (headers, "Access-Control-Allow-Methods", methods);
  if (allow_headers != NULL)
    soup_message_headers_replace (headers, "Access-Control-Allow-Headers", allow_headers);
  if (expose != NULL)
    soup_message_headers_replace (headers, "Access-Control-Expose-Headers", expose);
  /* Chromium asks before a public site's page reaches a private address (Private Network
   * Access): a listed origin is meant to. */
  if (g_strcmp0 (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                               "Access-Control-Request-Private-Network"),
                 "true") == 0)
    soup_message_headers_replace (headers, "Access-Control-Allow-Private-Network", "true");
}

/* ---- responses ------------------------------------------------------------------ */

static void
respond (SoupServerMessage *msg,
         guint              status,
         JsonNode          *body)
{
  if (body != NULL)
    {
      gsize length = 0;
      char *text = cb_rest_json_to_string (body, &length);

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                        text, length);
    }
  else
    {
      soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
    }

  soup_server_message_set_status (msg, status, NULL);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonNode) body = cb_rest_json_error (status, message, NULL);

  respond (msg, status, body);
}

static void
respond_gerror (SoupServerMessage *msg,
                const GError      *error)
{
  guint status = cb_error_map_http_status (error);
  g_autoptr(JsonNode) body = cb_rest_json_error (status, error->message,
                                                 cb_error_map_wcs_info (error));

  respond (msg, status, body);
}

/* ---- body limit ------------------------------------------------------------------ */

static void
reject_too_large (SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;

  if (g_object_get_qdata (G_OBJECT (msg), too_large_quark) != NULL)
    return;
  g_object_set_qdata (G_OBJECT (msg), too_large_quark, GINT_TO_POINTER (TRUE));

  /* Stop keeping the body; libsoup still reads (and drops) the rest of it unless the
   * client waits for 100-continue, and then skips our handler since a status is set. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");

  g_set_error (&error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE,
               "Body too large: at most %d bytes", CB_REST_MAX_BODY);
  respond_gerror (msg, error);
}

/* A Content-Length is digits only ("-5" and "+5" are not lengths; libsoup reads "-5" as a
 * length it then waits for) and no more than the body limit. */
static gboolean
content_length_acceptable (const char *value)
{
  gsize n = 0;

  if (value == NULL)
    return TRUE;
  for (const char *p = value; *p != '\0'; p++, n++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return n > 0 && n <= 10 && g_ascii_strtoull (value, NULL, 10) <= CB_REST_MAX_BODY;
}

/* An answer written on a connection taken from libsoup, then a lingering close: the
 * client may still be sending its body, and closing with unread bytes would reset the
 * connection before the client reads the answer. */
typedef struct {
  GIOStream *stream;
  GBytes    *answer;
  char       buffer[16384];
  gsize      drained;
  gint64     deadline;
} EarlyAnswer;

#define EARLY_DRAIN_MAX_BYTES   (1024 * 1024)
#define EARLY_DRAIN_MAX_US      (2 * G_USEC_PER_SEC)

static void
early_answer_free (EarlyAnswer *ea)
{
  g_io_stream_close_async (ea->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (ea->stream);
  g_bytes_unref (ea->answer);
  g_free (ea);
}

static void
on_early_drained (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EarlyAnswer *ea = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || (ea->drained += (gsize) n) > EARLY_DRAIN_MAX_BYTES ||
      g_get_monotonic_time () > ea->deadline)
    {
      early_answer_free (ea);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), ea->buffer, sizeof ea->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_early_drained, ea);
}

static void
on_early_answer_written (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  EarlyAnswer *ea = user_data;
  GSocket *socket = g_object_get_data (G_OBJECT (ea->stream), "GSocket");

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL) ||
      socket == NULL || !g_socket_shutdown (socket, FALSE, TRUE, NULL))
    {
      early_answer_free (ea);
      return;
    }
  ea->deadline = g_get_monotonic_time () + EARLY_DRAIN_MAX_US;
  g_input_stream_read_async (g_io_stream_get_input_stream (ea->stream), ea->buffer,
                             sizeof ea->buffer, G_PRIORITY_DEFAULT, NULL, on_early_drained, ea);
}

static void
append_header (const char *name,
               const char *value,
               gpointer    user_data)
{
  g_string_append_printf (user_data, "%s: %s\r\n", name, value);
}

/* Answers 400 and closes, without reading the body: libsoup would otherwise wait for as
 * many bytes as the header announces (or, for "-5", take it for a length) before the
 * handler runs. */
static void
reject_content_length (CbServer          *self,
                       SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *json = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GIOStream *stream;
  EarlyAnswer *ea;
  GString *text;
  gsize length = 0;

  g_set_error (&error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE,
               "Body too large or Content-Length malformed: at most %d bytes",
               CB_REST_MAX_BODY);
  g_debug ("Request from %s: %s", remote_host (msg), error->message);
  /* HTTP/2 frames its bodies itself; only HTTP/1 connections can be taken over. */
  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_2_0 ||
      (stream = soup_server_message_steal_connection (msg)) == NULL)
    {
      reject_too_large (msg);
      return;
    }

  cb_server_add_cors (self, msg, CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS, NULL);
  body = cb_rest_json_error (SOUP_STATUS_BAD_REQUEST, error->message, NULL);
  json = cb_rest_json_to_string (body, &length);
  text = g_string_new ("HTTP/1.1 400 Bad Request\r\n");
  soup_message_headers_foreach (headers, append_header, text);
  g_string_append_printf (text, "Content-Type: application/json\r\n"
                                "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                "Connection: close\r\n\r\n%s", length, json);

  ea = g_new0 (EarlyAnswer, 1);
  ea->stream = stream;
  ea->answer = g_string_free_to_bytes (text);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (ea->answer, NULL),
                                   g_bytes_get_size (ea->answer), G_PRIORITY_DEFAULT, NULL,
                                   on_early_answer_written, ea);
}

/* libsoup before 3.3 never closes a kept-alive connection that its client closes while
 * idle: the socket stays in CLOSE_WAIT, with its connection object, for the life of the
 * process (GNOME/libsoup d20c6601; the soak saw one per WHEP viewer and REST client). */
static gboolean
keepalive_leaks (void)
{
  return soup_get_major_version () == 3 && soup_get_minor_version () < 3;
}

static void
on_msg_got_headers (SoupServerMessage *msg,
                    gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* There every answer closes its connection; a WebSocket upgrade keeps it. */
  if (keepalive_leaks () && soup_message_headers_get_one (headers, "Upgrade") == NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Connection", "close");
  if (!content_length_acceptable (soup_message_headers_get_one (headers, "Content-Length")))
    reject_content_length (CB_SERVER (user_data), msg);
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
           soup_message_headers_get_content_length (headers) > CB_REST_MAX_BODY)
    reject_too_large (msg);
}

static void
on_msg_got_chunk (SoupServerMessage *msg,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > CB_REST_MAX_BODY)
    reject_too_large (msg);
}

/* On both servers: libsoup would otherwise keep a body of any size in memory. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_msg_got_headers), user_data);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_msg_got_chunk), NULL);
}

/* ---- REST and health --------------------------------------------------------------- */

static const char *
remote_host (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "?";
}

static gboolean
check_auth (CbServer          *self,
            SoupServerMessage *msg)
{
  CbRestAuthConfig config;
  CbRestAuthResult result;
  CbRestRequest request;
  CbRestSource source = CB_REST_SOURCE_REMOTE;

  cb_server_get_auth_config (self, &config);
  cb_server_request_init (&request, msg);
  result = cb_rest_auth_check (&request, &config, &source);

  switch (result)
    {
    case CB_REST_AUTH_ALLOW:
      return TRUE;

    case CB_REST_AUTH_UNAUTHORIZED:
      g_debug ("REST from %s: credentials %s", remote_host (msg),
               request.authorization != NULL ? "rejected" : "missing");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate",
                                    "Basic realm=\"" CB_REST_AUTH_REALM "\"");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "Authentication required");
      return FALSE;

    case CB_REST_AUTH_FORBIDDEN:
    default:
      g_debug ("REST from %s: refused (%s)", remote_host (msg),
               source == CB_REST_SOURCE_FOREIGN_PAGE ? "a page of another site" :
               source == CB_REST_SOURCE_FOREIGN_HOST ? "another host name" : "remote");
      respond_error (msg, SOUP_STATUS_FORBIDDEN, cb_rest_auth_forbidden_message (source));
      return FALSE;
    }
}

static void
handle_preflight (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* Browsers send preflights without credentials: they are answered, but only the pages
   * that may read (cb_server_add_cors) are told they may send. */
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "86400");
  soup_message_headers_replace (headers, "Allow", CORS_ALLOW_METHODS);
  respond (msg, SOUP_STATUS_OK, NULL);
}

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
}

static void
handle_health (CbServer          *self,
               SoupServerMessage *msg,
               const char        *method)
{
  g_autoptr(JsonNode) body = NULL;

  /* /health is open to everyone, also remote callers without credentials: it only
   * tells that the server runs, its version and uptime, which is what load balancers
   * and monitoring probes need, and they carry no REST credentials. Any page may read
   * it too: it changes nothing and tells nothing a port scan would not. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  if (method == SOUP_METHOD_OPTIONS)
    {
      handle_preflight (msg);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      respond_method_not_allowed (msg, "GET, HEAD, OPTIONS");
      return;
    }

  body = cb_rest_health (self->engine);
  respond (msg, SOUP_STATUS_OK, body);
}

static void
on_paused_msg_finished (SoupServerMessage *msg,
                        gpointer           data)
{
  g_object_set_data (G_OBJECT (msg), "cb-paused", NULL);
}

static void
on_rest_reply (guint     status,
               JsonNode *answer,
               gpointer  data)
{
  g_autoptr(SoupServerMessage) msg = data;
  g_autoptr(JsonNode) body = answer;

  if (g_object_get_data (G_OBJECT (msg), "cb-paused") == NULL)
    return;   /* the client went away meanwhile */
  g_object_set_data (G_OBJECT (msg), "cb-paused", NULL);
  respond (msg, status, body);
  soup_server_message_unpause (msg);
}

/* The OpenAPI document (data/openapi.yaml): behind the same door as the API it describes. */
static void
handle_openapi (SoupServerMessage *msg,
                const char        *method)
{
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      respond_method_not_allowed (msg, "GET, HEAD, OPTIONS");
      return;
    }
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    (const char *) cb_openapi_json, cb_openapi_json_length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

/* Prometheus scrapes: the same access rules as REST (a remote scraper sends Basic). */
static void
handle_metrics (CbServer          *self,
                SoupServerMessage *msg,
                const char        *method)
{
  char *text;

  if (method == SOUP_METHOD_OPTIONS)
    {
      handle_preflight (msg);
      return;
    }
  if (!check_auth (self, msg))
    return;
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      respond_method_not_allowed (msg, "GET, HEAD, OPTIONS");
      return;
    }
  text = cb_metrics_render (self->engine, cb_server_get_n_sessions (self));
  soup_server_message_set_response (msg, CB_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE,
                                    text, strlen (text));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle_rest (CbServer          *self,
             SoupServerMessage *msg,
             const char        *method,
             const char        *path)
{
  const CbRestVerb *verb;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *data;
  gsize length = 0;
  guint status;

  if (method == SOUP_METHOD_OPTIONS)
    {
      handle_preflight (msg);
      return;
    }

  if (!check_auth (self, msg))
    return;

  if (g_str_equal (path, CB_REST_PREFIX "openapi.json"))
    {
      handle_openapi (msg, method);
      return;
    }

  verb = cb_rest_lookup_verb (path + strlen (CB_REST_PREFIX));
  if (verb == NULL)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "No such REST method");
      return;
    }

  if (method != SOUP_METHOD_POST)
    {
      respond_method_not_allowed (msg, "POST, OPTIONS");
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &length);

  if (verb->async_handler != NULL)
    {
      /* The answer comes later: hold the message, and answer only if the client is
       * still there. */
      soup_server_message_pause (msg);
      g_object_set_data (G_OBJECT (msg), "cb-paused", GINT_TO_POINTER (1));
      g_signal_connect (msg, "finished", G_CALLBACK (on_paused_msg_finished), NULL);
      cb_rest_call_async (self->engine, verb, data != NULL ? data : "", length, on_rest_reply,
                          g_object_ref (msg));
      return;
    }

  status = cb_rest_call (self->engine, verb, data != NULL ? data : "", length, &answer);
  g_debug ("POST %s from %s: %u", path, remote_host (msg), status);
  respond (msg, status, answer);
}

static void
on_http_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CbServer *self = CB_SERVER (user_data);
  const char *method = soup_server_message_get_method (msg);

  if (path == NULL)
    path = "/";

  if (!g_str_equal (path, "/health"))
    cb_server_add_cors (self, msg, CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS, NULL);

  if (g_str_equal (path, "/health"))
    handle_health (self, msg, method);
  else if (g_str_has_prefix (path, CB_REST_PREFIX))
    handle_rest (self, msg, method, path);
  else if (g_str_equal (path, "/metrics"))
    handle_metrics (self, msg, method);
  else if (method == SOUP_METHOD_OPTIONS)
    handle_preflight (msg);
  else
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

/* ---- WebSocket ----------------------------------------------------------------------- */

static void
on_session_closed (CbWsSession *session,
                   gpointer     user_data)
{
  CbServer *self = CB_SERVER (user_data);

  g_signal_handlers_disconnect_by_data (session, self);
  g_ptr_array_remove_fast (self->sessions, session);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  CbServer *self = CB_SERVER (user_data);
  CbSettings *settings = cb_engine_get_settings (self->engine);
  g_autofree char *token = NULL;
  CbWsSession *session;
  gint64 interval, probes;
  CbRestAuthConfig config;
  CbRestRequest request;
  CbRestSource source = CB_REST_SOURCE_REMOTE;
  gboolean may_publish, may_play;

  token = cb_ws_session_make_auth_token (soup_server_message_get_remote_address (msg),
                                         soup_server_message_get_local_address (msg));
  /* Not an internet socket (soup_server_accept_iostream): any unique token will do. */
  if (token == NULL)
    token = g_uuid_string_random ();

  interval = cb_server_settings_get_int (settings, "keep_alive.server_interval",
                                         DEFAULT_PING_INTERVAL_MS);
  probes = cb_server_settings_get_int (settings, "keep_alive.probes", DEFAULT_PING_PROBES);

  g_debug ("WebSocket %s opened on %s", token, path != NULL ? path : "/");

  session = cb_ws_session_new (self->engine, connection, self->context, token,
                               (guint) CLAMP (interval, 0, G_MAXINT),
                               (guint) CLAMP (probes, 1, G_MAXINT));
  cb_ws_session_set_loopback_address (session,
                                      cb_rest_auth_loopback_literal (soup_server_message_get_local_address (msg)));
  cb_ws_session_set_local_address (session,
                                   cb_rest_auth_local_literal (soup_server_message_get_local_address (msg)));

  /* The handshake carries the page's Origin. Publishing is what WCS's public model
   * leaves open to other machines (as RTMP ingest is), but not to pages of other sites
   * or names (cb_rest_auth_check decides, credentials in an Authorization header count);
   * playing is open to all unless ws_play_any_origin=false. */
  cb_server_get_auth_config (self, &config);
  cb_server_request_init (&request, msg);
  may_publish = cb_rest_auth_check (&request, &config, &source) == CB_REST_AUTH_ALLOW ||
                source == CB_REST_SOURCE_REMOTE;
  may_play = may_publish || cb_server_settings_get_bool (settings, "ws_play_any_origin",
                                                         DEFAULT_WS_PLAY_ANY_ORIGIN);
  cb_ws_session_set_permissions (session, may_publish, may_play);
  if (!may_publish)
    g_debug ("WebSocket %s: from %s: may %s", token,
             source == CB_REST_SOURCE_FOREIGN_PAGE ? "a page of another site" : "another host name",
             may_play ? "play only" : "neither publish nor play");
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), self);
  g_ptr_array_add (self->sessions, session);
}

/* ---- listening ------------------------------------------------------------------------- */

static gboolean
is_any_address (const char *bind)
{
  return bind == NULL || bind[0] == '\0' || g_str_equal (bind, "0.0.0.0") ||
         g_str_equal (bind, "::") || g_str_equal (bind, "*");
}

/* The port of the first listening socket. (soup_server_get_uris() leaks an address per
 * call in libsoup 3.2.) */
static guint
get_bound_port (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  guint port = 0;

  for (const GSList *l = listeners; l != NULL && port == 0; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (l->data, NULL);

      if (address != NULL && G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);

  return port;
}

static gboolean
listen_address (SoupServer    *server,
                gboolean       tls,
                GInetAddress  *address,
                guint          port,
                GError       **error)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = NULL;
  GSocketFamily family = g_socket_address_get_family (socket_address);

  /* Our own socket rather than soup_server_listen()'s, for its backlog (libsoup's is 10). */
  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);
  g_socket_set_listen_backlog (socket, CB_LISTEN_BACKLOG);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  return soup_server_listen_socket (server, socket, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

/* IPv4 and IPv6 on the same port, as soup_server_listen_all() does (which leaks in
 * libsoup 3.2). IPv6 is skipped where the system has none. */
static gboolean
listen_dual (SoupServer    *server,
             gboolean       tls,
             GInetAddress  *address4,
             GInetAddress  *address6,
             guint          port,
             GError       **error)
{
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) v6_error = NULL;
      guint bound;

      if (!listen_address (server, tls, address4, port, error))
        return FALSE;

      bound = get_bound_port (server);
      if (listen_address (server, tls, address6, bound, &v6_error))
        return TRUE;

      /* An ephemeral port free on IPv4 may be taken on IPv6: pick another. */
      if (port == 0 && attempt < 10 &&
          g_error_matches (v6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          soup_server_disconnect (server);
          continue;
        }

      if (g_error_matches (v6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&v6_error));
          return FALSE;
        }

      g_debug ("No IPv6 listener on port %u: %s", bound, v6_error->message);
      return TRUE;
    }
}

static gboolean listen_on (SoupServer *server, gboolean tls, const char *what, const char *bind,
                           guint port, guint *bound_port, GError **error);
static guint port_setting (CbSettings *settings, const char *key, guint fallback);

static SoupServer *
make_http_server (CbServer        *self,
                  GTlsCertificate *certificate)
{
  SoupServer *server = soup_server_new ("server-header", "Castbridge/" PACKAGE_VERSION,
                                        "tls-certificate", certificate, NULL);

  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  soup_server_add_handler (server, NULL, on_http_request, self, NULL);
  cb_whip_register (server, self->engine, self);
  return server;
}

static SoupServer *
make_ws_server (CbServer        *self,
                GTlsCertificate *certificate)
{
  SoupServer *server = soup_server_new ("server-header", "Castbridge/" PACKAGE_VERSION,
                                        "tls-certificate", certificate, NULL);

  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  /* WCS clients open ws://host:8080 with no path, or /websocket, or anything else. */
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, on_websocket, self, NULL);
  return server;
}

/* HTTPS and WSS, when tls_certificate_file and tls_key_file name a PEM certificate
 * and key: the same handlers as HTTP and WS, on https.port and wss.port. */
static gboolean
start_tls (CbServer    *self,
           CbSettings  *settings,
           const char  *bind,
           GError     **error)
{
  const char *cert = cb_server_settings_get_string (settings, "tls_certificate_file", "");
  const char *key = cb_server_settings_get_string (settings, "tls_key_file", "");
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  if (*cert == '\0' && *key == '\0')
    return TRUE;
  certificate = g_tls_certificate_new_from_files (cert, *key ? key : cert, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_LISTEN,
                   "Cannot load the TLS certificate (tls_certificate_file, tls_key_file): %s",
                   local_error->message);
      return FALSE;
    }
  g_clear_object (&self->https_server);
  g_clear_object (&self->wss_server);
  self->https_server = make_http_server (self, certificate);
  self->wss_server = make_ws_server (self, certificate);
  return listen_on (self->https_server, TRUE, "HTTPS", bind,
                    port_setting (settings, "https.port", 8444), &self->https_port, error) &&
         listen_on (self->wss_server, TRUE, "WSS", bind,
                    port_setting (settings, "wss.port", 8443), &self->wss_port, error);
}

static gboolean
listen_on (SoupServer  *server,
           gboolean     tls,
           const char  *what,
           const char  *bind,
           guint        port,
           guint       *bound_port,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (is_any_address (bind) || g_ascii_strcasecmp (bind, "localhost") == 0)
    {
      gboolean any = is_any_address (bind);
      g_autoptr(GInetAddress) address4 =
        any ? g_inet_address_new_any (G_SOCKET_FAMILY_IPV4)
            : g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GInetAddress) address6 =
        any ? g_inet_address_new_any (G_SOCKET_FAMILY_IPV6)
            : g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);

      ok = listen_dual (server, tls, address4, address6, port, &local_error);
    }
  else
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (bind);

      if (address == NULL)
        {
          g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_LISTEN,
                       "Cannot listen for %s: bind_address '%s' is not an IP address",
                       what, bind);
          return FALSE;
        }
      ok = listen_address (server, tls, address, port, &local_error);
    }

  if (!ok)
    {
      soup_server_disconnect (server);
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_LISTEN,
                   "Cannot listen for %s on %s port %u: %s", what,
                   is_any_address (bind) ? "all addresses" : bind, port,
                   local_error->message);
      return FALSE;
    }

  *bound_port = get_bound_port (server);
  return TRUE;
}

static guint
port_setting (CbSettings *settings,
              const char *key,
              guint       fallback)
{
  gint64 value = cb_server_settings_get_int (settings, key, fallback);

  if (value < 0 || value > 65535)
    {
      g_warning ("Setting %s=%" G_GINT64_FORMAT " is not a port, using %u",
                 key, value, fallback);
      return fallback;
    }
  return (guint) value;
}

gboolean
cb_server_start (CbServer  *self,
                 GError   **error)
{
  CbSettings *settings;
  const char *bind;
  guint http_port, ws_port, rtmp_port;
  gboolean pushed = FALSE;
  gboolean ok;

  g_return_val_if_fail (CB_IS_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    return TRUE;

  settings = cb_engine_get_settings (self->engine);
  bind = cb_server_settings_get_string (settings, "bind_address", DEFAULT_BIND_ADDRESS);
  http_port = port_setting (settings, "http.port", DEFAULT_HTTP_PORT);
  ws_port = port_setting (settings, "ws.port", DEFAULT_WS_PORT);
  rtmp_port = port_setting (settings, "rtmp.port", DEFAULT_RTMP_PORT);

  /* libsoup attaches its listening sources to the thread-default context. */
  {
    g_autoptr(GMainContext) current = g_main_context_ref_thread_default ();

    if (current != self->context)
      {
        g_main_context_push_thread_default (self->context);
        pushed = TRUE;
      }
  }

  ok = listen_on (self->http_server, FALSE, "HTTP", bind, http_port, &self->http_port, error) &&
       listen_on (self->ws_server, FALSE, "WebSocket", bind, ws_port, &self->ws_port, error) &&
       start_tls (self, settings, bind, error);

  /* RTMP on the engine's context as well. A port someone else holds costs RTMP only:
   * the studio and the REST API stay useful (castbridge-server makes it fatal itself). */
  if (ok)
    {
      g_autoptr(GError) rtmp_error = NULL;

      g_clear_object (&self->rtmp_server);
      self->rtmp_server = cb_rtmp_server_new (cb_rtmp_ingest_get_server_handler (), self->engine);
      /* 0 to 1000: the setting's rule. */
      cb_rtmp_server_set_play_merge (self->rtmp_server,
                                     (guint) cb_settings_get_int (settings, "rtmp_play_merge_ms"));
      if (cb_rtmp_server_listen (self->rtmp_server, bind, rtmp_port, &rtmp_error))
        self->rtmp_port = cb_rtmp_server_get_port (self->rtmp_server);
      else
        {
          g_message ("Cannot listen for RTMP on %s port %u: %s",
                     is_any_address (bind) ? "all addresses" : bind, rtmp_port,
                     rtmp_error->message);
          g_clear_object (&self->rtmp_server);
          self->rtmp_port = 0;
        }
    }

  if (pushed)
    g_main_context_pop_thread_default (self->context);

  if (!ok)
    {
      soup_server_disconnect (self->http_server);
      soup_server_disconnect (self->ws_server);
      if (self->https_server != NULL)
        soup_server_disconnect (self->https_server);
      if (self->wss_server != NULL)
        soup_server_disconnect (self->wss_server);
      self->http_port = self->ws_port = self->https_port = self->wss_port = 0;
      return FALSE;
    }

  g_strfreev (self->machine_names);
  self->machine_names = read_machine_names ();
  self->started = TRUE;
  g_debug ("Listening on %s: HTTP %u, WebSocket %u, RTMP %u",
           is_any_address (bind) ? "all addresses" : bind, self->http_port, self->ws_port,
           self->rtmp_port);
  return TRUE;
}

void
cb_server_stop (CbServer *self)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_if_fail (CB_IS_SERVER (self));

  /* Drop the sessions first: each closes its socket as it goes. */
  sessions = g_steal_pointer (&self->sessions);
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < sessions->len; i++)
    {
      CbWsSession *session = g_ptr_array_index (sessions, i);

      g_signal_handlers_disconnect_by_data (session, self);
      cb_ws_session_close (session, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Server stopped");
    }

  if (self->http_server != NULL)
    soup_server_disconnect (self->http_server);
  if (self->ws_server != NULL)
    soup_server_disconnect (self->ws_server);
  if (self->https_server != NULL)
    soup_server_disconnect (self->https_server);
  if (self->wss_server != NULL)
    soup_server_disconnect (self->wss_server);
  if (self->rtmp_server != NULL)
    cb_rtmp_server_stop (self->rtmp_server);
  g_clear_object (&self->rtmp_server);

  self->http_port = 0;
  self->ws_port = 0;
  self->rtmp_port = 0;
  self->started = FALSE;
}

guint
cb_server_get_http_port (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);

  return self->http_port;
}

guint
cb_server_get_ws_port (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);

  return self->ws_port;
}

/**
 * cb_server_get_rtmp_port:
 *
 * Returns: the RTMP port listened on, or 0 when RTMP is not listening (the server is
 *   stopped, or rtmp.port could not be bound)
 */
guint
cb_server_get_rtmp_port (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);

  return self->rtmp_port;
}

guint
cb_server_get_n_sessions (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);

  return self->sessions->len;
}

/* ---- object ----------------------------------------------------------------------------- */

static void
cb_server_dispose (GObject *object)
{
  CbServer *self = CB_SERVER (object);

  if (self->sessions != NULL)
    cb_server_stop (self);

  g_clear_object (&self->http_server);
  g_clear_object (&self->ws_server);
  g_clear_object (&self->https_server);
  g_clear_object (&self->wss_server);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->hook, cb_rest_hook_free);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_server_parent_class)->dispose (object);
}

static void
cb_server_finalize (GObject *object)
{
  CbServer *self = CB_SERVER (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->machine_names, g_strfreev);

  G_OBJECT_CLASS (cb_server_parent_class)->finalize (object);
}

static void
cb_server_class_init (CbServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_server_dispose;
  object_class->finalize = cb_server_finalize;

  too_large_quark = g_quark_from_static_string ("cb-server-body-too-large");
}

static void
cb_server_init (CbServer *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
}

CbServer *
cb_server_new (CbEngine *engine)
{
  CbServer *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  self = g_object_new (CB_TYPE_SERVER, NULL);
  self->engine = g_object_ref (engine);
  self->context = g_main_context_ref_thread_default ();

  self->http_server = make_http_server (self, NULL);
  self->ws_server = make_ws_server (self, NULL);
  self->hook = cb_rest_hook_new (engine);

  return self;
}

guint
cb_server_get_https_port (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);
  return self->https_port;
}

guint
cb_server_get_wss_port (CbServer *self)
{
  g_return_val_if_fail (CB_IS_SERVER (self), 0);
  return self->wss_port;
}
