/* cb-window.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview is a CbLocalSource of the GTK thread, separate from the one the engine
 * makes when the stream goes live (cb_engine_publish_source_async() takes a spec, not a
 * capture). A camera cannot be opened twice, so its preview pauses while it is live;
 * a test pattern or a file is previewed by a second capture of its own.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "cb-destination-config.h"
#include "cb-destinations-panel.h"
#include "cb-local-source.h"
#include "cb-player-window.h"
#include "cb-preview-paintable.h"
#include "cb-window-studio.h"
#include "cb-publish-target.h"
#include "cb-rtmp-pull.h"
#include "cb-recordings-panel.h"
#include "cb-streams-panel.h"
#include "cb-window-private.h"

G_DEFINE_FINAL_TYPE (CbWindow, cb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STUDIO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void cb_window_restart_preview (CbWindow *self);

/* Messages. Engine errors are in English for logs and REST; people get these. */

static char *
describe_error (const GError *error,
                const char   *name)
{
  if (error->domain == CB_ENGINE_ERROR)
    {
      switch ((CbEngineError) error->code)
        {
        case CB_ENGINE_ERROR_INVALID:
          if (name != NULL)
            return g_strdup_printf (_("“%s” cannot be used as a stream name"), name);
          return g_strdup (_("The source cannot be used"));
        case CB_ENGINE_ERROR_NOT_FOUND:
          return g_strdup (_("The stream is gone"));
        case CB_ENGINE_ERROR_EXISTS:
          return g_strdup_printf (_("A stream named “%s” is already live"),
                                  name != NULL ? name : "");
        case CB_ENGINE_ERROR_NO_DEVICE:
          return g_strdup (_("The camera or microphone is not available"));
        case CB_ENGINE_ERROR_FILE_NOT_FOUND:
          return g_strdup (_("The media file was not found"));
        case CB_ENGINE_ERROR_BAD_FORMAT:
          return g_strdup (_("The file cannot be played as video or audio"));
        case CB_ENGINE_ERROR_MISSING_PLUGIN:
          return g_strdup_printf (_("A GStreamer plugin is missing: %s"), error->message);
        case CB_ENGINE_ERROR_FAILED:
        default:
          break;
        }
    }
  return g_strdup_printf (_("Something went wrong: %s"), error->message);
}

void
cb_window_show_toast (CbWindow   *self,
                      const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Sources. */

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
static char *
dup_publish_spec (CbWindow *self)
{
  const char *video = current_video_spec (self);
  const char *audio = current_audio_spec (self);

  if (g_str_has_prefix (video, "file:") || audio == NULL || *audio == '\0' ||
      g_str_equal (video, CB_WINDOW_SCENE_SPEC))
    return g_strdup (video);
  return g_strconcat (video, "+", audio, NULL);
}

static gboolean
spec_is_exclusive (const char *spec)
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
    cb_window_restart_preview (self);
}

typedef struct
{
  GPtrArray *cameras;
  GPtrArray *mics;
} DeviceLists;

static void
device_lists_free (gpointer data)
{
  DeviceLists *lists = data;

  g_clear_pointer (&lists->cameras, g_ptr_array_unref);
  g_clear_pointer (&lists->mics, g_ptr_array_unref);
  g_free (lists);
}

/* Probing devices can take a moment (PipeWire, PulseAudio): off the GTK thread. */
static void
list_devices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  DeviceLists *lists = g_new0 (DeviceLists, 1);

  lists->cameras = cb_devices_list (CB_MEDIA_VIDEO);
  lists->mics = cb_devices_list (CB_MEDIA_AUDIO);
  g_task_return_pointer (task, lists, device_lists_free);
}

static void
on_devices_listed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CbWindow *self = CB_WINDOW (object);
  DeviceLists *lists = g_task_propagate_pointer (G_TASK (result), NULL);

  if (lists == NULL)
    return;

  g_debug ("%u cameras, %u microphones",
           lists->cameras != NULL ? lists->cameras->len : 0,
           lists->mics != NULL ? lists->mics->len : 0);
  fill_sources (self, lists->cameras, lists->mics);
  device_lists_free (lists);
}

