/* test-whip.c — the pure parts of WHIP/WHEP: paths, offers, sdpfrags, ICE servers, auth
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-web-client.h"
#include "cb-whip.h"

/* ---- paths ------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  gboolean    ok;
  CbWhipKind  kind;
  const char *name;
  const char *resource;
} PathCase;

/* Paths as libsoup gives them to handlers: percent-decoded. */
static const PathCase path_cases[] = {
  { "/whip/cam",                      TRUE,  CB_WHIP_KIND_WHIP, "cam", NULL },
  { "/whep/cam",                      TRUE,  CB_WHIP_KIND_WHEP, "cam", NULL },
  { "/whip/cam/",                     TRUE,  CB_WHIP_KIND_WHIP, "cam", NULL },
  { "/whip/cam/0f6b-AZ_9",            TRUE,  CB_WHIP_KIND_WHIP, "cam", "0f6b-AZ_9" },
  { "/whep/my cam/abc",               TRUE,  CB_WHIP_KIND_WHEP, "my cam", "abc" },
  { "/whip/amsStream#room1",          TRUE,  CB_WHIP_KIND_WHIP, "amsStream#room1", NULL },
  { "/whip/кам",                      TRUE,  CB_WHIP_KIND_WHIP, "кам", NULL },
  { "/whip/100%",                     TRUE,  CB_WHIP_KIND_WHIP, "100%", NULL },   /* not decoded twice */
  { "/whip/my%20cam",                 TRUE,  CB_WHIP_KIND_WHIP, "my%20cam", NULL },
  /* VOD names hold "/": the last segment is a resource when it can be one. */
  { "/whep/vod://x.mp4",              TRUE,  CB_WHIP_KIND_WHEP, "vod://x.mp4", NULL },
  { "/whep/vod://x.mp4/",             TRUE,  CB_WHIP_KIND_WHEP, "vod://x.mp4", NULL },
  { "/whep/vod://x.mp4/0f6b-AZ_9",    TRUE,  CB_WHIP_KIND_WHEP, "vod://x.mp4", "0f6b-AZ_9" },
  { "/whep/vod-live://sub/x.mp4",     TRUE,  CB_WHIP_KIND_WHEP, "vod-live://sub/x.mp4", NULL },
  { "/whep/vod-live://sub/x.mp4/abc", TRUE,  CB_WHIP_KIND_WHEP, "vod-live://sub/x.mp4", "abc" },
  { "/whep/VOD-LIVE://a/b/c.mp4",     TRUE,  CB_WHIP_KIND_WHEP, "VOD-LIVE://a/b/c.mp4", NULL },
  { "/whep/vod://abc",                TRUE,  CB_WHIP_KIND_WHEP, "vod://abc", NULL },
  { "/whep/vod:x.mp4",                TRUE,  CB_WHIP_KIND_WHEP, "vod:x.mp4", NULL },
  { "/whep/vod:x.mp4/abc",            TRUE,  CB_WHIP_KIND_WHEP, "vod:x.mp4", "abc" },
  { "/whep/vod://sub/abc",            TRUE,  CB_WHIP_KIND_WHEP, "vod://sub", "abc" },  /* POST rejoins */
  { "/whep/vod://sub/a.b/c d",        TRUE,  CB_WHIP_KIND_WHEP, "vod://sub/a.b/c d", NULL },
  { "/whip/\xff\xfe",                 TRUE,  CB_WHIP_KIND_WHIP, "\xff\xfe", NULL }, /* the engine refuses it */
  { "/whip/",                         FALSE },
  { "/whip",                          FALSE },
  { "/whip//abc",                     FALSE },
  { "/whipx/cam",                     FALSE },
  { "/whap/cam",                      FALSE },
  { "/rest-api/whip/cam",             FALSE },
  { "",                               FALSE },
  { "/whip/cam/abc/def",              FALSE },
  { "/whip/cam/abc/",                 FALSE },
  { "/whip/a/b/c",                    FALSE },
  { "/whip/cam/a.b",                  FALSE },   /* resource ids are [A-Za-z0-9_-] */
  { "/whip/cam/a b",                  FALSE },
  { "/whip/cam/a%41",                 FALSE },
  { "/whip/cam/"
    "0123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890",         FALSE },  /* 129 */
};

