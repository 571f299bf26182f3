/* cb-egress-srtp.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two libsrtp2 sessions per viewer: one outbound (any SSRC we send: media, RTX, RTCP
 * SR) and one inbound (the viewer's RTCP). Per-viewer keys mean the same shared packet
 * is encrypted under a different key and nonce for every viewer; what must never happen
 * is one sequence number of one SSRC sent twice with different bytes under one key
 * (GCM nonce reuse): libsrtp2 refuses repeats (allow_repeat_tx stays off), and RTX gives
 * retransmissions their own sequence numbers.
 */
#include "config.h"

#include "cb-egress-srtp.h"
#include "cb-egress-error.h"

#include <srtp2/srtp.h>
#include <string.h>

struct _CbEgressSrtp {
  srtp_t outbound;
  srtp_t inbound;
};

static gpointer
init_libsrtp (gpointer data)
{
  srtp_err_status_t status = srtp_init ();

  /* GStreamer's srtp plugin (webrtcbin's publishers) may have initialised libsrtp before
   * us: a second srtp_init() finds the kernel ready but fails to register its debug
   * module again, with bad_param. The kernel is usable all the same. */
  if (status == srtp_err_status_bad_param)
    status = srtp_err_status_ok;
  return GINT_TO_POINTER (status);
}

static srtp_err_status_t
ensure_libsrtp (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, init_libsrtp, NULL));
}

const char *
cb_egress_srtp_profile_to_string (CbEgressSrtpProfile profile)
{
  switch (profile)
    {
    case CB_EGRESS_SRTP_AES128_CM_SHA1_80: return "SRTP_AES128_CM_SHA1_80";
    case CB_EGRESS_SRTP_AEAD_AES_128_GCM: return "SRTP_AEAD_AES_128_GCM";
    case CB_EGRESS_SRTP_PROFILE_NONE:
    default: return "none";
    }
}

gboolean
cb_egress_srtp_profile_lengths (CbEgressSrtpProfile profile,
                                gsize              *key_len,
                                gsize              *salt_len)
{
  switch (profile)
    {
    case CB_EGRESS_SRTP_AES128_CM_SHA1_80:
      *key_len = 16;
      *salt_len = 14;
      return TRUE;
    case CB_EGRESS_SRTP_AEAD_AES_128_GCM:
      *key_len = 16;
      *salt_len = 12;
      return TRUE;
    case CB_EGRESS_SRTP_PROFILE_NONE:
    default:
      return FALSE;
    }
}

static gboolean
set_error (GError          **error,
           const char       *what,
           srtp_err_status_t status)
{
  /* Not a g_warning: a viewer's bad packet is expected now and then. */
  g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_FAILED, "libsrtp2: %s failed (status %d)",
               what, (int) status);
  return FALSE;
}

static gboolean
create_session (srtp_t           *session,
                CbEgressSrtpProfile profile,
                const guint8     *master,
                srtp_ssrc_type_t  direction,
                GError          **error)
{
  srtp_policy_t policy;
  guint8 key[CB_EGRESS_SRTP_MASTER_MAX];
  srtp_err_status_t status;

  memset (&policy, 0, sizeof policy);
  if (profile == CB_EGRESS_SRTP_AEAD_AES_128_GCM)
    {
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth (&policy.rtcp);
    }
  else
    {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (&policy.rtcp);
    }
  /* libsrtp2 wants a non-const key it does not change. */
  memcpy (key, master, sizeof key);
  policy.key = key;
  policy.ssrc.type = direction;
  policy.window_size = 1024;   /* the viewer's RTCP can arrive out of order */
  policy.allow_repeat_tx = 0;
  status = srtp_create (session, &policy);
  memset (key, 0, sizeof key);
  if (status != srtp_err_status_ok)
    return set_error (error, "srtp_create", status);
  return TRUE;
}

