/* cb-recording.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cb-recording.h"

struct _CbRecording
{
  GObject           parent_instance;

  CbRecordingInfo   info;

  /* What the probe read from the file, once. */
  gboolean          probed;
  GdkTexture       *thumbnail;
  double            probe_duration;
  guint64           probe_size;
  char             *probe_video_codec;
  char             *probe_audio_codec;
};

G_DEFINE_FINAL_TYPE (CbRecording, cb_recording, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FILE_NAME,
  PROP_STATE,
  PROP_RUNNING,
  PROP_START_TIME,
  PROP_DURATION,
  PROP_SIZE,
  PROP_VIDEO_CODEC,
  PROP_AUDIO_CODEC,
  PROP_RECOVERED_SECONDS,
  PROP_REASON,
  PROP_THUMBNAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
cb_format_duration (double seconds)
{
  gint64 total = seconds > 0 ? (gint64) floor (seconds) : 0;

  if (total >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", total / 3600,
                            (int) (total / 60 % 60), (int) (total % 60));
  return g_strdup_printf ("%d:%02d", (int) (total / 60), (int) (total % 60));
}

static const char *
format_codec (const char *codec)
{
  /* WCS calls AAC "mpeg4-generic"; people call it AAC. */
  if (g_strcmp0 (codec, "mpeg4-generic") == 0)
    return "AAC";
  if (g_strcmp0 (codec, "opus") == 0)
    return "Opus";
  if (g_strcmp0 (codec, "vorbis") == 0)
    return "Vorbis";
  if (g_strcmp0 (codec, "MPA") == 0)
    return "MP3";
  return codec;
}

char *
cb_format_codecs (const char *video_codec,
                  const char *audio_codec)
{
  const char *video = video_codec != NULL && *video_codec != '\0' ? format_codec (video_codec)
                                                                  : NULL;
  const char *audio = audio_codec != NULL && *audio_codec != '\0' ? format_codec (audio_codec)
                                                                  : NULL;

  if (video != NULL && audio != NULL)
    return g_strdup_printf ("%s · %s", video, audio);
  if (video != NULL || audio != NULL)
    return g_strdup (video != NULL ? video : audio);
  return NULL;
}

const char *
cb_recording_info_get_key (const CbRecordingInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return info->file_name != NULL ? info->file_name : info->media_session_id;
}

static void
cb_recording_finalize (GObject *object)
{
  CbRecording *self = CB_RECORDING (object);

  g_free (self->info.file_name);
  g_free (self->info.path);
  g_free (self->info.stream_name);
  g_free (self->info.media_session_id);
  g_free (self->info.video_codec);
  g_free (self->info.audio_codec);
  g_free (self->info.reason);
  g_clear_object (&self->thumbnail);
  g_free (self->probe_video_codec);
  g_free (self->probe_audio_codec);

  G_OBJECT_CLASS (cb_recording_parent_class)->finalize (object);
}

static void
cb_recording_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CbRecording *self = CB_RECORDING (object);

  switch (prop_id)
    {
    case PROP_FILE_NAME:
      g_value_set_string (value, self->info.file_name);
      break;
    case PROP_STATE:
      g_value_set_uint (value, self->info.state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, cb_recording_is_running (self));
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->info.start_time);
      break;
    case PROP_DURATION:
      g_value_set_double (value, cb_recording_get_duration (self));
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, cb_recording_get_size (self));
      break;
    case PROP_VIDEO_CODEC:
      g_value_set_string (value, cb_recording_get_video_codec (self));
      break;
    case PROP_AUDIO_CODEC:
      g_value_set_string (value, cb_recording_get_audio_codec (self));
      break;
    case PROP_RECOVERED_SECONDS:
      g_value_set_double (value, self->info.recovered_seconds);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->info.reason);
      break;
    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_recording_class_init (CbRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cb_recording_finalize;
  object_class->get_property = cb_recording_get_property;

  properties[PROP_FILE_NAME] = g_param_spec_string ("file-name", NULL, NULL, NULL, flags);
  /* A CbRecordingState. */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, 0, CB_RECORDING_FAILED, CB_RECORDING_WAITING, flags);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  /* Milliseconds since the epoch. */
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VIDEO_CODEC] = g_param_spec_string ("video-codec", NULL, NULL, NULL, flags);
  properties[PROP_AUDIO_CODEC] = g_param_spec_string ("audio-codec", NULL, NULL, NULL, flags);
  properties[PROP_RECOVERED_SECONDS] =
    g_param_spec_double ("recovered-seconds", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);
  properties[PROP_THUMBNAIL] =
    g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_TEXTURE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cb_recording_init (CbRecording *self)
{
}

CbRecording *
cb_recording_new (const CbRecordingInfo *info)
{
  CbRecording *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CB_TYPE_RECORDING, NULL);
  cb_recording_update (self, info);
  return self;
}

const char *
cb_recording_get_key (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return cb_recording_info_get_key (&self->info);
}

