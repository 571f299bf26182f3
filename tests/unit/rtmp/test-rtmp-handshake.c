/* test-rtmp-handshake.c — the simple handshake, client and server sides
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rtmp-handshake.h"
#include "rtmp-test-util.h"

#define BLOCK CB_RTMP_HANDSHAKE_BLOCK_SIZE

/* Feeds @data to @hs in pieces of @step bytes; returns the bytes consumed. */
static gsize
feed_in_steps (CbRtmpHandshake *hs,
               const guint8    *data,
               gsize            len,
               gsize            step,
               GByteArray      *output)
{
  gsize total = 0;

  for (gsize off = 0; off < len; off += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      gsize consumed = 0;
      gsize n = MIN (step, len - off);

      g_assert_true (cb_rtmp_handshake_feed (hs, data + off, n, &consumed, &error));
      g_assert_no_error (error);
      total += consumed;
      out = cb_rtmp_handshake_take_output (hs);
      if (out != NULL)
        g_byte_array_append (output, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      if (consumed < n)
        break;
    }
  return total;
}

static void
test_client_server (void)
{
  static const gsize steps[] = { 1, 7, 1536, 1537, 100000 };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(CbRtmpHandshake) client = cb_rtmp_handshake_new_full (CB_RTMP_HANDSHAKE_CLIENT,
                                                                      1000, 1);
      g_autoptr(CbRtmpHandshake) server = cb_rtmp_handshake_new_full (CB_RTMP_HANDSHAKE_SERVER,
                                                                      2000, 2);
      g_autoptr(GBytes) c0c1 = cb_rtmp_handshake_take_output (client);
      g_autoptr(GByteArray) s0s1s2 = g_byte_array_new ();
      g_autoptr(GByteArray) c2 = g_byte_array_new ();
      g_autoptr(GByteArray) none = g_byte_array_new ();
      const guint8 *c = g_bytes_get_data (c0c1, NULL);

      g_assert_cmpuint (g_bytes_get_size (c0c1), ==, 1 + BLOCK);
      g_assert_cmpuint (c[0], ==, 3);
      g_assert_cmpuint (c[1] << 24 | c[2] << 16 | c[3] << 8 | c[4], ==, 1000);
      g_assert_cmpuint (c[5] | c[6] | c[7] | c[8], ==, 0);
      g_assert_null (cb_rtmp_handshake_take_output (server));

      g_assert_cmpuint (feed_in_steps (server, c, 1 + BLOCK, steps[s], s0s1s2), ==, 1 + BLOCK);
      g_assert_cmpuint (s0s1s2->len, ==, 1 + 2 * BLOCK);
      g_assert_cmpuint (s0s1s2->data[0], ==, 3);
      /* S1: our epoch, a zero version (FFmpeg then skips digest checks). */
      g_assert_cmpuint (s0s1s2->data[3], ==, 2000 >> 8);
      g_assert_cmpuint (s0s1s2->data[5] | s0s1s2->data[6] | s0s1s2->data[7] | s0s1s2->data[8],
                        ==, 0);
      /* S2 echoes C1. */
      g_assert_cmpmem (s0s1s2->data + 1 + BLOCK, BLOCK, c + 1, BLOCK);
      g_assert_false (cb_rtmp_handshake_is_done (server));

      g_assert_cmpuint (feed_in_steps (client, s0s1s2->data, s0s1s2->len, steps[s], c2),
                        ==, s0s1s2->len);
      g_assert_true (cb_rtmp_handshake_is_done (client));
      g_assert_true (cb_rtmp_handshake_get_peer_echo_ok (client));
      g_assert_cmpuint (cb_rtmp_handshake_get_peer_epoch (client), ==, 2000);
      g_assert_cmpuint (cb_rtmp_handshake_get_peer_version (client), ==, 0);
      g_assert_cmpuint (c2->len, ==, BLOCK);
      g_assert_cmpmem (c2->data, BLOCK, s0s1s2->data + 1, BLOCK);

      g_assert_cmpuint (feed_in_steps (server, c2->data, c2->len, steps[s], none), ==, BLOCK);
      g_assert_true (cb_rtmp_handshake_is_done (server));
      g_assert_true (cb_rtmp_handshake_get_peer_echo_ok (server));
      g_assert_cmpuint (none->len, ==, 0);
    }
}

static void
test_pipelined_chunks (void)
{
  g_autoptr(CbRtmpHandshake) server = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_SERVER);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  gsize consumed = 0;

  /* C0 C1 C2 and the first chunk in one read: the handshake takes what is its own. */
  g_byte_array_set_size (in, 1 + 2 * BLOCK + 10);
  memset (in->data, 0x5a, in->len);
  in->data[0] = 3;
  g_assert_true (cb_rtmp_handshake_feed (server, in->data, in->len, &consumed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, 1 + 2 * BLOCK);
  g_assert_true (cb_rtmp_handshake_is_done (server));
  /* That C2 does not echo S1: logged, not fatal (librtmp and digest clients differ). */
  g_assert_false (cb_rtmp_handshake_get_peer_echo_ok (server));
  out = cb_rtmp_handshake_take_output (server);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 1 + 2 * BLOCK);

  /* Once done, nothing more is consumed. */
  g_assert_true (cb_rtmp_handshake_feed (server, in->data, 5, &consumed, &error));
  g_assert_cmpuint (consumed, ==, 0);
}

