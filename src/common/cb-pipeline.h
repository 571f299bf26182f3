/* cb-pipeline.h — one watch for every GStreamer pipeline Castbridge builds
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * CbPipelineFunc:
 * @message: what the bus said
 * @error: (nullable): for an error message, the error: GStreamer's domain and code, its
 *   message prefixed with the element's name and followed by the debug text
 * @data: the watch's data
 *
 * Returns: %G_SOURCE_REMOVE to stop watching (asynchronous watches only)
 */
typedef gboolean (*CbPipelineFunc) (GstMessage   *message,
                                    const GError *error,
                                    gpointer      data);

void     cb_pipeline_watch     (GstElement      *pipeline,
                                GMainContext    *context,
                                CbPipelineFunc   func,
                                gpointer         data,
                                GDestroyNotify   destroy);
void     cb_pipeline_watch_errors (GstElement   *pipeline,
                                   const char   *what);
void     cb_pipeline_unwatch   (GstElement      *pipeline);
GError  *cb_pipeline_error_new (GstElement      *pipeline,
                                GstMessage      *message);
char    *cb_pipeline_error_text (GstMessage     *message);
void     cb_pipeline_dump      (GstElement      *pipeline,
                                const char      *why);

G_END_DECLS
