/* cb-destination-list.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two sources meet here. The destinations people made are read from a file (keys from
 * the secret store) and written back when they change. The engine's push agents, which
 * REST calls start and stop as well as this list, are followed through a CbMirror
 * (cb-mirror.c) as CbStreamList follows streams: CbPushInfo snapshots taken on the
 * engine thread reach the UI thread in the order they were sent. An agent belongs to the
 * destination that started it (tagged on the engine thread while cb_engine_push_start()
 * runs), else to the remembered destination with the same stream and target (compared
 * by digest, cb_push_target_digest(), so that no key is shown to compare), else it is
 * shown as an external destination for as long as it lives.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cb-destination-config.h"
#include "cb-destination-list.h"
#include "cb-destination-presets.h"
#include "cb-error-text.h"
#include "cb-mirror-private.h"
#include "cb-secret-store.h"

#define TICK_INTERVAL_MS 1000

struct _CbDestinationList
{
  GObject        parent_instance;

  CbEngine      *engine;
  char          *config_path;
  GPtrArray     *items;            /* CbDestination */
  CbMirror      *mirror;
  GCancellable  *cancellable;
  guint          tick_id;
  GHashTable    *restart;          /* ids of destinations to start again once stopped */
  GHashTable    *reading;          /* ids of destinations whose secrets are being read */
  char          *live_stream;      /* the studio's Go Live stream while it is live */
  GHashTable    *locked;           /* ids of destinations the locked store held back → their
                                    * server had a secret too (GINT_TO_POINTER) */

  gboolean       file_read;        /* saving before would lose what the file has */
  gboolean       save_pending;
  gboolean       loaded;           /* the file is read and the keys looked up */
  guint          n_lookups;
  guint          n_stores;
  gboolean       writing;
  gboolean       write_again;
};

static void cb_destination_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CbDestinationList, cb_destination_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cb_destination_list_model_init))

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_CONFIG_PATH,
  PROP_N_ITEMS,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_OPERATION_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void save              (CbDestinationList *self);
static gboolean start_destination (CbDestinationList *self,
                                   CbDestination     *destination);

/* Model. */

static GType
cb_destination_list_get_item_type (GListModel *model)
{
  return CB_TYPE_DESTINATION;
}

static guint
cb_destination_list_get_n_items (GListModel *model)
{
  return CB_DESTINATION_LIST (model)->items->len;
}

static gpointer
cb_destination_list_get_item (GListModel *model,
                              guint       position)
{
  return cb_mirror_rows_get_item (CB_DESTINATION_LIST (model)->items, position);
}

static void
cb_destination_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cb_destination_list_get_item_type;
  iface->get_n_items = cb_destination_list_get_n_items;
  iface->get_item = cb_destination_list_get_item;
}

static void
append_item (CbDestinationList *self,
             CbDestination     *destination)
{
  guint position = self->items->len;

  /* Remembered destinations first, in the order they were made; external ones after. */
  if (!cb_destination_is_external (destination))
    {
      position = 0;
      while (position < self->items->len &&
             !cb_destination_is_external (g_ptr_array_index (self->items, position)))
        position++;
    }
  cb_mirror_rows_insert (G_LIST_MODEL (self), self->items, properties[PROP_N_ITEMS], position,
                         destination);
}

static void
remove_item (CbDestinationList *self,
             CbDestination     *destination)
{
  guint position;

  if (g_ptr_array_find (self->items, destination, &position))
    cb_mirror_rows_remove (G_LIST_MODEL (self), self->items, properties[PROP_N_ITEMS], position);
}

static CbDestination *
lookup_id (CbDestinationList *self,
           const char        *id)
{
  for (guint i = 0; id != NULL && i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (cb_destination_get_id (destination), id) == 0)
        return destination;
    }
  return NULL;
}

CbDestination *
cb_destination_list_lookup_session (CbDestinationList *self,
                                    const char        *media_session_id)
{
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), NULL);

  for (guint i = 0; media_session_id != NULL && i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (cb_destination_get_media_session_id (destination), media_session_id) == 0)
        return destination;
    }
  return NULL;
}

/* Where @destination pushes, as cb_push_target_digest() tells it: compared with an
 * agent's CbPushInfo target, so that neither side shows its key. */
static char *
target_of (CbDestination *destination)
{
  g_autofree char *url = cb_destination_compose_url (cb_destination_get_server (destination),
                                                     cb_destination_get_key (destination));

  return cb_push_target_digest (url);
}

/* A remembered destination, idle, that pushes the same stream to the same place (only
 * pushes started elsewhere are matched this way). */
static CbDestination *
match_remembered (CbDestinationList *self,
                  const CbPushInfo  *info)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);
      g_autofree char *target = NULL;

      if (cb_destination_is_external (destination) || cb_destination_is_active (destination) ||
          cb_destination_get_busy (destination) ||
          cb_destination_get_key_storage (destination) == CB_KEY_PENDING ||
          g_strcmp0 (cb_destination_get_stream_name (destination), info->stream_name) != 0)
        continue;
      target = target_of (destination);
      if (target != NULL && g_strcmp0 (target, info->target) == 0)
        return destination;
    }
  return NULL;
}

