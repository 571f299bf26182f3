/* test-amf0.c — AMF0 decoder, encoder and command helpers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "cb-amf0.h"
#include "rtmp-test-util.h"

#define NUM_1   "00 3ff0000000000000"
#define NUM_1_5 "00 3ff8000000000000"

typedef struct {
  const char *name;
  const char *hex;
  int         error;      /* -1: success */
  const char *rendered;   /* cb_amf0_value_to_string() on success */
  gsize       consumed;   /* 0: the whole input */
} DecodeRow;

static const DecodeRow decode_rows[] = {
  { "number", NUM_1_5, -1, "1.5", 0 },
  { "number-trailing-bytes", NUM_1 " 05 05", -1, "1", 9 },
  { "boolean-true", "01 01", -1, "true", 0 },
  { "boolean-nonzero", "01 7f", -1, "true", 0 },
  { "boolean-false", "01 00", -1, "false", 0 },
  { "string", "02 0003 617070", -1, "\"app\"", 0 },
  { "string-empty", "02 0000", -1, "\"\"", 0 },
  { "string-nul-inside", "02 0003 610062", -1, "\"a\\x00b\"", 0 },
  { "string-quote", "02 0002 225c", -1, "\"\\\"\\\\\"", 0 },
  { "long-string", "0c 00000002 6869", -1, "\"hi\"", 0 },
  { "xml-document", "0f 00000003 3c612f", -1, "\"<a/\"", 0 },
  { "null", "05", -1, "null", 0 },
  { "undefined", "06", -1, "undefined", 0 },
  { "unsupported-marker", "0d", -1, "unsupported", 0 },
  { "lone-object-end", "09", -1, "object-end", 0 },
  { "object-empty", "03 0000 09", -1, "{}", 0 },
  { "object", "03 0001 61 " NUM_1 " 0002 6262 05 0000 09", -1, "{\"a\": 1, \"bb\": null}", 0 },
  { "object-nul-in-key", "03 0002 6100 01 00 0000 09", -1, "{\"a\\x00\": false}", 0 },
  { "object-empty-key", "03 0000 05 0000 09", -1, "{\"\": null}", 0 },
  { "object-nested", "03 0001 6f 03 0001 70 01 01 0000 09 0000 09", -1,
    "{\"o\": {\"p\": true}}", 0 },
  { "ecma-array-count-zero", "08 00000000 0001 6b 02 0001 76 0000 09", -1, "[\"k\": \"v\"]", 0 },
  { "ecma-array-count-wrong", "08 000000ff 0000 09", -1, "[]", 0 },
  { "strict-array", "0a 00000002 " NUM_1 " 05", -1, "[1, null]", 0 },
  { "strict-array-empty", "0a 00000000", -1, "[]", 0 },
  { "date", "0b 0000000000000000 0000", -1, "date(0, 0)", 0 },
  { "typed-object", "10 0003 466f6f 0001 78 05 0000 09", -1, "Foo{\"x\": null}", 0 },

  { "empty-input", "", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "number-short", "00 3ff0", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "boolean-short", "01", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "string-short", "02 0005 61", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "string-no-length", "02 00", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "long-string-absurd", "0c 7fffffff 61", CB_RTMP_ERROR_TOO_LARGE, NULL, 0 },
  { "long-string-just-over", "0c 01000001 61", CB_RTMP_ERROR_TOO_LARGE, NULL, 0 },
  { "long-string-short", "0c 00001000 61", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "object-no-end", "03 0001 61 05", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "object-end-without-marker", "03 0000", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "object-bad-value", "03 0001 61 ee 0000 09", CB_RTMP_ERROR_MALFORMED, NULL, 0 },
  { "strict-array-absurd-count", "0a ffffffff 05 05", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "ecma-array-short", "08 0000", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "date-short", "0b 00000000", CB_RTMP_ERROR_TRUNCATED, NULL, 0 },
  { "reference", "07 0001", CB_RTMP_ERROR_UNSUPPORTED, NULL, 0 },
  { "movieclip", "04", CB_RTMP_ERROR_UNSUPPORTED, NULL, 0 },
  { "recordset", "0e", CB_RTMP_ERROR_UNSUPPORTED, NULL, 0 },
  { "avmplus", "11 06 01", CB_RTMP_ERROR_UNSUPPORTED, NULL, 0 },
  { "unknown-marker", "12", CB_RTMP_ERROR_MALFORMED, NULL, 0 },
  { "marker-ff", "ff", CB_RTMP_ERROR_MALFORMED, NULL, 0 },
};

