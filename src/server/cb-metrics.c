/* cb-metrics.c — Prometheus metrics (text exposition format 0.0.4) from the engine's public state
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is read through the engine's public API (stream snapshots, push, pull,
 * relay and recording infos), the same copies REST answers from: scraping takes no lock
 * the media threads hold and changes nothing. Counters the engine does not expose are
 * not exported yet (see the README): per-player dropped GOPs, WebRTC bytes, encoder CPU.
 *
 * Per-object series (pushes, pulls) are labelled with the local stream name and the
 * mediaSessionId, never with a URL: a URL may carry a stream key.
 */
#include "config.h"

#include "cb-metrics.h"

#include <string.h>

#include "cb-push-agent.h"
#include "cb-recorder.h"
#include "cb-relay.h"
#include "cb-rtmp-pull.h"
#include "cb-stream.h"

static const char *const stream_kinds[] = { "rtmp", "webrtc", "local", "pull", "relay", "vod" };

static const char *
stream_kind (const CbStreamInfo *info)
{
  const char *provider = info->media_provider != NULL ? info->media_provider : "";

  if (g_str_equal (provider, "RTMP"))
    return info->rtmp_pull ? "pull" : "rtmp";
  if (g_str_equal (provider, "WebRTC"))
    return info->source != NULL && g_str_has_prefix (info->source, "pull ") ? "relay" : "webrtc";
  if (g_str_equal (provider, "Local"))
    return "local";
  if (g_str_equal (provider, "VOD"))
    return "vod";
  return "other";
}

