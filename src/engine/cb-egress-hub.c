/* cb-egress-hub.c — the engine's side of the shared WebRTC viewer egress
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One CbEgress per engine, made at the first viewer. Per played stream and profile, one
 * branch: a fan-out consumer feeding rtph264pay and rtpopuspay into appsinks whose packets
 * go to cb_egress_stream_push_rtp(); it lives while it has viewers. The egress thread's
 * callbacks (viewer events, keyframe requests) hop to the engine's context here, and only
 * carry ids and references, so that nothing they name can be gone when they land.
 */
#include "cb-engine-private.h"

#ifdef CB_HAVE_EGRESS

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "cb-egress.h"
#include "cb-egress-answer.h"
#include "cb-pipeline.h"
#include "cb-stream-private.h"

struct _CbEgressBranch
{
  CbEgressHub    *hub;          /* weak: the hub outlives its branches */
  char           *key;
  CbStream       *source;
  GstElement     *pipeline;
  CbConsumer     *consumer;
  CbEgressStream *egress_stream;
  char           *cname;
  const char     *video;        /* "H264" or "VP8": what its video payloader sends */
  guint32         ssrc[CB_EGRESS_N_MEDIA];
  guint           n_viewers;
};

typedef struct {
  CbEgressHubViewerFunc func;
  gpointer              data;
} ViewerEntry;

struct _CbEgressHub
{
  gatomicrefcount  ref;
  CbEngine        *engine;      /* weak; NULL once closed */
  GMainContext    *context;
  CbEgress        *egress;
  gboolean         tried;       /* the egress was made, or failed to be */
  char            *bind;        /* the address the egress is bound to */
  GHashTable      *branches;    /* key → CbEgressBranch* */
  GHashTable      *viewers;     /* id → ViewerEntry* */
};

static CbEgressHub *
hub_ref (CbEgressHub *hub)
{
  g_atomic_ref_count_inc (&hub->ref);
  return hub;
}

static void
hub_unref (gpointer data)
{
  CbEgressHub *hub = data;

  if (!g_atomic_ref_count_dec (&hub->ref))
    return;
  g_assert (hub->egress == NULL);
  g_hash_table_unref (hub->branches);
  g_hash_table_unref (hub->viewers);
  g_main_context_unref (hub->context);
  g_free (hub->bind);
  g_free (hub);
}

/* What a viewer's branch (and the Opus rendition of an AAC stream) is made of. */
static gpointer
preload_plugins (gpointer data)
{
  static const char *const names[] = {
    "appsrc", "appsink", "queue", "h264parse", "rtph264pay", "rtpopuspay",
    "avdec_aac", "audioconvert", "audioresample", "opusenc",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (names[i]);
      g_autoptr(GstPluginFeature) loaded = NULL;

      if (factory != NULL)
        loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));
    }
  return NULL;
}

/* Joined when a hub goes: a process must not exit while GStreamer loads plugins in it
 * (GObject's type system then saw itself registered twice, at exit). */
G_LOCK_DEFINE_STATIC (preload);
static GThread *preload_thread;

/* Waits for the plugins' loading to end, if it runs (an engine that goes does). */
void
cb_egress_hub_join_preload (void)
{
  G_LOCK (preload);
  g_clear_pointer (&preload_thread, g_thread_join);
  G_UNLOCK (preload);
}

CbEgressHub *
cb_egress_hub_new (CbEngine *engine)
{
  static gsize preloaded = 0;
  CbEgressHub *hub = g_new0 (CbEgressHub, 1);

  /* A stream's first viewer must not wait for GStreamer to load those plugins (up to
   * hundreds of ms on a busy machine, gst-libav's most): once per process, meanwhile. */
  if (g_once_init_enter (&preloaded))
    {
      G_LOCK (preload);
      preload_thread = g_thread_new ("cb-preload", preload_plugins, NULL);
      G_UNLOCK (preload);
      g_once_init_leave (&preloaded, 1);
    }

  g_atomic_ref_count_init (&hub->ref);
  hub->engine = engine;
  hub->context = g_main_context_ref (cb_engine_get_context (engine));
  hub->branches = g_hash_table_new (g_str_hash, g_str_equal);
  hub->viewers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return hub;
}