static void
set_string (CbRecording  *self,
            char        **field,
            const char   *value,
            guint         prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  if (prop_id != PROP_0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
cb_recording_update (CbRecording           *self,
                     const CbRecordingInfo *info)
{
  gboolean was_running;

  g_return_if_fail (CB_IS_RECORDING (self));
  g_return_if_fail (info != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  was_running = cb_recording_is_running (self);

  set_string (self, &self->info.file_name, info->file_name, PROP_FILE_NAME);
  set_string (self, &self->info.path, info->path, PROP_0);
  set_string (self, &self->info.stream_name, info->stream_name, PROP_0);
  set_string (self, &self->info.media_session_id, info->media_session_id, PROP_0);
  set_string (self, &self->info.video_codec, info->video_codec, PROP_VIDEO_CODEC);
  set_string (self, &self->info.audio_codec, info->audio_codec, PROP_AUDIO_CODEC);
  set_string (self, &self->info.reason, info->reason, PROP_REASON);

  if (self->info.state != info->state)
    {
      self->info.state = info->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (was_running != cb_recording_is_running (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (self->info.start_time != info->start_time)
    {
      self->info.start_time = info->start_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_TIME]);
    }
  if (self->info.duration != info->duration)
    {
      self->info.duration = info->duration;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }
  if (self->info.size != info->size)
    {
      self->info.size = info->size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  if (self->info.recovered_seconds != info->recovered_seconds)
    {
      self->info.recovered_seconds = info->recovered_seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECOVERED_SECONDS]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

void
cb_recording_set_probe (CbRecording            *self,
                        const CbRecordingProbe *probe)
{
  g_return_if_fail (CB_IS_RECORDING (self));

  self->probed = TRUE;
  if (probe == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (probe->pixels != NULL)
    {
      g_clear_object (&self->thumbnail);
      self->thumbnail = gdk_memory_texture_new (probe->width, probe->height,
                                                GDK_MEMORY_R8G8B8, probe->pixels, probe->stride);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
    }
  self->probe_duration = probe->duration;
  self->probe_size = probe->size;
  set_string (self, &self->probe_video_codec, probe->video_codec, PROP_0);
  set_string (self, &self->probe_audio_codec, probe->audio_codec, PROP_0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIDEO_CODEC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIO_CODEC]);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
cb_recording_get_probed (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), FALSE);
  return self->probed;
}

const char *
cb_recording_get_file_name (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->info.file_name;
}

const char *
cb_recording_get_path (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->info.path;
}

const char *
cb_recording_get_stream_name (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->info.stream_name;
}

const char *
cb_recording_get_media_session_id (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->info.media_session_id;
}

CbRecordingState
cb_recording_get_state (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), CB_RECORDING_FAILED);
  return self->info.state;
}

gint64
cb_recording_get_start_time (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), 0);
  return self->info.start_time;
}

/* A running recording's numbers are the engine's, even 0 at its start; a file's are the
 * engine's when it read them, else the probe's. */
double
cb_recording_get_duration (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), 0);

  if (self->info.duration > 0 || cb_recording_is_running (self))
    return self->info.duration;
  return self->probe_duration;
}

guint64
cb_recording_get_size (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), 0);

  if (self->info.size > 0 || cb_recording_is_running (self))
    return self->info.size;
  return self->probe_size;
}

const char *
cb_recording_get_video_codec (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);

  if (self->info.video_codec != NULL || self->info.audio_codec != NULL)
    return self->info.video_codec;
  return self->probe_video_codec;
}

const char *
cb_recording_get_audio_codec (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);

  if (self->info.video_codec != NULL || self->info.audio_codec != NULL)
    return self->info.audio_codec;
  return self->probe_audio_codec;
}

double
cb_recording_get_recovered_seconds (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), 0);
  return self->info.recovered_seconds;
}

const char *
cb_recording_get_reason (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->info.reason;
}

GdkTexture *
cb_recording_get_thumbnail (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  return self->thumbnail;
}

gboolean
cb_recording_is_running (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), FALSE);
  return self->info.state == CB_RECORDING_WAITING || self->info.state == CB_RECORDING_RECORDING;
}

gboolean
cb_recording_is_complete (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), FALSE);
  return self->info.state == CB_RECORDING_FINISHED || self->info.state == CB_RECORDING_RECOVERED;
}

gboolean
cb_recording_is_audio_only (CbRecording *self)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), FALSE);
  return cb_recording_get_video_codec (self) == NULL &&
         cb_recording_get_audio_codec (self) != NULL;
}

char *
cb_recording_dup_vod_name (CbRecording *self,
                           gboolean     live)
{
  g_return_val_if_fail (CB_IS_RECORDING (self), NULL);
  g_return_val_if_fail (self->info.file_name != NULL, NULL);

  return g_strconcat (live ? "vod-live://" : "vod://", self->info.file_name, NULL);
}
