/* cb-net.h — what every listening socket of Castbridge shares
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only (GLib alone), so that src/rtmp/, which depends on nothing else, can use it.
 */
#pragma once

/* Connections the kernel holds for a listening socket until they are accepted. GLib's and
 * libsoup's default is 10: a burst of players (300 at once in bench/relay.py --scale) then
 * loses SYNs and some time out. 511 is nginx's default (the kernel caps it at somaxconn). */
#define CB_LISTEN_BACKLOG 511
