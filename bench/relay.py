#!/usr/bin/env python3
# relay.py — RTMP relay of one 1080p30 6 Mbit/s stream to N RTMP players: Castbridge and
# nginx-rtmp side by side, at the same time, on the same input
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/relay.py [path-to-castbridge-server] [--counts 0,1,5,20]
#                                [--window 20] [--warmup 5] [--budget 330] [--no-write]
#                                [--probes 2]     latency probes beside the players
#        python3 bench/relay.py --scale 50,100,200,300   each relay alone, up to where a
#                                                         player of 2.5 Mbit/s falls behind
#
# Python 3 standard library only; needs ffmpeg and nginx with the RTMP module. Everything runs on
# 127.0.0.1 with free ports; every process started here is killed on exit. The figures go to
# bench/RESULTS.md between <!-- relay:begin --> and <!-- relay:end -->; see bench/README.md.

import argparse
import datetime
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True      # leave no __pycache__ in tests/server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests', 'server'))
import nginxrtmp  # noqa: E402  (free_port, MODULE_PATHS)
sys.path.insert(0, HERE)
from benchlib import (CLK_TCK, RESULTS, Server, busy_percent, cpu_ns, cpu_split, first_line,  # noqa: E402,F401
                      loadavg, machine_ticks, mkdtemp, rest_post, proc_status, running, spawn,
                      stop, tail, track, wait_until, write_section)
import wirelat  # noqa: E402

DEFAULT_BINARY = os.path.join(ROOT, 'build', 'src', 'castbridge-server')
BEGIN, END = '<!-- relay:begin -->', '<!-- relay:end -->'
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

# The scale run's stream: 2.5 Mbit/s 1280x720 30 fps, keyframe every 2 s, AAC 96 kbit/s.
SCALE_ENCODE = ['-f', 'lavfi', '-i', f'testsrc2=size=1280x720:rate={FPS}',
                '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
                '-t', str(SOURCE_SECONDS), '-map', '0:v', '-map', '1:a',
                '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
                '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5M',
                '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
                '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000', '-f', 'flv']
SCALE_BEGIN, SCALE_END = '<!-- relay-scale:begin -->', '<!-- relay-scale:end -->'
FLOOR_BEGIN, FLOOR_END = '<!-- relay-floor:begin -->', '<!-- relay-floor:end -->'

# ---- process bookkeeping ---------------------------------------------------------------------




# ---- /proc -----------------------------------------------------------------------------------

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
    def __init__(self, binary, extra_args=(), media_dir=None):
        server = Server(binary, extra_args, prefix='cb-bench-relay-server-', media_dir=media_dir)
        self.server, self.proc, self.tmp, self.log_path = (server, server.proc, server.tmp,
                                                           server.log_path)
        self.http_port, self.ws_port, self.port = server.http_port, server.ws_port, server.rtmp_port
        if not self.port:
            raise RuntimeError('this castbridge-server has no RTMP ingest (rtmp=0)')

    def url(self, name):
        return f'rtmp://127.0.0.1:{self.port}/live/{name}'

    def rest(self, path, body=None):
        try:
            return rest_post(self.http_port, path, body, 5)
        except (OSError, ValueError) as e:
            return 0, str(e)

    def streams(self):
        status, answer = self.rest('stream/find_all')
        return answer if status == 200 and isinstance(answer, list) else []

    def ready(self):
        return any(s.get('name') == 'src' and s.get('published', True) and
                   s.get('status') == 'PUBLISHING' for s in self.streams())

    def log(self):
        return self.server.log()

    def stop(self):
        self.server.stop()


class Floor:
    """bench/floor.c: FLV over plain TCP, each read's tags written to every player in one send
    and nothing else — the least any relay that writes a message as it comes can spend."""

    def __init__(self, binary):
        self.tmp = mkdtemp('cb-bench-relay-floor-')
        self.log_path = os.path.join(self.tmp, 'log')
        self.proc = spawn([binary, '0', '0'], self.log_path)
        if not wait_until(lambda: len(self._ports()) == 2, 10, 0.05):
            raise RuntimeError('floor did not start: ' + self.log())
        ports = self._ports()
        self.in_port, self.port = int(ports['in']), int(ports['out'])
        self.input_format = 'flv'

    def _ports(self):
        try:
            with open(self.log_path) as f:
                return dict(kv.split('=') for kv in f.readline().split() if '=' in kv)
        except (OSError, ValueError):
            return {}

    def url(self, _name):
        return f'tcp://127.0.0.1:{self.port}'

    def publish_url(self, _name):
        return f'tcp://127.0.0.1:{self.in_port}'

    def ready(self):
        return True

    def log(self):
        return tail(self.log_path)

    def stop(self):
        stop(self.proc)


