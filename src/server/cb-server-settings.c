/* cb-server-settings.c — reading the server's settings with a fallback
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-server-settings.h"

static gboolean
have_key (CbSettings *settings,
          const char *key)
{
  return cb_settings_is_set (settings, key) || cb_settings_lookup_info (key) != NULL;
}

const char *
cb_server_settings_get_string (CbSettings *settings,
                               const char *key,
                               const char *fallback)
{
  const char *value;

  g_return_val_if_fail (CB_IS_SETTINGS (settings), fallback);

  if (!have_key (settings, key))
    return fallback;
  value = cb_settings_get_string (settings, key);
  return value != NULL ? value : fallback;
}

gint64
cb_server_settings_get_int (CbSettings *settings,
                            const char *key,
                            gint64      fallback)
{
  g_return_val_if_fail (CB_IS_SETTINGS (settings), fallback);

  if (!have_key (settings, key))
    return fallback;
  return cb_settings_get_int (settings, key);
}

gboolean
cb_server_settings_get_bool (CbSettings *settings,
                             const char *key,
                             gboolean    fallback)
{
  g_return_val_if_fail (CB_IS_SETTINGS (settings), fallback);

  if (!have_key (settings, key))
    return fallback;
  return cb_settings_get_bool (settings, key);
}

char **
cb_server_settings_split_list (const char *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;
  g_autofree char *copy = NULL;

  if (value == NULL)
    return g_strv_builder_end (builder);
  copy = g_strdup (value);
  for (char *p = copy; *p != '\0'; p++)
    if (*p == ',' || g_ascii_isspace (*p))
      *p = ' ';
  parts = g_strsplit (copy, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}
