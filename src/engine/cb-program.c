/* cb-program.c — scenes composed and audio mixed into one picture and one track
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   source bins ─▶ compositor (the scene on program) ─▶ capsfilter ─▶ input-selector ─▶ "video"
 *   audio bins (volume ▸ level ▸ tee ▸ [monitor]) ─▶ audiomixer ▸ level ─▶ "audio"
 *
 * The bin goes into a CbLocalSource, which encodes "video" and "audio" once and
 * publishes them. A scene switch starts the new scene's compositor and sources beside the
 * old ones, moves the selector's active pad to it, then takes the old scene's out: only
 * the scene on program costs CPU, and the encoder only sees its input change.
 * Sources are added and removed while the pipeline runs; one that fails is taken out
 * and its problem kept, so a missing camera is a line in the GUI, not a dead stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "cb-engine-error.h"
#include "cb-program.h"
#include "cb-screencast-portal.h"
#include "cb-x11-windows.h"

/* What a compositor composes in. I420, what the encoder takes, when every text and image
 * of the scene is above its other sources: those are drawn over the composed frame
 * afterwards, each the size of its box, with their alpha (an I420 compositor takes no
 * alpha), and nothing converts the 1080p frame. AYUV otherwise (a text under a camera),
 * where the alpha of text and images survives in the compositor. Every video source hands
 * its frames over in the compositor's format: anything else, the compositor converts on
 * every output frame, and a source with no format asked for gets ABGR64 (the first the
 * compositor offers), which made a 1080p pattern cost over half a core in conversions. */
#define COMPOSE_OPAQUE "I420"
#define COMPOSE_ALPHA  "AYUV"
/* What text and images are made in, whichever way they are drawn. */
#define LAYER_FORMAT   COMPOSE_ALPHA
/* One colorimetry for the compositor and everything it takes: a pad whose colorimetry
 * differs from the output's (a 480x270 picture defaults to BT.601, 1080p to BT.709, and
 * the compositor picked BT.601 with JPEG chroma) is converted on every frame, which cost
 * more than the composing. */
#define COLOR_FIELDS   "colorimetry=bt709,chroma-site=mpeg2"

GST_DEBUG_CATEGORY_STATIC (cb_program_debug);
#define GST_CAT_DEFAULT cb_program_debug

/* The text and images a scene composed in I420 draws over each composed frame, bottom
 * first. Shared by the scene's compositor, its src pad probe and the sources' appsinks;
 * the lock is held while a frame is drawn on. */
typedef struct {
  GMutex        lock;
  GPtrArray    *layers;     /* Layer */
} Overlays;

typedef struct {
  guint                     id;
  guint                     zorder;
  int                       x, y, width, height;
  gboolean                  visible;
  GstBuffer                *pixels;  /* the source's last frame, AYUV with a video meta */
  GstVideoOverlayRectangle *rect;    /* made from it for the box; NULL after a change */
} Layer;

typedef struct {
  guint       id;
  GstElement *bin;          /* in the program bin; NULL while left out */
  Overlays   *overlays;     /* drawn as a layer of these rather than through a mixer pad */
  GstPad     *mixer_pad;    /* compositor or audiomixer request pad */
  GstPad     *sound_pad;    /* a media file's sound: its audiomixer request pad */
  GstElement *monitor;      /* audio: the headphone branch, made on first use */
  GError     *problem;
  guint64     xid;          /* a window source: the window captured, 0 while none */
  GCancellable *asking;     /* a portal source: the request in flight */
  CbScreencast *screencast; /* a portal source: the capture the portal allowed */
} Branch;

struct _CbProgram
{
  GObject            parent_instance;

  CbSceneCollection *collection;
  CbLocalSource     *capture;
  GstElement        *bin;
  GstElement        *selector;
  /* Per scene; NULL for a scene that is not on program: only the active scene's
   * sources run and its compositor composes, the others cost nothing until switched to. */
  GPtrArray         *compositors;    /* GstElement */
  GPtrArray         *selector_pads;  /* GstPad */
  GstElement        *mixer;
  GHashTable        *branches;       /* id → Branch */
  GMainContext      *context;        /* where it was made: the engine's */
  CbX11Watch        *windows;        /* made for the first window source */
  int                width, height, fps, rate;
};

G_DEFINE_FINAL_TYPE (CbProgram, cb_program, G_TYPE_OBJECT)

enum {
  SIGNAL_LEVEL,
  SIGNAL_PROBLEM_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- layers drawn over an I420 scene -------------------------------------------- */

static void
layer_free (gpointer data)
{
  Layer *layer = data;

  gst_clear_buffer (&layer->pixels);
  g_clear_pointer (&layer->rect, gst_video_overlay_rectangle_unref);
  g_free (layer);
}

static Overlays *
overlays_new (void)
{
  Overlays *o = g_atomic_rc_box_new0 (Overlays);

  g_mutex_init (&o->lock);
  o->layers = g_ptr_array_new_with_free_func (layer_free);
  return o;
}

static void
overlays_clear (gpointer data)
{
  Overlays *o = data;

  g_ptr_array_unref (o->layers);
  g_mutex_clear (&o->lock);
}

static void
overlays_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, overlays_clear);
}

/* With the lock held. */
static Layer *
overlays_find (Overlays *o,
               guint     id)
{
  for (guint i = 0; i < o->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (o->layers, i);

      if (layer->id == id)
        return layer;
    }
  return NULL;
}

static int
compare_layers (gconstpointer a,
                gconstpointer b)
{
  const Layer *la = *(const Layer * const *) a, *lb = *(const Layer * const *) b;

  return la->zorder < lb->zorder ? -1 : la->zorder > lb->zorder;
}

/* The layer's box and place; made when first asked for. */
static void
overlays_set_box (Overlays *o,
                  guint     id,
                  guint     zorder,
                  int       x,
                  int       y,
                  int       width,
                  int       height,
                  gboolean  visible)
{
  Layer *layer;

  g_mutex_lock (&o->lock);
  layer = overlays_find (o, id);
  if (layer == NULL)
    {
      layer = g_new0 (Layer, 1);
      layer->id = id;
      g_ptr_array_add (o->layers, layer);
    }
  if (layer->x != x || layer->y != y || layer->width != width || layer->height != height)
    g_clear_pointer (&layer->rect, gst_video_overlay_rectangle_unref);
  layer->x = x;
  layer->y = y;
  layer->width = width;
  layer->height = height;
  layer->visible = visible;
  layer->zorder = zorder;
  g_ptr_array_sort (o->layers, compare_layers);
  g_mutex_unlock (&o->lock);
}

static void
overlays_remove (Overlays *o,
                 guint     id)
{
  Layer *layer;

  g_mutex_lock (&o->lock);
  layer = overlays_find (o, id);
  if (layer != NULL)
    g_ptr_array_remove (o->layers, layer);
  g_mutex_unlock (&o->lock);
}

/* A source's appsink (its layer's id in "cb-id"): its new frame. A still image repeats the
 * same memory, which needs nothing new. */
