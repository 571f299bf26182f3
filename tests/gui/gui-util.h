/* gui-util.h — what the GUI tests share: a studio and its window, waiting with the main
 * loop turning, REST calls, screenshots
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <libsoup/soup.h>

#include "cb-scene.h"
#include "cb-studio.h"
#include "cb-window.h"

G_BEGIN_DECLS

#define WAIT_LIMIT_S 60   /* a safety net against hangs, not a timing */

typedef struct
{
  CbStudio    *studio;
  CbWindow    *window;
  SoupSession *session;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gconstpointer data);

/* Initialises gettext, GTK and libadwaita as castbridge does; FALSE without a display. */
gboolean  gui_test_init          (int           *argc,
                                  char        ***argv);

/* @data: NULL, or a NULL-terminated array of "key=value" settings for the studio. */
void      fixture_set_up         (Fixture       *fixture,
                                  gconstpointer  data);
/* The same, with no scenes.json left from before: the default scene (the test pattern,
 * the test tone in the mixer). */
void      fixture_set_up_default_scene (Fixture     *fixture,
                                        gconstpointer data);
void      fixture_tear_down      (Fixture       *fixture,
                                  gconstpointer  data);
/* The same, with no scenes.json and no settings file left from before (the preferences
 * write one); both are removed afterwards too. */
void      fixture_set_up_clean   (Fixture       *fixture,
                                  gconstpointer  data);
void      fixture_tear_down_clean (Fixture      *fixture,
                                   gconstpointer data);
/* A new window on the same studio, as after closing and reopening it. */
void      fixture_reopen_window  (Fixture       *fixture);

/* Turns the main loop until @condition holds; FALSE after WAIT_LIMIT_S. */
gboolean  wait_for               (Fixture       *fixture,
                                  Condition      condition,
                                  gconstpointer  data);
/* Lets pending redraws and hops run. */
void      settle                 (void);
/* Turns the main loop for about @ms (for things no condition can see, like a redraw). */
void      spin_for               (guint          ms);

/* POST /rest-api/@path with @json; the answer's status, and its body in @body. */
guint     rest_post              (Fixture       *fixture,
                                  const char    *path,
                                  const char    *json,
                                  char         **body);
/* The same, to another server's REST port. */
guint     rest_post_at           (Fixture       *fixture,
                                  guint          port,
                                  const char    *path,
                                  const char    *json,
                                  char         **body);

/* For soup_session_send_and_read_async(): completes the GTask in @user_data (and drops
 * the reference it holds) with the body. */
