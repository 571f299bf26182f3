/* cb-fanout.c — encoded fan-out: GOP cache, isolated consumers, renditions
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The producer pushes encoded buffers from its own thread; each consumer gets them
 * through a callback that must not block. A consumer whose queue is full is skipped
 * until the next keyframe, on its own: the producer and other consumers go on.
 */
#include <gst/app/gstappsrc.h>

#include "cb-engine-error.h"
#include "cb-flv-sender.h"
#include "cb-stream-private.h"

/* A GOP longer than this is not cached: a late consumer then waits for a keyframe. */
#define GOP_CACHE_MAX_BYTES   (16 * 1024 * 1024)
#define GOP_CACHE_MAX_PACKETS 2000
/* With no video, keep about a second of audio so that a late consumer starts at once. */
#define AUDIO_ONLY_CACHE_PACKETS 50
#define BITRATE_WINDOW_US     (2 * G_USEC_PER_SEC)

static void
cached_packet_clear (gpointer data)
{
  CbCachedPacket *p = data;
  gst_clear_buffer (&p->buffer);
}

void
cb_stream_fanout_init (CbStream *self)
{
  self->gop = g_array_new (FALSE, FALSE, sizeof (CbCachedPacket));
  g_array_set_clear_func (self->gop, cached_packet_clear);
  self->consumers = g_ptr_array_new ();
  self->renditions = g_hash_table_new (g_str_hash, g_str_equal);
}

void
cb_stream_fanout_clear (CbStream *self)
{
  /* Consumers hold a reference on the stream, so none is left at finalize. */
  g_assert (self->consumers->len == 0);
  g_assert (g_hash_table_size (self->renditions) == 0);
  g_clear_pointer (&self->gop, g_array_unref);
  g_clear_pointer (&self->consumers, g_ptr_array_unref);
  g_clear_pointer (&self->renditions, g_hash_table_unref);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_caps (&self->caps[k]);
}

static void
gop_reset (CbStream *self)
{
  g_array_set_size (self->gop, 0);
  self->gop_bytes = 0;
  self->gop_overflow = FALSE;
}

static void
gop_append (CbStream    *self,
            CbMediaKind  kind,
            GstBuffer   *buffer)
{
  CbCachedPacket p = { kind, gst_buffer_ref (buffer) };

  if (self->gop_overflow)
    {
      gst_buffer_unref (p.buffer);
      return;
    }
  g_array_append_val (self->gop, p);
  self->gop_bytes += gst_buffer_get_size (buffer);
  if (self->gop_bytes > GOP_CACHE_MAX_BYTES || self->gop->len > GOP_CACHE_MAX_PACKETS)
    {
      gop_reset (self);
      self->gop_overflow = TRUE;
    }
}

#define KIND_BIT(kind) (1u << (kind))
#define ALL_KINDS (KIND_BIT (CB_MEDIA_VIDEO) | KIND_BIT (CB_MEDIA_AUDIO))

/* Called with the lock held. */
static void
deliver (CbConsumer  *c,
         CbMediaKind  kind,
         GstBuffer   *buffer)
{
  CbStream *self = c->stream;

  if (!(c->kinds & KIND_BIT (kind)))
    return;
  if (c->need_keyframe)
    {
      gboolean has_video = self->caps[CB_MEDIA_VIDEO] != NULL && (c->kinds & KIND_BIT (CB_MEDIA_VIDEO));

      if (kind == CB_MEDIA_VIDEO && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
        c->need_keyframe = FALSE;
      else if (kind == CB_MEDIA_AUDIO && !has_video)
        c->need_keyframe = FALSE;
      else
        {
          c->dropped++;
          return;
        }
    }

  if (c->funcs->buffer (c->data, kind, buffer))
    c->delivered++;
  else
    {
      c->dropped++;
      c->need_keyframe = TRUE;
    }
}

#define FPS_WINDOW (2 * GST_SECOND)

/* With the stream's lock held. */
static void
update_fps (CbStream  *self,
            GstBuffer *buffer)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);

  if (self->fps_from_caps || !GST_CLOCK_TIME_IS_VALID (pts))
    return;
  /* A first frame, or time that went back (a new producer session): start again. */
  if (self->fps_window_frames == 0 || pts < self->fps_window_start)
    {
      self->fps_window_start = self->fps_window_last = pts;
      self->fps_window_frames = 1;
      return;
    }
  self->fps_window_frames++;
  self->fps_window_last = MAX (self->fps_window_last, pts);
  if (self->fps_window_last - self->fps_window_start >= FPS_WINDOW)
    {
      self->media.fps = (double) (self->fps_window_frames - 1) * GST_SECOND /
                        (double) (self->fps_window_last - self->fps_window_start);
      self->fps_window_start = self->fps_window_last;
      self->fps_window_frames = 1;
      cb_stream_schedule_changed (self);
    }
}

