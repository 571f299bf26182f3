/* fake-portal.c — a stand-in for xdg-desktop-portal's ScreenCast, on the private
 * session bus a test starts
 *
 * A real portal needs a Wayland compositor (or a desktop session) to ask its user; none
 * runs here. This one owns org.freedesktop.portal.Desktop, answers CreateSession and
 * SelectSources as a portal does (a Request path, then its Response signal), and answers
 * Start with the response given: fake-portal START-RESPONSE (1: the user said no, 2: the
 * portal ended it). It prints "ready" once it owns the name, then one line per call with
 * its options, for the test to check what was asked.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

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
  "    <property name='AvailableSourceTypes' type='u' access='read'/>"
  "    <property name='AvailableCursorModes' type='u' access='read'/>"
  "    <property name='version' type='u' access='read'/>"
  "  </interface>"
  "</node>";

static guint32 start_response = 1;

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

int
main (int   argc,
      char *argv[])
{
  static const GDBusInterfaceVTable vtable = { on_method_call, on_get_property, NULL, { 0 } };

  if (argc > 1)
    start_response = (guint32) g_ascii_strtoull (argv[1], NULL, 10);
  return fake_service_run ("fake-portal", "org.freedesktop.portal.Desktop", PORTAL_PATH,
                           introspection, &vtable);
}
