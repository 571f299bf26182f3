/* cb-redact.h — URLs fit to show: no secret in them, not even part of one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every secret becomes, whole. */
#define CB_REDACTED "***"

/**
 * CbRedactFlags:
 * @CB_REDACT_DEFAULT: user info, query values and the fragment are secrets
 * @CB_REDACT_KEY_IN_PATH: the last path element (of two or more) is a secret too: the
 *   stream key of an RTMP URL in full-URL mode, or of a stream pulled over RTMP
 */
typedef enum {
  CB_REDACT_DEFAULT     = 0,
  CB_REDACT_KEY_IN_PATH = 1 << 0,
} CbRedactFlags;

char *cb_redact_url (const char    *url,
                     CbRedactFlags  flags);

gboolean cb_secret_equal (const char *a,
                          gsize       a_length,
                          const char *b,
                          gsize       b_length);

G_END_DECLS
