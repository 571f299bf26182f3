/* cb-webrtc-client.h — publish to or play from another server over WebRTC: WCS WebSocket,
 * WHIP or WHEP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-webrtc-peer.h"

G_BEGIN_DECLS

typedef enum {
  CB_WEBRTC_CLIENT_CONNECTING,
  CB_WEBRTC_CLIENT_PUBLISHING,
  CB_WEBRTC_CLIENT_FAILED,
  CB_WEBRTC_CLIENT_STOPPED,
  CB_WEBRTC_CLIENT_PLAYING,
} CbWebrtcClientState;

const char *cb_webrtc_client_state_to_string (CbWebrtcClientState state);

#define CB_TYPE_WEBRTC_CLIENT (cb_webrtc_client_get_type ())
G_DECLARE_FINAL_TYPE (CbWebrtcClient, cb_webrtc_client, CB, WEBRTC_CLIENT, GObject)

/* @url: ws:// or wss:// (a WCS server, or another Castbridge's WebSocket port) or http://
 * or https:// (a WHIP endpoint). Fails with CB_WEBRTC_ERROR_FAILED for another scheme.
 * Lives on the thread-default GMainContext. Signal "state-changed" (int state, const char
 * *reason) there; "connected" () when media can flow (attach the media then). */
CbWebrtcClient     *cb_webrtc_client_new        (const char     *url,
                                                 const char     *stream_name,
                                                 guint           port_min,
                                                 guint           port_max,
                                                 GError        **error);
/* Plays @stream_name from @url: ws:// or wss:// (WCS `playStream`) or http(s):// (a WHEP
 * endpoint, the full URL such as http://host:8081/whep/name). The media comes through
 * the peer's media func (set it before starting): H.264 (avc, au, codec_data) and Opus,
 * timestamps in the peer's running time. States: CONNECTING, PLAYING, FAILED, STOPPED. */
CbWebrtcClient     *cb_webrtc_client_new_player (const char     *url,
                                                 const char     *stream_name,
                                                 guint           port_min,
                                                 guint           port_max,
                                                 GError        **error);
CbWebrtcPeer       *cb_webrtc_client_get_peer   (CbWebrtcClient *self);
/* The id of the publish or play on the remote server: the mediaSessionId we gave it
 * (WCS), or the last segment of the WHIP/WHEP resource (Castbridge's mediaSessionId). */
const char         *cb_webrtc_client_get_remote_id (CbWebrtcClient *self);
CbWebrtcClientState cb_webrtc_client_get_state  (CbWebrtcClient *self);
void                cb_webrtc_client_start      (CbWebrtcClient *self);
/* Ends the publish or play on the remote side (unPublishStream or stopStream, or the
 * WHIP/WHEP resource's DELETE). */
void                cb_webrtc_client_stop       (CbWebrtcClient *self);

G_END_DECLS
