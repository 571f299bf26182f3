/* cb-rest-auth.c — who may use the REST API: the decision, as a pure function
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WCS has no REST authentication by default; Castbridge is a desktop application that
 * may sit on a café network, so control from another machine needs credentials, and
 * with none configured it is refused outright (403) rather than left open.
 *
 * Loopback alone is not enough: the user's browser is on loopback too, and any page it
 * shows can send a "simple" POST (text/plain, no preflight) to 127.0.0.1, or rebind its
 * own name to 127.0.0.1. So a request that a page of another site sent (Origin, Referer)
 * or that was addressed to another name (Host) is treated as one from another machine.
 */
#include "cb-rest-auth.h"
#include "cb-redact.h"

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

/* The address a client reached us on, as an interned literal (IPv4 for ::ffff:a.b.c.d on
 * a dual-stack socket), or NULL: the viewer egress's candidate when we listen on all. */
const char *
cb_rest_auth_local_literal (GSocketAddress *address)
{
  GInetAddress *inet;
  g_autofree char *text = NULL;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 &&
      g_inet_address_get_native_size (inet) == 16)
    {
      const guint8 *b = g_inet_address_to_bytes (inet);
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (b, mapped, sizeof mapped) == 0)
        {
          g_autoptr(GInetAddress) v4 = g_inet_address_new_from_bytes (b + 12, G_SOCKET_FAMILY_IPV4);

          text = g_inet_address_to_string (v4);
          return g_intern_string (text);
        }
    }
  text = g_inet_address_to_string (inet);
  return g_intern_string (text);
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

/* ---- where a request comes from ---------------------------------------------------- */

/* An origin as browsers send it, or the origin part of a Referer: scheme (lower case),
 * host (lower case, IPv6 without brackets, no trailing dot) and port (the default one
 * filled in). Only http and https: "null", file:, extensions and garbage are not. */
typedef struct {
  char *scheme;
  char *host;
  int   port;
} WebOrigin;

static void
web_origin_clear (WebOrigin *o)
{
  g_clear_pointer (&o->scheme, g_free);
  g_clear_pointer (&o->host, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WebOrigin, web_origin_clear)

static char *
normalize_name (const char *name,
                gsize       length)
{
  char *lower = g_ascii_strdown (name, length);
  gsize n = strlen (lower);

  /* "localhost." is "localhost". */
  if (n > 1 && lower[n - 1] == '.')
    lower[n - 1] = '\0';
  return lower;
}

static gboolean
parse_web_origin (const char *text,
                  WebOrigin  *out)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme, *host;
  int port;

  if (text == NULL || strlen (text) > 2048)
    return FALSE;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0' || scheme == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    port = 80;
  else if (g_ascii_strcasecmp (scheme, "https") == 0)
    port = 443;
  else
    return FALSE;
  if (g_uri_get_port (uri) > 0)
    port = g_uri_get_port (uri);
  out->scheme = g_ascii_strdown (scheme, -1);
  out->host = normalize_name (host, -1);
  out->port = port;
  return TRUE;
}

/* A Host header ("name", "name:port", "[v6]:port"): the name (lower case, no brackets)
 * and the port, or -1 when none is given. */