/* After every stream is gone (cb_engine_shutdown()): stops the egress thread. */
void
cb_egress_hub_free (CbEgressHub *hub)
{
  GHashTableIter iter;
  gpointer value;

  if (hub == NULL)
    return;
  cb_egress_hub_join_preload ();
  /* None should be left (every player ended with its stream); one that is must not push
   * into the egress once it is gone. */
  g_hash_table_iter_init (&iter, hub->branches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CbEgressBranch *branch = value;

      g_warning ("egress: the branch of %s still runs at shutdown",
                 cb_stream_get_name (branch->source));
      if (branch->pipeline != NULL)
        gst_element_set_state (branch->pipeline, GST_STATE_NULL);
    }
  g_hash_table_remove_all (hub->viewers);
  g_clear_pointer (&hub->egress, cb_egress_free);
  hub->engine = NULL;
  hub_unref (hub);
}

/* ---- hops from the egress thread ------------------------------------------------------- */

typedef struct {
  CbEgressHub         *hub;
  guint                viewer_id;
  CbEgressViewerEvent  event;
  char                *message;
  CbEgressStream      *egress_stream;   /* a keyframe request */
} Hop;

static void
hop_free (gpointer data)
{
  Hop *hop = data;

  g_clear_pointer (&hop->egress_stream, cb_egress_stream_unref);
  g_free (hop->message);
  hub_unref (hop->hub);
  g_free (hop);
}

static gboolean
run_hop (gpointer data)
{
  Hop *hop = data;
  CbEgressHub *hub = hop->hub;

  if (hub->engine == NULL)
    return G_SOURCE_REMOVE;
  if (hop->egress_stream != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      /* The egress stream is held: its address names no other branch meanwhile. */
      g_hash_table_iter_init (&iter, hub->branches);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          CbEgressBranch *branch = value;

          if (branch->egress_stream == hop->egress_stream && branch->consumer != NULL)
            cb_consumer_request_keyframe (branch->consumer);
        }
      return G_SOURCE_REMOVE;
    }
  {
    ViewerEntry *entry = g_hash_table_lookup (hub->viewers, GUINT_TO_POINTER (hop->viewer_id));
    ViewerEntry copy;

    if (entry == NULL)
      return G_SOURCE_REMOVE;   /* removed by us meanwhile */
    copy = *entry;
    if (hop->event != CB_EGRESS_VIEWER_CONNECTED)
      g_hash_table_remove (hub->viewers, GUINT_TO_POINTER (hop->viewer_id));
    copy.func (hop->viewer_id, hop->event, hop->message, copy.data);
  }
  return G_SOURCE_REMOVE;
}

/* Always later, on the engine's context: never inside the egress thread's loop. */
static void
hop_to_engine (CbEgressHub *hub,
               Hop         *hop)
{
  GSource *idle = g_idle_source_new ();

  hop->hub = hub_ref (hub);
  g_source_set_callback (idle, run_hop, hop, hop_free);
  g_source_attach (idle, hub->context);
  g_source_unref (idle);
}

static void
on_egress_viewer (CbEgress            *egress,
                  guint                viewer_id,
                  CbEgressViewerEvent  event,
                  const char          *message,
                  gpointer             data)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->viewer_id = viewer_id;
  hop->event = event;
  hop->message = g_strdup (message);
  hop_to_engine (data, hop);
}

static void
on_egress_keyframe (CbEgressStream *stream,
                    gpointer        data)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->egress_stream = cb_egress_stream_ref (stream);
  hop_to_engine (data, hop);
}

/* ---- the egress ------------------------------------------------------------------------ */

static CbEgress *
try_bind (CbEgressHub *hub,
          const char  *address,
          guint16      port,
          GError     **error)
{
  return cb_egress_new (address, port, on_egress_viewer, hub, error);
}

