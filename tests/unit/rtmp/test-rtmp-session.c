/* test-rtmp-session.c — the session core both sides share: handshake, control messages,
 * acknowledgements, the output queue, gathered writes, aggregates
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows of the control table run for both roles: what the client connection and the
 * server session each tested of their own copy before is now tested once, on the core.
 */
#include <string.h>

#include "cb-context.h"
#include "cb-flv.h"
#include "cb-rtmp-session.h"
#include "cb-rtmp-writer.h"
#include "rtmp-test-util.h"

/* ---- a recording owner -------------------------------------------------------------- */

typedef struct {
  CbRtmpSession *core;
  GPtrArray     *messages;        /* CbRtmpMessage*, as handed to the owner */
  guint          handshakes;
  guint          outputs;
  gboolean       stop_after_one;  /* return FALSE without an error */
  gboolean       fail_media;      /* return FALSE with an error on media */
} Owner;

static gboolean
on_handshake_done (gpointer   data,
                   GError   **error)
{
  Owner *o = data;

  o->handshakes++;
  return TRUE;
}

static gboolean
on_message (gpointer        data,
            CbRtmpMessage  *message,
            GError        **error)
{
  Owner *o = data;

  g_ptr_array_add (o->messages, cb_rtmp_message_new (message->csid, message->type_id,
                                                     message->stream_id, message->timestamp,
                                                     message->payload));
  if (o->fail_media && (message->type_id == 8 || message->type_id == 9))
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "no media here");
      return FALSE;
    }
  return !o->stop_after_one;
}

static void
on_output (gpointer data)
{
  Owner *o = data;

  o->outputs++;
}

static const CbRtmpSessionFuncs funcs = { on_handshake_done, on_message, on_output };

static void
owner_init (Owner               *o,
            CbRtmpHandshakeRole  role)
{
  memset (o, 0, sizeof *o);
  o->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_message_free);
  o->core = cb_rtmp_session_new (cb_rtmp_handshake_new_full (role, 0, 5), 2500000, &funcs, o);
}

static void
owner_clear (Owner *o)
{
  g_clear_pointer (&o->core, cb_rtmp_session_free);
  g_clear_pointer (&o->messages, g_ptr_array_unref);
}

/* Takes the core through the handshake with a peer handshake of the other role. */
static void
complete_handshake (Owner               *o,
                    CbRtmpHandshakeRole  role)
{
  g_autoptr(CbRtmpHandshake) peer =
    cb_rtmp_handshake_new_full (role == CB_RTMP_HANDSHAKE_CLIENT ? CB_RTMP_HANDSHAKE_SERVER
                                                                 : CB_RTMP_HANDSHAKE_CLIENT,
                                0, 9);
  g_autoptr(GError) error = NULL;

  for (guint round = 0;
       round < 4 && (!cb_rtmp_session_is_handshake_done (o->core) ||
                     !cb_rtmp_handshake_is_done (peer));
       round++)
    {
      g_autoptr(GBytes) ours = cb_rtmp_session_take_output (o->core);
      g_autoptr(GBytes) theirs = NULL;
      gsize consumed;

      if (g_bytes_get_size (ours) > 0 && !cb_rtmp_handshake_is_done (peer))
        g_assert_true (cb_rtmp_handshake_feed (peer, g_bytes_get_data (ours, NULL),
                                               g_bytes_get_size (ours), &consumed, &error));
      theirs = cb_rtmp_handshake_take_output (peer);
      if (theirs != NULL)
        g_assert_true (cb_rtmp_session_feed (o->core, g_bytes_get_data (theirs, NULL),
                                             g_bytes_get_size (theirs), &error));
      g_assert_no_error (error);
    }
  g_assert_true (cb_rtmp_session_is_handshake_done (o->core));
  g_assert_true (cb_rtmp_handshake_is_done (peer));
  g_assert_cmpuint (o->handshakes, ==, 1);
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o->core), ==, 0);
}

