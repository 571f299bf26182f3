/* cb-stream-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine lives on its own thread and emits "stream-added", "stream-removed" and
 * "stream-changed" there. Handlers take a snapshot (CbStreamInfo, safe for any thread)
 * and hop to the UI context; the list itself is only touched on the UI thread. Updates
 * from the engine thread arrive in the order they were sent, so a poll answer never
 * overtakes a removal that happened after it.
 */
#include "config.h"

#include "cb-stream-list.h"

#define POLL_INTERVAL_MS 1000

typedef struct
{
  gatomicrefcount  ref;
  GMainContext    *ui_context;
  CbStreamList    *list;          /* UI thread only; NULL once the list is gone */
  gulong           handlers[3];   /* engine thread only */
} Mirror;

struct _CbStreamList
{
  GObject    parent_instance;

  CbEngine  *engine;
  GPtrArray *rows;                /* CbStreamRow */
  Mirror    *mirror;
  guint      poll_id;
  gboolean   poll_pending;
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

static Mirror *
mirror_ref (Mirror *mirror)
{
  g_atomic_ref_count_inc (&mirror->ref);
  return mirror;
}

static void
mirror_unref (gpointer data)
{
  Mirror *mirror = data;

  if (g_atomic_ref_count_dec (&mirror->ref))
    {
      g_main_context_unref (mirror->ui_context);
      g_free (mirror);
    }
}

static void
mirror_closure_notify (gpointer  data,
                       GClosure *closure)
{
  mirror_unref (data);
}

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
  CbStreamList *self = CB_STREAM_LIST (model);

