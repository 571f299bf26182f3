/* cb-rtmp-client.c — the publishing side of an RTMP connection, on GIO
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connection itself (TCP, TLS, handshake, chunk streams, output queue, connect and
 * createStream) is cb-rtmp-connection.c, shared with the player; this file adds what a
 * publisher does: Adobe authentication, releaseStream and FCPublish, publish, media out,
 * the server's acknowledgements and a graceful end.
 */
#include "config.h"

#include <string.h>

#include "cb-amf0.h"
#include "cb-rtmp-client.h"
#include "cb-rtmp-connection-private.h"

#define DEFAULT_FLASH_VER  "FMLE/3.0 (compatible; FMSc/1.0)"
#define OUT_CHUNK_SIZE     4096

/* Transaction ids of our commands, after connect's. */
enum {
  TXN_RELEASE = 2,
  TXN_FCPUBLISH = 3,
  TXN_CREATE_STREAM = 4,
  TXN_PUBLISH = 5,
  TXN_FCUNPUBLISH = 6,
};

struct _CbRtmpClient
{
  GObject             parent_instance;

  CbRtmpConnection   *connection;
  char               *stream_name;
  char               *app;
  char               *flash_ver;
  char               *auth_query;      /* Adobe authentication, added to the app in connect */
  guint               auth_round;

  GTask              *task;            /* the pending publish */
  gulong              task_cancel_id;

  guint32             stream_id;
  guint64             bytes_acked;
  guint32             last_ack_seq;
  gint64              last_ack_time;
};

G_DEFINE_FINAL_TYPE (CbRtmpClient, cb_rtmp_client, G_TYPE_OBJECT)

