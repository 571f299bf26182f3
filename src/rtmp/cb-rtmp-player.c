/* cb-rtmp-player.c — the playing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mirror of cb-rtmp-client.c: the same GIO async style on one GMainContext, but it
 * asks for a stream and hands out what arrives. Reading never stops; writing (commands,
 * acknowledgements, pongs) drains a small output queue.
 */
#include "config.h"

#include <string.h>

#include "cb-amf0.h"
#include "cb-rtmp-bytes-private.h"
#include "cb-rtmp-chunk.h"
#include "cb-rtmp-handshake.h"
#include "cb-rtmp-player.h"

#define DEFAULT_FLASH_VER  "LNX 9,0,124,2"
#define READ_SIZE          (64 * 1024)
#define DEFAULT_WINDOW     2500000
#define BUFFER_LENGTH_MS   3000

typedef enum {
  STATE_IDLE,
  STATE_TCP,
  STATE_HANDSHAKE,
  STATE_CONNECT,
  STATE_CREATE_STREAM,
  STATE_PLAY,
  STATE_PLAYING,
  STATE_CLOSED,
} State;

enum {
  TXN_CONNECT = 1,
  TXN_CREATE_STREAM = 2,
};

struct _CbRtmpPlayer
{
  GObject             parent_instance;

  CbRtmpUrl          *url;
  char               *play_name;
  char               *flash_ver;
  guint               timeout_ms;
  gboolean            tls_validation;

  State               state;
  GCancellable       *cancellable;
  GSource            *timeout_source;
  GMainContext       *context;
  gint64              last_input;

  GSocketClient      *socket_client;
  GIOStream          *io;
  guint8             *read_buf;
  CbRtmpHandshake    *handshake;
  CbRtmpChunkReader  *reader;
  CbRtmpChunkWriter  *writer;
  CbRtmpAckCounter    ack_counter;
  guint64             received;

  GQueue              out;             /* GBytes* */
  gsize               out_offset;
  gboolean            writing;

  guint32             stream_id;
  gboolean            closed_emitted;
};

G_DEFINE_FINAL_TYPE (CbRtmpPlayer, cb_rtmp_player, G_TYPE_OBJECT)

enum {
  SIGNAL_STARTED,
  SIGNAL_MEDIA,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fail (CbRtmpPlayer *self, GError *error);
static void start_read (CbRtmpPlayer *self);

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

static void
cb_rtmp_player_dispose (GObject *object)
{
  CbRtmpPlayer *self = CB_RTMP_PLAYER (object);

  clear_source (&self->timeout_source);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->io);
  g_clear_object (&self->socket_client);
  G_OBJECT_CLASS (cb_rtmp_player_parent_class)->dispose (object);
}

static void
cb_rtmp_player_finalize (GObject *object)
{
  CbRtmpPlayer *self = CB_RTMP_PLAYER (object);

  g_clear_pointer (&self->url, cb_rtmp_url_free);
  g_free (self->play_name);
  g_free (self->flash_ver);
  g_free (self->read_buf);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->handshake, cb_rtmp_handshake_free);
  g_clear_pointer (&self->reader, cb_rtmp_chunk_reader_free);
  g_clear_pointer (&self->writer, cb_rtmp_chunk_writer_free);
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  G_OBJECT_CLASS (cb_rtmp_player_parent_class)->finalize (object);
}

