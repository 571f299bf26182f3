/* cb-flv-sender.c — the one FLV sending core of push agents and RTMP players
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A push agent and an RTMP player do the same with a stream: buffers arrive on the
 * producer's thread and wait in a queue bounded in media time and bytes; the sender's
 * context drains the queue into the RTMP session as long as the session is not congested;
 * a session that cannot keep up loses whole GOPs from its own queue alone.
 *
 * Serialize once: a stream buffer becomes one FLV tag body and one chunk form per chunk
 * size, whoever sends it. The tag rides on the buffer (GstMiniObject qdata), so every
 * sender of the stream, and every replay of its cached GOP to a late sender, finds it;
 * the stream drops the tags of its cached GOP when its last sender goes. What must differ
 * per session (the first chunk's header with the session's timestamps, metadata,
 * sequence headers, an agent's muted or mixed audio) is the session's own.
 */
#include "config.h"

#include "cb-context.h"
#include "cb-flv-queue.h"
#include "cb-flv-sender.h"
#include "cb-rtmp-client.h"
#include "cb-rtmp-server.h"
#include "cb-rtmp-writer.h"

/* ---- shared tags ------------------------------------------------------------ */

typedef struct {
  guint32          chunk_size;
  CbRtmpChunkForm *form;
} SizedForm;

struct _CbFlvTag
{
  gatomicrefcount  refs;
  guint8           type;
  gboolean         shared;
  GBytes          *payload;
  /* Guarded by forms_lock. Sessions use few chunk sizes: a push agent's and a player's
   * in one tag, no array to allocate for them; any further ones in @more. */
  SizedForm        forms[2];
  GArray          *more;      /* (nullable) SizedForm */
};

G_LOCK_DEFINE_STATIC (forms_lock);
static gint tags_live;
static gint tags_made;
static gint forms_made;

static G_DEFINE_QUARK (cb-flv-tag, tag)

CbFlvTag *
cb_flv_tag_new (guint8  type,
                GBytes *payload)
{
  CbFlvTag *tag = g_new0 (CbFlvTag, 1);

  g_atomic_ref_count_init (&tag->refs);
  tag->type = type;
  tag->payload = g_bytes_ref (payload);
  g_atomic_int_inc (&tags_live);
  g_atomic_int_inc (&tags_made);
  return tag;
}

CbFlvTag *
cb_flv_tag_ref (CbFlvTag *tag)
{
  g_atomic_ref_count_inc (&tag->refs);
  return tag;
}

void
cb_flv_tag_unref (CbFlvTag *tag)
{
  if (tag == NULL || !g_atomic_ref_count_dec (&tag->refs))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (tag->forms); i++)
    cb_rtmp_chunk_form_unref (tag->forms[i].form);
  if (tag->more != NULL)
    {
      for (guint i = 0; i < tag->more->len; i++)
        cb_rtmp_chunk_form_unref (g_array_index (tag->more, SizedForm, i).form);
      g_array_unref (tag->more);
    }
  g_bytes_unref (tag->payload);
  g_free (tag);
  g_atomic_int_dec_and_test (&tags_live);
}

/* @payload as @buffer's shared tag. Returns: (transfer full) */
static CbFlvTag *
keep_tag (CbMediaKind  kind,
          GstBuffer   *buffer,
          GBytes      *payload)
{
  CbFlvTag *tag = cb_flv_tag_new (kind == CB_MEDIA_VIDEO ? CB_FLV_TAG_VIDEO : CB_FLV_TAG_AUDIO,
                                  payload);

  tag->shared = TRUE;
  /* The consumers of one stream run one at a time under its lock, so one tag is made per
   * buffer; a buffer that two streams carry (an audio rendition passes the video on) may
   * get two, the same bytes, the later replacing the earlier. */
  gst_mini_object_set_qdata (GST_MINI_OBJECT (buffer), tag_quark (), cb_flv_tag_ref (tag),
                             (GDestroyNotify) cb_flv_tag_unref);
  return tag;
}

