/* cb-rtmp-chunk.c — RTMP messages, chunk stream reader and writer, protocol control
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-bytes-private.h"

#include <string.h>

#define EXTENDED_TIMESTAMP 0xffffffu
/* A chunk header at the most: basic 3, message 11, extended timestamp 4. */
#define MAX_HEADER 18

/* ---- messages ---- */

/**
 * cb_rtmp_message_new:
 * @payload: (transfer none): the body
 */
CbRtmpMessage *
cb_rtmp_message_new (guint32  csid,
                     guint8   type_id,
                     guint32  stream_id,
                     guint32  timestamp,
                     GBytes  *payload)
{
  CbRtmpMessage *msg;

  g_return_val_if_fail (payload != NULL, NULL);

  msg = g_new0 (CbRtmpMessage, 1);
  msg->csid = csid;
  msg->type_id = type_id;
  msg->stream_id = stream_id;
  msg->timestamp = timestamp;
  msg->payload = g_bytes_ref (payload);
  return msg;
}

CbRtmpMessage *
cb_rtmp_message_new_from_data (guint32       csid,
                               guint8        type_id,
                               guint32       stream_id,
                               guint32       timestamp,
                               const guint8 *data,
                               gsize         len)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  bytes = g_bytes_new (data, len);
  return cb_rtmp_message_new (csid, type_id, stream_id, timestamp, bytes);
}

const guint8 *
cb_rtmp_message_get_data (const CbRtmpMessage *message,
                          gsize               *len)
{
  gsize size = 0;
  const guint8 *data;

  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message->payload, &size);
  if (len != NULL)
    *len = size;
  return data;
}

void
cb_rtmp_message_free (CbRtmpMessage *message)
{
  if (message == NULL)
    return;
  g_bytes_unref (message->payload);
  g_free (message);
}

const char *
cb_rtmp_message_type_to_string (guint8 type_id)
{
  switch (type_id)
    {
    case CB_RTMP_MSG_SET_CHUNK_SIZE: return "SetChunkSize";
    case CB_RTMP_MSG_ABORT: return "Abort";
    case CB_RTMP_MSG_ACKNOWLEDGEMENT: return "Acknowledgement";
    case CB_RTMP_MSG_USER_CONTROL: return "UserControl";
    case CB_RTMP_MSG_WINDOW_ACK_SIZE: return "WindowAckSize";
    case CB_RTMP_MSG_SET_PEER_BANDWIDTH: return "SetPeerBandwidth";
    case CB_RTMP_MSG_AUDIO: return "Audio";
    case CB_RTMP_MSG_VIDEO: return "Video";
    case CB_RTMP_MSG_DATA_AMF3: return "DataAMF3";
    case CB_RTMP_MSG_SHARED_OBJECT_AMF3: return "SharedObjectAMF3";
    case CB_RTMP_MSG_COMMAND_AMF3: return "CommandAMF3";
    case CB_RTMP_MSG_DATA_AMF0: return "DataAMF0";
    case CB_RTMP_MSG_SHARED_OBJECT_AMF0: return "SharedObjectAMF0";
    case CB_RTMP_MSG_COMMAND_AMF0: return "CommandAMF0";
    case CB_RTMP_MSG_AGGREGATE: return "Aggregate";
    default: return "Unknown";
    }
}

static CbRtmpMessage *
control_message (guint8        type_id,
                 const guint8 *data,
                 gsize         len)
{
  return cb_rtmp_message_new_from_data (CB_RTMP_CSID_CONTROL, type_id, 0, 0, data, len);
}

static CbRtmpMessage *
control_message_u32 (guint8  type_id,
                     guint32 value)
{
  guint8 b[4] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  return control_message (type_id, b, sizeof b);
}

CbRtmpMessage *
cb_rtmp_message_new_set_chunk_size (guint32 chunk_size)
{
  g_return_val_if_fail (chunk_size >= 1 && chunk_size <= CB_RTMP_MAX_CHUNK_SIZE, NULL);

  return control_message_u32 (CB_RTMP_MSG_SET_CHUNK_SIZE, chunk_size);
}

CbRtmpMessage *
cb_rtmp_message_new_abort (guint32 csid)
{
  return control_message_u32 (CB_RTMP_MSG_ABORT, csid);
}

CbRtmpMessage *
cb_rtmp_message_new_acknowledgement (guint32 sequence_number)
{
  return control_message_u32 (CB_RTMP_MSG_ACKNOWLEDGEMENT, sequence_number);
}

CbRtmpMessage *
cb_rtmp_message_new_window_ack_size (guint32 window)
{
  return control_message_u32 (CB_RTMP_MSG_WINDOW_ACK_SIZE, window);
}

CbRtmpMessage *
cb_rtmp_message_new_set_peer_bandwidth (guint32 window,
                                        guint8  limit_type)
{
  guint8 b[5] = { window >> 24, (window >> 16) & 0xff, (window >> 8) & 0xff, window & 0xff,
                  limit_type };

  return control_message (CB_RTMP_MSG_SET_PEER_BANDWIDTH, b, sizeof b);
}

