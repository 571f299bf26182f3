/* cb-streams-panel.h — the streams on this server, live
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CB_TYPE_STREAMS_PANEL (cb_streams_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbStreamsPanel, cb_streams_panel, CB, STREAMS_PANEL, AdwBin)

GListModel *cb_streams_panel_get_model (CbStreamsPanel *self);
/* A model of CbStreamRow, usually a CbStreamList. */
void        cb_streams_panel_set_model (CbStreamsPanel *self,
                                        GListModel     *model);
void        cb_streams_panel_set_server_info (CbStreamsPanel *self,
                                              const char     *server_info);

G_END_DECLS
