/* test-rtmp-ingest.c — RTMP timestamps and FLV tags into a stream's fan-out
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gst/gst.h>

#include "cb-flv.h"
#include "cb-rtmp-ingest.h"
#include "cb-settings.h"
#include "rtmp-test-util.h"

#define START CB_RTMP_TIMELINE_START_MS

static void
test_timeline (void)
{
  CbRtmpTimeline tl;
  gint64 t;

  cb_rtmp_timeline_init (&tl);
  /* Starts at START whatever the source's first timestamp, and follows it. */
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0xffffff00u), ==, START);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0xffffff80u), ==, START + 128);
  /* 32-bit wrap-around: +512 ms from the first timestamp, not -4 billion. */
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0x00000100u), ==, START + 512);
  /* Audio a little behind video is kept as it is. */
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0x00000080u), ==, START + 384);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0x00000200u), ==, START + 768);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 0x00002200u), ==, START + 768 + 8192);
  /* A publisher that restarts its clock at 0: the timeline goes on. */
  t = cb_rtmp_timeline_map (&tl, 0);
  g_assert_cmpint (t, ==, START + 768 + 8192 + 20);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 40), ==, t + 40);
  /* A jump a minute ahead: the same. */
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 60040), ==, t + 60);
  /* A source that reconnects, even with nearby timestamps, starts a new segment. */
  cb_rtmp_timeline_discontinuity (&tl);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 60000), ==, t + 80);
  g_assert_cmpint (cb_rtmp_timeline_map (&tl, 60033), ==, t + 113);
}

typedef struct {
  GstCaps   *caps[CB_MEDIA_N_KINDS];
  GPtrArray *buffers;   /* GstBuffer */
  guint      kinds[64];
} Sink;

static void
sink_caps (gpointer data, CbMediaKind kind, GstCaps *caps)
{
  Sink *s = data;

  gst_caps_replace (&s->caps[kind], caps);
}

static gboolean
sink_buffer (gpointer data, CbMediaKind kind, GstBuffer *buffer)
{
  Sink *s = data;

  if (s->buffers->len < G_N_ELEMENTS (s->kinds))
    s->kinds[s->buffers->len] = kind;
  g_ptr_array_add (s->buffers, gst_buffer_ref (buffer));
  return TRUE;
}

static void
sink_eos (gpointer data)
{
}

static const CbConsumerFuncs sink_funcs = { sink_caps, sink_buffer, sink_eos };

static GBytes *
hex_bytes (const char *hex)
{
  GByteArray *a = test_hex (hex);

  return g_byte_array_free_to_bytes (a);
}

static void
push_ok (CbRtmpIngest *ingest,
         guint8        type,
         guint32       ts,
         GBytes       *payload)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cb_rtmp_ingest_push (ingest, type, ts, payload, &error));
  g_assert_no_error (error);
}

