/* cb-egress-rtcp.h — RTCP from viewers (reports, NACK, PLI, FIR) and our sender reports
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_EGRESS_RTCP_MAX_REPORTS 8
#define CB_EGRESS_RTCP_MAX_NACKS 256
#define CB_EGRESS_RTCP_MAX_KEYFRAME_REQUESTS 8

typedef struct {
  guint32 ssrc;              /* the media source reported on */
  guint8  fraction_lost;     /* /256 */
  gint32  cumulative_lost;   /* 24-bit signed */
  guint32 highest_seq;       /* extended */
  guint32 jitter;
  guint32 lsr;
  guint32 dlsr;
} CbEgressRtcpReportBlock;

typedef struct {
  guint32 media_ssrc;
  guint16 seq;
} CbEgressRtcpNack;

typedef struct {
  guint32  media_ssrc;
  gboolean fir;              /* FIR (RFC 5104) rather than PLI (RFC 4585) */
  guint8   fir_seq;
} CbEgressRtcpKeyframeRequest;

/**
 * CbEgressRtcpFeedback:
 *
 * What a viewer's compound (or reduced-size, RFC 5506) RTCP packet asks of us, in fixed
 * arrays: parsing allocates nothing. Entries beyond an array are counted in n_dropped.
 */
typedef struct {
  guint32                     sender_ssrc;   /* of the first packet */
  guint                       n_packets;
  guint                       n_reports;
  CbEgressRtcpReportBlock     reports[CB_EGRESS_RTCP_MAX_REPORTS];
  guint                       n_nacks;
  CbEgressRtcpNack            nacks[CB_EGRESS_RTCP_MAX_NACKS];
  guint                       n_keyframe_requests;
  CbEgressRtcpKeyframeRequest keyframe_requests[CB_EGRESS_RTCP_MAX_KEYFRAME_REQUESTS];
  guint                       n_ignored;     /* SDES, BYE, REMB, TWCC, XR, APP, … */
  guint                       n_dropped;
} CbEgressRtcpFeedback;

/**
 * cb_egress_rtcp_parse:
 *
 * Parses every packet of @data (after SRTCP decryption). Malformed input fails with a
 * %CB_EGRESS_ERROR_MALFORMED; what was parsed before the bad packet stays in @feedback.
 */
gboolean  cb_egress_rtcp_parse           (const guint8          *data,
                                          gsize                  len,
                                          CbEgressRtcpFeedback  *feedback,
                                          GError               **error);

/* 64-bit NTP time (RFC 3550 §4) of a g_get_real_time() value. */
guint64   cb_egress_ntp_from_unix_us     (gint64 unix_us);

/**
 * cb_egress_rtcp_build_sr:
 * @cname: the stream's CNAME, at most 255 bytes; all of a stream's SSRCs share it, which
 *   is what lets the browser synchronise audio with video
 *
 * A compound packet: SR (no report blocks: we receive no media from viewers) and SDES
 * with the CNAME. Returns: its length, 0 if @size is too small.
 */
gsize     cb_egress_rtcp_build_sr        (guint8      *buf,
                                          gsize        size,
                                          guint32      ssrc,
                                          guint64      ntp_time,
                                          guint32      rtp_timestamp,
                                          guint32      packet_count,
                                          guint32      octet_count,
                                          const char  *cname);

/* A generic NACK (RFC 4585 §6.2.1) for @n_seqs sequence numbers, PID+BLP packed, as a
 * viewer sends it: for tests and the load generator. Returns: its length, 0 if too small. */
gsize     cb_egress_rtcp_build_nack      (guint8        *buf,
                                          gsize          size,
                                          guint32        sender_ssrc,
                                          guint32        media_ssrc,
                                          const guint16 *seqs,
                                          guint          n_seqs);

G_END_DECLS
