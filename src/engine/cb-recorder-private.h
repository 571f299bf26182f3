/* cb-recorder-private.h — the engine's side of recording (cb-recorder.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/* Recordings being written are hidden files in the records folder, each with a key-file
 * sidecar (".info") saying whose it is, for the start-up that finds it after a crash. */
#define CB_RECORD_TEMP_PREFIX    ".castbridge-"
#define CB_RECORD_SIDECAR_SUFFIX ".info"
#define CB_RECORD_SIDECAR_GROUP  "recording"

typedef struct _CbRecordRegistry CbRecordRegistry;

struct _CbRecordRegistry
{
  CbEngine   *engine;        /* weak: the engine owns the registry */
  GMutex      lock;          /* guards files and each recorder's info: lists come from any thread */
  GHashTable *recorders;     /* mediaSessionId → Recorder*; changed on the engine context */
  GPtrArray  *done;          /* Recorder* stopped, still finishing; changed likewise */
  GPtrArray  *files;         /* CbRecordingInfo*: finished, recovered, failed */
  guint       changed_idle;
};

typedef struct _Recorder Recorder;

/* cb-recorder.c, for cb-records-folder.c */
void              cb_record_registry_changed     (CbRecordRegistry *reg);
void              cb_record_start_finish         (CbRecordRegistry *reg,
                                                  Recorder         *rec,
                                                  const char       *temp_path,
                                                  const char       *final_name,
                                                  const char       *stream_name,
                                                  gint64            start_ms,
                                                  gboolean          recovery);
char             *cb_record_expand_name          (const char       *template_,
                                                  const char       *stream_name,
                                                  const char       *media_session_id,
                                                  const char       *video_codec,
                                                  const char       *audio_codec,
                                                  gint64            start_ms,
                                                  gint64            end_ms,
                                                  guint             number,
                                                  const char       *extension);
/* cb-records-folder.c */
void              cb_record_retention_sweep      (CbRecordRegistry *reg);

CbRecordRegistry *cb_record_registry_new         (CbEngine         *engine);
void              cb_record_registry_free        (CbRecordRegistry *reg);

/* Hooks of cb-engine.c. */
void              cb_engine_record_auto_start    (CbEngine         *self,
                                                  CbStream         *stream);
void              cb_engine_record_stream_ending (CbEngine         *self,
                                                  CbStream         *stream);
void              cb_engine_record_shutdown      (CbEngine         *self);
gboolean          cb_engine_record_idle          (CbEngine         *self);

G_END_DECLS
