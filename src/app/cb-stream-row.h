/* cb-stream-row.h — one row of the Streams panel: a stream's state, formatted for people
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cb-stream.h"

G_BEGIN_DECLS

#define CB_TYPE_STREAM_ROW (cb_stream_row_get_type ())
G_DECLARE_FINAL_TYPE (CbStreamRow, cb_stream_row, CB, STREAM_ROW, GObject)

CbStreamRow *cb_stream_row_new              (const CbStreamInfo *info);
void         cb_stream_row_update           (CbStreamRow        *self,
                                             const CbStreamInfo *info);
const char  *cb_stream_row_get_name         (CbStreamRow        *self);
const char  *cb_stream_row_get_status       (CbStreamRow        *self);
const char  *cb_stream_row_get_status_label (CbStreamRow        *self);
const char  *cb_stream_row_get_info         (CbStreamRow        *self);
const char  *cb_stream_row_get_video        (CbStreamRow        *self);
const char  *cb_stream_row_get_audio        (CbStreamRow        *self);
const char  *cb_stream_row_get_bitrate      (CbStreamRow        *self);
const char  *cb_stream_row_get_provider     (CbStreamRow        *self);
const char  *cb_stream_row_get_source       (CbStreamRow        *self);
const char  *cb_stream_row_get_kind         (CbStreamRow        *self);
gboolean     cb_stream_row_get_pulled       (CbStreamRow        *self);
/* TRUE for a publisher's stream, FALSE for a player's (which has the same name). */
gboolean     cb_stream_row_get_published    (CbStreamRow        *self);
/* What tells a stream from a player of it, or from a later stream of the same name. */
const char  *cb_stream_row_get_media_session_id (CbStreamRow    *self);
/* Recording: set by the window from the Recordings list (which knows a recorder waiting
 * for media, and the elapsed time and size); @progress is for people, NULL when off. */
gboolean     cb_stream_row_get_recording    (CbStreamRow        *self);
const char  *cb_stream_row_get_record_progress (CbStreamRow     *self);
void         cb_stream_row_set_recording    (CbStreamRow        *self,
                                             gboolean            recording,
                                             const char         *progress);

/* For people: "H264 1280×720 30 fps", "opus 48 kHz 2 ch", "2500 kbit/s". */
char        *cb_format_video                (const CbMediaInfo  *media);
char        *cb_format_audio                (const CbMediaInfo  *media);
char        *cb_format_bitrate              (int                 kbps);
char        *cb_format_kind                 (gboolean            published,
                                             const char         *media_provider);
const char  *cb_format_status               (CbStreamStatus      status);
/* Where a stream comes from, for people: "Scenes", "Test pattern", a file's name, "Pulled
 * from rtmp://…", "RTMP from 127.0.0.1:5000"; the engine's words otherwise. */
char        *cb_format_source               (const char         *source);
const char  *cb_stream_row_get_source_label (CbStreamRow        *self);

G_END_DECLS
