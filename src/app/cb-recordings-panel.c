/* cb-recordings-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows are views; their buttons activate this panel's "recordings.*" actions with
 * the recording's file name, which is looked up again when the action runs (the row may
 * have changed, or gone, since it was drawn).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-recordings-panel.h"

struct _CbRecordingsPanel
{
  AdwBin            parent_instance;

  CbRecordingList  *list;
  AdwMessageDialog *delete_dialog;
  GCancellable     *cancellable;

  /* Template. */
  GtkLabel         *count_label;
  GtkStack         *stack;
  GtkListBox       *list_box;
};

G_DEFINE_FINAL_TYPE (CbRecordingsPanel, cb_recordings_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LIST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PLAY_REQUESTED,
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_empty (CbRecordingsPanel *self)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;
  g_autofree char *count = NULL;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  if (n > 0)
    count = g_strdup_printf ("%u", n);
  gtk_label_set_label (self->count_label, count);
}

static void
on_list_items_changed (GListModel        *model,
                       guint              position,
                       guint              removed,
                       guint              added,
                       CbRecordingsPanel *self)
{
  update_empty (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return cb_recording_row_new (CB_RECORDING (item));
}

/* The recording an action names, or NULL when it is gone. */
static CbRecording *
lookup (CbRecordingsPanel *self,
        GVariant          *parameter)
{
  const char *file_name = parameter != NULL ? g_variant_get_string (parameter, NULL) : NULL;

  if (self->list == NULL || file_name == NULL || *file_name == '\0')
    return NULL;
  return cb_recording_list_lookup (self->list, file_name);
}

static void
play (CbRecordingsPanel *self,
      CbRecording       *recording)
{
  g_autofree char *name = NULL;

  if (recording == NULL || !cb_recording_is_complete (recording))
    return;
  name = cb_recording_dup_vod_name (recording, FALSE);
  g_signal_emit (self, signals[SIGNAL_PLAY_REQUESTED], 0, name);
}

static void
on_list_box_row_activated (GtkListBox        *list_box,
                           GtkListBoxRow     *row,
                           CbRecordingsPanel *self)
{
  play (self, cb_recording_row_get_recording (CB_RECORDING_ROW (row)));
}

/* Actions. */

static void
action_play (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (widget);

  play (self, lookup (self, parameter));
}

static void
action_publish (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (widget);
  CbRecording *recording = lookup (self, parameter);

  if (recording != NULL)
    cb_recording_list_publish (self->list, recording);
}

static void
on_folder_launched (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CbRecordingsPanel) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_debug ("Opening the records folder failed: %s", error->message);
  {
    /* TRANSLATORS: %s says why, in the desktop's words. */
    g_autofree char *text = g_strdup_printf (_("The folder could not be opened: %s"),
                                             error->message);

    g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, text);
  }
}

/* GtkFileLauncher, which could select the file, is GTK 4.10: the folder is opened. */
static void
action_open_folder (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (widget);
  g_autoptr(GAppLaunchContext) context = NULL;
  g_autofree char *uri = NULL;

  if (self->list == NULL)
    return;
  uri = g_filename_to_uri (cb_recording_list_get_records_dir (self->list), NULL, NULL);
  if (uri == NULL)
    return;
  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (
                                    gtk_widget_get_display (widget)));
  g_app_info_launch_default_for_uri_async (uri, context, self->cancellable, on_folder_launched,
                                           g_object_ref (self));
}

static void
action_copy_link (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (widget);
  CbRecording *recording = lookup (self, parameter);
  g_autofree char *url = NULL;

  if (recording == NULL)
    return;
  url = cb_recording_list_dup_download_url (self->list, recording);
  if (url == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, _("Server is not running"));
      return;
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, _("Download link copied"));
}

static void
on_delete_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    CbRecordingsPanel *self)
{
  const char *file_name = g_object_get_data (G_OBJECT (dialog), "cb-file-name");
  CbRecording *recording;

  if (g_strcmp0 (response, "delete") != 0 || self->list == NULL)
    return;
  /* Looked up again: it may have gone, or started over, while the question was open. */
  recording = cb_recording_list_lookup (self->list, file_name);
  if (recording != NULL)
    cb_recording_list_delete (self->list, recording);
}

