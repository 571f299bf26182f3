/* test-fanout.c — the encoded fan-out: fast start on a keyframe, isolation, renditions
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "cb-engine.h"
#include "cb-local-source.h"
#include "fake-media.h"

/* ---- synthetic streams ---------------------------------------------------- */

static GstBuffer *
fake_frame (guint n,
            gboolean key)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, 1000, NULL);

  GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = n * GST_SECOND / 30;
  GST_BUFFER_OFFSET (b) = n;
  if (!key)
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
  return b;
}

typedef struct {
  gboolean  blocked;
  GArray   *offsets;   /* guint64 of each video buffer received */
  GArray   *keys;      /* gboolean: was it a keyframe */
  guint     caps_seen;
  gboolean  eos;
} Recorder;

static void
rec_caps (gpointer data, CbMediaKind kind, GstCaps *caps)
{
  ((Recorder *) data)->caps_seen++;
}

static gboolean
rec_buffer (gpointer data, CbMediaKind kind, GstBuffer *buffer)
{
  Recorder *r = data;
  gboolean key = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  guint64 off = GST_BUFFER_OFFSET (buffer);

  if (r->blocked)
    return FALSE;
  if (kind == CB_MEDIA_VIDEO)
    {
      g_array_append_val (r->offsets, off);
      g_array_append_val (r->keys, key);
    }
  return TRUE;
}

static void
rec_eos (gpointer data)
{
  ((Recorder *) data)->eos = TRUE;
}

static const CbConsumerFuncs rec_funcs = { rec_caps, rec_buffer, rec_eos };

static Recorder *
recorder_new (void)
{
  Recorder *r = g_new0 (Recorder, 1);
  r->offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
  r->keys = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_array_unref (r->offsets);
  g_array_unref (r->keys);
  g_free (r);
}

static void
push_frames (CbStream *s, guint from, guint to, guint gop)
{
  for (guint n = from; n < to; n++)
    {
      g_autoptr(GstBuffer) b = fake_frame (n, n % gop == 0);
      cb_stream_push_buffer (s, CB_MEDIA_VIDEO, b);
    }
}

static void
test_late_consumer_starts_on_keyframe (void)
{
  g_autoptr(CbStream) s = cb_stream_new ("late", "Local");
  g_autoptr(GstCaps) caps = fake_h264_caps ();
  Recorder *r = recorder_new ();
  CbConsumer *c;

  cb_stream_push_caps (s, CB_MEDIA_VIDEO, caps);
  push_frames (s, 0, 75, 30);    /* keyframes at 0, 30, 60; 15 frames into the third GOP */

  c = cb_stream_attach (s, &rec_funcs, r, NULL, NULL, CB_AUDIO_ANY, NULL);
  g_assert_nonnull (c);
  g_assert_cmpuint (r->caps_seen, ==, 1);
  /* Fast start: the cached GOP arrives at once, beginning with its keyframe. */
  g_assert_cmpuint (r->offsets->len, ==, 15);
  g_assert_cmpuint (g_array_index (r->offsets, guint64, 0), ==, 60);
  g_assert_true (g_array_index (r->keys, gboolean, 0));

  push_frames (s, 75, 80, 30);
  g_assert_cmpuint (r->offsets->len, ==, 20);
  g_assert_cmpuint (g_array_index (r->offsets, guint64, 19), ==, 79);
  g_assert_cmpuint (cb_stream_get_n_consumers (s), ==, 1);

  cb_stream_push_eos (s);
  g_assert_true (r->eos);
  cb_consumer_detach (c);
  g_assert_cmpuint (cb_stream_get_n_consumers (s), ==, 0);
  recorder_free (r);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
}

