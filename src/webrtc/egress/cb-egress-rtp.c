/* cb-egress-rtp.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cb-egress-rtp.h"
#include "cb-egress-bytes-private.h"

#include <string.h>

gboolean
cb_egress_rtp_parse (const guint8      *data,
                     gsize              len,
                     CbEgressRtpHeader *header)
{
  gsize hlen;
  guint8 padding = 0;

  g_return_val_if_fail (header != NULL, FALSE);

  if (data == NULL || len < 12 || (data[0] >> 6) != 2)
    return FALSE;
  /* Payload types 64–95 with the marker are RTCP's packet types (RFC 5761 §4). */
  if (data[1] >= 192 && data[1] <= 223)
    return FALSE;
  hlen = 12 + 4 * (gsize) (data[0] & 0x0f);
  if (hlen > len)
    return FALSE;
  if (data[0] & 0x10)
    {
      if (hlen + 4 > len)
        return FALSE;
      hlen += 4 + 4 * (gsize) cb_read16 (data + hlen + 2);
      if (hlen > len)
        return FALSE;
    }
  if (data[0] & 0x20)
    {
      padding = data[len - 1];
      if (padding == 0 || padding > len - hlen)
        return FALSE;
    }
  header->marker = (data[1] & 0x80) != 0;
  header->payload_type = data[1] & 0x7f;
  header->seq = cb_read16 (data + 2);
  header->timestamp = cb_read32 (data + 4);
  header->ssrc = cb_read32 (data + 8);
  header->header_len = hlen;
  header->padding_len = padding;
  header->payload_len = len - hlen - padding;
  return TRUE;
}

static gboolean
is_keyframe_nal (guint8 type)
{
  return type == 5 || type == 7;   /* IDR slice, SPS */
}

gboolean
cb_egress_rtp_h264_starts_keyframe (const guint8 *payload,
                                    gsize         len)
{
  guint8 type;

  if (payload == NULL || len < 1)
    return FALSE;
  type = payload[0] & 0x1f;
  if (type == 24)   /* STAP-A: 16-bit sizes, each followed by a NAL unit */
    {
      gsize off = 1;

      while (off + 3 <= len)
        {
          gsize size = cb_read16 (payload + off);

          if (size == 0 || off + 2 + size > len)
            return FALSE;
          if (is_keyframe_nal (payload[off + 2] & 0x1f))
            return TRUE;
          off += 2 + size;
        }
      return FALSE;
    }
  if (type == 28)   /* FU-A: the start bit and the fragmented unit's type */
    return len >= 2 && (payload[1] & 0x80) != 0 && is_keyframe_nal (payload[1] & 0x1f);
  return is_keyframe_nal (type);
}

gboolean
cb_egress_rtp_vp8_starts_keyframe (const guint8 *payload,
                                   gsize         len)
{
  gsize off = 1;

  if (payload == NULL || len < 2 || (payload[0] & 0x10) == 0 || (payload[0] & 0x07) != 0)
    return FALSE;   /* not the start of partition 0 */
  if (payload[0] & 0x80)   /* X: the extension byte and what it announces */
    {
      guint8 x = payload[off++];

      if (off >= len)
        return FALSE;
      if (x & 0x80)   /* I: picture id, 7 or 15 bits */
        off += (payload[off] & 0x80) ? 2 : 1;
      if (x & 0x40)   /* L: TL0PICIDX */
        off++;
      if (x & 0x30)   /* T or K: TID/Y/KEYIDX */
        off++;
    }
  /* The frame header's first bit is P, the inverse key frame flag. */
  return off < len && (payload[off] & 0x01) == 0;
}

gsize
cb_egress_rtp_rewrite (guint8       *dst,
                       gsize         dst_size,
                       const guint8 *src,
                       gsize         len,
                       guint8        payload_type)
{
  CbEgressRtpHeader h;

  g_return_val_if_fail (dst != NULL && payload_type < 128, 0);

  if (!cb_egress_rtp_parse (src, len, &h) || len > dst_size)
    return 0;
  memcpy (dst, src, len);
  dst[1] = (src[1] & 0x80) | payload_type;
  return len;
}

gsize
cb_egress_rtx_wrap (guint8       *dst,
                    gsize         dst_size,
                    const guint8 *src,
                    gsize         len,
                    guint8        rtx_payload_type,
                    guint32       rtx_ssrc,
                    guint16       rtx_seq)
{
  CbEgressRtpHeader h;
  gsize out_len;

  g_return_val_if_fail (dst != NULL && rtx_payload_type < 128, 0);

  if (!cb_egress_rtp_parse (src, len, &h))
    return 0;
  out_len = h.header_len + 2 + h.payload_len;
  if (out_len > dst_size)
    return 0;
  memcpy (dst, src, h.header_len);
  /* The padding of the original is not retransmitted: clear P. */
  dst[0] &= ~0x20;
  dst[1] = (src[1] & 0x80) | rtx_payload_type;
  cb_write16 (dst + 2, rtx_seq);
  cb_write32 (dst + 8, rtx_ssrc);
  cb_write16 (dst + h.header_len, h.seq);
  memcpy (dst + h.header_len + 2, src + h.header_len, h.payload_len);
  return out_len;
}

