/* test-rtmp-server.c — the server session: handshake, commands, publish, play, bad input
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scripted client (our own handshake, chunk writer and reader) talks to a session with
 * no socket; a recording handler shows what the session asked of its owner.
 */
#include <string.h>

#include "cb-amf0.h"
#include "cb-flv.h"
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-handshake.h"
#include "cb-rtmp-server.h"
#include "rtmp-test-util.h"

/* ---- a recording handler --------------------------------------------------------- */

typedef enum {
  VERDICT_OK,
  VERDICT_BAD_NAME,
  VERDICT_REJECT,
} Verdict;

typedef struct {
  GPtrArray *events;       /* "publish cam q=…", "media 9 40 5", "end 1 reason", … */
  gboolean   refuse_connect;
  Verdict    verdict;
  guint      next_handle;
  guint      live_handles;
} Recorder;

static void
record (Recorder   *r,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
record (Recorder   *r,
        const char *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (r->events, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
rec_connect (gpointer                  data,
             CbRtmpServerSession      *session,
             const CbRtmpConnectInfo  *info,
             GError                  **error)
{
  Recorder *r = data;

  record (r, "connect %s q=%s", info->app, info->query ? info->query : "");
  if (r->refuse_connect)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "go away");
      return FALSE;
    }
  return TRUE;
}

static gpointer
rec_start (Recorder     *r,
           const char   *what,
           guint32       stream_id,
           const char   *name,
           const char   *query,
           GError      **error)
{
  record (r, "%s %u %s q=%s", what, stream_id, name, query ? query : "");
  switch (r->verdict)
    {
    case VERDICT_BAD_NAME:
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "Stream name is already in use");
      return NULL;
    case VERDICT_REJECT:
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "Restricted access");
      return NULL;
    case VERDICT_OK:
    default:
      r->live_handles++;
      return GUINT_TO_POINTER (++r->next_handle);
    }
}

static gpointer
rec_publish (gpointer              data,
             CbRtmpServerSession  *session,
             guint32               stream_id,
             const char           *name,
             const char           *query,
             GError              **error)
{
  return rec_start (data, "publish", stream_id, name, query, error);
}

static gpointer
rec_play (gpointer              data,
          CbRtmpServerSession  *session,
          guint32               stream_id,
          const char           *name,
          const char           *query,
          GError              **error)
{
  return rec_start (data, "play", stream_id, name, query, error);
}

static void
rec_media (gpointer  data,
           gpointer  handle,
           guint8    type_id,
           guint32   timestamp,
           GBytes   *payload)
{
  record (data, "media %u %u %u %" G_GSIZE_FORMAT, GPOINTER_TO_UINT (handle), type_id,
          timestamp, g_bytes_get_size (payload));
}

static void
rec_end (gpointer    data,
         gpointer    handle,
         const char *reason)
{
  Recorder *r = data;

  g_assert_cmpuint (r->live_handles, >, 0);
  r->live_handles--;
  record (r, "end %u %s", GPOINTER_TO_UINT (handle), reason);
}

static const CbRtmpServerHandler recorder_handler = {
  rec_connect, rec_publish, rec_play, rec_media, rec_end,
};

/* ---- a scripted client ------------------------------------------------------------ */

typedef struct {
  Recorder             rec;
  CbRtmpServerSession *session;
  CbRtmpChunkWriter   *writer;
  CbRtmpChunkReader   *reader;
  GByteArray          *wire;     /* every byte the client sent */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->rec.events = g_ptr_array_new_with_free_func (g_free);
  f->session = cb_rtmp_server_session_new (&recorder_handler, &f->rec, "127.0.0.1:1234");
  f->writer = cb_rtmp_chunk_writer_new ();
  f->reader = cb_rtmp_chunk_reader_new ();
  f->wire = g_byte_array_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->session, cb_rtmp_server_session_free);
  g_assert_cmpuint (f->rec.live_handles, ==, 0);   /* every handle ended */
  g_ptr_array_unref (f->rec.events);
  cb_rtmp_chunk_writer_free (f->writer);
  cb_rtmp_chunk_reader_free (f->reader);
  g_byte_array_unref (f->wire);
}