static void
update_bitrate (CbStream  *self,
                GstBuffer *buffer)
{
  gint64 now = g_get_monotonic_time ();

  self->window_bytes += gst_buffer_get_size (buffer);
  if (self->window_wall_start == 0)
    self->window_wall_start = now;
  else if (now - self->window_wall_start >= BITRATE_WINDOW_US)
    {
      gint64 elapsed = now - self->window_wall_start;
      self->media.bitrate = (int) (self->window_bytes * 8 * 1000 / MAX (elapsed, 1));
      self->window_bytes = 0;
      self->window_wall_start = now;
      cb_stream_schedule_changed (self);
    }
}

void
cb_stream_push_caps (CbStream    *self,
                     CbMediaKind  kind,
                     GstCaps     *caps)
{
  g_return_if_fail (CB_IS_STREAM (self));
  g_return_if_fail (kind < CB_MEDIA_N_KINDS);
  g_return_if_fail (GST_IS_CAPS (caps));

  g_mutex_lock (&self->lock);
  if (self->caps[kind] != NULL && gst_caps_is_equal (self->caps[kind], caps))
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  gst_caps_replace (&self->caps[kind], caps);
  cb_media_info_update_caps (&self->media, kind, caps);
  if (kind == CB_MEDIA_VIDEO)
    {
      int num = 0, den = 0;

      self->fps_from_caps = gst_structure_get_fraction (gst_caps_get_structure (caps, 0),
                                                        "framerate", &num, &den) &&
                            num > 0 && den > 0;
    }
  /* New codec configuration: what was cached no longer decodes with it. */
  if (kind == CB_MEDIA_VIDEO)
    gop_reset (self);
  for (guint i = 0; i < self->consumers->len; i++)
    {
      CbConsumer *c = g_ptr_array_index (self->consumers, i);

      if (!(c->kinds & KIND_BIT (kind)))
        continue;
      c->funcs->caps (c->data, kind, caps);
      if (kind == CB_MEDIA_VIDEO)
        c->need_keyframe = TRUE;
    }
  g_mutex_unlock (&self->lock);

  cb_stream_schedule_changed (self);
}

gboolean
cb_stream_has_b_frames (CbStream *self)
{
  gboolean b_frames;

  g_return_val_if_fail (CB_IS_STREAM (self), FALSE);

  g_mutex_lock (&self->lock);
  b_frames = self->media.b_frames;
  g_mutex_unlock (&self->lock);
  return b_frames;
}

GstCaps *
cb_stream_dup_caps (CbStream    *self,
                    CbMediaKind  kind)
{
  GstCaps *caps;

  g_return_val_if_fail (CB_IS_STREAM (self), NULL);
  g_return_val_if_fail (kind < CB_MEDIA_N_KINDS, NULL);

  g_mutex_lock (&self->lock);
  caps = self->caps[kind] ? gst_caps_ref (self->caps[kind]) : NULL;
  g_mutex_unlock (&self->lock);
  return caps;
}

const char *
cb_stream_get_video_codec (CbStream *self)
{
  g_autoptr(GstCaps) caps = cb_stream_dup_caps (self, CB_MEDIA_VIDEO);

  return caps != NULL ? cb_media_codec_from_caps (caps) : NULL;
}

