/* cb-program.c — scenes composed and audio mixed into one picture and one track
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   source bins ─▶ compositor (the scene on program) ─▶ capsfilter ─▶ input-selector ─▶ "video"
 *   audio bins (volume ▸ level ▸ tee ▸ [monitor]) ─▶ audiomixer ▸ level ─▶ "audio"
 *
 * The bin goes into a CbLocalSource, which encodes "video" and "audio" once and
 * publishes them. A scene switch starts the new scene's compositor and sources beside the
 * old ones, moves the selector's active pad to it, then takes the old scene's out: only
 * the scene on program costs CPU, and the encoder only sees its input change.
 * Sources are added and removed while the pipeline runs; one that fails is taken out
 * and its problem kept, so a missing camera is a line in the GUI, not a dead stream.
 */
#include "cb-app-audio.h"
#include "cb-program-private.h"

GST_DEBUG_CATEGORY (cb_program_debug);

G_DEFINE_FINAL_TYPE (CbProgram, cb_program, G_TYPE_OBJECT)

enum {
  SIGNAL_LEVEL,
  SIGNAL_PROBLEM_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
branch_free (gpointer data)
{
  Branch *b = data;

  gst_clear_object (&b->mixer_pad);
  gst_clear_object (&b->sound_pad);
  gst_clear_object (&b->bin);
  gst_clear_object (&b->monitor);
  g_clear_pointer (&b->overlays, cb_program_overlays_unref);
  g_clear_error (&b->problem);
  if (b->asking != NULL)
    g_cancellable_cancel (b->asking);
  g_clear_object (&b->asking);
  g_clear_pointer (&b->screencast, cb_screencast_free);
  g_free (b);
}

static void detach_portal_branches (CbProgram *self);

static void
cb_program_dispose (GObject *object)
{
  CbProgram *self = CB_PROGRAM (object);

  if (self->capture != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->capture, self);
      detach_portal_branches (self);
      cb_local_source_stop (self->capture);
    }
  g_clear_object (&self->capture);
  if (self->app_listing != NULL)
    g_cancellable_cancel (self->app_listing);
  g_clear_object (&self->app_listing);
  if (self->app_watch != NULL)
    g_source_destroy (self->app_watch);
  g_clear_pointer (&self->app_watch, g_source_unref);
  g_clear_pointer (&self->branches, g_hash_table_unref);
  g_clear_pointer (&self->windows, cb_x11_watch_free);
  g_clear_pointer (&self->compositors, g_ptr_array_unref);
  g_clear_pointer (&self->selector_pads, g_ptr_array_unref);
  gst_clear_object (&self->selector);
  gst_clear_object (&self->mixer);
  gst_clear_object (&self->bin);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cb_program_parent_class)->dispose (object);
}

static void
cb_program_finalize (GObject *object)
{
  CbProgram *self = CB_PROGRAM (object);

  cb_scene_collection_free (self->collection);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (cb_program_parent_class)->finalize (object);
}

