/* fuzz-amf0.c — AMF0 decoder: decode, re-encode, decode again, compare
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "cb-amf0.h"
#include "fuzz-common.h"

static void
check_round_trip (const CbAmf0Value *v)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Value) again = NULL;
  g_autoptr(CbAmf0Value) copy = cb_amf0_value_copy (v);
  g_autofree char *text = cb_amf0_value_to_string (v);
  gsize consumed = 0;

  FUZZ_CHECK (text != NULL);
  FUZZ_CHECK (cb_amf0_value_equal (v, copy));
  cb_amf0_encode (out, v);
  again = cb_amf0_decode (out->data, out->len, &consumed, &error);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (consumed == out->len);
  FUZZ_CHECK (cb_amf0_value_equal (v, again));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  {
    g_autoptr(GError) error = NULL;
    gsize consumed = 0;
    g_autoptr(CbAmf0Value) v = cb_amf0_decode (data, size, &consumed, &error);

    if (v != NULL)
      {
        FUZZ_CHECK (consumed >= 1 && consumed <= size);
        check_round_trip (v);
        /* Lookups on whatever came out. */
        (void) cb_amf0_object_get_string (v, "app");
        (void) cb_amf0_object_get_number (v, "capabilities", NULL);
        for (guint i = 0; i < cb_amf0_value_get_n_children (v); i++)
          {
            FUZZ_CHECK (cb_amf0_value_get_child (v, i) != NULL);
            (void) cb_amf0_value_get_key (v, i, NULL);
          }
      }
    else
      {
        FUZZ_CHECK_ERROR (error);
      }
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) values = cb_amf0_decode_all (data, size, &error);

    if (values != NULL)
      for (guint i = 0; i < values->len; i++)
        check_round_trip (g_ptr_array_index (values, i));
    else
      FUZZ_CHECK_ERROR (error);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CbAmf0Command) cmd = cb_amf0_command_decode (data, size, &error);

    if (cmd != NULL)
      {
        g_autoptr(GByteArray) out = g_byte_array_new ();
        g_autoptr(CbAmf0Command) again = NULL;

        FUZZ_CHECK (cmd->name[0] != '\0');
        cb_amf0_command_encode (cmd, out);
        again = cb_amf0_command_decode (out->data, out->len, &error);
        FUZZ_CHECK (again != NULL);
        FUZZ_CHECK (strcmp (again->name, cmd->name) == 0);
        FUZZ_CHECK (again->transaction_id == cmd->transaction_id ||
                    (isnan (again->transaction_id) && isnan (cmd->transaction_id)));
        FUZZ_CHECK (again->args->len == cmd->args->len);
        FUZZ_CHECK (again->command_object != NULL);
      }
    else
      {
        FUZZ_CHECK_ERROR (error);
      }
  }
  return 0;
}
