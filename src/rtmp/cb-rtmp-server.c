/* cb-rtmp-server.c — the server side of RTMP: a session state machine and a listener on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session turns the peer's bytes into calls of a CbRtmpServerHandler and queues what
 * it answers; it never touches a socket, so tests and the fuzzer feed it bytes. The
 * listener (cb-rtmp-server-listener.c) runs one per accepted socket.
 */
#include <string.h>

#include "cb-amf0.h"
#include "cb-rtmp-bytes-private.h"
#include "cb-rtmp-handshake.h"
#include "cb-rtmp-server.h"

#define OUT_CHUNK_SIZE       4096
#define SERVER_WINDOW        2500000
/* The peer may send this much before its connect is answered: a handshake and a connect
 * fit easily, a flood does not. */
#define MAX_PRE_CONNECT      (64 * 1024)

#define REASON_PUBLISHER_STOP "Stopped by publisher stop"
#define REASON_DISCONNECT     "Stopped by session disconnect"

typedef enum {
  SESSION_HANDSHAKE,
  SESSION_WAIT_CONNECT,
  SESSION_CONNECTED,
  SESSION_CLOSED,
} SessionState;

typedef enum {
  STREAM_IDLE,
  STREAM_PUBLISH,
  STREAM_PLAY,
} StreamKind;

typedef struct {
  guint32     id;        /* 0: the slot is free */
  StreamKind  kind;
  gpointer    handle;
  char       *name;
} MsgStream;

struct _CbRtmpServerSession
{
  const CbRtmpServerHandler *handler;
  gpointer            data;
  char               *peer;

  SessionState        state;
  CbRtmpHandshake    *handshake;
  CbRtmpChunkReader  *reader;
  CbRtmpChunkWriter  *writer;
  CbRtmpAckCounter    ack_counter;

  char               *app;
  char               *query;
  char               *tc_url;
  char               *flash_ver;

  MsgStream           streams[CB_RTMP_SERVER_MAX_STREAMS];
  guint32             next_stream_id;

  GQueue              out;          /* GBytes* */
  gsize               out_offset;
  gsize               queued;

  void              (*kick)  (gpointer data);
  void              (*close) (gpointer data);
  gpointer            transport;
};

/* ---- output ------------------------------------------------------------------------ */

static void
queue_bytes (CbRtmpServerSession *self,
             GBytes              *bytes)
{
  if (g_bytes_get_size (bytes) == 0)
    return;
  self->queued += g_bytes_get_size (bytes);
  g_queue_push_tail (&self->out, g_bytes_ref (bytes));
  if (self->kick != NULL)
    self->kick (self->transport);
}

static gboolean
send_message (CbRtmpServerSession *self,
              CbRtmpMessage       *message)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!cb_rtmp_chunk_writer_write (self->writer, message, out, &error))
    {
      g_debug ("RTMP server: cannot write a message: %s", error->message);
      return FALSE;
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  queue_bytes (self, bytes);
  return TRUE;
}

static void
send_command (CbRtmpServerSession *self,
              guint32              stream_id,
              CbAmf0Command       *command)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(CbRtmpMessage) message = NULL;

  cb_amf0_command_encode (command, body);
  message = cb_rtmp_message_new_from_data (stream_id ? CB_RTMP_CSID_DATA : CB_RTMP_CSID_COMMAND,
                                           CB_RTMP_MSG_COMMAND_AMF0, stream_id, 0,
                                           body->data, body->len);
  send_message (self, message);
}

static CbAmf0Value *
status_object (const char *level,
               const char *code,
               const char *description)
{
  CbAmf0Value *info = cb_amf0_value_new_object ();

  cb_amf0_object_set_string (info, "level", level);
  cb_amf0_object_set_string (info, "code", code);
  cb_amf0_object_set_string (info, "description", description ? description : "");
  return info;
}

void
cb_rtmp_server_session_send_status (CbRtmpServerSession *self,
                                    guint32              stream_id,
                                    const char          *level,
                                    const char          *code,
                                    const char          *description)
{
  g_autoptr(CbAmf0Command) cmd = NULL;

  g_return_if_fail (self != NULL);

  if (self->state == SESSION_CLOSED)
    return;
  cmd = cb_amf0_command_new ("onStatus", 0, cb_amf0_value_new_null ());
  cb_amf0_command_add_arg (cmd, status_object (level, code, description));
  send_command (self, stream_id, cmd);
}

