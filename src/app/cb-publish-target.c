/* cb-publish-target.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Publish to" next to Go Live. The relay itself lives in the engine (cb-relay.h); this
 * widget asks for it, polls its state once a second and ends it, all through
 * cb_engine_invoke(). Answers come back to the GTK context on an idle source; a
 * generation counter drops answers that belong to a relay already stopped.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cb-publish-target.h"
#include "cb-redact.h"
#include "cb-relay.h"

struct _CbPublishTarget
{
  GtkBox          parent_instance;

  CbEngine       *engine;
  char           *default_name;

  /* The relay Go Live started, or NULL. */
  char           *relay_uri;
  char           *relay_local;
  char           *relay_remote;
  char           *status;
  guint           generation;
  guint           poll_id;

  GtkMenuButton  *menu_button;
  GtkLabel       *menu_label;
  GtkCheckButton *local_check;
  GtkCheckButton *remote_check;
  GtkEntry       *uri_entry;
  GtkEntry       *name_entry;
  GtkLabel       *status_label;
};

G_DEFINE_FINAL_TYPE (CbPublishTarget, cb_publish_target, GTK_TYPE_BOX)

enum {
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum {
  OP_PUSH,
  OP_POLL,
  OP_TERMINATE,
} OpKind;

typedef struct
{
  GWeakRef      target;
  CbEngine     *engine;
  GMainContext *ui_context;
  OpKind        kind;
  guint         generation;
  char         *uri;
  char         *local;
  char         *remote;
  gboolean      found;
  char         *status;
  char         *info;
  GError       *error;
} RelayOp;

static void
relay_op_free (gpointer data)
{
  RelayOp *op = data;

  g_weak_ref_clear (&op->target);
  g_clear_object (&op->engine);
  g_clear_pointer (&op->ui_context, g_main_context_unref);
  g_free (op->uri);
  g_free (op->local);
  g_free (op->remote);
  g_free (op->status);
  g_free (op->info);
  g_clear_error (&op->error);
  g_free (op);
}

static char *
describe_relay_error (const GError *error)
{
  if (error->domain == CB_ENGINE_ERROR)
    {
      switch ((CbEngineError) error->code)
        {
        case CB_ENGINE_ERROR_INVALID:
          return g_strdup (_("This is not a ws://, wss:// or WHIP address"));
        case CB_ENGINE_ERROR_EXISTS:
          return g_strdup (_("The stream is already relayed there under this name"));
        case CB_ENGINE_ERROR_NOT_FOUND:
          return g_strdup (_("The stream is gone"));
        default:
          break;
        }
    }
  return g_strdup_printf (_("Relaying to the other server failed: %s"), error->message);
}

static void
show_status (CbPublishTarget *self,
             const char      *status,
             const char      *info)
{
  GtkWidget *label = GTK_WIDGET (self->status_label);
  g_autofree char *text = NULL;
  const char *state;

  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (status);
    }

  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "dim-label");

  if (status == NULL)
    {
      gtk_widget_set_visible (label, FALSE);
      return;
    }

  if (g_strcmp0 (status, "PUBLISHING") == 0)
    {
      state = C_("relay state", "Relaying");
      gtk_widget_add_css_class (label, "success");
    }
  else if (g_strcmp0 (status, "FAILED") == 0)
    {
      state = C_("relay state", "Relay failed");
      gtk_widget_add_css_class (label, "error");
    }
  else if (g_strcmp0 (status, "PENDING") == 0)
    {
      state = C_("relay state", "Connecting…");
      gtk_widget_add_css_class (label, "dim-label");
    }
  else
    {
      state = C_("relay state", "Relay stopped");
      gtk_widget_add_css_class (label, "dim-label");
    }

  /* The header bar has room for the state only; the engine's info (English, as in its
   * logs and REST answers) goes to the tooltip. */
  if (info != NULL && *info != '\0')
    text = g_strdup_printf ("%s: %s", state, info);
  else
    text = g_strdup (state);
  gtk_label_set_label (self->status_label, state);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_set_visible (label, TRUE);
}

static gboolean
relay_op_done (gpointer data)
{
  RelayOp *op = data;
  g_autoptr(CbPublishTarget) self = g_weak_ref_get (&op->target);

  if (self == NULL || op->kind == OP_TERMINATE || op->generation != self->generation)
    return G_SOURCE_REMOVE;

  if (op->error != NULL)
    {
      g_autofree char *message = describe_relay_error (op->error);
      g_autofree char *shown = cb_redact_url (op->uri, CB_REDACT_DEFAULT);

      g_debug ("Relay of “%s” to %s failed: %s", op->local, shown, op->error->message);
      show_status (self, "FAILED", NULL);
      g_signal_emit (self, signals[FAILED], 0, message);
      return G_SOURCE_REMOVE;
    }

  if (op->found)
    {
      gboolean newly_failed = g_strcmp0 (op->status, "FAILED") == 0 &&
                              g_strcmp0 (self->status, "FAILED") != 0;

      show_status (self, op->status, op->info);
      if (newly_failed)
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf (_("Relaying to the other server failed: %s"),
                                     op->info != NULL ? op->info : "");
          g_signal_emit (self, signals[FAILED], 0, message);
        }
    }
  return G_SOURCE_REMOVE;
}

