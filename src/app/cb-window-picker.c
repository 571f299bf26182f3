/* cb-window-picker.c — the desktop's windows, to capture one
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A cb_picker_new() dialog. The list is read once, through GDK's own X11 connection
 * inside its error trap (a window may close while its title is read). The source keeps
 * the title and class, which find the window again after a restart; the engine does that
 * part (cb_x11_windows_match()).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "cb-error-text.h"
#include "cb-picker.h"
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
  GdkDisplay *display = widget != NULL ? gtk_widget_get_display (widget)
                                       : gdk_display_get_default ();
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
on_picked (guint    index,
           gpointer data)
{
  Picker *picker = data;

  if (picker->windows != NULL && index < picker->windows->len)
    picker->func (g_ptr_array_index (picker->windows, index), picker->data);
}

GtkWidget *
cb_window_picker_new (GtkWindow          *parent,
                      CbWindowPickedFunc  func,
                      gpointer            data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();
  g_autoptr(GPtrArray) classes = g_ptr_array_new ();
  g_autofree char *why = NULL;
  Picker *picker = g_new0 (Picker, 1);
  GtkWidget *dialog;

  picker->func = func;
  picker->data = data;
  picker->windows = list_windows (parent != NULL ? GTK_WIDGET (parent) : NULL, &error);
  for (guint i = 0; picker->windows != NULL && i < picker->windows->len; i++)
    {
      const CbX11Window *w = g_ptr_array_index (picker->windows, i);

      g_ptr_array_add (titles, w->title);
      g_ptr_array_add (classes, w->window_class);
    }
  g_ptr_array_add (titles, NULL);
  g_ptr_array_add (classes, NULL);
  /* Not X11: the portal's own dialog picks windows there, and the error says so. */
  why = error != NULL ? cb_error_text (error, CB_ERROR_ABOUT_SOURCE, NULL)
                      : g_strdup (_("Open the window to capture, then add it again"));
  dialog = cb_picker_new (parent, _("Choose a Window"), "focus-windows-symbolic",
                          (const char * const *) titles->pdata,
                          (const char * const *) classes->pdata,
                          _("No Windows to Capture"), why, on_picked, picker);
  g_object_set_data_full (G_OBJECT (dialog), "cb-window-picker", picker, picker_free);
  return dialog;
}
