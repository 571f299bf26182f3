/* cb-recording-row.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view of one CbRecording: everything is read from it again whenever it says that
 * something changed (once a second while it records). The buttons are actionable: the
 * panel owns the actions, so a row needs to know nothing but its recording.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-recording-row.h"

struct _CbRecordingRow
{
  GtkListBoxRow  parent_instance;

  CbRecording   *recording;

  /* Template. */
  GtkStack      *thumbnail_stack;
  GtkPicture    *thumbnail_picture;
  GtkImage      *placeholder_image;
  GtkLabel      *title_label;
  GtkLabel      *state_label;
  GtkLabel      *details_label;
  GtkLabel      *codecs_label;
  GtkLabel      *note_label;
  GtkButton     *play_button;
  GtkButton     *publish_button;
  GtkButton     *folder_button;
  GtkButton     *link_button;
  GtkButton     *delete_button;
};

G_DEFINE_FINAL_TYPE (CbRecordingRow, cb_recording_row, GTK_TYPE_LIST_BOX_ROW)

char *
cb_format_start_time (gint64 start_time_ms)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (start_time_ms <= 0)
    return g_strdup ("—");
  time = g_date_time_new_from_unix_local (start_time_ms / 1000);
  now = g_date_time_new_now_local ();
  if (time == NULL || now == NULL)
    return g_strdup ("—");

  if (g_date_time_get_year (time) == g_date_time_get_year (now))
    /* TRANSLATORS: when a recording started, this year, in g_date_time_format()'s
     * conversions.
     * xgettext:no-c-format */
    return g_date_time_format (time, C_("recording start", "%b %-d, %H:%M"));
  /* TRANSLATORS: when a recording started, another year, in g_date_time_format()'s
   * conversions.
   * xgettext:no-c-format */
  return g_date_time_format (time, C_("recording start", "%b %-d %Y, %H:%M"));
}

const char *
cb_format_recording_state (CbRecordingState state)
{
  switch (state)
    {
    case CB_RECORDING_WAITING:   return C_("recording state", "Waiting for media");
    case CB_RECORDING_RECORDING: return C_("recording state", "Recording");
    case CB_RECORDING_FINISHING: return C_("recording state", "Finishing");
    case CB_RECORDING_FINISHED:  return C_("recording state", "Finished");
    case CB_RECORDING_RECOVERED: return C_("recording state", "Recovered");
    case CB_RECORDING_FAILED:    return C_("recording state", "Failed");
    default:                     return C_("recording state", "Unknown");
    }
}

static const char *
state_css (CbRecordingState state)
{
  switch (state)
    {
    case CB_RECORDING_WAITING:   return "waiting";
    case CB_RECORDING_RECORDING: return "recording";
    case CB_RECORDING_FINISHING: return "finishing";
    case CB_RECORDING_RECOVERED: return "recovered";
    case CB_RECORDING_FAILED:    return "failed";
    case CB_RECORDING_FINISHED:
    default:                     return "finished";
    }
}

static void
sync_thumbnail (CbRecordingRow *self)
{
  GdkTexture *thumbnail = cb_recording_get_thumbnail (self->recording);
  const char *icon = "video-x-generic-symbolic";

  if (thumbnail != NULL)
    {
      gtk_picture_set_paintable (self->thumbnail_picture, GDK_PAINTABLE (thumbnail));
      gtk_stack_set_visible_child_name (self->thumbnail_stack, "picture");
      return;
    }

  if (cb_recording_is_running (self->recording))
    {
      /* Red while it records. */
      icon = "media-record-symbolic";
      gtk_widget_add_css_class (GTK_WIDGET (self->placeholder_image), "recording");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->placeholder_image), "recording");
      if (cb_recording_get_state (self->recording) == CB_RECORDING_FAILED)
        icon = "dialog-warning-symbolic";
      else if (cb_recording_is_audio_only (self->recording))
        icon = "audio-x-generic-symbolic";
    }
  gtk_image_set_from_icon_name (self->placeholder_image, icon);
  gtk_stack_set_visible_child_name (self->thumbnail_stack, "placeholder");
}