def build_floor(work):
    """bench/floor.c built into @work: (its path, None), or (None, why it could not be)."""
    cc = shutil.which('cc') or shutil.which('gcc')
    if not cc:
        return None, 'no C compiler (cc)'
    out = os.path.join(work, 'floor')
    built = subprocess.run([cc, '-O2', '-o', out, os.path.join(HERE, 'floor.c')],
                           capture_output=True, text=True)
    if built.returncode != 0:
        return None, built.stderr[-1000:]
    return out, None


# ---- publisher and players -------------------------------------------------------------------

def publish(source, url, log_path):
    # -flush_packets 1: a packet leaves as it is muxed on a plain TCP output too (the floor's),
    # as the RTMP protocol sends each packet anyway.
    return spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning', '-re',
                  '-stream_loop', '-1', '-i', source, '-c', 'copy', '-flush_packets', '1',
                  '-f', 'flv', url], log_path)


class Player:
    """ffmpeg -i rtmp://… -c copy -f null -, reporting its progress (frame=) every second."""

    def __init__(self, url, tmp, tag, input_format=None):
        self.progress = os.path.join(tmp, f'{tag}.progress')
        self.log_path = os.path.join(tmp, f'{tag}.log')
        fmt_args = ['-f', input_format] if input_format else []
        self.proc = spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning',
                           '-rw_timeout', '15000000', *fmt_args, '-i', url, '-map', '0', '-c', 'copy',
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


# ---- latency: publisher mux time → player demux time, joined on the packets' DTS -------------

class TsLog:
    """Reads an ffmpeg's -debug_ts lines as they come and keeps, for each video packet seen by
    `kind` ('muxer <-' or 'demuxer ->'), its DTS in ms and the monotonic time of arrival."""

    def __init__(self, proc, kind, log_path):
        self.kind = kind
        self.points = []         # (monotonic s, dts ms)
        self.log_path = log_path
        self.thread = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        with open(self.log_path, 'w') as log:
            for raw in pipe:
                now = time.monotonic()
                line = raw.decode(errors='replace')
                i = line.find(self.kind)
                if i < 0:
                    if 'debug_ts' not in line and len(line) < 400:
                        log.write(line)
                    continue
                if ' type:video ' not in line:
                    continue
                j = line.find(' pkt_dts:', i)
                if j < 0:
                    continue
                value = line[j + 9:].split(' ', 1)[0]
                if value.lstrip('-').isdigit():
                    self.points.append((now, int(value)))


def spawn_ts(args, kind, log_path):
    proc = track(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT))
    return proc, TsLog(proc, kind, log_path)


def publish_ts(source, url, log_path):
    return spawn_ts(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'info', '-debug_ts', '-re',
                     '-stream_loop', '-1', '-i', source, '-c', 'copy', '-flush_packets', '1',
                     '-f', 'flv', url], 'muxer <-', log_path)


def probe_ts(url, log_path):
    return spawn_ts(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'info', '-debug_ts',
                     '-rw_timeout', '15000000', '-i', url, '-map', '0', '-c', 'copy', '-f', 'null',
                     '-'], 'demuxer ->', log_path)


def tcp_listening(port):
    """Whether something listens on 127.0.0.1:@port (from /proc/net/tcp, without connecting:
    an `ffmpeg -listen 1` takes the first connection as its one peer)."""
    try:
        with open('/proc/net/tcp') as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return False
    want = f'0100007F:{port:04X}'
    return any(f[1] == want and f[3] == '0A' for f in (r.split() for r in rows))


def direct_ts(source, tmp):
    """The latency floor of the measurement itself: a publisher straight into an ffmpeg that
    listens (`-listen 1`), no relay between. Returns ((publisher, TsLog), (probe, TsLog)) or
    None when the listener did not come up."""
    port = nginxrtmp.free_port()
    url = f'rtmp://127.0.0.1:{port}/live/src'
    probe = spawn_ts(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'info', '-debug_ts',
                      '-listen', '1', '-i', url, '-map', '0', '-c', 'copy', '-f', 'null', '-'],
                     'demuxer ->', os.path.join(tmp, 'probe-direct.log'))
    if not wait_until(lambda: tcp_listening(port), 10, 0.05):
        return None
    pub = publish_ts(source, url, os.path.join(tmp, 'pub-direct.log'))
    return pub, probe


