/* fuzz-egress-stun.c — the ICE-lite responder and the demux's ufrag peek on any datagram
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The corpus seeds carry valid integrity for these credentials (make-egress-corpus.py),
 * so that mutations reach the reply builder and not only the checks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "cb-egress-demux.h"
#include "cb-egress-stun.h"
#include "fuzz-common.h"

#define LOCAL_UFRAG "srvU"
#define LOCAL_PWD "server-password-of-22+chars"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const CbEgressIceCredentials creds = { LOCAL_UFRAG, LOCAL_PWD, NULL };
  struct sockaddr_in from = { 0 };
  guint8 reply[CB_EGRESS_STUN_REPLY_MAX];
  gsize reply_len = 1;
  CbEgressStunRequestInfo info;
  CbEgressStunResult result;
  char ufrag[64];
  gboolean peeked;

  from.sin_family = AF_INET;
  from.sin_port = htons (50000);
  from.sin_addr.s_addr = htonl (INADDR_LOOPBACK);

  result = cb_egress_stun_handle_request (data, size, &creds, (struct sockaddr *) &from,
                                          sizeof from, reply, &reply_len, &info);
  FUZZ_CHECK (cb_egress_stun_result_to_string (result) != NULL);
  FUZZ_CHECK (reply_len <= sizeof reply);
  peeked = cb_egress_stun_peek_local_ufrag (data, size, ufrag, sizeof ufrag);
  if (peeked)
    FUZZ_CHECK (strlen (ufrag) > 0 && strlen (ufrag) < sizeof ufrag);
  if (result == CB_EGRESS_STUN_OK)
    {
      /* Only a check that names us is answered, and the answer is STUN itself. */
      FUZZ_CHECK (peeked && strcmp (ufrag, LOCAL_UFRAG) == 0);
      FUZZ_CHECK (reply_len >= 20);
      FUZZ_CHECK (cb_egress_packet_classify (reply, reply_len) == CB_EGRESS_PACKET_STUN);
      /* The reply is no request: fed back, it is never answered (no loops). */
      {
        guint8 again[CB_EGRESS_STUN_REPLY_MAX];
        gsize again_len = 1;

        FUZZ_CHECK (cb_egress_stun_handle_request (reply, reply_len, &creds,
                                                   (struct sockaddr *) &from, sizeof from,
                                                   again, &again_len, NULL) !=
                    CB_EGRESS_STUN_OK);
      }
    }
  else if (result != CB_EGRESS_STUN_ROLE_CONFLICT)
    FUZZ_CHECK (reply_len == 0);

  /* The demux on the same datagram: a viewer by ufrag only when it is a STUN message. */
  {
    g_autoptr(CbEgressDemux) demux = cb_egress_demux_new ();
    int viewer = 1;
    CbEgressPacketKind kind;
    gboolean by_address;
    gpointer found;

    cb_egress_demux_add_viewer (demux, LOCAL_UFRAG, &viewer);
    found = cb_egress_demux_lookup (demux, (struct sockaddr *) &from, sizeof from, data, size,
                                    &kind, &by_address);
    FUZZ_CHECK (found == NULL || (found == &viewer && kind == CB_EGRESS_PACKET_STUN &&
                                  !by_address));
  }
  return 0;
}
