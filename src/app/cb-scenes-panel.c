/* cb-scenes-panel.c — the Scenes pane
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built in code rather than from a template: every row is made from the program's model
 * and made again when it changes, which is all it needs.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-error-text.h"
#include "cb-scenes-panel.h"
#include "cb-window-picker.h"

struct _CbScenesPanel
{
  GtkBox          parent_instance;

  CbSceneEditor  *editor;
  GtkListBox     *scenes;
  GtkListBox     *sources;
  GtkWidget      *remove_scene;
  GHashTable     *source_rows;     /* id → GtkWidget (row) */
  GtkFileChooserNative *chooser;
  gboolean        filling;
  gulong          changed_handler;
  gulong          program_handler;
  gulong          problem_handler;
  gulong          selected_handler;
  guint           refill_id;
  CbProgram      *watched;
};

G_DEFINE_FINAL_TYPE (CbScenesPanel, cb_scenes_panel, GTK_TYPE_BOX)

static void fill (CbScenesPanel *self);

static CbProgram *
program_of (CbScenesPanel *self)
{
  return cb_scene_editor_get_program (self->editor);
}

const char *
cb_scene_source_kind_label (CbSceneSourceKind kind)
{
  switch (kind)
    {
    case CB_SCENE_SOURCE_PATTERN: return _("Test pattern");
    case CB_SCENE_SOURCE_IMAGE: return _("Image");
    case CB_SCENE_SOURCE_TEXT: return _("Text");
    case CB_SCENE_SOURCE_MEDIA: return _("Media file");
    case CB_SCENE_SOURCE_CAMERA: return _("Camera");
    case CB_SCENE_SOURCE_SCREEN: return _("Screen");
    case CB_SCENE_SOURCE_WINDOW: return _("Window");
    case CB_SCENE_SOURCE_PORTAL: return _("Screen or window (portal)");
    case CB_SCENE_SOURCE_TONE: return _("Test tone");
    case CB_SCENE_SOURCE_MIC: return _("Microphone");
    case CB_SCENE_SOURCE_DESKTOP: return _("Desktop audio");
    case CB_SCENE_SOURCE_APP_AUDIO: return _("Application sound");
    default: return "";
    }
}

static const char *
kind_icon (CbSceneSourceKind kind)
{
  switch (kind)
    {
    case CB_SCENE_SOURCE_IMAGE: return "image-x-generic-symbolic";
    case CB_SCENE_SOURCE_TEXT: return "format-text-bold-symbolic";
    case CB_SCENE_SOURCE_MEDIA: return "video-x-generic-symbolic";
    case CB_SCENE_SOURCE_CAMERA: return "camera-web-symbolic";
    case CB_SCENE_SOURCE_SCREEN: return "video-display-symbolic";
    case CB_SCENE_SOURCE_WINDOW: return "focus-windows-symbolic";
    case CB_SCENE_SOURCE_PORTAL: return "screen-shared-symbolic";
    default: return "applications-multimedia-symbolic";
    }
}

static CbSceneSource *
find_source (CbScenesPanel *self,
             guint          id)
{
  return cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program_of (self)), id);
}

/* ---- properties popover ----------------------------------------------------- */

typedef struct {
  CbScenesPanel *panel;
  guint          id;
  GtkSpinButton *x, *y, *w, *h;
  GtkSpinButton *crop[4];        /* left, top, right, bottom */
  GtkSwitch     *visible;
  GtkSwitch     *loop;           /* media files */
  GtkSwitch     *cursor;         /* screen, window, portal */
  GtkEditable   *text;
  GtkFontChooser *font;
  GtkColorChooser *color;
} Editing;

