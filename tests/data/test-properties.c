/* test-properties.c — data/castbridge.properties documents every setting with its default
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cb-settings.h"

static const char *properties_path;

static const char header[] =
  "# castbridge.properties — Castbridge settings\n"
  "#\n"
  "# One `key=value` per line; `#` and `!` start a comment. Key names follow Flashphoner\n"
  "# Web Call Server 5.2, so a flashphoner.properties can be copied in: keys Castbridge does\n"
  "# not know are kept and ignored. Every known key is listed below with its default,\n"
  "# commented out; remove the `#` to change one.\n"
  "#\n"
  "#   castbridge --config FILE        reads this file\n"
  "#   castbridge -o KEY=VALUE         overrides one key (repeatable)\n"
  "#   castbridge-server takes the same options.\n";

/* `test-properties --write data/castbridge.properties` brings the file up to date with
 * the settings table after a key is added. */
static int
write_properties (const char *path)
{
  g_autoptr(GString) out = g_string_new (header);
  g_autoptr(GError) error = NULL;
  const CbSettingInfo *known;
  guint n_known = 0;

  known = cb_settings_get_known (&n_known);
  for (guint i = 0; i < n_known; i++)
    {
      static const char *types[] = {
        [CB_SETTING_STRING] = "text",
        [CB_SETTING_INT] = "whole number",
        [CB_SETTING_BOOL] = "true or false",
        [CB_SETTING_PORT] = "port, 0 to 65535",
      };

      g_string_append_printf (out, "\n# %s (%s)%s\n#%s=%s\n", known[i].description,
                              types[known[i].type],
                              known[i].secret ? "; secret: never logged or shown" : "",
                              known[i].key, known[i].default_value);
    }

  if (!g_file_set_contents (path, out->str, out->len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}

/* key → value of the lines `key=value` and `#key=value` (a default, commented out). */
static GHashTable *
read_entries (const char *contents)
{
  GHashTable *entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *eq;

      if (*line == '#')
        line++;
      eq = strchr (line, '=');
      /* Prose comments have spaces before any '='. */
      if (eq == NULL || eq == line || memchr (line, ' ', eq - line) != NULL)
        continue;
      g_hash_table_replace (entries, g_strndup (line, eq - line), g_strdup (eq + 1));
    }
  return entries;
}

static void
test_loads (void)
{
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cb_settings_load_file (settings, properties_path, &error));
  g_assert_no_error (error);
}

static void
test_every_key_documented (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) entries = NULL;
  const CbSettingInfo *known;
  guint n_known = 0;
  guint missing = 0;

  g_assert_true (g_file_get_contents (properties_path, &contents, NULL, &error));
  g_assert_no_error (error);
  entries = read_entries (contents);
  known = cb_settings_get_known (&n_known);
  g_assert_cmpuint (n_known, >, 0);

  for (guint i = 0; i < n_known; i++)
    {
      const char *value = g_hash_table_lookup (entries, known[i].key);

      if (value == NULL)
        {
          g_test_message ("%s is not in %s (test-properties --write FILE rewrites it)",
                          known[i].key, properties_path);
          missing++;
        }
      else if (!g_str_equal (value, known[i].default_value))
        {
          g_test_message ("%s=%s in %s, but its default is “%s”", known[i].key, value,
                          properties_path, known[i].default_value);
          missing++;
        }
    }
  g_assert_cmpuint (missing, ==, 0);
}

static void
test_no_unknown_keys (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GHashTable) entries = NULL;
  GHashTableIter iter;
  gpointer key;
  guint unknown = 0;

  g_assert_true (g_file_get_contents (properties_path, &contents, NULL, NULL));
  entries = read_entries (contents);

  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (cb_settings_lookup_info (key) == NULL)
      {
        g_test_message ("%s in %s is not a setting Castbridge knows", (char *) key,
                        properties_path);
        unknown++;
      }
  g_assert_cmpuint (unknown, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--write"))
    return write_properties (argv[2]);

  g_test_init (&argc, &argv, NULL);

  if (argc < 2)
    {
      g_printerr ("usage: %s castbridge.properties\n", argv[0]);
      return 1;
    }
  properties_path = argv[1];

  g_test_add_func ("/cb/data/properties/loads", test_loads);
  g_test_add_func ("/cb/data/properties/every-key-documented", test_every_key_documented);
  g_test_add_func ("/cb/data/properties/no-unknown-keys", test_no_unknown_keys);

  return g_test_run ();
}
