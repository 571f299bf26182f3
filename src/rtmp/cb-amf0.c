/* cb-amf0.c — AMF0 values, encoder and decoder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-amf0.h"
#include "cb-rtmp-bytes-private.h"

#include <math.h>
#include <string.h>

typedef struct {
  char        *key;     /* NUL-terminated copy; may also contain NUL bytes */
  gsize        key_len;
  CbAmf0Value *value;
} CbAmf0Property;

struct _CbAmf0Value {
  CbAmf0Type type;
  gdouble    number;     /* number, date (ms) */
  gint16     tz;         /* date */
  gboolean   boolean;
  char      *str;        /* string, long string, XML; class name of a typed object */
  gsize      str_len;
  GPtrArray *children;   /* CbAmf0Property* for objects and ECMA arrays,
                          * CbAmf0Value* for strict arrays */
};

static void
property_free (gpointer data)
{
  CbAmf0Property *prop = data;

  g_free (prop->key);
  cb_amf0_value_free (prop->value);
  g_free (prop);
}

static gboolean
type_has_properties (CbAmf0Type type)
{
  return type == CB_AMF0_OBJECT || type == CB_AMF0_ECMA_ARRAY || type == CB_AMF0_TYPED_OBJECT;
}

static CbAmf0Value *
value_new (CbAmf0Type type)
{
  CbAmf0Value *v = g_new0 (CbAmf0Value, 1);

  v->type = type;
  if (type_has_properties (type))
    v->children = g_ptr_array_new_with_free_func (property_free);
  else if (type == CB_AMF0_STRICT_ARRAY)
    v->children = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_amf0_value_free);
  return v;
}

CbAmf0Value *
cb_amf0_value_new_number (gdouble value)
{
  CbAmf0Value *v = value_new (CB_AMF0_NUMBER);

  v->number = value;
  return v;
}

CbAmf0Value *
cb_amf0_value_new_boolean (gboolean value)
{
  CbAmf0Value *v = value_new (CB_AMF0_BOOLEAN);

  v->boolean = !!value;
  return v;
}

/**
 * cb_amf0_value_new_string_len:
 * @value: the bytes, may contain NUL
 * @len: their number
 *
 * Returns: a string value; encoded as a long string when longer than 65535 bytes.
 */
CbAmf0Value *
cb_amf0_value_new_string_len (const char *value,
                              gsize       len)
{
  CbAmf0Value *v;

  g_return_val_if_fail (value != NULL || len == 0, NULL);

  v = value_new (len > G_MAXUINT16 ? CB_AMF0_LONG_STRING : CB_AMF0_STRING);
  v->str = g_malloc (len + 1);
  if (len > 0)
    memcpy (v->str, value, len);
  v->str[len] = '\0';
  v->str_len = len;
  return v;
}

CbAmf0Value *
cb_amf0_value_new_string (const char *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  return cb_amf0_value_new_string_len (value, strlen (value));
}

CbAmf0Value *
cb_amf0_value_new_null (void)
{
  return value_new (CB_AMF0_NULL);
}

CbAmf0Value *
cb_amf0_value_new_undefined (void)
{
  return value_new (CB_AMF0_UNDEFINED);
}

CbAmf0Value *
cb_amf0_value_new_object (void)
{
  return value_new (CB_AMF0_OBJECT);
}

CbAmf0Value *
cb_amf0_value_new_ecma_array (void)
{
  return value_new (CB_AMF0_ECMA_ARRAY);
}

CbAmf0Value *
cb_amf0_value_new_strict_array (void)
{
  return value_new (CB_AMF0_STRICT_ARRAY);
}

CbAmf0Value *
cb_amf0_value_new_date (gdouble ms_since_epoch,
                        gint16  tz_minutes)
{
  CbAmf0Value *v = value_new (CB_AMF0_DATE);

  v->number = ms_since_epoch;
  v->tz = tz_minutes;
  return v;
}

void
cb_amf0_value_free (CbAmf0Value *value)
{
  if (value == NULL)
    return;
  g_free (value->str);
  if (value->children != NULL)
    g_ptr_array_unref (value->children);
  g_free (value);
}

static void
add_property (CbAmf0Value *object,
              const char  *key,
              gsize        key_len,
              CbAmf0Value *value)
{
  CbAmf0Property *prop = g_new0 (CbAmf0Property, 1);

  prop->key = g_malloc (key_len + 1);
  if (key_len > 0)
    memcpy (prop->key, key, key_len);
  prop->key[key_len] = '\0';
  prop->key_len = key_len;
  prop->value = value;
  g_ptr_array_add (object->children, prop);
}

