/* cb-platform.h — what Castbridge asks of the operating system beyond GLib
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place with a Unix and a Windows implementation (cb-platform.c). Everything else
 * uses GLib's portable calls (g_build_filename, g_get_user_config_dir,
 * g_file_set_contents_full, g_rename, GSocket, <gio/gnetworking.h>) and, where GLib has
 * none, these. GLib and GIO only, so that every library can link it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

guint       cb_platform_add_quit_watch       (GSourceFunc   func,
                                              gpointer      data);

gint64      cb_platform_get_pid              (void);
gint64      cb_platform_process_cpu_time     (void);
gboolean    cb_platform_process_may_run      (gint64        pid,
                                              const char   *name_part);

char       *cb_platform_get_executable       (void);
char       *cb_platform_relocate             (const char   *configured);
char       *cb_platform_realpath             (const char   *path);
int         cb_platform_rename_no_replace    (const char   *from,
                                              const char   *to);
void        cb_platform_sync_path            (const char   *path);

GPtrArray  *cb_platform_list_addresses       (void);
int         cb_platform_connect_local        (const char   *path,
                                              GError      **error);

G_END_DECLS
