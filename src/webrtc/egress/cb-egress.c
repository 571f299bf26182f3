/* cb-egress.c — the viewers' event loop: epoll, one UDP socket, recvmmsg/sendmmsg
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that touches viewers runs on the egress thread; other threads talk to it
 * through one locked command queue and an eventfd. Nothing per viewer allocates per
 * packet: a shared packet is copied into a send slot, its payload type rewritten, SRTP
 * applied in place, and the batch goes out with one sendmmsg. A full socket buffer
 * drops what does not fit for this round (counted), it never blocks the loop.
 */
#define _GNU_SOURCE   /* recvmmsg, sendmmsg */
#include "config.h"

#include "cb-egress.h"
#include "cb-egress-bytes-private.h"
#include "cb-egress-demux.h"
#include "cb-egress-dtls.h"
#include "cb-egress-error.h"
#include "cb-egress-rtp.h"
#include "cb-egress-srtp.h"
#include "cb-egress-stun.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define SLOT_SIZE 1500
#define RING_SLOTS 1024
/* The ring grows to hold a whole GOP (a new viewer starts at its keyframe), up to this. */
#define RING_MAX_BYTES (16 * 1024 * 1024)
#define RING_MAX_SLOTS (RING_MAX_BYTES / SLOT_SIZE)
#define MAX_RTX_AGE_US (1 * G_USEC_PER_SEC)
#define SR_INTERVAL_US (1 * G_USEC_PER_SEC)
#define HANDSHAKE_DEADLINE_US (30 * G_USEC_PER_SEC)
/* A keyframe older than this is not replayed (a stalled source): the viewer waits. */
#define MAX_GOP_AGE_US (10 * G_USEC_PER_SEC)
/* A replayed GOP's timestamps, for its viewer, span at most this (90 kHz: 50 ms). */
#define REPLAY_SPAN_TICKS (90000 / 20)

/* ---- streams ---------------------------------------------------------------------------- */

typedef struct {
  gboolean seen;
  guint32  ssrc;
  guint32  last_timestamp;
  gint64   last_time_us;    /* when the packet with last_timestamp was pushed */
  gint64   last_media_us;   /* its media time, -1 if unknown */
} MediaClock;

struct _CbEgressStream {
  gatomicrefcount      ref;
  CbEgress            *egress;   /* not a reference: streams are pushed to while it lives */
  char                *cname;
  guint32              rtx_ssrc;
  CbEgressKeyframeFunc keyframe_func;
  gpointer             keyframe_data;
  /* Egress thread only: */
  MediaClock           clock[CB_EGRESS_N_MEDIA];
  /* Media time + this = monotonic time, for audio and video alike: the smallest
   * difference seen, that of the packets that came with the least delay. */
  gboolean             have_media_offset;
  gint64               media_offset_us;
  CbEgressRtpRing     *video_ring;
  GPtrArray           *viewers;
  gint64               last_keyframe_request_us;
  gboolean             attached;
  gint                 vp8;      /* atomic: its video is VP8, not H.264 */
  /* The video since its last keyframe, all in the ring: a new viewer starts there. */
  gboolean             have_gop;
  guint16              keyframe_seq;       /* the keyframe's first packet (its SPS, or VP8 key frame) */
  guint32              keyframe_timestamp;
  guint16              last_video_seq;
};

CbEgressStream *
cb_egress_stream_ref (CbEgressStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  g_atomic_ref_count_inc (&stream->ref);
  return stream;
}

void
cb_egress_stream_unref (CbEgressStream *stream)
{
  if (stream == NULL || !g_atomic_ref_count_dec (&stream->ref))
    return;
  g_free (stream->cname);
  cb_egress_rtp_ring_free (stream->video_ring);
  g_ptr_array_unref (stream->viewers);
  g_free (stream);
}

guint32
cb_egress_stream_get_rtx_ssrc (CbEgressStream *stream)
{
  g_return_val_if_fail (stream != NULL, 0);

  return stream->rtx_ssrc;
}

/* ---- viewers ---------------------------------------------------------------------------- */

typedef struct {
  CbEgress               *egress;
  guint                   id;
  CbEgressStream         *stream;
  char                   *local_ufrag;
  char                   *local_pwd;
  char                   *remote_ufrag;
  char                   *remote_fingerprint;
  CbEgressIceCredentials  creds;
  gint                    payload_type[CB_EGRESS_N_MEDIA];
  gint                    rtx_payload_type;
  guint                   clock_rate[CB_EGRESS_N_MEDIA];
  /* Its video starts on a keyframe: the stream's last one from the ring when it connects
   * (replay_gop()), else the next live one. A browser fed a picture's middle would ask
   * for a keyframe it then has to wait for. */
  gboolean                waiting_keyframe;
  /* The GOP replayed to it, squeezed in time (replay_timestamp()): packets
   * replay_first … + replay_n − 1. */
  guint16                 replay_first;
  guint16                 replay_n;
  guint32                 replay_end_ts;
  guint32                 replay_div;

  struct sockaddr_storage addr;        /* where we send: the nominated pair */
  socklen_t               addr_len;
  gboolean                nominated;
  CbEgressConsent         consent;
  gint64                  created_us;

  CbEgressDtls           *dtls;
  CbEgressSrtp           *srtp;
  guint16                 rtx_seq;
  gint64                  next_sr_us;
  guint32                 packets[CB_EGRESS_N_MEDIA];
  guint32                 octets[CB_EGRESS_N_MEDIA];
  guint32                 last_sr_ntp_mid[CB_EGRESS_N_MEDIA];

  CbEgressViewerStats     stats;       /* egress thread; copied out under the lock */
} Viewer;

/* ---- the egress ------------------------------------------------------------------------- */

typedef enum {
  CMD_ADD_STREAM,
  CMD_REMOVE_STREAM,
  CMD_ADD_VIEWER,
  CMD_REMOVE_VIEWER,
  CMD_PACKET,
} CommandKind;

typedef struct {
  CommandKind     kind;
  CbEgressStream *stream;   /* a reference */
  Viewer         *viewer;   /* CMD_ADD_VIEWER: owned until adopted */
  guint           viewer_id;
  CbEgressMedia   media;
  GBytes         *packet;
  gint64          media_time_us;
} Command;

typedef struct {
  guint8                  data[SLOT_SIZE];
  struct sockaddr_storage addr;
  socklen_t               addr_len;
  struct iovec            iov;
} SendSlot;

