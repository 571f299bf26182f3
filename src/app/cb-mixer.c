/* cb-mixer.c — a strip per audio source: meter, fader, mute, monitor
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The meters follow the program's "level" signal (about 20 a second per source, on
 * this thread); the controls change the program's sources and are saved with the scenes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cb-app-audio.h"
#include "cb-error-text.h"
#include "cb-mixer.h"
#include "cb-picker.h"
#include "cb-scenes-panel.h"

typedef struct {
  GtkWidget *meter;
  GtkWidget *mute;
  GtkWidget *monitor;
  GtkWidget *fader;
  GtkWidget *problem;
} Strip;

struct _CbMixer
{
  GtkBox         parent_instance;

  CbSceneEditor *editor;
  CbProgram     *watched;
  gulong         level_handler;
  gulong         problem_handler;
  gulong         program_handler;
  gulong         changed_handler;
  GtkListBox    *list;
  GHashTable    *strips;   /* id → Strip (0: the program) */
  gboolean       filling;
  guint          refill_id;
  GCancellable  *cancellable;   /* what the mixer waits for (an application list) */
};

G_DEFINE_FINAL_TYPE (CbMixer, cb_mixer, GTK_TYPE_BOX)

static CbProgram *
program_of (CbMixer *self)
{
  return cb_scene_editor_get_program (self->editor);
}

static void
change_source (CbMixer *self,
               GObject *control,
               void   (*edit) (CbSceneSource *s, GObject *control))
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (control, "cb-id"));
  CbSceneSource *s;
  g_autoptr(CbSceneSource) changed = NULL;

  if (self->filling)
    return;
  s = cb_scene_collection_find_source ((CbSceneCollection *) cb_program_get_collection (program_of (self)), id);
  if (s == NULL)
    return;
  changed = cb_scene_source_copy (s);
  edit (changed, control);
  cb_program_update_source (program_of (self), changed);
  cb_scene_editor_touched (self->editor);
}

static void
edit_mute (CbSceneSource *s, GObject *control)
{
  s->muted = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (control));
}

static void
edit_monitor (CbSceneSource *s, GObject *control)
{
  s->monitor = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (control));
}

/* The fader is in dB, as a streamer reads levels: a linear one put -20 dB at a twentieth of
 * its travel. Its bottom is silence; its top the engine's most, twice the level (+6 dB).
 * The scenes keep the gain. */
#define FADER_FLOOR_DB -60.0
#define FADER_TOP_DB   6.0206   /* 20 log10 2 */

static double
fader_db (double volume)
{
  return volume > 0 ? CLAMP (20 * log10 (volume), FADER_FLOOR_DB, FADER_TOP_DB) : FADER_FLOOR_DB;
}

static double
fader_volume (double db)
{
  return db > FADER_FLOOR_DB ? MIN (2.0, pow (10, db / 20)) : 0;
}

static void
edit_volume (CbSceneSource *s, GObject *control)
{
  s->volume = fader_volume (gtk_range_get_value (GTK_RANGE (control)));
}

static void
show_fader (GtkRange *fader)
{
  double db = gtk_range_get_value (fader);
  g_autofree char *text = db > FADER_FLOOR_DB
                          /* TRANSLATORS: a fader's tooltip; %+.1f is its gain in dB */
                          ? g_strdup_printf (_("Volume: %+.1f dB"), db)
                          : g_strdup (_("Volume: off"));

  gtk_widget_set_tooltip_text (GTK_WIDGET (fader), text);
}

static void
show_muted (GtkToggleButton *button)
{
  gtk_button_set_icon_name (GTK_BUTTON (button),
                            gtk_toggle_button_get_active (button) ? "audio-volume-muted-symbolic"
                                                                  : "audio-volume-high-symbolic");
}

static void
on_mute_toggled (GtkToggleButton *button, gpointer data)
{
  show_muted (button);
  change_source (data, G_OBJECT (button), edit_mute);
}

static void
on_monitor_toggled (GtkToggleButton *button, gpointer data)
{
  change_source (data, G_OBJECT (button), edit_monitor);
}

static void
on_fader_changed (GtkRange *range, gpointer data)
{
  show_fader (range);
  change_source (data, G_OBJECT (range), edit_volume);
}

