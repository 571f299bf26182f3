/* cb-window-record.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recording, as the window shows it: the Record button beside Go Live and on each
 * publisher's row in Streams, the REC indicator in the header bar, the Recordings page of
 * the sidebar. All of it follows CbRecordingList, which knows what recorders are writing
 * (a recorder waiting for media included), for how long and how much so far. A Record
 * button keeps what the user asked while the list has not answered.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-window-private.h"

/* "0:12 · 1.3 MB"; no size before the first bytes. */
static char *
format_progress (double  seconds,
                 guint64 size)
{
  g_autofree char *elapsed = cb_format_duration (seconds);
  g_autofree char *bytes = NULL;

  if (size == 0)
    return g_steal_pointer (&elapsed);
  bytes = g_format_size (size);
  return g_strdup_printf ("%s · %s", elapsed, bytes);
}

static void
update_stream_rows (CbWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->streams);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbStreamRow) row = g_list_model_get_item (model, i);
      CbRecording *running = NULL;
      g_autofree char *progress = NULL;

      if (cb_stream_row_get_published (row))
        running = cb_recording_list_lookup_running (self->recordings,
                                                    cb_stream_row_get_media_session_id (row));
      if (running != NULL)
        progress = format_progress (cb_recording_get_duration (running),
                                    cb_recording_get_size (running));
      cb_stream_row_set_recording (row, running != NULL, progress);
    }
}

/* The header bar: while anything records, the longest time and the bytes written. */
static void
update_indicator (CbWindow *self)
{
  g_autoptr(GPtrArray) running = cb_recording_list_dup_running (self->recordings);
  g_autoptr(GString) tooltip = g_string_new (NULL);
  g_autofree char *elapsed = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *size = NULL;
  double longest = 0;
  guint64 total = 0;

  /* It takes the title's place: the header bar has no room for both. */
  gtk_widget_set_visible (self->rec_indicator, running->len > 0);
  gtk_widget_set_visible (self->window_title,
                          running->len == 0 && !gtk_widget_get_visible (self->live_stats));
  adw_view_stack_page_set_needs_attention (self->recordings_page, running->len > 0);
  if (running->len == 0)
    return;

  for (guint i = 0; i < running->len; i++)
    {
      CbRecording *recording = g_ptr_array_index (running, i);
      g_autofree char *line = format_progress (cb_recording_get_duration (recording),
                                               cb_recording_get_size (recording));

      longest = MAX (longest, cb_recording_get_duration (recording));
      total += cb_recording_get_size (recording);
      g_string_append_printf (tooltip, "%s%s: %s", tooltip->len > 0 ? "\n" : "",
                              cb_recording_get_stream_name (recording), line);
    }

  elapsed = cb_format_duration (longest);
  bytes = g_format_size (total);
  if (running->len == 1)
    size = g_steal_pointer (&bytes);
  else
    /* TRANSLATORS: under the time in the header bar while several streams record: the
     * bytes of all ("3.4 MB, 2 files"). */
    size = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u file", "%s, %u files",
                                         running->len),
                            bytes, running->len);
  gtk_label_set_label (self->rec_time_label, elapsed);
  gtk_label_set_label (self->rec_size_label, size);
  gtk_widget_set_tooltip_text (self->rec_indicator, tooltip->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rec_indicator),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip->str, -1);
}

static void on_record_button_toggled (GtkToggleButton *button,
                                      CbWindow        *self);

void
cb_window_record_sync (CbWindow *self)
{
  gboolean live;
  gboolean pending;
  gboolean recording;
  const char *session_id;
  GtkWidget *button = GTK_WIDGET (self->record_button);

  if (self->recordings == NULL || self->live == NULL)
    return;

  session_id = cb_live_get_session_id (self->live);
  live = cb_live_get_state (self->live) == CB_LIVE_ON && session_id != NULL;
  pending = live && cb_recording_list_is_pending (self->recordings, session_id);
  recording = live && cb_recording_list_lookup_running (self->recordings, session_id) != NULL;

  gtk_widget_set_sensitive (button, live && !pending);
  if (!pending)
    {
      g_signal_handlers_block_by_func (button, on_record_button_toggled, self);
      gtk_toggle_button_set_active (self->record_button, recording);
      g_signal_handlers_unblock_by_func (button, on_record_button_toggled, self);
    }

  if (gtk_toggle_button_get_active (self->record_button))
    {
      gtk_widget_add_css_class (button, "recording");
      gtk_button_set_icon_name (GTK_BUTTON (button), "media-playback-stop-symbolic");
      gtk_widget_set_tooltip_text (button, _("Stop recording the live stream"));
    }
  else
    {
      gtk_widget_remove_css_class (button, "recording");
      gtk_button_set_icon_name (GTK_BUTTON (button), "media-record-symbolic");
      gtk_widget_set_tooltip_text (button, _("Record the live stream"));
    }
}

