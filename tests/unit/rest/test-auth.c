/* test-auth.c — who may call the REST API
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-rest-auth.h"

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

  g_assert_cmpint (cb_rest_auth_check (address, c->authorization, &config), ==, c->expected);
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
  g_assert_cmpint (cb_rest_auth_check (address, header, &config), ==, E401);
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

/* The address WebRTC with a loopback client gathers on: libnice wants the plain literal. */
static void
test_auth_loopback_literal (void)
{
  static const struct { const char *address; const char *literal; } rows[] = {
    { "127.0.0.1", "127.0.0.1" }, { "127.0.0.2", "127.0.0.1" }, { "::1", "::1" },
    { "::ffff:127.0.0.1", "127.0.0.1" }, { "10.0.0.1", NULL }, { "::", NULL },
    { "fe80::1", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (rows[i].address);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 8080);

      g_assert_cmpstr (cb_rest_auth_loopback_literal (address), ==, rows[i].literal);
    }
  g_assert_null (cb_rest_auth_loopback_literal (NULL));
}

static void
test_auth_secure_equal (void)
{
  g_assert_true (cb_rest_auth_secure_equal ("secret", 6, "secret", 6));
  g_assert_false (cb_rest_auth_secure_equal ("secret", 6, "secreT", 6));
  g_assert_false (cb_rest_auth_secure_equal ("secret", 6, "secret2", 7));
  g_assert_false (cb_rest_auth_secure_equal ("secret", 5, "secret", 6));
  g_assert_true (cb_rest_auth_secure_equal ("", 0, "", 0));
  g_assert_true (cb_rest_auth_secure_equal (NULL, 0, "", 0));
  g_assert_false (cb_rest_auth_secure_equal ("a\0b", 3, "a", 1));
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
  g_test_add_func ("/cb/server/auth/long-header", test_auth_long_header);
  g_test_add_func ("/cb/server/auth/is-loopback", test_auth_is_loopback);
  g_test_add_func ("/cb/server/auth/loopback-literal", test_auth_loopback_literal);
  g_test_add_func ("/cb/server/auth/secure-equal", test_auth_secure_equal);

  return g_test_run ();
}
