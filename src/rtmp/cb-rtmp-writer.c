/* cb-rtmp-writer.c — a session's output queue onto a socket, without blocking
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One way for both sides of RTMP to write. Sending a message only queues it and kicks
 * the writer (a flag source, cb-context.h); the first kick raises it, and when it runs
 * (at the end of the batch it was kicked in, or from the context's hub), everything
 * queued meanwhile (every message the batch's drains sent) leaves in gathered
 * non-blocking writes — one system call for many
 * messages, no GTask, no allocation per message. A full socket parks the writer on a
 * pollable source until the socket takes more.
 */
#include "config.h"

#include "cb-rtmp-writer.h"

#include "cb-context.h"
#include "cb-socket-watch.h"

#ifdef __linux__
#include <sys/socket.h>

/* A GOutputVector is a struct iovec (GLib's GSocket relies on it too). */
G_STATIC_ASSERT (sizeof (GOutputVector) == sizeof (struct iovec));
G_STATIC_ASSERT (G_STRUCT_OFFSET (GOutputVector, buffer) == G_STRUCT_OFFSET (struct iovec, iov_base));
G_STATIC_ASSERT (G_STRUCT_OFFSET (GOutputVector, size) == G_STRUCT_OFFSET (struct iovec, iov_len));
#endif

struct _CbRtmpWriter
{
  CbFlagSource           parent;       /* raised by a kick */
  CbRtmpSession         *session;      /* not owned: the owner frees us first */
  GPollableOutputStream *stream;
  GSocket               *socket;       /* the stream's, when it is a plain socket's */
  CbRtmpWriterFunc       func;
  gpointer               data;
  GSource               *wait_source;  /* the socket was full */
  gboolean               failed;
  gint64                 merge_us;     /* flushes on a grid of this step, or 0 */
  gint64                 due;          /* the next step of the grid, while waiting for it */
  GSource               *merge_timer;  /* ready at @due; with merged writes only */
};

static void run_flush (CbFlagSource *source);

static void
finalize_writer (GSource *source)
{
  g_clear_object (&((CbRtmpWriter *) source)->stream);
  g_clear_object (&((CbRtmpWriter *) source)->socket);
  cb_flag_source_finalize (source);
}

static GSourceFuncs writer_funcs = {
  NULL, NULL, NULL, finalize_writer, NULL, NULL,
};

/**
 * cb_rtmp_writer_new:
 * @session: the session whose queue is written; it must outlive the writer
 * @io: the connection: a #GSocketConnection, a TLS connection or any stream whose output
 *   is pollable
 * @context: where flushes and @func run: the context the session is used on
 *
 * A plain socket's connection is written with sendmsg() itself on Linux, without GIO's
 * layers (a write per message and player is the relay's most frequent call).
 */
CbRtmpWriter *
cb_rtmp_writer_new (CbRtmpSession    *session,
                    GIOStream        *io,
                    GMainContext     *context,
                    CbRtmpWriterFunc  func,
                    gpointer          data)
{
  GOutputStream *stream;
  CbRtmpWriter *self;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (io), NULL);
  stream = g_io_stream_get_output_stream (io);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (stream), NULL);

  self = (CbRtmpWriter *) g_source_new (&writer_funcs, sizeof (CbRtmpWriter));
  g_source_set_static_name (&self->parent.parent, "cb-rtmp-writer");
  self->session = session;
  self->stream = g_object_ref (G_POLLABLE_OUTPUT_STREAM (stream));
#ifdef __linux__
  self->socket = cb_socket_of_plain_connection (io);
  if (self->socket != NULL)
    g_object_ref (self->socket);
#endif
  self->func = func;
  self->data = data;
  cb_flag_source_attach (&self->parent, context, run_flush);
  return self;
}

static void
clear_wait (CbRtmpWriter *self)
{
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }
}

void
cb_rtmp_writer_free (CbRtmpWriter *self)
{
  if (self == NULL)
    return;
  clear_wait (self);
  cb_clear_source (&self->merge_timer);
  g_source_destroy (&self->parent.parent);
  g_source_unref (&self->parent.parent);
}

/* Writes later in this iteration of the context (or at the end of this thread's batch,
 * cb_context_batch_begin()): many sends, one write. Thread-safe. */
void
cb_rtmp_writer_kick (CbRtmpWriter *self)
{
  g_return_if_fail (self != NULL);
  if (self->wait_source != NULL || self->failed)
    return;
  cb_flag_source_raise (&self->parent);
}

