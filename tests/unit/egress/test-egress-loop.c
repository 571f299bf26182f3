/* test-egress-loop.c — the egress thread on a loopback port, with a viewer played by the test:
 * STUN checks, a DTLS handshake of an OpenSSL client, SRTP media it decrypts, SR, NACK→RTX,
 * PLI→keyframe request
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cb-egress.h"
#include "cb-egress-bytes-private.h"
#include "cb-egress-demux.h"
#include "cb-egress-dtls.h"
#include "cb-egress-rtcp.h"
#include "cb-egress-rtp.h"
#include "cb-egress-srtp.h"
#include "cb-egress-stun.h"
#include "egress-test-dtls-client.h"

#define DEADLINE_US (10 * G_USEC_PER_SEC)
#define LOCAL_UFRAG "egU1"
#define LOCAL_PWD "egress-pwd-0123456789abcd"
#define REMOTE_UFRAG "brU1"
#define VIDEO_SSRC 0x11223344u
#define AUDIO_SSRC 0x55667788u

typedef struct {
  guint               viewer_id;
  CbEgressViewerEvent event;
} Event;

typedef struct {
  CbEgress            *egress;
  CbEgressStream      *stream;
  GAsyncQueue         *events;     /* Event* */
  gint                 keyframes;  /* atomic */
  CbEgressCertificate *client_cert;
  TestDtlsClient       dtls;
  CbEgressSrtp        *srtp;
  int                  fd;         /* the viewer's socket, connected to the egress */
  guint                viewer_id;
} Fixture;

static void
on_viewer (CbEgress            *egress,
           guint                viewer_id,
           CbEgressViewerEvent  event,
           const char          *message,
           gpointer             user_data)
{
  Fixture *f = user_data;
  Event *e = g_new0 (Event, 1);

  /* Runs on the egress thread: only a queue push. */
  e->viewer_id = viewer_id;
  e->event = event;
  g_async_queue_push (f->events, e);
}

static void
on_keyframe (CbEgressStream *stream,
             gpointer        user_data)
{
  Fixture *f = user_data;

  g_atomic_int_inc (&f->keyframes);
}

