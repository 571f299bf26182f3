/* cb-scenes-panel.h — scenes and their sources: switch, add, order, show, place
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-scene-editor.h"

G_BEGIN_DECLS

#define CB_TYPE_SCENES_PANEL (cb_scenes_panel_get_type ())
G_DECLARE_FINAL_TYPE (CbScenesPanel, cb_scenes_panel, CB, SCENES_PANEL, GtkBox)

GtkWidget  *cb_scenes_panel_new              (CbSceneEditor *editor);
/* For tests: the row of scene @index, and a source's row and its properties popover. */
GtkWidget  *cb_scenes_panel_get_scene_row    (CbScenesPanel *self,
                                              guint          index);
GtkWidget  *cb_scenes_panel_get_source_row   (CbScenesPanel *self,
                                              guint          id);
/* Opens the properties popover of source @id and returns it. */
GtkPopover *cb_scenes_panel_edit_source      (CbScenesPanel *self,
                                              guint          id);
/* Adds a source to the active scene as the Add menu does (files without a chooser). */
guint       cb_scenes_panel_add_source       (CbScenesPanel    *self,
                                              CbSceneSourceKind kind,
                                              const char       *location);

/* Adds a window source as picking @title in the window list does. */
guint       cb_scenes_panel_add_window       (CbScenesPanel    *self,
                                              const char       *title,
                                              const char       *window_class);
/* Opens the window list the Add menu's "Window" opens, and returns it. */
GtkWidget  *cb_scenes_panel_pick_window      (CbScenesPanel    *self);

/* For people, translated: "Camera", "Test tone", … */
const char *cb_scene_source_kind_label       (CbSceneSourceKind kind);
/* A "+" menu of source kinds; each item's "cb-kind" data is its kind. */
GtkWidget  *cb_kind_menu_button_new          (const char              *tooltip,
                                              const CbSceneSourceKind *kinds,
                                              guint                    n_kinds,
                                              GCallback                on_clicked,
                                              gpointer                 data);

G_END_DECLS
