/* cb-sidebar-switcher.h — the sidebar's page buttons
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CB_TYPE_SIDEBAR_SWITCHER (cb_sidebar_switcher_get_type ())
G_DECLARE_FINAL_TYPE (CbSidebarSwitcher, cb_sidebar_switcher, CB, SIDEBAR_SWITCHER, GtkBox)

GtkWidget *cb_sidebar_switcher_new (void);

G_END_DECLS