void
cb_rtmp_server_session_send_user_control (CbRtmpServerSession    *self,
                                          CbRtmpUserControlEvent  event,
                                          guint32                 value)
{
  g_autoptr(CbRtmpMessage) message = NULL;

  g_return_if_fail (self != NULL);

  if (self->state == SESSION_CLOSED)
    return;
  message = cb_rtmp_message_new_user_control (event, value);
  send_message (self, message);
}

gboolean
cb_rtmp_server_session_send_media (CbRtmpServerSession *self,
                                   guint32              stream_id,
                                   guint8               type_id,
                                   guint32              timestamp,
                                   GBytes              *payload)
{
  g_autoptr(CbRtmpMessage) message = NULL;
  guint32 csid;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (self->state != SESSION_CONNECTED)
    return FALSE;
  csid = type_id == CB_RTMP_MSG_AUDIO ? CB_RTMP_CSID_AUDIO
         : type_id == CB_RTMP_MSG_VIDEO ? CB_RTMP_CSID_VIDEO : CB_RTMP_CSID_DATA;
  message = cb_rtmp_message_new (csid, type_id, stream_id, timestamp, payload);
  return send_message (self, message);
}

GBytes *
cb_rtmp_server_session_take_output (CbRtmpServerSession *self)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  GBytes *head;

  g_return_val_if_fail (self != NULL, NULL);

  while ((head = g_queue_pop_head (&self->out)) != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (head, &len);

      g_byte_array_append (out, data + self->out_offset, len - self->out_offset);
      self->out_offset = 0;
      g_bytes_unref (head);
    }
  self->queued = 0;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

const guint8 *
cb_rtmp_server_session_peek_output (CbRtmpServerSession *self,
                                    gsize               *len)
{
  GBytes *head;
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (self != NULL && len != NULL, NULL);

  head = g_queue_peek_head (&self->out);
  if (head == NULL)
    {
      *len = 0;
      return NULL;
    }
  data = g_bytes_get_data (head, &size);
  *len = size - self->out_offset;
  return data + self->out_offset;
}

void
cb_rtmp_server_session_consume_output (CbRtmpServerSession *self,
                                       gsize                n)
{
  g_return_if_fail (self != NULL);

  while (n > 0)
    {
      GBytes *head = g_queue_peek_head (&self->out);
      gsize left;

      g_return_if_fail (head != NULL);
      left = g_bytes_get_size (head) - self->out_offset;
      if (n < left)
        {
          self->out_offset += n;
          self->queued -= n;
          return;
        }
      n -= left;
      self->queued -= left;
      self->out_offset = 0;
      g_bytes_unref (g_queue_pop_head (&self->out));
    }
}

gsize
cb_rtmp_server_session_get_queued_bytes (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->queued;
}

void
cb_rtmp_server_session_set_transport (CbRtmpServerSession *self,
                                      void               (*kick)  (gpointer data),
                                      void               (*close) (gpointer data),
                                      gpointer             data)
{
  g_return_if_fail (self != NULL);

  self->kick = kick;
  self->close = close;
  self->transport = data;
}

/* ---- message streams ------------------------------------------------------------------ */

static MsgStream *
find_stream (CbRtmpServerSession *self,
             guint32              id)
{
  if (id == 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    if (self->streams[i].id == id)
      return &self->streams[i];
  return NULL;
}

static MsgStream *
add_stream (CbRtmpServerSession *self,
            guint32              id)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    if (self->streams[i].id == 0)
      {
        self->streams[i].id = id;
        self->streams[i].kind = STREAM_IDLE;
        return &self->streams[i];
      }
  return NULL;
}

/* Ends the publish or play on @s, if any; the slot stays. */
static void
end_stream (CbRtmpServerSession *self,
            MsgStream           *s,
            const char          *reason)
{
  gpointer handle = s->handle;

  if (s->kind == STREAM_IDLE)
    return;
  s->kind = STREAM_IDLE;
  s->handle = NULL;
  g_clear_pointer (&s->name, g_free);
  if (self->handler->end != NULL)
    self->handler->end (self->data, handle, reason);
}

static void
end_all_streams (CbRtmpServerSession *self,
                 const char          *reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    if (self->streams[i].id != 0)
      end_stream (self, &self->streams[i], reason);
}

