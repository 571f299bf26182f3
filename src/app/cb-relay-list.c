/* cb-relay-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine has no signal for relays: once a second the list asks it (on its own thread)
 * for every WebRTC relay and RTMP pull, and updates its items in place, so that relays
 * started over REST show up here and the ones started here show up over REST. What
 * changed (a status, a reason) goes to the event log. Operations run on the engine's
 * thread and come back to the UI thread by the same hop.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-error-text.h"
#include "cb-relay-list.h"
#include "cb-relay.h"
#include "cb-rtmp-pull.h"

#define POLL_INTERVAL_MS 1000

/* CbRelay. */

struct _CbRelay
{
  GObject      parent_instance;

  CbRelayKind  kind;
  char        *uri;
  char        *local_name;
  char        *remote_name;
  char        *status;
  char        *info;
  int          bitrate;
  guint64      bytes;        /* RTMP pulls: received so far */
  gint64       bytes_time;   /* monotonic µs of @bytes */
  gboolean     seen;         /* in the last listing */
  gboolean     stopped_here; /* its Stop was pressed */
};

G_DEFINE_FINAL_TYPE (CbRelay, cb_relay, G_TYPE_OBJECT)

static void
cb_relay_finalize (GObject *object)
{
  CbRelay *self = CB_RELAY (object);

  g_free (self->uri);
  g_free (self->local_name);
  g_free (self->remote_name);
  g_free (self->status);
  g_free (self->info);
  G_OBJECT_CLASS (cb_relay_parent_class)->finalize (object);
}

static void
cb_relay_class_init (CbRelayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cb_relay_finalize;
}

static void
cb_relay_init (CbRelay *self)
{
  self->bitrate = -1;
}

CbRelayKind
cb_relay_get_kind (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), CB_RELAY_PUSH);
  return self->kind;
}

const char *
cb_relay_get_uri (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), NULL);
  return self->uri;
}

const char *
cb_relay_get_local_name (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), NULL);
  return self->local_name;
}

const char *
cb_relay_get_remote_name (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), NULL);
  return self->remote_name;
}

const char *
cb_relay_get_status (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), NULL);
  return self->status;
}

const char *
cb_relay_get_info (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), NULL);
  return self->info;
}

int
cb_relay_get_bitrate (CbRelay *self)
{
  g_return_val_if_fail (CB_IS_RELAY (self), -1);
  return self->bitrate;
}

/* A snapshot taken on the engine thread: plain data. */
typedef struct
{
  CbRelayKind kind;
  char       *uri;
  char       *local_name;
  char       *remote_name;
  char       *status;
  char       *info;
  guint64     bytes;
} Snapshot;

static void
snapshot_free (gpointer data)
{
  Snapshot *snapshot = data;

  g_free (snapshot->uri);
  g_free (snapshot->local_name);
  g_free (snapshot->remote_name);
  g_free (snapshot->status);
  g_free (snapshot->info);
  g_free (snapshot);
}

/* CbRelayList. */

struct _CbRelayList
{
  GObject      parent_instance;

  CbEngine    *engine;
  CbEventLog  *log;
  GListStore  *items;
  guint        poll_id;
  gboolean     polling;     /* a listing is on its way */
};

static void cb_relay_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbRelayList, cb_relay_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cb_relay_list_model_init))

enum {
  SIGNAL_OPERATION_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
cb_relay_list_get_item_type (GListModel *model)
{
  return CB_TYPE_RELAY;
}

static guint
cb_relay_list_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (CB_RELAY_LIST (model)->items));
}

static gpointer
cb_relay_list_get_item (GListModel *model,
                        guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (CB_RELAY_LIST (model)->items), position);
}

static void
cb_relay_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cb_relay_list_get_item_type;
  iface->get_n_items = cb_relay_list_get_n_items;
  iface->get_item = cb_relay_list_get_item;
}

