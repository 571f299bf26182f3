/* cb-relays-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The panel only shows CbRelayList and asks it to start and stop: relays started over
 * REST appear here because the list follows the engine, not this panel. Addresses come
 * masked from the engine (cb_redact_url()); the one typed in the form is cleared once
 * it has been handed over.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-relays-panel.h"
#include "cb-stream-list.h"
#include "cb-stream-row.h"

struct _CbRelaysPanel
{
  GtkBox        parent_instance;

  CbRelayList  *list;
  CbStreamList *streams;
  char         *default_stream;
  char         *other_local;     /* the local name the other direction had */
  gboolean      pulling;         /* the direction the form was last in */

  GtkDropDown  *direction;
  GtkEntry     *url_entry;
  GtkEntry     *local_entry;
  GtkEntry     *remote_entry;
  GtkButton    *start_button;
  GtkLabel     *error_label;
  GtkListBox   *relays;
};

G_DEFINE_FINAL_TYPE (CbRelaysPanel, cb_relays_panel, GTK_TYPE_BOX)

static gboolean
is_pull (CbRelaysPanel *self)
{
  return gtk_drop_down_get_selected (self->direction) == 1;
}

static void
sync_form (CbRelaysPanel *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  const char *local = gtk_editable_get_text (GTK_EDITABLE (self->local_entry));
  const char *remote = gtk_editable_get_text (GTK_EDITABLE (self->remote_entry));
  gboolean rtmp = g_str_has_prefix (url, "rtmp://") || g_str_has_prefix (url, "rtmps://");
  /* WHIP and WHEP name the stream in the URL; the name there is optional. */
  gboolean whip = g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://");
  gboolean ready;

  if (is_pull (self))
    {
      gtk_entry_set_placeholder_text (self->url_entry,
                                      _("wss://server:8443, https://…/whep or rtmp://…"));
      gtk_entry_set_placeholder_text (self->local_entry, _("Name here (optional)"));
      gtk_entry_set_placeholder_text (self->remote_entry,
                                      whip ? _("Name there (optional)") : _("Stream name there"));
      /* An RTMP address names the stream itself. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->remote_entry), !rtmp);
      ready = *url != '\0' && (rtmp || whip || *remote != '\0');
    }
  else
    {
      gtk_entry_set_placeholder_text (self->url_entry,
                                      _("wss://server:8443 or https://…/whip"));
      gtk_entry_set_placeholder_text (self->local_entry, _("Stream to send"));
      gtk_entry_set_placeholder_text (self->remote_entry, _("Name there (optional)"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->remote_entry), TRUE);
      ready = *url != '\0' && *local != '\0';
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), ready && self->list != NULL);
}

static void
on_start_clicked (GtkButton     *button,
                  CbRelaysPanel *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_entry))));
  const char *local = gtk_editable_get_text (GTK_EDITABLE (self->local_entry));
  const char *remote = gtk_editable_get_text (GTK_EDITABLE (self->remote_entry));

  if (self->list == NULL || *url == '\0')
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (is_pull (self))
    cb_relay_list_pull (self->list, url, remote, local);
  else
    cb_relay_list_push (self->list, url, local, remote);
  /* The address may hold a password: it does not wait in the form. */
  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->remote_entry), "");
}

static void
on_operation_failed (CbRelayList   *list,
                     const char    *message,
                     CbRelaysPanel *self)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

/* Rows. */

static const char *
kind_label (CbRelayKind kind)
{
  switch (kind)
    {
    case CB_RELAY_PUSH:      return C_("relay", "Sent over WebRTC");
    case CB_RELAY_PULL:      return C_("relay", "Pulled over WebRTC");
    case CB_RELAY_RTMP_PULL: return C_("relay", "Pulled over RTMP");
    default:                 return "";
    }
}

