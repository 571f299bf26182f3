/* cb-server.h — the embedded server's network front: REST, WebSocket signaling, health
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "cb-engine.h"
#include "cb-rest-auth.h"

G_BEGIN_DECLS

#define CB_SERVER_ERROR (cb_server_error_quark ())

typedef enum {
  CB_SERVER_ERROR_BAD_REQUEST,     /* malformed JSON, wrong type, missing field: 400 */
  CB_SERVER_ERROR_TOO_LARGE,       /* body over the limit: 400 */
  CB_SERVER_ERROR_UNAUTHORIZED,    /* 401 */
  CB_SERVER_ERROR_FORBIDDEN,       /* 403 */
  CB_SERVER_ERROR_NOT_FOUND,       /* no such REST path: 404 */
  CB_SERVER_ERROR_LISTEN,          /* a port could not be bound */
} CbServerError;

GQuark cb_server_error_quark (void);

#define CB_TYPE_SERVER (cb_server_get_type ())
G_DECLARE_FINAL_TYPE (CbServer, cb_server, CB, SERVER, GObject)

/* Reads `http.port`, `ws.port`, `rtmp.port`, `bind_address`, `rest_auth_user`,
 * `rest_auth_password` from the engine's settings. Must be created and used on the engine's context.
 * (Also read, per request or session: `disable_rest_auth`, `rest_allowed_origins`,
 * `rest_allowed_hosts`, `ws_play_any_origin`, `keep_alive.server_interval`,
 * `keep_alive.probes`.) */
CbServer *cb_server_new            (CbEngine  *engine);
gboolean  cb_server_start          (CbServer  *self,
                                    GError   **error);
void      cb_server_stop           (CbServer  *self);
/* The ports actually bound (after cb_server_start; useful when the setting was 0). */
guint     cb_server_get_http_port  (CbServer  *self);
guint     cb_server_get_ws_port    (CbServer  *self);
/* 0 unless tls_certificate_file / tls_key_file are set. */
guint     cb_server_get_https_port (CbServer  *self);
guint     cb_server_get_wss_port   (CbServer  *self);
/* 0 when RTMP does not listen: a busy rtmp.port is no reason for cb_server_start() to fail. */
guint     cb_server_get_rtmp_port  (CbServer  *self);
/* The open WebSocket signaling sessions. */
guint     cb_server_get_n_sessions (CbServer  *self);

/* Who may do what: every HTTP and WebSocket handler asks these, so that REST, WHIP/WHEP
 * and signaling share one decision (cb_rest_auth_check). */
/* Fills @config from the settings, the bound ports and this machine's names; valid
 * until the settings change or the server stops. */
void      cb_server_get_auth_config (CbServer               *self,
                                     CbRestAuthConfig       *config);
/* What @msg says about where it comes from (address, Host, Origin, Referer,
 * Authorization); the strings stay owned by @msg. */
void      cb_server_request_init    (CbRestRequest          *request,
                                     SoupServerMessage      *msg);
/* CORS for @msg: `Vary: Origin`, and only for the server's own pages and
 * `rest_allowed_origins` the echoed `Access-Control-Allow-Origin` with @methods,
 * @headers and @expose (may be %NULL). Other pages are not told they may read. */
void      cb_server_add_cors        (CbServer               *self,
                                     SoupServerMessage      *msg,
                                     const char             *methods,
                                     const char             *headers,
                                     const char             *expose);

G_END_DECLS
