/* cb-egress-stun.c — ICE-lite responder on libnice's STUN library
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * We are ICE-lite and always controlled: we never send checks, we answer the browser's.
 * libnice's StunAgent does the parsing, MESSAGE-INTEGRITY (HMAC-SHA1 with our ice-pwd)
 * and FINGERPRINT (CRC-32) checks and the reply; this file adds the ufrag rule and maps
 * libnice's statuses to ours. The agent keeps state only for requests it sends, so one
 * const agent configuration serves every viewer: each call builds its own on the stack.
 */
#include "config.h"

#include "cb-egress-stun.h"

#include <string.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>

static const uint16_t known_attributes[] = {
  STUN_ATTRIBUTE_USERNAME,
  STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
  STUN_ATTRIBUTE_FINGERPRINT,
  STUN_ATTRIBUTE_PRIORITY,
  STUN_ATTRIBUTE_USE_CANDIDATE,
  STUN_ATTRIBUTE_ICE_CONTROLLING,
  STUN_ATTRIBUTE_ICE_CONTROLLED,
  STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
  0
};

static void
agent_init (StunAgent *agent)
{
  stun_agent_init (agent, known_attributes, STUN_COMPATIBILITY_RFC5389,
                   STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                   STUN_AGENT_USAGE_USE_FINGERPRINT);
}

const char *
cb_egress_stun_result_to_string (CbEgressStunResult result)
{
  switch (result)
    {
    case CB_EGRESS_STUN_OK: return "ok";
    case CB_EGRESS_STUN_NOT_STUN: return "not STUN";
    case CB_EGRESS_STUN_TRUNCATED: return "truncated";
    case CB_EGRESS_STUN_BAD_REQUEST: return "bad request";
    case CB_EGRESS_STUN_BAD_USERNAME: return "wrong ufrag";
    case CB_EGRESS_STUN_BAD_INTEGRITY: return "wrong integrity";
    case CB_EGRESS_STUN_NOT_REQUEST: return "not a request";
    case CB_EGRESS_STUN_ROLE_CONFLICT: return "role conflict";
    default: return "?";
    }
}

typedef struct {
  const CbEgressIceCredentials *creds;
  gboolean                      username_ok;
} ValidaterData;

/* USERNAME of a check we receive is "<our ufrag>:<their ufrag>" (RFC 8445 §7.2.2). */
static gboolean
username_matches (const CbEgressIceCredentials *creds,
                  const guint8                 *username,
                  gsize                         username_len)
{
  gsize local_len = strlen (creds->local_ufrag);

  if (username_len <= local_len || username[local_len] != ':' ||
      memcmp (username, creds->local_ufrag, local_len) != 0)
    return FALSE;
  if (creds->remote_ufrag == NULL)
    return TRUE;
  return username_len - local_len - 1 == strlen (creds->remote_ufrag) &&
         memcmp (username + local_len + 1, creds->remote_ufrag, username_len - local_len - 1) == 0;
}

static bool
validate_credentials (StunAgent    *agent,
                      StunMessage  *message,
                      uint8_t      *username,
                      uint16_t      username_len,
                      uint8_t     **password,
                      size_t       *password_len,
                      void         *user_data)
{
  ValidaterData *data = user_data;

  if (!username_matches (data->creds, username, username_len))
    return false;
  data->username_ok = TRUE;
  *password = (uint8_t *) data->creds->local_pwd;
  *password_len = strlen (data->creds->local_pwd);
  return true;
}

