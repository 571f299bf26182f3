#!/bin/sh
# on-loopback.sh — runs a browser test in a network namespace of its own that has only
# loopback, so that every packet between Chromium, castbridge-server, nginx and ffmpeg
# stays on loopback (Chromium pairs its LAN address with any candidate otherwise).
# Network namespaces are Linux's and need root: elsewhere, without root, without `ip` or
# where `ip netns` is refused (a container without the capability), it says so and runs
# the test as it is, on this machine's interfaces.
# SPDX-License-Identifier: GPL-3.0-or-later

why=
if [ "$(uname -s)" != Linux ]; then
  why="network namespaces are Linux's ($(uname -s))"
elif [ "$(id -u)" != 0 ]; then
  why="ip netns needs root"
elif ! command -v ip >/dev/null 2>&1; then
  why="no ip command (iproute2)"
else
  # Namespaces left by a run that was killed before it could remove its own.
  for old in $(ip netns list 2>/dev/null | sed -n 's/^\(cbloop-[0-9]*\).*/\1/p'); do
    kill -0 "${old#cbloop-}" 2>/dev/null || ip netns del "$old" 2>/dev/null
  done
  ns=cbloop-$$
  if ip netns add "$ns" 2>/dev/null; then
    trap 'ip netns del "$ns" 2>/dev/null' EXIT
    trap 'exit 143' TERM INT
    if ip netns exec "$ns" ip link set lo up; then
      ip netns exec "$ns" "$@"
      exit $?
    fi
    ip netns del "$ns" 2>/dev/null   # exec below would skip the EXIT trap
    trap - EXIT TERM INT
  fi
  why="ip netns add was refused"
fi
echo "# on-loopback: no loopback-only namespace ($why); running on this machine's interfaces" >&2
exec "$@"
