/* cb-record-file.c — finishing a recording file: repair, fast-start remux, verify, rename
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs in a worker thread, so GStreamer pipelines are driven by popping their bus with a
 * deadline instead of from a main loop. Inside this file an error with
 * CB_ENGINE_ERROR_BAD_FORMAT means "the recording itself is bad": only that sends the
 * temporary file to its .damaged name. A missing plugin, a cancellation, a deadline or a
 * failed rename leave it where it is, so that it can be finished again later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "cb-engine-error.h"
#include "cb-mp4.h"
#include "cb-pipeline.h"
#include "cb-platform.h"
#include "cb-record-file.h"
#include "cb-media.h"
#include "cb-record-name.h"

#define MIN_DEADLINE_MS   30000
#define BUS_POLL          (100 * GST_MSECOND)
#define MIB               (1024 * 1024)
/* Decoding is CPU-bound (2 s per MiB is a 4 Mbit/s stream decoded at 2x its speed),
 * remuxing is only I/O. */
#define VERIFY_MS_PER_MIB 2000
#define REMUX_MS_PER_MIB  125
/* How much one stream may run ahead of the others while remuxing. */
#define REMUX_QUEUE_TIME  (10 * GST_SECOND)

typedef struct {
  char    *temp_path;
  char    *final_path;
  gboolean decode;
} FinishJob;

static void
finish_job_free (gpointer data)
{
  FinishJob *job = data;

  g_free (job->temp_path);
  g_free (job->final_path);
  g_free (job);
}

void
cb_record_file_result_free (CbRecordFileResult *r)
{
  if (r == NULL)
    return;
  g_free (r->final_path);
  g_free (r->video_codec);
  g_free (r->audio_codec);
  g_free (r);
}

static gint64
deadline_ms (guint64 size,
             guint64 ms_per_mib)
{
  return MIN_DEADLINE_MS + (gint64) (size / MIB * ms_per_mib);
}

/* WCS's name for the codec of @caps (cb-media.c), or NULL. */
static const char *
wcs_codec_name (const GstCaps *caps,
                gboolean      *is_video)
{
  const char *codec = cb_media_codec_from_caps (caps);

  *is_video = codec != NULL &&
              g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
                                "video/");
  return codec;
}

/* Plays @pipeline to its end. Errors: G_IO_ERROR_CANCELLED; _MISSING_PLUGIN when an element
 * asked for a plugin that is not installed; _FAILED when @timeout_ms went by; _BAD_FORMAT
 * for an error from an element (the caller knows whether the file is to blame). */
static gboolean
run_pipeline (GstElement    *pipeline,
              gint64         timeout_ms,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autofree char *missing = NULL;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok = FALSE;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;)
    {
      g_autoptr(GstMessage) message = NULL;
      g_autoptr(GError) gst_error = NULL;
      g_autofree char *text = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                       "It took longer than %" G_GINT64_FORMAT " s", timeout_ms / 1000);
          break;
        }
      message = gst_bus_timed_pop_filtered (bus, BUS_POLL, GST_MESSAGE_EOS | GST_MESSAGE_ERROR |
                                            GST_MESSAGE_ELEMENT);
      if (message == NULL)
        continue;

      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
        {
          if (gst_is_missing_plugin_message (message) && missing == NULL)
            missing = gst_missing_plugin_message_get_description (message);
          continue;
        }
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          gst_error = cb_pipeline_error_new (pipeline, message);
          text = cb_pipeline_error_text (message);
        }
      /* A stream left out for want of a decoder or parser ends the run with or without an
       * error: either way it is not the file's fault. */
      if (missing != NULL || g_error_matches (gst_error, GST_CORE_ERROR,
                                              GST_CORE_ERROR_MISSING_PLUGIN))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                       "A GStreamer plugin is missing: %s",
                       missing != NULL ? missing : text);
          break;
        }
      if (gst_error != NULL)
        {
          g_debug ("%s", gst_error->message);
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT, "%s", text);
          break;
        }
      ok = TRUE;   /* EOS */
      break;
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

