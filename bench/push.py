#!/usr/bin/env python3
# push.py — CPU and memory per RTMP push agent, Castbridge side by side with nginx-rtmp `push`
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/push.py [path-to-castbridge-server] [--mode auto|ingest|test]
#                               [--counts 1,5,20] [--window 20] [--warmup 5] [--no-write]
#
# Python 3 standard library only; needs ffmpeg, ffprobe and nginx with the RTMP module (gdb is
# optional: a stack when the server hangs). Everything runs on 127.0.0.1 with free ports; every
# process started here is killed on exit. The figures go to bench/RESULTS.md, between
# <!-- push:MODE:begin --> and <!-- push:MODE:end --> (MODE: ingest or test); see bench/README.md.

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True      # leave no __pycache__ in tests/server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests', 'server'))
import nginxrtmp  # noqa: E402  (free_port, MODULE_PATHS, ffprobe)
sys.path.insert(0, HERE)
from benchlib import (RESULTS, Server, busy_percent, cpu_ns, first_line,  # noqa: E402,F401
                      loadavg, machine_ticks, mkdtemp, rest_post, proc_status, spawn, stop, tail,
                      wait_until, write_section)

DEFAULT_BINARY = os.path.join(ROOT, 'build', 'src', 'castbridge-server')
# One section per mode, so that a run in one mode keeps the other's latest figures.
MARKERS = {mode: (f'<!-- push:{mode}:begin -->', f'<!-- push:{mode}:end -->')
           for mode in ('ingest', 'test')}
REST_TIMEOUT = 5
PAGE_KB = os.sysconf('SC_PAGE_SIZE') // 1024

# The one stream both sides relay: 1280x720 30 fps H.264 2500 kbit/s CBR, keyframe every 2 s,
# no B-frames (as Castbridge's own test source), AAC 128 kbit/s 48 kHz stereo.
SOURCE_SECONDS = 10
SOURCE_ENCODE = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
                 '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
                 '-t', str(SOURCE_SECONDS), '-map', '0:v', '-map', '1:a',
                 '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
                 '-b:v', '2500k', '-minrate', '2500k', '-maxrate', '2500k', '-bufsize', '2500k',
                 '-x264-params', 'nal-hrd=cbr',
                 '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-bf', '0',
                 '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000', '-f', 'flv']


# ---- process bookkeeping ---------------------------------------------------------------------




# ---- /proc sampling --------------------------------------------------------------------------

def mapped_files(pid):
    """{path: resident KiB} of the files mapped by @pid (shared libraries, mostly)."""
    out, cur = {}, None
    try:
        with open(f'/proc/{pid}/smaps') as f:
            for line in f:
                parts = line.split()
                if not parts[0].endswith(':'):
                    cur = parts[5] if len(parts) > 5 and parts[5].startswith('/') else None
                elif parts[0] == 'Rss:' and cur:
                    out[cur] = out.get(cur, 0) + int(parts[1])
    except OSError:
        pass
    return out


# ---- nginx-rtmp ------------------------------------------------------------------------------

class Nginx:
    """nginx-rtmp, single process (master_process off), `live` application and an HTTP stat page."""

    def __init__(self, name, pushes=()):
        self.tmp = mkdtemp(f'cb-bench-{name}-')
        self.port = nginxrtmp.free_port()
        self.http_port = nginxrtmp.free_port()
        module = next(p for p in nginxrtmp.MODULE_PATHS if os.path.exists(p))
        push_lines = ''.join(f'      push {url};\n' for url in pushes)
        conf = f"""
load_module {module};
daemon off;
master_process off;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  server {{ listen 127.0.0.1:{self.http_port}; location /stat {{ rtmp_stat all; }} }}
}}
rtmp {{
  server {{
    listen 127.0.0.1:{self.port};
    chunk_size 4096;
    ping 10s;
    application live {{
      live on;
      record off;
{push_lines}    }}
  }}
}}
"""
        with open(os.path.join(self.tmp, 'nginx.conf'), 'w') as f:
            f.write(conf)
        self.proc = spawn(['nginx', '-c', os.path.join(self.tmp, 'nginx.conf'), '-p', self.tmp],
                          os.path.join(self.tmp, 'stdout'))
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f'nginx ({name}) did not start: '
                                       + tail(os.path.join(self.tmp, 'error.log')))
                time.sleep(0.05)

    def url(self, name=None):
        return f'rtmp://127.0.0.1:{self.port}/live' + (f'/{name}' if name else '')

    def stat(self):
        """{stream name: {'bytes_in': int, 'publishing': bool, 'meta': str}} of application live."""
        conn = http.client.HTTPConnection('127.0.0.1', self.http_port, timeout=10)
        try:
            conn.request('GET', '/stat')
            root = ET.fromstring(conn.getresponse().read())
        finally:
            conn.close()
        out = {}
        for app in root.iter('application'):
            if app.findtext('name') != 'live':
                continue
            for s in app.iter('stream'):
                video = s.find('meta/video')
                meta = ''
                if video is not None:
                    meta = f"{video.findtext('codec')} {video.findtext('width')}x{video.findtext('height')}"
                audio = s.find('meta/audio')
                if audio is not None:
                    meta += f" + {audio.findtext('codec')}"
                out[s.findtext('name')] = {'bytes_in': int(s.findtext('bytes_in') or 0),
                                           'publishing': s.find('publishing') is not None,
                                           'meta': meta.strip()}
        return out

    def stop(self):
        stop(self.proc)

    def log(self):
        return tail(os.path.join(self.tmp, 'error.log'))