static void
cb_program_class_init (CbProgramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_program_dispose;
  object_class->finalize = cb_program_finalize;

  signals[SIGNAL_LEVEL] =
    g_signal_new ("level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[SIGNAL_PROBLEM_CHANGED] =
    g_signal_new ("problem-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  GST_DEBUG_CATEGORY_INIT (cb_program_debug, "cb-program", 0, "Castbridge scenes");
}

static void
unref_element (gpointer object)
{
  if (object != NULL)
    gst_object_unref (object);
}

static void
cb_program_init (CbProgram *self)
{
  self->branches = g_hash_table_new_full (NULL, NULL, NULL, branch_free);
  self->compositors = g_ptr_array_new_with_free_func (unref_element);
  self->selector_pads = g_ptr_array_new_with_free_func (unref_element);
  self->width = 1280;
  self->height = 720;
  self->fps = 30;
  self->rate = 48000;
  self->context = g_main_context_ref_thread_default ();
}

/* ---- source bins ----------------------------------------------------------- */

/* @problem: NULL when the source works */
void
cb_program_set_problem (CbProgram    *self,
             Branch       *b,
             const GError *problem)
{
  if (problem == NULL ? b->problem == NULL
                      : b->problem != NULL && g_error_matches (b->problem, problem->domain, problem->code) &&
                        g_str_equal (b->problem->message, problem->message))
    return;
  g_clear_error (&b->problem);
  b->problem = problem != NULL ? g_error_copy (problem) : NULL;
  g_signal_emit (self, signals[SIGNAL_PROBLEM_CHANGED], 0, b->id);
}

void
cb_program_set_problem_literal (CbProgram     *self,
                                Branch        *b,
                                CbSourceError  code,
                                const char    *message)
{
  g_autoptr(GError) problem = g_error_new_literal (CB_SOURCE_ERROR, code, message);

  cb_program_set_problem (self, b, problem);
}

static void
apply_video_box (CbProgram           *self,
                 Branch              *b,
                 const CbSceneSource *s,
                 guint                zorder)
{
  int x = (int) (s->x * self->width), y = (int) (s->y * self->height);
  int w = MAX (1, (int) (s->width * self->width)), h = MAX (1, (int) (s->height * self->height));
  /* The bottom source, when it is opaque and covers the whole picture, is copied rather
   * than blended over the background: the same picture, 4 ms less per 1080p frame. */
  gboolean covers = zorder == 0 && s->kind == CB_SCENE_SOURCE_PATTERN && s->visible &&
                    x <= 0 && y <= 0 && x + w >= self->width && y + h >= self->height;

  if (b->overlays != NULL)
    cb_program_overlays_set_box (b->overlays, b->id, zorder, x, y, w, h, s->visible);
  else if (b->mixer_pad != NULL)
    {
      g_object_set (b->mixer_pad,
                    "xpos", x,
                    "ypos", y,
                    "width", w,
                    "height", h,
                    "alpha", s->visible ? 1.0 : 0.0,
                    "zorder", zorder + 1,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (b->mixer_pad), "operator", covers ? "source" : "over");
      if (s->kind == CB_SCENE_SOURCE_IMAGE || s->kind == CB_SCENE_SOURCE_MEDIA)
        g_object_set (b->mixer_pad, "repeat-after-eos", TRUE, NULL);
    }
  else
    return;
  if (b->bin != NULL)
    {
      g_autoptr(GstElement) crop = gst_bin_get_by_name (GST_BIN (b->bin), "crop");

      /* videocrop renegotiates on a change; setting what it has would too. */
      if (crop != NULL)
        {
          int left, top, right, bottom;

          g_object_get (crop, "left", &left, "top", &top, "right", &right, "bottom", &bottom, NULL);
          if ((guint) left != s->crop_left || (guint) top != s->crop_top ||
              (guint) right != s->crop_right || (guint) bottom != s->crop_bottom)
            g_object_set (crop, "left", (int) s->crop_left, "top", (int) s->crop_top,
                          "right", (int) s->crop_right, "bottom", (int) s->crop_bottom, NULL);
        }
    }
}

static void
apply_audio (Branch              *b,
             const CbSceneSource *s)
{
  g_autoptr(GstElement) volume = NULL;
  g_autoptr(GstElement) valve = NULL;

  if (b->bin == NULL)
    return;
  volume = gst_bin_get_by_name (GST_BIN (b->bin), "volume");
  if (volume != NULL)
    g_object_set (volume, "volume", s->volume, "mute", s->muted, NULL);
  if (b->monitor != NULL)
    {
      valve = gst_bin_get_by_name (GST_BIN (b->monitor), "valve");
      g_object_set (valve, "drop", !s->monitor, NULL);
    }
}

/* Headphones: a branch off the source's tee to the sound output (cb_media_make_audio_output(),
 * the default device), made the first time monitoring is asked for (most sources are never
 * monitored). */
static void
ensure_monitor (CbProgram           *self,
                Branch              *b,
                const CbSceneSource *s)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *monitor, *out;

  if (!s->monitor || b->monitor != NULL || b->bin == NULL)
    return;
  monitor = cb_media_parse_bin ("queue name=first max-size-time=200000000 leaky=downstream ! "
                                "valve name=valve ! audioconvert ! audioresample name=last",
                                FALSE, &error);
  if (monitor == NULL)
    {
      cb_program_set_problem (self, b, error);
      return;
    }
  /* Open the output first, on its own: with no sound device a sink that fails inside the
   * running program stalls it. */
  out = cb_media_make_audio_output (self->settings != NULL
                                    ? cb_settings_get_string (self->settings, "audio_output_device")
                                    : NULL, &error);
  if (out == NULL)
    {
      GST_INFO ("source %u: no headphones: %s", b->id, error->message);
      gst_object_unref (gst_object_ref_sink (monitor));
      cb_program_set_problem_literal (self, b, CB_SOURCE_ERROR_NO_HEADPHONES,
                                      "Cannot play it in the headphones: no output device");
      return;
    }
  {
    g_autoptr(GstElement) first = gst_bin_get_by_name (GST_BIN (monitor), "first");
    g_autoptr(GstElement) last = gst_bin_get_by_name (GST_BIN (monitor), "last");
    g_autoptr(GstPad) first_sink = gst_element_get_static_pad (first, "sink");

    gst_bin_add (GST_BIN (monitor), out);
    gst_element_link (last, out);
    gst_element_add_pad (monitor, gst_ghost_pad_new ("sink", first_sink));
  }
  gst_object_set_name (GST_OBJECT (monitor), "monitor");
  /* A sink added to a running pipeline prerolls on its own: without this its state
   * change would take the whole program back to PAUSED, meters and stream with it. */
  g_object_set (monitor, "async-handling", TRUE, NULL);
  tee = gst_bin_get_by_name (GST_BIN (b->bin), "tee");
  /* Beside the tee: a media file's is a bin further down. */
  {
    g_autoptr(GstObject) parent = gst_object_get_parent (GST_OBJECT (tee));

    gst_bin_add (GST_BIN (parent), monitor);
  }
  b->monitor = gst_object_ref (monitor);
  tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  sink_pad = gst_element_get_static_pad (monitor, "sink");
  gst_pad_link (tee_pad, sink_pad);
  gst_element_sync_state_with_parent (monitor);
}

/* pipewiresrc waits in its change to PAUSED until PipeWire links its stream (by a
 * session manager; up to its timeout, or for ever): a portal's bin changes state on a
 * thread of GStreamer's, never on the one that runs the window. */
static void
portal_bin_sync_state (GstElement *bin,
                       gpointer    data)
{
  /* Taken out meanwhile: it stays stopped. */
  if (!gst_element_is_locked_state (bin))
    gst_element_sync_state_with_parent (bin);
}

static void
portal_bin_stop (GstElement *bin,
                 gpointer    data)
{
  gst_element_set_state (bin, GST_STATE_NULL);
}

/* Takes a branch out of the running pipeline: its mixer pad first, so that nothing
 * waits on it, then its elements. */
static void
branch_detach (CbProgram *self,
               Branch    *b)
{
  g_autoptr(GstElement) bin = g_steal_pointer (&b->bin);
  GstPad *pads[] = { g_steal_pointer (&b->mixer_pad), g_steal_pointer (&b->sound_pad) };

  gst_clear_object (&b->monitor);
  if (b->overlays != NULL)
    {
      cb_program_overlays_remove (b->overlays, b->id);
      g_clear_pointer (&b->overlays, cb_program_overlays_unref);
    }
  if (b->xid != 0 && self->windows != NULL)
    cb_x11_watch_remove (self->windows, b->xid);
  b->xid = 0;
  /* A portal's question goes unanswered, and its capture ends with the source's. */
  if (b->asking != NULL)
    g_cancellable_cancel (b->asking);
  g_clear_object (&b->asking);
  g_clear_pointer (&b->screencast, cb_screencast_free);
  for (guint i = 0; i < G_N_ELEMENTS (pads); i++)
    {
      g_autoptr(GstPad) pad = pads[i];
      g_autoptr(GstElement) mixer = pad != NULL ? gst_pad_get_parent_element (pad) : NULL;
      g_autoptr(GstPad) peer = pad != NULL ? gst_pad_get_peer (pad) : NULL;

      if (peer != NULL)
        gst_pad_unlink (peer, pad);
      if (mixer != NULL)
        gst_element_release_request_pad (mixer, pad);
    }
  if (bin == NULL)
    return;
  GST_DEBUG_OBJECT (bin, "source %u: taken out", b->id);
  gst_element_set_locked_state (bin, TRUE);
  if (g_object_get_data (G_OBJECT (bin), "cb-portal") != NULL)
    {
      /* It may still be waiting to be linked, holding its state lock: out of the
       * pipeline now (its name is free for the next), stopped on another thread. */
      gst_bin_remove (GST_BIN (self->bin), bin);
      gst_element_call_async (bin, portal_bin_stop, NULL, NULL);
      return;
    }
  gst_element_set_state (bin, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (self->bin), bin);
}

/* Portal captures first, whenever the whole pipeline stops: one still waiting to be
 * linked holds its state lock, and would hold the pipeline's change to NULL (and the
 * thread that asked for it: the window's, when the studio quits) for pipewiresrc's 30 s. */
static void
detach_portal_branches (CbProgram *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->branches == NULL)
    return;
  g_hash_table_iter_init (&iter, self->branches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Branch *b = value;

      if (b->bin != NULL && g_object_get_data (G_OBJECT (b->bin), "cb-portal") != NULL)
        branch_detach (self, b);
    }
}

