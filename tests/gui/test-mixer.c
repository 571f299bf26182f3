/* test-mixer.c — the Mixer's microphones: Ctrl+M (win.mute-mic) and what a strip says when
 * its device is missing, against a real engine and server under Xvfb
 *
 * Ctrl+M with Scenes mutes the microphone strips only, live or not: the strip's mute
 * button shows it, the microphone's meter falls silent while the desktop's sound and the
 * test tone go on, the stream keeps publishing. The microphone and the desktop's monitor
 * are a device provider of this process (fake_audio_devices_register()): no sound server
 * runs where the tests do. A strip with no device says so in the window's language
 * (cb_error_text()). Screenshots go to CB_SCREENSHOT_DIR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

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

static gboolean
saved_muted (Fixture       *fixture,
             gconstpointer  data)
{
  const guint *id_muted = data;
  g_autoptr(CbSceneSource) s = saved_source (id_muted[0]);

  return s != NULL && s->muted == (gboolean) id_muted[1];
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
  guint want[2] = { s->mic, muted };

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "mute-mic"));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "mute-mic", NULL);
  g_assert_cmpint (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->mic)), ==, muted);
  g_assert_true (cb_mixer_get_mics_muted (s->mixer) == muted);
  /* The other strips are not touched. */
  g_assert_false (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->desktop)));
  g_assert_false (gtk_toggle_button_get_active (cb_mixer_get_mute_button (s->mixer, s->tone)));
  g_assert_true (wait_for (fixture, saved_muted, want));
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

int
main (int   argc,
      char *argv[])
{
  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }

  /* First: once the fake devices are registered, this process has a microphone. */
  g_test_add ("/cb/gui/mixer/no-device", Fixture, NULL, fixture_set_up_default_scene, test_no_device,
              fixture_tear_down);
  g_test_add ("/cb/gui/mixer/mute-mic", Fixture, NULL, fixture_set_up_default_scene, test_mute_mic,
              fixture_tear_down);

  return g_test_run ();
}
