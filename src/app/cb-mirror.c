/* cb-mirror.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine lives on its own thread and emits its "*-added", "*-changed" and "*-removed"
 * signals there. Handlers take a snapshot (safe for any thread) and hop to the UI context;
 * the list itself is only touched on the UI thread. Every hop from the engine thread goes
 * through the same invoke on the same context, so updates arrive in the order they were
 * sent and a full listing never overtakes a removal that happened after it.
 *
 * The mirror is reference counted and outlives its list: what is still on its way (an
 * update, a call on the engine thread, an answer from a worker) finds the list through
 * it, or finds that it is gone.
 */
#include "config.h"

#include "cb-mirror-private.h"

struct _CbMirror
{
  gatomicrefcount      ref;
  GMainContext        *ui_context;
  const CbMirrorFuncs *funcs;
  gpointer             list;              /* UI thread only; NULL once closed */
  gboolean             refresh_pending;   /* UI thread only */
  gulong               handlers[4];       /* engine thread only: added, changed, removed, relist */
  const char          *tag;               /* engine thread only */
};

CbMirror *
cb_mirror_new (gpointer             list,
               const CbMirrorFuncs *funcs)
{
  CbMirror *mirror = g_new0 (CbMirror, 1);

  g_atomic_ref_count_init (&mirror->ref);
  mirror->ui_context = g_main_context_ref_thread_default ();
  mirror->funcs = funcs;
  mirror->list = list;
  return mirror;
}

CbMirror *
cb_mirror_ref (CbMirror *mirror)
{
  g_atomic_ref_count_inc (&mirror->ref);
  return mirror;
}

void
cb_mirror_unref (CbMirror *mirror)
{
  if (g_atomic_ref_count_dec (&mirror->ref))
    {
      g_main_context_unref (mirror->ui_context);
      g_free (mirror);
    }
}

gpointer
cb_mirror_get_list (CbMirror *mirror)
{
  return mirror->list;
}

void
cb_mirror_invoke (CbMirror       *mirror,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  g_main_context_invoke_full (mirror->ui_context, G_PRIORITY_DEFAULT, func, data, destroy);
}

void
cb_mirror_set_tag (CbMirror   *mirror,
                   const char *tag)
{
  mirror->tag = tag;
}

/* Hops from the engine thread to the UI thread. */

typedef struct
{
  CbMirror             *mirror;
  const CbMirrorSignal *signal;
  gpointer              snapshot;
  char                 *tag;
  GPtrArray            *listing;       /* instead: snapshots of everything there is */
} Update;

static void
update_free (gpointer data)
{
  Update *update = data;

  cb_mirror_unref (update->mirror);
  if (update->snapshot != NULL)
    update->signal->snapshot_free (update->snapshot);
  g_free (update->tag);
  g_clear_pointer (&update->listing, g_ptr_array_unref);
  g_free (update);
}

/* Everything there is: each snapshot is applied as a change, and what the list still
 * shows of objects that are not there any more goes. */
static void
apply_listing (CbMirror  *mirror,
               GPtrArray *listing)
{
  const CbMirrorFuncs *funcs = mirror->funcs;
  gpointer list = mirror->list;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < listing->len; i++)
    {
      gpointer snapshot = g_ptr_array_index (listing, i);

      g_hash_table_add (ids, (gpointer) funcs->snapshot_id (snapshot));
      funcs->changed.apply (list, snapshot, NULL);
    }
  funcs->drop_missing (list, ids);
}

static gboolean
update_apply (gpointer data)
{
  Update *update = data;
  CbMirror *mirror = update->mirror;

  if (mirror->list == NULL)
    return G_SOURCE_REMOVE;

  if (update->listing != NULL)
    {
      mirror->refresh_pending = FALSE;
      apply_listing (mirror, update->listing);
    }
  else
    update->signal->apply (mirror->list, update->snapshot, update->tag);
  return G_SOURCE_REMOVE;
}

static void
send_update (CbMirror *mirror,
             Update   *update)
{
  update->mirror = cb_mirror_ref (mirror);
  cb_mirror_invoke (mirror, update_apply, update, update_free);
}

static void
send_listing (CbMirror *mirror,
              CbEngine *engine)
{
  const CbMirrorSignal *changed = &mirror->funcs->changed;
  g_autoptr(GPtrArray) objects = mirror->funcs->list_all (engine);
  Update *update = g_new0 (Update, 1);

  update->listing = g_ptr_array_new_with_free_func (changed->snapshot_free);
  for (guint i = 0; i < objects->len; i++)
    g_ptr_array_add (update->listing, changed->snapshot (g_ptr_array_index (objects, i)));
  send_update (mirror, update);
}

void
cb_mirror_send_listing (CbMirror *mirror,
                        CbEngine *engine)
{
  send_listing (mirror, engine);
}

/* Each handler holds the mirror until the engine lets go of it. */
typedef struct
{
  CbMirror             *mirror;
  const CbMirrorSignal *signal;
} Handler;

