/* test-program.c — scenes composed in GStreamer: an image overlay lands where its box
 * says, a scene switch changes the picture, a text moved under a pattern is hidden by it,
 * a source that cannot open is left out with its reason, the tone moves its meter and a
 * muted tone does not
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>

#include "cb-program.h"
#include "fake-media.h"

#define DEADLINE_S 20

typedef struct {
  GMutex     lock;
  GstSample *last;
} Frames;

static void
on_preview (GstSample *sample,
            gpointer   data)
{
  Frames *frames = data;

  g_mutex_lock (&frames->lock);
  g_clear_pointer (&frames->last, gst_sample_unref);
  frames->last = gst_sample_ref (sample);
  g_mutex_unlock (&frames->lock);
  g_main_context_wakeup (NULL);
}

/* The RGB of the preview at (@fx, @fy), fractions of the picture. */
static guint32
pixel_at (Frames *frames,
          double  fx,
          double  fy)
{
  g_autoptr(GstSample) sample = NULL;
  GstVideoInfo info;
  GstMapInfo map;
  guint32 rgb;
  int x, y;
  const guint8 *p;

  g_mutex_lock (&frames->lock);
  sample = frames->last ? gst_sample_ref (frames->last) : NULL;
  g_mutex_unlock (&frames->lock);
  if (sample == NULL)
    return 0xdeadbeef;
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  g_assert_true (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ));
  x = (int) (fx * GST_VIDEO_INFO_WIDTH (&info));
  y = (int) (fy * GST_VIDEO_INFO_HEIGHT (&info));
  p = map.data + y * GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) + x * 4;
  rgb = (p[0] << 16) | (p[1] << 8) | p[2];
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  return rgb;
}

static gboolean
close_to (guint32 rgb,
          guint32 want)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (ABS ((int) ((rgb >> shift) & 0xff) - (int) ((want >> shift) & 0xff)) > 40)
      return FALSE;
  return TRUE;
}

static gboolean
wait_pixel (Frames  *frames,
            double   fx,
            double   fy,
            guint32  want)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      if (close_to (pixel_at (frames, fx, fy), want))
        return TRUE;
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("pixel at %.2f,%.2f is %06x, not %06x", fx, fy, pixel_at (frames, fx, fy), want);
  return FALSE;
}

static char *
make_png (const char *color)
{
  g_autofree char *desc = g_strdup_printf ("videotestsrc pattern=%s num-buffers=1 ! "
                                           "video/x-raw,width=64,height=64 ! pngenc ! "
                                           "filesink location=\"@FILE@\"", color);

  return fake_media_write ("image.png", desc);
}

