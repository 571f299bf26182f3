/* cb-program-sources.c — the source bins of a scene: devices, captures, media files, patterns, sound
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of CbProgram (cb-program.c); what the parts share is in cb-program-private.h.
 */
#include "cb-app-audio.h"
#include "cb-program-private.h"

/* @device (taken) in front of the parsed @desc, in one bin with a "src" ghost pad. */
static GstElement *
bin_with_device (GstElement  *device,
                 const char  *desc,
                 GError     **error)
{
  GstElement *bin = gst_bin_new (NULL);
  GstElement *rest = cb_media_parse_bin (desc, TRUE, error);
  g_autoptr(GstPad) rest_src = NULL;

  if (rest == NULL)
    {
      gst_object_unref (gst_object_ref_sink (device));
      gst_object_unref (gst_object_ref_sink (bin));
      return NULL;
    }
  gst_bin_add_many (GST_BIN (bin), device, rest, NULL);
  if (!gst_element_link (device, rest))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot link the device");
      gst_object_unref (gst_object_ref_sink (bin));
      return NULL;
    }
  rest_src = gst_element_get_static_pad (rest, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", rest_src));
  return bin;
}

/* ---- media files in a loop ------------------------------------------------------ */

/* Kept on a media file's decodebin ("cb-looper"). In a loop, each pass is a segment seek:
 * at its end the demuxer says SEGMENT_DONE instead of EOS, and a seek back to the beginning
 * that flushes nothing goes on from the running time reached, so the compositor and the
 * mixer see one stream with no gap. Without a loop a SEGMENT_DONE becomes the EOS it stands
 * for, and the last frame stays (repeat-after-eos). */
typedef struct {
  GWeakRef      program;      /* seeks wait on its context, which may outlive it */
  GMainContext *context;      /* the program's */
  guint         id;
  gint          loop;         /* atomic, all below: play again at the end */
  gint          segments;     /* the first segment seek was asked for */
  gint          done_seqnum;  /* the last SEGMENT_DONE acted on (one a stream) */
} Looper;

static Looper *
looper_of (GstElement *decodebin)
{
  return decodebin != NULL ? g_object_get_data (G_OBJECT (decodebin), "cb-looper") : NULL;
}

static void
looper_free (gpointer data)
{
  Looper *looper = data;

  g_weak_ref_clear (&looper->program);
  g_main_context_unref (looper->context);
  g_free (looper);
}

/* On the engine's context: a pass from the beginning. The first one flushes (its streams
 * are held before their first buffer, so nothing was shown yet) and lets them go; the
 * next ones flush nothing and go on from where the last ended. */
static gboolean
loop_seek (GstElement *decodebin,
           gboolean    first)
{
  Looper *looper = looper_of (decodebin);
  g_autoptr(CbProgram) program = g_weak_ref_get (&looper->program);
  Branch *b = program != NULL && program->branches != NULL
              ? g_hash_table_lookup (program->branches, GUINT_TO_POINTER (looper->id)) : NULL;
  GstSeekFlags flags = GST_SEEK_FLAG_SEGMENT | (first ? GST_SEEK_FLAG_FLUSH : 0);
  GstPad *pad = NULL;
  gboolean sought = FALSE;

  /* Not from a branch made again since (the same id). */
  if (b == NULL || b->bin == NULL || !gst_object_has_as_ancestor (GST_OBJECT (decodebin),
                                                                  GST_OBJECT (b->bin)))
    return G_SOURCE_REMOVE;
  GST_OBJECT_LOCK (decodebin);
  if (decodebin->srcpads != NULL)
    pad = gst_object_ref (decodebin->srcpads->data);
  GST_OBJECT_UNLOCK (decodebin);
  if (pad != NULL)
    {
      sought = gst_pad_send_event (pad, gst_event_new_seek (1.0, GST_FORMAT_TIME, flags,
                                                            GST_SEEK_TYPE_SET, 0,
                                                            GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE));
      gst_object_unref (pad);
    }
  GST_INFO ("source %u: %s", looper->id, sought ? "from its beginning again" : "cannot seek back");
  if (first)
    {
      GST_OBJECT_LOCK (decodebin);
      for (GList *l = decodebin->srcpads; l != NULL; l = l->next)
        {
          gulong block = GPOINTER_TO_SIZE (g_object_steal_data (l->data, "cb-loop-block"));

          if (block != 0)
            gst_pad_remove_probe (l->data, block);
        }
      GST_OBJECT_UNLOCK (decodebin);
    }
  if (!sought)
    cb_program_set_problem_literal (program, b, CB_SOURCE_ERROR_CANNOT_LOOP,
                                    "This file cannot be played in a loop");
  return G_SOURCE_REMOVE;
}

