/* cb-sound-mixer.c — insert a WAV file into a stream's AAC audio
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The WAV file is decoded once into memory at the stream's rate and channel count.
 * The stream's AAC goes through decode → mix (a pad probe adds or replaces samples)
 * → encode, keeping its timestamps, so the mixed audio stays in step with the video.
 */
#include <string.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "cb-engine-error.h"
#include "cb-media.h"
#include "cb-pipeline.h"
#include "cb-sound-mixer.h"

/* Longest sound we hold in memory: ten minutes. */
#define MAX_SOUND_SECONDS 600

struct _CbSoundMixer
{
  GObject             parent_instance;

  char               *path;
  gboolean            loop;
  gboolean            replace;
  CbSoundMixerOutput  output;
  gpointer            data;

  GMutex              lock;
  GstElement         *pipeline;
  GstElement         *src;
  int                 rate;
  int                 channels;
  GBytes             *samples;     /* S16LE interleaved at rate/channels */
  gsize               position;    /* in bytes */
  gboolean            stopped;
};

G_DEFINE_FINAL_TYPE (CbSoundMixer, cb_sound_mixer, G_TYPE_OBJECT)

static void
teardown_locked (CbSoundMixer *self)
{
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      cb_pipeline_unwatch (self->pipeline);
      gst_clear_object (&self->src);
      gst_clear_object (&self->pipeline);
    }
}

static void
cb_sound_mixer_finalize (GObject *object)
{
  CbSoundMixer *self = CB_SOUND_MIXER (object);

  teardown_locked (self);
  g_clear_pointer (&self->samples, g_bytes_unref);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cb_sound_mixer_parent_class)->finalize (object);
}

static void
cb_sound_mixer_class_init (CbSoundMixerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_sound_mixer_finalize;
}

static void
cb_sound_mixer_init (CbSoundMixer *self)
{
  g_mutex_init (&self->lock);
}

/**
 * cb_sound_check_wav:
 *
 * Fails with CB_ENGINE_ERROR_NOT_FOUND for a missing file and _INVALID for a file that
 * is not RIFF WAVE.
 */
gboolean
cb_sound_check_wav (const char  *path,
                    GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  guint8 header[12];
  gsize got = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND, "Sound file not found");
      return FALSE;
    }
  in = g_file_read (file, NULL, NULL);
  if (in == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), header, sizeof header, &got, NULL, NULL) ||
      got != sizeof header || memcmp (header, "RIFF", 4) != 0 || memcmp (header + 8, "WAVE", 4) != 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Sound file is not a RIFF WAV file");
      return FALSE;
    }
  return TRUE;
}

/* Decodes the whole file to S16LE at @rate/@channels. */
static GBytes *
load_samples (const char  *path,
              int          rate,
              int          channels,
              GError     **error)
{
  g_autofree char *location = g_strescape (path, NULL);
  g_autofree char *desc = g_strdup_printf ("filesrc location=\"%s\" ! wavparse ! audioconvert ! "
                                           "audioresample ! audio/x-raw,format=S16LE,rate=%d,"
                                           "channels=%d,layout=interleaved ! appsink name=sink "
                                           "sync=false", location, rate, channels);
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize limit = (gsize) rate * channels * 2 * MAX_SOUND_SECONDS;

  pipeline = gst_parse_launch (desc, NULL);
  if (pipeline == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN, "Cannot decode WAV files");
      return NULL;
    }
  cb_pipeline_watch_errors (pipeline, "sound file");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;)
    {
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 5 * GST_SECOND);
      GstMapInfo map;

      if (sample == NULL)
        break;
      if (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ))
        {
          g_byte_array_append (out, map.data, MIN (map.size, limit - MIN (limit, out->len)));
          gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
        }
      if (out->len >= limit)
        break;
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (out->len == 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                   "Sound file has no audio we can read");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GstPadProbeReturn
on_mix_probe (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         data)
{
  CbSoundMixer *self = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  gsize total;
  const gint16 *sound;

  g_mutex_lock (&self->lock);
  if (self->samples == NULL || (self->position >= g_bytes_get_size (self->samples) && !self->loop))
    {
      g_mutex_unlock (&self->lock);
      return GST_PAD_PROBE_OK;
    }
  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  sound = g_bytes_get_data (self->samples, &total);
  if (gst_buffer_map (buffer, &map, GST_MAP_READWRITE))
    {
      gint16 *pcm = (gint16 *) map.data;
      gsize n = map.size / 2;

      for (gsize i = 0; i < n; i++)
        {
          gint32 v;

          if (self->position >= total)
            {
              if (!self->loop)
                break;
              self->position = 0;
            }
          v = (self->replace ? 0 : pcm[i]) + sound[self->position / 2];
          pcm[i] = (gint16) CLAMP (v, G_MININT16, G_MAXINT16);
          self->position += 2;
        }
      gst_buffer_unmap (buffer, &map);
    }
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static GstFlowReturn
on_encoded (GstAppSink *sink,
            gpointer    data)
{
  CbSoundMixer *self = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample != NULL && !self->stopped)
    self->output (gst_sample_get_buffer (sample), self->data);
  return GST_FLOW_OK;
}

