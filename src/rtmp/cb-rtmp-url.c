/* cb-rtmp-url.c — rtmp:// and rtmps:// URLs
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Our own parser rather than GUri: RTMP URLs are not quite URIs (the stream key is used
 * raw, app may hold several elements), and every rejection must be a CB_RTMP_ERROR.
 */
#include "cb-rtmp-url.h"

#include <gio/gio.h>
#include <string.h>

static gboolean
malformed (GError     **error,
           const char  *why)
{
  g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED, "invalid RTMP URL: %s", why);
  return FALSE;
}

/* Percent-decodes @s; NULL on bad escapes and on %00 (g_uri_unescape_string() refuses it). */
static char *
decode_component (const char *s,
                  gsize       len)
{
  g_autofree char *raw = g_strndup (s, len);

  return g_uri_unescape_string (raw, NULL);
}

static gboolean
valid_reg_name (const char *host,
                gsize       len)
{
  if (len == 0 || len > 253)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = host[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_')
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_port (const char *s,
            gsize       len,
            guint16    *port)
{
  guint v = 0;

  if (len == 0 || len > 5)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  if (v == 0 || v > 65535)
    return FALSE;
  *port = v;
  return TRUE;
}

static gboolean
parse_authority (CbRtmpUrl   *u,
                 const char  *s,
                 gsize        len,
                 GError     **error)
{
  const char *at = NULL, *host, *end = s + len, *colon;

  for (const char *p = s; p < end; p++)
    if (*p == '@')
      at = p;
  if (at != NULL)
    {
      const char *sep = memchr (s, ':', at - s);

      if (sep == NULL)
        sep = at;
      u->username = decode_component (s, sep - s);
      if (u->username == NULL || u->username[0] == '\0')
        return malformed (error, "bad user name");
      if (sep < at)
        {
          u->password = decode_component (sep + 1, at - sep - 1);
          if (u->password == NULL)
            return malformed (error, "bad password encoding");
        }
      host = at + 1;
    }
  else
    {
      host = s;
    }

  if (host < end && *host == '[')
    {
      const char *close = memchr (host, ']', end - host);
      g_autofree char *literal = NULL;

      if (close == NULL)
        return malformed (error, "unterminated IPv6 address");
      literal = g_strndup (host + 1, close - host - 1);
      if (strchr (literal, ':') == NULL || !g_hostname_is_ip_address (literal))
        return malformed (error, "bad IPv6 address");
      u->host = g_steal_pointer (&literal);
      colon = close + 1;
      if (colon < end && *colon != ':')
        return malformed (error, "junk after the IPv6 address");
    }
  else
    {
      colon = memchr (host, ':', end - host);
      if (colon == NULL)
        colon = end;
      if (colon == host)
        return malformed (error, "no host");
      if (!valid_reg_name (host, colon - host))
        return malformed (error, "bad host name");
      u->host = g_strndup (host, colon - host);
    }

  if (colon < end)
    {
      if (!parse_port (colon + 1, end - colon - 1, &u->port))
        return malformed (error, "bad port");
      u->port_explicit = TRUE;
    }
  else
    {
      u->port = u->tls ? CB_RTMPS_DEFAULT_PORT : CB_RTMP_DEFAULT_PORT;
    }
  return TRUE;
}

/**
 * cb_rtmp_query_get:
 * @query: (nullable): a URL's query, without the '?'
 * @key: the parameter's name, compared without case when @any_case
 *
 * Returns: (transfer full) (nullable): the parameter's value, percent-decoded; %NULL when
 *   absent or when the query has a bad escape
 */
char *
cb_rtmp_query_get (const char *query,
                   const char *key,
                   gboolean    any_case)
{
  g_autoptr(GHashTable) params = NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&",
                               any_case ? G_URI_PARAMS_CASE_INSENSITIVE : G_URI_PARAMS_NONE,
                               NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, key));
}