/* ---- lifetime --------------------------------------------------------------------------- */

/**
 * cb_rtmp_server_session_new:
 * @peer: (nullable): the peer's address, for logs and the handler
 *
 * Returns: (transfer full): a session waiting for the client's C0+C1
 */
CbRtmpServerSession *
cb_rtmp_server_session_new (const CbRtmpServerHandler *handler,
                            gpointer                   data,
                            const char                *peer)
{
  CbRtmpServerSession *self;

  g_return_val_if_fail (handler != NULL, NULL);

  self = g_new0 (CbRtmpServerSession, 1);
  self->handler = handler;
  self->data = data;
  self->peer = g_strdup (peer);
  self->state = SESSION_HANDSHAKE;
  self->handshake = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_SERVER);
  self->reader = cb_rtmp_chunk_reader_new ();
  self->writer = cb_rtmp_chunk_writer_new ();
  self->next_stream_id = 1;
  cb_rtmp_ack_counter_init (&self->ack_counter, SERVER_WINDOW);
  g_queue_init (&self->out);
  return self;
}

void
cb_rtmp_server_session_free (CbRtmpServerSession *self)
{
  if (self == NULL)
    return;
  self->kick = NULL;
  self->close = NULL;
  if (self->state != SESSION_CLOSED)
    {
      self->state = SESSION_CLOSED;
      end_all_streams (self, REASON_DISCONNECT);
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    g_free (self->streams[i].name);
  g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
  g_clear_pointer (&self->reader, cb_rtmp_chunk_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_chunk_writer_free);
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  g_free (self->peer);
  g_free (self->app);
  g_free (self->query);
  g_free (self->tc_url);
  g_free (self->flash_ver);
  g_free (self);
}

void
cb_rtmp_server_session_close (CbRtmpServerSession *self,
                              const char          *reason)
{
  g_return_if_fail (self != NULL);

  if (self->state == SESSION_CLOSED)
    return;
  self->state = SESSION_CLOSED;
  end_all_streams (self, reason ? reason : REASON_DISCONNECT);
  if (self->close != NULL)
    self->close (self->transport);
}

gboolean
cb_rtmp_server_session_is_closed (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->state == SESSION_CLOSED;
}

gboolean
cb_rtmp_server_session_is_connected (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == SESSION_CONNECTED;
}

gboolean
cb_rtmp_server_session_is_active (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    if (self->streams[i].id != 0 && self->streams[i].kind != STREAM_IDLE)
      return TRUE;
  return FALSE;
}

const char *
cb_rtmp_server_session_get_peer (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->peer;
}

const char *
cb_rtmp_server_session_get_app (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->app;
}

const char *
cb_rtmp_server_session_get_flash_ver (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->flash_ver;
}

const char *
cb_rtmp_server_session_get_connect_query (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->query;
}

/* ---- commands ------------------------------------------------------------------------------ */

/* A string without NUL bytes (AMF0 strings may hold them; names and apps must not). */
static const char *
plain_string (const CbAmf0Value *value)
{
  const char *s;
  gsize len;

  if (value == NULL)
    return NULL;
  s = cb_amf0_value_get_string (value, &len);
  if (s == NULL || memchr (s, '\0', len) != NULL)
    return NULL;
  return s;
}

static const char *
object_string (const CbAmf0Value *object,
               const char        *key)
{
  if (object == NULL || !cb_amf0_value_is_container (object))
    return NULL;
  return plain_string (cb_amf0_object_get (object, key));
}

static void
send_result (CbRtmpServerSession *self,
             gdouble              txn,
             CbAmf0Value         *command_object,
             CbAmf0Value         *arg)
{
  g_autoptr(CbAmf0Command) cmd = cb_amf0_command_new ("_result", txn,
                                                      command_object ? command_object
                                                                     : cb_amf0_value_new_null ());

  if (arg != NULL)
    cb_amf0_command_add_arg (cmd, arg);
  send_command (self, 0, cmd);
}

static gboolean
handle_connect (CbRtmpServerSession  *self,
                const CbAmf0Command  *cmd,
                GError              **error)
{
  const CbAmf0Value *obj = cmd->command_object;
  const char *app = object_string (obj, "app");
  const char *q;
  g_autoptr(GError) refusal = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(CbRtmpMessage) wack = NULL;
  g_autoptr(CbRtmpMessage) bw = NULL;
  g_autoptr(GBytes) bytes = NULL;
  CbRtmpConnectInfo info = { 0 };
  CbAmf0Value *props;
  CbAmf0Value *status;

  if (app == NULL)
    app = "";
  q = strchr (app, '?');
  self->app = q ? g_strndup (app, q - app) : g_strdup (app);
  self->tc_url = g_strdup (object_string (obj, "tcUrl"));
  self->flash_ver = g_strdup (object_string (obj, "flashVer"));
  if (q != NULL)
    self->query = g_strdup (q + 1);
  else if (self->tc_url != NULL && strchr (self->tc_url, '?') != NULL)
    self->query = g_strdup (strchr (self->tc_url, '?') + 1);
  /* A trailing slash (rtmp://host/live/) is no part of the application. */
  while (self->app[0] != '\0' && self->app[strlen (self->app) - 1] == '/')
    self->app[strlen (self->app) - 1] = '\0';

  info.app = self->app;
  info.query = self->query;
  info.tc_url = self->tc_url;
  info.flash_ver = self->flash_ver;
  info.peer = self->peer;

  if (self->handler->connect != NULL &&
      !self->handler->connect (self->data, self, &info, &refusal))
    {
      g_autoptr(CbAmf0Command) reject = cb_amf0_command_new ("_error", cmd->transaction_id,
                                                             cb_amf0_value_new_null ());
      const char *why = refusal ? refusal->message : "Rejected";

      cb_amf0_command_add_arg (reject, status_object ("error", "NetConnection.Connect.Rejected",
                                                      why));
      send_command (self, 0, reject);
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED,
                   "connect refused: %s", why);
      return FALSE;
    }

  wack = cb_rtmp_message_new_window_ack_size (SERVER_WINDOW);
  send_message (self, wack);
  bw = cb_rtmp_message_new_set_peer_bandwidth (SERVER_WINDOW, CB_RTMP_LIMIT_DYNAMIC);
  send_message (self, bw);
  if (cb_rtmp_chunk_writer_write_set_chunk_size (self->writer, OUT_CHUNK_SIZE, out, NULL))
    {
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
      queue_bytes (self, bytes);
    }

  props = cb_amf0_value_new_object ();
  cb_amf0_object_set_string (props, "fmsVer", "FMS/3,0,1,123");
  cb_amf0_object_set_number (props, "capabilities", 31);
  cb_amf0_object_set_number (props, "mode", 1);
  status = status_object ("status", "NetConnection.Connect.Success", "Connection succeeded.");
  /* We speak AMF0 only: a client asking for AMF3 reads 0 here and falls back. */
  cb_amf0_object_set_number (status, "objectEncoding", 0);
  send_result (self, cmd->transaction_id, props, status);
  self->state = SESSION_CONNECTED;
  g_debug ("RTMP server: %s connected to \"%s\" (%s)", self->peer ? self->peer : "?",
           self->app, self->flash_ver ? self->flash_ver : "no flashVer");
  return TRUE;
}

