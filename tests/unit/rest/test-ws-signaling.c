/* test-ws-signaling.c — every WCS signaling message, valid and broken, on a real engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session runs over an in-memory stream: what the server writes is read back as
 * WebSocket frames and checked, one row per case.
 */
#include <gio/gunixinputstream.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "cb-ws-session.h"

typedef struct {
  CbEngine                *engine;
  int                      pipe_fds[2];   /* the client side never writes nor closes */
  GOutputStream           *out;
  SoupWebsocketConnection *connection;
  CbWsSession             *session;
  gsize                    skip;          /* output bytes before the row's frame */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GIOStream) io = NULL;
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) live = NULL;

  g_assert_cmpint (pipe (f->pipe_fds), ==, 0);
  in = g_unix_input_stream_new (f->pipe_fds[0], TRUE);
  f->engine = cb_engine_new (NULL);
  live = cb_stream_new ("live", "RTMP");
  g_assert_true (cb_engine_add_stream (f->engine, live, NULL, NULL, NULL, &error));
  f->out = g_memory_output_stream_new_resizable ();
  io = g_simple_io_stream_new (in, f->out);
  f->connection = soup_websocket_connection_new (io, uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                                 NULL, NULL, NULL);
  f->session = cb_ws_session_new (f->engine, f->connection, NULL, "/127.0.0.1:1/127.0.0.1:2", 0, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->connection);
  g_clear_object (&f->out);
  close (f->pipe_fds[1]);
  cb_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
}

