/* cb-destinations-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-destination-presets.h"
#include "cb-destinations-panel.h"

struct _CbDestinationsPanel
{
  AdwBin             parent_instance;

  CbDestinationList *list;
  char              *default_stream;
  GtkStringList     *preset_labels;
  GtkStringList     *server_labels;

  /* Template. */
  GtkLabel          *count_label;
  GtkToggleButton   *add_toggle;
  GtkRevealer       *add_revealer;
  GtkDropDown       *preset_dropdown;
  AdwActionRow      *server_row;
  GtkDropDown       *server_dropdown;
  AdwActionRow      *url_row;
  GtkEditable       *url_entry;
  GtkEditable       *key_entry;
  GtkLabel          *key_hint_label;
  GtkEditable       *stream_entry;
  GtkLabel          *form_message;
  GtkButton         *add_button;
  GtkStack          *stack;
  GtkListBox        *list_box;
};

G_DEFINE_FINAL_TYPE (CbDestinationsPanel, cb_destinations_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LIST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const CbDestinationPreset *
selected_preset (CbDestinationsPanel *self)
{
  guint n_presets;
  const CbDestinationPreset *presets = cb_destination_presets (&n_presets);
  guint selected = gtk_drop_down_get_selected (self->preset_dropdown);

  return &presets[selected < n_presets ? selected : n_presets - 1];
}

static const char *
selected_server (CbDestinationsPanel *self)
{
  const CbDestinationPreset *preset = selected_preset (self);
  guint selected = gtk_drop_down_get_selected (self->server_dropdown);

  if (cb_destination_preset_is_custom (preset))
    return gtk_editable_get_text (self->url_entry);
  return preset->servers[selected < preset->n_servers ? selected : 0].url;
}

static void
update_empty (CbDestinationsPanel *self)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;
  g_autofree char *count = n > 0 ? g_strdup_printf ("%u", n) : NULL;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  gtk_label_set_label (self->count_label, count);
}

/* The add form. */

static void
show_form_message (CbDestinationsPanel *self,
                   const char          *message)
{
  gtk_label_set_label (self->form_message, message);
  gtk_widget_set_visible (GTK_WIDGET (self->form_message), message != NULL);
}

/* Whether the form makes a destination; says why not when the user has typed enough
 * for a message to help. */
static gboolean
validate_form (CbDestinationsPanel *self)
{
  const CbDestinationPreset *preset = selected_preset (self);
  const char *key = gtk_editable_get_text (self->key_entry);
  const char *url = gtk_editable_get_text (self->url_entry);
  g_autofree char *stream = g_strstrip (g_strdup (gtk_editable_get_text (self->stream_entry)));
  gboolean custom = cb_destination_preset_is_custom (preset);
  g_autoptr(GError) error = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->stream_entry), "error");
  show_form_message (self, NULL);

  if (*stream == '\0')
    return FALSE;
  if (!cb_engine_validate_stream_name (stream, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->stream_entry), "error");
      show_form_message (self, _("Name a stream of this server to push"));
      return FALSE;
    }
  if (custom && *url == '\0')
    return FALSE;
  if (!custom && *key == '\0')
    return FALSE;
  if (!cb_destination_check_url (selected_server (self), key, &error))
    {
      if (custom)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->url_entry), "error");
          show_form_message (self, *key == '\0'
                                   ? _("Give the stream key, or a URL that ends with the "
                                       "stream name: rtmp://host/app/name")
                                   : _("Not an RTMP address: rtmp://host/app or rtmps://host/app"));
        }
      else
        show_form_message (self, _("This stream key cannot be used in an address"));
      return FALSE;
    }
  return TRUE;
}

static void
on_form_changed (GtkEditable         *editable,
                 CbDestinationsPanel *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), validate_form (self));
}