static void
test_blocked_consumer_is_isolated (void)
{
  g_autoptr(CbStream) s = cb_stream_new ("iso", "Local");
  g_autoptr(GstCaps) caps = fake_h264_caps ();
  Recorder *blocked = recorder_new ();
  Recorder *healthy = recorder_new ();
  CbConsumer *cb_, *ch;
  guint first_after;

  cb_stream_push_caps (s, CB_MEDIA_VIDEO, caps);
  cb_ = cb_stream_attach (s, &rec_funcs, blocked, NULL, NULL, CB_AUDIO_ANY, NULL);
  ch = cb_stream_attach (s, &rec_funcs, healthy, NULL, NULL, CB_AUDIO_ANY, NULL);

  blocked->blocked = TRUE;
  push_frames (s, 0, 1000, 30);   /* returns at once: nothing waits for the blocked one */
  g_assert_cmpuint (healthy->offsets->len, ==, 1000);
  g_assert_cmpuint (blocked->offsets->len, ==, 0);
  g_assert_cmpuint (cb_consumer_get_dropped (cb_), ==, 1000);
  g_assert_cmpuint (cb_consumer_get_delivered (ch), ==, 1000);

  /* Unblocked mid-GOP: it skips to the next keyframe instead of getting broken frames. */
  blocked->blocked = FALSE;
  push_frames (s, 1000, 1100, 30);
  g_assert_cmpuint (blocked->offsets->len, >, 0);
  first_after = g_array_index (blocked->offsets, guint64, 0);
  g_assert_cmpuint (first_after % 30, ==, 0);
  g_assert_true (g_array_index (blocked->keys, gboolean, 0));
  g_assert_cmpuint (healthy->offsets->len, ==, 1100);

  cb_consumer_detach (cb_);
  cb_consumer_detach (ch);
  recorder_free (blocked);
  recorder_free (healthy);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
}

static void
test_attach_bad_profile (void)
{
  g_autoptr(CbStream) s = cb_stream_new ("bad", "Local");
  g_autoptr(GError) error = NULL;
  CbProfile p = { .width = -5, .height = 100 };

  g_assert_null (cb_stream_attach (s, &rec_funcs, NULL, NULL, &p, CB_AUDIO_ANY, &error));
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
}

/* ---- real media: videotestsrc → x264 → stream → appsrc/appsink ------------- */

typedef struct {
  GMainLoop *loop;
  CbStream  *stream;
} WaitData;

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
}

static gboolean
wait_for_status (CbStream *s, CbStreamStatus status, guint timeout_ms)
{
  for (guint waited = 0; waited < timeout_ms; waited += 50)
    {
      if (cb_stream_get_status (s) == status)
        return TRUE;
      iterate_for (50);
    }
  return cb_stream_get_status (s) == status;
}

/* A consumer pipeline that decodes what it gets: appsrc → h264 decoder → appsink. */
typedef struct {
  GstElement *pipeline;
  GstElement *src;
  GstElement *sink;
  gint        frames;
  gint        width;
} Decoder;

static GstFlowReturn
on_decoded (GstAppSink *sink, gpointer data)
{
  Decoder *d = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstStructure *st = gst_caps_get_structure (gst_sample_get_caps (sample), 0);

  gst_structure_get_int (st, "width", &d->width);
  g_atomic_int_inc (&d->frames);
  return GST_FLOW_OK;
}

