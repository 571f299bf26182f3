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

/* The test's thread owns @context, as a loop's thread does. */
static void
enter (GMainContext *context)
{
  g_main_context_push_thread_default (context);
  g_assert_true (g_main_context_acquire (context));
}

static void
leave (GMainContext *context)
{
  g_main_context_release (context);
  g_main_context_pop_thread_default (context);
}

/* Raised on the context's thread, outside a batch: the next iteration runs it, once for
 * two raises; what its run raises runs in the same dispatch (the hub's is a batch). */
static void
test_context_hub_runs (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint finalized = 0;
  Flag *a, *b;

  enter (context);
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
  leave (context);
}

/* Inside a batch it runs at the batch's end, not in an iteration. */
static void
test_context_batch (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Flag *a;

  enter (context);
  a = flag_new (context, NULL);
  cb_context_batch_begin ();
  cb_flag_source_raise (&a->parent);
  g_assert_cmpuint (a->runs, ==, 0);
  cb_context_batch_end ();
  g_assert_cmpuint (a->runs, ==, 1);
  iterate_all (context);
  g_assert_cmpuint (a->runs, ==, 1);
  flag_free (a);
  leave (context);
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

static gboolean
quit_later (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* How long @context would wait in its poll now: -1 when it has no timer. */
static gint
poll_timeout (GMainContext *context)
{
  GPollFD fds[16];
  gint priority, timeout = 0, n;

  g_main_context_prepare (context, &priority);
  n = g_main_context_query (context, priority, &timeout, fds, G_N_ELEMENTS (fds));
  g_assert_cmpint (n, <=, (gint) G_N_ELEMENTS (fds));
  g_main_context_check (context, priority, fds, n);
  return timeout;
}

/* Runs @context for about @ms milliseconds. */
static void
run_for (GMainContext *context,
         guint         ms)
{
  gboolean done = FALSE;
  GSource *timer = g_timeout_source_new (ms);

  g_source_set_callback (timer, quit_later, &done, NULL);
  g_source_attach (timer, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_source_unref (timer);
}

/* Ticking flags run once a second from one timer of the context; one set back to not
 * ticking stops, and the timer goes with the last one (the flags go when dropped). */
static void
test_context_ticking (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint finalized = 0;
  Flag *a, *b;

  enter (context);
  a = flag_new (context, &finalized);
  b = flag_new (context, &finalized);
  iterate_all (context);
  g_assert_cmpint (poll_timeout (context), ==, -1);

  cb_flag_source_set_ticking (&a->parent, TRUE);
  cb_flag_source_set_ticking (&a->parent, TRUE);   /* once is enough */
  cb_flag_source_set_ticking (&b->parent, TRUE);
  g_assert_cmpint (poll_timeout (context), >, 0);
  run_for (context, 2500);
  g_assert_cmpuint (a->runs, ==, 2);
  g_assert_cmpuint (b->runs, ==, 2);

  cb_flag_source_set_ticking (&a->parent, FALSE);
  run_for (context, 1100);
  g_assert_cmpuint (a->runs, ==, 2);
  g_assert_cmpuint (b->runs, ==, 3);

  cb_flag_source_set_ticking (&b->parent, FALSE);
  cb_flag_source_set_ticking (&b->parent, FALSE);  /* not ticking: nothing to do */
  g_assert_cmpint (poll_timeout (context), ==, -1);
  run_for (context, 1100);
  g_assert_cmpuint (b->runs, ==, 3);
  flag_free (a);
  flag_free (b);
  g_assert_cmpint (finalized, ==, 2);
  leave (context);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/context/hub-runs", test_context_hub_runs);
  g_test_add_func ("/cb/context/batch", test_context_batch);
  g_test_add_func ("/cb/context/other-thread", test_context_other_thread);
  g_test_add_func ("/cb/context/ticking", test_context_ticking);
  return g_test_run ();
}
