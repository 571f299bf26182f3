/* test-socket-watch.c — sockets watched on a main context (src/common/cb-socket-watch.c),
 * over loopback TCP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "cb-socket-watch.h"

/* Both ends of one loopback TCP connection, as plain sockets. */
typedef struct {
  GSocket *ours;    /* watched */
  GSocket *peer;    /* written by the test */
} Pair;

static GSocket *
listener_new (void)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GError) error = NULL;
  GSocket *listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_socket_set_listen_backlog (listener, 512);
  g_assert_true (g_socket_listen (listener, &error));
  g_assert_no_error (error);
  return listener;
}

static void
pair_open (Pair    *p,
           GSocket *listener)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (listener, NULL);
  g_autoptr(GError) error = NULL;

  p->peer = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                          &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (p->peer, address, NULL, &error));
  p->ours = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (p->ours, FALSE);
}

static void
pair_close (Pair *p)
{
  g_socket_close (p->ours, NULL);
  g_socket_close (p->peer, NULL);
  g_clear_object (&p->ours);
  g_clear_object (&p->peer);
}

static void
peer_write (Pair       *p,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_socket_send (p->peer, text, strlen (text), NULL, &error), ==,
                   (gssize) strlen (text));
  g_assert_no_error (error);
}

/* Iterates @context until it has nothing to do for 50 ms. */
static void
settle (GMainContext *context)
{
  gint64 quiet_until = g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < quiet_until)
    if (g_main_context_iteration (context, FALSE))
      quiet_until = g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND;
    else
      g_usleep (1000);
}

typedef struct Watched Watched;
struct Watched {
  Pair           pair;
  CbSocketWatch *watch;
  guint          calls;
  GIOCondition   last;
  gboolean       drain;      /* read what is there */
  gboolean       free_self;  /* free its own watch in its first call */
  Watched       *victim;     /* whose watch to free in the first call */
  GString       *got;
};

static void
on_ready (gpointer     data,
          GIOCondition condition)
{
  Watched *w = data;

  w->calls++;
  w->last = condition;
  if (w->drain)
    {
      char buf[256];
      gssize n;

      while ((n = g_socket_receive (w->pair.ours, buf, sizeof buf, NULL, NULL)) > 0)
        g_string_append_len (w->got, buf, n);
    }
  if (w->free_self)
    g_clear_pointer (&w->watch, cb_socket_watch_free);
  if (w->victim != NULL)
    g_clear_pointer (&w->victim->watch, cb_socket_watch_free);
}

static void
watched_open (Watched      *w,
              GSocket      *listener,
              GMainContext *context)
{
  pair_open (&w->pair, listener);
  w->got = g_string_new (NULL);
  w->watch = cb_socket_watch_new (w->pair.ours, context, on_ready, w);
}

static void
watched_close (Watched *w)
{
  g_clear_pointer (&w->watch, cb_socket_watch_free);
  pair_close (&w->pair);
  g_string_free (w->got, TRUE);
}

/* Input is told, in order, and only while there is some; the end too. */
static void
test_watch_read_and_end (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  Watched w = { .drain = TRUE };

  watched_open (&w, listener, NULL);
  settle (NULL);
  g_assert_cmpuint (w.calls, ==, 0);

  peer_write (&w.pair, "one ");
  peer_write (&w.pair, "two");
  settle (NULL);
  g_assert_cmpstr (w.got->str, ==, "one two");
  g_assert_cmpuint (w.calls, >=, 1);
  g_assert_true (w.last & G_IO_IN);

  g_socket_shutdown (w.pair.peer, FALSE, TRUE, NULL);
  {
    guint before = w.calls;

    /* At its end a socket stays readable (level-triggered): we stop at once. */
    w.free_self = TRUE;
    settle (NULL);
    g_assert_cmpuint (w.calls, ==, before + 1);
    g_assert_null (w.watch);
  }
  watched_close (&w);
}

