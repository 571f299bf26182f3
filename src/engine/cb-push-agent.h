/* cb-push-agent.h — publish a stream to an RTMP destination, with events and reconnection
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "cb-media.h"

G_BEGIN_DECLS

/**
 * CbPushState:
 *
 * Where an agent is: %CB_PUSH_CONNECTING until the server accepts the publish,
 * %CB_PUSH_STREAMING while media flows, %CB_PUSH_WAITING between reconnection attempts,
 * %CB_PUSH_FAILED when it gave up, %CB_PUSH_STOPPED when it was stopped.
 */
typedef enum {
  CB_PUSH_CONNECTING,
  CB_PUSH_STREAMING,
  CB_PUSH_WAITING,
  CB_PUSH_FAILED,
  CB_PUSH_STOPPED,
} CbPushState;

/**
 * CbPushEventType:
 *
 * Voximplant StreamingAgent's events.
 */
typedef enum {
  CB_PUSH_EVENT_CONNECTED,
  CB_PUSH_EVENT_CONNECTION_FAILED,
  CB_PUSH_EVENT_DISCONNECTED,
  CB_PUSH_EVENT_ERROR,
  CB_PUSH_EVENT_STREAM_STARTED,
  CB_PUSH_EVENT_STREAM_ERROR,
  CB_PUSH_EVENT_STREAM_STOPPED,
} CbPushEventType;

const char *cb_push_state_to_string      (CbPushState     state);
const char *cb_push_event_type_to_string (CbPushEventType type);

typedef struct {
  CbPushEventType  type;
  char            *reason;
  gint64           time;      /* ms since the epoch */
} CbPushEvent;

typedef enum {
  CB_PUSH_RESTORE_DEFAULT,   /* as rtmp_push_restore says */
  CB_PUSH_RESTORE_ON,
  CB_PUSH_RESTORE_OFF,
} CbPushRestore;

/**
 * CbPushRequest:
 * @stream_name: the stream to push
 * @rtmp_url: the destination (credentials allowed: user:password@host or ?username=&password=)
 * @full_url: -1 from the settings (rtmp_transponder_full_url), 0 no, 1 the URL's last
 *   element is the published name
 * @application_name: (nullable): the app part, overriding the URL's (Voximplant)
 * @backup_url: (nullable): used when @rtmp_url does not answer (Voximplant)
 * @flash_version: (nullable): flashVer for connect (else rtmp_flash_ver_subscriber)
 * @profile: transcoding profile; all zero for passthrough
 * @muted: start muted
 * @sound_file: (nullable): a WAV file in the media folder to insert at start
 * @sound_loop: loop @sound_file
 * @sound_replace: the sound replaces the stream's audio instead of mixing into it
 * @restore: reconnect after drops: from the settings (rtmp_push_restore), on or off
 * @restore_attempts: with @restore on: attempts, -1 for no limit (exponential backoff
 *   with jitter), 0 for the settings' rtmp_push_restore_attempts
 * @restore_interval_ms: with @restore on: the pause between attempts (the first pause
 *   with no limit), 0 for the settings' rtmp_push_restore_interval_ms
 * @keyframe_seconds: Voximplant's keyframeInterval: the longest gap between keyframes
 *   sent, in seconds (0: 2 s; under 2 becomes 2, as Voximplant does)
 */
typedef struct {
  const char *stream_name;
  const char *rtmp_url;
  int         full_url;
  const char *application_name;
  const char *backup_url;
  const char *flash_version;
  CbProfile   profile;
  gboolean    muted;
  const char *sound_file;
  gboolean    sound_loop;
  gboolean    sound_replace;
  CbPushRestore restore;
  int         restore_attempts;
  int         keyframe_seconds;
  int         restore_interval_ms;
} CbPushRequest;

/**
 * CbPushInfo:
 *
 * A copy of an agent's state for any thread: what REST answers and the GUI shows. No
 * secret is in it: @rtmp_url is the URL as the request gave it, through cb_redact_url();
 * @publish_name is the name on the RTMP server, %CB_REDACTED when it is the URL's key
 * (full-URL mode); @target tells destinations apart without showing them.
 */
typedef struct {
  char        *media_session_id;
  char        *stream_name;
  char        *rtmp_url;
  char        *publish_name;
  char        *target;           /* cb_push_target_digest() of the unredacted target */
  CbPushState  state;
  CbProfile    profile;
  int          width;
  int          height;
  gboolean     muted;
  gboolean     sound_enabled;
  char        *sound_file;
  guint        reconnects;
  gint64       retry_at;         /* ms since the epoch of the next attempt, or 0 */
  guint64      bytes_sent;
  guint64      bytes_acked;
  int          bitrate;          /* kbit/s sent over the last seconds */
  guint64      dropped;          /* media packets dropped for a slow uplink */
  GPtrArray   *events;           /* CbPushEvent*, oldest first */
  int          keyframe_seconds; /* the longest keyframe gap asked for, in seconds */
} CbPushInfo;

void        cb_push_info_free (CbPushInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbPushInfo, cb_push_info_free)

#define CB_TYPE_PUSH_AGENT (cb_push_agent_get_type ())
G_DECLARE_FINAL_TYPE (CbPushAgent, cb_push_agent, CB, PUSH_AGENT, GObject)

const char *cb_push_agent_get_id           (CbPushAgent *self);
const char *cb_push_agent_get_stream_name  (CbPushAgent *self);
CbPushState cb_push_agent_get_state        (CbPushAgent *self);
CbPushInfo *cb_push_agent_get_info         (CbPushAgent *self);
gboolean    cb_push_agent_matches          (CbPushAgent *self,
                                            const char  *stream_name,
                                            const char  *rtmp_url);
gboolean    cb_push_agent_same_target      (CbPushAgent *self,
                                            CbPushAgent *other);
char       *cb_push_target_digest          (const char  *full_url);

/* @url with Voximplant's @application_name put in as its application when @url has none
 * ("rtmp://host/" + "live2"; with @full_url, "rtmp://host/key" too). A copy of @url
 * otherwise: an application in the URL is then replaced when connecting. */
char       *cb_push_url_with_application   (const char  *url,
                                            const char  *application_name,
                                            gboolean     full_url);

/* Signals: "changed" () on the engine context, whenever state, events or figures change;
 * "event" (const CbPushEvent *) on the engine context, as each event is added. */

G_END_DECLS