static GstFlowReturn
on_layer_sample (GstAppSink *appsink,
                 gpointer    data)
{
  Overlays *overlays = data;
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (appsink), "cb-id"));
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (appsink);
  GstBuffer *buffer = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  GstCaps *caps = sample != NULL ? gst_sample_get_caps (sample) : NULL;
  GstVideoMeta *meta;
  GstVideoInfo info;
  GstBuffer *pixels;
  Layer *layer;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_AYUV || gst_buffer_n_memory (buffer) == 0)
    return GST_FLOW_OK;
  g_mutex_lock (&overlays->lock);
  layer = overlays_find (overlays, id);
  if (layer != NULL && layer->pixels != NULL &&
      gst_buffer_n_memory (layer->pixels) == gst_buffer_n_memory (buffer) &&
      gst_buffer_peek_memory (layer->pixels, 0) == gst_buffer_peek_memory (buffer, 0))
    layer = NULL;
  g_mutex_unlock (&overlays->lock);
  if (layer == NULL)
    return GST_FLOW_OK;

  /* The same memory, with the video meta an overlay rectangle wants. */
  pixels = gst_buffer_copy_region (buffer, GST_BUFFER_COPY_MEMORY, 0, -1);
  meta = gst_buffer_get_video_meta (buffer);
  if (meta != NULL)
    gst_buffer_add_video_meta_full (pixels, GST_VIDEO_FRAME_FLAG_NONE, meta->format,
                                    meta->width, meta->height, meta->n_planes, meta->offset,
                                    meta->stride);
  else
    gst_buffer_add_video_meta_full (pixels, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_AYUV,
                                    GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                                    1, info.offset, info.stride);

  g_mutex_lock (&overlays->lock);
  layer = overlays_find (overlays, id);
  if (layer != NULL)
    {
      gst_buffer_replace (&layer->pixels, pixels);
      g_clear_pointer (&layer->rect, gst_video_overlay_rectangle_unref);
    }
  g_mutex_unlock (&overlays->lock);
  gst_buffer_unref (pixels);
  return GST_FLOW_OK;
}

/* On the compositor's src pad: each composed frame gets the visible layers drawn on it,
 * only where their boxes are. */
static GstPadProbeReturn
draw_overlays (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         data)
{
  Overlays *o = data;
  GstVideoOverlayComposition *composition = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstVideoInfo video;
  GstVideoFrame frame;
  GstBuffer *buffer;

  g_mutex_lock (&o->lock);
  for (guint i = 0; i < o->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (o->layers, i);

      if (!layer->visible || layer->pixels == NULL || layer->width <= 0 || layer->height <= 0)
        continue;
      if (layer->rect == NULL)
        layer->rect = gst_video_overlay_rectangle_new_raw (layer->pixels, layer->x, layer->y,
                                                           layer->width, layer->height,
                                                           GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE);
      if (composition == NULL)
        composition = gst_video_overlay_composition_new (layer->rect);
      else
        gst_video_overlay_composition_add_rectangle (composition, layer->rect);
    }
  if (composition != NULL && (caps = gst_pad_get_current_caps (pad)) != NULL &&
      gst_video_info_from_caps (&video, caps))
    {
      buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
      GST_PAD_PROBE_INFO_DATA (info) = buffer;
      if (gst_video_frame_map (&frame, &video, buffer, GST_MAP_READWRITE))
        {
          gst_video_overlay_composition_blend (composition, &frame);
          gst_video_frame_unmap (&frame);
        }
    }
  g_mutex_unlock (&o->lock);
  if (composition != NULL)
    gst_video_overlay_composition_unref (composition);
  return GST_PAD_PROBE_OK;
}

/* The layers of a compositor that composes in I420, or NULL. */
static Overlays *
overlays_of (GstElement *compositor)
{
  return compositor != NULL ? g_object_get_data (G_OBJECT (compositor), "cb-overlays") : NULL;
}

static const char *
compose_format (GstElement *compositor)
{
  return overlays_of (compositor) != NULL ? COMPOSE_OPAQUE : COMPOSE_ALPHA;
}

static gboolean
is_layer_kind (CbSceneSourceKind kind)
{
  return kind == CB_SCENE_SOURCE_TEXT || kind == CB_SCENE_SOURCE_IMAGE;
}

/* Whether @scene can be composed in I420: none of its texts and images is below another
 * kind of source (hidden ones count, so that showing one changes nothing). */
static gboolean
scene_is_opaque_below (CbScene *scene)
{
  gboolean layer_seen = FALSE;

  for (guint i = 0; i < scene->sources->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i);

      if (is_layer_kind (s->kind))
        layer_seen = TRUE;
      else if (layer_seen)
        return FALSE;
    }
  return TRUE;
}

static void
branch_free (gpointer data)
{
  Branch *b = data;

  gst_clear_object (&b->mixer_pad);
  gst_clear_object (&b->sound_pad);
  gst_clear_object (&b->bin);
  gst_clear_object (&b->monitor);
  g_clear_pointer (&b->overlays, overlays_unref);
  g_clear_error (&b->problem);
  if (b->asking != NULL)
    g_cancellable_cancel (b->asking);
  g_clear_object (&b->asking);
  g_clear_pointer (&b->screencast, cb_screencast_free);
  g_free (b);
}

static void
cb_program_dispose (GObject *object)
{
  CbProgram *self = CB_PROGRAM (object);

  if (self->capture != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->capture, self);
      cb_local_source_stop (self->capture);
    }
  g_clear_object (&self->capture);
  g_clear_pointer (&self->branches, g_hash_table_unref);
  g_clear_pointer (&self->windows, cb_x11_watch_free);
  g_clear_pointer (&self->compositors, g_ptr_array_unref);
  g_clear_pointer (&self->selector_pads, g_ptr_array_unref);
  gst_clear_object (&self->selector);
  gst_clear_object (&self->mixer);
  gst_clear_object (&self->bin);
  G_OBJECT_CLASS (cb_program_parent_class)->dispose (object);
}

static void
cb_program_finalize (GObject *object)
{
  CbProgram *self = CB_PROGRAM (object);

  cb_scene_collection_free (self->collection);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (cb_program_parent_class)->finalize (object);
}

