/* fuzz-redact.c — cb_redact_url(): whatever the text, no secret the RTMP parser would use
 * survives, and redacting twice changes nothing
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-redact.h"
#include "cb-rtmp-url.h"
#include "fuzz-common.h"

/* Whether @secret shows in @shown, unless it is too short to mean anything or is also
 * a part that is shown on purpose: the mask, the stream name when @flags leave it, or
 * any run of what is shown around the masks (the "***@" before the host, "[host]:port"
 * with an IPv6 host in brackets, the application between slashes, the masked stream and
 * query). */
static gboolean
leaks (const char      *shown,
       const char      *secret,
       const CbRtmpUrl *url,
       int              flags)
{
  g_autofree char *bracketed = NULL;
  g_autofree char *plain = NULL;
  const char *query = url->query != NULL ? url->query : "";

  if (secret == NULL || strlen (secret) < 4)
    return FALSE;
  bracketed = g_strdup_printf ("rtmps://***@[%s]:%u/%s/***?%s", url->host, (guint) url->port,
                               url->app, query);
  plain = g_strdup_printf ("rtmps://***@%s:%u/%s/***?%s", url->host, (guint) url->port,
                           url->app, query);
  if (strstr (bracketed, secret) != NULL || strstr (plain, secret) != NULL ||
      (!(flags & CB_REDACT_KEY_IN_PATH) && url->stream != NULL &&
       strstr (url->stream, secret) != NULL) ||
      strstr ("rtmps://***?=&@:/#", secret) != NULL || strstr ("rtmp://", secret) != NULL)
    return FALSE;
  return strstr (shown, secret) != NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *str = g_strndup ((const char *) data, size);
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse (str, NULL);

  for (int flags = CB_REDACT_DEFAULT; flags <= CB_REDACT_KEY_IN_PATH; flags++)
    {
      g_autofree char *shown = cb_redact_url (str, flags);
      g_autofree char *again = cb_redact_url (shown, flags);

      FUZZ_CHECK (shown != NULL);
      FUZZ_CHECK (strcmp (shown, again) == 0);
      if (url == NULL)
        continue;
      FUZZ_CHECK (!leaks (shown, url->password, url, flags));
      if (!url->credentials_in_query)
        FUZZ_CHECK (!leaks (shown, url->username, url, flags));
      if (flags & CB_REDACT_KEY_IN_PATH)
        FUZZ_CHECK (!leaks (shown, url->stream, url, flags));
    }
  return 0;
}
