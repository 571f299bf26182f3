/* cb-egress-rtp.h — RTP for many viewers of one stream: payload types, RTX, retransmission ring
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean marker;
  guint8   payload_type;
  guint16  seq;
  guint32  timestamp;
  guint32  ssrc;
  gsize    header_len;    /* fixed header, CSRCs and header extension */
  gsize    payload_len;   /* without padding */
  guint8   padding_len;
} CbEgressRtpHeader;

/* Reads an RTP header (RFC 3550 §5.1); FALSE when @data is no consistent RTP packet. */
gboolean  cb_egress_rtp_parse            (const guint8      *data,
                                          gsize              len,
                                          CbEgressRtpHeader *header);

/* Whether an H.264 RTP payload (RFC 6184) starts a picture a decoder can begin with: an
 * SPS or an IDR slice, alone, first in an FU-A, or in a STAP-A. */
gboolean  cb_egress_rtp_h264_starts_keyframe (const guint8 *payload,
                                              gsize         len);
/* Whether a VP8 RTP payload (RFC 7741) starts a key frame: the first packet of a
 * partition 0 (S set, PID 0) whose frame header says key frame. */
gboolean  cb_egress_rtp_vp8_starts_keyframe  (const guint8 *payload,
                                              gsize         len);

/**
 * cb_egress_rtp_rewrite:
 *
 * Copies a shared packet into a viewer's send buffer with the payload type that viewer's
 * browser chose for the codec (the marker bit is kept). Every viewer gets its own copy
 * anyway, since SRTP encrypts in place. Returns: the length, 0 if @dst_size is too small
 * or @src is no RTP packet.
 */
gsize     cb_egress_rtp_rewrite          (guint8       *dst,
                                          gsize         dst_size,
                                          const guint8 *src,
                                          gsize         len,
                                          guint8        payload_type);

/**
 * cb_egress_rtx_wrap:
 *
 * An RTX packet (RFC 4588 §4) for a retransmission of @src: same timestamp, marker,
 * CSRCs and header extension; the viewer's RTX payload type, the stream's RTX SSRC and
 * the viewer's next RTX sequence number; the original sequence number (OSN) as the first
 * two payload bytes, then the original payload without its padding.
 * Returns: the length, 0 if @dst_size is too small or @src is no RTP packet.
 */
gsize     cb_egress_rtx_wrap             (guint8       *dst,
                                          gsize         dst_size,
                                          const guint8 *src,
                                          gsize         len,
                                          guint8        rtx_payload_type,
                                          guint32       rtx_ssrc,
                                          guint16       rtx_seq);
/* The inverse, as a receiver does it: the original packet with @payload_type and @ssrc. */
gsize     cb_egress_rtx_unwrap           (guint8       *dst,
                                          gsize         dst_size,
                                          const guint8 *src,
                                          gsize         len,
                                          guint8        payload_type,
                                          guint32       ssrc);

/**
 * CbEgressRtpRing:
 *
 * The last packets of one stream as sent (plaintext, before any per-viewer rewrite),
 * indexed by sequence number, to answer NACKs. A fixed number of fixed-size slots; a slot
 * holds the newest packet whose sequence number maps to it. Owned by the egress thread.
 */
typedef struct _CbEgressRtpRing CbEgressRtpRing;

CbEgressRtpRing *cb_egress_rtp_ring_new    (guint n_slots,
                                            gsize slot_size);
void             cb_egress_rtp_ring_free   (CbEgressRtpRing *ring);
/* Stores a packet; FALSE (and nothing stored) when it is no RTP or too big for a slot. */
gboolean         cb_egress_rtp_ring_push   (CbEgressRtpRing *ring,
                                            const guint8    *packet,
                                            gsize            len,
                                            gint64           now_us);
/**
 * cb_egress_rtp_ring_lookup:
 * @stored_us: (out) (optional): when it was pushed, to refuse stale retransmissions
 *
 * Returns: (nullable) (transfer none): the packet with @seq, valid until the next push.
 */
const guint8    *cb_egress_rtp_ring_lookup (CbEgressRtpRing *ring,
                                            guint16          seq,
                                            gsize           *len,
                                            gint64          *stored_us);
guint            cb_egress_rtp_ring_get_n_slots (CbEgressRtpRing *ring);
/* Doubles the slots, keeping every packet; FALSE (nothing changed) beyond @max_slots. */
gboolean         cb_egress_rtp_ring_grow   (CbEgressRtpRing *ring,
                                            guint            max_slots);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressRtpRing, cb_egress_rtp_ring_free)

G_END_DECLS
