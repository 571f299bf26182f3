/* cb-window-sources.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's sources and preview: the video and audio drop-downs (devices listed off
 * the GTK thread, media files chosen with a file chooser) and the preview picture.
 *
 * The preview is a CbLocalSource of the GTK thread, separate from the one the engine
 * makes when the stream goes live (cb_engine_publish_source_async() takes a spec, not a
 * capture). A camera cannot be opened twice, so its preview pauses while it is live;
 * a test pattern or a file is previewed by a second capture of its own.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-window-private.h"
#include "cb-window-studio.h"

static const char *
current_video_spec (CbWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->source_dropdown);

  if (selected < self->video_specs->len && g_ptr_array_index (self->video_specs, selected))
    return g_ptr_array_index (self->video_specs, selected);
  return CB_WINDOW_SCENE_SPEC;
}

static const char *
current_audio_spec (CbWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->mic_dropdown);

  if (selected < self->audio_specs->len)
    return g_ptr_array_index (self->audio_specs, selected);
  return "tone";
}

/* The spec for the engine: video and audio joined, or a file alone. */
char *
cb_window_dup_publish_spec (CbWindow *self)
{
  const char *video = current_video_spec (self);
  const char *audio = current_audio_spec (self);

  if (g_str_has_prefix (video, "file:") || audio == NULL || *audio == '\0' ||
      g_str_equal (video, CB_WINDOW_SCENE_SPEC))
    return g_strdup (video);
  return g_strconcat (video, "+", audio, NULL);
}

/* Live, what the stream publishes; off, what the Video menu has chosen. */
gboolean
cb_window_uses_scenes (CbWindow *self)
{
  if (cb_live_get_state (self->live) != CB_LIVE_OFF)
    return g_strcmp0 (cb_live_get_spec (self->live), CB_WINDOW_SCENE_SPEC) == 0;
  return g_str_equal (current_video_spec (self), CB_WINDOW_SCENE_SPEC);
}

gboolean
cb_window_spec_is_exclusive (const char *spec)
{
  /* A camera opens once; a pattern or a file any number of times. */
  return spec != NULL && (g_str_has_prefix (spec, "camera") || strstr (spec, "+camera") != NULL);
}

static void
add_item (GtkStringList *labels,
          GPtrArray     *specs,
          const char    *label,
          const char    *spec)
{
  gtk_string_list_append (labels, label);
  g_ptr_array_add (specs, g_strdup (spec));
}

