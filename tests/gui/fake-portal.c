/* fake-portal.c — a stand-in for xdg-desktop-portal's ScreenCast, on the private
 * session bus a test starts
 *
 * A real portal needs a Wayland compositor (or a desktop session) to ask its user; none
 * runs here. This one owns org.freedesktop.portal.Desktop, answers CreateSession and
 * SelectSources as a portal does (a Request path, then its Response signal), and answers
 * Start with the response given: fake-portal START-RESPONSE (1: the user said no, 2: the
 * portal ended it). With 0 the user allows it: fake-portal 0 NODE SOCKET answers Start
 * with the PipeWire node NODE as the one stream (a monitor) and a restore token, and
 * OpenPipeWireRemote with a new connection to the PipeWire socket SOCKET, as the real
 * portal hands out its own. It prints "ready" once it owns the name, then one line per
 * call with its options, for the test to check what was asked. A line "close" on its
 * standard input closes the last session (the Session's Closed signal), as a portal does
 * when the user stops sharing or what was shared goes away.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake-service.h"

#define PORTAL_PATH "/org/freedesktop/portal/desktop"

static const char introspection[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.ScreenCast'>"
  "    <method name='CreateSession'>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "    <method name='SelectSources'>"
  "      <arg type='o' name='session_handle' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "    <method name='Start'>"
  "      <arg type='o' name='session_handle' direction='in'/>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "    <method name='OpenPipeWireRemote'>"
  "      <arg type='o' name='session_handle' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='h' name='fd' direction='out'/>"
  "    </method>"
  "    <property name='AvailableSourceTypes' type='u' access='read'/>"
  "    <property name='AvailableCursorModes' type='u' access='read'/>"
  "    <property name='version' type='u' access='read'/>"
  "  </interface>"
  "</node>";

static guint32 start_response = 1;
static guint32 shared_node;       /* what Start shares when it allows */
static const char *socket_path;   /* PipeWire's */
static guint started;             /* for a new restore token each time */
static GDBusConnection *last_bus;
static char *last_sender;
static char *last_session;

typedef struct {
  GDBusConnection *bus;
  char            *sender;
  char            *path;
  guint32          response;
  GVariant        *results;
} Answer;

static gboolean
send_response (gpointer data)
{
  Answer *a = data;

  g_dbus_connection_emit_signal (a->bus, a->sender, a->path, "org.freedesktop.portal.Request",
                                 "Response", g_variant_new ("(u@a{sv})", a->response, a->results),
                                 NULL);
  g_object_unref (a->bus);
  g_free (a->sender);
  g_free (a->path);
  g_free (a);
  return G_SOURCE_REMOVE;
}

/* …/request/SENDER/TOKEN, or …/session/SENDER/TOKEN: SENDER without its ':' and with
 * '_' for '.', as the portal documentation says. */
static char *
object_path (const char *kind,
             const char *sender,
             const char *token)
{
  g_autofree char *s = g_strdup (sender + 1);

  for (char *c = s; *c != '\0'; c++)
    if (*c == '.')
      *c = '_';
  return g_strdup_printf (PORTAL_PATH "/%s/%s/%s", kind, s, token);
}

/* A new connection to PipeWire's socket, for the caller to use as its remote. */
static int
connect_pipewire (GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy (address.sun_path, socket_path, sizeof address.sun_path);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", socket_path,
                   g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static void
open_remote (GDBusMethodInvocation *invocation)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  int fd = socket_path != NULL ? connect_pipewire (&error) : -1;
  int index;

  if (fd < 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                             "No PipeWire: %s",
                                             error != NULL ? error->message : "none given");
      return;
    }
  index = g_unix_fd_list_append (fds, fd, &error);
  close (fd);
  g_assert_no_error (error);
  g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                           g_variant_new ("(h)", index), fds);
}

