/* cb-scene-canvas.h — sources moved and resized by dragging them in the preview
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-scene-editor.h"

G_BEGIN_DECLS

#define CB_TYPE_SCENE_CANVAS (cb_scene_canvas_get_type ())
G_DECLARE_FINAL_TYPE (CbSceneCanvas, cb_scene_canvas, CB, SCENE_CANVAS, GtkWidget)

/**
 * CbSceneCanvas:
 *
 * Laid over the preview picture (a GtkPicture that shows the program "contain"-fitted,
 * the same size as this widget): it outlines the editor's selected source with a handle
 * on its bottom-right corner. A press on a source selects the top-most visible one under
 * the pointer; dragging moves it, dragging the handle resizes it. Changes go to the
 * program at once (a text's canvas size when the drag ends) and are saved by the editor.
 */
GtkWidget      *cb_scene_canvas_new         (CbSceneEditor *editor);
/* The drag gesture, for tests that drive it. */
GtkGestureDrag *cb_scene_canvas_get_gesture (CbSceneCanvas *self);
/* Where the program's picture is drawn in the widget. */
void            cb_scene_canvas_get_frame   (CbSceneCanvas   *self,
                                             graphene_rect_t *frame);

G_END_DECLS
