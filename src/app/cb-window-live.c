/* cb-window-live.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Go Live as the window shows it. CbLive (cb-live.c) is the model; here are the window's
 * actions that the buttons, the keyboard shortcuts and the tests share (win.go-live,
 * win.stop, win.mute-mic, win.toggle-pane-*, win.show-pane), what the header
 * bar says while live (time, outgoing bitrate, dropped packets, CPU, the worst
 * destination state), and the question before closing or quitting while live.
 *
 * win.record is cb-window-record.c's; <Control>1 … <Control>9 are kept for win.scene-1 …
 * win.scene-9 (scenes).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-window-private.h"
#include "cb-window-studio.h"

static const struct {
  const char *action;
  const char *accels[3];
} shortcuts[] = {
  { "win.go-live", { "<Control>l", NULL } },
  { "win.stop", { "<Control><Shift>l", NULL } },
  { "win.record", { "<Control><Shift>r", NULL } },
  { "win.mute-mic", { "<Control>m", NULL } },
  { "win.toggle-pane-sidebar", { "F9", NULL } },
  { "win.toggle-pane-streams", { "<Shift>F9", NULL } },
  { "win.show-pane::destinations", { "<Control>d", NULL } },
  { "win.show-pane::recordings", { "<Control>r", NULL } },
  { "win.show-pane::events", { "<Control>e", NULL } },
  { "win.show-pane::relays", { "<Control><Shift>e", NULL } },
  { "win.preview", { "<Control><Shift>p", NULL } },
};

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
enable_action (CbWindow   *self,
               const char *name,
               gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The header bar while live. */

static const char *
worst_state_css (CbPushState state)
{
  switch (state)
    {
    case CB_PUSH_FAILED:     return "error";
    case CB_PUSH_WAITING:
    case CB_PUSH_CONNECTING: return "warning";
    case CB_PUSH_STREAMING:
    case CB_PUSH_STOPPED:
    default:                 return NULL;
    }
}

static void
update_stats (CbWindow *self)
{
  CbLiveStats stats;
  g_autofree char *elapsed = NULL;
  g_autofree char *bitrate = NULL;
  g_autofree char *line = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GString) tooltip = g_string_new (NULL);
  const char *css;
  gboolean on = cb_live_get_state (self->live) == CB_LIVE_ON;

  gtk_widget_set_visible (self->live_stats, on);
  /* The title comes back when neither the live figures nor the REC indicator show. */
  gtk_widget_set_visible (self->window_title,
                          !on && !gtk_widget_get_visible (self->rec_indicator));
  if (!on)
    return;

  cb_live_get_stats (self->live, &stats);
  elapsed = cb_live_format_elapsed (stats.elapsed_s);
  bitrate = cb_format_bitrate (stats.bitrate);
  cpu = stats.cpu_percent >= 0 ? g_strdup_printf (_("CPU %.0f %%"), stats.cpu_percent)
                               : g_strdup (_("CPU —"));
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.dropped);
  /* TRANSLATORS: media packets a slow uplink dropped ("3 dropped"). */
  dropped = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s dropped", "%s dropped",
                                          (gulong) MIN (stats.dropped, G_MAXULONG)),
                             count);
  if (stats.n_destinations > 0)
    line = g_strdup_printf ("%s · %s · %s", bitrate, dropped, cpu);
  else
    line = g_strdup (cpu);

  gtk_label_set_label (self->live_time_label, elapsed);
  gtk_label_set_label (self->live_stats_label, line);

  /* TRANSLATORS: the header bar's tooltip while live. */
  g_string_append_printf (tooltip, _("Live for %s"), elapsed);
  g_string_append_printf (tooltip, "\n%s: %s", _("Sent to destinations"), bitrate);
  g_string_append_printf (tooltip, "\n%s: %" G_GUINT64_FORMAT, _("Packets dropped"),
                          stats.dropped);
  g_string_append_printf (tooltip, "\n%s", cpu);
  if (stats.n_destinations > 0)
    g_string_append_printf (tooltip, "\n%s: %s", _("Destinations"),
                            cb_destination_format_state (stats.worst));
  else
    g_string_append_printf (tooltip, "\n%s", _("No destination is on"));
  gtk_widget_set_tooltip_text (self->live_stats, tooltip->str);

  css = stats.n_destinations > 0 ? worst_state_css (stats.worst) : NULL;
  gtk_widget_remove_css_class (GTK_WIDGET (self->live_time_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->live_time_label), "error");
  if (css != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->live_time_label), css);
}

/* Mute microphone: the scenes' microphones whenever; a single source's sound while live. */
void
cb_window_live_sync_actions (CbWindow *self)
{
  enable_action (self, "mute-mic",
                 cb_window_uses_scenes (self) || cb_live_get_state (self->live) == CB_LIVE_ON);
}

