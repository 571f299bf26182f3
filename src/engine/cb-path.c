/* cb-path.c — file names from the network, confined to one folder
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file name that comes from a client (VOD files, sounds mixed into a push) goes
 * through here, so that no request reads outside the media and records folders. The
 * name is checked as text first (no absolute paths, no "..", no backslashes, bounded
 * lengths), then resolved: a symbolic link may point anywhere inside the folder, never
 * out of it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cb-engine-error.h"
#include "cb-path.h"
#include "cb-platform.h"

static gboolean
refuse (GError     **error,
        const char  *why)
{
  g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Bad file name: %s", why);
  return FALSE;
}

/* The name as text: relative, canonical ("a/b", never "a//b", "./a" or "a/"), components
 * of at most CB_PATH_MAX_COMPONENT bytes, no control characters. */
static gboolean
check_name (const char  *name,
            gsize        len,
            GError     **error)
{
  gsize start = 0;

  if (len == 0)
    return refuse (error, "empty");
  if (len > CB_PATH_MAX_NAME)
    return refuse (error, "too long");
  if (memchr (name, '\0', len) != NULL)
    return refuse (error, "NUL byte");
  if (!g_utf8_validate_len (name, len, NULL))
    return refuse (error, "not UTF-8");
  if (name[0] == '/')
    return refuse (error, "absolute path");
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) name[i];

      if (c == '\\')
        return refuse (error, "backslash");
      if (c < 0x20 || c == 0x7f)
        return refuse (error, "control character");
    }
  for (gsize i = 0; i <= len; i++)
    {
      gsize n;

      if (i < len && name[i] != '/')
        continue;
      n = i - start;
      if (n == 0)
        return refuse (error, "empty component");
      if ((n == 1 && name[start] == '.') ||
          (n == 2 && name[start] == '.' && name[start + 1] == '.'))
        return refuse (error, "“.” or “..” component");
      if (n > CB_PATH_MAX_COMPONENT)
        return refuse (error, "component too long");
      start = i + 1;
    }
  return TRUE;
}

static gboolean
resolve_error (int          errsv,
               GError     **error)
{
  if (errsv == ENOENT || errsv == ENOTDIR || errsv == EACCES)
    g_set_error_literal (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found");
  else if (errsv == ELOOP || errsv == ENAMETOOLONG)
    refuse (error, "cannot be resolved");
  else
    g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "File cannot be resolved: %s",
                 g_strerror (errsv));
  return FALSE;
}

/* Whether @real (resolved) is inside @real_root: a root that ends with a separator ("/",
 * "C:\\") holds everything longer; otherwise a separator must follow the root. Both come
 * from cb_platform_realpath (), which spells the same folder the same way. */
static gboolean
is_inside (const char *real,
           const char *real_root)
{
  gsize root_len = strlen (real_root);

  if (root_len == 0 || strncmp (real, real_root, root_len) != 0)
    return FALSE;
  if (G_IS_DIR_SEPARATOR (real_root[root_len - 1]))
    return real[root_len] != '\0';
  return G_IS_DIR_SEPARATOR (real[root_len]);
}

/* For a name that does not resolve: the real path of the deepest part of @path that
 * exists, links (dangling ones too) followed, so that a link out of the folder is
 * refused the same whether or not its target exists. NULL when it cannot be told. */
static char *
real_existing_prefix (const char *path)
{
  g_autofree char *cur = g_strdup (path);

  for (guint hops = 0; hops < 64; hops++)
    {
      char *real = cb_platform_realpath (cur);
      g_autofree char *target = NULL;

      if (real != NULL)
        return real;
      if (errno != ENOENT && errno != ENOTDIR)
        return NULL;
      if ((target = g_file_read_link (cur, NULL)) != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (cur);

          g_free (cur);
          cur = g_path_is_absolute (target) ? g_strdup (target)
                                            : g_build_filename (dir, target, NULL);
        }
      else
        {
          char *dir = g_path_get_dirname (cur);

          if (strcmp (dir, cur) == 0)
            {
              g_free (dir);
              return NULL;
            }
          g_free (cur);
          cur = dir;
        }
    }
  return NULL;
}

/**
 * cb_path_confine_len:
 * @root: the folder names are confined to
 * @name: a relative name from a client, "file.mp4" or "folder/file.mp4"
 * @length: the length of @name in bytes, or -1 when it is NUL-terminated; names from JSON
 *   or the network carry their length, so that an embedded NUL is refused instead of
 *   silently ending the name
 *
 * Resolves @name inside @root. Refused with %CB_ENGINE_ERROR_INVALID: an empty name, a
 * NUL byte, invalid UTF-8, control characters, an absolute path, a backslash, an empty,
 * "." or ".." component, a component over %CB_PATH_MAX_COMPONENT bytes or a name over
 * %CB_PATH_MAX_NAME, a name that resolves outside realpath(@root) (a symbolic link out,
 * whether its target exists or not), and anything that is not a regular file. A name that does not exist (or a @root that
 * does not) is %CB_ENGINE_ERROR_FILE_NOT_FOUND, "File not found". Messages never contain
 * the paths.
 *
 * Resolving touches the file system (lstat of each component): callers on a main
 * context accept that for a local folder, as they would a stat.
 *
 * Returns: (transfer full) (nullable): the resolved absolute path, free of symbolic
 *   links, to open
 */
char *
cb_path_confine_len (const char  *root,
                     const char  *name,
                     gssize       length,
                     GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *real_root = NULL;
  g_autofree char *real = NULL;
  GStatBuf st;

  g_return_val_if_fail (root != NULL, NULL);

  if (name == NULL)
    {
      refuse (error, "empty");
      return NULL;
    }
  if (!check_name (name, length < 0 ? strlen (name) : (gsize) length, error))
    return NULL;
  copy = g_strndup (name, length < 0 ? strlen (name) : (gsize) length);

  real_root = cb_platform_realpath (root);
  if (real_root == NULL)
    {
      resolve_error (errno, error);
      return NULL;
    }
  joined = g_build_filename (real_root, copy, NULL);
  real = cb_platform_realpath (joined);
  if (real == NULL)
    {
      int errsv = errno;
      g_autofree char *prefix = NULL;

      if (errsv == ENOENT || errsv == ENOTDIR)
        prefix = real_existing_prefix (joined);
      if (prefix != NULL && strcmp (prefix, real_root) != 0 && !is_inside (prefix, real_root))
        refuse (error, "outside the folder");
      else
        resolve_error (errsv, error);
      return NULL;
    }

  if (!is_inside (real, real_root))
    {
      refuse (error, "outside the folder");
      return NULL;
    }
  if (g_stat (real, &st) != 0)
    {
      resolve_error (errno, error);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      refuse (error, "not a regular file");
      return NULL;
    }
  return g_steal_pointer (&real);
}

/**
 * cb_path_confine:
 *
 * cb_path_confine_len() for a NUL-terminated @name.
 */
char *
cb_path_confine (const char  *root,
                 const char  *name,
                 GError     **error)
{
  return cb_path_confine_len (root, name, -1, error);
}
