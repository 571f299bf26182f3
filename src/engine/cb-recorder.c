/* cb-recorder.c — recorders (fan-out consumers that write files) and the records folder
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recorder is a consumer of its stream's fan-out feeding a pipeline of its own:
 * appsrc → parser → splitmuxsink (mp4mux in fragments of a second, or matroskamux). The
 * consumer callbacks only queue into the appsrc elements; the files are written on the
 * pipeline's streaming threads. Whatever goes wrong in that pipeline (a full disk, a muxer
 * error) stops the recording and nothing else.
 *
 * While it is written a part is a fragmented MP4 under a hidden temporary name in the
 * records folder (".castbridge-….mp4") with a small key-file sidecar (".info") saying whose it is; when
 * the part is closed, cb-record-file.c rewrites it as a fast-start MP4 under its final name
 * and only then is it announced. At start-up every temporary file left by a crash goes
 * through the same finisher.
 */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>

#include "cb-context.h"
#include "cb-engine-private.h"
#include "cb-path.h"
#include "cb-pipeline.h"
#include "cb-platform.h"
#include "cb-record-file.h"
#include "cb-record-name.h"
#include "cb-recorder-private.h"

#define QUEUE_MAX_BYTES      (64 * 1024 * 1024)
/* How long a recorder waits for the second kind of media, once the first is known, before
 * it records one kind only. From the first kind, not from the request: a browser asks for
 * its recording with its publish, before its media flows, and its video can be known a
 * second or more after its audio on a loaded machine. */
#define WAIT_SECOND_KIND_US  (1500 * G_TIME_SPAN_MILLISECOND)
#define STOP_TIMEOUT_MS      10000
/* Drops in the first seconds are the consumer waiting for a keyframe, not a slow disk. */
#define SETTLE_US            (3 * G_USEC_PER_SEC)

typedef struct {
  guint   index;
  gint64  start_ms;
  char   *path;
} Part;

struct _Recorder
{
  CbRecordRegistry *reg;
  CbStream         *stream;
  guint             id;           /* unique: an idle that outlives its recorder finds another */
  char             *template_;
  char             *rotation;     /* as asked, for the recorder that replaces this one */
  gint64            rotation_seconds;
  gint64            rotation_bytes;
  gboolean          numbered;     /* rotated parts get -1, -2, … (no time in the template) */
  char             *extension;    /* ".mp4" or ".webm" */

  GstElement       *pipeline;
  GstElement       *src[CB_MEDIA_N_KINDS];
  CbConsumer       *consumer;
  GSource          *timer;
  GSource          *stop_timeout;
  gint64            one_kind_us;   /* monotonic: when one kind of media was first known */
  gint64            begun_us;      /* monotonic: when the pipeline started */
  gint64            last_check_us; /* monotonic: the last disk and size check */
  guint64           dropped_base;
  gboolean          settled;
  gint              media_changed;  /* atomic: the caps changed mid-file (see on_parsed) */
  gint              media_written;  /* atomic: a buffer has gone to the muxer */

  GMutex            parts_lock;    /* parts are opened on a streaming thread */
  GPtrArray        *parts;         /* Part*, open or closed but not handed to the finisher */
  guint             next_index;
  guint64           closed_bytes;

  char             *last_name;     /* the final name of the last part, fixed at stop */
  gboolean          stopping;
  gboolean          pipeline_done;
  gboolean          disk_behind;     /* stopped for a slow disk: its backlog is dropped */
  guint             n_finishing;

  CbRecordingInfo   info;          /* guarded by reg->lock */
};

static void recorder_stop    (Recorder *rec, const char *reason);
static void schedule_caps_change (Recorder *rec);

/* ---- CbRecordingInfo ------------------------------------------------------ */

const char *
cb_recording_state_to_string (CbRecordingState state)
{
  static const char *names[] = {
    "WAITING", "RECORDING", "FINISHING", "FINISHED", "RECOVERED", "FAILED",
  };

  return state < G_N_ELEMENTS (names) ? names[state] : "FAILED";
}

CbRecordingInfo *
cb_recording_info_copy (const CbRecordingInfo *info)
{
  CbRecordingInfo *copy = g_new0 (CbRecordingInfo, 1);

  *copy = *info;
  copy->file_name = g_strdup (info->file_name);
  copy->path = g_strdup (info->path);
  copy->stream_name = g_strdup (info->stream_name);
  copy->media_session_id = g_strdup (info->media_session_id);
  copy->video_codec = g_strdup (info->video_codec);
  copy->audio_codec = g_strdup (info->audio_codec);
  copy->reason = g_strdup (info->reason);
  return copy;
}

static void
recording_info_clear (CbRecordingInfo *info)
{
  g_clear_pointer (&info->file_name, g_free);
  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->stream_name, g_free);
  g_clear_pointer (&info->media_session_id, g_free);
  g_clear_pointer (&info->video_codec, g_free);
  g_clear_pointer (&info->audio_codec, g_free);
  g_clear_pointer (&info->reason, g_free);
}

void
cb_recording_info_free (CbRecordingInfo *info)
{
  if (info == NULL)
    return;
  recording_info_clear (info);
  g_free (info);
}

static void
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

/* ---- the registry --------------------------------------------------------- */

static void
part_free (gpointer data)
{
  Part *p = data;

  g_free (p->path);
  g_free (p);
}

/* Sources of the engine's context: g_source_remove() would look for them in the default
 * context, which is another one where the engine runs on a thread of its own (the GUI). */
