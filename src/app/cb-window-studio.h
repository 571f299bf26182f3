/* cb-window-studio.h — the window's scenes, mixer and program meter
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-mixer.h"
#include "cb-scene-canvas.h"
#include "cb-scene-editor.h"
#include "cb-scenes-panel.h"
#include "cb-welcome.h"
#include "cb-window.h"

G_BEGIN_DECLS

/* The source of the Video menu that publishes the scenes. */
#define CB_WINDOW_SCENE_SPEC "scene"

CbSceneEditor *cb_window_get_scene_editor  (CbWindow *self);
CbScenesPanel *cb_window_get_scenes_panel  (CbWindow *self);
CbMixer       *cb_window_get_mixer         (CbWindow *self);
CbLevelMeter  *cb_window_get_program_meter (CbWindow *self);
CbSceneCanvas *cb_window_get_scene_canvas  (CbWindow *self);
/* The first-run page, in front of the studio until its Open the Studio; the application
 * shows it when cb_welcome_is_first_run(). */
void           cb_window_show_welcome      (CbWindow *self);
/* The first-run page while it shows, or NULL. */
CbWelcome     *cb_window_get_welcome       (CbWindow *self);

/* For cb-window.c. */
void           cb_window_studio_setup        (CbWindow *self);
void           cb_window_studio_dispose      (CbWindow *self);
/* Shows the scenes in the preview (the program runs anyway: nothing to open). */
void           cb_window_studio_show_preview (CbWindow *self);
void           cb_window_studio_stop_preview (CbWindow *self);

G_END_DECLS
