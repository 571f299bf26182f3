/* cb-error-text.h — the sentence people read for an error, by what they were doing
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cb-scene.h"

G_BEGIN_DECLS

/* What failed: the same engine error says different things in different places. */
typedef enum {
  CB_ERROR_ABOUT_STREAM,              /* going live, a source; @name: the stream or NULL */
  CB_ERROR_ABOUT_PLAYER,              /* the player window: the reason as it came */
  CB_ERROR_ABOUT_DESTINATION_START,   /* switching a destination on; @name: the stream */
  CB_ERROR_ABOUT_DESTINATION,         /* any other change of a destination */
  CB_ERROR_ABOUT_RELAY_PUSH,          /* relaying a stream out; @name: the local stream */
  CB_ERROR_ABOUT_RELAY,               /* any other change of a relay */
  CB_ERROR_ABOUT_RECORDING_START,
  CB_ERROR_ABOUT_RECORDING_STOP,
  CB_ERROR_ABOUT_RECORDING_PUBLISH,
  CB_ERROR_ABOUT_RECORDING_DELETE,
  CB_ERROR_ABOUT_SOURCE,              /* why a scene's source shows nothing */
  CB_ERROR_ABOUT_MICROPHONE,          /* why a microphone of the mixer is silent; @name: its
                                       * device, or NULL for the first one */
  CB_ERROR_ABOUT_DESKTOP_AUDIO,       /* why the desktop's sound in the mixer is silent */
  CB_ERROR_ABOUT_APP_AUDIO,           /* why an application's sound in the mixer is silent */
  CB_ERROR_ABOUT_CAMERA,              /* why a camera source shows nothing; @name: its
                                       * device, or NULL for the first one */
} CbErrorAbout;

/* Whose sentence a scene source's problem gets, by the source's kind. */
CbErrorAbout cb_error_about_source (CbSceneSourceKind kind);

char *cb_error_text (const GError *error,
                     CbErrorAbout  about,
                     const char   *name);

G_END_DECLS
