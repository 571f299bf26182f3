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
 *
 * Credentials count as configured when both are non-empty.
 */
typedef struct {
  const char *user;
  const char *password;
  gboolean    disabled;
} CbRestAuthConfig;

#define CB_REST_AUTH_REALM "Castbridge"

/* 127.0.0.0/8, ::1 and IPv4-mapped ::ffff:127.x.x.x. */
gboolean         cb_rest_auth_is_loopback   (GInetAddress           *address);
/* "127.0.0.1" or "::1" when @address (a connection's own end) is a loopback address, so
 * that WebRTC with that client stays on loopback; %NULL otherwise. */
const char      *cb_rest_auth_loopback_literal (GSocketAddress       *address);

/* Loopback callers need no credentials; others need HTTP Basic matching @config.
 * @remote may be %NULL (unknown: treated as remote). @authorization is the raw
 * Authorization header or %NULL. Secrets are compared in constant time and never
 * logged. */
CbRestAuthResult cb_rest_auth_check         (GSocketAddress         *remote,
                                             const char             *authorization,
                                             const CbRestAuthConfig *config);

/* Fills @config from the settings; the strings stay owned by @settings. */
void             cb_rest_auth_config_init   (CbRestAuthConfig       *config,
                                             CbSettings             *settings);

/* Constant-time for inputs of any length (both are hashed first). */
gboolean         cb_rest_auth_secure_equal  (const char             *a,
                                             gsize                   a_length,
                                             const char             *b,
                                             gsize                   b_length);

G_END_DECLS