enum {
  SIGNAL_CONNECTED,
  SIGNAL_STATUS,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cb_rtmp_client_dispose (GObject *object)
{
  CbRtmpClient *self = CB_RTMP_CLIENT (object);

  g_clear_pointer (&self->connection, cb_rtmp_connection_free);
  G_OBJECT_CLASS (cb_rtmp_client_parent_class)->dispose (object);
}

static void
cb_rtmp_client_finalize (GObject *object)
{
  CbRtmpClient *self = CB_RTMP_CLIENT (object);

  g_free (self->stream_name);
  g_free (self->app);
  g_free (self->flash_ver);
  g_free (self->auth_query);
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
}

/* Ends the pending publish, if any: with @error (taken), or successfully when it is NULL. */
static void
return_task (CbRtmpClient *self,
             GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GCancellable *cancellable;

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  if (cancellable != NULL && self->task_cancel_id != 0)
    g_cancellable_disconnect (cancellable, self->task_cancel_id);
  self->task_cancel_id = 0;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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
  cb_rtmp_connection_send_command (self->connection, stream_id, cmd);
}

static void
reject (CbRtmpClient *self,
        const char   *text)
{
  cb_rtmp_connection_fail (self->connection,
                           g_error_new (CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "%s", text));
}

/* ---- the publish sequence ------------------------------------------------- */

static char *
connect_app (CbRtmpClient *self)
{
  const CbRtmpUrl *url = cb_rtmp_connection_get_url (self->connection);
  GString *app = g_string_new (self->app);

  if (url->query != NULL || self->auth_query != NULL)
    {
      g_string_append_c (app, '?');
      if (self->auth_query != NULL)
        g_string_append (app, self->auth_query);
      if (url->query != NULL)
        {
          if (self->auth_query != NULL)
            g_string_append_c (app, '&');
          g_string_append (app, url->query);
        }
    }
  return g_string_free (app, FALSE);
}

static void
on_connection_send_connect (gpointer data)
{
  CbRtmpClient *self = data;
  g_autoptr(CbAmf0Command) cmd = NULL;
  g_autoptr(CbRtmpMessage) window = NULL;
  g_autofree char *app = connect_app (self);
  g_autofree char *tc_url = NULL;
  CbAmf0Value *obj = cb_amf0_value_new_object ();
  CbRtmpUrl tc = *cb_rtmp_connection_get_url (self->connection);

  tc.app = app;
  tc_url = cb_rtmp_url_get_tc_url (&tc);

  /* Our chunk size first: larger chunks cost the server less. */
  cb_rtmp_connection_set_chunk_size (self->connection, OUT_CHUNK_SIZE);
  /* Ask the server to acknowledge every CB_RTMP_CONNECTION_WINDOW bytes: its
   * acknowledgements are how the pusher tells a live connection from a dead one. */
  window = cb_rtmp_message_new_window_ack_size (CB_RTMP_CONNECTION_WINDOW);
  cb_rtmp_connection_send_message (self->connection, window);

  cb_amf0_object_set_string (obj, "app", app);
  cb_amf0_object_set_string (obj, "type", "nonprivate");
  cb_amf0_object_set_string (obj, "flashVer", self->flash_ver);
  cb_amf0_object_set_string (obj, "swfUrl", tc_url);
  cb_amf0_object_set_string (obj, "tcUrl", tc_url);
  cmd = cb_amf0_command_new ("connect", CB_RTMP_CONNECTION_TXN_CONNECT, obj);
  cb_rtmp_connection_send_command (self->connection, 0, cmd);
}

static void
on_connection_connected (gpointer data)
{
  CbRtmpClient *self = data;

  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
  send_simple_command (self, "releaseStream", TXN_RELEASE, 0, self->stream_name);
  send_simple_command (self, "FCPublish", TXN_FCPUBLISH, 0, self->stream_name);
}

static gboolean
on_connection_stream_created (gpointer data,
                              double   stream_id)
{
  CbRtmpClient *self = data;
  g_autoptr(CbAmf0Command) publish = NULL;

  self->stream_id = (guint32) stream_id;
  publish = cb_amf0_command_new ("publish", TXN_PUBLISH, cb_amf0_value_new_null ());
  cb_amf0_command_add_arg (publish, cb_amf0_value_new_string (self->stream_name));
  cb_amf0_command_add_arg (publish, cb_amf0_value_new_string ("live"));
  cb_rtmp_connection_send_command (self->connection, self->stream_id, publish);
  cb_rtmp_connection_set_state (self->connection, CB_RTMP_CONNECTION_STARTING);
  return TRUE;
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
  const CbRtmpUrl *url = cb_rtmp_connection_get_url (self->connection);
  char challenge2[9];

  if (url->username == NULL || url->password == NULL || description == NULL ||
      self->auth_round >= 2)
    return FALSE;

  if (strstr (description, "reason=needauth") != NULL)
    {
      salt = query_get (description, "salt");
      challenge = query_get (description, "challenge");
      opaque = query_get (description, "opaque");
      if (salt == NULL)
        return FALSE;
      user = g_uri_escape_string (url->username, NULL, TRUE);
      hash1 = md5_base64 (url->username, salt, url->password);
      g_snprintf (challenge2, sizeof challenge2, "%08x", g_random_int ());
      response = md5_base64 (hash1, opaque ? opaque : challenge ? challenge : "", challenge2);
      g_free (self->auth_query);
      self->auth_query = g_strdup_printf ("authmod=adobe&user=%s&challenge=%s&response=%s%s%s",
                                          user, challenge2, response,
                                          opaque ? "&opaque=" : "", opaque ? opaque : "");
    }
  else if (strstr (description, "authmod=adobe") == NULL ||
           strstr (description, "code=403") == NULL)
    return FALSE;

  /* Each step of the challenge is a new connection. */
  self->auth_round++;
  cb_rtmp_connection_restart (self->connection);
  return TRUE;
}

static void
on_connection_command (gpointer       data,
                       CbAmf0Command *cmd)
{
  CbRtmpClient *self = data;
  CbRtmpConnectionState state = cb_rtmp_connection_get_state (self->connection);
  CbAmf0Value *info = cb_amf0_command_get_arg (cmd, 0);

  if (g_str_equal (cmd->name, "_error"))
    {
      g_autofree char *text = cb_rtmp_status_text (info, "Rejected");
      const char *description = info ? cb_amf0_object_get_string (info, "description") : NULL;

      if (cmd->transaction_id == CB_RTMP_CONNECTION_TXN_CONNECT &&
          state == CB_RTMP_CONNECTION_CONNECT)
        {
          if (handle_auth_rejection (self, description))
            return;
          reject (self, text);
        }
      else if (cmd->transaction_id == TXN_CREATE_STREAM)
        reject (self, text);
      else
        g_debug ("RTMP: %s answered with an error: %s", cmd->name, text);
      return;
    }

  if (g_str_equal (cmd->name, "onStatus"))
    {
      /* onStatus(txn, null, info) */
      const char *level = info ? cb_amf0_object_get_string (info, "level") : NULL;
      const char *code = info ? cb_amf0_object_get_string (info, "code") : NULL;
      const char *description = info ? cb_amf0_object_get_string (info, "description") : NULL;
      g_autofree char *text = cb_rtmp_status_text (info, "onStatus");

      g_signal_emit (self, signals[SIGNAL_STATUS], 0, level ? level : "", code ? code : "",
                     description ? description : "");
      if (state == CB_RTMP_CONNECTION_STARTING)
        {
          if (g_strcmp0 (code, "NetStream.Publish.Start") == 0)
            {
              cb_rtmp_connection_set_state (self->connection, CB_RTMP_CONNECTION_STARTED);
              return_task (self, NULL);
            }
          else if (g_strcmp0 (level, "error") == 0 || (code && strstr (code, "Failed")) ||
                   (code && strstr (code, "BadName")) || (code && strstr (code, "Rejected")))
            reject (self, text);
        }
      else if (state == CB_RTMP_CONNECTION_STARTED &&
               (g_strcmp0 (code, "NetStream.Publish.BadName") == 0 ||
                g_strcmp0 (code, "NetStream.Unpublish.Success") == 0 ||
                g_strcmp0 (code, "NetConnection.Connect.Closed") == 0))
        reject (self, text);
      return;
    }

  if (g_str_equal (cmd->name, "onFCPublish") || g_str_equal (cmd->name, "onBWDone") ||
      g_str_equal (cmd->name, "_checkbw"))
    return;
  g_debug ("RTMP: ignoring command %s", cmd->name);
}

static void
on_connection_message (gpointer       data,
                       CbRtmpMessage *message)
{
  CbRtmpClient *self = data;
  g_autoptr(GError) error = NULL;
  guint32 value;

  /* Set Chunk Size is applied by the reader; peer bandwidth, data: nothing to do. */
  if (message->type_id == CB_RTMP_MSG_ACKNOWLEDGEMENT &&
      cb_rtmp_control_parse_u32 (message, &value, &error))
    {
      /* Unwrap the 32-bit sequence number. */
      self->bytes_acked += (guint32) (value - self->last_ack_seq);
      self->last_ack_seq = value;
      self->last_ack_time = g_get_monotonic_time ();
    }
}

/* Ends the connection: fails the pending publish with @error, and reports "closed". */
static void
on_connection_closed (gpointer      data,
                      const GError *error)
{
  CbRtmpClient *self = data;

  if (error != NULL)
    {
      g_debug ("RTMP to %s failed: %s", cb_rtmp_connection_get_url (self->connection)->host,
               error->message);
      return_task (self, g_error_copy (error));
    }
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

static const CbRtmpConnectionRole client_role = {
  .log_name = "RTMP",
  .start_command = "publish",
  .create_stream_txn = TXN_CREATE_STREAM,
  /* A server may stay silent for long while we publish. Liveness is judged above us, by
   * what the server acknowledges. */
  .reads_may_idle = TRUE,
  .watch_silence = FALSE,
  /* Whether a failure came before NetConnection.Connect.Success matters to the pusher. */
  .tell_early_close = TRUE,
  .send_connect = on_connection_send_connect,
  .connected = on_connection_connected,
  .stream_created = on_connection_stream_created,
  .command = on_connection_command,
  .message = on_connection_message,
  .closed = on_connection_closed,
};

/* ---- API ------------------------------------------------------------------ */

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
  self->connection = cb_rtmp_connection_new (&client_role, G_OBJECT (self), config->url,
                                             config->bind_address, config->timeout_ms,
                                             config->tls_validation);
  self->stream_name = g_strdup (config->stream_name);
  self->app = g_strdup (config->app ? config->app : config->url->app);
  self->flash_ver = g_strdup (config->flash_ver ? config->flash_ver : DEFAULT_FLASH_VER);
  /* Credentials in user:password@ are for Adobe-style authentication; FFmpeg and OBS
   * announce them in the first connect, which servers without authentication ignore. */
  if (config->url->username != NULL && !config->url->credentials_in_query)
    {
      g_autofree char *user = g_uri_escape_string (config->url->username, NULL, TRUE);
      self->auth_query = g_strdup_printf ("authmod=adobe&user=%s", user);
    }
  return self;
}

gboolean
cb_rtmp_client_is_connected (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);
  return cb_rtmp_connection_is_accepted (self->connection);
}

