/* cb-scene-canvas.c — sources moved and resized by dragging them in the preview
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-scene-canvas.h"

/* How near the corner, in widget pixels, a press takes the handle. */
#define HANDLE 12
/* The smallest box a drag leaves, as a fraction of the picture. */
#define MIN_SIZE 0.02

typedef enum {
  DRAG_NONE,
  DRAG_MOVE,
  DRAG_RESIZE,
} DragMode;

struct _CbSceneCanvas
{
  GtkWidget        parent_instance;

  CbSceneEditor   *editor;
  GtkGesture      *drag;
  gulong           handlers[3];
  DragMode         mode;
  guint            id;
  double           start_x, start_y, start_w, start_h;
};

G_DEFINE_FINAL_TYPE (CbSceneCanvas, cb_scene_canvas, GTK_TYPE_WIDGET)

static CbProgram *
program_of (CbSceneCanvas *self)
{
  return cb_scene_editor_get_program (self->editor);
}

static CbSceneSource *
find_source (CbSceneCanvas *self,
             guint          id)
{
  CbProgram *program = program_of (self);

  if (program == NULL || id == 0)
    return NULL;
  return cb_scene_find_source (cb_scene_collection_get_active ((CbSceneCollection *) cb_program_get_collection (program)),
                               id);
}

void
cb_scene_canvas_get_frame (CbSceneCanvas   *self,
                           graphene_rect_t *frame)
{
  CbProgram *program = program_of (self);
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double aspect = program != NULL
    ? (double) cb_program_get_width (program) / cb_program_get_height (program) : 16.0 / 9;
  double fw = w, fh = w / aspect;

  /* As GtkPicture's "contain" places it: as large as fits, centred. */
  if (fh > h)
    {
      fh = h;
      fw = h * aspect;
    }
  graphene_rect_init (frame, (w - fw) / 2, (h - fh) / 2, fw, fh);
}

static void
source_rect (CbSceneCanvas       *self,
             const CbSceneSource *s,
             graphene_rect_t     *rect)
{
  graphene_rect_t frame;

  cb_scene_canvas_get_frame (self, &frame);
  graphene_rect_init (rect, frame.origin.x + s->x * frame.size.width,
                      frame.origin.y + s->y * frame.size.height,
                      s->width * frame.size.width, s->height * frame.size.height);
}

static gboolean
on_handle (CbSceneCanvas       *self,
           const CbSceneSource *s,
           double               x,
           double               y)
{
  graphene_rect_t r;

  source_rect (self, s, &r);
  return ABS (x - (r.origin.x + r.size.width)) <= HANDLE &&
         ABS (y - (r.origin.y + r.size.height)) <= HANDLE;
}

/* The top-most visible source of the active scene under (x, y), or NULL. */
static CbSceneSource *
source_at (CbSceneCanvas *self,
           double         x,
           double         y)
{
  CbProgram *program = program_of (self);
  CbScene *scene;

  if (program == NULL)
    return NULL;
  scene = cb_scene_collection_get_active ((CbSceneCollection *) cb_program_get_collection (program));
  for (guint i = scene->sources->len; i > 0; i--)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i - 1);
      graphene_rect_t r;

      source_rect (self, s, &r);
      if (s->visible && graphene_rect_contains_point (&r, &GRAPHENE_POINT_INIT (x, y)))
        return s;
    }
  return NULL;
}

static void
cb_scene_canvas_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  CbSceneCanvas *self = CB_SCENE_CANVAS (widget);
  CbSceneSource *s = find_source (self, cb_scene_editor_get_selected (self->editor));
  static const GdkRGBA outline = { 0.21, 0.52, 0.89, 1 };   /* the accent blue */
  static const GdkRGBA shade = { 0, 0, 0, 0.5 };
  graphene_rect_t r, handle;
  GskRoundedRect rounded;

  if (s == NULL)
    return;
  source_rect (self, s, &r);
  /* A dark line under the blue one: seen on light and dark pictures alike. */
  gsk_rounded_rect_init_from_rect (&rounded, &GRAPHENE_RECT_INIT (r.origin.x - 1, r.origin.y - 1,
                                                                  r.size.width + 2, r.size.height + 2), 0);
  gtk_snapshot_append_border (snapshot, &rounded, (const float[4]) { 3, 3, 3, 3 },
                              (const GdkRGBA[4]) { shade, shade, shade, shade });
  gsk_rounded_rect_init_from_rect (&rounded, &r, 0);
  gtk_snapshot_append_border (snapshot, &rounded, (const float[4]) { 2, 2, 2, 2 },
                              (const GdkRGBA[4]) { outline, outline, outline, outline });
  graphene_rect_init (&handle, r.origin.x + r.size.width - 6, r.origin.y + r.size.height - 6, 12, 12);
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (handle.origin.x - 1, handle.origin.y - 1, 14, 14));
  gtk_snapshot_append_color (snapshot, &outline, &handle);
}

