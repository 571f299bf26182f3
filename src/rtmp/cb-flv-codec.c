/* cb-flv-codec.c — what the engine reads from the codec configuration in FLV sequence headers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes come from the network (an RTMP publisher's sequence headers): every read is
 * bounds-checked and a malformed header is a FALSE, never an assertion.
 */
#include <string.h>

#include "cb-flv-codec.h"

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         bit;
} BitReader;

static gboolean
read_bits (BitReader *r,
           guint      n,
           guint32   *out)
{
  guint32 v = 0;

  if (n > 32 || r->bit + n > r->len * 8)
    return FALSE;
  for (guint i = 0; i < n; i++, r->bit++)
    v = (v << 1) | ((r->data[r->bit / 8] >> (7 - r->bit % 8)) & 1);
  *out = v;
  return TRUE;
}

static gboolean
read_ue (BitReader *r,
         guint32   *out)
{
  guint zeros = 0;
  guint32 bit = 0, rest = 0;

  while (read_bits (r, 1, &bit) && bit == 0)
    if (++zeros > 31)
      return FALSE;
  if (bit != 1 || !read_bits (r, zeros, &rest))
    return FALSE;
  *out = (guint32) (((guint64) 1 << zeros) - 1 + rest);
  return TRUE;
}

static gboolean
read_se (BitReader *r,
         gint32    *out)
{
  guint32 v;

  if (!read_ue (r, &v))
    return FALSE;
  *out = (v & 1) ? (gint32) ((v + 1) / 2) : -(gint32) (v / 2);
  return TRUE;
}

static gboolean
skip_scaling_list (BitReader *r,
                   guint      size)
{
  gint32 last = 8, next = 8, delta;

  for (guint j = 0; j < size; j++)
    {
      if (next != 0)
        {
          /* delta_scale is -128..127 (7.4.2.1.1.1); more would overflow the sum. */
          if (!read_se (r, &delta) || delta < -128 || delta > 127)
            return FALSE;
          next = (last + delta + 256) % 256;
        }
      last = next == 0 ? last : next;
    }
  return TRUE;
}

/**
 * cb_h264_sps_parse:
 *
 * The size and frame rate of an H.264 SPS (ITU-T H.264 7.3.2.1.1 and E.1.1).
 */
