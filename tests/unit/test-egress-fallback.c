/* test-egress-fallback.c — which WebRTC players the shared egress takes, one row per case
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-private.h"
#include "cb-settings.h"

#ifdef CB_HAVE_EGRESS

#define OFFER_HEAD "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define VIDEO_H264 "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n" \
  "a=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
#define AUDIO_OPUS "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" \
  "a=rtpmap:111 opus/48000/2\r\n"

typedef struct {
  const char *name;
  const char *offer;
  const char *video;     /* the codec the player would get, NULL for none */
  gboolean    egress;    /* webrtc_egress */
  const char *reason;    /* NULL: the egress serves it */
} Row;

static const Row rows[] = {
  { "h264-opus", OFFER_HEAD VIDEO_H264 AUDIO_OPUS, "H264", TRUE, NULL },
  { "udp-candidates", OFFER_HEAD VIDEO_H264
    "a=candidate:1 1 udp 2122260223 192.168.1.5 54321 typ host\r\n"
    "a=candidate:2 1 tcp 1518280447 192.168.1.5 9 typ host tcptype active\r\n" AUDIO_OPUS,
    "H264", TRUE, NULL },
  { "tcp-only", OFFER_HEAD VIDEO_H264
    "a=candidate:2 1 TCP 1518280447 192.168.1.5 9 typ host tcptype active\r\n" AUDIO_OPUS,
    "H264", TRUE, "the offer has only TCP candidates" },
  { "truncated-candidate", OFFER_HEAD VIDEO_H264 "a=candidate:", "H264", TRUE,
    "the offer has only TCP candidates" },
  { "vp8", OFFER_HEAD AUDIO_OPUS, "VP8", TRUE, NULL },
  { "vp9", OFFER_HEAD AUDIO_OPUS, "VP9", TRUE, "the viewer gets neither H.264 nor VP8" },
  { "audio-only", OFFER_HEAD AUDIO_OPUS, NULL, TRUE, NULL },
  /* No Opus: no audio on either path, the picture on this one. */
  { "g722-audio", OFFER_HEAD VIDEO_H264
    "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:9 G722/8000\r\n", "H264",
    TRUE, NULL },
  { "egress-off", OFFER_HEAD VIDEO_H264 AUDIO_OPUS, "H264", FALSE, "webrtc_egress is off" },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(CbEngine) engine = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GstSDPMessage) offer = NULL;

  g_assert_true (cb_sdp_parse (row->offer, &offer));
  g_assert_true (cb_settings_set (settings, "webrtc_egress", row->egress ? "true" : "false", NULL));
  engine = cb_engine_new (settings);
  g_assert_cmpint (cb_egress_hub_can_serve (cb_engine_get_egress_hub (engine), offer,
                                            row->video, &reason), ==, row->reason == NULL);
  g_assert_cmpstr (reason, ==, row->reason);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&settings));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress-fallback/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  return g_test_run ();
}

#else

int
main (int argc, char **argv)
{
  return 77;   /* built without the egress */
}

#endif