/**
 * cb_flv_tag_for_buffer:
 *
 * The shared tag of a stream's @buffer, made by the first sender that asks. Runs on the
 * producer's thread: serializing is memory work, nothing waits.
 *
 * Returns: (transfer full) (nullable): the tag, or %NULL for a buffer that cannot be read
 */
CbFlvTag *
cb_flv_tag_for_buffer (CbMediaKind  kind,
                       GstBuffer   *buffer)
{
  GstMiniObject *obj = GST_MINI_OBJECT (buffer);
  CbFlvTag *tag = gst_mini_object_get_qdata (obj, tag_quark ());
  g_autoptr(GBytes) payload = NULL;

  if (tag != NULL)
    return cb_flv_tag_ref (tag);
  payload = cb_flv_payload_for (kind, buffer, NULL);
  if (payload == NULL)
    return NULL;
  return keep_tag (kind, buffer, payload);
}

/**
 * cb_flv_tag_adopt:
 * @payload: the FLV tag body @buffer was cut from (an RTMP ingest's message)
 *
 * Makes @payload @buffer's shared tag when it is what cb_flv_tag_for_buffer() would make:
 * RTMP in, RTMP out, and the payload is not serialized again, not even for the cached
 * GOP a first player gets. Call it before the buffer reaches the stream. A tag costs
 * its few bytes until a sender asks for its chunk form.
 */
void
cb_flv_tag_adopt (CbMediaKind  kind,
                  GstBuffer   *buffer,
                  GBytes      *payload)
{
  if (cb_flv_payload_is (kind, buffer, payload))
    cb_flv_tag_unref (keep_tag (kind, buffer, payload));
}

void
cb_flv_tag_clear_buffer (GstBuffer *buffer)
{
  gst_mini_object_set_qdata (GST_MINI_OBJECT (buffer), tag_quark (), NULL, NULL);
}

GBytes *
cb_flv_tag_get_payload (CbFlvTag *tag)
{
  return tag->payload;
}

gboolean
cb_flv_tag_is_shared (CbFlvTag *tag)
{
  return tag->shared;
}

/**
 * cb_flv_tag_get_form:
 *
 * Returns: (transfer none): the chunk form of the tag for @chunk_size, made on first use
 */
CbRtmpChunkForm *
cb_flv_tag_get_form (CbFlvTag *tag,
                     guint32   chunk_size)
{
  SizedForm *slot = NULL;
  CbRtmpChunkForm *form = NULL;

  G_LOCK (forms_lock);
  for (guint i = 0; i < G_N_ELEMENTS (tag->forms) && form == NULL && slot == NULL; i++)
    {
      if (tag->forms[i].form == NULL)
        slot = &tag->forms[i];
      else if (tag->forms[i].chunk_size == chunk_size)
        form = tag->forms[i].form;
    }
  for (guint i = 0; slot == NULL && form == NULL && tag->more != NULL && i < tag->more->len; i++)
    if (g_array_index (tag->more, SizedForm, i).chunk_size == chunk_size)
      form = g_array_index (tag->more, SizedForm, i).form;
  if (form == NULL)
    {
      /* The message stream id and timestamp are each session's own (the first chunk's
       * header); the chunk stream id is the one every session sends media on. */
      const CbRtmpMessage message = { cb_rtmp_media_csid (tag->type), tag->type, 1, 0,
                                      tag->payload };
      SizedForm sf = { chunk_size, cb_rtmp_chunk_form_new (&message, chunk_size, NULL) };

      form = sf.form;
      if (form != NULL)
        {
          if (slot != NULL)
            *slot = sf;
          else
            {
              if (tag->more == NULL)
                tag->more = g_array_new (FALSE, FALSE, sizeof (SizedForm));
              g_array_append_val (tag->more, sf);
            }
          g_atomic_int_inc (&forms_made);
        }
    }
  G_UNLOCK (forms_lock);
  return form;
}

