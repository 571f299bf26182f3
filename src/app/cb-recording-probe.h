/* cb-recording-probe.h — what a recording's file holds, read on a worker thread: a small
 * picture from about a second in, its duration, size and codecs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every member may be empty: an audio-only file has no picture, a damaged one may have
 * a size and nothing else. */
typedef struct
{
  GBytes  *pixels;        /* packed R8G8B8 rows of @stride bytes, or NULL */
  int      width;
  int      height;
  gsize    stride;
  double   duration;      /* seconds; 0 when unknown */
  guint64  size;          /* bytes */
  char    *video_codec;   /* WCS names, as the engine gives them: "H264", "VP8" */
  char    *audio_codec;   /* "mpeg4-generic", "opus" */
} CbRecordingProbe;

void              cb_recording_probe_free   (CbRecordingProbe    *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRecordingProbe, cb_recording_probe_free)

/* Reads @path on a worker thread (GStreamer: uridecodebin → videoconvert → videoscale →
 * a frame @width pixels wide). Fails only when the file cannot be read at all. */
void              cb_recording_probe_async  (const char          *path,
                                             int                  width,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CbRecordingProbe *cb_recording_probe_finish (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
