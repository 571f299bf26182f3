/* test-rtmp-url.c — rtmp:// URL parsing, tcUrl, WCS stream naming
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rtmp-url.h"
#include "rtmp-test-util.h"

typedef struct {
  const char *name;
  const char *url;
  gboolean    tls;
  const char *host;
  guint       port;
  const char *app;
  const char *stream;
  const char *query;
  const char *username;
  const char *password;
  const char *tc_url;
} UrlRow;

static const UrlRow url_rows[] = {
  { "twitch", "rtmp://live.twitch.tv/app/live_123456_abcdefghijkl", FALSE, "live.twitch.tv",
    1935, "app", "live_123456_abcdefghijkl", NULL, NULL, NULL, "rtmp://live.twitch.tv/app" },
  { "youtube-rtmps", "rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl-mnop", TRUE,
    "a.rtmps.youtube.com", 443, "live2", "abcd-efgh-ijkl-mnop", NULL, NULL, NULL,
    "rtmps://a.rtmps.youtube.com:443/live2" },
  { "rtmps-default-port", "rtmps://host/live/key", TRUE, "host", 443, "live", "key", NULL, NULL,
    NULL, "rtmps://host/live" },
  { "app-instance", "rtmp://127.0.0.1:1936/app/instance/stream", FALSE, "127.0.0.1", 1936,
    "app/instance", "stream", NULL, NULL, NULL, "rtmp://127.0.0.1:1936/app/instance" },
  { "app-only", "rtmp://host/live", FALSE, "host", 1935, "live", NULL, NULL, NULL, NULL,
    "rtmp://host/live" },
  { "app-only-trailing-slash", "rtmp://host/live/", FALSE, "host", 1935, "live", NULL, NULL,
    NULL, NULL, "rtmp://host/live" },
  { "ipv6", "rtmp://[::1]:1935/live/s", FALSE, "::1", 1935, "live", "s", NULL, NULL, NULL,
    "rtmp://[::1]:1935/live" },
  { "ipv6-default-port", "rtmp://[2001:db8::5]/live", FALSE, "2001:db8::5", 1935, "live", NULL,
    NULL, NULL, NULL, "rtmp://[2001:db8::5]/live" },
  { "userinfo", "rtmp://user:p%40ss@host/live/s", FALSE, "host", 1935, "live", "s", NULL, "user",
    "p@ss", "rtmp://host/live" },
  { "userinfo-no-password", "rtmp://user@host/live/s", FALSE, "host", 1935, "live", "s", NULL,
    "user", NULL, "rtmp://host/live" },
  { "query-credentials", "rtmp://host/live/s?username=bob&password=secret", FALSE, "host", 1935,
    "live", "s", "username=bob&password=secret", "bob", "secret", "rtmp://host/live" },
  { "query-token", "rtmp://host/live/key123456789?token=abc&x", FALSE, "host", 1935, "live",
    "key123456789", "token=abc&x", NULL, NULL, "rtmp://host/live" },
  { "query-without-stream", "rtmp://host/live?vhost=a", FALSE, "host", 1935, "live", NULL,
    "vhost=a", NULL, NULL, "rtmp://host/live" },
  { "scheme-uppercase", "RTMP://Host.Example/live/s", FALSE, "Host.Example", 1935, "live", "s",
    NULL, NULL, NULL, "rtmp://Host.Example/live" },
  { "utf8-stream", "rtmp://host/live/\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82-"
    "\xd0\xbc\xd0\xb8\xd1\x80-2024", FALSE, "host", 1935, "live",
    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82-\xd0\xbc\xd0\xb8\xd1\x80-2024", NULL, NULL,
    NULL, "rtmp://host/live" },
};

static const char *
url_row_name (gconstpointer row)
{
  return ((const UrlRow *) row)->name;
}

static void
test_url_row (gconstpointer data)
{
  const UrlRow *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse (row->url, &error);
  g_autoptr(CbRtmpUrl) again = NULL;
  g_autofree char *tc_url = NULL;
  g_autofree char *full = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (url->tls, ==, row->tls);
  g_assert_cmpstr (url->host, ==, row->host);
  g_assert_cmpuint (url->port, ==, row->port);
  g_assert_cmpstr (url->app, ==, row->app);
  g_assert_cmpstr (url->stream, ==, row->stream);
  g_assert_cmpstr (url->query, ==, row->query);
  g_assert_cmpstr (url->username, ==, row->username);
  g_assert_cmpstr (url->password, ==, row->password);
  tc_url = cb_rtmp_url_get_tc_url (url);
  g_assert_cmpstr (tc_url, ==, row->tc_url);
  /* The unmasked string parses back to the same parts. */
  full = cb_rtmp_url_to_string (url);
  again = cb_rtmp_url_parse (full, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->host, ==, url->host);
  g_assert_cmpuint (again->port, ==, url->port);
  g_assert_cmpstr (again->app, ==, url->app);
  g_assert_cmpstr (again->stream, ==, url->stream);
  g_assert_cmpstr (again->query, ==, url->query);
  g_assert_cmpstr (again->username, ==, url->username);
  g_assert_cmpstr (again->password, ==, url->password);
}

typedef struct {
  const char *name;
  const char *url;
} BadUrlRow;