CbSoundMixer *
cb_sound_mixer_new (const char          *wav_path,
                    gboolean             loop,
                    gboolean             replace,
                    CbSoundMixerOutput   output,
                    gpointer             data,
                    GError             **error)
{
  CbSoundMixer *self;

  if (!cb_sound_check_wav (wav_path, error))
    return NULL;

  self = g_object_new (CB_TYPE_SOUND_MIXER, NULL);
  self->path = g_strdup (wav_path);
  self->loop = loop;
  self->replace = replace;
  self->output = output;
  self->data = data;
  return self;
}

/**
 * cb_sound_mixer_set_caps:
 *
 * (Re)builds the decode/mix/encode pipeline for the stream's AAC configuration.
 */
void
cb_sound_mixer_set_caps (CbSoundMixer *self,
                         GstCaps      *aac_caps)
{
  const GstStructure *s = gst_caps_get_structure (aac_caps, 0);
  g_autofree char *aac = cb_media_aac_encoder (CB_MEDIA_AAC_BITRATE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) mixpoint = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstPad) pad = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_encoded };
  int rate = 48000, channels = 2;

  gst_structure_get_int (s, "rate", &rate);
  gst_structure_get_int (s, "channels", &channels);

  g_mutex_lock (&self->lock);
  teardown_locked (self);
  if (self->samples == NULL || rate != self->rate || channels != self->channels)
    {
      g_clear_pointer (&self->samples, g_bytes_unref);
      self->rate = rate;
      self->channels = channels;
      self->position = 0;
      self->samples = load_samples (self->path, rate, channels, &error);
      if (self->samples == NULL)
        g_debug ("sound %s: %s", self->path, error->message);
    }
  if (aac == NULL || self->stopped)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  desc = g_strdup_printf ("appsrc name=src format=time is-live=false max-bytes=1000000 ! "
                          "avdec_aac ! audioconvert ! audioresample ! "
                          "audio/x-raw,format=S16LE,rate=%d,channels=%d,layout=interleaved ! "
                          "identity name=mixpoint ! audioconvert ! %s ! "
                          "appsink name=sink sync=false", rate, channels, aac);
  self->pipeline = gst_parse_launch (desc, NULL);
  if (self->pipeline == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  cb_pipeline_watch_errors (self->pipeline, "sound mixer");
  self->src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  gst_app_src_set_caps (GST_APP_SRC (self->src), aac_caps);
  mixpoint = gst_bin_get_by_name (GST_BIN (self->pipeline), "mixpoint");
  pad = gst_element_get_static_pad (mixpoint, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_mix_probe, self, NULL);
  sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  g_mutex_unlock (&self->lock);
}

void
cb_sound_mixer_push (CbSoundMixer *self,
                     GstBuffer    *aac)
{
  g_autoptr(GstElement) src = NULL;

  g_mutex_lock (&self->lock);
  if (self->src != NULL && !self->stopped)
    src = gst_object_ref (self->src);
  g_mutex_unlock (&self->lock);

  if (src != NULL)
    gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_ref (aac));
}

void
cb_sound_mixer_stop (CbSoundMixer *self)
{
  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  g_mutex_unlock (&self->lock);
  /* Not under the lock: stopping waits for the streaming threads, which take it. */
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
}
