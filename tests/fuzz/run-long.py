#!/usr/bin/env python3
# run-long.py — long libFuzzer runs of the fuzz targets, one at a time; the figures go to
# the "Fuzzing" section of bench/RESULTS.md
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds every libFuzzer target of tests/fuzz/ with clang (-fsanitize=fuzzer,address,
undefined; the libraries with -fsanitize=fuzzer-no-link, so that their coverage guides
the fuzzer too) in a build folder of its own, then runs each target, one after the
other and under `nice -n 19`, until it has made --runs executions or spent --seconds.
It starts from the target's corpus in tests/fuzz/corpus/ (read only: new inputs go to
a scratch folder) and stops a target at its first finding (crash, leak, timeout,
out-of-memory, UBSan report): the input is kept in the artifacts folder, to be fixed
and then added to the corpus as crash-<what>.

This is not part of `meson test` (the fuzz suite there only replays the corpora).

Needs clang and its libFuzzer and sanitizer runtimes (Debian: the `clang` package;
build-aux/debian-packages.txt lists it). Rows of targets that were not run this time are
kept from the previous runs.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'bench'))
import benchlib  # noqa: E402  (RESULTS.md sections)

BEGIN, END = '<!-- fuzz:begin -->', '<!-- fuzz:end -->'
# The order of the table: the network parsers first, then the file and config readers.
TARGETS = ['handshake', 'chunk', 'amf0', 'flv', 'server', 'url', 'redact', 'signaling',
           'rest-json', 'sdp', 'egress-stun', 'egress-rtcp', 'egress-dtls', 'h264-sps',
           'aac-config', 'mp4']
# Targets that read another target's corpus.
CORPUS = {'redact': 'url'}
# Every target unwinds the stack of each malloc by frame pointers (ASan's default):
# unwinding whole stacks (fast_unwind_on_malloc=0) costs 4 to 30 times the executions per
# second. Those stacks stop in GLib (built without frame pointers), which is enough to
# report a leak of our code but not for tests/lsan.supp to match the allocations that
# GStreamer and GLib keep for the process's life by design (the quark arrays that GLib
# outgrows). The targets whose inputs reach those are fuzzed without leak checks, then
# their whole corpus (the seeds and every input the run added) is run once more with
# whole stacks and leak checks after each input and at exit.
LEAKS_AFTER = {'signaling', 'sdp'}


def log(*args):
    print('run-long:', *args, flush=True)


def setup(builddir, targets):
    if shutil.which('clang') is None:
        sys.exit('run-long: clang is missing (Debian: apt-get install clang)')
    if not os.path.exists(os.path.join(builddir, 'build.ninja')):
        env = dict(os.environ, CC='clang')
        subprocess.run(['meson', 'setup', builddir, ROOT,
                        '-Db_sanitize=address,undefined', '-Db_lundef=false',
                        '-Dc_args=-fsanitize=fuzzer-no-link', '-Dgui=disabled',
                        '-Dbrowser_tests=disabled', '-Dbuildtype=debugoptimized'],
                       check=True, env=env)
    names = ['tests/fuzz/fuzz-%s-libfuzzer' % t for t in targets]
    subprocess.run(['nice', '-n', '19', 'ninja', '-C', builddir] + names, check=True)


def parse_stats(text):
    """Executions and seconds from libFuzzer's final lines."""
    runs = seconds = None
    m = re.findall(r'stat::number_of_executed_units:\s*(\d+)', text)
    if m:
        runs = int(m[-1])
    m = re.findall(r'Done (\d+) runs in (\d+) second', text)
    if m:
        runs = runs if runs is not None else int(m[-1][0])
        seconds = int(m[-1][1])
    if runs is None:
        # Stopped by a finding: the last status line has the count.
        m = re.findall(r'^#(\d+)\s', text, re.M)
        runs = int(m[-1]) if m else 0
    return runs, seconds


