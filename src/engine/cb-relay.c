/* cb-relay.c — relay a stream to another server over WebRTC (WCS /pull/push)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A relay is a consumer of a local stream feeding a WebRTC client that publishes to the
 * other server (a WCS server, another Castbridge, or a WHIP endpoint). Media is attached
 * once the connection is up, so the remote side starts on a keyframe.
 */
#include "cb-relay.h"
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
relay_free (Relay *r)
{
  relay_detach (r);
  if (r->stream != NULL)
    g_clear_signal_handler (&r->stream_changed_id, r->stream);
  if (r->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (r->client, r);
      g_signal_handlers_disconnect_by_data (cb_webrtc_client_get_peer (r->client), r);
      cb_webrtc_client_stop (r->client);
      g_clear_object (&r->client);
    }
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
  static const char *statuses[] = { "PENDING", "PUBLISHING", "FAILED", "UNPUBLISHED" };
  CbWebrtcClientState state = cb_webrtc_client_get_state (r->client);

  info->local_media_session_id = g_strdup (cb_stream_get_media_session_id (r->stream));
  info->remote_media_session_id = g_strdup (cb_webrtc_client_get_remote_id (r->client));
  info->local_stream_name = g_strdup (r->local_name);
  info->remote_stream_name = g_strdup (r->remote_name);
  info->uri = g_strdup (r->uri);
  info->status = g_strdup (statuses[CLAMP ((int) state, 0, 3)]);
  info->info = g_strdup (r->info);
  return info;
}

static void
on_client_connected (CbWebrtcClient *client,
                     gpointer        data)
{
  Relay *r = data;
  CbWebrtcPeer *peer = cb_webrtc_client_get_peer (client);
  g_autoptr(GstCaps) vcaps = cb_stream_dup_caps (r->stream, CB_MEDIA_VIDEO);
  g_autoptr(GError) error = NULL;
  CbProfile profile = { 0 };

  if (r->consumer != NULL)
    return;
  if (vcaps != NULL && g_strcmp0 (cb_media_codec_from_caps (vcaps), "H264") != 0)
    profile.keyframe_interval = 60;   /* the offer is H.264: transcode a VP8 source */
  r->consumer = cb_stream_attach_appsrc (r->stream, cb_webrtc_peer_get_appsrc (peer, 0),
                                         cb_webrtc_peer_get_appsrc (peer, 1), &profile,
                                         CB_AUDIO_OPUS, &error);
  if (r->consumer == NULL)
    g_warning ("relay of %s: %s", r->local_name, error->message);
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
  g_info ("relay %s → %s: %s %s", r->local_name, r->remote_name,
          cb_webrtc_client_state_to_string (state), reason ? reason : "");
  if (state == CB_WEBRTC_CLIENT_FAILED || state == CB_WEBRTC_CLIENT_STOPPED)
    relay_detach (r);
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

CbRelayInfo *
cb_engine_relay_push (CbEngine    *self,
                      const char  *uri,
                      const char  *local_name,
                      const char  *remote_name,
                      GError     **error)
{
  GPtrArray *relays = relays_of (self);
  CbSettings *settings = cb_engine_get_settings (self);
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GError) client_error = NULL;
  Relay *r;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (remote_name == NULL || *remote_name == '\0')
    remote_name = local_name;
  stream = local_name ? cb_engine_lookup_stream (self, local_name) : NULL;
  if (stream == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return NULL;
    }
  for (guint i = 0; i < relays->len; i++)
    {
      Relay *o = g_ptr_array_index (relays, i);

      if (g_strcmp0 (o->uri, uri) == 0 && g_strcmp0 (o->local_name, local_name) == 0 &&
          g_strcmp0 (o->remote_name, remote_name) == 0 &&
          cb_webrtc_client_get_state (o->client) != CB_WEBRTC_CLIENT_FAILED &&
          cb_webrtc_client_get_state (o->client) != CB_WEBRTC_CLIENT_STOPPED)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                       "This stream is already relayed there");
          return NULL;
        }
    }

  r = g_new0 (Relay, 1);
  r->client = cb_webrtc_client_new (uri, remote_name,
                                    (guint) cb_settings_get_int (settings, "media_port_from"),
                                    (guint) cb_settings_get_int (settings, "media_port_to"),
                                    &client_error);
  if (r->client == NULL)
    {
      g_free (r);
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "%s", client_error->message);
      return NULL;
    }
  r->engine = self;
  r->uri = g_strdup (uri);
  r->local_name = g_strdup (local_name);
  r->remote_name = g_strdup (remote_name);
  r->stream = g_object_ref (stream);
  g_signal_connect (r->client, "connected", G_CALLBACK (on_client_connected), r);
  g_signal_connect (r->client, "state-changed", G_CALLBACK (on_client_state), r);
  g_signal_connect (cb_webrtc_client_get_peer (r->client), "keyframe-requested",
                    G_CALLBACK (on_keyframe_requested), r);
  r->stream_changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_stream_changed), r);
  g_ptr_array_add (relays, r);
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

      if ((uri != NULL && g_strcmp0 (uri, r->uri) != 0) ||
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
