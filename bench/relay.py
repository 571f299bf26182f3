#!/usr/bin/env python3
# relay.py — RTMP relay of one 1080p30 6 Mbit/s stream to N RTMP players: Castbridge and
# nginx-rtmp side by side, at the same time, on the same input
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/relay.py [path-to-castbridge-server] [--counts 0,1,5,20]
#                                [--window 20] [--warmup 5] [--budget 330] [--no-write]
#
# Python 3 standard library only; needs ffmpeg and nginx with the RTMP module. Everything runs on
# 127.0.0.1 with free ports; every process started here is killed on exit. The figures go to
# bench/RESULTS.md between <!-- relay:begin --> and <!-- relay:end -->; see bench/README.md.

import argparse
import atexit
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # leave no __pycache__ in tests/server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests', 'server'))
import nginxrtmp  # noqa: E402  (free_port, MODULE_PATHS)

DEFAULT_BINARY = os.path.join(ROOT, 'build', 'src', 'castbridge-server')
RESULTS = os.path.join(HERE, 'RESULTS.md')
BEGIN, END = '<!-- relay:begin -->', '<!-- relay:end -->'
CLK_TCK = os.sysconf('SC_CLK_TCK')
FPS = 30
MIN_FPS = 27          # a player receiving fewer frames per second than this is "behind"

# The stream both relays carry: 1920x1080 30 fps H.264 6 Mbit/s (VBV 6M/12M), keyframe every
# 2 s, AAC 128 kbit/s, 20 s, sent in a loop by ffmpeg -re -c copy.
SOURCE_SECONDS = 20
SOURCE_ENCODE = ['-f', 'lavfi', '-i', f'testsrc2=size=1920x1080:rate={FPS}',
                 '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
                 '-t', str(SOURCE_SECONDS), '-map', '0:v', '-map', '1:a',
                 '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
                 '-b:v', '6M', '-maxrate', '6M', '-bufsize', '12M',
                 '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
                 '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000', '-f', 'flv']

# ---- process bookkeeping ---------------------------------------------------------------------

_procs = []
_tmpdirs = []


def spawn(args, log_path, env=None):
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    _procs.append(proc)
    return proc


def stop(proc, term_first=False):
    if proc is None:
        return
    if proc.poll() is None and term_first:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if proc in _procs:
        _procs.remove(proc)


@atexit.register
def _cleanup():
    for proc in list(_procs):
        stop(proc)
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def mkdtemp(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return d


def tail(path, n=3000):
    try:
        with open(path, errors='replace') as f:
            return f.read()[-n:]
    except OSError:
        return ''


def first_line(args):
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10)
        return ((out.stdout or out.stderr).strip().splitlines() or ['?'])[0]
    except (OSError, subprocess.TimeoutExpired):
        return '?'


# ---- /proc -----------------------------------------------------------------------------------

def cpu_ticks(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime + stime of all threads


def proc_status(pid):
    out = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'VmHWM', 'RssAnon'):
                out[key] = int(value.split()[0])
            elif key == 'Threads':
                out[key] = int(value)
    return out


def machine_ticks():
    with open('/proc/stat') as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return sum(parts), parts[3] + parts[4]


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


# ---- the two relays --------------------------------------------------------------------------

class Nginx:
    """nginx-rtmp as one process (master_process off) with `application live { live on; }`."""

    def __init__(self):
        self.tmp = mkdtemp('cb-bench-relay-nginx-')
        self.port = nginxrtmp.free_port()
        module = next(p for p in nginxrtmp.MODULE_PATHS if os.path.exists(p))
        with open(os.path.join(self.tmp, 'nginx.conf'), 'w') as f:
            f.write(f"""
load_module {module};
daemon off;
master_process off;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/error.log warn;
events {{ worker_connections 1024; }}
rtmp {{
  server {{
    listen 127.0.0.1:{self.port};
    chunk_size 4096;
    ping 10s;
    application live {{
      live on;
      record off;
    }}
  }}
}}
""")
        self.proc = spawn(['nginx', '-c', os.path.join(self.tmp, 'nginx.conf'), '-p', self.tmp],
                          os.path.join(self.tmp, 'stdout'))
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError('nginx did not start: ' + self.log())
                time.sleep(0.05)

    def url(self, name):
        return f'rtmp://127.0.0.1:{self.port}/live/{name}'

    def ready(self):
        return True     # players that connect before the publisher wait for it (idle streams)

    def log(self):
        return tail(os.path.join(self.tmp, 'error.log'))

    def stop(self):
        stop(self.proc)