CbAmf0Value *
cb_amf0_value_copy (const CbAmf0Value *value)
{
  CbAmf0Value *copy;

  g_return_val_if_fail (value != NULL, NULL);

  copy = value_new (value->type);
  copy->number = value->number;
  copy->tz = value->tz;
  copy->boolean = value->boolean;
  if (value->str != NULL)
    {
      copy->str = g_memdup2 (value->str, value->str_len + 1);
      copy->str_len = value->str_len;
    }
  if (type_has_properties (value->type))
    {
      for (guint i = 0; i < value->children->len; i++)
        {
          const CbAmf0Property *prop = g_ptr_array_index (value->children, i);

          add_property (copy, prop->key, prop->key_len, cb_amf0_value_copy (prop->value));
        }
    }
  else if (value->type == CB_AMF0_STRICT_ARRAY)
    {
      for (guint i = 0; i < value->children->len; i++)
        g_ptr_array_add (copy->children,
                         cb_amf0_value_copy (g_ptr_array_index (value->children, i)));
    }
  return copy;
}

static gboolean
is_string_type (CbAmf0Type type)
{
  return type == CB_AMF0_STRING || type == CB_AMF0_LONG_STRING || type == CB_AMF0_XML_DOCUMENT;
}

/**
 * cb_amf0_value_equal:
 *
 * Deep comparison. A string and a long string with the same bytes are equal (the choice is
 * an encoding detail); numbers compare bitwise-equal or both NaN.
 */
gboolean
cb_amf0_value_equal (const CbAmf0Value *a,
                     const CbAmf0Value *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (is_string_type (a->type) && a->type != CB_AMF0_XML_DOCUMENT &&
      is_string_type (b->type) && b->type != CB_AMF0_XML_DOCUMENT)
    return a->str_len == b->str_len && memcmp (a->str, b->str, a->str_len) == 0;
  if (a->type != b->type)
    return FALSE;

  switch (a->type)
    {
    case CB_AMF0_NUMBER:
      return a->number == b->number || (isnan (a->number) && isnan (b->number));
    case CB_AMF0_BOOLEAN:
      return a->boolean == b->boolean;
    case CB_AMF0_DATE:
      return (a->number == b->number || (isnan (a->number) && isnan (b->number))) &&
             a->tz == b->tz;
    case CB_AMF0_XML_DOCUMENT:
      return a->str_len == b->str_len && memcmp (a->str, b->str, a->str_len) == 0;
    case CB_AMF0_OBJECT:
    case CB_AMF0_ECMA_ARRAY:
    case CB_AMF0_TYPED_OBJECT:
      if (a->type == CB_AMF0_TYPED_OBJECT &&
          (a->str_len != b->str_len || memcmp (a->str, b->str, a->str_len) != 0))
        return FALSE;
      if (a->children->len != b->children->len)
        return FALSE;
      for (guint i = 0; i < a->children->len; i++)
        {
          const CbAmf0Property *pa = g_ptr_array_index (a->children, i);
          const CbAmf0Property *pb = g_ptr_array_index (b->children, i);

          if (pa->key_len != pb->key_len || memcmp (pa->key, pb->key, pa->key_len) != 0 ||
              !cb_amf0_value_equal (pa->value, pb->value))
            return FALSE;
        }
      return TRUE;
    case CB_AMF0_STRICT_ARRAY:
      if (a->children->len != b->children->len)
        return FALSE;
      for (guint i = 0; i < a->children->len; i++)
        if (!cb_amf0_value_equal (g_ptr_array_index (a->children, i),
                                  g_ptr_array_index (b->children, i)))
          return FALSE;
      return TRUE;
    case CB_AMF0_STRING:
    case CB_AMF0_LONG_STRING:
    case CB_AMF0_NULL:
    case CB_AMF0_UNDEFINED:
    case CB_AMF0_OBJECT_END:
    case CB_AMF0_UNSUPPORTED:
    default:
      return TRUE;
    }
}

CbAmf0Type
cb_amf0_value_get_kind (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, CB_AMF0_UNDEFINED);

  return value->type;
}

/**
 * cb_amf0_value_get_number:
 *
 * Returns: the number, or NaN when @value is not a number (nor a date)
 */
