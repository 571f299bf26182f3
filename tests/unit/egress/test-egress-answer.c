/* test-egress-answer.c — answers to browsers' offers for the egress path
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gst/sdp/sdp.h>
#include <string.h>

#include "cb-egress-answer.h"
#include "cb-webrtc-peer.h"

#define FP "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

/* Shaped like Chrome's recvonly offer: audio first, VP8 before H.264, RTX for each video
 * codec, a data channel, BUNDLE, session-less ICE attributes in every section. */
static const char chrome_offer[] =
  "v=0\r\n"
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "a=group:BUNDLE 0 1 2\r\n"
  "a=msid-semantic: WMS\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=rtcp:9 IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:brWs\r\n"
  "a=ice-pwd:browser-password-0123456789\r\n"
  "a=ice-options:trickle\r\n"
  "a=fingerprint:sha-256 " FP "\r\n"
  "a=setup:actpass\r\n"
  "a=mid:0\r\n"
  "a=recvonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtpmap:111 opus/48000/2\r\n"
  "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
  "a=rtpmap:63 red/48000/2\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 108 109\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:brWs\r\n"
  "a=ice-pwd:browser-password-0123456789\r\n"
  "a=fingerprint:sha-256 " FP "\r\n"
  "a=setup:actpass\r\n"
  "a=mid:1\r\n"
  "a=recvonly\r\n"
  "a=rtcp-mux\r\n"
  "a=rtpmap:96 VP8/90000\r\n"
  "a=rtcp-fb:96 nack\r\n"
  "a=rtpmap:97 rtx/90000\r\n"
  "a=fmtp:97 apt=96\r\n"
  "a=rtpmap:102 H264/90000\r\n"
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
  "a=rtpmap:103 rtx/90000\r\n"
  "a=fmtp:103 apt=102\r\n"
  "a=rtpmap:108 H264/90000\r\n"
  "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
  "a=rtpmap:109 rtx/90000\r\n"
  "a=fmtp:109 apt=108\r\n"
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:brWs\r\n"
  "a=ice-pwd:browser-password-0123456789\r\n"
  "a=fingerprint:sha-256 " FP "\r\n"
  "a=setup:actpass\r\n"
  "a=mid:2\r\n"
  "a=sctp-port:5000\r\n";

static const CbEgressAnswerParams params = {
  .address = "127.0.0.1",
  .port = 40123,
  .fingerprint = "11:22:33",
  .cname = "stream-cname",
  .ssrc = { 0x11111111, 0x22222222 },
  .rtx_ssrc = 0x33333333,
};

static const GstSDPMedia *
media_with_mid (const GstSDPMessage *sdp,
                const char          *mid)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_attribute_val (m, "mid"), mid) == 0)
        return m;
    }
  return NULL;
}

static gboolean
has_attribute (const GstSDPMedia *m,
               const char        *key,
               const char        *value)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++)
    {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);

      if (g_strcmp0 (a->key, key) == 0 && g_strcmp0 (a->value, value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The offer as the endpoint hands it over: parsed once, by cb_sdp_parse(). */
static CbEgressAnswer *
answer_text (const char                 *text,
             const CbEgressAnswerParams *p,
             GError                    **error)
{
  g_autoptr(GstSDPMessage) offer = NULL;

  if (!cb_sdp_parse (text, &offer))
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_BAD_SDP, "Bad SDP offer");
      return NULL;
    }
  return cb_egress_answer_new (offer, p, error);
}

