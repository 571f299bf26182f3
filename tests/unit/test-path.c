/* test-path.c — cb_path_confine(): file names from the network stay in their folder
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cb-engine-error.h"
#include "cb-path.h"

typedef struct {
  char *tmp;     /* holds root/ and things outside it */
  char *root;
} Fixture;

static void
touch (const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "x", 1, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *target = NULL;

  f->tmp = g_dir_make_tmp ("cb-test-path-XXXXXX", &error);
  g_assert_no_error (error);
  f->root = g_build_filename (f->tmp, "root", NULL);
  g_assert_cmpint (g_mkdir (f->root, 0700), ==, 0);

#define IN(x) (g_free (path), path = g_build_filename (f->root, x, NULL))
#define OUT(x) (g_free (target), target = g_build_filename (f->tmp, x, NULL))
  touch (IN ("a.mp4"));
  g_assert_cmpint (g_mkdir (IN ("sub"), 0700), ==, 0);
  touch (IN ("sub/b.mp4"));
  touch (IN ("with space #1.mp4"));
  touch (IN ("Фильм.mp4"));
  touch (OUT ("outside.mp4"));
  g_assert_cmpint (g_mkdir (OUT ("outdir"), 0700), ==, 0);
  touch (OUT ("outdir/x.mp4"));

  g_assert_cmpint (symlink ("a.mp4", IN ("link-in.mp4")), ==, 0);
  g_assert_cmpint (symlink ("../a.mp4", IN ("sub/link-up-in.mp4")), ==, 0);
  OUT ("root/sub/b.mp4");
  g_assert_cmpint (symlink (target, IN ("link-in-absolute.mp4")), ==, 0);
  g_assert_cmpint (symlink ("../outside.mp4", IN ("link-out.mp4")), ==, 0);
  OUT ("outside.mp4");
  g_assert_cmpint (symlink (target, IN ("link-out-absolute.mp4")), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", IN ("passwd.mp4")), ==, 0);
  OUT ("outdir");
  g_assert_cmpint (symlink (target, IN ("outdir")), ==, 0);
  g_assert_cmpint (symlink ("loop", IN ("loop")), ==, 0);
  g_assert_cmpint (symlink (".", IN ("self")), ==, 0);
  g_assert_cmpint (symlink ("missing-target.mp4", IN ("dangling.mp4")), ==, 0);
  g_assert_cmpint (symlink ("../missing-outside.mp4", IN ("link-out-missing.mp4")), ==, 0);
  g_assert_cmpint (symlink ("../missing-dir", IN ("linkdir-out-missing")), ==, 0);
#undef IN
#undef OUT
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK) || !g_file_test (child, G_FILE_TEST_IS_DIR))
        g_unlink (child);
      else
        remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->tmp);
  g_free (f->root);
  g_free (f->tmp);
}

typedef struct {
  const char *name;
  gssize      length;     /* -1: NUL-terminated */
  int         code;       /* -1: resolves, to @resolved below the root */
  const char *resolved;
} PathCase;

#define OK(name, resolved) { name, -1, -1, resolved }
#define BAD(name) { name, -1, CB_ENGINE_ERROR_INVALID, NULL }
#define MISSING(name) { name, -1, CB_ENGINE_ERROR_FILE_NOT_FOUND, NULL }