static void
test_parse_path (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (path_cases); i++)
    {
      const PathCase *c = &path_cases[i];
      CbWhipPath path = { 0 };
      gboolean ok = cb_whip_parse_path (c->path, &path);
      g_autofree char *shown = g_strescape (c->path, NULL);   /* TAP output must be UTF-8 */

      g_test_message ("path %s", shown);
      g_assert_cmpint (ok, ==, c->ok);
      if (!ok)
        {
          g_assert_null (path.name);
          continue;
        }
      g_assert_cmpint (path.kind, ==, c->kind);
      g_assert_cmpstr (path.name, ==, c->name);
      g_assert_cmpstr (path.resource, ==, c->resource);
      cb_whip_path_clear (&path);
    }
  {
    CbWhipPath path = { 0 };

    g_assert_false (cb_whip_parse_path (NULL, &path));
  }
}

static void
test_resource_path (void)
{
  g_autofree char *a = cb_whip_resource_path (CB_WHIP_KIND_WHIP, "cam", "abc");
  g_autofree char *b = cb_whip_resource_path (CB_WHIP_KIND_WHEP, "my cam/#?", "x-1");
  g_autofree char *c = cb_whip_resource_path (CB_WHIP_KIND_WHIP, "кам 100%", "id");
  g_autofree char *d = cb_whip_resource_path (CB_WHIP_KIND_WHEP, "vod-live://a/b.mp4", "id");
  g_autofree char *decoded = NULL;
  CbWhipPath path = { 0 };

  g_assert_cmpstr (a, ==, "/whip/cam/abc");
  g_assert_cmpstr (b, ==, "/whep/my%20cam%2F%23%3F/x-1");
  /* What we give as Location comes back decoded by libsoup, and parses to the same. */
  decoded = g_uri_unescape_string (c, NULL);
  g_assert_true (cb_whip_parse_path (decoded, &path));
  g_assert_cmpstr (path.name, ==, "кам 100%");
  g_assert_cmpstr (path.resource, ==, "id");
  cb_whip_path_clear (&path);
  g_free (decoded);
  decoded = g_uri_unescape_string (d, NULL);
  g_assert_true (cb_whip_parse_path (decoded, &path));
  g_assert_cmpstr (path.name, ==, "vod-live://a/b.mp4");
  g_assert_cmpstr (path.resource, ==, "id");
  cb_whip_path_clear (&path);
}

/* ---- offers -------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *data;
  gsize       length;   /* 0: strlen */
  gboolean    ok;
} SdpCase;

#define SDP_OK "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"

static const SdpCase sdp_cases[] = {
  { "offer",            SDP_OK,                                0, TRUE },
  { "LF lines",         "v=0\nm=audio 9 RTP/AVP 0\n",           0, TRUE },
  { "empty",            "",                                    0, FALSE },
  { "no media",         "v=0\r\ns=-\r\n",                      0, FALSE },
  { "m= not at a line", "v=0\r\ns=m=video\r\n",                0, FALSE },
  { "version 1",        "v=1\r\nm=video 9 RTP/AVP 96\r\n",     0, FALSE },
  { "v=0 only",         "v=0",                                 0, FALSE },
  { "v=00",             "v=00\r\nm=video 9 RTP/AVP 96\r\n",    0, FALSE },
  { "leading space",    " v=0\r\nm=video 9 RTP/AVP 96\r\n",    0, FALSE },
  { "JSON",             "{\"sdp\": \"v=0\"}",                  0, FALSE },
  { "NUL inside",       "v=0\r\nm=video\0 9\r\n",             18, FALSE },
  { "not UTF-8",        "v=0\r\nm=video \xff\xfe\r\n",           0, FALSE },
  { "unterminated",     "v=0\r\nm=",                           0, TRUE },
};