struct _CbEgress {
  int                  fd;
  int                  epfd;
  int                  wakefd;
  guint16              port;
  GThread             *thread;
  CbEgressCertificate *cert;
  CbEgressViewerFunc   viewer_func;
  gpointer             viewer_data;

  GMutex               lock;
  GArray              *commands;      /* Command, under lock */
  GHashTable          *stats;         /* id → CbEgressViewerStats*, under lock */
  gboolean             stopping;      /* under lock */
  gint64               consent_timeout_us;   /* under lock */
  guint                next_viewer_id;

  /* Egress thread only: */
  CbEgressDemux       *demux;
  GHashTable          *viewers;       /* id → Viewer* (owned) */
  GPtrArray           *streams;       /* CbEgressStream* (references) */
  SendSlot             send[BATCH];
  guint8               recv_bufs[BATCH][SLOT_SIZE];
  struct mmsghdr       send_msgs[BATCH];
  guint                n_send;
  guint64              send_dropped;
};

static void viewer_remove (CbEgress            *egress,
                           Viewer              *viewer,
                           CbEgressViewerEvent  event,
                           const char          *message);

static void
wake (CbEgress *egress)
{
  guint64 one = 1;

  /* EAGAIN means the counter is already non-zero: the loop wakes anyway. */
  if (write (egress->wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_warning ("egress: eventfd write failed: %s", g_strerror (errno));
}

static void
enqueue (CbEgress *egress,
         Command  *cmd)
{
  gboolean was_empty;

  g_mutex_lock (&egress->lock);
  was_empty = egress->commands->len == 0;
  g_array_append_vals (egress->commands, cmd, 1);
  g_mutex_unlock (&egress->lock);
  if (was_empty)
    wake (egress);
}

static void
command_clear (Command *cmd)
{
  g_clear_pointer (&cmd->stream, cb_egress_stream_unref);
  g_clear_pointer (&cmd->packet, g_bytes_unref);
  if (cmd->viewer != NULL)
    {
      /* Never adopted: only its strings. */
      g_free (cmd->viewer->local_ufrag);
      g_free (cmd->viewer->local_pwd);
      g_free (cmd->viewer->remote_ufrag);
      g_free (cmd->viewer->remote_fingerprint);
      g_clear_pointer (&cmd->viewer->stream, cb_egress_stream_unref);
      g_free (cmd->viewer);
      cmd->viewer = NULL;
    }
}

/* ---- sending ---------------------------------------------------------------------------- */

static void
flush_sends (CbEgress *egress)
{
  guint done = 0;

  while (done < egress->n_send)
    {
      int n = sendmmsg (egress->fd, egress->send_msgs + done, egress->n_send - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* EAGAIN: the socket buffer is full; what is left of this batch is lost, like
           * any UDP loss, and NACK/PLI will repair it. Other errors (ICMP unreachable of
           * one viewer) drop one datagram. */
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              egress->send_dropped += egress->n_send - done;
              break;
            }
          egress->send_dropped++;
          done++;
          continue;
        }
      done += n;
    }
  egress->n_send = 0;
}

/* A slot to fill for @viewer; the caller sets slot->iov.iov_len and calls commit. */
static SendSlot *
send_slot (CbEgress *egress,
           Viewer   *viewer)
{
  SendSlot *slot;

  if (egress->n_send == BATCH)
    flush_sends (egress);
  slot = &egress->send[egress->n_send];
  memcpy (&slot->addr, &viewer->addr, viewer->addr_len);
  slot->addr_len = viewer->addr_len;
  return slot;
}

static void
send_commit (CbEgress *egress,
             SendSlot *slot,
             gsize     len)
{
  struct mmsghdr *m = &egress->send_msgs[egress->n_send];

  slot->iov.iov_base = slot->data;
  slot->iov.iov_len = len;
  memset (m, 0, sizeof *m);
  m->msg_hdr.msg_name = &slot->addr;
  m->msg_hdr.msg_namelen = slot->addr_len;
  m->msg_hdr.msg_iov = &slot->iov;
  m->msg_hdr.msg_iovlen = 1;
  egress->n_send++;
}

static void
send_raw (CbEgress     *egress,
          Viewer       *viewer,
          const guint8 *data,
          gsize         len)
{
  SendSlot *slot;

  if (viewer->addr_len == 0 || len > SLOT_SIZE)
    return;
  slot = send_slot (egress, viewer);
  memcpy (slot->data, data, len);
  send_commit (egress, slot, len);
}

static void
on_dtls_send (const guint8 *data,
              gsize         len,
              gpointer      user_data)
{
  Viewer *viewer = user_data;

  send_raw (viewer->egress, viewer, data, len);
}

/* Protects the RTP packet in @slot (len bytes) and queues it. */
static void
send_srtp (CbEgress *egress,
           Viewer   *viewer,
           SendSlot *slot,
           gsize     len,
           gboolean  rtcp)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = rtcp ? cb_egress_srtp_protect_rtcp (viewer->srtp, slot->data, &len, SLOT_SIZE,
                                                    &error)
                     : cb_egress_srtp_protect_rtp (viewer->srtp, slot->data, &len, SLOT_SIZE,
                                                   &error);

  if (!ok)
    {
      g_debug ("egress: viewer %u: %s", viewer->id, error->message);
      return;
    }
  send_commit (egress, slot, len);
}

/* ---- media ------------------------------------------------------------------------------ */

/* The timestamp @viewer got for the packet @seq of timestamp @ts: as it is, but in the GOP
 * replayed to it, where the pictures' times are squeezed into the last REPLAY_SPAN_TICKS
 * before its last one (see replay_gop()). */
static guint32
replay_timestamp (const Viewer *viewer,
                  guint16       seq,
                  guint32       ts)
{
  if (viewer->replay_div <= 1 || (guint16) (seq - viewer->replay_first) >= viewer->replay_n)
    return ts;
  /* Signed: with B-frames a picture sent before the last one may show after it. */
  return viewer->replay_end_ts -
         (guint32) ((gint32) (viewer->replay_end_ts - ts) / (gint32) viewer->replay_div);
}

/* One shared packet to one viewer, with its payload type (and its replay timestamp),
 * counted for its reports. */
