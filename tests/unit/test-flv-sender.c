/* test-flv-sender.c — the FLV sending core: one shared form per stream and chunk size
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-flv-queue.h"
#include "cb-flv-sender.h"
#include "cb-stream.h"
#include "fake-media.h"


/* AAC audio is what RTMP senders take as it is: they attach to the stream itself. */
static CbStream *
av_stream_new (const char *name)
{
  CbStream *s = cb_stream_new (name, "Local");
  g_autoptr(GstCaps) vcaps = fake_h264_caps ();
  g_autoptr(GstCaps) acaps = gst_caps_new_simple ("audio/mpeg", "mpegversion", G_TYPE_INT, 4,
                                                  "rate", G_TYPE_INT, 48000,
                                                  "channels", G_TYPE_INT, 2, NULL);

  cb_stream_push_caps (s, CB_MEDIA_VIDEO, vcaps);
  cb_stream_push_caps (s, CB_MEDIA_AUDIO, acaps);
  return s;
}

static void
push_frames (CbStream *s,
             guint     from,
             guint     to,
             guint     gop,
             gsize     size)
{
  for (guint n = from; n < to; n++)
    {
      g_autoptr(GstBuffer) b = gst_buffer_new_allocate (NULL, size, NULL);

      gst_buffer_memset (b, 0, (guint8) n, size);
      GST_BUFFER_PTS (b) = GST_BUFFER_DTS (b) = n * GST_SECOND / 30;
      if (n % gop != 0)
        GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
      cb_stream_push_buffer (s, CB_MEDIA_VIDEO, b);
    }
}

/* A session that records what it is handed. */
typedef struct {
  guint32    chunk_size;
  gboolean   congested;
  GPtrArray *forms;        /* CbRtmpChunkForm*, referenced */
  GArray    *timestamps;   /* guint32 of each form */
  guint      own;          /* messages of its own: metadata, sequence headers */
} FakeOut;

static gboolean
fake_send_form (gpointer out, const CbRtmpChunkForm *form, guint32 timestamp)
{
  FakeOut *o = out;

  g_ptr_array_add (o->forms, cb_rtmp_chunk_form_ref ((CbRtmpChunkForm *) form));
  g_array_append_val (o->timestamps, timestamp);
  return TRUE;
}

static gboolean
fake_send_media (gpointer out, guint8 type, guint32 timestamp, GBytes *payload)
{
  ((FakeOut *) out)->own++;
  return TRUE;
}

static guint32
fake_chunk_size (gpointer out)
{
  return ((FakeOut *) out)->chunk_size;
}

static gboolean
fake_congested (gpointer out)
{
  return ((FakeOut *) out)->congested;
}

static const CbFlvOutFuncs fake_out_funcs = {
  fake_send_form, fake_send_media, fake_chunk_size, fake_congested,
};

static FakeOut *
fake_out_new (guint32 chunk_size)
{
  FakeOut *o = g_new0 (FakeOut, 1);

  o->chunk_size = chunk_size;
  o->forms = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_rtmp_chunk_form_unref);
  o->timestamps = g_array_new (FALSE, FALSE, sizeof (guint32));
  return o;
}

static void
fake_out_free (FakeOut *o)
{
  g_ptr_array_unref (o->forms);
  g_array_unref (o->timestamps);
  g_free (o);
}

static void
run_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const CbFlvSenderConfig config = {
  .limit_ms = 4000,
  .max_bytes = 16 * 1024 * 1024,
  .send_metadata = TRUE,
  .retry_ms = 5,
  .end_when_drained = TRUE,
};

#define N_SENDERS 5

/* Every sender of a stream writes the same forms: each message is serialized once per
 * chunk size, whatever the number of senders, and the forms go with the last sender. */