static void
on_store_items_changed (GListModel  *store,
                        guint        position,
                        guint        removed,
                        guint        added,
                        CbRelayList *self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* Calls on the engine's thread. */

typedef enum {
  CALL_LIST,
  CALL_PUSH,
  CALL_PULL,
  CALL_RTMP_PULL,
  CALL_STOP,
  CALL_STOP_RTMP_PULL,
} CallKind;

typedef struct
{
  CallKind      kind;
  GWeakRef      list;
  CbEngine     *engine;
  GMainContext *ui_context;
  char         *uri;
  char         *local_name;
  char         *remote_name;
  GPtrArray    *snapshots;   /* Snapshot, for every call: the list after it */
  GError       *error;
} Call;

static void
call_free (gpointer data)
{
  Call *call = data;

  g_weak_ref_clear (&call->list);
  g_clear_object (&call->engine);
  g_clear_pointer (&call->ui_context, g_main_context_unref);
  g_free (call->uri);
  g_free (call->local_name);
  g_free (call->remote_name);
  g_clear_pointer (&call->snapshots, g_ptr_array_unref);
  g_clear_error (&call->error);
  g_free (call);
}

static gboolean
nonempty (const char *text)
{
  return text != NULL && *text != '\0';
}

static GPtrArray *
take_snapshots (CbEngine *engine)
{
  g_autoptr(GPtrArray) relays = cb_engine_list_relays (engine);
  g_autoptr(GPtrArray) pulls = cb_rtmp_pull_list (engine);
  GPtrArray *snapshots = g_ptr_array_new_with_free_func (snapshot_free);

  for (guint i = 0; i < relays->len; i++)
    {
      CbRelayInfo *info = g_ptr_array_index (relays, i);
      Snapshot *snapshot = g_new0 (Snapshot, 1);

      snapshot->kind = info->pull ? CB_RELAY_PULL : CB_RELAY_PUSH;
      snapshot->uri = g_strdup (info->uri);
      snapshot->local_name = g_strdup (info->local_stream_name);
      snapshot->remote_name = g_strdup (info->remote_stream_name);
      snapshot->status = g_strdup (info->status);
      snapshot->info = g_strdup (info->info);
      g_ptr_array_add (snapshots, snapshot);
    }
  for (guint i = 0; i < pulls->len; i++)
    {
      CbRtmpPullInfo *info = g_ptr_array_index (pulls, i);
      Snapshot *snapshot = g_new0 (Snapshot, 1);

      snapshot->kind = CB_RELAY_RTMP_PULL;
      snapshot->uri = g_strdup (info->uri);
      snapshot->local_name = g_strdup (info->local_stream_name);
      snapshot->status = g_ascii_strup (cb_rtmp_pull_state_to_string (info->state), -1);
      snapshot->info = g_strdup (info->last_error);
      snapshot->bytes = info->bytes_received;
      g_ptr_array_add (snapshots, snapshot);
    }
  return snapshots;
}

static void apply_snapshots (CbRelayList *self,
                             GPtrArray   *snapshots);

static gboolean
call_done (gpointer data)
{
  Call *call = data;
  g_autoptr(CbRelayList) self = g_weak_ref_get (&call->list);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  if (call->kind == CALL_LIST)
    self->polling = FALSE;
  if (call->snapshots != NULL)
    apply_snapshots (self, call->snapshots);
  if (call->error != NULL)
    {
      g_autofree char *message =
        cb_error_text (call->error, call->kind == CALL_PUSH ? CB_ERROR_ABOUT_RELAY_PUSH
                                                            : CB_ERROR_ABOUT_RELAY,
                       call->local_name);

      /* English for the log (the URI is not in it); people get the translation. */
      g_debug ("Relay operation %d failed: %s", call->kind, call->error->message);
      g_signal_emit (self, signals[SIGNAL_OPERATION_FAILED], 0, message);
    }
  return G_SOURCE_REMOVE;
}

/* WHIP and WHEP name the stream in the URL: its last path element, unless told another. */
static char *
dup_remote_name (const char *uri,
                 const char *remote_name)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *last = NULL;

  if (nonempty (remote_name))
    return g_strdup (remote_name);
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || (g_strcmp0 (g_uri_get_scheme (parsed), "http") != 0 &&
                         g_strcmp0 (g_uri_get_scheme (parsed), "https") != 0))
    return NULL;
  last = g_path_get_basename (g_uri_get_path (parsed));
  if (*last == '\0' || g_str_equal (last, "/") || g_str_equal (last, "."))
    return NULL;
  return g_uri_unescape_string (last, NULL);
}

