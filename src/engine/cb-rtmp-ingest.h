/* cb-rtmp-ingest.h — FLV tags from RTMP into a stream, and the engine's RTMP server handler
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"
#include "cb-rtmp-server.h"

G_BEGIN_DECLS

/* Where a timeline starts: a little room below it for audio that comes before the first
 * video frame, so that no timestamp goes negative. */
#define CB_RTMP_TIMELINE_START_MS 1000

/**
 * CbRtmpTimeline:
 *
 * RTMP's 32-bit millisecond timestamps made into a 64-bit timeline that only goes
 * forward: wrap-around at 2^32 is unwrapped, and a jump (a publisher that restarts its
 * clock, a pulled source that reconnects) continues from where the timeline was. Plain
 * data: embed it.
 */
typedef struct {
  gboolean started;
  gboolean rebase;        /* the next timestamp starts a new segment */
  guint32  last_raw;
  gint64   last_ext;      /* the unwrapped last raw timestamp */
  gint64   offset;        /* output = unwrapped + offset */
  gint64   last_out;
} CbRtmpTimeline;

void          cb_rtmp_timeline_init              (CbRtmpTimeline *timeline);
gint64        cb_rtmp_timeline_map               (CbRtmpTimeline *timeline,
                                                  guint32         raw_ms);
/* The source restarted: whatever its next timestamp, the timeline goes on from here. */
void          cb_rtmp_timeline_discontinuity     (CbRtmpTimeline *timeline);

/* The FLV tag bodies of a publish (or a pull), pushed into @stream's fan-out as they are:
 * H.264 as stream-format=avc with the avcC as codec_data, AAC raw with its
 * AudioSpecificConfig; nothing is decoded or re-encoded. Other codecs are dropped (with
 * one debug message per kind). */
typedef struct _CbRtmpIngest CbRtmpIngest;

CbRtmpIngest *cb_rtmp_ingest_new                 (CbStream       *stream);
void          cb_rtmp_ingest_free                (CbRtmpIngest   *self);
/* Returns %FALSE with @error for a tag that cannot be used (dropped; never fatal). */
gboolean      cb_rtmp_ingest_push                (CbRtmpIngest   *self,
                                                  guint8          type_id,
                                                  guint32         timestamp,
                                                  GBytes         *payload,
                                                  GError        **error);
void          cb_rtmp_ingest_discontinuity       (CbRtmpIngest   *self);
CbStream     *cb_rtmp_ingest_get_stream          (CbRtmpIngest   *self);

/* The engine as an RTMP server handler (data: the CbEngine): publishes become streams of
 * mediaProvider "RTMP", plays attach RTMP play consumers (cb-rtmp-play.h). */
const CbRtmpServerHandler *cb_rtmp_ingest_get_server_handler (void);

/* Publish authorisation (rtmp_publish_key, rtmp_publish_keys): whether @name may be
 * published with the `key` found in @query (the publish name's) or @connect_query. */
gboolean      cb_rtmp_ingest_check_key           (CbSettings     *settings,
                                                  const char     *name,
                                                  const char     *query,
                                                  const char     *connect_query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpIngest, cb_rtmp_ingest_free)

G_END_DECLS
