/* cb-rest-validate.h — safe JSON parsing and per-verb validation tables
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Limits for anything parsed from the network (REST bodies, WebSocket messages). */
#define CB_REST_MAX_BODY      (64 * 1024)
#define CB_REST_MAX_DEPTH     32
#define CB_REST_MAX_STRING    4096

typedef enum {
  CB_JSON_STRING,
  CB_JSON_BOOLEAN,
  CB_JSON_INTEGER,
  CB_JSON_NUMBER,     /* integer or floating point */
  CB_JSON_OBJECT,
  CB_JSON_ARRAY,
} CbJsonType;

/**
 * CbRestField:
 * @name: the member name, as WCS spells it
 * @type: the JSON type the member must have
 * @required: the member must be present and not `null`
 * @max_length: for strings, the longest accepted value in bytes (0: %CB_REST_MAX_STRING)
 *
 * One row of a verb's validation table. An optional member that is `null` counts as
 * absent, as WCS clients send `null` for "not given".
 */
typedef struct {
  const char *name;
  CbJsonType  type;
  gboolean    required;
  gsize       max_length;
} CbRestField;

/**
 * CbRestSchema:
 * @fields: the table, ended by a row whose @name is %NULL
 * @reject_unknown: members not in @fields are a 400 (Castbridge's own verbs); WCS
 *   verbs ignore them since WCS clients send extra members
 */
typedef struct {
  const CbRestField *fields;
  gboolean           reject_unknown;
} CbRestSchema;

const char *cb_json_type_to_string (CbJsonType          type);

/* Parses @length bytes of @data (need not be NUL-terminated) as JSON. Rejects, with
 * CB_SERVER_ERROR_TOO_LARGE or CB_SERVER_ERROR_BAD_REQUEST: more than @max_length
 * bytes, NUL bytes, invalid UTF-8, nesting deeper than %CB_REST_MAX_DEPTH (json-glib
 * recurses without a limit) and malformed JSON. */
JsonNode   *cb_rest_parse_json     (const char         *data,
                                    gsize               length,
                                    gsize               max_length,
                                    GError            **error);

/* Checks @object against @schema; the error names the offending member. */
gboolean    cb_rest_validate_object (const CbRestSchema *schema,
                                     JsonObject         *object,
                                     GError            **error);

/* A REST request body: empty (or blank) means `{}`; anything else must be a JSON
 * object of at most %CB_REST_MAX_BODY bytes matching @schema. Returns a new
 * reference. Pure: no server or engine needed. */
JsonObject *cb_rest_validate_body  (const CbRestSchema *schema,
                                    const char         *data,
                                    gsize               length,
                                    GError            **error);

G_END_DECLS
