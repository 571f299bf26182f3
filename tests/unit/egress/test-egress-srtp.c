/* test-egress-srtp.c — SRTP/SRTCP round trips through a viewer's receiver context
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-error.h"
#include "cb-egress-srtp.h"

static void
make_keys (CbEgressSrtpKeys   *keys,
           CbEgressSrtpProfile profile,
           guint8              seed)
{
  gsize key_len, salt_len;

  g_assert_true (cb_egress_srtp_profile_lengths (profile, &key_len, &salt_len));
  memset (keys, 0, sizeof *keys);
  keys->profile = profile;
  keys->master_len = key_len + salt_len;
  for (gsize i = 0; i < keys->master_len; i++)
    {
      keys->client[i] = seed + i;
      keys->server[i] = seed + 0x80 + i;
    }
}

static gsize
make_rtp (guint8  *buf,
          guint16  seq,
          guint32  ssrc,
          gsize    payload_len)
{
  buf[0] = 0x80;
  buf[1] = 96;
  buf[2] = seq >> 8;
  buf[3] = seq & 0xff;
  memset (buf + 4, 0, 4);
  buf[8] = ssrc >> 24;
  buf[9] = ssrc >> 16;
  buf[10] = ssrc >> 8;
  buf[11] = ssrc;
  for (gsize i = 0; i < payload_len; i++)
    buf[12 + i] = (guint8) (i * 7 + seq);
  return 12 + payload_len;
}

static gsize
make_rtcp_rr (guint8 *buf)
{
  static const guint8 rr[] = { 0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44 };

  memcpy (buf, rr, sizeof rr);
  return sizeof rr;
}

static void
test_round_trip (gconstpointer data)
{
  CbEgressSrtpProfile profile = GPOINTER_TO_INT (data);
  CbEgressSrtpKeys keys;
  g_autoptr(CbEgressSrtp) server = NULL;
  g_autoptr(CbEgressSrtp) viewer = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[1500], plain[1500];
  gsize len, plain_len;

  make_keys (&keys, profile, 1);
  server = cb_egress_srtp_new (&keys, TRUE, &error);
  g_assert_no_error (error);
  viewer = cb_egress_srtp_new (&keys, FALSE, &error);
  g_assert_no_error (error);

  /* Media of two SSRCs (video and its RTX) over a sequence wrap. */
  for (guint i = 0; i < 40; i++)
    {
      guint16 seq = 65520 + i;
      guint32 ssrc = i % 2 ? 0xaabbccdd : 0x01020304;

      len = plain_len = make_rtp (buf, seq, ssrc, 100 + i);
      memcpy (plain, buf, len);
      g_assert_true (cb_egress_srtp_protect_rtp (server, buf, &len, sizeof buf, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (len, ==, plain_len + (profile == CB_EGRESS_SRTP_AEAD_AES_128_GCM ? 16 : 10));
      g_assert_cmpmem (buf, 12, plain, 12);   /* the header stays readable */
      g_assert_true (memcmp (buf + 12, plain + 12, plain_len - 12) != 0);
      g_assert_true (cb_egress_srtp_unprotect_rtp (viewer, buf, &len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (buf, len, plain, plain_len);
    }

  /* Our sender reports reach the viewer... */
  len = plain_len = make_rtcp_rr (buf);
  memcpy (plain, buf, len);
  g_assert_true (cb_egress_srtp_protect_rtcp (server, buf, &len, sizeof buf, &error));
  g_assert_no_error (error);
  g_assert_true (cb_egress_srtp_unprotect_rtcp (viewer, buf, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buf, len, plain, plain_len);

  /* ...and its receiver reports and NACKs reach us. */
  len = plain_len = make_rtcp_rr (buf);
  g_assert_true (cb_egress_srtp_protect_rtcp (viewer, buf, &len, sizeof buf, &error));
  g_assert_no_error (error);
  g_assert_true (cb_egress_srtp_unprotect_rtcp (server, buf, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buf, len, plain, plain_len);
}

static void
test_tampered_and_replayed (gconstpointer data)
{
  CbEgressSrtpProfile profile = GPOINTER_TO_INT (data);
  CbEgressSrtpKeys keys, other_keys;
  g_autoptr(CbEgressSrtp) server = NULL;
  g_autoptr(CbEgressSrtp) viewer = NULL;
  g_autoptr(CbEgressSrtp) stranger = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[1500], copy[1500];
  gsize len, copy_len;

  make_keys (&keys, profile, 1);
  make_keys (&other_keys, profile, 9);
  server = cb_egress_srtp_new (&keys, TRUE, &error);
  viewer = cb_egress_srtp_new (&keys, FALSE, &error);
  stranger = cb_egress_srtp_new (&other_keys, FALSE, &error);
  g_assert_no_error (error);

  len = make_rtp (buf, 100, 0x01020304, 200);
  g_assert_true (cb_egress_srtp_protect_rtp (server, buf, &len, sizeof buf, &error));
  memcpy (copy, buf, len);
  copy_len = len;

  /* One flipped payload bit fails authentication. */
  buf[40] ^= 0x01;
  g_assert_false (cb_egress_srtp_unprotect_rtp (viewer, buf, &len, &error));
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_FAILED);
  g_clear_error (&error);

  /* Another association's keys cannot open it. */
  memcpy (buf, copy, copy_len);
  len = copy_len;
  g_assert_false (cb_egress_srtp_unprotect_rtp (stranger, buf, &len, &error));
  g_clear_error (&error);

  /* The real one opens once; a replay of it is refused. */
  memcpy (buf, copy, copy_len);
  len = copy_len;
  g_assert_true (cb_egress_srtp_unprotect_rtp (viewer, buf, &len, &error));
  g_assert_no_error (error);
  memcpy (buf, copy, copy_len);
  len = copy_len;
  g_assert_false (cb_egress_srtp_unprotect_rtp (viewer, buf, &len, &error));
  g_clear_error (&error);

  /* Sending sequence number 100 again with other bytes would reuse a nonce: refused. */
  len = make_rtp (buf, 100, 0x01020304, 201);
  g_assert_false (cb_egress_srtp_protect_rtp (server, buf, &len, sizeof buf, &error));
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_FAILED);
  g_clear_error (&error);

  /* Runts are refused before libsrtp2 sees them. */
  len = 5;
  g_assert_false (cb_egress_srtp_unprotect_rtp (viewer, buf, &len, &error));
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_MALFORMED);
}

static void
test_bad_keys (void)
{
  CbEgressSrtpKeys keys;
  g_autoptr(GError) error = NULL;

  make_keys (&keys, CB_EGRESS_SRTP_AES128_CM_SHA1_80, 1);
  keys.master_len = 28;   /* GCM's length with CM's profile */
  g_assert_null (cb_egress_srtp_new (&keys, TRUE, &error));
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  keys.profile = 0x0002;   /* SRTP_AES128_CM_SHA1_32 */
  g_assert_null (cb_egress_srtp_new (&keys, TRUE, &error));
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_UNSUPPORTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/cb/egress/srtp/round-trip/aead-aes-128-gcm",
                        GINT_TO_POINTER (CB_EGRESS_SRTP_AEAD_AES_128_GCM), test_round_trip);
  g_test_add_data_func ("/cb/egress/srtp/round-trip/aes128-cm-sha1-80",
                        GINT_TO_POINTER (CB_EGRESS_SRTP_AES128_CM_SHA1_80), test_round_trip);
  g_test_add_data_func ("/cb/egress/srtp/tampered-and-replayed/aead-aes-128-gcm",
                        GINT_TO_POINTER (CB_EGRESS_SRTP_AEAD_AES_128_GCM),
                        test_tampered_and_replayed);
  g_test_add_data_func ("/cb/egress/srtp/tampered-and-replayed/aes128-cm-sha1-80",
                        GINT_TO_POINTER (CB_EGRESS_SRTP_AES128_CM_SHA1_80),
                        test_tampered_and_replayed);
  g_test_add_func ("/cb/egress/srtp/bad-keys", test_bad_keys);
  return g_test_run ();
}
