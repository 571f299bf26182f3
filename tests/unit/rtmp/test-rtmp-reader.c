/* test-rtmp-reader.c — the one way both sides of RTMP read a connection, over loopback TCP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <gio/gnetworking.h>   /* SO_LINGER */

#include "cb-rtmp-reader.h"

/* Both ends of one loopback TCP connection. */
typedef struct {
  GSocketConnection *ours;    /* read by the reader */
  GSocketConnection *peer;    /* written by the test */
} Pair;

static void
on_accepted (GObject *source, GAsyncResult *result, gpointer data)
{
  GSocketConnection **out = data;

  *out = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
  g_assert_nonnull (*out);
}

static void
pair_open (Pair *p)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  p->ours = NULL;
  g_socket_listener_accept_async (listener, NULL, on_accepted, &p->ours);
  p->peer = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  while (p->ours == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_socket_listener_close (listener);
}

static void
pair_close (Pair *p)
{
  g_clear_object (&p->ours);
  g_clear_object (&p->peer);
}

static void
peer_write (Pair *p, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (p->peer)), data, len,
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
peer_close (Pair *p)
{
  g_io_stream_close (G_IO_STREAM (p->peer), NULL, NULL);
}

/* What the reader handed over, and what the callback does. */
typedef struct {
  GByteArray   *got;
  guint         calls;
  guint         ends;        /* calls with bytes == NULL */
  gboolean      error_seen;
  gsize         stop_after;  /* return FALSE once this much arrived (0: never) */
  gboolean      free_on_stop;
  CbRtmpReader *reader;
} Sink;

static gboolean
on_read (gpointer data, const guint8 *bytes, gsize len, GError *error)
{
  Sink *s = data;

  s->calls++;
  if (bytes == NULL)
    {
      g_assert_cmpuint (len, ==, 0);
      s->ends++;
      s->error_seen = error != NULL;
      return TRUE;   /* ignored: the end is the end */
    }
  g_assert_null (error);
  g_assert_cmpuint (len, >, 0);
  g_byte_array_append (s->got, bytes, len);
  if (s->stop_after > 0 && s->got->len >= s->stop_after)
    {
      if (s->free_on_stop)
        g_clear_pointer (&s->reader, cb_rtmp_reader_free);
      return FALSE;
    }
  return TRUE;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static guint8 *
pattern (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 251);
  return data;
}

/* The peer's side, written from a thread: the socket buffers hold less than a test sends. */
typedef struct {
  Pair         *pair;
  const guint8 *data;
  gsize         len;
  gboolean      close_after;
} Send;

static gpointer
send_thread (gpointer data)
{
  Send *send = data;

  peer_write (send->pair, send->data, send->len);
  if (send->close_after)
    peer_close (send->pair);
  return NULL;
}

static void
run_until (Sink *s, gboolean (*done) (Sink *s), guint timeout_ms)
{
  gint64 until = g_get_monotonic_time () + timeout_ms * 1000;

  while (!done (s) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
ended (Sink *s)
{
  return s->ends > 0;
}

/* Everything the peer writes arrives once, in order, also much more than one read holds;
 * the peer's close is told once, without an error, and nothing after it. @wrapped: the
 * connection is not a GSocketConnection (as a TLS connection is not), so the reader
 * waits on its input stream's pollable source instead of the socket's. */
static void
check_order_and_end (gboolean wrapped)
{
  Pair p;
  Sink s = { .got = g_byte_array_new () };
  gsize len = 1024 * 1024 + 17;
  g_autofree guint8 *data = pattern (len);
  Send send = { &p, data, len, TRUE };
  g_autoptr(GIOStream) io = NULL;
  GThread *thread;

  pair_open (&p);
  if (wrapped)
    io = g_simple_io_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (p.ours)),
                                 g_io_stream_get_output_stream (G_IO_STREAM (p.ours)));
  else
    io = G_IO_STREAM (g_object_ref (p.ours));
  s.reader = cb_rtmp_reader_new (io, NULL, on_read, &s);
  thread = g_thread_new ("peer", send_thread, &send);
  run_until (&s, ended, 20000);
  g_thread_join (thread);
  spin (50);
  g_assert_cmpuint (s.ends, ==, 1);
  g_assert_false (s.error_seen);
  g_assert_cmpuint (s.got->len, ==, len);
  g_assert_cmpmem (s.got->data, len, data, len);
  /* More reads than one per wake-up: four 64 KiB reads at most, then the others' turn. */
  g_assert_cmpuint (s.calls, >=, len / (64 * 1024));
  cb_rtmp_reader_free (s.reader);
  g_byte_array_free (s.got, TRUE);
  pair_close (&p);
}