static void
on_remove (GtkButton *button, gpointer data)
{
  CbMixer *self = data;

  cb_program_remove_source (program_of (self),
                            GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cb-id")));
  cb_scene_editor_changed (self->editor);
}

static GtkWidget *
make_strip (CbMixer             *self,
            const CbSceneSource *s,
            Strip               *strip)
{
  guint id = s != NULL ? s->id : 0;
  const GError *error = s != NULL ? cb_program_get_problem_error (program_of (self), id) : NULL;
  g_autofree char *problem = error != NULL ? cb_error_text (error, cb_error_about_source (s->kind), s->location)
                                           : NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *title = gtk_label_new (s != NULL ? s->name : _("Program"));

  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_set_margin_start (grid, 8);
  gtk_widget_set_margin_end (grid, 8);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (title, s != NULL ? s->name : NULL);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_grid_attach (GTK_GRID (grid), title, 0, 0, 1, 1);

  strip->meter = cb_level_meter_new ();
  gtk_widget_set_hexpand (strip->meter, TRUE);
  gtk_grid_attach (GTK_GRID (grid), strip->meter, 0, 1, 4, 1);

  if (s != NULL)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      strip->mute = gtk_toggle_button_new ();
      gtk_widget_set_tooltip_text (strip->mute, _("Mute"));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (strip->mute), s->muted);
      show_muted (GTK_TOGGLE_BUTTON (strip->mute));
      strip->monitor = gtk_toggle_button_new ();
      gtk_button_set_icon_name (GTK_BUTTON (strip->monitor), "audio-headphones-symbolic");
      gtk_widget_set_tooltip_text (strip->monitor, _("Hear it in the headphones"));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (strip->monitor), s->monitor);
      gtk_widget_set_tooltip_text (remove, _("Remove source"));
      for (GtkWidget **w = (GtkWidget *[]) { strip->mute, strip->monitor, remove, NULL }; *w; w++)
        {
          gtk_widget_add_css_class (*w, "flat");
          g_object_set_data (G_OBJECT (*w), "cb-id", GUINT_TO_POINTER (id));
        }
      gtk_grid_attach (GTK_GRID (grid), strip->mute, 1, 0, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), strip->monitor, 2, 0, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), remove, 3, 0, 1, 1);
      g_signal_connect (strip->mute, "toggled", G_CALLBACK (on_mute_toggled), self);
      g_signal_connect (strip->monitor, "toggled", G_CALLBACK (on_monitor_toggled), self);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove), self);

      strip->fader = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, FADER_FLOOR_DB,
                                               FADER_TOP_DB, 0.5);
      gtk_range_set_value (GTK_RANGE (strip->fader), fader_db (s->volume));
      gtk_scale_add_mark (GTK_SCALE (strip->fader), 0, GTK_POS_BOTTOM, NULL);
      show_fader (GTK_RANGE (strip->fader));
      g_object_set_data (G_OBJECT (strip->fader), "cb-id", GUINT_TO_POINTER (id));
      g_signal_connect (strip->fader, "value-changed", G_CALLBACK (on_fader_changed), self);
      gtk_grid_attach (GTK_GRID (grid), strip->fader, 0, 2, 4, 1);
      if (problem != NULL)
        {
          GtkWidget *label = strip->problem = gtk_label_new (problem);

          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "warning");
          gtk_widget_add_css_class (label, "caption");
          gtk_grid_attach (GTK_GRID (grid), label, 0, 3, 4, 1);
        }
    }
  else
    gtk_widget_add_css_class (title, "heading");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static void
fill (CbMixer *self)
{
  const CbSceneCollection *c = cb_program_get_collection (program_of (self));
  GtkWidget *child;
  Strip *strip;

  self->filling = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_hash_table_remove_all (self->strips);
  for (guint i = 0; i < c->audio->len; i++)
    {
      CbSceneSource *s = g_ptr_array_index (c->audio, i);

      strip = g_new0 (Strip, 1);
      gtk_list_box_append (self->list, make_strip (self, s, strip));
      g_hash_table_insert (self->strips, GUINT_TO_POINTER (s->id), strip);
    }
  /* The sound of the media files of the scene on program (the other scenes are idle). */
  {
    CbScene *scene = g_ptr_array_index (c->scenes, c->active);

    for (guint i = 0; i < scene->sources->len; i++)
      {
        CbSceneSource *s = g_ptr_array_index (scene->sources, i);

        if (s->kind != CB_SCENE_SOURCE_MEDIA)
          continue;
        strip = g_new0 (Strip, 1);
        gtk_list_box_append (self->list, make_strip (self, s, strip));
        g_hash_table_insert (self->strips, GUINT_TO_POINTER (s->id), strip);
      }
  }
  strip = g_new0 (Strip, 1);
  gtk_list_box_append (self->list, make_strip (self, NULL, strip));
  g_hash_table_insert (self->strips, GUINT_TO_POINTER (0), strip);
  self->filling = FALSE;
}

