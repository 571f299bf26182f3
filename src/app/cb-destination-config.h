/* cb-destination-config.h — the destinations file: what is remembered between runs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cb-destination.h"

G_BEGIN_DECLS

/**
 * CbRecordKey:
 * @CB_RECORD_KEY_NONE: the destination needs no key (a custom URL that names the stream)
 * @CB_RECORD_KEY_NOT_REMEMBERED: it has one, which was not stored (no secret store)
 * @CB_RECORD_KEY_SECRET_STORE: the key is in the secret store
 */
typedef enum {
  CB_RECORD_KEY_NONE,
  CB_RECORD_KEY_NOT_REMEMBERED,
  CB_RECORD_KEY_SECRET_STORE,
} CbRecordKey;

/**
 * CbDestinationRecord:
 * @server: the server's URL; masked when @server_secret
 * @server_secret: the server's URL holds a password or a token: the file has it masked,
 *   and the secret store has it, with the key, when @key says so
 * @key: where the key is (the file never holds it)
 * @enabled: switched on: the next Go Live starts it
 *
 * One remembered destination, as the file has it. Plain data, for any thread.
 */
typedef struct {
  char                 *id;
  char                 *preset_id;
  char                 *server;
  gboolean              server_secret;
  char                 *stream_name;
  CbDestinationProfile  profile;
  CbRecordKey           key;
  gboolean              enabled;
} CbDestinationRecord;

void       cb_destination_record_free        (CbDestinationRecord *record);
CbDestinationRecord *cb_destination_record_new_from_destination (CbDestination *destination);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbDestinationRecord, cb_destination_record_free)

/* ~/.config/castbridge/destinations.json */
char      *cb_destination_config_default_path (void);
/* Returns: (element-type CbDestinationRecord): the records; entries that make no sense
 * (no id, no server) are skipped. G_IO_ERROR_INVALID_DATA for a file that is not ours. */
GPtrArray *cb_destination_config_parse       (const char  *data,
                                              gssize       length,
                                              GError     **error);
char      *cb_destination_config_serialize   (GPtrArray   *records);

G_END_DECLS