static CbEgressViewerEvent
wait_event (Fixture *f,
            guint    viewer_id)
{
  g_autofree Event *e = g_async_queue_timeout_pop (f->events, DEADLINE_US);

  g_assert_nonnull (e);
  g_assert_cmpuint (e->viewer_id, ==, viewer_id);
  return e->event;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  struct sockaddr_in sin = { 0 };

  f->events = g_async_queue_new_full (g_free);
  f->egress = cb_egress_new ("127.0.0.1", 0, on_viewer, f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_egress_get_port (f->egress), >, 0);
  f->stream = cb_egress_add_stream (f->egress, "cname-of-test", on_keyframe, f);
  f->client_cert = cb_egress_certificate_new (&error);
  g_assert_no_error (error);

  f->fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (f->fd, >=, 0);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (f->fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  sin.sin_port = htons (cb_egress_get_port (f->egress));
  g_assert_cmpint (connect (f->fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cb_egress_remove_stream (f->egress, f->stream);
  g_clear_pointer (&f->egress, cb_egress_free);
  g_clear_pointer (&f->stream, cb_egress_stream_unref);
  if (f->dtls.ssl != NULL)
    test_dtls_client_clear (&f->dtls);
  g_clear_pointer (&f->srtp, cb_egress_srtp_free);
  g_clear_pointer (&f->client_cert, cb_egress_certificate_unref);
  g_async_queue_unref (f->events);
  close (f->fd);
}

static guint
add_viewer (Fixture    *f,
            const char *fingerprint)
{
  CbEgressViewerConfig config = {
    .local_ufrag = LOCAL_UFRAG,
    .local_pwd = LOCAL_PWD,
    .remote_ufrag = REMOTE_UFRAG,
    .remote_fingerprint = fingerprint,
    .payload_type = { 102, 111 },
    .rtx_payload_type = 103,
    .clock_rate = { 90000, 48000 },
  };

  return cb_egress_add_viewer (f->egress, f->stream, &config);
}

/* Waits for one datagram; returns its length, 0 at the deadline. */
static gsize
receive (Fixture *f,
         guint8  *buf,
         gsize    size,
         int      timeout_ms)
{
  struct pollfd pfd = { f->fd, POLLIN, 0 };
  ssize_t n;

  if (poll (&pfd, 1, timeout_ms) <= 0)
    return 0;
  n = recv (f->fd, buf, size, 0);
  g_assert_cmpint (n, >, 0);
  return n;
}

static void
send_bytes (Fixture      *f,
            const guint8 *data,
            gsize         len)
{
  g_assert_cmpint (send (f->fd, data, len, 0), ==, (ssize_t) len);
}

/* ICE: checks until one is answered; checks the mapped address is our socket's. */
static void
ice_check (Fixture *f)
{
  g_autoptr(CbEgressStunClient) client = cb_egress_stun_client_new (REMOTE_UFRAG, LOCAL_UFRAG,
                                                                    LOCAL_PWD);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  struct sockaddr_in self;
  socklen_t self_len = sizeof self;

  g_assert_cmpint (getsockname (f->fd, (struct sockaddr *) &self, &self_len), ==, 0);
  while (g_get_monotonic_time () < deadline)
    {
      guint8 req[512], buf[2048];
      gsize len = cb_egress_stun_client_build_request (client, req, sizeof req, TRUE);
      struct sockaddr_storage mapped;

      send_bytes (f, req, len);
      len = receive (f, buf, sizeof buf, 100);
      if (len > 0 && cb_egress_stun_client_parse_response (client, buf, len, &mapped))
        {
          g_assert_cmpint (((struct sockaddr_in *) &mapped)->sin_port, ==, self.sin_port);
          return;
        }
    }
  g_assert_not_reached ();
}

/* With @drop_first, the server's first datagram is lost and the client never resends
 * on its own: only the egress's retransmission timer can finish the handshake. */
static gboolean
dtls_handshake (Fixture *f,
                gboolean drop_first)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  gboolean passive = drop_first;

  test_dtls_client_init (&f->dtls, f->client_cert, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
  while (!f->dtls.done && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GBytes) out = test_dtls_client_step (&f->dtls);
      guint8 buf[2048];
      gsize len;

      if (out != NULL)
        send_bytes (f, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      len = receive (f, buf, sizeof buf, 100);
      if (len > 0 && drop_first && cb_egress_packet_classify (buf, len) == CB_EGRESS_PACKET_DTLS)
        drop_first = FALSE;
      else if (len > 0 && cb_egress_packet_classify (buf, len) == CB_EGRESS_PACKET_DTLS)
        {
          g_autoptr(GBytes) in = g_bytes_new (buf, len);

          test_dtls_client_receive (&f->dtls, in);
        }
      else if (len == 0 && !passive)
        {
          /* Our flight or theirs was lost (it should not be, on loopback): resend. */
          ERR_clear_error ();
          DTLSv1_handle_timeout (f->dtls.ssl);
        }
    }
  return f->dtls.done;
}

static void
connect_viewer (Fixture *f,
                gboolean drop_first)
{
  CbEgressSrtpKeys keys;
  g_autoptr(GError) error = NULL;

  f->viewer_id = add_viewer (f, cb_egress_certificate_get_fingerprint (f->client_cert));
  g_assert_cmpuint (f->viewer_id, >, 0);
  ice_check (f);
  g_assert_true (dtls_handshake (f, drop_first));
  g_assert_cmpint (wait_event (f, f->viewer_id), ==, CB_EGRESS_VIEWER_CONNECTED);
  g_assert_true (cb_egress_dtls_export_srtp_keys (f->dtls.ssl, &keys));
  g_assert_cmpint (keys.profile, ==, CB_EGRESS_SRTP_AEAD_AES_128_GCM);
  f->srtp = cb_egress_srtp_new (&keys, FALSE, &error);
  g_assert_no_error (error);
}

static GBytes *
rtp_packet (guint8      pt,
            guint16     seq,
            guint32     ts,
            guint32     ssrc,
            const char *payload)
{
  gsize plen = strlen (payload);
  guint8 *p = g_malloc (12 + plen);

  p[0] = 0x80;
  p[1] = pt;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  p[4] = ts >> 24;
  p[5] = ts >> 16;
  p[6] = ts >> 8;
  p[7] = ts;
  p[8] = ssrc >> 24;
  p[9] = ssrc >> 16;
  p[10] = ssrc >> 8;
  p[11] = ssrc;
  memcpy (p + 12, payload, plen);
  return g_bytes_new_take (p, 12 + plen);
}

typedef struct {
  guint    video, audio, rtx, sr;
  gboolean sr_cname_ok;
  /* The last sender report of each: NTP time and RTP time. */
  guint64  sr_ntp[2];
  guint32  sr_rtp[2];
  guint    sr_of[2];   /* video, audio */
  guint16  video_seq[4];  /* the first video packets' sequence numbers, */
  guint32  video_ts[4];   /* and timestamps */
  guint16  rtx_osn[4];
  char     rtx_payload[4][32];
} Received;

/* Reads and decrypts whatever comes in until @done says enough or the deadline. */
static void
receive_media (Fixture  *f,
               Received *r,
               gboolean (*done) (const Received *r))
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!done (r) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      guint8 buf[2048];
      gsize len = receive (f, buf, sizeof buf, 100);
      CbEgressRtpHeader h;

      if (len == 0)
        continue;
      switch (cb_egress_packet_classify (buf, len))
        {
        case CB_EGRESS_PACKET_RTP:
          g_assert_true (cb_egress_srtp_unprotect_rtp (f->srtp, buf, &len, &error));
          g_assert_no_error (error);
          g_assert_true (cb_egress_rtp_parse (buf, len, &h));
          if (h.payload_type == 102)
            {
              g_assert_cmpuint (h.ssrc, ==, VIDEO_SSRC);
              /* "g-video-0" opens with an SPS's first byte: the viewer's start. */
              g_assert_true (memcmp (buf + h.header_len, "video-", 6) == 0 ||
                             memcmp (buf + h.header_len, "g-video-0", 9) == 0);
              if (r->video < G_N_ELEMENTS (r->video_ts))
                {
                  r->video_seq[r->video] = h.seq;
                  r->video_ts[r->video] = h.timestamp;
                }
              r->video++;
            }
          else if (h.payload_type == 111)
            {
              g_assert_cmpuint (h.ssrc, ==, AUDIO_SSRC);
              g_assert_cmpmem (buf + h.header_len, 6, "audio-", 6);
              r->audio++;
            }
          else
            {
              g_assert_cmpuint (h.payload_type, ==, 103);
              g_assert_cmpuint (h.ssrc, ==, cb_egress_stream_get_rtx_ssrc (f->stream));
              g_assert_cmpuint (r->rtx, <, G_N_ELEMENTS (r->rtx_osn));
              r->rtx_osn[r->rtx] = (guint16) (buf[h.header_len] << 8 | buf[h.header_len + 1]);
              g_strlcpy (r->rtx_payload[r->rtx], (const char *) buf + h.header_len + 2,
                         MIN (sizeof r->rtx_payload[0], h.payload_len - 2 + 1));
              r->rtx++;
            }
          break;
        case CB_EGRESS_PACKET_RTCP:
          {
            CbEgressRtcpFeedback fb;

            g_assert_true (cb_egress_srtp_unprotect_rtcp (f->srtp, buf, &len, &error));
            g_assert_no_error (error);
            g_assert_true (cb_egress_rtcp_parse (buf, len, &fb, &error));
            g_assert_cmpuint (buf[1], ==, 200);
            g_assert_true (fb.sender_ssrc == VIDEO_SSRC || fb.sender_ssrc == AUDIO_SSRC);
            {
              guint m = fb.sender_ssrc == VIDEO_SSRC ? 0 : 1;

              r->sr_ntp[m] = (guint64) cb_read32 (buf + 8) << 32 | cb_read32 (buf + 12);
              r->sr_rtp[m] = cb_read32 (buf + 16);
              r->sr_of[m]++;
            }
            /* SDES CNAME follows the 28-byte SR */
            r->sr_cname_ok = len >= 28 + 10 + 13 && buf[36] == 1 && buf[37] == 13 &&
                             memcmp (buf + 38, "cname-of-test", 13) == 0;
            r->sr++;
          }
          break;
        default:
          break;
        }
    }
}

static gboolean
got_media (const Received *r)
{
  return r->video == 10 && r->audio == 5;
}

/* The handshake's last read may take the first replayed packet (it follows the server's
 * Finished at once): the rest is enough to tell. */
#define LONG_GOP 1100   /* packets, across the sequence number wrap */

static gboolean
got_gop (const Received *r)
{
  return r->video >= 2 && r->video_seq[r->video - 1] == 2002;
}

/* A viewer that connects after the stream's last keyframe gets that picture and the
 * rest of its GOP at once, their times squeezed into the last 50 ms before the last one
 * (1 s of pictures: 21 times closer), in order. */
static void
test_gop_replay (Fixture       *f,
                 gconstpointer  data)
{
  Received r = { 0 };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *payload = g_strdup_printf (i == 0 ? "g-video-%u" : "video-%u", i);
      g_autoptr(GBytes) pkt = rtp_packet (96, 2000 + i, 10000 + 45000 * i, VIDEO_SSRC, payload);

      cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_VIDEO, pkt, -1);
    }
  connect_viewer (f, FALSE);
  receive_media (f, &r, got_gop);
  g_assert_cmpuint (r.video, >=, 2);
  for (guint i = 0; i < MIN (r.video, G_N_ELEMENTS (r.video_ts)); i++)
    {
      static const guint32 squeezed[] = { 100000 - 90000 / 21, 100000 - 45000 / 21, 100000 };

      g_assert_cmpuint (r.video_seq[i] - 2000, <, 3);
      g_assert_cmpuint (r.video_ts[i], ==, squeezed[r.video_seq[i] - 2000]);
    }
}

