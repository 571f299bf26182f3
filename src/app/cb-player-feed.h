/* cb-player-feed.h — the player window's decoding pipeline, and what feeds it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

#include "cb-preview-paintable.h"

G_BEGIN_DECLS

/* Shared by the window and the streaming threads (reference-counted, thread-safe). */
typedef struct _CbPlayerFeed CbPlayerFeed;

CbPlayerFeed *cb_player_feed_new          (CbPreviewPaintable  *paintable,
                                           GMainContext        *ui_context);
CbPlayerFeed *cb_player_feed_ref          (CbPlayerFeed        *feed);
void          cb_player_feed_unref        (gpointer             feed);
/* The window lets go: frames still on their way are dropped. */
void          cb_player_feed_close        (CbPlayerFeed        *feed);
/* A CbWebrtcMediaFunc (@data: the feed), on the peer's streaming threads. */
void          cb_player_feed_on_media     (int                  kind,
                                           GstCaps             *caps,
                                           GstBuffer           *buffer,
                                           gpointer             data);
/* Frames decoded so far, and the last one's size. */
guint64       cb_player_feed_get_decoded  (CbPlayerFeed        *feed,
                                           int                 *width,
                                           int                 *height);

/* The decoding pipeline, made on a worker thread and playing, fed by @feed. */
void          cb_player_feed_build_async  (CbPlayerFeed        *feed,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Returns: (transfer full): the pipeline, its "volume" element in @volume (transfer
 * full), whether its sound goes to a device in @audio_output; or NULL with @error. */
GstElement   *cb_player_feed_build_finish (GAsyncResult        *result,
                                           GstElement         **volume,
                                           gboolean            *audio_output,
                                           GError             **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbPlayerFeed, cb_player_feed_unref)
/* Takes @pipeline. Going to NULL joins the streaming threads and closes the audio
 * device, which need not be quick: on a thread of its own. */
void          cb_player_pipeline_shutdown (GstElement          *pipeline);

G_END_DECLS
