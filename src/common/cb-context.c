/* cb-context.c — flag sources raised in a batch run at its end
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See cb-context.h. A batch is per thread: the sources raised on it, each referenced once,
 * in the order raised.
 */
#include "cb-context.h"

typedef struct {
  guint      depth;
  GPtrArray *raised;   /* CbFlagSource*, referenced */
} Batch;

static GPrivate batch_key;

void
cb_flag_source_raise (CbFlagSource *self)
{
  Batch *batch;

  g_return_if_fail (self != NULL);

  if (!g_atomic_int_compare_and_exchange (&self->raised, 0, 1))
    return;   /* raised already: it runs once for both */
  if (!g_main_context_is_owner (self->context))
    {
      g_main_context_wakeup (self->context);
      return;
    }
  batch = g_private_get (&batch_key);
  if (batch != NULL)
    g_ptr_array_add (batch->raised, g_source_ref (&self->parent));
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
   * destroyed meanwhile, or already run by its context, is left alone. */
  for (guint i = 0; i < batch->raised->len; i++)
    {
      CbFlagSource *source = g_ptr_array_index (batch->raised, i);

      if (!g_source_is_destroyed (&source->parent) &&
          g_atomic_int_compare_and_exchange (&source->raised, 1, 0))
        source->run (source);
    }
  g_private_set (&batch_key, NULL);
  g_ptr_array_unref (batch->raised);
  g_free (batch);
}