static const char *
decode_row_name (gconstpointer row)
{
  return ((const DecodeRow *) row)->name;
}

static void
test_decode_row (gconstpointer data)
{
  const DecodeRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Value) v = NULL;
  gsize consumed = 0;

  v = cb_amf0_decode (in->data, in->len, &consumed, &error);
  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (v);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_cmpuint (consumed, ==, row->consumed ? row->consumed : in->len);
  {
    g_autofree char *s = cb_amf0_value_to_string (v);

    g_assert_cmpstr (s, ==, row->rendered);
  }

  /* Every value decodes from its own encoding to an equal value. */
  {
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(CbAmf0Value) again = NULL;
    g_autoptr(CbAmf0Value) copy = cb_amf0_value_copy (v);

    cb_amf0_encode (out, v);
    again = cb_amf0_decode (out->data, out->len, &consumed, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, out->len);
    g_assert_true (cb_amf0_value_equal (v, again));
    g_assert_true (cb_amf0_value_equal (v, copy));
  }

  /* Every strict prefix of a single value is truncated, never a crash or a success. */
  for (gsize n = 0; n < consumed && n < in->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(CbAmf0Value) part = cb_amf0_decode (in->data, n, NULL, &e);

      g_assert_null (part);
      g_assert_error (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
    }
}

static GByteArray *
nested (guint depth,
        gboolean arrays)
{
  GByteArray *out = g_byte_array_new ();
  static const guint8 obj_open[] = { 0x03, 0x00, 0x01, 'o' };
  static const guint8 arr_open[] = { 0x0a, 0x00, 0x00, 0x00, 0x01 };
  static const guint8 obj_close[] = { 0x00, 0x00, 0x09 };
  static const guint8 null_value[] = { 0x05 };

  for (guint i = 0; i < depth; i++)
    {
      if (arrays)
        g_byte_array_append (out, arr_open, sizeof arr_open);
      else
        g_byte_array_append (out, obj_open, sizeof obj_open);
    }
  g_byte_array_append (out, null_value, 1);
  if (!arrays)
    for (guint i = 0; i < depth; i++)
      g_byte_array_append (out, obj_close, sizeof obj_close);
  return out;
}

static void
test_depth_limit (void)
{
  struct {
    guint    depth;
    gboolean arrays;
    gboolean ok;
  } rows[] = {
    { 1, FALSE, TRUE },
    { CB_AMF0_MAX_DEPTH, FALSE, TRUE },
    { CB_AMF0_MAX_DEPTH, TRUE, TRUE },
    { CB_AMF0_MAX_DEPTH + 1, FALSE, FALSE },
    { CB_AMF0_MAX_DEPTH + 1, TRUE, FALSE },
    { 100000, FALSE, FALSE },
    { 100000, TRUE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GByteArray) in = nested (rows[i].depth, rows[i].arrays);
      g_autoptr(GError) error = NULL;
      g_autoptr(CbAmf0Value) v = cb_amf0_decode (in->data, in->len, NULL, &error);

      if (rows[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (v);
        }
      else
        {
          g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
        }
    }
}

static void
test_value_count_limit (void)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Value) v = NULL;
  guint32 n = CB_AMF0_MAX_VALUES + 10;
  guint8 head[5] = { 0x0a, n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff };

  g_byte_array_append (in, head, sizeof head);
  g_byte_array_set_size (in, sizeof head + n);
  memset (in->data + sizeof head, 0x05, n);
  v = cb_amf0_decode (in->data, in->len, NULL, &error);
  g_assert_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE);
  g_assert_null (v);
}

