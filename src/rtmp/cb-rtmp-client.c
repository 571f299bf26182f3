/* cb-rtmp-client.c — the publishing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the GMainContext the client was created in, with GIO's async calls:
 * no thread, no blocking. Reading never stops (the server's acknowledgements, pings and
 * status messages are handled while media goes out); writing drains an output queue one
 * write at a time, so a slow uplink shows as queued bytes the pusher can see.
 */
#include "config.h"

#include <string.h>

#include "cb-amf0.h"
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-client.h"
#include "cb-rtmp-handshake.h"

#define DEFAULT_FLASH_VER  "FMLE/3.0 (compatible; FMSc/1.0)"
#define OUT_CHUNK_SIZE     4096
#define READ_SIZE          (64 * 1024)
#define DEFAULT_WINDOW     2500000

typedef enum {
  STATE_IDLE,
  STATE_TCP,
  STATE_HANDSHAKE,
  STATE_CONNECT,
  STATE_CREATE_STREAM,
  STATE_PUBLISH,
  STATE_PUBLISHED,
  STATE_CLOSED,
} State;

/* Transaction ids of our commands. */
enum {
  TXN_CONNECT = 1,
  TXN_RELEASE = 2,
  TXN_FCPUBLISH = 3,
  TXN_CREATE_STREAM = 4,
};

struct _CbRtmpClient
{
  GObject             parent_instance;

  CbRtmpUrl          *url;
  char               *stream_name;
  char               *app;
  char               *flash_ver;
  char               *bind_address;
  guint               timeout_ms;
  gboolean            tls_validation;
  char               *auth_query;      /* Adobe authentication, added to the app in connect */
  guint               auth_round;

  State               state;
  gboolean            connected;       /* NetConnection.Connect.Success seen */
  GTask              *task;            /* the pending publish */
  GCancellable       *cancellable;     /* ours: cancelled on close */
  gulong              task_cancel_id;
  GSource            *timeout_source;
  GMainContext       *context;

  GSocketClient      *socket_client;
  GIOStream          *io;
  guint8             *read_buf;
  CbRtmpHandshake    *handshake;
  CbRtmpChunkReader  *reader;
  CbRtmpChunkWriter  *writer;
  CbRtmpAckCounter    ack_counter;

  GQueue              out;             /* GBytes* */
  gsize               out_offset;      /* into the head */
  gsize               queued;
  gboolean            writing;
  gboolean            closing;         /* close once the queue is written */

  guint32             stream_id;
  guint64             bytes_sent;
  guint64             bytes_acked;
  guint32             last_ack_seq;
  gint64              last_ack_time;
  gboolean            closed_emitted;
};

G_DEFINE_FINAL_TYPE (CbRtmpClient, cb_rtmp_client, G_TYPE_OBJECT)

enum {
  SIGNAL_CONNECTED,
  SIGNAL_STATUS,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_read (CbRtmpClient *self);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

static void fail (CbRtmpClient *self, GError *error);
static void start_tcp (CbRtmpClient *self);

static void
cb_rtmp_client_dispose (GObject *object)
{
  CbRtmpClient *self = CB_RTMP_CLIENT (object);

  clear_source (&self->timeout_source);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->io);
  g_clear_object (&self->socket_client);
  G_OBJECT_CLASS (cb_rtmp_client_parent_class)->dispose (object);
}

static void
cb_rtmp_client_finalize (GObject *object)
{
  CbRtmpClient *self = CB_RTMP_CLIENT (object);

  g_clear_pointer (&self->url, cb_rtmp_url_free);
  g_free (self->stream_name);
  g_free (self->app);
  g_free (self->flash_ver);
  g_free (self->bind_address);
  g_free (self->auth_query);
  g_free (self->read_buf);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
  g_clear_pointer (&self->reader, cb_rtmp_chunk_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_chunk_writer_free);
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  G_OBJECT_CLASS (cb_rtmp_client_parent_class)->finalize (object);
}

