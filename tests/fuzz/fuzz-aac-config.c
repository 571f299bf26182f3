/* fuzz-aac-config.c — the AudioSpecificConfig of an RTMP publisher's AAC sequence header
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cb_aac_config_parse() must stay inside the bytes and give a positive rate (one of the
 * table's or an explicit 24-bit one) and 1–8 channels.
 */
#include "cb-flv-codec.h"

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  int rate = 0, channels = 0;

  if (!cb_aac_config_parse (data, size, &rate, &channels))
    return 0;
  FUZZ_CHECK (rate > 0 && rate < (1 << 24));
  FUZZ_CHECK (channels >= 1 && channels <= 8);
  return 0;
}
