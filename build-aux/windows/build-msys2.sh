#!/usr/bin/env bash
# build-msys2.sh — builds Castbridge on Windows in an MSYS2 UCRT64 shell and makes its MSI
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage (from the source folder, in the "MSYS2 UCRT64" shell):
#   build-aux/windows/build-msys2.sh [BUILD-FOLDER]        (default: build-windows)
#
# 1. installs the MSYS2 packages (pacman, UCRT64 flavour);
# 2. configures and builds with meson into BUILD-FOLDER, installs into BUILD-FOLDER/stage;
# 3. copies the GStreamer plugins Castbridge uses, the plugin scanner, GIO's TLS module,
#    GTK's pixbuf loaders, schemas and icons into the stage;
# 4. collects every DLL the executables and those plugins need (ntldd -R; objdump when
#    ntldd is missing), from the UCRT64 prefix only;
# 5. makes castbridge-VERSION-x64.msi with make-msi.sh (wixl from msitools).
#
# Not run on the project's machines (they are Debian): see the README's Windows section
# for what has been checked where.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-build-windows}
stage="$build/stage"

if [ "${MSYSTEM:-}" != UCRT64 ]; then
  echo "build-msys2: run this in the MSYS2 UCRT64 shell (MSYSTEM=UCRT64, not '${MSYSTEM:-}')" >&2
  exit 1
fi
prefix=$MINGW_PREFIX            # /ucrt64
pkg=$MINGW_PACKAGE_PREFIX       # mingw-w64-ucrt-x86_64

# ---- 1. packages --------------------------------------------------------------------------
packages=(
  "$pkg-cc" "$pkg-meson" "$pkg-ninja" "$pkg-pkgconf" "$pkg-python" "$pkg-python-yaml"
  "$pkg-gettext" "$pkg-glib2" "$pkg-gtk4" "$pkg-libadwaita" "$pkg-libsoup3"
  "$pkg-json-glib" "$pkg-glib-networking" "$pkg-libsecret"
  "$pkg-gstreamer" "$pkg-gst-plugins-base" "$pkg-gst-plugins-good" "$pkg-gst-plugins-bad"
  "$pkg-gst-plugins-ugly" "$pkg-gst-libav" "$pkg-x264" "$pkg-libnice" "$pkg-libsrtp"
  "$pkg-openssl" "$pkg-ffmpeg" "$pkg-adwaita-icon-theme"
  "$pkg-ntldd" "$pkg-msitools"
)
pacman -S --needed --noconfirm "${packages[@]}"

# ---- 2. build and install -------------------------------------------------------------
version=$(sed -n "s/^  version: '\([^']*\)'.*/\1/p" "$top/meson.build" | head -n 1)
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --prefix=/ --buildtype=release -Dbrowser_tests=disabled
fi
ninja -C "$build"
rm -rf "$stage"
DESTDIR="$(cd "$build" && pwd)/stage" meson install -C "$build" --quiet

# ---- 3. what GStreamer, GIO and GTK load at run time -----------------------------------
# The plugins of the elements the code creates (gst_element_factory_make, the
# gst_parse_launch descriptions, devices): core and app, capture on Windows (Media
# Foundation cameras, WASAPI audio; D3D11: d3d11screencapturesrc, the screen source),
# codecs, muxers, WebRTC.
plugins=(
  coreelements app playback typefindfunctions autodetect
  audioconvert audioresample audiotestsrc audioparsers volume level alaw mulaw wavparse
  videoconvertscale videotestsrc videorate videoparsersbad pango png
  isomp4 matroska multifile
  x264 libav opus opusparse vpx fdkaac voaacenc
  rtp rtpmanager srtp dtls webrtc nice sctp
  mediafoundation d3d11 wasapi directsound
)
mkdir -p "$stage/lib/gstreamer-1.0" "$stage/libexec/gstreamer-1.0"
missing=()
for p in "${plugins[@]}"; do
  if [ -f "$prefix/lib/gstreamer-1.0/libgst$p.dll" ]; then
    cp "$prefix/lib/gstreamer-1.0/libgst$p.dll" "$stage/lib/gstreamer-1.0/"
  else
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] || echo "build-msys2: plugins not in this MSYS2: ${missing[*]}" >&2
cp "$prefix/libexec/gstreamer-1.0/gst-plugin-scanner.exe" "$stage/libexec/gstreamer-1.0/"

# GIO's TLS backend (HTTPS, WSS, RTMPS) and GTK's image loaders, schemas and icons.
mkdir -p "$stage/lib/gio/modules" "$stage/share/glib-2.0/schemas" "$stage/share/icons"
cp "$prefix"/lib/gio/modules/libgio*openssl*.dll "$stage/lib/gio/modules/" 2>/dev/null ||
  cp "$prefix"/lib/gio/modules/libgio*.dll "$stage/lib/gio/modules/"
cp -r "$prefix/lib/gdk-pixbuf-2.0" "$stage/lib/"
cp "$prefix"/share/glib-2.0/schemas/*.xml "$stage/share/glib-2.0/schemas/" 2>/dev/null || true
glib-compile-schemas "$stage/share/glib-2.0/schemas"
cp -r "$prefix/share/icons/Adwaita" "$prefix/share/icons/hicolor" "$stage/share/icons/"

# ---- 4. the DLLs all of it needs --------------------------------------------------------
dlls_of() {
  if command -v ntldd >/dev/null; then
    ntldd -R "$@" 2>/dev/null | sed -n 's/.*=> \(.*\.dll\) .*/\1/Ip'
  else
    # One level per round: objdump lists only direct imports.
    objdump -p "$@" 2>/dev/null | sed -n 's/^\s*DLL Name: \(.*\)/\1/p' |
      while read -r name; do [ -f "$prefix/bin/$name" ] && echo "$prefix/bin/$name"; done
  fi
}
mapfile -t binaries < <(find "$stage" -name '*.exe' -o -name '*.dll')
for _ in 1 2 3 4 5 6; do   # the DLLs of the DLLs added, until none is new
  added=0
  while read -r dll; do
    unix=$(cygpath -u "$dll" 2>/dev/null || echo "$dll")
    case $unix in "$prefix"/bin/*) ;; *) continue ;; esac   # Windows' own DLLs stay out
    if [ ! -f "$stage/bin/$(basename "$unix")" ]; then
      cp "$unix" "$stage/bin/"
      added=$((added + 1))
    fi
  done < <(dlls_of "${binaries[@]}" | sort -u)
  mapfile -t binaries < <(find "$stage" -name '*.exe' -o -name '*.dll')
  [ "$added" -eq 0 ] && break
done

# A plugin that cannot load is dropped silently by GStreamer at run time: ask now.
GST_PLUGIN_SYSTEM_PATH="$stage/lib/gstreamer-1.0" GST_PLUGIN_PATH="" \
  GST_PLUGIN_SCANNER="$stage/libexec/gstreamer-1.0/gst-plugin-scanner.exe" \
  GST_REGISTRY="$build/registry.bin" PATH="$stage/bin:/usr/bin" \
  "$prefix/bin/gst-inspect-1.0.exe" webrtcbin >/dev/null ||
  echo "build-msys2: webrtcbin does not load from the stage" >&2

# ---- 5. the installer -------------------------------------------------------------------
"$here/make-msi.sh" "$stage" "$version" "$build/castbridge-$version-x64.msi"