void
cb_flv_tag_get_counts (guint *live,
                       guint *made,
                       guint *forms)
{
  if (live != NULL)
    *live = (guint) g_atomic_int_get (&tags_live);
  if (made != NULL)
    *made = (guint) g_atomic_int_get (&tags_made);
  if (forms != NULL)
    *forms = (guint) g_atomic_int_get (&forms_made);
}

/* ---- the sender --------------------------------------------------------------- */

typedef struct {
  CbFlagSource  parent;
  CbFlvSender  *sender;   /* not owned: the sender destroys the source before it goes */
} DrainSource;

struct _CbFlvSender
{
  gatomicrefcount         refs;
  GMainContext           *context;
  CbFlvSenderConfig       config;
  const CbFlvSenderHooks *hooks;
  gpointer                owner;
  const CbFlvOutFuncs    *out_funcs;   /* NULL when stopped */
  gpointer                out;
  CbConsumer             *consumer;
  gboolean                metadata_sent;
  gboolean                ended;
  GSource                *retry_source;
  DrainSource            *drain_source; /* raised by schedule_drain() */

  /* Shared with the producer's thread. */
  GMutex                  lock;
  gboolean                live;        /* packets are being accepted */
  CbFlvQueue              queue;
  GstCaps                *caps[CB_MEDIA_N_KINDS];
  gboolean                eos;
  guint                   bufferings;  /* times the queue overflowed */
  gint64                  last_keyframe;
};

static CbFlvSender *
sender_ref (CbFlvSender *self)
{
  g_atomic_ref_count_inc (&self->refs);
  return self;
}