def run_target(builddir, target, runs, seconds, artifacts):
    binary = os.path.join(builddir, 'tests', 'fuzz', 'fuzz-%s-libfuzzer' % target)
    seeds = os.path.join(HERE, 'corpus', CORPUS.get(target, target))
    scratch = tempfile.mkdtemp(prefix='cb-fuzz-%s-' % target)
    art = os.path.join(artifacts, target) + os.sep
    os.makedirs(art, exist_ok=True)
    env = dict(os.environ)
    leaks_after = target in LEAKS_AFTER
    env['ASAN_OPTIONS'] = 'detect_leaks=%d:allocator_may_return_null=1' % (not leaks_after)
    env['LSAN_OPTIONS'] = 'suppressions=%s:print_suppressions=0' % os.path.join(
        ROOT, 'tests', 'lsan.supp')
    env['UBSAN_OPTIONS'] = 'halt_on_error=1:print_stacktrace=1'
    env['G_DEBUG'] = 'fatal-criticals'
    env['GST_REGISTRY_FORK'] = 'no'
    common = ['-timeout=25', '-rss_limit_mb=2048', '-artifact_prefix=' + art]
    cmd = (['nice', '-n', '19', binary, '-runs=%d' % runs, '-max_total_time=%d' % seconds,
            '-print_final_stats=1'] + common + (['-detect_leaks=0'] if leaks_after else []) +
           [scratch, seeds])
    log(' '.join(cmd))
    start = time.monotonic()
    started = time.time()
    with open(os.path.join(artifacts, target + '.log'), 'w') as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=scratch)
    wall = time.monotonic() - start
    with open(os.path.join(artifacts, target + '.log'), errors='replace') as f:
        text = f.read()
    executed, secs = parse_stats(text)
    if leaks_after and proc.returncode == 0:
        env['ASAN_OPTIONS'] = 'detect_leaks=1:allocator_may_return_null=1:fast_unwind_on_malloc=0'
        cmd = ['nice', '-n', '19', binary, '-runs=0'] + common + [scratch, seeds]
        log('leak checks over the corpus: ' + ' '.join(cmd))
        with open(os.path.join(artifacts, target + '-leaks.log'), 'w') as out:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                  cwd=scratch)
        with open(os.path.join(artifacts, target + '-leaks.log'), errors='replace') as f:
            text = f.read()
    shutil.rmtree(scratch, ignore_errors=True)
    # This run's only: earlier runs' inputs stay in the folder until they are dealt with.
    findings = sorted(f for f in os.listdir(art)
                      if re.match(r'(crash|leak|timeout|oom|slow-unit)-', f) and
                      os.path.getmtime(os.path.join(art, f)) >= started - 1)
    if 'ERROR: LeakSanitizer' in text and proc.returncode != 0:
        # A leak is reported as the input that ran last (at exit: the empty one).
        findings = (['leak: ' + f for f in findings] or
                    ['leak (see %s)' % os.path.basename(out.name)])
    if proc.returncode != 0 and not findings:
        findings = ['exit %d (see %s)' % (proc.returncode, os.path.basename(out.name))]
    return {'target': target, 'runs': executed, 'seconds': secs if secs is not None else round(wall),
            'findings': findings, 'corpus': CORPUS.get(target, target)}


def read_rows(path):
    """Table rows of the previous section, by target, so that a partial run keeps them."""
    rows = {}
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except FileNotFoundError:
        return rows
    b, e = text.find(BEGIN), text.find(END)
    if b < 0 or e < b:
        return rows
    for line in text[b:e].splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) >= 6 and cells[0].startswith('`fuzz-'):
            rows[cells[0].strip('`')[len('fuzz-'):]] = line
    return rows


def row(r, runs_goal):
    per_s = r['runs'] / r['seconds'] if r['seconds'] else float(r['runs'])
    reached = 'yes' if r['runs'] >= runs_goal else 'no'
    findings = ', '.join(r['findings']) if r['findings'] else 'none'
    return '| `fuzz-%s` | %s | %d | %s | %s | %s | %s |' % (
        r['target'], format(r['runs'], ','), r['seconds'], format(round(per_s), ','),
        reached, findings, r['date'])


