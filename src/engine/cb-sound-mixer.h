/* cb-sound-mixer.h — insert a WAV file into a stream's AAC audio
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define CB_TYPE_SOUND_MIXER (cb_sound_mixer_get_type ())
G_DECLARE_FINAL_TYPE (CbSoundMixer, cb_sound_mixer, CB, SOUND_MIXER, GObject)

/* Called from a streaming thread with each mixed AAC frame (raw AAC, same timeline). */
typedef void (*CbSoundMixerOutput) (GstBuffer *aac, gpointer data);

gboolean      cb_sound_check_wav        (const char          *path,
                                         GError             **error);
CbSoundMixer *cb_sound_mixer_new        (const char          *wav_path,
                                         gboolean             loop,
                                         gboolean             replace,
                                         CbSoundMixerOutput   output,
                                         gpointer             data,
                                         GError             **error);
void          cb_sound_mixer_set_caps   (CbSoundMixer        *self,
                                         GstCaps             *aac_caps);
void          cb_sound_mixer_push       (CbSoundMixer        *self,
                                         GstBuffer           *aac);
void          cb_sound_mixer_stop       (CbSoundMixer        *self);

G_END_DECLS