static void
editing_apply (Editing *e)
{
  CbSceneSource *s = find_source (e->panel, e->id);
  g_autoptr(CbSceneSource) changed = NULL;

  if (s == NULL)
    return;
  changed = cb_scene_source_copy (s);
  changed->x = gtk_spin_button_get_value (e->x) / 100;
  changed->y = gtk_spin_button_get_value (e->y) / 100;
  changed->width = MAX (1, gtk_spin_button_get_value (e->w)) / 100;
  changed->height = MAX (1, gtk_spin_button_get_value (e->h)) / 100;
  changed->crop_left = gtk_spin_button_get_value_as_int (e->crop[0]);
  changed->crop_top = gtk_spin_button_get_value_as_int (e->crop[1]);
  changed->crop_right = gtk_spin_button_get_value_as_int (e->crop[2]);
  changed->crop_bottom = gtk_spin_button_get_value_as_int (e->crop[3]);
  changed->visible = gtk_switch_get_active (e->visible);
  if (e->loop != NULL)
    changed->loop = gtk_switch_get_active (e->loop);
  if (e->cursor != NULL)
    changed->cursor = gtk_switch_get_active (e->cursor);
  if (e->text != NULL)
    {
      GdkRGBA rgba;
      g_autofree char *font = gtk_font_chooser_get_font (e->font);

      g_free (changed->text);
      changed->text = g_strdup (gtk_editable_get_text (e->text));
      if (font != NULL)
        {
          g_free (changed->font);
          changed->font = g_steal_pointer (&font);
        }
      gtk_color_chooser_get_rgba (e->color, &rgba);
      changed->color = ((guint32) (rgba.alpha * 255) << 24) | ((guint32) (rgba.red * 255) << 16) |
                       ((guint32) (rgba.green * 255) << 8) | (guint32) (rgba.blue * 255);
    }
  cb_program_update_source (program_of (e->panel), changed);
  cb_scene_editor_touched (e->panel->editor);
}

static GtkSpinButton *
add_spin (GtkGrid    *grid,
          int         row,
          const char *label,
          double      value,
          double      min,
          double      max,
          Editing    *e)
{
  GtkWidget *l = gtk_label_new (label);
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_grid_attach (grid, l, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (editing_apply), e);
  return GTK_SPIN_BUTTON (spin);
}

static GtkSwitch *
add_switch (GtkGrid    *grid,
            int         row,
            const char *label,
            gboolean    active,
            Editing    *e)
{
  GtkWidget *l = gtk_label_new (label);
  GtkWidget *toggle = gtk_switch_new ();

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_switch_set_active (GTK_SWITCH (toggle), active);
  gtk_widget_set_halign (toggle, GTK_ALIGN_START);
  gtk_grid_attach (grid, l, 0, row, 1, 1);
  gtk_grid_attach (grid, toggle, 1, row, 1, 1);
  g_signal_connect_swapped (toggle, "notify::active", G_CALLBACK (editing_apply), e);
  return GTK_SWITCH (toggle);
}

