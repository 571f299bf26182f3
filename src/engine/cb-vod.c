/* cb-vod.c — VOD readers: MP4 files of the media and records folders played as streams
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A reader is a producer like any other: `filesrc ! qtdemux`, H.264 through h264parse
 * (avc, au) and AAC through aacparse (raw), into appsinks that render in real time
 * against the pipeline clock and push into the stream as they go.
 *
 * Before the pipeline starts, a probe reads the head of the file on a worker thread: the
 * file must be MP4 with H.264 and AAC ("File has wrong format" otherwise), and what it
 * learns — the caps, whether there are B-frames, how far the first decoding times lie
 * before the first presentation — is on the stream before any player chooses how to
 * consume it (a WebRTC player needs B-frames transcoded; it waits while the stream is
 * preparing).
 *
 * The stream's timestamps are the file's running time, shifted so that no decoding time
 * is negative; its timeline origin is 0, so RTMP players see the position in the file.
 *
 * - vod-live://FILE: one reader per file, shared, registered under its name; it loops
 *   (vod_live_loop, or /vod/startup's loop) with segment seeks, so that the running time
 *   — and with it the stream's timestamps — goes on increasing across the loop; it ends
 *   vod_stream_timeout seconds after its last viewer left (or after it started, when
 *   nobody came).
 * - vod://FILE: one reader per viewer, registered by mediaSessionId only so that nobody
 *   else can join; it starts when its viewer attaches (so the viewer gets the file from
 *   its first keyframe) and ends at the end of the file or when the viewer leaves.
 */
#include "config.h"

#include <string.h>
#include <gst/app/gstappsink.h>

#include "cb-engine-private.h"
#include "cb-path.h"
#include "cb-pipeline.h"
#include "cb-vod.h"

/* How much of the file the probe reads at most: enough video to see B-frames. */
#define PROBE_VIDEO_FRAMES 60
#define PROBE_TIMEOUT_US   (10 * G_USEC_PER_SEC)
/* However short vod_stream_timeout is, the first viewer has this long to attach (a WebRTC
 * player attaches once its answer is made). */
#define FIRST_VIEWER_GRACE_S 5
/* Each track's queue after the demuxer: room for a badly interleaved file. */
#define QUEUE_TIME         (5 * GST_SECOND)

static GQuark vod_tag_quark (void);
static GQuark vod_error_quark (void);
G_DEFINE_QUARK (cb-vod-tag, vod_tag)
G_DEFINE_QUARK (cb-vod-error, vod_error)

/* What the stream carries about its reader: immutable, so any thread may read it. */
typedef struct {
  CbVodKind  kind;
  char      *uri;
  gboolean   loop;
} VodTag;

static void
vod_tag_free (gpointer data)
{
  VodTag *tag = data;

  g_free (tag->uri);
  g_free (tag);
}

static const VodTag *
get_tag (CbStream *stream)
{
  return g_object_get_qdata (G_OBJECT (stream), vod_tag_quark ());
}

void
cb_vod_info_free (CbVodInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->local_media_session_id);
  g_free (info->local_stream_name);
  g_free (info->uri);
  g_free (info);
}

/* ---- names ------------------------------------------------------------------------ */

CbVodKind
cb_vod_parse_name (const char  *name,
                   char       **file,
                   char       **canonical)
{
  static const struct {
    const char *scheme;
    CbVodKind   kind;
  } schemes[] = {
    { "vod-live", CB_VOD_LIVE },
    { "vod",      CB_VOD_PERSONAL },
  };

  if (file != NULL)
    *file = NULL;
  if (canonical != NULL)
    *canonical = NULL;
  if (name == NULL)
    return CB_VOD_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      gsize n = strlen (schemes[i].scheme);
      const char *rest;

      if (g_ascii_strncasecmp (name, schemes[i].scheme, n) != 0 || name[n] != ':')
        continue;
      rest = name + n + 1;
      if (g_str_has_prefix (rest, "//"))
        rest += 2;
      if (file != NULL)
        *file = g_strdup (rest);
      if (canonical != NULL)
        *canonical = g_strdup_printf ("%s://%s", schemes[i].scheme, rest);
      return schemes[i].kind;
    }
  return CB_VOD_NONE;
}

gboolean
cb_vod_is_vod_stream (CbStream *stream)
{
  g_return_val_if_fail (CB_IS_STREAM (stream), FALSE);
  return get_tag (stream) != NULL;
}

const GError *
cb_vod_get_error (CbStream *stream)
{
  g_return_val_if_fail (CB_IS_STREAM (stream), NULL);
  return g_object_get_qdata (G_OBJECT (stream), vod_error_quark ());
}

/* @file in the media folder, else in the records folder. A name refused by either (one
 * that would leave the folder) says no more than a missing one: "File not found". */
static char *
resolve_file (CbEngine    *engine,
              const char  *file,
              GError     **error)
{
  const char *roots[] = { cb_engine_get_media_dir (engine), cb_engine_get_records_dir (engine) };

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      g_autoptr(GError) local_error = NULL;
      char *path = cb_path_confine (roots[i], file, &local_error);

      if (path != NULL)
        return path;
      g_debug ("VOD %s: not in %s: %s", file, i == 0 ? "the media folder" : "the records folder",
               local_error->message);
    }
  g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found");
  return NULL;
}