void      on_rest_done           (GObject       *object,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
gboolean  task_done              (Fixture       *fixture,
                                  gconstpointer  data);
gboolean  window_is_drawn        (Fixture       *fixture,
                                  gconstpointer  data);
gboolean  preview_has_frame      (Fixture       *fixture,
                                  gconstpointer  data);
/* Runs @func (@data) on the engine's thread and waits for it, the main loop turning. */
void      run_in_engine          (Fixture       *fixture,
                                  GSourceFunc    func,
                                  gpointer       data);
/* @data: { stream name, status } — the Streams panel's row says that status. */
gboolean  row_has_status         (Fixture       *fixture,
                                  gconstpointer  data);
gboolean  window_is_live         (Fixture       *fixture,
                                  gconstpointer  data);
gboolean  window_is_idle         (Fixture       *fixture,
                                  gconstpointer  data);

/* CB_SCREENSHOT_DIR/@name CB_SCREENSHOT_SUFFIX.png */
char     *screenshot_path        (const char    *name);
void      save_window_screenshot (Fixture       *fixture,
                                  const char    *name);
/* Of a surface of its own: a popover, a dialog. */
void      save_native_screenshot (Fixture       *fixture,
                                  GtkWidget     *native,
                                  const char    *name);
void      save_screen_grab       (const char    *name);

/* @dir and everything in it. */
void      remove_tree            (const char    *dir);

/* nginx with the RTMP module, as tests/server/nginxrtmp.py starts it. */
typedef struct
{
  char        *dir;
  guint        port;
  GSubprocess *process;
} Nginx;

guint     free_port              (void);
/* A child setup function: the child dies with the test (Linux; nothing elsewhere). */
void      die_with_parent        (gpointer       data);
gboolean  port_answers           (guint          port);
/* NULL (and the test skipped) when nginx or its RTMP module is not installed. @port 0
 * picks a free one. */
Nginx    *nginx_start_on         (guint          port);
Nginx    *nginx_start            (void);
/* For a failing test's log: what nginx said. */
void      nginx_log              (Nginx         *self);
void      nginx_stop             (Nginx         *self);

/* Reading a child's output line by line with the main loop turning. */
typedef struct
{
  GMainContext *context;
  char         *line;
  gboolean      done;
} LineRead;

void      on_line_read           (GObject       *object,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
gboolean  line_read              (Fixture       *fixture,
                                  gconstpointer  data);
/* For g_subprocess_wait_async(): sets the gboolean at @user_data. */
void      on_exited              (GObject       *object,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
gboolean  flag_set               (Fixture       *fixture,
                                  gconstpointer  data);

/* A session bus of the test's own (dbus-daemon, with nothing to activate, not even what is
 * installed), as DBUS_SESSION_BUS_ADDRESS from now on; call it before anything connects
 * to the session bus. It dies with the test, after every connection to it is done with. */
void      start_private_bus      (void);
/* The next line a fake service (fake-portal, fake-notifications) writes on @out. */
char     *read_child_line        (Fixture       *fixture,
                                  GDataInputStream *out);

/* A second castbridge-server (CB_SERVER_BINARY) on loopback ports of its own; @rtmp_port
 * may be NULL. */
GSubprocess *second_server_start (Fixture       *fixture,
                                  guint         *http_port,
                                  guint         *ws_port,
                                  guint         *rtmp_port);
/* SIGTERM, and waits for it. Takes @process. */
void      second_server_stop     (Fixture       *fixture,
                                  GSubprocess   *process);

/* Runs @argv (NULL-terminated, found in PATH), the main loop turning meanwhile; what it
 * wrote, standard output and error together. */
char     *run_for_output         (Fixture       *fixture,
                                  const char * const *argv);
/* ffmpeg publishing a test pattern and a tone (H.264, AAC) to @url over RTMP, until
 * killed; NULL without ffmpeg. */
GSubprocess *ffmpeg_publish      (const char    *url);
/* How many video frames (up to 10) ffmpeg reads from @url, as a player does. */
guint     ffmpeg_count_frames    (Fixture       *fixture,
                                  const char    *url);
/* No label of @widget, nor its tooltip, shows @secret. */
void      assert_nowhere_shown   (GtkWidget     *widget,
                                  const char    *secret);

/* scenes.json as it is now, or NULL (not saved yet, or not readable). */
CbSceneCollection *saved_collection (void);
void remove_scenes_and_settings (void);
/* A copy of source @id as scenes.json has it now, or NULL (not saved yet, or not there). */
CbSceneSource *saved_source      (guint          id);
/* @widget or the first of its descendants that @match says yes to (given @data), or NULL. */
typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);
GtkWidget *find_widget           (GtkWidget     *widget,
                                  WidgetMatch    match,
                                  gconstpointer  data);
/* @widget or the first of its descendants named @name (gtk_widget_set_name()), or NULL. */
GtkWidget *find_named_widget     (GtkWidget     *widget,
                                  const char    *name);
/* How many frames the preview has shown; and, @data the count to pass, whether it has
 * shown more. */
guint64   preview_frames         (Fixture       *fixture);
gboolean  preview_passes         (Fixture       *fixture,
                                  gconstpointer  data);

/* The studio's stream, named "studio" as the window publishes it. */
extern const char *studio_publishing[];   /* { "studio", "PUBLISHING" }, for row_has_status */
/* Its picture, as REST's stream/snapshot gives it; NULL while there is none. */
GdkTexture *studio_snapshot      (Fixture       *fixture);
/* The colour at (@fx, @fy), fractions of the picture, as 0xRRGGBB. */
guint32   texture_pixel          (GdkTexture    *texture,
                                  double         fx,
                                  double         fy);
/* Each channel within 48 of @want's. */
gboolean  close_to               (guint32        rgb,
                                  guint32        want);
typedef struct {
  double  x, y;
  guint32 rgb;
} PixelWant;
/* @data: a PixelWant — the snapshot has that colour there (the last one is kept as the
 * screenshot studio-last-snapshot for whoever looks into a failure). */
gboolean  stream_pixel_is        (Fixture       *fixture,
                                  gconstpointer  data);
/* The preview's picture now (the composed picture as the window shows it, at its own
 * size), or NULL while there is none; and, @data a PixelWant, whether it has that colour
 * there (the last one kept as the screenshot studio-last-preview). */
GdkTexture *preview_image        (Fixture       *fixture);
gboolean  preview_pixel_is       (Fixture       *fixture,
                                  gconstpointer  data);
gboolean  stream_has_video       (Fixture       *fixture,
                                  gconstpointer  data);
/* Go Live, and wait until "studio" publishes with video; and back. */
void      studio_go_live         (Fixture       *fixture);
void      studio_stop_live       (Fixture       *fixture);
/* The sidebar of @panel shows @page ("scenes", "mixer"). */
void      show_sidebar_page      (Fixture       *fixture,
                                  GtkWidget     *panel,
                                  const char    *page);

/* A microphone ("Fake Microphone", a 440 Hz tone at -20 dBFS), a monitor of the output
 * (880 Hz) and a microphone that clips ("Loud Microphone", a full-scale square wave) that
 * GStreamer's device monitor lists from now on in this process: for a mixer with a
 * microphone and the desktop's sound where the machine has no sound server. Once per
 * process; later calls do nothing. */
void      fake_audio_devices_register (void);

G_END_DECLS