static void
sync_labels (CbRecordingRow *self)
{
  CbRecording *recording = self->recording;
  CbRecordingState state = cb_recording_get_state (recording);
  const char *file_name = cb_recording_get_file_name (recording);
  const char *reason = cb_recording_get_reason (recording);
  double duration = cb_recording_get_duration (recording);
  guint64 size = cb_recording_get_size (recording);
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *start = cb_format_start_time (cb_recording_get_start_time (recording));
  g_autofree char *codecs = cb_format_codecs (cb_recording_get_video_codec (recording),
                                              cb_recording_get_audio_codec (recording));
  g_autofree char *state_text = NULL;
  const char *classes[] = { "status", state_css (state), NULL };

  if (file_name != NULL)
    gtk_label_set_label (self->title_label, file_name);
  else
    {
      /* TRANSLATORS: a recording waiting for media has no file yet: "studio (no file yet)". */
      g_autofree char *title = g_strdup_printf (_("%s (no file yet)"),
                                                cb_recording_get_stream_name (recording));
      gtk_label_set_label (self->title_label, title);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label),
                               cb_recording_get_stream_name (recording) != NULL
                                 ? cb_recording_get_stream_name (recording) : file_name);

  if (state == CB_RECORDING_RECOVERED)
    /* TRANSLATORS: a recording a crash interrupted, repaired: %d seconds were kept. */
    state_text = g_strdup_printf (_("Recovered, %d s"),
                                  (int) cb_recording_get_recovered_seconds (recording));
  else
    state_text = g_strdup (cb_format_recording_state (state));
  gtk_label_set_label (self->state_label, state_text);
  gtk_widget_set_css_classes (GTK_WIDGET (self->state_label), classes);

  g_string_append (details, start);
  if (duration > 0 || cb_recording_is_running (recording))
    {
      g_autofree char *text = cb_format_duration (duration);

      g_string_append_printf (details, " · %s", text);
    }
  if (size > 0)
    {
      g_autofree char *text = g_format_size (size);

      g_string_append_printf (details, " · %s", text);
    }
  gtk_label_set_label (self->details_label, details->str);

  gtk_label_set_label (self->codecs_label, codecs);
  gtk_widget_set_visible (GTK_WIDGET (self->codecs_label), codecs != NULL);

  /* The engine's reason, in English, as the Streams panel shows a stream's info. */
  gtk_label_set_label (self->note_label, reason);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), reason != NULL && *reason != '\0');
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->note_label), reason);
}

/* Never a running file: neither deleted nor played while a recorder writes it. Its link
 * works (the server serves what is written so far). */
static void
sync_buttons (CbRecordingRow *self)
{
  CbRecording *recording = self->recording;
  const char *file_name = cb_recording_get_file_name (recording);
  gboolean complete = cb_recording_is_complete (recording);
  CbRecordingState state = cb_recording_get_state (recording);
  GtkWidget *buttons[] = {
    GTK_WIDGET (self->play_button), GTK_WIDGET (self->publish_button),
    GTK_WIDGET (self->folder_button), GTK_WIDGET (self->link_button),
    GTK_WIDGET (self->delete_button),
  };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "s",
                                      file_name != NULL ? file_name : "");

  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), complete);
  gtk_widget_set_sensitive (GTK_WIDGET (self->publish_button), complete);
  gtk_widget_set_sensitive (GTK_WIDGET (self->link_button),
                            file_name != NULL && state != CB_RECORDING_WAITING &&
                            state != CB_RECORDING_FAILED);
  /* A failed recording under a temporary name is the engine's to clear up. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_button),
                            file_name != NULL && file_name[0] != '.' &&
                            !cb_recording_is_running (recording) &&
                            state != CB_RECORDING_FINISHING);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), complete);
}

static void
on_recording_notify (CbRecording    *recording,
                     GParamSpec     *pspec,
                     CbRecordingRow *self)
{
  sync_thumbnail (self);
  sync_labels (self);
  sync_buttons (self);
}

static void
cb_recording_row_dispose (GObject *object)
{
  CbRecordingRow *self = CB_RECORDING_ROW (object);

  if (self->recording != NULL)
    g_signal_handlers_disconnect_by_data (self->recording, self);
  g_clear_object (&self->recording);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_RECORDING_ROW);

  G_OBJECT_CLASS (cb_recording_row_parent_class)->dispose (object);
}

static void
cb_recording_row_class_init (CbRecordingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cb_recording_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-recording-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, thumbnail_stack);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, thumbnail_picture);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, placeholder_image);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, codecs_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, note_label);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, play_button);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, publish_button);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, folder_button);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, link_button);
  gtk_widget_class_bind_template_child (widget_class, CbRecordingRow, delete_button);
}

static void
cb_recording_row_init (CbRecordingRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cb_recording_row_new (CbRecording *recording)
{
  CbRecordingRow *self;

  g_return_val_if_fail (CB_IS_RECORDING (recording), NULL);

  self = g_object_new (CB_TYPE_RECORDING_ROW, NULL);
  self->recording = g_object_ref (recording);
  g_signal_connect_object (recording, "notify", G_CALLBACK (on_recording_notify), self, 0);
  on_recording_notify (recording, NULL, self);
  return GTK_WIDGET (self);
}

CbRecording *
cb_recording_row_get_recording (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->recording;
}

GtkLabel *
cb_recording_row_get_title_label (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->title_label;
}

GtkLabel *
cb_recording_row_get_details_label (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->details_label;
}

GtkLabel *
cb_recording_row_get_state_label (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->state_label;
}

GtkLabel *
cb_recording_row_get_note_label (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->note_label;
}

GtkStack *
cb_recording_row_get_thumbnail_stack (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->thumbnail_stack;
}

GtkButton *
cb_recording_row_get_play_button (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->play_button;
}

GtkButton *
cb_recording_row_get_publish_button (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->publish_button;
}

GtkButton *
cb_recording_row_get_folder_button (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->folder_button;
}

GtkButton *
cb_recording_row_get_link_button (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->link_button;
}

GtkButton *
cb_recording_row_get_delete_button (CbRecordingRow *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_ROW (self), NULL);
  return self->delete_button;
}
