/* cb-window-streams.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's Streams panel: where OBS reaches the RTMP ingest (Connect OBS), RTMP pulls
 * asked for there, and the player windows it opens, one per stream name.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cb-platform.h"
#include "cb-window-private.h"

/* Connect OBS: where OBS on this machine or the local network reaches the RTMP ingest. */

static char *
dup_lan_address (const char *bind_address)
{
  g_autoptr(GPtrArray) addresses = NULL;

  if (bind_address != NULL && *bind_address != '\0' && strcmp (bind_address, "0.0.0.0") != 0
      && strcmp (bind_address, "::") != 0)
    return g_strdup (bind_address);

  /* The first IPv4 address of a running interface that is not loopback: what another
   * computer on the network (or OBS here) can use. */
  addresses = cb_platform_list_addresses ();
  for (guint i = 0; i < addresses->len; i++)
    {
      GInetAddress *address = addresses->pdata[i];

      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 &&
          !g_inet_address_get_is_loopback (address))
        return g_inet_address_to_string (address);
    }
  return g_strdup ("127.0.0.1");
}

typedef struct
{
  GWeakRef      window;
  CbEngine     *engine;
  GMainContext *ui_context;
  char         *publish_key;
} KeyFetch;

static void
key_fetch_free (gpointer data)
{
  KeyFetch *fetch = data;

  g_weak_ref_clear (&fetch->window);
  g_clear_object (&fetch->engine);
  g_clear_pointer (&fetch->ui_context, g_main_context_unref);
  g_free (fetch->publish_key);
  g_free (fetch);
}

static gboolean
key_fetch_show (gpointer data)
{
  KeyFetch *fetch = data;
  g_autoptr(CbWindow) self = g_weak_ref_get (&fetch->window);
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  guint rtmp_port;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  rtmp_port = cb_studio_get_rtmp_port (self->studio);
  if (rtmp_port != 0)
    {
      host = dup_lan_address (cb_studio_get_bind_address (self->studio));
      url = g_strdup_printf ("rtmp://%s:%u/live", host, rtmp_port);
    }
  cb_streams_panel_set_rtmp_ingest (self->streams_panel, url, fetch->publish_key);
  return G_SOURCE_REMOVE;
}

/* On the engine's context: the settings belong to it. */
static gboolean
key_fetch_read (gpointer data)
{
  KeyFetch *fetch = data;
  CbSettings *settings = cb_engine_get_settings (fetch->engine);
  GMainContext *ui_context = fetch->ui_context;

  fetch->publish_key = g_strdup (cb_settings_get_string (settings, "rtmp_publish_key"));
  g_main_context_invoke_full (ui_context, G_PRIORITY_DEFAULT, key_fetch_show, fetch,
                              key_fetch_free);
  return G_SOURCE_REMOVE;
}

static void
update_rtmp_ingest (CbWindow *self)
{
  KeyFetch *fetch = g_new0 (KeyFetch, 1);

  g_weak_ref_init (&fetch->window, self);
  fetch->engine = g_object_ref (self->engine);
  fetch->ui_context = g_main_context_ref_thread_default ();
  /* The fetch is handed on to the UI context by key_fetch_read(), which frees it there. */
  cb_engine_invoke (self->engine, key_fetch_read, fetch, NULL);
}

/* RTMP pulls, asked for in the Streams panel: relays like any other. */

static void
on_streams_panel_pull_requested (CbStreamsPanel *panel,
                                 const char     *uri,
                                 const char     *name,
                                 CbWindow       *self)
{
  cb_relay_list_pull (self->relays, uri, NULL, name);
}

static void
on_streams_panel_remove_pull_requested (CbStreamsPanel *panel,
                                        const char     *name,
                                        CbWindow       *self)
{
  cb_relay_list_stop_rtmp_pull (self->relays, name);
}

/* Players: one window per stream name. */

static void
on_player_destroy (CbPlayerWindow *player,
                   CbWindow       *self)
{
  const char *name = cb_player_window_get_stream_name (player);

  if (g_hash_table_lookup (self->players, name) == player)
    g_hash_table_remove (self->players, name);
}

void
cb_window_play (CbWindow   *self,
                const char *stream_name)
{
  CbPlayerWindow *player = g_hash_table_lookup (self->players, stream_name);

  if (player == NULL)
    {
      player = cb_player_window_new (self->studio, stream_name);
      gtk_window_set_transient_for (GTK_WINDOW (player), GTK_WINDOW (self));
      g_hash_table_insert (self->players, g_strdup (stream_name), player);
      g_signal_connect_object (player, "destroy", G_CALLBACK (on_player_destroy), self, 0);
    }
  gtk_window_present (GTK_WINDOW (player));
}

static void
on_streams_panel_play_requested (CbStreamsPanel *panel,
                                 const char     *name,
                                 CbWindow       *self)
{
  cb_window_play (self, name);
}

static void
close_players (CbWindow *self)
{
  g_autoptr(GList) players = NULL;

  if (self->players == NULL)
    return;
  /* Each one leaves the table as it goes. */
  players = g_hash_table_get_values (self->players);
  for (GList *l = players; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_hash_table_remove_all (self->players);
}

static void
update_server_info (CbWindow *self)
{
  g_autofree char *info = NULL;
  guint http_port = cb_studio_get_http_port (self->studio);
  guint ws_port = cb_studio_get_ws_port (self->studio);
  guint rtmp_port = cb_studio_get_rtmp_port (self->studio);

  if (http_port != 0 && rtmp_port != 0)
    info = g_strdup_printf (_("Server ports: REST %u · WebSocket %u · RTMP %u"), http_port,
                            ws_port, rtmp_port);
  else if (http_port != 0)
    info = g_strdup_printf (_("Server ports: REST %u · WebSocket %u"), http_port, ws_port);
  else
    info = g_strdup (_("Server is not running"));
  cb_streams_panel_set_server_info (self->streams_panel, info);
}

void
cb_window_streams_setup (CbWindow *self)
{
  cb_streams_panel_set_model (self->streams_panel, G_LIST_MODEL (self->streams));
  g_signal_connect_object (self->streams_panel, "pull-requested",
                           G_CALLBACK (on_streams_panel_pull_requested), self, 0);
  g_signal_connect_object (self->streams_panel, "remove-pull-requested",
                           G_CALLBACK (on_streams_panel_remove_pull_requested), self, 0);
  g_signal_connect_object (self->streams_panel, "play-requested",
                           G_CALLBACK (on_streams_panel_play_requested), self, 0);
  update_server_info (self);
  update_rtmp_ingest (self);
}

void
cb_window_streams_dispose (CbWindow *self)
{
  /* They play from this window's studio. */
  close_players (self);
}