gsize
cb_egress_rtx_unwrap (guint8       *dst,
                      gsize         dst_size,
                      const guint8 *src,
                      gsize         len,
                      guint8        payload_type,
                      guint32       ssrc)
{
  CbEgressRtpHeader h;
  gsize out_len;

  g_return_val_if_fail (dst != NULL && payload_type < 128, 0);

  if (!cb_egress_rtp_parse (src, len, &h) || h.payload_len < 2)
    return 0;
  out_len = h.header_len + h.payload_len - 2;
  if (out_len > dst_size)
    return 0;
  memcpy (dst, src, h.header_len);
  dst[0] &= ~0x20;
  dst[1] = (src[1] & 0x80) | payload_type;
  memcpy (dst + 2, src + h.header_len, 2);   /* OSN */
  cb_write32 (dst + 8, ssrc);
  memcpy (dst + h.header_len, src + h.header_len + 2, h.payload_len - 2);
  return out_len;
}

struct _CbEgressRtpRing {
  guint    n_slots;     /* a power of two */
  gsize    slot_size;
  guint8  *data;
  gsize   *lens;        /* 0: empty */
  guint16 *seqs;
  gint64  *times;
};

CbEgressRtpRing *
cb_egress_rtp_ring_new (guint n_slots,
                        gsize slot_size)
{
  CbEgressRtpRing *ring;

  g_return_val_if_fail (n_slots > 0 && n_slots <= 32768 && (n_slots & (n_slots - 1)) == 0, NULL);
  g_return_val_if_fail (slot_size >= 12, NULL);

  ring = g_new0 (CbEgressRtpRing, 1);
  ring->n_slots = n_slots;
  ring->slot_size = slot_size;
  ring->data = g_malloc (n_slots * slot_size);
  ring->lens = g_new0 (gsize, n_slots);
  ring->seqs = g_new0 (guint16, n_slots);
  ring->times = g_new0 (gint64, n_slots);
  return ring;
}

void
cb_egress_rtp_ring_free (CbEgressRtpRing *ring)
{
  if (ring == NULL)
    return;
  g_free (ring->data);
  g_free (ring->lens);
  g_free (ring->seqs);
  g_free (ring->times);
  g_free (ring);
}

gboolean
cb_egress_rtp_ring_push (CbEgressRtpRing *ring,
                         const guint8    *packet,
                         gsize            len,
                         gint64           now_us)
{
  CbEgressRtpHeader h;
  guint slot;

  g_return_val_if_fail (ring != NULL, FALSE);

  if (len > ring->slot_size || !cb_egress_rtp_parse (packet, len, &h))
    return FALSE;
  slot = h.seq & (ring->n_slots - 1);
  memcpy (ring->data + (gsize) slot * ring->slot_size, packet, len);
  ring->lens[slot] = len;
  ring->seqs[slot] = h.seq;
  ring->times[slot] = now_us;
  return TRUE;
}

const guint8 *
cb_egress_rtp_ring_lookup (CbEgressRtpRing *ring,
                           guint16          seq,
                           gsize           *len,
                           gint64          *stored_us)
{
  guint slot;

  g_return_val_if_fail (ring != NULL && len != NULL, NULL);

  slot = seq & (ring->n_slots - 1);
  if (ring->lens[slot] == 0 || ring->seqs[slot] != seq)
    return NULL;
  *len = ring->lens[slot];
  if (stored_us != NULL)
    *stored_us = ring->times[slot];
  return ring->data + (gsize) slot * ring->slot_size;
}

/* Twice the slots, every packet kept where its sequence number now maps. */
gboolean
cb_egress_rtp_ring_grow (CbEgressRtpRing *ring,
                         guint            max_slots)
{
  guint n = ring != NULL ? ring->n_slots * 2 : 0;
  guint8 *data;
  gsize *lens;
  guint16 *seqs;
  gint64 *times;

  g_return_val_if_fail (ring != NULL, FALSE);

  if (n > max_slots || n > 32768)
    return FALSE;
  data = g_malloc (n * ring->slot_size);
  lens = g_new0 (gsize, n);
  seqs = g_new0 (guint16, n);
  times = g_new0 (gint64, n);
  for (guint i = 0; i < ring->n_slots; i++)
    {
      guint slot;

      if (ring->lens[i] == 0)
        continue;
      slot = ring->seqs[i] & (n - 1);
      memcpy (data + (gsize) slot * ring->slot_size, ring->data + (gsize) i * ring->slot_size,
              ring->lens[i]);
      lens[slot] = ring->lens[i];
      seqs[slot] = ring->seqs[i];
      times[slot] = ring->times[i];
    }
  g_free (ring->data);
  g_free (ring->lens);
  g_free (ring->seqs);
  g_free (ring->times);
  ring->data = data;
  ring->lens = lens;
  ring->seqs = seqs;
  ring->times = times;
  ring->n_slots = n;
  return TRUE;
}

guint
cb_egress_rtp_ring_get_n_slots (CbEgressRtpRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  return ring->n_slots;
}