def publish(source_file, url, log_path):
    """ffmpeg sends the pre-encoded file as a live stream, looping, without re-encoding."""
    return spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning', '-re',
                  '-stream_loop', '-1', '-i', source_file, '-c', 'copy', '-f', 'flv', url], log_path)


# ---- castbridge-server -----------------------------------------------------------------------

class Hung(RuntimeError):
    pass


class Exited(RuntimeError):
    pass


class Castbridge:
    def __init__(self, binary, extra=()):
        self.last_pushes = []
        self.server = Server(binary, extra)
        self.proc, self.tmp, self.log_path = self.server.proc, self.server.tmp, self.server.log_path
        self.http_port, self.rtmp_port = self.server.http_port, self.server.rtmp_port

    def rest(self, path, body=None):
        try:
            return rest_post(self.http_port, path, body, REST_TIMEOUT)
        except TimeoutError:
            raise Hung(f'castbridge-server stopped answering REST: no answer to {path} in '
                       f'{REST_TIMEOUT} s\n' + self.diagnose()) from None

    def pushes(self):
        status, answer = self.rest('push/find_all')
        if status == 200 and answer:
            self.last_pushes = answer
            return answer
        return []

    def diagnose(self):
        """What a hung server is doing: thread states, CPU, and the main thread's stack."""
        pid = self.proc.pid
        out = []
        try:
            c0 = cpu_ns(pid)
            time.sleep(1)
            out.append(f'CPU over 1 s while hung: {(cpu_ns(pid) - c0) / 1e9:.2f} s')
            states = []
            for tid in sorted(os.listdir(f'/proc/{pid}/task'), key=int):
                with open(f'/proc/{pid}/task/{tid}/stat') as f:
                    st = f.read()
                comm = st[st.index('(') + 1:st.rindex(')')]
                states.append(f"{comm}:{st.rsplit(')', 1)[1].split()[0]}")
            out.append('threads (state): ' + ', '.join(states))
            with open(f'/proc/{pid}/task/{pid}/wchan') as f:
                out.append('main thread waits in: ' + f.read().strip())
        except OSError as e:
            out.append(f'/proc: {e}')
        if self.last_pushes:
            out.append('last push/find_all before the hang: ' + ', '.join(
                f"{p.get('status')} bytesSent={p.get('bytesSent')} events="
                f"{[e['type'] for e in p.get('events', [])]}" for p in self.last_pushes[:3])
                + (' ...' if len(self.last_pushes) > 3 else ''))
        if shutil.which('gdb'):
            try:
                bt = subprocess.run(['gdb', '-batch', '-ex', 'thread 1', '-ex', 'bt 24',
                                     f'/proc/{pid}/exe', str(pid)],
                                    capture_output=True, text=True, timeout=40).stdout
                frames = []
                for l in bt.splitlines():
                    m = re.match(r'#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\)(?: (?:at|from) (\S+))?$', l)
                    if m:
                        frame = f'#{m.group(1)} {m.group(2)}' + (f' {m.group(3)}' if m.group(3) else '')
                        if frame not in frames:
                            frames.append(frame)
                out.append('main thread stack (gdb):\n' + '\n'.join(frames[:20]))
            except (OSError, subprocess.TimeoutExpired, IndexError):
                pass
        return '\n'.join(out)

    def stop(self):
        self.server.stop()

    def log(self):
        return self.server.log()


