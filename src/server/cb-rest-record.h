/* cb-rest-record.h — the WCS recording verbs and Castbridge's recordings list
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rest.h"

G_BEGIN_DECLS

extern const CbRestField cb_rest_record_id_fields[];
extern const CbRestField cb_rest_recorder_startup_fields[];
extern const CbRestField cb_rest_recordings_file_fields[];

gboolean  cb_rest_record_start        (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_record_stop         (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_recorder_startup    (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_recorder_find_all   (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_recordings_find_all (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_recordings_delete   (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);

JsonNode *cb_rest_json_recording      (const CbRecordingInfo *info);

G_END_DECLS
