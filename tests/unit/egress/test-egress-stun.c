/* test-egress-stun.c — the ICE-lite responder against requests as a browser sends them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "cb-egress-stun.h"

#define LOCAL_UFRAG "srvU"
#define LOCAL_PWD   "server-password-of-22+chars"
#define REMOTE_UFRAG "brwsr"

static const CbEgressIceCredentials server_creds = { LOCAL_UFRAG, LOCAL_PWD, REMOTE_UFRAG };

static struct sockaddr_in
viewer_address (void)
{
  struct sockaddr_in sin = { 0 };

  sin.sin_family = AF_INET;
  sin.sin_port = htons (50123);
  inet_pton (AF_INET, "127.0.0.7", &sin.sin_addr);
  return sin;
}

/* A request built by a client that knows @local_ufrag/@pwd as the server's. */
static gsize
build (guint8     *buf,
       gsize       size,
       const char *local_ufrag,
       const char *remote_ufrag,
       const char *pwd,
       gboolean    use_candidate)
{
  g_autoptr(CbEgressStunClient) client = cb_egress_stun_client_new (remote_ufrag, local_ufrag, pwd);

  return cb_egress_stun_client_build_request (client, buf, size, use_candidate);
}

typedef enum { MUTATE_NONE, MUTATE_TRUNCATE, MUTATE_FLIP_FINGERPRINT, MUTATE_NOT_STUN,
               MUTATE_NO_COOKIE, MUTATE_EMPTY } Mutation;

typedef struct {
  const char        *name;
  const char        *local_ufrag;   /* the ufrag the browser thinks is ours */
  const char        *remote_ufrag;
  const char        *pwd;
  gboolean           use_candidate;
  Mutation           mutation;
  CbEgressStunResult expected;
} StunCase;

static const StunCase stun_cases[] = {
  { "good", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_NONE, CB_EGRESS_STUN_OK },
  { "good-nominating", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, TRUE, MUTATE_NONE, CB_EGRESS_STUN_OK },
  { "wrong-local-ufrag", "other", REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_NONE,
    CB_EGRESS_STUN_BAD_USERNAME },
  { "prefix-of-local-ufrag", "srv", REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_NONE,
    CB_EGRESS_STUN_BAD_USERNAME },
  { "wrong-remote-ufrag", LOCAL_UFRAG, "intruder", LOCAL_PWD, FALSE, MUTATE_NONE,
    CB_EGRESS_STUN_BAD_USERNAME },
  { "wrong-integrity", LOCAL_UFRAG, REMOTE_UFRAG, "not-the-password-at-all", FALSE, MUTATE_NONE,
    CB_EGRESS_STUN_BAD_INTEGRITY },
  { "bad-fingerprint", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_FLIP_FINGERPRINT,
    CB_EGRESS_STUN_BAD_REQUEST },
  { "truncated", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_TRUNCATE,
    CB_EGRESS_STUN_TRUNCATED },
  { "not-stun", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_NOT_STUN,
    CB_EGRESS_STUN_NOT_STUN },
  { "no-magic-cookie", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_NO_COOKIE,
    CB_EGRESS_STUN_BAD_REQUEST },
  { "empty", LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE, MUTATE_EMPTY,
    CB_EGRESS_STUN_NOT_STUN },
};