static void
cb_rtmp_client_class_init (CbRtmpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_rtmp_client_dispose;
  object_class->finalize = cb_rtmp_client_finalize;

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STATUS] =
    g_signal_new ("status", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cb_rtmp_client_init (CbRtmpClient *self)
{
  g_queue_init (&self->out);
  self->read_buf = g_malloc (READ_SIZE);
  self->context = g_main_context_ref_thread_default ();
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

/**
 * cb_rtmp_client_new:
 *
 * Returns: (transfer full): a client, not connected yet
 */
CbRtmpClient *
cb_rtmp_client_new (const CbRtmpClientConfig *config)
{
  CbRtmpClient *self;

  g_return_val_if_fail (config != NULL && config->url != NULL, NULL);
  g_return_val_if_fail (config->stream_name != NULL, NULL);

  self = g_object_new (CB_TYPE_RTMP_CLIENT, NULL);
  self->url = url_copy (config->url);
  self->stream_name = g_strdup (config->stream_name);
  self->app = g_strdup (config->app ? config->app : config->url->app);
  self->flash_ver = g_strdup (config->flash_ver ? config->flash_ver : DEFAULT_FLASH_VER);
  self->bind_address = g_strdup (config->bind_address);
  self->timeout_ms = config->timeout_ms ? config->timeout_ms : 10000;
  self->tls_validation = config->tls_validation;
  self->cancellable = g_cancellable_new ();
  /* Credentials in user:password@ are for Adobe-style authentication; FFmpeg and OBS
   * announce them in the first connect, which servers without authentication ignore. */
  if (self->url->username != NULL && !self->url->credentials_in_query)
    {
      g_autofree char *user = g_uri_escape_string (self->url->username, NULL, TRUE);
      self->auth_query = g_strdup_printf ("authmod=adobe&user=%s", user);
    }
  return self;
}

gboolean
cb_rtmp_client_is_connected (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);
  return self->connected;
}

gsize
cb_rtmp_client_get_queued_bytes (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return self->queued;
}

guint64
cb_rtmp_client_get_bytes_sent (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return self->bytes_sent;
}

guint64
cb_rtmp_client_get_bytes_acked (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return self->bytes_acked;
}

gint64
cb_rtmp_client_get_last_ack_time (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return self->last_ack_time;
}

/* ---- output --------------------------------------------------------------- */

static void on_write_done (GObject *source, GAsyncResult *result, gpointer data);

static void
finish_close (CbRtmpClient *self)
{
  if (self->io != NULL)
    {
      g_io_stream_close_async (self->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->io);
    }
  g_cancellable_cancel (self->cancellable);
}

static void
kick_write (CbRtmpClient *self)
{
  GBytes *head;
  gsize len;
  const guint8 *data;

  if (self->writing || self->io == NULL)
    return;
  head = g_queue_peek_head (&self->out);
  if (head == NULL)
    {
      if (self->closing)
        finish_close (self);
      return;
    }
  data = g_bytes_get_data (head, &len);
  self->writing = TRUE;
  g_output_stream_write_async (g_io_stream_get_output_stream (self->io),
                               data + self->out_offset, len - self->out_offset,
                               G_PRIORITY_DEFAULT, self->cancellable, on_write_done,
                               g_object_ref (self));
}

static void
on_write_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(CbRtmpClient) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);
  GBytes *head;

  self->writing = FALSE;
  if (n < 0)
    {
      if (self->state != STATE_CLOSED)
        fail (self, g_steal_pointer (&error));
      return;
    }
  head = g_queue_peek_head (&self->out);
  self->bytes_sent += n;
  self->queued -= n;
  self->out_offset += n;
  if (head != NULL && self->out_offset >= g_bytes_get_size (head))
    {
      g_bytes_unref (g_queue_pop_head (&self->out));
      self->out_offset = 0;
    }
  kick_write (self);
}

static void
queue_bytes (CbRtmpClient *self,
             GBytes       *bytes)
{
  if (g_bytes_get_size (bytes) == 0)
    return;
  self->queued += g_bytes_get_size (bytes);
  g_queue_push_tail (&self->out, g_bytes_ref (bytes));
  kick_write (self);
}

