/* cb-mixer.h — the audio mixer pane, and the program meter for the header bar
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cb-level-meter.h"
#include "cb-scene-editor.h"

G_BEGIN_DECLS

#define CB_TYPE_MIXER (cb_mixer_get_type ())
G_DECLARE_FINAL_TYPE (CbMixer, cb_mixer, CB, MIXER, GtkBox)

GtkWidget    *cb_mixer_new               (CbSceneEditor *editor);
/* A meter of the program mix that follows @editor's program: small enough for a header
 * bar. */
GtkWidget    *cb_mixer_new_program_meter (CbSceneEditor *editor);
/* For tests: the strip parts of audio source @id (0: the program). */
CbLevelMeter *cb_mixer_get_meter         (CbMixer       *self,
                                          guint          id);
GtkToggleButton *cb_mixer_get_mute_button (CbMixer      *self,
                                           guint         id);
GtkToggleButton *cb_mixer_get_monitor_button (CbMixer   *self,
                                              guint      id);
/* The fader's value is in dB, -60 (silence) to +6. */
GtkRange     *cb_mixer_get_fader         (CbMixer       *self,
                                          guint          id);
guint         cb_mixer_add_source        (CbMixer          *self,
                                          CbSceneSourceKind kind);
/* The sound of the application called @name (a CbAppAudio's name). */
guint         cb_mixer_add_app_audio     (CbMixer          *self,
                                          const char       *name);
/* Lists the applications that play sound now (without waiting), then shows the dialog
 * of them; a click on one adds it. The _finish() gives that dialog. */
void          cb_mixer_pick_app_audio    (CbMixer             *self,
                                          GAsyncReadyCallback  callback,
                                          gpointer             data);
GtkWidget    *cb_mixer_pick_app_audio_finish (CbMixer       *self,
                                              GAsyncResult  *result,
                                              GError       **error);
/* The text under strip @id saying why it is silent, or NULL. */
const char   *cb_mixer_get_problem_text  (CbMixer          *self,
                                          guint             id);
/* Whether there is a microphone source and every one is muted. */
gboolean      cb_mixer_get_mics_muted    (CbMixer          *self);
/* Mutes or unmutes every microphone source (win.mute-mic): the program's source, its
 * strip's mute button, the scenes file. Returns how many microphone sources there are. */
guint         cb_mixer_set_mics_muted    (CbMixer          *self,
                                          gboolean          muted);

G_END_DECLS