static CbAmf0Value *
build_connect_object (void)
{
  CbAmf0Value *obj = cb_amf0_value_new_object ();
  CbAmf0Value *arr = cb_amf0_value_new_strict_array ();
  CbAmf0Value *ecma = cb_amf0_value_new_ecma_array ();

  cb_amf0_object_set_string (obj, "app", "live");
  cb_amf0_object_set_string (obj, "type", "nonprivate");
  cb_amf0_object_set_string (obj, "flashVer", "FMLE/3.0 (compatible; Castbridge)");
  cb_amf0_object_set_string (obj, "tcUrl", "rtmp://localhost/live");
  cb_amf0_object_set_number (obj, "capabilities", 239);
  cb_amf0_object_set_boolean (obj, "fpad", FALSE);
  cb_amf0_object_set (obj, "nothing", cb_amf0_value_new_null ());
  cb_amf0_object_set (obj, "undef", cb_amf0_value_new_undefined ());
  cb_amf0_object_set (obj, "when", cb_amf0_value_new_date (1.7e12, -60));
  cb_amf0_object_set (obj, "nul", cb_amf0_value_new_string_len ("a\0b", 3));
  cb_amf0_array_append (arr, cb_amf0_value_new_number (-0.5));
  cb_amf0_array_append (arr, cb_amf0_value_new_number (NAN));
  cb_amf0_array_append (arr, cb_amf0_value_new_number (INFINITY));
  cb_amf0_object_set (obj, "list", arr);
  cb_amf0_object_set_number (ecma, "width", 1280);
  cb_amf0_object_set (obj, "meta", ecma);
  return obj;
}

static void
test_round_trip (void)
{
  g_autoptr(CbAmf0Value) obj = build_connect_object ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(CbAmf0Value) back = NULL;
  g_autoptr(GError) error = NULL;
  gsize consumed = 0;
  gdouble num = 0;
  gboolean b = TRUE;
  gsize len = 0;

  cb_amf0_encode (out, obj);
  back = cb_amf0_decode (out->data, out->len, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, out->len);
  g_assert_true (cb_amf0_value_equal (obj, back));

  g_assert_cmpstr (cb_amf0_object_get_string (back, "app"), ==, "live");
  g_assert_true (cb_amf0_object_get_number (back, "capabilities", &num));
  g_assert_cmpfloat (num, ==, 239);
  g_assert_true (cb_amf0_object_get_boolean (back, "fpad", &b));
  g_assert_false (b);
  /* Wrong types and missing keys are not found. */
  g_assert_false (cb_amf0_object_get_number (back, "app", &num));
  g_assert_null (cb_amf0_object_get_string (back, "capabilities"));
  g_assert_null (cb_amf0_object_get_string (back, "missing"));
  g_assert_null (cb_amf0_object_get (NULL, "app"));
  /* A string holding a NUL is no C string to the lookup, but is all there to the API. */
  g_assert_null (cb_amf0_object_get_string (back, "nul"));
  g_assert_nonnull (cb_amf0_value_get_string (cb_amf0_object_get (back, "nul"), &len));
  g_assert_cmpuint (len, ==, 3);
  g_assert_true (isnan (cb_amf0_value_get_number (cb_amf0_value_get_child (
    cb_amf0_object_get (back, "list"), 1))));
  g_assert_cmpuint (cb_amf0_value_get_n_children (back), ==, 12);
  g_assert_cmpstr (cb_amf0_value_get_key (back, 0, NULL), ==, "app");

  /* Every prefix of the encoding is truncated. */
  for (gsize n = 0; n < out->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(CbAmf0Value) part = cb_amf0_decode (out->data, n, NULL, &e);

      g_assert_null (part);
      g_assert_error (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED);
    }
}

