/* cb-settings.c — one properties file of `key=value` lines, WCS key names
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cb-engine-error.h"
#include "cb-record-name.h"
#include "cb-settings.h"

struct _CbSettings
{
  GObject     parent_instance;
  GHashTable *values;   /* key → value, only keys set explicitly */
};

G_DEFINE_FINAL_TYPE (CbSettings, cb_settings, G_TYPE_OBJECT)

/* Every key we read, with its default. Keys not in this table are kept as they are
 * (a flashphoner.properties copied over holds many), but nothing reads them. */
static const CbSettingInfo known[] = {
  { "http.port", CB_SETTING_PORT, "8081", "REST API, web client, WHIP/WHEP (HTTP)" },
  { "https.port", CB_SETTING_PORT, "8444", "REST API and pages over HTTPS" },
  { "ws.port", CB_SETTING_PORT, "8080", "WebSocket signaling (ws)" },
  { "wss.port", CB_SETTING_PORT, "8443", "WebSocket signaling (wss)" },
  { "rtmp.port", CB_SETTING_PORT, "1935", "RTMP ingest and play" },
  { "tls_certificate_file", CB_SETTING_STRING, "", "PEM certificate for HTTPS and WSS; empty: no HTTPS, no WSS" },
  { "tls_key_file", CB_SETTING_STRING, "", "PEM private key of tls_certificate_file (may be the same file)" },
  { "bind_address", CB_SETTING_STRING, "0.0.0.0", "Address the server listens on" },
  { "media_dir", CB_SETTING_STRING, "", "Media folder (recordings, VOD, sounds); empty: ~/Videos/Castbridge" },
  { "media_port_from", CB_SETTING_PORT, "31001", "First UDP port for WebRTC media" },
  { "media_port_to", CB_SETTING_PORT, "32000", "Last UDP port for WebRTC media" },
  { "webrtc_egress", CB_SETTING_BOOL, "true", "Serve WebRTC viewers from the shared egress (one thread, one UDP port); false: every viewer gets a webrtcbin peer of its own" },
  { "webrtc_egress_port", CB_SETTING_INT, "-1", "UDP port of the shared WebRTC egress; -1: the first free port from media_port_from to media_port_to; 0: any free port" },
  { "webrtc_egress_announced_address", CB_SETTING_STRING, "", "Address written into the egress's ICE candidate (a public IP forwarded to this machine); empty: bind_address, or loopback for viewers on this machine" },
  { "webrtc_egress_consent_timeout", CB_SETTING_INT, "30", "Seconds an egress viewer lives without an ICE consent check (RFC 7675)" },
  { "webrtc_ice_servers", CB_SETTING_STRING, "", "ICE servers for WHIP/WHEP clients (Link headers): stun:/turn: URLs separated by commas; TURN credentials as turn:USER:PASSWORD@host:port", TRUE },
  { "keep_alive.server_interval", CB_SETTING_INT, "5000", "WebSocket ping interval, ms" },
  { "keep_alive.probes", CB_SETTING_INT, "10", "Missed pongs before a WebSocket session is closed" },
  { "rest_auth_user", CB_SETTING_STRING, "", "User for REST calls from other machines (HTTP Basic)" },
  { "rest_auth_password", CB_SETTING_STRING, "", "Password for REST calls from other machines", TRUE },
  { "disable_rest_auth", CB_SETTING_BOOL, "false", "Let other machines use REST without credentials" },
  { "rest_allowed_origins", CB_SETTING_STRING, "", "Web origins (scheme://host:port, separated by commas) whose pages are trusted like the server's own: from this machine they need no credentials for REST, WHIP/WHEP and WebSocket publishing, and may read the answers; pages of other sites need credentials" },
  { "rest_allowed_hosts", CB_SETTING_STRING, "", "Host names (name or name:port, separated by commas) that requests from this machine may be addressed to besides loopback, localhost and this machine's names; others are taken for DNS rebinding and need credentials" },
  { "ws_play_any_origin", CB_SETTING_BOOL, "true", "WebSocket clients from pages of any site may play streams (the WCS public-server model); false: playing needs what publishing needs" },
  { "capture_width", CB_SETTING_INT, "1280", "Width of the local capture" },
  { "capture_height", CB_SETTING_INT, "720", "Height of the local capture" },
  { "capture_fps", CB_SETTING_INT, "30", "Frame rate of the local capture" },
  { "capture_bitrate", CB_SETTING_INT, "2500", "H.264 bitrate of the local capture, kbit/s" },
  { "capture_keyframe_interval", CB_SETTING_INT, "2", "Seconds between keyframes of the local capture" },
  { "capture_encoder", CB_SETTING_STRING, "x264", "H.264 encoder of the local capture and scenes: x264, or a hardware encoder GStreamer finds (vah264enc, vaapih264enc, nvh264enc, mfh264enc)" },
  { "capture_x264_preset", CB_SETTING_STRING, "veryfast", "x264 speed preset (ultrafast … slower): slower presets give a better picture for more CPU" },
  { "audio_sample_rate", CB_SETTING_INT, "48000", "Sample rate of the scenes' audio mixer, Hz (44100 or 48000)" },
  { "transcoding_keep_aspect", CB_SETTING_BOOL, "true", "Transcoding keeps the aspect ratio: only the height counts" },
  { "transcoding_enabled", CB_SETTING_BOOL, "true", "Allow transcoding when a consumer needs another codec or size" },
  { "rtmp_transponder_stream_name_prefix", CB_SETTING_STRING, "rtmp_", "Prefix of stream names pushed to RTMP" },
  { "rtmp_transponder_full_url", CB_SETTING_BOOL, "false", "The RTMP URL's last element is the stream name" },
  { "rtmp_transponder_send_metadata", CB_SETTING_BOOL, "true", "Send onMetaData to RTMP destinations" },
  { "rtmp_publisher_ip", CB_SETTING_STRING, "", "Local address for outgoing RTMP connections" },
  { "rtmp_flash_ver_subscriber", CB_SETTING_STRING, "FMLE/3.0 (compatible; FMSc/1.0)", "flashVer sent in RTMP connect" },
  { "rtmp_tls_no_verify", CB_SETTING_BOOL, "false", "Do not check the certificates of rtmps:// destinations" },
  { "rtmp_push_auto_start", CB_SETTING_BOOL, "false", "Push every published stream to rtmp_push_auto_start_url" },
  { "rtmp_push_auto_start_url", CB_SETTING_STRING, "", "Destination of automatic pushes", TRUE },
  { "rtmp_push_restore", CB_SETTING_BOOL, "false", "Reconnect RTMP pushes that drop" },
  { "rtmp_push_restore_attempts", CB_SETTING_INT, "3", "Reconnection attempts, -1 for no limit" },
  { "rtmp_push_restore_interval_ms", CB_SETTING_INT, "5000", "Pause between reconnection attempts, ms" },
  { "studio_push_restore", CB_SETTING_BOOL, "true", "The studio's destinations reconnect by themselves when they drop (the GUI's; REST pushes follow rtmp_push_restore)" },
  { "studio_push_restore_attempts", CB_SETTING_INT, "-1", "Reconnection attempts of the studio's destinations, -1 for no limit (growing pauses)" },
  { "studio_push_restore_interval_ms", CB_SETTING_INT, "5000", "Pause between reconnection attempts of the studio's destinations, ms" },
  { "audio_output_device", CB_SETTING_STRING, "", "Where the mixer's headphones play: a sound output's id or name (Preferences lists them); empty for the system's default" },
  { "studio_preview", CB_SETTING_BOOL, "true", "The studio window shows the preview; off, no frame is scaled or drawn for it (saves CPU; the stream goes on)" },
  { "rtmp_push_keep_stopped_seconds", CB_SETTING_INT, "60", "Seconds a stopped RTMP push stays in push/find and push/find_all with its last events; 0: gone at once" },
  { "rest_hook_url", CB_SETTING_STRING, "", "URLs, separated by commas, that get every RTMP push event as a JSON POST; empty: none", TRUE },
  { "rtmp_publish_key", CB_SETTING_STRING, "", "Stream key every RTMP publish must give as ?key= in the stream name or the URL; empty: none", TRUE },
  { "rtmp_publish_keys", CB_SETTING_STRING, "", "Per-stream RTMP publish keys as name:key,name:key; a listed stream needs its own key", TRUE },
  { "rtmp_pull_restore", CB_SETTING_BOOL, "true", "Reconnect RTMP pulls whose source drops" },
  { "rtmp_pull_restore_attempts", CB_SETTING_INT, "-1", "Reconnection attempts of an RTMP pull, -1 for no limit" },
  { "rtmp_pull_restore_interval_ms", CB_SETTING_INT, "3000", "Pause between reconnection attempts of an RTMP pull, ms" },
  { "rtmp_play_merge_ms", CB_SETTING_INT, "0", "RTMP players get their data in one write every this many ms (fewer system calls, up to that much more latency); 0: every message at once" },
  { "rtmp_out_buffer_enabled", CB_SETTING_BOOL, "false", "Buffer outgoing RTMP" },
  { "rtmp_out_buffer_start_size", CB_SETTING_INT, "300", "Outgoing buffer start size, ms" },
  { "rtmp_out_buffer_initial_size", CB_SETTING_INT, "2000", "Outgoing buffer initial size, ms" },
  { "rtmp_out_buffer_polling_time", CB_SETTING_INT, "50", "Outgoing buffer polling time, ms" },
  { "rtmp_out_buffer_max_bufferings_allowed", CB_SETTING_INT, "-1", "Rebufferings allowed, -1 for no limit" },
  { "record_dir", CB_SETTING_STRING, "", "Recordings folder; empty: a records folder beside the media folder" },
  { "record_streams", CB_SETTING_BOOL, "false", "Record every published stream" },
  { "record_flash_published_streams", CB_SETTING_BOOL, "false", "Record every stream published over RTMP" },
  { "record_formats", CB_SETTING_STRING, "h264-mp4,vp8-webm", "Recording formats: H.264 to MP4 (AAC audio), VP8 to WebM (Opus audio)" },
  { "record_mp4_opus", CB_SETTING_BOOL, "false", "Keep Opus audio in MP4 recordings instead of transcoding it to AAC" },
  { "stream_record_policy_template", CB_SETTING_STRING, "stream-{mediaSessionId}-{login}", "Recording file name template" },
  { "record_rotation", CB_SETTING_STRING, "", "Start a new recording file every N seconds, or every NM megabytes" },
  { "record_min_free_space", CB_SETTING_INT, "200", "Free space (MB) below which no recording starts and running ones are finished" },
  { "record_max_lag", CB_SETTING_INT, "30", "Seconds a recording may fall behind a slow disk before it is stopped" },
  { "record_max_total_size", CB_SETTING_INT, "0", "Delete the oldest finished recordings beyond this total (MB); 0: keep all" },
  { "record_max_age_days", CB_SETTING_INT, "0", "Delete finished recordings older than this (days); 0: keep all" },
  { "on_record_hook_script", CB_SETTING_STRING, "", "Program run when a recording file is finished: stream name, absolute file path" },
  { "vod_live_loop", CB_SETTING_BOOL, "true", "Loop shared VOD streams" },
  { "vod_stream_timeout", CB_SETTING_INT, "30", "Seconds a shared VOD stream lives after its last viewer" },
};

