/* cb-scene.c — the scene model and its JSON form
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain data: the program (cb-program.c) builds its pipeline from it, the GUI edits it,
 * the user's configuration folder keeps it. Everything read back from a file is checked
 * and clamped here, so nothing downstream trusts the file.
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cb-engine-error.h"
#include "cb-scene.h"

#define MAX_SCENES  64
#define MAX_SOURCES 64
#define MAX_TEXT    4096

static const char * const kind_names[CB_SCENE_SOURCE_N_KINDS] = {
  [CB_SCENE_SOURCE_PATTERN] = "pattern",
  [CB_SCENE_SOURCE_IMAGE] = "image",
  [CB_SCENE_SOURCE_TEXT] = "text",
  [CB_SCENE_SOURCE_MEDIA] = "media",
  [CB_SCENE_SOURCE_CAMERA] = "camera",
  [CB_SCENE_SOURCE_SCREEN] = "screen",
  [CB_SCENE_SOURCE_TONE] = "tone",
  [CB_SCENE_SOURCE_MIC] = "mic",
  [CB_SCENE_SOURCE_DESKTOP] = "desktop",
  [CB_SCENE_SOURCE_WINDOW] = "window",
  [CB_SCENE_SOURCE_PORTAL] = "portal",
  [CB_SCENE_SOURCE_APP_AUDIO] = "app-audio",
};

const char *
cb_scene_source_kind_to_string (CbSceneSourceKind kind)
{
  g_return_val_if_fail (kind < CB_SCENE_SOURCE_N_KINDS, NULL);
  return kind_names[kind];
}

gboolean
cb_scene_source_kind_from_string (const char        *text,
                                  CbSceneSourceKind *kind)
{
  for (guint i = 0; i < CB_SCENE_SOURCE_N_KINDS; i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
cb_scene_source_kind_is_audio (CbSceneSourceKind kind)
{
  return kind == CB_SCENE_SOURCE_TONE || kind == CB_SCENE_SOURCE_MIC ||
         kind == CB_SCENE_SOURCE_DESKTOP || kind == CB_SCENE_SOURCE_APP_AUDIO;
}

gboolean
cb_scene_source_kind_is_capture (CbSceneSourceKind kind)
{
  return kind == CB_SCENE_SOURCE_SCREEN || kind == CB_SCENE_SOURCE_WINDOW ||
         kind == CB_SCENE_SOURCE_PORTAL;
}

CbSceneSource *
cb_scene_source_new (CbSceneCollection *collection,
                     CbSceneSourceKind  kind,
                     const char        *name,
                     const char        *location)
{
  CbSceneSource *source = g_new0 (CbSceneSource, 1);

  g_return_val_if_fail (kind < CB_SCENE_SOURCE_N_KINDS, NULL);

  source->id = collection != NULL ? ++collection->next_id : 0;
  source->kind = kind;
  source->name = g_strdup (name != NULL ? name : kind_names[kind]);
  source->location = g_strdup (location != NULL ? location : "");
  source->text = g_strdup (kind == CB_SCENE_SOURCE_TEXT ? "Castbridge" : "");
  source->font = g_strdup ("Sans Bold 48");
  source->color = 0xffffffff;
  source->window_class = g_strdup ("");
  source->cursor = TRUE;
  source->x = 0;
  source->y = 0;
  source->width = 1;
  source->height = 1;
  source->visible = TRUE;
  source->volume = 1;
  return source;
}

CbSceneSource *
cb_scene_source_copy (const CbSceneSource *source)
{
  CbSceneSource *copy = g_memdup2 (source, sizeof *source);

  copy->name = g_strdup (source->name);
  copy->location = g_strdup (source->location);
  copy->text = g_strdup (source->text);
  copy->font = g_strdup (source->font);
  copy->window_class = g_strdup (source->window_class);
  return copy;
}

void
cb_scene_source_free (CbSceneSource *source)
{
  if (source == NULL)
    return;
  g_free (source->name);
  g_free (source->location);
  g_free (source->text);
  g_free (source->font);
  g_free (source->window_class);
  g_free (source);
}

CbScene *
cb_scene_new (const char *name)
{
  CbScene *scene = g_new0 (CbScene, 1);

  scene->name = g_strdup (name);
  scene->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_scene_source_free);
  return scene;
}

void
cb_scene_free (CbScene *scene)
{
  if (scene == NULL)
    return;
  g_free (scene->name);
  g_ptr_array_unref (scene->sources);
  g_free (scene);
}

CbSceneSource *
cb_scene_find_source (CbScene *scene,
                      guint    id)
{
  for (guint i = 0; i < scene->sources->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i);
      if (s->id == id)
        return s;
    }
  return NULL;
}

CbSceneCollection *
cb_scene_collection_new (void)
{
  CbSceneCollection *c = g_new0 (CbSceneCollection, 1);

  c->scenes = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_scene_free);
  c->audio = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_scene_source_free);
  return c;
}

CbSceneCollection *
cb_scene_collection_new_default (void)
{
  CbSceneCollection *c = cb_scene_collection_new ();
  CbScene *scene = cb_scene_new ("Scene 1");

  g_ptr_array_add (scene->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_PATTERN,
                                                        "Test pattern", ""));
  g_ptr_array_add (c->scenes, scene);
  g_ptr_array_add (c->audio, cb_scene_source_new (c, CB_SCENE_SOURCE_TONE, "Test tone", ""));
  return c;
}

CbSceneCollection *
cb_scene_collection_copy (const CbSceneCollection *collection)
{
  CbSceneCollection *c = cb_scene_collection_new ();

  for (guint i = 0; i < collection->scenes->len; i++)
    {
      CbScene *from = g_ptr_array_index (collection->scenes, i);
      CbScene *to = cb_scene_new (from->name);

      for (guint j = 0; j < from->sources->len; j++)
        g_ptr_array_add (to->sources, cb_scene_source_copy (g_ptr_array_index (from->sources, j)));
      g_ptr_array_add (c->scenes, to);
    }
  for (guint i = 0; i < collection->audio->len; i++)
    g_ptr_array_add (c->audio, cb_scene_source_copy (g_ptr_array_index (collection->audio, i)));
  c->active = collection->active;
  c->next_id = collection->next_id;
  return c;
}

void
cb_scene_collection_free (CbSceneCollection *collection)
{
  if (collection == NULL)
    return;
  g_ptr_array_unref (collection->scenes);
  g_ptr_array_unref (collection->audio);
  g_free (collection);
}

CbScene *
cb_scene_collection_get_active (CbSceneCollection *collection)
{
  if (collection->active >= collection->scenes->len)
    return NULL;
  return g_ptr_array_index (collection->scenes, collection->active);
}

CbSceneSource *
cb_scene_collection_find_source (CbSceneCollection *collection,
                                 guint              id)
{
  for (guint i = 0; i < collection->scenes->len; i++)
    {
      CbSceneSource *s = cb_scene_find_source (g_ptr_array_index (collection->scenes, i), id);
      if (s != NULL)
        return s;
    }
  for (guint i = 0; i < collection->audio->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (collection->audio, i);
      if (s->id == id)
        return s;
    }
  return NULL;
}

/* ---- JSON ---------------------------------------------------------------- */

