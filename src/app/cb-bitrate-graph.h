/* cb-bitrate-graph.h — a small live graph of a bitrate over the last minute
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CB_TYPE_BITRATE_GRAPH (cb_bitrate_graph_get_type ())
G_DECLARE_FINAL_TYPE (CbBitrateGraph, cb_bitrate_graph, CB, BITRATE_GRAPH, GtkWidget)

GtkWidget *cb_bitrate_graph_new           (void);
/* One sample a second, oldest first, kbit/s; the graph keeps a copy of the last
 * CB_BITRATE_GRAPH_SPAN of them. */
void       cb_bitrate_graph_set_samples   (CbBitrateGraph *self,
                                           const int      *samples,
                                           guint           n_samples);
guint      cb_bitrate_graph_get_n_samples (CbBitrateGraph *self);
/* The highest sample shown, kbit/s. */
int        cb_bitrate_graph_get_peak      (CbBitrateGraph *self);

#define CB_BITRATE_GRAPH_SPAN 60

G_END_DECLS