/* ---- validation rules ------------------------------------------------------
 *
 * Beyond a key's type: ranges, choices and formats. The engine checks every value it is
 * given against this table (files, -o, REST-free paths), and the preferences window shows
 * the same messages next to its fields, so a value the window accepts is one the server
 * reads. */

static gboolean
check_bind_address (const char  *value,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (value);

  if (address != NULL)
    return TRUE;
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
               "“%s” is not an IP address (0.0.0.0 listens on every address)", value);
  return FALSE;
}

static gboolean
check_origins (const char  *value,
               GError     **error)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      g_autoptr(GUri) uri = NULL;

      if (*item == '\0')
        continue;
      uri = g_uri_parse (item, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
          (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
           g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
          (*g_uri_get_path (uri) != '\0' && g_strcmp0 (g_uri_get_path (uri), "/") != 0))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "“%s” is not an origin like https://example.com:8443", item);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_rotation (const char  *value,
                GError     **error)
{
  gint64 seconds, bytes;

  return cb_record_rotation_parse (value, &seconds, &bytes, error);
}

static gboolean
check_publish_keys (const char  *value,
                    GError     **error)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      const char *colon = strchr (item, ':');

      if (*item == '\0')
        continue;
      if (colon == NULL || colon == item || colon[1] == '\0')
        {
          /* The item itself holds a key: never echo it. */
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Item %u is not stream:key", i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_record_formats (const char  *value,
                      GError     **error)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;
      if (!g_str_equal (item, "h264-mp4") && !g_str_equal (item, "vp8-webm"))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Recording format “%s” is not h264-mp4 or vp8-webm", item);
          return FALSE;
        }
    }
  return TRUE;
}