static void
update_live_ui (CbWindow *self)
{
  CbLiveState state = cb_live_get_state (self->live);
  gboolean off = state == CB_LIVE_OFF;
  gboolean busy = state == CB_LIVE_STARTING || state == CB_LIVE_STOPPING;
  gboolean on = state == CB_LIVE_ON || state == CB_LIVE_STOPPING;
  GtkWidget *button = GTK_WIDGET (self->live_button);

  cb_window_sources_set_editable (self, off);
  gtk_editable_set_editable (GTK_EDITABLE (self->name_entry), off);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), off);
  gtk_widget_set_sensitive (button, !busy);
  gtk_widget_set_visible (self->live_badge, state == CB_LIVE_ON);
  set_live_button_active (self, state != CB_LIVE_OFF);

  enable_action (self, "go-live", off);
  enable_action (self, "stop", state == CB_LIVE_ON);
  cb_window_live_sync_actions (self);

  gtk_label_set_label (self->live_label, on ? _("_Stop") : _("_Go Live"));
  gtk_widget_set_tooltip_text (button, on ? _("Stop the stream and every destination")
                                          : _("Publish the selected source as a stream on this "
                                              "server, with every destination that is on"));
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
  update_stats (self);
}

static void
on_live_state (CbLive     *live,
               GParamSpec *pspec,
               CbWindow   *self)
{
  CbLiveState state = cb_live_get_state (live);

  if (state == CB_LIVE_ON)
    /* Another server too, when one is chosen: it needs the stream to exist first. */
    cb_publish_target_start (self->publish_target, cb_live_get_name (live));
  else if (state == CB_LIVE_OFF)
    {
      cb_publish_target_stop (self->publish_target);
      /* A single source's mute ends with its stream; the scenes' stays on their strips. */
      if (self->mic_muted)
        {
          GAction *mute = g_action_map_lookup_action (G_ACTION_MAP (self), "mute-mic");

          self->mic_muted = FALSE;
          g_simple_action_set_state (G_SIMPLE_ACTION (mute), g_variant_new_boolean (FALSE));
        }
    }
  update_live_ui (self);
  /* Back to the camera's preview once the engine has let go of it; away from it before
   * the engine opens it. */
  if (state == CB_LIVE_OFF ||
      (state == CB_LIVE_STARTING && cb_window_spec_is_exclusive (cb_live_get_spec (live))))
    cb_window_restart_preview (self);
}

static void
on_live_failed (CbLive       *live,
                const GError *error,
                CbWindow     *self)
{
  g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_STREAM, cb_live_get_name (live));

  cb_window_show_toast (self, message);
}

static void
on_live_ended (CbLive     *live,
               const char *name,
               CbWindow   *self)
{
  g_autofree char *message = g_strdup_printf (_("The stream “%s” has ended"), name);

  cb_window_show_toast (self, message);
}

static void
on_live_tick (CbLive   *live,
              CbWindow *self)
{
  update_stats (self);
}

/* Actions. */

static void
go_live (CbWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  g_autofree char *name = g_strstrip (g_strdup (text));
  g_autofree char *spec = cb_window_dup_publish_spec (self);
  g_autoptr(GError) error = NULL;

  if (cb_live_get_state (self->live) != CB_LIVE_OFF)
    return;
  if (!cb_live_start (self->live, name, spec, &error))
    {
      g_autofree char *message = cb_error_text (error, CB_ERROR_ABOUT_STREAM, name);

      cb_window_show_toast (self, message);
      update_live_ui (self);
    }
}

static void
on_live_button_toggled (GtkToggleButton *button,
                        CbWindow        *self)
{
  gboolean active = gtk_toggle_button_get_active (button);

  if (active && cb_live_get_state (self->live) == CB_LIVE_OFF)
    go_live (self);
  else if (!active && cb_live_get_state (self->live) == CB_LIVE_ON)
    cb_live_stop (self->live);
  else
    update_live_ui (self);
}

static void
action_go_live (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  go_live (CB_WINDOW (data));
}

static void
action_stop (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       data)
{
  cb_live_stop (CB_WINDOW (data)->live);
}

static void
action_mute_mic (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       data)
{
  CbWindow *self = CB_WINDOW (data);
  gboolean muted = !self->mic_muted;
  g_autoptr(GError) error = NULL;

  if (cb_window_uses_scenes (self))
    {
      CbMixer *mixer = cb_window_get_mixer (self);

      /* The Mixer's microphone strips, live or not; the rest of the mix goes on. */
      muted = !cb_mixer_get_mics_muted (mixer);
      if (cb_mixer_set_mics_muted (mixer, muted) == 0)
        {
          cb_window_show_toast (self, _("No microphone in the Mixer"));
          return;
        }
      g_simple_action_set_state (action, g_variant_new_boolean (muted));
      cb_window_show_toast (self, muted ? _("The microphone is muted") : _("The microphone is on"));
      return;
    }
  /* A single source: its stream's sound, which is the microphone's. */
  if (cb_live_get_state (self->live) != CB_LIVE_ON)
    return;
  if (!cb_engine_set_local_muted (self->engine, cb_live_get_name (self->live), muted, &error))
    {
      g_debug ("Muting failed: %s", error->message);
      return;
    }
  self->mic_muted = muted;
  g_simple_action_set_state (action, g_variant_new_boolean (muted));
  cb_window_show_toast (self, muted ? _("The microphone is muted") : _("The microphone is on"));
}