CbRtmpMessage *
cb_rtmp_message_new_user_control (CbRtmpUserControlEvent event,
                                  guint32                value)
{
  guint8 b[6] = { (event >> 8) & 0xff, event & 0xff,
                  value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  return control_message (CB_RTMP_MSG_USER_CONTROL, b, sizeof b);
}

CbRtmpMessage *
cb_rtmp_message_new_set_buffer_length (guint32 stream_id,
                                       guint32 buffer_ms)
{
  g_autoptr(GByteArray) b = g_byte_array_sized_new (10);

  cb_put_be16 (b, CB_RTMP_USER_SET_BUFFER_LENGTH);
  cb_put_be32 (b, stream_id);
  cb_put_be32 (b, buffer_ms);
  return control_message (CB_RTMP_MSG_USER_CONTROL, b->data, b->len);
}

/**
 * cb_rtmp_control_parse_u32:
 * @message: a Set Chunk Size, Abort, Acknowledgement or Window Acknowledgement Size message
 *
 * Reads the 4-byte value. For Set Chunk Size, a value of 0 or with bit 31 set fails with
 * %CB_RTMP_ERROR_PROTOCOL.
 */
gboolean
cb_rtmp_control_parse_u32 (const CbRtmpMessage  *message,
                           guint32              *value,
                           GError              **error)
{
  const guint8 *data;
  gsize len;
  guint32 v;

  g_return_val_if_fail (message != NULL, FALSE);

  data = cb_rtmp_message_get_data (message, &len);
  if (len < 4)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "%s message of %" G_GSIZE_FORMAT " bytes, 4 needed",
                   cb_rtmp_message_type_to_string (message->type_id), len);
      return FALSE;
    }
  v = cb_read_be32 (data);
  if (message->type_id == CB_RTMP_MSG_SET_CHUNK_SIZE && (v == 0 || (v & 0x80000000u)))
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                   "invalid chunk size %u (1..2147483647 allowed)", v);
      return FALSE;
    }
  if (value != NULL)
    *value = v;
  return TRUE;
}

gboolean
cb_rtmp_control_parse_set_peer_bandwidth (const CbRtmpMessage  *message,
                                          guint32              *window,
                                          guint8               *limit_type,
                                          GError              **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (message != NULL, FALSE);

  data = cb_rtmp_message_get_data (message, &len);
  if (len < 5)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "SetPeerBandwidth message of %" G_GSIZE_FORMAT " bytes, 5 needed", len);
      return FALSE;
    }
  if (data[4] > CB_RTMP_LIMIT_DYNAMIC)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "SetPeerBandwidth limit type %u unknown", data[4]);
      return FALSE;
    }
  if (window != NULL)
    *window = cb_read_be32 (data);
  if (limit_type != NULL)
    *limit_type = data[4];
  return TRUE;
}

gboolean
cb_rtmp_control_parse_user_control (const CbRtmpMessage  *message,
                                    CbRtmpUserControl    *out,
                                    GError              **error)
{
  CbRtmpUserControl uc = { 0, 0, 0 };
  const guint8 *data;
  gsize len, needed;

  g_return_val_if_fail (message != NULL, FALSE);

  data = cb_rtmp_message_get_data (message, &len);
  if (len < 2)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "UserControl message of %" G_GSIZE_FORMAT " bytes", len);
      return FALSE;
    }
  uc.event = cb_read_be16 (data);
  switch (uc.event)
    {
    case CB_RTMP_USER_SET_BUFFER_LENGTH:
      needed = 10;
      break;
    case CB_RTMP_USER_STREAM_BEGIN:
    case CB_RTMP_USER_STREAM_EOF:
    case CB_RTMP_USER_STREAM_DRY:
    case CB_RTMP_USER_STREAM_IS_RECORDED:
    case CB_RTMP_USER_PING_REQUEST:
    case CB_RTMP_USER_PING_RESPONSE:
      needed = 6;
      break;
    default:
      /* Unknown events (Flash's BufferEmpty 31 / BufferReady 32, …) are reported with
       * whatever value they carry; the caller ignores them. */
      needed = 2;
      break;
    }
  if (len < needed)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "UserControl event %u of %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT
                   " needed", uc.event, len, needed);
      return FALSE;
    }
  if (len >= 6)
    uc.value = cb_read_be32 (data + 2);
  if (len >= 10)
    uc.value2 = cb_read_be32 (data + 6);
  if (out != NULL)
    *out = uc;
  return TRUE;
}

/* ---- reader ---- */

typedef struct {
  gboolean    has_header;   /* a type 0 or 1 header was seen: length and type are known */
  guint32     timestamp;    /* absolute timestamp of the current or last message */
  guint32     delta;        /* what a type 3 chunk starting a new message adds */
  guint32     length;
  guint8      type_id;
  guint32     stream_id;
  gboolean    extended;     /* the last type 0/1/2 header carried an extended timestamp */
  guint32     ext_value;    /* and this was its value */
  GByteArray *partial;      /* the message being assembled, or NULL */
  gsize       reserved;     /* what @partial was allocated with */
} ChunkStream;

