/* fake-service.c — what the fake D-Bus services of the GUI tests share (fake-portal.c,
 * fake-notifications.c): one object on a name of the session bus, "ready" once owned
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "fake-service.h"

static void
on_name_acquired (GDBusConnection *bus,
                  const char      *name,
                  gpointer         data)
{
  printf ("ready\n");
  fflush (stdout);
}

static void
on_name_lost (GDBusConnection *bus,
              const char      *name,
              gpointer         data)
{
  fprintf (stderr, "%s: cannot own %s\n", (const char *) data, name);
  exit (1);
}

int
fake_service_run (const char                 *program,
                  const char                 *name,
                  const char                 *path,
                  const char                 *xml,
                  const GDBusInterfaceVTable *vtable)
{
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  node = g_dbus_node_info_new_for_xml (xml, &error);
  if (node != NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL ||
      g_dbus_connection_register_object (bus, path, node->interfaces[0], vtable, NULL, NULL,
                                         &error) == 0)
    {
      fprintf (stderr, "%s: %s\n", program, error->message);
      return 1;
    }
  g_bus_own_name_on_connection (bus, name, G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired,
                                on_name_lost, (gpointer) program, NULL);
  g_main_loop_run (loop);
  return 0;
}
