/* cb-rest-pull-rtmp.h — the WCS /pull/rtmp verbs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rest.h"
#include "cb-rtmp-pull.h"

G_BEGIN_DECLS

extern const CbRestField cb_rest_pull_rtmp_pull_fields[];
extern const CbRestField cb_rest_pull_rtmp_terminate_fields[];

gboolean  cb_rest_pull_rtmp_pull      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_pull_rtmp_find_all  (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_pull_rtmp_terminate (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);

JsonNode *cb_rest_json_pull_rtmp      (const CbRtmpPullInfo *info);

G_END_DECLS
