/* cb-path.h — file names from the network, confined to one folder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_PATH_MAX_COMPONENT 255
#define CB_PATH_MAX_NAME      4096

char *cb_path_confine     (const char  *root,
                           const char  *name,
                           GError     **error);
char *cb_path_confine_len (const char  *root,
                           const char  *name,
                           gssize       length,
                           GError     **error);

G_END_DECLS