def latencies(pub, probe, t0, t1):
    """The probe's latencies (s) over [t0, t1]. A relay may shift timestamps by a constant (a
    player's time may start at 0): the shift is the one that maps the probe's packets onto
    published ones with the smallest median latency that is not negative (less than 5 ms
    below zero: both ends are stamped by reader threads; a wrong shift is a frame, 33 ms, off)."""
    published = {}
    for t, dts in pub:
        published.setdefault(dts, t)
    window = [(t, d) for t, d in probe if t0 <= t <= t1]
    if len(window) < 10:
        return []
    t_k, d_k = window[len(window) // 2]
    candidates = {d_k - q for t, q in pub if t_k - 3.0 <= t <= t_k}
    best = None
    for shift in candidates:
        lat = [t - published[d - shift] for t, d in window if (d - shift) in published]
        if len(lat) < 0.9 * len(window):
            continue
        med = statistics.median(lat)
        if med < -0.005:
            continue
        if best is None or med < best[0]:
            best = (med, lat)
    return best[1] if best else []


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def cb_extra_args(args):
    """castbridge-server's -o KEY=VALUE for each --cb-option."""
    return [a for kv in args.cb_option for a in ('-o', kv)]


def markers(args):
    """Where the figures go in RESULTS.md: a run with --cb-option has a section of its own."""
    if not args.cb_option:
        return BEGIN, END
    tag = 'relay-' + '-'.join(kv.replace('=', '-') for kv in args.cb_option)
    return f'<!-- {tag}:begin -->', f'<!-- {tag}:end -->'


# ---- one run: both relays at once -------------------------------------------------------------

def run(binary, source, n, args, only=('castbridge', 'nginx'), floor=None):
    """@only: the sides, of castbridge, nginx and floor (@floor: its binary)."""
    tmp = mkdtemp(f'cb-bench-relay-n{n}-')
    sides = {}
    out = {'n': n, 'sides': {}, 'notes': []}
    try:
        if 'castbridge' in only:
            sides['castbridge'] = Castbridge(binary, cb_extra_args(args))
        if 'nginx' in only:
            sides['nginx'] = Nginx()
        if 'floor' in only:
            sides['floor'] = Floor(floor)
        pub_ts, probes = {}, {name: [] for name in sides}
        if args.probes:
            pubs = {}
            for name, side in sides.items():
                pubs[name], pub_ts[name] = publish_ts(source, side.url('src'),
                                                      os.path.join(tmp, f'pub-{name}.log'))
        else:
            pubs = {name: publish(source, getattr(side, 'publish_url', side.url)('src'),
                                  os.path.join(tmp, f'pub-{name}.log'))
                    for name, side in sides.items()}
        for name, side in sides.items():
            if not wait_until(side.ready, 15):
                raise RuntimeError(f'{name}: the published stream did not appear within 15 s\n'
                                   + tail(os.path.join(tmp, f'pub-{name}.log')) + side.log())
        players = {name: [Player(side.url('src'), tmp, f'{name}-{i}',
                                 getattr(side, 'input_format', None)) for i in range(n)]
                   for name, side in sides.items()}
        direct = direct_ts(source, tmp) if args.probes and n > 0 else None
        if n > 0:
            for name, side in sides.items():
                for i in range(args.probes):
                    probes[name].append(probe_ts(side.url('src'),
                                                 os.path.join(tmp, f'probe-{name}-{i}.log')))
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
        c0 = {name: cpu_split(pid) for name, pid in pids.items()}
        n0 = {name: cpu_ns(pid) for name, pid in pids.items()}
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
        c1 = {name: cpu_split(pid) for name, pid in pids.items()}
        n1 = {name: cpu_ns(pid) for name, pid in pids.items()}
        m1 = machine_ticks()
        # The players report once a second, so both ends lag by up to a second alike.
        f1 = {name: [p.frames() for p in players[name]] for name in sides}
        busy = busy_percent(m0, m1)
        t1 = time.monotonic()
        lat = {name: [] for name in sides}
        for name in sides:
            for _proc, ts in probes[name]:
                got = latencies(pub_ts[name].points, ts.points, t0, t1)
                if not got:
                    out['notes'].append(f'{name} N={n}: a latency probe could not be joined '
                                        f'({len(ts.points)} packets)')
                lat[name].extend(got)
        if direct is not None:
            got = latencies(direct[0][1].points, direct[1][1].points, t0, t1)
            if got:
                out['direct'] = {'lat_n': len(got), 'lat_p50': percentile(got, 50),
                                 'lat_p99': percentile(got, 99), 'lat_max': max(got)}
            else:
                out['notes'].append(f'direct N={n}: the probe could not be joined '
                                    f'({len(direct[1][1].points)} packets)')
        for name in sides:
            # The whole from the scheduler's count (ns); its user/system split from the ticks.
            cpu_s = (n1[name] - n0[name]) / 1e9
            ticks = (c1[name][0] - c0[name][0]) + (c1[name][1] - c0[name][1])
            user_s = cpu_s * (c1[name][0] - c0[name][0]) / ticks if ticks else 0.0
            sys_s = cpu_s - user_s
            fps = [(b - a) / elapsed for a, b in zip(f0[name], f1[name])]
            hwm = proc_status(pids[name]).get('VmHWM', 0)
            out['sides'][name] = {
                'cpu_s': cpu_s,
                'cpu_per_min': cpu_s * 60.0 / elapsed,
                'user_per_min': user_s * 60.0 / elapsed, 'sys_per_min': sys_s * 60.0 / elapsed,
                'rss': statistics.mean(rss[name]) / 1024, 'rss_peak': max(rss[name]) / 1024,
                'anon': statistics.mean(anon[name]) / 1024, 'hwm': hwm / 1024,
                'threads': threads[name],
                'fps_min': min(fps) if fps else None,
                'fps_med': statistics.median(fps) if fps else None,
                'receiving': sum(1 for x in fps if x >= MIN_FPS),
                'publisher_alive': pubs[name].poll() is None,
                'lat_n': len(lat[name]),
                'lat_p50': percentile(lat[name], 50), 'lat_p99': percentile(lat[name], 99),
                'lat_max': max(lat[name]) if lat[name] else None,
            }
            if not out['sides'][name]['publisher_alive']:
                out['notes'].append(f'{name} N={n}: the publishing ffmpeg exited: '
                                    + tail(os.path.join(tmp, f'pub-{name}.log'), 600))
        out['busy'] = busy
        out['elapsed'] = elapsed
        if n > 0 and args.wire > 0:
            wire_phase(source, sides, args.wire, out)
        if 'castbridge' in sides:
            streams = sides['castbridge'].streams()
            out['cb_streams'] = len(streams)
            out['cb_playing'] = sum(1 for s in streams if s.get('status') == 'PLAYING')
        return out
    finally:
        for proc in running():      # this run's publishers and players
            if proc.args[0] == 'ffmpeg':
                stop(proc)
        for side in sides.values():
            side.stop()


def wire_phase(source, sides, seconds, out):
    """After the CPU window (a capture costs the senders a copy of every segment): what each
    relay adds between the publisher's segment in and the player's segment out, per video
    message and player, from a capture of the loopback interface."""
    try:
        got, drops = wirelat.measure(source, {name: side.port for name, side in sides.items()},
                                     seconds)
    except PermissionError:
        out['notes'].append('wire latency: no capture (needs CAP_NET_RAW: run as root)')
        return
    for name, w in got.items():
        lat = w['lat']
        out['sides'][name].update({
            'wire_n': len(lat), 'wire_players': w['players'], 'wire_published': w['published'],
            'wire_p50': percentile(lat, 50), 'wire_p99': percentile(lat, 99),
            'wire_max': max(lat) if lat else None})
        if not lat:
            out['notes'].append(f'wire latency {name} N={out["n"]}: no message found '
                                f'({w["players"]} players, {w["published"]} published)')
    out['wire_drops'] = drops
    out['wire_seconds'] = seconds


# ---- report ----------------------------------------------------------------------------------

def fmt(x, digits=2):
    return '–' if x is None else f'{x:.{digits}f}'


def fmt_ms(x):
    return '–' if x is None else f'{x * 1000:.1f}'


def fmt_ms3(x):
    return '–' if x is None else f'{x * 1000:.3f}'


def ratio(a, b, b_floor):
    if a is None or b is None:
        return '–'
    if b <= b_floor:
        return 'nginx ≈ 0'
    return f'{a / b:.1f}×'


def render(meta, results, notes):
    window = meta['window']
    tick_per_min = 60.0 / window / CLK_TCK     # one clock tick over the window, per minute
    floor_per_min = 60.0 * 0.003 / window      # 3 ms over the window, per minute
    begin, end = meta['markers']
    options = ''.join(f' with `{kv}`' for kv in meta['cb_options'])
    lines = [begin, '## RTMP relay: one 1080p30 6 Mbit/s stream to N RTMP players — '
             f'Castbridge{options} vs nginx-rtmp', '']
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
                     f"{ratio(c['cpu_per_min'], g['cpu_per_min'], floor_per_min)} | "
                     f"{fmt(pc[0], 3)} vs {fmt(pg[0], 3)} | "
                     f"{ratio(pc[0], pg[0], floor_per_min / max(1, n)) if n else '–'} | "
                     f"{fmt(c['rss'], 1)} vs {fmt(g['rss'], 1)} | {ratio(c['rss'], g['rss'], 0)} | "
                     f"{fmt(pc[1], 3)} vs {fmt(pg[1], 3)} | "
                     f"{ratio(pc[1], pg[1], 0.1 / max(1, n)) if n else '–'} |")
    lines.append('')
    if all('user_per_min' in s for r in results for s in r['sides'].values()):
        lines.append('Where the CPU goes: in the program (user) and in the kernel on its behalf '
                     '(system: the TCP sends, which on loopback also deliver to the player). '
                     'CPU s / stream-min, and Castbridge\'s share of nginx\'s whole CPU:')
        lines.append('')
        lines.append('| N | user: Castbridge vs nginx | system: Castbridge vs nginx '
                     '| Castbridge system / nginx whole | Castbridge user / nginx whole |')
        lines.append('|---:|---:|---:|---:|---:|')
        for r in results:
            c, g = r['sides'].get('castbridge'), r['sides'].get('nginx')
            if not c or not g:
                continue
            lines.append(f"| {r['n']} | {fmt(c['user_per_min'])} vs {fmt(g['user_per_min'])} | "
                         f"{fmt(c['sys_per_min'])} vs {fmt(g['sys_per_min'])} | "
                         f"{ratio(c['sys_per_min'], g['cpu_per_min'], tick_per_min)} | "
                         f"{ratio(c['user_per_min'], g['cpu_per_min'], tick_per_min)} |")
        lines.append('')
    if any(s.get('lat_n') for r in results for s in r['sides'].values()):
        lines.append('Latency through the relay (publisher `ffmpeg -debug_ts` muxer time → probe '
                     'player demuxer time, per video packet, joined on DTS; the probes play '
                     'beside the N players):')
        lines.append('')
        lines.append('| N | side | packets | p50 ms | p99 ms | max ms | added p50 ms | added p99 ms |')
        lines.append('|---:|---|---:|---:|---:|---:|---:|---:|')
        for r in results:
            d = r.get('direct')
            for side in ('castbridge', 'nginx', 'direct'):
                s = d if side == 'direct' else r['sides'].get(side)
                if not s or not s.get('lat_n'):
                    continue
                if side == 'direct' or not d:
                    added = '– | –'
                else:
                    added = (f"{fmt_ms(s['lat_p50'] - d['lat_p50'])} | "
                             f"{fmt_ms(s['lat_p99'] - d['lat_p99'])}")
                name = 'no relay' if side == 'direct' else side
                lines.append(f"| {r['n']} | {name} | {s['lat_n']} | {fmt_ms(s['lat_p50'])} | "
                             f"{fmt_ms(s['lat_p99'])} | {fmt_ms(s['lat_max'])} | {added} |")
        lines.append('')
        if any(r.get('direct') for r in results):
            lines.append('"no relay": the same publisher command straight into an `ffmpeg -listen 1` '
                         'probe, in the same window: what the measurement itself adds (the two '
                         'ffmpegs\' buffering and the reader threads). "added" is a relay\'s '
                         'percentile minus the no-relay one: the latency the relay adds.')
            lines.append('')
    if any(s.get('wire_n') for r in results for s in r['sides'].values()):
        lines.append('Latency added by the relay, on the wire (a capture of the loopback '
                     'interface after the CPU window: for each video message and each player, '
                     'the time from the segment that carries its last byte into the relay to '
                     'the segment that carries it out to the player; all players of the stream):')
        lines.append('')
        lines.append('| N | side | players | messages × players | p50 ms | p99 ms | max ms |')
        lines.append('|---:|---|---:|---:|---:|---:|---:|')
        for r in results:
            for side in ('castbridge', 'nginx'):
                s = r['sides'].get(side)
                if not s or not s.get('wire_n'):
                    continue
                lines.append(f"| {r['n']} | {side} | {s['wire_players']} | {s['wire_n']} | "
                             f"{fmt_ms3(s['wire_p50'])} | {fmt_ms3(s['wire_p99'])} | "
                             f"{fmt_ms3(s['wire_max'])} |")
        lines.append('')
        drops = [r.get('wire_drops') for r in results if r.get('wire_seconds')]
        lines.append(f"Each capture lasted {results[-1].get('wire_seconds', 0):g} s; the kernel "
                     f"dropped {', '.join(str(d) for d in drops)} captured packets in the "
                     "captures (a dropped packet loses the messages in it, not their times).")
        lines.append('')
    lines.append(f'"nginx ≈ 0": nginx\'s figure is within 3 ms of CPU over the window '
                 f'({floor_per_min:.3f} CPU s / min; one clock tick, {tick_per_min:.2f}, for the user and '
                 f'system split) or 0.1 MiB, so no ratio is given.')
    lines.append('')
    lines.append(
        '**How measured.** `python3 bench/relay.py` encodes one file once with ffmpeg '
        f'({SOURCE_SECONDS} s of testsrc2 1920x1080 30 fps, libx264 veryfast `-b:v 6M -maxrate 6M '
        '-bufsize 12M -g 60`, AAC 128 kbit/s) and, for each N, starts afresh a castbridge-server '
        '(a copy of the binary taken at the start) and a one-process nginx-rtmp (`master_process '
        'off`, `application live { live on; }`), both on 127.0.0.1. Two `ffmpeg -re -stream_loop '
        '-1 -c copy -flush_packets 1 -f flv` publish the same file to `live/src` on each, and N `ffmpeg -i '
        'rtmp://…/live/src -c copy -f null -` players play it from each — both relays run at the '
        'same time, so they share the same machine load. After the players have received their '
        f"first frame and a {meta['warmup']} s warm-up, the relay processes are measured together "
        f"over a {window} s window: CPU = the scheduler's run time of all threads "
        "(`/proc/PID/task/*/schedstat`, nanoseconds), split into user and system in the "
        "proportion of `/proc/PID/stat`'s utime and stime (10 ms clock ticks), "
        'expressed per minute of stream; RSS = `VmRSS` (and `RssAnon`: heap and buffers without '
        'shared-library pages) from `/proc/PID/status` every 0.5 s. The players report `frame=` '
        'every second (`-progress`); a player counts as receiving when it got ≥ 27 video frames '
        'per second over the window (the source is 30). Publishers and players are not counted in '
        'the relays\' figures but do run on the same 2 cores (at N=20, 40 players and 2 publishers), '
        'as do other engineers\' builds and tests: figures are noisy, differences of a few '
        'hundredths of a CPU-second per player-minute are not meaningful. For latency the '
        'publishers run with `-debug_ts -flush_packets 1` and, beside the N players, '
        f"{meta.get('probes', 0)} probe players per relay with `-debug_ts`; a reader thread stamps "
        'each video packet line with the monotonic clock as it arrives; a relay may shift '
        'timestamps by a constant (Castbridge starts a player at 0), so each probe is joined with the one shift that gives the smallest median latency that '
        'is not negative (5 ms of reader jitter allowed; a wrong shift is 33 ms off). On the '
        'wire (`bench/wirelat.py`, `--wire` seconds after the CPU window, as root): a packet '
        'socket on `lo` receives every TCP segment as its sender transmits it, stamped by the '
        'kernel (`SO_TIMESTAMPNS`); each direction of each relay connection is put back '
        'together from the segments\' sequence numbers; every video message of the source file '
        'is found by its last 24 bytes in the publisher\'s stream into the relay and in the '
        'relay\'s stream to each player (every connection that received more than 100 kB: the '
        'N players and the probes); the time between the two segments that carry that byte is '
        'the latency the relay added for that message and player. No ffmpeg stamps these '
        'times; a message whose last RTMP chunk boundary falls inside its 24 bytes is not '
        'found on that side and is left out.')
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
    lines.append(end)
    return '\n'.join(lines) + '\n'


