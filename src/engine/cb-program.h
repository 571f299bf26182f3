/* cb-program.h — the studio's program: scenes composed, audio mixed, encoded once
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-local-source.h"
#include "cb-scene.h"
#include "cb-settings.h"

G_BEGIN_DECLS

#define CB_TYPE_PROGRAM (cb_program_get_type ())
G_DECLARE_FINAL_TYPE (CbProgram, cb_program, CB, PROGRAM, GObject)

/**
 * cb_program_new:
 * @collection: the scenes (copied)
 * @settings: (nullable): output size, frame rate, encoder, audio_sample_rate
 *
 * One pipeline: a `compositor` for the scene on program at the output size and frame
 * rate (the other scenes are idle: no compositor, no running sources, until switched
 * to), an `input-selector` that passes the active scene, and one `audiomixer` of the audio
 * sources, each with its fader, mute and `level` meter. Its capture (a CbLocalSource)
 * encodes the selected picture and the mix once, whatever publishes it, so switching
 * scenes only changes the encoder's input. Sources that fail (no camera, no screen to
 * capture, a closed window, a refused portal, an unreadable file) are left out and say
 * why (cb_program_get_problem()). A window source finds its window by title and class
 * (cb-x11-windows.h); a portal source asks the desktop portal (cb-screencast-portal.h)
 * and keeps the restore token it gives in its location.
 *
 * Signals, on the context the program was made in:
 *   "level" (guint id, double peak_db, double rms_db): about 20 times a second per audio
 *     source, id 0 for the program mix
 *   "problem-changed" (guint id)
 */
CbProgram     *cb_program_new              (const CbSceneCollection *collection,
                                            CbSettings              *settings,
                                            GError                 **error);
CbLocalSource *cb_program_get_capture      (CbProgram               *self);
gboolean       cb_program_start            (CbProgram               *self,
                                            GError                 **error);
void           cb_program_stop             (CbProgram               *self);
const CbSceneCollection *cb_program_get_collection (CbProgram       *self);
int            cb_program_get_width        (CbProgram               *self);
int            cb_program_get_height       (CbProgram               *self);

/* Starts scene @index (its compositor and sources), passes it on, then stops the one
 * that was on program. */
void           cb_program_set_active_scene (CbProgram               *self,
                                            guint                    index);
/* Whether scene @index has its compositor and sources running. */
gboolean       cb_program_scene_is_running (CbProgram               *self,
                                            guint                    index);
/* Returns the new scene's index. */
guint          cb_program_add_scene        (CbProgram               *self,
                                            const char              *name);
/* The last scene is never removed. */
gboolean       cb_program_remove_scene     (CbProgram               *self,
                                            guint                    index);
/* Adds @source (taken) on top of scene @scene, or to the mixer for the audio kinds;
 * its id must come from this program's collection (cb_program_new_source()). */
void           cb_program_add_source       (CbProgram               *self,
                                            guint                    scene,
                                            CbSceneSource           *source);
CbSceneSource *cb_program_new_source       (CbProgram               *self,
                                            CbSceneSourceKind        kind,
                                            const char              *name,
                                            const char              *location);
void           cb_program_remove_source    (CbProgram               *self,
                                            guint                    id);
/* Applies a changed copy of a source (box, visibility, text, fader, mute, monitor). */
void           cb_program_update_source    (CbProgram               *self,
                                            const CbSceneSource     *source);
/* Moves a source @delta places up (towards the top) in its scene. */
void           cb_program_move_source      (CbProgram               *self,
                                            guint                    id,
                                            int                      delta);
/* Why a source shows nothing (or is silent), or NULL: in English, for logs. */
const char    *cb_program_get_problem      (CbProgram               *self,
                                            guint                    id);
/* The same as an error, for the GUI's sentence (cb_error_text()); a screen or window
 * source's is in CB_CAPTURE_ERROR (CB_CAPTURE_ERROR_ASKING while the portal asks). */
const GError  *cb_program_get_problem_error (CbProgram              *self,
                                             guint                   id);

/* Hardware H.264 encoders GStreamer has on this machine (factory names), x264 first. */
GStrv          cb_program_list_encoders    (void);

G_END_DECLS