static void
list_devices (CbWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_devices_listed, NULL);

  g_task_set_source_tag (task, list_devices);
  g_task_run_in_thread (task, list_devices_thread);
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
  gtk_stack_set_visible_child_name (self->preview_stack, "message");
}

static void
stop_preview (CbWindow *self)
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
  g_autofree char *message = describe_error (error, NULL);

  g_debug ("Preview of %s failed: %s", cb_local_source_get_spec (source), error->message);
  stop_preview (self);
  show_preview_message (self, "camera-disabled-symbolic", _("No Preview"), message);
}

static void
on_preview_source_eos (CbLocalSource *source,
                       CbWindow      *self)
{
  /* A file came to its end: the last frame stays. */
  g_debug ("Preview of %s ended", cb_local_source_get_spec (source));
}

static void
cb_window_restart_preview (CbWindow *self)
{
  g_autoptr(CbLocalSource) source = NULL;
  g_autoptr(GError) error = NULL;
  const char *spec = current_video_spec (self);

  stop_preview (self);

  if (self->live_state != LIVE_OFF && spec_is_exclusive (self->live_spec))
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
      g_autofree char *message = describe_error (error, NULL);

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
      g_autofree char *message = describe_error (error, NULL);

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
  if (path == NULL || self->live_state != LIVE_OFF)
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

/* Going live. */

static void
update_live_ui (CbWindow *self)
{
  gboolean off = self->live_state == LIVE_OFF;
  gboolean busy = self->live_state == LIVE_STARTING || self->live_state == LIVE_STOPPING;
  gboolean on = self->live_state == LIVE_ON || self->live_state == LIVE_STOPPING;
  GtkWidget *button = GTK_WIDGET (self->live_button);

  gtk_widget_set_sensitive (GTK_WIDGET (self->source_dropdown), off);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mic_dropdown),
                            off && !g_str_has_prefix (current_video_spec (self), "file:"));
  gtk_editable_set_editable (GTK_EDITABLE (self->name_entry), off);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), off);
  gtk_widget_set_sensitive (button, !busy);
  gtk_widget_set_visible (self->live_badge, self->live_state == LIVE_ON);

  gtk_label_set_label (self->live_label, on ? _("_Stop") : _("_Go Live"));
  cb_window_record_sync (self);
  if (on)
    {
      gtk_widget_remove_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "suggested-action");
    }
}

static void on_live_button_toggled (GtkToggleButton *button,
                                    CbWindow        *self);

static void
set_live_button_active (CbWindow *self,
                        gboolean  active)
{
  g_signal_handlers_block_by_func (self->live_button, on_live_button_toggled, self);
  gtk_toggle_button_set_active (self->live_button, active);
  g_signal_handlers_unblock_by_func (self->live_button, on_live_button_toggled, self);
}

static void
go_offline (CbWindow *self)
{
  cb_publish_target_stop (self->publish_target);
  self->live_state = LIVE_OFF;
  self->live_row_seen = FALSE;
  g_clear_pointer (&self->live_name, g_free);
  g_clear_pointer (&self->live_session_id, g_free);
  set_live_button_active (self, FALSE);
  update_live_ui (self);
  cb_window_restart_preview (self);
  g_clear_pointer (&self->live_spec, g_free);
}