/* The egress, made at the first viewer; NULL when it cannot be (logged once). */
static CbEgress *
get_egress (CbEgressHub *hub)
{
  CbSettings *settings = cb_engine_get_settings (hub->engine);
  const char *bind = cb_settings_get_string (settings, "bind_address");
  gint64 port = cb_settings_get_int (settings, "webrtc_egress_port");
  gint64 from = cb_settings_get_int (settings, "media_port_from");
  gint64 to = cb_settings_get_int (settings, "media_port_to");
  gint64 consent = cb_settings_get_int (settings, "webrtc_egress_consent_timeout");
  g_autoptr(GError) error = NULL;

  if (hub->tried)
    return hub->egress;
  hub->tried = TRUE;
  hub->bind = g_strdup (bind == NULL || *bind == '\0' ? "0.0.0.0"
                        : g_strcmp0 (bind, "localhost") == 0 ? "127.0.0.1" : bind);
  if (port > 65535 || port < -1)
    {
      g_warning ("egress: webrtc_egress_port %" G_GINT64_FORMAT " is no port: viewers get "
                 "webrtcbin peers", port);
      return NULL;
    }
  if (port >= 0)
    hub->egress = try_bind (hub, hub->bind, (guint16) port, &error);
  else
    {
      /* The first free port of the media range: several servers may share the range. */
      for (gint64 p = MAX (from, 1); p <= MIN (to, 65535) && hub->egress == NULL; p++)
        {
          g_clear_error (&error);
          hub->egress = try_bind (hub, hub->bind, (guint16) p, &error);
          if (hub->egress == NULL &&
              !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            break;
        }
    }
  if (hub->egress == NULL)
    {
      g_warning ("egress: cannot serve viewers on UDP %s: %s; they get webrtcbin peers",
                 hub->bind, error ? error->message : "no free port in the media range");
      return NULL;
    }
  if (consent > 0)
    cb_egress_set_consent_timeout (hub->egress, consent * G_USEC_PER_SEC);
  g_info ("egress: viewers served on UDP %s:%u", hub->bind, cb_egress_get_port (hub->egress));
  return hub->egress;
}

/* The address of our host candidate for a viewer, or NULL when there is none to give:
 * the announced one, loopback for a viewer there, the bound one, or the one the viewer's
 * signaling reached. */
static char *
candidate_address (CbEgressHub *hub,
                   const char  *loopback_address,
                   const char  *local_address)
{
  CbSettings *settings = cb_engine_get_settings (hub->engine);
  const char *announced = cb_settings_get_string (settings, "webrtc_egress_announced_address");
  g_autoptr(GInetAddress) bound = g_inet_address_new_from_string (hub->bind);
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GInetAddress) local = NULL;

  if (announced != NULL && *announced != '\0')
    return g_strdup (announced);
  if (bound == NULL)
    return NULL;
  if (loopback_address != NULL &&
      (loopback = g_inet_address_new_from_string (loopback_address)) != NULL &&
      (g_inet_address_get_is_any (bound) || g_inet_address_get_is_loopback (bound)) &&
      (g_inet_address_get_family (loopback) == g_inet_address_get_family (bound) ||
       g_inet_address_get_family (bound) == G_SOCKET_FAMILY_IPV6))
    return g_strdup (loopback_address);
  if (!g_inet_address_get_is_any (bound))
    return g_strdup (hub->bind);
  /* Listening on all addresses: the one the viewer reached us on (its signaling's). */
  if (local_address != NULL && (local = g_inet_address_new_from_string (local_address)) != NULL &&
      (g_inet_address_get_family (local) == g_inet_address_get_family (bound) ||
       g_inet_address_get_family (bound) == G_SOCKET_FAMILY_IPV6))
    return g_strdup (local_address);
  return NULL;
}

/* ---- branches -------------------------------------------------------------------------- */

static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    data)
{
  CbEgressStream *egress_stream = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  CbEgressMedia media = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (sink), "cb-media"));
  GstMapInfo map;

  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  {
    g_autoptr(GBytes) packet = g_bytes_new (map.data, map.size);

    /* The appsrcs' segments start at 0 and their buffers are rebased alike (one consumer):
     * a PTS is a running time both media share. */
    cb_egress_stream_push_rtp (egress_stream, media, packet,
                               GST_BUFFER_PTS_IS_VALID (buffer)
                               ? (gint64) (GST_BUFFER_PTS (buffer) / GST_USECOND) : -1);
  }
  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

static gboolean
on_branch_bus (GstMessage   *message,
               const GError *error,
               gpointer      data)
{
  CbEgressBranch *branch = data;

  if (error != NULL)
    g_warning ("egress: stream %s: %s", cb_stream_get_name (branch->source), error->message);
  return G_SOURCE_CONTINUE;
}

