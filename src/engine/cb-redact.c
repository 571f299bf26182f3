/* cb-redact.c — URLs fit to show: no secret in them, not even part of one
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one redaction of every URL that can carry credentials: RTMP push targets (rtmpUrl,
 * backupUrl), WCS/WHIP/WHEP relays (/pull/push, /pull/pull), RTMP pulls and VOD URIs.
 * REST answers, WebSocket events, stream sources, logs and the GUI all show URLs through
 * here, so a secret is hidden the same way wherever it would appear.
 *
 * It works on the text, not on a parsed URL: it must hide secrets in URLs that no parser
 * accepts, too. What it cannot split with certainty (control characters, invalid UTF-8,
 * no "scheme://", an authority that is not host[:port]) is hidden whole.
 */
#include "cb-redact.h"

#include <string.h>

static gboolean
valid_scheme (const char *s,
              gsize       len)
{
  if (len == 0 || !g_ascii_isalpha (s[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
valid_port (const char *s,
            const char *end)
{
  if (end - s > 5)
    return FALSE;
  for (; s < end; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* host[:port] with nothing that could be left of a user name or password: a bracketed
 * IPv6 literal, or a name without ':', '@', '[' or ']'. An empty host passes
 * ("file:///x"). */
static gboolean
valid_host_port (const char *s,
                 const char *end)
{
  const char *colon;

  if (s < end && *s == '[')
    {
      const char *close = memchr (s, ']', end - s);

      if (close == NULL)
        return FALSE;
      for (const char *p = s + 1; p < close; p++)
        if (!g_ascii_isxdigit (*p) && *p != ':' && *p != '.' && *p != '%' &&
            !g_ascii_isalnum (*p) && *p != '-' && *p != '_')
          return FALSE;
      if (close + 1 == end)
        return TRUE;
      return close[1] == ':' && valid_port (close + 2, end);
    }
  colon = memchr (s, ':', end - s);
  for (const char *p = s; p < (colon ? colon : end); p++)
    if (*p == '@' || *p == '[' || *p == ']')
      return FALSE;
  return colon == NULL || valid_port (colon + 1, end);
}

/* Appends @path with its last element hidden (as in "/app/key" and "/app/key/"); a path
 * of one element is the application, and shown. FALSE for a path whose key cannot be
 * told with certainty (empty, "." or ".." elements). */
static gboolean
append_path_key_hidden (GString    *out,
                        const char *path,
                        gsize       len)
{
  g_autofree char *copy = g_strndup (path, len);
  g_auto(GStrv) elements = NULL;
  gboolean trailing;
  guint n;

  if (len <= 1)
    {
      g_string_append_len (out, path, len);
      return TRUE;
    }
  trailing = copy[len - 1] == '/';
  if (trailing)
    copy[len - 1] = '\0';
  elements = g_strsplit (copy + 1, "/", -1);
  n = g_strv_length (elements);
  for (guint i = 0; i < n; i++)
    if (elements[i][0] == '\0' || strcmp (elements[i], ".") == 0 ||
        strcmp (elements[i], "..") == 0)
      return FALSE;
  if (n >= 2)
    {
      g_free (elements[n - 1]);
      elements[n - 1] = g_strdup (CB_REDACTED);
    }
  for (guint i = 0; i < n; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, elements[i]);
    }
  if (trailing)
    g_string_append_c (out, '/');
  return TRUE;
}

/* "a=1&b&=c&&d=" → "a=***&***&=***&&d=***": names are shown, every value is hidden, and
 * so is a parameter without a name (it may be a bare token). */
static void
append_query_hidden (GString    *out,
                     const char *query,
                     gsize       len)
{
  const char *end = query + len;
  const char *p = query;

  while (TRUE)
    {
      const char *amp = memchr (p, '&', end - p);
      const char *param_end = amp ? amp : end;
      const char *eq = memchr (p, '=', param_end - p);

      if (eq != NULL)
        {
          g_string_append_len (out, p, eq - p + 1);
          g_string_append (out, CB_REDACTED);
        }
      else if (param_end > p)
        g_string_append (out, CB_REDACTED);
      if (amp == NULL)
        break;
      g_string_append_c (out, '&');
      p = amp + 1;
    }
}

/**
 * cb_redact_url:
 * @url: (nullable): a URL that may carry secrets
 * @flags: whether the last path element is a stream key
 *
 * Hides every secret of @url whole, each as "***": the user information (user name and
 * password together), every query value (and every query parameter without a name), the
 * fragment, and with %CB_REDACT_KEY_IN_PATH the last element of a path of two or more.
 * The scheme, host, port, the rest of the path and the query's parameter names are kept
 * as written: with %CB_REDACT_KEY_IN_PATH, "rtmp://u:p@host/app/key?token=t" shows as
 * "rtmp://" "***@host/app/" "***?token=***".
 *
 * Returns: (transfer full) (nullable): the URL fit for answers, events, logs and the GUI;
 *   "" for "", "***" for anything that is not "scheme://authority…" with a host[:port]
 *   authority, or that holds control characters or invalid UTF-8; %NULL for %NULL
 */
char *
cb_redact_url (const char    *url,
               CbRedactFlags  flags)
{
  const char *colon, *authority, *authority_end, *at = NULL, *host;
  const char *path_end, *query = NULL, *query_end, *fragment = NULL;
  gsize len;
  GString *out;

  if (url == NULL)
    return NULL;
  len = strlen (url);
  if (len == 0)
    return g_strdup ("");
  if (!g_utf8_validate (url, len, NULL))
    return g_strdup (CB_REDACTED);
  for (gsize i = 0; i < len; i++)
    if ((guchar) url[i] < 0x20 || url[i] == 0x7f)
      return g_strdup (CB_REDACTED);

  colon = strchr (url, ':');
  if (colon == NULL || !valid_scheme (url, colon - url) || strncmp (colon, "://", 3) != 0)
    return g_strdup (CB_REDACTED);
  authority = colon + 3;
  /* User info is what ends at the last '@' before the path or the query, '#' or not:
   * RFC 3986 ends the authority at a '#', the RTMP parser does not, and what either
   * would take for user info is hidden. */
  authority_end = authority + strcspn (authority, "/?");
  for (const char *p = authority; p < authority_end; p++)
    if (*p == '@')
      at = p;
  host = at != NULL ? at + 1 : authority;
  authority_end = host + strcspn (host, "/?#");
  if (!valid_host_port (host, authority_end))
    return g_strdup (CB_REDACTED);

  path_end = authority_end + strcspn (authority_end, "?#");
  if (*path_end == '?')
    query = path_end + 1;
  query_end = query != NULL ? query + strcspn (query, "#") : path_end;
  if (*query_end == '#')
    fragment = query_end + 1;

  out = g_string_sized_new (len + 16);
  g_string_append_len (out, url, authority - url);
  if (at != NULL)
    g_string_append (out, CB_REDACTED "@");
  g_string_append_len (out, host, authority_end - host);
  if ((flags & CB_REDACT_KEY_IN_PATH) != 0)
    {
      if (!append_path_key_hidden (out, authority_end, path_end - authority_end))
        {
          g_string_free (out, TRUE);
          return g_strdup (CB_REDACTED);
        }
    }
  else
    g_string_append_len (out, authority_end, path_end - authority_end);
  if (query != NULL)
    {
      g_string_append_c (out, '?');
      append_query_hidden (out, query, query_end - query);
    }
  if (fragment != NULL)
    g_string_append (out, *fragment != '\0' ? "#" CB_REDACTED : "#");
  return g_string_free (out, FALSE);
}

/**
 * cb_secret_equal:
 *
 * Whether two secrets (keys, passwords, tokens) are equal, in a time independent of
 * their contents and lengths: both are hashed first. %NULL is the empty string.
 */
gboolean
cb_secret_equal (const char *a,
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
