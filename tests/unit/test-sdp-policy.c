/* test-sdp-policy.c — which codec we take from an offer, and the answer touch-ups
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-webrtc-peer.h"

/* A trimmed Chromium offer: VP8 first, then H.264 in several profiles, then Opus. */
static const char chrome_offer[] =
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n"
  "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
  "a=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\n"
  "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
  "a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
  "a=rtpmap:103 H264/90000\r\na=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
  "a=rtpmap:104 H264/90000\r\na=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
  "a=rtpmap:105 H264/90000\r\na=fmtp:105 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
  "a=rtpmap:106 H264/90000\r\na=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032\r\n"
  "a=rtpmap:107 rtx/90000\r\na=fmtp:107 apt=106\r\n";

typedef struct {
  const char *name;
  const char *offer;
  const char *media;
  gboolean    ok;
  int         pt;
  const char *encoding;
  int         code;
  const char *prefer;   /* the codec of the stream played, when it is taken first */
} Row;

static const char vp8_only[] =
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n";
static const char h264_mode0_only[] =
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:102 H264/90000\r\n"
  "a=fmtp:102 packetization-mode=0;profile-level-id=42e01f\r\n";
static const char stripped_audio[] =   /* the SDK's stripCodecs can leave no Opus */
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:9 G722/8000\r\n";
static const char no_sendable_video[] =   /* a browser without H.264 or VP8 */
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 98 99 45\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:98 VP9/90000\r\n"
  "a=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=98\r\na=rtpmap:45 AV1/90000\r\n";
static const char rejected_video[] =
  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
  "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n";

/* webrtcbin's max-bundle offer: every section after the first is port 0, bundle-only. */
static const char bundle_only_audio[] =
  "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE video0 audio1\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:video0\r\na=recvonly\r\na=rtpmap:102 H264/90000\r\n"
  "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
  "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=bundle-only\r\na=mid:audio1\r\na=recvonly\r\n"
  "a=rtpmap:111 OPUS/48000/2\r\n";

