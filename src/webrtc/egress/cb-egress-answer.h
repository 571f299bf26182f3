/* cb-egress-answer.h — the SDP answer of a viewer served by the egress (ICE-lite, passive DTLS)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gst/sdp/sdp.h>

#include "cb-egress.h"

G_BEGIN_DECLS

/**
 * CbEgressAnswerParams:
 * @address: the host candidate's address (the announced one behind a NAT)
 * @port: the egress's UDP port
 * @fingerprint: cb_egress_get_fingerprint()
 * @cname: the stream's CNAME, shared by its SSRCs
 * @prefer_video: (nullable): "VP8" to take VP8 first (a VP8 stream), %NULL for H.264 first
 */
typedef struct {
  const char *address;
  guint16     port;
  const char *fingerprint;
  const char *cname;
  guint32     ssrc[CB_EGRESS_N_MEDIA];
  guint32     rtx_ssrc;
  const char *prefer_video;
} CbEgressAnswerParams;

/**
 * CbEgressAnswer:
 *
 * The answer and what the egress needs to serve the viewer: @config points into this
 * struct's own strings (our fresh ICE credentials, the offer's ufrag and fingerprint).
 */
typedef struct {
  char                 *sdp;
  char                 *video_encoding;   /* "H264", "VP8", or NULL without video */
  CbEgressViewerConfig  config;
  /* private */
  char                 *local_ufrag;
  char                 *local_pwd;
  char                 *remote_ufrag;
  char                 *remote_fingerprint;
} CbEgressAnswer;

/**
 * cb_egress_answer_new:
 * @offer: the viewer's offer, read by cb_sdp_parse()
 *
 * Answers a viewer's offer for the egress path: a=ice-lite, one host candidate,
 * a=setup:passive, one BUNDLE transport, the first audio and video sections with our
 * codec choice (and RTX when offered), everything else rejected.
 * Errors (%CB_WEBRTC_ERROR): NO_CODECS when no
 * section can be served; FAILED for what this path does not do (an offer that wants
 * to be the DTLS server, no ICE credentials or fingerprint): the caller falls back to a
 * webrtcbin viewer.
 */
CbEgressAnswer *cb_egress_answer_new  (const GstSDPMessage        *offer,
                                       const CbEgressAnswerParams *params,
                                       GError                    **error);
void            cb_egress_answer_free (CbEgressAnswer *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressAnswer, cb_egress_answer_free)

G_END_DECLS
