/* cb-ws-session.h — one WebSocket signaling session (WCS protocol)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "cb-engine.h"

G_BEGIN_DECLS

#define CB_TYPE_WS_SESSION (cb_ws_session_get_type ())
G_DECLARE_FINAL_TYPE (CbWsSession, cb_ws_session, CB, WS_SESSION, GObject)

/* Takes over @connection. Pings every @ping_interval_ms (0: never) on @context and
 * closes after @probes pings without a pong. Emits "closed" once the socket is gone. */
CbWsSession *cb_ws_session_new            (CbEngine                *engine,
                                           SoupWebsocketConnection *connection,
                                           GMainContext            *context,
                                           const char              *auth_token,
                                           guint                    ping_interval_ms,
                                           guint                    probes);
const char  *cb_ws_session_get_auth_token (CbWsSession             *self);
gboolean     cb_ws_session_is_established (CbWsSession             *self);
/* "127.0.0.1" or "::1" when the client reached us over loopback (then WebRTC with it
 * stays there), %NULL otherwise; set by the server as it accepts the connection. */
const char  *cb_ws_session_get_loopback_address (CbWsSession        *self);
void         cb_ws_session_set_loopback_address (CbWsSession        *self,
                                                 const char         *address);
/* The address the client reached us on (an interned string; see CbWebrtcRequest). */
const char  *cb_ws_session_get_local_address    (CbWsSession        *self);
void         cb_ws_session_set_local_address    (CbWsSession        *self,
                                                 const char         *address);
/* What the client may do, decided by the server from the handshake (Origin, Host,
 * Authorization): both TRUE unless set. */
void         cb_ws_session_set_permissions (CbWsSession            *self,
                                            gboolean                may_publish,
                                            gboolean                may_play);
gboolean     cb_ws_session_may_publish    (CbWsSession             *self);
gboolean     cb_ws_session_may_play       (CbWsSession             *self);
/* Sends {"message": @message, "data": @data} when the socket is open; @data (an
 * array, or %NULL for []) is consumed. */
void         cb_ws_session_send           (CbWsSession             *self,
                                           const char              *message,
                                           JsonNode                *data);
void         cb_ws_session_close          (CbWsSession             *self,
                                           gushort                  code,
                                           const char              *reason);

/* "/<clientIP>:<clientPort>/<serverIP>:<serverPort>" as WCS forms it; %NULL when
 * either address is not an internet address. */
char        *cb_ws_session_make_auth_token (GSocketAddress         *remote,
                                            GSocketAddress         *local);

/* Handles one text frame; exposed for tests. Malformed input is ignored. */
void         cb_ws_session_handle_text    (CbWsSession             *self,
                                           const char              *data,
                                           gsize                    length);

G_END_DECLS
