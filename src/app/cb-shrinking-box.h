/* cb-shrinking-box.h — a row that leaves out its least needed children when narrow
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CB_TYPE_SHRINKING_BOX (cb_shrinking_box_get_type ())
G_DECLARE_FINAL_TYPE (CbShrinkingBox, cb_shrinking_box, CB, SHRINKING_BOX, GtkWidget)

/**
 * CbShrinkingBox:
 *
 * A horizontal row, 6 pixels between children, for a header bar's start: it asks only
 * for the minimum width of the children it always keeps, so that the header bar shrinks
 * it instead of clipping it. Given less than all its children's natural widths, it leaves
 * out (hides, without a new layout) the children of the highest drop rank first, then the
 * next; rank 0 is never left out and is shrunk to its minimum width instead.
 *
 * In a UI file, `<child type="drop-N">` appends a child of drop rank N; `<child>` of 0.
 */
GtkWidget *cb_shrinking_box_new    (void);
void       cb_shrinking_box_append (CbShrinkingBox *self,
                                    GtkWidget      *child,
                                    guint           drop_rank);

G_END_DECLS