static gboolean
send_message (CbRtmpClient  *self,
              CbRtmpMessage *message)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!cb_rtmp_chunk_writer_write (self->writer, message, out, &error))
    {
      g_warning ("RTMP: cannot write a message: %s", error->message);
      return FALSE;
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  queue_bytes (self, bytes);
  return TRUE;
}

static void
send_command (CbRtmpClient  *self,
              guint32        stream_id,
              CbAmf0Command *command)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(CbRtmpMessage) message = NULL;

  cb_amf0_command_encode (command, body);
  message = cb_rtmp_message_new_from_data (stream_id ? 8 : CB_RTMP_CSID_COMMAND,
                                           CB_RTMP_MSG_COMMAND_AMF0, stream_id, 0,
                                           body->data, body->len);
  send_message (self, message);
}

static void
send_simple_command (CbRtmpClient *self,
                     const char   *name,
                     double        txn,
                     guint32       stream_id,
                     const char   *arg)
{
  g_autoptr(CbAmf0Command) cmd = cb_amf0_command_new (name, txn, cb_amf0_value_new_null ());

  if (arg != NULL)
    cb_amf0_command_add_arg (cmd, cb_amf0_value_new_string (arg));
  send_command (self, stream_id, cmd);
}

/* ---- the publish sequence ------------------------------------------------- */

static gboolean
on_timeout (gpointer data)
{
  CbRtmpClient *self = data;
  static const char *what[] = { "", "connecting", "the handshake", "connect", "createStream",
                                "publish", "", "" };

  clear_source (&self->timeout_source);
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "No answer from the server during %s", what[self->state]));
  return G_SOURCE_REMOVE;
}

static void
set_state (CbRtmpClient *self,
           State         state)
{
  self->state = state;
  clear_source (&self->timeout_source);
  if (state != STATE_PUBLISHED && state != STATE_CLOSED && state != STATE_IDLE)
    {
      self->timeout_source = g_timeout_source_new (self->timeout_ms);
      g_source_set_callback (self->timeout_source, on_timeout, self, NULL);
      g_source_attach (self->timeout_source, self->context);
    }
}

static char *
connect_app (CbRtmpClient *self)
{
  GString *app = g_string_new (self->app);

  if (self->url->query != NULL || self->auth_query != NULL)
    {
      g_string_append_c (app, '?');
      if (self->auth_query != NULL)
        g_string_append (app, self->auth_query);
      if (self->url->query != NULL)
        {
          if (self->auth_query != NULL)
            g_string_append_c (app, '&');
          g_string_append (app, self->url->query);
        }
    }
  return g_string_free (app, FALSE);
}

static void
send_connect (CbRtmpClient *self)
{
  g_autoptr(CbAmf0Command) cmd = NULL;
  g_autofree char *app = connect_app (self);
  g_autofree char *tc_url = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  CbAmf0Value *obj = cb_amf0_value_new_object ();
  CbRtmpUrl tc = *self->url;

  tc.app = app;
  tc_url = cb_rtmp_url_get_tc_url (&tc);

  /* Our chunk size first: larger chunks cost the server less. */
  if (cb_rtmp_chunk_writer_write_set_chunk_size (self->writer, OUT_CHUNK_SIZE, out, &error))
    {
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
      queue_bytes (self, bytes);
    }
  /* Ask the server to acknowledge every DEFAULT_WINDOW bytes: its acknowledgements are how
   * the pusher tells a live connection from a dead one. */
  {
    g_autoptr(CbRtmpMessage) window = cb_rtmp_message_new_window_ack_size (DEFAULT_WINDOW);
    send_message (self, window);
  }

  cb_amf0_object_set_string (obj, "app", app);
  cb_amf0_object_set_string (obj, "type", "nonprivate");
  cb_amf0_object_set_string (obj, "flashVer", self->flash_ver);
  cb_amf0_object_set_string (obj, "swfUrl", tc_url);
  cb_amf0_object_set_string (obj, "tcUrl", tc_url);
  cmd = cb_amf0_command_new ("connect", TXN_CONNECT, obj);
  send_command (self, 0, cmd);
  set_state (self, STATE_CONNECT);
}