static gboolean
send_media (CbEgress      *egress,
            Viewer        *viewer,
            CbEgressMedia  media,
            const guint8  *data,
            gsize          len,
            gsize          payload_len)
{
  SendSlot *slot = send_slot (egress, viewer);

  if (cb_egress_rtp_rewrite (slot->data, SLOT_SIZE, data, len, viewer->payload_type[media]) == 0)
    return FALSE;
  if (media == CB_EGRESS_MEDIA_VIDEO && viewer->replay_div > 1)
    {
      guint16 seq = cb_read16 (data + 2);

      /* Half the sequence space on, no replayed packet is in the ring (at most 8192) to be
       * asked for again: forget the replay, before the sequence numbers wrap back into it. */
      if ((guint16) (seq - viewer->replay_first) >= 0x8000)
        viewer->replay_div = 0;
      else
        cb_write32 (slot->data + 4, replay_timestamp (viewer, seq, cb_read32 (data + 4)));
    }
  viewer->packets[media]++;
  viewer->octets[media] += payload_len;
  viewer->stats.packets_sent++;
  viewer->stats.bytes_sent += len;
  send_srtp (egress, viewer, slot, len, FALSE);
  return TRUE;
}

/* Keeps the stream's GOP in its ring: notes where a keyframe starts, and grows the ring
 * (up to RING_MAX_BYTES) before a packet would overwrite the current GOP's first one. */
static void
track_gop (CbEgressStream          *stream,
           const CbEgressRtpHeader *h,
           gboolean                 keyframe)
{
  /* An SPS and its IDR slice are one picture: its first packet is where to start. */
  if (keyframe && (!stream->have_gop || h->timestamp != stream->keyframe_timestamp))
    {
      stream->have_gop = TRUE;
      stream->keyframe_seq = h->seq;
      stream->keyframe_timestamp = h->timestamp;
    }
  else if (stream->have_gop &&
           (guint16) (h->seq - stream->keyframe_seq) >=
           cb_egress_rtp_ring_get_n_slots (stream->video_ring) &&
           !cb_egress_rtp_ring_grow (stream->video_ring, RING_MAX_SLOTS))
    {
      /* A GOP longer than the bound: new viewers wait for the next keyframe. */
      g_debug ("egress: stream %s: a GOP of more than %u packets is not kept", stream->cname,
               cb_egress_rtp_ring_get_n_slots (stream->video_ring));
      stream->have_gop = FALSE;
    }
  stream->last_video_seq = h->seq;
}

/* Where the stream's media time stands on the monotonic clock (see media_offset_us). A
 * media time far behind it is a new timeline (a new producer session): start again. */
static void
track_media_time (CbEgressStream *stream,
                  gint64          media_time_us,
                  gint64          now_us)
{
  gint64 offset = now_us - media_time_us;

  if (!stream->have_media_offset || offset < stream->media_offset_us ||
      offset - stream->media_offset_us > MAX_GOP_AGE_US)
    {
      stream->have_media_offset = TRUE;
      stream->media_offset_us = offset;
    }
}

static void
stream_packet (CbEgress       *egress,
               CbEgressStream *stream,
               CbEgressMedia   media,
               GBytes         *packet,
               gint64          media_time_us,
               gint64          now_us)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (packet, &len);
  CbEgressRtpHeader h;
  MediaClock *clock = &stream->clock[media];
  gboolean keyframe = FALSE;
  gboolean waiting = FALSE;

  if (!cb_egress_rtp_parse (data, len, &h) || len > SLOT_SIZE - CB_EGRESS_SRTP_TRAILER_MAX)
    return;
  clock->seen = TRUE;
  clock->ssrc = h.ssrc;
  clock->last_timestamp = h.timestamp;
  clock->last_time_us = now_us;
  clock->last_media_us = media_time_us >= 0 ? media_time_us : -1;
  if (media_time_us >= 0)
    track_media_time (stream, media_time_us, now_us);
  if (media == CB_EGRESS_MEDIA_VIDEO)
    {
      keyframe = g_atomic_int_get (&stream->vp8)
                 ? cb_egress_rtp_vp8_starts_keyframe (data + h.header_len, h.payload_len)
                 : cb_egress_rtp_h264_starts_keyframe (data + h.header_len, h.payload_len);
      track_gop (stream, &h, keyframe);
      cb_egress_rtp_ring_push (stream->video_ring, data, len, now_us);
    }

  for (guint i = 0; i < stream->viewers->len; i++)
    {
      Viewer *viewer = g_ptr_array_index (stream->viewers, i);

      if (viewer->srtp == NULL || viewer->payload_type[media] < 0)
        continue;
      if (media == CB_EGRESS_MEDIA_VIDEO && viewer->waiting_keyframe)
        {
          if (!keyframe)
            {
              waiting = TRUE;
              continue;
            }
          viewer->waiting_keyframe = FALSE;
        }
      send_media (egress, viewer, media, data, len, h.payload_len);
    }
  /* A connected viewer waits for a keyframe: asked for until one comes, since a request
   * may be lost on the way (or swallowed by the producer's own rate limit). */
  if (waiting && stream->keyframe_func != NULL &&
      now_us - stream->last_keyframe_request_us >= CB_EGRESS_KEYFRAME_INTERVAL_US)
    {
      stream->last_keyframe_request_us = now_us;
      stream->keyframe_func (stream, stream->keyframe_data);
    }
}

/* Whether @seq is a packet of the stream's current GOP (replayed to new viewers, so
 * still worth resending however old it is). */
static gboolean
in_current_gop (CbEgressStream *stream,
                guint16         seq)
{
  return stream->have_gop &&
         (guint16) (seq - stream->keyframe_seq) <=
         (guint16) (stream->last_video_seq - stream->keyframe_seq);
}

/* A viewer just connected gets the stream's video from its last keyframe at once, as a
 * webrtcbin viewer gets the cached GOP: the whole GOP from the ring, the same packets
 * (sequence numbers) the others got, then the live ones; its audio starts live. The
 * replayed pictures come in one burst, seconds of media time at once: a browser decodes
 * them at once, but its receive-time model of the video clock (Chromium's timestamp
 * extrapolator), fed seconds of timestamps that came in a millisecond, then misplaces
 * the live pictures by up to a few hundred ms for a long while, and lip sync swings.
 * So for this viewer the replayed pictures' timestamps are squeezed, in order, into the
 * last 50 ms before the last of them, which they end on: the live pictures follow at
 * their own times. Without a whole GOP it waits for the next keyframe, asked for. */