static gboolean
parse_host (const char  *text,
            char       **out_name,
            int         *out_port)
{
  const char *end, *colon = NULL;
  gsize length;

  if (text == NULL)
    return FALSE;
  length = strlen (text);
  if (length == 0 || length > 1024)
    return FALSE;

  if (text[0] == '[')
    {
      end = strchr (text, ']');
      if (end == NULL || end == text + 1)
        return FALSE;
      if (end[1] == ':')
        colon = end + 1;
      else if (end[1] != '\0')
        return FALSE;
      *out_name = normalize_name (text + 1, end - text - 1);
    }
  else
    {
      colon = strchr (text, ':');
      /* A bare IPv6 address is not a Host, but it names no other site either. */
      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        colon = NULL;
      *out_name = normalize_name (text, colon != NULL ? (gsize) (colon - text) : length);
    }

  *out_port = -1;
  if (colon != NULL)
    {
      guint64 port = 0;

      if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
        {
          g_clear_pointer (out_name, g_free);
          return FALSE;
        }
      *out_port = (int) port;
    }
  if (**out_name == '\0')
    {
      g_clear_pointer (out_name, g_free);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_name (const char *a,
           const char *b)
{
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (a);
  g_autoptr(GInetAddress) ib = NULL;

  if (ia != NULL)
    {
      ib = g_inet_address_new_from_string (b);
      return ib != NULL && g_inet_address_equal (ia, ib);
    }
  return g_ascii_strcasecmp (a, b) == 0;
}

/* Loopback, `localhost`, this machine's names and addresses: names that DNS rebinding
 * cannot bring to us from another site. */
static gboolean
is_machine_name (const char             *name,
                 const CbRestAuthConfig *config)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (name);

  if (address != NULL && cb_rest_auth_is_loopback (address))
    return TRUE;
  /* RFC 6761: browsers resolve these to loopback themselves. */
  if (g_str_equal (name, "localhost") || g_str_has_suffix (name, ".localhost"))
    return TRUE;
  for (guint i = 0; config->machine_names != NULL && config->machine_names[i] != NULL; i++)
    if (same_name (name, config->machine_names[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_allowed_host (const char             *name,
                 int                     port,
                 const CbRestAuthConfig *config)
{
  g_auto(GStrv) entries = cb_server_settings_split_list (config->allowed_hosts);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *entry_name = NULL;
      int entry_port;

      if (parse_host (entries[i], &entry_name, &entry_port) && same_name (name, entry_name) &&
          (entry_port < 0 || entry_port == port))
        return TRUE;
    }
  return FALSE;
}

static gboolean
host_names_us (const char             *host,
               const CbRestAuthConfig *config)
{
  g_autofree char *name = NULL;
  int port;

  if (!parse_host (host, &name, &port))
    return FALSE;
  return is_machine_name (name, config) || is_allowed_host (name, port, config);
}

/* The server's own pages: http on its HTTP port or https on its HTTPS port, on a name of
 * this machine or on the name the request was sent to (a page reached as
 * http://studio.lan:8081 calls http://studio.lan:8081 or ws://studio.lan:8080). */
static gboolean
is_own_origin (const WebOrigin        *origin,
               const char             *host,
               const CbRestAuthConfig *config)
{
  g_autofree char *host_name = NULL;
  int host_port;

  if (!((g_str_equal (origin->scheme, "http") && config->http_port != 0 &&
         origin->port == (int) config->http_port) ||
        (g_str_equal (origin->scheme, "https") && config->https_port != 0 &&
         origin->port == (int) config->https_port)))
    return FALSE;
  if (is_machine_name (origin->host, config))
    return TRUE;
  return parse_host (host, &host_name, &host_port) && same_name (origin->host, host_name);
}

static gboolean
is_listed_origin (const WebOrigin        *origin,
                  const CbRestAuthConfig *config)
{
  g_auto(GStrv) entries = cb_server_settings_split_list (config->allowed_origins);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto(WebOrigin) entry = { 0 };

      if (parse_web_origin (entries[i], &entry) && g_str_equal (entry.scheme, origin->scheme) &&
          entry.port == origin->port && same_name (entry.host, origin->host))
        return TRUE;
    }
  return FALSE;
}

static gboolean
trusted_origin (const char             *text,
                const char             *host,
                const CbRestAuthConfig *config)
{
  g_auto(WebOrigin) origin = { 0 };

  if (!parse_web_origin (text, &origin))
    return FALSE;
  return is_own_origin (&origin, host, config) || is_listed_origin (&origin, config);
}

gboolean
cb_rest_auth_origin_allowed (const char             *origin,
                             const char             *host,
                             const CbRestAuthConfig *config)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return origin != NULL && trusted_origin (origin, host, config);
}

CbRestSource
cb_rest_auth_classify (const CbRestRequest    *request,
                       const CbRestAuthConfig *config)
{
  const char *page;

  g_return_val_if_fail (request != NULL, CB_REST_SOURCE_REMOTE);
  g_return_val_if_fail (config != NULL, CB_REST_SOURCE_REMOTE);

  /* Browsers send Origin on every cross-site request that can change something, and
   * pages cannot forge it; a Referer stands in where an older path sends no Origin. */
  page = request->origin != NULL ? request->origin : request->referer;
  if (page != NULL && !trusted_origin (page, request->host, config))
    return CB_REST_SOURCE_FOREIGN_PAGE;

  if (cb_rest_auth_loopback_literal (request->remote) == NULL)
    return CB_REST_SOURCE_REMOTE;

  /* No Host at all is an HTTP/1.0 tool, not a browser. */
  if (request->host != NULL && !host_names_us (request->host, config))
    return CB_REST_SOURCE_FOREIGN_HOST;

  return CB_REST_SOURCE_LOCAL;
}

const char *
cb_rest_auth_forbidden_message (CbRestSource source)
{
  switch (source)
    {
    case CB_REST_SOURCE_FOREIGN_PAGE:
      return "Requests from web pages of other sites need credentials: list the site in "
             "rest_allowed_origins, or configure rest_auth_user and rest_auth_password";
    case CB_REST_SOURCE_FOREIGN_HOST:
      return "Requests for another host name need credentials: list the name in "
             "rest_allowed_hosts, or configure rest_auth_user and rest_auth_password";
    case CB_REST_SOURCE_LOCAL:
    case CB_REST_SOURCE_REMOTE:
    default:
      return "Remote control is disabled: configure rest_auth_user and "
             "rest_auth_password to allow it";
    }
}

CbRestAuthResult
cb_rest_auth_check (const CbRestRequest    *request,
                    const CbRestAuthConfig *config,
                    CbRestSource           *out_source)
{
  guchar *decoded;
  gsize length = 0, colon = 0;
  gboolean user_ok, password_ok;
  CbRestSource source;

  g_return_val_if_fail (request != NULL, CB_REST_AUTH_FORBIDDEN);
  g_return_val_if_fail (config != NULL, CB_REST_AUTH_FORBIDDEN);

  source = cb_rest_auth_classify (request, config);
  if (out_source != NULL)
    *out_source = source;

  if (source == CB_REST_SOURCE_LOCAL)
    return CB_REST_AUTH_ALLOW;

  if (config->disabled)
    return CB_REST_AUTH_ALLOW;

  if (config->user == NULL || config->user[0] == '\0' ||
      config->password == NULL || config->password[0] == '\0')
    return CB_REST_AUTH_FORBIDDEN;

  if (request->authorization == NULL)
    return CB_REST_AUTH_UNAUTHORIZED;

  decoded = decode_basic (request->authorization, &length, &colon);
  if (decoded == NULL)
    return CB_REST_AUTH_UNAUTHORIZED;

  /* Both comparisons always run. */
  user_ok = cb_secret_equal ((const char *) decoded, colon,
                                       config->user, strlen (config->user));
  password_ok = cb_secret_equal ((const char *) decoded + colon + 1,
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
  config->allowed_origins = cb_server_settings_get_string (settings, "rest_allowed_origins", NULL);
  config->allowed_hosts = cb_server_settings_get_string (settings, "rest_allowed_hosts", NULL);
}