static GstElement *
make_element (const char  *factory,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN,
                 "The GStreamer element %s is not installed", factory);
  return element;
}

/* --- remux ------------------------------------------------------------------------------- */

typedef struct {
  GstElement  *pipeline;
  GstElement  *mux;
  GstClockTime cut;   /* samples that begin at or after it are left out; NONE: none */
} Remux;

typedef struct {
  GstClockTime cut;
  gboolean     cutting;   /* a sample was left out: every later one is too */
  guint        dropped;
} Trim;

/* Leaves out the end of the longer track: from the first sample (in decoding order) that
 * begins at or after the shorter track's end on the movie's timeline, which is the running
 * time of qtdemux's segment (it applies the edit list). Only whole samples at the end go,
 * so what is kept decodes. */
static GstPadProbeReturn
on_trim_buffer (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         data)
{
  Trim *trim = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime ts = GST_BUFFER_DTS_IS_VALID (buffer) ? GST_BUFFER_DTS (buffer)
                                                     : GST_BUFFER_PTS (buffer);

  if (!trim->cutting && GST_CLOCK_TIME_IS_VALID (ts))
    {
      g_autoptr(GstEvent) event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
      const GstSegment *segment;
      GstClockTime running;

      if (event != NULL)
        {
          gst_event_parse_segment (event, &segment);
          running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);
          trim->cutting = GST_CLOCK_TIME_IS_VALID (running) && running >= trim->cut;
        }
    }
  if (!trim->cutting)
    return GST_PAD_PROBE_OK;
  trim->dropped++;
  return GST_PAD_PROBE_DROP;
}

static void
trim_free (gpointer data)
{
  Trim *trim = data;

  if (trim->dropped > 0)
    g_debug ("remux: left out %u samples after %" GST_TIME_FORMAT, trim->dropped,
             GST_TIME_ARGS (trim->cut));
  g_free (trim);
}

static void
on_demux_pad_added (GstElement *demux,
                    GstPad     *pad,
                    gpointer    data)
{
  Remux *remux = data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GstPad) queue_pad = NULL;
  g_autoptr(GstPad) parser_pad = NULL;
  g_autoptr(GstPad) mux_pad = NULL;
  GstElement *queue, *parser;
  const char *parser_name = NULL, *codec;
  gboolean is_video = FALSE;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  codec = wcs_codec_name (caps, &is_video);
  /* No parser: qtdemux's caps are complete, and a parser would turn a change of parameter
   * sets in the middle of the file (a new resolution, carried in-band) into new caps, which
   * GStreamer 1.22's mp4mux takes badly (the frames after it did not decode). */
  if (g_strcmp0 (codec, "H264") == 0 || g_strcmp0 (codec, "mpeg4-generic") == 0 ||
      g_strcmp0 (codec, "opus") == 0)
    parser_name = "identity";
  if (parser_name == NULL)
    {
      g_autofree char *shown = gst_caps_to_string (caps);

      /* qtdemux carries on without it; the finished file will not have this stream. */
      g_debug ("remux: leaving out a stream of %s", shown);
      return;
    }

  parser = gst_element_factory_make (parser_name, NULL);
  if (parser == NULL)
    {
      gst_element_post_message (demux, gst_missing_element_message_new (demux, parser_name));
      return;
    }
  queue = gst_element_factory_make ("queue", NULL);
  g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64) REMUX_QUEUE_TIME, NULL);
  gst_bin_add_many (GST_BIN (remux->pipeline), queue, parser, NULL);

  queue_pad = gst_element_get_static_pad (queue, "sink");
  parser_pad = gst_element_get_static_pad (parser, "src");
  mux_pad = gst_element_request_pad_simple (remux->mux, is_video ? "video_%u" : "audio_%u");
  if (mux_pad == NULL || !gst_element_link (queue, parser) ||
      gst_pad_link (parser_pad, mux_pad) != GST_PAD_LINK_OK ||
      gst_pad_link (pad, queue_pad) != GST_PAD_LINK_OK)
    {
      GST_ELEMENT_ERROR (demux, CORE, NEGOTIATION, ("Cannot remux a %s stream", codec), (NULL));
      return;
    }
  if (GST_CLOCK_TIME_IS_VALID (remux->cut))
    {
      Trim *trim = g_new0 (Trim, 1);

      trim->cut = remux->cut;
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_trim_buffer, trim, trim_free);
    }
  gst_element_sync_state_with_parent (parser);
  gst_element_sync_state_with_parent (queue);
}