static void
credentials_from_query (CbRtmpUrl *u)
{
  if (u->query == NULL || u->username != NULL)
    return;
  u->username = cb_rtmp_query_get (u->query, "username", TRUE);
  u->password = cb_rtmp_query_get (u->query, "password", TRUE);
  u->credentials_in_query = u->username != NULL || u->password != NULL;
}

static CbRtmpUrl *
parse (const char  *url,
       gboolean     split_stream,
       GError     **error)
{
  g_autoptr(CbRtmpUrl) u = g_new0 (CbRtmpUrl, 1);
  g_auto(GStrv) elements = NULL;
  const char *p, *authority, *path, *query;
  g_autofree char *path_str = NULL;
  gsize path_len;
  guint n;

  if (url == NULL || url[0] == '\0')
    {
      malformed (error, "empty");
      return NULL;
    }
  for (p = url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || *p == 0x7f)
        {
          malformed (error, "control character or space");
          return NULL;
        }
    }

  if (g_ascii_strncasecmp (url, "rtmp://", 7) == 0)
    authority = url + 7;
  else if (g_ascii_strncasecmp (url, "rtmps://", 8) == 0)
    {
      authority = url + 8;
      u->tls = TRUE;
    }
  else
    {
      malformed (error, "the scheme is not rtmp:// or rtmps://");
      return NULL;
    }

  path = authority + strcspn (authority, "/?");
  if (!parse_authority (u, authority, path - authority, error))
    return NULL;

  query = strchr (path, '?');
  path_len = query != NULL ? (gsize) (query - path) : strlen (path);
  if (query != NULL && query[1] != '\0')
    u->query = g_strdup (query + 1);

  /* The path without its leading '/' and one trailing '/' ("rtmp://h/live/" = no key). */
  if (path_len > 0 && path[0] == '/')
    {
      path++;
      path_len--;
    }
  if (path_len > 0 && path[path_len - 1] == '/')
    path_len--;
  if (path_len == 0)
    {
      malformed (error, "no application");
      return NULL;
    }
  path_str = g_strndup (path, path_len);
  elements = g_strsplit (path_str, "/", -1);
  n = g_strv_length (elements);
  for (guint i = 0; i < n; i++)
    {
      if (elements[i][0] == '\0' || strcmp (elements[i], ".") == 0 ||
          strcmp (elements[i], "..") == 0)
        {
          malformed (error, "empty, '.' or '..' path element");
          return NULL;
        }
    }

  if (split_stream && n >= 2)
    {
      u->stream = g_strdup (elements[n - 1]);
      g_free (elements[n - 1]);
      elements[n - 1] = NULL;
    }
  u->app = g_strjoinv ("/", elements);

  credentials_from_query (u);
  return g_steal_pointer (&u);
}

/**
 * cb_rtmp_url_parse:
 * @url: an rtmp:// or rtmps:// URL
 *
 * Splits @url into its parts: the last path element is the stream name (when there are at
 * least two), the others the application. Credentials come from `user:password@` (percent
 * encoded) or from the `username` and `password` query parameters.
 *
 * Returns: (transfer full): the parts, or %NULL with %CB_RTMP_ERROR_MALFORMED (wrong scheme,
 *   no host, bad port, control characters or spaces, empty path elements, …)
 */
CbRtmpUrl *
cb_rtmp_url_parse (const char  *url,
                   GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse (url, TRUE, error);
}

/**
 * cb_rtmp_url_parse_wcs:
 * @url: the `rtmpUrl` of a WCS push (republish) request
 * @stream_name: the name of the local stream being pushed
 * @prefix: (nullable): `rtmp_transponder_stream_name_prefix`; %NULL means "rtmp_"
 * @full_url: `rtmp_transponder_full_url`
 *
 * Resolves the target as WCS does: with @full_url, the last path element of @url is the
 * stream name (and must be there); otherwise the whole path is the application and the
 * stream name is @prefix + @stream_name.
 */