static const char * const encoders[] = {
  "x264", "vah264enc", "vaapih264enc", "nvh264enc", "mfh264enc", NULL
};
static const char * const x264_presets[] = {
  "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", NULL
};
static const char * const sample_rates[] = { "44100", "48000", NULL };

#define NO_RANGE 1, 0

static const CbSettingRule rules[] = {
  { "http.port", NO_RANGE, NULL, NULL, TRUE },
  { "https.port", NO_RANGE, NULL, NULL, TRUE },
  { "ws.port", NO_RANGE, NULL, NULL, TRUE },
  { "wss.port", NO_RANGE, NULL, NULL, TRUE },
  { "rtmp.port", NO_RANGE, NULL, NULL, TRUE },
  { "bind_address", NO_RANGE, NULL, check_bind_address, TRUE },
  { "tls_certificate_file", NO_RANGE, NULL, NULL, TRUE },
  { "tls_key_file", NO_RANGE, NULL, NULL, TRUE },
  { "rest_auth_user", NO_RANGE, NULL, NULL, TRUE },
  { "rest_auth_password", NO_RANGE, NULL, NULL, TRUE },
  { "rest_allowed_origins", NO_RANGE, NULL, check_origins, TRUE },
  { "rtmp_publish_keys", NO_RANGE, NULL, check_publish_keys, TRUE },
  { "rtmp_publish_key", NO_RANGE, NULL, NULL, TRUE },
  { "media_port_from", 1024, 65535, NULL, NULL, TRUE },
  { "media_port_to", 1024, 65535, NULL, NULL, TRUE },
  { "capture_width", 16, 7680, NULL, NULL, FALSE },
  { "capture_height", 16, 4320, NULL, NULL, FALSE },
  { "capture_fps", 1, 120, NULL, NULL, FALSE },
  { "capture_bitrate", 50, 100000, NULL, NULL, FALSE },
  { "capture_keyframe_interval", 1, 20, NULL, NULL, FALSE },
  { "capture_encoder", NO_RANGE, encoders, NULL, FALSE },
  { "capture_x264_preset", NO_RANGE, x264_presets, NULL, FALSE },
  { "audio_sample_rate", NO_RANGE, sample_rates, NULL, FALSE },
  { "rtmp_push_restore_attempts", -1, 1000, NULL, NULL, FALSE },
  { "rtmp_play_merge_ms", 0, 1000, NULL, NULL, TRUE },
  { "rtmp_push_restore_interval_ms", 100, 3600000, NULL, NULL, FALSE },
  /* Branch gui-live's keys, for when it lands. */
  { "studio_push_restore_attempts", -1, 1000, NULL, NULL, FALSE },
  { "studio_push_restore_interval_ms", 100, 3600000, NULL, NULL, FALSE },
  { "record_formats", NO_RANGE, NULL, check_record_formats, FALSE },
  { "record_rotation", NO_RANGE, NULL, check_rotation, FALSE },
  { "record_max_total_size", 0, G_MAXINT32, NULL, NULL, FALSE },
  { "record_max_age_days", 0, 36500, NULL, NULL, FALSE },
  { "record_min_free_space", 0, G_MAXINT32, NULL, NULL, FALSE },
};