static GtkPopover *
make_popover (CbScenesPanel *self,
              guint          id)
{
  CbSceneSource *s = find_source (self, id);
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *grid = gtk_grid_new ();
  Editing *e = g_new0 (Editing, 1);

  e->panel = self;
  e->id = id;
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  g_object_set_data_full (G_OBJECT (popover), "cb-editing", e, g_free);

  /* The box in percent of the output picture; the crop in the source's pixels. */
  e->x = add_spin (GTK_GRID (grid), 0, _("Left, %"), s->x * 100, -100, 100, e);
  e->y = add_spin (GTK_GRID (grid), 1, _("Top, %"), s->y * 100, -100, 100, e);
  e->w = add_spin (GTK_GRID (grid), 2, _("Width, %"), s->width * 100, 1, 100, e);
  e->h = add_spin (GTK_GRID (grid), 3, _("Height, %"), s->height * 100, 1, 100, e);
  e->crop[0] = add_spin (GTK_GRID (grid), 4, _("Crop left, px"), s->crop_left, 0, CB_SCENE_MAX_CROP, e);
  e->crop[1] = add_spin (GTK_GRID (grid), 5, _("Crop top, px"), s->crop_top, 0, CB_SCENE_MAX_CROP, e);
  e->crop[2] = add_spin (GTK_GRID (grid), 6, _("Crop right, px"), s->crop_right, 0, CB_SCENE_MAX_CROP, e);
  e->crop[3] = add_spin (GTK_GRID (grid), 7, _("Crop bottom, px"), s->crop_bottom, 0, CB_SCENE_MAX_CROP, e);
  e->visible = add_switch (GTK_GRID (grid), 8, _("Show"), s->visible, e);
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      e->loop = add_switch (GTK_GRID (grid), 9, _("Loop"), s->loop, e);
      gtk_widget_set_name (GTK_WIDGET (e->loop), "loop");
      gtk_widget_set_tooltip_text (GTK_WIDGET (e->loop),
                                   _("Play the file again from its beginning when it ends"));
    }
  if (cb_scene_source_kind_is_capture (s->kind))
    {
      e->cursor = add_switch (GTK_GRID (grid), 9, _("Show the pointer"), s->cursor, e);
      gtk_widget_set_name (GTK_WIDGET (e->cursor), "cursor-switch");
    }
  if (s->kind == CB_SCENE_SOURCE_TEXT)
    {
      GtkWidget *entry = gtk_entry_new ();
      GtkWidget *font = gtk_font_button_new_with_font (s->font);
      GdkRGBA rgba = { ((s->color >> 16) & 0xff) / 255.0, ((s->color >> 8) & 0xff) / 255.0,
                       (s->color & 0xff) / 255.0, ((s->color >> 24) & 0xff) / 255.0 };
      GtkWidget *color = gtk_color_button_new_with_rgba (&rgba);

      gtk_color_chooser_set_use_alpha (GTK_COLOR_CHOOSER (color), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (entry), s->text);
      gtk_grid_attach (GTK_GRID (grid), gtk_label_new (_("Text")), 0, 9, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), entry, 1, 9, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), gtk_label_new (_("Font")), 0, 10, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), font, 1, 10, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), gtk_label_new (_("Colour")), 0, 11, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), color, 1, 11, 1, 1);
      e->text = GTK_EDITABLE (entry);
      e->font = GTK_FONT_CHOOSER (font);
      e->color = GTK_COLOR_CHOOSER (color);
      g_signal_connect_swapped (entry, "changed", G_CALLBACK (editing_apply), e);
      g_signal_connect_swapped (font, "font-set", G_CALLBACK (editing_apply), e);
      g_signal_connect_swapped (color, "color-set", G_CALLBACK (editing_apply), e);
    }
  return GTK_POPOVER (popover);
}

/* ---- source rows ------------------------------------------------------------- */

static void
on_visible_toggled (GtkCheckButton *check,
                    gpointer        data)
{
  CbScenesPanel *self = data;
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "cb-id"));
  CbSceneSource *s = find_source (self, id);
  g_autoptr(CbSceneSource) changed = NULL;

  if (self->filling || s == NULL)
    return;
  changed = cb_scene_source_copy (s);
  changed->visible = gtk_check_button_get_active (check);
  cb_program_update_source (program_of (self), changed);
  cb_scene_editor_touched (self->editor);
}

/* The source menu's actions; their parameter is the source's id. */
static void
on_source_action (GtkWidget  *widget,
                  const char *action,
                  GVariant   *parameter)
{
  CbScenesPanel *self = CB_SCENES_PANEL (widget);
  guint id = g_variant_get_uint32 (parameter);

  if (g_str_equal (action, "source.remove"))
    cb_program_remove_source (program_of (self), id);
  else
    cb_program_move_source (program_of (self), id, g_str_equal (action, "source.forward") ? 1 : -1);
  cb_scene_editor_changed (self->editor);
}

static void
on_edit_clicked (GtkButton *button,
                 gpointer   data)
{
  CbScenesPanel *self = data;
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cb-id"));

  cb_scenes_panel_edit_source (self, id);
}

static GtkWidget *
small_button (const char *icon,
              const char *tooltip,
              guint       id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data (G_OBJECT (button), "cb-id", GUINT_TO_POINTER (id));
  return button;
}

