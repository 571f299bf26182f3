/* cb-recording-row.h — one recording in the Recordings panel
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-recording.h"

G_BEGIN_DECLS

#define CB_TYPE_RECORDING_ROW (cb_recording_row_get_type ())
G_DECLARE_FINAL_TYPE (CbRecordingRow, cb_recording_row, CB, RECORDING_ROW, GtkListBoxRow)

/* The row's buttons activate the panel's "recordings.*" actions (play, publish,
 * open-folder, copy-link, delete) with the file name as target. */
GtkWidget   *cb_recording_row_new              (CbRecording    *recording);
CbRecording *cb_recording_row_get_recording    (CbRecordingRow *self);

/* For tests: the parts a user looks at and touches. */
GtkLabel    *cb_recording_row_get_title_label   (CbRecordingRow *self);
GtkLabel    *cb_recording_row_get_details_label (CbRecordingRow *self);
GtkLabel    *cb_recording_row_get_state_label   (CbRecordingRow *self);
GtkLabel    *cb_recording_row_get_note_label    (CbRecordingRow *self);
/* "picture" once the thumbnail is there, else "placeholder". */
GtkStack    *cb_recording_row_get_thumbnail_stack (CbRecordingRow *self);
GtkButton   *cb_recording_row_get_play_button    (CbRecordingRow *self);
GtkButton   *cb_recording_row_get_publish_button (CbRecordingRow *self);
GtkButton   *cb_recording_row_get_folder_button  (CbRecordingRow *self);
GtkButton   *cb_recording_row_get_link_button    (CbRecordingRow *self);
GtkButton   *cb_recording_row_get_delete_button  (CbRecordingRow *self);

/* For people: "Nov 21, 14:05", "0:12 · 1.3 MB", "Recording", "Recovered, 12 s". */
char        *cb_format_start_time              (gint64          start_time_ms);
const char  *cb_format_recording_state         (CbRecordingState state);

G_END_DECLS
