/* cb-recording-list.h — a GListModel of CbRecording mirroring the engine's recordings,
 * newest first, with the operations the studio offers on them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-recording.h"
#include "cb-studio.h"

G_BEGIN_DECLS

#define CB_TYPE_RECORDING_LIST (cb_recording_list_get_type ())
G_DECLARE_FINAL_TYPE (CbRecordingList, cb_recording_list, CB, RECORDING_LIST, GObject)

/* On the UI thread. Follows the engine's "recordings-changed" (once a second while one
 * runs) and reads each finished file once on a worker for its thumbnail.
 * Signals:
 *   "updated" ()                 after each listing and each operation's answer
 *   "operation-failed" (message) an operation failed; @message is for people
 *   "published" (stream name)    a recording is published as a stream */
CbRecordingList *cb_recording_list_new          (CbStudio        *studio);
CbStudio        *cb_recording_list_get_studio   (CbRecordingList *self);
/* The records folder (fixed for the engine's life). */
const char      *cb_recording_list_get_records_dir (CbRecordingList *self);

/* Borrowed, or NULL. */
CbRecording     *cb_recording_list_lookup       (CbRecordingList *self,
                                                 const char      *file_name);
/* The recording a recorder is writing for @media_session_id (waiting or recording). */
CbRecording     *cb_recording_list_lookup_running (CbRecordingList *self,
                                                   const char      *media_session_id);
/* (element-type CbRecording) (transfer container): what recorders are writing now. */
GPtrArray       *cb_recording_list_dup_running  (CbRecordingList *self);
/* TRUE while a start or stop asked for @media_session_id has not been answered. */
gboolean         cb_recording_list_is_pending   (CbRecordingList *self,
                                                 const char      *media_session_id);
/* TRUE once the first listing is in, and while no thumbnail is being made. */
gboolean         cb_recording_list_is_idle      (CbRecordingList *self);

/* Where the server serves the file: http://127.0.0.1:PORT/client/records/NAME, or NULL
 * when the server is not running. */
char            *cb_recording_list_dup_download_url (CbRecordingList *self,
                                                     CbRecording     *recording);

/* Operations on the engine's thread (publishing: on the server); failures come back as
 * "operation-failed". */
void             cb_recording_list_start        (CbRecordingList *self,
                                                 const char      *media_session_id);
void             cb_recording_list_stop         (CbRecordingList *self,
                                                 const char      *media_session_id);
void             cb_recording_list_delete       (CbRecordingList *self,
                                                 CbRecording     *recording);
/* Publishes the file as a stream for many viewers (vod-live://) named after the file. */
void             cb_recording_list_publish      (CbRecordingList *self,
                                                 CbRecording     *recording);
/* The name cb_recording_list_publish() gives the stream: the file's, without extension. */
char            *cb_recording_dup_publish_name  (CbRecording     *recording);

G_END_DECLS
