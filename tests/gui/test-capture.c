/* test-capture.c — window capture and the screen-capture portal, against a real engine
 * and server under Xvfb
 *
 * Window capture: a real X window of a known colour, made here on a connection of its
 * own (another X client, as a terminal or a browser would be), is picked in the window
 * list; the stream's snapshot through REST shows its colour in the source's box. When it
 * closes the stream goes on publishing and the source says so; scenes.json keeps its
 * title and class, which find the window again in a new studio window, or say it is not
 * open. Xvfb runs no window manager: the test sets _NET_CLIENT_LIST as one would.
 *
 * The portal: a real xdg-desktop-portal cannot run here (it needs a Wayland compositor
 * or a desktop session to ask its user), so a private session bus (dbus-daemon, started
 * here, with no services to activate) carries a fake portal (fake-portal.c) that answers
 * Start "no" (response 1); with no fake on the bus there is no portal at all. Either way
 * the source says why and the studio goes on. Screenshots go to CB_SCREENSHOT_DIR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include "cb-engine-error.h"
#include "cb-window-picker.h"
#include "cb-window-studio.h"
#include "gui-util.h"

#define TITLE "Castbridge test window"
#define CLASS "CbTestWindow"
#define PURPLE 0x8000ff
#define TEAL   0x00a0a0

/* ---- an X window of one colour ------------------------------------------------ */

typedef struct {
  Display *display;
  Window   window;
} TestWindow;

static void
set_client_list (Display *display,
                 Window  *windows,
                 int      n)
{
  Atom list = XInternAtom (display, "_NET_CLIENT_LIST", False);

  if (n == 0)
    XDeleteProperty (display, DefaultRootWindow (display), list);
  else
    XChangeProperty (display, DefaultRootWindow (display), list, XA_WINDOW, 32, PropModeReplace,
                     (unsigned char *) windows, n);
}

static TestWindow *
test_window_open (guint32 rgb)
{
  TestWindow *self = g_new0 (TestWindow, 1);
  XClassHint hint = { (char *) "cb-test-window", (char *) CLASS };
  Atom utf8, net_wm_name;

  self->display = XOpenDisplay (NULL);
  g_assert_nonnull (self->display);
  /* Away from the studio's window, which Xvfb puts at 0,0. */
  self->window = XCreateSimpleWindow (self->display, DefaultRootWindow (self->display),
                                      900, 500, 320, 240, 0, 0, rgb);
  utf8 = XInternAtom (self->display, "UTF8_STRING", False);
  net_wm_name = XInternAtom (self->display, "_NET_WM_NAME", False);
  XStoreName (self->display, self->window, TITLE);
  XChangeProperty (self->display, self->window, net_wm_name, utf8, 8, PropModeReplace,
                   (const unsigned char *) TITLE, strlen (TITLE));
  XSetClassHint (self->display, self->window, &hint);
  XMapRaised (self->display, self->window);
  set_client_list (self->display, &self->window, 1);
  XSync (self->display, False);
  return self;
}

/* On top again: with no window manager, the studio's window covers it when presented
 * (and a window capture shows what is on the screen where the window is). */
static void
test_window_raise (TestWindow *self)
{
  XRaiseWindow (self->display, self->window);
  XSync (self->display, False);
}

static void
test_window_close (TestWindow *self)
{
  set_client_list (self->display, NULL, 0);
  XDestroyWindow (self->display, self->window);
  XCloseDisplay (self->display);
  g_free (self);
}

/* ---- conditions ------------------------------------------------------------------ */

typedef struct {
  guint id;
  int   code;   /* a CbCaptureError, or -1 for none */
} ProblemWant;

static gboolean
problem_is (Fixture       *fixture,
            gconstpointer  data)
{
  const ProblemWant *want = data;
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  const GError *error = cb_program_get_problem_error (program, want->id);

  if (want->code < 0)
    return error == NULL;
  return g_error_matches (error, CB_CAPTURE_ERROR, want->code);
}

