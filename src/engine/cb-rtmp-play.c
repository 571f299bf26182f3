/* cb-rtmp-play.c — a stream played over an RTMP server connection
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A consumer of the stream, like a push agent without the client: buffers arrive on the
 * producer's thread, become FLV tag bodies in the play's own bounded queue, and the
 * engine's context drains that queue into the session as its socket allows. A player
 * that reads too slowly loses whole GOPs from this queue alone.
 */
#include "config.h"

#include "cb-flv.h"
#include "cb-flv-queue.h"
#include "cb-rtmp-play.h"

#define QUEUE_LIMIT_MS     4000
#define MAX_QUEUE_BYTES    (16 * 1024 * 1024)
/* Bytes the session may hold unwritten before the play stops handing it more. */
#define SESSION_HIGH_WATER (512 * 1024)

struct _CbRtmpPlay
{
  gint                 ref_count;    /* atomic */
  CbEngine            *engine;       /* weak */
  CbRtmpServerSession *session;      /* NULL once stopped */
  guint32              stream_id;
  char                *name;
  CbStream            *stream;
  CbConsumer          *consumer;
  gboolean             metadata_sent;
  gboolean             eof_sent;
  gboolean             retry_pending;

  /* Shared with the producer's thread. */
  GMutex               lock;
  CbFlvQueue           queue;
  GstCaps             *caps[CB_MEDIA_N_KINDS];
  gboolean             eos;
  gint                 drain_pending; /* atomic */
};

static CbRtmpPlay *
play_ref (CbRtmpPlay *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
play_unref (gpointer data)
{
  CbRtmpPlay *self = data;

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  cb_flv_queue_clear (&self->queue);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_caps (&self->caps[k]);
  g_clear_object (&self->stream);
  g_free (self->name);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static gboolean drain (gpointer data);

static gboolean
drain_retry (gpointer data)
{
  CbRtmpPlay *self = data;

  self->retry_pending = FALSE;
  return drain (data);
}

/* Always later, from the engine's context: never from inside the stream's lock. */
static void
schedule_drain (CbRtmpPlay *self)
{
  GSource *source;

  if (!g_atomic_int_compare_and_exchange (&self->drain_pending, 0, 1))
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, drain, play_ref (self), play_unref);
  g_source_attach (source, cb_engine_get_context (self->engine));
  g_source_unref (source);
}

static void
consumer_caps (gpointer     data,
               CbMediaKind  kind,
               GstCaps     *caps)
{
  CbRtmpPlay *self = data;

  g_mutex_lock (&self->lock);
  gst_caps_replace (&self->caps[kind], caps);
  cb_flv_queue_push_config (&self->queue, kind, caps);
  g_mutex_unlock (&self->lock);
  schedule_drain (self);
}

static gboolean
consumer_buffer (gpointer     data,
                 CbMediaKind  kind,
                 GstBuffer   *buffer)
{
  CbRtmpPlay *self = data;
  GBytes *payload = cb_flv_payload_for (kind, buffer, NULL);
  gboolean ok;

  if (payload == NULL)
    return TRUE;
  g_mutex_lock (&self->lock);
  ok = cb_flv_queue_push_media (&self->queue, kind, buffer, payload, QUEUE_LIMIT_MS,
                                MAX_QUEUE_BYTES, NULL);
  g_mutex_unlock (&self->lock);

  schedule_drain (self);
  return ok;
}

static void
consumer_eos (gpointer data)
{
  CbRtmpPlay *self = data;

  g_mutex_lock (&self->lock);
  self->eos = TRUE;
  g_mutex_unlock (&self->lock);
  schedule_drain (self);
}

static const CbConsumerFuncs consumer_funcs = {
  consumer_caps,
  consumer_buffer,
  consumer_eos,
};

static void
send_metadata (CbRtmpPlay *self)
{
  CbFlvMetadata md = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GstCaps) vcaps = NULL;
  g_autoptr(GstCaps) acaps = NULL;

  g_mutex_lock (&self->lock);
  if (self->caps[CB_MEDIA_VIDEO] != NULL)
    vcaps = gst_caps_ref (self->caps[CB_MEDIA_VIDEO]);
  if (self->caps[CB_MEDIA_AUDIO] != NULL)
    acaps = gst_caps_ref (self->caps[CB_MEDIA_AUDIO]);
  g_mutex_unlock (&self->lock);

  cb_flv_metadata_from_caps (&md, vcaps, acaps);
  /* To a player: onMetaData itself, not the publisher's @setDataFrame. */
  bytes = cb_flv_metadata_build (&md, FALSE);
  cb_rtmp_server_session_send_media (self->session, self->stream_id, CB_FLV_TAG_SCRIPT, 0, bytes);
}