/**
 * cb_settings_lookup_rule:
 *
 * Returns: (nullable): the validation rule of @key beyond its type, or NULL
 */
const CbSettingRule *
cb_settings_lookup_rule (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].key, key))
      return &rules[i];
  return NULL;
}

/* Whether a running studio picks a new value of @key up only after a restart. */
gboolean
cb_settings_needs_restart (const char *key)
{
  const CbSettingRule *rule = cb_settings_lookup_rule (key);

  return rule != NULL && rule->restart;
}

const CbSettingInfo *
cb_settings_get_known (guint *n_known)
{
  if (n_known != NULL)
    *n_known = G_N_ELEMENTS (known);
  return known;
}

const CbSettingInfo *
cb_settings_lookup_info (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (known[i].key, key))
      return &known[i];
  return NULL;
}

static void
cb_settings_finalize (GObject *object)
{
  CbSettings *self = CB_SETTINGS (object);

  g_hash_table_unref (self->values);
  G_OBJECT_CLASS (cb_settings_parent_class)->finalize (object);
}

static void
cb_settings_class_init (CbSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_settings_finalize;
}

static void
cb_settings_init (CbSettings *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

CbSettings *
cb_settings_new (void)
{
  return g_object_new (CB_TYPE_SETTINGS, NULL);
}

static gboolean
parse_int (const char *text,
           gint64     *out)
{
  char *end = NULL;
  gint64 v;

  if (text == NULL || *text == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_bool (const char *text,
            gboolean   *out)
{
  if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1") ||
      g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "on") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0") ||
           g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "off") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_rule (const CbSettingRule *rule,
            const char          *value,
            GError             **error)
{
  gint64 i;

  if (rule == NULL)
    return TRUE;
  if (rule->min <= rule->max && parse_int (value, &i) && (i < rule->min || i > rule->max))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Setting “%s” must be from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                   ", not %" G_GINT64_FORMAT, rule->key, rule->min, rule->max, i);
      return FALSE;
    }
  if (rule->choices != NULL && !g_strv_contains (rule->choices, value))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) rule->choices);

      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Setting “%s” must be one of %s, not “%s”", rule->key, list, value);
      return FALSE;
    }
  if (rule->check != NULL)
    return rule->check (value, error);
  return TRUE;
}