static GstClockTime
running_time (CbProgram *self)
{
  g_autoptr(GstClock) clock = gst_element_get_clock (self->bin);

  if (clock == NULL)
    return 0;
  return gst_clock_get_time (clock) - gst_element_get_base_time (self->bin);
}

static void branch_attach (CbProgram           *self,
                           const CbSceneSource *s,
                           GstElement          *mixer,
                           guint                zorder);
static gboolean locate (CbProgram *self,
                        guint      id,
                        guint     *scene_index,
                        guint     *index);

void
cb_program_on_window_closed (guint64  xid,
                  gpointer data)
{
  CbProgram *self = data;
  g_autoptr(GError) closed = g_error_new_literal (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_WINDOW_CLOSED,
                                                  "The window was closed");
  g_autoptr(GList) branches = g_hash_table_get_values (self->branches);

  /* A list of its own: what the "problem-changed" handlers do cannot upset it. */
  for (GList *l = branches; l != NULL; l = l->next)
    {
      Branch *b = l->data;

      if (b->xid != xid)
        continue;
      GST_INFO ("source %u: its window 0x%" G_GINT64_MODIFIER "x closed", b->id, xid);
      b->xid = 0;
      /* The rest of the scene goes on; the stream keeps its picture size. */
      branch_detach (self, b);
      cb_program_set_problem (self, b, closed);
    }
}

typedef struct {
  GWeakRef      program;
  guint         id;
  GCancellable *asking;
} PortalAnswer;

/* How many times a source is made again when its negotiation fails, and how long after
 * the last time that count starts again. */
#define SOURCE_RETRIES 3
#define RETRY_FORGOTTEN_US (30 * G_USEC_PER_SEC)

/* Whether a source's error says that it could not agree on a format with what follows:
 * an element's own (pipewiresrc) or a stream's end for that reason (basesrc's
 * "not-negotiated", in the message's details). */
static gboolean
negotiation_failed (GstMessage   *message,
                    const GError *error)
{
  const GstStructure *details = NULL;
  int flow;

  if (g_error_matches (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT))
    return TRUE;
  gst_message_parse_error_details (message, &details);
  return details != NULL && gst_structure_get_int (details, "flow-return", &flow) &&
         flow == GST_FLOW_NOT_NEGOTIATED;
}

typedef struct {
  GWeakRef program;
  guint    id;
} PortalWatch;

static void
portal_watch_free (gpointer data)
{
  PortalWatch *watch = data;

  g_weak_ref_clear (&watch->program);
  g_free (watch);
}

/* The portal ended what it shared (the user stopped sharing, the window or the stream's
 * producer went away): the source says so and the rest of the scene goes on. */
static void
on_portal_closed (CbScreencast *cast,
                  gpointer      data)
{
  PortalWatch *watch = data;
  g_autoptr(CbProgram) self = g_weak_ref_get (&watch->program);
  g_autoptr(GError) ended = g_error_new_literal (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_ENDED,
                                                 "The desktop portal ended the screen capture");
  Branch *b = self != NULL ? g_hash_table_lookup (self->branches, GUINT_TO_POINTER (watch->id)) : NULL;

  if (b == NULL || b->screencast != cast)
    return;
  GST_INFO ("source %u: the portal closed its session", b->id);
  /* Frees @cast and @watch: nothing of them is used after. */
  branch_detach (self, b);
  cb_program_set_problem (self, b, ended);
}

static void
on_portal_answer (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  PortalAnswer *answer = data;
  g_autoptr(CbProgram) self = g_weak_ref_get (&answer->program);
  g_autoptr(GError) error = NULL;
  g_autoptr(CbScreencast) cast = cb_screencast_start_finish (result, &error);
  Branch *b = self != NULL ? g_hash_table_lookup (self->branches, GUINT_TO_POINTER (answer->id)) : NULL;
  CbSceneSource *s;
  guint si, index;

  /* Only the answer to the question still asked: a source removed, stopped or asked
   * again since drops it (and its session). */
  if (b == NULL || b->asking != answer->asking)
    goto out;
  g_clear_object (&b->asking);
  s = cb_scene_collection_find_source (self->collection, answer->id);
  if (cast == NULL || s == NULL)
    {
      GST_INFO ("source %u: the portal said no: %s", answer->id, error != NULL ? error->message : "");
      if (error != NULL)
        cb_program_set_problem (self, b, error);
      goto out;
    }
  /* The token for next time: with it the portal lets us capture without asking again. */
  if (cb_screencast_get_restore_token (cast) != NULL)
    {
      g_free (s->location);
      s->location = g_strdup (cb_screencast_get_restore_token (cast));
    }
  b->screencast = g_steal_pointer (&cast);
  b->retries = 0;
  {
    PortalWatch *watch = g_new0 (PortalWatch, 1);

    g_weak_ref_init (&watch->program, self);
    watch->id = answer->id;
    cb_screencast_watch_closed (b->screencast, on_portal_closed, watch, portal_watch_free);
  }
  if (locate (self, answer->id, &si, &index) && g_ptr_array_index (self->compositors, si) != NULL)
    branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);

out:
  g_weak_ref_clear (&answer->program);
  g_clear_object (&answer->asking);
  g_free (answer);
}

/* Asks the portal for a screen or a window; the source waits, saying so, and the answer
 * attaches it (on_portal_answer()). */
static void
ask_portal (CbProgram           *self,
            Branch              *b,
            const CbSceneSource *s)
{
  g_autoptr(GError) error = NULL;
  PortalAnswer *answer;

  /* No question the answer to which could not be used. */
  if (!cb_media_have_element ("pipewiresrc", &error))
    {
      cb_program_set_problem (self, b, error);
      return;
    }
  b->asking = g_cancellable_new ();
  answer = g_new0 (PortalAnswer, 1);
  g_weak_ref_init (&answer->program, self);
  answer->id = s->id;
  answer->asking = g_object_ref (b->asking);
  cb_screencast_start_async (s->location, s->cursor, b->asking, on_portal_answer, answer);
  error = g_error_new_literal (CB_CAPTURE_ERROR, CB_CAPTURE_ERROR_ASKING,
                               "Waiting for the permission to capture the screen");
  cb_program_set_problem (self, b, error);
}

