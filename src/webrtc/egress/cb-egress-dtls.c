/* cb-egress-dtls.c — DTLS 1.2 server for DTLS-SRTP on OpenSSL
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No socket belongs to OpenSSL here: the egress thread owns the one UDP socket of every
 * viewer. Input is a memory BIO that gets one datagram at a time; output is a BIO of our
 * own whose every write is one datagram handed to the send function, because a memory
 * BIO would glue the records of a flight together into more than the MTU (Janus has
 * the same "agent" BIO for the same reason). MTU queries are off: the link MTU is fixed
 * at what every path between a browser and us carries.
 */
#include "config.h"

#include "cb-egress-dtls.h"
#include "cb-egress-error.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

#define LINK_MTU 1200
#define DEFAULT_INITIAL_TIMEOUT_MS 100
#define MAX_TIMEOUT_US (4 * G_USEC_PER_SEC)

/* Browsers' certificates are ECDSA or RSA, ours is ECDSA: the suites follow our key. */
#define CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"
/* Ours first: OpenSSL's server picks by its own order among what the client offers. */
#define SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

/* ---- errors ---------------------------------------------------------------------------- */

static void
set_openssl_error (GError    **error,
                   int         code,
                   const char *what)
{
  char buf[256] = "";
  unsigned long e = ERR_get_error ();

  if (e != 0)
    ERR_error_string_n (e, buf, sizeof buf);
  /* The queue is per thread and shared by every viewer: leave nothing behind. */
  ERR_clear_error ();
  g_set_error (error, CB_EGRESS_ERROR, code, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* ---- certificate ----------------------------------------------------------------------- */

struct _CbEgressCertificate {
  gatomicrefcount ref;
  X509           *x509;
  EVP_PKEY       *pkey;
  SSL_CTX        *server_ctx;
  char            fingerprint[32 * 3];
};

static void
format_fingerprint (const unsigned char *md,
                    unsigned int         md_len,
                    char                *out)
{
  static const char hex[] = "0123456789ABCDEF";

  for (unsigned int i = 0; i < md_len; i++)
    {
      out[i * 3] = hex[md[i] >> 4];
      out[i * 3 + 1] = hex[md[i] & 0xf];
      out[i * 3 + 2] = i + 1 < md_len ? ':' : '\0';
    }
}

static gboolean
x509_fingerprint (X509 *x509,
                  char  out[32 * 3])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;

  if (!X509_digest (x509, EVP_sha256 (), md, &md_len) || md_len != 32)
    return FALSE;
  format_fingerprint (md, md_len, out);
  return TRUE;
}

static int
accept_any_certificate (int             preverify_ok,
                        X509_STORE_CTX *store)
{
  /* WebRTC certificates are self-signed: what authenticates the peer is the fingerprint
   * of its SDP, compared when the handshake ends. */
  return 1;
}

static SSL_CTX *
new_server_ctx (CbEgressCertificate *cert,
                GError             **error)
{
  SSL_CTX *ctx = SSL_CTX_new (DTLS_server_method ());

  if (ctx == NULL)
    {
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "SSL_CTX_new");
      return NULL;
    }
  if (!SSL_CTX_set_min_proto_version (ctx, DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version (ctx, DTLS1_2_VERSION) ||
      !SSL_CTX_use_certificate (ctx, cert->x509) ||
      !SSL_CTX_use_PrivateKey (ctx, cert->pkey) ||
      !SSL_CTX_check_private_key (ctx) ||
      !SSL_CTX_set_cipher_list (ctx, CIPHERS) ||
      SSL_CTX_set_tlsext_use_srtp (ctx, SRTP_PROFILES) != 0)   /* 0 is success here */
    {
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "DTLS context");
      SSL_CTX_free (ctx);
      return NULL;
    }
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                      accept_any_certificate);
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options (ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  return ctx;
}

