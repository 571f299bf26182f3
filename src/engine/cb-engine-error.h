/* cb-engine-error.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_ENGINE_ERROR (cb_engine_error_quark ())

/**
 * CbEngineError:
 * @CB_ENGINE_ERROR_INVALID: an argument is malformed or out of range (HTTP 400)
 * @CB_ENGINE_ERROR_NOT_FOUND: no stream, agent or object by that id or name (HTTP 404)
 * @CB_ENGINE_ERROR_EXISTS: the name is already in use (HTTP 409)
 * @CB_ENGINE_ERROR_NO_DEVICE: the camera or microphone asked for is not there (HTTP 404)
 * @CB_ENGINE_ERROR_FILE_NOT_FOUND: a media file is missing (HTTP 404)
 * @CB_ENGINE_ERROR_BAD_FORMAT: a media file cannot be read as media (HTTP 400)
 * @CB_ENGINE_ERROR_MISSING_PLUGIN: a GStreamer element we need is not installed (HTTP 500)
 * @CB_ENGINE_ERROR_FAILED: anything else (HTTP 500)
 *
 * Errors of the engine. The server maps them to HTTP statuses and to the WCS `info`
 * strings in one table (src/server/cb-error-map.c).
 */
typedef enum {
  CB_ENGINE_ERROR_INVALID,
  CB_ENGINE_ERROR_NOT_FOUND,
  CB_ENGINE_ERROR_EXISTS,
  CB_ENGINE_ERROR_NO_DEVICE,
  CB_ENGINE_ERROR_FILE_NOT_FOUND,
  CB_ENGINE_ERROR_BAD_FORMAT,
  CB_ENGINE_ERROR_MISSING_PLUGIN,
  CB_ENGINE_ERROR_FAILED,
} CbEngineError;

GQuark cb_engine_error_quark (void);

#define CB_CAPTURE_ERROR (cb_capture_error_quark ())

/**
 * CbCaptureError:
 * @CB_CAPTURE_ERROR_NOT_X11: window capture needs an X11 session
 * @CB_CAPTURE_ERROR_WINDOW_NOT_FOUND: no window with the saved title or class
 * @CB_CAPTURE_ERROR_WINDOW_CLOSED: the captured window was closed
 * @CB_CAPTURE_ERROR_ASKING: the desktop portal is asking for permission (not a failure)
 * @CB_CAPTURE_ERROR_NO_PORTAL: no desktop portal with ScreenCast on the session bus
 * @CB_CAPTURE_ERROR_REFUSED: the user did not allow the capture (portal response 1)
 * @CB_CAPTURE_ERROR_PORTAL_FAILED: the portal ended the request (response 2) or
 *   answered something we cannot use
 * @CB_CAPTURE_ERROR_ENDED: the portal closed a capture it had started (sharing stopped,
 *   or what was shared went away)
 *
 * Why a screen or window source shows nothing. They stay on the source (the GUI says
 * them in the user's language, cb_error_text()); they never reach REST.
 */
typedef enum {
  CB_CAPTURE_ERROR_NOT_X11,
  CB_CAPTURE_ERROR_WINDOW_NOT_FOUND,
  CB_CAPTURE_ERROR_WINDOW_CLOSED,
  CB_CAPTURE_ERROR_ASKING,
  CB_CAPTURE_ERROR_NO_PORTAL,
  CB_CAPTURE_ERROR_REFUSED,
  CB_CAPTURE_ERROR_PORTAL_FAILED,
  CB_CAPTURE_ERROR_ENDED,
} CbCaptureError;

GQuark cb_capture_error_quark (void);

#define CB_SOURCE_ERROR (cb_source_error_quark ())

/**
 * CbSourceError:
 * @CB_SOURCE_ERROR_NO_HEADPHONES: the monitor toggle found no output device (the source
 *   goes on in the mix, unheard)
 * @CB_SOURCE_ERROR_CANNOT_LOOP: a media file asked to loop cannot seek
 * @CB_SOURCE_ERROR_NOT_LINKED: the source's element did not link into the scene
 * @CB_SOURCE_ERROR_APP_SILENT: the application whose sound a source captures plays none
 *   now (it is not running, or not playing)
 *
 * Why a scene's source is not seen or heard as asked (other than a capture's reasons,
 * CbCaptureError). Like those they stay on the source and never reach REST.
 */
typedef enum {
  CB_SOURCE_ERROR_NO_HEADPHONES,
  CB_SOURCE_ERROR_CANNOT_LOOP,
  CB_SOURCE_ERROR_NOT_LINKED,
  CB_SOURCE_ERROR_APP_SILENT,
} CbSourceError;

GQuark cb_source_error_quark (void);

G_END_DECLS
