/* cb-application.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#ifdef HAVE_EPOXY
# include <epoxy/gl.h>
#endif

#include "cb-application.h"
#include "cb-platform.h"
#include "cb-preferences-window.h"
#include "cb-window.h"
#include "cb-window-studio.h"

struct _CbApplication
{
  AdwApplication  parent_instance;

  CbSettings     *settings;   /* from the command line, until the studio takes it */
  char           *config_path;  /* what the preferences edit */
  CbStudio       *studio;
  guint           quit_watch_id;  /* SIGINT, SIGTERM; Ctrl+C on Windows */
};

G_DEFINE_FINAL_TYPE (CbApplication, cb_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Read settings from FILE (key=value lines)"), N_("FILE") },
  { "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Set one setting, overriding the file (repeatable)"), N_("KEY=VALUE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { NULL }
};

static int
cb_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  CbApplication *self = CB_APPLICATION (application);
  g_autoptr(CbSettings) settings = cb_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree const char **overrides = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("castbridge %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* Without --config, the file the preferences window writes, when there is one. */
  if (!g_variant_dict_lookup (options, "config", "^ay", &config))
    {
      config = cb_studio_dup_default_settings_path ();
      if (!g_file_test (config, G_FILE_TEST_EXISTS))
        g_clear_pointer (&config, g_free);
    }
  g_free (self->config_path);
  self->config_path = g_strdup (config);
  if (config != NULL && !cb_settings_load_file (settings, config, &error))
    {
      g_printerr ("castbridge: %s\n", error->message);
      return 1;
    }

  if (g_variant_dict_lookup (options, "option", "^a&s", &overrides))
    for (guint i = 0; overrides[i] != NULL; i++)
      if (!cb_settings_parse_override (settings, overrides[i], &error))
        {
          g_printerr ("castbridge: -o %s: %s\n", overrides[i], error->message);
          return 1;
        }

  if (!cb_studio_apply_environment (settings, &error))
    {
      g_printerr ("castbridge: %s\n", error->message);
      return 1;
    }

  g_set_object (&self->settings, settings);
  return -1;
}

static void
cb_application_preferences (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       data)
{
  CbApplication *self = data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->studio != NULL)
    gtk_window_present (GTK_WINDOW (cb_preferences_window_new (self->studio, parent)));
}

static void
cb_application_about (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplication *application = user_data;
  static const char *developers[] = { "The Castbridge developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application-name", "Castbridge",
                        "application-icon", APP_ID,
                        "developer-name", _("The Castbridge developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("A streaming studio with a media server inside: "
                                      "capture, publish and relay streams for browsers, "
                                      "OBS and other servers."),
                        "website", "https://castbridge.io",
                        "issue-url", "https://castbridge.io/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Castbridge developers",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
cb_application_quit (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);

  /* A live window asks first; its answer quits. */
  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    if (CB_IS_WINDOW (l->data) && cb_window_request_quit (CB_WINDOW (l->data)))
      return;
  g_application_quit (G_APPLICATION (application));
}

static gboolean
on_quit_request (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

/* GTK's GL renderer drawing through a software rasterizer (no GPU: a virtual machine, a
 * remote desktop, Xvfb) cost a fifth of a core for the preview and the meters of a 1080p
 * scene; GTK's cairo renderer draws the same window for a fifth of that. Before the first
 * window, as GTK reads GSK_RENDERER once; a GSK_RENDERER of the user's wins. */
static void
avoid_software_gl (void)
{
#ifdef HAVE_EPOXY
  static const char * const software[] = { "llvmpipe", "softpipe", "swrast", "Software Rasterizer" };
  g_autoptr(GdkGLContext) context = NULL;
  const char *renderer;

  if (g_getenv ("GSK_RENDERER") != NULL || gdk_display_get_default () == NULL)
    return;
  context = gdk_display_create_gl_context (gdk_display_get_default (), NULL);
  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    return;
  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  for (guint i = 0; renderer != NULL && i < G_N_ELEMENTS (software); i++)
    if (strstr (renderer, software[i]) != NULL)
      {
        g_debug ("GL renders in software (%s): the window draws with cairo", renderer);
        g_setenv ("GSK_RENDERER", "cairo", TRUE);
        break;
      }
  gdk_gl_context_clear_current ();
#endif
}

static void
cb_application_startup (GApplication *application)
{
  CbApplication *self = CB_APPLICATION (application);
  static const GActionEntry actions[] = {
    { "about", cb_application_about },
    { "preferences", cb_application_preferences },
    { "quit", cb_application_quit },
  };
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (cb_application_parent_class)->startup (application);
  avoid_software_gl ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  cb_window_set_accels (GTK_APPLICATION (self));
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });

  /* Run from the build tree, the icon is not installed yet. */
  if (g_file_test (CB_SOURCE_DIR "/data/icons/hicolor", G_FILE_TEST_IS_DIR))
    gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    CB_SOURCE_DIR "/data/icons");
  gtk_window_set_default_icon_name (APP_ID);

  if (self->settings == NULL)
    self->settings = cb_settings_new ();
  self->studio = cb_studio_new (self->settings);
  g_clear_object (&self->settings);
  if (self->config_path != NULL)
    cb_studio_set_settings_path (self->studio, self->config_path);

  if (!cb_studio_start (self->studio, &error))
    {
      g_critical ("Cannot start the engine: %s", error->message);
      g_clear_object (&self->studio);
      return;
    }

  /* What the headless server prints, so that scripts and tests find the ports. */
  g_print ("listening http=%u ws=%u rtmp=%u\n",
           cb_studio_get_http_port (self->studio), cb_studio_get_ws_port (self->studio),
           cb_studio_get_rtmp_port (self->studio));
  fflush (stdout);

  self->quit_watch_id = cb_platform_add_quit_watch (on_quit_request, self);
}

