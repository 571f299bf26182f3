/* test-video-rule.c — the one "H.264 (or VP8) or transcode" rule, one row per case
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-error.h"
#include "cb-engine-private.h"
#include "cb-settings.h"
#include "cb-stream.h"
#include "fake-media.h"

typedef struct {
  const char *name;
  const char *source;        /* "H264", "VP8", or NULL: not known yet */
  gboolean    b_frames;      /* the source has shown B-frames */
  const char *want;
  gboolean    b_frames_ok;
  const char *offered;
  gboolean    sized;         /* the consumer asks for a size: a profile of its own */
  gboolean    transcoding;
  const char *error;         /* NULL: allowed */
  int         keyframe_interval;  /* what the profile asks for when allowed */
  gboolean    vp8;
} Row;

static const Row rows[] = {
  { "h264-as-is", "H264", FALSE, "H264", TRUE, NULL, FALSE, FALSE, NULL, 0, FALSE },
  { "unknown-as-is", NULL, FALSE, "H264", TRUE, NULL, FALSE, FALSE, NULL, 0, FALSE },
  { "b-frames-to-rtmp", "H264", TRUE, "H264", TRUE, NULL, FALSE, FALSE, NULL, 0, FALSE },
  { "b-frames-to-webrtc-off", "H264", TRUE, "H264", FALSE, "H264", FALSE, FALSE,
    "Transcoding required, but disabled", 0, FALSE },
  { "b-frames-to-webrtc-on", "H264", TRUE, "H264", FALSE, "H264", FALSE, TRUE, NULL, 60, FALSE },
  { "vp8-to-rtmp-off", "VP8", FALSE, "H264", TRUE, NULL, FALSE, FALSE,
    "Video codec mismatch. VP8 granted, but should be H.264", 0, FALSE },
  { "vp8-to-rtmp-on", "VP8", FALSE, "H264", TRUE, NULL, FALSE, TRUE, NULL, 60, FALSE },
  { "sized-off", "H264", FALSE, "H264", TRUE, NULL, TRUE, FALSE,
    "Transcoding required, but disabled", 0, FALSE },
  { "vp8-sized-off", "VP8", FALSE, "H264", TRUE, NULL, TRUE, FALSE,
    "Transcoding required, but disabled", 0, FALSE },
  { "vp8-to-h264-player-off", "VP8", FALSE, "H264", FALSE, "H264", FALSE, FALSE,
    "Transcoding required, but disabled: stream has VP8, player offers H264", 0, FALSE },
  { "h264-to-vp8-player-on", "H264", FALSE, "VP8", FALSE, "VP8", FALSE, TRUE, NULL, 0, TRUE },
  { "vp8-to-vp8-player", "VP8", FALSE, "VP8", FALSE, "VP8", FALSE, FALSE, NULL, 0, FALSE },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(CbEngine) engine = NULL;
  g_autoptr(CbStream) s = cb_stream_new ("rule", "Local");
  g_autoptr(GError) error = NULL;
  CbProfile profile = { 0 };
  gboolean ok;

  g_assert_true (cb_settings_set (settings, "transcoding_enabled",
                                  row->transcoding ? "true" : "false", NULL));
  engine = cb_engine_new (settings);
  if (row->source != NULL)
    {
      g_autoptr(GstCaps) caps = g_str_equal (row->source, "VP8")
                                ? gst_caps_new_simple ("video/x-vp8", "width", G_TYPE_INT, 640,
                                                       "height", G_TYPE_INT, 360, NULL)
                                : fake_h264_caps ();

      cb_stream_push_caps (s, CB_MEDIA_VIDEO, caps);
    }
  if (row->b_frames)
    {
      g_autoptr(GstBuffer) b = gst_buffer_new_allocate (NULL, 10, NULL);

      GST_BUFFER_DTS (b) = 0;
      GST_BUFFER_PTS (b) = 66 * GST_MSECOND;
      cb_stream_push_buffer (s, CB_MEDIA_VIDEO, b);
      g_assert_true (cb_stream_has_b_frames (s));
    }
  if (row->sized)
    profile.width = 320, profile.height = 180;

  ok = cb_engine_want_video (engine, s, row->want, row->b_frames_ok, row->offered, 60,
                             &profile, &error);
  if (row->error != NULL)
    {
      g_assert_false (ok);
      /* One code, so one HTTP status and one reason, for every consumer. */
      g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, row->error);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (profile.keyframe_interval, ==, row->keyframe_interval);
  g_assert_cmpint (profile.codec == CB_VIDEO_CODEC_VP8, ==, row->vp8);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&settings));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/video-rule/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  return g_test_run ();
}
