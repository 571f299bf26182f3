/* cb-whip.h — WHIP (RFC 9725) and WHEP on the HTTP port, and the browser pages
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cb-engine.h"
#include "cb-rest-auth.h"
#include "cb-server.h"

G_BEGIN_DECLS

/* The largest offer or sdpfrag we read (the server's own body limit may be lower). */
#define CB_WHIP_MAX_BODY     (256 * 1024)
/* A WHIP/WHEP resource that has not started publishing or playing this long after its
 * answer is failed ("Failed by ICE timeout"), so that a client that vanished before
 * connecting does not hold a stream name for ever. */
#define CB_WHIP_CONNECT_TIMEOUT_S 30

typedef enum {
  CB_WHIP_KIND_WHIP,   /* /whip/…: a publisher */
  CB_WHIP_KIND_WHEP,   /* /whep/…: a player */
} CbWhipKind;

/**
 * CbWhipPath:
 * @kind: WHIP or WHEP
 * @name: the stream name (not yet validated as a stream name)
 * @resource: (nullable): the resource id (a mediaSessionId), or %NULL for the endpoint
 *
 * A parsed `/whip/<name>[/<resource>]` or `/whep/<name>[/<resource>]`.
 */
typedef struct {
  CbWhipKind  kind;
  char       *name;
  char       *resource;
} CbWhipPath;

/* Pure helpers (unit-tested in tests/unit/rest/test-whip.c). */

/* @path is percent-decoded, as libsoup gives it to handlers (a name can hold no "/": the
 * engine refuses it anyway) — except a VOD name, "vod://dir/file.mp4" (sent encoded,
 * "/whep/vod%3A%2F%2Fdir%2Ffile.mp4"), whose last segment is the resource only when it can
 * be one and a file name is left before it (a POST rejoins the two: it has no resource).
 * FALSE for anything that is not one of the two shapes above: other prefixes, an empty
 * name, more segments, a resource id that is not 1–128 of [A-Za-z0-9_-]. @out is only
 * filled on success; clear it with cb_whip_path_clear(). */
gboolean          cb_whip_parse_path       (const char             *path,
                                            CbWhipPath             *out);
void              cb_whip_path_clear       (CbWhipPath             *path);

/* The Location of a resource: "/whip/<name percent-encoded>/<resource>". */
char             *cb_whip_resource_path    (CbWhipKind              kind,
                                            const char             *name,
                                            const char             *resource);

/* A cheap check before anything is started: @data is UTF-8 text without NUL whose
 * first line is "v=0" and that has at least one m= line. */
gboolean          cb_whip_check_sdp        (const char             *data,
                                            gsize                   length,
                                            GError                **error);

/* The first a=ice-ufrag value in an SDP or sdpfrag (CRLF or LF lines), or NULL. */
char             *cb_whip_find_ice_ufrag   (const char             *sdp,
                                            gsize                   length);

/* `webrtc_ice_servers`: ICE server URLs separated by commas or spaces, each stun:,
 * stuns:, turn: or turns:; TURN credentials as turn:USER:PASSWORD@host:port (percent-
 * encoded where needed). Returns the Link header values (RFC 9725 section 4.6) of the
 * valid entries, in order; @error tells about the first invalid one, which is skipped. */
GStrv             cb_whip_ice_server_links (const char             *setting,
                                            GError                **error);

/* The REST rule (cb_rest_auth_check: loopback free unless a page of another site or
 * another host name sent it, others need credentials), and also "Bearer <token>" with
 * the token equal to `rest_auth_password`, as WHIP clients such as OBS send. */
CbRestAuthResult  cb_whip_auth_check       (const CbRestRequest    *request,
                                            const CbRestAuthConfig *config,
                                            CbRestSource           *out_source);

/**
 * cb_whip_register:
 * @http: the HTTP SoupServer of @server
 * @engine: the engine, whose context @http runs on
 * @server: the server, for the ports the pages need (not referenced)
 *
 * Adds the HTTP endpoints of the embedded WebRTC server: POST/DELETE/PATCH/OPTIONS on
 * /whip/… and /whep/…, the browser pages at /client/ and GET /castbridge/config.json
 * (cb-web-client.c). Handlers answer on the engine's context.
 */
void              cb_whip_register         (SoupServer             *http,
                                            CbEngine               *engine,
                                            CbServer               *server);

G_END_DECLS