static void
cb_application_activate (GApplication *application)
{
  CbApplication *self = CB_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL && self->studio != NULL)
    {
      /* Asked before the window exists: nothing it writes can make it look used. */
      gboolean first_run = self->config_path == NULL && cb_welcome_is_first_run ();

      window = GTK_WINDOW (cb_window_new (GTK_APPLICATION (self), self->studio));
      if (first_run)
        cb_window_show_welcome (CB_WINDOW (window));
    }
  if (window != NULL)
    gtk_window_present (window);
}

static void
cb_application_shutdown (GApplication *application)
{
  CbApplication *self = CB_APPLICATION (application);
  GList *windows;

  g_clear_handle_id (&self->quit_watch_id, g_source_remove);

  /* Windows let go of their captures and streams before the engine goes. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (windows->data);

  if (self->studio != NULL)
    cb_studio_stop (self->studio);

  G_APPLICATION_CLASS (cb_application_parent_class)->shutdown (application);
}

static void
cb_application_dispose (GObject *object)
{
  CbApplication *self = CB_APPLICATION (object);

  g_clear_object (&self->studio);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->config_path, g_free);

  G_OBJECT_CLASS (cb_application_parent_class)->dispose (object);
}

static void
cb_application_class_init (CbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cb_application_dispose;
  application_class->handle_local_options = cb_application_handle_local_options;
  application_class->startup = cb_application_startup;
  application_class->activate = cb_application_activate;
  application_class->shutdown = cb_application_shutdown;
}

static void
cb_application_init (CbApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Castbridge: a streaming studio with a media "
                                              "server inside."));
}

CbApplication *
cb_application_new (void)
{
  GApplicationFlags flags = G_APPLICATION_DEFAULT_FLAGS;

  /* Tests run their own instance on ephemeral ports next to the user's. */
  if (g_getenv ("CB_HTTP_PORT") != NULL || g_getenv ("CB_WS_PORT") != NULL ||
      g_getenv ("CB_RTMP_PORT") != NULL)
    flags |= G_APPLICATION_NON_UNIQUE;

  return g_object_new (CB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/castbridge/Castbridge",
                       NULL);
}

CbStudio *
cb_application_get_studio (CbApplication *self)
{
  g_return_val_if_fail (CB_IS_APPLICATION (self), NULL);
  return self->studio;
}
