/* cb-flv-codec.h — the H.264 SPS and AAC AudioSpecificConfig readers for FLV sequence headers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CbH264SpsInfo:
 * @width: the cropped picture width
 * @height: the cropped picture height
 * @fps_n: the frame rate's numerator from the VUI timing, 0 when the SPS has none
 * @fps_d: its denominator
 */
typedef struct {
  int width;
  int height;
  int fps_n;
  int fps_d;
} CbH264SpsInfo;

gboolean cb_h264_sps_parse   (const guint8  *nal,
                              gsize          len,
                              CbH264SpsInfo *info);
gboolean cb_aac_config_parse (const guint8  *data,
                              gsize          len,
                              int           *rate,
                              int           *channels);

G_END_DECLS
