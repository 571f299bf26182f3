/* cb-destination-presets.h — where people push to: services, their ingest servers, URLs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *label;      /* translatable (N_), shown in the server list */
  const char *url;        /* without the stream key */
} CbIngestServer;

/**
 * CbDestinationPreset:
 * @id: what the destinations file remembers ("twitch", "youtube", "facebook", "custom")
 * @name: the service's name (not translated: brands)
 * @badge: one or two letters for the row's badge
 * @key_hint: (nullable): where the service shows the stream key; translatable (N_)
 * @servers: the ingest servers, the first the default; none for a custom URL
 */
typedef struct {
  const char           *id;
  const char           *name;
  const char           *badge;
  const char           *key_hint;
  const CbIngestServer *servers;
  guint                 n_servers;
} CbDestinationPreset;

#define CB_PRESET_CUSTOM "custom"

const CbDestinationPreset *cb_destination_presets        (guint       *n_presets);
/* The preset by id; unknown ids give the custom one. */
const CbDestinationPreset *cb_destination_preset_lookup  (const char  *id);
gboolean                   cb_destination_preset_is_custom (const CbDestinationPreset *preset);
/* The server of @preset with this URL, or NULL. */
const CbIngestServer      *cb_destination_preset_find_server (const CbDestinationPreset *preset,
                                                              const char                *url);

/* The URL the agent connects to in full-URL mode: @server, "/" and @key (no doubled
 * slash; an empty @key leaves @server as it is). Holds the key: never log it. */
char     *cb_destination_compose_url   (const char  *server,
                                        const char  *key);
/* Whether @server with @key makes an RTMP URL with an application and a stream name.
 * The error message (English, for logs) never holds the key. */
gboolean  cb_destination_check_url     (const char  *server,
                                        const char  *key,
                                        GError     **error);
/* Whether @server holds a secret of its own: user info, query values (tokens), the
 * stream key when @key is empty and @server names the stream itself, or anything
 * cb_redact_url() cannot tell from a secret. */
gboolean  cb_destination_server_has_secret (const char *server,
                                            const char *key);
/* @server through cb_redact_url(), as the destinations file keeps it. */
char     *cb_destination_mask_server   (const char  *server,
                                        const char  *key);
/* @server with @key as CbPushInfo shows the agent's URL; no character of the key. */
char     *cb_destination_mask_url      (const char  *server,
                                        const char  *key);

G_END_DECLS
