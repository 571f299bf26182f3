/* cb-webrtc-peer.c — one WebRTC peer on webrtcbin, answering a browser's offer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The browser always offers, without candidates. We answer with our own host candidates
 * and a=end-of-candidates, and let libnice learn the browser's addresses from its
 * connectivity checks (peer-reflexive candidates). webrtcbin's callbacks come from its
 * own threads; everything that touches our state hops to the peer's context.
 */
#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "cb-context.h"
#include "cb-pipeline.h"
#include "cb-webrtc-peer.h"

/* How long we wait for our own candidates before answering with what we have. */
#define GATHER_TIMEOUT_MS 5000

struct _CbWebrtcPeer
{
  GObject            parent_instance;

  CbWebrtcRole       role;
  GMainContext      *context;
  GstElement        *pipeline;
  GstElement        *webrtc;
  guint              port_min;
  guint              port_max;
  char              *local_address; /* the one address candidates are gathered on, or NULL */
  CbWebrtcPeerState  state;

  GTask             *task;          /* the pending answer */
  GSource           *gather_timeout;
  gint               local_set;     /* atomic: webrtcbin has replied to set-local-description */
  gint               gather_late;   /* atomic: the gathering deadline has passed */
  gboolean           closed;        /* the pipeline is gone, or going in a worker thread */
  gboolean           offering;      /* we made the offer (publishing to another server) */

  GMutex             lock;          /* media func, used from streaming threads */
  CbWebrtcMediaFunc  media_func;
  gpointer           media_data;
  GDestroyNotify     media_destroy;
  GstElement        *sink[2];       /* receive role: the appsinks, for keyframe requests */

  char              *prefer_video;  /* send role, answering: taken first when offered */
  char              *codec[2];
  int                pt[2];         /* send role, answering: the offered payload types */
  char              *fmtp[2];       /* and their format parameters, repeated in the answer */
  GstElement        *appsrc[2];
};

G_DEFINE_FINAL_TYPE (CbWebrtcPeer, cb_webrtc_peer, G_TYPE_OBJECT)

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_KEYFRAME_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void close_peer (CbWebrtcPeer *self,
                        gboolean      in_worker);

static void
cb_webrtc_peer_dispose (GObject *object)
{
  CbWebrtcPeer *self = CB_WEBRTC_PEER (object);

  close_peer (self, FALSE);   /* the last reference is going: no worker can hold it */
  G_OBJECT_CLASS (cb_webrtc_peer_parent_class)->dispose (object);
}

static void
cb_webrtc_peer_finalize (GObject *object)
{
  CbWebrtcPeer *self = CB_WEBRTC_PEER (object);

  g_free (self->prefer_video);
  for (int k = 0; k < 2; k++)
    {
      g_free (self->codec[k]);
      g_free (self->fmtp[k]);
      gst_clear_object (&self->appsrc[k]);
      gst_clear_object (&self->sink[k]);
    }
  if (self->media_destroy != NULL)
    self->media_destroy (self->media_data);
  g_free (self->local_address);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cb_webrtc_peer_parent_class)->finalize (object);
}

static void
cb_webrtc_peer_class_init (CbWebrtcPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_webrtc_peer_dispose;
  object_class->finalize = cb_webrtc_peer_finalize;

  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_KEYFRAME_REQUESTED] =
    g_signal_new ("keyframe-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
cb_webrtc_peer_init (CbWebrtcPeer *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
}

/* ---- hopping to the peer's context ------------------------------------------ */

typedef struct {
  CbWebrtcPeer      *peer;
  CbWebrtcPeerState  state;
  char              *reason;
} StateChange;

static gboolean
apply_state (gpointer data)
{
  StateChange *sc = data;
  CbWebrtcPeer *self = sc->peer;

  if (self->state != sc->state && self->state != CB_WEBRTC_PEER_CLOSED &&
      self->state != CB_WEBRTC_PEER_FAILED)
    {
      self->state = sc->state;
      g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (int) sc->state, sc->reason);
    }
  return G_SOURCE_REMOVE;
}

static void
state_change_free (gpointer data)
{
  StateChange *sc = data;

  g_object_unref (sc->peer);
  g_free (sc->reason);
  g_free (sc);
}

static void
post_state (CbWebrtcPeer      *self,
            CbWebrtcPeerState  state,
            const char        *reason)
{
  StateChange *sc = g_new0 (StateChange, 1);

  sc->peer = g_object_ref (self);
  sc->state = state;
  sc->reason = g_strdup (reason);
  cb_idle_on (self->context, G_PRIORITY_DEFAULT, apply_state, sc,
                              state_change_free);
}

/* ---- answering -------------------------------------------------------------- */

static void
finish_task (CbWebrtcPeer *self,
             char         *answer,
             GError       *error)
{
  GTask *task = g_steal_pointer (&self->task);

  cb_clear_source (&self->gather_timeout);
  if (task == NULL)
    {
      g_free (answer);
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, g_free);
  g_object_unref (task);
}

