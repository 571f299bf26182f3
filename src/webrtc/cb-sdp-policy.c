/* cb-sdp-policy.c — which codec to take from a browser's offer, and answer touch-ups
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * H.264 with packetization-mode=1 comes first, so that RTMP and MP4 consumers need no
 * video transcoding; constrained baseline before other profiles, since every browser
 * decodes it. VP8 is taken when the offer has no usable H.264, or first when the caller
 * prefers it (a player of a VP8 stream then gets it as it is, with nothing encoded anew).
 */
#include <string.h>
#include <gst/sdp/sdp.h>

#include "cb-webrtc-peer.h"

G_DEFINE_QUARK (cb-webrtc-error-quark, cb_webrtc_error)

void
cb_sdp_codec_clear (CbSdpCodec *codec)
{
  g_clear_pointer (&codec->encoding, g_free);
  g_clear_pointer (&codec->fmtp, g_free);
  codec->pt = -1;
  codec->clock_rate = 0;
}

static const char *
fmtp_for (const GstSDPMedia *m,
          int                pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++)
    {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
      char *end = NULL;
      long v;

      if (g_strcmp0 (a->key, "fmtp") != 0 || a->value == NULL)
        continue;
      v = strtol (a->value, &end, 10);
      if (end != a->value && v == pt && *end == ' ')
        return end + 1;
    }
  return NULL;
}

/* Score of an H.264 payload: -1 unusable, higher is better. */
static int
h264_score (const char *fmtp)
{
  int score = 1;

  if (fmtp == NULL || strstr (fmtp, "packetization-mode=1") == NULL)
    return -1;
  if (strstr (fmtp, "profile-level-id=42e0") != NULL || strstr (fmtp, "profile-level-id=42E0") != NULL)
    score += 4;   /* constrained baseline */
  else if (strstr (fmtp, "profile-level-id=4200") != NULL)
    score += 3;   /* baseline */
  else if (strstr (fmtp, "profile-level-id=4d00") != NULL)
    score += 2;   /* main */
  if (strstr (fmtp, "level-asymmetry-allowed=1") != NULL)
    score += 1;
  return score;
}

/* The first m-section of kind @media that is not rejected, or NULL. */
static const GstSDPMedia *
find_media (const GstSDPMessage *sdp,
            const char          *media)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);

      /* Port 0 is a rejected section, unless it is bundle-only (webrtcbin's max-bundle
       * offers mark every section after the first so). */
      if (g_strcmp0 (gst_sdp_media_get_media (m), media) == 0 &&
          (gst_sdp_media_get_port (m) != 0 || gst_sdp_media_get_attribute_val (m, "bundle-only") != NULL))
        return m;
    }
  return NULL;
}

gboolean
cb_sdp_pick_codec (const char  *offer,
                   const char  *media,
                   CbSdpCodec  *out,
                   GError     **error)
{
  return cb_sdp_pick_codec_for (offer, media, NULL, out, error);
}

/**
 * cb_sdp_pick_codec_for:
 * @prefer: (nullable): "VP8" takes VP8 before H.264 when the offer has it (the codec of
 *   the stream played: it then needs no encoding); %NULL or "H264" keeps the usual order
 *
 * As cb_sdp_pick_codec(), with a preference.
 */
gboolean
cb_sdp_pick_codec_for (const char  *offer,
                       const char  *media,
                       const char  *prefer,
                       CbSdpCodec  *out,
                       GError     **error)
{
  g_autoptr(GstSDPMessage) sdp = NULL;
  const GstSDPMedia *m;
  int best_score = -1;
  gboolean vp8_first = prefer != NULL && g_ascii_strcasecmp (prefer, "VP8") == 0;

  out->pt = -1;
  out->encoding = NULL;
  out->fmtp = NULL;
  out->clock_rate = 0;

  /* GstSDP asserts on an empty buffer: empty is simply not SDP. */
  if (offer == NULL || *offer == '\0' || gst_sdp_message_new_from_text (offer, &sdp) != GST_SDP_OK ||
      gst_sdp_message_medias_len (sdp) == 0)
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_BAD_SDP, "Bad SDP offer");
      return FALSE;
    }

  m = find_media (sdp, media);
  for (guint f = 0; m != NULL && f < gst_sdp_media_formats_len (m); f++)
    {
      int pt = atoi (gst_sdp_media_get_format (m, f));
      g_autoptr(GstCaps) caps = gst_sdp_media_get_caps_from_media (m, pt);
      const GstStructure *s;
      const char *enc;
      int rate = 0, score = -1;

      if (caps == NULL)
        continue;
      s = gst_caps_get_structure (caps, 0);
      enc = gst_structure_get_string (s, "encoding-name");
      gst_structure_get_int (s, "clock-rate", &rate);
      if (enc == NULL)
        continue;
      if (g_ascii_strcasecmp (enc, "H264") == 0)
        {
          int h = h264_score (fmtp_for (m, pt));
          score = h < 0 ? -1 : 100 + h;
        }
      else if (g_ascii_strcasecmp (enc, "VP8") == 0)
        score = vp8_first ? 200 : 50;
      else if (g_ascii_strcasecmp (enc, "OPUS") == 0)
        score = 100;
      if (score > best_score)
        {
          const char *fmtp = fmtp_for (m, pt);

          best_score = score;
          g_free (out->encoding);
          g_free (out->fmtp);
          out->pt = pt;
          out->encoding = g_ascii_strup (enc, -1);
          out->clock_rate = rate;
          out->fmtp = g_strdup (fmtp);
        }
    }

  if (best_score < 0)
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_NO_CODECS, "No common codecs");
      return FALSE;
    }
  return TRUE;
}

