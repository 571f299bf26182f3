/* cb-preview-paintable.h — frames from a capture's preview, shown by a GtkPicture
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define CB_TYPE_PREVIEW_PAINTABLE (cb_preview_paintable_get_type ())
G_DECLARE_FINAL_TYPE (CbPreviewPaintable, cb_preview_paintable, CB, PREVIEW_PAINTABLE, GObject)

/* Frames are shown on the context that is thread-default when the paintable is made. */
CbPreviewPaintable *cb_preview_paintable_new         (void);
/* From any thread (a GStreamer streaming thread). A frame that comes while the
 * previous one has not been shown yet is dropped. */
void                cb_preview_paintable_push_sample (CbPreviewPaintable *self,
                                                      GstSample          *sample);
guint64             cb_preview_paintable_get_n_frames (CbPreviewPaintable *self);

/* A CbPreviewFunc for cb_local_source_set_preview(), with the paintable as data. */
void                cb_preview_paintable_preview_func (GstSample *sample,
                                                       gpointer   paintable);

G_END_DECLS
