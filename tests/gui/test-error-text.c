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
  /* A mixer strip with no device: the engine's words, translated (rows 26 to 29). */
  { CB_ERROR_ABOUT_MICROPHONE, CB_ENGINE_ERROR_NO_DEVICE, NULL, "No microphone on this machine" },
  { CB_ERROR_ABOUT_MICROPHONE, CB_ENGINE_ERROR_NO_DEVICE, "USB", "No microphone “USB” on this machine" },
  { CB_ERROR_ABOUT_DESKTOP_AUDIO, CB_ENGINE_ERROR_NO_DEVICE, NULL,
    "No desktop audio: the sound server shows no monitor of an output" },
  { CB_ERROR_ABOUT_MICROPHONE, CB_ENGINE_ERROR_FAILED, NULL, "reason" },
  /* A scene's camera with no device (rows 30, 31), a source's missing file (32). */
  { CB_ERROR_ABOUT_CAMERA, CB_ENGINE_ERROR_NO_DEVICE, NULL, "No camera on this machine" },
  { CB_ERROR_ABOUT_CAMERA, CB_ENGINE_ERROR_NO_DEVICE, "/dev/video7", "No camera “/dev/video7” on this machine" },
  { CB_ERROR_ABOUT_SOURCE, CB_ENGINE_ERROR_FILE_NOT_FOUND, NULL, "The media file was not found" },
};

/* Why a source is not seen or heard as asked. */
static const struct { CbSourceError code; const char *want; const char *ru; } source_rows[] = {
  { CB_SOURCE_ERROR_NO_HEADPHONES, "Cannot play it in the headphones: no output device",
    "Не слышно в наушниках: нет устройства вывода" },
  { CB_SOURCE_ERROR_CANNOT_LOOP, "This file cannot be played in a loop",
    "Этот файл нельзя воспроизводить по кругу" },
  { CB_SOURCE_ERROR_NOT_LINKED, "The source cannot be shown: reason", "Источник нельзя показать: reason" },
};

static void
assert_source_rows (gboolean russian)
{
  for (guint i = 0; i < G_N_ELEMENTS (source_rows); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (CB_SOURCE_ERROR, source_rows[i].code, "reason");
      g_autofree char *on_mic = cb_error_text (error, CB_ERROR_ABOUT_MICROPHONE, NULL);
      g_autofree char *on_source = cb_error_text (error, CB_ERROR_ABOUT_SOURCE, NULL);
      const char *want = russian ? source_rows[i].ru : source_rows[i].want;

      g_assert_cmpstr (on_mic, ==, want);
      g_assert_cmpstr (on_source, ==, want);
    }
}

/* Why a screen or window source shows nothing: the same wherever it is said. */
static const struct { CbCaptureError code; const char *want; const char *ru; } capture_rows[] = {
  { CB_CAPTURE_ERROR_NOT_X11,
    "Window capture needs an X11 session; on Wayland add “Screen or window (portal)”",
    "Для захвата окна нужен сеанс X11; в Wayland добавьте «Экран или окно (портал)»" },
  { CB_CAPTURE_ERROR_WINDOW_NOT_FOUND, "The window is not open", "Окно не открыто" },
  { CB_CAPTURE_ERROR_WINDOW_CLOSED, "The window was closed", "Окно закрыто" },
  { CB_CAPTURE_ERROR_ASKING, "Waiting for your permission to capture the screen…",
    "Ожидание вашего разрешения на захват экрана…" },
  { CB_CAPTURE_ERROR_NO_PORTAL,
    "The desktop portal (xdg-desktop-portal) is not running",
    "Портал рабочего стола (xdg-desktop-portal) не запущен" },
  { CB_CAPTURE_ERROR_REFUSED, "Screen capture was not allowed", "Захват экрана не разрешён" },
  { CB_CAPTURE_ERROR_PORTAL_FAILED, "The desktop portal did not start the capture: reason",
    "Портал рабочего стола не начал захват: reason" },
};

static char *
capture_text_of (guint         i,
                 CbErrorAbout  about)
{
  g_autoptr(GError) error = g_error_new_literal (CB_CAPTURE_ERROR, capture_rows[i].code, "reason");

  return cb_error_text (error, about, NULL);
}

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
  for (guint i = 0; i < G_N_ELEMENTS (capture_rows); i++)
    {
      g_autofree char *on_source = capture_text_of (i, CB_ERROR_ABOUT_SOURCE);
      g_autofree char *going_live = capture_text_of (i, CB_ERROR_ABOUT_STREAM);

      g_assert_cmpstr (on_source, ==, capture_rows[i].want);
      g_assert_cmpstr (going_live, ==, capture_rows[i].want);
    }
  assert_source_rows (FALSE);
  /* Other reasons on a source stay as the engine says them. */
  {
    g_autoptr(GError) error = g_error_new_literal (CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                                                   "The pipeline stopped");
    g_autofree char *got = cb_error_text (error, CB_ERROR_ABOUT_SOURCE, NULL);

    g_assert_cmpstr (got, ==, "The pipeline stopped");
  }
  /* Each kind of source has its sentences' place. */
  g_assert_cmpint (cb_error_about_source (CB_SCENE_SOURCE_CAMERA), ==, CB_ERROR_ABOUT_CAMERA);
  g_assert_cmpint (cb_error_about_source (CB_SCENE_SOURCE_MIC), ==, CB_ERROR_ABOUT_MICROPHONE);
  g_assert_cmpint (cb_error_about_source (CB_SCENE_SOURCE_DESKTOP), ==, CB_ERROR_ABOUT_DESKTOP_AUDIO);
  g_assert_cmpint (cb_error_about_source (CB_SCENE_SOURCE_MEDIA), ==, CB_ERROR_ABOUT_SOURCE);
}

/* The same places, translated (po/ru.po): the reason stays as it came. */
static void
test_russian (void)
{
  static const struct { guint row; const char *want; } ru[] = {
    { 10, "«live» не в эфире: сначала выйдите в эфир, затем включите назначение" },
    { 14, "Не удалось изменить назначение: reason" },
    { 19, "Не удалось изменить ретрансляцию: reason" },
    { 26, "На этом компьютере нет микрофона" },
    { 27, "На этом компьютере нет микрофона «USB»" },
    { 28, "Нет звука рабочего стола: звуковой сервер не показывает монитор выхода" },
    { 30, "На этом компьютере нет камеры" },
    { 31, "На этом компьютере нет камеры «/dev/video7»" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ru); i++)
    {
      g_autofree char *got = text_of (&rows[ru[i].row]);

      g_assert_cmpstr (got, ==, ru[i].want);
    }
  for (guint i = 0; i < G_N_ELEMENTS (capture_rows); i++)
    {
      g_autofree char *got = capture_text_of (i, CB_ERROR_ABOUT_SOURCE);

      g_assert_cmpstr (got, ==, capture_rows[i].ru);
    }
  assert_source_rows (TRUE);
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
