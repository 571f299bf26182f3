/* cb-engine.h — the registry of named streams and the operations on them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-engine-error.h"
#include "cb-local-source.h"
#include "cb-push-agent.h"
#include "cb-recorder.h"
#include "cb-settings.h"
#include "cb-stream.h"

G_BEGIN_DECLS

#define CB_TYPE_ENGINE (cb_engine_get_type ())
G_DECLARE_FINAL_TYPE (CbEngine, cb_engine, CB, ENGINE, GObject)

/**
 * CbStreamFilter:
 *
 * The filter of `/stream/find`: %NULL strings and a negative @published match anything.
 */
typedef struct {
  const char *name;
  const char *media_session_id;
  int         published;   /* -1 any, 0 players only, 1 publishers only */
  const char *status;      /* a CbStreamStatus name, or NULL */
} CbStreamFilter;

/* The engine belongs to the GMainContext that is thread-default when it is created:
 * its operations must be called there (the server runs there too), and its signals
 * ("stream-added", "stream-removed", "stream-changed", each with the CbStream) are
 * emitted there. Other threads (the GTK front end) use the _async variants or
 * cb_engine_invoke(). Media runs on GStreamer's own threads and never waits on it. */
CbEngine     *cb_engine_new                 (CbSettings      *settings);
CbSettings   *cb_engine_get_settings        (CbEngine        *self);
GMainContext *cb_engine_get_context         (CbEngine        *self);
void          cb_engine_invoke              (CbEngine        *self,
                                             GSourceFunc      func,
                                             gpointer         data,
                                             GDestroyNotify   destroy);
gint64        cb_engine_get_start_time      (CbEngine        *self);
const char   *cb_engine_get_media_dir       (CbEngine        *self);
/* Where recordings go (record_dir; default: a "records" folder beside the media folder).
 * VOD reads files from both folders. */
const char   *cb_engine_get_records_dir     (CbEngine        *self);

gboolean      cb_engine_validate_stream_name (const char     *name,
                                              GError        **error);

/* Registry. Lookups return a new reference or NULL. For playing, use
 * cb_engine_open_play_stream(), which also knows VOD names. */
CbStream     *cb_engine_lookup_stream       (CbEngine        *self,
                                             const char      *name);
CbStream     *cb_engine_lookup_session      (CbEngine        *self,
                                             const char      *media_session_id);
GPtrArray    *cb_engine_list_streams        (CbEngine        *self);
GPtrArray    *cb_engine_find_streams        (CbEngine        *self,
                                             const CbStreamFilter *filter);

/* The one way every player (WebRTC, WHEP, RTMP, push agents) finds what it plays: a live
 * stream by its name, or a VOD file: "vod-live://FILE" starts or joins the shared reader
 * of FILE, "vod://FILE" makes a reader for this one player (also "vod-live:FILE" and
 * "vod:FILE", the forms RTMP URLs carry easily). Errors: _NOT_FOUND "Stream not found",
 * _FILE_NOT_FOUND "File not found" (also for a name that would leave the media and
 * records folders). A file that is not H.264/AAC MP4 fails the stream after this returns,
 * with "File has wrong format" (cb_vod_get_error()).
 *
 * A caller that does not attach to what it opened after all (its own request failed)
 * hands it back with cb_engine_release_play_stream(), so that a personal reader ends now
 * instead of after vod_stream_timeout. */
CbStream     *cb_engine_open_play_stream    (CbEngine        *self,
                                             const char      *name,
                                             GError         **error);
void          cb_engine_release_play_stream (CbEngine        *self,
                                             CbStream        *stream);

/* For producers (local sources, later WebRTC/RTMP ingest): claim a name. Fails with
 * CB_ENGINE_ERROR_EXISTS when a stream by that name is live. @stop is called (on the
 * engine context) when the stream is terminated or unpublished through the engine. */
typedef void (*CbStopFunc) (gpointer data, const char *info);

gboolean      cb_engine_add_stream          (CbEngine        *self,
                                             CbStream        *stream,
                                             CbStopFunc       stop,
                                             gpointer         stop_data,
                                             GDestroyNotify   stop_destroy,
                                             GError         **error);
/* Sets the final status and removes the stream from the registry. */
void          cb_engine_remove_stream       (CbEngine        *self,
                                             CbStream        *stream,
                                             CbStreamStatus   status,
                                             const char      *info);

/* Operations shared by the GUI, REST and the command line. */
CbStream     *cb_engine_publish_source      (CbEngine        *self,
                                             const char      *name,
                                             const char      *source,
                                             GError         **error);
/* The same for a source that came from the network (REST): `file:NAME` names a file in
 * the media folder, as cb_engine_resolve_media_file() resolves it; the GUI's file chooser
 * and the command line use cb_engine_publish_source(), where any file is theirs to open. */
CbStream     *cb_engine_publish_network_source (CbEngine     *self,
                                                const char   *name,
                                                const char   *source,
                                                GError      **error);
gboolean      cb_engine_unpublish           (CbEngine        *self,
                                             const char      *name,
                                             GError         **error);
gboolean      cb_engine_terminate           (CbEngine        *self,
                                             const char      *media_session_id,
                                             const char      *name,
                                             GError         **error);
void          cb_engine_shutdown            (CbEngine        *self);

void          cb_engine_set_scene_capture   (CbEngine        *self,
                                             CbLocalSource   *capture);
void          cb_engine_unset_scene_capture (CbEngine        *self,
                                             CbLocalSource   *capture);

