/* cb-streams-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-stream-row.h"
#include "cb-streams-panel.h"

struct _CbStreamsPanel
{
  AdwBin        parent_instance;

  GListModel   *model;
  char         *rtmp_url;
  char         *publish_key;

  /* Template. */
  GtkLabel     *count_label;
  GtkLabel     *server_label;
  GtkStack     *stack;
  GtkColumnView *column_view;
  GtkNoSelection *selection;
  GtkMenuButton *obs_button;
  GtkLabel      *obs_url_label;
  GtkEditable   *obs_name_entry;
  GtkEditable   *obs_key_entry;
  GtkMenuButton *pull_button;
  GtkPopover    *pull_popover;
  GtkEditable   *pull_url_entry;
  GtkEditable   *pull_name_entry;
  GtkWidget     *pull_start_button;
  GtkColumnViewColumn *remove_column;
  GtkColumnViewColumn *record_column;
  GtkColumnViewColumn *kind_column;
  GtkColumnViewColumn *video_column;
  GtkColumnViewColumn *audio_column;
  GtkColumnViewColumn *source_column;

  int           columns_width;   /* the width the columns were chosen for */
  guint         columns_id;
};

G_DEFINE_FINAL_TYPE (CbStreamsPanel, cb_streams_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SERVER_INFO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PULL_REQUESTED,
  REMOVE_PULL_REQUESTED,
  PLAY_REQUESTED,
  RECORD_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* Connect OBS. OBS's "stream key" is the stream name, with ?key= when the server wants a
 * publish key. */

static void
update_obs_key (CbStreamsPanel *self)
{
  const char *name = gtk_editable_get_text (self->obs_name_entry);
  g_autofree char *key = NULL;

  if (self->publish_key != NULL && *self->publish_key != '\0')
    key = g_strdup_printf ("%s?key=%s", name, self->publish_key);
  else
    key = g_strdup (name);
  gtk_editable_set_text (self->obs_key_entry, key);
}

static void
on_obs_name_changed (CbStreamsPanel *self)
{
  update_obs_key (self);
}

static void
on_obs_copy_url_clicked (CbStreamsPanel *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          gtk_label_get_label (self->obs_url_label));
}

static void
on_obs_copy_key_clicked (CbStreamsPanel *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          gtk_editable_get_text (self->obs_key_entry));
}

/* Pulls: the window does the engine work; the panel only asks. */

static void
on_pull_entry_changed (CbStreamsPanel *self)
{
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (self->pull_url_entry)));

  gtk_widget_set_sensitive (self->pull_start_button, *uri != '\0');
}

static void
on_pull_start_clicked (CbStreamsPanel *self)
{
  g_autofree char *uri = g_strstrip (g_strdup (gtk_editable_get_text (self->pull_url_entry)));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (self->pull_name_entry)));

  if (*uri == '\0')
    return;
  gtk_popover_popdown (self->pull_popover);
  g_signal_emit (self, signals[PULL_REQUESTED], 0, uri, *name != '\0' ? name : NULL);
  gtk_editable_set_text (self->pull_url_entry, "");
  gtk_editable_set_text (self->pull_name_entry, "");
}

static void
on_remove_clicked (GtkButton      *button,
                   CbStreamsPanel *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "cb-list-item");
  CbStreamRow *row = CB_STREAM_ROW (gtk_list_item_get_item (item));

  if (row != NULL)
    g_signal_emit (self, signals[REMOVE_PULL_REQUESTED], 0, cb_stream_row_get_name (row));
}

/* Double-click or Enter on a row: play a published stream. A player's row has nothing
 * to play of its own. */
static void
on_column_view_activate (GtkColumnView  *column_view,
                         guint           position,
                         CbStreamsPanel *self)
{
  g_autoptr(CbStreamRow) row = NULL;

  if (self->model == NULL)
    return;
  row = g_list_model_get_item (self->model, position);
  if (row == NULL || !cb_stream_row_get_published (row))
    return;
  g_signal_emit (self, signals[PLAY_REQUESTED], 0, cb_stream_row_get_name (row));
}

static void
on_remove_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_set_tooltip_text (button, _("Stop Pulling"));
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "circular");
  g_object_set_data (G_OBJECT (button), "cb-list-item", item);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
  gtk_list_item_set_child (item, button);
}

static void
on_remove_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_list_item_get_child (item);
  GBinding *binding = g_object_bind_property (gtk_list_item_get_item (item), "pulled",
                                              button, "visible", G_BINDING_SYNC_CREATE);

  g_object_set_data (G_OBJECT (button), "cb-binding", binding);
}