static GtkWidget *
make_source_row (CbScenesPanel       *self,
                 const CbSceneSource *s)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *edit = small_button ("document-properties-symbolic", _("Position and size"), s->id);
  GtkWidget *more = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) forward = g_menu_item_new (_("Bring forward"), NULL);
  g_autoptr(GMenuItem) backward = g_menu_item_new (_("Send backward"), NULL);
  g_autoptr(GMenuItem) remove = g_menu_item_new (_("Remove source"), NULL);
  const GError *error = cb_program_get_problem_error (program_of (self), s->id);
  g_autofree char *problem = error != NULL ? cb_error_text (error, cb_error_about_source (s->kind),
                                                           s->location) : NULL;
  /* The portal's question is a wait, not a fault. */
  gboolean asking = g_error_matches (error, CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_ASKING);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), s->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* A name on one line, cut short rather than broken inside a word (its whole in the
   * tooltip). */
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), problem != NULL ? problem : cb_scene_source_kind_label (s->kind));
  /* A reason is read whole, however narrow the sidebar. */
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), problem != NULL ? 0 : 1);
  if (problem != NULL)
    gtk_widget_set_tooltip_text (row, problem);
  else
    gtk_widget_set_tooltip_text (row, s->name);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), problem != NULL && !asking ? "dialog-warning-symbolic"
                                                                                : kind_icon (s->kind));
  if (problem != NULL && !asking)
    gtk_widget_add_css_class (row, "warning");
  gtk_widget_set_tooltip_text (check, _("Show"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), s->visible);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (check), "cb-id", GUINT_TO_POINTER (s->id));
  g_signal_connect (check, "toggled", G_CALLBACK (on_visible_toggled), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  g_signal_connect (edit, "clicked", G_CALLBACK (on_edit_clicked), self);
  /* Order and removal in a menu: four buttons left the name a few letters in a sidebar. */
  g_menu_item_set_action_and_target (forward, "source.forward", "u", s->id);
  g_menu_item_set_action_and_target (backward, "source.backward", "u", s->id);
  g_menu_item_set_action_and_target (remove, "source.remove", "u", s->id);
  g_menu_append_item (menu, forward);
  g_menu_append_item (menu, backward);
  g_menu_append_item (menu, remove);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (more), FALSE);
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (more, _("Order and removal"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
  g_object_set_data (G_OBJECT (row), "cb-edit", edit);
  g_object_set_data (G_OBJECT (row), "cb-id", GUINT_TO_POINTER (s->id));
  return row;
}

/* ---- scenes ------------------------------------------------------------------ */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
fill (CbScenesPanel *self)
{
  const CbSceneCollection *c = cb_program_get_collection (program_of (self));
  CbScene *active = g_ptr_array_index (c->scenes, c->active);

  self->filling = TRUE;
  clear_list (self->scenes);
  clear_list (self->sources);
  g_hash_table_remove_all (self->source_rows);
  for (guint i = 0; i < c->scenes->len; i++)
    {
      CbScene *scene = g_ptr_array_index (c->scenes, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), scene->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (i < 9)
        {
          g_autofree char *label = gtk_accelerator_get_label (GDK_KEY_1 + i, GDK_CONTROL_MASK);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (label));
        }
      gtk_list_box_append (self->scenes, row);
      if (i == c->active)
        gtk_list_box_select_row (self->scenes, GTK_LIST_BOX_ROW (row));
    }
  /* Top of the picture first, as people read a layer list. */
  for (guint i = active->sources->len; i > 0; i--)
    {
      CbSceneSource *s = g_ptr_array_index (active->sources, i - 1);
      GtkWidget *row = make_source_row (self, s);

      gtk_list_box_append (self->sources, row);
      g_hash_table_insert (self->source_rows, GUINT_TO_POINTER (s->id), row);
    }
  gtk_widget_set_sensitive (self->remove_scene, c->scenes->len > 1);
  {
    GtkWidget *selected = g_hash_table_lookup (self->source_rows,
                                               GUINT_TO_POINTER (cb_scene_editor_get_selected (self->editor)));

    gtk_list_box_select_row (self->sources, selected != NULL ? GTK_LIST_BOX_ROW (selected) : NULL);
  }
  self->filling = FALSE;
}

