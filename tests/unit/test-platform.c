/* test-platform.c — the platform layer's Unix branch (src/common/cb-platform.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user would notice: the server stops cleanly on SIGTERM and Ctrl+C, and dies on a
 * second one once it stopped listening; the header bar's CPU figure; recordings of another
 * running Castbridge left alone; a finished recording never replacing a file.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <gio/gunixsocketaddress.h>

#include "cb-platform.h"

#define DEADLINE_US (10 * G_USEC_PER_SEC)

static gboolean
on_quit (gpointer data)
{
  guint *count = data;

  (*count)++;
  return G_SOURCE_CONTINUE;
}

/* Runs the default context until *@count reaches @want, or fails at the deadline. */
static void
wait_for_count (guint *count,
                guint  want)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (*count < want)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_quit_watch (void)
{
  guint count = 0;
  guint id = cb_platform_add_quit_watch (on_quit, &count);

  g_assert_cmpuint (id, !=, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (count, ==, 0);

  g_assert_cmpint (raise (SIGTERM), ==, 0);
  wait_for_count (&count, 1);
  g_assert_cmpint (raise (SIGINT), ==, 0);
  wait_for_count (&count, 2);

  /* One request, one call: nothing more is pending. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count, ==, 2);
  g_source_remove (id);
}

static gboolean
on_quit_once (gpointer data)
{
  guint *count = data;

  (*count)++;
  g_print ("quit requested\n");
  return G_SOURCE_REMOVE;
}

/* After the watch goes (castbridge-server's answers G_SOURCE_REMOVE), a second SIGTERM
 * ends the process as the system's default does: a stuck stop can still be killed. */
static void
test_quit_watch_removed (void)
{
  if (g_test_subprocess ())
    {
      guint count = 0;

      cb_platform_add_quit_watch (on_quit_once, &count);
      raise (SIGTERM);
      wait_for_count (&count, 1);
      raise (SIGTERM);
      g_usleep (G_USEC_PER_SEC);
      g_print ("still alive\n");
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("*quit requested*");
  g_test_trap_assert_stdout_unmatched ("*still alive*");
}

static void
test_cpu_time (void)
{
  gint64 cpu0 = cb_platform_process_cpu_time ();
  gint64 wall0 = g_get_monotonic_time ();
  gint64 cpu1 = cpu0;
  volatile guint64 sink = 0;

  g_assert_cmpint (cpu0, >, 0);
  /* Spin until 20 ms of processor time have gone by (the machine may be busy). */
  while (cpu1 - cpu0 < 20000)
    {
      g_assert_cmpint (g_get_monotonic_time () - wall0, <, DEADLINE_US);
      for (guint i = 0; i < 100000; i++)
        sink += i;
      cpu1 = cb_platform_process_cpu_time ();
    }
  /* One thread spun: it cannot have used more processor time than the time that passed. */
  g_assert_cmpint (cpu1 - cpu0, <=, g_get_monotonic_time () - wall0 + 10000);
}

static void
test_pid (void)
{
  g_assert_cmpint (cb_platform_get_pid (), ==, getpid ());
}

static void
test_process_may_run (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "true", NULL };
  GPid child;
  int status;

  /* This very process runs "test-platform", which is not "castbridge". */
  g_assert_true (cb_platform_process_may_run (getpid (), "test-platform"));
  g_assert_false (cb_platform_process_may_run (getpid (), "castbridge"));
  g_assert_false (cb_platform_process_may_run (0, "castbridge"));
  g_assert_false (cb_platform_process_may_run (-5, "castbridge"));
  g_assert_false (cb_platform_process_may_run (G_MAXINT64, "castbridge"));

  /* A process that ended (and was reaped) is gone. */
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &child, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_false (cb_platform_process_may_run (child, "true"));
}

static void
test_executable (void)
{
  g_autofree char *exe = cb_platform_get_executable ();
  g_autofree char *relocated = cb_platform_relocate ("/usr/share/locale");

  g_assert_nonnull (exe);
  g_assert_true (g_path_is_absolute (exe));
  g_assert_true (g_str_has_suffix (exe, "test-platform"));
  /* A Unix install is where it was configured. */
  g_assert_cmpstr (relocated, ==, "/usr/share/locale");
}

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cb-test-platform-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_contents (const char *path,
                 const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  g_assert_true (g_file_get_contents (path, &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, want);
}

static void
test_realpath (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *real_dir = cb_platform_realpath (f->dir);
  g_autofree char *want = g_build_filename (real_dir, "a.mp4", NULL);
  g_autofree char *in_link = g_build_filename (f->dir, "link.mp4", NULL);
  char *none;

  g_free (write_file (f, "a.mp4", "a"));
  g_assert_cmpint (symlink ("a.mp4", in_link), ==, 0);

  /* The file and a link to it: one name, the link followed. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_build_filename (f->dir, i == 0 ? "a.mp4" : "link.mp4", NULL);
      g_autofree char *real = cb_platform_realpath (name);

      g_assert_cmpstr (real, ==, want);
    }

  g_free (in_link);
  in_link = g_build_filename (f->dir, "missing.mp4", NULL);
  errno = 0;
  none = cb_platform_realpath (in_link);
  g_assert_null (none);
  g_assert_cmpint (errno, ==, ENOENT);
}

static void
test_rename_no_replace (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *from = write_file (f, "from", "new");
  g_autofree char *to = write_file (f, "to", "old");
  g_autofree char *other = g_build_filename (f->dir, "other", NULL);

  /* An existing name is never replaced: both files keep what they hold. */
  errno = 0;
  g_assert_cmpint (cb_platform_rename_no_replace (from, to), ==, -1);
  g_assert_cmpint (errno, ==, EEXIST);
  assert_contents (from, "new");
  assert_contents (to, "old");

  /* A free name takes the file whole, and the old name is gone. */
  g_assert_cmpint (cb_platform_rename_no_replace (from, other), ==, 0);
  assert_contents (other, "new");
  g_assert_false (g_file_test (from, G_FILE_TEST_EXISTS));

  errno = 0;
  g_assert_cmpint (cb_platform_rename_no_replace (from, to), ==, -1);
  g_assert_cmpint (errno, ==, ENOENT);
}

static void
test_sync_path (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *file = write_file (f, "synced", "kept");
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);

  /* Best effort, silent: a file, a folder, a name that is not there. */
  cb_platform_sync_path (file);
  cb_platform_sync_path (f->dir);
  cb_platform_sync_path (missing);
  assert_contents (file, "kept");
}

static void
test_list_addresses (void)
{
  g_autoptr(GPtrArray) addresses = cb_platform_list_addresses ();
  gboolean loopback = FALSE;

  for (guint i = 0; i < addresses->len; i++)
    {
      GInetAddress *address = addresses->pdata[i];
      GSocketFamily family = g_inet_address_get_family (address);

      g_assert_true (G_IS_INET_ADDRESS (address));
      g_assert_true (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6);
      loopback |= g_inet_address_get_is_loopback (address);
    }
  /* The tests run where lo is up (the browser tests' namespace included). */
  g_assert_true (loopback);
}

/* A local socket's descriptor, which the listener sees connect; a path where nothing
 * listens, or one too long for a socket, is an error with the reason. */
static void
test_connect_local (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cb-platform-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "socket", NULL);
  g_autofree char *long_path = g_strnfill (200, 'x');
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GError) error = NULL;
  char byte = 0;
  int fd;

  g_assert_true (g_socket_bind (listener, address, FALSE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  fd = cb_platform_connect_local (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  accepted = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "!", 1), ==, 1);
  g_assert_cmpint (g_socket_receive (accepted, &byte, 1, NULL, &error), ==, 1);
  g_assert_cmpint (byte, ==, '!');
  g_close (fd, NULL);
  g_socket_close (listener, NULL);
  g_remove (path);

  g_assert_cmpint (cb_platform_connect_local (path, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (cb_platform_connect_local (long_path, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *path;
    void      (*func) (Fixture *, gconstpointer);
  } in_folder[] = {
    { "/cb/platform/realpath", test_realpath },
    { "/cb/platform/rename-no-replace", test_rename_no_replace },
    { "/cb/platform/sync-path", test_sync_path },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/platform/quit-watch/signals", test_quit_watch);
  g_test_add_func ("/cb/platform/quit-watch/removed", test_quit_watch_removed);
  g_test_add_func ("/cb/platform/process/cpu-time", test_cpu_time);
  g_test_add_func ("/cb/platform/process/pid", test_pid);
  g_test_add_func ("/cb/platform/process/may-run", test_process_may_run);
  g_test_add_func ("/cb/platform/executable", test_executable);
  g_test_add_func ("/cb/platform/list-addresses", test_list_addresses);
  g_test_add_func ("/cb/platform/connect-local", test_connect_local);
  for (guint i = 0; i < G_N_ELEMENTS (in_folder); i++)
    g_test_add (in_folder[i].path, Fixture, NULL, fixture_set_up, in_folder[i].func,
                fixture_tear_down);
  return g_test_run ();
}
