/* cb-context.h — the two GLib main-context chores every library of Castbridge has
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib alone, so that src/rtmp/, which depends on nothing else, can use it; the batches'
 * few functions are in cb-context.c, built into the RTMP library.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * cb_idle_on:
 * @context: (nullable): where @func runs; %NULL for the global default context
 *
 * Runs @func on @context's loop, always later, never now — unlike
 * g_main_context_invoke(), which runs it at once when @context is free and this thread's
 * own: callers hold locks, are inside a signal emission or on a streaming thread.
 *
 * Returns: the source's id on @context
 */
static inline guint
cb_idle_on (GMainContext   *context,
            gint            priority,
            GSourceFunc     func,
            gpointer        data,
            GDestroyNotify  destroy)
{
  GSource *idle = g_idle_source_new ();
  guint id;

  g_source_set_priority (idle, priority);
  g_source_set_callback (idle, func, data, destroy);
  id = g_source_attach (idle, context);
  g_source_unref (idle);
  return id;
}

/* Destroys and drops a source kept by pointer; NULL afterwards. */
static inline void
cb_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

/*
 * CbFlagSource: a source made ready by raising a flag. g_source_set_ready_time() writes the
 * context's wakeup descriptor on every change, also from the context's own thread inside a
 * dispatch: a source made ready per packet and per session cost two system calls each
 * time. Raising the flag from the context's own thread costs nothing: the loop looks at
 * the flag before it next polls. Embed it first in a source's struct, put
 * cb_flag_source_prepare/check/dispatch in its GSourceFuncs, attach it with
 * cb_flag_source_attach(), which says what a dispatch runs.
 *
 * Batches (cb_context_batch_begin/end, cb-context.c): a flag source raised on its
 * context's own thread inside a batch runs when the batch ends, in the same dispatch,
 * instead of in the context's next iteration — which would prepare, poll and check every
 * source of the context once more for it. A reader that has just fanned a packet out to
 * many sessions drains and writes all of them before it returns.
 */
typedef struct _CbFlagSource CbFlagSource;

/* What a dispatch of @source does; its flag is lowered first. */
typedef void (*CbFlagSourceRun) (CbFlagSource *source);

struct _CbFlagSource
{
  GSource          parent;
  GMainContext    *context;   /* not owned: outlives every user of the source */
  gint             raised;    /* atomic */
  CbFlagSourceRun  run;
};

static inline gboolean
cb_flag_source_check (GSource *source)
{
  return g_atomic_int_get (&((CbFlagSource *) source)->raised) != 0;
}

static inline gboolean
cb_flag_source_prepare (GSource *source,
                        gint    *timeout)
{
  *timeout = -1;
  return cb_flag_source_check (source);
}

static inline void
cb_flag_source_lower (CbFlagSource *self)
{
  g_atomic_int_set (&self->raised, 0);
}

static inline gboolean
cb_flag_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     data)
{
  CbFlagSource *self = (CbFlagSource *) source;

  cb_flag_source_lower (self);
  self->run (self);
  return G_SOURCE_CONTINUE;
}

static inline void
cb_flag_source_attach (CbFlagSource    *self,
                       GMainContext    *context,
                       CbFlagSourceRun  run)
{
  self->context = context;
  self->run = run;
  g_source_attach (&self->parent, context);
}

/* Thread-safe. Another thread wakes the context up; its own thread needs not, and in a
 * batch the source runs at the batch's end. */
void cb_flag_source_raise  (CbFlagSource *self);

/* Batches nest; the outermost end runs what was raised in them, on this thread, and what
 * those runs raise (their callbacks may free their owners). */
void cb_context_batch_begin (void);
void cb_context_batch_end   (void);

G_END_DECLS