/* "name?query" → name and query; a name is what is left of the first '?'. */
static void
split_name (const char  *full,
            char       **name,
            char       **query)
{
  const char *q = strchr (full, '?');

  *name = q ? g_strndup (full, q - full) : g_strdup (full);
  *query = q ? g_strdup (q + 1) : NULL;
}

static MsgStream *
stream_for_command (CbRtmpServerSession *self,
                    guint32              stream_id)
{
  MsgStream *s = find_stream (self, stream_id);

  /* Some clients publish on a stream id they never asked for: take it if there is room. */
  if (s == NULL && stream_id != 0)
    s = add_stream (self, stream_id);
  return s;
}

/* Asks the handler to publish or play @name on @s. TRUE with s->handle set when it may;
 * TRUE with s->handle NULL when it refused (the peer was told why); FALSE with @error when
 * the connection must end (the handler closed it, or rejected the whole connection). */
static gboolean
open_stream (CbRtmpServerSession  *self,
             MsgStream            *s,
             guint32               stream_id,
             StreamKind            kind,
             const char           *name,
             const char           *query,
             GError              **error)
{
  gboolean publish = kind == STREAM_PUBLISH;
  g_autoptr(GError) refusal = NULL;
  gpointer handle;

  handle = (publish ? self->handler->publish : self->handler->play)
             (self->data, self, stream_id, name, query, &refusal);
  if (self->state == SESSION_CLOSED)
    {
      if (handle != NULL && self->handler->end != NULL)
        self->handler->end (self->data, handle, REASON_DISCONNECT);
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "closed by the handler");
      return FALSE;
    }
  if (handle == NULL)
    {
      const char *why = refusal ? refusal->message : publish ? "Refused" : "Stream not found";

      if (g_error_matches (refusal, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED))
        {
          cb_rtmp_server_session_send_status (self, stream_id, "error",
                                              "NetConnection.Connect.Rejected", why);
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s refused: %s",
                       publish ? "publish" : "play", why);
          return FALSE;
        }
      if (publish)
        g_debug ("RTMP server: %s may not publish: %s", self->peer ? self->peer : "?", why);
      cb_rtmp_server_session_send_status (self, stream_id, "error",
                                          publish ? "NetStream.Publish.BadName"
                                                  : "NetStream.Play.StreamNotFound", why);
      return TRUE;
    }
  s->kind = kind;
  s->handle = handle;
  s->name = g_strdup (name);
  return TRUE;
}

