/* cb-records-folder.c — the records folder: listing it at start-up, repairing what a crash
 * interrupted, and retention (record_max_total_size, record_max_age_days)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "cb-engine-private.h"
#include "cb-mp4.h"
#include "cb-platform.h"
#include "cb-recorder-private.h"

typedef struct {
  char   *path;
  char   *stream_name;
  char   *media_session_id;
  char   *template_;
  gint64  start_ms;
  gint64  end_ms;
  guint   part;
  gboolean numbered;
} Interrupted;

static void
interrupted_free (gpointer data)
{
  Interrupted *in = data;

  g_free (in->path);
  g_free (in->stream_name);
  g_free (in->media_session_id);
  g_free (in->template_);
  g_free (in);
}

typedef struct {
  GPtrArray *files;        /* CbRecordingInfo* of finished files */
  GPtrArray *interrupted;  /* Interrupted* */
} ScanResult;

static void
scan_result_free (gpointer data)
{
  ScanResult *sr = data;

  g_ptr_array_unref (sr->files);
  g_ptr_array_unref (sr->interrupted);
  g_free (sr);
}

static gboolean
is_media_name (const char *name)
{
  return g_str_has_suffix (name, ".mp4") || g_str_has_suffix (name, ".webm");
}

/* A temporary file whose writer still runs (another Castbridge on the same folder). */
static gboolean
writer_alive (gint64 pid)
{
  /* When it cannot be told, assume it lives rather than take its file. */
  return pid != cb_platform_get_pid () && cb_platform_process_may_run (pid, "castbridge");
}

static Interrupted *
read_interrupted (const char *dir,
                  const char *name)
{
  Interrupted *in = g_new0 (Interrupted, 1);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *sidecar = NULL;
  GStatBuf st;

  in->path = g_build_filename (dir, name, NULL);
  sidecar = g_strconcat (in->path, CB_RECORD_SIDECAR_SUFFIX, NULL);
  if (g_stat (in->path, &st) == 0)
    in->end_ms = (gint64) st.st_mtime * 1000;
  if (g_key_file_load_from_file (kf, sidecar, G_KEY_FILE_NONE, NULL))
    {
      if (writer_alive (g_key_file_get_int64 (kf, CB_RECORD_SIDECAR_GROUP, "pid", NULL)))
        {
          interrupted_free (in);
          return NULL;
        }
      in->stream_name = g_key_file_get_string (kf, CB_RECORD_SIDECAR_GROUP, "streamName", NULL);
      in->media_session_id = g_key_file_get_string (kf, CB_RECORD_SIDECAR_GROUP, "mediaSessionId", NULL);
      in->template_ = g_key_file_get_string (kf, CB_RECORD_SIDECAR_GROUP, "template", NULL);
      in->start_ms = g_key_file_get_int64 (kf, CB_RECORD_SIDECAR_GROUP, "startMs", NULL);
      in->part = (guint) MAX (g_key_file_get_integer (kf, CB_RECORD_SIDECAR_GROUP, "part", NULL), 0);
      in->numbered = g_key_file_get_boolean (kf, CB_RECORD_SIDECAR_GROUP, "numbered", NULL);
    }
  if (in->template_ == NULL || *in->template_ == '\0')
    {
      g_free (in->template_);
      in->template_ = g_strdup ("recovered-{startTimeMillis}");
    }
  if (in->start_ms <= 0)
    in->start_ms = in->end_ms;
  return in;
}