static void
on_record_button_toggled (GtkToggleButton *button,
                          CbWindow        *self)
{
  gboolean active = gtk_toggle_button_get_active (button);
  const char *session_id = cb_live_get_session_id (self->live);
  gboolean recording;

  if (cb_live_get_state (self->live) != CB_LIVE_ON || session_id == NULL)
    {
      cb_window_record_sync (self);
      return;
    }

  recording = cb_recording_list_lookup_running (self->recordings, session_id) != NULL;
  if (active && !recording)
    cb_recording_list_start (self->recordings, session_id);
  else if (!active && recording)
    cb_recording_list_stop (self->recordings, session_id);
  cb_window_record_sync (self);
}

static void
on_recordings_updated (CbRecordingList *list,
                       CbWindow        *self)
{
  update_stream_rows (self);
  update_indicator (self);
  cb_window_record_sync (self);
}

static void
on_streams_items_changed (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          CbWindow   *self)
{
  if (added > 0)
    update_stream_rows (self);
}

static void
on_streams_panel_record_requested (CbStreamsPanel *panel,
                                   const char     *media_session_id,
                                   gboolean        start,
                                   CbWindow       *self)
{
  if (start)
    cb_recording_list_start (self->recordings, media_session_id);
  else
    cb_recording_list_stop (self->recordings, media_session_id);
}

static void
on_recordings_operation_failed (CbRecordingList *list,
                                const char      *message,
                                CbWindow        *self)
{
  cb_window_show_toast (self, message);
}

static void
on_recordings_published (CbRecordingList *list,
                         const char      *name,
                         CbWindow        *self)
{
  /* TRANSLATORS: %s is a stream name. */
  g_autofree char *text = g_strdup_printf (_("Published as “%s”: it is in Streams now"), name);

  cb_window_show_toast (self, text);
}

static void
on_recordings_panel_play_requested (CbRecordingsPanel *panel,
                                    const char        *name,
                                    CbWindow          *self)
{
  cb_window_play (self, name);
}

static void
on_recordings_panel_message (CbRecordingsPanel *panel,
                             const char        *message,
                             CbWindow          *self)
{
  cb_window_show_toast (self, message);
}

/* Actions. */

static void
action_show_recordings (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  CbWindow *self = user_data;

  gtk_toggle_button_set_active (self->destinations_button, TRUE);
  adw_view_stack_set_visible_child_name (self->sidebar_stack, "recordings");
  cb_recordings_panel_focus (self->recordings_panel);
}

static void
action_record (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CbWindow *self = user_data;

  /* The button knows whether it can (live, not pending) and keeps the state. */
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->record_button)))
    gtk_toggle_button_set_active (self->record_button,
                                  !gtk_toggle_button_get_active (self->record_button));
}

void
cb_window_record_setup (CbWindow *self)
{
  static const GActionEntry actions[] = {
    { "show-recordings", action_show_recordings },
    { "record", action_record },
  };

  self->recordings = cb_recording_list_new (self->studio);
  cb_recordings_panel_set_list (self->recordings_panel, self->recordings);

  g_signal_connect_object (self->recordings, "updated", G_CALLBACK (on_recordings_updated),
                           self, 0);
  g_signal_connect_object (self->recordings, "operation-failed",
                           G_CALLBACK (on_recordings_operation_failed), self, 0);
  g_signal_connect_object (self->recordings, "published", G_CALLBACK (on_recordings_published),
                           self, 0);
  g_signal_connect_object (self->recordings_panel, "play-requested",
                           G_CALLBACK (on_recordings_panel_play_requested), self, 0);
  g_signal_connect_object (self->recordings_panel, "message",
                           G_CALLBACK (on_recordings_panel_message), self, 0);
  g_signal_connect_object (self->streams_panel, "record-requested",
                           G_CALLBACK (on_streams_panel_record_requested), self, 0);
  g_signal_connect_object (self->streams, "items-changed", G_CALLBACK (on_streams_items_changed),
                           self, 0);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  cb_window_record_sync (self);
}

void
cb_window_record_dispose (CbWindow *self)
{
  if (self->recordings != NULL)
    g_signal_handlers_disconnect_by_data (self->recordings, self);
  if (self->streams != NULL)
    g_signal_handlers_disconnect_by_func (self->streams, on_streams_items_changed, self);
}

void
cb_window_record_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_record_button_toggled);

  /* Key bindings of the window itself: they work without a GtkApplication (the tests) and
   * the help overlay lists them. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.show-recordings", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.record", NULL);
}