/* What the core queued, as messages. */
static GPtrArray *
output_messages (CbRtmpSession *core)
{
  g_autoptr(GBytes) out = cb_rtmp_session_take_output (core);
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_message_free);

  cb_rtmp_chunk_reader_feed (reader, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      CbRtmpMessage *m = NULL;

      g_assert_true (cb_rtmp_chunk_reader_next (reader, &m, &error));
      if (m == NULL)
        break;
      g_ptr_array_add (messages, m);
    }
  g_assert_cmpuint (cb_rtmp_chunk_reader_get_buffered (reader), ==, 0);
  return messages;
}

/* "type:hexpayload" of each message, joined by spaces. */
static char *
describe (GPtrArray *messages)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    {
      CbRtmpMessage *m = g_ptr_array_index (messages, i);
      gsize len;
      const guint8 *data = cb_rtmp_message_get_data (m, &len);
      g_autofree char *hex = test_to_hex (data, MIN (len, 12));

      g_string_append_printf (s, "%s%u:%s", i ? " " : "", m->type_id, hex);
    }
  return g_string_free (s, FALSE);
}

/* ---- control messages: one table, both roles ----------------------------------------- */

typedef struct {
  const char *name;
  const char *hex;          /* chunks the peer sends after the handshake; '/' between feeds */
  int         code;         /* the CbRtmpError expected, or -1: no error */
  const char *answer;       /* what the core sends back, as describe() puts it */
  const char *handed;       /* what the owner is handed, as describe() puts it */
  guint32     limit;        /* an input limit first, or 0 */
} ControlRow;

static const ControlRow control_rows[] = {
  /* Ping request 99 → ping response 99, and the owner never sees the request. */
  { "ping", "02 000000 000006 04 00000000 0006 00000063", -1, "4:000700000063", "" },
  /* Other user control events go to the owner. */
  { "stream-begin", "02 000000 000006 04 00000000 0000 00000001", -1, "", "4:000000000001" },
  /* Flash's BufferEmpty (31): unknown, still the owner's. */
  { "unknown-user-control", "02 000000 000002 04 00000000 001f", -1, "", "4:001f" },
  /* Window Acknowledgement Size 100, then more: an acknowledgement of all received so far,
   * the handshake's 3073 bytes included (checked as each piece arrives). */
  { "window-then-ack",
    "02 000000 000004 05 00000000 00000064 / 03 000000 000007 12 00000000 02000474657374",
    -1, "3:00000c24", "18:02000474657374" },
  /* Set Chunk Size 4 applies to what follows; the owner is told. */
  { "set-chunk-size",
    "02 000000 000004 01 00000000 00000004" "04 000000 000006 08 01000000 af012122 c4 2324",
    -1, "", "1:00000004 8:af0121222324" },
  /* An acknowledgement is the owner's (the client counts what the server received). */
  { "acknowledgement", "02 000000 000004 03 00000000 00001000", -1, "", "3:00001000" },
  { "short-window", "02 000000 000003 05 00000000 000000", CB_RTMP_ERROR_MALFORMED, "", "" },
  { "short-user-control", "02 000000 000001 04 00000000 00", CB_RTMP_ERROR_MALFORMED, "", "" },
  { "short-ping", "02 000000 000004 04 00000000 0006 0000", CB_RTMP_ERROR_MALFORMED, "", "" },
  { "chunk-size-zero", "02 000000 000004 01 00000000 00000000", CB_RTMP_ERROR_PROTOCOL, "", "" },
  { "fmt3-on-fresh-csid", "ca 00", CB_RTMP_ERROR_PROTOCOL, "", "" },
  /* Over the input limit (the handshake counts: 3073 bytes): refused before parsing. */
  { "input-limit", "02 000000 000006 04 00000000 0006 00000063", CB_RTMP_ERROR_PROTOCOL, "", "",
    3080 },
  { "under-input-limit", "02 000000 000006 04 00000000 0000 00000001", -1, "", "4:000000000001",
    3200 },
};

typedef struct {
  const ControlRow   *row;
  CbRtmpHandshakeRole role;
} ControlCase;

