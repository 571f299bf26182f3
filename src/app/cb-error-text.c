/* cb-error-text.c — the one place that turns a GError into a sentence for people
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's errors are in English for the logs; what the studio shows is translated.
 * A known engine error gets its own sentence where the action gives it one; anything
 * else is "<action> failed: <the English reason>".
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-engine-error.h"
#include "cb-error-text.h"

static gboolean
about_destination (CbErrorAbout about)
{
  return about == CB_ERROR_ABOUT_DESTINATION_START || about == CB_ERROR_ABOUT_DESTINATION;
}

static gboolean
about_relay (CbErrorAbout about)
{
  return about == CB_ERROR_ABOUT_RELAY_PUSH || about == CB_ERROR_ABOUT_RELAY;
}

/* What a source (a device or a file) that cannot be had is told. */
static const char *
source_text (int code)
{
  switch (code)
    {
    case CB_ENGINE_ERROR_NO_DEVICE:
      return _("The camera or microphone is not available");
    case CB_ENGINE_ERROR_FILE_NOT_FOUND:
      return _("The media file was not found");
    case CB_ENGINE_ERROR_BAD_FORMAT:
    default:
      return _("The file cannot be played as video or audio");
    }
}

/* Why a screen or window source shows nothing. */
static char *
capture_text (const GError *error)
{
  switch ((CbCaptureError) error->code)
    {
    case CB_CAPTURE_ERROR_NOT_X11:
      return g_strdup (_("Window capture needs an X11 session; on Wayland add “Screen or "
                         "window (portal)”"));
    case CB_CAPTURE_ERROR_WINDOW_NOT_FOUND:
      return g_strdup (_("The window is not open"));
    case CB_CAPTURE_ERROR_WINDOW_CLOSED:
      return g_strdup (_("The window was closed"));
    case CB_CAPTURE_ERROR_ASKING:
      return g_strdup (_("Waiting for your permission to capture the screen…"));
    case CB_CAPTURE_ERROR_NO_PORTAL:
      return g_strdup (_("The desktop portal (xdg-desktop-portal) is not running"));
    case CB_CAPTURE_ERROR_REFUSED:
      return g_strdup (_("Screen capture was not allowed"));
    case CB_CAPTURE_ERROR_ENDED:
      return g_strdup (_("Screen sharing ended: the screen or window is no longer shared"));
    case CB_CAPTURE_ERROR_PORTAL_FAILED:
    default:
      /* TRANSLATORS: %s is the portal's reason, in English. */
      return g_strdup_printf (_("The desktop portal did not start the capture: %s"),
                              error->message);
    }
}

/* Why a source is not seen or heard as asked. */
static char *
source_problem_text (const GError *error)
{
  switch ((CbSourceError) error->code)
    {
    case CB_SOURCE_ERROR_NO_HEADPHONES:
      return g_strdup (_("Cannot play it in the headphones: no output device"));
    case CB_SOURCE_ERROR_CANNOT_LOOP:
      return g_strdup (_("This file cannot be played in a loop"));
    case CB_SOURCE_ERROR_APP_SILENT:
      return g_strdup (_("The application plays no sound now: its sound comes back here "
                         "when it plays again"));
    case CB_SOURCE_ERROR_NOT_LINKED:
    default:
      /* TRANSLATORS: %s is GStreamer's reason, in English. */
      return g_strdup_printf (_("The source cannot be shown: %s"), error->message);
    }
}

