/* cb-recorder.h — recordings: what a recorder writes and what the records folder holds
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CbRecordingState:
 * @CB_RECORDING_WAITING: asked for, waiting for the stream's media
 * @CB_RECORDING_RECORDING: writing (a fragmented MP4 under a temporary name)
 * @CB_RECORDING_FINISHING: stopped; being rewritten into its final file
 * @CB_RECORDING_FINISHED: a finished file in the records folder
 * @CB_RECORDING_RECOVERED: a file that a crash interrupted, repaired at start-up
 * @CB_RECORDING_FAILED: nothing usable came of it (see @error)
 */
typedef enum {
  CB_RECORDING_WAITING,
  CB_RECORDING_RECORDING,
  CB_RECORDING_FINISHING,
  CB_RECORDING_FINISHED,
  CB_RECORDING_RECOVERED,
  CB_RECORDING_FAILED,
} CbRecordingState;

const char *cb_recording_state_to_string (CbRecordingState state);

/**
 * CbRecordingInfo:
 * @file_name: the file's name in the records folder (what /client/records/ serves); while
 *   recording, the name it will get when finished
 * @path: the absolute path of the file as it is now (a temporary name while recording)
 * @stream_name: (nullable): the stream it was recorded from, when known
 * @media_session_id: (nullable): that stream's mediaSessionId, while it lives
 * @start_time: ms since the epoch (for older files: their modification time)
 * @duration: seconds: so far while recording, of the file when finished
 * @size: bytes
 * @video_codec: (nullable): WCS codec names ("H264", "VP8")
 * @audio_codec: (nullable): ("mpeg4-generic", "opus")
 * @recovered_seconds: for @CB_RECORDING_RECOVERED, the seconds kept
 * @reason: (nullable): why it stopped, when not by a user ("Disk almost full", …)
 *
 * A copy, safe to hand to any thread.
 */
typedef struct {
  char             *file_name;
  char             *path;
  char             *stream_name;
  char             *media_session_id;
  CbRecordingState  state;
  gint64            start_time;
  double            duration;
  guint64           size;
  char             *video_codec;
  char             *audio_codec;
  double            recovered_seconds;
  char             *reason;
} CbRecordingInfo;

CbRecordingInfo *cb_recording_info_copy (const CbRecordingInfo *info);
void             cb_recording_info_free (CbRecordingInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRecordingInfo, cb_recording_info_free)

/**
 * CbRecordConfig:
 * @file_template: (nullable): a stream_record_policy_template for this recording
 * @rotation: (nullable): a record_rotation value for this recording ("10", "10M")
 *
 * What /recorder/startup may set; %NULL members take the settings.
 */
typedef struct {
  const char *file_template;
  const char *rotation;
} CbRecordConfig;

G_END_DECLS
