/* test-mixer.c — the Mixer against a real engine and server under Xvfb: the microphones'
 * Ctrl+M (win.mute-mic), what a strip says when its device is missing, the fader, the
 * headphones (monitor toggle), the clipping mark and the program meters
 *
 * Ctrl+M with Scenes mutes the microphone strips only, live or not: the strip's mute
 * button shows it, the microphone's meter falls silent while the desktop's sound and the
 * test tone go on, the stream keeps publishing. The microphone and the desktop's monitor
 * are a device provider of this process (fake_audio_devices_register()): no sound server
 * runs where the tests do. A strip with no device says so in the window's language
 * (cb_error_text()). A fader (in dB) turns its source down in the mix by the dB asked
 * and is restored by the next window; the headphones' output is CB_AUDIO_SINK, a file the test
 * reads; a full-scale microphone is marked as clipping until after it is turned down.
 * Screenshots go to CB_SCREENSHOT_DIR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "cb-window-studio.h"
#include "gui-util.h"

static gboolean
in_russian (void)
{
  return g_str_has_prefix (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", "ru");
}

/* A strip with no device: the sentence of the window's language, not the engine's. */
static void
test_no_device (Fixture       *fixture,
                gconstpointer  data)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  guint mic, desktop;

  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  mic = cb_mixer_add_source (mixer, CB_SCENE_SOURCE_MIC);
  desktop = cb_mixer_add_source (mixer, CB_SCENE_SOURCE_DESKTOP);
  g_assert_cmpstr (cb_program_get_problem (program, mic), ==, "No microphone on this machine");
  g_assert_nonnull (cb_program_get_problem (program, desktop));
  if (in_russian ())
    {
      g_assert_cmpstr (cb_mixer_get_problem_text (mixer, mic), ==, "На этом компьютере нет микрофона");
      g_assert_cmpstr (cb_mixer_get_problem_text (mixer, desktop), ==,
                       "Нет звука рабочего стола: звуковой сервер не показывает монитор выхода");
    }
  else
    {
      /* In English, the engine's own words. */
      g_assert_cmpstr (cb_mixer_get_problem_text (mixer, mic), ==, cb_program_get_problem (program, mic));
      g_assert_cmpstr (cb_mixer_get_problem_text (mixer, desktop), ==,
                       cb_program_get_problem (program, desktop));
    }
  spin_for (300);
  save_window_screenshot (fixture, "mixer-no-device");
}

static gboolean
meter_above (Fixture       *fixture,
             gconstpointer  data)
{
  return cb_level_meter_get_peak ((CbLevelMeter *) data) > -40;
}

static gboolean
meter_below (Fixture       *fixture,
             gconstpointer  data)
{
  return cb_level_meter_get_peak ((CbLevelMeter *) data) < -90;
}

/* What the scenes file says of a source. */
typedef struct {
  guint    id;
  gboolean muted;
  gboolean monitor;
  double   volume;
} Saved;

static gboolean
saved_as (Fixture       *fixture,
          gconstpointer  data)
{
  const Saved *want = data;
  g_autoptr(CbSceneSource) s = saved_source (want->id);

  return s != NULL && s->muted == want->muted && s->monitor == want->monitor &&
         fabs (s->volume - want->volume) < 0.001;
}
typedef struct {
  CbMixer      *mixer;
  guint         mic, desktop, tone;
} Strips;

static void
toggle_mute_mic (Fixture *fixture,
                 Strips  *s,
                 gboolean muted)
{
  Saved want = { s->mic, muted, FALSE, 1 };

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "mute-mic"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "mute-mic", NULL);
  g_assert_cmpint (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->mic)), ==, muted);
  g_assert_true (cb_mixer_get_mics_muted (s->mixer) == muted);
  /* The other strips are not touched. */
  g_assert_false (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->desktop)));
  g_assert_false (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->tone)));
  g_assert_true (wait_for (fixture, saved_as, &want));
}

/* The microphone is silent for a second (every meter update) while the other sources still
 * sound (nearly every update: on a loaded machine a live source's meter can miss one), and
 * the mix still sounds. The mix is waited for rather than sampled: under load the program
 * meter was seen silent for a second while its sources sounded, muted or not. */
