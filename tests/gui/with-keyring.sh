#!/bin/sh
# with-keyring.sh COMMAND… — runs COMMAND with a fresh, unlocked GNOME Keyring answering
# as the Secret Service, in a throwaway home. Run it inside dbus-run-session: the keyring
# lives on that private bus and goes with it, and the user's own keyring is never touched.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# --unlock reads the login keyring's password on stdin and makes that keyring: the
# default collection, where castbridge stores keys.
printf 'castbridge-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1

CB_TEST_SECRET_SERVICE=1 "$@"
