/* cb-settings.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CB_TYPE_SETTINGS (cb_settings_get_type ())
G_DECLARE_FINAL_TYPE (CbSettings, cb_settings, CB, SETTINGS, GObject)

/**
 * CbSettingType:
 *
 * The type of a known setting; values are always stored as text, as in
 * `flashphoner.properties`, and checked against this type when set.
 */
typedef enum {
  CB_SETTING_STRING,
  CB_SETTING_INT,
  CB_SETTING_BOOL,
  CB_SETTING_PORT,
} CbSettingType;

typedef struct {
  const char    *key;
  CbSettingType  type;
  const char    *default_value;
  const char    *description;
  gboolean       secret;   /* never printed, logged or answered over REST */
} CbSettingInfo;

/**
 * CbSettingRule:
 * @min: @max: the range of a number or port (none when @min > @max)
 * @choices: (nullable): the only values allowed
 * @check: (nullable): checks a non-empty text value
 * @restart: a running studio takes a new value only after a restart
 *
 * One row of the validation table that the engine and the preferences window share.
 */
typedef struct {
  const char         *key;
  gint64              min;
  gint64              max;
  const char * const *choices;
  gboolean          (*check) (const char *value, GError **error);
  gboolean            restart;
} CbSettingRule;

const CbSettingRule *cb_settings_lookup_rule    (const char   *key);
gboolean    cb_settings_needs_restart           (const char   *key);
gboolean    cb_settings_check                   (const char   *key,
                                                 const char   *value,
                                                 GError      **error);
CbSettings *cb_settings_copy                    (CbSettings   *self);
void        cb_settings_unset                   (CbSettings   *self,
                                                 const char   *key);

const CbSettingInfo *cb_settings_get_known      (guint        *n_known);
const CbSettingInfo *cb_settings_lookup_info    (const char   *key);

CbSettings *cb_settings_new                     (void);
gboolean    cb_settings_load_file               (CbSettings   *self,
                                                 const char   *path,
                                                 GError      **error);
gboolean    cb_settings_load_data               (CbSettings   *self,
                                                 const char   *data,
                                                 gssize        length,
                                                 GError      **error);
gboolean    cb_settings_save_file               (CbSettings   *self,
                                                 const char   *path,
                                                 GError      **error);
gboolean    cb_settings_set                     (CbSettings   *self,
                                                 const char   *key,
                                                 const char   *value,
                                                 GError      **error);
gboolean    cb_settings_parse_override          (CbSettings   *self,
                                                 const char   *key_equals_value,
                                                 GError      **error);
const char *cb_settings_get_string              (CbSettings   *self,
                                                 const char   *key);
gint64      cb_settings_get_int                 (CbSettings   *self,
                                                 const char   *key);
gboolean    cb_settings_get_bool                (CbSettings   *self,
                                                 const char   *key);
gboolean    cb_settings_is_set                  (CbSettings   *self,
                                                 const char   *key);
char      **cb_settings_list_keys               (CbSettings   *self);

G_END_DECLS