static void
cb_rtmp_player_class_init (CbRtmpPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_rtmp_player_dispose;
  object_class->finalize = cb_rtmp_player_finalize;

  signals[SIGNAL_STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MEDIA] =
    g_signal_new ("media", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_BYTES);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cb_rtmp_player_init (CbRtmpPlayer *self)
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
 * cb_rtmp_player_new:
 *
 * Returns: (transfer full): a player, not connected yet
 */
CbRtmpPlayer *
cb_rtmp_player_new (const CbRtmpPlayerConfig *config)
{
  CbRtmpPlayer *self;

  g_return_val_if_fail (config != NULL && config->url != NULL, NULL);
  g_return_val_if_fail (config->url->stream != NULL, NULL);

  self = g_object_new (CB_TYPE_RTMP_PLAYER, NULL);
  self->url = url_copy (config->url);
  self->play_name = cb_rtmp_url_get_publish_name (config->url);
  self->flash_ver = g_strdup (config->flash_ver ? config->flash_ver : DEFAULT_FLASH_VER);
  self->timeout_ms = config->timeout_ms ? config->timeout_ms : 10000;
  self->tls_validation = config->tls_validation;
  self->cancellable = g_cancellable_new ();
  return self;
}

gboolean
cb_rtmp_player_is_playing (CbRtmpPlayer *self)
{
  g_return_val_if_fail (CB_IS_RTMP_PLAYER (self), FALSE);
  return self->state == STATE_PLAYING;
}

guint64
cb_rtmp_player_get_bytes_received (CbRtmpPlayer *self)
{
  g_return_val_if_fail (CB_IS_RTMP_PLAYER (self), 0);
  return self->received;
}

/* ---- output --------------------------------------------------------------------- */

static void on_write_done (GObject *source, GAsyncResult *result, gpointer data);

static void
kick_write (CbRtmpPlayer *self)
{
  GBytes *head;
  gsize len;
  const guint8 *data;

  if (self->writing || self->io == NULL)
    return;
  head = g_queue_peek_head (&self->out);
  if (head == NULL)
    return;
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
  g_autoptr(CbRtmpPlayer) self = data;
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
  self->out_offset += n;
  if (head != NULL && self->out_offset >= g_bytes_get_size (head))
    {
      g_bytes_unref (g_queue_pop_head (&self->out));
      self->out_offset = 0;
    }
  kick_write (self);
}

static void
queue_bytes (CbRtmpPlayer *self,
             GBytes       *bytes)
{
  if (g_bytes_get_size (bytes) == 0)
    return;
  g_queue_push_tail (&self->out, g_bytes_ref (bytes));
  kick_write (self);
}

static void
send_message (CbRtmpPlayer  *self,
              CbRtmpMessage *message)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!cb_rtmp_chunk_writer_write (self->writer, message, out, &error))
    {
      g_debug ("RTMP player: cannot write a message: %s", error->message);
      return;
    }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  queue_bytes (self, bytes);
}

static void
send_command (CbRtmpPlayer  *self,
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

/* ---- the play sequence ---------------------------------------------------------- */

static gboolean
on_timeout (gpointer data)
{
  CbRtmpPlayer *self = data;
  static const char *what[] = { "", "connecting", "the handshake", "connect", "createStream",
                                "play", "", "" };

  if (self->state == STATE_PLAYING)
    {
      /* Playing: the source must keep sending something. */
      if (g_get_monotonic_time () - self->last_input < (gint64) self->timeout_ms * 1000)
        return G_SOURCE_CONTINUE;
      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The source sent nothing for %u s", self->timeout_ms / 1000));
      return G_SOURCE_REMOVE;
    }
  /* fail() destroys this source: allowed from its own callback. */
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "No answer from the server during %s", what[self->state]));
  return G_SOURCE_REMOVE;
}

static void
set_state (CbRtmpPlayer *self,
           State         state)
{
  self->state = state;
  clear_source (&self->timeout_source);
  if (state != STATE_CLOSED && state != STATE_IDLE)
    {
      /* While playing, the same timer watches for silence, once a second. */
      self->timeout_source = g_timeout_source_new (state == STATE_PLAYING ? 1000
                                                                           : self->timeout_ms);
      g_source_set_callback (self->timeout_source, on_timeout, self, NULL);
      g_source_attach (self->timeout_source, self->context);
    }
}

