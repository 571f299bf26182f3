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
#include "cb-rtmp-server-private.h"
#include "cb-rtmp-session.h"

/* SRS's default: most media messages of a few Mbit/s stream fit one chunk, so their chunk
 * form is the payload itself, shared with the stream (no copy with a header every 4 KiB
 * per message, which for a 6 Mbit/s stream is a GOP's 1.5 MiB while anyone plays it).
 * Every RTMP player takes it (ffmpeg, librtmp, VLC, Flash, nginx-rtmp pulls). */
#define OUT_CHUNK_SIZE       60000
#define SERVER_WINDOW        2500000
/* The peer may send this much before its connect is answered: a handshake and a connect
 * fit easily, a flood does not. */
#define MAX_PRE_CONNECT      (64 * 1024)

#define REASON_PUBLISHER_STOP "Stopped by publisher stop"
#define REASON_DISCONNECT     "Stopped by session disconnect"

typedef enum {
  SESSION_WAIT_CONNECT,   /* the core runs the handshake first */
  SESSION_CONNECTED,
  SESSION_CLOSED,
} SessionState;

typedef enum {
  STREAM_IDLE,
  STREAM_PUBLISH,
  STREAM_PLAY,
} StreamKind;

static const CbRtmpSessionFuncs core_funcs;

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
  CbRtmpSession      *core;

  char               *app;
  char               *query;
  char               *tc_url;
  char               *flash_ver;

  MsgStream           streams[CB_RTMP_SERVER_MAX_STREAMS];
  guint32             next_stream_id;

  void              (*kick)  (gpointer data);
  void              (*close) (gpointer data);
  gpointer            transport;
};

/* ---- output ------------------------------------------------------------------------ */

static gboolean
send_message (CbRtmpServerSession *self,
              CbRtmpMessage       *message)
{
  return cb_rtmp_session_send_message (self->core, message);
}

static void
send_command (CbRtmpServerSession *self,
              guint32              stream_id,
              CbAmf0Command       *command)
{
  cb_rtmp_session_send_command (self->core, stream_id ? CB_RTMP_CSID_DATA : CB_RTMP_CSID_COMMAND,
                                stream_id, command);
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
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (self->state != SESSION_CONNECTED)
    return FALSE;
  return cb_rtmp_session_send_media (self->core, stream_id, type_id, timestamp, payload);
}

/**
 * cb_rtmp_server_session_send_form:
 * @form: media serialized once for every player (cb_rtmp_chunk_form_new() with
 *   cb_rtmp_server_session_get_chunk_size() and cb_rtmp_media_csid() of its type)
 * @stream_id: the player's message stream id
 * @timestamp: the timestamp for this player
 *
 * Queues shared media: only the first chunk's header is this session's own.
 * Returns: %FALSE once closed
 */
gboolean
cb_rtmp_server_session_send_form (CbRtmpServerSession   *self,
                                  guint32                stream_id,
                                  const CbRtmpChunkForm *form,
                                  guint32                timestamp)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (form != NULL, FALSE);

  if (self->state != SESSION_CONNECTED)
    return FALSE;
  return cb_rtmp_session_send_form (self->core, form, stream_id, timestamp);
}

guint32
cb_rtmp_server_session_get_chunk_size (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return cb_rtmp_session_get_chunk_size (self->core);
}

GBytes *
cb_rtmp_server_session_take_output (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return cb_rtmp_session_take_output (self->core);
}

const guint8 *
cb_rtmp_server_session_peek_output (CbRtmpServerSession *self,
                                    gsize               *len)
{
  GOutputVector v;

  g_return_val_if_fail (self != NULL && len != NULL, NULL);

  if (cb_rtmp_session_peek_vectors (self->core, &v, 1) == 0)
    {
      *len = 0;
      return NULL;
    }
  *len = v.size;
  return v.buffer;
}

void
cb_rtmp_server_session_consume_output (CbRtmpServerSession *self,
                                       gsize                n)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n <= cb_rtmp_session_get_queued_bytes (self->core));

  cb_rtmp_session_consume_output (self->core, n);
}

