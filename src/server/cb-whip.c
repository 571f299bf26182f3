/* cb-whip.c — WHIP (RFC 9725) and WHEP on the HTTP port
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /whip/<name> publishes, POST /whep/<name> plays, each with the client's offer as
 * the body; the answer comes back as 201 Created with the resource's Location
 * (/whip/<name>/<mediaSessionId>), which the client DELETEs to stop. They are the same
 * engine operations as the WCS publishStream / playStream.
 *
 * The answer is made asynchronously by the engine, so the message is paused meanwhile.
 * A pending answer holds a reference on its message; if the client went away before the
 * answer came, the stream that was started for it is stopped again.
 *
 * PATCH with application/trickle-ice-sdpfrag is accepted (204) and its candidates are
 * ignored: our answer carries all our candidates, and libnice learns the client's
 * addresses from its connectivity checks (peer-reflexive candidates). An ICE restart
 * is not supported (422, as RFC 9725 section 4.3.1 asks of a server that trickles
 * but does not restart).
 */
#include "config.h"

#include "cb-whip.h"
#include "cb-redact.h"

#include <string.h>

#include "cb-error-map.h"
#include "cb-server-settings.h"
#include "cb-vod.h"
#include "cb-web-client.h"
#include "cb-record-download.h"
#include "cb-webrtc-endpoint.h"
#include "cb-webrtc-peer.h"

#define SDP_TYPE          "application/sdp"
#define SDPFRAG_TYPE      "application/trickle-ice-sdpfrag"
#define CORS_METHODS      "POST, DELETE, PATCH, OPTIONS"
#define CORS_HEADERS      "Content-Type, Authorization, If-Match"
#define CORS_EXPOSE       "Location, Link, ETag"
#define ENDPOINT_ALLOW    "POST, OPTIONS"
#define RESOURCE_ALLOW    "DELETE, PATCH, OPTIONS"
#define MAX_RESOURCE_ID   128

/* ---- pure helpers --------------------------------------------------------------- */

static gboolean
is_resource_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

static gboolean
is_resource_id (const char *start,
                const char *end)
{
  if (end == start || end - start > MAX_RESOURCE_ID)
    return FALSE;
  for (const char *p = start; p < end; p++)
    if (!is_resource_char (*p))
      return FALSE;
  return TRUE;
}

/* A VOD name ("vod://dir/file.mp4") holds "/", which the decoded path no longer tells
 * from the separator: the last segment is a resource when it can be one and a file name
 * is left before it. */
static gboolean
split_vod_name (const char  *name_start,
                const char **name_end,
                const char **res_start,
                const char **res_end)
{
  g_autofree char *file = NULL;
  const char *end = name_start + strlen (name_start);
  const char *file_start, *last;

  if (cb_vod_parse_name (name_start, &file, NULL) == CB_VOD_NONE)
    return FALSE;
  file_start = end - strlen (file);
  last = strrchr (name_start, '/');
  *name_end = end;
  *res_start = *res_end = NULL;
  if (last == NULL || last <= file_start)
    return TRUE;
  if (last + 1 == end)
    *name_end = last;   /* "/whep/vod://x.mp4/": the endpoint */
  else if (is_resource_id (last + 1, end))
    {
      *name_end = last;
      *res_start = last + 1;
      *res_end = end;
    }
  return TRUE;
}

