/* cb-egress-demux.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cb-egress-demux.h"
#include "cb-egress-stun.h"

#include <gio/gnetworking.h>
#include <string.h>

CbEgressPacketKind
cb_egress_packet_classify (const guint8 *data,
                           gsize         len)
{
  guint8 b;

  if (len == 0)
    return CB_EGRESS_PACKET_UNKNOWN;
  b = data[0];
  if (b <= 3)
    return len >= 20 ? CB_EGRESS_PACKET_STUN : CB_EGRESS_PACKET_UNKNOWN;
  if (b >= 20 && b <= 63)
    return len >= 13 ? CB_EGRESS_PACKET_DTLS : CB_EGRESS_PACKET_UNKNOWN;
  if (b >= 128 && b <= 191)
    {
      if (len < 8)
        return CB_EGRESS_PACKET_UNKNOWN;
      /* RTCP packet types 192–223 are RTP payload types 64–95 with the marker set; those
       * payload types are not used for RTP by any peer (RFC 5761 §4). */
      if (data[1] >= 192 && data[1] <= 223)
        return CB_EGRESS_PACKET_RTCP;
      return len >= 12 ? CB_EGRESS_PACKET_RTP : CB_EGRESS_PACKET_UNKNOWN;
    }
  return CB_EGRESS_PACKET_UNKNOWN;
}

const char *
cb_egress_packet_kind_to_string (CbEgressPacketKind kind)
{
  switch (kind)
    {
    case CB_EGRESS_PACKET_STUN: return "STUN";
    case CB_EGRESS_PACKET_DTLS: return "DTLS";
    case CB_EGRESS_PACKET_RTP: return "RTP";
    case CB_EGRESS_PACKET_RTCP: return "RTCP";
    case CB_EGRESS_PACKET_UNKNOWN:
    default: return "unknown";
    }
}

/* A remote address as a fixed-size key: a sockaddr has padding and, for IPv6, flow info
 * that must not make two datagrams of one peer look different. */
typedef struct {
  guint16 family;
  guint16 port;
  guint32 scope_id;
  guint8  addr[16];
} AddrKey;

static gboolean
addr_key_init (AddrKey               *key,
               const struct sockaddr *sa,
               socklen_t              len)
{
  memset (key, 0, sizeof *key);
  if (sa->sa_family == AF_INET && len >= (socklen_t) sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

      key->family = AF_INET;
      key->port = in->sin_port;
      memcpy (key->addr, &in->sin_addr, 4);
      return TRUE;
    }
  if (sa->sa_family == AF_INET6 && len >= (socklen_t) sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

      key->family = AF_INET6;
      key->port = in6->sin6_port;
      key->scope_id = in6->sin6_scope_id;
      memcpy (key->addr, &in6->sin6_addr, 16);
      return TRUE;
    }
  return FALSE;
}

static guint
addr_key_hash (gconstpointer p)
{
  const guint8 *b = p;
  guint h = 2166136261u;   /* FNV-1a */

  for (gsize i = 0; i < sizeof (AddrKey); i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

static gboolean
addr_key_equal (gconstpointer a,
                gconstpointer b)
{
  return memcmp (a, b, sizeof (AddrKey)) == 0;
}

struct _CbEgressDemux {
  GHashTable *by_addr;   /* AddrKey* (owned) → viewer */
  GHashTable *by_ufrag;  /* char* (owned) → viewer */
};

CbEgressDemux *
cb_egress_demux_new (void)
{
  CbEgressDemux *demux = g_new0 (CbEgressDemux, 1);

  demux->by_addr = g_hash_table_new_full (addr_key_hash, addr_key_equal, g_free, NULL);
  demux->by_ufrag = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return demux;
}

void
cb_egress_demux_free (CbEgressDemux *demux)
{
  if (demux == NULL)
    return;
  g_hash_table_unref (demux->by_addr);
  g_hash_table_unref (demux->by_ufrag);
  g_free (demux);
}

void
cb_egress_demux_add_viewer (CbEgressDemux *demux,
                            const char    *local_ufrag,
                            gpointer       viewer)
{
  g_return_if_fail (demux != NULL && local_ufrag != NULL && viewer != NULL);

  g_hash_table_replace (demux->by_ufrag, g_strdup (local_ufrag), viewer);
}

static gboolean
is_viewer (gpointer key,
           gpointer value,
           gpointer user_data)
{
  return value == user_data;
}

void
cb_egress_demux_remove_viewer (CbEgressDemux *demux,
                               gpointer       viewer)
{
  g_return_if_fail (demux != NULL);

  g_hash_table_foreach_remove (demux->by_ufrag, is_viewer, viewer);
  g_hash_table_foreach_remove (demux->by_addr, is_viewer, viewer);
}

static gboolean
has_viewer (CbEgressDemux *demux,
            gpointer       viewer)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, demux->by_ufrag);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == viewer)
      return TRUE;
  return FALSE;
}

gboolean
cb_egress_demux_bind_address (CbEgressDemux         *demux,
                              const struct sockaddr *addr,
                              socklen_t              addr_len,
                              gpointer               viewer)
{
  AddrKey key;

  g_return_val_if_fail (demux != NULL && addr != NULL && viewer != NULL, FALSE);

  if (!addr_key_init (&key, addr, addr_len) || !has_viewer (demux, viewer))
    return FALSE;
  g_hash_table_replace (demux->by_addr, g_memdup2 (&key, sizeof key), viewer);
  return TRUE;
}

guint
cb_egress_demux_get_n_addresses (CbEgressDemux *demux)
{
  g_return_val_if_fail (demux != NULL, 0);

  return g_hash_table_size (demux->by_addr);
}

gpointer
cb_egress_demux_lookup (CbEgressDemux         *demux,
                        const struct sockaddr *from,
                        socklen_t              from_len,
                        const guint8          *data,
                        gsize                  len,
                        CbEgressPacketKind    *kind,
                        gboolean              *by_address)
{
  CbEgressPacketKind k;
  AddrKey key;
  gpointer viewer;
  char ufrag[257];

  g_return_val_if_fail (demux != NULL && from != NULL, NULL);

  k = cb_egress_packet_classify (data, len);
  if (kind != NULL)
    *kind = k;
  if (by_address != NULL)
    *by_address = FALSE;
  if (k == CB_EGRESS_PACKET_UNKNOWN || !addr_key_init (&key, from, from_len))
    return NULL;

  viewer = g_hash_table_lookup (demux->by_addr, &key);
  if (viewer != NULL)
    {
      if (by_address != NULL)
        *by_address = TRUE;
      return viewer;
    }
  /* Only a check can introduce a new address (RFC 8445 §7.3: a peer-reflexive one, or
   * the browser's first check). */
  if (k != CB_EGRESS_PACKET_STUN ||
      !cb_egress_stun_peek_local_ufrag (data, len, ufrag, sizeof ufrag))
    return NULL;
  return g_hash_table_lookup (demux->by_ufrag, ufrag);
}
