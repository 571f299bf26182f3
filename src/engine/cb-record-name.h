/* cb-record-name.h — recording file names from WCS templates, and record_rotation
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CB_RECORD_NAME_MAX:
 *
 * The longest file name, in bytes, that cb_record_name_expand() returns (the limit of
 * ext4, XFS, btrfs and of a NTFS or FAT name in UTF-8 bytes, whichever is least).
 */
#define CB_RECORD_NAME_MAX 255

/**
 * CbRecordNameParts:
 * @stream_name: the stream's name
 * @session_id: the publisher's WCS session id
 * @media_session_id: the stream's media session id
 * @login: the publisher's login
 * @audio_codec: WCS name of the audio codec ("opus", "mpeg4-generic"…)
 * @video_codec: WCS name of the video codec ("H264", "VP8"…)
 * @start_ms: when the recording (or this rotated part) started, in ms since the Unix epoch
 * @end_ms: when it ended, in ms since the Unix epoch, or -1 while unknown
 *
 * What a template may name. Any string may be %NULL: it expands to "".
 */
typedef struct {
  const char *stream_name, *session_id, *media_session_id, *login, *audio_codec, *video_codec;
  gint64 start_ms;
  gint64 end_ms;
} CbRecordNameParts;

/**
 * cb_record_name_expand:
 * @template_: a WCS `stream_record_policy_template`, such as "{streamName}-{startTime}"
 * @parts: what the elements expand to
 * @suffix: (nullable): appended as it is, e.g. ".mp4" or "-2.mp4"; at most 64 bytes
 *
 * Expands the elements {streamName}, {duration}, {startTime}, {endTime},
 * {startTimeMillis}, {endTimeMillis}, {sessionId}, {mediaSessionId}, {login},
 * {audioCodec} and {videoCodec}; any other {x} is kept as it is.
 *
 * - {startTime} and {endTime} are local times written `yyyy-MM-dd-HH-mm-ss-SSS`
 *   (e.g. "2024-05-01-13-45-07-123"): readable, sorted like the times, and safe in file
 *   names on Linux and Windows.
 * - {startTimeMillis} and {endTimeMillis} are ms since the Unix epoch; {duration} is
 *   @end_ms - @start_ms in ms. End times and the duration are "" while @end_ms is -1.
 *
 * The expansion is then made a safe file name on Linux and Windows: invalid UTF-8 becomes
 * U+FFFD, and `/ \ : * ? " < > |`, control characters, leading dots and trailing dots and
 * spaces become '_'; an empty name becomes "stream". It is cut on a UTF-8 character
 * boundary so that it fits, with @suffix, in %CB_RECORD_NAME_MAX bytes.
 *
 * Returns: (transfer full): the file name: the safe expansion followed by @suffix
 */
char    *cb_record_name_expand     (const char               *template_,
                                    const CbRecordNameParts  *parts,
                                    const char               *suffix);

/**
 * cb_record_name_has_time:
 * @template_: a WCS `stream_record_policy_template`
 *
 * Whether names made from @template_ change with the recording's times: it holds
 * {startTime}, {startTimeMillis}, {endTime}, {endTimeMillis} or {duration}. WCS numbers
 * the parts of a rotated recording only when the template names no time.
 *
 * Returns: %TRUE when the template names the start or the end time
 */
gboolean cb_record_name_has_time   (const char               *template_);

/**
 * cb_record_rotation_parse:
 * @text: (nullable): the WCS `record_rotation` setting
 * @seconds: (out): a part's length in seconds, or 0
 * @bytes: (out): a part's size in bytes, or 0
 * @error: a #GError
 *
 * Reads `record_rotation`: "" (or %NULL) and "0" mean no rotation (both outputs 0);
 * digits alone are seconds ("10"); digits then 'M' or 'm' are MiB ("10M" is 10485760 bytes).
 *
 * Returns: %TRUE on success; %FALSE with %CB_ENGINE_ERROR_INVALID for anything else
 *   (a sign, spaces, another unit, or a number so large that it overflows in ms or bytes)
 */
gboolean cb_record_rotation_parse  (const char               *text,
                                    gint64                   *seconds,
                                    gint64                   *bytes,
                                    GError                  **error);

/**
 * cb_record_name_cut_length:
 * @name: a valid UTF-8 string
 * @max_bytes: the most bytes wanted
 *
 * How many bytes of @name to keep so that it holds at most @max_bytes bytes without
 * splitting a UTF-8 character.
 *
 * Returns: a length ≤ @max_bytes and ≤ strlen (@name)
 */
gsize    cb_record_name_cut_length (const char               *name,
                                    gsize                     max_bytes);

G_END_DECLS
