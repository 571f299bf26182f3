/* test-ui.c — the .ui resources name only types, properties and signals that exist
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Castbridge targets GTK 4.8 and libadwaita 1.2: a property or widget from a newer
 * release (or a typo) would only show at run time as a warning and a broken window.
 * This reads every template in the compiled resources, list item factories inside them
 * included, and checks each name against the installed libraries. No display needed:
 * nothing is instantiated.
 */
#include "config.h"

#include <adwaita.h>
#include <gmodule.h>

#include "cb-bitrate-graph.h"
#include "cb-destination-row.h"
#include "cb-destinations-panel.h"
#include "cb-player-window.h"
#include "cb-stream-row.h"
#include "cb-streams-panel.h"
#include "cb-window.h"

#define RESOURCE_PATH "/io/castbridge/Castbridge/"

typedef struct
{
  GPtrArray *types;        /* GType per element, 0 where none */
  GPtrArray *elements;     /* element names, for context */
  GString   *text;         /* text of the current <property name="bytes"> or <lookup> */
  char      *lookup_name;  /* the property a <lookup> without type= names */
  GType      lookup_type;
  GType      template_type;
  gboolean   in_bytes;
  guint      in_skipped;   /* inside <accessibility>, <layout>, <menu>: not GObject properties */
  GPtrArray *errors;
  const char *file;
} Check;

static void check_markup (const char *file,
                          const char *markup,
                          GPtrArray  *errors);

/* As GtkBuilder does: GtkColumnViewColumn → gtk_column_view_column_get_type. */
static char *
type_name_mangle (const char *name)
{
  GString *symbol = g_string_new (NULL);

  for (int i = 0; name[i] != '\0'; i++)
    {
      if (g_ascii_isupper (name[i]) &&
          ((i > 0 && !g_ascii_isupper (name[i - 1])) ||
           (i > 2 && g_ascii_isupper (name[i - 1]) && g_ascii_isupper (name[i - 2]) &&
            name[i + 1] != '\0' && !g_ascii_isupper (name[i + 1]))))
        g_string_append_c (symbol, '_');
      g_string_append_c (symbol, g_ascii_tolower (name[i]));
    }
  g_string_append (symbol, "_get_type");
  return g_string_free (symbol, FALSE);
}

static GType
lookup_type (const char *name)
{
  static GModule *self;
  g_autofree char *symbol = NULL;
  GType (*get_type) (void) = NULL;
  GType type = g_type_from_name (name);

  if (type != 0)
    return type;
  if (self == NULL)
    self = g_module_open (NULL, 0);
  symbol = type_name_mangle (name);
  if (g_module_symbol (self, symbol, (gpointer *) &get_type) && get_type != NULL)
    return get_type ();
  return 0;
}

static GType
top_type (Check *check)
{
  for (guint i = check->types->len; i > 0; i--)
    {
      GType type = GPOINTER_TO_SIZE (g_ptr_array_index (check->types, i - 1));

      if (type != 0)
        return type;
    }
  return 0;
}

static void
fail (Check      *check,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Check      *check,
      const char *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (check->errors, g_strdup_printf ("%s: %s", check->file, message));
}

