/* cb-publish-target.h — where Go Live publishes: this studio, or another server too
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cb-engine.h"

G_BEGIN_DECLS

#define CB_TYPE_PUBLISH_TARGET (cb_publish_target_get_type ())
G_DECLARE_FINAL_TYPE (CbPublishTarget, cb_publish_target, CB, PUBLISH_TARGET, GtkBox)

GtkWidget  *cb_publish_target_new              (void);
void        cb_publish_target_set_engine       (CbPublishTarget *self,
                                                CbEngine        *engine);
/* The remote name when none is typed: the studio's stream name. */
void        cb_publish_target_set_default_name (CbPublishTarget *self,
                                                const char      *name);
/* @uri NULL for "This studio" only. */
void        cb_publish_target_set_remote       (CbPublishTarget *self,
                                                const char      *uri,
                                                const char      *remote_name);
/* The remote URL chosen, or NULL for "This studio". */
const char *cb_publish_target_get_uri          (CbPublishTarget *self);
/* Go Live: relays @local_name when a remote server is chosen; a no-op otherwise. */
void        cb_publish_target_start            (CbPublishTarget *self,
                                                const char      *local_name);
/* Stops the relay started by cb_publish_target_start(), if any. */
void        cb_publish_target_stop             (CbPublishTarget *self);
/* For tests: the relay's last known state (PENDING, PUBLISHING, FAILED), or NULL. */
const char *cb_publish_target_get_status       (CbPublishTarget *self);
GtkMenuButton *cb_publish_target_get_menu_button (CbPublishTarget *self);

G_END_DECLS
