/* cb-ws-media.h — the stream messages of the WCS WebSocket protocol
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include "cb-engine.h"
#include "cb-ws-session.h"

G_BEGIN_DECLS

/* The `info` of a publishStream / playStream refused because no `connection` came first. */
#define CB_WS_INFO_NOT_CONNECTED "Connection not established"
/* … refused because the session's page may not publish (or play): WCS's text. */
#define CB_WS_INFO_RESTRICTED    "Restricted access"
/* Bounds of sendStreamEvent: characters of `type`, bytes of `payload` as JSON. */
#define CB_WS_MAX_EVENT_TYPE     64
#define CB_WS_MAX_EVENT_PAYLOAD  (16 * 1024)

#define CB_TYPE_WS_MEDIA (cb_ws_media_get_type ())
G_DECLARE_FINAL_TYPE (CbWsMedia, cb_ws_media, CB, WS_MEDIA, GObject)

/* One per session; @session is not referenced (it owns this object). */
CbWsMedia *cb_ws_media_new             (CbEngine    *engine,
                                        CbWsSession *session,
                                        const char  *remote);
/* Returns FALSE when @message is not a stream message. @arg may be NULL. */
gboolean   cb_ws_media_handle          (CbWsMedia   *self,
                                        const char  *message,
                                        JsonObject  *arg);
void       cb_ws_media_session_closed  (CbWsMedia   *self);
/* notifyStreamEvent to every player of @stream_name, on every session. */
void       cb_ws_media_broadcast_event (CbEngine    *engine,
                                        const char  *stream_name,
                                        const char  *from_media_session_id,
                                        const char  *type,
                                        JsonNode    *payload);

G_END_DECLS
