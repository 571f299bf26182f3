/* cb-recorder-private.h — the engine's side of recording (cb-recorder.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

typedef struct _CbRecordRegistry CbRecordRegistry;

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
