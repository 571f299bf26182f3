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
 * the source says why and the studio goes on. And the fake allows: the stream it shares
 * is a real node of a PipeWire daemon started here (with WirePlumber to link it, as on a
 * desktop), made by gst-launch's pipewiresink. Screenshots go to CB_SCREENSHOT_DIR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include "cb-app-audio.h"
#include "cb-engine-error.h"
#include "cb-picker.h"
#include "cb-preferences-window.h"
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

/* Go Live: the stream shows @colour (at 62.5 %, 62.5 %) where place_in_quarter() put
 * its source, and not outside that box. */
static void
go_live_with_colour_in_quarter (Fixture         *fixture,
                                const PixelWant *colour)
{
  g_autoptr(GdkTexture) picture = NULL;

  studio_go_live (fixture);
  g_assert_true (wait_for (fixture, stream_pixel_is, colour));
  picture = studio_snapshot (fixture);
  g_assert_true (close_to (texture_pixel (picture, 0.7, 0.7), colour->rgb));
  g_assert_false (close_to (texture_pixel (picture, 0.3, 0.3), colour->rgb));
  g_assert_false (close_to (texture_pixel (picture, 0.9, 0.9), colour->rgb));
}

/* A live source lost its picture (@code): its row says @sentence, marked; its colour
 * (@colour) leaves the stream, which goes on publishing with the rest of the scene; the
 * preview goes on. Screenshot @screenshot, then Stop. */
static void
assert_picture_lost (Fixture         *fixture,
                     guint            id,
                     int              code,
                     const char      *sentence,
                     const PixelWant *colour,
                     const char      *screenshot)
{
  ProblemWant want = { id, code };

  g_assert_true (wait_for (fixture, problem_is, &want));
  settle ();
  g_assert_cmpstr (row_subtitle (fixture, id), ==, sentence);
  g_assert_true (gtk_widget_has_css_class (cb_scenes_panel_get_source_row (cb_window_get_scenes_panel (fixture->window), id),
                                           "warning"));
  g_assert_true (wait_for (fixture, stream_pixel_is_not, colour));
  g_assert_true (row_has_status (fixture, studio_publishing));
  g_assert_true (cb_window_is_live (fixture->window));
  assert_preview_runs (fixture);
  spin_for (300);
  save_window_screenshot (fixture, screenshot);
  studio_stop_live (fixture);
}

/* ---- window capture ---------------------------------------------------------------- */

