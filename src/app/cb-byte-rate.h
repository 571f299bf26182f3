/* cb-byte-rate.h — a bitrate from a growing byte count sampled now and then
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Samples less than this apart give no rate (the later one is not taken). */
#define CB_BYTE_RATE_MIN_INTERVAL_US (G_USEC_PER_SEC / 2)

typedef struct
{
  gint64   bytes;     /* the last total taken; -1: none yet */
  gint64   time_us;   /* when it was counted (monotonic µs); 0: none yet */
  gboolean dipped;    /* the last total was lower than the one before */
} CbByteRate;

void     cb_byte_rate_init (CbByteRate *self);
/* Takes @bytes, a total counted at @time_us. FALSE for a sample no later than the last one
 * taken (an answer that came late: drop it). @kbps is the kbit/s since the last total
 * taken, or -1 when there is none to give: the first total, an unknown one (@bytes < 0),
 * one within CB_BYTE_RATE_MIN_INTERVAL_US of the last (not taken), one lower than the last
 * (a counter that was reset, or a stream left out of one sample) and the one after it
 * (which brings that stream's whole count back). */
gboolean cb_byte_rate_take (CbByteRate *self,
                            gint64      bytes,
                            gint64      time_us,
                            int        *kbps);

G_END_DECLS