CbEgressSrtp *
cb_egress_srtp_new (const CbEgressSrtpKeys *keys,
                    gboolean                is_server,
                    GError                **error)
{
  g_autoptr(CbEgressSrtp) srtp = NULL;
  gsize key_len, salt_len;
  srtp_err_status_t status;

  g_return_val_if_fail (keys != NULL, NULL);

  if (!cb_egress_srtp_profile_lengths (keys->profile, &key_len, &salt_len) ||
      keys->master_len != key_len + salt_len)
    {
      g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_UNSUPPORTED,
                   "SRTP profile %#x with %zu bytes of key is not supported",
                   (guint) keys->profile, keys->master_len);
      return NULL;
    }
  status = ensure_libsrtp ();
  if (status != srtp_err_status_ok)
    {
      set_error (error, "srtp_init", status);
      return NULL;
    }

  srtp = g_new0 (CbEgressSrtp, 1);
  if (!create_session (&srtp->outbound, keys->profile, is_server ? keys->server : keys->client,
                       ssrc_any_outbound, error) ||
      !create_session (&srtp->inbound, keys->profile, is_server ? keys->client : keys->server,
                       ssrc_any_inbound, error))
    return NULL;
  return g_steal_pointer (&srtp);
}

void
cb_egress_srtp_free (CbEgressSrtp *srtp)
{
  if (srtp == NULL)
    return;
  if (srtp->outbound != NULL)
    srtp_dealloc (srtp->outbound);
  if (srtp->inbound != NULL)
    srtp_dealloc (srtp->inbound);
  g_free (srtp);
}

typedef srtp_err_status_t (*SrtpTransform) (srtp_t session, void *buf, int *len);

/* @size is the buffer's room for protect(), 0 for unprotect() which only shrinks. */
static gboolean
transform (srtp_t         session,
           SrtpTransform  func,
           const char    *what,
           guint8        *buf,
           gsize         *len,
           gsize          size,
           gsize          min_len,
           GError       **error)
{
  srtp_err_status_t status;
  int n;

  if (*len < min_len || *len > G_MAXINT - CB_EGRESS_SRTP_TRAILER_MAX)
    {
      g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_MALFORMED,
                   "packet of %zu bytes is too short or too long", *len);
      return FALSE;
    }
  /* A programmer error, not the network's: our own buffers are too small. */
  g_return_val_if_fail (size == 0 || size >= *len + CB_EGRESS_SRTP_TRAILER_MAX, FALSE);
  n = (int) *len;
  status = func (session, buf, &n);
  if (status != srtp_err_status_ok)
    return set_error (error, what, status);
  *len = n;
  return TRUE;
}

gboolean
cb_egress_srtp_protect_rtp (CbEgressSrtp *srtp,
                            guint8       *buf,
                            gsize        *len,
                            gsize         size,
                            GError      **error)
{
  g_return_val_if_fail (srtp != NULL && buf != NULL && len != NULL && size > 0, FALSE);

  return transform (srtp->outbound, srtp_protect, "srtp_protect", buf, len, size, 12, error);
}

gboolean
cb_egress_srtp_protect_rtcp (CbEgressSrtp *srtp,
                             guint8       *buf,
                             gsize        *len,
                             gsize         size,
                             GError      **error)
{
  g_return_val_if_fail (srtp != NULL && buf != NULL && len != NULL && size > 0, FALSE);

  return transform (srtp->outbound, srtp_protect_rtcp, "srtp_protect_rtcp", buf, len, size, 8,
                    error);
}

gboolean
cb_egress_srtp_unprotect_rtp (CbEgressSrtp *srtp,
                              guint8       *buf,
                              gsize        *len,
                              GError      **error)
{
  g_return_val_if_fail (srtp != NULL && buf != NULL && len != NULL, FALSE);

  return transform (srtp->inbound, srtp_unprotect, "srtp_unprotect", buf, len, 0, 12, error);
}

gboolean
cb_egress_srtp_unprotect_rtcp (CbEgressSrtp *srtp,
                               guint8       *buf,
                               gsize        *len,
                               GError      **error)
{
  g_return_val_if_fail (srtp != NULL && buf != NULL && len != NULL, FALSE);

  return transform (srtp->inbound, srtp_unprotect_rtcp, "srtp_unprotect_rtcp", buf, len, 0, 8,
                    error);
}
