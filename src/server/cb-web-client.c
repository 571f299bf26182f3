/* cb-web-client.c — the browser pages, from a GResource, and the config they read
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pages (data/web/) speak our WCS WebSocket protocol with a plain RTCPeerConnection,
 * so they need the WebSocket port, which differs from the HTTP port they come from and
 * may have been picked by the system (ws.port=0): they read it from
 * /castbridge/config.json.
 */
#include "config.h"

#include "cb-web-client.h"

#include <string.h>

#include "cb-web-resources.h"

#define RESOURCE_PREFIX "/io/castbridge/web/"
#define CLIENT_PREFIX   "/client/"
#define GET_ALLOW       "GET, HEAD, OPTIONS"

/* Same-origin scripts and styles only; media and WebSocket from anywhere (the WebSocket
 * is on another port, and the player's video comes from a MediaStream). */
#define PAGE_CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
                 "img-src 'self' data:; media-src 'self' blob: mediastream:; " \
                 "connect-src 'self' ws: wss: http: https:; frame-ancestors 'none'; " \
                 "base-uri 'none'; form-action 'none'"

static const struct {
  const char *extension;
  const char *type;
} content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js",   "text/javascript; charset=utf-8" },
  { ".css",  "text/css; charset=utf-8" },
  { ".json", "application/json" },
  { ".svg",  "image/svg+xml" },
  { ".png",  "image/png" },
  { ".ico",  "image/x-icon" },
};

const char *
cb_web_client_content_type (const char *file_name)
{
  for (guint i = 0; file_name != NULL && i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (file_name, content_types[i].extension))
      return content_types[i].type;
  return "application/octet-stream";
}

void
cb_web_client_respond_text (SoupServerMessage *msg,
                            guint              status,
                            const char        *text)
{
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
  soup_server_message_set_status (msg, status, NULL);
}

/* TRUE when the method may read: answers OPTIONS and other methods itself. */
static gboolean
check_get (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;
  soup_message_headers_replace (headers, "Allow", GET_ALLOW);
  if (method == SOUP_METHOD_OPTIONS)
    {
      soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
      soup_message_headers_replace (headers, "Access-Control-Allow-Methods", GET_ALLOW);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return FALSE;
    }
  cb_web_client_respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed\n");
  return FALSE;
}

static gboolean
is_file_name (const char *name)
{
  if (name[0] == '\0' || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.'))
      return FALSE;
  return TRUE;
}

static void
on_client_request (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *resource = NULL;
  const char *name;

  if (!check_get (msg))
    return;

  if (g_str_equal (path, "/client"))
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, CLIENT_PREFIX);
      return;
    }
  if (!g_str_has_prefix (path, CLIENT_PREFIX))
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found\n");
      return;
    }
  name = path + strlen (CLIENT_PREFIX);
  if (*name == '\0')
    name = "index.html";
  if (!is_file_name (name) || g_str_equal (name, "web.gresource.xml"))
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found\n");
      return;
    }

  resource = g_strconcat (RESOURCE_PREFIX, name, NULL);
  /* Looked up in our own resource, not the global list: its constructor alone would not
   * keep the object file in a static library. */
  bytes = g_resource_lookup_data (cb_web_get_resource (), resource, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                  NULL);
  if (bytes == NULL)
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found\n");
      return;
    }

  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  if (g_str_has_suffix (name, ".html"))
    soup_message_headers_replace (headers, "Content-Security-Policy", PAGE_CSP);
  soup_server_message_set_response (msg, cb_web_client_content_type (name), SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
on_config_request (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(CbServer) cb_server = g_weak_ref_get (weak);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *body = NULL;
  g_autofree char *wss = NULL;
  guint wss_port;
  gsize length;

  if (!check_get (msg))
    return;
  if (!g_str_equal (path, "/castbridge/config.json") || cb_server == NULL)
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found\n");
      return;
    }

  /* wssPort is null without a certificate (no WSS listener): pages then use ws://. */
  wss_port = cb_server_get_wss_port (cb_server);
  wss = wss_port > 0 ? g_strdup_printf ("%u", wss_port) : g_strdup ("null");
  body = g_strdup_printf ("{\"wsPort\":%u,\"wssPort\":%s,\"version\":\"%s\"}",
                          cb_server_get_ws_port (cb_server), wss, PACKAGE_VERSION);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  length = strlen (body);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

void
cb_web_client_register (SoupServer *http,
                        CbServer   *server)
{
  GWeakRef *weak;

  g_return_if_fail (SOUP_IS_SERVER (http));
  g_return_if_fail (CB_IS_SERVER (server));

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, server);
  soup_server_add_handler (http, "/client", on_client_request, NULL, NULL);
  soup_server_add_handler (http, "/castbridge/config.json", on_config_request, weak, weak_ref_free);
}
