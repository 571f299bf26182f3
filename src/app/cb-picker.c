/* cb-picker.c — a dialog that lists things to capture and takes a click on one
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The windows of an X11 desktop (cb-window-picker.c) and the applications that play
 * sound (the mixer) are chosen from one of these.
 */
#include "config.h"

#include <adwaita.h>

#include "cb-picker.h"

typedef struct {
  CbPickedFunc func;
  gpointer     data;
} Picker;

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  gpointer       data)
{
  GtkWidget *dialog = data;
  Picker *picker = g_object_get_data (G_OBJECT (dialog), "cb-picker");

  picker->func ((guint) gtk_list_box_row_get_index (row), picker->data);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

GtkWidget *
cb_picker_new (GtkWindow          *parent,
               const char         *title,
               const char         *icon,
               const char * const *titles,
               const char * const *subtitles,
               const char         *empty_title,
               const char         *empty_text,
               CbPickedFunc        func,
               gpointer            data)
{
  GtkWidget *dialog = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller;
  GtkWidget *list;
  Picker *picker = g_new0 (Picker, 1);

  g_return_val_if_fail (titles != NULL && func != NULL, NULL);

  gtk_window_set_title (GTK_WINDOW (dialog), title);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 460, 420);
  gtk_window_set_titlebar (GTK_WINDOW (dialog), header);
  picker->func = func;
  picker->data = data;
  g_object_set_data_full (G_OBJECT (dialog), "cb-picker", picker, g_free);

  if (titles[0] == NULL)
    {
      GtkWidget *status = adw_status_page_new ();

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), icon);
      adw_status_page_set_title (ADW_STATUS_PAGE (status), empty_title);
      adw_status_page_set_description (ADW_STATUS_PAGE (status), empty_text);
      gtk_window_set_child (GTK_WINDOW (dialog), status);
      return dialog;
    }

  list = gtk_list_box_new ();
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  for (guint i = 0; titles[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), titles[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (subtitles != NULL && subtitles[i] != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitles[i]);
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (on_row_activated), dialog);
  gtk_widget_set_margin_start (list, 12);
  gtk_widget_set_margin_end (list, 12);
  gtk_widget_set_margin_top (list, 12);
  gtk_widget_set_margin_bottom (list, 12);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_window_set_child (GTK_WINDOW (dialog), scroller);
  g_object_set_data (G_OBJECT (dialog), "cb-list", list);
  return dialog;
}

GtkWidget *
cb_picker_find_row (GtkWidget  *picker,
                    const char *title)
{
  GtkListBox *list = g_object_get_data (G_OBJECT (picker), "cb-list");
  GtkListBoxRow *row;

  for (int i = 0; list != NULL && (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return GTK_WIDGET (row);
  return NULL;
}