static void
test_compose (void)
{
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new ();
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *png = make_png ("red");
  g_autofree char *dir = g_path_get_dirname (png);
  g_autofree char *blue_png = make_png ("blue");
  g_autofree char *blue_dir = g_path_get_dirname (blue_png);
  CbScene *one = cb_scene_new ("One");
  CbScene *two = cb_scene_new ("Two");
  CbSceneSource *s;
  CbProgram *program;
  Frames frames = { 0 };
  guint camera_id, text_id;

  g_assert_true (cb_settings_set (settings, "capture_width", "320", NULL));
  g_assert_true (cb_settings_set (settings, "capture_height", "180", NULL));
  g_assert_true (cb_settings_set (settings, "capture_fps", "15", NULL));

  g_ptr_array_add (one->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_PATTERN, NULL, "blue"));
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_IMAGE, "Logo", png);
  s->x = 0.5;
  s->y = 0.5;
  s->width = 0.25;
  s->height = 0.25;
  g_ptr_array_add (one->sources, s);
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_CAMERA, "Camera", "/dev/no-such-camera");
  camera_id = s->id;
  g_ptr_array_add (one->sources, s);
  g_ptr_array_add (two->sources, cb_scene_source_new (c, CB_SCENE_SOURCE_PATTERN, NULL, "green"));
  /* A text over it, its box the top half: only its letters cover the picture. */
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_TEXT, "Title", NULL);
  g_free (s->text);
  s->text = g_strdup ("█");
  g_free (s->font);
  s->font = g_strdup ("Sans 40");
  s->color = 0xffff0000;
  s->height = 0.5;
  g_ptr_array_add (two->sources, s);
  g_ptr_array_add (c->scenes, one);
  g_ptr_array_add (c->scenes, two);

  program = cb_program_new (c, settings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cb_program_get_problem (program, camera_id));
  /* Only the scene on program runs. */
  g_assert_true (cb_program_scene_is_running (program, 0));
  g_assert_false (cb_program_scene_is_running (program, 1));
  g_mutex_init (&frames.lock);
  cb_local_source_set_preview (cb_program_get_capture (program), on_preview, &frames, NULL);
  g_assert_true (cb_program_start (program, &error));
  g_assert_no_error (error);

  g_assert_true (wait_pixel (&frames, 0.1, 0.1, 0x0000ff));
  g_assert_true (wait_pixel (&frames, 0.625, 0.625, 0xff0000));

  /* Moved while running. */
  s = cb_scene_source_copy (g_ptr_array_index (one->sources, 1));
  s->x = 0;
  s->y = 0;
  cb_program_update_source (program, s);
  cb_scene_source_free (s);
  g_assert_true (wait_pixel (&frames, 0.1, 0.1, 0xff0000));
  g_assert_true (wait_pixel (&frames, 0.625, 0.625, 0x0000ff));

  cb_program_set_active_scene (program, 1);
  g_assert_false (cb_program_scene_is_running (program, 0));
  g_assert_true (cb_program_scene_is_running (program, 1));
  g_assert_true (wait_pixel (&frames, 0.5, 0.75, 0x00ff00));
  /* The text's box is transparent but for its letters, in its colour. */
  g_assert_true (wait_pixel (&frames, 0.9, 0.4, 0x00ff00));
  g_assert_true (wait_pixel (&frames, 0.04, 0.15, 0xff0000));
  /* The text under the pattern: the scene is composed the other way (the text in the
   * compositor, not drawn over it afterwards), and the pattern hides it; back on top, it
   * shows again. */
  text_id = ((CbSceneSource *) g_ptr_array_index (two->sources, 1))->id;
  cb_program_move_source (program, text_id, -1);
  g_assert_true (cb_program_scene_is_running (program, 1));
  g_assert_true (wait_pixel (&frames, 0.04, 0.15, 0x00ff00));
  cb_program_move_source (program, text_id, 1);
  g_assert_true (wait_pixel (&frames, 0.04, 0.15, 0xff0000));
  g_assert_true (wait_pixel (&frames, 0.9, 0.4, 0x00ff00));
  cb_program_set_active_scene (program, 0);
  g_assert_true (wait_pixel (&frames, 0.1, 0.1, 0xff0000));

  /* Another pattern, in place. */
  s = cb_scene_source_copy (g_ptr_array_index (one->sources, 0));
  g_free (s->location);
  s->location = g_strdup ("white");
  cb_program_update_source (program, s);
  cb_scene_source_free (s);
  g_assert_true (wait_pixel (&frames, 0.9, 0.9, 0xffffff));

  /* Another file: the source is made again in the running pipeline (where the program's
   * copy of the scene has it: moved to the top left). */
  s = cb_scene_source_copy (cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program),
                                                             ((CbSceneSource *) g_ptr_array_index (one->sources, 1))->id));
  g_free (s->location);
  s->location = g_strdup (blue_png);
  cb_program_update_source (program, s);
  g_assert_null (cb_program_get_problem (program, s->id));
  cb_scene_source_free (s);
  g_assert_true (wait_pixel (&frames, 0.1, 0.1, 0x0000ff));
  g_assert_true (wait_pixel (&frames, 0.9, 0.9, 0xffffff));

  /* A pattern is made at its box's size: resized, it is made again at the new size in
   * place, and the background shows beside it. */
  s = cb_scene_source_copy (cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program),
                                                             ((CbSceneSource *) g_ptr_array_index (one->sources, 0))->id));
  s->width = 0.5;
  cb_program_update_source (program, s);
  cb_scene_source_free (s);
  g_assert_true (wait_pixel (&frames, 0.9, 0.5, 0x000000));
  g_assert_true (wait_pixel (&frames, 0.4, 0.9, 0xffffff));

  cb_local_source_set_preview (cb_program_get_capture (program), NULL, NULL, NULL);
  cb_program_stop (program);
  g_assert_finalize_object (program);
  g_clear_pointer (&frames.last, gst_sample_unref);
  g_mutex_clear (&frames.lock);
  g_remove (png);
  g_rmdir (dir);
  g_remove (blue_png);
  g_rmdir (blue_dir);
  while (g_main_context_iteration (NULL, FALSE))   /* what is pending lets go first */
    ;
  g_assert_finalize_object (g_steal_pointer (&settings));
}

typedef struct {
  guint  id;
  double peak;
  guint  count;
} Level;

static void
on_level (CbProgram *program,
          guint      id,
          double     peak,
          double     rms,
          gpointer   data)
{
  Level *level = data;

  if (id != level->id)
    return;
  level->peak = peak;
  level->count++;
}