/* A message's buffer is allocated at its length when it starts, up to this: it grows
 * without copies as its chunks arrive. What is reserved counts as held. */
#define PREALLOC_MAX (1024 * 1024)

/* What an incomplete message holds against CB_RTMP_MAX_PARTIAL_BYTES. */
static gsize
held (const ChunkStream *st)
{
  return st != NULL && st->partial != NULL ? MAX (st->partial->len, st->reserved) : 0;
}

struct _CbRtmpChunkReader {
  GByteArray *buf;
  gsize       pos;
  guint32     chunk_size;
  guint32     max_message_size;
  GHashTable *streams;      /* csid → ChunkStream */
  gsize       partial_total;  /* bytes held in incomplete messages */
  GError     *failed;       /* set once the stream cannot be resynchronised */
};

static void
chunk_stream_free (gpointer data)
{
  ChunkStream *st = data;

  if (st->partial != NULL)
    g_byte_array_unref (st->partial);
  g_free (st);
}

CbRtmpChunkReader *
cb_rtmp_chunk_reader_new (void)
{
  CbRtmpChunkReader *reader = g_new0 (CbRtmpChunkReader, 1);

  reader->buf = g_byte_array_new ();
  reader->chunk_size = CB_RTMP_DEFAULT_CHUNK_SIZE;
  reader->max_message_size = CB_RTMP_DEFAULT_MAX_MESSAGE_SIZE;
  reader->streams = g_hash_table_new_full (NULL, NULL, NULL, chunk_stream_free);
  return reader;
}

void
cb_rtmp_chunk_reader_free (CbRtmpChunkReader *reader)
{
  if (reader == NULL)
    return;
  g_byte_array_unref (reader->buf);
  g_hash_table_unref (reader->streams);
  g_clear_error (&reader->failed);
  g_free (reader);
}

/**
 * cb_rtmp_chunk_reader_set_max_message_size:
 *
 * Messages announcing a larger length fail with %CB_RTMP_ERROR_TOO_LARGE. The default is
 * %CB_RTMP_DEFAULT_MAX_MESSAGE_SIZE.
 */
void
cb_rtmp_chunk_reader_set_max_message_size (CbRtmpChunkReader *reader,
                                           guint32            max_size)
{
  g_return_if_fail (reader != NULL);

  reader->max_message_size = max_size;
}

/**
 * cb_rtmp_chunk_reader_feed:
 *
 * Appends bytes read from the connection (after the handshake). Nothing is parsed until
 * cb_rtmp_chunk_reader_next().
 */
void
cb_rtmp_chunk_reader_feed (CbRtmpChunkReader *reader,
                           const guint8      *data,
                           gsize              len)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || len == 0);

  /* Drop what was parsed before growing, so the buffer holds at most one partial chunk
   * plus what the caller feeds at once. */
  if (reader->pos > 0)
    {
      g_byte_array_remove_range (reader->buf, 0, reader->pos);
      reader->pos = 0;
    }
  g_byte_array_append (reader->buf, data, len);
}

guint32
cb_rtmp_chunk_reader_get_chunk_size (CbRtmpChunkReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->chunk_size;
}

/**
 * cb_rtmp_chunk_reader_get_buffered:
 *
 * Returns: the bytes fed but not yet parsed into complete chunks
 */
gsize
cb_rtmp_chunk_reader_get_buffered (CbRtmpChunkReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->buf->len - reader->pos;
}