static gboolean
got_long_gop (const Received *r)
{
  return r->video >= LONG_GOP - 1;
}

/* A GOP longer than the ring's first 1024 slots: the ring grows to keep it whole, and a
 * new viewer gets all of it. */
static void
test_gop_replay_long (Fixture       *f,
                      gconstpointer  data)
{
  Received r = { 0 };
  int size = 4 * 1024 * 1024;
  socklen_t size_len = sizeof size;

  /* The burst comes before this test reads: room for it (doubled by the kernel). */
  setsockopt (f->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  g_assert_cmpint (getsockopt (f->fd, SOL_SOCKET, SO_RCVBUF, &size, &size_len), ==, 0);
  if (size < 2 * 1024 * 1024)
    {
      g_test_skip ("net.core.rmem_max leaves no room for the burst");
      return;
    }
  for (guint i = 0; i < LONG_GOP; i++)
    {
      g_autofree char *payload = g_strdup_printf (i == 0 ? "g-video-%u" : "video-%u", i);
      g_autoptr(GBytes) pkt = rtp_packet (96, (guint16) (65000 + i), 3000 * (i / 10), VIDEO_SSRC,
                                          payload);

      cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_VIDEO, pkt, -1);
    }
  connect_viewer (f, FALSE);
  receive_media (f, &r, got_long_gop);
  /* The handshake's last read may take the first one (see got_gop()). */
  g_assert_cmpuint (r.video, >=, LONG_GOP - 1);
}