static void
test_reader_order_and_end (void)
{
  check_order_and_end (FALSE);
}

static void
test_reader_order_and_end_pollable (void)
{
  check_order_and_end (TRUE);
}

static gboolean
stopped_after (Sink *s)
{
  return s->got->len >= s->stop_after;
}

/* A callback that says stop (@free_it: and frees the reader while it is called) gets
 * nothing more, neither data nor the end. */
static void
check_stop (gboolean free_it)
{
  Pair p;
  Sink s = { .got = g_byte_array_new (), .stop_after = 1000, .free_on_stop = free_it };
  g_autofree guint8 *data = pattern (300 * 1024);
  Send send = { &p, data, 300 * 1024, TRUE };
  GThread *thread;
  guint calls;

  pair_open (&p);
  s.reader = cb_rtmp_reader_new (G_IO_STREAM (p.ours), NULL, on_read, &s);
  peer_write (&p, data, 1000);
  run_until (&s, stopped_after, 10000);
  g_assert_cmpuint (s.got->len, ==, 1000);
  calls = s.calls;
  thread = g_thread_new ("peer", send_thread, &send);   /* the socket takes it or not */
  spin (300);
  g_assert_cmpuint (s.calls, ==, calls);
  g_assert_cmpuint (s.ends, ==, 0);
  g_assert_cmpuint (s.got->len, ==, 1000);
  g_assert_true (free_it == (s.reader == NULL));
  g_clear_pointer (&s.reader, cb_rtmp_reader_free);
  /* The writer may be blocked on a full socket: closing our end lets it fail and return. */
  g_io_stream_close (G_IO_STREAM (p.ours), NULL, NULL);
  g_thread_join (thread);
  g_byte_array_free (s.got, TRUE);
  pair_close (&p);
}

static void
test_reader_stop (void)
{
  check_stop (FALSE);
}

static void
test_reader_free_inside (void)
{
  check_stop (TRUE);
}

/* A stream that fails (here: the peer resets the connection) is told as an error, once. */
static void
test_reader_error (void)
{
  Pair p;
  Sink s = { .got = g_byte_array_new () };

  pair_open (&p);
  s.reader = cb_rtmp_reader_new (G_IO_STREAM (p.ours), NULL, on_read, &s);
  peer_write (&p, (const guint8 *) "x", 1);
  {
    GSocket *peer = g_socket_connection_get_socket (p.peer);
    struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };

    g_assert_true (setsockopt (g_socket_get_fd (peer), SOL_SOCKET, SO_LINGER, (void *) &abort_on_close,
                               sizeof abort_on_close) == 0);
    g_socket_close (peer, NULL);
  }
  run_until (&s, ended, 5000);
  spin (50);
  g_assert_cmpuint (s.ends, ==, 1);
  g_assert_true (s.error_seen);
  cb_rtmp_reader_free (s.reader);
  g_byte_array_free (s.got, TRUE);
  pair_close (&p);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/rtmp/reader/order-and-end", test_reader_order_and_end);
  g_test_add_func ("/cb/rtmp/reader/order-and-end-pollable",
                   test_reader_order_and_end_pollable);
  g_test_add_func ("/cb/rtmp/reader/stop", test_reader_stop);
  g_test_add_func ("/cb/rtmp/reader/free-inside", test_reader_free_inside);
  g_test_add_func ("/cb/rtmp/reader/error", test_reader_error);
  return g_test_run ();
}
