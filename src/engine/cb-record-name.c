/* cb-record-name.c — recording file names from WCS templates, and record_rotation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions: names come from the network (stream names, logins), so whatever a
 * template expands to is made a single safe file name here, once, for every caller.
 */
#include <string.h>

#include "cb-engine-error.h"
#include "cb-record-name.h"

#define SUFFIX_MAX 64
#define MIB (G_GINT64_CONSTANT (1024) * 1024)

typedef enum {
  ELEMENT_STREAM_NAME,
  ELEMENT_DURATION,
  ELEMENT_START_TIME,
  ELEMENT_END_TIME,
  ELEMENT_START_TIME_MILLIS,
  ELEMENT_END_TIME_MILLIS,
  ELEMENT_SESSION_ID,
  ELEMENT_MEDIA_SESSION_ID,
  ELEMENT_LOGIN,
  ELEMENT_AUDIO_CODEC,
  ELEMENT_VIDEO_CODEC,
} Element;

static const struct {
  const char *name;     /* between the braces */
  Element     element;
  gboolean    is_time;  /* cb_record_name_has_time() */
} elements[] = {
  { "streamName", ELEMENT_STREAM_NAME, FALSE },
  { "duration", ELEMENT_DURATION, TRUE },
  { "startTime", ELEMENT_START_TIME, TRUE },
  { "endTime", ELEMENT_END_TIME, TRUE },
  { "startTimeMillis", ELEMENT_START_TIME_MILLIS, TRUE },
  { "endTimeMillis", ELEMENT_END_TIME_MILLIS, TRUE },
  { "sessionId", ELEMENT_SESSION_ID, FALSE },
  { "mediaSessionId", ELEMENT_MEDIA_SESSION_ID, FALSE },
  { "login", ELEMENT_LOGIN, FALSE },
  { "audioCodec", ELEMENT_AUDIO_CODEC, FALSE },
  { "videoCodec", ELEMENT_VIDEO_CODEC, FALSE },
};

gsize
cb_record_name_cut_length (const char *name,
                           gsize       max_bytes)
{
  gsize length;

  g_return_val_if_fail (name != NULL, 0);

  length = strlen (name);
  if (length <= max_bytes)
    return length;
  /* Back up over continuation bytes to the first byte of the character that would be split. */
  length = max_bytes;
  while (length > 0 && ((guchar) name[length] & 0xc0) == 0x80)
    length--;
  return length;
}

/* yyyy-MM-dd-HH-mm-ss-SSS in local time; nothing for a time before 1970 or out of range. */
static void
append_time (GString *out,
             gint64   ms)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (ms < 0)
    return;
  time = g_date_time_new_from_unix_local (ms / 1000);
  if (time == NULL)
    return;
  text = g_date_time_format (time, "%Y-%m-%d-%H-%M-%S");
  if (text != NULL)
    g_string_append_printf (out, "%s-%03d", text, (int) (ms % 1000));
}

static void
append_element (GString                 *out,
                Element                  element,
                const CbRecordNameParts *parts)
{
  const char *text = NULL;
  gboolean ended = parts->end_ms >= 0;

  switch (element)
    {
    case ELEMENT_STREAM_NAME:
      text = parts->stream_name;
      break;
    case ELEMENT_DURATION:
      if (ended)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, MAX (parts->end_ms - parts->start_ms, 0));
      break;
    case ELEMENT_START_TIME:
      append_time (out, parts->start_ms);
      break;
    case ELEMENT_END_TIME:
      if (ended)
        append_time (out, parts->end_ms);
      break;
    case ELEMENT_START_TIME_MILLIS:
      if (parts->start_ms >= 0)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, parts->start_ms);
      break;
    case ELEMENT_END_TIME_MILLIS:
      if (ended)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, parts->end_ms);
      break;
    case ELEMENT_SESSION_ID:
      text = parts->session_id;
      break;
    case ELEMENT_MEDIA_SESSION_ID:
      text = parts->media_session_id;
      break;
    case ELEMENT_LOGIN:
      text = parts->login;
      break;
    case ELEMENT_AUDIO_CODEC:
      text = parts->audio_codec;
      break;
    case ELEMENT_VIDEO_CODEC:
      text = parts->video_codec;
      break;
    default:
      g_assert_not_reached ();
    }
  if (text != NULL)
    g_string_append (out, text);
}

