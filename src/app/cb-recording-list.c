/* cb-recording-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine says only that its recordings changed ("recordings-changed", once a second
 * while one runs); CbMirror (cb-mirror.c) answers each of those with a listing taken on
 * the engine thread and applied here, in order with the answers of the operations, which
 * come back through the same mirror.
 *
 * Rows stay newest first as the engine sorts them: by start time, then by name. A finished
 * file is read once, on a worker (cb-recording-probe.c), for its thumbnail; one file at a
 * time, newest first, so that a folder of old recordings does not take both cores.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-error-text.h"
#include "cb-mirror-private.h"
#include "cb-recording-list.h"
#include "cb-vod.h"

#define THUMBNAIL_WIDTH 192

struct _CbRecordingList
{
  GObject       parent_instance;

  CbStudio     *studio;
  CbEngine     *engine;
  GPtrArray    *rows;              /* CbRecording */
  CbMirror     *mirror;
  gboolean      listed;            /* the first listing is in */
  GHashTable   *pending;           /* mediaSessionId → starts and stops not answered */

  GCancellable *cancellable;       /* probes and REST calls */
  char         *probing;           /* the file being read, or NULL */
};

static void cb_recording_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbRecordingList, cb_recording_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cb_recording_list_model_init))

enum {
  PROP_0,
  PROP_STUDIO,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_UPDATED,
  SIGNAL_OPERATION_FAILED,
  SIGNAL_PUBLISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void probe_next (CbRecordingList *self);

/* Model. */

static GType
cb_recording_list_get_item_type (GListModel *model)
{
  return CB_TYPE_RECORDING;
}

static guint
cb_recording_list_get_n_items (GListModel *model)
{
  return CB_RECORDING_LIST (model)->rows->len;
}

static gpointer
cb_recording_list_get_item (GListModel *model,
                            guint       position)
{
  return cb_mirror_rows_get_item (CB_RECORDING_LIST (model)->rows, position);
}

static void
cb_recording_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cb_recording_list_get_item_type;
  iface->get_n_items = cb_recording_list_get_n_items;
  iface->get_item = cb_recording_list_get_item;
}

/* Order: as cb_engine_list_recordings() sorts. */
static int
compare_rows (CbRecording *a,
              CbRecording *b)
{
  gint64 ta = cb_recording_get_start_time (a);
  gint64 tb = cb_recording_get_start_time (b);

  if (ta != tb)
    return ta > tb ? -1 : 1;
  return g_strcmp0 (cb_recording_get_key (a), cb_recording_get_key (b));
}