static void
cb_program_class_init (CbProgramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_program_dispose;
  object_class->finalize = cb_program_finalize;

  signals[SIGNAL_LEVEL] =
    g_signal_new ("level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[SIGNAL_PROBLEM_CHANGED] =
    g_signal_new ("problem-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  GST_DEBUG_CATEGORY_INIT (cb_program_debug, "cb-program", 0, "Castbridge scenes");
}

static void
unref_element (gpointer object)
{
  if (object != NULL)
    gst_object_unref (object);
}

static void
cb_program_init (CbProgram *self)
{
  self->branches = g_hash_table_new_full (NULL, NULL, NULL, branch_free);
  self->compositors = g_ptr_array_new_with_free_func (unref_element);
  self->selector_pads = g_ptr_array_new_with_free_func (unref_element);
  self->width = 1280;
  self->height = 720;
  self->fps = 30;
  self->rate = 48000;
  self->context = g_main_context_ref_thread_default ();
}

/* ---- source bins ----------------------------------------------------------- */

/* @problem: NULL when the source works */
static void
set_problem (CbProgram    *self,
             Branch       *b,
             const GError *problem)
{
  if (problem == NULL ? b->problem == NULL
                      : b->problem != NULL && g_error_matches (b->problem, problem->domain, problem->code) &&
                        g_str_equal (b->problem->message, problem->message))
    return;
  g_clear_error (&b->problem);
  b->problem = problem != NULL ? g_error_copy (problem) : NULL;
  g_signal_emit (self, signals[SIGNAL_PROBLEM_CHANGED], 0, b->id);
}

static void
set_problem_literal (CbProgram  *self,
                     Branch     *b,
                     const char *message)
{
  g_autoptr(GError) problem = g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, message);

  set_problem (self, b, problem);
}

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
    set_problem_literal (program, b, "This file cannot be played in a loop");
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
static gboolean
looper_set (GstElement *decodebin,
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
static gboolean
is_wayland_session (void)
{
  return g_getenv ("WAYLAND_DISPLAY") != NULL;
}

static GstElement *
find_desktop_monitor (GError **error)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices;
  GstElement *element = NULL;

  gst_device_monitor_add_filter (monitor, "Audio/Source", NULL);
  devices = gst_device_monitor_get_devices (monitor);
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
static const char *
pattern_name (const CbSceneSource *s)
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
                         pattern_is_animated (pattern_name (s)) ? self->fps : MIN (self->fps, 5), 1,
                         NULL);
  else if (!cropped)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
                         "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  return caps;
}

/* Sets the size caps of @bin's "size" capsfilter, if any, when they changed (the same
 * caps set again would renegotiate too). */
static void
apply_size (CbProgram           *self,
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
 * compositor's format by the "size" capsfilter (apply_size()), as a camera is. Through RGB
 * first: GStreamer 1.22 converts BGRx to AYUV with the padding byte as the alpha (0 from
 * an X server: an invisible capture), even with alpha-mode=set. */
static char *
capture_tail (void)
{
  return g_strdup_printf ("queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
                          "videoconvert ! video/x-raw,format=RGB ! %s ! capsfilter name=size",
                          cb_media_convert_scale ());
}

/* Whether the source captures through the desktop portal: the portal kind, and the
 * screen in a Wayland session. */
static gboolean
uses_portal (const CbSceneSource *s)
{
  return s->kind == CB_SCENE_SOURCE_PORTAL ||
         (s->kind == CB_SCENE_SOURCE_SCREEN && is_wayland_session ());
}

static void on_window_closed (guint64  xid,
                              gpointer data);

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
      (self->windows = cb_x11_watch_new (on_window_closed, self, error)) == NULL)
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
  apply_size (self, bin, s, format);
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
  g_object_set (device, "fd", fd, "path", node, "do-timestamp", TRUE, NULL);
  bin = bin_with_device (device, tail, error);
  apply_size (self, bin, s, format);
  return bin;
}

/* @format: what the compositor composes in, for the kinds it takes as they are (text and
 * images are always made in LAYER_FORMAT) */
static GstElement *
make_video_bin (CbProgram            *self,
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
                              "capsfilter name=size", pattern_name (s));
      bin = cb_media_parse_bin (desc, TRUE, error);
      apply_size (self, bin, s, format);
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
          apply_size (self, bin, s, format);
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
        apply_size (self, bin, s, format);
        return bin;
      }
    case CB_SCENE_SOURCE_PORTAL:
      return portal_bin (self, b, s, format, error);
    case CB_SCENE_SOURCE_WINDOW:
      return window_bin (self, b, s, format, error);
    case CB_SCENE_SOURCE_SCREEN:
      if (uses_portal (s))
        return portal_bin (self, b, s, format, error);
      if (g_getenv ("DISPLAY") == NULL)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NO_DEVICE,
                       "No screen to capture");
          return NULL;
        }
      if (!cb_media_have_element ("ximagesrc", error))
        return NULL;
      {
        g_autofree char *tail = capture_tail ();

        desc = g_strdup_printf ("ximagesrc name=capture use-damage=false show-pointer=%s ! "
                                "capsfilter caps=\"video/x-raw,framerate=%d/1\" ! %s",
                                s->cursor ? "true" : "false", self->fps, tail);
      }
      bin = cb_media_parse_bin (desc, TRUE, error);
      apply_size (self, bin, s, format);
      return bin;
    default:
      g_assert_not_reached ();
    }
}

/* @inner (taken) followed by a videocrop named "crop", which passes frames through
 * untouched while nothing is cut off. */
static GstElement *
with_crop (GstElement  *inner,
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

static GstElement *
make_audio_bin (CbProgram            *self,
                const CbSceneSource  *s,
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
    default:
      g_assert_not_reached ();
    }
  if (device == NULL)
    return NULL;
  return bin_with_device (device, chain, error);
}

static void
apply_video_box (CbProgram           *self,
                 Branch              *b,
                 const CbSceneSource *s,
                 guint                zorder)
{
  int x = (int) (s->x * self->width), y = (int) (s->y * self->height);
  int w = MAX (1, (int) (s->width * self->width)), h = MAX (1, (int) (s->height * self->height));
  /* The bottom source, when it is opaque and covers the whole picture, is copied rather
   * than blended over the background: the same picture, 4 ms less per 1080p frame. */
  gboolean covers = zorder == 0 && s->kind == CB_SCENE_SOURCE_PATTERN && s->visible &&
                    x <= 0 && y <= 0 && x + w >= self->width && y + h >= self->height;

  if (b->overlays != NULL)
    overlays_set_box (b->overlays, b->id, zorder, x, y, w, h, s->visible);
  else if (b->mixer_pad != NULL)
    {
      g_object_set (b->mixer_pad,
                    "xpos", x,
                    "ypos", y,
                    "width", w,
                    "height", h,
                    "alpha", s->visible ? 1.0 : 0.0,
                    "zorder", zorder + 1,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (b->mixer_pad), "operator", covers ? "source" : "over");
      if (s->kind == CB_SCENE_SOURCE_IMAGE || s->kind == CB_SCENE_SOURCE_MEDIA)
        g_object_set (b->mixer_pad, "repeat-after-eos", TRUE, NULL);
    }
  else
    return;
  if (b->bin != NULL)
    {
      g_autoptr(GstElement) crop = gst_bin_get_by_name (GST_BIN (b->bin), "crop");

      /* videocrop renegotiates on a change; setting what it has would too. */
      if (crop != NULL)
        {
          int left, top, right, bottom;

          g_object_get (crop, "left", &left, "top", &top, "right", &right, "bottom", &bottom, NULL);
          if ((guint) left != s->crop_left || (guint) top != s->crop_top ||
              (guint) right != s->crop_right || (guint) bottom != s->crop_bottom)
            g_object_set (crop, "left", (int) s->crop_left, "top", (int) s->crop_top,
                          "right", (int) s->crop_right, "bottom", (int) s->crop_bottom, NULL);
        }
    }
}

