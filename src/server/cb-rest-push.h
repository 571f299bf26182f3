/* cb-rest-push.h — the WCS push verbs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rest.h"

G_BEGIN_DECLS

extern const CbRestField cb_rest_push_startup_fields[];
extern const CbRestField cb_rest_push_find_fields[];
extern const CbRestField cb_rest_push_id_fields[];
extern const CbRestField cb_rest_push_sound_on_fields[];

void      cb_rest_push_startup   (CbEngine *engine, JsonObject *request, CbRestReply reply, gpointer data);
gboolean  cb_rest_push_find      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_find_all  (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_terminate (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_mute      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_unmute    (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_sound_on  (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_sound_off (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_push_retry     (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);

JsonNode *cb_rest_json_push      (const CbPushInfo *info);

G_END_DECLS