gsize
cb_rtmp_client_get_queued_bytes (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return cb_rtmp_connection_get_queued_bytes (self->connection);
}

guint64
cb_rtmp_client_get_bytes_sent (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return cb_rtmp_connection_get_bytes_sent (self->connection);
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

static void
on_task_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  CbRtmpClient *self = data;

  /* From the cancellable's signal: finish on the context, not here. */
  cb_rtmp_connection_cancel (self->connection);
}

void
cb_rtmp_client_publish_async (CbRtmpClient        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CB_IS_RTMP_CLIENT (self));

  if (self->task != NULL ||
      cb_rtmp_connection_get_state (self->connection) != CB_RTMP_CONNECTION_IDLE)
    {
      /* The pending publish (if any) stays as it is. */
      GTask *task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, cb_rtmp_client_publish_async);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already started");
      g_object_unref (task);
      return;
    }
  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, cb_rtmp_client_publish_async);
  if (cancellable != NULL)
    self->task_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled),
                                                  self, NULL);
  cb_rtmp_connection_start (self->connection);
}

gboolean
cb_rtmp_client_publish_finish (CbRtmpClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cb_rtmp_client_send (CbRtmpClient *self,
                     guint8        type_id,
                     guint32       timestamp_ms,
                     GBytes       *payload)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);

  /* Published means open: closing, failing and restarting all leave STARTED. */
  if (cb_rtmp_connection_get_state (self->connection) != CB_RTMP_CONNECTION_STARTED)
    return FALSE;
  return cb_rtmp_connection_send_media (self->connection, self->stream_id, type_id,
                                        timestamp_ms, payload);
}