static gboolean
fail (CbRtmpChunkReader  *reader,
      GError            **error,
      gint                code,
      const char         *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (CbRtmpChunkReader  *reader,
      GError            **error,
      gint                code,
      const char         *format,
      ...)
{
  va_list args;

  va_start (args, format);
  reader->failed = g_error_new_valist (CB_RTMP_ERROR, code, format, args);
  va_end (args);
  g_propagate_error (error, g_error_copy (reader->failed));
  return FALSE;
}

/* Applies the control messages that change how the following chunks are read. The
 * message is still handed to the caller (to log it, or to answer it). */
static gboolean
apply_control (CbRtmpChunkReader    *reader,
               const CbRtmpMessage  *msg,
               GError              **error)
{
  GError *local = NULL;
  guint32 value;

  if (msg->type_id != CB_RTMP_MSG_SET_CHUNK_SIZE && msg->type_id != CB_RTMP_MSG_ABORT)
    return TRUE;

  if (!cb_rtmp_control_parse_u32 (msg, &value, &local))
    {
      reader->failed = g_error_copy (local);
      g_propagate_error (error, local);
      return FALSE;
    }
  if (msg->type_id == CB_RTMP_MSG_SET_CHUNK_SIZE)
    {
      reader->chunk_size = value;
    }
  else
    {
      ChunkStream *st = g_hash_table_lookup (reader->streams, GUINT_TO_POINTER (value));

      if (st != NULL && st->partial != NULL)
        {
          reader->partial_total -= held (st);
          g_clear_pointer (&st->partial, g_byte_array_unref);
          st->reserved = 0;
        }
    }
  return TRUE;
}

/**
 * cb_rtmp_chunk_reader_next:
 * @out: (out) (transfer full): the next complete message, or %NULL when more data is needed
 *
 * Parses the chunks fed so far until a message is complete. Set Chunk Size and Abort are
 * applied to the reader before they are returned. Once it has returned %FALSE, the reader
 * keeps failing: the connection is to be closed.
 *
 * Timestamps follow the specification: a type 3 chunk that starts a new message adds the
 * delta of the last type 1/2 header, or after a type 0 header the timestamp of that header
 * (section 5.3.1.2.4); FMLE relies on it. A type 3 chunk after a header with an extended
 * timestamp may or may not repeat the 4 extended bytes (Adobe, FFmpeg and librtmp repeat
 * them, some encoders do not): the reader accepts both, taking the 4 bytes as the repeat
 * when they equal the last extended value. The cost: when they are absent and fewer than 4
 * bytes follow, the reader waits for more bytes before it can decide.
 *
 * Returns: %TRUE (with or without a message), or %FALSE with @error set
 */
gboolean
cb_rtmp_chunk_reader_next (CbRtmpChunkReader  *reader,
                           CbRtmpMessage     **out,
                           GError            **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = NULL;
  if (reader->failed != NULL)
    {
      g_propagate_error (error, g_error_copy (reader->failed));
      return FALSE;
    }

  for (;;)
    {
      const guint8 *p;
      gsize avail = reader->buf->len - reader->pos;
      gsize hlen, payload_len, before, after;
      guint fmt;
      guint32 csid;
      ChunkStream *st;
      ChunkStream next;
      gboolean new_message, has_ext;
      guint32 field = 0, ext = 0;
      static const guint8 header_sizes[4] = { 11, 7, 3, 0 };

      /* An empty GByteArray has no data at all: no offset into NULL (UBSan). */
      if (avail < 1)
        return TRUE;
      p = reader->buf->data + reader->pos;
      fmt = p[0] >> 6;
      csid = p[0] & 0x3f;
      hlen = 1;
      if (csid == 0)
        {
          if (avail < 2)
            return TRUE;
          csid = 64 + p[1];
          hlen = 2;
        }
      else if (csid == 1)
        {
          if (avail < 3)
            return TRUE;
          csid = 64 + p[1] + 256 * (guint32) p[2];
          hlen = 3;
        }

      st = g_hash_table_lookup (reader->streams, GUINT_TO_POINTER (csid));
      if (st != NULL)
        next = *st;
      else
        memset (&next, 0, sizeof next);
      new_message = st == NULL || st->partial == NULL;

      if (!new_message && fmt != 3)
        return fail (reader, error, CB_RTMP_ERROR_PROTOCOL,
                     "chunk type %u on chunk stream %u while a message of %u bytes is "
                     "incomplete", fmt, csid, st->length);
      /* librtmp opens chunk stream 2 with a type 1 header for its pings: a type 1 needs no
       * history but the message stream id, which is then 0. Types 2 and 3 need a length. */
      if ((fmt == 2 || fmt == 3) && (st == NULL || !st->has_header))
        return fail (reader, error, CB_RTMP_ERROR_PROTOCOL,
                     "chunk type %u on chunk stream %u with no previous header", fmt, csid);

      if (avail < hlen + header_sizes[fmt])
        return TRUE;
      if (fmt <= 2)
        field = cb_read_be24 (p + hlen);
      if (fmt <= 1)
        {
          next.length = cb_read_be24 (p + hlen + 3);
          next.type_id = p[hlen + 6];
          next.has_header = TRUE;
        }
      if (fmt == 0)
        next.stream_id = cb_read_le32 (p + hlen + 7);
      hlen += header_sizes[fmt];

      if (fmt <= 2)
        {
          has_ext = field == EXTENDED_TIMESTAMP;
          if (has_ext)
            {
              if (avail < hlen + 4)
                return TRUE;
              ext = cb_read_be32 (p + hlen);
              hlen += 4;
              field = ext;
            }
          next.extended = has_ext;
          next.ext_value = ext;
        }
      else if (next.extended)
        {
          if (avail < hlen + 4)
            return TRUE;
          if (cb_read_be32 (p + hlen) == next.ext_value)
            hlen += 4;
        }

      if (new_message)
        {
          if (fmt == 0)
            {
              next.timestamp = field;
              next.delta = field;
            }
          else if (fmt == 1 || fmt == 2)
            {
              next.delta = field;
              next.timestamp += field;
            }
          else
            {
              next.timestamp += next.delta;
            }
          if (next.length > reader->max_message_size)
            return fail (reader, error, CB_RTMP_ERROR_TOO_LARGE,
                         "message of %u bytes on chunk stream %u is over the limit of %u",
                         next.length, csid, reader->max_message_size);
          payload_len = MIN (next.length, reader->chunk_size);
        }
      else
        {
          payload_len = MIN (next.length - st->partial->len, reader->chunk_size);
        }

      if (avail < hlen + payload_len)
        return TRUE;
      /* A partial message holds what arrived of it or what was reserved for it (held()),
       * and a peer could start thousands of them on as many chunk streams. */
      before = held (st);
      if (new_message)
        next.reserved = MIN (next.length, PREALLOC_MAX);
      after = MAX ((new_message ? 0 : st->partial->len) + payload_len, next.reserved);
      if (reader->partial_total - before + after > CB_RTMP_MAX_PARTIAL_BYTES)
        return fail (reader, error, CB_RTMP_ERROR_TOO_LARGE,
                     "over %u bytes held in incomplete messages", CB_RTMP_MAX_PARTIAL_BYTES);

      /* The chunk is complete: commit. */
      if (st == NULL)
        {
          st = g_new0 (ChunkStream, 1);
          g_hash_table_insert (reader->streams, GUINT_TO_POINTER (csid), st);
        }
      next.partial = st->partial;
      *st = next;
      if (st->partial == NULL)
        st->partial = g_byte_array_sized_new (st->reserved);
      g_byte_array_append (st->partial, p + hlen, payload_len);
      reader->partial_total += after - before;
      reader->pos += hlen + payload_len;

      if (st->partial->len == st->length)
        {
          g_autoptr(CbRtmpMessage) msg = g_new0 (CbRtmpMessage, 1);

          msg->csid = csid;
          msg->type_id = st->type_id;
          msg->stream_id = st->stream_id;
          msg->timestamp = st->timestamp;
          reader->partial_total -= held (st);
          st->reserved = 0;
          msg->payload = g_byte_array_free_to_bytes (g_steal_pointer (&st->partial));
          if (!apply_control (reader, msg, error))
            return FALSE;
          *out = g_steal_pointer (&msg);
          return TRUE;
        }
    }
}

/* ---- writer ---- */

typedef struct {
  guint32 timestamp;
  guint32 length;
  guint32 stream_id;
  guint8  type_id;
  gboolean used;
} OutStream;

/* The chunk streams a session sends on (control, commands, media) have small ids: their
 * history is an array, looked up per message and per session without hashing. */
#define DIRECT_CSIDS 16

struct _CbRtmpChunkWriter {
  guint32     chunk_size;
  OutStream   direct[DIRECT_CSIDS];
  GHashTable *streams;   /* csid → OutStream, for csid >= DIRECT_CSIDS */
};

/* The history of @csid: NULL for none yet, unless @create. */
static OutStream *
out_stream (CbRtmpChunkWriter *writer,
            guint32            csid,
            gboolean           create)
{
  OutStream *st;

  if (csid < DIRECT_CSIDS)
    {
      st = &writer->direct[csid];
      if (!st->used && !create)
        return NULL;
      st->used = TRUE;
      return st;
    }
  st = g_hash_table_lookup (writer->streams, GUINT_TO_POINTER (csid));
  if (st == NULL && create)
    {
      st = g_new0 (OutStream, 1);
      st->used = TRUE;
      g_hash_table_insert (writer->streams, GUINT_TO_POINTER (csid), st);
    }
  return st;
}

CbRtmpChunkWriter *
cb_rtmp_chunk_writer_new (void)
{
  CbRtmpChunkWriter *writer = g_new0 (CbRtmpChunkWriter, 1);

  writer->chunk_size = CB_RTMP_DEFAULT_CHUNK_SIZE;
  writer->streams = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return writer;
}

void
cb_rtmp_chunk_writer_free (CbRtmpChunkWriter *writer)
{
  if (writer == NULL)
    return;
  g_hash_table_unref (writer->streams);
  g_free (writer);
}

guint32
cb_rtmp_chunk_writer_get_chunk_size (CbRtmpChunkWriter *writer)
{
  g_return_val_if_fail (writer != NULL, 0);

  return writer->chunk_size;
}

/**
 * cb_rtmp_chunk_writer_reset_stream:
 *
 * Forgets the history of @csid, so its next message goes out with a type 0 header (after
 * sending an Abort, or when a new message stream starts on it).
 */
void
cb_rtmp_chunk_writer_reset_stream (CbRtmpChunkWriter *writer,
                                   guint32            csid)
{
  g_return_if_fail (writer != NULL);

  if (csid < DIRECT_CSIDS)
    writer->direct[csid].used = FALSE;
  else
    g_hash_table_remove (writer->streams, GUINT_TO_POINTER (csid));
}

/* The basic header of @fmt on @csid into @out (1 to 3 bytes); returns its length. */
static guint
basic_header (guint8   out[3],
              guint    fmt,
              guint32  csid)
{
  if (csid < 64)
    {
      out[0] = (fmt << 6) | csid;
      return 1;
    }
  if (csid < 64 + 256)
    {
      out[0] = fmt << 6;
      out[1] = csid - 64;
      return 2;
    }
  out[0] = (fmt << 6) | 1;
  out[1] = (csid - 64) & 0xff;
  out[2] = (csid - 64) >> 8;
  return 3;
}

static void
put_basic_header (GByteArray *out,
                  guint       fmt,
                  guint32     csid)
{
  guint8 h[3];

  g_byte_array_append (out, h, basic_header (h, fmt, csid));
}

static gboolean
check_length (gsize    len,
              GError **error)
{
  if (len > 0xffffff)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                   "message of %" G_GSIZE_FORMAT " bytes does not fit RTMP's 24-bit length",
                   len);
      return FALSE;
    }
  return TRUE;
}