static gboolean
got_both_srs (const Received *r)
{
  return r->sr_of[0] >= 1 && r->sr_of[1] >= 1;
}

/* Audio that comes 300 ms after the video of the same instant (a transcoder's delay) is
 * still reported at that instant: both sender reports map RTP time through the media time. */
static void
test_sr_lip_sync (Fixture       *f,
                  gconstpointer  data)
{
  Received r = { 0 };
  double video_s, audio_s;

  connect_viewer (f, FALSE);
  {
    g_autoptr(GBytes) pkt = rtp_packet (96, 500, 90000, VIDEO_SSRC, "g-video-0");

    cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_VIDEO, pkt, 1000000);
  }
  g_usleep (300 * 1000);
  {
    g_autoptr(GBytes) pkt = rtp_packet (97, 70, 48000, AUDIO_SSRC, "audio-0");

    cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_AUDIO, pkt, 1000000);
  }
  receive_media (f, &r, got_both_srs);
  g_assert_cmpuint (r.sr_ntp[0], ==, r.sr_ntp[1]);   /* one SR time for both */
  /* The media instant 1 s, seen from each report (RTP time back to NTP). */
  video_s = (double) r.sr_ntp[0] / 4294967296.0 - (double) (gint32) (r.sr_rtp[0] - 90000) / 90000;
  audio_s = (double) r.sr_ntp[1] / 4294967296.0 - (double) (gint32) (r.sr_rtp[1] - 48000) / 48000;
  g_assert_cmpfloat (fabs (video_s - audio_s), <, 0.002);
}

static gboolean
got_rtx_and_sr (const Received *r)
{
  return r->rtx == 2 && r->sr >= 2;
}

static void
send_rtcp (Fixture *f,
           guint8  *buf,
           gsize    len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cb_egress_srtp_protect_rtcp (f->srtp, buf, &len, 2048, &error));
  g_assert_no_error (error);
  send_bytes (f, buf, len);
}