static void
on_publish_ready (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CbWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  CbStreamInfo *info;

  info = cb_engine_publish_source_finish (CB_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (info == NULL)
    {
      g_autofree char *message = describe_error (error, self->live_name);

      g_debug ("Publishing “%s” failed: %s", self->live_name, error->message);
      cb_window_show_toast (self, message);
      go_offline (self);
      return;
    }

  g_debug ("Live as “%s” (%s)", info->name, info->media_session_id);
  g_free (self->live_session_id);
  self->live_session_id = g_strdup (info->media_session_id);
  cb_stream_info_free (info);

  self->live_state = LIVE_ON;
  self->live_row_seen = cb_stream_list_lookup (self->streams, self->live_name) != NULL;
  update_live_ui (self);
  /* Another server too, when one is chosen: it needs the stream to exist first. */
  cb_publish_target_start (self->publish_target, self->live_name);
}

static void
start_live (CbWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *name = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  if (!cb_engine_validate_stream_name (name, &error))
    {
      g_autofree char *message = describe_error (error, name);

      cb_window_show_toast (self, message);
      set_live_button_active (self, FALSE);
      return;
    }

  self->live_state = LIVE_STARTING;
  self->live_name = g_steal_pointer (&name);
  self->live_spec = dup_publish_spec (self);
  update_live_ui (self);

  /* The engine opens the devices itself: let go of a camera first. */
  if (spec_is_exclusive (self->live_spec))
    cb_window_restart_preview (self);

  cb_engine_publish_source_async (self->engine, self->live_name, self->live_spec,
                                  self->cancellable, on_publish_ready, g_object_ref (self));
}

static void
on_unpublish_ready (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CbWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cb_engine_unpublish_finish (CB_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Gone already (stopped over REST, say): that is what was asked for. */
      if (!g_error_matches (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND))
        {
          g_autofree char *message = describe_error (error, self->live_name);

          g_warning ("Stopping “%s” failed: %s", self->live_name, error->message);
          cb_window_show_toast (self, message);
        }
    }

  go_offline (self);
}

static void
stop_live (CbWindow *self)
{
  self->live_state = LIVE_STOPPING;
  update_live_ui (self);
  cb_publish_target_stop (self->publish_target);
  cb_engine_unpublish_async (self->engine, self->live_name, self->cancellable,
                             on_unpublish_ready, g_object_ref (self));
}

static void
on_live_button_toggled (GtkToggleButton *button,
                        CbWindow        *self)
{
  gboolean active = gtk_toggle_button_get_active (button);

  if (active && self->live_state == LIVE_OFF)
    start_live (self);
  else if (!active && self->live_state == LIVE_ON)
    stop_live (self);
}

/* The stream can end without us: stopped over REST, the camera unplugged, a file at its
 * end. The registry says so. */
static void
check_live_stream (CbWindow *self)
{
  CbStreamRow *row;

  if (self->live_state != LIVE_ON)
    return;

  row = cb_stream_list_lookup (self->streams, self->live_name);
  if (row != NULL)
    {
      self->live_row_seen = TRUE;
      return;
    }

  if (self->live_row_seen)
    {
      g_autofree char *message = g_strdup_printf (_("The stream “%s” has ended"),
                                                  self->live_name);

      cb_window_show_toast (self, message);
      go_offline (self);
    }
}

static void
on_streams_items_changed (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          CbWindow   *self)
{
  check_live_stream (self);
}

/* Destinations. */

static void
on_destination_operation_failed (CbDestinationList *list,
                                 CbDestination     *destination,
                                 const char        *message,
                                 CbWindow          *self)
{
  cb_window_show_toast (self, message);
}

static void
on_name_entry_changed (GtkEditable *editable,
                       CbWindow    *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  /* New destinations push the studio's own stream unless told otherwise. */
  cb_destinations_panel_set_default_stream (self->destinations_panel, name);
  cb_publish_target_set_default_name (self->publish_target, name);
}

static void
on_publish_target_failed (CbPublishTarget *target,
                          const char      *message,
                          CbWindow        *self)
{
  cb_window_show_toast (self, message);
}

/* GObject. */

/* Connect OBS: where OBS on this machine or the local network reaches the RTMP ingest. */

static char *
dup_lan_address (const char *bind_address)
{
  struct ifaddrs *addrs = NULL;
  char *found = NULL;

  if (bind_address != NULL && *bind_address != '\0' && strcmp (bind_address, "0.0.0.0") != 0
      && strcmp (bind_address, "::") != 0)
    return g_strdup (bind_address);

  /* The first running IPv4 interface that is not loopback: what another computer on the
   * network (or OBS here) can use. */
  if (getifaddrs (&addrs) == 0)
    {
      for (struct ifaddrs *a = addrs; a != NULL && found == NULL; a = a->ifa_next)
        {
          g_autoptr(GInetAddress) address = NULL;

          if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET
              || (a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
          address = g_inet_address_new_from_bytes (
            (const guint8 *) &((struct sockaddr_in *) a->ifa_addr)->sin_addr,
            G_SOCKET_FAMILY_IPV4);
          found = g_inet_address_to_string (address);
        }
      freeifaddrs (addrs);
    }
  return found != NULL ? found : g_strdup ("127.0.0.1");
}

typedef struct
{
  GWeakRef      window;
  CbEngine     *engine;
  GMainContext *ui_context;
  char         *publish_key;
} KeyFetch;

static void
key_fetch_free (gpointer data)
{
  KeyFetch *fetch = data;

  g_weak_ref_clear (&fetch->window);
  g_clear_object (&fetch->engine);
  g_clear_pointer (&fetch->ui_context, g_main_context_unref);
  g_free (fetch->publish_key);
  g_free (fetch);
}

static gboolean
key_fetch_show (gpointer data)
{
  KeyFetch *fetch = data;
  g_autoptr(CbWindow) self = g_weak_ref_get (&fetch->window);
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  guint rtmp_port;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  rtmp_port = cb_studio_get_rtmp_port (self->studio);
  if (rtmp_port != 0)
    {
      host = dup_lan_address (cb_studio_get_bind_address (self->studio));
      url = g_strdup_printf ("rtmp://%s:%u/live", host, rtmp_port);
    }
  cb_streams_panel_set_rtmp_ingest (self->streams_panel, url, fetch->publish_key);
  return G_SOURCE_REMOVE;
}

/* On the engine's context: the settings belong to it. */
static gboolean
key_fetch_read (gpointer data)
{
  KeyFetch *fetch = data;
  CbSettings *settings = cb_engine_get_settings (fetch->engine);
  GMainContext *ui_context = fetch->ui_context;

  fetch->publish_key = g_strdup (cb_settings_get_string (settings, "rtmp_publish_key"));
  g_main_context_invoke_full (ui_context, G_PRIORITY_DEFAULT, key_fetch_show, fetch,
                              key_fetch_free);
  return G_SOURCE_REMOVE;
}

static void
update_rtmp_ingest (CbWindow *self)
{
  KeyFetch *fetch = g_new0 (KeyFetch, 1);

  g_weak_ref_init (&fetch->window, self);
  fetch->engine = g_object_ref (self->engine);
  fetch->ui_context = g_main_context_ref_thread_default ();
  /* The fetch is handed on to the UI context by key_fetch_read(), which frees it there. */
  cb_engine_invoke (self->engine, key_fetch_read, fetch, NULL);
}

/* RTMP pulls, asked for in the Streams panel, done on the engine's context. */

typedef struct
{
  GWeakRef      window;
  CbEngine     *engine;
  GMainContext *ui_context;
  gboolean      remove;
  char         *uri;
  char         *name;
  GError       *error;
} PullOp;

static void
pull_op_free (gpointer data)
{
  PullOp *op = data;

  g_weak_ref_clear (&op->window);
  g_clear_object (&op->engine);
  g_clear_pointer (&op->ui_context, g_main_context_unref);
  g_free (op->uri);
  g_free (op->name);
  g_clear_error (&op->error);
  g_free (op);
}

static gboolean
pull_op_done (gpointer data)
{
  PullOp *op = data;
  g_autoptr(CbWindow) self = g_weak_ref_get (&op->window);
  g_autofree char *message = NULL;

  if (self == NULL || op->error == NULL)
    return G_SOURCE_REMOVE;

  g_debug ("RTMP pull %s failed: %s", op->remove ? "removal" : "start", op->error->message);
  if (op->error->domain == CB_ENGINE_ERROR && op->error->code == CB_ENGINE_ERROR_INVALID)
    message = g_strdup (_("This is not an RTMP address, or the name cannot be used"));
  else if (op->error->domain == CB_ENGINE_ERROR && op->error->code == CB_ENGINE_ERROR_EXISTS)
    message = g_strdup (_("This address is already pulled, or the name is in use"));
  else
    message = describe_error (op->error, op->name);
  cb_window_show_toast (self, message);
  return G_SOURCE_REMOVE;
}

static gboolean
pull_op_run (gpointer data)
{
  PullOp *op = data;
  GMainContext *ui_context = op->ui_context;

  if (!op->remove)
    {
      g_autoptr(CbRtmpPullInfo) info = cb_rtmp_pull_start (op->engine, op->uri, op->name,
                                                          FALSE, &op->error);
    }
  else
    {
      /* The pull list only has masked URIs (no key), which need not match the pull:
       * end its stream instead, as /pull/rtmp/terminate does. */
      g_autoptr(GPtrArray) pulls = cb_rtmp_pull_list (op->engine);
      g_autoptr(CbStream) stream = NULL;
      gboolean pulled = FALSE;

      for (guint i = 0; i < pulls->len; i++)
        {
          CbRtmpPullInfo *info = g_ptr_array_index (pulls, i);

          pulled |= g_strcmp0 (info->local_stream_name, op->name) == 0;
        }
      if (pulled)
        stream = cb_engine_lookup_stream (op->engine, op->name);
      if (stream != NULL)
        cb_engine_remove_stream (op->engine, stream, CB_STREAM_UNPUBLISHED,
                                 "Stopped in the studio");
      else
        g_set_error_literal (&op->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND,
                             "Pull not found");
    }
  g_main_context_invoke_full (ui_context, G_PRIORITY_DEFAULT, pull_op_done, op, pull_op_free);
  return G_SOURCE_REMOVE;
}

static void
run_pull_op (CbWindow   *self,
             gboolean    remove,
             const char *uri,
             const char *name)
{
  PullOp *op = g_new0 (PullOp, 1);

  g_weak_ref_init (&op->window, self);
  op->engine = g_object_ref (self->engine);
  op->ui_context = g_main_context_ref_thread_default ();
  op->remove = remove;
  op->uri = g_strdup (uri);
  op->name = g_strdup (name);
  /* Handed on to the UI context by pull_op_run(), which frees it there. */
  cb_engine_invoke (self->engine, pull_op_run, op, NULL);
}

static void
on_streams_panel_pull_requested (CbStreamsPanel *panel,
                                 const char     *uri,
                                 const char     *name,
                                 CbWindow       *self)
{
  run_pull_op (self, FALSE, uri, name);
}

static void
on_streams_panel_remove_pull_requested (CbStreamsPanel *panel,
                                        const char     *name,
                                        CbWindow       *self)
{
  run_pull_op (self, TRUE, NULL, name);
}

/* Players: one window per stream name. */

static void
on_player_destroy (CbPlayerWindow *player,
                   CbWindow       *self)
{
  const char *name = cb_player_window_get_stream_name (player);

  if (g_hash_table_lookup (self->players, name) == player)
    g_hash_table_remove (self->players, name);
}

void
cb_window_play (CbWindow   *self,
                const char *stream_name)
{
  CbPlayerWindow *player = g_hash_table_lookup (self->players, stream_name);

  if (player == NULL)
    {
      player = cb_player_window_new (self->studio, stream_name);
      gtk_window_set_transient_for (GTK_WINDOW (player), GTK_WINDOW (self));
      g_hash_table_insert (self->players, g_strdup (stream_name), player);
      g_signal_connect_object (player, "destroy", G_CALLBACK (on_player_destroy), self, 0);
    }
  gtk_window_present (GTK_WINDOW (player));
}

static void
on_streams_panel_play_requested (CbStreamsPanel *panel,
                                 const char     *name,
                                 CbWindow       *self)
{
  cb_window_play (self, name);
}

static void
close_players (CbWindow *self)
{
  g_autoptr(GList) players = NULL;

  if (self->players == NULL)
    return;
  /* Each one leaves the table as it goes. */
  players = g_hash_table_get_values (self->players);
  for (GList *l = players; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_hash_table_remove_all (self->players);
}

static void
update_server_info (CbWindow *self)
{
  g_autofree char *info = NULL;
  guint http_port = cb_studio_get_http_port (self->studio);
  guint ws_port = cb_studio_get_ws_port (self->studio);
  guint rtmp_port = cb_studio_get_rtmp_port (self->studio);

  if (http_port != 0 && rtmp_port != 0)
    info = g_strdup_printf (_("Server ports: REST %u · WebSocket %u · RTMP %u"), http_port,
                            ws_port, rtmp_port);
  else if (http_port != 0)
    info = g_strdup_printf (_("Server ports: REST %u · WebSocket %u"), http_port, ws_port);
  else
    info = g_strdup (_("Server is not running"));
  cb_streams_panel_set_server_info (self->streams_panel, info);
}

static void
cb_window_constructed (GObject *object)
{
  CbWindow *self = CB_WINDOW (object);
  g_autofree char *config_path = cb_destination_config_default_path ();

  G_OBJECT_CLASS (cb_window_parent_class)->constructed (object);

  g_assert (CB_IS_STUDIO (self->studio));

  self->engine = g_object_ref (cb_studio_get_engine (self->studio));
  self->streams = cb_stream_list_new (self->engine);
  g_signal_connect_object (self->streams, "items-changed",
                           G_CALLBACK (on_streams_items_changed), self, 0);
  cb_streams_panel_set_model (self->streams_panel, G_LIST_MODEL (self->streams));
  g_signal_connect_object (self->streams_panel, "pull-requested",
                           G_CALLBACK (on_streams_panel_pull_requested), self, 0);
  g_signal_connect_object (self->streams_panel, "remove-pull-requested",
                           G_CALLBACK (on_streams_panel_remove_pull_requested), self, 0);
  g_signal_connect_object (self->streams_panel, "play-requested",
                           G_CALLBACK (on_streams_panel_play_requested), self, 0);

  cb_publish_target_set_engine (self->publish_target, self->engine);
  g_signal_connect_object (self->publish_target, "failed",
                           G_CALLBACK (on_publish_target_failed), self, 0);

  self->destinations = cb_destination_list_new (self->engine, config_path);
  g_signal_connect_object (self->destinations, "operation-failed",
                           G_CALLBACK (on_destination_operation_failed), self, 0);
  cb_destinations_panel_set_list (self->destinations_panel, self->destinations);
  g_signal_connect_object (self->name_entry, "changed", G_CALLBACK (on_name_entry_changed),
                           self, 0);
  on_name_entry_changed (GTK_EDITABLE (self->name_entry), self);

  cb_window_record_setup (self);
  cb_window_studio_setup (self);

  update_server_info (self);
  update_rtmp_ingest (self);
  if (cb_studio_get_server_error (self->studio) != NULL)
    cb_window_show_toast (self, _("The usual ports are taken: the server listens on other ones"));

  fill_sources (self, NULL, NULL);
  list_devices (self);
  update_live_ui (self);
  cb_window_restart_preview (self);
}

static void
cb_window_dispose (GObject *object)
{
  CbWindow *self = CB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);

  /* Closing the window ends the stream it started. */
  if (self->live_name != NULL && self->engine != NULL)
    cb_engine_unpublish_async (self->engine, self->live_name, NULL, NULL, NULL);
  g_clear_pointer (&self->live_name, g_free);

  /* They play from this window's studio. */
  close_players (self);

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
      g_clear_object (&self->file_chooser);
    }

  if (self->preview_picture != NULL)
    stop_preview (self);

  cb_window_record_dispose (self);
  cb_window_studio_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_WINDOW);

  /* The list empties itself as it goes: nothing to check about it any more. */
  if (self->streams != NULL)
    g_signal_handlers_disconnect_by_data (self->streams, self);
  g_clear_object (&self->streams);
  g_clear_object (&self->destinations);
  g_clear_object (&self->recordings);
  g_clear_object (&self->engine);
  g_clear_object (&self->studio);

  G_OBJECT_CLASS (cb_window_parent_class)->dispose (object);
}