gboolean
cb_whip_parse_path (const char *path,
                    CbWhipPath *out)
{
  CbWhipKind kind;
  const char *name_start, *name_end, *res_start = NULL, *res_end = NULL;
  g_autofree char *name = NULL;
  g_autofree char *resource = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  if (path == NULL)
    return FALSE;
  if (g_str_has_prefix (path, "/whip/"))
    kind = CB_WHIP_KIND_WHIP;
  else if (g_str_has_prefix (path, "/whep/"))
    kind = CB_WHIP_KIND_WHEP;
  else
    return FALSE;

  name_start = path + strlen ("/whip/");
  name_end = strchr (name_start, '/');
  if (split_vod_name (name_start, &name_end, &res_start, &res_end))
    ;
  else if (name_end == NULL)
    name_end = name_start + strlen (name_start);
  else
    {
      res_start = name_end + 1;
      res_end = strchr (res_start, '/');
      if (res_end != NULL)
        return FALSE;
      res_end = res_start + strlen (res_start);
      if (res_end == res_start)
        res_start = res_end = NULL;   /* "/whip/name/": the endpoint */
    }
  if (name_end == name_start)
    return FALSE;

  name = g_strndup (name_start, name_end - name_start);

  if (res_start != NULL)
    {
      if (!is_resource_id (res_start, res_end))
        return FALSE;
      resource = g_strndup (res_start, res_end - res_start);
    }

  out->kind = kind;
  out->name = g_steal_pointer (&name);
  out->resource = g_steal_pointer (&resource);
  return TRUE;
}

void
cb_whip_path_clear (CbWhipPath *path)
{
  g_clear_pointer (&path->name, g_free);
  g_clear_pointer (&path->resource, g_free);
}

char *
cb_whip_resource_path (CbWhipKind  kind,
                       const char *name,
                       const char *resource)
{
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);

  return g_strdup_printf ("/%s/%s/%s", kind == CB_WHIP_KIND_WHIP ? "whip" : "whep",
                          escaped, resource);
}

static gboolean
has_line_prefix (const char *data,
                 gsize       length,
                 const char *prefix)
{
  gsize n = strlen (prefix);

  for (gsize i = 0; i + n <= length; i++)
    if ((i == 0 || data[i - 1] == '\n') && memcmp (data + i, prefix, n) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cb_whip_check_sdp (const char  *data,
                   gsize        length,
                   GError     **error)
{
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Empty body: an SDP offer is required");
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Bad SDP offer: not UTF-8 text");
      return FALSE;
    }
  if (length < 4 || memcmp (data, "v=0", 3) != 0 || (data[3] != '\r' && data[3] != '\n'))
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Bad SDP offer: it must start with v=0");
      return FALSE;
    }
  if (!has_line_prefix (data, length, "m="))
    {
      g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                           "Bad SDP offer: no media (m=) section");
      return FALSE;
    }
  return TRUE;
}

char *
cb_whip_find_ice_ufrag (const char *sdp,
                        gsize       length)
{
  static const char attr[] = "a=ice-ufrag:";
  const gsize n = sizeof attr - 1;

  if (sdp == NULL)
    return NULL;
  for (gsize i = 0; i + n <= length; i++)
    {
      gsize end;

      if ((i != 0 && sdp[i - 1] != '\n') || memcmp (sdp + i, attr, n) != 0)
        continue;
      end = i + n;
      while (end < length && sdp[end] != '\r' && sdp[end] != '\n' && sdp[end] != '\0')
        end++;
      if (end == i + n)
        return NULL;
      return g_strndup (sdp + i + n, end - i - n);
    }
  return NULL;
}