/* Where the longer of a file's audio and video tracks is cut: the shorter one's end (they
 * differ by what each kind still had on the way when the publisher stopped, up to ~0.13 s
 * seen). GST_CLOCK_TIME_NONE when the file does not have both, or their ends are unknown.
 * Each track keeps the sample that straddles the cut, so the ends stay within a sample. */
static GstClockTime
trim_point (const CbMp4Info *info)
{
  if (info->video_end_ns <= 0 || info->audio_end_ns <= 0)
    return GST_CLOCK_TIME_NONE;
  return (GstClockTime) MIN (info->video_end_ns, info->audio_end_ns);
}

/* filesrc ! qtdemux, each stream → queue ! parser → mp4mux faststart=true ! filesink,
 * leaving out the samples that begin at or after @cut (GST_CLOCK_TIME_NONE: none).
 * On failure @out_path is deleted. */
static gboolean
remux (const char    *in_path,
       const char    *out_path,
       guint64        in_size,
       GstClockTime   cut,
       GCancellable  *cancellable,
       GError       **error)
{
  /* mp4mux puts the media data aside in this file until it has written the moov box. Its
   * default is in $TMPDIR, often a small tmpfs: keep it beside the output instead. */
  g_autofree char *faststart_path = g_strconcat (out_path, "-faststart", NULL);
  g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new ("record-remux"));
  GstElement *src, *demux, *mux, *sink;
  Remux remux = { pipeline, NULL, cut };
  gboolean ok;

  if ((src = make_element ("filesrc", error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), src);
  if ((demux = make_element ("qtdemux", error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), demux);
  if ((mux = make_element ("mp4mux", error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), mux);
  if ((sink = make_element ("filesink", error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), sink);

  g_object_set (src, "location", in_path, NULL);
  g_object_set (mux, "faststart", TRUE, "faststart-file", faststart_path, NULL);
  g_object_set (sink, "location", out_path, NULL);
  remux.mux = mux;
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_demux_pad_added), &remux);
  if (!gst_element_link (src, demux) || !gst_element_link (mux, sink))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot build the remuxer");
      return FALSE;
    }

  ok = run_pipeline (pipeline, deadline_ms (in_size, REMUX_MS_PER_MIB), cancellable, error);
  g_signal_handlers_disconnect_by_data (demux, &remux);
  /* mp4mux deletes it when it stops, but not if we are killed on the way. */
  g_unlink (faststart_path);
  if (!ok)
    g_unlink (out_path);
  return ok;
}

/* --- the remux in a process of its own ---------------------------------------------------- */

/* A crash of GStreamer's demuxer or muxer while remuxing (CI saw one, at the start of a
 * remux that ran beside a recording's rotation) would take the whole studio or server
 * down with every stream in it. So when the program names its executable, the remux runs
 * in a child: a crashed child costs a second try, then the fragmented file is kept. */
#define WORKER_ARG "--cb-record-remux"

static char *remux_worker;
G_LOCK_DEFINE_STATIC (remux_worker);

void
cb_record_file_set_worker (const char *executable)
{
  G_LOCK (remux_worker);
  g_free (remux_worker);
  remux_worker = g_strdup (executable);
  G_UNLOCK (remux_worker);
}

