/* cb-local-source.c — capture from this machine into a stream
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pipeline per source: capture → tee → (preview: small RGBA frames) and
 * (publish: H.264 / AAC into the attached stream). Encoding runs only while a
 * stream is attached; a valve closes the branch otherwise.
 */
#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "cb-engine-error.h"
#include "cb-pipeline.h"
#include "cb-local-source.h"

/* The most frames a second the preview is given. */
#define PREVIEW_FPS 15

struct _CbLocalSource
{
  GObject        parent_instance;

  char          *spec;
  char          *video_part;   /* "pattern", "camera[:id]", NULL */
  char          *audio_part;   /* "tone", "mic[:id]", NULL */
  char          *file_path;

  GstElement    *pipeline;
  gboolean       has_video;
  gboolean       has_audio;

  GMutex         lock;          /* guards the fields below, used from streaming threads */
  CbStream      *stream;
  GstElement    *valve[CB_MEDIA_N_KINDS];
  gboolean       muted;          /* the audio is silence (the microphone muted) */
  GstCaps       *sent_caps[CB_MEDIA_N_KINDS];
  CbPreviewFunc  preview_func;
  gpointer       preview_data;
  GDestroyNotify preview_destroy;
  GstElement    *preview_valve;  /* closed while nobody looks: no frame is scaled */

  /* settings, read at construction */
  int            width, height, fps, bitrate, keyframe_seconds;
  char          *encoder;
  char          *x264_preset;
  char          *aac_encoder;   /* cb_media_aac_encoder(), found once at construction */
  int            preview_width;
  GstElement    *program_bin;   /* cb_local_source_new_for_bin() */
};

G_DEFINE_FINAL_TYPE (CbLocalSource, cb_local_source, G_TYPE_OBJECT)

enum {
  SIGNAL_ERROR,
  SIGNAL_EOS,
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cb_local_source_dispose (GObject *object)
{
  CbLocalSource *self = CB_LOCAL_SOURCE (object);

  cb_local_source_stop (self);
  cb_pipeline_unwatch (self->pipeline);
  gst_clear_object (&self->pipeline);
  gst_clear_object (&self->program_bin);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    {
      gst_clear_object (&self->valve[k]);
      gst_clear_caps (&self->sent_caps[k]);
    }
  gst_clear_object (&self->preview_valve);
  g_clear_object (&self->stream);
  if (self->preview_destroy != NULL)
    self->preview_destroy (self->preview_data);
  self->preview_destroy = NULL;
  self->preview_func = NULL;

  G_OBJECT_CLASS (cb_local_source_parent_class)->dispose (object);
}

static void
cb_local_source_finalize (GObject *object)
{
  CbLocalSource *self = CB_LOCAL_SOURCE (object);

  g_free (self->spec);
  g_free (self->video_part);
  g_free (self->audio_part);
  g_free (self->file_path);
  g_free (self->encoder);
  g_free (self->x264_preset);
  g_free (self->aac_encoder);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cb_local_source_parent_class)->finalize (object);
}

static void
cb_local_source_class_init (CbLocalSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_local_source_dispose;
  object_class->finalize = cb_local_source_finalize;

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_EOS] =
    g_signal_new ("eos", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* "message" (GstMessage *): every error and element message of the pipeline, before
   * the source acts on it; a handler returning TRUE has dealt with it (a scene's source
   * that failed on its own does not fail the stream). */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, GST_TYPE_MESSAGE);
}

static void
cb_local_source_init (CbLocalSource *self)
{
  g_mutex_init (&self->lock);
  self->width = 1280;
  self->height = 720;
  self->fps = 30;
  self->bitrate = 2500;
  self->keyframe_seconds = 2;
  self->encoder = g_strdup ("x264");
  self->x264_preset = g_strdup ("veryfast");
  self->preview_width = 640;
}

/* ---- devices ------------------------------------------------------------- */

void
cb_device_free (CbDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->id);
  g_free (device->label);
  g_free (device);
}

