/* cb-web-client.h — the browser pages, from a GResource, and the config they read
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cb-server.h"

G_BEGIN_DECLS

/* The content type of a page file, by its extension ("application/octet-stream" when
 * unknown). */
const char *cb_web_client_content_type (const char *file_name);
/* A plain-text answer with @status (errors of the pages and downloads). */
void        cb_web_client_respond_text (SoupServerMessage *msg,
                                        guint              status,
                                        const char        *text);

/* GET /client/ (index.html: the live streams), /client/<file> (publish.html, play.html,
 * cb-wcs.js, style.css, …) and /castbridge/config.json ({"wsPort": N, "wssPort": null},
 * the ports the pages open their WebSocket on). Open to everyone, like /health: they
 * hold nothing but the pages and the port numbers. @server is not referenced. */
void        cb_web_client_register     (SoupServer *http,
                                        CbServer   *server);

G_END_DECLS
