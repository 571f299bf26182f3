/* test-byte-rate.c — the player's bitrate arithmetic (src/app/cb-byte-rate.c), a table of
 * sample sequences and the rates they give
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-byte-rate.h"

#define S G_USEC_PER_SEC

typedef struct {
  gint64   bytes;
  gint64   time_us;
  gboolean taken;   /* cb_byte_rate_take()'s answer */
  int      kbps;    /* -1: none */
} Sample;

typedef struct {
  const char *what;
  Sample      samples[6];
  guint       n;
} Case;

static const Case cases[] = {
  { "steady 1 Mbit/s", { { 0, 1 * S, TRUE, -1 }, { 125000, 2 * S, TRUE, 1000 },
                          { 250000, 3 * S, TRUE, 1000 } }, 3 },
  { "an interval of 2 s", { { 1000, 1 * S, TRUE, -1 }, { 251000, 3 * S, TRUE, 1000 } }, 2 },
  { "nothing came", { { 5000, 1 * S, TRUE, -1 }, { 5000, 2 * S, TRUE, 0 } }, 2 },
  /* Two answers a moment apart: no rate, and the first one's total stays the base. */
  { "a moment apart", { { 0, 1 * S, TRUE, -1 }, { 1000, 1 * S + 10, TRUE, -1 },
                        { 125000, 2 * S, TRUE, 1000 } }, 3 },
  { "the same time", { { 0, 1 * S, TRUE, -1 }, { 125000, 1 * S, FALSE, -1 },
                       { 125000, 2 * S, TRUE, 1000 } }, 3 },
  { "an answer that came late", { { 0, 2 * S, TRUE, -1 }, { 999999, 1 * S, FALSE, -1 },
                                  { 125000, 3 * S, TRUE, 1000 } }, 3 },
  /* A counter that went back (a reset, a stream missing from one answer): no rate from
   * the drop nor from the rise after it. */
  { "a reset", { { 0, 1 * S, TRUE, -1 }, { 125000, 2 * S, TRUE, 1000 },
                 { 100, 3 * S, TRUE, -1 }, { 1000000, 4 * S, TRUE, -1 },
                 { 1125000, 5 * S, TRUE, 1000 } }, 5 },
  { "unknown totals", { { -1, 1 * S, TRUE, -1 }, { 0, 2 * S, TRUE, -1 },
                        { -1, 3 * S, TRUE, -1 }, { 250000, 4 * S, TRUE, 1000 } }, 4 },
  /* Half a second is enough; less is not. */
  { "half a second", { { 0, 1 * S, TRUE, -1 }, { 62500, 1 * S + S / 2, TRUE, 1000 } }, 2 },
  { "a huge total", { { 0, 1 * S, TRUE, -1 }, { G_MAXINT64 / 16, 2 * S, TRUE, G_MAXINT } }, 2 },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CbByteRate rate;

      cb_byte_rate_init (&rate);
      for (guint j = 0; j < cases[i].n; j++)
        {
          const Sample *s = &cases[i].samples[j];
          int kbps = 42;
          gboolean taken = cb_byte_rate_take (&rate, s->bytes, s->time_us, &kbps);

          g_test_message ("%s, sample %u", cases[i].what, j);
          g_assert_cmpint (taken, ==, s->taken);
          g_assert_cmpint (kbps, ==, s->kbps);
        }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/byte-rate/table", test_table);
  return g_test_run ();
}
