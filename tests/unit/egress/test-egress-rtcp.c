/* test-egress-rtcp.c — what viewers' RTCP asks of us, and our sender reports
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-error.h"
#include "cb-egress-rtcp.h"
#include "egress-test-hex.h"

/* Receiver report from viewer 0x11111111 on media 0x01020304: 25/256 lost, 300 in all,
 * highest 0x00011234, jitter 17, LSR 0xaabbccdd, DLSR 0x00010000. */
#define RR "81c90007 11111111 01020304 19 00012c 00011234 00000011 aabbccdd 00010000"
#define RR_NEG_LOST "81c90007 11111111 01020304 00 fffffe 00011234 00000000 00000000 00000000"
#define RR_EMPTY "80c90001 11111111"
#define SDES "81ca0003 11111111 0104 6162 6364 0000"
/* NACK on 0x01020304: PID 100, BLP 0x0005 → 100, 101, 103. */
#define NACK "81cd0003 11111111 01020304 0064 0005"
#define NACK_TWO "81cd0004 11111111 01020304 fffe 0001 0010 0000"
#define PLI "81ce0002 11111111 01020304"
#define FIR "84ce0004 11111111 00000000 01020304 07000000"
#define REMB "8fce0005 11111111 00000000 52454d42 01 0a 1234 01020304"
#define TWCC "8fcd0004 11111111 01020304 00010002 00000000"
#define BYE "81cb0001 11111111"

typedef struct {
  const char *name;
  const char *hex;
  gboolean    ok;
  guint       n_packets;
  guint       n_reports;
  guint       n_nacks;
  guint16     nacks[4];
  guint       n_keyframe;
  gboolean    fir;
  guint       n_ignored;
} RtcpCase;

static const RtcpCase rtcp_cases[] = {
  { "rr", RR, TRUE, 1, 1 },
  { "rr-empty", RR_EMPTY, TRUE, 1, 0 },
  { "rr-sdes", RR SDES, TRUE, 2, 1, 0, { 0 }, 0, FALSE, 1 },
  { "rr-nack", RR NACK, TRUE, 2, 1, 3, { 100, 101, 103 } },
  { "nack-alone (reduced size)", NACK, TRUE, 1, 0, 3, { 100, 101, 103 } },
  { "nack-wrap", NACK_TWO, TRUE, 1, 0, 3, { 65534, 65535, 16 } },
  { "rr-pli", RR_EMPTY PLI, TRUE, 2, 0, 0, { 0 }, 1, FALSE },
  { "fir", FIR, TRUE, 1, 0, 0, { 0 }, 1, TRUE },
  { "remb-ignored", RR_EMPTY REMB, TRUE, 2, 0, 0, { 0 }, 0, FALSE, 1 },
  { "twcc-ignored", TWCC, TRUE, 1, 0, 0, { 0 }, 0, FALSE, 1 },
  { "bye", RR_EMPTY BYE, TRUE, 2, 0, 0, { 0 }, 0, FALSE, 1 },
  { "everything", RR SDES NACK PLI REMB, TRUE, 5, 1, 3, { 100, 101, 103 }, 1, FALSE, 2 },
  { "padding-last", "a1cd0004 11111111 01020304 0064 0000 00000004", TRUE, 1, 0, 1, { 100 } },
  { "padding-not-last", "a0c90002 11111111 00000004" RR_EMPTY, FALSE },
  { "padding-too-big", "a0c90001 11111111 0000000c", FALSE },
  { "truncated", RR_EMPTY "81cd0003 11111111 01020304", FALSE, 1 },
  { "length-past-end", "80c90002 11111111", FALSE },
  { "report-blocks-past-packet", "82c90007 11111111 01020304 19 00012c 00011234 00000011 aabbccdd 00010000",
    FALSE },
  { "version-1", "41c90001 11111111", FALSE },
  { "rtp-not-rtcp", "80600001 11111111", FALSE },
  { "trailing-bytes", RR_EMPTY "80c9", FALSE, 1 },
  { "short", "80c90000", FALSE },
  { "pli-short", "81ce0001 11111111", FALSE },
};

static void
test_parse (gconstpointer data)
{
  const RtcpCase *c = data;
  g_autoptr(GBytes) pkt = test_hex (c->hex);
  g_autoptr(GError) error = NULL;
  CbEgressRtcpFeedback fb;
  gboolean ok;

  ok = cb_egress_rtcp_parse (g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt), &fb, &error);
  if (!c->ok)
    {
      g_assert_false (ok);
      g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_MALFORMED);
      g_assert_cmpuint (fb.n_packets, ==, c->n_packets);   /* what came before stays */
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (fb.sender_ssrc, ==, 0x11111111);
  g_assert_cmpuint (fb.n_packets, ==, c->n_packets);
  g_assert_cmpuint (fb.n_reports, ==, c->n_reports);
  g_assert_cmpuint (fb.n_nacks, ==, c->n_nacks);
  for (guint i = 0; i < c->n_nacks; i++)
    {
      g_assert_cmpuint (fb.nacks[i].seq, ==, c->nacks[i]);
      g_assert_cmpuint (fb.nacks[i].media_ssrc, ==, 0x01020304);
    }
  g_assert_cmpuint (fb.n_keyframe_requests, ==, c->n_keyframe);
  if (c->n_keyframe > 0)
    {
      g_assert_cmpuint (fb.keyframe_requests[0].media_ssrc, ==, 0x01020304);
      g_assert_cmpint (fb.keyframe_requests[0].fir, ==, c->fir);
      if (c->fir)
        g_assert_cmpuint (fb.keyframe_requests[0].fir_seq, ==, 7);
    }
  g_assert_cmpuint (fb.n_ignored, ==, c->n_ignored);
  g_assert_cmpuint (fb.n_dropped, ==, 0);
}