/* The engine's state (WCS's names, as REST and the event log give them), for people. */
static const char *
state_label (const char *status)
{
  if (g_strcmp0 (status, "PENDING") == 0 || g_strcmp0 (status, "CONNECTING") == 0)
    return C_("relay state", "Connecting…");
  if (g_strcmp0 (status, "PUBLISHING") == 0)
    return C_("relay state", "Relaying");
  if (g_strcmp0 (status, "PLAYING") == 0)
    return C_("relay state", "Receiving");
  if (g_strcmp0 (status, "WAITING") == 0)
    return C_("relay state", "Waiting to retry");
  if (g_strcmp0 (status, "FAILED") == 0)
    return C_("relay state", "Relay failed");
  if (g_strcmp0 (status, "UNPUBLISHED") == 0 || g_strcmp0 (status, "STOPPED") == 0)
    return C_("relay state", "Relay stopped");
  return status != NULL ? status : "";
}

static char *
dup_title (CbRelay *relay)
{
  const char *local = cb_relay_get_local_name (relay);
  const char *remote = cb_relay_get_remote_name (relay);

  if (cb_relay_get_kind (relay) == CB_RELAY_PUSH)
    return g_strdup_printf ("%s → %s", local, remote != NULL ? remote : local);
  if (remote != NULL && *remote != '\0')
    return g_strdup_printf ("%s ← %s", local, remote);
  return g_strdup (local);
}

static void
on_stop_clicked (GtkButton     *button,
                 CbRelaysPanel *self)
{
  CbRelay *relay = g_object_get_data (G_OBJECT (button), "relay");

  if (relay != NULL && self->list != NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
      cb_relay_list_stop (self->list, relay);
    }
}

static GtkWidget *
create_row (gpointer item,
            gpointer data)
{
  CbRelaysPanel *self = data;
  CbRelay *relay = item;
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title, *uri, *state, *stop, *rate = NULL;
  g_autofree char *title_text = dup_title (relay);
  g_autofree char *state_text = NULL;
  g_autofree char *tooltip = NULL;
  gboolean running;
  const char *info = cb_relay_get_info (relay);

  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);

  title = gtk_label_new (title_text);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  uri = gtk_label_new (cb_relay_get_uri (relay));
  gtk_label_set_xalign (GTK_LABEL (uri), 0);
  gtk_label_set_ellipsize (GTK_LABEL (uri), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (uri, "caption");
  gtk_widget_add_css_class (uri, "dim-label");

  state_text = g_strdup_printf ("%s · %s%s%s", kind_label (cb_relay_get_kind (relay)),
                                state_label (cb_relay_get_status (relay)),
                                info != NULL && *info != '\0' ? ": " : "",
                                info != NULL ? info : "");
  state = gtk_label_new (state_text);
  gtk_label_set_xalign (GTK_LABEL (state), 0);
  gtk_label_set_wrap (GTK_LABEL (state), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (state), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (state, "caption");
  if (g_strcmp0 (cb_relay_get_status (relay), "FAILED") == 0)
    gtk_widget_add_css_class (state, "error");

  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), uri);
  gtk_box_append (GTK_BOX (text), state);
  gtk_widget_set_hexpand (text, TRUE);

  /* What a running relay carries: an RTMP pull measures what it receives; a WebRTC relay
   * shows its local stream's bitrate, as Streams measures it (sent for a push, received
   * for a pull). A relay that failed or waits carries nothing, whatever its stream does. */
  running = g_strcmp0 (cb_relay_get_status (relay), "PUBLISHING") == 0 ||
            g_strcmp0 (cb_relay_get_status (relay), "PLAYING") == 0;
  if (running && cb_relay_get_kind (relay) == CB_RELAY_RTMP_PULL &&
      cb_relay_get_bitrate (relay) > 0)
    {
      g_autofree char *bitrate = cb_format_bitrate (cb_relay_get_bitrate (relay));

      rate = gtk_label_new (bitrate);
    }
  else if (running && cb_relay_get_kind (relay) != CB_RELAY_RTMP_PULL && self->streams != NULL)
    {
      CbStreamRow *stream = cb_stream_list_lookup (self->streams, cb_relay_get_local_name (relay));

      if (stream != NULL)
        {
          rate = gtk_label_new (NULL);
          g_object_bind_property (stream, "bitrate", rate, "label", G_BINDING_SYNC_CREATE);
        }
    }
  if (rate != NULL)
    {
      gtk_widget_add_css_class (rate, "numeric");
      gtk_widget_set_valign (rate, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (row), rate);
    }

  stop = gtk_button_new_from_icon_name ("media-playback-stop-symbolic");
  gtk_widget_set_valign (stop, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (stop, "flat");
  gtk_widget_set_tooltip_text (stop, _("Stop this relay"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (stop), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Stop this relay"), -1);
  g_object_set_data_full (G_OBJECT (stop), "relay", g_object_ref (relay), g_object_unref);
  g_signal_connect (stop, "clicked", G_CALLBACK (on_stop_clicked), self);

  gtk_box_prepend (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), stop);

  tooltip = g_strdup_printf ("%s\n%s\n%s", title_text, cb_relay_get_uri (relay), state_text);
  gtk_widget_set_tooltip_text (text, tooltip);
  g_object_set_data (G_OBJECT (row), "relay", relay);
  g_object_set_data (G_OBJECT (row), "stop", stop);
  g_object_set_data (G_OBJECT (row), "rate", rate);
  g_object_set_data_full (G_OBJECT (row), "text",
                          g_strdup_printf ("%s · %s · %s", title_text, state_text,
                                           cb_relay_get_uri (relay)), g_free);
  return row;
}

GtkWidget *
cb_relays_panel_get_row (CbRelaysPanel *self,
                         CbRelay       *relay)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->relays)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *child = GTK_IS_LIST_BOX_ROW (row)
                         ? gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)) : NULL;

      if (child != NULL && g_object_get_data (G_OBJECT (child), "relay") == relay)
        return child;
    }
  return NULL;
}

