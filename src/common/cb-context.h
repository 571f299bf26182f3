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
 * CbFlagSource: something made to run on a context by raising a flag. A GSource of its
 * own per session would cost every iteration of the loop its prepare and check (GLib
 * looks at every source of a context each time, taking a reference and a lock for each),
 * and g_source_set_ready_time() writes the context's wakeup descriptor on every change.
 * So a flag source is a GSource for its life alone (references, g_source_destroy(), a
 * finalize) and is never attached: raised, it joins the ready list of its context's one
 * hub (cb-context.c), whose dispatch runs what was raised. Raising it on the context's
 * own thread costs no system call: the loop looks at the list before it next polls.
 * Embed it first in a source's struct, with cb_flag_source_finalize in its GSourceFuncs
 * (or called from its own finalize), and set it up with cb_flag_source_attach(), which
 * says what a run does.
 *
 * Batches (cb_context_batch_begin/end): a flag source raised on its context's own thread
 * inside a batch runs when the batch ends, in the same dispatch, instead of in the
 * context's next iteration. A reader that has just fanned a packet out to many sessions
 * drains and writes all of them before it returns; the hub's dispatch is a batch too.
 */
typedef struct _CbFlagSource CbFlagSource;

/* What a run of @source does; its flag is lowered first. */
typedef void (*CbFlagSourceRun) (CbFlagSource *source);

struct _CbFlagSource
{
  GSource          parent;
  GMainContext    *context;   /* not owned: outlives every user of the source */
  gpointer         hub;       /* the context's hub, referenced */
  gint             raised;    /* atomic */
  CbFlagSourceRun  run;
};

static inline void
cb_flag_source_lower (CbFlagSource *self)
{
  g_atomic_int_set (&self->raised, 0);
}

/* Runs on @context when raised, until g_source_destroy(). */
void cb_flag_source_attach   (CbFlagSource    *self,
                              GMainContext    *context,
                              CbFlagSourceRun  run);
/* The finalize of a flag source's GSourceFuncs, or called from it. */
void cb_flag_source_finalize (GSource         *source);

/* Thread-safe. Another thread wakes the context up; its own thread needs not, and in a
 * batch the source runs at the batch's end. */
void cb_flag_source_raise  (CbFlagSource *self);

/* With @ticking, @self is raised once a second, together with every other ticking flag
 * source of its context: one timer for all of them, where a timer each would be one more
 * source for GLib to look at in every iteration of the loop. The context holds a ticking
 * source: set it back to not ticking before it is destroyed. Thread-safe. */
void cb_flag_source_set_ticking (CbFlagSource *self,
                                 gboolean      ticking);

/* Batches nest; the outermost end runs what was raised in them, on this thread, and what
 * those runs raise (their callbacks may free their owners). */
void cb_context_batch_begin (void);
void cb_context_batch_end   (void);

G_END_DECLS