static void
on_method_call (GDBusConnection       *bus,
                const char            *sender,
                const char            *path,
                const char            *iface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               data)
{
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters,
                                                           g_variant_n_children (parameters) - 1);
  g_autofree char *printed = g_variant_print (options, TRUE);
  const char *token = "t";
  Answer *a = g_new0 (Answer, 1);
  GVariantBuilder results;

  g_variant_lookup (options, "handle_token", "&s", &token);
  printf ("%s %s\n", method, printed);
  fflush (stdout);
  if (g_str_equal (method, "OpenPipeWireRemote"))
    {
      g_free (a);
      open_remote (invocation);
      return;
    }
  a->bus = g_object_ref (bus);
  a->sender = g_strdup (sender);
  a->path = object_path ("request", sender, token);
  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  if (g_str_equal (method, "CreateSession"))
    {
      const char *session_token = "s";
      g_autofree char *session = NULL;

      g_variant_lookup (options, "session_handle_token", "&s", &session_token);
      session = object_path ("session", sender, session_token);
      g_variant_builder_add (&results, "{sv}", "session_handle", g_variant_new_string (session));
      g_set_object (&last_bus, bus);
      g_free (last_sender);
      last_sender = g_strdup (sender);
      g_free (last_session);
      last_session = g_strdup (session);
    }
  if (g_str_equal (method, "Start") && start_response == 0)
    {
      GVariantBuilder stream;
      g_autofree char *token_out = g_strdup_printf ("fake-restore-token-%u", ++started);

      g_variant_builder_init (&stream, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&stream, "{sv}", "size", g_variant_new ("(ii)", 320, 240));
      g_variant_builder_add (&stream, "{sv}", "source_type", g_variant_new_uint32 (1));
      g_variant_builder_add (&results, "{sv}", "streams",
                             g_variant_new_parsed ("[(%u, %@a{sv})]", shared_node,
                                                   g_variant_builder_end (&stream)));
      g_variant_builder_add (&results, "{sv}", "restore_token",
                             g_variant_new_string (token_out));
    }
  a->response = g_str_equal (method, "Start") ? start_response : 0;
  a->results = g_variant_ref_sink (g_variant_builder_end (&results));
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", a->path));
  /* After the reply, as a portal does: the dialog takes its time. */
  g_timeout_add (50, send_response, a);
}

static GVariant *
on_get_property (GDBusConnection  *bus,
                 const char       *sender,
                 const char       *path,
                 const char       *iface,
                 const char       *property,
                 GError          **error,
                 gpointer          data)
{
  if (g_str_equal (property, "AvailableSourceTypes"))
    return g_variant_new_uint32 (1 | 2);
  if (g_str_equal (property, "AvailableCursorModes"))
    return g_variant_new_uint32 (1 | 2);
  return g_variant_new_uint32 (4);
}

/* A command on standard input: "close". */
static void
on_command (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object),
                                                                 result, NULL, NULL);

  if (line == NULL)
    return;
  if (g_str_equal (line, "close") && last_session != NULL)
    {
      g_dbus_connection_emit_signal (last_bus, last_sender, last_session,
                                     "org.freedesktop.portal.Session", "Closed",
                                     g_variant_new_parsed ("(@a{sv} {},)"), NULL);
      printf ("Closed %s\n", last_session);
      fflush (stdout);
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (object), G_PRIORITY_DEFAULT, NULL,
                                       on_command, NULL);
}

int
main (int   argc,
      char *argv[])
{
  static const GDBusInterfaceVTable vtable = { on_method_call, on_get_property, NULL, { 0 } };

  if (argc > 1)
    start_response = (guint32) g_ascii_strtoull (argv[1], NULL, 10);
  if (start_response == 0 && argc != 4)
    {
      fprintf (stderr, "usage: fake-portal 0 NODE PIPEWIRE-SOCKET\n");
      return 2;
    }
  if (argc > 3)
    {
      shared_node = (guint32) g_ascii_strtoull (argv[2], NULL, 10);
      socket_path = argv[3];
    }
  {
    g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
    GDataInputStream *commands = g_data_input_stream_new (in);

    g_data_input_stream_read_line_async (commands, G_PRIORITY_DEFAULT, NULL, on_command, NULL);
  }
  return fake_service_run ("fake-portal", "org.freedesktop.portal.Desktop", PORTAL_PATH,
                           introspection, &vtable);
}
