/* test-rest-server.c — CbServer in-process: ports, start/stop, sessions, finalization
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cb-server.h"

typedef struct {
  CbSettings  *settings;
  CbEngine    *engine;
  CbServer    *server;
  SoupSession *session;
  char        *media_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->media_dir = g_dir_make_tmp ("cb-server-test-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->settings = cb_settings_new ();
  cb_settings_set (fixture->settings, "media_dir", fixture->media_dir, &error);
  g_assert_no_error (error);
  cb_settings_set (fixture->settings, "http.port", "0", &error);
  g_assert_no_error (error);
  cb_settings_set (fixture->settings, "ws.port", "0", &error);
  g_assert_no_error (error);
  cb_settings_set (fixture->settings, "bind_address", "127.0.0.1", &error);
  g_assert_no_error (error);

  fixture->engine = cb_engine_new (fixture->settings);
  fixture->server = cb_server_new (fixture->engine);
  {
    /* Straight to loopback, whatever proxy the environment names. */
    g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

    fixture->session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
  }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->session);
  g_assert_finalize_object (fixture->server);
  cb_engine_shutdown (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_assert_finalize_object (fixture->settings);
  g_rmdir (fixture->media_dir);
  g_free (fixture->media_dir);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* Sends @method @path to the HTTP port and returns the status; the body in *@body. */
static guint
http_call (Fixture     *fixture,
           const char  *method,
           const char  *path,
           GBytes     **body)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          cb_server_get_http_port (fixture->server), path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  GBytes *answer = NULL;

  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (body != NULL)
    *body = answer;
  else
    g_bytes_unref (answer);
  return soup_message_get_status (msg);
}

static void
test_server_ports (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  guint first_port;

  g_assert_cmpuint (cb_server_get_http_port (fixture->server), ==, 0);

  g_assert_true (cb_server_start (fixture->server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cb_server_get_http_port (fixture->server), >, 0);
  g_assert_cmpuint (cb_server_get_ws_port (fixture->server), >, 0);
  g_assert_cmpuint (cb_server_get_http_port (fixture->server), !=,
                    cb_server_get_ws_port (fixture->server));

  /* starting twice is harmless */
  first_port = cb_server_get_http_port (fixture->server);
  g_assert_true (cb_server_start (fixture->server, &error));
  g_assert_cmpuint (cb_server_get_http_port (fixture->server), ==, first_port);

  g_assert_cmpuint (http_call (fixture, "GET", "/health", &body), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  "\"status\":\"ok\""));
  g_assert_cmpuint (http_call (fixture, "POST", "/rest-api/stream/find_all", NULL), ==, 404);
  g_assert_cmpuint (http_call (fixture, "GET", "/rest-api/stream/find_all", NULL), ==, 405);

  cb_server_stop (fixture->server);
  g_assert_cmpuint (cb_server_get_http_port (fixture->server), ==, 0);

  /* and it starts again */
  g_assert_true (cb_server_start (fixture->server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (http_call (fixture, "GET", "/health", NULL), ==, 200);
  cb_server_stop (fixture->server);
}

static void
test_server_port_in_use (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CbServer) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;

  g_assert_true (cb_server_start (fixture->server, &error));
  g_assert_no_error (error);

  port = g_strdup_printf ("%u", cb_server_get_http_port (fixture->server));
  cb_settings_set (fixture->settings, "http.port", port, &error);
  g_assert_no_error (error);

  other = cb_server_new (fixture->engine);
  g_assert_false (cb_server_start (other, &error));
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_LISTEN);
  g_assert_cmpuint (cb_server_get_http_port (other), ==, 0);
  g_assert_cmpuint (cb_server_get_ws_port (other), ==, 0);
  g_clear_error (&error);

  cb_settings_set (fixture->settings, "http.port", "0", &error);
  g_assert_no_error (error);
  /* A bind address that is no IP address is refused by the settings' own rule (the one
   * the preferences window shows), before any server sees it. */
  g_assert_false (cb_settings_set (fixture->settings, "bind_address", "not-an-address", &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);

  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SoupWebsocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
on_websocket_message (SoupWebsocketConnection *connection,
                      int                      type,
                      GBytes                  *message,
                      gpointer                 user_data)
{
  GString *received = user_data;

  g_string_append_len (received, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_string_append_c (received, '\n');
}

static void
test_server_websocket_sessions (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GString) received = g_string_new (NULL);
  g_autofree char *uri = NULL;
  SoupWebsocketConnection *connection = NULL;

  g_assert_true (cb_server_start (fixture->server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cb_server_get_n_sessions (fixture->server), ==, 0);

  uri = g_strdup_printf ("ws://127.0.0.1:%u/", cb_server_get_ws_port (fixture->server));
  msg = soup_message_new ("GET", uri);
  soup_session_websocket_connect_async (fixture->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_websocket_connected, &connection);
  while (connection == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (connection, "message", G_CALLBACK (on_websocket_message), received);

  soup_websocket_connection_send_text (connection,
                                       "{\"message\":\"connection\",\"data\":[{}]}");
  while (g_strstr_len (received->str, -1, "getVersion") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (g_strstr_len (received->str, -1, "\"status\":\"ESTABLISHED\""));
  g_assert_cmpuint (cb_server_get_n_sessions (fixture->server), ==, 1);

  /* the client goes away: the server forgets the session */
  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  while (cb_server_get_n_sessions (fixture->server) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (connection);

  /* a session still open when the server stops is closed by it */
  connection = NULL;
  g_clear_object (&msg);
  msg = soup_message_new ("GET", uri);
  soup_session_websocket_connect_async (fixture->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_websocket_connected, &connection);
  while (connection == NULL || cb_server_get_n_sessions (fixture->server) == 0)
    g_main_context_iteration (NULL, TRUE);

  cb_server_stop (fixture->server);
  g_assert_cmpuint (cb_server_get_n_sessions (fixture->server), ==, 0);
  while (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (connection);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add ("/cb/server/lifecycle/ports", Fixture, NULL,
              fixture_set_up, test_server_ports, fixture_tear_down);
  g_test_add ("/cb/server/lifecycle/port-in-use", Fixture, NULL,
              fixture_set_up, test_server_port_in_use, fixture_tear_down);
  g_test_add ("/cb/server/lifecycle/websocket-sessions", Fixture, NULL,
              fixture_set_up, test_server_websocket_sessions, fixture_tear_down);

  return g_test_run ();
}
