/* cb-screencast-portal.c — the desktop portal's ScreenCast, as a client
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.ScreenCast.html
 * Each of CreateSession, SelectSources and Start answers at once with a Request object
 * and later with that object's Response signal (0 done, 1 the user said no, 2 anything
 * else). We subscribe to the Response before calling, on the path the portal will use
 * (…/request/SENDER/TOKEN), and follow the path the call returns if it differs (older
 * portals). Nothing here blocks: the dialog may be up for minutes.
 */
#include <gio/gunixfdlist.h>
#include <unistd.h>

#include "cb-engine-error.h"
#include "cb-screencast-portal.h"

#define PORTAL_NAME       "org.freedesktop.portal.Desktop"
#define PORTAL_PATH       "/org/freedesktop/portal/desktop"
#define SCREENCAST_IFACE  "org.freedesktop.portal.ScreenCast"
#define REQUEST_IFACE     "org.freedesktop.portal.Request"
#define SESSION_IFACE     "org.freedesktop.portal.Session"

/* SelectSources: */
#define SOURCE_MONITOR    1u
#define SOURCE_WINDOW     2u
#define CURSOR_HIDDEN     1u
#define CURSOR_EMBEDDED   2u
#define PERSIST_UNTIL_REVOKED 2u

struct _CbScreencast
{
  GDBusConnection *bus;
  char            *session;
  int              fd;
  guint32          node;
  char            *restore_token;
  guint            closed_id;
  CbScreencastClosedFunc closed_func;
  gpointer         closed_data;
  GDestroyNotify   closed_destroy;
};

typedef enum {
  STEP_CREATE_SESSION,
  STEP_SELECT_SOURCES,
  STEP_START,
} Step;

typedef struct {
  GDBusConnection *bus;
  char            *restore_token;
  gboolean         cursor;
  Step             step;
  char            *request_path;
  guint            response_id;
  gulong           cancelled_id;
  char            *session;
  guint32          node;
  char            *new_token;
  gboolean         done;     /* returned: what still arrives is dropped */
} Call;

static void
close_object (GDBusConnection *bus,
              const char      *path,
              const char      *iface)
{
  /* Fire and forget: the portal drops what its caller closes. */
  g_dbus_connection_call (bus, PORTAL_NAME, path, iface, "Close", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void
unsubscribe (Call *call)
{
  if (call->response_id != 0)
    g_dbus_connection_signal_unsubscribe (call->bus, call->response_id);
  call->response_id = 0;
}

static void
call_free (gpointer data)
{
  Call *call = data;

  unsubscribe (call);
  g_clear_object (&call->bus);
  g_free (call->restore_token);
  g_free (call->request_path);
  g_free (call->session);
  g_free (call->new_token);
  g_free (call);
}

/* Ends the task with @error (taken) and drops the reference the steps share; the
 * request and a session made so far are closed. Pending calls hold references of their
 * own and find the call done. */
static void
fail (GTask  *task,
      GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->done)
    {
      g_error_free (error);
      return;
    }
  call->done = TRUE;
  if (call->response_id != 0 && call->request_path != NULL)
    close_object (call->bus, call->request_path, REQUEST_IFACE);
  unsubscribe (call);
  if (call->session != NULL)
    close_object (call->bus, call->session, SESSION_IFACE);
  g_clear_pointer (&call->session, g_free);
  g_cancellable_disconnect (g_task_get_cancellable (task), call->cancelled_id);
  call->cancelled_id = 0;
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* A D-Bus error of the call itself: no portal, or a portal without ScreenCast, is
 * "no portal"; the rest is the portal failing. */
static GError *
call_error (GError *error)
{
  GError *mine;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
    mine = g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_NO_PORTAL,
                        "No desktop portal with screen capture (ScreenCast) on the session bus");
  else
    {
      g_autofree char *remote = g_dbus_error_get_remote_error (error);

      g_dbus_error_strip_remote_error (error);
      mine = g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                          "The desktop portal failed: %s%s%s", error->message,
                          remote != NULL ? " " : "", remote != NULL ? remote : "");
    }
  g_error_free (error);
  return mine;
}

static void next_step (GTask *task);

/* Whether the reply to a call can be used: not when the call has ended meanwhile
 * (@error, taken, is dropped), nor when it failed (the call ends with @error). */
static gboolean
reply_usable (GTask    *task,
              GVariant *reply,
              GError   *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->done)
    {
      g_clear_error (&error);
      return FALSE;
    }
  if (reply == NULL)
    {
      fail (task, call_error (error));
      return FALSE;
    }
  return TRUE;
}

