/* test-error-text.c — the sentence people read for each error, in English and in Russian
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No display: cb_error_text() is plain GLib. Run with LANGUAGE=ru for the /ru path.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cb-engine-error.h"
#include "cb-error-text.h"

typedef struct {
  CbErrorAbout  about;
  int           code;      /* in CB_ENGINE_ERROR; -1: another domain */
  const char   *name;
  const char   *want;
} Row;

static const Row rows[] = {
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_INVALID, "a b", "“a b” cannot be used as a stream name" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_INVALID, NULL, "The source cannot be used" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_EXISTS, "live", "A stream named “live” is already live" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_NO_DEVICE, NULL, "The camera or microphone is not available" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_FILE_NOT_FOUND, NULL, "The media file was not found" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_BAD_FORMAT, NULL, "The file cannot be played as video or audio" },
  { CB_ERROR_ABOUT_STREAM, CB_ENGINE_ERROR_FAILED, NULL, "Something went wrong: reason" },
  { CB_ERROR_ABOUT_STREAM, -1, NULL, "Something went wrong: reason" },
  { CB_ERROR_ABOUT_PLAYER, CB_ENGINE_ERROR_MISSING_PLUGIN, NULL, "A GStreamer plugin is missing: reason" },
  { CB_ERROR_ABOUT_PLAYER, -1, NULL, "reason" },
  { CB_ERROR_ABOUT_DESTINATION_START, CB_ENGINE_ERROR_NOT_FOUND, "live",
    "“live” is not live: go live first, then switch the destination on" },
  { CB_ERROR_ABOUT_DESTINATION, CB_ENGINE_ERROR_NOT_FOUND, NULL, "The push has already ended" },
  { CB_ERROR_ABOUT_DESTINATION, CB_ENGINE_ERROR_EXISTS, NULL, "This stream already goes to this destination" },
  { CB_ERROR_ABOUT_DESTINATION_START, CB_ENGINE_ERROR_INVALID, "live",
    "The destination’s address cannot be used: reason" },
  { CB_ERROR_ABOUT_DESTINATION, CB_ENGINE_ERROR_FAILED, NULL, "The destination could not be changed: reason" },
  { CB_ERROR_ABOUT_RELAY_PUSH, CB_ENGINE_ERROR_NOT_FOUND, "live", "There is no stream “live” to relay" },
  { CB_ERROR_ABOUT_RELAY, CB_ENGINE_ERROR_NOT_FOUND, NULL, "The relay has already ended" },
  { CB_ERROR_ABOUT_RELAY, CB_ENGINE_ERROR_EXISTS, NULL, "This address is already relayed, or the name is in use" },
  { CB_ERROR_ABOUT_RELAY_PUSH, CB_ENGINE_ERROR_INVALID, NULL, "This address or name cannot be used: reason" },
  { CB_ERROR_ABOUT_RELAY, -1, NULL, "The relay could not be changed: reason" },
  { CB_ERROR_ABOUT_RECORDING_START, CB_ENGINE_ERROR_NOT_FOUND, "live", "The stream is gone" },
  { CB_ERROR_ABOUT_RECORDING_START, CB_ENGINE_ERROR_FAILED, NULL, "Recording could not start: reason" },
  { CB_ERROR_ABOUT_RECORDING_STOP, CB_ENGINE_ERROR_FAILED, NULL, "Recording could not be stopped: reason" },
  { CB_ERROR_ABOUT_RECORDING_PUBLISH, CB_ENGINE_ERROR_EXISTS, NULL,
    "The recording could not be published: reason" },
  { CB_ERROR_ABOUT_RECORDING_DELETE, CB_ENGINE_ERROR_EXISTS, NULL, "The recording is still being written" },
  { CB_ERROR_ABOUT_RECORDING_DELETE, CB_ENGINE_ERROR_FAILED, NULL, "The recording could not be deleted: reason" },
};

static char *
text_of (const Row *row)
{
  g_autoptr(GError) error = NULL;

  if (row->code >= 0)
    error = g_error_new_literal (CB_ENGINE_ERROR, row->code, "reason");
  else
    error = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED, "reason");

  return cb_error_text (error, row->about, row->name);
}

static void
test_english (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *got = text_of (&rows[i]);

      g_assert_cmpstr (got, ==, rows[i].want);
    }
}

/* The same places, translated (po/ru.po): the reason stays as it came. */
static void
test_russian (void)
{
  static const struct { guint row; const char *want; } ru[] = {
    { 10, "«live» не в эфире: сначала выйдите в эфир, затем включите назначение" },
    { 14, "Не удалось изменить назначение: reason" },
    { 19, "Не удалось изменить ретрансляцию: reason" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ru); i++)
    {
      g_autofree char *got = text_of (&rows[ru[i].row]);

      g_assert_cmpstr (got, ==, ru[i].want);
    }
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, CB_BUILD_DIR "/po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/error-text/english", test_english);
  g_test_add_func ("/cb/error-text/ru", test_russian);
  return g_test_run ();
}
