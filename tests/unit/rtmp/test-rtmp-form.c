/* test-rtmp-form.c — the shared outgoing form against the per-session chunk writer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two writers see the same messages: one chunks each message itself, the other gets it
 * from a form made once; the bytes must be the same, byte for byte, for every chunk size,
 * timestamp run, message type, message stream and payload size of the tables below.
 */
#include <string.h>

#include "cb-rtmp-chunk.h"
#include "rtmp-test-util.h"

static const guint32 chunk_sizes[] = { 1, 7, 128, 129, 1000, 4096, 60000 };

/* Payload sizes, relative to the chunk size c: 0, 1, c - 1, c, c + 1, 3c, 3c + 5. */
static gsize
payload_size (guint   which,
              guint32 c)
{
  switch (which)
    {
    case 0: return 0;
    case 1: return 1;
    case 2: return c - 1;
    case 3: return c;
    case 4: return c + 1;
    case 5: return 3 * (gsize) c;
    default: return 3 * (gsize) c + 5;
    }
}
#define N_PAYLOAD_SIZES 7

/* One row: the timestamps of successive messages on one chunk stream (the writer picks
 * type 0, 1 or 2 headers from them), and the form's own timestamps when a session has a
 * base of its own (0: the same as the session's). */
typedef struct {
  const char *name;
  guint32     timestamps[4];
  guint32     form_offset;
} TimeRow;

static const TimeRow time_rows[] = {
  { "zero", { 0, 0, 0, 0 }, 0 },
  { "small", { 0, 33, 66, 100 }, 0 },
  { "below-extended", { 0xfffffd, 0xfffffe, 0xfffffe, 0xfffffe }, 0 },
  { "extended-boundary", { 0xfffffe, 0xffffff, 0x1000000, 0x1000021 }, 0 },
  { "extended", { 0x12345678, 0x12345699, 0x123456ba, 0x123456db }, 0 },
  { "extended-delta", { 0, 0x1000000, 0x2000000, 0x2000001 }, 0 },
  { "wrap-around", { 0xffffffe0, 0xfffffff0, 0xffffffff, 0x10 }, 0 },
  { "backwards", { 1000, 500, 500, 0 }, 0 },
  { "session-base", { 0, 40, 80, 0x1000000 }, 123456 },
  { "session-base-extended", { 0x1000000, 0x1000028, 0, 40 }, 0x7fff0000 },
};

typedef struct {
  guint8  type_id;
  guint32 csid;
} TypeRow;

static const TypeRow type_rows[] = {
  { 8, 4 },    /* audio */
  { 9, 6 },    /* video */
  { 18, 5 },   /* data */
  { 4, 2 },    /* control (user control on chunk stream 2) */
  { 20, 3 },   /* command */
  { 9, 64 },   /* two-byte chunk stream id */
  { 9, 400 },  /* three-byte chunk stream id */
};

static const guint32 stream_ids[] = { 0, 1, 7, 0x01020304 };

static GBytes *
make_payload (gsize  len,
              guint8 seed)
{
  guint8 *data = g_malloc (len ? len : 1);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (seed + i * 31);
  return g_bytes_new_take (data, len);
}

static const char *
time_row_name (gconstpointer row)
{
  return ((const TimeRow *) row)->name;
}

