/* cb-rest-json.c — the JSON that REST answers (and later signaling) carry
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rest-json.h"

#include <math.h>
#include <string.h>

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
cb_rest_json_add_stream (JsonBuilder        *builder,
                         const CbStreamInfo *info)
{
  const CbMediaInfo *media;

  g_return_if_fail (JSON_IS_BUILDER (builder));
  g_return_if_fail (info != NULL);

  media = &info->media;

  json_builder_begin_object (builder);
  add_string (builder, "mediaSessionId", info->media_session_id);
  add_string (builder, "name", info->name);
  add_bool (builder, "published", info->published);
  add_bool (builder, "hasVideo", media->has_video);
  add_bool (builder, "hasAudio", media->has_audio);
  add_string (builder, "status", cb_stream_status_to_string (info->status));
  /* WCS sends "" rather than null when there is nothing to say. */
  add_string (builder, "info", info->info != NULL ? info->info : "");
  add_bool (builder, "record", info->record);
  /* The SDK's getRecordInfo() reads recordName; "" when nothing was recorded. */
  add_string (builder, "recordName", info->record_name != NULL ? info->record_name : "");
  add_string (builder, "videoCodec", media->video_codec);
  add_string (builder, "audioCodec", media->audio_codec);
  add_int (builder, "width", media->width);
  add_int (builder, "height", media->height);
  /* WCS reports whole frames per second; a double would print as 29.969999999999999. */
  add_int (builder, "fps", isfinite (media->fps) ? (gint64) lround (media->fps) : 0);
  add_int (builder, "bitrate", media->bitrate);
  add_int (builder, "createDate", info->create_date);
  add_string (builder, "mediaProvider", info->media_provider);
  add_string (builder, "source", info->source);
  add_int (builder, "audioRate", media->audio_rate);
  add_int (builder, "audioChannels", media->audio_channels);
  add_int (builder, "consumers", info->n_consumers);
  add_int (builder, "renditions", info->n_renditions);
  if (info->egress != NULL)
    add_string (builder, "egress", info->egress);
  json_builder_end_object (builder);
}

JsonNode *
cb_rest_json_stream (const CbStreamInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (info != NULL, NULL);

  cb_rest_json_add_stream (builder, info);
  return json_builder_get_root (builder);
}

JsonNode *
cb_rest_json_stream_array (GPtrArray *streams)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_array (builder);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (g_ptr_array_index (streams, i));

      if (info != NULL)
        cb_rest_json_add_stream (builder, info);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

JsonNode *
cb_rest_json_error (guint       status,
                    const char *message,
                    const char *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_string (builder, "error", message != NULL ? message : "Error");
  add_int (builder, "status", status);
  if (info != NULL)
    add_string (builder, "info", info);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* json-glib 1.6's generator writes two things that are not JSON: control characters in
 * string values as they are (member names are escaped), and a double that it prints with
 * an exponent with ".0" after it ("9e+61.0"). Compact output has no raw control
 * character outside strings, and ".0" right after an exponent's digits is that suffix. */
static char *
mend_generated (const char *text,
                gsize      *length)
{
  GString *out = g_string_sized_new (strlen (text) + 16);
  gboolean in_string = FALSE, in_exponent = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (in_string)
        {
          if (c == '\\' && p[1] != '\0')
            {
              g_string_append_c (out, *p++);
              g_string_append_c (out, *p);
              continue;
            }
          if (c == '"')
            in_string = FALSE;
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if ((c == 'e' || c == 'E') && out->len > 0 && g_ascii_isdigit (out->str[out->len - 1]))
        in_exponent = TRUE;
      else if (in_exponent && c == '.' && p[1] == '0' && !g_ascii_isdigit (p[2]))
        {
          in_exponent = FALSE;
          p++;
          continue;
        }
      else if (!g_ascii_isdigit (c) && c != '+' && c != '-')
        in_exponent = FALSE;
      g_string_append_c (out, (char) c);
    }
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
cb_rest_json_to_string (JsonNode *node,
                        gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (node != NULL, NULL);

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  return mend_generated (text, length);
}