gboolean
cb_h264_sps_parse (const guint8  *nal,
                   gsize          len,
                   CbH264SpsInfo *info)
{
  g_autofree guint8 *rbsp = g_malloc (MAX (len, 1));
  gsize n = 0;
  BitReader r;
  guint32 profile, v, chroma = 1, separate = 0, poc_type, frame_mbs_only, w_mbs, h_units;
  guint32 crop = 0, cl = 0, cr = 0, ct = 0, cb = 0;
  gint32 s;

  memset (info, 0, sizeof *info);
  /* Drop the emulation prevention bytes (00 00 03). */
  for (gsize i = 1; i < len; i++)
    {
      if (i + 2 < len && nal[i] == 0 && nal[i + 1] == 0 && nal[i + 2] == 3)
        {
          rbsp[n++] = 0;
          rbsp[n++] = 0;
          i += 2;
          continue;
        }
      rbsp[n++] = nal[i];
    }
  r.data = rbsp;
  r.len = n;
  r.bit = 0;

  if (!read_bits (&r, 8, &profile) || !read_bits (&r, 16, &v) || !read_ue (&r, &v))
    return FALSE;
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 ||
      profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138 ||
      profile == 139 || profile == 134 || profile == 135)
    {
      guint32 matrix;

      if (!read_ue (&r, &chroma) || chroma > 3)
        return FALSE;
      if (chroma == 3 && !read_bits (&r, 1, &separate))
        return FALSE;
      if (!read_ue (&r, &v) || !read_ue (&r, &v) || !read_bits (&r, 1, &v) ||
          !read_bits (&r, 1, &matrix))
        return FALSE;
      if (matrix)
        for (guint i = 0; i < (chroma != 3 ? 8u : 12u); i++)
          {
            guint32 present;

            if (!read_bits (&r, 1, &present))
              return FALSE;
            if (present && !skip_scaling_list (&r, i < 6 ? 16 : 64))
              return FALSE;
          }
    }
  if (!read_ue (&r, &v) || !read_ue (&r, &poc_type))
    return FALSE;
  if (poc_type == 0)
    {
      if (!read_ue (&r, &v))
        return FALSE;
    }
  else if (poc_type == 1)
    {
      guint32 cycle;

      if (!read_bits (&r, 1, &v) || !read_se (&r, &s) || !read_se (&r, &s) ||
          !read_ue (&r, &cycle) || cycle > 255)
        return FALSE;
      for (guint i = 0; i < cycle; i++)
        if (!read_se (&r, &s))
          return FALSE;
    }
  if (!read_ue (&r, &v) || !read_bits (&r, 1, &v) || !read_ue (&r, &w_mbs) ||
      !read_ue (&r, &h_units) || !read_bits (&r, 1, &frame_mbs_only))
    return FALSE;
  if (!frame_mbs_only && !read_bits (&r, 1, &v))
    return FALSE;
  if (!read_bits (&r, 1, &v) || !read_bits (&r, 1, &crop))
    return FALSE;
  if (crop && (!read_ue (&r, &cl) || !read_ue (&r, &cr) || !read_ue (&r, &ct) ||
               !read_ue (&r, &cb)))
    return FALSE;
  if (w_mbs > 1024 || h_units > 1024)
    return FALSE;
  {
    guint32 cux = (chroma == 0 || separate) ? 1 : (chroma == 3 ? 1 : 2);
    guint32 cuy = ((chroma == 0 || separate) ? 1 : (chroma == 1 ? 2 : 1)) * (2 - frame_mbs_only);
    gint64 w = (gint64) (w_mbs + 1) * 16 - (gint64) cux * (cl + cr);
    gint64 h = (gint64) (2 - frame_mbs_only) * (h_units + 1) * 16 - (gint64) cuy * (ct + cb);

    if (w <= 0 || h <= 0)
      return FALSE;
    info->width = (int) w;
    info->height = (int) h;
  }

  /* VUI: only the timing matters here; a short VUI is no reason to fail. */
  if (read_bits (&r, 1, &v) && v)
    {
      guint32 flag, num_units, time_scale;

      if (!read_bits (&r, 1, &flag))
        return TRUE;
      if (flag)
        {
          guint32 idc;

          if (!read_bits (&r, 8, &idc) || (idc == 255 && !read_bits (&r, 32, &v)))
            return TRUE;
        }
      if (!read_bits (&r, 1, &flag) || (flag && !read_bits (&r, 1, &v)))
        return TRUE;
      if (!read_bits (&r, 1, &flag))
        return TRUE;
      if (flag)
        {
          guint32 colour;

          if (!read_bits (&r, 4, &v) || !read_bits (&r, 1, &colour) ||
              (colour && !read_bits (&r, 24, &v)))
            return TRUE;
        }
      if (!read_bits (&r, 1, &flag) || (flag && (!read_ue (&r, &v) || !read_ue (&r, &v))))
        return TRUE;
      if (read_bits (&r, 1, &flag) && flag && read_bits (&r, 32, &num_units) &&
          read_bits (&r, 32, &time_scale) && num_units > 0 && time_scale > 0 &&
          time_scale / (2 * (guint64) num_units) <= 240)
        {
          /* A field rate: two ticks a frame. Keep the fraction small. */
          guint64 fn = time_scale, fd = 2 * (guint64) num_units;

          while (fn > G_MAXINT || fd > G_MAXINT)
            {
              fn /= 2;
              fd /= 2;
            }
          /* Halving can leave 0/N for a rate under one frame in G_MAXINT seconds: none. */
          if (fn > 0 && fd > 0)
            {
              info->fps_n = (int) fn;
              info->fps_d = (int) fd;
            }
        }
    }
  return TRUE;
}

static const int aac_rates[] = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050,
                                 16000, 12000, 11025, 8000, 7350 };

/**
 * cb_aac_config_parse:
 *
 * An AudioSpecificConfig's sample rate and channels (ISO/IEC 14496-3 1.6.2.1).
 */
gboolean
cb_aac_config_parse (const guint8 *data,
                     gsize         len,
                     int          *rate,
                     int          *channels)
{
  BitReader r = { data, len, 0 };
  guint32 object, index, value, config;

  if (!read_bits (&r, 5, &object))
    return FALSE;
  if (object == 31 && !read_bits (&r, 6, &value))
    return FALSE;
  if (!read_bits (&r, 4, &index))
    return FALSE;
  if (index == 15)
    {
      if (!read_bits (&r, 24, &value) || value == 0)
        return FALSE;
      *rate = (int) value;
    }
  else if (index < G_N_ELEMENTS (aac_rates))
    *rate = aac_rates[index];
  else
    return FALSE;
  if (!read_bits (&r, 4, &config))
    return FALSE;
  *channels = config == 7 ? 8 : config >= 1 && config <= 6 ? (int) config : 2;
  return TRUE;
}
