/* fuzz-egress-rtcp.c — a viewer's decrypted RTCP, and RTP through rewrite and RTX
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-error.h"
#include "cb-egress-rtcp.h"
#include "cb-egress-rtp.h"
#include "fuzz-common.h"

static void
check_rtcp (const uint8_t *data,
            size_t         size)
{
  g_autoptr(GError) error = NULL;
  CbEgressRtcpFeedback fb;

  if (cb_egress_rtcp_parse (data, size, &fb, &error))
    {
      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (fb.n_packets >= 1);
      FUZZ_CHECK (size % 4 == 0);
    }
  else
    FUZZ_CHECK_ERROR_IN (error, CB_EGRESS_ERROR);
  FUZZ_CHECK (fb.n_reports <= CB_EGRESS_RTCP_MAX_REPORTS);
  FUZZ_CHECK (fb.n_nacks <= CB_EGRESS_RTCP_MAX_NACKS);
  FUZZ_CHECK (fb.n_keyframe_requests <= CB_EGRESS_RTCP_MAX_KEYFRAME_REQUESTS);
}

static void
check_rtp (const uint8_t *data,
           size_t         size)
{
  CbEgressRtpHeader h, h2;
  guint8 out[2048], back[2048];
  gsize len, back_len;

  if (!cb_egress_rtp_parse (data, size, &h))
    {
      FUZZ_CHECK (cb_egress_rtp_rewrite (out, sizeof out, data, size, 100) == 0);
      FUZZ_CHECK (cb_egress_rtx_wrap (out, sizeof out, data, size, 101, 7, 9) == 0);
      return;
    }
  FUZZ_CHECK (h.header_len + h.payload_len + h.padding_len == size);
  if (size > sizeof out - 2)
    return;

  len = cb_egress_rtp_rewrite (out, sizeof out, data, size, 100);
  FUZZ_CHECK (len == size);
  FUZZ_CHECK (cb_egress_rtp_parse (out, len, &h2));
  FUZZ_CHECK (h2.payload_type == 100 && h2.marker == h.marker && h2.seq == h.seq);

  /* RTX and back gives the original without its padding. */
  len = cb_egress_rtx_wrap (out, sizeof out, data, size, 101, 7, 9);
  FUZZ_CHECK (len == h.header_len + 2 + h.payload_len);
  back_len = cb_egress_rtx_unwrap (back, sizeof back, out, len, h.payload_type, h.ssrc);
  FUZZ_CHECK (back_len == h.header_len + h.payload_len);
  FUZZ_CHECK (memcmp (back + 1, data + 1, back_len - 1) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check_rtcp (data, size);
  check_rtp (data, size);
  return 0;
}
