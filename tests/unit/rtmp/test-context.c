/* test-context.c — flag sources and their context's hub (src/common/cb-context.c)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cb-context.h"

typedef struct Flag Flag;
struct Flag {
  CbFlagSource  parent;
  guint         runs;
  Flag         *then;        /* raised by this one's run */
  gint         *finalized;   /* counted at finalize */
};

static void
flag_finalize (GSource *source)
{
  Flag *flag = (Flag *) source;

  if (flag->finalized != NULL)
    (*flag->finalized)++;
  cb_flag_source_finalize (source);
}

static GSourceFuncs flag_funcs = { NULL, NULL, NULL, flag_finalize, NULL, NULL };

static void
run_flag (CbFlagSource *source)
{
  Flag *flag = (Flag *) source;

  flag->runs++;
  if (flag->then != NULL)
    cb_flag_source_raise (&flag->then->parent);
}

static Flag *
flag_new (GMainContext *context,
          gint         *finalized)
{
  Flag *flag = (Flag *) g_source_new (&flag_funcs, sizeof (Flag));

  flag->finalized = finalized;
  cb_flag_source_attach (&flag->parent, context, run_flag);
  return flag;
}

static void
flag_free (Flag *flag)
{
  g_source_destroy (&flag->parent.parent);
  g_source_unref (&flag->parent.parent);
}

static void
iterate_all (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

/* Raised on the context's thread, outside a batch: the next iteration runs it, once for
 * two raises; what its run raises runs in the same dispatch (the hub's is a batch). */
static void
test_context_hub_runs (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint finalized = 0;
  Flag *a, *b;

  g_main_context_push_thread_default (context);
  g_assert_true (g_main_context_acquire (context));
  a = flag_new (context, &finalized);
  b = flag_new (context, &finalized);
  a->then = b;
  iterate_all (context);
  g_assert_cmpuint (a->runs, ==, 0);

  cb_flag_source_raise (&a->parent);
  cb_flag_source_raise (&a->parent);
  g_assert_cmpuint (a->runs, ==, 0);
  g_assert_true (g_main_context_iteration (context, FALSE));
  g_assert_cmpuint (a->runs, ==, 1);
  g_assert_cmpuint (b->runs, ==, 1);
  iterate_all (context);
  g_assert_cmpuint (a->runs, ==, 1);
  g_assert_cmpuint (b->runs, ==, 1);

  /* Destroyed after its raise: never runs, and goes when its last reference does. */
  cb_flag_source_raise (&b->parent);
  flag_free (b);
  a->then = NULL;
  iterate_all (context);
  g_assert_cmpint (finalized, ==, 1);
  flag_free (a);
  g_assert_cmpint (finalized, ==, 2);
  g_main_context_release (context);
  g_main_context_pop_thread_default (context);
}

/* Inside a batch it runs at the batch's end, not in an iteration. */
static void
test_context_batch (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Flag *a;

  g_main_context_push_thread_default (context);
  g_assert_true (g_main_context_acquire (context));
  a = flag_new (context, NULL);
  cb_context_batch_begin ();
  cb_flag_source_raise (&a->parent);
  g_assert_cmpuint (a->runs, ==, 0);
  cb_context_batch_end ();
  g_assert_cmpuint (a->runs, ==, 1);
  iterate_all (context);
  g_assert_cmpuint (a->runs, ==, 1);
  flag_free (a);
  g_main_context_release (context);
  g_main_context_pop_thread_default (context);
}

static gpointer
raise_later (gpointer data)
{
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  cb_flag_source_raise (data);
  return NULL;
}

/* Raised on another thread: it wakes the context, which runs it. */
static void
test_context_other_thread (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GThread *thread;
  Flag *a;

  g_main_context_push_thread_default (context);
  a = flag_new (context, NULL);
  thread = g_thread_new ("raiser", raise_later, &a->parent);
  while (a->runs == 0)
    g_main_context_iteration (context, TRUE);   /* blocks until woken */
  g_thread_join (thread);
  g_assert_cmpuint (a->runs, ==, 1);
  flag_free (a);
  g_main_context_pop_thread_default (context);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/context/hub-runs", test_context_hub_runs);
  g_test_add_func ("/cb/context/batch", test_context_batch);
  g_test_add_func ("/cb/context/other-thread", test_context_other_thread);
  return g_test_run ();
}