/* The preview selected a source: its row follows. */
static void
on_editor_selected (CbScenesPanel *self)
{
  GtkWidget *row = g_hash_table_lookup (self->source_rows,
                                        GUINT_TO_POINTER (cb_scene_editor_get_selected (self->editor)));

  self->filling = TRUE;
  gtk_list_box_select_row (self->sources, row != NULL ? GTK_LIST_BOX_ROW (row) : NULL);
  self->filling = FALSE;
}

static void
on_source_selected (GtkListBox    *list,
                    GtkListBoxRow *row,
                    gpointer       data)
{
  CbScenesPanel *self = data;

  if (self->filling || row == NULL)
    return;
  cb_scene_editor_select (self->editor, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cb-id")));
}

/* A click on a source's row opens its properties. */
static void
on_source_activated (GtkListBox    *list,
                     GtkListBoxRow *row,
                     gpointer       data)
{
  cb_scenes_panel_edit_source (data, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cb-id")));
}

static void
on_scene_selected (GtkListBox    *list,
                   GtkListBoxRow *row,
                   gpointer       data)
{
  CbScenesPanel *self = data;

  if (self->filling || row == NULL)
    return;
  cb_scene_editor_switch_to (self->editor, gtk_list_box_row_get_index (row));
}

static void
on_add_scene (GtkButton *button,
              gpointer   data)
{
  CbScenesPanel *self = data;
  const CbSceneCollection *c = cb_program_get_collection (program_of (self));
  g_autofree char *name = g_strdup_printf (_("Scene %u"), c->scenes->len + 1);
  guint index = cb_program_add_scene (program_of (self), name);

  cb_program_add_source (program_of (self), index,
                         cb_program_new_source (program_of (self), CB_SCENE_SOURCE_PATTERN,
                                                _("Test pattern"), ""));
  cb_scene_editor_switch_to (self->editor, index);
}

static void
on_add_pip (GtkButton *button,
            gpointer   data)
{
  CbScenesPanel *self = data;

  cb_scene_editor_add_pip_scene (self->editor);
}

static void
on_remove_scene (GtkButton *button,
                 gpointer   data)
{
  CbScenesPanel *self = data;
  const CbSceneCollection *c = cb_program_get_collection (program_of (self));

  if (cb_program_remove_scene (program_of (self), c->active))
    cb_scene_editor_changed (self->editor);
}

/* ---- adding sources ---------------------------------------------------------- */

/* @name (transfer full), or "@name 2", "@name 3"… if a source of @scene has it: two test
 * patterns are told apart in the list. */
static char *
unused_source_name (const CbScene *scene,
                    char          *name)
{
  g_autofree char *base = g_strdup (name);

  for (guint n = 2; scene != NULL && n < 1000; n++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < scene->sources->len && !taken; i++)
        taken = g_strcmp0 (((CbSceneSource *) g_ptr_array_index (scene->sources, i))->name, name) == 0;
      if (!taken)
        break;
      g_free (name);
      /* TRANSLATORS: a source's name and a number: "Test pattern 2". */
      name = g_strdup_printf (C_("source name", "%s %u"), base, n);
    }
  return name;
}

guint
cb_scenes_panel_add_source (CbScenesPanel    *self,
                            CbSceneSourceKind kind,
                            const char       *location)
{
  CbProgram *program;
  const CbSceneCollection *c;
  CbSceneSource *s;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), 0);

  program = program_of (self);
  if (location != NULL && (kind == CB_SCENE_SOURCE_IMAGE || kind == CB_SCENE_SOURCE_MEDIA))
    name = g_path_get_basename (location);
  else
    name = g_strdup (cb_scene_source_kind_label (kind));
  c = cb_program_get_collection (program);
  name = unused_source_name (c->active < c->scenes->len ? g_ptr_array_index (c->scenes, c->active) : NULL,
                             g_steal_pointer (&name));
  s = cb_program_new_source (program, kind, name, location);
  if (kind == CB_SCENE_SOURCE_TEXT)
    {
      s->x = 0.05;
      s->y = 0.05;
      s->width = 0.9;
      s->height = 0.2;
    }
  else if (kind == CB_SCENE_SOURCE_IMAGE || kind == CB_SCENE_SOURCE_CAMERA)
    {
      /* Over what is there, not over all of it. */
      s->x = 0.7;
      s->y = 0.05;
      s->width = 0.25;
      s->height = 0.25;
    }
  cb_program_add_source (program, cb_program_get_collection (program)->active, s);
  cb_scene_editor_changed (self->editor);
  return s->id;
}

