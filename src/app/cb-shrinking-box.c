/* cb-shrinking-box.c — a row that leaves out its least needed children when narrow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cb-shrinking-box.h"

#define SPACING 6
#define RANK_KEY "cb-drop-rank"

struct _CbShrinkingBox
{
  GtkWidget parent_instance;
};

static void cb_shrinking_box_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbShrinkingBox, cb_shrinking_box, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      cb_shrinking_box_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

static guint
rank_of (GtkWidget *child)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), RANK_KEY));
}

/* The sum of the widths of the visible children of rank ≤ @max_rank, with the spacing. */
static void
measure_row (CbShrinkingBox *self,
             guint           max_rank,
             int            *minimum,
             int            *natural)
{
  int n = 0;

  *minimum = *natural = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      int min = 0, nat = 0;

      if (!gtk_widget_get_visible (c) || rank_of (c) > max_rank)
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      *minimum += min;
      *natural += nat;
      n++;
    }
  if (n > 1)
    {
      *minimum += (n - 1) * SPACING;
      *natural += (n - 1) * SPACING;
    }
}

static guint
max_rank (CbShrinkingBox *self)
{
  guint rank = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    rank = MAX (rank, rank_of (c));
  return rank;
}

static void
cb_shrinking_box_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CbShrinkingBox *self = CB_SHRINKING_BOX (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int unused;

      measure_row (self, 0, minimum, &unused);
      measure_row (self, G_MAXUINT, &unused, natural);
      *natural = MAX (*natural, *minimum);
      return;
    }
  *minimum = *natural = 0;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      int min = 0, nat = 0;

      if (!gtk_widget_get_visible (c))
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

static void
cb_shrinking_box_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CbShrinkingBox *self = CB_SHRINKING_BOX (widget);
  guint keep = max_rank (self);
  int minimum, natural, extra, x = 0, n_kept = 0;
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (GtkRequestedSize));

  /* Leave out ranks, highest first, until what is kept fits at its natural width (or
   * only rank 0 is left, which then shrinks). */
  for (;;)
    {
      measure_row (self, keep, &minimum, &natural);
      if (natural <= width || keep == 0)
        break;
      keep--;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkRequestedSize size = { c, 0, 0 };

      gtk_widget_set_child_visible (c, rank_of (c) <= keep);
      if (!gtk_widget_get_visible (c) || rank_of (c) > keep)
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &size.minimum_size,
                          &size.natural_size, NULL, NULL);
      g_array_append_val (sizes, size);
      n_kept++;
    }
  /* Each gets its minimum, then the rest goes towards their natural widths. */
  extra = width - minimum;
  if (extra > 0)
    gtk_distribute_natural_allocation (extra, sizes->len, (GtkRequestedSize *) sizes->data);
  for (guint i = 0; i < sizes->len; i++)
    {
      GtkRequestedSize *size = &g_array_index (sizes, GtkRequestedSize, i);

      gtk_widget_size_allocate (size->data, &(GtkAllocation) { x, 0, size->minimum_size, height },
                                baseline);
      x += size->minimum_size + SPACING;
    }
  g_array_free (sizes, TRUE);
}

static void
cb_shrinking_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cb_shrinking_box_parent_class)->dispose (object);
}

static void
cb_shrinking_box_class_init (CbShrinkingBoxClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cb_shrinking_box_dispose;
  widget_class->measure = cb_shrinking_box_measure;
  widget_class->size_allocate = cb_shrinking_box_size_allocate;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cb_shrinking_box_init (CbShrinkingBox *self)
{
}

static void
cb_shrinking_box_add_child (GtkBuildable *buildable,
                            GtkBuilder   *builder,
                            GObject      *child,
                            const char   *type)
{
  if (!GTK_IS_WIDGET (child))
    {
      parent_buildable_iface->add_child (buildable, builder, child, type);
      return;
    }
  cb_shrinking_box_append (CB_SHRINKING_BOX (buildable), GTK_WIDGET (child),
                           type != NULL && g_str_has_prefix (type, "drop-")
                           ? (guint) strtoul (type + strlen ("drop-"), NULL, 10) : 0);
}

static void
cb_shrinking_box_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = cb_shrinking_box_add_child;
}

GtkWidget *
cb_shrinking_box_new (void)
{
  return g_object_new (CB_TYPE_SHRINKING_BOX, NULL);
}

void
cb_shrinking_box_append (CbShrinkingBox *self,
                         GtkWidget      *child,
                         guint           drop_rank)
{
  g_return_if_fail (CB_IS_SHRINKING_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child) && gtk_widget_get_parent (child) == NULL);

  g_object_set_data (G_OBJECT (child), RANK_KEY, GUINT_TO_POINTER (drop_rank));
  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}