gdouble
cb_amf0_value_get_number (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, NAN);

  if (value->type != CB_AMF0_NUMBER && value->type != CB_AMF0_DATE)
    return NAN;
  return value->number;
}

gboolean
cb_amf0_value_get_boolean (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  return value->type == CB_AMF0_BOOLEAN && value->boolean;
}

/**
 * cb_amf0_value_get_string:
 * @len: (out) (optional): the length, which counts NUL bytes inside the string
 *
 * Returns: the NUL-terminated bytes of a string, long string or XML document, or %NULL
 */
const char *
cb_amf0_value_get_string (const CbAmf0Value *value,
                          gsize             *len)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (!is_string_type (value->type))
    return NULL;
  if (len != NULL)
    *len = value->str_len;
  return value->str;
}

gdouble
cb_amf0_value_get_date (const CbAmf0Value *value,
                        gint16            *tz_minutes)
{
  g_return_val_if_fail (value != NULL, NAN);

  if (value->type != CB_AMF0_DATE)
    return NAN;
  if (tz_minutes != NULL)
    *tz_minutes = value->tz;
  return value->number;
}

const char *
cb_amf0_value_get_class_name (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  return value->type == CB_AMF0_TYPED_OBJECT ? value->str : NULL;
}

gboolean
cb_amf0_value_is_container (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  return value->children != NULL;
}

guint
cb_amf0_value_get_n_children (const CbAmf0Value *value)
{
  g_return_val_if_fail (value != NULL, 0);

  return value->children != NULL ? value->children->len : 0;
}

CbAmf0Value *
cb_amf0_value_get_child (const CbAmf0Value *value,
                         guint              index)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (value->children == NULL || index >= value->children->len)
    return NULL;
  if (value->type == CB_AMF0_STRICT_ARRAY)
    return g_ptr_array_index (value->children, index);
  return ((CbAmf0Property *) g_ptr_array_index (value->children, index))->value;
}

/**
 * cb_amf0_value_get_key:
 *
 * Returns: the key of property @index of an object or ECMA array, or %NULL
 */
const char *
cb_amf0_value_get_key (const CbAmf0Value *value,
                       guint              index,
                       gsize             *len)
{
  const CbAmf0Property *prop;

  g_return_val_if_fail (value != NULL, NULL);

  if (!type_has_properties (value->type) || index >= value->children->len)
    return NULL;
  prop = g_ptr_array_index (value->children, index);
  if (len != NULL)
    *len = prop->key_len;
  return prop->key;
}

static CbAmf0Property *
find_property (const CbAmf0Value *object,
               const char        *key)
{
  gsize key_len = strlen (key);

  if (!type_has_properties (object->type))
    return NULL;
  /* The first one wins when a peer sends a key twice: the same rule everywhere we look. */
  for (guint i = 0; i < object->children->len; i++)
    {
      CbAmf0Property *prop = g_ptr_array_index (object->children, i);

      if (prop->key_len == key_len && memcmp (prop->key, key, key_len) == 0)
        return prop;
    }
  return NULL;
}

/**
 * cb_amf0_object_set:
 * @object: an object or ECMA array
 * @value: (transfer full): the value
 *
 * Replaces the value of @key, or appends the property (properties keep their order).
 */
void
cb_amf0_object_set (CbAmf0Value *object,
                    const char  *key,
                    CbAmf0Value *value)
{
  CbAmf0Property *prop;

  g_return_if_fail (object != NULL && type_has_properties (object->type));
  g_return_if_fail (key != NULL && strlen (key) <= G_MAXUINT16);
  g_return_if_fail (value != NULL);

  prop = find_property (object, key);
  if (prop != NULL)
    {
      cb_amf0_value_free (prop->value);
      prop->value = value;
      return;
    }
  add_property (object, key, strlen (key), value);
}

void
cb_amf0_object_set_number (CbAmf0Value *object,
                           const char  *key,
                           gdouble      value)
{
  cb_amf0_object_set (object, key, cb_amf0_value_new_number (value));
}

void
cb_amf0_object_set_boolean (CbAmf0Value *object,
                            const char  *key,
                            gboolean     value)
{
  cb_amf0_object_set (object, key, cb_amf0_value_new_boolean (value));
}

void
cb_amf0_object_set_string (CbAmf0Value *object,
                           const char  *key,
                           const char  *value)
{
  cb_amf0_object_set (object, key, cb_amf0_value_new_string (value));
}

