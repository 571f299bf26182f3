/* cb-egress-error.h — the error domain of the viewers' egress
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_EGRESS_ERROR (cb_egress_error_quark ())

typedef enum {
  CB_EGRESS_ERROR_FAILED,        /* a library call failed (OpenSSL, libsrtp2) */
  CB_EGRESS_ERROR_MALFORMED,     /* a packet from the network is not what it says */
  CB_EGRESS_ERROR_UNSUPPORTED,   /* a valid packet or profile this path does not serve */
  CB_EGRESS_ERROR_HANDSHAKE,     /* the DTLS handshake failed */
} CbEgressError;

GQuark cb_egress_error_quark (void);

G_END_DECLS
