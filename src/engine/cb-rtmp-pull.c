/* cb-rtmp-pull.c — pull a stream from another RTMP server into a local stream (WCS /pull/rtmp)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pull is a producer: an RTMP player connection whose tags go through the same ingest
 * bridge as a publish. The local stream lives as long as the pull, across reconnections:
 * its consumers see a pause, not an end, and the timeline goes on where it was.
 */
#include "config.h"

#include "cb-engine-error.h"
#include "cb-engine-private.h"
#include "cb-redact.h"
#include "cb-rtmp-ingest.h"
#include "cb-rtmp-player.h"
#include "cb-rtmp-pull.h"
#include "cb-rtmp-url.h"

#define PULLS_KEY        "cb-rtmp-pulls"
#define CONNECT_TIMEOUT  10000
#define MAX_BACKOFF_MS   30000

typedef struct {
  gint             ref_count;
  CbEngine        *engine;        /* weak: the engine owns the registry */
  char            *uri_key;       /* the parsed URI written back: what duplicates compare */
  char            *uri_masked;    /* the uri as given, through cb_redact_url() */
  CbRtmpUrl       *url;
  char            *name;
  gboolean         record;
  CbStream        *stream;
  CbRtmpIngest    *ingest;
  CbRtmpPlayer    *player;
  CbRtmpPullState  state;
  gboolean         stopped;
  GSource         *retry_source;
  gint64           retry_at;
  guint            attempts;      /* failed attempts since the last success */
  guint            reconnects;
  char            *last_error;
} Pull;

const char *
cb_rtmp_pull_state_to_string (CbRtmpPullState state)
{
  static const char *names[] = { "CONNECTING", "PLAYING", "WAITING" };

  return (guint) state < G_N_ELEMENTS (names) ? names[state] : "FAILED";
}

void
cb_rtmp_pull_info_free (CbRtmpPullInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->uri);
  g_free (info->local_stream_name);
  g_free (info->local_media_session_id);
  g_free (info->last_error);
  g_free (info);
}

static Pull *
pull_ref (Pull *p)
{
  p->ref_count++;
  return p;
}

static void
pull_unref (gpointer data)
{
  Pull *p = data;

  if (--p->ref_count > 0)
    return;
  g_assert (p->player == NULL && p->retry_source == NULL);
  g_free (p->uri_key);
  g_free (p->uri_masked);
  g_clear_pointer (&p->url, cb_rtmp_url_free);
  g_free (p->name);
  g_clear_pointer (&p->ingest, cb_rtmp_ingest_free);
  g_clear_object (&p->stream);
  g_free (p->last_error);
  g_free (p);
}

static GPtrArray *
registry (CbEngine *engine)
{
  GPtrArray *pulls = g_object_get_data (G_OBJECT (engine), PULLS_KEY);

  if (pulls == NULL)
    {
      pulls = g_ptr_array_new_with_free_func (pull_unref);
      g_object_set_data_full (G_OBJECT (engine), PULLS_KEY, pulls,
                              (GDestroyNotify) g_ptr_array_unref);
    }
  return pulls;
}

static CbRtmpPullInfo *
pull_info (Pull *p)
{
  CbRtmpPullInfo *info = g_new0 (CbRtmpPullInfo, 1);

  info->uri = g_strdup (p->uri_masked);
  info->local_stream_name = g_strdup (p->name);
  info->local_media_session_id = g_strdup (cb_stream_get_media_session_id (p->stream));
  info->state = p->state;
  info->record = p->record;
  info->reconnects = p->reconnects;
  info->last_error = g_strdup (p->last_error);
  info->retry_at = p->retry_at;
  info->bytes_received = p->player ? cb_rtmp_player_get_bytes_received (p->player) : 0;
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    {
      g_autoptr(GstCaps) caps = cb_stream_dup_caps (p->stream, k);

      if (caps != NULL)
        *(k == CB_MEDIA_AUDIO ? &info->has_audio : &info->has_video) = TRUE;
    }
  return info;
}

static void
drop_player (Pull *p)
{
  if (p->player == NULL)
    return;
  g_signal_handlers_disconnect_by_data (p->player, p);
  cb_rtmp_player_close (p->player);
  g_clear_object (&p->player);
}

static void
clear_retry (Pull *p)
{
  if (p->retry_source != NULL)
    {
      g_source_destroy (p->retry_source);
      g_clear_pointer (&p->retry_source, g_source_unref);
    }
  p->retry_at = 0;
}

static void connect_now (Pull *p);

static gboolean
on_retry (gpointer data)
{
  Pull *p = data;

  g_clear_pointer (&p->retry_source, g_source_unref);
  p->retry_at = 0;
  p->reconnects++;
  connect_now (p);
  return G_SOURCE_REMOVE;
}