static void
add_source (JsonBuilder         *b,
            const CbSceneSource *s)
{
  g_autofree char *color = g_strdup_printf ("#%08x", s->color);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, s->id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_names[s->kind]);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, s->name);
  json_builder_set_member_name (b, "location");
  json_builder_add_string_value (b, s->location);
  if (s->kind == CB_SCENE_SOURCE_TEXT)
    {
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, s->text);
      json_builder_set_member_name (b, "font");
      json_builder_add_string_value (b, s->font);
      json_builder_set_member_name (b, "color");
      json_builder_add_string_value (b, color);
    }
  if (s->kind == CB_SCENE_SOURCE_WINDOW)
    {
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, s->window_class);
    }
  if (cb_scene_source_kind_is_capture (s->kind))
    {
      json_builder_set_member_name (b, "cursor");
      json_builder_add_boolean_value (b, s->cursor);
    }
  if (cb_scene_source_kind_is_audio (s->kind))
    {
      json_builder_set_member_name (b, "volume");
      json_builder_add_double_value (b, s->volume);
      json_builder_set_member_name (b, "muted");
      json_builder_add_boolean_value (b, s->muted);
      json_builder_set_member_name (b, "monitor");
      json_builder_add_boolean_value (b, s->monitor);
    }
  else
    {
      json_builder_set_member_name (b, "x");
      json_builder_add_double_value (b, s->x);
      json_builder_set_member_name (b, "y");
      json_builder_add_double_value (b, s->y);
      json_builder_set_member_name (b, "width");
      json_builder_add_double_value (b, s->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_double_value (b, s->height);
      json_builder_set_member_name (b, "visible");
      json_builder_add_boolean_value (b, s->visible);
      if (s->kind == CB_SCENE_SOURCE_MEDIA)
        {
          json_builder_set_member_name (b, "loop");
          json_builder_add_boolean_value (b, s->loop);
        }
      if (s->crop_left != 0 || s->crop_top != 0 || s->crop_right != 0 || s->crop_bottom != 0)
        {
          json_builder_set_member_name (b, "crop");
          json_builder_begin_array (b);
          json_builder_add_int_value (b, s->crop_left);
          json_builder_add_int_value (b, s->crop_top);
          json_builder_add_int_value (b, s->crop_right);
          json_builder_add_int_value (b, s->crop_bottom);
          json_builder_end_array (b);
        }
    }
  json_builder_end_object (b);
}