/* The first chunk's header of a message of @len bytes, and the writer's history of @csid
 * moved on to it. Returns the timestamp field: what a type 3 chunk repeats as its
 * extended timestamp when it is >= EXTENDED_TIMESTAMP. */
static guint32
put_first_header (CbRtmpChunkWriter *writer,
                  guint32            csid,
                  guint8             type_id,
                  guint32            stream_id,
                  guint32            timestamp,
                  gsize              len,
                  GByteArray        *out)
{
  OutStream *prev = out_stream (writer, csid, FALSE);
  guint8 h[MAX_HEADER];
  guint fmt, n;
  guint32 field;

  if (prev == NULL || prev->stream_id != stream_id || timestamp < prev->timestamp)
    {
      fmt = 0;
      field = timestamp;
    }
  else
    {
      fmt = (prev->length == len && prev->type_id == type_id) ? 2 : 1;
      field = timestamp - prev->timestamp;
    }

  /* Built here and appended once: this runs for every message to every session. */
  n = basic_header (h, fmt, csid);
  cb_write_be24 (h + n, MIN (field, EXTENDED_TIMESTAMP));
  n += 3;
  if (fmt <= 1)
    {
      cb_write_be24 (h + n, len);
      h[n + 3] = type_id;
      n += 4;
    }
  if (fmt == 0)
    {
      cb_write_le32 (h + n, stream_id);
      n += 4;
    }
  if (field >= EXTENDED_TIMESTAMP)
    {
      cb_write_be32 (h + n, field);
      n += 4;
    }
  g_byte_array_append (out, h, n);

  if (prev == NULL)
    prev = out_stream (writer, csid, TRUE);
  prev->timestamp = timestamp;
  prev->length = len;
  prev->stream_id = stream_id;
  prev->type_id = type_id;
  return field;
}