static const PathCase path_cases[] = {
  OK ("a.mp4",                  "a.mp4"),
  OK ("sub/b.mp4",              "sub/b.mp4"),
  OK ("with space #1.mp4",      "with space #1.mp4"),
  OK ("Фильм.mp4",              "Фильм.mp4"),
  OK ("link-in.mp4",            "a.mp4"),          /* a symbolic link inside is fine */
  OK ("sub/link-up-in.mp4",     "a.mp4"),
  OK ("link-in-absolute.mp4",   "sub/b.mp4"),
  BAD (""),
  BAD (".."),
  BAD ("../x.mp4"),
  BAD ("../outside.mp4"),
  BAD ("a/../../b"),
  BAD ("sub/../a.mp4"),                            /* canonical names only */
  BAD ("./a.mp4"),
  BAD ("sub/./b.mp4"),
  BAD ("sub//b.mp4"),
  BAD ("sub/"),
  BAD ("/etc/passwd"),
  BAD ("/"),
  BAD ("sub\\b.mp4"),
  BAD ("..\\..\\x.mp4"),
  BAD ("tab\t.mp4"),
  BAD ("bad\xff.mp4"),
  BAD ("link-out.mp4"),                            /* symbolic links out of the folder */
  BAD ("link-out-absolute.mp4"),
  BAD ("passwd.mp4"),
  BAD ("outdir/x.mp4"),
  BAD ("link-out-missing.mp4"),                    /* refused as if its target existed */
  BAD ("linkdir-out-missing/x.mp4"),
  BAD ("loop"),
  BAD ("self"),                                    /* the folder itself is no file */
  BAD ("sub"),
  { "a.mp4\0.txt", 10, CB_ENGINE_ERROR_INVALID, NULL },   /* NUL inside the given length */
  { "a.mp4trailing", 5, -1, "a.mp4" },             /* only @length bytes are the name */
  MISSING ("missing.mp4"),
  MISSING ("sub/missing.mp4"),
  MISSING ("nodir/x.mp4"),
  MISSING ("a.mp4/x"),
  MISSING ("dangling.mp4"),
};

static void
test_table (Fixture       *f,
            gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (path_cases); i++)
    {
      const PathCase *c = &path_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = g_strescape (c->name, NULL);
      g_autofree char *path = cb_path_confine_len (f->root, c->name, c->length, &error);

      g_test_message ("case %u: “%s”", i, shown);
      if (c->code < 0)
        {
          g_autofree char *real_root = realpath (f->root, NULL);
          g_autofree char *expected = g_build_filename (real_root, c->resolved, NULL);

          g_assert_no_error (error);
          g_assert_cmpstr (path, ==, expected);
        }
      else
        {
          g_assert_null (path);
          g_assert_error (error, CB_ENGINE_ERROR, c->code);
          /* Messages go back to clients: never a path. */
          g_assert_null (strstr (error->message, f->tmp));
        }
    }
}

static void
test_lengths (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *component = g_strnfill (300, 'x');
  g_autofree char *max_component = g_strnfill (CB_PATH_MAX_COMPONENT, 'y');
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *path;

  /* A 300-byte component is refused before the file system is asked. */
  path = cb_path_confine (f->root, component, &error);
  g_assert_null (path);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* 255 bytes is a name like any other: it just is not there. */
  path = cb_path_confine (f->root, max_component, &error);
  g_assert_null (path);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND);
  g_clear_error (&error);

  /* Over 4096 bytes in all, in components that are each short enough. */
  while (deep->len <= CB_PATH_MAX_NAME)
    g_string_append (deep, "abcdefgh/");
  g_string_append (deep, "x.mp4");
  path = cb_path_confine (f->root, deep->str, &error);
  g_assert_null (path);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  path = cb_path_confine (f->root, NULL, &error);
  g_assert_null (path);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
}

static void
test_missing_root (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *gone = g_build_filename (f->tmp, "no-such-folder", NULL);
  g_autoptr(GError) error = NULL;
  char *path = cb_path_confine (gone, "a.mp4", &error);

  g_assert_null (path);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FILE_NOT_FOUND);
}

/* The root given through a symbolic link (media_dir often is one) still confines. */
static void
test_root_through_link (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *link = g_build_filename (f->tmp, "root-link", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *ok = NULL;
  char *bad;

  g_assert_cmpint (symlink (f->root, link), ==, 0);
  ok = cb_path_confine (link, "sub/b.mp4", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (ok, "/root/sub/b.mp4"));
  bad = cb_path_confine (link, "link-out.mp4", &error);
  g_assert_null (bad);
  g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cb/path/table", Fixture, NULL, fixture_set_up, test_table, fixture_tear_down);
  g_test_add ("/cb/path/lengths", Fixture, NULL, fixture_set_up, test_lengths, fixture_tear_down);
  g_test_add ("/cb/path/missing-root", Fixture, NULL, fixture_set_up, test_missing_root,
              fixture_tear_down);
  g_test_add ("/cb/path/root-through-link", Fixture, NULL, fixture_set_up,
              test_root_through_link, fixture_tear_down);
  return g_test_run ();
}