static const char *
device_class (CbMediaKind kind)
{
  return kind == CB_MEDIA_VIDEO ? "Video/Source" : "Audio/Source";
}

/**
 * cb_devices_list:
 *
 * Returns: (transfer full) (element-type CbDevice): cameras or microphones; may be empty.
 */
GPtrArray *
cb_devices_list (CbMediaKind kind)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_device_free);
  GList *devices = cb_media_list_devices (device_class (kind));

  for (GList *l = devices; l != NULL; l = l->next)
    {
      CbDevice *d = g_new0 (CbDevice, 1);
      d->id = cb_media_device_id (l->data);
      d->label = gst_device_get_display_name (l->data);
      g_ptr_array_add (out, d);
    }
  g_list_free_full (devices, gst_object_unref);
  return out;
}

typedef struct
{
  GPtrArray *cameras;
  GPtrArray *mics;
} DeviceLists;

static void
device_lists_free (gpointer data)
{
  DeviceLists *lists = data;

  g_clear_pointer (&lists->cameras, g_ptr_array_unref);
  g_clear_pointer (&lists->mics, g_ptr_array_unref);
  g_free (lists);
}

static void
list_devices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  DeviceLists *lists = g_new0 (DeviceLists, 1);

  lists->cameras = cb_devices_list (CB_MEDIA_VIDEO);
  lists->mics = cb_devices_list (CB_MEDIA_AUDIO);
  g_task_return_pointer (task, lists, device_lists_free);
}

void
cb_devices_list_async (gpointer             source_object,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             data)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, data);

  g_task_set_source_tag (task, cb_devices_list_async);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, list_devices_thread);
}

gboolean
cb_devices_list_finish (GAsyncResult  *result,
                        GPtrArray    **cameras,
                        GPtrArray    **mics)
{
  DeviceLists *lists = g_task_propagate_pointer (G_TASK (result), NULL);

  if (lists == NULL)
    return FALSE;
  *cameras = g_steal_pointer (&lists->cameras);
  *mics = g_steal_pointer (&lists->mics);
  device_lists_free (lists);
  return TRUE;
}

/**
 * cb_device_create_element:
 * @id: (nullable): a device id of cb_devices_list(), or NULL for the first device
 *
 * Returns: (transfer full): the capture element, or NULL with CB_ENGINE_ERROR_NO_DEVICE
 */
GstElement *
cb_device_create_element (CbMediaKind   kind,
                       const char   *id,
                       GError      **error)
{
  GstElement *element = cb_media_create_device_element (device_class (kind), id);

  if (element == NULL)
    {
      const char *what = kind == CB_MEDIA_VIDEO ? "camera" : "microphone";
      if (id != NULL)
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                     "No %s “%s” on this machine", what, id);
      else
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                     "No %s on this machine", what);
    }
  return element;
}

/* ---- spec ---------------------------------------------------------------- */

static gboolean
parse_spec (CbLocalSource  *self,
            const char     *spec,
            GError        **error)
{
  g_auto(GStrv) parts = NULL;

  if (spec == NULL || *spec == '\0' || !g_utf8_validate (spec, -1, NULL))
    goto bad;

  if (g_str_has_prefix (spec, "file:"))
    {
      const char *path = spec + 5;
      g_autofree char *local = NULL;

      if (g_str_has_prefix (path, "//"))
        local = g_filename_from_uri (spec, NULL, NULL);
      else
        local = g_strdup (path);
      if (local == NULL || *local == '\0')
        goto bad;
      if (!g_file_test (local, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND,
                       "File not found: %s", local);
          return FALSE;
        }
      self->file_path = g_steal_pointer (&local);
      return TRUE;
    }

  parts = g_strsplit (spec, "+", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];
      char **slot = NULL;
      const char *value = p;

      if (g_str_equal (p, "test"))
        {
          if (self->video_part != NULL || self->audio_part != NULL)
            goto bad;
          self->video_part = g_strdup ("pattern");
          self->audio_part = g_strdup ("tone");
          continue;
        }
      if (g_str_equal (p, "pattern") || g_str_equal (p, "camera") || g_str_has_prefix (p, "camera:"))
        slot = &self->video_part;
      else if (g_str_equal (p, "tone") || g_str_equal (p, "mic") || g_str_has_prefix (p, "mic:"))
        slot = &self->audio_part;
      else
        goto bad;
      if (*slot != NULL || (g_str_has_suffix (p, ":")))
        goto bad;
      *slot = g_strdup (value);
    }
  if (self->video_part == NULL && self->audio_part == NULL)
    goto bad;
  return TRUE;