/* A quoted-string for a Link parameter, or NULL when @text cannot be one. */
static char *
quote_param (const char *text)
{
  GString *out;

  if (!g_utf8_validate (text, -1, NULL))
    return NULL;
  out = g_string_new ("\"");
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static gboolean
is_url_char (char c)
{
  return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"' && c != ',' && c != '\\';
}

/* One entry of webrtc_ice_servers → one Link value, or NULL. */
static char *
ice_server_link (const char  *entry,
                 GError     **error)
{
  static const char *const schemes[] = { "stun", "stuns", "turn", "turns" };
  const char *colon = strchr (entry, ':');
  const char *rest, *at;
  g_autofree char *scheme = NULL;
  g_autofree char *user = NULL;
  g_autofree char *credential = NULL;
  g_autofree char *quoted_user = NULL;
  g_autofree char *quoted_credential = NULL;
  gboolean known = FALSE, turn;

  if (colon == NULL)
    goto bad;
  scheme = g_ascii_strdown (entry, colon - entry);
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    known |= g_str_equal (scheme, schemes[i]);
  if (!known)
    goto bad;
  turn = g_str_has_prefix (scheme, "turn");
  for (const char *p = entry; *p != '\0'; p++)
    if (!is_url_char (*p))
      goto bad;

  rest = colon + 1;
  at = strrchr (rest, '@');
  if (at != NULL)
    {
      const char *sep = memchr (rest, ':', at - rest);

      if (!turn || sep == NULL)
        goto bad;
      user = g_uri_unescape_segment (rest, sep, NULL);
      credential = g_uri_unescape_segment (sep + 1, at, NULL);
      if (user == NULL || credential == NULL || *user == '\0')
        goto bad;
      quoted_user = quote_param (user);
      quoted_credential = quote_param (credential);
      if (quoted_user == NULL || quoted_credential == NULL)
        goto bad;
      rest = at + 1;
    }
  if (*rest == '\0' || *rest == '?' || *rest == ':')
    goto bad;

  if (quoted_user != NULL)
    return g_strdup_printf ("<%s:%s>; rel=\"ice-server\"; username=%s; credential=%s; "
                            "credential-type=\"password\"", scheme, rest, quoted_user,
                            quoted_credential);
  return g_strdup_printf ("<%s:%s>; rel=\"ice-server\"", scheme, rest);

bad:
  /* The entry may hold a password: it is not repeated. */
  g_set_error_literal (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST,
                       "webrtc_ice_servers: an entry is not a stun:, stuns:, turn: or turns: URL "
                       "(credentials as turn:USER:PASSWORD@host:port)");
  return NULL;
}

GStrv
cb_whip_ice_server_links (const char  *setting,
                          GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) entries = cb_server_settings_split_list (setting);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *link = NULL;

      link = ice_server_link (entries[i], &local_error);
      if (link != NULL)
        g_strv_builder_add (builder, link);
      else if (error != NULL && *error == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return g_strv_builder_end (builder);
}

CbRestAuthResult
cb_whip_auth_check (const CbRestRequest    *request,
                    const CbRestAuthConfig *config,
                    CbRestSource           *out_source)
{
  CbRestAuthResult result = cb_rest_auth_check (request, config, out_source);
  const char *authorization = request->authorization;
  const char *token;

  if (result != CB_REST_AUTH_UNAUTHORIZED || authorization == NULL ||
      g_ascii_strncasecmp (authorization, "Bearer", 6) != 0 ||
      (authorization[6] != ' ' && authorization[6] != '\t'))
    return result;

  /* Credentials are configured (else the answer was FORBIDDEN). */
  token = authorization + 6;
  while (*token == ' ' || *token == '\t')
    token++;
  if (*token == '\0')
    return CB_REST_AUTH_UNAUTHORIZED;
  return cb_secret_equal (token, strlen (token), config->password,
                                    strlen (config->password))
         ? CB_REST_AUTH_ALLOW : CB_REST_AUTH_UNAUTHORIZED;
}

/* ---- state -------------------------------------------------------------------------- */

typedef struct _State State;

/* A WHIP or WHEP session that was answered, by mediaSessionId. */
typedef struct {
  State      *state;      /* weak: the state owns its resources */
  CbWhipKind  kind;
  char       *name;
  char       *msid;
  char       *etag;
  char       *ufrag;      /* of the client's offer, to tell trickle from an ICE restart */
  CbStream   *stream;
  GSource    *timeout;
} Resource;

struct _State {
  CbEngine   *engine;
  GWeakRef    server;     /* CbServer: the trust settings, ports and CORS */
  GHashTable *resources;  /* msid → Resource */
  gulong      removed_id;
};

static void
resource_free (gpointer data)
{
  Resource *r = data;

  if (r->timeout != NULL)
    {
      g_source_destroy (r->timeout);
      g_source_unref (r->timeout);
    }
  g_clear_object (&r->stream);
  g_free (r->name);
  g_free (r->msid);
  g_free (r->etag);
  g_free (r->ufrag);
  g_free (r);
}

static void
state_free (State *state)
{
  g_clear_signal_handler (&state->removed_id, state->engine);
  g_weak_ref_clear (&state->server);
  g_hash_table_unref (state->resources);
  g_object_unref (state->engine);
}

static State *
state_ref (State *state)
{
  return g_atomic_rc_box_acquire (state);
}

static void
state_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) state_free);
}

