/* test-egress-demux.c — one UDP port, many viewers: by first byte, by address, by ufrag
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "cb-egress-demux.h"
#include "cb-egress-stun.h"

typedef struct {
  const char        *name;
  const guint8      *data;
  gsize              len;
  CbEgressPacketKind expected;
} ClassifyCase;

static const guint8 stun_hdr[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
static const guint8 stun_3[20] = { 0x03 };
static const guint8 dtls_hs[13] = { 22, 0xfe, 0xfd };
static const guint8 dtls_20[13] = { 20, 0xfe, 0xfd };
static const guint8 dtls_63[13] = { 63 };
static const guint8 rtp_video[12] = { 0x80, 96 };
static const guint8 rtp_marker[12] = { 0x80, 0x80 | 111 };
static const guint8 rtcp_rr[8] = { 0x81, 201, 0x00, 0x01 };
static const guint8 rtcp_psfb[12] = { 0x81, 206, 0x00, 0x02 };
static const guint8 rtp_191[12] = { 191, 96 };
static const guint8 zrtp_16[20] = { 16 };
static const guint8 turn_64[20] = { 64 };
static const guint8 b_127[20] = { 127 };
static const guint8 b_192[20] = { 192, 96 };

static const ClassifyCase classify_cases[] = {
  { "stun", stun_hdr, sizeof stun_hdr, CB_EGRESS_PACKET_STUN },
  { "stun-3", stun_3, sizeof stun_3, CB_EGRESS_PACKET_STUN },
  { "stun-short", stun_hdr, 19, CB_EGRESS_PACKET_UNKNOWN },
  { "dtls-handshake", dtls_hs, sizeof dtls_hs, CB_EGRESS_PACKET_DTLS },
  { "dtls-20", dtls_20, sizeof dtls_20, CB_EGRESS_PACKET_DTLS },
  { "dtls-63", dtls_63, sizeof dtls_63, CB_EGRESS_PACKET_DTLS },
  { "dtls-short", dtls_hs, 12, CB_EGRESS_PACKET_UNKNOWN },
  { "rtp", rtp_video, sizeof rtp_video, CB_EGRESS_PACKET_RTP },
  { "rtp-marker", rtp_marker, sizeof rtp_marker, CB_EGRESS_PACKET_RTP },
  { "rtp-191", rtp_191, sizeof rtp_191, CB_EGRESS_PACKET_RTP },
  { "rtp-short", rtp_video, 11, CB_EGRESS_PACKET_UNKNOWN },
  { "rtcp-rr", rtcp_rr, sizeof rtcp_rr, CB_EGRESS_PACKET_RTCP },
  { "rtcp-psfb", rtcp_psfb, sizeof rtcp_psfb, CB_EGRESS_PACKET_RTCP },
  { "rtcp-short", rtcp_rr, 7, CB_EGRESS_PACKET_UNKNOWN },
  { "zrtp-16", zrtp_16, sizeof zrtp_16, CB_EGRESS_PACKET_UNKNOWN },
  { "turn-channel-64", turn_64, sizeof turn_64, CB_EGRESS_PACKET_UNKNOWN },
  { "byte-127", b_127, sizeof b_127, CB_EGRESS_PACKET_UNKNOWN },
  { "byte-192", b_192, sizeof b_192, CB_EGRESS_PACKET_UNKNOWN },
  { "empty", stun_hdr, 0, CB_EGRESS_PACKET_UNKNOWN },
};

static void
test_classify (gconstpointer data)
{
  const ClassifyCase *c = data;

  g_assert_cmpstr (cb_egress_packet_kind_to_string (cb_egress_packet_classify (c->data, c->len)),
                   ==, cb_egress_packet_kind_to_string (c->expected));
}

static struct sockaddr_in
addr4 (const char *ip,
       guint16     port)
{
  struct sockaddr_in sin = { 0 };

  sin.sin_family = AF_INET;
  sin.sin_port = htons (port);
  inet_pton (AF_INET, ip, &sin.sin_addr);
  return sin;
}

static gsize
check_from (const char *viewer_ufrag,
            const char *server_ufrag,
            guint8     *buf,
            gsize       size)
{
  g_autoptr(CbEgressStunClient) client = cb_egress_stun_client_new (viewer_ufrag, server_ufrag,
                                                                    "pwd-of-the-server-side");

  return cb_egress_stun_client_build_request (client, buf, size, TRUE);
}

/* Two viewers, A and B; rows are datagrams in order, some binding an address. */
typedef struct {
  const char *what;
  const char *ip;
  guint16     port;
  const char *stun_ufrag;   /* a check to this server ufrag, else an RTCP datagram */
  char        expected;     /* 'A', 'B' or 0 for dropped */
  gboolean    by_address;
  char        bind;         /* the caller binds the address to this viewer after */
} LookupRow;

static const LookupRow lookup_rows[] = {
  { "rtcp before any check", "127.0.0.2", 5000, NULL, 0, FALSE, 0 },
  { "first check of A", "127.0.0.2", 5000, "ufA", 'A', FALSE, 'A' },
  { "rtcp of A", "127.0.0.2", 5000, NULL, 'A', TRUE, 0 },
  { "check of B from its own port", "127.0.0.2", 5001, "ufB", 'B', FALSE, 'B' },
  { "rtcp of B", "127.0.0.2", 5001, NULL, 'B', TRUE, 0 },
  { "unknown ufrag", "127.0.0.3", 6000, "ufC", 0, FALSE, 0 },
  { "rtcp from same IP other port", "127.0.0.2", 5002, NULL, 0, FALSE, 0 },
  { "A moves (new port, check)", "127.0.0.2", 5003, "ufA", 'A', FALSE, 'A' },
  { "rtcp of A from new port", "127.0.0.2", 5003, NULL, 'A', TRUE, 0 },
  { "old port of A still bound", "127.0.0.2", 5000, NULL, 'A', TRUE, 0 },
  { "bound address wins over ufrag", "127.0.0.2", 5001, "ufA", 'B', TRUE, 0 },
};

