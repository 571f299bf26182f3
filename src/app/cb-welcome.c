/* cb-welcome.c — the first-run page: camera, microphone, a first destination
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built in code: two combo rows, the destinations panel the sidebar has (over the same
 * list), and a button.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-destination-config.h"
#include "cb-studio.h"
#include "cb-welcome.h"

struct _CbWelcome
{
  AdwBin               parent_instance;

  CbSceneEditor       *editor;
  AdwComboRow         *camera_row;
  AdwComboRow         *mic_row;
  GtkStringList       *camera_labels;
  GtkStringList       *mic_labels;
  GPtrArray           *camera_ids;    /* at the labels' positions; "" for none */
  GPtrArray           *mic_ids;
  CbDestinationsPanel *destinations;
  GtkButton           *done_button;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (CbWelcome, cb_welcome, ADW_TYPE_BIN)

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
cb_welcome_is_first_run (void)
{
  g_autofree char *settings = cb_studio_dup_default_settings_path ();
  g_autofree char *scenes = cb_scene_editor_dup_path ();
  g_autofree char *destinations = cb_destination_config_default_path ();

  return !g_file_test (settings, G_FILE_TEST_EXISTS) && !g_file_test (scenes, G_FILE_TEST_EXISTS) &&
         !g_file_test (destinations, G_FILE_TEST_EXISTS);
}

/* "None" first, then each device. */
static void
fill (GtkStringList *labels,
      GPtrArray     *ids,
      const char    *none,
      GPtrArray     *devices)
{
  gtk_string_list_splice (labels, 0, g_list_model_get_n_items (G_LIST_MODEL (labels)), NULL);
  g_ptr_array_set_size (ids, 0);
  gtk_string_list_append (labels, none);
  g_ptr_array_add (ids, g_strdup (""));
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      CbDevice *device = g_ptr_array_index (devices, i);

      gtk_string_list_append (labels, device->label);
      g_ptr_array_add (ids, g_strdup (device->id));
    }
}

static void
on_devices_listed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  CbWelcome *self = CB_WELCOME (object);
  g_autoptr(GPtrArray) cameras = NULL;
  g_autoptr(GPtrArray) mics = NULL;

  if (!cb_devices_list_finish (result, &cameras, &mics))
    return;
  fill (self->camera_labels, self->camera_ids, _("None (the test pattern)"), cameras);
  fill (self->mic_labels, self->mic_ids, _("None (the test tone)"), mics);
  /* A camera and a microphone when there are: what most people start with. */
  adw_combo_row_set_selected (self->camera_row, cameras->len > 0 ? 1 : 0);
  adw_combo_row_set_selected (self->mic_row, mics->len > 0 ? 1 : 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->camera_row), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_row), TRUE);
}

static const char *
selected_id (AdwComboRow *row,
             GPtrArray   *ids)
{
  guint selected = adw_combo_row_get_selected (row);

  return selected < ids->len ? g_ptr_array_index (ids, selected) : "";
}

/* The chosen devices replace the default scene's test pattern and the mixer's test tone. */
static void
apply (CbWelcome *self)
{
  CbProgram *program = cb_scene_editor_get_program (self->editor);
  const CbSceneCollection *c;
  const char *camera = selected_id (self->camera_row, self->camera_ids);
  const char *mic = selected_id (self->mic_row, self->mic_ids);

  if (program == NULL)
    return;
  c = cb_program_get_collection (program);
  if (camera[0] != '\0')
    {
      CbScene *scene = g_ptr_array_index (c->scenes, c->active);

      while (scene->sources->len > 0)
        cb_program_remove_source (program, ((CbSceneSource *) g_ptr_array_index (scene->sources, 0))->id);
      cb_program_add_source (program, c->active,
                             cb_program_new_source (program, CB_SCENE_SOURCE_CAMERA,
                                                    gtk_string_list_get_string (self->camera_labels,
                                                                                adw_combo_row_get_selected (self->camera_row)),
                                                    camera));
    }
  if (mic[0] != '\0')
    {
      while (c->audio->len > 0)
        cb_program_remove_source (program, ((CbSceneSource *) g_ptr_array_index (c->audio, 0))->id);
      cb_program_add_source (program, 0,
                             cb_program_new_source (program, CB_SCENE_SOURCE_MIC,
                                                    gtk_string_list_get_string (self->mic_labels,
                                                                                adw_combo_row_get_selected (self->mic_row)),
                                                    mic));
    }
  /* Saved even when nothing changed: the next start is not a first one. */
  cb_scene_editor_changed (self->editor);
}

