/* cb-transcoder.c — a rendition: one stream re-encoded once for every consumer of a profile
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The transcoder is a consumer of its parent stream and the producer of an unlisted
 * output stream. Each kind is either passed through as it is (no cost) or decoded and
 * encoded in one pipeline; the choice is made when the parent's caps are known.
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "cb-engine-error.h"
#include "cb-pipeline.h"
#include "cb-stream-private.h"

struct _CbTranscoder
{
  CbStream    *parent;    /* not owned: the parent owns us through its rendition table */
  CbStream    *out;
  CbProfile    profile;
  CbAudioWant  audio;
  CbConsumer  *input;

  GMutex       lock;      /* guards the pipeline's construction */
  GstElement  *pipeline;
  GstElement  *appsrc[CB_MEDIA_N_KINDS];
  GstElement  *appsink[CB_MEDIA_N_KINDS];
  GstCaps     *in_caps[CB_MEDIA_N_KINDS];
  gboolean     transcode[CB_MEDIA_N_KINDS];
};

/* Decoded media waits at most this long in a branch before the input is cut to keyframes. */
#define BRANCH_MAX_BYTES (32 * 1024 * 1024)

static const char *
decoder_for (const char *codec)
{
  static const struct { const char *codec, *desc; } table[] = {
    { "H264", "h264parse ! avdec_h264" },
    { "H265", "h265parse ! avdec_h265" },
    { "VP8", "vp8dec" },
    { "VP9", "vp9dec" },
    { "opus", "opusdec" },
    { "mpeg4-generic", "avdec_aac" },
    { "mpeg", "mpegaudioparse ! avdec_mp3" },
    { "PCMU", "mulawdec" },
    { "PCMA", "alawdec" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_strcmp0 (codec, table[i].codec) == 0)
      return table[i].desc;
  return NULL;
}

static int
default_bitrate (int height)
{
  if (height <= 0)
    return 2500;
  if (height <= 360)
    return 800;
  if (height <= 480)
    return 1200;
  if (height <= 720)
    return 2500;
  if (height <= 1080)
    return 4500;
  return 8000;
}

/* A VP8 rendition's bitrate, in kbit/s: near the source's (what it measured, less some
 * audio) when the size is kept, else from the size. Called from input_caps(), where
 * the parent's lock is held. */
static int
vp8_bitrate (CbTranscoder *self,
             int           out_height,
             int           src_height)
{
  int measured = self->parent->media.bitrate - (self->parent->media.has_audio ? 96 : 0);

  if (out_height == src_height && measured > 0)
    return CLAMP (measured, 300, 6000);
  return default_bitrate (out_height);
}

static void
push_sample (CbTranscoder *self,
             CbMediaKind   kind,
             GstSample    *sample)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  g_autoptr(GstBuffer) out = NULL;

  if (caps != NULL)
    cb_stream_push_caps (self->out, kind, caps);   /* ignored when equal */
  if (buffer == NULL)
    return;
  /* Timestamps in running time, as the input's: x264enc moves its segment 1000 hours on
   * (room for negative DTS), and the raw timestamps would be 1000 hours off the audio. */
  out = cb_media_running_time_copy (buffer, segment);
  cb_stream_push_buffer (self->out, kind, out);
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

/* On the streaming thread that fails (a synchronous watch: the transcoder has no context). */
static gboolean
on_bus_message (GstMessage   *message,
                const GError *error,
                gpointer      data)
{
  CbTranscoder *self = data;

  if (error != NULL)
    {
      g_autofree char *text = cb_pipeline_error_text (message);

      g_warning ("transcoder for %s failed: %s", cb_stream_get_name (self->parent), error->message);
      cb_stream_set_status (self->out, CB_STREAM_FAILED, text);
      cb_stream_push_eos (self->out);
    }
  return G_SOURCE_CONTINUE;
}

static char *
describe_branch (CbTranscoder  *self,
                 CbMediaKind    kind,
                 const GstCaps *caps,
                 GError       **error)
{
  const char *codec = cb_media_codec_from_caps (caps);
  const char *dec = decoder_for (codec);

  if (dec == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "Cannot transcode %s", codec ? codec : "unknown media");
      return NULL;
    }

  if (kind == CB_MEDIA_VIDEO)
    {
      const GstStructure *s = gst_caps_get_structure (caps, 0);
      const CbProfile *p = &self->profile;
      g_autoptr(GString) raw = g_string_new ("video/x-raw,pixel-aspect-ratio=1/1");
      int src_w = 0, src_h = 0, src_fps_n = 0, src_fps_d = 1, fps, kint;

      gst_structure_get_int (s, "width", &src_w);
      gst_structure_get_int (s, "height", &src_h);
      gst_structure_get_fraction (s, "framerate", &src_fps_n, &src_fps_d);
      if (p->height > 0)
        {
          int w = p->width;
          if (w <= 0)
            w = src_h > 0 ? (int) ((gint64) src_w * p->height / src_h) : p->height * 16 / 9;
          g_string_append_printf (raw, ",width=%d,height=%d", MAX (2, w & ~1), MAX (2, p->height & ~1));
        }
      if (p->fps > 0)
        g_string_append_printf (raw, ",framerate=%d/1", p->fps);
      fps = p->fps > 0 ? p->fps : 30;
      kint = p->keyframe_interval > 0 ? p->keyframe_interval : fps * 2;

      if (p->codec == CB_VIDEO_CODEC_VP8)
        {
          /* For browsers without H.264, in real time: libvpx's realtime settings, no
           * frames held back, and a stream a lost packet does not break for long;
           * keyframes every 2 s of the source's rate. One thread: libvpx's VP8 threads
           * wait for each other busily, and with two the encoder took 2x the CPU at
           * 640x360 and 5x at 1280x720, where it fell behind real time on two loaded
           * cores (one thread: 4%, 13% and 30% of a core at 320x240@15, 640x360@30 and
           * 1280x720@30, decoding included). */
          int out_h = p->height > 0 ? p->height : src_h;
          int rate = p->bitrate > 0 ? p->bitrate : vp8_bitrate (self, out_h, src_h);

          if (p->fps <= 0 && p->keyframe_interval <= 0 && src_fps_n > 0 && src_fps_d > 0)
            kint = MAX (1, 2 * src_fps_n / src_fps_d);
          return g_strdup_printf ("appsrc name=src format=time ! queue max-size-buffers=0 "
                                  "max-size-bytes=0 max-size-time=0 ! %s ! videoconvert ! "
                                  "videoscale ! %s %s ! vp8enc deadline=1 cpu-used=8 threads=1 "
                                  "lag-in-frames=0 end-usage=cbr error-resilient=default "
                                  "target-bitrate=%d keyframe-max-dist=%d ! video/x-vp8 ! "
                                  "appsink name=sink sync=false",
                                  dec, p->fps > 0 ? "videorate !" : "", raw->str,
                                  rate * 1000, kint);
        }

      return g_strdup_printf ("appsrc name=src format=time ! queue max-size-buffers=0 "
                              "max-size-bytes=0 max-size-time=0 ! %s ! videoconvert ! "
                              "videoscale ! %s %s ! x264enc tune=zerolatency "
                              "speed-preset=veryfast bitrate=%d key-int-max=%d bframes=0 ! "
                              "video/x-h264,profile=constrained-baseline ! "
                              "h264parse ! video/x-h264,stream-format=avc,alignment=au ! "
                              "appsink name=sink sync=false",
                              dec, p->fps > 0 ? "videorate !" : "", raw->str,
                              p->bitrate > 0 ? p->bitrate : default_bitrate (p->height), kint);
    }
  else
    {
      g_autofree char *enc = NULL;

      if (self->audio == CB_AUDIO_OPUS)
        enc = g_strdup ("opusenc bitrate=64000 ! audio/x-opus");
      else if ((enc = cb_media_aac_encoder (CB_MEDIA_AAC_BITRATE, error)) == NULL)
        return NULL;
      /* audiorate: a gap-free timeline. The encoded audio lasts exactly as long as the
       * source's time, so that it stays in sync with the video for hours: lost or late
       * packets and a publisher that stops sending audio for a while (a device switch)
       * leave holes, which become silence, and overlaps, which are cut. Imperfections
       * below audiorate's tolerance (40 ms) are only evened out. */
      return g_strdup_printf ("appsrc name=src format=time ! queue max-size-buffers=0 "
                              "max-size-bytes=0 max-size-time=0 ! %s ! audioconvert ! "
                              "audioresample ! audio/x-raw,rate=48000,channels=2 ! "
                              "audiorate skip-to-first=true ! %s ! "
                              "appsink name=sink sync=false", dec, enc);
    }
}

