/* test-rtmp-chunk.c — chunk stream reader and writer, protocol control messages
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rtmp-chunk.h"
#include "rtmp-test-util.h"

typedef struct {
  guint32     csid;
  guint8      type_id;
  guint32     stream_id;
  guint32     timestamp;
  const char *payload;   /* hex */
} ExpectedMessage;

#define MAX_EXPECTED 6

typedef struct {
  const char     *name;
  const char     *hex;
  int             error;        /* -1: none; else the error after the expected messages */
  guint           n_messages;
  ExpectedMessage messages[MAX_EXPECTED];
} ReaderRow;

/* Set Chunk Size 2, so that short payloads span several chunks. */
#define SCS2 "02 000000 000004 01 00000000 00000002 "

static const ReaderRow reader_rows[] = {
  { "fmt0-single", "03 000000 000005 14 00000000 0102030405", -1, 1,
    { { 3, 20, 0, 0, "0102030405" } } },
  { "fmt0-stream-id-little-endian", "04 000010 000001 08 01000000 aa", -1, 1,
    { { 4, 8, 1, 16, "aa" } } },
  { "zero-length-message", "03 000000 000000 14 00000000", -1, 1,
    { { 3, 20, 0, 0, "" } } },
  { "fmt1-fmt2-fmt3-deltas",
    "04 000064 000002 08 01000000 aabb"
    "44 00000a 000003 08 ccddee"
    "84 00000a ff0011"
    "c4 112233", -1, 4,
    { { 4, 8, 1, 100, "aabb" }, { 4, 8, 1, 110, "ccddee" }, { 4, 8, 1, 120, "ff0011" },
      { 4, 8, 1, 130, "112233" } } },
  /* FMLE: type 3 right after type 0 adds the type 0 timestamp (spec 5.3.1.2.4). */
  { "fmt3-after-fmt0-new-message",
    "04 00001a 000002 08 01000000 aabb"
    "c4 ccdd", -1, 2,
    { { 4, 8, 1, 26, "aabb" }, { 4, 8, 1, 52, "ccdd" } } },
  /* librtmp opens chunk stream 2 with a type 1 header for pings. */
  { "fmt1-on-fresh-csid", "42 000000 000006 04 0006 00000d0f", -1, 1,
    { { 2, 4, 0, 0, "000600000d0f" } } },
  { "csid-2-byte-form-64", "00 00 000000 000001 14 00000000 01", -1, 1,
    { { 64, 20, 0, 0, "01" } } },
  { "csid-2-byte-form-319", "00 ff 000000 000001 14 00000000 01", -1, 1,
    { { 319, 20, 0, 0, "01" } } },
  { "csid-3-byte-form-max", "01 ff ff 000000 000001 14 00000000 02", -1, 1,
    { { 65599, 20, 0, 0, "02" } } },
  { "csid-3-byte-form-320", "01 00 01 000000 000001 14 00000000 03", -1, 1,
    { { 320, 20, 0, 0, "03" } } },
  { "extended-timestamp-fmt0", "03 ffffff 000002 14 00000000 01000000 aabb", -1, 1,
    { { 3, 20, 0, 0x01000000, "aabb" } } },
  { "extended-timestamp-max", "03 ffffff 000001 14 00000000 ffffffff aa", -1, 1,
    { { 3, 20, 0, 0xffffffff, "aa" } } },
  { "extended-timestamp-fmt1-delta",
    "04 000010 000001 08 01000000 aa"
    "44 ffffff 000001 08 01000000 bb", -1, 2,
    { { 4, 8, 1, 16, "aa" }, { 4, 8, 1, 0x01000010, "bb" } } },
  /* Type 3 continuations repeating the extended timestamp (Adobe, FFmpeg, librtmp)… */
  { "extended-timestamp-fmt3-with-ext",
    SCS2 "03 ffffff 000005 14 00000000 01000000 aabb"
    "c3 01000000 ccdd"
    "c3 01000000 ee", -1, 2,
    { { 2, 1, 0, 0, "00000002" }, { 3, 20, 0, 0x01000000, "aabbccddee" } } },
  /* …and not repeating it (some encoders): both are accepted. */
  { "extended-timestamp-fmt3-without-ext",
    SCS2 "03 ffffff 000005 14 00000000 01000000 aabb"
    "c3 ccdd"
    "c3 ee"
    "05 000000 000001 14 00000000 01", -1, 3,
    { { 2, 1, 0, 0, "00000002" }, { 3, 20, 0, 0x01000000, "aabbccddee" },
      { 5, 20, 0, 0, "01" } } },
  { "extended-timestamp-fmt3-new-message",
    "03 ffffff 000001 14 00000000 01000000 aa"
    "c3 01000000 bb", -1, 2,
    { { 3, 20, 0, 0x01000000, "aa" }, { 3, 20, 0, 0x02000000, "bb" } } },
  { "chunk-size-change-mid-stream",
    "03 000000 000004 14 00000000 01020304"
    SCS2
    "03 000000 000004 14 00000000 0506"
    "c3 0708", -1, 3,
    { { 3, 20, 0, 0, "01020304" }, { 2, 1, 0, 0, "00000002" }, { 3, 20, 0, 0, "05060708" } } },
  { "interleaved-csids",
    SCS2
    "04 000000 000004 08 01000000 aabb"
    "06 000000 000004 09 01000000 1122"
    "c4 ccdd"
    "c6 3344", -1, 3,
    { { 2, 1, 0, 0, "00000002" }, { 4, 8, 1, 0, "aabbccdd" }, { 6, 9, 1, 0, "11223344" } } },
  { "abort-drops-partial",
    SCS2
    "04 000000 000004 08 01000000 aabb"
    "02 000000 000004 02 00000000 0000 c2 0004"
    "04 000005 000002 08 01000000 ccdd", -1, 3,
    { { 2, 1, 0, 0, "00000002" }, { 2, 2, 0, 0, "00000004" }, { 4, 8, 1, 5, "ccdd" } } },
  { "user-control-ping", "02 000000 000006 04 00000000 0006 00000d0f", -1, 1,
    { { 2, 4, 0, 0, "000600000d0f" } } },

  { "set-chunk-size-zero", "02 000000 000004 01 00000000 00000000",
    CB_RTMP_ERROR_PROTOCOL, 0, { { 0 } } },
  { "set-chunk-size-bit31", "02 000000 000004 01 00000000 80000000",
    CB_RTMP_ERROR_PROTOCOL, 0, { { 0 } } },
  { "set-chunk-size-short", "02 000000 000002 01 00000000 0001",
    CB_RTMP_ERROR_MALFORMED, 0, { { 0 } } },
  { "abort-short", "02 000000 000001 02 00000000 04",
    CB_RTMP_ERROR_MALFORMED, 0, { { 0 } } },
  { "fmt2-on-fresh-csid", "84 000010 aa", CB_RTMP_ERROR_PROTOCOL, 0, { { 0 } } },
  { "fmt3-on-fresh-csid", "c4 aa", CB_RTMP_ERROR_PROTOCOL, 0, { { 0 } } },
  { "fmt0-inside-message",
    SCS2 "04 000000 000004 08 01000000 aabb"
    "04 000000 000004 08 01000000 aabb", CB_RTMP_ERROR_PROTOCOL, 1,
    { { 2, 1, 0, 0, "00000002" } } },
  { "length-over-limit", "03 000000 ffffff 09 01000000", CB_RTMP_ERROR_TOO_LARGE, 0, { { 0 } } },
  { "length-just-over-limit", "03 000000 800001 09 01000000", CB_RTMP_ERROR_TOO_LARGE, 0,
    { { 0 } } },
  { "error-is-sticky", "c4 aa 03 000000 000001 14 00000000 01", CB_RTMP_ERROR_PROTOCOL, 0,
    { { 0 } } },
};