static void
test_complex_c1 (void)
{
  g_autoptr(CbRtmpHandshake) server = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_SERVER);
  g_autoptr(GByteArray) c0c1 = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  static const guint8 fmle_version[4] = { 0x80, 0x00, 0x07, 0x02 };
  gsize consumed = 0;
  const guint8 *s;

  /* FMLE / FFmpeg style C1: version 0x80000702 and a digest we do not check. */
  g_byte_array_set_size (c0c1, 1 + BLOCK);
  for (gsize i = 0; i < c0c1->len; i++)
    c0c1->data[i] = (guint8) (i * 31);
  c0c1->data[0] = 3;
  memcpy (c0c1->data + 5, fmle_version, 4);
  g_assert_true (cb_rtmp_handshake_feed (server, c0c1->data, c0c1->len, &consumed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cb_rtmp_handshake_get_peer_version (server), ==, 0x80000702);
  out = cb_rtmp_handshake_take_output (server);
  s = g_bytes_get_data (out, NULL);
  g_assert_cmpuint (s[5] | s[6] | s[7] | s[8], ==, 0);
  g_assert_cmpmem (s + 1 + BLOCK, BLOCK, c0c1->data + 1, BLOCK);
}

typedef struct {
  const char          *name;
  CbRtmpHandshakeRole  role;
  guint8               version;
  int                  error;    /* -1: accepted */
} VersionRow;

static const VersionRow version_rows[] = {
  { "server-v3", CB_RTMP_HANDSHAKE_SERVER, 3, -1 },
  { "server-v4-answers-3", CB_RTMP_HANDSHAKE_SERVER, 4, -1 },
  { "server-v0", CB_RTMP_HANDSHAKE_SERVER, 0, -1 },
  { "server-rtmpe-6", CB_RTMP_HANDSHAKE_SERVER, 6, CB_RTMP_ERROR_UNSUPPORTED },
  { "server-rtmpe-8", CB_RTMP_HANDSHAKE_SERVER, 8, CB_RTMP_ERROR_UNSUPPORTED },
  { "server-http", CB_RTMP_HANDSHAKE_SERVER, 'G', CB_RTMP_ERROR_PROTOCOL },
  { "server-tls", CB_RTMP_HANDSHAKE_SERVER, 0x16, CB_RTMP_ERROR_PROTOCOL },
  { "server-0xff", CB_RTMP_HANDSHAKE_SERVER, 0xff, CB_RTMP_ERROR_PROTOCOL },
  { "client-v3", CB_RTMP_HANDSHAKE_CLIENT, 3, -1 },
  { "client-v4", CB_RTMP_HANDSHAKE_CLIENT, 4, CB_RTMP_ERROR_PROTOCOL },
  { "client-rtmpe", CB_RTMP_HANDSHAKE_CLIENT, 6, CB_RTMP_ERROR_UNSUPPORTED },
  { "client-http", CB_RTMP_HANDSHAKE_CLIENT, 'H', CB_RTMP_ERROR_PROTOCOL },
};

static const char *
version_row_name (gconstpointer row)
{
  return ((const VersionRow *) row)->name;
}

static void
test_version_row (gconstpointer data)
{
  const VersionRow *row = data;
  g_autoptr(CbRtmpHandshake) hs = cb_rtmp_handshake_new (row->role);
  g_autoptr(GBytes) first = cb_rtmp_handshake_take_output (hs);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  guint8 block[1 + BLOCK] = { 0, };
  gsize consumed = 99;

  /* A client has C0+C1 to send before it reads anything; a server has nothing. */
  g_assert_true ((first != NULL) == (row->role == CB_RTMP_HANDSHAKE_CLIENT));

  block[0] = row->version;
  if (row->error < 0)
    {
      g_autoptr(GBytes) out = NULL;

      g_assert_true (cb_rtmp_handshake_feed (hs, block, sizeof block, &consumed, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (consumed, ==, sizeof block);
      out = cb_rtmp_handshake_take_output (hs);
      g_assert_nonnull (out);
      if (row->role == CB_RTMP_HANDSHAKE_SERVER)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (out, NULL))[0], ==, 3);
      return;
    }

  /* The error comes with the first byte, before the peer sends a whole block. */
  g_assert_false (cb_rtmp_handshake_feed (hs, block, 1, &consumed, &error));
  g_assert_error (error, CB_RTMP_ERROR, row->error);
  g_assert_false (cb_rtmp_handshake_feed (hs, block, sizeof block, NULL, &again));
  g_assert_error (again, CB_RTMP_ERROR, row->error);
  g_assert_false (cb_rtmp_handshake_is_done (hs));
}

static void
test_truncated_never_fails (void)
{
  g_autoptr(CbRtmpHandshake) client = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_CLIENT);
  g_autoptr(GBytes) c0c1 = cb_rtmp_handshake_take_output (client);

  /* Every prefix of a valid C0+C1 is accepted and produces no S0+S1 yet. */
  for (gsize n = 0; n < 1 + BLOCK; n += 97)
    {
      g_autoptr(CbRtmpHandshake) server = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_SERVER);
      g_autoptr(GError) error = NULL;
      gsize consumed = 0;

      g_assert_true (cb_rtmp_handshake_feed (server, g_bytes_get_data (c0c1, NULL), n,
                                             &consumed, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (consumed, ==, n);
      g_assert_null (cb_rtmp_handshake_take_output (server));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_add_rows ("handshake/version", version_rows, sizeof version_rows[0],
                 G_N_ELEMENTS (version_rows), version_row_name, test_version_row);
  g_test_add_func ("/cb/rtmp/handshake/client-server", test_client_server);
  g_test_add_func ("/cb/rtmp/handshake/pipelined-chunks", test_pipelined_chunks);
  g_test_add_func ("/cb/rtmp/handshake/complex-c1", test_complex_c1);
  g_test_add_func ("/cb/rtmp/handshake/truncated-never-fails", test_truncated_never_fails);

  return g_test_run ();
}