static gboolean
call_run (gpointer data)
{
  Call *call = data;
  GMainContext *ui_context = call->ui_context;

  switch (call->kind)
    {
    case CALL_LIST:
      break;
    case CALL_PUSH:
      {
        g_autofree char *remote = dup_remote_name (call->uri, call->remote_name);
        g_autoptr(CbRelayInfo) info =
          cb_engine_relay_push (call->engine, call->uri, call->local_name,
                                remote != NULL ? remote : call->local_name, &call->error);
      }
      break;
    case CALL_PULL:
      {
        g_autofree char *remote = dup_remote_name (call->uri, call->remote_name);
        g_autoptr(CbRelayInfo) info =
          cb_engine_relay_pull (call->engine, call->uri,
                                nonempty (call->local_name) ? call->local_name : NULL,
                                remote, &call->error);
      }
      break;
    case CALL_RTMP_PULL:
      {
        g_autoptr(CbRtmpPullInfo) info =
          cb_rtmp_pull_start (call->engine, call->uri,
                              nonempty (call->local_name) ? call->local_name : NULL, FALSE,
                              &call->error);
      }
      break;
    case CALL_STOP:
      /* The address as listed (masked; the engine knows it so) and the names: a stream
       * sent to two servers under one name stops only where asked. */
      cb_engine_relay_terminate (call->engine, nonempty (call->uri) ? call->uri : NULL,
                                 call->local_name, call->remote_name, &call->error);
      break;
    case CALL_STOP_RTMP_PULL:
      {
        /* The same: end the pull's stream, as /pull/rtmp/terminate does. */
        g_autoptr(GPtrArray) pulls = cb_rtmp_pull_list (call->engine);
        g_autoptr(CbStream) stream = NULL;
        gboolean pulled = FALSE;

        for (guint i = 0; i < pulls->len; i++)
          {
            CbRtmpPullInfo *info = g_ptr_array_index (pulls, i);

            pulled |= g_strcmp0 (info->local_stream_name, call->local_name) == 0;
          }
        if (pulled)
          stream = cb_engine_lookup_stream (call->engine, call->local_name);
        if (stream != NULL)
          cb_engine_remove_stream (call->engine, stream, CB_STREAM_UNPUBLISHED,
                                   "Stopped in the studio");
        else
          g_set_error_literal (&call->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND,
                               "Pull not found");
      }
      break;
    default:
      g_assert_not_reached ();
    }
  call->snapshots = take_snapshots (call->engine);
  g_main_context_invoke_full (ui_context, G_PRIORITY_DEFAULT, call_done, call, call_free);
  return G_SOURCE_REMOVE;
}

static void
send_call (CbRelayList *self,
           CallKind     kind,
           const char  *uri,
           const char  *local_name,
           const char  *remote_name)
{
  Call *call = g_new0 (Call, 1);

  call->kind = kind;
  g_weak_ref_init (&call->list, self);
  call->engine = g_object_ref (self->engine);
  call->ui_context = g_main_context_ref_thread_default ();
  call->uri = g_strstrip (g_strdup (uri != NULL ? uri : ""));
  call->local_name = g_strstrip (g_strdup (local_name != NULL ? local_name : ""));
  call->remote_name = g_strstrip (g_strdup (remote_name != NULL ? remote_name : ""));
  /* Handed on to the UI context by call_run(), which frees it there. */
  cb_engine_invoke (self->engine, call_run, call, NULL);
}