/* Builds the source's bin and links it into @mixer; a failure is kept as its problem. */
static void
branch_attach (CbProgram           *self,
               const CbSceneSource *s,
               GstElement          *mixer,
               guint                zorder)
{
  Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));
  g_autoptr(GError) error = NULL;
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstPad) sink = NULL;
  g_autofree char *name = g_strdup_printf ("source-%u", s->id);
  gboolean audio = cb_scene_source_kind_is_audio (s->kind);
  Overlays *overlays = audio || !cb_program_is_layer_kind (s->kind) ? NULL : cb_program_overlays_of (mixer);
  GstElement *bin;

  if (b == NULL)
    {
      b = g_new0 (Branch, 1);
      b->id = s->id;
      g_hash_table_insert (self->branches, GUINT_TO_POINTER (s->id), b);
    }
  {
    /* What the portal allowed is used here, not ended by the detaching. */
    g_autoptr(CbScreencast) cast = g_steal_pointer (&b->screencast);

    branch_detach (self, b);
    if (cb_program_uses_portal (s) && cast == NULL)
      {
        ask_portal (self, b, s);
        return;
      }
    b->screencast = g_steal_pointer (&cast);
  }

  b->app_serial = 0;
  bin = audio ? cb_program_make_audio_bin (self, s, &b->app_serial, &error)
              : cb_program_with_crop (cb_program_make_video_bin (self, b, s, cb_program_compose_format (mixer), &error), &error);
  if (bin == NULL)
    {
      GST_INFO ("source %u (%s) left out: %s", s->id, cb_scene_source_kind_to_string (s->kind),
                error->message);
      cb_program_set_problem (self, b, error);
      return;
    }
  gst_object_set_name (GST_OBJECT (bin), name);
  /* A source with something that prerolls (an image's or a file's decodebin) changes
   * state asynchronously. Added to the running program, its bin must finish that change
   * itself: left to the program, it was seen to stop at PAUSED now and then (its async-done
   * came while nothing above was changing state), and the source stayed out of the picture. */
  if (GST_IS_BIN (bin))
    g_object_set (bin, "async-handling", TRUE, NULL);
  if (b->screencast != NULL)
    g_object_set_data (G_OBJECT (bin), "cb-portal", GINT_TO_POINTER (TRUE));
  gst_bin_add (GST_BIN (self->bin), bin);
  b->bin = gst_object_ref (bin);
  src = gst_element_get_static_pad (bin, "src");
  if (overlays != NULL)
    {
      /* A layer: its frames end in an appsink of its bin, paced by the clock, and are
       * drawn over the composed picture. */
      GstAppSinkCallbacks callbacks = { .new_sample = cb_program_on_layer_sample };
      GstElement *appsink = gst_element_factory_make_full ("appsink", "name", "layer",
                                                           "sync", TRUE, "async", FALSE,
                                                           "max-buffers", 1, "drop", TRUE,
                                                           NULL);
      GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (src));

      g_object_set_data (G_OBJECT (appsink), "cb-id", GUINT_TO_POINTER (s->id));
      gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks,
                                  g_atomic_rc_box_acquire (overlays), cb_program_overlays_unref);
      gst_bin_add (GST_BIN (bin), appsink);
      gst_element_remove_pad (bin, src);
      gst_object_unref (src);
      src = target;
      sink = gst_element_get_static_pad (appsink, "sink");
      b->overlays = g_atomic_rc_box_acquire (overlays);
    }
  else
    {
      b->mixer_pad = gst_element_request_pad_simple (mixer, "sink_%u");
      sink = gst_object_ref (b->mixer_pad);
    }
  /* A file starts its timestamps at zero: one added to a running program plays from now,
   * or the compositor drops every frame as late. */
  if (s->kind == CB_SCENE_SOURCE_MEDIA || s->kind == CB_SCENE_SOURCE_IMAGE)
    gst_pad_set_offset (src, running_time (self));
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK)
    {
      branch_detach (self, b);
      cb_program_set_problem_literal (self, b, CB_SOURCE_ERROR_NOT_LINKED, "Cannot link the source");
      return;
    }
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      g_autoptr(GstPad) sound = gst_element_get_static_pad (bin, "sound");

      /* A file without sound leaves its mixer pad silent; the mixer ignores it. */
      b->sound_pad = gst_element_request_pad_simple (self->mixer, "sink_%u");
      gst_pad_set_offset (sound, running_time (self));
      gst_pad_link (sound, b->sound_pad);
    }
  if (audio || s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      apply_audio (b, s);
      ensure_monitor (self, b, s);
      apply_audio (b, s);
    }
  if (!audio)
    apply_video_box (self, b, s, zorder);
  GST_DEBUG_OBJECT (bin, "source %u: linked to %" GST_PTR_FORMAT, s->id, sink);
  if (b->screencast != NULL)
    gst_element_call_async (bin, portal_bin_sync_state, NULL, NULL);
  else
    gst_element_sync_state_with_parent (bin);
  cb_program_set_problem (self, b, NULL);
}

/* ---- scenes ---------------------------------------------------------------- */

/* Scene @index goes on program: its compositor, linked to the selector, and its sources. */
static gboolean
scene_start (CbProgram  *self,
             guint       index,
             GError    **error)
{
  CbScene *scene = g_ptr_array_index (self->collection->scenes, index);
  gboolean opaque = cb_program_scene_is_opaque_below (scene);
  g_autofree char *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
                                           "framerate=%d/1,pixel-aspect-ratio=1/1," COLOR_FIELDS,
                                           opaque ? COMPOSE_OPAQUE : COMPOSE_ALPHA,
                                           self->width, self->height, self->fps);
  GstElement *compositor, *filter;
  g_autoptr(GstCaps) filter_caps = gst_caps_from_string (caps);
  g_autoptr(GstPad) filter_src = NULL;
  GstPad *selector_pad;

  if (g_ptr_array_index (self->compositors, index) != NULL)
    return TRUE;
  if (!cb_media_have_element ("compositor", error))
    return FALSE;
  /* force-live: a scene of still images and text still makes frames on time. */
  compositor = gst_element_factory_make_full ("compositor", "force-live", TRUE,
                                              "ignore-inactive-pads", TRUE,
                                              "background", 1 /* black */, NULL);
  if (opaque)
    {
      Overlays *overlays = cb_program_overlays_new ();
      g_autoptr(GstPad) composed = gst_element_get_static_pad (compositor, "src");

      gst_pad_add_probe (composed, GST_PAD_PROBE_TYPE_BUFFER, cb_program_draw_overlays,
                         g_atomic_rc_box_acquire (overlays), cb_program_overlays_unref);
      g_object_set_data_full (G_OBJECT (compositor), "cb-overlays", overlays, cb_program_overlays_unref);
    }
  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (filter, "caps", filter_caps, NULL);
  gst_bin_add_many (GST_BIN (self->bin), compositor, filter, NULL);
  gst_element_link (compositor, filter);
  selector_pad = gst_element_request_pad_simple (self->selector, "sink_%u");
  filter_src = gst_element_get_static_pad (filter, "src");
  gst_pad_link (filter_src, selector_pad);
  g_ptr_array_index (self->compositors, index) = gst_object_ref (compositor);
  g_ptr_array_index (self->selector_pads, index) = selector_pad;
  gst_element_sync_state_with_parent (filter);
  gst_element_sync_state_with_parent (compositor);
  for (guint i = 0; i < scene->sources->len; i++)
    branch_attach (self, g_ptr_array_index (scene->sources, i), compositor, i);
  return TRUE;
}

