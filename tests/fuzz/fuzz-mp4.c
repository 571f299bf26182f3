/* fuzz-mp4.c — the MP4 box reader that repairs recordings cut short
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recordings are cut at any byte by a crash or a full disk, and files from the media folder
 * may be anything: cb_mp4_parse() must never read outside the data nor trust a size.
 */
#include <string.h>

#include "cb-engine-error.h"
#include "cb-mp4.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  CbMp4Info info, again;

  if (!cb_mp4_parse (data, size, &info, &error))
    {
      FUZZ_CHECK_ERROR_IN (error, CB_ENGINE_ERROR);
      FUZZ_CHECK (error->code == CB_ENGINE_ERROR_INVALID);
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (info.complete_length <= size);
  FUZZ_CHECK (memchr (info.video_codec, '\0', sizeof info.video_codec) != NULL);
  FUZZ_CHECK (memchr (info.audio_codec, '\0', sizeof info.audio_codec) != NULL);
  FUZZ_CHECK (info.has_video || info.video_codec[0] == '\0');
  FUZZ_CHECK (info.has_audio || info.audio_codec[0] == '\0');
  FUZZ_CHECK (info.duration_ms >= -1);
  FUZZ_CHECK (!info.fragmented || info.duration_ms == -1);

  /* The repair truncates a file to complete_length: what is left must read as complete. */
  if (info.complete_length > 0)
    {
      FUZZ_CHECK (cb_mp4_parse (data, info.complete_length, &again, &error));
      FUZZ_CHECK (again.complete_length == info.complete_length);
    }
  return 0;
}