static GError *
wrong_format (void)
{
  return g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                              "File has wrong format");
}

static GError *
read_failure (void)
{
  return g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Failed to read file");
}

/* GStreamer's errors in the words WCS uses for them. */
static GError *
map_gst_error (const GError *gst_error)
{
  if (gst_error->domain == GST_RESOURCE_ERROR &&
      (gst_error->code == GST_RESOURCE_ERROR_NOT_FOUND ||
       gst_error->code == GST_RESOURCE_ERROR_OPEN_READ ||
       gst_error->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE))
    return g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found");
  if (gst_error->domain == GST_STREAM_ERROR)
    return wrong_format ();
  return read_failure ();
}

/* ---- the demuxer's tracks ---------------------------------------------------------- */

typedef void (*SinkFunc) (gpointer data, CbMediaKind kind, GstElement *sink);

/* The tracks of a file as qtdemux exposes them, each H.264 or AAC track linked to an
 * appsink when it appears (on the demuxer's thread). Shared by the probe and the reader. */
typedef struct {
  GstElement *pipeline;                  /* weak: the owner's */
  gboolean    sync;
  SinkFunc    sink_func;                 /* called before any data reaches a new sink */
  gpointer    sink_data;
  GMutex      lock;
  GCond       cond;
  GstElement *sinks[CB_MEDIA_N_KINDS];   /* owned */
  char       *wrong;                     /* the media type of a track we cannot play */
  gboolean    missing_element;
  gboolean    done;                      /* no-more-pads */
} Tracks;

static void
tracks_init (Tracks     *t,
             GstElement *pipeline,
             gboolean    sync,
             SinkFunc    sink_func,
             gpointer    sink_data)
{
  memset (t, 0, sizeof *t);
  t->pipeline = pipeline;
  t->sync = sync;
  t->sink_func = sink_func;
  t->sink_data = sink_data;
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
}

static void
tracks_clear (Tracks *t)
{
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_object (&t->sinks[k]);
  g_clear_pointer (&t->wrong, g_free);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
}

static CbMediaKind
track_kind (GstPad  *pad,
            char   **wrong)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  const char *media;
  int version = 0;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return CB_MEDIA_N_KINDS;
  s = gst_caps_get_structure (caps, 0);
  media = gst_structure_get_name (s);
  if (g_str_equal (media, "video/x-h264"))
    return CB_MEDIA_VIDEO;
  if (g_str_equal (media, "audio/mpeg") && gst_structure_get_int (s, "mpegversion", &version) &&
      version == 4)
    return CB_MEDIA_AUDIO;
  /* Subtitles, timecodes and metadata are no reason to refuse a file. */
  if (g_str_has_prefix (media, "video/") || g_str_has_prefix (media, "audio/"))
    *wrong = g_strdup (media);
  return CB_MEDIA_N_KINDS;
}

static void
on_pad_added (GstElement *demux,
              GstPad     *pad,
              gpointer    data)
{
  Tracks *t = data;
  g_autofree char *wrong = NULL;
  CbMediaKind kind = track_kind (pad, &wrong);
  GstElement *queue, *parse, *filter, *sink;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) queue_pad = NULL;

  g_mutex_lock (&t->lock);
  if (wrong != NULL && t->wrong == NULL)
    t->wrong = g_steal_pointer (&wrong);
  /* A second track of a kind is left unlinked: the demuxer goes on with the others. */
  if (kind == CB_MEDIA_N_KINDS || t->sinks[kind] != NULL || t->wrong != NULL)
    {
      g_mutex_unlock (&t->lock);
      return;
    }

  queue = gst_element_factory_make ("queue", NULL);
  parse = gst_element_factory_make (kind == CB_MEDIA_VIDEO ? "h264parse" : "aacparse", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (queue == NULL || parse == NULL || filter == NULL || sink == NULL)
    {
      GstElement *made[] = { queue, parse, filter, sink };

      t->missing_element = TRUE;
      g_mutex_unlock (&t->lock);
      for (guint i = 0; i < G_N_ELEMENTS (made); i++)
        if (made[i] != NULL)
          gst_object_unref (gst_object_ref_sink (made[i]));
      return;
    }
  caps = kind == CB_MEDIA_VIDEO
         ? gst_caps_from_string ("video/x-h264, stream-format=avc, alignment=au")
         : gst_caps_from_string ("audio/mpeg, mpegversion=4, stream-format=raw");
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (queue, "max-size-time", (guint64) QUEUE_TIME, "max-size-buffers", 0,
                "max-size-bytes", 0, NULL);
  /* The probe pulls a little and stops: a bounded sink keeps it from reading the whole
   * file into memory. The reader takes each sample as it is rendered. */
  g_object_set (sink, "sync", t->sync, "max-buffers", t->sync ? 2 : 64, "drop", FALSE,
                "enable-last-sample", FALSE, NULL);

  gst_bin_add_many (GST_BIN (t->pipeline), queue, parse, filter, sink, NULL);
  if (!gst_element_link_many (queue, parse, filter, sink, NULL))
    {
      t->wrong = g_strdup ("unlinkable track");
      g_mutex_unlock (&t->lock);
      return;
    }
  if (t->sink_func != NULL)
    t->sink_func (t->sink_data, kind, sink);
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (filter);
  gst_element_sync_state_with_parent (parse);
  gst_element_sync_state_with_parent (queue);
  queue_pad = gst_element_get_static_pad (queue, "sink");
  if (gst_pad_link (pad, queue_pad) != GST_PAD_LINK_OK)
    t->wrong = g_strdup ("unlinkable track");
  else
    t->sinks[kind] = gst_object_ref (sink);
  g_mutex_unlock (&t->lock);
}