/* Scene @index goes idle: its sources stop and its compositor is taken out. Their
 * problems stay with them until the scene runs again. */
static void
scene_stop (CbProgram *self,
            guint      index)
{
  CbScene *scene = g_ptr_array_index (self->collection->scenes, index);
  g_autoptr(GstElement) compositor = g_steal_pointer (&g_ptr_array_index (self->compositors, index));
  g_autoptr(GstPad) selector_pad = g_steal_pointer (&g_ptr_array_index (self->selector_pads, index));
  g_autoptr(GstPad) filter_src = NULL;
  g_autoptr(GstElement) filter = NULL;

  if (compositor == NULL)
    return;
  for (guint i = 0; i < scene->sources->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i);
      Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

      if (b != NULL)
        branch_detach (self, b);
    }
  filter_src = gst_pad_get_peer (selector_pad);
  filter = filter_src != NULL ? gst_pad_get_parent_element (filter_src) : NULL;
  if (filter_src != NULL)
    gst_pad_unlink (filter_src, selector_pad);
  gst_element_release_request_pad (self->selector, selector_pad);
  for (GstElement *e = compositor; e != NULL; e = (e == compositor ? filter : NULL))
    {
      gst_element_set_locked_state (e, TRUE);
      gst_element_set_state (e, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->bin), e);
    }
}

/* After a source of running scene @index was added, moved or removed: a scene that must
 * now be composed the other way (a text went under a camera, or no longer is) is made
 * again, its sources with it. Returns whether it was. */
static gboolean
scene_recompose (CbProgram *self,
                 guint      index)
{
  GstElement *compositor = g_ptr_array_index (self->compositors, index);
  g_autoptr(GError) error = NULL;

  if (compositor == NULL ||
      (cb_program_overlays_of (compositor) != NULL) == cb_program_scene_is_opaque_below (g_ptr_array_index (self->collection->scenes, index)))
    return FALSE;
  scene_stop (self, index);
  if (!scene_start (self, index, &error))
    {
      g_warning ("Cannot compose the scene again: %s", error->message);
      return TRUE;
    }
  if (index == self->collection->active)
    {
      g_object_set (self->selector, "active-pad", g_ptr_array_index (self->selector_pads, index), NULL);
      cb_local_source_request_keyframe (self->capture);
    }
  return TRUE;
}

/* ---- bus --------------------------------------------------------------------- */

/* The id of the source bin @object is in, or 0. */
static guint
source_of (GstObject *object)
{
  for (GstObject *o = object; o != NULL; o = GST_OBJECT_PARENT (o))
    {
      const char *name = GST_OBJECT_NAME (o);

      if (name != NULL && g_str_has_prefix (name, "source-"))
        return (guint) g_ascii_strtoull (name + strlen ("source-"), NULL, 10);
    }
  return 0;
}

static gboolean
in_monitor (GstObject *object)
{
  for (GstObject *o = object; o != NULL; o = GST_OBJECT_PARENT (o))
    if (g_strcmp0 (GST_OBJECT_NAME (o), "monitor") == 0)
      return TRUE;
  return FALSE;
}

static double
max_of (const GValue *value)
{
  double max = -700;

  /* level posts GValueArrays (deprecated, but what the element gives). */
  if (value == NULL || !G_VALUE_HOLDS_BOXED (value) ||
      !g_str_equal (G_VALUE_TYPE_NAME (value), "GValueArray"))
    return max;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GValueArray *array = g_value_get_boxed (value);

    for (guint i = 0; array != NULL && i < array->n_values; i++)
      max = MAX (max, g_value_get_double (&array->values[i]));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return max;
}

/* ---- applications' sound ------------------------------------------------------ */

/* Seconds between two listings of what plays, while a source takes an application's sound. */
#define APP_WATCH_SECONDS 2

/* The stream an application's sound source captured is gone (the application stopped
 * playing, or quit): the strip says so until the watch sees it play again. */
static void
app_stream_ended (CbProgram *self,
                  Branch    *b)
{
  const CbSceneSource *s = cb_scene_collection_find_source (self->collection, b->id);
  g_autoptr(GError) silent = g_error_new (CB_SOURCE_ERROR, CB_SOURCE_ERROR_APP_SILENT,
                                          "%s plays no sound now", s != NULL ? s->location : "?");

  GST_INFO ("source %u: its application's stream %" G_GUINT64_FORMAT " ended", b->id, b->app_serial);
  b->app_serial = 0;
  cb_program_set_problem (self, b, silent);
}

static void
on_apps_listed (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  GWeakRef *ref = data;
  g_autoptr(CbProgram) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = cb_app_audio_list_finish (result, &error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->app_listing);
  if (apps == NULL)
    {
      /* No PipeWire: each such source already says so. */
      GST_DEBUG ("applications' sound not listed: %s", error->message);
      return;
    }

  /* By id: what a "problem-changed" handler does cannot upset the walk. */
  for (guint i = 0; i < self->collection->audio->len; i++)
    {
      const CbSceneSource *s = g_ptr_array_index (self->collection->audio, i);

      if (s->kind == CB_SCENE_SOURCE_APP_AUDIO)
        g_array_append_val (ids, s->id);
    }
  self->apps_now = apps;
  for (guint i = 0; i < ids->len; i++)
    {
      guint id = g_array_index (ids, guint, i);
      Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
      const CbSceneSource *s = cb_scene_collection_find_source (self->collection, id);

      if (b == NULL || s == NULL)
        continue;
      if (b->bin != NULL)
        {
          /* pipewiresrc says nothing when its target goes: the list does. Another
           * stream of the same application, if it has one, is taken right away. */
          if (b->app_serial == 0 || cb_app_audio_find (apps, NULL, b->app_serial) != NULL)
            continue;
          branch_detach (self, b);
          app_stream_ended (self, b);
        }
      if (b->problem != NULL &&
          g_error_matches (b->problem, CB_SOURCE_ERROR, CB_SOURCE_ERROR_APP_SILENT) &&
          cb_app_audio_find (apps, s->location, 0) != NULL)
        {
          guint index = 0;

          g_ptr_array_find (self->collection->audio, s, &index);
          GST_INFO ("source %u: %s plays again", id, s->location);
          branch_attach (self, s, self->mixer, index);
        }
    }
  self->apps_now = NULL;
}