static gboolean
deliver_answer (gpointer data)
{
  CbWebrtcPeer *self = data;
  GstWebRTCSessionDescription *desc = NULL;
  g_autofree char *text = NULL;

  if (self->task == NULL)   /* delivered already (finish_task() clears it) */
    return G_SOURCE_REMOVE;
  g_object_get (self->webrtc, "local-description", &desc, NULL);
  if (desc == NULL)
    {
      finish_task (self, NULL, g_error_new (CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                                            "No local description"));
      return G_SOURCE_REMOVE;
    }
  text = gst_sdp_message_as_text (desc->sdp);
  gst_webrtc_session_description_free (desc);
  finish_task (self, cb_sdp_finish_answer (text), NULL);
  return G_SOURCE_REMOVE;
}

/* From webrtcbin's threads: no trickle, so the description goes out once our own
 * candidates are all in it. */
static void
deliver_when_gathered (CbWebrtcPeer *self)
{
  GstWebRTCICEGatheringState state;

  g_object_get (self->webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    cb_idle_on (self->context, G_PRIORITY_DEFAULT, deliver_answer, g_object_ref (self), g_object_unref);
}

static void
on_gathering_state (GstElement *webrtc,
                    GParamSpec *pspec,
                    gpointer    data)
{
  deliver_when_gathered (data);
}

static gboolean
on_gather_timeout (gpointer data)
{
  CbWebrtcPeer *self = data;

  cb_clear_source (&self->gather_timeout);
  g_atomic_int_set (&self->gather_late, 1);
  /* Not set yet: on_local_set() delivers it (or the error) when webrtcbin replies. */
  if (g_atomic_int_get (&self->local_set))
    deliver_answer (self);
  return G_SOURCE_REMOVE;
}

typedef struct {
  CbWebrtcPeer *peer;
  GError       *error;
} ErrorHop;

static gboolean
fail_in_context (gpointer data)
{
  ErrorHop *hop = data;

  finish_task (hop->peer, NULL, g_steal_pointer (&hop->error));
  return G_SOURCE_REMOVE;
}

static void
error_hop_free (gpointer data)
{
  ErrorHop *hop = data;

  g_clear_error (&hop->error);
  g_object_unref (hop->peer);
  g_free (hop);
}

static void
post_failure (CbWebrtcPeer *self,
              GError       *error)
{
  ErrorHop *hop = g_new0 (ErrorHop, 1);

  hop->peer = g_object_ref (self);
  hop->error = error;
  cb_idle_on (self->context, G_PRIORITY_DEFAULT, fail_in_context, hop,
                              error_hop_free);
}

/* Takes @promise: its @field description (with @field NULL, none), or NULL and the error
 * webrtcbin replied with (when it gave one). */
static GstWebRTCSessionDescription *
take_reply (GstPromise  *promise,
            const char  *field,
            GError     **error)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *desc = NULL;

  if (reply != NULL && gst_structure_has_field (reply, "error"))
    gst_structure_get (reply, "error", G_TYPE_ERROR, error, NULL);
  else if (reply != NULL && field != NULL)
    gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);
  return desc;
}

/* Our answer or our offer is set: deliver it with our candidates. */
static void
on_local_set (GstPromise *promise,
              gpointer    data)
{
  CbWebrtcPeer *self = data;

  gst_promise_unref (promise);
  g_atomic_int_set (&self->local_set, 1);
  /* Past the gathering deadline (a loaded machine can take that long to get here), the
   * description goes out with the candidates it has. */
  if (g_atomic_int_get (&self->gather_late))
    cb_idle_on (self->context, G_PRIORITY_DEFAULT, deliver_answer, g_object_ref (self), g_object_unref);
  else
    deliver_when_gathered (self);
}

static void
on_answer_created (GstPromise *promise,
                   gpointer    data)
{
  CbWebrtcPeer *self = data;
  GError *error = NULL;
  GstWebRTCSessionDescription *answer = take_reply (promise, "answer", &error);

  if (answer == NULL)
    {
      post_failure (self, g_error_new (CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_NO_CODECS,
                                       "No common codecs%s%s", error ? ": " : "",
                                       error ? error->message : ""));
      g_clear_error (&error);
      return;
    }
  if (self->role == CB_WEBRTC_SEND && g_strcmp0 (self->codec[CB_WEBRTC_VIDEO], "H264") == 0)
    cb_sdp_answer_set_fmtp (answer->sdp, "video", self->pt[CB_WEBRTC_VIDEO],
                            self->fmtp[CB_WEBRTC_VIDEO]);
  g_signal_emit_by_name (self->webrtc, "set-local-description", answer,
                         gst_promise_new_with_change_func (on_local_set, self, NULL));
  gst_webrtc_session_description_free (answer);
}

static void
on_offer_set (GstPromise *promise,
              gpointer    data)
{
  CbWebrtcPeer *self = data;
  GError *error = NULL;

  take_reply (promise, NULL, &error);
  if (error != NULL)
    {
      post_failure (self, g_error_new (CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_BAD_SDP,
                                       "Bad SDP offer: %s", error->message));
      g_error_free (error);
      return;
    }
  g_signal_emit_by_name (self->webrtc, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created, self, NULL));
}

/* ---- receiving ---------------------------------------------------------------- */

