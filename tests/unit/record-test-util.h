/* record-test-util.h — helpers shared by the recording unit tests (MP4 boxes, finishing)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <gst/gst.h>

#define RECORD_TEST_TIMEOUT (60 * GST_SECOND)

/* The recorder's MP4 (fragments of a second, moov first) and WebM muxers. */
#define RECORD_TEST_FRAGMENTED "mp4mux name=m fragment-duration=1000 streamable=true"
#define RECORD_TEST_FASTSTART  "mp4mux name=m faststart=true"
#define RECORD_TEST_MOOV_LAST  "mp4mux name=m"
#define RECORD_TEST_WEBM       "webmmux name=m"

/* Elements the generated files need; a test is skipped without them. */
static inline gboolean
record_test_have (const char *factories)
{
  g_auto(GStrv) names = g_strsplit (factories, " ", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (names[i]);

      if (factory == NULL)
        {
          g_autofree char *why = g_strdup_printf ("GStreamer element %s not installed", names[i]);

          g_test_skip (why);
          return FALSE;
        }
    }
  return TRUE;
}

/* Writes @video_ms of 160x120 video at 30 fps (a keyframe every second) and @audio_ms of
 * 48 kHz audio (0: none; in 20 ms buffers) into @path with @mux ("… name=m"). @vp8:
 * VP8/Opus instead of H.264/AAC. Aborts the test on failure. */
static inline void
record_test_write_media_ms (const char *path,
                            const char *mux,
                            guint       video_ms,
                            guint       audio_ms,
                            gboolean    vp8)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  const char *video_enc = vp8 ? "vp8enc deadline=1 keyframe-max-dist=30"
                              : "x264enc speed-preset=ultrafast key-int-max=30 ! h264parse";
  const char *audio_enc = vp8 ? "opusenc" : "avenc_aac ! aacparse";
  g_autofree char *audio_branch = NULL;

  if (audio_ms > 0)
    audio_branch = g_strdup_printf ("audiotestsrc num-buffers=%u samplesperbuffer=960 ! "
                                    "audio/x-raw,rate=48000,channels=1 ! %s ! queue ! m. ",
                                    audio_ms / 20, audio_enc);
  description = g_strdup_printf ("videotestsrc num-buffers=%u ! "
                                 "video/x-raw,width=160,height=120,framerate=30/1 ! %s ! "
                                 "queue ! m. %s %s ! filesink location=\"%s\"",
                                 video_ms * 3 / 100, video_enc,
                                 audio_branch ? audio_branch : "", mux, path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, RECORD_TEST_TIMEOUT,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &error, NULL);
      g_assert_no_error (error);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* @seconds of video, and of audio too with @audio. */
static inline void
record_test_write_media (const char *path,
                         const char *mux,
                         guint       seconds,
                         gboolean    audio,
                         gboolean    vp8)
{
  record_test_write_media_ms (path, mux, seconds * 1000, audio ? seconds * 1000 : 0, vp8);
}

/* The first @length bytes of @data into @path. */
static inline void
record_test_write_cut (const char   *path,
                       GBytes       *data,
                       gsize         length)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (length, <=, g_bytes_get_size (data));
  g_file_set_contents (path, g_bytes_get_data (data, NULL), (gssize) length, &error);
  g_assert_no_error (error);
}

static inline GBytes *
record_test_read (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Deletes @dir and the files in it. */
static inline void
record_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static inline guint32
record_test_read_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* A top-level box of a well-formed file (32-bit sizes only: what mp4mux writes). */
typedef struct {
  guint32 type;
  gsize   start, end;
} RecordTestBox;

static inline GArray *
record_test_top_level_boxes (GBytes *file)
{
  gsize length = 0;
  const guint8 *p = g_bytes_get_data (file, &length);
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (RecordTestBox));

  for (gsize off = 0; off + 8 <= length;)
    {
      RecordTestBox box;
      guint32 size = record_test_read_u32 (p + off);

      g_assert_cmpuint (size, >=, 8);
      box.type = record_test_read_u32 (p + off + 4);
      box.start = off;
      box.end = off + size;
      g_assert_cmpuint (box.end, <=, length);
      g_array_append_val (boxes, box);
      off = box.end;
    }
  return boxes;
}

#define RECORD_TEST_FOURCC(s) \
  ((guint32) (s)[0] << 24 | (guint32) (s)[1] << 16 | (guint32) (s)[2] << 8 | (guint32) (s)[3])
