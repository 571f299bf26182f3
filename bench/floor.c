/* floor.c — the least a relay can do: FLV in over TCP, each batch of tags out to every player
 * in one send, nothing else
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench/relay.py --floor builds it (cc -O2) and runs it beside Castbridge and nginx-rtmp: a
 * publisher (`ffmpeg -re … -f flv -flush_packets 1 tcp://127.0.0.1:IN`) and N players
 * (`ffmpeg -f flv -i tcp://127.0.0.1:OUT …`) on plain TCP, no RTMP. The program reads the
 * publisher's FLV, cuts it into whole tags, copies each read's tags once and writes them to
 * every player with one sendmsg() per player — one write per message batch, as Castbridge
 * does, without chunking, timers, statistics or anything a real server keeps. A player
 * starts with the FLV header, the metadata and the sequence headers, then the next
 * keyframe. What it costs per player is the kernel's price of one send per message: no
 * relay that writes each message as it comes can spend less.
 *
 * Usage: floor IN_PORT OUT_PORT (0: any); prints "in=N out=M" when listening.
 * Not part of Castbridge: a benchmark peer, Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_PLAYERS 1024
#define TAG_HEADER 11
#define MAX_BATCH 64

typedef struct {
  int     fd;
  int     started;
  char   *pending;        /* what the socket did not take yet */
  size_t  pending_len;
} Player;

static Player *players[MAX_PLAYERS];
static int n_players;
static Player *dead[MAX_PLAYERS];      /* dropped in this batch of events, freed after it */
static int n_dead;
static int epfd;

static unsigned char *in_buf;     /* the publisher's bytes not cut into tags yet */
static size_t in_len, in_cap;
static int header_done;
static unsigned char flv_header[13];
static unsigned char *meta, *video_seq, *audio_seq;   /* whole tags with their size field */
static size_t meta_len, video_seq_len, audio_seq_len;

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

static int
listen_on (int port, int *bound)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (port) };
  socklen_t len = sizeof a;
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die ("socket");
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &a, sizeof a) < 0 || listen (fd, 1024) < 0)
    die ("bind/listen");
  getsockname (fd, (struct sockaddr *) &a, &len);
  *bound = ntohs (a.sin_port);
  return fd;
}

static void
keep (unsigned char **dst, size_t *dst_len, const unsigned char *tag, size_t len)
{
  free (*dst);
  *dst = malloc (len);
  memcpy (*dst, tag, len);
  *dst_len = len;
}

static void
drop_player (Player *p)
{
  for (int i = 0; i < n_players; i++)
    if (players[i] == p)
      {
        players[i] = players[--n_players];
        break;
      }
  epoll_ctl (epfd, EPOLL_CTL_DEL, p->fd, NULL);
  close (p->fd);
  p->fd = -1;
  dead[n_dead++] = p;
}

/* Whether @p's socket is watched for room to write (while it has bytes pending). */
static void
watch_output (Player *p,
              int     out)
{
  struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = p };

  epoll_ctl (epfd, EPOLL_CTL_MOD, p->fd, &ev);
}

/* Appends what the socket did not take; 0, or -1 when the player is gone. */
static int
send_to (Player *p, struct iovec *iov, int n)
{
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = n };
  size_t total = 0;
  ssize_t sent = 0;

  for (int i = 0; i < n; i++)
    total += iov[i].iov_len;
  if (p->pending_len == 0)
    {
      sent = sendmsg (p->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent < 0 && errno != EAGAIN)
        return -1;
      if (sent < 0)
        sent = 0;
    }
  if ((size_t) sent == total)
    return 0;
  /* The rest waits for EPOLLOUT (rare on loopback; a player that stops reading grows). */
  if (p->pending_len == 0)
    watch_output (p, 1);
  p->pending = realloc (p->pending, p->pending_len + total - sent);
  for (int i = 0; i < n; i++)
    {
      size_t skip = (size_t) sent < iov[i].iov_len ? (size_t) sent : iov[i].iov_len;

      sent -= skip;
      memcpy (p->pending + p->pending_len, (char *) iov[i].iov_base + skip,
              iov[i].iov_len - skip);
      p->pending_len += iov[i].iov_len - skip;
    }
  return 0;
}

static int
flush_pending (Player *p)
{
  ssize_t sent = send (p->fd, p->pending, p->pending_len, MSG_DONTWAIT | MSG_NOSIGNAL);

  if (sent < 0)
    return errno == EAGAIN ? 0 : -1;
  memmove (p->pending, p->pending + sent, p->pending_len - sent);
  p->pending_len -= sent;
  return 0;
}

static int
is_keyframe (const unsigned char *tag)
{
  return tag[0] == 9 && (tag[TAG_HEADER] >> 4) == 1;
}

/* Cuts the bytes read into whole tags and sends up to MAX_BATCH of them, one sendmsg per
 * player; how many. */