static void
replay_gop (CbEgress *egress,
            Viewer   *viewer,
            gint64    now_us)
{
  CbEgressStream *stream = viewer->stream;
  guint16 n;
  gint64 stored_us = 0;
  gsize len;

  if (!stream->have_gop || viewer->payload_type[CB_EGRESS_MEDIA_VIDEO] < 0 ||
      viewer->addr_len == 0)
    return;
  n = (guint16) (stream->last_video_seq - stream->keyframe_seq + 1);
  if (n == 0 || n > cb_egress_rtp_ring_get_n_slots (stream->video_ring) ||
      cb_egress_rtp_ring_lookup (stream->video_ring, stream->keyframe_seq, &len,
                                 &stored_us) == NULL ||
      now_us - stored_us > MAX_GOP_AGE_US)
    return;
  for (guint16 i = 0; i < n; i++)
    if (cb_egress_rtp_ring_lookup (stream->video_ring, (guint16) (stream->keyframe_seq + i),
                                   &len, NULL) == NULL)
      return;
  {
    const guint8 *last = cb_egress_rtp_ring_lookup (stream->video_ring, stream->last_video_seq,
                                                    &len, NULL);
    guint32 span = cb_read32 (last + 4) - stream->keyframe_timestamp;

    viewer->replay_first = stream->keyframe_seq;
    viewer->replay_n = n;
    viewer->replay_end_ts = cb_read32 (last + 4);
    viewer->replay_div = span < 0x80000000u ? span / REPLAY_SPAN_TICKS + 1 : 1;
  }
  for (guint16 i = 0; i < n; i++)
    {
      const guint8 *data = cb_egress_rtp_ring_lookup (stream->video_ring,
                                                      (guint16) (stream->keyframe_seq + i),
                                                      &len, NULL);
      CbEgressRtpHeader h;

      if (!cb_egress_rtp_parse (data, len, &h) ||
          !send_media (egress, viewer, CB_EGRESS_MEDIA_VIDEO, data, len, h.payload_len))
        return;
    }
  viewer->waiting_keyframe = FALSE;
}

static void
answer_nack (CbEgress *egress,
             Viewer   *viewer,
             guint16   seq,
             gint64    now_us)
{
  CbEgressStream *stream = viewer->stream;
  const guint8 *orig;
  gsize orig_len, len;
  gint64 stored_us;
  SendSlot *slot;

  if (viewer->rtx_payload_type < 0)
    return;   /* without RTX a resend would repeat a sequence number under one key */
  orig = cb_egress_rtp_ring_lookup (stream->video_ring, seq, &orig_len, &stored_us);
  if (orig == NULL || (now_us - stored_us > MAX_RTX_AGE_US && !in_current_gop (stream, seq)))
    return;
  slot = send_slot (egress, viewer);
  len = cb_egress_rtx_wrap (slot->data, SLOT_SIZE - CB_EGRESS_SRTP_TRAILER_MAX, orig, orig_len,
                            viewer->rtx_payload_type, stream->rtx_ssrc, viewer->rtx_seq);
  if (len == 0)
    return;
  cb_write32 (slot->data + 4, replay_timestamp (viewer, seq, cb_read32 (orig + 4)));
  /* The receiver maps the RTX payload type to its apt: the shared PT does not leak. */
  viewer->rtx_seq++;
  viewer->stats.rtx_sent++;
  send_srtp (egress, viewer, slot, len, FALSE);
}

static guint32
ntp_middle (guint64 ntp)
{
  return (guint32) (ntp >> 16);
}

static void
handle_rtcp (CbEgress     *egress,
             Viewer       *viewer,
             guint8       *data,
             gsize         len,
             gint64        now_us)
{
  g_autoptr(GError) error = NULL;
  CbEgressRtcpFeedback fb;
  CbEgressStream *stream = viewer->stream;

  if (viewer->srtp == NULL || !cb_egress_srtp_unprotect_rtcp (viewer->srtp, data, &len, &error))
    return;
  /* Authenticated with the keys of this viewer's DTLS, from an address that passed its
   * checks: the viewer is there and wants the media, as a check would say. Browsers send
   * checks every few seconds (RFC 7675); libnice (GStreamer's webrtcbin, our own player
   * window) only binding indications, without credentials, once connected. */
  cb_egress_consent_refresh (&viewer->consent, now_us);
  /* Even a malformed compound gives what was parsed before the bad part. */
  if (!cb_egress_rtcp_parse (data, len, &fb, &error))
    g_debug ("egress: viewer %u: %s", viewer->id, error->message);

  for (guint i = 0; i < fb.n_reports; i++)
    for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
      if (stream->clock[m].seen && fb.reports[i].ssrc == stream->clock[m].ssrc)
        {
          const CbEgressRtcpReportBlock *b = &fb.reports[i];

          viewer->stats.last_report[m] = *b;
          if (b->lsr != 0 && b->lsr == viewer->last_sr_ntp_mid[m])
            {
              guint32 now_mid = ntp_middle (cb_egress_ntp_from_unix_us (g_get_real_time ()));
              guint32 rtt = now_mid - b->lsr - b->dlsr;   /* 1/65536 s */

              viewer->stats.rtt_us = ((gint64) rtt * G_USEC_PER_SEC) >> 16;
            }
        }
  for (guint i = 0; i < fb.n_nacks; i++)
    {
      viewer->stats.nacks_received++;
      if (stream->clock[CB_EGRESS_MEDIA_VIDEO].seen &&
          fb.nacks[i].media_ssrc == stream->clock[CB_EGRESS_MEDIA_VIDEO].ssrc)
        answer_nack (egress, viewer, fb.nacks[i].seq, now_us);
    }
  if (fb.n_keyframe_requests > 0)
    {
      viewer->stats.keyframe_requests++;
      if (stream->keyframe_func != NULL &&
          now_us - stream->last_keyframe_request_us >= CB_EGRESS_KEYFRAME_INTERVAL_US)
        {
          stream->last_keyframe_request_us = now_us;
          stream->keyframe_func (stream, stream->keyframe_data);
        }
    }
}

