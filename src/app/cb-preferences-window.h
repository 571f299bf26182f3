/* cb-preferences-window.h — the settings file, for people
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-studio.h"

G_BEGIN_DECLS

#define CB_TYPE_PREFERENCES_WINDOW (cb_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CbPreferencesWindow, cb_preferences_window, CB, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWidget  *cb_preferences_window_new         (CbStudio            *studio,
                                               GtkWindow           *parent);
/* For tests: the editing widget of @key (GtkSpinButton, GtkEditable, GtkDropDown or
 * GtkSwitch) and what its row says under the title (the error, when there is one). */
GtkWidget  *cb_preferences_window_get_field   (CbPreferencesWindow *self,
                                               const char          *key);
const char *cb_preferences_window_get_message (CbPreferencesWindow *self,
                                               const char          *key);

G_END_DECLS