static void
test_report_block_fields (void)
{
  g_autoptr(GBytes) rr = test_hex (RR);
  g_autoptr(GBytes) neg = test_hex (RR_NEG_LOST);
  CbEgressRtcpFeedback fb;

  g_assert_true (cb_egress_rtcp_parse (g_bytes_get_data (rr, NULL), g_bytes_get_size (rr), &fb,
                                       NULL));
  g_assert_cmpuint (fb.reports[0].ssrc, ==, 0x01020304);
  g_assert_cmpuint (fb.reports[0].fraction_lost, ==, 25);
  g_assert_cmpint (fb.reports[0].cumulative_lost, ==, 300);
  g_assert_cmpuint (fb.reports[0].highest_seq, ==, 0x00011234);
  g_assert_cmpuint (fb.reports[0].jitter, ==, 17);
  g_assert_cmpuint (fb.reports[0].lsr, ==, 0xaabbccdd);
  g_assert_cmpuint (fb.reports[0].dlsr, ==, 0x00010000);
  /* Duplicates make the cumulative loss negative (RFC 3550 §6.4.1). */
  g_assert_true (cb_egress_rtcp_parse (g_bytes_get_data (neg, NULL), g_bytes_get_size (neg), &fb,
                                       NULL));
  g_assert_cmpint (fb.reports[0].cumulative_lost, ==, -2);
}

static void
test_nack_overflow (void)
{
  guint16 seqs[400];
  guint8 buf[2048];
  gsize len;
  CbEgressRtcpFeedback fb;

  /* Every other sequence number: one PID+BLP per 17, 400 NACKed; we keep 256. */
  for (guint i = 0; i < G_N_ELEMENTS (seqs); i++)
    seqs[i] = 1000 + 2 * i;
  len = cb_egress_rtcp_build_nack (buf, sizeof buf, 0x11111111, 0x01020304, seqs,
                                   G_N_ELEMENTS (seqs));
  g_assert_cmpuint (len, >, 12);
  g_assert_true (cb_egress_rtcp_parse (buf, len, &fb, NULL));
  g_assert_cmpuint (fb.n_nacks, ==, CB_EGRESS_RTCP_MAX_NACKS);
  g_assert_cmpuint (fb.n_dropped, ==, G_N_ELEMENTS (seqs) - CB_EGRESS_RTCP_MAX_NACKS);
  for (guint i = 0; i < fb.n_nacks; i++)
    g_assert_cmpuint (fb.nacks[i].seq, ==, seqs[i]);
  g_assert_cmpuint (cb_egress_rtcp_build_nack (buf, 16, 1, 2, seqs, G_N_ELEMENTS (seqs)), ==, 0);
}

static void
test_build_sr (void)
{
  static const char *cnames[] = { "", "a", "ab", "abc", "abcd", "castbridge-stream-1" };
  /* 2026-01-01T00:00:00.5Z */
  gint64 unix_us = G_GINT64_CONSTANT (1767225600500000);
  guint64 ntp = cb_egress_ntp_from_unix_us (unix_us);

  g_assert_cmpuint (ntp >> 32, ==, G_GUINT64_CONSTANT (1767225600) + 2208988800u);
  g_assert_cmpuint (ntp & 0xffffffff, ==, 0x80000000);

  for (gsize i = 0; i < G_N_ELEMENTS (cnames); i++)
    {
      guint8 buf[512];
      gsize len = cb_egress_rtcp_build_sr (buf, sizeof buf, 0x01020304, ntp, 90000, 7, 7000,
                                           cnames[i]);
      CbEgressRtcpFeedback fb;
      g_autoptr(GError) error = NULL;
      gsize cname_len = strlen (cnames[i]);

      g_assert_cmpuint (len % 4, ==, 0);
      g_assert_cmpuint (len, >=, 28 + 8 + 2 + cname_len + 1);
      g_assert_cmpuint (len, <=, 28 + 8 + 2 + cname_len + 4);
      g_assert_true (cb_egress_rtcp_parse (buf, len, &fb, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (fb.n_packets, ==, 2);
      g_assert_cmpuint (fb.sender_ssrc, ==, 0x01020304);
      g_assert_cmpuint (fb.n_ignored, ==, 1);   /* SDES */
      /* SR fields */
      g_assert_cmpuint (buf[1], ==, 200);
      g_assert_cmpmem (buf + 8, 4, "\xed\x00\x37\x80", 4);   /* NTP seconds */
      g_assert_cmpmem (buf + 16, 4, "\x00\x01\x5f\x90", 4);  /* RTP timestamp 90000 */
      /* CNAME item, then zero bytes to the end */
      g_assert_cmpuint (buf[36], ==, 1);
      g_assert_cmpuint (buf[37], ==, cname_len);
      g_assert_cmpmem (buf + 38, cname_len, cnames[i], cname_len);
      for (gsize j = 38 + cname_len; j < len; j++)
        g_assert_cmpuint (buf[j], ==, 0);
      /* One byte too few: nothing built. */
      g_assert_cmpuint (cb_egress_rtcp_build_sr (buf, len - 1, 1, ntp, 0, 0, 0, cnames[i]), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rtcp_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/rtcp/parse/%s", rtcp_cases[i].name);

      g_test_add_data_func (path, &rtcp_cases[i], test_parse);
    }
  g_test_add_func ("/cb/egress/rtcp/report-block-fields", test_report_block_fields);
  g_test_add_func ("/cb/egress/rtcp/nack-overflow", test_nack_overflow);
  g_test_add_func ("/cb/egress/rtcp/build-sr", test_build_sr);
  return g_test_run ();
}