static gboolean
on_app_watch (gpointer data)
{
  CbProgram *self = data;
  GWeakRef *ref;
  gboolean wanted = FALSE;

  for (guint i = 0; i < self->collection->audio->len && !wanted; i++)
    wanted = ((CbSceneSource *) g_ptr_array_index (self->collection->audio, i))->kind ==
             CB_SCENE_SOURCE_APP_AUDIO;
  if (!wanted || self->app_listing != NULL)
    return G_SOURCE_CONTINUE;
  self->app_listing = g_cancellable_new ();
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  cb_app_audio_list_async (self->app_listing, on_apps_listed, ref);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_capture_message (CbLocalSource *capture,
                    GstMessage    *message,
                    gpointer       data)
{
  CbProgram *self = data;
  guint id = source_of (GST_MESSAGE_SRC (message));
  Branch *b = id != 0 ? g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id)) : NULL;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
    {
      const GstStructure *st = gst_message_get_structure (message);

      if (st == NULL || !gst_structure_has_name (st, "level"))
        return FALSE;
      if (id == 0 && g_strcmp0 (GST_MESSAGE_SRC_NAME (message), "program-level") != 0)
        return FALSE;
      /* Still on the bus from a branch made again since (same name, same id): what it
       * measured before a change (a mute) would move the meter back. */
      if (id != 0 && (b == NULL || b->bin == NULL ||
                      !gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (b->bin))))
        return TRUE;
      g_signal_emit (self, signals[SIGNAL_LEVEL], 0, id,
                     max_of (gst_structure_get_value (st, "peak")),
                     max_of (gst_structure_get_value (st, "rms")));
      return TRUE;
    }

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && id != 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      GST_INFO ("source %u failed: %s (%s)", id, error->message, debug ? debug : "");
      /* From a branch already taken out (one made again has the same name). */
      if (b == NULL || b->bin == NULL ||
          !gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (b->bin)))
        {
          GST_DEBUG ("source %u: from a branch taken out since", id);
          return TRUE;
        }
      if (in_monitor (GST_MESSAGE_SRC (message)) && b->monitor != NULL)
        {
          /* No output device: the source goes on, unheard. */
          g_autoptr(GstElement) valve = gst_bin_get_by_name (GST_BIN (b->monitor), "valve");
          g_object_set (valve, "drop", TRUE, NULL);
          cb_program_set_problem_literal (self, b, CB_SOURCE_ERROR_NO_HEADPHONES,
                                      "Cannot play it in the headphones: no output device");
          return TRUE;
        }
      /* A source negotiates as it starts, on its own thread: a change of its box at that
       * moment (a new size for its "size" capsfilter) can leave it nothing in common with
       * what follows: pipewiresrc about once in twenty starts, a test pattern resized
       * just after it was added. Made again, a few times in a row. */
      if (g_get_monotonic_time () - b->last_retry > RETRY_FORGOTTEN_US)
        b->retries = 0;
      if (b->retries < SOURCE_RETRIES && negotiation_failed (message, error))
        {
          const CbSceneSource *s = cb_scene_collection_find_source (self->collection, id);
          guint si, index;

          /* Video sources only: an audio source's format is the mixer's, never resized. */
          if (s != NULL && locate (self, id, &si, &index) &&
              g_ptr_array_index (self->compositors, si) != NULL)
            {
              b->retries++;
              b->last_retry = g_get_monotonic_time ();
              GST_INFO ("source %u: made again after %s (%u)", id, error->message, b->retries);
              branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);
              return TRUE;
            }
        }
      if (b->bin != NULL && GST_OBJECT_PARENT (b->bin) != NULL)
        {
          branch_detach (self, b);
          if (b->app_serial != 0)
            app_stream_ended (self, b);
          else
            cb_program_set_problem (self, b, error);
        }
      return TRUE;
    }
  return FALSE;
}

/* ---- public ------------------------------------------------------------------ */

CbProgram *
cb_program_new (const CbSceneCollection *collection,
                CbSettings              *settings,
                GError                 **error)
{
  g_autoptr(CbProgram) self = g_object_new (CB_TYPE_PROGRAM, NULL);
  g_autofree char *audio_caps = NULL;
  g_autoptr(GstPad) selector_src = NULL;
  g_autoptr(GstPad) audio_src = NULL;
  GstElement *audio_tail, *audio_filter;

  g_return_val_if_fail (collection != NULL && collection->scenes->len > 0, NULL);

  if (settings != NULL)
    {
      self->width = CLAMP (cb_settings_get_int (settings, "capture_width"), 16, 7680) & ~1;
      self->height = CLAMP (cb_settings_get_int (settings, "capture_height"), 16, 4320) & ~1;
      self->fps = CLAMP (cb_settings_get_int (settings, "capture_fps"), 1, 120);
      self->rate = cb_settings_get_int (settings, "audio_sample_rate") == 44100 ? 44100 : 48000;
      self->settings = g_object_ref (settings);
    }
  for (const char * const *e = (const char * const[]) { "input-selector", "audiomixer", "level",
                                                         "volume", NULL }; *e != NULL; e++)
    if (!cb_media_have_element (*e, error))
      return NULL;

  self->collection = cb_scene_collection_copy (collection);
  self->collection->active = MIN (self->collection->active, self->collection->scenes->len - 1);
  self->bin = gst_object_ref_sink (gst_bin_new ("program"));
  self->selector = gst_object_ref (gst_element_factory_make ("input-selector", "scenes"));
  gst_bin_add (GST_BIN (self->bin), self->selector);
  selector_src = gst_element_get_static_pad (self->selector, "src");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("video", selector_src));

  /* The mixer sits right in the program bin: sources link to its pads across no other
   * bin. force-live: silence when no source plays, so the stream always has its track.
   * latency: how late a live source's buffer may be and still be mixed; at 0, a source
   * thread a few milliseconds late on a busy machine left 50 ms gaps of silence in the
   * mix (seen several times a minute on the program meter while its sources sounded). */
  audio_caps = g_strdup_printf ("audio/x-raw,format=S16LE,layout=interleaved,rate=%d,channels=2",
                                self->rate);
  self->mixer = gst_object_ref (gst_element_factory_make_full ("audiomixer", "force-live", TRUE,
                                                               "ignore-inactive-pads", TRUE,
                                                               "latency", (guint64) 100 * GST_MSECOND,
                                                               NULL));
  audio_filter = gst_element_factory_make ("capsfilter", NULL);
  {
    g_autoptr(GstCaps) caps = gst_caps_from_string (audio_caps);
    g_object_set (audio_filter, "caps", caps, NULL);
  }
  audio_tail = gst_element_factory_make ("level", "program-level");
  g_object_set (audio_tail, "interval", (guint64) 50 * GST_MSECOND, NULL);
  gst_bin_add_many (GST_BIN (self->bin), self->mixer, audio_filter, audio_tail, NULL);
  gst_element_link_many (self->mixer, audio_filter, audio_tail, NULL);
  audio_src = gst_element_get_static_pad (audio_tail, "src");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("audio", audio_src));

  g_ptr_array_set_size (self->compositors, self->collection->scenes->len);
  g_ptr_array_set_size (self->selector_pads, self->collection->scenes->len);
  if (!scene_start (self, self->collection->active, error))
    return NULL;
  g_object_set (self->selector, "active-pad",
                g_ptr_array_index (self->selector_pads, self->collection->active), NULL);
  for (guint i = 0; i < self->collection->audio->len; i++)
    branch_attach (self, g_ptr_array_index (self->collection->audio, i), self->mixer, i);

  self->capture = cb_local_source_new_for_bin ("scene", self->bin, settings, error);
  if (self->capture == NULL)
    return NULL;
  g_signal_connect (self->capture, "message", G_CALLBACK (on_capture_message), self);
  /* Destroyed before self goes (dispose). */
  self->app_watch = g_timeout_source_new_seconds (APP_WATCH_SECONDS);
  g_source_set_callback (self->app_watch, on_app_watch, self, NULL);
  g_source_set_name (self->app_watch, "[castbridge] applications' sound");
  g_source_attach (self->app_watch, self->context);
  return g_steal_pointer (&self);
}

