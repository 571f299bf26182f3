/* cb-rtmp-handshake.c — the simple RTMP handshake as a byte-in, byte-out state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both sides send version 3 and a 1536-byte block: time (4), zero (4), random (1528); each
 * side then echoes the other's block. Flash, FMLE and FFmpeg clients send a "complex" C1
 * (non-zero version at bytes 4..7 and an HMAC digest in the random part). We answer them
 * with the simple scheme, as nginx-rtmp does for publishing: an S1 whose version field is
 * zero tells FFmpeg to skip digest validation (it only checks when the byte at 4 is >= 3),
 * and FMLE/OBS (librtmp) accept a plain echo. Digest validation is only needed by old Flash
 * players fetching H.264 from a server, which Castbridge does not serve.
 */
#include "cb-rtmp-handshake.h"
#include "cb-rtmp-bytes-private.h"

#include <string.h>

#define BLOCK CB_RTMP_HANDSHAKE_BLOCK_SIZE

typedef enum {
  STATE_WAIT_PEER_BLOCK,   /* client: S0+S1; server: C0+C1 */
  STATE_WAIT_PEER_ECHO,    /* client: S2; server: C2 */
  STATE_DONE,
} State;

struct _CbRtmpHandshake {
  CbRtmpHandshakeRole role;
  State               state;
  guint8              own[BLOCK];     /* our C1 or S1 */
  guint8              in[1 + BLOCK];  /* what we collect of the peer's next item */
  gsize               in_len;
  GByteArray         *out;
  guint32             peer_version;
  guint32             peer_epoch;
  gboolean            echo_ok;
  GError             *failed;
};

static void
fill_block (guint8  *block,
            guint32  epoch,
            guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  block[0] = epoch >> 24;
  block[1] = (epoch >> 16) & 0xff;
  block[2] = (epoch >> 8) & 0xff;
  block[3] = epoch & 0xff;
  memset (block + 4, 0, 4);
  for (gsize i = 8; i < BLOCK; i += 4)
    {
      guint32 r = g_rand_int (rand);

      memcpy (block + i, &r, MIN (4, BLOCK - i));
    }
}

/**
 * cb_rtmp_handshake_new_full:
 * @epoch: the time field of our block (milliseconds of any epoch)
 * @random_seed: the seed of the random part, fixed for reproducible tests
 *
 * A client has C0+C1 to send at once (cb_rtmp_handshake_take_output()); a server waits
 * for C0+C1.
 */
CbRtmpHandshake *
cb_rtmp_handshake_new_full (CbRtmpHandshakeRole role,
                            guint32             epoch,
                            guint32             random_seed)
{
  CbRtmpHandshake *hs;

  g_return_val_if_fail (role == CB_RTMP_HANDSHAKE_CLIENT || role == CB_RTMP_HANDSHAKE_SERVER,
                        NULL);

  hs = g_new0 (CbRtmpHandshake, 1);
  hs->role = role;
  hs->state = STATE_WAIT_PEER_BLOCK;
  hs->out = g_byte_array_new ();
  fill_block (hs->own, epoch, random_seed);
  if (role == CB_RTMP_HANDSHAKE_CLIENT)
    {
      cb_put_u8 (hs->out, CB_RTMP_HANDSHAKE_VERSION);
      g_byte_array_append (hs->out, hs->own, BLOCK);
    }
  return hs;
}

CbRtmpHandshake *
cb_rtmp_handshake_new (CbRtmpHandshakeRole role)
{
  return cb_rtmp_handshake_new_full (role, (guint32) (g_get_monotonic_time () / 1000),
                                     g_random_int ());
}

void
cb_rtmp_handshake_free (CbRtmpHandshake *handshake)
{
  if (handshake == NULL)
    return;
  g_byte_array_unref (handshake->out);
  g_clear_error (&handshake->failed);
  g_free (handshake);
}

static gboolean
check_version (CbRtmpHandshake  *hs,
               guint8            version,
               GError          **error)
{
  if (version == CB_RTMP_HANDSHAKE_VERSION)
    return TRUE;
  if (version == 6 || version == 8 || version == 9)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                   "encrypted RTMP (RTMPE, handshake version %u) is not supported; "
                   "use rtmps://", version);
      return FALSE;
    }
  if (version == 0x16)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                           "the peer speaks TLS on a plain RTMP port (rtmps:// vs rtmp://)");
      return FALSE;
    }
  if (version >= 0x20)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                   "not an RTMP handshake (first byte 0x%02x%s)", version,
                   g_ascii_isupper (version) ? ", looks like HTTP" : "");
      return FALSE;
    }
  /* A server seeing a version it does not know answers 3 (spec 5.2.2): the client may
   * go on with it. A client must not go on with a server speaking another version. */
  if (hs->role == CB_RTMP_HANDSHAKE_SERVER)
    return TRUE;
  g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
               "the server answered with RTMP version %u, not 3", version);
  return FALSE;
}

