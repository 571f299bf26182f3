/* cb-engine-private.h — the engine's parts shared by its own files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/**
 * CbEngineAddFlags:
 * @CB_ENGINE_ADD_UNNAMED: registered by mediaSessionId only: nobody finds it by name (a
 *   personal VOD serves the one viewer it was made for)
 * @CB_ENGINE_ADD_VOD: a VOD reader's stream: its name may be a VOD URI (checked by the
 *   reader), and it is not pushed by rtmp_push_auto_start
 * @CB_ENGINE_ADD_URI_NAME: named after the rtmp:// URI it pulls (WCS's default for
 *   /pull/rtmp/pull), which the URL parser checked
 */
typedef enum {
  CB_ENGINE_ADD_UNNAMED  = 1 << 0,
  CB_ENGINE_ADD_VOD      = 1 << 1,
  CB_ENGINE_ADD_URI_NAME = 1 << 2,
} CbEngineAddFlags;

gboolean    cb_engine_add_stream_full  (CbEngine         *self,
                                        CbStream         *stream,
                                        CbEngineAddFlags  flags,
                                        CbStopFunc        stop,
                                        gpointer          stop_data,
                                        GDestroyNotify    stop_destroy,
                                        GError          **error);

GHashTable *cb_engine_get_push_table   (CbEngine    *self);
/* Stopped agents, kept rtmp_push_keep_stopped_seconds for the find verbs. */
GHashTable *cb_engine_get_stopped_push_table (CbEngine *self);
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