int
cb_record_file_worker_main (int    argc,
                            char **argv)
{
  g_autoptr(GError) error = NULL;
  GstClockTime cut = GST_CLOCK_TIME_NONE;

  if (argc < 2 || g_strcmp0 (argv[1], WORKER_ARG) != 0)
    {
      g_autofree char *executable = cb_platform_get_executable ();

      cb_record_file_set_worker (executable);
      return -1;
    }
  if (argc != 6)
    {
      g_printerr ("usage: %s " WORKER_ARG " IN OUT IN-SIZE CUT-NS|none\n", argv[0]);
      return 2;
    }
  gst_init (NULL, NULL);
  if (g_strcmp0 (argv[5], "none") != 0)
    cut = g_ascii_strtoull (argv[5], NULL, 10);
  /* For the test that proves a crash here leaves the parent standing. */
  if (g_getenv ("CB_TEST_REMUX_CRASH") != NULL)
    {
      volatile int *nowhere = NULL;

      *nowhere = 1;
    }
  if (remux (argv[2], argv[3], g_ascii_strtoull (argv[4], NULL, 10), cut, NULL, &error))
    return 0;
  g_print ("%s\t%d\t%s\n", g_quark_to_string (error->domain), error->code, error->message);
  return 1;
}

/* One run of the child: TRUE when it remuxed; FALSE with @error when it said why it could
 * not; FALSE with @error unset when it died without saying (a crash). */
static gboolean
remux_in_child (const char    *worker,
                const char    *in_path,
                const char    *out_path,
                guint64        in_size,
                GstClockTime   cut,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *size_arg = g_strdup_printf ("%" G_GUINT64_FORMAT, in_size);
  g_autofree char *cut_arg = GST_CLOCK_TIME_IS_VALID (cut)
                             ? g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) cut)
                             : g_strdup ("none");
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *said = NULL;
  g_auto(GStrv) fields = NULL;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, worker, WORKER_ARG,
                            in_path, out_path, size_arg, cut_arg, NULL);
  if (child == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (child, NULL, cancellable, &said, NULL, error))
    {
      g_subprocess_force_exit (child);
      g_subprocess_wait (child, NULL, NULL);
      return FALSE;
    }
  if (g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 0)
    return TRUE;
  if (g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 1 &&
      said != NULL && (fields = g_strsplit (g_strchomp (said), "\t", 3)) != NULL &&
      g_strv_length (fields) == 3 && fields[0][0] != '\0')
    {
      g_set_error_literal (error, g_quark_from_string (fields[0]),
                           (int) g_ascii_strtoll (fields[1], NULL, 10), fields[2]);
      return FALSE;
    }
  /* Never signalled on Windows (GLib answers FALSE there). */
  if (g_subprocess_get_if_signaled (child))
    g_warning ("The remuxer of %s crashed (signal %d)", in_path, g_subprocess_get_term_sig (child));
  else
    g_warning ("The remuxer of %s ended without a word (status %d)", in_path,
               g_subprocess_get_status (child));
  return FALSE;
}

/* remux(), in a child process when a worker executable is set: a crash is tried once
 * more, then it is an error like the others (the fragmented file is kept). */
static gboolean
remux_isolated (const char    *in_path,
                const char    *out_path,
                guint64        in_size,
                GstClockTime   cut,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *worker = NULL;
  g_autofree char *faststart_path = g_strconcat (out_path, "-faststart", NULL);

  G_LOCK (remux_worker);
  worker = g_strdup (remux_worker);
  G_UNLOCK (remux_worker);
  if (worker == NULL)
    return remux (in_path, out_path, in_size, cut, cancellable, error);

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (remux_in_child (worker, in_path, out_path, in_size, cut, cancellable, &local_error))
        return TRUE;
      /* What a child that died on the way left. */
      g_unlink (out_path);
      g_unlink (faststart_path);
      /* No child at all (the program was replaced on disk, say): here, then. */
      if (local_error != NULL && local_error->domain == G_SPAWN_ERROR)
        {
          g_debug ("remux: cannot start %s (%s); remuxing here", worker, local_error->message);
          return remux (in_path, out_path, in_size, cut, cancellable, error);
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "The remuxer crashed twice");
  return FALSE;
}

/* --- verify ------------------------------------------------------------------------------ */