char *
cb_relays_panel_dup_row_text (CbRelaysPanel *self,
                              CbRelay       *relay)
{
  GtkWidget *row = cb_relays_panel_get_row (self, relay);
  GtkLabel *rate;

  if (row == NULL)
    return NULL;
  rate = g_object_get_data (G_OBJECT (row), "rate");
  if (rate == NULL)
    return g_strdup (g_object_get_data (G_OBJECT (row), "text"));
  return g_strdup_printf ("%s · %s", (const char *) g_object_get_data (G_OBJECT (row), "text"),
                          gtk_label_get_label (rate));
}

GtkButton *
cb_relays_panel_get_stop_button (CbRelaysPanel *self,
                                 CbRelay       *relay)
{
  GtkWidget *row = cb_relays_panel_get_row (self, relay);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "stop") : NULL;
}

void
cb_relays_panel_set_list (CbRelaysPanel *self,
                          CbRelayList   *list)
{
  g_return_if_fail (CB_IS_RELAYS_PANEL (self));
  g_return_if_fail (list == NULL || CB_IS_RELAY_LIST (list));

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  if (!g_set_object (&self->list, list))
    return;
  gtk_list_box_bind_model (self->relays, G_LIST_MODEL (list), create_row, self, NULL);
  if (list != NULL)
    g_signal_connect_object (list, "operation-failed", G_CALLBACK (on_operation_failed), self, 0);
  sync_form (self);
}

void
cb_relays_panel_set_default_stream (CbRelaysPanel *self,
                                    const char    *name)
{
  const char *current;

  g_return_if_fail (CB_IS_RELAYS_PANEL (self));

  /* Follows the studio's name until the user types another, in the form or (while it
   * pulls) in what sending will show again. */
  current = gtk_editable_get_text (GTK_EDITABLE (self->local_entry));
  if (!is_pull (self) && (*current == '\0' || g_strcmp0 (current, self->default_stream) == 0))
    gtk_editable_set_text (GTK_EDITABLE (self->local_entry), name != NULL ? name : "");
  else if (is_pull (self) && (self->other_local == NULL || *self->other_local == '\0' ||
                              g_strcmp0 (self->other_local, self->default_stream) == 0))
    {
      g_free (self->other_local);
      self->other_local = g_strdup (name);
    }
  g_free (self->default_stream);
  self->default_stream = g_strdup (name);
}

static void
on_direction_changed (CbRelaysPanel *self)
{
  g_autofree char *current = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->local_entry)));
  g_autofree char *other = NULL;

  if (is_pull (self) == self->pulling)
    {
      sync_form (self);
      return;
    }
  self->pulling = is_pull (self);
  other = g_steal_pointer (&self->other_local);
  /* Each direction keeps its own: the stream one sends (the studio's at first), and the
   * name a pull gets here (empty at first: the remote stream's). */
  self->other_local = g_steal_pointer (&current);
  if (!is_pull (self) && (other == NULL || *other == '\0'))
    gtk_editable_set_text (GTK_EDITABLE (self->local_entry),
                           self->default_stream != NULL ? self->default_stream : "");
  else
    gtk_editable_set_text (GTK_EDITABLE (self->local_entry), other != NULL ? other : "");
  sync_form (self);
}