static const char *
reader_row_name (gconstpointer row)
{
  return ((const ReaderRow *) row)->name;
}

typedef enum {
  FEED_ALL,
  FEED_BYTES,
  FEED_PAIRS,
  FEED_SEVENS,
} FeedMode;

/* Feeds @in in pieces; collects messages until the end or the first error. */
static GPtrArray *
run_reader (const guint8  *in,
            gsize          len,
            FeedMode       mode,
            GError       **error)
{
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_message_free);
  gsize step = mode == FEED_ALL ? MAX (len, 1) : mode == FEED_BYTES ? 1 : mode == FEED_PAIRS ? 2 : 7;

  for (gsize off = 0; off < len || off == 0; off += step)
    {
      cb_rtmp_chunk_reader_feed (reader, in + off, MIN (step, len - off));
      for (;;)
        {
          CbRtmpMessage *msg = NULL;

          if (!cb_rtmp_chunk_reader_next (reader, &msg, error))
            {
              /* Sticky: asking again fails the same way. */
              g_autoptr(GError) again = NULL;

              g_assert_false (cb_rtmp_chunk_reader_next (reader, &msg, &again));
              g_assert_nonnull (again);
              g_assert_cmpint (again->code, ==, (*error)->code);
              return messages;
            }
          if (msg == NULL)
            break;
          g_ptr_array_add (messages, msg);
        }
      if (len == 0)
        break;
    }
  return messages;
}