static Decoder *
decoder_new_for (const char *decode)
{
  Decoder *d = g_new0 (Decoder, 1);
  GstAppSinkCallbacks cb = { .new_sample = on_decoded };
  g_autofree char *desc = g_strdup_printf ("appsrc name=src is-live=true max-bytes=4000000 ! %s ! "
                                           "videoconvert ! appsink name=sink sync=false", decode);

  d->pipeline = gst_parse_launch (desc, NULL);
  d->src = gst_bin_get_by_name (GST_BIN (d->pipeline), "src");
  d->sink = gst_bin_get_by_name (GST_BIN (d->pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (d->sink), &cb, d, NULL);
  gst_element_set_state (d->pipeline, GST_STATE_PLAYING);
  return d;
}

static Decoder *
decoder_new (void)
{
  return decoder_new_for ("h264parse ! avdec_h264");
}

static void
decoder_free (Decoder *d)
{
  gst_element_set_state (d->pipeline, GST_STATE_NULL);
  gst_object_unref (d->src);
  gst_object_unref (d->sink);
  gst_object_unref (d->pipeline);
  g_free (d);
}

static void
test_real_late_decoder (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "real", "test", &error);
  Decoder *d;
  CbConsumer *c;
  g_autoptr(CbStreamInfo) info = NULL;

  g_assert_no_error (error);
  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));
  iterate_for (1300);   /* attach mid-GOP: keyframes come every 2 s */

  d = decoder_new ();
  c = cb_stream_attach_appsrc (s, d->src, NULL, NULL, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  /* The decoder gets frames at once, with no decode errors: it started on a keyframe. */
  for (guint i = 0; i < 100 && g_atomic_int_get (&d->frames) < 10; i++)
    iterate_for (50);
  g_assert_cmpint (g_atomic_int_get (&d->frames), >=, 10);
  g_assert_cmpint (d->width, ==, 1280);

  info = cb_stream_get_snapshot (s);
  g_assert_cmpstr (info->media.video_codec, ==, "H264");
  g_assert_cmpstr (info->media.audio_codec, ==, "mpeg4-generic");
  g_assert_cmpint (info->media.height, ==, 720);

  cb_consumer_detach (c);
  decoder_free (d);
  g_assert_true (cb_engine_unpublish (engine, "real", &error));
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
test_renditions_shared (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "ladder", "test", &error);
  CbProfile p360 = { .height = 360 };
  CbProfile p360_again = { .height = 360 };
  CbProfile p180 = { .height = 180, .fps = 15 };
  Decoder *a, *b, *c;
  CbConsumer *ca, *cb2, *cc;

  g_assert_no_error (error);
  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));

  a = decoder_new ();
  b = decoder_new ();
  c = decoder_new ();
  ca = cb_stream_attach_appsrc (s, a->src, NULL, &p360, CB_AUDIO_ANY, &error);
  cb2 = cb_stream_attach_appsrc (s, b->src, NULL, &p360_again, CB_AUDIO_ANY, &error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);   /* encoded once for both */
  cc = cb_stream_attach_appsrc (s, c->src, NULL, &p180, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);

  for (guint i = 0; i < 600 && (g_atomic_int_get (&a->frames) < 5 || g_atomic_int_get (&b->frames) < 5 ||
                                g_atomic_int_get (&c->frames) < 5); i++)
    iterate_for (50);
  g_assert_cmpint (a->width, ==, 640);
  g_assert_cmpint (b->width, ==, 640);
  g_assert_cmpint (c->width, ==, 320);

  cb_consumer_detach (ca);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);
  cb_consumer_detach (cb2);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);   /* last user gone: encoder gone */
  cb_consumer_detach (cc);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 0);
  decoder_free (a);
  decoder_free (b);
  decoder_free (c);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

/* Players that take VP8 only: one VP8 encoding of the H.264 stream, shared, apart from
 * the H.264 one of the same size, gone with its last consumer; each starts decoding at
 * once (vp8dec gives nothing before a keyframe). */