/* A key became known: an external push to the same place is this destination's. */
static void
adopt_external (CbDestinationList *self,
                CbDestination     *destination)
{
  g_autofree char *target = target_of (destination);

  for (guint i = 0; target != NULL && i < self->items->len; i++)
    {
      CbDestination *external = g_ptr_array_index (self->items, i);
      const CbPushInfo *info = cb_destination_get_info (external);

      if (!cb_destination_is_external (external) || !cb_destination_is_active (external) ||
          info == NULL ||
          g_strcmp0 (cb_destination_get_stream_name (destination),
                     cb_destination_get_stream_name (external)) != 0)
        continue;
      if (g_strcmp0 (target, info->target) == 0)
        {
          g_autoptr(CbDestination) hold = g_object_ref (external);

          cb_destination_apply_info (destination, info);
          remove_item (self, external);
          return;
        }
    }
}

/* Updates from the engine, through the mirror: snapshots taken on the engine thread,
 * applied on the UI thread. */

/* @owner_id: the destination whose cb_engine_push_start() added the agent, when it was
 * one of this list's. */
static void
apply_info (gpointer    list,
            gpointer    snapshot,
            const char *owner_id)
{
  CbDestinationList *self = list;
  const CbPushInfo *info = snapshot;
  CbDestination *destination = cb_destination_list_lookup_session (self, info->media_session_id);

  if (destination == NULL && owner_id != NULL)
    destination = lookup_id (self, owner_id);
  if (destination == NULL && info->state != CB_PUSH_STOPPED)
    destination = match_remembered (self, info);

  if (destination != NULL)
    {
      cb_destination_apply_info (destination, info);
    }
  else if (info->state != CB_PUSH_STOPPED)
    {
      g_autoptr(CbDestination) external = cb_destination_new_external (info);

      append_item (self, external);
    }
}

/* The destination whose agent this was, running or not. */
static CbDestination *
lookup_last_session (CbDestinationList *self,
                     const char        *media_session_id)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);
      const CbPushInfo *info = cb_destination_get_info (destination);

      if (info != NULL && g_strcmp0 (info->media_session_id, media_session_id) == 0)
        return destination;
    }
  return NULL;
}

/* After an edit, a running destination was stopped to start again with its new
 * settings: once the old agent is gone and nothing else is on its way. */
static void
maybe_restart (CbDestinationList *self,
               CbDestination     *destination)
{
  if (cb_destination_is_active (destination) || cb_destination_get_busy (destination))
    return;
  if (g_hash_table_remove (self->restart, cb_destination_get_id (destination)))
    start_destination (self, destination);
}

static void
apply_removed (gpointer    list,
               gpointer    snapshot,
               const char *tag)
{
  CbDestinationList *self = list;
  const CbPushInfo *info = snapshot;
  CbDestination *destination = lookup_last_session (self, info->media_session_id);
  g_autoptr(CbDestination) hold = NULL;

  if (destination == NULL)
    return;
  hold = g_object_ref (destination);

  if (cb_destination_is_external (destination))
    {
      remove_item (self, destination);
      return;
    }
  /* Ended while live, not from here (REST's push/terminate, given up): switched off, so
   * that the next Go Live does not bring back what someone stopped. */
  if (!cb_destination_get_stopped_here (destination) && cb_destination_get_enabled (destination) &&
      g_strcmp0 (cb_destination_get_stream_name (destination), self->live_stream) == 0 &&
      !g_hash_table_contains (self->restart, cb_destination_get_id (destination)))
    {
      cb_destination_set_enabled (destination, FALSE);
      save (self);
    }
  cb_destination_apply_info (destination, info);
  cb_destination_detach (destination);
  maybe_restart (self, destination);
}

/* After a listing of every agent: destinations whose agent is not in it are detached. */
static void
drop_missing (gpointer    list,
              GHashTable *ids)
{
  CbDestinationList *self = list;

  for (guint i = self->items->len; i > 0; i--)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i - 1);
      const char *id = cb_destination_get_media_session_id (destination);

      if (id == NULL || g_hash_table_contains (ids, id))
        continue;
      if (cb_destination_is_external (destination))
        remove_item (self, destination);
      else
        cb_destination_detach (destination);
    }
}

static const char *
snapshot_id (gpointer info)
{
  return ((const CbPushInfo *) info)->media_session_id;
}

static GPtrArray *
list_agents (CbEngine *engine)
{
  return cb_engine_find_pushes (engine, NULL, NULL);
}

static const CbMirrorFuncs mirror_funcs = {
  .added = { "push-added", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
             (GDestroyNotify) cb_push_info_free, apply_info },
  .changed = { "push-changed", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
               (GDestroyNotify) cb_push_info_free, apply_info },
  .removed = { "push-removed", (CbMirrorSnapshotFunc) cb_push_agent_get_info,
               (GDestroyNotify) cb_push_info_free, apply_removed },
  .list_all = list_agents,
  .snapshot_id = snapshot_id,
  .drop_missing = drop_missing,
};

/* Operations, run on the engine's thread. */

typedef enum {
  OP_START,
  OP_TERMINATE,
  OP_MUTE,
  OP_UNMUTE,
  OP_RETRY,
} OpKind;

typedef struct
{
  OpKind                kind;
  CbEngine             *engine;
  CbMirror             *mirror;
  char                 *destination_id;
  char                 *session_id;
  char                 *stream_name;
  char                 *url;              /* holds the key */
  CbDestinationProfile  profile;
  GError               *error;            /* written on the engine thread, read after the hop */
} Op;

static void
op_clear (gpointer data)
{
  Op *op = data;

  g_object_unref (op->engine);
  cb_mirror_unref (op->mirror);
  g_free (op->destination_id);
  g_free (op->session_id);
  g_free (op->stream_name);
  g_free (op->url);
  g_clear_error (&op->error);
}

