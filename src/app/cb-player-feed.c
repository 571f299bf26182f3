/* cb-player-feed.c — the player window's decoding pipeline, and what feeds it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Encoded frames come on the WebRTC peer's streaming threads and go straight into the
 * decoding pipeline (appsrc → decoder → appsink → CbPreviewPaintable), which never
 * touches GTK; the paintable hops to the GTK context by itself. The pipeline is made
 * (an audio device may take a while to open) and taken down on worker threads.
 */
#include "config.h"

#include <gst/app/app.h>

#include "cb-engine-error.h"
#include "cb-media.h"
#include "cb-player-feed.h"
#include "cb-webrtc-client.h"

/* What the streaming threads share with the window. */
struct _CbPlayerFeed
{
  gatomicrefcount     ref;
  GMutex              lock;
  GMainContext       *ui_context;
  CbPreviewPaintable *paintable;   /* pushes are thread-safe; released on ui_context */
  GstElement         *video_src;   /* NULL once the window has let go */
  GstElement         *audio_src;
  GstCaps            *video_caps;  /* the last caps given to the appsrcs */
  GstCaps            *audio_caps;
  guint64             n_decoded;
  int                 width;
  int                 height;
};


CbPlayerFeed *
cb_player_feed_new (CbPreviewPaintable *paintable,
                    GMainContext       *ui_context)
{
  CbPlayerFeed *feed = g_new0 (CbPlayerFeed, 1);

  g_atomic_ref_count_init (&feed->ref);
  g_mutex_init (&feed->lock);
  feed->ui_context = g_main_context_ref (ui_context);
  feed->paintable = g_object_ref (paintable);
  return feed;
}

CbPlayerFeed *
cb_player_feed_ref (CbPlayerFeed *feed)
{
  g_atomic_ref_count_inc (&feed->ref);
  return feed;
}

static gboolean
do_nothing (gpointer data)
{
  return G_SOURCE_REMOVE;
}

void
cb_player_feed_unref (gpointer data)
{
  CbPlayerFeed *feed = data;
  GSource *source;

  if (!g_atomic_ref_count_dec (&feed->ref))
    return;

  g_clear_object (&feed->video_src);
  g_clear_object (&feed->audio_src);
  gst_clear_caps (&feed->video_caps);
  gst_clear_caps (&feed->audio_caps);
  g_mutex_clear (&feed->lock);

  /* The last reference may go on a streaming thread; a paintable (and its textures)
   * goes on the GTK context. */
  source = g_idle_source_new ();
  g_source_set_callback (source, do_nothing, feed->paintable, g_object_unref);
  g_source_attach (source, feed->ui_context);
  g_source_unref (source);

  g_main_context_unref (feed->ui_context);
  g_free (feed);
}

/* The window lets go: frames still on their way are dropped. */
void
cb_player_feed_close (CbPlayerFeed *feed)
{
  g_mutex_lock (&feed->lock);
  g_clear_object (&feed->video_src);
  g_clear_object (&feed->audio_src);
  g_mutex_unlock (&feed->lock);
}

void
cb_player_feed_on_media (int        kind,
                         GstCaps   *caps,
                         GstBuffer *buffer,
                         gpointer   data)
{
  CbPlayerFeed *feed = data;
  g_autoptr(GstElement) src = NULL;
  GstCaps **last;
  gboolean new_caps = FALSE;

  if (kind != CB_WEBRTC_VIDEO && kind != CB_WEBRTC_AUDIO)
    return;

  g_mutex_lock (&feed->lock);
  src = kind == CB_WEBRTC_VIDEO ? feed->video_src : feed->audio_src;
  if (src != NULL)
    g_object_ref (src);
  last = kind == CB_WEBRTC_VIDEO ? &feed->video_caps : &feed->audio_caps;
  if (caps != NULL && (*last == NULL || (*last != caps && !gst_caps_is_equal (*last, caps))))
    {
      gst_caps_replace (last, caps);
      new_caps = TRUE;
    }
  g_mutex_unlock (&feed->lock);

  if (src == NULL)
    return;
  if (new_caps)
    gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_ref (buffer));
}

/* On the decoder's streaming thread. */
static GstFlowReturn
on_video_sample (GstAppSink *sink,
                 gpointer    data)
{
  CbPlayerFeed *feed = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstCaps *caps;
  int width = 0, height = 0;

  if (sample == NULL)
    return GST_FLOW_OK;

  caps = gst_sample_get_caps (sample);
  if (caps != NULL && gst_caps_get_size (caps) > 0)
    {
      GstStructure *s = gst_caps_get_structure (caps, 0);

      gst_structure_get_int (s, "width", &width);
      gst_structure_get_int (s, "height", &height);
    }

  g_mutex_lock (&feed->lock);
  feed->n_decoded++;
  feed->width = width;
  feed->height = height;
  g_mutex_unlock (&feed->lock);

  cb_preview_paintable_push_sample (feed->paintable, sample);
  return GST_FLOW_OK;
}


static gpointer
shutdown_thread (gpointer data)
{
  GstElement *pipeline = data;

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return NULL;
}

void
cb_player_pipeline_shutdown (GstElement *pipeline)
{
  GThread *thread = g_thread_try_new ("cb-player-stop", shutdown_thread, pipeline, NULL);

  if (thread != NULL)
    g_thread_unref (thread);
  else
    shutdown_thread (pipeline);
}

/* Sinks take part in no preroll: audio may never come (a stream without it), and a
 * live pipeline with one sink waiting for it would never reach PLAYING. */
