/* cb-rtmp-pull.h — pull a stream from another RTMP server into a local stream (WCS /pull/rtmp)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/**
 * CbRtmpPullState:
 *
 * %CB_RTMP_PULL_CONNECTING until the source plays, %CB_RTMP_PULL_PLAYING while media
 * flows, %CB_RTMP_PULL_WAITING between reconnection attempts. A pull that gives up or is
 * terminated ends with its local stream (FAILED or UNPUBLISHED) and leaves the list.
 */
typedef enum {
  CB_RTMP_PULL_CONNECTING,
  CB_RTMP_PULL_PLAYING,
  CB_RTMP_PULL_WAITING,
} CbRtmpPullState;

const char *cb_rtmp_pull_state_to_string (CbRtmpPullState state);

/**
 * CbRtmpPullInfo:
 * @uri: the source as the request gave it, through cb_redact_url() (no user info, query
 *   value or stream key)
 *
 * A copy of a pull's state, for REST and the GUI.
 */
typedef struct {
  char            *uri;
  char            *local_stream_name;
  char            *local_media_session_id;
  CbRtmpPullState  state;
  gboolean         record;
  guint            reconnects;
  char            *last_error;
  gint64           retry_at;      /* ms since the epoch of the next attempt, or 0 */
  guint64          bytes_received;
  gboolean         has_audio;     /* the pulled stream carries audio (known once it plays) */
  gboolean         has_video;
} CbRtmpPullInfo;

void             cb_rtmp_pull_info_free (CbRtmpPullInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpPullInfo, cb_rtmp_pull_info_free)

/* On the engine's context. @local_name NULL: the URI as given, as WCS names it (refused
 * when the URI carries credentials or a query, which a stream name would show). Errors:
 * CB_ENGINE_ERROR_INVALID (a bad URI or name), _EXISTS (the URI is already pulled, or the
 * name is in use). Reconnects by rtmp_pull_restore, _attempts, _interval_ms.
 * @record records the pulled stream (as /stream/startRecording would). */
CbRtmpPullInfo  *cb_rtmp_pull_start     (CbEngine    *engine,
                                         const char  *uri,
                                         const char  *local_name,
                                         gboolean     record,
                                         GError     **error);
/* (element-type CbRtmpPullInfo): every pull, oldest first */
GPtrArray       *cb_rtmp_pull_list      (CbEngine    *engine);
/* Ends the pull of @uri and its local stream ("Stopped by rest /terminate").
 * CB_ENGINE_ERROR_NOT_FOUND when nothing pulls it. */
gboolean         cb_rtmp_pull_terminate (CbEngine    *engine,
                                         const char  *uri,
                                         GError     **error);

G_END_DECLS