static void
action_delete (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (widget);
  CbRecording *recording = lookup (self, parameter);
  const char *file_name;
  g_autofree char *body = NULL;
  GtkRoot *root;
  GtkWidget *dialog;

  if (recording == NULL || cb_recording_is_running (recording) ||
      cb_recording_get_state (recording) == CB_RECORDING_FINISHING)
    return;

  file_name = cb_recording_get_file_name (recording);
  root = gtk_widget_get_root (widget);
  /* TRANSLATORS: %s is a file name. */
  body = g_strdup_printf (_("“%s” will be deleted from the records folder. This cannot be "
                            "undone."), file_name);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete Recording?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "cb-file-name", g_strdup (file_name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);

  if (self->delete_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->delete_dialog));
  /* Cleared when the dialog goes, after its answer or with its window. */
  g_set_weak_pointer (&self->delete_dialog, ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject. */

static void
cb_recordings_panel_dispose (GObject *object)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  if (self->delete_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->delete_dialog));
  g_clear_weak_pointer (&self->delete_dialog);
  cb_recordings_panel_set_list (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_RECORDINGS_PANEL);

  G_OBJECT_CLASS (cb_recordings_panel_parent_class)->dispose (object);
}

static void
cb_recordings_panel_finalize (GObject *object)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cb_recordings_panel_parent_class)->finalize (object);
}

static void
cb_recordings_panel_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (object);

  switch (prop_id)
    {
    case PROP_LIST:
      g_value_set_object (value, self->list);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_recordings_panel_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CbRecordingsPanel *self = CB_RECORDINGS_PANEL (object);

  switch (prop_id)
    {
    case PROP_LIST:
      cb_recordings_panel_set_list (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_recordings_panel_class_init (CbRecordingsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cb_recordings_panel_dispose;
  object_class->finalize = cb_recordings_panel_finalize;
  object_class->get_property = cb_recordings_panel_get_property;
  object_class->set_property = cb_recordings_panel_set_property;

  properties[PROP_LIST] =
    g_param_spec_object ("list", NULL, NULL, CB_TYPE_RECORDING_LIST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user asked to watch a recording: the argument is the stream name to play. */
  signals[SIGNAL_PLAY_REQUESTED] =
    g_signal_new ("play-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Something to tell the user, in their language. */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "recordings.play", "s", action_play);
  gtk_widget_class_install_action (widget_class, "recordings.publish", "s", action_publish);
  gtk_widget_class_install_action (widget_class, "recordings.open-folder", "s",
                                   action_open_folder);
  gtk_widget_class_install_action (widget_class, "recordings.copy-link", "s", action_copy_link);
  gtk_widget_class_install_action (widget_class, "recordings.delete", "s", action_delete);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-recordings-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CbRecordingsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingsPanel, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_list_box_row_activated);
}

static void
cb_recordings_panel_init (CbRecordingsPanel *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  update_empty (self);
}

void
cb_recordings_panel_set_list (CbRecordingsPanel *self,
                              CbRecordingList   *list)
{
  g_return_if_fail (CB_IS_RECORDINGS_PANEL (self));
  g_return_if_fail (list == NULL || CB_IS_RECORDING_LIST (list));

  if (self->list == list)
    return;

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_func (self->list, on_list_items_changed, self);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_set_object (&self->list, list);
  if (self->list != NULL)
    {
      g_signal_connect_object (self->list, "items-changed", G_CALLBACK (on_list_items_changed),
                               self, 0);
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->list), create_row, self,
                               NULL);
    }
  update_empty (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST]);
}

CbRecordingList *
cb_recordings_panel_get_list (CbRecordingsPanel *self)
{
  g_return_val_if_fail (CB_IS_RECORDINGS_PANEL (self), NULL);
  return self->list;
}

void
cb_recordings_panel_focus (CbRecordingsPanel *self)
{
  GtkListBoxRow *first;

  g_return_if_fail (CB_IS_RECORDINGS_PANEL (self));

  first = gtk_list_box_get_row_at_index (self->list_box, 0);
  if (first != NULL && gtk_widget_grab_focus (GTK_WIDGET (first)))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

GtkListBox *
cb_recordings_panel_get_list_box (CbRecordingsPanel *self)
{
  g_return_val_if_fail (CB_IS_RECORDINGS_PANEL (self), NULL);
  return self->list_box;
}

CbRecordingRow *
cb_recordings_panel_get_row (CbRecordingsPanel *self,
                             const char        *file_name)
{
  g_return_val_if_fail (CB_IS_RECORDINGS_PANEL (self), NULL);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (cb_recording_get_file_name (
                       cb_recording_row_get_recording (CB_RECORDING_ROW (row))), file_name) == 0)
        return CB_RECORDING_ROW (row);
    }
}

GtkLabel *
cb_recordings_panel_get_count_label (CbRecordingsPanel *self)
{
  g_return_val_if_fail (CB_IS_RECORDINGS_PANEL (self), NULL);
  return self->count_label;
}

AdwMessageDialog *
cb_recordings_panel_get_delete_dialog (CbRecordingsPanel *self)
{
  g_return_val_if_fail (CB_IS_RECORDINGS_PANEL (self), NULL);
  return self->delete_dialog;
}