static guint
find_spec (GPtrArray  *specs,
           const char *spec)
{
  for (guint i = 0; i < specs->len; i++)
    if (g_strcmp0 (g_ptr_array_index (specs, i), spec) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

/* Rebuilds both lists; @cameras and @mics are CbDevice arrays, or NULL while unknown. */
static void
fill_sources (CbWindow  *self,
              GPtrArray *cameras,
              GPtrArray *mics)
{
  g_autofree char *video = g_strdup (current_video_spec (self));
  g_autofree char *audio = g_strdup (current_audio_spec (self));
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) file_labels = g_ptr_array_new_with_free_func (g_free);
  guint n_video = g_list_model_get_n_items (G_LIST_MODEL (self->video_labels));
  guint n_audio = g_list_model_get_n_items (G_LIST_MODEL (self->audio_labels));
  guint position;

  /* Files chosen earlier stay in the list. */
  for (guint i = 0; i < self->video_specs->len; i++)
    {
      const char *spec = g_ptr_array_index (self->video_specs, i);

      if (spec != NULL && g_str_has_prefix (spec, "file:"))
        {
          g_ptr_array_add (files, g_strdup (spec));
          g_ptr_array_add (file_labels,
                           g_strdup (gtk_string_list_get_string (self->video_labels, i)));
        }
    }

  self->updating_sources = TRUE;

  gtk_string_list_splice (self->video_labels, 0, n_video, NULL);
  g_ptr_array_set_size (self->video_specs, 0);
  gtk_string_list_splice (self->audio_labels, 0, n_audio, NULL);
  g_ptr_array_set_size (self->audio_specs, 0);

  add_item (self->video_labels, self->video_specs, _("Scenes"), CB_WINDOW_SCENE_SPEC);
  add_item (self->video_labels, self->video_specs, _("Test pattern"), "pattern");
  for (guint i = 0; cameras != NULL && i < cameras->len; i++)
    {
      CbDevice *device = g_ptr_array_index (cameras, i);
      g_autofree char *spec = g_strconcat ("camera:", device->id, NULL);

      add_item (self->video_labels, self->video_specs, device->label, spec);
    }
  for (guint i = 0; i < files->len; i++)
    add_item (self->video_labels, self->video_specs,
              g_ptr_array_index (file_labels, i), g_ptr_array_index (files, i));
  add_item (self->video_labels, self->video_specs, _("Media file…"), NULL);

  add_item (self->audio_labels, self->audio_specs, _("Test tone"), "tone");
  add_item (self->audio_labels, self->audio_specs, _("No audio"), "");
  for (guint i = 0; mics != NULL && i < mics->len; i++)
    {
      CbDevice *device = g_ptr_array_index (mics, i);
      g_autofree char *spec = g_strconcat ("mic:", device->id, NULL);

      add_item (self->audio_labels, self->audio_specs, device->label, spec);
    }

  position = find_spec (self->video_specs, video);
  self->video_selected = position != GTK_INVALID_LIST_POSITION ? position : 0;
  gtk_drop_down_set_selected (self->source_dropdown, self->video_selected);
  position = find_spec (self->audio_specs, audio);
  gtk_drop_down_set_selected (self->mic_dropdown,
                              position != GTK_INVALID_LIST_POSITION ? position : 0);

  self->updating_sources = FALSE;

  /* The camera that was previewed may be gone. */
  if (g_strcmp0 (video, current_video_spec (self)) != 0)
    {
      cb_window_live_sync_actions (self);
      cb_window_restart_preview (self);
    }
}

static void
on_devices_listed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CbWindow *self = CB_WINDOW (object);
  g_autoptr(GPtrArray) cameras = NULL;
  g_autoptr(GPtrArray) mics = NULL;

  if (!cb_devices_list_finish (result, &cameras, &mics))
    return;
  g_debug ("%u cameras, %u microphones", cameras->len, mics->len);
  fill_sources (self, cameras, mics);
}

static void
list_devices (CbWindow *self)
{
  cb_devices_list_async (self, self->cancellable, on_devices_listed, NULL);
}

/* Preview. */

static void
show_preview_message (CbWindow   *self,
                      const char *icon_name,
                      const char *title,
                      const char *description)
{
  adw_status_page_set_icon_name (self->preview_status, icon_name);
  adw_status_page_set_title (self->preview_status, title);
  adw_status_page_set_description (self->preview_status, description);
  adw_status_page_set_child (self->preview_status, NULL);
  gtk_stack_set_visible_child_name (self->preview_stack, "message");
}

/* studio_preview: whether the window draws the preview. Off, nothing makes frames for it
 * (the scene's preview branch is shut, a camera is not opened for it); the stream goes on
 * as it is. */
static gboolean
preview_wanted (CbWindow *self)
{
  return cb_settings_get_bool (cb_studio_get_gui_settings (self->studio), "studio_preview");
}

