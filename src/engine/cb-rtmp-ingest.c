/* cb-rtmp-ingest.c — FLV tags from RTMP into a stream, and the engine's RTMP server handler
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An RTMP publish becomes a stream like any other: its FLV tag bodies are cut into
 * GstBuffers that share the received bytes (no copy, no decoding), with caps built from
 * the sequence headers, and pushed into the stream's fan-out. RTMP consumers turn them
 * back into the same tag bodies, so an RTMP-in → RTMP-out relay copies nothing it need not.
 */
#include "config.h"

#include <string.h>

#include "cb-engine-error.h"
#include "cb-flv.h"
#include "cb-flv-codec.h"
#include "cb-flv-sender.h"
#include "cb-rtmp-ingest.h"
#include "cb-redact.h"
#include "cb-rtmp-url.h"
#include "cb-rtmp-play.h"

/* A jump of the source's clock further than this, back or forth, starts a new segment. */
#define MAX_BACKWARD_MS     1000
#define MAX_FORWARD_MS      10000
/* The step between the last timestamp of a segment and the first of the next one. */
#define SEGMENT_GAP_MS      20

/* ---- timeline ---------------------------------------------------------------------- */

void
cb_rtmp_timeline_init (CbRtmpTimeline *timeline)
{
  memset (timeline, 0, sizeof *timeline);
}

void
cb_rtmp_timeline_discontinuity (CbRtmpTimeline *timeline)
{
  if (timeline->started)
    timeline->rebase = TRUE;
}

/**
 * cb_rtmp_timeline_map:
 *
 * Returns: the timestamp in milliseconds on the timeline (from %CB_RTMP_TIMELINE_START_MS)
 */
gint64
cb_rtmp_timeline_map (CbRtmpTimeline *timeline,
                      guint32         raw_ms)
{
  gint64 ext, out;

  if (!timeline->started)
    {
      timeline->started = TRUE;
      timeline->last_raw = raw_ms;
      timeline->last_ext = raw_ms;
      timeline->offset = CB_RTMP_TIMELINE_START_MS - (gint64) raw_ms;
      timeline->last_out = CB_RTMP_TIMELINE_START_MS;
      return timeline->last_out;
    }

  /* A signed 32-bit difference unwraps 0xffffff00 → 0x00000100 as +512 ms. */
  ext = timeline->last_ext + (gint32) (raw_ms - timeline->last_raw);
  timeline->last_raw = raw_ms;
  timeline->last_ext = ext;
  out = ext + timeline->offset;

  if (timeline->rebase || out < timeline->last_out - MAX_BACKWARD_MS ||
      out > timeline->last_out + MAX_FORWARD_MS)
    {
      timeline->rebase = FALSE;
      timeline->offset = timeline->last_out + SEGMENT_GAP_MS - ext;
      out = ext + timeline->offset;
    }
  /* Audio a little behind video is normal interleaving: keep it as it is. */
  timeline->last_out = MAX (timeline->last_out, out);
  return MAX (out, 0);
}

/* ---- the bridge -------------------------------------------------------------------------- */

struct _CbRtmpIngest
{
  CbStream       *stream;
  CbRtmpTimeline  timeline;
  double          meta_width;
  double          meta_height;
  double          meta_fps;
  gboolean        have_video_caps;
  gboolean        have_audio_caps;
  gboolean        warned_video;
  gboolean        warned_audio;
};

CbRtmpIngest *
cb_rtmp_ingest_new (CbStream *stream)
{
  CbRtmpIngest *self;

  g_return_val_if_fail (CB_IS_STREAM (stream), NULL);

  self = g_new0 (CbRtmpIngest, 1);
  self->stream = g_object_ref (stream);
  cb_rtmp_timeline_init (&self->timeline);
  return self;
}

void
cb_rtmp_ingest_free (CbRtmpIngest *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->stream);
  g_free (self);
}

CbStream *
cb_rtmp_ingest_get_stream (CbRtmpIngest *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->stream;
}

void
cb_rtmp_ingest_discontinuity (CbRtmpIngest *self)
{
  g_return_if_fail (self != NULL);
  cb_rtmp_timeline_discontinuity (&self->timeline);
}

/* A buffer sharing @len bytes at @data, which point into @payload. */
static GstBuffer *
sub_buffer (GBytes       *payload,
            const guint8 *data,
            gsize         len)
{
  const guint8 *base = g_bytes_get_data (payload, NULL);
  g_autoptr(GBytes) part = g_bytes_new_from_bytes (payload, data - base, len);

  return gst_buffer_new_wrapped_bytes (part);
}

/* @buffer, cut from @payload, to the stream; its RTMP players and push agents send
 * @payload itself, also from the cached GOP (tagged before there was any). */
