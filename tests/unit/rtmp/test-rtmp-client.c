/* test-rtmp-client.c — the publishing client's own bookkeeping, against loopback
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "cb-rtmp-client.h"
#include "cb-rtmp-server.h"

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
  /* Both calls answered: nothing of the connection attempt keeps the client. */
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&client));
}

/* ---- publishing to our own server on loopback ------------------------------------- */

typedef struct {
  GPtrArray *media;        /* "type ts size" */
  GPtrArray *payloads;     /* GBytes*, as received */
  guint      published;
  guint      ended;
} Ingest;

static gboolean
ingest_connect (gpointer data, CbRtmpServerSession *session, const CbRtmpConnectInfo *info,
                GError **error)
{
  return TRUE;
}

static gpointer
ingest_publish (gpointer data, CbRtmpServerSession *session, guint32 stream_id, const char *name,
                const char *query, GError **error)
{
  Ingest *in = data;

  g_assert_cmpstr (name, ==, "cam");
  in->published++;
  return in;
}

static gpointer
ingest_play (gpointer data, CbRtmpServerSession *session, guint32 stream_id, const char *name,
             const char *query, GError **error)
{
  g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "not here");
  return NULL;
}

static void
ingest_media (gpointer data, gpointer handle, guint8 type_id, guint32 timestamp, GBytes *payload)
{
  Ingest *in = data;

  g_ptr_array_add (in->media, g_strdup_printf ("%u %u %" G_GSIZE_FORMAT, type_id, timestamp,
                                               g_bytes_get_size (payload)));
  g_ptr_array_add (in->payloads, g_bytes_ref (payload));
}

static void
ingest_end (gpointer data, gpointer handle, const char *reason)
{
  Ingest *in = data;

  in->ended++;
}

static const CbRtmpServerHandler ingest_handler = {
  ingest_connect, ingest_publish, ingest_play, ingest_media, ingest_end,
};

static void
on_published_ok (GObject      *source,
                 GAsyncResult *res,
                 gpointer      data)
{
  Result *r = data;

  r->calls++;
  cb_rtmp_client_publish_finish (CB_RTMP_CLIENT (source), res, &r->error);
}

static gboolean
on_deadline (gpointer data)
{
  g_error ("%s: no answer within 20 s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static GBytes *
pattern (gsize  len,
         guint8 seed)
{
  guint8 *p = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) (seed + i * 7);
  return g_bytes_new_take (p, len);
}

/* Media sent one by one and from shared forms arrives whole and in order, through the
 * client's and the server's gathered writes and session cores on real sockets. */
static void
test_client_publish_forms (void)
{
  Ingest in = { g_ptr_array_new_with_free_func (g_free),
                g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  g_autoptr(CbRtmpServer) server = cb_rtmp_server_new (&ingest_handler, &in);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CbRtmpUrl) url = NULL;
  g_autoptr(CbRtmpClient) client = NULL;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  CbRtmpClientConfig config = { .stream_name = "cam", .timeout_ms = 5000 };
  Result r = { 0 };
  guint deadline;
  const gsize sizes[] = { 1, 4095, 4096, 4097, 50000, 200000 };

  g_assert_true (cb_rtmp_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  text = g_strdup_printf ("rtmp://127.0.0.1:%u/live", cb_rtmp_server_get_port (server));
  url = cb_rtmp_url_parse (text, NULL);
  config.url = url;
  client = cb_rtmp_client_new (&config);
  deadline = g_timeout_add_seconds (20, on_deadline, "publish");
  cb_rtmp_client_publish_async (client, NULL, on_published_ok, &r);
  while (r.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_cmpuint (in.published, ==, 1);
  g_assert_cmpuint (cb_rtmp_client_get_chunk_size (client), ==, 4096);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) payload = pattern (sizes[i], (guint8) i);
      guint8 type = i % 2 ? 9 : 8;

      if (i % 3 == 0)
        {
          g_assert_true (cb_rtmp_client_send (client, type, 1000 + i * 40, payload));
        }
      else
        {
          /* The stream's own timestamps and message stream id: the client uses its own. */
          g_autoptr(CbRtmpMessage) m = cb_rtmp_message_new (cb_rtmp_media_csid (type), type, 1,
                                                            i * 40, payload);
          g_autoptr(CbRtmpChunkForm) form =
            cb_rtmp_chunk_form_new (m, cb_rtmp_client_get_chunk_size (client), NULL);

          g_assert_true (cb_rtmp_client_send_form (client, form, 1000 + i * 40));
        }
      g_ptr_array_add (sent, g_steal_pointer (&payload));
    }
  g_assert_cmpuint (cb_rtmp_client_get_queued_bytes (client), >, 0);
  while (in.media->len < G_N_ELEMENTS (sizes))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *want = g_strdup_printf ("%u %u %" G_GSIZE_FORMAT, i % 2 ? 9 : 8,
                                               1000 + i * 40, sizes[i]);

      g_assert_cmpstr (g_ptr_array_index (in.media, i), ==, want);
      g_assert_true (g_bytes_equal (g_ptr_array_index (in.payloads, i),
                                    g_ptr_array_index (sent, i)));
    }
  g_assert_false (cb_rtmp_client_is_congested (client));

  cb_rtmp_client_close (client, FALSE);
  cb_rtmp_server_stop (server);
  g_assert_cmpuint (in.ended, ==, 1);
  g_ptr_array_unref (in.media);
  g_ptr_array_unref (in.payloads);
  /* Closed and stopped: no socket callback or pending write keeps either. */
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&server));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/rtmp/client/second-publish", test_client_second_publish);
  g_test_add_func ("/cb/rtmp/client/publish-forms", test_client_publish_forms);
  return g_test_run ();
}