static void
op_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, op_clear);
}

static gboolean
op_reply (gpointer data)
{
  Op *op = data;
  CbDestinationList *self = cb_mirror_get_list (op->mirror);
  CbDestination *destination;
  g_autofree char *message = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  destination = lookup_id (self, op->destination_id);
  if (destination != NULL && (op->kind == OP_START || op->kind == OP_TERMINATE))
    cb_destination_set_busy (destination, FALSE);
  if (destination != NULL && op->kind == OP_TERMINATE)
    maybe_restart (self, destination);

  /* Stopping what is already gone is what was asked for; a destination switched on
   * while its stream is not live waits for Go Live. */
  if (op->error == NULL ||
      (op->kind == OP_TERMINATE &&
       g_error_matches (op->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND)) ||
      (op->kind == OP_START && destination != NULL && cb_destination_get_enabled (destination) &&
       g_error_matches (op->error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_NOT_FOUND)))
    return G_SOURCE_REMOVE;

  /* Refused by the engine (a bad address, already pushed there): not on after all. */
  if (op->kind == OP_START && destination != NULL && cb_destination_get_enabled (destination))
    {
      cb_destination_set_enabled (destination, FALSE);
      save (self);
    }
  /* English for the log, which never sees the URL; people get the translation. */
  g_debug ("Destination operation %d failed: %s", op->kind, op->error->message);
  message = cb_error_text (op->error, op->kind == OP_START ? CB_ERROR_ABOUT_DESTINATION_START
                                                        : CB_ERROR_ABOUT_DESTINATION,
                           op->stream_name);
  if (destination != NULL)
    cb_destination_set_error (destination, message);
  g_signal_emit (self, signals[SIGNAL_OPERATION_FAILED], 0, destination, message);
  return G_SOURCE_REMOVE;
}

static gboolean
op_run (gpointer data)
{
  Op *op = data;
  g_autoptr(CbPushAgent) agent = NULL;

  switch (op->kind)
    {
    case OP_START:
      {
        g_autoptr(CbStream) stream = cb_engine_lookup_stream (op->engine, op->stream_name);
        CbSettings *settings = cb_engine_get_settings (op->engine);
        CbPushRequest request = { 0 };
        double source_fps = 0;

        if (stream != NULL)
          {
            g_autoptr(CbStreamInfo) info = cb_stream_get_snapshot (stream);

            source_fps = info->media.fps;
          }
        request.stream_name = op->stream_name;
        request.rtmp_url = op->url;
        request.full_url = 1;
        /* The studio's destinations come back by themselves unless the settings say no
         * (REST's pushes follow rtmp_push_restore instead). */
        if (cb_settings_get_bool (settings, "studio_push_restore"))
          {
            gint64 attempts = cb_settings_get_int (settings, "studio_push_restore_attempts");

            request.restore = CB_PUSH_RESTORE_ON;
            /* 0 would mean "from rtmp_push_restore_attempts": none is none here. */
            if (attempts == 0)
              request.restore = CB_PUSH_RESTORE_OFF;
            request.restore_attempts = (int) CLAMP (attempts, -1, G_MAXINT);
            request.restore_interval_ms =
              (int) CLAMP (cb_settings_get_int (settings, "studio_push_restore_interval_ms"),
                           0, G_MAXINT);
          }
        else
          request.restore = CB_PUSH_RESTORE_OFF;
        cb_destination_profile_to_engine (&op->profile, source_fps, &request.profile);

        cb_mirror_set_tag (op->mirror, op->destination_id);
        agent = cb_engine_push_start (op->engine, &request, &op->error);
        cb_mirror_set_tag (op->mirror, NULL);
        if (agent != NULL)
          op->session_id = g_strdup (cb_push_agent_get_id (agent));
      }
      break;
    case OP_TERMINATE:
      cb_engine_push_terminate (op->engine, op->session_id, &op->error);
      break;
    case OP_MUTE:
    case OP_UNMUTE:
      cb_engine_push_set_muted (op->engine, op->session_id, op->kind == OP_MUTE, &op->error);
      break;
    case OP_RETRY:
      cb_engine_push_retry_now (op->engine, op->session_id, &op->error);
      break;
    default:
      g_assert_not_reached ();
    }

  cb_mirror_invoke (op->mirror, op_reply, g_atomic_rc_box_acquire (op), op_unref);
  return G_SOURCE_REMOVE;
}

static Op *
op_new (CbDestinationList *self,
        OpKind             kind,
        CbDestination     *destination)
{
  Op *op = g_atomic_rc_box_new0 (Op);

  op->kind = kind;
  op->engine = g_object_ref (self->engine);
  op->mirror = cb_mirror_ref (self->mirror);
  op->destination_id = g_strdup (cb_destination_get_id (destination));
  op->session_id = g_strdup (cb_destination_get_media_session_id (destination));
  return op;
}

static void
op_send (CbDestinationList *self,
         Op                *op)
{
  cb_engine_invoke (self->engine, op_run, op, op_unref);
}

static void
fail_now (CbDestinationList *self,
          CbDestination     *destination,
          const char        *message)
{
  cb_destination_set_error (destination, message);
  /* The switch goes back. */
  cb_destination_set_busy (destination, TRUE);
  cb_destination_set_busy (destination, FALSE);
  g_signal_emit (self, signals[SIGNAL_OPERATION_FAILED], 0, destination, message);
}