static GstFlowReturn
on_received_sample (GstAppSink *sink,
                    gpointer    data)
{
  CbWebrtcPeer *self = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  const GstSegment *segment;
  GstBuffer *buffer;
  GstBuffer *out;

  if (sample == NULL)
    return GST_FLOW_OK;
  buffer = gst_sample_get_buffer (sample);
  segment = gst_sample_get_segment (sample);
  out = gst_buffer_copy (buffer);
  if (segment != NULL && segment->format == GST_FORMAT_TIME)
    {
      if (GST_BUFFER_PTS_IS_VALID (out))
        GST_BUFFER_PTS (out) = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (out));
      if (GST_BUFFER_DTS_IS_VALID (out))
        GST_BUFFER_DTS (out) = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_DTS (out));
    }
  g_mutex_lock (&self->lock);
  if (self->media_func != NULL)
    self->media_func ((GstElement *) sink == self->sink[CB_WEBRTC_VIDEO] ? CB_WEBRTC_VIDEO
                                                                         : CB_WEBRTC_AUDIO,
                      gst_sample_get_caps (sample), out, self->media_data);
  g_mutex_unlock (&self->lock);
  gst_buffer_unref (out);
  return GST_FLOW_OK;
}

static void
on_incoming_pad (GstElement *webrtc,
                 GstPad     *pad,
                 gpointer    data)
{
  CbWebrtcPeer *self = data;
  g_autoptr(GstCaps) caps = NULL;
  const GstStructure *s;
  const char *encoding, *media, *desc = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_received_sample };
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GstElement) sink = NULL;
  GstElement *bin;
  int kind;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_structure (caps, 0);
  encoding = gst_structure_get_string (s, "encoding-name");
  media = gst_structure_get_string (s, "media");
  if (encoding == NULL || media == NULL)
    return;
  kind = g_str_equal (media, "video") ? CB_WEBRTC_VIDEO : CB_WEBRTC_AUDIO;

  if (g_ascii_strcasecmp (encoding, "H264") == 0)
    desc = "rtph264depay ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! "
           "appsink name=sink sync=false async=false";
  else if (g_ascii_strcasecmp (encoding, "VP8") == 0)
    desc = "rtpvp8depay ! appsink name=sink sync=false async=false";
  else if (g_ascii_strcasecmp (encoding, "OPUS") == 0)
    desc = "rtpopusdepay ! appsink name=sink sync=false async=false";
  if (desc == NULL)
    {
      /* Nothing we can use: drain it so that webrtcbin does not stall. */
      desc = "fakesink name=sink sync=false async=false";
    }
  bin = gst_parse_bin_from_description (desc, TRUE, &error);
  if (bin == NULL || error != NULL)
    {
      g_warning ("webrtc: cannot depayload %s: %s", encoding, error ? error->message : "");
      if (bin != NULL)
        gst_object_unref (gst_object_ref_sink (bin));
      return;
    }
  gst_bin_add (GST_BIN (self->pipeline), bin);
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  if (GST_IS_APP_SINK (sink))
    {
      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
      g_mutex_lock (&self->lock);
      gst_object_replace ((GstObject **) &self->sink[kind], GST_OBJECT (sink));
      g_mutex_unlock (&self->lock);
    }
  gst_element_sync_state_with_parent (bin);
  sink_pad = gst_element_get_static_pad (bin, "sink");
  gst_pad_link (pad, sink_pad);

  /* The first frames must decode: ask the browser for a keyframe at once. */
  if (kind == CB_WEBRTC_VIDEO)
    cb_webrtc_peer_request_keyframe (self);
}

/* ---- sending ------------------------------------------------------------------ */

static gboolean
emit_keyframe_requested (gpointer data)
{
  g_signal_emit (data, signals[SIGNAL_KEYFRAME_REQUESTED], 0);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_keyframe_probe (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         data)
{
  CbWebrtcPeer *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    cb_idle_on (self->context, G_PRIORITY_DEFAULT, emit_keyframe_requested,
                                g_object_ref (self), g_object_unref);
  return GST_PAD_PROBE_OK;
}

/* NACK and retransmission: lost packets are asked for (receive) or resent (send).
 * "do-nack" belongs to webrtcbin's own transceiver class, so check that it is there. */
static void
enable_nack (GstWebRTCRTPTransceiver *transceiver)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (transceiver), "do-nack") != NULL)
    g_object_set (transceiver, "do-nack", TRUE, NULL);
}

