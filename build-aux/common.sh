# common.sh — shared by build-aux/run and build-aux/test: install, configure, build.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="$top/build"

"$top/build-aux/install-deps.sh"

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top"
elif ! meson setup --reconfigure "$builddir" "$top" >/dev/null 2>&1; then
  # A build folder from another machine or an older meson: start it afresh.
  rm -rf "$builddir"
  meson setup "$builddir" "$top"
fi
ninja -C "$builddir"