static void
branch_free (CbEgressBranch *branch)
{
  g_clear_pointer (&branch->consumer, cb_consumer_detach);
  cb_pipeline_unwatch (branch->pipeline);
  if (branch->pipeline != NULL)
    {
      /* No packet is pushed once this returns: the appsinks' threads are stopped. */
      gst_element_set_state (branch->pipeline, GST_STATE_NULL);
      gst_clear_object (&branch->pipeline);
    }
  if (branch->egress_stream != NULL)
    {
      if (branch->hub->egress != NULL)
        cb_egress_remove_stream (branch->hub->egress, branch->egress_stream);
      cb_egress_stream_unref (branch->egress_stream);
    }
  g_clear_object (&branch->source);
  g_free (branch->cname);
  g_free (branch->key);
  g_free (branch);
}

static gboolean
branch_start (CbEgressBranch  *branch,
              const CbProfile *profile,
              GError         **error)
{
  static const char *sink_names[CB_EGRESS_N_MEDIA] = { "vsink", "asink" };
  g_autofree char *desc = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GstElement) vsrc = NULL;
  g_autoptr(GstElement) asrc = NULL;
  GstAppSinkCallbacks callbacks = { NULL, NULL, on_new_sample };

  /* The payload types are placeholders: each viewer's are written in by the egress. */
  desc = g_strdup_printf ("appsrc name=vsrc format=time is-live=true do-timestamp=false "
                          "max-bytes=8000000 ! %s ssrc=%u mtu=1200 ! "
                          "appsink name=vsink sync=false async=false "
                          "appsrc name=asrc format=time is-live=true do-timestamp=false "
                          "max-bytes=2000000 ! rtpopuspay pt=111 ssrc=%u ! "
                          "appsink name=asink sync=false async=false",
                          g_str_equal (branch->video, "VP8")
                          ? "rtpvp8pay pt=96 picture-id-mode=15-bit"
                          : "h264parse ! rtph264pay pt=96 config-interval=-1 "
                            "aggregate-mode=zero-latency",
                          branch->ssrc[CB_EGRESS_MEDIA_VIDEO], branch->ssrc[CB_EGRESS_MEDIA_AUDIO]);
  branch->pipeline = gst_parse_launch (desc, &parse_error);
  if (branch->pipeline != NULL)
    gst_object_ref_sink (branch->pipeline);
  if (branch->pipeline == NULL || parse_error != NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot payload for viewers: %s",
                   parse_error ? parse_error->message : "no pipeline");
      return FALSE;
    }
  for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
    {
      g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (branch->pipeline), sink_names[m]);

      g_object_set_data (G_OBJECT (sink), "cb-media", GUINT_TO_POINTER (m));
      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, branch->egress_stream, NULL);
    }
  cb_pipeline_watch (branch->pipeline, branch->hub->context, on_branch_bus, branch, NULL);
  if (gst_element_set_state (branch->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot payload for viewers");
      return FALSE;
    }
  vsrc = gst_bin_get_by_name (GST_BIN (branch->pipeline), "vsrc");
  asrc = gst_bin_get_by_name (GST_BIN (branch->pipeline), "asrc");
  branch->consumer = cb_stream_attach_appsrc (branch->source, vsrc, asrc, profile, CB_AUDIO_OPUS,
                                              error);
  return branch->consumer != NULL;
}

/**
 * cb_egress_hub_acquire_branch:
 *
 * The payloading branch of @source for @profile, made for its first viewer; release it
 * with cb_egress_hub_release_branch(). NULL without an error when the egress cannot run
 * (the caller falls back to a webrtcbin viewer), NULL with one when the branch failed.
 */