static void
test_object_set_replaces (void)
{
  g_autoptr(CbAmf0Value) obj = cb_amf0_value_new_object ();

  cb_amf0_object_set_string (obj, "a", "1");
  cb_amf0_object_set_string (obj, "b", "2");
  cb_amf0_object_set_string (obj, "a", "3");
  g_assert_cmpuint (cb_amf0_value_get_n_children (obj), ==, 2);
  g_assert_cmpstr (cb_amf0_object_get_string (obj, "a"), ==, "3");
  g_assert_cmpstr (cb_amf0_value_get_key (obj, 0, NULL), ==, "a");
}

static void
test_duplicate_keys_first_wins (void)
{
  g_autoptr(GByteArray) in = test_hex ("03 0003 617070 02 0001 61 0003 617070 02 0001 62 0000 09");
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Value) v = cb_amf0_decode (in->data, in->len, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (cb_amf0_value_get_n_children (v), ==, 2);
  g_assert_cmpstr (cb_amf0_object_get_string (v, "app"), ==, "a");
}

static void
test_long_string_selection (void)
{
  g_autofree char *big = g_malloc (70001);
  g_autoptr(CbAmf0Value) v = NULL;
  g_autoptr(CbAmf0Value) back = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  memset (big, 'x', 70000);
  big[70000] = '\0';
  v = cb_amf0_value_new_string (big);
  g_assert_cmpint (cb_amf0_value_get_kind (v), ==, CB_AMF0_LONG_STRING);
  cb_amf0_encode (out, v);
  g_assert_cmpuint (out->data[0], ==, CB_AMF0_LONG_STRING);
  g_assert_cmpuint (out->len, ==, 5 + 70000);
  back = cb_amf0_decode (out->data, out->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cb_amf0_value_equal (v, back));

  g_byte_array_set_size (out, 0);
  cb_amf0_write_string (out, "hi");
  g_assert_cmpuint (out->data[0], ==, CB_AMF0_STRING);
}

/* ---- commands ---- */

typedef struct {
  const char *name;
  const char *hex;
  int         error;
  const char *command;
  gdouble     transaction_id;
  const char *object;     /* rendering, NULL when absent */
  guint       n_args;
} CommandRow;

#define S_CONNECT   "02 0007 636f6e6e656374"
#define S_PUBLISH   "02 0007 7075626c697368"
#define S_LIVE      "02 0004 6c697665"

static const CommandRow command_rows[] = {
  { "connect", S_CONNECT " " NUM_1 " 03 0003 617070 " S_LIVE " 0000 09", -1,
    "connect", 1, "{\"app\": \"live\"}", 0 },
  { "publish", S_PUBLISH " 00 4014000000000000 05 02 0003 6b6579 " S_LIVE, -1,
    "publish", 5, "null", 2 },
  { "name-only-with-tid", "02 0001 78 " NUM_1_5, -1, "x", 1.5, NULL, 0 },
  { "long-string-name", "0c 00000001 78 " NUM_1, -1, "x", 1, NULL, 0 },
  { "no-tid", S_CONNECT, CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "tid-not-number", S_CONNECT " 05", CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "name-not-string", NUM_1 " " NUM_1, CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "name-with-nul", "02 0003 610062 " NUM_1, CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "name-empty", "02 0000 " NUM_1, CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "empty", "", CB_RTMP_ERROR_MALFORMED, NULL, 0, NULL, 0 },
  { "truncated-object", S_CONNECT " " NUM_1 " 03 0003 617070", CB_RTMP_ERROR_TRUNCATED,
    NULL, 0, NULL, 0 },
  { "amf3-switch", S_CONNECT " " NUM_1 " 11 0a", CB_RTMP_ERROR_UNSUPPORTED, NULL, 0, NULL, 0 },
};