static void
on_no_more_pads (GstElement *demux,
                 gpointer    data)
{
  Tracks *t = data;

  g_mutex_lock (&t->lock);
  t->done = TRUE;
  g_cond_broadcast (&t->cond);
  g_mutex_unlock (&t->lock);
}

/* filesrc ! qtdemux, its tracks going to @t as they appear. */
static GstElement *
make_pipeline (const char  *path,
               Tracks      *t,
               gboolean     sync,
               SinkFunc     sink_func,
               gpointer     sink_data,
               GError     **error)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("filesrc", NULL);
  GstElement *demux = gst_element_factory_make ("qtdemux", NULL);

  if (src == NULL || demux == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer element “%s” is not installed",
                   src == NULL ? "filesrc" : "qtdemux");
      if (src != NULL)
        gst_object_unref (gst_object_ref_sink (src));
      if (demux != NULL)
        gst_object_unref (gst_object_ref_sink (demux));
      gst_object_unref (pipeline);
      return NULL;
    }
  tracks_init (t, pipeline, sync, sink_func, sink_data);
  g_object_set (src, "location", path, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, demux, NULL);
  gst_element_link (src, demux);
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_pad_added), t);
  g_signal_connect (demux, "no-more-pads", G_CALLBACK (on_no_more_pads), t);
  return pipeline;
}

/* @t in the stream's time: running time in @segment, plus @shift, never below 0. */
static GstClockTime
stream_time (const GstSegment *segment,
             GstClockTime      t,
             GstClockTime      shift)
{
  guint64 rt;
  int sign;

  if (!GST_CLOCK_TIME_IS_VALID (t) || segment == NULL || segment->format != GST_FORMAT_TIME)
    return GST_CLOCK_TIME_NONE;
  sign = gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, t, &rt);
  if (sign > 0)
    return rt + shift;
  if (sign < 0)
    return rt < shift ? shift - rt : 0;
  return GST_CLOCK_TIME_NONE;
}

/* ---- the probe (a worker thread) ---------------------------------------------------- */

typedef struct {
  char         *path;
  GstCaps      *caps[CB_MEDIA_N_KINDS];
  gboolean      b_frames;
  GstClockTime  shift;
} Probe;

static void
probe_free (gpointer data)
{
  Probe *p = data;

  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_caps (&p->caps[k]);
  g_free (p->path);
  g_free (p);
}

/* The pipeline's first error on @bus, mapped; with @eos_is_wrong, an end before the tracks
 * are known too ("File has wrong format"). One pop for both: a pop for one kind drops
 * the messages before it, so popping them in turn could drop the other just posted. */
static GError *
bus_outcome (GstElement *pipeline,
             GstBus     *bus,
             gboolean    eos_is_wrong)
{
  g_autoptr(GstMessage) msg = gst_bus_pop_filtered (bus, eos_is_wrong
                                                    ? GST_MESSAGE_ERROR | GST_MESSAGE_EOS
                                                    : GST_MESSAGE_ERROR);
  g_autoptr(GError) gst_error = NULL;

  if (msg == NULL)
    return NULL;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
    return wrong_format ();
  gst_error = cb_pipeline_error_new (pipeline, msg);
  g_debug ("VOD probe: %s", gst_error->message);
  return map_gst_error (gst_error);
}

/* Takes what a sample tells about the file. TRUE when this kind needs no more samples. */
static gboolean
probe_sample (Probe       *p,
              CbMediaKind  kind,
              GstSample   *sample,
              guint       *n_video)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstCaps *caps = gst_sample_get_caps (sample);

  if (p->caps[kind] == NULL && caps != NULL)
    p->caps[kind] = gst_caps_ref (caps);
  if (buffer != NULL && segment != NULL && segment->format == GST_FORMAT_TIME)
    {
      GstClockTime t = kind == CB_MEDIA_VIDEO ? GST_BUFFER_DTS_OR_PTS (buffer)
                                              : GST_BUFFER_PTS (buffer);
      guint64 rt;

      /* Decoding starts before presentation with B-frames: how far, to shift it all by. */
      if (GST_CLOCK_TIME_IS_VALID (t) &&
          gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, t, &rt) < 0)
        p->shift = MAX (p->shift, rt);
      if (kind == CB_MEDIA_VIDEO && GST_BUFFER_PTS_IS_VALID (buffer) &&
          GST_BUFFER_DTS_IS_VALID (buffer) && GST_BUFFER_PTS (buffer) != GST_BUFFER_DTS (buffer))
        p->b_frames = TRUE;
    }
  if (kind == CB_MEDIA_AUDIO)
    return TRUE;
  return ++*n_video >= PROBE_VIDEO_FRAMES;
}