static void
apply_audio (Branch              *b,
             const CbSceneSource *s)
{
  g_autoptr(GstElement) volume = NULL;
  g_autoptr(GstElement) valve = NULL;

  if (b->bin == NULL)
    return;
  volume = gst_bin_get_by_name (GST_BIN (b->bin), "volume");
  if (volume != NULL)
    g_object_set (volume, "volume", s->volume, "mute", s->muted, NULL);
  if (b->monitor != NULL)
    {
      valve = gst_bin_get_by_name (GST_BIN (b->monitor), "valve");
      g_object_set (valve, "drop", !s->monitor, NULL);
    }
}

/* Headphones: a branch off the source's tee to the default output, made the first time
 * monitoring is asked for (most sources are never monitored). */
static void
ensure_monitor (CbProgram           *self,
                Branch              *b,
                const CbSceneSource *s)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *monitor;

  if (!s->monitor || b->monitor != NULL || b->bin == NULL)
    return;
  monitor = cb_media_parse_bin ("queue max-size-time=200000000 leaky=downstream ! "
                                "valve name=valve ! audioconvert ! audioresample ! "
                                "autoaudiosink name=out sync=false", TRUE, &error);
  if (monitor == NULL)
    {
      set_problem (self, b, error);
      return;
    }
  /* Open the output first, on its own: with no sound device a sink that fails inside the
   * running program stalls it. */
  {
    g_autoptr(GstElement) out = gst_bin_get_by_name (GST_BIN (monitor), "out");

    if (gst_element_set_state (out, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
      {
        gst_element_set_state (monitor, GST_STATE_NULL);
        gst_object_unref (gst_object_ref_sink (monitor));
        set_problem_literal (self, b, "Cannot play it in the headphones: no output device");
        return;
      }
  }
  gst_object_set_name (GST_OBJECT (monitor), "monitor");
  /* A sink added to a running pipeline prerolls on its own: without this its state
   * change would take the whole program back to PAUSED, meters and stream with it. */
  g_object_set (monitor, "async-handling", TRUE, NULL);
  tee = gst_bin_get_by_name (GST_BIN (b->bin), "tee");
  /* Beside the tee: a media file's is a bin further down. */
  {
    g_autoptr(GstObject) parent = gst_object_get_parent (GST_OBJECT (tee));

    gst_bin_add (GST_BIN (parent), monitor);
  }
  b->monitor = gst_object_ref (monitor);
  tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  sink_pad = gst_element_get_static_pad (monitor, "sink");
  gst_pad_link (tee_pad, sink_pad);
  gst_element_sync_state_with_parent (monitor);
}

/* Takes a branch out of the running pipeline: its mixer pad first, so that nothing
 * waits on it, then its elements. */
static void
branch_detach (CbProgram *self,
               Branch    *b)
{
  g_autoptr(GstElement) bin = g_steal_pointer (&b->bin);
  GstPad *pads[] = { g_steal_pointer (&b->mixer_pad), g_steal_pointer (&b->sound_pad) };

  gst_clear_object (&b->monitor);
  if (b->overlays != NULL)
    {
      overlays_remove (b->overlays, b->id);
      g_clear_pointer (&b->overlays, overlays_unref);
    }
  if (b->xid != 0 && self->windows != NULL)
    cb_x11_watch_remove (self->windows, b->xid);
  b->xid = 0;
  /* A portal's question goes unanswered, and its capture ends with the source's. */
  if (b->asking != NULL)
    g_cancellable_cancel (b->asking);
  g_clear_object (&b->asking);
  g_clear_pointer (&b->screencast, cb_screencast_free);
  for (guint i = 0; i < G_N_ELEMENTS (pads); i++)
    {
      g_autoptr(GstPad) pad = pads[i];
      g_autoptr(GstElement) mixer = pad != NULL ? gst_pad_get_parent_element (pad) : NULL;
      g_autoptr(GstPad) peer = pad != NULL ? gst_pad_get_peer (pad) : NULL;

      if (peer != NULL)
        gst_pad_unlink (peer, pad);
      if (mixer != NULL)
        gst_element_release_request_pad (mixer, pad);
    }
  if (bin == NULL)
    return;
  gst_element_set_locked_state (bin, TRUE);
  gst_element_set_state (bin, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self->bin), bin);
}

static GstClockTime
running_time (CbProgram *self)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (self->bin);

  if (clock == NULL)
    return 0;
  return gst_clock_get_time (clock) - gst_element_get_base_time (self->bin);
}

static void branch_attach (CbProgram           *self,
                           const CbSceneSource *s,
                           GstElement          *mixer,
                           guint                zorder);
static gboolean locate (CbProgram *self,
                        guint      id,
                        guint     *scene_index,
                        guint     *index);

static void
on_window_closed (guint64  xid,
                  gpointer data)
{
  CbProgram *self = data;
  g_autoptr(GError) closed = g_error_new_literal (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_WINDOW_CLOSED,
                                                  "The window was closed");
  g_autoptr(GList) branches = g_hash_table_get_values (self->branches);

  /* A list of its own: what the "problem-changed" handlers do cannot upset it. */
  for (GList *l = branches; l != NULL; l = l->next)
    {
      Branch *b = l->data;

      if (b->xid != xid)
        continue;
      GST_INFO ("source %u: its window 0x%" G_GINT64_MODIFIER "x closed", b->id, xid);
      b->xid = 0;
      /* The rest of the scene goes on; the stream keeps its picture size. */
      branch_detach (self, b);
      set_problem (self, b, closed);
    }
}

typedef struct {
  GWeakRef      program;
  guint         id;
  GCancellable *asking;
} PortalAnswer;

static void
on_portal_answer (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  PortalAnswer *answer = data;
  g_autoptr(CbProgram) self = g_weak_ref_get (&answer->program);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbScreencast) cast = cb_screencast_start_finish (result, &error);
  Branch *b = self != NULL ? g_hash_table_lookup (self->branches, GUINT_TO_POINTER (answer->id)) : NULL;
  CbSceneSource *s;
  guint si, index;

  /* Only the answer to the question still asked: a source removed, stopped or asked
   * again since drops it (and its session). */
  if (b == NULL || b->asking != answer->asking)
    goto out;
  g_clear_object (&b->asking);
  s = cb_scene_collection_find_source (self->collection, answer->id);
  if (cast == NULL || s == NULL)
    {
      GST_INFO ("source %u: the portal said no: %s", answer->id, error != NULL ? error->message : "");
      if (error != NULL)
        set_problem (self, b, error);
      goto out;
    }
  /* The token for next time: with it the portal lets us capture without asking again. */
  if (cb_screencast_get_restore_token (cast) != NULL)
    {
      g_free (s->location);
      s->location = g_strdup (cb_screencast_get_restore_token (cast));
    }
  b->screencast = g_steal_pointer (&cast);
  if (locate (self, answer->id, &si, &index) && g_ptr_array_index (self->compositors, si) != NULL)
    branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);

