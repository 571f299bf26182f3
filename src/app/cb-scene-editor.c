/* cb-scene-editor.c — owns the program of the window's scenes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cb-scene-editor.h"

#define SAVE_DELAY_MS 300

struct _CbSceneEditor
{
  GObject             parent_instance;

  CbStudio           *studio;
  CbProgram          *program;
  CbPreviewPaintable *preview;
  guint               save_id;
  char               *saved_json;   /* what was last read or written: the program's
                                     * problems save only what differs from it */
  guint               rebuild_id;
  gulong              setting_handler;
  guint               selected;
};

G_DEFINE_FINAL_TYPE (CbSceneEditor, cb_scene_editor, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRAM_CHANGED,
  SIGNAL_CHANGED,
  SIGNAL_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Keys the program reads when it is built. */
static const char * const output_keys[] = {
  "capture_width", "capture_height", "capture_fps", "capture_bitrate",
  "capture_keyframe_interval", "capture_encoder", "capture_x264_preset", "audio_sample_rate",
  NULL
};

char *
cb_scene_editor_dup_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "castbridge", "scenes.json", NULL);
}

static void save_now (CbSceneEditor *self,
                      gboolean       wait);

/* A source's problem changed: what it brings to keep (a portal's restore token) is saved;
 * a problem alone changes nothing in the file, and writes none (on a first run, a file
 * written then would make the next start skip the welcome page). */
static void
on_problem_changed (CbSceneEditor *self)
{
  g_autofree char *json = NULL;

  if (self->program == NULL)
    return;
  json = cb_scene_collection_to_json (cb_program_get_collection (self->program));
  if (g_strcmp0 (json, self->saved_json) != 0)
    cb_scene_editor_touched (self);
}

static void
drop_program (CbSceneEditor *self)
{
  CbEngine *engine;

  if (self->program == NULL)
    return;
  engine = self->studio != NULL ? cb_studio_get_engine (self->studio) : NULL;
  if (engine != NULL)
    cb_engine_unset_scene_capture (engine, cb_program_get_capture (self->program));
  g_signal_handlers_disconnect_by_data (self->program, self);
  cb_local_source_set_preview (cb_program_get_capture (self->program), NULL, NULL, NULL);
  cb_program_stop (self->program);
  g_clear_object (&self->program);
}

static void
attach_preview (CbSceneEditor *self)
{
  if (self->program == NULL)
    return;
  if (self->preview != NULL)
    cb_local_source_set_preview (cb_program_get_capture (self->program),
                                 cb_preview_paintable_preview_func,
                                 g_object_ref (self->preview), g_object_unref);
  else
    cb_local_source_set_preview (cb_program_get_capture (self->program), NULL, NULL, NULL);
}

static void
build_program (CbSceneEditor           *self,
               const CbSceneCollection *collection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CbProgram) program = NULL;
  CbEngine *engine = cb_studio_get_engine (self->studio);

  program = cb_program_new (collection, cb_studio_get_gui_settings (self->studio), &error);
  if (program == NULL || !cb_program_start (program, &error))
    {
      g_warning ("The scenes cannot run: %s", error->message);
      return;
    }
  drop_program (self);
  self->program = g_steal_pointer (&program);
  /* A portal's answer brings a restore token to keep: saved like any change. */
  g_signal_connect_swapped (self->program, "problem-changed",
                            G_CALLBACK (on_problem_changed), self);
  if (engine != NULL)
    cb_engine_set_scene_capture (engine, cb_program_get_capture (self->program));
  attach_preview (self);
  g_signal_emit (self, signals[SIGNAL_PROGRAM_CHANGED], 0);
}

static gboolean
rebuild_when_idle (gpointer data)
{
  CbSceneEditor *self = data;
  g_autoptr(CbSceneCollection) collection = NULL;

  /* A live stream keeps its encoder: the new output settings wait for its end. */
  if (self->program != NULL &&
      cb_local_source_is_publishing (cb_program_get_capture (self->program)))
    return G_SOURCE_CONTINUE;
  self->rebuild_id = 0;
  collection = cb_scene_collection_copy (cb_program_get_collection (self->program));
  build_program (self, collection);
  return G_SOURCE_REMOVE;
}

static void
on_setting_changed (CbStudio   *studio,
                    const char *key,
                    gpointer    data)
{
  CbSceneEditor *self = data;

  if (!g_strv_contains (output_keys, key) || self->rebuild_id != 0 || self->program == NULL)
    return;
  if (!cb_local_source_is_publishing (cb_program_get_capture (self->program)))
    rebuild_when_idle (self);
  else
    self->rebuild_id = g_timeout_add_seconds (1, rebuild_when_idle, self);
}

static void
cb_scene_editor_dispose (GObject *object)
{
  CbSceneEditor *self = CB_SCENE_EDITOR (object);

  if (self->save_id != 0)
    {
      g_clear_handle_id (&self->save_id, g_source_remove);
      /* The window is closing: nothing would finish an async write. */
      save_now (self, TRUE);
    }
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_signal_handler (&self->setting_handler, self->studio);
  drop_program (self);
  g_clear_object (&self->preview);
  g_clear_object (&self->studio);
  g_clear_pointer (&self->saved_json, g_free);
  G_OBJECT_CLASS (cb_scene_editor_parent_class)->dispose (object);
}

