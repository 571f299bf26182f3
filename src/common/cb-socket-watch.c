/* cb-socket-watch.c — sockets watched through one epoll set per main context
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See cb-socket-watch.h. On Linux a context's watches share a Set: a GSource whose one
 * descriptor is an epoll set (level-triggered) holding every watched socket. Its dispatch
 * asks the set what is ready and calls those watches alone. A freed watch leaves the set at
 * once and its memory waits on the set's list of dead watches until no dispatch of the set
 * runs (an event fetched before the free may still name it). The set goes with its last
 * watch.
 */
#include "config.h"

#include "cb-socket-watch.h"

#ifdef __linux__
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Events fetched per dispatch at the most; the rest stay ready for the next. */
#define MAX_EVENTS 64

typedef struct {
  GSource   parent;
  int       epfd;
  guint     depth;       /* dispatches running (nested ones too); the context's thread */
  guint     n_watches;   /* under registry_lock */
  GSList   *dead;        /* CbSocketWatch*, under registry_lock */
} Set;

struct _CbSocketWatch
{
  Set               *set;
  GSocket           *socket;
  CbSocketWatchFunc  func;
  gpointer           data;
  gint               dead;   /* atomic */
};

G_LOCK_DEFINE_STATIC (registry_lock);
static GHashTable *registry;   /* GMainContext* → Set*, under registry_lock */

static GIOCondition
condition_of (guint32 events)
{
  GIOCondition condition = 0;

  if (events & EPOLLIN)
    condition |= G_IO_IN;
  if (events & EPOLLHUP)
    condition |= G_IO_HUP;
  if (events & EPOLLERR)
    condition |= G_IO_ERR;
  return condition;
}

static void
watch_release (gpointer data)
{
  CbSocketWatch *self = data;

  g_clear_object (&self->socket);
  g_free (self);
}

static void
free_dead (Set *set)
{
  GSList *dead;

  G_LOCK (registry_lock);
  dead = g_steal_pointer (&set->dead);
  G_UNLOCK (registry_lock);
  g_slist_free_full (dead, watch_release);
}

static gboolean
set_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     user_data)
{
  Set *set = (Set *) source;
  struct epoll_event events[MAX_EVENTS];
  int n;

  do
    n = epoll_wait (set->epfd, events, MAX_EVENTS, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    g_warning ("epoll_wait: %s", g_strerror (errno));

  set->depth++;
  for (int i = 0; i < n; i++)
    {
      CbSocketWatch *watch = events[i].data.ptr;

      if (!g_atomic_int_get (&watch->dead))
        watch->func (watch->data, condition_of (events[i].events));
    }
  if (--set->depth == 0 && set->dead != NULL)
    free_dead (set);
  return G_SOURCE_CONTINUE;
}

static void
set_finalize (GSource *source)
{
  Set *set = (Set *) source;

  g_slist_free_full (g_steal_pointer (&set->dead), watch_release);
  close (set->epfd);
}

static GSourceFuncs set_funcs = {
  .dispatch = set_dispatch,
  .finalize = set_finalize,
};

/* The context's set, made if it has none; one more watch counted in it. Under the lock. */
static Set *
set_for (GMainContext  *context,
         GError       **error)
{
  Set *set;
  int epfd;

  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  set = g_hash_table_lookup (registry, context);
  if (set != NULL)
    {
      set->n_watches++;
      return set;
    }

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll_create1: %s",
                   g_strerror (saved));
      return NULL;
    }
  set = (Set *) g_source_new (&set_funcs, sizeof (Set));
  set->epfd = epfd;
  set->n_watches = 1;
  g_source_set_static_name (&set->parent, "cb-socket-watch");
  /* As a GSocket source would not be: a source that may not recurse is taken out of the
   * poll set for its dispatch and put back after, each time writing the context's wakeup
   * descriptor. */
  g_source_set_can_recurse (&set->parent, TRUE);
  g_source_add_unix_fd (&set->parent, epfd, G_IO_IN);
  g_hash_table_insert (registry, context, set);
  g_source_attach (&set->parent, context);
  return set;
}

