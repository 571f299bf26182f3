/* cb-rest-validate.c — safe JSON parsing and per-verb validation tables
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rest-validate.h"

#include <math.h>
#include <string.h>

#include "cb-server.h"

/* Member names from the network end up in error messages: keep them short. */
#define MAX_NAME_IN_MESSAGE 64

const char *
cb_json_type_to_string (CbJsonType type)
{
  switch (type)
    {
    case CB_JSON_STRING:  return "a string";
    case CB_JSON_BOOLEAN: return "a boolean";
    case CB_JSON_INTEGER: return "an integer";
    case CB_JSON_NUMBER:  return "a number";
    case CB_JSON_OBJECT:  return "an object";
    case CB_JSON_ARRAY:   return "an array";
    default:              return "unknown";
    }
}

/* json-glib 1.6 is both lenient and fragile with input from the network: it takes
 * "{}{}", comments, single quotes and hex numbers, and it parses nested arrays and
 * objects recursively with no limit, so that 64 KiB of '[' overflow the stack. So the
 * text is first checked against RFC 8259 here, without recursion and with a depth
 * limit, and only then handed to json-glib. The text is valid UTF-8 already. */

typedef enum {
  STATE_VALUE,            /* a value must come */
  STATE_VALUE_OR_CLOSE,   /* just after '[' */
  STATE_KEY,              /* just after ',' in an object */
  STATE_KEY_OR_CLOSE,     /* just after '{' */
  STATE_COLON,
  STATE_COMMA_OR_CLOSE,
  STATE_DONE,
} SyntaxState;

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* @pos is on the opening quote; on success it is just past the closing one. */
static const char *
scan_string (const char *data,
             gsize       length,
             gsize      *pos)
{
  gsize i = *pos + 1;

  while (i < length)
    {
      guchar c = (guchar) data[i];

      if (c == '"')
        {
          *pos = i + 1;
          return NULL;
        }
      if (c < 0x20)
        return "control character in a string";
      if (c != '\\')
        {
          i++;
          continue;
        }

      if (i + 1 >= length)
        break;
      c = (guchar) data[i + 1];
      if (strchr ("\"\\/bfnrt", c) != NULL && c != '\0')
        {
          i += 2;
          continue;
        }
      if (c != 'u')
        return "bad escape in a string";
      if (i + 6 > length)
        break;

      {
        int unit = hex4 (data + i + 2);

        if (unit < 0)
          return "bad \\u escape in a string";
        if (unit == 0)
          return "\\u0000 in a string";
        if (unit >= 0xdc00 && unit <= 0xdfff)
          return "lone surrogate in a string";
        i += 6;
        if (unit >= 0xd800 && unit <= 0xdbff)
          {
            int low;

            if (i + 6 > length || data[i] != '\\' || data[i + 1] != 'u')
              return "lone surrogate in a string";
            low = hex4 (data + i + 2);
            if (low < 0xdc00 || low > 0xdfff)
              return "lone surrogate in a string";
            i += 6;
          }
      }
    }

  return "unterminated string";
}

static const char *
scan_number (const char *data,
             gsize       length,
             gsize      *pos)
{
  gsize i = *pos;

  if (i < length && data[i] == '-')
    i++;
  if (i >= length || !g_ascii_isdigit (data[i]))
    return "bad number";
  if (data[i] == '0')
    i++;
  else
    while (i < length && g_ascii_isdigit (data[i]))
      i++;

  if (i < length && data[i] == '.')
    {
      i++;
      if (i >= length || !g_ascii_isdigit (data[i]))
        return "bad number";
      while (i < length && g_ascii_isdigit (data[i]))
        i++;
    }

  if (i < length && (data[i] == 'e' || data[i] == 'E'))
    {
      i++;
      if (i < length && (data[i] == '+' || data[i] == '-'))
        i++;
      if (i >= length || !g_ascii_isdigit (data[i]))
        return "bad number";
      while (i < length && g_ascii_isdigit (data[i]))
        i++;
    }

  /* json-glib reads 1e999 as infinity, which no handler can use and which it writes
   * back as "inf.0", not JSON at all. */
  {
    g_autofree char *text = g_strndup (data + *pos, i - *pos);

    if (!isfinite (g_ascii_strtod (text, NULL)))
      return "number out of range";
  }

  *pos = i;
  return NULL;
}