static void
clear_engine_source (CbEngine *engine,
                     guint    *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (cb_engine_get_context (engine), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

static void
recorder_free (Recorder *rec)
{
  g_assert (rec->consumer == NULL);
  if (rec->timer != NULL)
    g_source_destroy (rec->timer);
  g_clear_pointer (&rec->timer, g_source_unref);
  if (rec->stop_timeout != NULL)
    g_source_destroy (rec->stop_timeout);
  g_clear_pointer (&rec->stop_timeout, g_source_unref);
  cb_pipeline_unwatch (rec->pipeline);
  if (rec->pipeline != NULL)
    gst_element_set_state (rec->pipeline, GST_STATE_NULL);
  gst_clear_object (&rec->pipeline);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_object (&rec->src[k]);
  g_clear_object (&rec->stream);
  g_ptr_array_unref (rec->parts);
  g_mutex_clear (&rec->parts_lock);
  g_free (rec->template_);
  g_free (rec->rotation);
  g_free (rec->extension);
  g_free (rec->last_name);
  recording_info_clear (&rec->info);
  g_free (rec);
}

CbRecordRegistry *
cb_record_registry_new (CbEngine *engine)
{
  CbRecordRegistry *reg = g_new0 (CbRecordRegistry, 1);

  reg->engine = engine;
  g_mutex_init (&reg->lock);
  reg->recorders = g_hash_table_new (g_str_hash, g_str_equal);
  reg->done = g_ptr_array_new ();
  reg->files = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_recording_info_free);
  return reg;
}

void
cb_record_registry_free (CbRecordRegistry *reg)
{
  if (reg == NULL)
    return;
  /* cb_engine_record_shutdown() stopped every recorder; finishers hold the engine. */
  clear_engine_source (reg->engine, &reg->changed_idle);
  g_hash_table_unref (reg->recorders);
  g_ptr_array_unref (reg->done);
  g_ptr_array_unref (reg->files);
  g_mutex_clear (&reg->lock);
  g_free (reg);
}

static gboolean
emit_changed (gpointer data)
{
  CbRecordRegistry *reg = data;

  reg->changed_idle = 0;
  cb_engine_emit_recordings_changed (reg->engine);
  return G_SOURCE_REMOVE;
}

/* Coalesced: many changes in one iteration give one signal. */
void
cb_record_registry_changed (CbRecordRegistry *reg)
{
  if (reg->changed_idle != 0)
    return;
  reg->changed_idle = cb_idle_on (cb_engine_get_context (reg->engine), G_PRIORITY_DEFAULT,
                                  emit_changed, reg, NULL);
}

static void
registry_add_file (CbRecordRegistry *reg,
                   CbRecordingInfo  *info)
{
  g_mutex_lock (&reg->lock);
  for (guint i = 0; i < reg->files->len; i++)
    {
      CbRecordingInfo *f = g_ptr_array_index (reg->files, i);

      if (g_strcmp0 (f->file_name, info->file_name) == 0)
        {
          g_ptr_array_remove_index (reg->files, i);
          break;
        }
    }
  g_ptr_array_add (reg->files, info);
  g_mutex_unlock (&reg->lock);
  cb_record_registry_changed (reg);
}

/* ---- names ---------------------------------------------------------------- */

char *
cb_record_expand_name (const char *template_,
             const char *stream_name,
             const char *media_session_id,
             const char *video_codec,
             const char *audio_codec,
             gint64      start_ms,
             gint64      end_ms,
             guint       number,
             const char *extension)
{
  CbRecordNameParts parts = { 0 };
  g_autofree char *suffix = number > 0 ? g_strdup_printf ("-%u%s", number, extension)
                                       : g_strdup (extension);
  parts.stream_name = stream_name;
  parts.media_session_id = media_session_id;
  parts.audio_codec = audio_codec;
  parts.video_codec = video_codec;
  parts.start_ms = start_ms;
  parts.end_ms = end_ms;
  /* Cut to 255 bytes with the suffix, unsafe characters replaced. */
  return cb_record_name_expand (template_, &parts, suffix);
}

/* The start time in @part's name: the recording's own for the first part, the one its name
 * was announced with ({startTimeMillis} in recordName), which the part's file, opened a few
 * milliseconds later, must keep. */
static gint64
name_start_ms (Recorder   *rec,
               const Part *part)
{
  return part->index == 1 && rec->info.start_time > 0 ? rec->info.start_time : part->start_ms;
}

static char *
expand_name (Recorder   *rec,
             gint64      start_ms,
             gint64      end_ms,
             guint       number)
{
  g_autoptr(CbStreamInfo) si = cb_stream_get_snapshot (rec->stream);

  return cb_record_expand_name (rec->template_, si->name, si->media_session_id, si->media.video_codec,
                      si->media.audio_codec, start_ms, end_ms, number, rec->extension);
}

/* Whether a recorder other than @self announces @name; under reg->lock. */
static gboolean
name_announced (CbRecordRegistry *reg,
                Recorder         *self,
                const char       *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, reg->recorders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != self && g_strcmp0 (((Recorder *) value)->info.file_name, name) == 0)
      return TRUE;
  for (guint i = 0; i < reg->done->len; i++)
    {
      Recorder *other = g_ptr_array_index (reg->done, i);

      if (other != self && g_strcmp0 (other->info.file_name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* @name (transfer full), or the first "<stem>-N<ext>" beside it that no file in the records
 * folder and no other recorder has: the name a recording is announced under is the one it
 * gets. (The finisher's rename never replaces a file either, should one appear meanwhile.) */
static char *
unique_name (Recorder *rec,
             char     *name)
{
  CbRecordRegistry *reg = rec->reg;
  g_autofree char *path = g_build_filename (cb_engine_get_records_dir (reg->engine), name, NULL);

  for (guint n = 1; n < 10000; n++)
    {
      g_autofree char *infix = NULL;
      g_autofree char *candidate = NULL;
      gboolean announced;

      /* The disk is asked outside the lock: lists of recordings never wait for it. */
      g_mutex_lock (&reg->lock);
      announced = name_announced (reg, rec, name);
      g_mutex_unlock (&reg->lock);
      if (!announced && !g_file_test (path, G_FILE_TEST_EXISTS))
        break;
      infix = g_strdup_printf ("-%u", n);
      candidate = cb_record_file_sibling_path (path, infix);
      g_free (name);
      name = g_path_get_basename (candidate);
      g_free (path);
      path = g_steal_pointer (&candidate);
    }
  return name;
}

/* ---- finishing ------------------------------------------------------------ */

typedef struct {
  Recorder *rec;           /* NULL for files recovered at start-up */
  CbRecordRegistry *reg;
  CbEngine *engine;        /* strong while the finisher runs */
  char     *temp_path;
  char     *stream_name;
  char     *media_session_id;
  gint64    start_ms;
  gboolean  recovery;
} Finish;

static void
finish_free (Finish *f)
{
  g_object_unref (f->engine);
  g_free (f->temp_path);
  g_free (f->stream_name);
  g_free (f->media_session_id);
  g_free (f);
}

static void recorder_maybe_done (Recorder *rec);

static void
run_hook (CbEngine   *engine,
          const char *stream_name,
          const char *path)
{
  const char *script = cb_settings_get_string (cb_engine_get_settings (engine),
                                               "on_record_hook_script");
  g_autoptr(GError) error = NULL;
  char *argv[4];

  if (script == NULL || *script == '\0')
    return;
  /* No shell: the arguments are passed as they are, whatever they hold. */
  argv[0] = (char *) script;
  argv[1] = (char *) (stream_name ? stream_name : "");
  argv[2] = (char *) path;
  argv[3] = NULL;
  if (!g_spawn_async (NULL, argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, NULL, &error))
    g_warning ("on_record_hook_script %s: %s", script, error->message);
}

/* @message with every "@folder/" taken out: reasons reach REST answers and the GUI,
 * which show file names, never where the server keeps them. */
static char *
without_folder (const char *message,
                const char *folder)
{
  g_autofree char *prefix = NULL;
  g_auto(GStrv) pieces = NULL;
  gsize length = folder != NULL ? strlen (folder) : 0;

  while (length > 1 && G_IS_DIR_SEPARATOR (folder[length - 1]))
    length--;
  if (length == 0)
    return g_strdup (message);
  prefix = g_strdup_printf ("%.*s%c", (int) length, folder, G_DIR_SEPARATOR);
  pieces = g_strsplit (message, prefix, -1);
  return g_strjoinv ("", pieces);
}

static void
on_file_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Finish *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRecordFileResult) r = cb_record_file_finish_finish (result, &error);
  g_autofree char *sidecar = g_strconcat (f->temp_path, CB_RECORD_SIDECAR_SUFFIX, NULL);
  CbRecordingInfo *info = g_new0 (CbRecordingInfo, 1);

  info->stream_name = g_strdup (f->stream_name);
  info->media_session_id = g_strdup (f->media_session_id);
  info->start_time = f->start_ms;
  if (r != NULL)
    {
      info->file_name = g_path_get_basename (r->final_path);
      info->path = g_strdup (r->final_path);
      info->state = f->recovery ? CB_RECORDING_RECOVERED : CB_RECORDING_FINISHED;
      info->duration = r->duration;
      info->size = r->size;
      info->video_codec = g_strdup (r->video_codec);
      info->audio_codec = g_strdup (r->audio_codec);
      if (f->recovery)
        {
          info->recovered_seconds = r->duration;
          g_message ("Recovered an interrupted recording: %s (%.1f s kept)", info->file_name,
                     r->duration);
        }
      else
        g_info ("recording finished: %s (%.1f s, %" G_GUINT64_FORMAT " bytes)", info->file_name,
                r->duration, r->size);
      if (f->rec != NULL && f->rec->info.reason != NULL)
        info->reason = g_strdup (f->rec->info.reason);
      g_unlink (sidecar);
      run_hook (f->engine, f->stream_name, r->final_path);
    }
  else
    {
      g_autofree char *base = g_path_get_basename (f->temp_path);

      g_warning ("Recording %s could not be finished: %s", base, error->message);
      info->file_name = g_steal_pointer (&base);
      info->path = g_strdup (f->temp_path);
      info->state = CB_RECORDING_FAILED;
      info->reason = without_folder (error->message, cb_engine_get_records_dir (f->engine));
    }
  registry_add_file (f->reg, info);
  if (r != NULL)
    cb_record_retention_sweep (f->reg);

  if (f->rec != NULL)
    {
      f->rec->n_finishing--;
      recorder_maybe_done (f->rec);
    }
  finish_free (f);
}

void
cb_record_start_finish (CbRecordRegistry *reg,
              Recorder         *rec,
              const char       *temp_path,
              const char       *final_name,
              const char       *stream_name,
              gint64            start_ms,
              gboolean          recovery)
{
  Finish *f = g_new0 (Finish, 1);
  g_autofree char *final_path = g_build_filename (cb_engine_get_records_dir (reg->engine),
                                                  final_name, NULL);

  f->rec = rec;
  f->reg = reg;
  f->engine = g_object_ref (reg->engine);
  f->temp_path = g_strdup (temp_path);
  f->stream_name = g_strdup (stream_name);
  f->media_session_id = rec != NULL ? g_strdup (rec->info.media_session_id) : NULL;
  f->start_ms = start_ms;
  f->recovery = recovery;
  if (rec != NULL)
    rec->n_finishing++;
  cb_record_file_finish_async (temp_path, final_path, recovery, NULL, on_file_finished, f);
}

/* A part was closed by the muxer (rotation or the end): hand it to the finisher. */
static void
finish_part (Recorder   *rec,
             const char *location)
{
  Part *part = NULL;
  g_autofree char *name = NULL;
  gboolean last;

  g_mutex_lock (&rec->parts_lock);
  for (guint i = 0; i < rec->parts->len; i++)
    {
      Part *p = g_ptr_array_index (rec->parts, i);

      if (g_strcmp0 (p->path, location) == 0)
        {
          part = g_ptr_array_steal_index (rec->parts, i);
          break;
        }
    }
  last = rec->stopping && rec->parts->len == 0;
  g_mutex_unlock (&rec->parts_lock);
  if (part == NULL)
    return;

  /* Stopped before the first buffer reached the muxer: a file with no samples, which
   * would be kept as damaged. There is nothing to keep. */
  if (!g_atomic_int_get (&rec->media_written))
    {
      g_autofree char *sidecar = g_strconcat (part->path, CB_RECORD_SIDECAR_SUFFIX, NULL);

      g_message ("Recording of %s stopped before any media was written: no file",
                 rec->info.stream_name);
      g_unlink (part->path);
      g_unlink (sidecar);
      part_free (part);
      return;
    }

  {
    GStatBuf st;

    if (g_stat (part->path, &st) == 0)
      rec->closed_bytes += st.st_size;
  }
  if (last && rec->last_name != NULL)
    name = g_strdup (rec->last_name);
  else
    name = unique_name (rec, expand_name (rec, name_start_ms (rec, part), g_get_real_time () / 1000,
                                          rec->numbered ? part->index : 0));
  cb_record_start_finish (rec->reg, rec, part->path, name, rec->info.stream_name, part->start_ms, FALSE);
  part_free (part);
}

/* ---- the pipeline --------------------------------------------------------- */

/* Whose a temporary file is, for the start-up that finds it after a crash. */
static void
write_sidecar (Recorder   *rec,
               const char *path,
               guint       index,
               gint64      start_ms)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *sidecar = g_strconcat (path, CB_RECORD_SIDECAR_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;

  g_key_file_set_string (kf, CB_RECORD_SIDECAR_GROUP, "streamName", rec->info.stream_name);
  g_key_file_set_string (kf, CB_RECORD_SIDECAR_GROUP, "mediaSessionId", rec->info.media_session_id);
  g_key_file_set_string (kf, CB_RECORD_SIDECAR_GROUP, "template", rec->template_);
  g_key_file_set_int64 (kf, CB_RECORD_SIDECAR_GROUP, "startMs", start_ms);
  g_key_file_set_integer (kf, CB_RECORD_SIDECAR_GROUP, "part", (int) index);
  g_key_file_set_boolean (kf, CB_RECORD_SIDECAR_GROUP, "numbered", rec->numbered);
  g_key_file_set_int64 (kf, CB_RECORD_SIDECAR_GROUP, "pid", cb_platform_get_pid ());
  if (!g_key_file_save_to_file (kf, sidecar, &error))
    g_debug ("recording sidecar: %s", error->message);
}

/* Runs on a streaming thread of the pipeline: names the next part. */
static char *
on_format_location (GstElement *splitmux,
                    guint       fragment_id,
                    GstSample  *first,
                    gpointer    data)
{
  static gint serial;   /* recorders of one stream started in the same millisecond */
  Recorder *rec = data;
  Part *part = g_new0 (Part, 1);
  g_autofree char *base = NULL;

  part->start_ms = g_get_real_time () / 1000;
  g_mutex_lock (&rec->parts_lock);
  part->index = ++rec->next_index;
  base = g_strdup_printf (CB_RECORD_TEMP_PREFIX "%" G_GINT64_FORMAT "-%s-%d-%u%s", part->start_ms,
                          rec->info.media_session_id, g_atomic_int_add (&serial, 1),
                          part->index, rec->extension);
  part->path = g_build_filename (cb_engine_get_records_dir (rec->reg->engine), base, NULL);
  g_ptr_array_add (rec->parts, part);
  g_mutex_unlock (&rec->parts_lock);

  write_sidecar (rec, part->path, part->index, part->start_ms);
  return g_strdup (part->path);
}

static void finish_left_parts (Recorder *rec);

static void
set_null_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  gst_element_set_state (GST_ELEMENT (task_data), GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

static void
on_pipeline_stopped (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Recorder *rec = data;

  rec->n_finishing--;
  finish_left_parts (rec);
  recorder_maybe_done (rec);
}

/* The pipeline has ended (EOS, an error, or the stop timeout). Stopping it waits for its
 * streaming threads, and one may be in a write to a slow or hung disk: that wait is done
 * in a worker thread, never in the engine's. The recorder lives on until it returns (its
 * pad probes may still run), then the parts left are finished. */
static void
pipeline_done (Recorder *rec)
{
  g_autoptr(GTask) task = NULL;

  if (rec->pipeline_done)
    return;
  rec->pipeline_done = TRUE;
  cb_pipeline_unwatch (rec->pipeline);
  if (rec->stop_timeout != NULL)
    g_source_destroy (rec->stop_timeout);
  g_clear_pointer (&rec->stop_timeout, g_source_unref);
  if (rec->pipeline == NULL)
    {
      finish_left_parts (rec);
      recorder_maybe_done (rec);
      return;
    }
  rec->n_finishing++;
  task = g_task_new (NULL, NULL, on_pipeline_stopped, rec);
  g_task_set_source_tag (task, pipeline_done);
  g_task_set_task_data (task, gst_object_ref (rec->pipeline), gst_object_unref);
  g_task_run_in_thread (task, set_null_in_thread);
}

static void
finish_left_parts (Recorder *rec)
{
  g_autoptr(GPtrArray) left = NULL;

  /* Parts the muxer never closed (an error, a timeout): the finisher repairs them. */
  left = g_ptr_array_new_with_free_func (g_free);
  g_mutex_lock (&rec->parts_lock);
  for (guint i = 0; i < rec->parts->len; i++)
    g_ptr_array_add (left, g_strdup (((Part *) g_ptr_array_index (rec->parts, i))->path));
  g_mutex_unlock (&rec->parts_lock);
  for (guint i = 0; i < left->len; i++)
    finish_part (rec, g_ptr_array_index (left, i));
}

static gboolean
on_stop_timeout (gpointer data)
{
  Recorder *rec = data;

  g_warning ("recording of %s: the muxer did not finish in time", rec->info.stream_name);
  g_clear_pointer (&rec->stop_timeout, g_source_unref);
  pipeline_done (rec);
  return G_SOURCE_REMOVE;
}

static gboolean
on_bus_message (GstMessage   *msg,
                const GError *error,
                gpointer      data)
{
  Recorder *rec = data;

  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *s = gst_message_get_structure (msg);

        if (s != NULL && gst_structure_has_name (s, "splitmuxsink-fragment-opened"))
          {
            g_mutex_lock (&rec->reg->lock);
            set_str (&rec->info.path, gst_structure_get_string (s, "location"));
            g_mutex_unlock (&rec->reg->lock);
          }
        else if (s != NULL && gst_structure_has_name (s, "splitmuxsink-fragment-closed"))
          {
            const char *location = gst_structure_get_string (s, "location");

            /* The last part is finished after the pipeline stops (its EOS). */
            if (location != NULL && !rec->stopping)
              finish_part (rec, location);
          }
        break;
      }
    case GST_MESSAGE_EOS:
      pipeline_done (rec);
      break;
    case GST_MESSAGE_ERROR:
      {
        g_autofree char *text = cb_pipeline_error_text (msg);
        g_autofree char *reason = NULL;

        g_warning ("recording of %s failed: %s", rec->info.stream_name, error->message);
        reason = g_strdup_printf ("Recording stopped: %s", text);
        if (!rec->stopping)
          recorder_stop (rec, reason);
        pipeline_done (rec);
        break;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static guint64
free_space (const char *dir)
{
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autoptr(GFileInfo) fs = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                                          NULL, NULL);

  if (fs == NULL || !g_file_info_has_attribute (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return G_MAXUINT64;
  return g_file_info_get_attribute_uint64 (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

static guint64
min_free_space (CbEngine *engine)
{
  gint64 mb = cb_settings_get_int (cb_engine_get_settings (engine), "record_min_free_space");

  return mb > 0 ? (guint64) mb * 1024 * 1024 : 0;
}

static gboolean recorder_begin (Recorder *rec, GError **error);

static gboolean
on_recorder_tick (gpointer data)
{
  Recorder *rec = data;
  CbEngine *engine = rec->reg->engine;
  gint64 now = g_get_monotonic_time ();

  if (rec->stopping)
    return G_SOURCE_CONTINUE;

  if (rec->pipeline == NULL)
    {
      g_autoptr(GstCaps) video = cb_stream_dup_caps (rec->stream, CB_MEDIA_VIDEO);
      g_autoptr(GstCaps) audio = cb_stream_dup_caps (rec->stream, CB_MEDIA_AUDIO);
      g_autoptr(GError) error = NULL;

      if (cb_stream_status_is_final (cb_stream_get_status (rec->stream)))
        {
          recorder_stop (rec, "The stream ended before any media came");
          return G_SOURCE_CONTINUE;
        }
      if (video == NULL && audio == NULL)
        return G_SOURCE_CONTINUE;
      if (video == NULL || audio == NULL)
        {
          if (rec->one_kind_us == 0)
            rec->one_kind_us = now;
          if (now - rec->one_kind_us < WAIT_SECOND_KIND_US)
            return G_SOURCE_CONTINUE;
        }
      if (!recorder_begin (rec, &error))
        {
          g_warning ("recording of %s: %s", rec->info.stream_name, error->message);
          recorder_stop (rec, error->message);
        }
      return G_SOURCE_CONTINUE;
    }

  /* Ticks every 200 ms while waiting for media, then every second (recorder_begin). */
  if (now - rec->last_check_us < G_USEC_PER_SEC * 9 / 10)
    return G_SOURCE_CONTINUE;
  rec->last_check_us = now;

  /* A consumer that drops is a disk that cannot keep up: stop rather than write holes. */
  if (rec->consumer != NULL && now - rec->begun_us > SETTLE_US)
    {
      guint64 dropped = cb_consumer_get_dropped (rec->consumer);

      if (!rec->settled)
        {
          rec->settled = TRUE;
          rec->dropped_base = dropped;
        }
      else if (dropped > rec->dropped_base)
        {
          rec->disk_behind = TRUE;
          recorder_stop (rec, "Recording stopped: the disk could not keep up");
          return G_SOURCE_CONTINUE;
        }
    }
  if (free_space (cb_engine_get_records_dir (engine)) < min_free_space (engine))
    {
      recorder_stop (rec, "Recording stopped: the disk is almost full");
      return G_SOURCE_CONTINUE;
    }

  {
    g_autofree char *path = NULL;
    guint64 size = rec->closed_bytes;
    GStatBuf st;

    g_mutex_lock (&rec->reg->lock);
    path = g_strdup (rec->info.path);
    g_mutex_unlock (&rec->reg->lock);
    if (path != NULL && g_stat (path, &st) == 0)
      size += st.st_size;
    g_mutex_lock (&rec->reg->lock);
    rec->info.size = size;
    rec->info.duration = (now - rec->begun_us) / (double) G_USEC_PER_SEC;
    g_mutex_unlock (&rec->reg->lock);
  }
  cb_record_registry_changed (rec->reg);
  return G_SOURCE_CONTINUE;
}

/* The queue in front of the muxer is bounded by bytes and by time (record_max_lag): a
 * disk slower than the stream fills it, the fan-out then drops, and the timer stops the
 * recording (the disk could not keep up). */
static GstElement *
make_src (Recorder   *rec,
          const char *name)
{
  GstElement *src = gst_element_factory_make ("appsrc", name);
  gint64 lag = cb_settings_get_int (cb_engine_get_settings (rec->reg->engine), "record_max_lag");

  /* Time format before the pipeline starts (attaching sets it again, too late for the
   * first segment: a byte segment reached the muxer untouched where no parser converts it). */
  g_object_set (src, "max-bytes", (guint64) QUEUE_MAX_BYTES,
                "max-time", (guint64) CLAMP (lag, 1, 3600) * GST_SECOND, "stream-type", 0,
                "format", GST_FORMAT_TIME, NULL);
  return src;
}

/* What passes from a parser to the muxer. mp4mux must see one caps event per file: a caps
 * update before the first buffer (parsers refine their caps once they see data) crashed
 * GStreamer 1.22's qtmux now and then, and new caps after data (a new resolution, in a
 * sequence header or in-band parameter sets) made it rewrite its header over the file. So
 * caps and segment wait for the first buffer, and later caps never reach the muxer. */
typedef struct {
  Recorder *rec;
  gboolean  split_on_change;
  gboolean  flowed;
  gboolean  forwarding;
  GstCaps  *caps;       /* before the first buffer: the latest; after: what the muxer got */
  GstEvent *segment;    /* held until the first buffer */
} ParsedPad;

static void
parsed_pad_free (gpointer data)
{
  ParsedPad *pp = data;

  gst_clear_caps (&pp->caps);
  gst_clear_event (&pp->segment);
  g_free (pp);
}

static GstPadProbeReturn
on_parsed (GstPad          *pad,
           GstPadProbeInfo *info,
           gpointer         data)
{
  ParsedPad *pp = data;
  GstEvent *event;
  GstCaps *caps;

  if (pp->forwarding)
    return GST_PAD_PROBE_OK;
  /* After a change only the end goes through: the muxer closes the file with what it has. */
  if (g_atomic_int_get (&pp->rec->media_changed))
    return (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) &&
           GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS
           ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      if (!pp->flowed)
        {
          pp->flowed = TRUE;
          g_atomic_int_set (&pp->rec->media_written, 1);
          pp->forwarding = TRUE;
          if (pp->caps != NULL)
            gst_pad_push_event (pad, gst_event_new_caps (pp->caps));
          /* A copy: the pad keeps the dropped event as sticky, and would not send that
           * very event again. */
          if (pp->segment != NULL)
            gst_pad_push_event (pad, gst_event_copy (pp->segment));
          gst_clear_event (&pp->segment);
          pp->forwarding = FALSE;
        }
      return GST_PAD_PROBE_OK;
    }

  event = GST_PAD_PROBE_INFO_EVENT (info);
  switch (GST_EVENT_TYPE (event))
    {
    case GST_EVENT_CAPS:
      gst_event_parse_caps (event, &caps);
      if (!pp->flowed)
        {
          gst_caps_replace (&pp->caps, caps);
          return GST_PAD_PROBE_DROP;
        }
      /* A new resolution that came in-band (parameter sets before the keyframe; VP8
       * keyframes carry their size) goes on in the same file: decoders follow it as they
       * do in a live stream. Other new caps (a new codec configuration, another audio
       * rate) need a new track: a new file. */
      if (pp->split_on_change && pp->caps != NULL && !gst_caps_is_equal (pp->caps, caps))
        {
          if (g_atomic_int_compare_and_exchange (&pp->rec->media_changed, FALSE, TRUE))
            schedule_caps_change (pp->rec);
        }
      return GST_PAD_PROBE_DROP;
    case GST_EVENT_SEGMENT:
      if (!pp->flowed)
        {
          gst_event_replace (&pp->segment, event);
          return GST_PAD_PROBE_DROP;
        }
      return GST_PAD_PROBE_OK;
    case GST_EVENT_TAG:
      /* Nothing of ours is in tags, and one before the caps would be out of order. */
      return pp->flowed ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
    default:
      return GST_PAD_PROBE_OK;
    }
}

static gboolean
add_branch (Recorder    *rec,
            CbMediaKind  kind,
            const char  *parser,
            GstElement  *splitmux,
            GError     **error)
{
  GstElement *src = make_src (rec, kind == CB_MEDIA_VIDEO ? "video" : "audio");
  GstElement *parse = parser ? gst_element_factory_make (parser, NULL) : NULL;
  GstElement *last = src;
  GstPad *sinkpad;
  GstPad *srcpad;
  GstPadLinkReturn ret;
  ParsedPad *pp;

  if (parser != NULL && parse == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer element %s is missing", parser);
      gst_object_unref (src);
      return FALSE;
    }
  /* No queue of our own: appsrc has its thread and its queue (whose limit is what tells a
   * disk that cannot keep up), and splitmuxsink queues each input while it waits for the
   * other kind's keyframe. */
  gst_bin_add (GST_BIN (rec->pipeline), src);
  if (parse != NULL)
    {
      gst_bin_add (GST_BIN (rec->pipeline), parse);
      gst_element_link (src, parse);
      last = parse;
    }
  srcpad = gst_element_get_static_pad (last, "src");
  pp = g_new0 (ParsedPad, 1);
  pp->rec = rec;
  /* Without a parser new caps come from the stream itself (an RTMP sequence header): the
   * frames after them need the new configuration, which the file's header cannot give.
   * With one, a new resolution came with in-band parameter sets (see on_parsed). */
  pp->split_on_change = kind == CB_MEDIA_AUDIO || parse == NULL;
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_parsed, pp, parsed_pad_free);
  sinkpad = gst_element_request_pad_simple (splitmux, kind == CB_MEDIA_VIDEO ? "video" : "audio_%u");
  ret = gst_pad_link (srcpad, sinkpad);
  gst_object_unref (srcpad);
  gst_object_unref (sinkpad);
  if (ret != GST_PAD_LINK_OK)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Could not link the recorder");
      return FALSE;
    }
  rec->src[kind] = gst_object_ref (src);
  return TRUE;
}

static gboolean
formats_include (CbEngine   *engine,
                 const char *format)
{
  const char *formats = cb_settings_get_string (cb_engine_get_settings (engine), "record_formats");
  g_auto(GStrv) list = g_strsplit (formats ? formats : "", ",", -1);

  for (guint i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (list[i]), format) == 0)
      return TRUE;
  return FALSE;
}

typedef struct {
  CbEngine *engine;
  char     *media_session_id;
  guint     id;
} CapsChange;

static void
caps_change_free (gpointer data)
{
  CapsChange *cc = data;

  g_object_unref (cc->engine);
  g_free (cc->media_session_id);
  g_free (cc);
}

/* A new resolution or codec configuration: this file ends and a new one begins with the
 * new caps (a muxer cannot change them in the middle of a file). */
static gboolean
on_caps_change_idle (gpointer data)
{
  CapsChange *cc = data;
  CbRecordRegistry *reg = cb_engine_get_record_registry (cc->engine);
  Recorder *rec = g_hash_table_lookup (reg->recorders, cc->media_session_id);
  g_autofree char *template_ = NULL;
  g_autofree char *rotation = NULL;
  g_autoptr(GError) error = NULL;
  CbRecordConfig config;

  if (rec == NULL || rec->id != cc->id || rec->stopping)
    return G_SOURCE_REMOVE;
  g_message ("Recording of %s: the media changed; going on in a new file", rec->info.stream_name);
  template_ = g_strdup (rec->template_);
  rotation = g_strdup (rec->rotation);
  config.file_template = template_;
  config.rotation = rotation;
  if (!cb_engine_record_start (cc->engine, cc->media_session_id, &config, &error))
    g_warning ("recording of %s: %s", cc->media_session_id, error->message);
  return G_SOURCE_REMOVE;
}

/* On a streaming thread: only schedule. */
static void
schedule_caps_change (Recorder *rec)
{
  CapsChange *cc = g_new0 (CapsChange, 1);

  cc->engine = g_object_ref (rec->reg->engine);
  cc->media_session_id = g_strdup (rec->info.media_session_id);
  cc->id = rec->id;
  cb_idle_on (cb_engine_get_context (rec->reg->engine), G_PRIORITY_DEFAULT, on_caps_change_idle,
              cc, caps_change_free);
}

static gboolean
caps_are_complete (GstCaps    *caps,
                   const char *field1,
                   const char *field2,
                   const char *field3)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);

  return gst_structure_has_field (s, field1) && gst_structure_has_field (s, field2) &&
         gst_structure_has_field (s, field3);
}

/* The stream's media is known: build the pipeline and attach. */
static gboolean
recorder_begin (Recorder  *rec,
                GError   **error)
{
  CbEngine *engine = rec->reg->engine;
  CbSettings *settings = cb_engine_get_settings (engine);
  g_autoptr(GstCaps) video = cb_stream_dup_caps (rec->stream, CB_MEDIA_VIDEO);
  g_autoptr(GstCaps) audio = cb_stream_dup_caps (rec->stream, CB_MEDIA_AUDIO);
  const char *vcodec = video ? cb_media_codec_from_caps (video) : NULL;
  const char *acodec = audio ? cb_media_codec_from_caps (audio) : NULL;
  CbProfile profile = { 0 };
  CbAudioWant want = CB_AUDIO_AAC;
  const char *audio_parser = "aacparse";
  GstElement *splitmux;
  GstElement *muxer;
  GstElement *sink;
  g_autofree char *name = NULL;

  if (g_strcmp0 (vcodec, "VP8") == 0 && formats_include (engine, "vp8-webm"))
    {
      g_free (rec->extension);
      rec->extension = g_strdup (".webm");
      want = CB_AUDIO_OPUS;
      audio_parser = "opusparse";
    }
  else
    {
      if (vcodec != NULL && g_strcmp0 (vcodec, "H264") != 0)
        {
          /* MP4 holds H.264 here: another codec is encoded once for every such consumer. */
          if (!cb_settings_get_bool (settings, "transcoding_enabled"))
            {
              g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                           "Transcoding required, but disabled");
              return FALSE;
            }
          profile.keyframe_interval = 60;
        }
      if (g_strcmp0 (acodec, "opus") == 0 && cb_settings_get_bool (settings, "record_mp4_opus"))
        {
          want = CB_AUDIO_ANY;
          audio_parser = "opusparse";
        }
    }

  rec->pipeline = gst_pipeline_new ("recorder");
  splitmux = gst_element_factory_make ("splitmuxsink", NULL);
  muxer = gst_element_factory_make (g_str_equal (rec->extension, ".webm") ? "matroskamux" : "mp4mux",
                                    NULL);
  sink = gst_element_factory_make ("filesink", NULL);
  if (splitmux == NULL || muxer == NULL || sink == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer's splitmuxsink, mp4mux or matroskamux is missing");
      g_clear_pointer (&splitmux, gst_object_unref);
      g_clear_pointer (&muxer, gst_object_unref);
      g_clear_pointer (&sink, gst_object_unref);
      return FALSE;
    }
  if (g_str_equal (rec->extension, ".mp4"))
    /* Fragments of a second, index first: readable up to the last fragment at any time. */
    g_object_set (muxer, "fragment-duration", 1000, "streamable", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  g_object_set (splitmux,
                "muxer", muxer,
                "sink", sink,
                "max-size-time", (guint64) (rec->rotation_seconds * GST_SECOND),
                "max-size-bytes", (guint64) rec->rotation_bytes,
                "send-keyframe-requests", FALSE,
                NULL);
  g_signal_connect (splitmux, "format-location-full", G_CALLBACK (on_format_location), rec);
  gst_bin_add (GST_BIN (rec->pipeline), splitmux);

  /* A parser only where the caps lack what the muxer needs: parsing every frame cost more
   * than the muxing (bench/record.py). RTMP and files give complete caps. */
  if (video != NULL)
    {
      const char *video_parser = "h264parse";

      if (profile.keyframe_interval == 0 &&
          (g_strcmp0 (vcodec, "VP8") == 0 || caps_are_complete (video, "width", "height",
                                                               "codec_data")))
        video_parser = NULL;
      if (!add_branch (rec, CB_MEDIA_VIDEO, video_parser, splitmux, error))
        return FALSE;
    }
  if (want == CB_AUDIO_AAC && g_strcmp0 (acodec, "mpeg4-generic") == 0 &&
      caps_are_complete (audio, "rate", "channels", "codec_data"))
    audio_parser = NULL;
  if (audio != NULL && !add_branch (rec, CB_MEDIA_AUDIO, audio_parser, splitmux, error))
    return FALSE;

  cb_pipeline_watch (rec->pipeline, cb_engine_get_context (engine), on_bus_message, rec, NULL);
  if (gst_element_set_state (rec->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "The recorder did not start");
      return FALSE;
    }

  rec->consumer = cb_stream_attach_appsrc (rec->stream, rec->src[CB_MEDIA_VIDEO],
                                           rec->src[CB_MEDIA_AUDIO], &profile, want, error);
  if (rec->consumer == NULL)
    return FALSE;

  rec->begun_us = g_get_monotonic_time ();
  /* Media flows: disk and size checks once a second are enough. */
  if (rec->timer != NULL)
    g_source_destroy (rec->timer);
  g_clear_pointer (&rec->timer, g_source_unref);
  rec->timer = g_timeout_source_new_seconds (1);
  g_source_set_callback (rec->timer, on_recorder_tick, rec, NULL);
  g_source_attach (rec->timer, cb_engine_get_context (engine));
  rec->info.start_time = g_get_real_time () / 1000;
  name = unique_name (rec, expand_name (rec, rec->info.start_time, -1, 0));
  g_mutex_lock (&rec->reg->lock);
  rec->info.state = CB_RECORDING_RECORDING;
  set_str (&rec->info.file_name, name);
  set_str (&rec->info.video_codec, video ? (profile.keyframe_interval ? "H264" : vcodec) : NULL);
  set_str (&rec->info.audio_codec, audio ? (want == CB_AUDIO_AAC ? "mpeg4-generic" : acodec) : NULL);
  g_mutex_unlock (&rec->reg->lock);
  cb_stream_set_record (rec->stream, TRUE, name);
  g_info ("recording %s into %s", rec->info.stream_name, name);
  cb_record_registry_changed (rec->reg);
  return TRUE;
}

/* ---- stopping ------------------------------------------------------------- */

static void
recorder_maybe_done (Recorder *rec)
{
  CbRecordRegistry *reg = rec->reg;

  if (!rec->pipeline_done || rec->n_finishing > 0)
    return;
  g_mutex_lock (&reg->lock);
  g_ptr_array_remove (reg->done, rec);
  g_mutex_unlock (&reg->lock);
  cb_record_registry_changed (reg);
  recorder_free (rec);
}

/* Stops writing: the last part is named now, so that the stream's UNPUBLISHED carries
 * the file's final name; the muxer then closes it and the finisher takes it. */
static void
recorder_stop (Recorder   *rec,
               const char *reason)
{
  CbRecordRegistry *reg = rec->reg;

  if (rec->stopping)
    return;
  rec->stopping = TRUE;

  g_mutex_lock (&reg->lock);
  g_hash_table_remove (reg->recorders, rec->info.media_session_id);
  g_ptr_array_add (reg->done, rec);
  rec->info.state = rec->pipeline != NULL ? CB_RECORDING_FINISHING : CB_RECORDING_FAILED;
  set_str (&rec->info.reason, reason);
  g_mutex_unlock (&reg->lock);
  if (reason != NULL)
    g_message ("Recording of %s stopped: %s", rec->info.stream_name, reason);

  if (rec->pipeline != NULL)
    {
      gint64 start_ms = rec->info.start_time;

      g_mutex_lock (&rec->parts_lock);
      if (rec->parts->len > 0)
        start_ms = name_start_ms (rec, g_ptr_array_index (rec->parts, rec->parts->len - 1));
      g_mutex_unlock (&rec->parts_lock);
      /* WCS leaves the last part unnumbered. */
      rec->last_name = unique_name (rec, expand_name (rec, start_ms, g_get_real_time () / 1000, 0));
      g_mutex_lock (&reg->lock);
      set_str (&rec->info.file_name, rec->last_name);
      g_mutex_unlock (&reg->lock);
      cb_stream_set_record (rec->stream, FALSE, rec->last_name);
    }
  else
    cb_stream_set_record (rec->stream, FALSE, NULL);

  g_clear_pointer (&rec->consumer, cb_consumer_detach);
  if (rec->timer != NULL)
    g_source_destroy (rec->timer);
  g_clear_pointer (&rec->timer, g_source_unref);

  if (rec->pipeline == NULL || rec->pipeline_done)
    {
      rec->pipeline_done = TRUE;
      recorder_maybe_done (rec);
      return;
    }
  /* Behind a disk that cannot keep up, the queue holds up to record_max_lag seconds that
   * would take longer still to write: the file ends where the disk got to, its last
   * fragment closed by the finisher as after a crash. */
  if (rec->disk_behind)
    {
      pipeline_done (rec);
      cb_record_registry_changed (reg);
      return;
    }
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (rec->src[k] != NULL)
      gst_app_src_end_of_stream (GST_APP_SRC (rec->src[k]));
  rec->stop_timeout = g_timeout_source_new (STOP_TIMEOUT_MS);
  g_source_set_callback (rec->stop_timeout, on_stop_timeout, rec, NULL);
  g_source_attach (rec->stop_timeout, cb_engine_get_context (reg->engine));
  cb_record_registry_changed (reg);
}

/* ---- the engine's operations ---------------------------------------------- */

static gboolean
ensure_records_dir (CbEngine  *engine,
                    GError   **error)
{
  const char *dir = cb_engine_get_records_dir (engine);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "Cannot create the records folder: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
cb_engine_record_start (CbEngine              *self,
                        const char            *media_session_id,
                        const CbRecordConfig  *config,
                        GError               **error)
{
  CbRecordRegistry *reg;
  CbSettings *settings;
  g_autoptr(CbStream) stream = NULL;
  const char *rotation;
  const char *template_;
  gint64 seconds = 0;
  gint64 bytes = 0;
  static guint last_id;
  Recorder *rec;
  Recorder *current;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  reg = cb_engine_get_record_registry (self);
  settings = cb_engine_get_settings (self);
  stream = media_session_id ? cb_engine_lookup_session (self, media_session_id) : NULL;
  if (stream == NULL || !cb_stream_is_published (stream) ||
      cb_stream_status_is_final (cb_stream_get_status (stream)))
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return FALSE;
    }

  rotation = config && config->rotation ? config->rotation
                                        : cb_settings_get_string (settings, "record_rotation");
  if (!cb_record_rotation_parse (rotation, &seconds, &bytes, error))
    return FALSE;
  template_ = config && config->file_template && *config->file_template
              ? config->file_template
              : cb_settings_get_string (settings, "stream_record_policy_template");
  if (template_ == NULL || *template_ == '\0')
    template_ = "stream-{mediaSessionId}-{login}";

  if (!ensure_records_dir (self, error))
    return FALSE;
  if (free_space (cb_engine_get_records_dir (self)) < min_free_space (self))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "Not enough free space in the records folder (record_min_free_space is "
                   "%" G_GINT64_FORMAT " MB)",
                   cb_settings_get_int (settings, "record_min_free_space"));
      return FALSE;
    }

  /* As WCS does: a new recording of a stream that records stops the current file first. */
  current = g_hash_table_lookup (reg->recorders, media_session_id);
  if (current != NULL)
    recorder_stop (current, NULL);

  rec = g_new0 (Recorder, 1);
  rec->reg = reg;
  rec->stream = g_object_ref (stream);
  rec->id = ++last_id;
  rec->template_ = g_strdup (template_);
  rec->rotation = g_strdup (rotation);
  rec->rotation_seconds = seconds;
  rec->rotation_bytes = bytes;
  rec->numbered = (seconds > 0 || bytes > 0) && !cb_record_name_has_time (template_);
  rec->extension = g_strdup (".mp4");
  rec->parts = g_ptr_array_new_with_free_func (part_free);
  g_mutex_init (&rec->parts_lock);
  rec->info.state = CB_RECORDING_WAITING;
  rec->info.stream_name = g_strdup (cb_stream_get_name (stream));
  rec->info.media_session_id = g_strdup (media_session_id);
  rec->info.start_time = g_get_real_time () / 1000;
  g_mutex_lock (&reg->lock);
  g_hash_table_insert (reg->recorders, rec->info.media_session_id, rec);
  g_mutex_unlock (&reg->lock);

  rec->timer = g_timeout_source_new (200);
  g_source_set_callback (rec->timer, on_recorder_tick, rec, NULL);
  g_source_attach (rec->timer, cb_engine_get_context (self));
  /* Media already flowing: begin at once (the tick would also, a moment later). */
  on_recorder_tick (rec);
  cb_record_registry_changed (reg);
  return TRUE;
}

