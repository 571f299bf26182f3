/* cb-preview-paintable.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gst/video/video.h>

#include "cb-preview-paintable.h"

struct _CbPreviewPaintable
{
  GObject       parent_instance;

  GMainContext *context;
  GdkTexture   *texture;     /* the frame shown; UI thread only */
  guint64       n_frames;    /* frames shown; UI thread only */

  GMutex        lock;
  GdkTexture   *pending;     /* handed over by a streaming thread, not shown yet */
};

static void cb_preview_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbPreviewPaintable, cb_preview_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      cb_preview_paintable_paintable_init))

static void
cb_preview_paintable_snapshot (GdkPaintable *paintable,
                               GdkSnapshot  *snapshot,
                               double        width,
                               double        height)
{
  CbPreviewPaintable *self = CB_PREVIEW_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static int
cb_preview_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  CbPreviewPaintable *self = CB_PREVIEW_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_width (self->texture) : 0;
}

static int
cb_preview_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  CbPreviewPaintable *self = CB_PREVIEW_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_height (self->texture) : 0;
}

static double
cb_preview_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  CbPreviewPaintable *self = CB_PREVIEW_PAINTABLE (paintable);

  if (self->texture == NULL)
    return 0.0;
  return (double) gdk_texture_get_width (self->texture) /
         (double) gdk_texture_get_height (self->texture);
}

static void
cb_preview_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = cb_preview_paintable_snapshot;
  iface->get_intrinsic_width = cb_preview_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = cb_preview_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = cb_preview_paintable_get_intrinsic_aspect_ratio;
}

static void
cb_preview_paintable_finalize (GObject *object)
{
  CbPreviewPaintable *self = CB_PREVIEW_PAINTABLE (object);

  g_clear_object (&self->texture);
  g_clear_object (&self->pending);
  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (cb_preview_paintable_parent_class)->finalize (object);
}

static void
cb_preview_paintable_class_init (CbPreviewPaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_preview_paintable_finalize;
}

static void
cb_preview_paintable_init (CbPreviewPaintable *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
}

CbPreviewPaintable *
cb_preview_paintable_new (void)
{
  return g_object_new (CB_TYPE_PREVIEW_PAINTABLE, NULL);
}

static gboolean
show_pending (gpointer data)
{
  CbPreviewPaintable *self = data;
  g_autoptr(GdkTexture) texture = NULL;
  gboolean same_size;

  g_mutex_lock (&self->lock);
  texture = g_steal_pointer (&self->pending);
  g_mutex_unlock (&self->lock);

  if (texture == NULL)
    return G_SOURCE_REMOVE;

  same_size = self->texture != NULL &&
              gdk_texture_get_width (self->texture) == gdk_texture_get_width (texture) &&
              gdk_texture_get_height (self->texture) == gdk_texture_get_height (texture);

  g_set_object (&self->texture, texture);
  self->n_frames++;

  if (same_size)
    gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  else
    {
      gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
      gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
    }
  return G_SOURCE_REMOVE;
}

static gboolean
memory_format_from_video (GstVideoFormat   format,
                          GdkMemoryFormat *out)
{
  switch (format)
    {
    case GST_VIDEO_FORMAT_RGBA: *out = GDK_MEMORY_R8G8B8A8; return TRUE;
    case GST_VIDEO_FORMAT_BGRA: *out = GDK_MEMORY_B8G8R8A8; return TRUE;
    case GST_VIDEO_FORMAT_ARGB: *out = GDK_MEMORY_A8R8G8B8; return TRUE;
    case GST_VIDEO_FORMAT_ABGR: *out = GDK_MEMORY_A8B8G8R8; return TRUE;
    case GST_VIDEO_FORMAT_RGB:  *out = GDK_MEMORY_R8G8B8;   return TRUE;
    case GST_VIDEO_FORMAT_BGR:  *out = GDK_MEMORY_B8G8R8;   return TRUE;
    default: return FALSE;
    }
}

static GdkTexture *
texture_from_sample (GstSample *sample)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstVideoInfo info;
  GstVideoFrame frame;
  GdkMemoryFormat format;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;
  gsize stride;

  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;
  if (!memory_format_from_video (GST_VIDEO_INFO_FORMAT (&info), &format))
    {
      g_debug ("Preview frames in %s cannot be shown",
               gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info)));
      return NULL;
    }
  if (!gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    return NULL;

  /* A copy: the buffer goes back to its pool at once, and the texture may outlive
   * the pipeline. */
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
  bytes = g_bytes_new (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
                       stride * GST_VIDEO_FRAME_HEIGHT (&frame));
  texture = gdk_memory_texture_new (GST_VIDEO_FRAME_WIDTH (&frame),
                                    GST_VIDEO_FRAME_HEIGHT (&frame),
                                    format, bytes, stride);
  gst_video_frame_unmap (&frame);
  return texture;
}

void
cb_preview_paintable_push_sample (CbPreviewPaintable *self,
                                  GstSample          *sample)
{
  GdkTexture *texture;
  gboolean busy;

  g_return_if_fail (CB_IS_PREVIEW_PAINTABLE (self));
  g_return_if_fail (sample != NULL);

  g_mutex_lock (&self->lock);
  busy = self->pending != NULL;
  g_mutex_unlock (&self->lock);

  /* The UI has not caught up with the last frame: skip this one rather than queue. */
  if (busy)
    return;

  texture = texture_from_sample (sample);
  if (texture == NULL)
    return;

  g_mutex_lock (&self->lock);
  busy = self->pending != NULL;
  if (!busy)
    self->pending = texture;
  g_mutex_unlock (&self->lock);

  if (busy)
    {
      g_object_unref (texture);
      return;
    }

  /* An idle source, never g_main_context_invoke(): from a streaming thread, whose
   * thread-default context is the global one, invoke() may acquire the GTK context
   * between two iterations and run show_pending (GTK code) right here. */
  {
    GSource *idle = g_idle_source_new ();

    g_source_set_callback (idle, show_pending, g_object_ref (self), g_object_unref);
    g_source_attach (idle, self->context);
    g_source_unref (idle);
  }
}

guint64
cb_preview_paintable_get_n_frames (CbPreviewPaintable *self)
{
  g_return_val_if_fail (CB_IS_PREVIEW_PAINTABLE (self), 0);
  return self->n_frames;
}

void
cb_preview_paintable_preview_func (GstSample *sample,
                                   gpointer   paintable)
{
  cb_preview_paintable_push_sample (paintable, sample);
}
