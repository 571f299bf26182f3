/* cb-streams-panel.h — the streams on this server, live
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CB_TYPE_STREAMS_PANEL (cb_streams_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbStreamsPanel, cb_streams_panel, CB, STREAMS_PANEL, AdwBin)

GListModel *cb_streams_panel_get_model (CbStreamsPanel *self);
/* Signals: "pull-requested" (uri, name or NULL), "remove-pull-requested" (name),
 * "play-requested" (name: a published stream's row was activated) and "record-requested"
 * (mediaSessionId, TRUE to start or FALSE to stop: a publisher's Record button); the owner
 * does the work and reports errors. */
/* A model of CbStreamRow, usually a CbStreamList. */
void        cb_streams_panel_set_model (CbStreamsPanel *self,
                                        GListModel     *model);
void        cb_streams_panel_set_server_info (CbStreamsPanel *self,
                                              const char     *server_info);
/* What the Connect OBS popover shows: rtmp://host:port/live, or NULL when RTMP ingest is
 * not running; @publish_key is the server's rtmp_publish_key, or NULL or "" for none. */
void        cb_streams_panel_set_rtmp_ingest (CbStreamsPanel *self,
                                              const char     *url,
                                              const char     *publish_key);

/* For tests. */
GtkMenuButton *cb_streams_panel_get_obs_button     (CbStreamsPanel *self);
GtkLabel      *cb_streams_panel_get_obs_url_label  (CbStreamsPanel *self);
GtkEditable   *cb_streams_panel_get_obs_key_entry  (CbStreamsPanel *self);
GtkMenuButton *cb_streams_panel_get_pull_button    (CbStreamsPanel *self);
GtkEditable   *cb_streams_panel_get_pull_url_entry (CbStreamsPanel *self);
GtkEditable   *cb_streams_panel_get_pull_name_entry (CbStreamsPanel *self);
GtkButton     *cb_streams_panel_get_pull_start_button (CbStreamsPanel *self);
GtkColumnView *cb_streams_panel_get_column_view    (CbStreamsPanel *self);

G_END_DECLS
