/* test-egress-dtls.c — DTLS-SRTP handshakes of the egress server with an OpenSSL client
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-dtls.h"
#include "cb-egress-error.h"
#include "cb-egress-srtp.h"
#include "egress-test-dtls-client.h"

typedef struct {
  CbEgressCertificate *server_cert;
  CbEgressCertificate *client_cert;
  GPtrArray     *to_client;   /* GBytes: datagrams the server sent */
  guint          n_sent;
  CbEgressDtls  *server;
  TestDtlsClient client;
} Fixture;

static void
on_server_send (const guint8 *data,
                gsize         len,
                gpointer      user_data)
{
  Fixture *f = user_data;

  /* Each call is one datagram and fits the link MTU. */
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (len, <=, 1200);
  g_ptr_array_add (f->to_client, g_bytes_new (data, len));
  f->n_sent++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  profiles)
{
  g_autoptr(GError) error = NULL;

  f->server_cert = cb_egress_certificate_new (&error);
  g_assert_no_error (error);
  f->client_cert = cb_egress_certificate_new (&error);
  g_assert_no_error (error);
  f->to_client = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->server = cb_egress_dtls_new (f->server_cert, on_server_send, f, &error);
  g_assert_no_error (error);
  test_dtls_client_init (&f->client, f->client_cert, profiles);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  profiles)
{
  g_clear_pointer (&f->server, cb_egress_dtls_free);
  test_dtls_client_clear (&f->client);
  g_ptr_array_unref (f->to_client);
  g_clear_pointer (&f->server_cert, cb_egress_certificate_unref);
  g_clear_pointer (&f->client_cert, cb_egress_certificate_unref);
}

/* One round: the client's flight to the server, the server's datagrams to the client.
 * Returns the server's state after it. */
static CbEgressDtlsState
round_trip (Fixture *f,
            GError **error)
{
  g_autoptr(GBytes) flight = test_dtls_client_step (&f->client);
  CbEgressDtlsState state = cb_egress_dtls_get_state (f->server);

  if (flight != NULL)
    state = cb_egress_dtls_handle_datagram (f->server, g_bytes_get_data (flight, NULL),
                                            g_bytes_get_size (flight), error);
  for (guint i = 0; i < f->to_client->len; i++)
    test_dtls_client_receive (&f->client, g_ptr_array_index (f->to_client, i));
  g_ptr_array_set_size (f->to_client, 0);
  return state;
}

static void
handshake (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 10 && !(f->client.done &&
                              cb_egress_dtls_get_state (f->server) == CB_EGRESS_DTLS_CONNECTED); i++)
    {
      g_assert_cmpint (round_trip (f, &error), !=, CB_EGRESS_DTLS_FAILED);
      g_assert_no_error (error);
    }
  g_assert_true (f->client.done);
  g_assert_cmpint (cb_egress_dtls_get_state (f->server), ==, CB_EGRESS_DTLS_CONNECTED);
}