static void
relay_op_copy (RelayOp           *op,
               const CbRelayInfo *info)
{
  op->found = TRUE;
  op->status = g_strdup (info->status);
  op->info = g_strdup (info->info);
}

/* On the engine's context. */
static gboolean
relay_op_run (gpointer data)
{
  RelayOp *op = data;
  GSource *source;

  switch (op->kind)
    {
    case OP_PUSH:
      {
        g_autoptr(CbRelayInfo) info = cb_engine_relay_push (op->engine, op->uri, op->local,
                                                            op->remote, &op->error);
        if (info != NULL)
          relay_op_copy (op, info);
      }
      break;
    case OP_POLL:
      {
        g_autoptr(GPtrArray) relays = cb_engine_list_relays (op->engine);

        for (guint i = 0; relays != NULL && i < relays->len && !op->found; i++)
          {
            CbRelayInfo *info = g_ptr_array_index (relays, i);

            if (g_strcmp0 (info->local_stream_name, op->local) == 0 &&
                g_strcmp0 (info->remote_stream_name, op->remote) == 0)
              relay_op_copy (op, info);
          }
      }
      break;
    case OP_TERMINATE:
      if (!cb_engine_relay_terminate (op->engine, op->uri, op->local, op->remote, &op->error))
        g_debug ("Ending the relay of “%s”: %s", op->local, op->error->message);
      break;
    default:
      g_assert_not_reached ();
    }

  /* An idle source of the GTK context, which this thread does not own. */
  source = g_idle_source_new ();
  g_source_set_callback (source, relay_op_done, op, relay_op_free);
  g_source_attach (source, op->ui_context);
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

static void
run_relay_op (CbPublishTarget *self,
              OpKind           kind)
{
  RelayOp *op = g_new0 (RelayOp, 1);

  g_weak_ref_init (&op->target, self);
  op->engine = g_object_ref (self->engine);
  op->ui_context = g_main_context_ref_thread_default ();
  op->kind = kind;
  op->generation = self->generation;
  op->uri = g_strdup (self->relay_uri);
  op->local = g_strdup (self->relay_local);
  op->remote = g_strdup (self->relay_remote);
  /* relay_op_run() hands it on to the GTK context, which frees it. */
  cb_engine_invoke (self->engine, relay_op_run, op, NULL);
}

static gboolean
on_poll_timeout (gpointer data)
{
  CbPublishTarget *self = data;

  run_relay_op (self, OP_POLL);
  return G_SOURCE_CONTINUE;
}

static void
update_choice (CbPublishTarget *self)
{
  gboolean remote = gtk_check_button_get_active (self->remote_check);

  gtk_widget_set_sensitive (GTK_WIDGET (self->uri_entry), remote);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_entry), remote);
  gtk_label_set_label (self->menu_label, remote ? _("Another server") : _("This studio"));
}

static void
on_check_toggled (GtkCheckButton  *button,
                  CbPublishTarget *self)
{
  update_choice (self);
}

static void
cb_publish_target_dispose (GObject *object)
{
  CbPublishTarget *self = CB_PUBLISH_TARGET (object);

  if (self->engine != NULL)
    cb_publish_target_stop (self);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (cb_publish_target_parent_class)->dispose (object);
}

static void
cb_publish_target_finalize (GObject *object)
{
  CbPublishTarget *self = CB_PUBLISH_TARGET (object);

  g_free (self->default_name);
  g_free (self->relay_uri);
  g_free (self->relay_local);
  g_free (self->relay_remote);
  g_free (self->status);

  G_OBJECT_CLASS (cb_publish_target_parent_class)->finalize (object);
}