CbEgressCertificate *
cb_egress_certificate_new (GError **error)
{
  g_autoptr(CbEgressCertificate) cert = g_new0 (CbEgressCertificate, 1);
  X509_NAME *name;
  guint32 serial;

  g_atomic_ref_count_init (&cert->ref);
  cert->pkey = EVP_EC_gen ("P-256");
  cert->x509 = X509_new ();
  if (cert->pkey == NULL || cert->x509 == NULL)
    {
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "ECDSA P-256 key");
      return NULL;
    }
  if (RAND_bytes ((unsigned char *) &serial, sizeof serial) != 1)
    serial = g_random_int ();
  name = X509_get_subject_name (cert->x509);
  if (!X509_set_version (cert->x509, 2) ||
      !ASN1_INTEGER_set (X509_get_serialNumber (cert->x509), serial & 0x7fffffff) ||
      /* A day back for clocks that are behind; a year ahead outlives any process. */
      X509_gmtime_adj (X509_getm_notBefore (cert->x509), -24 * 3600) == NULL ||
      X509_gmtime_adj (X509_getm_notAfter (cert->x509), 365 * 24 * 3600) == NULL ||
      !X509_set_pubkey (cert->x509, cert->pkey) ||
      !X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
                                   (const unsigned char *) "castbridge", -1, -1, 0) ||
      !X509_set_issuer_name (cert->x509, name) ||
      !X509_sign (cert->x509, cert->pkey, EVP_sha256 ()) ||
      !x509_fingerprint (cert->x509, cert->fingerprint))
    {
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "self-signed certificate");
      return NULL;
    }
  cert->server_ctx = new_server_ctx (cert, error);
  if (cert->server_ctx == NULL)
    return NULL;
  return g_steal_pointer (&cert);
}

static gpointer
make_default (gpointer data)
{
  GError **error = data;

  return cb_egress_certificate_new (error);
}

CbEgressCertificate *
cb_egress_certificate_get_default (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  static GError *once_error;
  CbEgressCertificate *cert = g_once (&once, make_default, &once_error);

  if (cert == NULL)
    g_propagate_error (error, g_error_copy (once_error));
  return cert;
}

CbEgressCertificate *
cb_egress_certificate_ref (CbEgressCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  g_atomic_ref_count_inc (&cert->ref);
  return cert;
}

void
cb_egress_certificate_unref (CbEgressCertificate *cert)
{
  if (cert == NULL || !g_atomic_ref_count_dec (&cert->ref))
    return;
  SSL_CTX_free (cert->server_ctx);
  X509_free (cert->x509);
  EVP_PKEY_free (cert->pkey);
  g_free (cert);
}

const char *
cb_egress_certificate_get_fingerprint (CbEgressCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  return cert->fingerprint;
}

gpointer
cb_egress_certificate_get_x509 (CbEgressCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  return cert->x509;
}

gpointer
cb_egress_certificate_get_pkey (CbEgressCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);

  return cert->pkey;
}

/* ---- the datagram BIO ------------------------------------------------------------------ */

struct _CbEgressDtls {
  CbEgressCertificate *cert;
  SSL                 *ssl;
  BIO                 *rbio;
  CbEgressDtlsSendFunc send;
  gpointer             user_data;
  CbEgressDtlsState    state;
  guint                initial_timeout_ms;
  char                *remote_fingerprint;
};

static int
dgram_write (BIO        *bio,
             const char *data,
             int         len)
{
  CbEgressDtls *dtls = BIO_get_data (bio);

  if (len <= 0)
    return 0;
  dtls->send ((const guint8 *) data, len, dtls->user_data);
  return len;
}

static long
dgram_ctrl (BIO  *bio,
            int   cmd,
            long  num,
            void *ptr)
{
  switch (cmd)
    {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return LINK_MTU;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
    default:
      return 0;
    }
}

static int
dgram_create (BIO *bio)
{
  BIO_set_init (bio, 1);
  return 1;
}

static gpointer
make_dgram_method (gpointer data)
{
  BIO_METHOD *method = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK,
                                     "cb-egress datagram");

  BIO_meth_set_write (method, dgram_write);
  BIO_meth_set_ctrl (method, dgram_ctrl);
  BIO_meth_set_create (method, dgram_create);
  return method;
}

static BIO_METHOD *
dgram_method (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, make_dgram_method, NULL);
}

/* ---- the association ------------------------------------------------------------------- */

static unsigned int
timer_cb (SSL          *ssl,
          unsigned int  timer_us)
{
  CbEgressDtls *dtls = SSL_get_app_data (ssl);

  if (timer_us == 0)
    return dtls->initial_timeout_ms * 1000;
  return MIN ((guint64) timer_us * 2, MAX_TIMEOUT_US);
}