static void
set_no_preroll (GstElement *sink)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "async") != NULL)
    g_object_set (sink, "async", FALSE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "sync") != NULL)
    g_object_set (sink, "sync", FALSE, NULL);
}

static GstElement *
make_audio_sink (gboolean *audio_output)
{
  g_autoptr(GError) error = NULL;
  /* The system's default output: the headphones' device is the mixer's. */
  GstElement *sink = cb_media_make_audio_output (NULL, &error);

  if (sink != NULL)
    {
      *audio_output = TRUE;
      return sink;
    }

  g_debug ("No audio output (%s): the player's sound goes nowhere", error->message);
  *audio_output = FALSE;
  sink = gst_element_factory_make ("fakesink", NULL);
  set_no_preroll (sink);
  return sink;
}

typedef struct
{
  CbPlayerFeed *feed;
  /* Results. */
  GstElement *pipeline;
  GstElement *volume;
  gboolean    audio_output;
} Build;

static void
build_free (gpointer data)
{
  Build *build = data;

  g_clear_pointer (&build->feed, cb_player_feed_unref);
  g_clear_object (&build->volume);
  if (build->pipeline != NULL)
    cb_player_pipeline_shutdown (g_steal_pointer (&build->pipeline));
  g_free (build);
}

static const char *
first_element (const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (names[i]);

      if (factory != NULL)
        return names[i];
    }
  return NULL;
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Build *build = task_data;
  static const char * const decoders[] = { "avdec_h264", "openh264dec", NULL };
  static const char * const required[] = {
    "appsrc", "h264parse", "videoconvert", "appsink", "opusdec", "audioconvert",
    "audioresample", "volume", "fakesink",
  };
  GstAppSinkCallbacks callbacks = { .new_sample = on_video_sample };
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) video_src = NULL;
  g_autoptr(GstElement) audio_src = NULL;
  g_autoptr(GstElement) video_sink = NULL;
  g_autoptr(GstElement) volume = NULL;
  g_autofree char *description = NULL;
  GstElement *audio_sink;
  const char *decoder = first_element (decoders);
  GError *error = NULL;

  /* Named before anything is made, as a person can install them. */
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const char *one[] = { required[i], NULL };

      if (first_element (one) == NULL)
        {
          g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                                   "%s", required[i]);
          return;
        }
    }
  if (decoder == NULL)
    {
      g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                               "avdec_h264 (gst-libav)");
      return;
    }

  /* No clock sync: the frames come in real time, and their timestamps are the peer's. */
  description = g_strdup_printf (
    "appsrc name=video format=time is-live=true max-bytes=8000000 leaky-type=downstream "
    "! h264parse ! %s ! videoconvert ! video/x-raw,format=RGBA "
    "! appsink name=video_sink sync=false async=false max-buffers=2 drop=true "
    "appsrc name=audio format=time is-live=true max-bytes=1000000 leaky-type=downstream "
    "! opusdec ! audioconvert ! audioresample ! volume name=volume", decoder);
  pipeline = gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (pipeline == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  gst_object_ref_sink (pipeline);

  video_src = gst_bin_get_by_name (GST_BIN (pipeline), "video");
  audio_src = gst_bin_get_by_name (GST_BIN (pipeline), "audio");
  video_sink = gst_bin_get_by_name (GST_BIN (pipeline), "video_sink");
  volume = gst_bin_get_by_name (GST_BIN (pipeline), "volume");
  g_assert (video_src != NULL && audio_src != NULL && video_sink != NULL && volume != NULL);

  audio_sink = make_audio_sink (&build->audio_output);
  gst_bin_add (GST_BIN (pipeline), audio_sink);
  if (!gst_element_link (volume, audio_sink))
    {
      g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                               "Cannot link the audio output");
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return;
    }

  gst_app_sink_set_callbacks (GST_APP_SINK (video_sink), &callbacks, cb_player_feed_ref (build->feed),
                              cb_player_feed_unref);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                               "The player's pipeline does not start");
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return;
    }

  g_mutex_lock (&build->feed->lock);
  build->feed->video_src = g_steal_pointer (&video_src);
  build->feed->audio_src = g_steal_pointer (&audio_src);
  g_mutex_unlock (&build->feed->lock);

  build->volume = g_steal_pointer (&volume);
  build->pipeline = g_steal_pointer (&pipeline);
  g_task_return_boolean (task, TRUE);
}

guint64
cb_player_feed_get_decoded (CbPlayerFeed *feed,
                            int          *width,
                            int          *height)
{
  guint64 n;

  g_mutex_lock (&feed->lock);
  n = feed->n_decoded;
  if (width != NULL)
    *width = feed->width;
  if (height != NULL)
    *height = feed->height;
  g_mutex_unlock (&feed->lock);
  return n;
}

void
cb_player_feed_build_async (CbPlayerFeed        *feed,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Build *build = g_new0 (Build, 1);
  g_autoptr(GTask) task = NULL;

  build->feed = cb_player_feed_ref (feed);
  /* No source object: the worker must not hold the window. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cb_player_feed_build_async);
  g_task_set_task_data (task, build, build_free);
  g_task_run_in_thread (task, build_thread);
}

GstElement *
cb_player_feed_build_finish (GAsyncResult  *result,
                             GstElement   **volume,
                             gboolean      *audio_output,
                             GError       **error)
{
  GTask *task = G_TASK (result);
  Build *build = g_task_get_task_data (task);

  /* A pipeline nobody takes goes with the task (build_free()). */
  if (!g_task_propagate_boolean (task, error))
    return NULL;
  *volume = g_steal_pointer (&build->volume);
  *audio_output = build->audio_output;
  return g_steal_pointer (&build->pipeline);
}
