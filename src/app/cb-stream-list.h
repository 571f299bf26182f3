/* cb-stream-list.h — a GListModel of CbStreamRow mirroring the engine's stream registry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-engine.h"
#include "cb-stream-row.h"

G_BEGIN_DECLS

#define CB_TYPE_STREAM_LIST (cb_stream_list_get_type ())
G_DECLARE_FINAL_TYPE (CbStreamList, cb_stream_list, CB, STREAM_LIST, GObject)

/* Must be created on the thread whose thread-default context is the UI's; the list
 * follows the engine's signals and a once-a-second poll there. */
CbStreamList *cb_stream_list_new     (CbEngine     *engine);
CbEngine     *cb_stream_list_get_engine (CbStreamList *self);
/* The row of a live stream by name (the publisher's when players of it are listed too),
 * or NULL. Borrowed. */
CbStreamRow  *cb_stream_list_lookup  (CbStreamList *self,
                                      const char   *name);

G_END_DECLS