static void
test_window (Fixture       *fixture,
             gconstpointer  data)
{
  CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
  const PixelWant purple = { 0.625, 0.625, PURPLE };
  const PixelWant teal = { 0.625, 0.625, TEAL };
  TestWindow *x_window = test_window_open (PURPLE);
  ProblemWant want;
  GtkWidget *picker, *row;
  CbSceneSource *s;
  guint id;

  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  show_sidebar_page (fixture, GTK_WIDGET (panel), "scenes");

  /* Add Source → Window: the list has it, by its title and class. */
  picker = cb_scenes_panel_pick_window (panel);
  row = cb_picker_find_row (picker, TITLE);
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
  go_live_with_colour_in_quarter (fixture, &purple);
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
  assert_picture_lost (fixture, id, CB_CAPTURE_ERROR_WINDOW_CLOSED, _("The window was closed"),
                       &purple, "capture-window-closed");

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

/* ---- the portal allows it: a real PipeWire ----------------------------------------------- */

#define ORANGE 0xff8000

/* A PipeWire daemon of the test's own (tests/gui/pipewire/pipewire.conf, in a private
 * XDG_RUNTIME_DIR), a producer node of one colour, and WirePlumber, the session manager a
 * desktop runs, which links a capture stream to the node it asks for. */
typedef struct {
  char        *runtime;
  char        *socket;
  GSubprocess *daemon;
  GSubprocess *session_manager;
  GSubprocess *producer;
} PipeWire;

static GSubprocess *
pipewire_spawn (PipeWire            *self,
                GSubprocessFlags     flags,
                const char * const  *argv)
{
  const char *config = g_getenv ("CB_PIPEWIRE_CONFIG");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autofree char *state = g_build_filename (self->runtime, "state", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (config);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", self->runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "PIPEWIRE_RUNTIME_DIR", self->runtime, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "PIPEWIRE_REMOTE");
  /* WirePlumber's configuration (no device monitors) and what it remembers. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", state, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* Whether PipeWire, WirePlumber and the tools are here; the test is skipped if not. */
static gboolean
have_pipewire (void)
{
  for (const char * const *p = (const char * const []) { "pipewire", "wireplumber", "pw-cli",
                                                         "pw-link", "pw-dump", "gst-launch-1.0",
                                                         NULL };
       *p != NULL; p++)
    {
      g_autofree char *found = g_find_program_in_path (*p);

      if (found == NULL)
        {
          g_test_message ("no %s", *p);
          g_test_skip ("PipeWire, WirePlumber or GStreamer's tools are not installed");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
file_exists (Fixture       *fixture,
             gconstpointer  data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static PipeWire *
pipewire_start (Fixture *fixture)
{
  PipeWire *self = g_new0 (PipeWire, 1);
  g_autofree char *config = g_build_filename (g_getenv ("CB_PIPEWIRE_CONFIG"), "pipewire.conf", NULL);
  const char *daemon[] = { "pipewire", "-c", config, NULL };

  /* The folder main() made and told this process (its pipewiresrc and pw-dump) of. */
  self->runtime = g_strdup (g_getenv ("PIPEWIRE_RUNTIME_DIR"));
  g_assert_nonnull (self->runtime);
  g_assert_cmpint (g_mkdir_with_parents (self->runtime, 0700), ==, 0);
  self->socket = g_build_filename (self->runtime, "pipewire-0", NULL);
  self->daemon = pipewire_spawn (self, G_SUBPROCESS_FLAGS_NONE, daemon);
  g_assert_true (wait_for (fixture, file_exists, self->socket));
  return self;
}

static void
pipewire_start_session_manager (PipeWire *self)
{
  const char *argv[] = { "wireplumber", NULL };

  self->session_manager = pipewire_spawn (self, G_SUBPROCESS_FLAGS_NONE, argv);
}

static void
pipewire_start_producer (PipeWire *self,
                         guint32   rgb)
{
  g_autofree char *colour = g_strdup_printf ("foreground-color=0xff%06x", rgb);
  const char *argv[] = {
    /* -f: a crash ends it (rather than leaving it spinning for a debugger). */
    "gst-launch-1.0", "-q", "-f", "videotestsrc", "is-live=true", "pattern=solid-color", colour, "!",
    "video/x-raw,format=RGB,width=320,height=240,framerate=15/1", "!", "videoconvert", "!",
    "pipewiresink", "mode=provide",
    "stream-properties=props,media.class=Video/Source,node.name=cb-test-producer", NULL
  };

  self->producer = pipewire_spawn (self, G_SUBPROCESS_FLAGS_NONE, argv);
}

static void
stop (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
pipewire_stop (PipeWire *self)
{
  const char *remove[] = { "rm", "-rf", self->runtime, NULL };

  stop (&self->producer);
  stop (&self->session_manager);
  stop (&self->daemon);
  /* Its socket, and what WirePlumber kept. */
  g_spawn_sync (NULL, (char **) remove, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free (self->socket);
  g_free (self->runtime);
  g_free (self);
}

/* The producer's node id, as `pw-cli ls Node` lists it ("id 30, type …" then its
 * properties), or 0 while it has none. */
static char *pipewire_tool (PipeWire *self, const char * const *argv);

static guint32
producer_node (PipeWire *self)
{
  const char *argv[] = { "pw-cli", "ls", "Node", NULL };
  g_autofree char *out = pipewire_tool (self, argv);
  g_auto(GStrv) lines = NULL;
  guint32 id = 0;

  if (out == NULL)
    return 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "id "))
        id = (guint32) g_ascii_strtoull (line + 3, NULL, 10);
      else if (g_str_equal (line, "node.name = \"cb-test-producer\""))
        return id;
    }
  return 0;
}

/* What @argv (a PipeWire tool) prints, or NULL. */
static char *
pipewire_tool (PipeWire           *self,
               const char * const *argv)
{
  g_autoptr(GSubprocess) tool = pipewire_spawn (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);
  char *out = NULL;

  if (!g_subprocess_communicate_utf8 (tool, NULL, NULL, &out, NULL, NULL))
    return NULL;
  return out;
}

/* The producer's port is linked (`pw-link -l` lists its links under it). */
static gboolean
producer_linked (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *argv[] = { "pw-link", "-l", NULL };
  g_autofree char *out = pipewire_tool ((PipeWire *) data, argv);

  return out != NULL && strstr (out, "cb-test-producer:") != NULL && strstr (out, "|->") != NULL;
}

/* For a failure's log: PipeWire's nodes and links. */
static void
pipewire_log (PipeWire *self)
{
  const char *nodes[] = { "pw-cli", "ls", "Node", NULL };
  const char *links[] = { "pw-link", "-l", NULL };
  g_autofree char *n = pipewire_tool (self, nodes);
  g_autofree char *l = pipewire_tool (self, links);

  g_test_message ("PipeWire nodes:\n%s\nlinks:\n%s", n != NULL ? n : "", l != NULL ? l : "");
}

static gboolean
has_producer_node (Fixture       *fixture,
                   gconstpointer  data)
{
  return producer_node ((PipeWire *) data) != 0;
}

/* A fake portal that allows, sharing the producer's node. */
static GSubprocess *
granting_portal_start (Fixture           *fixture,
                       PipeWire          *pipewire,
                       GDataInputStream **out)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autofree char *node = NULL;
  g_autofree char *ready = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *portal;

  g_assert_true (wait_for (fixture, has_producer_node, pipewire));
  node = g_strdup_printf ("%u", producer_node (pipewire));
  g_test_message ("the producer is PipeWire node %s", node);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  portal = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CB_FAKE_PORTAL"), "0", node,
                                        pipewire->socket, NULL);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (portal));
  ready = read_child_line (fixture, *out);
  g_assert_cmpstr (ready, ==, "ready");
  return portal;
}

/* The four calls of one grant, in order; returns what SelectSources was given. */
static char *
read_grant (Fixture          *fixture,
            GDataInputStream *out)
{
  g_autofree char *create = read_child_line (fixture, out);
  char *select = read_child_line (fixture, out);
  g_autofree char *start = read_child_line (fixture, out);
  g_autofree char *remote = read_child_line (fixture, out);

  g_assert_true (g_str_has_prefix (create, "CreateSession "));
  g_assert_true (g_str_has_prefix (select, "SelectSources "));
  g_assert_true (g_str_has_prefix (start, "Start "));
  g_assert_true (g_str_has_prefix (remote, "OpenPipeWireRemote "));
  return select;
}

typedef struct {
  gint64 last;
  gint64 longest;
  guint  ticks;
} Ticks;

static gboolean
on_tick (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time ();

  t->longest = MAX (t->longest, now - t->last);
  t->last = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

static gboolean
saved_token (Fixture       *fixture,
             gconstpointer  data)
{
  const ProblemWant *want = data;
  g_autoptr(CbSceneSource) s = saved_source (want->id);
  g_autofree char *token = g_strdup_printf ("fake-restore-token-%d", want->code);

  return s != NULL && s->kind == CB_SCENE_SOURCE_PORTAL && g_strcmp0 (s->location, token) == 0;
}

static void
test_portal_granted (Fixture       *fixture,
                     gconstpointer  data)
{
  CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
  const PixelWant orange = { 0.625, 0.625, ORANGE };
  PipeWire *pipewire = NULL;
  g_autoptr(GSubprocess) portal = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *select = NULL;
  g_autofree char *select2 = NULL;
  g_autofree char *closed = NULL;
  GOutputStream *commands;
  ProblemWant want;
  Ticks ticks = { 0 };
  guint tick, id;

  if (!have_pipewire ())
    return;
  pipewire = pipewire_start (fixture);
  pipewire_start_producer (pipewire, ORANGE);
  portal = granting_portal_start (fixture, pipewire, &out);
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  show_sidebar_page (fixture, GTK_WIDGET (panel), "scenes");

  /* From here until the session manager starts, the window's thread must run: a 50 ms
   * timeout keeps firing on time. */
  ticks.last = g_get_monotonic_time ();
  tick = g_timeout_add (50, on_tick, &ticks);

  /* Added: the portal asks, the user allows, the source has the stream and no problem,
   * though no session manager runs yet to link it. */
  id = cb_scenes_panel_add_source (panel, CB_SCENE_SOURCE_PORTAL, "");
  select = read_grant (fixture, out);
  g_assert_null (strstr (select, "'restore_token'"));
  want = (ProblemWant) { id, -1 };
  g_assert_true (wait_for (fixture, problem_is, &want));
  place_in_quarter (fixture, id);

  /* The stream waits to be linked for two more seconds; the timeout fired on time all
   * along, and the preview goes on. */
  spin_for (2000);
  g_source_remove (tick);
  g_test_message ("%u ticks, the longest gap %" G_GINT64_FORMAT " ms", ticks.ticks,
                  ticks.longest / 1000);
  /* Loose bounds for a busy machine: pipewiresrc, waiting on this thread, would hold it
   * until the session manager starts (never, here) or for its 30 s timeout. */
  g_assert_cmpuint (ticks.ticks, >=, 20);
  g_assert_cmpint (ticks.longest, <, 1000 * G_TIME_SPAN_MILLISECOND);
  assert_preview_runs (fixture);

  /* The session manager links it: the producer's colour in the source's box of the
   * stream Go Live publishes, and only there. */
  pipewire_start_session_manager (pipewire);
  if (!wait_for (fixture, producer_linked, pipewire))
    {
      const GError *problem = cb_program_get_problem_error (cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window)), id);

      g_test_message ("the source's problem: %s", problem != NULL ? problem->message : "none");
      pipewire_log (pipewire);
      g_assert_not_reached ();
    }
  go_live_with_colour_in_quarter (fixture, &orange);
  want = (ProblemWant) { id, -1 };
  g_assert_true (problem_is (fixture, &want));
  spin_for (300);
  save_window_screenshot (fixture, "capture-portal");

  /* The portal's restore token is kept in scenes.json. */
  want = (ProblemWant) { id, 1 };
  g_assert_true (wait_for (fixture, saved_token, &want));

  /* The producer goes away, and the portal closes the session as it does when what it
   * shares is gone: the source says so, the stream goes on with the rest of the scene. */
  stop (&pipewire->producer);
  /* PipeWire alone says nothing of it to pipewiresrc (0.3.65): logged, not asserted. */
  spin_for (1000);
  {
    const GError *problem = cb_program_get_problem_error (cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window)), id);

    g_test_message ("a second after the producer stopped, before the portal closes: %s",
                    problem != NULL ? problem->message : "no problem on the source");
  }
  commands = g_subprocess_get_stdin_pipe (portal);
  g_assert_true (g_output_stream_write_all (commands, "close\n", 6, NULL, NULL, NULL));
  closed = read_child_line (fixture, out);
  g_assert_true (g_str_has_prefix (closed, "Closed "));
  assert_picture_lost (fixture, id, CB_CAPTURE_ERROR_ENDED,
                       _("Screen sharing ended: the screen or window is no longer shared"),
                       &orange, "capture-portal-ended");

  /* The next start (a new studio window reading scenes.json) hands the token back, so a
   * real portal does not ask again, and shows the (new) producer's picture. */
  g_subprocess_force_exit (portal);
  g_subprocess_wait (portal, NULL, NULL);
  g_clear_object (&portal);
  g_clear_object (&out);
  pipewire_start_producer (pipewire, ORANGE);
  portal = granting_portal_start (fixture, pipewire, &out);
  fixture_reopen_window (fixture);
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  select2 = read_grant (fixture, out);
  g_assert_nonnull (strstr (select2, "'restore_token': <'fake-restore-token-1'>"));
  want = (ProblemWant) { id, -1 };
  g_assert_true (wait_for (fixture, problem_is, &want));
  studio_go_live (fixture);
  g_assert_true (wait_for (fixture, stream_pixel_is, &orange));
  studio_stop_live (fixture);

  g_subprocess_force_exit (portal);
  g_subprocess_wait (portal, NULL, NULL);
  pipewire_stop (pipewire);
}

