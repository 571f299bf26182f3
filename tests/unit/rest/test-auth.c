/* test-auth.c — who may call the REST API
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rest-auth.h"
#include "cb-redact.h"

#define ALLOW CB_REST_AUTH_ALLOW
#define E401  CB_REST_AUTH_UNAUTHORIZED
#define E403  CB_REST_AUTH_FORBIDDEN

/* Basic dTpw = u:p; dTp3cm9uZw== = u:wrong; eDpw = x:p; dTpwOnE= = u:p:q; dXA= = up;
 * dQBwOnA= = "u\0p:p"; OnA= = :p; dTo= = u: */
typedef struct {
  const char       *name;
  const char       *address;        /* NULL: unknown peer */
  const char       *authorization;
  const char       *user;
  const char       *password;
  gboolean          disabled;
  CbRestAuthResult  expected;
} AuthCase;

static const AuthCase cases[] = {
  /* loopback needs nothing, whatever is configured */
  { "loopback v4",             "127.0.0.1",       NULL,               NULL, NULL, FALSE, ALLOW },
  { "loopback v4 other",       "127.45.6.7",      NULL,               NULL, NULL, FALSE, ALLOW },
  { "loopback v6",             "::1",             NULL,               NULL, NULL, FALSE, ALLOW },
  { "loopback mapped",         "::ffff:127.0.0.1", NULL,              NULL, NULL, FALSE, ALLOW },
  { "loopback, bad creds",     "127.0.0.1",       "Basic dTp3cm9uZw==", "u", "p", FALSE, ALLOW },

  /* remote, nothing configured: remote control is off */
  { "remote none",             "10.0.0.2",        NULL,               NULL, NULL, FALSE, E403 },
  { "remote none with creds",  "10.0.0.2",        "Basic dTpw",       NULL, NULL, FALSE, E403 },
  { "remote empty config",     "10.0.0.2",        "Basic dTpw",       "",   "",   FALSE, E403 },
  { "remote user only",        "10.0.0.2",        "Basic dTo=",       "u",  "",   FALSE, E403 },
  { "remote v6",               "2001:db8::2",     NULL,               NULL, NULL, FALSE, E403 },
  { "remote mapped",           "::ffff:10.0.0.2", NULL,               NULL, NULL, FALSE, E403 },
  { "not quite loopback v6",   "::2",             NULL,               NULL, NULL, FALSE, E403 },
  { "not quite loopback v4",   "128.0.0.1",       NULL,               NULL, NULL, FALSE, E403 },
  { "unspecified",             "0.0.0.0",         NULL,               NULL, NULL, FALSE, E403 },
  { "unknown peer",            NULL,              NULL,               NULL, NULL, FALSE, E403 },

  /* remote, configured */
  { "missing",                 "10.0.0.2",        NULL,               "u", "p", FALSE, E401 },
  { "good",                    "10.0.0.2",        "Basic dTpw",       "u", "p", FALSE, ALLOW },
  { "good, lower-case scheme", "10.0.0.2",        "basic dTpw",       "u", "p", FALSE, ALLOW },
  { "good, extra spaces",      "10.0.0.2",        "Basic   dTpw  ",   "u", "p", FALSE, ALLOW },
  { "good v6",                 "2001:db8::2",     "Basic dTpw",       "u", "p", FALSE, ALLOW },
  { "unknown peer good",       NULL,              "Basic dTpw",       "u", "p", FALSE, ALLOW },
  { "wrong password",          "10.0.0.2",        "Basic dTp3cm9uZw==", "u", "p", FALSE, E401 },
  { "wrong user",              "10.0.0.2",        "Basic eDpw",       "u", "p", FALSE, E401 },
  { "colon in password",       "10.0.0.2",        "Basic dTpwOnE=",   "u", "p:q", FALSE, ALLOW },
  { "password prefix",         "10.0.0.2",        "Basic dTpwOnE=",   "u", "p", FALSE, E401 },
  { "no colon",                "10.0.0.2",        "Basic dXA=",       "u", "p", FALSE, E401 },
  { "NUL in credentials",      "10.0.0.2",        "Basic dQBwOnA=",   "u", "p", FALSE, E401 },
  { "empty user",              "10.0.0.2",        "Basic OnA=",       "u", "p", FALSE, E401 },
  { "not base64",              "10.0.0.2",        "Basic !!!!",       "u", "p", FALSE, E401 },
  { "empty token",             "10.0.0.2",        "Basic ",           "u", "p", FALSE, E401 },
  { "scheme only",             "10.0.0.2",        "Basic",            "u", "p", FALSE, E401 },
  { "scheme glued",            "10.0.0.2",        "BasicdTpw",        "u", "p", FALSE, E401 },
  { "bearer",                  "10.0.0.2",        "Bearer dTpw",      "u", "p", FALSE, E401 },
  { "empty header",            "10.0.0.2",        "",                 "u", "p", FALSE, E401 },

  /* disable_rest_auth=true */
  { "disabled",                "10.0.0.2",        NULL,               NULL, NULL, TRUE, ALLOW },
  { "disabled, configured",    "10.0.0.2",        "Basic eDpw",       "u", "p", TRUE, ALLOW },
};

