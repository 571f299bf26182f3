/* test-scene.c — scenes kept between runs: the JSON round trip, damaged files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-error.h"
#include "cb-scene.h"

static void
assert_sources_equal (const CbSceneSource *a,
                      const CbSceneSource *b)
{
  g_assert_cmpuint (a->id, ==, b->id);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->location, ==, b->location);
  g_assert_cmpfloat_with_epsilon (a->x, b->x, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->y, b->y, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->width, b->width, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->height, b->height, 1e-9);
  g_assert_cmpint (a->visible, ==, b->visible);
  g_assert_cmpint (a->loop, ==, b->loop);
  g_assert_cmpuint (a->crop_left, ==, b->crop_left);
  g_assert_cmpuint (a->crop_top, ==, b->crop_top);
  g_assert_cmpuint (a->crop_right, ==, b->crop_right);
  g_assert_cmpuint (a->crop_bottom, ==, b->crop_bottom);
  if (a->kind == CB_SCENE_SOURCE_TEXT)
    {
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_cmpstr (a->font, ==, b->font);
      g_assert_cmphex (a->color, ==, b->color);
    }
  g_assert_cmpstr (a->window_class, ==, b->window_class);
  g_assert_cmpint (a->cursor, ==, b->cursor);
  if (cb_scene_source_kind_is_audio (a->kind))
    {
      g_assert_cmpfloat_with_epsilon (a->volume, b->volume, 1e-9);
      g_assert_cmpint (a->muted, ==, b->muted);
      g_assert_cmpint (a->monitor, ==, b->monitor);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new_default ();
  g_autoptr(CbSceneCollection) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  CbScene *pip = cb_scene_new ("Screen + camera «ПиП»");
  CbSceneSource *s;

  g_ptr_array_add (pip->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_SCREEN, "Screen", ""));
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_CAMERA, "Camera", "/dev/video0");
  s->x = 0.7;
  s->y = 0.7;
  s->width = 0.25;
  s->height = 0.25;
  s->crop_left = 80;
  s->crop_top = 1;
  s->crop_right = 0;
  s->crop_bottom = 7680;
  g_ptr_array_add (pip->sources, s);
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_TEXT, "Title", "");
  g_free (s->text);
  s->text = g_strdup ("Привет, \"мир\"\n");
  s->color = 0x80ff0000;
  s->visible = FALSE;
  g_ptr_array_add (pip->sources, s);
  g_ptr_array_add (pip->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_IMAGE, "Logo",
                                                      "/tmp/logo.png"));
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_MEDIA, "Intro", "/tmp/intro.mp4");
  s->loop = TRUE;
  g_ptr_array_add (pip->sources, s);
  g_ptr_array_add (pip->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_MEDIA, "Outro",
                                                      "/tmp/outro.mp4"));
  /* A window is found again by its title and class; a portal source keeps its token. */
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_WINDOW, "Терминал", "user@host: ~");
  g_free (s->window_class);
  s->window_class = g_strdup ("XTerm");
  s->cursor = FALSE;
  g_ptr_array_add (pip->sources, s);
  g_ptr_array_add (pip->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_PORTAL, "Portal",
                                                      "8f1c2c3e-restore-token"));
  g_ptr_array_add (c->scenes, pip);
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_MIC, "Mic", "");
  s->volume = 0.5;
  s->muted = TRUE;
  s->monitor = TRUE;
  g_ptr_array_add (c->audio, s);
  c->active = 1;

  json = cb_scene_collection_to_json (c);
  back = cb_scene_collection_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpuint (back->active, ==, 1);
  g_assert_cmpuint (back->scenes->len, ==, c->scenes->len);
  g_assert_cmpuint (back->audio->len, ==, c->audio->len);
  for (guint i = 0; i < c->scenes->len; i++)
    {
      CbScene *a = g_ptr_array_index (c->scenes, i);
      CbScene *b = g_ptr_array_index (back->scenes, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpuint (a->sources->len, ==, b->sources->len);
      for (guint j = 0; j < a->sources->len; j++)
        assert_sources_equal (g_ptr_array_index (a->sources, j), g_ptr_array_index (b->sources, j));
    }
  for (guint i = 0; i < c->audio->len; i++)
    assert_sources_equal (g_ptr_array_index (c->audio, i), g_ptr_array_index (back->audio, i));

  /* New sources after a reload do not reuse an id. */
  s = cb_scene_source_new (back, CB_SCENE_SOURCE_PATTERN, NULL, NULL);
  g_assert_null (cb_scene_collection_find_source (back, s->id));
  cb_scene_source_free (s);

  again = cb_scene_collection_to_json (back);
  g_assert_cmpstr (again, ==, json);
}

typedef struct {
  const char *json;
  gboolean    ok;
} LoadCase;

static const LoadCase load_cases[] = {
  { "", FALSE },
  { "[]", FALSE },
  { "{}", FALSE },
  { "{\"scenes\": []}", FALSE },
  { "{\"scenes\": [1]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\"}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"nope\"}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": []}], \"audio\": [{\"kind\": \"image\"}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": []}]}", TRUE },
  /* Values out of range are clamped, wrong types take defaults, the active index stays in. */
  { "{\"active\": 99, \"scenes\": [{\"name\": 5, \"sources\": [{\"kind\": \"text\", \"x\": 1e308, "
    "\"width\": -3, \"visible\": \"yes\", \"color\": \"#zz\", \"id\": -1}, "
    "{\"kind\": \"pattern\", \"id\": 1}, {\"kind\": \"pattern\", \"id\": 1}]}]}", TRUE },
  /* A crop is four whole pixel counts, none negative or beyond 7680. */
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": [1, 2, 3]}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": [1, 2, 3, -4]}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": [1, 2, 3, 7681]}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": [1, 2.5, 3, 4]}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": \"1\"}]}]}", FALSE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": [{\"kind\": \"image\", \"crop\": [0, 10, 0, 7680]}]}]}", TRUE },
  { "{\"scenes\": [{\"name\": \"a\", \"sources\": []}]}\0garbage", FALSE },
};

static void
test_load_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (load_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CbSceneCollection) c = NULL;
      gssize length = -1;

      g_test_message ("case %u", i);
      if (i == G_N_ELEMENTS (load_cases) - 1)
        length = sizeof "{\"scenes\": [{\"name\": \"a\", \"sources\": []}]}\0garbage" - 1;
      c = cb_scene_collection_from_json (load_cases[i].json, length, &error);
      g_assert_cmpint (c != NULL, ==, load_cases[i].ok);
      if (c == NULL)
        g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
      else
        {
          CbScene *scene = g_ptr_array_index (c->scenes, 0);

          g_assert_cmpuint (c->active, <, c->scenes->len);
          for (guint j = 0; j < scene->sources->len; j++)
            {
              CbSceneSource *s = g_ptr_array_index (scene->sources, j);

              g_assert_cmpuint (s->id, >, 0);
              g_assert_true (s->x >= -1 && s->x <= 2);
              g_assert_true (s->width > 0);
              for (guint k = 0; k < j; k++)
                g_assert_cmpuint (s->id, !=, ((CbSceneSource *) g_ptr_array_index (scene->sources, k))->id);
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/scene/round-trip", test_round_trip);
  g_test_add_func ("/cb/scene/load-table", test_load_table);
  return g_test_run ();
}