static void
on_stream_removed (CbEngine *engine,
                   CbStream *stream,
                   gpointer  data)
{
  State *state = data;
  Resource *r = g_hash_table_lookup (state->resources, cb_stream_get_media_session_id (stream));

  if (r != NULL && r->stream == stream)
    g_hash_table_remove (state->resources, r->msid);
}

static gboolean
on_connect_timeout (gpointer data)
{
  Resource *r = data;
  CbStreamStatus status = cb_stream_get_status (r->stream);

  g_clear_pointer (&r->timeout, g_source_unref);
  if (status == CB_STREAM_NEW || status == CB_STREAM_PENDING)
    {
      g_autoptr(CbStream) stream = g_object_ref (r->stream);

      g_debug ("%s %s: not connected after %d s", r->kind == CB_WHIP_KIND_WHIP ? "WHIP" : "WHEP",
               r->name, CB_WHIP_CONNECT_TIMEOUT_S);
      /* Removes @r through on_stream_removed. */
      cb_engine_remove_stream (r->state->engine, stream, CB_STREAM_FAILED, "Failed by ICE timeout");
    }
  return G_SOURCE_REMOVE;
}

static void
track_resource (State      *state,
                CbWhipKind  kind,
                CbStream   *stream,
                const char *offer,
                gsize       offer_length)
{
  Resource *r = g_new0 (Resource, 1);
  g_autofree char *uuid = g_uuid_string_random ();

  r->state = state;
  r->kind = kind;
  r->stream = g_object_ref (stream);
  r->name = g_strdup (cb_stream_get_name (stream));
  r->msid = g_strdup (cb_stream_get_media_session_id (stream));
  r->etag = g_strdup_printf ("\"%s\"", uuid);
  r->ufrag = cb_whip_find_ice_ufrag (offer, offer_length);
  r->timeout = g_timeout_source_new_seconds (CB_WHIP_CONNECT_TIMEOUT_S);
  g_source_set_callback (r->timeout, on_connect_timeout, r, NULL);
  g_source_attach (r->timeout, cb_engine_get_context (state->engine));
  g_hash_table_replace (state->resources, r->msid, r);
}

/* ---- responses ------------------------------------------------------------------------ */

/* Every answer's CORS headers are set as the request comes in (on_whip_request). */
static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  if (text != NULL)
    {
      char *body = g_strconcat (text, "\n", NULL);

      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                        body, strlen (body));
    }
  else
    soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  soup_server_message_set_status (msg, status, NULL);
}

static void
respond_gerror (SoupServerMessage *msg,
                const GError      *error)
{
  respond_text (msg, cb_error_map_http_status (error), cb_error_map_info (error));
}

static void
respond_not_allowed (SoupServerMessage *msg,
                     const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
}

static gboolean
check_auth (State             *state,
            SoupServerMessage *msg)
{
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autoptr(CbServer) server = g_weak_ref_get (&state->server);
  CbRestAuthConfig config;
  CbRestRequest request;
  CbRestSource source = CB_REST_SOURCE_REMOTE;

  if (server == NULL)
    {
      respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "The server is stopping");
      return FALSE;
    }
  cb_server_get_auth_config (server, &config);
  cb_server_request_init (&request, msg);
  switch (cb_whip_auth_check (&request, &config, &source))
    {
    case CB_REST_AUTH_ALLOW:
      return TRUE;

    case CB_REST_AUTH_UNAUTHORIZED:
      soup_message_headers_append (response, "WWW-Authenticate",
                                   "Basic realm=\"" CB_REST_AUTH_REALM "\"");
      soup_message_headers_append (response, "WWW-Authenticate",
                                   "Bearer realm=\"" CB_REST_AUTH_REALM "\"");
      respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "Authentication required");
      return FALSE;

    case CB_REST_AUTH_FORBIDDEN:
    default:
      respond_text (msg, SOUP_STATUS_FORBIDDEN, cb_rest_auth_forbidden_message (source));
      return FALSE;
    }
}

