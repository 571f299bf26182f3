#include <string.h>
#include <glib/gstdio.h>
#include "cb-mp4.h"
#include "cb-record-file.h"
#include "cb-record-name.h"
gboolean cb_mp4_parse (const guint8 *data, gsize length, CbMp4Info *info, GError **error) { return FALSE; }
gboolean cb_mp4_probe_file (const char *path, CbMp4Info *info, GError **error) { return FALSE; }
void cb_record_file_result_free (CbRecordFileResult *r) { if (!r) return; g_free (r->final_path); g_free (r->video_codec); g_free (r->audio_codec); g_free (r); }
static void fin (GTask *task, gpointer s, gpointer d, GCancellable *c) {
  char **p = d; CbRecordFileResult *r = g_new0 (CbRecordFileResult, 1);
  g_rename (p[0], p[1]); r->final_path = g_strdup (p[1]); g_task_return_pointer (task, r, (GDestroyNotify) cb_record_file_result_free); }
void cb_record_file_finish_async (const char *t, const char *f, GCancellable *c, GAsyncReadyCallback cb, gpointer ud) {
  GTask *task = g_task_new (NULL, c, cb, ud); char **p = g_new0 (char *, 3); p[0] = g_strdup (t); p[1] = g_strdup (f);
  g_task_set_task_data (task, p, (GDestroyNotify) g_strfreev); g_task_run_in_thread (task, fin); g_object_unref (task); }
CbRecordFileResult *cb_record_file_finish_finish (GAsyncResult *r, GError **e) { return g_task_propagate_pointer (G_TASK (r), e); }
char *cb_record_name_expand (const char *t, const CbRecordNameParts *p, const char *s) {
  GString *g = g_string_new (t); g_string_replace (g, "{mediaSessionId}", p->media_session_id ? p->media_session_id : "", 0);
  g_string_replace (g, "{streamName}", p->stream_name ? p->stream_name : "", 0); g_string_replace (g, "{login}", "", 0); return g_string_free (g, FALSE); }
gboolean cb_record_name_has_time (const char *t) { return strstr (t, "{startTime}") || strstr (t, "{endTime}"); }
gboolean cb_record_rotation_parse (const char *text, gint64 *s, gint64 *b, GError **e) { *s = 0; *b = 0; if (!text || !*text) return TRUE;
  if (g_str_has_suffix (text, "M")) *b = g_ascii_strtoll (text, NULL, 10) * 1024 * 1024; else *s = g_ascii_strtoll (text, NULL, 10); return TRUE; }
