/* cb-rtmp-session.c — the RTMP session core shared by the client and the server sessions
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything both ends of an RTMP connection do with bytes, once: the handshake, the chunk
 * reader and writer, the control messages that need an answer (window size, ping),
 * acknowledgements, and the output queue. The client connection (cb-rtmp-connection.c)
 * and the server session (cb-rtmp-server.c) add their commands on top; neither touches
 * the wire format itself. No socket here: the owner feeds what it read and writes the
 * queue, with a CbRtmpWriter (gathered non-blocking writes) or peek/consume.
 *
 * The output queue is a list of reference-counted buffers, each one a vector of a
 * gathered write: media from a shared form (cb-rtmp-chunk.c) goes out as the session's
 * own first chunk header followed by the form's body, which every session shares.
 */
#include <string.h>

#include "cb-rtmp-session.h"
#include "cb-rtmp-bytes-private.h"

/* The output queue: a ring of items, each a vector of the next gathered write. A ring,
 * not a list: no node allocated per vector per session. A small item (a session's own
 * chunk header before a shared form) is kept in the ring itself, no buffer allocated. */
#define SMALL_MAX 24

typedef struct {
  GBytes *bytes;               /* NULL: the item is small[] */
  guint32 len;
  union {
    guint32 offset;            /* of the slice of @bytes */
    guint8  small[SMALL_MAX];
  };
} OutItem;

typedef struct {
  OutItem *items;
  guint    capacity;   /* 0 or a power of two */
  guint    head;
  guint    len;
} OutRing;

static OutItem *
ring_at (const OutRing *ring,
         guint          i)
{
  return &ring->items[(ring->head + i) & (ring->capacity - 1)];
}

static const guint8 *
item_data (const OutItem *item,
           gsize         *len)
{
  *len = item->len;
  if (item->bytes != NULL)
    return (const guint8 *) g_bytes_get_data (item->bytes, NULL) + item->offset;
  return item->small;
}

/* A new item at the tail, to be filled. */
static OutItem *
ring_push (OutRing *ring)
{
  if (ring->len == ring->capacity)
    {
      guint capacity = MAX (16, ring->capacity * 2);
      OutItem *items = g_new (OutItem, capacity);

      for (guint i = 0; i < ring->len; i++)
        items[i] = *ring_at (ring, i);
      g_free (ring->items);
      ring->items = items;
      ring->capacity = capacity;
      ring->head = 0;
    }
  ring->len++;
  return ring_at (ring, ring->len - 1);
}

static void
ring_drop_head (OutRing *ring)
{
  g_clear_pointer (&ring->items[ring->head].bytes, g_bytes_unref);
  ring->head = (ring->head + 1) & (ring->capacity - 1);
  ring->len--;
}

static void
ring_clear (OutRing *ring)
{
  while (ring->len > 0)
    ring_drop_head (ring);
  ring->head = 0;
}

struct _CbRtmpSession
{
  const CbRtmpSessionFuncs *funcs;
  gpointer            data;

  CbRtmpHandshake    *handshake;       /* NULL once done */
  CbRtmpChunkReader  *reader;
  CbRtmpChunkWriter  *writer;
  CbRtmpAckCounter    ack_counter;
  guint32             input_limit;     /* most bytes taken after the handshake, 0: any */
  gint64              last_input;

  OutRing             out;
  GByteArray         *scratch;         /* a form's header is written here, then copied */
  gsize               out_offset;      /* into the head */
  gsize               queued;
  gsize               high_water;
  guint64             bytes_sent;
  gint64              last_progress;   /* output written, or queued into an empty queue */
};

/**
 * cb_rtmp_session_new:
 * @handshake: (transfer full): the handshake in its role; a client's C0+C1 is queued at
 *   once (without calling @funcs->output: the owner writes when it is ready)
 * @window: the acknowledgement window until the peer sets one
 * @funcs: (not nullable): must outlive the session
 */
