/* test-rest-push.c — the WCS push verbs against a real engine, without HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cb-rest.h"
#include "cb-server.h"

typedef struct {
  CbEngine *engine;
  CbStream *stream;
  char     *media_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *wav = NULL;

  fixture->media_dir = g_dir_make_tmp ("cb-rest-push-XXXXXX", &error);
  g_assert_no_error (error);
  cb_settings_set (settings, "media_dir", fixture->media_dir, &error);
  fixture->engine = cb_engine_new (settings);
  /* A stream with no media yet: enough for the REST layer. */
  fixture->stream = cb_stream_new ("cam", "WebRTC");
  g_assert_true (cb_engine_add_stream (fixture->engine, fixture->stream, NULL, NULL, NULL, &error));
  wav = g_build_filename (fixture->media_dir, "not-a-wav.wav", NULL);
  g_assert_true (g_file_set_contents (wav, "hello", -1, &error));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *wav = g_build_filename (fixture->media_dir, "not-a-wav.wav", NULL);

  cb_engine_shutdown (fixture->engine);
  g_clear_object (&fixture->stream);
  g_clear_object (&fixture->engine);
  g_unlink (wav);
  g_rmdir (fixture->media_dir);
  g_free (fixture->media_dir);
}

typedef struct {
  gboolean  done;
  guint     status;
  JsonNode *answer;
} Reply;

static void
on_reply (guint     status,
          JsonNode *answer,
          gpointer  data)
{
  Reply *r = data;

  r->done = TRUE;
  r->status = status;
  r->answer = answer;
}

/* push/startup answers later (it resolves the host first): every verb goes the async
 * way, with a deadline. */
static guint
call (Fixture     *fixture,
      const char  *path,
      const char  *body,
      JsonNode   **out_answer)
{
  const CbRestVerb *verb = cb_rest_lookup_verb (path);
  g_autoptr(JsonNode) answer = NULL;
  Reply r = { 0 };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_nonnull (verb);
  cb_rest_call_async (fixture->engine, verb, body, body ? strlen (body) : 0, on_reply, &r);
  while (!r.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.done);
  answer = r.answer;
  if (out_answer != NULL)
    *out_answer = g_steal_pointer (&answer);
  return r.status;
}

typedef struct {
  const char *name;
  const char *path;
  const char *body;
  guint       status;
} Row;