static void
on_level (CbProgram *program,
          guint      id,
          double     peak,
          double     rms,
          gpointer   data)
{
  CbMixer *self = data;
  Strip *strip = g_hash_table_lookup (self->strips, GUINT_TO_POINTER (id));

  if (strip != NULL)
    cb_level_meter_set_levels (CB_LEVEL_METER (strip->meter), peak, rms);
}

static gboolean
refill_when_idle (gpointer data)
{
  CbMixer *self = data;

  self->refill_id = 0;
  fill (self);
  return G_SOURCE_REMOVE;
}

/* Not right away: the problem may come from a strip's own control (the headphones toggle
 * with no output device), which would be destroyed inside its own signal. */
static void
on_problem_changed (CbProgram *program,
                    guint      id,
                    gpointer   data)
{
  CbMixer *self = data;

  if (g_hash_table_contains (self->strips, GUINT_TO_POINTER (id)) && self->refill_id == 0)
    self->refill_id = g_idle_add (refill_when_idle, self);
}

static void
unwatch (CbMixer *self)
{
  if (self->watched != NULL)
    {
      g_clear_signal_handler (&self->level_handler, self->watched);
      g_clear_signal_handler (&self->problem_handler, self->watched);
    }
  g_clear_object (&self->watched);
}

static void
watch_program (CbMixer *self)
{
  unwatch (self);
  self->watched = g_object_ref (program_of (self));
  self->level_handler = g_signal_connect (self->watched, "level", G_CALLBACK (on_level), self);
  self->problem_handler = g_signal_connect (self->watched, "problem-changed",
                                            G_CALLBACK (on_problem_changed), self);
  fill (self);
}

/* Named after its kind, or for an application's sound after the application, which is
 * also what finds it again (its location). */
static guint
add_source (CbMixer          *self,
            CbSceneSourceKind kind,
            const char       *location)
{
  CbSceneSource *s;

  s = cb_program_new_source (program_of (self), kind,
                             kind == CB_SCENE_SOURCE_APP_AUDIO ? location
                                                               : cb_scene_source_kind_label (kind),
                             location);
  cb_program_add_source (program_of (self), 0, s);
  cb_scene_editor_changed (self->editor);
  return s->id;
}

guint
cb_mixer_add_source (CbMixer          *self,
                     CbSceneSourceKind kind)
{
  g_return_val_if_fail (CB_IS_MIXER (self), 0);
  g_return_val_if_fail (cb_scene_source_kind_is_audio (kind), 0);
  g_return_val_if_fail (kind != CB_SCENE_SOURCE_APP_AUDIO, 0);

  return add_source (self, kind, "");
}

guint
cb_mixer_add_app_audio (CbMixer    *self,
                        const char *name)
{
  g_return_val_if_fail (CB_IS_MIXER (self), 0);
  g_return_val_if_fail (name != NULL && *name != '\0', 0);

  return add_source (self, CB_SCENE_SOURCE_APP_AUDIO, name);
}

typedef struct {
  CbMixer *mixer;
  GStrv    names;
} AppPick;

static void
app_pick_free (gpointer data)
{
  AppPick *pick = data;

  g_strfreev (pick->names);
  g_free (pick);
}

static void
on_app_picked (guint    index,
               gpointer data)
{
  AppPick *pick = data;

  if (index < g_strv_length (pick->names))
    cb_mixer_add_app_audio (pick->mixer, pick->names[index]);
}

static void
on_apps_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  CbMixer *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) apps = cb_app_audio_list_finish (result, &error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) playing = g_strv_builder_new ();
  g_auto(GStrv) subtitles = NULL;
  g_autofree char *why = NULL;
  GtkNative *native;
  GtkWidget *dialog;
  AppPick *pick;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->editor == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The mixer is gone");
      return;
    }
  for (guint i = 0; apps != NULL && i < apps->len; i++)
    {
      const CbAppAudio *app = g_ptr_array_index (apps, i);

      g_strv_builder_add (names, app->name);
      g_strv_builder_add (playing, app->media_name);
    }
  pick = g_new0 (AppPick, 1);
  pick->mixer = self;
  pick->names = g_strv_builder_end (names);
  subtitles = g_strv_builder_end (playing);
  why = error != NULL ? cb_error_text (error, CB_ERROR_ABOUT_APP_AUDIO, NULL)
                      : g_strdup (_("Start playing sound in the application, then open this list again"));
  native = gtk_widget_get_native (GTK_WIDGET (self));
  dialog = cb_picker_new (GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                          _("Choose an Application"), "audio-speakers-symbolic",
                          (const char * const *) pick->names, (const char * const *) subtitles,
                          _("No Application Plays Sound"), why, on_app_picked, pick);
  g_object_set_data_full (G_OBJECT (dialog), "cb-app-pick", pick, app_pick_free);
  gtk_window_present (GTK_WINDOW (dialog));
  g_task_return_pointer (task, g_object_ref (dialog), g_object_unref);
}

