/* cb-destination-presets.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lists are written down here, not fetched: adding a destination never waits on the
 * network, and no service learns who opened the dialog. Twitch's "Automatic" server
 * routes to the nearest ingest; the regional ones are those of Twitch's published ingest
 * list at the time of writing.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-destination-presets.h"
#include "cb-redact.h"
#include "cb-rtmp-url.h"

static const CbIngestServer twitch_servers[] = {
  { N_("Automatic (nearest server)"), "rtmp://live.twitch.tv/app" },
  { N_("Europe: Germany, Frankfurt"), "rtmp://fra.contribute.live-video.net/app" },
  { N_("Europe: Germany, Frankfurt (5)"), "rtmp://fra05.contribute.live-video.net/app" },
  { N_("Europe: Netherlands, Amsterdam"), "rtmp://ams03.contribute.live-video.net/app" },
  { N_("Europe: UK, London"), "rtmp://lhr04.contribute.live-video.net/app" },
  { N_("Europe: France, Paris"), "rtmp://cdg10.contribute.live-video.net/app" },
  { N_("Europe: Spain, Madrid"), "rtmp://mad01.contribute.live-video.net/app" },
  { N_("Europe: Sweden, Stockholm"), "rtmp://arn04.contribute.live-video.net/app" },
  { N_("US East: Ashburn, VA"), "rtmp://iad05.contribute.live-video.net/app" },
  { N_("US East: New York, NY"), "rtmp://jfk.contribute.live-video.net/app" },
  { N_("US Central: Dallas, TX"), "rtmp://dfw.contribute.live-video.net/app" },
  { N_("US West: San Francisco, CA"), "rtmp://sfo.contribute.live-video.net/app" },
  { N_("US West: Seattle, WA"), "rtmp://sea.contribute.live-video.net/app" },
  { N_("South America: Brazil, São Paulo"), "rtmp://sao03.contribute.live-video.net/app" },
  { N_("Asia: India, Mumbai"), "rtmp://bom01.contribute.live-video.net/app" },
  { N_("Asia: Thailand, Bangkok"), "rtmp://bkk.contribute.live-video.net/app" },
};

static const CbIngestServer youtube_servers[] = {
  { N_("Primary (RTMP)"), "rtmp://a.rtmp.youtube.com/live2" },
  { N_("Primary, encrypted (RTMPS)"), "rtmps://a.rtmps.youtube.com:443/live2" },
};

static const CbIngestServer facebook_servers[] = {
  { N_("Facebook Live (RTMPS)"), "rtmps://live-api-s.facebook.com:443/rtmp/" },
};

static const CbDestinationPreset presets[] = {
  { "twitch", "Twitch", "T", N_("the Creator Dashboard: Settings → Stream"),
    twitch_servers, G_N_ELEMENTS (twitch_servers) },
  { "youtube", "YouTube", "Y", N_("YouTube Studio: Go Live → Stream settings"),
    youtube_servers, G_N_ELEMENTS (youtube_servers) },
  { "facebook", "Facebook Live", "f", N_("Live Producer: Streaming software"),
    facebook_servers, G_N_ELEMENTS (facebook_servers) },
  { CB_PRESET_CUSTOM, NULL, "R", NULL, NULL, 0 },
};

const CbDestinationPreset *
cb_destination_presets (guint *n_presets)
{
  if (n_presets != NULL)
    *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

const CbDestinationPreset *
cb_destination_preset_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].id, id) == 0)
      return &presets[i];
  return &presets[G_N_ELEMENTS (presets) - 1];
}

gboolean
cb_destination_preset_is_custom (const CbDestinationPreset *preset)
{
  g_return_val_if_fail (preset != NULL, TRUE);
  return preset->n_servers == 0;
}

const CbIngestServer *
cb_destination_preset_find_server (const CbDestinationPreset *preset,
                                   const char                *url)
{
  g_return_val_if_fail (preset != NULL, NULL);

  for (guint i = 0; i < preset->n_servers; i++)
    if (g_strcmp0 (preset->servers[i].url, url) == 0)
      return &preset->servers[i];
  return NULL;
}

char *
cb_destination_compose_url (const char *server,
                            const char *key)
{
  g_autofree char *base = g_strstrip (g_strdup (server != NULL ? server : ""));
  g_autofree char *trimmed = g_strstrip (g_strdup (key != NULL ? key : ""));
  char *query = strchr (base, '?');
  gsize len;

  if (*trimmed == '\0')
    return g_steal_pointer (&base);
  /* The key is the path's last element: before a query (?token=…), not in it. */
  if (query != NULL)
    *query++ = '\0';
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  /* A key pasted with its slash ("/live_123") is still the key. */
  return g_strconcat (base, "/", trimmed + (trimmed[0] == '/'),
                      query != NULL ? "?" : "", query != NULL ? query : "", NULL);
}

gboolean
cb_destination_check_url (const char  *server,
                          const char  *key,
                          GError     **error)
{
  g_autofree char *url = cb_destination_compose_url (server, key);
  g_autoptr(CbRtmpUrl) parsed = NULL;
  g_autoptr(GError) local_error = NULL;

  parsed = cb_rtmp_url_parse_wcs (url, NULL, NULL, TRUE, &local_error);
  if (parsed == NULL)
    {
      /* The parser's message names parts, never the text: safe to pass on. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* A custom destination without a key names its stream in the server URL itself: then
 * the URL's last element is the key, and it is a secret too. */
static CbRedactFlags
server_redaction (const char *server,
                  const char *key)
{
  gboolean no_key = key == NULL || *key == '\0';

  return no_key && cb_destination_check_url (server, NULL, NULL) ? CB_REDACT_KEY_IN_PATH
                                                                 : CB_REDACT_DEFAULT;
}

gboolean
cb_destination_server_has_secret (const char *server,
                                  const char *key)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (server != NULL ? server : ""));
  g_autofree char *shown = cb_redact_url (trimmed, server_redaction (trimmed, key));

  /* Whatever redaction hides (user info, query values, a stream key in the path, all of
   * what does not parse) is not trusted to a plain file. */
  return g_strcmp0 (shown, trimmed) != 0;
}

char *
cb_destination_mask_server (const char *server,
                            const char *key)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (server != NULL ? server : ""));

  return cb_redact_url (trimmed, server_redaction (trimmed, key));
}

char *
cb_destination_mask_url (const char *server,
                         const char *key)
{
  g_autofree char *url = NULL;
  g_autofree char *shown_server = NULL;

  /* A whole URL shows as the agent that pushes to it shows it: in full-URL mode. */
  if (cb_destination_check_url (server, key, NULL))
    {
      url = cb_destination_compose_url (server, key);
      return cb_redact_url (url, CB_REDACT_KEY_IN_PATH);
    }
  /* Not a whole URL (yet): the server less its secrets, and not a character of the key. */
  shown_server = cb_destination_mask_server (server, key);
  return cb_destination_compose_url (shown_server, key != NULL && *key != '\0' ? CB_REDACTED
                                                                               : NULL);
}
