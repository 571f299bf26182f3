/* cb-engine-private.h — the engine's parts shared by its own files
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

/**
 * CbEngineAddFlags:
 * @CB_ENGINE_ADD_UNNAMED: registered by mediaSessionId only: nobody finds it by name (a
 *   personal VOD serves the one viewer it was made for)
 * @CB_ENGINE_ADD_VOD: a VOD reader's stream: its name may be a VOD URI (checked by the
 *   reader), and it is not pushed by rtmp_push_auto_start
 * @CB_ENGINE_ADD_URI_NAME: named after the rtmp:// URI it pulls (WCS's default for
 *   /pull/rtmp/pull), which the URL parser checked
 */
typedef enum {
  CB_ENGINE_ADD_UNNAMED  = 1 << 0,
  CB_ENGINE_ADD_VOD      = 1 << 1,
  CB_ENGINE_ADD_URI_NAME = 1 << 2,
} CbEngineAddFlags;

gboolean    cb_engine_add_stream_full  (CbEngine         *self,
                                        CbStream         *stream,
                                        CbEngineAddFlags  flags,
                                        CbStopFunc        stop,
                                        gpointer          stop_data,
                                        GDestroyNotify    stop_destroy,
                                        GError          **error);

GHashTable *cb_engine_get_push_table   (CbEngine    *self);
/* Stopped agents, kept rtmp_push_keep_stopped_seconds for the find verbs. */
GHashTable *cb_engine_get_stopped_push_table (CbEngine *self);
/* @what: 1 added, -1 removed, 0 changed */
void        cb_engine_emit_push        (CbEngine    *self,
                                        CbPushAgent *agent,
                                        int          what);
void        cb_engine_stop_all_pushes  (CbEngine    *self);
void        cb_engine_push_auto_start  (CbEngine    *self,
                                        CbStream    *stream);

/* cb-recorder.c */
struct _CbRecordRegistry *cb_engine_get_record_registry     (CbEngine *self);
void                      cb_engine_emit_recordings_changed (CbEngine *self);

/* cb-webrtc-endpoint.c: a CbWebrtcMediaFunc; @stream (a CbStream) gets the media. */
void        cb_stream_push_webrtc_media (int        kind,
                                         GstCaps   *caps,
                                         GstBuffer *buffer,
                                         gpointer   stream);

/**
 * cb_engine_want_video:
 * @stream: the source
 * @codec: "H264" (RTMP, MP4, a relay) or "VP8" (a WebRTC player)
 * @b_frames_ok: whether B-frames may go out as they are (not to WebRTC)
 * @offered: (nullable): what a WebRTC player offered, named in the error
 * @keyframe_interval: the encoder's keyframe gap, in frames, when the video is transcoded
 * @profile: (inout): the consumer's profile; made to ask for @codec when it must be encoded
 *
 * The one rule of every consumer that needs a video codec: the stream's video as it is
 * when it fits, else a shared rendition when transcoding_enabled, else an error
 * (CB_ENGINE_ERROR_INVALID, for every consumer): "Video codec mismatch. VP8 granted,
 * but should be H.264", or "Transcoding required, but disabled" (with ": stream has …,
 * player offers …" for a WebRTC player).
 */
gboolean  cb_engine_want_video  (CbEngine    *engine,
                                 CbStream    *stream,
                                 const char  *codec,
                                 gboolean     b_frames_ok,
                                 const char  *offered,
                                 int          keyframe_interval,
                                 CbProfile   *profile,
                                 GError     **error);

/* cb-egress-hub.c: the shared WebRTC viewer egress (built with the egress only) */
#ifdef CB_HAVE_EGRESS
#include "cb-webrtc-peer.h"

typedef struct _CbEgressHub    CbEgressHub;
typedef struct _CbEgressBranch CbEgressBranch;

/* @event is a CbEgressViewerEvent; on the engine's context. */
typedef void (*CbEgressHubViewerFunc) (guint       viewer_id,
                                       int         event,
                                       const char *message,
                                       gpointer    data);

CbEgressHub    *cb_engine_get_egress_hub              (CbEngine         *self);
CbEgressHub    *cb_egress_hub_new                     (CbEngine         *engine);
void            cb_egress_hub_free                    (CbEgressHub      *hub);
void            cb_egress_hub_join_preload            (void);
gboolean        cb_egress_hub_can_serve               (CbEgressHub         *hub,
                                                       const GstSDPMessage *offer,
                                                       const char          *video,
                                                       char               **reason);
CbEgressBranch *cb_egress_hub_acquire_branch          (CbEgressHub      *hub,
                                                       CbStream         *source,
                                                       const CbProfile  *profile,
                                                       GError          **error);
void            cb_egress_hub_release_branch          (CbEgressHub      *hub,
                                                       CbEgressBranch   *branch);
char           *cb_egress_hub_answer                  (CbEgressHub            *hub,
                                                       CbEgressBranch         *branch,
                                                       const GstSDPMessage    *offer,
                                                       const char             *loopback_address,
                                                       const char             *local_address,
                                                       CbEgressHubViewerFunc   func,
                                                       gpointer                data,
                                                       guint                  *viewer_id,
                                                       gboolean               *fallback,
                                                       GError                **error);
void            cb_egress_hub_remove_viewer           (CbEgressHub      *hub,
                                                       guint             viewer_id);
gboolean        cb_egress_hub_get_stats               (CbEgressHub      *hub,
                                                       guint             viewer_id,
                                                       CbWebrtcStats    *out);
#endif

G_END_DECLS
