/* cb-relays-panel.h — relays to and from other servers: the GUI form of /pull/push,
 * /pull/pull and /pull/rtmp/pull, and every relay with its state, reason, bitrate and a
 * Stop button
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cb-relay-list.h"
#include "cb-stream-list.h"

G_BEGIN_DECLS

#define CB_TYPE_RELAYS_PANEL (cb_relays_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbRelaysPanel, cb_relays_panel, CB, RELAYS_PANEL, GtkBox)

void          cb_relays_panel_set_list           (CbRelaysPanel *self,
                                                  CbRelayList   *list);
/* For the bitrates: a relay shows its local stream's. */
void          cb_relays_panel_set_streams        (CbRelaysPanel *self,
                                                  CbStreamList  *streams);
/* The stream a new relay sends unless told otherwise: the studio's. */
void          cb_relays_panel_set_default_stream (CbRelaysPanel *self,
                                                  const char    *name);

/* For tests: the form, as a person fills it. Direction 0 sends, 1 pulls. */
GtkDropDown  *cb_relays_panel_get_direction      (CbRelaysPanel *self);
GtkEditable  *cb_relays_panel_get_url_entry      (CbRelaysPanel *self);
GtkEditable  *cb_relays_panel_get_local_entry    (CbRelaysPanel *self);
GtkEditable  *cb_relays_panel_get_remote_entry   (CbRelaysPanel *self);
GtkButton    *cb_relays_panel_get_start_button   (CbRelaysPanel *self);
/* Why the last Start failed; hidden until one does. */
GtkLabel     *cb_relays_panel_get_error_label    (CbRelaysPanel *self);
/* The row widget of @relay, or NULL. */
GtkWidget    *cb_relays_panel_get_row            (CbRelaysPanel *self,
                                                  CbRelay       *relay);
/* What the row of @relay says: "studio → studio-remote · Sent over WebRTC · Relaying ·
 * ws://… · 2400 kbit/s" (the bitrate while it runs). */
char         *cb_relays_panel_dup_row_text       (CbRelaysPanel *self,
                                                  CbRelay       *relay);
GtkButton    *cb_relays_panel_get_stop_button    (CbRelaysPanel *self,
                                                  CbRelay       *relay);

G_END_DECLS
