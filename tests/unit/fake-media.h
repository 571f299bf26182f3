/* fake-media.h — synthetic media descriptions shared by the engine's unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

/* 640x360 H.264 at 30 fps, with a minimal avcC. */
static inline GstCaps *
fake_h264_caps (void)
{
  guint8 avcc[] = { 1, 0x42, 0xc0, 0x1f, 0xff, 0xe0 };
  g_autoptr(GstBuffer) cd = gst_buffer_new_memdup (avcc, sizeof avcc);

  return gst_caps_new_simple ("video/x-h264", "stream-format", G_TYPE_STRING, "avc",
                              "alignment", G_TYPE_STRING, "au", "width", G_TYPE_INT, 640,
                              "height", G_TYPE_INT, 360, "framerate", GST_TYPE_FRACTION, 30, 1,
                              "codec_data", GST_TYPE_BUFFER, cd, NULL);
}

/* Runs @desc (a gst-launch line, @FILE@ where the file's path goes) to its end and
 * returns the file it wrote, @name in a temporary folder of its own. */
static inline char *
fake_media_write (const char *name,
                  const char *desc_with_file)
{
  g_autofree char *dir = g_dir_make_tmp ("cb-media-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_auto(GStrv) parts = g_strsplit (desc_with_file, "@FILE@", -1);
  g_autofree char *desc = g_strjoinv (path, parts);
  g_autoptr(GstElement) pipeline = gst_parse_launch (desc, NULL);
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) msg = NULL;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return path;
}

/* Ten seconds of a 160x90 test picture and a sine (raw, in AVI), for media sources. */
#define FAKE_MEDIA_CLIP \
  "avimux name=mux ! filesink location=\"@FILE@\" " \
  "videotestsrc num-buffers=100 ! video/x-raw,format=I420,width=160,height=90,framerate=10/1 ! mux. " \
  "audiotestsrc wave=sine volume=0.5 samplesperbuffer=4800 num-buffers=100 ! " \
  "audio/x-raw,format=S16LE,rate=48000,channels=2 ! mux."
