/* cb-vod.h — VOD readers: MP4 files of the media and records folders played as streams
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/**
 * CbVodKind:
 * @CB_VOD_NONE: not a VOD name: a live stream's name
 * @CB_VOD_PERSONAL: `vod://FILE`: a reader of its own for one viewer, from the start
 * @CB_VOD_LIVE: `vod-live://FILE`: one shared reader that viewers join as it runs
 */
typedef enum {
  CB_VOD_NONE,
  CB_VOD_PERSONAL,
  CB_VOD_LIVE,
} CbVodKind;

/* Whether @name names a VOD file: "vod://FILE" or "vod-live://FILE" (the scheme in any
 * case), or the forms without slashes that RTMP URLs carry more easily, "vod:FILE" and
 * "vod-live:FILE". @file (nullable): FILE, not checked yet; @canonical (nullable): the
 * name the stream gets, "vod://FILE" or "vod-live://FILE". Pure. */
CbVodKind     cb_vod_parse_name      (const char  *name,
                                      char       **file,
                                      char       **canonical);

/**
 * CbVodInfo:
 *
 * A VOD stream as /vod/find answers it.
 */
typedef struct {
  char           *local_media_session_id;
  char           *local_stream_name;
  char           *uri;               /* "vod-live://file.mp4" or "vod://file.mp4" */
  gboolean        loop;
  gboolean        has_audio;
  gboolean        has_video;
  CbStreamStatus  stream_status;     /* PENDING before its media flows, then PUBLISHING */
} CbVodInfo;

void          cb_vod_info_free       (CbVodInfo   *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbVodInfo, cb_vod_info_free)

/* The engine's VOD operations (WCS's /vod verbs), on the engine's context. */

/* A shared (vod-live://) reader of @uri published as @local_name (NULL: the URI itself,
 * which is also what viewers of "vod-live://FILE" join); @loop: -1 for vod_live_loop.
 * Errors: _INVALID "Bad URI" (not vod-live://FILE), _EXISTS (the name is in use),
 * _FILE_NOT_FOUND "File not found" (also for a name that would leave the folders). The
 * file's format is checked after this returns: use the _async variant to learn it. */
CbStream     *cb_engine_vod_startup        (CbEngine             *self,
                                            const char           *uri,
                                            const char           *local_name,
                                            int                   loop,
                                            GError              **error);
/* The same, answered once the file is read: _BAD_FORMAT "File has wrong format" or
 * _FAILED "Failed to read file" come here too. */
void          cb_engine_vod_startup_async  (CbEngine             *self,
                                            const char           *uri,
                                            const char           *local_name,
                                            int                   loop,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
CbStream     *cb_engine_vod_startup_finish (CbEngine             *self,
                                            GAsyncResult         *result,
                                            GError              **error);
/* VOD streams of both kinds, oldest first; @local_name and @uri (either may be NULL)
 * filter. Returns: (element-type CbVodInfo). */
GPtrArray    *cb_engine_vod_find           (CbEngine             *self,
                                            const char           *local_name,
                                            const char           *uri);
/* Ends the VOD streams matching @uri and @local_name (at least one given; "Stopped by
 * rest /terminate"). _NOT_FOUND when none does. */
gboolean      cb_engine_vod_terminate      (CbEngine             *self,
                                            const char           *uri,
                                            const char           *local_name,
                                            GError              **error);

/* For play paths. */

/* Whether @stream is read from a file by a VOD reader. */
gboolean      cb_vod_is_vod_stream   (CbStream    *stream);
/* The error that failed a VOD stream, or NULL: what its viewers are told. */
const GError *cb_vod_get_error       (CbStream    *stream);

/* cb-engine.c's halves of cb_engine_open_play_stream() (@kind is not CB_VOD_NONE) and
 * cb_engine_release_play_stream(). */
void          cb_vod_release         (CbEngine    *engine,
                                      CbStream    *stream);
CbStream     *cb_vod_open            (CbEngine    *engine,
                                      CbVodKind    kind,
                                      const char  *file,
                                      const char  *canonical,
                                      GError     **error);

G_END_DECLS
