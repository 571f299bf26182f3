/* gui-util.h — what the GUI tests share: a studio and its window, waiting with the main
 * loop turning, REST calls, screenshots
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <libsoup/soup.h>

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
void      fixture_tear_down      (Fixture       *fixture,
                                  gconstpointer  data);
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

G_END_DECLS