static gboolean
find_row (CbRecordingList *self,
          const char      *key,
          guint           *position)
{
  for (guint i = 0; key != NULL && i < self->rows->len; i++)
    if (g_strcmp0 (cb_recording_get_key (g_ptr_array_index (self->rows, i)), key) == 0)
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

static void
insert_sorted (CbRecordingList *self,
               CbRecording     *row)
{
  guint position = 0;

  while (position < self->rows->len &&
         compare_rows (g_ptr_array_index (self->rows, position), row) <= 0)
    position++;
  cb_mirror_rows_insert (G_LIST_MODEL (self), self->rows, properties[PROP_N_ITEMS], position,
                         row);
}

static void
remove_at (CbRecordingList *self,
           guint            position)
{
  cb_mirror_rows_remove (G_LIST_MODEL (self), self->rows, properties[PROP_N_ITEMS], position);
}

/* What the mirror calls: snapshots taken on the engine thread, applied on the UI thread. */

static gpointer
snapshot_info (gpointer info)
{
  return cb_recording_info_copy (info);
}

static const char *
snapshot_id (gpointer info)
{
  return cb_recording_info_get_key (info);
}

static GPtrArray *
list_all (CbEngine *engine)
{
  return cb_engine_list_recordings (engine, FALSE);
}

static void
apply_info (gpointer    list,
            gpointer    snapshot,
            const char *tag)
{
  CbRecordingList *self = list;
  const CbRecordingInfo *info = snapshot;
  g_autoptr(CbRecording) row = NULL;
  guint position;

  if (cb_recording_info_get_key (info) == NULL)
    return;

  if (!find_row (self, cb_recording_info_get_key (info), &position))
    {
      row = cb_recording_new (info);
      insert_sorted (self, row);
      return;
    }

  row = g_object_ref (g_ptr_array_index (self->rows, position));
  cb_recording_update (row, info);
  /* Its start time may have moved (a recorder that waited for media starts when it
   * comes): back where it belongs. */
  if ((position > 0 && compare_rows (g_ptr_array_index (self->rows, position - 1), row) > 0) ||
      (position + 1 < self->rows->len &&
       compare_rows (row, g_ptr_array_index (self->rows, position + 1)) > 0))
    {
      remove_at (self, position);
      insert_sorted (self, row);
    }
}

/* After a listing: rows not in it go; then thumbnails for what is new. */
static void
drop_missing (gpointer    list,
              GHashTable *ids)
{
  CbRecordingList *self = list;

  for (guint i = self->rows->len; i > 0; i--)
    {
      CbRecording *row = g_ptr_array_index (self->rows, i - 1);

      if (!g_hash_table_contains (ids, cb_recording_get_key (row)))
        remove_at (self, i - 1);
    }

  self->listed = TRUE;
  probe_next (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static const CbMirrorFuncs mirror_funcs = {
  .changed = { NULL, snapshot_info, (GDestroyNotify) cb_recording_info_free, apply_info },
  .relist = "recordings-changed",
  .list_all = list_all,
  .snapshot_id = snapshot_id,
  .drop_missing = drop_missing,
};

/* Thumbnails. */

static void
on_probed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CbMirror *mirror = user_data;
  CbRecordingList *self = cb_mirror_get_list (mirror);
  g_autoptr(CbRecordingProbe) probe = NULL;
  g_autoptr(GError) error = NULL;
  CbRecording *row;

  probe = cb_recording_probe_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cb_mirror_unref (mirror);
      return;
    }
  cb_mirror_unref (mirror);

  if (probe == NULL)
    g_debug ("No thumbnail for %s: %s", self->probing, error->message);

  /* Deleted meanwhile: nothing to show it on. */
  row = cb_recording_list_lookup (self, self->probing);
  if (row != NULL)
    cb_recording_set_probe (row, probe);
  g_clear_pointer (&self->probing, g_free);

  probe_next (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
probe_next (CbRecordingList *self)
{
  if (self->probing != NULL || self->mirror == NULL)
    return;

  for (guint i = 0; i < self->rows->len; i++)
    {
      CbRecording *row = g_ptr_array_index (self->rows, i);

      if (!cb_recording_is_complete (row) || cb_recording_get_probed (row) ||
          cb_recording_get_path (row) == NULL || cb_recording_get_file_name (row) == NULL)
        continue;

      self->probing = g_strdup (cb_recording_get_file_name (row));
      cb_recording_probe_async (cb_recording_get_path (row), THUMBNAIL_WIDTH, self->cancellable,
                                on_probed, cb_mirror_ref (self->mirror));
      return;
    }
}

/* Operations on the engine thread. */

typedef enum {
  OP_START,
  OP_STOP,
  OP_DELETE,
  OP_PUBLISH,
} OpKind;

typedef struct
{
  OpKind     kind;
  CbEngine  *engine;
  CbMirror  *mirror;
  char      *media_session_id;
  char      *file_name;
  char      *stream_name;   /* OP_PUBLISH: the vod-live stream's name */
  GError    *error;
} Op;

static void
op_clear (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->engine);
  g_clear_pointer (&op->mirror, cb_mirror_unref);
  g_free (op->media_session_id);
  g_free (op->file_name);
  g_free (op->stream_name);
  g_clear_error (&op->error);
}

static void
op_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, op_clear);
}

