/* cb-window-picker.c — the desktop's windows, to capture one
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is read once, through GDK's own X11 connection inside its error trap (a window
 * may close while its title is read). The source keeps the title and class, which find
 * the window again after a restart; the engine does that part (cb_x11_windows_match()).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "cb-error-text.h"
#include "cb-window-picker.h"

typedef struct {
  GPtrArray          *windows;   /* CbX11Window */
  CbWindowPickedFunc  func;
  gpointer            data;
} Picker;

static void
picker_free (gpointer data)
{
  Picker *picker = data;

  g_clear_pointer (&picker->windows, g_ptr_array_unref);
  g_free (picker);
}

gboolean
cb_window_picker_available (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  return GDK_IS_X11_DISPLAY (gtk_widget_get_display (widget));
#else
  return FALSE;
#endif
}

static GPtrArray *
list_windows (GtkWidget  *widget,
              GError    **error)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gtk_widget_get_display (widget);
  GPtrArray *windows;

  if (GDK_IS_X11_DISPLAY (display))
    {
      gdk_x11_display_error_trap_push (display);
      windows = cb_x11_windows_list (gdk_x11_display_get_xdisplay (display), error);
      gdk_x11_display_error_trap_pop_ignored (display);
      return windows;
    }
#endif
  return cb_x11_windows_list (NULL, error);
}

static void
on_row_activated (GtkListBox    *list,
                  GtkListBoxRow *row,
                  gpointer       data)
{
  GtkWidget *dialog = data;
  Picker *picker = g_object_get_data (G_OBJECT (dialog), "cb-picker");
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cb-index"));

  if (index < picker->windows->len)
    picker->func (g_ptr_array_index (picker->windows, index), picker->data);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

GtkWidget *
cb_window_picker_new (GtkWindow          *parent,
                      CbWindowPickedFunc  func,
                      gpointer            data)
{
  GtkWidget *dialog = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  g_autoptr(GError) error = NULL;
  Picker *picker = g_new0 (Picker, 1);

  gtk_window_set_title (GTK_WINDOW (dialog), _("Choose a Window"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 460, 420);
  gtk_window_set_titlebar (GTK_WINDOW (dialog), header);
  picker->func = func;
  picker->data = data;
  picker->windows = list_windows (parent != NULL ? GTK_WIDGET (parent) : dialog, &error);
  g_object_set_data_full (G_OBJECT (dialog), "cb-picker", picker, picker_free);

  if (picker->windows == NULL || picker->windows->len == 0)
    {
      GtkWidget *status = adw_status_page_new ();
      /* Not X11: the portal's own dialog picks windows there, and the error says so. */
      g_autofree char *why = error != NULL ? cb_error_text (error, CB_ERROR_ABOUT_SOURCE, NULL)
                                           : g_strdup (_("Open the window to capture, then add it again"));

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "focus-windows-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (status), _("No Windows to Capture"));
      adw_status_page_set_description (ADW_STATUS_PAGE (status), why);
      gtk_window_set_child (GTK_WINDOW (dialog), status);
      return dialog;
    }

  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  for (guint i = 0; i < picker->windows->len; i++)
    {
      const CbX11Window *w = g_ptr_array_index (picker->windows, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), w->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), w->window_class);
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "focus-windows-symbolic");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "cb-index", GUINT_TO_POINTER (i));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (on_row_activated), dialog);
  gtk_widget_set_margin_start (list, 12);
  gtk_widget_set_margin_end (list, 12);
  gtk_widget_set_margin_top (list, 12);
  gtk_widget_set_margin_bottom (list, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_window_set_child (GTK_WINDOW (dialog), box);
  g_object_set_data (G_OBJECT (dialog), "cb-list", list);
  return dialog;
}

GtkWidget *
cb_window_picker_find_row (GtkWidget  *picker,
                           const char *title)
{
  GtkListBox *list = g_object_get_data (G_OBJECT (picker), "cb-list");
  Picker *p = g_object_get_data (G_OBJECT (picker), "cb-picker");

  for (guint i = 0; list != NULL && i < p->windows->len; i++)
    if (g_strcmp0 (((CbX11Window *) g_ptr_array_index (p->windows, i))->title, title) == 0)
      return GTK_WIDGET (gtk_list_box_get_row_at_index (list, i));
  return NULL;
}