static void
sender_unref (gpointer data)
{
  CbFlvSender *self = data;

  if (!g_atomic_ref_count_dec (&self->refs))
    return;
  cb_flv_queue_clear (&self->queue);
  for (int k = 0; k < CB_MEDIA_N_KINDS; k++)
    gst_clear_caps (&self->caps[k]);
  g_source_unref (&self->drain_source->parent.parent);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void drain_now (CbFlvSender *self);

static void
run_drain (CbFlagSource *source)
{
  CbFlvSender *self = sender_ref (((DrainSource *) source)->sender);

  /* A hook may stop the sender and drop its owner's reference. */
  drain_now (self);
  sender_unref (self);
}

static GSourceFuncs drain_source_funcs = {
  NULL, NULL, NULL, cb_flag_source_finalize, NULL, NULL,
};

CbFlvSender *
cb_flv_sender_new (GMainContext            *context,
                   const CbFlvSenderConfig *config,
                   const CbFlvSenderHooks  *hooks,
                   gpointer                 owner)
{
  static const CbFlvSenderHooks no_hooks = { NULL, NULL, NULL };
  CbFlvSender *self = g_new0 (CbFlvSender, 1);

  g_atomic_ref_count_init (&self->refs);
  self->context = g_main_context_ref (context);
  self->config = *config;
  self->hooks = hooks != NULL ? hooks : &no_hooks;
  self->owner = owner;
  g_mutex_init (&self->lock);
  cb_flv_queue_init (&self->queue);
  /* One source for the sender's life, made ready again for each drain: no allocation
   * per packet. cb_flv_sender_free() destroys it before it lets the sender go. */
  self->drain_source = (DrainSource *) g_source_new (&drain_source_funcs, sizeof (DrainSource));
  self->drain_source->sender = self;
  g_source_set_static_name (&self->drain_source->parent.parent, "cb-flv-sender drain");
  cb_flag_source_attach (&self->drain_source->parent, self->context, run_drain);
  return self;
}

void
cb_flv_sender_free (CbFlvSender *self)
{
  if (self == NULL)
    return;
  cb_flv_sender_stop (self);
  self->owner = NULL;
  g_source_destroy (&self->drain_source->parent.parent);
  sender_unref (self);
}

/* Always later, on the sender's context: never from inside the stream's lock. Many
 * packets before the context runs make one drain; on the context's own thread in a batch
 * (an RTMP ingest's read), the batch's end drains. */
static void
schedule_drain (CbFlvSender *self)
{
  cb_flag_source_raise (&self->drain_source->parent);
}

static void
consumer_caps (gpointer     data,
               CbMediaKind  kind,
               GstCaps     *caps)
{
  CbFlvSender *self = data;

  g_mutex_lock (&self->lock);
  gst_caps_replace (&self->caps[kind], caps);
  /* A new configuration goes after what was encoded with the old one. */
  if (self->live)
    cb_flv_queue_push_config (&self->queue, kind, caps);
  g_mutex_unlock (&self->lock);
  if (kind == CB_MEDIA_AUDIO && self->hooks->audio_caps != NULL)
    self->hooks->audio_caps (self->owner, caps);
  schedule_drain (self);
}

static gboolean
queue_tag (CbFlvSender *self,
           CbMediaKind  kind,
           GstBuffer   *buffer,
           CbFlvTag    *tag)
{
  gboolean overflowed = FALSE;
  gboolean ok;

  g_mutex_lock (&self->lock);
  if (!self->live)
    {
      g_mutex_unlock (&self->lock);
      cb_flv_tag_unref (tag);
      return TRUE;
    }
  ok = cb_flv_queue_push_tag (&self->queue, kind, buffer, tag, self->config.limit_ms,
                              self->config.max_bytes, &overflowed);
  if (overflowed)
    self->bufferings++;
  if (kind == CB_MEDIA_VIDEO && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    self->last_keyframe = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);

  schedule_drain (self);
  return ok;
}

static gboolean
consumer_buffer (gpointer     data,
                 CbMediaKind  kind,
                 GstBuffer   *buffer)
{
  CbFlvSender *self = data;
  g_autoptr(GBytes) replacement = NULL;
  CbFlvTag *tag;

  /* Time 0 is the first buffer, even one the owner takes. */
  g_mutex_lock (&self->lock);
  cb_flv_queue_set_base (&self->queue, GST_BUFFER_DTS_OR_PTS (buffer));
  g_mutex_unlock (&self->lock);

  if (kind == CB_MEDIA_AUDIO && self->hooks->audio != NULL &&
      !self->hooks->audio (self->owner, buffer, &replacement))
    return TRUE;
  if (replacement != NULL)
    {
      g_autoptr(GBytes) payload = cb_flv_payload_for (kind, buffer, replacement);

      tag = cb_flv_tag_new (CB_FLV_TAG_AUDIO, payload);
    }
  else
    tag = cb_flv_tag_for_buffer (kind, buffer);
  if (tag == NULL)
    return TRUE;
  return queue_tag (self, kind, buffer, tag);
}

void
cb_flv_sender_push (CbFlvSender *self,
                    CbMediaKind  kind,
                    GstBuffer   *buffer)
{
  g_autoptr(GBytes) payload = cb_flv_payload_for (kind, buffer, NULL);

  if (payload != NULL)
    queue_tag (self, kind, buffer,
               cb_flv_tag_new (kind == CB_MEDIA_VIDEO ? CB_FLV_TAG_VIDEO : CB_FLV_TAG_AUDIO,
                               payload));
}

static void
consumer_eos (gpointer data)
{
  CbFlvSender *self = data;

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

/* ---- out (the sender's context) ------------------------------------------------ */

static void
send_metadata (CbFlvSender *self)
{
  CbFlvMetadata md = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GstCaps) vcaps = cb_flv_sender_dup_caps (self, CB_MEDIA_VIDEO);
  g_autoptr(GstCaps) acaps = cb_flv_sender_dup_caps (self, CB_MEDIA_AUDIO);

  cb_flv_metadata_from_caps (&md, vcaps, acaps);
  if (vcaps != NULL)
    md.videodatarate = self->config.videodatarate;
  bytes = cb_flv_metadata_build (&md, self->config.set_data_frame);
  self->out_funcs->send_media (self->out, CB_FLV_TAG_SCRIPT, 0, bytes);
}

static gboolean
retry_drain (gpointer data)
{
  CbFlvSender *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  drain_now (self);
  return G_SOURCE_REMOVE;
}

/* What the session gets of one packet: the shared form, or bytes of its own. */
static gboolean
send_packet (CbFlvSender *self,
             CbFlvPacket *p)
{
  if (p->tag != NULL && cb_flv_tag_is_shared (p->tag))
    {
      CbRtmpChunkForm *form = cb_flv_tag_get_form (p->tag,
                                                   self->out_funcs->chunk_size (self->out));

      if (form != NULL)
        return self->out_funcs->send_form (self->out, form, p->timestamp);
    }
  return self->out_funcs->send_media (self->out, p->type, p->timestamp, p->payload);
}

static void
drain_now (CbFlvSender *self)
{
  gboolean eos, empty, have_caps, ready, sent_all = TRUE;

  cb_flag_source_lower (&self->drain_source->parent);
  if (self->out_funcs == NULL || (self->ended && self->config.end_when_drained))
    return;

  g_mutex_lock (&self->lock);
  have_caps = self->caps[CB_MEDIA_VIDEO] != NULL || self->caps[CB_MEDIA_AUDIO] != NULL;
  ready = self->metadata_sent || cb_flv_queue_is_empty (&self->queue) ||
          cb_flv_queue_span_ms (&self->queue) >= self->config.start_ms;
  g_mutex_unlock (&self->lock);

  /* What is queued here is written at the end, in this dispatch, not in the context's
   * next iteration (which would poll every connection once more for it). */
  cb_context_batch_begin ();
  if (!self->metadata_sent && have_caps && ready)
    {
      if (self->config.send_metadata)
        send_metadata (self);
      self->metadata_sent = TRUE;
    }

  while (self->metadata_sent && !self->out_funcs->congested (self->out))
    {
      CbFlvPacket *p;
      gboolean sent;

      g_mutex_lock (&self->lock);
      p = cb_flv_queue_pop (&self->queue);
      g_mutex_unlock (&self->lock);
      if (p == NULL)
        break;
      sent = send_packet (self, p);
      cb_flv_packet_free (p);
      if (!sent)
        {
          sent_all = FALSE;
          break;
        }
    }
  cb_context_batch_end ();
  /* A failed write may have stopped the sender meanwhile. */
  if (!sent_all || self->out_funcs == NULL)
    return;

  g_mutex_lock (&self->lock);
  eos = self->eos;
  empty = cb_flv_queue_is_empty (&self->queue);
  g_mutex_unlock (&self->lock);
  if (eos && !self->ended && (empty || !self->config.end_when_drained))
    {
      self->ended = TRUE;
      if (self->hooks->ended != NULL)
        self->hooks->ended (self->owner);
    }
  else if (!empty && self->retry_source == NULL)
    {
      /* Held, or the socket is behind: look again soon rather than on the next packet. */
      self->retry_source = g_timeout_source_new (self->config.retry_ms);
      g_source_set_callback (self->retry_source, retry_drain, sender_ref (self), sender_unref);
      g_source_attach (self->retry_source, self->context);
    }
}

CbConsumer *
cb_flv_sender_start (CbFlvSender          *self,
                     const CbFlvOutFuncs  *out_funcs,
                     gpointer              out,
                     CbStream             *stream,
                     GstClockTime          base,
                     const CbProfile      *profile,
                     GError              **error)
{
  g_return_val_if_fail (self->consumer == NULL, NULL);

  g_mutex_lock (&self->lock);
  cb_flv_queue_reset (&self->queue);
  cb_flv_queue_set_base (&self->queue, base);
  self->bufferings = 0;
  self->eos = FALSE;
  self->live = TRUE;
  g_mutex_unlock (&self->lock);
  self->metadata_sent = FALSE;
  self->ended = FALSE;
  self->out_funcs = out_funcs;
  self->out = out;

  /* Attaching replays the cached GOP: the session starts on a keyframe at once. */
  self->consumer = cb_stream_attach (stream, &consumer_funcs, sender_ref (self), sender_unref,
                                     profile, CB_AUDIO_AAC, error);
  if (self->consumer == NULL)
    {
      cb_flv_sender_stop (self);
      return NULL;
    }
  cb_consumer_share_flv_tags (self->consumer);
  schedule_drain (self);
  return self->consumer;
}

void
cb_flv_sender_stop (CbFlvSender *self)
{
  g_mutex_lock (&self->lock);
  self->live = FALSE;
  cb_flv_queue_clear (&self->queue);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->consumer, cb_consumer_detach);
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  self->out_funcs = NULL;
  self->out = NULL;
}