static void
assert_only_mic_silent (Fixture *fixture,
                        Strips  *s)
{
  CbLevelMeter *mic = cb_mixer_get_meter (s->mixer, s->mic);
  CbLevelMeter *others[] = {
    cb_mixer_get_meter (s->mixer, s->desktop),
    cb_mixer_get_meter (s->mixer, s->tone),
  };
  CbLevelMeter *mix[] = {
    cb_mixer_get_meter (s->mixer, 0),
    cb_window_get_program_meter (fixture->window),
  };
  guint sounding[G_N_ELEMENTS (others)] = { 0 };

  g_assert_true (wait_for (fixture, meter_below, mic));
  for (guint i = 0; i < 10; i++)
    {
      spin_for (100);
      g_assert_cmpfloat (cb_level_meter_get_peak (mic), <, -90);
      for (guint j = 0; j < G_N_ELEMENTS (others); j++)
        sounding[j] += cb_level_meter_get_peak (others[j]) > -40;
    }
  for (guint j = 0; j < G_N_ELEMENTS (others); j++)
    {
      g_test_message ("source meter %u: sounding %u times of 10", j, sounding[j]);
      g_assert_cmpuint (sounding[j], >=, 7);
    }
  for (guint j = 0; j < G_N_ELEMENTS (mix); j++)
    g_assert_true (wait_for (fixture, meter_above, mix[j]));
  g_assert_cmpfloat (cb_level_meter_get_peak (mic), <, -90);
}