static void
cb_window_finalize (GObject *object)
{
  CbWindow *self = CB_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->video_labels);
  g_clear_pointer (&self->video_specs, g_ptr_array_unref);
  g_clear_object (&self->audio_labels);
  g_clear_pointer (&self->audio_specs, g_ptr_array_unref);
  g_free (self->live_spec);
  g_free (self->live_session_id);
  g_clear_pointer (&self->players, g_hash_table_unref);

  G_OBJECT_CLASS (cb_window_parent_class)->finalize (object);
}

static void
cb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CbWindow *self = CB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      g_value_set_object (value, self->studio);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CbWindow *self = CB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      self->studio = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_window_class_init (CbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cb_window_constructed;
  object_class->dispose = cb_window_dispose;
  object_class->finalize = cb_window_finalize;
  object_class->get_property = cb_window_get_property;
  object_class->set_property = cb_window_set_property;

  properties[PROP_STUDIO] =
    g_param_spec_object ("studio", NULL, NULL, CB_TYPE_STUDIO,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CB_TYPE_STREAMS_PANEL);
  g_type_ensure (CB_TYPE_DESTINATIONS_PANEL);
  g_type_ensure (CB_TYPE_RECORDINGS_PANEL);
  g_type_ensure (CB_TYPE_PUBLISH_TARGET);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CbWindow, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, mic_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_label);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, publish_target);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, preview_status);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_badge);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, streams_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, destinations_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, destinations_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, recordings_page);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, recordings_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_indicator);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_time_label);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_size_label);
  gtk_widget_class_bind_template_callback (widget_class, on_live_button_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_source_dropdown_selected);
  cb_window_record_class_init (widget_class);
}