static gboolean
loop_first_seek (gpointer data)
{
  return loop_seek (data, TRUE);
}

static gboolean
loop_next_seek (gpointer data)
{
  return loop_seek (data, FALSE);
}

static void
schedule_loop_seek (GstElement *decodebin,
                    Looper     *looper,
                    gboolean    first)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, first ? loop_first_seek : loop_next_seek, gst_object_ref (decodebin),
                         gst_object_unref);
  g_source_attach (idle, looper->context);
  g_source_unref (idle);
}

/* On each stream the decodebin gives: the ends of the passes. */
static GstPadProbeReturn
on_media_event (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         data)
{
  GstElement *decodebin = data;
  Looper *looper = looper_of (decodebin);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  int seqnum, last;

  if (GST_EVENT_TYPE (event) != GST_EVENT_SEGMENT_DONE)
    return GST_PAD_PROBE_OK;
  GST_DEBUG ("source %u: a pass ends on %s", looper->id, GST_PAD_NAME (pad));
  if (!g_atomic_int_get (&looper->loop))
    {
      GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_eos ();
      gst_event_unref (event);
      return GST_PAD_PROBE_OK;
    }
  /* Each stream ends its pass with the same SEGMENT_DONE: one seek for all. */
  seqnum = (int) gst_event_get_seqnum (event);
  last = g_atomic_int_get (&looper->done_seqnum);
  if (last != seqnum && g_atomic_int_compare_and_exchange (&looper->done_seqnum, last, seqnum))
    schedule_loop_seek (decodebin, looper, FALSE);
  return GST_PAD_PROBE_DROP;
}

/* Stops looping a running media file, or starts it: FALSE when the file must be opened
 * again for that, in its loop from its beginning (it plays or played without one: a seek
 * from here races with its end, which a short file reaches at once, read ahead). */
gboolean
cb_program_looper_set (GstElement *decodebin,
            gboolean    loop)
{
  Looper *looper = looper_of (decodebin);

  if (looper == NULL || g_atomic_int_get (&looper->loop) == loop)
    return TRUE;
  if (!loop)
    {
      g_atomic_int_set (&looper->loop, FALSE);
      return TRUE;
    }
  return FALSE;
}

static void
on_decodebin_pad_added (GstElement *decodebin,
                        GstPad     *pad,
                        gpointer    data)
{
  GstElement *tail = data;
  Looper *looper = looper_of (decodebin);
  GstElement *sound = g_object_get_data (G_OBJECT (decodebin), "cb-sound");
  g_autoptr(GstCaps) caps = gst_pad_query_caps (pad, NULL);
  g_autoptr(GstPad) sink = NULL;
  const char *media;

  if (caps == NULL || gst_caps_is_empty (caps))
    return;
  /* The first picture stream to the picture's tail, the first sound to the sound's. */
  media = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (g_str_has_prefix (media, "video/"))
    sink = gst_element_get_static_pad (tail, "sink");
  else if (g_str_has_prefix (media, "audio/") && sound != NULL)
    sink = gst_element_get_static_pad (sound, "sink");
  if (sink != NULL && !gst_pad_is_linked (sink) && gst_pad_link (pad, sink) == GST_PAD_LINK_OK &&
      looper != NULL)
    {
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_media_event, decodebin, NULL);
      /* In a loop from the start: each stream is held at its first buffer until the first
       * segment seek (a short file is read to its end before a seek from another thread
       * comes, and an EOS cannot be taken back). */
      if (g_atomic_int_get (&looper->loop) && !g_atomic_int_get (&looper->segments))
        {
          gulong block = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_BUFFER_LIST, NULL, NULL, NULL);

          g_object_set_data (G_OBJECT (pad), "cb-loop-block", GSIZE_TO_POINTER (block));
          if (g_atomic_int_compare_and_exchange (&looper->segments, FALSE, TRUE))
            schedule_loop_seek (decodebin, looper, TRUE);
        }
    }
}