static void
wait_levels (Level *level,
             guint  n)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  guint until = level->count + n;

  while (level->count < until && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (level->count, >=, until);
}

/* Muting @source (a copy, changed here) silences its meter and, alone in it, the mix. */
static void
assert_mute_silences (CbProgram     *program,
                      CbSceneSource *source,
                      Level         *level,
                      Level         *mix)
{
  source->muted = TRUE;
  cb_program_update_source (program, source);
  /* What was measured before the mute may still be on its way, and a file's sound is
   * read up to 0.2 s ahead of the mixer; then it stays silent. */
  for (guint i = 0; i < 40 && level->peak >= -90; i++)
    wait_levels (level, 1);
  for (guint i = 0; i < 5; i++)
    {
      wait_levels (level, 1);
      g_assert_cmpfloat (level->peak, <, -90);
    }
  for (guint i = 0; i < 40 && mix->peak >= -90; i++)
    wait_levels (mix, 1);
  wait_levels (mix, 3);
  g_assert_cmpfloat (mix->peak, <, -90);
}

static void
test_meter (void)
{
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new_default ();
  g_autoptr(GError) error = NULL;
  CbSceneSource *tone = g_ptr_array_index (c->audio, 0);
  g_autoptr(CbSceneSource) muted = NULL;
  CbProgram *program = cb_program_new (c, NULL, &error);
  Level level = { tone->id, -700, 0 };
  Level mix = { 0, -700, 0 };

  g_assert_no_error (error);
  g_assert_cmpstr (cb_program_get_problem (program, tone->id), ==, NULL);
  g_signal_connect (program, "level", G_CALLBACK (on_level), &level);
  g_signal_connect (program, "level", G_CALLBACK (on_level), &mix);
  g_assert_true (cb_program_start (program, &error));

  wait_levels (&level, 10);
  g_assert_cmpfloat (level.peak, >, -30);
  g_assert_cmpfloat (level.peak, <, 0);
  wait_levels (&mix, 3);
  g_assert_cmpfloat (mix.peak, >, -30);

  /* Headphones: where there is no output device the source goes on, unheard, and says so. */
  muted = cb_scene_source_copy (tone);
  muted->monitor = TRUE;
  cb_program_update_source (program, muted);
  wait_levels (&level, 10);
  g_assert_cmpfloat (level.peak, >, -30);
  g_test_message ("monitor: %s", cb_program_get_problem (program, tone->id));

  assert_mute_silences (program, muted, &level, &mix);

  cb_program_stop (program);
  g_assert_finalize_object (program);
}

/* A media file's sound goes into the mix with a meter, a fader and mute of its own. */
static void
test_media_sound (void)
{
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *clip = fake_media_write ("clip.avi", FAKE_MEDIA_CLIP);
  g_autofree char *dir = g_path_get_dirname (clip);
  g_autoptr(CbSceneSource) changed = NULL;
  CbScene *scene = cb_scene_new ("One");
  CbSceneSource *media = cb_scene_source_new (c, CB_SCENE_SOURCE_MEDIA, "Clip", clip);
  CbProgram *program;
  Level level = { media->id, -700, 0 };
  Level mix = { 0, -700, 0 };

  g_ptr_array_add (scene->sources, media);
  g_ptr_array_add (c->scenes, scene);
  program = cb_program_new (c, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (program, "level", G_CALLBACK (on_level), &level);
  g_signal_connect (program, "level", G_CALLBACK (on_level), &mix);
  g_assert_true (cb_program_start (program, &error));
  g_assert_no_error (error);

  wait_levels (&level, 10);
  g_assert_cmpfloat (level.peak, >, -30);
  g_assert_null (cb_program_get_problem (program, media->id));
  /* The mix trails the source's own meter (the mixer waits out its latency, and on a
   * loaded machine its first output may be silence): up to 2 s of the mix's levels. */
  wait_levels (&mix, 1);
  for (guint i = 0; i < 40 && mix.peak <= -30; i++)
    wait_levels (&mix, 1);
  g_assert_cmpfloat (mix.peak, >, -30);

  changed = cb_scene_source_copy (media);
  assert_mute_silences (program, changed, &level, &mix);

  cb_program_stop (program);
  g_assert_finalize_object (program);
  g_remove (clip);
  g_rmdir (dir);
}

/* A stand-in for Windows' d3d11screencapturesrc (GStreamer's d3d11 plugin, which is not
 * built here): a live videotestsrc in red, with the two properties the program sets. */
static gboolean fake_show_cursor;
static gint fake_monitor_index = 12345;

static void
fake_duplication_set_property (GObject      *object,
                               guint         id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  if (id == 1)
    fake_monitor_index = g_value_get_int (value);
  else
    fake_show_cursor = g_value_get_boolean (value);
}

static void
fake_duplication_get_property (GObject    *object,
                               guint       id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  if (id == 1)
    g_value_set_int (value, fake_monitor_index);
  else
    g_value_set_boolean (value, fake_show_cursor);
}

static void
fake_duplication_class_init (gpointer klass,
                             gpointer data)
{
  GObjectClass *object_class = klass;

  object_class->set_property = fake_duplication_set_property;
  object_class->get_property = fake_duplication_get_property;
  g_object_class_install_property (object_class, 1,
      g_param_spec_int ("monitor-index", NULL, NULL, -1, G_MAXINT, -1, G_PARAM_READWRITE));
  g_object_class_install_property (object_class, 2,
      g_param_spec_boolean ("show-cursor", NULL, NULL, FALSE, G_PARAM_READWRITE));
}

static void
fake_duplication_init (GTypeInstance *instance,
                       gpointer       klass)
{
  g_object_set (instance, "pattern", 4 /* red */, "is-live", TRUE, NULL);
}

static void
register_fake_duplication (void)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find ("videotestsrc");
  GType parent = gst_element_factory_get_element_type (factory);
  GTypeQuery query;
  GTypeInfo info = { 0 };

  g_type_query (parent, &query);
  info.class_size = query.class_size;
  info.instance_size = query.instance_size;
  info.class_init = fake_duplication_class_init;
  info.instance_init = fake_duplication_init;
  g_assert_true (gst_element_register (NULL, "d3d11screencapturesrc", GST_RANK_NONE,
                                       g_type_register_static (parent, "CbTestDuplication",
                                                               &info, 0)));
}