/* Builds the branch for @kind into the running pipeline. Called with self->lock held. */
static gboolean
add_branch (CbTranscoder  *self,
            CbMediaKind    kind,
            GstCaps       *caps,
            GError       **error)
{
  g_autofree char *desc = describe_branch (self, kind, caps, error);
  g_autoptr(GstElement) sink = NULL;
  GstAppSinkCallbacks callbacks = { 0 };
  GstElement *bin;

  if (desc == NULL)
    return FALSE;

  bin = cb_media_parse_bin (desc, FALSE, error);
  if (bin == NULL)
    return FALSE;

  gst_bin_add (GST_BIN (self->pipeline), bin);
  self->appsrc[kind] = gst_bin_get_by_name (GST_BIN (bin), "src");
  g_object_set (self->appsrc[kind], "max-bytes", (guint64) BRANCH_MAX_BYTES, "block", FALSE, NULL);
  gst_app_src_set_caps (GST_APP_SRC (self->appsrc[kind]), caps);

  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  gst_object_replace ((GstObject **) &self->appsink[kind], GST_OBJECT (sink));
  callbacks.new_sample = on_sample;
  g_object_set_data (G_OBJECT (sink), "cb-kind", GINT_TO_POINTER (kind));
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  gst_element_sync_state_with_parent (bin);
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  return TRUE;
}