static void
test_viewer (Fixture       *f,
             gconstpointer  data)
{
  Received r = { 0 };
  guint8 buf[2048];
  gsize len;
  static const guint16 lost[] = { 1003, 1005 };
  CbEgressViewerStats stats;
  gint64 deadline;

  connect_viewer (f, FALSE);

  /* A picture's middle (an H.264 P-slice, 0x41 = 'A') is not what a viewer starts on. */
  {
    g_autoptr(GBytes) pkt = rtp_packet (96, 999, 0, VIDEO_SSRC, "A-slice");

    cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_VIDEO, pkt, -1);
  }
  /* The stream's shared packets (its payloaders' PTs 96 and 97) reach the viewer with
   * its own PTs, encrypted under its keys, from a keyframe on (0x67 = 'g', an SPS). */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *payload = g_strdup_printf (i == 0 ? "g-video-%u" : "video-%u", i);
      g_autoptr(GBytes) pkt = rtp_packet (96, 1000 + i, 3000 * i, VIDEO_SSRC, payload);

      cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_VIDEO, pkt, -1);
      if (i % 2 == 0)
        {
          g_autofree char *apayload = g_strdup_printf ("audio-%u", i);
          g_autoptr(GBytes) apkt = rtp_packet (97, 50 + i, 960 * i, AUDIO_SSRC, apayload);

          cb_egress_stream_push_rtp (f->stream, CB_EGRESS_MEDIA_AUDIO, apkt, -1);
        }
    }
  receive_media (f, &r, got_media);
  g_assert_cmpuint (r.video, ==, 10);
  g_assert_cmpuint (r.audio, ==, 5);
  /* The viewer waiting for its keyframe asked for one. */
  g_assert_cmpint (g_atomic_int_get (&f->keyframes), ==, 1);
  g_usleep (CB_EGRESS_KEYFRAME_INTERVAL_US);

  /* Two video packets "lost": the NACK is answered over RTX from the ring. */
  len = cb_egress_rtcp_build_nack (buf, sizeof buf, 0xdeadbeef, VIDEO_SSRC, lost, 2);
  send_rtcp (f, buf, len);
  /* A PLI becomes the stream's keyframe request. */
  {
    static const guint8 pli[] = { 0x81, 206, 0x00, 0x02, 0xde, 0xad, 0xbe, 0xef,
                                  0x11, 0x22, 0x33, 0x44 };

    memcpy (buf, pli, sizeof pli);
    send_rtcp (f, buf, sizeof pli);
  }
  /* Sender reports come every second, with the stream's CNAME. */
  receive_media (f, &r, got_rtx_and_sr);
  g_assert_cmpuint (r.rtx, ==, 2);
  g_assert_cmpuint (r.rtx_osn[0], ==, 1003);
  g_assert_cmpstr (r.rtx_payload[0], ==, "video-3");
  g_assert_cmpuint (r.rtx_osn[1], ==, 1005);
  g_assert_cmpstr (r.rtx_payload[1], ==, "video-5");
  g_assert_cmpuint (r.sr, >=, 2);
  g_assert_true (r.sr_cname_ok);
  g_assert_cmpint (g_atomic_int_get (&f->keyframes), ==, 2);

  /* The viewer's figures, as the REST API and the GUI will show them. */
  deadline = g_get_monotonic_time () + DEADLINE_US;
  do
    {
      g_assert_true (cb_egress_get_viewer_stats (f->egress, f->viewer_id, &stats));
      if (stats.rtx_sent == 2)
        break;
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  g_assert_true (stats.connected);
  g_assert_cmpuint (stats.packets_sent, ==, 15);
  g_assert_cmpuint (stats.nacks_received, ==, 2);
  g_assert_cmpuint (stats.rtx_sent, ==, 2);
  g_assert_cmpuint (stats.keyframe_requests, ==, 1);

  cb_egress_remove_viewer (f->egress, f->viewer_id);
  g_assert_cmpint (wait_event (f, f->viewer_id), ==, CB_EGRESS_VIEWER_CLOSED);
  g_assert_false (cb_egress_get_viewer_stats (f->egress, f->viewer_id, &stats));
}

