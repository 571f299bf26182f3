/* cb-stream-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's stream registry, as CbMirror (cb-mirror.c) follows it: "stream-added",
 * "stream-changed" and "stream-removed" come over as CbStreamInfo snapshots, in the order
 * they were sent, so a poll answer never overtakes a removal that happened after it.
 */
#include "config.h"

#include "cb-mirror-private.h"
#include "cb-stream-list.h"

#define POLL_INTERVAL_MS 1000

struct _CbStreamList
{
  GObject    parent_instance;

  CbEngine  *engine;
  GPtrArray *rows;                /* CbStreamRow */
  CbMirror  *mirror;
  guint      poll_id;
};

static void cb_stream_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbStreamList, cb_stream_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cb_stream_list_model_init))

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Model. */

static GType
cb_stream_list_get_item_type (GListModel *model)
{
  return CB_TYPE_STREAM_ROW;
}

static guint
cb_stream_list_get_n_items (GListModel *model)
{
  return CB_STREAM_LIST (model)->rows->len;
}

static gpointer
cb_stream_list_get_item (GListModel *model,
                         guint       position)
{
  return cb_mirror_rows_get_item (CB_STREAM_LIST (model)->rows, position);
}

static void
cb_stream_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cb_stream_list_get_item_type;
  iface->get_n_items = cb_stream_list_get_n_items;
  iface->get_item = cb_stream_list_get_item;
}

/* Rows are told apart by mediaSessionId: a player's stream has the name of the stream
 * it plays (as WCS lists it), and a stream may end and start again under its name. */
static gboolean
find_row (CbStreamList *self,
          const char   *media_session_id,
          guint        *position)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_strcmp0 (cb_stream_row_get_media_session_id (g_ptr_array_index (self->rows, i)),
                   media_session_id) == 0)
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

static void
remove_at (CbStreamList *self,
           guint         position)
{
  cb_mirror_rows_remove (G_LIST_MODEL (self), self->rows, properties[PROP_N_ITEMS], position);
}

/* What the mirror calls: snapshots taken on the engine thread, applied on the UI thread. */

static gpointer
snapshot_media_session_id (gpointer stream)
{
  return g_strdup (cb_stream_get_media_session_id (stream));
}

static const char *
snapshot_id (gpointer info)
{
  return ((const CbStreamInfo *) info)->media_session_id;
}

static void
apply_info (gpointer    list,
            gpointer    snapshot,
            const char *tag)
{
  CbStreamList *self = list;
  const CbStreamInfo *info = snapshot;
  g_autoptr(CbStreamRow) row = NULL;
  guint position;

  if (find_row (self, info->media_session_id, &position))
    {
      cb_stream_row_update (g_ptr_array_index (self->rows, position), info);
      return;
    }

  /* A late snapshot of a stream that has already ended: nothing to show. */
  if (cb_stream_status_is_final (info->status))
    return;

  row = cb_stream_row_new (info);
  cb_mirror_rows_insert (G_LIST_MODEL (self), self->rows, properties[PROP_N_ITEMS],
                         self->rows->len, row);
}

static void
apply_removed (gpointer    list,
               gpointer    media_session_id,
               const char *tag)
{
  CbStreamList *self = list;
  guint position;

  if (find_row (self, media_session_id, &position))
    remove_at (self, position);
}

/* After a listing of the whole registry: rows not in it go. */
static void
drop_missing (gpointer    list,
              GHashTable *ids)
{
  CbStreamList *self = list;

  for (guint i = self->rows->len; i > 0; i--)
    {
      CbStreamRow *row = g_ptr_array_index (self->rows, i - 1);

      if (!g_hash_table_contains (ids, cb_stream_row_get_media_session_id (row)))
        remove_at (self, i - 1);
    }
}

static const CbMirrorFuncs mirror_funcs = {
  .added = { "stream-added", (CbMirrorSnapshotFunc) cb_stream_get_snapshot,
             (GDestroyNotify) cb_stream_info_free, apply_info },
  .changed = { "stream-changed", (CbMirrorSnapshotFunc) cb_stream_get_snapshot,
               (GDestroyNotify) cb_stream_info_free, apply_info },
  .removed = { "stream-removed", snapshot_media_session_id, g_free, apply_removed },
  .list_all = cb_engine_list_streams,
  .snapshot_id = snapshot_id,
  .drop_missing = drop_missing,
};

/* Bitrates change without a "stream-changed" for each measurement. */
static gboolean
on_poll_timeout (gpointer data)
{
  CbStreamList *self = data;

  cb_mirror_refresh (self->mirror, self->engine);
  return G_SOURCE_CONTINUE;
}

static void
cb_stream_list_constructed (GObject *object)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  G_OBJECT_CLASS (cb_stream_list_parent_class)->constructed (object);

  g_assert (CB_IS_ENGINE (self->engine));

  self->mirror = cb_mirror_new (self, &mirror_funcs);
  cb_mirror_connect (self->mirror, self->engine);
  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, on_poll_timeout, self);
}

static void
cb_stream_list_dispose (GObject *object)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);

  if (self->mirror != NULL)
    {
      cb_mirror_close (self->mirror, self->engine);
      g_clear_pointer (&self->mirror, cb_mirror_unref);
    }

  cb_mirror_rows_clear (G_LIST_MODEL (self), self->rows);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_stream_list_parent_class)->dispose (object);
}

static void
cb_stream_list_finalize (GObject *object)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (cb_stream_list_parent_class)->finalize (object);
}

static void
cb_stream_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_stream_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_stream_list_class_init (CbStreamListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cb_stream_list_constructed;
  object_class->dispose = cb_stream_list_dispose;
  object_class->finalize = cb_stream_list_finalize;
  object_class->get_property = cb_stream_list_get_property;
  object_class->set_property = cb_stream_list_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, CB_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cb_stream_list_init (CbStreamList *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
}

CbStreamList *
cb_stream_list_new (CbEngine *engine)
{
  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  return g_object_new (CB_TYPE_STREAM_LIST, "engine", engine, NULL);
}

CbEngine *
cb_stream_list_get_engine (CbStreamList *self)
{
  g_return_val_if_fail (CB_IS_STREAM_LIST (self), NULL);
  return self->engine;
}

CbStreamRow *
cb_stream_list_lookup (CbStreamList *self,
                       const char   *name)
{
  CbStreamRow *player = NULL;

  g_return_val_if_fail (CB_IS_STREAM_LIST (self), NULL);

  for (guint i = 0; name != NULL && i < self->rows->len; i++)
    {
      CbStreamRow *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (cb_stream_row_get_name (row), name) != 0)
        continue;
      if (cb_stream_row_get_published (row))
        return row;
      if (player == NULL)
        player = row;
    }
  return player;
}