/* filesrc ▸ decodebin ▸ @tail_desc, the file's first picture stream on a "src" pad; with
 * @sound_desc, its first sound stream through that on a "sound" pad. */
static GstElement *
decoded_bin (const char  *location,
             const char  *tail_desc,
             const char  *sound_desc,
             GError     **error)
{
  GstElement *bin, *src, *decodebin, *tail, *sound = NULL;
  g_autoptr(GstPad) tail_src = NULL;

  if (!cb_media_have_element ("decodebin", error) ||
      (tail = cb_media_parse_bin (tail_desc, TRUE, error)) == NULL)
    return NULL;
  if (sound_desc != NULL && (sound = cb_media_parse_bin (sound_desc, TRUE, error)) == NULL)
    {
      gst_object_unref (gst_object_ref_sink (tail));
      return NULL;
    }
  bin = gst_bin_new (NULL);
  src = gst_element_factory_make ("filesrc", NULL);
  decodebin = gst_element_factory_make ("decodebin", "decode");
  g_object_set (src, "location", location, NULL);
  gst_bin_add_many (GST_BIN (bin), src, decodebin, tail, NULL);
  gst_element_link (src, decodebin);
  g_signal_connect_object (decodebin, "pad-added", G_CALLBACK (on_decodebin_pad_added), tail, 0);
  tail_src = gst_element_get_static_pad (tail, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", tail_src));
  if (sound != NULL)
    {
      g_autoptr(GstPad) sound_src = gst_element_get_static_pad (sound, "src");

      gst_object_set_name (GST_OBJECT (sound), "sound");
      gst_bin_add (GST_BIN (bin), sound);
      g_object_set_data (G_OBJECT (decodebin), "cb-sound", sound);
      gst_element_add_pad (bin, gst_ghost_pad_new ("sound", sound_src));
    }
  return bin;
}

/* What every sound goes through before the mixer: the fader, the meter, and a tee for
 * the headphones (ensure_monitor()). A live source's queue drops what the mixer is late
 * for; a file's holds it back instead, or it would race through to its end. */
static char *
sound_chain (CbProgram *self,
             gboolean   live)
{
  return g_strdup_printf ("audioconvert ! audioresample ! audio/x-raw,rate=%d,channels=2 ! "
                          "volume name=volume ! level name=level interval=50000000 ! "
                          "tee name=tee allow-not-linked=true "
                          "tee. ! queue max-size-time=200000000 %s", self->rate,
                          live ? "leaky=downstream" : "");
}

/* A Wayland session: ximagesrc would see XWayland's windows only (its DISPLAY), so the
 * screen comes from the portal. */
gboolean
cb_program_is_wayland_session (void)
{
  return g_getenv ("WAYLAND_DISPLAY") != NULL;
}

static GstElement *
find_desktop_monitor (GError **error)
{
  GList *devices = cb_media_list_devices ("Audio/Source");
  GstElement *element = NULL;

  for (GList *l = devices; l != NULL && element == NULL; l = l->next)
    {
      g_autoptr(GstStructure) props = gst_device_get_properties (l->data);

      if (props != NULL && g_strcmp0 (gst_structure_get_string (props, "device.class"), "monitor") == 0)
        element = gst_device_create_element (l->data, NULL);
    }
  g_list_free_full (devices, gst_object_unref);
  if (element == NULL)
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                 "No desktop audio: the sound server shows no monitor of an output");
  return element;
}