/* FALSE when it was refused at once (fail_now()). */
static gboolean
start_destination (CbDestinationList *self,
                   CbDestination     *destination)
{
  const CbDestinationPreset *preset;
  g_autoptr(GError) error = NULL;
  Op *op;

  if (cb_destination_is_active (destination) || cb_destination_get_busy (destination) ||
      cb_destination_is_external (destination))
    return TRUE;

  if (g_hash_table_contains (self->reading, cb_destination_get_id (destination)))
    {
      fail_now (self, destination, _("The secret store is still being read: try again in a "
                                     "moment"));
      return FALSE;
    }
  /* Their note says why, better than the masked address would. */
  if (cb_destination_get_key_storage (destination) == CB_KEY_SERVER_MISSING ||
      cb_destination_get_key_storage (destination) == CB_KEY_LOCKED)
    {
      fail_now (self, destination, cb_destination_get_note (destination));
      return FALSE;
    }

  preset = cb_destination_preset_lookup (cb_destination_get_preset_id (destination));
  if (!cb_destination_has_key (destination) && !cb_destination_preset_is_custom (preset))
    {
      fail_now (self, destination, _("Enter the stream key first"));
      return FALSE;
    }
  if (!cb_destination_check_url (cb_destination_get_server (destination),
                                 cb_destination_get_key (destination), &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("The destination’s address cannot be used: %s"), error->message);

      fail_now (self, destination, message);
      return FALSE;
    }

  cb_destination_set_error (destination, NULL);
  cb_destination_set_busy (destination, TRUE);
  op = op_new (self, OP_START, destination);
  op->stream_name = g_strdup (cb_destination_get_stream_name (destination));
  op->url = cb_destination_dup_push_url (destination);
  cb_destination_get_profile (destination, &op->profile);
  op_send (self, op);
  return TRUE;
}

void
cb_destination_list_start (CbDestinationList *self,
                           CbDestination     *destination)
{
  gboolean was_enabled;

  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));

  g_hash_table_remove (self->restart, cb_destination_get_id (destination));
  was_enabled = cb_destination_get_enabled (destination);
  cb_destination_set_enabled (destination, TRUE);
  /* Refused at once (no key, a bad address, a locked store): not switched on after all. */
  if (!start_destination (self, destination))
    cb_destination_set_enabled (destination, was_enabled);
  if (cb_destination_get_enabled (destination) != was_enabled)
    save (self);
}

static void
terminate (CbDestinationList *self,
           CbDestination     *destination)
{
  if (!cb_destination_is_active (destination))
    return;
  cb_destination_set_error (destination, NULL);
  cb_destination_set_busy (destination, TRUE);
  cb_destination_set_stopped_here (destination);
  op_send (self, op_new (self, OP_TERMINATE, destination));
}

void
cb_destination_list_stop (CbDestinationList *self,
                          CbDestination     *destination)
{
  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));

  g_hash_table_remove (self->restart, cb_destination_get_id (destination));
  if (cb_destination_get_enabled (destination))
    {
      cb_destination_set_enabled (destination, FALSE);
      save (self);
    }
  terminate (self, destination);
}

void
cb_destination_list_set_live_stream (CbDestinationList *self,
                                     const char        *stream_name)
{
  g_return_if_fail (CB_IS_DESTINATION_LIST (self));

  g_free (self->live_stream);
  self->live_stream = g_strdup (stream_name);
}

guint
cb_destination_list_start_enabled (CbDestinationList *self,
                                   const char        *stream_name)
{
  guint n = 0;

  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), 0);
  g_return_val_if_fail (stream_name != NULL, 0);

  for (guint i = 0; i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);

      if (!cb_destination_get_enabled (destination) ||
          g_strcmp0 (cb_destination_get_stream_name (destination), stream_name) != 0)
        continue;
      g_hash_table_remove (self->restart, cb_destination_get_id (destination));
      start_destination (self, destination);
      n++;
    }
  return n;
}

guint
cb_destination_list_stop_stream (CbDestinationList *self,
                                 const char        *stream_name)
{
  guint n = 0;

  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), 0);
  g_return_val_if_fail (stream_name != NULL, 0);

  for (guint i = 0; i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);

      /* A busy one is being switched off (or on) already: that stands. */
      if (cb_destination_is_external (destination) || !cb_destination_is_active (destination) ||
          cb_destination_get_busy (destination) ||
          g_strcmp0 (cb_destination_get_stream_name (destination), stream_name) != 0)
        continue;
      g_hash_table_remove (self->restart, cb_destination_get_id (destination));
      /* What was on comes back with the next Go Live. */
      if (!cb_destination_get_enabled (destination))
        {
          cb_destination_set_enabled (destination, TRUE);
          save (self);
        }
      terminate (self, destination);
      n++;
    }
  return n;
}

void
cb_destination_list_set_muted (CbDestinationList *self,
                               CbDestination     *destination,
                               gboolean           muted)
{
  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));

  if (!cb_destination_is_active (destination) || cb_destination_get_muted (destination) == muted)
    return;
  op_send (self, op_new (self, muted ? OP_MUTE : OP_UNMUTE, destination));
}

void
cb_destination_list_retry_now (CbDestinationList *self,
                               CbDestination     *destination)
{
  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));

  if (!cb_destination_is_active (destination))
    return;
  op_send (self, op_new (self, OP_RETRY, destination));
}

/* The secret store. */

/* The list is not kept alive by a secret store that takes its time (it may wait for
 * the user to unlock the keyring): the answer finds it through the mirror, or not. A
 * destination's secrets (its server's URL when that holds a password, then its key) are
 * stored and read one after the other by the same call. */
