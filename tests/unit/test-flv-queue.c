/* test-flv-queue.c — the bounded FLV tag queue of push agents and RTMP players
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gst/gst.h>

#include "cb-flv.h"
#include "cb-flv-queue.h"

#define LIMIT_MS 1000

/* A 100-byte frame at @ms (DTS = PTS). */
static GstBuffer *
frame (guint ms,
       gboolean keyframe)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, 100, NULL);

  gst_buffer_memset (b, 0, 0x42, 100);
  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = 10 * GST_SECOND + ms * GST_MSECOND;
  if (!keyframe)
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
  return b;
}

static gboolean
push_video (CbFlvQueue *q,
            guint       ms,
            gboolean    keyframe,
            gboolean   *overflowed)
{
  g_autoptr(GstBuffer) b = frame (ms, keyframe);

  return cb_flv_queue_push_media (q, CB_MEDIA_VIDEO, b, cb_flv_payload_for (CB_MEDIA_VIDEO, b, NULL),
                                  LIMIT_MS, 1 << 20, overflowed);
}

static GstCaps *
avc_caps (void)
{
  static const guint8 avcc[] = { 1, 0x42, 0xc0, 0x1f, 0xff, 0xe0 };
  g_autoptr(GstBuffer) cd = gst_buffer_new_memdup (avcc, sizeof avcc);

  return gst_caps_new_simple ("video/x-h264", "stream-format", G_TYPE_STRING, "avc",
                              "codec_data", GST_TYPE_BUFFER, cd, NULL);
}

/* Timestamps start at the first DTS; a slow sender loses whole GOPs, never the sequence
 * header, and then starts again on a keyframe. */
static void
test_flv_queue_drops_gops (void)
{
  g_autoptr(GstCaps) caps = avc_caps ();
  g_autoptr(GstCaps) bare = gst_caps_new_empty_simple ("video/x-h264");
  CbFlvQueue q;
  gboolean overflowed = TRUE;
  CbFlvPacket *p;

  cb_flv_queue_init (&q);
  g_assert_false (cb_flv_queue_push_config (&q, CB_MEDIA_VIDEO, bare));
  g_assert_true (cb_flv_queue_push_config (&q, CB_MEDIA_VIDEO, caps));
  /* Two GOPs of 600 ms: the second keyframe is where the first GOP goes. */
  for (guint ms = 0; ms < 1200; ms += 100)
    g_assert_true (push_video (&q, ms, ms % 600 == 0, &overflowed));
  g_assert_true (overflowed);
  g_assert_cmpuint (q.dropped, ==, 6);

  p = cb_flv_queue_pop (&q);
  g_assert_true (p->config);
  g_assert_cmpuint (p->type, ==, CB_FLV_TAG_VIDEO);
  cb_flv_packet_free (p);
  p = cb_flv_queue_pop (&q);
  g_assert_true (p->keyframe);
  g_assert_cmpuint (p->timestamp, ==, 600);
  g_assert_cmpuint (g_bytes_get_size (p->payload), ==, 5 + 100);   /* FLV AVC header */
  cb_flv_packet_free (p);

  /* No keyframe to go back to: all media goes and the stream must skip ahead (FALSE). */
  cb_flv_queue_reset (&q);
  g_assert_true (push_video (&q, 0, FALSE, NULL));
  g_assert_false (push_video (&q, 2000, FALSE, &overflowed));
  g_assert_true (overflowed);
  g_assert_cmpuint (q.packets.length, ==, 0);
  g_assert_cmpuint (q.queued_bytes, ==, 0);
  cb_flv_queue_clear (&q);
}

/* A muted push sends a silent AAC frame in place of each one it gets. */
static void
test_flv_queue_replacement (void)
{
  g_autoptr(GstBuffer) b = frame (0, TRUE);
  g_autoptr(GBytes) silence = g_bytes_new_static ("\x21\x10", 2);
  g_autoptr(GBytes) payload = cb_flv_payload_for (CB_MEDIA_AUDIO, b, silence);

  g_assert_cmpuint (g_bytes_get_size (payload), ==, 2 + 2);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/flv-queue/drops-gops", test_flv_queue_drops_gops);
  g_test_add_func ("/cb/flv-queue/replacement", test_flv_queue_replacement);
  return g_test_run ();
}