static gboolean
feed (Fixture      *f,
      const guint8 *data,
      gsize         len,
      GError      **error)
{
  g_byte_array_append (f->wire, data, len);
  return cb_rtmp_server_session_feed (f->session, data, len, error);
}

static void
feed_ok (Fixture      *f,
         const guint8 *data,
         gsize         len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (feed (f, data, len, &error));
  g_assert_no_error (error);
}

/* The server's output since the last call, as messages (the handshake skipped). */
static GPtrArray *
server_messages (Fixture *f)
{
  g_autoptr(GBytes) out = cb_rtmp_server_session_take_output (f->session);
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_message_free);
  gsize len;
  const guint8 *data = g_bytes_get_data (out, &len);

  cb_rtmp_chunk_reader_feed (f->reader, data, len);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      CbRtmpMessage *m = NULL;

      g_assert_true (cb_rtmp_chunk_reader_next (f->reader, &m, &error));
      if (m == NULL)
        break;
      g_ptr_array_add (messages, m);
    }
  return messages;
}

static void
handshake (Fixture *f)
{
  g_autoptr(CbRtmpHandshake) hs = cb_rtmp_handshake_new_full (CB_RTMP_HANDSHAKE_CLIENT, 0, 7);
  g_autoptr(GBytes) c0c1 = cb_rtmp_handshake_take_output (hs);
  g_autoptr(GBytes) s012 = NULL;
  g_autoptr(GBytes) c2 = NULL;
  g_autoptr(GError) error = NULL;
  gsize consumed;

  feed_ok (f, g_bytes_get_data (c0c1, NULL), g_bytes_get_size (c0c1));
  s012 = cb_rtmp_server_session_take_output (f->session);
  g_assert_cmpuint (g_bytes_get_size (s012), ==, 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE);
  g_assert_true (cb_rtmp_handshake_feed (hs, g_bytes_get_data (s012, NULL), g_bytes_get_size (s012),
                                         &consumed, &error));
  g_assert_true (cb_rtmp_handshake_is_done (hs));
  g_assert_true (cb_rtmp_handshake_get_peer_echo_ok (hs));
  c2 = cb_rtmp_handshake_take_output (hs);
  feed_ok (f, g_bytes_get_data (c2, NULL), g_bytes_get_size (c2));
  g_assert_false (cb_rtmp_server_session_is_connected (f->session));
}

static GBytes *
encode_message (Fixture       *f,
                CbRtmpMessage *m)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cb_rtmp_chunk_writer_write (f->writer, m, out, &error));
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
send_full (Fixture        *f,
           CbRtmpMessage  *m,
           GError        **error)
{
  g_autoptr(GBytes) bytes = encode_message (f, m);

  return feed (f, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
}

static void
send_msg (Fixture       *f,
          CbRtmpMessage *m)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (send_full (f, m, &error));
  g_assert_no_error (error);
}

static CbRtmpMessage *
command_message (guint32        stream_id,
                 CbAmf0Command *cmd)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  cb_amf0_command_encode (cmd, body);
  cb_amf0_command_free (cmd);
  return cb_rtmp_message_new_from_data (stream_id ? 8 : 3, CB_RTMP_MSG_COMMAND_AMF0, stream_id,
                                        0, body->data, body->len);
}

/* name(txn, null, [string arg]) */
static CbRtmpMessage *
simple_command (const char *name,
                gdouble     txn,
                guint32     stream_id,
                const char *arg)
{
  CbAmf0Command *cmd = cb_amf0_command_new (name, txn, cb_amf0_value_new_null ());

  if (arg != NULL)
    cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string (arg));
  return command_message (stream_id, cmd);
}

