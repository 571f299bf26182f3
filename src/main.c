/* main.c — castbridge, the GTK studio
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cb-application.h"
#include "cb-platform.h"
#include "cb-record-file.h"

/* Run from the build tree, the translations are in build/po, not yet in LOCALEDIR (which
 * a Windows install has under its own folder). */
static char *
pick_locale_dir (void)
{
  g_autofree char *exe = cb_platform_get_executable ();
  g_autofree char *build_dir = g_canonicalize_filename (CB_BUILD_DIR, NULL);
  g_autofree char *build_po = g_build_filename (CB_BUILD_DIR, "po", NULL);

  if (exe != NULL && g_str_has_prefix (exe, build_dir) &&
      g_file_test (build_po, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&build_po);
  return cb_platform_relocate (LOCALEDIR);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CbApplication) application = NULL;
  g_autofree char *locale_dir = NULL;
  /* Recordings are remuxed in a child of this program: this may be one. */
  int worker = cb_record_file_worker_main (argc, argv);

  if (worker >= 0)
    return worker;
  locale_dir = pick_locale_dir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = cb_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