typedef struct
{
  CbMirror *mirror;
  char     *destination_id;
  GQueue    parts;           /* const char *: CB_SECRET_SERVER, CB_SECRET_KEY */
  gboolean found_server;
} KeyCall;

static KeyCall *
key_call_new (CbDestinationList *self,
              CbDestination     *destination)
{
  KeyCall *call = g_new0 (KeyCall, 1);

  call->mirror = cb_mirror_ref (self->mirror);
  call->destination_id = g_strdup (cb_destination_get_id (destination));
  g_queue_init (&call->parts);
  return call;
}

static void
key_call_free (KeyCall *call)
{
  cb_mirror_unref (call->mirror);
  g_free (call->destination_id);
  g_queue_clear (&call->parts);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyCall, key_call_free)

static CbKeyStorage
storage_for_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return CB_KEY_MEMORY_UNSUPPORTED;
  return CB_KEY_MEMORY_NO_SERVICE;
}

static void store_next (CbDestinationList *self,
                        KeyCall           *call);

static void
on_secret_stored (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KeyCall) call = user_data;
  CbDestinationList *self = cb_mirror_get_list (call->mirror);
  CbDestination *destination;
  g_autoptr(GError) error = NULL;
  gboolean stored = cb_secret_store_save_finish (result, &error);

  if (self == NULL)
    return;

  destination = lookup_id (self, call->destination_id);
  if (destination == NULL || cb_destination_get_key_storage (destination) != CB_KEY_PENDING)
    {
      self->n_stores--;
      save (self);
      return;
    }
  if (!stored)
    {
      self->n_stores--;
      g_debug ("The destination's secrets stay in memory: %s", error->message);
      cb_destination_set_key_storage (destination, storage_for_error (error));
      save (self);
      return;
    }
  store_next (self, g_steal_pointer (&call));
}

/* Takes @call. */
static void
store_next (CbDestinationList *self,
            KeyCall           *call)
{
  CbDestination *destination = lookup_id (self, call->destination_id);
  const char *part = g_queue_pop_head (&call->parts);
  g_autofree char *label = NULL;
  const char *value;

  if (destination == NULL || part == NULL)
    {
      if (destination != NULL)
        cb_destination_set_key_storage (destination, CB_KEY_STORED);
      self->n_stores--;
      key_call_free (call);
      save (self);
      return;
    }

  /* Shown in Passwords and Keys (Seahorse): say what it is, not the secret. */
  if (g_str_equal (part, CB_SECRET_KEY))
    {
      label = g_strdup_printf (_("Castbridge stream key for %s"),
                               cb_destination_get_masked_url (destination));
      value = cb_destination_get_key (destination);
    }
  else
    {
      g_autofree char *masked = cb_destination_mask_server (cb_destination_get_server (destination),
                                                            cb_destination_get_key (destination));

      label = g_strdup_printf (_("Castbridge server address %s"), masked);
      value = cb_destination_get_server (destination);
    }
  cb_secret_store_save_async (cb_destination_get_id (destination), part, label, value,
                              self->cancellable, on_secret_stored, call);
}

static void
store_secrets (CbDestinationList *self,
               CbDestination     *destination)
{
  KeyCall *call;
  gboolean server_secret;

  /* Storing replaces what the store has for the same destination and part; a clear sent
   * now could arrive after the new items and take them away. Only when there is
   * nothing left to keep. */
  server_secret = cb_destination_server_has_secret (cb_destination_get_server (destination),
                                                   cb_destination_get_key (destination));
  if (!cb_destination_has_key (destination) && !server_secret)
    {
      cb_secret_store_delete (cb_destination_get_id (destination));
      cb_destination_set_key_storage (destination, CB_KEY_NONE);
      return;
    }

  call = key_call_new (self, destination);
  if (server_secret)
    g_queue_push_tail (&call->parts, (gpointer) CB_SECRET_SERVER);
  if (cb_destination_has_key (destination))
    g_queue_push_tail (&call->parts, (gpointer) CB_SECRET_KEY);
  cb_destination_set_key_storage (destination, CB_KEY_PENDING);
  self->n_stores++;
  store_next (self, call);
}