static const char *
kind_label (CbWhipKind kind)
{
  return kind == CB_WHIP_KIND_WHIP ? "WHIP" : "WHEP";
}

/* ---- POST: the offer ------------------------------------------------------------------- */

typedef struct {
  State             *state;
  SoupServerMessage *msg;
  CbWhipKind         kind;
  char              *name;
  char              *msid;         /* once the engine took the request */
  GSource           *watch;        /* while paused: the client's socket, for a hang-up */
  gulong             finished_id;
  gboolean           started;      /* the engine call returned a stream */
  gboolean           engine_done;  /* the engine dropped its reference */
  gboolean           paused;
  gboolean           responded;
  gboolean           gone;         /* the client left before we answered */
} Pending;

static void
pending_free (Pending *p)
{
  g_assert (p->watch == NULL);
  g_clear_signal_handler (&p->finished_id, p->msg);
  g_object_unref (p->msg);
  state_unref (p->state);
  g_free (p->name);
  g_free (p->msid);
}

static Pending *
pending_ref (Pending *p)
{
  return g_rc_box_acquire (p);
}

static void
pending_unref (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) pending_free);
}

static void
stop_watch (Pending *p)
{
  if (p->watch == NULL)
    return;
  g_source_destroy (p->watch);
  g_clear_pointer (&p->watch, g_source_unref);
}

/* Sends what was set on the message (libsoup writes it once back in its main loop). A
 * message whose client is gone still needs it: libsoup then finds the socket closed and
 * lets go of the connection. */
static void
finish_response (Pending *p)
{
  p->responded = TRUE;
  stop_watch (p);
  if (p->paused)
    {
      p->paused = FALSE;
      soup_server_message_unpause (p->msg);
    }
}

static void
on_pending_finished (SoupServerMessage *msg,
                     gpointer           data)
{
  Pending *p = data;

  if (!p->responded)
    p->gone = TRUE;
}

/* The engine's reference: dropped when it answered, or when the stream ended first
 * (the engine shut down, or the stream was terminated meanwhile). */
static void
on_engine_done (gpointer data)
{
  Pending *p = data;

  p->engine_done = TRUE;
  /* Before the call returned, the caller answers (with the error, or see handle_post). A
   * client that is gone gets it too: the message needs a status to be finished with. */
  if (p->started && !p->responded)
    {
      respond_text (p->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "The stream ended before it was answered");
      finish_response (p);
    }
  pending_unref (p);
}

/* While the answer is being made, libsoup does not read the paused connection: a client
 * that hangs up is noticed here, and its stream, which nobody could DELETE, is stopped
 * at once instead of waiting for CB_WHIP_CONNECT_TIMEOUT_S. */
