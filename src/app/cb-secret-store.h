/* cb-secret-store.h — stream keys in the desktop's secret store (Secret Service)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* FALSE when Castbridge was built without libsecret: keys then live in memory only. */
gboolean  cb_secret_store_is_supported  (void);

/* What a destination keeps there: its stream key, and its server's URL when that holds
 * a password or a token. */
#define CB_SECRET_KEY    "key"
#define CB_SECRET_SERVER "server"

/* Errors: G_IO_ERROR_NOT_SUPPORTED without libsecret; D-Bus or libsecret errors when
 * no Secret Service answers or it refuses. */
void      cb_secret_store_save_async    (const char          *destination_id,
                                         const char          *part,
                                         const char          *label,
                                         const char          *key,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  cb_secret_store_save_finish   (GAsyncResult        *result,
                                         GError             **error);

/* Returns: (nullable): the secret, or NULL with no error when the store has none. */
void      cb_secret_store_lookup_async  (const char          *destination_id,
                                         const char          *part,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char     *cb_secret_store_lookup_finish (GAsyncResult        *result,
                                         GError             **error);

/* Whether the default collection (the login keyring) is locked: a locked store gives no
 * secret back, which is not the same as having none. FALSE without libsecret. */
void      cb_secret_store_check_locked_async  (GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  cb_secret_store_check_locked_finish (GAsyncResult        *result,
                                               GError             **error);
/* Asks the desktop to unlock the default collection (it shows its own prompt). TRUE once
 * unlocked; FALSE when the user said no. */
void      cb_secret_store_unlock_async  (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  cb_secret_store_unlock_finish (GAsyncResult        *result,
                                         GError             **error);
/* Forgets every secret of a removed destination; failures are only logged. */
void      cb_secret_store_delete        (const char          *destination_id);

G_END_DECLS