static void
complete_publish (CbRtmpClient *self)
{
  GTask *task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  g_cancellable_disconnect (g_task_get_cancellable (task), self->task_cancel_id);
  self->task_cancel_id = 0;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The Adobe challenge: FFmpeg's rtmpproto.c and librtmp document the scheme. */
static char *
md5_base64 (const char *a,
            const char *b,
            const char *c)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize len = sizeof digest;

  g_checksum_update (sum, (const guchar *) a, -1);
  if (b != NULL)
    g_checksum_update (sum, (const guchar *) b, -1);
  if (c != NULL)
    g_checksum_update (sum, (const guchar *) c, -1);
  g_checksum_get_digest (sum, digest, &len);
  return g_base64_encode (digest, len);
}

static char *
query_get (const char *text,
           const char *key)
{
  g_autofree char *needle = g_strconcat (key, "=", NULL);
  const char *p = text;

  while ((p = strstr (p, needle)) != NULL)
    {
      if (p == text || p[-1] == '&' || p[-1] == '?' || p[-1] == ' ')
        {
          const char *start = p + strlen (needle);
          const char *end = start + strcspn (start, "&");
          return g_strndup (start, end - start);
        }
      p++;
    }
  return NULL;
}

/* Returns TRUE when the rejection was an authentication step and a new connection starts. */
static gboolean
handle_auth_rejection (CbRtmpClient *self,
                       const char   *description)
{
  g_autofree char *salt = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *opaque = NULL;
  g_autofree char *hash1 = NULL;
  g_autofree char *response = NULL;
  g_autofree char *user = NULL;
  char challenge2[9];

  if (self->url->username == NULL || self->url->password == NULL || description == NULL ||
      self->auth_round >= 2)
    return FALSE;

  if (strstr (description, "reason=needauth") != NULL)
    {
      salt = query_get (description, "salt");
      challenge = query_get (description, "challenge");
      opaque = query_get (description, "opaque");
      if (salt == NULL)
        return FALSE;
      user = g_uri_escape_string (self->url->username, NULL, TRUE);
      hash1 = md5_base64 (self->url->username, salt, self->url->password);
      g_snprintf (challenge2, sizeof challenge2, "%08x", g_random_int ());
      response = md5_base64 (hash1, opaque ? opaque : challenge ? challenge : "", challenge2);
      g_free (self->auth_query);
      self->auth_query = g_strdup_printf ("authmod=adobe&user=%s&challenge=%s&response=%s%s%s",
                                          user, challenge2, response,
                                          opaque ? "&opaque=" : "", opaque ? opaque : "");
    }
  else if (strstr (description, "authmod=adobe") == NULL || strstr (description, "code=403") == NULL)
    return FALSE;

  /* Each step of the challenge is a new connection. */
  self->auth_round++;
  g_clear_object (&self->io);
  g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  self->queued = 0;
  self->out_offset = 0;
  self->writing = FALSE;
  start_tcp (self);
  return TRUE;
}