static CbRtmpMessage *
connect_command (const char *app)
{
  CbAmf0Value *obj = cb_amf0_value_new_object ();
  g_autofree char *tc = g_strdup_printf ("rtmp://127.0.0.1/%s", app);

  cb_amf0_object_set_string (obj, "app", app);
  cb_amf0_object_set_string (obj, "flashVer", "FMLE/3.0 (compatible; test)");
  cb_amf0_object_set_string (obj, "tcUrl", tc);
  return command_message (0, cb_amf0_command_new ("connect", 1, obj));
}

static CbAmf0Command *
find_command (GPtrArray  *messages,
              const char *name,
              guint       nth)
{
  for (guint i = 0; i < messages->len; i++)
    {
      CbRtmpMessage *m = g_ptr_array_index (messages, i);
      gsize len;
      const guint8 *data = cb_rtmp_message_get_data (m, &len);
      CbAmf0Command *cmd;

      if (m->type_id != CB_RTMP_MSG_COMMAND_AMF0)
        continue;
      cmd = cb_amf0_command_decode (data, len, NULL);
      g_assert_nonnull (cmd);
      if (g_str_equal (cmd->name, name) && nth-- == 0)
        return cmd;
      cb_amf0_command_free (cmd);
    }
  return NULL;
}

/* The code of the first onStatus/_error/onFC* with an info object at @nth. */
static char *
status_code (GPtrArray  *messages,
             const char *name,
             guint       nth)
{
  g_autoptr(CbAmf0Command) cmd = find_command (messages, name, nth);
  CbAmf0Value *info;

  if (cmd == NULL)
    return NULL;
  info = cb_amf0_command_get_arg (cmd, 0);
  return info ? g_strdup (cb_amf0_object_get_string (info, "code")) : NULL;
}

static gboolean
has_user_control (GPtrArray *messages,
                  guint16    event,
                  guint32    value)
{
  for (guint i = 0; i < messages->len; i++)
    {
      CbRtmpMessage *m = g_ptr_array_index (messages, i);
      CbRtmpUserControl uc;

      if (m->type_id == CB_RTMP_MSG_USER_CONTROL &&
          cb_rtmp_control_parse_user_control (m, &uc, NULL) && uc.event == event &&
          uc.value == value)
        return TRUE;
    }
  return FALSE;
}

static void
assert_events (Fixture    *f,
               const char *expected)
{
  g_autofree char *joined = NULL;

  g_ptr_array_add (f->rec.events, NULL);
  joined = g_strjoinv ("\n", (char **) f->rec.events->pdata);
  g_ptr_array_remove_index (f->rec.events, f->rec.events->len - 1);
  g_assert_cmpstr (joined, ==, expected);
  g_ptr_array_set_size (f->rec.events, 0);
}

static void
connect_session (Fixture    *f,
                 const char *app)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *code = NULL;
  g_autoptr(CbRtmpMessage) m = connect_command (app);

  handshake (f);
  send_msg (f, m);
  out = server_messages (f);
  code = status_code (out, "_result", 0);
  g_assert_cmpstr (code, ==, "NetConnection.Connect.Success");
  g_assert_true (cb_rtmp_server_session_is_connected (f->session));
}

static guint32
create_stream (Fixture *f,
               gdouble  txn)
{
  g_autoptr(CbRtmpMessage) m = simple_command ("createStream", txn, 0, NULL);
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(CbAmf0Command) result = NULL;

  send_msg (f, m);
  out = server_messages (f);
  result = find_command (out, "_result", 0);
  g_assert_nonnull (result);
  g_assert_cmpfloat (result->transaction_id, ==, txn);
  return (guint32) cb_amf0_value_get_number (cb_amf0_command_get_arg (result, 0));
}

static GPtrArray *
publish (Fixture    *f,
         guint32     stream_id,
         const char *name)
{
  CbAmf0Command *cmd = cb_amf0_command_new ("publish", 5, cb_amf0_value_new_null ());
  g_autoptr(CbRtmpMessage) m = NULL;

  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string (name));
  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string ("live"));
  m = command_message (stream_id, cmd);
  send_msg (f, m);
  return server_messages (f);
}

