/* cb-window-private.h — what the window's files (cb-window*.c) share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-error-text.h"
#include "cb-event-log.h"
#include "cb-events-panel.h"
#include "cb-live.h"
#include "cb-local-source.h"
#include "cb-preview-paintable.h"
#include "cb-recording-list.h"
#include "cb-recordings-panel.h"
#include "cb-relay-list.h"
#include "cb-relays-panel.h"
#include "cb-shrinking-box.h"
#include "cb-window.h"

G_BEGIN_DECLS

struct _CbWindow
{
  AdwApplicationWindow parent_instance;

  CbStudio          *studio;
  CbEngine          *engine;
  CbStreamList      *streams;
  CbDestinationList *destinations;
  CbRecordingList   *recordings;
  CbLive            *live;
  CbEventLog        *events;
  CbRelayList       *relays;
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

  /* Closing while live asks first; once the answer is yes, the window closes (or the
   * application quits) without asking again. */
  AdwMessageDialog  *quit_dialog;
  gboolean           close_confirmed;
  gboolean           quit_after_close;
  gboolean           mic_muted;

  /* Template. */
  CbShrinkingBox    *header_start;
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
  GtkWidget         *live_stats;
  GtkLabel          *live_time_label;
  GtkLabel          *live_stats_label;
  CbPublishTarget   *publish_target;
  AdwToastOverlay   *toast_overlay;
  GtkStack          *preview_stack;
  GtkPicture        *preview_picture;
  AdwStatusPage     *preview_status;
  GtkWidget         *live_badge;
  GtkWidget         *paned;
  CbStreamsPanel    *streams_panel;
  GtkWidget         *sidebar;
  AdwViewStack      *sidebar_stack;
  AdwViewStackPage  *recordings_page;
  GtkToggleButton   *destinations_button;
  CbDestinationsPanel *destinations_panel;
  CbRecordingsPanel *recordings_panel;
  CbEventsPanel     *events_panel;
  CbRelaysPanel     *relays_panel;
};

/* cb-window.c */
void     cb_window_show_toast          (CbWindow       *self,
                                        const char     *text);

/* cb-window-sources.c: the source drop-downs and the preview. */
void     cb_window_sources_setup       (CbWindow       *self);
void     cb_window_sources_class_init  (GtkWidgetClass *widget_class);
void     cb_window_sources_dispose     (CbWindow       *self);
void     cb_window_sources_set_editable (CbWindow      *self,
                                         gboolean       editable);
/* The spec for the engine: video and audio joined, or a file alone. */
char    *cb_window_dup_publish_spec    (CbWindow       *self);
/* Whether the window's stream is the scenes (live) or would be (off). */
gboolean cb_window_uses_scenes         (CbWindow       *self);
/* A camera opens once; a pattern or a file any number of times. */
gboolean cb_window_spec_is_exclusive   (const char     *spec);
void     cb_window_restart_preview     (CbWindow       *self);
void     cb_window_stop_preview        (CbWindow       *self);

/* cb-window-streams.c: the Streams panel, Connect OBS, RTMP pulls, players. */
void     cb_window_streams_setup       (CbWindow       *self);
void     cb_window_streams_dispose     (CbWindow       *self);
/* Opens (or brings forward) the player window of @stream_name. */
void     cb_window_play                (CbWindow       *self,
                                        const char     *stream_name);

/* cb-window-live.c: Go Live, the header bar while live, the window's actions and
 * shortcuts, asking before closing while live. */
void     cb_window_live_setup          (CbWindow       *self);
void     cb_window_live_class_init     (GtkWidgetClass *widget_class);
void     cb_window_live_dispose        (CbWindow       *self);
/* The Video menu changed: the actions that depend on it follow. */
void     cb_window_live_sync_actions   (CbWindow       *self);

/* cb-window-record.c: Record buttons, the REC indicator and the Recordings panel. */
void     cb_window_record_setup        (CbWindow       *self);
/* The live stream started or stopped: its Record button follows. */
void     cb_window_record_sync         (CbWindow       *self);
void     cb_window_record_class_init   (GtkWidgetClass *widget_class);
void     cb_window_record_dispose      (CbWindow       *self);

G_END_DECLS