CbRtmpSession *
cb_rtmp_session_new (CbRtmpHandshake          *handshake,
                     guint32                   window,
                     const CbRtmpSessionFuncs *funcs,
                     gpointer                  data)
{
  CbRtmpSession *self;
  g_autoptr(GBytes) first = NULL;

  g_return_val_if_fail (handshake != NULL, NULL);
  g_return_val_if_fail (funcs != NULL && funcs->message != NULL, NULL);

  self = g_new0 (CbRtmpSession, 1);
  self->funcs = funcs;
  self->data = data;
  self->handshake = handshake;
  self->reader = cb_rtmp_chunk_reader_new ();
  self->writer = cb_rtmp_chunk_writer_new ();
  self->scratch = g_byte_array_sized_new (SMALL_MAX);
  self->high_water = CB_RTMP_SESSION_HIGH_WATER;
  self->last_input = self->last_progress = g_get_monotonic_time ();
  cb_rtmp_ack_counter_init (&self->ack_counter, window);

  first = cb_rtmp_handshake_take_output (handshake);
  if (first != NULL && g_bytes_get_size (first) > 0)
    {
      OutItem *item = ring_push (&self->out);

      self->queued = g_bytes_get_size (first);
      item->len = (guint32) self->queued;
      item->offset = 0;
      item->bytes = g_steal_pointer (&first);
    }
  return self;
}

void
cb_rtmp_session_free (CbRtmpSession *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
  cb_rtmp_chunk_reader_free (self->reader);
  cb_rtmp_chunk_writer_free (self->writer);
  ring_clear (&self->out);
  g_free (self->out.items);
  g_byte_array_unref (self->scratch);
  g_free (self);
}

/* ---- output -------------------------------------------------------------------------- */

static void
count_queued (CbRtmpSession *self,
              gsize          len)
{
  if (self->queued == 0)
    self->last_progress = g_get_monotonic_time ();
  self->queued += len;
}

/* @len bytes copied into the ring itself (a small item). */
static void
push_small (CbRtmpSession *self,
            const guint8  *data,
            gsize          len)
{
  OutItem *item;

  g_assert (len <= SMALL_MAX);
  if (len == 0)
    return;
  count_queued (self, len);
  item = ring_push (&self->out);
  item->bytes = NULL;
  item->len = (guint32) len;
  memcpy (item->small, data, len);
}

/* @len bytes of @bytes from @offset onto the queue: referenced, or copied when small (a
 * reference would hold a whole buffer for a few bytes, and cost as much). */
static void
push_slice (CbRtmpSession *self,
            GBytes        *bytes,
            gsize          offset,
            gsize          len)
{
  OutItem *item;

  if (len <= SMALL_MAX)
    {
      push_small (self, (const guint8 *) g_bytes_get_data (bytes, NULL) + offset, len);
      return;
    }
  count_queued (self, len);
  item = ring_push (&self->out);
  item->bytes = g_bytes_ref (bytes);
  item->offset = (guint32) offset;
  item->len = (guint32) len;
}

/* Onto the queue, without telling the owner yet. */
static void
push_bytes (CbRtmpSession *self,
            GBytes        *bytes)
{
  push_slice (self, bytes, 0, g_bytes_get_size (bytes));
}

static void
notify_output (CbRtmpSession *self)
{
  if (self->funcs->output != NULL && self->queued > 0)
    self->funcs->output (self->data);
}

/**
 * cb_rtmp_session_queue_bytes:
 * @bytes: (transfer none): raw bytes for the wire, written after what is queued
 */
void
cb_rtmp_session_queue_bytes (CbRtmpSession *self,
                             GBytes        *bytes)
{
  g_return_if_fail (self != NULL && bytes != NULL);

  if (g_bytes_get_size (bytes) == 0)
    return;
  push_bytes (self, bytes);
  notify_output (self);
}

static void
queue_array (CbRtmpSession *self,
             GByteArray    *array)
{
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (array);

  cb_rtmp_session_queue_bytes (self, bytes);
}

/**
 * cb_rtmp_session_send_message:
 *
 * Chunks @message with the session's writer and queues it.
 *
 * Returns: %FALSE for a message RTMP cannot carry (over 16 MiB - 1)
 */
gboolean
cb_rtmp_session_send_message (CbRtmpSession       *self,
                              const CbRtmpMessage *message)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self != NULL && message != NULL, FALSE);

  if (!cb_rtmp_chunk_writer_write (self->writer, message, out, &error))
    {
      g_debug ("RTMP: cannot write a message: %s", error->message);
      g_byte_array_unref (out);
      return FALSE;
    }
  queue_array (self, out);
  return TRUE;
}

/**
 * cb_rtmp_session_send_command:
 * @csid: the chunk stream to send it on
 *
 * Encodes @command as an AMF0 command message (timestamp 0) and queues it.
 */
gboolean
cb_rtmp_session_send_command (CbRtmpSession *self,
                              guint32        csid,
                              guint32        stream_id,
                              CbAmf0Command *command)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(CbRtmpMessage) message = NULL;

  g_return_val_if_fail (self != NULL && command != NULL, FALSE);

  cb_amf0_command_encode (command, body);
  message = cb_rtmp_message_new_from_data (csid, CB_RTMP_MSG_COMMAND_AMF0, stream_id, 0,
                                           body->data, body->len);
  return cb_rtmp_session_send_message (self, message);
}

