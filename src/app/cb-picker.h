/* cb-picker.h — a dialog that lists things to capture and takes a click on one
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called with the index of the row that was clicked (in the order given). */
typedef void (*CbPickedFunc) (guint    index,
                              gpointer data);

/**
 * cb_picker_new:
 * @parent: (nullable): the window it is modal for
 * @title: the dialog's title
 * @icon: every row's icon, and the empty page's
 * @titles: the rows' titles
 * @subtitles: (nullable): their subtitles, as many
 * @empty_title: what the page says when @titles is empty
 * @empty_text: and under it, why and what to do
 * @func: called with the clicked row's index; the dialog closes then
 *
 * Returns: (transfer none): the dialog, to present
 */
GtkWidget *cb_picker_new      (GtkWindow           *parent,
                               const char          *title,
                               const char          *icon,
                               const char * const  *titles,
                               const char * const  *subtitles,
                               const char          *empty_title,
                               const char          *empty_text,
                               CbPickedFunc         func,
                               gpointer             data);

/* For tests: the row titled @title, or NULL. */
GtkWidget *cb_picker_find_row (GtkWidget           *picker,
                               const char          *title);

G_END_DECLS