def castbridge_version(binary):
    try:
        return subprocess.run([binary, '--version'], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return '?'


# ---- one measured run ------------------------------------------------------------------------

def measure(proc, window, sample_every=0.5):
    pid = proc.pid
    t0 = time.monotonic()
    c0 = cpu_ns(pid)
    t0_main = cpu_ns(pid, pid)         # the main thread: Castbridge's engine main context
    m0 = machine_ticks()
    rss = []
    anon = []
    threads = 0
    while True:
        st = proc_status(pid)
        if proc.poll() is not None or 'VmRSS' not in st:
            raise Exited(f'the relay process exited during the window with status {proc.poll()}'
                         ' (negative: the signal that ended it)')
        rss.append(st['VmRSS'])
        anon.append(st.get('RssAnon', 0))
        threads = max(threads, st.get('Threads', 0))
        left = t0 + window - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(sample_every, left))
    c1 = cpu_ns(pid)
    t1_main = cpu_ns(pid, pid)
    m1 = machine_ticks()
    elapsed = time.monotonic() - t0
    busy = busy_percent(m0, m1)
    st = proc_status(pid)
    return {'window': elapsed, 'cpu_s': (c1 - c0) / 1e9,
            'cpu_pct': 100.0 * (c1 - c0) / 1e9 / elapsed,
            'main_pct': 100.0 * (t1_main - t0_main) / 1e9 / elapsed,
            'rss_avg': sum(rss) / len(rss), 'rss_peak': max(rss), 'hwm': st.get('VmHWM', 0),
            'anon_avg': sum(anon) / len(anon),
            'threads': threads, 'machine_busy': busy}


def sink_check(sink, names, before, after, window):
    live = [n for n in names if after.get(n, {}).get('publishing')
            and after[n]['bytes_in'] > before.get(n, {}).get('bytes_in', 0)]
    kbps = [(after[n]['bytes_in'] - before.get(n, {}).get('bytes_in', 0)) * 8 / window / 1000
            for n in live]
    metas = sorted({after[n]['meta'] for n in live})
    return {'live': len(live), 'kbps': (sum(kbps) / len(kbps)) if kbps else 0.0,
            'kbps_min': min(kbps) if kbps else 0.0, 'meta': ', '.join(metas)}


def probe(url):
    streams = nginxrtmp.ffprobe(url, timeout=12)
    if not streams:
        return 'no stream'
    parts = []
    for s in streams:
        if s.get('codec_type') == 'video':
            parts.append(f"{s.get('codec_name')} {s.get('width')}x{s.get('height')}")
        elif s.get('codec_type') == 'audio':
            parts.append(s.get('codec_name'))
    return ' + '.join(parts)


def run_castbridge(args, sink, source_file, mode, n, tag):
    names = [f'cb{tag}_{i}' for i in range(1, n + 1)]
    extra = ['--publish', 'src=test'] if mode == 'test' else []
    server = Castbridge(args.binary, extra)
    feeder = None
    result = {'side': 'castbridge', 'n': n, 'findings': []}
    try:
        if mode == 'ingest':
            feeder = publish(source_file, f'rtmp://127.0.0.1:{server.rtmp_port}/live/src',
                             os.path.join(server.tmp, 'ffmpeg.log'))

        def publishing():
            status, answer = server.rest('stream/find_all')
            if status != 200 or not answer:
                return None
            live = [s for s in answer if s.get('status') == 'PUBLISHING']
            named = [s for s in live if s.get('name') == 'src']
            if named:
                return named[0]['name']
            return live[0]['name'] if len(live) == 1 else None
        stream = wait_until(publishing, 20)
        if not stream:
            raise RuntimeError('the source stream never reached PUBLISHING in Castbridge:\n'
                               + server.log() + (tail(os.path.join(server.tmp, 'ffmpeg.log'))
                                                 if feeder else ''))
        result['stream'] = stream
        for name in names:
            status, answer = server.rest('push/startup', {'streamName': stream,
                                                          'rtmpUrl': sink.url(name),
                                                          'rtmpTransponderFullUrl': True})
            if status != 200:
                raise RuntimeError(f'push/startup {name}: {status} {answer}')
        if n:
            ok = wait_until(lambda: sum(p.get('status') == 'STREAMING'
                                        for p in server.pushes()) >= n, 20)
            if not ok:
                result['findings'].append('not all agents reached STREAMING within 20 s')
        time.sleep(args.warmup)
        before_sink = sink.stat()
        before_push = {p['mediaSessionId']: p for p in server.pushes()}
        result.update(measure(server.proc, args.window))
        result['maps'] = mapped_files(server.proc.pid)
        after_sink = sink.stat()
        after_push = server.pushes()
        result.update(sink_check(sink, names, before_sink, after_sink, result['window']))
        # Agents' own view: status, bytes sent during the window, drops, reconnects, events.
        statuses = {}
        grown = 0
        dropped = reconnects = 0
        for p in after_push:
            statuses[p['status']] = statuses.get(p['status'], 0) + 1
            b0 = before_push.get(p['mediaSessionId'], {}).get('bytesSent', 0)
            if p.get('bytesSent', 0) > b0:
                grown += 1
            dropped += p.get('dropped', 0)
            reconnects += p.get('reconnects', 0)
            types = [e['type'] for e in p.get('events', [])]
            if p['status'] != 'STREAMING' or types != ['Connected', 'StreamStarted']:
                result['findings'].append(
                    f"agent {p.get('publishName') or p['mediaSessionId']}: status {p['status']}, "
                    f"events {json.dumps(p.get('events', []))}")
        result['agents'] = ', '.join(f'{v} {k}' for k, v in sorted(statuses.items())) or '-'
        result['bytes_grew'] = grown
        result['dropped'] = dropped
        result['reconnects'] = reconnects
        if n:
            result['probe'] = probe(sink.url(names[-1]))
        if server.proc.poll() is not None:
            result['findings'].append(f'castbridge-server exited ({server.proc.returncode}):\n'
                                      + server.log())
    except Hung as e:
        # Does media still reach the destinations while the REST API is stuck?
        try:
            a = sink.stat()
            time.sleep(2)
            b = sink.stat()
            moving = sum(b.get(x, {}).get('bytes_in', 0) > a.get(x, {}).get('bytes_in', 0)
                         for x in names)
            got = [b.get(x, {}).get('bytes_in', 0) for x in names]
            sink_note = (f'\nsink: {moving}/{n} destinations still receiving; bytes received so '
                         f'far per destination: min {min(got) if got else 0}, max '
                         f'{max(got) if got else 0}')
        except OSError:
            sink_note = ''
        first, _, rest = str(e).partition('\n')
        result['findings'].append(f'{first}{sink_note}\n{rest}')
        for key in ('cpu_pct', 'cpu_s', 'main_pct'):     # figures of a stuck process mean nothing
            result.pop(key, None)
    except Exception as e:
        if server.proc.poll() is None:
            raise
        raise Exited(f'castbridge-server exited with status {server.proc.returncode} (negative: the '
                     f'signal that ended it) during the run ({type(e).__name__}: {e}); log tail:\n'
                     + server.log()[-1500:]) from None
    finally:
        stop(feeder)
        server.stop()
    return result


