/* test-rest-validate.c — the REST validation table, one row per case
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rest-validate.h"
#include "cb-server.h"

static const CbRestField all_types_fields[] = {
  { "name",  CB_JSON_STRING,  TRUE,  16 },
  { "flag",  CB_JSON_BOOLEAN, FALSE, 0 },
  { "count", CB_JSON_INTEGER, FALSE, 0 },
  { "ratio", CB_JSON_NUMBER,  FALSE, 0 },
  { "obj",   CB_JSON_OBJECT,  FALSE, 0 },
  { "list",  CB_JSON_ARRAY,   FALSE, 0 },
  { NULL }
};

static const CbRestField optional_fields[] = {
  { "name",  CB_JSON_STRING,  FALSE, 0 },
  { "list",  CB_JSON_ARRAY,   FALSE, 0 },
  { NULL }
};

static const CbRestSchema strict = { all_types_fields, TRUE };
static const CbRestSchema lenient = { optional_fields, FALSE };

#define OK  (-1)
#define BAD CB_SERVER_ERROR_BAD_REQUEST
/* A body given with an explicit length, so that NUL bytes and unterminated buffers are
 * what the validator sees. */
#define BODY(s) s, sizeof (s) - 1

typedef struct {
  const char         *name;
  const CbRestSchema *schema;
  const char         *body;
  gsize               length;
  int                 code;      /* CbServerError, or OK */
  const char         *mentions;  /* a substring of the error message */
} ValidateCase;