static void
cb_window_init (CbWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->video_labels = gtk_string_list_new (NULL);
  self->video_specs = g_ptr_array_new_with_free_func (g_free);
  self->audio_labels = gtk_string_list_new (NULL);
  self->audio_specs = g_ptr_array_new_with_free_func (g_free);
  self->players = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_model (self->source_dropdown, G_LIST_MODEL (self->video_labels));
  gtk_drop_down_set_model (self->mic_dropdown, G_LIST_MODEL (self->audio_labels));
}

CbWindow *
cb_window_new (GtkApplication *application,
               CbStudio       *studio)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CB_IS_STUDIO (studio), NULL);

  return g_object_new (CB_TYPE_WINDOW,
                       "application", application,
                       "studio", studio,
                       NULL);
}

CbStudio *
cb_window_get_studio (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->studio;
}

CbDestinationList *
cb_window_get_destinations_model (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->destinations;
}

CbDestinationsPanel *
cb_window_get_destinations_panel (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->destinations_panel;
}

CbStreamList *
cb_window_get_streams_model (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->streams;
}

GtkPicture *
cb_window_get_preview_picture (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->preview_picture;
}

GtkToggleButton *
cb_window_get_live_button (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->live_button;
}

GtkEditable *
cb_window_get_name_entry (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return GTK_EDITABLE (self->name_entry);
}