/**
 * cb_amf0_object_get:
 *
 * Returns: (transfer none) (nullable): the first value of @key, or %NULL when @object is
 *   not an object / ECMA array or has no such key
 */
CbAmf0Value *
cb_amf0_object_get (const CbAmf0Value *object,
                    const char        *key)
{
  CbAmf0Property *prop;

  g_return_val_if_fail (key != NULL, NULL);

  if (object == NULL)
    return NULL;
  prop = find_property (object, key);
  return prop != NULL ? prop->value : NULL;
}

/**
 * cb_amf0_object_get_string:
 *
 * Returns: the string value of @key, or %NULL when it is missing, not a string, or holds a
 *   NUL byte (a name like "live\0../x" must not pass as "live")
 */
const char *
cb_amf0_object_get_string (const CbAmf0Value *object,
                           const char        *key)
{
  CbAmf0Value *v = cb_amf0_object_get (object, key);

  if (v == NULL || (v->type != CB_AMF0_STRING && v->type != CB_AMF0_LONG_STRING))
    return NULL;
  if (memchr (v->str, '\0', v->str_len) != NULL)
    return NULL;
  return v->str;
}

gboolean
cb_amf0_object_get_number (const CbAmf0Value *object,
                           const char        *key,
                           gdouble           *out)
{
  CbAmf0Value *v = cb_amf0_object_get (object, key);

  if (v == NULL || v->type != CB_AMF0_NUMBER)
    return FALSE;
  if (out != NULL)
    *out = v->number;
  return TRUE;
}

gboolean
cb_amf0_object_get_boolean (const CbAmf0Value *object,
                            const char        *key,
                            gboolean          *out)
{
  CbAmf0Value *v = cb_amf0_object_get (object, key);

  if (v == NULL || v->type != CB_AMF0_BOOLEAN)
    return FALSE;
  if (out != NULL)
    *out = v->boolean;
  return TRUE;
}

/**
 * cb_amf0_array_append:
 * @array: a strict array
 * @value: (transfer full): the element
 */
void
cb_amf0_array_append (CbAmf0Value *array,
                      CbAmf0Value *value)
{
  g_return_if_fail (array != NULL && array->type == CB_AMF0_STRICT_ARRAY);
  g_return_if_fail (value != NULL);

  g_ptr_array_add (array->children, value);
}

/* ---- encoder ---- */

void
cb_amf0_write_number (GByteArray *out,
                      gdouble     value)
{
  cb_put_u8 (out, CB_AMF0_NUMBER);
  cb_put_be_double (out, value);
}

void
cb_amf0_write_boolean (GByteArray *out,
                       gboolean    value)
{
  cb_put_u8 (out, CB_AMF0_BOOLEAN);
  cb_put_u8 (out, value ? 1 : 0);
}

static void
write_string_len (GByteArray *out,
                  const char *value,
                  gsize       len)
{
  if (len <= G_MAXUINT16)
    {
      cb_put_u8 (out, CB_AMF0_STRING);
      cb_put_be16 (out, len);
    }
  else
    {
      cb_put_u8 (out, CB_AMF0_LONG_STRING);
      cb_put_be32 (out, (guint32) MIN (len, G_MAXUINT32));
      len = MIN (len, G_MAXUINT32);
    }
  g_byte_array_append (out, (const guint8 *) value, len);
}

void
cb_amf0_write_string (GByteArray *out,
                      const char *value)
{
  g_return_if_fail (value != NULL);

  write_string_len (out, value, strlen (value));
}

void
cb_amf0_write_null (GByteArray *out)
{
  cb_put_u8 (out, CB_AMF0_NULL);
}

static void
write_key (GByteArray *out,
           const char *key,
           gsize       len)
{
  len = MIN (len, G_MAXUINT16);  /* cb_amf0_object_set refuses longer keys */
  cb_put_be16 (out, len);
  g_byte_array_append (out, (const guint8 *) key, len);
}

static void
write_properties (GByteArray        *out,
                  const CbAmf0Value *value)
{
  for (guint i = 0; i < value->children->len; i++)
    {
      const CbAmf0Property *prop = g_ptr_array_index (value->children, i);

      write_key (out, prop->key, prop->key_len);
      cb_amf0_encode (out, prop->value);
    }
  cb_put_be16 (out, 0);
  cb_put_u8 (out, CB_AMF0_OBJECT_END);
}

