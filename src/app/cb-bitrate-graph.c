/* cb-bitrate-graph.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One column per second, the newest on the right, drawn with plain colour nodes (no
 * cairo): a translucent body and a solid cap. The colour is the widget's CSS colour, so
 * the style sheet tints the graph by the destination's state. The scale is a round
 * figure above the peak, so the columns do not jump with every sample.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-bitrate-graph.h"

#define PADDING    3.0f
#define CAP_HEIGHT 2.0f

struct _CbBitrateGraph
{
  GtkWidget parent_instance;

  int       samples[CB_BITRATE_GRAPH_SPAN];
  guint     n_samples;
  int       peak;
};

G_DEFINE_FINAL_TYPE (CbBitrateGraph, cb_bitrate_graph, GTK_TYPE_WIDGET)

/* A round figure at least @value: 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten, so
 * that the tallest column fills most of the height. */
static int
round_scale (int value)
{
  static const int steps[] = { 10, 15, 20, 30, 40, 50, 60, 80 };

  for (int power = 10; power <= G_MAXINT / 100; power *= 10)
    for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
      if (value <= steps[i] * power)
        return steps[i] * power;
  return value;
}

static void
get_color (GtkWidget *widget,
           GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
cb_bitrate_graph_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  CbBitrateGraph *self = CB_BITRATE_GRAPH (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float inner_width = width - 2 * PADDING;
  float inner_height = height - 2 * PADDING;
  float slot, gap;
  GdkRGBA color, body, grid;
  int scale;

  if (inner_width <= 0 || inner_height <= 0)
    return;

  get_color (widget, &color);
  body = color;
  body.alpha *= 0.3f;
  grid = color;
  grid.alpha *= 0.12f;

  /* A faint line at half the scale, for a sense of the range. */
  gtk_snapshot_append_color (snapshot, &grid,
                             &GRAPHENE_RECT_INIT (PADDING, PADDING + inner_height / 2,
                                                  inner_width, 1));

  if (self->n_samples == 0)
    return;

  scale = round_scale (MAX (self->peak + self->peak / 8, 1));
  slot = inner_width / CB_BITRATE_GRAPH_SPAN;
  gap = slot >= 3 ? 1 : 0;

  for (guint i = 0; i < self->n_samples; i++)
    {
      /* Right-aligned: the newest sample is the last column. */
      guint column = CB_BITRATE_GRAPH_SPAN - self->n_samples + i;
      float x = PADDING + column * slot;
      float h = inner_height * MIN (self->samples[i], scale) / (float) scale;

      if (self->samples[i] <= 0)
        continue;
      h = MAX (h, CAP_HEIGHT);
      gtk_snapshot_append_color (snapshot, &body,
                                 &GRAPHENE_RECT_INIT (x, PADDING + inner_height - h,
                                                      slot - gap, h));
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (x, PADDING + inner_height - h,
                                                      slot - gap, CAP_HEIGHT));
    }
}

static void
cb_bitrate_graph_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = CB_BITRATE_GRAPH_SPAN;
      *natural = CB_BITRATE_GRAPH_SPAN * 3;
    }
  else
    {
      *minimum = 16;
      *natural = 32;
    }
}

static void
cb_bitrate_graph_class_init (CbBitrateGraphClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = cb_bitrate_graph_snapshot;
  widget_class->measure = cb_bitrate_graph_measure;

  gtk_widget_class_set_css_name (widget_class, "bitrategraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cb_bitrate_graph_init (CbBitrateGraph *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sent bitrate over the last minute"),
                                  -1);
}

GtkWidget *
cb_bitrate_graph_new (void)
{
  return g_object_new (CB_TYPE_BITRATE_GRAPH, NULL);
}

void
cb_bitrate_graph_set_samples (CbBitrateGraph *self,
                              const int      *samples,
                              guint           n_samples)
{
  g_autofree char *tooltip = NULL;

  g_return_if_fail (CB_IS_BITRATE_GRAPH (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  if (n_samples > CB_BITRATE_GRAPH_SPAN)
    {
      samples += n_samples - CB_BITRATE_GRAPH_SPAN;
      n_samples = CB_BITRATE_GRAPH_SPAN;
    }
  if (n_samples > 0)
    memcpy (self->samples, samples, n_samples * sizeof (int));
  self->n_samples = n_samples;

  self->peak = 0;
  for (guint i = 0; i < n_samples; i++)
    self->peak = MAX (self->peak, self->samples[i]);

  if (self->peak > 0)
    tooltip = g_strdup_printf (_("Peak in the last minute: %d kbit/s"), self->peak);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cb_bitrate_graph_get_n_samples (CbBitrateGraph *self)
{
  g_return_val_if_fail (CB_IS_BITRATE_GRAPH (self), 0);
  return self->n_samples;
}

int
cb_bitrate_graph_get_peak (CbBitrateGraph *self)
{
  g_return_val_if_fail (CB_IS_BITRATE_GRAPH (self), 0);
  return self->peak;
}