const char *
cb_window_get_preview_problem (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->preview_stack), "message") != 0)
    return NULL;
  return adw_status_page_get_description (self->preview_status);
}

gboolean
cb_window_is_live (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  return self->live_state == LIVE_ON;
}

gboolean
cb_window_is_busy (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  return self->live_state == LIVE_STARTING || self->live_state == LIVE_STOPPING;
}

CbStreamsPanel *
cb_window_get_streams_panel (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->streams_panel;
}

CbPublishTarget *
cb_window_get_publish_target (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->publish_target;
}

CbPlayerWindow *
cb_window_get_player (CbWindow   *self,
                      const char *stream_name)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  g_return_val_if_fail (stream_name != NULL, NULL);
  return g_hash_table_lookup (self->players, stream_name);
}

CbRecordingList *
cb_window_get_recordings_model (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->recordings;
}

CbRecordingsPanel *
cb_window_get_recordings_panel (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->recordings_panel;
}

gboolean
cb_window_get_recordings_shown (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  return gtk_widget_get_visible (self->sidebar) &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (self->sidebar_stack),
                    "recordings") == 0;
}

GtkToggleButton *
cb_window_get_record_button (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->record_button;
}

char *
cb_window_dup_record_indicator (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->rec_indicator))
    return NULL;
  return g_strdup_printf ("%s %s", gtk_label_get_label (self->rec_time_label),
                          gtk_label_get_label (self->rec_size_label));
}