static void
test_forms_shared (void)
{
  g_autoptr(CbStream) s = av_stream_new ("shared");
  CbFlvSender *senders[N_SENDERS + 1];
  FakeOut *outs[N_SENDERS + 1];
  guint live0, tags0, forms0, live, tags, forms;
  CbProfile profile = { 0 };

  cb_flv_tag_get_counts (&live0, &tags0, &forms0);
  push_frames (s, 0, 10, 30, 300);   /* a cached GOP of 10 frames */

  for (guint i = 0; i < N_SENDERS; i++)
    {
      outs[i] = fake_out_new (4096);
      senders[i] = cb_flv_sender_new (g_main_context_default (), &config, NULL, NULL);
      g_assert_nonnull (cb_flv_sender_start (senders[i], &fake_out_funcs, outs[i], s,
                                             GST_CLOCK_TIME_NONE, &profile, NULL));
    }
  g_assert_cmpuint (cb_stream_get_n_flv_senders (s), ==, N_SENDERS);
  push_frames (s, 10, 40, 30, 300);  /* 30 live frames, a keyframe at 30 */
  run_pending ();

  cb_flv_tag_get_counts (&live, &tags, &forms);
  g_assert_cmpuint (tags - tags0, ==, 40);
  g_assert_cmpuint (forms - forms0, ==, 40);
  for (guint i = 0; i < N_SENDERS; i++)
    {
      g_assert_cmpuint (outs[i]->forms->len, ==, 40);
      g_assert_cmpuint (outs[i]->own, ==, 2);   /* onMetaData, the AVC sequence header */
      for (guint f = 0; f < 40; f++)
        g_assert_true (g_ptr_array_index (outs[i]->forms, f) ==
                       g_ptr_array_index (outs[0]->forms, f));
      /* Each session's own timestamps: from 0 at its first frame (the GOP's keyframe). */
      g_assert_cmpuint (g_array_index (outs[i]->timestamps, guint32, 0), ==, 0);
      g_assert_cmpuint (g_array_index (outs[i]->timestamps, guint32, 39), ==, 1300);
    }

  /* Another chunk size: one more form per message it sends, shared tags all the same. */
  outs[N_SENDERS] = fake_out_new (128);
  senders[N_SENDERS] = cb_flv_sender_new (g_main_context_default (), &config, NULL, NULL);
  g_assert_nonnull (cb_flv_sender_start (senders[N_SENDERS], &fake_out_funcs, outs[N_SENDERS],
                                         s, GST_CLOCK_TIME_NONE, &profile, NULL));
  push_frames (s, 40, 45, 30, 300);
  run_pending ();
  cb_flv_tag_get_counts (NULL, &tags, &forms);
  /* The late sender got the GOP since frame 30 (15 frames): 15 forms of 128 bytes, and
   * 5 new frames of 4096 bytes. */
  g_assert_cmpuint (outs[N_SENDERS]->forms->len, ==, 15);
  g_assert_cmpuint (tags - tags0, ==, 45);
  g_assert_cmpuint (forms - forms0, ==, 40 + 5 + 15);
  g_assert_cmpuint (cb_rtmp_chunk_form_get_chunk_size (g_ptr_array_index (outs[N_SENDERS]->forms, 0)),
                    ==, 128);

  for (guint i = 0; i <= N_SENDERS; i++)
    {
      cb_flv_sender_free (senders[i]);
      fake_out_free (outs[i]);
    }
  run_pending ();
  g_assert_cmpuint (cb_stream_get_n_flv_senders (s), ==, 0);
  /* The last sender took the cached GOP's tags with it. */
  cb_flv_tag_get_counts (&live, NULL, NULL);
  g_assert_cmpuint (live, ==, live0);
  g_assert_cmpuint (cb_stream_get_n_consumers (s), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
}

/* A buffer cut from @payload after @head bytes, at @dts/@pts ms. */
static GstBuffer *
cut (GBytes *payload, gsize head, guint dts, guint pts, gboolean key)
{
  g_autoptr(GBytes) part = g_bytes_new_from_bytes (payload, head,
                                                   g_bytes_get_size (payload) - head);
  GstBuffer *b = gst_buffer_new_wrapped_bytes (part);

  GST_BUFFER_DTS (b) = dts * GST_MSECOND;
  GST_BUFFER_PTS (b) = pts * GST_MSECOND;
  if (!key)
    GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DELTA_UNIT);
  return b;
}

/* An RTMP ingest's message is its buffer's tag when it is what the senders would make of
 * the buffer (the same bytes, not serialized again); when it is not, the senders make
 * their own. */