static void
on_response (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *iface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  guint32 response;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  unsubscribe (call);
  if (response == 1)
    {
      fail (task, g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_REFUSED,
                               "Screen capture was not allowed"));
      return;
    }
  if (response != 0)
    {
      fail (task, g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                               "The desktop portal ended the request (response %u)", response));
      return;
    }
  switch (call->step)
    {
    case STEP_CREATE_SESSION:
      {
        const char *session = NULL;

        /* A string in the documentation, an object path from some portals. */
        if (!g_variant_lookup (results, "session_handle", "&s", &session) &&
            !g_variant_lookup (results, "session_handle", "&o", &session))
          {
            fail (task, g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                                     "The desktop portal gave no session"));
            return;
          }
        if (!g_variant_is_object_path (session))
          {
            fail (task, g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                                     "The desktop portal gave a session that is not an object path"));
            return;
          }
        call->session = g_strdup (session);
        call->step = STEP_SELECT_SOURCES;
        break;
      }
    case STEP_SELECT_SOURCES:
      call->step = STEP_START;
      break;
    case STEP_START:
      {
        g_autoptr(GVariant) streams = g_variant_lookup_value (results, "streams",
                                                               G_VARIANT_TYPE ("a(ua{sv})"));
        const char *token = NULL;

        if (streams == NULL || g_variant_n_children (streams) == 0)
          {
            fail (task, g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                                     "The desktop portal started no stream"));
            return;
          }
        g_variant_get_child (streams, 0, "(u@a{sv})", &call->node, NULL);
        if (g_variant_lookup (results, "restore_token", "&s", &token))
          call->new_token = g_strdup (token);
        call->step = STEP_START + 1;
        break;
      }
    default:
      return;
    }
  next_step (task);
}

static void
on_request_returned (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(GTask) task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  const char *handle;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (!reply_usable (task, reply, error))
    return;
  g_variant_get (reply, "(&o)", &handle);
  if (call->response_id != 0 && g_strcmp0 (handle, call->request_path) != 0)
    {
      /* An older portal chose its own path: listen there instead. */
      unsubscribe (call);
      g_free (call->request_path);
      call->request_path = g_strdup (handle);
      call->response_id = g_dbus_connection_signal_subscribe (call->bus, PORTAL_NAME,
                                                              REQUEST_IFACE, "Response",
                                                              call->request_path, NULL,
                                                              G_DBUS_SIGNAL_FLAGS_NONE,
                                                              on_response, task, NULL);
    }
}

/* Calls @method with @options (a{sv}, floating, after @first arguments), and its handle
 * token; the answer comes to on_response(). */
static void
request (GTask      *task,
         const char *method,
         GVariant   *parameters,
         const char *token)
{
  Call *call = g_task_get_task_data (task);
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (call->bus) + 1);

  for (char *c = sender; *c != '\0'; c++)
    if (*c == '.')
      *c = '_';
  g_free (call->request_path);
  call->request_path = g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
  call->response_id = g_dbus_connection_signal_subscribe (call->bus, PORTAL_NAME, REQUEST_IFACE,
                                                          "Response", call->request_path, NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NONE, on_response,
                                                          task, NULL);
  g_dbus_connection_call (call->bus, PORTAL_NAME, PORTAL_PATH, SCREENCAST_IFACE, method,
                          parameters, G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          g_task_get_cancellable (task), on_request_returned,
                          g_object_ref (task));
}

static char *
new_token (void)
{
  static guint counter;

  return g_strdup_printf ("castbridge%u_%u", (guint) getpid (), ++counter);
}

/* The portal ended the session: the user stopped sharing, or what was shared went away
 * (a window closed, a monitor unplugged). Nothing is closed again; the owner is told,
 * last: it may free @data. */
static void
on_closed (GDBusConnection *bus,
           const char      *sender,
           const char      *path,
           const char      *iface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         data)
{
  CbScreencast *self = data;

  g_dbus_connection_signal_unsubscribe (self->bus, self->closed_id);
  self->closed_id = 0;
  g_clear_pointer (&self->session, g_free);
  if (self->closed_func != NULL)
    self->closed_func (self, self->closed_data);
}

static void
on_remote_opened (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GTask) task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  CbScreencast *cast;
  gint32 index;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (object), &fds,
                                                           result, &error);
  if (!reply_usable (task, reply, error))
    return;
  g_variant_get (reply, "(h)", &index);
  if (fds == NULL || (fd = g_unix_fd_list_get (fds, index, &error)) < 0)
    {
      if (error == NULL)
        error = g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_PORTAL_FAILED,
                             "The desktop portal gave no PipeWire connection");
      fail (task, error);
      return;
    }
  call->done = TRUE;
  g_cancellable_disconnect (g_task_get_cancellable (task), call->cancelled_id);
  call->cancelled_id = 0;
  cast = g_new0 (CbScreencast, 1);
  cast->bus = g_object_ref (call->bus);
  cast->session = g_steal_pointer (&call->session);
  cast->fd = fd;
  cast->node = call->node;
  cast->restore_token = g_steal_pointer (&call->new_token);
  cast->closed_id = g_dbus_connection_signal_subscribe (cast->bus, PORTAL_NAME, SESSION_IFACE,
                                                        "Closed", cast->session, NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE, on_closed,
                                                        cast, NULL);
  g_task_return_pointer (task, cast, (GDestroyNotify) cb_screencast_free);
  /* The steps' reference; the autoptr drops this call's. */
  g_object_unref (task);
}