/* The demuxer is named rather than found by decodebin: decodebin 1.22 can swallow an error
 * that a demuxer posts while it is being brought to PAUSED (qtdemux's "no playable
 * streams" on a file without samples, one run in ~5), and the wait then ends only with
 * the deadline. Each stream gets its own queue ! decodebin ! fakesink. */
typedef struct {
  GMutex       lock;
  GstElement  *pipeline;
  guint64      frames;       /* decoded video frames and audio buffers, all streams */
  GstClockTime end;          /* stream time of the end of the last one */
  gboolean     decode;       /* FALSE: count the demuxed samples, decode nothing */
  char        *video_codec;
  char        *audio_codec;
} Verify;

static GstPadProbeReturn
on_decoded_buffer (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         data)
{
  Verify *verify = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr(GstEvent) event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstClockTime time = GST_BUFFER_PTS (buffer);
  GstClockTime end = GST_CLOCK_TIME_NONE;

  if (GST_CLOCK_TIME_IS_VALID (time) && event != NULL)
    {
      const GstSegment *segment;

      gst_event_parse_segment (event, &segment);
      time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, time);
    }
  if (GST_CLOCK_TIME_IS_VALID (time))
    end = time + (GST_BUFFER_DURATION_IS_VALID (buffer) ? GST_BUFFER_DURATION (buffer) : 0);

  g_mutex_lock (&verify->lock);
  verify->frames++;
  if (GST_CLOCK_TIME_IS_VALID (end) &&
      (!GST_CLOCK_TIME_IS_VALID (verify->end) || end > verify->end))
    verify->end = end;
  g_mutex_unlock (&verify->lock);
  return GST_PAD_PROBE_OK;
}

static void
on_decoded_pad_added (GstElement *decodebin,
                      GstPad     *pad,
                      gpointer    data)
{
  Verify *verify = data;
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstPad) sink_pad = NULL;

  if (sink == NULL)
    {
      gst_element_post_message (decodebin, gst_missing_element_message_new (decodebin,
                                                                            "fakesink"));
      return;
    }
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (verify->pipeline), sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_buffer, verify, NULL);
  gst_element_sync_state_with_parent (sink);
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    GST_ELEMENT_ERROR (decodebin, CORE, NEGOTIATION, ("Cannot link a decoded stream"), (NULL));
}

static void
on_verify_demux_pad_added (GstElement *demux,
                           GstPad     *pad,
                           gpointer    data)
{
  Verify *verify = data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GstPad) queue_pad = NULL;
  GstElement *queue, *decodebin;
  gboolean is_video = FALSE;
  const char *codec;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  codec = wcs_codec_name (caps, &is_video);
  if (codec != NULL)
    {
      g_mutex_lock (&verify->lock);
      if (is_video && verify->video_codec == NULL)
        verify->video_codec = g_strdup (codec);
      else if (!is_video && verify->audio_codec == NULL)
        verify->audio_codec = g_strdup (codec);
      g_mutex_unlock (&verify->lock);
    }

  /* Read through without decoding: each sample counted after its own queue. The queue
   * matters: straight from qtdemux's one streaming thread, the first fakesink to preroll
   * held that thread, the other sink never prerolled, and the run waited for its
   * deadline. */
  if (!verify->decode)
    {
      g_autoptr(GstPad) queue_src = NULL;

      queue = gst_element_factory_make ("queue", NULL);
      gst_bin_add (GST_BIN (verify->pipeline), queue);
      queue_pad = gst_element_get_static_pad (queue, "sink");
      queue_src = gst_element_get_static_pad (queue, "src");
      on_decoded_pad_added (queue, queue_src, verify);
      if (gst_pad_link (pad, queue_pad) != GST_PAD_LINK_OK)
        GST_ELEMENT_ERROR (demux, CORE, NEGOTIATION, ("Cannot read a stream"), (NULL));
      gst_element_sync_state_with_parent (queue);
      return;
    }

  decodebin = gst_element_factory_make ("decodebin", NULL);
  if (decodebin == NULL)
    {
      gst_element_post_message (demux, gst_missing_element_message_new (demux, "decodebin"));
      return;
    }
  queue = gst_element_factory_make ("queue", NULL);
  gst_bin_add_many (GST_BIN (verify->pipeline), queue, decodebin, NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad_added), verify);
  queue_pad = gst_element_get_static_pad (queue, "sink");
  if (!gst_element_link (queue, decodebin) || gst_pad_link (pad, queue_pad) != GST_PAD_LINK_OK)
    {
      GST_ELEMENT_ERROR (demux, CORE, NEGOTIATION, ("Cannot decode a stream"), (NULL));
      return;
    }
  gst_element_sync_state_with_parent (decodebin);
  gst_element_sync_state_with_parent (queue);
}