static void
test_adopt (void)
{
  /* AVC NALU, keyframe, composition time 40 ms; AAC raw, 0xAF; AAC raw, mono (0xAE). */
  static const guint8 video[] = { 0x17, 0x01, 0x00, 0x00, 0x28, 0, 0, 0, 2, 0x65, 0x88 };
  static const guint8 stereo[] = { 0xaf, 0x01, 0x21, 0x10 };
  static const guint8 mono[] = { 0xae, 0x01, 0x21, 0x10 };
  static const guint8 delta[] = { 0x17, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 2, 0x41, 0x9a };
  struct { const guint8 *bytes; gsize len, head; CbMediaKind kind; guint pts; gboolean key,
           adopted; } cases[] = {
    { video, sizeof video, 5, CB_MEDIA_VIDEO, 140, TRUE, TRUE },
    { stereo, sizeof stereo, 2, CB_MEDIA_AUDIO, 100, TRUE, TRUE },
    { mono, sizeof mono, 2, CB_MEDIA_AUDIO, 100, TRUE, FALSE },
    /* Said to be a keyframe, but the buffer is a delta unit. */
    { delta, sizeof delta, 5, CB_MEDIA_VIDEO, 100, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) payload = g_bytes_new_static (cases[i].bytes, cases[i].len);
      g_autoptr(GstBuffer) b = cut (payload, cases[i].head, 100, cases[i].pts, cases[i].key);
      g_autoptr(GBytes) made = cb_flv_payload_for (cases[i].kind, b, NULL);
      CbFlvTag *tag;

      g_assert_cmpint (cb_flv_payload_is (cases[i].kind, b, payload), ==, cases[i].adopted);
      cb_flv_tag_adopt (cases[i].kind, b, payload);
      tag = cb_flv_tag_for_buffer (cases[i].kind, b);
      if (cases[i].adopted)
        {
          g_assert_true (cb_flv_tag_get_payload (tag) == payload);
          g_assert_true (g_bytes_equal (made, payload));
        }
      else
        {
          g_assert_true (cb_flv_tag_get_payload (tag) != payload);
          g_assert_true (g_bytes_equal (made, cb_flv_tag_get_payload (tag)));
        }
      cb_flv_tag_unref (tag);
      cb_flv_tag_clear_buffer (b);
    }
}

/* A session that does not read loses whole GOPs from its own queue; the others get all. */
static void
test_slow_session_alone (void)
{
  g_autoptr(CbStream) s = av_stream_new ("slow");
  CbFlvSenderConfig small = config;
  CbProfile profile = { 0 };
  FakeOut *fast = fake_out_new (4096);
  FakeOut *slow = fake_out_new (4096);
  CbFlvSender *a, *b;

  small.max_bytes = 64 * 1024;
  slow->congested = TRUE;
  a = cb_flv_sender_new (g_main_context_default (), &small, NULL, NULL);
  b = cb_flv_sender_new (g_main_context_default (), &small, NULL, NULL);
  g_assert_nonnull (cb_flv_sender_start (a, &fake_out_funcs, fast, s, GST_CLOCK_TIME_NONE,
                                         &profile, NULL));
  g_assert_nonnull (cb_flv_sender_start (b, &fake_out_funcs, slow, s, GST_CLOCK_TIME_NONE,
                                         &profile, NULL));
  for (guint n = 0; n < 300; n += 10)
    {
      push_frames (s, n, n + 10, 30, 1000);
      run_pending ();
    }
  g_assert_cmpuint (fast->forms->len, ==, 300);
  g_assert_cmpuint (cb_flv_sender_get_dropped (a), ==, 0);
  g_assert_cmpuint (slow->forms->len, ==, 0);
  g_assert_cmpuint (cb_flv_sender_get_dropped (b), >, 0);
  g_assert_cmpuint (cb_flv_sender_get_bufferings (b), >, 0);

  /* It reads again: it starts on a keyframe. */
  slow->congested = FALSE;
  push_frames (s, 300, 301, 30, 1000);
  run_pending ();
  g_assert_cmpuint (slow->forms->len, >, 0);
  g_assert_cmpuint (g_array_index (slow->timestamps, guint32, 0) % 1000, ==, 0);

  cb_flv_sender_free (a);
  cb_flv_sender_free (b);
  run_pending ();
  fake_out_free (fast);
  fake_out_free (slow);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&s));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/flv-sender/forms-shared", test_forms_shared);
  g_test_add_func ("/cb/flv-sender/adopt", test_adopt);
  g_test_add_func ("/cb/flv-sender/slow-session-alone", test_slow_session_alone);
  return g_test_run ();
}
