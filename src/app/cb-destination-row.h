/* cb-destination-row.h — one destination in the Destinations panel
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-bitrate-graph.h"
#include "cb-destination-list.h"

G_BEGIN_DECLS

#define CB_TYPE_DESTINATION_ROW (cb_destination_row_get_type ())
G_DECLARE_FINAL_TYPE (CbDestinationRow, cb_destination_row, CB, DESTINATION_ROW, GtkListBoxRow)

GtkWidget      *cb_destination_row_new             (CbDestinationList *list,
                                                    CbDestination     *destination);
CbDestination  *cb_destination_row_get_destination (CbDestinationRow  *self);

/* For tests: the parts a user looks at and touches. */
GtkSwitch      *cb_destination_row_get_switch      (CbDestinationRow  *self);
GtkLabel       *cb_destination_row_get_state_label (CbDestinationRow  *self);
GtkLabel       *cb_destination_row_get_url_label   (CbDestinationRow  *self);
GtkLabel       *cb_destination_row_get_note_label  (CbDestinationRow  *self);
CbBitrateGraph *cb_destination_row_get_graph       (CbDestinationRow  *self);
GtkToggleButton *cb_destination_row_get_mute_button (CbDestinationRow *self);
GtkMenuButton  *cb_destination_row_get_settings_button (CbDestinationRow *self);
/* Shown while the secret store is locked. */
GtkButton      *cb_destination_row_get_unlock_button (CbDestinationRow *self);
GtkButton      *cb_destination_row_get_retry_button (CbDestinationRow *self);
GtkLabel       *cb_destination_row_get_countdown_label (CbDestinationRow *self);
GtkLabel       *cb_destination_row_get_reconnects_label (CbDestinationRow *self);
/* The settings popover's: */
GtkSwitch      *cb_destination_row_get_transcode_switch (CbDestinationRow *self);
GtkDropDown    *cb_destination_row_get_height_dropdown (CbDestinationRow *self);
GtkButton      *cb_destination_row_get_save_button (CbDestinationRow *self);

G_END_DECLS
