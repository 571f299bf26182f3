/* cb-preferences-window.c — every setting a streamer changes, grouped for humans
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each field edits one key of the settings file the server reads, through
 * cb_studio_change_setting(): the engine's validation table checks it (the message goes
 * under the field's title), the running engine takes it, the file is written. Keys the
 * server reads only at start-up say so. Secrets are never shown back: their fields start
 * empty and say whether one is set.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-local-source.h"
#include "cb-media.h"
#include "cb-preferences-window.h"
#include "cb-program.h"

typedef enum {
  FIELD_ENTRY,
  FIELD_SECRET,
  FIELD_NUMBER,
  FIELD_CHOICE,
  FIELD_SWITCH,
} FieldType;

typedef struct {
  CbPreferencesWindow *window;   /* weak */
  const char          *key;
  FieldType            type;
  GtkWidget           *row;
  GtkWidget           *widget;
  GStrv                choices;
  char                *message;
} Field;

struct _CbPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  CbStudio            *studio;
  GHashTable          *fields;   /* key → Field */
  gboolean             filling;
};

G_DEFINE_FINAL_TYPE (CbPreferencesWindow, cb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
field_free (gpointer data)
{
  Field *f = data;

  g_strfreev (f->choices);
  g_free (f->message);
  g_free (f);
}

static CbSettings *
settings_of (CbPreferencesWindow *self)
{
  return cb_studio_get_gui_settings (self->studio);
}

static void
set_message (Field      *f,
             const char *message,
             gboolean    error)
{
  g_free (f->message);
  f->message = g_strdup (message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (f->row), message != NULL ? message : "");
  if (error)
    gtk_widget_add_css_class (f->row, "error");
  else
    gtk_widget_remove_css_class (f->row, "error");
}

static void
set_normal_message (Field *f)
{
  if (f->type == FIELD_SECRET)
    set_message (f, cb_settings_is_set (settings_of (f->window), f->key) &&
                    *cb_settings_get_string (settings_of (f->window), f->key) != '\0'
                    ? _("Set. Type a new one to replace it.") : _("Not set"), FALSE);
  else if (cb_settings_needs_restart (f->key))
    set_message (f, _("Takes effect after a restart"), FALSE);
  else
    set_message (f, NULL, FALSE);
}

static void
apply (Field      *f,
       const char *value)
{
  g_autoptr(GError) error = NULL;

  if (f->window->filling)
    return;
  if (!cb_studio_change_setting (f->window->studio, f->key, value, &error))
    {
      set_message (f, error->message, TRUE);
      return;
    }
  set_normal_message (f);
}

static void
on_entry_changed (GtkEditable *editable,
                  Field       *f)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (editable);

  /* A secret is applied when confirmed, not letter by letter. */
  if (f->type == FIELD_SECRET)
    {
      if (!cb_settings_check (f->key, text, &error))
        set_message (f, error->message, TRUE);
      return;
    }
  apply (f, text);
}

static void
on_secret_activate (GtkEditable *editable,
                    Field       *f)
{
  apply (f, gtk_editable_get_text (editable));
  if (f->message == NULL || !gtk_widget_has_css_class (f->row, "error"))
    gtk_editable_set_text (editable, "");
}

static void
on_number_changed (GtkSpinButton *spin,
                   Field         *f)
{
  g_autofree char *text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (spin));

  apply (f, text);
}

static void
on_choice_changed (GtkDropDown *dropdown,
                   GParamSpec  *pspec,
                   Field       *f)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (selected < g_strv_length (f->choices))
    apply (f, f->choices[selected]);
}

static void
on_switch_changed (GtkSwitch  *sw,
                   GParamSpec *pspec,
                   Field      *f)
{
  apply (f, gtk_switch_get_active (sw) ? "true" : "false");
}

