/* cb-record-download.c — GET /client/records/<name>: recordings over HTTP, with Range
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read in chunks as the connection takes them (never mapped: a recording being
 * written grows, and a finisher may cut an unfinished fragment off its end), so that a
 * large recording costs one chunk of memory per download. The length is fixed when the
 * request comes: a download of a running recording gets what was written until then.
 */
#include "cb-record-download.h"
#include "cb-web-client.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#define RECORDS_PREFIX "/client/records/"
#define CHUNK_SIZE     (256 * 1024)

typedef struct {
  SoupServerMessage *msg;      /* weak: the message owns us through its signal */
  GInputStream      *in;
  goffset            left;
  gulong             chunk_id;
} Download;

static void
download_free (gpointer data,
               GClosure *closure)
{
  Download *d = data;

  g_clear_object (&d->in);
  g_free (d);
}

/* Appends the next chunk, or completes the body. */
static void
feed (Download *d)
{
  SoupMessageBody *body = soup_server_message_get_response_body (d->msg);
  gsize want = (gsize) MIN ((goffset) CHUNK_SIZE, d->left);
  g_autofree guint8 *buf = NULL;
  gsize got = 0;

  if (want == 0)
    {
      soup_message_body_complete (body);
      return;
    }
  buf = g_malloc (want);
  /* A local file read, bounded by one chunk: short enough for the server's context. */
  if (!g_input_stream_read_all (d->in, buf, want, &got, NULL, NULL) || got == 0)
    {
      /* The file shrank under us: end the body short; the client sees a broken download
       * rather than made-up bytes. */
      d->left = 0;
      soup_message_body_complete (body);
      return;
    }
  d->left -= got;
  soup_message_body_append_bytes (body, g_bytes_new_take (g_steal_pointer (&buf), got));
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                gpointer           data)
{
  feed (data);
  soup_server_message_unpause (msg);
}

static const char *
content_type (const char *name)
{
  if (g_str_has_suffix (name, ".mp4"))
    return "video/mp4";
  if (g_str_has_suffix (name, ".webm"))
    return "video/webm";
  return "application/octet-stream";
}

static void
on_records_request (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  CbEngine *engine = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *disposition = NULL;
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  goffset total;
  goffset start = 0;
  goffset length;
  GStatBuf st;
  Download *d;

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      cb_web_client_respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed\n");
      return;
    }
  if (!g_str_has_prefix (path, RECORDS_PREFIX))
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found\n");
      return;
    }
  /* Percent-decoded here ("%2F" stays refused: the engine takes plain names only, and an
   * encoded NUL makes the name NULL). */
  name = g_uri_unescape_string (path + strlen (RECORDS_PREFIX), "/");
  file = name ? cb_engine_resolve_record_file (engine, name, &error) : NULL;
  if (file == NULL || g_stat (file, &st) != 0)
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "File not found\n");
      return;
    }
  gfile = g_file_new_for_path (file);
  in = g_file_read (gfile, NULL, &error);
  if (in == NULL)
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_NOT_FOUND, "File not found\n");
      return;
    }

  total = st.st_size;
  length = total;
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_set_content_type (headers, content_type (name), NULL);
  {
    g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);

    disposition = g_strdup_printf ("inline; filename*=UTF-8''%s", escaped);
  }
  soup_message_headers_replace (headers, "Content-Disposition", disposition);

  if (soup_message_headers_get_one (req, "Range") != NULL &&
      soup_message_headers_get_ranges (req, total, &ranges, &n_ranges))
    {
      /* One range is what players ask for; several are answered with the first. libsoup
       * hands back ranges past the end as they are: those are unsatisfiable. */
      gboolean ok = n_ranges > 0 && ranges[0].start >= 0 && ranges[0].start < total &&
                    ranges[0].end >= ranges[0].start;

      if (ok)
        {
          start = ranges[0].start;
          length = MIN (ranges[0].end, total - 1) - start + 1;
        }
      soup_message_headers_free_ranges (req, ranges);
      if (!ok)
        {
          g_autofree char *unsatisfiable = g_strdup_printf ("bytes */%" G_GOFFSET_FORMAT, total);

          soup_message_headers_replace (headers, "Content-Range", unsatisfiable);
          cb_web_client_respond_text (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, "Range not satisfiable\n");
          return;
        }
      soup_message_headers_set_content_range (headers, start, start + length - 1, total);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
    }
  else
    /* No Range, or one that does not parse: the whole file (RFC 9110 lets us ignore it). */
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);

  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CONTENT_LENGTH);
  soup_message_headers_set_content_length (headers, length);
  if (method == SOUP_METHOD_HEAD || length == 0)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }
  if (start > 0 && !g_seekable_seek (G_SEEKABLE (in), start, G_SEEK_SET, NULL, &error))
    {
      cb_web_client_respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Cannot read the file\n");
      return;
    }

  d = g_new0 (Download, 1);
  d->msg = msg;
  d->in = G_INPUT_STREAM (g_steal_pointer (&in));
  d->left = length;
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  d->chunk_id = g_signal_connect_data (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), d,
                                       download_free, 0);
  feed (d);
}

void
cb_record_download_register (SoupServer *http,
                             CbEngine   *engine)
{
  g_return_if_fail (SOUP_IS_SERVER (http));
  g_return_if_fail (CB_IS_ENGINE (engine));

  soup_server_add_handler (http, "/client/records", on_records_request, engine, NULL);
}