static void
on_window_picked (const CbX11Window *window,
                  gpointer           data)
{
  cb_scenes_panel_add_window (data, window->title, window->window_class);
}

guint
cb_scenes_panel_add_window (CbScenesPanel *self,
                            const char    *title,
                            const char    *window_class)
{
  CbProgram *program;
  CbSceneSource *s;

  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), 0);

  program = program_of (self);
  /* Named after the window; its title and class find it again after a restart. */
  s = cb_program_new_source (program, CB_SCENE_SOURCE_WINDOW, title, title);
  g_free (s->window_class);
  s->window_class = g_strdup (window_class != NULL ? window_class : "");
  cb_program_add_source (program, cb_program_get_collection (program)->active, s);
  cb_scene_editor_changed (self->editor);
  return s->id;
}

GtkWidget *
cb_scenes_panel_pick_window (CbScenesPanel *self)
{
  GtkNative *native;
  GtkWidget *picker;

  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), NULL);

  native = gtk_widget_get_native (GTK_WIDGET (self));
  picker = cb_window_picker_new (GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                 on_window_picked, self);
  gtk_window_present (GTK_WINDOW (picker));
  return picker;
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         data)
{
  CbScenesPanel *self = data;
  CbSceneSourceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "cb-kind"));
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

  if (response == GTK_RESPONSE_ACCEPT && path != NULL)
    cb_scenes_panel_add_source (self, kind, path);
  g_clear_object (&self->chooser);
}

static void
on_add_kind (GtkButton *button,
             gpointer   data)
{
  CbScenesPanel *self = data;
  CbSceneSourceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cb-kind"));

  if (kind == CB_SCENE_SOURCE_IMAGE || kind == CB_SCENE_SOURCE_MEDIA)
    {
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

      g_clear_object (&self->chooser);
      self->chooser = gtk_file_chooser_native_new (kind == CB_SCENE_SOURCE_IMAGE ? _("Choose an Image")
                                                                                : _("Choose a Media File"),
                                                   GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                                   GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);
      g_object_set_data (G_OBJECT (self->chooser), "cb-kind", GINT_TO_POINTER (kind));
      g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }
  if (kind == CB_SCENE_SOURCE_WINDOW)
    {
      cb_scenes_panel_pick_window (self);
      return;
    }
  cb_scenes_panel_add_source (self, kind, "");
}

GtkWidget *
cb_kind_menu_button_new (const char              *tooltip,
                         const CbSceneSourceKind *kinds,
                         guint                    n_kinds,
                         GCallback                on_clicked,
                         gpointer                 data)
{
  GtkWidget *menu_button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "list-add-symbolic");
  gtk_widget_set_tooltip_text (menu_button, tooltip);
  for (guint i = 0; i < n_kinds; i++)
    {
      GtkWidget *item = gtk_button_new_with_label (cb_scene_source_kind_label (kinds[i]));

      gtk_widget_add_css_class (item, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (item))), 0);
      g_object_set_data (G_OBJECT (item), "cb-kind", GINT_TO_POINTER (kinds[i]));
      g_signal_connect (item, "clicked", on_clicked, data);
      g_signal_connect_swapped (item, "clicked", G_CALLBACK (gtk_popover_popdown), popover);
      gtk_box_append (GTK_BOX (box), item);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu_button), popover);
  return menu_button;
}

