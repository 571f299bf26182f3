/* cb-platform.c — what Castbridge asks of the operating system beyond GLib: Unix and Windows
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each function has one body per system, and nothing outside this file tests G_OS_WIN32.
 * The Unix branch is what runs and is tested (tests/unit/test-platform.c, on Linux); the
 * Windows branch is compiled by the MSYS2 build (build-aux/windows/build-msys2.sh) and
 * has not run yet: the README's Windows section says what was checked where.
 */
#define _GNU_SOURCE   /* renameat2 () and RENAME_NOREPLACE */

#include "cb-platform.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gnetworking.h>

#ifdef G_OS_WIN32
# include <windows.h>
#else
# include <fcntl.h>
# include <glib-unix.h>
# include <ifaddrs.h>
# include <signal.h>
# include <stdlib.h>
# include <sys/resource.h>
# include <sys/socket.h>
# include <sys/un.h>
# include <unistd.h>
#endif

/* ---- quitting on the system's request ------------------------------------------------ */

/* A source on the default context that dispatches once per quit request: SIGINT or SIGTERM
 * on Unix (its children, GLib's signal sources, make it ready); Ctrl+C, Ctrl+Break, the
 * console closing, logoff or shutdown on Windows (the console handler, which Windows runs on
 * a thread of its own, bumps quit_generation and wakes the context). */
typedef struct {
  GSource source;
  gint    seen;   /* quit_generation when last dispatched */
} QuitSource;

static gint quit_generation;

static gboolean
quit_source_pending (GSource *source)
{
  return g_atomic_int_get (&quit_generation) != ((QuitSource *) source)->seen;
}

static gboolean
quit_source_prepare (GSource *source,
                     gint    *timeout)
{
  *timeout = -1;
  return quit_source_pending (source);
}

static gboolean
quit_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     data)
{
  ((QuitSource *) source)->seen = g_atomic_int_get (&quit_generation);
  return callback != NULL ? callback (data) : G_SOURCE_REMOVE;
}

#ifdef G_OS_WIN32

static GMutex console_lock;
static guint n_quit_sources;