def run_nginx(args, sink, source_file, n, tag):
    names = [f'ng{tag}_{i}' for i in range(1, n + 1)]
    relay = Nginx('relay', [sink.url(name) for name in names])
    feeder = None
    result = {'side': 'nginx', 'n': n, 'findings': [], 'stream': 'src'}
    try:
        feeder = publish(source_file, relay.url('src'), os.path.join(relay.tmp, 'ffmpeg.log'))
        if not wait_until(lambda: relay.stat().get('src', {}).get('publishing'), 20):
            raise RuntimeError('the source never reached the relay nginx: '
                               + tail(os.path.join(relay.tmp, 'ffmpeg.log')) + relay.log())
        if n and not wait_until(lambda: sum(sink.stat().get(x, {}).get('publishing', False)
                                            for x in names) >= n, 20):
            result['findings'].append('not all pushes were publishing on the sink within 20 s')
        time.sleep(args.warmup)
        before_sink = sink.stat()
        result.update(measure(relay.proc, args.window))
        after_sink = sink.stat()
        result.update(sink_check(sink, names, before_sink, after_sink, result['window']))
        result['agents'] = '-'
        if n:
            result['probe'] = probe(sink.url(names[-1]))
        if relay.proc.poll() is not None:
            result['findings'].append('relay nginx exited: ' + relay.log())
    finally:
        stop(feeder)
        relay.stop()
    return result


# ---- report ----------------------------------------------------------------------------------

def fmt(x, digits=1):
    return '–' if x is None else f'{x:.{digits}f}'


# When nginx's whole difference between the two runs (not per agent) is below these, it is within
# the measurement's resolution and noise (CPU: 3 ms over the window; memory: 0.1 MiB of pages),
# and a ratio against it would mean nothing.
MEM_FLOOR_TOTAL = 0.1     # MiB


def ratio(a, b, floor_total, k):
    if a is None or b is None:
        return 'n/a'
    if b * k < floor_total:
        return 'nginx ≈ 0'
    if a <= 0:
        return 'n/a'
    return f'{a / b:.1f}×'


def per_agent(by, side, n, base_n=0):
    """(CPU %, RSS MiB, anon MiB, main-thread CPU %) per agent between base_n and n agents."""
    r, base = by.get((side, n)), by.get((side, base_n))
    if not r or not base or 'cpu_pct' not in r or 'cpu_pct' not in base or n == base_n:
        return None, None, None, None
    k = n - base_n
    return ((r['cpu_pct'] - base['cpu_pct']) / k, (r['rss_avg'] - base['rss_avg']) / 1024 / k,
            (r['anon_avg'] - base['anon_avg']) / 1024 / k, (r['main_pct'] - base['main_pct']) / k)