bad:
  /* The source came from the network, perhaps a URL with a password typed where it does
   * not belong: the message (an answer, a log line) does not repeat it. */
  g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Unknown source: use test, camera, mic, camera+mic, pattern+tone or "
                       "file:PATH");
  return FALSE;
}

/* ---- pipeline ------------------------------------------------------------ */

static void
push_sample (CbLocalSource *self,
             CbMediaKind    kind,
             GstSample     *sample)
{
  g_autoptr(CbStream) stream = NULL;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  gboolean new_caps = FALSE;
  GstBuffer *out;

  g_mutex_lock (&self->lock);
  if (self->stream != NULL)
    stream = g_object_ref (self->stream);
  if (caps != NULL && (self->sent_caps[kind] == NULL || !gst_caps_is_equal (caps, self->sent_caps[kind])))
    {
      gst_caps_replace (&self->sent_caps[kind], caps);
      new_caps = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (stream == NULL || buffer == NULL)
    return;
  if (new_caps || cb_stream_dup_caps (stream, kind) == NULL)
    cb_stream_push_caps (stream, kind, caps);

  /* One clock for both kinds: running time of the pipeline. */
  out = cb_media_running_time_copy (buffer, segment);
  cb_stream_push_buffer (stream, kind, out);
  gst_buffer_unref (out);
}

static GstFlowReturn
on_sample (GstAppSink *sink,
           gpointer    data)
{
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  CbMediaKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink), "cb-kind"));

  if (sample != NULL)
    push_sample (data, kind, sample);
  return GST_FLOW_OK;
}

static GstFlowReturn
on_preview_sample (GstAppSink *sink,
                   gpointer    data)
{
  CbLocalSource *self = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  g_mutex_lock (&self->lock);
  if (sample != NULL && self->preview_func != NULL)
    self->preview_func (sample, self->preview_data);
  g_mutex_unlock (&self->lock);
  return GST_FLOW_OK;
}

/* Adds "queue ! <desc>" fed from @src_pad and wires its appsink. */
static gboolean
add_branch (CbLocalSource  *self,
            GstPad         *src_pad,
            const char     *desc,
            GstAppSinkCallbacks *callbacks,
            CbMediaKind     kind,
            GError        **error)
{
  GstElement *bin = cb_media_parse_bin (desc, TRUE, error);
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GstElement) sink = NULL;

  if (bin == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (self->pipeline), bin);
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  g_object_set_data (G_OBJECT (sink), "cb-kind", GINT_TO_POINTER (kind));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), callbacks, self, NULL);
  if ((int) kind >= 0)
    {
      g_mutex_lock (&self->lock);
      gst_clear_object (&self->valve[kind]);
      self->valve[kind] = gst_bin_get_by_name (GST_BIN (bin), "valve");
      g_object_set (self->valve[kind], "drop", self->stream == NULL, NULL);
      g_mutex_unlock (&self->lock);
    }
  else
    {
      g_mutex_lock (&self->lock);
      gst_clear_object (&self->preview_valve);
      self->preview_valve = gst_bin_get_by_name (GST_BIN (bin), "valve");
      if (self->preview_valve != NULL)
        g_object_set (self->preview_valve, "drop", self->preview_func == NULL, NULL);
      g_mutex_unlock (&self->lock);
    }
  sink_pad = gst_element_get_static_pad (bin, "sink");
  if (gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot link capture branch");
      return FALSE;
    }
  gst_element_sync_state_with_parent (bin);
  return TRUE;
}

