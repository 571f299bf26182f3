/* fuzz-rest-json.c — REST request bodies, through each verb's validation table
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks a verb of the REST table (cb_rest_get_verbs()), the rest is the
 * body as a client could POST it. cb_rest_validate_body() checks the JSON text itself
 * before json-glib sees it (depth, NUL bytes, UTF-8, RFC 8259): whatever comes, it
 * returns an object or a CB_SERVER_ERROR, and what it accepts is an object that
 * satisfies the table, whose compact JSON (cb_rest_json_to_string()) reads back the same
 * (json-glib's own text did not: see the crash-json-glib-* inputs).
 */
#include <string.h>

#include "cb-rest.h"
#include "cb-rest-json.h"
#include "cb-server.h"

#include "fuzz-common.h"

static gboolean
field_has_type (JsonNode   *node,
                CbJsonType  type)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (type)
    {
    case CB_JSON_STRING:  return value_type == G_TYPE_STRING;
    case CB_JSON_BOOLEAN: return value_type == G_TYPE_BOOLEAN;
    case CB_JSON_INTEGER: return value_type == G_TYPE_INT64;
    case CB_JSON_NUMBER:  return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
    case CB_JSON_OBJECT:  return JSON_NODE_HOLDS_OBJECT (node);
    case CB_JSON_ARRAY:   return JSON_NODE_HOLDS_ARRAY (node);
    default:              return FALSE;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  const CbRestVerb *verbs, *verb;
  guint n_verbs = 0;
  gsize text_length = 0;

  if (size == 0)
    return 0;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  verbs = cb_rest_get_verbs (&n_verbs);
  FUZZ_CHECK (n_verbs > 0);
  verb = &verbs[data[0] % n_verbs];

  object = cb_rest_validate_body (&verb->schema, (const char *) data + 1, size - 1, &error);
  if (object == NULL)
    {
      FUZZ_CHECK_ERROR_IN (error, CB_SERVER_ERROR);
      FUZZ_CHECK (error->code == CB_SERVER_ERROR_BAD_REQUEST ||
                  error->code == CB_SERVER_ERROR_TOO_LARGE);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_CHECK (error == NULL);

  /* What passed satisfies the table: required members there, every member typed. */
  for (const CbRestField *f = verb->schema.fields; f != NULL && f->name != NULL; f++)
    {
      JsonNode *member = json_object_get_member (object, f->name);

      if (member == NULL || JSON_NODE_HOLDS_NULL (member))
        {
          FUZZ_CHECK (!f->required);
          continue;
        }
      FUZZ_CHECK (field_has_type (member, f->type));
    }
  FUZZ_CHECK (cb_rest_validate_object (&verb->schema, object, &error));

  /* Its compact JSON is what an answer echoing it would carry: it must read back. The
   * text may grow (escapes, "1e9" as a double), so the limit is the text's own length. */
  root = json_node_init_object (json_node_alloc (), object);
  text = cb_rest_json_to_string (root, &text_length);
  FUZZ_CHECK (text != NULL && strlen (text) == text_length);
  again = cb_rest_parse_json (text, text_length, text_length, &error);
  if (again == NULL)
    {
      g_printerr ("%s: %s\n", text, error->message);
      FUZZ_CHECK (again != NULL);
    }
  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (again));
  FUZZ_CHECK (json_object_get_size (json_node_get_object (again)) == json_object_get_size (object));
  return 0;
}