static void
on_remove_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_list_item_get_child (item);
  GBinding *binding = g_object_steal_data (G_OBJECT (button), "cb-binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

/* Record: on a publisher's row, a button that starts or stops recording it. */

static void
sync_record_button (GtkWidget   *button,
                    CbStreamRow *row)
{
  gboolean recording = cb_stream_row_get_recording (row);
  const char *label = recording ? _("Stop Recording") : _("Record");
  const char *progress = cb_stream_row_get_record_progress (row);
  g_autofree char *tooltip = NULL;

  /* How long and how big so far, where the pointer already is. */
  if (recording && progress != NULL)
    tooltip = g_strdup_printf ("%s (%s)", label, progress);
  gtk_button_set_icon_name (GTK_BUTTON (button), recording ? "media-playback-stop-symbolic"
                                                           : "media-record-symbolic");
  gtk_widget_set_tooltip_text (button, tooltip != NULL ? tooltip : label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  if (recording)
    gtk_widget_add_css_class (button, "recording");
  else
    gtk_widget_remove_css_class (button, "recording");
}

static void
on_row_recording_notify (CbStreamRow *row,
                         GParamSpec  *pspec,
                         GtkWidget   *button)
{
  sync_record_button (button, row);
}

static void
on_record_clicked (GtkButton      *button,
                   CbStreamsPanel *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "cb-list-item");
  CbStreamRow *row = CB_STREAM_ROW (gtk_list_item_get_item (item));

  if (row != NULL && cb_stream_row_get_published (row))
    g_signal_emit (self, signals[RECORD_REQUESTED], 0, cb_stream_row_get_media_session_id (row),
                   !cb_stream_row_get_recording (row));
}

static void
on_record_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("media-record-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "record-button");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "cb-list-item", item);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_record_clicked), self, 0);
  gtk_list_item_set_child (item, button);
}

static void
on_record_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_list_item_get_child (item);
  CbStreamRow *row = CB_STREAM_ROW (gtk_list_item_get_item (item));
  /* A player's row has nothing of its own to record. */
  GBinding *binding = g_object_bind_property (row, "published", button, "visible",
                                              G_BINDING_SYNC_CREATE);

  g_object_set_data (G_OBJECT (button), "cb-binding", binding);
  g_signal_connect_object (row, "notify::recording", G_CALLBACK (on_row_recording_notify),
                           button, 0);
  g_signal_connect_object (row, "notify::record-progress", G_CALLBACK (on_row_recording_notify),
                           button, 0);
  sync_record_button (button, row);
}

static void
on_record_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  CbStreamsPanel           *self)
{
  GtkWidget *button = gtk_list_item_get_child (item);
  GBinding *binding = g_object_steal_data (G_OBJECT (button), "cb-binding");
  gpointer row = gtk_list_item_get_item (item);

  if (binding != NULL)
    g_binding_unbind (binding);
  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, on_row_recording_notify, button);
}

static void
cb_streams_panel_finalize (GObject *object)
{
  CbStreamsPanel *self = CB_STREAMS_PANEL (object);

  g_free (self->rtmp_url);
  g_free (self->publish_key);

  G_OBJECT_CLASS (cb_streams_panel_parent_class)->finalize (object);
}

/* Narrow: the least needed columns go before the window has to grow (their values stay
 * in the player window and over REST). Chosen after the allocation, not during it. */
static const struct {
  gsize offset;
  int   min_width;
} optional_columns[] = {
  { G_STRUCT_OFFSET (CbStreamsPanel, source_column), 760 },
  { G_STRUCT_OFFSET (CbStreamsPanel, kind_column), 700 },
  { G_STRUCT_OFFSET (CbStreamsPanel, audio_column), 600 },
  { G_STRUCT_OFFSET (CbStreamsPanel, video_column), 460 },
};

static gboolean
update_columns (gpointer data)
{
  CbStreamsPanel *self = data;

  self->columns_id = 0;
  g_debug ("Streams columns for %d pixels", self->columns_width);
  for (guint i = 0; i < G_N_ELEMENTS (optional_columns); i++)
    {
      GtkColumnViewColumn *column =
        G_STRUCT_MEMBER (GtkColumnViewColumn *, self, optional_columns[i].offset);

      gboolean visible = self->columns_width >= optional_columns[i].min_width;

      if (visible == gtk_column_view_column_get_visible (column))
        continue;
      /* GTK 4.8 still counts a hidden column's width when it shares out the spare width
       * (gtk_column_view_measure_across()): Name would keep its minimum, with as much
       * empty space on the right as the hidden columns took. A hidden column is made 0
       * wide, and gets its width back (the .ui's, or the one the user dragged) when
       * shown. */
      if (!visible)
        {
          g_object_set_data (G_OBJECT (column), "cb-shown-width",
                             GINT_TO_POINTER (gtk_column_view_column_get_fixed_width (column)));
          gtk_column_view_column_set_fixed_width (column, 0);
        }
      else
        gtk_column_view_column_set_fixed_width (column,
                                                GPOINTER_TO_INT (g_object_get_data (G_OBJECT (column),
                                                                                    "cb-shown-width")));
      gtk_column_view_column_set_visible (column, visible);
    }
  return G_SOURCE_REMOVE;
}