void
cb_flv_sender_set_videodatarate (CbFlvSender *self,
                                 int          kbps)
{
  self->config.videodatarate = kbps;
}

GstCaps *
cb_flv_sender_dup_caps (CbFlvSender *self,
                        CbMediaKind  kind)
{
  GstCaps *caps;

  g_mutex_lock (&self->lock);
  caps = self->caps[kind] != NULL ? gst_caps_ref (self->caps[kind]) : NULL;
  g_mutex_unlock (&self->lock);
  return caps;
}

guint64
cb_flv_sender_get_dropped (CbFlvSender *self)
{
  guint64 v;

  g_mutex_lock (&self->lock);
  v = self->queue.dropped;
  g_mutex_unlock (&self->lock);
  return v;
}

guint
cb_flv_sender_get_bufferings (CbFlvSender *self)
{
  guint v;

  g_mutex_lock (&self->lock);
  v = self->bufferings;
  g_mutex_unlock (&self->lock);
  return v;
}

gint64
cb_flv_sender_get_last_keyframe (CbFlvSender *self)
{
  gint64 v;

  g_mutex_lock (&self->lock);
  v = self->last_keyframe;
  g_mutex_unlock (&self->lock);
  return v;
}

/* ---- the two session kinds ------------------------------------------------------- */