/* A socket with input that is not read is told again, each iteration. */
static void
test_watch_level (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  Watched w = { 0 };

  watched_open (&w, listener, NULL);
  peer_write (&w.pair, "x");
  for (int i = 0; i < 200 && w.calls < 3; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (w.calls, >=, 3);
  watched_close (&w);
}

/* A watch freed by another's callback in the same dispatch is not called; freeing its own
 * in its call is allowed too. Run under the sanitizers, any late touch shows. */
static void
test_watch_free_inside (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  Watched a = { 0 }, b = { 0 };

  watched_open (&a, listener, NULL);
  watched_open (&b, listener, NULL);
  a.victim = &b;
  b.victim = &a;
  a.free_self = b.free_self = TRUE;
  peer_write (&a.pair, "x");
  peer_write (&b.pair, "y");
  settle (NULL);
  /* Whichever came first freed both watches: one call in all. */
  g_assert_cmpuint (a.calls + b.calls, ==, 1);
  g_assert_null (a.watch);
  g_assert_null (b.watch);

  /* The set went with its last watch; a new one makes another. */
  a.victim = b.victim = NULL;
  a.calls = 0;
  a.watch = cb_socket_watch_new (a.pair.ours, NULL, on_ready, &a);
  a.free_self = TRUE;
  settle (NULL);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_null (a.watch);
  watched_close (&a);
  watched_close (&b);
}

/* A freed watch gives its socket back at once, even with no dispatch to come: a
 * connection dropped by its last reference closes then. */
static void
test_watch_free_releases (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  Watched w = { 0 }, other = { 0 };
  GSocket *ours;

  watched_open (&other, listener, NULL);   /* keeps the set */
  watched_open (&w, listener, NULL);
  ours = w.pair.ours;
  g_object_add_weak_pointer (G_OBJECT (ours), (gpointer *) &w.pair.ours);
  cb_socket_watch_free (g_steal_pointer (&w.watch));
  g_object_unref (ours);
  g_assert_null (w.pair.ours);
  g_clear_object (&w.pair.peer);
  g_string_free (w.got, TRUE);
  watched_close (&other);
}

/* Many sockets cost a context's poll one descriptor (Linux); each is still told alone, on
 * its own context only. */
static void
test_watch_many (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  g_autoptr(GMainContext) other = g_main_context_new ();
  enum { N = 100 };
  Watched *w = g_new0 (Watched, N);
  Watched elsewhere = { .drain = TRUE };
  GPollFD fds[N + 8];
  gint timeout, priority, n_fds;

  for (guint i = 0; i < N; i++)
    {
      w[i].drain = TRUE;
      watched_open (&w[i], listener, NULL);
    }
  watched_open (&elsewhere, listener, other);

  {
    GMainContext *main_context = g_main_context_default ();

    g_main_context_acquire (main_context);
    g_main_context_prepare (main_context, &priority);
    n_fds = g_main_context_query (main_context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
    g_main_context_check (main_context, priority, fds, MIN (n_fds, (gint) G_N_ELEMENTS (fds)));
    g_main_context_release (main_context);
  }
#ifdef __linux__
  /* The set's descriptor and the context's wakeup: not one per socket. */
  g_assert_cmpint (n_fds, <=, 2);
#else
  g_assert_cmpint (n_fds, >=, N);
#endif

  peer_write (&w[37].pair, "37");
  peer_write (&w[99].pair, "99");
  peer_write (&elsewhere.pair, "other");
  settle (NULL);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (w[i].calls, ==, (i == 37 || i == 99) ? 1 : 0);
      g_assert_cmpstr (w[i].got->str, ==, i == 37 ? "37" : i == 99 ? "99" : "");
    }
  g_assert_cmpuint (elsewhere.calls, ==, 0);
  settle (other);
  g_assert_cmpstr (elsewhere.got->str, ==, "other");

  for (guint i = 0; i < N; i++)
    watched_close (&w[i]);
  watched_close (&elsewhere);
  g_free (w);
}

/* Only a plain socket connection's socket is written and watched directly: not the one
 * under GSocketClient's TLS wrapper (encrypted bytes), not any other stream. */
static void
test_plain_connection (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  g_autoptr(GSocketConnection) plain = NULL;
  g_autoptr(GIOStream) wrapper = NULL;
  g_autoptr(GIOStream) simple = NULL;
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  Pair p;

  pair_open (&p, listener);
  plain = g_socket_connection_factory_create_connection (p.ours);
  g_assert_true (cb_socket_of_plain_connection (G_IO_STREAM (plain)) == p.ours);
  wrapper = G_IO_STREAM (g_tcp_wrapper_connection_new (G_IO_STREAM (plain), p.ours));
  g_assert_null (cb_socket_of_plain_connection (wrapper));
  simple = g_simple_io_stream_new (in, out);
  g_assert_null (cb_socket_of_plain_connection (simple));
  pair_close (&p);
}

#ifdef __linux__
#include <sys/socket.h>

/* One call moves bytes either way; an empty socket would block without an error; the
 * peer's end reads as 0; a closed socket fails as closed, never on a stale descriptor. */
static void
test_transfer (void)
{
  g_autoptr(GSocket) listener = listener_new ();
  g_autoptr(GError) error = NULL;
  char out_a[] = "ab", out_b[] = "cde", in[16];
  struct iovec ov[2] = { { out_a, 2 }, { out_b, 3 } };
  struct iovec iv = { in, sizeof in };
  struct msghdr send_msg = { .msg_iov = ov, .msg_iovlen = 2 };
  struct msghdr recv_msg = { .msg_iov = &iv, .msg_iovlen = 1 };
  gsize n = 99;
  Pair p;

  pair_open (&p, listener);
  g_assert_cmpint (cb_socket_transfer (p.ours, &recv_msg, FALSE, &n, &error), ==,
                   G_POLLABLE_RETURN_WOULD_BLOCK);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  g_assert_cmpint (cb_socket_transfer (p.ours, &send_msg, TRUE, &n, &error), ==,
                   G_POLLABLE_RETURN_OK);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpint (g_socket_receive (p.peer, in, sizeof in, NULL, &error), ==, 5);
  g_assert_cmpmem (in, 5, "abcde", 5);

  peer_write (&p, "xyz");
  g_socket_condition_wait (p.ours, G_IO_IN, NULL, NULL);
  g_assert_cmpint (cb_socket_transfer (p.ours, &recv_msg, FALSE, &n, &error), ==,
                   G_POLLABLE_RETURN_OK);
  g_assert_cmpmem (in, n, "xyz", 3);

  g_socket_close (p.peer, NULL);
  g_socket_condition_wait (p.ours, G_IO_IN, NULL, NULL);
  n = 99;
  g_assert_cmpint (cb_socket_transfer (p.ours, &recv_msg, FALSE, &n, &error), ==,
                   G_POLLABLE_RETURN_OK);
  g_assert_cmpuint (n, ==, 0);

  g_socket_close (p.ours, NULL);
  g_assert_cmpint (cb_socket_transfer (p.ours, &recv_msg, FALSE, &n, &error), ==,
                   G_POLLABLE_RETURN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  pair_close (&p);
}
#endif

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/socket-watch/read-and-end", test_watch_read_and_end);
  g_test_add_func ("/cb/socket-watch/level", test_watch_level);
  g_test_add_func ("/cb/socket-watch/free-inside", test_watch_free_inside);
  g_test_add_func ("/cb/socket-watch/free-releases", test_watch_free_releases);
  g_test_add_func ("/cb/socket-watch/many", test_watch_many);
  g_test_add_func ("/cb/socket-watch/plain-connection", test_plain_connection);
#ifdef __linux__
  g_test_add_func ("/cb/socket-watch/transfer", test_transfer);
#endif
  return g_test_run ();
}
