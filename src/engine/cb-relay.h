/* cb-relay.h — relay streams to and from other servers over WebRTC (WCS /pull/push,
 * /pull/pull)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

typedef struct {
  char *local_media_session_id;
  char *remote_media_session_id;
  char *local_stream_name;
  char *remote_stream_name;
  char *uri;        /* as the request gave it, through cb_redact_url() */
  char *status;     /* PENDING, PUBLISHING (push) or PLAYING (pull), FAILED, UNPUBLISHED
                     * (push) or STOPPED (pull) */
  char *info;       /* why it failed, or NULL */
  gboolean pull;    /* from the other server (/pull/pull), else to it (/pull/push) */
} CbRelayInfo;

void       cb_relay_info_free          (CbRelayInfo  *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRelayInfo, cb_relay_info_free)

/* Publishes local stream @local_name to @uri (ws:// WCS or another Castbridge, or an
 * http(s):// WHIP endpoint) as @remote_name. Errors: _NOT_FOUND (no such local stream),
 * _INVALID (bad URI), _EXISTS (already relayed there under that name). */
CbRelayInfo *cb_engine_relay_push      (CbEngine     *self,
                                        const char   *uri,
                                        const char   *local_name,
                                        const char   *remote_name,
                                        GError      **error);
/* Plays @remote_name from @uri (ws:// WCS or another Castbridge, or an http(s):// WHEP
 * endpoint URL) into the local stream @local_name (by default the remote name). Errors:
 * _EXISTS (the local name is in use, or the same pull runs), _INVALID (bad URI or name). */
CbRelayInfo *cb_engine_relay_pull      (CbEngine     *self,
                                        const char   *uri,
                                        const char   *local_name,
                                        const char   *remote_name,
                                        GError      **error);
/* (element-type CbRelayInfo) */
GPtrArray  *cb_engine_list_relays      (CbEngine     *self);
/* Stops the relays matching the non-NULL arguments; _NOT_FOUND when none does. */
gboolean    cb_engine_relay_terminate  (CbEngine     *self,
                                        const char   *uri,
                                        const char   *local_name,
                                        const char   *remote_name,
                                        GError      **error);
void        cb_engine_stop_all_relays  (CbEngine     *self);

G_END_DECLS
