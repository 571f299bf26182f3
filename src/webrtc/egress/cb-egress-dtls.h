/* cb-egress-dtls.h — DTLS 1.2 for DTLS-SRTP on OpenSSL, datagrams in and out by hand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cb-egress-srtp.h"

G_BEGIN_DECLS

/**
 * CbEgressCertificate:
 *
 * A self-signed ECDSA P-256 certificate and its key, with the SHA-256 fingerprint that
 * goes into our SDP (`a=fingerprint:sha-256 …`). Immutable and reference-counted; safe
 * to share between threads.
 */
typedef struct _CbEgressCertificate CbEgressCertificate;

CbEgressCertificate *cb_egress_certificate_new           (GError **error);
/* The one certificate of this process, made on first use. (transfer none) */
CbEgressCertificate *cb_egress_certificate_get_default   (GError **error);
CbEgressCertificate *cb_egress_certificate_ref           (CbEgressCertificate *cert);
void                 cb_egress_certificate_unref         (CbEgressCertificate *cert);
/* "AB:CD:…" (32 upper-case hex pairs), without the "sha-256 " of the SDP attribute. */
const char          *cb_egress_certificate_get_fingerprint (CbEgressCertificate *cert);
/* The OpenSSL X509 * and EVP_PKEY * (transfer none), for a test's own OpenSSL client. */
gpointer             cb_egress_certificate_get_x509      (CbEgressCertificate *cert);
gpointer             cb_egress_certificate_get_pkey      (CbEgressCertificate *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressCertificate, cb_egress_certificate_unref)

typedef enum {
  CB_EGRESS_DTLS_HANDSHAKING,
  CB_EGRESS_DTLS_CONNECTED,   /* SRTP keys are ready */
  CB_EGRESS_DTLS_CLOSED,      /* the peer sent close_notify */
  CB_EGRESS_DTLS_FAILED,
} CbEgressDtlsState;

/* Sends one datagram of the handshake to the peer; called from inside the calls below. */
typedef void (*CbEgressDtlsSendFunc) (const guint8 *data,
                                      gsize         len,
                                      gpointer      user_data);

/**
 * CbEgressDtls:
 *
 * The passive (server) side of one viewer's DTLS association: the viewer's datagrams go
 * in with cb_egress_dtls_handle_datagram(), ours come out through the send function, one
 * call per datagram (never two records glued into one that the MTU cannot carry).
 * Retransmission is driven by the caller's clock: cb_egress_dtls_get_timeout() and
 * cb_egress_dtls_handle_timeout(). Not thread-safe: one thread owns it.
 */
typedef struct _CbEgressDtls CbEgressDtls;

CbEgressDtls      *cb_egress_dtls_new                (CbEgressCertificate  *cert,
                                                      CbEgressDtlsSendFunc  send,
                                                      gpointer              user_data,
                                                      GError              **error);
void               cb_egress_dtls_free               (CbEgressDtls *dtls);

/* The fingerprint from the viewer's SDP ("sha-256" only); checked when the handshake
 * ends, which fails on a mismatch. Without one, any certificate is accepted. */
void               cb_egress_dtls_set_remote_fingerprint (CbEgressDtls *dtls,
                                                          const char   *sha256);
/* The first retransmission delay (doubled on every retry); default 100 ms. */
void               cb_egress_dtls_set_initial_timeout (CbEgressDtls *dtls,
                                                       guint         timeout_ms);

CbEgressDtlsState  cb_egress_dtls_handle_datagram    (CbEgressDtls  *dtls,
                                                      const guint8  *data,
                                                      gsize          len,
                                                      GError       **error);
/**
 * cb_egress_dtls_get_timeout:
 * @timeout_us: (out): µs from now until cb_egress_dtls_handle_timeout() is due
 *
 * Returns: %FALSE when no retransmission timer runs.
 */
gboolean           cb_egress_dtls_get_timeout        (CbEgressDtls *dtls,
                                                      gint64       *timeout_us);
/* Retransmits the last flight if its timer expired. */
CbEgressDtlsState  cb_egress_dtls_handle_timeout     (CbEgressDtls  *dtls,
                                                      GError       **error);
CbEgressDtlsState  cb_egress_dtls_get_state          (CbEgressDtls *dtls);

/* Once connected: the negotiated profile and the exported master keys. */
gboolean           cb_egress_dtls_get_srtp_keys      (CbEgressDtls     *dtls,
                                                      CbEgressSrtpKeys *keys);
/* SHA-256 fingerprint of the peer's certificate ("AB:CD:…"), or %NULL. */
char              *cb_egress_dtls_dup_peer_fingerprint (CbEgressDtls *dtls);

/**
 * cb_egress_dtls_export_srtp_keys:
 * @ssl: an OpenSSL `SSL *` whose handshake completed with use_srtp
 *
 * The DTLS-SRTP key export (RFC 5764 §4.2: "EXTRACTOR-dtls_srtp") of either side; our
 * server uses it, and so do tests and the load generator for their OpenSSL clients.
 */
gboolean           cb_egress_dtls_export_srtp_keys   (gpointer          ssl,
                                                      CbEgressSrtpKeys *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressDtls, cb_egress_dtls_free)

/* The record layer's header (RFC 6347 §4.1), read without OpenSSL: for the demux, logs
 * and to spot a new ClientHello from a known address. */
typedef struct {
  guint8        content_type;   /* 20 change_cipher_spec, 21 alert, 22 handshake, 23 data */
  guint16       version;        /* 0xfeff DTLS 1.0, 0xfefd DTLS 1.2 */
  guint16       epoch;
  guint64       sequence;       /* 48 bits */
  const guint8 *fragment;
  gsize         fragment_len;
} CbEgressDtlsRecord;

/**
 * cb_egress_dtls_record_next:
 * @offset: (inout): where the next record starts; advanced past it
 *
 * Returns: %TRUE and the record at *@offset, %FALSE at the end of @data or on a
 * malformed record (the rest of the datagram is then to be ignored).
 */
gboolean           cb_egress_dtls_record_next        (const guint8       *data,
                                                      gsize               len,
                                                      gsize              *offset,
                                                      CbEgressDtlsRecord *record);
gboolean           cb_egress_dtls_datagram_is_plausible (const guint8 *data,
                                                         gsize         len);
/* A datagram whose first record is an epoch-0 ClientHello. */
gboolean           cb_egress_dtls_is_client_hello    (const guint8 *data,
                                                      gsize         len);

G_END_DECLS