static gboolean
add_send_branch (CbWebrtcPeer  *self,
                 int            kind,
                 CbSdpCodec    *codec,
                 GError       **error)
{
  g_autofree char *desc = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GstPad) src_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  GstWebRTCRTPTransceiver *transceiver = NULL;
  GstElement *bin;
  guint32 ssrc = g_random_int ();

  /* Offering, the caps are what the offer says: packetization-mode 1 (the payloader
   * adds the profile from the stream's SPS), Opus in stereo. Answering, webrtcbin takes
   * the rest from the offer. */
  const char *video_extra = self->offering ? ",packetization-mode=(string)1" : "";
  const char *audio_extra = self->offering ? ",encoding-params=(string)2" : "";

  if (kind == CB_WEBRTC_VIDEO && g_str_equal (codec->encoding, "VP8"))
    desc = g_strdup_printf ("appsrc name=src format=time is-live=true do-timestamp=false "
                            "max-bytes=8000000 ! rtpvp8pay pt=%d ssrc=%u picture-id-mode=15-bit "
                            "mtu=1200 ! capsfilter caps=\"application/x-rtp,media=video,"
                            "encoding-name=VP8,payload=%d,clock-rate=90000,ssrc=(uint)%u\"",
                            codec->pt, ssrc, codec->pt, ssrc);
  else if (kind == CB_WEBRTC_VIDEO)
    desc = g_strdup_printf ("appsrc name=src format=time is-live=true do-timestamp=false "
                            "max-bytes=8000000 ! h264parse ! rtph264pay pt=%d ssrc=%u "
                            "config-interval=-1 aggregate-mode=zero-latency mtu=1200 ! "
                            "capsfilter caps=\"application/x-rtp,media=video,encoding-name=H264,"
                            "payload=%d,clock-rate=90000,ssrc=(uint)%u%s\"", codec->pt, ssrc,
                            codec->pt, ssrc, video_extra);
  else
    desc = g_strdup_printf ("appsrc name=src format=time is-live=true do-timestamp=false "
                            "max-bytes=2000000 ! rtpopuspay pt=%d ssrc=%u ! "
                            "capsfilter caps=\"application/x-rtp,media=audio,encoding-name=OPUS,"
                            "payload=%d,clock-rate=48000,ssrc=(uint)%u%s\"", codec->pt, ssrc,
                            codec->pt, ssrc, audio_extra);
  bin = gst_parse_bin_from_description (desc, TRUE, &parse_error);
  if (bin == NULL || parse_error != NULL)
    {
      if (bin != NULL)
        gst_object_unref (gst_object_ref_sink (bin));
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_MISSING_PLUGIN, "%s",
                   parse_error ? parse_error->message : "cannot build the sender");
      return FALSE;
    }
  gst_bin_add (GST_BIN (self->pipeline), bin);
  self->appsrc[kind] = gst_bin_get_by_name (GST_BIN (bin), "src");
  src_pad = gst_element_get_static_pad (bin, "src");
  sink_pad = gst_element_request_pad_simple (self->webrtc, "sink_%u");
  if (gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED, "Cannot link the sender");
      return FALSE;
    }
  g_object_get (sink_pad, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    {
      g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
      if (kind == CB_WEBRTC_VIDEO)
        enable_nack (transceiver);
      gst_object_unref (transceiver);
    }
  if (kind == CB_WEBRTC_VIDEO)
    gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_keyframe_probe, self, NULL);
  gst_element_sync_state_with_parent (bin);
  return TRUE;
}

static void
add_receive_transceiver (CbWebrtcPeer *self,
                         const char   *media,
                         CbSdpCodec   *codec)
{
  g_autoptr(GstCaps) caps = NULL;
  GstWebRTCRTPTransceiver *transceiver = NULL;

  caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, media,
                              "encoding-name", G_TYPE_STRING, codec->encoding,
                              "payload", G_TYPE_INT, codec->pt,
                              "clock-rate", G_TYPE_INT, codec->clock_rate, NULL);
  if (codec->fmtp != NULL && g_str_equal (codec->encoding, "H264"))
    {
      g_auto(GStrv) params = g_strsplit (codec->fmtp, ";", -1);

      for (guint i = 0; params[i] != NULL; i++)
        {
          g_auto(GStrv) kv = g_strsplit (g_strstrip (params[i]), "=", 2);
          if (kv[0] != NULL && kv[1] != NULL)
            gst_caps_set_simple (caps, kv[0], G_TYPE_STRING, kv[1], NULL);
        }
    }
  if (g_str_equal (codec->encoding, "OPUS"))
    gst_caps_set_simple (caps, "encoding-params", G_TYPE_STRING, "2", NULL);
  else if (self->offering)
    gst_caps_set_simple (caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                         "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, NULL);
  g_signal_emit_by_name (self->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &transceiver);
  if (transceiver != NULL)
    {
      /* Audio is not retransmitted (browsers do not offer it, and webrtcbin as the
       * answering sender finds no transceiver for an audio offer with RTX). */
      if (g_str_equal (media, "video"))
        enable_nack (transceiver);
      gst_object_unref (transceiver);
    }
}

/* ---- states ------------------------------------------------------------------- */

static void
on_connection_state (GstElement *webrtc,
                     GParamSpec *pspec,
                     gpointer    data)
{
  CbWebrtcPeer *self = data;
  GstWebRTCPeerConnectionState state;
  GstWebRTCICEConnectionState ice;

  g_object_get (webrtc, "connection-state", &state, "ice-connection-state", &ice, NULL);
  switch (state)
    {
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      post_state (self, CB_WEBRTC_PEER_CONNECTED, NULL);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
      post_state (self, CB_WEBRTC_PEER_FAILED,
                  ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED ? "Failed by ICE timeout"
                                                               : "Failed by DTLS error");
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
      post_state (self, CB_WEBRTC_PEER_FAILED, "Disconnected");
      break;
    default:
      break;
    }
}