static void
check_message (const CbRtmpMessage   *msg,
               const ExpectedMessage *exp)
{
  g_autoptr(GByteArray) payload = test_hex (exp->payload);
  gsize len;
  const guint8 *data = cb_rtmp_message_get_data (msg, &len);

  g_assert_cmpuint (msg->csid, ==, exp->csid);
  g_assert_cmpuint (msg->type_id, ==, exp->type_id);
  g_assert_cmpuint (msg->stream_id, ==, exp->stream_id);
  g_assert_cmpuint (msg->timestamp, ==, exp->timestamp);
  g_assert_cmpmem (data, len, payload->data, payload->len);
}

static void
test_reader_row (gconstpointer data)
{
  const ReaderRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  static const FeedMode modes[] = { FEED_ALL, FEED_BYTES, FEED_PAIRS, FEED_SEVENS };

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = run_reader (in->data, in->len, modes[m], &error);

      if (row->error >= 0)
        g_assert_error (error, CB_RTMP_ERROR, row->error);
      else
        g_assert_no_error (error);
      g_assert_cmpuint (messages->len, ==, row->n_messages);
      for (guint i = 0; i < messages->len; i++)
        check_message (g_ptr_array_index (messages, i), &row->messages[i]);
    }

  /* Every prefix: no error unless the full input has one, and never more messages. */
  for (gsize n = 0; n < in->len; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = run_reader (in->data, n, FEED_ALL, &error);

      if (row->error < 0)
        g_assert_no_error (error);
      g_assert_cmpuint (messages->len, <=, row->n_messages);
    }
}

