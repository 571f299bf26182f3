/* cb-rtmp-player.c — the playing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mirror of cb-rtmp-client.c, on the same connection (cb-rtmp-connection.c): it asks
 * for a stream and hands out what arrives. Reading never stops; writing (commands,
 * acknowledgements, pongs) drains a small output queue.
 */
#include "config.h"

#include <string.h>

#include "cb-amf0.h"
#include "cb-rtmp-connection-private.h"
#include "cb-rtmp-player.h"
#include "cb-rtmp-session.h"

#define DEFAULT_FLASH_VER  "LNX 9,0,124,2"
#define BUFFER_LENGTH_MS   3000

/* Transaction ids of our commands, after connect's. */
enum {
  TXN_CREATE_STREAM = 2,
};

struct _CbRtmpPlayer
{
  GObject             parent_instance;

  CbRtmpConnection   *connection;
  char               *play_name;
  char               *flash_ver;
  guint32             stream_id;
};

G_DEFINE_FINAL_TYPE (CbRtmpPlayer, cb_rtmp_player, G_TYPE_OBJECT)

enum {
  SIGNAL_STARTED,
  SIGNAL_MEDIA,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cb_rtmp_player_dispose (GObject *object)
{
  CbRtmpPlayer *self = CB_RTMP_PLAYER (object);

  g_clear_pointer (&self->connection, cb_rtmp_connection_free);
  G_OBJECT_CLASS (cb_rtmp_player_parent_class)->dispose (object);
}

static void
cb_rtmp_player_finalize (GObject *object)
{
  CbRtmpPlayer *self = CB_RTMP_PLAYER (object);

  g_free (self->play_name);
  g_free (self->flash_ver);
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
}

static gboolean
is_playing (CbRtmpPlayer *self)
{
  return cb_rtmp_connection_get_state (self->connection) == CB_RTMP_CONNECTION_STARTED;
}

/* ---- the play sequence ---------------------------------------------------------- */

static void
on_connection_send_connect (gpointer data)
{
  CbRtmpPlayer *self = data;
  const CbRtmpUrl *url = cb_rtmp_connection_get_url (self->connection);
  g_autoptr(CbAmf0Command) cmd = NULL;
  g_autofree char *tc_url = cb_rtmp_url_get_tc_url (url);
  CbAmf0Value *obj = cb_amf0_value_new_object ();

  cb_amf0_object_set_string (obj, "app", url->app);
  cb_amf0_object_set_string (obj, "flashVer", self->flash_ver);
  cb_amf0_object_set_string (obj, "tcUrl", tc_url);
  cb_amf0_object_set_boolean (obj, "fpad", FALSE);
  cb_amf0_object_set_number (obj, "capabilities", 15);
  cb_amf0_object_set_number (obj, "audioCodecs", 4071);
  cb_amf0_object_set_number (obj, "videoCodecs", 252);
  cb_amf0_object_set_number (obj, "videoFunction", 1);
  cmd = cb_amf0_command_new ("connect", CB_RTMP_CONNECTION_TXN_CONNECT, obj);
  cb_rtmp_connection_send_command (self->connection, 0, cmd);
}

static gboolean
on_connection_stream_created (gpointer data,
                              double   id)
{
  CbRtmpPlayer *self = data;
  g_autoptr(CbAmf0Command) play = NULL;
  g_autoptr(CbRtmpMessage) buffer = NULL;

  if (!(id >= 1 && id <= G_MAXUINT32))
    return FALSE;
  self->stream_id = (guint32) id;
  play = cb_amf0_command_new ("play", 0, cb_amf0_value_new_null ());
  cb_amf0_command_add_arg (play, cb_amf0_value_new_string (self->play_name));
  /* -2000: live or recorded, whichever the server has (FFmpeg's default). */
  cb_amf0_command_add_arg (play, cb_amf0_value_new_number (-2000));
  cb_rtmp_connection_send_command (self->connection, self->stream_id, play);
  buffer = cb_rtmp_message_new_set_buffer_length (self->stream_id, BUFFER_LENGTH_MS);
  cb_rtmp_connection_send_message (self->connection, buffer);
  cb_rtmp_connection_set_state (self->connection, CB_RTMP_CONNECTION_STARTING);
  return TRUE;
}

static void
on_connection_command (gpointer       data,
                       CbAmf0Command *cmd)
{
  CbRtmpPlayer *self = data;
  CbRtmpConnectionState state = cb_rtmp_connection_get_state (self->connection);
  CbAmf0Value *info = cb_amf0_command_get_arg (cmd, 0);

  if (g_str_equal (cmd->name, "_error"))
    {
      g_autofree char *text = cb_rtmp_status_text (info, "Rejected");

      if (state == CB_RTMP_CONNECTION_CONNECT || state == CB_RTMP_CONNECTION_CREATE_STREAM)
        cb_rtmp_connection_fail (self->connection,
                                 g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
      else
        g_debug ("RTMP player: %s answered with an error: %s", cmd->name, text);
      return;
    }

  if (g_str_equal (cmd->name, "onStatus"))
    {
      const char *level = info ? cb_amf0_object_get_string (info, "level") : NULL;
      const char *code = info ? cb_amf0_object_get_string (info, "code") : NULL;
      g_autofree char *text = cb_rtmp_status_text (info, "onStatus");

      if (g_strcmp0 (code, "NetStream.Play.Start") == 0 && state == CB_RTMP_CONNECTION_STARTING)
        {
          cb_rtmp_connection_set_state (self->connection, CB_RTMP_CONNECTION_STARTED);
          g_signal_emit (self, signals[SIGNAL_STARTED], 0);
        }
      else if (g_strcmp0 (level, "error") == 0 ||
               g_strcmp0 (code, "NetStream.Play.UnpublishNotify") == 0 ||
               g_strcmp0 (code, "NetStream.Play.Stop") == 0 ||
               g_strcmp0 (code, "NetStream.Play.Complete") == 0)
        cb_rtmp_connection_fail (self->connection,
                                 g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
    }
}

static gboolean
emit_media (gpointer  data,
            guint8    type_id,
            guint32   timestamp,
            GBytes   *payload)
{
  CbRtmpPlayer *self = data;

  if (!is_playing (self))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_MEDIA], 0, (guint) type_id, (guint) timestamp, payload);
  return TRUE;
}

static void
on_connection_message (gpointer       data,
                       CbRtmpMessage *message)
{
  CbRtmpPlayer *self = data;

  switch (message->type_id)
    {
    case CB_RTMP_MSG_AUDIO:
    case CB_RTMP_MSG_VIDEO:
    case CB_RTMP_MSG_DATA_AMF0:
      emit_media (self, message->type_id, message->timestamp, message->payload);
      break;
    case CB_RTMP_MSG_AGGREGATE:
      /* The tags before a broken one are played; the rest is dropped. */
      cb_rtmp_aggregate_split (message, emit_media, self, NULL);
      break;
    default:
      break;
    }
}

static void
on_connection_closed (gpointer      data,
                      const GError *error)
{
  CbRtmpPlayer *self = data;

  if (error != NULL)
    g_debug ("RTMP player from %s: %s", cb_rtmp_connection_get_url (self->connection)->host,
             error->message);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

static const CbRtmpConnectionRole player_role = {
  .log_name = "RTMP player",
  .start_command = "play",
  .create_stream_txn = TXN_CREATE_STREAM,
  .reads_may_idle = FALSE,
  .watch_silence = TRUE,
  .tell_early_close = FALSE,
  .send_connect = on_connection_send_connect,
  .stream_created = on_connection_stream_created,
  .command = on_connection_command,
  .message = on_connection_message,
  .closed = on_connection_closed,
};

/* ---- API ------------------------------------------------------------------------ */

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
  self->connection = cb_rtmp_connection_new (&player_role, G_OBJECT (self), config->url, NULL,
                                             config->timeout_ms, config->tls_validation);
  self->play_name = cb_rtmp_url_get_publish_name (config->url);
  self->flash_ver = g_strdup (config->flash_ver ? config->flash_ver : DEFAULT_FLASH_VER);
  return self;
}

guint64
cb_rtmp_player_get_bytes_received (CbRtmpPlayer *self)
{
  g_return_val_if_fail (CB_IS_RTMP_PLAYER (self), 0);
  return cb_rtmp_connection_get_bytes_received (self->connection);
}

void
cb_rtmp_player_start (CbRtmpPlayer *self)
{
  g_return_if_fail (CB_IS_RTMP_PLAYER (self));
  g_return_if_fail (cb_rtmp_connection_get_state (self->connection) == CB_RTMP_CONNECTION_IDLE);

  cb_rtmp_connection_start (self->connection);
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

  /* Closing the socket ends the play on any server: no need to wait for a deleteStream
   * to be written. */
  cb_rtmp_connection_close (self->connection);
}