static void
test_mute_mic (Fixture       *fixture,
               gconstpointer  data)
{
  CbSceneEditor *editor = cb_window_get_scene_editor (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (editor);
  const CbSceneCollection *c = cb_program_get_collection (program);
  Strips s = { cb_window_get_mixer (fixture->window) };

  fake_audio_devices_register ();

  /* The default scene has the test tone in the mixer. */
  g_assert_cmpuint (c->audio->len, ==, 1);
  s.tone = ((CbSceneSource *) g_ptr_array_index (c->audio, 0))->id;
  s.mic = cb_mixer_add_source (s.mixer, CB_SCENE_SOURCE_MIC);
  s.desktop = cb_mixer_add_source (s.mixer, CB_SCENE_SOURCE_DESKTOP);
  g_assert_null (cb_program_get_problem (program, s.mic));
  g_assert_null (cb_program_get_problem (program, s.desktop));
  show_sidebar_page (fixture, GTK_WIDGET (s.mixer), "mixer");
  g_assert_true (wait_for (fixture, meter_above, cb_mixer_get_meter (s.mixer, s.mic)));
  g_assert_true (wait_for (fixture, meter_above, cb_mixer_get_meter (s.mixer, s.desktop)));

  /* Not live: Ctrl+M mutes the microphone, and again unmutes it. */
  toggle_mute_mic (fixture, &s, TRUE);
  assert_only_mic_silent (fixture, &s);
  toggle_mute_mic (fixture, &s, FALSE);
  g_assert_true (wait_for (fixture, meter_above, cb_mixer_get_meter (s.mixer, s.mic)));

  /* Live: the same, and the stream goes on. */
  studio_go_live (fixture);
  toggle_mute_mic (fixture, &s, TRUE);
  assert_only_mic_silent (fixture, &s);
  g_assert_true (row_has_status (fixture, studio_publishing));
  g_assert_true (cb_window_is_live (fixture->window));
  save_window_screenshot (fixture, "mixer-mute-mic");
  toggle_mute_mic (fixture, &s, FALSE);
  g_assert_true (wait_for (fixture, meter_above, cb_mixer_get_meter (s.mixer, s.mic)));
  g_assert_true (row_has_status (fixture, studio_publishing));
  studio_stop_live (fixture);
}

/* ---- levels: the fader, the clipping mark, the program meters ------------------ */

static gboolean
meter_clipping (Fixture       *fixture,
                gconstpointer  data)
{
  return cb_level_meter_get_clipping ((CbLevelMeter *) data);
}

static gboolean
meter_not_clipping (Fixture       *fixture,
                    gconstpointer  data)
{
  return !cb_level_meter_get_clipping ((CbLevelMeter *) data);
}

typedef struct {
  CbLevelMeter *meter;
  double        db;
} Near;

#define NEAR_DB 1.5

static gboolean
meter_near (Fixture       *fixture,
            gconstpointer  data)
{
  const Near *near = data;

  return fabs (cb_level_meter_get_peak (near->meter) - near->db) < NEAR_DB;
}

/* The loudest of a second of meter updates. */
static double
loudest (CbLevelMeter *meter)
{
  double max = -700;

  for (guint i = 0; i < 10; i++)
    {
      spin_for (100);
      max = MAX (max, cb_level_meter_get_peak (meter));
    }
  return max;
}

/* @meter's peak settles within NEAR_DB of @db and stays there for a second: never louder,
 * and on nearly every update (a live source's meter can miss one under load). */
static void
assert_peak_near (Fixture      *fixture,
                  CbLevelMeter *meter,
                  double        db)
{
  Near near = { meter, db };
  guint hits = 0;

  g_assert_true (wait_for (fixture, meter_near, &near));
  for (guint i = 0; i < 10; i++)
    {
      spin_for (100);
      g_assert_cmpfloat (cb_level_meter_get_peak (meter), <, db + NEAR_DB);
      hits += meter_near (fixture, &near);
    }
  g_test_message ("peak near %.1f dB %u times of 10", db, hits);
  g_assert_cmpuint (hits, >=, 7);
}

/* Silent for a second, every update, once what was on its way (the sources' queues, the
 * mixer's latency: 300 ms) has gone through. */
static void
assert_silent (Fixture      *fixture,
               CbLevelMeter *meter)
{
  g_assert_true (wait_for (fixture, meter_below, meter));
  spin_for (500);
  for (guint i = 0; i < 10; i++)
    {
      spin_for (100);
      g_assert_cmpfloat (cb_level_meter_get_peak (meter), <, -90);
    }
}

/* Sounding on nearly every update for a second. */
static void
assert_sounding (Fixture      *fixture,
                 CbLevelMeter *meter)
{
  guint sounding = 0;

  g_assert_true (wait_for (fixture, meter_above, meter));
  for (guint i = 0; i < 10; i++)
    {
      spin_for (100);
      sounding += cb_level_meter_get_peak (meter) > -40;
    }
  g_test_message ("sounding %u times of 10", sounding);
  g_assert_cmpuint (sounding, >=, 7);
}

static guint
first_audio_source (Fixture *fixture)
{
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  const CbSceneCollection *c = cb_program_get_collection (program);

  g_assert_cmpuint (c->audio->len, >=, 1);
  return ((CbSceneSource *) g_ptr_array_index (c->audio, 0))->id;
}

/* A strip's fader (in dB) turns its source down in the program mix by the dB asked, to
 * silence at the bottom; the fader's place is saved (as the gain), and a new window (as
 * the next run) takes it back, in the mix too. */
static void
test_fader (Fixture       *fixture,
            gconstpointer  data)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbLevelMeter *header = cb_window_get_program_meter (fixture->window);
  guint tone = first_audio_source (fixture);
  GtkRange *fader = cb_mixer_get_fader (mixer, tone);
  Saved want = { tone, FALSE, FALSE, 0.501187 };   /* -6 dB */
  double full;

  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  g_assert_nonnull (fader);
  g_assert_cmpfloat (gtk_range_get_value (fader), ==, 0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (fader)), ==,
                   in_russian () ? "Громкость: +0.0 дБ" : "Volume: +0.0 dB");
  /* The default scene's test tone alone: a sine at -20 dBFS. */
  g_assert_true (wait_for (fixture, meter_above, header));
  full = loudest (header);
  g_test_message ("program peak at the fader's 0 dB: %.2f dB", full);
  g_assert_cmpfloat (fabs (full - -20), <, NEAR_DB);

  gtk_range_set_value (fader, -20);
  assert_peak_near (fixture, header, full - 20);
  assert_peak_near (fixture, cb_mixer_get_meter (mixer, 0), full - 20);
  assert_peak_near (fixture, cb_mixer_get_meter (mixer, tone), full - 20);

  gtk_range_set_value (fader, gtk_adjustment_get_lower (gtk_range_get_adjustment (fader)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (fader)), ==,
                   in_russian () ? "Громкость: выключено" : "Volume: off");
  assert_silent (fixture, header);
  assert_silent (fixture, cb_mixer_get_meter (mixer, 0));

  gtk_range_set_value (fader, -6);
  assert_peak_near (fixture, header, full - 6);
  save_window_screenshot (fixture, "mixer-fader");
  g_assert_true (wait_for (fixture, saved_as, &want));

  /* The next run: the window reads the scenes file again and builds its program. */
  fixture_reopen_window (fixture);
  mixer = cb_window_get_mixer (fixture->window);
  header = cb_window_get_program_meter (fixture->window);
  fader = cb_mixer_get_fader (mixer, tone);
  g_assert_nonnull (fader);
  g_assert_cmpfloat (fabs (gtk_range_get_value (fader) - -6), <, 0.01);
  assert_peak_near (fixture, header, full - 6);
}

