/* cb-app-audio.h — the applications playing sound now (PipeWire), to capture one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * CbAppAudio:
 * @name: the application's name as the desktop shows it (application.name, else the
 *   node's description or name): what a source keeps to find it again
 * @media_name: what it plays (media.name), or ""
 * @serial: the PipeWire object serial of its playback stream, for pipewiresrc's
 *   target-object
 *
 * One playback stream of an application. Free with cb_app_audio_free().
 */
typedef struct {
  char    *name;
  char    *media_name;
  guint64  serial;
} CbAppAudio;

void        cb_app_audio_free        (CbAppAudio    *app);

/**
 * cb_app_audio_parse_dump:
 * @json: what `pw-dump` printed
 * @own_pid: a process whose streams are left out (ours), or 0
 * @error: a #GError
 *
 * Returns: (transfer full) (element-type CbAppAudio): the playback streams
 *   (media.class "Stream/Output/Audio") in @json, in its order; %NULL with
 *   %CB_ENGINE_ERROR_INVALID when it is not pw-dump's JSON
 */
GPtrArray  *cb_app_audio_parse_dump  (const char    *json,
                                      gint64         own_pid,
                                      GError       **error);

/**
 * cb_app_audio_list:
 * @error: a #GError
 *
 * Asks PipeWire (through `pw-dump`, which waits for nothing) which applications play
 * sound now, other than this process.
 *
 * Returns: (transfer full) (element-type CbAppAudio): possibly empty; %NULL with
 *   %CB_ENGINE_ERROR_NO_DEVICE where there is no PipeWire (or no pw-dump)
 */
GPtrArray  *cb_app_audio_list        (GError       **error);

/**
 * cb_app_audio_list_async:
 * @cancellable: (nullable): a #GCancellable
 *
 * cb_app_audio_list() without waiting: pw-dump runs while the thread-default main
 * context goes on; @callback gets cb_app_audio_list_finish()'s answer there.
 */
void        cb_app_audio_list_async  (GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);

GPtrArray  *cb_app_audio_list_finish (GAsyncResult  *result,
                                      GError       **error);

/**
 * cb_app_audio_find:
 * @apps: (element-type CbAppAudio): a list
 * @name: (nullable): an application's name, or %NULL for any
 * @serial: a stream's serial, or 0 for any
 *
 * Returns: (transfer none) (nullable): the first stream in @apps that matches both
 */
const CbAppAudio *cb_app_audio_find  (GPtrArray     *apps,
                                      const char    *name,
                                      guint64        serial);

/**
 * cb_app_audio_make_source:
 * @name: a #CbAppAudio's name
 * @apps: (nullable) (element-type CbAppAudio): what plays now, when just listed; %NULL:
 *   list it now (pw-dump, waited for)
 * @serial: (out) (optional): the serial of the stream it captures
 * @error: a #GError
 *
 * Returns: (transfer floating): a pipewiresrc capturing the first playback stream of the
 *   application called @name, which never falls back to another node when that stream
 *   ends; %NULL with %CB_SOURCE_ERROR_APP_SILENT when it plays nothing now,
 *   %CB_ENGINE_ERROR_MISSING_PLUGIN without pipewiresrc, or cb_app_audio_list()'s error
 */
GstElement *cb_app_audio_make_source (const char    *name,
                                      GPtrArray     *apps,
                                      guint64       *serial,
                                      GError       **error);

G_END_DECLS