static void
test_control (gconstpointer data)
{
  const ControlCase *c = data;
  const ControlRow *row = c->row;
  g_auto(GStrv) pieces = g_strsplit (row->hex, "/", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) answer = NULL;
  g_autofree char *answered = NULL;
  g_autofree char *handed = NULL;
  Owner o;
  gboolean ok;

  owner_init (&o, c->role);
  complete_handshake (&o, c->role);
  if (row->limit != 0)
    cb_rtmp_session_set_input_limit (o.core, row->limit);
  ok = TRUE;
  for (guint i = 0; pieces[i] != NULL && ok; i++)
    {
      g_autoptr(GByteArray) bytes = test_hex (pieces[i]);

      ok = cb_rtmp_session_feed (o.core, bytes->data, bytes->len, &error);
    }
  if (row->code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, CB_RTMP_ERROR, row->code);
    }
  answer = output_messages (o.core);
  answered = describe (answer);
  handed = describe (o.messages);
  g_assert_cmpstr (answered, ==, row->answer);
  g_assert_cmpstr (handed, ==, row->handed);
  owner_clear (&o);
}

/* ---- the owner's verdicts ------------------------------------------------------------ */

static void
test_owner_stops (void)
{
  /* Two user control messages: the owner stops after the first, quietly. */
  g_autoptr(GByteArray) two = test_hex ("02 000000 000006 04 00000000 0000 00000001"
                                        "02 000000 000006 04 00000000 0001 00000001");
  g_autoptr(GByteArray) media = test_hex ("04 000000 000002 08 01000000 af01");
  g_autoptr(GError) error = NULL;
  Owner o;

  owner_init (&o, CB_RTMP_HANDSHAKE_SERVER);
  complete_handshake (&o, CB_RTMP_HANDSHAKE_SERVER);
  o.stop_after_one = TRUE;
  g_assert_false (cb_rtmp_session_feed (o.core, two->data, two->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (o.messages->len, ==, 1);

  /* An owner's error ends the feed with it. */
  o.stop_after_one = FALSE;
  o.fail_media = TRUE;
  g_assert_false (cb_rtmp_session_feed (o.core, media->data, media->len, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED);
  owner_clear (&o);
}

/* A client core and a server core, bytes pumped between them. */
static void
test_both_ends (void)
{
  Owner client, server;
  g_autoptr(CbAmf0Command) cmd = cb_amf0_command_new ("connect", 1, cb_amf0_value_new_null ());
  g_autoptr(GBytes) payload = g_bytes_new_static ("\x17\x01\x00\x00\x00" "frame", 10);
  g_autoptr(GError) error = NULL;

  owner_init (&client, CB_RTMP_HANDSHAKE_CLIENT);
  owner_init (&server, CB_RTMP_HANDSHAKE_SERVER);
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (client.core), ==,
                    1 + CB_RTMP_HANDSHAKE_BLOCK_SIZE);
  g_assert_cmpuint (client.outputs, ==, 0);   /* C0+C1 is the owner's to write */

  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(GBytes) c = cb_rtmp_session_take_output (client.core);
      g_autoptr(GBytes) s = NULL;

      g_assert_true (cb_rtmp_session_feed (server.core, g_bytes_get_data (c, NULL),
                                           g_bytes_get_size (c), &error));
      g_assert_no_error (error);
      s = cb_rtmp_session_take_output (server.core);
      g_assert_true (cb_rtmp_session_feed (client.core, g_bytes_get_data (s, NULL),
                                           g_bytes_get_size (s), &error));
      g_assert_no_error (error);
      if (round == 2)
        {
          g_assert_cmpuint (client.handshakes, ==, 1);
          g_assert_cmpuint (server.handshakes, ==, 1);
          g_assert_true (cb_rtmp_session_set_chunk_size (client.core, 4096));
          g_assert_true (cb_rtmp_session_send_command (client.core, 3, 0, cmd));
          g_assert_true (cb_rtmp_session_send_media (server.core, 1, 9, 40, payload));
        }
    }
  g_assert_cmpuint (server.messages->len, ==, 2);   /* Set Chunk Size, connect */
  g_assert_cmpuint (((CbRtmpMessage *) g_ptr_array_index (server.messages, 1))->type_id, ==, 20);
  g_assert_cmpuint (client.messages->len, ==, 1);
  g_assert_true (g_bytes_equal (((CbRtmpMessage *) g_ptr_array_index (client.messages, 0))->payload,
                                payload));
  g_assert_cmpuint (cb_rtmp_session_get_chunk_size (client.core), ==, 4096);
  g_assert_cmpuint (cb_rtmp_session_get_bytes_received (server.core), ==,
                    cb_rtmp_session_get_bytes_sent (client.core));
  owner_clear (&client);
  owner_clear (&server);
}

/* ---- the output queue ------------------------------------------------------------------- */

static void
test_output_queue (void)
{
  g_autoptr(GBytes) a = g_bytes_new_static ("abcdef", 6);
  g_autoptr(GBytes) b = g_bytes_new_static ("ghij", 4);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  GOutputVector v[4];
  Owner o;

  owner_init (&o, CB_RTMP_HANDSHAKE_SERVER);
  cb_rtmp_session_set_high_water (o.core, 10);
  g_assert_cmpuint (cb_rtmp_session_get_high_water (o.core), ==, 10);
  g_assert_cmpuint (cb_rtmp_session_get_write_stall (o.core, g_get_monotonic_time ()), ==, 0);
  cb_rtmp_session_queue_bytes (o.core, a);
  cb_rtmp_session_queue_bytes (o.core, empty);
  g_assert_cmpuint (o.outputs, ==, 1);
  g_assert_false (cb_rtmp_session_is_congested (o.core));
  cb_rtmp_session_queue_bytes (o.core, b);
  g_assert_true (cb_rtmp_session_is_congested (o.core));
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o.core), ==, 10);
  g_assert_cmpint (cb_rtmp_session_get_write_stall (o.core, g_get_monotonic_time () + 5000000),
                   >=, 5000000);

  /* A partial write: the head's rest, then the next buffer. */
  cb_rtmp_session_consume_output (o.core, 4);
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (o.core, v, G_N_ELEMENTS (v)), ==, 2);
  g_assert_cmpmem (v[0].buffer, v[0].size, "ef", 2);
  g_assert_cmpmem (v[1].buffer, v[1].size, "ghij", 4);
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (o.core, v, 1), ==, 1);
  cb_rtmp_session_consume_output (o.core, 3);
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (o.core, v, G_N_ELEMENTS (v)), ==, 1);
  g_assert_cmpmem (v[0].buffer, v[0].size, "hij", 3);
  g_assert_false (cb_rtmp_session_is_congested (o.core));
  g_assert_cmpuint (cb_rtmp_session_get_bytes_sent (o.core), ==, 7);

  cb_rtmp_session_clear_output (o.core);
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o.core), ==, 0);
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (o.core, v, G_N_ELEMENTS (v)), ==, 0);
  owner_clear (&o);
}