/* Every chunk size, type, stream id and payload size for one run of timestamps. */
static void
test_form_row (gconstpointer data)
{
  const TimeRow *row = data;
  guint compared = 0, shared = 0;

  for (guint c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
    for (guint t = 0; t < G_N_ELEMENTS (type_rows); t++)
      for (guint s = 0; s < G_N_ELEMENTS (stream_ids); s++)
        {
          g_autoptr(CbRtmpChunkWriter) plain = cb_rtmp_chunk_writer_new ();
          g_autoptr(CbRtmpChunkWriter) formed = cb_rtmp_chunk_writer_new ();
          g_autoptr(GByteArray) ignored = g_byte_array_new ();
          guint32 cs = chunk_sizes[c];

          if (cs != CB_RTMP_DEFAULT_CHUNK_SIZE)
            {
              g_assert_true (cb_rtmp_chunk_writer_write_set_chunk_size (plain, cs, ignored, NULL));
              g_assert_true (cb_rtmp_chunk_writer_write_set_chunk_size (formed, cs, ignored, NULL));
            }
          /* Each payload size through the whole run of timestamps: the history of the chunk
           * stream (type 1 or 2 headers, extended deltas) carries over from one to the next. */
          for (guint p = 0; p < N_PAYLOAD_SIZES; p++)
            for (guint i = 0; i < G_N_ELEMENTS (row->timestamps); i++)
              {
                gsize len = payload_size (p, cs);
                g_autoptr(GBytes) payload = NULL;
                g_autoptr(CbRtmpMessage) msg = NULL;
                g_autoptr(CbRtmpMessage) form_msg = NULL;
                g_autoptr(CbRtmpChunkForm) form = NULL;
                g_autoptr(GByteArray) want = g_byte_array_new ();
                g_autoptr(GByteArray) got = g_byte_array_new ();
                g_autoptr(GBytes) own = NULL;
                g_autoptr(GError) error = NULL;
                guint32 ts = row->timestamps[i];

                if (len > 70000)
                  continue;   /* 3 × 60000 says nothing 3 × 4096 does not */
                payload = make_payload (len, (guint8) (p + i));
                msg = cb_rtmp_message_new (type_rows[t].csid, type_rows[t].type_id,
                                           stream_ids[s], ts, payload);
                /* The form is made for every session, with the stream's own timestamp and
                 * message stream id, which may not be this session's. */
                form_msg = cb_rtmp_message_new (type_rows[t].csid, type_rows[t].type_id, 1,
                                                ts + row->form_offset, payload);
                form = cb_rtmp_chunk_form_new (form_msg, cs, &error);
                g_assert_no_error (error);

                g_assert_true (cb_rtmp_chunk_writer_write (plain, msg, want, &error));
                own = cb_rtmp_chunk_writer_write_form (formed, form, stream_ids[s], ts, got);
                cb_rtmp_chunk_form_append_body (form, own, got);
                if (want->len != got->len || memcmp (want->data, got->data, want->len) != 0)
                  {
                    g_autofree char *w = test_to_hex (want->data, MIN (want->len, 64));
                    g_autofree char *g = test_to_hex (got->data, MIN (got->len, 64));

                    g_error ("chunk size %u, type %u, csid %u, stream %u, payload %" G_GSIZE_FORMAT
                             ", ts %u: want %u bytes %s…, got %u bytes %s…", cs,
                             type_rows[t].type_id, type_rows[t].csid, stream_ids[s], len, ts,
                             want->len, w, got->len, g);
                  }
                compared++;
                if (own == NULL)
                  shared++;
              }
        }
  /* The body is built per session only for extended timestamps of messages over a chunk. */
  g_assert_cmpuint (compared, >, 0);
  g_assert_cmpuint (shared, >, 0);
  g_test_message ("%u messages compared, %u with the shared body", compared, shared);
}

/* The body is shared exactly when it can be; when not, it is this session's own. */
static void
test_form_sharing (void)
{
  struct {
    guint32  writer_chunk;
    guint32  form_chunk;
    gsize    len;
    guint32  first_ts;     /* a type 0 header: the timestamp is the field */
    guint32  second_ts;    /* then type 1/2: the delta is */
    gboolean first_shared;
    gboolean second_shared;
  } rows[] = {
    { 128, 128, 100, 0, 40, TRUE, TRUE },
    { 128, 128, 1000, 0, 40, TRUE, TRUE },
    { 128, 128, 1000, 0x1000000, 0x1000028, FALSE, TRUE },
    { 128, 128, 100, 0x1000000, 0x1000028, TRUE, TRUE },      /* one chunk: no repeat */
    { 128, 128, 1000, 0, 0x1000000, TRUE, FALSE },            /* extended delta */
    { 4096, 128, 1000, 0, 40, FALSE, FALSE },                 /* another chunk size */
    { 128, 4096, 100, 0, 40, TRUE, TRUE },                    /* ... but one chunk either way */
  };

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
      g_autoptr(GByteArray) header = g_byte_array_new ();
      g_autoptr(GBytes) payload = make_payload (rows[r].len, 1);
      g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (6, 9, 1, 0, payload);
      g_autoptr(CbRtmpChunkForm) form = cb_rtmp_chunk_form_new (msg, rows[r].form_chunk, NULL);
      g_autoptr(GBytes) own1 = NULL;
      g_autoptr(GBytes) own2 = NULL;

      if (rows[r].writer_chunk != CB_RTMP_DEFAULT_CHUNK_SIZE)
        cb_rtmp_chunk_writer_write_set_chunk_size (writer, rows[r].writer_chunk, header, NULL);
      own1 = cb_rtmp_chunk_writer_write_form (writer, form, 1, rows[r].first_ts, header);
      own2 = cb_rtmp_chunk_writer_write_form (writer, form, 1, rows[r].second_ts, header);
      g_test_message ("row %u", r);
      g_assert_cmpint (own1 == NULL, ==, rows[r].first_shared);
      g_assert_cmpint (own2 == NULL, ==, rows[r].second_shared);
    }
}