static const char *
command_row_name (gconstpointer row)
{
  return ((const CommandRow *) row)->name;
}

static void
test_command_row (gconstpointer data)
{
  const CommandRow *row = data;
  g_autoptr(GByteArray) in = test_hex (row->hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Command) cmd = cb_amf0_command_decode (in->data, in->len, &error);

  if (row->error >= 0)
    {
      g_assert_error (error, CB_RTMP_ERROR, row->error);
      g_assert_null (cmd);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (cmd->name, ==, row->command);
  g_assert_cmpfloat (cmd->transaction_id, ==, row->transaction_id);
  if (row->object == NULL)
    {
      g_assert_null (cmd->command_object);
    }
  else
    {
      g_autofree char *s = cb_amf0_value_to_string (cmd->command_object);

      g_assert_cmpstr (s, ==, row->object);
    }
  g_assert_cmpuint (cmd->args->len, ==, row->n_args);

  /* Re-encoding gives the same bytes when there was a command object. */
  if (row->object != NULL && strcmp (row->name, "long-string-name") != 0)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();

      cb_amf0_command_encode (cmd, out);
      g_assert_cmpmem (out->data, out->len, in->data, in->len);
    }

  /* Prefixes: truncated or a shorter valid command, or malformed (no tid yet). */
  for (gsize n = 0; n < in->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(CbAmf0Command) part = cb_amf0_command_decode (in->data, n, &e);

      if (part == NULL)
        g_assert_true (g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED) ||
                       g_error_matches (e, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED));
    }
}

static void
test_command_build (void)
{
  g_autoptr(CbAmf0Command) cmd = cb_amf0_command_new ("publish", 5, NULL);
  g_autoptr(CbAmf0Command) back = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string ("key"));
  cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string ("live"));
  cb_amf0_command_encode (cmd, out);
  back = cb_amf0_command_decode (out->data, out->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, "publish");
  g_assert_cmpint (cb_amf0_value_get_kind (back->command_object), ==, CB_AMF0_NULL);
  g_assert_cmpstr (cb_amf0_value_get_string (cb_amf0_command_get_arg (back, 0), NULL), ==, "key");
  g_assert_cmpstr (cb_amf0_value_get_string (cb_amf0_command_get_arg (back, 1), NULL), ==, "live");
  g_assert_null (cb_amf0_command_get_arg (back, 2));
}

static void
test_decode_all (void)
{
  g_autoptr(GByteArray) in = test_hex ("02 0002 6f6e " NUM_1 " 05 01 01");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) values = cb_amf0_decode_all (in->data, in->len, &error);
  g_autoptr(GPtrArray) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 4);
  none = cb_amf0_decode_all (NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_add_rows ("amf0/decode", decode_rows, sizeof decode_rows[0], G_N_ELEMENTS (decode_rows),
                 decode_row_name, test_decode_row);
  test_add_rows ("amf0/command", command_rows, sizeof command_rows[0],
                 G_N_ELEMENTS (command_rows), command_row_name, test_command_row);
  g_test_add_func ("/cb/rtmp/amf0/depth-limit", test_depth_limit);
  g_test_add_func ("/cb/rtmp/amf0/value-count-limit", test_value_count_limit);
  g_test_add_func ("/cb/rtmp/amf0/round-trip", test_round_trip);
  g_test_add_func ("/cb/rtmp/amf0/object-set-replaces", test_object_set_replaces);
  g_test_add_func ("/cb/rtmp/amf0/duplicate-keys-first-wins", test_duplicate_keys_first_wins);
  g_test_add_func ("/cb/rtmp/amf0/long-string-selection", test_long_string_selection);
  g_test_add_func ("/cb/rtmp/amf0/command-build", test_command_build);
  g_test_add_func ("/cb/rtmp/amf0/decode-all", test_decode_all);

  return g_test_run ();
}
