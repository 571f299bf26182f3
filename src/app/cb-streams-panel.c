/* cb-streams-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"


#include "cb-stream-row.h"
#include "cb-streams-panel.h"

struct _CbStreamsPanel
{
  AdwBin        parent_instance;

  GListModel   *model;

  /* Template. */
  GtkLabel     *count_label;
  GtkLabel     *server_label;
  GtkStack     *stack;
  GtkColumnView *column_view;
  GtkNoSelection *selection;
};

G_DEFINE_FINAL_TYPE (CbStreamsPanel, cb_streams_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SERVER_INFO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_empty (CbStreamsPanel *self)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  g_autofree char *count = NULL;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  if (n > 0)
    count = g_strdup_printf ("%u", n);
  gtk_label_set_label (self->count_label, count);
}

static void
on_model_items_changed (GListModel     *model,
                        guint           position,
                        guint           removed,
                        guint           added,
                        CbStreamsPanel *self)
{
  update_empty (self);
}

static void
cb_streams_panel_dispose (GObject *object)
{
  CbStreamsPanel *self = CB_STREAMS_PANEL (object);

  cb_streams_panel_set_model (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CB_TYPE_STREAMS_PANEL);

  G_OBJECT_CLASS (cb_streams_panel_parent_class)->dispose (object);
}

static void
cb_streams_panel_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CbStreamsPanel *self = CB_STREAMS_PANEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_SERVER_INFO:
      g_value_set_string (value, gtk_label_get_label (self->server_label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_streams_panel_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CbStreamsPanel *self = CB_STREAMS_PANEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cb_streams_panel_set_model (self, g_value_get_object (value));
      break;
    case PROP_SERVER_INFO:
      cb_streams_panel_set_server_info (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_streams_panel_class_init (CbStreamsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cb_streams_panel_dispose;
  object_class->get_property = cb_streams_panel_get_property;
  object_class->set_property = cb_streams_panel_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Where the server listens, for people who connect players and scripts. */
  properties[PROP_SERVER_INFO] =
    g_param_spec_string ("server-info", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The list item factories look the row type up by name. */
  g_type_ensure (CB_TYPE_STREAM_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-streams-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, server_label);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, column_view);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, selection);
}

static void
cb_streams_panel_init (CbStreamsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_empty (self);
}

GListModel *
cb_streams_panel_get_model (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->model;
}

void
cb_streams_panel_set_model (CbStreamsPanel *self,
                            GListModel     *model)
{
  g_return_if_fail (CB_IS_STREAMS_PANEL (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_model_items_changed, self);
  g_set_object (&self->model, model);
  if (self->model != NULL)
    g_signal_connect_object (self->model, "items-changed",
                             G_CALLBACK (on_model_items_changed), self, 0);

  if (self->selection != NULL)
    gtk_no_selection_set_model (self->selection, model);
  update_empty (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
cb_streams_panel_set_server_info (CbStreamsPanel *self,
                                  const char     *server_info)
{
  g_return_if_fail (CB_IS_STREAMS_PANEL (self));

  if (g_strcmp0 (gtk_label_get_label (self->server_label), server_info ? server_info : "") == 0)
    return;
  gtk_label_set_label (self->server_label, server_info);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_INFO]);
}
