/* cb-egress-answer.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The codec choice is the webrtcbin path's (cb_sdp_pick_codec()), so that a viewer
 * gets the same codec whichever path serves it. The answer is written as text: it is
 * short, fixed in shape, and GstSDPMessage would add nothing but allocations.
 */
#include "config.h"

#include "cb-egress-answer.h"
#include "cb-webrtc-peer.h"

#include <gst/sdp/sdp.h>
#include <stdlib.h>
#include <string.h>

static char *
random_token (guint n)
{
  static const char chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *s = g_malloc (n + 1);

  /* ice-char (RFC 8839); ufrag ≥ 4 and pwd ≥ 22 characters. */
  for (guint i = 0; i < n; i++)
    s[i] = chars[g_random_int_range (0, 64)];
  s[n] = '\0';
  return s;
}

/* A media-level attribute, else the session-level one. */
static const char *
attribute (const GstSDPMessage *sdp,
           const GstSDPMedia   *m,
           const char          *key)
{
  const char *v = gst_sdp_media_get_attribute_val (m, key);

  return v != NULL ? v : gst_sdp_message_get_attribute_val (sdp, key);
}

/* The offer's RTX payload type whose apt is @pt, or -1. */
static int
rtx_for (const GstSDPMedia *m,
         int                pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++)
    {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
      g_autofree char *expected = NULL;
      char *end = NULL;
      long rtx;

      if (g_strcmp0 (a->key, "fmtp") != 0 || a->value == NULL)
        continue;
      rtx = strtol (a->value, &end, 10);
      if (end == a->value || *end != ' ' || rtx < 0 || rtx > 127)
        continue;
      expected = g_strdup_printf ("apt=%d", pt);
      if (g_strcmp0 (end + 1, expected) == 0)
        return (int) rtx;
    }
  return -1;
}

static void
write_media (GString                    *out,
             const GstSDPMedia          *m,
             const char                 *mid,
             const CbEgressAnswer       *answer,
             const CbEgressAnswerParams *params,
             CbEgressMedia               kind,
             const CbSdpCodec           *codec,
             int                         rtx_pt)
{
  const char *name = kind == CB_EGRESS_MEDIA_VIDEO ? "video" : "audio";
  const char *direction = gst_sdp_media_get_attribute_val (m, "sendonly") != NULL ? "inactive"
                          : "sendonly";
  guint32 ssrc = params->ssrc[kind];

  g_string_append_printf (out, "m=%s %u UDP/TLS/RTP/SAVPF %d", name, params->port, codec->pt);
  if (rtx_pt >= 0)
    g_string_append_printf (out, " %d", rtx_pt);
  g_string_append_printf (out, "\r\nc=IN %s %s\r\n", strchr (params->address, ':') ? "IP6" : "IP4",
                          params->address);
  if (mid != NULL)
    g_string_append_printf (out, "a=mid:%s\r\n", mid);
  g_string_append_printf (out,
                          "a=%s\r\n"
                          "a=rtcp-mux\r\n"
                          "a=ice-ufrag:%s\r\n"
                          "a=ice-pwd:%s\r\n"
                          "a=fingerprint:sha-256 %s\r\n"
                          "a=setup:passive\r\n"
                          "a=candidate:1 1 UDP 2130706431 %s %u typ host\r\n"
                          "a=end-of-candidates\r\n"
                          "a=rtpmap:%d %s/%d%s\r\n",
                          direction, answer->local_ufrag, answer->local_pwd, params->fingerprint,
                          params->address, params->port,
                          codec->pt, codec->encoding, codec->clock_rate,
                          kind == CB_EGRESS_MEDIA_AUDIO ? "/2" : "");
  if (codec->fmtp != NULL)
    g_string_append_printf (out, "a=fmtp:%d %s\r\n", codec->pt, codec->fmtp);
  if (kind == CB_EGRESS_MEDIA_VIDEO)
    g_string_append_printf (out,
                            "a=rtcp-fb:%d nack\r\n"
                            "a=rtcp-fb:%d nack pli\r\n"
                            "a=rtcp-fb:%d ccm fir\r\n",
                            codec->pt, codec->pt, codec->pt);
  if (rtx_pt >= 0)
    g_string_append_printf (out,
                            "a=rtpmap:%d rtx/%d\r\n"
                            "a=fmtp:%d apt=%d\r\n"
                            "a=ssrc-group:FID %u %u\r\n",
                            rtx_pt, codec->clock_rate, rtx_pt, codec->pt, ssrc, params->rtx_ssrc);
  g_string_append_printf (out,
                          "a=msid:%s %s\r\n"
                          "a=ssrc:%u cname:%s\r\n",
                          params->cname, name, ssrc, params->cname);
  if (rtx_pt >= 0)
    g_string_append_printf (out, "a=ssrc:%u cname:%s\r\n", params->rtx_ssrc, params->cname);
}

static void
write_rejected (GString           *out,
                const GstSDPMedia *m,
                const char        *mid)
{
  g_string_append_printf (out, "m=%s 0 %s %s\r\nc=IN IP4 0.0.0.0\r\n",
                          gst_sdp_media_get_media (m), gst_sdp_media_get_proto (m),
                          gst_sdp_media_formats_len (m) > 0 ? gst_sdp_media_get_format (m, 0)
                                                             : "0");
  if (mid != NULL)
    g_string_append_printf (out, "a=mid:%s\r\n", mid);
  g_string_append (out, "a=inactive\r\n");
}