static gboolean
handle_publish (CbRtmpServerSession  *self,
                guint32               stream_id,
                const CbAmf0Command  *cmd,
                GError              **error)
{
  const CbAmf0Value *arg = cb_amf0_command_get_arg (cmd, 0);
  MsgStream *s = stream_for_command (self, stream_id);
  g_autofree char *name = NULL;
  g_autofree char *query = NULL;
  const char *full;

  if (s == NULL)
    {
      cb_rtmp_server_session_send_status (self, stream_id, "error", "NetStream.Publish.BadName",
                                          "publish on no stream");
      return TRUE;
    }

  /* publish(false): the AMS republish script's way to stop, before publishing another. */
  if (arg != NULL && cb_amf0_value_get_kind (arg) == CB_AMF0_BOOLEAN &&
      !cb_amf0_value_get_boolean (arg))
    {
      g_autofree char *old = g_strdup (s->name ? s->name : "");
      gboolean was_publishing = s->kind == STREAM_PUBLISH;

      end_stream (self, s, REASON_PUBLISHER_STOP);
      if (was_publishing)
        cb_rtmp_server_session_send_status (self, stream_id, "status",
                                            "NetStream.Unpublish.Success", old);
      return TRUE;
    }

  full = plain_string (arg);
  if (full == NULL || *full == '\0')
    {
      cb_rtmp_server_session_send_status (self, stream_id, "error", "NetStream.Publish.BadName",
                                          "No stream name");
      return TRUE;
    }
  split_name (full, &name, &query);
  if (s->kind != STREAM_IDLE)
    end_stream (self, s, REASON_PUBLISHER_STOP);

  if (!open_stream (self, s, stream_id, STREAM_PUBLISH, name, query, error))
    return FALSE;
  if (s->handle == NULL)
    return TRUE;   /* refused, and told */
  cb_rtmp_server_session_send_user_control (self, CB_RTMP_USER_STREAM_BEGIN, stream_id);
  {
    g_autofree char *text = g_strdup_printf ("%s is now published.", name);
    cb_rtmp_server_session_send_status (self, stream_id, "status", "NetStream.Publish.Start",
                                        text);
  }
  return TRUE;
}

