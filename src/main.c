/* main.c — castbridge, the GTK studio
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cb-application.h"

/* Run from the build tree, the translations are in build/po, not yet in LOCALEDIR. */
static const char *
pick_locale_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_dir = g_canonicalize_filename (CB_BUILD_DIR, NULL);

  if (exe != NULL && g_str_has_prefix (exe, build_dir) &&
      g_file_test (CB_BUILD_DIR "/po", G_FILE_TEST_IS_DIR))
    return CB_BUILD_DIR "/po";
  return LOCALEDIR;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CbApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, pick_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = cb_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