static CbErrorAbout
op_about (const Op *op)
{
  switch (op->kind)
    {
    case OP_START:
      return CB_ERROR_ABOUT_RECORDING_START;
    case OP_STOP:
      return CB_ERROR_ABOUT_RECORDING_STOP;
    case OP_PUBLISH:
      return CB_ERROR_ABOUT_RECORDING_PUBLISH;
    case OP_DELETE:
    default:
      return CB_ERROR_ABOUT_RECORDING_DELETE;
    }
}

/* UI thread, after the updates sent before. */
static gboolean
op_reply (gpointer data)
{
  Op *op = data;
  CbRecordingList *self = cb_mirror_get_list (op->mirror);
  g_autofree char *message = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (op->media_session_id != NULL)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, op->media_session_id));

      if (n > 1)
        g_hash_table_insert (self->pending, g_strdup (op->media_session_id),
                             GUINT_TO_POINTER (n - 1));
      else
        g_hash_table_remove (self->pending, op->media_session_id);
    }

  /* Stopping what has stopped, deleting what is gone: what was asked for. */
  if (op->error != NULL &&
      !((op->kind == OP_STOP &&
         g_error_matches (op->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND)) ||
        (op->kind == OP_DELETE &&
         g_error_matches (op->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND))))
    {
      g_debug ("Recording operation %d failed: %s", op->kind, op->error->message);
      message = cb_error_text (op->error, op_about (op), op->stream_name);
      g_signal_emit (self, signals[SIGNAL_OPERATION_FAILED], 0, message);
    }
  else if (op->kind == OP_PUBLISH)
    g_signal_emit (self, signals[SIGNAL_PUBLISHED], 0, op->stream_name);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_vod_started (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Op *op = data;
  g_autoptr(CbStream) stream = cb_engine_vod_startup_finish (CB_ENGINE (source), result,
                                                             &op->error);

  cb_mirror_invoke (op->mirror, op_reply, op, op_unref);
}

static gboolean
op_run (gpointer data)
{
  Op *op = data;

  switch (op->kind)
    {
    case OP_START:
      cb_engine_record_start (op->engine, op->media_session_id, NULL, &op->error);
      break;
    case OP_STOP:
      cb_engine_record_stop (op->engine, op->media_session_id, &op->error);
      break;
    case OP_DELETE:
      cb_engine_delete_recording (op->engine, op->file_name, &op->error);
      break;
    case OP_PUBLISH:
      /* Answered once the file is read (a wrong format is known then). */
      cb_engine_vod_startup_async (op->engine, op->file_name, op->stream_name, -1, NULL,
                                   on_vod_started, g_atomic_rc_box_acquire (op));
      return G_SOURCE_REMOVE;
    default:
      g_assert_not_reached ();
    }

  /* The answer finds the list as the operation left it (a recorder waiting, a file gone),
   * rather than a moment before the engine says so. */
  cb_mirror_send_listing (op->mirror, op->engine);
  cb_mirror_invoke (op->mirror, op_reply, g_atomic_rc_box_acquire (op), op_unref);
  return G_SOURCE_REMOVE;
}

static void
op_send (CbRecordingList *self,
         OpKind           kind,
         const char      *media_session_id,
         const char      *file_name)
{
  Op *op = g_atomic_rc_box_new0 (Op);

  op->kind = kind;
  op->engine = g_object_ref (self->engine);
  op->mirror = cb_mirror_ref (self->mirror);
  op->media_session_id = g_strdup (media_session_id);
  op->file_name = g_strdup (file_name);

  if (media_session_id != NULL)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, media_session_id));

      g_hash_table_insert (self->pending, g_strdup (media_session_id), GUINT_TO_POINTER (n + 1));
    }
  cb_engine_invoke (self->engine, op_run, op, op_unref);
}