/* The element named by @name, @length bytes long (the text between the braces). */
static int
lookup_element (const char *name,
                gsize       length)
{
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    if (strlen (elements[i].name) == length && memcmp (elements[i].name, name, length) == 0)
      return (int) i;
  return -1;
}

static gboolean
is_unsafe (guchar c)
{
  return c < 0x20 || c == 0x7f || strchr ("/\\:*?\"<>|", c) != NULL;
}

static void
replace_trailing (char *name)
{
  for (gsize i = strlen (name); i > 0 && (name[i - 1] == '.' || name[i - 1] == ' '); i--)
    name[i - 1] = '_';
}

char *
cb_record_name_expand (const char              *template_,
                       const CbRecordNameParts *parts,
                       const char              *suffix)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *name = NULL;
  const char *p;
  gsize suffix_length;

  g_return_val_if_fail (template_ != NULL, NULL);
  g_return_val_if_fail (parts != NULL, NULL);
  suffix = suffix != NULL ? suffix : "";
  suffix_length = strlen (suffix);
  g_return_val_if_fail (suffix_length <= SUFFIX_MAX, NULL);

  for (p = template_; *p != '\0'; p++)
    {
      /* "{x" up to the first '}', or to a '{' that may open the real element. */
      gsize length = *p == '{' ? strcspn (p + 1, "{}") : 0;
      int found = *p == '{' && p[1 + length] == '}' ? lookup_element (p + 1, length) : -1;

      if (found < 0)
        {
          g_string_append_c (out, *p);
          continue;
        }
      append_element (out, elements[found].element, parts);
      p += length + 1;
    }

  /* The parts come from the network: anything may be in them. */
  name = g_utf8_make_valid (out->str, out->len);
  for (char *c = name; *c != '\0'; c++)
    if (is_unsafe ((guchar) *c))
      *c = '_';
  for (char *c = name; *c == '.'; c++)
    *c = '_';
  replace_trailing (name);

  name[cb_record_name_cut_length (name, CB_RECORD_NAME_MAX - suffix_length)] = '\0';
  replace_trailing (name);   /* the cut may have ended it with a dot or a space */
  if (name[0] == '\0')
    return g_strconcat ("stream", suffix, NULL);
  return g_strconcat (name, suffix, NULL);
}

gboolean
cb_record_name_has_time (const char *template_)
{
  g_return_val_if_fail (template_ != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      g_autofree char *braced = NULL;

      if (!elements[i].is_time)
        continue;
      braced = g_strconcat ("{", elements[i].name, "}", NULL);
      if (strstr (template_, braced) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
cb_record_rotation_parse (const char  *text,
                          gint64      *seconds,
                          gint64      *bytes,
                          GError     **error)
{
  g_autofree char *digits = NULL;
  guint64 value = 0;
  gboolean in_mib;
  gsize length;

  g_return_val_if_fail (seconds != NULL && bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *seconds = 0;
  *bytes = 0;
  if (text == NULL || text[0] == '\0')
    return TRUE;

  length = strlen (text);
  in_mib = text[length - 1] == 'M' || text[length - 1] == 'm';
  digits = g_strndup (text, in_mib ? length - 1 : length);
  /* g_ascii_string_to_unsigned() alone would let a leading '+' through. */
  if (digits[0] == '\0' || strspn (digits, "0123456789") != strlen (digits) ||
      !g_ascii_string_to_unsigned (digits, 10, 0,
                                   in_mib ? G_MAXINT64 / MIB : G_MAXINT64 / 1000,
                                   &value, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);

      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "record_rotation must be seconds (\"10\") or MiB (\"10M\"), not “%s”",
                   shown);
      return FALSE;
    }
  if (in_mib)
    *bytes = (gint64) value * MIB;
  else
    *seconds = (gint64) value;
  return TRUE;
}