static char *
status_text (const CbAmf0Value *info,
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

static void
handle_command (CbRtmpClient  *self,
                CbRtmpMessage *message)
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
      g_debug ("RTMP: undecodable command: %s", error->message);
      return;
    }
  info = cb_amf0_command_get_arg (cmd, 0);

  if (g_str_equal (cmd->name, "_result"))
    {
      if (cmd->transaction_id == TXN_CONNECT && self->state == STATE_CONNECT)
        {
          self->connected = TRUE;
          g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
          send_simple_command (self, "releaseStream", TXN_RELEASE, 0, self->stream_name);
          send_simple_command (self, "FCPublish", TXN_FCPUBLISH, 0, self->stream_name);
          send_simple_command (self, "createStream", TXN_CREATE_STREAM, 0, NULL);
          set_state (self, STATE_CREATE_STREAM);
        }
      else if (cmd->transaction_id == TXN_CREATE_STREAM && self->state == STATE_CREATE_STREAM)
        {
          g_autoptr(CbAmf0Command) publish = NULL;

          if (info == NULL || cb_amf0_value_get_kind (info) != CB_AMF0_NUMBER)
            {
              fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                                       "createStream answered without a stream id"));
              return;
            }
          self->stream_id = (guint32) cb_amf0_value_get_number (info);
          publish = cb_amf0_command_new ("publish", 5, cb_amf0_value_new_null ());
          cb_amf0_command_add_arg (publish, cb_amf0_value_new_string (self->stream_name));
          cb_amf0_command_add_arg (publish, cb_amf0_value_new_string ("live"));
          send_command (self, self->stream_id, publish);
          set_state (self, STATE_PUBLISH);
        }
      return;
    }

  if (g_str_equal (cmd->name, "_error"))
    {
      g_autofree char *text = status_text (info, "Rejected");
      const char *description = info ? cb_amf0_object_get_string (info, "description") : NULL;

      if (cmd->transaction_id == TXN_CONNECT && self->state == STATE_CONNECT)
        {
          if (handle_auth_rejection (self, description))
            return;
          fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
        }
      else if (cmd->transaction_id == TXN_CREATE_STREAM)
        fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
      else
        g_debug ("RTMP: %s answered with an error: %s", cmd->name, text);
      return;
    }

  if (g_str_equal (cmd->name, "onStatus"))
    {
      /* onStatus(txn, null, info) */
      CbAmf0Value *status = cb_amf0_command_get_arg (cmd, 0);
      const char *level = status ? cb_amf0_object_get_string (status, "level") : NULL;
      const char *code = status ? cb_amf0_object_get_string (status, "code") : NULL;
      const char *description = status ? cb_amf0_object_get_string (status, "description") : NULL;
      g_autofree char *text = status_text (status, "onStatus");

      g_signal_emit (self, signals[SIGNAL_STATUS], 0, level ? level : "", code ? code : "",
                     description ? description : "");
      if (self->state == STATE_PUBLISH)
        {
          if (g_strcmp0 (code, "NetStream.Publish.Start") == 0)
            {
              set_state (self, STATE_PUBLISHED);
              complete_publish (self);
            }
          else if (g_strcmp0 (level, "error") == 0 || (code && strstr (code, "Failed")) ||
                   (code && strstr (code, "BadName")) || (code && strstr (code, "Rejected")))
            fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
        }
      else if (self->state == STATE_PUBLISHED &&
               (g_strcmp0 (code, "NetStream.Publish.BadName") == 0 ||
                g_strcmp0 (code, "NetStream.Unpublish.Success") == 0 ||
                g_strcmp0 (code, "NetConnection.Connect.Closed") == 0))
        fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
      return;
    }

  if (g_str_equal (cmd->name, "close") || g_str_equal (cmd->name, "onFCPublish") ||
      g_str_equal (cmd->name, "onBWDone") || g_str_equal (cmd->name, "_checkbw"))
    {
      if (g_str_equal (cmd->name, "close"))
        fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED,
                                 "NetConnection.Connect.Closed"));
      return;
    }
  g_debug ("RTMP: ignoring command %s", cmd->name);
}

static void
handle_message (CbRtmpClient  *self,
                CbRtmpMessage *message)
{
  g_autoptr(GError) error = NULL;
  guint32 value;

  switch (message->type_id)
    {
    case CB_RTMP_MSG_WINDOW_ACK_SIZE:
      if (cb_rtmp_control_parse_u32 (message, &value, &error))
        cb_rtmp_ack_counter_set_window (&self->ack_counter, value);
      break;
    case CB_RTMP_MSG_ACKNOWLEDGEMENT:
      if (cb_rtmp_control_parse_u32 (message, &value, &error))
        {
          /* Unwrap the 32-bit sequence number. */
          self->bytes_acked += (guint32) (value - self->last_ack_seq);
          self->last_ack_seq = value;
          self->last_ack_time = g_get_monotonic_time ();
        }
      break;
    case CB_RTMP_MSG_USER_CONTROL:
      {
        CbRtmpUserControl uc;

        if (cb_rtmp_control_parse_user_control (message, &uc, &error) &&
            uc.event == CB_RTMP_USER_PING_REQUEST)
          {
            g_autoptr(CbRtmpMessage) pong =
              cb_rtmp_message_new_user_control (CB_RTMP_USER_PING_RESPONSE, uc.value);
            send_message (self, pong);
          }
      }
      break;
    case CB_RTMP_MSG_COMMAND_AMF0:
    case CB_RTMP_MSG_COMMAND_AMF3:
      handle_command (self, message);
      break;
    default:
      /* Set Chunk Size is applied by the reader; peer bandwidth, data: nothing to do. */
      break;
    }
}