class Castbridge:
    def __init__(self, binary, extra_args=()):
        self.tmp = mkdtemp('cb-bench-relay-server-')
        media = os.path.join(self.tmp, 'media')
        os.mkdir(media)
        self.log_path = os.path.join(self.tmp, 'log')
        env = {k: v for k, v in os.environ.items() if k not in ('G_MESSAGES_DEBUG', 'G_DEBUG')}
        self.proc = spawn([binary, '--http-port', '0', '--ws-port', '0', '--rtmp-port', '0',
                           '--bind', '127.0.0.1', '--media-dir', media, *extra_args], self.log_path,
                          env)
        deadline = time.monotonic() + 20
        while True:
            with open(self.log_path, errors='replace') as f:
                line = next((l for l in f if l.startswith('listening ')), None)
            if line:
                fields = dict(kv.split('=', 1) for kv in line.split()[1:])
                self.http_port = int(fields['http'])
                self.ws_port = int(fields.get('ws', 0))
                self.port = int(fields.get('rtmp', 0))
                if not self.port:
                    raise RuntimeError('this castbridge-server has no RTMP ingest (rtmp=0)')
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('castbridge-server did not start:\n' + self.log())
            time.sleep(0.05)

    def url(self, name):
        return f'rtmp://127.0.0.1:{self.port}/live/{name}'

    def rest(self, path, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.http_port, timeout=5)
        try:
            conn.request('POST', '/rest-api/' + path, body=json.dumps(body or {}).encode(),
                         headers={'Content-Type': 'application/json'})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        except (OSError, ValueError) as e:
            return 0, str(e)
        finally:
            conn.close()

    def streams(self):
        status, answer = self.rest('stream/find_all')
        return answer if status == 200 and isinstance(answer, list) else []

    def ready(self):
        return any(s.get('name') == 'src' and s.get('published', True) and
                   s.get('status') == 'PUBLISHING' for s in self.streams())

    def log(self):
        return tail(self.log_path)

    def stop(self):
        stop(self.proc, term_first=True)


# ---- publisher and players -------------------------------------------------------------------

def publish(source, url, log_path):
    return spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning', '-re',
                  '-stream_loop', '-1', '-i', source, '-c', 'copy', '-f', 'flv', url], log_path)


class Player:
    """ffmpeg -i rtmp://… -c copy -f null -, reporting its progress (frame=) every second."""

    def __init__(self, url, tmp, tag):
        self.progress = os.path.join(tmp, f'{tag}.progress')
        self.log_path = os.path.join(tmp, f'{tag}.log')
        self.proc = spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning',
                           '-rw_timeout', '15000000', '-i', url, '-map', '0', '-c', 'copy',
                           '-f', 'null', '-', '-progress', self.progress, '-stats_period', '1'],
                          self.log_path)

    def frames(self):
        """The last frame= the player reported (video frames received), or 0."""
        try:
            with open(self.progress, 'rb') as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - 2000))
                text = f.read().decode(errors='replace')
        except OSError:
            return 0
        last = 0
        for line in text.splitlines():
            if line.startswith('frame='):
                try:
                    last = int(line[6:])
                except ValueError:
                    pass
        return last

    def stop(self):
        stop(self.proc)


# ---- one run: both relays at once -------------------------------------------------------------