char *
cb_scene_collection_to_json (const CbSceneCollection *collection)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (collection != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "active");
  json_builder_add_int_value (b, collection->active);
  json_builder_set_member_name (b, "scenes");
  json_builder_begin_array (b);
  for (guint i = 0; i < collection->scenes->len; i++)
    {
      CbScene *scene = g_ptr_array_index (collection->scenes, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, scene->name);
      json_builder_set_member_name (b, "sources");
      json_builder_begin_array (b);
      for (guint j = 0; j < scene->sources->len; j++)
        add_source (b, g_ptr_array_index (scene->sources, j));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "audio");
  json_builder_begin_array (b);
  for (guint i = 0; i < collection->audio->len; i++)
    add_source (b, g_ptr_array_index (collection->audio, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static const char *
get_string (JsonObject *o,
            const char *member,
            const char *fallback)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (n);
}

static double
get_double (JsonObject *o,
            const char *member,
            double      fallback,
            double      min,
            double      max)
{
  JsonNode *n = json_object_get_member (o, member);
  double v;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return fallback;
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    v = json_node_get_double (n);
  else if (json_node_get_value_type (n) == G_TYPE_INT64)
    v = json_node_get_int (n);
  else
    return fallback;
  if (!isfinite (v))
    return fallback;
  return CLAMP (v, min, max);
}

static gboolean
get_bool (JsonObject *o,
          const char *member,
          gboolean    fallback)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (n);
}

static char *
dup_text (const char *text)
{
  if (strlen (text) > MAX_TEXT)
    return g_utf8_substring (text, 0, MAX_TEXT / 4);
  return g_strdup (text);
}

/* "crop": [left, top, right, bottom], source pixels; absent is none. */
static gboolean
read_crop (JsonObject    *o,
           CbSceneSource *s)
{
  JsonNode *n = json_object_get_member (o, "crop");
  JsonArray *a;
  guint *edges[] = { &s->crop_left, &s->crop_top, &s->crop_right, &s->crop_bottom };

  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (a = json_node_get_array (n)) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      JsonNode *e = json_array_get_element (a, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 ||
          json_node_get_int (e) < 0 || json_node_get_int (e) > CB_SCENE_MAX_CROP)
        return FALSE;
      *edges[i] = (guint) json_node_get_int (e);
    }
  return TRUE;
}