void
cb_stream_push_buffer (CbStream    *self,
                       CbMediaKind  kind,
                       GstBuffer   *buffer)
{
  gboolean first = FALSE;

  g_return_if_fail (CB_IS_STREAM (self));
  g_return_if_fail (kind < CB_MEDIA_N_KINDS);
  g_return_if_fail (GST_IS_BUFFER (buffer));

  g_mutex_lock (&self->lock);
  if (self->eos || self->caps[kind] == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }

  if (kind == CB_MEDIA_VIDEO)
    {
      self->frames++;
      update_fps (self, buffer);
      if (GST_BUFFER_PTS_IS_VALID (buffer) && GST_BUFFER_DTS_IS_VALID (buffer) &&
          GST_BUFFER_PTS (buffer) != GST_BUFFER_DTS (buffer))
        self->media.b_frames = TRUE;
      if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
        gop_reset (self);
      if (self->gop->len > 0 || !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
        gop_append (self, kind, buffer);
    }
  else if (self->caps[CB_MEDIA_VIDEO] != NULL)
    {
      /* Audio joins the GOP after its keyframe. */
      if (self->gop->len > 0)
        gop_append (self, kind, buffer);
    }
  else
    {
      if (self->gop->len >= AUDIO_ONLY_CACHE_PACKETS)
        g_array_remove_index (self->gop, 0);
      gop_append (self, kind, buffer);
    }

  update_bitrate (self, buffer);

  for (guint i = 0; i < self->consumers->len; i++)
    deliver (g_ptr_array_index (self->consumers, i), kind, buffer);

  if (self->status == CB_STREAM_PENDING || self->status == CB_STREAM_NEW)
    {
      self->status = CB_STREAM_PUBLISHING;
      first = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (first)
    cb_stream_schedule_changed (self);
}

void
cb_stream_push_eos (CbStream *self)
{
  g_return_if_fail (CB_IS_STREAM (self));

  g_mutex_lock (&self->lock);
  if (!self->eos)
    {
      self->eos = TRUE;
      for (guint i = 0; i < self->consumers->len; i++)
        {
          CbConsumer *c = g_ptr_array_index (self->consumers, i);
          if (!c->eos_sent && c->funcs->eos != NULL)
            c->funcs->eos (c->data);
          c->eos_sent = TRUE;
        }
    }
  g_mutex_unlock (&self->lock);
}

/* Attaches a consumer of the @kinds of @self. A consumer of audio alone (the twin of a
 * video consumer) never ends the stream for its owner: its twin does. */
static CbConsumer *
attach_kinds (CbStream              *self,
              const CbConsumerFuncs *funcs,
              gpointer               data,
              GDestroyNotify         destroy,
              guint                  kinds)
{
  CbConsumer *c = g_new0 (CbConsumer, 1);

  c->stream = g_object_ref (self);
  c->funcs = funcs;
  c->data = data;
  c->destroy = destroy;
  c->kinds = kinds;
  c->need_keyframe = (kinds & KIND_BIT (CB_MEDIA_VIDEO)) != 0;
  c->eos_sent = kinds == KIND_BIT (CB_MEDIA_AUDIO);

  g_mutex_lock (&self->lock);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (self->caps[k] != NULL && (kinds & KIND_BIT (k)))
      funcs->caps (data, k, self->caps[k]);
  /* Fast start: replay the cached GOP, keyframe first. */
  for (guint i = 0; i < self->gop->len; i++)
    {
      CbCachedPacket *p = &g_array_index (self->gop, CbCachedPacket, i);
      deliver (c, p->kind, p->buffer);
    }
  if (self->eos)
    {
      if (funcs->eos != NULL && !c->eos_sent)
        funcs->eos (data);
      c->eos_sent = TRUE;
    }
  g_ptr_array_add (self->consumers, c);
  g_mutex_unlock (&self->lock);

  /* No cached GOP (a producer with rare keyframes, like a browser): ask for one. */
  if (c->need_keyframe)
    cb_stream_request_keyframe (self);
  cb_stream_schedule_changed (self);
  return c;
}

static CbConsumer *
attach_direct (CbStream              *self,
               const CbConsumerFuncs *funcs,
               gpointer               data,
               GDestroyNotify         destroy)
{
  return attach_kinds (self, funcs, data, destroy, ALL_KINDS);
}

static gboolean
needs_rendition (CbStream        *self,
                 const CbProfile *profile,
                 CbAudioWant      audio)
{
  g_autoptr(GstCaps) acaps = NULL;
  const char *codec;

  if (!cb_profile_is_passthrough (profile))
    return TRUE;
  if (audio == CB_AUDIO_ANY)
    return FALSE;

  acaps = cb_stream_dup_caps (self, CB_MEDIA_AUDIO);
  if (acaps == NULL)
    {
      /* Audio not known yet: a stream whose video is known and which has no audio
       * caps still might get audio later; let the rendition decide lazily. */
      return TRUE;
    }
  codec = cb_media_codec_from_caps (acaps);
  if (audio == CB_AUDIO_AAC)
    return g_strcmp0 (codec, "mpeg4-generic") != 0;
  return g_strcmp0 (codec, "opus") != 0;
}

static gboolean remove_rendition_if_unused (CbStream     *parent,
                                            CbTranscoder *rendition);

/* A consumer split in two (video from one rendition, audio from another) is called from
 * two producers' threads; this keeps its callbacks one at a time, as for any consumer. */
typedef struct {
  gatomicrefcount        refs;
  GMutex                 lock;
  const CbConsumerFuncs *funcs;
  gpointer               data;
  GDestroyNotify         destroy;
} Twins;

static void
twins_unref (gpointer data)
{
  Twins *t = data;

  if (!g_atomic_ref_count_dec (&t->refs))
    return;
  if (t->destroy != NULL)
    t->destroy (t->data);
  g_mutex_clear (&t->lock);
  g_free (t);
}

static void
twins_caps (gpointer     data,
            CbMediaKind  kind,
            GstCaps     *caps)
{
  Twins *t = data;

  g_mutex_lock (&t->lock);
  t->funcs->caps (t->data, kind, caps);
  g_mutex_unlock (&t->lock);
}

static gboolean
twins_buffer (gpointer     data,
              CbMediaKind  kind,
              GstBuffer   *buffer)
{
  Twins *t = data;
  gboolean taken;

  g_mutex_lock (&t->lock);
  taken = t->funcs->buffer (t->data, kind, buffer);
  g_mutex_unlock (&t->lock);
  return taken;
}

static void
twins_eos (gpointer data)
{
  Twins *t = data;

  g_mutex_lock (&t->lock);
  if (t->funcs->eos != NULL)
    t->funcs->eos (t->data);
  g_mutex_unlock (&t->lock);
}

static const CbConsumerFuncs twins_funcs = { twins_caps, twins_buffer, twins_eos };

/* The rendition of @self for @profile and @audio, made on first use. */
static CbTranscoder *
get_rendition (CbStream         *self,
               const CbProfile  *profile,
               CbAudioWant       audio,
               GError          **error)
{
  g_autofree char *key = cb_profile_to_key (profile, audio);
  CbTranscoder *rendition;

  g_mutex_lock (&self->lock);
  rendition = g_hash_table_lookup (self->renditions, key);
  g_mutex_unlock (&self->lock);
  if (rendition != NULL)
    return rendition;

  rendition = cb_transcoder_new (self, profile, audio, error);
  if (rendition == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->renditions, g_steal_pointer (&key), rendition);
  g_mutex_unlock (&self->lock);
  return rendition;
}

/**
 * cb_stream_attach:
 * @profile: (nullable): a transcoding profile, or %NULL for passthrough
 * @audio: the audio codec the consumer needs
 *
 * Attaches a consumer. It gets the caps at once, then the cached GOP starting on a
 * keyframe, then live buffers. Consumers asking for the same profile share one
 * transcoder (a rendition), created on first use and dropped with its last consumer.
 *
 * On error, @destroy is called on @data.
 *
 * Returns: (transfer full): the consumer, to pass to cb_consumer_detach()
 */
CbConsumer *
cb_stream_attach (CbStream               *self,
                  const CbConsumerFuncs  *funcs,
                  gpointer                data,
                  GDestroyNotify          destroy,
                  const CbProfile        *profile,
                  CbAudioWant             audio,
                  GError                **error)
{
  CbTranscoder *rendition;
  CbConsumer *c;

  g_return_val_if_fail (CB_IS_STREAM (self), NULL);
  g_return_val_if_fail (funcs != NULL && funcs->caps != NULL && funcs->buffer != NULL, NULL);

  if (profile != NULL &&
      (profile->width < 0 || profile->height < 0 || profile->fps < 0 || profile->bitrate < 0 ||
       profile->keyframe_interval < 0 || profile->width > 7680 || profile->height > 4320 ||
       profile->fps > 240))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Transcoding profile out of range");
      if (destroy != NULL)
        destroy (data);
      return NULL;
    }

  if (!needs_rendition (self, profile, audio))
    return attach_direct (self, funcs, data, destroy);

  /* Audio alone: the audio rendition carries the video as it is. */
  if (cb_profile_is_passthrough (profile))
    {
      rendition = get_rendition (self, profile, audio, error);
      if (rendition == NULL)
        goto fail;
      c = attach_direct (cb_transcoder_get_output (rendition), funcs, data, destroy);
      c->parent = g_object_ref (self);
      c->rendition = rendition;
      return c;
    }

  /* Video is encoded once per profile, and audio once per codec, whatever the other kind
   * each consumer needs: a video rendition keeps the audio as it is, and a consumer that
   * needs other audio takes it from the audio rendition, through a twin consumer. */
  rendition = get_rendition (self, profile, CB_AUDIO_ANY, error);
  if (rendition == NULL)
    goto fail;
  if (!needs_rendition (self, NULL, audio))
    {
      c = attach_direct (cb_transcoder_get_output (rendition), funcs, data, destroy);
    }
  else
    {
      CbTranscoder *audio_rendition = get_rendition (self, NULL, audio, error);

      if (audio_rendition == NULL)
        {
          if (remove_rendition_if_unused (self, rendition))
            cb_transcoder_free (rendition);
          goto fail;
        }
      Twins *t = g_new0 (Twins, 1);

      g_atomic_ref_count_init (&t->refs);
      g_atomic_ref_count_inc (&t->refs);
      g_mutex_init (&t->lock);
      t->funcs = funcs;
      t->data = data;
      t->destroy = destroy;
      c = attach_kinds (cb_transcoder_get_output (rendition), &twins_funcs, t, twins_unref,
                        KIND_BIT (CB_MEDIA_VIDEO));
      c->twin = attach_kinds (cb_transcoder_get_output (audio_rendition), &twins_funcs, t,
                              twins_unref, KIND_BIT (CB_MEDIA_AUDIO));
      c->twin->parent = g_object_ref (self);
      c->twin->rendition = audio_rendition;
    }
  c->parent = g_object_ref (self);
  c->rendition = rendition;
  return c;

fail:
  if (destroy != NULL)
    destroy (data);
  return NULL;
}

static gboolean
remove_rendition_if_unused (CbStream     *parent,
                            CbTranscoder *rendition)
{
  CbStream *out = cb_transcoder_get_output (rendition);
  GHashTableIter iter;
  gpointer key, value;
  gboolean unused;

  g_mutex_lock (&parent->lock);
  g_mutex_lock (&out->lock);
  unused = out->consumers->len == 0;
  g_mutex_unlock (&out->lock);
  if (unused)
    {
      g_hash_table_iter_init (&iter, parent->renditions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (value == rendition)
          {
            g_hash_table_iter_remove (&iter);
            g_free (key);
            break;
          }
    }
  g_mutex_unlock (&parent->lock);
  return unused;
}

/**
 * cb_consumer_share_flv_tags:
 *
 * Says that the consumer sends the stream as FLV with the tags shared through the
 * buffers (cb_flv_tag_for_buffer()): the tags of the cached GOP stay while the stream has
 * such a consumer, and go with its last one.
 */
void
cb_consumer_share_flv_tags (CbConsumer *c)
{
  g_return_if_fail (c != NULL);

  for (CbConsumer *k = c; k != NULL; k = k == c ? c->twin : NULL)
    {
      g_mutex_lock (&k->stream->lock);
      if (!k->flv_tags)
        {
          k->flv_tags = TRUE;
          k->stream->flv_senders++;
        }
      g_mutex_unlock (&k->stream->lock);
    }
}

guint
cb_stream_get_n_flv_senders (CbStream *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->flv_senders;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * cb_consumer_detach:
 *
 * Detaches and frees the consumer. No callback of it runs after this returns.
 */
void
cb_consumer_detach (CbConsumer *c)
{
  CbStream *self;

  if (c == NULL)
    return;

  g_clear_pointer (&c->twin, cb_consumer_detach);
  self = c->stream;
  g_mutex_lock (&self->lock);
  g_ptr_array_remove (self->consumers, c);
  if (c->flv_tags && --self->flv_senders == 0)
    for (guint i = 0; i < self->gop->len; i++)
      cb_flv_tag_clear_buffer (g_array_index (self->gop, CbCachedPacket, i).buffer);
  g_mutex_unlock (&self->lock);

  if (c->rendition != NULL && remove_rendition_if_unused (c->parent, c->rendition))
    cb_transcoder_free (c->rendition);

  if (c->destroy != NULL)
    c->destroy (c->data);
  cb_stream_schedule_changed (self);
  g_clear_object (&c->parent);
  g_object_unref (c->stream);
  g_free (c);
}

/**
 * cb_consumer_request_keyframe:
 *
 * Asks for a keyframe where the consumer's video comes from: the stream's producer, or
 * the encoder of the rendition it is attached to (a player's PLI).
 */
void
cb_consumer_request_keyframe (CbConsumer *c)
{
  g_return_if_fail (c != NULL);
  cb_stream_request_keyframe (c->stream);
}

guint64
cb_consumer_get_dropped (CbConsumer *c)
{
  guint64 v;

  g_mutex_lock (&c->stream->lock);
  v = c->dropped;
  g_mutex_unlock (&c->stream->lock);
  return v;
}

guint64
cb_consumer_get_delivered (CbConsumer *c)
{
  guint64 v;

  g_mutex_lock (&c->stream->lock);
  v = c->delivered;
  g_mutex_unlock (&c->stream->lock);
  return v;
}

guint
cb_stream_get_n_consumers (CbStream *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->consumers->len;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
cb_stream_get_n_renditions (CbStream *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = g_hash_table_size (self->renditions);
  g_mutex_unlock (&self->lock);
  return n;
}

/* ---- appsrc consumers ---------------------------------------------------- */

typedef struct {
  GstElement   *src[CB_MEDIA_N_KINDS];
  GstClockTime  base;
} AppsrcConsumer;

static void
appsrc_consumer_free (gpointer data)
{
  AppsrcConsumer *a = data;

  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_object (&a->src[k]);
  g_free (a);
}

static void
appsrc_caps (gpointer     data,
             CbMediaKind  kind,
             GstCaps     *caps)
{
  AppsrcConsumer *a = data;

  if (a->src[kind] != NULL)
    gst_app_src_set_caps (GST_APP_SRC (a->src[kind]), caps);
}

static gboolean
appsrc_buffer (gpointer     data,
               CbMediaKind  kind,
               GstBuffer   *buffer)
{
  AppsrcConsumer *a = data;
  GstAppSrc *src = a->src[kind] ? GST_APP_SRC (a->src[kind]) : NULL;
  GstClockTime ts;
  GstBuffer *out;
  guint64 max_bytes;
  GstClockTime max_time;

  if (src == NULL)
    return TRUE;

  max_bytes = gst_app_src_get_max_bytes (src);
  if (max_bytes > 0 && gst_app_src_get_current_level_bytes (src) >= max_bytes)
    return FALSE;
  max_time = gst_app_src_get_max_time (src);
  if (max_time > 0 && gst_app_src_get_current_level_time (src) >= max_time)
    return FALSE;

  /* Rebase so that this consumer's timeline starts at 0 with its first buffer. */
  ts = GST_BUFFER_DTS_OR_PTS (buffer);
  if (a->base == GST_CLOCK_TIME_NONE && GST_CLOCK_TIME_IS_VALID (ts))
    a->base = ts;

  out = gst_buffer_copy (buffer);   /* shallow: shares memory, own metadata */
  if (a->base != GST_CLOCK_TIME_NONE)
    {
      if (GST_BUFFER_PTS_IS_VALID (out))
        GST_BUFFER_PTS (out) = GST_BUFFER_PTS (out) > a->base ? GST_BUFFER_PTS (out) - a->base : 0;
      if (GST_BUFFER_DTS_IS_VALID (out))
        GST_BUFFER_DTS (out) = GST_BUFFER_DTS (out) > a->base ? GST_BUFFER_DTS (out) - a->base : 0;
    }
  gst_app_src_push_buffer (src, out);
  return TRUE;
}

static void
appsrc_eos (gpointer data)
{
  AppsrcConsumer *a = data;

  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (a->src[k] != NULL)
      gst_app_src_end_of_stream (GST_APP_SRC (a->src[k]));
}

static const CbConsumerFuncs appsrc_funcs = {
  appsrc_caps,
  appsrc_buffer,
  appsrc_eos,
};

/**
 * cb_stream_attach_appsrc:
 * @video_appsrc: (nullable): gets the video
 * @audio_appsrc: (nullable): gets the audio
 *
 * The appsrc elements are set to time format and non-blocking; their max-bytes and
 * max-time are the consumer's queue limits (set them before attaching; 0 means unbounded):
 * beyond either, buffers are dropped and counted.
 */
CbConsumer *
cb_stream_attach_appsrc (CbStream         *self,
                         GstElement       *video_appsrc,
                         GstElement       *audio_appsrc,
                         const CbProfile  *profile,
                         CbAudioWant       audio,
                         GError          **error)
{
  AppsrcConsumer *a = g_new0 (AppsrcConsumer, 1);
  GstElement *srcs[] = { video_appsrc, audio_appsrc };

  a->base = GST_CLOCK_TIME_NONE;
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    if (srcs[k] != NULL)
      {
        a->src[k] = gst_object_ref (srcs[k]);
        g_object_set (srcs[k], "format", GST_FORMAT_TIME, "block", FALSE, NULL);
      }

  return cb_stream_attach (self, &appsrc_funcs, a, appsrc_consumer_free, profile, audio, error);
}
