/* cb-events-panel.h — the event log: every event with its time, source, kind and reason;
 * filter, search, copy as text
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cb-event-log.h"

G_BEGIN_DECLS

#define CB_TYPE_EVENTS_PANEL (cb_events_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbEventsPanel, cb_events_panel, CB, EVENTS_PANEL, GtkBox)

void            cb_events_panel_set_log        (CbEventsPanel *self,
                                                CbEventLog    *log);
/* For tests. */
GtkEditable    *cb_events_panel_get_search     (CbEventsPanel *self);
GtkDropDown    *cb_events_panel_get_filter     (CbEventsPanel *self);
GtkButton      *cb_events_panel_get_copy_button (CbEventsPanel *self);
/* The events shown (after the filter and the search), newest first. */
GListModel     *cb_events_panel_get_shown      (CbEventsPanel *self);
/* What the rows show, oldest first, one a line: what Copy puts on the clipboard. */
char           *cb_events_panel_dup_shown_text (CbEventsPanel *self);

G_END_DECLS