static gboolean
process_input (CbRtmpClient  *self,
               const guint8  *data,
               gsize          len,
               GError       **error)
{
  guint32 seq;

  if (cb_rtmp_ack_counter_add (&self->ack_counter, len, &seq))
    {
      g_autoptr(CbRtmpMessage) ack = cb_rtmp_message_new_acknowledgement (seq);
      send_message (self, ack);
    }

  if (self->state == STATE_HANDSHAKE)
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
      send_connect (self);
      data += consumed;
      len -= consumed;
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
      handle_message (self, message);
      if (self->state == STATE_CLOSED || self->io == NULL)
        break;
    }
  return TRUE;
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(CbRtmpClient) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->state == STATE_CLOSED || self->io == NULL ||
      G_INPUT_STREAM (source) != g_io_stream_get_input_stream (self->io))
    return;
  if (n < 0)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               self->connected ? "Connection closed by the server"
                                               : "The server closed the connection before accepting it"));
      return;
    }
  if (!process_input (self, self->read_buf, n, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->io != NULL && self->state != STATE_CLOSED)
    start_read (self);
}

static void
start_read (CbRtmpClient *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (self->io), self->read_buf, READ_SIZE,
                             G_PRIORITY_DEFAULT, self->cancellable, on_read_done,
                             g_object_ref (self));
}

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(CbRtmpClient) self = data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source),
                                                                    result, &error);
  g_autoptr(GBytes) c0c1 = NULL;

  if (conn == NULL)
    {
      if (self->state != STATE_CLOSED)
        fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->state == STATE_CLOSED)
    {
      g_object_unref (conn);
      return;
    }
  self->io = G_IO_STREAM (conn);
  /* The connect timeout must not apply to later reads: a server may stay silent for long
   * while we publish. Liveness is judged above us, by what the server acknowledges. */
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 0);

  g_clear_pointer (&self->reader, cb_rtmp_chunk_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_chunk_writer_free);
  self->reader = cb_rtmp_chunk_reader_new ();
  self->writer = cb_rtmp_chunk_writer_new ();
  cb_rtmp_ack_counter_init (&self->ack_counter, DEFAULT_WINDOW);
  self->handshake = cb_rtmp_handshake_new (CB_RTMP_HANDSHAKE_CLIENT);
  set_state (self, STATE_HANDSHAKE);
  c0c1 = cb_rtmp_handshake_take_output (self->handshake);
  if (c0c1 != NULL)
    queue_bytes (self, c0c1);
  start_read (self);
}

static void
start_tcp (CbRtmpClient *self)
{
  g_clear_object (&self->socket_client);
  self->socket_client = g_socket_client_new ();
  g_socket_client_set_timeout (self->socket_client, (self->timeout_ms + 999) / 1000);
  if (self->url->tls)
    {
      g_socket_client_set_tls (self->socket_client, TRUE);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_socket_client_set_tls_validation_flags (self->socket_client,
                                                self->tls_validation ? G_TLS_CERTIFICATE_VALIDATE_ALL : 0);
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
  set_state (self, STATE_TCP);
  g_socket_client_connect_to_host_async (self->socket_client, self->url->host, self->url->port,
                                         self->cancellable, on_tcp_connected, g_object_ref (self));
}

static void
on_task_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  CbRtmpClient *self = data;

  /* From the cancellable's signal: finish on the context, not here. */
  g_cancellable_cancel (self->cancellable);
}