/* Two sessions sending the same form: their vectors point at the same body; the small
 * ones (chunk headers) are copies in each session's queue. */
static void
test_form_vectors_shared (void)
{
  g_autoptr(GBytes) payload = g_bytes_new_take (g_malloc0 (10000), 10000);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (6, 9, 1, 40, payload);
  g_autoptr(CbRtmpChunkForm) form = NULL;
  Owner a, b;
  GOutputVector va[8], vb[8];

  owner_init (&a, CB_RTMP_HANDSHAKE_SERVER);
  owner_init (&b, CB_RTMP_HANDSHAKE_SERVER);
  cb_rtmp_session_set_chunk_size (a.core, 4096);
  cb_rtmp_session_set_chunk_size (b.core, 4096);
  cb_rtmp_session_clear_output (a.core);
  cb_rtmp_session_clear_output (b.core);
  a.outputs = 0;
  form = cb_rtmp_chunk_form_new (msg, cb_rtmp_session_get_chunk_size (a.core), NULL);
  g_assert_true (cb_rtmp_session_send_form (a.core, form, 1, 40));
  g_assert_true (cb_rtmp_session_send_form (b.core, form, 3, 90000));
  /* The header, then 10000 bytes in chunks of 4096: three slices, two type 3 headers. */
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (a.core, va, 8), ==, 6);
  g_assert_cmpuint (cb_rtmp_session_peek_vectors (b.core, vb, 8), ==, 6);
  for (guint i = 1; i < 6; i += 2)
    g_assert_true (va[i].buffer == vb[i].buffer);
  for (guint i = 2; i < 6; i += 2)
    g_assert_cmpmem (va[i].buffer, va[i].size, vb[i].buffer, vb[i].size);
  g_assert_true (va[1].buffer == g_bytes_get_data (payload, NULL));
  g_assert_true (va[3].buffer == (const guint8 *) g_bytes_get_data (payload, NULL) + 4096);
  g_assert_true (va[0].buffer != vb[0].buffer);
  g_assert_cmpuint (a.outputs, ==, 1);   /* header and body: one call */
  owner_clear (&a);
  owner_clear (&b);
}

