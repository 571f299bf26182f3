/* cb-rest-hook.h — RTMP push events POSTed as JSON to the URLs of rest_hook_url
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "cb-engine.h"

G_BEGIN_DECLS

typedef struct _CbRestHook CbRestHook;

/* Watches @engine's push agents from the calling thread's default context (the engine's);
 * each event goes to every URL of rest_hook_url as it is read at that moment. */
CbRestHook *cb_rest_hook_new  (CbEngine   *engine);
void        cb_rest_hook_free (CbRestHook *hook);

/* The JSON one event is sent as: {source, type, reason, time, mediaSessionId,
 * streamName, rtmpUrl (masked), sequence}. */
JsonNode   *cb_rest_hook_event_json (const CbPushInfo  *info,
                                     const CbPushEvent *event,
                                     guint64            sequence);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRestHook, cb_rest_hook_free)

G_END_DECLS