static const ValidateCase cases[] = {
  /* empty bodies are {} */
  { "empty", &lenient, BODY (""), OK, NULL },
  { "blank", &lenient, BODY (" \r\n\t "), OK, NULL },
  { "empty but required", &strict, BODY (""), BAD, "'name'" },
  { "empty object", &lenient, BODY ("{}"), OK, NULL },
  { "minimal", &strict, BODY ("{\"name\":\"a\"}"), OK, NULL },
  { "all types", &strict,
    BODY ("{\"name\":\"a\",\"flag\":true,\"count\":3,\"ratio\":0.5,\"obj\":{},\"list\":[1]}"),
    OK, NULL },
  { "number takes integer", &strict, BODY ("{\"name\":\"a\",\"ratio\":2}"), OK, NULL },
  { "null optional", &strict, BODY ("{\"name\":\"a\",\"flag\":null}"), OK, NULL },
  { "duplicate member", &strict, BODY ("{\"name\":1,\"name\":\"a\"}"), OK, NULL },
  { "brackets in strings", &lenient,
    BODY ("{\"name\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}"), OK, NULL },
  { "escaped quote", &lenient,
    BODY ("{\"name\":\"a\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}"), OK, NULL },

  /* malformed */
  { "lone brace", &lenient, BODY ("{"), BAD, "Malformed JSON" },
  { "missing value", &lenient, BODY ("{\"name\":}"), BAD, "Malformed JSON" },
  { "trailing comma", &lenient, BODY ("{\"name\":\"a\",}"), BAD, "Malformed JSON" },
  { "bare word", &lenient, BODY ("hello"), BAD, "Malformed JSON" },
  { "two documents", &lenient, BODY ("{}{}"), BAD, "Malformed JSON" },
  { "unterminated string", &lenient, BODY ("{\"name\":\"abc"), BAD, "Malformed JSON" },
  { "truncated member", &lenient, BODY ("{\"name\":\"a\",\"li"), BAD, "Malformed JSON" },
  { "NUL inside string", &lenient, BODY ("{\"name\":\"a\0b\"}"), BAD, "NUL" },
  { "NUL after document", &lenient, BODY ("{}\0"), BAD, "NUL" },
  { "only NUL", &lenient, BODY ("\0"), BAD, "NUL" },
  { "data after the end", &lenient, BODY ("{} x"), BAD, "after the end" },
  { "comment", &lenient, BODY ("{}/* c */"), BAD, "Malformed JSON" },
  { "single quotes", &lenient, BODY ("{'name':'a'}"), BAD, "Malformed JSON" },
  { "bare member name", &lenient, BODY ("{name:\"a\"}"), BAD, "member name" },
  { "missing colon", &lenient, BODY ("{\"name\" \"a\"}"), BAD, "':'" },
  { "missing comma", &lenient, BODY ("{\"name\":\"a\" \"list\":[]}"), BAD, "','" },
  { "array trailing comma", &lenient, BODY ("{\"list\":[1,]}"), BAD, "Malformed JSON" },
  { "mismatched close", &lenient, BODY ("{\"list\":[1}}"), BAD, "Malformed JSON" },
  { "hex number", &lenient, BODY ("{\"n\":0x10}"), BAD, "Malformed JSON" },
  { "leading zero", &lenient, BODY ("{\"n\":01}"), BAD, "Malformed JSON" },
  { "bare fraction", &lenient, BODY ("{\"n\":.5}"), BAD, "Malformed JSON" },
  { "empty exponent", &lenient, BODY ("{\"n\":1e}"), BAD, "bad number" },
  { "NaN", &lenient, BODY ("{\"n\":NaN}"), BAD, "Malformed JSON" },
  { "infinite number", &lenient, BODY ("{\"n\":1e999}"), BAD, "number out of range" },
  { "minus infinite number", &lenient, BODY ("{\"n\":-2e400}"), BAD, "number out of range" },
  { "tiny number is zero", &lenient, BODY ("{\"n\":1e-999}"), OK, NULL },
  { "truncated literal", &lenient, BODY ("{\"n\":tru"), BAD, "Malformed JSON" },
  { "numbers", &lenient,
    BODY ("{\"n\":[0,-0,1.5e3,-2E-2,1e300,123456789012345678901234]}"), OK, NULL },
  { "literals", &lenient, BODY ("{\"n\":[true,false,null]}"), OK, NULL },
  { "escapes", &lenient,
    BODY ("{\"name\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}"), OK, NULL },
  { "bad escape", &lenient, BODY ("{\"name\":\"\\x41\"}"), BAD, "escape" },
  { "short unicode escape", &lenient, BODY ("{\"name\":\"\\u12\"}"), BAD, "Malformed JSON" },
  { "escaped NUL", &lenient, BODY ("{\"name\":\"a\\u0000b\"}"), BAD, "u0000" },
  { "lone high surrogate", &lenient, BODY ("{\"name\":\"\\ud83d\"}"), BAD, "surrogate" },
  { "lone low surrogate", &lenient, BODY ("{\"name\":\"\\ude00x\"}"), BAD, "surrogate" },
  { "raw control character", &lenient, BODY ("{\"name\":\"a\tb\"}"), BAD, "control character" },
  { "raw newline in string", &lenient, BODY ("{\"name\":\"a\nb\"}"), BAD, "control character" },
  { "UTF-8 text", &lenient, BODY ("{\"name\":\"Трансляция 🎥\"}"), OK, NULL },
  { "invalid UTF-8", &lenient, BODY ("{\"name\":\"\xff\xfe\"}"), BAD, "UTF-8" },
  { "overlong UTF-8", &lenient, BODY ("{\"name\":\"\xc0\xaf\"}"), BAD, "UTF-8" },

  /* not an object */
  { "array", &lenient, BODY ("[]"), BAD, "object" },
  { "string", &lenient, BODY ("\"x\""), BAD, "object" },
  { "number", &lenient, BODY ("42"), BAD, "object" },
  { "null", &lenient, BODY ("null"), BAD, "object" },

  /* types */
  { "string as number", &strict, BODY ("{\"name\":1}"), BAD, "'name' must be a string" },
  { "boolean as string", &strict,
    BODY ("{\"name\":\"a\",\"flag\":\"true\"}"), BAD, "'flag' must be a boolean" },
  { "integer as double", &strict,
    BODY ("{\"name\":\"a\",\"count\":1.5}"), BAD, "'count' must be an integer" },
  { "integer as string", &strict, BODY ("{\"name\":\"a\",\"count\":\"1\"}"), BAD, "'count'" },
  { "number as string", &strict,
    BODY ("{\"name\":\"a\",\"ratio\":\"x\"}"), BAD, "'ratio' must be a number" },
  { "object as array", &strict,
    BODY ("{\"name\":\"a\",\"obj\":[]}"), BAD, "'obj' must be an object" },
  { "array as object", &strict,
    BODY ("{\"name\":\"a\",\"list\":{}}"), BAD, "'list' must be an array" },
  { "string as object", &strict, BODY ("{\"name\":{}}"), BAD, "'name' must be a string" },

  /* presence */
  { "missing required", &strict, BODY ("{\"flag\":true}"), BAD, "Missing required field 'name'" },
  { "null required", &strict, BODY ("{\"name\":null}"), BAD, "Missing required field 'name'" },
  { "unknown, strict", &strict,
    BODY ("{\"name\":\"a\",\"colour\":1}"), BAD, "Unknown field 'colour'" },
  { "unknown, lenient", &lenient, BODY ("{\"colour\":1}"), OK, NULL },
  /* 70 characters, 140 bytes: the message keeps 64 whole characters */
  { "unknown, long name", &strict,
    BODY ("{\"name\":\"a\",\"éééééééééééééééééééééééééééééééé"
          "éééééééééééééééééééééééééééééééééééééé\":1}"),
    BAD, "Unknown field 'éééééééééééééééééééééééééééééééé"
         "éééééééééééééééééééééééééééééééé'" },
  { "too long", &strict, BODY ("{\"name\":\"0123456789abcdefg\"}"), BAD, "'name' is longer" },
  { "longest", &strict, BODY ("{\"name\":\"0123456789abcdef\"}"), OK, NULL },
};

