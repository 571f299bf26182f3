/* cb-engine-private.h — the engine's parts shared by its own files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

GHashTable *cb_engine_get_push_table   (CbEngine    *self);
/* @what: 1 added, -1 removed, 0 changed */
void        cb_engine_emit_push        (CbEngine    *self,
                                        CbPushAgent *agent,
                                        int          what);
void        cb_engine_stop_all_pushes  (CbEngine    *self);
void        cb_engine_push_auto_start  (CbEngine    *self,
                                        CbStream    *stream);

/* cb-recorder.c */
struct _CbRecordRegistry *cb_engine_get_record_registry     (CbEngine *self);
void                      cb_engine_emit_recordings_changed (CbEngine *self);

/* cb-webrtc-endpoint.c: a CbWebrtcMediaFunc; @stream (a CbStream) gets the media. */
void        cb_stream_push_webrtc_media (int        kind,
                                         GstCaps   *caps,
                                         GstBuffer *buffer,
                                         gpointer   stream);

G_END_DECLS