/* The sentence of a known engine error in this place, or NULL. */
static char *
engine_text (const GError *error,
             CbErrorAbout  about,
             const char   *name)
{
  if (error->domain != CB_ENGINE_ERROR)
    return NULL;
  switch ((CbEngineError) error->code)
    {
    case CB_ENGINE_ERROR_NOT_FOUND:
      if (about == CB_ERROR_ABOUT_DESTINATION_START)
        return g_strdup_printf (_("“%s” is not live: go live first, then switch the "
                                  "destination on"), name != NULL ? name : "");
      if (about == CB_ERROR_ABOUT_DESTINATION)
        return g_strdup (_("The push has already ended"));
      if (about == CB_ERROR_ABOUT_RELAY_PUSH)
        return g_strdup_printf (_("There is no stream “%s” to relay"), name != NULL ? name : "");
      if (about == CB_ERROR_ABOUT_RELAY)
        return g_strdup (_("The relay has already ended"));
      if (about == CB_ERROR_ABOUT_STREAM || about == CB_ERROR_ABOUT_RECORDING_START)
        return g_strdup (_("The stream is gone"));
      return NULL;
    case CB_ENGINE_ERROR_EXISTS:
      if (about == CB_ERROR_ABOUT_STREAM)
        return g_strdup_printf (_("A stream named “%s” is already live"),
                                name != NULL ? name : "");
      if (about_destination (about))
        return g_strdup (_("This stream already goes to this destination"));
      if (about_relay (about))
        return g_strdup (_("This address is already relayed, or the name is in use"));
      if (about == CB_ERROR_ABOUT_RECORDING_DELETE)
        return g_strdup (_("The recording is still being written"));
      return NULL;
    case CB_ENGINE_ERROR_INVALID:
      if (about == CB_ERROR_ABOUT_STREAM)
        return name != NULL ? g_strdup_printf (_("“%s” cannot be used as a stream name"), name)
                            : g_strdup (_("The source cannot be used"));
      if (about_destination (about))
        return g_strdup_printf (_("The destination’s address cannot be used: %s"),
                                error->message);
      if (about_relay (about))
        return g_strdup_printf (_("This address or name cannot be used: %s"), error->message);
      return NULL;
    case CB_ENGINE_ERROR_NO_DEVICE:
      if (about == CB_ERROR_ABOUT_CAMERA && name != NULL && *name != '\0')
        /* TRANSLATORS: %s is the device the source was set to. */
        return g_strdup_printf (_("No camera “%s” on this machine"), name);
      if (about == CB_ERROR_ABOUT_CAMERA)
        return g_strdup (_("No camera on this machine"));
      if (about == CB_ERROR_ABOUT_MICROPHONE && name != NULL && *name != '\0')
        /* TRANSLATORS: %s is the device the source was set to. */
        return g_strdup_printf (_("No microphone “%s” on this machine"), name);
      if (about == CB_ERROR_ABOUT_MICROPHONE)
        return g_strdup (_("No microphone on this machine"));
      if (about == CB_ERROR_ABOUT_DESKTOP_AUDIO)
        return g_strdup (_("No desktop audio: the sound server shows no monitor of an output"));
      if (about == CB_ERROR_ABOUT_APP_AUDIO)
        return g_strdup (_("An application’s sound needs PipeWire, which does not run here"));
      return about == CB_ERROR_ABOUT_STREAM ? g_strdup (source_text (error->code)) : NULL;
    case CB_ENGINE_ERROR_FILE_NOT_FOUND:
    case CB_ENGINE_ERROR_BAD_FORMAT:
      return about == CB_ERROR_ABOUT_STREAM || about == CB_ERROR_ABOUT_SOURCE
             ? g_strdup (source_text (error->code)) : NULL;
    case CB_ENGINE_ERROR_MISSING_PLUGIN:
      return g_strdup_printf (_("A GStreamer plugin is missing: %s"), error->message);
    case CB_ENGINE_ERROR_FAILED:
    default:
      return NULL;
    }
}

CbErrorAbout
cb_error_about_source (CbSceneSourceKind kind)
{
  switch (kind)
    {
    case CB_SCENE_SOURCE_CAMERA:  return CB_ERROR_ABOUT_CAMERA;
    case CB_SCENE_SOURCE_MIC:     return CB_ERROR_ABOUT_MICROPHONE;
    case CB_SCENE_SOURCE_DESKTOP: return CB_ERROR_ABOUT_DESKTOP_AUDIO;
    case CB_SCENE_SOURCE_APP_AUDIO: return CB_ERROR_ABOUT_APP_AUDIO;
    default:                      return CB_ERROR_ABOUT_SOURCE;
    }
}

/**
 * cb_error_text:
 * @error: what failed, with the English reason in its message
 * @about: what people were doing
 * @name: (nullable): the stream the sentence names, where @about names one
 *
 * Returns: (transfer full): the translated sentence to show
 */
char *
cb_error_text (const GError *error,
               CbErrorAbout  about,
               const char   *name)
{
  char *text;

  if (error->domain == CB_CAPTURE_ERROR)
    return capture_text (error);
  if (error->domain == CB_SOURCE_ERROR)
    return source_problem_text (error);
  text = engine_text (error, about, name);
  if (text != NULL)
    return text;
  switch (about)
    {
    case CB_ERROR_ABOUT_SOURCE:
    case CB_ERROR_ABOUT_CAMERA:
    case CB_ERROR_ABOUT_MICROPHONE:
    case CB_ERROR_ABOUT_DESKTOP_AUDIO:
    case CB_ERROR_ABOUT_APP_AUDIO:
      /* The engine's reason, in English as in the logs, as sources have always said. */
      return g_strdup (error->message);
    case CB_ERROR_ABOUT_PLAYER:
      /* The reason is the client's or GStreamer's, in English as in the logs. */
      return g_strdup (error->message);
    case CB_ERROR_ABOUT_DESTINATION_START:
    case CB_ERROR_ABOUT_DESTINATION:
      return g_strdup_printf (_("The destination could not be changed: %s"), error->message);
    case CB_ERROR_ABOUT_RELAY_PUSH:
    case CB_ERROR_ABOUT_RELAY:
      return g_strdup_printf (_("The relay could not be changed: %s"), error->message);
    case CB_ERROR_ABOUT_RECORDING_START:
      /* TRANSLATORS: %s is the engine's reason, in English. */
      return g_strdup_printf (_("Recording could not start: %s"), error->message);
    case CB_ERROR_ABOUT_RECORDING_STOP:
      return g_strdup_printf (_("Recording could not be stopped: %s"), error->message);
    case CB_ERROR_ABOUT_RECORDING_PUBLISH:
      /* TRANSLATORS: %s is the server's reason, in English. */
      return g_strdup_printf (_("The recording could not be published: %s"), error->message);
    case CB_ERROR_ABOUT_RECORDING_DELETE:
      return g_strdup_printf (_("The recording could not be deleted: %s"), error->message);
    case CB_ERROR_ABOUT_STREAM:
    default:
      return g_strdup_printf (_("Something went wrong: %s"), error->message);
    }
}