void
cb_mixer_pick_app_audio (CbMixer             *self,
                         GAsyncReadyCallback  callback,
                         gpointer             data)
{
  GTask *task;

  g_return_if_fail (CB_IS_MIXER (self));

  task = g_task_new (self, self->cancellable, callback, data);
  g_task_set_source_tag (task, cb_mixer_pick_app_audio);
  /* pw-dump takes tens of milliseconds: the window goes on meanwhile. */
  cb_app_audio_list_async (self->cancellable, on_apps_listed, task);
}

GtkWidget *
cb_mixer_pick_app_audio_finish (CbMixer       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_add_kind (GtkButton *button,
             gpointer   data)
{
  CbSceneSourceKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cb-kind"));

  if (kind == CB_SCENE_SOURCE_APP_AUDIO)
    cb_mixer_pick_app_audio (data, NULL, NULL);
  else
    cb_mixer_add_source (data, kind);
}

static void
cb_mixer_dispose (GObject *object)
{
  CbMixer *self = CB_MIXER (object);

  unwatch (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refill_id, g_source_remove);
  if (self->editor != NULL)
    {
      g_clear_signal_handler (&self->program_handler, self->editor);
      g_clear_signal_handler (&self->changed_handler, self->editor);
    }
  g_clear_object (&self->editor);
  g_clear_pointer (&self->strips, g_hash_table_unref);
  G_OBJECT_CLASS (cb_mixer_parent_class)->dispose (object);
}

static void
cb_mixer_class_init (CbMixerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cb_mixer_dispose;
}

static void
cb_mixer_init (CbMixer *self)
{
  self->strips = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
cb_mixer_new (CbSceneEditor *editor)
{
  static const CbSceneSourceKind kinds[] = {
    CB_SCENE_SOURCE_MIC, CB_SCENE_SOURCE_DESKTOP, CB_SCENE_SOURCE_APP_AUDIO,
    CB_SCENE_SOURCE_TONE,
  };
  CbMixer *self;
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Audio Mixer"));
  GtkWidget *add;
  GtkWidget *scroller = gtk_scrolled_window_new ();

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (editor), NULL);

  self = g_object_new (CB_TYPE_MIXER, "orientation", GTK_ORIENTATION_VERTICAL, "spacing", 12, NULL);
  self->editor = g_object_ref (editor);
  add = cb_kind_menu_button_new (_("Add Audio Source"), kinds, G_N_ELEMENTS (kinds),
                                 G_CALLBACK (on_add_kind), self);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), add);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_widget_set_margin_top (header, 12);
  gtk_box_append (GTK_BOX (self), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_margin_start (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self), scroller);

  self->program_handler = g_signal_connect_swapped (editor, "program-changed",
                                                    G_CALLBACK (watch_program), self);
  self->changed_handler = g_signal_connect_swapped (editor, "changed", G_CALLBACK (fill), self);
  watch_program (self);
  return GTK_WIDGET (self);
}

static Strip *
strip_of (CbMixer *self,
          guint    id)
{
  return g_hash_table_lookup (self->strips, GUINT_TO_POINTER (id));
}

CbLevelMeter *
cb_mixer_get_meter (CbMixer *self,
                    guint    id)
{
  Strip *strip = strip_of (self, id);
  return strip != NULL ? CB_LEVEL_METER (strip->meter) : NULL;
}

GtkToggleButton *
cb_mixer_get_mute_button (CbMixer *self,
                          guint    id)
{
  Strip *strip = strip_of (self, id);
  return strip != NULL && strip->mute != NULL ? GTK_TOGGLE_BUTTON (strip->mute) : NULL;
}

GtkToggleButton *
cb_mixer_get_monitor_button (CbMixer *self,
                             guint    id)
{
  Strip *strip = strip_of (self, id);
  return strip != NULL && strip->monitor != NULL ? GTK_TOGGLE_BUTTON (strip->monitor) : NULL;
}

const char *
cb_mixer_get_problem_text (CbMixer *self,
                           guint    id)
{
  Strip *strip = strip_of (self, id);
  return strip != NULL && strip->problem != NULL ? gtk_label_get_label (GTK_LABEL (strip->problem))
                                                 : NULL;
}

