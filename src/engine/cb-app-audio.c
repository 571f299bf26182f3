/* cb-app-audio.c — the applications playing sound now (PipeWire), to capture one
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PipeWire lets a capture stream link to another application's playback stream: a
 * pipewiresrc whose target-object is that stream's serial gets what it plays, whatever
 * the output device. The list comes from `pw-dump` (pipewire-bin, beside the daemon),
 * which prints the graph once and exits; GStreamer's device monitor lists devices only,
 * not streams.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cb-app-audio.h"
#include "cb-engine-error.h"
#include "cb-platform.h"

void
cb_app_audio_free (CbAppAudio *app)
{
  if (app == NULL)
    return;
  g_free (app->name);
  g_free (app->media_name);
  g_free (app);
}

/* A property that pw-dump prints as a string or as a number. */
static gboolean
prop_int (JsonObject *props,
          const char *key,
          gint64     *value)
{
  JsonNode *node = json_object_get_member (props, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      char *end = NULL;

      *value = g_ascii_strtoll (text, &end, 10);
      return end != text && *end == '\0';
    }
  return FALSE;
}

static const char *
prop_string (JsonObject *props,
             const char *key)
{
  JsonNode *node = json_object_get_member (props, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

GPtrArray *
cb_app_audio_parse_dump (const char  *json,
                         gint64       own_pid,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) apps = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_app_audio_free);
  JsonArray *objects;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "PipeWire's object list is not what pw-dump prints");
      return NULL;
    }
  objects = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonNode *node = json_array_get_element (objects, i);
      JsonObject *object, *info, *props;
      const char *name;
      gint64 serial, pid;
      CbAppAudio *app;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""),
                     "PipeWire:Interface:Node") != 0)
        continue;
      info = json_object_has_member (object, "info") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "info"))
             ? json_object_get_object_member (object, "info") : NULL;
      props = info != NULL && json_object_has_member (info, "props") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (info, "props"))
              ? json_object_get_object_member (info, "props") : NULL;
      if (props == NULL || g_strcmp0 (prop_string (props, "media.class"), "Stream/Output/Audio") != 0)
        continue;
      if (!prop_int (props, "object.serial", &serial) || serial < 0)
        continue;
      if (own_pid != 0 && prop_int (props, "application.process.id", &pid) && pid == own_pid)
        continue;
      name = prop_string (props, "application.name");
      if (name == NULL || *name == '\0')
        name = prop_string (props, "node.description");
      if (name == NULL || *name == '\0')
        name = prop_string (props, "node.name");
      if (name == NULL || *name == '\0')
        continue;
      app = g_new0 (CbAppAudio, 1);
      app->name = g_utf8_make_valid (name, -1);
      app->media_name = g_utf8_make_valid (prop_string (props, "media.name") != NULL
                                           ? prop_string (props, "media.name") : "", -1);
      app->serial = (guint64) serial;
      g_ptr_array_add (apps, app);
    }
  return g_steal_pointer (&apps);
}

/* What pw-dump's run came to: its list, or why there is none. */
static GPtrArray *
listed (GSubprocess  *dump,
        const char   *out,
        GError       *local_error,
        GError      **error)
{
  if (dump == NULL || local_error != NULL)
    {
      g_debug ("pw-dump: %s", local_error != NULL ? local_error->message : "?");
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                   "Application audio needs PipeWire, and its pw-dump tool");
      return NULL;
    }
  if (!g_subprocess_get_successful (dump))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                   "Application audio needs PipeWire, which does not run here");
      return NULL;
    }
  return cb_app_audio_parse_dump (out != NULL ? out : "", cb_platform_get_pid (), error);
}

static GSubprocess *
spawn_dump (GError **error)
{
  return g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           error, "pw-dump", NULL);
}

GPtrArray *
cb_app_audio_list (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) dump = spawn_dump (&local_error);
  g_autofree char *out = NULL;

  if (dump != NULL)
    g_subprocess_communicate_utf8 (dump, NULL, NULL, &out, NULL, &local_error);
  return listed (dump, out, local_error, error);
}

