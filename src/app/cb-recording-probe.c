/* cb-recording-probe.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One short-lived pipeline per file, on a GTask worker: uridecodebin decodes the video
 * (audio stops at its compressed caps and goes to a fakesink, which is enough to learn
 * its codec), the first picture after about a second is scaled to a small RGB frame and
 * pulled from an appsink while the pipeline is paused. Nothing here touches GTK: the
 * caller makes the texture from the pixels on its own thread.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "cb-recording-probe.h"
#include "cb-media.h"

#define PROBE_STEP_LIMIT_S  10      /* a file that takes longer to open is not worth a picture */
#define THUMBNAIL_AT_NS     (1 * GST_SECOND)

typedef struct
{
  char *path;
  int   width;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->path);
  g_free (request);
}

/* Shared with the pipeline's streaming threads. */
typedef struct
{
  GMutex      lock;
  GstElement *pipeline;
  GstElement *video_sink_pad_owner;   /* the videoconvert the first video pad links to */
  gboolean    video_linked;
  char       *video_codec;
  char       *audio_codec;
} Graph;

void
cb_recording_probe_free (CbRecordingProbe *probe)
{
  if (probe == NULL)
    return;
  g_clear_pointer (&probe->pixels, g_bytes_unref);
  g_free (probe->video_codec);
  g_free (probe->audio_codec);
  g_free (probe);
}

/* The engine's names for what it records (and what older files may hold). */
static const char *
codec_from_caps (GstCaps  *caps,
                 gboolean *is_audio)
{
  const char *codec = cb_media_codec_from_caps (caps);

  *is_audio = codec != NULL &&
              g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
                                "audio/");
  return codec;
}

/* Streaming thread: notes each codec; audio is not decoded (only its codec matters). */
static gboolean
on_autoplug_continue (GstElement *decodebin,
                      GstPad     *pad,
                      GstCaps    *caps,
                      Graph      *graph)
{
  gboolean is_audio = FALSE;
  const char *codec = codec_from_caps (caps, &is_audio);

  if (codec == NULL)
    return TRUE;

  g_mutex_lock (&graph->lock);
  if (is_audio && graph->audio_codec == NULL)
    graph->audio_codec = g_strdup (codec);
  else if (!is_audio && graph->video_codec == NULL)
    graph->video_codec = g_strdup (codec);
  g_mutex_unlock (&graph->lock);
  return !is_audio;
}

/* Streaming thread: the first raw video goes to the thumbnail branch; everything else to
 * a fakesink of its own, so that no pad is left unlinked (which would fail the preroll). */
static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              Graph      *graph)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *name = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  GstElement *target = NULL;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps != NULL && gst_caps_get_size (caps) > 0)
    name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  g_mutex_lock (&graph->lock);
  if (name != NULL && g_str_equal (name, "video/x-raw") && !graph->video_linked)
    {
      graph->video_linked = TRUE;
      target = graph->video_sink_pad_owner;
    }
  g_mutex_unlock (&graph->lock);

  if (target == NULL)
    {
      target = gst_element_factory_make ("fakesink", NULL);
      g_object_set (target, "sync", FALSE, NULL);
      gst_bin_add (GST_BIN (graph->pipeline), target);
      gst_element_sync_state_with_parent (target);
    }
  sink_pad = gst_element_get_static_pad (target, "sink");
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    g_debug ("Probe: could not link a %s pad", name != NULL ? name : "?");
}

/* Waits for the pipeline to settle after a state change or a seek. */
static gboolean
wait_async_done (GstElement    *pipeline,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + PROBE_STEP_LIMIT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GstMessage) message = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      message = gst_bus_timed_pop_filtered (bus, 200 * GST_MSECOND,
                                            GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
      if (message == NULL)
        continue;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) gst_error = NULL;

          gst_message_parse_error (message, &gst_error, NULL);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", gst_error->message);
          return FALSE;
        }
      return TRUE;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The file took too long to open");
  return FALSE;
}