void
cb_relays_panel_set_streams (CbRelaysPanel *self,
                             CbStreamList  *streams)
{
  g_return_if_fail (CB_IS_RELAYS_PANEL (self));
  g_set_object (&self->streams, streams);
}

GtkDropDown *
cb_relays_panel_get_direction (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return self->direction;
}

GtkEditable *
cb_relays_panel_get_url_entry (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return GTK_EDITABLE (self->url_entry);
}

GtkEditable *
cb_relays_panel_get_local_entry (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return GTK_EDITABLE (self->local_entry);
}

GtkEditable *
cb_relays_panel_get_remote_entry (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return GTK_EDITABLE (self->remote_entry);
}

GtkButton *
cb_relays_panel_get_start_button (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return self->start_button;
}

GtkLabel *
cb_relays_panel_get_error_label (CbRelaysPanel *self)
{
  g_return_val_if_fail (CB_IS_RELAYS_PANEL (self), NULL);
  return self->error_label;
}

static void
cb_relays_panel_dispose (GObject *object)
{
  CbRelaysPanel *self = CB_RELAYS_PANEL (object);

  if (self->relays != NULL)
    gtk_list_box_bind_model (self->relays, NULL, NULL, NULL, NULL);
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->list);
  g_clear_object (&self->streams);
  g_clear_pointer (&self->default_stream, g_free);
  g_clear_pointer (&self->other_local, g_free);

  G_OBJECT_CLASS (cb_relays_panel_parent_class)->dispose (object);
}

static void
cb_relays_panel_class_init (CbRelaysPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_relays_panel_dispose;
}

static GtkEntry *
add_entry (GtkWidget  *box,
           const char *label)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_tooltip_text (entry, label);
  gtk_box_append (GTK_BOX (box), entry);
  return GTK_ENTRY (entry);
}

static void
cb_relays_panel_init (CbRelaysPanel *self)
{
  const char *directions[] = {
    C_("relay direction", "Send a stream to another server"),
    C_("relay direction", "Pull a stream from another server"),
    NULL,
  };
  GtkWidget *form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *placeholder;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);

  gtk_widget_set_margin_start (form, 12);
  gtk_widget_set_margin_end (form, 12);
  gtk_widget_set_margin_top (form, 12);
  gtk_widget_set_margin_bottom (form, 12);
  self->direction = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (directions));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->direction),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Direction"), -1);
  gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->direction));
  self->url_entry = add_entry (form, _("The other server’s address"));
  gtk_entry_set_input_purpose (self->url_entry, GTK_INPUT_PURPOSE_URL);
  self->local_entry = add_entry (form, _("The stream here"));
  self->remote_entry = add_entry (form, _("The stream there"));
  self->start_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Start Relay")));
  gtk_widget_add_css_class (GTK_WIDGET (self->start_button), "suggested-action");
  gtk_widget_set_halign (GTK_WIDGET (self->start_button), GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->start_button));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->error_label));
  gtk_box_append (GTK_BOX (self), form);
  gtk_box_append (GTK_BOX (self), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->relays = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->relays, GTK_SELECTION_NONE);
  placeholder = gtk_label_new (_("No relays. Relays started over REST show here too."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_set_margin_top (placeholder, 24);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_list_box_set_placeholder (self->relays, placeholder);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->relays));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);

  g_signal_connect_swapped (self->direction, "notify::selected",
                            G_CALLBACK (on_direction_changed), self);
  g_signal_connect_swapped (self->url_entry, "changed", G_CALLBACK (sync_form), self);
  g_signal_connect_swapped (self->local_entry, "changed", G_CALLBACK (sync_form), self);
  g_signal_connect_swapped (self->remote_entry, "changed", G_CALLBACK (sync_form), self);
  g_signal_connect (self->start_button, "clicked", G_CALLBACK (on_start_clicked), self);
  sync_form (self);
}
