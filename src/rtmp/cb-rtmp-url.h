/* cb-rtmp-url.h — rtmp:// and rtmps:// URLs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

#define CB_RTMP_DEFAULT_PORT       1935
#define CB_RTMPS_DEFAULT_PORT      443
/* WCS `rtmp_transponder_stream_name_prefix` default. */
#define CB_RTMP_WCS_DEFAULT_PREFIX "rtmp_"

/**
 * CbRtmpUrl:
 * @tls: %TRUE for rtmps://
 * @host: the host name or IP address (IPv6 without brackets)
 * @port: the port, 1935 or 443 when the URL gives none
 * @port_explicit: whether the URL gives the port
 * @app: the application: every path element but the last, joined by '/' ("live",
 *   "app/instance")
 * @stream: the stream name (the last path element), or %NULL when the path has only one
 *   element
 * @query: the query string as written, without the '?', or %NULL
 * @username: (nullable): from `user:password@host`, else from `?username=`
 * @password: (nullable): from `user:password@host`, else from `?password=`
 * @credentials_in_query: whether @username and @password came from the query
 *
 * A parsed RTMP URL. @username, @password, @stream and the query may be secrets: show
 * URLs through the engine's cb_redact_url(), never these fields.
 */
typedef struct {
  gboolean  tls;
  char     *host;
  guint16   port;
  gboolean  port_explicit;
  char     *app;
  char     *stream;
  char     *query;
  char     *username;
  char     *password;
  gboolean  credentials_in_query;
} CbRtmpUrl;

CbRtmpUrl  *cb_rtmp_url_parse              (const char       *url,
                                            GError          **error);
CbRtmpUrl  *cb_rtmp_url_parse_wcs          (const char       *url,
                                            const char       *stream_name,
                                            const char       *prefix,
                                            gboolean          full_url,
                                            GError          **error);
void        cb_rtmp_url_free               (CbRtmpUrl        *url);
char       *cb_rtmp_url_get_tc_url         (const CbRtmpUrl  *url);
char       *cb_rtmp_url_get_publish_name   (const CbRtmpUrl  *url);
char       *cb_rtmp_url_to_string          (const CbRtmpUrl  *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpUrl, cb_rtmp_url_free)

char      *cb_rtmp_query_get (const char *query,
                              const char *key,
                              gboolean    any_case);

G_END_DECLS