static void
on_dumped (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  GPtrArray *apps;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &out, NULL, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  apps = listed (G_SUBPROCESS (object), out, local_error, &error);
  if (apps == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, apps, (GDestroyNotify) g_ptr_array_unref);
}

void
cb_app_audio_list_async (GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) dump = spawn_dump (&local_error);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, cb_app_audio_list_async);
  if (dump == NULL)
    {
      listed (NULL, NULL, local_error, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_subprocess_communicate_utf8_async (dump, NULL, cancellable, on_dumped, task);
}

GPtrArray *
cb_app_audio_list_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const CbAppAudio *
cb_app_audio_find (GPtrArray  *apps,
                   const char *name,
                   guint64     serial)
{
  g_return_val_if_fail (apps != NULL, NULL);

  for (guint i = 0; i < apps->len; i++)
    {
      const CbAppAudio *app = g_ptr_array_index (apps, i);

      if ((name == NULL || g_str_equal (app->name, name)) && (serial == 0 || app->serial == serial))
        return app;
    }
  return NULL;
}

/* A connection of its own to the PipeWire daemon, for pipewiresrc's "fd": the element
 * then has a PipeWire core of its own. On the process's shared one, GStreamer's PipeWire
 * device provider (0.3.65) spun forever in the next device listing of this process (a
 * microphone added, Preferences opened) while the capture ran. -1 with @error. */
static int
connect_pipewire (GError **error)
{
  const char *remote = g_getenv ("PIPEWIRE_REMOTE");
  const char *dir = g_getenv ("PIPEWIRE_RUNTIME_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  int fd;

  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("XDG_RUNTIME_DIR");
  if (remote == NULL || *remote == '\0')
    remote = "pipewire-0";
  if (g_path_is_absolute (remote))
    path = g_strdup (remote);
  else if (dir != NULL && *dir != '\0')
    path = g_build_filename (dir, remote, NULL);
  fd = path != NULL ? cb_platform_connect_local (path, &local_error) : -1;
  if (fd < 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                   "Application audio needs PipeWire, which does not answer here (%s)",
                   local_error != NULL ? local_error->message : "no runtime folder");
      return -1;
    }
  return fd;
}

GstElement *
cb_app_audio_make_source (const char  *name,
                          GPtrArray   *apps,
                          guint64     *serial,
                          GError     **error)
{
  g_autoptr(GPtrArray) listed_now = NULL;
  g_autoptr(GstStructure) props = NULL;
  g_autofree char *target = NULL;
  const CbAppAudio *app;
  GstElement *src;
  int fd;

  g_return_val_if_fail (name != NULL, NULL);

  if (apps == NULL)
    {
      apps = listed_now = cb_app_audio_list (error);
      if (apps == NULL)
        return NULL;
    }
  app = cb_app_audio_find (apps, name, 0);
  if (app == NULL)
    {
      g_set_error (error, CB_SOURCE_ERROR, CB_SOURCE_ERROR_APP_SILENT,
                   "%s plays no sound now", name);
      return NULL;
    }
  target = g_strdup_printf ("%" G_GUINT64_FORMAT, app->serial);
  if (serial != NULL)
    *serial = app->serial;
  src = gst_element_factory_make ("pipewiresrc", NULL);
  if (src == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer element pipewiresrc is missing");
      return NULL;
    }
  /* pipewiresrc keeps the fd it is given. */
  fd = connect_pipewire (error);
  if (fd < 0)
    {
      gst_object_unref (gst_object_ref_sink (src));
      return NULL;
    }
  /* Without dont-reconnect, the session manager moves a capture whose target went away
   * to the default source: the microphone would take the application's place. */
  props = gst_structure_new ("props", "node.dont-reconnect", G_TYPE_STRING, "true",
                             "media.role", G_TYPE_STRING, "Production", NULL);
  g_object_set (src, "fd", fd, "target-object", target, "stream-properties", props,
                "client-name", "Castbridge", NULL);
  return src;
}
