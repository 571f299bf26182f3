/* cb-x11-windows.c — X11 top-level windows for window capture
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Xlib's default error handler ends the process, and ximagesrc's requests on a window
 * that has just closed do fail. GTK installs a handler that ignores errors on displays
 * it did not open; the connections opened here chain a handler of their own in front
 * of whatever is installed, which ignores their errors (every call here checks its
 * return value instead) and passes the others on unchanged.
 */
#include <string.h>

#include "cb-engine-error.h"
#include "cb-x11-windows.h"

#ifdef CB_HAVE_X11
#include <glib-unix.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#endif

void
cb_x11_window_free (CbX11Window *window)
{
  if (window == NULL)
    return;
  g_free (window->title);
  g_free (window->window_class);
  g_free (window);
}

const CbX11Window *
cb_x11_windows_match (GPtrArray  *windows,
                      const char *window_class,
                      const char *title)
{
  const CbX11Window *same_title = NULL, *same_class = NULL;
  guint n_same_class = 0;

  for (guint i = 0; windows != NULL && i < windows->len; i++)
    {
      const CbX11Window *w = g_ptr_array_index (windows, i);
      gboolean class_matches = window_class != NULL && window_class[0] != '\0' &&
                               g_strcmp0 (w->window_class, window_class) == 0;

      if (class_matches && g_strcmp0 (w->title, title) == 0)
        return w;
      if (same_title == NULL && title != NULL && title[0] != '\0' && g_strcmp0 (w->title, title) == 0)
        same_title = w;
      if (class_matches)
        {
          same_class = w;
          n_same_class++;
        }
    }
  if (same_title != NULL)
    return same_title;
  return n_same_class == 1 ? same_class : NULL;
}

#ifdef CB_HAVE_X11

static GMutex own_lock;
static GSList *own_displays;            /* Display *: the connections opened here */
static XErrorHandler chained_handler;
static gboolean handler_installed;

static int
on_x_error (Display     *display,
            XErrorEvent *event)
{
  gboolean own;

  g_mutex_lock (&own_lock);
  own = g_slist_find (own_displays, display) != NULL;
  g_mutex_unlock (&own_lock);
  if (own)
    return 0;
  return chained_handler != NULL ? chained_handler (display, event) : 0;
}

static Display *
open_own_display (GError **error)
{
  Display *display;

  if (g_getenv ("DISPLAY") == NULL || (display = XOpenDisplay (NULL)) == NULL)
    {
      g_set_error (error, CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_NOT_X11,
                   "Window capture needs an X11 session");
      return NULL;
    }
  g_mutex_lock (&own_lock);
  own_displays = g_slist_prepend (own_displays, display);
  if (!handler_installed)
    {
      chained_handler = XSetErrorHandler (on_x_error);
      handler_installed = TRUE;
    }
  g_mutex_unlock (&own_lock);
  return display;
}

static void
close_own_display (Display *display)
{
  /* Errors still queued for it are read in XCloseDisplay(): it is ours until then. */
  XSync (display, True);
  XCloseDisplay (display);
  g_mutex_lock (&own_lock);
  own_displays = g_slist_remove (own_displays, display);
  g_mutex_unlock (&own_lock);
}

static char *
utf8_property (Display *display,
               Window   window,
               Atom     property,
               Atom     type)
{
  Atom actual_type;
  int format;
  unsigned long n_items, after;
  unsigned char *data = NULL;
  char *text = NULL;

  if (XGetWindowProperty (display, window, property, 0, 4096, False, type, &actual_type,
                          &format, &n_items, &after, &data) == Success &&
      data != NULL && actual_type == type && format == 8 && n_items > 0)
    text = g_utf8_make_valid ((const char *) data, (gssize) n_items);
  if (data != NULL)
    XFree (data);
  return text;
}

static CbX11Window *
describe (Display *display,
          Window   window)
{
  Atom net_wm_name = XInternAtom (display, "_NET_WM_NAME", False);
  Atom utf8 = XInternAtom (display, "UTF8_STRING", False);
  XClassHint hint = { NULL, NULL };
  CbX11Window *w;
  char *title = utf8_property (display, window, net_wm_name, utf8);

  if (title == NULL)
    title = utf8_property (display, window, XA_WM_NAME, XA_STRING);
  if (title == NULL)
    return NULL;
  w = g_new0 (CbX11Window, 1);
  w->xid = window;
  w->title = title;
  if (XGetClassHint (display, window, &hint) && hint.res_class != NULL)
    w->window_class = g_utf8_make_valid (hint.res_class, -1);
  else
    w->window_class = g_strdup ("");
  if (hint.res_name != NULL)
    XFree (hint.res_name);
  if (hint.res_class != NULL)
    XFree (hint.res_class);
  return w;
}

/* The window manager's list of managed windows, or NULL when there is none. */
static GArray *
client_list (Display *display)
{
  Atom property = XInternAtom (display, "_NET_CLIENT_LIST", True);
  Atom actual_type;
  int format;
  unsigned long n_items, after;
  unsigned char *data = NULL;
  GArray *list = NULL;

  if (property != None &&
      XGetWindowProperty (display, DefaultRootWindow (display), property, 0, 65536, False,
                          XA_WINDOW, &actual_type, &format, &n_items, &after, &data) == Success &&
      data != NULL && actual_type == XA_WINDOW && format == 32)
    {
      list = g_array_new (FALSE, FALSE, sizeof (Window));
      /* Format 32 comes as longs. */
      for (unsigned long i = 0; i < n_items; i++)
        {
          Window w = ((unsigned long *) data)[i];
          g_array_append_val (list, w);
        }
    }
  if (data != NULL)
    XFree (data);
  return list;
}

