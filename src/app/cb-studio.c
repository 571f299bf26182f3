/* cb-studio.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The UI never waits on media or network I/O: the engine and the server get their own
 * thread and GMainContext. The GTK thread reaches them only through the engine's _async
 * calls and cb_engine_invoke().
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "cb-server.h"
#include "cb-studio.h"

struct _CbStudio
{
  GObject       parent_instance;

  CbSettings   *settings;
  CbSettings   *gui_settings;   /* the GTK thread's copy, kept in step by change_setting */
  char         *settings_path;
  GThreadPool  *save_pool;      /* one worker: the file's writes stay in order */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  /* Written by the engine thread before it signals `started`, read-only after. */
  GMutex        lock;
  GCond         cond;
  gboolean      started;
  CbEngine     *engine;
  CbServer     *server;     /* engine thread only */
  guint         http_port;
  guint         ws_port;
  guint         rtmp_port;
  char         *bind_address;
  char         *server_error;
};

G_DEFINE_FINAL_TYPE (CbStudio, cb_studio, G_TYPE_OBJECT)

gboolean
cb_studio_apply_environment (CbSettings  *settings,
                             GError     **error)
{
  static const struct { const char *variable, *key; } overrides[] = {
    { "CB_HTTP_PORT", "http.port" },
    { "CB_WS_PORT", "ws.port" },
    { "CB_RTMP_PORT", "rtmp.port" },
  };

  g_return_val_if_fail (CB_IS_SETTINGS (settings), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (overrides); i++)
    {
      const char *value = g_getenv (overrides[i].variable);
      g_autoptr(GError) local_error = NULL;

      if (value == NULL)
        continue;
      if (!cb_settings_set (settings, overrides[i].key, value, &local_error))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "%s: %s",
                       overrides[i].variable, local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
start_server (CbStudio  *self,
              GError   **error)
{
  g_autoptr(CbServer) server = cb_server_new (self->engine);

  if (!cb_server_start (server, error))
    return FALSE;
  self->server = g_steal_pointer (&server);
  self->http_port = cb_server_get_http_port (self->server);
  self->ws_port = cb_server_get_ws_port (self->server);
  self->rtmp_port = cb_server_get_rtmp_port (self->server);
  return TRUE;
}

static gpointer
studio_thread (gpointer data)
{
  CbStudio *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  self->engine = cb_engine_new (self->settings);
  /* Recordings a crash interrupted are repaired in the background. */
  cb_engine_record_recover (self->engine);
  self->bind_address = g_strdup (cb_settings_get_string (self->settings, "bind_address"));

  if (!start_server (self, &error))
    {
      /* Another program (or another Castbridge) has the ports. The studio is still
       * useful without remote control; a server on ports of the system's choosing is
       * more useful than none, and the window shows where it is. */
      g_warning ("The server could not start: %s; trying ports the system picks",
                 error->message);
      self->server_error = g_strdup (error->message);
      g_clear_error (&error);

      cb_settings_set (self->settings, "http.port", "0", NULL);
      cb_settings_set (self->settings, "ws.port", "0", NULL);
      if (!start_server (self, &error))
        g_warning ("The server could not start: %s; going on without it", error->message);
      else
        g_clear_pointer (&self->server_error, g_free);
    }

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  if (self->server != NULL)
    cb_server_stop (self->server);
  g_clear_object (&self->server);
  cb_engine_shutdown (self->engine);

  /* Let the shutdown's last callbacks run on this context. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
cb_studio_dispose (GObject *object)
{
  CbStudio *self = CB_STUDIO (object);

  cb_studio_stop (self);
  if (self->save_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->save_pool), FALSE, TRUE);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_object (&self->gui_settings);

  G_OBJECT_CLASS (cb_studio_parent_class)->dispose (object);
}

static void
cb_studio_finalize (GObject *object)
{
  CbStudio *self = CB_STUDIO (object);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->bind_address);
  g_free (self->server_error);
  g_free (self->settings_path);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (cb_studio_parent_class)->finalize (object);
}

static void
cb_studio_class_init (CbStudioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_studio_dispose;
  object_class->finalize = cb_studio_finalize;

  /* "setting-changed" (const char *key): cb_studio_change_setting() took a new value. */
  g_signal_new ("setting-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cb_studio_init (CbStudio *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

CbStudio *
cb_studio_new (CbSettings *settings)
{
  CbStudio *self;

  g_return_val_if_fail (CB_IS_SETTINGS (settings), NULL);

  self = g_object_new (CB_TYPE_STUDIO, NULL);
  self->settings = g_object_ref (settings);
  self->gui_settings = cb_settings_copy (settings);
  return self;
}

gboolean
cb_studio_start (CbStudio  *self,
                 GError   **error)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_try_new ("cb-engine", studio_thread, self, error);
  if (self->thread == NULL)
    return FALSE;

  /* Only at start-up, before any window: making the engine and binding two sockets. */
  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
cb_studio_stop (CbStudio *self)
{
  g_return_if_fail (CB_IS_STUDIO (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, quit_loop,
                              g_main_loop_ref (self->loop),
                              (GDestroyNotify) g_main_loop_unref);
  g_thread_join (g_steal_pointer (&self->thread));
}

CbEngine *
cb_studio_get_engine (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);
  return self->engine;
}

guint
cb_studio_get_http_port (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), 0);
  return self->http_port;
}

guint
cb_studio_get_ws_port (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), 0);
  return self->ws_port;
}

