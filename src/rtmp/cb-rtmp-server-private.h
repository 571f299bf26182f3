/* cb-rtmp-server-private.h — what the listener reaches inside a server session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-rtmp-server.h"
#include "cb-rtmp-session.h"

G_BEGIN_DECLS

/* The session core, for the listener's gathered writes and timeouts. */
CbRtmpSession *cb_rtmp_server_session_get_core (CbRtmpServerSession *session);

G_END_DECLS
