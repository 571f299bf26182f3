/* cb-event-log.h — every event of every stream, destination, relay and recording, as REST
 * and the WebSocket clients see them, newest first; desktop notifications for the ones a
 * streamer must know about
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-engine.h"
#include "cb-recording-list.h"

G_BEGIN_DECLS

typedef enum {
  CB_EVENT_STREAM,
  CB_EVENT_DESTINATION,
  CB_EVENT_RELAY,
  CB_EVENT_RECORDING,
} CbEventSource;

#define CB_TYPE_EVENT (cb_event_get_type ())
G_DECLARE_FINAL_TYPE (CbEvent, cb_event, CB, EVENT, GObject)

gint64         cb_event_get_time        (CbEvent *self);   /* ms since the epoch */
CbEventSource  cb_event_get_source      (CbEvent *self);
/* What it is about: a stream's name, a destination's masked URL… */
const char    *cb_event_get_subject     (CbEvent *self);
/* The engine's word for it: "PUBLISHING", "Disconnected", "FAILED"… */
const char    *cb_event_get_kind        (CbEvent *self);
/* The reason, as the engine or the remote server gave it, or "". */
const char    *cb_event_get_reason      (CbEvent *self);
/* "12:03:04  Destination  rtmp://…/live/KEY-MASKED  Disconnected: Connection reset" */
char          *cb_event_dup_line        (CbEvent *self);
/* The events of @events (CbEvents, newest first) as text: oldest first, one a line. */
char          *cb_event_dup_lines       (GListModel *events);
/* For people: "Stream", "Destination", "Relay", "Recording". */
const char    *cb_event_source_label    (CbEventSource source);

#define CB_TYPE_EVENT_LOG (cb_event_log_get_type ())
G_DECLARE_FINAL_TYPE (CbEventLog, cb_event_log, CB, EVENT_LOG, GObject)

/* A GListModel of CbEvent, newest first. Follows the engine's streams and pushes, and
 * @recordings (nullable). @application (nullable) gets the notifications. */
CbEventLog    *cb_event_log_new         (CbEngine        *engine,
                                         CbRecordingList *recordings,
                                         GApplication    *application);
void           cb_event_log_set_application (CbEventLog  *self,
                                             GApplication *application);
/* Events the engine has no signal for (relays, which CbRelayList polls). */
void           cb_event_log_add         (CbEventLog      *self,
                                         CbEventSource    source,
                                         const char      *subject,
                                         const char      *kind,
                                         const char      *reason);
/* Every event, oldest first, one a line. */
char          *cb_event_log_dup_text    (CbEventLog      *self);
/* While the window is active (in front of its user), no notification is sent: the
 * panels show what happened. */
void           cb_event_log_set_in_view (CbEventLog      *self,
                                         gboolean         in_view);
/* The ids of the notifications sent so far ("destination-dropped", …; with no application
 * too, but not while in view), for tests. */
guint          cb_event_log_count_notifications (CbEventLog *self,
                                                 const char *id);

G_END_DECLS
