/* cb-stream-row.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cb-stream-row.h"

struct _CbStreamRow
{
  GObject  parent_instance;

  char    *name;
  char    *media_session_id;
  char    *status;
  char    *info;
  char    *video;
  char    *audio;
  char    *bitrate;
  char    *provider;
  char    *source;
  char    *source_label;
  char    *kind;
  gboolean pulled;
  gboolean published;
  CbStreamStatus status_value;
  gboolean recording;
  char    *record_progress;
};

G_DEFINE_FINAL_TYPE (CbStreamRow, cb_stream_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_STATUS_CSS,
  PROP_INFO,
  PROP_VIDEO,
  PROP_AUDIO,
  PROP_BITRATE,
  PROP_PROVIDER,
  PROP_SOURCE,
  PROP_SOURCE_LABEL,
  PROP_KIND,
  PROP_PULLED,
  PROP_PUBLISHED,
  PROP_RECORDING,
  PROP_RECORD_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
cb_format_status (CbStreamStatus status)
{
  switch (status)
    {
    case CB_STREAM_NEW:              return C_("stream status", "New");
    case CB_STREAM_PENDING:          return C_("stream status", "Starting");
    case CB_STREAM_PUBLISHING:       return C_("stream status", "Live");
    case CB_STREAM_PLAYING:          return C_("stream status", "Playing");
    case CB_STREAM_PAUSED:           return C_("stream status", "Paused");
    case CB_STREAM_UNPUBLISHED:      return C_("stream status", "Ended");
    case CB_STREAM_STOPPED:          return C_("stream status", "Stopped");
    case CB_STREAM_FAILED:           return C_("stream status", "Failed");
    case CB_STREAM_PLAYBACK_PROBLEM: return C_("stream status", "Playback problem");
    case CB_STREAM_PROCESSED_LOCAL:  return C_("stream status", "Processed here");
    case CB_STREAM_PROCESSED_REMOTE: return C_("stream status", "Processed remotely");
    default:                         return C_("stream status", "Unknown");
    }
}

static char *
format_fps (double fps)
{
  /* 30 and 25 read better without decimals; 29.97 keeps them. */
  if (fabs (fps - round (fps)) < 0.005)
    return g_strdup_printf (_("%d fps"), (int) round (fps));
  return g_strdup_printf (_("%.2f fps"), fps);
}

char *
cb_format_video (const CbMediaInfo *media)
{
  GString *out;

  g_return_val_if_fail (media != NULL, NULL);

  if (!media->has_video)
    return g_strdup ("—");

  out = g_string_new (media->video_codec != NULL ? media->video_codec : "");
  if (media->width > 0 && media->height > 0)
    g_string_append_printf (out, "%s%d×%d", out->len > 0 ? " " : "", media->width,
                            media->height);
  if (media->fps > 0)
    {
      g_autofree char *fps = format_fps (media->fps);
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", fps);
    }
  if (out->len == 0)
    g_string_append (out, _("Video"));
  return g_string_free (out, FALSE);
}

char *
cb_format_audio (const CbMediaInfo *media)
{
  GString *out;

  g_return_val_if_fail (media != NULL, NULL);

  if (!media->has_audio)
    return g_strdup ("—");

  out = g_string_new (NULL);
  /* WCS calls AAC "mpeg4-generic"; people call it AAC. */
  if (g_strcmp0 (media->audio_codec, "mpeg4-generic") == 0)
    g_string_append (out, "AAC");
  else if (media->audio_codec != NULL)
    g_string_append (out, media->audio_codec);

  if (media->audio_rate > 0)
    {
      g_autofree char *rate = NULL;

      if (media->audio_rate % 1000 == 0)
        rate = g_strdup_printf (_("%d kHz"), media->audio_rate / 1000);
      else
        rate = g_strdup_printf (_("%.1f kHz"), media->audio_rate / 1000.0);
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", rate);
    }
  if (media->audio_channels > 0)
    {
      g_autofree char *channels = g_strdup_printf (_("%d ch"), media->audio_channels);
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", channels);
    }
  if (out->len == 0)
    g_string_append (out, _("Audio"));
  return g_string_free (out, FALSE);
}

