/* cb-relay.c — relay streams to and from other servers over WebRTC (WCS /pull/push and
 * /pull/pull)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A push relay is a consumer of a local stream feeding a WebRTC client that publishes to
 * the other server (a WCS server, another Castbridge, or a WHIP endpoint). Media is
 * attached once the connection is up, so the remote side starts on a keyframe.
 *
 * A pull relay is a producer: a WebRTC client plays the remote stream (WCS playStream, or
 * WHEP) and its frames go into a local stream, as a browser publisher's do. The relay
 * stays listed after its stream ends (with the reason) until /pull/terminate.
 */
#include "cb-context.h"
#include "cb-engine-private.h"
#include "cb-redact.h"
#include "cb-relay.h"
#include "cb-vod.h"
#include "cb-webrtc-client.h"

typedef struct {
  CbEngine       *engine;
  char           *uri;
  char           *local_name;
  char           *remote_name;
  CbStream       *stream;
  CbWebrtcClient *client;
  CbConsumer     *consumer;
  gulong          stream_changed_id;
  char           *info;

  /* Pull relays. */
  gboolean        pull;
  gboolean        stream_removed;
} Relay;

/* The engine's relays, on its context only (set on the engine object). */
static GPtrArray *
relays_of (CbEngine *engine)
{
  GPtrArray *relays = g_object_get_data (G_OBJECT (engine), "cb-relays");

  if (relays == NULL)
    {
      relays = g_ptr_array_new ();
      g_object_set_data_full (G_OBJECT (engine), "cb-relays", relays,
                              (GDestroyNotify) g_ptr_array_unref);
    }
  return relays;
}

void
cb_relay_info_free (CbRelayInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->local_media_session_id);
  g_free (info->remote_media_session_id);
  g_free (info->local_stream_name);
  g_free (info->remote_stream_name);
  g_free (info->uri);
  g_free (info->status);
  g_free (info->info);
  g_free (info);
}

static void
relay_detach (Relay *r)
{
  g_clear_pointer (&r->consumer, cb_consumer_detach);
}

static void
relay_stop_client (Relay *r)
{
  if (r->client == NULL)
    return;
  g_signal_handlers_disconnect_by_data (r->client, r);
  g_signal_handlers_disconnect_by_data (cb_webrtc_client_get_peer (r->client), r);
  /* After this returns no frame of the peer reaches us. */
  cb_webrtc_peer_set_media_func (cb_webrtc_client_get_peer (r->client), NULL, NULL, NULL);
  if (cb_webrtc_client_get_state (r->client) != CB_WEBRTC_CLIENT_FAILED)   /* keep the reason */
    cb_webrtc_client_stop (r->client);
}

static void
relay_free (Relay *r)
{
  relay_detach (r);
  if (r->pull && !r->stream_removed)
    {
      /* The one way a stream ends; it comes back through pull_stopped(). */
      cb_engine_remove_stream (r->engine, r->stream, CB_STREAM_UNPUBLISHED,
                               "Stopped by rest /terminate");
    }
  if (r->stream != NULL)
    g_clear_signal_handler (&r->stream_changed_id, r->stream);
  relay_stop_client (r);
  g_clear_object (&r->client);
  g_clear_object (&r->stream);
  g_free (r->uri);
  g_free (r->local_name);
  g_free (r->remote_name);
  g_free (r->info);
  g_free (r);
}

static CbRelayInfo *
relay_info (Relay *r)
{
  CbRelayInfo *info = g_new0 (CbRelayInfo, 1);
  static const char *statuses[] = { "PENDING", "PUBLISHING", "FAILED", "UNPUBLISHED", "PLAYING" };
  CbWebrtcClientState state = cb_webrtc_client_get_state (r->client);

  info->local_media_session_id = g_strdup (cb_stream_get_media_session_id (r->stream));
  info->remote_media_session_id = g_strdup (cb_webrtc_client_get_remote_id (r->client));
  info->local_stream_name = g_strdup (r->local_name);
  info->remote_stream_name = g_strdup (r->remote_name);
  info->uri = cb_redact_url (r->uri, CB_REDACT_DEFAULT);
  info->status = g_strdup (statuses[CLAMP ((int) state, 0, (int) G_N_ELEMENTS (statuses) - 1)]);
  info->pull = r->pull;
  if (r->pull && state == CB_WEBRTC_CLIENT_STOPPED)
    info->status = (g_free (info->status), g_strdup ("STOPPED"));
  info->info = g_strdup (r->info);
  return info;
}

static void
on_client_connected (CbWebrtcClient *client,
                     gpointer        data)
{
  Relay *r = data;
  CbWebrtcPeer *peer = cb_webrtc_client_get_peer (client);
  g_autoptr(GError) error = NULL;
  CbProfile profile = { 0 };

  if (r->consumer != NULL)
    return;
  /* The offer is H.264 without B-frames: a VP8 source, or one with B-frames, is
   * transcoded when allowed, by the rule of every consumer. */
  if (!cb_engine_want_video (r->engine, r->stream, "H264", FALSE, NULL, 60, &profile, &error))
    {
      g_warning ("relay of %s: %s", r->local_name, error->message);
      return;
    }
  r->consumer = cb_stream_attach_appsrc (r->stream, cb_webrtc_peer_get_appsrc (peer, 0),
                                         cb_webrtc_peer_get_appsrc (peer, 1), &profile,
                                         CB_AUDIO_OPUS, &error);
  if (r->consumer == NULL)
    g_warning ("relay of %s: %s", r->local_name, error->message);
}

