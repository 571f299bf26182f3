/* cb-webrtc-peer.h — one WebRTC peer on webrtcbin, answering a browser's offer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

#define CB_WEBRTC_ERROR (cb_webrtc_error_quark ())

/**
 * CbWebrtcError:
 * @CB_WEBRTC_ERROR_BAD_SDP: the offer is not SDP we can read
 * @CB_WEBRTC_ERROR_NO_CODECS: no common codec ("No common codecs")
 * @CB_WEBRTC_ERROR_ICE: ICE failed ("Failed by ICE timeout")
 * @CB_WEBRTC_ERROR_DTLS: DTLS failed ("Failed by DTLS error")
 * @CB_WEBRTC_ERROR_MISSING_PLUGIN: webrtcbin, nice or a codec element is not installed
 * @CB_WEBRTC_ERROR_FAILED: anything else
 */
typedef enum {
  CB_WEBRTC_ERROR_BAD_SDP,
  CB_WEBRTC_ERROR_NO_CODECS,
  CB_WEBRTC_ERROR_ICE,
  CB_WEBRTC_ERROR_DTLS,
  CB_WEBRTC_ERROR_MISSING_PLUGIN,
  CB_WEBRTC_ERROR_FAILED,
} CbWebrtcError;

GQuark cb_webrtc_error_quark (void);

/**
 * CbWebrtcRole:
 * @CB_WEBRTC_RECEIVE: the remote side publishes to us (a browser's camera)
 * @CB_WEBRTC_SEND: we send to the remote side (a player)
 */
typedef enum {
  CB_WEBRTC_RECEIVE,
  CB_WEBRTC_SEND,
} CbWebrtcRole;

typedef enum {
  CB_WEBRTC_PEER_NEW,
  CB_WEBRTC_PEER_CONNECTING,
  CB_WEBRTC_PEER_CONNECTED,
  CB_WEBRTC_PEER_FAILED,
  CB_WEBRTC_PEER_CLOSED,
} CbWebrtcPeerState;

/* Media kinds, as the engine numbers them. */
#define CB_WEBRTC_VIDEO 0
#define CB_WEBRTC_AUDIO 1

/**
 * CbWebrtcMediaFunc:
 * @kind: CB_WEBRTC_VIDEO or CB_WEBRTC_AUDIO
 * @caps: the caps of @buffer (H.264 as avc/au with codec_data, VP8, Opus)
 * @buffer: one encoded frame, timestamps in the peer's running time
 *
 * Receive role: called from a streaming thread for each depayloaded frame.
 */
typedef void (*CbWebrtcMediaFunc) (int        kind,
                                   GstCaps   *caps,
                                   GstBuffer *buffer,
                                   gpointer   data);

#define CB_TYPE_WEBRTC_PEER (cb_webrtc_peer_get_type ())
G_DECLARE_FINAL_TYPE (CbWebrtcPeer, cb_webrtc_peer, CB, WEBRTC_PEER, GObject)

/* The peer lives on the GMainContext that is thread-default when it is made. Signals,
 * emitted there: "state-changed" (CbWebrtcPeerState state, const char *reason) and, for
 * the send role, "keyframe-requested" () when the remote side asks for one (PLI/FIR). */
CbWebrtcPeer *cb_webrtc_peer_new               (CbWebrtcRole         role,
                                                guint                port_min,
                                                guint                port_max);
/* Gather ICE candidates on @address only (an IP literal: the address the server is bound
 * to, or loopback for a loopback peer); by default, on every interface but loopback.
 * Before the first answer or offer. */
void          cb_webrtc_peer_set_local_address (CbWebrtcPeer        *self,
                                                const char          *address);
void          cb_webrtc_peer_set_media_func    (CbWebrtcPeer        *self,
                                                CbWebrtcMediaFunc    func,
                                                gpointer             data,
                                                GDestroyNotify       destroy);

/* Send role, before the answer: answer with @codec ("VP8") when the offer has it, before
 * H.264 (the codec of the stream played); NULL for H.264 first. */
void          cb_webrtc_peer_prefer_video_codec (CbWebrtcPeer       *self,
                                                 const char         *codec);
/* Answers @offer, as cb_sdp_parse() read it (the peer keeps a copy for webrtcbin; no
 * trickle: the answer carries our candidates and end-of-candidates).
 * The send role sends H.264 (packetization-mode 1) or VP8 video (cb_sdp_pick_codec())
 * and Opus audio; a kind the offer does not ask for, or offers no such codec for, is not
 * sent (the caller checks cb_webrtc_peer_get_codec()). */
