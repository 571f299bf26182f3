/* cb-rtmp-connection.c — the client side of an RTMP connection, shared by publisher and player
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the GMainContext the connection was created in, with GIO's async calls:
 * no thread, no blocking. Reading never stops (the server's acknowledgements, pings and
 * status messages are handled while media flows); writing drains an output queue one write
 * at a time, so a slow uplink shows as queued bytes the pusher can see.
 *
 * The connection is a plain struct that its owner (CbRtmpClient, CbRtmpPlayer) frees in
 * dispose. Each pending operation holds a reference on the owner rather than on the
 * connection, so the owner, and the connection with it, live as long as their I/O does.
 */
#include "config.h"

#include "cb-context.h"

#include "cb-rtmp-connection-private.h"
#include "cb-rtmp-session.h"
#include "cb-rtmp-reader.h"
#include "cb-rtmp-writer.h"

#define FLUSH_TIMEOUT_MS   2000

struct _CbRtmpConnection
{
  const CbRtmpConnectionRole *role;
  GObject            *owner;           /* not a reference: the owner holds us */

  CbRtmpUrl          *url;
  char               *bind_address;
  guint               timeout_ms;
  gboolean            tls_validation;

  CbRtmpConnectionState state;
  gboolean            accepted;        /* NetConnection.Connect.Success seen */
  GCancellable       *cancellable;     /* ours: cancelled on close */
  GSource            *timeout_source;
  GMainContext       *context;

  GSocketClient      *socket_client;
  GIOStream          *io;
  CbRtmpReader       *reader;          /* onto io */
  /* The session core of the current TCP connection, NULL before the first; those of
   * connections dropped by a restart stay here until we go, as a restart may come from
   * inside one of their callbacks. */
  CbRtmpSession      *session;
  CbRtmpWriter       *writer;          /* the session's onto io */
  GPtrArray          *retired;
  guint64             received;        /* over every TCP connection */

  gboolean            closing;         /* close once the queue is written */
  guint64             bytes_sent;      /* over every TCP connection */
};

/* For an operation about to start: the owner stays alive until its callback, which takes
 * the reference back with g_autoptr(GObject) owner = self->owner. */
static CbRtmpConnection *
hold (CbRtmpConnection *self)
{
  g_object_ref (self->owner);
  return self;
}

static void
release (gpointer data)
{
  CbRtmpConnection *self = data;

  g_object_unref (self->owner);
}

static CbRtmpUrl *
url_copy (const CbRtmpUrl *url)
{
  CbRtmpUrl *copy = g_new0 (CbRtmpUrl, 1);

  *copy = *url;
  copy->host = g_strdup (url->host);
  copy->app = g_strdup (url->app);
  copy->stream = g_strdup (url->stream);
  copy->query = g_strdup (url->query);
  copy->username = g_strdup (url->username);
  copy->password = g_strdup (url->password);
  return copy;
}

CbRtmpConnection *
cb_rtmp_connection_new (const CbRtmpConnectionRole *role,
                        GObject                    *owner,
                        const CbRtmpUrl            *url,
                        const char                 *bind_address,
                        guint                       timeout_ms,
                        gboolean                    tls_validation)
{
  CbRtmpConnection *self = g_new0 (CbRtmpConnection, 1);

  self->role = role;
  self->owner = owner;
  self->url = url_copy (url);
  self->bind_address = g_strdup (bind_address);
  self->timeout_ms = timeout_ms ? timeout_ms : 10000;
  self->tls_validation = tls_validation;
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->retired = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_session_free);
  return self;
}

void
cb_rtmp_connection_free (CbRtmpConnection *self)
{
  g_clear_pointer (&self->reader, cb_rtmp_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_writer_free);
  cb_clear_source (&self->timeout_source);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->io);
  g_clear_object (&self->socket_client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->url, cb_rtmp_url_free);
  g_free (self->bind_address);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->session, cb_rtmp_session_free);
  g_ptr_array_unref (self->retired);
  g_free (self);
}

CbRtmpConnectionState
cb_rtmp_connection_get_state (CbRtmpConnection *self)
{
  return self->state;
}

