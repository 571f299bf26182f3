/* cb-level-meter.c — peak and RMS as two bars, a red end while clipping
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cb-level-meter.h"

#define FLOOR_DB     -60.0
#define CLIP_DB      -0.5
#define CLIP_HOLD_US (2 * G_USEC_PER_SEC)

struct _CbLevelMeter
{
  GtkWidget parent_instance;

  double    peak;
  double    rms;
  gint64    clipped_at;
  gboolean  marked;     /* the clipping mark is drawn, and the "clipping" class set */
};

G_DEFINE_FINAL_TYPE (CbLevelMeter, cb_level_meter, GTK_TYPE_WIDGET)

static double
fraction (double db)
{
  if (!(db > FLOOR_DB))   /* also NaN and -inf */
    return 0;
  return MIN (1.0, (db - FLOOR_DB) / -FLOOR_DB);
}

static void
cb_level_meter_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CbLevelMeter *self = CB_LEVEL_METER (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  GdkRGBA trough = { 0.5, 0.5, 0.5, 0.25 };
  GdkRGBA green = { 0.20, 0.70, 0.30, 1 };
  GdkRGBA yellow = { 0.90, 0.75, 0.10, 1 };
  GdkRGBA red = { 0.88, 0.11, 0.14, 1 };
  double rms = fraction (self->rms) * w;
  double peak = fraction (self->peak) * w;
  double yellow_at = fraction (-18) * w;
  double red_at = fraction (-6) * w;

  gtk_snapshot_append_color (snapshot, &trough, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gtk_snapshot_append_color (snapshot, &green,
                             &GRAPHENE_RECT_INIT (0, h * 0.2, MIN (rms, yellow_at), h * 0.6));
  if (rms > yellow_at)
    gtk_snapshot_append_color (snapshot, &yellow,
                               &GRAPHENE_RECT_INIT (yellow_at, h * 0.2, MIN (rms, red_at) - yellow_at,
                                                    h * 0.6));
  if (rms > red_at)
    gtk_snapshot_append_color (snapshot, &red,
                               &GRAPHENE_RECT_INIT (red_at, h * 0.2, rms - red_at, h * 0.6));
  if (peak > 0)
    gtk_snapshot_append_color (snapshot, peak > red_at ? &red : &green,
                               &GRAPHENE_RECT_INIT (MAX (0, peak - 2), 0, 2, h));
  if (self->marked)
    gtk_snapshot_append_color (snapshot, &red, &GRAPHENE_RECT_INIT (w - 4, 0, 4, h));
}

static void
cb_level_meter_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 40;
      *natural = 120;
    }
  else
    *minimum = *natural = 8;
}

static void
cb_level_meter_class_init (CbLevelMeterClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = cb_level_meter_snapshot;
  widget_class->measure = cb_level_meter_measure;
  gtk_widget_class_set_css_name (widget_class, "levelmeter");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_METER);
}

static void
cb_level_meter_init (CbLevelMeter *self)
{
  self->peak = self->rms = -700;
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

GtkWidget *
cb_level_meter_new (void)
{
  return g_object_new (CB_TYPE_LEVEL_METER, NULL);
}

void
cb_level_meter_set_levels (CbLevelMeter *self,
                           double        peak_db,
                           double        rms_db)
{
  gboolean clipping, changed;
  /* Where the bars end, in quarter pixels. */
  int w = gtk_widget_get_width (GTK_WIDGET (self)) * 4;
  gboolean moved;

  g_return_if_fail (CB_IS_LEVEL_METER (self));

  moved = (int) (fraction (self->peak) * w) != (int) (fraction (peak_db) * w) ||
          (int) (fraction (self->rms) * w) != (int) (fraction (rms_db) * w);
  self->peak = peak_db;
  self->rms = rms_db;
  if (peak_db >= CLIP_DB)
    self->clipped_at = g_get_monotonic_time ();
  /* Against what is shown, not what the last update saw: the hold may have run out
   * in between. */
  clipping = self->clipped_at != 0 && g_get_monotonic_time () - self->clipped_at < CLIP_HOLD_US;
  changed = clipping != self->marked;
  if (changed)
    {
      self->marked = clipping;
      if (clipping)
        gtk_widget_add_css_class (GTK_WIDGET (self), "clipping");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self), "clipping");
    }
  /* A steady sound draws nothing new: under software GL every frame the window draws
   * costs a few milliseconds, however small the change. */
  if (!moved && !changed)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                  fraction (peak_db) * 100, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
cb_level_meter_get_peak (CbLevelMeter *self)
{
  g_return_val_if_fail (CB_IS_LEVEL_METER (self), -700);
  return self->peak;
}

gboolean
cb_level_meter_get_clipping (CbLevelMeter *self)
{
  g_return_val_if_fail (CB_IS_LEVEL_METER (self), FALSE);
  return self->marked;
}