static void
show_preview_off (CbWindow *self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Show _Preview"));

  show_preview_message (self, "view-conceal-symbolic", _("Preview Off"),
                        _("The stream goes on as it is. Without the preview the studio uses "
                          "less of the computer."));
  /* Shown only while it is off: a toggle of it turns it on. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.preview");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  adw_status_page_set_child (self->preview_status, button);
}

static void
action_preview (GSimpleAction *action,
                GVariant      *state,
                gpointer       data)
{
  CbWindow *self = data;
  g_autoptr(GError) error = NULL;
  gboolean on = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  if (on != preview_wanted (self) &&
      !cb_studio_change_setting (self->studio, "studio_preview", on ? "true" : "false", &error))
    g_warning ("The preview setting cannot be kept: %s", error->message);
  cb_window_restart_preview (self);
}

void
cb_window_stop_preview (CbWindow *self)
{
  if (self->preview_source != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->preview_source, self);
      cb_local_source_set_preview (self->preview_source, NULL, NULL, NULL);
      cb_local_source_stop (self->preview_source);
      g_clear_object (&self->preview_source);
    }
  cb_window_studio_stop_preview (self);
  gtk_picture_set_paintable (self->preview_picture, NULL);
  g_clear_object (&self->preview);
}

static void
on_preview_source_error (CbLocalSource *source,
                         const GError  *error,
                         CbWindow      *self)
{
  g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_STREAM, NULL);

  g_debug ("Preview of %s failed: %s", cb_local_source_get_spec (source), error->message);
  cb_window_stop_preview (self);
  show_preview_message (self, "camera-disabled-symbolic", _("No Preview"), message);
}

static void
on_preview_source_eos (CbLocalSource *source,
                       CbWindow      *self)
{
  /* A file came to its end: the last frame stays. */
  g_debug ("Preview of %s ended", cb_local_source_get_spec (source));
}

void
cb_window_restart_preview (CbWindow *self)
{
  g_autoptr(CbLocalSource) source = NULL;
  g_autoptr(GError) error = NULL;
  const char *spec = current_video_spec (self);

  cb_window_stop_preview (self);

  if (!preview_wanted (self))
    {
      show_preview_off (self);
      return;
    }
  if (cb_live_get_state (self->live) != CB_LIVE_OFF &&
      cb_window_spec_is_exclusive (cb_live_get_spec (self->live)))
    {
      show_preview_message (self, "camera-video-symbolic", _("The Camera Is Live"),
                            _("The preview comes back when the stream stops."));
      return;
    }
  if (g_str_equal (spec, CB_WINDOW_SCENE_SPEC))
    {
      cb_window_studio_show_preview (self);
      return;
    }

  source = cb_local_source_new (spec, &error);
  if (source == NULL)
    {
      g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_STREAM, NULL);

      g_debug ("No preview for %s: %s", spec, error->message);
      show_preview_message (self, "camera-disabled-symbolic", _("No Preview"), message);
      return;
    }

  self->preview = cb_preview_paintable_new ();
  cb_local_source_set_preview (source, cb_preview_paintable_preview_func,
                               g_object_ref (self->preview), g_object_unref);
  g_signal_connect (source, "error", G_CALLBACK (on_preview_source_error), self);
  g_signal_connect (source, "eos", G_CALLBACK (on_preview_source_eos), self);

  if (!cb_local_source_start (source, &error))
    {
      g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_STREAM, NULL);

      g_debug ("No preview for %s: %s", spec, error->message);
      g_signal_handlers_disconnect_by_data (source, self);
      cb_local_source_set_preview (source, NULL, NULL, NULL);
      g_clear_object (&self->preview);
      show_preview_message (self, "camera-disabled-symbolic", _("No Preview"), message);
      return;
    }

  self->preview_source = g_steal_pointer (&source);
  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (self->preview));
  gtk_stack_set_visible_child_name (self->preview_stack, "picture");
}

static void
select_video (CbWindow *self,
              guint     position)
{
  self->video_selected = position;
  self->updating_sources = TRUE;
  gtk_drop_down_set_selected (self->source_dropdown, position);
  self->updating_sources = FALSE;
  cb_window_live_sync_actions (self);
}

static void
on_file_chooser_response (GtkNativeDialog *dialog,
                          int              response,
                          CbWindow        *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->file_chooser);

  if (file == NULL || !cb_window_use_file (self, file))
    {
      if (file != NULL)
        cb_window_show_toast (self, _("Only files on this computer can be used"));
      /* Back to what was chosen before "Media file…". */
      select_video (self, self->video_selected);
    }
}

