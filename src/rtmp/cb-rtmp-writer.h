/* cb-rtmp-writer.h — a session's output queue onto a socket, without blocking
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cb-rtmp-session.h"

G_BEGIN_DECLS

typedef struct _CbRtmpWriter CbRtmpWriter;

/**
 * CbRtmpWriterFunc:
 * @written: bytes written by this flush (they are gone from the queue)
 * @error: (nullable): the write failed; the writer stops writing
 *
 * Called after a flush that wrote something or failed. It may free the writer.
 */
typedef void (*CbRtmpWriterFunc) (gpointer  data,
                                  gsize     written,
                                  GError   *error);

CbRtmpWriter *cb_rtmp_writer_new     (CbRtmpSession         *session,
                                      GIOStream             *io,
                                      GMainContext          *context,
                                      CbRtmpWriterFunc       func,
                                      gpointer               data);
void          cb_rtmp_writer_free    (CbRtmpWriter          *self);
void          cb_rtmp_writer_kick    (CbRtmpWriter          *self);
void          cb_rtmp_writer_set_merge (CbRtmpWriter      *self,
                                        guint              merge_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpWriter, cb_rtmp_writer_free)

G_END_DECLS
