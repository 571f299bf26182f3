/* fake-notifications.c — a notification server on the private session bus a test starts,
 * that writes down what it is sent
 *
 * GApplication sends a GNotification to the first of these that answers: the portal
 * (only inside a sandbox, or with GTK_USE_PORTAL=1), org.gtk.Notifications (GNOME Shell)
 * when something owns that name, else org.freedesktop.Notifications (every other
 * desktop's notification daemon). fake-notifications [fdo|gtk] owns the one named
 * (fdo by default), prints "ready" once it does, then one line per notification:
 *   notify<TAB>TITLE<TAB>BODY<TAB>URGENCY
 * (URGENCY: the freedesktop hint 0 low, 1 normal, 2 critical; for gtk, the priority
 * string), and "withdraw<TAB>ID" when one is taken back.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "fake-service.h"

static const char fdo_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' name='app_name' direction='in'/>"
  "      <arg type='u' name='replaces_id' direction='in'/>"
  "      <arg type='s' name='app_icon' direction='in'/>"
  "      <arg type='s' name='summary' direction='in'/>"
  "      <arg type='s' name='body' direction='in'/>"
  "      <arg type='as' name='actions' direction='in'/>"
  "      <arg type='a{sv}' name='hints' direction='in'/>"
  "      <arg type='i' name='expire_timeout' direction='in'/>"
  "      <arg type='u' name='id' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'>"
  "      <arg type='u' name='id' direction='in'/>"
  "    </method>"
  "    <method name='GetCapabilities'>"
  "      <arg type='as' name='capabilities' direction='out'/>"
  "    </method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' name='name' direction='out'/>"
  "      <arg type='s' name='vendor' direction='out'/>"
  "      <arg type='s' name='version' direction='out'/>"
  "      <arg type='s' name='spec_version' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static const char gtk_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "      <arg type='a{sv}' name='notification' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static guint32 last_id;

/* Tabs and newlines would break the line format. */
static void
print_field (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    putchar (*c == '\t' || *c == '\n' ? ' ' : *c);
}

static void
print_notification (const char *title,
                    const char *body,
                    const char *urgency)
{
  fputs ("notify\t", stdout);
  print_field (title);
  putchar ('\t');
  print_field (body);
  putchar ('\t');
  print_field (urgency);
  putchar ('\n');
  fflush (stdout);
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
  if (g_str_equal (method, "Notify"))
    {
      const char *summary, *body;
      guint32 replaces;
      g_autoptr(GVariant) hints = NULL;
      guchar urgency = 1;
      char urgency_text[4];

      g_variant_get (parameters, "(&su&s&s&s^a&s@a{sv}i)", NULL, &replaces, NULL, &summary,
                     &body, NULL, &hints, NULL);
      g_variant_lookup (hints, "urgency", "y", &urgency);
      g_snprintf (urgency_text, sizeof urgency_text, "%u", urgency);
      print_notification (summary, body, urgency_text);
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", replaces != 0 ? replaces : ++last_id));
    }
  else if (g_str_equal (method, "AddNotification"))
    {
      g_autoptr(GVariant) notification = NULL;
      const char *title = "", *body = "", *priority = "normal";

      g_variant_get (parameters, "(&s&s@a{sv})", NULL, NULL, &notification);
      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      g_variant_lookup (notification, "priority", "&s", &priority);
      print_notification (title, body, priority);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "RemoveNotification") || g_str_equal (method, "CloseNotification"))
    {
      g_autoptr(GVariant) id = g_variant_get_child_value (parameters,
                                                          g_variant_n_children (parameters) - 1);
      g_autofree char *printed = g_variant_print (id, FALSE);

      printf ("withdraw\t%s\n", printed);
      fflush (stdout);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "fake-notifications",
                                                          "Castbridge tests", "1", "1.2"));
}

int
main (int   argc,
      char *argv[])
{
  static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };
  gboolean gtk = argc > 1 && g_str_equal (argv[1], "gtk");

  return fake_service_run ("fake-notifications",
                           gtk ? "org.gtk.Notifications" : "org.freedesktop.Notifications",
                           gtk ? "/org/gtk/Notifications" : "/org/freedesktop/Notifications",
                           gtk ? gtk_xml : fdo_xml, &vtable);
}
