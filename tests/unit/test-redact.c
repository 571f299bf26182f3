/* test-redact.c — cb_redact_url(): every URL that can carry a secret, shown without it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-redact.h"

#define KEY CB_REDACT_KEY_IN_PATH

typedef struct {
  const char    *name;
  const char    *url;
  CbRedactFlags  flags;
  const char    *shown;
  const char    *secrets[5];   /* none of them, nor any 3 characters of them, is shown */
} RedactRow;

static const RedactRow rows[] = {
  /* RTMP push targets: rtmpUrl and backupUrl in full-URL mode, the GUI's destinations. */
  { "rtmp-userinfo-key", "rtmp://USR7QK:PW9QXZ@live.example/app/KQ9Z7W", KEY,
    "rtmp://***@live.example/app/***", { "USR7QK", "PW9QXZ", "KQ9Z7W" } },
  { "rtmp-user-only", "rtmp://ALZ7QK@live.example/app/KQ9Z7W", KEY,
    "rtmp://***@live.example/app/***", { "ALZ7QK", "KQ9Z7W" } },
  { "rtmps-token", "rtmps://a.rtmps.youtube.com:443/live2/KQ9Z-7WXB-UV3J?token=TQK7XZ", KEY,
    "rtmps://a.rtmps.youtube.com:443/live2/***?token=***", { "KQ9Z-7WXB-UV3J", "TQK7XZ" } },
  { "rtmp-twitch", "rtmp://live.twitch.tv/app/sk_123456_QZXKWVJQ", KEY,
    "rtmp://live.twitch.tv/app/***", { "sk_123456_QZXKWVJQ" } },
  { "rtmp-app-instance-key", "rtmp://127.0.0.1:1936/app/instance/KQ9Z7W", KEY,
    "rtmp://127.0.0.1:1936/app/instance/***", { "KQ9Z7W" } },
  { "rtmp-key-trailing-slash", "rtmp://host/live/KQ9Z7W/", KEY, "rtmp://host/live/***/",
    { "KQ9Z7W" } },
  { "rtmp-query-credentials", "rtmp://host/live/KQ9Z7W?username=UZQ7XK&password=PW9QXZ", KEY,
    "rtmp://host/live/***?username=***&password=***", { "KQ9Z7W", "UZQ7XK", "PW9QXZ" } },
  { "rtmp-bare-query", "rtmp://host/live/KQ9Z7W?TQK7XZ&x=1", KEY, "rtmp://host/live/***?***&x=***",
    { "KQ9Z7W", "TQK7XZ" } },
  { "rtmp-odd-query", "rtmp://host/live?a=&&=VQ7Z9J&BQ7Z9J", CB_REDACT_DEFAULT,
    "rtmp://host/live?a=***&&=***&***", { "VQ7Z9J", "BQ7Z9J" } },
  { "rtmp-percent-encoded", "rtmp://US%40ZQ:P%40Q9%2FZ@host/live/K%2F9QZW?token=T%26Q9Z%3D", KEY,
    "rtmp://***@host/live/***?token=***",
    { "US%40ZQ", "US@ZQ", "P%40Q9%2FZ", "P@Q9/Z", "K%2F9QZW" } },
  { "rtmp-percent-encoded-query", "rtmp://host/live?token=T%26Q9Z%3DJX", CB_REDACT_DEFAULT,
    "rtmp://host/live?token=***", { "T%26Q9Z%3DJX", "T&Q9Z=JX" } },
  { "hash-in-user-info", "rtmp://UQZJ#:PW9QXZ@host/live/KQ9Z7W?token=TKQ4Z9", KEY,
    "rtmp://***@host/live/***?token=***", { "UQZJ", "PW9QXZ", "KQ9Z7W", "TKQ4Z9" } },
  { "rtmp-several-at", "rtmp://AQ@BQ7:PW9@QXZ@host/live", CB_REDACT_DEFAULT, "rtmp://***@host/live",
    { "AQ@BQ7:PW9@QXZ" } },
  { "rtmp-ipv6", "rtmp://[2001:db8::5]:1935/live/KQ9Z7W?password=PW9QXZ", KEY,
    "rtmp://[2001:db8::5]:1935/live/***?password=***", { "KQ9Z7W", "PW9QXZ" } },
  { "rtmps-ipv6-userinfo", "rtmps://UQ7:PW9QXZ@[::1]/live/KQ9Z7W", KEY, "rtmps://***@[::1]/live/***",
    { "UQ7:PW9QXZ", "KQ9Z7W" } },
  { "rtmp-uppercase-scheme", "RTMPS://Host.Example/live/KQ9Z7W", KEY, "RTMPS://Host.Example/live/***",
    { "KQ9Z7W" } },
  /* Not full-URL mode: the whole path is the application, the request gave the name. */
  { "rtmp-app-only", "rtmp://host/live", CB_REDACT_DEFAULT, "rtmp://host/live", { NULL } },
  { "rtmp-app-path", "rtmp://host/app/instance", CB_REDACT_DEFAULT, "rtmp://host/app/instance",
    { NULL } },
  { "rtmp-app-only-key-mode", "rtmp://host/live", KEY, "rtmp://host/live", { NULL } },
  { "rtmp-no-path", "rtmp://host:1935", KEY, "rtmp://host:1935", { NULL } },
  /* Relays: WCS over WebSocket, WHIP and WHEP over HTTP. */
  { "wss-tokens", "wss://wcs.example:8443/?token=TKQ4Z9&access_token=ATQ7XW", CB_REDACT_DEFAULT,
    "wss://wcs.example:8443/?token=***&access_token=***", { "TKQ4Z9", "ATQ7XW" } },
  { "ws-userinfo", "ws://ALQZ9J:PW4QZK@127.0.0.1:8080", CB_REDACT_DEFAULT, "ws://***@127.0.0.1:8080",
    { "ALQZ9J", "PW4QZK" } },
  { "ws-userinfo-ipv6", "ws://ALQZ9J:PW4QZK@[fe80::1%25eth0]:8080/", CB_REDACT_DEFAULT,
    "ws://***@[fe80::1%25eth0]:8080/", { "ALQZ9J", "PW4QZK" } },
  { "wss-query-only", "wss://host:8443?TKQ4Z9J", CB_REDACT_DEFAULT, "wss://host:8443?***",
    { "TKQ4Z9J" } },
  { "https-whip-token", "https://whip.example:8444/whip/cam?access_token=ATQ7XW", CB_REDACT_DEFAULT,
    "https://whip.example:8444/whip/cam?access_token=***", { "ATQ7XW" } },
  { "https-fragment", "https://whip.example/whip#access_token=ATQ7XW", CB_REDACT_DEFAULT,
    "https://whip.example/whip#***", { "ATQ7XW" } },
  { "srt-passphrase", "srt://host:9000?streamid=SQZ7K9&passphrase=PPQ7Z9XJ", CB_REDACT_DEFAULT,
    "srt://host:9000?streamid=***&passphrase=***", { "SQZ7K9", "PPQ7Z9XJ" } },
  { "vod-live", "vod-live://clip one.mp4", CB_REDACT_DEFAULT, "vod-live://clip one.mp4", { NULL } },
  /* Empty and garbage: nothing that cannot be split with certainty is shown. */
  { "empty", "", KEY, "", { NULL } },
  { "no-scheme", "host/live/KQ9Z7W", KEY, "***", { "KQ9Z7W" } },
  { "words", "not a url PW9QXZ", CB_REDACT_DEFAULT, "***", { "PW9QXZ" } },
  { "query-without-url", "?token=TKQ4Z9", CB_REDACT_DEFAULT, "***", { "TKQ4Z9" } },
  { "scheme-no-slashes", "rtmp:UQ7:PW9QXZ@host/live", CB_REDACT_DEFAULT, "***", { "PW9QXZ" } },
  { "slash-in-password", "rtmp://UQ7:PW9/QXZ@host/live", CB_REDACT_DEFAULT, "***",
    { "PW9/QXZ" } },
  { "dot-dot-after-key", "rtmp://host/live/KQ9Z7W/..", KEY, "***", { "KQ9Z7W" } },
  { "empty-element", "rtmp://host/live//KQ9Z7W", KEY, "***", { "KQ9Z7W" } },
  { "control-character", "rtmp://host/live/KQ9\nZ7W", KEY, "***", { "KQ9", "Z7W" } },
  { "invalid-utf8", "rtmp://host/live/KQ9Z7W\xff", KEY, "***", { "KQ9Z7W" } },
  { "unterminated-ipv6", "rtmp://UQ7:PW9QXZ@[::1/live/KQ9Z7W", KEY, "***", { "PW9QXZ", "KQ9Z7W" } },
  { "bad-port", "rtmp://host:PW9QXZ/live", CB_REDACT_DEFAULT, "***", { "PW9QXZ" } },
};

