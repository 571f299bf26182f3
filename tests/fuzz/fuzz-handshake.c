/* fuzz-handshake.c — handshake state machines, and the session core that runs them for
 * both sides, fed with arbitrary peer bytes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one control byte (bit 0: client or server; the rest: piece size), then the bytes
 * the peer sends. The handshake alone must consume exactly C0+C1+C2 (or S0+S1+S2); the
 * session core of the same role, fed the same pieces, must go on into the chunk stream
 * after it, report failures as CB_RTMP_ERROR, and account for every byte it queues.
 */
#include "cb-rtmp-session.h"
#include "fuzz-common.h"

typedef struct {
  CbRtmpSession *core;
  guint          handshakes;
  guint          messages;
  gsize          notified_bytes;
} CoreState;

static gboolean
on_core_handshake_done (gpointer   data,
                        GError   **error)
{
  CoreState *st = data;

  st->handshakes++;
  FUZZ_CHECK (st->handshakes == 1);
  FUZZ_CHECK (cb_rtmp_session_is_handshake_done (st->core));
  return TRUE;
}

static gboolean
on_core_message (gpointer        data,
                 CbRtmpMessage  *message,
                 GError        **error)
{
  CoreState *st = data;

  FUZZ_CHECK (st->handshakes == 1);
  FUZZ_CHECK (message->csid >= 2 && message->csid <= CB_RTMP_CSID_MAX);
  /* The core answers these itself. */
  FUZZ_CHECK (message->type_id != CB_RTMP_MSG_WINDOW_ACK_SIZE);
  st->messages++;
  return TRUE;
}

static void
on_core_output (gpointer data)
{
  CoreState *st = data;

  FUZZ_CHECK (cb_rtmp_session_get_queued_bytes (st->core) > 0);
  st->notified_bytes = cb_rtmp_session_get_queued_bytes (st->core);
}

static const CbRtmpSessionFuncs core_funcs = {
  on_core_handshake_done, on_core_message, on_core_output,
};

static void
fuzz_core (CbRtmpHandshakeRole  role,
           gsize                step,
           const uint8_t       *data,
           size_t               size)
{
  CoreState st = { 0 };
  gsize sent = 0;

  st.core = cb_rtmp_session_new (cb_rtmp_handshake_new_full (role, 1, 2), 4096, &core_funcs, &st);
  for (gsize off = 0; off < size; off += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      gsize n = MIN (step, size - off), queued;
      gboolean ok = cb_rtmp_session_feed (st.core, data + off, n, &error);

      FUZZ_CHECK (cb_rtmp_session_get_bytes_received (st.core) == off + n);
      queued = cb_rtmp_session_get_queued_bytes (st.core);
      out = cb_rtmp_session_take_output (st.core);
      FUZZ_CHECK (g_bytes_get_size (out) == queued);
      FUZZ_CHECK (cb_rtmp_session_get_queued_bytes (st.core) == 0);
      sent += queued;
      FUZZ_CHECK (cb_rtmp_session_get_bytes_sent (st.core) == sent);
      if (!ok)
        {
          FUZZ_CHECK_ERROR (error);
          break;
        }
    }
  FUZZ_CHECK (st.handshakes == (cb_rtmp_session_is_handshake_done (st.core) ? 1 : 0));
  cb_rtmp_session_free (st.core);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CbRtmpHandshake) hs = NULL;
  CbRtmpHandshakeRole role;
  gsize step, sent = 0, total_consumed = 0;

  if (size < 1)
    return 0;
  role = (data[0] & 1) ? CB_RTMP_HANDSHAKE_SERVER : CB_RTMP_HANDSHAKE_CLIENT;
  step = ((gsize) (data[0] >> 1) + 1) * 13;
  hs = cb_rtmp_handshake_new_full (role, 1, 2);
  data++;
  size--;

  {
    g_autoptr(GBytes) first = cb_rtmp_handshake_take_output (hs);

    if (role == CB_RTMP_HANDSHAKE_CLIENT)
      FUZZ_CHECK (first != NULL && g_bytes_get_size (first) == 1 + CB_RTMP_HANDSHAKE_BLOCK_SIZE);
    else
      FUZZ_CHECK (first == NULL);
  }

  for (gsize off = 0; off < size; off += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      gsize n = MIN (step, size - off), consumed = 0;

      if (!cb_rtmp_handshake_feed (hs, data + off, n, &consumed, &error))
        {
          FUZZ_CHECK_ERROR (error);
          FUZZ_CHECK (!cb_rtmp_handshake_is_done (hs));
          break;
        }
      FUZZ_CHECK (consumed <= n);
      total_consumed += consumed;
      out = cb_rtmp_handshake_take_output (hs);
      if (out != NULL)
        sent += g_bytes_get_size (out);
      if (consumed < n)
        FUZZ_CHECK (cb_rtmp_handshake_is_done (hs));
    }

  fuzz_core (role, step, data, size);

  FUZZ_CHECK (total_consumed <= 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE);
  if (cb_rtmp_handshake_is_done (hs))
    {
      FUZZ_CHECK (total_consumed == 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE);
      FUZZ_CHECK (sent == (role == CB_RTMP_HANDSHAKE_SERVER ? 1 + 2 * CB_RTMP_HANDSHAKE_BLOCK_SIZE
                                                            : CB_RTMP_HANDSHAKE_BLOCK_SIZE));
    }
  return 0;
}
