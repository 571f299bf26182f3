/* cb-egress-bytes-private.h — network byte order, for the egress's parsers and builders
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

static inline guint16
cb_read16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline guint32
cb_read32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline void
cb_write16 (guint8  *p,
            guint16  v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static inline void
cb_write32 (guint8  *p,
            guint32  v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}