static GError *
probe_run (Probe        *p,
           GCancellable *cancellable)
{
  Tracks t;
  GstElement *pipeline;
  g_autoptr(GstBus) bus = NULL;
  GError *error = NULL;
  gint64 deadline = g_get_monotonic_time () + PROBE_TIMEOUT_US;
  gboolean need[CB_MEDIA_N_KINDS] = { FALSE, FALSE };
  GstElement *sinks[CB_MEDIA_N_KINDS] = { NULL, NULL };
  guint n_video = 0;

  pipeline = make_pipeline (p->path, &t, FALSE, NULL, NULL, &error);
  if (pipeline == NULL)
    return error;
  bus = gst_element_get_bus (pipeline);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      error = bus_outcome (pipeline, bus, FALSE);
      if (error == NULL)
        error = read_failure ();
      goto out;
    }

  /* Every track known first: one we cannot play refuses the file. */
  g_mutex_lock (&t.lock);
  while (!t.done && error == NULL)
    {
      g_mutex_unlock (&t.lock);
      error = bus_outcome (pipeline, bus, TRUE);
      if (error == NULL && (g_cancellable_is_cancelled (cancellable) ||
                            g_get_monotonic_time () > deadline))
        error = read_failure ();
      g_mutex_lock (&t.lock);
      if (error == NULL && !t.done)
        g_cond_wait_until (&t.cond, &t.lock,
                           g_get_monotonic_time () + 20 * G_TIME_SPAN_MILLISECOND);
    }
  if (error == NULL && t.missing_element)
    error = g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                                 "GStreamer's h264parse or aacparse is not installed");
  else if (error == NULL && (t.wrong != NULL || (t.sinks[CB_MEDIA_VIDEO] == NULL &&
                                                 t.sinks[CB_MEDIA_AUDIO] == NULL)))
    {
      g_debug ("VOD probe: a track of %s", t.wrong ? t.wrong : "no kind we play");
      error = wrong_format ();
    }
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (t.sinks[k] != NULL)
      {
        sinks[k] = gst_object_ref (t.sinks[k]);
        need[k] = TRUE;
      }
  g_mutex_unlock (&t.lock);
  if (error != NULL)
    goto out;

  while ((need[CB_MEDIA_VIDEO] || need[CB_MEDIA_AUDIO]) && error == NULL)
    {
      for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
        {
          g_autoptr(GstSample) sample = NULL;

          if (sinks[k] == NULL)
            continue;
          /* A kind that has all it needs is still drained, so that its full sink never
           * holds up the demuxer, which feeds every track from one thread. */
          sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sinks[k]), 10 * GST_MSECOND);
          if (sample == NULL)
            {
              if (gst_app_sink_is_eos (GST_APP_SINK (sinks[k])))
                need[k] = FALSE;
              continue;
            }
          if (need[k] && probe_sample (p, k, sample, &n_video))
            need[k] = FALSE;
        }
      error = bus_outcome (pipeline, bus, FALSE);
      if (error == NULL && (g_cancellable_is_cancelled (cancellable) ||
                            g_get_monotonic_time () > deadline))
        error = read_failure ();
    }
  /* Tracks without a single sample do not count; a file with none at all is no media. */
  if (error == NULL && p->caps[CB_MEDIA_VIDEO] == NULL && p->caps[CB_MEDIA_AUDIO] == NULL)
    error = wrong_format ();

out:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_object (&sinks[k]);
  gst_object_unref (pipeline);
  tracks_clear (&t);
  return error;
}

static void
probe_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = probe_run (task_data, cancellable);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- the reader --------------------------------------------------------------------- */

typedef struct _CbVod CbVod;

typedef struct {
  CbVod       *vod;
  CbMediaKind  kind;
  GstCaps     *caps;       /* the last caps pushed; this branch's streaming thread only */
  gint         await_flush;  /* atomic: samples from before the first seek are dropped */
} Branch;

struct _CbVod
{
  gatomicrefcount  ref;
  CbEngine        *engine;     /* weak: the engine stops every stream before it goes */
  CbStream        *stream;
  CbVodKind        kind;
  char            *path;
  gboolean         loop;
  guint            timeout_s;

  /* The engine's context only. */
  GCancellable    *cancellable;
  gboolean         prepared;
  gboolean         stopped;
  gboolean         had_viewer;
  gboolean         playing;
  gboolean         seeked;
  gulong           changed_id;
  GSource         *timeout;
  GstElement      *pipeline;
  GFileMonitor    *monitor;

  /* Set before the pipeline starts, read by its streaming threads. */
  Tracks           tracks;
  Branch           branches[CB_MEDIA_N_KINDS];
  GstClockTime     shift;
};

static CbVod *
vod_ref (CbVod *vod)
{
  g_atomic_ref_count_inc (&vod->ref);
  return vod;
}

static void stop_pipeline (CbVod *vod);

static void
vod_unref (gpointer data)
{
  CbVod *vod = data;

  if (!g_atomic_ref_count_dec (&vod->ref))
    return;
  stop_pipeline (vod);
  g_clear_object (&vod->cancellable);
  g_clear_object (&vod->stream);
  g_free (vod->path);
  g_free (vod);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbVod, vod_unref)

static void
clear_timeout (CbVod *vod)
{
  if (vod->timeout != NULL)
    {
      g_source_destroy (vod->timeout);
      g_clear_pointer (&vod->timeout, g_source_unref);
    }
}