out:
  g_weak_ref_clear (&answer->program);
  g_clear_object (&answer->asking);
  g_free (answer);
}

/* Asks the portal for a screen or a window; the source waits, saying so, and the answer
 * attaches it (on_portal_answer()). */
static void
ask_portal (CbProgram           *self,
            Branch              *b,
            const CbSceneSource *s)
{
  g_autoptr(GError) error = NULL;
  PortalAnswer *answer;

  /* No question the answer to which could not be used. */
  if (!cb_media_have_element ("pipewiresrc", &error))
    {
      set_problem (self, b, error);
      return;
    }
  b->asking = g_cancellable_new ();
  answer = g_new0 (PortalAnswer, 1);
  g_weak_ref_init (&answer->program, self);
  answer->id = s->id;
  answer->asking = g_object_ref (b->asking);
  cb_screencast_start_async (s->location, s->cursor, b->asking, on_portal_answer, answer);
  error = g_error_new_literal (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_ASKING,
                               "Waiting for the permission to capture the screen");
  set_problem (self, b, error);
}

/* Builds the source's bin and links it into @mixer; a failure is kept as its problem. */
static void
branch_attach (CbProgram           *self,
               const CbSceneSource *s,
               GstElement          *mixer,
               guint                zorder)
{
  Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autofree char *name = g_strdup_printf ("source-%u", s->id);
  gboolean audio = cb_scene_source_kind_is_audio (s->kind);
  Overlays *overlays = audio || !is_layer_kind (s->kind) ? NULL : overlays_of (mixer);
  GstElement *bin;

  if (b == NULL)
    {
      b = g_new0 (Branch, 1);
      b->id = s->id;
      g_hash_table_insert (self->branches, GUINT_TO_POINTER (s->id), b);
    }
  {
    /* What the portal allowed is used here, not ended by the detaching. */
    g_autoptr(CbScreencast) cast = g_steal_pointer (&b->screencast);

    branch_detach (self, b);
    if (uses_portal (s) && cast == NULL)
      {
        ask_portal (self, b, s);
        return;
      }
    b->screencast = g_steal_pointer (&cast);
  }

  bin = audio ? make_audio_bin (self, s, &error)
              : with_crop (make_video_bin (self, b, s, compose_format (mixer), &error), &error);
  if (bin == NULL)
    {
      GST_INFO ("source %u (%s) left out: %s", s->id, cb_scene_source_kind_to_string (s->kind),
                error->message);
      set_problem (self, b, error);
      return;
    }
  gst_object_set_name (GST_OBJECT (bin), name);
  gst_bin_add (GST_BIN (self->bin), bin);
  b->bin = gst_object_ref (bin);
  src = gst_element_get_static_pad (bin, "src");
  if (overlays != NULL)
    {
      /* A layer: its frames end in an appsink of its bin, paced by the clock, and are
       * drawn over the composed picture. */
      GstAppSinkCallbacks callbacks = { .new_sample = on_layer_sample };
      GstElement *appsink = gst_element_factory_make_full ("appsink", "name", "layer",
                                                           "sync", TRUE, "async", FALSE,
                                                           "max-buffers", 1, "drop", TRUE,
                                                           NULL);
      GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (src));

      g_object_set_data (G_OBJECT (appsink), "cb-id", GUINT_TO_POINTER (s->id));
      gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks,
                                  g_atomic_rc_box_acquire (overlays), overlays_unref);
      gst_bin_add (GST_BIN (bin), appsink);
      gst_element_remove_pad (bin, src);
      gst_object_unref (src);
      src = target;
      sink = gst_element_get_static_pad (appsink, "sink");
      b->overlays = g_atomic_rc_box_acquire (overlays);
    }
  else
    {
      b->mixer_pad = gst_element_request_pad_simple (mixer, "sink_%u");
      sink = gst_object_ref (b->mixer_pad);
    }
  /* A file starts its timestamps at zero: one added to a running program plays from now,
   * or the compositor drops every frame as late. */
  if (s->kind == CB_SCENE_SOURCE_MEDIA || s->kind == CB_SCENE_SOURCE_IMAGE)
    gst_pad_set_offset (src, running_time (self));
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK)
    {
      branch_detach (self, b);
      set_problem_literal (self, b, "Cannot link the source");
      return;
    }
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      g_autoptr(GstPad) sound = gst_element_get_static_pad (bin, "sound");

      /* A file without sound leaves its mixer pad silent; the mixer ignores it. */
      b->sound_pad = gst_element_request_pad_simple (self->mixer, "sink_%u");
      gst_pad_set_offset (sound, running_time (self));
      gst_pad_link (sound, b->sound_pad);
    }
  if (audio || s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      apply_audio (b, s);
      ensure_monitor (self, b, s);
      apply_audio (b, s);
    }
  if (!audio)
    apply_video_box (self, b, s, zorder);
  gst_element_sync_state_with_parent (bin);
  set_problem (self, b, NULL);
}

/* ---- scenes ---------------------------------------------------------------- */

/* Scene @index goes on program: its compositor, linked to the selector, and its sources. */
static gboolean
scene_start (CbProgram  *self,
             guint       index,
             GError    **error)
{
  CbScene *scene = g_ptr_array_index (self->collection->scenes, index);
  gboolean opaque = scene_is_opaque_below (scene);
  g_autofree char *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
                                           "framerate=%d/1,pixel-aspect-ratio=1/1," COLOR_FIELDS,
                                           opaque ? COMPOSE_OPAQUE : COMPOSE_ALPHA,
                                           self->width, self->height, self->fps);
  GstElement *compositor, *filter;
  g_autoptr(GstCaps) filter_caps = gst_caps_from_string (caps);
  g_autoptr(GstPad) filter_src = NULL;
  GstPad *selector_pad;

  if (g_ptr_array_index (self->compositors, index) != NULL)
    return TRUE;
  if (!cb_media_have_element ("compositor", error))
    return FALSE;
  /* force-live: a scene of still images and text still makes frames on time. */
  compositor = gst_element_factory_make_full ("compositor", "force-live", TRUE,
                                              "ignore-inactive-pads", TRUE,
                                              "background", 1 /* black */, NULL);
  if (opaque)
    {
      Overlays *overlays = overlays_new ();
      g_autoptr(GstPad) composed = gst_element_get_static_pad (compositor, "src");

      gst_pad_add_probe (composed, GST_PAD_PROBE_TYPE_BUFFER, draw_overlays,
                         g_atomic_rc_box_acquire (overlays), overlays_unref);
      g_object_set_data_full (G_OBJECT (compositor), "cb-overlays", overlays, overlays_unref);
    }
  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (filter, "caps", filter_caps, NULL);
  gst_bin_add_many (GST_BIN (self->bin), compositor, filter, NULL);
  gst_element_link (compositor, filter);
  selector_pad = gst_element_request_pad_simple (self->selector, "sink_%u");
  filter_src = gst_element_get_static_pad (filter, "src");
  gst_pad_link (filter_src, selector_pad);
  g_ptr_array_index (self->compositors, index) = gst_object_ref (compositor);
  g_ptr_array_index (self->selector_pads, index) = selector_pad;
  gst_element_sync_state_with_parent (filter);
  gst_element_sync_state_with_parent (compositor);
  for (guint i = 0; i < scene->sources->len; i++)
    branch_attach (self, g_ptr_array_index (scene->sources, i), compositor, i);
  return TRUE;
}