static gboolean
on_client_socket (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      data)
{
  Pending *p = data;
  gboolean hung_up = (condition & (G_IO_HUP | G_IO_ERR)) != 0;

  if (!hung_up)
    {
      g_autoptr(GError) error = NULL;
      char byte;
      GInputVector vector = { &byte, 1 };
      int flags = G_SOCKET_MSG_PEEK;
      gssize n;

      /* Readable: either the end of the stream (0) or more requests, which stay queued. */
      n = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      hung_up = n <= 0;
    }

  g_clear_pointer (&p->watch, g_source_unref);   /* returning REMOVE destroys it */
  if (hung_up && !p->responded)
    {
      g_debug ("%s %s: the client hung up before the answer", kind_label (p->kind), p->name);
      p->gone = TRUE;
      if (p->msid != NULL)
        cb_engine_webrtc_stop (p->state->engine, p->msid, "Stopped by session disconnect", NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
watch_client (Pending *p)
{
  GSocket *socket = soup_server_message_get_socket (p->msg);

  if (socket == NULL)
    return;
  p->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (p->watch, G_SOURCE_FUNC (on_client_socket), pending_ref (p), pending_unref);
  g_source_attach (p->watch, cb_engine_get_context (p->state->engine));
}

static void
add_link_headers (State             *state,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *setting = cb_server_settings_get_string (cb_engine_get_settings (state->engine),
                                                       "webrtc_ice_servers", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) links = cb_whip_ice_server_links (setting, &error);

  if (error != NULL)
    g_debug ("%s", error->message);
  for (guint i = 0; links[i] != NULL; i++)
    soup_message_headers_append (headers, "Link", links[i]);
}

static void
on_answer (CbStream     *stream,
           const char   *answer,
           const GError *error,
           gpointer      data)
{
  Pending *p = data;
  SoupServerMessage *msg = p->msg;

  if (p->responded)
    return;

  if (p->gone)
    {
      /* Nobody will learn the Location, so nobody could DELETE it. */
      g_debug ("%s %s: the client went away before the answer", kind_label (p->kind), p->name);
      respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "The client went away");
      finish_response (p);
      if (answer != NULL)
        cb_engine_webrtc_stop (p->state->engine, cb_stream_get_media_session_id (stream),
                               "Stopped by session disconnect", NULL);
      return;
    }

  if (answer != NULL)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
      Resource *r = g_hash_table_lookup (p->state->resources,
                                         cb_stream_get_media_session_id (stream));
      g_autofree char *location = cb_whip_resource_path (p->kind, cb_stream_get_name (stream),
                                                         cb_stream_get_media_session_id (stream));

      soup_message_headers_replace (headers, "Location", location);
      if (r != NULL)
        soup_message_headers_replace (headers, "ETag", r->etag);
      soup_message_headers_replace (headers, "Accept-Patch", SDPFRAG_TYPE);
      add_link_headers (p->state, msg);
      soup_server_message_set_response (msg, SDP_TYPE, SOUP_MEMORY_COPY, answer, strlen (answer));
      soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
      g_debug ("%s %s: answered, %s", kind_label (p->kind), p->name, location);
    }
  else
    {
      g_debug ("%s %s: no answer: %s", kind_label (p->kind), p->name,
               error != NULL ? error->message : "?");
      if (error != NULL)
        respond_gerror (msg, error);
      else
        respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "No answer");
    }
  finish_response (p);
}

static char *
describe_remote (SoupServerMessage *msg,
                 CbWhipKind         kind)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);
  g_autofree char *text = NULL;

  if (address != NULL && G_IS_INET_SOCKET_ADDRESS (address))
    text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
  return g_strdup_printf ("%s %s", kind_label (kind), text != NULL ? text : "");
}

static gboolean
check_content_type (SoupServerMessage *msg,
                    const char        *expected)
{
  const char *type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), NULL);

  if (type != NULL && g_ascii_strcasecmp (type, expected) == 0)
    return TRUE;
  {
    g_autofree char *text = g_strdup_printf ("Content-Type must be %s", expected);

    respond_text (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, text);
  }
  return FALSE;
}

static GBytes *
read_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > CB_WHIP_MAX_BODY)
    {
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Body too large");
      return NULL;
    }
  return soup_message_body_flatten (body);
}

