/* cb-egress.h — one thread, one UDP port, every WebRTC viewer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cb-egress-rtcp.h"

G_BEGIN_DECLS

typedef enum {
  CB_EGRESS_MEDIA_VIDEO,
  CB_EGRESS_MEDIA_AUDIO,
  CB_EGRESS_N_MEDIA,
} CbEgressMedia;

/**
 * CbEgress:
 *
 * The viewers' egress: an epoll loop on its own thread around one UDP socket, serving
 * ICE-lite checks, DTLS handshakes, SRTP media, RTX retransmissions and RTCP for every
 * viewer of every stream. Every function here may be called from any thread; callbacks
 * run on the egress thread and must not block (hop to your own context to do more).
 */
typedef struct _CbEgress CbEgress;

/**
 * CbEgressStream:
 *
 * One published stream as the egress sees it: RTP packets payloaded once (by GStreamer)
 * for every viewer, a retransmission ring for its video, a CNAME for lip sync, an RTX
 * SSRC. Reference-counted; the egress holds one reference until it is removed.
 */
typedef struct _CbEgressStream CbEgressStream;

typedef enum {
  CB_EGRESS_VIEWER_CONNECTED,      /* ICE and DTLS done, media flowing */
  CB_EGRESS_VIEWER_CONSENT_EXPIRED,/* no valid check for 30 s: removed */
  CB_EGRESS_VIEWER_DTLS_FAILED,    /* handshake failed or fingerprint mismatch: removed */
  CB_EGRESS_VIEWER_CLOSED,         /* DTLS close_notify: removed */
} CbEgressViewerEvent;

typedef void (*CbEgressViewerFunc)   (CbEgress            *egress,
                                      guint                viewer_id,
                                      CbEgressViewerEvent  event,
                                      const char          *message,
                                      gpointer             user_data);
/* A viewer asked for a keyframe (PLI/FIR), at most once per stream per
 * CB_EGRESS_KEYFRAME_INTERVAL_US. */
typedef void (*CbEgressKeyframeFunc) (CbEgressStream *stream,
                                      gpointer        user_data);

#define CB_EGRESS_KEYFRAME_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)

/**
 * cb_egress_new:
 * @address: the local address to bind, e.g. "127.0.0.1" or "0.0.0.0"
 * @port: the UDP port, 0 for any
 *
 * Binds the socket and starts the thread.
 */
CbEgress       *cb_egress_new                 (const char          *address,
                                               guint16              port,
                                               CbEgressViewerFunc   viewer_func,
                                               gpointer             user_data,
                                               GError             **error);
/* Stops the thread and frees every viewer; streams are unreferenced. */
void            cb_egress_free                (CbEgress *egress);
guint16         cb_egress_get_port            (CbEgress *egress);
/* How long a viewer lives without a valid check (default and RFC 7675: 30 s); for
 * viewers added after the call. Tests shorten it. */
void            cb_egress_set_consent_timeout (CbEgress *egress,
                                               gint64    timeout_us);
/* "sha-256" fingerprint of our certificate for the SDP answer's a=fingerprint. */
const char     *cb_egress_get_fingerprint     (CbEgress *egress);

CbEgressStream *cb_egress_add_stream          (CbEgress             *egress,
                                               const char           *cname,
                                               CbEgressKeyframeFunc  keyframe_func,
                                               gpointer              user_data);
void            cb_egress_stream_set_vp8      (CbEgressStream       *stream,
                                               gboolean              vp8);
/* Removes the stream and its viewers; the caller keeps its own reference. */
void            cb_egress_remove_stream       (CbEgress       *egress,
                                               CbEgressStream *stream);
CbEgressStream *cb_egress_stream_ref          (CbEgressStream *stream);
void            cb_egress_stream_unref        (CbEgressStream *stream);
guint32         cb_egress_stream_get_rtx_ssrc (CbEgressStream *stream);
/**
 * cb_egress_stream_push_rtp:
 * @media_time_us: the packet's time on a clock that all the stream's media share (its
 *   buffer's running time), -1 if unknown (then: when it is pushed)
 *
 * One RTP packet of the stream (from its payloader's appsink), sent to every connected
 * viewer of the stream with that viewer's payload type. Never blocks. Only while the
 * egress lives: stop the payloaders before cb_egress_free(). The sender reports map RTP
 * time to wall-clock time through @media_time_us, one mapping for audio and video (lip
 * sync), whatever each one's delay on its way here (an audio transcoder's).
 */
void            cb_egress_stream_push_rtp     (CbEgressStream *stream,
                                               CbEgressMedia   media,
                                               GBytes         *packet,
                                               gint64          media_time_us);

/**
 * CbEgressViewerConfig:
 * @payload_type: the browser's payload type per media, -1 for a media it does not get
 * @rtx_payload_type: the browser's RTX payload type for video, -1 for no RTX
 * @clock_rate: per media (90000 video, 48000 Opus), for sender reports
 */
typedef struct {
  const char *local_ufrag;
  const char *local_pwd;
  const char *remote_ufrag;
  const char *remote_fingerprint;   /* sha-256, from the offer */
  gint        payload_type[CB_EGRESS_N_MEDIA];
  gint        rtx_payload_type;
  guint       clock_rate[CB_EGRESS_N_MEDIA];
} CbEgressViewerConfig;

/* Returns: the viewer's id (never 0). The viewer waits for its ICE checks. */
guint           cb_egress_add_viewer          (CbEgress                   *egress,
                                               CbEgressStream             *stream,
                                               const CbEgressViewerConfig *config);
void            cb_egress_remove_viewer       (CbEgress *egress,
                                               guint     viewer_id);

typedef struct {
  gboolean                connected;
  guint64                 packets_sent;
  guint64                 bytes_sent;
  guint64                 rtx_sent;
  guint64                 nacks_received;
  guint64                 keyframe_requests;
  CbEgressRtcpReportBlock last_report[CB_EGRESS_N_MEDIA];
  gint64                  rtt_us;   /* from the last report with LSR, -1 before */
} CbEgressViewerStats;

/* A snapshot; FALSE for an unknown viewer. Cheap: a lock and a copy. */
gboolean        cb_egress_get_viewer_stats    (CbEgress            *egress,
                                               guint                viewer_id,
                                               CbEgressViewerStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressStream, cb_egress_stream_unref)

G_END_DECLS