/**
 * cb_amf0_encode:
 * @out: the buffer to append to
 * @value: the value
 *
 * Appends the AMF0 encoding of @value.
 */
void
cb_amf0_encode (GByteArray        *out,
                const CbAmf0Value *value)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (value != NULL);

  switch (value->type)
    {
    case CB_AMF0_NUMBER:
      cb_amf0_write_number (out, value->number);
      break;
    case CB_AMF0_BOOLEAN:
      cb_amf0_write_boolean (out, value->boolean);
      break;
    case CB_AMF0_STRING:
    case CB_AMF0_LONG_STRING:
      write_string_len (out, value->str, value->str_len);
      break;
    case CB_AMF0_XML_DOCUMENT:
      cb_put_u8 (out, CB_AMF0_XML_DOCUMENT);
      cb_put_be32 (out, (guint32) value->str_len);
      g_byte_array_append (out, (const guint8 *) value->str, value->str_len);
      break;
    case CB_AMF0_NULL:
    case CB_AMF0_UNDEFINED:
    case CB_AMF0_UNSUPPORTED:
    case CB_AMF0_OBJECT_END:
      cb_put_u8 (out, value->type);
      break;
    case CB_AMF0_OBJECT:
      cb_put_u8 (out, CB_AMF0_OBJECT);
      write_properties (out, value);
      break;
    case CB_AMF0_TYPED_OBJECT:
      cb_put_u8 (out, CB_AMF0_TYPED_OBJECT);
      write_key (out, value->str, value->str_len);
      write_properties (out, value);
      break;
    case CB_AMF0_ECMA_ARRAY:
      cb_put_u8 (out, CB_AMF0_ECMA_ARRAY);
      cb_put_be32 (out, value->children->len);
      write_properties (out, value);
      break;
    case CB_AMF0_STRICT_ARRAY:
      cb_put_u8 (out, CB_AMF0_STRICT_ARRAY);
      cb_put_be32 (out, value->children->len);
      for (guint i = 0; i < value->children->len; i++)
        cb_amf0_encode (out, g_ptr_array_index (value->children, i));
      break;
    case CB_AMF0_DATE:
      cb_put_u8 (out, CB_AMF0_DATE);
      cb_put_be_double (out, value->number);
      cb_put_be16 (out, (guint16) value->tz);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- decoder ---- */

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
  guint         n_values;
} Decoder;

static gboolean
need (Decoder  *d,
      gsize     n,
      GError  **error)
{
  if (d->len - d->pos < n)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED,
                   "AMF0 data ends at byte %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                   " more needed", d->len, n - (d->len - d->pos));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_bytes (Decoder      *d,
            gsize         n,
            const char  **out,
            GError      **error)
{
  if (n > CB_AMF0_MAX_STRING_LEN)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                   "AMF0 string of %" G_GSIZE_FORMAT " bytes at byte %" G_GSIZE_FORMAT
                   " is over the limit", n, d->pos);
      return FALSE;
    }
  if (!need (d, n, error))
    return FALSE;
  *out = (const char *) d->data + d->pos;
  d->pos += n;
  return TRUE;
}

static CbAmf0Value *decode_value (Decoder *d, guint depth, GError **error);

static gboolean
decode_properties (Decoder      *d,
                   CbAmf0Value  *object,
                   guint         depth,
                   GError      **error)
{
  for (;;)
    {
      guint16 key_len;
      const char *key;
      CbAmf0Value *value;

      if (!need (d, 2, error))
        return FALSE;
      key_len = cb_read_be16 (d->data + d->pos);
      d->pos += 2;
      if (key_len == 0)
        {
          if (!need (d, 1, error))
            return FALSE;
          if (d->data[d->pos] == CB_AMF0_OBJECT_END)
            {
              d->pos++;
              return TRUE;
            }
          /* An empty key followed by a value: legal, if rare. */
        }
      if (!read_bytes (d, key_len, &key, error))
        return FALSE;
      value = decode_value (d, depth + 1, error);
      if (value == NULL)
        return FALSE;
      add_property (object, key, key_len, value);
    }
}

