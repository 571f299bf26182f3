#!/usr/bin/env python3
# record.py — what recording one 1080p30 6 Mbit/s RTMP stream costs Castbridge, side by side
# with an ffmpeg that records the same stream to MP4; and what each vod:// viewer costs
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/record.py [path-to-castbridge-server] [--only record|vod]
#                                 [--counts 0,1,5,10] [--window 60] [--warmup 5] [--budget 720]
#                                 [--no-write]
#
# Python 3 standard library only; needs ffmpeg and ffprobe. Everything runs on 127.0.0.1 with
# free ports; every process started here is killed on exit. The process bookkeeping, /proc
# readers and the server's start come from benchlib.py; the castbridge-server wrapper, publisher
# and players from relay.py. The figures
# go to bench/RESULTS.md between <!-- record:begin --> and <!-- record:end -->; see
# bench/README.md.

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True      # leave no __pycache__ in bench/ or tests/server

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import relay  # noqa: E402  (Castbridge, Player, publish, the source's encoding)
from benchlib import (CLK_TCK, RESULTS, ROOT, busy_percent, cpu_ticks, first_line,  # noqa: E402
                      loadavg, machine_ticks, mkdtemp, proc_status, spawn, stop, tail, wait_until,
                      write_section)
from relay import FPS, MIN_FPS, fmt  # noqa: E402

DEFAULT_BINARY = relay.DEFAULT_BINARY
BEGIN, END = '<!-- record:begin -->', '<!-- record:end -->'
STREAM = 'rec'                 # the live stream that is recorded
VOD_FILE = 'vod-1080p.mp4'     # the file vod:// viewers play, in the media folder
VOD_UNAVAILABLE = 'VOD not available in this build'


# ---- Castbridge with a media folder and a records folder of our own ---------------------------

class Castbridge(relay.Castbridge):
    """relay.Castbridge (a benchlib.Server; REST, streams(), log(), stop())
    with a media folder holding `media_files` and a records folder of our own."""

    def __init__(self, binary, media_files=()):
        folder = mkdtemp('cb-bench-record-folders-')
        self.media = os.path.join(folder, 'media')
        self.records = os.path.join(folder, 'records')
        os.mkdir(self.media)
        os.mkdir(self.records)
        for path in media_files:
            # A hard link (a symbolic link out of the media folder is refused), else a copy.
            target = os.path.join(self.media, os.path.basename(path))
            try:
                os.link(path, target)
            except OSError:
                shutil.copy(path, target)
        super().__init__(binary, ['-o', 'record_dir=' + self.records], self.media)

    def publisher(self, name):
        """The published stream `name` (POST /rest-api/stream/find), once it has video and
        audio, else None."""
        status, answer = self.rest('stream/find', {'name': name})
        if status != 200 or not isinstance(answer, list):
            return None
        return next((s for s in answer if s.get('published', True) and
                     s.get('status') == 'PUBLISHING' and s.get('width', 0) > 0 and
                     s.get('audioCodec')), None)

    def recordings(self):
        status, answer = self.rest('castbridge/recordings/find_all')
        return answer if status == 200 and isinstance(answer, list) else []

    def records_bytes(self):
        """Bytes in the records folder, the hidden file being written included."""
        total = 0
        for entry in os.scandir(self.records):
            try:
                total += entry.stat().st_size
            except OSError:
                pass
        return total


