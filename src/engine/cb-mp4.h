#pragma once
#include <glib.h>
typedef struct {
  gboolean fragmented; gboolean faststart; guint64 complete_length; gint64 duration_ms;
  gboolean has_video, has_audio; char video_codec[8]; char audio_codec[16];
} CbMp4Info;
gboolean cb_mp4_parse (const guint8 *data, gsize length, CbMp4Info *info, GError **error);
gboolean cb_mp4_probe_file (const char *path, CbMp4Info *info, GError **error);