static void
test_reader_max_message_size (void)
{
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  g_autoptr(GByteArray) in = test_hex ("03 000000 000011 14 00000000");
  g_autoptr(GError) error = NULL;
  CbRtmpMessage *msg = NULL;

  cb_rtmp_chunk_reader_set_max_message_size (reader, 16);
  cb_rtmp_chunk_reader_feed (reader, in->data, in->len);
  g_assert_false (cb_rtmp_chunk_reader_next (reader, &msg, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_null (msg);
}

static void
test_reader_partial_bytes_limit (void)
{
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) scs = test_hex ("02 000000 000004 01 00000000 00010000");
  g_autoptr(GError) error = NULL;
  CbRtmpMessage *msg = NULL;
  guint32 csid;

  /* Start a 4 MiB - 1 message on ever more chunk streams, each with 64 KiB of it. */
  cb_rtmp_chunk_reader_feed (reader, scs->data, scs->len);
  g_assert_true (cb_rtmp_chunk_reader_next (reader, &msg, &error));
  cb_rtmp_message_free (msg);
  for (csid = 64; csid < 64 + 1000 && error == NULL; csid++)
    {
      guint8 header[14] = { 0x01, (csid - 64) & 0xff, (csid - 64) >> 8,
                            0, 0, 0, 0x3f, 0xff, 0xff, 9, 1, 0, 0, 0 };

      g_byte_array_set_size (in, 0);
      g_byte_array_append (in, header, sizeof header);
      g_byte_array_set_size (in, sizeof header + 0x10000);
      memset (in->data + sizeof header, 0, 0x10000);
      cb_rtmp_chunk_reader_feed (reader, in->data, in->len);
      cb_rtmp_chunk_reader_next (reader, &msg, &error);
      g_assert_null (msg);
    }
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_cmpuint (csid, <=, 64 + CB_RTMP_MAX_PARTIAL_BYTES / 0x10000 + 1);
}

/* A message's buffer is allocated at its length (up to 1 MiB) when it starts: what is
 * allocated counts against the limit, not just what arrived, or a peer starting big
 * messages of one small chunk each on a thousand chunk streams would make the reader
 * allocate a gigabyte. */
static void
test_reader_partial_reserved_counts (void)
{
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  CbRtmpMessage *msg = NULL;
  guint32 csid;

  for (csid = 64; csid < 64 + 1000 && error == NULL; csid++)
    {
      guint8 header[14] = { 0x01, (csid - 64) & 0xff, (csid - 64) >> 8,
                            0, 0, 0, 0x3f, 0xff, 0xff, 9, 1, 0, 0, 0 };

      g_byte_array_set_size (in, 0);
      g_byte_array_append (in, header, sizeof header);
      g_byte_array_set_size (in, sizeof header + CB_RTMP_DEFAULT_CHUNK_SIZE);
      memset (in->data + sizeof header, 0, CB_RTMP_DEFAULT_CHUNK_SIZE);
      cb_rtmp_chunk_reader_feed (reader, in->data, in->len);
      cb_rtmp_chunk_reader_next (reader, &msg, &error);
      g_assert_null (msg);
    }
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_cmpuint (csid, <=, 64 + CB_RTMP_MAX_PARTIAL_BYTES / (1024 * 1024) + 1);
}

/* ---- writer ---- */

typedef struct {
  guint32 csid;
  guint8  type_id;
  guint32 stream_id;
  guint32 timestamp;
  gsize   size;
} OutMessage;

static const OutMessage out_messages[] = {
  { 3, 20, 0, 0, 0 },
  { 3, 20, 0, 0, 1 },
  { 4, 8, 1, 0, 127 },
  { 4, 8, 1, 23, 127 },        /* fmt 2 */
  { 4, 8, 1, 46, 128 },        /* fmt 1 */
  { 6, 9, 1, 0, 129 },
  { 6, 9, 1, 33, 5000 },
  { 6, 9, 1, 20, 10 },         /* backwards: fmt 0 */
  { 6, 9, 1, 0xfffffe, 300 },
  { 6, 9, 1, 0xffffff, 300 },  /* extended, delta 1 */
  { 6, 9, 1, 0x2000000, 300 }, /* extended delta */
  { 6, 9, 1, 0xffffffff, 70000 },
  { 6, 9, 2, 5, 3 },           /* other message stream: fmt 0 */
  { 64, 18, 1, 7, 200 },
  { 319, 18, 1, 7, 200 },
  { 320, 18, 1, 7, 200 },
  { 65599, 18, 1, 7, 200 },
};

static CbRtmpMessage *
make_out_message (const OutMessage *m)
{
  g_autofree guint8 *data = g_malloc (m->size + 1);

  for (gsize i = 0; i < m->size; i++)
    data[i] = (guint8) (i * 7 + m->timestamp);
  return cb_rtmp_message_new_from_data (m->csid, m->type_id, m->stream_id, m->timestamp,
                                        data, m->size);
}

static void
test_writer_round_trip (void)
{
  static const guint32 chunk_sizes[] = { 1, 2, 7, 128, 4096, 65536, 0x7fffffff };

  for (gsize c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    {
      g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
      g_autoptr(GByteArray) wire = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      static const FeedMode modes[] = { FEED_ALL, FEED_SEVENS };

      /* The chunk size change travels in band, like on a real connection. */
      g_assert_true (cb_rtmp_chunk_writer_write_set_chunk_size (writer, chunk_sizes[c], wire,
                                                                 &error));
      g_assert_no_error (error);
      g_assert_cmpuint (cb_rtmp_chunk_writer_get_chunk_size (writer), ==, chunk_sizes[c]);
      for (gsize i = 0; i < G_N_ELEMENTS (out_messages); i++)
        {
          g_autoptr(CbRtmpMessage) msg = make_out_message (&out_messages[i]);

          g_assert_true (cb_rtmp_chunk_writer_write (writer, msg, wire, &error));
          g_assert_no_error (error);
        }

      for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          g_autoptr(GPtrArray) got = run_reader (wire->data, wire->len, modes[m], &error);

          g_assert_no_error (error);
          g_assert_cmpuint (got->len, ==, 1 + G_N_ELEMENTS (out_messages));
          for (gsize i = 0; i < G_N_ELEMENTS (out_messages); i++)
            {
              g_autoptr(CbRtmpMessage) want = make_out_message (&out_messages[i]);
              const CbRtmpMessage *msg = g_ptr_array_index (got, i + 1);

              g_assert_cmpuint (msg->csid, ==, want->csid);
              g_assert_cmpuint (msg->type_id, ==, want->type_id);
              g_assert_cmpuint (msg->stream_id, ==, want->stream_id);
              g_assert_cmpuint (msg->timestamp, ==, want->timestamp);
              g_assert_true (g_bytes_equal (msg->payload, want->payload));
            }
        }
    }
}

typedef struct {
  const char *name;
  OutMessage  first;
  OutMessage  second;
  const char *second_header;   /* hex of the second message's first chunk header */
} HeaderRow;

static const HeaderRow header_rows[] = {
  { "fmt2-same-length-and-type", { 4, 8, 1, 10, 2 }, { 4, 8, 1, 30, 2 }, "84 000014" },
  { "fmt1-other-length", { 4, 8, 1, 10, 2 }, { 4, 8, 1, 30, 3 }, "44 000014 000003 08" },
  { "fmt1-other-type", { 4, 8, 1, 10, 2 }, { 4, 9, 1, 30, 2 }, "44 000014 000002 09" },
  { "fmt0-other-stream", { 4, 8, 1, 10, 2 }, { 4, 8, 2, 30, 2 }, "04 00001e 000002 08 02000000" },
  { "fmt0-backwards", { 4, 8, 1, 10, 2 }, { 4, 8, 1, 9, 2 }, "04 000009 000002 08 01000000" },
  { "fmt0-other-csid", { 4, 8, 1, 10, 2 }, { 5, 8, 1, 30, 2 }, "05 00001e 000002 08 01000000" },
  { "fmt2-extended-delta", { 4, 8, 1, 0, 2 }, { 4, 8, 1, 0x1000000, 2 }, "84 ffffff 01000000" },
  { "csid-2-byte", { 100, 8, 1, 0, 2 }, { 100, 8, 1, 1, 2 }, "80 24 000001" },
  { "csid-3-byte", { 1000, 8, 1, 0, 2 }, { 1000, 8, 1, 1, 2 }, "81 a8 03 000001" },
};

static const char *
header_row_name (gconstpointer row)
{
  return ((const HeaderRow *) row)->name;
}

static void
test_writer_header_row (gconstpointer data)
{
  const HeaderRow *row = data;
  g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
  g_autoptr(CbRtmpMessage) first = make_out_message (&row->first);
  g_autoptr(CbRtmpMessage) second = make_out_message (&row->second);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) want = test_hex (row->second_header);
  g_autoptr(GError) error = NULL;
  gsize first_len;

  g_assert_true (cb_rtmp_chunk_writer_write (writer, first, wire, &error));
  first_len = wire->len;
  g_assert_true (cb_rtmp_chunk_writer_write (writer, second, wire, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wire->len - first_len, ==, want->len + row->second.size);
  g_assert_cmpmem (wire->data + first_len, want->len, want->data, want->len);
}

static void
test_writer_extended_continuations (void)
{
  g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) want = test_hex ("02 000000 000004 01 00000000 00000002"
                                         "03 ffffff 000005 14 00000000 01000000 0102"
                                         "c3 01000000 0304"
                                         "c3 01000000 05");
  guint8 payload[5] = { 1, 2, 3, 4, 5 };
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new_from_data (3, 20, 0, 0x1000000, payload, 5);
  g_autoptr(GError) error = NULL;

  g_assert_true (cb_rtmp_chunk_writer_write_set_chunk_size (writer, 2, wire, &error));
  g_assert_true (cb_rtmp_chunk_writer_write (writer, msg, wire, &error));
  g_assert_cmpmem (wire->data, wire->len, want->data, want->len);

  /* After a reset the stream starts over with type 0. */
  cb_rtmp_chunk_writer_reset_stream (writer, 3);
  g_byte_array_set_size (wire, 0);
  g_assert_true (cb_rtmp_chunk_writer_write (writer, msg, wire, &error));
  g_assert_cmpuint (wire->data[0], ==, 0x03);
}