/* GObject. */

static void
cb_recording_list_constructed (GObject *object)
{
  CbRecordingList *self = CB_RECORDING_LIST (object);

  G_OBJECT_CLASS (cb_recording_list_parent_class)->constructed (object);

  g_assert (CB_IS_STUDIO (self->studio));

  self->engine = g_object_ref (cb_studio_get_engine (self->studio));
  self->mirror = cb_mirror_new (self, &mirror_funcs);
  cb_mirror_connect (self->mirror, self->engine);
}

static void
cb_recording_list_dispose (GObject *object)
{
  CbRecordingList *self = CB_RECORDING_LIST (object);

  g_cancellable_cancel (self->cancellable);

  if (self->mirror != NULL)
    {
      cb_mirror_close (self->mirror, self->engine);
      g_clear_pointer (&self->mirror, cb_mirror_unref);
    }

  cb_mirror_rows_clear (G_LIST_MODEL (self), self->rows);

  g_clear_object (&self->engine);
  g_clear_object (&self->studio);

  G_OBJECT_CLASS (cb_recording_list_parent_class)->dispose (object);
}

static void
cb_recording_list_finalize (GObject *object)
{
  CbRecordingList *self = CB_RECORDING_LIST (object);

  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->pending);
  g_clear_object (&self->cancellable);
  g_free (self->probing);

  G_OBJECT_CLASS (cb_recording_list_parent_class)->finalize (object);
}

static void
cb_recording_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CbRecordingList *self = CB_RECORDING_LIST (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      g_value_set_object (value, self->studio);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_recording_list_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CbRecordingList *self = CB_RECORDING_LIST (object);

  switch (prop_id)
    {
    case PROP_STUDIO:
      self->studio = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_recording_list_class_init (CbRecordingListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cb_recording_list_constructed;
  object_class->dispose = cb_recording_list_dispose;
  object_class->finalize = cb_recording_list_finalize;
  object_class->get_property = cb_recording_list_get_property;
  object_class->set_property = cb_recording_list_set_property;

  properties[PROP_STUDIO] =
    g_param_spec_object ("studio", NULL, NULL, CB_TYPE_STUDIO,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A listing was applied, or an operation answered: running recordings, their sizes
   * and what is pending may have changed. */
  signals[SIGNAL_UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* An operation failed; the argument is a message for people. */
  signals[SIGNAL_OPERATION_FAILED] =
    g_signal_new ("operation-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A recording is published as the stream named by the argument. */
  signals[SIGNAL_PUBLISHED] =
    g_signal_new ("published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cb_recording_list_init (CbRecordingList *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

CbRecordingList *
cb_recording_list_new (CbStudio *studio)
{
  g_return_val_if_fail (CB_IS_STUDIO (studio), NULL);

  return g_object_new (CB_TYPE_RECORDING_LIST, "studio", studio, NULL);
}

CbStudio *
cb_recording_list_get_studio (CbRecordingList *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);
  return self->studio;
}

const char *
cb_recording_list_get_records_dir (CbRecordingList *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);
  return cb_engine_get_records_dir (self->engine);
}

CbRecording *
cb_recording_list_lookup (CbRecordingList *self,
                          const char      *file_name)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);

  for (guint i = 0; file_name != NULL && i < self->rows->len; i++)
    {
      CbRecording *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (cb_recording_get_file_name (row), file_name) == 0)
        return row;
    }
  return NULL;
}

CbRecording *
cb_recording_list_lookup_running (CbRecordingList *self,
                                  const char      *media_session_id)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);

  for (guint i = 0; media_session_id != NULL && i < self->rows->len; i++)
    {
      CbRecording *row = g_ptr_array_index (self->rows, i);

      if (cb_recording_is_running (row) &&
          g_strcmp0 (cb_recording_get_media_session_id (row), media_session_id) == 0)
        return row;
    }
  return NULL;
}