static gboolean
handle_play (CbRtmpServerSession  *self,
             guint32               stream_id,
             const CbAmf0Command  *cmd,
             GError              **error)
{
  const char *full = plain_string (cb_amf0_command_get_arg (cmd, 0));
  MsgStream *s = stream_for_command (self, stream_id);
  g_autofree char *name = NULL;
  g_autofree char *query = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GByteArray) access = g_byte_array_new ();
  g_autoptr(GBytes) access_bytes = NULL;
  g_autoptr(CbRtmpMessage) access_msg = NULL;

  if (s == NULL || full == NULL || *full == '\0')
    {
      cb_rtmp_server_session_send_status (self, stream_id, "error",
                                          "NetStream.Play.StreamNotFound", "No stream name");
      return TRUE;
    }
  split_name (full, &name, &query);
  if (s->kind != STREAM_IDLE)
    end_stream (self, s, "Stopped by player");

  /* What players expect before any media; the handler sends media later, from its own
   * queue, so these go first. */
  cb_rtmp_server_session_send_user_control (self, CB_RTMP_USER_STREAM_BEGIN, stream_id);

  if (!open_stream (self, s, stream_id, STREAM_PLAY, name, query, error))
    return FALSE;
  if (s->handle == NULL)
    return TRUE;   /* refused, and told */
  text = g_strdup_printf ("Playing and resetting %s.", name);
  cb_rtmp_server_session_send_status (self, stream_id, "status", "NetStream.Play.Reset", text);
  g_free (text);
  text = g_strdup_printf ("Started playing %s.", name);
  cb_rtmp_server_session_send_status (self, stream_id, "status", "NetStream.Play.Start", text);
  cb_amf0_write_string (access, "|RtmpSampleAccess");
  cb_amf0_write_boolean (access, TRUE);
  cb_amf0_write_boolean (access, TRUE);
  access_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&access));
  access_msg = cb_rtmp_message_new (CB_RTMP_CSID_DATA, CB_RTMP_MSG_DATA_AMF0, stream_id, 0,
                                    access_bytes);
  send_message (self, access_msg);
  return TRUE;
}

static void
handle_delete_stream (CbRtmpServerSession *self,
                      const CbAmf0Command *cmd)
{
  const CbAmf0Value *arg = cb_amf0_command_get_arg (cmd, 0);
  MsgStream *s;
  gdouble id;

  if (arg == NULL || cb_amf0_value_get_kind (arg) != CB_AMF0_NUMBER)
    return;
  id = cb_amf0_value_get_number (arg);
  if (!(id >= 1 && id <= G_MAXUINT32))
    return;
  s = find_stream (self, (guint32) id);
  if (s == NULL)
    return;
  end_stream (self, s, REASON_PUBLISHER_STOP);
  s->id = 0;
}

static gboolean
handle_command (CbRtmpServerSession  *self,
                CbRtmpMessage        *message,
                GError              **error)
{
  gsize len;
  const guint8 *data = cb_rtmp_message_get_data (message, &len);
  g_autoptr(CbAmf0Command) cmd = NULL;
  g_autoptr(GError) local_error = NULL;

  if (message->type_id == CB_RTMP_MSG_COMMAND_AMF3 && len > 0)
    {
      data++;   /* AMF3 command messages start with a 0 and carry AMF0 */
      len--;
    }
  cmd = cb_amf0_command_decode (data, len, &local_error);
  if (cmd == NULL)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED, "undecodable command: %s",
                   local_error->message);
      return FALSE;
    }

  if (self->state == SESSION_WAIT_CONNECT)
    {
      if (!g_str_equal (cmd->name, "connect"))
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                       "\"%.32s\" before connect", cmd->name);
          return FALSE;
        }
      return handle_connect (self, cmd, error);
    }

  if (g_str_equal (cmd->name, "connect"))
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL, "a second connect");
      return FALSE;
    }
  if (g_str_equal (cmd->name, "createStream"))
    {
      MsgStream *s = NULL;

      while (s == NULL && find_stream (self, self->next_stream_id) == NULL)
        {
          s = add_stream (self, self->next_stream_id);
          if (s == NULL)
            break;
        }
      if (s == NULL)
        {
          g_autoptr(CbAmf0Command) err = cb_amf0_command_new ("_error", cmd->transaction_id,
                                                              cb_amf0_value_new_null ());

          cb_amf0_command_add_arg (err, status_object ("error", "NetStream.Failed",
                                                       "Too many streams"));
          send_command (self, 0, err);
          return TRUE;
        }
      self->next_stream_id = self->next_stream_id % 1000000 + 1;
      send_result (self, cmd->transaction_id, NULL, cb_amf0_value_new_number (s->id));
      return TRUE;
    }
  if (g_str_equal (cmd->name, "publish"))
    return handle_publish (self, message->stream_id, cmd, error);
  if (g_str_equal (cmd->name, "play"))
    return handle_play (self, message->stream_id, cmd, error);
  if (g_str_equal (cmd->name, "deleteStream"))
    {
      handle_delete_stream (self, cmd);
      return TRUE;
    }
  if (g_str_equal (cmd->name, "closeStream"))
    {
      MsgStream *s = find_stream (self, message->stream_id);

      if (s != NULL)
        end_stream (self, s, REASON_PUBLISHER_STOP);
      return TRUE;
    }
  if (g_str_equal (cmd->name, "FCUnpublish"))
    {
      const char *full = plain_string (cb_amf0_command_get_arg (cmd, 0));
      g_autofree char *name = NULL;
      g_autofree char *query = NULL;
      g_autoptr(CbAmf0Command) note = cb_amf0_command_new ("onFCUnpublish", 0,
                                                           cb_amf0_value_new_null ());

      if (full != NULL)
        {
          split_name (full, &name, &query);
          for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
            if (self->streams[i].id != 0 && self->streams[i].kind == STREAM_PUBLISH &&
                g_strcmp0 (self->streams[i].name, name) == 0)
              end_stream (self, &self->streams[i], REASON_PUBLISHER_STOP);
        }
      cb_amf0_command_add_arg (note, status_object ("status", "NetStream.Unpublish.Success",
                                                    name ? name : ""));
      send_command (self, 0, note);
      if (cmd->transaction_id != 0)
        send_result (self, cmd->transaction_id, NULL, cb_amf0_value_new_undefined ());
      return TRUE;
    }
  if (g_str_equal (cmd->name, "FCPublish"))
    {
      const char *full = plain_string (cb_amf0_command_get_arg (cmd, 0));
      g_autoptr(CbAmf0Command) note = cb_amf0_command_new ("onFCPublish", 0,
                                                           cb_amf0_value_new_null ());

      cb_amf0_command_add_arg (note, status_object ("status", "NetStream.Publish.Start",
                                                    full ? full : ""));
      send_command (self, 0, note);
      if (cmd->transaction_id != 0)
        send_result (self, cmd->transaction_id, NULL, cb_amf0_value_new_undefined ());
      return TRUE;
    }
  if (g_str_equal (cmd->name, "releaseStream") || g_str_equal (cmd->name, "FCSubscribe"))
    {
      if (cmd->transaction_id != 0)
        send_result (self, cmd->transaction_id, NULL, cb_amf0_value_new_undefined ());
      return TRUE;
    }
  if (g_str_equal (cmd->name, "getStreamLength"))
    {
      send_result (self, cmd->transaction_id, NULL, cb_amf0_value_new_number (0));
      return TRUE;
    }
  /* pause, seek, receiveAudio, receiveVideo, _checkbw, …: nothing to do for live. */
  g_debug ("RTMP server: ignoring command %.32s", cmd->name);
  return TRUE;
}