const CbRtmpUrl *
cb_rtmp_connection_get_url (CbRtmpConnection *self)
{
  return self->url;
}

gboolean
cb_rtmp_connection_is_accepted (CbRtmpConnection *self)
{
  return self->accepted;
}

gsize
cb_rtmp_connection_get_queued_bytes (CbRtmpConnection *self)
{
  return self->session != NULL ? cb_rtmp_session_get_queued_bytes (self->session) : 0;
}

gboolean
cb_rtmp_connection_is_congested (CbRtmpConnection *self)
{
  return self->session != NULL && cb_rtmp_session_is_congested (self->session);
}

guint64
cb_rtmp_connection_get_bytes_sent (CbRtmpConnection *self)
{
  return self->bytes_sent;
}

guint64
cb_rtmp_connection_get_bytes_received (CbRtmpConnection *self)
{
  return self->received;
}

char *
cb_rtmp_status_text (const CbAmf0Value *info,
                     const char        *fallback)
{
  const char *code = info ? cb_amf0_object_get_string (info, "code") : NULL;
  const char *description = info ? cb_amf0_object_get_string (info, "description") : NULL;

  if (code == NULL)
    return g_strdup (description ? description : fallback);
  if (description == NULL || *description == '\0')
    return g_strdup (code);
  return g_strdup_printf ("%s: %s", code, description);
}

/* ---- output --------------------------------------------------------------- */

static void
close_io (CbRtmpConnection *self)
{
  g_clear_pointer (&self->reader, cb_rtmp_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_writer_free);
  if (self->io != NULL)
    {
      g_io_stream_close_async (self->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->io);
    }
}

static void
finish_close (CbRtmpConnection *self)
{
  close_io (self);
  g_cancellable_cancel (self->cancellable);
}

static void
kick_write (CbRtmpConnection *self)
{
  if (self->writer == NULL)
    return;
  if (cb_rtmp_session_get_queued_bytes (self->session) > 0)
    cb_rtmp_writer_kick (self->writer);
  else if (self->closing)
    finish_close (self);
}

static void
on_written (gpointer  data,
            gsize     written,
            GError   *error)
{
  CbRtmpConnection *self = data;
  g_autoptr(GObject) owner = g_object_ref (self->owner);

  self->bytes_sent += written;
  if (error != NULL)
    {
      if (self->state != CB_RTMP_CONNECTION_CLOSED)
        cb_rtmp_connection_fail (self, g_error_copy (error));
      return;
    }
  if (self->closing && cb_rtmp_session_get_queued_bytes (self->session) == 0)
    finish_close (self);
}

static void
on_session_output (gpointer data)
{
  kick_write (data);
}

gboolean
cb_rtmp_connection_send_message (CbRtmpConnection *self,
                                 CbRtmpMessage    *message)
{
  if (self->session == NULL)
    return FALSE;
  return cb_rtmp_session_send_message (self->session, message);
}

gboolean
cb_rtmp_connection_send_media (CbRtmpConnection *self,
                               guint32           stream_id,
                               guint8            type_id,
                               guint32           timestamp,
                               GBytes           *payload)
{
  if (self->session == NULL)
    return FALSE;
  return cb_rtmp_session_send_media (self->session, stream_id, type_id, timestamp, payload);
}

gboolean
cb_rtmp_connection_send_form (CbRtmpConnection      *self,
                              const CbRtmpChunkForm *form,
                              guint32                stream_id,
                              guint32                timestamp)
{
  if (self->session == NULL)
    return FALSE;
  return cb_rtmp_session_send_form (self->session, form, stream_id, timestamp);
}

guint32
cb_rtmp_connection_get_chunk_size (CbRtmpConnection *self)
{
  return self->session != NULL ? cb_rtmp_session_get_chunk_size (self->session)
                               : CB_RTMP_DEFAULT_CHUNK_SIZE;
}

void
cb_rtmp_connection_send_command (CbRtmpConnection *self,
                                 guint32           stream_id,
                                 CbAmf0Command    *command)
{
  if (self->session != NULL)
    cb_rtmp_session_send_command (self->session, stream_id ? 8 : CB_RTMP_CSID_COMMAND,
                                  stream_id, command);
}

