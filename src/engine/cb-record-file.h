#pragma once
#include <gio/gio.h>
typedef struct { double duration; guint64 size; gboolean remuxed; char *final_path; char *video_codec, *audio_codec; } CbRecordFileResult;
void cb_record_file_result_free (CbRecordFileResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRecordFileResult, cb_record_file_result_free)
void cb_record_file_finish_async (const char *temp_path, const char *final_path, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
CbRecordFileResult *cb_record_file_finish_finish (GAsyncResult *result, GError **error);
