/* cb-flv-queue.c — the bounded FLV tag queue of an RTMP sender
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Push agents and RTMP players both turn a stream's buffers into FLV tag bodies on the
 * producer's thread and send them from the engine's context as the socket allows. A
 * sender that cannot keep up loses whole GOPs from its own queue, never the stream's;
 * sequence headers stay so that what follows still decodes.
 */
#include "config.h"

#include "cb-flv.h"
#include "cb-flv-queue.h"
#include "cb-flv-sender.h"

void
cb_flv_packet_free (gpointer packet)
{
  CbFlvPacket *p = packet;

  g_bytes_unref (p->payload);
  g_clear_pointer (&p->tag, cb_flv_tag_unref);
  g_free (p);
}

void
cb_flv_queue_init (CbFlvQueue *queue)
{
  g_queue_init (&queue->packets);
  queue->queued_bytes = 0;
  queue->base = GST_CLOCK_TIME_NONE;
  queue->last_ts = 0;
  queue->dropped = 0;
}

void
cb_flv_queue_clear (CbFlvQueue *queue)
{
  GList *link;

  while ((link = g_queue_pop_head_link (&queue->packets)) != NULL)
    cb_flv_packet_free (link->data);
  queue->queued_bytes = 0;
}

void
cb_flv_queue_reset (CbFlvQueue *queue)
{
  cb_flv_queue_clear (queue);
  queue->base = GST_CLOCK_TIME_NONE;
  queue->last_ts = 0;
}

static void
push_tail (CbFlvQueue  *queue,
           CbFlvPacket *p)
{
  p->link.data = p;
  g_queue_push_tail_link (&queue->packets, &p->link);
  queue->queued_bytes += g_bytes_get_size (p->payload);
}

gboolean
cb_flv_queue_push_config (CbFlvQueue  *queue,
                          CbMediaKind  kind,
                          GstCaps     *caps)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  const GValue *v = gst_structure_get_value (s, "codec_data");
  g_autoptr(GByteArray) out = NULL;
  CbFlvPacket *p;
  GstBuffer *cd;
  GstMapInfo map;

  if (v == NULL || !GST_VALUE_HOLDS_BUFFER (v))
    return FALSE;
  cd = gst_value_get_buffer (v);
  if (!gst_buffer_map (cd, &map, GST_MAP_READ))
    return FALSE;
  out = g_byte_array_new ();
  if (kind == CB_MEDIA_VIDEO)
    cb_flv_write_avc_video (out, TRUE, CB_FLV_AVC_SEQUENCE_HEADER, 0, map.data, map.size);
  else
    cb_flv_write_aac_audio (out, CB_FLV_AAC_SEQUENCE_HEADER, map.data, map.size);
  gst_buffer_unmap (cd, &map);

  p = g_new0 (CbFlvPacket, 1);
  p->type = kind == CB_MEDIA_VIDEO ? CB_FLV_TAG_VIDEO : CB_FLV_TAG_AUDIO;
  p->timestamp = queue->last_ts;
  p->payload = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  p->config = TRUE;
  push_tail (queue, p);
  return TRUE;
}

/* The tag body of @buffer with @len bytes of @data (none: the head alone). */
static void
write_payload (GByteArray   *out,
               CbMediaKind   kind,
               GstBuffer    *buffer,
               const guint8 *data,
               gsize         len)
{
  GstClockTime dts = GST_BUFFER_DTS_OR_PTS (buffer);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gint32 cts = 0;

  if (kind == CB_MEDIA_VIDEO)
    {
      /* B-frames: the composition time offset is PTS − DTS. */
      if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (dts))
        cts = (gint32) (((gint64) pts - (gint64) dts) / (gint64) GST_MSECOND);
      cb_flv_write_avc_video (out, !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT),
                              CB_FLV_AVC_NALU, cts, data, len);
    }
  else
    cb_flv_write_aac_audio (out, CB_FLV_AAC_RAW, data, len);
}