CbEgressBranch *
cb_egress_hub_acquire_branch (CbEgressHub      *hub,
                              CbStream         *source,
                              const CbProfile  *profile,
                              GError          **error)
{
  g_autofree char *profile_key = cb_profile_to_key (profile, CB_AUDIO_OPUS);
  g_autofree char *key = g_strdup_printf ("%s|%s", cb_stream_get_media_session_id (source),
                                          profile_key);
  CbEgressBranch *branch = g_hash_table_lookup (hub->branches, key);
  CbEgress *egress;

  if (branch != NULL && branch->source == source)
    {
      branch->n_viewers++;
      return branch;
    }
  egress = get_egress (hub);
  if (egress == NULL)
    return NULL;

  branch = g_new0 (CbEgressBranch, 1);
  branch->hub = hub;
  branch->key = g_steal_pointer (&key);
  branch->source = g_object_ref (source);
  branch->n_viewers = 1;
  branch->cname = g_strdup_printf ("cb%08x", g_random_int ());
  for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
    branch->ssrc[m] = g_random_int ();
  branch->egress_stream = cb_egress_add_stream (egress, branch->cname, on_egress_keyframe, hub);
  /* VP8 from a VP8 rendition, or from a VP8 source played as it is. */
  {
    const char *source_codec = cb_stream_get_video_codec (source);
    gboolean vp8 = profile->codec == CB_VIDEO_CODEC_VP8 ||
                   (cb_profile_is_passthrough (profile) && g_strcmp0 (source_codec, "VP8") == 0);

    branch->video = vp8 ? "VP8" : "H264";
    cb_egress_stream_set_vp8 (branch->egress_stream, vp8);
  }
  if (!branch_start (branch, profile, error))
    {
      branch_free (branch);
      return NULL;
    }
  /* A stream ended and a new one of the same id cannot be: but a stale entry must not
   * hide the new branch either. */
  g_hash_table_replace (hub->branches, branch->key, branch);
  return branch;
}

void
cb_egress_hub_release_branch (CbEgressHub    *hub,
                              CbEgressBranch *branch)
{
  if (branch == NULL || --branch->n_viewers > 0)
    return;
  if (g_hash_table_lookup (hub->branches, branch->key) == branch)
    g_hash_table_remove (hub->branches, branch->key);
  branch_free (branch);
}

/* ---- viewers --------------------------------------------------------------------------- */

/* An offer whose candidates (when it gives any) are all TCP cannot reach a UDP port. */
static gboolean
offer_has_udp (const GstSDPMessage *offer)
{
  gboolean any = FALSE;

  for (guint i = 0; i < gst_sdp_message_medias_len (offer); i++)
    {
      const GstSDPMedia *m = gst_sdp_message_get_media (offer, i);

      for (guint a = 0; a < gst_sdp_media_attributes_len (m); a++)
        {
          const GstSDPAttribute *attr = gst_sdp_media_get_attribute (m, a);
          g_auto(GStrv) fields = NULL;

          if (g_strcmp0 (attr->key, "candidate") != 0)
            continue;
          any = TRUE;
          /* foundation component transport ... */
          fields = g_strsplit (attr->value != NULL ? attr->value : "", " ", 4);
          if (g_strv_length (fields) >= 3 && g_ascii_strcasecmp (fields[2], "udp") == 0)
            return TRUE;
        }
    }
  return !any;
}

/**
 * cb_egress_hub_can_serve:
 * @video: the video codec the player would get ("H264", "VP8"), NULL for none
 *
 * Whether the egress path is for this offer at all (it is settled when the answer is
 * built): webrtc_egress on, H.264, VP8 or no video, UDP. Audio is Opus or none on both paths
 * (cb_sdp_pick_codec()).
 */
gboolean
cb_egress_hub_can_serve (CbEgressHub         *hub,
                         const GstSDPMessage *offer,
                         const char          *video,
                         char               **reason)
{
  const char *why = NULL;

  if (!cb_settings_get_bool (cb_engine_get_settings (hub->engine), "webrtc_egress"))
    why = "webrtc_egress is off";
  else if (video != NULL && g_ascii_strcasecmp (video, "H264") != 0 &&
           g_ascii_strcasecmp (video, "VP8") != 0)
    why = "the viewer gets neither H.264 nor VP8";
  else if (!offer_has_udp (offer))
    why = "the offer has only TCP candidates";
  if (reason != NULL)
    *reason = g_strdup (why);
  return why == NULL;
}

/**
 * cb_egress_hub_answer:
 *
 * Answers @offer for a viewer of @branch and adds the viewer; @func runs on the engine's
 * context for its events until it is removed or an event other than CONNECTED ends it.
 * NULL (and @error CB_WEBRTC_ERROR_FAILED, or set with *@fallback TRUE) when the viewer
 * is for a webrtcbin peer instead.
 */