static void
on_player_started (CbRtmpPlayer *player,
                   gpointer      data)
{
  Pull *p = data;

  p->state = CB_RTMP_PULL_PLAYING;
  p->attempts = 0;
  g_clear_pointer (&p->last_error, g_free);
  g_info ("RTMP pull %s → %s playing", p->uri_masked, p->name);
}

static void
on_player_media (CbRtmpPlayer *player,
                 guint         type_id,
                 guint         timestamp,
                 GBytes       *payload,
                 gpointer      data)
{
  Pull *p = data;
  g_autoptr(GError) error = NULL;

  if (!cb_rtmp_ingest_push (p->ingest, (guint8) type_id, timestamp, payload, &error))
    g_debug ("RTMP pull %s: tag dropped: %s", p->uri_masked, error->message);
}

static void
on_player_closed (CbRtmpPlayer *player,
                  const GError *reason,
                  gpointer      data)
{
  Pull *p = data;
  CbSettings *settings = cb_engine_get_settings (p->engine);
  gint64 max_attempts = cb_settings_get_int (settings, "rtmp_pull_restore_attempts");
  guint interval = (guint) CLAMP (cb_settings_get_int (settings, "rtmp_pull_restore_interval_ms"),
                                  100, 3600 * 1000);
  g_autofree char *why = g_strdup (reason ? reason->message : "Connection closed");
  guint delay;

  if (p->stopped)
    return;
  g_signal_handlers_disconnect_by_data (player, p);
  g_clear_object (&p->player);
  g_free (p->last_error);
  p->last_error = g_strdup (why);
  g_info ("RTMP pull %s → %s: %s", p->uri_masked, p->name, why);

  /* The source's clock starts again with the next connection. */
  cb_rtmp_ingest_discontinuity (p->ingest);
  p->attempts++;
  if (!cb_settings_get_bool (settings, "rtmp_pull_restore") ||
      (max_attempts >= 0 && p->attempts > (guint64) max_attempts))
    {
      g_autofree char *info = g_strdup_printf ("Failed to pull: %s", why);

      cb_engine_remove_stream (p->engine, p->stream, CB_STREAM_FAILED, info);
      return;
    }
  /* Back off when the source stays away, so that many pulls spread out. */
  delay = (guint) MIN ((guint64) interval << MIN (p->attempts - 1, 4u), MAX_BACKOFF_MS);
  delay = MAX (delay, interval);
  p->state = CB_RTMP_PULL_WAITING;
  p->retry_at = g_get_real_time () / 1000 + delay;
  p->retry_source = g_timeout_source_new (delay);
  g_source_set_callback (p->retry_source, on_retry, p, NULL);
  g_source_attach (p->retry_source, cb_engine_get_context (p->engine));
}

static void
connect_now (Pull *p)
{
  CbSettings *settings = cb_engine_get_settings (p->engine);
  CbRtmpPlayerConfig config = { 0 };

  drop_player (p);
  config.url = p->url;
  config.timeout_ms = CONNECT_TIMEOUT;
  config.tls_validation = !cb_settings_get_bool (settings, "rtmp_tls_no_verify");
  p->player = cb_rtmp_player_new (&config);
  p->state = CB_RTMP_PULL_CONNECTING;
  g_signal_connect (p->player, "started", G_CALLBACK (on_player_started), p);
  g_signal_connect (p->player, "media", G_CALLBACK (on_player_media), p);
  g_signal_connect (p->player, "closed", G_CALLBACK (on_player_closed), p);
  cb_rtmp_player_start (p->player);
}

/* The engine ends the local stream: /pull/rtmp/terminate, /stream/terminate, a pull that
 * gave up, shutdown. */
static void
pull_stop (gpointer    data,
           const char *info)
{
  Pull *p = data;
  GPtrArray *pulls = registry (p->engine);

  if (p->stopped)
    return;
  p->stopped = TRUE;
  clear_retry (p);
  drop_player (p);
  g_info ("RTMP pull %s → %s ended: %s", p->uri_masked, p->name, info ? info : "");
  g_ptr_array_remove (pulls, p);
}

