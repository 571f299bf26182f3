/* cb-rest-hook.c — RTMP push events POSTed as JSON to the URLs of rest_hook_url
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events are delivered, not only polled: every event of every push agent (Connected,
 * StreamStarted, … StreamStopped with its reason) is POSTed, as it happens, to each URL
 * listed in rest_hook_url, in the order they happened: one request at a time per URL,
 * the next when the last is answered (or failed). Sending never blocks the engine's
 * context (libsoup async, a short timeout); a hook that fails is logged and the event is
 * not sent again. Nothing
 * secret goes out: the destination is the masked rtmpUrl, and logs name a hook by its
 * scheme, host and port only (its path or query may hold a token).
 */
#include "config.h"

#include "cb-rest-hook.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cb-rest-json.h"

#define HOOK_TIMEOUT_S   5
/* Events waiting for one URL beyond this are dropped (and logged): a hook that hangs
 * costs memory that stays bounded. */
#define MAX_WAITING      64

/* Reference-counted: a delivery whose answer is already on its way when the hook is
 * freed still finds it. */
struct _CbRestHook
{
  CbEngine     *engine;       /* NULL once freed */
  SoupSession  *session;
  GCancellable *cancellable;
  GPtrArray    *agents;       /* CbPushAgent we listen to */
  GHashTable   *targets;      /* URL → Target */
  gulong        added_id;
  gulong        removed_id;
  guint64       sequence;
};

/* One URL of rest_hook_url and its events not sent yet. */
typedef struct {
  CbRestHook *hook;           /* not a reference: the hook owns its targets */
  GUri       *uri;
  char       *where;          /* scheme://host:port, for logs */
  GQueue      waiting;        /* GBytes*, the JSON of events not sent yet */
  gboolean    sending;
} Target;

static void
target_free (gpointer data)
{
  Target *t = data;

  g_queue_clear_full (&t->waiting, (GDestroyNotify) g_bytes_unref);
  g_uri_unref (t->uri);
  g_free (t->where);
  g_free (t);
}

static void
hook_clear (gpointer data)
{
  CbRestHook *hook = data;

  g_clear_object (&hook->session);
  g_clear_object (&hook->cancellable);
  g_clear_pointer (&hook->targets, g_hash_table_unref);
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

static void send_next (Target *t);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Target *t = user_data;
  CbRestHook *hook = t->hook;   /* held by send_next's reference until here */
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);

  t->sending = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;   /* the hook is gone: the server stops */
  else
    {
      if (body == NULL)
        g_warning ("REST hook %s: %s", t->where, error->message);
      else if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
        g_warning ("REST hook %s answered %u", t->where, soup_message_get_status (msg));
      send_next (t);
    }
  g_rc_box_release_full (hook, hook_clear);
}

/* Sends @t's oldest waiting event unless one is on its way. */
static void
send_next (Target *t)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) json = NULL;

  if (t->sending || g_cancellable_is_cancelled (t->hook->cancellable))
    return;
  json = g_queue_pop_head (&t->waiting);
  if (json == NULL)
    return;
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, t->uri);
  soup_message_set_request_body_from_bytes (msg, "application/json", json);
  t->sending = TRUE;
  g_rc_box_acquire (t->hook);
  soup_session_send_and_read_async (t->hook->session, msg, G_PRIORITY_DEFAULT,
                                    t->hook->cancellable, on_sent, t);
}

static void
send_to (CbRestHook *hook,
         const char *url,
         GBytes     *json)
{
  Target *t = g_hash_table_lookup (hook->targets, url);

  if (t == NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
          (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
           g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
        {
          g_warning ("rest_hook_url: an entry is not an http:// or https:// URL");
          return;
        }
      t = g_new0 (Target, 1);
      t->hook = hook;
      t->uri = g_steal_pointer (&uri);
      t->where = describe (t->uri);
      g_queue_init (&t->waiting);
      g_hash_table_insert (hook->targets, g_strdup (url), t);
    }
  if (t->waiting.length >= MAX_WAITING)
    {
      g_warning ("REST hook %s: %u events still waiting, dropping one", t->where,
                 t->waiting.length);
      return;
    }
  g_queue_push_tail (&t->waiting, g_bytes_ref (json));
  send_next (t);
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
  hook->targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, target_free);
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
