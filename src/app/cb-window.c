/* cb-window.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The studio window: its template and the models behind it. Each concern has a file of
 * its own: cb-window-sources.c (sources and preview), cb-window-live.c (Go Live, the
 * window's actions and shortcuts, closing while live), cb-window-streams.c (the Streams
 * panel, pulls, players), cb-window-record.c (recording).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-destination-config.h"
#include "cb-destinations-panel.h"
#include "cb-player-window.h"
#include "cb-window-studio.h"
#include "cb-publish-target.h"
#include "cb-recordings-panel.h"
#include "cb-sidebar-switcher.h"
#include "cb-streams-panel.h"
#include "cb-window-private.h"

G_DEFINE_FINAL_TYPE (CbWindow, cb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STUDIO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Messages. */

void
cb_window_show_toast (CbWindow   *self,
                      const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
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
  cb_relays_panel_set_default_stream (self->relays_panel, name);
  cb_publish_target_set_default_name (self->publish_target, name);
}

static void
on_publish_target_failed (CbPublishTarget *target,
                          const char      *message,
                          CbWindow        *self)
{
  cb_window_show_toast (self, message);
}

static void
on_relays_operation_failed (CbRelayList *list,
                            const char  *message,
                            CbWindow    *self)
{
  cb_window_show_toast (self, message);
}

/* Notifications go through the application, once the window has one. */
static void
on_application_changed (CbWindow   *self,
                        GParamSpec *pspec,
                        gpointer    data)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (self->events != NULL)
    cb_event_log_set_application (self->events, G_APPLICATION (application));
}

/* Notifications are for when the window is not in front of its user. */
static void
on_in_view_changed (CbWindow   *self,
                    GParamSpec *pspec,
                    gpointer    data)
{
  if (self->events != NULL)
    cb_event_log_set_in_view (self->events,
                              gtk_widget_get_visible (GTK_WIDGET (self)) &&
                              gtk_window_is_active (GTK_WINDOW (self)));
}

/* GObject. */

static void
cb_window_constructed (GObject *object)
{
  CbWindow *self = CB_WINDOW (object);
  g_autofree char *config_path = cb_destination_config_default_path ();

  G_OBJECT_CLASS (cb_window_parent_class)->constructed (object);

  g_assert (CB_IS_STUDIO (self->studio));

  self->engine = g_object_ref (cb_studio_get_engine (self->studio));
  self->streams = cb_stream_list_new (self->engine);

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

  cb_window_live_setup (self);
  cb_window_record_setup (self);
  cb_window_studio_setup (self);

  self->events = cb_event_log_new (self->engine, self->recordings, NULL);
  cb_events_panel_set_log (self->events_panel, self->events);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_in_view_changed), NULL);
  g_signal_connect (self, "notify::visible", G_CALLBACK (on_in_view_changed), NULL);
  on_in_view_changed (self, NULL, NULL);
  self->relays = cb_relay_list_new (self->engine, self->events);
  g_signal_connect_object (self->relays, "operation-failed",
                           G_CALLBACK (on_relays_operation_failed), self, 0);
  cb_relays_panel_set_streams (self->relays_panel, self->streams);
  cb_relays_panel_set_list (self->relays_panel, self->relays);
  cb_window_streams_setup (self);

  if (cb_studio_get_server_error (self->studio) != NULL)
    cb_window_show_toast (self, _("The usual ports are taken: the server listens on other ones"));

  cb_window_sources_setup (self);
  cb_window_restart_preview (self);
}

static void
cb_window_dispose (GObject *object)
{
  CbWindow *self = CB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);

  cb_window_live_dispose (self);
  cb_window_streams_dispose (self);
  cb_window_sources_dispose (self);
  cb_window_record_dispose (self);
  cb_window_studio_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_WINDOW);

  /* The list empties itself as it goes: nothing to check about it any more. */
  if (self->streams != NULL)
    g_signal_handlers_disconnect_by_data (self->streams, self);
  g_clear_object (&self->streams);
  if (self->relays != NULL)
    g_signal_handlers_disconnect_by_data (self->relays, self);
  g_clear_object (&self->relays);
  g_clear_object (&self->events);
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

  g_type_ensure (CB_TYPE_SIDEBAR_SWITCHER);
  g_type_ensure (CB_TYPE_STREAMS_PANEL);
  g_type_ensure (CB_TYPE_DESTINATIONS_PANEL);
  g_type_ensure (CB_TYPE_RECORDINGS_PANEL);
  g_type_ensure (CB_TYPE_EVENTS_PANEL);
  g_type_ensure (CB_TYPE_RELAYS_PANEL);
  g_type_ensure (CB_TYPE_PUBLISH_TARGET);
  g_type_ensure (CB_TYPE_SHRINKING_BOX);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CbWindow, name_entry);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, header_start);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, publish_target);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, streams_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, destinations_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, destinations_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, recordings_page);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, recordings_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, events_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, relays_panel);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_indicator);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_time_label);
  gtk_widget_class_bind_template_child (widget_class, CbWindow, rec_size_label);
  cb_window_sources_class_init (widget_class);
  cb_window_live_class_init (widget_class);
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
  return cb_live_get_state (self->live) == CB_LIVE_ON;
}

gboolean
cb_window_is_busy (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), FALSE);
  return cb_live_get_state (self->live) == CB_LIVE_STARTING ||
         cb_live_get_state (self->live) == CB_LIVE_STOPPING;
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

CbEventLog *
cb_window_get_event_log (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->events;
}

CbEventsPanel *
cb_window_get_events_panel (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->events_panel;
}

CbRelayList *
cb_window_get_relay_list (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->relays;
}

CbRelaysPanel *
cb_window_get_relays_panel (CbWindow *self)
{
  g_return_val_if_fail (CB_IS_WINDOW (self), NULL);
  return self->relays_panel;
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