static const char *
scan_literal (const char *data,
              gsize       length,
              gsize      *pos)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);

      if (length - *pos >= n && memcmp (data + *pos, literals[i], n) == 0)
        {
          *pos += n;
          return NULL;
        }
    }
  return "unexpected text";
}

static gboolean
check_syntax (const char  *data,
              gsize        length,
              guint        max_depth,
              GError     **error)
{
  char stack[CB_REST_MAX_DEPTH];   /* '{' or '[' for each open container */
  guint depth = 0;
  SyntaxState state = STATE_VALUE;
  const char *problem = NULL;
  gsize pos = 0;

  g_assert (max_depth <= CB_REST_MAX_DEPTH);

  for (;;)
    {
      gboolean value_done = FALSE;
      char c;

      while (pos < length && is_json_space (data[pos]))
        pos++;

      if (pos >= length)
        {
          if (state == STATE_DONE)
            return TRUE;
          problem = "unexpected end";
          break;
        }

      c = data[pos];
      switch (state)
        {
        case STATE_DONE:
          problem = "data after the end";
          break;

        case STATE_VALUE_OR_CLOSE:
          if (c == ']')
            {
              pos++;
              depth--;
              value_done = TRUE;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case STATE_VALUE:
          if (c == '{' || c == '[')
            {
              if (depth >= max_depth)
                {
                  g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                               "Malformed JSON: nested deeper than %u levels", max_depth);
                  return FALSE;
                }
              stack[depth++] = c;
              pos++;
              state = c == '{' ? STATE_KEY_OR_CLOSE : STATE_VALUE_OR_CLOSE;
            }
          else if (c == '"')
            {
              problem = scan_string (data, length, &pos);
              value_done = TRUE;
            }
          else if (c == '-' || g_ascii_isdigit (c))
            {
              problem = scan_number (data, length, &pos);
              value_done = TRUE;
            }
          else
            {
              problem = scan_literal (data, length, &pos);
              value_done = TRUE;
            }
          break;

        case STATE_KEY_OR_CLOSE:
          if (c == '}')
            {
              pos++;
              depth--;
              value_done = TRUE;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case STATE_KEY:
          if (c != '"')
            {
              problem = "expected a member name";
              break;
            }
          problem = scan_string (data, length, &pos);
          state = STATE_COLON;
          break;

        case STATE_COLON:
          if (c != ':')
            {
              problem = "expected ':'";
              break;
            }
          pos++;
          state = STATE_VALUE;
          break;

        case STATE_COMMA_OR_CLOSE:
          g_assert (depth > 0);
          if (c == ',')
            {
              pos++;
              state = stack[depth - 1] == '{' ? STATE_KEY : STATE_VALUE;
            }
          else if (c == (stack[depth - 1] == '{' ? '}' : ']'))
            {
              pos++;
              depth--;
              value_done = TRUE;
            }
          else
            problem = stack[depth - 1] == '{' ? "expected ',' or '}'" : "expected ',' or ']'";
          break;

        default:
          g_assert_not_reached ();
        }

      if (problem != NULL)
        break;
      if (value_done)
        state = depth == 0 ? STATE_DONE : STATE_COMMA_OR_CLOSE;
    }

  g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
               "Malformed JSON at byte %" G_GSIZE_FORMAT ": %s", pos, problem);
  return FALSE;
}