/* Everything after the first chunk's header: the first chunk's payload, then type 3
 * chunks, each repeating @field as extended timestamp when it is one. */
static void
put_chunk_bodies (GByteArray   *out,
                  guint32       csid,
                  const guint8 *data,
                  gsize         len,
                  guint32       chunk_size,
                  guint32       field)
{
  gsize off = MIN (len, chunk_size);

  g_byte_array_append (out, data, off);
  while (off < len)
    {
      gsize n = MIN (len - off, chunk_size);

      put_basic_header (out, 3, csid);
      if (field >= EXTENDED_TIMESTAMP)
        cb_put_be32 (out, field);
      g_byte_array_append (out, data + off, n);
      off += n;
    }
}

/**
 * cb_rtmp_chunk_writer_write:
 * @message: the message; its @csid must be in 2..65599
 * @out: the buffer the chunks are appended to
 *
 * Splits @message into chunks of the writer's chunk size. The first chunk has a type 0
 * header for the first message on a chunk stream, when the message stream changes or when
 * time goes backwards; otherwise type 1, or type 2 when length and type repeat. Further
 * chunks are type 3, repeating an extended timestamp as the specification wants. A type 3
 * header never starts a message: readers disagree on what it means after type 0.
 *
 * Returns: %FALSE with %CB_RTMP_ERROR_TOO_LARGE for a payload over 16 MiB - 1
 */
gboolean
cb_rtmp_chunk_writer_write (CbRtmpChunkWriter    *writer,
                            const CbRtmpMessage  *message,
                            GByteArray           *out,
                            GError              **error)
{
  const guint8 *data;
  gsize len;
  guint32 field;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (message->csid >= 2 && message->csid <= CB_RTMP_CSID_MAX, FALSE);

  data = cb_rtmp_message_get_data (message, &len);
  if (!check_length (len, error))
    return FALSE;
  field = put_first_header (writer, message->csid, message->type_id, message->stream_id,
                            message->timestamp, len, out);
  put_chunk_bodies (out, message->csid, data, len, writer->chunk_size, field);
  return TRUE;
}

/* ---- the shared outgoing form ---- */

guint32
cb_rtmp_media_csid (guint8 type_id)
{
  return type_id == CB_RTMP_MSG_AUDIO ? CB_RTMP_CSID_AUDIO
         : type_id == CB_RTMP_MSG_VIDEO ? CB_RTMP_CSID_VIDEO : CB_RTMP_CSID_DATA;
}

struct _CbRtmpChunkForm {
  gatomicrefcount ref_count;
  guint32         csid;
  guint8          type_id;
  guint32         stream_id;
  guint32         timestamp;
  guint32         chunk_size;
  /* What follows the first chunk's header when no extended timestamp repeats: the
   * payload cut in chunks of @chunk_size, with @type3 (the chunk stream's type 3 header)
   * between two. Nothing of it is copied or allocated: a session queues slices of the
   * payload (cb_rtmp_chunk_form_get_piece()). */
  GBytes         *payload;
  guint8          type3[3];
  guint8          type3_len;
};

