/* cb-local-source.h — capture from this machine: camera, microphone, test pattern, file
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>
#include "cb-settings.h"
#include "cb-stream.h"

G_BEGIN_DECLS

#define CB_TYPE_LOCAL_SOURCE (cb_local_source_get_type ())
G_DECLARE_FINAL_TYPE (CbLocalSource, cb_local_source, CB, LOCAL_SOURCE, GObject)

/**
 * cb_local_source_new:
 * @spec: what to capture: parts joined by `+`, each one of `test` (moving pattern and
 *   tone), `pattern`, `tone`, `camera` or `camera:DEVICE`, `mic` or `mic:DEVICE`; or
 *   `file:PATH` alone. Examples: `test`, `camera+mic`, `camera:/dev/video0+tone`.
 * @error: CB_ENGINE_ERROR_INVALID for a malformed spec, _NO_DEVICE when a camera or
 *   microphone is asked for and none is there, _FILE_NOT_FOUND, _MISSING_PLUGIN.
 *
 * Builds the capture pipeline (not started). Video is encoded to H.264, audio to AAC
 * (WebRTC players get Opus made from it while they play), only while a stream is
 * attached; the preview gets raw RGBA frames at any time.
 */
CbLocalSource *cb_local_source_new          (const char     *spec,
                                             GError        **error);
CbLocalSource *cb_local_source_new_configured (const char  *spec,
                                               CbSettings  *settings,
                                               GError     **error);
CbLocalSource *cb_local_source_new_for_bin  (const char     *spec,
                                             GstElement     *bin,
                                             CbSettings     *settings,
                                             GError        **error);
const char    *cb_local_source_get_spec     (CbLocalSource  *self);
gboolean       cb_local_source_has_video    (CbLocalSource  *self);
gboolean       cb_local_source_has_audio    (CbLocalSource  *self);
gboolean       cb_local_source_start        (CbLocalSource  *self,
                                             GError        **error);
void           cb_local_source_stop         (CbLocalSource  *self);
void           cb_local_source_request_keyframe (CbLocalSource *self);
/* The audio becomes silence (or comes back); the stream goes on. */
void           cb_local_source_set_muted    (CbLocalSource  *self,
                                             gboolean        muted);
gboolean       cb_local_source_get_muted    (CbLocalSource  *self);
gboolean       cb_local_source_is_publishing (CbLocalSource *self);
/* The stream this source publishes into, or NULL to stop publishing (capture goes on). */
void           cb_local_source_set_stream   (CbLocalSource  *self,
                                             CbStream       *stream);

/**
 * CbPreviewFunc:
 *
 * Called from a GStreamer streaming thread with an RGBA frame (caps in the sample);
 * hop to your own context before touching a UI.
 */
typedef void (*CbPreviewFunc) (GstSample *sample, gpointer data);
void           cb_local_source_set_preview  (CbLocalSource  *self,
                                             CbPreviewFunc   func,
                                             gpointer        data,
                                             GDestroyNotify  destroy);

/* Signals, emitted on the context the source was created in:
 *   "error" (const GError *): the pipeline failed (device lost, file unreadable)
 *   "eos": a file source reached its end
 *   "message" (GstMessage *) → gboolean: errors and element messages first; TRUE when
 *     handled */

/* Devices. */
typedef struct {
  char *id;      /* pass as camera:ID / mic:ID */
  char *label;   /* for people */
} CbDevice;

void       cb_device_free    (CbDevice    *device);
GstElement *cb_device_create_element (CbMediaKind   kind,
                                      const char   *id,
                                      GError      **error);
GPtrArray *cb_devices_list   (CbMediaKind  kind);
/* Cameras and microphones, listed off the calling thread (probing PipeWire or PulseAudio
 * can take a moment); @source_object is kept until @callback has run. */
void       cb_devices_list_async  (gpointer             source_object,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             data);
/* FALSE when cancelled; else the CbDevice arrays (transfer full). */
gboolean   cb_devices_list_finish (GAsyncResult        *result,
                                   GPtrArray          **cameras,
                                   GPtrArray          **mics);

G_END_DECLS