static gboolean
kind_needs_transcoding (CbTranscoder  *self,
                        CbMediaKind    kind,
                        const GstCaps *caps)
{
  const char *codec = cb_media_codec_from_caps (caps);

  if (kind == CB_MEDIA_VIDEO)
    return !cb_profile_is_passthrough (&self->profile);
  if (self->audio == CB_AUDIO_AAC)
    return g_strcmp0 (codec, "mpeg4-generic") != 0;
  if (self->audio == CB_AUDIO_OPUS)
    return g_strcmp0 (codec, "opus") != 0;
  return FALSE;
}

/* Consumer callbacks: run on the parent's producer thread with its fan-out lock held. */
static void
input_caps (gpointer     data,
            CbMediaKind  kind,
            GstCaps     *caps)
{
  CbTranscoder *self = data;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  if (self->in_caps[kind] != NULL && gst_caps_is_equal (self->in_caps[kind], caps))
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  gst_caps_replace (&self->in_caps[kind], caps);
  self->transcode[kind] = kind_needs_transcoding (self, kind, caps);

  if (!self->transcode[kind])
    cb_stream_push_caps (self->out, kind, caps);
  else if (self->appsrc[kind] != NULL)
    gst_app_src_set_caps (GST_APP_SRC (self->appsrc[kind]), caps);
  else if (!add_branch (self, kind, caps, &error))
    {
      g_warning ("transcoder for %s: %s", cb_stream_get_name (self->parent), error->message);
      cb_stream_set_status (self->out, CB_STREAM_FAILED, error->message);
      self->transcode[kind] = FALSE;
      gst_clear_caps (&self->in_caps[kind]);
    }
  g_mutex_unlock (&self->lock);
}