guint
cb_studio_get_rtmp_port (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), 0);
  return self->rtmp_port;
}

const char *
cb_studio_get_bind_address (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);
  return self->bind_address;
}

const char *
cb_studio_get_server_error (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);
  return self->server_error;
}

/* Loopback, unless the server listens on one address only. */
char *
cb_studio_dup_local_url (CbStudio   *self,
                         const char *path)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  if (self->http_port == 0)
    return NULL;

  if (self->bind_address != NULL)
    address = g_inet_address_new_from_string (self->bind_address);
  if (address == NULL || g_inet_address_get_is_any (address))
    host = g_strdup ("127.0.0.1");
  else if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    host = g_strdup_printf ("[%s]", self->bind_address);
  else
    host = g_strdup (self->bind_address);

  return g_strdup_printf ("http://%s:%u%s", host, self->http_port, path);
}

/* ---- settings the preferences window edits ------------------------------------ */

CbSettings *
cb_studio_get_gui_settings (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);
  return self->gui_settings;
}

const char *
cb_studio_get_settings_path (CbStudio *self)
{
  g_return_val_if_fail (CB_IS_STUDIO (self), NULL);

  if (self->settings_path == NULL)
    self->settings_path = cb_studio_dup_default_settings_path ();
  return self->settings_path;
}

char *
cb_studio_dup_default_settings_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "castbridge", "castbridge.properties", NULL);
}

void
cb_studio_set_settings_path (CbStudio   *self,
                             const char *path)
{
  g_return_if_fail (CB_IS_STUDIO (self));

  g_free (self->settings_path);
  self->settings_path = g_strdup (path);
}

typedef struct {
  CbSettings *settings;
  char       *key;
  char       *value;   /* NULL: back to the default */
} SettingChange;

static void
setting_change_free (gpointer data)
{
  SettingChange *change = data;

  g_clear_object (&change->settings);
  g_free (change->key);
  g_free (change->value);
  g_free (change);
}

static void
apply_change (CbSettings   *settings,
              SettingChange *change)
{
  if (change->value == NULL)
    cb_settings_unset (settings, change->key);
  else
    cb_settings_set (settings, change->key, change->value, NULL);
}

static gboolean
change_in_engine (gpointer data)
{
  SettingChange *change = data;

  apply_change (change->settings, change);
  return G_SOURCE_REMOVE;
}

/* On a worker: read the file as it is now (other keys and comments of the user stay),
 * change one key, write it back. */
static void
save_setting (gpointer data,
              gpointer pool_data)
{
  SettingChange *change = data;
  const char *path = g_object_get_data (G_OBJECT (change->settings), "cb-path");
  g_autoptr(CbSettings) file = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !cb_settings_load_file (file, path, &error))
    g_warning ("Settings not saved: %s", error->message);
  else
    {
      apply_change (file, change);
      if (g_mkdir_with_parents (dir, 0700) != 0 || !cb_settings_save_file (file, path, &error))
        g_warning ("Settings not saved to %s: %s", path,
                   error ? error->message : g_strerror (errno));
    }
  setting_change_free (change);
}

gboolean
cb_studio_change_setting (CbStudio    *self,
                          const char  *key,
                          const char  *value,
                          GError     **error)
{
  const CbSettingInfo *info;
  SettingChange *change;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (CB_IS_STUDIO (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  info = cb_settings_lookup_info (key);
  stripped = g_strstrip (g_strdup (value));
  if (info != NULL && *stripped == '\0' && *info->default_value != '\0')
    value = NULL;
  if (value != NULL && !cb_settings_check (key, value, error))
    return FALSE;

  change = g_new0 (SettingChange, 1);
  change->key = g_strdup (key);
  change->value = g_strdup (value);
  apply_change (self->gui_settings, change);

  if (self->engine != NULL)
    {
      SettingChange *copy = g_new0 (SettingChange, 1);

      copy->settings = g_object_ref (self->settings);
      copy->key = g_strdup (key);
      copy->value = g_strdup (value);
      cb_engine_invoke (self->engine, change_in_engine, copy, setting_change_free);
    }

  /* The worker gets the change with a settings object that only carries the path. */
  change->settings = cb_settings_new ();
  g_object_set_data_full (G_OBJECT (change->settings), "cb-path",
                          g_strdup (cb_studio_get_settings_path (self)), g_free);
  if (self->save_pool == NULL)
    self->save_pool = g_thread_pool_new (save_setting, NULL, 1, FALSE, NULL);
  g_thread_pool_push (self->save_pool, change, NULL);

  g_signal_emit_by_name (self, "setting-changed", key);
  return TRUE;
}