/* The H.264 encoder of the settings: x264 with its preset, or a hardware encoder when
 * GStreamer has it (cb_media_h264_encoders() lists them); x264 when it is missing. The
 * profile stays constrained baseline for WebRTC players. */
static char *
dup_encoder_description (CbLocalSource *self)
{
  int gop = MAX (1, self->fps * self->keyframe_seconds);
  g_autoptr(GstElementFactory) factory = NULL;

  if (!g_str_equal (self->encoder, "x264"))
    factory = gst_element_factory_find (self->encoder);
  if (factory == NULL)
    return g_strdup_printf ("x264enc tune=zerolatency speed-preset=%s bitrate=%d key-int-max=%d "
                            "bframes=0 ! video/x-h264,profile=constrained-baseline",
                            self->x264_preset, self->bitrate, gop);
  if (g_str_equal (self->encoder, "vaapih264enc"))
    return g_strdup_printf ("vaapih264enc rate-control=cbr bitrate=%d keyframe-period=%d "
                            "max-bframes=0 ! video/x-h264,profile=constrained-baseline",
                            self->bitrate, gop);
  if (g_str_equal (self->encoder, "vah264enc"))
    return g_strdup_printf ("vah264enc rate-control=cbr bitrate=%d key-int-max=%d b-frames=0 ! "
                            "video/x-h264,profile=constrained-baseline", self->bitrate, gop);
  if (g_str_equal (self->encoder, "nvh264enc"))
    return g_strdup_printf ("nvh264enc rc-mode=cbr bitrate=%d gop-size=%d bframes=0 zerolatency=true ! "
                            "video/x-h264,profile=constrained-baseline", self->bitrate, gop);
  return g_strdup_printf ("%s bitrate=%d gop-size=%d bframes=0 ! "
                          "video/x-h264,profile=constrained-baseline",
                          self->encoder, self->bitrate, gop);
}

