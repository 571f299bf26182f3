/* fuzz-egress-dtls.c — the DTLS record header reader, and a fresh server association fed
 * the datagram
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-egress-dtls.h"
#include "cb-egress-error.h"
#include "fuzz-common.h"

static void
on_send (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  gsize *total = user_data;

  FUZZ_CHECK (len > 0 && len <= 1200);
  *total += len;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  CbEgressDtlsRecord record;
  gsize offset = 0, sum = 0, sent = 0;
  guint n = 0;

  while (cb_egress_dtls_record_next (data, size, &offset, &record))
    {
      FUZZ_CHECK (record.fragment >= data + 13 && record.fragment + record.fragment_len <= data + size);
      FUZZ_CHECK (record.content_type >= 20 && record.content_type <= 63);
      FUZZ_CHECK (record.sequence < (G_GUINT64_CONSTANT (1) << 48));
      sum += 13 + record.fragment_len;
      FUZZ_CHECK (offset == sum);
      n++;
    }
  FUZZ_CHECK (offset <= size);
  if (cb_egress_dtls_is_client_hello (data, size))
    FUZZ_CHECK (n >= 1);
  /* What may reach OpenSSL is whole records. */
  if (cb_egress_dtls_datagram_is_plausible (data, size))
    FUZZ_CHECK (n >= 1 && offset == size);

  /* One datagram can never complete a handshake (a close_notify alert can end one). */
  {
    g_autoptr(GError) error = NULL;
    CbEgressCertificate *cert = cb_egress_certificate_get_default (&error);
    g_autoptr(CbEgressDtls) dtls = NULL;
    CbEgressDtlsState state;

    FUZZ_CHECK (cert != NULL);
    dtls = cb_egress_dtls_new (cert, on_send, &sent, &error);
    FUZZ_CHECK (dtls != NULL);
    state = cb_egress_dtls_handle_datagram (dtls, data, size, &error);
    FUZZ_CHECK (state != CB_EGRESS_DTLS_CONNECTED);
    if (state == CB_EGRESS_DTLS_FAILED)
      FUZZ_CHECK_ERROR_IN (error, CB_EGRESS_ERROR);
    else
      FUZZ_CHECK (error == NULL);
  }
  return 0;
}