/* The adjustment's page is the width the columns get. */
static void
on_hadjustment_changed (GtkAdjustment  *adjustment,
                        CbStreamsPanel *self)
{
  int width = (int) gtk_adjustment_get_page_size (adjustment);

  if (width <= 0 || width == self->columns_width)
    return;
  self->columns_width = width;
  if (self->columns_id == 0)
    self->columns_id = g_idle_add (update_columns, self);
}

static void
cb_streams_panel_dispose (GObject *object)
{
  CbStreamsPanel *self = CB_STREAMS_PANEL (object);

  g_clear_handle_id (&self->columns_id, g_source_remove);

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
  object_class->finalize = cb_streams_panel_finalize;
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

  /* The user asked to pull @uri (an RTMP URL) into @name (NULL: the URL's stream name). */
  signals[PULL_REQUESTED] =
    g_signal_new ("pull-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /* The user asked to end the pull that feeds the stream @name. */
  signals[REMOVE_PULL_REQUESTED] =
    g_signal_new ("remove-pull-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The user asked to watch the published stream @name. */
  signals[PLAY_REQUESTED] =
    g_signal_new ("play-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The user asked to start (TRUE) or stop recording the stream of the mediaSessionId. */
  signals[RECORD_REQUESTED] =
    g_signal_new ("record-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  /* The list item factories look the row type up by name. */
  g_type_ensure (CB_TYPE_STREAM_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/castbridge/Castbridge/cb-streams-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, server_label);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, column_view);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, selection);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, obs_button);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, obs_url_label);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, obs_name_entry);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, obs_key_entry);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, pull_button);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, pull_popover);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, pull_url_entry);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, pull_name_entry);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, pull_start_button);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, remove_column);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, record_column);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, kind_column);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, video_column);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, audio_column);
  gtk_widget_class_bind_template_child (widget_class, CbStreamsPanel, source_column);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_pull_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_pull_start_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_obs_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_obs_copy_url_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_obs_copy_key_clicked);
}

static void
cb_streams_panel_init (CbStreamsPanel *self)
{
  g_autoptr(GtkListItemFactory) remove_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) record_factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  update_empty (self);
  g_signal_connect_object (gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (self->column_view)),
                           "changed", G_CALLBACK (on_hadjustment_changed), self, 0);

  /* A button needs the row's name at click time, which a builder factory cannot give. */
  g_signal_connect_object (remove_factory, "setup", G_CALLBACK (on_remove_setup), self, 0);
  g_signal_connect_object (remove_factory, "bind", G_CALLBACK (on_remove_bind), self, 0);
  g_signal_connect_object (remove_factory, "unbind", G_CALLBACK (on_remove_unbind), self, 0);
  gtk_column_view_column_set_factory (self->remove_column, remove_factory);
  g_signal_connect_object (record_factory, "setup", G_CALLBACK (on_record_setup), self, 0);
  g_signal_connect_object (record_factory, "bind", G_CALLBACK (on_record_bind), self, 0);
  g_signal_connect_object (record_factory, "unbind", G_CALLBACK (on_record_unbind), self, 0);
  gtk_column_view_column_set_factory (self->record_column, record_factory);
  cb_streams_panel_set_rtmp_ingest (self, NULL, NULL);
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

void
cb_streams_panel_set_rtmp_ingest (CbStreamsPanel *self,
                                  const char     *url,
                                  const char     *publish_key)
{
  g_return_if_fail (CB_IS_STREAMS_PANEL (self));

  g_free (self->rtmp_url);
  self->rtmp_url = g_strdup (url);
  g_free (self->publish_key);
  self->publish_key = g_strdup (publish_key);

  gtk_widget_set_sensitive (GTK_WIDGET (self->obs_button), url != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->obs_button),
                               url != NULL ? _("Connect OBS")
                                           : _("RTMP ingest is not running"));
  gtk_label_set_label (self->obs_url_label, url != NULL ? url : "");
  update_obs_key (self);
}

GtkMenuButton *
cb_streams_panel_get_obs_button (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->obs_button;
}

GtkLabel *
cb_streams_panel_get_obs_url_label (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->obs_url_label;
}

GtkEditable *
cb_streams_panel_get_obs_key_entry (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->obs_key_entry;
}

GtkMenuButton *
cb_streams_panel_get_pull_button (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->pull_button;
}

GtkEditable *
cb_streams_panel_get_pull_url_entry (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->pull_url_entry;
}

GtkEditable *
cb_streams_panel_get_pull_name_entry (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->pull_name_entry;
}

GtkButton *
cb_streams_panel_get_pull_start_button (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return GTK_BUTTON (self->pull_start_button);
}

GtkColumnView *
cb_streams_panel_get_column_view (CbStreamsPanel *self)
{
  g_return_val_if_fail (CB_IS_STREAMS_PANEL (self), NULL);
  return self->column_view;
}