static void
on_preset_selected (GtkDropDown         *dropdown,
                    GParamSpec          *pspec,
                    CbDestinationsPanel *self)
{
  const CbDestinationPreset *preset = selected_preset (self);
  gboolean custom = cb_destination_preset_is_custom (preset);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->server_labels));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  for (guint i = 0; i < preset->n_servers; i++)
    g_ptr_array_add (labels, (gpointer) _(preset->servers[i].label));
  g_ptr_array_add (labels, NULL);
  gtk_string_list_splice (self->server_labels, 0, n, (const char * const *) labels->pdata);
  gtk_drop_down_set_selected (self->server_dropdown, 0);

  gtk_widget_set_visible (GTK_WIDGET (self->server_row), !custom);
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), custom);
  if (custom)
    gtk_label_set_label (self->key_hint_label,
                         _("The stream key is optional when the URL ends with the stream name."));
  else
    {
      /* Translators: %s says where the service shows the key, as in the presets */
      g_autofree char *hint = g_strdup_printf (_("Find the stream key in %s."),
                                               _(preset->key_hint));

      gtk_label_set_label (self->key_hint_label, hint);
    }
  on_form_changed (NULL, self);
}

static void
reset_form (CbDestinationsPanel *self)
{
  gtk_editable_set_text (self->key_entry, "");
  gtk_editable_set_text (self->url_entry, "");
  gtk_editable_set_text (self->stream_entry,
                         self->default_stream != NULL ? self->default_stream : "");
  on_form_changed (NULL, self);
}

static void
on_add_toggle_toggled (GtkToggleButton     *toggle,
                       CbDestinationsPanel *self)
{
  if (gtk_toggle_button_get_active (toggle))
    {
      reset_form (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->key_entry));
    }
  else
    /* A key typed and abandoned does not wait in a hidden field. */
    gtk_editable_set_text (self->key_entry, "");
}

static void
on_cancel_button_clicked (GtkButton           *button,
                          CbDestinationsPanel *self)
{
  gtk_toggle_button_set_active (self->add_toggle, FALSE);
}

static void
on_add_button_clicked (GtkButton           *button,
                       CbDestinationsPanel *self)
{
  const CbDestinationPreset *preset = selected_preset (self);
  g_autofree char *stream = g_strstrip (g_strdup (gtk_editable_get_text (self->stream_entry)));

  if (self->list == NULL || !validate_form (self))
    return;

  cb_destination_list_add (self->list, preset->id, selected_server (self),
                           gtk_editable_get_text (self->key_entry), stream, NULL);
  gtk_toggle_button_set_active (self->add_toggle, FALSE);
}

static void
on_key_entry_activate (GtkPasswordEntry    *entry,
                       CbDestinationsPanel *self)
{
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->add_button)))
    on_add_button_clicked (self->add_button, self);
}

/* The list. */

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  CbDestinationsPanel *self = user_data;

  return cb_destination_row_new (self->list, CB_DESTINATION (item));
}

static void
on_list_items_changed (GListModel          *model,
                       guint                position,
                       guint                removed,
                       guint                added,
                       CbDestinationsPanel *self)
{
  update_empty (self);
}

/* GObject. */

static void
cb_destinations_panel_dispose (GObject *object)
{
  CbDestinationsPanel *self = CB_DESTINATIONS_PANEL (object);

  cb_destinations_panel_set_list (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_DESTINATIONS_PANEL);

  G_OBJECT_CLASS (cb_destinations_panel_parent_class)->dispose (object);
}

static void
cb_destinations_panel_finalize (GObject *object)
{
  CbDestinationsPanel *self = CB_DESTINATIONS_PANEL (object);

  g_free (self->default_stream);
  g_clear_object (&self->preset_labels);
  g_clear_object (&self->server_labels);

  G_OBJECT_CLASS (cb_destinations_panel_parent_class)->finalize (object);
}

