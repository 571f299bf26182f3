/* test-egress-rtp.c — payload type rewrite, RTX wrapping and the retransmission ring
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-rtp.h"
#include "egress-test-hex.h"

typedef struct {
  const char *name;
  const char *packet;
  gboolean    ok;
  guint8      pt;
  gboolean    marker;
  guint16     seq;
  gsize       header_len;
  gsize       payload_len;
} ParseCase;

static const ParseCase parse_cases[] = {
  { "plain", "80 60 1234 00000001 01020304 aabbcc", TRUE, 96, FALSE, 0x1234, 12, 3 },
  { "marker", "80 e0 0001 00000001 01020304 aa", TRUE, 96, TRUE, 1, 12, 1 },
  { "csrc", "82 6f 0002 00000001 01020304 11111111 22222222 ff", TRUE, 111, FALSE, 2, 20, 1 },
  { "extension", "90 60 0003 00000001 01020304 bede0001 10ff0000 abcd", TRUE, 96, FALSE, 3,
    20, 2 },
  { "padding", "a0 60 0004 00000001 01020304 aabb 000003", TRUE, 96, FALSE, 4, 12, 2 },
  { "padding-all", "a0 60 0004 00000001 01020304 000003", TRUE, 96, FALSE, 4, 12, 0 },
  { "padding-too-long", "a0 60 0004 00000001 01020304 0004", FALSE },
  { "padding-zero", "a0 60 0004 00000001 01020304 aa00", FALSE },
  { "csrc-past-end", "83 60 0005 00000001 01020304 11111111", FALSE },
  { "extension-past-end", "90 60 0006 00000001 01020304 bede0002 10ff0000", FALSE },
  { "extension-header-cut", "90 60 0006 00000001 01020304 bede", FALSE },
  { "short", "80 60 0007 00000001 010203", FALSE },
  { "version-1", "40 60 0007 00000001 01020304", FALSE },
  { "rtcp-type", "80 c8 0006 00000001 01020304", FALSE },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *c = data;
  g_autoptr(GBytes) pkt = test_hex (c->packet);
  CbEgressRtpHeader h;

  g_assert_cmpint (cb_egress_rtp_parse (g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt), &h),
                   ==, c->ok);
  if (!c->ok)
    return;
  g_assert_cmpuint (h.payload_type, ==, c->pt);
  g_assert_cmpint (h.marker, ==, c->marker);
  g_assert_cmpuint (h.seq, ==, c->seq);
  g_assert_cmpuint (h.ssrc, ==, 0x01020304);
  g_assert_cmpuint (h.header_len, ==, c->header_len);
  g_assert_cmpuint (h.payload_len, ==, c->payload_len);
}

static void
test_rewrite (void)
{
  g_autoptr(GBytes) shared = test_hex ("80 e0 1234 00000064 01020304 aabbcc");
  g_autoptr(GBytes) expected_102 = test_hex ("80 e6 1234 00000064 01020304 aabbcc");
  g_autoptr(GBytes) unmarked = test_hex ("80 6f 0001 00000064 01020304 aa");
  g_autoptr(GBytes) expected_125 = test_hex ("80 7d 0001 00000064 01020304 aa");
  const guint8 *src = g_bytes_get_data (shared, NULL);
  guint8 before[64], dst[64];
  gsize len = g_bytes_get_size (shared);

  memcpy (before, src, len);
  /* Two viewers with different payload types for H.264 get their own copies; the
   * shared packet is left as it was. */
  g_assert_cmpuint (cb_egress_rtp_rewrite (dst, sizeof dst, src, len, 102), ==, len);
  g_assert_cmpmem (dst, len, g_bytes_get_data (expected_102, NULL), len);
  g_assert_cmpuint (cb_egress_rtp_rewrite (dst, sizeof dst, src, len, 96), ==, len);
  g_assert_cmpmem (dst, len, src, len);
  g_assert_cmpmem (before, len, src, len);
  g_assert_cmpuint (cb_egress_rtp_rewrite (dst, sizeof dst, g_bytes_get_data (unmarked, NULL),
                                           g_bytes_get_size (unmarked), 125), ==, 13);
  g_assert_cmpmem (dst, 13, g_bytes_get_data (expected_125, NULL), 13);
  /* Too small a buffer, or no RTP. */
  g_assert_cmpuint (cb_egress_rtp_rewrite (dst, len - 1, src, len, 102), ==, 0);
  g_assert_cmpuint (cb_egress_rtp_rewrite (dst, sizeof dst, src, 11, 102), ==, 0);
}