class FfmpegRecorder(relay.Player):
    """`ffmpeg -i rtmp://… -c copy -f mp4 FILE`: the peer recorder, with relay.Player's frame
    count from -progress."""

    def __init__(self, url, path, tmp):
        self.path = path
        self.progress = os.path.join(tmp, 'ffmpeg-rec.progress')
        self.log_path = os.path.join(tmp, 'ffmpeg-rec.log')
        self.proc = spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning', '-y',
                           '-rw_timeout', '15000000', '-i', url, '-map', '0', '-c', 'copy',
                           '-f', 'mp4', path, '-progress', self.progress, '-stats_period', '1'],
                          self.log_path)

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def finish(self):
        """SIGINT, as `q` would: ffmpeg writes the index and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        stop(self.proc)


# ---- measuring --------------------------------------------------------------------------------

def measure(pids, window, alive=None):
    """CPU (utime+stime of all threads) of each pid over `window` seconds, VmRSS/RssAnon every
    0.5 s, and the machine's busy share. `alive`: a callable that raises when something died."""
    c0 = {k: cpu_ticks(p) for k, p in pids.items()}
    m0 = machine_ticks()
    t0 = time.monotonic()
    rss = {k: [] for k in pids}
    anon = {k: [] for k in pids}
    threads = {k: 0 for k in pids}
    while True:
        if alive:
            alive()
        for k, p in pids.items():
            st = proc_status(p)
            rss[k].append(st['VmRSS'])
            anon[k].append(st.get('RssAnon', 0))
            threads[k] = max(threads[k], st.get('Threads', 0))
        left = t0 + window - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(0.5, left))
    elapsed = time.monotonic() - t0
    c1 = {k: cpu_ticks(p) for k, p in pids.items()}
    m1 = machine_ticks()
    out = {'elapsed': elapsed, 'busy': busy_percent(m0, m1)}
    for k in pids:
        ticks = c1[k] - c0[k]
        out[k] = {'ticks': ticks, 'cpu_s': ticks / CLK_TCK,
                  'cpu': 100.0 * ticks / CLK_TCK / elapsed,
                  'rss': statistics.mean(rss[k]) / 1024, 'rss_peak': max(rss[k]) / 1024,
                  'anon': statistics.mean(anon[k]) / 1024, 'threads': threads[k]}
    return out


