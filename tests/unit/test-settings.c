/* test-settings.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-error.h"
#include "cb-settings.h"
#include <glib/gstdio.h>
#include <string.h>

static void
test_defaults (void)
{
  g_autoptr(CbSettings) s = cb_settings_new ();

  g_assert_cmpint (cb_settings_get_int (s, "http.port"), ==, 8081);
  g_assert_cmpint (cb_settings_get_int (s, "ws.port"), ==, 8080);
  g_assert_cmpint (cb_settings_get_int (s, "rtmp.port"), ==, 1935);
  g_assert_cmpint (cb_settings_get_int (s, "media_port_from"), ==, 31001);
  g_assert_cmpint (cb_settings_get_int (s, "rtmp_out_buffer_max_bufferings_allowed"), ==, -1);
  g_assert_cmpstr (cb_settings_get_string (s, "rtmp_transponder_stream_name_prefix"), ==, "rtmp_");
  g_assert_true (cb_settings_get_bool (s, "rtmp_transponder_send_metadata"));
  g_assert_false (cb_settings_get_bool (s, "rtmp_push_restore"));
  g_assert_false (cb_settings_is_set (s, "http.port"));
  g_assert_null (cb_settings_get_string (s, "no.such.key"));
}

typedef struct {
  const char *input;
  gboolean    ok;
  const char *key;
  const char *value;
} ParseCase;

static const ParseCase parse_cases[] = {
  { "http.port=9000", TRUE, "http.port", "9000" },
  { "  http.port =  9001  \n", TRUE, "http.port", "9001" },
  { "# comment\n! also a comment\n\nws.port=0", TRUE, "ws.port", "0" },
  { "rtmp_push_restore=true", TRUE, "rtmp_push_restore", "true" },
  { "rtmp_transponder_stream_name_prefix=", TRUE, "rtmp_transponder_stream_name_prefix", "" },
  { "custom.wcs.key=anything goes", TRUE, "custom.wcs.key", "anything goes" },
  { "rest_auth_password=a=b", TRUE, "rest_auth_password", "a=b" },
  { "http.port=70000", FALSE },
  { "http.port=-1", FALSE },
  { "http.port=80a", FALSE },
  { "http.port=", FALSE },
  { "rtmp_push_restore=maybe", FALSE },
  { "rtmp_push_restore_attempts=three", FALSE },
  { "just a line without equals", FALSE },
  { "=value", FALSE },
  { "bad key=1", FALSE },
  { "http.port=1\xff", FALSE },
};

static void
test_parse_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      g_autoptr(CbSettings) s = cb_settings_new ();
      g_autoptr(GError) error = NULL;
      gboolean ok = cb_settings_load_data (s, c->input, -1, &error);

      g_autofree char *shown = g_strescape (c->input, NULL);

      g_test_message ("case %u: %s", i, shown);
      g_assert_cmpint (ok, ==, c->ok);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (cb_settings_get_string (s, c->key), ==, c->value);
        }
      else
        {
          g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
          g_assert_nonnull (error->message);
        }
    }
}

static void
test_nul_and_truncated (void)
{
  static const char with_nul[] = "http.port=1\0ws.port=2";
  g_autoptr(CbSettings) s = cb_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (cb_settings_load_data (s, with_nul, sizeof with_nul - 1, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* A buffer cut in the middle of a value, without a terminating NUL in range. */
  g_assert_true (cb_settings_load_data (s, "http.port=12345678", 13, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cb_settings_get_string (s, "http.port"), ==, "123");
}

static void
test_override_and_file (void)
{
  g_autoptr(CbSettings) s = cb_settings_new ();
  g_autoptr(CbSettings) reread = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cb-settings-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "castbridge.properties", NULL);

  g_assert_true (cb_settings_parse_override (s, "rtmp_push_restore_attempts=7", &error));
  g_assert_cmpint (cb_settings_get_int (s, "rtmp_push_restore_attempts"), ==, 7);
  g_assert_false (cb_settings_parse_override (s, "noequals", &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cb_settings_save_file (s, path, &error));
  g_assert_true (cb_settings_load_file (reread, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cb_settings_get_int (reread, "rtmp_push_restore_attempts"), ==, 7);
  /* Defaults are written commented out, so they stay defaults. */
  g_assert_false (cb_settings_is_set (reread, "http.port"));

  g_assert_false (cb_settings_load_file (reread, "/nonexistent/castbridge.properties", &error));
  g_assert_nonnull (error);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_known_keys_documented (void)
{
  guint n = 0;
  const CbSettingInfo *known = cb_settings_get_known (&n);

  g_assert_cmpuint (n, >, 20);
  for (guint i = 0; i < n; i++)
    {
      g_assert_nonnull (known[i].default_value);
      g_assert_nonnull (known[i].description);
      g_assert_true (known[i].description[0] != '\0');
    }
  g_assert_true (cb_settings_lookup_info ("rest_auth_password")->secret);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/settings/defaults", test_defaults);
  g_test_add_func ("/cb/settings/parse-table", test_parse_table);
  g_test_add_func ("/cb/settings/nul-and-truncated", test_nul_and_truncated);
  g_test_add_func ("/cb/settings/override-and-file", test_override_and_file);
  g_test_add_func ("/cb/settings/known-keys-documented", test_known_keys_documented);
  return g_test_run ();
}