char *
cb_egress_hub_answer (CbEgressHub            *hub,
                      CbEgressBranch         *branch,
                      const GstSDPMessage    *offer,
                      const char             *loopback_address,
                      const char             *local_address,
                      CbEgressHubViewerFunc   func,
                      gpointer                data,
                      guint                  *viewer_id,
                      gboolean               *fallback,
                      GError                **error)
{
  g_autofree char *address = candidate_address (hub, loopback_address, local_address);
  g_autoptr(CbEgressAnswer) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  CbEgressAnswerParams params = { 0 };
  ViewerEntry *entry;

  *fallback = FALSE;
  if (address == NULL || hub->egress == NULL)
    {
      *fallback = TRUE;
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "No address for the egress's candidate");
      return NULL;
    }
  params.address = address;
  params.port = cb_egress_get_port (hub->egress);
  params.fingerprint = cb_egress_get_fingerprint (hub->egress);
  params.cname = branch->cname;
  params.ssrc[CB_EGRESS_MEDIA_VIDEO] = branch->ssrc[CB_EGRESS_MEDIA_VIDEO];
  params.ssrc[CB_EGRESS_MEDIA_AUDIO] = branch->ssrc[CB_EGRESS_MEDIA_AUDIO];
  params.rtx_ssrc = cb_egress_stream_get_rtx_ssrc (branch->egress_stream);
  params.prefer_video = branch->video;
  answer = cb_egress_answer_new (offer, &params, &local_error);
  if (answer == NULL)
    {
      *fallback = g_error_matches (local_error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (answer->video_encoding != NULL && g_strcmp0 (answer->video_encoding, branch->video) != 0)
    {
      *fallback = TRUE;
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "The viewer takes %s, the branch sends %s", answer->video_encoding,
                   branch->video);
      return NULL;
    }
  *viewer_id = cb_egress_add_viewer (hub->egress, branch->egress_stream, &answer->config);
  entry = g_new0 (ViewerEntry, 1);
  entry->func = func;
  entry->data = data;
  g_hash_table_insert (hub->viewers, GUINT_TO_POINTER (*viewer_id), entry);
  return g_steal_pointer (&answer->sdp);
}

/* No event of the viewer is delivered after this. */
void
cb_egress_hub_remove_viewer (CbEgressHub *hub,
                             guint        viewer_id)
{
  if (viewer_id == 0)
    return;
  g_hash_table_remove (hub->viewers, GUINT_TO_POINTER (viewer_id));
  if (hub->egress != NULL)
    cb_egress_remove_viewer (hub->egress, viewer_id);
}

/* The viewer's figures as a webrtcbin sender gives them; FALSE for an unknown viewer. */
gboolean
cb_egress_hub_get_stats (CbEgressHub   *hub,
                         guint          viewer_id,
                         CbWebrtcStats *out)
{
  CbEgressViewerStats stats;

  *out = (CbWebrtcStats) { -1, -1, -1, -1, -1, -1, -1 };
  if (hub->egress == NULL || !cb_egress_get_viewer_stats (hub->egress, viewer_id, &stats))
    return FALSE;
  out->bytes = (gint64) stats.bytes_sent;
  out->packets = (gint64) stats.packets_sent;
  out->nack_count = (gint64) stats.nacks_received;
  out->pli_count = (gint64) stats.keyframe_requests;
  if (stats.rtt_us >= 0)
    out->round_trip_time = stats.rtt_us / (double) G_USEC_PER_SEC;
  if (stats.last_report[CB_EGRESS_MEDIA_VIDEO].ssrc != 0 ||
      stats.last_report[CB_EGRESS_MEDIA_AUDIO].ssrc != 0)
    {
      out->packets_lost = 0;
      for (guint m = 0; m < CB_EGRESS_N_MEDIA; m++)
        out->packets_lost += MAX (stats.last_report[m].cumulative_lost, 0);
      if (stats.last_report[CB_EGRESS_MEDIA_VIDEO].ssrc != 0)
        out->jitter = stats.last_report[CB_EGRESS_MEDIA_VIDEO].jitter / 90000.0;
    }
  return TRUE;
}

#endif /* CB_HAVE_EGRESS */
