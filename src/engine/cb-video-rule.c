/* cb-video-rule.c — the one "H.264 (or VP8) or transcode" rule of every consumer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Push agents, RTMP players, relays, recorders and WebRTC players each need one video
 * codec. They decide the same way, with the same transcoding_enabled behaviour and the
 * same errors (one code, so one HTTP status and one event reason everywhere).
 */
#include "config.h"

#include "cb-engine-error.h"
#include "cb-engine-private.h"
#include "cb-settings.h"

gboolean
cb_engine_want_video (CbEngine    *engine,
                      CbStream    *stream,
                      const char  *codec,
                      gboolean     b_frames_ok,
                      const char  *offered,
                      int          keyframe_interval,
                      CbProfile   *profile,
                      GError     **error)
{
  const char *source = cb_stream_get_video_codec (stream);
  gboolean passthrough = cb_profile_is_passthrough (profile);
  gboolean other = source != NULL && g_strcmp0 (source, codec) != 0;
  gboolean b_frames = !b_frames_ok && g_strcmp0 (source, "H264") == 0 &&
                      cb_stream_has_b_frames (stream);

  if (passthrough && !other && !b_frames)
    return TRUE;
  if (!cb_settings_get_bool (cb_engine_get_settings (engine), "transcoding_enabled"))
    {
      if (other && offered != NULL)
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                     "Transcoding required, but disabled: stream has %s, player offers %s",
                     source, offered);
      else if (other && passthrough)
        g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                     "Video codec mismatch. %s granted, but should be H.264", source);
      else
        g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                             "Transcoding required, but disabled");
      return FALSE;
    }
  if (g_str_equal (codec, "VP8"))
    profile->codec = CB_VIDEO_CODEC_VP8;
  else if (passthrough)
    profile->keyframe_interval = keyframe_interval;
  return TRUE;
}