static void
push_buffer (CbRtmpIngest *self,
             CbMediaKind   kind,
             GstBuffer    *buffer,
             GBytes       *payload)
{
  cb_flv_tag_adopt (kind, buffer, payload);
  cb_stream_push_buffer (self->stream, kind, buffer);
  gst_buffer_unref (buffer);
}

static gboolean
push_video (CbRtmpIngest  *self,
            gint64         ms,
            GBytes        *payload,
            GError       **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  CbFlvVideoTag tag;
  GstBuffer *buffer;
  gint64 pts;

  if (!cb_flv_video_tag_parse (data, len, &tag, error))
    return FALSE;
  if (tag.frame_type == CB_FLV_FRAME_COMMAND)
    return TRUE;
  if (!cb_flv_video_tag_check_codec (&tag, CB_FLV_VIDEO_AVC, error))
    {
      if (!self->warned_video)
        g_debug ("stream %s: video dropped: %s", cb_stream_get_name (self->stream),
                 (*error)->message);
      self->warned_video = TRUE;
      return FALSE;
    }

  if (tag.packet_type == CB_FLV_AVC_SEQUENCE_HEADER)
    {
      g_autoptr(CbAvcConfig) config = cb_avc_config_parse (tag.data, tag.size, error);
      g_autoptr(GstBuffer) codec_data = NULL;
      g_autoptr(GstCaps) caps = NULL;
      CbH264SpsInfo sps = { 0 };

      if (config == NULL)
        return FALSE;
      if (config->sps->len > 0)
        {
          GBytes *first = g_ptr_array_index (config->sps, 0);
          gsize sps_len;
          const guint8 *sps_data = g_bytes_get_data (first, &sps_len);

          if (!cb_h264_sps_parse (sps_data, sps_len, &sps))
            g_debug ("stream %s: unreadable SPS", cb_stream_get_name (self->stream));
        }
      if (sps.width == 0 && self->meta_width > 0 && self->meta_height > 0 &&
          self->meta_width < 16384 && self->meta_height < 16384)
        {
          sps.width = (int) self->meta_width;
          sps.height = (int) self->meta_height;
        }
      if (sps.fps_n == 0 && self->meta_fps > 0 && self->meta_fps <= 240)
        {
          sps.fps_n = (int) (self->meta_fps * 1000 + 0.5);
          sps.fps_d = 1000;
          if (sps.fps_n % 1000 == 0)
            {
              sps.fps_n /= 1000;
              sps.fps_d = 1;
            }
        }
      codec_data = gst_buffer_new_memdup (tag.data, tag.size);
      caps = gst_caps_new_simple ("video/x-h264",
                                  "stream-format", G_TYPE_STRING, "avc",
                                  "alignment", G_TYPE_STRING, "au",
                                  "codec_data", GST_TYPE_BUFFER, codec_data,
                                  NULL);
      if (sps.width > 0)
        gst_caps_set_simple (caps, "width", G_TYPE_INT, sps.width,
                             "height", G_TYPE_INT, sps.height, NULL);
      if (sps.fps_n > 0)
        gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, sps.fps_n, sps.fps_d, NULL);
      cb_stream_push_caps (self->stream, CB_MEDIA_VIDEO, caps);
      self->have_video_caps = TRUE;
      return TRUE;
    }
  if (tag.packet_type != CB_FLV_AVC_NALU || tag.size == 0 || !self->have_video_caps)
    return TRUE;

  buffer = sub_buffer (payload, tag.data, tag.size);
  pts = MAX (ms + tag.composition_time, 0);
  GST_BUFFER_DTS (buffer) = (GstClockTime) ms * GST_MSECOND;
  GST_BUFFER_PTS (buffer) = (GstClockTime) pts * GST_MSECOND;
  if (!cb_flv_video_tag_is_keyframe (&tag))
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  push_buffer (self, CB_MEDIA_VIDEO, buffer, payload);
  return TRUE;
}