static void
handle_post (State             *state,
             SoupServerMessage *msg,
             const CbWhipPath  *path)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CbStream) stream = NULL;
  g_autoptr(CbStream) registered = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *remote = NULL;
  CbWebrtcRequest request = { 0 };
  const char *data;
  gsize length = 0;
  Pending *p;

  if (!check_content_type (msg, SDP_TYPE))
    return;
  body = read_body (msg);
  if (body == NULL)
    return;
  data = g_bytes_get_data (body, &length);
  if (!cb_whip_check_sdp (data, length, &error))
    {
      respond_gerror (msg, error);
      return;
    }

  offer = g_strndup (data, length);
  remote = describe_remote (msg, path->kind);
  request.name = path->name;
  request.sdp = offer;
  request.remote_address = remote;
  request.loopback_address = cb_rest_auth_loopback_literal (soup_server_message_get_local_address (msg));
  request.local_address = cb_rest_auth_local_literal (soup_server_message_get_local_address (msg));

  p = g_rc_box_new0 (Pending);
  p->state = state_ref (state);
  p->msg = g_object_ref (msg);
  p->kind = path->kind;
  p->name = g_strdup (path->name);
  p->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_pending_finished), p);

  /* The engine holds a second reference until it answers or the stream ends; on an error
   * now, it has dropped it already. */
  if (path->kind == CB_WHIP_KIND_WHIP)
    stream = cb_engine_webrtc_publish (state->engine, &request, on_answer, pending_ref (p),
                                       on_engine_done, &error);
  else
    stream = cb_engine_webrtc_play (state->engine, &request, on_answer, pending_ref (p),
                                    on_engine_done, &error);

  if (stream == NULL)
    {
      g_debug ("%s %s from %s: %s", kind_label (path->kind), path->name, remote, error->message);
      respond_gerror (msg, error);
      pending_unref (p);
      return;
    }
  p->started = TRUE;

  p->msid = g_strdup (cb_stream_get_media_session_id (stream));
  /* Only a stream still registered is a resource (it may have failed at once). */
  registered = cb_engine_lookup_session (state->engine, p->msid);
  if (registered == stream)
    track_resource (state, path->kind, stream, data, length);

  if (!p->responded && p->engine_done)
    respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "The stream ended before it was answered");
  else if (!p->responded)
    {
      soup_server_message_pause (msg);
      p->paused = TRUE;
      watch_client (p);
    }
  pending_unref (p);
}

/* ---- DELETE and PATCH on a resource ---------------------------------------------------- */

static Resource *
lookup_resource (State             *state,
                 SoupServerMessage *msg,
                 const CbWhipPath  *path)
{
  Resource *r = g_hash_table_lookup (state->resources, path->resource);

  if (r == NULL || r->kind != path->kind || g_strcmp0 (r->name, path->name) != 0)
    {
      respond_text (msg, SOUP_STATUS_NOT_FOUND, "No such resource");
      return NULL;
    }
  return r;
}