def probe(path):
    """(duration s, {codec_type: codec_name}, error) of a file, from ffprobe."""
    try:
        out = subprocess.run(['ffprobe', '-v', 'error', '-show_entries',
                              'format=duration:stream=codec_type,codec_name,width,height',
                              '-of', 'json', path], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 0.0, {}, str(e)
    if out.returncode != 0:
        return 0.0, {}, out.stderr.strip()[-300:] or f'ffprobe exited with {out.returncode}'
    data = json.loads(out.stdout or '{}')
    codecs = {}
    for s in data.get('streams', []):
        name = s.get('codec_name', '?')
        if s.get('codec_type') == 'video' and s.get('width'):
            name += f" {s['width']}x{s['height']}"
        codecs[s.get('codec_type', '?')] = name
    try:
        duration = float(data.get('format', {}).get('duration', 0))
    except ValueError:
        duration = 0.0
    return duration, codecs, ''


def describe(duration, codecs, error):
    if error:
        return f'ffprobe failed: {error}'
    return f"{duration:.1f} s, " + ' + '.join(codecs[k] for k in sorted(codecs, reverse=True))


# ---- 1. recording: Castbridge's recorder vs ffmpeg --------------------------------------------

def run_record(binary, source, args):
    out = {'notes': []}
    tmp = mkdtemp('cb-bench-record-rec-')
    server = Castbridge(binary)
    procs = []
    try:
        pub_log = os.path.join(tmp, 'publisher.log')
        pub = relay.publish(source, server.url(STREAM), pub_log)
        procs.append(pub)
        stream = wait_until(lambda: server.publisher(STREAM), 20)
        if not stream:
            raise RuntimeError(f'the published stream did not appear within 20 s\n'
                               + tail(pub_log, 600) + server.log())
        msid = stream['mediaSessionId']
        out['stream'] = (f"{stream.get('videoCodec', '?')} {stream.get('width')}x"
                         f"{stream.get('height')} + {stream.get('audioCodec', '?')}")

        # The peer: an ffmpeg that plays the stream from Castbridge and writes MP4. It runs from
        # before the baseline, so that its RTMP play costs Castbridge the same in both windows
        # and only Castbridge's own recorder makes the difference.
        ff = FfmpegRecorder(server.url(STREAM), os.path.join(tmp, 'ffmpeg.mp4'), tmp)
        procs.append(ff.proc)
        if not wait_until(lambda: ff.frames() > 0 or ff.proc.poll() is not None, 20, 0.5) \
                or ff.proc.poll() is not None:
            raise RuntimeError('the ffmpeg recorder got no frame within 20 s: '
                               + tail(ff.log_path, 600))

        def alive():
            for name, proc, log in (('castbridge-server', server.proc, server.log_path),
                                    ('the publishing ffmpeg', pub, pub_log),
                                    ('the recording ffmpeg', ff.proc, ff.log_path)):
                if proc.poll() is not None:
                    raise RuntimeError(f'{name} exited with status {proc.poll()}: '
                                       + tail(log, 600))

        pids = {'castbridge': server.proc.pid, 'ffmpeg': ff.proc.pid}
        time.sleep(args.warmup)
        print(f'record.py: baseline (0 recordings), {args.window:.0f} s …', flush=True)
        f0, s0 = ff.frames(), ff.size()
        out['base'] = measure(pids, args.window, alive)
        out['base']['ff_fps'] = (ff.frames() - f0) / out['base']['elapsed']
        out['base']['ff_bytes'] = ff.size() - s0
        print(f"  baseline: machine busy {out['base']['busy']:.0f} %", flush=True)

        status, answer = server.rest('stream/startRecording', {'mediaSessionId': msid})
        if status != 200:
            raise RuntimeError(f'stream/startRecording answered {status} {answer}\n' + server.log())
        status, running = server.rest('recorder/find_all')
        name = next((r['fileName'] for r in running or [] if r.get('mediaSessionId') == msid),
                    None) if status == 200 else None
        out['file'] = name
        time.sleep(args.warmup)
        print(f'record.py: recording, {args.window:.0f} s …', flush=True)
        f0, s0, r0 = ff.frames(), ff.size(), server.records_bytes()
        out['rec'] = measure(pids, args.window, alive)
        out['rec']['ff_fps'] = (ff.frames() - f0) / out['rec']['elapsed']
        out['rec']['ff_bytes'] = ff.size() - s0
        out['rec']['cb_bytes'] = server.records_bytes() - r0
        print(f"  recording: machine busy {out['rec']['busy']:.0f} %", flush=True)
        status, running = server.rest('recorder/find_all')
        out['recording_at_end'] = status == 200 and any(
            r.get('mediaSessionId') == msid for r in running or [])

        # Stop both; Castbridge's finishing (the fragmented file rewritten with its index in
        # front) is timed and its CPU counted apart from the windows.
        c0, t0 = cpu_ticks(server.proc.pid), time.monotonic()
        status, answer = server.rest('stream/stopRecording', {'mediaSessionId': msid})
        if status != 200:
            out['notes'].append(f'stream/stopRecording answered {status} {answer}')
        done = wait_until(lambda: next((r for r in server.recordings()
                                        if r.get('fileName') == name and
                                        r.get('state') in ('FINISHED', 'RECOVERED', 'FAILED')),
                                       None), 30, 0.1)
        out['finish_s'] = time.monotonic() - t0
        out['finish_cpu_s'] = (cpu_ticks(server.proc.pid) - c0) / CLK_TCK
        out['record'] = done or {}
        ff.finish()
        if not done:
            out['notes'].append(f'recording {name}: not FINISHED 30 s after stopRecording: '
                                f'{server.recordings()}')
        elif done.get('state') != 'FINISHED':
            out['notes'].append(f"recording {name}: {done.get('state')} ({done.get('reason')})")
        path = os.path.join(server.records, name) if name else None
        out['cb_probe'] = probe(path) if path and os.path.exists(path) else \
            (0.0, {}, f'no file {name!r} in the records folder: {os.listdir(server.records)}')
        out['ff_probe'] = probe(ff.path)
        out['cb_size'] = os.path.getsize(path) if path and os.path.exists(path) else 0
        out['ff_size'] = ff.size()
        return out
    finally:
        for proc in procs:
            stop(proc)
        server.stop()


# ---- 2. vod:// viewers ------------------------------------------------------------------------

def vod_url(server):
    return server.url('vod://' + VOD_FILE)


def vod_preflight(binary, vod_path):
    """None when one vod:// player gets frames, else why not (a build without VOD refuses
    the name, and the player exits)."""
    tmp = mkdtemp('cb-bench-record-vodcheck-')
    server = Castbridge(binary, [vod_path])
    player = None
    try:
        player = relay.Player(vod_url(server), tmp, 'check')
        wait_until(lambda: player.frames() > 0 or player.proc.poll() is not None, 15, 0.25)
        if player.frames() > 0:
            return None
        why = re.sub(r'\[\w+ @ 0x[0-9a-f]+\] ', '', tail(player.log_path, 400))
        why = why.strip().splitlines()
        state = ('exited with status %d' % player.proc.poll() if player.proc.poll() is not None
                 else 'no frame after 15 s')
        return f"the player {state}: {' | '.join(why[-2:]) if why else '(no output)'}"
    finally:
        if player:
            player.stop()
        server.stop()


def run_vod(binary, vod_path, n, args):
    tmp = mkdtemp(f'cb-bench-record-vod{n}-')
    server = Castbridge(binary, [vod_path])
    players = []
    out = {'n': n, 'notes': []}
    try:
        players = [relay.Player(vod_url(server), tmp, f'vod{n}-{i}') for i in range(n)]
        if n and not wait_until(lambda: all(p.frames() > 0 for p in players), 20, 0.5):
            late = [p for p in players if p.frames() == 0]
            out['notes'].append(f'N={n}: {len(late)} of {n} vod:// players had no frame after '
                                f'20 s; first one\'s log: '
                                + tail(late[0].log_path, 400).strip().replace('\n', ' | '))
        time.sleep(args.warmup if n else 1)

        def alive():
            if server.proc.poll() is not None:
                raise RuntimeError(f'castbridge-server exited with status {server.proc.poll()}'
                                   + server.log())

        f0 = [p.frames() for p in players]
        m = measure({'castbridge': server.proc.pid}, args.window, alive)
        f1 = [p.frames() for p in players]
        fps = [(b - a) / m['elapsed'] for a, b in zip(f0, f1)]
        out.update(m['castbridge'])
        out.update({'busy': m['busy'], 'elapsed': m['elapsed'],
                    'fps_min': min(fps) if fps else None,
                    'fps_med': statistics.median(fps) if fps else None,
                    'receiving': sum(1 for x in fps if x >= MIN_FPS),
                    'running': sum(1 for p in players if p.proc.poll() is None),
                    'streams': len(server.streams())})
        if n and out['running'] < n:
            out['notes'].append(f"N={n}: {n - out['running']} players exited: "
                                + tail(next(p for p in players if p.proc.poll() is not None)
                                       .log_path, 300).strip().replace('\n', ' | '))
        return out
    finally:
        for p in players:
            p.stop()
        server.stop()


# ---- report -----------------------------------------------------------------------------------

def ratio(a, b, floor, name):
    if a is None or b is None:
        return '–'
    if b <= floor:
        return f'{name} ≈ 0'
    return f'{a / b:.2f}'


def render(meta, rec, vod, vod_skip, notes):
    window = meta['window']
    tick = 100.0 / CLK_TCK / window            # one clock tick over the window, in % of a core
    L = [BEGIN, '## Recording: Castbridge\'s recorder vs ffmpeg; cost per vod:// viewer', '']
    L.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu']} ({meta['kernel']}); "
             f"load average {meta['load_before']} before, {meta['load_after']} after; whole "
             f"benchmark {meta['total']:.0f} s.")
    L.append(f"Castbridge `{meta['cb_version']}` (`{meta['binary']}` built "
             f"{meta['binary_mtime']}, tree `{meta['git']}`); {meta['ffmpeg']}.")
    L.append('')
    L.append('CPU is in % of one core (utime+stime of all the process\'s threads over the '
             f'window); "machine busy" is all cores, from /proc/stat. Window {window:.0f} s, '
             f"warm-up {meta['warmup']:.0f} s; one clock tick over the window is {tick:.2f} % "
             'of a core, and a ratio is only given when the divisor is above that ("ffmpeg ≈ 0" '
             'otherwise).')
    L.append('')
    L.append('### Recording one 1080p30 6 Mbit/s H.264 + AAC RTMP stream')
    L.append('')
    if rec is None:
        L.append('Not run (`--only vod`).' if meta['only'] == 'vod' else 'Not run (see Findings).')
    else:
        b, r = rec['base'], rec['rec']
        L.append(f"Stream `live/{STREAM}` as Castbridge reports it: {rec.get('stream', '?')}.")
        L.append('')
        L.append('| window | Castbridge CPU % | RSS MiB | anon MiB | threads | ffmpeg → MP4 CPU % '
                 '| ffmpeg RSS MiB | ffmpeg anon MiB | ffmpeg fps | machine busy % |')
        L.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        for label, w in (('baseline: 0 recordings', b), ('Castbridge records', r)):
            c, f = w['castbridge'], w['ffmpeg']
            L.append(f"| {label} | {fmt(c['cpu'])} | {fmt(c['rss'], 1)} | {fmt(c['anon'], 1)} | "
                     f"{c['threads']} | {fmt(f['cpu'])} | {fmt(f['rss'], 1)} | "
                     f"{fmt(f['anon'], 1)} | {fmt(w['ff_fps'], 1)} | {w['busy']:.0f} |")
        d_cpu = r['castbridge']['cpu'] - b['castbridge']['cpu']
        d_rss = r['castbridge']['rss'] - b['castbridge']['rss']
        d_anon = r['castbridge']['anon'] - b['castbridge']['anon']
        f = r['ffmpeg']
        L.append('')
        L.append('| per recording | Castbridge: recording − baseline | ffmpeg (its whole process) '
                 '| Castbridge / ffmpeg (goal ≤ 1.0) |')
        L.append('|---|---:|---:|---:|')
        L.append(f"| CPU % of one core | {fmt(d_cpu)} | {fmt(f['cpu'])} | "
                 f"{ratio(d_cpu, f['cpu'], tick, 'ffmpeg')} |")
        L.append(f"| RSS MiB | {fmt(d_rss, 1)} | {fmt(f['rss'], 1)} | "
                 f"{ratio(d_rss, f['rss'], 0.1, 'ffmpeg')} |")
        L.append(f"| anon MiB (heap, buffers) | {fmt(d_anon, 1)} | {fmt(f['anon'], 1)} | "
                 f"{ratio(d_anon, f['anon'], 0.1, 'ffmpeg')} |")
        L.append('')
        kbit = lambda n: n * 8 / 1000 / r['elapsed']   # noqa: E731
        rec_state = rec.get('record', {})
        L.append(f"Files: during the recording window Castbridge's file grew "
                 f"{r.get('cb_bytes', 0) / 1e6:.1f} MB ({kbit(r.get('cb_bytes', 0)):.0f} kbit/s) "
                 f"and ffmpeg's {r['ff_bytes'] / 1e6:.1f} MB ({kbit(r['ff_bytes']):.0f} kbit/s). "
                 f"Castbridge's recording `{rec.get('file')}`: {rec_state.get('state', '?')} "
                 f"{fmt(rec['finish_s'], 1)} s after stopRecording (finishing cost "
                 f"{fmt(rec['finish_cpu_s'])} CPU s, not in the windows), "
                 f"{rec['cb_size'] / 1e6:.1f} MB, ffprobe: {describe(*rec['cb_probe'])}; "
                 f"ffmpeg's MP4 after SIGINT: {rec['ff_size'] / 1e6:.1f} MB, ffprobe: "
                 f"{describe(*rec['ff_probe'])}.")
    L.append('')
    L.append('### Cost per vod:// viewer (RTMP play of `vod://FILE.mp4`)')
    L.append('')
    if vod_skip:
        L.append(f'**{vod_skip}.**')
    elif not vod:
        L.append('Not run (`--only record`).' if meta['only'] == 'record' else
                 'Not run (see Findings).')
    else:
        L.append(f"File: `{VOD_FILE}` in the media folder, {meta['vod_desc']}. Each N on a fresh "
                 'castbridge-server; "per viewer" is (value at N − value at N=0) / N.')
        L.append('')
        L.append('| N | Castbridge CPU % | CPU % / viewer | RSS MiB | RSS MiB / viewer | anon MiB '
                 '| anon MiB / viewer | threads | viewers at ≥ 27 fps | viewer fps median (min) '
                 '| machine busy % |')
        L.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
        base = next((v for v in vod if v['n'] == 0), None)
        for v in vod:
            n = v['n']
            per = (lambda k: (v[k] - base[k]) / n) if base and n else (lambda k: None)
            recv = f"{v['receiving']}/{n}" if n else '–'
            fps = f"{fmt(v['fps_med'], 1)} ({fmt(v['fps_min'], 1)})" if n else '–'
            L.append(f"| {n} | {fmt(v['cpu'])} | {fmt(per('cpu'))} | {fmt(v['rss'], 1)} | "
                     f"{fmt(per('rss'))} | {fmt(v['anon'], 1)} | {fmt(per('anon'))} | "
                     f"{v['threads']} | {recv} | {fps} | {v['busy']:.0f} |")
    L.append('')
    L.append(
        '**How measured.** `python3 bench/record.py` encodes one file once with ffmpeg (20 s of '
        'testsrc2 1920x1080 30 fps, libx264 veryfast `-b:v 6M -maxrate 6M -bufsize 12M -g 60`, '
        'AAC 128 kbit/s — relay.py\'s source). *Recording:* a copy of castbridge-server '
        '(`--media-dir`, `-o record_dir=`, free ports on 127.0.0.1) gets that file published in a '
        f'loop (`ffmpeg -re -stream_loop -1 -c copy -f flv` to `live/{STREAM}`), and an `ffmpeg -i '
        f'rtmp://127.0.0.1:PORT/live/{STREAM} -c copy -f mp4 FILE` plays it from Castbridge and '
        'writes MP4 for the whole run — so its RTMP play is in Castbridge\'s baseline too. After '
        'a warm-up, a baseline window (0 recordings), then `POST /rest-api/stream/startRecording` '
        '(the `mediaSessionId` from `stream/find {"name"}`), a warm-up and the recording window; '
        'both processes are measured in the same windows: CPU from `/proc/PID/stat`, `VmRSS` and '
        '`RssAnon` from `/proc/PID/status` every 0.5 s (averages). Castbridge\'s cost of a '
        'recording is the difference between the windows; ffmpeg\'s is its whole process. Then '
        '`stream/stopRecording`, the recording waited for in `castbridge/recordings/find_all`, '
        'ffmpeg stopped with SIGINT, and both files checked with ffprobe. *VOD:* a 1080p30 MP4 '
        'made from the same source with `-c copy` (long enough for the run) is put in the media '
        'folder; for each N a fresh server gets N `ffmpeg -i rtmp://…/live/vod://FILE -c copy -f '
        'null -` players (`-progress`: a viewer at ≥ 27 video frames per second gets the full '
        'rate), measured after a warm-up; N=0 is the idle server. A build whose RTMP play does '
        'not know `vod://` refuses the name: one player is tried first, and the section then '
        f'says "{VOD_UNAVAILABLE}". Publisher, players and ffprobe are not counted; they run on '
        'the same cores. On a shared machine (see "machine busy") differences of a few tenths '
        'of a percent are noise.')
    L.append('')
    if notes:
        L.append('Findings:')
        L.append('')
        L.append('```')
        L.extend(notes)
        L.append('```')
    else:
        L.append('Findings: none.')
    L.append(END)
    return '\n'.join(L) + '\n'