def section(rows, args):
    lines = [BEGIN, '## Fuzzing', '',
             'Long libFuzzer runs (`tests/fuzz/run-long.py`): clang %s, -fsanitize=fuzzer,address,'
             'undefined (the libraries with -fsanitize=fuzzer-no-link), one target at a time '
             'per run-long.py under `nice -n 19` on a machine shared with other builds, each '
             'from its corpus in `tests/fuzz/corpus/` and stopped at %s executions, its time '
             'limit or its first finding. LeakSanitizer checks after each input that freed less '
             'than it allocated and at exit; for %s, whose inputs reach GStreamer (its by-design '
             'allocations need whole stacks to be told apart, and those cost 4 to 30 times the '
             'executions), it checks the whole corpus once more after the run instead. '
             'Executions per second are low on a loaded machine; they are not a benchmark.'
             % (args.clang_version, format(args.runs, ','),
                ' and '.join('`fuzz-%s`' % t for t in sorted(LEAKS_AFTER))), '',
             '| target | executions | seconds | per second | reached %s | findings | run |'
             % format(args.runs, ','),
             '|---|---:|---:|---:|---|---|---|']
    for t in TARGETS + sorted(set(rows) - set(TARGETS)):
        if t in rows:
            lines.append(rows[t])
    lines += ['', 'Every finding is fixed in the file that had the bug (or, when the target '
              'asked for too much, in the target) and its input kept in the corpus as '
              '`crash-<what>`, replayed by `meson test --suite fuzz`. The findings column is '
              'the last run\'s; the inputs kept from all runs so far:', '']
    for corpus in sorted(set(CORPUS.get(t, t) for t in TARGETS)):
        d = os.path.join(HERE, 'corpus', corpus)
        kept = sorted(f for f in os.listdir(d) if f.startswith('crash-')) if os.path.isdir(d) else []
        if kept:
            lines.append('- `%s`: %s' % (corpus, ', '.join('`%s`' % f for f in kept)))
    lines.append(END)
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('targets', nargs='*', help='targets (default: all), e.g. sdp rest-json')
    parser.add_argument('--runs', type=int, default=10_000_000, help='executions per target')
    parser.add_argument('--seconds', type=int, default=1800, help='time limit per target')
    parser.add_argument('--builddir', default=os.path.join(ROOT, 'build-fuzz'))
    parser.add_argument('--artifacts', default=os.path.join(ROOT, 'build-fuzz', 'findings'))
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    args = parser.parse_args()

    targets = args.targets or TARGETS
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        sys.exit('run-long: unknown targets: ' + ', '.join(unknown))
    setup(args.builddir, targets)
    out = subprocess.run(['clang', '--version'], capture_output=True, text=True).stdout
    m = re.search(r'version (\S+)', out)
    args.clang_version = m.group(1) if m else '?'

    os.makedirs(args.artifacts, exist_ok=True)
    mine = {}
    status = 0
    for t in targets:
        r = run_target(args.builddir, t, args.runs, args.seconds, args.artifacts)
        r['date'] = datetime.date.today().isoformat()
        log('%s: %d executions in %d s, findings: %s' % (
            t, r['runs'], r['seconds'], ', '.join(r['findings']) or 'none'))
        if r['findings']:
            status = 1
        # Read again just before writing: another run-long.py may have written its rows.
        mine[t] = row(r, args.runs)
        rows = read_rows(benchlib.RESULTS)
        rows.update(mine)
        if not args.no_write:
            # After each target, so that an interrupted run keeps what it measured.
            benchlib.write_section(BEGIN, END, section(rows, args))
    if args.no_write:
        print(section(rows, args))
    log('machine: %s, %d CPUs' % (platform.machine(), os.cpu_count() or 0))
    return status


if __name__ == '__main__':
    sys.exit(main())
