/* fuzz-signaling.c — WCS WebSocket signaling messages, as a client could send them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is one text frame handled by a fresh session on a real engine: malformed
 * JSON, wrong types, unknown messages, junk SDP in publishStream/playStream. Nothing may
 * crash, assert or log a critical.
 */
#include <libsoup/soup.h>
#include <string.h>

#include "cb-engine.h"
#include "cb-ws-session.h"

#include "fuzz-common.h"

static CbEngine *engine;

static void
iterate (void)
{
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GIOStream) io = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(CbWsSession) session = NULL;

  if (engine == NULL)
    {
      g_autoptr(CbSettings) settings = cb_settings_new ();

      g_setenv ("G_DEBUG", "fatal-criticals", TRUE);
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      gst_init (NULL, NULL);
      engine = cb_engine_new (settings);
    }

  in = g_memory_input_stream_new ();
  out = g_memory_output_stream_new_resizable ();
  io = g_simple_io_stream_new (in, out);
  uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);
  connection = soup_websocket_connection_new (io, uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                              NULL, NULL, NULL);
  session = cb_ws_session_new (engine, connection, NULL, "/127.0.0.1:1/127.0.0.1:2", 0, 0);
  /* Stream messages are read only on an established session: start as the SDK does. */
  cb_ws_session_handle_text (session, "{\"message\":\"connection\",\"data\":[{}]}",
                             strlen ("{\"message\":\"connection\",\"data\":[{}]}"));
  cb_ws_session_handle_text (session, (const char *) data, size);
  iterate ();
  cb_ws_session_close (session, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&session);
  iterate ();
  return 0;
}