/* Label values: backslash, double quote and line feed escaped (0.0.4). */
static void
append_label_value (GString    *out,
                    const char *value)
{
  for (const char *p = value != NULL ? value : ""; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '"')
        g_string_append (out, "\\\"");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

static void
family (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample; @labels is NULL or a NULL-terminated list of name, value pairs. */
static void
sample (GString           *out,
        const char        *name,
        const char *const *labels,
        guint64            value)
{
  g_string_append (out, name);
  if (labels != NULL && labels[0] != NULL)
    {
      g_string_append_c (out, '{');
      for (guint i = 0; labels[i] != NULL; i += 2)
        {
          g_string_append_printf (out, "%s%s=\"", i > 0 ? "," : "", labels[i]);
          append_label_value (out, labels[i + 1]);
          g_string_append_c (out, '"');
        }
      g_string_append_c (out, '}');
    }
  g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", value);
}

/* A family whose samples were collected beforehand (per-object series, which are made in
 * the same loop as other families); frees @samples. */
static void
family_samples (GString    *out,
                const char *name,
                const char *type,
                const char *help,
                GString    *samples)
{
  family (out, name, type, help);
  g_string_append_len (out, samples->str, samples->len);
  g_string_free (samples, TRUE);
}

/* One sample per value of @label, zeros included, so that a graph of a kind that comes
 * and goes shows 0 rather than a gap. */
static void
samples_per_value (GString           *out,
                   const char        *name,
                   const char        *label,
                   const char *const *values,
                   const guint       *counts,
                   guint              n_values)
{
  for (guint i = 0; i < n_values; i++)
    {
      const char *labels[] = { label, values[i], NULL };

      sample (out, name, labels, counts[i]);
    }
}

/* Counts of (@first, @second) pairs, in the order they were first seen. */
typedef struct {
  GPtrArray  *keys;      /* "first\nsecond" */
  GHashTable *counts;    /* key -> count */
} Tally;

static void
tally_init (Tally *t)
{
  t->keys = g_ptr_array_new ();
  t->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
tally_add (Tally      *t,
           const char *first,
           const char *second)
{
  char *key = g_strconcat (first, "\n", second != NULL ? second : "", NULL);
  gpointer count;

  if (g_hash_table_lookup_extended (t->counts, key, NULL, &count))
    {
      g_hash_table_insert (t->counts, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
      return;
    }
  g_ptr_array_add (t->keys, key);
  g_hash_table_insert (t->counts, key, GUINT_TO_POINTER (1));
}

static void
tally_write (Tally      *t,
             GString    *out,
             const char *name,
             const char *first_label,
             const char *second_label)
{
  for (guint i = 0; i < t->keys->len; i++)
    {
      const char *key = g_ptr_array_index (t->keys, i);
      const char *nl = strchr (key, '\n');
      g_autofree char *first = g_strndup (key, nl - key);
      const char *labels[] = { first_label, first, second_label, nl + 1, NULL };

      if (second_label == NULL)
        labels[2] = NULL;
      sample (out, name, labels, GPOINTER_TO_UINT (g_hash_table_lookup (t->counts, key)));
    }
}

static void
tally_clear (Tally *t)
{
  g_clear_pointer (&t->keys, g_ptr_array_unref);
  g_clear_pointer (&t->counts, g_hash_table_unref);
}

static void
render_streams (GString  *out,
                CbEngine *engine)
{
  g_autoptr(GPtrArray) streams = cb_engine_list_streams (engine);
  guint by_kind[G_N_ELEMENTS (stream_kinds)] = { 0 };
  guint64 consumers = 0;
  Tally states, players;
  GString *bitrates = g_string_new (NULL);

  tally_init (&states);
  tally_init (&players);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (g_ptr_array_index (streams, i));
      const char *kind;

      if (info == NULL)
        continue;
      kind = stream_kind (info);
      if (!info->published)
        {
          tally_add (&players, info->media_provider != NULL
                               ? info->media_provider : "other", NULL);
          continue;
        }
      for (guint k = 0; k < G_N_ELEMENTS (stream_kinds); k++)
        if (g_str_equal (kind, stream_kinds[k]))
          by_kind[k]++;
      tally_add (&states, kind, cb_stream_status_to_string (info->status));
      consumers += info->n_consumers;
      {
        const char *labels[] = { "stream", info->name, "kind", kind, NULL };

        sample (bitrates, "castbridge_stream_bitrate_kbps", labels,
                (guint64) MAX (info->media.bitrate, 0));
      }
    }

  family (out, "castbridge_streams", "gauge", "Published streams by kind.");
  samples_per_value (out, "castbridge_streams", "kind", stream_kinds, by_kind,
                     G_N_ELEMENTS (stream_kinds));
  family (out, "castbridge_streams_by_status", "gauge",
          "Published streams by kind and WCS status.");
  tally_write (&states, out, "castbridge_streams_by_status", "kind", "status");
  family (out, "castbridge_players", "gauge",
          "Players that are streams (WebRTC, WHEP), by media provider.");
  tally_write (&players, out, "castbridge_players", "provider", NULL);
  family (out, "castbridge_consumers", "gauge",
          "Consumers attached to published streams (players, pushes, recorders, previews).");
  sample (out, "castbridge_consumers", NULL, consumers);
  family_samples (out, "castbridge_stream_bitrate_kbps", "gauge",
                  "Incoming bitrate of each published stream, kbit/s.", bitrates);
  tally_clear (&states);
  tally_clear (&players);
}

static void
render_pushes (GString  *out,
               CbEngine *engine)
{
  g_autoptr(GPtrArray) agents = cb_engine_find_pushes (engine, NULL, NULL);
  static const char *const states[] = { "CONNECTING", "STREAMING", "WAITING", "FAILED" };
  guint by_state[G_N_ELEMENTS (states)] = { 0 };
  GString *bytes = g_string_new (NULL);
  GString *reconnects = g_string_new (NULL);
  GString *dropped = g_string_new (NULL);

  for (guint i = 0; agents != NULL && i < agents->len; i++)
    {
      g_autoptr(CbPushInfo) info = cb_push_agent_get_info (g_ptr_array_index (agents, i));
      const char *labels[] = { "stream", NULL, "media_session_id", NULL, NULL };

      if (info == NULL)
        continue;
      for (guint s = 0; s < G_N_ELEMENTS (states); s++)
        if (g_str_equal (cb_push_state_to_string (info->state), states[s]))
          by_state[s]++;
      labels[1] = info->stream_name;
      labels[3] = info->media_session_id;
      sample (bytes, "castbridge_push_bytes_sent_total", labels, info->bytes_sent);
      sample (reconnects, "castbridge_push_reconnects_total", labels, info->reconnects);
      sample (dropped, "castbridge_push_dropped_packets_total", labels, info->dropped);
    }

  family (out, "castbridge_pushes", "gauge", "RTMP pushes (transponders) by state.");
  samples_per_value (out, "castbridge_pushes", "state", states, by_state, G_N_ELEMENTS (states));
  family_samples (out, "castbridge_push_bytes_sent_total", "counter",
                  "Bytes sent by each running push.", bytes);
  family_samples (out, "castbridge_push_reconnects_total", "counter",
                  "Reconnections of each running push.", reconnects);
  family_samples (out, "castbridge_push_dropped_packets_total", "counter",
                  "Media packets each running push dropped for a slow uplink.", dropped);
}

static void
render_pulls (GString  *out,
              CbEngine *engine)
{
  g_autoptr(GPtrArray) pulls = cb_rtmp_pull_list (engine);
  g_autoptr(GPtrArray) relays = cb_engine_list_relays (engine);
  GString *bytes = g_string_new (NULL);
  GString *reconnects = g_string_new (NULL);
  Tally states, relay_states;

  tally_init (&states);
  tally_init (&relay_states);
  for (guint i = 0; pulls != NULL && i < pulls->len; i++)
    {
      const CbRtmpPullInfo *info = g_ptr_array_index (pulls, i);
      const char *labels[] = { "stream", info->local_stream_name,
                               "media_session_id", info->local_media_session_id, NULL };

      tally_add (&states, cb_rtmp_pull_state_to_string (info->state), NULL);
      sample (bytes, "castbridge_rtmp_pull_bytes_received_total", labels, info->bytes_received);
      sample (reconnects, "castbridge_rtmp_pull_reconnects_total", labels, info->reconnects);
    }
  for (guint i = 0; relays != NULL && i < relays->len; i++)
    {
      const CbRelayInfo *info = g_ptr_array_index (relays, i);

      tally_add (&relay_states, info->status != NULL ? info->status : "PENDING", NULL);
    }

  family (out, "castbridge_rtmp_pulls", "gauge", "RTMP pulls (/pull/rtmp/pull) by state.");
  tally_write (&states, out, "castbridge_rtmp_pulls", "state", NULL);
  family_samples (out, "castbridge_rtmp_pull_bytes_received_total", "counter",
                  "Bytes received by each RTMP pull.", bytes);
  family_samples (out, "castbridge_rtmp_pull_reconnects_total", "counter",
                  "Reconnections of each RTMP pull.", reconnects);
  family (out, "castbridge_relays", "gauge", "WebRTC relays (/pull/push, /pull/pull) by state.");
  tally_write (&relay_states, out, "castbridge_relays", "state", NULL);

  tally_clear (&states);
  tally_clear (&relay_states);
}

static void
render_recordings (GString  *out,
                   CbEngine *engine)
{
  g_autoptr(GPtrArray) running = cb_engine_list_recordings (engine, TRUE);
  guint64 bytes = 0;

  for (guint i = 0; running != NULL && i < running->len; i++)
    {
      const CbRecordingInfo *info = g_ptr_array_index (running, i);

      bytes += info->size;
    }
  family (out, "castbridge_recordings_running", "gauge", "Recordings being written.");
  sample (out, "castbridge_recordings_running", NULL, running != NULL ? running->len : 0);
  family (out, "castbridge_recordings_running_bytes", "gauge",
          "Bytes written so far by the running recordings.");
  sample (out, "castbridge_recordings_running_bytes", NULL, bytes);
}

char *
cb_metrics_render (CbEngine *engine,
                   guint     n_sessions)
{
  GString *out;
  gint64 uptime;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  out = g_string_new (NULL);
  uptime = (g_get_monotonic_time () - cb_engine_get_start_time (engine)) / G_USEC_PER_SEC;

  family (out, "castbridge_info", "gauge", "Castbridge's version.");
  {
    const char *labels[] = { "version", PACKAGE_VERSION, NULL };

    sample (out, "castbridge_info", labels, 1);
  }
  family (out, "castbridge_uptime_seconds", "gauge", "Seconds since the engine started.");
  sample (out, "castbridge_uptime_seconds", NULL, (guint64) MAX (uptime, 0));
  family (out, "castbridge_websocket_sessions", "gauge", "Open WebSocket signaling sessions.");
  sample (out, "castbridge_websocket_sessions", NULL, n_sessions);

  render_streams (out, engine);
  render_pushes (out, engine);
  render_pulls (out, engine);
  render_recordings (out, engine);

  return g_string_free (out, FALSE);
}