static CbRtmpMessage *
media (guint32 stream_id,
       guint8  type,
       guint32 ts,
       gsize   size)
{
  g_autofree guint8 *body = g_malloc0 (size);

  return cb_rtmp_message_new_from_data (type == 8 ? 4 : 6, type, stream_id, ts, body, size);
}

/* ---- cases ------------------------------------------------------------------------ */

static void
test_publish_sequence (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(CbRtmpMessage) release = simple_command ("releaseStream", 2, 0, "cam?key=k");
  g_autoptr(CbRtmpMessage) fcpublish = simple_command ("FCPublish", 3, 0, "cam?key=k");
  g_autoptr(CbRtmpMessage) fcunpublish = simple_command ("FCUnpublish", 6, 0, "cam?key=k");
  g_autoptr(CbRtmpMessage) video = media (1, 9, 40, 100);
  g_autoptr(CbRtmpMessage) audio = media (1, 8, 41, 10);
  g_autoptr(CbRtmpMessage) elsewhere = media (7, 9, 42, 10);
  g_autoptr(CbRtmpMessage) meta = NULL;
  g_autoptr(CbRtmpMessage) del = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;
  CbFlvMetadata md = { 0 };
  g_autoptr(GBytes) meta_body = NULL;
  CbAmf0Command *cmd;
  guint32 id;

  connect_session (f, "live?token=abc");
  g_assert_cmpstr (cb_rtmp_server_session_get_app (f->session), ==, "live");
  g_assert_cmpstr (cb_rtmp_server_session_get_connect_query (f->session), ==, "token=abc");
  assert_events (f, "connect live q=token=abc");

  send_msg (f, release);
  send_msg (f, fcpublish);
  out = server_messages (f);
  code = status_code (out, "onFCPublish", 0);
  g_assert_cmpstr (code, ==, "NetStream.Publish.Start");
  g_clear_pointer (&out, g_ptr_array_unref);
  g_clear_pointer (&code, g_free);

  id = create_stream (f, 4);
  g_assert_cmpuint (id, ==, 1);
  out = publish (f, id, "cam?key=k");
  assert_events (f, "publish 1 cam q=key=k");
  g_assert_true (has_user_control (out, CB_RTMP_USER_STREAM_BEGIN, 1));
  code = status_code (out, "onStatus", 0);
  g_assert_cmpstr (code, ==, "NetStream.Publish.Start");
  g_assert_true (cb_rtmp_server_session_is_active (f->session));

  md.width = 640;
  meta_body = cb_flv_metadata_build (&md, TRUE);
  meta = cb_rtmp_message_new (5, CB_RTMP_MSG_DATA_AMF0, 1, 0, meta_body);
  send_msg (f, meta);
  send_msg (f, video);
  send_msg (f, audio);
  send_msg (f, elsewhere);   /* no publish on stream 7: dropped */
  expected = g_strdup_printf ("media 1 18 0 %" G_GSIZE_FORMAT "\nmedia 1 9 40 100\n"
                              "media 1 8 41 10", g_bytes_get_size (meta_body));
  assert_events (f, expected);

  send_msg (f, fcunpublish);
  assert_events (f, "end 1 Stopped by publisher stop");
  cmd = cb_amf0_command_new ("deleteStream", 7, cb_amf0_value_new_null ());
  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_number (1));
  del = command_message (0, cmd);
  send_msg (f, del);
  assert_events (f, "");
  g_assert_false (cb_rtmp_server_session_is_active (f->session));
}