static CbAmf0Value *
decode_value (Decoder  *d,
              guint     depth,
              GError  **error)
{
  g_autoptr(CbAmf0Value) v = NULL;
  gsize start = d->pos;
  guint8 marker;
  const char *bytes;
  guint32 len32;

  if (depth > CB_AMF0_MAX_DEPTH)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                   "AMF0 nesting deeper than %d at byte %" G_GSIZE_FORMAT,
                   CB_AMF0_MAX_DEPTH, d->pos);
      return NULL;
    }
  if (++d->n_values > CB_AMF0_MAX_VALUES)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TOO_LARGE,
                   "more than %d AMF0 values in one message", CB_AMF0_MAX_VALUES);
      return NULL;
    }
  if (!need (d, 1, error))
    return NULL;
  marker = d->data[d->pos++];

  switch (marker)
    {
    case CB_AMF0_NUMBER:
      if (!need (d, 8, error))
        return NULL;
      v = cb_amf0_value_new_number (cb_read_be_double (d->data + d->pos));
      d->pos += 8;
      break;
    case CB_AMF0_BOOLEAN:
      if (!need (d, 1, error))
        return NULL;
      v = cb_amf0_value_new_boolean (d->data[d->pos++] != 0);
      break;
    case CB_AMF0_STRING:
      if (!need (d, 2, error))
        return NULL;
      len32 = cb_read_be16 (d->data + d->pos);
      d->pos += 2;
      if (!read_bytes (d, len32, &bytes, error))
        return NULL;
      v = cb_amf0_value_new_string_len (bytes, len32);
      break;
    case CB_AMF0_LONG_STRING:
    case CB_AMF0_XML_DOCUMENT:
      if (!need (d, 4, error))
        return NULL;
      len32 = cb_read_be32 (d->data + d->pos);
      d->pos += 4;
      if (!read_bytes (d, len32, &bytes, error))
        return NULL;
      v = cb_amf0_value_new_string_len (bytes, len32);
      v->type = marker;   /* keep what the peer sent, even for short contents */
      break;
    case CB_AMF0_NULL:
    case CB_AMF0_UNDEFINED:
    case CB_AMF0_UNSUPPORTED:
    case CB_AMF0_OBJECT_END:
      /* A lone object-end marker outside an object is kept as a value: some encoders
       * leave one after the last argument and it harms no one. */
      v = value_new (marker);
      break;
    case CB_AMF0_OBJECT:
      v = cb_amf0_value_new_object ();
      if (!decode_properties (d, v, depth, error))
        return NULL;
      break;
    case CB_AMF0_TYPED_OBJECT:
      if (!need (d, 2, error))
        return NULL;
      len32 = cb_read_be16 (d->data + d->pos);
      d->pos += 2;
      if (!read_bytes (d, len32, &bytes, error))
        return NULL;
      v = value_new (CB_AMF0_TYPED_OBJECT);
      v->str = g_strndup (bytes, len32);
      v->str_len = strlen (v->str);
      if (!decode_properties (d, v, depth, error))
        return NULL;
      break;
    case CB_AMF0_ECMA_ARRAY:
      /* The count is advisory (many encoders write 0); the end marker decides. */
      if (!need (d, 4, error))
        return NULL;
      d->pos += 4;
      v = cb_amf0_value_new_ecma_array ();
      if (!decode_properties (d, v, depth, error))
        return NULL;
      break;
    case CB_AMF0_STRICT_ARRAY:
      if (!need (d, 4, error))
        return NULL;
      len32 = cb_read_be32 (d->data + d->pos);
      d->pos += 4;
      /* Every element takes at least one byte: a count beyond the data is truncation,
       * found without allocating for it. */
      if (len32 > d->len - d->pos)
        {
          g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_TRUNCATED,
                       "AMF0 strict array of %u elements at byte %" G_GSIZE_FORMAT
                       " does not fit in the data", len32, start);
          return NULL;
        }
      v = cb_amf0_value_new_strict_array ();
      for (guint32 i = 0; i < len32; i++)
        {
          CbAmf0Value *elem = decode_value (d, depth + 1, error);

          if (elem == NULL)
            return NULL;
          g_ptr_array_add (v->children, elem);
        }
      break;
    case CB_AMF0_DATE:
      if (!need (d, 10, error))
        return NULL;
      v = cb_amf0_value_new_date (cb_read_be_double (d->data + d->pos),
                                  (gint16) cb_read_be16 (d->data + d->pos + 8));
      d->pos += 10;
      break;
    case 0x04: /* MovieClip */
    case 0x07: /* Reference */
    case 0x0e: /* RecordSet */
    case 0x11: /* AVM+ */
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_UNSUPPORTED,
                   "unsupported AMF0 type 0x%02x at byte %" G_GSIZE_FORMAT, marker, start);
      return NULL;
    default:
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "unknown AMF0 type 0x%02x at byte %" G_GSIZE_FORMAT, marker, start);
      return NULL;
    }

  return g_steal_pointer (&v);
}