static int
relay (void)
{
  struct iovec batch[MAX_BATCH];
  unsigned char *copy;
  size_t off = 0, copied;
  int n = 0;

  if (!header_done)
    {
      if (in_len < sizeof flv_header)
        return 0;
      memcpy (flv_header, in_buf, sizeof flv_header);
      header_done = 1;
      off = sizeof flv_header;
    }
  /* Whole tags in this read; each is its header, data and 4-byte size. */
  size_t start = off;
  while (in_len - off >= TAG_HEADER && n < MAX_BATCH)
    {
      const unsigned char *t = in_buf + off;
      size_t size = ((size_t) t[1] << 16) | (t[2] << 8) | t[3];
      size_t whole = TAG_HEADER + size + 4;

      if (in_len - off < whole)
        break;
      if (t[0] == 18)
        keep (&meta, &meta_len, t, whole);
      else if (t[0] == 9 && size >= 2 && t[TAG_HEADER + 1] == 0)
        keep (&video_seq, &video_seq_len, t, whole);
      else if (t[0] == 8 && size >= 2 && (t[TAG_HEADER] >> 4) == 10 && t[TAG_HEADER + 1] == 0)
        keep (&audio_seq, &audio_seq_len, t, whole);
      batch[n].iov_base = (void *) (uintptr_t) (off - start);
      batch[n].iov_len = whole;
      n++;
      off += whole;
    }
  if (n == 0)
    {
      memmove (in_buf, in_buf + off, in_len - off);     /* the FLV header, if it came */
      in_len -= off;
      return 0;
    }
  copied = off - start;
  /* One copy of the batch, as a relay keeps what it sends while the input buffer moves on. */
  copy = malloc (copied);
  memcpy (copy, in_buf + start, copied);
  for (int i = 0; i < n; i++)
    batch[i].iov_base = copy + (uintptr_t) batch[i].iov_base;
  memmove (in_buf, in_buf + off, in_len - off);
  in_len -= off;

  for (int i = 0; i < n_players; i++)
    {
      Player *p = players[i];
      int first = 0;

      if (!p->started)
        {
          struct iovec head[4];
          int h = 0;

          while (first < n && !is_keyframe (batch[first].iov_base))
            first++;
          if (first == n)
            continue;
          head[h++] = (struct iovec) { flv_header, sizeof flv_header };
          if (meta)
            head[h++] = (struct iovec) { meta, meta_len };
          if (video_seq)
            head[h++] = (struct iovec) { video_seq, video_seq_len };
          if (audio_seq)
            head[h++] = (struct iovec) { audio_seq, audio_seq_len };
          if (send_to (p, head, h) < 0)
            {
              drop_player (p);
              i--;
              continue;
            }
          p->started = 1;
        }
      if (send_to (p, batch + first, n - first) < 0)
        {
          drop_player (p);
          i--;
        }
    }
  free (copy);
  return n;
}

int
main (int argc, char **argv)
{
  int in_port, out_port, in_fd, out_fd, pub = -1, one = 1;
  struct epoll_event ev = { .events = EPOLLIN };

  if (argc != 3)
    {
      fprintf (stderr, "usage: floor IN_PORT OUT_PORT\n");
      return 2;
    }
  in_fd = listen_on (atoi (argv[1]), &in_port);
  out_fd = listen_on (atoi (argv[2]), &out_port);
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  ev.data.ptr = &in_fd;
  epoll_ctl (epfd, EPOLL_CTL_ADD, in_fd, &ev);
  ev.data.ptr = &out_fd;
  epoll_ctl (epfd, EPOLL_CTL_ADD, out_fd, &ev);
  printf ("in=%d out=%d\n", in_port, out_port);
  fflush (stdout);
  in_cap = 1 << 20;
  in_buf = malloc (in_cap);

  for (;;)
    {
      struct epoll_event events[64];
      int n = epoll_wait (epfd, events, 64, -1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("epoll_wait");
      for (int i = 0; i < n; i++)
        {
          void *who = events[i].data.ptr;

          if (who == &in_fd)
            {
              int fd = accept4 (in_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

              if (fd < 0)
                continue;
              if (pub >= 0)      /* one publisher at a time: the newest */
                {
                  epoll_ctl (epfd, EPOLL_CTL_DEL, pub, NULL);
                  close (pub);
                }
              pub = fd;
              in_len = 0;
              header_done = 0;
              ev.events = EPOLLIN;
              ev.data.ptr = &pub;
              epoll_ctl (epfd, EPOLL_CTL_ADD, pub, &ev);
            }
          else if (who == &out_fd)
            {
              int fd = accept4 (out_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
              Player *p;

              if (fd < 0)
                continue;
              if (n_players == MAX_PLAYERS)
                {
                  close (fd);
                  continue;
                }
              setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
              p = calloc (1, sizeof *p);
              p->fd = fd;
              players[n_players++] = p;
              ev.events = EPOLLIN;
              ev.data.ptr = p;
              epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev);
            }
          else if (who == &pub)
            {
              ssize_t got;

              if (in_cap - in_len < 65536)
                in_buf = realloc (in_buf, in_cap *= 2);
              got = recv (pub, in_buf + in_len, in_cap - in_len, MSG_DONTWAIT);
              if (got <= 0)
                {
                  if (got < 0 && errno == EAGAIN)
                    continue;
                  epoll_ctl (epfd, EPOLL_CTL_DEL, pub, NULL);
                  close (pub);
                  pub = -1;
                  continue;
                }
              in_len += got;
              while (relay () == MAX_BATCH)
                ;
            }
          else
            {
              Player *p = who;
              char sink[256];

              if (p->fd < 0)
                continue;
              if (events[i].events & EPOLLOUT)
                {
                  if (flush_pending (p) < 0)
                    {
                      drop_player (p);
                      continue;
                    }
                  if (p->pending_len == 0)
                    watch_output (p, 0);
                }
              if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                {
                  ssize_t got = recv (p->fd, sink, sizeof sink, MSG_DONTWAIT);

                  if (got == 0 || (got < 0 && errno != EAGAIN))
                    drop_player (p);
                }
            }
        }
      for (; n_dead > 0; n_dead--)
        {
          free (dead[n_dead - 1]->pending);
          free (dead[n_dead - 1]);
        }
    }
}
