/* cb-rtmp-server-listener.c — RTMP server sessions on sockets: accepting, I/O, timeouts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accepts sockets, reads into a CbRtmpServerSession and writes its output with GIO's async
 * calls on one GMainContext: no thread, no blocking. Connections that stay silent, stop
 * reading, or whose bytes break the protocol are closed — that connection only.
 */
#include "config.h"

#include <gio/gnetworking.h>   /* IPPROTO_TCP, TCP_NODELAY on Unix and Windows */

#include "cb-net.h"
#include "cb-rtmp-server-private.h"
#include "cb-rtmp-reader.h"
#include "cb-rtmp-writer.h"

#define FLUSH_BEFORE_CLOSE_MS 2000
#define REASON_DISCONNECT     "Stopped by session disconnect"

/* ---- the listener and its connections on GIO ----------------------------------------------- */

typedef struct {
  gint                 ref_count;
  CbRtmpServer        *server;        /* weak: NULL once the server let go of it */
  GSocketConnection   *conn;
  CbRtmpServerSession *session;
  CbRtmpWriter        *writer;        /* NULL once closed */
  CbRtmpReader        *reader;        /* NULL once closed */
  gboolean             closing;       /* close once the output is written */
  gboolean             merging;       /* its writes are merged (a player) */
  gboolean             closed;
  gint64               accepted_at;
  gint64               last_ping;
  gint64               closing_since;
} Connection;

struct _CbRtmpServer
{
  GObject              parent_instance;

  const CbRtmpServerHandler *handler;
  gpointer             data;
  GMainContext        *context;
  GSocketListener     *listener;
  GCancellable        *accept_cancellable;
  GPtrArray           *connections;   /* Connection*, owned */
  GSource             *tick;
  CbRtmpServerTimeouts timeouts;
  guint                play_merge_ms;
  guint                port;
};

G_DEFINE_FINAL_TYPE (CbRtmpServer, cb_rtmp_server, G_TYPE_OBJECT)

static void connection_close_now (Connection *c, const char *why);

static Connection *
connection_ref (Connection *c)
{
  g_atomic_int_inc (&c->ref_count);
  return c;
}

static void
connection_unref (Connection *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;
  g_clear_pointer (&c->reader, cb_rtmp_reader_free);
  g_clear_pointer (&c->writer, cb_rtmp_writer_free);
  g_clear_pointer (&c->session, cb_rtmp_server_session_free);
  g_clear_object (&c->conn);
  g_free (c);
}

/* Async calls attach to the thread-default context: make it ours while starting one. */
static gboolean
push_context (GMainContext *context)
{
  g_autoptr(GMainContext) current = g_main_context_ref_thread_default ();

  if (current == context)
    return FALSE;
  g_main_context_push_thread_default (context);
  return TRUE;
}

static void
connection_kick (gpointer data)
{
  Connection *c = data;
  CbRtmpSession *core;

  if (c->closed || c->server == NULL)
    return;
  core = cb_rtmp_server_session_get_core (c->session);
  /* A player's media leaves in merged writes once it plays (its connect and play
   * answers went at once). */
  if (!c->merging && c->server->play_merge_ms > 0 && cb_rtmp_server_session_is_playing (c->session))
    {
      cb_rtmp_writer_set_merge (c->writer, c->server->play_merge_ms);
      c->merging = TRUE;
    }
  if (cb_rtmp_session_get_queued_bytes (core) > 0)
    cb_rtmp_writer_kick (c->writer);
  else if (c->closing)
    connection_close_now (c, NULL);
}

static void
on_conn_written (gpointer  data,
                 gsize     written,
                 GError   *error)
{
  Connection *c = data;

  if (c->closed)
    return;
  if (error != NULL)
    {
      g_debug ("RTMP server: writing to %s: %s", cb_rtmp_server_session_get_peer (c->session),
               error->message);
      connection_close_now (c, REASON_DISCONNECT);
      return;
    }
  if (c->closing &&
      cb_rtmp_session_get_queued_bytes (cb_rtmp_server_session_get_core (c->session)) == 0)
    connection_close_now (c, NULL);
}