static void
next_step (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autofree char *token = new_token ();
  g_autofree char *session_token = NULL;
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  switch (call->step)
    {
    case STEP_CREATE_SESSION:
      session_token = new_token ();
      g_variant_builder_add (&options, "{sv}", "session_handle_token",
                             g_variant_new_string (session_token));
      request (task, "CreateSession", g_variant_new ("(a{sv})", &options), token);
      return;
    case STEP_SELECT_SOURCES:
      g_variant_builder_add (&options, "{sv}", "types",
                             g_variant_new_uint32 (SOURCE_MONITOR | SOURCE_WINDOW));
      g_variant_builder_add (&options, "{sv}", "multiple", g_variant_new_boolean (FALSE));
      g_variant_builder_add (&options, "{sv}", "cursor_mode",
                             g_variant_new_uint32 (call->cursor ? CURSOR_EMBEDDED : CURSOR_HIDDEN));
      g_variant_builder_add (&options, "{sv}", "persist_mode",
                             g_variant_new_uint32 (PERSIST_UNTIL_REVOKED));
      if (call->restore_token != NULL && call->restore_token[0] != '\0')
        g_variant_builder_add (&options, "{sv}", "restore_token",
                               g_variant_new_string (call->restore_token));
      request (task, "SelectSources", g_variant_new ("(oa{sv})", call->session, &options), token);
      return;
    case STEP_START:
      /* No parent window: the engine knows none, and the portal then centres its dialog. */
      request (task, "Start", g_variant_new ("(osa{sv})", call->session, "", &options), token);
      return;
    default:
      g_variant_builder_clear (&options);
      g_dbus_connection_call_with_unix_fd_list (call->bus, PORTAL_NAME, PORTAL_PATH,
                                                SCREENCAST_IFACE, "OpenPipeWireRemote",
                                                g_variant_new ("(oa{sv})", call->session, NULL),
                                                G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NONE,
                                                -1, NULL, g_task_get_cancellable (task),
                                                on_remote_opened, g_object_ref (task));
      return;
    }
}

static gboolean
fail_cancelled (gpointer data)
{
  GTask *task = data;

  /* fail() ignores it when a step has ended the call meanwhile. */
  fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
  return G_SOURCE_REMOVE;
}

/* Cancelled while the dialog is up: nothing else would ever answer. A call in flight
 * completes on its own, cancelled. */
static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  GSource *idle;

  if (call->done)
    return;
  /* Not from inside g_cancellable_cancel(): its caller may hold what the callback takes. */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, fail_cancelled, g_object_ref (task), g_object_unref);
  g_source_attach (idle, g_task_get_context (task));
  g_source_unref (idle);
}

static void
on_bus (GObject      *object,
        GAsyncResult *result,
        gpointer      data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;

  call->bus = g_bus_get_finish (result, &error);
  if (call->bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *mine = g_error_new (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_NO_PORTAL,
                                      "No session bus, so no desktop portal: %s",
                                      error->message);
          g_error_free (error);
          error = mine;
        }
      fail (task, error);
      return;
    }
  if (g_task_get_cancellable (task) != NULL)
    call->cancelled_id = g_cancellable_connect (g_task_get_cancellable (task),
                                                G_CALLBACK (on_cancelled), task, NULL);
  next_step (task);
}

void
cb_screencast_start_async (const char          *restore_token,
                           gboolean             cursor,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, cb_screencast_start_async);
  call->restore_token = g_strdup (restore_token);
  call->cursor = cursor;
  call->step = STEP_CREATE_SESSION;
  g_task_set_task_data (task, call, call_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus, task);
}

CbScreencast *
cb_screencast_start_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

int
cb_screencast_get_fd (CbScreencast *self)
{
  return self->fd;
}

guint32
cb_screencast_get_node (CbScreencast *self)
{
  return self->node;
}

const char *
cb_screencast_get_restore_token (CbScreencast *self)
{
  return self->restore_token;
}

void
cb_screencast_watch_closed (CbScreencast           *self,
                            CbScreencastClosedFunc  func,
                            gpointer                data,
                            GDestroyNotify          destroy)
{
  if (self->closed_destroy != NULL)
    self->closed_destroy (self->closed_data);
  self->closed_func = func;
  self->closed_data = data;
  self->closed_destroy = destroy;
}

void
cb_screencast_free (CbScreencast *self)
{
  if (self == NULL)
    return;
  if (self->closed_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->closed_id);
  if (self->closed_destroy != NULL)
    self->closed_destroy (self->closed_data);
  if (self->session != NULL)
    close_object (self->bus, self->session, SESSION_IFACE);
  if (self->fd >= 0)
    close (self->fd);
  g_clear_object (&self->bus);
  g_free (self->session);
  g_free (self->restore_token);
  g_free (self);
}
