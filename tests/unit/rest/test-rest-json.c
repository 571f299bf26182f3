/* test-rest-json.c — the stream object and error bodies as REST sends them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rest-json.h"

static void
fill_info (CbStreamInfo *info)
{
  memset (info, 0, sizeof *info);
  info->name = (char *) "cam1";
  info->media_session_id = (char *) "6d1f6a7e-0000-4000-8000-000000000001";
  info->status = CB_STREAM_PUBLISHING;
  info->info = NULL;
  info->published = TRUE;
  info->media_provider = (char *) "Local";
  info->source = (char *) "test";
  info->create_date = G_GINT64_CONSTANT (1700000000123);
  info->media.has_video = TRUE;
  info->media.has_audio = TRUE;
  info->media.video_codec = (char *) "H264";
  info->media.width = 1280;
  info->media.height = 720;
  info->media.fps = 29.97;
  info->media.bitrate = 2500;
  info->media.audio_codec = (char *) "opus";
  info->media.audio_rate = 48000;
  info->media.audio_channels = 2;
  info->n_consumers = 3;
}

static JsonObject *
parse_object (JsonNode *node)
{
  /* Round-trip through text: what a client sees. */
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = cb_rest_json_to_string (node, NULL);

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_int_member (JsonObject *object,
                   const char *name,
                   gint64      value)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, value);
}

static void
test_json_stream (void)
{
  CbStreamInfo info;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) object = NULL;

  fill_info (&info);
  node = cb_rest_json_stream (&info);
  object = parse_object (node);

  g_assert_cmpstr (json_object_get_string_member (object, "mediaSessionId"), ==,
                   "6d1f6a7e-0000-4000-8000-000000000001");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "cam1");
  g_assert_true (json_object_get_boolean_member (object, "published"));
  g_assert_true (json_object_get_boolean_member (object, "hasVideo"));
  g_assert_true (json_object_get_boolean_member (object, "hasAudio"));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "PUBLISHING");
  g_assert_cmpstr (json_object_get_string_member (object, "info"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (object, "videoCodec"), ==, "H264");
  g_assert_cmpstr (json_object_get_string_member (object, "audioCodec"), ==, "opus");
  assert_int_member (object, "width", 1280);
  assert_int_member (object, "height", 720);
  assert_int_member (object, "fps", 30);
  assert_int_member (object, "bitrate", 2500);
  assert_int_member (object, "createDate", G_GINT64_CONSTANT (1700000000123));
  g_assert_cmpstr (json_object_get_string_member (object, "mediaProvider"), ==, "Local");
  g_assert_cmpstr (json_object_get_string_member (object, "source"), ==, "test");
  assert_int_member (object, "audioRate", 48000);
  assert_int_member (object, "audioChannels", 2);
  assert_int_member (object, "consumers", 3);
  assert_int_member (object, "renditions", 0);
  /* WCS's record and recordName: "" when nothing was recorded. */
  g_assert_false (json_object_get_boolean_member (object, "record"));
  g_assert_cmpstr (json_object_get_string_member (object, "recordName"), ==, "");
  g_assert_cmpuint (json_object_get_size (object), ==, 22);
}

static void
test_json_stream_unknown_media (void)
{
  CbStreamInfo info;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) object = NULL;

  fill_info (&info);
  info.status = CB_STREAM_FAILED;
  info.info = (char *) "File not found";
  info.media.has_video = FALSE;
  info.media.has_audio = FALSE;
  info.media.video_codec = NULL;
  info.media.audio_codec = NULL;
  info.media.fps = 0;
  info.source = NULL;
  info.published = FALSE;

  node = cb_rest_json_stream (&info);
  object = parse_object (node);

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "FAILED");
  g_assert_cmpstr (json_object_get_string_member (object, "info"), ==, "File not found");
  g_assert_false (json_object_get_boolean_member (object, "published"));
  g_assert_true (json_object_get_null_member (object, "videoCodec"));
  g_assert_true (json_object_get_null_member (object, "audioCodec"));
  g_assert_true (json_object_get_null_member (object, "source"));
  assert_int_member (object, "fps", 0);
}

static void
test_json_error (void)
{
  g_autoptr(JsonNode) node = cb_rest_json_error (404, "No stream matches", "Stream not found");
  g_autoptr(JsonObject) object = parse_object (node);
  g_autoptr(JsonNode) plain = cb_rest_json_error (400, "Field 'name' must be a string", NULL);
  g_autoptr(JsonObject) plain_object = parse_object (plain);

  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "No stream matches");
  assert_int_member (object, "status", 404);
  g_assert_cmpstr (json_object_get_string_member (object, "info"), ==, "Stream not found");

  g_assert_cmpstr (json_object_get_string_member (plain_object, "error"), ==,
                   "Field 'name' must be a string");
  assert_int_member (plain_object, "status", 400);
  g_assert_false (json_object_has_member (plain_object, "info"));
}

static void
test_json_stream_array_empty (void)
{
  g_autoptr(GPtrArray) streams = g_ptr_array_new ();
  g_autoptr(JsonNode) node = cb_rest_json_stream_array (streams);
  g_autofree char *text = cb_rest_json_to_string (node, NULL);

  g_assert_cmpstr (text, ==, "[]");
}

/* json-glib 1.6 writes both of these as text that is not JSON ("a\x1f", "9e+61.0"). */
static void
test_json_text_is_json (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "m\x0b");
  json_builder_add_string_value (builder, "a\x1f\n\"b\\");
  json_builder_set_member_name (builder, "big");
  json_builder_add_double_value (builder, 9e61);
  json_builder_set_member_name (builder, "small");
  json_builder_add_double_value (builder, 1.1920928955078125e-07);
  json_builder_set_member_name (builder, "plain");
  json_builder_add_double_value (builder, 2.0);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  text = cb_rest_json_to_string (node, &length);
  g_assert_cmpuint (length, ==, strlen (text));
  g_assert_cmpstr (text, ==, "{\"m\\u000b\":\"a\\u001f\\n\\\"b\\\\\",\"big\":9e+61,"
                             "\"small\":1.1920928955078125e-07,\"plain\":2.0}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cb/server/json/stream", test_json_stream);
  g_test_add_func ("/cb/server/json/stream-unknown-media", test_json_stream_unknown_media);
  g_test_add_func ("/cb/server/json/error", test_json_error);
  g_test_add_func ("/cb/server/json/stream-array-empty", test_json_stream_array_empty);
  g_test_add_func ("/cb/server/json/text-is-json", test_json_text_is_json);

  return g_test_run ();
}