/* One row per case: what a WCS client might send, and what it must get back. */
static const Row rows[] = {
  { "no-stream-name", "push/startup", "{\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\"}", 400 },
  { "stream-name-number", "push/startup", "{\"streamName\":5,\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\"}", 400 },
  { "no-url", "push/startup", "{\"streamName\":\"cam\"}", 400 },
  { "empty-url", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"\"}", 400 },
  { "http-url", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"http://h/live\"}", 400 },
  { "no-host", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp:///live\"}", 400 },
  { "bad-port", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://h:70000/live\"}", 400 },
  { "control-chars", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://h/li\\u0001ve\"}", 400 },
  { "unknown-stream", "push/startup", "{\"streamName\":\"nope\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\"}", 404 },
  { "negative-height", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"height\":-2}", 400 },
  { "huge-fps", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"fps\":100000}", 400 },
  { "height-string", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"height\":\"720\"}", 400 },
  { "options-array", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":[]}", 400 },
  { "unknown-action", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"x\"}}", 400 },
  { "sound-no-file", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"sound_on\"}}", 400 },
  { "sound-escapes", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"sound_on\",\"soundFile\":\"../x.wav\"}}", 400 },
  { "sound-absolute", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"sound_on\",\"soundFile\":\"/etc/passwd\"}}", 400 },
  { "sound-missing", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"sound_on\",\"soundFile\":\"no.wav\"}}", 404 },
  { "sound-not-wav", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"options\":{\"action\":\"sound_on\",\"soundFile\":\"not-a-wav.wav\"}}", 400 },
  { "malformed", "push/startup", "{\"streamName\":", 400 },
  /* RFC 6761: .invalid never resolves, with or without a network. */
  { "host-not-resolving", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://nonexistent.invalid/live\"}", 400 },
  { "keyframe-seconds-negative", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"keyframeInterval\":-1}", 400 },
  { "keyframe-seconds-string", "push/startup", "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\",\"keyframeInterval\":\"2\"}", 400 },
  { "terminate-no-id", "push/terminate", "{}", 400 },
  { "terminate-unknown", "push/terminate", "{\"mediaSessionId\":\"x\"}", 404 },
  { "mute-unknown", "push/mute", "{\"mediaSessionId\":\"x\"}", 404 },
  { "unmute-unknown", "push/unmute", "{\"mediaSessionId\":\"x\"}", 404 },
  { "sound-on-unknown", "push/sound_on", "{\"mediaSessionId\":\"x\",\"soundFile\":\"a.wav\"}", 404 },
  { "sound-on-no-file", "push/sound_on", "{\"mediaSessionId\":\"x\"}", 400 },
  { "sound-off-unknown", "push/sound_off", "{\"mediaSessionId\":\"x\"}", 404 },
  { "find-none", "push/find", "{\"streamName\":\"cam\"}", 404 },
  { "find-all-none", "push/find_all", "", 404 },
  { "retry-unknown", "castbridge/push/retry", "{\"mediaSessionId\":\"x\"}", 404 },
  { "retry-extra-field", "castbridge/push/retry", "{\"mediaSessionId\":\"x\",\"now\":true}", 400 },
};

static void
test_row (Fixture       *fixture,
          gconstpointer  data)
{
  const Row *row = data;
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpuint (call (fixture, row->path, row->body, &answer), ==, row->status);
  g_assert_nonnull (answer);   /* errors always carry a JSON body */
}

static void
test_startup_find_duplicate_terminate (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) found = NULL;
  JsonObject *t, *profile;
  g_autofree char *terminate = NULL;
  const char *body = "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://u:secret@127.0.0.1:1/live\","
                     "\"width\":1000,\"height\":720,\"fps\":30,\"keyFrameInterval\":60}";

  g_assert_cmpuint (call (fixture, "push/startup", body, &answer), ==, 200);
  t = json_node_get_object (answer);
  /* As WCS: the name on the RTMP server, and the URL as given, its user info hidden. */
  g_assert_cmpstr (json_object_get_string_member (t, "streamName"), ==, "rtmp_cam");
  g_assert_cmpstr (json_object_get_string_member (t, "localStreamName"), ==, "cam");
  g_assert_cmpstr (json_object_get_string_member (t, "rtmpUrl"), ==, "rtmp://***@127.0.0.1:1/live");
  profile = json_object_get_object_member (t, "profile");
  /* Aspect ratio kept: the width is ignored, the height switches transcoding on. */
  g_assert_cmpint (json_object_get_int_member (profile, "width"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (profile, "height"), ==, 720);
  g_assert_cmpint (json_object_get_int_member (profile, "keyFrameInterval"), ==, 60);

  /* Same stream, same destination: 409. Another destination is fine. */
  g_assert_cmpuint (call (fixture, "push/startup", body, NULL), ==, 409);
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:2/live\"}", NULL), ==, 200);

  g_assert_cmpuint (call (fixture, "push/find", "{\"streamName\":\"cam\"}", &found), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 2);
  g_clear_pointer (&found, json_node_unref);
  /* What the answer showed finds the transponder it came from. */
  g_assert_cmpuint (call (fixture, "push/find",
                          "{\"streamName\":\"rtmp_cam\",\"rtmpUrl\":\"rtmp://***@127.0.0.1:1/live\"}",
                          &found), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);

  terminate = g_strdup_printf ("{\"mediaSessionId\":\"%s\"}",
                               json_object_get_string_member (t, "mediaSessionId"));
  g_assert_cmpuint (call (fixture, "push/mute", terminate, NULL), ==, 200);
  g_assert_cmpuint (call (fixture, "push/terminate", terminate, NULL), ==, 200);
  g_assert_cmpuint (call (fixture, "push/terminate", terminate, NULL), ==, 404);
}

static void
test_width_counts_without_aspect (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *profile;

  cb_settings_set (cb_engine_get_settings (fixture->engine), "transcoding_keep_aspect", "false", &error);
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live\","
                          "\"width\":1000,\"height\":720}", &answer), ==, 200);
  profile = json_object_get_object_member (json_node_get_object (answer), "profile");
  g_assert_cmpint (json_object_get_int_member (profile, "width"), ==, 1000);
  g_clear_pointer (&answer, json_node_unref);
  /* A width alone never switches transcoding on. */
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:3/live\","
                          "\"width\":1000}", &answer), ==, 200);
  profile = json_object_get_object_member (json_node_get_object (answer), "profile");
  g_assert_cmpint (json_object_get_int_member (profile, "width"), ==, 0);
  g_clear_pointer (&answer, json_node_unref);
  /* Numbers beyond any integer are refused as out of range, not cast (undefined). */
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:4/live\","
                          "\"height\":1e300}", NULL), ==, 400);
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:4/live\","
                          "\"bitrate\":-1e300}", NULL), ==, 400);
}