static char *monitor_file;   /* where CB_AUDIO_SINK writes the headphones' sound */

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : -1;
}

static gboolean
monitor_file_reaches (Fixture       *fixture,
                      gconstpointer  data)
{
  return file_size (monitor_file) >= *(const goffset *) data;
}

/* The loudest S16 sample of the monitor file's last @bytes. */
static int
monitor_file_loudest (gsize bytes)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  int max = 0;

  g_assert_true (g_file_get_contents (monitor_file, &contents, &length, NULL));
  for (gsize i = length - MIN (length, bytes) / 2 * 2; i + 1 < length; i += 2)
    {
      gint16 v = (gint16) GINT16_FROM_LE (*(gint16 *) (contents + i));
      max = MAX (max, ABS ((int) v));
    }
  return max;
}

#define SECOND_BYTES (48000 * 2 * 2)   /* S16LE stereo at 48 kHz */

/* The headphones: the monitor toggle sends the source's own sound to the sound output
 * (here CB_AUDIO_SINK, set in main(): a file), as it comes, and stops it when toggled off;
 * the mix does not notice. */
static void
test_monitor (Fixture       *fixture,
              gconstpointer  data)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  guint tone = first_audio_source (fixture);
  GtkToggleButton *button = cb_mixer_get_monitor_button (mixer, tone);
  Saved saved_on = { tone, FALSE, TRUE, 1 };
  goffset want, before, after;

  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  g_assert_nonnull (button);
  g_assert_true (wait_for (fixture, meter_above, cb_mixer_get_meter (mixer, tone)));
  /* Nothing reaches the output until it is asked for. */
  spin_for (300);
  g_assert_cmpint (file_size (monitor_file), <=, 0);

  gtk_toggle_button_set_active (button, TRUE);
  g_assert_null (cb_program_get_problem (program, tone));
  want = SECOND_BYTES / 4;
  g_assert_true (wait_for (fixture, monitor_file_reaches, &want));
  /* The test tone (a sine at a tenth of full scale: 3277), not silence. */
  g_assert_cmpint (monitor_file_loudest (SECOND_BYTES / 10), >, 2500);
  g_assert_cmpint (monitor_file_loudest (SECOND_BYTES / 10), <, 4000);
  /* As it plays: a second brings about a second of it. */
  before = file_size (monitor_file);
  spin_for (1000);
  after = file_size (monitor_file);
  g_test_message ("monitor: %" G_GOFFSET_FORMAT " bytes in a second", after - before);
  g_assert_cmpint (after - before, >, SECOND_BYTES / 2);
  g_assert_cmpint (after - before, <, SECOND_BYTES * 2);
  g_assert_true (wait_for (fixture, saved_as, &saved_on));
  /* The mix goes on as before. */
  assert_sounding (fixture, cb_window_get_program_meter (fixture->window));
  save_window_screenshot (fixture, "mixer-monitor");

  /* Off: once what was on its way is out, nothing more. */
  gtk_toggle_button_set_active (button, FALSE);
  spin_for (500);
  before = file_size (monitor_file);
  spin_for (1000);
  g_assert_cmpint (file_size (monitor_file), ==, before);
  assert_sounding (fixture, cb_window_get_program_meter (fixture->window));

  /* And on again. */
  gtk_toggle_button_set_active (button, TRUE);
  want = before + SECOND_BYTES / 4;
  g_assert_true (wait_for (fixture, monitor_file_reaches, &want));
  gtk_toggle_button_set_active (button, FALSE);
}

