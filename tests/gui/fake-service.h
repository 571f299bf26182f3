/* fake-service.h — what the fake D-Bus services of the GUI tests share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

/* Owns @name on the session bus with an object at @path (the first interface of @xml,
 * answered by @vtable), prints "ready" on stdout once the name is owned, and answers
 * until killed; a message on stderr and 1 when that cannot be. @program names it there. */
int fake_service_run (const char                 *program,
                      const char                 *name,
                      const char                 *path,
                      const char                 *xml,
                      const GDBusInterfaceVTable *vtable);