void
cb_rtmp_connection_set_chunk_size (CbRtmpConnection *self,
                                   guint32           chunk_size)
{
  if (self->session != NULL)
    cb_rtmp_session_set_chunk_size (self->session, chunk_size);
}

/* ---- states and timeouts -------------------------------------------------- */

static gboolean
on_timeout (gpointer data)
{
  CbRtmpConnection *self = data;
  const char *what[] = { "", "connecting", "the handshake", "connect", "createStream",
                         self->role->start_command, "", "" };

  if (self->state == CB_RTMP_CONNECTION_STARTED)
    {
      /* Only watch_silence arms the timer once started: the source must keep sending. */
      if (self->session != NULL &&
          g_get_monotonic_time () - cb_rtmp_session_get_last_input (self->session) <
          (gint64) self->timeout_ms * 1000)
        return G_SOURCE_CONTINUE;
      cb_rtmp_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                  "The source sent nothing for %u s",
                                                  self->timeout_ms / 1000));
      return G_SOURCE_REMOVE;
    }
  /* fail() destroys this source: allowed from its own callback. */
  cb_rtmp_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                              "No answer from the server during %s",
                                              what[self->state]));
  return G_SOURCE_REMOVE;
}

static void
set_state (CbRtmpConnection      *self,
           CbRtmpConnectionState  state)
{
  self->state = state;
  cb_clear_source (&self->timeout_source);
  if (state == CB_RTMP_CONNECTION_IDLE || state == CB_RTMP_CONNECTION_CLOSED ||
      (state == CB_RTMP_CONNECTION_STARTED && !self->role->watch_silence))
    return;
  /* Once started, the same timer watches for silence, once a second. */
  self->timeout_source = g_timeout_source_new (state == CB_RTMP_CONNECTION_STARTED
                                               ? 1000 : self->timeout_ms);
  g_source_set_callback (self->timeout_source, on_timeout, self, NULL);
  g_source_attach (self->timeout_source, self->context);
}

void
cb_rtmp_connection_set_state (CbRtmpConnection      *self,
                              CbRtmpConnectionState  state)
{
  g_assert (state == CB_RTMP_CONNECTION_STARTING || state == CB_RTMP_CONNECTION_STARTED);
  set_state (self, state);
}

/* Tells the owner, which may drop its last reference from its callback: the connection
 * may be gone when this returns. */
static void
report_closed (CbRtmpConnection *self,
               const GError     *error)
{
  GObject *owner = g_object_ref (self->owner);

  self->role->closed (owner, error);
  g_object_unref (owner);
}

static void
shut_down (CbRtmpConnection *self,
           const GError     *error)
{
  set_state (self, CB_RTMP_CONNECTION_CLOSED);
  g_cancellable_cancel (self->cancellable);
  close_io (self);
  report_closed (self, error);
}

void
cb_rtmp_connection_fail (CbRtmpConnection *self,
                         GError           *error)
{
  g_autoptr(GError) owned = error;

  if (self->state != CB_RTMP_CONNECTION_CLOSED)
    shut_down (self, owned);
}

void
cb_rtmp_connection_close (CbRtmpConnection *self)
{
  if (self->state != CB_RTMP_CONNECTION_CLOSED)
    shut_down (self, NULL);
}

static gboolean
on_flush_timeout (gpointer data)
{
  finish_close (data);
  return G_SOURCE_REMOVE;
}

void
cb_rtmp_connection_close_after_flush (CbRtmpConnection *self)
{
  GObject *owner;
  GSource *source;

  if (self->state == CB_RTMP_CONNECTION_CLOSED)
    return;
  self->closing = TRUE;
  set_state (self, CB_RTMP_CONNECTION_CLOSED);
  /* Closed for the owner at once; ours to keep until the rest is set up. */
  owner = g_object_ref (self->owner);
  report_closed (self, NULL);
  /* Written within two seconds, or dropped. The owner stays alive meanwhile. */
  source = g_timeout_source_new (FLUSH_TIMEOUT_MS);
  g_source_set_callback (source, on_flush_timeout, hold (self), release);
  g_source_attach (source, self->context);
  g_source_unref (source);
  kick_write (self);
  g_object_unref (owner);
}

