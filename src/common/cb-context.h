/* cb-context.h — the two GLib main-context chores every library of Castbridge has
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only (GLib alone), so that src/rtmp/, which depends on nothing else, can use it.
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
 * cb_flag_source_prepare/check in its GSourceFuncs, attach it with cb_flag_source_attach().
 */
typedef struct
{
  GSource       parent;
  GMainContext *context;   /* not owned: outlives every user of the source */
  gint          raised;    /* atomic */
} CbFlagSource;

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
cb_flag_source_attach (CbFlagSource *self,
                       GMainContext *context)
{
  self->context = context;
  g_source_attach (&self->parent, context);
}

/* Thread-safe. Another thread wakes the context up; its own thread needs not. */
static inline void
cb_flag_source_raise (CbFlagSource *self)
{
  if (g_atomic_int_compare_and_exchange (&self->raised, 0, 1) &&
      !g_main_context_is_owner (self->context))
    g_main_context_wakeup (self->context);
}

static inline void
cb_flag_source_lower (CbFlagSource *self)
{
  g_atomic_int_set (&self->raised, 0);
}

G_END_DECLS
