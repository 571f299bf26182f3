/* fuzz-url.c — RTMP URL parser: parse, print, parse again, compare
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rtmp-url.h"
#include "fuzz-common.h"

static void
check_url (const CbRtmpUrl *url)
{
  g_autofree char *full = cb_rtmp_url_to_string (url);
  g_autofree char *tc_url = cb_rtmp_url_get_tc_url (url);
  g_autofree char *publish = cb_rtmp_url_get_publish_name (url);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpUrl) again = NULL;

  FUZZ_CHECK (url->host != NULL && url->host[0] != '\0');
  FUZZ_CHECK (url->app != NULL && url->app[0] != '\0');
  FUZZ_CHECK (url->port > 0);
  FUZZ_CHECK (tc_url != NULL);
  FUZZ_CHECK ((publish != NULL) == (url->stream != NULL));
  again = cb_rtmp_url_parse (full, &error);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (again->tls == url->tls);
  FUZZ_CHECK (strcmp (again->host, url->host) == 0);
  FUZZ_CHECK (again->port == url->port);
  FUZZ_CHECK (g_strcmp0 (again->app, url->app) == 0);
  FUZZ_CHECK (g_strcmp0 (again->stream, url->stream) == 0);
  FUZZ_CHECK (g_strcmp0 (again->query, url->query) == 0);
  FUZZ_CHECK (g_strcmp0 (again->username, url->username) == 0);
  FUZZ_CHECK (g_strcmp0 (again->password, url->password) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *str = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse (str, &error);
  g_autoptr(CbRtmpUrl) wcs = NULL;
  if (url != NULL)
    check_url (url);
  else
    FUZZ_CHECK_ERROR (error);
  g_clear_error (&error);

  wcs = cb_rtmp_url_parse_wcs (str, "stream", NULL, size % 2 == 0, &error);
  if (wcs != NULL)
    FUZZ_CHECK (wcs->stream != NULL);
  else
    FUZZ_CHECK_ERROR (error);
  return 0;
}