static gboolean
add_video_branches (CbLocalSource  *self,
                    GstPad         *raw_pad,
                    GError        **error)
{
  GstElement *tee = gst_element_factory_make ("tee", NULL);
  GstAppSinkCallbacks video_cb = { .new_sample = on_sample };
  GstAppSinkCallbacks preview_cb = { .new_sample = on_preview_sample };
  g_autoptr(GstPad) tee_sink = gst_element_get_static_pad (tee, "sink");
  g_autoptr(GstPad) t1 = NULL;
  g_autoptr(GstPad) t2 = NULL;
  g_autofree char *encode = NULL;
  g_autofree char *encoder = NULL;
  g_autofree char *preview = NULL;
  gboolean sync = self->file_path != NULL;

  gst_bin_add (GST_BIN (self->pipeline), tee);
  gst_element_sync_state_with_parent (tee);
  if (gst_pad_link (raw_pad, tee_sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot link video capture");
      return FALSE;
    }
  t1 = gst_element_request_pad_simple (tee, "src_%u");
  t2 = gst_element_request_pad_simple (tee, "src_%u");

  encoder = dup_encoder_description (self);
  encode = g_strdup_printf ("queue max-size-buffers=5 leaky=downstream ! valve name=valve ! "
                            "videoconvert ! %s ! h264parse ! "
                            "video/x-h264,stream-format=avc,alignment=au ! "
                            "appsink name=sink sync=%s async=false max-buffers=60 drop=true",
                            encoder, sync ? "true" : "false");
  if (!add_branch (self, t1, encode, &video_cb, CB_MEDIA_VIDEO, error))
    return FALSE;
  /* The preview fills a panel: at most PREVIEW_FPS frames a second are scaled and
   * converted, in one pass, and drawn (under software GL each drawn frame costs more than
   * making it); none while no preview function is set (the valve, which lets the end
   * of a file through: the pipeline ends when every sink has it). */
  preview = g_strdup_printf ("queue max-size-buffers=1 leaky=downstream ! "
                             "valve name=valve drop-mode=forward-sticky-events ! "
                             "videorate drop-only=true max-rate=%d ! %s ! "
                             "video/x-raw,format=RGBA,width=%d,pixel-aspect-ratio=1/1 ! "
                             "appsink name=sink sync=false async=false max-buffers=1 drop=true",
                             PREVIEW_FPS, cb_media_convert_scale (), self->preview_width);
  return add_branch (self, t2, preview, &preview_cb, -1, error);
}

static gboolean
add_audio_branch (CbLocalSource  *self,
                  GstPad         *raw_pad,
                  GError        **error)
{
  GstAppSinkCallbacks audio_cb = { .new_sample = on_sample };
  g_autofree char *desc = NULL;

  /* AAC, what RTMP destinations and MP4 recordings take as it is: the sound is encoded
   * once. WebRTC players get an Opus rendition, made only while they play. */
  desc = g_strdup_printf ("queue max-size-time=1000000000 leaky=downstream ! "
                          "valve name=valve ! audioconvert ! "
                          "volume name=mute mute=%s ! audioresample ! "
                          "audio/x-raw,rate=48000,channels=2 ! %s ! "
                          "audio/mpeg,mpegversion=4,stream-format=raw ! "
                          "appsink name=sink sync=%s async=false max-buffers=200 drop=true",
                          self->muted ? "true" : "false", self->aac_encoder,
                          self->file_path != NULL ? "true" : "false");
  return add_branch (self, raw_pad, desc, &audio_cb, CB_MEDIA_AUDIO, error);
}

static GstPad *
add_source (CbLocalSource  *self,
            const char     *desc,
            GstElement     *device,
            GError        **error)
{
  GstElement *bin = cb_media_parse_bin (desc, TRUE, error);
  g_autoptr(GstPad) pad = NULL;

  if (bin == NULL)
    {
      g_clear_object (&device);
      return NULL;
    }
  if (device != NULL)
    {
      /* The description starts after the device: put it in front. */
      g_autoptr(GstPad) bin_sink = gst_element_get_static_pad (bin, "sink");
      g_autoptr(GstPad) dev_src = NULL;

      gst_bin_add (GST_BIN (self->pipeline), device);
      dev_src = gst_element_get_static_pad (device, "src");
      gst_bin_add (GST_BIN (self->pipeline), bin);
      if (dev_src == NULL || bin_sink == NULL || gst_pad_link (dev_src, bin_sink) != GST_PAD_LINK_OK)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot link the device");
          return NULL;
        }
    }
  else
    gst_bin_add (GST_BIN (self->pipeline), bin);

  pad = gst_element_get_static_pad (bin, "src");
  return g_steal_pointer (&pad);
}

static void
on_decodebin_pad_added (GstElement *decodebin,
                        GstPad     *pad,
                        gpointer    data)
{
  CbLocalSource *self = data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GError) error = NULL;
  const char *name;
  GstElement *conv;
  g_autoptr(GstPad) conv_sink = NULL;
  g_autoptr(GstPad) conv_src = NULL;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/") && !self->has_video)
    {
      self->has_video = TRUE;
      conv = cb_media_parse_bin ("videoconvert ! videoscale", TRUE, NULL);
      gst_bin_add (GST_BIN (self->pipeline), conv);
      gst_element_sync_state_with_parent (conv);
      conv_sink = gst_element_get_static_pad (conv, "sink");
      gst_pad_link (pad, conv_sink);
      conv_src = gst_element_get_static_pad (conv, "src");
      add_video_branches (self, conv_src, &error);
    }
  else if (g_str_has_prefix (name, "audio/") && !self->has_audio)
    {
      self->has_audio = TRUE;
      conv = cb_media_parse_bin ("audioconvert", TRUE, NULL);
      gst_bin_add (GST_BIN (self->pipeline), conv);
      gst_element_sync_state_with_parent (conv);
      conv_sink = gst_element_get_static_pad (conv, "sink");
      gst_pad_link (pad, conv_sink);
      conv_src = gst_element_get_static_pad (conv, "src");
      add_audio_branch (self, conv_src, &error);
    }
  if (error != NULL)
    g_warning ("%s: %s", self->spec, error->message);
}

