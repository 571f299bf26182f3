/* cb-socket-watch.h — a socket watched for input on a main context, at a cost that does
 * not grow with the context's other sockets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GSocket source puts its descriptor in the context's poll set: every iteration of the
 * loop polls every socket (the kernel looks at each, GLib checks each), so a context with
 * 500 RTMP players spends per publisher packet what 500 sources cost. On Linux the watches
 * of a context share one epoll set, which the context polls as one descriptor: an
 * iteration costs the same with one socket or a thousand, and only the ready ones are
 * looked at (as nginx and SRS do). Elsewhere a watch is the socket's own GLib source.
 *
 * Built into the RTMP library, with cb-context.c (GLib and GIO alone).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CbSocketWatch CbSocketWatch;

/* @condition: what the socket is now: G_IO_IN, and G_IO_HUP or G_IO_ERR at its end. Called
 * while it is so, until the watch is freed (level-triggered, as a GSocket source). */
typedef void (*CbSocketWatchFunc) (gpointer     data,
                                   GIOCondition condition);

/* @io's socket when @io is a plain socket connection, whose streams are the socket's
 * own; %NULL for anything else, such as a TLS connection or the wrapper GSocketClient
 * makes around one (whose socket carries the encrypted bytes). Not referenced. */
GSocket       *cb_socket_of_plain_connection (GIOStream *io);

#ifdef __linux__
/* One non-blocking sendmsg() (@send) or recvmsg() of @msg on @socket's descriptor, the
 * call itself without GIO's layers (the relay's most frequent calls). *@done: the bytes
 * moved; a read of 0 with %G_POLLABLE_RETURN_OK is the end of the stream. A closed socket
 * fails with %G_IO_ERROR_CLOSED (its descriptor is asked each time: never a stale number);
 * a full or empty socket is %G_POLLABLE_RETURN_WOULD_BLOCK, no error set. */
struct msghdr;
GPollableReturn cb_socket_transfer (GSocket        *socket,
                                    struct msghdr  *msg,
                                    gboolean        send,
                                    gsize          *done,
                                    GError        **error);
#endif

/* Watches @socket for input (G_IO_IN; G_IO_HUP and G_IO_ERR always) on @context, whose
 * thread calls @func. Holds a reference on @socket. Free the watch before the socket is
 * closed: on Linux a socket closed while watched just leaves the set, no event told. */
CbSocketWatch *cb_socket_watch_new  (GSocket           *socket,
                                     GMainContext      *context,
                                     CbSocketWatchFunc  func,
                                     gpointer           data);

/* On @context's thread, also from @func (of this watch or another): @func is not called
 * again. */
void           cb_socket_watch_free (CbSocketWatch     *self);

G_END_DECLS
