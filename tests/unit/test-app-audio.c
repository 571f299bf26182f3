/* test-app-audio.c — reading pw-dump's list of applications that play sound
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-app-audio.h"
#include "cb-engine-error.h"

/* Trimmed from pw-dump 0.3.65: the daemon, a sink, two playback streams (one of them
 * ours, pid 4242), a capture stream, a stream named by its node only, and a serial
 * written as a string. */
static const char dump[] =
  "[\n"
  "  { \"id\": 0, \"type\": \"PipeWire:Interface:Core\", \"info\": { \"props\": {} } },\n"
  "  { \"id\": 26, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"object.serial\": 57, \"node.name\": \"cb-test-sink\", \"media.class\": \"Audio/Sink\" } } },\n"
  "  { \"id\": 36, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"object.serial\": 63, \"application.name\": \"Firefox\", \"media.name\": \"A video\",\n"
  "      \"application.process.id\": 1234, \"node.name\": \"Firefox\",\n"
  "      \"media.class\": \"Stream/Output/Audio\" } } },\n"
  "  { \"id\": 37, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"object.serial\": 64, \"application.name\": \"Castbridge\", \"application.process.id\": 4242,\n"
  "      \"media.class\": \"Stream/Output/Audio\" } } },\n"
  "  { \"id\": 38, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"object.serial\": 65, \"application.name\": \"OBS\", \"media.class\": \"Stream/Input/Audio\" } } },\n"
  "  { \"id\": 39, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"object.serial\": \"66\", \"node.name\": \"mpv\", \"media.class\": \"Stream/Output/Audio\" } } },\n"
  "  { \"id\": 40, \"type\": \"PipeWire:Interface:Node\", \"info\": { \"props\": {\n"
  "      \"node.name\": \"no-serial\", \"media.class\": \"Stream/Output/Audio\" } } },\n"
  "  { \"id\": 41, \"type\": \"PipeWire:Interface:Node\", \"info\": null },\n"
  "  42\n"
  "]\n";

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = cb_app_audio_parse_dump (dump, 4242, &error);
  CbAppAudio *app;

  g_assert_no_error (error);
  g_assert_nonnull (apps);
  g_assert_cmpuint (apps->len, ==, 2);
  app = g_ptr_array_index (apps, 0);
  g_assert_cmpstr (app->name, ==, "Firefox");
  g_assert_cmpstr (app->media_name, ==, "A video");
  g_assert_cmpuint (app->serial, ==, 63);
  app = g_ptr_array_index (apps, 1);
  g_assert_cmpstr (app->name, ==, "mpv");
  g_assert_cmpstr (app->media_name, ==, "");
  g_assert_cmpuint (app->serial, ==, 66);
}

/* By name, by serial, or both: what the program's watch asks of each listing. */
static void
test_find (void)
{
  g_autoptr(GPtrArray) apps = cb_app_audio_parse_dump (dump, 0, NULL);

  g_assert_cmpuint (cb_app_audio_find (apps, "Firefox", 0)->serial, ==, 63);
  g_assert_cmpstr (cb_app_audio_find (apps, NULL, 66)->name, ==, "mpv");
  g_assert_cmpstr (cb_app_audio_find (apps, "Castbridge", 64)->name, ==, "Castbridge");
  g_assert_null (cb_app_audio_find (apps, "Firefox", 66));
  g_assert_null (cb_app_audio_find (apps, "Spotify", 0));
  g_assert_null (cb_app_audio_find (apps, NULL, 65));   /* a capture stream: not listed */
}

static void
test_own_streams_kept_without_pid (void)
{
  g_autoptr(GPtrArray) apps = cb_app_audio_parse_dump (dump, 0, NULL);

  g_assert_cmpuint (apps->len, ==, 3);
}

static void
test_not_a_dump (void)
{
  const char *bad[] = { "", "{}", "[", "not json", "{\"type\": \"PipeWire:Interface:Node\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) apps = cb_app_audio_parse_dump (bad[i], 0, &error);

      g_assert_null (apps);
      g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app-audio/parse", test_parse);
  g_test_add_func ("/app-audio/own-streams-kept-without-pid", test_own_streams_kept_without_pid);
  g_test_add_func ("/app-audio/find", test_find);
  g_test_add_func ("/app-audio/not-a-dump", test_not_a_dump);
  return g_test_run ();
}
