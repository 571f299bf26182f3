#!/usr/bin/env python3
# check-flatpak.py — lints the Flatpak manifest in flatpak/ (meson test suite 'packaging')
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-flatpak.py SOURCE_ROOT

Every JSON file in flatpak/ must be strict JSON (no duplicate keys, no comments) and every
YAML file plain YAML; the manifest's id must be the application id of the desktop file
and the metainfo; every source must be pinned (an https archive or file with its sha256,
a git commit); the permissions must stay the small set the README describes (no home or
host folders, no --device=all, no bus names beyond the portals); and
`flatpak-builder --show-manifest` must read it without a warning. Exits 77 (skipped)
when flatpak-builder is missing but everything else passed."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
problems = []


def fail(message):
    problems.append(message)
    print('FAIL:', message)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in set(keys):
        if keys.count(k) > 1:
            raise ValueError('duplicate key %r' % k)
    return dict(pairs)


def app_id():
    with open(os.path.join(root, 'data', 'io.castbridge.Castbridge.metainfo.xml.in'),
              encoding='utf-8') as f:
        m = re.search(r'<id>([^<]+)</id>', f.read())
    return m.group(1) if m else None


manifests = []
for path in sorted(glob.glob(os.path.join(root, 'flatpak', '*.json'))):
    try:
        with open(path, encoding='utf-8') as f:
            manifests.append((path, json.load(f, object_pairs_hook=no_duplicates)))
    except ValueError as e:
        fail('%s: not strict JSON: %s' % (path, e))
for path in sorted(glob.glob(os.path.join(root, 'flatpak', '*.y*ml'))):
    import yaml
    try:
        with open(path, encoding='utf-8') as f:
            manifests.append((path, yaml.safe_load(f)))
    except yaml.YAMLError as e:
        fail('%s: not YAML: %s' % (path, e))
if not manifests:
    fail('no manifest in flatpak/')

expected_id = app_id()
desktop = os.path.join(root, 'data', '%s.desktop.in' % expected_id)
if not os.path.exists(desktop):
    fail('no desktop file %s for the metainfo id %s' % (desktop, expected_id))

FORBIDDEN = [
    (r'^--filesystem=(home|host|host-os|host-etc|~)(/|:|$)', 'home or host folders'),
    (r'^--filesystem=/', 'absolute folders'),
    (r'^--device=all$', 'every device (cameras come through the camera portal)'),
    (r'^--socket=(session-bus|system-bus)$', 'whole buses'),
    (r'^--talk-name=org\.freedesktop\.secrets$', 'the keyring itself (libsecret uses the Secret portal)'),
    (r'^--talk-name=org\.freedesktop\.Flatpak$', 'escaping the sandbox'),
    (r'^--system-talk-name=', 'system bus names'),
]

for path, m in manifests:
    name = os.path.basename(path)
    if os.path.splitext(name)[0] != expected_id or m.get('id', m.get('app-id')) != expected_id:
        fail('%s: id %r, file name and the metainfo id %r differ' % (name, m.get('id'), expected_id))
    if m.get('command') != 'castbridge':
        fail('%s: command is %r, not castbridge' % (name, m.get('command')))
    for arg in m.get('finish-args', []):
        for pattern, what in FORBIDDEN:
            if re.search(pattern, arg):
                fail('%s: finish-arg %s grants %s' % (name, arg, what))
    modules = m.get('modules', [])
    if not modules or not isinstance(modules[-1], dict) or modules[-1].get('name') != 'castbridge':
        fail('%s: the last module must be castbridge' % name)
    for module in modules:
        if not isinstance(module, dict):
            fail('%s: module %r is not inline' % (name, module))
            continue
        for source in module.get('sources', []):
            kind = source.get('type')
            where = '%s: module %s: %s source' % (name, module.get('name'), kind)
            if kind in ('archive', 'file'):
                if not str(source.get('url', '')).startswith('https://'):
                    fail('%s: url %r is not https' % (where, source.get('url')))
                if not re.fullmatch(r'[0-9a-f]{64}', str(source.get('sha256', ''))):
                    fail('%s: no sha256' % where)
            elif kind == 'git':
                if not str(source.get('url', '')).startswith('https://'):
                    fail('%s: url %r is not https' % (where, source.get('url')))
                if not re.fullmatch(r'[0-9a-f]{40}', str(source.get('commit', ''))):
                    fail('%s: not pinned to a commit' % where)
            elif kind == 'dir':
                if module.get('name') != 'castbridge':
                    fail('%s: only castbridge itself is built from a folder' % where)
            else:
                fail('%s: unexpected source type' % where)

builder = shutil.which('flatpak-builder')
if builder is None:
    print('flatpak-builder is missing (Debian: flatpak-builder): --show-manifest not run')
else:
    # It leaves a .flatpak-builder state folder where it runs: a scratch one.
    scratch = tempfile.mkdtemp(prefix='cb-flatpak-')
    for path, _ in manifests:
        run = subprocess.run([builder, '--show-manifest', os.path.abspath(path)],
                             capture_output=True, text=True, cwd=scratch)
        if run.returncode != 0 or re.search(r'WARNING|CRITICAL|ERROR', run.stderr):
            fail('flatpak-builder --show-manifest %s: exit %d\n%s' % (
                os.path.basename(path), run.returncode, run.stderr.strip()))
            continue
        shown = json.loads(run.stdout)
        if shown.get('id') != expected_id:
            fail('flatpak-builder read id %r' % shown.get('id'))
        print('flatpak-builder --show-manifest %s: %d modules' % (
            os.path.basename(path), len(shown.get('modules', []))))
    shutil.rmtree(scratch, ignore_errors=True)

if problems:
    sys.exit(1)
print('flatpak manifest: ok')
sys.exit(77 if builder is None else 0)
