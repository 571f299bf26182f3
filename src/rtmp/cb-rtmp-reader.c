/* cb-rtmp-reader.c — a connection's input, read as it comes, without blocking
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One way for both sides of RTMP to read (the writer's counterpart): one pollable source
 * for the connection's life; when the socket has data, a few non-blocking reads into one
 * buffer, each handed to the owner. No GTask, cancellable or source per read (with
 * g_input_stream_read_async they were about a sixth of an ingest's CPU).
 *
 * The source may recurse: GLib takes a source that may not out of the poll set for its
 * dispatch and puts it back after, and each of the two writes the context's wakeup
 * descriptor, so the next poll returns at once — per read, twice that for a pollable
 * stream's source (a parent and a child), about a third of a publisher's system calls.
 * On a plain TCP connection the socket is watched by cb-socket-watch.c instead: on Linux
 * through the context's one epoll set, so a loop iteration does not poll every
 * connection, and read with recvmsg() itself (cb_socket_transfer(), as the writer
 * writes), without GIO's layers and their type checks per read. A TLS connection keeps its
 * stream's source and reads (TLS may hold decrypted input that its socket does not show).
 */
#include "config.h"

#include "cb-rtmp-reader.h"

#include "cb-context.h"
#include "cb-socket-watch.h"

#ifdef __linux__
#include <sys/socket.h>
#endif

#define READ_SIZE   (64 * 1024)
/* Reads per wake-up at most: then the context's other sources get their turn. */
#define READ_ROUNDS 4

struct _CbRtmpReader
{
  GPollableInputStream *stream;
  GSource              *source;      /* a TLS stream's; NULL once stopped */
  CbSocketWatch        *watch;       /* a plain socket's; NULL once stopped */
  GSocket              *socket;      /* the plain socket, read with recvmsg() itself */
  CbRtmpReaderFunc      func;
  gpointer              data;
  guint8               *buf;
  gboolean              dispatching;
  gboolean              freed;       /* freed by func during a dispatch */
};

static void
stop (CbRtmpReader *self)
{
  g_clear_pointer (&self->watch, cb_socket_watch_free);
  cb_clear_source (&self->source);
}

static gboolean
is_reading (CbRtmpReader *self)
{
  return self->source != NULL || self->watch != NULL;
}

static void
free_now (CbRtmpReader *self)
{
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_free (self->buf);
  g_free (self);
}

/* Hands one read to the owner. FALSE when reading ends here (or the owner freed us). */
static gboolean
deliver (CbRtmpReader *self,
         const guint8 *bytes,
         gsize         len,
         GError       *error)
{
  gboolean more = self->func (self->data, bytes, len, error);

  if (self->freed)
    return FALSE;
  if (!more || bytes == NULL)
    {
      stop (self);
      return FALSE;
    }
  return TRUE;
}

#define WOULD_BLOCK (-2)

/* One non-blocking read into the buffer: bytes read, 0 at the end, WOULD_BLOCK when there
 * is nothing to read, -1 with @error. */
static gssize
read_once (CbRtmpReader  *self,
           GError       **error)
{
#ifdef __linux__
  if (self->socket != NULL)
    {
      struct iovec v = { self->buf, READ_SIZE };
      struct msghdr msg = { .msg_iov = &v, .msg_iovlen = 1 };
      gsize n;

      switch (cb_socket_transfer (self->socket, &msg, FALSE, &n, error))
        {
        case G_POLLABLE_RETURN_OK:
          return (gssize) n;
        case G_POLLABLE_RETURN_WOULD_BLOCK:
          return WOULD_BLOCK;
        default:
          return -1;
        }
    }
#endif
  {
    GError *local = NULL;
    gssize n = g_pollable_input_stream_read_nonblocking (self->stream, self->buf, READ_SIZE,
                                                         NULL, &local);

    if (n < 0 && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      {
        g_error_free (local);
        return WOULD_BLOCK;
      }
    if (local != NULL)
      g_propagate_error (error, local);
    return n;
  }
}

static gboolean
read_some (CbRtmpReader *self)
{
  gboolean go_on = TRUE;

  self->dispatching = TRUE;
  /* What the input sets going on this context (a publisher's packet drained to every
   * player, their writes) runs at the end of this dispatch, not in another iteration. */
  cb_context_batch_begin ();
  for (guint round = 0; round < READ_ROUNDS && go_on; round++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = read_once (self, &error);

      if (n == WOULD_BLOCK)
        break;
      if (n <= 0)
        go_on = deliver (self, NULL, 0, error);   /* the end: never goes on */
      else
        go_on = deliver (self, self->buf, n, NULL) && n == READ_SIZE;
    }
  cb_context_batch_end ();
  if (self->freed)
    {
      free_now (self);
      return G_SOURCE_REMOVE;
    }
  self->dispatching = FALSE;
  return is_reading (self) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
on_stream_readable (GObject  *stream,
                    gpointer  data)
{
  return read_some (data);
}

static void
on_socket_readable (gpointer     data,
                    GIOCondition condition)
{
  read_some (data);
}

/**
 * cb_rtmp_reader_new:
 * @io: the connection: a #GSocketConnection or a TLS connection
 * @context: where @func runs: the context the connection is used on
 *
 * Starts reading at once.
 */
CbRtmpReader *
cb_rtmp_reader_new (GIOStream        *io,
                    GMainContext     *context,
                    CbRtmpReaderFunc  func,
                    gpointer          data)
{
  GInputStream *stream;
  GSocket *socket;
  CbRtmpReader *self;

  g_return_val_if_fail (G_IS_IO_STREAM (io), NULL);
  stream = g_io_stream_get_input_stream (io);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (CbRtmpReader, 1);
  self->stream = g_object_ref (G_POLLABLE_INPUT_STREAM (stream));
  self->func = func;
  self->data = data;
  self->buf = g_malloc (READ_SIZE);
  socket = cb_socket_of_plain_connection (io);
  if (socket != NULL)
    {
#ifdef __linux__
      self->socket = g_object_ref (socket);
#endif
      self->watch = cb_socket_watch_new (socket, context, on_socket_readable, self);
      return self;
    }
  /* TLS: its stream's source also knows of input decrypted already and kept. */
  self->source = g_pollable_input_stream_create_source (self->stream, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_stream_readable), self, NULL);
  g_source_set_static_name (self->source, "cb-rtmp-reader");
  g_source_set_can_recurse (self->source, TRUE);
  g_source_attach (self->source, context);
  return self;
}

/* Stops reading; @func is not called again. It may be called from @func. */
void
cb_rtmp_reader_free (CbRtmpReader *self)
{
  if (self == NULL)
    return;
  stop (self);
  if (self->dispatching)
    self->freed = TRUE;   /* on_readable frees it when func returns */
  else
    free_now (self);
}