static void
test_request_table (gconstpointer data)
{
  const StunCase *c = data;
  struct sockaddr_in from = viewer_address ();
  guint8 req[512], reply[CB_EGRESS_STUN_REPLY_MAX];
  gsize len, reply_len = 99;
  CbEgressStunRequestInfo info;
  CbEgressStunResult result;

  len = build (req, sizeof req, c->local_ufrag, c->remote_ufrag, c->pwd, c->use_candidate);
  g_assert_cmpuint (len, >, 20);
  switch (c->mutation)
    {
    case MUTATE_NONE:
      break;
    case MUTATE_TRUNCATE:
      len -= 9;
      break;
    case MUTATE_FLIP_FINGERPRINT:
      req[len - 1] ^= 0x01;
      break;
    case MUTATE_NOT_STUN:
      req[0] |= 0x80;   /* the first two bits of STUN are zero: this is RTP's version */
      break;
    case MUTATE_NO_COOKIE:
      memset (req + 4, 0x55, 4);   /* RFC 3489 had none; we serve RFC 5389 peers only */
      break;
    case MUTATE_EMPTY:
      len = 0;
      break;
    }

  result = cb_egress_stun_handle_request (req, len, &server_creds, (struct sockaddr *) &from,
                                          sizeof from, reply, &reply_len, &info);
  g_assert_cmpstr (cb_egress_stun_result_to_string (result), ==,
                   cb_egress_stun_result_to_string (c->expected));
  if (c->expected != CB_EGRESS_STUN_OK)
    {
      g_assert_cmpuint (reply_len, ==, 0);   /* nothing to answer */
      return;
    }

  g_assert_cmpuint (reply_len, >, 20);
  g_assert_cmpint (info.use_candidate, ==, c->use_candidate);
  g_assert_cmpuint (info.priority, ==, 0x6e7f1eff);

  /* The browser's side: the reply carries our integrity and its own address. */
  {
    g_autoptr(CbEgressStunClient) client =
      cb_egress_stun_client_new (REMOTE_UFRAG, LOCAL_UFRAG, LOCAL_PWD);
    struct sockaddr_storage mapped = { 0 };
    struct sockaddr_in *min = (struct sockaddr_in *) &mapped;

    len = cb_egress_stun_client_build_request (client, req, sizeof req, FALSE);
    result = cb_egress_stun_handle_request (req, len, &server_creds, (struct sockaddr *) &from,
                                            sizeof from, reply, &reply_len, NULL);
    g_assert_cmpint (result, ==, CB_EGRESS_STUN_OK);
    g_assert_true (cb_egress_stun_client_parse_response (client, reply, reply_len, &mapped));
    g_assert_cmpint (min->sin_family, ==, AF_INET);
    g_assert_cmpint (min->sin_port, ==, from.sin_port);
    g_assert_cmpmem (&min->sin_addr, 4, &from.sin_addr, 4);

    /* A flipped bit in the reply's integrity is caught. */
    reply[reply_len - 12] ^= 0x80;
    g_assert_false (cb_egress_stun_client_parse_response (client, reply, reply_len, &mapped));
  }
}

static void
test_any_remote_ufrag (void)
{
  const CbEgressIceCredentials creds = { LOCAL_UFRAG, LOCAL_PWD, NULL };
  struct sockaddr_in from = viewer_address ();
  guint8 req[512], reply[CB_EGRESS_STUN_REPLY_MAX];
  gsize len, reply_len;

  len = build (req, sizeof req, LOCAL_UFRAG, "whoever", LOCAL_PWD, FALSE);
  g_assert_cmpint (cb_egress_stun_handle_request (req, len, &creds, (struct sockaddr *) &from,
                                                  sizeof from, reply, &reply_len, NULL),
                   ==, CB_EGRESS_STUN_OK);
}

static void
test_ipv6_mapped_address (void)
{
  struct sockaddr_in6 from = { 0 };
  struct sockaddr_storage mapped = { 0 };
  g_autoptr(CbEgressStunClient) client =
    cb_egress_stun_client_new (REMOTE_UFRAG, LOCAL_UFRAG, LOCAL_PWD);
  guint8 req[512], reply[CB_EGRESS_STUN_REPLY_MAX];
  gsize len, reply_len;

  from.sin6_family = AF_INET6;
  from.sin6_port = htons (40000);
  inet_pton (AF_INET6, "::1", &from.sin6_addr);
  len = cb_egress_stun_client_build_request (client, req, sizeof req, TRUE);
  g_assert_cmpint (cb_egress_stun_handle_request (req, len, &server_creds,
                                                  (struct sockaddr *) &from, sizeof from,
                                                  reply, &reply_len, NULL),
                   ==, CB_EGRESS_STUN_OK);
  g_assert_true (cb_egress_stun_client_parse_response (client, reply, reply_len, &mapped));
  g_assert_cmpint (mapped.ss_family, ==, AF_INET6);
  g_assert_cmpmem (&((struct sockaddr_in6 *) &mapped)->sin6_addr, 16, &from.sin6_addr, 16);
}

