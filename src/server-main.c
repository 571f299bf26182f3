/* server-main.c — castbridge-server: the engine and the server, no GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <locale.h>
#include <stdio.h>
#include <gst/gst.h>

#include "cb-engine.h"
#include "cb-platform.h"
#include "cb-record-file.h"
#include "cb-server.h"

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
set_port_option (CbSettings  *settings,
                 const char  *key,
                 int          value,
                 GError     **error)
{
  g_autofree char *text = NULL;

  if (value < 0)
    return TRUE;
  text = g_strdup_printf ("%d", value);
  return cb_settings_set (settings, key, text, error);
}

static void
print_settings (CbSettings *settings)
{
  guint n;
  const CbSettingInfo *known = cb_settings_get_known (&n);

  for (guint i = 0; i < n; i++)
    g_print ("%-40s %-12s %s\n", known[i].key,
             known[i].secret ? "(secret)" : cb_settings_get_string (settings, known[i].key),
             known[i].description);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbSettings) settings = NULL;
  g_autoptr(CbEngine) engine = NULL;
  g_autoptr(CbServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *config = NULL;
  g_autofree char *media_dir = NULL;
  g_autofree char *bind = NULL;
  g_auto(GStrv) publish = NULL;
  g_auto(GStrv) overrides = NULL;
  int http_port = -1, ws_port = -1, rtmp_port = -1;
  gboolean version = FALSE, list_settings = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "Settings file (key=value)", "FILE" },
    { "media-dir", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, "Media folder", "DIR" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Address to listen on (default 0.0.0.0)", "ADDR" },
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, "REST/HTTP port (8081; 0 picks one)", "N" },
    { "ws-port", 0, 0, G_OPTION_ARG_INT, &ws_port, "WebSocket port (8080; 0 picks one)", "N" },
    { "rtmp-port", 0, 0, G_OPTION_ARG_INT, &rtmp_port, "RTMP port (1935; 0 picks one)", "N" },
    { "publish", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &publish,
      "Publish a stream: SOURCE is test, camera, mic, camera+mic or file:PATH", "NAME=SOURCE" },
    { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "Set a setting", "KEY=VALUE" },
    { "list-settings", 0, 0, G_OPTION_ARG_NONE, &list_settings, "List the settings and exit", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  /* Recordings are remuxed in a child of this program: this may be one. */
  int worker = cb_record_file_worker_main (argc, argv);

  if (worker >= 0)
    return worker;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— Castbridge media server, headless");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("castbridge-server: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("castbridge-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  settings = cb_settings_new ();
  if (config != NULL && !cb_settings_load_file (settings, config, &error))
    goto fail;
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    {
      g_autofree char *key = NULL;

      if (!cb_settings_parse_override (settings, overrides[i], &error))
        goto fail;
      /* Kept (a WCS settings file has keys of its own), but a typo should not pass unseen. */
      key = g_strstrip (g_strndup (overrides[i], strcspn (overrides[i], "=")));
      if (cb_settings_lookup_info (key) == NULL)
        g_printerr ("castbridge-server: “%s” is no setting of Castbridge (see --list-settings): "
                    "kept, but unused\n", key);
    }
  if (!set_port_option (settings, "http.port", http_port, &error) ||
      !set_port_option (settings, "ws.port", ws_port, &error) ||
      !set_port_option (settings, "rtmp.port", rtmp_port, &error) ||
      (media_dir != NULL && !cb_settings_set (settings, "media_dir", media_dir, &error)) ||
      (bind != NULL && !cb_settings_set (settings, "bind_address", bind, &error)))
    goto fail;
  if (list_settings)
    {
      print_settings (settings);
      return 0;
    }

  engine = cb_engine_new (settings);
  server = cb_server_new (engine);
  if (!cb_server_start (server, &error))
    goto fail;
  /* Recordings a crash interrupted are repaired in the background. */
  cb_engine_record_recover (engine);

  for (guint i = 0; publish != NULL && publish[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (publish[i], "=", 2);
      g_autoptr(CbStream) stream = NULL;

      if (kv[0] == NULL || kv[1] == NULL)
        {
          g_set_error (&error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "--publish takes NAME=SOURCE, not “%s”", publish[i]);
          goto fail;
        }
      stream = cb_engine_publish_source (engine, kv[0], kv[1], &error);
      if (stream == NULL)
        goto fail;
    }

  /* Headless, RTMP is half the point: a busy RTMP port is fatal here. */
  if (cb_server_get_rtmp_port (server) == 0)
    {
      g_set_error (&error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "Cannot listen for RTMP on port %" G_GINT64_FORMAT,
                   cb_settings_get_int (settings, "rtmp.port"));
      goto fail;
    }

  /* One line for scripts, then what a person wants to see. */
  g_print ("listening http=%u ws=%u rtmp=%u https=%u wss=%u\n", cb_server_get_http_port (server),
           cb_server_get_ws_port (server), cb_server_get_rtmp_port (server),
           cb_server_get_https_port (server), cb_server_get_wss_port (server));
  g_print ("REST API:   http://127.0.0.1:%u/rest-api/\n", cb_server_get_http_port (server));
  g_print ("Health:     http://127.0.0.1:%u/health\n", cb_server_get_http_port (server));
  g_print ("WebSocket:  ws://127.0.0.1:%u/\n", cb_server_get_ws_port (server));
  g_print ("RTMP:       rtmp://127.0.0.1:%u/live/<stream>\n", cb_server_get_rtmp_port (server));
  g_print ("Web pages:  http://127.0.0.1:%u/client/\n", cb_server_get_http_port (server));
  g_print ("WHIP/WHEP:  http://127.0.0.1:%u/whip/<stream>  /whep/<stream>\n",
           cb_server_get_http_port (server));
  if (cb_server_get_https_port (server) != 0)
    g_print ("HTTPS, WSS: https://127.0.0.1:%u/  wss://127.0.0.1:%u/\n",
             cb_server_get_https_port (server), cb_server_get_wss_port (server));
  g_print ("Media dir:  %s\n", cb_engine_get_media_dir (engine));
  g_print ("Records dir: %s\n", cb_engine_get_records_dir (engine));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  cb_platform_add_quit_watch (on_signal, loop);   /* removed by on_signal's answer */
  g_main_loop_run (loop);

  g_print ("stopping\n");
  cb_engine_shutdown (engine);
  cb_server_stop (server);
  return 0;

fail:
  g_printerr ("castbridge-server: %s\n", error->message);
  if (engine != NULL)
    cb_engine_shutdown (engine);
  return 1;
}