static void
connection_session_close (gpointer data)
{
  Connection *c = data;

  if (c->closing || c->closed)
    return;
  c->closing = TRUE;
  c->closing_since = g_get_monotonic_time ();
  connection_kick (c);
}

/* Feeds the session what the socket has. Reading ends with the connection, or when it
 * starts closing (what is queued still leaves). */
static gboolean
on_conn_read (gpointer      data,
              const guint8 *bytes,
              gsize         n,
              GError       *error)
{
  Connection *c = connection_ref (data);   /* the session's callbacks may drop the others */
  g_autoptr(GError) local = NULL;
  gboolean more = FALSE;

  if (c->closed || c->closing)
    ;
  else if (bytes == NULL)
    {
      g_debug ("RTMP server: %s went away: %s", cb_rtmp_server_session_get_peer (c->session),
               error == NULL ? "end of stream" : error->message);
      connection_close_now (c, REASON_DISCONNECT);
    }
  else if (!cb_rtmp_server_session_feed (c->session, bytes, n, &local))
    {
      if (!cb_rtmp_server_session_is_closed (c->session))
        {
          g_autofree char *reason = g_strdup_printf ("Failed by RTMP error: %s", local->message);

          g_debug ("RTMP server: closing %s: %s", cb_rtmp_server_session_get_peer (c->session),
                   local->message);
          cb_rtmp_server_session_close (c->session, reason);
        }
      connection_session_close (c);
    }
  else
    more = !c->closed && !c->closing;
  connection_unref (c);
  return more;
}

/* Ends the connection at once; the server drops it. */
static void
connection_close_now (Connection *c,
                      const char *why)
{
  CbRtmpServer *server = c->server;

  if (c->closed)
    return;
  c->closed = TRUE;
  connection_ref (c);
  g_clear_pointer (&c->writer, cb_rtmp_writer_free);
  g_clear_pointer (&c->reader, cb_rtmp_reader_free);
  if (why != NULL)
    cb_rtmp_server_session_close (c->session, why);
  g_io_stream_close_async (G_IO_STREAM (c->conn), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  if (server != NULL)
    {
      c->server = NULL;
      if (g_ptr_array_remove_fast (server->connections, c))
        connection_unref (c);   /* the server's reference */
    }
  connection_unref (c);
}

static gboolean
on_tick (gpointer data)
{
  CbRtmpServer *self = data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) snapshot =
    g_ptr_array_new_with_free_func ((GDestroyNotify) connection_unref);

  for (guint i = 0; i < self->connections->len; i++)
    g_ptr_array_add (snapshot, connection_ref (g_ptr_array_index (self->connections, i)));

  for (guint i = 0; i < snapshot->len; i++)
    {
      Connection *c = g_ptr_array_index (snapshot, i);
      CbRtmpServerSession *s = c->session;
      CbRtmpSession *core = cb_rtmp_server_session_get_core (s);
      gint64 last_input = cb_rtmp_session_get_last_input (core);
      const char *reason = NULL;

      if (c->closed)
        continue;
      if (c->closing)
        {
          if (now - c->closing_since > FLUSH_BEFORE_CLOSE_MS * 1000)
            connection_close_now (c, NULL);
          continue;
        }
      if (!cb_rtmp_server_session_is_connected (s) &&
          now - c->accepted_at > (gint64) self->timeouts.handshake_ms * 1000)
        reason = "Stopped by timeout: no connect";
      else if (now - last_input > (gint64) self->timeouts.idle_ms * 1000)
        reason = "Stopped by timeout: the peer went silent";
      else if (cb_rtmp_session_get_write_stall (core, now) >
               (gint64) self->timeouts.write_stall_ms * 1000)
        reason = "Stopped by timeout: the peer stopped reading";
      if (reason != NULL)
        {
          g_debug ("RTMP server: %s: %s", cb_rtmp_server_session_get_peer (s), reason);
          connection_close_now (c, reason);
          continue;
        }
      /* A quiet peer (a player acknowledges rarely) is asked to show it is alive. */
      if (cb_rtmp_server_session_is_connected (s) &&
          now - last_input > (gint64) self->timeouts.idle_ms * 1000 / 3 &&
          now - c->last_ping > (gint64) self->timeouts.idle_ms * 1000 / 3)
        {
          c->last_ping = now;
          cb_rtmp_server_session_send_user_control (s, CB_RTMP_USER_PING_REQUEST,
                                                    (guint32) (now / 1000));
        }
    }
  return G_SOURCE_CONTINUE;
}