static void
check_result (const ValidateCase *c,
              JsonObject         *object,
              GError             *error)
{
  if (c->code == OK)
    {
      g_assert_no_error (error);
      g_assert_nonnull (object);
    }
  else
    {
      g_assert_null (object);
      g_assert_error (error, CB_SERVER_ERROR, c->code);
      if (c->mentions != NULL && strstr (error->message, c->mentions) == NULL)
        g_error ("case '%s': '%s' does not mention '%s'", c->name, error->message, c->mentions);
    }
}

static void
test_validate_case (gconstpointer data)
{
  const ValidateCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  /* An exact-size copy: nothing after the body, not even a NUL, so that a read past
   * the end shows up under valgrind or ASan. */
  g_autofree char *copy = c->length > 0 ? g_memdup2 (c->body, c->length) : NULL;

  object = cb_rest_validate_body (c->schema, copy, c->length, &error);
  check_result (c, object, error);
}

static void
test_validate_respects_length (void)
{
  const char *text = "{\"name\":\"x\"}TRAILING GARBAGE";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  object = cb_rest_validate_body (&strict, text, strlen ("{\"name\":\"x\"}"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "x");
  g_clear_pointer (&object, json_object_unref);

  object = cb_rest_validate_body (&strict, text, 5, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST);
  g_assert_null (object);
}

static char *
make_padded_body (gsize length)
{
  /* {"pad":"aaaa…"} of exactly @length bytes */
  const gsize overhead = strlen ("{\"pad\":\"\"}");
  GString *s = g_string_new ("{\"pad\":\"");

  g_assert_cmpuint (length, >, overhead);
  for (gsize i = 0; i < length - overhead; i++)
    g_string_append_c (s, 'a');
  g_string_append (s, "\"}");
  g_assert_cmpuint (s->len, ==, length);
  return g_string_free (s, FALSE);
}

static void
test_validate_size_limit (void)
{
  g_autofree char *at_limit = make_padded_body (CB_REST_MAX_BODY);
  g_autofree char *over_limit = make_padded_body (CB_REST_MAX_BODY + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  object = cb_rest_validate_body (&lenient, at_limit, CB_REST_MAX_BODY, &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  g_clear_pointer (&object, json_object_unref);

  object = cb_rest_validate_body (&lenient, over_limit, CB_REST_MAX_BODY + 1, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE);
  g_assert_null (object);
  g_clear_error (&error);

  /* blank but oversized is still oversized */
  memset (over_limit, ' ', CB_REST_MAX_BODY + 1);
  object = cb_rest_validate_body (&lenient, over_limit, CB_REST_MAX_BODY + 1, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE);
}

static char *
make_nested (guint depth)
{
  /* {"list": [[…]]} with @depth levels in all */
  GString *s = g_string_new ("{\"list\":");

  for (guint i = 1; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 1; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
test_validate_depth (void)
{
  g_autofree char *deep_ok = make_nested (CB_REST_MAX_DEPTH);
  g_autofree char *too_deep = make_nested (CB_REST_MAX_DEPTH + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *bomb = NULL;

  object = cb_rest_validate_body (&lenient, deep_ok, strlen (deep_ok), &error);
  g_assert_no_error (error);
  g_clear_pointer (&object, json_object_unref);

  object = cb_rest_validate_body (&lenient, too_deep, strlen (too_deep), &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_clear_error (&error);

  /* json-glib 1.6 overflows its stack on this without the depth check */
  bomb = g_malloc (CB_REST_MAX_BODY);
  memset (bomb, '[', CB_REST_MAX_BODY);
  object = cb_rest_validate_body (&lenient, bomb, CB_REST_MAX_BODY, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST);
}

static void
test_parse_json_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = cb_rest_parse_json ("[1,2]", 5, 100, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_clear_pointer (&node, json_node_unref);

  node = cb_rest_parse_json ("", 0, 100, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST);
  g_assert_null (node);
  g_clear_error (&error);

  node = cb_rest_parse_json ("[1,2]", 5, 4, &error);
  g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE);
  g_assert_null (node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/server/validate/case/%s", cases[i].name);

      g_strdelimit (path + strlen ("/cb/server/validate/case/"), " ,", '-');
      g_test_add_data_func (path, &cases[i], test_validate_case);
    }
  g_test_add_func ("/cb/server/validate/respects-length", test_validate_respects_length);
  g_test_add_func ("/cb/server/validate/size-limit", test_validate_size_limit);
  g_test_add_func ("/cb/server/validate/depth", test_validate_depth);
  g_test_add_func ("/cb/server/validate/parse-json", test_parse_json_values);

  return g_test_run ();
}
