#pragma once
#include <glib.h>
typedef struct { const char *stream_name, *session_id, *media_session_id, *login, *audio_codec, *video_codec; gint64 start_ms; gint64 end_ms; } CbRecordNameParts;
char *cb_record_name_expand (const char *template_, const CbRecordNameParts *parts, const char *suffix);
gboolean cb_record_name_has_time (const char *template_);
gboolean cb_record_rotation_parse (const char *text, gint64 *seconds, gint64 *bytes, GError **error);