static void
test_chrome (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CbEgressAnswer) answer = answer_text (chrome_offer, &params, &error);
  g_autoptr(GstSDPMessage) sdp = NULL;
  const GstSDPMedia *audio, *video, *data;

  g_assert_no_error (error);
  g_assert_nonnull (answer);

  /* What the egress needs for this viewer. */
  g_assert_cmpstr (answer->video_encoding, ==, "H264");
  g_assert_cmpint (answer->config.payload_type[CB_EGRESS_MEDIA_VIDEO], ==, 108);  /* 42e01f */
  g_assert_cmpint (answer->config.rtx_payload_type, ==, 109);
  g_assert_cmpint (answer->config.payload_type[CB_EGRESS_MEDIA_AUDIO], ==, 111);
  g_assert_cmpuint (answer->config.clock_rate[CB_EGRESS_MEDIA_VIDEO], ==, 90000);
  g_assert_cmpuint (answer->config.clock_rate[CB_EGRESS_MEDIA_AUDIO], ==, 48000);
  g_assert_cmpstr (answer->config.remote_ufrag, ==, "brWs");
  g_assert_cmpstr (answer->config.remote_fingerprint, ==, FP);
  g_assert_cmpuint (strlen (answer->config.local_ufrag), >=, 4);
  g_assert_cmpuint (strlen (answer->config.local_pwd), >=, 22);

  /* The answer, read back by GStreamer's SDP parser as a browser would read it. */
  g_assert_cmpint (gst_sdp_message_new_from_text (answer->sdp, &sdp), ==, GST_SDP_OK);
  g_assert_nonnull (gst_sdp_message_get_attribute_val (sdp, "ice-lite"));
  g_assert_cmpstr (gst_sdp_message_get_attribute_val (sdp, "group"), ==, "BUNDLE 0 1");
  g_assert_cmpuint (gst_sdp_message_medias_len (sdp), ==, 3);
  audio = media_with_mid (sdp, "0");
  video = media_with_mid (sdp, "1");
  data = media_with_mid (sdp, "2");
  g_assert_nonnull (audio);
  g_assert_nonnull (video);
  g_assert_nonnull (data);
  g_assert_cmpuint (gst_sdp_media_get_port (data), ==, 0);   /* no data channels here */

  g_assert_cmpuint (gst_sdp_media_get_port (video), ==, 40123);
  g_assert_cmpuint (gst_sdp_media_formats_len (video), ==, 2);
  g_assert_cmpstr (gst_sdp_media_get_format (video, 0), ==, "108");
  g_assert_cmpstr (gst_sdp_media_get_format (video, 1), ==, "109");
  g_assert_true (has_attribute (video, "sendonly", NULL) || has_attribute (video, "sendonly", ""));
  g_assert_true (has_attribute (video, "setup", "passive"));
  g_assert_true (has_attribute (video, "fingerprint", "sha-256 11:22:33"));
  g_assert_true (has_attribute (video, "ice-ufrag", answer->config.local_ufrag));
  g_assert_true (has_attribute (video, "candidate", "1 1 UDP 2130706431 127.0.0.1 40123 typ host"));
  g_assert_true (has_attribute (video, "rtpmap", "108 H264/90000"));
  g_assert_true (has_attribute (video, "fmtp",
                                "108 level-asymmetry-allowed=1;packetization-mode=1;"
                                "profile-level-id=42e01f"));
  g_assert_true (has_attribute (video, "rtcp-fb", "108 nack"));
  g_assert_true (has_attribute (video, "rtcp-fb", "108 nack pli"));
  g_assert_true (has_attribute (video, "fmtp", "109 apt=108"));
  g_assert_true (has_attribute (video, "ssrc-group", "FID 286331153 858993459"));
  g_assert_true (has_attribute (video, "ssrc", "286331153 cname:stream-cname"));
  g_assert_true (has_attribute (video, "rtcp-mux", NULL) || has_attribute (video, "rtcp-mux", ""));

  g_assert_true (has_attribute (audio, "rtpmap", "111 OPUS/48000/2"));
  g_assert_true (has_attribute (audio, "ssrc", "572662306 cname:stream-cname"));
  g_assert_cmpuint (gst_sdp_media_formats_len (audio), ==, 1);
}

static void
test_prefer_vp8 (void)
{
  CbEgressAnswerParams p = params;
  g_autoptr(CbEgressAnswer) answer = NULL;

  p.prefer_video = "VP8";
  answer = answer_text (chrome_offer, &p, NULL);
  g_assert_nonnull (answer);
  g_assert_cmpstr (answer->video_encoding, ==, "VP8");
  g_assert_cmpint (answer->config.payload_type[CB_EGRESS_MEDIA_VIDEO], ==, 96);
  g_assert_cmpint (answer->config.rtx_payload_type, ==, 97);
}

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

typedef struct {
  const char *name;
  const char *from;
  const char *to;
  int         code;   /* -1: answered */
  int         video_pt;
  int         rtx_pt;
} OfferCase;

static const OfferCase offer_cases[] = {
  { "setup-active", "a=setup:actpass", "a=setup:active", -1, 108, 109 },
  { "setup-passive", "a=setup:actpass", "a=setup:passive", CB_WEBRTC_ERROR_FAILED },
  { "no-fingerprint", "a=fingerprint:sha-256 " FP "\r\n", "", CB_WEBRTC_ERROR_FAILED },
  { "sha-1-fingerprint", "a=fingerprint:sha-256", "a=fingerprint:sha-1", CB_WEBRTC_ERROR_FAILED },
  { "no-ufrag", "a=ice-ufrag:brWs\r\n", "", CB_WEBRTC_ERROR_FAILED },
  { "no-rtx", "a=fmtp:109 apt=108\r\n", "", -1, 108, -1 },
  { "audio-only", "m=video 9", "m=video 0", -1, -1, -1 },
  { "nothing-we-send", "opus/48000", "G722/48000", CB_WEBRTC_ERROR_NO_CODECS },
  { "no-media-sections", "m=", "x=", CB_WEBRTC_ERROR_BAD_SDP },
};

static void
test_offer_table (gconstpointer data)
{
  const OfferCase *c = data;
  g_autofree char *offer = replace (chrome_offer, c->from, c->to);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbEgressAnswer) answer = NULL;

  /* The audio-only and nothing-we-send rows also drop the video section's codecs. */
  if (g_str_equal (c->name, "nothing-we-send"))
    {
      g_autofree char *tmp = replace (offer, "H264/90000", "H265/90000");

      g_free (offer);
      offer = replace (tmp, "VP8/90000", "AV1/90000");
    }
  answer = answer_text (offer, &params, &error);
  if (c->code >= 0)
    {
      g_assert_null (answer);
      g_assert_error (error, CB_WEBRTC_ERROR, c->code);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (answer->config.payload_type[CB_EGRESS_MEDIA_VIDEO], ==, c->video_pt);
  g_assert_cmpint (answer->config.rtx_payload_type, ==, c->rtx_pt);
  g_assert_cmpint (answer->config.payload_type[CB_EGRESS_MEDIA_AUDIO], ==, 111);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cb/egress/answer/chrome", test_chrome);
  g_test_add_func ("/cb/egress/answer/prefer-vp8", test_prefer_vp8);
  for (gsize i = 0; i < G_N_ELEMENTS (offer_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/answer/offer/%s", offer_cases[i].name);

      g_test_add_data_func (path, &offer_cases[i], test_offer_table);
    }
  return g_test_run ();
}