/* Decodes all of @path (filesrc ! @demuxer, each stream → queue ! decodebin ! fakesink
 * sync=false), or with @decode FALSE only demuxes it (each stream → fakesink). Fills in
 * @result's duration and codecs. */
static gboolean
verify_file (const char          *path,
             const char          *demuxer,
             gboolean             decode,
             CbRecordFileResult  *result,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new ("record-verify"));
  g_autoptr(GError) local_error = NULL;
  GstElement *src, *demux;
  Verify verify = { .pipeline = pipeline, .end = GST_CLOCK_TIME_NONE, .decode = decode };
  GStatBuf st;
  gboolean ok;

  if ((src = make_element ("filesrc", error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), src);
  if ((demux = make_element (demuxer, error)) == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), demux);
  g_object_set (src, "location", path, NULL);
  if (!gst_element_link (src, demux))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot build the decoder");
      return FALSE;
    }
  g_mutex_init (&verify.lock);
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_verify_demux_pad_added), &verify);

  ok = run_pipeline (pipeline, deadline_ms (g_stat (path, &st) == 0 ? (guint64) st.st_size : 0,
                                            decode ? VERIFY_MS_PER_MIB : REMUX_MS_PER_MIB),
                     cancellable, &local_error);
  /* Stopped: no streaming thread calls back any more. */
  g_signal_handlers_disconnect_by_data (demux, &verify);

  if (ok && verify.frames == 0)
    g_set_error (&local_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                 "Nothing in it could be decoded");
  else if (local_error != NULL && verify.frames > 0)
    g_prefix_error (&local_error, "After %" G_GUINT64_FORMAT " frames and samples: ",
                    verify.frames);
  if (local_error == NULL)
    {
      result->duration = GST_CLOCK_TIME_IS_VALID (verify.end)
                           ? (double) verify.end / GST_SECOND : 0.0;
      g_free (result->video_codec);
      result->video_codec = g_steal_pointer (&verify.video_codec);
      g_free (result->audio_codec);
      result->audio_codec = g_steal_pointer (&verify.audio_codec);
    }
  g_free (verify.video_codec);
  g_free (verify.audio_codec);
  g_mutex_clear (&verify.lock);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* --- files ------------------------------------------------------------------------------- */

char *
cb_record_file_sibling_path (const char *path,
                             const char *infix)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = NULL;
  const char *dot = strrchr (base, '.');
  g_autofree char *ext = g_strdup (dot != NULL && dot != base ? dot : "");
  gsize stem_length = strlen (base) - strlen (ext);
  gsize budget = CB_RECORD_NAME_MAX - MIN (CB_RECORD_NAME_MAX, strlen (infix) + strlen (ext));

  base[stem_length] = '\0';
  base[cb_record_name_cut_length (base, budget)] = '\0';
  name = g_strconcat (base, infix, ext, NULL);
  return g_build_filename (dir, name, NULL);
}

/* Moves @from to @to, or beside it as "<stem>-1<ext>", "<stem>-2<ext>"… */
static char *
move_no_replace (const char  *from,
                 const char  *to,
                 GError     **error)
{
  for (guint n = 0; n < 10000; n++)
    {
      g_autofree char *infix = n > 0 ? g_strdup_printf ("-%u", n) : NULL;
      g_autofree char *candidate = n > 0 ? cb_record_file_sibling_path (to, infix) : g_strdup (to);
      int saved;

      if (cb_platform_rename_no_replace (from, candidate) == 0)
        return g_steal_pointer (&candidate);
      saved = errno;
      if (saved != EEXIST)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot move %s to %s: %s",
                       from, candidate, g_strerror (saved));
          return NULL;
        }
    }
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
               "Cannot move %s: too many files are named like %s", from, to);
  return NULL;
}