void
cb_rtmp_client_publish_async (CbRtmpClient        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CB_IS_RTMP_CLIENT (self));

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, cb_rtmp_client_publish_async);
  if (self->state != STATE_IDLE)
    {
      GTask *task = g_steal_pointer (&self->task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already started");
      g_object_unref (task);
      return;
    }
  if (cancellable != NULL)
    self->task_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled),
                                                  self, NULL);
  start_tcp (self);
}

gboolean
cb_rtmp_client_publish_finish (CbRtmpClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ends the connection with @error: fails the pending publish, or reports "closed". */
static void
fail (CbRtmpClient *self,
      GError       *error)
{
  GTask *task = g_steal_pointer (&self->task);

  if (self->state == STATE_CLOSED)
    {
      g_error_free (error);
      g_clear_object (&task);
      return;
    }
  g_debug ("RTMP to %s failed: %s", self->url->host, error->message);
  set_state (self, STATE_CLOSED);
  g_cancellable_cancel (self->cancellable);
  if (self->io != NULL)
    {
      g_io_stream_close_async (self->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->io);
    }
  g_object_ref (self);
  if (task != NULL)
    {
      GCancellable *c = g_task_get_cancellable (task);
      if (c != NULL && self->task_cancel_id != 0)
        g_cancellable_disconnect (c, self->task_cancel_id);
      self->task_cancel_id = 0;
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }
  if (!self->closed_emitted)
    {
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
    }
  g_error_free (error);
  g_object_unref (self);
}

gboolean
cb_rtmp_client_send (CbRtmpClient *self,
                     guint8        type_id,
                     guint32       timestamp_ms,
                     GBytes       *payload)
{
  g_autoptr(CbRtmpMessage) message = NULL;
  guint32 csid;

  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);

  if (self->state != STATE_PUBLISHED || self->closing || self->io == NULL)
    return FALSE;
  csid = type_id == CB_RTMP_MSG_AUDIO ? CB_RTMP_CSID_AUDIO
         : type_id == CB_RTMP_MSG_VIDEO ? CB_RTMP_CSID_VIDEO : CB_RTMP_CSID_DATA;
  message = cb_rtmp_message_new (csid, type_id, self->stream_id, timestamp_ms, payload);
  return send_message (self, message);
}

static gboolean
on_close_timeout (gpointer data)
{
  CbRtmpClient *self = data;

  finish_close (self);
  return G_SOURCE_REMOVE;
}

void
cb_rtmp_client_close (CbRtmpClient *self,
                      gboolean      graceful)
{
  GTask *task;

  g_return_if_fail (CB_IS_RTMP_CLIENT (self));

  if (self->state == STATE_CLOSED || self->closing)
    return;

  task = g_steal_pointer (&self->task);
  if (task != NULL)
    {
      GCancellable *c = g_task_get_cancellable (task);
      if (c != NULL && self->task_cancel_id != 0)
        g_cancellable_disconnect (c, self->task_cancel_id);
      self->task_cancel_id = 0;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed");
      g_object_unref (task);
    }

  if (graceful && self->state == STATE_PUBLISHED && self->io != NULL)
    {
      g_autoptr(CbAmf0Command) del = cb_amf0_command_new ("deleteStream", 0, cb_amf0_value_new_null ());

      /* The destination sees the end of the stream, as encoders end it. */
      send_simple_command (self, "FCUnpublish", 6, 0, self->stream_name);
      cb_amf0_command_add_arg (del, cb_amf0_value_new_number (self->stream_id));
      send_command (self, 0, del);
      self->closing = TRUE;
      self->state = STATE_CLOSED;
      clear_source (&self->timeout_source);
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, NULL);
      /* Written within two seconds, or dropped. The object stays alive meanwhile. */
      {
        GSource *source = g_timeout_source_new (2000);

        g_source_set_callback (source, on_close_timeout, g_object_ref (self), g_object_unref);
        g_source_attach (source, self->context);
        g_source_unref (source);
      }
      kick_write (self);
      return;
    }

  self->state = STATE_CLOSED;
  clear_source (&self->timeout_source);
  finish_close (self);
  if (!self->closed_emitted)
    {
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, NULL);
    }
}