/* Without an X11 display, the screen source is Windows' Desktop Duplication: the primary
 * monitor, the cursor as the source says, its frames in the picture. (main() unset
 * DISPLAY and WAYLAND_DISPLAY.) */
static void
test_screen_desktop_duplication (void)
{
  g_autoptr(CbSceneCollection) c = cb_scene_collection_new ();
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  CbScene *scene = cb_scene_new ("Screen");
  CbSceneSource *s;
  CbProgram *program;
  Frames frames = { 0 };
  gboolean cursor;
  guint id;

  register_fake_duplication ();
  g_assert_true (cb_settings_set (settings, "capture_width", "320", NULL));
  g_assert_true (cb_settings_set (settings, "capture_height", "180", NULL));
  g_assert_true (cb_settings_set (settings, "capture_fps", "15", NULL));
  s = cb_scene_source_new (c, CB_SCENE_SOURCE_SCREEN, "Screen", NULL);
  id = s->id;
  cursor = s->cursor;
  g_ptr_array_add (scene->sources, s);
  g_ptr_array_add (c->scenes, scene);

  program = cb_program_new (c, settings, &error);
  g_assert_no_error (error);
  g_assert_null (cb_program_get_problem (program, id));
  g_assert_cmpint (fake_monitor_index, ==, -1);
  g_assert_cmpint (fake_show_cursor, ==, cursor);
  g_mutex_init (&frames.lock);
  cb_local_source_set_preview (cb_program_get_capture (program), on_preview, &frames, NULL);
  g_assert_true (cb_program_start (program, &error));
  g_assert_no_error (error);
  g_assert_true (wait_pixel (&frames, 0.5, 0.5, 0xff0000));

  /* The cursor, changed in place. */
  s = cb_scene_source_copy (cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program), id));
  s->cursor = !cursor;
  cb_program_update_source (program, s);
  cb_scene_source_free (s);
  g_assert_cmpint (fake_show_cursor, ==, !cursor);
  g_assert_null (cb_program_get_problem (program, id));

  cb_local_source_set_preview (cb_program_get_capture (program), NULL, NULL, NULL);
  cb_program_stop (program);
  g_assert_finalize_object (program);
  g_clear_pointer (&frames.last, gst_sample_unref);
  g_mutex_clear (&frames.lock);
}

int
main (int   argc,
      char *argv[])
{
  /* No display, as on Windows: the screen source takes Desktop Duplication. Before any
   * thread could read the environment. */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/program/compose", test_compose);
  g_test_add_func ("/cb/program/meter", test_meter);
  g_test_add_func ("/cb/program/media-sound", test_media_sound);
  g_test_add_func ("/cb/program/screen-desktop-duplication", test_screen_desktop_duplication);
  return g_test_run ();
}
