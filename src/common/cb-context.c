/* cb-context.c — flag sources: one hub per context runs the raised ones; those raised in a
 * batch run at its end
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See cb-context.h. A hub is the one attached GSource of a context's flag sources: a list
 * of the raised ones (each referenced once, in the order raised) under a lock, and a
 * count the loop reads before it polls. A batch is per thread, the same kind of list
 * without a lock.
 */
#include "cb-context.h"

typedef struct {
  GSource       parent;
  GMainContext *context;   /* its key in hubs: not referenced, may be gone at finalize */
  GMutex        lock;
  GPtrArray    *ready;     /* CbFlagSource*, referenced; under lock */
  GPtrArray    *spare;     /* the dispatch's own, emptied; the context's thread */
  gint          n_ready;   /* atomic: ready->len */
  GPtrArray    *ticking;   /* CbFlagSource*, referenced, raised every second; under lock */
  GSource      *second;    /* the timer that raises them, while there are any; under lock */
} Hub;

typedef struct {
  guint      depth;
  GPtrArray *raised;   /* CbFlagSource*, referenced */
} Batch;

static void batch_free (gpointer data);

static GPrivate batch_key = G_PRIVATE_INIT (batch_free);

G_LOCK_DEFINE_STATIC (hubs);
static GHashTable *hubs;   /* GMainContext* → Hub*, not referenced; under the lock */

/* Runs what @list holds that is still raised and not destroyed, then empties it. What the
 * runs raise on this thread joins @list (a batch's) and runs too. */
static void
run_all (GPtrArray *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      CbFlagSource *source = g_ptr_array_index (list, i);

      if (!g_source_is_destroyed (&source->parent) &&
          g_atomic_int_compare_and_exchange (&source->raised, 1, 0))
        source->run (source);
    }
  g_ptr_array_set_size (list, 0);
}

static gboolean
hub_prepare (GSource *source,
             gint    *timeout)
{
  *timeout = -1;
  return g_atomic_int_get (&((Hub *) source)->n_ready) > 0;
}

static gboolean
hub_check (GSource *source)
{
  return g_atomic_int_get (&((Hub *) source)->n_ready) > 0;
}

static gboolean
hub_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     data)
{
  Hub *hub = (Hub *) source;
  GPtrArray *list;

  g_mutex_lock (&hub->lock);
  list = hub->ready;
  hub->ready = hub->spare != NULL ? hub->spare
                                  : g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  hub->spare = NULL;
  g_atomic_int_set (&hub->n_ready, 0);
  g_mutex_unlock (&hub->lock);

  /* What the runs raise on this thread (a drain kicks its writer) runs before we return. */
  cb_context_batch_begin ();
  run_all (list);
  cb_context_batch_end ();
  if (hub->spare == NULL)   /* a nested dispatch may have put its own back */
    hub->spare = list;
  else
    g_ptr_array_unref (list);
  return G_SOURCE_CONTINUE;
}

static void
hub_finalize (GSource *source)
{
  Hub *hub = (Hub *) source;

  G_LOCK (hubs);
  if (hubs != NULL && g_hash_table_lookup (hubs, hub->context) == hub)
    g_hash_table_remove (hubs, hub->context);
  G_UNLOCK (hubs);
  g_ptr_array_unref (hub->ready);
  g_clear_pointer (&hub->spare, g_ptr_array_unref);
  /* The timer holds the hub, and so does every ticking flag: both are gone, the timer
   * destroyed with the context. */
  g_ptr_array_unref (hub->ticking);
  g_clear_pointer (&hub->second, g_source_unref);
  g_mutex_clear (&hub->lock);
}

static GSourceFuncs hub_funcs = {
  hub_prepare, hub_check, hub_dispatch, hub_finalize, NULL, NULL,
};

/* The context's hub, referenced: made and attached if it has none (or only a destroyed
 * one, of a context that went at this address). */
static Hub *
hub_for (GMainContext *context)
{
  Hub *hub;

  G_LOCK (hubs);
  if (hubs == NULL)
    hubs = g_hash_table_new (NULL, NULL);
  hub = g_hash_table_lookup (hubs, context);
  if (hub == NULL || g_source_is_destroyed (&hub->parent))
    {
      hub = (Hub *) g_source_new (&hub_funcs, sizeof (Hub));
      g_mutex_init (&hub->lock);
      hub->context = context;
      hub->ready = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
      hub->ticking = g_ptr_array_new ();
      g_source_set_static_name (&hub->parent, "cb-flag-hub");
      /* A flag's run may iterate the context (a synchronous call in a test, a dialog):
       * what is raised meanwhile still runs. */
      g_source_set_can_recurse (&hub->parent, TRUE);
      g_source_attach (&hub->parent, context);
      /* The context holds it; ours is the callers'. */
      g_hash_table_insert (hubs, context, hub);
    }
  else
    g_source_ref (&hub->parent);
  G_UNLOCK (hubs);
  return hub;
}