gsize
cb_rtmp_server_session_get_queued_bytes (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return cb_rtmp_session_get_queued_bytes (self->core);
}

gboolean
cb_rtmp_server_session_is_congested (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return cb_rtmp_session_is_congested (self->core);
}

CbRtmpSession *
cb_rtmp_server_session_get_core (CbRtmpServerSession *self)
{
  return self->core;
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
  self->state = SESSION_WAIT_CONNECT;
  self->core = cb_rtmp_session_new (cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_SERVER),
                                    SERVER_WINDOW, &core_funcs, self);
  cb_rtmp_session_set_input_limit (self->core, MAX_PRE_CONNECT);
  self->next_stream_id = 1;
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
  g_clear_pointer (&self->core, cb_rtmp_session_free);
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

gboolean
cb_rtmp_server_session_is_playing (CbRtmpServerSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    if (self->streams[i].id != 0 && self->streams[i].kind == STREAM_PLAY)
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
  g_autoptr(CbRtmpMessage) wack = NULL;
  g_autoptr(CbRtmpMessage) bw = NULL;
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
  cb_rtmp_session_set_chunk_size (self->core, OUT_CHUNK_SIZE);

  props = cb_amf0_value_new_object ();
  cb_amf0_object_set_string (props, "fmsVer", "FMS/3,0,1,123");
  cb_amf0_object_set_number (props, "capabilities", 31);
  cb_amf0_object_set_number (props, "mode", 1);
  status = status_object ("status", "NetConnection.Connect.Success", "Connection succeeded.");
  /* We speak AMF0 only: a client asking for AMF3 reads 0 here and falls back. */
  cb_amf0_object_set_number (status, "objectEncoding", 0);
  send_result (self, cmd->transaction_id, props, status);
  self->state = SESSION_CONNECTED;
  cb_rtmp_session_set_input_limit (self->core, 0);
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

typedef struct {
  CbRtmpServerSession *self;
  guint32              stream_id;
} AggregateTarget;

static gboolean
deliver_aggregated (gpointer  data,
                    guint8    type_id,
                    guint32   timestamp,
                    GBytes   *payload)
{
  AggregateTarget *target = data;

  deliver_media (target->self, target->stream_id, type_id, timestamp, payload);
  return target->self->state == SESSION_CONNECTED;
}

static gboolean
handle_message (CbRtmpServerSession  *self,
                CbRtmpMessage        *message,
                GError              **error)
{
  switch (message->type_id)
    {
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
      {
        AggregateTarget target = { self, message->stream_id };

        return cb_rtmp_aggregate_split (message, deliver_aggregated, &target, error);
      }
    default:
      /* The core answers window sizes and pings, and the reader applies Set Chunk Size
       * and Abort; acknowledgements, peer bandwidth, other user control events and
       * shared objects need nothing from us. */
      return TRUE;
    }
}

/* A handler may close the session from its callback: nothing more is read then. */
static gboolean
still_open (CbRtmpServerSession  *self,
            GError              **error)
{
  if (self->state != SESSION_CLOSED)
    return TRUE;
  g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "session closed");
  return FALSE;
}

static gboolean
on_core_message (gpointer        data,
                 CbRtmpMessage  *message,
                 GError        **error)
{
  return handle_message (data, message, error) && still_open (data, error);
}

static void
on_core_output (gpointer data)
{
  CbRtmpServerSession *self = data;

  if (self->kick != NULL)
    self->kick (self->transport);
}

static const CbRtmpSessionFuncs core_funcs = {
  .message = on_core_message,
  .output = on_core_output,
};

gboolean
cb_rtmp_server_session_feed (CbRtmpServerSession  *self,
                             const guint8         *data,
                             gsize                 len,
                             GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->state == SESSION_CLOSED)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, "session closed");
      return FALSE;
    }
  return cb_rtmp_session_feed (self->core, data, len, error);
}