static void
apply (CbSceneCanvas *self,
       double         x,
       double         y,
       double         w,
       double         h,
       gboolean       done)
{
  CbSceneSource *s = find_source (self, self->id);
  g_autoptr(CbSceneSource) changed = NULL;

  if (s == NULL)
    return;
  changed = cb_scene_source_copy (s);
  /* Within what the scenes file keeps. */
  changed->x = CLAMP (x, -1, 2);
  changed->y = CLAMP (y, -1, 2);
  changed->width = CLAMP (w, MIN_SIZE, 4);
  changed->height = CLAMP (h, MIN_SIZE, 4);
  /* A text is drawn again at its new size: once, not on every step of the drag. */
  if (!done && s->kind == CB_SCENE_SOURCE_TEXT &&
      (changed->width != s->width || changed->height != s->height))
    return;
  cb_program_update_source (program_of (self), changed);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (done)
    cb_scene_editor_touched (self->editor);
}

/* What a press at (x, y) would do: resize the selected source by its handle, or move
 * the top-most visible source under it; NULL and DRAG_NONE over no source. */
static CbSceneSource *
hit (CbSceneCanvas *self,
     double         x,
     double         y,
     DragMode      *mode)
{
  CbSceneSource *s = find_source (self, cb_scene_editor_get_selected (self->editor));

  *mode = DRAG_RESIZE;
  if (s != NULL && s->visible && on_handle (self, s, x, y))
    return s;
  s = source_at (self, x, y);
  *mode = s != NULL ? DRAG_MOVE : DRAG_NONE;
  return s;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               gpointer        data)
{
  CbSceneCanvas *self = data;
  CbSceneSource *s = hit (self, x, y, &self->mode);

  cb_scene_editor_select (self->editor, s != NULL ? s->id : 0);
  if (s == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->id = s->id;
  self->start_x = s->x;
  self->start_y = s->y;
  self->start_w = s->width;
  self->start_h = s->height;
}

static void
drag_to (CbSceneCanvas *self,
         double         dx,
         double         dy,
         gboolean       done)
{
  graphene_rect_t frame;

  cb_scene_canvas_get_frame (self, &frame);
  if (self->mode == DRAG_NONE || frame.size.width < 1 || frame.size.height < 1)
    return;
  dx /= frame.size.width;
  dy /= frame.size.height;
  if (self->mode == DRAG_MOVE)
    apply (self, self->start_x + dx, self->start_y + dy, self->start_w, self->start_h, done);
  else
    apply (self, self->start_x, self->start_y, self->start_w + dx, self->start_h + dy, done);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                gpointer        data)
{
  drag_to (data, dx, dy, FALSE);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             gpointer        data)
{
  CbSceneCanvas *self = data;

  drag_to (self, dx, dy, TRUE);
  self->mode = DRAG_NONE;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           gpointer                  data)
{
  CbSceneCanvas *self = data;
  DragMode mode;

  if (self->mode != DRAG_NONE)
    return;
  hit (self, x, y, &mode);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), mode == DRAG_RESIZE ? "nwse-resize"
                                                      : mode == DRAG_MOVE ? "move" : NULL);
}

static void
cb_scene_canvas_dispose (GObject *object)
{
  CbSceneCanvas *self = CB_SCENE_CANVAS (object);

  if (self->editor != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
      g_clear_signal_handler (&self->handlers[i], self->editor);
  g_clear_object (&self->editor);
  G_OBJECT_CLASS (cb_scene_canvas_parent_class)->dispose (object);
}

static void
cb_scene_canvas_class_init (CbSceneCanvasClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_scene_canvas_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = cb_scene_canvas_snapshot;
}

static void
cb_scene_canvas_init (CbSceneCanvas *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->drag = gtk_gesture_drag_new ();
  g_signal_connect (self->drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (self->drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (self->drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drag));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
cb_scene_canvas_new (CbSceneEditor *editor)
{
  CbSceneCanvas *self;

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (editor), NULL);

  self = g_object_new (CB_TYPE_SCENE_CANVAS, NULL);
  self->editor = g_object_ref (editor);
  self->handlers[0] = g_signal_connect_swapped (editor, "selected", G_CALLBACK (gtk_widget_queue_draw), self);
  self->handlers[1] = g_signal_connect_swapped (editor, "changed", G_CALLBACK (gtk_widget_queue_draw), self);
  self->handlers[2] = g_signal_connect_swapped (editor, "program-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Scene layout: drag a source to move it, its corner to resize it"),
                                  -1);
  return GTK_WIDGET (self);
}

GtkGestureDrag *
cb_scene_canvas_get_gesture (CbSceneCanvas *self)
{
  g_return_val_if_fail (CB_IS_SCENE_CANVAS (self), NULL);
  return GTK_GESTURE_DRAG (self->drag);
}