/* Closing the window (as quitting does) while a portal capture still waits to be linked
 * (no session manager runs): the window goes at once. pipewiresrc, waiting, holds its
 * state lock; stopping the pipeline with it inside waited for its 30 s timeout. */
static void
test_portal_quit_unlinked (Fixture       *fixture,
                           gconstpointer  data)
{
  CbScenesPanel *panel = cb_window_get_scenes_panel (fixture->window);
  PipeWire *pipewire;
  g_autoptr(GSubprocess) portal = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *select = NULL;
  ProblemWant want;
  gint64 start, took;
  guint id;

  if (!have_pipewire ())
    return;
  pipewire = pipewire_start (fixture);
  pipewire_start_producer (pipewire, ORANGE);
  portal = granting_portal_start (fixture, pipewire, &out);
  g_assert_true (wait_for (fixture, preview_has_frame, NULL));
  id = cb_scenes_panel_add_source (panel, CB_SCENE_SOURCE_PORTAL, "");
  select = read_grant (fixture, out);
  want = (ProblemWant) { id, -1 };
  g_assert_true (wait_for (fixture, problem_is, &want));
  spin_for (500);
  g_assert_false (producer_linked (fixture, pipewire));

  start = g_get_monotonic_time ();
  fixture_reopen_window (fixture);
  took = g_get_monotonic_time () - start;
  g_test_message ("the window closed in %" G_GINT64_FORMAT " ms", took / 1000);
  /* Loose for a busy machine; the wait it replaces was 30 s. */
  g_assert_cmpint (took, <, 10 * G_TIME_SPAN_SECOND);

  /* The new window asks again (and waits unlinked again): its close at the end of the
   * test is as quick. */
  g_subprocess_force_exit (portal);
  g_subprocess_wait (portal, NULL, NULL);
  pipewire_stop (pipewire);
}

