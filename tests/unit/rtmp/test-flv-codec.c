/* test-flv-codec.c — the H.264 SPS and AAC AudioSpecificConfig readers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per case: SPS made by x264 for each branch of the parser (cropping, interlace,
 * 4:4:4, monochrome, scaling matrices, odd frame rates), and the broken shapes the fuzz
 * target found or that a publisher can send.
 */
#include <string.h>

#include "cb-flv-codec.h"

/* An exact-size heap copy of the bytes, so that a read past the end is caught. */
static guint8 *
from_hex (const char *hex,
          gsize      *len)
{
  guint8 *bytes;

  *len = strlen (hex) / 2;
  bytes = g_malloc (MAX (*len, 1));
  for (gsize i = 0; i < *len; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) * 16 +
                         g_ascii_xdigit_value (hex[2 * i + 1]));
  return bytes;
}

typedef struct {
  const char *name;
  const char *hex;
  gboolean    ok;
  int         width, height, fps_n, fps_d;
} SpsCase;

static const SpsCase sps_cases[] = {
  { "baseline 320x240 30", "6742c00dd90141fb0110000003001000000303c0f142a480", TRUE, 320, 240, 30, 1 },
  { "main 1080 cropped 29.97", "674d4028eca03c0113f2ffe000600082000007d20001d4c01e30632c", TRUE,
    1920, 1080, 30000, 1001 },
  { "high 720p 30", "6764001facd9405005bb0110000003001000000303c0f1831960", TRUE, 1280, 720, 30, 1 },
  { "high scaling matrix 640x360 60", "6764001facd940a02ff97ff000300041000003000100000300780f183196",
    TRUE, 640, 360, 60, 1 },
  { "monochrome 160x120 24", "6764000bf3650a11f89c05b2000003000200000300601e28532c", TRUE, 160, 120, 24, 1 },
  { "4:4:4 176x144 25", "67f4000b919b28589d81080000030008000003019078a14cb0", TRUE, 176, 144, 25, 1 },
  { "interlaced 720x576", "6764001eacd940b424dff8008000788000000300800000190f8a14cb", TRUE, 720, 576, 25, 1 },
  { "64x64 1 fps", "6764000aacd94426c384000003000400000300083c489658", TRUE, 64, 64, 1, 1 },
  /* Cut inside the VUI: the size is known, the rate is not. */
  { "cut in VUI", "6742c00dd90141fb0110000003", TRUE, 320, 240, 0, 0 },
  { "cut before the size", "6742c00dd9", FALSE },
  { "header only", "67", FALSE },
  { "empty", "", FALSE },
  { "exp-Golomb over 32 bits", "6742c00d0000000000ff", FALSE },
  /* A VUI rate of one frame in billions of seconds: halved to 0/N, reported as none. */
  { "rate halved to zero", "e44241ffffffffffffffffff30cf00000000000067dbfe98d3012c10", TRUE, -1, -1, 0, 0 },
};

static void
test_sps (gconstpointer data)
{
  const SpsCase *c = data;
  gsize len = 0;
  g_autofree guint8 *bytes = from_hex (c->hex, &len);
  CbH264SpsInfo info;
  gboolean ok;

  ok = cb_h264_sps_parse (bytes, len, &info);
  g_assert_cmpint (ok, ==, c->ok);
  if (!ok)
    return;
  if (c->width >= 0)
    {
      g_assert_cmpint (info.width, ==, c->width);
      g_assert_cmpint (info.height, ==, c->height);
    }
  /* Compare as fractions: x264 writes 60 fps as 120/2 ticks, kept unreduced. */
  g_assert_cmpint ((gint64) info.fps_n * MAX (c->fps_d, 1), ==, (gint64) c->fps_n * MAX (info.fps_d, 1));
  g_assert_true ((info.fps_n == 0) == (info.fps_d == 0));
}

typedef struct {
  const char *name;
  const char *hex;
  gboolean    ok;
  int         rate, channels;
} AacCase;

static const AacCase aac_cases[] = {
  { "LC 44.1 kHz stereo", "1210", TRUE, 44100, 2 },
  { "LC 48 kHz mono", "1188", TRUE, 48000, 1 },
  { "HE-AAC (the core's rate)", "2b920800", TRUE, 22050, 2 },
  { "explicit 37800 Hz", "178049d410", TRUE, 37800, 2 },
  { "escaped object type", "f94620", TRUE, 48000, 1 },
  { "channel config 7 is 8 channels", "1438", TRUE, 16000, 8 },
  { "channel config 0 is taken as stereo", "1200", TRUE, 44100, 2 },
  { "reserved rate index", "1690", FALSE },
  { "explicit rate 0", "1780000010", FALSE },
  { "cut", "12", FALSE },
  { "empty", "", FALSE },
};

static void
test_aac (gconstpointer data)
{
  const AacCase *c = data;
  gsize len = 0;
  g_autofree guint8 *bytes = from_hex (c->hex, &len);
  int rate = 0, channels = 0;
  gboolean ok;

  ok = cb_aac_config_parse (bytes, len, &rate, &channels);
  g_assert_cmpint (ok, ==, c->ok);
  if (ok)
    {
      g_assert_cmpint (rate, ==, c->rate);
      g_assert_cmpint (channels, ==, c->channels);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sps_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/rtmp/flv-codec/sps/%s", sps_cases[i].name);

      g_test_add_data_func (path, &sps_cases[i], test_sps);
    }
  for (guint i = 0; i < G_N_ELEMENTS (aac_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/rtmp/flv-codec/aac/%s", aac_cases[i].name);

      g_test_add_data_func (path, &aac_cases[i], test_aac);
    }
  return g_test_run ();
}