static void
send_sender_reports (CbEgress *egress,
                     Viewer   *viewer,
                     gint64    now_us)
{
  CbEgressStream *stream = viewer->stream;
  guint64 ntp = cb_egress_ntp_from_unix_us (g_get_real_time ());

  for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
    {
      MediaClock *clock = &stream->clock[m];
      SendSlot *slot;
      gint64 at_us;
      guint32 ts;
      gsize len;

      if (!clock->seen || viewer->payload_type[m] < 0 || viewer->clock_rate[m] == 0)
        continue;
      /* The RTP time of "now" on the stream's clock: lip sync needs SRs of audio and
       * video to name the same wall-clock instant, so both go through the one media
       * offset (not each one's arrival: audio made Opus here comes later than its video). */
      at_us = clock->last_media_us >= 0 && stream->have_media_offset
              ? clock->last_media_us + stream->media_offset_us : clock->last_time_us;
      ts = clock->last_timestamp +
           (guint32) ((now_us - at_us) * (gint64) viewer->clock_rate[m] / G_USEC_PER_SEC);
      slot = send_slot (egress, viewer);
      len = cb_egress_rtcp_build_sr (slot->data, SLOT_SIZE - CB_EGRESS_SRTP_TRAILER_MAX,
                                     clock->ssrc, ntp, ts, viewer->packets[m],
                                     viewer->octets[m], stream->cname);
      if (len == 0)
        continue;
      viewer->last_sr_ntp_mid[m] = ntp_middle (ntp);
      send_srtp (egress, viewer, slot, len, TRUE);
    }
}

/* ---- input ------------------------------------------------------------------------------ */

static void
publish_stats (CbEgress *egress,
               Viewer   *viewer)
{
  CbEgressViewerStats *copy;

  g_mutex_lock (&egress->lock);
  copy = g_hash_table_lookup (egress->stats, GUINT_TO_POINTER (viewer->id));
  if (copy != NULL)
    *copy = viewer->stats;
  g_mutex_unlock (&egress->lock);
}

static void
dtls_progress (CbEgress          *egress,
               Viewer            *viewer,
               CbEgressDtlsState  state,
               GError            *error)
{
  CbEgressSrtpKeys keys;
  g_autoptr(GError) srtp_error = NULL;

  switch (state)
    {
    case CB_EGRESS_DTLS_HANDSHAKING:
      return;
    case CB_EGRESS_DTLS_FAILED:
      viewer_remove (egress, viewer, CB_EGRESS_VIEWER_DTLS_FAILED,
                     error ? error->message : "DTLS failed");
      return;
    case CB_EGRESS_DTLS_CLOSED:
      viewer_remove (egress, viewer, CB_EGRESS_VIEWER_CLOSED, "close_notify");
      return;
    case CB_EGRESS_DTLS_CONNECTED:
      if (viewer->srtp != NULL)
        return;
      if (!cb_egress_dtls_get_srtp_keys (viewer->dtls, &keys) ||
          (viewer->srtp = cb_egress_srtp_new (&keys, TRUE, &srtp_error)) == NULL)
        {
          viewer_remove (egress, viewer, CB_EGRESS_VIEWER_DTLS_FAILED,
                         srtp_error ? srtp_error->message : "no SRTP keys");
          return;
        }
      memset (&keys, 0, sizeof keys);
      viewer->stats.connected = TRUE;
      viewer->next_sr_us = g_get_monotonic_time ();
      replay_gop (egress, viewer, viewer->next_sr_us);
      publish_stats (egress, viewer);
      if (egress->viewer_func != NULL)
        egress->viewer_func (egress, viewer->id, CB_EGRESS_VIEWER_CONNECTED, NULL,
                             egress->viewer_data);
      return;
    }
}

static void
handle_stun (CbEgress              *egress,
             Viewer                *viewer,
             const guint8          *data,
             gsize                  len,
             const struct sockaddr *from,
             socklen_t              from_len,
             gint64                 now_us)
{
  guint8 reply[CB_EGRESS_STUN_REPLY_MAX];
  gsize reply_len = 0;
  CbEgressStunRequestInfo info;
  CbEgressStunResult result;

  result = cb_egress_stun_handle_request (data, len, &viewer->creds, from, from_len, reply,
                                          &reply_len, &info);
  if (result != CB_EGRESS_STUN_OK)
    {
      g_debug ("egress: viewer %u: STUN %s", viewer->id, cb_egress_stun_result_to_string (result));
      return;
    }
  cb_egress_consent_refresh (&viewer->consent, now_us);
  cb_egress_demux_bind_address (egress->demux, from, from_len, viewer);
  /* The first valid pair carries media until the browser nominates one (RFC 8445 §8.2). */
  if (info.use_candidate || viewer->addr_len == 0)
    {
      if (info.use_candidate)
        viewer->nominated = TRUE;
      memcpy (&viewer->addr, from, from_len);
      viewer->addr_len = from_len;
    }
  {
    SendSlot *slot = send_slot (egress, viewer);

    /* The reply goes where the check came from, whichever pair that is. */
    memcpy (&slot->addr, from, from_len);
    slot->addr_len = from_len;
    memcpy (slot->data, reply, reply_len);
    send_commit (egress, slot, reply_len);
  }
}

static void
handle_datagram (CbEgress              *egress,
                 guint8                *data,
                 gsize                  len,
                 const struct sockaddr *from,
                 socklen_t              from_len,
                 gint64                 now_us)
{
  CbEgressPacketKind kind;
  Viewer *viewer = cb_egress_demux_lookup (egress->demux, from, from_len, data, len, &kind, NULL);

  if (viewer == NULL)
    return;
  switch (kind)
    {
    case CB_EGRESS_PACKET_STUN:
      handle_stun (egress, viewer, data, len, from, from_len, now_us);
      break;
    case CB_EGRESS_PACKET_DTLS:
      {
        g_autoptr(GError) error = NULL;
        CbEgressDtlsState state = cb_egress_dtls_handle_datagram (viewer->dtls, data, len, &error);

        dtls_progress (egress, viewer, state, error);
      }
      break;
    case CB_EGRESS_PACKET_RTCP:
      handle_rtcp (egress, viewer, data, len, now_us);
      break;
    case CB_EGRESS_PACKET_RTP:   /* viewers send no media */
    case CB_EGRESS_PACKET_UNKNOWN:
    default:
      break;
    }
}

