/* fuzz-handshake.c — handshake state machines fed with arbitrary peer bytes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one control byte (bit 0: client or server; the rest: piece size), then the bytes
 * the peer sends.
 */
#include "cb-rtmp-handshake.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CbRtmpHandshake) hs = NULL;
  CbRtmpHandshakeRole role;
  gsize step, sent = 0, total_consumed = 0;

  if (size < 1)
    return 0;
  role = (data[0] & 1) ? CB_RTMP_HANDSHAKE_SERVER : CB_RTMP_HANDSHAKE_CLIENT;
  step = ((gsize) (data[0] >> 1) + 1) * 13;
  hs = cb_rtmp_handshake_new_full (role, 1, 2);
  data++;
  size--;

  {
    g_autoptr(GBytes) first = cb_rtmp_handshake_take_output (hs);

    if (role == CB_RTMP_HANDSHAKE_CLIENT)
      FUZZ_CHECK (first != NULL && g_bytes_get_size (first) == 1 + CB_RTMP_HANDSHAKE_BLOCK_SIZE);
    else
      FUZZ_CHECK (first == NULL);
  }

  for (gsize off = 0; off < size; off += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      gsize n = MIN (step, size - off), consumed = 0;

      if (!cb_rtmp_handshake_feed (hs, data + off, n, &consumed, &error))
        {
          FUZZ_CHECK_ERROR (error);
          FUZZ_CHECK (!cb_rtmp_handshake_is_done (hs));
          break;
        }
      FUZZ_CHECK (consumed <= n);
      total_consumed += consumed;
      out = cb_rtmp_handshake_take_output (hs);
      if (out != NULL)
        sent += g_bytes_get_size (out);
      if (consumed < n)
        FUZZ_CHECK (cb_rtmp_handshake_is_done (hs));
    }

  FUZZ_CHECK (total_consumed <= 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE);
  if (cb_rtmp_handshake_is_done (hs))
    {
      FUZZ_CHECK (total_consumed == 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE);
      FUZZ_CHECK (sent == (role == CB_RTMP_HANDSHAKE_SERVER ? 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE
                                                            : CB_RTMP_HANDSHAKE_BLOCK_SIZE));
    }
  return 0;
}
