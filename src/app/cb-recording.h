/* cb-recording.h — one recording as the Recordings panel shows it: the engine's
 * CbRecordingInfo, and what a worker read from the file (a thumbnail)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cb-recorder.h"
#include "cb-recording-probe.h"

G_BEGIN_DECLS

#define CB_TYPE_RECORDING (cb_recording_get_type ())
G_DECLARE_FINAL_TYPE (CbRecording, cb_recording, CB, RECORDING, GObject)

CbRecording     *cb_recording_new               (const CbRecordingInfo  *info);
/* What tells recordings apart in a listing: the file name, or for one still waiting for
 * media (which has none yet) its stream's mediaSessionId. */
const char      *cb_recording_info_get_key      (const CbRecordingInfo  *info);
const char      *cb_recording_get_key           (CbRecording            *self);
void             cb_recording_update            (CbRecording            *self,
                                                 const CbRecordingInfo  *info);
/* UI thread: what the probe read. Takes nothing; the texture is made here. */
void             cb_recording_set_probe         (CbRecording            *self,
                                                 const CbRecordingProbe *probe);
gboolean         cb_recording_get_probed        (CbRecording            *self);

const char      *cb_recording_get_file_name     (CbRecording            *self);
const char      *cb_recording_get_path          (CbRecording            *self);
const char      *cb_recording_get_stream_name   (CbRecording            *self);
const char      *cb_recording_get_media_session_id (CbRecording         *self);
CbRecordingState cb_recording_get_state         (CbRecording            *self);
gint64           cb_recording_get_start_time    (CbRecording            *self);
/* The engine's, or (when the engine does not know them: a file it did not write) the
 * file's as the probe read them. 0 and NULL while unknown. */
double           cb_recording_get_duration      (CbRecording            *self);
guint64          cb_recording_get_size          (CbRecording            *self);
const char      *cb_recording_get_video_codec   (CbRecording            *self);
const char      *cb_recording_get_audio_codec   (CbRecording            *self);
double           cb_recording_get_recovered_seconds (CbRecording        *self);
const char      *cb_recording_get_reason        (CbRecording            *self);
/* NULL until the probe is back, and for a file without pictures. */
GdkTexture      *cb_recording_get_thumbnail     (CbRecording            *self);

/* WAITING or RECORDING: a recorder is on it (FINISHING is stopped). */
gboolean         cb_recording_is_running        (CbRecording            *self);
/* FINISHED or RECOVERED: a file that can be played, published and deleted. */
gboolean         cb_recording_is_complete       (CbRecording            *self);
/* No video codec but an audio one. */
gboolean         cb_recording_is_audio_only     (CbRecording            *self);

/* The stream names the player and VOD use for this file: "vod://<file name>" (one reader
 * per viewer) and "vod-live://<file name>" (one shared reader). */
char            *cb_recording_dup_vod_name      (CbRecording            *self,
                                                 gboolean                live);

/* For people: "0:07", "1:02:03". */
char            *cb_format_duration             (double                  seconds);
/* "H264 · AAC", "AAC", or NULL when neither is known. */
char            *cb_format_codecs               (const char             *video_codec,
                                                 const char             *audio_codec);

G_END_DECLS
