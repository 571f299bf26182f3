/* cb-rtmp-reader.h — a connection's input, read as it comes, without blocking
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CbRtmpReader CbRtmpReader;

/**
 * CbRtmpReaderFunc:
 * @bytes: (nullable): what was read, NULL at the end or on an error
 * @len: how many bytes; 0 with @error NULL: the peer closed the connection
 * @error: (nullable): the read failed (a socket's timeout included)
 *
 * Called on the reader's context for each read, and once at the end or on an error,
 * after which the reader reads no more. It may free the reader.
 *
 * Returns: TRUE to go on reading, FALSE to read no more
 */
typedef gboolean (*CbRtmpReaderFunc) (gpointer      data,
                                      const guint8 *bytes,
                                      gsize         len,
                                      GError       *error);

CbRtmpReader *cb_rtmp_reader_new  (GIOStream        *io,
                                   GMainContext     *context,
                                   CbRtmpReaderFunc  func,
                                   gpointer          data);
void          cb_rtmp_reader_free (CbRtmpReader     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpReader, cb_rtmp_reader_free)

G_END_DECLS