GPtrArray *
cb_recording_list_dup_running (CbRecordingList *self)
{
  GPtrArray *running;

  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);

  running = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->rows->len; i++)
    {
      CbRecording *row = g_ptr_array_index (self->rows, i);

      if (cb_recording_is_running (row))
        g_ptr_array_add (running, g_object_ref (row));
    }
  return running;
}

gboolean
cb_recording_list_is_pending (CbRecordingList *self,
                              const char      *media_session_id)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), FALSE);
  return media_session_id != NULL && g_hash_table_contains (self->pending, media_session_id);
}

gboolean
cb_recording_list_is_idle (CbRecordingList *self)
{
  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), FALSE);
  return self->listed && self->probing == NULL;
}

char *
cb_recording_list_dup_download_url (CbRecordingList *self,
                                    CbRecording     *recording)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (CB_IS_RECORDING_LIST (self), NULL);
  g_return_val_if_fail (CB_IS_RECORDING (recording), NULL);

  if (cb_recording_get_file_name (recording) == NULL)
    return NULL;
  escaped = g_uri_escape_string (cb_recording_get_file_name (recording), NULL, FALSE);
  path = g_strconcat ("/client/records/", escaped, NULL);
  return cb_studio_dup_local_url (self->studio, path);
}

void
cb_recording_list_start (CbRecordingList *self,
                         const char      *media_session_id)
{
  g_return_if_fail (CB_IS_RECORDING_LIST (self));
  g_return_if_fail (media_session_id != NULL);

  op_send (self, OP_START, media_session_id, NULL);
}

void
cb_recording_list_stop (CbRecordingList *self,
                        const char      *media_session_id)
{
  g_return_if_fail (CB_IS_RECORDING_LIST (self));
  g_return_if_fail (media_session_id != NULL);

  op_send (self, OP_STOP, media_session_id, NULL);
}

void
cb_recording_list_delete (CbRecordingList *self,
                          CbRecording     *recording)
{
  g_return_if_fail (CB_IS_RECORDING_LIST (self));
  g_return_if_fail (CB_IS_RECORDING (recording));

  /* The engine refuses too; this keeps the question from being asked. */
  if (cb_recording_is_running (recording) || cb_recording_get_file_name (recording) == NULL)
    return;
  op_send (self, OP_DELETE, NULL, cb_recording_get_file_name (recording));
}

char *
cb_recording_dup_publish_name (CbRecording *recording)
{
  const char *file_name;
  const char *dot;

  g_return_val_if_fail (CB_IS_RECORDING (recording), NULL);

  file_name = cb_recording_get_file_name (recording);
  if (file_name == NULL)
    return NULL;
  dot = strrchr (file_name, '.');
  return dot != NULL && dot != file_name ? g_strndup (file_name, dot - file_name)
                                         : g_strdup (file_name);
}

void
cb_recording_list_publish (CbRecordingList *self,
                           CbRecording     *recording)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  Op *op;

  g_return_if_fail (CB_IS_RECORDING_LIST (self));
  g_return_if_fail (CB_IS_RECORDING (recording));

  if (!cb_recording_is_complete (recording))
    return;
  name = cb_recording_dup_publish_name (recording);
  if (!cb_engine_validate_stream_name (name, &error))
    {
      g_autofree char *text = g_strdup_printf (_("“%s” cannot be used as a stream name"), name);

      g_signal_emit (self, signals[SIGNAL_OPERATION_FAILED], 0, text);
      return;
    }
  op = g_atomic_rc_box_new0 (Op);
  op->kind = OP_PUBLISH;
  op->engine = g_object_ref (self->engine);
  op->mirror = cb_mirror_ref (self->mirror);
  op->file_name = cb_recording_dup_vod_name (recording, TRUE);
  op->stream_name = g_steal_pointer (&name);
  cb_engine_invoke (self->engine, op_run, op, op_unref);
}