static gboolean
shows_part_of (const char *shown,
               const char *secret)
{
  g_autofree char *folded = g_ascii_strdown (shown, -1);
  gsize len = strlen (secret);

  for (gsize i = 0; len >= 3 && i + 3 <= len; i++)
    {
      g_autofree char *part = g_ascii_strdown (secret + i, 3);

      if (strstr (folded, part) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_row (gconstpointer data)
{
  const RedactRow *row = data;
  g_autofree char *shown = cb_redact_url (row->url, row->flags);

  g_assert_cmpstr (shown, ==, row->shown);
  for (guint i = 0; i < G_N_ELEMENTS (row->secrets) && row->secrets[i] != NULL; i++)
    {
      if (shows_part_of (shown, row->secrets[i]))
        g_error ("%s shows part of %s", shown, row->secrets[i]);
    }
}

static void
test_null (void)
{
  g_assert_null (cb_redact_url (NULL, CB_REDACT_DEFAULT));
}

/* Redacting twice changes nothing: what an answer showed can be matched as it is. */
static void
test_idempotent (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *once = cb_redact_url (rows[i].url, rows[i].flags);
      g_autofree char *twice = cb_redact_url (once, rows[i].flags);

      g_assert_cmpstr (twice, ==, once);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cb/redact/url/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/cb/redact/null", test_null);
  g_test_add_func ("/cb/redact/idempotent", test_idempotent);
  return g_test_run ();
}