/**
 * cb_rtmp_session_send_form:
 * @form: a message serialized once for every session
 * @stream_id: the message stream id of this session
 * @timestamp: the timestamp in this session
 *
 * Queues the form's message: this session's first chunk header, then the form's shared
 * pieces (see cb_rtmp_chunk_writer_write_form()), as vectors of the next gathered write.
 */
gboolean
cb_rtmp_session_send_form (CbRtmpSession         *self,
                           const CbRtmpChunkForm *form,
                           guint32                stream_id,
                           guint32                timestamp)
{
  g_autoptr(GBytes) own = NULL;

  g_return_val_if_fail (self != NULL && form != NULL, FALSE);

  g_byte_array_set_size (self->scratch, 0);
  own = cb_rtmp_chunk_writer_write_form (self->writer, form, stream_id, timestamp,
                                         self->scratch);
  /* All queued before the owner hears of it: a write takes them together. The header is
   * small: a type 0 one is 18 bytes at the most. */
  push_small (self, self->scratch->data, self->scratch->len);
  if (own != NULL)
    {
      push_bytes (self, own);
    }
  else
    {
      GBytes *payload = cb_rtmp_chunk_form_get_payload (form);
      guint n = cb_rtmp_chunk_form_get_n_pieces (form);

      for (guint i = 0; i < n; i++)
        {
          gsize off, len;
          const guint8 *data = cb_rtmp_chunk_form_get_piece (form, i, &off, &len);

          if (i % 2 == 0)
            push_slice (self, payload, off, len);
          else
            push_small (self, data, len);
        }
    }
  notify_output (self);
  return TRUE;
}

/**
 * cb_rtmp_session_send_media:
 *
 * Audio (8), video (9) or data (18) on @stream_id, on the chunk stream of its type: a form
 * of one session's own (the payload is shared when it fits one chunk).
 */
gboolean
cb_rtmp_session_send_media (CbRtmpSession *self,
                            guint32        stream_id,
                            guint8         type_id,
                            guint32        timestamp,
                            GBytes        *payload)
{
  CbRtmpMessage message = { cb_rtmp_media_csid (type_id), type_id, stream_id, timestamp,
                            payload };
  g_autoptr(CbRtmpChunkForm) form = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self != NULL && payload != NULL, FALSE);

  form = cb_rtmp_chunk_form_new (&message, cb_rtmp_chunk_writer_get_chunk_size (self->writer),
                                 &error);
  if (form == NULL)
    {
      g_debug ("RTMP: cannot write a message: %s", error->message);
      return FALSE;
    }
  return cb_rtmp_session_send_form (self, form, stream_id, timestamp);
}

/**
 * cb_rtmp_session_set_chunk_size:
 *
 * Queues a Set Chunk Size and writes what follows in chunks of @chunk_size.
 */
gboolean
cb_rtmp_session_set_chunk_size (CbRtmpSession *self,
                                guint32        chunk_size)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!cb_rtmp_chunk_writer_write_set_chunk_size (self->writer, chunk_size, out, &error))
    {
      g_debug ("RTMP: %s", error->message);
      g_byte_array_unref (out);
      return FALSE;
    }
  queue_array (self, out);
  return TRUE;
}

/* The chunk size of what the session sends: the one forms for it are to be made with. */
guint32
cb_rtmp_session_get_chunk_size (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return cb_rtmp_chunk_writer_get_chunk_size (self->writer);
}

gsize
cb_rtmp_session_get_queued_bytes (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->queued;
}

/**
 * cb_rtmp_session_set_high_water:
 *
 * Past @bytes queued the session is congested: its sender stops taking media and drops on
 * its own queue instead (whole GOPs). The default is %CB_RTMP_SESSION_HIGH_WATER.
 */
void
cb_rtmp_session_set_high_water (CbRtmpSession *self,
                                gsize          bytes)
{
  g_return_if_fail (self != NULL);
  self->high_water = bytes;
}

gsize
cb_rtmp_session_get_high_water (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->high_water;
}

gboolean
cb_rtmp_session_is_congested (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->queued >= self->high_water;
}

/**
 * cb_rtmp_session_peek_vectors:
 * @vectors: (out caller-allocates) (array length=n_vectors): filled from the queue's head
 *
 * Returns: how many vectors were filled; 0 when nothing is queued
 */