CbRtmpPullInfo *
cb_rtmp_pull_start (CbEngine    *engine,
                    const char  *uri,
                    const char  *local_name,
                    gboolean     record,
                    GError     **error)
{
  g_autoptr(GError) url_error = NULL;
  g_autoptr(CbRtmpUrl) url = NULL;
  g_autoptr(CbStream) stream = NULL;
  g_autofree char *key = NULL;
  g_autofree char *source = NULL;
  GPtrArray *pulls;
  CbEngineAddFlags flags = 0;
  Pull *p;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  if (uri == NULL || *uri == '\0')
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Missing uri");
      return NULL;
    }
  url = cb_rtmp_url_parse (uri, &url_error);
  if (url == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Bad URI: %s",
                   url_error->message);
      return NULL;
    }
  if (url->stream == NULL || *url->stream == '\0')
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                           "Bad URI: it names no stream to play");
      return NULL;
    }
  if (local_name == NULL || *local_name == '\0')
    {
      /* WCS names the stream after the URI (players ask for "rtmp://host/app/name"); the
       * parser has checked it (no spaces, controls or "..") but for its length. */
      if (url->username != NULL || url->password != NULL || url->query != NULL)
        {
          g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                               "Give localStreamName: the uri carries credentials or a query, "
                               "which a stream named after it would show");
          return NULL;
        }
      if (strlen (uri) > 255)
        {
          g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                               "Give localStreamName: the uri is too long for a stream name");
          return NULL;
        }
      local_name = uri;
      flags |= CB_ENGINE_ADD_URI_NAME;
    }
  else if (!cb_engine_validate_stream_name (local_name, error))
    return NULL;

  key = cb_rtmp_url_to_string (url);
  pulls = registry (engine);
  for (guint i = 0; i < pulls->len; i++)
    if (g_str_equal (((Pull *) g_ptr_array_index (pulls, i))->uri_key, key))
      {
        g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                             "This URI is already pulled");
        return NULL;
      }

  p = g_new0 (Pull, 1);
  p->ref_count = 1;
  p->engine = engine;
  p->uri_key = g_steal_pointer (&key);
  /* The stream key is hidden, but not when the stream is named after the uri: its name
   * shows it wherever streams are listed, and the uri is shown as that name. */
  p->uri_masked = cb_redact_url (uri, (flags & CB_ENGINE_ADD_URI_NAME) ? CB_REDACT_DEFAULT
                                                                       : CB_REDACT_KEY_IN_PATH);
  p->url = g_steal_pointer (&url);
  p->name = g_strdup (local_name);
  p->record = record;

  stream = cb_stream_new (local_name, "RTMP");
  source = g_strdup_printf ("pull %s", p->uri_masked);
  cb_stream_set_source (stream, source);
  cb_stream_set_rtmp_pull (stream);
  p->stream = g_object_ref (stream);
  p->ingest = cb_rtmp_ingest_new (stream);

  if (!cb_engine_add_stream_full (engine, stream, flags, pull_stop, pull_ref (p), pull_unref, error))
    {
      pull_unref (p);
      return NULL;
    }
  g_ptr_array_add (pulls, p);
  connect_now (p);
  if (record)
    {
      g_autoptr(GError) record_error = NULL;

      /* The recorder waits for the pulled media; a failure to record is no failed pull. */
      if (!cb_engine_record_start (engine, cb_stream_get_media_session_id (stream), NULL,
                                   &record_error))
        g_warning ("recording the pull of %s: %s", p->uri_masked, record_error->message);
    }
  return pull_info (p);
}

GPtrArray *
cb_rtmp_pull_list (CbEngine *engine)
{
  GPtrArray *pulls;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_pull_info_free);

  g_return_val_if_fail (CB_IS_ENGINE (engine), out);

  pulls = registry (engine);
  for (guint i = 0; i < pulls->len; i++)
    g_ptr_array_add (out, pull_info (g_ptr_array_index (pulls, i)));
  return out;
}

gboolean
cb_rtmp_pull_terminate (CbEngine    *engine,
                        const char  *uri,
                        GError     **error)
{
  g_autoptr(CbRtmpUrl) url = NULL;
  g_autofree char *key = NULL;
  GPtrArray *pulls;

  g_return_val_if_fail (CB_IS_ENGINE (engine), FALSE);

  url = uri != NULL ? cb_rtmp_url_parse (uri, NULL) : NULL;
  key = url != NULL ? cb_rtmp_url_to_string (url) : NULL;
  pulls = registry (engine);
  /* The uri as given, or as find_all showed it (the first pull that shows so). */
  for (guint i = 0; uri != NULL && i < pulls->len; i++)
    {
      Pull *p = g_ptr_array_index (pulls, i);

      if (g_strcmp0 (p->uri_key, key) == 0 || g_str_equal (p->uri_masked, uri))
        {
          g_autoptr(CbStream) stream = g_object_ref (p->stream);

          /* The one way a stream ends; it stops the pull through pull_stop(). */
          cb_engine_remove_stream (engine, stream, CB_STREAM_UNPUBLISHED,
                                   "Stopped by rest /terminate");
          return TRUE;
        }
    }
  g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Pull not found");
  return FALSE;
}