typedef struct {
  const char *name;
  const char *original;
  const char *rtx;   /* PT 97, SSRC 0xaabbccdd, RTX seq 0x0010 */
} RtxCase;

static const RtxCase rtx_cases[] = {
  { "plain", "80 60 1234 00000064 01020304 c0ffee",
    "80 61 0010 00000064 aabbccdd 1234 c0ffee" },
  { "marker", "80 e0 ffff 00000064 01020304 01",
    "80 e1 0010 00000064 aabbccdd ffff 01" },
  { "csrc-and-extension", "91 60 0001 00000064 01020304 99999999 bede0001 10ff0000 abcd",
    "91 61 0010 00000064 aabbccdd 99999999 bede0001 10ff0000 0001 abcd" },
  { "padding-dropped", "a0 60 0002 00000064 01020304 aabb 0000 03",
    "80 61 0010 00000064 aabbccdd 0002 aabb" },
  { "empty-payload", "80 60 0003 00000064 01020304",
    "80 61 0010 00000064 aabbccdd 0003" },
};

static void
test_rtx (gconstpointer data)
{
  const RtxCase *c = data;
  g_autoptr(GBytes) original = test_hex (c->original);
  g_autoptr(GBytes) expected = test_hex (c->rtx);
  guint8 out[256], back[256];
  gsize len, back_len;
  CbEgressRtpHeader h;

  len = cb_egress_rtx_wrap (out, sizeof out, g_bytes_get_data (original, NULL),
                            g_bytes_get_size (original), 97, 0xaabbccdd, 0x0010);
  g_assert_cmpmem (out, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

  /* A receiver restores the original (less its padding). */
  back_len = cb_egress_rtx_unwrap (back, sizeof back, out, len, 96, 0x01020304);
  g_assert_cmpuint (back_len, >, 0);
  g_assert_true (cb_egress_rtp_parse (g_bytes_get_data (original, NULL),
                                      g_bytes_get_size (original), &h));
  g_assert_cmpuint (back_len, ==, h.header_len + h.payload_len);
  g_assert_cmpmem (back + 1, back_len - 1,
                   (const guint8 *) g_bytes_get_data (original, NULL) + 1, back_len - 1);
  g_assert_cmpuint (back[0], ==, ((const guint8 *) g_bytes_get_data (original, NULL))[0] & ~0x20);

  /* One byte short of room: nothing. */
  g_assert_cmpuint (cb_egress_rtx_wrap (out, len - 1, g_bytes_get_data (original, NULL),
                                        g_bytes_get_size (original), 97, 1, 1), ==, 0);
}

static gsize
make_packet (guint8  *buf,
             guint16  seq,
             gsize    payload_len)
{
  buf[0] = 0x80;
  buf[1] = 96;
  buf[2] = seq >> 8;
  buf[3] = seq & 0xff;
  memset (buf + 4, 0, 8);
  memset (buf + 12, seq & 0xff, payload_len);
  return 12 + payload_len;
}

/* Rows run in order on one ring of 8 slots of 64 bytes. */
typedef struct {
  const char *what;
  char        op;        /* 'p' push, 'l' lookup */
  guint16     seq;
  gsize       payload_len;
  gboolean    expected;  /* push accepted / lookup found */
} RingRow;

static const RingRow ring_rows[] = {
  { "empty ring", 'l', 0, 0, FALSE },
  { "push 65533", 'p', 65533, 10, TRUE },
  { "push 65534", 'p', 65534, 11, TRUE },
  { "push 65535", 'p', 65535, 12, TRUE },
  { "push 0 (wrap)", 'p', 0, 13, TRUE },
  { "push 1", 'p', 1, 14, TRUE },
  { "find 65534 across the wrap", 'l', 65534, 11, TRUE },
  { "find 0", 'l', 0, 13, TRUE },
  { "never sent", 'l', 2, 0, FALSE },
  { "too big for a slot", 'p', 2, 53, FALSE },
  { "still not there", 'l', 2, 0, FALSE },
  { "fits exactly", 'p', 2, 52, TRUE },
  { "found", 'l', 2, 52, TRUE },
  { "push 5 (8 after 65533)", 'p', 5, 15, TRUE },
  { "65533 overwritten by 5", 'l', 65533, 0, FALSE },
  { "5 found", 'l', 5, 15, TRUE },
  { "same slot, other seq (65541 wraps to 5)", 'l', 13, 0, FALSE },
  { "65535 still there", 'l', 65535, 12, TRUE },
};

static void
test_ring (void)
{
  g_autoptr(CbEgressRtpRing) ring = cb_egress_rtp_ring_new (8, 64);

  g_assert_cmpuint (cb_egress_rtp_ring_get_n_slots (ring), ==, 8);
  for (gsize i = 0; i < G_N_ELEMENTS (ring_rows); i++)
    {
      const RingRow *r = &ring_rows[i];
      guint8 pkt[128];
      gsize len;
      gint64 stored = 0;

      g_test_message ("row %zu: %s", i, r->what);
      if (r->op == 'p')
        {
          len = make_packet (pkt, r->seq, r->payload_len);
          g_assert_cmpint (cb_egress_rtp_ring_push (ring, pkt, len, 1000 + i), ==, r->expected);
        }
      else
        {
          const guint8 *found = cb_egress_rtp_ring_lookup (ring, r->seq, &len, &stored);

          g_assert_cmpint (found != NULL, ==, r->expected);
          if (found != NULL)
            {
              make_packet (pkt, r->seq, r->payload_len);
              g_assert_cmpmem (found, len, pkt, 12 + r->payload_len);
              g_assert_cmpint (stored, >=, 1000);
            }
        }
    }
  /* Not RTP: refused. */
  g_assert_false (cb_egress_rtp_ring_push (ring, (const guint8 *) "\x81\xc9\0\1abcdefgh", 12, 0));
}

/* Growing keeps every packet, now under its own slot; a bound refuses it. */
static void
test_ring_grow (void)
{
  g_autoptr(CbEgressRtpRing) ring = cb_egress_rtp_ring_new (4, 64);
  guint8 pkt[128];

  /* 65534 … 1 across the wrap fill the 4 slots. */
  for (guint16 seq = 65534, i = 0; i < 4; seq++, i++)
    g_assert_true (cb_egress_rtp_ring_push (ring, pkt, make_packet (pkt, seq, 10 + i), 7));
  g_assert_false (cb_egress_rtp_ring_grow (ring, 4));
  g_assert_cmpuint (cb_egress_rtp_ring_get_n_slots (ring), ==, 4);
  g_assert_true (cb_egress_rtp_ring_grow (ring, 8));
  g_assert_cmpuint (cb_egress_rtp_ring_get_n_slots (ring), ==, 8);
  for (guint16 seq = 65534, i = 0; i < 4; seq++, i++)
    {
      gsize len;
      gint64 stored = 0;
      const guint8 *found = cb_egress_rtp_ring_lookup (ring, seq, &len, &stored);

      g_assert_nonnull (found);
      make_packet (pkt, seq, 10 + i);
      g_assert_cmpmem (found, len, pkt, 12 + 10 + i);
      g_assert_cmpint (stored, ==, 7);
    }
  /* Four more fit beside them now. */
  for (guint16 seq = 2; seq < 6; seq++)
    g_assert_true (cb_egress_rtp_ring_push (ring, pkt, make_packet (pkt, seq, 5), 8));
  {
    gsize len;

    g_assert_nonnull (cb_egress_rtp_ring_lookup (ring, 65534, &len, NULL));
    g_assert_nonnull (cb_egress_rtp_ring_lookup (ring, 5, &len, NULL));
  }
}

/* Where a viewer may start: one row per H.264 payload shape (RFC 6184). */
typedef struct {
  const char   *name;
  const guint8 *payload;
  gsize         len;
  gboolean      expected;
  gboolean      vp8;        /* a VP8 payload (RFC 7741), else H.264 */
} KeyframeRow;

static const KeyframeRow keyframe_rows[] = {
  { "sps", (const guint8 *) "\x67\x42\xc0\x1f", 4, TRUE },
  { "idr", (const guint8 *) "\x65\x88\x84", 3, TRUE },
  { "p-slice", (const guint8 *) "\x41\x9a\x02", 3, FALSE },
  { "pps-alone", (const guint8 *) "\x68\xce\x3c\x80", 4, FALSE },
  { "stap-a-sps-pps", (const guint8 *) "\x18\x00\x02\x67\x42\x00\x02\x68\xce", 9, TRUE },
  { "stap-a-p-slices", (const guint8 *) "\x18\x00\x02\x41\x9a\x00\x02\x41\x9b", 9, FALSE },
  { "stap-a-truncated", (const guint8 *) "\x18\x00\x09\x67\x42", 5, FALSE },
  { "stap-a-zero-size", (const guint8 *) "\x18\x00\x00\x67", 4, FALSE },
  { "fu-a-idr-start", (const guint8 *) "\x7c\x85\x88", 3, TRUE },
  { "fu-a-idr-middle", (const guint8 *) "\x7c\x05\x88", 3, FALSE },
  { "fu-a-p-start", (const guint8 *) "\x5c\x81\x9a", 3, FALSE },
  { "fu-a-truncated", (const guint8 *) "\x7c", 1, FALSE },
  { "empty", (const guint8 *) "", 0, FALSE },
};

static void
test_keyframe (gconstpointer data)
{
  const KeyframeRow *row = data;
  /* Copied out: a read past the row's bytes shows under ASan. */
  g_autofree guint8 *copy = g_memdup2 (row->payload, row->len);

  g_assert_cmpint (row->vp8 ? cb_egress_rtp_vp8_starts_keyframe (copy, row->len)
                            : cb_egress_rtp_h264_starts_keyframe (copy, row->len),
                   ==, row->expected);
}

/* And one per VP8 payload descriptor shape (RFC 7741). */
static const KeyframeRow vp8_rows[] = {
  { "key-no-extension", (const guint8 *) "\x10\x50\x2a", 3, TRUE, TRUE },
  { "inter-no-extension", (const guint8 *) "\x10\x51\x2a", 3, FALSE, TRUE },
  { "key-picture-id-15", (const guint8 *) "\x90\x80\x81\x23\x50", 5, TRUE, TRUE },
  { "key-picture-id-7", (const guint8 *) "\x90\x80\x23\x50", 4, TRUE, TRUE },
  { "inter-picture-id-15", (const guint8 *) "\x90\x80\x81\x23\x51", 5, FALSE, TRUE },
  { "key-all-extensions", (const guint8 *) "\x90\xf0\x81\x23\x07\x40\x50", 7, TRUE, TRUE },
  { "not-partition-start", (const guint8 *) "\x00\x50\x2a", 3, FALSE, TRUE },
  { "partition-1", (const guint8 *) "\x11\x50\x2a", 3, FALSE, TRUE },
  { "extension-truncated", (const guint8 *) "\x90\x80\x81", 3, FALSE, TRUE },
  { "descriptor-only", (const guint8 *) "\x10", 1, FALSE, TRUE },
  { "empty", (const guint8 *) "", 0, FALSE, TRUE },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (vp8_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/rtp/vp8-keyframe/%s", vp8_rows[i].name);

      g_test_add_data_func (path, &vp8_rows[i], test_keyframe);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/rtp/parse/%s", parse_cases[i].name);

      g_test_add_data_func (path, &parse_cases[i], test_parse);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (rtx_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/rtp/rtx/%s", rtx_cases[i].name);

      g_test_add_data_func (path, &rtx_cases[i], test_rtx);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (keyframe_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/rtp/h264-keyframe/%s",
                                               keyframe_rows[i].name);

      g_test_add_data_func (path, &keyframe_rows[i], test_keyframe);
    }
  g_test_add_func ("/cb/egress/rtp/rewrite-payload-type", test_rewrite);
  g_test_add_func ("/cb/egress/rtp/ring", test_ring);
  g_test_add_func ("/cb/egress/rtp/ring-grow", test_ring_grow);
  return g_test_run ();
}