guint
cb_rtmp_session_peek_vectors (CbRtmpSession *self,
                              GOutputVector *vectors,
                              guint          n_vectors)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->out.len && n < n_vectors; i++)
    {
      gsize len;
      const guint8 *data = item_data (ring_at (&self->out, i), &len);
      gsize skip = n == 0 ? self->out_offset : 0;

      vectors[n].buffer = data + skip;
      vectors[n].size = len - skip;
      n++;
    }
  return n;
}

/* @n bytes of the queue were written. */
void
cb_rtmp_session_consume_output (CbRtmpSession *self,
                                gsize          n)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n <= self->queued);

  self->bytes_sent += n;
  self->queued -= n;
  if (n > 0)
    self->last_progress = g_get_monotonic_time ();
  while (n > 0)
    {
      gsize head_len, left;

      item_data (ring_at (&self->out, 0), &head_len);
      left = head_len - self->out_offset;

      if (n < left)
        {
          self->out_offset += n;
          return;
        }
      n -= left;
      self->out_offset = 0;
      ring_drop_head (&self->out);
    }
}

/* All queued output at once, as if written (tests, fuzzers). */
GBytes *
cb_rtmp_session_take_output (CbRtmpSession *self)
{
  g_autoptr(GByteArray) out = NULL;
  GOutputVector v[CB_RTMP_SESSION_MAX_VECTORS];
  guint n;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_byte_array_sized_new (self->queued);
  while ((n = cb_rtmp_session_peek_vectors (self, v, G_N_ELEMENTS (v))) > 0)
    {
      gsize total = 0;

      for (guint i = 0; i < n; i++)
        {
          g_byte_array_append (out, v[i].buffer, v[i].size);
          total += v[i].size;
        }
      cb_rtmp_session_consume_output (self, total);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Drops what is queued, unwritten. */
void
cb_rtmp_session_clear_output (CbRtmpSession *self)
{
  g_return_if_fail (self != NULL);

  ring_clear (&self->out);
  self->queued = 0;
  self->out_offset = 0;
}

guint64
cb_rtmp_session_get_bytes_sent (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bytes_sent;
}

/**
 * cb_rtmp_session_get_write_stall:
 * @now: g_get_monotonic_time()
 *
 * Returns: how long, in microseconds, output has been queued without any of it written;
 *   0 when nothing is queued
 */
gint64
cb_rtmp_session_get_write_stall (CbRtmpSession *self,
                                 gint64         now)
{
  g_return_val_if_fail (self != NULL, 0);
  if (self->queued == 0)
    return 0;
  return MAX (now - self->last_progress, 0);
}

/* ---- input ------------------------------------------------------------------------------ */

gboolean
cb_rtmp_session_is_handshake_done (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->handshake == NULL;
}

/**
 * cb_rtmp_session_set_input_limit:
 * @limit: most bytes the peer may have sent (handshake included) while the limit holds;
 *   0 lifts it
 *
 * A server holds its peer to a few kilobytes until connect is answered: a handshake and a
 * connect fit easily, a flood does not.
 */
void
cb_rtmp_session_set_input_limit (CbRtmpSession *self,
                                 guint32        limit)
{
  g_return_if_fail (self != NULL);
  self->input_limit = limit;
}

void
cb_rtmp_session_set_max_message_size (CbRtmpSession *self,
                                      guint32        max_size)
{
  g_return_if_fail (self != NULL);
  cb_rtmp_chunk_reader_set_max_message_size (self->reader, max_size);
}

guint64
cb_rtmp_session_get_bytes_received (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->ack_counter.received;
}

/* When the peer last sent anything (g_get_monotonic_time()). */
gint64
cb_rtmp_session_get_last_input (CbRtmpSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->last_input;
}

/* The control messages both sides answer the same way. */
static gboolean
handle_control (CbRtmpSession  *self,
                CbRtmpMessage  *message,
                gboolean       *handled,
                GError        **error)
{
  guint32 value;

  *handled = FALSE;
  if (message->type_id == CB_RTMP_MSG_WINDOW_ACK_SIZE)
    {
      if (!cb_rtmp_control_parse_u32 (message, &value, error))
        return FALSE;
      cb_rtmp_ack_counter_set_window (&self->ack_counter, value);
      *handled = TRUE;
    }
  else if (message->type_id == CB_RTMP_MSG_USER_CONTROL)
    {
      CbRtmpUserControl uc;

      if (!cb_rtmp_control_parse_user_control (message, &uc, error))
        return FALSE;
      if (uc.event == CB_RTMP_USER_PING_REQUEST)
        {
          g_autoptr(CbRtmpMessage) pong =
            cb_rtmp_message_new_user_control (CB_RTMP_USER_PING_RESPONSE, uc.value);

          cb_rtmp_session_send_message (self, pong);
          *handled = TRUE;
        }
    }
  return TRUE;
}

/**
 * cb_rtmp_session_feed:
 * @data: bytes read from the connection
 *
 * Counts and acknowledges them, runs the handshake, then parses messages and hands them to
 * the owner until more bytes are needed.
 *
 * Returns: %FALSE when reading stops: with @error when the connection must close (a peer
 *   breaking the protocol, or the owner's verdict), without when the owner stopped it
 */
gboolean
cb_rtmp_session_feed (CbRtmpSession  *self,
                      const guint8   *data,
                      gsize           len,
                      GError        **error)
{
  guint32 seq;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  self->last_input = g_get_monotonic_time ();
  /* An acknowledgement would break the handshake; the window is far larger than it. */
  if (cb_rtmp_ack_counter_add (&self->ack_counter, len, &seq) && self->handshake == NULL)
    {
      g_autoptr(CbRtmpMessage) ack = cb_rtmp_message_new_acknowledgement (seq);

      cb_rtmp_session_send_message (self, ack);
    }

  if (self->handshake != NULL)
    {
      gsize consumed = 0;
      g_autoptr(GBytes) reply = NULL;

      if (!cb_rtmp_handshake_feed (self->handshake, data, len, &consumed, error))
        return FALSE;
      reply = cb_rtmp_handshake_take_output (self->handshake);
      if (reply != NULL)
        cb_rtmp_session_queue_bytes (self, reply);
      if (!cb_rtmp_handshake_is_done (self->handshake))
        return TRUE;
      g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
      if (self->funcs->handshake_done != NULL && !self->funcs->handshake_done (self->data, error))
        return FALSE;
      data += consumed;
      len -= consumed;
    }

  if (self->input_limit != 0 && self->ack_counter.received > self->input_limit)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                           "too many bytes before connect");
      return FALSE;
    }

  if (len > 0)
    cb_rtmp_chunk_reader_feed (self->reader, data, len);
  for (;;)
    {
      g_autoptr(CbRtmpMessage) message = NULL;
      gboolean handled;

      if (!cb_rtmp_chunk_reader_next (self->reader, &message, error))
        return FALSE;
      if (message == NULL)
        return TRUE;
      if (!handle_control (self, message, &handled, error))
        return FALSE;
      if (!handled && !self->funcs->message (self->data, message, error))
        return FALSE;
    }
}

