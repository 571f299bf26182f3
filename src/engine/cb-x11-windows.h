/* cb-x11-windows.h — X11 top-level windows: listed to pick one, found again by title and
 * class, watched for closing
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64  xid;
  char    *title;         /* _NET_WM_NAME, else WM_NAME; valid UTF-8 */
  char    *window_class;  /* WM_CLASS's class part, "" when unset */
} CbX11Window;

void         cb_x11_window_free   (CbX11Window *window);

/**
 * cb_x11_windows_list:
 * @display: (nullable): an open X11 `Display *` of the caller's (the GUI passes GDK's,
 *   inside its error trap), or NULL to open $DISPLAY for the call
 *
 * The windows people see: the window manager's _NET_CLIENT_LIST, or, with no window
 * manager, the mapped top-level windows that have a title.
 *
 * Returns: (element-type CbX11Window): the windows, or NULL with
 *   CB_CAPTURE_ERROR_NOT_X11 when there is no X11 display (or no X11 in this build)
 */
GPtrArray   *cb_x11_windows_list  (gpointer      display,
                                   GError      **error);
/* The window in @windows that a saved source means: the same class and title, else the
 * same title, else the only window of that class; NULL when none. */
const CbX11Window *cb_x11_windows_match (GPtrArray  *windows,
                                         const char *window_class,
                                         const char *title);

/**
 * CbX11Watch:
 *
 * A connection of its own to $DISPLAY, read from the thread-default main context of
 * its maker: @func (xid, data) runs there when a watched window is destroyed.
 */
typedef struct _CbX11Watch CbX11Watch;
typedef void (*CbX11WatchFunc) (guint64  xid,
                                gpointer data);

CbX11Watch  *cb_x11_watch_new     (CbX11WatchFunc  func,
                                   gpointer        data,
                                   GError        **error);
/* FALSE when the window is gone already. */
gboolean     cb_x11_watch_add     (CbX11Watch     *self,
                                   guint64         xid);
void         cb_x11_watch_remove  (CbX11Watch     *self,
                                   guint64         xid);
void         cb_x11_watch_free    (CbX11Watch     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbX11Window, cb_x11_window_free)

G_END_DECLS