gboolean
cb_engine_record_stop (CbEngine    *self,
                       const char  *media_session_id,
                       GError     **error)
{
  CbRecordRegistry *reg;
  Recorder *rec;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  reg = cb_engine_get_record_registry (self);
  rec = media_session_id ? g_hash_table_lookup (reg->recorders, media_session_id) : NULL;
  if (rec == NULL)
    {
      g_autoptr(CbStream) stream = media_session_id ? cb_engine_lookup_session (self, media_session_id)
                                                    : NULL;

      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND,
                           stream ? "The stream is not recording" : "Stream not found");
      return FALSE;
    }
  recorder_stop (rec, NULL);
  return TRUE;
}

gboolean
cb_engine_is_recording (CbEngine   *self,
                        const char *media_session_id)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  gboolean recording;

  if (media_session_id == NULL)
    return FALSE;
  g_mutex_lock (&reg->lock);
  recording = g_hash_table_contains (reg->recorders, media_session_id);
  g_mutex_unlock (&reg->lock);
  return recording;
}

/* cb_engine_remove_stream(): the stream ends; its recording ends first, so that the final
 * status event names the file. */
void
cb_engine_record_stream_ending (CbEngine *self,
                                CbStream *stream)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  Recorder *rec = g_hash_table_lookup (reg->recorders, cb_stream_get_media_session_id (stream));

  if (rec != NULL && rec->stream == stream)
    recorder_stop (rec, NULL);
}