static void
test_republish (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(CbRtmpMessage) stop = NULL;
  g_autofree char *code = NULL;
  CbAmf0Command *cmd;
  guint32 id;

  connect_session (f, "live");
  id = create_stream (f, 2);
  g_clear_pointer (&out, g_ptr_array_unref);
  out = publish (f, id, "amsStream#amsroom1");
  g_clear_pointer (&out, g_ptr_array_unref);

  /* The AMS republish script: publish(false), then another name on the same stream. */
  cmd = cb_amf0_command_new ("publish", 0, cb_amf0_value_new_null ());
  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_boolean (FALSE));
  stop = command_message (id, cmd);
  send_msg (f, stop);
  out = server_messages (f);
  code = status_code (out, "onStatus", 0);
  g_assert_cmpstr (code, ==, "NetStream.Unpublish.Success");
  g_clear_pointer (&out, g_ptr_array_unref);
  out = publish (f, id, "amsStream#amsroom2");
  assert_events (f, "connect live q=\npublish 1 amsStream#amsroom1 q=\n"
                    "end 1 Stopped by publisher stop\npublish 1 amsStream#amsroom2 q=");

  /* The connection goes away while publishing. */
  g_clear_pointer (&f->session, cb_rtmp_server_session_free);
  assert_events (f, "end 2 Stopped by session disconnect");
}

static void
test_bad_name_keeps_connection (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *code = NULL;
  guint32 id;

  connect_session (f, "live");
  id = create_stream (f, 2);
  f->rec.verdict = VERDICT_BAD_NAME;
  out = publish (f, id, "cam");
  code = status_code (out, "onStatus", 0);
  g_assert_cmpstr (code, ==, "NetStream.Publish.BadName");
  g_assert_false (cb_rtmp_server_session_is_closed (f->session));
  g_clear_pointer (&out, g_ptr_array_unref);

  f->rec.verdict = VERDICT_OK;
  out = publish (f, id, "cam2");
  g_clear_pointer (&code, g_free);
  code = status_code (out, "onStatus", 0);
  g_assert_cmpstr (code, ==, "NetStream.Publish.Start");
}

static void
test_rejected_publish_closes (Fixture       *f,
                              gconstpointer  data)
{
  CbAmf0Command *cmd = cb_amf0_command_new ("publish", 5, cb_amf0_value_new_null ());
  g_autoptr(CbRtmpMessage) m = NULL;
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  connect_session (f, "live");
  f->rec.verdict = VERDICT_REJECT;
  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string ("cam"));
  m = command_message (create_stream (f, 2), cmd);
  g_assert_false (send_full (f, m, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED);
  out = server_messages (f);
  code = status_code (out, "onStatus", 0);
  g_assert_cmpstr (code, ==, "NetConnection.Connect.Rejected");
}

static void
test_refused_connect (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CbRtmpMessage) m = connect_command ("live");
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  f->rec.refuse_connect = TRUE;
  handshake (f);
  g_assert_false (send_full (f, m, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED);
  out = server_messages (f);
  code = status_code (out, "_error", 0);
  g_assert_cmpstr (code, ==, "NetConnection.Connect.Rejected");
  g_assert_false (cb_rtmp_server_session_is_connected (f->session));
}