static gboolean
strip_has_problem (Fixture       *fixture,
                   gconstpointer  data)
{
  return cb_mixer_get_problem_text (cb_window_get_mixer (fixture->window),
                                    GPOINTER_TO_UINT (data)) != NULL;
}

static gboolean
strip_has_no_problem (Fixture       *fixture,
                      gconstpointer  data)
{
  return !strip_has_problem (fixture, data);
}

/* With no sound output (autoaudiosink settles for a fakesink of its own where no sound
 * server runs), the headphones say so on the strip until toggled off, and the source and
 * the mix go on. Run with CB_AUDIO_SINK empty; skipped where the machine has an output. */
static void
test_monitor_no_output (Fixture       *fixture,
                        gconstpointer  data)
{
  guint tone = first_audio_source (fixture);
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));

  if (g_strcmp0 (g_getenv ("CB_AUDIO_SINK"), "") != 0)
    {
      g_test_skip ("CB_AUDIO_SINK is not empty: run with it empty (meson test mixer-no-output)");
      return;
    }
  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  gtk_toggle_button_set_active (cb_mixer_get_monitor_button (mixer, tone), TRUE);
  if (cb_program_get_problem (program, tone) == NULL)
    {
      g_test_skip ("this machine has a sound output");
      return;
    }
  g_assert_cmpstr (cb_program_get_problem (program, tone), ==,
                   "Cannot play it in the headphones: no output device");
  g_assert_true (wait_for (fixture, strip_has_problem, GUINT_TO_POINTER (tone)));
  /* In the studio's language. */
  g_assert_cmpstr (cb_mixer_get_problem_text (mixer, tone), ==,
                   _("Cannot play it in the headphones: no output device"));
  assert_sounding (fixture, cb_mixer_get_meter (mixer, tone));
  assert_sounding (fixture, cb_window_get_program_meter (fixture->window));
  save_window_screenshot (fixture, "mixer-no-output");

  /* Toggled off, the sentence goes. */
  gtk_toggle_button_set_active (cb_mixer_get_monitor_button (mixer, tone), FALSE);
  g_assert_null (cb_program_get_problem (program, tone));
  g_assert_true (wait_for (fixture, strip_has_no_problem, GUINT_TO_POINTER (tone)));
}

/* A source at full scale is marked on its strip, and so is the mix it makes clip; a quiet
 * one is not. Turned down, the mark goes after its hold (2 s). */
static void
test_clipping (Fixture       *fixture,
               gconstpointer  data)
{
  CbSceneEditor *editor = cb_window_get_scene_editor (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (editor);
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbLevelMeter *header = cb_window_get_program_meter (fixture->window);
  guint tone = first_audio_source (fixture);
  CbSceneSource *s;
  CbLevelMeter *loud, *quiet;
  guint mic;
  gint64 turned_down;

  fake_audio_devices_register ();
  /* As the first-run page adds the microphone picked there. */
  s = cb_program_new_source (program, CB_SCENE_SOURCE_MIC, "Loud Microphone", "fake-loud-mic");
  mic = s->id;
  cb_program_add_source (program, 0, s);
  cb_scene_editor_changed (editor);
  g_assert_null (cb_program_get_problem (program, mic));
  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  loud = cb_mixer_get_meter (mixer, mic);
  quiet = cb_mixer_get_meter (mixer, tone);

  g_assert_true (wait_for (fixture, meter_clipping, loud));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (loud), "clipping"));
  g_assert_true (wait_for (fixture, meter_clipping, cb_mixer_get_meter (mixer, 0)));
  g_assert_true (wait_for (fixture, meter_clipping, header));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (header), "clipping"));
  g_assert_true (wait_for (fixture, meter_above, quiet));
  g_assert_false (cb_level_meter_get_clipping (quiet));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (quiet), "clipping"));
  spin_for (300);
  save_window_screenshot (fixture, "mixer-clipping");

  /* The fader to -6 dB: the square wave at half scale, the mix below full scale too. */
  gtk_range_set_value (cb_mixer_get_fader (mixer, mic), -6);
  turned_down = g_get_monotonic_time ();
  g_assert_true (cb_level_meter_get_clipping (loud));
  g_assert_true (wait_for (fixture, meter_not_clipping, loud));
  g_test_message ("clipping mark cleared after %.2f s", (g_get_monotonic_time () - turned_down) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - turned_down, >=, 3 * G_USEC_PER_SEC / 2);
  g_assert_true (wait_for (fixture, meter_not_clipping, header));
  /* The class goes with the next update. */
  spin_for (200);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (loud), "clipping"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (header), "clipping"));
  assert_peak_near (fixture, loud, -6);
}

