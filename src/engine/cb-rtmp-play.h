/* cb-rtmp-play.h — a stream played over an RTMP server connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"
#include "cb-rtmp-server.h"

G_BEGIN_DECLS

typedef struct _CbRtmpPlay CbRtmpPlay;

/* The stream's H.264 and AAC as FLV tags, starting on a keyframe from the stream's GOP
 * cache, with onMetaData and sequence headers first. A player that cannot keep up drops
 * whole GOPs from its own queue; nothing else waits for it. When the stream ends the
 * player gets StreamEOF and NetStream.Play.UnpublishNotify.
 *
 * @name is anything cb_engine_open_play_stream() takes: a live stream or a VOD file.
 * On the engine's context. Errors: %CB_RTMP_ERROR_FAILED "Stream not found", "File not
 * found", … (the session answers NetStream.Play.StreamNotFound with it). A stream that
 * fails later (a file of the wrong format) gives NetStream.Play.Failed with its reason. */
CbRtmpPlay *cb_rtmp_play_start (CbEngine            *engine,
                                CbRtmpServerSession *session,
                                guint32              stream_id,
                                const char          *name,
                                GError             **error);
/* The session ended the play: detach, and never touch the session again. */
void        cb_rtmp_play_stop  (CbRtmpPlay          *play);

G_END_DECLS
