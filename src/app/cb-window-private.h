/* cb-window-private.h — what cb-window.c shares with cb-window-record.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-local-source.h"
#include "cb-preview-paintable.h"
#include "cb-recording-list.h"
#include "cb-recordings-panel.h"
#include "cb-window.h"

G_BEGIN_DECLS

typedef enum {
  LIVE_OFF,
  LIVE_STARTING,
  LIVE_ON,
  LIVE_STOPPING,
} LiveState;

struct _CbWindow
{
  AdwApplicationWindow parent_instance;

  CbStudio          *studio;
  CbEngine          *engine;
  CbStreamList      *streams;
  CbDestinationList *destinations;
  CbRecordingList   *recordings;
  GCancellable      *cancellable;

  /* Sources: labels in the string lists, specs at the same positions. The last video
   * item opens a file chooser (spec NULL). */
  GtkStringList     *video_labels;
  GPtrArray         *video_specs;
  GtkStringList     *audio_labels;
  GPtrArray         *audio_specs;
  guint              video_selected;   /* the last real choice, to go back to */
  gboolean           updating_sources;
  GtkFileChooserNative *file_chooser;

  CbLocalSource     *preview_source;
  CbPreviewPaintable *preview;

  /* Open players by stream name; each removes itself when it is destroyed. */
  GHashTable        *players;

  LiveState          live_state;
  char              *live_name;
  char              *live_spec;
  char              *live_session_id;  /* the live stream's mediaSessionId, once confirmed */
  gboolean           live_row_seen;

  /* Template. */
  GtkDropDown       *source_dropdown;
  GtkDropDown       *mic_dropdown;
  GtkEntry          *name_entry;
  GtkToggleButton   *live_button;
  GtkLabel          *live_label;
  GtkToggleButton   *record_button;
  GtkWidget         *window_title;
  GtkWidget         *rec_indicator;
  GtkLabel          *rec_time_label;
  GtkLabel          *rec_size_label;
  CbPublishTarget   *publish_target;
  AdwToastOverlay   *toast_overlay;
  GtkStack          *preview_stack;
  GtkPicture        *preview_picture;
  AdwStatusPage     *preview_status;
  GtkWidget         *live_badge;
  CbStreamsPanel    *streams_panel;
  GtkWidget         *sidebar;
  AdwViewStack      *sidebar_stack;
  AdwViewStackPage  *recordings_page;
  GtkToggleButton   *destinations_button;
  CbDestinationsPanel *destinations_panel;
  CbRecordingsPanel *recordings_panel;
};

/* cb-window.c */
void cb_window_show_toast   (CbWindow   *self,
                             const char *text);
/* Opens (or brings forward) the player window of @stream_name. */
void cb_window_play         (CbWindow   *self,
                             const char *stream_name);

/* cb-window-record.c: Record buttons, the REC indicator and the Recordings panel. */
void cb_window_record_setup (CbWindow   *self);
/* The live stream started or stopped: its Record button follows. */
void cb_window_record_sync  (CbWindow   *self);
void cb_window_record_class_init (GtkWidgetClass *widget_class);
void cb_window_record_dispose    (CbWindow   *self);

G_END_DECLS