static gboolean
stream_pixel_is_not (Fixture       *fixture,
                     gconstpointer  data)
{
  const PixelWant *want = data;
  g_autoptr(GdkTexture) texture = studio_snapshot (fixture);

  return texture != NULL && !close_to (texture_pixel (texture, want->x, want->y), want->rgb);
}

static gboolean
saved_window (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CbSceneSource) s = saved_source (GPOINTER_TO_UINT (data));

  return s != NULL && s->kind == CB_SCENE_SOURCE_WINDOW && g_str_equal (s->location, TITLE) &&
         g_str_equal (s->window_class, CLASS);
}

static gboolean
saved_without_pointer (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CbSceneSource) s = saved_source (GPOINTER_TO_UINT (data));

  return s != NULL && !s->cursor;
}

/* The preview goes on: five more frames. */
static void
assert_preview_runs (Fixture *fixture)
{
  guint64 count = preview_frames (fixture) + 5;

  g_assert_true (wait_for (fixture, preview_passes, &count));
}

static const char *
row_subtitle (Fixture *fixture,
              guint    id)
{
  GtkWidget *row = cb_scenes_panel_get_source_row (cb_window_get_scenes_panel (fixture->window), id);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* The source with @id gets a quarter of the picture, at 50 %, 50 %. */
static void
place_in_quarter (Fixture *fixture,
                  guint    id)
{
  CbSceneEditor *editor = cb_window_get_scene_editor (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (editor);
  g_autoptr(CbSceneSource) changed =
    cb_scene_source_copy (cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program), id));

  changed->x = 0.5;
  changed->y = 0.5;
  changed->width = 0.25;
  changed->height = 0.25;
  cb_program_update_source (program, changed);
  cb_scene_editor_touched (editor);
}

/* The window source of the active scene (the last one added), or 0. */
static guint
window_source (Fixture *fixture)
{
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  CbSceneCollection *c = (CbSceneCollection *) cb_program_get_collection (program);
  CbScene *scene = cb_scene_collection_get_active (c);

  for (guint i = scene->sources->len; i > 0; i--)
    {
      CbSceneSource *s = g_ptr_array_index (scene->sources, i - 1);

      if (s->kind == CB_SCENE_SOURCE_WINDOW)
        return s->id;
    }
  return 0;
}

/* ---- window capture ---------------------------------------------------------------- */

