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
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
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
      while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
        ;
      g_assert_finalize_object (g_steal_pointer (&s));
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
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
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
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&reread));
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

/* The validation table the preferences window shares: one row per case, checked both
 * through cb_settings_check() (what the window shows next to a field) and
 * cb_settings_set() (what the engine accepts from a file or -o). */
typedef struct {
  const char *key;
  const char *value;
  gboolean    ok;
} RuleCase;

static const RuleCase rule_cases[] = {
  { "capture_width", "1920", TRUE },
  { "capture_width", "15", FALSE },
  { "capture_width", "7681", FALSE },
  { "capture_width", "wide", FALSE },
  { "capture_fps", "0", FALSE },
  { "capture_fps", "60", TRUE },
  { "capture_bitrate", "49", FALSE },
  { "capture_keyframe_interval", "21", FALSE },
  { "capture_encoder", "x264", TRUE },
  { "capture_encoder", "nvh264enc", TRUE },
  { "capture_encoder", "ffmpeg", FALSE },
  { "capture_x264_preset", "medium", TRUE },
  { "capture_x264_preset", "placebo", FALSE },
  { "audio_sample_rate", "44100", TRUE },
  { "audio_sample_rate", "8000", FALSE },
  { "http.port", "0", TRUE },
  { "http.port", "65536", FALSE },
  { "media_port_from", "80", FALSE },
  { "bind_address", "127.0.0.1", TRUE },
  { "bind_address", "::", TRUE },
  { "bind_address", "localhost", FALSE },
  { "bind_address", "", FALSE },
  { "rest_allowed_origins", "", TRUE },
  { "rest_allowed_origins", "https://studio.example:8443, http://localhost", TRUE },
  { "rest_allowed_origins", "studio.example", FALSE },
  { "rest_allowed_origins", "ftp://studio.example", FALSE },
  { "rest_allowed_origins", "https://studio.example/page", FALSE },
  { "rtmp_publish_keys", "live:abc,studio:def", TRUE },
  { "rtmp_publish_keys", "live", FALSE },
  { "rtmp_publish_keys", "live:", FALSE },
  { "record_rotation", "", TRUE },
  { "record_rotation", "600", TRUE },
  { "record_rotation", "100M", TRUE },
  { "record_rotation", "+5", FALSE },
  { "record_formats", "h264-mp4", TRUE },
  { "record_formats", "h264-mkv", FALSE },
  { "record_max_age_days", "-1", FALSE },
  { "rtmp_push_restore_attempts", "-1", TRUE },
  { "rtmp_push_restore_attempts", "-2", FALSE },
  { "rtmp_push_restore_interval_ms", "10", FALSE },
  { "no.such.key", "anything", TRUE },
};

static void
test_rule_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      const RuleCase *c = &rule_cases[i];
      g_autoptr(CbSettings) s = cb_settings_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) set_error = NULL;
      gboolean ok = cb_settings_check (c->key, c->value, &error);

      g_test_message ("case %u: %s=%s", i, c->key, c->value);
      g_assert_cmpint (ok, ==, c->ok);
      g_assert_cmpint (cb_settings_set (s, c->key, c->value, &set_error), ==, c->ok);
      if (!ok)
        {
          g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
          g_assert_error (set_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, set_error->message);
        }
      else
        g_assert_cmpstr (cb_settings_get_string (s, c->key), ==, c->value);
    }

  /* A bad publish key list never echoes the keys. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (cb_settings_check ("rtmp_publish_keys", "live:s3cret,oops", &error));
    g_assert_null (strstr (error->message, "s3cret"));
    g_assert_null (strstr (error->message, "oops"));
  }

  /* Every rule names a known key; the defaults pass their own rules. */
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      const CbSettingRule *rule = cb_settings_lookup_rule (rule_cases[i].key);
      const CbSettingInfo *info = cb_settings_lookup_info (rule_cases[i].key);

      if (rule == NULL)
        continue;
      g_assert_nonnull (info);
      if (!g_str_equal (info->key, "bind_address") || *info->default_value != '\0')
        g_assert_true (cb_settings_check (info->key, info->default_value, NULL));
    }
  g_assert_true (cb_settings_needs_restart ("http.port"));
  g_assert_false (cb_settings_needs_restart ("capture_width"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/settings/defaults", test_defaults);
  g_test_add_func ("/cb/settings/rule-table", test_rule_table);
  g_test_add_func ("/cb/settings/parse-table", test_parse_table);
  g_test_add_func ("/cb/settings/nul-and-truncated", test_nul_and_truncated);
  g_test_add_func ("/cb/settings/override-and-file", test_override_and_file);
  g_test_add_func ("/cb/settings/known-keys-documented", test_known_keys_documented);
  return g_test_run ();
}