/* The header bar's meter follows the program mix: it sounds while a source plays, falls
 * silent when every source is muted, and sounds again with one unmuted. */
static void
test_program_meter (Fixture       *fixture,
                    gconstpointer  data)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbLevelMeter *header = cb_window_get_program_meter (fixture->window);
  guint ids[3];

  fake_audio_devices_register ();
  ids[0] = first_audio_source (fixture);
  ids[1] = cb_mixer_add_source (mixer, CB_SCENE_SOURCE_MIC);
  ids[2] = cb_mixer_add_source (mixer, CB_SCENE_SOURCE_DESKTOP);
  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (header)));
  assert_sounding (fixture, header);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    gtk_toggle_button_set_active (cb_mixer_get_mute_button (mixer, ids[i]), TRUE);
  assert_silent (fixture, header);
  assert_silent (fixture, cb_mixer_get_meter (mixer, 0));
  save_window_screenshot (fixture, "mixer-all-muted");

  gtk_toggle_button_set_active (cb_mixer_get_mute_button (mixer, ids[1]), FALSE);
  assert_sounding (fixture, header);
  g_assert_cmpfloat (cb_level_meter_get_peak (cb_mixer_get_meter (mixer, ids[0])), <, -90);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char       *path;
    GTestFixtureFunc  test;
  } tests[] = {
    { "/cb/gui/mixer/no-device", (GTestFixtureFunc) test_no_device },
    { "/cb/gui/mixer/mute-mic", (GTestFixtureFunc) test_mute_mic },
    { "/cb/gui/mixer/fader", (GTestFixtureFunc) test_fader },
    { "/cb/gui/mixer/monitor", (GTestFixtureFunc) test_monitor },
    { "/cb/gui/mixer/monitor-no-output", (GTestFixtureFunc) test_monitor_no_output },
    { "/cb/gui/mixer/clipping", (GTestFixtureFunc) test_clipping },
    { "/cb/gui/mixer/program-meter", (GTestFixtureFunc) test_program_meter },
  };
  g_autofree char *monitor_dir = g_dir_make_tmp ("cb-mixer-XXXXXX", NULL);
  g_autofree char *sink = NULL;
  int status;

  /* The headphones write to a file (unless CB_AUDIO_SINK is set, empty for the default
   * output), before any thread that might read the environment. */
  g_assert_nonnull (monitor_dir);
  monitor_file = g_build_filename (monitor_dir, "monitor.raw", NULL);
  sink = g_strdup_printf ("audioconvert ! audio/x-raw,format=S16LE,channels=2 ! "
                          "filesink buffer-mode=unbuffered location=\"%s\"", monitor_file);
  g_setenv ("CB_AUDIO_SINK", sink, FALSE);

  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }

  /* In this order: once the fake devices are registered, this process has a microphone. */
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_vtable (tests[i].path, sizeof (Fixture), NULL,
                       (GTestFixtureFunc) fixture_set_up_default_scene,
                       tests[i].test, (GTestFixtureFunc) fixture_tear_down);

  status = g_test_run ();
  g_remove (monitor_file);
  g_rmdir (monitor_dir);
  g_free (monitor_file);
  return status;
}