static void
test_play (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(CbRtmpMessage) play = NULL;
  g_autoptr(GBytes) tag = g_bytes_new_static ("\x17\x01\x00\x00\x00", 5);
  g_autofree char *reset = NULL;
  g_autofree char *start = NULL;
  guint32 id;
  gboolean video = FALSE;

  connect_session (f, "live");
  id = create_stream (f, 2);
  play = simple_command ("play", 0, id, "cam");
  send_msg (f, play);
  out = server_messages (f);
  assert_events (f, "connect live q=\nplay 1 cam q=");
  g_assert_true (has_user_control (out, CB_RTMP_USER_STREAM_BEGIN, id));
  reset = status_code (out, "onStatus", 0);
  start = status_code (out, "onStatus", 1);
  g_assert_cmpstr (reset, ==, "NetStream.Play.Reset");
  g_assert_cmpstr (start, ==, "NetStream.Play.Start");
  g_clear_pointer (&out, g_ptr_array_unref);

  g_assert_true (cb_rtmp_server_session_send_media (f->session, id, 9, 1234, tag));
  out = server_messages (f);
  for (guint i = 0; i < out->len; i++)
    {
      CbRtmpMessage *m = g_ptr_array_index (out, i);

      video |= m->type_id == 9 && m->stream_id == id && m->timestamp == 1234;
    }
  g_assert_true (video);
  g_clear_pointer (&out, g_ptr_array_unref);

  /* Not found: the session says so and stays. */
  f->rec.verdict = VERDICT_BAD_NAME;
  g_clear_pointer (&play, cb_rtmp_message_free);
  play = simple_command ("play", 0, create_stream (f, 3), "nothing");
  send_msg (f, play);
  out = server_messages (f);
  g_clear_pointer (&reset, g_free);
  reset = status_code (out, "onStatus", 0);
  g_assert_cmpstr (reset, ==, "NetStream.Play.StreamNotFound");

  cb_rtmp_server_session_close (f->session, "bye");
  assert_events (f, "play 2 nothing q=\nend 1 bye");
  g_assert_false (cb_rtmp_server_session_send_media (f->session, id, 9, 0, tag));
}

/* Two players get one form: each its own stream id and timestamps, the same bytes after
 * the first chunk's header. */
static void
test_play_shared_form (void)
{
  Fixture fx[2];
  g_autoptr(GBytes) payload = g_bytes_new_take (g_malloc0 (9000), 9000);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (CB_RTMP_CSID_VIDEO, 9, 1, 0, payload);
  g_autoptr(CbRtmpChunkForm) form = NULL;
  guint32 ids[2];

  memset (fx, 0, sizeof fx);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CbRtmpMessage) play = NULL;
      g_autoptr(GPtrArray) out = NULL;

      fixture_set_up (&fx[i], NULL);
      connect_session (&fx[i], "live");
      if (i == 1)
        create_stream (&fx[i], 2);   /* the second player plays on stream 2 */
      ids[i] = create_stream (&fx[i], 3);
      play = simple_command ("play", 0, ids[i], "cam");
      send_msg (&fx[i], play);
      out = server_messages (&fx[i]);
    }
  g_assert_cmpuint (ids[0], !=, ids[1]);
  g_assert_cmpuint (cb_rtmp_server_session_get_chunk_size (fx[0].session), ==, 60000);
  form = cb_rtmp_chunk_form_new (msg, cb_rtmp_server_session_get_chunk_size (fx[0].session),
                                 NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GPtrArray) out = NULL;

      g_assert_true (cb_rtmp_server_session_send_form (fx[i].session, ids[i], form, 100 + i));
      g_assert_true (cb_rtmp_server_session_send_form (fx[i].session, ids[i], form, 140 + i));
      g_assert_false (cb_rtmp_server_session_is_congested (fx[i].session));
      out = server_messages (&fx[i]);
      g_assert_cmpuint (out->len, ==, 2);
      for (guint j = 0; j < 2; j++)
        {
          CbRtmpMessage *m = g_ptr_array_index (out, j);

          g_assert_cmpuint (m->type_id, ==, 9);
          g_assert_cmpuint (m->stream_id, ==, ids[i]);
          g_assert_cmpuint (m->timestamp, ==, 100 + 40 * j + i);
          g_assert_true (g_bytes_equal (m->payload, payload));
        }
      cb_rtmp_server_session_close (fx[i].session, "bye");
      g_assert_false (cb_rtmp_server_session_send_form (fx[i].session, ids[i], form, 200));
      fixture_tear_down (&fx[i], NULL);
    }
}

