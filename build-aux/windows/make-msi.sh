#!/bin/sh
# make-msi.sh — the MSI from a staged install tree, with wixl (msitools)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: make-msi.sh STAGE VERSION OUTPUT.msi
#   STAGE: the tree as installed under the install folder: bin\castbridge.exe,
#   bin\*.dll, lib\gstreamer-1.0\*.dll, share\… (build-msys2.sh makes it on Windows; the
#   packaging test makes one from the Linux build's install). FIREWALL.txt is added to it.
# Runs the same in MSYS2 (mingw-w64-ucrt-x86_64-msitools) and on Debian (wixl).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
stage=$1
version=$2
output=$3

[ -f "$stage/bin/castbridge.exe" ] || { echo "make-msi: no $stage/bin/castbridge.exe" >&2; exit 1; }
cp "$here/firewall-note.txt" "$stage/FIREWALL.txt"

work=$(mktemp -d "${TMPDIR:-/tmp}/cb-msi-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Every file of the stage as a component of the install folder (sorted: the same tree
# gives the same table).
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) |
  wixl-heat --prefix "" --component-group CastbridgeFiles --var var.SourceDir \
    --directory-ref INSTALLDIR --win64 > "$work/files.wxs"
# wixl takes file sources relative to the folder it runs in.
case $output in /*) ;; *) output="$(pwd)/$output" ;; esac
(cd "$stage" && wixl --arch x64 -D Version="$version" -D SourceDir=. -D Win64=yes \
  -o "$output" "$here/castbridge.wxs" "$work/files.wxs")
echo "make-msi: $output"