static void
send_connect (CbRtmpPlayer *self)
{
  g_autoptr(CbAmf0Command) cmd = NULL;
  g_autofree char *tc_url = cb_rtmp_url_get_tc_url (self->url);
  CbAmf0Value *obj = cb_amf0_value_new_object ();

  cb_amf0_object_set_string (obj, "app", self->url->app);
  cb_amf0_object_set_string (obj, "flashVer", self->flash_ver);
  cb_amf0_object_set_string (obj, "tcUrl", tc_url);
  cb_amf0_object_set_boolean (obj, "fpad", FALSE);
  cb_amf0_object_set_number (obj, "capabilities", 15);
  cb_amf0_object_set_number (obj, "audioCodecs", 4071);
  cb_amf0_object_set_number (obj, "videoCodecs", 252);
  cb_amf0_object_set_number (obj, "videoFunction", 1);
  cmd = cb_amf0_command_new ("connect", TXN_CONNECT, obj);
  send_command (self, 0, cmd);
  set_state (self, STATE_CONNECT);
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
handle_command (CbRtmpPlayer  *self,
                CbRtmpMessage *message)
{
  gsize len;
  const guint8 *data = cb_rtmp_message_get_data (message, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbAmf0Command) cmd = NULL;
  CbAmf0Value *info;

  if (message->type_id == CB_RTMP_MSG_COMMAND_AMF3 && len > 0)
    {
      data++;
      len--;
    }
  cmd = cb_amf0_command_decode (data, len, &error);
  if (cmd == NULL)
    {
      g_debug ("RTMP player: undecodable command: %s", error->message);
      return;
    }
  info = cb_amf0_command_get_arg (cmd, 0);

  if (g_str_equal (cmd->name, "_result"))
    {
      if (cmd->transaction_id == TXN_CONNECT && self->state == STATE_CONNECT)
        {
          g_autoptr(CbAmf0Command) create = cb_amf0_command_new ("createStream", TXN_CREATE_STREAM,
                                                                 cb_amf0_value_new_null ());
          send_command (self, 0, create);
          set_state (self, STATE_CREATE_STREAM);
        }
      else if (cmd->transaction_id == TXN_CREATE_STREAM && self->state == STATE_CREATE_STREAM)
        {
          g_autoptr(CbAmf0Command) play = NULL;
          g_autoptr(CbRtmpMessage) buffer = NULL;
          gdouble id;

          if (info == NULL || cb_amf0_value_get_kind (info) != CB_AMF0_NUMBER ||
              !((id = cb_amf0_value_get_number (info)) >= 1 && id <= G_MAXUINT32))
            {
              fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_PROTOCOL,
                                       "createStream answered without a stream id"));
              return;
            }
          self->stream_id = (guint32) id;
          play = cb_amf0_command_new ("play", 0, cb_amf0_value_new_null ());
          cb_amf0_command_add_arg (play, cb_amf0_value_new_string (self->play_name));
          /* -2000: live or recorded, whichever the server has (FFmpeg's default). */
          cb_amf0_command_add_arg (play, cb_amf0_value_new_number (-2000));
          send_command (self, self->stream_id, play);
          buffer = cb_rtmp_message_new_set_buffer_length (self->stream_id, BUFFER_LENGTH_MS);
          send_message (self, buffer);
          set_state (self, STATE_PLAY);
        }
      return;
    }

  if (g_str_equal (cmd->name, "_error"))
    {
      g_autofree char *text = status_text (info, "Rejected");

      if (self->state == STATE_CONNECT || self->state == STATE_CREATE_STREAM)
        fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
      else
        g_debug ("RTMP player: %s answered with an error: %s", cmd->name, text);
      return;
    }

  if (g_str_equal (cmd->name, "onStatus"))
    {
      const char *level = info ? cb_amf0_object_get_string (info, "level") : NULL;
      const char *code = info ? cb_amf0_object_get_string (info, "code") : NULL;
      g_autofree char *text = status_text (info, "onStatus");

      if (g_strcmp0 (code, "NetStream.Play.Start") == 0 && self->state == STATE_PLAY)
        {
          set_state (self, STATE_PLAYING);
          g_signal_emit (self, signals[SIGNAL_STARTED], 0);
        }
      else if (g_strcmp0 (level, "error") == 0 ||
               g_strcmp0 (code, "NetStream.Play.UnpublishNotify") == 0 ||
               g_strcmp0 (code, "NetStream.Play.Stop") == 0 ||
               g_strcmp0 (code, "NetStream.Play.Complete") == 0)
        fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
      return;
    }

  if (g_str_equal (cmd->name, "close"))
    fail (self, g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED,
                             "NetConnection.Connect.Closed"));
}

static void
emit_media (CbRtmpPlayer *self,
            guint8        type_id,
            guint32       timestamp,
            GBytes       *payload)
{
  if (self->state != STATE_PLAYING)
    return;
  g_signal_emit (self, signals[SIGNAL_MEDIA], 0, (guint) type_id, (guint) timestamp, payload);
}