static void
test_vp8_rendition_shared (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "vp8", "test", &error);
  CbProfile vp8 = { .height = 180, .codec = CB_VIDEO_CODEC_VP8 };
  CbProfile h264 = { .height = 180 };
  Decoder *a, *b, *c;
  CbConsumer *ca, *cb2, *cc;

  g_assert_no_error (error);
  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));
  g_assert_false (cb_profile_is_passthrough (&(CbProfile) { .codec = CB_VIDEO_CODEC_VP8 }));

  a = decoder_new_for ("vp8dec");
  b = decoder_new_for ("vp8dec");
  c = decoder_new ();
  ca = cb_stream_attach_appsrc (s, a->src, NULL, &vp8, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 600 && g_atomic_int_get (&a->frames) < 5; i++)
    iterate_for (50);
  cb2 = cb_stream_attach_appsrc (s, b->src, NULL, &vp8, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);   /* encoded once for both */
  cc = cb_stream_attach_appsrc (s, c->src, NULL, &h264, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);

  for (guint i = 0; i < 600 && (g_atomic_int_get (&b->frames) < 5 || g_atomic_int_get (&c->frames) < 5); i++)
    iterate_for (50);
  g_assert_cmpint (g_atomic_int_get (&a->frames), >=, 5);
  g_assert_cmpint (g_atomic_int_get (&b->frames), >=, 5);   /* the late one too: its GOP cache */
  g_assert_cmpint (a->width, ==, 320);
  g_assert_cmpint (b->width, ==, 320);
  g_assert_cmpint (c->width, ==, 320);

  cb_consumer_detach (ca);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);
  cb_consumer_detach (cb2);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);
  cb_consumer_detach (cc);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 0);
  decoder_free (a);
  decoder_free (b);
  decoder_free (c);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

/* Keyframes a consumer gets, counted on the producer's thread. */
static void
keys_caps (gpointer data, CbMediaKind kind, GstCaps *caps)
{
}

static gboolean
keys_buffer (gpointer data, CbMediaKind kind, GstBuffer *buffer)
{
  if (kind == CB_MEDIA_VIDEO && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc ((gint *) data);
  return TRUE;
}

static const CbConsumerFuncs keys_funcs = { keys_caps, keys_buffer, NULL };

/* A player's keyframe request (PLI) reaches the rendition's encoder: with keyframes
 * every 1000 frames, a second one comes only when asked for. */
static void
test_rendition_keyframe_on_request (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "pli", "test", &error);
  CbProfile rare = { .height = 180, .keyframe_interval = 1000, .codec = CB_VIDEO_CODEC_VP8 };
  gint keys = 0;
  CbConsumer *c;

  g_assert_no_error (error);
  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));
  c = cb_stream_attach (s, &keys_funcs, &keys, NULL, &rare, CB_AUDIO_ANY, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 600 && g_atomic_int_get (&keys) < 1; i++)
    iterate_for (50);
  g_assert_cmpint (g_atomic_int_get (&keys), ==, 1);
  iterate_for (1100);   /* requests are rate-limited to one a second */
  cb_consumer_request_keyframe (c);
  for (guint i = 0; i < 600 && g_atomic_int_get (&keys) < 2; i++)
    iterate_for (50);
  g_assert_cmpint (g_atomic_int_get (&keys), >=, 2);
  cb_consumer_detach (c);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 0);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

typedef struct {
  char *codec;
  gint  buffers;
} AudioSeen;

static void
audio_caps (gpointer data, CbMediaKind kind, GstCaps *caps)
{
  AudioSeen *a = data;
  if (kind == CB_MEDIA_AUDIO)
    {
      g_free (a->codec);
      a->codec = g_strdup (cb_media_codec_from_caps (caps));
    }
}

static gboolean
audio_buffer (gpointer data, CbMediaKind kind, GstBuffer *buffer)
{
  if (kind == CB_MEDIA_AUDIO)
    g_atomic_int_inc (&((AudioSeen *) data)->buffers);
  return TRUE;
}

static const CbConsumerFuncs audio_funcs = { audio_caps, audio_buffer, NULL };

