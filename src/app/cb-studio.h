/* cb-studio.h — the engine and the embedded server, on a thread of their own
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cb-engine.h"

G_BEGIN_DECLS

#define CB_TYPE_STUDIO (cb_studio_get_type ())
G_DECLARE_FINAL_TYPE (CbStudio, cb_studio, CB, STUDIO, GObject)

/* Reads CB_HTTP_PORT, CB_WS_PORT and CB_RTMP_PORT (0 for an ephemeral port), which
 * tests use. */
gboolean    cb_studio_apply_environment  (CbSettings  *settings,
                                          GError     **error);

/* @settings belongs to the engine thread from cb_studio_start() on. */
CbStudio   *cb_studio_new                (CbSettings  *settings);
/* Starts the thread and waits until the engine is made and the server listens (or has
 * failed to: the studio then runs without it; see cb_studio_get_server_error()). */
gboolean    cb_studio_start              (CbStudio    *self,
                                          GError     **error);
/* Shuts the engine down on its thread and joins it. */
void        cb_studio_stop               (CbStudio    *self);
CbEngine   *cb_studio_get_engine         (CbStudio    *self);
/* 0 when the server is not running. */
guint       cb_studio_get_http_port      (CbStudio    *self);
guint       cb_studio_get_ws_port        (CbStudio    *self);
/* 0 when RTMP ingest does not listen (its port was taken). */
guint       cb_studio_get_rtmp_port      (CbStudio    *self);
const char *cb_studio_get_bind_address   (CbStudio    *self);
/* Why the server is not running, or NULL. */
const char *cb_studio_get_server_error   (CbStudio    *self);
/* http://HOST:PORT@path, where this machine reaches the server (loopback unless it
 * listens on one address only); NULL when the server is not running. */
char       *cb_studio_dup_local_url      (CbStudio    *self,
                                          const char  *path);

/* The settings as the GTK thread sees them, and the file that the
 * preferences window edits (the --config file, else castbridge.properties in the user's
 * configuration folder). */
CbSettings *cb_studio_get_gui_settings   (CbStudio    *self);
const char *cb_studio_get_settings_path  (CbStudio    *self);
/* castbridge.properties in the user's configuration folder. */
char       *cb_studio_dup_default_settings_path (void);
void        cb_studio_set_settings_path  (CbStudio    *self,
                                          const char  *path);
/* Checks @value as the engine does (cb_settings_check()), applies it to the running
 * engine and the GTK copy, emits "setting-changed" and writes the file in the
 * background. An empty @value for a key whose default is not empty goes back to the
 * default. */
gboolean    cb_studio_change_setting     (CbStudio    *self,
                                          const char  *key,
                                          const char  *value,
                                          GError     **error);

G_END_DECLS