CbLocalSource *
cb_program_get_capture (CbProgram *self)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return self->capture;
}

gboolean
cb_program_start (CbProgram  *self,
                  GError    **error)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);
  return cb_local_source_start (self->capture, error);
}

void
cb_program_stop (CbProgram *self)
{
  g_return_if_fail (CB_IS_PROGRAM (self));
  detach_portal_branches (self);
  cb_local_source_stop (self->capture);
}

const CbSceneCollection *
cb_program_get_collection (CbProgram *self)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return self->collection;
}

int
cb_program_get_width (CbProgram *self)
{
  return self->width;
}

int
cb_program_get_height (CbProgram *self)
{
  return self->height;
}

void
cb_program_set_active_scene (CbProgram *self,
                             guint      index)
{
  g_autoptr(GError) error = NULL;
  guint previous;

  g_return_if_fail (CB_IS_PROGRAM (self));

  if (index >= self->collection->scenes->len || index == self->collection->active)
    return;
  if (!scene_start (self, index, &error))
    {
      g_warning ("Cannot switch scenes: %s", error->message);
      return;
    }
  previous = self->collection->active;
  self->collection->active = index;
  g_object_set (self->selector, "active-pad", g_ptr_array_index (self->selector_pads, index), NULL);
  /* Players and destinations see the new scene from a clean picture. */
  cb_local_source_request_keyframe (self->capture);
  scene_stop (self, previous);
}

gboolean
cb_program_scene_is_running (CbProgram *self,
                             guint      index)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);
  return index < self->compositors->len && g_ptr_array_index (self->compositors, index) != NULL;
}

guint
cb_program_add_scene (CbProgram  *self,
                      const char *name)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), 0);

  /* Idle until it is switched to. */
  g_ptr_array_add (self->collection->scenes, cb_scene_new (name));
  g_ptr_array_add (self->compositors, NULL);
  g_ptr_array_add (self->selector_pads, NULL);
  return self->collection->scenes->len - 1;
}

gboolean
cb_program_remove_scene (CbProgram *self,
                         guint      index)
{
  CbScene *scene;

  g_return_val_if_fail (CB_IS_PROGRAM (self), FALSE);

  if (index >= self->collection->scenes->len || self->collection->scenes->len == 1)
    return FALSE;
  if (self->collection->active == index)
    cb_program_set_active_scene (self, index == 0 ? 1 : index - 1);
  /* Not on program any more, so idle already: only its sources' records go. */
  scene_stop (self, index);
  scene = g_ptr_array_index (self->collection->scenes, index);
  for (guint i = 0; i < scene->sources->len; i++)
    g_hash_table_remove (self->branches,
                         GUINT_TO_POINTER (((CbSceneSource *) g_ptr_array_index (scene->sources, i))->id));
  g_ptr_array_remove_index (self->compositors, index);
  g_ptr_array_remove_index (self->selector_pads, index);
  g_ptr_array_remove_index (self->collection->scenes, index);
  if (self->collection->active > index)
    self->collection->active--;
  return TRUE;
}

CbSceneSource *
cb_program_new_source (CbProgram         *self,
                       CbSceneSourceKind  kind,
                       const char        *name,
                       const char        *location)
{
  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);
  return cb_scene_source_new (self->collection, kind, name, location);
}

void
cb_program_add_source (CbProgram     *self,
                       guint          scene_index,
                       CbSceneSource *source)
{
  g_return_if_fail (CB_IS_PROGRAM (self));
  g_return_if_fail (source != NULL);

  if (cb_scene_source_kind_is_audio (source->kind))
    {
      g_ptr_array_add (self->collection->audio, source);
      branch_attach (self, source, self->mixer, self->collection->audio->len - 1);
      return;
    }
  if (scene_index >= self->collection->scenes->len)
    {
      cb_scene_source_free (source);
      return;
    }
  {
    CbScene *scene = g_ptr_array_index (self->collection->scenes, scene_index);
    GstElement *compositor = g_ptr_array_index (self->compositors, scene_index);

    g_ptr_array_add (scene->sources, source);
    /* A source of an idle scene starts with its scene. */
    if (compositor != NULL && !scene_recompose (self, scene_index))
      branch_attach (self, source, compositor, scene->sources->len - 1);
  }
}

/* The scene holding @id and the source's index in it; FALSE for audio and unknown ids. */
static gboolean
locate (CbProgram *self,
        guint      id,
        guint     *scene_index,
        guint     *index)
{
  for (guint i = 0; i < self->collection->scenes->len; i++)
    {
      CbScene *scene = g_ptr_array_index (self->collection->scenes, i);

      for (guint j = 0; j < scene->sources->len; j++)
        if (((CbSceneSource *) g_ptr_array_index (scene->sources, j))->id == id)
          {
            *scene_index = i;
            *index = j;
            return TRUE;
          }
    }
  return FALSE;
}

void
cb_program_remove_source (CbProgram *self,
                          guint      id)
{
  Branch *b;
  guint si, index;

  g_return_if_fail (CB_IS_PROGRAM (self));

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  if (b != NULL)
    branch_detach (self, b);
  g_hash_table_remove (self->branches, GUINT_TO_POINTER (id));
  if (locate (self, id, &si, &index))
    {
      CbScene *scene = g_ptr_array_index (self->collection->scenes, si);

      g_ptr_array_remove_index (scene->sources, index);
      if (scene_recompose (self, si))
        return;
      for (guint j = index; j < scene->sources->len; j++)
        {
          CbSceneSource *s = g_ptr_array_index (scene->sources, j);
          Branch *other = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

          if (other != NULL)
            apply_video_box (self, other, s, j);
        }
      return;
    }
  for (guint i = 0; i < self->collection->audio->len; i++)
    if (((CbSceneSource *) g_ptr_array_index (self->collection->audio, i))->id == id)
      {
        g_ptr_array_remove_index (self->collection->audio, i);
        return;
      }
}

