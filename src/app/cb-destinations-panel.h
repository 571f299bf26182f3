/* cb-destinations-panel.h — where the studio pushes its streams: add, switch, watch
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-destination-list.h"
#include "cb-destination-row.h"

G_BEGIN_DECLS

#define CB_TYPE_DESTINATIONS_PANEL (cb_destinations_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbDestinationsPanel, cb_destinations_panel, CB, DESTINATIONS_PANEL, AdwBin)

CbDestinationList *cb_destinations_panel_get_list  (CbDestinationsPanel *self);
void               cb_destinations_panel_set_list  (CbDestinationsPanel *self,
                                                    CbDestinationList   *list);
/* The stream a new destination pushes unless told otherwise: the studio's own. */
void               cb_destinations_panel_set_default_stream (CbDestinationsPanel *self,
                                                             const char          *name);

/* For tests: the add form's widgets, and the row of a destination. */
GtkToggleButton   *cb_destinations_panel_get_add_toggle      (CbDestinationsPanel *self);
GtkDropDown       *cb_destinations_panel_get_preset_dropdown (CbDestinationsPanel *self);
GtkDropDown       *cb_destinations_panel_get_server_dropdown (CbDestinationsPanel *self);
GtkEditable       *cb_destinations_panel_get_url_entry       (CbDestinationsPanel *self);
GtkEditable       *cb_destinations_panel_get_key_entry       (CbDestinationsPanel *self);
GtkEditable       *cb_destinations_panel_get_stream_entry    (CbDestinationsPanel *self);
GtkButton         *cb_destinations_panel_get_add_button      (CbDestinationsPanel *self);
CbDestinationRow  *cb_destinations_panel_get_row             (CbDestinationsPanel *self,
                                                              CbDestination       *destination);

G_END_DECLS