static void
handle_delete (State             *state,
               SoupServerMessage *msg,
               const CbWhipPath  *path)
{
  Resource *r = lookup_resource (state, msg, path);
  g_autoptr(GError) error = NULL;
  g_autofree char *msid = NULL;

  if (r == NULL)
    return;
  msid = g_strdup (r->msid);   /* @r goes away with its stream */
  if (!cb_engine_webrtc_stop (state->engine, msid, NULL, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  g_debug ("%s %s: %s deleted", kind_label (path->kind), path->name, msid);
  respond_text (msg, SOUP_STATUS_OK, NULL);
}

static gboolean
if_match_ok (const char *if_match,
             const char *etag)
{
  g_auto(GStrv) tags = NULL;

  if (if_match == NULL)
    return TRUE;
  tags = g_strsplit (if_match, ",", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *t = g_strstrip (tags[i]);

      if (g_str_equal (t, "*") || g_str_equal (t, etag))
        return TRUE;
    }
  return FALSE;
}

static void
handle_patch (State             *state,
              SoupServerMessage *msg,
              const CbWhipPath  *path)
{
  Resource *r = lookup_resource (state, msg, path);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *ufrag = NULL;
  const char *data;
  gsize length = 0;

  if (r == NULL || !check_content_type (msg, SDPFRAG_TYPE))
    return;
  if (!if_match_ok (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "If-Match"), r->etag))
    {
      respond_text (msg, SOUP_STATUS_PRECONDITION_FAILED, "If-Match does not match the ETag");
      return;
    }
  body = read_body (msg);
  if (body == NULL)
    return;
  data = g_bytes_get_data (body, &length);
  if (length > 0 && (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, length, NULL)))
    {
      respond_text (msg, SOUP_STATUS_BAD_REQUEST, "Bad sdpfrag: not UTF-8 text");
      return;
    }

  ufrag = cb_whip_find_ice_ufrag (data, length);
  if (ufrag != NULL && r->ufrag != NULL && !g_str_equal (ufrag, r->ufrag))
    {
      respond_text (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "ICE restarts are not supported");
      return;
    }
  /* Trickled candidates: see the top of the file. */
  respond_text (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static void
handle_options (SoupServerMessage *msg,
                const CbWhipPath  *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* Preflights carry no credentials: answered to anyone. */
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "86400");
  if (path->resource == NULL)
    {
      soup_message_headers_replace (headers, "Allow", ENDPOINT_ALLOW);
      soup_message_headers_replace (headers, "Accept-Post", SDP_TYPE);
    }
  else
    {
      soup_message_headers_replace (headers, "Allow", RESOURCE_ALLOW);
      soup_message_headers_replace (headers, "Accept-Patch", SDPFRAG_TYPE);
    }
  respond_text (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
on_whip_request (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *decoded_path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  State *state = user_data;
  const char *method = soup_server_message_get_method (msg);
  CbWhipPath path = { 0 };
  g_autoptr(CbServer) cb_server = g_weak_ref_get (&state->server);

  if (cb_server != NULL)
    cb_server_add_cors (cb_server, msg, CORS_METHODS, CORS_HEADERS, CORS_EXPOSE);

  /* libsoup hands handlers the path percent-decoded (SoupServer:raw-paths is off). */
  if (!cb_whip_parse_path (decoded_path, &path))
    {
      respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found: use /whip/<stream name> or /whep/<stream name>");
      return;
    }

  if (method == SOUP_METHOD_OPTIONS)
    handle_options (msg, &path);
  else if (!check_auth (state, msg))
    ;
  else if (path.resource == NULL && method == SOUP_METHOD_POST)
    handle_post (state, msg, &path);
  else if (method == SOUP_METHOD_POST && cb_vod_parse_name (path.name, NULL, NULL) != CB_VOD_NONE)
    {
      /* Only endpoints are posted to: "vod://dir/abc" was a file, not a resource. */
      char *name = g_strconcat (path.name, "/", path.resource, NULL);

      g_free (path.name);
      path.name = name;
      g_clear_pointer (&path.resource, g_free);
      handle_post (state, msg, &path);
    }
  else if (path.resource == NULL)
    respond_not_allowed (msg, ENDPOINT_ALLOW);
  else if (method == SOUP_METHOD_DELETE)
    handle_delete (state, msg, &path);
  else if (g_strcmp0 (method, "PATCH") == 0)
    handle_patch (state, msg, &path);
  else
    respond_not_allowed (msg, RESOURCE_ALLOW);

  cb_whip_path_clear (&path);
}

void
cb_whip_register (SoupServer *http,
                  CbEngine   *engine,
                  CbServer   *server)
{
  State *state;

  g_return_if_fail (SOUP_IS_SERVER (http));
  g_return_if_fail (CB_IS_ENGINE (engine));
  g_return_if_fail (CB_IS_SERVER (server));

  state = g_atomic_rc_box_new0 (State);
  state->engine = g_object_ref (engine);
  g_weak_ref_init (&state->server, server);
  state->resources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, resource_free);
  state->removed_id = g_signal_connect (engine, "stream-removed", G_CALLBACK (on_stream_removed),
                                        state);

  soup_server_add_handler (http, "/whip", on_whip_request, state_ref (state), state_unref);
  soup_server_add_handler (http, "/whep", on_whip_request, state, state_unref);

  cb_web_client_register (http, server);
  cb_record_download_register (http, engine);
}