static void
stop_pipeline (CbVod *vod)
{
  if (vod->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (vod->monitor, vod);
      g_file_monitor_cancel (vod->monitor);
      g_clear_object (&vod->monitor);
    }
  cb_pipeline_unwatch (vod->pipeline);
  if (vod->pipeline != NULL)
    {
      /* Waits for the streaming threads: none of them waits on this context. */
      gst_element_set_state (vod->pipeline, GST_STATE_NULL);
      gst_clear_object (&vod->pipeline);
      tracks_clear (&vod->tracks);
      for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
        gst_clear_caps (&vod->branches[k].caps);
    }
}

/* The engine's stop: the stream is being removed. */
static void
vod_stop (gpointer    data,
          const char *info)
{
  CbVod *vod = data;

  vod->stopped = TRUE;
  g_cancellable_cancel (vod->cancellable);
  clear_timeout (vod);
  g_clear_signal_handler (&vod->changed_id, vod->stream);
  stop_pipeline (vod);
}

/* Ends the stream with @error, which its viewers are told. */
static void
vod_fail (CbVod        *vod,
          const GError *error)
{
  if (vod->stopped)
    return;
  g_debug ("VOD %s failed: %s", cb_stream_get_name (vod->stream), error->message);
  g_object_set_qdata_full (G_OBJECT (vod->stream), vod_error_quark (), g_error_copy (error),
                           (GDestroyNotify) g_error_free);
  cb_engine_remove_stream (vod->engine, vod->stream, CB_STREAM_FAILED, error->message);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    data)
{
  Branch *b = data;
  CbVod *vod = b->vod;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  const GstSegment *segment;
  GstBuffer *buffer;
  GstCaps *caps;
  GstBuffer *out;

  if (sample == NULL)
    return GST_FLOW_OK;
  /* The first decoding times lie before the segment, so the sink renders those frames
   * even while paused; the seek that starts a looping reader then sends them again. */
  if (g_atomic_int_get (&b->await_flush))
    return GST_FLOW_OK;
  caps = gst_sample_get_caps (sample);
  buffer = gst_sample_get_buffer (sample);
  segment = gst_sample_get_segment (sample);
  if (caps != NULL && (b->caps == NULL || !gst_caps_is_equal (b->caps, caps)))
    {
      gst_caps_replace (&b->caps, caps);
      cb_stream_push_caps (vod->stream, b->kind, caps);
    }
  if (buffer == NULL)
    return GST_FLOW_OK;

  /* Running time goes on across a loop (segment seeks): so do the stream's timestamps. */
  out = gst_buffer_copy (buffer);
  GST_BUFFER_PTS (out) = stream_time (segment, GST_BUFFER_PTS (buffer), vod->shift);
  GST_BUFFER_DTS (out) = stream_time (segment, GST_BUFFER_DTS (buffer), vod->shift);
  cb_stream_push_buffer (vod->stream, b->kind, out);
  gst_buffer_unref (out);
  return GST_FLOW_OK;
}

static GstPadProbeReturn
on_flush (GstPad          *pad,
          GstPadProbeInfo *info,
          gpointer         data)
{
  Branch *b = data;

  if (GST_EVENT_TYPE (gst_pad_probe_info_get_event (info)) != GST_EVENT_FLUSH_STOP)
    return GST_PAD_PROBE_OK;
  g_atomic_int_set (&b->await_flush, 0);
  return GST_PAD_PROBE_REMOVE;
}

static void
set_sink_callbacks (gpointer     data,
                    CbMediaKind  kind,
                    GstElement  *sink)
{
  CbVod *vod = data;
  Branch *b = &vod->branches[kind];
  GstAppSinkCallbacks callbacks = { 0 };

  callbacks.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, b, NULL);
  if (vod->loop)
    {
      g_autoptr(GstPad) pad = gst_element_get_static_pad (sink, "sink");

      g_atomic_int_set (&b->await_flush, 1);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_FLUSH, on_flush, b, NULL);
    }
}

static void
seek_to_start (CbVod        *vod,
               GstSeekFlags  flags)
{
  if (gst_element_seek (vod->pipeline, 1.0, GST_FORMAT_TIME, flags | GST_SEEK_FLAG_SEGMENT,
                        GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE))
    return;
  g_debug ("VOD %s: the seek to the start was refused", cb_stream_get_name (vod->stream));
  /* Then it plays once through, but it plays. */
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    g_atomic_int_set (&vod->branches[k].await_flush, 0);
}

