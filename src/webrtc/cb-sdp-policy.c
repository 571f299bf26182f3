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

/* GStreamer turns an SDP's attribute keys, fmtp parameter names, rtcp-fb types and ssrc
 * attribute names into GQuarks — names kept for the life of the process. A peer that
 * sends offers with ever new names would grow our memory without bound, so before any
 * SDP from the network reaches GStreamer's caps functions (ours or webrtcbin's), what a
 * WebRTC peer of ours has no use for is dropped, and what is left is bounded. */
#define MAX_MEDIA 16
#define MAX_ATTRIBUTES 256
#define MAX_SSRC_LINES 16

static gboolean
in_list (const char         *name,
         const char * const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char * const session_keys[] = {
  "group", "msid-semantic", "ice-lite", "ice-options", "ice-ufrag", "ice-pwd", "fingerprint",
  "setup", "extmap-allow-mixed", "extmap", "sendrecv", "sendonly", "recvonly", "inactive", NULL
};

static const char * const media_keys[] = {
  "rtpmap", "fmtp", "rtcp-fb", "ssrc", "ssrc-group", "extmap", "extmap-allow-mixed", "mid",
  "msid", "sendrecv", "sendonly", "recvonly", "inactive", "setup", "fingerprint", "ice-ufrag",
  "ice-pwd", "ice-options", "ice-lite", "candidate", "end-of-candidates", "rtcp", "rtcp-mux",
  "rtcp-mux-only", "rtcp-rsize", "bundle-only", "sctp-port", "max-message-size", "sctpmap",
  "rid", "simulcast", "ptime", "maxptime", "framerate", NULL
};

static const char * const fmtp_names[] = {
  "profile-level-id", "packetization-mode", "level-asymmetry-allowed", "sprop-parameter-sets",
  "max-mbps", "max-fs", "max-fr", "max-br", "max-dpb", "minptime", "useinbandfec", "usedtx",
  "stereo", "sprop-stereo", "maxplaybackrate", "sprop-maxcapturerate", "maxaveragebitrate",
  "cbr", "ptime", "maxptime", "apt", "rtx-time", "profile-id", "profile", "level-idx", "tier",
  NULL
};

static const char * const rtcp_fb_types[] = {
  "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc", NULL
};

static const char * const ssrc_names[] = { "cname", "msid", "mslabel", "label", NULL };

/* "96 a=1;b=2" with only the parameters we know; RED's "111/111" kept. NULL: drop the line. */
static char *
filter_fmtp (const char *value)
{
  g_auto(GStrv) params = NULL;
  const char *space = value != NULL ? strchr (value, ' ') : NULL;
  GString *out;

  if (space == NULL)
    return NULL;
  out = g_string_new_len (value, space - value + 1);
  params = g_strsplit (space + 1, ";", 64);
  for (guint i = 0; params[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      char *param = g_strstrip (params[i]);
      const char *eq = strchr (param, '=');

      if (eq == NULL)
        {
          if (*param == '\0' || strspn (param, "0123456789/") != strlen (param))
            continue;
        }
      else
        {
          name = g_strndup (param, eq - param);
          if (!in_list (g_strstrip (name), fmtp_names))
            continue;
        }
      g_string_append_printf (out, "%s%s", out->str[out->len - 1] == ' ' ? "" : ";", param);
    }
  return g_string_free (out, FALSE);
}

/* Whether the attribute stays; may rewrite it (fmtp). */
static gboolean
keep_media_attribute (GstSDPMedia *m,
                      guint        i,
                      guint       *ssrc_lines)
{
  const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
  const char *v = a->value != NULL ? a->value : "";

  if (!in_list (a->key, media_keys))
    return FALSE;
  if (g_ascii_strcasecmp (a->key, "rtcp-fb") == 0)
    {
      const char *type = strchr (v, ' ');

      return type != NULL && in_list (type + 1, rtcp_fb_types);
    }
  if (g_ascii_strcasecmp (a->key, "ssrc") == 0)
    {
      const char *name = strchr (v, ' ');
      g_autofree char *key = NULL;

      if (name == NULL || ++*ssrc_lines > MAX_SSRC_LINES)
        return FALSE;
      key = g_strndup (name + 1, strcspn (name + 1, ":"));
      return in_list (key, ssrc_names);
    }
  if (g_ascii_strcasecmp (a->key, "fmtp") == 0)
    {
      g_autofree char *filtered = filter_fmtp (v);
      GstSDPAttribute repl;

      if (filtered == NULL)
        return FALSE;
      if (!g_str_equal (filtered, v))
        {
          gst_sdp_attribute_set (&repl, "fmtp", filtered);
          gst_sdp_media_replace_attribute (m, i, &repl);
        }
    }
  return TRUE;
}

/**
 * cb_sdp_parse:
 * @text: (nullable): an SDP offer or answer as it came from the network
 * @out: (out): the parsed message, with only what a peer of ours uses
 *
 * The one way to read an SDP from the network: %FALSE when @text is empty, is no SDP,
 * has no m-section or more than a peer of ours would send. Attributes, fmtp parameters,
 * rtcp-fb types and ssrc attributes that GStreamer would make names of forever and that
 * we do not use are dropped (see above).
 */
gboolean
cb_sdp_parse (const char     *text,
              GstSDPMessage **out)
{
  g_autoptr(GstSDPMessage) sdp = NULL;
  guint n;

  *out = NULL;
  /* GstSDP asserts on an empty buffer: empty is simply not SDP. */
  if (text == NULL || *text == '\0' || gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK)
    return FALSE;
  n = gst_sdp_message_medias_len (sdp);
  if (n == 0 || n > MAX_MEDIA || gst_sdp_message_attributes_len (sdp) > MAX_ATTRIBUTES)
    return FALSE;
  for (guint i = gst_sdp_message_attributes_len (sdp); i-- > 0;)
    if (!in_list (gst_sdp_message_get_attribute (sdp, i)->key, session_keys))
      gst_sdp_message_remove_attribute (sdp, i);
  for (guint k = 0; k < n; k++)
    {
      GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (sdp, k);
      guint ssrc_lines = 0;

      if (gst_sdp_media_attributes_len (m) > MAX_ATTRIBUTES)
        return FALSE;
      /* Forwards, so that the first ssrc lines are the ones kept. */
      for (guint i = 0; i < gst_sdp_media_attributes_len (m);)
        {
          if (keep_media_attribute (m, i, &ssrc_lines))
            i++;
          else
            gst_sdp_media_remove_attribute (m, i);
        }
    }
  *out = g_steal_pointer (&sdp);
  return TRUE;
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

/**
 * cb_sdp_pick_codec:
 * @offer: an offer read by cb_sdp_parse()
 * @media: "video" or "audio"
 * @prefer: (nullable): "VP8" takes VP8 before H.264 when the offer has it (the codec of
 *   the stream played: it then needs no encoding); %NULL or "H264" keeps the usual order
 *
 * Picks the codec we want from the offer's first @media section (see above).
 */
gboolean
cb_sdp_pick_codec (const GstSDPMessage *offer,
                   const char          *media,
                   const char          *prefer,
                   CbSdpCodec          *out,
                   GError             **error)
{
  const GstSDPMedia *m;
  int best_score = -1;
  gboolean vp8_first = prefer != NULL && g_ascii_strcasecmp (prefer, "VP8") == 0;

  out->pt = -1;
  out->encoding = NULL;
  out->fmtp = NULL;
  out->clock_rate = 0;

  m = find_media (offer, media);
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
cb_sdp_offered_codecs (const GstSDPMessage *offer,
                       const char          *media)
{
  static const char *const skipped[] = { "RTX", "RED", "ULPFEC", "FLEXFEC-03", "CN", "TELEPHONE-EVENT" };
  g_autoptr(GPtrArray) names = NULL;
  gboolean usable_h264 = FALSE;
  const GstSDPMedia *m;
  GString *out;

  m = find_media (offer, media);
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