static gboolean
check_value (const CbSettingInfo *info,
             const char          *value,
             GError             **error)
{
  gint64 i;
  gboolean b;

  switch (info->type)
    {
    case CB_SETTING_STRING:
      return check_rule (cb_settings_lookup_rule (info->key), value, error);
    case CB_SETTING_INT:
      if (parse_int (value, &i))
        return check_rule (cb_settings_lookup_rule (info->key), value, error);
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Setting “%s” must be a whole number, not “%s”", info->key, value);
      return FALSE;
    case CB_SETTING_PORT:
      if (parse_int (value, &i) && i >= 0 && i <= 65535)
        return check_rule (cb_settings_lookup_rule (info->key), value, error);
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Setting “%s” must be a port from 0 to 65535, not “%s”", info->key, value);
      return FALSE;
    case CB_SETTING_BOOL:
      if (parse_bool (value, &b))
        return TRUE;
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Setting “%s” must be true or false, not “%s”", info->key, value);
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
cb_settings_set (CbSettings  *self,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  const CbSettingInfo *info;
  g_autofree char *k = NULL;
  g_autofree char *v = NULL;

  g_return_val_if_fail (CB_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  k = g_strstrip (g_strdup (key));
  v = g_strstrip (g_strdup (value));

  if (*k == '\0' || !g_utf8_validate (k, -1, NULL) || !g_utf8_validate (v, -1, NULL) ||
      strpbrk (k, " \t=") != NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "“%s” is not a valid setting name", key);
      return FALSE;
    }

  info = cb_settings_lookup_info (k);
  if (info != NULL && !check_value (info, v, error))
    return FALSE;

  g_hash_table_replace (self->values, g_steal_pointer (&k), g_steal_pointer (&v));
  return TRUE;
}

/**
 * cb_settings_check:
 *
 * Checks @value for @key as cb_settings_set() would, without setting it: the type, then
 * the rule of cb_settings_lookup_rule(). Unknown keys take anything.
 */
gboolean
cb_settings_check (const char  *key,
                   const char  *value,
                   GError     **error)
{
  const CbSettingInfo *info;
  g_autofree char *v = NULL;

  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Not UTF-8 text");
      return FALSE;
    }
  info = cb_settings_lookup_info (key);
  v = g_strstrip (g_strdup (value));
  return info == NULL || check_value (info, v, error);
}

/* A copy for another thread: CbSettings has no lock of its own. */
CbSettings *
cb_settings_copy (CbSettings *self)
{
  CbSettings *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (CB_IS_SETTINGS (self), NULL);

  copy = cb_settings_new ();
  g_hash_table_iter_init (&iter, self->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->values, g_strdup (key), g_strdup (value));
  return copy;
}

/* Forgets an explicit value: @key reads its default again. */
void
cb_settings_unset (CbSettings *self,
                   const char *key)
{
  g_return_if_fail (CB_IS_SETTINGS (self));
  g_hash_table_remove (self->values, key);
}

gboolean
cb_settings_parse_override (CbSettings  *self,
                            const char  *key_equals_value,
                            GError     **error)
{
  const char *eq = strchr (key_equals_value, '=');
  g_autofree char *key = NULL;

  if (eq == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "“%s” is not KEY=VALUE", key_equals_value);
      return FALSE;
    }
  key = g_strndup (key_equals_value, eq - key_equals_value);
  return cb_settings_set (self, key, eq + 1, error);
}