static gboolean
on_bus_message (GstMessage   *message,
                const GError *error,
                gpointer      data)
{
  CbWebrtcPeer *self = data;

  if (error != NULL)
    {
      g_autofree char *text = cb_pipeline_error_text (message);

      g_debug ("webrtc peer: %s", error->message);
      if (self->task != NULL)
        finish_task (self, NULL, g_error_new (CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED, "%s",
                                              text));
      post_state (self, CB_WEBRTC_PEER_FAILED,
                  g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED) &&
                  strstr (text, "DTLS") ? "Failed by DTLS error" : text);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- public ------------------------------------------------------------------- */

CbWebrtcPeer *
cb_webrtc_peer_new (CbWebrtcRole role,
                    guint        port_min,
                    guint        port_max)
{
  CbWebrtcPeer *self = g_object_new (CB_TYPE_WEBRTC_PEER, NULL);

  self->role = role;
  self->port_min = port_min;
  self->port_max = port_max;
  return self;
}

void
cb_webrtc_peer_set_local_address (CbWebrtcPeer *self,
                                  const char   *address)
{
  g_return_if_fail (self->pipeline == NULL);
  g_free (self->local_address);
  self->local_address = g_strdup (address);
}

/**
 * cb_webrtc_peer_prefer_video_codec:
 * @codec: (nullable): "VP8", or %NULL (or "H264") for H.264 first
 *
 * Send role: the video codec to answer with when the offer has it, before H.264 (the
 * codec of the stream played, so that it goes out as it is). Before the answer.
 */
void
cb_webrtc_peer_prefer_video_codec (CbWebrtcPeer *self,
                                   const char   *codec)
{
  g_return_if_fail (CB_IS_WEBRTC_PEER (self));
  g_return_if_fail (self->pipeline == NULL);
  g_free (self->prefer_video);
  self->prefer_video = g_strdup (codec);
}

void
cb_webrtc_peer_set_media_func (CbWebrtcPeer      *self,
                               CbWebrtcMediaFunc  func,
                               gpointer           data,
                               GDestroyNotify     destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_mutex_lock (&self->lock);
  old_destroy = self->media_destroy;
  old_data = self->media_data;
  self->media_func = func;
  self->media_data = data;
  self->media_destroy = destroy;
  g_mutex_unlock (&self->lock);
  if (old_destroy != NULL)
    old_destroy (old_data);
}

static gboolean
build_pipeline (CbWebrtcPeer  *self,
                GError       **error)
{
  GstWebRTCICE *ice = NULL;

  self->pipeline = gst_pipeline_new ("webrtc-peer");
  self->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  if (self->webrtc == NULL)
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_MISSING_PLUGIN,
                   "webrtcbin is not installed (gst-plugins-bad)");
      gst_clear_object (&self->pipeline);
      return FALSE;
    }
  g_object_set (self->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                "latency", 100, NULL);
  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice != NULL)
    {
      GObject *agent = NULL;

      if (self->port_min > 0 && self->port_max >= self->port_min)
        g_object_set (ice, "min-rtp-port", self->port_min, "max-rtp-port", self->port_max, NULL);
      /* No UPnP: a studio does not ask the user's router to open ports behind their back
       * (and gupnp's search, on a random port that may be taken, warned now and then). */
      if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
        g_object_get (ice, "agent", &agent, NULL);
      if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
        g_object_set (agent, "upnp", FALSE, NULL);
      g_clear_object (&agent);
      /* Once one address is added, libnice gathers on the added ones only. */
      if (self->local_address != NULL &&
          g_signal_lookup ("add-local-ip-address", G_OBJECT_TYPE (ice)) != 0)
        {
          gboolean added = FALSE;

          g_signal_emit_by_name (ice, "add-local-ip-address", self->local_address, &added);
          if (!added)
            g_warning ("webrtc: cannot gather candidates on %s; using every interface",
                       self->local_address);
        }
      gst_object_unref (ice);
    }
  gst_bin_add (GST_BIN (self->pipeline), self->webrtc);
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_incoming_pad), self);
  g_signal_connect (self->webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering_state), self);
  g_signal_connect (self->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state), self);

  cb_pipeline_watch (self->pipeline, self->context, on_bus_message, self, NULL);
  return TRUE;
}

/* What the role does with @kind: a sender branch, or a receiving transceiver. */
static void
add_media (CbWebrtcPeer  *self,
           int            kind,
           CbSdpCodec    *codec,
           GError       **error)
{
  if (self->role == CB_WEBRTC_SEND)
    add_send_branch (self, kind, codec, error);
  else
    add_receive_transceiver (self, kind == CB_WEBRTC_VIDEO ? "video" : "audio", codec);
}

/* Starts the pipeline and keeps *@task for the answer (or offer) to come, with a gathering
 * deadline; FALSE (and *@task completed) when the pipeline does not start. */
static gboolean
start_negotiation (CbWebrtcPeer  *self,
                   GTask        **task)
{
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_task_return_new_error (*task, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                               "Cannot start the WebRTC pipeline");
      return FALSE;
    }
  self->state = CB_WEBRTC_PEER_CONNECTING;
  self->task = g_steal_pointer (task);
  self->gather_timeout = g_timeout_source_new (GATHER_TIMEOUT_MS);
  g_source_set_callback (self->gather_timeout, on_gather_timeout, self, NULL);
  g_source_attach (self->gather_timeout, self->context);
  return TRUE;
}