def findings(notes, none_text):
    """The "Findings:" lines of a section: the notes in a code block, or `none_text`."""
    if not notes:
        return [f'Findings: {none_text}']
    return ['Findings:', '', '```', *notes, '```']


def close_section(lines, notes, begin, end, args, measured):
    """Ends a section (@lines start with @begin) with its notes and @end, prints it and, when
    something was @measured and the run may write, puts it in RESULTS.md."""
    if notes:
        lines += ['', '```'] + notes + ['```']
    lines.append(end)
    section = '\n'.join(lines) + '\n'
    print(section)
    if not args.no_write and measured:
        write_section(begin, end, section)
        print(f'written to {RESULTS}')


def encode(work, name, recipe, what):
    """The benchmark's source file @name in @work, encoded once by ffmpeg with @recipe."""
    path = os.path.join(work, name)
    print(f'relay.py: encoding {what} …', flush=True)
    t = time.monotonic()
    enc = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *recipe, path],
                         capture_output=True, text=True, timeout=240)
    if enc.returncode != 0:
        sys.exit('relay.py: encoding the source failed: ' + enc.stderr[-2000:])
    print(f'relay.py: encoded in {time.monotonic() - t:.0f} s', flush=True)
    return path


def run_counts(binary, source, counts, args, t_start, label, line, **run_args):
    """run() at each count within the budget; (results, notes). @line(figures, N): a side's
    figures as printed on the terminal."""
    results, notes = [], []
    per_run = args.window + args.warmup + 15
    for n in counts:
        if time.monotonic() - t_start + per_run > args.budget:
            notes.append(f'N={n} not run: it would end after the {args.budget:.0f} s budget')
            continue
        print(f'relay.py: {label}N={n} …', flush=True)
        try:
            r = run(binary, source, n, args, **run_args)
        except RuntimeError as e:
            notes.append(f'N={n}: run failed: {e}')
            print(notes[-1], file=sys.stderr)
            continue
        results.append(r)
        notes.extend(r['notes'])
        for side, s in r['sides'].items():
            print(f'  {side:10s} ' + line(s, n), flush=True)
            if n and s['receiving'] < n:
                notes.append(f"{side} N={n}: only {s['receiving']} of {n} players received ≥ "
                             f"{MIN_FPS} fps (min {fmt(s['fps_min'], 1)} fps, machine busy "
                             f"{r['busy']:.0f} %)")
    return results, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('binary', nargs='?', default=DEFAULT_BINARY)
    parser.add_argument('--counts', default='0,1,5,20', help='player counts (0 = the baseline)')
    parser.add_argument('--window', type=float, default=20)
    parser.add_argument('--warmup', type=float, default=5)
    parser.add_argument('--budget', type=float, default=330,
                        help='do not start a run that would end after this many seconds')
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    parser.add_argument('--scale', metavar='COUNTS',
                        help='instead: each relay alone, players of a 2.5 Mbit/s stream at these '
                             'counts (e.g. 50,100,200,300), up to the first count where a player '
                             'falls behind')
    parser.add_argument('--wire', type=float, default=3, metavar='SECONDS',
                        help='capture the loopback interface this long after each window for the '
                             'latency each relay adds on the wire (0: no capture; needs root)')
    parser.add_argument('--probes', type=int, default=2,
                        help='latency probes beside the N players (ffmpeg -debug_ts), 0: none')
    parser.add_argument('--floor', action='store_true',
                        help='instead: Castbridge, nginx-rtmp and bench/floor.c (one send per '
                             'message batch and nothing else) side by side at --counts, for what '
                             'the kernel alone charges per player')
    parser.add_argument('--cb-option', action='append', default=[], metavar='KEY=VALUE',
                        help='a setting for castbridge-server (-o); the figures get a section '
                             'of their own in RESULTS.md')
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
        'probes': args.probes,
        'cb_options': args.cb_option, 'markers': markers(args),
    }

    if args.scale:
        scale(binary, work, meta, args, t_start)
        return
    if args.floor:
        floor_mode(binary, work, meta, args, counts, t_start)
        return

    source = encode(work, 'source.flv', SOURCE_ENCODE, f'the {SOURCE_SECONDS} s 1080p source')
    results, notes = run_counts(binary, source, counts, args, t_start, '', lambda s, n: (
        f"CPU {s['cpu_per_min']:.2f} s/min RSS {s['rss']:.1f} MiB "
        f"players ≥27fps {s['receiving']}/{n} fps med {fmt(s['fps_med'], 1)} "
        f"min {fmt(s['fps_min'], 1)} latency p50 {fmt_ms(s['lat_p50'])} "
        f"p99 {fmt_ms(s['lat_p99'])} ms; on the wire p50 {fmt_ms3(s.get('wire_p50'))} "
        f"p99 {fmt_ms3(s.get('wire_p99'))} ms ({s.get('wire_n', 0)} messages × players)"))
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
        write_section(*markers(args), section)
        print(f'written to {RESULTS}')