static void
set_loaded (CbDestinationList *self)
{
  if (self->loaded || self->n_lookups > 0)
    return;
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void lookup_next (CbDestinationList *self,
                         KeyCall           *call);

static void
lookup_done (CbDestinationList *self,
             KeyCall           *call)
{
  g_hash_table_remove (self->reading, call->destination_id);
  self->n_lookups--;
  set_loaded (self);
}

typedef struct
{
  CbMirror *mirror;
  char     *destination_id;
  gboolean  server_secret;
} LockCheck;

static void
lock_check_free (LockCheck *check)
{
  cb_mirror_unref (check->mirror);
  g_free (check->destination_id);
  g_free (check);
}

static void
on_lock_checked (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LockCheck *check = user_data;
  CbDestinationList *self = cb_mirror_get_list (check->mirror);
  g_autoptr(GError) error = NULL;
  gboolean locked = cb_secret_store_check_locked_finish (result, &error);
  CbDestination *destination = self != NULL ? lookup_id (self, check->destination_id) : NULL;

  if (destination != NULL && locked)
    {
      CbKeyStorage storage = cb_destination_get_key_storage (destination);

      /* Only while nothing else has come since (a new key typed in, say). */
      if (storage == CB_KEY_MISSING || storage == CB_KEY_SERVER_MISSING ||
          storage == CB_KEY_MEMORY_NO_SERVICE)
        {
          g_hash_table_insert (self->locked, g_strdup (check->destination_id),
                               GINT_TO_POINTER (check->server_secret));
          cb_destination_set_key_storage (destination, CB_KEY_LOCKED);
        }
    }
  else if (error != NULL)
    g_debug ("Cannot tell whether the secret store is locked: %s", error->message);
  lock_check_free (check);
}

static void
check_locked (CbDestinationList *self,
              CbDestination     *destination,
              gboolean           server_secret)
{
  LockCheck *check = g_new0 (LockCheck, 1);

  check->mirror = cb_mirror_ref (self->mirror);
  check->destination_id = g_strdup (cb_destination_get_id (destination));
  check->server_secret = server_secret;
  cb_secret_store_check_locked_async (self->cancellable, on_lock_checked, check);
}

static void
on_secret_looked_up (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KeyCall) call = user_data;
  CbDestinationList *self = cb_mirror_get_list (call->mirror);
  CbDestination *destination;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = cb_secret_store_lookup_finish (result, &error);
  const char *part = g_queue_pop_head (&call->parts);

  if (self == NULL)
    return;

  destination = lookup_id (self, call->destination_id);
  if (destination == NULL || cb_destination_get_key_storage (destination) != CB_KEY_PENDING)
    {
      lookup_done (self, call);
      return;
    }

  /* A custom server's URL may name the stream itself: no key is needed then. */
  if (error == NULL && secret == NULL && call->found_server &&
      g_str_equal (part, CB_SECRET_KEY))
    {
      lookup_next (self, g_steal_pointer (&call));
      return;
    }

  if (error != NULL || secret == NULL)
    {
      gboolean server = g_str_equal (part, CB_SECRET_SERVER);

      if (error != NULL)
        g_debug ("Nothing from the secret store: %s", error->message);
      /* Without its server's password a destination cannot be mended with a new key. */
      cb_destination_set_key_storage (destination,
                                      server ? CB_KEY_SERVER_MISSING
                                      : error != NULL ? storage_for_error (error)
                                      : CB_KEY_MISSING);
      /* Or the store is locked: then it is not missing, only held back. */
      if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        check_locked (self, destination, server || call->found_server);
      lookup_done (self, call);
      return;
    }

  if (g_str_equal (part, CB_SECRET_SERVER))
    {
      cb_destination_set_server (destination, secret);
      call->found_server = TRUE;
    }
  else
    cb_destination_set_key (destination, secret);
  memset (secret, 0, strlen (secret));
  lookup_next (self, g_steal_pointer (&call));
}

/* Takes @call. */
static void
lookup_next (CbDestinationList *self,
             KeyCall           *call)
{
  CbDestination *destination = lookup_id (self, call->destination_id);
  const char *part = g_queue_peek_head (&call->parts);

  if (destination != NULL && part == NULL)
    {
      cb_destination_set_key_storage (destination, CB_KEY_STORED);
      adopt_external (self, destination);
    }
  if (destination == NULL || part == NULL)
    {
      lookup_done (self, call);
      key_call_free (call);
      return;
    }
  cb_secret_store_lookup_async (call->destination_id, part, self->cancellable,
                                on_secret_looked_up, call);
}

static void
look_up_secrets (CbDestinationList         *self,
                 CbDestination             *destination,
                 const CbDestinationRecord *record)
{
  KeyCall *call = key_call_new (self, destination);

  if (record->server_secret)
    g_queue_push_tail (&call->parts, (gpointer) CB_SECRET_SERVER);
  g_queue_push_tail (&call->parts, (gpointer) CB_SECRET_KEY);
  cb_destination_set_key_storage (destination, CB_KEY_PENDING);
  g_hash_table_add (self->reading, g_strdup (cb_destination_get_id (destination)));
  self->n_lookups++;
  lookup_next (self, call);
}

/* Unlocking: the desktop asks for the password; then the secrets are read again. */

static void
on_unlocked (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CbMirror *mirror = user_data;
  CbDestinationList *self = cb_mirror_get_list (mirror);
  g_autoptr(GError) error = NULL;
  gboolean unlocked = cb_secret_store_unlock_finish (result, &error);
  GHashTableIter iter;
  gpointer id, server_secret;

  if (self == NULL || !unlocked)
    {
      if (error != NULL)
        g_debug ("The secret store stays locked: %s", error->message);
      cb_mirror_unref (mirror);
      return;
    }

  g_hash_table_iter_init (&iter, self->locked);
  while (g_hash_table_iter_next (&iter, &id, &server_secret))
    {
      CbDestination *destination = lookup_id (self, id);
      CbDestinationRecord record = { .server_secret = GPOINTER_TO_INT (server_secret) };

      if (destination != NULL && cb_destination_get_key_storage (destination) == CB_KEY_LOCKED)
        look_up_secrets (self, destination, &record);
      g_hash_table_iter_remove (&iter);
    }
  cb_mirror_unref (mirror);
}

void
cb_destination_list_unlock (CbDestinationList *self)
{
  g_return_if_fail (CB_IS_DESTINATION_LIST (self));

  cb_secret_store_unlock_async (self->cancellable, on_unlocked, cb_mirror_ref (self->mirror));
}