/* cb_engine_add_stream(): record_streams and record_flash_published_streams. */
void
cb_engine_record_auto_start (CbEngine *self,
                             CbStream *stream)
{
  CbSettings *settings = cb_engine_get_settings (self);
  g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (stream);
  g_autoptr(GError) error = NULL;

  if (!info->published)
    return;
  if (!cb_settings_get_bool (settings, "record_streams") &&
      !(cb_settings_get_bool (settings, "record_flash_published_streams") &&
        g_strcmp0 (info->media_provider, "RTMP") == 0 && !info->rtmp_pull))
    return;
  if (!cb_engine_record_start (self, info->media_session_id, NULL, &error))
    g_warning ("recording %s: %s", info->name, error->message);
}

void
cb_engine_record_shutdown (CbEngine *self)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  g_autoptr(GList) all = g_hash_table_get_values (reg->recorders);

  for (GList *l = all; l != NULL; l = l->next)
    recorder_stop (l->data, "Stopped by server shutdown");
}

/* TRUE once every recorder has closed its files (for a shutdown that waits). */
gboolean
cb_engine_record_idle (CbEngine *self)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);

  return g_hash_table_size (reg->recorders) == 0 && reg->done->len == 0;
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const CbRecordingInfo *ia = *(CbRecordingInfo **) a;
  const CbRecordingInfo *ib = *(CbRecordingInfo **) b;

  if (ia->start_time != ib->start_time)
    return ia->start_time > ib->start_time ? -1 : 1;
  return g_strcmp0 (ia->file_name, ib->file_name);
}

