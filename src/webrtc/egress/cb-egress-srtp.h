/* cb-egress-srtp.h — SRTP/SRTCP contexts of one viewer, on libsrtp2
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The DTLS-SRTP protection profiles we negotiate (RFC 5764, RFC 7714), by their IANA id. */
typedef enum {
  CB_EGRESS_SRTP_PROFILE_NONE = 0,
  CB_EGRESS_SRTP_AES128_CM_SHA1_80 = 0x0001,
  CB_EGRESS_SRTP_AEAD_AES_128_GCM = 0x0007,
} CbEgressSrtpProfile;

#define CB_EGRESS_SRTP_MASTER_MAX 30   /* key + salt: 16 + 14 (CM), 16 + 12 (GCM) */

/* Room a caller leaves after a packet for protect(): the tag (and SRTCP's index). */
#define CB_EGRESS_SRTP_TRAILER_MAX 148

/**
 * CbEgressSrtpKeys:
 *
 * The master keys of one DTLS-SRTP association, as exported from the handshake
 * (RFC 5764 §4.2), each the key followed by its salt.
 */
typedef struct {
  CbEgressSrtpProfile profile;
  gsize               master_len;   /* key + salt */
  guint8              client[CB_EGRESS_SRTP_MASTER_MAX];
  guint8              server[CB_EGRESS_SRTP_MASTER_MAX];
} CbEgressSrtpKeys;

const char   *cb_egress_srtp_profile_to_string (CbEgressSrtpProfile profile);
/* Key and salt lengths of a profile; FALSE for one we do not serve. */
gboolean      cb_egress_srtp_profile_lengths   (CbEgressSrtpProfile profile,
                                                gsize              *key_len,
                                                gsize              *salt_len);

typedef struct _CbEgressSrtp CbEgressSrtp;

/**
 * cb_egress_srtp_new:
 * @is_server: %TRUE for the DTLS server's side (we send with the server key and
 *   receive with the client key), %FALSE for a client's (tests, the load generator)
 *
 * Returns: (transfer full) (nullable): a sender and a receiver context for any SSRC.
 */
CbEgressSrtp *cb_egress_srtp_new               (const CbEgressSrtpKeys *keys,
                                                gboolean                is_server,
                                                GError                **error);
void          cb_egress_srtp_free              (CbEgressSrtp *srtp);

/**
 * cb_egress_srtp_protect_rtp:
 * @buf: a plaintext RTP packet of *@len bytes in a buffer of @size bytes, at least
 *   *@len + %CB_EGRESS_SRTP_TRAILER_MAX
 *
 * Encrypts in place and updates *@len. Fails (with a %CB_EGRESS_ERROR) on a packet
 * libsrtp2 refuses, e.g. a sequence number sent before with other bytes.
 */
gboolean      cb_egress_srtp_protect_rtp       (CbEgressSrtp *srtp,
                                                guint8       *buf,
                                                gsize        *len,
                                                gsize         size,
                                                GError      **error);
gboolean      cb_egress_srtp_protect_rtcp      (CbEgressSrtp *srtp,
                                                guint8       *buf,
                                                gsize        *len,
                                                gsize         size,
                                                GError      **error);
/* Decrypt and authenticate in place; a packet that fails is not to be used. */
gboolean      cb_egress_srtp_unprotect_rtp     (CbEgressSrtp *srtp,
                                                guint8       *buf,
                                                gsize        *len,
                                                GError      **error);
gboolean      cb_egress_srtp_unprotect_rtcp    (CbEgressSrtp *srtp,
                                                guint8       *buf,
                                                gsize        *len,
                                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressSrtp, cb_egress_srtp_free)

G_END_DECLS