/* The file. Read and written on a worker thread: the UI never waits on the disk. */

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  GPtrArray *records;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Cannot read %s: %s", path, error->message);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  records = cb_destination_config_parse (contents, length, &error);
  if (records == NULL)
    {
      /* Not ours, or damaged: put it aside rather than overwrite it at the next save. */
      g_autofree char *aside = g_strconcat (path, ".broken", NULL);

      g_warning ("Cannot use %s (%s); moved it to %s", path, error->message, aside);
      g_rename (path, aside);
    }
  g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CbMirror *mirror = user_data;
  CbDestinationList *self = cb_mirror_get_list (mirror);
  g_autoptr(GPtrArray) records = g_task_propagate_pointer (G_TASK (result), NULL);
  gboolean supported = cb_secret_store_is_supported ();

  cb_mirror_unref (mirror);
  if (self == NULL)
    return;

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      CbDestinationRecord *record = g_ptr_array_index (records, i);
      g_autoptr(CbDestination) destination = NULL;

      if (lookup_id (self, record->id) != NULL)
        continue;
      destination = cb_destination_new (record->id, record->preset_id, record->server,
                                        record->stream_name);
      cb_destination_set_profile (destination, &record->profile);
      cb_destination_set_enabled (destination, record->enabled);
      append_item (self, destination);

      if (record->key == CB_RECORD_KEY_NONE)
        cb_destination_set_key_storage (destination, CB_KEY_NONE);
      else if (record->key == CB_RECORD_KEY_SECRET_STORE && supported)
        look_up_secrets (self, destination, record);
      else if (record->server_secret)
        cb_destination_set_key_storage (destination, CB_KEY_SERVER_MISSING);
      else
        cb_destination_set_key_storage (destination, supported ? CB_KEY_MISSING
                                                               : CB_KEY_MEMORY_UNSUPPORTED);
    }

  self->file_read = TRUE;
  if (self->save_pending)
    save (self);

  /* Only now the agents: one started over REST may be a remembered destination's. */
  cb_mirror_connect (self->mirror, self->engine);
  set_loaded (self);
}

typedef struct
{
  char *path;
  char *contents;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *write = data;

  g_free (write->path);
  g_free (write->contents);
  g_free (write);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *write = task_data;
  g_autofree char *dir = g_path_get_dirname (write->path);
  GError *error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "Cannot make %s: %s", dir, g_strerror (saved_errno));
      return;
    }
  /* Atomic: a crash leaves the old file or the new one, never half of one. */
  if (!g_file_set_contents_full (write->path, write->contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void write_file (CbDestinationList *self);

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CbMirror *mirror = user_data;
  CbDestinationList *self = cb_mirror_get_list (mirror);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("The destinations were not saved: %s", error->message);
  cb_mirror_unref (mirror);
  if (self == NULL)
    return;
  self->writing = FALSE;
  if (self->write_again)
    write_file (self);
}

static void
write_file (CbDestinationList *self)
{
  g_autoptr(GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cb_destination_record_free);
  g_autoptr(GTask) task = NULL;
  WriteData *write;

  self->write_again = FALSE;
  self->save_pending = FALSE;
  for (guint i = 0; i < self->items->len; i++)
    {
      CbDestination *destination = g_ptr_array_index (self->items, i);

      if (!cb_destination_is_external (destination))
        g_ptr_array_add (records, cb_destination_record_new_from_destination (destination));
    }

  write = g_new0 (WriteData, 1);
  write->path = g_strdup (self->config_path);
  write->contents = cb_destination_config_serialize (records);

  self->writing = TRUE;
  /* Not cancellable: a change made just before quitting is still written. */
  task = g_task_new (NULL, NULL, on_written, cb_mirror_ref (self->mirror));
  g_task_set_source_tag (task, write_file);
  g_task_set_task_data (task, write, write_data_free);
  g_task_run_in_thread (task, write_thread);
}

static void
save (CbDestinationList *self)
{
  if (self->config_path == NULL)
    return;
  if (!self->file_read)
    {
      self->save_pending = TRUE;
      return;
    }
  if (self->writing)
    self->write_again = TRUE;
  else
    write_file (self);
}

/* Editing. */

CbDestination *
cb_destination_list_add (CbDestinationList          *self,
                         const char                 *preset_id,
                         const char                 *server,
                         const char                 *key,
                         const char                 *stream_name,
                         const CbDestinationProfile *profile)
{
  g_autoptr(CbDestination) destination = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *trimmed_server = g_strstrip (g_strdup (server != NULL ? server : ""));
  g_autofree char *trimmed_key = g_strstrip (g_strdup (key != NULL ? key : ""));

  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), NULL);
  g_return_val_if_fail (stream_name != NULL, NULL);

  destination = cb_destination_new (id, preset_id, trimmed_server, stream_name);
  if (profile != NULL)
    cb_destination_set_profile (destination, profile);
  cb_destination_set_key (destination, trimmed_key);
  memset (trimmed_key, 0, strlen (trimmed_key));
  cb_destination_set_key_storage (destination, CB_KEY_NONE);
  append_item (self, destination);

  store_secrets (self, destination);
  save (self);
  return destination;
}

void
cb_destination_list_remove (CbDestinationList *self,
                            CbDestination     *destination)
{
  g_autoptr(CbDestination) hold = NULL;

  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));

  hold = g_object_ref (destination);
  g_hash_table_remove (self->restart, cb_destination_get_id (destination));
  if (cb_destination_is_active (destination))
    op_send (self, op_new (self, OP_TERMINATE, destination));
  if (!cb_destination_is_external (destination))
    cb_secret_store_delete (cb_destination_get_id (destination));
  remove_item (self, destination);
  save (self);
}

