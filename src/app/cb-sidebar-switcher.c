/* cb-sidebar-switcher.c — the sidebar's page buttons: every page's icon, the open page's
 * name beside its icon
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AdwViewSwitcher gives each page the same width: six pages in a sidebar of 330 pixels
 * cut every name ("Destina…", "Recordi…"). Here the open page says its name whole and the
 * others are icons with their names as tooltips (and as their accessible labels).
 */
#include "config.h"

#include "cb-sidebar-switcher.h"

struct _CbSidebarSwitcher
{
  GtkBox        parent_instance;

  AdwViewStack *stack;
  GListModel   *pages;
  GPtrArray    *watched;   /* AdwViewStackPage*: their title, icon and visibility */
  gboolean      syncing;
};

G_DEFINE_FINAL_TYPE (CbSidebarSwitcher, cb_sidebar_switcher, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_STACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Each button's page name is its "cb-page" data; its label is its child box's last child. */
static void
sync_active (CbSidebarSwitcher *self)
{
  const char *visible = self->stack != NULL ? adw_view_stack_get_visible_child_name (self->stack) : NULL;

  self->syncing = TRUE;
  for (GtkWidget *b = gtk_widget_get_first_child (GTK_WIDGET (self)); b != NULL; b = gtk_widget_get_next_sibling (b))
    {
      gboolean active = g_strcmp0 (g_object_get_data (G_OBJECT (b), "cb-page"), visible) == 0;
      GtkWidget *label = gtk_widget_get_last_child (gtk_button_get_child (GTK_BUTTON (b)));

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (b), active);
      gtk_widget_set_visible (label, active);
    }
  self->syncing = FALSE;
}

static void
on_toggled (GtkToggleButton   *button,
            CbSidebarSwitcher *self)
{
  if (self->syncing || self->stack == NULL)
    return;
  if (gtk_toggle_button_get_active (button))
    adw_view_stack_set_visible_child_name (self->stack, g_object_get_data (G_OBJECT (button), "cb-page"));
  else
    sync_active (self);   /* the open page's button stays pressed */
}

static void rebuild (CbSidebarSwitcher *self);

/* A page's icon is often set after it is added. */
static void
on_page_notify (AdwViewStackPage  *page,
                GParamSpec        *pspec,
                CbSidebarSwitcher *self)
{
  if (g_str_equal (pspec->name, "title") || g_str_equal (pspec->name, "icon-name") ||
      g_str_equal (pspec->name, "visible"))
    rebuild (self);
}

static void
unwatch (CbSidebarSwitcher *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), on_page_notify, self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
rebuild (CbSidebarSwitcher *self)
{
  GtkWidget *child;
  guint n;

  unwatch (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_box_remove (GTK_BOX (self), child);
  if (self->pages == NULL)
    return;
  n = g_list_model_get_n_items (self->pages);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (self->pages, i);
      GtkWidget *button, *box, *label;

      g_signal_connect (page, "notify", G_CALLBACK (on_page_notify), self);
      g_ptr_array_add (self->watched, g_object_ref (page));

      if (!adw_view_stack_page_get_visible (page))
        continue;
      button = gtk_toggle_button_new ();
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      label = gtk_label_new (adw_view_stack_page_get_title (page));
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (adw_view_stack_page_get_icon_name (page)));
      gtk_box_append (GTK_BOX (box), label);
      gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_hexpand (button, TRUE);
      gtk_widget_set_tooltip_text (button, adw_view_stack_page_get_title (page));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      adw_view_stack_page_get_title (page), -1);
      g_object_set_data_full (G_OBJECT (button), "cb-page", g_strdup (adw_view_stack_page_get_name (page)),
                              g_free);
      g_signal_connect (button, "toggled", G_CALLBACK (on_toggled), self);
      gtk_box_append (GTK_BOX (self), button);
    }
  sync_active (self);
}

static void
on_pages_changed (GListModel        *pages,
                  guint              position,
                  guint              removed,
                  guint              added,
                  CbSidebarSwitcher *self)
{
  rebuild (self);
}

static void
on_visible_child (AdwViewStack      *stack,
                  GParamSpec        *pspec,
                  CbSidebarSwitcher *self)
{
  sync_active (self);
}

static void
set_stack (CbSidebarSwitcher *self,
           AdwViewStack      *stack)
{
  if (self->stack == stack)
    return;
  if (self->stack != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stack, self);
      g_signal_handlers_disconnect_by_data (self->pages, self);
      g_clear_object (&self->pages);
      g_clear_object (&self->stack);
    }
  if (stack != NULL)
    {
      self->stack = g_object_ref (stack);
      self->pages = G_LIST_MODEL (adw_view_stack_get_pages (stack));
      g_signal_connect (self->pages, "items-changed", G_CALLBACK (on_pages_changed), self);
      g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (on_visible_child), self);
    }
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STACK]);
}

static void
cb_sidebar_switcher_dispose (GObject *object)
{
  CbSidebarSwitcher *self = CB_SIDEBAR_SWITCHER (object);

  set_stack (self, NULL);
  unwatch (self);
  G_OBJECT_CLASS (cb_sidebar_switcher_parent_class)->dispose (object);
}

static void
cb_sidebar_switcher_finalize (GObject *object)
{
  g_ptr_array_unref (CB_SIDEBAR_SWITCHER (object)->watched);
  G_OBJECT_CLASS (cb_sidebar_switcher_parent_class)->finalize (object);
}

static void
cb_sidebar_switcher_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CbSidebarSwitcher *self = CB_SIDEBAR_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_STACK:
      g_value_set_object (value, self->stack);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_sidebar_switcher_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CbSidebarSwitcher *self = CB_SIDEBAR_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_STACK:
      set_stack (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cb_sidebar_switcher_class_init (CbSidebarSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cb_sidebar_switcher_dispose;
  object_class->finalize = cb_sidebar_switcher_finalize;
  object_class->get_property = cb_sidebar_switcher_get_property;
  object_class->set_property = cb_sidebar_switcher_set_property;
  properties[PROP_STACK] =
    g_param_spec_object ("stack", NULL, NULL, ADW_TYPE_VIEW_STACK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cb_sidebar_switcher_init (CbSidebarSwitcher *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_box_set_spacing (GTK_BOX (self), 2);
}

GtkWidget *
cb_sidebar_switcher_new (void)
{
  return g_object_new (CB_TYPE_SIDEBAR_SWITCHER, NULL);
}