typedef struct {
  GMainLoop *loop;
  guint      flushes;
  gsize      written;
} WriteWait;

static void
on_written (gpointer  data,
            gsize     written,
            GError   *error)
{
  WriteWait *w = data;

  g_assert_no_error (error);
  w->flushes++;
  w->written += written;
  g_main_loop_quit (w->loop);
}

static gboolean
on_deadline (gpointer data)
{
  g_error ("a gathered write did not complete");
  return G_SOURCE_REMOVE;
}

/* A connection whose output is @out (the writer takes a connection, as the reader does). */
static GIOStream *
io_of (GOutputStream *out)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();

  return g_simple_io_stream_new (in, out);
}

/* The writer writes what peek/consume would, in the same order; many sends, kicked many
 * times, leave in one flush of gathered writes. */
static void
test_gathered_write (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) io = io_of (stream);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GBytes) want = NULL;
  WriteWait w = { loop, 0, 0 };
  CbRtmpWriter *writer;
  Owner o, twin;
  guint deadline;

  owner_init (&o, CB_RTMP_HANDSHAKE_CLIENT);
  owner_init (&twin, CB_RTMP_HANDSHAKE_CLIENT);
  writer = cb_rtmp_writer_new (o.core, io, NULL, on_written, &w);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GBytes) payload = g_bytes_new_take (g_malloc0 (100 + i * 37), 100 + i * 37);

      g_assert_true (cb_rtmp_session_send_media (o.core, 1, 8 + i % 2, i * 20, payload));
      g_assert_true (cb_rtmp_session_send_media (twin.core, 1, 8 + i % 2, i * 20, payload));
      cb_rtmp_writer_kick (writer);
    }
  want = cb_rtmp_session_take_output (twin.core);

  deadline = g_timeout_add_seconds (10, on_deadline, NULL);
  g_main_loop_run (loop);
  g_source_remove (deadline);
  g_assert_cmpuint (w.flushes, ==, 1);
  g_assert_cmpuint (w.written, ==, g_bytes_get_size (want));
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o.core), ==, 0);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)),
                   g_bytes_get_data (want, NULL), g_bytes_get_size (want));
  /* Nothing queued: a kick writes nothing and reports nothing. */
  cb_rtmp_writer_kick (writer);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (w.flushes, ==, 1);
  cb_rtmp_writer_free (writer);
  owner_clear (&o);
  owner_clear (&twin);
}

/* In a batch, what is kicked is written when the batch ends, before the context runs,
 * and the context then has nothing left to write. */
static void
test_batched_write (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) io = io_of (stream);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  WriteWait w = { loop, 0, 0 };
  CbRtmpWriter *writer;
  Owner o;
  gsize queued;

  g_assert_true (g_main_context_acquire (NULL));
  owner_init (&o, CB_RTMP_HANDSHAKE_CLIENT);
  writer = cb_rtmp_writer_new (o.core, io, NULL, on_written, &w);
  cb_context_batch_begin ();
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GBytes) payload = g_bytes_new_take (g_malloc0 (1000), 1000);

      g_assert_true (cb_rtmp_session_send_media (o.core, 1, 9, i * 33, payload));
      cb_rtmp_writer_kick (writer);
    }
  queued = cb_rtmp_session_get_queued_bytes (o.core);
  g_assert_cmpuint (w.flushes, ==, 0);
  cb_context_batch_end ();
  g_assert_cmpuint (w.flushes, ==, 1);
  g_assert_cmpuint (w.written, ==, queued);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)), ==, queued);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (w.flushes, ==, 1);
  cb_rtmp_writer_free (writer);
  owner_clear (&o);
  g_main_context_release (NULL);
}

/* The output queue keeps its order through partial writes, wrapping round and growing:
 * what leaves is what was queued, byte for byte. */
