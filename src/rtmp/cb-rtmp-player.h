/* cb-rtmp-player.h — the playing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-rtmp-error.h"
#include "cb-rtmp-url.h"

G_BEGIN_DECLS

/**
 * CbRtmpPlayerConfig:
 * @url: the source; its last path element is the stream to play (with its query); the
 *   player keeps a copy
 * @flash_ver: (nullable): flashVer sent in connect; NULL: "LNX 9,0,124,2"
 * @timeout_ms: for connecting and each answer; also the longest silence of a playing
 *   source before the player gives up; 0: 10 s
 * @tls_validation: check the server certificate (rtmps)
 */
typedef struct {
  const CbRtmpUrl *url;
  const char      *flash_ver;
  guint            timeout_ms;
  gboolean         tls_validation;
} CbRtmpPlayerConfig;

#define CB_TYPE_RTMP_PLAYER (cb_rtmp_player_get_type ())
G_DECLARE_FINAL_TYPE (CbRtmpPlayer, cb_rtmp_player, CB, RTMP_PLAYER, GObject)

/* The player lives on the GMainContext that is thread-default when it is created. Signals,
 * all emitted there:
 *   "started" ()                                — NetStream.Play.Start
 *   "media" (guint type_id, guint timestamp, GBytes *payload)
 *                                                 — audio (8), video (9) and data (18)
 *                                                   tag bodies; aggregates are split
 *   "closed" (const GError *reason)             — once; NULL reason after
 *                                                 cb_rtmp_player_close(). The server's
 *                                                 refusals are CB_RTMP_ERROR_REJECTED
 *                                                 with its code and description. */
CbRtmpPlayer *cb_rtmp_player_new        (const CbRtmpPlayerConfig *config);
/* TCP (TLS for rtmps), handshake, connect, createStream, play. */
void          cb_rtmp_player_start      (CbRtmpPlayer             *self);
guint64       cb_rtmp_player_get_bytes_received (CbRtmpPlayer     *self);
void          cb_rtmp_player_close      (CbRtmpPlayer             *self);

G_END_DECLS