static char *
describe_peer (GSocketConnection *conn)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (conn, NULL);
  g_autofree char *ip = NULL;
  GInetSocketAddress *inet;
  GInetAddress *host;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("?");
  inet = G_INET_SOCKET_ADDRESS (address);
  host = g_inet_socket_address_get_address (inet);
  ip = g_inet_address_to_string (host);
  if (g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (inet));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
}

static void start_accept (CbRtmpServer *self);

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  CbRtmpServer *self = data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result,
                                                             NULL, &error);
  g_autofree char *peer = NULL;
  Connection *c;

  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("RTMP server: accept: %s", error->message);
          start_accept (self);
        }
      g_object_unref (self);
      return;
    }

  peer = describe_peer (conn);
  if (self->listener == NULL)
    {
      /* Stopped while this one was being accepted. */
      g_object_unref (conn);
      g_object_unref (self);
      return;
    }
  g_socket_set_keepalive (g_socket_connection_get_socket (conn), TRUE);
  /* Small command answers must not wait for Nagle. */
  g_socket_set_option (g_socket_connection_get_socket (conn), IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  c = g_new0 (Connection, 1);
  c->ref_count = 1;
  c->server = self;
  c->conn = conn;
  c->accepted_at = c->last_ping = g_get_monotonic_time ();
  c->session = cb_rtmp_server_session_new (self->handler, self->data, peer);
  c->writer = cb_rtmp_writer_new (cb_rtmp_server_session_get_core (c->session),
                                  G_IO_STREAM (conn), self->context, on_conn_written, c);
  cb_rtmp_server_session_set_transport (c->session, connection_kick, connection_session_close, c);
  g_ptr_array_add (self->connections, c);
  g_debug ("RTMP server: connection from %s", peer);
  c->reader = cb_rtmp_reader_new (G_IO_STREAM (conn), self->context, on_conn_read, c);
  start_accept (self);
  g_object_unref (self);
}

static void
start_accept (CbRtmpServer *self)
{
  gboolean pushed;

  if (self->accept_cancellable == NULL || g_cancellable_is_cancelled (self->accept_cancellable))
    return;
  pushed = push_context (self->context);
  g_socket_listener_accept_async (self->listener, self->accept_cancellable, on_accepted,
                                  g_object_ref (self));
  if (pushed)
    g_main_context_pop_thread_default (self->context);
}

static void
cb_rtmp_server_dispose (GObject *object)
{
  CbRtmpServer *self = CB_RTMP_SERVER (object);

  cb_rtmp_server_stop (self);
  G_OBJECT_CLASS (cb_rtmp_server_parent_class)->dispose (object);
}

static void
cb_rtmp_server_finalize (GObject *object)
{
  CbRtmpServer *self = CB_RTMP_SERVER (object);

  g_ptr_array_unref (self->connections);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (cb_rtmp_server_parent_class)->finalize (object);
}

static void
cb_rtmp_server_class_init (CbRtmpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_rtmp_server_dispose;
  object_class->finalize = cb_rtmp_server_finalize;
}

static void
cb_rtmp_server_init (CbRtmpServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->connections = g_ptr_array_new ();
  self->timeouts.handshake_ms = 10000;
  self->timeouts.idle_ms = 30000;
  self->timeouts.write_stall_ms = 30000;
}

/**
 * cb_rtmp_server_new:
 * @handler: (not nullable): what to do with publishes and plays; must outlive the server
 *
 * Returns: (transfer full): a listener, not listening yet
 */
CbRtmpServer *
cb_rtmp_server_new (const CbRtmpServerHandler *handler,
                    gpointer                   data)
{
  CbRtmpServer *self;

  g_return_val_if_fail (handler != NULL && handler->publish != NULL && handler->play != NULL,
                        NULL);

  self = g_object_new (CB_TYPE_RTMP_SERVER, NULL);
  self->handler = handler;
  self->data = data;
  return self;
}