void
cb_webrtc_peer_answer_async (CbWebrtcPeer        *self,
                             const GstSDPMessage *offer,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GstSDPMessage) sdp = NULL;
  GstWebRTCSessionDescription *desc;
  GError *error = NULL;
  CbSdpCodec codec[2];
  gboolean have[2];
  static const char *media_names[] = { "video", "audio" };

  g_return_if_fail (offer != NULL);
  g_task_set_source_tag (task, cb_webrtc_peer_answer_async);
  if (self->pipeline != NULL || self->task != NULL || self->closed)
    {
      g_task_return_new_error (task, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED, "Already answered");
      return;
    }
  for (int k = 0; k < 2; k++)
    {
      /* A player gets H.264, or VP8 when it offers no H.264 or when VP8 is preferred. */
      have[k] = cb_sdp_pick_codec (offer, media_names[k],
                                   self->role == CB_WEBRTC_SEND ? self->prefer_video : NULL,
                                   &codec[k], NULL);
    }
  if (!have[0] && !have[1])
    {
      g_task_return_new_error (task, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_NO_CODECS, "No common codecs");
      return;
    }
  if (!build_pipeline (self, &error))
    {
      for (int k = 0; k < 2; k++)
        cb_sdp_codec_clear (&codec[k]);
      g_task_return_error (task, error);
      return;
    }

  for (int k = 0; k < 2 && error == NULL; k++)
    {
      if (!have[k])
        continue;
      self->codec[k] = g_str_equal (codec[k].encoding, "OPUS") ? g_strdup ("opus")
                                                             : g_strdup (codec[k].encoding);
      self->pt[k] = codec[k].pt;
      self->fmtp[k] = g_strdup (codec[k].fmtp);
      add_media (self, k, &codec[k], &error);
    }
  for (int k = 0; k < 2; k++)
    cb_sdp_codec_clear (&codec[k]);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!start_negotiation (self, &task))
    return;

  /* webrtcbin keeps its description: a copy of the one parse (cb_sdp_parse()). */
  gst_sdp_message_copy (offer, &sdp);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, g_steal_pointer (&sdp));
  g_signal_emit_by_name (self->webrtc, "set-remote-description", desc,
                         gst_promise_new_with_change_func (on_offer_set, self, NULL));
  gst_webrtc_session_description_free (desc);
}

char *
cb_webrtc_peer_answer_finish (CbWebrtcPeer  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_offer_created (GstPromise *promise,
                  gpointer    data)
{
  CbWebrtcPeer *self = data;
  g_autoptr(GError) error = NULL;
  GstWebRTCSessionDescription *offer = take_reply (promise, "offer", &error);

  if (offer == NULL)
    {
      post_failure (self, g_error_new (CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                                       "webrtcbin made no offer"));
      return;
    }
  g_signal_emit_by_name (self->webrtc, "set-local-description", offer,
                         gst_promise_new_with_change_func (on_local_set, self, NULL));
  gst_webrtc_session_description_free (offer);
}

static char *
role_fmtp (CbWebrtcRole role)
{
  return role == CB_WEBRTC_RECEIVE
         ? (char *) "packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1"
         : NULL;
}

/**
 * cb_webrtc_peer_offer_async:
 *
 * Offering side: makes an offer to send (send role) or receive (receive role) H.264
 * and/or Opus, with our candidates (no trickle). Give the remote answer to
 * cb_webrtc_peer_set_answer().
 */
void
cb_webrtc_peer_offer_async (CbWebrtcPeer        *self,
                            gboolean             video,
                            gboolean             audio,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  /* Receiving, the offer says which H.264 we decode: constrained baseline, any level. */
  CbSdpCodec codec[2] = {
    { 102, (char *) "H264", 90000,
      role_fmtp (self->role) },
    { 111, (char *) "OPUS", 48000, NULL },
  };
  gboolean want[2] = { video, audio };

  g_task_set_source_tag (task, cb_webrtc_peer_offer_async);
  if (self->pipeline != NULL || self->closed || (!video && !audio))
    {
      g_task_return_new_error (task, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED,
                               "Cannot offer (already negotiated, closed, or nothing to send)");
      return;
    }
  self->offering = TRUE;
  if (!build_pipeline (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Audio first, as browsers order their offers. */
  for (int i = 0, k = 1; i < 2 && error == NULL; i++, k = 1 - k)
    if (want[k])
      {
        self->codec[k] = g_strdup (k == CB_WEBRTC_VIDEO ? "H264" : "opus");
        add_media (self, k, &codec[k], &error);
      }
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!start_negotiation (self, &task))
    return;
  g_signal_emit_by_name (self->webrtc, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created, self, NULL));
}

char *
cb_webrtc_peer_offer_finish (CbWebrtcPeer  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_remote_answer_set (GstPromise *promise,
                      gpointer    data)
{
  CbWebrtcPeer *self = data;
  GError *error = NULL;

  take_reply (promise, NULL, &error);
  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("The remote answer was refused: %s", error->message);
      post_state (self, CB_WEBRTC_PEER_FAILED, reason);
      g_error_free (error);
    }
}

/**
 * cb_webrtc_peer_set_answer:
 *
 * Offering side: applies the remote answer. Fails at once for text that is not SDP;
 * a refusal by webrtcbin shows as the FAILED state.
 */
gboolean
cb_webrtc_peer_set_answer (CbWebrtcPeer  *self,
                           const char    *answer,
                           GError       **error)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *desc;

  if (!self->offering || self->webrtc == NULL || self->closed)
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_FAILED, "No offer was made");
      return FALSE;
    }
  if (!cb_sdp_parse (answer, &sdp))
    {
      g_set_error (error, CB_WEBRTC_ERROR, CB_WEBRTC_ERROR_BAD_SDP, "Bad SDP answer");
      return FALSE;
    }
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", desc,
                         gst_promise_new_with_change_func (on_remote_answer_set, self, NULL));
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