CbEgressStunResult
cb_egress_stun_handle_request (const guint8                 *data,
                               gsize                         len,
                               const CbEgressIceCredentials *creds,
                               const struct sockaddr        *from,
                               socklen_t                     from_len,
                               guint8                       *reply,
                               gsize                        *reply_len,
                               CbEgressStunRequestInfo      *info)
{
  StunAgent agent;
  StunMessage request, response;
  ValidaterData vdata = { creds, FALSE };
  StunValidationStatus status;
  StunUsageIceReturn ret;
  struct sockaddr_storage source = { 0 };
  size_t rlen = CB_EGRESS_STUN_REPLY_MAX;
  bool controlling = false;

  g_return_val_if_fail (creds != NULL && creds->local_ufrag != NULL, CB_EGRESS_STUN_BAD_REQUEST);
  g_return_val_if_fail (creds->local_pwd != NULL, CB_EGRESS_STUN_BAD_REQUEST);
  g_return_val_if_fail (from != NULL && from_len <= sizeof source, CB_EGRESS_STUN_BAD_REQUEST);
  g_return_val_if_fail (reply != NULL && reply_len != NULL, CB_EGRESS_STUN_BAD_REQUEST);

  *reply_len = 0;
  if (info != NULL)
    *info = (CbEgressStunRequestInfo) { 0 };
  if (len > STUN_MAX_MESSAGE_SIZE)
    return CB_EGRESS_STUN_NOT_STUN;

  agent_init (&agent);
  /* libnice reads the buffer only; its API has no const. */
  status = stun_agent_validate (&agent, &request, (uint8_t *) data, len,
                                validate_credentials, &vdata);
  switch (status)
    {
    case STUN_VALIDATION_SUCCESS:
      break;
    case STUN_VALIDATION_NOT_STUN:
      return CB_EGRESS_STUN_NOT_STUN;
    case STUN_VALIDATION_INCOMPLETE_STUN:
      return CB_EGRESS_STUN_TRUNCATED;
    case STUN_VALIDATION_UNAUTHORIZED:
      return vdata.username_ok ? CB_EGRESS_STUN_BAD_INTEGRITY : CB_EGRESS_STUN_BAD_USERNAME;
    case STUN_VALIDATION_UNMATCHED_RESPONSE:
      return CB_EGRESS_STUN_NOT_REQUEST;
    default:
      return CB_EGRESS_STUN_BAD_REQUEST;
    }

  if (stun_message_get_class (&request) != STUN_REQUEST)
    return CB_EGRESS_STUN_NOT_REQUEST;
  if (stun_message_get_method (&request) != STUN_BINDING)
    return CB_EGRESS_STUN_BAD_REQUEST;
  /* A request without credentials passes libnice when the agent does not insist; we do. */
  if (!vdata.username_ok)
    return CB_EGRESS_STUN_BAD_USERNAME;

  memcpy (&source, from, from_len);
  ret = stun_usage_ice_conncheck_create_reply (&agent, &request, &response, reply, &rlen,
                                               &source, from_len, &controlling, 0,
                                               STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
  if (ret == STUN_USAGE_ICE_RETURN_ROLE_CONFLICT)
    {
      *reply_len = rlen;
      return CB_EGRESS_STUN_ROLE_CONFLICT;
    }
  if (ret != STUN_USAGE_ICE_RETURN_SUCCESS)
    return CB_EGRESS_STUN_BAD_REQUEST;

  *reply_len = rlen;
  if (info != NULL)
    {
      info->use_candidate = stun_usage_ice_conncheck_use_candidate (&request);
      info->priority = stun_usage_ice_conncheck_priority (&request);
    }
  return CB_EGRESS_STUN_OK;
}

gboolean
cb_egress_stun_peek_local_ufrag (const guint8 *data,
                                 gsize         len,
                                 char         *ufrag,
                                 gsize         ufrag_size)
{
  StunMessage msg = { 0 };
  const guint8 *username, *colon;
  uint16_t ulen = 0;

  g_return_val_if_fail (ufrag != NULL && ufrag_size > 0, FALSE);

  if (len > STUN_MAX_MESSAGE_SIZE ||
      stun_message_validate_buffer_length (data, len, TRUE) != (int) len)
    return FALSE;
  msg.buffer = (uint8_t *) data;
  msg.buffer_len = len;
  username = stun_message_find (&msg, STUN_ATTRIBUTE_USERNAME, &ulen);
  if (username == NULL)
    return FALSE;
  colon = memchr (username, ':', ulen);
  if (colon == NULL || colon == username || (gsize) (colon - username) >= ufrag_size)
    return FALSE;
  memcpy (ufrag, username, colon - username);
  ufrag[colon - username] = '\0';
  /* A NUL inside would make a shorter name that matches another viewer. */
  return strlen (ufrag) == (gsize) (colon - username);
}

struct _CbEgressStunClient {
  StunAgent agent;
  char     *username;
  char     *remote_pwd;
};

CbEgressStunClient *
cb_egress_stun_client_new (const char *local_ufrag,
                           const char *remote_ufrag,
                           const char *remote_pwd)
{
  CbEgressStunClient *client = g_new0 (CbEgressStunClient, 1);

  agent_init (&client->agent);
  client->username = g_strdup_printf ("%s:%s", remote_ufrag, local_ufrag);
  client->remote_pwd = g_strdup (remote_pwd);
  return client;
}

void
cb_egress_stun_client_free (CbEgressStunClient *client)
{
  if (client == NULL)
    return;
  g_free (client->username);
  g_free (client->remote_pwd);
  g_free (client);
}

gsize
cb_egress_stun_client_build_request (CbEgressStunClient *client,
                                     guint8             *buf,
                                     gsize               size,
                                     gboolean            use_candidate)
{
  StunMessage msg;

  g_return_val_if_fail (client != NULL, 0);

  return stun_usage_ice_conncheck_create (&client->agent, &msg, buf, size,
                                          (const uint8_t *) client->username,
                                          strlen (client->username),
                                          (const uint8_t *) client->remote_pwd,
                                          strlen (client->remote_pwd),
                                          use_candidate, TRUE, 0x6e7f1eff,
                                          g_random_int () | ((guint64) g_random_int () << 32),
                                          NULL, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
}

gboolean
cb_egress_stun_client_parse_response (CbEgressStunClient      *client,
                                      const guint8            *data,
                                      gsize                    len,
                                      struct sockaddr_storage *mapped)
{
  StunMessage msg;
  socklen_t mapped_len = sizeof *mapped;

  g_return_val_if_fail (client != NULL && mapped != NULL, FALSE);

  if (len > STUN_MAX_MESSAGE_SIZE ||
      stun_agent_validate (&client->agent, &msg, (uint8_t *) data, len, NULL, NULL) !=
        STUN_VALIDATION_SUCCESS)
    return FALSE;
  if (stun_message_get_class (&msg) != STUN_RESPONSE)
    return FALSE;
  return stun_usage_ice_conncheck_process (&msg, mapped, &mapped_len,
                                           STUN_USAGE_ICE_COMPATIBILITY_RFC5245) ==
         STUN_USAGE_ICE_RETURN_SUCCESS;
}

void
cb_egress_consent_init (CbEgressConsent *consent,
                        gint64           now_us)
{
  consent->last_check_us = now_us;
  consent->timeout_us = CB_EGRESS_CONSENT_TIMEOUT_US;
}

void
cb_egress_consent_refresh (CbEgressConsent *consent,
                           gint64           now_us)
{
  if (now_us > consent->last_check_us)
    consent->last_check_us = now_us;
}

gboolean
cb_egress_consent_expired (const CbEgressConsent *consent,
                           gint64                 now_us)
{
  return now_us - consent->last_check_us > consent->timeout_us;
}