static gboolean
on_bus_message (GstMessage   *msg,
                const GError *gst_error,
                gpointer      data)
{
  g_autoptr(CbVod) vod = vod_ref (data);

  if (vod->stopped || vod->pipeline == NULL)
    return G_SOURCE_REMOVE;

  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ASYNC_DONE:
      if (GST_MESSAGE_SRC (msg) != GST_OBJECT (vod->pipeline) || vod->playing)
        break;
      /* A segment seek from the start ends in SEGMENT_DONE instead of EOS: the next
       * one, without a flush, continues the running time where this one ended. */
      if (vod->loop && !vod->seeked)
        {
          vod->seeked = TRUE;
          seek_to_start (vod, GST_SEEK_FLAG_FLUSH);
        }
      vod->playing = TRUE;
      gst_element_set_state (vod->pipeline, GST_STATE_PLAYING);
      break;

    case GST_MESSAGE_SEGMENT_DONE:
      g_debug ("VOD %s: from the start again", cb_stream_get_name (vod->stream));
      seek_to_start (vod, 0);
      break;

    case GST_MESSAGE_EOS:
      g_info ("VOD %s: end of the file", cb_stream_get_name (vod->stream));
      cb_engine_remove_stream (vod->engine, vod->stream, CB_STREAM_UNPUBLISHED,
                               "Stopped at the end of the file");
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;

        g_debug ("VOD %s: %s", cb_stream_get_name (vod->stream), gst_error->message);
        error = map_gst_error (gst_error);
        /* What played already was read, so a file that stops reading is no format error. */
        if (error->code == CB_ENGINE_ERROR_BAD_FORMAT &&
            cb_stream_get_status (vod->stream) == CB_STREAM_PUBLISHING)
          {
            g_clear_error (&error);
            error = read_failure ();
          }
        vod_fail (vod, error);
        return G_SOURCE_REMOVE;
      }

    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* The file went away under a running reader (the open descriptor would read on): the
 * stream ends with a reason rather than play something that is no longer there. */
static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 gpointer           data)
{
  g_autoptr(CbVod) vod = vod_ref (data);
  g_autoptr(GError) error = NULL;

  if (event != G_FILE_MONITOR_EVENT_DELETED && event != G_FILE_MONITOR_EVENT_MOVED_OUT &&
      event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  error = read_failure ();
  g_info ("VOD %s: its file was removed", cb_stream_get_name (vod->stream));
  vod_fail (vod, error);
}

static gboolean
start_pipeline (CbVod   *vod,
                GError **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) monitor_error = NULL;

  vod->pipeline = make_pipeline (vod->path, &vod->tracks, TRUE, set_sink_callbacks, vod, error);
  if (vod->pipeline == NULL)
    return FALSE;
  cb_pipeline_watch (vod->pipeline, cb_engine_get_context (vod->engine), on_bus_message, vod, NULL);

  file = g_file_new_for_path (vod->path);
  vod->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &monitor_error);
  if (vod->monitor != NULL)
    g_signal_connect (vod->monitor, "changed", G_CALLBACK (on_file_changed), vod);
  else
    g_debug ("VOD %s: not watching its file: %s", cb_stream_get_name (vod->stream),
             monitor_error->message);

  /* PAUSED first: the first seek (for looping) needs a prerolled pipeline. */
  if (gst_element_set_state (vod->pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Failed to read file");
      return FALSE;
    }
  g_debug ("VOD %s: reading", cb_stream_get_name (vod->stream));
  return TRUE;
}

static void
start_if_due (CbVod *vod)
{
  g_autoptr(GError) error = NULL;

  if (vod->stopped || !vod->prepared || vod->pipeline != NULL)
    return;
  /* A personal reader waits for its viewer, who then gets the file from the start. */
  if (vod->kind == CB_VOD_PERSONAL && !vod->had_viewer)
    return;
  if (!start_pipeline (vod, &error))
    vod_fail (vod, error);
}

static gboolean
on_timeout (gpointer data)
{
  CbVod *vod = data;

  g_clear_pointer (&vod->timeout, g_source_unref);
  if (vod->stopped || cb_stream_get_n_consumers (vod->stream) > 0)
    return G_SOURCE_REMOVE;
  g_info ("VOD %s: no viewer for %u s", cb_stream_get_name (vod->stream), vod->timeout_s);
  cb_engine_remove_stream (vod->engine, vod->stream, CB_STREAM_UNPUBLISHED,
                           "Stopped by vod_stream_timeout");
  return G_SOURCE_REMOVE;
}

static void
arm_timeout (CbVod *vod)
{
  if (vod->timeout != NULL)
    return;
  vod->timeout = g_timeout_source_new_seconds (vod->had_viewer ? vod->timeout_s
                                               : MAX (vod->timeout_s, FIRST_VIEWER_GRACE_S));
  g_source_set_callback (vod->timeout, on_timeout, vod_ref (vod), vod_unref);
  g_source_attach (vod->timeout, cb_engine_get_context (vod->engine));
}

/* Counts the viewers: consumers of the stream (players, push agents, renditions). */
static void
on_stream_changed (CbStream *stream,
                   gpointer  data)
{
  g_autoptr(CbVod) vod = vod_ref (data);

  if (vod->stopped)
    return;
  if (cb_stream_get_n_consumers (stream) > 0)
    {
      vod->had_viewer = TRUE;
      clear_timeout (vod);
      start_if_due (vod);
      return;
    }
  if (vod->kind == CB_VOD_PERSONAL && vod->had_viewer)
    {
      cb_engine_remove_stream (vod->engine, vod->stream, CB_STREAM_UNPUBLISHED,
                               "Stopped: the viewer left");
      return;
    }
  arm_timeout (vod);
}