static void
cb_destinations_panel_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CbDestinationsPanel *self = CB_DESTINATIONS_PANEL (object);

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
cb_destinations_panel_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CbDestinationsPanel *self = CB_DESTINATIONS_PANEL (object);

  switch (prop_id)
    {
    case PROP_LIST:
      cb_destinations_panel_set_list (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_destinations_panel_class_init (CbDestinationsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cb_destinations_panel_dispose;
  object_class->finalize = cb_destinations_panel_finalize;
  object_class->get_property = cb_destinations_panel_get_property;
  object_class->set_property = cb_destinations_panel_set_property;

  properties[PROP_LIST] =
    g_param_spec_object ("list", NULL, NULL, CB_TYPE_DESTINATION_LIST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CB_TYPE_DESTINATION_ROW);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/castbridge/Castbridge/cb-destinations-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, add_toggle);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, add_revealer);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, preset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, server_row);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, server_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, url_row);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, url_entry);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, key_hint_label);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, key_entry);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, stream_entry);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, form_message);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, add_button);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CbDestinationsPanel, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_add_toggle_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_preset_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_key_entry_activate);
}

static void
cb_destinations_panel_init (CbDestinationsPanel *self)
{
  guint n_presets;
  const CbDestinationPreset *presets = cb_destination_presets (&n_presets);

  self->preset_labels = gtk_string_list_new (NULL);
  for (guint i = 0; i < n_presets; i++)
    gtk_string_list_append (self->preset_labels,
                            presets[i].name != NULL ? presets[i].name : _("Custom RTMP URL"));
  self->server_labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_model (self->server_dropdown, G_LIST_MODEL (self->server_labels));
  /* Also fills the server list for the first preset. */
  gtk_drop_down_set_model (self->preset_dropdown, G_LIST_MODEL (self->preset_labels));
  on_preset_selected (self->preset_dropdown, NULL, self);
  update_empty (self);
}

CbDestinationList *
cb_destinations_panel_get_list (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->list;
}

void
cb_destinations_panel_set_list (CbDestinationsPanel *self,
                                CbDestinationList   *list)
{
  g_return_if_fail (CB_IS_DESTINATIONS_PANEL (self));
  g_return_if_fail (list == NULL || CB_IS_DESTINATION_LIST (list));

  if (self->list == list)
    return;

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_func (self->list, on_list_items_changed, self);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_set_object (&self->list, list);
  if (self->list != NULL)
    {
      g_signal_connect_object (self->list, "items-changed",
                               G_CALLBACK (on_list_items_changed), self, 0);
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->list), create_row, self, NULL);
    }
  update_empty (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST]);
}

void
cb_destinations_panel_set_default_stream (CbDestinationsPanel *self,
                                          const char          *name)
{
  g_autofree char *old = NULL;

  g_return_if_fail (CB_IS_DESTINATIONS_PANEL (self));

  old = g_steal_pointer (&self->default_stream);
  self->default_stream = g_strdup (name);
  /* Unless the user has typed another name. */
  if (g_strcmp0 (gtk_editable_get_text (self->stream_entry), old != NULL ? old : "") == 0)
    gtk_editable_set_text (self->stream_entry, name != NULL ? name : "");
}

GtkToggleButton *
cb_destinations_panel_get_add_toggle (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->add_toggle;
}

GtkDropDown *
cb_destinations_panel_get_preset_dropdown (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->preset_dropdown;
}

GtkDropDown *
cb_destinations_panel_get_server_dropdown (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->server_dropdown;
}

GtkEditable *
cb_destinations_panel_get_url_entry (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->url_entry;
}

GtkEditable *
cb_destinations_panel_get_key_entry (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->key_entry;
}

GtkEditable *
cb_destinations_panel_get_stream_entry (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->stream_entry;
}

GtkButton *
cb_destinations_panel_get_add_button (CbDestinationsPanel *self)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);
  return self->add_button;
}

CbDestinationRow *
cb_destinations_panel_get_row (CbDestinationsPanel *self,
                               CbDestination       *destination)
{
  g_return_val_if_fail (CB_IS_DESTINATIONS_PANEL (self), NULL);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

      if (row == NULL)
        return NULL;
      if (CB_IS_DESTINATION_ROW (row) &&
          cb_destination_row_get_destination (CB_DESTINATION_ROW (row)) == destination)
        return CB_DESTINATION_ROW (row);
    }
}