static GtkWidget *
make_add_menu (CbScenesPanel *self)
{
  /* Windows are listed on X11 only; elsewhere the portal's own dialog offers them. */
  gboolean x11 = cb_window_picker_available (GTK_WIDGET (self));
  const CbSceneSourceKind kinds[] = {
    CB_SCENE_SOURCE_CAMERA, CB_SCENE_SOURCE_SCREEN, CB_SCENE_SOURCE_PORTAL,
    x11 ? CB_SCENE_SOURCE_WINDOW : CB_SCENE_SOURCE_N_KINDS,
    CB_SCENE_SOURCE_IMAGE, CB_SCENE_SOURCE_TEXT, CB_SCENE_SOURCE_MEDIA, CB_SCENE_SOURCE_PATTERN,
  };
  CbSceneSourceKind offered[G_N_ELEMENTS (kinds)];
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i] != CB_SCENE_SOURCE_N_KINDS)
      offered[n++] = kinds[i];
  return cb_kind_menu_button_new (_("Add Source"), offered, n, G_CALLBACK (on_add_kind), self);
}

/* ---- program ------------------------------------------------------------------ */

static void
on_problem_changed (CbProgram *program,
                    guint      id,
                    gpointer   data)
{
  fill (data);
}

static void
watch_program (CbScenesPanel *self)
{
  if (self->watched != NULL)
    g_clear_signal_handler (&self->problem_handler, self->watched);
  g_clear_object (&self->watched);
  self->watched = g_object_ref (program_of (self));
  self->problem_handler = g_signal_connect (self->watched, "problem-changed",
                                            G_CALLBACK (on_problem_changed), self);
  fill (self);
}

static void
cb_scenes_panel_dispose (GObject *object)
{
  CbScenesPanel *self = CB_SCENES_PANEL (object);

  if (self->watched != NULL)
    g_clear_signal_handler (&self->problem_handler, self->watched);
  g_clear_object (&self->watched);
  if (self->editor != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->editor);
      g_clear_signal_handler (&self->program_handler, self->editor);
      g_clear_signal_handler (&self->selected_handler, self->editor);
    }
  g_clear_handle_id (&self->refill_id, g_source_remove);
  g_clear_object (&self->editor);
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->source_rows, g_hash_table_unref);
  G_OBJECT_CLASS (cb_scenes_panel_parent_class)->dispose (object);
}

static void
cb_scenes_panel_class_init (CbScenesPanelClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cb_scenes_panel_dispose;
  gtk_widget_class_install_action (widget_class, "source.forward", "u", on_source_action);
  gtk_widget_class_install_action (widget_class, "source.backward", "u", on_source_action);
  gtk_widget_class_install_action (widget_class, "source.remove", "u", on_source_action);
}

static GtkWidget *
heading (const char *text,
         GtkWidget  *end1,
         GtkWidget  *end2)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  if (end1 != NULL)
    gtk_box_append (GTK_BOX (box), end1);
  if (end2 != NULL)
    gtk_box_append (GTK_BOX (box), end2);
  return box;
}

static void
cb_scenes_panel_init (CbScenesPanel *self)
{
  self->source_rows = g_hash_table_new (NULL, NULL);
}