CbEgressDtls *
cb_egress_dtls_new (CbEgressCertificate  *cert,
                    CbEgressDtlsSendFunc  send,
                    gpointer              user_data,
                    GError              **error)
{
  g_autoptr(CbEgressDtls) dtls = NULL;
  BIO *wbio;

  g_return_val_if_fail (cert != NULL && send != NULL, NULL);

  dtls = g_new0 (CbEgressDtls, 1);
  dtls->cert = cb_egress_certificate_ref (cert);
  dtls->send = send;
  dtls->user_data = user_data;
  dtls->initial_timeout_ms = DEFAULT_INITIAL_TIMEOUT_MS;
  dtls->ssl = SSL_new (cert->server_ctx);
  if (dtls->ssl == NULL)
    {
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "SSL_new");
      return NULL;
    }
  dtls->rbio = BIO_new (BIO_s_mem ());
  wbio = BIO_new (dgram_method ());
  if (dtls->rbio == NULL || wbio == NULL)
    {
      BIO_free (dtls->rbio);
      dtls->rbio = NULL;
      BIO_free (wbio);
      set_openssl_error (error, CB_EGRESS_ERROR_FAILED, "BIO_new");
      return NULL;
    }
  /* An empty input is "try again", not end of file. */
  BIO_set_mem_eof_return (dtls->rbio, -1);
  BIO_set_data (wbio, dtls);
  SSL_set_bio (dtls->ssl, dtls->rbio, wbio);
  SSL_set_app_data (dtls->ssl, dtls);
  SSL_set_accept_state (dtls->ssl);
  DTLS_set_link_mtu (dtls->ssl, LINK_MTU);
  DTLS_set_timer_cb (dtls->ssl, timer_cb);
  return g_steal_pointer (&dtls);
}

void
cb_egress_dtls_free (CbEgressDtls *dtls)
{
  if (dtls == NULL)
    return;
  SSL_free (dtls->ssl);   /* and both BIOs */
  g_clear_pointer (&dtls->cert, cb_egress_certificate_unref);
  g_free (dtls->remote_fingerprint);
  g_free (dtls);
}

void
cb_egress_dtls_set_remote_fingerprint (CbEgressDtls *dtls,
                                       const char   *sha256)
{
  g_return_if_fail (dtls != NULL);

  g_free (dtls->remote_fingerprint);
  dtls->remote_fingerprint = g_strdup (sha256);
}

void
cb_egress_dtls_set_initial_timeout (CbEgressDtls *dtls,
                                    guint         timeout_ms)
{
  g_return_if_fail (dtls != NULL && timeout_ms > 0);

  dtls->initial_timeout_ms = timeout_ms;
}

char *
cb_egress_dtls_dup_peer_fingerprint (CbEgressDtls *dtls)
{
  X509 *peer;
  char fp[32 * 3];

  g_return_val_if_fail (dtls != NULL, NULL);

  peer = SSL_get0_peer_certificate (dtls->ssl);
  if (peer == NULL || !x509_fingerprint (peer, fp))
    return NULL;
  return g_strdup (fp);
}

static CbEgressDtlsState
fail (CbEgressDtls *dtls,
      GError      **error,
      int           code,
      const char   *what)
{
  set_openssl_error (error, code, what);
  dtls->state = CB_EGRESS_DTLS_FAILED;
  return dtls->state;
}

static CbEgressDtlsState
finish_handshake (CbEgressDtls *dtls,
                  GError      **error)
{
  g_autofree char *peer_fp = cb_egress_dtls_dup_peer_fingerprint (dtls);

  if (peer_fp == NULL)
    return fail (dtls, error, CB_EGRESS_ERROR_HANDSHAKE, "no peer certificate");
  if (dtls->remote_fingerprint != NULL &&
      g_ascii_strcasecmp (peer_fp, dtls->remote_fingerprint) != 0)
    return fail (dtls, error, CB_EGRESS_ERROR_HANDSHAKE,
                 "peer certificate does not match the SDP fingerprint");
  if (SSL_get_selected_srtp_profile (dtls->ssl) == NULL)
    return fail (dtls, error, CB_EGRESS_ERROR_UNSUPPORTED, "peer negotiated no SRTP profile");
  dtls->state = CB_EGRESS_DTLS_CONNECTED;
  return dtls->state;
}

/* Lets OpenSSL consume what the read BIO holds: handshake messages, retransmissions
 * of the peer's last flight (answered by retransmitting ours), alerts. */
