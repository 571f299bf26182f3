/* egress-test-dtls-client.h — a viewer's DTLS client on plain OpenSSL, for the egress tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Deliberately not cb-egress-dtls.c in client mode: the server is checked against an
 * independent use of OpenSSL, as a browser would be another implementation.
 */
#pragma once

#include <glib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cb-egress-dtls.h"

typedef struct {
  SSL_CTX *ctx;
  SSL     *ssl;
  BIO     *rbio;
  BIO     *wbio;
  gboolean done;
} TestDtlsClient;

static int
test_dtls_client_verify (int             ok,
                         X509_STORE_CTX *store)
{
  return 1;
}

static inline void
test_dtls_client_init (TestDtlsClient      *c,
                       CbEgressCertificate *cert,
                       const char          *srtp_profiles)
{
  memset (c, 0, sizeof *c);
  c->ctx = SSL_CTX_new (DTLS_client_method ());
  g_assert_nonnull (c->ctx);
  g_assert_true (SSL_CTX_use_certificate (c->ctx, cb_egress_certificate_get_x509 (cert)));
  g_assert_true (SSL_CTX_use_PrivateKey (c->ctx, cb_egress_certificate_get_pkey (cert)));
  g_assert_cmpint (SSL_CTX_set_tlsext_use_srtp (c->ctx, srtp_profiles), ==, 0);
  SSL_CTX_set_verify (c->ctx, SSL_VERIFY_PEER, test_dtls_client_verify);
  c->ssl = SSL_new (c->ctx);
  c->rbio = BIO_new (BIO_s_mem ());
  c->wbio = BIO_new (BIO_s_mem ());
  BIO_set_mem_eof_return (c->rbio, -1);
  SSL_set_bio (c->ssl, c->rbio, c->wbio);
  SSL_set_options (c->ssl, SSL_OP_NO_QUERY_MTU);
  DTLS_set_link_mtu (c->ssl, 1200);
  SSL_set_connect_state (c->ssl);
}

static inline void
test_dtls_client_clear (TestDtlsClient *c)
{
  SSL_free (c->ssl);
  SSL_CTX_free (c->ctx);
  memset (c, 0, sizeof *c);
}

/* Runs the client's side on what it has received; returns what it wants to send (the
 * records of one flight, as one datagram), or NULL. */
static inline GBytes *
test_dtls_client_step (TestDtlsClient *c)
{
  char buf[16384];
  int n;

  if (!c->done)
    {
      int r = SSL_do_handshake (c->ssl);

      if (r == 1)
        c->done = TRUE;
      else
        g_assert_cmpint (SSL_get_error (c->ssl, r), ==, SSL_ERROR_WANT_READ);
    }
  ERR_clear_error ();
  n = BIO_read (c->wbio, buf, sizeof buf);
  return n > 0 ? g_bytes_new (buf, n) : NULL;
}

static inline void
test_dtls_client_receive (TestDtlsClient *c,
                          GBytes         *datagram)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (datagram, &len);

  g_assert_cmpint (BIO_write (c->rbio, data, (int) len), ==, (int) len);
}