def wait_until(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def run(binary, source, n, args):
    tmp = mkdtemp(f'cb-bench-relay-n{n}-')
    sides = {}
    out = {'n': n, 'sides': {}, 'notes': []}
    try:
        sides['castbridge'] = Castbridge(binary)
        sides['nginx'] = Nginx()
        pubs = {name: publish(source, side.url('src'), os.path.join(tmp, f'pub-{name}.log'))
                for name, side in sides.items()}
        for name, side in sides.items():
            if not wait_until(side.ready, 15):
                raise RuntimeError(f'{name}: the published stream did not appear within 15 s\n'
                                   + tail(os.path.join(tmp, f'pub-{name}.log')) + side.log())
        players = {name: [Player(side.url('src'), tmp, f'{name}-{i}') for i in range(n)]
                   for name, side in sides.items()}
        for name in sides:
            started = wait_until(lambda: all(p.frames() > 0 for p in players[name]), 20, 0.5)
            if not started:
                late = [p for p in players[name] if p.frames() == 0]
                out['notes'].append(f'{name} N={n}: {len(late)} of {n} players had no frame '
                                    f'after 20 s; first one\'s log: '
                                    + tail(late[0].log_path, 600).strip().replace('\n', ' | '))
        time.sleep(args.warmup)

        # The window: both relays sampled together.
        pids = {name: side.proc.pid for name, side in sides.items()}
        f0 = {name: [p.frames() for p in players[name]] for name in sides}
        c0 = {name: cpu_ticks(pid) for name, pid in pids.items()}
        m0 = machine_ticks()
        t0 = time.monotonic()
        rss = {name: [] for name in sides}
        anon = {name: [] for name in sides}
        threads = {name: 0 for name in sides}
        while True:
            for name, side in sides.items():
                if side.proc.poll() is not None:
                    raise RuntimeError(f'{name} exited during the window with status '
                                       f'{side.proc.poll()}\n' + side.log())
                st = proc_status(pids[name])
                rss[name].append(st['VmRSS'])
                anon[name].append(st.get('RssAnon', 0))
                threads[name] = max(threads[name], st.get('Threads', 0))
            left = t0 + args.window - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(0.5, left))
        elapsed = time.monotonic() - t0
        c1 = {name: cpu_ticks(pid) for name, pid in pids.items()}
        m1 = machine_ticks()
        # The players report once a second, so both ends lag by up to a second alike.
        f1 = {name: [p.frames() for p in players[name]] for name in sides}
        busy = 100.0 * (1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0]))
        for name in sides:
            cpu_s = (c1[name] - c0[name]) / CLK_TCK
            fps = [(b - a) / elapsed for a, b in zip(f0[name], f1[name])]
            hwm = proc_status(pids[name]).get('VmHWM', 0)
            out['sides'][name] = {
                'cpu_s': cpu_s,
                'cpu_per_min': cpu_s * 60.0 / elapsed,
                'rss': statistics.mean(rss[name]) / 1024, 'rss_peak': max(rss[name]) / 1024,
                'anon': statistics.mean(anon[name]) / 1024, 'hwm': hwm / 1024,
                'threads': threads[name],
                'fps_min': min(fps) if fps else None,
                'fps_med': statistics.median(fps) if fps else None,
                'receiving': sum(1 for x in fps if x >= MIN_FPS),
                'publisher_alive': pubs[name].poll() is None,
            }
            if not out['sides'][name]['publisher_alive']:
                out['notes'].append(f'{name} N={n}: the publishing ffmpeg exited: '
                                    + tail(os.path.join(tmp, f'pub-{name}.log'), 600))
        out['busy'] = busy
        out['elapsed'] = elapsed
        if 'castbridge' in sides:
            streams = sides['castbridge'].streams()
            out['cb_streams'] = len(streams)
            out['cb_playing'] = sum(1 for s in streams if s.get('status') == 'PLAYING')
        return out
    finally:
        for proc in list(_procs):      # this run's publishers and players
            if proc.args[0] == 'ffmpeg':
                stop(proc)
        for side in sides.values():
            side.stop()


# ---- report ----------------------------------------------------------------------------------

def fmt(x, digits=2):
    return '–' if x is None else f'{x:.{digits}f}'


def ratio(a, b, b_floor):
    if a is None or b is None:
        return '–'
    if b <= b_floor:
        return 'nginx ≈ 0'
    return f'{a / b:.1f}×'