def scale(binary, work, meta, args, t_start):
    """Each relay alone, more and more players of a 2.5 Mbit/s stream, until one falls behind."""
    counts = [int(x) for x in args.scale.split(',') if x.strip()]
    source = encode(work, 'scale.flv', SCALE_ENCODE, 'the 2.5 Mbit/s 720p source')
    # The scale table has no latency columns: no probes, no capture (at 400 players a
    # capture of lo loses most of its packets anyway).
    args.probes = 0
    args.wire = 0
    rows, last_ok, notes = [], {}, []
    for side in ('castbridge', 'nginx'):
        for n in counts:
            print(f'relay.py: scale {side} N={n} …', flush=True)
            try:
                r = run(binary, source, n, args, only=(side,))
            except RuntimeError as e:
                notes.append(f'{side} N={n}: run failed: {e}')
                break
            s = r['sides'][side]
            # Why players fell short (no frame at all, a publisher that exited): said with
            # the table, not only on the terminal.
            notes.extend(r['notes'])
            rows.append((side, n, s, r['busy']))
            print(f"  {side:10s} CPU {s['cpu_per_min']:.2f} s/min players ≥27fps "
                  f"{s['receiving']}/{n} fps min {fmt(s['fps_min'], 1)} busy {r['busy']:.0f} %",
                  flush=True)
            if s['receiving'] < n:
                break
            last_ok[side] = (n, s)
    L = [SCALE_BEGIN, '## RTMP relay at scale: each relay alone, players of one 2.5 Mbit/s '
         '720p30 stream', '']
    L.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu']}; load average "
             f"{meta['load_before']} before, {loadavg()} after; Castbridge `{meta['cb_version']}` "
             f"(tree `{meta['git']}`), {meta['nginx']}. The N players (`ffmpeg -c copy -f null`) "
             'run on the same 2 cores as the relay: the limit found is the machine\'s with '
             'its players, the same for both relays.')
    L.append('')
    L.append('| side | N | players at ≥ 27 fps | fps min | relay CPU s / stream-min | '
             'CPU s / player-min | RSS MiB | threads | machine busy % |')
    L.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for side, n, s, busy in rows:
        L.append(f"| {side} | {n} | {s['receiving']}/{n} | {fmt(s['fps_min'], 1)} | "
                 f"{fmt(s['cpu_per_min'])} | {fmt(s['cpu_per_min'] / n, 3)} | {fmt(s['rss'], 1)} | "
                 f"{s['threads']} | {busy:.0f} |")
    L.append('')
    for side in ('castbridge', 'nginx'):
        if side in last_ok:
            n, s = last_ok[side]
            L.append(f'- {side}: every player at full frame rate up to N={n} '
                     f"({fmt(s['cpu_per_min'] / n, 3)} CPU s per player-minute there).")
        else:
            L.append(f'- {side}: not every player at full frame rate even at the first count.')
    if 'castbridge' in last_ok and 'nginx' in last_ok:
        (nc, sc), (ng, sg) = last_ok['castbridge'], last_ok['nginx']
        if nc == ng:
            L.append(f"- At N={nc}, Castbridge / nginx-rtmp CPU: "
                     f"{ratio(sc['cpu_per_min'], sg['cpu_per_min'], 0.05)}.")
    close_section(L, notes, SCALE_BEGIN, SCALE_END, args, bool(rows))