/* ---- an application's sound ------------------------------------------------------------ */

#define PLAYER_NAME "Cb Test Player"

/* An application playing a loud sine (a playback stream of its own each time). */
static void
pipewire_play (PipeWire *self)
{
  const char *argv[] = {
    "gst-launch-1.0", "-q", "-f", "audiotestsrc", "is-live=true", "wave=sine", "freq=1000",
    "volume=0.5", "!", "pipewiresink",
    /* gst-launch joins its arguments and parses them again: the quotes are its own. */
    "stream-properties=\"props,application.name=\\\"" PLAYER_NAME "\\\",media.name=\\\"A sine\\\"\"",
    NULL
  };

  self->producer = pipewire_spawn (self, G_SUBPROCESS_FLAGS_NONE, argv);
}

/* A sink for applications to play to (the test's PipeWire has no devices), then an
 * application playing a loud sine there. */
static void
pipewire_start_player (PipeWire *self)
{
  const char *sink[] = {
    "pw-cli", "create-node", "adapter",
    "{ factory.name=support.null-audio-sink node.name=cb-test-sink "
    "node.description=\"Cb Test Sink\" media.class=Audio/Sink object.linger=true "
    "audio.position=[FL FR] }", NULL
  };
  g_autofree char *out = pipewire_tool (self, sink);

  pipewire_play (self);
}