def render(meta, results, notes):
    window = meta['window']
    tick_per_min = 60.0 / window / CLK_TCK     # one clock tick over the window, per minute
    lines = [BEGIN, '## RTMP relay: one 1080p30 6 Mbit/s stream to N RTMP players — '
             'Castbridge vs nginx-rtmp', '']
    lines.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu']} ({meta['kernel']}); "
                 f"load average {meta['load_before']} before, {meta['load_after']} after; "
                 f"whole benchmark {meta['total']:.0f} s.")
    lines.append(f"Castbridge `{meta['cb_version']}` (`build/src/castbridge-server` built "
                 f"{meta['binary_mtime']}, tree `{meta['git']}`); {meta['nginx']} with "
                 f"libnginx-mod-rtmp {meta['rtmp_pkg']}; {meta['ffmpeg']}.")
    lines.append('')
    lines.append('CPU is in CPU-seconds of the relay process per minute of stream (60 = one core '
                 'busy); "per player" is (value at N − value at N=0) / N.')
    lines.append('')
    lines.append('| N | side | CPU s / stream-min | CPU s / player-min | RSS avg MiB | RSS peak MiB '
                 '| RSS MiB / player | anon MiB | threads | players at ≥ 27 fps | player fps '
                 'median (min) | machine busy % |')
    lines.append('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    base = {r['n']: r for r in results}.get(0)
    per = {}
    for r in results:
        n = r['n']
        for side in ('castbridge', 'nginx'):
            s = r['sides'].get(side)
            if not s:
                continue
            pp_cpu = pp_rss = None
            if base and n > 0 and side in base['sides']:
                b = base['sides'][side]
                pp_cpu = (s['cpu_per_min'] - b['cpu_per_min']) / n
                pp_rss = (s['rss'] - b['rss']) / n
            per[(n, side)] = (pp_cpu, pp_rss)
            fps = '–' if n == 0 else f"{fmt(s['fps_med'], 1)} ({fmt(s['fps_min'], 1)})"
            recv = '–' if n == 0 else f"{s['receiving']}/{n}"
            lines.append(f"| {n} | {side} | {fmt(s['cpu_per_min'])} | {fmt(pp_cpu, 3)} | "
                         f"{fmt(s['rss'], 1)} | {fmt(s['rss_peak'], 1)} | {fmt(pp_rss, 3)} | "
                         f"{fmt(s['anon'], 1)} | {s['threads']} | {recv} | {fps} | "
                         f"{r['busy']:.0f} |")
    lines.append('')
    lines.append('Castbridge / nginx-rtmp:')
    lines.append('')
    lines.append('| N | CPU s / stream-min | ratio | CPU s / player-min | ratio | RSS MiB | ratio '
                 '| RSS MiB / player | ratio |')
    lines.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for r in results:
        n = r['n']
        c, g = r['sides'].get('castbridge'), r['sides'].get('nginx')
        if not c or not g:
            continue
        pc, pg = per.get((n, 'castbridge'), (None, None)), per.get((n, 'nginx'), (None, None))
        lines.append(f"| {n} | {fmt(c['cpu_per_min'])} vs {fmt(g['cpu_per_min'])} | "
                     f"{ratio(c['cpu_per_min'], g['cpu_per_min'], tick_per_min)} | "
                     f"{fmt(pc[0], 3)} vs {fmt(pg[0], 3)} | "
                     f"{ratio(pc[0], pg[0], tick_per_min / max(1, n)) if n else '–'} | "
                     f"{fmt(c['rss'], 1)} vs {fmt(g['rss'], 1)} | {ratio(c['rss'], g['rss'], 0)} | "
                     f"{fmt(pc[1], 3)} vs {fmt(pg[1], 3)} | "
                     f"{ratio(pc[1], pg[1], 0.1 / max(1, n)) if n else '–'} |")
    lines.append('')
    lines.append(f'"nginx ≈ 0": nginx\'s figure is within one clock tick over the window '
                 f'({tick_per_min:.2f} CPU s / min) or 0.1 MiB, so no ratio is given.')
    lines.append('')
    lines.append(
        '**How measured.** `python3 bench/relay.py` encodes one file once with ffmpeg '
        f'({SOURCE_SECONDS} s of testsrc2 1920x1080 30 fps, libx264 veryfast `-b:v 6M -maxrate 6M '
        '-bufsize 12M -g 60`, AAC 128 kbit/s) and, for each N, starts afresh a castbridge-server '
        '(a copy of the binary taken at the start) and a one-process nginx-rtmp (`master_process '
        'off`, `application live { live on; }`), both on 127.0.0.1. Two `ffmpeg -re -stream_loop '
        '-1 -c copy -f flv` publish the same file to `live/src` on each, and N `ffmpeg -i '
        'rtmp://…/live/src -c copy -f null -` players play it from each — both relays run at the '
        'same time, so they share the same machine load. After the players have received their '
        f"first frame and a {meta['warmup']} s warm-up, the relay processes are measured together "
        f"over a {window} s window: CPU = utime+stime of all threads from `/proc/PID/stat`, "
        'expressed per minute of stream; RSS = `VmRSS` (and `RssAnon`: heap and buffers without '
        'shared-library pages) from `/proc/PID/status` every 0.5 s. The players report `frame=` '
        'every second (`-progress`); a player counts as receiving when it got ≥ 27 video frames '
        'per second over the window (the source is 30). Publishers and players are not counted in '
        'the relays\' figures but do run on the same 2 cores (at N=20, 40 players and 2 publishers), '
        'as do other engineers\' builds and tests: figures are noisy, differences of a few '
        'hundredths of a CPU-second per player-minute are not meaningful.')
    lines.append('')
    lines.append('Per run:')
    lines.append('')
    for r in results:
        parts = []
        for side in ('castbridge', 'nginx'):
            s = r['sides'].get(side)
            if s:
                parts.append(f"{side} CPU {s['cpu_s']:.2f} s in {r['elapsed']:.1f} s, VmHWM "
                             f"{s['hwm']:.1f} MiB")
        extra = ''
        if 'cb_streams' in r:
            extra = f"; Castbridge stream/find_all: {r['cb_streams']} entries, {r['cb_playing']} PLAYING"
        lines.append(f"- N={r['n']}: " + '; '.join(parts) + extra)
    lines.append('')
    lines.extend(findings(notes, 'none — every player of both relays received ≥ 27 fps for the '
                          'whole window.'))
    lines.append(END)
    return '\n'.join(lines) + '\n'


def findings(notes, none_text):
    """The "Findings:" lines of a section: the notes in a code block, or `none_text`."""
    if not notes:
        return [f'Findings: {none_text}']
    return ['Findings:', '', '```', *notes, '```']


def write_results(section, begin=BEGIN, end_marker=END):
    """Replaces only the section between begin and end_marker (or appends it); everything else
    stays byte for byte."""
    if os.path.exists(RESULTS):
        with open(RESULTS, encoding='utf-8') as f:
            text = f.read()
    else:
        text = ('# Castbridge benchmarks\n\nEach benchmark in `bench/` writes its own section '
                'between its markers; see bench/README.md for how to run them.\n')
    b, e = text.find(begin), text.find(end_marker)
    if b >= 0 and e > b:
        end = e + len(end_marker)
        if text[end:end + 1] == '\n':
            end += 1
        text = text[:b] + section + text[end:]
    else:
        if not text.endswith('\n'):
            text += '\n'
        text += '\n' + section
    tmp = RESULTS + f'.{os.getpid()}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, RESULTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('binary', nargs='?', default=DEFAULT_BINARY)
    parser.add_argument('--counts', default='0,1,5,20', help='player counts (0 = the baseline)')
    parser.add_argument('--window', type=float, default=20)
    parser.add_argument('--warmup', type=float, default=5)
    parser.add_argument('--budget', type=float, default=330,
                        help='do not start a run that would end after this many seconds')
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    args = parser.parse_args()
    t_start = time.monotonic()
    counts = [int(x) for x in args.counts.split(',') if x.strip()]
    if 0 not in counts:
        counts.insert(0, 0)
    for tool in ('ffmpeg', 'nginx'):
        if not shutil.which(tool):
            sys.exit(f'relay.py: {tool} is needed')
    if not nginxrtmp.available():
        sys.exit('relay.py: nginx has no RTMP module (Debian: libnginx-mod-rtmp)')

    work = mkdtemp('cb-bench-relay-')
    binary = os.path.join(work, 'cb-bench-server')
    shutil.copy2(os.path.abspath(args.binary), binary)
    meta = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'cpus': os.cpu_count(), 'kernel': f'Linux {platform.release()}',
        'cpu': next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo')
                     if l.startswith('model name')), '?'),
        'load_before': loadavg(), 'window': args.window, 'warmup': args.warmup,
        'cb_version': first_line([binary, '--version']),
        'binary_mtime': datetime.datetime.fromtimestamp(
            os.path.getmtime(args.binary), datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'git': first_line(['git', '-C', ROOT, 'describe', '--always', '--dirty']),
        'nginx': first_line(['nginx', '-v']).replace('nginx version: ', ''),
        'rtmp_pkg': first_line(['dpkg-query', '-W', '-f=${Version}', 'libnginx-mod-rtmp']),
        'ffmpeg': ' '.join(first_line(['ffmpeg', '-version']).split()[:3]),
    }

    source = os.path.join(work, 'source.flv')
    print(f'relay.py: encoding the {SOURCE_SECONDS} s 1080p source …', flush=True)
    t = time.monotonic()
    enc = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *SOURCE_ENCODE,
                          source], capture_output=True, text=True, timeout=240)
    if enc.returncode != 0:
        sys.exit('relay.py: encoding the source failed: ' + enc.stderr[-2000:])
    print(f'relay.py: encoded in {time.monotonic() - t:.0f} s', flush=True)

    results, notes = [], []
    per_run = args.window + args.warmup + 15
    for n in counts:
        if time.monotonic() - t_start + per_run > args.budget:
            notes.append(f'N={n} not run: it would end after the {args.budget:.0f} s budget')
            continue
        print(f'relay.py: N={n} …', flush=True)
        try:
            r = run(binary, source, n, args)
        except RuntimeError as e:
            notes.append(f'N={n}: run failed: {e}')
            print(notes[-1], file=sys.stderr)
            continue
        results.append(r)
        notes.extend(r['notes'])
        for side, s in r['sides'].items():
            print(f"  {side:10s} CPU {s['cpu_per_min']:.2f} s/min RSS {s['rss']:.1f} MiB "
                  f"players ≥27fps {s['receiving']}/{n} fps med {fmt(s['fps_med'], 1)} "
                  f"min {fmt(s['fps_min'], 1)}", flush=True)
            if n and s['receiving'] < n:
                notes.append(f"{side} N={n}: only {s['receiving']} of {n} players received ≥ "
                             f"{MIN_FPS} fps (min {fmt(s['fps_min'], 1)} fps, machine busy "
                             f"{r['busy']:.0f} %)")
    base = next((r for r in results if r['n'] == 0), None)
    for r in results:
        c = r['sides'].get('castbridge')
        if base and r['n'] and c and 'castbridge' in base['sides']:
            grew = c['anon'] - base['sides']['castbridge']['anon']
            if grew / r['n'] > 1.0:
                seconds = grew / r['n'] * 1024 * 1024 * 8 / 6.128e6
                notes.append(f"castbridge N={r['n']}: anonymous memory (heap, buffers) is {grew:.1f} MiB above "
                             f"N=0, {grew / r['n']:.2f} MiB per player ≈ {seconds:.1f} s of the 6.1 Mbit/s "
                             f"stream each (RSS avg {c['rss']:.1f}, peak {c['rss_peak']:.1f} MiB over the "
                             f"window; machine busy {r['busy']:.0f} %): data queued for the players, or "
                             'heap not given back after the players\' start')
    meta['load_after'] = loadavg()
    meta['total'] = time.monotonic() - t_start
    section = render(meta, results, notes)
    print(section)
    if not args.no_write and results:
        write_results(section)
        print(f'written to {RESULTS}')


if __name__ == '__main__':
    main()