/* A videotestsrc pattern by its nick; anything else is the SMPTE bars. */
const char *
cb_program_pattern_name (const CbSceneSource *s)
{
  GType type = g_type_from_name ("GstVideoTestSrcPattern");
  GEnumClass *patterns;
  gboolean known;

  if (type == 0)
    {
      /* The enum is registered when the plugin loads. */
      g_autoptr(GstElementFactory) factory = gst_element_factory_find ("videotestsrc");
      g_autoptr(GstPluginFeature) loaded = factory != NULL
        ? gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory)) : NULL;

      type = g_type_from_name ("GstVideoTestSrcPattern");
    }
  if (s->location[0] == '\0' || type == 0)
    return "smpte";
  patterns = g_type_class_ref (type);
  known = g_enum_get_value_by_nick (patterns, s->location) != NULL;
  g_type_class_unref (patterns);
  return known ? s->location : "smpte";
}

/* Whether a pattern moves. */
static gboolean
pattern_is_animated (const char *pattern)
{
  static const char * const moving[] = { "snow", "blink", "zone-plate", "chroma-zone-plate",
                                         "ball" };

  for (guint i = 0; i < G_N_ELEMENTS (moving); i++)
    if (g_str_equal (pattern, moving[i]))
      return TRUE;
  return FALSE;
}

/* The caps a pattern, a camera, the screen or a media file is made in (its "size"
 * capsfilter): in the compositor's format, at the size it is shown at, so that the
 * compositor neither converts nor scales it (a picture-in-picture pattern made at the
 * output's size and scaled down cost a third of a core at 1080p; a camera is converted
 * and scaled in one pass), at most the output's size. When cropped, the crop's edges are
 * pixels of the source's own picture: a pattern is then made at the output's size, and
 * the others at theirs. A still pattern is drawn 5 times a second, as a still image is,
 * and the compositor repeats it: drawing 1080p bars 30 times a second cost a fifth of
 * what the scene cost. */
static GstCaps *
size_caps (CbProgram           *self,
           const CbSceneSource *s,
           const char          *format)
{
  gboolean cropped = s->crop_left != 0 || s->crop_top != 0 || s->crop_right != 0 ||
                     s->crop_bottom != 0;
  int w = cropped ? self->width : CLAMP ((int) (s->width * self->width), 1, self->width);
  int h = cropped ? self->height : CLAMP ((int) (s->height * self->height), 1, self->height);
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format,
                                       "colorimetry", G_TYPE_STRING, "bt709",
                                       "chroma-site", G_TYPE_STRING, "mpeg2", NULL);

  if (s->kind == CB_SCENE_SOURCE_PATTERN)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
                         "framerate", GST_TYPE_FRACTION,
                         pattern_is_animated (cb_program_pattern_name (s)) ? self->fps : MIN (self->fps, 5), 1,
                         NULL);
  else if (!cropped)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
                         "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  return caps;
}

/* Sets the size caps of @bin's "size" capsfilter, if any, when they changed (the same
 * caps set again would renegotiate too). */
void
cb_program_apply_size (CbProgram           *self,
            GstElement          *bin,
            const CbSceneSource *s,
            const char          *format)
{
  g_autoptr(GstElement) size = bin != NULL ? gst_bin_get_by_name (GST_BIN (bin), "size") : NULL;
  g_autoptr(GstCaps) want = NULL;
  g_autoptr(GstCaps) have = NULL;

  if (size == NULL)
    return;
  want = size_caps (self, s, format);
  g_object_get (size, "caps", &have, NULL);
  if (have == NULL || !gst_caps_is_equal (have, want))
    g_object_set (size, "caps", want, NULL);
}

/* What the screen, a window and the portal's stream go through: a queue (ximagesrc
 * answers a latency no compositor can meet, max below min; the queue's unbounded max
 * settles it, and it drops what is late), then converted and scaled to their box in the
 * compositor's format by the "size" capsfilter (cb_program_apply_size()), as a camera is. Through RGB
 * first: GStreamer 1.22 converts BGRx to AYUV with the padding byte as the alpha (0 from
 * an X server: an invisible capture), even with alpha-mode=set. */