static CbRecordingInfo *
read_finished (const char *dir,
               const char *name)
{
  CbRecordingInfo *info = g_new0 (CbRecordingInfo, 1);
  CbMp4Info mp4 = { 0 };
  GStatBuf st;

  info->file_name = g_strdup (name);
  info->path = g_build_filename (dir, name, NULL);
  info->state = strstr (name, ".damaged.") != NULL ? CB_RECORDING_FAILED : CB_RECORDING_FINISHED;
  if (g_stat (info->path, &st) == 0)
    {
      info->size = st.st_size;
      info->start_time = (gint64) st.st_mtime * 1000;
    }
  if (g_str_has_suffix (name, ".mp4") && cb_mp4_probe_file (info->path, &mp4, NULL))
    {
      if (mp4.duration_ms > 0)
        {
          info->duration = mp4.duration_ms / 1000.0;
          info->start_time -= mp4.duration_ms;
        }
      info->video_codec = mp4.video_codec[0] ? g_strdup (mp4.video_codec) : NULL;
      info->audio_codec = mp4.audio_codec[0] ? g_strdup (mp4.audio_codec) : NULL;
    }
  return info;
}

static void
scan_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  const char *dir_path = data;
  ScanResult *sr = g_new0 (ScanResult, 1);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  sr->files = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_recording_info_free);
  sr->interrupted = g_ptr_array_new_with_free_func (interrupted_free);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (!is_media_name (name))
        continue;
      if (g_str_has_prefix (name, CB_RECORD_TEMP_PREFIX))
        {
          Interrupted *in = read_interrupted (dir_path, name);

          if (in != NULL)
            g_ptr_array_add (sr->interrupted, in);
        }
      else if (name[0] != '.')
        g_ptr_array_add (sr->files, read_finished (dir_path, name));
    }
  g_task_return_pointer (task, sr, scan_result_free);
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  CbEngine *engine = CB_ENGINE (source);
  CbRecordRegistry *reg = cb_engine_get_record_registry (engine);
  ScanResult *sr = g_task_propagate_pointer (G_TASK (result), NULL);

  if (sr == NULL)
    return;
  g_mutex_lock (&reg->lock);
  for (guint i = 0; i < sr->files->len; i++)
    {
      CbRecordingInfo *info = g_ptr_array_index (sr->files, i);
      gboolean known = FALSE;

      for (guint j = 0; j < reg->files->len && !known; j++)
        known = g_strcmp0 (((CbRecordingInfo *) g_ptr_array_index (reg->files, j))->file_name,
                           info->file_name) == 0;
      if (!known)
        g_ptr_array_add (reg->files, cb_recording_info_copy (info));
    }
  g_mutex_unlock (&reg->lock);

  for (guint i = 0; i < sr->interrupted->len; i++)
    {
      Interrupted *in = g_ptr_array_index (sr->interrupted, i);
      const char *ext = g_str_has_suffix (in->path, ".webm") ? ".webm" : ".mp4";
      g_autofree char *name = cb_record_expand_name (in->template_, in->stream_name, in->media_session_id,
                                           NULL, NULL, in->start_ms, in->end_ms,
                                           in->numbered ? in->part : 0, ext);

      g_message ("Found an interrupted recording: %s; repairing it as %s", in->path, name);
      cb_record_start_finish (reg, NULL, in->path, name, in->stream_name, in->start_ms, TRUE);
    }
  cb_record_registry_changed (reg);
  cb_record_retention_sweep (reg);
  scan_result_free (sr);
}

/**
 * cb_engine_record_recover:
 *
 * At start-up: lists the records folder and repairs every recording that a crash
 * interrupted (in worker threads; "recordings-changed" tells when each is done).
 */
void
cb_engine_record_recover (CbEngine *self)
{
  GTask *task;

  g_return_if_fail (CB_IS_ENGINE (self));

  task = g_task_new (self, NULL, on_scanned, NULL);
  g_task_set_source_tag (task, cb_engine_record_recover);
  g_task_set_task_data (task, g_strdup (cb_engine_get_records_dir (self)), g_free);
  g_task_run_in_thread (task, scan_in_thread);
  g_object_unref (task);
}

typedef struct {
  char   *dir;
  gint64  max_bytes;
  gint64  max_age_s;
} Sweep;

static void
sweep_free (gpointer data)
{
  Sweep *sw = data;

  g_free (sw->dir);
  g_free (sw);
}

