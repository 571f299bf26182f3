/* cb-error-map.c — the one table from GError (domain, code) to HTTP status and WCS `info`
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * REST answers and (later) the signaling's `info` strings both read this table, so that
 * a button, a REST call and a WebSocket message that fail the same way say the same.
 * A code that covers many objects (not found, already there) takes its `info` from the
 * error's own message, which names the object ("Transponder not found", "Relay not
 * found"): one text per status would tell a client that a missing relay is a stream.
 */
#include "cb-error-map.h"

#include "cb-engine-error.h"
#include "cb-rtmp-error.h"
#include "cb-server.h"
#include "cb-webrtc-peer.h"

typedef struct {
  GQuark    (*domain) (void);   /* quarks are not constants: keep their getter */
  int         code;
  guint       http_status;
  const char *wcs_info;         /* FROM_MESSAGE: the error's message is the info */
} CbErrorMapping;

#define FROM_MESSAGE ((const char *) 1)

static const CbErrorMapping error_map[] = {
  { cb_engine_error_quark, CB_ENGINE_ERROR_INVALID,        400, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_NOT_FOUND,      404, FROM_MESSAGE },
  { cb_engine_error_quark, CB_ENGINE_ERROR_EXISTS,         409, FROM_MESSAGE },
  { cb_engine_error_quark, CB_ENGINE_ERROR_NO_DEVICE,      404, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_FILE_NOT_FOUND, 404, "File not found" },
  { cb_engine_error_quark, CB_ENGINE_ERROR_BAD_FORMAT,     400, "File has wrong format" },
  { cb_engine_error_quark, CB_ENGINE_ERROR_MISSING_PLUGIN, 500, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_FAILED,         500, NULL },

  { cb_server_error_quark, CB_SERVER_ERROR_BAD_REQUEST,    400, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_TOO_LARGE,      400, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_UNAUTHORIZED,   401, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_FORBIDDEN,      403, "Restricted access" },
  { cb_server_error_quark, CB_SERVER_ERROR_NOT_FOUND,      404, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_LISTEN,         500, NULL },

  /* Bad bytes from a peer are the request's fault; a refusal by the other side is a
   * refusal here too. */
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_TRUNCATED,        400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_MALFORMED,        400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_UNSUPPORTED,      400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_TOO_LARGE,        400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_PROTOCOL,         400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_REJECTED,         403, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_FAILED,           500, NULL },

  /* An offer we cannot answer is the client's (WHIP/WHEP and WCS say 400); the rest is ours. */
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_BAD_SDP,        400, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_NO_CODECS,      400, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_ICE,            500, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_DTLS,           500, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_MISSING_PLUGIN, 500, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_FAILED,         500, NULL },
};

static const CbErrorMapping *
find_mapping (const GError *error)
{
  if (error == NULL)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (error_map); i++)
    {
      if (error->domain == error_map[i].domain () && error->code == error_map[i].code)
        return &error_map[i];
    }

  return NULL;
}

void
cb_error_map_lookup (const GError  *error,
                     guint         *http_status,
                     const char   **wcs_info)
{
  const CbErrorMapping *mapping = find_mapping (error);

  if (http_status != NULL)
    *http_status = mapping != NULL ? mapping->http_status : 500;
  if (wcs_info != NULL)
    *wcs_info = mapping == NULL ? NULL
                : mapping->wcs_info == FROM_MESSAGE ? error->message : mapping->wcs_info;
}

guint
cb_error_map_http_status (const GError *error)
{
  guint status;

  cb_error_map_lookup (error, &status, NULL);
  return status;
}

const char *
cb_error_map_wcs_info (const GError *error)
{
  const char *info;

  cb_error_map_lookup (error, NULL, &info);
  return info;
}

const char *
cb_error_map_info (const GError *error)
{
  const char *info = cb_error_map_wcs_info (error);

  if (info != NULL)
    return info;
  if (error != NULL && error->message != NULL)
    return error->message;
  return "Internal error";
}
