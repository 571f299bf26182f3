/* cb-relay-list.h — the engine's relays (WebRTC push and pull, RTMP pull), whoever
 * started them (this studio or REST), as a GListModel of CbRelay
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-engine.h"
#include "cb-event-log.h"

G_BEGIN_DECLS

typedef enum {
  CB_RELAY_PUSH,       /* a local stream to another server (WCS/Castbridge WebSocket, WHIP) */
  CB_RELAY_PULL,       /* from another server over WebRTC (WCS/Castbridge WebSocket, WHEP) */
  CB_RELAY_RTMP_PULL,  /* from an RTMP server */
} CbRelayKind;

#define CB_TYPE_RELAY (cb_relay_get_type ())
G_DECLARE_FINAL_TYPE (CbRelay, cb_relay, CB, RELAY, GObject)

CbRelayKind  cb_relay_get_kind        (CbRelay *self);
/* Masked as the engine masks it (cb_redact_url()): never a password, token or key. */
const char  *cb_relay_get_uri         (CbRelay *self);
const char  *cb_relay_get_local_name  (CbRelay *self);
const char  *cb_relay_get_remote_name (CbRelay *self);
/* The engine's: PENDING, PUBLISHING, PLAYING, FAILED…; CONNECTING, WAITING for RTMP. */
const char  *cb_relay_get_status      (CbRelay *self);
/* The last reason (why it failed, the last error), or NULL. */
const char  *cb_relay_get_info        (CbRelay *self);
/* kbit/s, -1 when unknown. */
int          cb_relay_get_bitrate     (CbRelay *self);

#define CB_TYPE_RELAY_LIST (cb_relay_list_get_type ())
G_DECLARE_FINAL_TYPE (CbRelayList, cb_relay_list, CB, RELAY_LIST, GObject)

/* UI thread. Lists the engine's relays once a second; their changes go to @log
 * (nullable). */
CbRelayList *cb_relay_list_new        (CbEngine    *engine,
                                       CbEventLog  *log);
/* On the engine's thread; the list follows. Failures come as "operation-failed" (a
 * message for people). @remote_name NULL or "": a WHIP URL's last path element, else the
 * local name. */
void         cb_relay_list_push       (CbRelayList *self,
                                       const char  *uri,
                                       const char  *local_name,
                                       const char  *remote_name);
/* rtmp:// and rtmps:// pull over RTMP; ws(s):// and http(s):// (WHEP) over WebRTC.
 * @remote_name NULL or "": a WHEP URL's last path element. @local_name NULL or "": the
 * remote name. */
void         cb_relay_list_pull       (CbRelayList *self,
                                       const char  *uri,
                                       const char  *remote_name,
                                       const char  *local_name);
void         cb_relay_list_stop       (CbRelayList *self,
                                       CbRelay     *relay);
/* Ends the RTMP pull into @local_name (and its stream). */
void         cb_relay_list_stop_rtmp_pull (CbRelayList *self,
                                           const char  *local_name);
/* Lists again now (tests). */
void         cb_relay_list_refresh    (CbRelayList *self);

G_END_DECLS
