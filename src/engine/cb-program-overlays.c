/* cb-program-overlays.c — text and images drawn over the composed frame of an I420 scene
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of CbProgram (cb-program.c); what the parts share is in cb-program-private.h.
 */
#include "cb-program-private.h"

/* ---- layers drawn over an I420 scene -------------------------------------------- */

static void
layer_free (gpointer data)
{
  Layer *layer = data;

  gst_clear_buffer (&layer->pixels);
  g_clear_pointer (&layer->rect, gst_video_overlay_rectangle_unref);
  g_free (layer);
}

Overlays *
cb_program_overlays_new (void)
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

void
cb_program_overlays_unref (gpointer data)
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
void
cb_program_overlays_set_box (Overlays *o,
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

void
cb_program_overlays_remove (Overlays *o,
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
GstFlowReturn
cb_program_on_layer_sample (GstAppSink *appsink,
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
GstPadProbeReturn
cb_program_draw_overlays (GstPad          *pad,
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
Overlays *
cb_program_overlays_of (GstElement *compositor)
{
  return compositor != NULL ? g_object_get_data (G_OBJECT (compositor), "cb-overlays") : NULL;
}

const char *
cb_program_compose_format (GstElement *compositor)
{
  return cb_program_overlays_of (compositor) != NULL ? COMPOSE_OPAQUE : COMPOSE_ALPHA;
}

gboolean
cb_program_is_layer_kind (CbSceneSourceKind kind)
{
  return kind == CB_SCENE_SOURCE_TEXT || kind == CB_SCENE_SOURCE_IMAGE;
}

/* Whether @scene can be composed in I420: none of its texts and images is below another
 * kind of source (hidden ones count, so that showing one changes nothing). */
gboolean
cb_program_scene_is_opaque_below (CbScene *scene)
{
  gboolean layer_seen = FALSE;

  for (guint i = 0; i < scene->sources->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i);

      if (cb_program_is_layer_kind (s->kind))
        layer_seen = TRUE;
      else if (layer_seen)
        return FALSE;
    }
  return TRUE;
}

