/* cb-mp4.h — a small, safe ISO-BMFF (MP4) box reader for the recorder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CbMp4Info:
 * @fragmented: the file has moof boxes, or an mvex box in its moov
 * @faststart: a complete moov comes before the first mdat
 * @complete_length: bytes up to the end of the last complete top-level box. In a fragmented
 *   file a moof only counts together with the mdat that follows it: the length ends with the
 *   last such mdat that is complete, so a partly written fragment is left out
 * @duration_ms: the movie duration from mvhd in milliseconds, for a non-fragmented file
 *   whose mvhd gives one; else -1
 * @has_video: a track with a "vide" handler
 * @has_audio: a track with a "soun" handler
 * @video_codec: WCS name of the first video track's codec: "H264" (avc1, avc3), "VP8"
 *   (vp08), or "" (another codec, or no video)
 * @audio_codec: WCS name of the first audio track's codec: "mpeg4-generic" (mp4a, AAC),
 *   "opus" (Opus), or ""
 * @video_end_ns: in a fragmented file, where the first video track's samples end on the
 *   movie's timeline (the last decode time plus its duration, from the complete fragments'
 *   tfdt and trun boxes, less the first edit's media time), in nanoseconds; else -1
 * @audio_end_ns: the same for the first audio track
 *
 * What cb_mp4_parse() and cb_mp4_probe_file() found out about a file. Track fields come
 * only from a complete moov box.
 */
typedef struct {
  gboolean fragmented;
  gboolean faststart;
  guint64  complete_length;
  gint64   duration_ms;
  gboolean has_video, has_audio;
  char     video_codec[8];
  char     audio_codec[16];
  gint64   video_end_ns, audio_end_ns;
} CbMp4Info;

/**
 * CB_MP4_MAX_MOOV_SIZE:
 *
 * The largest moov box cb_mp4_probe_file() reads into memory (64 MiB).
 */
#define CB_MP4_MAX_MOOV_SIZE (G_GUINT64_CONSTANT (64) * 1024 * 1024)

/**
 * CB_MP4_MAX_MOOF_SIZE:
 *
 * The largest moof box cb_mp4_probe_file() reads to find the track ends (4 MiB).
 */
#define CB_MP4_MAX_MOOF_SIZE (G_GUINT64_CONSTANT (4) * 1024 * 1024)

/**
 * cb_mp4_parse:
 * @data: (array length=length): the start of a file, or all of it
 * @length: bytes in @data
 * @info: (out caller-allocates): filled in on success (zeroed, @duration_ms -1, on failure)
 * @error: a #GError
 *
 * Walks the top-level boxes of an MP4 held in memory, the moov box's
 * trak/mdia/minf/stbl/stsd boxes, and the moof boxes' traf/tfhd/tfdt/trun boxes. Handles 32- and 64-bit box sizes, a box of size 0
 * (it runs to the end of the data), headers cut short and boxes that claim more than the
 * data holds; a box that breaks the structure in the middle of the file ends the walk there,
 * as if the file had been cut at that point. Never reads outside @data, never allocates
 * more than a few bytes.
 *
 * Returns: %TRUE when @data is an MP4 (possibly cut short); %FALSE with
 *   %CB_ENGINE_ERROR_INVALID when it is empty, too short for one box header, or does not
 *   begin with a top-level MP4 box (ftyp, moov, mdat…).
 */
gboolean cb_mp4_parse      (const guint8  *data,
                            gsize          length,
                            CbMp4Info     *info,
                            GError       **error);

/**
 * cb_mp4_probe_file:
 * @path: an MP4 file
 * @info: (out caller-allocates): filled in on success
 * @error: a #GError
 *
 * Same as cb_mp4_parse() on the whole file, but reads only the top-level box headers (with
 * seeks), the moov box and the moof boxes (each up to %CB_MP4_MAX_MOOF_SIZE; a larger one
 * leaves the track ends unknown), never the media data. Blocks: call it from a worker thread.
 *
 * Returns: %TRUE on success; %FALSE with %CB_ENGINE_ERROR_FILE_NOT_FOUND (no such file),
 *   %CB_ENGINE_ERROR_INVALID (not an MP4, see cb_mp4_parse()), %CB_ENGINE_ERROR_BAD_FORMAT
 *   (a complete moov box over %CB_MP4_MAX_MOOV_SIZE) or %CB_ENGINE_ERROR_FAILED (the file
 *   cannot be read).
 */
gboolean cb_mp4_probe_file (const char    *path,
                            CbMp4Info     *info,
                            GError       **error);

G_END_DECLS
