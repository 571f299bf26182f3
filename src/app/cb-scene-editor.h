/* cb-scene-editor.h — the window's scenes: the program that runs them, kept on disk
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-preview-paintable.h"
#include "cb-program.h"
#include "cb-studio.h"

G_BEGIN_DECLS

#define CB_TYPE_SCENE_EDITOR (cb_scene_editor_get_type ())
G_DECLARE_FINAL_TYPE (CbSceneEditor, cb_scene_editor, CB, SCENE_EDITOR, GObject)

/**
 * CbSceneEditor:
 *
 * Not a widget: the scenes panel, the mixer, the shortcuts and the tests share it. It
 * loads scenes.json from the user's configuration folder (the default scene when there
 * is none or it cannot be read), runs a CbProgram and hands its capture to the engine as
 * the source "scene", saves every change, and builds the program again when the output
 * settings change (at once when not live, after the stream stops otherwise).
 *
 * Signals: "program-changed" (a new CbProgram runs: reconnect to it), "changed" (scenes
 * or sources were added, removed, renamed, switched), "selected" (the selected source:
 * the one the preview outlines and drags, and whose row the scenes panel highlights).
 */
CbSceneEditor *cb_scene_editor_new          (CbStudio         *studio);
CbProgram     *cb_scene_editor_get_program  (CbSceneEditor    *self);
/* Shows the composed picture in @paintable (NULL: no preview), across rebuilds. */
void           cb_scene_editor_set_preview  (CbSceneEditor    *self,
                                             CbPreviewPaintable *paintable);
/* The model was changed through the program: tell the panels and save. */
void           cb_scene_editor_changed      (CbSceneEditor    *self);
/* A source's box, text, visibility or fader changed: only save. */
void           cb_scene_editor_touched      (CbSceneEditor    *self);
void           cb_scene_editor_switch_to    (CbSceneEditor    *self,
                                             guint             index);
/* Camera picture-in-picture over the screen, as a new scene: the two-click preset. */
guint          cb_scene_editor_add_pip_scene (CbSceneEditor   *self);
char          *cb_scene_editor_dup_path     (void);
/* The selected source of the active scene, 0 for none. */
guint          cb_scene_editor_get_selected (CbSceneEditor    *self);
void           cb_scene_editor_select       (CbSceneEditor    *self,
                                             guint             id);

G_END_DECLS