/**
 * cb_rtmp_handshake_feed:
 * @data: bytes read from the connection
 * @consumed: (out): how many of them belong to the handshake; the rest (a client may
 *   pipeline its first chunks behind C2) goes to the chunk reader
 *
 * Returns: %FALSE with @error set when the peer is not speaking RTMP version 3; the
 *   handshake then keeps failing
 */
gboolean
cb_rtmp_handshake_feed (CbRtmpHandshake  *handshake,
                        const guint8     *data,
                        gsize             len,
                        gsize            *consumed,
                        GError          **error)
{
  gsize used = 0;

  g_return_val_if_fail (handshake != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (consumed != NULL)
    *consumed = 0;
  if (handshake->failed != NULL)
    {
      g_propagate_error (error, g_error_copy (handshake->failed));
      return FALSE;
    }

  while (used < len && handshake->state != STATE_DONE)
    {
      gsize want = handshake->state == STATE_WAIT_PEER_BLOCK ? 1 + BLOCK : BLOCK;
      gsize n = MIN (want - handshake->in_len, len - used);

      memcpy (handshake->in + handshake->in_len, data + used, n);
      /* Check the version byte as soon as it arrives: an HTTP client gets its error
       * before it has sent 1537 bytes. */
      if (handshake->state == STATE_WAIT_PEER_BLOCK && handshake->in_len == 0 &&
          !check_version (handshake, data[used], &handshake->failed))
        {
          g_propagate_error (error, g_error_copy (handshake->failed));
          return FALSE;
        }
      handshake->in_len += n;
      used += n;
      if (handshake->in_len < want)
        break;

      if (handshake->state == STATE_WAIT_PEER_BLOCK)
        {
          const guint8 *peer = handshake->in + 1;

          handshake->peer_epoch = cb_read_be32 (peer);
          handshake->peer_version = cb_read_be32 (peer + 4);
          if (handshake->role == CB_RTMP_HANDSHAKE_SERVER)
            {
              cb_put_u8 (handshake->out, CB_RTMP_HANDSHAKE_VERSION);
              g_byte_array_append (handshake->out, handshake->own, BLOCK);
            }
          /* C2 / S2: the peer's block echoed as is (FFmpeg does the same). */
          g_byte_array_append (handshake->out, peer, BLOCK);
          handshake->state = STATE_WAIT_PEER_ECHO;
        }
      else
        {
          /* Only the random part is compared: librtmp rewrites the time fields, and a
           * peer using the digest scheme sends another block altogether. Neither is a
           * reason to hang up. */
          handshake->echo_ok = memcmp (handshake->in + 8, handshake->own + 8, BLOCK - 8) == 0;
          handshake->state = STATE_DONE;
        }
      handshake->in_len = 0;
    }

  if (consumed != NULL)
    *consumed = used;
  return TRUE;
}

/**
 * cb_rtmp_handshake_take_output:
 *
 * Returns: (transfer full) (nullable): the bytes to send now, or %NULL when there are none
 */
GBytes *
cb_rtmp_handshake_take_output (CbRtmpHandshake *handshake)
{
  GByteArray *out;

  g_return_val_if_fail (handshake != NULL, NULL);

  if (handshake->out->len == 0)
    return NULL;
  out = handshake->out;
  handshake->out = g_byte_array_new ();
  return g_byte_array_free_to_bytes (out);
}

/**
 * cb_rtmp_handshake_is_done:
 *
 * Returns: %TRUE once the peer's echo has arrived (after taking the last output, the
 *   connection carries chunks)
 */
gboolean
cb_rtmp_handshake_is_done (CbRtmpHandshake *handshake)
{
  g_return_val_if_fail (handshake != NULL, FALSE);

  return handshake->state == STATE_DONE;
}

/**
 * cb_rtmp_handshake_get_peer_version:
 *
 * Returns: bytes 4..7 of the peer's C1/S1: 0 for the simple scheme, a Flash or server
 *   version (e.g. 0x80000702 from FMLE, 0x0d0e0a0d from SRS) when it used digests
 */
guint32
cb_rtmp_handshake_get_peer_version (CbRtmpHandshake *handshake)
{
  g_return_val_if_fail (handshake != NULL, 0);

  return handshake->peer_version;
}

guint32
cb_rtmp_handshake_get_peer_epoch (CbRtmpHandshake *handshake)
{
  g_return_val_if_fail (handshake != NULL, 0);

  return handshake->peer_epoch;
}

/**
 * cb_rtmp_handshake_get_peer_echo_ok:
 *
 * Returns: whether the peer's C2/S2 echoed our random bytes (for logs; not required)
 */
gboolean
cb_rtmp_handshake_get_peer_echo_ok (CbRtmpHandshake *handshake)
{
  g_return_val_if_fail (handshake != NULL, FALSE);

  return handshake->echo_ok;
}
