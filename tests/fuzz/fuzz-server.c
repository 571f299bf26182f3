/* fuzz-server.c — the RTMP server session fed with arbitrary bytes after a valid handshake
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one control byte (bit 0: answer publish/play with a handle or refuse; bit 1:
 * refuse connect; the rest: piece size), then the bytes a client sends after C0+C1+C2.
 * The session must never crash, must report every failure as a CB_RTMP_ERROR, must stop
 * taking input once it failed, and must end every handle it handed out exactly once.
 */
#include <string.h>

#include "cb-rtmp-handshake.h"
#include "cb-rtmp-server.h"
#include "fuzz-common.h"

typedef struct {
  gboolean refuse;
  gboolean refuse_connect;
  guint    started;
  guint    ended;
} State;

static gboolean
on_connect (gpointer data, CbRtmpServerSession *s, const CbRtmpConnectInfo *info, GError **error)
{
  State *st = data;

  FUZZ_CHECK (info->app != NULL);
  if (st->refuse_connect)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "no");
      return FALSE;
    }
  return TRUE;
}

static gpointer
on_start (gpointer data, CbRtmpServerSession *s, guint32 id, const char *name, const char *query,
          GError **error)
{
  State *st = data;

  FUZZ_CHECK (name != NULL && strchr (name, '?') == NULL);
  if (st->refuse)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, (id & 1) ? CB_RTMP_ERROR_REJECTED
                                                          : CB_RTMP_ERROR_FAILED, "no");
      return NULL;
    }
  return GUINT_TO_POINTER (++st->started);
}

static void
on_media (gpointer data, gpointer handle, guint8 type, guint32 ts, GBytes *payload)
{
  State *st = data;

  FUZZ_CHECK (GPOINTER_TO_UINT (handle) >= 1 && GPOINTER_TO_UINT (handle) <= st->started);
  FUZZ_CHECK (type == 8 || type == 9 || type == 18);
  FUZZ_CHECK (payload != NULL);
}

static void
on_end (gpointer data, gpointer handle, const char *reason)
{
  State *st = data;

  FUZZ_CHECK (reason != NULL);
  st->ended++;
  FUZZ_CHECK (st->ended <= st->started);
}

static const CbRtmpServerHandler handler = { on_connect, on_start, on_start, on_media, on_end };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CbRtmpHandshake) client = NULL;
  g_autoptr(GBytes) c0c1 = NULL;
  g_autoptr(GBytes) s012 = NULL;
  g_autoptr(GBytes) c2 = NULL;
  CbRtmpServerSession *session;
  State st = { 0 };
  gsize step, consumed;
  gboolean failed = FALSE;

  if (size < 1)
    return 0;
  st.refuse = data[0] & 1;
  st.refuse_connect = (data[0] >> 1) & 1;
  step = ((gsize) (data[0] >> 2) + 1) * 29;
  data++;
  size--;

  session = cb_rtmp_server_session_new (&handler, &st, "fuzz");
  client = cb_rtmp_handshake_new_full (CB_RTMP_HANDSHAKE_CLIENT, 1, 2);
  c0c1 = cb_rtmp_handshake_take_output (client);
  FUZZ_CHECK (cb_rtmp_server_session_feed (session, g_bytes_get_data (c0c1, NULL),
                                           g_bytes_get_size (c0c1), NULL));
  s012 = cb_rtmp_server_session_take_output (session);
  FUZZ_CHECK (cb_rtmp_handshake_feed (client, g_bytes_get_data (s012, NULL),
                                      g_bytes_get_size (s012), &consumed, NULL));
  FUZZ_CHECK (cb_rtmp_handshake_is_done (client));
  c2 = cb_rtmp_handshake_take_output (client);
  FUZZ_CHECK (cb_rtmp_server_session_feed (session, g_bytes_get_data (c2, NULL),
                                           g_bytes_get_size (c2), NULL));

  for (gsize off = 0; off < size && !failed; off += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      gsize n = MIN (step, size - off);

      if (!cb_rtmp_server_session_feed (session, data + off, n, &error))
        {
          FUZZ_CHECK_ERROR (error);
          failed = TRUE;
        }
      out = cb_rtmp_server_session_take_output (session);
      FUZZ_CHECK (cb_rtmp_server_session_get_queued_bytes (session) == 0);
    }

  cb_rtmp_server_session_free (session);
  FUZZ_CHECK (st.ended == st.started);
  return 0;
}