char *
cb_format_kind (gboolean    published,
                const char *media_provider)
{
  const char *provider = media_provider;

  /* RTMP and WebRTC are names; only "Local" reads differently in other languages. */
  if (provider == NULL || *provider == '\0' || g_strcmp0 (provider, "Local") == 0)
    provider = C_("stream provider", "Local");

  /* TRANSLATORS: a stream's role and where it comes from: "Publisher · RTMP". */
  return g_strdup_printf (published ? _("Publisher · %s") : _("Player · %s"), provider);
}

char *
cb_format_source (const char *source)
{
  if (source == NULL || *source == '\0')
    return g_strdup ("—");
  if (g_str_equal (source, "scene"))
    return g_strdup (_("Scenes"));
  if (g_str_equal (source, "test"))
    return g_strdup (C_("stream source", "Test pattern"));
  if (g_str_has_prefix (source, "file:"))
    return g_path_get_basename (source + strlen ("file:"));
  if (g_str_has_prefix (source, "pull "))
    /* TRANSLATORS: %s is an address, its secrets masked. */
    return g_strdup_printf (_("Pulled from %s"), source + strlen ("pull "));
  if (g_str_has_prefix (source, "rtmp "))
    /* TRANSLATORS: %s is the publisher's address and port (and its software). */
    return g_strdup_printf (_("RTMP from %s"), source + strlen ("rtmp "));
  return g_strdup (source);
}

char *
cb_format_bitrate (int kbps)
{
  if (kbps <= 0)
    return g_strdup ("—");
  return g_strdup_printf (_("%d kbit/s"), kbps);
}

static void
cb_stream_row_finalize (GObject *object)
{
  CbStreamRow *self = CB_STREAM_ROW (object);

  g_free (self->name);
  g_free (self->media_session_id);
  g_free (self->status);
  g_free (self->info);
  g_free (self->video);
  g_free (self->audio);
  g_free (self->bitrate);
  g_free (self->provider);
  g_free (self->source);
  g_free (self->source_label);
  g_free (self->kind);
  g_free (self->record_progress);

  G_OBJECT_CLASS (cb_stream_row_parent_class)->finalize (object);
}

static GStrv
dup_status_css (CbStreamRow *self)
{
  g_autofree char *lower = g_ascii_strdown (self->status != NULL ? self->status : "", -1);
  char *classes[] = { (char *) "status", lower, NULL };

  g_strdelimit (lower, "_", '-');
  return g_strdupv (classes);
}