/**
 * cb_sdp_offered_codecs:
 *
 * What the offer's first @media section lists, for people to read in a failure reason:
 * "VP8, VP9, AV1" (retransmission, redundancy and FEC formats left out; H.264 that we
 * cannot send is named so). %NULL when the offer has no such section or rejects it,
 * "nothing" when the section lists no codec.
 */
char *
cb_sdp_offered_codecs (const char *offer,
                       const char *media)
{
  static const char *const skipped[] = { "RTX", "RED", "ULPFEC", "FLEXFEC-03", "CN", "TELEPHONE-EVENT" };
  g_autoptr(GstSDPMessage) sdp = NULL;
  g_autoptr(GPtrArray) names = NULL;
  gboolean usable_h264 = FALSE;
  const GstSDPMedia *m;
  GString *out;

  if (offer == NULL || *offer == '\0' || gst_sdp_message_new_from_text (offer, &sdp) != GST_SDP_OK)
    return NULL;
  m = find_media (sdp, media);
  if (m == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint f = 0; f < gst_sdp_media_formats_len (m); f++)
    {
      int pt = atoi (gst_sdp_media_get_format (m, f));
      g_autoptr(GstCaps) caps = gst_sdp_media_get_caps_from_media (m, pt);
      const char *enc = caps ? gst_structure_get_string (gst_caps_get_structure (caps, 0),
                                                         "encoding-name") : NULL;
      g_autofree char *name = NULL;
      gboolean skip = FALSE;

      if (enc == NULL)
        continue;
      name = g_ascii_strup (enc, -1);
      for (guint i = 0; i < G_N_ELEMENTS (skipped); i++)
        skip = skip || g_str_equal (name, skipped[i]);
      if (skip)
        continue;
      if (g_str_equal (name, "H264"))
        {
          if (h264_score (fmtp_for (m, pt)) >= 0)
            usable_h264 = TRUE;
          else
            {
              g_free (name);
              name = g_strdup ("H264 packetization-mode 0");
            }
        }
      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_steal_pointer (&name));
    }
  out = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      /* Beside a usable H.264, the unusable one is noise. */
      if (usable_h264 && g_str_equal (name, "H264 packetization-mode 0"))
        continue;
      g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", name);
    }
  if (out->len == 0)
    g_string_append (out, "nothing");
  return g_string_free (out, FALSE);
}

char *
cb_sdp_finish_answer (const char *answer)
{
  g_auto(GStrv) lines = g_strsplit (answer, "\n", -1);
  GString *out = g_string_new (NULL);
  gboolean in_media = FALSE, has_end = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "m="))
        {
          if (in_media && !has_end)
            g_string_append (out, "a=end-of-candidates\r\n");
          in_media = TRUE;
          has_end = FALSE;
        }
      else if (g_str_equal (line, "a=end-of-candidates"))
        has_end = TRUE;
      g_string_append (out, line);
      g_string_append (out, "\r\n");
    }
  if (in_media && !has_end)
    g_string_append (out, "a=end-of-candidates\r\n");
  return g_string_free (out, FALSE);
}

/**
 * cb_sdp_answer_set_fmtp:
 *
 * Makes the answer's format parameters for @pt in the first @media section @fmtp. The
 * sender's H.264 answer must repeat the offered profile-level-id (a browser takes an
 * answer without one as baseline level 1.0, which does not match its offer); the
 * payloader's caps do not know it before the first frame.
 */
void
cb_sdp_answer_set_fmtp (GstSDPMessage *sdp,
                        const char    *media,
                        int            pt,
                        const char    *fmtp)
{
  g_autofree char *value = NULL;

  if (fmtp == NULL || *fmtp == '\0' || pt < 0)
    return;
  value = g_strdup_printf ("%d %s", pt, fmtp);
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (m), media) != 0)
        continue;
      for (guint a = 0; a < gst_sdp_media_attributes_len (m); a++)
        {
          const GstSDPAttribute *attr = gst_sdp_media_get_attribute (m, a);
          char *end = NULL;

          if (g_strcmp0 (attr->key, "fmtp") == 0 && attr->value != NULL &&
              strtol (attr->value, &end, 10) == pt && end != attr->value && *end == ' ')
            {
              GstSDPAttribute replacement;

              gst_sdp_attribute_set (&replacement, "fmtp", value);
              gst_sdp_media_replace_attribute (m, a, &replacement);
              return;
            }
        }
      gst_sdp_media_add_attribute (m, "fmtp", value);
      return;
    }
}