GBytes *
cb_flv_payload_for (CbMediaKind  kind,
                    GstBuffer   *buffer,
                    GBytes      *replacement)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (gst_buffer_get_size (buffer) + 5);
  GstMapInfo map;

  if (replacement != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (replacement, &len);

      cb_flv_write_aac_audio (out, CB_FLV_AAC_RAW, data, len);
      return g_byte_array_free_to_bytes (g_steal_pointer (&out));
    }
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return NULL;
  write_payload (out, kind, buffer, map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/**
 * cb_flv_payload_is:
 * @payload: an FLV tag body that @buffer's bytes are the end of (an RTMP ingest's
 *   message)
 *
 * Returns: whether @payload is, byte for byte, what cb_flv_payload_for() makes of @buffer
 */
gboolean
cb_flv_payload_is (CbMediaKind  kind,
                   GstBuffer   *buffer,
                   GBytes      *payload)
{
  g_autoptr(GByteArray) head = g_byte_array_sized_new (16);
  gsize len, size = gst_buffer_get_size (buffer);
  const guint8 *data = g_bytes_get_data (payload, &len);

  write_payload (head, kind, buffer, NULL, 0);
  return len >= size && head->len == len - size && memcmp (head->data, data, head->len) == 0;
}

void
cb_flv_queue_set_base (CbFlvQueue   *queue,
                       GstClockTime  dts)
{
  if (queue->base == GST_CLOCK_TIME_NONE && GST_CLOCK_TIME_IS_VALID (dts))
    queue->base = dts;
}

gboolean
cb_flv_queue_is_empty (const CbFlvQueue *queue)
{
  return g_queue_is_empty ((GQueue *) &queue->packets);
}

guint32
cb_flv_queue_span_ms (const CbFlvQueue *queue)
{
  const CbFlvPacket *head = g_queue_peek_head ((GQueue *) &queue->packets);
  const CbFlvPacket *tail = g_queue_peek_tail ((GQueue *) &queue->packets);

  return head != NULL ? tail->timestamp - head->timestamp : 0;
}

static guint32
to_ms (CbFlvQueue   *queue,
       GstClockTime  t)
{
  if (!GST_CLOCK_TIME_IS_VALID (t) || queue->base == GST_CLOCK_TIME_NONE || t <= queue->base)
    return 0;
  return (guint32) ((t - queue->base) / GST_MSECOND);
}

/* Drops the media packets before @stop (all of them when @stop is NULL). */
static void
drop_media_before (CbFlvQueue *queue,
                   GList      *stop)
{
  for (GList *l = queue->packets.head; l != NULL && l != stop;)
    {
      GList *next = l->next;
      CbFlvPacket *q = l->data;

      if (!q->config)
        {
          queue->queued_bytes -= g_bytes_get_size (q->payload);
          queue->dropped++;
          g_queue_unlink (&queue->packets, l);
          cb_flv_packet_free (q);
        }
      l = next;
    }
}

static gboolean
push_packet (CbFlvQueue  *queue,
             CbMediaKind  kind,
             GstBuffer   *buffer,
             GBytes      *payload,
             CbFlvTag    *tag,
             guint32      limit_ms,
             gsize        max_bytes,
             gboolean    *overflowed)
{
  GstClockTime dts = GST_BUFFER_DTS_OR_PTS (buffer);
  CbFlvPacket *p = g_new0 (CbFlvPacket, 1);
  CbFlvPacket *head = NULL;
  GList *last_key = NULL;

  if (overflowed != NULL)
    *overflowed = FALSE;
  cb_flv_queue_set_base (queue, dts);
  p->type = kind == CB_MEDIA_VIDEO ? CB_FLV_TAG_VIDEO : CB_FLV_TAG_AUDIO;
  p->payload = payload;
  p->tag = tag;
  p->keyframe = kind == CB_MEDIA_VIDEO && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  /* FLV times are decoding times for video; audio has only one. */
  p->timestamp = to_ms (queue, kind == CB_MEDIA_VIDEO ? dts : GST_BUFFER_PTS (buffer));
  push_tail (queue, p);
  queue->last_ts = MAX (queue->last_ts, p->timestamp);

  for (GList *l = queue->packets.head; l != NULL && head == NULL; l = l->next)
    if (!((CbFlvPacket *) l->data)->config)
      head = l->data;
  if (head == NULL || (p->timestamp - MIN (head->timestamp, p->timestamp) <= limit_ms &&
                       queue->queued_bytes <= max_bytes))
    return TRUE;

  if (overflowed != NULL)
    *overflowed = TRUE;
  for (GList *l = queue->packets.tail; l != NULL && last_key == NULL; l = l->prev)
    if (((CbFlvPacket *) l->data)->keyframe)
      last_key = l;
  if (last_key != NULL && last_key != queue->packets.head)
    {
      drop_media_before (queue, last_key);
      return TRUE;
    }
  drop_media_before (queue, NULL);
  return FALSE;
}

gboolean
cb_flv_queue_push_media (CbFlvQueue  *queue,
                         CbMediaKind  kind,
                         GstBuffer   *buffer,
                         GBytes      *payload,
                         guint32      limit_ms,
                         gsize        max_bytes,
                         gboolean    *overflowed)
{
  return push_packet (queue, kind, buffer, payload, NULL, limit_ms, max_bytes, overflowed);
}

gboolean
cb_flv_queue_push_tag (CbFlvQueue  *queue,
                       CbMediaKind  kind,
                       GstBuffer   *buffer,
                       CbFlvTag    *tag,
                       guint32      limit_ms,
                       gsize        max_bytes,
                       gboolean    *overflowed)
{
  return push_packet (queue, kind, buffer, g_bytes_ref (cb_flv_tag_get_payload (tag)), tag,
                      limit_ms, max_bytes, overflowed);
}

CbFlvPacket *
cb_flv_queue_pop (CbFlvQueue *queue)
{
  GList *link = g_queue_pop_head_link (&queue->packets);
  CbFlvPacket *p = link != NULL ? link->data : NULL;

  if (p != NULL)
    queue->queued_bytes -= g_bytes_get_size (p->payload);
  return p;
}

void
cb_flv_metadata_from_caps (CbFlvMetadata *md,
                           GstCaps       *vcaps,
                           GstCaps       *acaps)
{
  if (vcaps != NULL)
    {
      const GstStructure *s = gst_caps_get_structure (vcaps, 0);
      int w = 0, h = 0, n = 0, d = 1;

      gst_structure_get_int (s, "width", &w);
      gst_structure_get_int (s, "height", &h);
      if (gst_structure_get_fraction (s, "framerate", &n, &d) && d > 0)
        md->framerate = (double) n / d;
      md->width = w;
      md->height = h;
      md->videocodecid = CB_FLV_VIDEO_AVC;
    }
  if (acaps != NULL)
    {
      const GstStructure *s = gst_caps_get_structure (acaps, 0);
      int rate = 0, channels = 0;

      gst_structure_get_int (s, "rate", &rate);
      gst_structure_get_int (s, "channels", &channels);
      md->audiocodecid = CB_FLV_AUDIO_AAC;
      md->audiosamplerate = rate;
      md->audiosamplesize = 16;
      md->audiochannels = channels;
    }
  md->encoder = (char *) "Castbridge " PACKAGE_VERSION;
}
