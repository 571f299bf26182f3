/* cb-destination-row.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The switch shows what the engine has (or, while the stream is not live, that the
 * destination goes live with it), not what was asked: flipping it asks the list to
 * start or stop the agent and keeps GtkSwitch's pending look (the handle moved, the
 * trough not yet) until the engine answers, or goes back when it refuses.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-destination-row.h"

static const int heights[] = { 0, 1080, 720, 480, 360 };

struct _CbDestinationRow
{
  GtkListBoxRow      parent_instance;

  CbDestinationList *list;
  CbDestination     *destination;
  gboolean           syncing;

  /* Template. */
  GtkLabel          *badge_label;
  GtkLabel          *title_label;
  GtkLabel          *url_label;
  GtkSwitch         *active_switch;
  GtkLabel          *state_label;
  GtkLabel          *event_label;
  CbBitrateGraph    *graph;
  GtkLabel          *bitrate_label;
  GtkLabel          *profile_label;
  GtkLabel          *reconnects_label;
  GtkLabel          *countdown_label;
  GtkToggleButton   *mute_button;
  GtkButton         *retry_button;
  GtkMenuButton     *settings_button;
  GtkWidget         *note_box;
  GtkImage          *note_icon;
  GtkLabel          *note_label;
  GtkWidget         *unlock_button;   /* in the note, while the secret store is locked */
  GtkPopover        *settings_popover;
  GtkEditable       *stream_entry;
  GtkEditable       *key_entry;
  AdwActionRow      *key_row;
  GtkSwitch         *transcode_switch;
  GtkDropDown       *height_dropdown;
  GtkSpinButton     *fps_spin;
  GtkSpinButton     *bitrate_spin;
  GtkSpinButton     *keyframe_spin;
  GtkWidget         *restart_hint;
  GtkButton         *save_button;
};

G_DEFINE_FINAL_TYPE (CbDestinationRow, cb_destination_row, GTK_TYPE_LIST_BOX_ROW)

/* Following the destination. */

static gboolean
string_to_visible (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      data)
{
  const char *text = g_value_get_string (from);

  g_value_set_boolean (to, text != NULL && *text != '\0');
  return TRUE;
}

static void
sync_switch (CbDestinationRow *self)
{
  /* On while it streams, and while it waits for Go Live. */
  gboolean on = cb_destination_is_active (self->destination) ||
                cb_destination_get_enabled (self->destination);

  /* An answer is on its way: leave the handle where the user put it. */
  if (cb_destination_get_busy (self->destination))
    return;

  self->syncing = TRUE;
  gtk_switch_set_active (self->active_switch, on);
  gtk_switch_set_state (self->active_switch, on);
  self->syncing = FALSE;
}

static void
sync_graph_style (CbDestinationRow *self)
{
  const char *state = "off";
  const char *classes[2] = { NULL, NULL };

  if (cb_destination_is_active (self->destination))
    switch (cb_destination_get_state (self->destination))
      {
      case CB_PUSH_STREAMING:  state = "streaming"; break;
      case CB_PUSH_CONNECTING: state = "connecting"; break;
      case CB_PUSH_WAITING:    state = "waiting"; break;
      case CB_PUSH_FAILED:     state = "failed"; break;
      case CB_PUSH_STOPPED:
      default:                 break;
      }
  classes[0] = state;
  gtk_widget_set_css_classes (GTK_WIDGET (self->graph), classes);
}

static void
sync_graph (CbDestinationRow *self)
{
  guint n = 0;
  const int *samples = cb_destination_get_history (self->destination, &n);

  cb_bitrate_graph_set_samples (self->graph, samples, n);
}

static void
sync_mute_icon (CbDestinationRow *self)
{
  gboolean muted = gtk_toggle_button_get_active (self->mute_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->mute_button),
                            muted ? "audio-volume-muted-symbolic"
                                  : "audio-volume-high-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mute_button),
                               muted ? _("Unmute the audio sent to this destination")
                                     : _("Mute the audio sent to this destination"));
}

static void
on_destination_active (CbDestination    *destination,
                       GParamSpec       *pspec,
                       CbDestinationRow *self)
{
  sync_switch (self);
  sync_graph_style (self);
  sync_graph (self);
}

static void
on_destination_state (CbDestination    *destination,
                      GParamSpec       *pspec,
                      CbDestinationRow *self)
{
  sync_graph_style (self);
}

static void
on_destination_sampled (CbDestination    *destination,
                        CbDestinationRow *self)
{
  sync_graph (self);
}

static void
on_destination_note (CbDestination    *destination,
                     GParamSpec       *pspec,
                     CbDestinationRow *self)
{
  gtk_widget_set_visible (self->unlock_button,
                          cb_destination_get_key_storage (destination) == CB_KEY_LOCKED);
}

/* Actions. */

static void
on_unlock_clicked (CbDestinationRow *self)
{
  cb_destination_list_unlock (self->list);
}

