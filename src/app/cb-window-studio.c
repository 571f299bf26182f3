/* cb-window-studio.c — scenes, the mixer and the program meter in the studio window
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kept apart from cb-window.c, which calls only the setup, the dispose and the preview
 * hooks: the scenes run whatever the window does with Go Live, and Go Live publishes
 * them as the source "scene" (the engine takes the program's capture).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-window-private.h"
#include "cb-welcome.h"
#include "cb-window-studio.h"

#define STUDIO_KEY "cb-window-studio"

typedef struct {
  CbSceneEditor      *editor;
  GtkWidget          *scenes_panel;
  GtkWidget          *mixer;
  GtkWidget          *program_meter;
  GtkWidget          *canvas;
  GtkWidget          *welcome;
  CbPreviewPaintable *preview;
} Studio;

static void
studio_free (gpointer data)
{
  Studio *studio = data;

  g_clear_object (&studio->editor);
  g_clear_object (&studio->preview);
  g_free (studio);
}

static Studio *
studio_of (CbWindow *self)
{
  return g_object_get_data (G_OBJECT (self), STUDIO_KEY);
}

static void
on_scene_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       data)
{
  CbWindow *self = data;
  const char *name = g_action_get_name (G_ACTION (action));
  Studio *studio = studio_of (self);

  if (studio != NULL)
    cb_scene_editor_switch_to (studio->editor, (guint) (name[strlen (name) - 1] - '1'));
}

void
cb_window_studio_setup (CbWindow *self)
{
  Studio *studio = g_new0 (Studio, 1);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  AdwViewStackPage *page;

  g_object_set_data_full (G_OBJECT (self), STUDIO_KEY, studio, studio_free);
  studio->editor = cb_scene_editor_new (self->studio);

  studio->scenes_panel = cb_scenes_panel_new (studio->editor);
  page = adw_view_stack_add_titled (self->sidebar_stack, studio->scenes_panel, "scenes",
                                    _("Scenes"));
  adw_view_stack_page_set_icon_name (page, "view-grid-symbolic");
  studio->mixer = cb_mixer_new (studio->editor);
  page = adw_view_stack_add_titled (self->sidebar_stack, studio->mixer, "mixer", _("Mixer"));
  adw_view_stack_page_set_icon_name (page, "audio-volume-high-symbolic");

  /* Over the preview: sources dragged into place while it shows the scenes. */
  studio->canvas = cb_scene_canvas_new (studio->editor);
  gtk_widget_set_visible (studio->canvas, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (gtk_widget_get_parent (GTK_WIDGET (self->preview_stack))),
                           studio->canvas);

  /* The program meter, in the header bar after the sources: the first to go when the
   * window is narrow (the Mixer's last strip shows it too). */
  studio->program_meter = cb_mixer_new_program_meter (studio->editor);
  gtk_widget_set_margin_start (studio->program_meter, 6);
  cb_shrinking_box_append (self->header_start, studio->program_meter, 2);

  /* win.scene-1 … win.scene-9 on Ctrl+1 … Ctrl+9. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 1; i <= 9; i++)
    {
      g_autofree char *name = g_strdup_printf ("scene-%u", i);
      g_autofree char *detailed = g_strdup_printf ("win.scene-%u", i);
      g_autofree char *accel = g_strdup_printf ("<Control>%u", i);
      g_autoptr(GSimpleAction) action = g_simple_action_new (name, NULL);

      g_signal_connect (action, "activate", G_CALLBACK (on_scene_action), self);
      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                            gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accel),
                                                              gtk_named_action_new (detailed)));
    }
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

void
cb_window_studio_dispose (CbWindow *self)
{
  cb_window_studio_stop_preview (self);
  g_object_set_data (G_OBJECT (self), STUDIO_KEY, NULL);
}

void
cb_window_studio_show_preview (CbWindow *self)
{
  Studio *studio = studio_of (self);

  if (studio == NULL)
    return;
  g_clear_object (&studio->preview);
  studio->preview = cb_preview_paintable_new ();
  cb_scene_editor_set_preview (studio->editor, studio->preview);
  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (studio->preview));
  gtk_stack_set_visible_child_name (self->preview_stack, "picture");
  gtk_widget_set_visible (studio->canvas, TRUE);
}

void
cb_window_studio_stop_preview (CbWindow *self)
{
  Studio *studio = studio_of (self);

  if (studio == NULL || studio->preview == NULL)
    return;
  gtk_widget_set_visible (studio->canvas, FALSE);
  cb_scene_editor_set_preview (studio->editor, NULL);
  g_clear_object (&studio->preview);
}

CbSceneEditor *
cb_window_get_scene_editor (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL ? studio->editor : NULL;
}

CbScenesPanel *
cb_window_get_scenes_panel (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL ? CB_SCENES_PANEL (studio->scenes_panel) : NULL;
}

CbMixer *
cb_window_get_mixer (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL ? CB_MIXER (studio->mixer) : NULL;
}

CbLevelMeter *
cb_window_get_program_meter (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL ? CB_LEVEL_METER (studio->program_meter) : NULL;
}

CbSceneCanvas *
cb_window_get_scene_canvas (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL ? CB_SCENE_CANVAS (studio->canvas) : NULL;
}

static void
on_welcome_done (CbWelcome *welcome,
                 gpointer   data)
{
  CbWindow *self = data;
  Studio *studio = studio_of (self);
  GtkWidget *page = gtk_widget_get_parent (GTK_WIDGET (welcome));
  GtkStack *stack = GTK_STACK (gtk_widget_get_parent (page));

  gtk_stack_set_visible_child_name (stack, "studio");
  gtk_stack_remove (stack, page);
  if (studio != NULL)
    studio->welcome = NULL;
}

void
cb_window_show_welcome (CbWindow *self)
{
  Studio *studio = studio_of (self);
  GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (self));
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  g_return_if_fail (studio != NULL && studio->welcome == NULL);

  /* The studio stays what it is, a page behind the welcome. */
  g_object_ref (content);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), NULL);
  gtk_stack_add_named (GTK_STACK (stack), content, "studio");
  g_object_unref (content);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new ("Castbridge", NULL));
  studio->welcome = cb_welcome_new (studio->editor, self->destinations);
  cb_destinations_panel_set_default_stream (cb_welcome_get_destinations_panel (CB_WELCOME (studio->welcome)),
                                            gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  gtk_widget_set_vexpand (studio->welcome, TRUE);
  g_signal_connect (studio->welcome, "done", G_CALLBACK (on_welcome_done), self);
  gtk_box_append (GTK_BOX (page), header);
  gtk_box_append (GTK_BOX (page), studio->welcome);
  gtk_stack_add_named (GTK_STACK (stack), page, "welcome");
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "welcome");
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), stack);
}

CbWelcome *
cb_window_get_welcome (CbWindow *self)
{
  Studio *studio = studio_of (self);
  return studio != NULL && studio->welcome != NULL ? CB_WELCOME (studio->welcome) : NULL;
}
