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

G_END_DECLS