static gboolean
on_bus_message (GstMessage   *message,
                const GError *gst_error,
                gpointer      data)
{
  CbLocalSource *self = data;
  gboolean handled = FALSE;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR ||
      GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
    {
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message, &handled);
      if (handled)
        return G_SOURCE_CONTINUE;
    }

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *text = cb_pipeline_error_text (message);

        g_debug ("source %s: %s", self->spec, gst_error->message);
        if (self->file_path != NULL &&
            (g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND) ||
             g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE) ||
             g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_DEMUX) ||
             g_error_matches (gst_error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND)))
          error = g_error_new (CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                               "File has wrong format");
        else
          error = g_error_new (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "%s", text);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      }
      break;
    case GST_MESSAGE_EOS:
      g_signal_emit (self, signals[SIGNAL_EOS], 0);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
build_pipeline (CbLocalSource  *self,
                GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  self->pipeline = gst_pipeline_new ("local-source");
  /* On the context the source is made in, not the default one. */
  cb_pipeline_watch (self->pipeline, context, on_bus_message, self, NULL);

  if (self->program_bin != NULL)
    {
      g_autoptr(GstPad) video = gst_element_get_static_pad (self->program_bin, "video");
      g_autoptr(GstPad) audio = gst_element_get_static_pad (self->program_bin, "audio");

      gst_bin_add (GST_BIN (self->pipeline), gst_object_ref (self->program_bin));
      if (video != NULL && !add_video_branches (self, video, error))
        return FALSE;
      if (audio != NULL && !add_audio_branch (self, audio, error))
        return FALSE;
      self->has_video = video != NULL;
      self->has_audio = audio != NULL;
      return TRUE;
    }

  if (self->file_path != NULL)
    {
      GstElement *src, *decodebin;

      if (!cb_media_have_element ("decodebin", error))
        return FALSE;
      src = gst_element_factory_make ("filesrc", NULL);
      decodebin = gst_element_factory_make ("decodebin", NULL);
      g_object_set (src, "location", self->file_path, NULL);
      gst_bin_add_many (GST_BIN (self->pipeline), src, decodebin, NULL);
      gst_element_link (src, decodebin);
      g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decodebin_pad_added), self);
      return TRUE;
    }

  if (self->video_part != NULL)
    {
      g_autofree char *caps = g_strdup_printf ("capsfilter caps=\"video/x-raw,width=%d,height=%d,framerate=%d/1\"",
                                               self->width, self->height, self->fps);
      g_autofree char *desc = NULL;
      g_autoptr(GstPad) pad = NULL;
      GstElement *device = NULL;

      if (g_str_equal (self->video_part, "pattern"))
        {
          g_autoptr(GstElementFactory) overlay = gst_element_factory_find ("timeoverlay");
          desc = g_strdup_printf ("videotestsrc is-live=true pattern=smpte horizontal-speed=2 ! "
                                  "%s %s", caps,
                                  overlay ? "! timeoverlay halignment=center valignment=center "
                                            "font-desc=\"Sans 36\"" : "");
        }
      else
        {
          const char *id = strchr (self->video_part, ':');
          device = cb_device_create_element (CB_MEDIA_VIDEO, id ? id + 1 : NULL, error);
          if (device == NULL)
            return FALSE;
          desc = g_strdup_printf ("videoconvert ! videoscale ! videorate ! %s", caps);
        }
      pad = add_source (self, desc, device, error);
      if (pad == NULL || !add_video_branches (self, pad, error))
        return FALSE;
      self->has_video = TRUE;
    }

  if (self->audio_part != NULL)
    {
      g_autoptr(GstPad) pad = NULL;
      GstElement *device = NULL;
      const char *desc;

      if (g_str_equal (self->audio_part, "tone"))
        desc = "audiotestsrc is-live=true wave=sine freq=440 volume=0.1";
      else
        {
          const char *id = strchr (self->audio_part, ':');
          device = cb_device_create_element (CB_MEDIA_AUDIO, id ? id + 1 : NULL, error);
          if (device == NULL)
            return FALSE;
          desc = "audioconvert";
        }
      pad = add_source (self, desc, device, error);
      if (pad == NULL || !add_audio_branch (self, pad, error))
        return FALSE;
      self->has_audio = TRUE;
    }
  return TRUE;
}

