/* cb-live.h — Go Live as a model: the studio's stream, the destinations that go with it,
 * and what the header bar shows while it runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cb-destination-list.h"
#include "cb-engine.h"
#include "cb-stream-list.h"

G_BEGIN_DECLS

typedef enum {
  CB_LIVE_OFF,
  CB_LIVE_STARTING,
  CB_LIVE_ON,
  CB_LIVE_STOPPING,
} CbLiveState;

/**
 * CbLiveStats:
 * @elapsed_s: seconds since the stream went live
 * @bitrate: kbit/s going out to the destinations of the stream
 * @dropped: media packets the destinations dropped for a slow uplink
 * @cpu_percent: CPU use of this process over the last tick (100 is one core), -1 before
 *   the first tick
 * @n_destinations: destinations of the stream that are on
 * @worst: the worst state among them (%CB_PUSH_STREAMING when all stream or none is on)
 */
typedef struct {
  gint64      elapsed_s;
  int         bitrate;
  guint64     dropped;
  double      cpu_percent;
  guint       n_destinations;
  CbPushState worst;
} CbLiveStats;

#define CB_TYPE_LIVE (cb_live_get_type ())
G_DECLARE_FINAL_TYPE (CbLive, cb_live, CB, LIVE, GObject)

CbLive      *cb_live_new              (CbEngine          *engine,
                                       CbStreamList      *streams,
                                       CbDestinationList *destinations);
CbLiveState  cb_live_get_state        (CbLive            *self);
/* The stream's name while not off, or NULL. */
const char  *cb_live_get_name         (CbLive            *self);
/* The source spec it publishes, or NULL. */
const char  *cb_live_get_spec         (CbLive            *self);
/* The stream's mediaSessionId once the engine confirmed it, or NULL. */
const char  *cb_live_get_session_id   (CbLive            *self);

/* Publishes @spec as @name, then starts every destination of @name that is switched on.
 * FALSE (and nothing done) when not off or @name cannot be a stream name; failures later
 * come as "failed". */
gboolean     cb_live_start            (CbLive            *self,
                                       const char        *name,
                                       const char        *spec,
                                       GError           **error);
/* Stops the destinations (which stay switched on for the next Go Live), then the stream. */
void         cb_live_stop             (CbLive            *self);
/* Stops the stream at once and forgets it, as the window goes. */
void         cb_live_abandon          (CbLive            *self);

void         cb_live_get_stats        (CbLive            *self,
                                       CbLiveStats       *stats);

/* "1:02:03" or "2:03". */
char        *cb_live_format_elapsed   (gint64             seconds);

G_END_DECLS
