/* fuzz-sdp.c — an SDP offer from WHIP/WHEP or signaling, through the WHIP check and the
 * codec policy
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure functions only, no server and no webrtcbin: cb_whip_check_sdp() and
 * cb_whip_find_ice_ufrag() on the bytes as they came, then (the text up to the first NUL,
 * as signaling hands it on) the one parse, cb_sdp_parse(), and on its message the codec
 * picks of cb-sdp-policy.c, the answer's fmtp and cb_sdp_finish_answer(). Nothing may
 * crash or log a critical or a warning.
 */
#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include "cb-server.h"
#include "cb-webrtc-peer.h"
#include "cb-whip.h"

#include "fuzz-common.h"

static void
check_codec (gboolean         picked,
             const CbSdpCodec *codec,
             GError           *error)
{
  if (!picked)
    {
      FUZZ_CHECK_ERROR_IN (error, CB_WEBRTC_ERROR);
      FUZZ_CHECK (error->code == CB_WEBRTC_ERROR_NO_CODECS);
      return;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (codec->encoding != NULL);
  FUZZ_CHECK (g_str_equal (codec->encoding, "H264") || g_str_equal (codec->encoding, "VP8") ||
              g_str_equal (codec->encoding, "OPUS"));
  if (g_str_equal (codec->encoding, "H264"))
    FUZZ_CHECK (codec->fmtp != NULL && strstr (codec->fmtp, "packetization-mode=1") != NULL);
}

/* An answer is made from the offer's own SDP here (the real one comes from webrtcbin):
 * what the fmtp touch-up and the end-of-candidates pass do to it is the same. */
static void
finish_answer (const GstSDPMessage *offer,
               const CbSdpCodec    *video)
{
  g_autoptr(GstSDPMessage) sdp = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *finished = NULL;
  g_autofree char *twice = NULL;

  gst_sdp_message_copy (offer, &sdp);
  if (video != NULL)
    cb_sdp_answer_set_fmtp (sdp, "video", video->pt, video->fmtp);
  answer = gst_sdp_message_as_text (sdp);
  FUZZ_CHECK (answer != NULL);
  finished = cb_sdp_finish_answer (answer);
  twice = cb_sdp_finish_answer (finished);
  FUZZ_CHECK (g_str_equal (finished, twice));
  FUZZ_CHECK (finished[0] == '\0' || g_str_has_suffix (finished, "\r\n"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ufrag = NULL;
  g_autofree char *offered = NULL;
  g_autoptr(GstSDPMessage) offer = NULL;
  CbSdpCodec video = { -1 }, audio = { -1 }, vp8 = { -1 };
  gboolean checked, picked, parsed, ok;

  if (!initialized)
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      gst_init (NULL, NULL);
      initialized = TRUE;
    }

  checked = cb_whip_check_sdp ((const char *) data, size, &error);
  if (!checked)
    {
      FUZZ_CHECK_ERROR_IN (error, CB_SERVER_ERROR);
      FUZZ_CHECK (error->code == CB_SERVER_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
  ufrag = cb_whip_find_ice_ufrag ((const char *) data, size);
  FUZZ_CHECK (ufrag == NULL || (ufrag[0] != '\0' && strpbrk (ufrag, "\r\n") == NULL));

  /* Both callers hand the policy UTF-8 only: WHIP checks it (above), signaling's JSON
   * parser too. (GstSDP warns on other bytes in an fmtp.) */
  if (!g_utf8_validate ((const char *) data, size, NULL))
    return 0;
  text = g_strndup ((const char *) data, size);

  /* The offer is parsed once where it enters; the policy reads that message. */
  parsed = cb_sdp_parse (text, &offer);
  FUZZ_CHECK (parsed == (offer != NULL));
  if (!parsed)
    return 0;

  picked = cb_sdp_pick_codec (offer, "video", NULL, &video, &error);
  check_codec (picked, &video, error);
  g_clear_error (&error);
  /* (The error is read after the call: not as another argument of the same call.) */
  ok = cb_sdp_pick_codec (offer, "audio", NULL, &audio, &error);
  check_codec (ok, &audio, error);
  g_clear_error (&error);
  ok = cb_sdp_pick_codec (offer, "video", "VP8", &vp8, &error);
  check_codec (ok, &vp8, error);
  g_clear_error (&error);
  if (picked && vp8.encoding != NULL)
    FUZZ_CHECK (!g_str_equal (video.encoding, "VP8") || g_str_equal (vp8.encoding, "VP8"));

  offered = cb_sdp_offered_codecs (offer, "video");
  FUZZ_CHECK (offered == NULL || offered[0] != '\0');
  /* A section that yields a codec lists something. */
  FUZZ_CHECK (!picked || (offered != NULL && !g_str_equal (offered, "nothing")));

  finish_answer (offer, picked ? &video : NULL);

  cb_sdp_codec_clear (&video);
  cb_sdp_codec_clear (&audio);
  cb_sdp_codec_clear (&vp8);
  return 0;
}