static void
choose_file (CbWindow *self)
{
  g_autoptr(GtkFileFilter) media = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->file_chooser != NULL)
    return;

  /* GtkFileDialog is GTK 4.10; this is 4.8. */
  self->file_chooser = gtk_file_chooser_native_new (_("Choose a Media File"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN,
                                                    _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (media, _("Video and audio files"));
  gtk_file_filter_add_mime_type (media, "video/*");
  gtk_file_filter_add_mime_type (media, "audio/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->file_chooser), media);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->file_chooser), all);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->file_chooser), TRUE);
  g_signal_connect (self->file_chooser, "response", G_CALLBACK (on_file_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
}

static void
on_source_dropdown_selected (GtkDropDown *dropdown,
                             GParamSpec  *pspec,
                             CbWindow    *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_sources || selected >= self->video_specs->len)
    return;

  if (g_ptr_array_index (self->video_specs, selected) == NULL)
    {
      choose_file (self);
      return;
    }

  self->video_selected = selected;
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_dropdown),
                            !g_str_has_prefix (current_video_spec (self), "file:"));
  cb_window_live_sync_actions (self);
  cb_window_restart_preview (self);
}

gboolean
cb_window_use_file (CbWindow *self,
                    GFile    *file)
{
  g_autofree char *path = NULL;
  g_autofree char *spec = NULL;
  guint position;

  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL || cb_live_get_state (self->live) != CB_LIVE_OFF)
    return FALSE;

  spec = g_strconcat ("file:", path, NULL);
  position = find_spec (self->video_specs, spec);
  if (position == GTK_INVALID_LIST_POSITION)
    {
      g_autofree char *label = g_file_get_basename (file);

      /* Before the "Media file…" item, which stays last. */
      position = self->video_specs->len - 1;
      self->updating_sources = TRUE;
      gtk_string_list_splice (self->video_labels, position, 0,
                              (const char * const[]) { label, NULL });
      g_ptr_array_insert (self->video_specs, position, g_steal_pointer (&spec));
      self->updating_sources = FALSE;
    }

  select_video (self, position);
  /* A file brings its own sound. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_dropdown), FALSE);
  cb_window_restart_preview (self);
  return TRUE;
}

/* Off: the sources can change; live, they are what the stream carries. */
void
cb_window_sources_set_editable (CbWindow *self,
                                gboolean  editable)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->source_dropdown), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_dropdown),
                            editable && !g_str_has_prefix (current_video_spec (self), "file:"));
}

/* The drop-downs' own labels ellipsize (the header bar must fit 1024 pixels, in longer
 * languages too); their lists show the whole names. */
static void
on_label_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
      gtk_label_set_width_chars (GTK_LABEL (label), 5);
    }
  gtk_list_item_set_child (item, label);
}

static void
on_label_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  ellipsize)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_label (GTK_LABEL (label), text);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_widget_set_tooltip_text (label, text);
}

static GtkListItemFactory *
label_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_label_setup), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (on_label_bind), GINT_TO_POINTER (ellipsize));
  return factory;
}

void
cb_window_sources_setup (CbWindow *self)
{
  static const GActionEntry actions[] = {
    { "preview", NULL, NULL, "true", action_preview },
  };
  GtkDropDown *dropdowns[] = { self->source_dropdown, self->mic_dropdown };
  GAction *preview;

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  preview = g_action_map_lookup_action (G_ACTION_MAP (self), "preview");
  g_simple_action_set_state (G_SIMPLE_ACTION (preview), g_variant_new_boolean (preview_wanted (self)));

  for (guint i = 0; i < G_N_ELEMENTS (dropdowns); i++)
    {
      g_autoptr(GtkListItemFactory) button = label_factory (TRUE);
      g_autoptr(GtkListItemFactory) list = label_factory (FALSE);

      gtk_drop_down_set_factory (dropdowns[i], button);
      gtk_drop_down_set_list_factory (dropdowns[i], list);
    }

  fill_sources (self, NULL, NULL);
  list_devices (self);
}

void
cb_window_sources_dispose (CbWindow *self)
{
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }
  if (self->preview_picture != NULL)
    cb_window_stop_preview (self);
}

void
cb_window_sources_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, CbWindow, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, mic_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_status);
  gtk_widget_class_bind_template_callback (widget_class, on_source_dropdown_selected);
}