static gboolean
server_send_form (gpointer out, const CbRtmpChunkForm *form, guint32 timestamp)
{
  CbFlvServerOut *o = out;

  return cb_rtmp_server_session_send_form (o->session, o->stream_id, form, timestamp);
}

static gboolean
server_send_media (gpointer out, guint8 type, guint32 timestamp, GBytes *payload)
{
  CbFlvServerOut *o = out;

  return cb_rtmp_server_session_send_media (o->session, o->stream_id, type, timestamp, payload);
}

static guint32
server_chunk_size (gpointer out)
{
  return cb_rtmp_server_session_get_chunk_size (((CbFlvServerOut *) out)->session);
}

static gboolean
server_congested (gpointer out)
{
  return cb_rtmp_server_session_is_congested (((CbFlvServerOut *) out)->session);
}

const CbFlvOutFuncs cb_flv_out_server_session = {
  server_send_form, server_send_media, server_chunk_size, server_congested,
};

static gboolean
client_send_form (gpointer out, const CbRtmpChunkForm *form, guint32 timestamp)
{
  return cb_rtmp_client_send_form (out, form, timestamp);
}

static gboolean
client_send_media (gpointer out, guint8 type, guint32 timestamp, GBytes *payload)
{
  return cb_rtmp_client_send (out, type, timestamp, payload);
}

static guint32
client_chunk_size (gpointer out)
{
  return cb_rtmp_client_get_chunk_size (out);
}

static gboolean
client_congested (gpointer out)
{
  return cb_rtmp_client_is_congested (out);
}

const CbFlvOutFuncs cb_flv_out_client = {
  client_send_form, client_send_media, client_chunk_size, client_congested,
};