/* The screen source where there is no X11 display (Windows). */
#define DESKTOP_DUPLICATION "d3d11screencapturesrc"

static char *
capture_tail (void)
{
  return g_strdup_printf ("queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
                          "videoconvert ! video/x-raw,format=RGB ! %s ! capsfilter name=size",
                          cb_media_convert_scale ());
}

/* Whether the source captures through the desktop portal: the portal kind, and the
 * screen in a Wayland session. */
gboolean
cb_program_uses_portal (const CbSceneSource *s)
{
  return s->kind == CB_SCENE_SOURCE_PORTAL ||
         (s->kind == CB_SCENE_SOURCE_SCREEN && cb_program_is_wayland_session ());
}


/* ximagesrc of the window the source names (found by its title and class), watched so
 * that its closing takes the source out rather than capturing nothing. */
static GstElement *
window_bin (CbProgram            *self,
            Branch               *b,
            const CbSceneSource  *s,
            const char           *format,
            GError              **error)
{
  g_autoptr(GPtrArray) windows = NULL;
  g_autofree char *tail = capture_tail ();
  g_autofree char *desc = NULL;
  const CbX11Window *w;
  GstElement *bin;

  if (!cb_media_have_element ("ximagesrc", error))
    return NULL;
  if (self->windows == NULL &&
      (self->windows = cb_x11_watch_new (cb_program_on_window_closed, self, error)) == NULL)
    return NULL;
  if ((windows = cb_x11_windows_list (NULL, error)) == NULL)
    return NULL;
  w = cb_x11_windows_match (windows, s->window_class, s->location);
  /* Found, and still there once watched: one that closes later is reported. */
  if (w == NULL || !cb_x11_watch_add (self->windows, w->xid))
    {
      g_set_error (error, CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_WINDOW_NOT_FOUND,
                   "No window “%s” to capture", s->location);
      return NULL;
    }
  b->xid = w->xid;
  /* Not XDamage: it misses what a compositing window manager draws. */
  desc = g_strdup_printf ("ximagesrc name=capture xid=%" G_GUINT64_FORMAT " use-damage=false "
                          "show-pointer=%s ! capsfilter caps=\"video/x-raw,framerate=%d/1\" ! %s",
                          w->xid, s->cursor ? "true" : "false", self->fps, tail);
  bin = cb_media_parse_bin (desc, TRUE, error);
  cb_program_apply_size (self, bin, s, format);
  return bin;
}

/* pipewiresrc on the PipeWire remote and node the portal gave. */
static GstElement *
portal_bin (CbProgram            *self,
            Branch               *b,
            const CbSceneSource  *s,
            const char           *format,
            GError              **error)
{
  g_autofree char *node = g_strdup_printf ("%u", cb_screencast_get_node (b->screencast));
  g_autofree char *tail = capture_tail ();
  GstElement *device, *bin;
  int fd;

  if (!cb_media_have_element ("pipewiresrc", error))
    return NULL;
  /* pipewiresrc keeps the fd it is given; the session keeps the portal's. */
  fd = fcntl (cb_screencast_get_fd (b->screencast), F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "Cannot use the portal's PipeWire connection: %s", g_strerror (errno));
      return NULL;
    }
  device = gst_element_factory_make ("pipewiresrc", "capture");
  /* always-copy: a frame is copied out of PipeWire's memory. Without it, frames still
   * queued here when PipeWire takes its buffers back (when the stream is linked and its
   * format set again) are read after they are gone: videoconvert crashed on them, seen
   * with PipeWire 0.3.65 in the capture-portal-granted test. */
  g_object_set (device, "fd", fd, "path", node, "do-timestamp", TRUE, "always-copy", TRUE, NULL);
  bin = bin_with_device (device, tail, error);
  cb_program_apply_size (self, bin, s, format);
  return bin;
}

/* @format: what the compositor composes in, for the kinds it takes as they are (text and
 * images are always made in LAYER_FORMAT) */