/**
 * cb_rtmp_chunk_form_new:
 * @message: the message: its @csid (2..65599), type, message stream id, timestamp and
 *   payload (referenced, not copied)
 * @chunk_size: the chunk size of the sessions that will send it
 *
 * Serializes @message once for every session that sends it with @chunk_size: each one
 * adds only the first chunk's header (cb_rtmp_chunk_writer_write_form()). The payload is
 * not copied: the form's pieces are slices of it and the type 3 headers between them. The
 * form is immutable, so sessions on any thread may share it. One allocation, whatever
 * the number of chunks.
 *
 * Returns: (transfer full): the form, or %NULL with %CB_RTMP_ERROR_TOO_LARGE for a
 *   payload over 16 MiB - 1
 */
CbRtmpChunkForm *
cb_rtmp_chunk_form_new (const CbRtmpMessage  *message,
                        guint32               chunk_size,
                        GError              **error)
{
  CbRtmpChunkForm *form;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (message->csid >= 2 && message->csid <= CB_RTMP_CSID_MAX, NULL);
  g_return_val_if_fail (chunk_size >= 1 && chunk_size <= CB_RTMP_MAX_CHUNK_SIZE, NULL);

  if (!check_length (g_bytes_get_size (message->payload), error))
    return NULL;

  form = g_new (CbRtmpChunkForm, 1);
  g_atomic_ref_count_init (&form->ref_count);
  form->csid = message->csid;
  form->type_id = message->type_id;
  form->stream_id = message->stream_id;
  form->timestamp = message->timestamp;
  form->chunk_size = chunk_size;
  form->payload = g_bytes_ref (message->payload);
  form->type3_len = basic_header (form->type3, 3, message->csid);
  return form;
}

CbRtmpChunkForm *
cb_rtmp_chunk_form_ref (CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  g_atomic_ref_count_inc (&form->ref_count);
  return form;
}

void
cb_rtmp_chunk_form_unref (CbRtmpChunkForm *form)
{
  if (form == NULL || !g_atomic_ref_count_dec (&form->ref_count))
    return;
  g_bytes_unref (form->payload);
  g_free (form);
}

guint32
cb_rtmp_chunk_form_get_chunk_size (const CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, 0);
  return form->chunk_size;
}

guint32
cb_rtmp_chunk_form_get_timestamp (const CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, 0);
  return form->timestamp;
}

guint32
cb_rtmp_chunk_form_get_stream_id (const CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, 0);
  return form->stream_id;
}

guint8
cb_rtmp_chunk_form_get_type_id (const CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, 0);
  return form->type_id;
}

/**
 * cb_rtmp_chunk_form_get_n_pieces:
 *
 * Returns: how many pieces follow the first chunk's header for a session with the form's
 *   chunk size whose timestamp field needs no extended timestamp (vectors of a gathered
 *   write): the payload's chunks, and a type 3 header between two
 */
guint
cb_rtmp_chunk_form_get_n_pieces (const CbRtmpChunkForm *form)
{
  gsize len;

  g_return_val_if_fail (form != NULL, 0);

  len = g_bytes_get_size (form->payload);
  return len <= form->chunk_size ? 1 : 2 * ((len + form->chunk_size - 1) / form->chunk_size) - 1;
}

/**
 * cb_rtmp_chunk_form_get_piece:
 * @i: the piece, below cb_rtmp_chunk_form_get_n_pieces()
 * @offset: (out): where in the payload the piece starts, for an even @i (a chunk's
 *   slice of the payload, cb_rtmp_chunk_form_get_payload()); for an odd @i, the piece is
 *   the type 3 header between two chunks and *@offset is not set
 * @len: (out): the piece's length
 *
 * Returns: (transfer none): the piece's bytes
 */
const guint8 *
cb_rtmp_chunk_form_get_piece (const CbRtmpChunkForm *form,
                              guint                  i,
                              gsize                 *offset,
                              gsize                 *len)
{
  gsize size, off;
  const guint8 *data;

  g_return_val_if_fail (form != NULL && offset != NULL && len != NULL, NULL);

  if (i % 2 == 1)
    {
      *len = form->type3_len;
      return form->type3;
    }
  data = g_bytes_get_data (form->payload, &size);
  off = (gsize) (i / 2) * form->chunk_size;
  g_return_val_if_fail (off < size || (off == 0 && size == 0), NULL);
  *offset = off;
  *len = MIN (size - off, form->chunk_size);
  return data + off;
}

/**
 * cb_rtmp_chunk_form_get_payload:
 *
 * Returns: (transfer none): the message's payload, of which the even pieces are slices
 */
GBytes *
cb_rtmp_chunk_form_get_payload (const CbRtmpChunkForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->payload;
}

/**
 * cb_rtmp_chunk_form_append_body:
 * @own: (nullable): what cb_rtmp_chunk_writer_write_form() returned
 *
 * Appends the body that follows the first chunk's header, @own or else the form's pieces,
 * as one buffer (tests, fuzzers: the wire takes the pieces as they are).
 */
