/* cb-rest-pull.h — the WCS pull verbs for WebRTC relays (/pull/push, /pull/pull,
 * /pull/find_all, /pull/terminate)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rest.h"

G_BEGIN_DECLS

extern const CbRestField cb_rest_pull_push_fields[];
extern const CbRestField cb_rest_pull_pull_fields[];
extern const CbRestField cb_rest_pull_terminate_fields[];

gboolean cb_rest_pull_push      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean cb_rest_pull_pull      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean cb_rest_pull_find_all  (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean cb_rest_pull_terminate (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);

G_END_DECLS