static void
deliver_media (CbRtmpServerSession *self,
               guint32              stream_id,
               guint8               type_id,
               guint32              timestamp,
               GBytes              *payload)
{
  MsgStream *s = find_stream (self, stream_id);

  if (s == NULL || s->kind != STREAM_PUBLISH)
    return;   /* media for no publish: nginx drops it as well */
  if (self->handler->media != NULL)
    self->handler->media (self->data, s->handle, type_id, timestamp, payload);
}

/* An aggregate message (type 22) holds FLV tags: type, size, timestamp, stream id, body,
 * previous tag size. Their timestamps are relative to the first one. */
static gboolean
handle_aggregate (CbRtmpServerSession  *self,
                  CbRtmpMessage        *message,
                  GError              **error)
{
  gsize len, off = 0;
  const guint8 *data = cb_rtmp_message_get_data (message, &len);
  guint32 first_ts = 0;
  gboolean first = TRUE;

  while (off < len && self->state == SESSION_CONNECTED)
    {
      guint8 type;
      guint32 size, ts;
      g_autoptr(GBytes) body = NULL;

      if (len - off < 11)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "truncated aggregate message");
          return FALSE;
        }
      type = data[off] & 0x1f;
      size = cb_read_be24 (data + off + 1);
      ts = cb_read_be24 (data + off + 4) | ((guint32) data[off + 7] << 24);
      if (size > len - off - 11)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "aggregate tag longer than its message");
          return FALSE;
        }
      if (first)
        {
          first_ts = ts;
          first = FALSE;
        }
      body = g_bytes_new_from_bytes (message->payload, off + 11, size);
      if (type == CB_RTMP_MSG_AUDIO || type == CB_RTMP_MSG_VIDEO || type == CB_RTMP_MSG_DATA_AMF0)
        deliver_media (self, message->stream_id, type, message->timestamp + (ts - first_ts), body);
      off += 11 + size;
      off += MIN (4, len - off);   /* previous tag size */
    }
  return TRUE;
}

