/* cb-events-panel.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The log itself is CbEventLog, a model; the panel filters it by source and by the text
 * searched for (any part of the line), and copies what it shows, oldest first, as text.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-events-panel.h"

struct _CbEventsPanel
{
  GtkBox             parent_instance;

  CbEventLog        *log;
  GtkFilterListModel *shown;
  GtkCustomFilter   *filter;

  GtkSearchEntry    *search;
  GtkDropDown       *source;
  GtkButton         *copy_button;
  GtkListBox        *list;
};

G_DEFINE_FINAL_TYPE (CbEventsPanel, cb_events_panel, GTK_TYPE_BOX)

static gboolean
event_matches (gpointer item,
               gpointer data)
{
  CbEventsPanel *self = data;
  CbEvent *event = item;
  guint source = gtk_drop_down_get_selected (self->source);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  g_autofree char *line = NULL;
  g_autofree char *line_folded = NULL;
  g_autofree char *text_folded = NULL;

  /* 0 is "All"; then the sources in their order. */
  if (source != 0 && source != GTK_INVALID_LIST_POSITION &&
      (guint) cb_event_get_source (event) != source - 1)
    return FALSE;
  if (text == NULL || *text == '\0')
    return TRUE;
  line = cb_event_dup_line (event);
  line_folded = g_utf8_casefold (line, -1);
  text_folded = g_utf8_casefold (text, -1);
  return strstr (line_folded, text_folded) != NULL;
}

static void
refilter (CbEventsPanel *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static GtkWidget *
create_row (gpointer item,
            gpointer data)
{
  CbEvent *event = item;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *time, *source, *subject, *what;
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (cb_event_get_time (event) / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autofree char *clock = local != NULL ? g_date_time_format (local, "%H:%M:%S") : g_strdup ("");
  g_autofree char *line = cb_event_dup_line (event);
  g_autofree char *kind = NULL;
  const char *reason = cb_event_get_reason (event);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  time = gtk_label_new (clock);
  gtk_widget_add_css_class (time, "numeric");
  gtk_widget_add_css_class (time, "dim-label");
  source = gtk_label_new (cb_event_source_label (cb_event_get_source (event)));
  gtk_widget_add_css_class (source, "caption-heading");
  subject = gtk_label_new (cb_event_get_subject (event));
  gtk_label_set_ellipsize (GTK_LABEL (subject), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (subject), 0);
  gtk_widget_set_hexpand (subject, TRUE);
  gtk_box_append (GTK_BOX (top), time);
  gtk_box_append (GTK_BOX (top), source);
  gtk_box_append (GTK_BOX (top), subject);

  kind = *reason != '\0' ? g_strdup_printf ("%s: %s", cb_event_get_kind (event), reason)
                         : g_strdup (cb_event_get_kind (event));
  what = gtk_label_new (kind);
  gtk_label_set_xalign (GTK_LABEL (what), 0);
  gtk_label_set_wrap (GTK_LABEL (what), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (what), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (what), TRUE);

  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), what);
  /* The whole line on hover: the subject may be ellipsized. */
  gtk_widget_set_tooltip_text (box, line);
  return box;
}

char *
cb_events_panel_dup_shown_text (CbEventsPanel *self)
{
  g_return_val_if_fail (CB_IS_EVENTS_PANEL (self), NULL);
  return cb_event_dup_lines (G_LIST_MODEL (self->shown));
}

static void
on_copy_clicked (GtkButton     *button,
                 CbEventsPanel *self)
{
  g_autofree char *text = cb_events_panel_dup_shown_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

void
cb_events_panel_set_log (CbEventsPanel *self,
                         CbEventLog    *log)
{
  g_return_if_fail (CB_IS_EVENTS_PANEL (self));
  g_return_if_fail (log == NULL || CB_IS_EVENT_LOG (log));

  if (!g_set_object (&self->log, log))
    return;
  gtk_filter_list_model_set_model (self->shown, G_LIST_MODEL (log));
}

GtkEditable *
cb_events_panel_get_search (CbEventsPanel *self)
{
  g_return_val_if_fail (CB_IS_EVENTS_PANEL (self), NULL);
  return GTK_EDITABLE (self->search);
}

GtkDropDown *
cb_events_panel_get_filter (CbEventsPanel *self)
{
  g_return_val_if_fail (CB_IS_EVENTS_PANEL (self), NULL);
  return self->source;
}

GtkButton *
cb_events_panel_get_copy_button (CbEventsPanel *self)
{
  g_return_val_if_fail (CB_IS_EVENTS_PANEL (self), NULL);
  return self->copy_button;
}

GListModel *
cb_events_panel_get_shown (CbEventsPanel *self)
{
  g_return_val_if_fail (CB_IS_EVENTS_PANEL (self), NULL);
  return G_LIST_MODEL (self->shown);
}

static void
cb_events_panel_dispose (GObject *object)
{
  CbEventsPanel *self = CB_EVENTS_PANEL (object);

  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->shown);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (cb_events_panel_parent_class)->dispose (object);
}

static void
cb_events_panel_class_init (CbEventsPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_events_panel_dispose;
}

static void
cb_events_panel_init (CbEventsPanel *self)
{
  const char *sources[] = {
    C_("event filter", "All"),
    C_("event filter", "Streams"),
    C_("event filter", "Destinations"),
    C_("event filter", "Relays"),
    C_("event filter", "Recordings"),
    NULL,
  };
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *placeholder;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);

  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_end (bar, 6);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->search), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->search), 8);
  g_object_set (self->search, "placeholder-text", _("Search events"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search events"), -1);
  self->source = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (sources));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->source), _("Show the events of"));
  self->copy_button = GTK_BUTTON (gtk_button_new_from_icon_name ("edit-copy-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button),
                               _("Copy the events shown as text"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Copy the events shown as text"), -1);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->search));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->source));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->copy_button));
  gtk_box_append (GTK_BOX (self), bar);

  self->filter = gtk_custom_filter_new (event_matches, self, NULL);
  self->shown = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "events-list");
  placeholder = gtk_label_new (_("Nothing has happened yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 24);
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_list_box_set_placeholder (self->list, placeholder);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->shown), create_row, self, NULL);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);

  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (refilter), self);
  g_signal_connect_swapped (self->source, "notify::selected", G_CALLBACK (refilter), self);
  g_signal_connect (self->copy_button, "clicked", G_CALLBACK (on_copy_clicked), self);
}