static gboolean
push_audio (CbRtmpIngest  *self,
            gint64         ms,
            GBytes        *payload,
            GError       **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  CbFlvAudioTag tag;
  GstBuffer *buffer;

  if (!cb_flv_audio_tag_parse (data, len, &tag, error))
    return FALSE;
  if (!cb_flv_audio_tag_check_codec (&tag, CB_FLV_AUDIO_AAC, error))
    {
      if (!self->warned_audio)
        g_debug ("stream %s: audio dropped: %s", cb_stream_get_name (self->stream),
                 (*error)->message);
      self->warned_audio = TRUE;
      return FALSE;
    }

  if (tag.packet_type == CB_FLV_AAC_SEQUENCE_HEADER)
    {
      g_autoptr(GstBuffer) codec_data = NULL;
      g_autoptr(GstCaps) caps = NULL;
      int rate = 0, channels = 0;

      if (!cb_aac_config_parse (tag.data, tag.size, &rate, &channels))
        {
          g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                               "unreadable AudioSpecificConfig");
          return FALSE;
        }
      codec_data = gst_buffer_new_memdup (tag.data, tag.size);
      caps = gst_caps_new_simple ("audio/mpeg",
                                  "mpegversion", G_TYPE_INT, 4,
                                  "stream-format", G_TYPE_STRING, "raw",
                                  "codec_data", GST_TYPE_BUFFER, codec_data,
                                  "rate", G_TYPE_INT, rate,
                                  "channels", G_TYPE_INT, channels,
                                  NULL);
      cb_stream_push_caps (self->stream, CB_MEDIA_AUDIO, caps);
      self->have_audio_caps = TRUE;
      return TRUE;
    }
  if (tag.size == 0 || !self->have_audio_caps)
    return TRUE;

  buffer = sub_buffer (payload, tag.data, tag.size);
  GST_BUFFER_PTS (buffer) = GST_BUFFER_DTS (buffer) = (GstClockTime) ms * GST_MSECOND;
  push_buffer (self, CB_MEDIA_AUDIO, buffer, payload);
  return TRUE;
}

/**
 * cb_rtmp_ingest_push:
 * @type_id: 8 (audio), 9 (video) or 18 (data: onMetaData, with or without @setDataFrame)
 * @timestamp: the RTMP timestamp in milliseconds
 * @payload: the FLV tag body; buffers share its bytes
 *
 * Called on the engine's context (or any one thread at a time).
 */
gboolean
cb_rtmp_ingest_push (CbRtmpIngest  *self,
                     guint8         type_id,
                     guint32        timestamp,
                     GBytes        *payload,
                     GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (type_id == CB_FLV_TAG_SCRIPT)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (payload, &len);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CbFlvMetadata) meta = cb_flv_metadata_parse (data, len, &local_error);

      if (meta == NULL)
        {
          /* |RtmpSampleAccess, onTextData, …: not ours to read. */
          if (g_error_matches (local_error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      self->meta_width = meta->width;
      self->meta_height = meta->height;
      self->meta_fps = meta->framerate;
      return TRUE;
    }
  if (type_id != CB_FLV_TAG_VIDEO && type_id != CB_FLV_TAG_AUDIO)
    return TRUE;
  /* Sequence headers carry no time worth mapping, but mapping them is harmless. */
  if (type_id == CB_FLV_TAG_VIDEO)
    return push_video (self, cb_rtmp_timeline_map (&self->timeline, timestamp), payload, error);
  return push_audio (self, cb_rtmp_timeline_map (&self->timeline, timestamp), payload, error);
}

/* ---- publish authorisation --------------------------------------------------------------- */

/* rtmp_publish_keys: "name:key,name:key"; a name may hold ':' (the key may not). */
static char *
key_for_stream (const char *keys,
                const char *name)
{
  g_auto(GStrv) items = NULL;

  if (keys == NULL || *keys == '\0')
    return NULL;
  items = g_strsplit (keys, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      char *colon = strrchr (item, ':');

      if (colon == NULL)
        continue;
      *colon = '\0';
      if (g_str_equal (g_strstrip (item), name))
        return g_strdup (g_strstrip (colon + 1));
    }
  return NULL;
}

gboolean
cb_rtmp_ingest_check_key (CbSettings *settings,
                          const char *name,
                          const char *query,
                          const char *connect_query)
{
  g_autofree char *required = key_for_stream (cb_settings_get_string (settings,
                                                                      "rtmp_publish_keys"),
                                              name);
  g_autofree char *given = NULL;
  const char *global = cb_settings_get_string (settings, "rtmp_publish_key");

  if (required == NULL && global != NULL && *global != '\0')
    required = g_strdup (global);
  if (required == NULL || *required == '\0')
    return TRUE;   /* as WCS: no authorisation unless asked for */
  given = cb_rtmp_query_get (query, "key", FALSE);
  if (given == NULL)
    given = cb_rtmp_query_get (connect_query, "key", FALSE);
  return given != NULL && cb_secret_equal (given, strlen (given), required, strlen (required));
}

/* ---- the engine's server handler ------------------------------------------------------- */

typedef enum {
  HANDLE_PUBLISH,
  HANDLE_PLAY,
} HandleKind;

typedef struct {
  HandleKind           kind;
  gint                 ref_count;
  CbEngine            *engine;      /* weak: the server stops before the engine goes */
  CbRtmpServerSession *session;     /* NULL once the publish ended */
  CbStream            *stream;
  CbRtmpIngest        *ingest;
  CbRtmpPlay          *play;
  guint64              dropped_tags;
} Handle;

static Handle *
handle_ref (Handle *h)
{
  h->ref_count++;
  return h;
}

static void
handle_unref (gpointer data)
{
  Handle *h = data;

  if (--h->ref_count > 0)
    return;
  g_clear_pointer (&h->ingest, cb_rtmp_ingest_free);
  g_clear_object (&h->stream);
  g_free (h);
}

/* The engine ends the stream (REST terminate, shutdown): the publisher is disconnected,
 * as WCS does. */
static void
publisher_stop (gpointer    data,
                const char *info)
{
  Handle *h = data;
  CbRtmpServerSession *session = g_steal_pointer (&h->session);

  if (session != NULL)
    cb_rtmp_server_session_close (session, info);
}

static gpointer
handler_publish (gpointer              data,
                 CbRtmpServerSession  *session,
                 guint32               stream_id,
                 const char           *name,
                 const char           *query,
                 GError              **error)
{
  CbEngine *engine = data;
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *source = NULL;
  const char *flash = cb_rtmp_server_session_get_flash_ver (session);
  const char *peer = cb_rtmp_server_session_get_peer (session);
  Handle *h;

  if (!cb_engine_validate_stream_name (name, &local_error))
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED, local_error->message);
      return NULL;
    }
  if (!cb_rtmp_ingest_check_key (cb_engine_get_settings (engine), name, query,
                                 cb_rtmp_server_session_get_connect_query (session)))
    {
      /* The name is logged, never the key. */
      g_info ("RTMP publish of %s from %s refused: wrong or missing stream key", name,
              peer ? peer : "?");
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_REJECTED, "Restricted access");
      return NULL;
    }

  stream = cb_stream_new (name, "RTMP");
  source = g_strdup_printf ("rtmp %s%s%s%s", peer ? peer : "?",
                            flash ? " (" : "", flash ? flash : "", flash ? ")" : "");
  cb_stream_set_source (stream, source);

  h = g_new0 (Handle, 1);
  h->kind = HANDLE_PUBLISH;
  h->ref_count = 1;
  h->engine = engine;
  h->session = session;
  h->stream = g_object_ref (stream);
  h->ingest = cb_rtmp_ingest_new (stream);
  if (!cb_engine_add_stream (engine, stream, publisher_stop, handle_ref (h), handle_unref,
                             &local_error))
    {
      handle_unref (h);
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_FAILED, local_error->message);
      return NULL;
    }
  g_info ("RTMP publish of %s from %s", name, peer ? peer : "?");
  return h;
}