void
cb_program_update_source (CbProgram           *self,
                          const CbSceneSource *changed)
{
  CbSceneSource *s;
  Branch *b;
  guint si = 0, index = 0;
  gboolean rebuild;

  g_return_if_fail (CB_IS_PROGRAM (self));
  g_return_if_fail (changed != NULL);

  s = cb_scene_collection_find_source (self->collection, changed->id);
  if (s == NULL || s->kind != changed->kind)
    return;
  /* What a running source cannot change in place: what it reads, and a text's canvas. */
  /* A pattern changes in place; a file or a device is opened again. */
  rebuild = (g_strcmp0 (s->location, changed->location) != 0 && s->kind != CB_SCENE_SOURCE_PATTERN) ||
            (s->kind == CB_SCENE_SOURCE_TEXT &&
             (s->width != changed->width || s->height != changed->height)) ||
            g_strcmp0 (s->window_class, changed->window_class) != 0 ||
            /* The portal draws the pointer or not for the whole session. */
            (cb_program_uses_portal (s) && s->cursor != changed->cursor);
  g_free (s->name);
  s->name = g_strdup (changed->name);
  g_free (s->location);
  s->location = g_strdup (changed->location);
  g_free (s->text);
  s->text = g_strdup (changed->text);
  g_free (s->font);
  s->font = g_strdup (changed->font);
  s->color = changed->color;
  g_free (s->window_class);
  s->window_class = g_strdup (changed->window_class);
  s->cursor = changed->cursor;
  s->x = changed->x;
  s->y = changed->y;
  s->width = changed->width;
  s->height = changed->height;
  s->visible = changed->visible;
  s->loop = s->kind == CB_SCENE_SOURCE_MEDIA && changed->loop;
  s->crop_left = MIN (changed->crop_left, CB_SCENE_MAX_CROP);
  s->crop_top = MIN (changed->crop_top, CB_SCENE_MAX_CROP);
  s->crop_right = MIN (changed->crop_right, CB_SCENE_MAX_CROP);
  s->crop_bottom = MIN (changed->crop_bottom, CB_SCENE_MAX_CROP);
  s->volume = CLAMP (changed->volume, 0, 2);
  s->muted = changed->muted;
  s->monitor = changed->monitor;

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));
  if (cb_scene_source_kind_is_audio (s->kind))
    {
      if (b != NULL)
        {
          ensure_monitor (self, b, s);
          apply_audio (b, s);
          /* A sound that plays has no problem but its headphones': gone with them. */
          if (!s->monitor && b->bin != NULL)
            cb_program_set_problem (self, b, NULL);
        }
      return;
    }
  if (!locate (self, s->id, &si, &index))
    return;
  if (g_ptr_array_index (self->compositors, si) == NULL)
    return;    /* idle: taken as it is when its scene starts */
  if (rebuild || b == NULL || b->bin == NULL)
    {
      /* The portal's question stays up: the box applies once it is answered. */
      if (!rebuild && b != NULL && b->asking != NULL)
        return;
      branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);
      return;
    }
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      g_autoptr(GstElement) decodebin = gst_bin_get_by_name (GST_BIN (b->bin), "decode");

      if (!cb_program_looper_set (decodebin, s->loop))
        {
          branch_attach (self, s, g_ptr_array_index (self->compositors, si), index);
          return;
        }
    }
  apply_video_box (self, b, s, index);
  if (s->kind == CB_SCENE_SOURCE_MEDIA)
    {
      ensure_monitor (self, b, s);
      apply_audio (b, s);
    }
  if (s->kind == CB_SCENE_SOURCE_PATTERN)
    {
      g_autoptr(GstElement) src = gst_bin_get_by_name (GST_BIN (b->bin), "pattern");

      gst_util_set_object_arg (G_OBJECT (src), "pattern", cb_program_pattern_name (s));
    }
  /* A new size renegotiates the source's own scaling. */
  cb_program_apply_size (self, b->bin, s, cb_program_compose_format (g_ptr_array_index (self->compositors, si)));
  if (s->kind == CB_SCENE_SOURCE_TEXT)
    {
      g_autoptr(GstElement) text = gst_bin_get_by_name (GST_BIN (b->bin), "text");

      g_object_set (text, "text", s->text, "font-desc", s->font, "color", s->color, NULL);
    }
  if ((s->kind == CB_SCENE_SOURCE_SCREEN || s->kind == CB_SCENE_SOURCE_WINDOW) && !cb_program_uses_portal (s))
    {
      /* ximagesrc reads it for every frame, d3d11screencapturesrc too. */
      g_autoptr(GstElement) capture = gst_bin_get_by_name (GST_BIN (b->bin), "capture");
      GObjectClass *klass = capture != NULL ? G_OBJECT_GET_CLASS (capture) : NULL;

      if (klass != NULL && g_object_class_find_property (klass, "show-pointer"))
        g_object_set (capture, "show-pointer", s->cursor, NULL);
      else if (klass != NULL && g_object_class_find_property (klass, "show-cursor"))
        g_object_set (capture, "show-cursor", s->cursor, NULL);
    }
}

void
cb_program_move_source (CbProgram *self,
                        guint      id,
                        int        delta)
{
  guint si, index;
  CbScene *scene;
  int to;

  g_return_if_fail (CB_IS_PROGRAM (self));

  if (!locate (self, id, &si, &index))
    return;
  scene = g_ptr_array_index (self->collection->scenes, si);
  to = CLAMP ((int) index + delta, 0, (int) scene->sources->len - 1);
  if ((guint) to == index)
    return;
  {
    CbSceneSource *s = g_ptr_array_steal_index (scene->sources, index);
    g_ptr_array_insert (scene->sources, to, s);
  }
  if (scene_recompose (self, si))
    return;
  for (guint j = 0; j < scene->sources->len; j++)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, j);
      Branch *b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (s->id));

      if (b != NULL)
        apply_video_box (self, b, s, j);
    }
}

const char *
cb_program_get_problem (CbProgram *self,
                        guint      id)
{
  Branch *b;

  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  return b != NULL && b->problem != NULL ? b->problem->message : NULL;
}

const GError *
cb_program_get_problem_error (CbProgram *self,
                              guint      id)
{
  Branch *b;

  g_return_val_if_fail (CB_IS_PROGRAM (self), NULL);

  b = g_hash_table_lookup (self->branches, GUINT_TO_POINTER (id));
  return b != NULL ? b->problem : NULL;
}

GStrv
cb_program_list_encoders (void)
{
  static const char * const hardware[] = { "vah264enc", "vaapih264enc", "nvh264enc", "mfh264enc" };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, "x264");
  for (guint i = 0; i < G_N_ELEMENTS (hardware); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (hardware[i]);

      if (factory != NULL)
        g_strv_builder_add (builder, hardware[i]);
    }
  return g_strv_builder_end (builder);
}