static BOOL WINAPI
on_console_event (DWORD event)
{
  switch (event)
    {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
      g_atomic_int_inc (&quit_generation);
      g_main_context_wakeup (NULL);
      return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      g_atomic_int_inc (&quit_generation);
      g_main_context_wakeup (NULL);
      /* Windows ends the process as soon as this returns (and after 5 s anyway): leave the
       * main loop the time of a clean stop; the process's own exit ends this wait. */
      Sleep (4500);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
quit_source_finalize (GSource *source)
{
  g_mutex_lock (&console_lock);
  if (--n_quit_sources == 0)
    SetConsoleCtrlHandler (on_console_event, FALSE);
  g_mutex_unlock (&console_lock);
}

static void
quit_source_watch (GSource *source)
{
  /* Only while someone listens: otherwise Ctrl+C keeps ending the process at once. */
  g_mutex_lock (&console_lock);
  if (n_quit_sources++ == 0 && !SetConsoleCtrlHandler (on_console_event, TRUE))
    g_warning ("Cannot watch the console for Ctrl+C: error %lu", GetLastError ());
  g_mutex_unlock (&console_lock);
}

#else /* Unix */

static gboolean
on_signal_child (gpointer data)
{
  return G_SOURCE_CONTINUE;   /* the parent, made ready with it, calls back */
}

static void
quit_source_watch (GSource *source)
{
  static const int signals[] = { SIGINT, SIGTERM };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      GSource *child = g_unix_signal_source_new (signals[i]);

      g_source_set_callback (child, on_signal_child, NULL, NULL);
      g_source_add_child_source (source, child);
      g_source_unref (child);
    }
}

#define quit_source_finalize NULL

#endif

static GSourceFuncs quit_source_funcs = {
  quit_source_prepare,
  quit_source_pending,
  quit_source_dispatch,
  quit_source_finalize,
  NULL, NULL,
};

/**
 * cb_platform_add_quit_watch:
 * @func: called on the default main context for each quit request; %G_SOURCE_REMOVE
 *   stops watching
 * @data: for @func
 *
 * Calls @func when the system asks the process to stop: SIGINT and SIGTERM on Unix;
 * Ctrl+C, Ctrl+Break, closing the console, logoff and shutdown on Windows. Once the watch
 * is removed, the system's default (ending the process) applies again.
 *
 * Returns: the source's id on the default context, for g_source_remove()
 */
guint
cb_platform_add_quit_watch (GSourceFunc func,
                            gpointer    data)
{
  GSource *source;
  guint id;

  g_return_val_if_fail (func != NULL, 0);

  source = g_source_new (&quit_source_funcs, sizeof (QuitSource));
  ((QuitSource *) source)->seen = g_atomic_int_get (&quit_generation);
  g_source_set_name (source, "quit request");
  g_source_set_callback (source, func, data, NULL);
  quit_source_watch (source);
  id = g_source_attach (source, NULL);
  g_source_unref (source);
  return id;
}

/* ---- processes ------------------------------------------------------------------------ */

#ifdef G_OS_WIN32
/* errno for a Win32 error, for the callers that report with g_strerror (). */
static int
errno_from_win32 (DWORD code)
{
  switch (code)
    {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_PATHNAME:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return EEXIST;
    case ERROR_FILENAME_EXCED_RANGE:
      return ENAMETOOLONG;
    case ERROR_CANT_RESOLVE_FILENAME:
      return ELOOP;
    case ERROR_NOT_SAME_DEVICE:
      return EXDEV;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return ENOSPC;
    default:
      return EIO;
    }
}

static gint64
filetime_100ns (const FILETIME *t)
{
  return (gint64) (((guint64) t->dwHighDateTime << 32) | t->dwLowDateTime);
}
#endif

/**
 * cb_platform_get_pid:
 *
 * Returns: this process's id, as the system shows it to other processes
 */
gint64
cb_platform_get_pid (void)
{
#ifdef G_OS_WIN32
  return GetCurrentProcessId ();
#else
  return getpid ();
#endif
}

/**
 * cb_platform_process_cpu_time:
 *
 * Returns: the processor time this process has used, user and system, in microseconds;
 *   -1 when the system does not tell
 */
gint64
cb_platform_process_cpu_time (void)
{
#ifdef G_OS_WIN32
  FILETIME created, exited, kernel, user;

  if (!GetProcessTimes (GetCurrentProcess (), &created, &exited, &kernel, &user))
    return -1;
  return (filetime_100ns (&kernel) + filetime_100ns (&user)) / 10;
#else
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return -1;
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
#endif
}

/**
 * cb_platform_process_may_run:
 * @pid: a process id another process wrote down
 * @name_part: what the program's name holds ("castbridge")
 *
 * Whether the process @pid may still run a program whose name holds @name_part: %FALSE
 * only when it is known to be gone or to run another program (the id was reused), %TRUE
 * when it cannot be told — the caller then leaves that process's files alone.
 */
gboolean
cb_platform_process_may_run (gint64      pid,
                             const char *name_part)
{
  g_return_val_if_fail (name_part != NULL, TRUE);

#ifdef G_OS_WIN32
  HANDLE process;
  DWORD code;
  WCHAR image[MAX_PATH];
  DWORD size = G_N_ELEMENTS (image);
  gboolean may_run = TRUE;

  if (pid <= 0 || pid > G_MAXUINT32)
    return FALSE;
  process = OpenProcess (PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD) pid);
  if (process == NULL)
    return GetLastError () != ERROR_INVALID_PARAMETER;   /* no such process */
  if (GetExitCodeProcess (process, &code) && code != STILL_ACTIVE)
    may_run = FALSE;
  else if (QueryFullProcessImageNameW (process, 0, image, &size))
    {
      g_autofree char *path = g_utf16_to_utf8 ((const gunichar2 *) image, size, NULL, NULL,
                                               NULL);
      g_autofree char *base = path != NULL ? g_path_get_basename (path) : NULL;
      g_autofree char *lower = base != NULL ? g_ascii_strdown (base, -1) : NULL;

      may_run = lower == NULL || strstr (lower, name_part) != NULL;
    }
  CloseHandle (process);
  return may_run;
#else
  g_autofree char *comm_path = NULL;
  g_autofree char *comm = NULL;

  if (pid <= 0 || pid > G_MAXINT32)
    return FALSE;
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  comm_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/comm", pid);
  if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
    return TRUE;   /* no /proc */
  return strstr (comm, name_part) != NULL;
#endif
}

/* ---- paths ---------------------------------------------------------------------------- */

/**
 * cb_platform_get_executable:
 *
 * Returns: (transfer full) (nullable): the running program's file, %NULL when the system
 *   does not tell
 */
char *
cb_platform_get_executable (void)
{
#ifdef G_OS_WIN32
  g_autofree WCHAR *buffer = NULL;
  DWORD size = MAX_PATH;

  for (guint tries = 0; tries < 6; tries++, size *= 2)
    {
      DWORD n;

      g_free (buffer);
      buffer = g_new (WCHAR, size);
      n = GetModuleFileNameW (NULL, buffer, size);
      if (n == 0)
        return NULL;
      if (n < size)
        return g_utf16_to_utf8 ((const gunichar2 *) buffer, n, NULL, NULL, NULL);
    }
  return NULL;
#else
  return g_file_read_link ("/proc/self/exe", NULL);
#endif
}

