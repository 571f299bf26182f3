/* cb-window-picker.h — a list of the desktop's windows to capture one (X11)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cb-x11-windows.h"

G_BEGIN_DECLS

typedef void (*CbWindowPickedFunc) (const CbX11Window *window,
                                    gpointer           data);

/* Whether @widget's display is X11, where windows can be listed and captured. */
gboolean   cb_window_picker_available (GtkWidget          *widget);

/**
 * cb_window_picker_new:
 * @parent: the window it is modal for
 *
 * A dialog listing the windows of @parent's X11 display (their titles and classes);
 * a click on one calls @func with it and closes the dialog. With none, or not on X11, it
 * says so.
 */
GtkWidget *cb_window_picker_new       (GtkWindow          *parent,
                                       CbWindowPickedFunc  func,
                                       gpointer            data);

G_END_DECLS