static void
test_window (Fixture       *fixture,
             gconstpointer  data)
{
  CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
  const PixelWant purple = { 0.625, 0.625, PURPLE };
  const PixelWant teal = { 0.625, 0.625, TEAL };
  g_autoptr(GdkTexture) picture = NULL;
  TestWindow *x_window = test_window_open (PURPLE);
  ProblemWant want;
  GtkWidget *picker, *row;
  CbSceneSource *s;
  guint id;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  show_sidebar_page (fixture, GTK_WIDGET (panel), "scenes");

  /* Add Source → Window: the list has it, by its title and class. */
  picker = cb_scenes_panel_pick_window (panel);
  row = cb_window_picker_find_row (picker, TITLE);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, CLASS);
  save_native_screenshot (fixture, picker, "capture-window-picker");
  g_assert_true (gtk_widget_activate (row));
  settle ();
  test_window_raise (x_window);
  id = window_source (fixture);
  g_assert_cmpuint (id, !=, 0);
  s = cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window))), id);
  g_assert_cmpstr (s->name, ==, TITLE);
  g_assert_cmpstr (s->window_class, ==, CLASS);
  want = (ProblemWant) { id, -1 };
  g_assert_true (problem_is (fixture, &want));
  place_in_quarter (fixture, id);

  /* Its colour, where its box is, and only there. */
  studio_go_live (fixture);
  g_assert_true (wait_for (fixture, stream_pixel_is, &purple));
  picture = studio_snapshot (fixture);
  g_assert_true (close_to (texture_pixel (picture, 0.7, 0.7), PURPLE));
  g_assert_false (close_to (texture_pixel (picture, 0.3, 0.3), PURPLE));
  g_assert_false (close_to (texture_pixel (picture, 0.9, 0.9), PURPLE));
  save_window_screenshot (fixture, "capture-window");
  g_assert_true (wait_for (fixture, saved_window, GUINT_TO_POINTER (id)));

  /* Show the pointer, in its popover: on by default, off here, kept. */
  {
    GtkPopover *popover = cb_scenes_panel_edit_source (panel, id);
    GtkWidget *cursor = find_named_widget (GTK_WIDGET (popover), "cursor-switch");

    g_assert_nonnull (cursor);
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (cursor)));
    gtk_switch_set_active (GTK_SWITCH (cursor), FALSE);
    g_assert_false (s->cursor);
    gtk_popover_popdown (popover);
    settle ();
    g_assert_true (wait_for (fixture, saved_without_pointer, GUINT_TO_POINTER (id)));
  }

  /* It closes: the stream goes on with the rest of the scene, the source says why. */
  test_window_close (x_window);
  want = (ProblemWant) { id, CB_CAPTURE_ERROR_WINDOW_CLOSED };
  g_assert_true (wait_for (fixture, problem_is, &want));
  settle ();
  g_assert_cmpstr (row_subtitle (fixture, id), ==, _("The window was closed"));
  g_assert_true (gtk_widget_has_css_class (cb_scenes_panel_get_source_row (panel, id), "warning"));
  g_assert_true (wait_for (fixture, stream_pixel_is_not, &purple));
  g_assert_true (row_has_status (fixture, studio_publishing));
  g_assert_true (cb_window_is_live (fixture->window));
  assert_preview_runs (fixture);
  spin_for (300);
  save_window_screenshot (fixture, "capture-window-closed");
  studio_stop_live (fixture);

  /* A new studio window reads scenes.json: a window of that title and class is found
   * again (a new one, of another colour: it is the lookup, not a remembered id). */
  x_window = test_window_open (TEAL);
  fixture_reopen_window (fixture);
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  test_window_raise (x_window);
  want = (ProblemWant) { id, -1 };
  g_assert_true (problem_is (fixture, &want));
  studio_go_live (fixture);
  g_assert_true (wait_for (fixture, stream_pixel_is, &teal));
  studio_stop_live (fixture);
  test_window_close (x_window);
  want = (ProblemWant) { id, CB_CAPTURE_ERROR_WINDOW_CLOSED };
  g_assert_true (wait_for (fixture, problem_is, &want));

  /* And with no such window, the source says it is not open. */
  fixture_reopen_window (fixture);
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  want = (ProblemWant) { id, CB_CAPTURE_ERROR_WINDOW_NOT_FOUND };
  g_assert_true (problem_is (fixture, &want));
  show_sidebar_page (fixture, GTK_WIDGET (cb_window_get_scenes_panel (fixture->window)), "scenes");
  g_assert_cmpstr (row_subtitle (fixture, id), ==, _("The window is not open"));
  spin_for (300);
  save_window_screenshot (fixture, "capture-window-missing");
}

/* ---- the portal ------------------------------------------------------------------------ */

/* A source asking the portal, then saying why it has no picture (@code); the studio's
 * preview and Go Live go on. */
static guint
add_portal_source (Fixture *fixture,
                   int      code)
{
  CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
  ProblemWant want;
  guint id;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  show_sidebar_page (fixture, GTK_WIDGET (panel), "scenes");
  id = cb_scenes_panel_add_source (panel, CB_SCENE_SOURCE_PORTAL, "");
  want = (ProblemWant) { id, code };
  g_assert_true (wait_for (fixture, problem_is, &want));
  settle ();
  g_assert_true (gtk_widget_has_css_class (cb_scenes_panel_get_source_row (panel, id), "warning"));
  assert_preview_runs (fixture);
  return id;
}