static void
add_recorder_info (GPtrArray *out,
                   Recorder  *rec)
{
  g_ptr_array_add (out, cb_recording_info_copy (&rec->info));
}

/**
 * cb_engine_list_recordings:
 * @running_only: only what recorders are writing now (/recorder/find_all)
 *
 * Returns: (transfer full) (element-type CbRecordingInfo): newest first. Call on the
 * engine context.
 */
GPtrArray *
cb_engine_list_recordings (CbEngine *self,
                           gboolean  running_only)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_recording_info_free);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&reg->lock);
  g_hash_table_iter_init (&iter, reg->recorders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    add_recorder_info (out, value);
  if (!running_only)
    {
      for (guint i = 0; i < reg->done->len; i++)
        add_recorder_info (out, g_ptr_array_index (reg->done, i));
      for (guint i = 0; i < reg->files->len; i++)
        g_ptr_array_add (out, cb_recording_info_copy (g_ptr_array_index (reg->files, i)));
    }
  g_mutex_unlock (&reg->lock);
  g_ptr_array_sort (out, compare_newest_first);
  return out;
}

/* A recording's name from the network or a user: through the one confinement function,
 * and never a hidden file (the temporary files are reached by their recording's name). */
static char *
confine_record_name (CbEngine    *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *path;

  if (name == NULL || name[0] == '.' || strchr (name, '/') != NULL)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                           "File names are plain names inside the records folder");
      return NULL;
    }
  path = cb_path_confine (cb_engine_get_records_dir (self), name, &local);
  if (path == NULL && g_error_matches (local, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND))
    /* Not on disk (yet): the caller looks for a recorder by that name. */
    return g_build_filename (cb_engine_get_records_dir (self), name, NULL);
  if (path == NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return path;
}