static gboolean
player_listed (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) apps = cb_app_audio_list (NULL);

  for (guint i = 0; apps != NULL && i < apps->len; i++)
    if (g_str_equal (((CbAppAudio *) g_ptr_array_index (apps, i))->name, PLAYER_NAME))
      return TRUE;
  return FALSE;
}

static void
on_picked (GObject      *mixer,
           GAsyncResult *result,
           gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
have_result (Fixture       *fixture,
             gconstpointer  data)
{
  return *(GAsyncResult * const *) data != NULL;
}

/* The Mixer's + → Application sound, as a click does it: the list is made without
 * blocking the window, then the dialog is shown. */
static GtkWidget *
pick_app_audio (Fixture *fixture,
                CbMixer *mixer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *picker;

  cb_mixer_pick_app_audio (mixer, on_picked, &result);
  g_assert_null (result);   /* never answered before the window goes on */
  g_assert_true (wait_for (fixture, have_result, &result));
  picker = cb_mixer_pick_app_audio_finish (mixer, result, &error);
  g_assert_no_error (error);
  g_object_unref (picker);  /* the dialog is the window list's until destroyed */
  return picker;
}

static gboolean
loud (Fixture       *fixture,
      gconstpointer  data)
{
  return cb_level_meter_get_peak ((CbLevelMeter *) data) > -20;
}

static gboolean
quiet (Fixture       *fixture,
       gconstpointer  data)
{
  return cb_level_meter_get_peak ((CbLevelMeter *) data) < -60;
}

/* What the strip of source @data says (it follows the program a moment later). */
static gboolean
has_problem (Fixture       *fixture,
             gconstpointer  data)
{
  return cb_mixer_get_problem_text (cb_window_get_mixer (fixture->window), GPOINTER_TO_UINT (data)) != NULL;
}

static gboolean
no_problem (Fixture       *fixture,
            gconstpointer  data)
{
  return !has_problem (fixture, data);
}

static gboolean
saved_app_audio (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CbSceneSource) s = saved_source (GPOINTER_TO_UINT (data));

  return s != NULL && s->kind == CB_SCENE_SOURCE_APP_AUDIO &&
         g_strcmp0 (s->location, PLAYER_NAME) == 0;
}

