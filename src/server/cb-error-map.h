/* cb-error-map.h — the one table from GError (domain, code) to HTTP status and WCS `info`
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The HTTP status for @error: 400, 401, 403, 404, 409 or 500 (anything unknown, and
 * %NULL). */
guint       cb_error_map_http_status (const GError *error);

/* The WCS `info` text for @error ("Stream not found", "File not found", …) or %NULL
 * when WCS defines none for it. Static strings. */
const char *cb_error_map_wcs_info    (const GError *error);

/* What a stream status event or a REST error body says: the WCS text when there is
 * one, else the error's own message. Never %NULL. */
const char *cb_error_map_info        (const GError *error);

/* Both at once; either out argument may be %NULL. */
void        cb_error_map_lookup      (const GError *error,
                                      guint        *http_status,
                                      const char  **wcs_info);

G_END_DECLS
