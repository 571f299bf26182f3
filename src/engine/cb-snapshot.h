/* cb-snapshot.h — a PNG of a stream's current picture
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/* Decodes the stream's cached keyframe (or the next one) into a PNG. Errors:
 * _NOT_FOUND (no such stream), _FAILED (no video, or nothing decoded within 5 s). */
void    cb_engine_snapshot_async  (CbEngine            *self,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
GBytes *cb_engine_snapshot_finish (CbEngine            *self,
                                   GAsyncResult        *result,
                                   GError             **error);

G_END_DECLS
