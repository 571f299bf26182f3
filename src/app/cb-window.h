/* cb-window.h — the studio window: preview, sources, Go Live, streams, destinations,
 * recordings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-destinations-panel.h"
#include "cb-events-panel.h"
#include "cb-live.h"
#include "cb-player-window.h"
#include "cb-publish-target.h"
#include "cb-recording-list.h"
#include "cb-recordings-panel.h"
#include "cb-relays-panel.h"
#include "cb-stream-list.h"
#include "cb-streams-panel.h"
#include "cb-studio.h"

G_BEGIN_DECLS

#define CB_TYPE_WINDOW (cb_window_get_type ())
G_DECLARE_FINAL_TYPE (CbWindow, cb_window, CB, WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). */
CbWindow        *cb_window_new                 (GtkApplication *application,
                                                CbStudio       *studio);
CbStudio        *cb_window_get_studio          (CbWindow       *self);
/* Picks a media file as the video source, as the file chooser does. FALSE for a file
 * that is not local, or while live. */
gboolean         cb_window_use_file            (CbWindow       *self,
                                                GFile          *file);

/* The window actions' keyboard shortcuts, for the application. */
void             cb_window_set_accels          (GtkApplication *application);
/* Asks first while live (TRUE: a question is shown and the answer quits); FALSE when
 * the application can quit now. */
gboolean         cb_window_request_quit        (CbWindow       *self);

/* For tests: the parts a user looks at. */
CbStreamList    *cb_window_get_streams_model   (CbWindow       *self);
CbDestinationList *cb_window_get_destinations_model (CbWindow    *self);
CbDestinationsPanel *cb_window_get_destinations_panel (CbWindow  *self);
CbStreamsPanel  *cb_window_get_streams_panel   (CbWindow       *self);
GtkPicture      *cb_window_get_preview_picture (CbWindow       *self);
GtkToggleButton *cb_window_get_live_button     (CbWindow       *self);
GtkEditable     *cb_window_get_name_entry      (CbWindow       *self);
CbPublishTarget *cb_window_get_publish_target  (CbWindow       *self);
/* What the preview says instead of a picture (no device, unreadable file), or NULL. */
const char      *cb_window_get_preview_problem (CbWindow       *self);
/* TRUE once the engine has confirmed the stream (Go Live finished). */
gboolean         cb_window_is_live             (CbWindow       *self);
/* TRUE while a publish or unpublish is on its way. */
gboolean         cb_window_is_busy             (CbWindow       *self);
/* The player window open for @stream_name (the Streams panel opens them), or NULL. */
CbPlayerWindow  *cb_window_get_player          (CbWindow       *self,
                                                const char     *stream_name);
CbRecordingList *cb_window_get_recordings_model (CbWindow      *self);
CbRecordingsPanel *cb_window_get_recordings_panel (CbWindow    *self);
/* TRUE when the sidebar is shown with its Recordings page. */
gboolean         cb_window_get_recordings_shown (CbWindow      *self);
/* Beside Go Live: records the live stream. */
GtkToggleButton *cb_window_get_record_button   (CbWindow       *self);
/* What the header bar's recording indicator says ("0:12 1.3 MB"), or NULL while hidden. */
char            *cb_window_dup_record_indicator (CbWindow      *self);

CbEventLog      *cb_window_get_event_log       (CbWindow       *self);
CbEventsPanel   *cb_window_get_events_panel    (CbWindow       *self);
CbRelayList     *cb_window_get_relay_list      (CbWindow       *self);
CbRelaysPanel   *cb_window_get_relays_panel    (CbWindow       *self);
/* Go Live's model, which the window's actions drive. */
CbLive          *cb_window_get_live            (CbWindow       *self);
/* The question shown before closing while live, or NULL. */
AdwMessageDialog *cb_window_get_quit_dialog    (CbWindow       *self);
/* What the header bar says while live ("0:12 2.5 Mbit/s · 0 dropped · CPU 14 %"), or NULL
 * while hidden. */
char            *cb_window_dup_live_stats      (CbWindow       *self);

G_END_DECLS
