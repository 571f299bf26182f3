/* cb-program-private.h — what cb-program.c shares with the files it is split into:
 * cb-program-sources.c (the source bins) and cb-program-overlays.c (text and images drawn
 * over an I420 scene)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "cb-engine-error.h"
#include "cb-program.h"
#include "cb-screencast-portal.h"
#include "cb-x11-windows.h"
/* What a compositor composes in. I420, what the encoder takes, when every text and image
 * of the scene is above its other sources: those are drawn over the composed frame
 * afterwards, each the size of its box, with their alpha (an I420 compositor takes no
 * alpha), and nothing converts the 1080p frame. AYUV otherwise (a text under a camera),
 * where the alpha of text and images survives in the compositor. Every video source hands
 * its frames over in the compositor's format: anything else, the compositor converts on
 * every output frame, and a source with no format asked for gets ABGR64 (the first the
 * compositor offers), which made a 1080p pattern cost over half a core in conversions. */
#define COMPOSE_OPAQUE "I420"
#define COMPOSE_ALPHA  "AYUV"
/* What text and images are made in, whichever way they are drawn. */
#define LAYER_FORMAT   COMPOSE_ALPHA
/* One colorimetry for the compositor and everything it takes: a pad whose colorimetry
 * differs from the output's (a 480x270 picture defaults to BT.601, 1080p to BT.709, and
 * the compositor picked BT.601 with JPEG chroma) is converted on every frame, which cost
 * more than the composing. */
#define COLOR_FIELDS   "colorimetry=bt709,chroma-site=mpeg2"

GST_DEBUG_CATEGORY_EXTERN (cb_program_debug);
#define GST_CAT_DEFAULT cb_program_debug

/* The text and images a scene composed in I420 draws over each composed frame, bottom
 * first. Shared by the scene's compositor, its src pad probe and the sources' appsinks;
 * the lock is held while a frame is drawn on. */
typedef struct {
  GMutex        lock;
  GPtrArray    *layers;     /* Layer */
} Overlays;

typedef struct {
  guint                     id;
  guint                     zorder;
  int                       x, y, width, height;
  gboolean                  visible;
  GstBuffer                *pixels;  /* the source's last frame, AYUV with a video meta */
  GstVideoOverlayRectangle *rect;    /* made from it for the box; NULL after a change */
} Layer;

typedef struct {
  guint       id;
  GstElement *bin;          /* in the program bin; NULL while left out */
  Overlays   *overlays;     /* drawn as a layer of these rather than through a mixer pad */
  GstPad     *mixer_pad;    /* compositor or audiomixer request pad */
  GstPad     *sound_pad;    /* a media file's sound: its audiomixer request pad */
  GstElement *monitor;      /* audio: the headphone branch, made on first use */
  GError     *problem;
  guint64     xid;          /* a window source: the window captured, 0 while none */
  GCancellable *asking;     /* a portal source: the request in flight */
  CbScreencast *screencast; /* a portal source: the capture the portal allowed */
  guint         retries;    /* made again after a failed negotiation, in a row */
  gint64        last_retry; /* monotonic µs of the last time */
  guint64       app_serial; /* an application's sound: the PipeWire stream captured */
} Branch;

struct _CbProgram
{
  GObject            parent_instance;

  CbSceneCollection *collection;
  CbLocalSource     *capture;
  GstElement        *bin;
  GstElement        *selector;
  /* Per scene; NULL for a scene that is not on program: only the active scene's
   * sources run and its compositor composes, the others cost nothing until switched to. */
  GPtrArray         *compositors;    /* GstElement */
  GPtrArray         *selector_pads;  /* GstPad */
  GstElement        *mixer;
  GHashTable        *branches;       /* id → Branch */
  GMainContext      *context;        /* where it was made: the engine's */
  CbX11Watch        *windows;        /* made for the first window source */
  int                width, height, fps, rate;
  CbSettings        *settings;   /* the headphones' output device, read when one is turned on */
  /* Applications' sound: what plays is listed every APP_WATCH_SECONDS while a source
   * takes one, to follow an application that stops and plays again (a new stream). */
  GSource           *app_watch;
  GCancellable      *app_listing;    /* the listing in flight */
  GPtrArray         *apps_now;       /* CbAppAudio: while the watch attaches sources */
};


/* cb-program.c */
void cb_program_set_problem_literal (CbProgram *self, Branch *b, CbSourceError code, const char *message);
void cb_program_set_problem (CbProgram *self, Branch *b, const GError *problem);
void cb_program_on_window_closed (guint64 xid, gpointer data);

/* cb-program-overlays.c */
Overlays *cb_program_overlays_new (void);
void cb_program_overlays_unref (gpointer data);
void cb_program_overlays_set_box (Overlays *o, guint id, guint zorder, int x, int y, int width, int height, gboolean visible);
void cb_program_overlays_remove (Overlays *o, guint id);
GstFlowReturn cb_program_on_layer_sample (GstAppSink *appsink, gpointer data);
GstPadProbeReturn cb_program_draw_overlays (GstPad *pad, GstPadProbeInfo *info, gpointer data);
const char *cb_program_compose_format (GstElement *compositor);
gboolean cb_program_scene_is_opaque_below (CbScene *scene);
gboolean cb_program_is_layer_kind (CbSceneSourceKind kind);
Overlays *cb_program_overlays_of (GstElement *compositor);

/* cb-program-sources.c */
gboolean cb_program_looper_set (GstElement *decodebin, gboolean loop);
const char *cb_program_pattern_name (const CbSceneSource *s);
void cb_program_apply_size (CbProgram *self, GstElement *bin, const CbSceneSource *s, const char *format);
gboolean cb_program_uses_portal (const CbSceneSource *s);
GstElement *cb_program_make_audio_bin (CbProgram *self, const CbSceneSource *s, guint64 *app_serial, GError **error);
GstElement *cb_program_with_crop (GstElement *inner, GError **error);
GstElement *cb_program_make_video_bin (CbProgram *self, Branch *b, const CbSceneSource *s, const char *format, GError **error);
gboolean cb_program_is_wayland_session (void);