static void
on_probe_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(CbVod) vod = data;
  Probe *p = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      vod_fail (vod, error);
      return;
    }
  if (vod->stopped)
    return;

  /* On the stream before anyone looks: WebRTC players wait for this. */
  vod->shift = p->shift;
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (p->caps[k] != NULL)
      cb_stream_push_caps (vod->stream, k, p->caps[k]);
  if (p->b_frames)
    cb_stream_mark_b_frames (vod->stream);
  vod->prepared = TRUE;
  g_debug ("VOD %s: %s%s%s, decoding %" G_GUINT64_FORMAT " ms ahead",
           cb_stream_get_name (vod->stream), p->caps[CB_MEDIA_VIDEO] ? "H.264" : "",
           p->caps[CB_MEDIA_VIDEO] && p->caps[CB_MEDIA_AUDIO] ? " + " : "",
           p->caps[CB_MEDIA_AUDIO] ? "AAC" : "", (guint64) (p->shift / GST_MSECOND));
  start_if_due (vod);
  if (!vod->stopped)
    cb_stream_set_preparing (vod->stream, FALSE);
}

/* Registers a VOD stream @name reading @file and starts the probe. */
static CbStream *
vod_start (CbEngine    *engine,
           CbVodKind    kind,
           const char  *file,
           const char  *name,
           const char  *uri,
           gboolean     loop,
           GError     **error)
{
  CbSettings *settings = cb_engine_get_settings (engine);
  g_autofree char *path = resolve_file (engine, file, error);
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GTask) task = NULL;
  CbEngineAddFlags flags = CB_ENGINE_ADD_VOD;
  VodTag *tag;
  Probe *probe;
  CbVod *vod;

  if (path == NULL)
    return NULL;

  stream = cb_stream_new (name, "VOD");
  cb_stream_set_source (stream, uri);
  cb_stream_set_preparing (stream, TRUE);
  cb_stream_set_timeline_origin (stream, 0);
  tag = g_new0 (VodTag, 1);
  tag->kind = kind;
  tag->uri = g_strdup (uri);
  tag->loop = loop;
  g_object_set_qdata_full (G_OBJECT (stream), vod_tag_quark (), tag, vod_tag_free);

  vod = g_new0 (CbVod, 1);
  g_atomic_ref_count_init (&vod->ref);
  vod->engine = engine;
  vod->stream = g_object_ref (stream);
  vod->kind = kind;
  vod->path = g_steal_pointer (&path);
  vod->loop = loop;
  vod->timeout_s = (guint) CLAMP (cb_settings_get_int (settings, "vod_stream_timeout"), 0, 86400);
  vod->cancellable = g_cancellable_new ();
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    {
      vod->branches[k].vod = vod;
      vod->branches[k].kind = k;
    }

  if (kind == CB_VOD_PERSONAL)
    flags |= CB_ENGINE_ADD_UNNAMED;
  if (!cb_engine_add_stream_full (engine, stream, flags, vod_stop, vod, vod_unref, error))
    return NULL;
  vod->changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_stream_changed), vod);
  /* Nobody may come: the stream does not wait for ever. */
  arm_timeout (vod);

  probe = g_new0 (Probe, 1);
  probe->path = g_strdup (vod->path);
  task = g_task_new (NULL, vod->cancellable, on_probe_done, vod_ref (vod));
  g_task_set_source_tag (task, vod_start);
  g_task_set_task_data (task, probe, probe_free);
  g_task_run_in_thread (task, probe_thread);
  g_info ("VOD %s from %s", name, uri);
  return g_steal_pointer (&stream);
}

CbStream *
cb_vod_open (CbEngine    *engine,
             CbVodKind    kind,
             const char  *file,
             const char  *canonical,
             GError     **error)
{
  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (kind != CB_VOD_NONE, NULL);

  if (kind == CB_VOD_LIVE)
    {
      CbStream *running = cb_engine_lookup_stream (engine, canonical);

      if (running != NULL)
        return running;
      return vod_start (engine, kind, file, canonical, canonical,
                        cb_settings_get_bool (cb_engine_get_settings (engine), "vod_live_loop"),
                        error);
    }
  return vod_start (engine, kind, file, canonical, canonical, FALSE, error);
}

/* ---- the engine's VOD operations ------------------------------------------------------ */

CbStream *
cb_engine_vod_startup (CbEngine    *self,
                       const char  *uri,
                       const char  *local_name,
                       int          loop,
                       GError     **error)
{
  g_autofree char *file = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *local_canonical = NULL;
  g_autoptr(CbStream) existing = NULL;
  const char *name;

  g_return_val_if_fail (CB_IS_ENGINE (self), NULL);

  if (cb_vod_parse_name (uri, &file, &canonical) != CB_VOD_LIVE || *file == '\0')
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Bad URI");
      return NULL;
    }
  if (local_name == NULL || *local_name == '\0')
    name = canonical;
  else if (cb_vod_parse_name (local_name, NULL, &local_canonical) != CB_VOD_NONE)
    {
      /* The URI as the name: what viewers of "vod-live://FILE" join. */
      if (g_strcmp0 (local_canonical, canonical) != 0)
        {
          g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                               "Bad localStreamName: a VOD name other than the uri");
          return NULL;
        }
      name = canonical;
    }
  else if (!cb_engine_validate_stream_name (local_name, error))
    return NULL;
  else
    name = local_name;

  existing = cb_engine_lookup_stream (self, name);
  if (existing != NULL)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_EXISTS,
                           "Stream name is already in use");
      return NULL;
    }
  if (loop < 0)
    loop = cb_settings_get_bool (cb_engine_get_settings (self), "vod_live_loop");
  return vod_start (self, CB_VOD_LIVE, file, name, canonical, loop, error);
}

