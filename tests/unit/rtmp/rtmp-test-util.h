/* rtmp-test-util.h — helpers shared by the RTMP unit tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* "02 00 03 61 70 70" → bytes; spaces and '|' are ignored, anything else aborts the test. */
static inline GByteArray *
test_hex (const char *hex)
{
  GByteArray *out = g_byte_array_new ();
  int hi = -1;

  for (const char *p = hex; *p != '\0'; p++)
    {
      int v;

      if (*p == ' ' || *p == '|' || *p == '\n')
        continue;
      v = g_ascii_xdigit_value (*p);
      g_assert_cmpint (v, >=, 0);
      if (hi < 0)
        {
          hi = v;
        }
      else
        {
          guint8 b = (guint8) (hi << 4 | v);

          g_byte_array_append (out, &b, 1);
          hi = -1;
        }
    }
  g_assert_cmpint (hi, ==, -1);
  return out;
}

static inline char *
test_to_hex (const guint8 *data,
             gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* Test paths from table rows: "/cb/rtmp/<group>/<row name>". */
static inline void
test_add_rows (const char    *group,
               gconstpointer  rows,
               gsize          row_size,
               gsize          n_rows,
               const char *(*row_name) (gconstpointer row),
               GTestDataFunc  func)
{
  for (gsize i = 0; i < n_rows; i++)
    {
      gconstpointer row = (const guint8 *) rows + i * row_size;
      g_autofree char *path = g_strdup_printf ("/cb/rtmp/%s/%s", group, row_name (row));

      g_test_add_data_func (path, row, func);
    }
}
