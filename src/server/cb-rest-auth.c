/* cb-rest-auth.c — who may use the REST API: the decision, as a pure function
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WCS has no REST authentication by default; Castbridge is a desktop application that
 * may sit on a café network, so control from another machine needs credentials, and
 * with none configured it is refused outright (403) rather than left open.
 */
#include "cb-rest-auth.h"

#include <string.h>

#include "cb-server-settings.h"

const char *
cb_rest_auth_loopback_literal (GSocketAddress *address)
{
  GInetAddress *inet;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (!cb_rest_auth_is_loopback (inet))
    return NULL;
  /* ::ffff:127.x.x.x (a dual-stack socket) is IPv4 loopback on the wire. */
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 && g_inet_address_get_is_loopback (inet))
    return "::1";
  return "127.0.0.1";
}

gboolean
cb_rest_auth_is_loopback (GInetAddress *address)
{
  const guint8 *bytes;
  gsize size;

  if (address == NULL)
    return FALSE;

  bytes = g_inet_address_to_bytes (address);
  size = g_inet_address_get_native_size (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 && size == 4)
    return bytes[0] == 127;

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 && size == 16)
    {
      static const guint8 loopback6[16] = { [15] = 1 };
      static const guint8 mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };

      if (memcmp (bytes, loopback6, 16) == 0)
        return TRUE;
      if (memcmp (bytes, mapped_prefix, 12) == 0)
        return bytes[12] == 127;
    }

  return FALSE;
}

gboolean
cb_rest_auth_secure_equal (const char *a,
                           gsize       a_length,
                           const char *b,
                           gsize       b_length)
{
  g_autoptr(GChecksum) ca = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) cb = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 da[32], db[32];
  gsize la = sizeof da, lb = sizeof db;
  guint8 diff = 0;

  /* Comparing digests makes the time independent of where the inputs differ and of
   * their lengths; the length check below is itself on public-size data. */
  g_checksum_update (ca, (const guchar *) (a != NULL ? a : ""), a != NULL ? a_length : 0);
  g_checksum_update (cb, (const guchar *) (b != NULL ? b : ""), b != NULL ? b_length : 0);
  g_checksum_get_digest (ca, da, &la);
  g_checksum_get_digest (cb, db, &lb);

  for (gsize i = 0; i < sizeof da; i++)
    diff |= da[i] ^ db[i];

  /* Wipe the digests of secrets from the stack. */
  memset (da, 0, sizeof da);
  memset (db, 0, sizeof db);

  return diff == 0 && a_length == b_length;
}

/* Decodes "Basic <base64(user:password)>". Returns the decoded bytes (to be wiped and
 * freed by the caller) and the position of the ':' in them. */
static guchar *
decode_basic (const char *authorization,
              gsize      *out_length,
              gsize      *out_colon)
{
  const char *p = authorization;
  g_autofree guchar *decoded = NULL;
  gsize length = 0;
  const guchar *colon;
  gsize n;

  if (g_ascii_strncasecmp (p, "Basic", 5) != 0)
    return NULL;
  p += 5;
  if (*p != ' ' && *p != '\t')
    return NULL;
  while (*p == ' ' || *p == '\t')
    p++;

  n = strlen (p);
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  if (n == 0 || n > 4096)
    return NULL;

  /* g_base64_decode() does not validate: reject anything but the alphabet. */
  for (gsize i = 0; i < n; i++)
    {
      char c = p[i];

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || c == '='))
        return NULL;
    }

  {
    g_autofree char *copy = g_strndup (p, n);

    decoded = g_base64_decode (copy, &length);
    memset (copy, 0, n);
  }

  if (decoded == NULL || length == 0)
    return NULL;

  colon = memchr (decoded, ':', length);
  if (colon == NULL || memchr (decoded, '\0', length) != NULL)
    {
      memset (decoded, 0, length);
      return NULL;
    }

  *out_length = length;
  *out_colon = (gsize) (colon - decoded);
  return g_steal_pointer (&decoded);
}

CbRestAuthResult
cb_rest_auth_check (GSocketAddress         *remote,
                    const char             *authorization,
                    const CbRestAuthConfig *config)
{
  guchar *decoded;
  gsize length = 0, colon = 0;
  gboolean user_ok, password_ok;

  g_return_val_if_fail (config != NULL, CB_REST_AUTH_FORBIDDEN);

  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote) &&
      cb_rest_auth_is_loopback (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote))))
    return CB_REST_AUTH_ALLOW;

  if (config->disabled)
    return CB_REST_AUTH_ALLOW;

  if (config->user == NULL || config->user[0] == '\0' ||
      config->password == NULL || config->password[0] == '\0')
    return CB_REST_AUTH_FORBIDDEN;

  if (authorization == NULL)
    return CB_REST_AUTH_UNAUTHORIZED;

  decoded = decode_basic (authorization, &length, &colon);
  if (decoded == NULL)
    return CB_REST_AUTH_UNAUTHORIZED;

  /* Both comparisons always run. */
  user_ok = cb_rest_auth_secure_equal ((const char *) decoded, colon,
                                       config->user, strlen (config->user));
  password_ok = cb_rest_auth_secure_equal ((const char *) decoded + colon + 1,
                                           length - colon - 1,
                                           config->password, strlen (config->password));
  memset (decoded, 0, length);
  g_free (decoded);

  return (user_ok & password_ok) ? CB_REST_AUTH_ALLOW : CB_REST_AUTH_UNAUTHORIZED;
}

void
cb_rest_auth_config_init (CbRestAuthConfig *config,
                          CbSettings       *settings)
{
  g_return_if_fail (config != NULL);
  g_return_if_fail (CB_IS_SETTINGS (settings));

  config->user = cb_server_settings_get_string (settings, "rest_auth_user", NULL);
  config->password = cb_server_settings_get_string (settings, "rest_auth_password", NULL);
  config->disabled = cb_server_settings_get_bool (settings, "disable_rest_auth", FALSE);
}