/* A failed pull ends its stream, from the engine context. */
typedef struct {
  CbEngine *engine;
  CbStream *stream;
  char     *reason;
} PullFailure;

static gboolean
remove_failed_pull (gpointer data)
{
  PullFailure *f = data;

  cb_engine_remove_stream (f->engine, f->stream, CB_STREAM_FAILED, f->reason);
  return G_SOURCE_REMOVE;
}

static void
pull_failure_free (gpointer data)
{
  PullFailure *f = data;

  g_object_unref (f->stream);
  g_free (f->reason);
  g_free (f);
}

static void
on_client_state (CbWebrtcClient *client,
                 int             state,
                 const char     *reason,
                 gpointer        data)
{
  Relay *r = data;

  if (reason != NULL)
    {
      g_free (r->info);
      r->info = g_strdup (reason);
    }
  g_info ("relay %s %s %s: %s %s", r->local_name, r->pull ? "←" : "→", r->remote_name,
          cb_webrtc_client_state_to_string (state), reason ? reason : "");
  if (!r->pull && (state == CB_WEBRTC_CLIENT_FAILED || state == CB_WEBRTC_CLIENT_STOPPED))
    relay_detach (r);
  else if (r->pull && state == CB_WEBRTC_CLIENT_FAILED && !r->stream_removed)
    {
      /* Not from inside the client's own signal: the stream's end stops the client. */
      PullFailure *f = g_new0 (PullFailure, 1);

      f->engine = r->engine;
      f->stream = g_object_ref (r->stream);
      f->reason = g_strdup (reason ? reason : "Failed");
      cb_idle_on (g_main_context_get_thread_default (), G_PRIORITY_DEFAULT, remove_failed_pull,
                  f, pull_failure_free);
    }
}

static void
on_keyframe_requested (CbWebrtcPeer *peer,
                       gpointer      data)
{
  Relay *r = data;

  cb_stream_request_keyframe (r->stream);
}

static void
on_stream_changed (CbStream *stream,
                   gpointer  data)
{
  Relay *r = data;

  if (cb_stream_status_is_final (cb_stream_get_status (stream)))
    {
      relay_detach (r);
      cb_webrtc_client_stop (r->client);
    }
}

/* 409 when the same relay is running already. */
static gboolean
check_duplicate (CbEngine    *self,
                 gboolean     pull,
                 const char  *uri,
                 const char  *local_name,
                 const char  *remote_name,
                 GError     **error)
{
  GPtrArray *relays = relays_of (self);

  for (guint i = 0; i < relays->len; i++)
    {
      Relay *o = g_ptr_array_index (relays, i);
      CbWebrtcClientState state = cb_webrtc_client_get_state (o->client);

      if (o->pull == pull && g_strcmp0 (o->uri, uri) == 0 &&
          g_strcmp0 (o->local_name, local_name) == 0 &&
          g_strcmp0 (o->remote_name, remote_name) == 0 &&
          state != CB_WEBRTC_CLIENT_FAILED && state != CB_WEBRTC_CLIENT_STOPPED)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                       pull ? "This stream is already pulled from there"
                            : "This stream is already relayed there");
          return FALSE;
        }
    }
  return TRUE;
}

static Relay *
relay_new (CbEngine    *self,
           gboolean     pull,
           const char  *uri,
           const char  *local_name,
           const char  *remote_name,
           GError     **error)
{
  CbSettings *settings = cb_engine_get_settings (self);
  guint port_min = (guint) cb_settings_get_int (settings, "media_port_from");
  guint port_max = (guint) cb_settings_get_int (settings, "media_port_to");
  g_autoptr(GError) client_error = NULL;
  Relay *r = g_new0 (Relay, 1);

  r->client = pull ? cb_webrtc_client_new_player (uri, remote_name, port_min, port_max, &client_error)
                   : cb_webrtc_client_new (uri, remote_name, port_min, port_max, &client_error);
  if (r->client == NULL)
    {
      g_free (r);
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "%s", client_error->message);
      return NULL;
    }
  r->pull = pull;
  r->engine = self;
  r->uri = g_strdup (uri);
  r->local_name = g_strdup (local_name);
  r->remote_name = g_strdup (remote_name);
  return r;
}