static void
take_frame (CbRecordingProbe *probe,
            GstElement       *appsink)
{
  g_autoptr(GstSample) sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (appsink),
                                                               2 * GST_SECOND);
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buffer;
  guint8 *pixels;
  gsize stride;

  if (sample == NULL || (buffer = gst_sample_get_buffer (sample)) == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_RGB ||
      !gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    return;

  /* Packed rows, whatever padding GStreamer used. */
  stride = (gsize) GST_VIDEO_FRAME_WIDTH (&frame) * 3;
  pixels = g_malloc (stride * GST_VIDEO_FRAME_HEIGHT (&frame));
  for (int y = 0; y < GST_VIDEO_FRAME_HEIGHT (&frame); y++)
    memcpy (pixels + y * stride,
            (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
              y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
            stride);
  probe->width = GST_VIDEO_FRAME_WIDTH (&frame);
  probe->height = GST_VIDEO_FRAME_HEIGHT (&frame);
  probe->stride = stride;
  probe->pixels = g_bytes_new_take (pixels, stride * probe->height);
  gst_video_frame_unmap (&frame);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(CbRecordingProbe) probe = g_new0 (CbRecordingProbe, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *decodebin, *convert, *scale, *filter, *appsink;
  Graph graph = { 0 };
  gint64 duration = GST_CLOCK_TIME_NONE;
  GStatBuf st;

  if (g_stat (request->path, &st) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s",
                               request->path, g_strerror (saved));
      return;
    }
  probe->size = st.st_size;

  uri = g_filename_to_uri (request->path, NULL, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_mutex_init (&graph.lock);
  graph.pipeline = gst_pipeline_new ("recording-probe");
  decodebin = gst_element_factory_make ("uridecodebin", NULL);
  convert = gst_element_factory_make ("videoconvert", NULL);
  scale = gst_element_factory_make ("videoscale", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  appsink = gst_element_factory_make ("appsink", NULL);
  if (decodebin == NULL || convert == NULL || scale == NULL || filter == NULL || appsink == NULL)
    {
      g_clear_pointer (&decodebin, gst_object_unref);
      g_clear_pointer (&convert, gst_object_unref);
      g_clear_pointer (&scale, gst_object_unref);
      g_clear_pointer (&filter, gst_object_unref);
      g_clear_pointer (&appsink, gst_object_unref);
      gst_object_unref (graph.pipeline);
      g_mutex_clear (&graph.lock);
      /* No picture, but the size is known. */
      g_task_return_pointer (task, g_steal_pointer (&probe),
                             (GDestroyNotify) cb_recording_probe_free);
      return;
    }

  /* Height follows the picture's aspect ratio. */
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
                              "width", G_TYPE_INT, request->width,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (appsink, "sync", FALSE, "max-buffers", 1, "enable-last-sample", FALSE, NULL);
  g_object_set (decodebin, "uri", uri, NULL);
  graph.video_sink_pad_owner = convert;
  gst_bin_add_many (GST_BIN (graph.pipeline), decodebin, convert, scale, filter, appsink, NULL);
  gst_element_link_many (convert, scale, filter, appsink, NULL);
  g_signal_connect (decodebin, "autoplug-continue", G_CALLBACK (on_autoplug_continue), &graph);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), &graph);

  if (gst_element_set_state (graph.pipeline, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE ||
      !wait_async_done (graph.pipeline, cancellable, &error))
    {
      g_debug ("Probe of %s: %s", request->path, error != NULL ? error->message : "no preroll");
      /* Said; a cancelled probe is told below, with an error of its own. */
      g_clear_error (&error);
      goto out;
    }

  if (gst_element_query_duration (graph.pipeline, GST_FORMAT_TIME, &duration) &&
      GST_CLOCK_TIME_IS_VALID (duration))
    probe->duration = (double) duration / GST_SECOND;

  if (graph.video_linked)
    {
      /* A second in, past a fade-in or a black first frame, when the file is that long. */
      if (GST_CLOCK_TIME_IS_VALID (duration) && duration > 2 * THUMBNAIL_AT_NS &&
          gst_element_seek_simple (graph.pipeline, GST_FORMAT_TIME,
                                   GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT |
                                   GST_SEEK_FLAG_SNAP_AFTER, THUMBNAIL_AT_NS) &&
          !wait_async_done (graph.pipeline, cancellable, &error))
        {
          /* The first picture will do. */
          g_debug ("Probe of %s: seeking: %s", request->path, error->message);
          g_clear_error (&error);
        }
      if (!g_cancellable_is_cancelled (cancellable))
        take_frame (probe, appsink);
    }

out:
  gst_element_set_state (graph.pipeline, GST_STATE_NULL);
  g_mutex_lock (&graph.lock);
  probe->video_codec = g_steal_pointer (&graph.video_codec);
  probe->audio_codec = g_steal_pointer (&graph.audio_codec);
  g_mutex_unlock (&graph.lock);
  gst_object_unref (graph.pipeline);
  g_mutex_clear (&graph.lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&probe), (GDestroyNotify) cb_recording_probe_free);
}

void
cb_recording_probe_async (const char          *path,
                          int                  width,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (path != NULL);
  g_return_if_fail (width > 0);

  request = g_new0 (Request, 1);
  request->path = g_strdup (path);
  request->width = width;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cb_recording_probe_async);
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, probe_thread);
}

CbRecordingProbe *
cb_recording_probe_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cb_recording_probe_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
