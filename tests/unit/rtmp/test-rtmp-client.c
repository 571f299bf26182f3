/* test-rtmp-client.c — the publishing client's own bookkeeping, against loopback
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "cb-rtmp-client.h"

typedef struct {
  GError *error;
  guint   calls;
} Result;

static void
on_published (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  Result *r = data;

  r->calls++;
  g_assert_false (cb_rtmp_client_publish_finish (CB_RTMP_CLIENT (source), res, &r->error));
}

/* A port nothing listens on: a free one, closed again. */
static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* A second publish while one is on its way is refused at once, and the first one still
 * completes (it used to be dropped, its callback never called). */
static void
test_client_second_publish (void)
{
  g_autofree char *text = g_strdup_printf ("rtmp://127.0.0.1:%u/live", closed_port ());
  g_autoptr(CbRtmpUrl) url = cb_rtmp_url_parse (text, NULL);
  CbRtmpClientConfig config = { .url = url, .stream_name = "cam", .timeout_ms = 5000 };
  g_autoptr(CbRtmpClient) client = NULL;
  Result first = { 0 }, second = { 0 };

  g_assert_nonnull (url);
  client = cb_rtmp_client_new (&config);
  cb_rtmp_client_publish_async (client, NULL, on_published, &first);
  cb_rtmp_client_publish_async (client, NULL, on_published, &second);
  while (first.calls == 0 || second.calls == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_nonnull (first.error);
  g_assert_false (g_error_matches (first.error, G_IO_ERROR, G_IO_ERROR_PENDING));
  g_assert_cmpuint (first.calls, ==, 1);
  g_assert_cmpuint (second.calls, ==, 1);
  g_clear_error (&first.error);
  g_clear_error (&second.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/rtmp/client/second-publish", test_client_second_publish);
  return g_test_run ();
}