/**
 * cb_platform_relocate:
 * @configured: a folder under the install prefix, as meson configured it (LOCALEDIR)
 *
 * Unix installs are where they were configured: @configured as it is. The Windows
 * installer puts the files in any folder, and the MSYS2 build configures with
 * `--prefix=/`: there @configured is taken under the folder that holds `bin\` of the
 * running program.
 *
 * Returns: (transfer full): the folder as this install has it
 */
char *
cb_platform_relocate (const char *configured)
{
  g_return_val_if_fail (configured != NULL, NULL);

#ifdef G_OS_WIN32
  if (G_IS_DIR_SEPARATOR (configured[0]) && !G_IS_DIR_SEPARATOR (configured[1]))
    {
      g_autofree char *root = g_win32_get_package_installation_directory_of_module (NULL);

      if (root != NULL)
        return g_build_filename (root, configured + 1, NULL);
    }
#endif
  return g_strdup (configured);
}

/**
 * cb_platform_realpath:
 * @path: an existing file or folder
 *
 * The absolute name of @path with every symbolic link (and, on Windows, junction) resolved,
 * as the system names it. On failure errno says why (ENOENT, ENOTDIR, EACCES, ELOOP,
 * ENAMETOOLONG…).
 *
 * Returns: (transfer full) (nullable): the resolved name, %NULL with errno set
 */
char *
cb_platform_realpath (const char *path)
{
#ifdef G_OS_WIN32
  g_autofree gunichar2 *wide = NULL;
  g_autofree WCHAR *final = NULL;
  g_autofree char *utf8 = NULL;
  HANDLE file;
  DWORD n;
  const char *out;

  g_return_val_if_fail (path != NULL, NULL);

  wide = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
  if (wide == NULL)
    {
      errno = EINVAL;
      return NULL;
    }
  /* No access asked: only the name. BACKUP_SEMANTICS opens folders too. */
  file = CreateFileW ((const WCHAR *) wide, 0,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (file == INVALID_HANDLE_VALUE)
    {
      errno = errno_from_win32 (GetLastError ());
      return NULL;
    }
  n = GetFinalPathNameByHandleW (file, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (n > 0)
    {
      final = g_new (WCHAR, n + 1);
      n = GetFinalPathNameByHandleW (file, final, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    }
  if (n == 0)
    errno = errno_from_win32 (GetLastError ());
  CloseHandle (file);
  if (n == 0)
    return NULL;
  utf8 = g_utf16_to_utf8 ((const gunichar2 *) final, n, NULL, NULL, NULL);
  if (utf8 == NULL)
    {
      errno = EILSEQ;
      return NULL;
    }
  /* "\\?\C:\x" is "C:\x"; "\\?\UNC\server\share\x" is "\\server\share\x". */
  if (g_str_has_prefix (utf8, "\\\\?\\UNC\\"))
    return g_strconcat ("\\\\", utf8 + 8, NULL);
  out = g_str_has_prefix (utf8, "\\\\?\\") ? utf8 + 4 : utf8;
  return g_strdup (out);
#else
  char *real;
  char *out;

  g_return_val_if_fail (path != NULL, NULL);

  real = realpath (path, NULL);
  if (real == NULL)
    return NULL;
  out = g_strdup (real);
  free (real);
  return out;
#endif
}

/**
 * cb_platform_rename_no_replace:
 * @from: an existing file
 * @to: its new name, on the same file system
 *
 * g_rename() that fails with EEXIST instead of replacing @to.
 *
 * Returns: 0, or -1 with errno set
 */
int
cb_platform_rename_no_replace (const char *from,
                               const char *to)
{
#ifdef G_OS_WIN32
  g_autofree gunichar2 *wfrom = g_utf8_to_utf16 (from, -1, NULL, NULL, NULL);
  g_autofree gunichar2 *wto = g_utf8_to_utf16 (to, -1, NULL, NULL, NULL);

  if (wfrom == NULL || wto == NULL)
    {
      errno = EINVAL;
      return -1;
    }
  /* Without MOVEFILE_REPLACE_EXISTING, an existing @to is an error. */
  if (MoveFileExW ((const WCHAR *) wfrom, (const WCHAR *) wto, MOVEFILE_WRITE_THROUGH))
    return 0;
  errno = errno_from_win32 (GetLastError ());
  return -1;
#else
  int saved;

# ifdef RENAME_NOREPLACE
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    return -1;
# endif
  /* A file system without RENAME_NOREPLACE: a hard link cannot replace a file either. */
  if (link (from, to) == 0)
    {
      if (g_unlink (from) != 0)
        g_warning ("Cannot delete %s, moved to %s: %s", from, to, g_strerror (errno));
      return 0;
    }
  saved = errno;
  if (saved != EPERM && saved != EOPNOTSUPP && saved != EMLINK)
    return -1;
  /* No hard links either (FAT, some network shares): check, then rename. */
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      errno = EEXIST;
      return -1;
    }
  return g_rename (from, to);
#endif
}

/**
 * cb_platform_sync_path:
 * @path: a file, or (on Unix) a folder whose entries just changed
 *
 * Writes what the system holds of @path to the disk, so that a file is there before the
 * one it replaces is deleted. Best effort: failures are logged at debug level. (Windows
 * cannot flush a folder; cb_platform_rename_no_replace() writes through there.)
 */
void
cb_platform_sync_path (const char *path)
{
#ifdef G_OS_WIN32
  g_autofree gunichar2 *wide = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
  HANDLE file;

  if (wide == NULL || g_file_test (path, G_FILE_TEST_IS_DIR))
    return;
  file = CreateFileW ((const WCHAR *) wide, GENERIC_WRITE,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                      OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (file == INVALID_HANDLE_VALUE)
    return;
  if (!FlushFileBuffers (file))
    g_debug ("FlushFileBuffers %s: error %lu", path, GetLastError ());
  CloseHandle (file);
#else
  int fd = g_open (path, O_RDONLY, 0);

  if (fd < 0)
    return;
  if (fsync (fd) != 0)
    g_debug ("fsync %s: %s", path, g_strerror (errno));
  g_close (fd, NULL);
#endif
}

/* ---- network -------------------------------------------------------------------------- */

/**
 * cb_platform_connect_local:
 * @path: a Unix domain socket's path
 * @error: a #GError (%G_IO_ERROR)
 *
 * A blocking connection to a local socket, as a plain descriptor for a library that
 * takes one (pipewiresrc's "fd"), close-on-exec.
 *
 * Returns: the descriptor, or -1 with @error (always on Windows: %G_IO_ERROR_NOT_SUPPORTED)
 */
int
cb_platform_connect_local (const char  *path,
                           GError     **error)
{
#ifdef G_OS_WIN32
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "No local sockets of this kind on Windows");
  return -1;
#else
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd, saved;

  if (strlen (path) >= sizeof address.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG, "The socket's path is too long");
      return -1;
    }
  g_strlcpy (address.sun_path, path, sizeof address.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &address, sizeof address) == 0)
    return fd;
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
  return -1;
#endif
}