void
cb_destination_list_edit (CbDestinationList          *self,
                          CbDestination              *destination,
                          const char                 *stream_name,
                          const char                 *key,
                          const CbDestinationProfile *profile)
{
  CbDestinationProfile old_profile;
  gboolean changed;

  g_return_if_fail (CB_IS_DESTINATION_LIST (self));
  g_return_if_fail (CB_IS_DESTINATION (destination));
  g_return_if_fail (!cb_destination_is_external (destination));

  cb_destination_get_profile (destination, &old_profile);
  changed = (stream_name != NULL &&
             g_strcmp0 (stream_name, cb_destination_get_stream_name (destination)) != 0) ||
            (key != NULL && g_strcmp0 (key, cb_destination_get_key (destination)) != 0) ||
            (profile != NULL && memcmp (profile, &old_profile, sizeof old_profile) != 0);
  if (!changed)
    return;

  if (stream_name != NULL)
    cb_destination_set_stream_name (destination, stream_name);
  if (profile != NULL)
    cb_destination_set_profile (destination, profile);
  if (key != NULL && g_strcmp0 (key, cb_destination_get_key (destination)) != 0)
    {
      cb_destination_set_key (destination, key);
      store_secrets (self, destination);
    }
  cb_destination_set_error (destination, NULL);
  save (self);

  /* The agent runs with what it was started with: a new one takes the new settings. */
  if (cb_destination_is_active (destination))
    {
      cb_destination_list_stop (self, destination);
      g_hash_table_add (self->restart, g_strdup (cb_destination_get_id (destination)));
    }
}

/* Once a second: graphs and countdowns move even when the engine has nothing new. */
static gboolean
on_tick (gpointer data)
{
  CbDestinationList *self = data;
  gint64 now_ms = g_get_real_time () / 1000;

  for (guint i = 0; i < self->items->len; i++)
    cb_destination_tick (g_ptr_array_index (self->items, i), now_ms);
  return G_SOURCE_CONTINUE;
}

/* GObject. */

static void
cb_destination_list_constructed (GObject *object)
{
  CbDestinationList *self = CB_DESTINATION_LIST (object);

  G_OBJECT_CLASS (cb_destination_list_parent_class)->constructed (object);

  g_assert (CB_IS_ENGINE (self->engine));

  self->mirror = cb_mirror_new (self, &mirror_funcs);

  if (self->config_path != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, on_read, cb_mirror_ref (self->mirror));

      g_task_set_source_tag (task, cb_destination_list_constructed);
      g_task_set_task_data (task, g_strdup (self->config_path), g_free);
      g_task_run_in_thread (task, read_thread);
    }
  else
    {
      cb_mirror_connect (self->mirror, self->engine);
      set_loaded (self);
    }
  self->tick_id = g_timeout_add (TICK_INTERVAL_MS, on_tick, self);
}

static void
cb_destination_list_dispose (GObject *object)
{
  CbDestinationList *self = CB_DESTINATION_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);

  if (self->mirror != NULL)
    {
      cb_mirror_close (self->mirror, self->engine);
      g_clear_pointer (&self->mirror, cb_mirror_unref);
    }

  cb_mirror_rows_clear (G_LIST_MODEL (self), self->items);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_destination_list_parent_class)->dispose (object);
}

static void
cb_destination_list_finalize (GObject *object)
{
  CbDestinationList *self = CB_DESTINATION_LIST (object);

  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->restart);
  g_hash_table_unref (self->reading);
  g_hash_table_unref (self->locked);
  g_free (self->live_stream);
  g_clear_object (&self->cancellable);
  g_free (self->config_path);

  G_OBJECT_CLASS (cb_destination_list_parent_class)->finalize (object);
}

static void
cb_destination_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CbDestinationList *self = CB_DESTINATION_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    case PROP_CONFIG_PATH:
      g_value_set_string (value, self->config_path);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_destination_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CbDestinationList *self = CB_DESTINATION_LIST (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;
    case PROP_CONFIG_PATH:
      self->config_path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_destination_list_class_init (CbDestinationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cb_destination_list_constructed;
  object_class->dispose = cb_destination_list_dispose;
  object_class->finalize = cb_destination_list_finalize;
  object_class->get_property = cb_destination_list_get_property;
  object_class->set_property = cb_destination_list_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, CB_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG_PATH] =
    g_param_spec_string ("config-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_OPERATION_FAILED] =
    g_signal_new ("operation-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, CB_TYPE_DESTINATION, G_TYPE_STRING);
}

static void
cb_destination_list_init (CbDestinationList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->restart = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->reading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->locked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

CbDestinationList *
cb_destination_list_new (CbEngine   *engine,
                         const char *config_path)
{
  g_return_val_if_fail (CB_IS_ENGINE (engine), NULL);

  return g_object_new (CB_TYPE_DESTINATION_LIST,
                       "engine", engine,
                       "config-path", config_path,
                       NULL);
}

CbEngine *
cb_destination_list_get_engine (CbDestinationList *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), NULL);
  return self->engine;
}

gboolean
cb_destination_list_is_loaded (CbDestinationList *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), FALSE);
  return self->loaded;
}

gboolean
cb_destination_list_is_saved (CbDestinationList *self)
{
  g_return_val_if_fail (CB_IS_DESTINATION_LIST (self), FALSE);
  return self->loaded && !self->save_pending && !self->writing && !self->write_again &&
         self->n_stores == 0;
}