/* One non-blocking gathered write. */
static GPollableReturn
send_vectors (CbRtmpWriter        *self,
              const GOutputVector *vectors,
              guint                n,
              gsize               *done,
              GError             **error)
{
#ifdef __linux__
  if (self->socket != NULL)
    {
      struct msghdr msg = { .msg_iov = (struct iovec *) vectors, .msg_iovlen = n };

      return cb_socket_transfer (self->socket, &msg, TRUE, done, error);
    }
#endif
  return g_pollable_output_stream_writev_nonblocking (self->stream, vectors, n, done, NULL,
                                                      error);
}

/* Writes as much of the queue as the socket takes now; %FALSE with @error when the write
 * failed (a full socket is no failure). */
static gboolean
write_queue (CbRtmpWriter  *self,
             gsize         *written,
             GError       **error)
{
  GOutputVector vectors[CB_RTMP_SESSION_MAX_VECTORS];
  guint n;

  *written = 0;
  while ((n = cb_rtmp_session_peek_vectors (self->session, vectors,
                                                  CB_RTMP_SESSION_MAX_VECTORS)) > 0)
    {
      g_autoptr(GError) local = NULL;
      gsize wanted = 0, done = 0;
      GPollableReturn r;

      for (guint i = 0; i < n; i++)
        wanted += vectors[i].size;
      r = send_vectors (self, vectors, n, &done, &local);
      if (r == G_POLLABLE_RETURN_FAILED)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      cb_rtmp_session_consume_output (self->session, done);
      *written += done;
      if (r == G_POLLABLE_RETURN_WOULD_BLOCK || done < wanted)
        break;
    }
  return TRUE;
}

static gboolean on_writable (GObject *stream, gpointer data);

static void
flush_and_report (CbRtmpWriter *self)
{
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  if (!write_queue (self, &written, &error))
    self->failed = TRUE;
  else if (cb_rtmp_session_get_queued_bytes (self->session) > 0)
    {
      self->wait_source = g_pollable_output_stream_create_source (self->stream, NULL);
      g_source_set_callback (self->wait_source, G_SOURCE_FUNC (on_writable), self, NULL);
      g_source_attach (self->wait_source, self->parent.context);
    }
  /* Last: the owner may free us. */
  if ((written > 0 || error != NULL) && self->func != NULL)
    self->func (self->data, written, error);
}

static gboolean
on_writable (GObject  *stream,
             gpointer  data)
{
  CbRtmpWriter *self = data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  flush_and_report (self);
  return G_SOURCE_REMOVE;
}

static void
flush (CbRtmpWriter *self)
{
  if (self->wait_source == NULL && !self->failed)
    flush_and_report (self);
}

static void
run_flush (CbFlagSource *flag)
{
  CbRtmpWriter *self = (CbRtmpWriter *) flag;

  if (self->merge_timer != NULL)
    {
      /* Every writer of the context flushes at the next step of one grid: what is queued
       * meanwhile leaves with it, and all of them in the same iteration. */
      if (self->due == 0)
        {
          gint64 now = g_source_get_time (self->merge_timer);

          self->due = (now / self->merge_us + 1) * self->merge_us;
          g_source_set_ready_time (self->merge_timer, self->due);
        }
      return;
    }
  flush (self);
}

static gboolean
on_merge_due (gpointer data)
{
  CbRtmpWriter *self = data;

  self->due = 0;
  g_source_set_ready_time (self->merge_timer, -1);
  flush (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
merge_timer_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     data)
{
  return callback (data);
}

static GSourceFuncs merge_timer_funcs = {
  NULL, NULL, merge_timer_dispatch, NULL, NULL, NULL,
};

/**
 * cb_rtmp_writer_set_merge:
 * @merge_ms: the step of the grid writes are made on, 0 for none
 *
 * Merged writes: what is queued waits for the next multiple of @merge_ms on the
 * context's clock and leaves then, in one gathered write — fewer, larger writes for up
 * to @merge_ms more latency.
 */
void
cb_rtmp_writer_set_merge (CbRtmpWriter *self,
                          guint         merge_ms)
{
  g_return_if_fail (self != NULL);
  self->merge_us = (gint64) merge_ms * G_TIME_SPAN_MILLISECOND;
  self->due = 0;
  cb_clear_source (&self->merge_timer);
  if (merge_ms == 0)
    return;
  self->merge_timer = g_source_new (&merge_timer_funcs, sizeof (GSource));
  g_source_set_static_name (self->merge_timer, "cb-rtmp-writer merge");
  g_source_set_callback (self->merge_timer, on_merge_due, self, NULL);
  g_source_attach (self->merge_timer, self->parent.context);
}