static void
test_aac_to_opus_once (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "opus", "test", &error);
  AudioSeen one = { 0 }, two = { 0 };
  CbConsumer *c1, *c2;

  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));
  c1 = cb_stream_attach (s, &audio_funcs, &one, NULL, NULL, CB_AUDIO_OPUS, &error);
  c2 = cb_stream_attach (s, &audio_funcs, &two, NULL, NULL, CB_AUDIO_OPUS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);
  for (guint i = 0; i < 600 && (g_atomic_int_get (&one.buffers) < 5 || g_atomic_int_get (&two.buffers) < 5); i++)
    iterate_for (50);
  g_assert_cmpstr (one.codec, ==, "opus");
  g_assert_cmpstr (two.codec, ==, "opus");
  g_assert_cmpint (g_atomic_int_get (&one.buffers), >=, 5);
  cb_consumer_detach (c1);
  cb_consumer_detach (c2);
  g_free (one.codec);
  g_free (two.codec);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

/* A push (AAC, the test source's own) and a WebRTC player (Opus) of one profile: the
 * video is encoded once, and only the player's audio is transcoded, from the video
 * rendition's output. */
static void
test_video_rendition_shared_across_audio (void)
{
  g_autoptr(CbEngine) engine = cb_engine_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) s = cb_engine_publish_source (engine, "mixed", "test", &error);
  CbProfile p360 = { .height = 360 };
  AudioSeen opus = { 0 };
  Decoder *player = decoder_new ();
  CbConsumer *cp, *ca;

  g_assert_true (wait_for_status (s, CB_STREAM_PUBLISHING, 10000));
  cp = cb_stream_attach_appsrc (s, player->src, NULL, &p360, CB_AUDIO_AAC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);
  ca = cb_stream_attach (s, &audio_funcs, &opus, NULL, &p360, CB_AUDIO_OPUS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);   /* one video, one audio */
  /* A second profile shares the audio rendition: three encoders for three needs. */
  {
    CbProfile p180 = { .height = 180 };
    AudioSeen opus2 = { 0 };
    CbConsumer *c2 = cb_stream_attach (s, &audio_funcs, &opus2, NULL, &p180, CB_AUDIO_OPUS, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 3);
    cb_consumer_detach (c2);
    g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 2);
    g_free (opus2.codec);
  }

  for (guint i = 0; i < 600 && (g_atomic_int_get (&player->frames) < 5 ||
                                g_atomic_int_get (&opus.buffers) < 5); i++)
    iterate_for (50);
  g_assert_cmpint (player->width, ==, 640);
  g_assert_cmpstr (opus.codec, ==, "opus");

  cb_consumer_detach (ca);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 1);
  /* The player goes on alone. */
  {
    gint before = g_atomic_int_get (&player->frames);
    for (guint i = 0; i < 100 && g_atomic_int_get (&player->frames) < before + 5; i++)
      iterate_for (50);
    g_assert_cmpint (g_atomic_int_get (&player->frames), >=, before + 5);
  }
  cb_consumer_detach (cp);
  g_assert_cmpuint (cb_stream_get_n_renditions (s), ==, 0);
  decoder_free (player);
  g_free (opus.codec);
  cb_engine_shutdown (engine);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
  g_assert_finalize_object (g_steal_pointer (&engine));
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/fanout/late-consumer-starts-on-keyframe", test_late_consumer_starts_on_keyframe);
  g_test_add_func ("/cb/fanout/blocked-consumer-is-isolated", test_blocked_consumer_is_isolated);
  g_test_add_func ("/cb/fanout/attach-bad-profile", test_attach_bad_profile);
  g_test_add_func ("/cb/fanout/real-late-decoder", test_real_late_decoder);
  g_test_add_func ("/cb/fanout/renditions-shared", test_renditions_shared);
  g_test_add_func ("/cb/fanout/vp8-rendition-shared", test_vp8_rendition_shared);
  g_test_add_func ("/cb/fanout/rendition-keyframe-on-request", test_rendition_keyframe_on_request);
  g_test_add_func ("/cb/fanout/video-rendition-shared-across-audio",
                   test_video_rendition_shared_across_audio);
  g_test_add_func ("/cb/fanout/aac-to-opus-once", test_aac_to_opus_once);
  return g_test_run ();
}
