/* cb-egress-demux.h — who a datagram on the shared egress port is from, and what it is
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gnetworking.h>   /* struct sockaddr on Unix and Windows */

G_BEGIN_DECLS

/* RFC 7983 §7: the first byte tells the protocols of one port apart. */
typedef enum {
  CB_EGRESS_PACKET_UNKNOWN,
  CB_EGRESS_PACKET_STUN,   /* 0–3 */
  CB_EGRESS_PACKET_DTLS,   /* 20–63 */
  CB_EGRESS_PACKET_RTP,    /* 128–191, RTP payload type */
  CB_EGRESS_PACKET_RTCP,   /* 128–191, RTCP packet type 192–223 (RFC 5761 §4) */
} CbEgressPacketKind;

CbEgressPacketKind  cb_egress_packet_classify  (const guint8 *data,
                                                gsize         len);
const char         *cb_egress_packet_kind_to_string (CbEgressPacketKind kind);

/**
 * CbEgressDemux:
 *
 * Maps a remote address (the 5-tuple less our one local socket and UDP) to its viewer,
 * and for addresses not yet known, the ufrag in a STUN USERNAME to its viewer. The viewer
 * is an opaque pointer owned by the caller. Owned by the egress thread; not locked.
 */
typedef struct _CbEgressDemux CbEgressDemux;

CbEgressDemux *cb_egress_demux_new            (void);
void           cb_egress_demux_free           (CbEgressDemux *demux);

void           cb_egress_demux_add_viewer     (CbEgressDemux *demux,
                                               const char    *local_ufrag,
                                               gpointer       viewer);
/* Forgets the viewer's ufrag and every address bound to it. */
void           cb_egress_demux_remove_viewer  (CbEgressDemux *demux,
                                               gpointer       viewer);
/**
 * cb_egress_demux_bind_address:
 *
 * Routes datagrams from @addr to @viewer: call it once a STUN check from @addr passed the
 * viewer's integrity check, never before (else anyone who knows a ufrag could steal it).
 * An address moves to the viewer that last proved it. Returns: %FALSE for an unknown
 * viewer or an address family other than IPv4/IPv6.
 */
gboolean       cb_egress_demux_bind_address   (CbEgressDemux         *demux,
                                               const struct sockaddr *addr,
                                               socklen_t              addr_len,
                                               gpointer               viewer);
guint          cb_egress_demux_get_n_addresses (CbEgressDemux *demux);

/**
 * cb_egress_demux_lookup:
 * @kind: (out) (optional): what the datagram is
 * @by_address: (out) (optional): %TRUE when found by a bound address, %FALSE when found
 *   by ufrag only (then the caller must check the STUN request before binding)
 *
 * Returns: (nullable): the viewer, or %NULL: drop the datagram.
 */
gpointer       cb_egress_demux_lookup         (CbEgressDemux         *demux,
                                               const struct sockaddr *from,
                                               socklen_t              from_len,
                                               const guint8          *data,
                                               gsize                  len,
                                               CbEgressPacketKind    *kind,
                                               gboolean              *by_address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbEgressDemux, cb_egress_demux_free)

G_END_DECLS