static Field *
add_field (CbPreferencesWindow *self,
           AdwPreferencesGroup *group,
           const char          *key,
           const char          *title,
           FieldType            type,
           const char * const  *choices,
           const char * const  *labels)
{
  Field *f = g_new0 (Field, 1);
  CbSettings *settings = settings_of (self);
  const char *value = cb_settings_get_string (settings, key);
  const CbSettingInfo *info = cb_settings_lookup_info (key);
  const CbSettingRule *rule = cb_settings_lookup_rule (key);

  f->window = self;
  f->key = key;
  f->type = type;
  f->row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (f->row), 3);
  if (info != NULL)
    gtk_widget_set_tooltip_text (f->row, info->description);

  switch (type)
    {
    case FIELD_ENTRY:
    case FIELD_SECRET:
      f->widget = type == FIELD_SECRET ? gtk_password_entry_new () : gtk_entry_new ();
      if (type == FIELD_SECRET)
        gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (f->widget), TRUE);
      else
        gtk_editable_set_text (GTK_EDITABLE (f->widget), value != NULL ? value : "");
      gtk_editable_set_width_chars (GTK_EDITABLE (f->widget), 18);
      g_signal_connect (f->widget, "changed", G_CALLBACK (on_entry_changed), f);
      if (type == FIELD_SECRET)
        g_signal_connect (f->widget, "activate", G_CALLBACK (on_secret_activate), f);
      break;
    case FIELD_NUMBER:
      {
        double min = rule != NULL && rule->min <= rule->max ? rule->min : -1;
        double max = rule != NULL && rule->min <= rule->max ? rule->max : G_MAXINT32;

        if (info != NULL && info->type == CB_SETTING_PORT)
          {
            min = MAX (min, 0);
            max = MIN (max, 65535);
          }
        f->widget = gtk_spin_button_new_with_range (min, max, 1);
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (f->widget), cb_settings_get_int (settings, key));
        g_signal_connect (f->widget, "value-changed", G_CALLBACK (on_number_changed), f);
      }
      break;
    case FIELD_CHOICE:
      {
        guint selected = 0;

        f->choices = g_strdupv ((char **) choices);
        f->widget = gtk_drop_down_new_from_strings (labels != NULL ? labels : choices);
        for (guint i = 0; choices[i] != NULL; i++)
          if (g_strcmp0 (choices[i], value) == 0)
            selected = i;
        gtk_drop_down_set_selected (GTK_DROP_DOWN (f->widget), selected);
        g_signal_connect (f->widget, "notify::selected", G_CALLBACK (on_choice_changed), f);
      }
      break;
    case FIELD_SWITCH:
      f->widget = gtk_switch_new ();
      gtk_switch_set_active (GTK_SWITCH (f->widget), cb_settings_get_bool (settings, key));
      g_signal_connect (f->widget, "notify::active", G_CALLBACK (on_switch_changed), f);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (f->row), f->widget);
      break;
    }
  gtk_widget_set_valign (f->widget, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  f->row, NULL, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (f->row), f->widget);
  adw_preferences_group_add (group, f->row);
  g_hash_table_insert (self->fields, (gpointer) key, f);
  set_normal_message (f);
  return f;
}

static AdwPreferencesGroup *
add_group (AdwPreferencesPage *page,
           const char         *title,
           const char         *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static AdwPreferencesPage *
add_page (CbPreferencesWindow *self,
          const char          *title,
          const char          *icon)
{
  GtkWidget *page = adw_preferences_page_new ();

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), title);
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), icon);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  return ADW_PREFERENCES_PAGE (page);
}

/* The mixer's headphones: the system's default or one of the outputs there are now (one
 * set before but not plugged in now stays a choice, said to be missing). */
static void
add_output_field (CbPreferencesWindow *self,
                  AdwPreferencesGroup *group)
{
  const char *current = cb_settings_get_string (settings_of (self), "audio_output_device");
  GList *devices = cb_media_list_devices ("Audio/Sink");
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_auto(GStrv) id_list = NULL;
  g_auto(GStrv) label_list = NULL;
  gboolean found = current == NULL || *current == '\0';

  g_strv_builder_add (ids, "");
  g_strv_builder_add (labels, _("System default"));
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *id = cb_media_device_id (l->data);
      g_autofree char *label = gst_device_get_display_name (l->data);

      found = found || g_strcmp0 (id, current) == 0;
      g_strv_builder_add (ids, id);
      g_strv_builder_add (labels, label);
    }
  g_list_free_full (devices, gst_object_unref);
  if (!found)
    {
      g_autofree char *missing = g_strdup_printf (_("%s (not connected)"), current);

      g_strv_builder_add (ids, current);
      g_strv_builder_add (labels, missing);
    }
  id_list = g_strv_builder_end (ids);
  label_list = g_strv_builder_end (labels);
  add_field (self, group, "audio_output_device", _("Headphones"), FIELD_CHOICE,
             (const char * const *) id_list, (const char * const *) label_list);
}

