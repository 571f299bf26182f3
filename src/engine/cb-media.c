/* cb-media.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-media.h"
#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/base/gstbasesink.h>
#include "cb-engine-error.h"
#include "cb-pipeline.h"

gboolean
cb_profile_is_passthrough (const CbProfile *profile)
{
  return profile == NULL ||
         (profile->width <= 0 && profile->height <= 0 && profile->fps <= 0 &&
          profile->bitrate <= 0 && profile->keyframe_interval <= 0 &&
          profile->codec != CB_VIDEO_CODEC_VP8);
}

char *
cb_profile_to_key (const CbProfile *profile,
                   CbAudioWant      audio)
{
  static const char *audio_names[] = { "any", "aac", "opus" };
  CbProfile zero = { 0 };

  if (profile == NULL)
    profile = &zero;

  /* A width without a height means nothing (aspect ratio is kept from the height). */
  return g_strdup_printf ("%dx%d@%d/%dk/ki%d/%s%s",
                          profile->height > 0 ? MAX (profile->width, 0) : 0,
                          MAX (profile->height, 0), MAX (profile->fps, 0),
                          MAX (profile->bitrate, 0), MAX (profile->keyframe_interval, 0),
                          audio_names[CLAMP (audio, 0, 2)],
                          profile->codec == CB_VIDEO_CODEC_VP8 ? "/vp8" : "");
}

void
cb_media_info_clear (CbMediaInfo *info)
{
  g_clear_pointer (&info->video_codec, g_free);
  g_clear_pointer (&info->audio_codec, g_free);
  memset (info, 0, sizeof *info);
}

void
cb_media_info_copy (CbMediaInfo       *dest,
                    const CbMediaInfo *src)
{
  *dest = *src;
  dest->video_codec = g_strdup (src->video_codec);
  dest->audio_codec = g_strdup (src->audio_codec);
}

const char *
cb_media_codec_from_caps (const GstCaps *caps)
{
  const GstStructure *s;
  const char *name;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return NULL;

  s = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_name (s);

  if (g_str_equal (name, "video/x-h264"))
    return "H264";
  if (g_str_equal (name, "video/x-h265"))
    return "H265";
  if (g_str_equal (name, "video/x-vp8"))
    return "VP8";
  if (g_str_equal (name, "video/x-vp9"))
    return "VP9";
  if (g_str_equal (name, "audio/x-opus"))
    return "opus";
  if (g_str_equal (name, "audio/mpeg"))
    {
      int version = 0;
      gst_structure_get_int (s, "mpegversion", &version);
      return version == 1 ? "mpeg" : "mpeg4-generic";
    }
  if (g_str_equal (name, "audio/x-mulaw"))
    return "PCMU";
  if (g_str_equal (name, "audio/x-alaw"))
    return "PCMA";
  return name;
}

void
cb_media_info_update_caps (CbMediaInfo   *info,
                           CbMediaKind    kind,
                           const GstCaps *caps)
{
  const GstStructure *s;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return;

  s = gst_caps_get_structure (caps, 0);

  if (kind == CB_MEDIA_VIDEO)
    {
      int num = 0, den = 1;

      info->has_video = TRUE;
      g_free (info->video_codec);
      info->video_codec = g_strdup (cb_media_codec_from_caps (caps));
      gst_structure_get_int (s, "width", &info->width);
      gst_structure_get_int (s, "height", &info->height);
      if (gst_structure_get_fraction (s, "framerate", &num, &den) && den > 0 && num > 0)
        info->fps = (double) num / den;
    }
  else
    {
      info->has_audio = TRUE;
      g_free (info->audio_codec);
      info->audio_codec = g_strdup (cb_media_codec_from_caps (caps));
      gst_structure_get_int (s, "rate", &info->audio_rate);
      /* Opus from WebRTC comes without a rate (rtpopusdepay has only channels): Opus's
       * RTP clock, and the rate it decodes to, is always 48 kHz (RFC 7587). */
      if (!gst_structure_has_field (s, "rate") &&
          gst_structure_has_name (s, "audio/x-opus"))
        info->audio_rate = 48000;
      gst_structure_get_int (s, "channels", &info->audio_channels);
    }
}

gboolean
cb_media_have_element (const char  *factory,
                       GError     **error)
{
  g_autoptr(GstElementFactory) f = gst_element_factory_find (factory);

  if (f == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer element “%s” is not installed", factory);
      return FALSE;
    }
  return TRUE;
}

const char *
cb_media_convert_scale (void)
{
  return cb_media_have_element ("videoconvertscale", NULL) ? "videoconvertscale"
                                                           : "videoconvert ! videoscale";
}