static void
test_auth_case (gconstpointer data)
{
  const AuthCase *c = data;
  CbRestAuthConfig config = { c->user, c->password, c->disabled };
  g_autoptr(GSocketAddress) address = NULL;

  if (c->address != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (c->address);

      g_assert_nonnull (inet);
      address = g_inet_socket_address_new (inet, 40000);
    }

  CbRestRequest request = { address, NULL, NULL, NULL, c->authorization };

  g_assert_cmpint (cb_rest_auth_check (&request, &config, NULL), ==, c->expected);
}

static void
test_auth_long_header (void)
{
  CbRestAuthConfig config = { "u", "p", FALSE };
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string ("192.0.2.1");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 1);
  g_autofree char *header = g_malloc (100001);

  memcpy (header, "Basic ", 6);
  memset (header + 6, 'A', 100000 - 6);
  header[100000] = '\0';
  {
    CbRestRequest request = { address, NULL, NULL, NULL, header };

    g_assert_cmpint (cb_rest_auth_check (&request, &config, NULL), ==, E401);
  }
}

static void
test_auth_is_loopback (void)
{
  static const struct { const char *address; gboolean loopback; } rows[] = {
    { "127.0.0.1", TRUE }, { "127.255.255.254", TRUE }, { "::1", TRUE },
    { "::ffff:127.0.0.1", TRUE }, { "::ffff:127.9.9.9", TRUE },
    { "126.255.255.255", FALSE }, { "10.0.0.1", FALSE }, { "::", FALSE },
    { "::ffff:10.0.0.1", FALSE }, { "fe80::1", FALSE }, { "::127.0.0.1", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (rows[i].address);

      g_assert_nonnull (inet);
      g_assert_cmpint (cb_rest_auth_is_loopback (inet), ==, rows[i].loopback);
    }
  g_assert_false (cb_rest_auth_is_loopback (NULL));
}

/* The address WebRTC with a loopback client gathers on: libnice wants the plain literal.
 * The local one is the viewer egress's candidate: a dual-stack socket's IPv4 as IPv4. */
static void
test_auth_loopback_literal (void)
{
  static const struct { const char *address; const char *literal; const char *local; } rows[] = {
    { "127.0.0.1", "127.0.0.1", "127.0.0.1" }, { "127.0.0.2", "127.0.0.1", "127.0.0.2" },
    { "::1", "::1", "::1" }, { "::ffff:127.0.0.1", "127.0.0.1", "127.0.0.1" },
    { "10.0.0.1", NULL, "10.0.0.1" }, { "::ffff:192.168.1.5", NULL, "192.168.1.5" },
    { "::", NULL, "::" }, { "fe80::1", NULL, "fe80::1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (rows[i].address);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 8080);

      g_assert_cmpstr (cb_rest_auth_loopback_literal (address), ==, rows[i].literal);
      g_assert_cmpstr (cb_rest_auth_local_literal (address), ==, rows[i].local);
    }
  g_assert_null (cb_rest_auth_loopback_literal (NULL));
  g_assert_null (cb_rest_auth_local_literal (NULL));
}

static void
test_auth_secure_equal (void)
{
  g_assert_true (cb_secret_equal ("secret", 6, "secret", 6));
  g_assert_false (cb_secret_equal ("secret", 6, "secreT", 6));
  g_assert_false (cb_secret_equal ("secret", 6, "secret2", 7));
  g_assert_false (cb_secret_equal ("secret", 5, "secret", 6));
  g_assert_true (cb_secret_equal ("", 0, "", 0));
  g_assert_true (cb_secret_equal (NULL, 0, "", 0));
  g_assert_false (cb_secret_equal ("a\0b", 3, "a", 1));
}


/* ---- where a request comes from: Origin, Referer, Host ------------------------------ */

#define LOCAL   CB_REST_SOURCE_LOCAL
#define REMOTE  CB_REST_SOURCE_REMOTE
#define PAGE    CB_REST_SOURCE_FOREIGN_PAGE
#define REBIND  CB_REST_SOURCE_FOREIGN_HOST

/* The server in these rows: HTTP on 8081, HTTPS on 8444, on a machine called "studio"
 * with the LAN address 192.168.1.5; rest_allowed_origins and rest_allowed_hosts below. */
#define ALLOWED_ORIGINS "https://app.example.com, http://localhost:3000"
#define ALLOWED_HOSTS   "studio.lan,cam.example:8081"

typedef struct {
  const char       *name;
  const char       *address;
  const char       *host;
  const char       *origin;
  const char       *referer;
  const char       *authorization;   /* Basic dTpw = u:p, configured below */
  CbRestSource      source;
  CbRestAuthResult  expected;        /* with credentials u:p configured */
  CbRestAuthResult  unconfigured;    /* with none configured */
} OriginCase;

static const OriginCase origin_cases[] = {
  /* curl, scripts, the GUI: no Origin, no Referer */
  { "no origin",                  "127.0.0.1", "127.0.0.1:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "no origin no host",          "127.0.0.1", NULL,             NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "no origin v6",               "::1",       "[::1]:8081",     NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "no origin localhost",        "127.0.0.1", "localhost:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "localhost no port",          "127.0.0.1", "localhost",      NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "LOCALHOST dot",              "127.0.0.1", "LOCALHOST.:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "sub.localhost",              "127.0.0.1", "app.localhost:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "127.1.2.3",                  "127.0.0.1", "127.1.2.3:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "machine name",               "127.0.0.1", "studio:8081",    NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "machine address",            "127.0.0.1", "192.168.1.5:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "allowed host",               "127.0.0.1", "studio.lan:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "allowed host and port",      "127.0.0.1", "cam.example:8081", NULL, NULL, NULL, LOCAL, ALLOW, ALLOW },

  /* DNS rebinding: loopback, but addressed to another name */
  { "rebinding",                  "127.0.0.1", "evil.example:8081", NULL, NULL, NULL, REBIND, E401, E403 },
  { "rebinding no port",          "127.0.0.1", "evil.example",   NULL, NULL, NULL, REBIND, E401, E403 },
  { "rebinding with creds",       "127.0.0.1", "evil.example:8081", NULL, NULL, "Basic dTpw", REBIND, ALLOW, E403 },
  { "rebinding v6",               "::1",       "evil.example:8081", NULL, NULL, NULL, REBIND, E401, E403 },
  { "allowed host, other port",   "127.0.0.1", "cam.example:9000", NULL, NULL, NULL, REBIND, E401, E403 },
  { "localhost lookalike",        "127.0.0.1", "localhost.evil.example:8081", NULL, NULL, NULL, REBIND, E401, E403 },
  { "other address",              "127.0.0.1", "10.9.9.9:8081",  NULL, NULL, NULL, REBIND, E401, E403 },
  { "garbage host",               "127.0.0.1", "[::1:8081",      NULL, NULL, NULL, REBIND, E401, E403 },
  { "bad port",                   "127.0.0.1", "localhost:99999", NULL, NULL, NULL, REBIND, E401, E403 },
  { "empty host",                 "127.0.0.1", "",               NULL, NULL, NULL, REBIND, E401, E403 },
  /* another machine may use any name for us: it is remote anyway */
  { "remote any host",            "10.0.0.2",  "studio.example.com:8081", NULL, NULL, NULL, REMOTE, E401, E403 },

  /* the server's own pages */
  { "own origin",                 "127.0.0.1", "127.0.0.1:8081", "http://127.0.0.1:8081", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "own origin localhost",       "127.0.0.1", "127.0.0.1:8080", "http://localhost:8081", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "own origin v6",              "::1",       "[::1]:8080",     "http://[::1]:8081", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "own origin https",           "127.0.0.1", "127.0.0.1:8444", "https://127.0.0.1:8444", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "own origin by Host name",    "10.0.0.2",  "studio.example.com:8080", "http://studio.example.com:8081", NULL, NULL, REMOTE, E401, E403 },
  { "own origin uppercase",       "127.0.0.1", "localhost:8081", "HTTP://LOCALHOST:8081", NULL, NULL, LOCAL, ALLOW, ALLOW },

  /* pages of other sites; a different port or scheme is another site */
  { "foreign origin",             "127.0.0.1", "127.0.0.1:8081", "https://evil.example", NULL, NULL, PAGE, E401, E403 },
  { "foreign origin creds",       "127.0.0.1", "127.0.0.1:8081", "https://evil.example", NULL, "Basic dTpw", PAGE, ALLOW, E403 },
  { "foreign origin bad creds",   "127.0.0.1", "127.0.0.1:8081", "https://evil.example", NULL, "Basic eDpw", PAGE, E401, E403 },
  { "other loopback port",        "127.0.0.1", "127.0.0.1:8081", "http://127.0.0.1:5000", NULL, NULL, PAGE, E401, E403 },
  { "default port",               "127.0.0.1", "127.0.0.1:8081", "http://127.0.0.1", NULL, NULL, PAGE, E401, E403 },
  { "https on the http port",     "127.0.0.1", "127.0.0.1:8081", "https://127.0.0.1:8081", NULL, NULL, PAGE, E401, E403 },
  { "http on the https port",     "127.0.0.1", "127.0.0.1:8081", "http://127.0.0.1:8444", NULL, NULL, PAGE, E401, E403 },
  { "null origin",                "127.0.0.1", "127.0.0.1:8081", "null", NULL, NULL, PAGE, E401, E403 },
  { "empty origin",               "127.0.0.1", "127.0.0.1:8081", "", NULL, NULL, PAGE, E401, E403 },
  { "file origin",                "127.0.0.1", "127.0.0.1:8081", "file://", NULL, NULL, PAGE, E401, E403 },
  { "extension origin",           "127.0.0.1", "127.0.0.1:8081", "chrome-extension://abcdef", NULL, NULL, PAGE, E401, E403 },
  { "foreign origin, own port",   "127.0.0.1", "127.0.0.1:8081", "http://evil.example:8081", NULL, NULL, PAGE, E401, E403 },
  { "rebinding own-looking",      "127.0.0.1", "evil.example:8081", "http://evil.example:8081", NULL, NULL, REBIND, E401, E403 },
  { "foreign origin remote",      "10.0.0.2",  "10.0.0.1:8081",  "https://evil.example", NULL, NULL, PAGE, E401, E403 },

  /* rest_allowed_origins */
  { "allowed origin",             "127.0.0.1", "127.0.0.1:8081", "https://app.example.com", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "allowed origin explicit port", "127.0.0.1", "127.0.0.1:8081", "https://app.example.com:443", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "allowed origin 2",           "127.0.0.1", "127.0.0.1:8081", "http://localhost:3000", NULL, NULL, LOCAL, ALLOW, ALLOW },
  { "allowed origin other scheme", "127.0.0.1", "127.0.0.1:8081", "http://app.example.com", NULL, NULL, PAGE, E401, E403 },
  { "allowed origin other port",  "127.0.0.1", "127.0.0.1:8081", "http://localhost:3001", NULL, NULL, PAGE, E401, E403 },
  { "allowed origin suffix",      "127.0.0.1", "127.0.0.1:8081", "https://evilapp.example.com", NULL, NULL, PAGE, E401, E403 },
  { "allowed origin, rebinding",  "127.0.0.1", "evil.example:8081", "https://app.example.com", NULL, NULL, REBIND, E401, E403 },
  { "allowed origin remote",      "10.0.0.2",  "10.0.0.1:8081",  "https://app.example.com", NULL, NULL, REMOTE, E401, E403 },

  /* Referer when there is no Origin */
  { "foreign referer",            "127.0.0.1", "127.0.0.1:8081", NULL, "https://evil.example/page.html", NULL, PAGE, E401, E403 },
  { "own referer",                "127.0.0.1", "127.0.0.1:8081", NULL, "http://127.0.0.1:8081/client/play.html", NULL, LOCAL, ALLOW, ALLOW },
  { "allowed referer",            "127.0.0.1", "127.0.0.1:8081", NULL, "http://localhost:3000/x?y=1", NULL, LOCAL, ALLOW, ALLOW },
  { "origin wins over referer",   "127.0.0.1", "127.0.0.1:8081", "http://127.0.0.1:8081", "https://evil.example/", NULL, LOCAL, ALLOW, ALLOW },
  { "foreign origin, own referer", "127.0.0.1", "127.0.0.1:8081", "https://evil.example", "http://127.0.0.1:8081/", NULL, PAGE, E401, E403 },
  { "garbage referer",            "127.0.0.1", "127.0.0.1:8081", NULL, "not a url", NULL, PAGE, E401, E403 },
};

static const char * const machine_names[] = { "studio", "192.168.1.5", "fe80::1", NULL };

static void
origin_config (CbRestAuthConfig *config,
               gboolean          configured)
{
  memset (config, 0, sizeof *config);
  config->user = configured ? "u" : NULL;
  config->password = configured ? "p" : NULL;
  config->allowed_origins = ALLOWED_ORIGINS;
  config->allowed_hosts = ALLOWED_HOSTS;
  config->http_port = 8081;
  config->https_port = 8444;
  config->machine_names = machine_names;
}

static void
test_origin_case (gconstpointer data)
{
  const OriginCase *c = data;
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (c->address);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 40000);
  CbRestRequest request = { address, c->host, c->origin, c->referer, c->authorization };
  CbRestAuthConfig config;
  CbRestSource source = -1;

  origin_config (&config, TRUE);
  g_assert_cmpint (cb_rest_auth_classify (&request, &config), ==, c->source);
  g_assert_cmpint (cb_rest_auth_check (&request, &config, &source), ==, c->expected);
  g_assert_cmpint (source, ==, c->source);

  origin_config (&config, FALSE);
  g_assert_cmpint (cb_rest_auth_check (&request, &config, NULL), ==, c->unconfigured);

  /* disable_rest_auth=true lets everyone call, pages of other sites included */
  config.disabled = TRUE;
  g_assert_cmpint (cb_rest_auth_check (&request, &config, NULL), ==, ALLOW);
}

/* Which pages CORS tells they may read: the own pages and the listed ones, nothing else. */
static void
test_origin_cors (void)
{
  static const struct { const char *origin; const char *host; gboolean allowed; } rows[] = {
    { "http://127.0.0.1:8081",       "127.0.0.1:8081", TRUE },
    { "http://localhost:8081",       "127.0.0.1:8081", TRUE },
    { "https://app.example.com",     "127.0.0.1:8081", TRUE },
    { "http://localhost:3000",       "127.0.0.1:8081", TRUE },
    { "http://studio.example.com:8081", "studio.example.com:8081", TRUE },
    { "http://studio.example.com:8081", "127.0.0.1:8081", FALSE },
    { "https://evil.example",        "127.0.0.1:8081", FALSE },
    { "http://127.0.0.1:5000",       "127.0.0.1:8081", FALSE },
    { "null",                        "127.0.0.1:8081", FALSE },
    { "*",                           "127.0.0.1:8081", FALSE },
    { NULL,                          "127.0.0.1:8081", FALSE },
  };
  CbRestAuthConfig config;

  origin_config (&config, FALSE);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_test_message ("%s from %s", rows[i].origin ? rows[i].origin : "(none)", rows[i].host);
      g_assert_cmpint (cb_rest_auth_origin_allowed (rows[i].origin, rows[i].host, &config), ==,
                       rows[i].allowed);
    }

  /* Nothing listed and no HTTPS: only http://<this machine>:8081. */
  config.allowed_origins = NULL;
  config.https_port = 0;
  g_assert_false (cb_rest_auth_origin_allowed ("https://app.example.com", NULL, &config));
  g_assert_false (cb_rest_auth_origin_allowed ("https://127.0.0.1:0", NULL, &config));
  g_assert_true (cb_rest_auth_origin_allowed ("http://127.0.0.1:8081", NULL, &config));
}

static void
test_origin_messages (void)
{
  g_assert_nonnull (strstr (cb_rest_auth_forbidden_message (PAGE), "rest_allowed_origins"));
  g_assert_nonnull (strstr (cb_rest_auth_forbidden_message (REBIND), "rest_allowed_hosts"));
  g_assert_nonnull (strstr (cb_rest_auth_forbidden_message (REMOTE), "rest_auth_user"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/server/auth/case/%s", cases[i].name);

      g_strdelimit (path + strlen ("/cb/server/auth/case/"), " ,", '-');
      g_test_add_data_func (path, &cases[i], test_auth_case);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (origin_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/server/auth/origin/%s", origin_cases[i].name);

      g_strdelimit (path + strlen ("/cb/server/auth/origin/"), " ,.", '-');
      g_test_add_data_func (path, &origin_cases[i], test_origin_case);
    }
  g_test_add_func ("/cb/server/auth/origin-cors", test_origin_cors);
  g_test_add_func ("/cb/server/auth/origin-messages", test_origin_messages);
  g_test_add_func ("/cb/server/auth/long-header", test_auth_long_header);
  g_test_add_func ("/cb/server/auth/is-loopback", test_auth_is_loopback);
  g_test_add_func ("/cb/server/auth/loopback-literal", test_auth_loopback_literal);
  g_test_add_func ("/cb/server/auth/secure-equal", test_auth_secure_equal);

  return g_test_run ();
}