static void
handle_aggregate (CbRtmpPlayer  *self,
                  CbRtmpMessage *message)
{
  gsize len, off = 0;
  const guint8 *data = cb_rtmp_message_get_data (message, &len);
  guint32 first_ts = 0;
  gboolean first = TRUE;

  while (off + 11 <= len && self->state == STATE_PLAYING)
    {
      guint8 type = data[off] & 0x1f;
      guint32 size = cb_read_be24 (data + off + 1);
      guint32 ts = cb_read_be24 (data + off + 4) | ((guint32) data[off + 7] << 24);
      g_autoptr(GBytes) body = NULL;

      if (size > len - off - 11)
        break;
      if (first)
        {
          first_ts = ts;
          first = FALSE;
        }
      body = g_bytes_new_from_bytes (message->payload, off + 11, size);
      if (type == CB_RTMP_MSG_AUDIO || type == CB_RTMP_MSG_VIDEO || type == CB_RTMP_MSG_DATA_AMF0)
        emit_media (self, type, message->timestamp + (ts - first_ts), body);
      off += 11 + size;
      off += MIN (4, len - off);
    }
}

static void
handle_message (CbRtmpPlayer  *self,
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
    case CB_RTMP_MSG_USER_CONTROL:
      {
        CbRtmpUserControl uc;

        if (!cb_rtmp_control_parse_user_control (message, &uc, &error))
          break;
        if (uc.event == CB_RTMP_USER_PING_REQUEST)
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
    case CB_RTMP_MSG_AUDIO:
    case CB_RTMP_MSG_VIDEO:
    case CB_RTMP_MSG_DATA_AMF0:
      emit_media (self, message->type_id, message->timestamp, message->payload);
      break;
    case CB_RTMP_MSG_AGGREGATE:
      handle_aggregate (self, message);
      break;
    default:
      break;
    }
}

static gboolean
process_input (CbRtmpPlayer  *self,
               const guint8  *data,
               gsize          len,
               GError       **error)
{
  guint32 seq;

  self->received += len;
  self->last_input = g_get_monotonic_time ();
  if (cb_rtmp_ack_counter_add (&self->ack_counter, len, &seq) && self->state > STATE_HANDSHAKE)
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
  g_autoptr(CbRtmpPlayer) self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (self->state == STATE_CLOSED || self->io == NULL)
    return;
  if (n < 0)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "Connection closed by the server"));
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
start_read (CbRtmpPlayer *self)
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
  g_autoptr(CbRtmpPlayer) self = data;
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

void
cb_rtmp_player_start (CbRtmpPlayer *self)
{
  g_return_if_fail (CB_IS_RTMP_PLAYER (self));
  g_return_if_fail (self->state == STATE_IDLE);

  self->socket_client = g_socket_client_new ();
  g_socket_client_set_timeout (self->socket_client, (self->timeout_ms + 999) / 1000);
  if (self->url->tls)
    {
      g_socket_client_set_tls (self->socket_client, TRUE);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_socket_client_set_tls_validation_flags (self->socket_client,
                                                self->tls_validation
                                                ? G_TLS_CERTIFICATE_VALIDATE_ALL : 0);
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  set_state (self, STATE_TCP);
  g_socket_client_connect_to_host_async (self->socket_client, self->url->host, self->url->port,
                                         self->cancellable, on_tcp_connected, g_object_ref (self));
}

static void
fail (CbRtmpPlayer *self,
      GError       *error)
{
  if (self->state == STATE_CLOSED)
    {
      g_error_free (error);
      return;
    }
  g_debug ("RTMP player from %s: %s", self->url->host, error->message);
  set_state (self, STATE_CLOSED);
  g_cancellable_cancel (self->cancellable);
  if (self->io != NULL)
    {
      g_io_stream_close_async (self->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->io);
    }
  g_object_ref (self);
  if (!self->closed_emitted)
    {
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
    }
  g_error_free (error);
  g_object_unref (self);
}

/**
 * cb_rtmp_player_close:
 *
 * Closes the connection. "closed" is emitted with a
 * NULL reason unless it was already. Safe to call at any time, more than once.
 */
void
cb_rtmp_player_close (CbRtmpPlayer *self)
{
  g_return_if_fail (CB_IS_RTMP_PLAYER (self));

  if (self->state == STATE_CLOSED)
    return;
  /* Closing the socket ends the play on any server: no need to wait for a deleteStream
   * to be written. */
  set_state (self, STATE_CLOSED);
  g_cancellable_cancel (self->cancellable);
  if (self->io != NULL)
    {
      g_io_stream_close_async (self->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->io);
    }
  if (!self->closed_emitted)
    {
      self->closed_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0, NULL);
    }
}
