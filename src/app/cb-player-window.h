/* cb-player-window.h — a stream of this studio's server, played over WebRTC, with the
 * statistics a streamer looks at
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-studio.h"

G_BEGIN_DECLS

#define CB_TYPE_PLAYER_WINDOW (cb_player_window_get_type ())
G_DECLARE_FINAL_TYPE (CbPlayerWindow, cb_player_window, CB, PLAYER_WINDOW, AdwWindow)

/* Starts playing @stream_name from @studio's server (WHEP over loopback) at once.
 * Closing the window ends the playback and the server's player stream. */
CbPlayerWindow *cb_player_window_new             (CbStudio       *studio,
                                                  const char     *stream_name);
const char     *cb_player_window_get_stream_name (CbPlayerWindow *self);

/* TRUE while connecting or playing; FALSE once stopped or failed. */
gboolean        cb_player_window_is_playing      (CbPlayerWindow *self);

/* For tests: what the window shows. */
guint64         cb_player_window_get_n_decoded   (CbPlayerWindow *self);
/* The last measured bitrate in kbit/s, 0 before the first measurement. */
int             cb_player_window_get_bitrate     (CbPlayerWindow *self);
gboolean        cb_player_window_has_audio_output (CbPlayerWindow *self);
GtkPicture     *cb_player_window_get_picture     (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_state_label (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_bitrate_label (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_fps_label   (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_resolution_label (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_loss_label  (CbPlayerWindow *self);
GtkLabel       *cb_player_window_get_rtt_label   (CbPlayerWindow *self);

G_END_DECLS