static void
test_wrong_fingerprint (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CbEgressCertificate) other = cb_egress_certificate_new (NULL);
  guint id = add_viewer (f, cb_egress_certificate_get_fingerprint (other));

  ice_check (f);
  /* Someone else's certificate: no media keys, the viewer is removed. The client may
   * finish its side: the server checks the fingerprint once its own Finished is out. */
  (void) dtls_handshake (f, FALSE);
  g_assert_cmpint (wait_event (f, id), ==, CB_EGRESS_VIEWER_DTLS_FAILED);
}

static void
test_unknown_ufrag (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CbEgressStunClient) client = cb_egress_stun_client_new (REMOTE_UFRAG, "nobody",
                                                                    LOCAL_PWD);
  guint8 req[512], buf[2048];
  gsize len;

  add_viewer (f, NULL);
  len = cb_egress_stun_client_build_request (client, req, sizeof req, TRUE);
  send_bytes (f, req, len);
  /* Unanswered (a bounded wait: an answer would come within milliseconds). */
  g_assert_cmpuint (receive (f, buf, sizeof buf, 300), ==, 0);
}

static void
test_dtls_retransmit (Fixture       *f,
                      gconstpointer  data)
{
  CbEgressViewerStats stats;

  connect_viewer (f, TRUE);
  g_assert_true (cb_egress_get_viewer_stats (f->egress, f->viewer_id, &stats));
  g_assert_true (stats.connected);
}

static void
test_consent_expiry (Fixture       *f,
                     gconstpointer  data)
{
  CbEgressViewerStats stats;

  cb_egress_set_consent_timeout (f->egress, 300 * G_TIME_SPAN_MILLISECOND);
  connect_viewer (f, FALSE);
  /* The browser vanishes: no more checks. The viewer is removed on its own. */
  g_assert_cmpint (wait_event (f, f->viewer_id), ==, CB_EGRESS_VIEWER_CONSENT_EXPIRED);
  g_assert_false (cb_egress_get_viewer_stats (f->egress, f->viewer_id, &stats));
}

/* A viewer whose checks stop but whose authenticated RTCP keeps coming stays: libnice, as
 * GStreamer's webrtcbin (our own player window) uses it, keeps a pair alive with binding
 * indications, not requests. When its RTCP stops too, its consent expires. */
static void
test_consent_by_rtcp (Fixture       *f,
                      gconstpointer  data)
{
  static const guint8 rr[] = { 0x80, 201, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef };
  CbEgressViewerStats stats;

  cb_egress_set_consent_timeout (f->egress, 300 * G_TIME_SPAN_MILLISECOND);
  connect_viewer (f, FALSE);
  for (guint i = 0; i < 10; i++)
    {
      guint8 buf[2048];

      memcpy (buf, rr, sizeof rr);
      send_rtcp (f, buf, sizeof rr);
      g_usleep (100 * 1000);
    }
  g_assert_true (cb_egress_get_viewer_stats (f->egress, f->viewer_id, &stats));
  g_assert_true (stats.connected);
  g_assert_cmpint (wait_event (f, f->viewer_id), ==, CB_EGRESS_VIEWER_CONSENT_EXPIRED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cb/egress/loop/viewer", Fixture, NULL, fixture_setup, test_viewer,
              fixture_teardown);
  g_test_add ("/cb/egress/loop/sr-lip-sync", Fixture, NULL, fixture_setup, test_sr_lip_sync,
              fixture_teardown);
  g_test_add ("/cb/egress/loop/gop-replay-long", Fixture, NULL, fixture_setup,
              test_gop_replay_long, fixture_teardown);
  g_test_add ("/cb/egress/loop/gop-replay", Fixture, NULL, fixture_setup, test_gop_replay,
              fixture_teardown);
  g_test_add ("/cb/egress/loop/wrong-fingerprint", Fixture, NULL, fixture_setup,
              test_wrong_fingerprint, fixture_teardown);
  g_test_add ("/cb/egress/loop/dtls-retransmit", Fixture, NULL, fixture_setup,
              test_dtls_retransmit, fixture_teardown);
  g_test_add ("/cb/egress/loop/consent-by-rtcp", Fixture, NULL, fixture_setup,
              test_consent_by_rtcp, fixture_teardown);
  g_test_add ("/cb/egress/loop/consent-expiry", Fixture, NULL, fixture_setup,
              test_consent_expiry, fixture_teardown);
  g_test_add ("/cb/egress/loop/unknown-ufrag", Fixture, NULL, fixture_setup,
              test_unknown_ufrag, fixture_teardown);
  return g_test_run ();
}