def median_runs(results):
    """One result per side and N: of repeated runs, the one with the median CPU (its other
    figures with it), which keeps every run's CPU % in 'cpu_runs'."""
    groups = {}
    for r in results:
        groups.setdefault((r['side'], r['n']), []).append(r)
    out = []
    for runs in groups.values():
        measured = sorted((r for r in runs if 'cpu_pct' in r), key=lambda r: r['cpu_pct'])
        if not measured:
            out.append(runs[0])
            continue
        pick = dict(measured[(len(measured) - 1) // 2])
        pick['cpu_runs'] = [r['cpu_pct'] for r in runs if 'cpu_pct' in r]
        pick['findings'] = [f for r in runs for f in r.get('findings', [])]
        out.append(pick)
    return out


def render(meta, results, mode, counts, notes):
    by = {(r['side'], r['n']): r for r in results}
    title = 'RTMP ingest' if mode == 'ingest' else '`--publish src=test` fallback'
    lines = [MARKERS[mode][0], f'## RTMP push: CPU and memory per agent — {title}', '']
    lines.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu_model']} "
                 f"({meta['kernel']}); load average {meta['load_before']} before, "
                 f"{meta['load_after']} after; whole benchmark {meta['elapsed']:.0f} s.")
    lines.append(f"Castbridge `{meta['cb_version']}` (`{meta['binary']}` built "
                 f"{meta['binary_mtime']}, tree `{meta['git']}`); "
                 f"{meta['nginx_version']} with nginx-rtmp {meta['rtmp_version']}; "
                 f"{meta['ffmpeg_version']}.")
    lines.append('')
    if mode == 'ingest':
        lines.append('**Mode: RTMP ingest** — the same ffmpeg stream is published into Castbridge '
                     '(`rtmp://127.0.0.1:PORT/live/src`) and into the relay nginx; both only relay '
                     'it (passthrough). Castbridge\'s ingest, fan-out and push output all run on its '
                     'main thread here.')
    else:
        why = ('this build has RTMP ingest, but `--mode test` was asked for'
               if meta.get('has_ingest') else 'this Castbridge build has no RTMP ingest (`rtmp=0`)')
        lines.append(f'**Mode: `--publish src=test` fallback** — {why}, '
                     'so Castbridge relays its own test source (1280x720 30 fps '
                     'H.264 2500 kbit/s, keyframe every 2 s, Opus audio) while nginx relays the '
                     'ffmpeg stream of the same shape. Encoding the test source costs Castbridge an '
                     'x264 encode at every N: it is in the 0-agent baseline and subtracted, but it '
                     'makes the baseline large and noisy. Its audio is Opus, so the first agent '
                     'also starts the stream\'s one Opus→AAC transcoder (shared by all agents); '
                     'that fixed cost lands in "per agent" at N=1 and is spread over the agents at '
                     'larger N. The "marginal" row (from the smallest to the largest N) leaves it '
                     'out and is the better per-agent figure in this mode.')
    lines.append('')
    lines.append('| N | side | CPU % (total) | CPU % / agent | main thread CPU % | RSS avg MiB | '
                 'RSS peak MiB | RSS MiB / agent | anon MiB / agent | live on sink | '
                 'kbit/s per dest | agents (Castbridge find_all) |')
    lines.append('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    for n in [0] + counts:
        for side in ('castbridge', 'nginx'):
            r = by.get((side, n))
            if r is None or 'cpu_pct' not in r:
                lines.append(f'| {n} | {side} | no figures (see findings) | | | | | | | | | |')
                continue
            cpu_a, mem_a, anon_a, _ = per_agent(by, side, n)
            live = f"{r['live']}/{n}" if n else '–'
            kbps = (f"{r['kbps']:.0f}" + (f" (min {r['kbps_min']:.0f})" if n > 1 else '')) if n else '–'
            agents = '–'
            if side == 'castbridge' and n:
                agents = (f"{r.get('agents', '-')}; bytesSent grew {r.get('bytes_grew', 0)}/{n}, "
                          f"dropped {r.get('dropped', 0)}, reconnects {r.get('reconnects', 0)}")
            main = fmt(r['main_pct'], 2) if side == 'castbridge' else '(= total)'
            lines.append(f"| {n} | {side} | {fmt(r['cpu_pct'], 2)} | {fmt(cpu_a, 3)} | {main} | "
                         f"{fmt(r['rss_avg'] / 1024)} | {fmt(r['rss_peak'] / 1024)} | "
                         f"{fmt(mem_a, 2)} | {fmt(anon_a, 2)} | {live} | {kbps} | {agents} |")
    lines.append('')
    lines.append('Castbridge vs nginx-rtmp, per agent (Castbridge / nginx):')
    lines.append('')
    lines.append('| N | CPU % / agent | ratio | main-thread CPU % / agent | ratio | RSS MiB / agent | '
                 'ratio | anon MiB / agent | ratio |')
    lines.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    cpu_floor = 0.003 / meta['window'] * 100
    rows = [(str(n), n, 0) for n in counts]
    if len(counts) >= 2:
        rows.append((f'marginal {counts[0]}→{counts[-1]}', counts[-1], counts[0]))
    for label, n, base_n in rows:
        cb = per_agent(by, 'castbridge', n, base_n)
        ng = per_agent(by, 'nginx', n, base_n)
        k = n - base_n
        lines.append(f'| {label} | {fmt(cb[0], 3)} vs {fmt(ng[0], 3)} | {ratio(cb[0], ng[0], cpu_floor, k)} | '
                     f'{fmt(cb[3], 3)} vs {fmt(ng[0], 3)} | {ratio(cb[3], ng[0], cpu_floor, k)} | '
                     f'{fmt(cb[1], 2)} vs {fmt(ng[1], 3)} | {ratio(cb[1], ng[1], MEM_FLOOR_TOTAL, k)} | '
                     f'{fmt(cb[2], 2)} vs {fmt(ng[2], 3)} | {ratio(cb[2], ng[2], MEM_FLOOR_TOTAL, k)} |')
    lines.append('')
    if mode == 'ingest':
        lines.append('"main thread" is Castbridge\'s main thread alone, where the engine\'s main '
                     'context runs the RTMP ingest, the fan-out and every agent\'s RTMP output; '
                     'nginx\'s one thread is compared with it as a whole.')
    else:
        lines.append('"main thread" is Castbridge\'s main thread alone, where the engine\'s main '
                     'context runs every agent\'s RTMP output (chunking, socket writes, '
                     'acknowledgements); the fan-out into the agents\' queues runs in the test '
                     'source\'s streaming threads and is not in it. It is far less noisy than the '
                     'process total, whose baseline holds the test source\'s encoder; nginx\'s one '
                     'thread is compared with it as a whole.')
    lines.append('')
    lines.append(f'"nginx ≈ 0": nginx\'s whole difference between the two runs is below the resolution '
                 f'({cpu_floor:.3f} % CPU, {MEM_FLOOR_TOTAL} MiB), so no ratio is given.')
    lines.append('')
    lines.append(
        f"**How measured.** `python3 bench/push.py` starts, all on 127.0.0.1 with free ports, a "
        f"sink nginx-rtmp (`live on`) that receives every push. The source is one file, encoded "
        f"once by ffmpeg ({SOURCE_SECONDS} s of testsrc2 1280x720 30 fps, libx264 veryfast CBR 2500 "
        f"kbit/s, GOP 60, no B-frames, AAC 128 kbit/s) and sent live with `ffmpeg -re "
        f"-stream_loop -1 -c copy`. For each N the relay is started afresh: castbridge-server with "
        f"N `POST /rest-api/push/startup` (full-URL mode, destinations `live/cb<N>_<i>`), or an "
        f"nginx-rtmp (`master_process off`, one process) whose `live` application has N "
        f"`push rtmp://…/live/ng<N>_<i>;` lines. After a {meta['warmup']:.0f} s warm-up, CPU is "
        f"the scheduler's run time of the relay process (all threads, `/proc/PID/task/*/schedstat`, "
        f"in nanoseconds; `/proc/PID/stat`'s utime+stime is the same time in 10 ms ticks) over a "
        f"{meta['window']:.0f} s window, as % of one core; RSS is `VmRSS` (and `RssAnon`, the "
        f"process's own heap and buffers, without shared-library pages) from `/proc/PID/status`, "
        f"sampled every 0.5 s (average and peak). Per agent = (value at N − value at N=0) / N. "
        + (f"Every side and N ran {meta['repeat']} times, in rounds (every N of both sides, "
           f"then again); of each, the run with the median CPU is the one shown, with all its "
           f"figures, and every run's CPU % is listed under \"Per run\". "
           if meta.get('repeat', 1) > 1 else '') +
        f"\"live on sink\" counts destinations that the sink's `rtmp_stat` shows publishing with "
        f"bytes arriving during the window, and kbit/s is what arrived there; the last destination "
        f"of each run is also checked with ffprobe. The source ffmpeg, the sink and ffprobe are "
        f"not counted. The machine has {meta['cpus']} cores shared with other work (see \"machine "
        f"busy\" below), so the figures are noisy: per-agent differences of a few tenths of a "
        f"percent of CPU are not meaningful, and the Castbridge baseline in fallback mode varies "
        f"by a few percent from run to run.")
    lines.append('')
    lines.append('Per run: machine busy % (all cores, from /proc/stat) during the window, threads, '
                 'CPU seconds, ffprobe of the last destination, sink metadata.')
    lines.append('')
    for r in results:
        if 'cpu_pct' not in r:
            continue
        lines.append(f"- {r['side']} N={r['n']}: machine busy {r['machine_busy']:.0f} %, "
                     f"{r['threads']} threads, CPU {r['cpu_s']:.3f} s in {r['window']:.1f} s, "
                     f"VmHWM {r['hwm'] / 1024:.1f} MiB"
                     + (f", CPU % of the {len(r['cpu_runs'])} runs: "
                        + ', '.join(f'{x:.3f}' for x in r['cpu_runs'])
                        if len(r.get('cpu_runs', [])) > 1 else '')
                     + (f", ffprobe: {r['probe']}" if r.get('probe') else '')
                     + (f", sink: {r['meta']}" if r.get('meta') else ''))
    findings = [f"{r['side']} N={r['n']}: {f}" for r in results for f in r.get('findings', [])]
    findings += notes
    lines.append('')
    if not findings:
        lines.append('Findings: none — every destination was live for the whole window.')
    else:
        lines.append('Findings:')
        for f in findings:
            lines.append('')
            lines.append('```')
            lines.append(f[:5000])
            lines.append('```')
    lines.append(MARKERS[mode][1])
    return '\n'.join(lines) + '\n'


def first_agent_note(results):
    """Where Castbridge's memory goes when the first agent starts: heap or newly mapped files."""
    by = {(r['side'], r['n']): r for r in results if 'cpu_pct' in r}
    base = by.get(('castbridge', 0))
    ones = sorted(n for (side, n) in by if side == 'castbridge' and n > 0)
    if not base or not ones:
        return []
    first = by[('castbridge', ones[0])]
    rss = (first['rss_avg'] - base['rss_avg']) / 1024
    anon = (first['anon_avg'] - base['anon_avg']) / 1024
    if rss < 5:
        return []
    new = {k: v for k, v in first.get('maps', {}).items() if k not in base.get('maps', {})}
    top = sorted(new.items(), key=lambda kv: -kv[1])[:12]
    files = sum(new.values()) / 1024
    return [f"castbridge: from 0 to {ones[0]} agent(s) RSS grows by {rss:.1f} MiB, of which "
            f"{anon:.1f} MiB anonymous (heap, buffers); {len(new)} files not mapped at N=0 are "
            f"mapped now, {files:.1f} MiB resident — the largest: "
            + ', '.join(f'{os.path.basename(k)} {v / 1024:.1f}' for k, v in top)
            + ' (MiB). The marginal row shows what each further agent adds.']


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('binary', nargs='?', default=DEFAULT_BINARY)
    parser.add_argument('--window', type=float, default=20.0, help='measurement window, s')
    parser.add_argument('--warmup', type=float, default=5.0, help='warm-up before the window, s')
    parser.add_argument('--counts', default='1,5,20', help='agent counts, run in this order')
    parser.add_argument('--repeat', type=int, default=1,
                        help='run every side and count this many times, in rounds; the run with '
                             'the median CPU counts')
    parser.add_argument('--budget', type=float, default=345.0,
                        help='stop starting new runs when this many seconds would be exceeded')
    parser.add_argument('--mode', choices=('auto', 'ingest', 'test'), default='auto',
                        help='how the stream gets into Castbridge: RTMP ingest of the ffmpeg '
                             'stream, or its own test source (--publish src=test); auto takes '
                             'ingest when the server has an RTMP port')
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    counts = [int(x) for x in args.counts.split(',') if x.strip()]
    started = time.monotonic()

    for tool in ('ffmpeg', 'ffprobe', 'nginx'):
        if shutil.which(tool) is None:
            sys.exit(f'{tool} is not installed')
    if not nginxrtmp.available():
        sys.exit('nginx has no RTMP module (libnginx-mod-rtmp)')
    if not os.access(args.binary, os.X_OK):
        sys.exit(f'no castbridge-server at {args.binary}')

    with open('/proc/cpuinfo') as f:
        model = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), '?')
    meta = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
            'cpus': os.cpu_count(), 'cpu_model': model,
            'kernel': f'{platform.system()} {platform.release()}',
            'load_before': loadavg(),
            'cb_version': castbridge_version(args.binary),
            'git': first_line(['git', '-C', ROOT, 'describe', '--always', '--dirty']),
            'nginx_version': first_line(['nginx', '-v']).replace('nginx version: ', ''),
            'ffmpeg_version': ' '.join(first_line(['ffmpeg', '-version']).split()[:3]),
            'rtmp_version': '?', 'window': args.window, 'warmup': args.warmup,
            'binary': os.path.relpath(args.binary, ROOT) if args.binary.startswith(ROOT + os.sep)
            else args.binary}
    try:
        pkg = subprocess.run(['dpkg-query', '-W', '-f', '${Version}', 'libnginx-mod-rtmp'],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pkg = ''

    work = mkdtemp('cb-bench-push-')
    # The build directory may be rebuilt while this runs: every run uses one copy of the binary.
    # (Named cb-bench-server so that no one's `pkill castbridge-server` hits it by accident.)
    snapshot = os.path.join(work, 'cb-bench-server')
    shutil.copy2(args.binary, snapshot)
    meta['binary_mtime'] = datetime.datetime.fromtimestamp(
        os.path.getmtime(args.binary), datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    args.binary = snapshot
    source_file = os.path.join(work, 'source.flv')
    print('encoding the source once ...', flush=True)
    subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *SOURCE_ENCODE,
                    source_file], check=True, timeout=120)

    # Does this build ingest RTMP?  rtmp=PORT (non-zero) in its "listening" line says so.
    probe_server = Castbridge(args.binary)
    has_ingest = probe_server.rtmp_port != 0
    probe_server.stop()
    mode = args.mode if args.mode != 'auto' else ('ingest' if has_ingest else 'test')
    if mode == 'ingest' and not has_ingest:
        sys.exit('this castbridge-server has no RTMP ingest (rtmp=0): use --mode test')
    meta['has_ingest'] = has_ingest
    print(f'castbridge mode: {mode}', flush=True)

    sink = Nginx('sink')
    stat = ET.fromstring(urllib_get(f'http://127.0.0.1:{sink.http_port}/stat'))
    meta['rtmp_version'] = (stat.findtext('nginx_rtmp_version') or '?') + (
        f' (libnginx-mod-rtmp {pkg})' if pkg else '')

    results, notes = [], []
    per_run = args.warmup + args.window + 12     # start, settle, ffprobe, stop
    rounds = [(rep, n, side) for rep in range(args.repeat) for n in [0] + counts
              for side in ('castbridge', 'nginx')]
    try:
        for rep, n, side in rounds:
            if True:
                if time.monotonic() - started + per_run > args.budget:
                    notes.append(f'{side} N={n} (round {rep + 1}) not run: time budget of '
                                 f'{args.budget:.0f} s')
                    continue
                print(f'{side} N={n} (round {rep + 1} of {args.repeat}) ...', flush=True)
                if sink.proc.poll() is not None:
                    # Not ours to explain, but say so: a signal here means something outside
                    # this benchmark killed it (another job's cleanup, the OOM killer).
                    notes.append(f'the sink nginx exited with status {sink.proc.returncode} before '
                                 f'{side} N={n}; started a new one. Its log: {sink.log()[-500:]}')
                    print('  ' + notes[-1], flush=True)
                    sink = Nginx('sink')
                try:
                    if side == 'castbridge':
                        r = run_castbridge(args, sink, source_file, mode, n, n)
                    else:
                        r = run_nginx(args, sink, source_file, n, n)
                except Exception as e:          # report it, go on with the other runs
                    where = traceback.extract_tb(e.__traceback__)[-1]
                    r = {'side': side, 'n': n,
                         'findings': [f'run failed: {type(e).__name__}: {e} (at {where.name}, '
                                      f'line {where.lineno}: {where.line})'
                                      + ('; the sink nginx had exited '
                                         f'({sink.proc.returncode})' if sink.proc.poll() is not None
                                         else '')]}
                results.append(r)
                if 'cpu_pct' in r:
                    print(f"  CPU {r['cpu_pct']:.1f} %  RSS avg {r['rss_avg'] / 1024:.1f} MiB  "
                          f"live {r.get('live')}/{n}  {r.get('agents', '')}  "
                          f"busy {r['machine_busy']:.0f} %", flush=True)
                for f in r.get('findings', []):
                    print('  FINDING: ' + f[:2000], flush=True)
    finally:
        sink.stop()

    results = median_runs(results)
    meta['repeat'] = args.repeat
    notes += first_agent_note(results)
    meta['load_after'] = loadavg()
    meta['elapsed'] = time.monotonic() - started
    section = render(meta, results, mode, counts, notes)
    print(section)
    if not args.no_write:
        write_section(*MARKERS[mode], section)
        print(f'written to {RESULTS}')


def urllib_get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


if __name__ == '__main__':
    main()