/* Scene @index goes idle: its sources stop and its compositor is taken out. Their
 * problems stay with them until the scene runs again. */
static void
scene_stop (CbProgram *self,
            guint      index)
{
  CbScene *scene = g_ptr_array_index (self->collection->scenes, index);
  g_autoptr(GstElement) compositor = g_steal_pointer (&g_ptr_array_index (self->compositors, index));
  g_autoptr(GstPad) selector_pad = g_steal_pointer (&g_ptr_array_index (self->selector_pads, index));
  g_autoptr(GstPad) filter_src = NULL;
  g_autoptr(GstElement) filter = NULL;

  if (compositor == NULL)
    return;
  for (guint i = 0; i < scene->sources->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i);
      Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

      if (b != NULL)
        branch_detach (self, b);
    }
  filter_src = gst_pad_get_peer (selector_pad);
  filter = filter_src != NULL ? gst_pad_get_parent_element (filter_src) : NULL;
  if (filter_src != NULL)
    gst_pad_unlink (filter_src, selector_pad);
  gst_element_release_request_pad (self->selector, selector_pad);
  for (GstElement *e = compositor; e != NULL; e = (e == compositor ? filter : NULL))
    {
      gst_element_set_locked_state (e, TRUE);
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->bin), e);
    }
}

/* After a source of running scene @index was added, moved or removed: a scene that must
 * now be composed the other way (a text went under a camera, or no longer is) is made
 * again, its sources with it. Returns whether it was. */
static gboolean
scene_recompose (CbProgram *self,
                 guint      index)
{
  GstElement *compositor = g_ptr_array_index (self->compositors, index);
  g_autoptr(GError) error = NULL;

  if (compositor == NULL ||
      (overlays_of (compositor) != NULL) == scene_is_opaque_below (g_ptr_array_index (self->collection->scenes, index)))
    return FALSE;
  scene_stop (self, index);
  if (!scene_start (self, index, &error))
    {
      g_warning ("Cannot compose the scene again: %s", error->message);
      return TRUE;
    }
  if (index == self->collection->active)
    {
      g_object_set (self->selector, "active-pad", g_ptr_array_index (self->selector_pads, index), NULL);
      cb_local_source_request_keyframe (self->capture);
    }
  return TRUE;
}

/* ---- bus --------------------------------------------------------------------- */

/* The id of the source bin @object is in, or 0. */
static guint
source_of (GstObject *object)
{
  for (GstObject *o = object; o != NULL; o = GST_OBJECT_PARENT (o))
    {
      const char *name = GST_OBJECT_NAME (o);

      if (name != NULL && g_str_has_prefix (name, "source-"))
        return (guint) g_ascii_strtoull (name + strlen ("source-"), NULL, 10);
    }
  return 0;
}

static gboolean
in_monitor (GstObject *object)
{
  for (GstObject *o = object; o != NULL; o = GST_OBJECT_PARENT (o))
    if (g_strcmp0 (GST_OBJECT_NAME (o), "monitor") == 0)
      return TRUE;
  return FALSE;
}

static double
max_of (const GValue *value)
{
  double max = -700;

  /* level posts GValueArrays (deprecated, but what the element gives). */
  if (value == NULL || !G_VALUE_HOLDS_BOXED (value) ||
      !g_str_equal (G_VALUE_TYPE_NAME (value), "GValueArray"))
    return max;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = g_value_get_boxed (value);

    for (guint i = 0; array != NULL && i < array->n_values; i++)
      max = MAX (max, g_value_get_double (&array->values[i]));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return max;
}

static gboolean
on_capture_message (CbLocalSource *capture,
                    GstMessage    *message,
                    gpointer       data)
{
  CbProgram *self = data;
  guint id = source_of (GST_MESSAGE_SRC (message));
  Branch *b = id != 0 ? g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id)) : NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
    {
      const GstStructure *st = gst_message_get_structure (message);

      if (st == NULL || !gst_structure_has_name (st, "level"))
        return FALSE;
      if (id == 0 && g_strcmp0 (GST_MESSAGE_SRC_NAME (message), "program-level") != 0)
        return FALSE;
      g_signal_emit (self, signals[SIGNAL_LEVEL], 0, id,
                     max_of (gst_structure_get_value (st, "peak")),
                     max_of (gst_structure_get_value (st, "rms")));
      return TRUE;
    }

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && id != 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      GST_INFO ("source %u failed: %s (%s)", id, error->message, debug ? debug : "");
      /* From a branch already taken out (one made again has the same name). */
      if (b == NULL || b->bin == NULL ||
          !gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (b->bin)))
        return TRUE;
      if (in_monitor (GST_MESSAGE_SRC (message)) && b->monitor != NULL)
        {
          /* No output device: the source goes on, unheard. */
          g_autoptr(GstElement) valve = gst_bin_get_by_name (GST_BIN (b->monitor), "valve");
          g_object_set (valve, "drop", TRUE, NULL);
          set_problem_literal (self, b, "Cannot play it in the headphones: no output device");
          return TRUE;
        }
      if (b->bin != NULL && GST_OBJECT_PARENT (b->bin) != NULL)
        {
          branch_detach (self, b);
          set_problem (self, b, error);
        }
      return TRUE;
    }
  return FALSE;
}

/* ---- public ------------------------------------------------------------------ */