/* The newest audio source of the program. */
static guint
last_audio_source (Fixture *fixture)
{
  const CbSceneCollection *c = cb_program_get_collection (cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window)));
  guint id = 0;

  for (guint i = 0; i < c->audio->len; i++)
    id = MAX (id, ((CbSceneSource *) g_ptr_array_index (c->audio, i))->id);
  return id;
}

/* How many links go into the test sink's left channel (`pw-link -l`). */
static guint
sink_links (PipeWire *pipewire)
{
  const char *argv[] = { "pw-link", "-l", NULL };
  g_autofree char *out = pipewire_tool (pipewire, argv);
  g_auto(GStrv) lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  gboolean in_sink = FALSE;
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != ' ' && lines[i][0] != '\0')
        in_sink = g_str_equal (g_strstrip (lines[i]), "cb-test-sink:playback_FL");
      else if (in_sink && strstr (lines[i], "|<-") != NULL)
        n++;
    }
  return n;
}

typedef struct {
  PipeWire *pipewire;
  guint     links;
} LinksWant;

static gboolean
sink_has_links (Fixture       *fixture,
                gconstpointer  data)
{
  const LinksWant *want = data;

  return sink_links (want->pipewire) == want->links;
}

/* Preferences lists the test sink as a Headphones choice; chosen, a strip's headphones
 * play there (a second link into it, beside the player's). */
static void
headphones (Fixture  *fixture,
            PipeWire *pipewire)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  const CbSceneCollection *c = cb_program_get_collection (cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window)));
  GtkWidget *prefs = cb_preferences_window_new (fixture->studio, GTK_WINDOW (fixture->window));
  GtkWidget *field = cb_preferences_window_get_field (CB_PREFERENCES_WINDOW (prefs),
                                                      "audio_output_device");
  GListModel *choices = gtk_drop_down_get_model (GTK_DROP_DOWN (field));
  g_autoptr(GError) error = NULL;
  gboolean listed = FALSE;
  LinksWant want = { pipewire, 1 };
  guint tone = 0;

  for (guint i = 0; i < g_list_model_get_n_items (choices); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (choices, i);

      listed = listed || g_strcmp0 (gtk_string_object_get_string (item), "Cb Test Sink") == 0;
    }
  g_assert_true (listed);
  gtk_window_destroy (GTK_WINDOW (prefs));

  for (guint i = 0; i < c->audio->len; i++)
    if (((CbSceneSource *) g_ptr_array_index (c->audio, i))->kind == CB_SCENE_SOURCE_TONE)
      tone = ((CbSceneSource *) g_ptr_array_index (c->audio, i))->id;
  g_assert_cmpuint (tone, !=, 0);
  g_assert_true (wait_for (fixture, sink_has_links, &want));
  g_assert_true (cb_studio_change_setting (fixture->studio, "audio_output_device", "cb-test-sink",
                                           &error));
  g_assert_no_error (error);
  gtk_toggle_button_set_active (cb_mixer_get_monitor_button (mixer, tone), TRUE);
  want.links = 2;
  if (!wait_for (fixture, sink_has_links, &want))
    {
      pipewire_log (pipewire);
      g_assert_not_reached ();
    }
  g_assert_null (cb_mixer_get_problem_text (mixer, tone));
  /* Off, its valve shuts; the output stays open for the next time (mixer test). */
  gtk_toggle_button_set_active (cb_mixer_get_monitor_button (mixer, tone), FALSE);
}

/* The mixer's "Application sound": a list of what plays now (not the studio itself), a
 * click on one, and its sound is on its strip and in the program mix; kept in scenes.json
 * by the application's name. An application that plays nothing says so on its strip. */