static void
check_keys_and_srtp (Fixture            *f,
                     CbEgressSrtpProfile expected)
{
  CbEgressSrtpKeys server_keys, client_keys;
  g_autoptr(CbEgressSrtp) server_srtp = NULL;
  g_autoptr(CbEgressSrtp) client_srtp = NULL;
  g_autoptr(GError) error = NULL;
  guint8 pkt[1500] = { 0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 0xca, 0xfe, 0xba, 0xbe, 'h', 'i' };
  gsize len = 14;

  g_assert_true (cb_egress_dtls_get_srtp_keys (f->server, &server_keys));
  g_assert_true (cb_egress_dtls_export_srtp_keys (f->client.ssl, &client_keys));
  g_assert_cmpstr (cb_egress_srtp_profile_to_string (server_keys.profile), ==,
                   cb_egress_srtp_profile_to_string (expected));
  g_assert_cmpint (client_keys.profile, ==, server_keys.profile);
  g_assert_cmpmem (server_keys.client, server_keys.master_len,
                   client_keys.client, client_keys.master_len);
  g_assert_cmpmem (server_keys.server, server_keys.master_len,
                   client_keys.server, client_keys.master_len);
  g_assert_true (memcmp (server_keys.client, server_keys.server, server_keys.master_len) != 0);

  /* What the server protects with its key, the viewer's side opens. */
  server_srtp = cb_egress_srtp_new (&server_keys, TRUE, &error);
  g_assert_no_error (error);
  client_srtp = cb_egress_srtp_new (&client_keys, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (cb_egress_srtp_protect_rtp (server_srtp, pkt, &len, sizeof pkt, &error));
  g_assert_no_error (error);
  g_assert_true (cb_egress_srtp_unprotect_rtp (client_srtp, pkt, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (pkt + 12, len - 12, "hi", 2);
}

static void
test_handshake (Fixture       *f,
                gconstpointer  profiles)
{
  g_autofree char *peer_fp = NULL;
  CbEgressSrtpProfile expected = strstr (profiles, "GCM") != NULL
                                 ? CB_EGRESS_SRTP_AEAD_AES_128_GCM
                                 : CB_EGRESS_SRTP_AES128_CM_SHA1_80;

  cb_egress_dtls_set_remote_fingerprint (f->server,
                                         cb_egress_certificate_get_fingerprint (f->client_cert));
  handshake (f);
  peer_fp = cb_egress_dtls_dup_peer_fingerprint (f->server);
  g_assert_cmpstr (peer_fp, ==, cb_egress_certificate_get_fingerprint (f->client_cert));
  check_keys_and_srtp (f, expected);
  /* Nothing more to retransmit once connected. */
  {
    gint64 timeout;

    g_assert_false (cb_egress_dtls_get_timeout (f->server, &timeout));
  }
}

static void
test_retransmit (Fixture       *f,
                 gconstpointer  profiles)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hello = NULL;
  gint64 timeout_us = 0;
  guint n_dropped, n_again;

  /* Long enough that a busy machine (the sanitizer build beside other work) does not
   * reach it between the two calls below. */
  cb_egress_dtls_set_initial_timeout (f->server, 300);
  hello = test_dtls_client_step (&f->client);
  g_assert_nonnull (hello);
  g_assert_true (cb_egress_dtls_is_client_hello (g_bytes_get_data (hello, NULL),
                                                 g_bytes_get_size (hello)));
  g_assert_cmpint (cb_egress_dtls_handle_datagram (f->server, g_bytes_get_data (hello, NULL),
                                                   g_bytes_get_size (hello), &error),
                   ==, CB_EGRESS_DTLS_HANDSHAKING);
  g_assert_no_error (error);

  /* The server's whole flight is lost. */
  n_dropped = f->to_client->len;
  g_assert_cmpuint (n_dropped, >, 0);
  g_ptr_array_set_size (f->to_client, 0);

  /* Its timer runs; before it expires, nothing is resent. */
  g_assert_true (cb_egress_dtls_get_timeout (f->server, &timeout_us));
  g_assert_cmpint (timeout_us, <=, 300 * 1000);
  g_assert_cmpint (cb_egress_dtls_handle_timeout (f->server, &error), ==,
                   CB_EGRESS_DTLS_HANDSHAKING);
  if (timeout_us > 100 * 1000)
    g_assert_cmpuint (f->to_client->len, ==, 0);
  g_usleep (timeout_us + 1000);
  g_assert_cmpint (cb_egress_dtls_handle_timeout (f->server, &error), ==,
                   CB_EGRESS_DTLS_HANDSHAKING);
  g_assert_no_error (error);
  /* OpenSSL packs a first flight into one datagram and resends it message by message. */
  n_again = f->to_client->len;
  g_assert_cmpuint (n_again, >=, n_dropped);
  /* The next timer is longer (backoff). */
  g_assert_true (cb_egress_dtls_get_timeout (f->server, &timeout_us));
  g_assert_cmpint (timeout_us, >, 20 * 1000);

  for (guint i = 0; i < f->to_client->len; i++)
    test_dtls_client_receive (&f->client, g_ptr_array_index (f->to_client, i));
  g_ptr_array_set_size (f->to_client, 0);
  handshake (f);
  check_keys_and_srtp (f, CB_EGRESS_SRTP_AEAD_AES_128_GCM);
}

static void
test_fingerprint_mismatch (Fixture       *f,
                           gconstpointer  profiles)
{
  g_autoptr(GError) error = NULL;
  CbEgressDtlsState state = CB_EGRESS_DTLS_HANDSHAKING;
  CbEgressSrtpKeys keys;

  /* The SDP names the server's certificate, not the client's: someone else answers. */
  cb_egress_dtls_set_remote_fingerprint (f->server,
                                         cb_egress_certificate_get_fingerprint (f->server_cert));
  for (int i = 0; i < 10 && state == CB_EGRESS_DTLS_HANDSHAKING; i++)
    state = round_trip (f, &error);
  g_assert_cmpint (state, ==, CB_EGRESS_DTLS_FAILED);
  g_assert_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_HANDSHAKE);
  g_assert_false (cb_egress_dtls_get_srtp_keys (f->server, &keys));
}

static void
test_no_srtp (Fixture       *f,
              gconstpointer  profiles)
{
  g_autoptr(GError) error = NULL;
  CbEgressDtlsState state = CB_EGRESS_DTLS_HANDSHAKING;

  /* A client that offers only a profile we do not serve gets no association. */
  for (int i = 0; i < 10 && state == CB_EGRESS_DTLS_HANDSHAKING; i++)
    state = round_trip (f, &error);
  g_assert_cmpint (state, ==, CB_EGRESS_DTLS_FAILED);
  g_assert_nonnull (error);
}

static void
test_garbage_and_close (Fixture       *f,
                        gconstpointer  profiles)
{
  g_autoptr(GError) error = NULL;
  /* Spoofed from the viewer's address, before its ClientHello: a ClientHello too short to
   * be one, a forged fatal alert (handshake_failure), a bad change_cipher_spec, a record
   * running past the datagram, and bytes that are no record at all. */
  static const struct { const guint8 *data; gsize len; } junk[] = {
    { (const guint8 *) "\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x04\x01\x02\x03\x04", 17 },
    { (const guint8 *) "\x15\xfe\xfd\0\0\0\0\0\0\0\0\0\x02\x02\x28", 15 },
    { (const guint8 *) "\x14\xfe\xfd\0\0\0\0\0\0\0\0\0\x01\x07", 14 },
    { (const guint8 *) "\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x40\x01", 14 },
    { (const guint8 *) "\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9 },
    { (const guint8 *) "\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x0c\x01\0\0\x10\0\0\0\0\x08\0\0\x10", 25 },
  };
  g_autoptr(GBytes) close_notify = NULL;

  /* Dropped, silently: the viewer's handshake goes on. */
  for (gsize i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_assert_false (cb_egress_dtls_datagram_is_plausible (junk[i].data, junk[i].len));
      g_assert_cmpint (cb_egress_dtls_handle_datagram (f->server, junk[i].data, junk[i].len,
                                                       &error), ==, CB_EGRESS_DTLS_HANDSHAKING);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (f->to_client->len, ==, 0);

  handshake (f);
  g_assert_cmpint (SSL_shutdown (f->client.ssl), >=, 0);
  close_notify = test_dtls_client_step (&f->client);
  g_assert_nonnull (close_notify);
  g_assert_cmpint (cb_egress_dtls_handle_datagram (f->server, g_bytes_get_data (close_notify, NULL),
                                                   g_bytes_get_size (close_notify), &error),
                   ==, CB_EGRESS_DTLS_CLOSED);
  g_assert_no_error (error);
}

static void
test_default_certificate (void)
{
  g_autoptr(GError) error = NULL;
  CbEgressCertificate *a = cb_egress_certificate_get_default (&error);
  CbEgressCertificate *b = cb_egress_certificate_get_default (&error);
  const char *fp;

  g_assert_no_error (error);
  g_assert_true (a == b);
  fp = cb_egress_certificate_get_fingerprint (a);
  g_assert_cmpuint (strlen (fp), ==, 32 * 3 - 1);
  for (int i = 0; i < 32; i++)
    {
      g_assert_true (g_ascii_isxdigit (fp[i * 3]) && !g_ascii_islower (fp[i * 3]));
      if (i < 31)
        g_assert_cmpint (fp[i * 3 + 2], ==, ':');
    }
  {
    g_autoptr(CbEgressCertificate) other = cb_egress_certificate_new (&error);

    g_assert_cmpstr (cb_egress_certificate_get_fingerprint (other), !=, fp);
  }
}

typedef struct {
  const char *name;
  const char *hex;
  gboolean    ok;
  guint8      type;
  guint16     epoch;
  guint64     seq;
  gsize       frag_len;
  guint       n_records;
} RecordCase;

static const RecordCase record_cases[] = {
  { "handshake", "16fefd0000000000000001" "0003" "010203", TRUE, 22, 0, 1, 3, 1 },
  { "two-records", "14fefd0000000000000005" "0001" "01" "17fefd0001000000000006" "0000",
    TRUE, 20, 0, 5, 1, 2 },
  { "seq-48-bit", "17fefd0002ffffffffffff" "0000", TRUE, 23, 2, G_GUINT64_CONSTANT (0xffffffffffff), 0, 1 },
  { "length-past-end", "16fefd0000000000000001" "0004" "010203", FALSE, 0, 0, 0, 0, 0 },
  { "short-header", "16fefd00000000000000", FALSE, 0, 0, 0, 0, 0 },
  { "not-dtls-version", "1603030000000000000001" "0000", FALSE, 0, 0, 0, 0, 0 },
  { "not-dtls-type", "80fefd0000000000000001" "0000", FALSE, 0, 0, 0, 0, 0 },
  { "good-then-garbage", "15fefd0000000000000001" "0000" "ff", TRUE, 21, 0, 1, 0, 1 },
};

static void
test_record_reader (gconstpointer data)
{
  const RecordCase *c = data;
  gsize len = strlen (c->hex) / 2, offset = 0;
  g_autofree guint8 *bytes = g_malloc (len);
  CbEgressDtlsRecord record;
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    bytes[i] = g_ascii_xdigit_value (c->hex[2 * i]) << 4 | g_ascii_xdigit_value (c->hex[2 * i + 1]);
  g_assert_cmpint (cb_egress_dtls_record_next (bytes, len, &offset, &record), ==, c->ok);
  if (!c->ok)
    {
      g_assert_cmpuint (offset, ==, 0);
      return;
    }
  g_assert_cmpuint (record.content_type, ==, c->type);
  g_assert_cmpuint (record.version, ==, 0xfefd);
  g_assert_cmpuint (record.epoch, ==, c->epoch);
  g_assert_cmpuint (record.sequence, ==, c->seq);
  g_assert_cmpuint (record.fragment_len, ==, c->frag_len);
  n = 1;
  while (cb_egress_dtls_record_next (bytes, len, &offset, &record))
    n++;
  g_assert_cmpuint (n, ==, c->n_records);
  g_assert_cmpint (cb_egress_dtls_is_client_hello (bytes, len), ==,
                   c->type == 22 && c->epoch == 0 && bytes[13] == 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cb/egress/dtls/handshake/aead-aes-128-gcm", Fixture,
              "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
              fixture_setup, test_handshake, fixture_teardown);
  /* A client preferring CM still gets GCM: the server's order counts. */
  g_test_add ("/cb/egress/dtls/handshake/server-prefers-gcm", Fixture,
              "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
              fixture_setup, test_handshake, fixture_teardown);
  g_test_add ("/cb/egress/dtls/handshake/aes128-cm-sha1-80", Fixture, "SRTP_AES128_CM_SHA1_80",
              fixture_setup, test_handshake, fixture_teardown);
  g_test_add ("/cb/egress/dtls/retransmit", Fixture,
              "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
              fixture_setup, test_retransmit, fixture_teardown);
  g_test_add ("/cb/egress/dtls/fingerprint-mismatch", Fixture, "SRTP_AES128_CM_SHA1_80",
              fixture_setup, test_fingerprint_mismatch, fixture_teardown);
  g_test_add ("/cb/egress/dtls/no-common-srtp-profile", Fixture, "SRTP_AES128_CM_SHA1_32",
              fixture_setup, test_no_srtp, fixture_teardown);
  g_test_add ("/cb/egress/dtls/garbage-and-close", Fixture, "SRTP_AES128_CM_SHA1_80",
              fixture_setup, test_garbage_and_close, fixture_teardown);
  g_test_add_func ("/cb/egress/dtls/default-certificate", test_default_certificate);
  for (gsize i = 0; i < G_N_ELEMENTS (record_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/dtls/record/%s", record_cases[i].name);

      g_test_add_data_func (path, &record_cases[i], test_record_reader);
    }
  return g_test_run ();
}
