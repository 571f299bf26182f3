#!/usr/bin/env python3
# check-msi.py — builds the Windows installer from the Linux build's installed layout and
# checks it with msitools (meson test suite 'packaging')
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-msi.py SOURCE_ROOT BUILD_ROOT PREFIX VERSION

Installs the build (`meson install --destdir`) into a temporary folder, maps it to the
Windows names (the prefix becomes the install folder, bin/castbridge becomes
bin\\castbridge.exe), builds the MSI with build-aux/windows/make-msi.sh (wixl) and reads it
back with msiinfo and msiextract: the tables an installer needs, every staged file in the
File table and in the cabinet byte for byte, a per-machine x64 package, the fixed upgrade
code with a major upgrade, the Start-menu shortcuts and their removal on uninstall. This
proves the recipe complete and valid; the executables in it are Linux ones (the MSYS2
build, build-aux/windows/build-msys2.sh, makes the Windows ones). Exits 77 (skipped)
without wixl and msiinfo, or when the GUI is not built."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

UPGRADE_CODE = '{47D45EA0-28CF-4423-917C-F975FF5E6AF1}'
NEEDED_TABLES = {'File', 'Component', 'Directory', 'Feature', 'FeatureComponents', 'Media',
                 'Property', 'Upgrade', 'Shortcut', 'RemoveFile', 'Registry',
                 'InstallExecuteSequence', 'InstallUISequence', 'AdminExecuteSequence'}
EXES = ['castbridge', 'castbridge-server']

source_root, build_root, prefix, version = sys.argv[1:5]
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)
        print('FAIL:', message)


def msiinfo(*args):
    return subprocess.run(['msiinfo'] + list(args), check=True, capture_output=True,
                          text=True).stdout


def table(msi, name):
    """Rows of a table as dicts (msiinfo export: header, types, key line, then rows)."""
    lines = msiinfo('export', msi, name).splitlines()
    header = lines[0].split('\t')
    return [dict(zip(header, line.split('\t'))) for line in lines[3:] if line]


for tool in ('wixl', 'wixl-heat', 'msiinfo', 'msiextract'):
    if shutil.which(tool) is None:
        print('%s is missing (Debian: wixl, msitools): not checked' % tool)
        sys.exit(77)

work = tempfile.mkdtemp(prefix='cb-msi-test-')
try:
    dest = os.path.join(work, 'dest')
    subprocess.run(['meson', 'install', '-C', build_root, '--destdir', dest, '--no-rebuild',
                    '--quiet'], check=True, stdout=subprocess.DEVNULL)
    installed = os.path.join(dest, prefix.lstrip('/'))
    if not os.path.exists(os.path.join(installed, 'bin', 'castbridge')):
        print('the GUI (castbridge) is not built: no installer to check')
        sys.exit(77)

    # The Windows layout: the prefix is the install folder; executables get .exe.
    stage = os.path.join(work, 'stage')
    shutil.copytree(installed, stage, symlinks=False)
    for exe in EXES:
        path = os.path.join(stage, 'bin', exe)
        if os.path.exists(path):
            os.rename(path, path + '.exe')
    msi = os.path.join(work, 'castbridge-%s-x64.msi' % version)
    subprocess.run(['sh', os.path.join(source_root, 'build-aux', 'windows', 'make-msi.sh'),
                    stage, version, msi], check=True)

    staged = sorted(os.path.relpath(os.path.join(d, f), stage)
                    for d, _, files in os.walk(stage) for f in files)
    check('FIREWALL.txt' in staged, 'the firewall note is not staged')
    check('bin/castbridge.exe' in staged and 'bin/castbridge-server.exe' in staged,
          'the executables are not staged')

    tables = set(msiinfo('tables', msi).split())
    check(NEEDED_TABLES <= tables, 'tables missing: %s' % sorted(NEEDED_TABLES - tables))

    files = table(msi, 'File')
    names = sorted(r['FileName'].split('|')[-1] for r in files)
    check(names == sorted(os.path.basename(p) for p in staged),
          'File table %s != staged %s' % (names, staged))

    props = {r['Property']: r['Value'] for r in table(msi, 'Property')}
    check(props.get('ALLUSERS') == '1', 'not a per-machine install (ALLUSERS=%r)'
          % props.get('ALLUSERS'))
    check(props.get('UpgradeCode', '').upper() == UPGRADE_CODE,
          'upgrade code %r' % props.get('UpgradeCode'))
    check(props.get('ProductVersion') == version, 'version %r' % props.get('ProductVersion'))
    check(props.get('ProductName') == 'Castbridge', 'name %r' % props.get('ProductName'))

    summary = msiinfo('suminfo', msi)
    check('Template: x64;' in summary, 'not an x64 package:\n' + summary)

    upgrades = table(msi, 'Upgrade')
    check(any(r['UpgradeCode'].upper() == UPGRADE_CODE and r['ActionProperty'] ==
              'WIX_UPGRADE_DETECTED' for r in upgrades), 'no major upgrade row')
    actions = {r['Action'] for r in table(msi, 'InstallExecuteSequence')}
    check('RemoveExistingProducts' in actions, 'older versions are not removed on upgrade')

    dirs = {r['Directory']: r for r in table(msi, 'Directory')}
    check(dirs.get('INSTALLDIR', {}).get('Directory_Parent') == 'ProgramFiles64Folder' and
          dirs['INSTALLDIR']['DefaultDir'] == 'Castbridge', 'not installed in Program Files')
    check(dirs.get('ProgramMenuDir', {}).get('Directory_Parent') == 'ProgramMenuFolder',
          'no Start-menu folder')

    shortcuts = {r['Shortcut']: r for r in table(msi, 'Shortcut')}
    app = shortcuts.get('CastbridgeShortcut', {})
    check(app.get('Directory_') == 'ProgramMenuDir' and
          app.get('Target') == '[INSTALLDIR]bin\\castbridge.exe', 'Start-menu shortcut %r' % app)
    check(shortcuts.get('FirewallNoteShortcut', {}).get('Target') == '[INSTALLDIR]FIREWALL.txt',
          'no shortcut to the firewall note')
    removes = table(msi, 'RemoveFile')
    check(any(r['DirProperty'] == 'ProgramMenuDir' and r['InstallMode'] == '2' for r in removes),
          'the Start-menu folder is not removed on uninstall')

    # The cabinet holds every staged file, unchanged.
    out = os.path.join(work, 'extracted')
    os.makedirs(out)
    subprocess.run(['msiextract', '-C', out, msi], check=True, stdout=subprocess.DEVNULL)
    # msiextract names the Program Files folder "." (its DefaultDir): Castbridge\ is on top.
    root = os.path.join(out, 'Castbridge')
    for path in staged:
        got = os.path.join(root, path)
        check(os.path.exists(got) and filecmp.cmp(got, os.path.join(stage, path), shallow=False),
              'extracted %s differs from the staged file' % path)

    print('%s: %d files, %d tables, %d bytes' % (os.path.basename(msi), len(files),
                                                  len(tables), os.path.getsize(msi)))
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if problems else 0)