void          cb_webrtc_peer_answer_async      (CbWebrtcPeer        *self,
                                                const GstSDPMessage *offer,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char         *cb_webrtc_peer_answer_finish     (CbWebrtcPeer        *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Offering side: an offer with our candidates, then the remote answer. The send role
 * offers H.264 and/or Opus to send (publishing to another server); the receive role
 * offers to receive them (playing from another server, WHEP). */
void          cb_webrtc_peer_offer_async       (CbWebrtcPeer        *self,
                                                gboolean             video,
                                                gboolean             audio,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char         *cb_webrtc_peer_offer_finish      (CbWebrtcPeer        *self,
                                                GAsyncResult        *result,
                                                GError             **error);
gboolean      cb_webrtc_peer_set_answer        (CbWebrtcPeer        *self,
                                                const char          *answer,
                                                GError             **error);

/* After the answer: what was agreed for @kind ("H264", "VP8", "opus"), or NULL. */
const char   *cb_webrtc_peer_get_codec         (CbWebrtcPeer        *self,
                                                int                  kind);
/* Send role: the appsrc that takes @kind's encoded frames (NULL when not sent). */
GstElement   *cb_webrtc_peer_get_appsrc        (CbWebrtcPeer        *self,
                                                int                  kind);
CbWebrtcPeerState cb_webrtc_peer_get_state     (CbWebrtcPeer        *self);
/**
 * CbWebrtcStats:
 *
 * What a streamer wants to see of a peer, from webrtcbin's statistics: the inbound RTP
 * streams (receive role) or the outbound ones (send role), summed over video and audio
 * except where named. A figure that webrtcbin does not give is -1.
 */
typedef struct {
  gint64  bytes;              /* received (receive role) or sent (send role) */
  gint64  packets;
  gint64  packets_lost;       /* reported lost: by our receiver, or by the remote one */
  double  jitter;             /* seconds, video */
  double  round_trip_time;    /* seconds */
  gint64  nack_count;
  gint64  pli_count;
} CbWebrtcStats;

/* Asks webrtcbin for its statistics; @callback runs on the peer's context. */
typedef void (*CbWebrtcStatsFunc) (CbWebrtcPeer        *peer,
                                   const CbWebrtcStats *stats,
                                   gpointer             data);
void          cb_webrtc_peer_get_stats         (CbWebrtcPeer        *self,
                                                CbWebrtcStatsFunc    callback,
                                                gpointer             data,
                                                GDestroyNotify       destroy);

/* Receive role: asks the remote side for a keyframe (PLI). */
void          cb_webrtc_peer_request_keyframe  (CbWebrtcPeer        *self);
void          cb_webrtc_peer_close             (CbWebrtcPeer        *self);
gboolean      cb_webrtc_peer_wait_closed       (guint                timeout_ms);

/* SDP policy, pure functions (cb-sdp-policy.c). */
typedef struct {
  int   pt;
  char *encoding;     /* "H264", "VP8", "OPUS" */
  int   clock_rate;
  char *fmtp;         /* may be NULL */
} CbSdpCodec;

/* Parses an SDP from the network, keeping only what a peer of ours uses (bounded): the
 * one parse of an offer, whose message the functions below and the peers then share. */
gboolean cb_sdp_parse              (const char     *text,
                                    GstSDPMessage **out);
void     cb_sdp_codec_clear        (CbSdpCodec   *codec);
/* Picks the codec we want from the offer's m-section @media ("video" or "audio"):
 * H.264 with packetization-mode=1 (constrained baseline first), else VP8; Opus.
 * @prefer ("VP8") goes first when the offer has it; NULL for the usual order. */
gboolean cb_sdp_pick_codec         (const GstSDPMessage *offer,
                                    const char          *media,
                                    const char          *prefer,
                                    CbSdpCodec          *out,
                                    GError             **error);
/* The codecs the offer's first @media section lists, to name them in a failure reason
 * ("VP8, VP9"); NULL when there is no such section, "nothing" when it lists none. */
char    *cb_sdp_offered_codecs     (const GstSDPMessage *offer,
                                    const char          *media);
/* Sets the answer's a=fmtp for @pt in the first @media section (adds it when missing). */
void     cb_sdp_answer_set_fmtp    (GstSDPMessage *sdp,
                                    const char    *media,
                                    int            pt,
                                    const char    *fmtp);
/* Adds a=end-of-candidates to every m-section that lacks it. */
char    *cb_sdp_finish_answer      (const char   *answer);

G_END_DECLS