static void
test_lookup_table (void)
{
  g_autoptr(CbEgressDemux) demux = cb_egress_demux_new ();
  int viewer_a = 'A', viewer_b = 'B';
  static const guint8 rtcp[8] = { 0x81, 201, 0x00, 0x01, 1, 2, 3, 4 };

  cb_egress_demux_add_viewer (demux, "ufA", &viewer_a);
  cb_egress_demux_add_viewer (demux, "ufB", &viewer_b);

  for (gsize i = 0; i < G_N_ELEMENTS (lookup_rows); i++)
    {
      const LookupRow *r = &lookup_rows[i];
      struct sockaddr_in from = addr4 (r->ip, r->port);
      guint8 buf[512];
      const guint8 *data = rtcp;
      gsize len = sizeof rtcp;
      CbEgressPacketKind kind;
      gboolean by_address;
      int *viewer;

      if (r->stun_ufrag != NULL)
        {
          len = check_from ("browser", r->stun_ufrag, buf, sizeof buf);
          data = buf;
        }
      viewer = cb_egress_demux_lookup (demux, (struct sockaddr *) &from, sizeof from,
                                       data, len, &kind, &by_address);
      g_test_message ("row %zu: %s", i, r->what);
      g_assert_cmpint (kind, ==, r->stun_ufrag ? CB_EGRESS_PACKET_STUN : CB_EGRESS_PACKET_RTCP);
      g_assert_cmpint (viewer ? *viewer : 0, ==, r->expected);
      if (viewer != NULL)
        g_assert_cmpint (by_address, ==, r->by_address);
      if (r->bind)
        g_assert_true (cb_egress_demux_bind_address (demux, (struct sockaddr *) &from,
                                                     sizeof from,
                                                     r->bind == 'A' ? &viewer_a : &viewer_b));
    }
  g_assert_cmpuint (cb_egress_demux_get_n_addresses (demux), ==, 3);

  /* Removing A forgets its ufrag and both its addresses; B stays. */
  cb_egress_demux_remove_viewer (demux, &viewer_a);
  g_assert_cmpuint (cb_egress_demux_get_n_addresses (demux), ==, 1);
  {
    struct sockaddr_in a_old = addr4 ("127.0.0.2", 5000), b = addr4 ("127.0.0.2", 5001);
    guint8 buf[512];
    gsize len = check_from ("browser", "ufA", buf, sizeof buf);

    g_assert_null (cb_egress_demux_lookup (demux, (struct sockaddr *) &a_old, sizeof a_old,
                                           rtcp, sizeof rtcp, NULL, NULL));
    g_assert_null (cb_egress_demux_lookup (demux, (struct sockaddr *) &a_old, sizeof a_old,
                                           buf, len, NULL, NULL));
    g_assert_true (cb_egress_demux_lookup (demux, (struct sockaddr *) &b, sizeof b,
                                           rtcp, sizeof rtcp, NULL, NULL) == &viewer_b);
    /* Binding to a removed viewer is refused. */
    g_assert_false (cb_egress_demux_bind_address (demux, (struct sockaddr *) &a_old,
                                                  sizeof a_old, &viewer_a));
  }
}

static void
test_ipv6_and_families (void)
{
  g_autoptr(CbEgressDemux) demux = cb_egress_demux_new ();
  int viewer = 1;
  struct sockaddr_in6 a = { 0 }, b;
  struct sockaddr_un_like { sa_family_t family; char path[20]; } unix_addr = { AF_UNIX, "x" };
  static const guint8 rtcp[8] = { 0x81, 201, 0x00, 0x01 };

  a.sin6_family = AF_INET6;
  a.sin6_port = htons (7000);
  inet_pton (AF_INET6, "::1", &a.sin6_addr);
  cb_egress_demux_add_viewer (demux, "uf", &viewer);
  g_assert_true (cb_egress_demux_bind_address (demux, (struct sockaddr *) &a, sizeof a, &viewer));
  /* Flow info differs from datagram to datagram on some stacks: not part of the tuple. */
  b = a;
  b.sin6_flowinfo = htonl (0x12345);
  g_assert_true (cb_egress_demux_lookup (demux, (struct sockaddr *) &b, sizeof b, rtcp,
                                         sizeof rtcp, NULL, NULL) == &viewer);
  b.sin6_port = htons (7001);
  g_assert_null (cb_egress_demux_lookup (demux, (struct sockaddr *) &b, sizeof b, rtcp,
                                         sizeof rtcp, NULL, NULL));
  g_assert_false (cb_egress_demux_bind_address (demux, (struct sockaddr *) &unix_addr,
                                                sizeof unix_addr, &viewer));
  /* A short sockaddr is not read past its end. */
  g_assert_false (cb_egress_demux_bind_address (demux, (struct sockaddr *) &a, 8, &viewer));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/egress/demux/classify/%s",
                                               classify_cases[i].name);

      g_test_add_data_func (path, &classify_cases[i], test_classify);
    }
  g_test_add_func ("/cb/egress/demux/lookup", test_lookup_table);
  g_test_add_func ("/cb/egress/demux/ipv6-and-families", test_ipv6_and_families);
  return g_test_run ();
}