/* The items. */

static gboolean
same_relay (CbRelay        *relay,
            const Snapshot *snapshot)
{
  return relay->kind == snapshot->kind && g_strcmp0 (relay->uri, snapshot->uri) == 0 &&
         g_strcmp0 (relay->local_name, snapshot->local_name) == 0 &&
         g_strcmp0 (relay->remote_name, snapshot->remote_name) == 0;
}

static char *
describe_subject (const Snapshot *snapshot)
{
  if (snapshot->kind == CB_RELAY_PUSH)
    return g_strdup_printf ("%s → %s (%s)", snapshot->local_name, snapshot->uri,
                            snapshot->remote_name != NULL ? snapshot->remote_name : "");
  if (snapshot->remote_name != NULL)
    return g_strdup_printf ("%s (%s) → %s", snapshot->uri, snapshot->remote_name,
                            snapshot->local_name);
  return g_strdup_printf ("%s → %s", snapshot->uri, snapshot->local_name);
}

static void
log_change (CbRelayList    *self,
            const Snapshot *snapshot,
            const char     *status)
{
  g_autofree char *subject = describe_subject (snapshot);

  if (self->log != NULL)
    cb_event_log_add (self->log, CB_EVENT_RELAY, subject, status, snapshot->info);
}

static void
apply_snapshots (CbRelayList *self,
                 GPtrArray   *snapshots)
{
  GListModel *model = G_LIST_MODEL (self->items);
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CbRelay) relay = g_list_model_get_item (model, i);

      relay->seen = FALSE;
    }

  for (guint s = 0; s < snapshots->len; s++)
    {
      const Snapshot *snapshot = g_ptr_array_index (snapshots, s);
      g_autoptr(CbRelay) relay = NULL;
      guint position = G_MAXUINT;
      gboolean changed;

      for (guint i = 0; i < g_list_model_get_n_items (model) && relay == NULL; i++)
        {
          g_autoptr(CbRelay) item = g_list_model_get_item (model, i);

          if (same_relay (item, snapshot))
            {
              relay = g_steal_pointer (&item);
              position = i;
            }
        }

      if (relay == NULL)
        {
          relay = g_object_new (CB_TYPE_RELAY, NULL);
          relay->kind = snapshot->kind;
          relay->uri = g_strdup (snapshot->uri);
          relay->local_name = g_strdup (snapshot->local_name);
          relay->remote_name = g_strdup (snapshot->remote_name);
          relay->status = g_strdup (snapshot->status);
          relay->info = g_strdup (snapshot->info);
          relay->bytes = snapshot->bytes;
          relay->bytes_time = now;
          relay->seen = TRUE;
          g_list_store_append (self->items, relay);
          log_change (self, snapshot, snapshot->status);
          continue;
        }

      relay->seen = TRUE;
      changed = g_strcmp0 (relay->status, snapshot->status) != 0 ||
                g_strcmp0 (relay->info, snapshot->info) != 0;
      if (changed)
        log_change (self, snapshot, snapshot->status);
      g_free (relay->status);
      relay->status = g_strdup (snapshot->status);
      g_free (relay->info);
      relay->info = g_strdup (snapshot->info);
      if (snapshot->kind == CB_RELAY_RTMP_PULL && now > relay->bytes_time &&
          snapshot->bytes >= relay->bytes)
        {
          int bitrate = (int) ((snapshot->bytes - relay->bytes) * 8 * 1000 /
                               (guint64) MAX (now - relay->bytes_time, 1));

          changed |= bitrate != relay->bitrate;
          relay->bitrate = bitrate;
          relay->bytes = snapshot->bytes;
          relay->bytes_time = now;
        }
      /* The row shows it anew. */
      if (changed)
        g_list_model_items_changed (G_LIST_MODEL (self->items), position, 1, 1);
    }

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(CbRelay) relay = g_list_model_get_item (model, i - 1);

      if (!relay->seen)
        {
          /* Why it ended: stopped here, or its last reason (terminated over REST, or an
           * RTMP pull that gave up). */
          Snapshot gone = { relay->kind, relay->uri, relay->local_name, relay->remote_name,
                            NULL, relay->info, 0 };

          if (relay->stopped_here)
            gone.info = (char *) "Stopped in the studio";

          log_change (self, &gone, "ENDED");
          g_list_store_remove (self->items, i - 1);
        }
    }
}