gboolean
cb_mixer_get_mics_muted (CbMixer *self)
{
  const CbSceneCollection *c;
  guint mics = 0;

  g_return_val_if_fail (CB_IS_MIXER (self), FALSE);

  c = cb_program_get_collection (program_of (self));
  for (guint i = 0; i < c->audio->len; i++)
    {
      const CbSceneSource *s = g_ptr_array_index (c->audio, i);

      if (s->kind != CB_SCENE_SOURCE_MIC)
        continue;
      if (!s->muted)
        return FALSE;
      mics++;
    }
  return mics > 0;
}

guint
cb_mixer_set_mics_muted (CbMixer  *self,
                         gboolean  muted)
{
  const CbSceneCollection *c;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) cb_scene_source_free);
  guint mics = 0;

  g_return_val_if_fail (CB_IS_MIXER (self), 0);

  c = cb_program_get_collection (program_of (self));
  for (guint i = 0; i < c->audio->len; i++)
    {
      const CbSceneSource *s = g_ptr_array_index (c->audio, i);

      if (s->kind != CB_SCENE_SOURCE_MIC)
        continue;
      mics++;
      if (!s->muted != !muted)
        {
          CbSceneSource *copy = cb_scene_source_copy (s);

          copy->muted = muted;
          g_ptr_array_add (changed, copy);
        }
    }
  if (changed->len == 0)
    return mics;

  /* The program first (the collection's sources are replaced), then the strips show it
   * without changing it again. */
  for (guint i = 0; i < changed->len; i++)
    cb_program_update_source (program_of (self), g_ptr_array_index (changed, i));
  self->filling = TRUE;
  for (guint i = 0; i < changed->len; i++)
    {
      Strip *strip = strip_of (self, ((CbSceneSource *) g_ptr_array_index (changed, i))->id);

      if (strip != NULL && strip->mute != NULL)
        {
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (strip->mute), muted);
          show_muted (GTK_TOGGLE_BUTTON (strip->mute));
        }
    }
  self->filling = FALSE;
  cb_scene_editor_touched (self->editor);
  return mics;
}

GtkRange *
cb_mixer_get_fader (CbMixer *self,
                    guint    id)
{
  Strip *strip = strip_of (self, id);
  return strip != NULL && strip->fader != NULL ? GTK_RANGE (strip->fader) : NULL;
}

/* ---- the header bar's meter -------------------------------------------------- */

typedef struct {
  CbSceneEditor *editor;
  CbProgram     *program;
  gulong         level_handler;
  gulong         program_handler;
  GtkWidget     *meter;   /* weak: owns this */
} ProgramMeter;

static void
program_meter_on_level (CbProgram *program,
                        guint      id,
                        double     peak,
                        double     rms,
                        gpointer   data)
{
  ProgramMeter *pm = data;

  if (id == 0)
    cb_level_meter_set_levels (CB_LEVEL_METER (pm->meter), peak, rms);
}

static void
program_meter_follow (ProgramMeter *pm)
{
  if (pm->program != NULL)
    g_clear_signal_handler (&pm->level_handler, pm->program);
  g_set_object (&pm->program, cb_scene_editor_get_program (pm->editor));
  if (pm->program != NULL)
    pm->level_handler = g_signal_connect (pm->program, "level",
                                          G_CALLBACK (program_meter_on_level), pm);
}

static void
program_meter_free (gpointer data)
{
  ProgramMeter *pm = data;

  if (pm->program != NULL)
    g_clear_signal_handler (&pm->level_handler, pm->program);
  g_clear_signal_handler (&pm->program_handler, pm->editor);
  g_clear_object (&pm->program);
  g_clear_object (&pm->editor);
  g_free (pm);
}

GtkWidget *
cb_mixer_new_program_meter (CbSceneEditor *editor)
{
  ProgramMeter *pm = g_new0 (ProgramMeter, 1);

  g_return_val_if_fail (CB_IS_SCENE_EDITOR (editor), NULL);

  pm->editor = g_object_ref (editor);
  pm->meter = cb_level_meter_new ();
  gtk_widget_set_size_request (pm->meter, 80, 10);
  gtk_widget_set_tooltip_text (pm->meter, _("Program audio"));
  pm->program_handler = g_signal_connect_swapped (editor, "program-changed",
                                                  G_CALLBACK (program_meter_follow), pm);
  program_meter_follow (pm);
  g_object_set_data_full (G_OBJECT (pm->meter), "cb-program-meter", pm, program_meter_free);
  return pm->meter;
}
