/* cb-destination.h — one place the studio pushes to: its settings, and its agent's state
 * formatted for people
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cb-push-agent.h"

G_BEGIN_DECLS

/**
 * CbKeyStorage:
 * @CB_KEY_NONE: no key is known (a push started elsewhere, over REST)
 * @CB_KEY_PENDING: being stored in or read from the secret store
 * @CB_KEY_STORED: in the desktop's secret store
 * @CB_KEY_MEMORY_UNSUPPORTED: in memory only: built without libsecret
 * @CB_KEY_MEMORY_NO_SERVICE: in memory only: no Secret Service answered
 * @CB_KEY_MISSING: remembered destination whose key the secret store did not give back
 * @CB_KEY_SERVER_MISSING: the same for its server's URL, which holds a password or a token:
 *   only a new destination can bring it back
 * @CB_KEY_LOCKED: the secret store is locked: unlocking it brings the secrets back
 */
typedef enum {
  CB_KEY_NONE,
  CB_KEY_PENDING,
  CB_KEY_STORED,
  CB_KEY_MEMORY_UNSUPPORTED,
  CB_KEY_MEMORY_NO_SERVICE,
  CB_KEY_MISSING,
  CB_KEY_SERVER_MISSING,
  CB_KEY_LOCKED,
} CbKeyStorage;

/**
 * CbDestinationProfile:
 * @transcode: %FALSE for passthrough; the other fields are then kept but not used
 * @height: 0 for the source's size, else 1080, 720, 480 or 360 (width from the aspect)
 * @fps: 0 for the source's rate
 * @bitrate: video kbit/s, 0 for one the encoder picks from the size
 * @keyframe_seconds: seconds between keyframes (2 by default, as Voximplant)
 *
 * What the profile editor edits; cb_destination_profile_to_engine() makes the engine's
 * CbProfile of it.
 */
typedef struct {
  gboolean transcode;
  int      height;
  int      fps;
  int      bitrate;
  int      keyframe_seconds;
} CbDestinationProfile;

#define CB_DESTINATION_DEFAULT_KEYFRAME_SECONDS 2
#define CB_DESTINATION_HISTORY_LENGTH           60

void      cb_destination_profile_init      (CbDestinationProfile       *profile);
/* Keyframe seconds become frames at the output rate: @fps, else @source_fps, else 30. */
void      cb_destination_profile_to_engine (const CbDestinationProfile *profile,
                                            double                      source_fps,
                                            CbProfile                  *out);
/* "Passthrough", "720p · 30 fps · 2500 kbit/s · keyframe every 2 s". */
char     *cb_destination_profile_describe  (const CbDestinationProfile *profile);

#define CB_TYPE_DESTINATION (cb_destination_get_type ())
G_DECLARE_FINAL_TYPE (CbDestination, cb_destination, CB, DESTINATION, GObject)

/* A destination the user made: @id names it in the destinations file and the secret
 * store. */
CbDestination *cb_destination_new               (const char                 *id,
                                                 const char                 *preset_id,
                                                 const char                 *server,
                                                 const char                 *stream_name);
/* A push the studio did not start (REST): shown while it lasts, never remembered. */
CbDestination *cb_destination_new_external      (const CbPushInfo           *info);

const char    *cb_destination_get_id            (CbDestination              *self);
const char    *cb_destination_get_preset_id     (CbDestination              *self);
const char    *cb_destination_get_server        (CbDestination              *self);
/* The server's URL from the secret store, when it holds a password or a token. */
void           cb_destination_set_server        (CbDestination              *self,
                                                 const char                 *server);
const char    *cb_destination_get_stream_name   (CbDestination              *self);
void           cb_destination_set_stream_name   (CbDestination              *self,
                                                 const char                 *stream_name);
void           cb_destination_get_profile       (CbDestination              *self,
                                                 CbDestinationProfile       *profile);
void           cb_destination_set_profile       (CbDestination              *self,
                                                 const CbDestinationProfile *profile);
gboolean       cb_destination_is_external       (CbDestination              *self);

/* The stream key, for starting the agent. Never a property, never shown or logged. */
const char    *cb_destination_get_key           (CbDestination              *self);
gboolean       cb_destination_has_key           (CbDestination              *self);
void           cb_destination_set_key           (CbDestination              *self,
                                                 const char                 *key);
CbKeyStorage   cb_destination_get_key_storage   (CbDestination              *self);
void           cb_destination_set_key_storage   (CbDestination              *self,
                                                 CbKeyStorage                storage);
/* The full URL (server, "/", key) for the agent. Holds the key. */
char          *cb_destination_dup_push_url      (CbDestination              *self);

/* The agent. */
const char    *cb_destination_get_media_session_id (CbDestination           *self);
gboolean       cb_destination_is_active         (CbDestination              *self);
CbPushState    cb_destination_get_state         (CbDestination              *self);
gboolean       cb_destination_get_muted         (CbDestination              *self);
int            cb_destination_get_bitrate       (CbDestination              *self);
/* The masked URL the agent reports (or one masked the same way before it runs). */
const char    *cb_destination_get_masked_url    (CbDestination              *self);
/* The last snapshot, or NULL. */
const CbPushInfo *cb_destination_get_info       (CbDestination              *self);
/* A new snapshot of the agent's state (any of its signals). */
void           cb_destination_apply_info        (CbDestination              *self,
                                                 const CbPushInfo           *info);
/* The agent is gone; the last events stay on show. */
void           cb_destination_detach            (CbDestination              *self);
/* Switched on: started by Go Live (and at once when its stream is live), kept on after
 * Stop. Remembered in the destinations file. Never for external destinations. */
gboolean       cb_destination_get_enabled       (CbDestination              *self);
void           cb_destination_set_enabled       (CbDestination              *self,
                                                 gboolean                    enabled);
/* TRUE when the last agent was stopped from this studio. */
gboolean       cb_destination_get_stopped_here  (CbDestination              *self);
/* The agent is being stopped from this studio, not over REST: said so in its events. */
void           cb_destination_set_stopped_here  (CbDestination              *self);
/* An operation on the agent is on its way (the switch waits for it). */
gboolean       cb_destination_get_busy          (CbDestination              *self);
void           cb_destination_set_busy          (CbDestination              *self,
                                                 gboolean                    busy);
/* An error of the last operation, for people, or NULL to clear it. */
void           cb_destination_set_error         (CbDestination              *self,
                                                 const char                 *message);

/* Once a second: a bitrate sample for the graph and the retry countdown. */
void           cb_destination_tick              (CbDestination              *self,
                                                 gint64                      now_ms);
/* The last minute's bitrates, oldest first, kbit/s. */
const int     *cb_destination_get_history       (CbDestination              *self,
                                                 guint                      *n_samples);

/* For people: */
const char    *cb_destination_get_title         (CbDestination              *self);
const char    *cb_destination_get_state_label   (CbDestination              *self);
const char    *cb_destination_get_event_label   (CbDestination              *self);
const char    *cb_destination_get_note          (CbDestination              *self);
const char    *cb_destination_format_state      (CbPushState                 state);
const char    *cb_destination_format_event_type (CbPushEventType             type);

G_END_DECLS