static void
cb_scene_editor_class_init (CbSceneEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_scene_editor_dispose;

  signals[SIGNAL_PROGRAM_CHANGED] =
    g_signal_new ("program-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SELECTED] =
    g_signal_new ("selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cb_scene_editor_init (CbSceneEditor *self)
{
}

static CbSceneCollection *
load_collection (void)
{
  g_autofree char *path = cb_scene_editor_dup_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  CbSceneCollection *collection = NULL;

  /* A few kilobytes, once, when the window opens. */
  if (g_file_get_contents (path, &contents, &length, &error))
    collection = cb_scene_collection_from_json (contents, length, &error);
  if (collection == NULL)
    {
      CbScene *first;
      CbSceneSource *pattern, *tone;

      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* Kept aside, so that the next save does not replace what may be mended. */
          g_autofree char *aside = g_strconcat (path, ".broken", NULL);

          g_warning ("Scenes not read from %s: %s; starting with the default scene (the "
                     "file is kept as %s)", path, error->message, aside);
          if (g_rename (path, aside) != 0)
            g_warning ("%s not kept: %s", path, g_strerror (errno));
        }

      collection = cb_scene_collection_new_default ();
      first = g_ptr_array_index (collection->scenes, 0);
      pattern = g_ptr_array_index (first->sources, 0);
      tone = g_ptr_array_index (collection->audio, 0);
      /* In the user's language: the names are theirs to change from here on. */
      g_free (first->name);
      first->name = g_strdup (_("Scene 1"));
      g_free (pattern->name);
      pattern->name = g_strdup (_("Test pattern"));
      g_free (tone->name);
      tone->name = g_strdup (_("Test tone"));
    }
  return collection;
}

CbSceneEditor *
cb_scene_editor_new (CbStudio *studio)
{
  CbSceneEditor *self;
  g_autoptr(CbSceneCollection) collection = NULL;

  g_return_val_if_fail (CB_IS_STUDIO (studio), NULL);

  self = g_object_new (CB_TYPE_SCENE_EDITOR, NULL);
  self->studio = g_object_ref (studio);
  self->setting_handler = g_signal_connect (studio, "setting-changed",
                                            G_CALLBACK (on_setting_changed), self);
  collection = load_collection ();
  build_program (self, collection);
  self->saved_json = cb_scene_collection_to_json (self->program != NULL
                                                  ? cb_program_get_collection (self->program)
                                                  : collection);
  return self;
}

CbProgram *
cb_scene_editor_get_program (CbSceneEditor *self)
{
  g_return_val_if_fail (CB_IS_SCENE_EDITOR (self), NULL);
  return self->program;
}

void
cb_scene_editor_set_preview (CbSceneEditor      *self,
                             CbPreviewPaintable *paintable)
{
  g_return_if_fail (CB_IS_SCENE_EDITOR (self));

  g_set_object (&self->preview, paintable);
  attach_preview (self);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_warning ("Scenes not saved: %s", error->message);
}

static void
save_now (CbSceneEditor *self,
          gboolean       wait)
{
  g_autofree char *path = cb_scene_editor_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = NULL;
  char *json;

  if (self->program == NULL)
    return;
  json = cb_scene_collection_to_json (cb_program_get_collection (self->program));
  g_free (self->saved_json);
  self->saved_json = g_strdup (json);
  bytes = g_bytes_new_take (json, strlen (json));
  g_mkdir_with_parents (dir, 0700);
  if (wait)
    {
      g_autoptr(GError) error = NULL;

      if (!g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        g_warning ("Scenes not saved: %s", error->message);
      return;
    }
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                       on_saved, NULL);
}

static gboolean
save_later (gpointer data)
{
  CbSceneEditor *self = data;

  self->save_id = 0;
  save_now (self, FALSE);
  return G_SOURCE_REMOVE;
}

void
cb_scene_editor_touched (CbSceneEditor *self)
{
  g_return_if_fail (CB_IS_SCENE_EDITOR (self));

  if (self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_later, self);
}

void
cb_scene_editor_changed (CbSceneEditor *self)
{
  g_return_if_fail (CB_IS_SCENE_EDITOR (self));

  cb_scene_editor_touched (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
cb_scene_editor_switch_to (CbSceneEditor *self,
                           guint          index)
{
  g_return_if_fail (CB_IS_SCENE_EDITOR (self));

  if (self->program == NULL || index >= cb_program_get_collection (self->program)->scenes->len)
    return;
  cb_program_set_active_scene (self->program, index);
  cb_scene_editor_changed (self);
}

guint
cb_scene_editor_add_pip_scene (CbSceneEditor *self)
{
  guint index;
  CbSceneSource *camera;

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (self), 0);

  index = cb_program_add_scene (self->program, _("Screen and camera"));
  cb_program_add_source (self->program, index,
                         cb_program_new_source (self->program, CB_SCENE_SOURCE_SCREEN,
                                                _("Screen"), ""));
  camera = cb_program_new_source (self->program, CB_SCENE_SOURCE_CAMERA, _("Camera"), "");
  camera->x = 0.72;
  camera->y = 0.70;
  camera->width = 0.25;
  camera->height = 0.25;
  cb_program_add_source (self->program, index, camera);
  cb_scene_editor_switch_to (self, index);
  return index;
}

guint
cb_scene_editor_get_selected (CbSceneEditor *self)
{
  CbSceneCollection *c;

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (self), 0);

  if (self->program == NULL || self->selected == 0)
    return 0;
  /* A source removed, or of a scene switched away from, is no longer selected. */
  c = (CbSceneCollection *) cb_program_get_collection (self->program);
  if (cb_scene_find_source (cb_scene_collection_get_active (c), self->selected) == NULL)
    return 0;
  return self->selected;
}

void
cb_scene_editor_select (CbSceneEditor *self,
                        guint          id)
{
  g_return_if_fail (CB_IS_SCENE_EDITOR (self));

  if (self->selected == id)
    return;
  self->selected = id;
  g_signal_emit (self, signals[SIGNAL_SELECTED], 0);
}