static void
cb_publish_target_class_init (CbPublishTargetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_publish_target_dispose;
  object_class->finalize = cb_publish_target_finalize;

  /* A message for people, translated. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static GtkWidget *
caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  return label;
}

static void
cb_publish_target_init (CbPublishTarget *self)
{
  GtkWidget *button_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_box_set_spacing (GTK_BOX (self), 6);

  /* Compact: an icon and the choice; the details are in the popover. */
  gtk_box_append (GTK_BOX (button_box), gtk_image_new_from_icon_name ("send-to-symbolic"));
  self->menu_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (button_box), GTK_WIDGET (self->menu_label));
  self->menu_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_child (self->menu_button, button_box);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), _("Publish to"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Publish to"), -1);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), caption (_("Publish to")));

  self->local_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_("This studio")));
  gtk_check_button_set_active (self->local_check, TRUE);
  self->remote_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_("Another server")));
  gtk_check_button_set_group (self->remote_check, self->local_check);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->remote_check),
                               _("Also relay the stream to another Castbridge or WCS server, "
                                 "or to a WHIP endpoint"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->local_check));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->remote_check));

  self->uri_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->uri_entry, "wss://example.com:8443");
  gtk_editable_set_width_chars (GTK_EDITABLE (self->uri_entry), 32);
  gtk_entry_set_input_purpose (self->uri_entry, GTK_INPUT_PURPOSE_URL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->uri_entry),
                               _("ws:// or wss:// signaling, or http(s)://…/whip/NAME"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->uri_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Server address"), -1);
  gtk_box_append (GTK_BOX (box), caption (_("Server address")));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->uri_entry));

  self->name_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name on that server"), -1);
  gtk_box_append (GTK_BOX (box), caption (_("Name on that server")));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->name_entry));

  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (self->menu_button, popover);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->menu_button));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->status_label));

  g_signal_connect_object (self->local_check, "toggled", G_CALLBACK (on_check_toggled), self, 0);
  g_signal_connect_object (self->remote_check, "toggled", G_CALLBACK (on_check_toggled), self,
                           0);
  update_choice (self);
}

GtkWidget *
cb_publish_target_new (void)
{
  return g_object_new (CB_TYPE_PUBLISH_TARGET, NULL);
}

void
cb_publish_target_set_engine (CbPublishTarget *self,
                              CbEngine        *engine)
{
  g_return_if_fail (CB_IS_PUBLISH_TARGET (self));
  g_return_if_fail (CB_IS_ENGINE (engine));

  g_set_object (&self->engine, engine);
}

void
cb_publish_target_set_default_name (CbPublishTarget *self,
                                    const char      *name)
{
  g_return_if_fail (CB_IS_PUBLISH_TARGET (self));

  if (g_strcmp0 (self->default_name, name) == 0)
    return;
  g_free (self->default_name);
  self->default_name = g_strdup (name);
  gtk_entry_set_placeholder_text (self->name_entry, name);
}

void
cb_publish_target_set_remote (CbPublishTarget *self,
                              const char      *uri,
                              const char      *remote_name)
{
  g_return_if_fail (CB_IS_PUBLISH_TARGET (self));

  gtk_editable_set_text (GTK_EDITABLE (self->uri_entry), uri != NULL ? uri : "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), remote_name != NULL ? remote_name : "");
  gtk_check_button_set_active (uri != NULL ? self->remote_check : self->local_check, TRUE);
  update_choice (self);
}

const char *
cb_publish_target_get_uri (CbPublishTarget *self)
{
  const char *uri;

  g_return_val_if_fail (CB_IS_PUBLISH_TARGET (self), NULL);

  if (!gtk_check_button_get_active (self->remote_check))
    return NULL;
  uri = gtk_editable_get_text (GTK_EDITABLE (self->uri_entry));
  return *uri != '\0' ? uri : NULL;
}

void
cb_publish_target_start (CbPublishTarget *self,
                         const char      *local_name)
{
  g_autofree char *uri = NULL;
  g_autofree char *remote = NULL;

  g_return_if_fail (CB_IS_PUBLISH_TARGET (self));
  g_return_if_fail (local_name != NULL);
  g_return_if_fail (self->engine != NULL);

  cb_publish_target_stop (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->menu_button), FALSE);

  if (cb_publish_target_get_uri (self) == NULL)
    return;

  uri = g_strstrip (g_strdup (cb_publish_target_get_uri (self)));
  remote = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));
  self->relay_uri = g_steal_pointer (&uri);
  self->relay_local = g_strdup (local_name);
  self->relay_remote = *remote != '\0' ? g_steal_pointer (&remote) : g_strdup (local_name);

  show_status (self, "PENDING", NULL);
  run_relay_op (self, OP_PUSH);
  self->poll_id = g_timeout_add_seconds (1, on_poll_timeout, self);
}

void
cb_publish_target_stop (CbPublishTarget *self)
{
  g_return_if_fail (CB_IS_PUBLISH_TARGET (self));

  /* Answers still on their way are for the relay that ends here. */
  self->generation++;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->relay_uri != NULL && self->engine != NULL)
    run_relay_op (self, OP_TERMINATE);
  g_clear_pointer (&self->relay_uri, g_free);
  g_clear_pointer (&self->relay_local, g_free);
  g_clear_pointer (&self->relay_remote, g_free);
  show_status (self, NULL, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->menu_button), TRUE);
}

const char *
cb_publish_target_get_status (CbPublishTarget *self)
{
  g_return_val_if_fail (CB_IS_PUBLISH_TARGET (self), NULL);
  return self->status;
}

GtkMenuButton *
cb_publish_target_get_menu_button (CbPublishTarget *self)
{
  g_return_val_if_fail (CB_IS_PUBLISH_TARGET (self), NULL);
  return self->menu_button;
}