/* ---- input ---------------------------------------------------------------- */

static void
handle_command (CbRtmpConnection *self,
                CbRtmpMessage    *message)
{
  gsize len;
  const guint8 *data = cb_rtmp_message_get_data (message, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Command) cmd = NULL;
  CbAmf0Value *info;

  if (message->type_id == CB_RTMP_MSG_COMMAND_AMF3 && len > 0)
    {
      data++;   /* AMF3 command messages start with a 0 and carry AMF0 */
      len--;
    }
  cmd = cb_amf0_command_decode (data, len, &error);
  if (cmd == NULL)
    {
      g_debug ("%s: undecodable command: %s", self->role->log_name, error->message);
      return;
    }
  info = cb_amf0_command_get_arg (cmd, 0);

  if (g_str_equal (cmd->name, "_result"))
    {
      if (cmd->transaction_id == CB_RTMP_CONNECTION_TXN_CONNECT &&
          self->state == CB_RTMP_CONNECTION_CONNECT)
        {
          g_autoptr(CbAmf0Command) create = NULL;

          self->accepted = TRUE;
          if (self->role->connected != NULL)
            self->role->connected (self->owner);
          create = cb_amf0_command_new ("createStream", self->role->create_stream_txn,
                                        cb_amf0_value_new_null ());
          cb_rtmp_connection_send_command (self, 0, create);
          set_state (self, CB_RTMP_CONNECTION_CREATE_STREAM);
        }
      else if (cmd->transaction_id == self->role->create_stream_txn &&
               self->state == CB_RTMP_CONNECTION_CREATE_STREAM)
        {
          if (info == NULL || cb_amf0_value_get_kind (info) != CB_AMF0_NUMBER ||
              !self->role->stream_created (self->owner, cb_amf0_value_get_number (info)))
            cb_rtmp_connection_fail (self,
                                     g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                                                  "createStream answered without a stream id"));
        }
      return;
    }

  if (g_str_equal (cmd->name, "close"))
    {
      cb_rtmp_connection_fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED,
                                                  "NetConnection.Connect.Closed"));
      return;
    }
  self->role->command (self->owner, cmd);
}

static gboolean
on_session_handshake_done (gpointer   data,
                           GError   **error)
{
  CbRtmpConnection *self = data;

  self->role->send_connect (self->owner);
  set_state (self, CB_RTMP_CONNECTION_CONNECT);
  return TRUE;
}

static gboolean
on_session_message (gpointer        data,
                    CbRtmpMessage  *message,
                    GError        **error)
{
  CbRtmpConnection *self = data;

  if (message->type_id == CB_RTMP_MSG_COMMAND_AMF0 ||
      message->type_id == CB_RTMP_MSG_COMMAND_AMF3)
    handle_command (self, message);
  else if (self->role->message != NULL)
    /* Set Chunk Size is applied by the reader, window sizes and pings answered by the
     * session; the rest (acknowledgements, media) is the role's business. */
    self->role->message (self->owner, message);
  /* Closed, or restarted for an authentication step: stop reading this socket. */
  return self->state != CB_RTMP_CONNECTION_CLOSED && self->io != NULL;
}

static const CbRtmpSessionFuncs session_funcs = {
  .handshake_done = on_session_handshake_done,
  .message = on_session_message,
  .output = on_session_output,
};

/* FALSE with @error when the connection must fail. */
static gboolean
process_input (CbRtmpConnection  *self,
               const guint8      *data,
               gsize              len,
               GError           **error)
{
  GError *local = NULL;

  self->received += len;
  if (cb_rtmp_session_feed (self->session, data, len, &local))
    return TRUE;
  if (local == NULL)
    return TRUE;   /* stopped by us */
  g_propagate_error (error, local);
  return FALSE;
}

