#!/bin/sh
# install-deps.sh — install the Debian packages Castbridge needs that are missing.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The list lives in debian-packages.txt beside this script, or in the file given as the
# argument (bench/webrtc-load/debian-packages.txt: what bench/webrtc.py needs). Runs apt-get
# as root, or through sudo. Does nothing (and needs no network) when everything is installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="${1:-$here/debian-packages.txt}"

missing=""
for pkg in $(grep -v '^#' "$list" | grep -v '^[[:space:]]*$'); do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing="$missing $pkg"
done

# npm ships inside some nodejs packages (NodeSource's) and separately in Debian's:
# ask for Debian's only when there is no npm at all.
[ $# -gt 0 ] || command -v npm >/dev/null 2>&1 || missing="$missing npm"

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "install-deps: need root or sudo to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