static void
test_output_order (void)
{
  g_autoptr(GByteArray) want = g_byte_array_new ();
  g_autoptr(GByteArray) got = g_byte_array_new ();
  guint8 next = 0;
  Owner o;

  owner_init (&o, CB_RTMP_HANDSHAKE_SERVER);
  cb_rtmp_session_clear_output (o.core);
  for (guint round = 0; round < 40; round++)
    {
      GOutputVector v[5];
      guint n;
      gsize some = 0;

      /* 1 to 7 buffers of 1 to 30 bytes in, then a part of what is queued out. */
      for (guint i = 0; i < 1 + round % 7; i++)
        {
          gsize len = 1 + (round * 7 + i * 13) % 30;
          guint8 *data = g_malloc (len);
          g_autoptr(GBytes) bytes = NULL;

          for (gsize k = 0; k < len; k++)
            data[k] = next++;
          g_byte_array_append (want, data, len);
          bytes = g_bytes_new_take (data, len);
          cb_rtmp_session_queue_bytes (o.core, bytes);
        }
      n = cb_rtmp_session_peek_vectors (o.core, v, G_N_ELEMENTS (v));
      for (guint i = 0; i < n && some < 40; i++)
        {
          gsize take = MIN (v[i].size, 40 - some);

          g_byte_array_append (got, v[i].buffer, take);
          some += take;
        }
      cb_rtmp_session_consume_output (o.core, some);
    }
  {
    g_autoptr(GBytes) rest = cb_rtmp_session_take_output (o.core);

    g_byte_array_append (got, g_bytes_get_data (rest, NULL), g_bytes_get_size (rest));
  }
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o.core), ==, 0);
  g_assert_cmpmem (got->data, got->len, want->data, want->len);
  owner_clear (&o);
}

/* Batches nest: the inner end writes nothing, the outer one writes all; a writer freed
 * inside the batch is left alone at its end. */
static void
test_nested_batch (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) io = io_of (stream);
  g_autoptr(GOutputStream) stream2 = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) io2 = io_of (stream2);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GBytes) payload = g_bytes_new_take (g_malloc0 (1000), 1000);
  WriteWait w = { loop, 0, 0 }, w2 = { loop, 0, 0 };
  CbRtmpWriter *writer, *gone;
  Owner o, o2;

  g_assert_true (g_main_context_acquire (NULL));
  owner_init (&o, CB_RTMP_HANDSHAKE_CLIENT);
  owner_init (&o2, CB_RTMP_HANDSHAKE_CLIENT);
  writer = cb_rtmp_writer_new (o.core, io, NULL, on_written, &w);
  gone = cb_rtmp_writer_new (o2.core, io2, NULL, on_written, &w2);
  cb_context_batch_begin ();
  cb_context_batch_begin ();
  g_assert_true (cb_rtmp_session_send_media (o.core, 1, 9, 0, payload));
  cb_rtmp_writer_kick (writer);
  g_assert_true (cb_rtmp_session_send_media (o2.core, 1, 9, 0, payload));
  cb_rtmp_writer_kick (gone);
  cb_context_batch_end ();
  g_assert_cmpuint (w.flushes, ==, 0);
  cb_rtmp_writer_free (gone);
  cb_context_batch_end ();
  g_assert_cmpuint (w.flushes, ==, 1);
  g_assert_cmpuint (w2.flushes, ==, 0);
  g_assert_cmpuint (cb_rtmp_session_get_queued_bytes (o.core), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (w.flushes, ==, 1);
  g_assert_cmpuint (w2.flushes, ==, 0);
  cb_rtmp_writer_free (writer);
  owner_clear (&o);
  owner_clear (&o2);
  g_main_context_release (NULL);
}

/* ---- aggregates (the server session and the player split them the same way) ------------ */

typedef struct {
  const char *name;
  const char *hex;       /* the aggregate's payload */
  gboolean    ok;
  const char *tags;      /* "type@timestamp/size …" handed out, message at 500 */
} AggregateRow;