static gboolean
input_buffer (gpointer     data,
              CbMediaKind  kind,
              GstBuffer   *buffer)
{
  CbTranscoder *self = data;
  GstAppSrc *src;

  if (!self->transcode[kind])
    {
      if (self->in_caps[kind] != NULL)
        cb_stream_push_buffer (self->out, kind, buffer);
      return TRUE;
    }

  src = self->appsrc[kind] ? GST_APP_SRC (self->appsrc[kind]) : NULL;
  if (src == NULL)
    return TRUE;
  if (gst_app_src_get_current_level_bytes (src) >= BRANCH_MAX_BYTES)
    return FALSE;
  gst_app_src_push_buffer (src, gst_buffer_ref (buffer));
  return TRUE;
}

static void
input_eos (gpointer data)
{
  CbTranscoder *self = data;

  cb_stream_push_eos (self->out);
}

/* The output's keyframe requests (a player's PLI, a new consumer with no cached GOP):
 * encoded video gets one from its encoder; video passed through asks the parent's
 * producer. Runs on the asking thread, while a consumer of the output keeps us alive. */
static void
output_keyframe (gpointer data)
{
  CbTranscoder *self = data;
  g_autoptr(GstElement) sink = NULL;

  g_mutex_lock (&self->lock);
  if (self->transcode[CB_MEDIA_VIDEO] && self->appsink[CB_MEDIA_VIDEO] != NULL)
    sink = gst_object_ref (self->appsink[CB_MEDIA_VIDEO]);
  g_mutex_unlock (&self->lock);

  if (sink != NULL)
    gst_element_send_event (sink, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                               TRUE, 0));
  else
    cb_stream_request_keyframe (self->parent);
}

static const CbConsumerFuncs input_funcs = {
  input_caps,
  input_buffer,
  input_eos,
};

CbTranscoder *
cb_transcoder_new (CbStream         *parent,
                   const CbProfile  *profile,
                   CbAudioWant       audio,
                   GError          **error)
{
  CbTranscoder *self;
  g_autofree char *name = NULL;

  if (profile != NULL && profile->codec == CB_VIDEO_CODEC_VP8)
    {
      if (!cb_media_have_element ("vp8enc", error) || !cb_media_have_element ("avdec_h264", error))
        return NULL;
    }
  else if (!cb_profile_is_passthrough (profile) &&
           (!cb_media_have_element ("x264enc", error) || !cb_media_have_element ("avdec_h264", error)))
    return NULL;

  self = g_new0 (CbTranscoder, 1);
  g_mutex_init (&self->lock);
  self->parent = parent;
  if (profile != NULL)
    self->profile = *profile;
  self->audio = audio;
  name = g_strdup_printf ("%s (rendition)", cb_stream_get_name (parent));
  self->out = cb_stream_new (cb_stream_get_name (parent), "Transcoder");
  cb_stream_set_status (self->out, CB_STREAM_PENDING, NULL);
  self->pipeline = gst_pipeline_new (name);
  cb_pipeline_watch (self->pipeline, NULL, on_bus_message, self, NULL);

  cb_stream_set_keyframe_func (self->out, output_keyframe, self);
  self->input = cb_stream_attach (parent, &input_funcs, self, NULL, NULL, CB_AUDIO_ANY, error);
  if (self->input == NULL)
    {
      cb_transcoder_free (self);
      return NULL;
    }
  return self;
}

CbStream *
cb_transcoder_get_output (CbTranscoder *self)
{
  return self->out;
}

void
cb_transcoder_free (CbTranscoder *self)
{
  if (self == NULL)
    return;

  cb_stream_set_keyframe_func (self->out, NULL, NULL);
  g_clear_pointer (&self->input, cb_consumer_detach);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  cb_pipeline_unwatch (self->pipeline);
  cb_stream_push_eos (self->out);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    {
      gst_clear_object (&self->appsrc[k]);
      gst_clear_object (&self->appsink[k]);
      gst_clear_caps (&self->in_caps[k]);
    }
  gst_clear_object (&self->pipeline);
  g_clear_object (&self->out);
  g_mutex_clear (&self->lock);
  g_free (self);
}