static CbEgressDtlsState
drive (CbEgressDtls *dtls,
       GError      **error)
{
  int r, err;

  ERR_clear_error ();
  if (dtls->state == CB_EGRESS_DTLS_HANDSHAKING)
    {
      r = SSL_do_handshake (dtls->ssl);
      if (r == 1)
        return finish_handshake (dtls, error);
    }
  else
    {
      guint8 discard[2048];

      /* No application data is expected; read until the BIO is empty. */
      while ((r = SSL_read (dtls->ssl, discard, sizeof discard)) > 0)
        ;
    }
  err = SSL_get_error (dtls->ssl, r);
  switch (err)
    {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error ();
      return dtls->state;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error ();
      dtls->state = CB_EGRESS_DTLS_CLOSED;
      return dtls->state;
    default:
      return fail (dtls, error, CB_EGRESS_ERROR_HANDSHAKE, "DTLS");
    }
}

/* Whether the handshake messages of an epoch-0 record are whole-shaped (RFC 6347 §4.2.2):
 * 12-byte headers whose fragments lie inside their messages and fill the record. */
static gboolean
handshake_fragments_ok (const guint8 *p,
                        gsize         len)
{
  gsize off = 0;

  if (len == 0)
    return FALSE;
  while (off < len)
    {
      gsize msg_len, frag_off, frag_len;

      if (len - off < 12)
        return FALSE;
      msg_len = (gsize) p[off + 1] << 16 | (gsize) p[off + 2] << 8 | p[off + 3];
      frag_off = (gsize) p[off + 6] << 16 | (gsize) p[off + 7] << 8 | p[off + 8];
      frag_len = (gsize) p[off + 9] << 16 | (gsize) p[off + 10] << 8 | p[off + 11];
      if (frag_len > len - off - 12 || frag_off > msg_len || frag_len > msg_len - frag_off)
        return FALSE;
      off += 12 + frag_len;
    }
  return TRUE;
}

/**
 * cb_egress_dtls_datagram_is_plausible:
 *
 * Whether a datagram from a viewer's address may go to OpenSSL: whole DTLS records of
 * the four content types, and in epoch 0 (plaintext, so anyone who can spoof the
 * viewer's address can write it) well-formed handshake messages or a change_cipher_spec.
 * Epoch-0 alerts are refused too: a forged fatal one would end the handshake, and a real
 * peer that gives up is caught by the handshake deadline instead. OpenSSL fails an
 * association on a malformed handshake record; this keeps such garbage from costing a
 * viewer its connection.
 */