GstElement *
cb_program_make_video_bin (CbProgram            *self,
                Branch               *b,
                const CbSceneSource  *s,
                const char           *format,
                GError              **error)
{
  g_autofree char *desc = NULL;
  GstElement *bin = NULL;
  g_autoptr(GstElement) named = NULL;

  switch (s->kind)
    {
    case CB_SCENE_SOURCE_PATTERN:
      desc = g_strdup_printf ("videotestsrc name=pattern is-live=true pattern=%s ! "
                              "capsfilter name=size", cb_program_pattern_name (s));
      bin = cb_media_parse_bin (desc, TRUE, error);
      cb_program_apply_size (self, bin, s, format);
      return bin;
    case CB_SCENE_SOURCE_IMAGE:
    case CB_SCENE_SOURCE_MEDIA:
      if (!g_file_test (s->location, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND,
                       "File not found: %s", s->location);
          return NULL;
        }
      /* A still image is repeated a few times a second: the compositor keeps the last
       * frame of a pad between them. Not live: the compositor paces it, and drops what a
       * late start made late (a live imagefreeze that starts late stays late, unseen). */
      if (s->kind == CB_SCENE_SOURCE_MEDIA)
        {
          g_autofree char *sound = sound_chain (self, FALSE);
          g_autofree char *tail = g_strdup_printf ("queue ! %s ! capsfilter name=size",
                                                   cb_media_convert_scale ());

          /* Its sound goes to the mixer, with a strip of its own. */
          bin = decoded_bin (s->location, tail, sound, error);
          cb_program_apply_size (self, bin, s, format);
          if (bin != NULL)
            {
              Looper *looper = g_new0 (Looper, 1);

              g_weak_ref_init (&looper->program, self);
              looper->context = g_main_context_ref (self->context);
              looper->id = s->id;
              looper->loop = s->loop;
              named = gst_bin_get_by_name (GST_BIN (bin), "decode");
              g_object_set_data_full (G_OBJECT (named), "cb-looper", looper, looper_free);
            }
          return bin;
        }
      return decoded_bin (s->location,
                          "videoconvert ! video/x-raw,format=" LAYER_FORMAT "," COLOR_FIELDS " ! imagefreeze ! "
                          "capsfilter caps=\"video/x-raw,framerate=5/1\"",
                          NULL, error);
    case CB_SCENE_SOURCE_TEXT:
      {
        int w = MAX (16, (int) (s->width * self->width)) & ~1;
        int h = MAX (16, (int) (s->height * self->height)) & ~1;

        desc = g_strdup_printf ("videotestsrc is-live=true pattern=solid-color foreground-color=0 ! "
                                "video/x-raw,format=BGRA,width=%d,height=%d,framerate=5/1 ! "
                                "textoverlay name=text halignment=left valignment=top xpad=0 ypad=0 auto-resize=false "
                                "shaded-background=false draw-shadow=false wait-text=false ! "
                                "videoconvert ! capsfilter name=out caps=video/x-raw,format=" LAYER_FORMAT "," COLOR_FIELDS,
                                w, h);
        /* Only the picture is ghosted: a linked text pad would make textoverlay wait for
         * text buffers and ignore its "text". Converted here, 5 times a second, rather
         * than by the compositor for every output frame. */
        bin = cb_media_parse_bin (desc, FALSE, error);
        if (bin != NULL)
          {
            g_autoptr(GstPad) text_src = NULL;

            named = gst_bin_get_by_name (GST_BIN (bin), "text");
            g_object_set (named, "text", s->text, "font-desc", s->font, "color", s->color, NULL);
            gst_clear_object (&named);
            named = gst_bin_get_by_name (GST_BIN (bin), "out");
            text_src = gst_element_get_static_pad (named, "src");
            gst_element_add_pad (bin, gst_ghost_pad_new ("src", text_src));
          }
        return bin;
      }
    case CB_SCENE_SOURCE_CAMERA:
      {
        GstElement *device = cb_device_create_element (CB_MEDIA_VIDEO,
                                                       s->location[0] ? s->location : NULL,
                                                       error);
        g_autofree char *tail = g_strdup_printf ("%s ! capsfilter name=size", cb_media_convert_scale ());

        if (device == NULL)
          return NULL;
        bin = bin_with_device (device, tail, error);
        cb_program_apply_size (self, bin, s, format);
        return bin;
      }
    case CB_SCENE_SOURCE_PORTAL:
      return portal_bin (self, b, s, format, error);
    case CB_SCENE_SOURCE_WINDOW:
      return window_bin (self, b, s, format, error);
    case CB_SCENE_SOURCE_SCREEN:
      if (cb_program_uses_portal (s))
        return portal_bin (self, b, s, format, error);
      {
        g_autofree char *tail = capture_tail ();

        if (g_getenv ("DISPLAY") != NULL)
          {
            if (!cb_media_have_element ("ximagesrc", error))
              return NULL;
            desc = g_strdup_printf ("ximagesrc name=capture use-damage=false show-pointer=%s ! "
                                    "capsfilter caps=\"video/x-raw,framerate=%d/1\" ! %s",
                                    s->cursor ? "true" : "false", self->fps, tail);
          }
        else if (cb_media_have_element (DESKTOP_DUPLICATION, NULL))
          /* Windows: DXGI Desktop Duplication of the primary monitor (GStreamer's d3d11
           * plugin), its frames brought to system memory by the caps. */
          desc = g_strdup_printf (DESKTOP_DUPLICATION " name=capture monitor-index=-1 "
                                  "show-cursor=%s ! "
                                  "capsfilter caps=\"video/x-raw,framerate=%d/1\" ! %s",
                                  s->cursor ? "true" : "false", self->fps, tail);
        else
          {
            g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                         "No screen to capture");
            return NULL;
          }
      }
      bin = cb_media_parse_bin (desc, TRUE, error);
      cb_program_apply_size (self, bin, s, format);
      return bin;
    default:
      g_assert_not_reached ();
    }
}