CbLocalSource *
cb_local_source_new (const char  *spec,
                     GError     **error)
{
  return cb_local_source_new_configured (spec, NULL, error);
}

static CbLocalSource *
local_source_new (const char  *spec,
                  GstElement  *program_bin,
                  CbSettings  *settings,
                  GError     **error);

/**
 * cb_local_source_new_for_bin:
 * @spec: what the stream's source reads as (e.g. "scene")
 * @bin: (transfer floating): raw video on a "video" ghost pad and/or raw audio on an
 *   "audio" ghost pad, at the output size and rate (a scene's program)
 *
 * The same encoding, preview and publishing as a capture, for media made elsewhere. The
 * preview is smaller: it only has to fill a panel.
 */
CbLocalSource *
cb_local_source_new_for_bin (const char  *spec,
                             GstElement  *bin,
                             CbSettings  *settings,
                             GError     **error)
{
  g_return_val_if_fail (GST_IS_BIN (bin), NULL);
  return local_source_new (spec, bin, settings, error);
}

/**
 * cb_local_source_new_configured:
 * @settings: (nullable): reads capture_width, capture_height, capture_fps,
 *   capture_bitrate and capture_keyframe_interval
 */
CbLocalSource *
cb_local_source_new_configured (const char  *spec,
                                CbSettings  *settings,
                                GError     **error)
{
  return local_source_new (spec, NULL, settings, error);
}

