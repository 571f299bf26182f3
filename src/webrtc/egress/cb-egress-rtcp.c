/* cb-egress-rtcp.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lenient where browsers differ (reduced-size RTCP without a leading report, RFC 5506),
 * strict on lengths: every packet header must fit the datagram and say a consistent
 * length before anything inside it is read.
 */
#include "config.h"

#include "cb-egress-rtcp.h"
#include "cb-egress-bytes-private.h"
#include "cb-egress-error.h"

#include <string.h>

enum {
  RTCP_SR = 200,
  RTCP_RR = 201,
  RTCP_SDES = 202,
  RTCP_RTPFB = 205,
  RTCP_PSFB = 206,
};

static gboolean
malformed (GError    **error,
           const char *what,
           gsize       offset)
{
  g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_MALFORMED,
               "RTCP: %s at byte %zu", what, offset);
  return FALSE;
}

static void
parse_report_blocks (CbEgressRtcpFeedback *fb,
                     const guint8         *p,
                     guint                 count)
{
  for (guint i = 0; i < count; i++, p += 24)
    {
      CbEgressRtcpReportBlock *b;
      guint32 lost;

      if (fb->n_reports == CB_EGRESS_RTCP_MAX_REPORTS)
        {
          fb->n_dropped++;
          continue;
        }
      b = &fb->reports[fb->n_reports++];
      b->ssrc = cb_read32 (p);
      b->fraction_lost = p[4];
      lost = (guint32) p[5] << 16 | (guint32) p[6] << 8 | p[7];
      b->cumulative_lost = (lost & 0x800000) ? (gint32) (lost | 0xff000000) : (gint32) lost;
      b->highest_seq = cb_read32 (p + 8);
      b->jitter = cb_read32 (p + 12);
      b->lsr = cb_read32 (p + 16);
      b->dlsr = cb_read32 (p + 20);
    }
}

static void
add_nack (CbEgressRtcpFeedback *fb,
          guint32               media_ssrc,
          guint16               seq)
{
  if (fb->n_nacks == CB_EGRESS_RTCP_MAX_NACKS)
    {
      fb->n_dropped++;
      return;
    }
  fb->nacks[fb->n_nacks].media_ssrc = media_ssrc;
  fb->nacks[fb->n_nacks].seq = seq;
  fb->n_nacks++;
}

static void
add_keyframe_request (CbEgressRtcpFeedback *fb,
                      guint32               media_ssrc,
                      gboolean              fir,
                      guint8                fir_seq)
{
  CbEgressRtcpKeyframeRequest *r;

  if (fb->n_keyframe_requests == CB_EGRESS_RTCP_MAX_KEYFRAME_REQUESTS)
    {
      fb->n_dropped++;
      return;
    }
  r = &fb->keyframe_requests[fb->n_keyframe_requests++];
  r->media_ssrc = media_ssrc;
  r->fir = fir;
  r->fir_seq = fir_seq;
}

/* One packet: @p points at its header, @plen is its length without padding. */
static gboolean
parse_packet (CbEgressRtcpFeedback *fb,
              const guint8         *p,
              gsize                 plen,
              gsize                 offset,
              GError              **error)
{
  guint count = p[0] & 0x1f;
  guint8 type = p[1];

  switch (type)
    {
    case RTCP_SR:
    case RTCP_RR:
      {
        gsize fixed = type == RTCP_SR ? 28 : 8;

        if (plen < fixed + 24 * (gsize) count)
          return malformed (error, "report blocks past the packet", offset);
        parse_report_blocks (fb, p + fixed, count);
        return TRUE;
      }
    case RTCP_RTPFB:
      if (plen < 12)
        return malformed (error, "short transport feedback", offset);
      if (count != 1)   /* FMT 1: generic NACK; TWCC (15) and others are not ours */
        {
          fb->n_ignored++;
          return TRUE;
        }
      for (gsize i = 12; i + 4 <= plen; i += 4)
        {
          guint32 media_ssrc = cb_read32 (p + 8);
          guint16 pid = cb_read16 (p + i);
          guint16 blp = cb_read16 (p + i + 2);

          add_nack (fb, media_ssrc, pid);
          for (guint bit = 0; bit < 16; bit++)
            if (blp & (1u << bit))
              add_nack (fb, media_ssrc, (guint16) (pid + bit + 1));
        }
      return TRUE;
    case RTCP_PSFB:
      if (plen < 12)
        return malformed (error, "short payload-specific feedback", offset);
      if (count == 1)   /* PLI */
        add_keyframe_request (fb, cb_read32 (p + 8), FALSE, 0);
      else if (count == 4)   /* FIR: the SSRCs are in the FCI entries */
        for (gsize i = 12; i + 8 <= plen; i += 8)
          add_keyframe_request (fb, cb_read32 (p + i), TRUE, p[i + 4]);
      else   /* REMB (AFB, 15), SLI, RPSI: not used */
        fb->n_ignored++;
      return TRUE;
    default:
      fb->n_ignored++;
      return TRUE;
    }
}