typedef struct {
  char   *name;
  gint64  mtime;
  gint64  size;
} SweepFile;

static int
compare_oldest_first (gconstpointer a,
                      gconstpointer b)
{
  const SweepFile *fa = a;
  const SweepFile *fb = b;

  return fa->mtime < fb->mtime ? -1 : fa->mtime > fb->mtime;
}

static void
sweep_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  Sweep *sw = data;
  g_autoptr(GDir) dir = g_dir_open (sw->dir, 0, NULL);
  g_autoptr(GArray) files = g_array_new (FALSE, TRUE, sizeof (SweepFile));
  GPtrArray *deleted = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 total = 0;
  const char *name;

  /* Only finished recordings: hidden temporary files are never touched. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      SweepFile f;
      GStatBuf st;

      /* A file that could not be repaired is the user's to look at: never swept. */
      if (name[0] == '.' || !is_media_name (name) || strstr (name, ".damaged") != NULL)
        continue;
      path = g_build_filename (sw->dir, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      f.name = g_strdup (name);
      f.mtime = st.st_mtime;
      f.size = st.st_size;
      total += f.size;
      g_array_append_val (files, f);
    }
  g_array_sort (files, compare_oldest_first);
  for (guint i = 0; i < files->len; i++)
    {
      SweepFile *f = &g_array_index (files, SweepFile, i);
      gboolean too_old = sw->max_age_s > 0 && now - f->mtime > sw->max_age_s;
      gboolean too_much = sw->max_bytes > 0 && total > sw->max_bytes;

      if (too_old || too_much)
        {
          g_autofree char *path = g_build_filename (sw->dir, f->name, NULL);

          if (g_unlink (path) == 0)
            {
              total -= f->size;
              g_ptr_array_add (deleted, g_strdup (f->name));
            }
        }
      g_free (f->name);
    }
  g_task_return_pointer (task, deleted, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_swept (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  CbEngine *engine = CB_ENGINE (source);
  CbRecordRegistry *reg = cb_engine_get_record_registry (engine);
  g_autoptr(GPtrArray) deleted = g_task_propagate_pointer (G_TASK (result), NULL);

  if (deleted == NULL || deleted->len == 0)
    return;
  g_mutex_lock (&reg->lock);
  for (guint i = 0; i < deleted->len; i++)
    {
      const char *name = g_ptr_array_index (deleted, i);

      g_message ("Retention: deleted the old recording %s", name);
      for (guint j = 0; j < reg->files->len; j++)
        if (g_strcmp0 (((CbRecordingInfo *) g_ptr_array_index (reg->files, j))->file_name, name) == 0)
          {
            g_ptr_array_remove_index (reg->files, j);
            break;
          }
    }
  g_mutex_unlock (&reg->lock);
  cb_record_registry_changed (reg);
}

/* record_max_total_size and record_max_age_days: the oldest finished files go first. */
void
cb_record_retention_sweep (CbRecordRegistry *reg)
{
  CbSettings *settings = cb_engine_get_settings (reg->engine);
  gint64 max_mb = cb_settings_get_int (settings, "record_max_total_size");
  gint64 max_days = cb_settings_get_int (settings, "record_max_age_days");
  Sweep *sw;
  GTask *task;

  if (max_mb <= 0 && max_days <= 0)
    return;
  sw = g_new0 (Sweep, 1);
  sw->dir = g_strdup (cb_engine_get_records_dir (reg->engine));
  sw->max_bytes = max_mb > 0 ? max_mb * 1024 * 1024 : 0;
  sw->max_age_s = max_days > 0 ? max_days * 24 * 3600 : 0;
  task = g_task_new (reg->engine, NULL, on_swept, NULL);
  g_task_set_task_data (task, sw, sweep_free);
  g_task_run_in_thread (task, sweep_in_thread);
  g_object_unref (task);
}