static void
test_app_audio (Fixture       *fixture,
                gconstpointer  data)
{
  CbMixer *mixer = cb_window_get_mixer (fixture->window);
  CbProgram *program = cb_scene_editor_get_program (cb_window_get_scene_editor (fixture->window));
  PipeWire *pipewire;
  GtkWidget *picker;
  GtkWidget *row;
  guint id, silent;

  if (!have_pipewire ())
    return;
  pipewire = pipewire_start (fixture);
  pipewire_start_session_manager (pipewire);
  show_sidebar_page (fixture, GTK_WIDGET (mixer), "mixer");

  /* Nothing plays yet: the dialog says so. */
  picker = pick_app_audio (fixture, mixer);
  g_assert_null (cb_picker_find_row (picker, PLAYER_NAME));
  spin_for (300);
  save_native_screenshot (fixture, picker, "app-audio-none");
  gtk_window_destroy (GTK_WINDOW (picker));

  pipewire_start_player (pipewire);
  g_assert_true (wait_for (fixture, player_listed, NULL));
  picker = pick_app_audio (fixture, mixer);
  row = cb_picker_find_row (picker, PLAYER_NAME);
  g_assert_nonnull (row);
  spin_for (300);
  save_native_screenshot (fixture, picker, "app-audio-picker");
  g_signal_emit_by_name (row, "activate");
  settle ();
  id = last_audio_source (fixture);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpstr (cb_program_get_problem (program, id), ==, NULL);

  if (!wait_for (fixture, loud, cb_mixer_get_meter (mixer, id)))
    {
      pipewire_log (pipewire);
      g_assert_not_reached ();
    }
  g_assert_true (wait_for (fixture, loud, cb_mixer_get_meter (mixer, 0)));
  g_assert_true (wait_for (fixture, saved_app_audio, GUINT_TO_POINTER (id)));
  spin_for (300);
  save_window_screenshot (fixture, "app-audio");

  /* The headphones on the output chosen in Preferences: the sink the player plays to. */
  headphones (fixture, pipewire);

  /* The application stops: its strip says so. It plays again (a new PipeWire stream):
   * its sound is back on the same strip by itself. */
  stop (&pipewire->producer);
  g_assert_true (wait_for (fixture, has_problem, GUINT_TO_POINTER (id)));
  g_assert_cmpstr (cb_mixer_get_problem_text (mixer, id), ==,
                   _("The application plays no sound now: its sound comes back here when "
                     "it plays again"));
  g_assert_true (wait_for (fixture, quiet, cb_mixer_get_meter (mixer, id)));
  spin_for (300);
  save_window_screenshot (fixture, "app-audio-stopped");
  pipewire_play (pipewire);
  g_assert_true (wait_for (fixture, no_problem, GUINT_TO_POINTER (id)));
  if (!wait_for (fixture, loud, cb_mixer_get_meter (mixer, id)))
    {
      pipewire_log (pipewire);
      g_assert_not_reached ();
    }
  g_assert_true (wait_for (fixture, loud, cb_mixer_get_meter (mixer, 0)));

  /* One that plays nothing: its strip says so; the mix goes on. */
  silent = cb_mixer_add_app_audio (mixer, "An Application That Is Not Running");
  g_assert_cmpstr (cb_mixer_get_problem_text (mixer, silent), ==,
                   _("The application plays no sound now: its sound comes back here when "
                     "it plays again"));
  g_assert_true (wait_for (fixture, loud, cb_mixer_get_meter (mixer, 0)));

  pipewire_stop (pipewire);
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
  /* Where this process (pipewiresrc, pw-dump) finds the PipeWire a test starts: set before
   * any thread could read the environment. */
  {
    g_autofree char *runtime = g_dir_make_tmp ("cb-capture-pipewire-XXXXXX", NULL);

    g_setenv ("PIPEWIRE_RUNTIME_DIR", runtime, TRUE);
    g_unsetenv ("PIPEWIRE_REMOTE");
  }

  g_test_add ("/cb/gui/capture/window", Fixture, small_output, fixture_set_up_default_scene,
              test_window, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-refused", Fixture, small_output, fixture_set_up_default_scene,
              test_portal_refused, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-granted", Fixture, small_output, fixture_set_up_default_scene,
              test_portal_granted, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-missing", Fixture, small_output, fixture_set_up_default_scene,
              test_portal_missing, fixture_tear_down);
  g_test_add ("/cb/gui/capture/app-audio", Fixture, small_output, fixture_set_up_default_scene,
              test_app_audio, fixture_tear_down);
  g_test_add ("/cb/gui/capture/portal-quit-unlinked", Fixture, small_output,
              fixture_set_up_default_scene, test_portal_quit_unlinked, fixture_tear_down);

  return g_test_run ();
}
