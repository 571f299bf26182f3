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
                                      GOutputStream         *stream,
                                      GMainContext          *context,
                                      CbRtmpWriterFunc       func,
                                      gpointer               data);
void          cb_rtmp_writer_free    (CbRtmpWriter          *self);
void          cb_rtmp_writer_kick    (CbRtmpWriter          *self);
void          cb_rtmp_writer_set_merge (CbRtmpWriter      *self,
                                        guint              merge_ms);

/* Between these two, on one thread, the writers kicked on that thread write at the end
 * instead of in the context's next iteration: a sender that has just queued its messages
 * writes them in the same dispatch. The end may run writers' callbacks (which may free
 * their owners). Batches do not nest. */
void          cb_rtmp_writer_batch_begin (void);
void          cb_rtmp_writer_batch_end   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpWriter, cb_rtmp_writer_free)

G_END_DECLS
