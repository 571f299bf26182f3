/* cb-amf0.h — AMF0 values, encoder and decoder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

/**
 * CbAmf0Type:
 *
 * AMF0 type markers (AMF0 specification, section 2.1). The decoder produces every type
 * listed here; MovieClip, Reference, RecordSet and AVM+ (AMF3) fail with
 * %CB_RTMP_ERROR_UNSUPPORTED.
 */
typedef enum {
  CB_AMF0_NUMBER       = 0x00,
  CB_AMF0_BOOLEAN      = 0x01,
  CB_AMF0_STRING       = 0x02,
  CB_AMF0_OBJECT       = 0x03,
  CB_AMF0_NULL         = 0x05,
  CB_AMF0_UNDEFINED    = 0x06,
  CB_AMF0_ECMA_ARRAY   = 0x08,
  CB_AMF0_OBJECT_END   = 0x09,
  CB_AMF0_STRICT_ARRAY = 0x0a,
  CB_AMF0_DATE         = 0x0b,
  CB_AMF0_LONG_STRING  = 0x0c,
  CB_AMF0_UNSUPPORTED  = 0x0d,
  CB_AMF0_XML_DOCUMENT = 0x0f,
  CB_AMF0_TYPED_OBJECT = 0x10,
} CbAmf0Type;

/* Nesting deeper than this fails with CB_RTMP_ERROR_TOO_LARGE (real messages use 2–3). */
#define CB_AMF0_MAX_DEPTH      32
/* At most this many values in one decode call, so a 16 MiB message of one-byte values
 * cannot turn into gigabytes of tree nodes. onMetaData keyframe indexes stay far below. */
#define CB_AMF0_MAX_VALUES     (1 << 18)
/* Longest string or long string accepted by the decoder. */
#define CB_AMF0_MAX_STRING_LEN (16 * 1024 * 1024)

typedef struct _CbAmf0Value CbAmf0Value;

CbAmf0Value    *cb_amf0_value_new_number        (gdouble             value);
CbAmf0Value    *cb_amf0_value_new_boolean       (gboolean            value);
CbAmf0Value    *cb_amf0_value_new_string        (const char         *value);
CbAmf0Value    *cb_amf0_value_new_string_len    (const char         *value,
                                                 gsize               len);
CbAmf0Value    *cb_amf0_value_new_null          (void);
CbAmf0Value    *cb_amf0_value_new_undefined     (void);
CbAmf0Value    *cb_amf0_value_new_object        (void);
CbAmf0Value    *cb_amf0_value_new_ecma_array    (void);
CbAmf0Value    *cb_amf0_value_new_strict_array  (void);
CbAmf0Value    *cb_amf0_value_new_date          (gdouble             ms_since_epoch,
                                                 gint16              tz_minutes);
CbAmf0Value    *cb_amf0_value_copy              (const CbAmf0Value  *value);
void            cb_amf0_value_free              (CbAmf0Value        *value);
gboolean        cb_amf0_value_equal             (const CbAmf0Value  *a,
                                                 const CbAmf0Value  *b);

/* "kind", not "type": *_get_type names a GType getter in GLib code. */
CbAmf0Type      cb_amf0_value_get_kind          (const CbAmf0Value  *value);
gdouble         cb_amf0_value_get_number        (const CbAmf0Value  *value);
gboolean        cb_amf0_value_get_boolean       (const CbAmf0Value  *value);
const char     *cb_amf0_value_get_string        (const CbAmf0Value  *value,
                                                 gsize              *len);
gdouble         cb_amf0_value_get_date          (const CbAmf0Value  *value,
                                                 gint16             *tz_minutes);
const char     *cb_amf0_value_get_class_name    (const CbAmf0Value  *value);
gboolean        cb_amf0_value_is_container      (const CbAmf0Value  *value);
guint           cb_amf0_value_get_n_children    (const CbAmf0Value  *value);
CbAmf0Value    *cb_amf0_value_get_child         (const CbAmf0Value  *value,
                                                 guint               index);
const char     *cb_amf0_value_get_key           (const CbAmf0Value  *value,
                                                 guint               index,
                                                 gsize              *len);

void            cb_amf0_object_set              (CbAmf0Value        *object,
                                                 const char         *key,
                                                 CbAmf0Value        *value);
void            cb_amf0_object_set_number       (CbAmf0Value        *object,
                                                 const char         *key,
                                                 gdouble             value);
void            cb_amf0_object_set_boolean      (CbAmf0Value        *object,
                                                 const char         *key,
                                                 gboolean            value);
void            cb_amf0_object_set_string       (CbAmf0Value        *object,
                                                 const char         *key,
                                                 const char         *value);
CbAmf0Value    *cb_amf0_object_get              (const CbAmf0Value  *object,
                                                 const char         *key);
const char     *cb_amf0_object_get_string       (const CbAmf0Value  *object,
                                                 const char         *key);
gboolean        cb_amf0_object_get_number       (const CbAmf0Value  *object,
                                                 const char         *key,
                                                 gdouble            *out);
gboolean        cb_amf0_object_get_boolean      (const CbAmf0Value  *object,
                                                 const char         *key,
                                                 gboolean           *out);
void            cb_amf0_array_append            (CbAmf0Value        *array,
                                                 CbAmf0Value        *value);

void            cb_amf0_encode                  (GByteArray         *out,
                                                 const CbAmf0Value  *value);
void            cb_amf0_write_number            (GByteArray         *out,
                                                 gdouble             value);
void            cb_amf0_write_boolean           (GByteArray         *out,
                                                 gboolean            value);
void            cb_amf0_write_string            (GByteArray         *out,
                                                 const char         *value);
void            cb_amf0_write_null              (GByteArray         *out);

CbAmf0Value    *cb_amf0_decode                  (const guint8       *data,
                                                 gsize               len,
                                                 gsize              *consumed,
                                                 GError            **error);
GPtrArray      *cb_amf0_decode_all              (const guint8       *data,
                                                 gsize               len,
                                                 GError            **error);
char           *cb_amf0_value_to_string         (const CbAmf0Value  *value);

/**
 * CbAmf0Command:
 * @name: the command name ("connect", "_result", "onStatus", …); never contains NUL
 * @transaction_id: the transaction id
 * @command_object: the command object (an object or AMF null), or %NULL when absent
 * @args: (element-type CbAmf0Value): the optional arguments that follow
 *
 * An AMF0 command message (RTMP message type 20). For type 17 (AMF3 command) skip the
 * leading 0x00 byte before decoding.
 */
typedef struct {
  char        *name;
  gdouble      transaction_id;
  CbAmf0Value *command_object;
  GPtrArray   *args;
} CbAmf0Command;

CbAmf0Command  *cb_amf0_command_new             (const char         *name,
                                                 gdouble             transaction_id,
                                                 CbAmf0Value        *command_object);
void            cb_amf0_command_add_arg         (CbAmf0Command      *command,
                                                 CbAmf0Value        *arg);
CbAmf0Value    *cb_amf0_command_get_arg         (const CbAmf0Command *command,
                                                 guint               index);
void            cb_amf0_command_encode          (const CbAmf0Command *command,
                                                 GByteArray         *out);
CbAmf0Command  *cb_amf0_command_decode          (const guint8       *data,
                                                 gsize               len,
                                                 GError            **error);
void            cb_amf0_command_free            (CbAmf0Command      *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbAmf0Value, cb_amf0_value_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbAmf0Command, cb_amf0_command_free)

G_END_DECLS