static void
check_property (Check      *check,
                GType       type,
                const char *name,
                const char *what)
{
  g_autofree char *canonical = g_strdelimit (g_strdup (name), "_", '-');
  g_autoptr(GTypeClass) klass = NULL;
  GParamSpec *pspec;

  if (type == 0)
    return;
  if (G_TYPE_IS_INTERFACE (type))
    {
      gpointer iface = g_type_default_interface_ref (type);

      pspec = g_object_interface_find_property (iface, canonical);
      g_type_default_interface_unref (iface);
    }
  else
    {
      klass = g_type_class_ref (type);
      pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), canonical);
    }
  if (pspec == NULL)
    fail (check, "%s has no property “%s” (%s)", g_type_name (type), name, what);
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              data,
                  GError              **error)
{
  Check *check = data;
  GType pushed = 0;

  if (g_str_equal (element, "accessibility") || g_str_equal (element, "layout") ||
      g_str_equal (element, "menu") || g_str_equal (element, "style"))
    check->in_skipped++;

  if (g_str_equal (element, "object") || g_str_equal (element, "template"))
    {
      const char *class_name = attribute (names, values, "class");
      const char *parent = attribute (names, values, "parent");

      if (check->in_skipped > 0)
        ;
      else if (class_name == NULL || (pushed = lookup_type (class_name)) == 0)
        fail (check, "unknown type %s", class_name ? class_name : "(none)");
      else if (!g_type_is_a (pushed, G_TYPE_OBJECT))
        fail (check, "%s is not a GObject", class_name);
      if (parent != NULL && lookup_type (parent) == 0)
        fail (check, "unknown parent type %s", parent);
      if (parent != NULL && pushed != 0 && !g_type_is_a (pushed, lookup_type (parent)))
        fail (check, "%s does not derive from %s", class_name, parent);
      if (g_str_equal (element, "template"))
        check->template_type = pushed;
    }
  else if (g_str_equal (element, "property") && check->in_skipped == 0)
    {
      const char *name = attribute (names, values, "name");

      check_property (check, top_type (check), name, "property");
      check->in_bytes = g_strcmp0 (name, "bytes") == 0 &&
                        g_type_is_a (top_type (check), GTK_TYPE_BUILDER_LIST_ITEM_FACTORY);
      g_string_truncate (check->text, 0);
    }
  else if (g_str_equal (element, "binding") && check->in_skipped == 0)
    check_property (check, top_type (check), attribute (names, values, "name"), "binding");
  else if (g_str_equal (element, "lookup"))
    {
      const char *type_name = attribute (names, values, "type");

      g_free (check->lookup_name);
      check->lookup_name = g_strdup (attribute (names, values, "name"));
      check->lookup_type = 0;
      if (type_name != NULL && (check->lookup_type = lookup_type (type_name)) == 0)
        fail (check, "unknown lookup type %s", type_name);
      else if (type_name != NULL)
        check_property (check, check->lookup_type, check->lookup_name, "lookup");
      g_string_truncate (check->text, 0);
    }
  else if (g_str_equal (element, "signal") && check->in_skipped == 0)
    {
      const char *name = attribute (names, values, "name");
      g_auto(GStrv) parts = g_strsplit (name, "::", 2);
      GType type = top_type (check);
      g_autoptr(GTypeClass) klass = type != 0 ? g_type_class_ref (type) : NULL;

      if (type != 0 && g_signal_lookup (parts[0], type) == 0)
        fail (check, "%s has no signal “%s”", g_type_name (type), parts[0]);
      else if (type != 0 && g_str_equal (parts[0], "notify") && parts[1] != NULL)
        check_property (check, type, parts[1], "notify");
    }

  g_ptr_array_add (check->types, GSIZE_TO_POINTER (pushed));
  g_ptr_array_add (check->elements, g_strdup (element));
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              data,
         GError              **error)
{
  Check *check = data;

  g_string_append_len (check->text, text, length);
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *element,
                gpointer              data,
                GError              **error)
{
  Check *check = data;

  if (g_str_equal (element, "accessibility") || g_str_equal (element, "layout") ||
      g_str_equal (element, "menu") || g_str_equal (element, "style"))
    check->in_skipped--;

  if (g_str_equal (element, "property") && check->in_bytes)
    {
      g_autofree char *file = g_strdup_printf ("%s (list item factory)", check->file);

      check->in_bytes = FALSE;
      check_markup (file, check->text->str, check->errors);
    }
  else if (g_str_equal (element, "lookup") && check->lookup_type == 0)
    {
      /* <lookup name="item">GtkListItem</lookup>: a property of the named object, here
       * the template. */
      g_autofree char *object = g_strstrip (g_strdup (check->text->str));

      if (*object != '\0' && check->template_type != 0 &&
          g_str_equal (object, g_type_name (check->template_type)))
        check_property (check, check->template_type, check->lookup_name, "lookup");
    }

  g_ptr_array_remove_index (check->types, check->types->len - 1);
  g_ptr_array_remove_index (check->elements, check->elements->len - 1);
}

static void
check_markup (const char *file,
              const char *markup,
              GPtrArray  *errors)
{
  static const GMarkupParser parser = {
    .start_element = on_start_element,
    .end_element = on_end_element,
    .text = on_text,
  };
  Check check = {
    .types = g_ptr_array_new (),
    .elements = g_ptr_array_new_with_free_func (g_free),
    .text = g_string_new (NULL),
    .errors = errors,
    .file = file,
  };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;

  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &check, NULL);
  if (!g_markup_parse_context_parse (context, markup, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_ptr_array_add (errors, g_strdup_printf ("%s: %s", file, error->message));

  g_ptr_array_unref (check.types);
  g_ptr_array_unref (check.elements);
  g_string_free (check.text, TRUE);
  g_free (check.lookup_name);
}

static void
collect_ui (const char *path,
            GPtrArray  *out)
{
  g_auto(GStrv) children = g_resources_enumerate_children (path, 0, NULL);

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      g_autofree char *child = g_strconcat (path, children[i], NULL);

      if (g_str_has_suffix (children[i], "/"))
        collect_ui (child, out);
      else if (g_str_has_suffix (children[i], ".ui"))
        g_ptr_array_add (out, g_steal_pointer (&child));
    }
}

static void
test_ui_names_exist (void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);

  collect_ui (RESOURCE_PATH, files);
  g_assert_cmpuint (files->len, >=, 5);

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (file, 0, NULL);

      g_assert_nonnull (bytes);
      g_test_message ("checking %s", file);
      check_markup (file, g_bytes_get_data (bytes, NULL), errors);
    }

  for (guint i = 0; i < errors->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (errors, i));
  g_assert_cmpuint (errors->len, ==, 0);
}

static void
test_style_sheet_present (void)
{
  g_autoptr(GBytes) css = g_resources_lookup_data (RESOURCE_PATH "style.css", 0, NULL);

  g_assert_nonnull (css);
  g_assert_cmpuint (g_bytes_get_size (css), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Our own types, which the executable does not export for g_module_symbol(). */
  g_type_ensure (CB_TYPE_WINDOW);
  g_type_ensure (CB_TYPE_STREAMS_PANEL);
  g_type_ensure (CB_TYPE_STREAM_ROW);
  g_type_ensure (CB_TYPE_DESTINATIONS_PANEL);
  g_type_ensure (CB_TYPE_DESTINATION_ROW);
  g_type_ensure (CB_TYPE_DESTINATION);
  g_type_ensure (CB_TYPE_BITRATE_GRAPH);
  g_type_ensure (CB_TYPE_PLAYER_WINDOW);

  g_test_add_func ("/cb/data/ui-names-exist", test_ui_names_exist);
  g_test_add_func ("/cb/data/style-sheet", test_style_sheet_present);

  return g_test_run ();
}