void
cb_rtmp_chunk_form_append_body (const CbRtmpChunkForm *form,
                                GBytes                *own,
                                GByteArray            *out)
{
  guint n;

  g_return_if_fail (form != NULL && out != NULL);

  if (own != NULL)
    {
      g_byte_array_append (out, g_bytes_get_data (own, NULL), g_bytes_get_size (own));
      return;
    }
  n = cb_rtmp_chunk_form_get_n_pieces (form);
  for (guint i = 0; i < n; i++)
    {
      gsize off, len;
      const guint8 *data = cb_rtmp_chunk_form_get_piece (form, i, &off, &len);

      g_byte_array_append (out, data, len);
    }
}

/**
 * cb_rtmp_chunk_writer_write_form:
 * @form: the shared form of a message
 * @stream_id: the session's message stream id
 * @timestamp: the session's timestamp of the message (its own base, if it has one)
 * @header: the first chunk's header is appended here
 *
 * The same bytes as cb_rtmp_chunk_writer_write() of the form's message with @stream_id
 * and @timestamp, as @header followed by the body, and the writer's history moves on the
 * same way. The body is the form's shared pieces (cb_rtmp_chunk_form_get_pieces())
 * whenever it can be: the message fits one chunk of either size, or the writer's chunk
 * size is the form's and the timestamp field (the timestamp after a type 0 header, else
 * the delta) is below 0xffffff, so that type 3 chunks repeat no extended timestamp.
 * Otherwise, rarely, it is built here.
 *
 * Returns: (transfer full) (nullable): %NULL when the body is the form's pieces, else
 *   this session's own body
 */
GBytes *
cb_rtmp_chunk_writer_write_form (CbRtmpChunkWriter     *writer,
                                 const CbRtmpChunkForm *form,
                                 guint32                stream_id,
                                 guint32                timestamp,
                                 GByteArray            *header)
{
  GByteArray *own;
  gsize len;
  guint32 field;

  g_return_val_if_fail (writer != NULL, NULL);
  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (header != NULL, NULL);

  len = g_bytes_get_size (form->payload);
  field = put_first_header (writer, form->csid, form->type_id, stream_id, timestamp, len,
                            header);
  /* One chunk either way: the body is the payload. */
  if ((len <= form->chunk_size && len <= writer->chunk_size) ||
      (writer->chunk_size == form->chunk_size && field < EXTENDED_TIMESTAMP))
    return NULL;

  own = g_byte_array_sized_new (len + (len / writer->chunk_size) * 7);
  put_chunk_bodies (own, form->csid, g_bytes_get_data (form->payload, NULL), len,
                    writer->chunk_size, field);
  return g_byte_array_free_to_bytes (own);
}

/**
 * cb_rtmp_chunk_writer_write_set_chunk_size:
 *
 * Appends a Set Chunk Size message, then uses @chunk_size for what follows.
 */
gboolean
cb_rtmp_chunk_writer_write_set_chunk_size (CbRtmpChunkWriter  *writer,
                                           guint32             chunk_size,
                                           GByteArray         *out,
                                           GError            **error)
{
  g_autoptr(CbRtmpMessage) msg = NULL;

  g_return_val_if_fail (writer != NULL, FALSE);

  if (chunk_size == 0 || chunk_size > CB_RTMP_MAX_CHUNK_SIZE)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                   "invalid chunk size %u (1..2147483647 allowed)", chunk_size);
      return FALSE;
    }
  msg = cb_rtmp_message_new_set_chunk_size (chunk_size);
  if (!cb_rtmp_chunk_writer_write (writer, msg, out, error))
    return FALSE;
  writer->chunk_size = chunk_size;
  return TRUE;
}

/* ---- acknowledgements ---- */

/**
 * cb_rtmp_ack_counter_init:
 * @window: the peer's Window Acknowledgement Size; 0 disables acknowledgements
 */
void
cb_rtmp_ack_counter_init (CbRtmpAckCounter *counter,
                          guint32           window)
{
  g_return_if_fail (counter != NULL);

  counter->window = window;
  counter->received = 0;
  counter->last_ack = 0;
}

void
cb_rtmp_ack_counter_set_window (CbRtmpAckCounter *counter,
                                guint32           window)
{
  g_return_if_fail (counter != NULL);

  counter->window = window;
}

/**
 * cb_rtmp_ack_counter_add:
 * @n_bytes: bytes just read from the connection
 * @sequence_number: (out) (optional): the value to acknowledge: the bytes received so far,
 *   modulo 2^32 as in the specification
 *
 * Returns: %TRUE when an Acknowledgement is due now
 */
gboolean
cb_rtmp_ack_counter_add (CbRtmpAckCounter *counter,
                         gsize             n_bytes,
                         guint32          *sequence_number)
{
  g_return_val_if_fail (counter != NULL, FALSE);

  counter->received += n_bytes;
  if (counter->window == 0 || counter->received - counter->last_ack < counter->window)
    return FALSE;
  counter->last_ack = counter->received;
  if (sequence_number != NULL)
    *sequence_number = (guint32) counter->received;
  return TRUE;
}
