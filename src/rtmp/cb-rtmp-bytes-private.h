/* cb-rtmp-bytes-private.h — big-endian readers and writers shared by the RTMP parsers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Readers take a pointer the caller has already bounds-checked; cb_write_* store at a
 * pointer with room for them; cb_put_* append.
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

static inline guint16
cb_read_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
cb_read_be24 (const guint8 *p)
{
  return ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
}

static inline guint32
cb_read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint32
cb_read_le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static inline gdouble
cb_read_be_double (const guint8 *p)
{
  guint64 bits = 0;
  gdouble v;

  for (guint i = 0; i < 8; i++)
    bits = (bits << 8) | p[i];
  memcpy (&v, &bits, sizeof v);
  return v;
}

static inline void
cb_write_be24 (guint8  *p,
               guint32  v)
{
  p[0] = (v >> 16) & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = v & 0xff;
}

static inline void
cb_write_be32 (guint8  *p,
               guint32  v)
{
  p[0] = v >> 24;
  cb_write_be24 (p + 1, v);
}

static inline void
cb_write_le32 (guint8  *p,
               guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static inline void
cb_put_u8 (GByteArray *out,
           guint8      v)
{
  g_byte_array_append (out, &v, 1);
}

static inline void
cb_put_be16 (GByteArray *out,
             guint16     v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  g_byte_array_append (out, b, 2);
}

static inline void
cb_put_be24 (GByteArray *out,
             guint32     v)
{
  guint8 b[3];

  cb_write_be24 (b, v);
  g_byte_array_append (out, b, 3);
}

static inline void
cb_put_be32 (GByteArray *out,
             guint32     v)
{
  guint8 b[4];

  cb_write_be32 (b, v);
  g_byte_array_append (out, b, 4);
}

static inline void
cb_put_le32 (GByteArray *out,
             guint32     v)
{
  guint8 b[4];

  cb_write_le32 (b, v);
  g_byte_array_append (out, b, 4);
}

static inline void
cb_put_be_double (GByteArray *out,
                  gdouble     v)
{
  guint64 bits;
  guint8 b[8];

  memcpy (&bits, &v, sizeof bits);
  for (gint i = 7; i >= 0; i--)
    {
      b[i] = bits & 0xff;
      bits >>= 8;
    }
  g_byte_array_append (out, b, 8);
}

G_END_DECLS
