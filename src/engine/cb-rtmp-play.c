/* cb-rtmp-play.c — a stream played over an RTMP server connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A consumer of the stream through the FLV sending core it shares with push agents
 * (cb-flv-sender.c): the stream's shared forms go to the session as its socket allows,
 * and a player that reads too slowly loses whole GOPs from its own queue alone. What is
 * the play's own: the server session, and what it says when the stream ends.
 */
#include "config.h"

#include "cb-engine-private.h"
#include "cb-flv-sender.h"
#include "cb-rtmp-play.h"

static const CbFlvSenderConfig sender_config = {
  .limit_ms = 4000,
  .max_bytes = 16 * 1024 * 1024,
  /* To a player: onMetaData itself, not the publisher's @setDataFrame. */
  .send_metadata = TRUE,
  .retry_ms = 50,
  .end_when_drained = TRUE,
};

struct _CbRtmpPlay
{
  CbEngine            *engine;       /* weak */
  CbFlvServerOut       out;          /* session NULL once stopped */
  char                *name;
  CbStream            *stream;
  CbFlvSender         *sender;
};

/* Everything queued went out and the stream ended: say so as a server would. */
static void
on_sender_ended (gpointer data)
{
  CbRtmpPlay *self = data;
  CbRtmpServerSession *session = self->out.session;
  g_autofree char *text = g_strdup_printf ("%s is now unpublished.", self->name);

  /* A stream that failed (a VOD file that cannot be read) says why. */
  if (cb_stream_get_status (self->stream) == CB_STREAM_FAILED)
    {
      g_autofree char *info = cb_stream_dup_info (self->stream);

      cb_rtmp_server_session_send_status (session, self->out.stream_id, "error",
                                          "NetStream.Play.Failed", info ? info : "Failed");
    }
  cb_rtmp_server_session_send_user_control (session, CB_RTMP_USER_STREAM_EOF,
                                            self->out.stream_id);
  cb_rtmp_server_session_send_status (session, self->out.stream_id, "status",
                                      "NetStream.Play.UnpublishNotify", text);
}

static const CbFlvSenderHooks sender_hooks = { NULL, NULL, on_sender_ended };

static void
play_free (CbRtmpPlay *self)
{
  cb_flv_sender_free (self->sender);
  g_clear_object (&self->stream);
  g_free (self->name);
  g_free (self);
}

CbRtmpPlay *
cb_rtmp_play_start (CbEngine            *engine,
                    CbRtmpServerSession *session,
                    guint32              stream_id,
                    const char          *name,
                    GError             **error)
{
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GError) attach_error = NULL;
  g_autoptr(GError) open_error = NULL;
  CbProfile profile = { 0 };
  CbRtmpPlay *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (session != NULL, NULL);

  /* A live stream, or a VOD file ("vod://x.mp4", "vod-live:x.mp4"): the reason a VOD
   * cannot start ("File not found") is what the player reads in StreamNotFound. */
  stream = cb_engine_open_play_stream (engine, name, &open_error);
  if (stream == NULL)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, open_error->message);
      return NULL;
    }
  /* RTMP carries H.264: another codec goes through the transcoder, when allowed. */
  if (!cb_engine_want_video (engine, stream, "H264", TRUE, NULL, 60, &profile, &open_error))
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, open_error->message);
      cb_engine_release_play_stream (engine, stream);
      return NULL;
    }

  self = g_new0 (CbRtmpPlay, 1);
  self->engine = engine;
  self->out.session = session;
  self->out.stream_id = stream_id;
  self->name = g_strdup (name);
  self->stream = g_object_ref (stream);
  self->sender = cb_flv_sender_new (cb_engine_get_context (engine), &sender_config,
                                    &sender_hooks, self);
  /* A stream with a position of its own (a VOD file) is played from that timeline: a
   * viewer who joins a shared VOD late sees where in the file it is. */
  if (cb_flv_sender_start (self->sender, &cb_flv_out_server_session, &self->out, stream,
                           cb_stream_get_timeline_origin (stream), &profile,
                           &attach_error) == NULL)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, attach_error->message);
      play_free (self);
      cb_engine_release_play_stream (engine, stream);
      return NULL;
    }
  g_debug ("RTMP play of %s to %s", name, cb_rtmp_server_session_get_peer (session));
  return self;
}

void
cb_rtmp_play_stop (CbRtmpPlay *self)
{
  if (self == NULL)
    return;
  g_debug ("RTMP play of %s ended (%" G_GUINT64_FORMAT " packets dropped)", self->name,
           cb_flv_sender_get_dropped (self->sender));
  play_free (self);
}