static CbSceneSource *
read_source (CbSceneCollection *c,
             CbScene           *pending,
             JsonNode          *node,
             GError           **error)
{
  JsonObject *o;
  CbSceneSourceKind kind;
  CbSceneSource *s;
  const char *color;
  double id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  o = json_node_get_object (node);
  if (!cb_scene_source_kind_from_string (get_string (o, "kind", NULL), &kind))
    goto bad;

  s = cb_scene_source_new (NULL, kind, get_string (o, "name", NULL),
                           get_string (o, "location", ""));
  id = get_double (o, "id", 0, 0, G_MAXUINT32);
  s->id = (guint) id;
  if (s->id == 0 || cb_scene_collection_find_source (c, s->id) != NULL ||
      (pending != NULL && cb_scene_find_source (pending, s->id) != NULL))
    s->id = ++c->next_id;
  c->next_id = MAX (c->next_id, s->id);
  if (strlen (s->name) > MAX_TEXT || strlen (s->location) > MAX_TEXT)
    {
      cb_scene_source_free (s);
      goto bad;
    }
  g_free (s->text);
  s->text = dup_text (get_string (o, "text", kind == CB_SCENE_SOURCE_TEXT ? "Castbridge" : ""));
  g_free (s->font);
  s->font = dup_text (get_string (o, "font", "Sans Bold 48"));
  g_free (s->window_class);
  s->window_class = dup_text (get_string (o, "class", ""));
  s->cursor = get_bool (o, "cursor", TRUE);
  color = get_string (o, "color", NULL);
  if (color != NULL && color[0] == '#' && strlen (color) == 9 &&
      strspn (color + 1, "0123456789abcdefABCDEF") == 8)
    s->color = (guint32) g_ascii_strtoull (color + 1, NULL, 16);
  s->x = get_double (o, "x", 0, -1, 2);
  s->y = get_double (o, "y", 0, -1, 2);
  s->width = get_double (o, "width", 1, 0.01, 4);
  s->height = get_double (o, "height", 1, 0.01, 4);
  s->visible = get_bool (o, "visible", TRUE);
  s->loop = kind == CB_SCENE_SOURCE_MEDIA && get_bool (o, "loop", FALSE);
  if (!read_crop (o, s))
    {
      cb_scene_source_free (s);
      goto bad;
    }
  s->volume = get_double (o, "volume", 1, 0, 2);
  s->muted = get_bool (o, "muted", FALSE);
  s->monitor = get_bool (o, "monitor", FALSE);
  return s;

bad:
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "A source is not understood");
  return NULL;
}

CbSceneCollection *
cb_scene_collection_from_json (const char  *json,
                               gssize       length,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new ();
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *o;
  JsonArray *scenes, *audio = NULL;
  JsonNode *n;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, &parse_error))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Scenes are not JSON: %s",
                   parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  o = json_node_get_object (root);
  n = json_object_get_member (o, "scenes");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    goto bad;
  scenes = json_node_get_array (n);
  n = json_object_get_member (o, "audio");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    audio = json_node_get_array (n);

  for (guint i = 0; i < json_array_get_length (scenes) && i < MAX_SCENES; i++)
    {
      JsonNode *sn = json_array_get_element (scenes, i);
      JsonObject *so;
      JsonArray *sources;
      g_autoptr(CbScene) scene = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (sn))
        goto bad;
      so = json_node_get_object (sn);
      n = json_object_get_member (so, "sources");
      if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
        goto bad;
      sources = json_node_get_array (n);
      scene = cb_scene_new (get_string (so, "name", "Scene"));
      if (strlen (scene->name) > MAX_TEXT)
        goto bad;
      for (guint j = 0; j < json_array_get_length (sources) && j < MAX_SOURCES; j++)
        {
          CbSceneSource *s = read_source (c, scene, json_array_get_element (sources, j), error);

          if (s == NULL)
            return NULL;
          if (cb_scene_source_kind_is_audio (s->kind))
            g_ptr_array_add (c->audio, s);
          else
            g_ptr_array_add (scene->sources, s);
        }
      g_ptr_array_add (c->scenes, g_steal_pointer (&scene));
    }
  for (guint i = 0; audio != NULL && i < json_array_get_length (audio) && i < MAX_SOURCES; i++)
    {
      CbSceneSource *s = read_source (c, NULL, json_array_get_element (audio, i), error);

      if (s == NULL)
        return NULL;
      if (!cb_scene_source_kind_is_audio (s->kind))
        {
          cb_scene_source_free (s);
          goto bad;
        }
      g_ptr_array_add (c->audio, s);
    }
  if (c->scenes->len == 0)
    goto bad;
  c->active = (guint) get_double (o, "active", 0, 0, c->scenes->len - 1);
  return g_steal_pointer (&c);

bad:
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Scenes are not understood");
  return NULL;
}
