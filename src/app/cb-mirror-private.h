/* cb-mirror-private.h — what CbStreamList and CbDestinationList share: following engine
 * state from the UI thread, and keeping rows in a GListModel
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-engine.h"

G_BEGIN_DECLS

typedef struct _CbMirror CbMirror;

/* Engine thread: a copy of what the signal is about (@object: the CbStream, the
 * CbPushAgent) that the UI thread may read. */
typedef gpointer    (*CbMirrorSnapshotFunc) (gpointer    object);
/* UI thread, only while the list lives. @tag: with an "added" snapshot, the tag that was
 * set (cb_mirror_set_tag()) when the object was added; else NULL. */
typedef void        (*CbMirrorApplyFunc)    (gpointer    list,
                                             gpointer    snapshot,
                                             const char *tag);

typedef struct
{
  const char           *name;           /* of the engine's signal */
  CbMirrorSnapshotFunc  snapshot;
  GDestroyNotify        snapshot_free;
  CbMirrorApplyFunc     apply;
} CbMirrorSignal;

typedef struct
{
  /* A signal whose name is NULL is not followed. */
  CbMirrorSignal   added;
  CbMirrorSignal   changed;     /* also takes and applies the snapshots of a listing */
  CbMirrorSignal   removed;
  /* A signal with no arguments that only says something changed (the engine's
   * "recordings-changed"): each emission sends a listing. NULL for none. */
  const char      *relist;

  /* A listing: engine thread, every object there is (an array that holds them). */
  GPtrArray      *(*list_all)     (CbEngine   *engine);
  /* UI thread: what tells the snapshots of a listing apart. */
  const char     *(*snapshot_id)  (gpointer    snapshot);
  /* UI thread, after a listing: the rows whose id is not in @ids are of objects gone. */
  void            (*drop_missing) (gpointer    list,
                                   GHashTable *ids);
} CbMirrorFuncs;

/* On the UI thread, in the context that is thread-default there. */
CbMirror   *cb_mirror_new       (gpointer             list,
                                 const CbMirrorFuncs *funcs);
CbMirror   *cb_mirror_ref       (CbMirror            *mirror);
void        cb_mirror_unref     (CbMirror            *mirror);
/* UI thread: the list, or NULL once it is gone. */
gpointer    cb_mirror_get_list  (CbMirror            *mirror);
/* Any thread: runs @func in the UI context, after the updates sent before. */
void        cb_mirror_invoke    (CbMirror            *mirror,
                                 GSourceFunc          func,
                                 gpointer             data,
                                 GDestroyNotify       destroy);

/* UI thread: follow the signals, then everything there is, once. */
void        cb_mirror_connect   (CbMirror            *mirror,
                                 CbEngine            *engine);
/* UI thread: everything there is again, unless an earlier listing is still on its way. */
void        cb_mirror_refresh   (CbMirror            *mirror,
                                 CbEngine            *engine);
/* UI thread, from the list's dispose: nothing reaches the list any more. */
void        cb_mirror_close     (CbMirror            *mirror,
                                 CbEngine            *engine);

/* Engine thread only: everything there is, now; after an operation, so that its answer
 * (sent next with cb_mirror_invoke()) finds the list with what it changed. */
void        cb_mirror_send_listing (CbMirror         *mirror,
                                    CbEngine         *engine);

/* Engine thread only: what the list is doing there while an engine call it made may add
 * an object (CbDestinationList: whose push is starting). NULL when done. */
void        cb_mirror_set_tag   (CbMirror            *mirror,
                                 const char          *tag);

/* The rows of such a list (@rows holds references; @n_items is the list's "n-items"),
 * changed with the signals a GListModel owes. UI thread only. */
gpointer    cb_mirror_rows_get_item (GPtrArray  *rows,
                                     guint       position);
void        cb_mirror_rows_insert   (GListModel *model,
                                     GPtrArray  *rows,
                                     GParamSpec *n_items,
                                     guint       position,
                                     gpointer    row);
void        cb_mirror_rows_remove   (GListModel *model,
                                     GPtrArray  *rows,
                                     GParamSpec *n_items,
                                     guint       position);
void        cb_mirror_rows_clear    (GListModel *model,
                                     GPtrArray  *rows);

G_END_DECLS
