/* cb-destination-list.h — a GListModel of CbDestination: the remembered destinations and
 * every RTMP push agent of the engine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-destination.h"
#include "cb-engine.h"

G_BEGIN_DECLS

#define CB_TYPE_DESTINATION_LIST (cb_destination_list_get_type ())
G_DECLARE_FINAL_TYPE (CbDestinationList, cb_destination_list, CB, DESTINATION_LIST, GObject)

/* Must be created on the UI thread. Reads @config_path (NULL: nothing is remembered)
 * and the keys in the secret store, then follows the engine's push agents: those started
 * elsewhere (REST) show up as external destinations while they last. */
CbDestinationList *cb_destination_list_new       (CbEngine          *engine,
                                                  const char        *config_path);
CbEngine          *cb_destination_list_get_engine (CbDestinationList *self);
/* TRUE once the file is read and the keys are looked up. */
gboolean           cb_destination_list_is_loaded (CbDestinationList *self);
/* TRUE while nothing is being written to the file or the secret store. */
gboolean           cb_destination_list_is_saved  (CbDestinationList *self);

/* Takes a copy of @key, stores it in the secret store and remembers the rest. */
CbDestination     *cb_destination_list_add       (CbDestinationList          *self,
                                                  const char                 *preset_id,
                                                  const char                 *server,
                                                  const char                 *key,
                                                  const char                 *stream_name,
                                                  const CbDestinationProfile *profile);
/* Stops its agent and forgets it, key included. */
void               cb_destination_list_remove    (CbDestinationList          *self,
                                                  CbDestination              *destination);
/* New settings; @key NULL keeps the key. A running destination restarts with them. */
void               cb_destination_list_edit      (CbDestinationList          *self,
                                                  CbDestination              *destination,
                                                  const char                 *stream_name,
                                                  const char                 *key,
                                                  const CbDestinationProfile *profile);

/* Operations on the engine's thread; failures come back as "operation-failed"
 * (CbDestination, a message for people) and in the destination's note. Start switches
 * the destination on (remembered) and starts it when its stream is live; Stop switches
 * it off. */
void               cb_destination_list_start     (CbDestinationList *self,
                                                  CbDestination     *destination);
void               cb_destination_list_stop      (CbDestinationList *self,
                                                  CbDestination     *destination);
void               cb_destination_list_set_muted (CbDestinationList *self,
                                                  CbDestination     *destination,
                                                  gboolean           muted);
void               cb_destination_list_retry_now (CbDestinationList *self,
                                                  CbDestination     *destination);

/* Go Live: the studio's stream, or NULL when it is not live. A destination of it whose
 * agent ends without this studio asking (REST, given up) is switched off. */
void               cb_destination_list_set_live_stream (CbDestinationList *self,
                                                        const char        *stream_name);
/* Starts every destination of @stream_name that is switched on; how many. */
guint              cb_destination_list_start_enabled (CbDestinationList *self,
                                                      const char        *stream_name);
/* Stops every destination of @stream_name and leaves them switched on; how many. */
guint              cb_destination_list_stop_stream (CbDestinationList *self,
                                                    const char        *stream_name);

/* The secret store is locked (destinations say CB_KEY_LOCKED): asks the desktop to
 * unlock it, then reads their secrets again. */
void               cb_destination_list_unlock    (CbDestinationList *self);

/* Borrowed, or NULL. */
CbDestination     *cb_destination_list_lookup_session (CbDestinationList *self,
                                                       const char        *media_session_id);

G_END_DECLS