static void
test_response_is_not_request (void)
{
  struct sockaddr_in from = viewer_address ();
  g_autoptr(CbEgressStunClient) client =
    cb_egress_stun_client_new (REMOTE_UFRAG, LOCAL_UFRAG, LOCAL_PWD);
  guint8 req[512], reply[CB_EGRESS_STUN_REPLY_MAX], reply2[CB_EGRESS_STUN_REPLY_MAX];
  gsize len, reply_len, reply2_len;

  len = cb_egress_stun_client_build_request (client, req, sizeof req, FALSE);
  g_assert_cmpint (cb_egress_stun_handle_request (req, len, &server_creds,
                                                  (struct sockaddr *) &from, sizeof from,
                                                  reply, &reply_len, NULL),
                   ==, CB_EGRESS_STUN_OK);
  /* Our own answer reflected back to us is no request: no reply loop. */
  g_assert_cmpint (cb_egress_stun_handle_request (reply, reply_len, &server_creds,
                                                  (struct sockaddr *) &from, sizeof from,
                                                  reply2, &reply2_len, NULL),
                   !=, CB_EGRESS_STUN_OK);
  g_assert_cmpuint (reply2_len, ==, 0);
}

static void
test_peek_ufrag (void)
{
  guint8 req[512];
  char ufrag[64];
  gsize len = build (req, sizeof req, LOCAL_UFRAG, REMOTE_UFRAG, LOCAL_PWD, FALSE);

  g_assert_true (cb_egress_stun_peek_local_ufrag (req, len, ufrag, sizeof ufrag));
  g_assert_cmpstr (ufrag, ==, LOCAL_UFRAG);
  g_assert_false (cb_egress_stun_peek_local_ufrag (req, len - 1, ufrag, sizeof ufrag));
  g_assert_false (cb_egress_stun_peek_local_ufrag (req, len, ufrag, 3));   /* too small */
  g_assert_false (cb_egress_stun_peek_local_ufrag ((const guint8 *) "\x80\x60", 2, ufrag,
                                                   sizeof ufrag));
}

static void
test_consent (void)
{
  CbEgressConsent consent;
  gint64 t0 = 1000 * G_USEC_PER_SEC;

  cb_egress_consent_init (&consent, t0);
  g_assert_false (cb_egress_consent_expired (&consent, t0 + 29 * G_USEC_PER_SEC));
  g_assert_true (cb_egress_consent_expired (&consent, t0 + 31 * G_USEC_PER_SEC));
  cb_egress_consent_refresh (&consent, t0 + 20 * G_USEC_PER_SEC);
  g_assert_false (cb_egress_consent_expired (&consent, t0 + 45 * G_USEC_PER_SEC));
  /* A check processed late with an older time does not move consent back. */
  cb_egress_consent_refresh (&consent, t0 + 5 * G_USEC_PER_SEC);
  g_assert_false (cb_egress_consent_expired (&consent, t0 + 45 * G_USEC_PER_SEC));
  g_assert_true (cb_egress_consent_expired (&consent, t0 + 51 * G_USEC_PER_SEC));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (stun_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/stun/request/%s", stun_cases[i].name);

      g_test_add_data_func (path, &stun_cases[i], test_request_table);
    }
  g_test_add_func ("/cb/egress/stun/any-remote-ufrag", test_any_remote_ufrag);
  g_test_add_func ("/cb/egress/stun/ipv6", test_ipv6_mapped_address);
  g_test_add_func ("/cb/egress/stun/response-is-not-request", test_response_is_not_request);
  g_test_add_func ("/cb/egress/stun/peek-ufrag", test_peek_ufrag);
  g_test_add_func ("/cb/egress/stun/consent", test_consent);
  return g_test_run ();
}
