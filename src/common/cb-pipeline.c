/* cb-pipeline.c — one watch for every GStreamer pipeline Castbridge builds
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every pipeline's bus is read in one way: errors become GErrors that name the element and
 * carry GStreamer's debug text (what a log or a bug report needs), and the pipeline's graph is
 * written as a .dot file on an error and when it starts playing, when GST_DEBUG_DUMP_DOT_DIR
 * is set (gst-launch's habit). A bus no one reads keeps every message it is given, so every
 * pipeline that lives has a watch.
 */
#include "cb-pipeline.h"

#include "cb-context.h"

#define WATCH_KEY "cb-pipeline-watch"

typedef struct {
  GstElement     *pipeline;   /* not a reference: the watch is the pipeline's data */
  GstBus         *bus;
  GSource        *source;     /* NULL: synchronous */
  CbPipelineFunc  func;
  gpointer        data;
  GDestroyNotify  destroy;
} Watch;

/**
 * cb_pipeline_dump:
 * @why: the file's name after the pipeline's (e.g. "error")
 *
 * Writes @pipeline's graph to GST_DEBUG_DUMP_DOT_DIR (with a timestamp); nothing when it is
 * not set.
 */
void
cb_pipeline_dump (GstElement *pipeline,
                  const char *why)
{
  g_autofree char *name = NULL;

  if (pipeline == NULL || !GST_IS_BIN (pipeline) || g_getenv ("GST_DEBUG_DUMP_DOT_DIR") == NULL)
    return;
  name = g_strdup_printf ("%s-%s", GST_OBJECT_NAME (pipeline), why);
  GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (pipeline), GST_DEBUG_GRAPH_SHOW_ALL, name);
}

/**
 * cb_pipeline_error_new:
 * @pipeline: (nullable): the pipeline whose graph is dumped
 * @message: an error message of @pipeline's bus
 *
 * For pipelines read by polling their bus: what cb_pipeline_watch() gives its function.
 *
 * Returns: (transfer full): GStreamer's error, its message prefixed with the name of the
 *   element that posted it and followed by the debug text
 */
GError *
cb_pipeline_error_new (GstElement *pipeline,
                       GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  const char *element;

  g_return_val_if_fail (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR, NULL);

  gst_message_parse_error (message, &gst_error, &debug);
  element = GST_MESSAGE_SRC (message) != NULL ? GST_MESSAGE_SRC_NAME (message) : "?";
  cb_pipeline_dump (pipeline, "error");
  if (debug != NULL && debug[0] != '\0')
    return g_error_new (gst_error->domain, gst_error->code, "%s: %s (%s)", element,
                        gst_error->message, debug);
  return g_error_new (gst_error->domain, gst_error->code, "%s: %s", element, gst_error->message);
}

/**
 * cb_pipeline_error_text:
 * @message: an error message
 *
 * For answers and stream reasons, which people and clients read: GStreamer's own text of the
 * error, without the element's name or the debug text (those name files, folders and source
 * lines; they go to the log, in the #GError of cb_pipeline_error_new()).
 *
 * Returns: (transfer full): the text
 */
char *
cb_pipeline_error_text (GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;

  g_return_val_if_fail (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR, NULL);

  gst_message_parse_error (message, &gst_error, NULL);
  return g_strdup (gst_error->message);
}

static gboolean
deliver (Watch      *watch,
         GstMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    error = cb_pipeline_error_new (watch->pipeline, message);
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_STATE_CHANGED &&
           GST_MESSAGE_SRC (message) == GST_OBJECT (watch->pipeline))
    {
      GstState state;

      /* The graph as it plays, as gst-launch writes it. */
      gst_message_parse_state_changed (message, NULL, &state, NULL);
      if (state == GST_STATE_PLAYING)
        cb_pipeline_dump (watch->pipeline, "playing");
    }
  return watch->func (message, error, watch->data);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    data)
{
  return deliver (data, message);
}

static GstBusSyncReply
on_bus_sync (GstBus     *bus,
             GstMessage *message,
             gpointer    data)
{
  deliver (data, message);
  /* A sync handler that drops a message owns it (GstBusSyncHandler): without this unref
   * every message, and through its source every element, of the pipeline leaked. */
  gst_message_unref (message);
  return GST_BUS_DROP;
}

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  if (watch->source != NULL)
    cb_clear_source (&watch->source);
  else
    gst_bus_set_sync_handler (watch->bus, NULL, NULL, NULL);
  if (watch->destroy != NULL)
    watch->destroy (watch->data);
  gst_object_unref (watch->bus);
  g_free (watch);
}

/**
 * cb_pipeline_watch:
 * @pipeline: a #GstPipeline
 * @context: (nullable): where @func runs; %NULL: at once, on the thread that posts the
 *   message (a bus sync handler: @func must be quick and thread-safe, and the bus keeps
 *   nothing)
 * @func: called for every message of @pipeline's bus, with a #GError for errors
 *
 * One watch a pipeline: a second replaces the first. It ends with cb_pipeline_unwatch() or
 * with the pipeline; @destroy is called with @data then.
 */
void
cb_pipeline_watch (GstElement     *pipeline,
                   GMainContext   *context,
                   CbPipelineFunc  func,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  Watch *watch;

  g_return_if_fail (GST_IS_PIPELINE (pipeline));
  g_return_if_fail (func != NULL);

  cb_pipeline_unwatch (pipeline);
  watch = g_new0 (Watch, 1);
  watch->pipeline = pipeline;
  watch->bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  watch->func = func;
  watch->data = data;
  watch->destroy = destroy;
  if (context != NULL)
    {
      watch->source = gst_bus_create_watch (watch->bus);
      g_source_set_callback (watch->source, (GSourceFunc) (void (*) (void)) on_bus_message, watch,
                             NULL);
      g_source_attach (watch->source, context);
    }
  else
    gst_bus_set_sync_handler (watch->bus, on_bus_sync, watch, NULL);
  g_object_set_data_full (G_OBJECT (pipeline), WATCH_KEY, watch, watch_free);
}

static gboolean
log_error (GstMessage   *message,
           const GError *error,
           gpointer      data)
{
  if (error != NULL)
    g_warning ("%s: %s", (const char *) data, error->message);
  return G_SOURCE_CONTINUE;
}

/**
 * cb_pipeline_watch_errors:
 * @what: what the pipeline does, for the log
 *
 * The watch of a pipeline whose owner learns of failures otherwise (no sample comes out):
 * its errors go to the log, synchronously, and its bus keeps nothing.
 */
void
cb_pipeline_watch_errors (GstElement *pipeline,
                          const char *what)
{
  cb_pipeline_watch (pipeline, NULL, log_error, g_strdup (what), g_free);
}

/**
 * cb_pipeline_unwatch:
 *
 * Ends @pipeline's watch, if it has one; its function is not called after this returns
 * (for a synchronous watch: once the pipeline's streaming threads have stopped, e.g. in the
 * NULL state).
 */
void
cb_pipeline_unwatch (GstElement *pipeline)
{
  if (pipeline != NULL)
    g_object_set_data (G_OBJECT (pipeline), WATCH_KEY, NULL);
}