CbEgressAnswer *
cb_egress_answer_new (const GstSDPMessage        *offer,
                      const CbEgressAnswerParams *params,
                      GError                    **error)
{
  g_autoptr(CbEgressAnswer) answer = NULL;
  g_autoptr(GString) media = g_string_new (NULL);
  g_autoptr(GString) bundle = g_string_new (NULL);
  g_autoptr(GString) out = NULL;
  gboolean taken[CB_EGRESS_N_MEDIA] = { FALSE, FALSE };

  g_return_val_if_fail (params != NULL && params->address != NULL, NULL);
  g_return_val_if_fail (params->fingerprint != NULL && params->cname != NULL, NULL);
  g_return_val_if_fail (offer != NULL, NULL);

  answer = g_new0 (CbEgressAnswer, 1);
  answer->local_ufrag = random_token (8);
  answer->local_pwd = random_token (24);
  answer->config.local_ufrag = answer->local_ufrag;
  answer->config.local_pwd = answer->local_pwd;
  answer->config.rtx_payload_type = -1;
  for (guint k = 0; k < CB_EGRESS_N_MEDIA; k++)
    answer->config.payload_type[k] = -1;

  for (guint i = 0; i < gst_sdp_message_medias_len (offer); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (offer, i);
      const char *kind_name = gst_sdp_media_get_media (m);
      const char *mid = gst_sdp_media_get_attribute_val (m, "mid");
      CbEgressMedia kind = g_strcmp0 (kind_name, "video") == 0 ? CB_EGRESS_MEDIA_VIDEO
                           : CB_EGRESS_MEDIA_AUDIO;
      const char *ufrag, *fingerprint, *setup;
      CbSdpCodec codec = { -1, NULL, 0, NULL };
      int rtx_pt = -1;

      if ((g_strcmp0 (kind_name, "video") != 0 && g_strcmp0 (kind_name, "audio") != 0) ||
          taken[kind] ||
          (gst_sdp_media_get_port (m) == 0 &&
           gst_sdp_media_get_attribute_val (m, "bundle-only") == NULL) ||
          !cb_sdp_pick_codec (offer, kind_name,
                              kind == CB_EGRESS_MEDIA_VIDEO ? params->prefer_video : NULL,
                              &codec, NULL))
        {
          write_rejected (media, m, mid);
          continue;
        }

      ufrag = attribute (offer, m, "ice-ufrag");
      fingerprint = attribute (offer, m, "fingerprint");
      setup = attribute (offer, m, "setup");
      if (ufrag == NULL || fingerprint == NULL ||
          g_ascii_strncasecmp (fingerprint, "sha-256 ", 8) != 0)
        {
          cb_sdp_codec_clear (&codec);
          g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                       "Offer without ICE credentials or a SHA-256 fingerprint");
          return NULL;
        }
      /* We are the DTLS server: an offerer that insists on being one cannot be served. */
      if (setup != NULL && g_strcmp0 (setup, "actpass") != 0 && g_strcmp0 (setup, "active") != 0)
        {
          cb_sdp_codec_clear (&codec);
          g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                       "Offer with a=setup:%s: the egress is a passive DTLS endpoint", setup);
          return NULL;
        }
      if (answer->remote_ufrag == NULL)
        {
          answer->remote_ufrag = g_strdup (ufrag);
          answer->remote_fingerprint = g_strdup (fingerprint + 8);
        }
      else if (strcmp (answer->remote_ufrag, ufrag) != 0)
        {
          /* One transport for everything: a second ufrag means no BUNDLE. */
          cb_sdp_codec_clear (&codec);
          write_rejected (media, m, mid);
          continue;
        }

      if (kind == CB_EGRESS_MEDIA_VIDEO)
        {
          rtx_pt = rtx_for (m, codec.pt);
          answer->config.rtx_payload_type = rtx_pt;
          answer->video_encoding = g_strdup (codec.encoding);
        }
      answer->config.payload_type[kind] = codec.pt;
      answer->config.clock_rate[kind] = codec.clock_rate;
      taken[kind] = TRUE;
      write_media (media, m, mid, answer, params, kind, &codec, rtx_pt);
      if (mid != NULL)
        g_string_append_printf (bundle, " %s", mid);
      cb_sdp_codec_clear (&codec);
    }

  if (!taken[CB_EGRESS_MEDIA_VIDEO] && !taken[CB_EGRESS_MEDIA_AUDIO])
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_NO_CODECS, "No common codecs");
      return NULL;
    }
  answer->config.remote_ufrag = answer->remote_ufrag;
  answer->config.remote_fingerprint = answer->remote_fingerprint;

  out = g_string_new (NULL);
  g_string_append_printf (out,
                          "v=0\r\n"
                          "o=- %" G_GUINT64_FORMAT " 2 IN IP4 127.0.0.1\r\n"
                          "s=-\r\n"
                          "t=0 0\r\n"
                          "a=ice-lite\r\n",
                          (guint64) g_random_int () << 20 | g_random_int_range (0, 1 << 20));
  if (bundle->len > 0)
    g_string_append_printf (out, "a=group:BUNDLE%s\r\n", bundle->str);
  g_string_append_printf (out, "a=msid-semantic: WMS %s\r\n", params->cname);
  g_string_append (out, media->str);
  answer->sdp = g_string_free (g_steal_pointer (&out), FALSE);
  return g_steal_pointer (&answer);
}

void
cb_egress_answer_free (CbEgressAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->sdp);
  g_free (answer->video_encoding);
  g_free (answer->local_ufrag);
  g_free (answer->local_pwd);
  g_free (answer->remote_ufrag);
  g_free (answer->remote_fingerprint);
  g_free (answer);
}