/**
 * cb_amf0_decode:
 * @data: the bytes
 * @len: their number
 * @consumed: (out) (optional): the bytes the value took, on success
 * @error: %CB_RTMP_ERROR_TRUNCATED when @data ends inside the value
 *
 * Decodes one AMF0 value from the start of @data.
 *
 * Returns: (transfer full): the value, or %NULL with @error set
 */
CbAmf0Value *
cb_amf0_decode (const guint8  *data,
                gsize          len,
                gsize         *consumed,
                GError       **error)
{
  Decoder d = { data, len, 0, 0 };
  CbAmf0Value *v;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  v = decode_value (&d, 0, error);
  if (v != NULL && consumed != NULL)
    *consumed = d.pos;
  return v;
}

/**
 * cb_amf0_decode_all:
 *
 * Decodes values until @data ends: the body of a data message (type 18), for example
 * `"@setDataFrame", "onMetaData", {…}`.
 *
 * Returns: (transfer full) (element-type CbAmf0Value): the values, or %NULL with @error set
 */
GPtrArray *
cb_amf0_decode_all (const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  g_autoptr(GPtrArray) values = NULL;
  Decoder d = { data, len, 0, 0 };

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  values = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_amf0_value_free);
  while (d.pos < d.len)
    {
      CbAmf0Value *v = decode_value (&d, 0, error);

      if (v == NULL)
        return NULL;
      g_ptr_array_add (values, v);
    }
  return g_steal_pointer (&values);
}

static void
append_escaped (GString    *s,
                const char *str,
                gsize       len)
{
  g_string_append_c (s, '"');
  for (gsize i = 0; i < len; i++)
    {
      guchar c = str[i];

      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, c);
    }
  g_string_append_c (s, '"');
}

static void
value_to_string (GString           *s,
                 const CbAmf0Value *v)
{
  switch (v->type)
    {
    case CB_AMF0_NUMBER:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v->number));
      }
      break;
    case CB_AMF0_BOOLEAN:
      g_string_append (s, v->boolean ? "true" : "false");
      break;
    case CB_AMF0_STRING:
    case CB_AMF0_LONG_STRING:
    case CB_AMF0_XML_DOCUMENT:
      append_escaped (s, v->str, v->str_len);
      break;
    case CB_AMF0_NULL:
      g_string_append (s, "null");
      break;
    case CB_AMF0_UNDEFINED:
      g_string_append (s, "undefined");
      break;
    case CB_AMF0_UNSUPPORTED:
      g_string_append (s, "unsupported");
      break;
    case CB_AMF0_OBJECT_END:
      g_string_append (s, "object-end");
      break;
    case CB_AMF0_DATE:
      g_string_append_printf (s, "date(%.0f, %d)", v->number, v->tz);
      break;
    case CB_AMF0_STRICT_ARRAY:
      g_string_append_c (s, '[');
      for (guint i = 0; i < v->children->len; i++)
        {
          if (i > 0)
            g_string_append (s, ", ");
          value_to_string (s, g_ptr_array_index (v->children, i));
        }
      g_string_append_c (s, ']');
      break;
    case CB_AMF0_OBJECT:
    case CB_AMF0_ECMA_ARRAY:
    case CB_AMF0_TYPED_OBJECT:
      if (v->type == CB_AMF0_TYPED_OBJECT)
        g_string_append_printf (s, "%s", v->str);
      g_string_append (s, v->type == CB_AMF0_ECMA_ARRAY ? "[" : "{");
      for (guint i = 0; i < v->children->len; i++)
        {
          const CbAmf0Property *prop = g_ptr_array_index (v->children, i);

          if (i > 0)
            g_string_append (s, ", ");
          append_escaped (s, prop->key, prop->key_len);
          g_string_append (s, ": ");
          value_to_string (s, prop->value);
        }
      g_string_append (s, v->type == CB_AMF0_ECMA_ARRAY ? "]" : "}");
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * cb_amf0_value_to_string:
 *
 * A one-line, JSON-like rendering for debug logs and test failures. It shows every value
 * as is: redact secrets (stream keys in "publish", passwords in tcUrl) before logging it.
 */