static gboolean
drain (gpointer data)
{
  CbRtmpPlay *self = data;
  gboolean eos, empty;

  g_atomic_int_set (&self->drain_pending, 0);
  if (self->session == NULL || self->eof_sent)
    return G_SOURCE_REMOVE;

  if (!self->metadata_sent)
    {
      gboolean have_caps;

      g_mutex_lock (&self->lock);
      have_caps = self->caps[CB_MEDIA_VIDEO] != NULL || self->caps[CB_MEDIA_AUDIO] != NULL;
      g_mutex_unlock (&self->lock);
      if (have_caps)
        {
          send_metadata (self);
          self->metadata_sent = TRUE;
        }
    }

  while (self->metadata_sent &&
         cb_rtmp_server_session_get_queued_bytes (self->session) < SESSION_HIGH_WATER)
    {
      CbFlvPacket *p;

      g_mutex_lock (&self->lock);
      p = cb_flv_queue_pop (&self->queue);
      g_mutex_unlock (&self->lock);
      if (p == NULL)
        break;
      if (!cb_rtmp_server_session_send_media (self->session, self->stream_id, p->type,
                                              p->timestamp, p->payload))
        {
          cb_flv_packet_free (p);
          return G_SOURCE_REMOVE;
        }
      cb_flv_packet_free (p);
    }

  g_mutex_lock (&self->lock);
  eos = self->eos;
  empty = cb_flv_queue_is_empty (&self->queue);
  g_mutex_unlock (&self->lock);
  if (eos && empty)
    {
      g_autofree char *text = g_strdup_printf ("%s is now unpublished.", self->name);

      self->eof_sent = TRUE;
      /* A stream that failed (a VOD file that cannot be read) says why. */
      if (cb_stream_get_status (self->stream) == CB_STREAM_FAILED)
        {
          g_autofree char *info = cb_stream_dup_info (self->stream);

          cb_rtmp_server_session_send_status (self->session, self->stream_id, "error",
                                              "NetStream.Play.Failed", info ? info : "Failed");
        }
      cb_rtmp_server_session_send_user_control (self->session, CB_RTMP_USER_STREAM_EOF,
                                                self->stream_id);
      cb_rtmp_server_session_send_status (self->session, self->stream_id, "status",
                                          "NetStream.Play.UnpublishNotify", text);
    }
  else if (!empty && !self->retry_pending &&
           cb_rtmp_server_session_get_queued_bytes (self->session) >= SESSION_HIGH_WATER)
    {
      /* The socket is behind: look again soon rather than on the next packet only. */
      GSource *later = g_timeout_source_new (50);

      self->retry_pending = TRUE;
      g_source_set_callback (later, drain_retry, play_ref (self), play_unref);
      g_source_attach (later, cb_engine_get_context (self->engine));
      g_source_unref (later);
    }
  return G_SOURCE_REMOVE;
}

CbRtmpPlay *
cb_rtmp_play_start (CbEngine            *engine,
                    CbRtmpServerSession *session,
                    guint32              stream_id,
                    const char          *name,
                    GError             **error)
{
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GstCaps) vcaps = NULL;
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
  vcaps = cb_stream_dup_caps (stream, CB_MEDIA_VIDEO);
  if (vcaps != NULL && g_strcmp0 (cb_media_codec_from_caps (vcaps), "H264") != 0)
    {
      if (!cb_settings_get_bool (cb_engine_get_settings (engine), "transcoding_enabled"))
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED,
                       "Video codec mismatch. %s granted, but should be H.264",
                       cb_media_codec_from_caps (vcaps));
          cb_engine_release_play_stream (engine, stream);
          return NULL;
        }
      profile.keyframe_interval = 60;
    }

  self = g_new0 (CbRtmpPlay, 1);
  self->ref_count = 1;
  self->engine = engine;
  self->session = session;
  self->stream_id = stream_id;
  self->name = g_strdup (name);
  self->stream = g_object_ref (stream);
  g_mutex_init (&self->lock);
  cb_flv_queue_init (&self->queue);
  /* A stream with a position of its own (a VOD file) is played from that timeline: a
   * viewer who joins a shared VOD late sees where in the file it is. */
  cb_flv_queue_set_base (&self->queue, cb_stream_get_timeline_origin (stream));

  /* Attaching replays the cached GOP: the player starts on a keyframe at once. */
  self->consumer = cb_stream_attach (stream, &consumer_funcs, self, NULL, &profile, CB_AUDIO_AAC,
                                     &attach_error);
  if (self->consumer == NULL)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, attach_error->message);
      self->session = NULL;
      play_unref (self);
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
  self->session = NULL;
  g_clear_pointer (&self->consumer, cb_consumer_detach);
  g_debug ("RTMP play of %s ended (%" G_GUINT64_FORMAT " packets dropped)", self->name,
           self->queue.dropped);
  play_unref (self);
}