static const AggregateRow aggregate_rows[] = {
  { "two-tags",
    "09 000005 0003e8 00 000000 1701000000 00000010"
    "08 000003 000409 00 000000 af0121 0000000e", TRUE, "9@500/5 8@533/3" },
  { "no-trailing-size", "09 000005 0003e8 00 000000 1701000000", TRUE, "9@500/5" },
  { "extended-timestamp", "09 000001 000000 01 000000 17 00000000"
    "09 000001 000010 01 000000 17", TRUE, "9@500/1 9@516/1" },
  { "other-types-skipped", "0f 000001 000000 00 000000 00 00000000"
    "12 000001 000000 00 000000 02", TRUE, "18@500/1" },
  { "empty", "", TRUE, "" },
  { "truncated-header", "09 000005 0003e8 00 000000 1701000000 00000010 08 0000", FALSE,
    "9@500/5" },
  { "overrun", "09 0000ff 000000 00 000000", FALSE, "" },
};

static gboolean
collect_tag (gpointer  data,
             guint8    type_id,
             guint32   timestamp,
             GBytes   *payload)
{
  g_string_append_printf (data, "%s%u@%u/%" G_GSIZE_FORMAT, ((GString *) data)->len ? " " : "",
                          type_id, timestamp, g_bytes_get_size (payload));
  return TRUE;
}

static gboolean
stop_at_once (gpointer  data,
              guint8    type_id,
              guint32   timestamp,
              GBytes   *payload)
{
  (*(guint *) data)++;
  return FALSE;
}

static const char *
aggregate_row_name (gconstpointer row)
{
  return ((const AggregateRow *) row)->name;
}

static void
test_aggregate (gconstpointer data)
{
  const AggregateRow *row = data;
  g_autoptr(GByteArray) bytes = test_hex (row->hex);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new_from_data (6, CB_RTMP_MSG_AGGREGATE, 1, 500,
                                                                bytes->data, bytes->len);
  g_autoptr(GString) tags = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok = cb_rtmp_aggregate_split (msg, collect_tag, tags, &error);
  guint calls = 0;

  g_assert_cmpint (ok, ==, row->ok);
  if (row->ok)
    g_assert_no_error (error);
  else
    g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED);
  g_assert_cmpstr (tags->str, ==, row->tags);

  /* A handler that stops is not called again. */
  cb_rtmp_aggregate_split (msg, stop_at_once, &calls, NULL);
  g_assert_cmpuint (calls, <=, 1);
}

static void
test_media_csid (void)
{
  g_assert_cmpuint (cb_rtmp_media_csid (8), ==, CB_RTMP_CSID_AUDIO);
  g_assert_cmpuint (cb_rtmp_media_csid (9), ==, CB_RTMP_CSID_VIDEO);
  g_assert_cmpuint (cb_rtmp_media_csid (18), ==, CB_RTMP_CSID_DATA);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (control_rows); i++)
    for (guint r = 0; r < 2; r++)
      {
        ControlCase *c = g_new0 (ControlCase, 1);
        g_autofree char *path = NULL;

        c->row = &control_rows[i];
        c->role = r ? CB_RTMP_HANDSHAKE_SERVER : CB_RTMP_HANDSHAKE_CLIENT;
        g_ptr_array_add (cases, c);
        path = g_strdup_printf ("/cb/rtmp/session/control/%s/%s", r ? "server" : "client",
                                control_rows[i].name);
        g_test_add_data_func (path, c, test_control);
      }
  g_test_add_func ("/cb/rtmp/session/owner-stops", test_owner_stops);
  g_test_add_func ("/cb/rtmp/session/both-ends", test_both_ends);
  g_test_add_func ("/cb/rtmp/session/output-queue", test_output_queue);
  g_test_add_func ("/cb/rtmp/session/form-vectors-shared", test_form_vectors_shared);
  g_test_add_func ("/cb/rtmp/session/gathered-write", test_gathered_write);
  g_test_add_func ("/cb/rtmp/session/batched-write", test_batched_write);
  g_test_add_func ("/cb/rtmp/session/nested-batch", test_nested_batch);
  g_test_add_func ("/cb/rtmp/session/output-order", test_output_order);
  test_add_rows ("session/aggregate", aggregate_rows, sizeof aggregate_rows[0],
                 G_N_ELEMENTS (aggregate_rows), aggregate_row_name, test_aggregate);
  g_test_add_func ("/cb/rtmp/session/media-csid", test_media_csid);
  return g_test_run ();
}