/* With no window manager: the mapped, managed-looking children of the root. */
static GArray *
top_level_windows (Display *display)
{
  Window root, parent, *children = NULL;
  unsigned int n = 0;
  GArray *list = g_array_new (FALSE, FALSE, sizeof (Window));

  if (!XQueryTree (display, DefaultRootWindow (display), &root, &parent, &children, &n))
    return list;
  for (unsigned int i = 0; i < n; i++)
    {
      XWindowAttributes attrs;

      if (XGetWindowAttributes (display, children[i], &attrs) && !attrs.override_redirect &&
          attrs.map_state == IsViewable)
        g_array_append_val (list, children[i]);
    }
  if (children != NULL)
    XFree (children);
  return list;
}

GPtrArray *
cb_x11_windows_list (gpointer   display,
                     GError   **error)
{
  Display *d = display;
  g_autoptr(GArray) windows = NULL;
  GPtrArray *list;

  if (d == NULL && (d = open_own_display (error)) == NULL)
    return NULL;
  windows = client_list (d);
  if (windows == NULL)
    windows = top_level_windows (d);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_x11_window_free);
  for (guint i = 0; i < windows->len; i++)
    {
      CbX11Window *w = describe (d, g_array_index (windows, Window, i));

      if (w != NULL)
        g_ptr_array_add (list, w);
    }
  if (display == NULL)
    close_own_display (d);
  return list;
}

struct _CbX11Watch
{
  Display        *display;
  GSource        *source;
  GSource        *idle;
  GHashTable     *windows;   /* xid set */
  GMainContext   *context;
  CbX11WatchFunc  func;
  gpointer        data;
};

static gboolean
dispatch (CbX11Watch *self)
{
  g_autoptr(GArray) closed = g_array_new (FALSE, FALSE, sizeof (guint64));

  while (XPending (self->display) > 0)
    {
      XEvent event;

      XNextEvent (self->display, &event);
      if (event.type == DestroyNotify &&
          g_hash_table_remove (self->windows, GSIZE_TO_POINTER (event.xdestroywindow.window)))
        {
          guint64 xid = event.xdestroywindow.window;
          g_array_append_val (closed, xid);
        }
    }
  /* Outside the reading: the callback may add or remove windows. */
  for (guint i = 0; i < closed->len; i++)
    self->func (g_array_index (closed, guint64, i), self->data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_readable (int          fd,
             GIOCondition condition,
             gpointer     data)
{
  return dispatch (data);
}

static gboolean
on_idle (gpointer data)
{
  CbX11Watch *self = data;

  g_clear_pointer (&self->idle, g_source_unref);
  dispatch (self);
  return G_SOURCE_REMOVE;
}

CbX11Watch *
cb_x11_watch_new (CbX11WatchFunc   func,
                  gpointer         data,
                  GError         **error)
{
  CbX11Watch *self;
  Display *display = open_own_display (error);

  if (display == NULL)
    return NULL;
  self = g_new0 (CbX11Watch, 1);
  self->display = display;
  self->func = func;
  self->data = data;
  self->windows = g_hash_table_new (NULL, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->source = g_unix_fd_source_new (ConnectionNumber (display), G_IO_IN);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->source, self->context);
  return self;
}

gboolean
cb_x11_watch_add (CbX11Watch *self,
                  guint64     xid)
{
  XWindowAttributes attrs;

  g_return_val_if_fail (self != NULL, FALSE);

  XSelectInput (self->display, (Window) xid, StructureNotifyMask);
  /* After the selection: a window that goes from here on is reported. */
  if (!XGetWindowAttributes (self->display, (Window) xid, &attrs))
    return FALSE;
  g_hash_table_add (self->windows, GSIZE_TO_POINTER ((gsize) xid));
  /* The round trip may have read events the socket will not signal again. */
  if (XEventsQueued (self->display, QueuedAlready) > 0 && self->idle == NULL)
    {
      self->idle = g_idle_source_new ();
      g_source_set_callback (self->idle, on_idle, self, NULL);
      g_source_attach (self->idle, self->context);
    }
  return TRUE;
}

void
cb_x11_watch_remove (CbX11Watch *self,
                     guint64     xid)
{
  g_return_if_fail (self != NULL);

  if (g_hash_table_remove (self->windows, GSIZE_TO_POINTER ((gsize) xid)))
    {
      XSelectInput (self->display, (Window) xid, NoEventMask);
      XFlush (self->display);
    }
}

void
cb_x11_watch_free (CbX11Watch *self)
{
  if (self == NULL)
    return;
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_source_unref (self->idle);
    }
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->windows);
  close_own_display (self->display);
  g_free (self);
}

#else /* !CB_HAVE_X11 */

static void
set_no_x11 (GError **error)
{
  g_set_error (error, CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_NOT_X11,
               "Window capture needs an X11 session (this build has no X11 support)");
}

GPtrArray *
cb_x11_windows_list (gpointer   display,
                     GError   **error)
{
  set_no_x11 (error);
  return NULL;
}

CbX11Watch *
cb_x11_watch_new (CbX11WatchFunc   func,
                  gpointer         data,
                  GError         **error)
{
  set_no_x11 (error);
  return NULL;
}

gboolean
cb_x11_watch_add (CbX11Watch *self,
                  guint64     xid)
{
  return FALSE;
}

void
cb_x11_watch_remove (CbX11Watch *self,
                     guint64     xid)
{
}

void
cb_x11_watch_free (CbX11Watch *self)
{
}

#endif