/* ---- media helpers ------------------------------------------------------------------------ */

/**
 * cb_rtmp_aggregate_split:
 * @message: an aggregate message: FLV tags (type, size, timestamp, stream id, body,
 *   previous tag size), with timestamps relative to the first one
 * @func: called with each audio, video and AMF0 data tag, at the message's timestamp plus
 *   its offset from the first tag; returns %FALSE to stop
 *
 * Returns: %FALSE with %CB_RTMP_ERROR_MALFORMED when a tag is cut short (the tags before
 *   it were handed out)
 */
gboolean
cb_rtmp_aggregate_split (const CbRtmpMessage  *message,
                         CbRtmpAggregateFunc   func,
                         gpointer              data,
                         GError              **error)
{
  gsize len, off = 0;
  const guint8 *p;
  guint32 first_ts = 0;
  gboolean first = TRUE;

  g_return_val_if_fail (message != NULL && func != NULL, FALSE);

  p = cb_rtmp_message_get_data (message, &len);
  while (off < len)
    {
      guint8 type;
      guint32 size, ts;
      g_autoptr(GBytes) body = NULL;

      if (len - off < 11)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "truncated aggregate message");
          return FALSE;
        }
      type = p[off] & 0x1f;
      size = cb_read_be24 (p + off + 1);
      ts = cb_read_be24 (p + off + 4) | ((guint32) p[off + 7] << 24);
      if (size > len - off - 11)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "aggregate tag longer than its message");
          return FALSE;
        }
      if (first)
        {
          first_ts = ts;
          first = FALSE;
        }
      body = g_bytes_new_from_bytes (message->payload, off + 11, size);
      if ((type == CB_RTMP_MSG_AUDIO || type == CB_RTMP_MSG_VIDEO ||
           type == CB_RTMP_MSG_DATA_AMF0) &&
          !func (data, type, message->timestamp + (ts - first_ts), body))
        return TRUE;
      off += 11 + size;
      off += MIN (4, len - off);   /* previous tag size */
    }
  return TRUE;
}
