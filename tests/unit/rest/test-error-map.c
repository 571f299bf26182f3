/* test-error-map.c — GError (domain, code) → HTTP status and WCS info
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-error.h"
#include "cb-error-map.h"
#include "cb-rtmp-error.h"
#include "cb-server.h"
#include "cb-webrtc-peer.h"

typedef struct {
  GQuark    (*domain) (void);
  int         code;
  guint       http_status;
  const char *wcs_info;         /* MESSAGE: the error's own message */
} MapCase;

#define MESSAGE "message"

static const MapCase cases[] = {
  { cb_engine_error_quark, CB_ENGINE_ERROR_INVALID,        400, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_NOT_FOUND,      404, MESSAGE },
  { cb_engine_error_quark, CB_ENGINE_ERROR_EXISTS,         409, MESSAGE },
  { cb_engine_error_quark, CB_ENGINE_ERROR_NO_DEVICE,      404, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_FILE_NOT_FOUND, 404, "File not found" },
  { cb_engine_error_quark, CB_ENGINE_ERROR_BAD_FORMAT,     400, "File has wrong format" },
  { cb_engine_error_quark, CB_ENGINE_ERROR_MISSING_PLUGIN, 500, NULL },
  { cb_engine_error_quark, CB_ENGINE_ERROR_FAILED,         500, NULL },
  { cb_engine_error_quark, 1000,                           500, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_BAD_REQUEST,    400, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_TOO_LARGE,      400, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_UNAUTHORIZED,   401, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_FORBIDDEN,      403, "Restricted access" },
  { cb_server_error_quark, CB_SERVER_ERROR_NOT_FOUND,      404, NULL },
  { cb_server_error_quark, CB_SERVER_ERROR_LISTEN,         500, NULL },
  /* The same refusal has the same status from REST, WHIP/WHEP and the RTMP side. */
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_MALFORMED,        400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_UNSUPPORTED,      400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_PROTOCOL,         400, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_REJECTED,         403, NULL },
  { cb_rtmp_error_quark,   CB_RTMP_ERROR_FAILED,           500, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_BAD_SDP,        400, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_NO_CODECS,      400, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_DTLS,           500, NULL },
  { cb_webrtc_error_quark, CB_WEBRTC_ERROR_FAILED,         500, NULL },
  { g_io_error_quark,      G_IO_ERROR_NOT_FOUND,           500, NULL },
  { g_file_error_quark,    G_FILE_ERROR_NOENT,             500, NULL },
};

static void
test_error_map_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const MapCase *c = &cases[i];
      g_autoptr(GError) error = g_error_new (c->domain (), c->code, "message %" G_GSIZE_FORMAT, i);
      g_autofree char *message = g_strdup_printf ("message %" G_GSIZE_FORMAT, i);
      guint status = 0;
      const char *info = "unset";
      const char *expected = g_strcmp0 (c->wcs_info, MESSAGE) == 0 ? message : c->wcs_info;

      g_test_message ("%s %d", g_quark_to_string (error->domain), error->code);
      g_assert_cmpuint (cb_error_map_http_status (error), ==, c->http_status);
      g_assert_cmpstr (cb_error_map_wcs_info (error), ==, expected);
      g_assert_cmpstr (cb_error_map_info (error), ==, expected != NULL ? expected : message);

      cb_error_map_lookup (error, &status, &info);
      g_assert_cmpuint (status, ==, c->http_status);
      g_assert_cmpstr (info, ==, expected);
      cb_error_map_lookup (error, NULL, NULL);
    }
}

static void
test_error_map_null (void)
{
  g_assert_cmpuint (cb_error_map_http_status (NULL), ==, 500);
  g_assert_null (cb_error_map_wcs_info (NULL));
  g_assert_nonnull (cb_error_map_info (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cb/server/error-map/table", test_error_map_table);
  g_test_add_func ("/cb/server/error-map/null", test_error_map_null);

  return g_test_run ();
}
