/* cb-rest-auth.h — who may use the REST API: the decision, as a pure function
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-settings.h"

G_BEGIN_DECLS

typedef enum {
  CB_REST_AUTH_ALLOW,
  CB_REST_AUTH_UNAUTHORIZED,   /* 401 + WWW-Authenticate: credentials missing or wrong */
  CB_REST_AUTH_FORBIDDEN,      /* 403: remote control is off (no credentials configured) */
} CbRestAuthResult;

/**
 * CbRestAuthConfig:
 * @user: `rest_auth_user`, or %NULL
 * @password: `rest_auth_password`, or %NULL
 * @disabled: `disable_rest_auth` (the WCS key): everyone may call
 * @allowed_origins: `rest_allowed_origins`: web origins (`scheme://host[:port]`, separated
 *   by commas or spaces) whose pages are trusted like the server's own, or %NULL
 * @allowed_hosts: `rest_allowed_hosts`: extra names (or `name:port`) that a loopback
 *   request's `Host` may carry, or %NULL
 * @http_port: the port the server's pages are served on over HTTP (0: none)
 * @https_port: the same over HTTPS (0: none)
 * @machine_names: names and addresses of this machine besides loopback (its host name,
 *   its interfaces' addresses), %NULL-terminated, or %NULL
 *
 * Credentials count as configured when both are non-empty.
 */
typedef struct {
  const char         *user;
  const char         *password;
  gboolean            disabled;
  const char         *allowed_origins;
  const char         *allowed_hosts;
  guint               http_port;
  guint               https_port;
  const char * const *machine_names;
} CbRestAuthConfig;

/**
 * CbRestRequest:
 * @remote: the peer's address, or %NULL (unknown: treated as remote)
 * @host: the `Host` header, or %NULL
 * @origin: the `Origin` header, or %NULL
 * @referer: the `Referer` header (read only when there is no @origin), or %NULL
 * @authorization: the raw `Authorization` header, or %NULL
 *
 * What a request says about where it comes from.
 */
typedef struct {
  GSocketAddress *remote;
  const char     *host;
  const char     *origin;
  const char     *referer;
  const char     *authorization;
} CbRestRequest;

/* Where a request comes from, as far as trust goes. */
typedef enum {
  CB_REST_SOURCE_LOCAL,          /* loopback, no page of another site, Host names us */
  CB_REST_SOURCE_REMOTE,         /* another machine */
  CB_REST_SOURCE_FOREIGN_PAGE,   /* a web page of another site (Origin, or Referer) */
  CB_REST_SOURCE_FOREIGN_HOST,   /* loopback, but Host names another site: DNS rebinding */
} CbRestSource;

#define CB_REST_AUTH_REALM "Castbridge"

/* 127.0.0.0/8, ::1 and IPv4-mapped ::ffff:127.x.x.x. */
gboolean         cb_rest_auth_is_loopback   (GInetAddress           *address);
/* "127.0.0.1" or "::1" when @address (a connection's own end) is a loopback address, so
 * that WebRTC with that client stays on loopback; %NULL otherwise. */
const char      *cb_rest_auth_loopback_literal (GSocketAddress       *address);
const char      *cb_rest_auth_local_literal    (GSocketAddress       *address);

/* Where @request comes from. A page of another site (an Origin, or without one a Referer,
 * that is neither the server's own pages nor listed in @config->allowed_origins; "null"
 * is another site) counts as foreign whatever the address; then a peer that is not on
 * loopback is remote; then a loopback request whose Host names neither loopback,
 * `localhost`, this machine nor an allowed host is a foreign host. */
CbRestSource     cb_rest_auth_classify      (const CbRestRequest    *request,
                                             const CbRestAuthConfig *config);

/* The one decision: local requests need no credentials; all others need HTTP Basic
 * matching @config (or `disable_rest_auth`). Secrets are compared in constant time and
 * never logged. @out_source (may be %NULL) tells why, for the message. */
CbRestAuthResult cb_rest_auth_check         (const CbRestRequest    *request,
                                             const CbRestAuthConfig *config,
                                             CbRestSource           *out_source);

/* The text of a 403 for a request from @source. */
const char      *cb_rest_auth_forbidden_message (CbRestSource         source);

/* TRUE when @origin (an Origin header) may read answers (CORS): the server's own pages or
 * an origin of @config->allowed_origins. @host is the request's Host, or %NULL. */
gboolean         cb_rest_auth_origin_allowed (const char            *origin,
                                              const char            *host,
                                              const CbRestAuthConfig *config);

/* Fills the credentials and the lists of @config from the settings (the strings stay
 * owned by @settings); the ports and machine names are left as they were. */
void             cb_rest_auth_config_init   (CbRestAuthConfig       *config,
                                             CbSettings             *settings);


G_END_DECLS
