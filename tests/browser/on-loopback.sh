#!/bin/sh
# on-loopback.sh — runs a browser test in a network namespace of its own that has only
# loopback, so that every packet between Chromium, castbridge-server, nginx and ffmpeg
# stays on loopback (Chromium pairs its LAN address with any candidate otherwise).
# Without root (or without `ip`), runs the test as it is.
# SPDX-License-Identifier: GPL-3.0-or-later

if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1; then
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
  fi
  echo "# on-loopback: no network namespace here; running on this machine's interfaces" >&2
fi
exec "$@"