CbProgram *
cb_program_new (const CbSceneCollection *collection,
                CbSettings              *settings,
                GError                 **error)
{
  g_autoptr(CbProgram) self = g_object_new (CB_TYPE_PROGRAM, NULL);
  g_autofree char *audio_caps = NULL;
  g_autoptr(GstPad) selector_src = NULL;
  g_autoptr(GstPad) audio_src = NULL;
  GstElement *audio_tail, *audio_filter;

  g_return_val_if_fail (collection != NULL && collection->scenes->len > 0, NULL);

  if (settings != NULL)
    {
      self->width = CLAMP (cb_settings_get_int (settings, "capture_width"), 16, 7680) & ~1;
      self->height = CLAMP (cb_settings_get_int (settings, "capture_height"), 16, 4320) & ~1;
      self->fps = CLAMP (cb_settings_get_int (settings, "capture_fps"), 1, 120);
      self->rate = cb_settings_get_int (settings, "audio_sample_rate") == 44100 ? 44100 : 48000;
    }
  for (const char * const *e = (const char * const[]) { "input-selector", "audiomixer", "level",
                                                         "volume", NULL }; *e != NULL; e++)
    if (!cb_media_have_element (*e, error))
      return NULL;

  self->collection = cb_scene_collection_copy (collection);
  self->collection->active = MIN (self->collection->active, self->collection->scenes->len - 1);
  self->bin = gst_object_ref_sink (gst_bin_new ("program"));
  self->selector = gst_object_ref (gst_element_factory_make ("input-selector", "scenes"));
  gst_bin_add (GST_BIN (self->bin), self->selector);
  selector_src = gst_element_get_static_pad (self->selector, "src");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("video", selector_src));

  /* The mixer sits right in the program bin: sources link to its pads across no other
   * bin. force-live: silence when no source plays, so the stream always has its track. */
  audio_caps = g_strdup_printf ("audio/x-raw,format=S16LE,layout=interleaved,rate=%d,channels=2",
                                self->rate);
  self->mixer = gst_object_ref (gst_element_factory_make_full ("audiomixer", "force-live", TRUE,
                                                               "ignore-inactive-pads", TRUE,
                                                               NULL));
  audio_filter = gst_element_factory_make ("capsfilter", NULL);
  {
    g_autoptr(GstCaps) caps = gst_caps_from_string (audio_caps);
    g_object_set (audio_filter, "caps", caps, NULL);
  }
  audio_tail = gst_element_factory_make ("level", "program-level");
  g_object_set (audio_tail, "interval", (guint64) 50 * GST_MSECOND, NULL);
  gst_bin_add_many (GST_BIN (self->bin), self->mixer, audio_filter, audio_tail, NULL);
  gst_element_link_many (self->mixer, audio_filter, audio_tail, NULL);
  audio_src = gst_element_get_static_pad (audio_tail, "src");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("audio", audio_src));

  g_ptr_array_set_size (self->compositors, self->collection->scenes->len);
  g_ptr_array_set_size (self->selector_pads, self->collection->scenes->len);
  if (!scene_start (self, self->collection->active, error))
    return NULL;
  g_object_set (self->selector, "active-pad",
                g_ptr_array_index (self->selector_pads, self->collection->active), NULL);
  for (guint i = 0; i < self->collection->audio->len; i++)
    branch_attach (self, g_ptr_array_index (self->collection->audio, i), self->mixer, i);

  self->capture = cb_local_source_new_for_bin ("scene", self->bin, settings, error);
  if (self->capture == NULL)
    return NULL;
  g_signal_connect (self->capture, "message", G_CALLBACK (on_capture_message), self);
  return g_steal_pointer (&self);
}

CbLocalSource *
cb_program_get_capture (CbProgram *self)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return self->capture;
}

gboolean
cb_program_start (CbProgram  *self,
                  GError    **error)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);
  return cb_local_source_start (self->capture, error);
}

void
cb_program_stop (CbProgram *self)
{
  g_return_if_fail (CB_IS_PROGRAM (self));
  cb_local_source_stop (self->capture);
}

const CbSceneCollection *
cb_program_get_collection (CbProgram *self)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return self->collection;
}

int
cb_program_get_width (CbProgram *self)
{
  return self->width;
}

int
cb_program_get_height (CbProgram *self)
{
  return self->height;
}

void
cb_program_set_active_scene (CbProgram *self,
                             guint      index)
{
  g_autoptr(GError) error = NULL;
  guint previous;

  g_return_if_fail (CB_IS_PROGRAM (self));

  if (index >= self->collection->scenes->len || index == self->collection->active)
    return;
  if (!scene_start (self, index, &error))
    {
      g_warning ("Cannot switch scenes: %s", error->message);
      return;
    }
  previous = self->collection->active;
  self->collection->active = index;
  g_object_set (self->selector, "active-pad", g_ptr_array_index (self->selector_pads, index), NULL);
  /* Players and destinations see the new scene from a clean picture. */
  cb_local_source_request_keyframe (self->capture);
  scene_stop (self, previous);
}

gboolean
cb_program_scene_is_running (CbProgram *self,
                             guint      index)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);
  return index < self->compositors->len && g_ptr_array_index (self->compositors, index) != NULL;
}

guint
cb_program_add_scene (CbProgram  *self,
                      const char *name)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), 0);

  /* Idle until it is switched to. */
  g_ptr_array_add (self->collection->scenes, cb_scene_new (name));
  g_ptr_array_add (self->compositors, NULL);
  g_ptr_array_add (self->selector_pads, NULL);
  return self->collection->scenes->len - 1;
}

gboolean
cb_program_remove_scene (CbProgram *self,
                         guint      index)
{
  CbScene *scene;

  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);

  if (index >= self->collection->scenes->len || self->collection->scenes->len == 1)
    return FALSE;
  if (self->collection->active == index)
    cb_program_set_active_scene (self, index == 0 ? 1 : index - 1);
  /* Not on program any more, so idle already: only its sources' records go. */
  scene_stop (self, index);
  scene = g_ptr_array_index (self->collection->scenes, index);
  for (guint i = 0; i < scene->sources->len; i++)
    g_hash_table_remove (self->branches,
                         GUINT_TO_POINTER (((CbSceneSource *) g_ptr_array_index (scene->sources, i))->id));
  g_ptr_array_remove_index (self->compositors, index);
  g_ptr_array_remove_index (self->selector_pads, index);
  g_ptr_array_remove_index (self->collection->scenes, index);
  if (self->collection->active > index)
    self->collection->active--;
  return TRUE;
}

CbSceneSource *
cb_program_new_source (CbProgram         *self,
                       CbSceneSourceKind  kind,
                       const char        *name,
                       const char        *location)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return cb_scene_source_new (self->collection, kind, name, location);
}

void
cb_program_add_source (CbProgram     *self,
                       guint          scene_index,
                       CbSceneSource *source)
{
  g_return_if_fail (CB_IS_PROGRAM (self));
  g_return_if_fail (source != NULL);

  if (cb_scene_source_kind_is_audio (source->kind))
    {
      g_ptr_array_add (self->collection->audio, source);
      branch_attach (self, source, self->mixer, self->collection->audio->len - 1);
      return;
    }
  if (scene_index >= self->collection->scenes->len)
    {
      cb_scene_source_free (source);
      return;
    }
  {
    CbScene *scene = g_ptr_array_index (self->collection->scenes, scene_index);
    GstElement *compositor = g_ptr_array_index (self->compositors, scene_index);

    g_ptr_array_add (scene->sources, source);
    /* A source of an idle scene starts with its scene. */
    if (compositor != NULL && !scene_recompose (self, scene_index))
      branch_attach (self, source, compositor, scene->sources->len - 1);
  }
}

/* The scene holding @id and the source's index in it; FALSE for audio and unknown ids. */
static gboolean
locate (CbProgram *self,
        guint      id,
        guint     *scene_index,
        guint     *index)
{
  for (guint i = 0; i < self->collection->scenes->len; i++)
    {
      CbScene *scene = g_ptr_array_index (self->collection->scenes, i);

      for (guint j = 0; j < scene->sources->len; j++)
        if (((CbSceneSource *) g_ptr_array_index (scene->sources, j))->id == id)
          {
            *scene_index = i;
            *index = j;
            return TRUE;
          }
    }
  return FALSE;
}