static void
cb_stream_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CbStreamRow *self = CB_STREAM_ROW (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, cb_stream_row_get_status_label (self));
      break;
    case PROP_STATUS_CSS:
      g_value_take_boxed (value, dup_status_css (self));
      break;
    case PROP_INFO:
      g_value_set_string (value, self->info);
      break;
    case PROP_VIDEO:
      g_value_set_string (value, self->video);
      break;
    case PROP_AUDIO:
      g_value_set_string (value, self->audio);
      break;
    case PROP_BITRATE:
      g_value_set_string (value, self->bitrate);
      break;
    case PROP_PROVIDER:
      g_value_set_string (value, self->provider);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_SOURCE_LABEL:
      g_value_set_string (value, self->source_label);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_PULLED:
      g_value_set_boolean (value, self->pulled);
      break;
    case PROP_PUBLISHED:
      g_value_set_boolean (value, self->published);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording);
      break;
    case PROP_RECORD_PROGRESS:
      g_value_set_string (value, self->record_progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_stream_row_class_init (CbStreamRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cb_stream_row_finalize;
  object_class->get_property = cb_stream_row_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The WCS status name ("PUBLISHING"), as REST reports it. */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The status for people, translated. */
  properties[PROP_STATUS_LABEL] =
    g_param_spec_string ("status-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Style classes for the status label, to bind to GtkWidget:css-classes. */
  properties[PROP_STATUS_CSS] =
    g_param_spec_boxed ("status-css", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INFO] =
    g_param_spec_string ("info", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIDEO] =
    g_param_spec_string ("video", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUDIO] =
    g_param_spec_string ("audio", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BITRATE] =
    g_param_spec_string ("bitrate", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] =
    g_param_spec_string ("provider", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE_LABEL] =
    g_param_spec_string ("source-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Publisher or player, and the provider, for people: "Publisher · RTMP". */
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Pulled from another RTMP server by this one: the studio can end the pull. */
  properties[PROP_PULLED] =
    g_param_spec_boolean ("pulled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* A publisher's stream, which the studio can play; FALSE for a player's. */
  properties[PROP_PUBLISHED] =
    g_param_spec_boolean ("published", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* A recorder is on it (waiting for media or writing), as the Recordings list says. */
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* While recording: how long and how big so far, for people ("0:12 · 1.3 MB"). */
  properties[PROP_RECORD_PROGRESS] =
    g_param_spec_string ("record-progress", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cb_stream_row_init (CbStreamRow *self)
{
}

/* Takes @value. */
static void
set_field (CbStreamRow  *self,
           char        **field,
           char         *value,
           guint         prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

CbStreamRow *
cb_stream_row_new (const CbStreamInfo *info)
{
  CbStreamRow *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CB_TYPE_STREAM_ROW, NULL);
  cb_stream_row_update (self, info);
  return self;
}

void
cb_stream_row_update (CbStreamRow        *self,
                      const CbStreamInfo *info)
{
  const char *status;
  gboolean pulled;

  g_return_if_fail (CB_IS_STREAM_ROW (self));
  g_return_if_fail (info != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  set_field (self, &self->name, g_strdup (info->name), PROP_NAME);
  /* Not a property: it names the row and never changes. */
  if (self->media_session_id == NULL)
    self->media_session_id = g_strdup (info->media_session_id);
  if (self->published != info->published)
    {
      self->published = info->published;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PUBLISHED]);
    }

  status = cb_stream_status_to_string (info->status);
  if (g_strcmp0 (self->status, status) != 0)
    {
      self->status_value = info->status;
      set_field (self, &self->status, g_strdup (status), PROP_STATUS);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_CSS]);
    }

  set_field (self, &self->info, g_strdup (info->info), PROP_INFO);
  set_field (self, &self->video, cb_format_video (&info->media), PROP_VIDEO);
  set_field (self, &self->audio, cb_format_audio (&info->media), PROP_AUDIO);
  set_field (self, &self->bitrate, cb_format_bitrate (info->media.bitrate), PROP_BITRATE);
  set_field (self, &self->provider, g_strdup (info->media_provider), PROP_PROVIDER);
  set_field (self, &self->source, g_strdup (info->source), PROP_SOURCE);
  set_field (self, &self->source_label, cb_format_source (info->source), PROP_SOURCE_LABEL);
  set_field (self, &self->kind, cb_format_kind (info->published, info->media_provider),
             PROP_KIND);
  pulled = info->rtmp_pull;
  if (self->pulled != pulled)
    {
      self->pulled = pulled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PULLED]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
cb_stream_row_get_name (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->name;
}

const char *
cb_stream_row_get_status (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->status;
}

const char *
cb_stream_row_get_status_label (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->status != NULL ? cb_format_status (self->status_value) : NULL;
}

const char *
cb_stream_row_get_info (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->info;
}

const char *
cb_stream_row_get_video (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->video;
}

const char *
cb_stream_row_get_audio (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->audio;
}

const char *
cb_stream_row_get_bitrate (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->bitrate;
}

const char *
cb_stream_row_get_provider (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->provider;
}

const char *
cb_stream_row_get_source_label (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->source_label;
}

const char *
cb_stream_row_get_source (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->source;
}

const char *
cb_stream_row_get_kind (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->kind;
}

gboolean
cb_stream_row_get_pulled (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), FALSE);
  return self->pulled;
}

gboolean
cb_stream_row_get_published (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), FALSE);
  return self->published;
}

const char *
cb_stream_row_get_media_session_id (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->media_session_id;
}

gboolean
cb_stream_row_get_recording (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), FALSE);
  return self->recording;
}

const char *
cb_stream_row_get_record_progress (CbStreamRow *self)
{
  g_return_val_if_fail (CB_IS_STREAM_ROW (self), NULL);
  return self->record_progress;
}

void
cb_stream_row_set_recording (CbStreamRow *self,
                             gboolean     recording,
                             const char  *progress)
{
  g_return_if_fail (CB_IS_STREAM_ROW (self));

  recording = !!recording;
  if (!recording)
    progress = NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->recording != recording)
    {
      self->recording = recording;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
    }
  set_field (self, &self->record_progress, g_strdup (progress), PROP_RECORD_PROGRESS);
  g_object_thaw_notify (G_OBJECT (self));
}
