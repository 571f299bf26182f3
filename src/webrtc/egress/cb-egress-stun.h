/* cb-egress-stun.h — ICE-lite responder: checks a viewer's STUN Binding requests and answers them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gnetworking.h>   /* struct sockaddr on Unix and Windows */

G_BEGIN_DECLS

/* Big enough for any Binding success response we build (XOR-MAPPED-ADDRESS of an IPv6
 * address, MESSAGE-INTEGRITY, FINGERPRINT). */
#define CB_EGRESS_STUN_REPLY_MAX 256

/* Consent freshness (RFC 7675): a viewer that sent no valid check for this long is gone. */
#define CB_EGRESS_CONSENT_TIMEOUT_US (30 * G_USEC_PER_SEC)

typedef enum {
  CB_EGRESS_STUN_OK,             /* a valid Binding request: the reply is built */
  CB_EGRESS_STUN_NOT_STUN,       /* not a STUN message at all */
  CB_EGRESS_STUN_TRUNCATED,      /* shorter than its header says */
  CB_EGRESS_STUN_BAD_REQUEST,    /* malformed, no FINGERPRINT, or no credentials */
  CB_EGRESS_STUN_BAD_USERNAME,   /* USERNAME is not "our ufrag:their ufrag" */
  CB_EGRESS_STUN_BAD_INTEGRITY,  /* MESSAGE-INTEGRITY does not match our ice-pwd */
  CB_EGRESS_STUN_NOT_REQUEST,    /* a valid message but no Binding request: ignored */
  CB_EGRESS_STUN_ROLE_CONFLICT,  /* the peer is ICE-controlled as well (a 487 is built) */
} CbEgressStunResult;

/**
 * CbEgressIceCredentials:
 * @local_ufrag: our ice-ufrag (from our answer)
 * @local_pwd: our ice-pwd, the key of MESSAGE-INTEGRITY
 * @remote_ufrag: (nullable): the viewer's ice-ufrag from its offer; %NULL accepts any
 */
typedef struct {
  const char *local_ufrag;
  const char *local_pwd;
  const char *remote_ufrag;
} CbEgressIceCredentials;

typedef struct {
  gboolean use_candidate;  /* the controlling peer nominated this pair */
  guint32  priority;       /* PRIORITY of the check (0 when absent) */
} CbEgressStunRequestInfo;

const char         *cb_egress_stun_result_to_string  (CbEgressStunResult result);

/**
 * cb_egress_stun_handle_request:
 * @data: a datagram whose first byte said STUN
 * @reply: (out caller-allocates): at least %CB_EGRESS_STUN_REPLY_MAX bytes
 * @reply_len: (out): length of the reply to send back to @from, 0 for none
 *
 * Validates a Binding request (USERNAME, MESSAGE-INTEGRITY with @creds' local_pwd,
 * FINGERPRINT) and builds the success response with XOR-MAPPED-ADDRESS = @from. Invalid
 * requests get no reply (an ICE-lite server has nothing to gain from answering them).
 * Stateless and thread-safe.
 */
CbEgressStunResult  cb_egress_stun_handle_request    (const guint8                 *data,
                                                      gsize                         len,
                                                      const CbEgressIceCredentials *creds,
                                                      const struct sockaddr        *from,
                                                      socklen_t                     from_len,
                                                      guint8                       *reply,
                                                      gsize                        *reply_len,
                                                      CbEgressStunRequestInfo      *info);

/**
 * cb_egress_stun_peek_local_ufrag:
 * @ufrag: (out caller-allocates): @ufrag_size bytes, NUL-terminated on success
 *
 * Reads the part of USERNAME before the colon — our ufrag — without checking integrity,
 * so that a datagram from a new address can be routed to the viewer that can check it.
 * Returns: %FALSE when @data is no complete STUN message with such a USERNAME.
 */
gboolean            cb_egress_stun_peek_local_ufrag  (const guint8 *data,
                                                      gsize         len,
                                                      char         *ufrag,
                                                      gsize         ufrag_size);

/**
 * CbEgressStunClient:
 *
 * The controlling side of a check, as a browser plays it: for tests and the load
 * generator. It remembers the requests it sent, to check their responses.
 */
typedef struct _CbEgressStunClient CbEgressStunClient;

CbEgressStunClient *cb_egress_stun_client_new        (const char *local_ufrag,
                                                      const char *remote_ufrag,
                                                      const char *remote_pwd);
void                cb_egress_stun_client_free       (CbEgressStunClient *client);

/**
 * cb_egress_stun_client_build_request:
 *
 * A Binding request with USERNAME "remote_ufrag:local_ufrag" (the receiver's ufrag
 * first), PRIORITY, ICE-CONTROLLING, optional USE-CANDIDATE, MESSAGE-INTEGRITY with the
 * remote pwd and FINGERPRINT. Returns: its length, 0 if @size is too small.
 */
gsize               cb_egress_stun_client_build_request (CbEgressStunClient *client,
                                                         guint8             *buf,
                                                         gsize               size,
                                                         gboolean            use_candidate);

/**
 * cb_egress_stun_client_parse_response:
 * @mapped: (out): the XOR-MAPPED-ADDRESS
 *
 * Checks a Binding success response to one of our requests (integrity with the remote
 * pwd, fingerprint) and reads the mapped address.
 */
gboolean            cb_egress_stun_client_parse_response (CbEgressStunClient      *client,
                                                          const guint8            *data,
                                                          gsize                    len,
                                                          struct sockaddr_storage *mapped);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressStunClient, cb_egress_stun_client_free)

/* Consent freshness bookkeeping of one viewer: times in g_get_monotonic_time() µs. */
typedef struct {
  gint64 last_check_us;  /* the last valid check, or the viewer's creation */
  gint64 timeout_us;     /* CB_EGRESS_CONSENT_TIMEOUT_US unless a test shortens it */
} CbEgressConsent;

void                cb_egress_consent_init           (CbEgressConsent *consent,
                                                      gint64           now_us);
void                cb_egress_consent_refresh        (CbEgressConsent *consent,
                                                      gint64           now_us);
gboolean            cb_egress_consent_expired        (const CbEgressConsent *consent,
                                                      gint64                 now_us);

G_END_DECLS