  if (position >= self->rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->rows, position));
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
  g_ptr_array_remove_index (self->rows, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
apply_info (CbStreamList       *self,
            const CbStreamInfo *info)
{
  guint position;

  if (find_row (self, info->media_session_id, &position))
    {
      cb_stream_row_update (g_ptr_array_index (self->rows, position), info);
      return;
    }

  /* A late snapshot of a stream that has already ended: nothing to show. */
  if (cb_stream_status_is_final (info->status))
    return;

  g_ptr_array_add (self->rows, cb_stream_row_new (info));
  g_list_model_items_changed (G_LIST_MODEL (self), self->rows->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
apply_removed (CbStreamList *self,
               const char   *media_session_id)
{
  guint position;

  if (find_row (self, media_session_id, &position))
    remove_at (self, position);
}

/* The whole registry: rows not in it go. */
static void
apply_all (CbStreamList *self,
           GPtrArray    *infos)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < infos->len; i++)
    {
      const CbStreamInfo *info = g_ptr_array_index (infos, i);

      g_hash_table_add (ids, info->media_session_id);
      apply_info (self, info);
    }

  for (guint i = self->rows->len; i > 0; i--)
    {
      CbStreamRow *row = g_ptr_array_index (self->rows, i - 1);

      if (!g_hash_table_contains (ids, cb_stream_row_get_media_session_id (row)))
        remove_at (self, i - 1);
    }
}

/* Hops from the engine thread to the UI thread. */

typedef enum {
  UPDATE_CHANGED,
  UPDATE_REMOVED,
  UPDATE_ALL,
} UpdateKind;

typedef struct
{
  Mirror       *mirror;
  UpdateKind    kind;
  CbStreamInfo *info;    /* UPDATE_CHANGED */
  char         *id;      /* UPDATE_REMOVED: the mediaSessionId */
  GPtrArray    *infos;   /* UPDATE_ALL */
} Update;

static void
update_free (gpointer data)
{
  Update *update = data;

  mirror_unref (update->mirror);
  g_clear_pointer (&update->info, cb_stream_info_free);
  g_free (update->id);
  g_clear_pointer (&update->infos, g_ptr_array_unref);
  g_free (update);
}

static gboolean
update_apply (gpointer data)
{
  Update *update = data;
  CbStreamList *self = update->mirror->list;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  switch (update->kind)
    {
    case UPDATE_CHANGED:
      apply_info (self, update->info);
      break;
    case UPDATE_REMOVED:
      apply_removed (self, update->id);
      break;
    case UPDATE_ALL:
      self->poll_pending = FALSE;
      apply_all (self, update->infos);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

static void
send_update (Mirror *mirror,
             Update *update)
{
  update->mirror = mirror_ref (mirror);
  g_main_context_invoke_full (mirror->ui_context, G_PRIORITY_DEFAULT,
                              update_apply, update, update_free);
}

static void
on_engine_stream_changed (CbEngine *engine,
                          CbStream *stream,
                          Mirror   *mirror)
{
  Update *update = g_new0 (Update, 1);

  update->kind = UPDATE_CHANGED;
  update->info = cb_stream_get_snapshot (stream);
  send_update (mirror, update);
}

static void
on_engine_stream_removed (CbEngine *engine,
                          CbStream *stream,
                          Mirror   *mirror)
{
  Update *update = g_new0 (Update, 1);

  update->kind = UPDATE_REMOVED;
  update->id = g_strdup (cb_stream_get_media_session_id (stream));
  send_update (mirror, update);
}

static void
send_all (CbEngine *engine,
          Mirror   *mirror)
{
  g_autoptr(GPtrArray) streams = cb_engine_list_streams (engine);
  Update *update = g_new0 (Update, 1);

  update->kind = UPDATE_ALL;
  update->infos = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_stream_info_free);
  for (guint i = 0; i < streams->len; i++)
    g_ptr_array_add (update->infos, cb_stream_get_snapshot (g_ptr_array_index (streams, i)));
  send_update (mirror, update);
}

/* Calls on the engine thread. */

typedef struct
{
  CbEngine *engine;
  Mirror   *mirror;
} EngineCall;

static EngineCall *
engine_call_new (CbEngine *engine,
                 Mirror   *mirror)
{
  EngineCall *call = g_new0 (EngineCall, 1);

  call->engine = g_object_ref (engine);
  call->mirror = mirror_ref (mirror);
  return call;
}

static void
engine_call_free (gpointer data)
{
  EngineCall *call = data;

  g_object_unref (call->engine);
  mirror_unref (call->mirror);
  g_free (call);
}

static gboolean
engine_connect (gpointer data)
{
  EngineCall *call = data;
  Mirror *mirror = call->mirror;

  mirror->handlers[0] =
    g_signal_connect_data (call->engine, "stream-added",
                           G_CALLBACK (on_engine_stream_changed),
                           mirror_ref (mirror), mirror_closure_notify, 0);
  mirror->handlers[1] =
    g_signal_connect_data (call->engine, "stream-changed",
                           G_CALLBACK (on_engine_stream_changed),
                           mirror_ref (mirror), mirror_closure_notify, 0);
  mirror->handlers[2] =
    g_signal_connect_data (call->engine, "stream-removed",
                           G_CALLBACK (on_engine_stream_removed),
                           mirror_ref (mirror), mirror_closure_notify, 0);

  /* After connecting, so that nothing falls between the list and the signals. */
  send_all (call->engine, mirror);
  return G_SOURCE_REMOVE;
}

static gboolean
engine_disconnect (gpointer data)
{
  EngineCall *call = data;

  for (guint i = 0; i < G_N_ELEMENTS (call->mirror->handlers); i++)
    g_clear_signal_handler (&call->mirror->handlers[i], call->engine);
  return G_SOURCE_REMOVE;
}

static gboolean
engine_poll (gpointer data)
{
  EngineCall *call = data;

  send_all (call->engine, call->mirror);
  return G_SOURCE_REMOVE;
}

/* Bitrates change without a "stream-changed" for each measurement. */
static gboolean
on_poll_timeout (gpointer data)
{
  CbStreamList *self = data;

  if (!self->poll_pending)
    {
      self->poll_pending = TRUE;
      cb_engine_invoke (self->engine, engine_poll,
                        engine_call_new (self->engine, self->mirror), engine_call_free);
    }
  return G_SOURCE_CONTINUE;
}

static void
cb_stream_list_constructed (GObject *object)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  G_OBJECT_CLASS (cb_stream_list_parent_class)->constructed (object);

  g_assert (CB_IS_ENGINE (self->engine));

  self->mirror = g_new0 (Mirror, 1);
  g_atomic_ref_count_init (&self->mirror->ref);
  self->mirror->ui_context = g_main_context_ref_thread_default ();
  self->mirror->list = self;

  cb_engine_invoke (self->engine, engine_connect,
                    engine_call_new (self->engine, self->mirror), engine_call_free);
  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, on_poll_timeout, self);
}

static void
cb_stream_list_dispose (GObject *object)
{
  CbStreamList *self = CB_STREAM_LIST (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);

  if (self->mirror != NULL)
    {
      self->mirror->list = NULL;
      cb_engine_invoke (self->engine, engine_disconnect,
                        engine_call_new (self->engine, self->mirror), engine_call_free);
      g_clear_pointer (&self->mirror, mirror_unref);
    }

  if (self->rows->len > 0)
    {
      guint n = self->rows->len;

      g_ptr_array_set_size (self->rows, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
    }

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