static void
test_writer_errors (void)
{
  g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc0 (0x1000000);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new_from_data (3, 9, 1, 0, big, 0x1000000);

  g_assert_false (cb_rtmp_chunk_writer_write (writer, msg, wire, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_cmpuint (wire->len, ==, 0);
  g_clear_error (&error);
  g_assert_false (cb_rtmp_chunk_writer_write_set_chunk_size (writer, 0, wire, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (cb_rtmp_chunk_writer_write_set_chunk_size (writer, 0x80000000u, wire, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL);
  g_assert_cmpuint (cb_rtmp_chunk_writer_get_chunk_size (writer), ==, 128);
}

/* ---- protocol control ---- */

static void
test_control_builders (void)
{
  struct {
    CbRtmpMessage *msg;
    guint8         type_id;
    const char    *payload;
  } rows[] = {
    { cb_rtmp_message_new_set_chunk_size (4096), 1, "00001000" },
    { cb_rtmp_message_new_abort (6), 2, "00000006" },
    { cb_rtmp_message_new_acknowledgement (0xdeadbeef), 3, "deadbeef" },
    { cb_rtmp_message_new_window_ack_size (2500000), 5, "002625a0" },
    { cb_rtmp_message_new_set_peer_bandwidth (2500000, CB_RTMP_LIMIT_DYNAMIC), 6, "002625a002" },
    { cb_rtmp_message_new_user_control (CB_RTMP_USER_STREAM_BEGIN, 1), 4, "000000000001" },
    { cb_rtmp_message_new_user_control (CB_RTMP_USER_PING_RESPONSE, 3343), 4, "000700000d0f" },
    { cb_rtmp_message_new_set_buffer_length (1, 3000), 4, "00030000000100000bb8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(CbRtmpMessage) msg = rows[i].msg;
      g_autoptr(GByteArray) want = test_hex (rows[i].payload);
      gsize len;
      const guint8 *data = cb_rtmp_message_get_data (msg, &len);

      g_assert_cmpuint (msg->csid, ==, 2);
      g_assert_cmpuint (msg->stream_id, ==, 0);
      g_assert_cmpuint (msg->type_id, ==, rows[i].type_id);
      g_assert_cmpmem (data, len, want->data, want->len);
    }
}

typedef struct {
  const char *name;
  guint8      type_id;
  const char *payload;
  int         error;
  guint32     value;
  guint32     value2;     /* user control value2 / peer bandwidth limit type */
} ControlRow;

static const ControlRow control_rows[] = {
  { "set-chunk-size", 1, "00001000", -1, 4096, 0 },
  { "set-chunk-size-max", 1, "7fffffff", -1, 0x7fffffff, 0 },
  { "set-chunk-size-zero", 1, "00000000", CB_RTMP_ERROR_PROTOCOL, 0, 0 },
  { "set-chunk-size-bit31", 1, "80000001", CB_RTMP_ERROR_PROTOCOL, 0, 0 },
  { "set-chunk-size-short", 1, "000010", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "ack", 3, "00001000", -1, 4096, 0 },
  { "window-ack-size", 5, "004c4b40", -1, 5000000, 0 },
  { "window-ack-size-empty", 5, "", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "peer-bandwidth", 6, "004c4b4001", -1, 5000000, 1 },
  { "peer-bandwidth-bad-limit", 6, "004c4b4003", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "peer-bandwidth-short", 6, "004c4b40", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "user-stream-begin", 4, "000000000001", -1, 1, 0 },
  { "user-ping-request", 4, "000600000d0f", -1, 3343, 0 },
  { "user-set-buffer-length", 4, "00030000000100000bb8", -1, 1, 3000 },
  { "user-set-buffer-length-short", 4, "000300000001", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "user-ping-short", 4, "00060000", CB_RTMP_ERROR_MALFORMED, 0, 0 },
  { "user-unknown-event", 4, "001f", -1, 0, 0 },
  { "user-empty", 4, "00", CB_RTMP_ERROR_MALFORMED, 0, 0 },
};

static const char *
control_row_name (gconstpointer row)
{
  return ((const ControlRow *) row)->name;
}

static void
test_control_row (gconstpointer data)
{
  const ControlRow *row = data;
  g_autoptr(GByteArray) payload = test_hex (row->payload);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new_from_data (2, row->type_id, 0, 0,
                                                                payload->data, payload->len);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint32 value = 0, value2 = 0;

  if (row->type_id == CB_RTMP_MSG_USER_CONTROL)
    {
      CbRtmpUserControl uc = { 0, };

      ok = cb_rtmp_control_parse_user_control (msg, &uc, &error);
      value = uc.value;
      value2 = uc.value2;
    }
  else if (row->type_id == CB_RTMP_MSG_SET_PEER_BANDWIDTH)
    {
      guint8 limit = 0;

      ok = cb_rtmp_control_parse_set_peer_bandwidth (msg, &value, &limit, &error);
      value2 = limit;
    }
  else
    {
      ok = cb_rtmp_control_parse_u32 (msg, &value, &error);
    }

  if (row->error >= 0)
    {
      g_assert_false (ok);
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (value, ==, row->value);
  g_assert_cmpuint (value2, ==, row->value2);
}

static void
test_ack_counter (void)
{
  CbRtmpAckCounter counter;
  guint32 seq = 0;

  cb_rtmp_ack_counter_init (&counter, 100);
  g_assert_false (cb_rtmp_ack_counter_add (&counter, 50, &seq));
  g_assert_true (cb_rtmp_ack_counter_add (&counter, 60, &seq));
  g_assert_cmpuint (seq, ==, 110);
  g_assert_false (cb_rtmp_ack_counter_add (&counter, 99, &seq));
  g_assert_true (cb_rtmp_ack_counter_add (&counter, 1, &seq));
  g_assert_cmpuint (seq, ==, 210);

  /* A window of 0 means no acknowledgements. */
  cb_rtmp_ack_counter_set_window (&counter, 0);
  g_assert_false (cb_rtmp_ack_counter_add (&counter, 1000000, &seq));

  /* The sequence number wraps at 2^32, the bookkeeping does not. */
  cb_rtmp_ack_counter_init (&counter, 0x10000000);
  for (guint i = 0; i < 16; i++)
    g_assert_true (cb_rtmp_ack_counter_add (&counter, 0x10000000, &seq));
  g_assert_cmpuint (seq, ==, 0);
  g_assert_true (cb_rtmp_ack_counter_add (&counter, 0x10000005, &seq));
  g_assert_cmpuint (seq, ==, 0x10000005);
}

static void
test_message_type_names (void)
{
  g_assert_cmpstr (cb_rtmp_message_type_to_string (20), ==, "CommandAMF0");
  g_assert_cmpstr (cb_rtmp_message_type_to_string (9), ==, "Video");
  g_assert_cmpstr (cb_rtmp_message_type_to_string (99), ==, "Unknown");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_add_rows ("chunk/reader", reader_rows, sizeof reader_rows[0], G_N_ELEMENTS (reader_rows),
                 reader_row_name, test_reader_row);
  test_add_rows ("chunk/writer-header", header_rows, sizeof header_rows[0],
                 G_N_ELEMENTS (header_rows), header_row_name, test_writer_header_row);
  test_add_rows ("chunk/control", control_rows, sizeof control_rows[0],
                 G_N_ELEMENTS (control_rows), control_row_name, test_control_row);
  g_test_add_func ("/cb/rtmp/chunk/reader-max-message-size", test_reader_max_message_size);
  g_test_add_func ("/cb/rtmp/chunk/reader-partial-bytes-limit", test_reader_partial_bytes_limit);
  g_test_add_func ("/cb/rtmp/chunk/reader-partial-reserved-counts",
                   test_reader_partial_reserved_counts);
  g_test_add_func ("/cb/rtmp/chunk/writer-round-trip", test_writer_round_trip);
  g_test_add_func ("/cb/rtmp/chunk/writer-extended-continuations",
                   test_writer_extended_continuations);
  g_test_add_func ("/cb/rtmp/chunk/writer-errors", test_writer_errors);
  g_test_add_func ("/cb/rtmp/chunk/control-builders", test_control_builders);
  g_test_add_func ("/cb/rtmp/chunk/ack-counter", test_ack_counter);
  g_test_add_func ("/cb/rtmp/chunk/message-type-names", test_message_type_names);

  return g_test_run ();
}