GtkWidget *
cb_scenes_panel_new (CbSceneEditor *editor)
{
  CbScenesPanel *self;
  GtkWidget *add_scene = gtk_menu_button_new ();
  GtkWidget *add_popover = gtk_popover_new ();
  GtkWidget *add_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *new_scene = gtk_button_new_with_label (_("New Scene"));
  GtkWidget *pip = gtk_button_new_with_label (_("Camera over Screen"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (editor), NULL);

  self = g_object_new (CB_TYPE_SCENES_PANEL, "orientation", GTK_ORIENTATION_VERTICAL, NULL);
  self->editor = g_object_ref (editor);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (add_scene), "list-add-symbolic");
  gtk_widget_set_tooltip_text (add_scene, _("Add Scene"));
  for (GtkWidget *b = new_scene; b != NULL; b = (b == new_scene ? pip : NULL))
    {
      gtk_widget_add_css_class (b, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (b))), 0);
      gtk_box_append (GTK_BOX (add_box), b);
    }
  gtk_widget_set_tooltip_text (pip, _("A new scene: the screen, with the camera in a corner"));
  g_signal_connect (new_scene, "clicked", G_CALLBACK (on_add_scene), self);
  g_signal_connect (pip, "clicked", G_CALLBACK (on_add_pip), self);
  g_signal_connect_swapped (new_scene, "clicked", G_CALLBACK (gtk_popover_popdown), add_popover);
  g_signal_connect_swapped (pip, "clicked", G_CALLBACK (gtk_popover_popdown), add_popover);
  gtk_popover_set_child (GTK_POPOVER (add_popover), add_box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (add_scene), add_popover);
  gtk_widget_set_name (pip, "pip-preset");

  self->remove_scene = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_tooltip_text (self->remove_scene, _("Remove Scene"));
  g_signal_connect (self->remove_scene, "clicked", G_CALLBACK (on_remove_scene), self);

  self->scenes = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->scenes), "boxed-list");
  g_signal_connect (self->scenes, "row-selected", G_CALLBACK (on_scene_selected), self);
  self->sources = GTK_LIST_BOX (gtk_list_box_new ());
  g_signal_connect (self->sources, "row-selected", G_CALLBACK (on_source_selected), self);
  g_signal_connect (self->sources, "row-activated", G_CALLBACK (on_source_activated), self);
  gtk_widget_add_css_class (GTK_WIDGET (self->sources), "boxed-list");

  gtk_box_append (GTK_BOX (inner), heading (_("Scenes"), self->remove_scene, add_scene));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->scenes));
  gtk_box_append (GTK_BOX (inner), heading (_("Sources"), make_add_menu (self), NULL));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->sources));
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  gtk_widget_set_margin_top (inner, 12);
  gtk_widget_set_margin_bottom (inner, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), inner);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self), scroller);

  self->changed_handler = g_signal_connect_swapped (editor, "changed", G_CALLBACK (fill), self);
  self->program_handler = g_signal_connect_swapped (editor, "program-changed",
                                                    G_CALLBACK (watch_program), self);
  self->selected_handler = g_signal_connect_swapped (editor, "selected",
                                                     G_CALLBACK (on_editor_selected), self);
  watch_program (self);
  return GTK_WIDGET (self);
}

GtkWidget *
cb_scenes_panel_get_scene_row (CbScenesPanel *self,
                               guint          index)
{
  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), NULL);
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->scenes, index));
}

GtkWidget *
cb_scenes_panel_get_source_row (CbScenesPanel *self,
                                guint          id)
{
  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), NULL);
  return g_hash_table_lookup (self->source_rows, GUINT_TO_POINTER (id));
}

static gboolean
refill_when_idle (gpointer data)
{
  CbScenesPanel *self = data;

  self->refill_id = 0;
  fill (self);
  return G_SOURCE_REMOVE;
}

static void
refill_later (CbScenesPanel *self)
{
  if (self->refill_id == 0)
    self->refill_id = g_idle_add (refill_when_idle, self);
}

GtkPopover *
cb_scenes_panel_edit_source (CbScenesPanel *self,
                             guint          id)
{
  GtkWidget *row = cb_scenes_panel_get_source_row (self, id);
  GtkWidget *edit;
  GtkPopover *popover;

  g_return_val_if_fail (CB_IS_SCENES_PANEL (self), NULL);

  if (row == NULL)
    return NULL;
  edit = g_object_get_data (G_OBJECT (row), "cb-edit");
  popover = make_popover (self, id);
  gtk_widget_set_parent (GTK_WIDGET (popover), edit);
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  /* The row's Show box follows what the popover changed, once it is closed. */
  g_signal_connect_swapped (popover, "closed", G_CALLBACK (refill_later), self);
  cb_scene_editor_select (self->editor, id);
  gtk_popover_popup (popover);
  return popover;
}