char *
cb_amf0_value_to_string (const CbAmf0Value *value)
{
  GString *s;

  g_return_val_if_fail (value != NULL, NULL);

  s = g_string_new (NULL);
  value_to_string (s, value);
  return g_string_free (s, FALSE);
}

/* ---- commands ---- */

/**
 * cb_amf0_command_new:
 * @command_object: (transfer full) (nullable): the command object; %NULL encodes AMF null
 */
CbAmf0Command *
cb_amf0_command_new (const char  *name,
                     gdouble      transaction_id,
                     CbAmf0Value *command_object)
{
  CbAmf0Command *cmd;

  g_return_val_if_fail (name != NULL, NULL);

  cmd = g_new0 (CbAmf0Command, 1);
  cmd->name = g_strdup (name);
  cmd->transaction_id = transaction_id;
  cmd->command_object = command_object;
  cmd->args = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_amf0_value_free);
  return cmd;
}

/**
 * cb_amf0_command_add_arg:
 * @arg: (transfer full): the argument
 */
void
cb_amf0_command_add_arg (CbAmf0Command *command,
                         CbAmf0Value   *arg)
{
  g_return_if_fail (command != NULL);
  g_return_if_fail (arg != NULL);

  g_ptr_array_add (command->args, arg);
}

/**
 * cb_amf0_command_get_arg:
 *
 * Returns: (transfer none) (nullable): argument @index (after the command object), or %NULL
 */
CbAmf0Value *
cb_amf0_command_get_arg (const CbAmf0Command *command,
                         guint                index)
{
  g_return_val_if_fail (command != NULL, NULL);

  return index < command->args->len ? g_ptr_array_index (command->args, index) : NULL;
}

void
cb_amf0_command_encode (const CbAmf0Command *command,
                        GByteArray          *out)
{
  g_return_if_fail (command != NULL);
  g_return_if_fail (out != NULL);

  cb_amf0_write_string (out, command->name);
  cb_amf0_write_number (out, command->transaction_id);
  if (command->command_object != NULL)
    cb_amf0_encode (out, command->command_object);
  else
    cb_amf0_write_null (out);
  for (guint i = 0; i < command->args->len; i++)
    cb_amf0_encode (out, g_ptr_array_index (command->args, i));
}

/**
 * cb_amf0_command_decode:
 *
 * Decodes a command message body: a name (string), a transaction id (number), then an
 * optional command object and arguments.
 *
 * Returns: (transfer full): the command, or %NULL with @error set (%CB_RTMP_ERROR_MALFORMED
 *   when the name or transaction id is missing or of the wrong type)
 */
CbAmf0Command *
cb_amf0_command_decode (const guint8  *data,
                        gsize          len,
                        GError       **error)
{
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(CbAmf0Command) cmd = NULL;
  CbAmf0Value *name, *tid;
  const char *name_str;
  gsize name_len;

  values = cb_amf0_decode_all (data, len, error);
  if (values == NULL)
    return NULL;
  if (values->len < 2)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "command message with %u values: a name and a transaction id are needed",
                   values->len);
      return NULL;
    }
  name = g_ptr_array_index (values, 0);
  tid = g_ptr_array_index (values, 1);
  name_str = cb_amf0_value_get_string (name, &name_len);
  if (name_str == NULL || name->type == CB_AMF0_XML_DOCUMENT)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "command name is not a string");
      return NULL;
    }
  if (name_len == 0 || memchr (name_str, '\0', name_len) != NULL)
    {
      g_set_error_literal (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                           "command name is empty or holds a NUL byte");
      return NULL;
    }
  if (tid->type != CB_AMF0_NUMBER)
    {
      g_set_error (error, CB_RTMP_ERROR, CB_RTMP_ERROR_MALFORMED,
                   "transaction id of command \"%.64s\" is not a number", name_str);
      return NULL;
    }

  cmd = cb_amf0_command_new (name_str, tid->number, NULL);
  if (values->len > 2)
    cmd->command_object = g_ptr_array_steal_index (values, 2);
  for (guint i = 2; i < values->len; i++)
    g_ptr_array_add (cmd->args, g_steal_pointer (&g_ptr_array_index (values, i)));
  return g_steal_pointer (&cmd);
}

void
cb_amf0_command_free (CbAmf0Command *command)
{
  if (command == NULL)
    return;
  g_free (command->name);
  cb_amf0_value_free (command->command_object);
  g_ptr_array_unref (command->args);
  g_free (command);
}