static void
test_tags_to_buffers (void)
{
  /* From an `ffmpeg -f lavfi testsrc=size=640x360:rate=30 -c:v libx264` FLV file. */
  g_autoptr(GBytes) avc_header = hex_bytes ("17 00 000000 0164001effe1001a6764001eacd940a02ff9"
                                            "70110000030001000003003c0f162d9601000468ef8fcbfdf8f800");
  g_autoptr(GBytes) aac_header = hex_bytes ("af 00 1208 56e500");
  g_autoptr(GBytes) key = hex_bytes ("17 01 000042 00000002 6588");
  g_autoptr(GBytes) delta = hex_bytes ("27 01 000000 00000002 419a");
  g_autoptr(GBytes) aac = hex_bytes ("af 01 21 1b 00");
  g_autoptr(GBytes) mp3 = hex_bytes ("2f fffb 9000");
  g_autoptr(GBytes) junk = hex_bytes ("17");
  g_autoptr(GBytes) sample_access = NULL;
  g_autoptr(CbStream) stream = cb_stream_new ("cam", "RTMP");
  g_autoptr(CbRtmpIngest) ingest = cb_rtmp_ingest_new (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) access = g_byte_array_new ();
  Sink sink = { { NULL }, g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref) };
  CbConsumer *consumer;
  const GstStructure *s;
  int w = 0, h = 0, n = 0, d = 0, rate = 0, channels = 0;
  GstBuffer *b;
  GstMapInfo map;

  consumer = cb_stream_attach (stream, &sink_funcs, &sink, NULL, NULL, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);

  cb_amf0_write_string (access, "|RtmpSampleAccess");
  cb_amf0_write_boolean (access, TRUE);
  sample_access = g_byte_array_free_to_bytes (g_steal_pointer (&access));
  push_ok (ingest, 18, 0, sample_access);   /* not onMetaData: ignored, no error */

  /* Media before its sequence header goes nowhere. */
  push_ok (ingest, 9, 0, key);
  g_assert_cmpuint (sink.buffers->len, ==, 0);

  push_ok (ingest, 9, 0, avc_header);
  push_ok (ingest, 8, 0, aac_header);
  g_assert_nonnull (sink.caps[CB_MEDIA_VIDEO]);
  s = gst_caps_get_structure (sink.caps[CB_MEDIA_VIDEO], 0);
  g_assert_cmpstr (gst_structure_get_name (s), ==, "video/x-h264");
  g_assert_cmpstr (gst_structure_get_string (s, "stream-format"), ==, "avc");
  g_assert_cmpstr (gst_structure_get_string (s, "alignment"), ==, "au");
  g_assert_true (gst_structure_get_int (s, "width", &w) && gst_structure_get_int (s, "height", &h));
  g_assert_cmpint (w, ==, 640);
  g_assert_cmpint (h, ==, 360);
  g_assert_true (gst_structure_get_fraction (s, "framerate", &n, &d));
  g_assert_cmpint (n / d, ==, 30);
  s = gst_caps_get_structure (sink.caps[CB_MEDIA_AUDIO], 0);
  g_assert_true (gst_structure_get_int (s, "rate", &rate));
  g_assert_true (gst_structure_get_int (s, "channels", &channels));
  g_assert_cmpint (rate, ==, 44100);
  g_assert_cmpint (channels, ==, 1);

  push_ok (ingest, 9, 1000, key);
  push_ok (ingest, 8, 1010, aac);
  push_ok (ingest, 9, 1033, delta);
  g_assert_cmpuint (sink.buffers->len, ==, 3);

  /* The keyframe: DTS a second into the timeline (as the source says), PTS 0x42 ms later, the NAL units as
   * they came (length-prefixed), no DELTA_UNIT. */
  b = g_ptr_array_index (sink.buffers, 0);
  g_assert_cmpuint (sink.kinds[0], ==, CB_MEDIA_VIDEO);
  g_assert_cmpuint (GST_BUFFER_DTS (b), ==, (START + 1000) * GST_MSECOND);
  g_assert_cmpuint (GST_BUFFER_PTS (b), ==, (START + 1000 + 0x42) * GST_MSECOND);
  g_assert_false (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DELTA_UNIT));
  g_assert_true (gst_buffer_map (b, &map, GST_MAP_READ));
  g_assert_cmpmem (map.data, map.size, "\x00\x00\x00\x02\x65\x88", 6);
  gst_buffer_unmap (b, &map);
  b = g_ptr_array_index (sink.buffers, 1);
  g_assert_cmpuint (sink.kinds[1], ==, CB_MEDIA_AUDIO);
  g_assert_cmpuint (GST_BUFFER_PTS (b), ==, (START + 1010) * GST_MSECOND);
  g_assert_cmpuint (gst_buffer_get_size (b), ==, 3);
  b = g_ptr_array_index (sink.buffers, 2);
  g_assert_true (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DELTA_UNIT));
  g_assert_cmpuint (GST_BUFFER_DTS (b), ==, (START + 1033) * GST_MSECOND);

  /* Other codecs and broken tags are refused, and change nothing. */
  g_assert_false (cb_rtmp_ingest_push (ingest, 8, 1040, mp3, &error));
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (cb_rtmp_ingest_push (ingest, 9, 1040, junk, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (sink.buffers->len, ==, 3);

  cb_consumer_detach (consumer);
  g_ptr_array_unref (sink.buffers);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_caps (&sink.caps[k]);
  g_clear_pointer (&ingest, cb_rtmp_ingest_free);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&stream));
}

static void
test_publish_keys (void)
{
  g_autoptr(CbSettings) settings = cb_settings_new ();

  /* None by default. */
  g_assert_true (cb_rtmp_ingest_check_key (settings, "cam", NULL, NULL));
  g_assert_true (cb_settings_set (settings, "rtmp_publish_key", "s3cret", NULL));
  g_assert_false (cb_rtmp_ingest_check_key (settings, "cam", NULL, NULL));
  g_assert_false (cb_rtmp_ingest_check_key (settings, "cam", "key=s3cre", NULL));
  g_assert_false (cb_rtmp_ingest_check_key (settings, "cam", "key=s3cret2", NULL));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "cam", "a=1&key=s3cret", NULL));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "cam", NULL, "key=s3cret"));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "cam", "key=s3%63ret", NULL));
  /* A per-stream key replaces the global one for that stream. */
  g_assert_true (cb_settings_set (settings, "rtmp_publish_keys", "vip:v1p, a:b:c", NULL));
  g_assert_false (cb_rtmp_ingest_check_key (settings, "vip", "key=s3cret", NULL));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "vip", "key=v1p", NULL));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "a:b", "key=c", NULL));
  g_assert_true (cb_rtmp_ingest_check_key (settings, "other", "key=s3cret", NULL));
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&settings));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/rtmp/ingest/timeline", test_timeline);
  g_test_add_func ("/cb/rtmp/ingest/tags-to-buffers", test_tags_to_buffers);
  g_test_add_func ("/cb/rtmp/ingest/publish-keys", test_publish_keys);
  return g_test_run ();
}