static void
build (CbPreferencesWindow *self)
{
  static const char * const presets[] = { "ultrafast", "superfast", "veryfast", "faster", "fast",
                                          "medium", "slow", "slower", NULL };
  static const char * const rates[] = { "44100", "48000", NULL };
  static const char * const formats[] = { "h264-mp4,vp8-webm", "h264-mp4", "vp8-webm", NULL };
  g_auto(GStrv) encoders = cb_program_list_encoders ();
  g_autoptr(GPtrArray) encoder_labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) mics = cb_devices_list (CB_MEDIA_AUDIO);
  g_autoptr(GString) mic_names = g_string_new (NULL);
  AdwPreferencesPage *page;
  AdwPreferencesGroup *group;
  GtkWidget *row;
  gboolean studio_keys;

  for (guint i = 0; encoders[i] != NULL; i++)
    g_ptr_array_add (encoder_labels, g_str_equal (encoders[i], "x264")
                                     ? g_strdup (_("x264 (software)"))
                                     : g_strdup_printf (_("%s (hardware)"), encoders[i]));
  g_ptr_array_add (encoder_labels, NULL);

  page = add_page (self, _("Output"), "video-display-symbolic");
  group = add_group (page, _("Output"),
                     _("What Go Live encodes, once for every destination. A change applies "
                       "to the next Go Live."));
  add_field (self, group, "capture_width", _("Width"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "capture_height", _("Height"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "capture_fps", _("Frame rate"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "capture_bitrate", _("Bitrate, kbit/s"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "capture_keyframe_interval", _("Keyframe interval, s"), FIELD_NUMBER,
             NULL, NULL);
  add_field (self, group, "capture_encoder", _("Encoder"), FIELD_CHOICE,
             (const char * const *) encoders, (const char * const *) encoder_labels->pdata);
  add_field (self, group, "capture_x264_preset", _("x264 preset"), FIELD_CHOICE, presets, NULL);

  group = add_group (page, _("Audio"), NULL);
  add_field (self, group, "audio_sample_rate", _("Sample rate, Hz"), FIELD_CHOICE, rates, NULL);
  add_output_field (self, group);
  for (guint i = 0; i < mics->len; i++)
    g_string_append_printf (mic_names, "%s%s", i ? ", " : "",
                            ((CbDevice *) g_ptr_array_index (mics, i))->label);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Microphones"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               mics->len > 0 ? mic_names->str
                                             : _("None found. Add one in the mixer when it is plugged in."));
  adw_preferences_group_add (group, row);

  page = add_page (self, _("Destinations"), "network-transmit-symbolic");
  group = add_group (page, _("Reconnecting"),
                     _("What a destination does when its connection drops."));
  /* The studio's own keys (branch gui-live: its destinations reconnect by default) when
   * the engine knows them; the WCS keys of every RTMP push otherwise. */
  studio_keys = cb_settings_lookup_info ("studio_push_restore") != NULL;
  add_field (self, group, studio_keys ? "studio_push_restore" : "rtmp_push_restore",
             _("Reconnect by itself"), FIELD_SWITCH, NULL, NULL);
  add_field (self, group, studio_keys ? "studio_push_restore_attempts" : "rtmp_push_restore_attempts",
             _("Attempts (-1: no limit)"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group,
             studio_keys ? "studio_push_restore_interval_ms" : "rtmp_push_restore_interval_ms",
             _("Pause between attempts, ms"), FIELD_NUMBER, NULL, NULL);

  page = add_page (self, _("Server"), "network-server-symbolic");
  group = add_group (page, _("Ports"), NULL);
  add_field (self, group, "http.port", _("HTTP (REST, web client, WHIP/WHEP)"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "https.port", _("HTTPS"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "ws.port", _("WebSocket"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "wss.port", _("Secure WebSocket"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "rtmp.port", _("RTMP"), FIELD_NUMBER, NULL, NULL);
  add_field (self, group, "bind_address", _("Listen on address"), FIELD_ENTRY, NULL, NULL);
  group = add_group (page, _("Remote control"),
                     _("Other machines and web pages of other sites need these credentials."));
  add_field (self, group, "rest_auth_user", _("User"), FIELD_ENTRY, NULL, NULL);
  add_field (self, group, "rest_auth_password", _("Password"), FIELD_SECRET, NULL, NULL);
  add_field (self, group, "rest_allowed_origins", _("Allowed web origins"), FIELD_ENTRY, NULL, NULL);
  add_field (self, group, "rtmp_publish_key", _("RTMP publish key"), FIELD_SECRET, NULL, NULL);
  add_field (self, group, "rtmp_publish_keys", _("Per-stream publish keys"), FIELD_SECRET, NULL, NULL);
  group = add_group (page, _("Certificate"), NULL);
  add_field (self, group, "tls_certificate_file", _("Certificate file (PEM)"), FIELD_ENTRY, NULL, NULL);
  add_field (self, group, "tls_key_file", _("Private key file (PEM)"), FIELD_ENTRY, NULL, NULL);

  page = add_page (self, _("Recordings"), "media-record-symbolic");
  group = add_group (page, _("Recordings"), NULL);
  add_field (self, group, "record_dir", _("Folder"), FIELD_ENTRY, NULL, NULL);
  add_field (self, group, "record_formats", _("Formats"), FIELD_CHOICE, formats, NULL);
  add_field (self, group, "stream_record_policy_template", _("File name template"), FIELD_ENTRY,
             NULL, NULL);
  add_field (self, group, "record_rotation", _("New file every (seconds, or megabytes as 100M)"),
             FIELD_ENTRY, NULL, NULL);
  add_field (self, group, "record_max_total_size", _("Keep at most, MB (0: all)"), FIELD_NUMBER,
             NULL, NULL);
  add_field (self, group, "record_max_age_days", _("Keep for, days (0: always)"), FIELD_NUMBER,
             NULL, NULL);
}

static void
cb_preferences_window_dispose (GObject *object)
{
  CbPreferencesWindow *self = CB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->studio);
  G_OBJECT_CLASS (cb_preferences_window_parent_class)->dispose (object);
}

static void
cb_preferences_window_finalize (GObject *object)
{
  CbPreferencesWindow *self = CB_PREFERENCES_WINDOW (object);

  g_hash_table_unref (self->fields);
  G_OBJECT_CLASS (cb_preferences_window_parent_class)->finalize (object);
}

static void
cb_preferences_window_class_init (CbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_preferences_window_dispose;
  object_class->finalize = cb_preferences_window_finalize;
}

static void
cb_preferences_window_init (CbPreferencesWindow *self)
{
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, field_free);
}

GtkWidget *
cb_preferences_window_new (CbStudio  *studio,
                           GtkWindow *parent)
{
  CbPreferencesWindow *self;

  g_return_val_if_fail (CB_IS_STUDIO (studio), NULL);

  self = g_object_new (CB_TYPE_PREFERENCES_WINDOW,
                       "title", _("Preferences"),
                       "transient-for", parent,
                       "default-width", 640,
                       "default-height", 640,
                       "search-enabled", TRUE,
                       NULL);
  self->studio = g_object_ref (studio);
  self->filling = TRUE;
  build (self);
  self->filling = FALSE;
  return GTK_WIDGET (self);
}

GtkWidget *
cb_preferences_window_get_field (CbPreferencesWindow *self,
                                 const char          *key)
{
  Field *f;

  g_return_val_if_fail (CB_IS_PREFERENCES_WINDOW (self), NULL);

  f = g_hash_table_lookup (self->fields, key);
  return f != NULL ? f->widget : NULL;
}

const char *
cb_preferences_window_get_message (CbPreferencesWindow *self,
                                   const char          *key)
{
  Field *f;

  g_return_val_if_fail (CB_IS_PREFERENCES_WINDOW (self), NULL);

  f = g_hash_table_lookup (self->fields, key);
  return f != NULL ? f->message : NULL;
}
