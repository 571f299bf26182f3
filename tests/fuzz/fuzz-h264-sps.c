/* fuzz-h264-sps.c — the SPS of an RTMP publisher's AVC sequence header
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cb_h264_sps_parse() reads exp-Golomb fields, scaling lists and the VUI of a NAL unit
 * from the network: it must stay inside the bytes, and what it reports is a size an
 * encoder could have made (at most 1024 macroblocks a side) and a sane frame rate.
 */
#include "cb-flv-codec.h"

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  CbH264SpsInfo info;

  if (!cb_h264_sps_parse (data, size, &info))
    return 0;
  FUZZ_CHECK (info.width > 0 && info.width <= 1025 * 16);
  FUZZ_CHECK (info.height > 0 && info.height <= 2 * 1025 * 16);
  FUZZ_CHECK ((info.fps_n == 0 && info.fps_d == 0) || (info.fps_n > 0 && info.fps_d > 0));
  /* The rate check divides as integers: just under 241 passes. */
  FUZZ_CHECK (info.fps_n / (double) MAX (info.fps_d, 1) < 241.0 + 1e-6);
  return 0;
}