CbSocketWatch *
cb_socket_watch_new (GSocket           *socket,
                     GMainContext      *context,
                     CbSocketWatchFunc  func,
                     gpointer           data)
{
  g_autoptr(GError) error = NULL;
  struct epoll_event event = { .events = EPOLLIN };
  CbSocketWatch *self;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (context == NULL)
    context = g_main_context_default ();
  self = g_new0 (CbSocketWatch, 1);
  self->socket = g_object_ref (socket);
  self->func = func;
  self->data = data;
  event.data.ptr = self;

  G_LOCK (registry_lock);
  self->set = set_for (context, &error);
  if (self->set != NULL &&
      epoll_ctl (self->set->epfd, EPOLL_CTL_ADD, g_socket_get_fd (socket), &event) < 0)
    {
      int saved = errno;

      /* Not ours to fail: a socket that cannot be watched is a programming error. */
      g_critical ("epoll_ctl (ADD, %d): %s", g_socket_get_fd (socket), g_strerror (saved));
    }
  G_UNLOCK (registry_lock);
  if (self->set == NULL)
    g_critical ("socket watch: %s", error->message);
  return self;
}

void
cb_socket_watch_free (CbSocketWatch *self)
{
  Set *set, *gone = NULL;

  if (self == NULL)
    return;
  set = self->set;
  if (set == NULL)
    {
      watch_release (self);
      return;
    }

  G_LOCK (registry_lock);
  g_atomic_int_set (&self->dead, 1);
  /* A socket closed already left the set as it closed, and its number may be another's
   * now: only an open one is taken out. */
  if (!g_socket_is_closed (self->socket) &&
      epoll_ctl (set->epfd, EPOLL_CTL_DEL, g_socket_get_fd (self->socket), NULL) < 0)
    g_warning ("epoll_ctl (DEL, %d): %s", g_socket_get_fd (self->socket), g_strerror (errno));
  /* Out of the set: the socket is the owner's again (a reference kept until the memory
   * goes would keep a connection dropped by its last reference open meanwhile). */
  g_clear_object (&self->socket);
  set->dead = g_slist_prepend (set->dead, self);
  if (--set->n_watches == 0)
    {
      g_hash_table_remove (registry, g_source_get_context (&set->parent));
      gone = set;
    }
  G_UNLOCK (registry_lock);

  if (gone != NULL)
    {
      /* A dispatch of it that runs (this free may come from one) holds a reference. */
      g_source_destroy (&gone->parent);
      g_source_unref (&gone->parent);
    }
}

#else /* !__linux__: the socket's own source */

struct _CbSocketWatch
{
  GSource           *source;
  CbSocketWatchFunc  func;
  gpointer           data;
};

static gboolean
on_socket (GSocket      *socket,
           GIOCondition  condition,
           gpointer      data)
{
  CbSocketWatch *self = data;

  self->func (self->data, condition);
  return G_SOURCE_CONTINUE;
}

CbSocketWatch *
cb_socket_watch_new (GSocket           *socket,
                     GMainContext      *context,
                     CbSocketWatchFunc  func,
                     gpointer           data)
{
  CbSocketWatch *self;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (CbSocketWatch, 1);
  self->func = func;
  self->data = data;
  self->source = g_socket_create_source (socket, G_IO_IN, NULL);   /* and HUP, ERR */
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_socket), self, NULL);
  g_source_set_static_name (self->source, "cb-socket-watch");
  g_source_set_can_recurse (self->source, TRUE);
  g_source_attach (self->source, context);
  return self;
}

void
cb_socket_watch_free (CbSocketWatch *self)
{
  if (self == NULL)
    return;
  /* Destroyed, the source's callback is not called again; a dispatch running holds it. */
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_free (self);
}

#endif

GSocket *
cb_socket_of_plain_connection (GIOStream *io)
{
  if (!G_IS_SOCKET_CONNECTION (io) || G_IS_TCP_WRAPPER_CONNECTION (io))
    return NULL;
  return g_socket_connection_get_socket (G_SOCKET_CONNECTION (io));
}

#ifdef __linux__
GPollableReturn
cb_socket_transfer (GSocket        *socket,
                    struct msghdr  *msg,
                    gboolean        send,
                    gsize          *done,
                    GError        **error)
{
  int fd = g_socket_get_fd (socket);   /* -1 once closed */
  gssize r;
  int e;

  *done = 0;
  if (fd < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Socket is already closed");
      return G_POLLABLE_RETURN_FAILED;
    }
  do
    r = send ? sendmsg (fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL) : recvmsg (fd, msg, MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r >= 0)
    {
      *done = (gsize) r;
      return G_POLLABLE_RETURN_OK;
    }
  e = errno;
  if (e == EAGAIN || e == EWOULDBLOCK)
    return G_POLLABLE_RETURN_WOULD_BLOCK;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
               send ? "Error sending data: %s" : "Error receiving data: %s", g_strerror (e));
  return G_POLLABLE_RETURN_FAILED;
}
#endif
