/* cb-rest.h — the REST verbs: tables, handlers and dispatch, free of HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "cb-engine.h"
#include "cb-rest-validate.h"

G_BEGIN_DECLS

#define CB_REST_PREFIX "/rest-api/"

/* Fills *@answer (a new node, or %NULL for an empty body) or sets @error. */
typedef gboolean (*CbRestHandler) (CbEngine    *engine,
                                   JsonObject  *request,
                                   JsonNode   **answer,
                                   GError     **error);

/* Verbs whose answer comes later (a snapshot): call @reply once, on the engine context,
 * with the status and the answer (consumed; NULL for an empty body). */
typedef void (*CbRestReply) (guint     status,
                             JsonNode *answer,
                             gpointer  data);
typedef void (*CbRestAsyncHandler) (CbEngine    *engine,
                                    JsonObject  *request,
                                    CbRestReply  reply,
                                    gpointer     data);

typedef struct {
  const char         *path;      /* below /rest-api/, e.g. "stream/find_all" */
  CbRestSchema        schema;
  CbRestHandler       handler;
  CbRestAsyncHandler  async_handler;   /* instead of @handler, when the answer comes later */
} CbRestVerb;

/* @path is below /rest-api/ ("stream/find"). %NULL when there is no such verb. */
const CbRestVerb *cb_rest_lookup_verb (const char       *path);
const CbRestVerb *cb_rest_get_verbs   (guint            *n_verbs);

/* Validates @body against the verb's table, runs it and maps any error: returns the
 * HTTP status and sets *@answer to the JSON to send (%NULL: empty body). */
guint             cb_rest_call        (CbEngine         *engine,
                                       const CbRestVerb *verb,
                                       const char       *body,
                                       gsize             length,
                                       JsonNode        **answer);

/* The same for verbs with an async_handler (and for the others too): @reply is called
 * once, maybe before this returns. */
void              cb_rest_call_async  (CbEngine         *engine,
                                       const CbRestVerb *verb,
                                       const char       *body,
                                       gsize             length,
                                       CbRestReply       reply,
                                       gpointer          data);
/* Maps @error to a status and WCS error body (consumes nothing). */
guint             cb_rest_error_answer (const CbRestVerb *verb,
                                        const GError     *error,
                                        JsonNode        **answer);

/* Holding a request until the engine answers it: the async call's callback is
 * cb_rest_answer_later() with the result of cb_rest_hold(); @finish turns the result
 * into the answer (%NULL: an empty body) or an error, which is mapped for @verb. */
typedef gboolean (*CbRestFinishFunc)   (GObject          *source,
                                        GAsyncResult     *result,
                                        JsonNode        **answer,
                                        GError          **error);
gpointer          cb_rest_hold         (const CbRestVerb *verb,
                                        CbRestFinishFunc  finish,
                                        CbRestReply       reply,
                                        gpointer          data);
void              cb_rest_answer_later (GObject          *source,
                                        GAsyncResult     *result,
                                        gpointer          held);

/* A string member of a request, or NULL when absent, null or not a string (members
 * outside a verb's table, like `options.*`, are not type-checked). */
const char       *cb_rest_get_string   (JsonObject       *object,
                                        const char       *name);

/* An integer member, or 0 when absent, null or not a number; a fraction is cut, a double
 * beyond gint64 saturates (casting it would be undefined). Callers check the range. */
gint64            cb_rest_get_int      (JsonObject       *object,
                                        const char       *name);

/* The answer of the find verbs: @items as a JSON array, each item made by @to_json, or
 * CB_ENGINE_ERROR_NOT_FOUND with @none when there is none. */
gboolean          cb_rest_answer_list  (GPtrArray        *items,
                                        JsonNode       *(*to_json) (gconstpointer item),
                                        const char       *none,
                                        JsonNode        **answer,
                                        GError          **error);

/* {"status": "ok", "version": PACKAGE_VERSION, "uptime": seconds} */
JsonNode         *cb_rest_health      (CbEngine         *engine);

G_END_DECLS
