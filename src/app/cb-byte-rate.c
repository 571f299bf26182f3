/* cb-byte-rate.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain arithmetic, apart from any window, so that a table can test it: the player's
 * bitrate once showed hundreds of millions of kbit/s from two answers a moment apart.
 */
#include <math.h>

#include "cb-byte-rate.h"

void
cb_byte_rate_init (CbByteRate *self)
{
  self->bytes = -1;
  self->time_us = 0;
  self->dipped = FALSE;
}

gboolean
cb_byte_rate_take (CbByteRate *self,
                   gint64      bytes,
                   gint64      time_us,
                   int        *kbps)
{
  gboolean dipped;

  *kbps = -1;
  if (time_us <= self->time_us)
    return FALSE;
  if (bytes < 0 || time_us - self->time_us < CB_BYTE_RATE_MIN_INTERVAL_US)
    return TRUE;

  dipped = self->bytes >= 0 && bytes < self->bytes;
  if (self->bytes >= 0 && !dipped && !self->dipped && self->time_us > 0)
    {
      double bits = 8.0 * (double) (bytes - self->bytes);
      double seconds = (double) (time_us - self->time_us) / G_USEC_PER_SEC;

      *kbps = (int) MIN (llround (bits / seconds / 1000.0), (long long) G_MAXINT);
    }
  self->dipped = dipped;
  self->bytes = bytes;
  self->time_us = time_us;
  return TRUE;
}
