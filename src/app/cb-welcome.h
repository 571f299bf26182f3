/* cb-welcome.h — the first-run page: camera, microphone, a first destination
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-destinations-panel.h"
#include "cb-scene-editor.h"

G_BEGIN_DECLS

#define CB_TYPE_WELCOME (cb_welcome_get_type ())
G_DECLARE_FINAL_TYPE (CbWelcome, cb_welcome, CB, WELCOME, AdwBin)

/**
 * CbWelcome:
 *
 * What the window shows on the first start instead of the studio: the cameras and
 * microphones GStreamer's device monitor finds (or none: the test pattern and the test
 * tone stay), and the destinations form, to add a first one or not. **Open the Studio**
 * puts the chosen camera and microphone into the first scene and the mixer, saves the
 * scenes (so the next start is not a first one) and emits "done".
 */
GtkWidget           *cb_welcome_new          (CbSceneEditor     *editor,
                                              CbDestinationList *destinations);
/* TRUE when the configuration folder has none of the files the studio writes: no
 * settings, no scenes, no destinations. */
gboolean             cb_welcome_is_first_run (void);

/* For tests. */
AdwComboRow         *cb_welcome_get_camera_row        (CbWelcome *self);
AdwComboRow         *cb_welcome_get_microphone_row    (CbWelcome *self);
CbDestinationsPanel *cb_welcome_get_destinations_panel (CbWelcome *self);
GtkButton           *cb_welcome_get_done_button       (CbWelcome *self);

G_END_DECLS
