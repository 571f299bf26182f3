/* cb-rtmp-handshake.h — the simple RTMP handshake as a byte-in, byte-out state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

#define CB_RTMP_HANDSHAKE_VERSION     3
#define CB_RTMP_HANDSHAKE_BLOCK_SIZE  1536

typedef enum {
  CB_RTMP_HANDSHAKE_CLIENT,
  CB_RTMP_HANDSHAKE_SERVER,
} CbRtmpHandshakeRole;

typedef struct _CbRtmpHandshake CbRtmpHandshake;

CbRtmpHandshake *cb_rtmp_handshake_new             (CbRtmpHandshakeRole  role);
CbRtmpHandshake *cb_rtmp_handshake_new_full        (CbRtmpHandshakeRole  role,
                                                    guint32              epoch,
                                                    guint32              random_seed);
void             cb_rtmp_handshake_free            (CbRtmpHandshake     *handshake);
gboolean         cb_rtmp_handshake_feed            (CbRtmpHandshake     *handshake,
                                                    const guint8        *data,
                                                    gsize                len,
                                                    gsize               *consumed,
                                                    GError             **error);
GBytes          *cb_rtmp_handshake_take_output     (CbRtmpHandshake     *handshake);
gboolean         cb_rtmp_handshake_is_done         (CbRtmpHandshake     *handshake);
guint32          cb_rtmp_handshake_get_peer_version (CbRtmpHandshake    *handshake);
guint32          cb_rtmp_handshake_get_peer_epoch  (CbRtmpHandshake     *handshake);
gboolean         cb_rtmp_handshake_get_peer_echo_ok (CbRtmpHandshake    *handshake);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpHandshake, cb_rtmp_handshake_free)

G_END_DECLS
