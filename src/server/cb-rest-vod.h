/* cb-rest-vod.h — the WCS /vod verbs: MP4 files played as streams
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rest.h"
#include "cb-vod.h"

G_BEGIN_DECLS

extern const CbRestField cb_rest_vod_startup_fields[];
extern const CbRestField cb_rest_vod_find_fields[];
extern const CbRestField cb_rest_vod_terminate_fields[];

void      cb_rest_vod_startup   (CbEngine *engine, JsonObject *request, CbRestReply reply, gpointer data);
gboolean  cb_rest_vod_find      (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_vod_find_all  (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);
gboolean  cb_rest_vod_terminate (CbEngine *engine, JsonObject *request, JsonNode **answer, GError **error);

/* {localMediaSessionId, localStreamName, uri, status: "PROCESSED_LOCAL", hasAudio,
 * hasVideo, loop, record: false} */
JsonNode *cb_rest_json_vod      (const CbVodInfo *info);

G_END_DECLS
