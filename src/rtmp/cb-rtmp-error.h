/* cb-rtmp-error.h — the error domain of the RTMP library
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CB_RTMP_ERROR (cb_rtmp_error_quark ())

/**
 * CbRtmpError:
 * @CB_RTMP_ERROR_TRUNCATED: the input ends before the item does; a streaming parser keeps
 *   what it has and waits for more bytes (never a hard error on its own)
 * @CB_RTMP_ERROR_MALFORMED: the bytes cannot be what they claim to be
 * @CB_RTMP_ERROR_UNSUPPORTED: well-formed, but a feature we do not implement
 *   (AMF0 references, AMF3, encrypted RTMPE, another codec than the one granted, …)
 * @CB_RTMP_ERROR_TOO_LARGE: a length or count over our limits (message size, nesting, …)
 * @CB_RTMP_ERROR_PROTOCOL: the peer broke the RTMP rules (bad chunk size, chunk on an
 *   unknown chunk stream, handshake version, …)
 * @CB_RTMP_ERROR_REJECTED: the remote side refused (an `_error` or `onStatus` error);
 *   used by the sessions, with the server's own text as the message
 * @CB_RTMP_ERROR_FAILED: anything else
 *
 * Errors of the RTMP library. Parsers never assert on input: every bad input is one of these.
 */
typedef enum {
  CB_RTMP_ERROR_TRUNCATED,
  CB_RTMP_ERROR_MALFORMED,
  CB_RTMP_ERROR_UNSUPPORTED,
  CB_RTMP_ERROR_TOO_LARGE,
  CB_RTMP_ERROR_PROTOCOL,
  CB_RTMP_ERROR_REJECTED,
  CB_RTMP_ERROR_FAILED,
} CbRtmpError;

GQuark cb_rtmp_error_quark (void);

G_END_DECLS