void
cb_program_remove_source (CbProgram *self,
                          guint      id)
{
  Branch *b;
  guint si, index;

  g_return_if_fail (CB_IS_PROGRAM (self));

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  if (b != NULL)
    branch_detach (self, b);
  g_hash_table_remove (self->branches, GUINT_TO_POINTER (id));
  if (locate (self, id, &si, &index))
    {
      CbScene *scene = g_ptr_array_index (self->collection->scenes, si);

      g_ptr_array_remove_index (scene->sources, index);
      if (scene_recompose (self, si))
        return;
      for (guint j = index; j < scene->sources->len; j++)
        {
          CbSceneSource *s = g_ptr_array_index (scene->sources, j);
          Branch *other = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

          if (other != NULL)
            apply_video_box (self, other, s, j);
        }
      return;
    }
  for (guint i = 0; i < self->collection->audio->len; i++)
    if (((CbSceneSource *) g_ptr_array_index (self->collection->audio, i))->id == id)
      {
        g_ptr_array_remove_index (self->collection->audio, i);
        return;
      }
}

void
cb_program_update_source (CbProgram           *self,
                          const CbSceneSource *changed)
{
  CbSceneSource *s;
  Branch *b;
  guint si = 0, index = 0;
  gboolean rebuild;

  g_return_if_fail (CB_IS_PROGRAM (self));
  g_return_if_fail (changed != NULL);

  s = cb_scene_collection_find_source (self->collection, changed->id);
  if (s == NULL || s->kind != changed->kind)
    return;
  /* What a running source cannot change in place: what it reads, and a text's canvas. */
  /* A pattern changes in place; a file or a device is opened again. */
  rebuild = (g_strcmp0 (s->location, changed->location) != 0 && s->kind != CB_SCENE_SOURCE_PATTERN) ||
            (s->kind == CB_SCENE_SOURCE_TEXT &&
             (s->width != changed->width || s->height != changed->height)) ||
            g_strcmp0 (s->window_class, changed->window_class) != 0 ||
            /* The portal draws the pointer or not for the whole session. */
            (uses_portal (s) && s->cursor != changed->cursor);
  g_free (s->name);
  s->name = g_strdup (changed->name);
  g_free (s->location);
  s->location = g_strdup (changed->location);
  g_free (s->text);
  s->text = g_strdup (changed->text);
  g_free (s->font);
  s->font = g_strdup (changed->font);
  s->color = changed->color;
  g_free (s->window_class);
  s->window_class = g_strdup (changed->window_class);
  s->cursor = changed->cursor;
  s->x = changed->x;
  s->y = changed->y;
  s->width = changed->width;
  s->height = changed->height;
  s->visible = changed->visible;
  s->loop = s->kind == CB_SCENE_SOURCE_MEDIA && changed->loop;
  s->crop_left = MIN (changed->crop_left, CB_SCENE_MAX_CROP);
  s->crop_top = MIN (changed->crop_top, CB_SCENE_MAX_CROP);
  s->crop_right = MIN (changed->crop_right, CB_SCENE_MAX_CROP);
  s->crop_bottom = MIN (changed->crop_bottom, CB_SCENE_MAX_CROP);
  s->volume = CLAMP (changed->volume, 0, 2);
  s->muted = changed->muted;
  s->monitor = changed->monitor;

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));
  if (cb_scene_source_kind_is_audio (s->kind))
    {
      if (b != NULL)
        {
          ensure_monitor (self, b, s);
          apply_audio (b, s);
        }
      return;
    }
  if (!locate (self, s->id, &si, &index))
    return;
  if (g_ptr_array_index (self->compositors, si) == NULL)
    return;    /* idle: taken as it is when its scene starts */
  if (rebuild || b == NULL || b->bin == NULL)
    {
      /* The portal's question stays up: the box applies once it is answered. */
      if (!rebuild && b != NULL && b->asking != NULL)
        return;
      branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);
      return;
    }
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      g_autoptr(GstElement) decodebin = gst_bin_get_by_name (GST_BIN (b->bin), "decode");

      if (!looper_set (decodebin, s->loop))
        {
          branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);
          return;
        }
    }
  apply_video_box (self, b, s, index);
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      ensure_monitor (self, b, s);
      apply_audio (b, s);
    }
  if (s->kind == CB_SCENE_SOURCE_PATTERN)
    {
      g_autoptr(GstElement) src = gst_bin_get_by_name (GST_BIN (b->bin), "pattern");

      gst_util_set_object_arg (G_OBJECT (src), "pattern", pattern_name (s));
    }
  /* A new size renegotiates the source's own scaling. */
  apply_size (self, b->bin, s, compose_format (g_ptr_array_index (self->compositors, si)));
  if (s->kind == CB_SCENE_SOURCE_TEXT)
    {
      g_autoptr(GstElement) text = gst_bin_get_by_name (GST_BIN (b->bin), "text");

      g_object_set (text, "text", s->text, "font-desc", s->font, "color", s->color, NULL);
    }
  if ((s->kind == CB_SCENE_SOURCE_SCREEN || s->kind == CB_SCENE_SOURCE_WINDOW) && !uses_portal (s))
    {
      /* ximagesrc reads it for every frame. */
      g_autoptr(GstElement) capture = gst_bin_get_by_name (GST_BIN (b->bin), "capture");

      if (capture != NULL)
        g_object_set (capture, "show-pointer", s->cursor, NULL);
    }
}

void
cb_program_move_source (CbProgram *self,
                        guint      id,
                        int        delta)
{
  guint si, index;
  CbScene *scene;
  int to;

  g_return_if_fail (CB_IS_PROGRAM (self));

  if (!locate (self, id, &si, &index))
    return;
  scene = g_ptr_array_index (self->collection->scenes, si);
  to = CLAMP ((int) index + delta, 0, (int) scene->sources->len - 1);
  if ((guint) to == index)
    return;
  {
    CbSceneSource *s = g_ptr_array_steal_index (scene->sources, index);
    g_ptr_array_insert (scene->sources, to, s);
  }
  if (scene_recompose (self, si))
    return;
  for (guint j = 0; j < scene->sources->len; j++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, j);
      Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

      if (b != NULL)
        apply_video_box (self, b, s, j);
    }
}

const char *
cb_program_get_problem (CbProgram *self,
                        guint      id)
{
  Branch *b;

  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  return b != NULL && b->problem != NULL ? b->problem->message : NULL;
}

const GError *
cb_program_get_problem_error (CbProgram *self,
                              guint      id)
{
  Branch *b;

  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  return b != NULL ? b->problem : NULL;
}

GStrv
cb_program_list_encoders (void)
{
  static const char * const hardware[] = { "vah264enc", "vaapih264enc", "nvh264enc", "mfh264enc" };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, "x264");
  for (guint i = 0; i < G_N_ELEMENTS (hardware); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (hardware[i]);

      if (factory != NULL)
        g_strv_builder_add (builder, hardware[i]);
    }
  return g_strv_builder_end (builder);
}