static void
test_full_url_duplicate (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *body = "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live/key1\","
                     "\"rtmpTransponderFullUrl\":true}";

  /* The duplicate check reads the URL the way the first push did (full-URL mode), not
   * the way the global setting would. */
  g_assert_cmpuint (call (fixture, "push/startup", body, NULL), ==, 200);
  g_assert_cmpuint (call (fixture, "push/startup", body, NULL), ==, 409);
  g_assert_cmpuint (call (fixture, "push/startup",
                          "{\"streamName\":\"cam\",\"rtmpUrl\":\"rtmp://127.0.0.1:1/live/key2\","
                          "\"rtmpTransponderFullUrl\":true}", NULL), ==, 200);
}

/* Voximplant's applicationName with a URL that has no application part. */
static void
test_url_with_application (void)
{
  static const struct {
    const char *url, *app;
    gboolean    full_url;
    const char *expected;
  } cases[] = {
    { "rtmp://a.rtmp.youtube.com/", "live2", FALSE, "rtmp://a.rtmp.youtube.com/live2" },
    { "rtmp://a.rtmp.youtube.com", "live2", FALSE, "rtmp://a.rtmp.youtube.com/live2" },
    { "rtmp://h:1935/?token=x", "live2", FALSE, "rtmp://h:1935/live2?token=x" },
    { "rtmp://h/key", "live2", TRUE, "rtmp://h/live2/key" },
    { "rtmp://h/app/key", "live2", TRUE, "rtmp://h/app/key" },   /* replaced on connect */
    { "rtmp://h/app", "live2", FALSE, "rtmp://h/app" },
    { "rtmp://h/", NULL, FALSE, "rtmp://h/" },
    { "rtmp://h/", "", FALSE, "rtmp://h/" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = cb_push_url_with_application (cases[i].url, cases[i].app,
                                                           cases[i].full_url);

      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/server/push/case/%s", rows[i].name);
      g_test_add (path, Fixture, &rows[i], fixture_set_up, test_row, fixture_tear_down);
    }
  g_test_add ("/cb/server/push/startup-find-duplicate-terminate", Fixture, NULL, fixture_set_up,
              test_startup_find_duplicate_terminate, fixture_tear_down);
  g_test_add ("/cb/server/push/full-url-duplicate", Fixture, NULL, fixture_set_up,
              test_full_url_duplicate, fixture_tear_down);
  g_test_add ("/cb/server/push/width-counts-without-aspect", Fixture, NULL, fixture_set_up,
              test_width_counts_without_aspect, fixture_tear_down);
  g_test_add_func ("/cb/server/push/url-with-application", test_url_with_application);
  return g_test_run ();
}
