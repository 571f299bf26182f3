/* cb-screencast-portal.h — a screen or window from the desktop portal's ScreenCast
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CbScreencast:
 *
 * One ScreenCast session of org.freedesktop.portal.Desktop, started: a PipeWire remote
 * (@fd, for pipewiresrc's "fd") and the stream's node (for its "path"). Freeing it closes
 * the session, which ends the capture.
 */
typedef struct _CbScreencast CbScreencast;

/* The portal closed the session (see cb_screencast_watch_closed()). */
typedef void (*CbScreencastClosedFunc) (CbScreencast *cast,
                                        gpointer      data);

/**
 * cb_screencast_start_async:
 * @restore_token: (nullable): the token an earlier session gave, to skip the dialog
 * @cursor: the pointer drawn into the picture (else hidden)
 *
 * CreateSession → SelectSources (a monitor or a window, persist until revoked) → Start
 * → OpenPipeWireRemote, on the session bus, each answer awaited on its Request's
 * Response signal. Completes on the thread-default context of the call.
 *
 * Errors: CB_CAPTURE_ERROR_NO_PORTAL (no bus, no portal, no ScreenCast),
 * CB_CAPTURE_ERROR_REFUSED (response 1), CB_CAPTURE_ERROR_PORTAL_FAILED (response 2,
 * or an answer without a stream), G_IO_ERROR_CANCELLED.
 */
void          cb_screencast_start_async    (const char          *restore_token,
                                            gboolean             cursor,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
CbScreencast *cb_screencast_start_finish   (GAsyncResult        *result,
                                            GError             **error);

int           cb_screencast_get_fd         (CbScreencast        *self);
guint32       cb_screencast_get_node       (CbScreencast        *self);
/* The token to save for next time, or NULL when the portal gave none. */
const char   *cb_screencast_get_restore_token (CbScreencast     *self);
void          cb_screencast_watch_closed   (CbScreencast        *self,
                                            CbScreencastClosedFunc func,
                                            gpointer             data,
                                            GDestroyNotify       destroy);
void          cb_screencast_free           (CbScreencast        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbScreencast, cb_screencast_free)

G_END_DECLS