static gboolean
has_suffix_ignore_case (const char *path,
                        const char *suffix)
{
  gsize length = strlen (path), suffix_length = strlen (suffix);

  return length >= suffix_length &&
         g_ascii_strcasecmp (path + length - suffix_length, suffix) == 0;
}

/* Every Matroska/WebM file begins with an EBML header. */
static gboolean
check_ebml_magic (const char  *path,
                  GError     **error)
{
  static const guint8 magic[4] = { 0x1a, 0x45, 0xdf, 0xa3 };
  guint8 head[4] = { 0, };
  FILE *file = g_fopen (path, "rb");
  gsize got;

  if (file == NULL)
    {
      int saved = errno;

      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot read %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  got = fread (head, 1, sizeof head, file);
  fclose (file);
  if (got != sizeof head || memcmp (head, magic, sizeof magic) != 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT, "It is not a WebM file");
      return FALSE;
    }
  return TRUE;
}

/* Steps 1 and 2 for an MP4: on success *@remuxed_path is the remuxed file to keep, or NULL
 * to keep @temp_path as it is (then not verified yet). */
static gboolean
prepare_mp4 (const char          *temp_path,
             const char          *final_path,
             guint64              file_size,
             gboolean             decode,
             CbRecordFileResult  *result,
             char               **remuxed_path,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tmp_path = NULL;
  CbMp4Info info;

  *remuxed_path = NULL;
  if (!cb_mp4_probe_file (temp_path, &info, &local_error))
    {
      if (g_error_matches (local_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID))
        local_error->code = CB_ENGINE_ERROR_BAD_FORMAT;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!info.has_video && !info.has_audio)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                   "It has no complete moov box with audio or video tracks");
      return FALSE;
    }
  if (info.complete_length < file_size)
    {
      g_debug ("%s: cutting a partly written end, from %" G_GUINT64_FORMAT " to %"
               G_GUINT64_FORMAT " bytes", temp_path, file_size, info.complete_length);
      if (truncate (temp_path, (off_t) info.complete_length) != 0)
        {
          int saved = errno;

          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot truncate %s: %s",
                       temp_path, g_strerror (saved));
          return FALSE;
        }
    }
  if (!info.fragmented && info.faststart)
    return TRUE;

  /* Beside the final file (one file system for the rename), hidden, and named after the
   * recording's own temporary file: two recordings finishing to the same name at once
   * must not write one output. Not a media name: a start-up scan leaves it alone. */
  {
    g_autofree char *dir = g_path_get_dirname (final_path);
    g_autofree char *base = g_path_get_basename (temp_path);
    g_autofree char *name = g_strconcat (base[0] == '.' ? "" : ".", base, ".remux.tmp", NULL);

    tmp_path = g_build_filename (dir, name, NULL);
  }
  /* After a clean stop, audio and video end together in the finished file: the longer
   * one's end is cut. A file left by a crash keeps all it has (its tracks may end up to a
   * fragment apart, and the recovery promises at most about a second lost). */
  if (remux_isolated (temp_path, tmp_path, info.complete_length,
             decode ? GST_CLOCK_TIME_NONE : trim_point (&info), cancellable, &local_error))
    {
      CbMp4Info out;
      gboolean probed = cb_mp4_probe_file (tmp_path, &out, &local_error);

      if (probed && (out.fragmented || !out.faststart))
        g_set_error (&local_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                     "mp4mux did not write a fast-start file");
      else if (probed && verify_file (tmp_path, "qtdemux", decode, result, cancellable,
                                         &local_error))
        {
          *remuxed_path = g_steal_pointer (&tmp_path);
          return TRUE;
        }
      g_unlink (tmp_path);
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (local_error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_MISSING_PLUGIN))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* No space left, most likely: a fragmented MP4 plays too, and the result says so
   * (remuxed FALSE) for the caller to report. */
  g_debug ("%s: cannot remux it (%s); keeping it fragmented", temp_path, local_error->message);
  return TRUE;
}