static void
test_ping_and_window (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CbRtmpMessage) ping = cb_rtmp_message_new_user_control (CB_RTMP_USER_PING_REQUEST, 99);
  g_autoptr(CbRtmpMessage) window = cb_rtmp_message_new_window_ack_size (5000);
  g_autoptr(GPtrArray) out = NULL;
  gboolean acked = FALSE;

  connect_session (f, "live");
  send_msg (f, ping);
  out = server_messages (f);
  g_assert_true (has_user_control (out, CB_RTMP_USER_PING_RESPONSE, 99));
  g_clear_pointer (&out, g_ptr_array_unref);

  /* A small window: the server acknowledges what it received. */
  send_msg (f, window);
  for (int i = 0; i < 400; i++)
    {
      g_autoptr(CbRtmpMessage) m = cb_rtmp_message_new_user_control (CB_RTMP_USER_PING_REQUEST, i);
      send_msg (f, m);
    }
  out = server_messages (f);
  for (guint i = 0; i < out->len; i++)
    acked |= ((CbRtmpMessage *) g_ptr_array_index (out, i))->type_id == CB_RTMP_MSG_ACKNOWLEDGEMENT;
  g_assert_true (acked);
}

static void
test_aggregate (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GByteArray) agg = g_byte_array_new ();
  g_autoptr(CbRtmpMessage) m = NULL;

  connect_session (f, "live");
  out = publish (f, create_stream (f, 2), "cam");
  /* Two FLV tags at 1000 and 1033, carried by a message at 500. */
  cb_flv_write_tag (agg, 9, 1000, (const guint8 *) "\x17\x01\x00\x00\x00", 5);
  cb_flv_write_tag (agg, 8, 1033, (const guint8 *) "\xaf\x01\x21", 3);
  m = cb_rtmp_message_new_from_data (6, CB_RTMP_MSG_AGGREGATE, 1, 500, agg->data, agg->len);
  send_msg (f, m);
  assert_events (f, "connect live q=\npublish 1 cam q=\nmedia 1 9 500 5\nmedia 1 8 533 3");
}

static void
test_too_many_streams (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(CbRtmpMessage) m = simple_command ("createStream", 99, 0, NULL);
  g_autofree char *code = NULL;

  connect_session (f, "live");
  for (guint i = 0; i < CB_RTMP_SERVER_MAX_STREAMS; i++)
    g_assert_cmpuint (create_stream (f, 2 + i), ==, i + 1);
  send_msg (f, m);
  out = server_messages (f);
  code = status_code (out, "_error", 0);
  g_assert_cmpstr (code, ==, "NetStream.Failed");
}

/* ---- bad input: a table, one row per case ---------------------------------------------- */

typedef struct {
  const char *name;
  gboolean    handshake;     /* the handshake first */
  gboolean    connect;       /* and a connect */
  const char *hex;           /* then these bytes */
  int         code;          /* the CbRtmpError expected */
} BadRow;

static const BadRow bad_rows[] = {
  { "http-instead-of-rtmp", FALSE, FALSE, "47 45 54 20 2f", CB_RTMP_ERROR_PROTOCOL },
  { "rtmpe", FALSE, FALSE, "06 00 00 00 00", CB_RTMP_ERROR_UNSUPPORTED },
  { "tls-on-plain-port", FALSE, FALSE, "16 03 01 00 a5", CB_RTMP_ERROR_PROTOCOL },
  /* createStream before connect */
  { "command-before-connect", TRUE, FALSE,
    "03 000000 000019 14 00000000 02000c 63726561746553747265616d 00 4000000000000000 05",
    CB_RTMP_ERROR_PROTOCOL },
  /* a video message before connect */
  { "media-before-connect", TRUE, FALSE, "06 000000 000001 09 01000000 17", CB_RTMP_ERROR_PROTOCOL },
  /* a command whose AMF0 is cut short */
  { "undecodable-command", TRUE, TRUE, "03 000000 000004 14 00000000 02 00 0a 63",
    CB_RTMP_ERROR_MALFORMED },
  /* a second connect */
  { "second-connect", TRUE, TRUE,
    "03 000000 000014 14 00000000 020007 636f6e6e656374 00 3ff0000000000000 05",
    CB_RTMP_ERROR_PROTOCOL },
  /* a continuation chunk on a chunk stream never started (fmt 3 on a fresh csid) */
  { "fmt3-on-fresh-csid", TRUE, TRUE, "ca 00", CB_RTMP_ERROR_PROTOCOL },
  /* Set Chunk Size 0 */
  { "chunk-size-zero", TRUE, TRUE, "02 000000 000004 01 00000000 00000000", CB_RTMP_ERROR_PROTOCOL },
  /* a 4-byte user control (too short) */
  { "short-user-control", TRUE, TRUE, "02 000000 000001 04 00000000 00", CB_RTMP_ERROR_MALFORMED },
  /* an aggregate whose tag claims more than it holds */
  { "aggregate-overrun", TRUE, TRUE, "06 000000 00000b 16 00000000 09 0000ff 000000 00 000000",
    CB_RTMP_ERROR_MALFORMED },
};

