/* cb-metrics.h — Prometheus metrics (text exposition format 0.0.4) from the engine's public state
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"

G_BEGIN_DECLS

#define CB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The metrics page; @n_sessions is the number of WebSocket sessions. Call on the engine
 * context. */
char *cb_metrics_render (CbEngine *engine,
                         guint     n_sessions);

G_END_DECLS
