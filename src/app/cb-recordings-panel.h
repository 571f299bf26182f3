/* cb-recordings-panel.h — the recordings in the records folder and those being written
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-recording-list.h"
#include "cb-recording-row.h"

G_BEGIN_DECLS

#define CB_TYPE_RECORDINGS_PANEL (cb_recordings_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbRecordingsPanel, cb_recordings_panel, CB, RECORDINGS_PANEL, AdwBin)

/* Signals: "play-requested" (a stream name: vod://FILE) when a row is activated or its
 * Play button pressed; "message" (text for people: a link copied, a folder that would not
 * open). Publishing and deleting go to the list, whose failures the owner reports. */
void               cb_recordings_panel_set_list (CbRecordingsPanel *self,
                                                 CbRecordingList   *list);
CbRecordingList   *cb_recordings_panel_get_list (CbRecordingsPanel *self);
/* Moves the keyboard focus to the first recording (or the panel). */
void               cb_recordings_panel_focus    (CbRecordingsPanel *self);

/* For tests. */
GtkListBox        *cb_recordings_panel_get_list_box (CbRecordingsPanel *self);
CbRecordingRow    *cb_recordings_panel_get_row      (CbRecordingsPanel *self,
                                                     const char        *file_name);
GtkLabel          *cb_recordings_panel_get_count_label (CbRecordingsPanel *self);
/* The confirmation a Delete press opened, while it is open. */
AdwMessageDialog  *cb_recordings_panel_get_delete_dialog (CbRecordingsPanel *self);

G_END_DECLS