static gboolean
on_active_switch_state_set (GtkSwitch        *sw,
                            gboolean          state,
                            CbDestinationRow *self)
{
  if (self->syncing)
    return FALSE;

  if (state)
    cb_destination_list_start (self->list, self->destination);
  else
    cb_destination_list_stop (self->list, self->destination);

  /* Refused at once (no key, a bad address): the handle goes back. */
  if (!cb_destination_get_busy (self->destination))
    sync_switch (self);
  return TRUE;
}

static void
on_mute_button_toggled (GtkToggleButton  *button,
                        CbDestinationRow *self)
{
  sync_mute_icon (self);
  cb_destination_list_set_muted (self->list, self->destination,
                                 gtk_toggle_button_get_active (button));
}

static void
on_retry_button_clicked (GtkButton        *button,
                         CbDestinationRow *self)
{
  cb_destination_list_retry_now (self->list, self->destination);
}

/* Settings. */

static void
on_settings_popover_show (GtkPopover       *popover,
                          CbDestinationRow *self)
{
  CbDestinationProfile profile;
  guint height = 0;

  cb_destination_get_profile (self->destination, &profile);
  for (guint i = 0; i < G_N_ELEMENTS (heights); i++)
    if (heights[i] == profile.height)
      height = i;

  gtk_editable_set_text (self->stream_entry, cb_destination_get_stream_name (self->destination));
  gtk_editable_set_text (self->key_entry, "");
  gtk_switch_set_active (self->transcode_switch, profile.transcode);
  gtk_drop_down_set_selected (self->height_dropdown, height);
  gtk_spin_button_set_value (self->fps_spin, profile.fps);
  gtk_spin_button_set_value (self->bitrate_spin, profile.bitrate);
  gtk_spin_button_set_value (self->keyframe_spin, profile.keyframe_seconds);
  gtk_widget_set_visible (self->restart_hint, cb_destination_is_active (self->destination));
}

static void
on_save_button_clicked (GtkButton        *button,
                        CbDestinationRow *self)
{
  CbDestinationProfile profile;
  g_autofree char *stream = g_strstrip (g_strdup (gtk_editable_get_text (self->stream_entry)));
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (self->key_entry)));
  guint height = gtk_drop_down_get_selected (self->height_dropdown);

  cb_destination_profile_init (&profile);
  profile.transcode = gtk_switch_get_active (self->transcode_switch);
  profile.height = height < G_N_ELEMENTS (heights) ? heights[height] : 0;
  profile.fps = gtk_spin_button_get_value_as_int (self->fps_spin);
  profile.bitrate = gtk_spin_button_get_value_as_int (self->bitrate_spin);
  profile.keyframe_seconds = gtk_spin_button_get_value_as_int (self->keyframe_spin);

  /* Validation of the stream name happens where it always does: in the engine, at start. */
  cb_destination_list_edit (self->list, self->destination,
                            *stream != '\0' ? stream : NULL,
                            *key != '\0' ? key : NULL,
                            &profile);
  /* The key does not stay in the widget, nor in this copy. */
  memset (key, 0, strlen (key));
  gtk_editable_set_text (self->key_entry, "");
  gtk_popover_popdown (self->settings_popover);
}

static void
on_remove_button_clicked (GtkButton        *button,
                          CbDestinationRow *self)
{
  gtk_popover_popdown (self->settings_popover);
  cb_destination_list_remove (self->list, self->destination);
}

/* GObject. */

static void
cb_destination_row_dispose (GObject *object)
{
  CbDestinationRow *self = CB_DESTINATION_ROW (object);

  if (self->destination != NULL)
    g_signal_handlers_disconnect_by_data (self->destination, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_DESTINATION_ROW);
  g_clear_object (&self->destination);
  g_clear_object (&self->list);

  G_OBJECT_CLASS (cb_destination_row_parent_class)->dispose (object);
}

static void
cb_destination_row_class_init (CbDestinationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cb_destination_row_dispose;

  g_type_ensure (CB_TYPE_BITRATE_GRAPH);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-destination-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, badge_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, url_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, active_switch);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, event_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, graph);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, bitrate_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, profile_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, reconnects_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, mute_button);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, settings_button);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, note_box);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, note_icon);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, note_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, settings_popover);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, stream_entry);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, key_entry);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, key_row);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, transcode_switch);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, height_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, fps_spin);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, bitrate_spin);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, keyframe_spin);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, restart_hint);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationRow, save_button);
  gtk_widget_class_bind_template_callback (widget_class, on_active_switch_state_set);
  gtk_widget_class_bind_template_callback (widget_class, on_mute_button_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_settings_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_button_clicked);
}