const char *
cb_webrtc_peer_get_codec (CbWebrtcPeer *self,
                          int           kind)
{
  g_return_val_if_fail (kind == 0 || kind == 1, NULL);
  return self->codec[kind];
}

GstElement *
cb_webrtc_peer_get_appsrc (CbWebrtcPeer *self,
                           int           kind)
{
  g_return_val_if_fail (kind == 0 || kind == 1, NULL);
  return self->appsrc[kind];
}

CbWebrtcPeerState
cb_webrtc_peer_get_state (CbWebrtcPeer *self)
{
  return self->state;
}

/* ---- statistics ------------------------------------------------------------- */

typedef struct {
  CbWebrtcPeer      *peer;
  CbWebrtcStatsFunc  func;
  gpointer           data;
  GDestroyNotify     destroy;
  CbWebrtcStats      stats;
} StatsCall;

static void
stats_call_free (gpointer data)
{
  StatsCall *call = data;

  if (call->destroy != NULL)
    call->destroy (call->data);
  g_object_unref (call->peer);
  g_free (call);
}

static gboolean
deliver_stats (gpointer data)
{
  StatsCall *call = data;

  call->func (call->peer, &call->stats, call->data);
  return G_SOURCE_REMOVE;
}

/* A number field of a stats structure, whatever its integer or double type; -1 if absent. */
static double
stats_number (const GstStructure *s,
              const char         *name)
{
  const GValue *v = gst_structure_get_value (s, name);

  if (v == NULL)
    return -1;
  switch (G_VALUE_TYPE (v))
    {
    case G_TYPE_UINT64: return (double) g_value_get_uint64 (v);
    case G_TYPE_INT64: return (double) g_value_get_int64 (v);
    case G_TYPE_UINT: return g_value_get_uint (v);
    case G_TYPE_INT: return g_value_get_int (v);
    case G_TYPE_DOUBLE: return g_value_get_double (v);
    default: return -1;
    }
}

static void
stats_add (gint64 *total,
           double  value)
{
  if (value < 0)
    return;
  *total = (*total < 0 ? 0 : *total) + (gint64) value;
}

static gboolean
collect_stat (GQuark        field,
              const GValue *value,
              gpointer      data)
{
  StatsCall *call = data;
  CbWebrtcStats *st = &call->stats;
  gboolean receiving = call->peer->role == CB_WEBRTC_RECEIVE;
  GstWebRTCStatsType type;
  const GstStructure *s;
  const char *kind;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
    return TRUE;
  kind = gst_structure_get_string (s, "kind");

  if (receiving && type == GST_WEBRTC_STATS_INBOUND_RTP)
    {
      const GstStructure *source = NULL;
      const GValue *nested = gst_structure_get_value (s, "gst-rtpsource-stats");
      gboolean video;

      /* GStreamer 1.22 says kind=audio for every inbound stream; its RTP source stats
       * know the clock rate (90 kHz is video), and the packets lost. */
      if (nested != NULL && GST_VALUE_HOLDS_STRUCTURE (nested))
        source = gst_value_get_structure (nested);
      video = source != NULL ? stats_number (source, "clock-rate") == 90000
                             : g_strcmp0 (kind, "audio") != 0;
      stats_add (&st->bytes, stats_number (s, "bytes-received"));
      stats_add (&st->packets, stats_number (s, "packets-received"));
      stats_add (&st->packets_lost, stats_number (s, "packets-lost") >= 0 || source == NULL
                                    ? stats_number (s, "packets-lost")
                                    : stats_number (source, "packets-lost"));
      stats_add (&st->nack_count, stats_number (s, "nack-count"));
      stats_add (&st->pli_count, stats_number (s, "pli-count"));
      if (video && stats_number (s, "jitter") >= 0)
        st->jitter = stats_number (s, "jitter");
    }
  else if (!receiving && type == GST_WEBRTC_STATS_OUTBOUND_RTP)
    {
      stats_add (&st->bytes, stats_number (s, "bytes-sent"));
      stats_add (&st->packets, stats_number (s, "packets-sent"));
      stats_add (&st->nack_count, stats_number (s, "nack-count"));
      stats_add (&st->pli_count, stats_number (s, "pli-count"));
    }
  else if (!receiving && type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP)
    {
      stats_add (&st->packets_lost, stats_number (s, "packets-lost"));
      if (g_strcmp0 (kind, "audio") != 0 && stats_number (s, "jitter") >= 0)
        st->jitter = stats_number (s, "jitter");
    }
  /* Round trip: the remote side's reports on what we send (remote-inbound), or on our
   * reports (remote-outbound, when the sender computes it), else the ICE pair's. */
  if ((type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP || type == GST_WEBRTC_STATS_REMOTE_OUTBOUND_RTP ||
       type == GST_WEBRTC_STATS_CANDIDATE_PAIR) && st->round_trip_time < 0)
    {
      double rtt = stats_number (s, "round-trip-time");

      if (rtt < 0)
        rtt = stats_number (s, "current-round-trip-time");
      if (rtt > 0)
        st->round_trip_time = rtt;
    }
  return TRUE;
}