void
cb_rtmp_server_set_timeouts (CbRtmpServer               *self,
                             const CbRtmpServerTimeouts *timeouts)
{
  g_return_if_fail (CB_IS_RTMP_SERVER (self));
  g_return_if_fail (timeouts != NULL);

  self->timeouts.handshake_ms = MAX (timeouts->handshake_ms, 100);
  self->timeouts.idle_ms = MAX (timeouts->idle_ms, 300);
  self->timeouts.write_stall_ms = MAX (timeouts->write_stall_ms, 100);
}

/**
 * cb_rtmp_server_set_play_merge:
 * @merge_ms: 0 (the default): every message leaves at once; else what a player is sent
 *   leaves in one gathered write every @merge_ms (see cb_rtmp_writer_set_merge())
 *
 * For connections that start playing from now on.
 */
void
cb_rtmp_server_set_play_merge (CbRtmpServer *self,
                               guint         merge_ms)
{
  g_return_if_fail (CB_IS_RTMP_SERVER (self));
  self->play_merge_ms = MIN (merge_ms, 1000);
}

static gboolean
add_address (GSocketListener  *listener,
             GInetAddress     *address,
             guint             port,
             guint            *bound,
             GError          **error)
{
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (address, port);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (listener, sa, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return FALSE;
  *bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return TRUE;
}

/**
 * cb_rtmp_server_listen:
 *
 * Starts listening and accepting. Call once.
 */
gboolean
cb_rtmp_server_listen (CbRtmpServer  *self,
                       const char    *bind,
                       guint          port,
                       GError       **error)
{
  g_autoptr(GSocketListener) listener = NULL;
  guint bound = 0;
  gboolean any;

  g_return_val_if_fail (CB_IS_RTMP_SERVER (self), FALSE);
  g_return_val_if_fail (self->listener == NULL, FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);

  listener = g_socket_listener_new ();
  g_socket_listener_set_backlog (listener, CB_LISTEN_BACKLOG);   /* before any socket */
  any = bind == NULL || *bind == '\0' || g_str_equal (bind, "0.0.0.0") ||
        g_str_equal (bind, "::") || g_str_equal (bind, "*");
  if (any)
    {
      /* IPv4 and IPv6 on the same port (GLib makes the IPv6 socket v6-only as needed). */
      if (port == 0)
        {
          bound = g_socket_listener_add_any_inet_port (listener, NULL, error);
          if (bound == 0)
            return FALSE;
        }
      else
        {
          if (!g_socket_listener_add_inet_port (listener, port, NULL, error))
            return FALSE;
          bound = port;
        }
    }
  else if (g_ascii_strcasecmp (bind, "localhost") == 0)
    {
      g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GError) v6_error = NULL;
      guint bound6 = 0;

      if (!add_address (listener, v4, port, &bound, error))
        return FALSE;
      if (!add_address (listener, v6, bound, &bound6, &v6_error))
        g_debug ("RTMP server: no IPv6 loopback on port %u: %s", bound, v6_error->message);
    }
  else
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (bind);

      if (address == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "bind_address '%s' is not an IP address", bind);
          return FALSE;
        }
      if (!add_address (listener, address, port, &bound, error))
        return FALSE;
    }

  self->listener = g_steal_pointer (&listener);
  self->port = bound;
  self->accept_cancellable = g_cancellable_new ();
  self->tick = g_timeout_source_new (250);
  g_source_set_callback (self->tick, on_tick, self, NULL);
  g_source_attach (self->tick, self->context);
  start_accept (self);
  return TRUE;
}

guint
cb_rtmp_server_get_port (CbRtmpServer *self)
{
  g_return_val_if_fail (CB_IS_RTMP_SERVER (self), 0);
  return self->port;
}

void
cb_rtmp_server_stop (CbRtmpServer *self)
{
  g_return_if_fail (CB_IS_RTMP_SERVER (self));

  if (self->accept_cancellable != NULL)
    g_cancellable_cancel (self->accept_cancellable);
  g_clear_object (&self->accept_cancellable);
  if (self->listener != NULL)
    g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_clear_pointer (&self->tick, g_source_unref);
    }
  while (self->connections->len > 0)
    connection_close_now (g_ptr_array_index (self->connections, 0), "Stopped by server shutdown");
  self->port = 0;
}
