/* cb-server-settings.h — reading the server's settings with a fallback
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-settings.h"

G_BEGIN_DECLS

/* The value of @key, or @fallback when the key is neither set nor known to the settings
 * table (so the server keeps working while the table is being extended). */
const char *cb_server_settings_get_string (CbSettings *settings,
                                           const char *key,
                                           const char *fallback);
gint64      cb_server_settings_get_int    (CbSettings *settings,
                                           const char *key,
                                           gint64      fallback);
gboolean    cb_server_settings_get_bool   (CbSettings *settings,
                                           const char *key,
                                           gboolean    fallback);

/* The entries of a list setting, separated by commas or any white space; never %NULL. */
char      **cb_server_settings_split_list (const char *value);

G_END_DECLS