static void
test_portal_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *fake = g_getenv ("CB_FAKE_PORTAL");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) portal = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *create = NULL;
  g_autofree char *select = NULL;
  g_autofree char *start = NULL;
  guint id;

  g_assert_nonnull (fake);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  portal = g_subprocess_launcher_spawn (launcher, &error, fake, "1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (portal));
  ready = read_child_line (fixture, out);
  g_assert_cmpstr (ready, ==, "ready");

  id = add_portal_source (fixture, CB_CAPTURE_ERROR_REFUSED);
  g_assert_cmpstr (row_subtitle (fixture, id), ==, _("Screen capture was not allowed"));

  /* What was asked: a monitor or a window, the pointer drawn in, kept until revoked. */
  create = read_child_line (fixture, out);
  g_assert_true (g_str_has_prefix (create, "CreateSession "));
  g_assert_nonnull (strstr (create, "'session_handle_token'"));
  select = read_child_line (fixture, out);
  g_assert_true (g_str_has_prefix (select, "SelectSources "));
  g_assert_nonnull (strstr (select, "'types': <uint32 3>"));
  g_assert_nonnull (strstr (select, "'cursor_mode': <uint32 2>"));
  g_assert_nonnull (strstr (select, "'persist_mode': <uint32 2>"));
  start = read_child_line (fixture, out);
  g_assert_true (g_str_has_prefix (start, "Start "));
  spin_for (300);
  save_window_screenshot (fixture, "capture-portal-refused");

  /* A source with the token a portal gave last time (kept in scenes.json) hands it back,
   * so that a real portal need not ask again. */
  {
    CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
    g_autofree char *create2 = NULL;
    g_autofree char *select2 = NULL;
    g_autofree char *start2 = NULL;
    ProblemWant want;

    want.id = cb_scenes_panel_add_source (panel, CB_SCENE_SOURCE_PORTAL, "token-from-last-time");
    want.code = CB_CAPTURE_ERROR_REFUSED;
    g_assert_true (wait_for (fixture, problem_is, &want));
    create2 = read_child_line (fixture, out);
    select2 = read_child_line (fixture, out);
    g_assert_true (g_str_has_prefix (select2, "SelectSources "));
    g_assert_nonnull (strstr (select2, "'restore_token': <'token-from-last-time'>"));
    start2 = read_child_line (fixture, out);
    g_assert_true (g_str_has_prefix (start2, "Start "));
  }
  /* And the studio goes live with the rest of the scene. */
  studio_go_live (fixture);
  studio_stop_live (fixture);
  g_subprocess_force_exit (portal);
  g_subprocess_wait (portal, NULL, NULL);
}

static void
test_portal_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  guint id = add_portal_source (fixture, CB_CAPTURE_ERROR_NO_PORTAL);

  g_assert_cmpstr (row_subtitle (fixture, id), ==,
                   _("The desktop portal (xdg-desktop-portal) is not running"));
  spin_for (300);
  save_window_screenshot (fixture, "capture-portal-missing");
  studio_go_live (fixture);
  studio_stop_live (fixture);
}

/* ---- setup ------------------------------------------------------------------------------ */

/* A smaller picture than the default 720p: live captures are stamped with the time they
 * are taken, so on a loaded machine a program that falls behind shows them late. */
static const char *small_output[] = { "capture_width=640", "capture_height=360", "capture_fps=15", NULL };

int
main (int   argc,
      char *argv[])
{
  if (!gui_test_init (&argc, &argv))
    {
      g_test_message ("no display");
      return 77;
    }
  start_private_bus ();

  g_test_add ("/cb/gui/capture/window", Fixture, small_output, fixture_set_up_default_scene,
              test_window, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-refused", Fixture, small_output, fixture_set_up_default_scene,
              test_portal_refused, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-missing", Fixture, small_output, fixture_set_up_default_scene,
              test_portal_missing, fixture_tear_down);

  return g_test_run ();
}