static void
test_check_sdp (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sdp_cases); i++)
    {
      const SdpCase *c = &sdp_cases[i];
      g_autoptr(GError) error = NULL;
      gsize length = c->length ? c->length : strlen (c->data);
      /* A heap copy without a terminating NUL, so that reading past the end shows. */
      g_autofree char *copy = g_memdup2 (c->data, length);
      gboolean ok = cb_whip_check_sdp (copy, length, &error);

      g_test_message ("sdp %s", c->name);
      g_assert_cmpint (ok, ==, c->ok);
      if (ok)
        g_assert_no_error (error);
      else
        g_assert_error (error, CB_SERVER_ERROR, CB_SERVER_ERROR_BAD_REQUEST);
    }
  g_assert_false (cb_whip_check_sdp (NULL, 0, NULL));
}

/* ---- sdpfrags -------------------------------------------------------------------------- */

static void
test_find_ufrag (void)
{
  static const struct {
    const char *sdp;
    const char *ufrag;
  } cases[] = {
    { "a=ice-ufrag:abcd\r\na=ice-pwd:x\r\n",                  "abcd" },
    { "a=ice-ufrag:abcd",                                      "abcd" },   /* unterminated */
    { "v=0\nm=audio 9 x 0\na=ice-ufrag:EsAw\na=ice-ufrag:zz\n", "EsAw" },   /* the first */
    { "a=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n",          NULL },
    { "x a=ice-ufrag:no\r\n",                                  NULL },     /* not a line start */
    { "a=ice-ufrag:\r\n",                                      NULL },
    { "",                                                      NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = strlen (cases[i].sdp);
      g_autofree char *copy = g_memdup2 (cases[i].sdp, length);
      g_autofree char *ufrag = cb_whip_find_ice_ufrag (copy, length);

      g_assert_cmpstr (ufrag, ==, cases[i].ufrag);
    }
  g_assert_null (cb_whip_find_ice_ufrag (NULL, 0));
}

/* ---- ICE servers ------------------------------------------------------------------------ */

static void
test_ice_servers (void)
{
  static const struct {
    const char *setting;
    const char *links[3];
    gboolean    error;
  } cases[] = {
    { NULL,                                   { NULL }, FALSE },
    { "",                                     { NULL }, FALSE },
    { "  ,  ",                                { NULL }, FALSE },
    { "stun:stun.example.net:3478",           { "<stun:stun.example.net:3478>; rel=\"ice-server\"" }, FALSE },
    { "STUN:a.example , stuns:b.example:5349",
      { "<stun:a.example>; rel=\"ice-server\"", "<stuns:b.example:5349>; rel=\"ice-server\"" }, FALSE },
    { "turn:alice:s3cret@turn.example.net:3478?transport=udp",
      { "<turn:turn.example.net:3478?transport=udp>; rel=\"ice-server\"; username=\"alice\"; "
        "credential=\"s3cret\"; credential-type=\"password\"" }, FALSE },
    { "turns:a%40b:p%22w%3A@t.example",
      { "<turns:t.example>; rel=\"ice-server\"; username=\"a@b\"; credential=\"p\\\"w:\"; "
        "credential-type=\"password\"" }, FALSE },
    /* invalid entries are skipped, the rest kept */
    { "http://x, stun:ok.example",            { "<stun:ok.example>; rel=\"ice-server\"" }, TRUE },
    { "stun:u:p@x.example",                   { NULL }, TRUE },   /* credentials on STUN */
    { "turn:nopassword@x.example",            { NULL }, TRUE },
    { "turn::p@x.example",                    { NULL }, TRUE },   /* empty user */
    { "turn:u:p%0A@x.example",                { NULL }, TRUE },   /* control character */
    { "turn:u:p%zz@x.example",                { NULL }, TRUE },
    { "stun:",                                { NULL }, TRUE },
    { "stun:?transport=udp",                  { NULL }, TRUE },
    { "stun:<x>",                             { NULL }, TRUE },
    { "stun:a\"b",                            { NULL }, TRUE },
    { "stun",                                 { NULL }, TRUE },
    { "turn:u:p@",                            { NULL }, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) links = cb_whip_ice_server_links (cases[i].setting, &error);
      guint n = 0;

      g_test_message ("ice servers %s", cases[i].setting ? cases[i].setting : "(null)");
      g_assert_nonnull (links);
      while (cases[i].links[n] != NULL)
        n++;
      g_assert_cmpuint (g_strv_length (links), ==, n);
      for (guint k = 0; k < n; k++)
        g_assert_cmpstr (links[k], ==, cases[i].links[k]);
      g_assert_cmpint (error != NULL, ==, cases[i].error);
      /* The message never repeats a password. */
      if (error != NULL)
        g_assert_null (strstr (error->message, "p%"));
    }
}

/* ---- auth ---------------------------------------------------------------------------------- */

static void
test_auth (void)
{
  static const struct {
    const char       *address;
    const char       *authorization;
    const char       *user;
    const char       *password;
    CbRestAuthResult  expected;
  } cases[] = {
    { "127.0.0.1", NULL,               NULL, NULL,   CB_REST_AUTH_ALLOW },
    { "127.0.0.1", "Bearer wrong",     "u",  "tok",  CB_REST_AUTH_ALLOW },
    { "10.0.0.2",  NULL,               NULL, NULL,   CB_REST_AUTH_FORBIDDEN },
    { "10.0.0.2",  "Bearer tok",       NULL, NULL,   CB_REST_AUTH_FORBIDDEN },
    { "10.0.0.2",  NULL,               "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearer tok",       "u",  "tok",  CB_REST_AUTH_ALLOW },
    { "10.0.0.2",  "bearer   tok",     "u",  "tok",  CB_REST_AUTH_ALLOW },
    { "10.0.0.2",  "Bearer to",        "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearer tokk",      "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearer ",          "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearer",           "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearertok",        "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Bearer u",         "u",  "tok",  CB_REST_AUTH_UNAUTHORIZED },
    { "10.0.0.2",  "Basic dTp0b2s=",   "u",  "tok",  CB_REST_AUTH_ALLOW },   /* u:tok */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (cases[i].address);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 4000);
      CbRestAuthConfig config = { cases[i].user, cases[i].password, FALSE };
      CbRestRequest request = { address, NULL, NULL, NULL, cases[i].authorization };

      g_test_message ("auth %s %s", cases[i].address,
                      cases[i].authorization ? cases[i].authorization : "(none)");
      g_assert_cmpint (cb_whip_auth_check (&request, &config, NULL), ==, cases[i].expected);
    }
}

static void
test_content_types (void)
{
  g_assert_cmpstr (cb_web_client_content_type ("index.html"), ==, "text/html; charset=utf-8");
  g_assert_cmpstr (cb_web_client_content_type ("cb-wcs.js"), ==, "text/javascript; charset=utf-8");
  g_assert_cmpstr (cb_web_client_content_type ("style.css"), ==, "text/css; charset=utf-8");
  g_assert_cmpstr (cb_web_client_content_type ("x.bin"), ==, "application/octet-stream");
  g_assert_cmpstr (cb_web_client_content_type (NULL), ==, "application/octet-stream");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cb/whip/parse-path", test_parse_path);
  g_test_add_func ("/cb/whip/resource-path", test_resource_path);
  g_test_add_func ("/cb/whip/check-sdp", test_check_sdp);
  g_test_add_func ("/cb/whip/find-ufrag", test_find_ufrag);
  g_test_add_func ("/cb/whip/ice-servers", test_ice_servers);
  g_test_add_func ("/cb/whip/auth", test_auth);
  g_test_add_func ("/cb/whip/content-types", test_content_types);

  return g_test_run ();
}