gboolean
cb_egress_dtls_datagram_is_plausible (const guint8 *data,
                                      gsize         len)
{
  CbEgressDtlsRecord record;
  gsize offset = 0;

  if (data == NULL || len == 0)
    return FALSE;
  while (offset < len)
    {
      if (!cb_egress_dtls_record_next (data, len, &offset, &record) ||
          record.content_type > 23 || (record.version != 0xfeff && record.version != 0xfefd))
        return FALSE;
      if (record.epoch != 0)
        continue;   /* encrypted: OpenSSL drops what does not authenticate */
      switch (record.content_type)
        {
        case 20:
          if (record.fragment_len != 1 || record.fragment[0] != 1)
            return FALSE;
          break;
        case 22:
          if (!handshake_fragments_ok (record.fragment, record.fragment_len))
            return FALSE;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

CbEgressDtlsState
cb_egress_dtls_handle_datagram (CbEgressDtls  *dtls,
                                const guint8  *data,
                                gsize          len,
                                GError       **error)
{
  g_return_val_if_fail (dtls != NULL, CB_EGRESS_DTLS_FAILED);

  if (dtls->state == CB_EGRESS_DTLS_FAILED || dtls->state == CB_EGRESS_DTLS_CLOSED)
    return dtls->state;
  if (len == 0 || len > 65535)
    return dtls->state;
  if (!cb_egress_dtls_datagram_is_plausible (data, len))
    {
      g_debug ("egress: DTLS: a malformed datagram of %zu bytes dropped", len);
      return dtls->state;
    }
  if (BIO_write (dtls->rbio, data, (int) len) != (int) len)
    return fail (dtls, error, CB_EGRESS_ERROR_FAILED, "BIO_write");
  return drive (dtls, error);
}

gboolean
cb_egress_dtls_get_timeout (CbEgressDtls *dtls,
                            gint64       *timeout_us)
{
  struct timeval tv = { 0 };

  g_return_val_if_fail (dtls != NULL && timeout_us != NULL, FALSE);

  if (dtls->state != CB_EGRESS_DTLS_HANDSHAKING || DTLSv1_get_timeout (dtls->ssl, &tv) != 1)
    return FALSE;
  *timeout_us = (gint64) tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec;
  return TRUE;
}

CbEgressDtlsState
cb_egress_dtls_handle_timeout (CbEgressDtls  *dtls,
                               GError       **error)
{
  g_return_val_if_fail (dtls != NULL, CB_EGRESS_DTLS_FAILED);

  if (dtls->state != CB_EGRESS_DTLS_HANDSHAKING)
    return dtls->state;
  ERR_clear_error ();
  if (DTLSv1_handle_timeout (dtls->ssl) < 0)
    return fail (dtls, error, CB_EGRESS_ERROR_HANDSHAKE, "DTLS retransmissions exhausted");
  return dtls->state;
}

CbEgressDtlsState
cb_egress_dtls_get_state (CbEgressDtls *dtls)
{
  g_return_val_if_fail (dtls != NULL, CB_EGRESS_DTLS_FAILED);

  return dtls->state;
}

gboolean
cb_egress_dtls_export_srtp_keys (gpointer          ssl,
                                 CbEgressSrtpKeys *keys)
{
  static const char label[] = "EXTRACTOR-dtls_srtp";
  const SRTP_PROTECTION_PROFILE *profile;
  guint8 material[2 * CB_EGRESS_SRTP_MASTER_MAX];
  gsize key_len, salt_len;

  g_return_val_if_fail (ssl != NULL && keys != NULL, FALSE);

  memset (keys, 0, sizeof *keys);
  profile = SSL_get_selected_srtp_profile (ssl);
  if (profile == NULL ||
      !cb_egress_srtp_profile_lengths ((CbEgressSrtpProfile) profile->id, &key_len, &salt_len))
    return FALSE;
  /* RFC 5764 §4.2: client key, server key, client salt, server salt. */
  if (SSL_export_keying_material (ssl, material, 2 * (key_len + salt_len), label,
                                  sizeof label - 1, NULL, 0, 0) != 1)
    {
      ERR_clear_error ();
      return FALSE;
    }
  keys->profile = (CbEgressSrtpProfile) profile->id;
  keys->master_len = key_len + salt_len;
  memcpy (keys->client, material, key_len);
  memcpy (keys->server, material + key_len, key_len);
  memcpy (keys->client + key_len, material + 2 * key_len, salt_len);
  memcpy (keys->server + key_len, material + 2 * key_len + salt_len, salt_len);
  OPENSSL_cleanse (material, sizeof material);
  return TRUE;
}

gboolean
cb_egress_dtls_get_srtp_keys (CbEgressDtls     *dtls,
                              CbEgressSrtpKeys *keys)
{
  g_return_val_if_fail (dtls != NULL && keys != NULL, FALSE);

  if (dtls->state != CB_EGRESS_DTLS_CONNECTED)
    return FALSE;
  return cb_egress_dtls_export_srtp_keys (dtls->ssl, keys);
}

/* ---- record reader --------------------------------------------------------------------- */

gboolean
cb_egress_dtls_record_next (const guint8       *data,
                            gsize               len,
                            gsize              *offset,
                            CbEgressDtlsRecord *record)
{
  const guint8 *p;
  gsize rest, frag_len;

  g_return_val_if_fail (offset != NULL && record != NULL, FALSE);

  if (data == NULL || *offset >= len)
    return FALSE;
  p = data + *offset;
  rest = len - *offset;
  if (rest < 13)
    return FALSE;
  if (p[0] < 20 || p[0] > 63 || p[1] != 0xfe)
    return FALSE;
  frag_len = (gsize) p[11] << 8 | p[12];
  if (frag_len > rest - 13)
    return FALSE;
  record->content_type = p[0];
  record->version = (guint16) (p[1] << 8 | p[2]);
  record->epoch = (guint16) (p[3] << 8 | p[4]);
  record->sequence = 0;
  for (int i = 5; i < 11; i++)
    record->sequence = record->sequence << 8 | p[i];
  record->fragment = p + 13;
  record->fragment_len = frag_len;
  *offset += 13 + frag_len;
  return TRUE;
}

gboolean
cb_egress_dtls_is_client_hello (const guint8 *data,
                                gsize         len)
{
  CbEgressDtlsRecord record;
  gsize offset = 0;

  return cb_egress_dtls_record_next (data, len, &offset, &record) &&
         record.content_type == 22 && record.epoch == 0 &&
         record.fragment_len >= 1 && record.fragment[0] == 1;
}