char *
cb_media_aac_encoder (int      bitrate,
                      GError **error)
{
  /* fdkaacenc sounds best where it exists; avenc_aac (gst-libav) is everywhere FFmpeg is.
   * All three take their bitrate in bits per second. */
  static const char *candidates[] = { "fdkaacenc", "avenc_aac", "voaacenc" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autoptr(GstElementFactory) f = gst_element_factory_find (candidates[i]);
      if (f != NULL)
        return g_strdup_printf ("%s bitrate=%d", candidates[i], bitrate);
    }
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
               "No AAC encoder is installed (gst-libav)");
  return NULL;
}

/**
 * cb_media_parse_bin:
 *
 * gst_parse_bin_from_description() that fails as a whole: GStreamer may hand back a
 * half-built bin together with a "recoverable" error (a missing element); we never
 * want that bin.
 *
 * Returns: (transfer full) (nullable): the bin
 */
GstElement *
cb_media_parse_bin (const char  *description,
                    gboolean     ghost_unlinked_pads,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GstElement *bin = gst_parse_bin_from_description (description, ghost_unlinked_pads, &local_error);

  if (local_error != NULL)
    {
      g_debug ("cannot build “%s”: %s", description, local_error->message);
      if (bin != NULL)
        gst_object_unref (gst_object_ref_sink (bin));
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                   "GStreamer cannot build a pipeline: %s", local_error->message);
      return NULL;
    }
  return bin;
}

/* Every sink in @element (itself, or its children at any depth): no waiting on the clock
 * or for a preroll. */
static void
unsync_sinks (GstElement *element)
{
  g_autoptr(GstIterator) it = NULL;
  GValue item = G_VALUE_INIT;

  if (GST_OBJECT_FLAG_IS_SET (element, GST_ELEMENT_FLAG_SINK) && GST_IS_BASE_SINK (element))
    g_object_set (element, "sync", FALSE, "async", FALSE, NULL);
  if (!GST_IS_BIN (element))
    return;
  it = gst_bin_iterate_recurse (GST_BIN (element));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElement *child = g_value_get_object (&item);

      if (GST_IS_BASE_SINK (child))
        g_object_set (child, "sync", FALSE, "async", FALSE, NULL);
      g_value_reset (&item);
    }
  g_value_unset (&item);
}

/* Whether autoaudiosink @sink, gone to READY, settled for a fakesink of its own: what it
 * does when no output opens (no sound server: a server, CI). */
static gboolean
settled_for_fakesink (GstElement *sink)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_elements (GST_BIN (sink));
  GValue item = G_VALUE_INIT;
  gboolean fake = TRUE;

  if (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElementFactory *factory = gst_element_get_factory (g_value_get_object (&item));

      fake = factory != NULL &&
             g_strcmp0 (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "fakesink") == 0;
    }
  g_value_unset (&item);
  return fake;
}

/* ---- devices ---------------------------------------------------------------------- */

GList *
cb_media_list_devices (const char *klass)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();

  gst_device_monitor_add_filter (monitor, klass, NULL);
  return gst_device_monitor_get_devices (monitor);
}

char *
cb_media_device_id (GstDevice *device)
{
  g_autoptr(GstStructure) props = gst_device_get_properties (device);
  static const char *keys[] = { "api.v4l2.path", "device.path", "node.name", "object.path",
                                "device.strid", "device.name" };

  if (props != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        const char *v = gst_structure_get_string (props, keys[i]);
        if (v != NULL && *v != '\0')
          return g_strdup (v);
      }
  return gst_device_get_display_name (device);
}

GstElement *
cb_media_create_device_element (const char *klass,
                                const char *id)
{
  GList *devices = cb_media_list_devices (klass);
  GstElement *element = NULL;

  for (GList *l = devices; l != NULL && element == NULL; l = l->next)
    {
      g_autofree char *this_id = cb_media_device_id (l->data);
      g_autofree char *label = gst_device_get_display_name (l->data);

      if (id == NULL || g_strcmp0 (id, this_id) == 0 || g_strcmp0 (id, label) == 0)
        element = gst_device_create_element (l->data, NULL);
    }
  g_list_free_full (devices, gst_object_unref);
  return element;
}

/**
 * cb_media_make_audio_output:
 *
 * The sound output of the headphones (a mixer strip's monitor) and of the player: the
 * GStreamer description in CB_AUDIO_SINK when it is set (a sink, or a chain ending in one;
 * the tests write to a file), autoaudiosink otherwise. It is opened here (READY), and its
 * sinks neither wait on the clock nor preroll. Fails with CB_ENGINE_ERROR_NO_DEVICE when
 * no output opens, autoaudiosink's own fakesink included.
 *
 * Returns: (transfer floating) (nullable): the output, with a "sink" pad
 */