gboolean
cb_settings_load_data (CbSettings  *self,
                       const char  *data,
                       gssize       length,
                       GError     **error)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (CB_IS_SETTINGS (self), FALSE);

  if (length < 0)
    length = strlen (data);
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, length, NULL))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "Settings are not UTF-8 text");
      return FALSE;
    }

  copy = g_strndup (data, length);
  lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;
      g_autoptr(GError) local_error = NULL;

      if (*line == '\0' || *line == '#' || *line == '!')
        continue;

      eq = strchr (line, '=');
      if (eq == NULL)
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Line %u: “%s” is not KEY=VALUE", i + 1, line);
          return FALSE;
        }
      *eq = '\0';
      if (!cb_settings_set (self, line, eq + 1, &local_error))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       "Line %u: %s", i + 1, local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cb_settings_load_file (CbSettings  *self,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (!cb_settings_load_data (self, contents, length, &local_error))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char **
cb_settings_list_keys (CbSettings *self)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    g_ptr_array_add (keys, g_strdup (known[i].key));

  g_hash_table_iter_init (&iter, self->values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (cb_settings_lookup_info (key) == NULL)
      g_ptr_array_add (keys, g_strdup (key));

  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (keys, FALSE);
}

gboolean
cb_settings_save_file (CbSettings  *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GString) out = g_string_new ("# Castbridge settings (WCS key names). Defaults are commented out.\n");
  g_auto(GStrv) keys = cb_settings_list_keys (self);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      const CbSettingInfo *info = cb_settings_lookup_info (keys[i]);
      const char *value = g_hash_table_lookup (self->values, keys[i]);

      if (info != NULL)
        g_string_append_printf (out, "\n# %s\n", info->description);
      if (value != NULL)
        g_string_append_printf (out, "%s=%s\n", keys[i], value);
      else if (info != NULL)
        g_string_append_printf (out, "#%s=%s\n", keys[i], info->default_value);
    }

  return g_file_set_contents_full (path, out->str, out->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
cb_settings_is_set (CbSettings *self,
                    const char *key)
{
  return g_hash_table_contains (self->values, key);
}

const char *
cb_settings_get_string (CbSettings *self,
                        const char *key)
{
  const char *value;
  const CbSettingInfo *info;

  g_return_val_if_fail (CB_IS_SETTINGS (self), NULL);

  value = g_hash_table_lookup (self->values, key);
  if (value != NULL)
    return value;
  info = cb_settings_lookup_info (key);
  return info != NULL ? info->default_value : NULL;
}

gint64
cb_settings_get_int (CbSettings *self,
                     const char *key)
{
  const char *text = cb_settings_get_string (self, key);
  const CbSettingInfo *info;
  gint64 v = 0;

  if (text != NULL && parse_int (text, &v))
    return v;
  /* Unknown keys are unchecked: fall back to the default rather than guess. */
  info = cb_settings_lookup_info (key);
  if (info != NULL && parse_int (info->default_value, &v))
    return v;
  return 0;
}

gboolean
cb_settings_get_bool (CbSettings *self,
                      const char *key)
{
  const char *text = cb_settings_get_string (self, key);
  gboolean b = FALSE;

  if (text != NULL && parse_bool (text, &b))
    return b;
  return FALSE;
}