static void
receive_all (CbEgress *egress)
{
  struct sockaddr_storage addrs[BATCH];
  struct iovec iovs[BATCH];
  struct mmsghdr msgs[BATCH];

  /* Bounded: a flood of input must not starve the media of everyone else. */
  for (int round = 0; round < 8; round++)
    {
      gint64 now_us;
      int n;

      for (int i = 0; i < BATCH; i++)
        {
          iovs[i].iov_base = egress->recv_bufs[i];
          iovs[i].iov_len = SLOT_SIZE;
          memset (&msgs[i], 0, sizeof msgs[i]);
          msgs[i].msg_hdr.msg_name = &addrs[i];
          msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
          msgs[i].msg_hdr.msg_iov = &iovs[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
        }
      n = recvmmsg (egress->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0)
        return;
      now_us = g_get_monotonic_time ();
      for (int i = 0; i < n; i++)
        if (!(msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
          handle_datagram (egress, egress->recv_bufs[i], msgs[i].msg_len,
                           (struct sockaddr *) &addrs[i], msgs[i].msg_hdr.msg_namelen, now_us);
      if (n < BATCH)
        return;
    }
}

/* ---- viewers' life ---------------------------------------------------------------------- */

static void
viewer_free (Viewer *viewer)
{
  cb_egress_dtls_free (viewer->dtls);
  cb_egress_srtp_free (viewer->srtp);
  g_clear_pointer (&viewer->stream, cb_egress_stream_unref);
  g_free (viewer->local_ufrag);
  g_free (viewer->local_pwd);
  g_free (viewer->remote_ufrag);
  g_free (viewer->remote_fingerprint);
  g_free (viewer);
}

static void
viewer_remove (CbEgress            *egress,
               Viewer              *viewer,
               CbEgressViewerEvent  event,
               const char          *message)
{
  guint id = viewer->id;

  cb_egress_demux_remove_viewer (egress->demux, viewer);
  g_ptr_array_remove_fast (viewer->stream->viewers, viewer);
  g_mutex_lock (&egress->lock);
  g_hash_table_remove (egress->stats, GUINT_TO_POINTER (id));
  g_mutex_unlock (&egress->lock);
  g_hash_table_remove (egress->viewers, GUINT_TO_POINTER (id));   /* frees it */
  if (egress->viewer_func != NULL && event != CB_EGRESS_VIEWER_CONNECTED)
    egress->viewer_func (egress, id, event, message, egress->viewer_data);
}

static void
viewer_adopt (CbEgress *egress,
              Viewer   *viewer)
{
  g_autoptr(GError) error = NULL;

  if (!viewer->stream->attached)
    {
      viewer_free (viewer);
      return;
    }
  viewer->egress = egress;
  viewer->dtls = cb_egress_dtls_new (egress->cert, on_dtls_send, viewer, &error);
  if (viewer->dtls == NULL)
    {
      g_warning ("egress: %s", error->message);
      viewer_free (viewer);
      return;
    }
  g_mutex_lock (&egress->lock);
  viewer->consent.timeout_us = egress->consent_timeout_us;
  g_mutex_unlock (&egress->lock);
  if (viewer->remote_fingerprint != NULL)
    cb_egress_dtls_set_remote_fingerprint (viewer->dtls, viewer->remote_fingerprint);
  g_hash_table_insert (egress->viewers, GUINT_TO_POINTER (viewer->id), viewer);
  g_ptr_array_add (viewer->stream->viewers, viewer);
  cb_egress_demux_add_viewer (egress->demux, viewer->local_ufrag, viewer);
}

static void
stream_detach (CbEgress       *egress,
               CbEgressStream *stream)
{
  if (!stream->attached)
    return;
  while (stream->viewers->len > 0)
    viewer_remove (egress, g_ptr_array_index (stream->viewers, 0), CB_EGRESS_VIEWER_CLOSED,
                   "stream removed");
  stream->attached = FALSE;
  g_ptr_array_remove (egress->streams, stream);   /* drops the egress's reference */
}

static gboolean
run_commands (CbEgress *egress)
{
  g_autoptr(GArray) cmds = NULL;
  gboolean stopping;
  gint64 now_us = g_get_monotonic_time ();

  g_mutex_lock (&egress->lock);
  cmds = egress->commands;
  egress->commands = g_array_sized_new (FALSE, FALSE, sizeof (Command), MAX (cmds->len, 16));
  stopping = egress->stopping;
  g_mutex_unlock (&egress->lock);

  for (guint i = 0; i < cmds->len; i++)
    {
      Command *cmd = &g_array_index (cmds, Command, i);

      switch (cmd->kind)
        {
        case CMD_ADD_STREAM:
          cmd->stream->attached = TRUE;
          g_ptr_array_add (egress->streams, g_steal_pointer (&cmd->stream));
          break;
        case CMD_REMOVE_STREAM:
          stream_detach (egress, cmd->stream);
          break;
        case CMD_ADD_VIEWER:
          viewer_adopt (egress, g_steal_pointer (&cmd->viewer));
          break;
        case CMD_REMOVE_VIEWER:
          {
            Viewer *viewer = g_hash_table_lookup (egress->viewers,
                                                  GUINT_TO_POINTER (cmd->viewer_id));

            if (viewer != NULL)
              viewer_remove (egress, viewer, CB_EGRESS_VIEWER_CLOSED, "removed");
          }
          break;
        case CMD_PACKET:
          if (cmd->stream->attached)
            stream_packet (egress, cmd->stream, cmd->media, cmd->packet, cmd->media_time_us,
                           now_us);
          break;
        }
      command_clear (cmd);
    }
  return !stopping;
}

/* Timers of every viewer; returns the ms until the next one is due. */
static int
run_timers (CbEgress *egress)
{
  gint64 now_us = g_get_monotonic_time ();
  gint64 next_us = now_us + SR_INTERVAL_US;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, egress->viewers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Viewer *viewer = value;
      gint64 timeout_us;

      if (cb_egress_consent_expired (&viewer->consent, now_us) ||
          (viewer->srtp == NULL && now_us - viewer->created_us > HANDSHAKE_DEADLINE_US))
        {
          g_ptr_array_add (gone, viewer);
          continue;
        }
      if (cb_egress_dtls_get_timeout (viewer->dtls, &timeout_us))
        {
          if (timeout_us <= 0)
            {
              g_autoptr(GError) error = NULL;

              if (cb_egress_dtls_handle_timeout (viewer->dtls, &error) == CB_EGRESS_DTLS_FAILED)
                {
                  g_ptr_array_add (gone, viewer);
                  continue;
                }
              if (cb_egress_dtls_get_timeout (viewer->dtls, &timeout_us))
                next_us = MIN (next_us, now_us + timeout_us);
            }
          else
            next_us = MIN (next_us, now_us + timeout_us);
        }
      if (viewer->srtp != NULL)
        {
          if (now_us >= viewer->next_sr_us)
            {
              send_sender_reports (egress, viewer, now_us);
              viewer->next_sr_us = now_us + SR_INTERVAL_US;
              publish_stats (egress, viewer);
            }
          next_us = MIN (next_us, viewer->next_sr_us);
        }
      next_us = MIN (next_us, viewer->consent.last_check_us + viewer->consent.timeout_us + 1);
    }
  for (guint i = 0; i < gone->len; i++)
    {
      Viewer *viewer = g_ptr_array_index (gone, i);

      viewer_remove (egress, viewer,
                     viewer->srtp == NULL ? CB_EGRESS_VIEWER_DTLS_FAILED
                                          : CB_EGRESS_VIEWER_CONSENT_EXPIRED,
                     viewer->srtp == NULL ? "handshake did not complete"
                                          : "consent expired");
    }
  return (int) CLAMP ((next_us - now_us + 999) / 1000, 0, 1000);
}

static gpointer
egress_thread (gpointer data)
{
  CbEgress *egress = data;
  struct epoll_event events[4];
  gboolean running = TRUE;

  while (running)
    {
      int timeout_ms = run_timers (egress);
      int n;

      flush_sends (egress);
      n = epoll_wait (egress->epfd, events, G_N_ELEMENTS (events), timeout_ms);
      if (n < 0 && errno != EINTR)
        {
          g_warning ("egress: epoll_wait: %s", g_strerror (errno));
          break;
        }
      /* Commands first: a viewer added just before its first check must be known when
       * the check is read. */
      for (int i = 0; i < n; i++)
        if (events[i].data.fd == egress->wakefd)
          {
            guint64 count;

            if (read (egress->wakefd, &count, sizeof count) < 0 && errno != EAGAIN)
              g_warning ("egress: eventfd read: %s", g_strerror (errno));
          }
      running = run_commands (egress);
      for (int i = 0; i < n; i++)
        if (events[i].data.fd == egress->fd)
          receive_all (egress);
      flush_sends (egress);
    }
  return NULL;
}

/* ---- public API ------------------------------------------------------------------------- */

static gboolean
bind_socket (CbEgress   *egress,
             const char *address,
             guint16     port,
             GError    **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int family;

  if (inet == NULL)
    {
      g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_FAILED, "bad address “%s”", address);
      return FALSE;
    }
  family = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET;
  sa = g_inet_socket_address_new (inet, port);
  if (!g_socket_address_to_native (sa, &ss, sizeof ss, error))
    return FALSE;
  egress->fd = socket (family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (egress->fd < 0 ||
      bind (egress->fd, (struct sockaddr *) &ss, g_socket_address_get_native_size (sa)) < 0 ||
      getsockname (egress->fd, (struct sockaddr *) &ss, &len) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "UDP %s:%u: %s", address,
                   port, g_strerror (saved));
      return FALSE;
    }
  egress->port = g_ntohs (family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                             : ((struct sockaddr_in *) &ss)->sin_port);
  {
    /* Room for bursts of keyframes to hundreds of viewers. */
    int size = 4 * 1024 * 1024;

    setsockopt (egress->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt (egress->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  return TRUE;
}

CbEgress *
cb_egress_new (const char          *address,
               guint16              port,
               CbEgressViewerFunc   viewer_func,
               gpointer             user_data,
               GError             **error)
{
  CbEgress *egress;
  CbEgressCertificate *cert;
  struct epoll_event ev = { 0 };

  g_return_val_if_fail (address != NULL, NULL);

  cert = cb_egress_certificate_get_default (error);
  if (cert == NULL)
    return NULL;

  egress = g_new0 (CbEgress, 1);
  egress->fd = egress->epfd = egress->wakefd = -1;
  egress->cert = cb_egress_certificate_ref (cert);
  egress->viewer_func = viewer_func;
  egress->viewer_data = user_data;
  g_mutex_init (&egress->lock);
  egress->consent_timeout_us = CB_EGRESS_CONSENT_TIMEOUT_US;
  egress->commands = g_array_new (FALSE, FALSE, sizeof (Command));
  egress->stats = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  egress->demux = cb_egress_demux_new ();
  egress->viewers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) viewer_free);
  egress->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_egress_stream_unref);

  if (!bind_socket (egress, address, port, error))
    {
      cb_egress_free (egress);
      return NULL;
    }
  egress->epfd = epoll_create1 (EPOLL_CLOEXEC);
  egress->wakefd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  ev.events = EPOLLIN;
  ev.data.fd = egress->fd;
  if (egress->epfd < 0 || egress->wakefd < 0 ||
      epoll_ctl (egress->epfd, EPOLL_CTL_ADD, egress->fd, &ev) < 0 ||
      (ev.data.fd = egress->wakefd, epoll_ctl (egress->epfd, EPOLL_CTL_ADD, egress->wakefd, &ev)) < 0)
    {
      g_set_error (error, CB_EGRESS_ERROR, CB_EGRESS_ERROR_FAILED, "epoll: %s",
                   g_strerror (errno));
      cb_egress_free (egress);
      return NULL;
    }
  egress->thread = g_thread_new ("cb-egress", egress_thread, egress);
  return egress;
}

void
cb_egress_free (CbEgress *egress)
{
  if (egress == NULL)
    return;
  if (egress->thread != NULL)
    {
      g_mutex_lock (&egress->lock);
      egress->stopping = TRUE;
      g_mutex_unlock (&egress->lock);
      wake (egress);
      g_thread_join (egress->thread);
    }
  for (guint i = 0; i < egress->commands->len; i++)
    command_clear (&g_array_index (egress->commands, Command, i));
  g_array_unref (egress->commands);
  g_hash_table_unref (egress->viewers);
  while (egress->streams->len > 0)
    {
      CbEgressStream *stream = g_ptr_array_index (egress->streams, 0);

      g_ptr_array_set_size (stream->viewers, 0);
      stream->attached = FALSE;
      g_ptr_array_remove_index_fast (egress->streams, 0);
    }
  g_ptr_array_unref (egress->streams);
  cb_egress_demux_free (egress->demux);
  g_hash_table_unref (egress->stats);
  g_mutex_clear (&egress->lock);
  if (egress->fd >= 0)
    close (egress->fd);
  if (egress->epfd >= 0)
    close (egress->epfd);
  if (egress->wakefd >= 0)
    close (egress->wakefd);
  cb_egress_certificate_unref (egress->cert);
  g_free (egress);
}

guint16
cb_egress_get_port (CbEgress *egress)
{
  g_return_val_if_fail (egress != NULL, 0);

  return egress->port;
}

void
cb_egress_set_consent_timeout (CbEgress *egress,
                               gint64    timeout_us)
{
  g_return_if_fail (egress != NULL && timeout_us > 0);

  g_mutex_lock (&egress->lock);
  egress->consent_timeout_us = timeout_us;
  g_mutex_unlock (&egress->lock);
}

const char *
cb_egress_get_fingerprint (CbEgress *egress)
{
  g_return_val_if_fail (egress != NULL, NULL);

  return cb_egress_certificate_get_fingerprint (egress->cert);
}

/**
 * cb_egress_stream_set_vp8:
 *
 * Says that @stream's video is VP8 (H.264 otherwise), before its first packet: where its
 * viewers may start is read from the payload.
 */
void
cb_egress_stream_set_vp8 (CbEgressStream *stream,
                          gboolean        vp8)
{
  g_return_if_fail (stream != NULL);

  g_atomic_int_set (&stream->vp8, vp8 ? 1 : 0);
}

CbEgressStream *
cb_egress_add_stream (CbEgress             *egress,
                      const char           *cname,
                      CbEgressKeyframeFunc  keyframe_func,
                      gpointer              user_data)
{
  CbEgressStream *stream;
  Command cmd = { CMD_ADD_STREAM };

  g_return_val_if_fail (egress != NULL && cname != NULL && strlen (cname) <= 255, NULL);

  stream = g_new0 (CbEgressStream, 1);
  g_atomic_ref_count_init (&stream->ref);
  stream->cname = g_strdup (cname);
  stream->egress = egress;
  stream->rtx_ssrc = g_random_int ();
  stream->keyframe_func = keyframe_func;
  stream->keyframe_data = user_data;
  stream->video_ring = cb_egress_rtp_ring_new (RING_SLOTS, SLOT_SIZE);
  stream->viewers = g_ptr_array_new ();
  stream->last_keyframe_request_us = G_MININT64 / 2;
  cmd.stream = cb_egress_stream_ref (stream);
  enqueue (egress, &cmd);
  return stream;   /* the caller's reference */
}

void
cb_egress_remove_stream (CbEgress       *egress,
                         CbEgressStream *stream)
{
  Command cmd = { CMD_REMOVE_STREAM };

  g_return_if_fail (egress != NULL && stream != NULL);

  cmd.stream = cb_egress_stream_ref (stream);
  enqueue (egress, &cmd);
}

void
cb_egress_stream_push_rtp (CbEgressStream *stream,
                           CbEgressMedia   media,
                           GBytes         *packet,
                           gint64          media_time_us)
{
  Command cmd = { CMD_PACKET };

  g_return_if_fail (stream != NULL && packet != NULL && media < CB_EGRESS_N_MEDIA);

  cmd.stream = cb_egress_stream_ref (stream);
  cmd.media = media;
  cmd.packet = g_bytes_ref (packet);
  cmd.media_time_us = media_time_us;
  enqueue (stream->egress, &cmd);
}

guint
cb_egress_add_viewer (CbEgress                   *egress,
                      CbEgressStream             *stream,
                      const CbEgressViewerConfig *config)
{
  Command cmd = { CMD_ADD_VIEWER };
  Viewer *viewer;

  g_return_val_if_fail (egress != NULL && stream != NULL && config != NULL, 0);
  g_return_val_if_fail (config->local_ufrag != NULL && config->local_pwd != NULL, 0);

  viewer = g_new0 (Viewer, 1);
  g_mutex_lock (&egress->lock);
  viewer->id = ++egress->next_viewer_id;
  g_hash_table_insert (egress->stats, GUINT_TO_POINTER (viewer->id),
                       g_new0 (CbEgressViewerStats, 1));
  g_mutex_unlock (&egress->lock);
  viewer->stream = cb_egress_stream_ref (stream);
  viewer->local_ufrag = g_strdup (config->local_ufrag);
  viewer->local_pwd = g_strdup (config->local_pwd);
  viewer->remote_ufrag = g_strdup (config->remote_ufrag);
  viewer->creds.local_ufrag = viewer->local_ufrag;
  viewer->creds.local_pwd = viewer->local_pwd;
  viewer->creds.remote_ufrag = viewer->remote_ufrag;
  for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
    {
      viewer->payload_type[m] = config->payload_type[m] >= 0 && config->payload_type[m] < 128
                                ? config->payload_type[m] : -1;
      viewer->clock_rate[m] = config->clock_rate[m];
    }
  viewer->rtx_payload_type = config->rtx_payload_type >= 0 && config->rtx_payload_type < 128
                             ? config->rtx_payload_type : -1;
  viewer->waiting_keyframe = viewer->payload_type[CB_EGRESS_MEDIA_VIDEO] >= 0;
  viewer->rtx_seq = g_random_int () & 0x7fff;
  viewer->created_us = g_get_monotonic_time ();
  viewer->stats.rtt_us = -1;
  cb_egress_consent_init (&viewer->consent, viewer->created_us);
  if (config->remote_fingerprint != NULL)
    viewer->remote_fingerprint = g_strdup (config->remote_fingerprint);
  cmd.viewer = viewer;
  enqueue (egress, &cmd);
  return viewer->id;
}

void
cb_egress_remove_viewer (CbEgress *egress,
                         guint     viewer_id)
{
  Command cmd = { CMD_REMOVE_VIEWER };

  g_return_if_fail (egress != NULL);

  cmd.viewer_id = viewer_id;
  enqueue (egress, &cmd);
}

gboolean
cb_egress_get_viewer_stats (CbEgress            *egress,
                            guint                viewer_id,
                            CbEgressViewerStats *stats)
{
  CbEgressViewerStats *found;

  g_return_val_if_fail (egress != NULL && stats != NULL, FALSE);

  g_mutex_lock (&egress->lock);
  found = g_hash_table_lookup (egress->stats, GUINT_TO_POINTER (viewer_id));
  if (found != NULL)
    *stats = *found;
  g_mutex_unlock (&egress->lock);
  return found != NULL;
}