GstElement *
cb_media_make_audio_output (const char  *device,
                            GError     **error)
{
  const char *desc = g_getenv ("CB_AUDIO_SINK");
  gboolean automatic = desc == NULL || *desc == '\0';
  GstElement *sink;

  if (automatic && device != NULL && *device != '\0')
    {
      sink = cb_media_create_device_element ("Audio/Sink", device);
      if (sink == NULL)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                       "No sound output “%s” on this machine", device);
          return NULL;
        }
      automatic = FALSE;
    }
  else if (automatic)
    {
      if (!cb_media_have_element ("autoaudiosink", error))
        return NULL;
      sink = gst_element_factory_make ("autoaudiosink", NULL);
    }
  else if ((sink = cb_media_parse_bin (desc, TRUE, error)) == NULL)
    return NULL;

  if (gst_element_set_state (sink, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE ||
      (automatic && settled_for_fakesink (sink)))
    {
      gst_element_set_state (sink, GST_STATE_NULL);
      gst_object_unref (gst_object_ref_sink (sink));
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE, "No sound output device");
      return NULL;
    }
  unsync_sinks (sink);
  return sink;
}

GstBuffer *
cb_media_running_time_copy (GstBuffer        *buffer,
                            const GstSegment *segment)
{
  GstBuffer *out = gst_buffer_copy (buffer);

  if (segment != NULL && segment->format == GST_FORMAT_TIME)
    {
      if (GST_BUFFER_PTS_IS_VALID (out))
        GST_BUFFER_PTS (out) = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (out));
      if (GST_BUFFER_DTS_IS_VALID (out))
        GST_BUFFER_DTS (out) = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_DTS (out));
    }
  return out;
}

G_LOCK_DEFINE_STATIC (silence_lock);
static GHashTable *silences;   /* "rate/channels" → GBytes, or an empty GBytes while made */

/* Runs an encoder: only ever on a worker thread. */
static GBytes *
make_silence (int rate,
              int channels)
{
  g_autofree char *aac = cb_media_aac_encoder (CB_MEDIA_AAC_BITRATE, NULL);
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  GBytes *frame = NULL;

  if (aac == NULL)
    return NULL;
  desc = g_strdup_printf ("audiotestsrc wave=silence num-buffers=8 samplesperbuffer=1024 ! "
                          "audio/x-raw,rate=%d,channels=%d ! audioconvert ! %s ! "
                          "appsink name=sink sync=false", rate, channels, aac);
  pipeline = gst_parse_launch (desc, NULL);
  if (pipeline == NULL)
    return NULL;
  cb_pipeline_watch_errors (pipeline, "AAC silence");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* Skip the encoder's priming frames. */
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), GST_SECOND);
      GstMapInfo map;

      if (sample == NULL)
        break;
      if (i < 3)
        continue;
      if (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ))
        {
          frame = g_bytes_new (map.data, map.size);
          gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
        }
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frame;
}

static void
silence_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  const char *key = data;
  int rate = 48000, channels = 2;
  GBytes *frame;

  if (sscanf (key, "%d/%d", &rate, &channels) != 2)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  frame = make_silence (rate, channels);
  G_LOCK (silence_lock);
  if (frame != NULL)
    g_hash_table_replace (silences, g_strdup (key), frame);
  else
    g_hash_table_remove (silences, key);   /* tried again on the next caps */
  G_UNLOCK (silence_lock);
  g_task_return_boolean (task, frame != NULL);
}

/**
 * cb_media_silent_aac:
 *
 * One silent AAC frame for the rate and channel count of @caps, made once per process on
 * a worker thread: the first call starts it and returns %NULL, as do calls until it is
 * ready. Never blocks, so a stream consumer may call it.
 *
 * Returns: (transfer full) (nullable): the frame
 */
GBytes *
cb_media_silent_aac (GstCaps *caps)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  int rate = 48000, channels = 2;
  g_autofree char *key = NULL;
  GBytes *frame;

  gst_structure_get_int (s, "rate", &rate);
  gst_structure_get_int (s, "channels", &channels);
  key = g_strdup_printf ("%d/%d", rate, channels);

  G_LOCK (silence_lock);
  if (silences == NULL)
    silences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
  frame = g_hash_table_lookup (silences, key);
  if (frame == NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_hash_table_insert (silences, g_strdup (key), g_bytes_new (NULL, 0));
      g_task_set_source_tag (task, cb_media_silent_aac);
      g_task_set_task_data (task, g_strdup (key), g_free);
      g_task_run_in_thread (task, silence_thread);
    }
  frame = frame != NULL && g_bytes_get_size (frame) > 0 ? g_bytes_ref (frame) : NULL;
  G_UNLOCK (silence_lock);
  return frame;
}