CbRelayInfo *
cb_engine_relay_push (CbEngine    *self,
                      const char  *uri,
                      const char  *local_name,
                      const char  *remote_name,
                      GError     **error)
{
  g_autoptr(CbStream) stream = NULL;
  Relay *r;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (remote_name == NULL || *remote_name == '\0')
    remote_name = local_name;
  /* Any stream a player could play, a shared VOD too; a personal one has its own viewer. */
  if (cb_vod_parse_name (local_name, NULL, NULL) == CB_VOD_PERSONAL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Bad URI: a vod:// stream has one viewer; relay vod-live:// instead");
      return NULL;
    }
  stream = cb_engine_open_play_stream (self, local_name, error);
  if (stream == NULL)
    return NULL;
  if (!check_duplicate (self, FALSE, uri, local_name, remote_name, error))
    return NULL;
  r = relay_new (self, FALSE, uri, local_name, remote_name, error);
  if (r == NULL)
    return NULL;
  r->stream = g_object_ref (stream);
  g_signal_connect (r->client, "connected", G_CALLBACK (on_client_connected), r);
  g_signal_connect (r->client, "state-changed", G_CALLBACK (on_client_state), r);
  g_signal_connect (cb_webrtc_client_get_peer (r->client), "keyframe-requested",
                    G_CALLBACK (on_keyframe_requested), r);
  r->stream_changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_stream_changed), r);
  g_ptr_array_add (relays_of (self), r);
  cb_webrtc_client_start (r->client);
  return relay_info (r);
}

/* ---- pull ------------------------------------------------------------------ */

static void
pull_keyframe (gpointer data)
{
  Relay *r = data;

  if (r->client != NULL)
    cb_webrtc_peer_request_keyframe (cb_webrtc_client_get_peer (r->client));
}

/* The engine's stop callback: the pulled stream ends (terminate, or the remote failed). */
static void
pull_stopped (gpointer    data,
              const char *info)
{
  Relay *r = data;

  r->stream_removed = TRUE;
  cb_stream_set_keyframe_func (r->stream, NULL, NULL);
  relay_stop_client (r);
}

CbRelayInfo *
cb_engine_relay_pull (CbEngine    *self,
                      const char  *uri,
                      const char  *local_name,
                      const char  *remote_name,
                      GError     **error)
{
  g_autoptr(CbStream) stream = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *source = NULL;
  Relay *r;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (remote_name == NULL || *remote_name == '\0')
    remote_name = local_name;
  if (local_name == NULL || *local_name == '\0')
    local_name = remote_name;
  if (!cb_engine_validate_stream_name (local_name, error))
    return NULL;
  stream = cb_engine_lookup_stream (self, local_name);
  if (stream != NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS, "Stream name is already in use");
      return NULL;
    }
  if (!check_duplicate (self, TRUE, uri, local_name, remote_name, error))
    return NULL;
  r = relay_new (self, TRUE, uri, local_name, remote_name, error);
  if (r == NULL)
    return NULL;

  r->stream = cb_stream_new (local_name, "WebRTC");
  shown = cb_redact_url (uri, CB_REDACT_DEFAULT);
  source = g_strdup_printf ("pull %s", shown);
  cb_stream_set_source (r->stream, source);
  cb_webrtc_peer_set_media_func (cb_webrtc_client_get_peer (r->client), cb_stream_push_webrtc_media,
                                 g_object_ref (r->stream), g_object_unref);
  if (!cb_engine_add_stream (self, r->stream, pull_stopped, r, NULL, error))
    {
      r->stream_removed = TRUE;
      relay_free (r);
      return NULL;
    }
  cb_stream_set_keyframe_func (r->stream, pull_keyframe, r);
  g_signal_connect (r->client, "state-changed", G_CALLBACK (on_client_state), r);
  g_ptr_array_add (relays_of (self), r);
  cb_webrtc_client_start (r->client);
  return relay_info (r);
}

GPtrArray *
cb_engine_list_relays (CbEngine *self)
{
  GPtrArray *relays = relays_of (self);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_relay_info_free);

  for (guint i = 0; i < relays->len; i++)
    g_ptr_array_add (out, relay_info (g_ptr_array_index (relays, i)));
  return out;
}

/* @uri as the request gave it, or as find_all showed it. */
static gboolean
relay_uri_is (Relay      *r,
              const char *uri)
{
  g_autofree char *shown = NULL;

  if (g_strcmp0 (uri, r->uri) == 0)
    return TRUE;
  shown = cb_redact_url (r->uri, CB_REDACT_DEFAULT);
  return g_strcmp0 (uri, shown) == 0;
}

gboolean
cb_engine_relay_terminate (CbEngine    *self,
                           const char  *uri,
                           const char  *local_name,
                           const char  *remote_name,
                           GError     **error)
{
  GPtrArray *relays = relays_of (self);
  gboolean found = FALSE;

  for (guint i = relays->len; i > 0; i--)
    {
      Relay *r = g_ptr_array_index (relays, i - 1);

      if ((uri != NULL && !relay_uri_is (r, uri)) ||
          (local_name != NULL && g_strcmp0 (local_name, r->local_name) != 0) ||
          (remote_name != NULL && g_strcmp0 (remote_name, r->remote_name) != 0))
        continue;
      g_ptr_array_remove_index (relays, i - 1);
      relay_free (r);
      found = TRUE;
    }
  if (!found)
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Relay not found");
  return found;
}

void
cb_engine_stop_all_relays (CbEngine *self)
{
  cb_engine_relay_terminate (self, NULL, NULL, NULL, NULL);
}