JsonNode *
cb_rest_parse_json (const char  *data,
                    gsize        length,
                    gsize        max_length,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > max_length)
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_TOO_LARGE,
                   "Body too large: %" G_GSIZE_FORMAT " bytes, at most %" G_GSIZE_FORMAT,
                   length, max_length);
      return NULL;
    }

  if (length == 0)
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Malformed JSON: empty");
      return NULL;
    }

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Malformed JSON: NUL byte in body");
      return NULL;
    }

  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Malformed JSON: invalid UTF-8");
      return NULL;
    }

  if (!check_syntax (data, length, CB_REST_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                   "Malformed JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Malformed JSON: empty");
      return NULL;
    }

  return json_node_ref (root);
}

static gboolean
node_has_type (JsonNode   *node,
               CbJsonType  type)
{
  GType value_type;

  switch (type)
    {
    case CB_JSON_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case CB_JSON_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    case CB_JSON_STRING:
    case CB_JSON_BOOLEAN:
    case CB_JSON_INTEGER:
    case CB_JSON_NUMBER:
    default:
      break;
    }

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  value_type = json_node_get_value_type (node);
  switch (type)
    {
    case CB_JSON_STRING:
      return value_type == G_TYPE_STRING;
    case CB_JSON_BOOLEAN:
      return value_type == G_TYPE_BOOLEAN;
    case CB_JSON_INTEGER:
      return value_type == G_TYPE_INT64;
    case CB_JSON_NUMBER:
      return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
    case CB_JSON_OBJECT:
    case CB_JSON_ARRAY:
    default:
      return FALSE;
    }
}

static const CbRestField *
find_field (const CbRestSchema *schema,
            const char         *name)
{
  for (const CbRestField *f = schema->fields; f != NULL && f->name != NULL; f++)
    {
      if (g_strcmp0 (f->name, name) == 0)
        return f;
    }
  return NULL;
}

gboolean
cb_rest_validate_object (const CbRestSchema  *schema,
                         JsonObject          *object,
                         GError             **error)
{
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (const CbRestField *f = schema->fields; f != NULL && f->name != NULL; f++)
    {
      JsonNode *node = json_object_get_member (object, f->name);
      gsize max_length = f->max_length > 0 ? f->max_length : CB_REST_MAX_STRING;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          if (f->required)
            {
              g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Missing required field '%s'", f->name);
              return FALSE;
            }
          continue;
        }

      if (!node_has_type (node, f->type))
        {
          g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                       "Field '%s' must be %s", f->name, cb_json_type_to_string (f->type));
          return FALSE;
        }

      if (f->type == CB_JSON_STRING && strlen (json_node_get_string (node)) > max_length)
        {
          g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                       "Field '%s' is longer than %" G_GSIZE_FORMAT " bytes",
                       f->name, max_length);
          return FALSE;
        }
    }

  if (!schema->reject_unknown)
    return TRUE;

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (find_field (schema, name) == NULL)
        {
          /* Whole characters only: the message goes back out as JSON. */
          g_autofree char *shown = g_utf8_substring (name, 0,
                                                     MIN (g_utf8_strlen (name, -1),
                                                          MAX_NAME_IN_MESSAGE));

          g_set_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                       "Unknown field '%s'", shown);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_blank (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isspace (data[i]))
        return FALSE;
    }
  return TRUE;
}

JsonObject *
cb_rest_validate_body (const CbRestSchema  *schema,
                       const char          *data,
                       gsize                length,
                       GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length <= CB_REST_MAX_BODY && is_blank (data, length))
    {
      object = json_object_new ();
    }
  else
    {
      root = cb_rest_parse_json (data, length, CB_REST_MAX_BODY, error);
      if (root == NULL)
        return NULL;

      if (!JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                               "The body must be a JSON object");
          return NULL;
        }
      object = json_object_ref (json_node_get_object (root));
    }

  if (!cb_rest_validate_object (schema, object, error))
    return NULL;

  return g_steal_pointer (&object);
}