static CbLocalSource *
local_source_new (const char  *spec,
                  GstElement  *program_bin,
                  CbSettings  *settings,
                  GError     **error)
{
  g_autoptr(CbLocalSource) self = g_object_new (CB_TYPE_LOCAL_SOURCE, NULL);

  if (program_bin != NULL)
    {
      self->program_bin = gst_object_ref_sink (program_bin);
      self->preview_width = 480;
    }

  if (settings != NULL)
    {
      self->width = CLAMP (cb_settings_get_int (settings, "capture_width"), 16, 7680);
      self->height = CLAMP (cb_settings_get_int (settings, "capture_height"), 16, 4320);
      self->fps = CLAMP (cb_settings_get_int (settings, "capture_fps"), 1, 120);
      self->bitrate = CLAMP (cb_settings_get_int (settings, "capture_bitrate"), 50, 100000);
      self->keyframe_seconds = CLAMP (cb_settings_get_int (settings, "capture_keyframe_interval"), 1, 20);
      g_free (self->encoder);
      self->encoder = g_strdup (cb_settings_get_string (settings, "capture_encoder"));
      g_free (self->x264_preset);
      self->x264_preset = g_strdup (cb_settings_get_string (settings, "capture_x264_preset"));
    }
  if (self->program_bin == NULL && !parse_spec (self, spec, error))
    return NULL;
  self->spec = g_strdup (spec);
  if (!cb_media_have_element ("x264enc", error))
    return NULL;
  self->aac_encoder = cb_media_aac_encoder (CB_MEDIA_AAC_BITRATE, error);
  if (self->aac_encoder == NULL)
    return NULL;
  if (!build_pipeline (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
cb_local_source_get_spec (CbLocalSource *self)
{
  return self->spec;
}

gboolean
cb_local_source_has_video (CbLocalSource *self)
{
  return self->has_video;
}

gboolean
cb_local_source_has_audio (CbLocalSource *self)
{
  return self->has_audio;
}

gboolean
cb_local_source_start (CbLocalSource  *self,
                       GError        **error)
{
  g_return_val_if_fail (CB_IS_LOCAL_SOURCE (self), FALSE);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, CB_ENGINE_ERROR, self->file_path ? CB_ENGINE_ERROR_BAD_FORMAT
                                                           : CB_ENGINE_ERROR_NO_DEVICE,
                   self->file_path ? "Failed to read file" : "The capture device could not be opened");
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      return FALSE;
    }
  return TRUE;
}

void
cb_local_source_stop (CbLocalSource *self)
{
  g_return_if_fail (CB_IS_LOCAL_SOURCE (self));

  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
}

void
cb_local_source_set_stream (CbLocalSource *self,
                            CbStream      *stream)
{
  g_autoptr(GstElement) vvalve = NULL;

  g_return_if_fail (CB_IS_LOCAL_SOURCE (self));

  g_mutex_lock (&self->lock);
  g_set_object (&self->stream, stream);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    {
      gst_clear_caps (&self->sent_caps[k]);
      if (self->valve[k] != NULL)
        g_object_set (self->valve[k], "drop", stream == NULL, NULL);
    }
  if (self->valve[CB_MEDIA_VIDEO] != NULL)
    vvalve = gst_object_ref (self->valve[CB_MEDIA_VIDEO]);
  g_mutex_unlock (&self->lock);

  /* A stream that starts mid-capture starts on a fresh keyframe. */
  if (stream != NULL && vvalve != NULL)
    cb_local_source_request_keyframe (self);
}

/* TRUE while a stream is attached (the capture is live). Any thread. */
gboolean
cb_local_source_is_publishing (CbLocalSource *self)
{
  gboolean publishing;

  g_return_val_if_fail (CB_IS_LOCAL_SOURCE (self), FALSE);

  g_mutex_lock (&self->lock);
  publishing = self->stream != NULL;
  g_mutex_unlock (&self->lock);
  return publishing;
}

/* Asks the encoder for a keyframe now (a new consumer, a player's PLI). Any thread. */
void
cb_local_source_request_keyframe (CbLocalSource *self)
{
  g_autoptr(GstElement) vvalve = NULL;
  g_autoptr(GstObject) bin = NULL;
  g_autoptr(GstElement) sink = NULL;

  g_mutex_lock (&self->lock);
  if (self->valve[CB_MEDIA_VIDEO] != NULL)
    vvalve = gst_object_ref (self->valve[CB_MEDIA_VIDEO]);
  g_mutex_unlock (&self->lock);
  if (vvalve == NULL || (bin = gst_object_get_parent (GST_OBJECT (vvalve))) == NULL)
    return;
  /* From the branch's appsink upstream to the encoder, which is downstream of the valve
   * (sent at the valve, the event went up to the camera and no keyframe came). */
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  if (sink != NULL)
    gst_element_send_event (sink, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                              TRUE, 0));
}

void
cb_local_source_set_preview (CbLocalSource  *self,
                             CbPreviewFunc   func,
                             gpointer        data,
                             GDestroyNotify  destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (CB_IS_LOCAL_SOURCE (self));

  g_mutex_lock (&self->lock);
  old_destroy = self->preview_destroy;
  old_data = self->preview_data;
  self->preview_func = func;
  self->preview_data = data;
  self->preview_destroy = destroy;
  if (self->preview_valve != NULL)
    g_object_set (self->preview_valve, "drop", func == NULL, NULL);
  g_mutex_unlock (&self->lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* Silence instead of the audio, without a gap: the encoder keeps running. Any thread. */
void
cb_local_source_set_muted (CbLocalSource *self,
                           gboolean       muted)
{
  g_autoptr(GstElement) volume = NULL;

  g_return_if_fail (CB_IS_LOCAL_SOURCE (self));

  self->muted = !!muted;
  if (self->pipeline != NULL)
    volume = gst_bin_get_by_name (GST_BIN (self->pipeline), "mute");  /* in child bins too */
  if (volume != NULL)
    g_object_set (volume, "mute", self->muted, NULL);
}

gboolean
cb_local_source_get_muted (CbLocalSource *self)
{
  g_return_val_if_fail (CB_IS_LOCAL_SOURCE (self), FALSE);
  return self->muted;
}