static const Row rows[] = {
  { "chrome-video-prefers-h264-cb", chrome_offer, "video", TRUE, 105, "H264" },
  { "chrome-audio-opus", chrome_offer, "audio", TRUE, 111, "OPUS" },
  { "vp8-only", vp8_only, "video", TRUE, 96, "VP8" },
  { "h264-mode0-unusable", h264_mode0_only, "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS },
  { "no-opus", stripped_audio, "audio", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS },
  { "no-audio-section", vp8_only, "audio", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS },
  { "rejected-section", rejected_video, "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS },
  { "bundle-only-section", bundle_only_audio, "audio", TRUE, 111, "OPUS" },
  { "empty", "", "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_BAD_SDP },
  { "junk", "hello world", "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_BAD_SDP },
  { "null", NULL, "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_BAD_SDP },
  { "no-sendable-video", no_sendable_video, "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS },
  /* A player of a VP8 stream gets VP8 when it offers it (no encoding); of an H.264 one,
   * H.264 as ever, whatever the browser lists first. */
  { "prefer-vp8-takes-vp8", chrome_offer, "video", TRUE, 96, "VP8", 0, "VP8" },
  { "prefer-h264-takes-h264-cb", chrome_offer, "video", TRUE, 105, "H264", 0, "H264" },
  { "prefer-vp8-without-vp8", h264_mode0_only, "video", FALSE, -1, NULL, CB_WEBRTC_ERROR_NO_CODECS, "VP8" },
  { "prefer-vp8-audio-untouched", chrome_offer, "audio", TRUE, 111, "OPUS", 0, "VP8" },
  { "prefer-h264-vp8-only", vp8_only, "video", TRUE, 96, "VP8", 0, "H264" },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  CbSdpCodec codec;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstSDPMessage) offer = NULL;
  gboolean ok;

  /* What is no SDP stops at the one parse; the policy reads parsed offers only. */
  if (!cb_sdp_parse (row->offer, &offer))
    {
      g_assert_null (offer);
      g_assert_false (row->ok);
      g_assert_cmpint (row->code, ==, CB_WEBRTC_ERROR_BAD_SDP);
      return;
    }
  ok = cb_sdp_pick_codec (offer, row->media, row->prefer, &codec, &error);
  g_assert_cmpint (ok, ==, row->ok);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_cmpint (codec.pt, ==, row->pt);
      g_assert_cmpstr (codec.encoding, ==, row->encoding);
    }
  else
    g_assert_error (error, CB_WEBRTC_ERROR, row->code);
  cb_sdp_codec_clear (&codec);
}

static void
test_truncated_offers (void)
{
  gsize len = strlen (chrome_offer);

  /* Every prefix: an answer or an error, never a crash. */
  for (gsize i = 0; i <= len; i++)
    {
      g_autofree char *prefix = g_strndup (chrome_offer, i);
      g_autoptr(GstSDPMessage) offer = NULL;
      CbSdpCodec codec;

      g_autofree char *offered = NULL;

      if (!cb_sdp_parse (prefix, &offer))
        continue;
      cb_sdp_pick_codec (offer, "video", NULL, &codec, NULL);
      cb_sdp_codec_clear (&codec);
      cb_sdp_pick_codec (offer, "video", "VP8", &codec, NULL);
      cb_sdp_codec_clear (&codec);
      offered = cb_sdp_offered_codecs (offer, "video");
    }
}

static void
test_finish_answer (void)
{
  const char *answer = "v=0\r\ns=-\r\nm=audio 9 RTP 111\r\na=candidate:1 1 UDP 1 127.0.0.1 5000 typ host\r\n"
                       "m=video 9 RTP 96\r\na=end-of-candidates\r\n";
  g_autofree char *out = cb_sdp_finish_answer (answer);
  const char *first = strstr (out, "a=end-of-candidates");

  g_assert_nonnull (first);
  g_assert_true (first < strstr (out, "m=video"));
  g_assert_null (strstr (first + 1, "a=end-of-candidates\r\na=end-of-candidates"));
  /* Exactly one per m-section. */
  g_assert_nonnull (strstr (strstr (out, "m=video"), "a=end-of-candidates"));
  g_assert_null (strstr (strstr (strstr (out, "m=video"), "a=end-of-candidates") + 1,
                         "a=end-of-candidates"));
  g_assert_true (g_str_has_suffix (out, "\r\n"));
}

/* The sender's answer repeats the offered H.264 parameters (profile-level-id above all). */
static void
test_answer_fmtp (void)
{
  const char *answer = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                       "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 OPUS/48000/2\r\n"
                       "a=fmtp:111 minptime=10\r\n"
                       "m=video 9 UDP/TLS/RTP/SAVPF 108\r\na=rtpmap:108 H264/90000\r\n"
                       "a=fmtp:108 packetization-mode=1\r\n";
  const char *offered = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
  g_autoptr(GstSDPMessage) sdp = NULL;
  g_autofree char *text = NULL;
  g_autofree char *want = g_strdup_printf ("a=fmtp:108 %s\r\n", offered);

  g_assert_cmpint (gst_sdp_message_new_from_text (answer, &sdp), ==, GST_SDP_OK);
  cb_sdp_answer_set_fmtp (sdp, "video", 108, offered);
  text = gst_sdp_message_as_text (sdp);
  g_assert_nonnull (strstr (text, want));
  g_assert_null (strstr (text, "a=fmtp:108 packetization-mode=1\r\n"));
  g_assert_nonnull (strstr (text, "a=fmtp:111 minptime=10\r\n"));   /* audio untouched */

  /* No fmtp line yet: one is added; nothing to set: nothing changes. */
  gst_sdp_message_free (g_steal_pointer (&sdp));
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (gst_sdp_message_new_from_text ("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                                                  "m=video 9 RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n",
                                                  &sdp), ==, GST_SDP_OK);
  cb_sdp_answer_set_fmtp (sdp, "video", 96, NULL);
  cb_sdp_answer_set_fmtp (sdp, "video", 96, "packetization-mode=1");
  text = gst_sdp_message_as_text (sdp);
  g_assert_nonnull (strstr (text, "a=fmtp:96 packetization-mode=1\r\n"));
}

/* What a failure reason says the player offered. */
static void
test_offered_codecs (void)
{
  static const struct { const char *offer, *media, *want; } cases[] = {
    { chrome_offer, "video", "VP8, H264" },   /* mode 0 beside mode 1 is not named */
    { chrome_offer, "audio", "OPUS, G722, PCMU, PCMA" },
    { vp8_only, "video", "VP8" },
    { no_sendable_video, "video", "VP9, AV1" },
    { h264_mode0_only, "video", "H264 packetization-mode 0" },
    { vp8_only, "audio", NULL },              /* no audio section: nothing asked */
    { rejected_video, "video", NULL },
    { bundle_only_audio, "audio", "OPUS" },
    { "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/SAVPF 97\r\n"
      "a=rtpmap:97 rtx/90000\r\n", "video", "nothing" },
    { "", "video", NULL },
    { "hello", "video", NULL },
    { NULL, "video", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GstSDPMessage) offer = NULL;
      g_autofree char *got = NULL;

      if (cb_sdp_parse (cases[i].offer, &offer))
        got = cb_sdp_offered_codecs (offer, cases[i].media);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
}

/* What GStreamer would keep as names forever never reaches it; what a peer uses does. */
static void
test_parse_bounded (void)
{
  static const char *offer =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0\r\na=cbjunksession:1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\na=ice-ufrag:abcd\r\na=cbjunkattr:1\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 cbjunkparam=1;packetization-mode=1;profile-level-id=42e01f;x-google-cbjunk=5\r\n"
    "a=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 cbjunkfb x\r\n"
    "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 red/90000\r\na=fmtp:98 96/96\r\n"
    "a=ssrc:1 cname:x\r\na=ssrc:1 cbjunkssrc:y\r\n";
  g_autoptr(GstSDPMessage) sdp = NULL;
  g_autoptr(GString) many = g_string_new ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
  g_autofree char *text = NULL;
  const GstSDPMedia *m;
  CbSdpCodec codec;

  g_assert_true (cb_sdp_parse (offer, &sdp));
  m = gst_sdp_message_get_media (sdp, 0);
  for (int pt = 96; pt <= 98; pt++)
    {
      g_autoptr(GstCaps) caps = gst_sdp_media_get_caps_from_media (m, pt);

      g_assert_nonnull (caps);
      g_assert_cmpint (gst_sdp_media_attributes_to_caps (m, caps), ==, GST_SDP_OK);
      g_assert_cmpint (gst_sdp_message_attributes_to_caps (sdp, caps), ==, GST_SDP_OK);
    }
  text = gst_sdp_message_as_text (sdp);
  g_assert_null (strstr (text, "cbjunk"));
  g_assert_nonnull (strstr (text, "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"));
  g_assert_nonnull (strstr (text, "a=fmtp:97 apt=96\r\n"));
  g_assert_nonnull (strstr (text, "a=fmtp:98 96/96\r\n"));
  g_assert_nonnull (strstr (text, "a=rtcp-fb:96 nack pli\r\n"));
  g_assert_nonnull (strstr (text, "a=ssrc:1 cname:x\r\n"));
  g_assert_nonnull (strstr (text, "a=ice-ufrag:abcd\r\n"));
  g_assert_nonnull (strstr (text, "a=group:BUNDLE 0\r\n"));
  for (guint i = 0; i < 6; i++)
    {
      static const char *names[] = { "cbjunkparam", "a-cbjunkattr", "a-cbjunksession",
                                     "rtcp-fb-cbjunkfb-x", "ssrc-1-cbjunkssrc", "x-google-cbjunk" };

      g_assert_cmpuint (g_quark_try_string (names[i]), ==, 0);
    }
  /* The policy reads through it too. */
  g_assert_true (cb_sdp_pick_codec (sdp, "video", NULL, &codec, NULL));
  g_assert_cmpstr (codec.fmtp, ==, "packetization-mode=1;profile-level-id=42e01f");
  cb_sdp_codec_clear (&codec);
  g_assert_cmpuint (g_quark_try_string ("cbjunkparam"), ==, 0);

  /* More m-sections than any peer of ours sends. */
  for (int i = 0; i < 17; i++)
    g_string_append (many, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n");
  g_clear_pointer (&sdp, gst_sdp_message_free);
  g_assert_false (cb_sdp_parse (many->str, &sdp));
  g_assert_null (sdp);
  g_assert_false (cb_sdp_parse ("", &sdp));
  g_assert_false (cb_sdp_parse (NULL, &sdp));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/webrtc/sdp/pick/%s", rows[i].name);
      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/cb/webrtc/sdp/truncated-offers", test_truncated_offers);
  g_test_add_func ("/cb/webrtc/sdp/offered-codecs", test_offered_codecs);
  g_test_add_func ("/cb/webrtc/sdp/finish-answer", test_finish_answer);
  g_test_add_func ("/cb/webrtc/sdp/answer-fmtp", test_answer_fmtp);
  g_test_add_func ("/cb/webrtc/sdp/parse-bounded", test_parse_bounded);
  return g_test_run ();
}