gboolean
cb_egress_rtcp_parse (const guint8          *data,
                      gsize                  len,
                      CbEgressRtcpFeedback  *feedback,
                      GError               **error)
{
  gsize offset = 0;

  g_return_val_if_fail (feedback != NULL, FALSE);

  memset (feedback, 0, sizeof *feedback);
  if (data == NULL || len < 8)
    return malformed (error, "shorter than a header", 0);

  while (offset < len)
    {
      const guint8 *p = data + offset;
      gsize rest = len - offset, plen;

      if (rest < 4)
        return malformed (error, "trailing bytes", offset);
      if ((p[0] >> 6) != 2)
        return malformed (error, "not version 2", offset);
      if (p[1] < 192 || p[1] > 223)
        return malformed (error, "not an RTCP packet type", offset);
      plen = 4 * ((gsize) cb_read16 (p + 2) + 1);
      if (plen > rest)
        return malformed (error, "length past the end", offset);
      if (p[0] & 0x20)
        {
          guint8 pad = p[plen - 1];

          /* Only the last packet of a compound may be padded (RFC 3550 §6.4.1). */
          if (offset + plen != len || pad == 0 || pad > plen - 4)
            return malformed (error, "bad padding", offset);
          plen -= pad;
        }
      if (plen < 8)
        return malformed (error, "no sender SSRC", offset);
      if (feedback->n_packets == 0)
        feedback->sender_ssrc = cb_read32 (p + 4);
      if (!parse_packet (feedback, p, plen, offset, error))
        return FALSE;
      feedback->n_packets++;
      offset += 4 * ((gsize) cb_read16 (p + 2) + 1);
    }
  return TRUE;
}

guint64
cb_egress_ntp_from_unix_us (gint64 unix_us)
{
  /* 2208988800 s from 1900 to 1970. */
  guint64 secs = (guint64) (unix_us / G_USEC_PER_SEC) + G_GUINT64_CONSTANT (2208988800);
  guint64 frac = ((guint64) (unix_us % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC;

  return secs << 32 | frac;
}

gsize
cb_egress_rtcp_build_sr (guint8      *buf,
                         gsize        size,
                         guint32      ssrc,
                         guint64      ntp_time,
                         guint32      rtp_timestamp,
                         guint32      packet_count,
                         guint32      octet_count,
                         const char  *cname)
{
  gsize cname_len, chunk_len, sdes_len;

  g_return_val_if_fail (buf != NULL && cname != NULL, 0);

  cname_len = strlen (cname);
  g_return_val_if_fail (cname_len <= 255, 0);

  /* SSRC, CNAME item (type, length, text), then at least one zero byte (END) up to a
   * 32-bit boundary. */
  chunk_len = (4 + 2 + cname_len + 4) & ~(gsize) 3;
  sdes_len = 4 + chunk_len;
  if (size < 28 + sdes_len)
    return 0;

  buf[0] = 0x80;
  buf[1] = RTCP_SR;
  cb_write16 (buf + 2, 28 / 4 - 1);
  cb_write32 (buf + 4, ssrc);
  cb_write32 (buf + 8, ntp_time >> 32);
  cb_write32 (buf + 12, ntp_time & 0xffffffff);
  cb_write32 (buf + 16, rtp_timestamp);
  cb_write32 (buf + 20, packet_count);
  cb_write32 (buf + 24, octet_count);

  memset (buf + 28, 0, sdes_len);
  buf[28] = 0x81;
  buf[29] = RTCP_SDES;
  cb_write16 (buf + 30, sdes_len / 4 - 1);
  cb_write32 (buf + 32, ssrc);
  buf[36] = 1;   /* CNAME */
  buf[37] = cname_len;
  memcpy (buf + 38, cname, cname_len);
  return 28 + sdes_len;
}

gsize
cb_egress_rtcp_build_nack (guint8        *buf,
                           gsize          size,
                           guint32        sender_ssrc,
                           guint32        media_ssrc,
                           const guint16 *seqs,
                           guint          n_seqs)
{
  gsize len = 12;

  g_return_val_if_fail (buf != NULL && (seqs != NULL || n_seqs == 0), 0);

  if (size < 12)
    return 0;
  for (guint i = 0; i < n_seqs;)
    {
      guint16 pid = seqs[i++];
      guint16 blp = 0;

      /* The following sequence numbers within 16 of the PID go into its bitmask. */
      while (i < n_seqs && (guint16) (seqs[i] - pid - 1) < 16)
        blp |= 1u << (guint16) (seqs[i++] - pid - 1);
      if (len + 4 > size || len + 4 > 4 * 65536)
        return 0;
      cb_write16 (buf + len, pid);
      cb_write16 (buf + len + 2, blp);
      len += 4;
    }
  buf[0] = 0x80 | 1;
  buf[1] = RTCP_RTPFB;
  cb_write16 (buf + 2, len / 4 - 1);
  cb_write32 (buf + 4, sender_ssrc);
  cb_write32 (buf + 8, media_ssrc);
  return len;
}