def main():
    parser = argparse.ArgumentParser(
        description='Recording CPU of Castbridge vs ffmpeg, and cost per vod:// viewer')
    parser.add_argument('binary', nargs='?', default=DEFAULT_BINARY)
    parser.add_argument('--only', choices=('record', 'vod'), help='run one of the two parts')
    parser.add_argument('--counts', default='0,1,5,10', help='vod:// viewer counts (0: baseline)')
    parser.add_argument('--window', type=float, default=60,
                        help='seconds measured per window (long: a few clock ticks of CPU must '
                             'not move the ratio)')
    parser.add_argument('--warmup', type=float, default=5)
    parser.add_argument('--budget', type=float, default=720,
                        help='do not start a run that would end after this many seconds')
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    args = parser.parse_args()
    t_start = time.monotonic()
    counts = sorted({int(x) for x in args.counts.split(',') if x.strip()} | {0})
    for tool in ('ffmpeg', 'ffprobe'):
        if not shutil.which(tool):
            sys.exit(f'record.py: {tool} is needed')
    if not os.path.isfile(args.binary):
        sys.exit(f'record.py: no castbridge-server at {args.binary}')

    work = mkdtemp('cb-bench-record-')
    binary = os.path.join(work, 'cb-bench-server')
    shutil.copy2(os.path.abspath(args.binary), binary)
    meta = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'cpus': os.cpu_count(), 'kernel': f'Linux {platform.release()}',
        'cpu': next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo')
                     if l.startswith('model name')), '?'),
        'load_before': loadavg(), 'window': args.window, 'warmup': args.warmup,
        'binary': (os.path.relpath(os.path.abspath(args.binary), ROOT)
                   if os.path.abspath(args.binary).startswith(ROOT + os.sep)
                   else os.path.abspath(args.binary)),
        'only': args.only,
        'cb_version': first_line([binary, '--version']),
        'binary_mtime': datetime.datetime.fromtimestamp(
            os.path.getmtime(args.binary), datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'git': first_line(['git', '-C', ROOT, 'describe', '--always', '--dirty']),
        'ffmpeg': ' '.join(first_line(['ffmpeg', '-version']).split()[:3]),
    }

    source = os.path.join(work, 'source.flv')
    print(f'record.py: encoding the {relay.SOURCE_SECONDS} s 1080p source …', flush=True)
    t = time.monotonic()
    enc = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                          *relay.SOURCE_ENCODE, source], capture_output=True, text=True,
                         timeout=240)
    if enc.returncode != 0:
        sys.exit('record.py: encoding the source failed: ' + enc.stderr[-2000:])
    print(f'record.py: encoded in {time.monotonic() - t:.0f} s', flush=True)

    notes, rec, vod, vod_skip = [], None, [], None
    if args.only != 'vod':
        if time.monotonic() - t_start + 2 * (args.window + args.warmup) + 30 > args.budget:
            notes.append(f'recording not run: it would end after the {args.budget:.0f} s budget')
        else:
            try:
                rec = run_record(binary, source, args)
                notes.extend(rec['notes'])
            except RuntimeError as e:
                notes.append(f'recording: run failed: {e}')
                print(notes[-1], file=sys.stderr)
            if rec:
                b, r = rec['base'], rec['rec']
                d = r['castbridge']['cpu'] - b['castbridge']['cpu']
                f = r['ffmpeg']['cpu']
                print(f"  Castbridge CPU {b['castbridge']['cpu']:.2f} % → "
                      f"{r['castbridge']['cpu']:.2f} % (added {d:.2f} %), RSS added "
                      f"{r['castbridge']['rss'] - b['castbridge']['rss']:.1f} MiB; ffmpeg → MP4 "
                      f"CPU {f:.2f} %, RSS {r['ffmpeg']['rss']:.1f} MiB; ratio "
                      f"{ratio(d, f, 100.0 / CLK_TCK / args.window, 'ffmpeg')} (goal ≤ 1.0); "
                      f"machine busy {b['busy']:.0f} / {r['busy']:.0f} %", flush=True)
                cbp, ffp = rec['cb_probe'], rec['ff_probe']
                for who, grew, p in (('Castbridge', r.get('cb_bytes', 0), cbp),
                                     ('ffmpeg', r['ff_bytes'], ffp)):
                    if grew <= 0:
                        notes.append(f'{who}\'s recording did not grow during the window')
                    if p[2] or p[0] <= 0:
                        notes.append(f'{who}\'s finished recording does not decode: '
                                     f'{describe(*p)}')
                if not rec.get('recording_at_end'):
                    notes.append('Castbridge\'s recorder was not running any more at the end of '
                                 'the recording window (recorder/find_all)')
                for w in ('base', 'rec'):
                    if rec[w]['ff_fps'] < MIN_FPS:
                        notes.append(f"the ffmpeg recorder received {rec[w]['ff_fps']:.1f} fps in "
                                     f"the {'baseline' if w == 'base' else 'recording'} window "
                                     f"(< {MIN_FPS}; machine busy {rec[w]['busy']:.0f} %)")

    if args.only != 'record':
        vod_path = os.path.join(work, VOD_FILE)
        # Long enough that no viewer reaches the end: first-frame wait + warm-up + window.
        loops = max(3, int((20 + args.warmup + args.window + 15) // relay.SOURCE_SECONDS) + 1)
        mk = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                             '-stream_loop', str(loops - 1), '-i', source, '-c', 'copy',
                             '-movflags', '+faststart', vod_path],
                            capture_output=True, text=True, timeout=120)
        if mk.returncode != 0:
            notes.append('VOD: making the MP4 failed: ' + mk.stderr[-500:])
        else:
            duration, codecs, err = probe(vod_path)
            meta['vod_desc'] = describe(duration, codecs, err) + \
                f', {os.path.getsize(vod_path) / 1e6:.0f} MB'
            print('record.py: vod:// — does this build play it? …', flush=True)
            try:
                why = vod_preflight(binary, vod_path)
            except RuntimeError as e:
                why = f'the check failed: {e}'
            if why:
                vod_skip = f'{VOD_UNAVAILABLE} ({why})'
                print(f'  {vod_skip}', flush=True)
            else:
                for n in counts:
                    if time.monotonic() - t_start + args.window + args.warmup + 15 > args.budget:
                        notes.append(f'VOD N={n} not run: it would end after the '
                                     f'{args.budget:.0f} s budget')
                        continue
                    print(f'record.py: {n} vod:// viewers …', flush=True)
                    try:
                        v = run_vod(binary, vod_path, n, args)
                    except RuntimeError as e:
                        notes.append(f'VOD N={n}: run failed: {e}')
                        print(notes[-1], file=sys.stderr)
                        continue
                    vod.append(v)
                    notes.extend(v['notes'])
                    print(f"  Castbridge CPU {v['cpu']:.2f} % RSS {v['rss']:.1f} MiB viewers "
                          f"≥27fps {v['receiving']}/{n} fps med {fmt(v['fps_med'], 1)} min "
                          f"{fmt(v['fps_min'], 1)}; machine busy {v['busy']:.0f} %", flush=True)
                    if n and v['receiving'] < n:
                        notes.append(f"VOD N={n}: only {v['receiving']} of {n} viewers received "
                                     f"≥ {MIN_FPS} fps (min {fmt(v['fps_min'], 1)}, machine busy "
                                     f"{v['busy']:.0f} %)")
                    if n and v['fps_med'] is not None and v['fps_med'] > FPS * 1.5:
                        notes.append(f"VOD N={n}: viewers received {v['fps_med']:.0f} fps "
                                     f"(median) — faster than the file's {FPS}: not paced")
                base = next((v for v in vod if v['n'] == 0), None)
                if base:
                    for v in vod:
                        if v['n']:
                            print(f"  per viewer at N={v['n']}: CPU "
                                  f"{(v['cpu'] - base['cpu']) / v['n']:.2f} %, RSS "
                                  f"{(v['rss'] - base['rss']) / v['n']:.2f} MiB, anon "
                                  f"{(v['anon'] - base['anon']) / v['n']:.2f} MiB", flush=True)

    meta['load_after'] = loadavg()
    meta['total'] = time.monotonic() - t_start
    section = render(meta, rec, vod, vod_skip, notes)
    print(section)
    if not args.no_write and (rec or vod or vod_skip):
        write_section(BEGIN, END, section)
        print(f'written to {RESULTS}')


if __name__ == '__main__':
    main()