static const BadUrlRow bad_url_rows[] = {
  { "empty", "" },
  { "http-scheme", "http://host/live/s" },
  { "rtmpt-scheme", "rtmpt://host/live/s" },
  { "no-scheme", "host/live/s" },
  { "scheme-only", "rtmp://" },
  { "no-host", "rtmp:///live/s" },
  { "no-host-with-port", "rtmp://:1935/live/s" },
  { "port-zero", "rtmp://host:0/live" },
  { "port-too-big", "rtmp://host:65536/live" },
  { "port-huge", "rtmp://host:99999999999/live" },
  { "port-letters", "rtmp://host:abc/live" },
  { "port-empty", "rtmp://host:/live" },
  { "port-negative", "rtmp://host:-1/live" },
  { "no-app", "rtmp://host" },
  { "no-app-slash", "rtmp://host/" },
  { "no-app-query", "rtmp://host/?a=b" },
  { "space-in-host", "rtmp://ho st/live" },
  { "newline", "rtmp://host/live/s\n" },
  { "tab", "rtmp://host/live/a\tb" },
  { "del", "rtmp://host/live/s\x7f" },
  { "escape-char", "rtmp://host/live/\x1b[31m" },
  { "empty-element", "rtmp://host//s" },
  { "empty-middle-element", "rtmp://host/app//s" },
  { "dot-dot", "rtmp://host/live/../x" },
  { "dot", "rtmp://host/./x" },
  { "ipv6-unterminated", "rtmp://[::1/live" },
  { "ipv6-garbage", "rtmp://[zz::1]/live" },
  { "ipv6-v4-in-brackets", "rtmp://[127.0.0.1]/live" },
  { "ipv6-junk-after", "rtmp://[::1]x/live" },
  { "ipv6-unbracketed", "rtmp://::1/live" },
  { "userinfo-nul", "rtmp://user:pa%00ss@host/live" },
  { "userinfo-bad-escape", "rtmp://user:pa%zzss@host/live" },
  { "userinfo-empty-user", "rtmp://:pw@host/live" },
  { "userinfo-at-only", "rtmp://@host/live" },
  { "percent-in-host", "rtmp://h%41st/live" },
  { "non-ascii-host", "rtmp://h\xc3\xa9st/live" },
  { "underscore-only-host-ok-but-bad-port", "rtmp://a_b:1x/live" },
};

static const char *
bad_url_row_name (gconstpointer row)
{
  return ((const BadUrlRow *) row)->name;
}

static void
test_bad_url_row (gconstpointer data)
{
  const BadUrlRow *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse (row->url, &error);

  g_assert_null (url);
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED);
}

static void
test_url_null (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cb_rtmp_url_parse (NULL, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED);
}

typedef struct {
  const char *name;
  const char *url;
  const char *stream_name;
  const char *prefix;
  gboolean    full_url;
  int         error;
  const char *app;
  const char *stream;
  const char *publish_name;
} WcsRow;

static const WcsRow wcs_rows[] = {
  { "prefix-default", "rtmp://host:1935/live", "stream1", NULL, FALSE, -1, "live",
    "rtmp_stream1", "rtmp_stream1" },
  { "prefix-custom", "rtmp://host/live", "stream1", "cb_", FALSE, -1, "live", "cb_stream1",
    "cb_stream1" },
  { "prefix-empty", "rtmp://host/live", "stream1", "", FALSE, -1, "live", "stream1", "stream1" },
  { "prefix-whole-path-is-app", "rtmp://host/app/inst", "s", NULL, FALSE, -1, "app/inst",
    "rtmp_s", "rtmp_s" },
  { "prefix-keeps-query", "rtmp://host/live?k=v", "s", NULL, FALSE, -1, "live", "rtmp_s",
    "rtmp_s?k=v" },
  { "prefix-no-name", "rtmp://host/live", "", NULL, FALSE, CB_RTMP_ERROR_MALFORMED, NULL, NULL,
    NULL },
  { "full-url", "rtmp://host/live/key", "ignored", NULL, TRUE, -1, "live", "key", "key" },
  { "full-url-query", "rtmp://host/live/key?a=1", NULL, NULL, TRUE, -1, "live", "key",
    "key?a=1" },
  { "full-url-no-stream", "rtmp://host/live", "s", NULL, TRUE, CB_RTMP_ERROR_MALFORMED, NULL,
    NULL, NULL },
  { "bad-url", "rtmp://", "s", NULL, FALSE, CB_RTMP_ERROR_MALFORMED, NULL, NULL, NULL },
};

static const char *
wcs_row_name (gconstpointer row)
{
  return ((const WcsRow *) row)->name;
}

static void
test_wcs_row (gconstpointer data)
{
  const WcsRow *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse_wcs (row->url, row->stream_name, row->prefix,
                                                    row->full_url, &error);
  g_autofree char *publish_name = NULL;

  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (url);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (url->app, ==, row->app);
  g_assert_cmpstr (url->stream, ==, row->stream);
  publish_name = cb_rtmp_url_get_publish_name (url);
  g_assert_cmpstr (publish_name, ==, row->publish_name);
}

static void
test_publish_name (void)
{
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse ("rtmp://host/live", NULL);

  g_assert_nonnull (url);
  g_assert_null (cb_rtmp_url_get_publish_name (url));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_add_rows ("url/parse", url_rows, sizeof url_rows[0], G_N_ELEMENTS (url_rows),
                 url_row_name, test_url_row);
  test_add_rows ("url/bad", bad_url_rows, sizeof bad_url_rows[0], G_N_ELEMENTS (bad_url_rows),
                 bad_url_row_name, test_bad_url_row);
  test_add_rows ("url/wcs", wcs_rows, sizeof wcs_rows[0], G_N_ELEMENTS (wcs_rows),
                 wcs_row_name, test_wcs_row);
  g_test_add_func ("/cb/rtmp/url/null", test_url_null);
  g_test_add_func ("/cb/rtmp/url/publish-name", test_publish_name);

  return g_test_run ();
}
