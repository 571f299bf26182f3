#!/bin/sh
# build.sh — builds castbridge-loadgen offline from Debian's Go and Pion packages
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/webrtc-load/build.sh [--stub-on-failure] [OUTPUT]
#        (default OUTPUT: bench/webrtc-load/castbridge-loadgen)
#
# Needs the Debian 12 packages in bench/webrtc-load/debian-packages.txt (golang-go and
# golang-github-pion-webrtc.v3-dev, which brings the rest of Pion); nothing is downloaded:
# GOPATH mode against /usr/share/gocode. Exits 77 when Go or Pion is missing.
#
# --stub-on-failure (the test suite's build): when the generator cannot be built, OUTPUT
# becomes a script that prints why and exits 77, so that the tests using it skip.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
stub=false
if [ "${1:-}" = "--stub-on-failure" ]; then
  stub=true
  shift
fi
out=${1:-$here/castbridge-loadgen}
case $out in /*) ;; *) out=$PWD/$out ;; esac

give_up() {
  echo "build.sh: $1" >&2
  if $stub; then
    why=$(printf '%s' "$1" | tr -d '"\\$`')
    printf '#!/bin/sh\necho "castbridge-loadgen was not built: %s" >&2\nexit 77\n' "$why" >"$out"
    chmod +x "$out"
    exit 0
  fi
  exit 77
}

command -v go >/dev/null 2>&1 || give_up "no Go compiler (Debian: apt-get install golang-go)"
[ -d /usr/share/gocode/src/github.com/pion/webrtc ] ||
  give_up "no Pion in /usr/share/gocode (Debian: apt-get install golang-github-pion-webrtc.v3-dev)"
cache=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/castbridge-loadgen-go
mkdir -p "$cache"
# GOPATH mode resolves Pion's /v2, /v3 import paths in Debian's tree ("minimal module
# compatibility") only for a package that lies in a GOPATH and has a go.mod: build a copy.
gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/castbridge.local/loadgen"
cp "$here"/*.go "$here/go.mod" "$gopath/src/castbridge.local/loadgen/"
cd "$gopath/src/castbridge.local/loadgen"
if ! GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$cache" GOFLAGS= GOPROXY=off \
  CGO_ENABLED=0 go build -trimpath -o "$out.tmp" . >"$gopath/log" 2>&1; then
  cat "$gopath/log" >&2
  rm -f "$out.tmp"
  give_up "go build failed: $(head -c 300 "$gopath/log" | tr '\n' ' ')"
fi
mv "$out.tmp" "$out"