static void
add_native_address (GPtrArray       *out,
                    gconstpointer    native,
                    gsize            size)
{
  g_autoptr(GSocketAddress) address = g_socket_address_new_from_native ((gpointer) native, size);

  if (address != NULL && G_IS_INET_SOCKET_ADDRESS (address))
    g_ptr_array_add (out, g_object_ref (
                       g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address))));
}

/**
 * cb_platform_list_addresses:
 *
 * The IPv4 and IPv6 addresses of this machine's interfaces that are up, loopback
 * included, in the system's order.
 *
 * Returns: (transfer container) (element-type GInetAddress): the addresses (maybe none)
 */
GPtrArray *
cb_platform_list_addresses (void)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

#ifdef G_OS_WIN32
  g_autofree IP_ADAPTER_ADDRESSES *list = NULL;
  ULONG size = 16 * 1024;
  ULONG rc = ERROR_BUFFER_OVERFLOW;

  for (guint tries = 0; tries < 4 && rc == ERROR_BUFFER_OVERFLOW; tries++)
    {
      g_free (list);
      list = g_malloc (size);
      rc = GetAdaptersAddresses (AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                                 GAA_FLAG_SKIP_DNS_SERVER, NULL, list, &size);
    }
  if (rc != NO_ERROR)
    return out;
  for (const IP_ADAPTER_ADDRESSES *a = list; a != NULL; a = a->Next)
    {
      if (a->OperStatus != IfOperStatusUp)
        continue;
      for (const IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u != NULL; u = u->Next)
        if (u->Address.lpSockaddr != NULL && u->Address.iSockaddrLength > 0)
          add_native_address (out, u->Address.lpSockaddr, u->Address.iSockaddrLength);
    }
#else
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return out;
  for (const struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
    {
      if (i->ifa_addr == NULL || (i->ifa_flags & IFF_UP) == 0)
        continue;
      if (i->ifa_addr->sa_family == AF_INET)
        add_native_address (out, i->ifa_addr, sizeof (struct sockaddr_in));
      else if (i->ifa_addr->sa_family == AF_INET6)
        add_native_address (out, i->ifa_addr, sizeof (struct sockaddr_in6));
    }
  freeifaddrs (list);
#endif
  return out;
}