/* What the socket has, fed to the session; the end or an error fails the connection. */
static gboolean
on_read (gpointer      data,
         const guint8 *bytes,
         gsize         n,
         GError       *error)
{
  CbRtmpConnection *self = data;
  g_autoptr(GObject) owner = g_object_ref (self->owner);   /* through the role's callbacks */
  g_autoptr(GError) local = NULL;

  if (self->state == CB_RTMP_CONNECTION_CLOSED || self->io == NULL)
    return FALSE;
  if (error != NULL)
    {
      cb_rtmp_connection_fail (self, g_error_copy (error));
      return FALSE;
    }
  if (bytes == NULL)
    {
      gboolean early = !self->accepted && self->role->tell_early_close;

      cb_rtmp_connection_fail (self,
                               g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            early ? "The server closed the connection before accepting it"
                                                  : "Connection closed by the server"));
      return FALSE;
    }
  if (!process_input (self, bytes, n, &local))
    {
      cb_rtmp_connection_fail (self, g_steal_pointer (&local));
      return FALSE;
    }
  /* Closed, or restarted (that reader is gone: it returns by itself). */
  return self->io != NULL && self->state != CB_RTMP_CONNECTION_CLOSED;
}

/* ---- connecting ----------------------------------------------------------- */

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  CbRtmpConnection *self = data;
  g_autoptr(GObject) owner = self->owner;
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source),
                                                                    result, &error);

  if (conn == NULL)
    {
      if (self->state != CB_RTMP_CONNECTION_CLOSED)
        cb_rtmp_connection_fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->state == CB_RTMP_CONNECTION_CLOSED)
    {
      g_object_unref (conn);
      return;
    }
  self->io = G_IO_STREAM (conn);
  g_clear_pointer (&self->reader, cb_rtmp_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_writer_free);
  /* The socket client's timeout stays on the socket, for reads too, unless the role says
   * otherwise. */
  if (self->role->reads_may_idle)
    g_socket_set_timeout (g_socket_connection_get_socket (conn), 0);

  /* A restart begins the chunk streams anew. */
  if (self->session != NULL)
    g_ptr_array_add (self->retired, g_steal_pointer (&self->session));
  self->session = cb_rtmp_session_new (cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_CLIENT),
                                       CB_RTMP_CONNECTION_WINDOW, &session_funcs, self);
  self->writer = cb_rtmp_writer_new (self->session, self->io, self->context, on_written, self);
  set_state (self, CB_RTMP_CONNECTION_HANDSHAKE);
  kick_write (self);   /* C0+C1 */
  self->reader = cb_rtmp_reader_new (self->io, self->context,
                                     on_read, self);
}

void
cb_rtmp_connection_start (CbRtmpConnection *self)
{
  g_clear_object (&self->socket_client);
  self->socket_client = g_socket_client_new ();
  g_socket_client_set_timeout (self->socket_client, (self->timeout_ms + 999) / 1000);
  /* RTMP goes straight to the server, as OBS's does: no system proxy (asking for one loads
   * libproxy and may fetch a PAC file for every connection). */
  g_socket_client_set_enable_proxy (self->socket_client, FALSE);
  if (self->url->tls)
    {
      g_socket_client_set_tls (self->socket_client, TRUE);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_socket_client_set_tls_validation_flags (self->socket_client,
                                                self->tls_validation
                                                ? G_TLS_CERTIFICATE_VALIDATE_ALL : 0);
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  if (self->bind_address != NULL)
    {
      g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (self->bind_address);

      if (addr != NULL)
        {
          g_autoptr(GSocketAddress) local = g_inet_socket_address_new (addr, 0);
          g_socket_client_set_local_address (self->socket_client, local);
        }
    }
  set_state (self, CB_RTMP_CONNECTION_TCP);
  g_socket_client_connect_to_host_async (self->socket_client, self->url->host, self->url->port,
                                         self->cancellable, on_tcp_connected, hold (self));
}

void
cb_rtmp_connection_restart (CbRtmpConnection *self)
{
  g_clear_pointer (&self->reader, cb_rtmp_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_writer_free);
  g_clear_object (&self->io);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* What was queued goes with the socket; the next one starts with a session of its own. */
  if (self->session != NULL)
    g_ptr_array_add (self->retired, g_steal_pointer (&self->session));
  cb_rtmp_connection_start (self);
}

void
cb_rtmp_connection_cancel (CbRtmpConnection *self)
{
  g_cancellable_cancel (self->cancellable);
}