static const char *
bad_row_name (gconstpointer row)
{
  return ((const BadRow *) row)->name;
}

static void
test_bad_input (gconstpointer data)
{
  const BadRow *row = data;
  Fixture fx = { 0 };
  Fixture *f = &fx;
  g_autoptr(GByteArray) bytes = test_hex (row->hex);
  g_autoptr(GError) error = NULL;

  fixture_set_up (f, NULL);
  if (row->connect)
    {
      g_autoptr(GPtrArray) out = NULL;
      connect_session (f, "live");
      /* A publish in progress: it must end when the connection breaks. */
      out = publish (f, create_stream (f, 2), "cam");
    }
  else if (row->handshake)
    handshake (f);
  g_assert_false (feed (f, bytes->data, bytes->len, &error));
  g_assert_error (error, CB_RTMP_ERROR, row->code);
  fixture_tear_down (f, NULL);
}

/* Every prefix of a whole publish session is only waiting for more: never an error. */
static void
test_truncated_everywhere (void)
{
  g_autoptr(GByteArray) wire = NULL;

  {
    Fixture fx = { 0 };
    g_autoptr(GPtrArray) out = NULL;
    g_autoptr(CbRtmpMessage) video = media (1, 9, 40, 300);

    fixture_set_up (&fx, NULL);
    connect_session (&fx, "live");
    out = publish (&fx, create_stream (&fx, 2), "cam");
    send_msg (&fx, video);
    wire = g_byte_array_ref (fx.wire);
    fixture_tear_down (&fx, NULL);
  }

  for (gsize cut = 0; cut <= wire->len; cut += (cut < 3200 ? 97 : 1))
    {
      g_autoptr(CbRtmpServerSession) s = NULL;
      Recorder rec = { g_ptr_array_new_with_free_func (g_free) };
      g_autoptr(GError) error = NULL;

      s = cb_rtmp_server_session_new (&recorder_handler, &rec, NULL);
      /* In two pieces: the cut, then nothing more. */
      g_assert_true (cb_rtmp_server_session_feed (s, wire->data, cut, &error));
      g_assert_no_error (error);
      g_clear_pointer (&s, cb_rtmp_server_session_free);
      g_assert_cmpuint (rec.live_handles, ==, 0);
      g_ptr_array_unref (rec.events);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cb/rtmp/server/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("publish-sequence", test_publish_sequence);
  ADD ("republish", test_republish);
  ADD ("bad-name-keeps-connection", test_bad_name_keeps_connection);
  ADD ("rejected-publish-closes", test_rejected_publish_closes);
  ADD ("refused-connect", test_refused_connect);
  ADD ("play", test_play);
  ADD ("ping-and-window", test_ping_and_window);
  ADD ("aggregate", test_aggregate);
  ADD ("too-many-streams", test_too_many_streams);
#undef ADD
  test_add_rows ("server/bad", bad_rows, sizeof bad_rows[0], G_N_ELEMENTS (bad_rows),
                 bad_row_name, test_bad_input);
  g_test_add_func ("/cb/rtmp/server/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/cb/rtmp/server/play-shared-form", test_play_shared_form);
  return g_test_run ();
}