typedef struct {
  CbStream *stream;
  gulong    changed_id;
} StartupWait;

static void
startup_wait_free (gpointer data)
{
  StartupWait *w = data;

  g_clear_signal_handler (&w->changed_id, w->stream);
  g_clear_object (&w->stream);
  g_free (w);
}

static void
on_startup_stream_changed (CbStream *stream,
                           gpointer  data)
{
  GTask *task = data;
  StartupWait *w = g_task_get_task_data (task);
  CbStreamStatus status = cb_stream_get_status (stream);

  if (cb_stream_status_is_final (status))
    {
      const GError *error = cb_vod_get_error (stream);
      g_autofree char *info = cb_stream_dup_info (stream);

      g_clear_signal_handler (&w->changed_id, w->stream);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "%s",
                                 info ? info : "Stopped");
      g_object_unref (task);
    }
  else if (!cb_stream_is_preparing (stream))
    {
      g_clear_signal_handler (&w->changed_id, w->stream);
      g_task_return_pointer (task, g_object_ref (stream), g_object_unref);
      g_object_unref (task);
    }
}

void
cb_engine_vod_startup_async (CbEngine            *self,
                             const char          *uri,
                             const char          *local_name,
                             int                  loop,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  CbStream *stream;
  StartupWait *w;

  g_task_set_source_tag (task, cb_engine_vod_startup_async);
  stream = cb_engine_vod_startup (self, uri, local_name, loop, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  w = g_new0 (StartupWait, 1);
  w->stream = stream;
  g_task_set_task_data (task, w, startup_wait_free);
  w->changed_id = g_signal_connect (stream, "changed", G_CALLBACK (on_startup_stream_changed),
                                    g_object_ref (task));
}

CbStream *
cb_engine_vod_startup_finish (CbEngine      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
vod_matches (CbStream   *stream,
             const char *local_name,
             const char *uri)
{
  const VodTag *tag = get_tag (stream);
  g_autofree char *canonical = NULL;

  if (tag == NULL)
    return FALSE;
  if (local_name != NULL && g_strcmp0 (local_name, cb_stream_get_name (stream)) != 0)
    return FALSE;
  if (uri != NULL)
    {
      if (cb_vod_parse_name (uri, NULL, &canonical) == CB_VOD_NONE)
        return FALSE;
      if (g_strcmp0 (canonical, tag->uri) != 0)
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
cb_engine_vod_find (CbEngine   *self,
                    const char *local_name,
                    const char *uri)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_vod_info_free);
  g_autoptr(GPtrArray) streams = NULL;

  g_return_val_if_fail (CB_IS_ENGINE (self), out);

  streams = cb_engine_list_streams (self);
  for (guint i = 0; i < streams->len; i++)
    {
      CbStream *stream = g_ptr_array_index (streams, i);
      g_autoptr(CbStreamInfo) si = NULL;
      const VodTag *tag = get_tag (stream);
      CbVodInfo *info;

      if (!vod_matches (stream, local_name, uri))
        continue;
      si = cb_stream_get_snapshot (stream);
      info = g_new0 (CbVodInfo, 1);
      info->local_media_session_id = g_strdup (si->media_session_id);
      info->local_stream_name = g_strdup (si->name);
      info->uri = g_strdup (tag->uri);
      info->loop = tag->loop;
      info->has_audio = si->media.has_audio;
      info->has_video = si->media.has_video;
      info->stream_status = si->status;
      g_ptr_array_add (out, info);
    }
  return out;
}

gboolean
cb_engine_vod_terminate (CbEngine    *self,
                         const char  *uri,
                         const char  *local_name,
                         GError     **error)
{
  g_autoptr(GPtrArray) streams = NULL;
  guint n = 0;

  g_return_val_if_fail (CB_IS_ENGINE (self), FALSE);

  if ((uri == NULL || *uri == '\0') && (local_name == NULL || *local_name == '\0'))
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                           "Missing uri or localStreamName");
      return FALSE;
    }
  streams = cb_engine_list_streams (self);
  for (guint i = 0; i < streams->len; i++)
    {
      CbStream *stream = g_ptr_array_index (streams, i);

      if (!vod_matches (stream, local_name && *local_name ? local_name : NULL,
                        uri && *uri ? uri : NULL))
        continue;
      cb_engine_remove_stream (self, stream, CB_STREAM_UNPUBLISHED, "Stopped by rest /terminate");
      n++;
    }
  if (n == 0)
    {
      g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return FALSE;
    }
  return TRUE;
}

/**
 * cb_vod_release:
 *
 * See cb_engine_release_play_stream(): a personal VOD that nobody watches ends now.
 */
void
cb_vod_release (CbEngine *engine,
                CbStream *stream)
{
  const VodTag *tag = get_tag (stream);

  if (tag == NULL || tag->kind != CB_VOD_PERSONAL || cb_stream_get_n_consumers (stream) > 0)
    return;
  cb_engine_remove_stream (engine, stream, CB_STREAM_UNPUBLISHED, "Stopped: no viewer");
}