/**
 * cb_rtmp_client_send_form:
 * @form: media serialized once for every session sending it (cb_rtmp_chunk_form_new()
 *   with cb_rtmp_client_get_chunk_size() and cb_rtmp_media_csid() of its type)
 * @timestamp_ms: the timestamp on this connection
 *
 * As cb_rtmp_client_send(), but only the first chunk's header is this client's own.
 */
gboolean
cb_rtmp_client_send_form (CbRtmpClient          *self,
                          const CbRtmpChunkForm *form,
                          guint32                timestamp_ms)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);
  g_return_val_if_fail (form != NULL, FALSE);

  if (cb_rtmp_connection_get_state (self->connection) != CB_RTMP_CONNECTION_STARTED)
    return FALSE;
  return cb_rtmp_connection_send_form (self->connection, form, self->stream_id, timestamp_ms);
}

guint32
cb_rtmp_client_get_chunk_size (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), 0);
  return cb_rtmp_connection_get_chunk_size (self->connection);
}

gboolean
cb_rtmp_client_is_congested (CbRtmpClient *self)
{
  g_return_val_if_fail (CB_IS_RTMP_CLIENT (self), FALSE);
  return cb_rtmp_connection_is_congested (self->connection);
}

void
cb_rtmp_client_close (CbRtmpClient *self,
                      gboolean      graceful)
{
  CbRtmpConnectionState state;

  g_return_if_fail (CB_IS_RTMP_CLIENT (self));

  state = cb_rtmp_connection_get_state (self->connection);
  if (state == CB_RTMP_CONNECTION_CLOSED)
    return;

  return_task (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed"));

  if (graceful && state == CB_RTMP_CONNECTION_STARTED)
    {
      g_autoptr(CbAmf0Command) del = cb_amf0_command_new ("deleteStream", 0,
                                                          cb_amf0_value_new_null ());

      /* The destination sees the end of the stream, as encoders end it. */
      send_simple_command (self, "FCUnpublish", TXN_FCUNPUBLISH, 0, self->stream_name);
      cb_amf0_command_add_arg (del, cb_amf0_value_new_number (self->stream_id));
      cb_rtmp_connection_send_command (self->connection, 0, del);
      cb_rtmp_connection_close_after_flush (self->connection);
      return;
    }

  cb_rtmp_connection_close (self->connection);
}