CbRtmpUrl *
cb_rtmp_url_parse_wcs (const char  *url,
                       const char  *stream_name,
                       const char  *prefix,
                       gboolean     full_url,
                       GError     **error)
{
  g_autoptr(CbRtmpUrl) u = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  u = parse (url, full_url, error);
  if (u == NULL)
    return NULL;
  if (full_url)
    {
      if (u->stream == NULL)
        {
          malformed (error, "no stream name after the application");
          return NULL;
        }
      return g_steal_pointer (&u);
    }
  if (stream_name == NULL || stream_name[0] == '\0')
    {
      malformed (error, "no stream name");
      return NULL;
    }
  u->stream = g_strconcat (prefix != NULL ? prefix : CB_RTMP_WCS_DEFAULT_PREFIX,
                           stream_name, NULL);
  return g_steal_pointer (&u);
}

void
cb_rtmp_url_free (CbRtmpUrl *url)
{
  if (url == NULL)
    return;
  g_free (url->host);
  g_free (url->app);
  g_free (url->stream);
  g_free (url->query);
  g_free (url->username);
  g_free (url->password);
  g_free (url);
}

static void
append_server (GString         *s,
               const CbRtmpUrl *url)
{
  g_string_append (s, url->tls ? "rtmps://" : "rtmp://");
  if (strchr (url->host, ':') != NULL)
    g_string_append_printf (s, "[%s]", url->host);
  else
    g_string_append (s, url->host);
  if (url->port_explicit)
    g_string_append_printf (s, ":%u", url->port);
}

/**
 * cb_rtmp_url_get_tc_url:
 *
 * Returns: (transfer full): the tcUrl of the connect command: scheme, host, the port when
 *   the URL gave one, and the application; no credentials, stream name or query
 */
char *
cb_rtmp_url_get_tc_url (const CbRtmpUrl *url)
{
  GString *s;

  g_return_val_if_fail (url != NULL, NULL);

  s = g_string_new (NULL);
  append_server (s, url);
  g_string_append_printf (s, "/%s", url->app);
  return g_string_free (s, FALSE);
}

/**
 * cb_rtmp_url_get_publish_name:
 *
 * Returns: (transfer full) (nullable): the name for the publish and play commands: the
 *   stream name, followed by the query when there is one (nginx-rtmp and Twitch read
 *   their arguments there); %NULL when the URL has no stream name
 */
char *
cb_rtmp_url_get_publish_name (const CbRtmpUrl *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  if (url->stream == NULL)
    return NULL;
  if (url->query == NULL)
    return g_strdup (url->stream);
  return g_strconcat (url->stream, "?", url->query, NULL);
}

/**
 * cb_rtmp_url_to_string:
 *
 * Returns: (transfer full): the URL with every secret in it: for connecting and for
 *   comparing, never for showing (the engine's cb_redact_url() makes URLs fit to show)
 */
char *
cb_rtmp_url_to_string (const CbRtmpUrl *url)
{
  GString *s;

  g_return_val_if_fail (url != NULL, NULL);

  s = g_string_new (NULL);
  g_string_append (s, url->tls ? "rtmps://" : "rtmp://");
  /* Credentials that came from the query are written back there, not here. */
  if (url->username != NULL && !url->credentials_in_query)
    {
      g_string_append_uri_escaped (s, url->username, NULL, TRUE);
      if (url->password != NULL)
        {
          g_string_append_c (s, ':');
          g_string_append_uri_escaped (s, url->password, NULL, TRUE);
        }
      g_string_append_c (s, '@');
    }
  if (strchr (url->host, ':') != NULL)
    g_string_append_printf (s, "[%s]", url->host);
  else
    g_string_append (s, url->host);
  if (url->port_explicit)
    g_string_append_printf (s, ":%u", url->port);
  g_string_append_printf (s, "/%s", url->app);
  if (url->stream != NULL)
    g_string_append_printf (s, "/%s", url->stream);
  if (url->query != NULL)
    g_string_append_printf (s, "?%s", url->query);
  return g_string_free (s, FALSE);
}
