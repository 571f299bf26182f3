/* cb-rest-json.h — the JSON that REST answers (and later signaling) carry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "cb-stream.h"

G_BEGIN_DECLS

/* Adds the WCS stream object for @info (as the value of the current member or array
 * element): mediaSessionId, name, published, hasVideo, hasAudio, status, info,
 * videoCodec, audioCodec, width, height, fps, bitrate, createDate, mediaProvider,
 * and Castbridge's source, audioRate, audioChannels, consumers. The source is shown as
 * the engine set it: any URL in it is redacted there (cb_stream_set_source()). */
void      cb_rest_json_add_stream   (JsonBuilder        *builder,
                                     const CbStreamInfo *info);
JsonNode *cb_rest_json_stream       (const CbStreamInfo *info);
/* An array of stream objects from a GPtrArray of CbStream. */
JsonNode *cb_rest_json_stream_array (GPtrArray          *streams);

/* {"error": message, "status": status} plus "info" when @info is not %NULL. */
JsonNode *cb_rest_json_error        (guint               status,
                                     const char         *message,
                                     const char         *info);

/* Compact JSON text for @node. */
char     *cb_rest_json_to_string    (JsonNode           *node,
                                     gsize              *length);

G_END_DECLS