static void
on_done_clicked (GtkButton *button,
                 CbWelcome *self)
{
  apply (self);
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
cb_welcome_dispose (GObject *object)
{
  CbWelcome *self = CB_WELCOME (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->editor);
  g_clear_pointer (&self->camera_ids, g_ptr_array_unref);
  g_clear_pointer (&self->mic_ids, g_ptr_array_unref);
  G_OBJECT_CLASS (cb_welcome_parent_class)->dispose (object);
}

static void
cb_welcome_class_init (CbWelcomeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_welcome_dispose;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cb_welcome_init (CbWelcome *self)
{
  self->camera_ids = g_ptr_array_new_with_free_func (g_free);
  self->mic_ids = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
}

static AdwComboRow *
device_row (const char     *title,
            GtkStringList **labels,
            const char     *listing)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  *labels = gtk_string_list_new ((const char *[]) { listing, NULL });
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (*labels));
  g_object_unref (*labels);    /* the row keeps it */
  gtk_widget_set_sensitive (GTK_WIDGET (row), FALSE);
  return row;
}

GtkWidget *
cb_welcome_new (CbSceneEditor     *editor,
                CbDestinationList *destinations)
{
  CbWelcome *self;
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *title = gtk_label_new (_("Welcome to Castbridge"));
  GtkWidget *intro = gtk_label_new (_("Choose what the studio captures and, if you like, "
                                      "where Go Live sends it. All of it can be changed "
                                      "later: sources in Scenes and Mixer, destinations in "
                                      "Destinations."));
  GtkWidget *devices = adw_preferences_group_new ();
  GtkWidget *first = adw_preferences_group_new ();

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (editor), NULL);
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (destinations), NULL);

  self = g_object_new (CB_TYPE_WELCOME, NULL);
  self->editor = g_object_ref (editor);

  gtk_widget_add_css_class (title, "title-1");
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_justify (GTK_LABEL (intro), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), intro);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (devices), _("Camera and Microphone"));
  self->camera_row = device_row (_("Camera"), &self->camera_labels, _("Looking for cameras…"));
  self->mic_row = device_row (_("Microphone"), &self->mic_labels, _("Looking for microphones…"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (devices), GTK_WIDGET (self->camera_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (devices), GTK_WIDGET (self->mic_row));
  gtk_box_append (GTK_BOX (box), devices);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (first), _("A First Destination"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (first),
                                         _("Optional: Twitch, YouTube, Facebook or any RTMP server."));
  self->destinations = g_object_new (CB_TYPE_DESTINATIONS_PANEL, NULL);
  cb_destinations_panel_set_list (self->destinations, destinations);
  gtk_widget_set_size_request (GTK_WIDGET (self->destinations), -1, 260);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (first), GTK_WIDGET (self->destinations));
  gtk_box_append (GTK_BOX (box), first);

  self->done_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Open the Studio")));
  gtk_widget_add_css_class (GTK_WIDGET (self->done_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->done_button), "pill");
  gtk_widget_set_halign (GTK_WIDGET (self->done_button), GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (GTK_WIDGET (self->done_button), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->done_button), 12);
  g_signal_connect (self->done_button, "clicked", G_CALLBACK (on_done_clicked), self);

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 560);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  /* The button stays in sight below what scrolls. */
  gtk_box_append (GTK_BOX (outer), scroller);
  gtk_box_append (GTK_BOX (outer), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (outer), GTK_WIDGET (self->done_button));
  adw_bin_set_child (ADW_BIN (self), outer);

  cb_devices_list_async (self, self->cancellable, on_devices_listed, NULL);
  return GTK_WIDGET (self);
}

AdwComboRow *
cb_welcome_get_camera_row (CbWelcome *self)
{
  g_return_val_if_fail (CB_IS_WELCOME (self), NULL);
  return self->camera_row;
}

AdwComboRow *
cb_welcome_get_microphone_row (CbWelcome *self)
{
  g_return_val_if_fail (CB_IS_WELCOME (self), NULL);
  return self->mic_row;
}

CbDestinationsPanel *
cb_welcome_get_destinations_panel (CbWelcome *self)
{
  g_return_val_if_fail (CB_IS_WELCOME (self), NULL);
  return self->destinations;
}

GtkButton *
cb_welcome_get_done_button (CbWelcome *self)
{
  g_return_val_if_fail (CB_IS_WELCOME (self), NULL);
  return self->done_button;
}