static void
cb_destination_row_init (CbDestinationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
bind (CbDestinationRow *self,
      const char       *source_property,
      gpointer          target,
      const char       *target_property)
{
  g_object_bind_property (self->destination, source_property, target, target_property,
                          G_BINDING_SYNC_CREATE);
}

static void
bind_visible (CbDestinationRow *self,
              const char       *source_property,
              gpointer          target)
{
  g_object_bind_property_full (self->destination, source_property, target, "visible",
                               G_BINDING_SYNC_CREATE, string_to_visible, NULL, NULL, NULL);
}

GtkWidget *
cb_destination_row_new (CbDestinationList *list,
                        CbDestination     *destination)
{
  CbDestinationRow *self;
  gboolean external;

  g_return_val_if_fail (CB_IS_DESTINATION_LIST (list), NULL);
  g_return_val_if_fail (CB_IS_DESTINATION (destination), NULL);

  self = g_object_new (CB_TYPE_DESTINATION_ROW, NULL);
  self->list = g_object_ref (list);
  self->destination = g_object_ref (destination);
  external = cb_destination_is_external (destination);

  bind (self, "badge", self->badge_label, "label");
  bind (self, "badge-css", self->badge_label, "css-classes");
  bind (self, "title", self->title_label, "label");
  bind (self, "masked-url", self->url_label, "label");
  bind (self, "masked-url", self->url_label, "tooltip-text");
  bind (self, "state-label", self->state_label, "label");
  bind (self, "state-css", self->state_label, "css-classes");
  bind (self, "event-label", self->event_label, "label");
  bind (self, "event-tooltip", self->event_label, "tooltip-text");
  bind (self, "bitrate-label", self->bitrate_label, "label");
  bind (self, "profile-label", self->profile_label, "label");
  bind (self, "profile-label", self->profile_label, "tooltip-text");
  bind (self, "reconnects-label", self->reconnects_label, "label");
  bind_visible (self, "reconnects-label", self->reconnects_label);
  bind (self, "countdown-label", self->countdown_label, "label");
  bind_visible (self, "countdown-label", self->countdown_label);
  bind (self, "note", self->note_label, "label");
  bind_visible (self, "note", self->note_box);
  bind (self, "muted", self->mute_button, "active");
  bind (self, "active", self->mute_button, "sensitive");
  bind (self, "can-retry", self->retry_button, "sensitive");

  /* A push started over REST is stopped here but configured where it was started; that
   * it came from there is news, not a warning. */
  gtk_widget_set_visible (GTK_WIDGET (self->settings_button), !external);
  if (external)
    {
      gtk_image_set_from_icon_name (self->note_icon, "dialog-information-symbolic");
      gtk_widget_add_css_class (self->note_box, "info");
    }

  g_signal_connect_object (destination, "notify::active", G_CALLBACK (on_destination_active),
                           self, 0);
  g_signal_connect_object (destination, "notify::busy", G_CALLBACK (on_destination_active),
                           self, 0);
  g_signal_connect_object (destination, "notify::enabled", G_CALLBACK (on_destination_active),
                           self, 0);
  g_signal_connect_object (destination, "notify::state-label",
                           G_CALLBACK (on_destination_state), self, 0);
  g_signal_connect_object (destination, "notify::note", G_CALLBACK (on_destination_note),
                           self, 0);
  g_signal_connect_object (destination, "sampled", G_CALLBACK (on_destination_sampled),
                           self, 0);

  /* The secret store is locked: the note says so, and this button asks to unlock it. */
  self->unlock_button = gtk_button_new_with_mnemonic (_("_Unlock"));
  gtk_widget_set_valign (self->unlock_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->unlock_button, _("Unlock the secret store"));
  g_signal_connect_swapped (self->unlock_button, "clicked", G_CALLBACK (on_unlock_clicked), self);
  gtk_box_append (GTK_BOX (self->note_box), self->unlock_button);
  on_destination_note (destination, NULL, self);

  sync_switch (self);
  sync_graph_style (self);
  sync_graph (self);
  sync_mute_icon (self);
  return GTK_WIDGET (self);
}

CbDestination *
cb_destination_row_get_destination (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->destination;
}

GtkSwitch *
cb_destination_row_get_switch (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->active_switch;
}

GtkLabel *
cb_destination_row_get_state_label (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->state_label;
}

GtkLabel *
cb_destination_row_get_url_label (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->url_label;
}

GtkLabel *
cb_destination_row_get_note_label (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->note_label;
}

CbBitrateGraph *
cb_destination_row_get_graph (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->graph;
}

GtkToggleButton *
cb_destination_row_get_mute_button (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->mute_button;
}

GtkMenuButton *
cb_destination_row_get_settings_button (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->settings_button;
}

GtkSwitch *
cb_destination_row_get_transcode_switch (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->transcode_switch;
}

GtkDropDown *
cb_destination_row_get_height_dropdown (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->height_dropdown;
}

GtkButton *
cb_destination_row_get_save_button (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->save_button;
}

GtkButton *
cb_destination_row_get_unlock_button (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return GTK_BUTTON (self->unlock_button);
}

GtkButton *
cb_destination_row_get_retry_button (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->retry_button;
}

GtkLabel *
cb_destination_row_get_countdown_label (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->countdown_label;
}

GtkLabel *
cb_destination_row_get_reconnects_label (CbDestinationRow *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_ROW (self), NULL);
  return self->reconnects_label;
}
