/* cb-rest-hook.c — RTMP push events POSTed as JSON to the URLs of rest_hook_url
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events are delivered, not only polled: every event of every push agent (Connected,
 * StreamStarted, … StreamStopped with its reason) is POSTed, as it happens, to each URL
 * listed in rest_hook_url. Sending never blocks the engine's context (libsoup async, a
 * short timeout); a hook that fails is logged and the event is not sent again. Nothing
 * secret goes out: the destination is the masked rtmpUrl, and logs name a hook by its
 * scheme, host and port only (its path or query may hold a token).
 */
#include "config.h"

#include "cb-rest-hook.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cb-rest-json.h"

#define HOOK_TIMEOUT_S   5
/* Events in flight beyond this are dropped (and logged): a hook that hangs costs memory
 * that stays bounded. */
#define MAX_IN_FLIGHT    64

/* Reference-counted: a delivery whose answer is already on its way when the hook is
 * freed still finds it. */
struct _CbRestHook
{
  CbEngine     *engine;       /* NULL once freed */
  SoupSession  *session;
  GCancellable *cancellable;
  GPtrArray    *agents;       /* CbPushAgent we listen to */
  gulong        added_id;
  gulong        removed_id;
  guint         in_flight;
  guint64       sequence;
};

typedef struct {
  CbRestHook *hook;           /* a reference */
  char       *where;          /* scheme://host:port, for logs */
} Delivery;

static void
hook_clear (gpointer data)
{
  CbRestHook *hook = data;

  g_clear_object (&hook->session);
  g_clear_object (&hook->cancellable);
}

static void
delivery_free (Delivery *d)
{
  g_rc_box_release_full (d->hook, hook_clear);
  g_free (d->where);
  g_free (d);
}

/* scheme://host:port of @uri: what a log may show of a hook URL. */
static char *
describe (GUri *uri)
{
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri) > 0 ? g_uri_get_port (uri)
                          : g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80);
}

JsonNode *
cb_rest_hook_event_json (const CbPushInfo  *info,
                         const CbPushEvent *event,
                         guint64            sequence)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, "push");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, cb_push_event_type_to_string (event->type));
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, event->reason ? event->reason : "");
  json_builder_set_member_name (b, "time");
  json_builder_add_int_value (b, event->time);
  json_builder_set_member_name (b, "mediaSessionId");
  json_builder_add_string_value (b, info->media_session_id);
  json_builder_set_member_name (b, "streamName");
  json_builder_add_string_value (b, info->stream_name);
  json_builder_set_member_name (b, "rtmpUrl");
  json_builder_add_string_value (b, info->rtmp_url);   /* masked by the agent */
  json_builder_set_member_name (b, "sequence");
  json_builder_add_int_value (b, (gint64) sequence);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Delivery *d = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);

  d->hook->in_flight--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;   /* the hook is gone: the server stops */
  else if (body == NULL)
    g_warning ("REST hook %s: %s", d->where, error->message);
  else if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_warning ("REST hook %s answered %u", d->where, soup_message_get_status (msg));
  delivery_free (d);
}

static void
send_to (CbRestHook *hook,
         const char *url,
         GBytes     *json)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  Delivery *d;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
       g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
    {
      g_warning ("rest_hook_url: an entry is not an http:// or https:// URL");
      return;
    }
  d = g_new0 (Delivery, 1);
  d->hook = g_rc_box_acquire (hook);
  d->where = describe (uri);
  if (hook->in_flight >= MAX_IN_FLIGHT)
    {
      g_warning ("REST hook %s: %u events still on their way, dropping one", d->where,
                 hook->in_flight);
      delivery_free (d);
      return;
    }
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);
  soup_message_set_request_body_from_bytes (msg, "application/json", json);
  hook->in_flight++;
  soup_session_send_and_read_async (hook->session, msg, G_PRIORITY_DEFAULT, hook->cancellable,
                                    on_sent, d);
}

static void
on_agent_event (CbPushAgent       *agent,
                const CbPushEvent *event,
                gpointer           user_data)
{
  CbRestHook *hook = user_data;
  CbSettings *settings = cb_engine_get_settings (hook->engine);
  const char *urls = cb_settings_get_string (settings, "rest_hook_url");
  g_auto(GStrv) list = NULL;
  g_autoptr(CbPushInfo) info = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) json = NULL;
  char *text;
  gsize length = 0;

  if (urls == NULL || *urls == '\0')
    return;
  info = cb_push_agent_get_info (agent);
  node = cb_rest_hook_event_json (info, event, ++hook->sequence);
  text = cb_rest_json_to_string (node, &length);
  json = g_bytes_new_take (text, length);
  list = g_strsplit (urls, ",", -1);
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_strstrip (list[i]);
      if (*list[i] != '\0')
        send_to (hook, list[i], json);
    }
}

static void
on_push_added (CbEngine    *engine,
               CbPushAgent *agent,
               gpointer     user_data)
{
  CbRestHook *hook = user_data;

  g_signal_connect (agent, "event", G_CALLBACK (on_agent_event), hook);
  g_ptr_array_add (hook->agents, g_object_ref (agent));
}

static void
on_push_removed (CbEngine    *engine,
                 CbPushAgent *agent,
                 gpointer     user_data)
{
  CbRestHook *hook = user_data;

  g_signal_handlers_disconnect_by_data (agent, hook);
  g_ptr_array_remove (hook->agents, agent);
}

CbRestHook *
cb_rest_hook_new (CbEngine *engine)
{
  CbRestHook *hook = g_rc_box_new0 (CbRestHook);
  g_autoptr(GPtrArray) live = cb_engine_find_pushes (engine, NULL, NULL);

  hook->engine = g_object_ref (engine);
  hook->session = soup_session_new_with_options ("timeout", HOOK_TIMEOUT_S,
                                                 "idle-timeout", 30,
                                                 "user-agent", "Castbridge/" PACKAGE_VERSION,
                                                 NULL);
  hook->cancellable = g_cancellable_new ();
  hook->agents = g_ptr_array_new_with_free_func (g_object_unref);
  hook->added_id = g_signal_connect (engine, "push-added", G_CALLBACK (on_push_added), hook);
  hook->removed_id = g_signal_connect (engine, "push-removed", G_CALLBACK (on_push_removed), hook);
  for (guint i = 0; i < live->len; i++)
    on_push_added (engine, g_ptr_array_index (live, i), hook);
  return hook;
}

void
cb_rest_hook_free (CbRestHook *hook)
{
  if (hook == NULL)
    return;
  g_cancellable_cancel (hook->cancellable);
  for (guint i = 0; i < hook->agents->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (hook->agents, i), hook);
  g_clear_pointer (&hook->agents, g_ptr_array_unref);
  g_clear_signal_handler (&hook->added_id, hook->engine);
  g_clear_signal_handler (&hook->removed_id, hook->engine);
  g_clear_object (&hook->engine);
  soup_session_abort (hook->session);
  g_rc_box_release_full (hook, hook_clear);
}