static gboolean
finish_file (FinishJob           *job,
             CbRecordFileResult  *result,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autofree char *remuxed_path = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *dir = NULL;
  gboolean webm = has_suffix_ignore_case (job->temp_path, ".webm") ||
                  has_suffix_ignore_case (job->temp_path, ".mkv");
  GStatBuf st;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (g_stat (job->temp_path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, CB_ENGINE_ERROR,
                   saved == ENOENT ? CB_ENGINE_ERROR_FILE_NOT_FOUND : CB_ENGINE_ERROR_FAILED,
                   "Cannot read %s: %s", job->temp_path, g_strerror (saved));
      return FALSE;
    }

  if (webm)
    {
      if (!check_ebml_magic (job->temp_path, error))
        return FALSE;
    }
  else if (!prepare_mp4 (job->temp_path, job->final_path, (guint64) st.st_size, job->decode, result,
                         &remuxed_path, cancellable, error))
    {
      return FALSE;
    }

  result->remuxed = remuxed_path != NULL;
  if (remuxed_path != NULL)
    cb_platform_sync_path (remuxed_path);
  else if (!verify_file (job->temp_path, webm ? "matroskademux" : "qtdemux", job->decode, result,
                         cancellable, error))
    return FALSE;

  moved = move_no_replace (remuxed_path != NULL ? remuxed_path : job->temp_path,
                           job->final_path, error);
  if (moved == NULL)
    {
      if (remuxed_path != NULL)
        g_unlink (remuxed_path);
      return FALSE;
    }
  dir = g_path_get_dirname (moved);
  cb_platform_sync_path (dir);
  if (remuxed_path != NULL && g_unlink (job->temp_path) != 0)
    {
      int saved = errno;

      /* Left there, it would be finished again at the next start-up: a copy, not a loss. */
      g_warning ("Cannot delete %s, finished as %s: %s", job->temp_path, moved,
                 g_strerror (saved));
    }
  result->final_path = g_steal_pointer (&moved);
  result->size = g_stat (result->final_path, &st) == 0 ? (guint64) st.st_size : 0;
  return TRUE;
}

static void
finish_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  FinishJob *job = task_data;
  g_autoptr(CbRecordFileResult) result = g_new0 (CbRecordFileResult, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) move_error = NULL;
  g_autofree char *damaged_path = NULL;
  g_autofree char *moved = NULL;

  if (finish_file (job, result, cancellable, &error))
    {
      g_task_return_pointer (task, g_steal_pointer (&result),
                             (GDestroyNotify) cb_record_file_result_free);
      return;
    }
  if (!g_error_matches (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  damaged_path = cb_record_file_sibling_path (job->final_path, ".damaged");
  moved = move_no_replace (job->temp_path, damaged_path, &move_error);
  if (moved != NULL)
    g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                             "The recording %s cannot be repaired, it is kept as %s: %s",
                             job->temp_path, moved, error->message);
  else
    g_task_return_new_error (task, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                             "The recording %s cannot be repaired (%s), and it stays there: %s",
                             job->temp_path, move_error->message, error->message);
}

void
cb_record_file_finish_async (const char          *temp_path,
                             const char          *final_path,
                             gboolean             decode,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FinishJob *job;

  g_return_if_fail (temp_path != NULL);
  g_return_if_fail (final_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (gst_is_initialized ());

  gst_pb_utils_init ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cb_record_file_finish_async);
  job = g_new0 (FinishJob, 1);
  job->temp_path = g_strdup (temp_path);
  job->final_path = g_strdup (final_path);
  job->decode = decode;
  g_task_set_task_data (task, job, finish_job_free);
  g_task_run_in_thread (task, finish_in_thread);
}

CbRecordFileResult *
cb_record_file_finish_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cb_record_file_finish_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