static gboolean
on_poll (gpointer data)
{
  cb_relay_list_refresh (data);
  return G_SOURCE_CONTINUE;
}

void
cb_relay_list_refresh (CbRelayList *self)
{
  g_return_if_fail (CB_IS_RELAY_LIST (self));

  if (self->polling)
    return;
  self->polling = TRUE;
  send_call (self, CALL_LIST, NULL, NULL, NULL);
}

void
cb_relay_list_push (CbRelayList *self,
                    const char  *uri,
                    const char  *local_name,
                    const char  *remote_name)
{
  g_return_if_fail (CB_IS_RELAY_LIST (self));
  send_call (self, CALL_PUSH, uri, local_name, remote_name);
}

void
cb_relay_list_pull (CbRelayList *self,
                    const char  *uri,
                    const char  *remote_name,
                    const char  *local_name)
{
  g_return_if_fail (CB_IS_RELAY_LIST (self));

  if (uri != NULL && (g_str_has_prefix (uri, "rtmp://") || g_str_has_prefix (uri, "rtmps://")))
    send_call (self, CALL_RTMP_PULL, uri, local_name, NULL);
  else
    send_call (self, CALL_PULL, uri, local_name, remote_name);
}

void
cb_relay_list_stop (CbRelayList *self,
                    CbRelay     *relay)
{
  g_return_if_fail (CB_IS_RELAY_LIST (self));
  g_return_if_fail (CB_IS_RELAY (relay));

  relay->stopped_here = TRUE;
  send_call (self, relay->kind == CB_RELAY_RTMP_PULL ? CALL_STOP_RTMP_PULL : CALL_STOP,
             relay->uri, relay->local_name, relay->remote_name);
}

void
cb_relay_list_stop_rtmp_pull (CbRelayList *self,
                              const char  *local_name)
{
  g_return_if_fail (CB_IS_RELAY_LIST (self));
  g_return_if_fail (local_name != NULL);

  send_call (self, CALL_STOP_RTMP_PULL, NULL, local_name, NULL);
}

static void
cb_relay_list_dispose (GObject *object)
{
  CbRelayList *self = CB_RELAY_LIST (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_object (&self->log);
  g_clear_object (&self->engine);
  G_OBJECT_CLASS (cb_relay_list_parent_class)->dispose (object);
}

static void
cb_relay_list_finalize (GObject *object)
{
  CbRelayList *self = CB_RELAY_LIST (object);

  g_clear_object (&self->items);
  G_OBJECT_CLASS (cb_relay_list_parent_class)->finalize (object);
}

static void
cb_relay_list_class_init (CbRelayListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_relay_list_dispose;
  object_class->finalize = cb_relay_list_finalize;

  /* A message for people. */
  signals[SIGNAL_OPERATION_FAILED] =
    g_signal_new ("operation-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cb_relay_list_init (CbRelayList *self)
{
  self->items = g_list_store_new (CB_TYPE_RELAY);
  g_signal_connect (self->items, "items-changed", G_CALLBACK (on_store_items_changed), self);
}

CbRelayList *
cb_relay_list_new (CbEngine   *engine,
                   CbEventLog *log)
{
  CbRelayList *self;

  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (log == NULL || CB_IS_EVENT_LOG (log), NULL);

  self = g_object_new (CB_TYPE_RELAY_LIST, NULL);
  self->engine = g_object_ref (engine);
  self->log = log != NULL ? g_object_ref (log) : NULL;
  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, on_poll, self);
  cb_relay_list_refresh (self);
  return self;
}