static void
action_toggle_pane_sidebar (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       data)
{
  CbWindow *self = CB_WINDOW (data);

  gtk_toggle_button_set_active (self->destinations_button,
                                !gtk_toggle_button_get_active (self->destinations_button));
}

static void
action_toggle_pane_streams (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       data)
{
  CbWindow *self = CB_WINDOW (data);
  GtkWidget *streams = GTK_WIDGET (self->streams_panel);

  gtk_widget_set_visible (streams, !gtk_widget_get_visible (streams));
}

static void
action_show_pane (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       data)
{
  CbWindow *self = CB_WINDOW (data);
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->sidebar_stack, name) == NULL)
    return;
  gtk_toggle_button_set_active (self->destinations_button, TRUE);
  adw_view_stack_set_visible_child_name (self->sidebar_stack, name);
}

/* Closing while live. */

static void
on_quit_dialog_response (AdwMessageDialog *dialog,
                         const char       *response,
                         CbWindow         *self)
{
  gboolean quit = self->quit_after_close;

  self->quit_dialog = NULL;
  self->quit_after_close = FALSE;
  if (g_strcmp0 (response, "stop") != 0)
    return;

  self->close_confirmed = TRUE;
  if (quit && gtk_window_get_application (GTK_WINDOW (self)) != NULL)
    g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
ask_before_closing (CbWindow *self,
                    gboolean  quit)
{
  AdwMessageDialog *dialog;

  if (self->close_confirmed || cb_live_get_state (self->live) == CB_LIVE_OFF)
    return FALSE;

  self->quit_after_close |= quit;
  if (self->quit_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->quit_dialog));
      return TRUE;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Stop the Stream?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” is live. Closing Castbridge ends the stream and every "
                                    "destination it goes to."),
                                  cb_live_get_name (self->live));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Keep Streaming"),
                                    "stop", _("_Stop and Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_quit_dialog_response), self, 0);
  self->quit_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
on_close_request (GtkWindow *window,
                  gpointer   data)
{
  return ask_before_closing (CB_WINDOW (window), FALSE);
}

gboolean
cb_window_request_quit (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  return ask_before_closing (self, TRUE);
}

AdwMessageDialog *
cb_window_get_quit_dialog (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->quit_dialog;
}

CbLive *
cb_window_get_live (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->live;
}

char *
cb_window_dup_live_stats (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->live_stats))
    return NULL;
  return g_strdup_printf ("%s %s", gtk_label_get_label (self->live_time_label),
                          gtk_label_get_label (self->live_stats_label));
}

/* Setting up. */

void
cb_window_set_accels (GtkApplication *application)
{
  g_return_if_fail (GTK_IS_APPLICATION (application));

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (application, shortcuts[i].action,
                                           shortcuts[i].accels);
}

void
cb_window_live_setup (CbWindow *self)
{
  static const GActionEntry actions[] = {
    { "go-live", action_go_live },
    { "stop", action_stop },
    { "mute-mic", action_mute_mic, NULL, "false" },
    { "toggle-pane-sidebar", action_toggle_pane_sidebar },
    { "toggle-pane-streams", action_toggle_pane_streams },
    { "show-pane", action_show_pane, "s" },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  self->live = cb_live_new (self->engine, self->streams, self->destinations);
  g_signal_connect_object (self->live, "notify::state", G_CALLBACK (on_live_state), self, 0);
  g_signal_connect_object (self->live, "failed", G_CALLBACK (on_live_failed), self, 0);
  g_signal_connect_object (self->live, "ended", G_CALLBACK (on_live_ended), self, 0);
  g_signal_connect_object (self->live, "tick", G_CALLBACK (on_live_tick), self, 0);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
  update_live_ui (self);
}

void
cb_window_live_dispose (CbWindow *self)
{
  if (self->quit_dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->quit_dialog, self);
      gtk_window_destroy (GTK_WINDOW (self->quit_dialog));
      self->quit_dialog = NULL;
    }
  /* Closing the window ends the stream it started. */
  if (self->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->live, self);
      cb_live_abandon (self->live);
    }
  g_clear_object (&self->live);
}

void
cb_window_live_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_label);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_badge);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_stats);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_time_label);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, live_stats_label);
  gtk_widget_class_bind_template_callback (widget_class, on_live_button_toggled);
}