/* The preview of a stream this engine captures itself (published with
 * cb_engine_publish_source): frames from the same capture, so a camera need not be opened
 * twice. @func runs on a streaming thread (see CbPreviewFunc); NULL stops the preview.
 * Fails with CB_ENGINE_ERROR_NOT_FOUND for a stream that is not a local capture. */
typedef void (*CbEnginePreviewFunc) (GstSample *sample, gpointer data);
gboolean      cb_engine_set_local_preview   (CbEngine            *self,
                                             const char          *name,
                                             CbEnginePreviewFunc  func,
                                             gpointer             data,
                                             GDestroyNotify       destroy,
                                             GError             **error);

/* Mutes (or unmutes) the audio of the local capture published as @name: silence goes
 * out instead, the stream and its destinations go on. CB_ENGINE_ERROR_NOT_FOUND when no
 * local capture has that name. Any thread. */
gboolean      cb_engine_set_local_muted     (CbEngine            *self,
                                             const char          *name,
                                             gboolean             muted,
                                             GError             **error);

/* A file name from the network, inside the media folder (subfolders with "/"), through
 * cb_path_confine(). Returns the full path, or NULL with CB_ENGINE_ERROR_INVALID and one
 * message for every name that is refused ("..", absolute paths, links out of the folder
 * whether or not their target exists, NUL bytes, …: nothing in it tells whether a file
 * exists), or _FILE_NOT_FOUND ("File not found") for a good name with no file. */
char         *cb_engine_resolve_media_file  (CbEngine        *self,
                                             const char      *name,
                                             GError         **error);

/* RTMP push agents (WCS transponders). Signals "push-added", "push-removed" and
 * "push-changed", each with the CbPushAgent, on the engine context. */
CbPushAgent  *cb_engine_push_start          (CbEngine            *self,
                                             const CbPushRequest *request,
                                             GError             **error);
/* The same after checking that the destination's host resolves (a short timeout, on a
 * resolver thread): a host that does not is CB_ENGINE_ERROR_INVALID, so that the caller
 * hears at once; later failures stay the agent's events. Call on the engine context. */
void          cb_engine_push_start_async    (CbEngine            *self,
                                             const CbPushRequest *request,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CbPushAgent  *cb_engine_push_start_finish   (CbEngine            *self,
                                             GAsyncResult        *result,
                                             GError             **error);
CbPushAgent  *cb_engine_lookup_push         (CbEngine        *self,
                                             const char      *media_session_id);
GPtrArray    *cb_engine_find_pushes         (CbEngine        *self,
                                             const char      *stream_name,
                                             const char      *rtmp_url);
/* Agents stopped in the last rtmp_push_keep_stopped_seconds, with their last events
 * (StreamStopped and its reason): the same filters as cb_engine_find_pushes(), or one
 * @media_session_id. */
GPtrArray    *cb_engine_find_stopped_pushes (CbEngine        *self,
                                             const char      *media_session_id,
                                             const char      *stream_name,
                                             const char      *rtmp_url);
gboolean      cb_engine_push_terminate      (CbEngine        *self,
                                             const char      *media_session_id,
                                             GError         **error);
/* The same with the reason its StreamStopped event gives (NULL: "Stopped"). */
gboolean      cb_engine_push_terminate_full (CbEngine        *self,
                                             const char      *media_session_id,
                                             const char      *reason,
                                             GError         **error);
gboolean      cb_engine_push_set_muted      (CbEngine        *self,
                                             const char      *media_session_id,
                                             gboolean         muted,
                                             GError         **error);
gboolean      cb_engine_push_sound_on       (CbEngine        *self,
                                             const char      *media_session_id,
                                             const char      *sound_file,
                                             gboolean         loop,
                                             gboolean         replace,
                                             GError         **error);
gboolean      cb_engine_push_sound_off      (CbEngine        *self,
                                             const char      *media_session_id,
                                             GError         **error);
gboolean      cb_engine_push_retry_now      (CbEngine        *self,
                                             const char      *media_session_id,
                                             GError         **error);

/* Recording (WCS's /stream/startRecording, /recorder/…, record: true, the GUI's Record).
 * Call on the engine context. The engine's "recordings-changed" signal (no arguments)
 * tells when a recording starts, stops, is finished, recovered or deleted, and once a
 * second while one runs. */
gboolean      cb_engine_record_start        (CbEngine              *self,
                                             const char            *media_session_id,
                                             const CbRecordConfig  *config,
                                             GError               **error);
gboolean      cb_engine_record_stop         (CbEngine              *self,
                                             const char            *media_session_id,
                                             GError               **error);
gboolean      cb_engine_is_recording        (CbEngine              *self,
                                             const char            *media_session_id);
/* (element-type CbRecordingInfo), newest first; safe from any thread. */
GPtrArray    *cb_engine_list_recordings     (CbEngine              *self,
                                             gboolean               running_only);
char         *cb_engine_resolve_record_file (CbEngine              *self,
                                             const char            *file_name,
                                             GError               **error);
gboolean      cb_engine_delete_recording    (CbEngine              *self,
                                             const char            *file_name,
                                             GError               **error);
/* Once at start-up: list the records folder, repair what a crash interrupted. */
void          cb_engine_record_recover      (CbEngine              *self);

/* From another thread: the result is delivered on the caller's thread-default context. */
void          cb_engine_publish_source_async  (CbEngine            *self,
                                               const char          *name,
                                               const char          *source,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
CbStreamInfo *cb_engine_publish_source_finish (CbEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);
void          cb_engine_unpublish_async       (CbEngine            *self,
                                               const char          *name,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      cb_engine_unpublish_finish      (CbEngine            *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