def floor_mode(binary, work, meta, args, counts, t_start):
    """Castbridge, nginx-rtmp and the floor at once, for each count: CPU per stream-minute
    and per player-minute, and the floor's share of nginx's."""
    floor, why = build_floor(work)
    if floor is None:
        sys.exit('relay.py: bench/floor.c could not be built: ' + why)
    source = encode(work, 'source.flv', SOURCE_ENCODE, f'the {SOURCE_SECONDS} s 1080p source')
    args.probes = 0         # the floor speaks no RTMP: no latency probes, no capture
    args.wire = 0
    sides = ('castbridge', 'nginx', 'floor')
    results, notes = run_counts(binary, source, counts, args, t_start, 'floor ', lambda s, n: (
        f"CPU {s['cpu_per_min']:.2f} s/min (user {s['user_per_min']:.2f}, system "
        f"{s['sys_per_min']:.2f}) players ≥27fps {s['receiving']}/{n}"), only=sides, floor=floor)
    base = next((r for r in results if r['n'] == 0), None)

    def per_player(r, side):
        if not base or not r['n']:
            return None
        return (r['sides'][side]['cpu_per_min'] - base['sides'][side]['cpu_per_min']) / r['n']

    L = [FLOOR_BEGIN, '## RTMP relay: the floor of one send per message — Castbridge, nginx-rtmp '
         'and a relay that does nothing else', '']
    L.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu']} ({meta['kernel']}); load "
             f"average {meta['load_before']} before, {loadavg()} after; whole benchmark "
             f"{time.monotonic() - t_start:.0f} s. Castbridge `{meta['cb_version']}` (tree "
             f"`{meta['git']}`), {meta['nginx']} with libnginx-mod-rtmp {meta['rtmp_pkg']}, "
             f"{meta['ffmpeg']}.")
    L.append('')
    L.append('CPU s of the relay process per minute of stream (as in the relay section); '
             '"per player" is (value at N − value at N=0) / N; the three run at once, each with '
             'its own publisher and N players of the same 1080p30 6 Mbit/s file.')
    L.append('')
    L.append('| N | Castbridge | nginx | floor | floor user / system | Castbridge / nginx | '
             'floor / nginx | per player: Castbridge | nginx | floor | Castbridge / nginx | '
             'floor / nginx | players ≥ 27 fps (C / n / f) | machine busy % |')
    L.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for r in results:
        c, g, f = (r['sides'][k] for k in sides)
        pc, pg, pf = (per_player(r, k) for k in sides)
        L.append(f"| {r['n']} | {fmt(c['cpu_per_min'])} | {fmt(g['cpu_per_min'])} | "
                 f"{fmt(f['cpu_per_min'])} | {fmt(f['user_per_min'])} / {fmt(f['sys_per_min'])} | "
                 f"{ratio(c['cpu_per_min'], g['cpu_per_min'], 0.009)} | "
                 f"{ratio(f['cpu_per_min'], g['cpu_per_min'], 0.009)} | "
                 f"{fmt(pc, 3)} | {fmt(pg, 3)} | {fmt(pf, 3)} | {ratio(pc, pg, 0.009)} | "
                 f"{ratio(pf, pg, 0.009)} | "
                 f"{c['receiving'] if r['n'] else '–'} / {g['receiving'] if r['n'] else '–'} / "
                 f"{f['receiving'] if r['n'] else '–'} | {r['busy']:.0f} |")
    L.append('')
    L.append('**How measured.** `python3 bench/relay.py --floor` runs the relay benchmark\'s '
             'window (warm-up, then CPU from `/proc/PID/task/*/schedstat`) with a third relay '
             'beside Castbridge and nginx-rtmp: `bench/floor.c` (built with `cc -O2`), which '
             'takes the publisher\'s FLV over plain TCP (`ffmpeg -re … -flush_packets 1 -f flv '
             'tcp://…`; the RTMP publishers use the same flags), cuts each read into whole tags, '
             'copies them once and writes them to every player with one `sendmsg()` — players '
             'are `ffmpeg -f flv -i tcp://…`, the same demuxer as an RTMP player\'s. It keeps no '
             'timers, statistics, queues or protocol state and allocates once per read: what it '
             'spends per player is, near enough, what the kernel charges a process for one '
             'send per message to a loopback player (the copy into the socket, TCP, the '
             'delivery to the player, its wakeup). No relay that writes each message as it '
             'comes, as the latency goal wants, can spend much less per player.')
    close_section(L, notes, FLOOR_BEGIN, FLOOR_END, args, bool(results))


if __name__ == '__main__':
    main()
