/* cb-snapshot.c — a PNG of a stream's current picture (WCS snapshot)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A short-lived consumer: it gets the cached GOP (a keyframe first), decodes the first
 * picture and encodes it as PNG, then detaches. The pipeline is stopped on the engine
 * context, never from its own streaming thread.
 */
#include <gst/app/gstappsink.h>

#include "cb-context.h"
#include "cb-pipeline.h"
#include "cb-snapshot.h"

#define SNAPSHOT_TIMEOUT_MS 5000

typedef struct {
  GTask      *task;
  GstElement *pipeline;
  CbConsumer *consumer;
  GSource    *timeout;
  GBytes     *png;
  gint        done;     /* atomic: a picture arrived, or the time ran out */
} Snapshot;

static void
snapshot_finish (Snapshot *snap,
                 GError   *error)
{
  GTask *task = g_steal_pointer (&snap->task);

  if (snap->timeout != NULL)
    {
      g_source_destroy (snap->timeout);
      g_clear_pointer (&snap->timeout, g_source_unref);
    }
  g_clear_pointer (&snap->consumer, cb_consumer_detach);
  if (snap->pipeline != NULL)
    {
      cb_pipeline_unwatch (snap->pipeline);
      gst_element_set_state (snap->pipeline, GST_STATE_NULL);
      gst_clear_object (&snap->pipeline);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&snap->png), (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&snap->png, g_bytes_unref);
  g_free (snap);
  g_object_unref (task);
}

static gboolean
on_png_ready (gpointer data)
{
  snapshot_finish (data, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer data)
{
  Snapshot *snap = data;

  /* A picture that arrived just now wins: its idle finishes the snapshot. */
  if (!g_atomic_int_compare_and_exchange (&snap->done, FALSE, TRUE))
    return G_SOURCE_CONTINUE;
  snapshot_finish (snap, g_error_new (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                                      "No picture could be decoded"));
  return G_SOURCE_REMOVE;
}

/* A picture that cannot be decoded fails at once, not when the time runs out. */
static gboolean
on_bus_message (GstMessage   *message,
                const GError *error,
                gpointer      data)
{
  Snapshot *snap = data;

  if (error == NULL)
    return G_SOURCE_CONTINUE;
  g_debug ("snapshot: %s", error->message);
  if (!g_atomic_int_compare_and_exchange (&snap->done, FALSE, TRUE))
    return G_SOURCE_CONTINUE;   /* a picture arrived: its idle finishes */
  snapshot_finish (snap, g_error_new (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                                      "No picture could be decoded"));
  return G_SOURCE_REMOVE;
}

static GstFlowReturn
on_sample (GstAppSink *sink,
           gpointer    data)
{
  Snapshot *snap = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstMapInfo map;

  if (sample == NULL || g_atomic_int_get (&snap->done) ||
      !gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ))
    return GST_FLOW_EOS;
  if (!g_atomic_int_compare_and_exchange (&snap->done, FALSE, TRUE))
    {
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      return GST_FLOW_EOS;
    }
  snap->png = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);

  cb_idle_on (g_task_get_context (snap->task), G_PRIORITY_DEFAULT, on_png_ready, snap, NULL);
  return GST_FLOW_EOS;
}

void
cb_engine_snapshot_async (CbEngine            *self,
                          const char          *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(CbStream) stream = name ? cb_engine_lookup_stream (self, name) : NULL;
  g_autoptr(GstCaps) vcaps = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) error = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_sample };
  Snapshot *snap;

  g_task_set_source_tag (task, cb_engine_snapshot_async);
  if (stream == NULL)
    {
      g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Stream not found");
      return;
    }
  vcaps = cb_stream_dup_caps (stream, CB_MEDIA_VIDEO);
  if (vcaps == NULL)
    {
      g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "The stream has no video");
      return;
    }

  snap = g_new0 (Snapshot, 1);
  snap->task = g_steal_pointer (&task);
  snap->pipeline = gst_parse_launch ("appsrc name=src format=time max-bytes=20000000 ! decodebin ! "
                                     "videoconvert ! pngenc snapshot=true ! "
                                     "appsink name=sink sync=false async=false", &error);
  if (snap->pipeline == NULL || error != NULL)
    {
      snapshot_finish (snap, g_error_new (CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                                          "Cannot decode pictures: %s",
                                          error ? error->message : "no pipeline"));
      return;
    }
  src = gst_bin_get_by_name (GST_BIN (snap->pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (snap->pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, snap, NULL);
  cb_pipeline_watch (snap->pipeline, g_task_get_context (snap->task), on_bus_message, snap, NULL);
  gst_element_set_state (snap->pipeline, GST_STATE_PLAYING);

  snap->timeout = g_timeout_source_new (SNAPSHOT_TIMEOUT_MS);
  g_source_set_callback (snap->timeout, on_timeout, snap, NULL);
  g_source_attach (snap->timeout, g_task_get_context (snap->task));

  snap->consumer = cb_stream_attach_appsrc (stream, src, NULL, NULL, CB_AUDIO_ANY, &error);
  if (snap->consumer == NULL)
    snapshot_finish (snap, g_steal_pointer (&error));
}

GBytes *
cb_engine_snapshot_finish (CbEngine      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