static gpointer
handler_play (gpointer              data,
              CbRtmpServerSession  *session,
              guint32               stream_id,
              const char           *name,
              const char           *query,
              GError              **error)
{
  CbEngine *engine = data;
  CbRtmpPlay *play = cb_rtmp_play_start (engine, session, stream_id, name, error);
  Handle *h;

  if (play == NULL)
    return NULL;
  h = g_new0 (Handle, 1);
  h->kind = HANDLE_PLAY;
  h->ref_count = 1;
  h->engine = engine;
  h->play = play;
  return h;
}

static void
handler_media (gpointer  data,
               gpointer  handle,
               guint8    type_id,
               guint32   timestamp,
               GBytes   *payload)
{
  Handle *h = handle;
  g_autoptr(GError) error = NULL;

  if (h->kind != HANDLE_PUBLISH || h->ingest == NULL)
    return;
  if (!cb_rtmp_ingest_push (h->ingest, type_id, timestamp, payload, &error))
    {
      if (h->dropped_tags++ == 0)
        g_debug ("stream %s: tag dropped: %s", cb_stream_get_name (h->stream), error->message);
    }
}

static void
handler_end (gpointer    data,
             gpointer    handle,
             const char *reason)
{
  Handle *h = handle;

  if (h->kind == HANDLE_PLAY)
    {
      cb_rtmp_play_stop (g_steal_pointer (&h->play));
      handle_unref (h);
      return;
    }
  h->session = NULL;
  /* A publisher that goes away unpublishes its stream, and its consumers learn it. */
  cb_engine_remove_stream (h->engine, h->stream, CB_STREAM_UNPUBLISHED, reason);
  handle_unref (h);
}

static const CbRtmpServerHandler server_handler = {
  NULL,
  handler_publish,
  handler_play,
  handler_media,
  handler_end,
};

const CbRtmpServerHandler *
cb_rtmp_ingest_get_server_handler (void)
{
  return &server_handler;
}