static gboolean
handle_message (CbRtmpServerSession  *self,
                CbRtmpMessage        *message,
                GError              **error)
{
  guint32 value;

  switch (message->type_id)
    {
    case CB_RTMP_MSG_WINDOW_ACK_SIZE:
      if (!cb_rtmp_control_parse_u32 (message, &value, error))
        return FALSE;
      cb_rtmp_ack_counter_set_window (&self->ack_counter, value);
      return TRUE;
    case CB_RTMP_MSG_USER_CONTROL:
      {
        CbRtmpUserControl uc;

        if (!cb_rtmp_control_parse_user_control (message, &uc, error))
          return FALSE;
        if (uc.event == CB_RTMP_USER_PING_REQUEST)
          cb_rtmp_server_session_send_user_control (self, CB_RTMP_USER_PING_RESPONSE, uc.value);
        return TRUE;
      }
    case CB_RTMP_MSG_COMMAND_AMF0:
    case CB_RTMP_MSG_COMMAND_AMF3:
      return handle_command (self, message, error);
    case CB_RTMP_MSG_AUDIO:
    case CB_RTMP_MSG_VIDEO:
    case CB_RTMP_MSG_DATA_AMF0:
    case CB_RTMP_MSG_DATA_AMF3:
      if (self->state != SESSION_CONNECTED)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL, "%s before connect",
                       cb_rtmp_message_type_to_string (message->type_id));
          return FALSE;
        }
      if (message->type_id == CB_RTMP_MSG_DATA_AMF3)
        {
          g_autoptr(GBytes) body = NULL;

          if (g_bytes_get_size (message->payload) < 1)
            return TRUE;
          body = g_bytes_new_from_bytes (message->payload, 1,
                                         g_bytes_get_size (message->payload) - 1);
          deliver_media (self, message->stream_id, CB_RTMP_MSG_DATA_AMF0, message->timestamp, body);
          return TRUE;
        }
      deliver_media (self, message->stream_id, message->type_id, message->timestamp,
                     message->payload);
      return TRUE;
    case CB_RTMP_MSG_AGGREGATE:
      if (self->state != SESSION_CONNECTED)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                               "aggregate before connect");
          return FALSE;
        }
      return handle_aggregate (self, message, error);
    default:
      /* Set Chunk Size and Abort are applied by the reader; acknowledgements, peer
       * bandwidth and shared objects need nothing from us. */
      return TRUE;
    }
}

gboolean
cb_rtmp_server_session_feed (CbRtmpServerSession  *self,
                             const guint8         *data,
                             gsize                 len,
                             GError              **error)
{
  guint32 seq;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->state == SESSION_CLOSED)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "session closed");
      return FALSE;
    }

  if (cb_rtmp_ack_counter_add (&self->ack_counter, len, &seq) && self->state == SESSION_CONNECTED)
    {
      g_autoptr(CbRtmpMessage) ack = cb_rtmp_message_new_acknowledgement (seq);
      send_message (self, ack);
    }

  if (self->state == SESSION_HANDSHAKE)
    {
      gsize consumed = 0;
      g_autoptr(GBytes) reply = NULL;

      if (!cb_rtmp_handshake_feed (self->handshake, data, len, &consumed, error))
        return FALSE;
      reply = cb_rtmp_handshake_take_output (self->handshake);
      if (reply != NULL)
        queue_bytes (self, reply);
      if (!cb_rtmp_handshake_is_done (self->handshake))
        return TRUE;
      g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
      self->state = SESSION_WAIT_CONNECT;
      data += consumed;
      len -= consumed;
    }

  if (self->state == SESSION_WAIT_CONNECT && self->ack_counter.received > MAX_PRE_CONNECT)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                           "too many bytes before connect");
      return FALSE;
    }

  if (len > 0)
    cb_rtmp_chunk_reader_feed (self->reader, data, len);
  for (;;)
    {
      g_autoptr(CbRtmpMessage) message = NULL;

      if (!cb_rtmp_chunk_reader_next (self->reader, &message, error))
        return FALSE;
      if (message == NULL)
        break;
      if (!handle_message (self, message, error))
        return FALSE;
      if (self->state == SESSION_CLOSED)
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "session closed");
          return FALSE;
        }
    }
  return TRUE;
}
