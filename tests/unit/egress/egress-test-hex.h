/* egress-test-hex.h — packets written as hex in the tables of the egress tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

/* Spaces are ignored, so that tables can show the fields of a packet. */
static inline GBytes *
test_hex (const char *hex)
{
  GByteArray *out = g_byte_array_new ();
  int hi = -1;

  for (const char *p = hex; *p; p++)
    {
      int v;

      if (*p == ' ')
        continue;
      v = g_ascii_xdigit_value (*p);
      g_assert_cmpint (v, >=, 0);
      if (hi < 0)
        hi = v;
      else
        {
          guint8 b = hi << 4 | v;

          g_byte_array_append (out, &b, 1);
          hi = -1;
        }
    }
  g_assert_cmpint (hi, <, 0);
  return g_byte_array_free_to_bytes (out);
}