void
cb_flag_source_attach (CbFlagSource    *self,
                       GMainContext    *context,
                       CbFlagSourceRun  run)
{
  g_return_if_fail (self != NULL && run != NULL && self->hub == NULL);

  if (context == NULL)
    context = g_main_context_default ();
  self->context = context;
  self->run = run;
  self->hub = hub_for (context);
}

void
cb_flag_source_finalize (GSource *source)
{
  CbFlagSource *self = (CbFlagSource *) source;

  if (self->hub != NULL)
    g_source_unref (&((Hub *) self->hub)->parent);
  self->hub = NULL;
}

/* FALSE when the hub's context is gone: nothing would run it (and the list would hold the
 * flag that holds the hub). */
static gboolean
hub_push (Hub          *hub,
          CbFlagSource *source)
{
  gboolean alive;

  g_mutex_lock (&hub->lock);
  alive = !g_source_is_destroyed (&hub->parent);
  if (alive)
    {
      g_ptr_array_add (hub->ready, g_source_ref (&source->parent));
      g_atomic_int_set (&hub->n_ready, hub->ready->len);
    }
  g_mutex_unlock (&hub->lock);
  return alive;
}

void
cb_flag_source_raise (CbFlagSource *self)
{
  gboolean own_thread;

  g_return_if_fail (self != NULL && self->hub != NULL);

  if (!g_atomic_int_compare_and_exchange (&self->raised, 0, 1))
    return;   /* raised already: it runs once for both */
  own_thread = g_main_context_is_owner (self->context);
  if (own_thread)
    {
      Batch *batch = g_private_get (&batch_key);

      if (batch != NULL && batch->depth > 0)
        {
          g_ptr_array_add (batch->raised, g_source_ref (&self->parent));
          return;
        }
    }
  /* Its own thread's loop looks at the hub before it polls again; another wakes it. */
  if (hub_push (self->hub, self) && !own_thread)
    g_main_context_wakeup (self->context);
}

/* Once a second: raises every ticking flag of the hub, in one batch. */
static gboolean
second_dispatch (gpointer data)
{
  Hub *hub = data;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  gboolean keep;

  g_mutex_lock (&hub->lock);
  for (guint i = 0; i < hub->ticking->len; i++)
    g_ptr_array_add (due, g_source_ref (g_ptr_array_index (hub->ticking, i)));
  keep = hub->ticking->len > 0;
  if (!keep)
    g_clear_pointer (&hub->second, g_source_unref);
  g_mutex_unlock (&hub->lock);

  cb_context_batch_begin ();
  for (guint i = 0; i < due->len; i++)
    cb_flag_source_raise (g_ptr_array_index (due, i));
  cb_context_batch_end ();
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
cb_flag_source_set_ticking (CbFlagSource *self,
                            gboolean      ticking)
{
  GSource *timer = NULL;
  Hub *hub;
  gboolean was;

  g_return_if_fail (self != NULL && self->hub != NULL);

  hub = self->hub;
  g_mutex_lock (&hub->lock);
  was = g_ptr_array_find (hub->ticking, self, NULL);
  if (ticking && !was && !g_source_is_destroyed (&hub->parent))
    {
      g_ptr_array_add (hub->ticking, g_source_ref (&self->parent));
      if (hub->second == NULL)
        {
          hub->second = g_timeout_source_new (1000);
          g_source_set_static_name (hub->second, "cb-flag-hub second");
          g_source_set_callback (hub->second, second_dispatch, g_source_ref (&hub->parent),
                                 (GDestroyNotify) g_source_unref);
          g_source_attach (hub->second, self->context);
        }
    }
  else if (!ticking && was)
    {
      g_ptr_array_remove (hub->ticking, self);
      if (hub->ticking->len == 0)
        timer = g_steal_pointer (&hub->second);
    }
  g_mutex_unlock (&hub->lock);
  /* Outside the lock: the list's reference (the caller holds one more), the timer. */
  if (!ticking && was)
    g_source_unref (&self->parent);
  if (timer != NULL)
    cb_clear_source (&timer);
}

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  g_ptr_array_unref (batch->raised);
  g_free (batch);
}

void
cb_context_batch_begin (void)
{
  Batch *batch = g_private_get (&batch_key);

  if (batch == NULL)
    {
      batch = g_new0 (Batch, 1);
      batch->raised = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
      g_private_set (&batch_key, batch);
    }
  batch->depth++;
}

void
cb_context_batch_end (void)
{
  Batch *batch = g_private_get (&batch_key);

  g_return_if_fail (batch != NULL && batch->depth > 0);

  if (batch->depth > 1)
    {
      batch->depth--;
      return;
    }
  /* Still open while they run: what a run raises joins the list and runs too. A source
   * destroyed meanwhile, or already run by its hub, is left alone. */
  run_all (batch->raised);
  batch->depth = 0;
}
