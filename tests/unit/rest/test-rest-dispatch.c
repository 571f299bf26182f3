/* test-rest-dispatch.c — REST verbs run against a real engine, without HTTP
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cb-rest.h"
#include "cb-server.h"

typedef struct {
  CbEngine *engine;
  char     *media_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;

  fixture->media_dir = g_dir_make_tmp ("cb-rest-test-XXXXXX", &error);
  g_assert_no_error (error);
  cb_settings_set (settings, "media_dir", fixture->media_dir, &error);
  g_assert_no_error (error);
  fixture->engine = cb_engine_new (settings);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  cb_engine_shutdown (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_rmdir (fixture->media_dir);
  g_free (fixture->media_dir);
}

/* Runs @path with @body; returns the status and, in *@object, the answer if it is an
 * object. */
static guint
call (Fixture     *fixture,
      const char  *path,
      const char  *body,
      JsonNode   **out_answer)
{
  const CbRestVerb *verb = cb_rest_lookup_verb (path);
  g_autoptr(JsonNode) answer = NULL;
  guint status;

  g_assert_nonnull (verb);
  status = cb_rest_call (fixture->engine, verb, body, body != NULL ? strlen (body) : 0, &answer);
  if (out_answer != NULL)
    *out_answer = g_steal_pointer (&answer);
  return status;
}

static void
assert_error_answer (JsonNode   *answer,
                     guint       status,
                     const char *mentions,
                     const char *info)
{
  JsonObject *object;

  g_assert_nonnull (answer);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer));
  object = json_node_get_object (answer);
  g_assert_cmpint (json_object_get_int_member (object, "status"), ==, status);
  if (mentions != NULL)
    g_assert_nonnull (strstr (json_object_get_string_member (object, "error"), mentions));
  if (info != NULL)
    g_assert_cmpstr (json_object_get_string_member (object, "info"), ==, info);
}

static void
test_dispatch_verb_table (void)
{
  guint n_verbs;
  const CbRestVerb *verbs = cb_rest_get_verbs (&n_verbs);

  g_assert_cmpuint (n_verbs, >=, 5);
  for (guint i = 0; i < n_verbs; i++)
    {
      g_assert_true (cb_rest_lookup_verb (verbs[i].path) == &verbs[i]);
      /* Exactly one way to answer: now, or later. */
      g_assert_true ((verbs[i].handler != NULL) != (verbs[i].async_handler != NULL));
      g_assert_nonnull (verbs[i].schema.fields);
      for (const CbRestField *a = verbs[i].schema.fields; a->name != NULL; a++)
        for (const CbRestField *b = a + 1; b->name != NULL; b++)
          g_assert_cmpstr (a->name, !=, b->name);
    }

  g_assert_nonnull (cb_rest_lookup_verb ("stream/find_all"));
  g_assert_nonnull (cb_rest_lookup_verb ("castbridge/source/publish"));
  g_assert_null (cb_rest_lookup_verb ("stream/find_all/"));
  g_assert_null (cb_rest_lookup_verb ("Stream/Find_All"));
  g_assert_null (cb_rest_lookup_verb (""));
  g_assert_null (cb_rest_lookup_verb (NULL));
}

static void
test_dispatch_empty_registry (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;

  g_assert_cmpuint (call (fixture, "stream/find_all", "", &answer), ==, 404);
  assert_error_answer (answer, 404, NULL, "Stream not found");
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "stream/find", "{\"name\":\"x\"}", &answer), ==, 404);
  assert_error_answer (answer, 404, NULL, "Stream not found");
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "stream/terminate", "{\"mediaSessionId\":\"x\"}", &answer),
                    ==, 404);
  assert_error_answer (answer, 404, NULL, "Stream not found");
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "castbridge/source/unpublish", "{\"name\":\"x\"}", &answer),
                    ==, 404);
  assert_error_answer (answer, 404, NULL, "Stream not found");
}

static void
test_dispatch_bad_requests (Fixture       *fixture,
                            gconstpointer  data)
{
  static const struct { const char *path; const char *body; const char *mentions; } rows[] = {
    { "stream/find", "{\"status\":\"DANCING\"}", "'status'" },
    { "stream/find", "{\"published\":1}", "'published'" },
    { "stream/terminate", "{}", "'mediaSessionId'" },
    { "castbridge/source/publish", "{\"name\":\"a\"}", "'source'" },
    { "castbridge/source/publish", "{\"name\":\"a\",\"source\":\"test\",\"x\":1}", "'x'" },
    { "castbridge/source/publish", "{\"name\":\"\",\"source\":\"test\"}", NULL },
    { "castbridge/source/publish", "{\"name\":\"a\",\"source\":\"no-such-kind\"}", NULL },
    { "castbridge/source/unpublish", "[]", "object" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(JsonNode) answer = NULL;

      g_test_message ("%s %s", rows[i].path, rows[i].body);
      g_assert_cmpuint (call (fixture, rows[i].path, rows[i].body, &answer), ==, 400);
      assert_error_answer (answer, 400, rows[i].mentions, NULL);
    }
}

static void
test_dispatch_publish (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *stream;
  g_autofree char *session_id = NULL;
  g_autofree char *body = NULL;

  g_assert_cmpuint (call (fixture, "castbridge/source/publish",
                          "{\"name\":\"d1\",\"source\":\"test\"}", &answer), ==, 200);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer));
  stream = json_node_get_object (answer);
  g_assert_cmpstr (json_object_get_string_member (stream, "name"), ==, "d1");
  g_assert_cmpstr (json_object_get_string_member (stream, "source"), ==, "test");
  session_id = g_strdup (json_object_get_string_member (stream, "mediaSessionId"));
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "castbridge/source/publish",
                          "{\"name\":\"d1\",\"source\":\"test\"}", &answer), ==, 409);
  assert_error_answer (answer, 409, NULL, "Stream name is already in use");
  g_clear_pointer (&answer, json_node_unref);

  body = g_strdup_printf ("{\"mediaSessionId\":\"%s\"}", session_id);
  g_assert_cmpuint (call (fixture, "stream/find", body, &answer), ==, 200);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answer));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (answer)), ==, 1);
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "stream/find_all", NULL, &answer), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (answer)), ==, 1);
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (call (fixture, "castbridge/source/unpublish", "{\"name\":\"d1\"}", &answer),
                    ==, 200);
  g_assert_null (answer);

  g_assert_cmpuint (call (fixture, "stream/find_all", NULL, &answer), ==, 404);
}

static void
test_dispatch_health (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) health = cb_rest_health (fixture->engine);
  JsonObject *object = json_node_get_object (health);

  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (object, "uptime"), >=, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/cb/server/dispatch/verb-table", test_dispatch_verb_table);
  g_test_add ("/cb/server/dispatch/empty-registry", Fixture, NULL,
              fixture_set_up, test_dispatch_empty_registry, fixture_tear_down);
  g_test_add ("/cb/server/dispatch/bad-requests", Fixture, NULL,
              fixture_set_up, test_dispatch_bad_requests, fixture_tear_down);
  g_test_add ("/cb/server/dispatch/publish", Fixture, NULL,
              fixture_set_up, test_dispatch_publish, fixture_tear_down);
  g_test_add ("/cb/server/dispatch/health", Fixture, NULL,
              fixture_set_up, test_dispatch_health, fixture_tear_down);

  return g_test_run ();
}
