/* cb-webrtc-endpoint.h — WebRTC publishers and players of the embedded server
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"
#include "cb-webrtc-peer.h"

G_BEGIN_DECLS

/**
 * CbWebrtcRequest:
 * @name: the stream's name
 * @media_session_id: (nullable): the client's id for this publish or play (WCS clients
 *   make one), or %NULL for a new one
 * @sdp: the client's offer
 * @remote_address: (nullable): who asks, for people to read ("WebRTC 10.0.0.5:51234")
 * @loopback_address: (nullable): "127.0.0.1" or "::1" when the client reached us over
 *   loopback: our candidates are then on loopback only (the path it already uses)
 * @local_address: (nullable): play only: the address the client reached the server on;
 *   the shared egress's candidate when the server listens on all addresses
 * @rtmp_url: (nullable): publish only: push to this RTMP URL as soon as it publishes
 * @width: play only: transcode to this width (with @height)
 * @height: play only: transcode to this height; 0 plays the stream as it is
 */
typedef struct {
  const char *name;
  const char *media_session_id;
  const char *sdp;
  const char *remote_address;
  const char *loopback_address;
  const char *local_address;
  const char *rtmp_url;
  int         width;
  int         height;
} CbWebrtcRequest;

/* Called once on the engine context with the answer SDP, or with the error that ended the
 * stream before there was one (the stream is then FAILED and removed). */
typedef void (*CbWebrtcAnswerFunc) (CbStream     *stream,
                                    const char   *answer,
                                    const GError *error,
                                    gpointer      data);

/* Both register the new stream at once (status PENDING; a publisher turns PUBLISHING when
 * media arrives, a player PLAYING when connected) and answer later through @func. Errors
 * now: _EXISTS (name in use), _NOT_FOUND (play: no such stream), _FILE_NOT_FOUND (play:
 * no such VOD file; see cb_engine_open_play_stream()), _INVALID (no offer), and
 * CB_WEBRTC_ERROR_BAD_SDP ("Bad SDP offer": the offer is parsed here, once, by
 * cb_sdp_parse(), and that message is what the peer or the egress answers). A VOD file
 * that fails later ("File has wrong format") fails the player with the same reason. On
 * error, @destroy is called on @data. */
CbStream *cb_engine_webrtc_publish (CbEngine               *self,
                                    const CbWebrtcRequest  *request,
                                    CbWebrtcAnswerFunc      func,
                                    gpointer                data,
                                    GDestroyNotify          destroy,
                                    GError                **error);
CbStream *cb_engine_webrtc_play    (CbEngine               *self,
                                    const CbWebrtcRequest  *request,
                                    CbWebrtcAnswerFunc      func,
                                    gpointer                data,
                                    GDestroyNotify          destroy,
                                    GError                **error);
/* The statistics of the WebRTC publisher or player @media_session_id (its peer's
 * cb_webrtc_peer_get_stats(), or for an egress viewer the egress's figures with a NULL peer).
 * On the engine's context, where @func and then @destroy run;
 * FALSE, and neither runs, when there is no such WebRTC stream. */
gboolean  cb_engine_webrtc_get_stats (CbEngine             *self,
                                      const char           *media_session_id,
                                      CbWebrtcStatsFunc     func,
                                      gpointer              data,
                                      GDestroyNotify        destroy);
gboolean  cb_engine_webrtc_stop    (CbEngine               *self,
                                    const char             *media_session_id,
                                    const char             *info,
                                    GError                **error);

G_END_DECLS
