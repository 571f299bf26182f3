#!/bin/sh
# check-po.sh SRCDIR LANG — the translation is complete: it compiles, has no untranslated
# or fuzzy messages, and covers every string the sources have today.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

srcdir=$1
lang=$2
po="$srcdir/po/$lang.po"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

msgfmt --check --statistics -o /dev/null "$po"

msgattrib --untranslated --no-obsolete "$po" > "$tmp/untranslated.po"
if grep -q '^msgid "[^"]' "$tmp/untranslated.po"; then
  echo "Untranslated messages in $po:" >&2
  cat "$tmp/untranslated.po" >&2
  exit 1
fi

msgattrib --only-fuzzy --no-obsolete "$po" > "$tmp/fuzzy.po"
if grep -q '^msgid "[^"]' "$tmp/fuzzy.po"; then
  echo "Fuzzy messages in $po:" >&2
  cat "$tmp/fuzzy.po" >&2
  exit 1
fi

# The strings of the sources as they are now (the options of meson's 'glib' preset).
grep -v '^#' "$srcdir/po/POTFILES.in" | grep -v '^$' > "$tmp/POTFILES"
xgettext --package-name=castbridge --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
  -D "$srcdir" -f "$tmp/POTFILES" -o "$tmp/castbridge.pot"

# Every message of the sources has a translation in the .po.
msgcmp "$po" "$tmp/castbridge.pot"
echo "$po: complete"
