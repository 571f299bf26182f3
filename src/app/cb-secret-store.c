/* cb-secret-store.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One item per destination and part, found by the destination's id. libsecret is optional: a
 * build without it (or a desktop without a Secret Service) keeps keys in memory only,
 * and the Destinations panel says so instead of writing them to a plain file.
 */
#include "config.h"

#include "cb-secret-store.h"

#ifdef HAVE_LIBSECRET
# include <libsecret/secret.h>

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.castbridge.Castbridge.StreamKey", SECRET_SCHEMA_NONE,
    {
      { "destination", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "part", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}
#endif

gboolean
cb_secret_store_is_supported (void)
{
#ifdef HAVE_LIBSECRET
  return TRUE;
#else
  return FALSE;
#endif
}

#ifdef HAVE_LIBSECRET
static void
on_stored (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}
#endif

void
cb_secret_store_save_async (const char          *destination_id,
                            const char          *part,
                            const char          *label,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (destination_id != NULL);
  g_return_if_fail (part != NULL);
  g_return_if_fail (key != NULL);

  g_task_set_source_tag (task, cb_secret_store_save_async);
#ifdef HAVE_LIBSECRET
  /* The default collection: the login keyring, unlocked with the session. */
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, key, cancellable,
                         on_stored, g_steal_pointer (&task),
                         "destination", destination_id, "part", part, NULL);
#else
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Built without libsecret");
#endif
}

gboolean
cb_secret_store_save_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

#ifdef HAVE_LIBSECRET
static void
on_looked_up (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) secret_password_free);
}
#endif

void
cb_secret_store_lookup_async (const char          *destination_id,
                              const char          *part,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (destination_id != NULL);
  g_return_if_fail (part != NULL);

  g_task_set_source_tag (task, cb_secret_store_lookup_async);
#ifdef HAVE_LIBSECRET
  secret_password_lookup (get_schema (), cancellable, on_looked_up, g_steal_pointer (&task),
                          "destination", destination_id, "part", part, NULL);
#else
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Built without libsecret");
#endif
}

char *
cb_secret_store_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  char *key;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  key = g_task_propagate_pointer (G_TASK (result), error);
#ifdef HAVE_LIBSECRET
  /* Out of libsecret's non-pageable memory into ordinary memory, as the rest of the
   * program handles the key. */
  if (key != NULL)
    {
      char *copy = g_strdup (key);

      secret_password_free (key);
      key = copy;
    }
#endif
  return key;
}

#ifdef HAVE_LIBSECRET
static void
on_cleared (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error))
    {
      if (error != NULL)
        g_debug ("Could not forget a stream key: %s", error->message);
    }
}
#endif

void
cb_secret_store_delete (const char *destination_id)
{
  g_return_if_fail (destination_id != NULL);

#ifdef HAVE_LIBSECRET
  /* Every part: the attributes given are the ones that must match. */
  secret_password_clear (get_schema (), NULL, on_cleared, NULL,
                         "destination", destination_id, NULL);
#endif
}

/* Locked or not: the default collection's state. */

#ifdef HAVE_LIBSECRET
static void
on_collection_for_check (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(SecretCollection) collection = secret_collection_for_alias_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, collection != NULL && secret_collection_get_locked (collection));
}

static void
on_unlocked (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *unlocked = NULL;
  int n = secret_service_unlock_finish (NULL, result, &unlocked, &error);

  g_list_free_full (unlocked, g_object_unref);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, n > 0);
}

static void
on_collection_for_unlock (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(SecretCollection) collection = secret_collection_for_alias_finish (result, &error);
  GList *objects;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (collection == NULL || !secret_collection_get_locked (collection))
    {
      g_task_return_boolean (task, collection != NULL);
      return;
    }
  objects = g_list_prepend (NULL, collection);
  secret_service_unlock (NULL, objects, g_task_get_cancellable (task), on_unlocked,
                         g_object_ref (task));
  g_list_free (objects);
}
#endif

void
cb_secret_store_check_locked_async (GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cb_secret_store_check_locked_async);
#ifdef HAVE_LIBSECRET
  secret_collection_for_alias (NULL, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               cancellable, on_collection_for_check, g_steal_pointer (&task));
#else
  g_task_return_boolean (task, FALSE);
#endif
}

gboolean
cb_secret_store_check_locked_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cb_secret_store_unlock_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cb_secret_store_unlock_async);
#ifdef HAVE_LIBSECRET
  secret_collection_for_alias (NULL, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               cancellable, on_collection_for_unlock, g_steal_pointer (&task));
#else
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Built without libsecret");
#endif
}

gboolean
cb_secret_store_unlock_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