static void
handler_free (gpointer  data,
              GClosure *closure)
{
  Handler *handler = data;

  cb_mirror_unref (handler->mirror);
  g_free (handler);
}

static void
on_engine_signal (CbEngine *engine,
                  gpointer  object,
                  Handler  *handler)
{
  Update *update = g_new0 (Update, 1);

  update->signal = handler->signal;
  update->snapshot = handler->signal->snapshot (object);
  /* Only an object's making can be a call the list made. */
  if (handler->signal == &handler->mirror->funcs->added)
    update->tag = g_strdup (handler->mirror->tag);
  send_update (handler->mirror, update);
}

static void
on_engine_relist (CbEngine *engine,
                  CbMirror *mirror)
{
  send_listing (mirror, engine);
}

static void
relist_free (gpointer  data,
             GClosure *closure)
{
  cb_mirror_unref (data);
}

/* Calls on the engine thread. */

typedef struct
{
  CbEngine *engine;
  CbMirror *mirror;
} EngineCall;

static EngineCall *
engine_call_new (CbEngine *engine,
                 CbMirror *mirror)
{
  EngineCall *call = g_new0 (EngineCall, 1);

  call->engine = g_object_ref (engine);
  call->mirror = cb_mirror_ref (mirror);
  return call;
}

static void
engine_call_free (gpointer data)
{
  EngineCall *call = data;

  g_object_unref (call->engine);
  cb_mirror_unref (call->mirror);
  g_free (call);
}

static gboolean
engine_connect (gpointer data)
{
  EngineCall *call = data;
  CbMirror *mirror = call->mirror;
  const CbMirrorSignal *signals[] = {
    &mirror->funcs->added, &mirror->funcs->changed, &mirror->funcs->removed
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (signals) + 1 == G_N_ELEMENTS (mirror->handlers));
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      Handler *handler;

      if (signals[i]->name == NULL)
        continue;
      handler = g_new0 (Handler, 1);

      handler->mirror = cb_mirror_ref (mirror);
      handler->signal = signals[i];
      mirror->handlers[i] =
        g_signal_connect_data (call->engine, handler->signal->name,
                               G_CALLBACK (on_engine_signal), handler, handler_free, 0);
    }
  if (mirror->funcs->relist != NULL)
    mirror->handlers[G_N_ELEMENTS (signals)] =
      g_signal_connect_data (call->engine, mirror->funcs->relist, G_CALLBACK (on_engine_relist),
                             cb_mirror_ref (mirror), relist_free, 0);

  /* After connecting, so that nothing falls between the list and the signals. */
  send_listing (mirror, call->engine);
  return G_SOURCE_REMOVE;
}

static gboolean
engine_disconnect (gpointer data)
{
  EngineCall *call = data;

  for (guint i = 0; i < G_N_ELEMENTS (call->mirror->handlers); i++)
    g_clear_signal_handler (&call->mirror->handlers[i], call->engine);
  return G_SOURCE_REMOVE;
}

static gboolean
engine_refresh (gpointer data)
{
  EngineCall *call = data;

  send_listing (call->mirror, call->engine);
  return G_SOURCE_REMOVE;
}

void
cb_mirror_connect (CbMirror *mirror,
                   CbEngine *engine)
{
  cb_engine_invoke (engine, engine_connect, engine_call_new (engine, mirror), engine_call_free);
}

void
cb_mirror_refresh (CbMirror *mirror,
                   CbEngine *engine)
{
  if (mirror->refresh_pending)
    return;
  mirror->refresh_pending = TRUE;
  cb_engine_invoke (engine, engine_refresh, engine_call_new (engine, mirror), engine_call_free);
}

void
cb_mirror_close (CbMirror *mirror,
                 CbEngine *engine)
{
  mirror->list = NULL;
  cb_engine_invoke (engine, engine_disconnect, engine_call_new (engine, mirror),
                    engine_call_free);
}

/* Rows. */

gpointer
cb_mirror_rows_get_item (GPtrArray *rows,
                         guint      position)
{
  if (position >= rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (rows, position));
}

void
cb_mirror_rows_insert (GListModel *model,
                       GPtrArray  *rows,
                       GParamSpec *n_items,
                       guint       position,
                       gpointer    row)
{
  g_assert (position <= rows->len);

  g_ptr_array_insert (rows, position, g_object_ref (row));
  g_list_model_items_changed (model, position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (model), n_items);
}

void
cb_mirror_rows_remove (GListModel *model,
                       GPtrArray  *rows,
                       GParamSpec *n_items,
                       guint       position)
{
  g_assert (position < rows->len);

  g_ptr_array_remove_index (rows, position);
  g_list_model_items_changed (model, position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (model), n_items);
}

/* From dispose: views still bound to the list let go of the rows. */
void
cb_mirror_rows_clear (GListModel *model,
                      GPtrArray  *rows)
{
  guint n = rows->len;

  if (n == 0)
    return;
  g_ptr_array_set_size (rows, 0);
  g_list_model_items_changed (model, 0, n, 0);
}