/* @inner (taken) followed by a videocrop named "crop", which passes frames through
 * untouched while nothing is cut off. */
GstElement *
cb_program_with_crop (GstElement  *inner,
           GError     **error)
{
  GstElement *bin, *crop;
  g_autoptr(GstPad) crop_src = NULL;

  if (inner == NULL)
    return NULL;
  if (!cb_media_have_element ("videocrop", error))
    {
      gst_object_unref (gst_object_ref_sink (inner));
      return NULL;
    }
  bin = gst_bin_new (NULL);
  crop = gst_element_factory_make ("videocrop", "crop");
  gst_bin_add_many (GST_BIN (bin), inner, crop, NULL);
  gst_element_link (inner, crop);
  crop_src = gst_element_get_static_pad (crop, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", crop_src));
  {
    g_autoptr(GstPad) sound = gst_element_get_static_pad (inner, "sound");

    if (sound != NULL)
      gst_element_add_pad (bin, gst_ghost_pad_new ("sound", sound));
  }
  return bin;
}

GstElement *
cb_program_make_audio_bin (CbProgram            *self,
                           const CbSceneSource  *s,
                           guint64              *app_serial,
                           GError              **error)
{
  g_autofree char *chain = sound_chain (self, TRUE);
  g_autofree char *desc = NULL;
  GstElement *device = NULL;

  switch (s->kind)
    {
    case CB_SCENE_SOURCE_TONE:
      desc = g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=440 volume=0.1 ! %s",
                              chain);
      return cb_media_parse_bin (desc, TRUE, error);
    case CB_SCENE_SOURCE_MIC:
      device = cb_device_create_element (CB_MEDIA_AUDIO, s->location[0] ? s->location : NULL,
                                         error);
      break;
    case CB_SCENE_SOURCE_DESKTOP:
      device = find_desktop_monitor (error);
      break;
    case CB_SCENE_SOURCE_APP_AUDIO:
      /* The list the watch just got, when it is the one attaching it. */
      device = cb_app_audio_make_source (s->location, self->apps_now, app_serial, error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (device == NULL)
    return NULL;
  return bin_with_device (device, chain, error);
}