/* The recorder (running, or stopped and finishing) whose file will be @name, or NULL.
 * Called with reg->lock held. */
static Recorder *
find_recorder_by_name (CbRecordRegistry *reg,
                       const char       *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, reg->recorders);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_strcmp0 (((Recorder *) value)->info.file_name, name) == 0)
      return value;
  for (guint i = 0; i < reg->done->len; i++)
    if (g_strcmp0 (((Recorder *) g_ptr_array_index (reg->done, i))->info.file_name, name) == 0)
      return g_ptr_array_index (reg->done, i);
  return NULL;
}

/**
 * cb_engine_resolve_record_file:
 *
 * The file behind a recording's name, for downloads: a finished file in the records
 * folder, or the file a recorder is writing under that name now (readable up to its last
 * fragment). Names from the network: a plain name, never a path.
 */
char *
cb_engine_resolve_record_file (CbEngine    *self,
                               const char  *name,
                               GError     **error)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  g_autofree char *path = NULL;
  Recorder *rec;

  path = confine_record_name (self, name, error);
  if (path == NULL)
    return NULL;
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);

  g_clear_pointer (&path, g_free);
  g_mutex_lock (&reg->lock);
  rec = find_recorder_by_name (reg, name);
  if (rec != NULL && rec->info.path != NULL)
    path = g_strdup (rec->info.path);
  g_mutex_unlock (&reg->lock);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found");
      return NULL;
    }
  return g_steal_pointer (&path);
}

gboolean
cb_engine_delete_recording (CbEngine    *self,
                            const char  *name,
                            GError     **error)
{
  CbRecordRegistry *reg = cb_engine_get_record_registry (self);
  g_autofree char *path = NULL;
  Recorder *rec;

  path = confine_record_name (self, name, error);
  if (path == NULL)
    return FALSE;
  g_mutex_lock (&reg->lock);
  rec = find_recorder_by_name (reg, name);
  g_mutex_unlock (&reg->lock);
  if (rec != NULL)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                           rec->stopping ? "The recording is still being finished"
                                         : "The recording is still running: stop it first");
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found");
      return FALSE;
    }
  if (g_unlink (path) != 0)
    {
      int saved = errno;

      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot delete %s: %s", name,
                   g_strerror (saved));
      return FALSE;
    }
  g_mutex_lock (&reg->lock);
  for (guint i = 0; i < reg->files->len; i++)
    if (g_strcmp0 (((CbRecordingInfo *) g_ptr_array_index (reg->files, i))->file_name, name) == 0)
      {
        g_ptr_array_remove_index (reg->files, i);
        break;
      }
  g_mutex_unlock (&reg->lock);
  cb_record_registry_changed (reg);
  return TRUE;
}