static void
iterate (void)
{
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* The text frames written so far, parsed as JSON messages; returns their names joined by ','. */
static char *
replies (Fixture    *f,
         GPtrArray **objects)
{
  const guint8 *p = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (f->out));
  gsize len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->out));
  g_autoptr(GString) names = g_string_new (NULL);
  gsize pos = f->skip;

  if (objects != NULL)
    *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  while (pos + 2 <= len)
    {
      guint8 opcode = p[pos] & 0x0f;
      guint64 n = p[pos + 1] & 0x7f;
      gsize header = 2;
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (n == 126)
        {
          n = ((guint64) p[pos + 2] << 8) | p[pos + 3];
          header = 4;
        }
      else if (n == 127)
        {
          n = 0;
          for (int i = 0; i < 8; i++)
            n = (n << 8) | p[pos + 2 + i];
          header = 10;
        }
      g_assert_cmpuint (pos + header + n, <=, len);
      /* JSON has no raw control characters: a browser's JSON.parse would throw. */
      for (guint64 i = 0; opcode == 1 && i < n; i++)
        g_assert_cmpuint (p[pos + header + i], >=, 0x20);
      if (opcode == 1 && json_parser_load_from_data (parser, (const char *) p + pos + header, n, NULL))
        {
          JsonObject *o = json_node_get_object (json_parser_get_root (parser));
          const char *name = json_object_get_string_member (o, "message");

          if (!g_str_equal (name, "ping"))
            {
              if (names->len > 0)
                g_string_append_c (names, ',');
              g_string_append (names, name);
              if (objects != NULL)
                g_ptr_array_add (*objects, json_node_copy (json_parser_get_root (parser)));
            }
        }
      pos += header + n;
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

typedef struct {
  const char *name;
  const char *frame;
  const char *expect;        /* reply names, comma-separated ("" for none) */
  const char *status;        /* for a notifyStreamStatusEvent: its status */
  const char *info;          /* and its info */
  guint       setup;         /* what comes before the frame: SETUP_* */
} Row;

/* By default a row runs on an established session (a `connection` came first) that may
 * publish and play, as the SDK's sessions are. */
enum {
  SETUP_CONNECTED = 0,
  SETUP_NONE,                /* nothing: the frame is the first */
  SETUP_PLAY_ONLY,           /* a page of another site: may play, not publish */
  SETUP_NOTHING_ALLOWED,     /* the same with ws_play_any_origin=false */
};

static const Row rows[] = {
  { "connection", "{\"message\":\"connection\",\"data\":[{\"appKey\":\"defaultApp\"}]}", "getUserData,getVersion", NULL, NULL, SETUP_NONE },
  { "connection-no-data", "{\"message\":\"connection\"}", "getUserData,getVersion", NULL, NULL, SETUP_NONE },
  /* WCS clients say `connection` first; a stream message before it is refused. */
  { "publish-before-connection", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"b1\",\"name\":\"new\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Connection not established", SETUP_NONE },
  { "play-before-connection", "{\"message\":\"playStream\",\"data\":[{\"mediaSessionId\":\"b2\",\"name\":\"live\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Connection not established", SETUP_NONE },
  /* A page of another site may play (ws_play_any_origin), not publish. */
  { "publish-restricted", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"r1\",\"name\":\"new\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Restricted access", SETUP_PLAY_ONLY },
  { "play-allowed", "{\"message\":\"playStream\",\"data\":[{\"mediaSessionId\":\"r2\",\"name\":\"nope\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Stream not found", SETUP_PLAY_ONLY },
  { "play-restricted", "{\"message\":\"playStream\",\"data\":[{\"mediaSessionId\":\"r3\",\"name\":\"live\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Restricted access", SETUP_NOTHING_ALLOWED },
  { "ping", "{\"message\":\"ping\",\"data\":[null]}", "pong" },
  { "pong", "{\"message\":\"pong\",\"data\":[null]}", "" },
  { "unknown-message", "{\"message\":\"danceStream\",\"data\":[{}]}", "" },
  { "message-not-string", "{\"message\":5,\"data\":[{}]}", "" },
  { "malformed", "{\"message\":\"connection\",", "" },
  { "not-object", "[\"connection\"]", "" },
  { "nul-byte", "{\"message\":\"ping\"}\0", "" },
  { "publish-missing-sdp", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"m1\",\"name\":\"a\"}]}",
    "notifyStreamStatusEvent", "FAILED", NULL },
  { "publish-missing-id", "{\"message\":\"publishStream\",\"data\":[{\"name\":\"a\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", NULL },
  { "publish-name-taken", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"m2\",\"name\":\"live\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Stream name is already in use" },
  { "publish-bad-name", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"m3\",\"name\":\"../x\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", NULL },
  { "publish-junk-sdp", "{\"message\":\"publishStream\",\"data\":[{\"mediaSessionId\":\"m4\",\"name\":\"new\",\"sdp\":\"junk\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Bad SDP offer" },
  { "play-unknown", "{\"message\":\"playStream\",\"data\":[{\"mediaSessionId\":\"m5\",\"name\":\"nope\",\"sdp\":\"v=0\"}]}",
    "notifyStreamStatusEvent", "FAILED", "Stream not found" },
  { "play-wrong-types", "{\"message\":\"playStream\",\"data\":[{\"mediaSessionId\":5,\"name\":[],\"sdp\":{}}]}",
    "notifyStreamStatusEvent", "FAILED", NULL },
  { "unpublish-not-ours", "{\"message\":\"unPublishStream\",\"data\":[{\"mediaSessionId\":\"x\"}]}", "" },
  { "stop-not-ours", "{\"message\":\"stopStream\",\"data\":[{\"mediaSessionId\":\"x\"}]}", "" },
  { "available-yes", "{\"message\":\"availableStream\",\"data\":[{\"mediaSessionId\":\"q\",\"name\":\"live\"}]}", "availableStream" },
  { "control-chars-echoed", "{\"message\":\"availableStream\",\"data\":[{\"mediaSessionId\":\"q\\u0001\\u001f\\n\",\"name\":\"nope\"}]}", "availableStream" },
  { "available-no", "{\"message\":\"availableStream\",\"data\":[{\"mediaSessionId\":\"q\",\"name\":\"nope\"}]}", "availableStream" },
  { "stream-event-not-ours", "{\"message\":\"sendStreamEvent\",\"data\":[{\"mediaSessionId\":\"x\",\"type\":\"audioMuted\"}]}", "" },
  { "send-data", "{\"message\":\"sendData\",\"data\":[{\"operationId\":\"op\"}]}", "DataStatusEvent" },
  { "push-logs", "{\"message\":\"pushLogs\",\"data\":[{}]}", "" },
  { "snapshot-unknown", "{\"message\":\"snapshot\",\"data\":[{\"mediaSessionId\":\"s\",\"name\":\"nope\"}]}", "notifyStreamEvent" },
};

static void
test_row (Fixture       *f,
          gconstpointer  data)
{
  const Row *row = data;
  g_autoptr(GPtrArray) objects = NULL;
  g_autofree char *names = NULL;
  gsize len = strlen (row->frame);

  if (g_str_equal (row->name, "nul-byte"))
    len += 1;
  if (row->setup != SETUP_NONE)
    {
      static const char connection[] = "{\"message\":\"connection\",\"data\":[{}]}";

      cb_ws_session_handle_text (f->session, connection, strlen (connection));
      iterate ();
      f->skip = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->out));
    }
  if (row->setup == SETUP_PLAY_ONLY || row->setup == SETUP_NOTHING_ALLOWED)
    cb_ws_session_set_permissions (f->session, FALSE, row->setup == SETUP_PLAY_ONLY);
  cb_ws_session_handle_text (f->session, row->frame, len);
  iterate ();
  names = replies (f, &objects);
  g_assert_cmpstr (names, ==, row->expect);

  if (row->status != NULL)
    {
      JsonObject *msg = json_node_get_object (g_ptr_array_index (objects, 0));
      JsonObject *stream = json_array_get_object_element (json_object_get_array_member (msg, "data"), 0);

      g_assert_cmpstr (json_object_get_string_member (stream, "status"), ==, row->status);
      if (row->info != NULL)
        g_assert_cmpstr (json_object_get_string_member (stream, "info"), ==, row->info);
      else
        g_assert_cmpstr (json_object_get_string_member (stream, "info"), !=, "");
    }
  if (g_str_has_prefix (row->name, "available-"))
    {
      JsonObject *msg = json_node_get_object (g_ptr_array_index (objects, 0));
      JsonObject *arg = json_array_get_object_element (json_object_get_array_member (msg, "data"), 0);

      g_assert_cmpstr (json_object_get_string_member (arg, "id"), ==, "q");
      g_assert_cmpstr (json_object_get_string_member (arg, "status"), ==,
                       g_str_equal (row->name, "available-yes") ? "true" : "false");
    }
  /* Whatever came before, the session still answers. */
  cb_ws_session_handle_text (f->session, "{\"message\":\"ping\"}", 18);
  iterate ();
  g_free (names);
  names = replies (f, NULL);
  g_assert_true (g_str_has_suffix (names, "pong"));
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/server/signaling/%s", rows[i].name);
      g_test_add (path, Fixture, &rows[i], fixture_set_up, test_row, fixture_tear_down);
    }
  return g_test_run ();
}
