/* cb-record-file.h — finishing a recording file: repair, fast-start remux, verify, rename
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CbRecordFileResult:
 * @duration: seconds of media that decode (the end of the last decoded frame or sample)
 * @size: bytes of the final file
 * @remuxed: %TRUE when the file was rewritten as a regular fast-start MP4; %FALSE when the
 *   recording was kept as it was written (a WebM file, an MP4 that was already fast-start,
 *   or a fragmented MP4 that could not be remuxed, e.g. for want of disk space)
 * @final_path: where the file is now: the asked path, or, when a file had that name
 *   already, the asked path with "-1", "-2"… before its extension
 * @video_codec: WCS name of the video codec that decoded ("H264", "VP8"), or %NULL
 * @audio_codec: WCS name of the audio codec that decoded ("mpeg4-generic", "opus"), or %NULL
 *
 * A finished recording. Free with cb_record_file_result_free().
 */
typedef struct {
  double   duration;
  guint64  size;
  gboolean remuxed;
  char    *final_path;
  char    *video_codec, *audio_codec;
} CbRecordFileResult;

void                cb_record_file_result_free   (CbRecordFileResult   *r);

/**
 * cb_record_file_sibling_path:
 * @path: a file's path
 * @infix: what goes between its stem and its extension, e.g. "-1"
 *
 * Returns: (transfer full): the path beside @path named "<stem><infix><extension>", the
 *   stem cut (on a character boundary) if the name would be over %CB_RECORD_NAME_MAX bytes
 */
char               *cb_record_file_sibling_path  (const char           *path,
                                                  const char           *infix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRecordFileResult, cb_record_file_result_free)

/**
 * cb_record_file_finish_async:
 * @temp_path: the file the recorder wrote: a fragmented MP4 (mp4mux, fragment-duration
 *   set), possibly cut at any byte by a crash or a full disk; or, when its name ends with
 *   ".webm" or ".mkv", a matroskamux/webmmux file
 * @final_path: where the finished recording should go; its folder must exist
 * @decode: %TRUE to check the file by decoding it (a file left by a crash); %FALSE to
 *   check it by reading every sample through the demuxer only (a file that this process
 *   closed cleanly: decoding it would cost about a fifth of the CPU time it took to record)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context of the caller
 * @user_data: for @callback
 *
 * Finishes a recording in a worker thread (GStreamer must be initialized):
 *
 * 1. MP4 only: reads the boxes with cb_mp4_probe_file() and truncates @temp_path after the
 *    last complete fragment, so that a partly written one is left out.
 * 2. MP4 only, unless it is already a regular fast-start file: remuxes it (qtdemux, the
 *    codec's parser, mp4mux faststart=true) into a hidden file beside @final_path named
 *    after @temp_path (".<temp name>.remux.tmp"). With @decode %FALSE (a clean stop), where
 *    its audio and video tracks end apart the longer one is cut where the shorter one ends
 *    (whole samples; a file left by a crash keeps all it has). When that fails (no
 *    space left, a muxer error) the partial output is deleted and the fragmented file is
 *    kept as it is.
 * 3. Decodes (or with @decode %FALSE, demuxes) every stream of the file to keep, counting
 *    frames and samples; a file where nothing decodes fails.
 * 4. Moves it to @final_path without ever replacing a file (see
 *    #CbRecordFileResult.final_path) and deletes @temp_path.
 *
 * A recording that cannot be repaired (not an MP4 or WebM, no complete moov box, nothing
 * decodable, a demuxer error) is moved to "<final stem>.damaged<final extension>" (or
 * "<final stem>.damaged-1<final extension>"…), never deleted, and the task fails with
 * %CB_ENGINE_ERROR_FAILED saying why and where it is. An MP4 with a complete moov box has
 * been truncated by step 1 by then.
 *
 * Other failures leave @temp_path where it is, to be finished later:
 * %CB_ENGINE_ERROR_FILE_NOT_FOUND (no @temp_path), %CB_ENGINE_ERROR_MISSING_PLUGIN (a
 * demuxer, parser, muxer or decoder is not installed), %G_IO_ERROR_CANCELLED, and
 * %CB_ENGINE_ERROR_FAILED when a file cannot be moved or truncated, or when decoding takes
 * longer than its deadline (30 s plus 2 s per MiB; remuxing 30 s plus 1 s per 8 MiB).
 */
void                cb_record_file_finish_async  (const char           *temp_path,
                                                  const char           *final_path,
                                                  gboolean              decode,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);

/**
 * cb_record_file_finish_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: a #GError
 *
 * Returns: (transfer full): the finished recording, or %NULL with @error set
 */
CbRecordFileResult *cb_record_file_finish_finish (GAsyncResult         *result,
                                                  GError              **error);

/**
 * cb_record_file_set_worker:
 * @executable: (nullable): a program whose main() first calls
 *   cb_record_file_worker_main(), usually the running one; %NULL: remux in this process
 *
 * From then on, step 2 of cb_record_file_finish_async() runs in a child process of
 * @executable, so that a crash of the demuxer or muxer does not end the caller: a child
 * that crashes is run once more, then the fragmented file is kept.
 */
void                cb_record_file_set_worker    (const char           *executable);

/**
 * cb_record_file_worker_main:
 * @argc: main()'s
 * @argv: main()'s
 *
 * The first thing a program's main() does: when @argv is a remux worker's command line
 * (see cb_record_file_set_worker()), does that work; otherwise sets the running program
 * as the worker of its later remuxes.
 *
 * Returns: -1 when @argv is not a remux worker's command line (go on as usual);
 *   otherwise the child has done its work and this is its exit status
 */
int                 cb_record_file_worker_main   (int                   argc,
                                                  char                **argv);

G_END_DECLS