static void
on_stats (GstPromise *promise,
          gpointer    data)
{
  StatsCall *call = data;
  const GstStructure *reply = NULL;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL)
    gst_structure_foreach (reply, collect_stat, call);
  gst_promise_unref (promise);
  cb_idle_on (call->peer->context, G_PRIORITY_DEFAULT, deliver_stats, call, stats_call_free);
}

/**
 * cb_webrtc_peer_get_stats:
 *
 * Asks webrtcbin for its statistics and calls @callback on the peer's context with a
 * summary; a peer that is not running gives every figure as -1.
 */
void
cb_webrtc_peer_get_stats (CbWebrtcPeer      *self,
                          CbWebrtcStatsFunc  callback,
                          gpointer           data,
                          GDestroyNotify     destroy)
{
  StatsCall *call = g_new0 (StatsCall, 1);

  g_return_if_fail (CB_IS_WEBRTC_PEER (self));
  call->peer = g_object_ref (self);
  call->func = callback;
  call->data = data;
  call->destroy = destroy;
  call->stats = (CbWebrtcStats) { -1, -1, -1, -1, -1, -1, -1 };
  if (self->webrtc == NULL || self->closed)
    {
      cb_idle_on (self->context, G_PRIORITY_DEFAULT, deliver_stats, call, stats_call_free);
      return;
    }
  g_signal_emit_by_name (self->webrtc, "get-stats", NULL,
                         gst_promise_new_with_change_func (on_stats, call, NULL));
}

void
cb_webrtc_peer_request_keyframe (CbWebrtcPeer *self)
{
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstPad) pad = NULL;

  g_mutex_lock (&self->lock);
  if (self->sink[CB_WEBRTC_VIDEO] != NULL)
    sink = gst_object_ref (self->sink[CB_WEBRTC_VIDEO]);
  g_mutex_unlock (&self->lock);
  if (sink == NULL)
    return;
  /* Travels up to rtpsession, which sends the browser a PLI. */
  pad = gst_element_get_static_pad (sink, "sink");
  if (pad != NULL)
    gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                          TRUE, 0));
}

/* Pipelines being stopped in worker threads, for cb_webrtc_peer_wait_closed(). */
static GMutex teardown_lock;
static GCond  teardown_cond;
static guint  n_teardowns;

static void
stop_pipeline (GstElement *pipeline)
{
  g_autoptr(GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_flushing (bus, TRUE);
}

/* In a worker thread, holding the peer: webrtcbin may call it back until it is stopped. */
static void
teardown_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  CbWebrtcPeer *self = source;

  stop_pipeline (data);
  self->webrtc = NULL;   /* nothing reads it once closed, but webrtcbin's own callbacks */
  g_task_return_boolean (task, TRUE);
  g_mutex_lock (&teardown_lock);
  n_teardowns--;
  g_cond_broadcast (&teardown_cond);
  g_mutex_unlock (&teardown_lock);
}

/* Ends the peer at once; its pipeline stops here or, @in_worker, in a worker thread. */
static void
close_peer (CbWebrtcPeer *self,
            gboolean      in_worker)
{
  g_autoptr(GTask) task = NULL;
  GstElement *pipeline;

  if (self->pipeline == NULL)
    return;
  cb_clear_source (&self->gather_timeout);
  cb_pipeline_unwatch (self->pipeline);
  finish_task (self, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed"));
  g_signal_handlers_disconnect_by_data (self->webrtc, self);
  self->closed = TRUE;
  if (self->state != CB_WEBRTC_PEER_FAILED)
    self->state = CB_WEBRTC_PEER_CLOSED;
  pipeline = g_steal_pointer (&self->pipeline);

  if (!in_worker)
    {
      stop_pipeline (pipeline);
      gst_object_unref (pipeline);
      self->webrtc = NULL;
      return;
    }
  g_mutex_lock (&teardown_lock);
  n_teardowns++;
  g_mutex_unlock (&teardown_lock);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, pipeline, gst_object_unref);
  g_task_run_in_thread (task, teardown_in_thread);
}

/**
 * cb_webrtc_peer_close:
 *
 * Ends the peer at once: no more state changes, media or answers. Stopping webrtcbin
 * (ICE, DTLS, its threads) takes a while, so it goes on in a worker thread that holds
 * the peer; the caller is not held up (a GUI closing a player, the engine stopping many
 * players at once).
 */
void
cb_webrtc_peer_close (CbWebrtcPeer *self)
{
  close_peer (self, TRUE);
}

/**
 * cb_webrtc_peer_wait_closed:
 *
 * Waits up to @timeout_ms for the pipelines of closed peers to stop (at shutdown, before
 * the process goes); FALSE if some are still stopping.
 */
gboolean
cb_webrtc_peer_wait_closed (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean done;

  g_mutex_lock (&teardown_lock);
  while (n_teardowns > 0 && g_cond_wait_until (&teardown_cond, &teardown_lock, deadline))
    ;
  done = n_teardowns == 0;
  g_mutex_unlock (&teardown_lock);
  return done;
}