/* A payload that fits one chunk is the body itself: no copy at all. */
static void
test_form_single_chunk_is_payload (void)
{
  g_autoptr(GBytes) payload = make_payload (4096, 3);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (4, 8, 1, 0, payload);
  g_autoptr(CbRtmpChunkForm) form = cb_rtmp_chunk_form_new (msg, 4096, NULL);
  g_autoptr(CbRtmpChunkForm) ref = cb_rtmp_chunk_form_ref (form);
  gsize off = 99, len;
  const guint8 *piece;

  g_assert_cmpuint (cb_rtmp_chunk_form_get_n_pieces (form), ==, 1);
  g_assert_true (cb_rtmp_chunk_form_get_payload (form) == payload);
  piece = cb_rtmp_chunk_form_get_piece (form, 0, &off, &len);
  g_assert_true (piece == g_bytes_get_data (payload, NULL));
  g_assert_cmpuint (off, ==, 0);
  g_assert_cmpuint (len, ==, 4096);
  g_assert_cmpuint (cb_rtmp_chunk_form_get_chunk_size (form), ==, 4096);
  g_assert_cmpuint (cb_rtmp_chunk_form_get_type_id (form), ==, 8);
  g_assert_cmpuint (cb_rtmp_chunk_form_get_stream_id (form), ==, 1);
  g_assert_cmpuint (cb_rtmp_chunk_form_get_timestamp (form), ==, 0);
}

/* Over a chunk, the pieces are slices of the payload with a type 3 header between two:
 * the payload is never copied. */
static void
test_form_pieces_are_slices (void)
{
  g_autoptr(GBytes) payload = make_payload (3 * 4096 + 5, 7);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (6, 9, 1, 0, payload);
  g_autoptr(CbRtmpChunkForm) form = cb_rtmp_chunk_form_new (msg, 4096, NULL);
  const guint8 *data = g_bytes_get_data (payload, NULL);
  guint n = cb_rtmp_chunk_form_get_n_pieces (form);

  g_assert_true (cb_rtmp_chunk_form_get_payload (form) == payload);
  g_assert_cmpuint (n, ==, 7);
  for (guint i = 0; i < n; i++)
    {
      gsize off = G_MAXSIZE, len;
      const guint8 *p = cb_rtmp_chunk_form_get_piece (form, i, &off, &len);

      if (i % 2 == 0)
        {
          g_assert_true (p == data + (i / 2) * 4096);
          g_assert_cmpuint (off, ==, (i / 2) * 4096);
          g_assert_cmpuint (len, ==, i == 6 ? 5 : 4096);
        }
      else
        {
          g_assert_cmpuint (len, ==, 1);
          g_assert_cmpuint (p[0], ==, 0xc6);   /* type 3, chunk stream 6 */
        }
    }
}

static void
test_form_too_large (void)
{
  g_autoptr(GBytes) payload = make_payload (0x1000000, 0);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (6, 9, 1, 0, payload);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpChunkForm) form = cb_rtmp_chunk_form_new (msg, 4096, &error);

  g_assert_null (form);
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
}

/* What a reader makes of a form's bytes, through several sessions with their own stream
 * ids and timestamps. */
static void
test_form_round_trip (void)
{
  g_autoptr(GBytes) payload = make_payload (10000, 9);
  g_autoptr(CbRtmpMessage) msg = cb_rtmp_message_new (6, 9, 1, 0x1234, payload);
  g_autoptr(CbRtmpChunkForm) form = cb_rtmp_chunk_form_new (msg, 128, NULL);

  for (guint32 session = 1; session <= 3; session++)
    {
      g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
      g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
      g_autoptr(GByteArray) wire = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(GBytes) own = cb_rtmp_chunk_writer_write_form (writer, form, session,
                                                                   session * 1000 + i * 40,
                                                                   wire);

          cb_rtmp_chunk_form_append_body (form, own, wire);
        }
      cb_rtmp_chunk_reader_feed (reader, wire->data, wire->len);
      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(CbRtmpMessage) back = NULL;

          g_assert_true (cb_rtmp_chunk_reader_next (reader, &back, &error));
          g_assert_nonnull (back);
          g_assert_cmpuint (back->stream_id, ==, session);
          g_assert_cmpuint (back->timestamp, ==, session * 1000 + i * 40);
          g_assert_cmpuint (back->type_id, ==, 9);
          g_assert_true (g_bytes_equal (back->payload, payload));
        }
      g_assert_cmpuint (cb_rtmp_chunk_reader_get_buffered (reader), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_add_rows ("form/same-bytes", time_rows, sizeof time_rows[0], G_N_ELEMENTS (time_rows),
                 time_row_name, test_form_row);
  g_test_add_func ("/cb/rtmp/form/sharing", test_form_sharing);
  g_test_add_func ("/cb/rtmp/form/single-chunk-is-payload", test_form_single_chunk_is_payload);
  g_test_add_func ("/cb/rtmp/form/pieces-are-slices", test_form_pieces_are_slices);
  g_test_add_func ("/cb/rtmp/form/too-large", test_form_too_large);
  g_test_add_func ("/cb/rtmp/form/round-trip", test_form_round_trip);
  return g_test_run ();
}
