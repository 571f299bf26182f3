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
