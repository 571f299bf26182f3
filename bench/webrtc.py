#!/usr/bin/env python3
# webrtc.py — WebRTC viewers of one 720p30 1.5 Mbit/s H.264 + Opus stream at scale: Castbridge
# and Janus 1.1.2 side by side, the same stream, the same load generator (issue 13)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The full benchmark, one command (about 15 minutes; run it on a quiet machine):
#
#     python3 bench/webrtc.py
#
# Usage: python3 bench/webrtc.py [path-to-castbridge-server]
#            [--counts 0,1,10,50,100,200,300,400] [--window 20] [--warmup 3]
#            [--sides castbridge,janus] [--signaling whep|wcs]
#            [--webrtcbin-option KEY=VALUE] [--cb-option KEY=VALUE …] [--keep-going]
#            [--budget 1500] [--no-write]
#
# Needs Python 3 (standard library only), ffmpeg, and the Debian 12 packages in
# bench/webrtc-load/debian-packages.txt (Go and Pion for the load generator, Janus); as root it
# installs the missing ones through build-aux/install-deps.sh. Builds the generator
# (bench/webrtc-load/build.sh) offline. Everything runs on 127.0.0.1 with free ports, except
# Janus, which gathers no loopback candidate: it runs in a network namespace of its own joined
# by a veth pair (as root; else on this machine's first global address, with a warning). Every
# process, namespace and veth started here is ended on exit. The figures go to bench/RESULTS.md
# between <!-- webrtc-load:begin --> and <!-- webrtc-load:end -->; see bench/README.md.

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True

import relay  # noqa: E402  (process bookkeeping, /proc readers, the server wrapper, publisher)
import cbtest  # noqa: E402  (NetnsHost: a test host in a network namespace; on sys.path by relay)
from relay import (ROOT, RESULTS, CLK_TCK, spawn, stop, mkdtemp, tail, first_line,  # noqa: E402
                   cpu_ticks, proc_status, machine_ticks, loadavg, wait_until, fmt)

HERE = os.path.dirname(os.path.abspath(__file__))
LOADGEN_DIR = os.path.join(HERE, 'webrtc-load')
BENCH_PACKAGES = os.path.join(LOADGEN_DIR, 'debian-packages.txt')
BEGIN, END = '<!-- webrtc-load:begin -->', '<!-- webrtc-load:end -->'
STREAM = 'src'
JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus'

# The stream both servers carry: 1280x720 30 fps H.264 1.5 Mbit/s (keyframe every second, no
# B-frames), 20 s of testsrc2, AAC in FLV for Castbridge's RTMP ingest (FLV has no Opus:
# Castbridge makes Opus once per stream while it has WebRTC viewers) and Opus for Janus (made
# by the ffmpeg that feeds it, outside Janus's figures). Sent in a loop by ffmpeg -re -c copy.
SOURCE_SECONDS = 20
SOURCE_ENCODE = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
                 '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
                 '-t', str(SOURCE_SECONDS), '-map', '0:v', '-map', '1:a',
                 '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
                 '-pix_fmt', 'yuv420p', '-b:v', '1.5M', '-maxrate', '1.5M', '-bufsize', '3M',
                 '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
                 '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000', '-f', 'flv']


# ---- tools -----------------------------------------------------------------------------------

def missing_packages():
    out = []
    with open(BENCH_PACKAGES) as f:
        for line in f:
            pkg = line.strip()
            if not pkg or pkg.startswith('#'):
                continue
            st = subprocess.run(['dpkg-query', '-W', '-f=${db:Status-Status}', pkg],
                                capture_output=True, text=True)
            if st.stdout.strip() != 'installed':
                out.append(pkg)
    return out


def build_loadgen(out):
    """Builds the generator into `out`; returns an error text or None."""
    r = subprocess.run([os.path.join(LOADGEN_DIR, 'build.sh'), out], capture_output=True, text=True,
                       timeout=600)
    return None if r.returncode == 0 else (r.stderr or r.stdout).strip()[-1500:]


class Loadgen:
    """One run of the generator; measures `pids` over the generator's own window."""

    def __init__(self, binary, args, tmp, tag):
        self.log_path = os.path.join(tmp, f'{tag}.loadgen.log')
        self.args = [binary, *args]
        self.window_started = threading.Event()
        self.window_ended = threading.Event()
        self.proc = None

    def run(self, pids, timeout):
        with open(self.log_path, 'w') as log:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
            relay.track(self.proc)
            out = []
            reader = threading.Thread(target=lambda: out.append(self.proc.stdout.read()), daemon=True)
            reader.start()
            t = threading.Thread(target=self._stderr, args=(log,), daemon=True)
            t.start()
            measured = None
            deadline = time.monotonic() + timeout
            while not self.window_started.wait(0.2):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    break
            if self.window_started.is_set():
                measured = measure_until(pids, self.window_ended, deadline)
            try:
                self.proc.wait(timeout=max(5, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            stop(self.proc)
            reader.join(5)
            t.join(5)
        summary = None
        for line in ''.join(x for x in out if x).splitlines():
            try:
                summary = json.loads(line)
            except ValueError:
                pass
        return summary, measured

    def _stderr(self, log):
        for line in self.proc.stderr:
            if '"window-start"' in line:
                self.window_started.set()
            elif '"window-end"' in line:
                self.window_ended.set()
            else:
                log.write(line)
        self.window_ended.set()


def measure_until(pids, done, deadline):
    """CPU of each pid until `done` is set, VmRSS and threads every 0.5 s, machine busy share."""
    c0 = {k: cpu_ticks(p) for k, p in pids.items()}
    m0 = machine_ticks()
    t0 = time.monotonic()
    rss = {k: [] for k in pids}
    threads = {k: 0 for k in pids}
    while True:
        for k, p in pids.items():
            try:
                st = proc_status(p)
            except OSError:
                continue
            rss[k].append(st['VmRSS'])
            threads[k] = max(threads[k], st.get('Threads', 0))
        if done.wait(0.5) or time.monotonic() > deadline:
            break
    elapsed = time.monotonic() - t0
    c1 = {}
    for k, p in pids.items():
        try:
            c1[k] = cpu_ticks(p)
        except OSError:
            c1[k] = c0[k]
    m1 = machine_ticks()
    out = {'elapsed': elapsed, 'busy': 100.0 * (1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0]))}
    for k in pids:
        ticks = c1[k] - c0[k]
        out[k] = {'cpu': 100.0 * ticks / CLK_TCK / elapsed,
                  'rss': statistics.mean(rss[k]) / 1024 if rss[k] else None,
                  'threads': threads[k]}
    return out


# ---- the servers -----------------------------------------------------------------------------

class CastbridgeSide:
    def __init__(self, name, binary, source, options, signaling):
        self.name = name
        self.signaling = signaling
        args = []
        for o in options:
            args += ['-o', o]
        self.server = relay.Castbridge(binary, args)
        self.proc = self.server.proc
        self.pid = self.proc.pid
        self.publisher = relay.publish(source, self.server.url(STREAM),
                                       os.path.join(self.server.tmp, 'publisher.log'))
        if not wait_until(lambda: any(s.get('name') == STREAM and s.get('status') == 'PUBLISHING'
                                      for s in self.server.streams()), 20):
            raise RuntimeError('the stream did not start publishing:\n' + self.server.log())

    def loadgen_args(self):
        if self.signaling == 'wcs':
            return ['-mode', 'wcs', '-url', f'ws://127.0.0.1:{self.server.ws_port}/', '-stream', STREAM]
        return ['-mode', 'whep', '-url', f'http://127.0.0.1:{self.server.http_port}/whep/{STREAM}']

    def log(self):
        return self.server.log()

    def stop(self):
        stop(self.publisher)
        self.server.stop()


def free_udp_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def annex_b(source):
    """The source remuxed once (-c copy) to NUT with H.264 in Annex B: the SPS and PPS then go
    in-band before each IDR picture, as a WebRTC viewer needs them. (ffmpeg 5.1's
    `-bsf:v h264_mp4toannexb` with `-stream_loop` stops the video at the first loop; MPEG-TS
    would add an access unit delimiter packet per frame.)"""
    out = source + '.nut'
    if not os.path.exists(out):
        r = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-c', 'copy',
                            '-bsf:v', 'h264_mp4toannexb', '-f', 'nut', out], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError('remuxing the source for Janus failed: ' + r.stderr[-1000:])
    return out


def janus_host():
    """A network namespace for Janus (cbtest.NetnsHost: a veth pair, a private /30), or None
    with a warning when there can be none (not root, no `ip`): Janus gathers no loopback
    candidate, so its viewers meet it on the namespace's veth address."""
    try:
        return cbtest.NetnsHost()
    except unittest.SkipTest as e:
        print(f'webrtc.py: WARNING: no network namespace for Janus ({e}); its viewers use this '
              "machine's first global IPv4 address instead", file=sys.stderr, flush=True)
        return None


def host_interface():
    """(interface, IPv4) of the first global address, where Janus's viewers meet it when it
    cannot have a namespace (still on this machine). ('lo', '127.0.0.1') when there is none."""
    try:
        out = subprocess.run(['ip', '-4', '-o', 'addr', 'show', 'scope', 'global'],
                             capture_output=True, text=True, timeout=5).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 4 and f[2] == 'inet':
                return f[1], f[3].split('/')[0]
    except (OSError, subprocess.TimeoutExpired):
        pass
    return 'lo', '127.0.0.1'


class JanusSide:
    """Janus with only its HTTP transport and streaming plugin, one RTP mountpoint on loopback
    ports, fed by ffmpeg: the same H.264 copied, the AAC made Opus. Janus and its ffmpeg run in
    a network namespace of their own (`host`): Janus's HTTP API and its ICE candidate are on
    the namespace's end of the veth pair, the viewers on this machine's end; the RTP from
    ffmpeg stays on the namespace's loopback. Without a namespace (not root), on this machine's
    first global address."""

    def __init__(self, source, host):
        self.name = 'janus'
        self.host = host
        self.tmp = mkdtemp('cb-bench-janus-')
        self.http_port = relay.nginxrtmp.free_port()
        if host:    # Janus's API and candidate at ns_ip; the viewers at host_ip
            self.iface, self.http_ip, self.local_ip = host.ns_if, host.ns_ip, host.host_ip
            wrap = host.command
        else:       # API on 127.0.0.1; candidate and viewers on the machine's address
            self.iface, self.local_ip = host_interface()
            self.http_ip = '127.0.0.1'
            wrap = lambda *cmd: list(cmd)  # noqa: E731
        vport, aport = free_udp_port(), free_udp_port()
        for sub, lib in (('plugins', 'libjanus_streaming.so'), ('transports', 'libjanus_http.so')):
            os.mkdir(os.path.join(self.tmp, sub))
            os.symlink(os.path.join(JANUS_LIB, sub, lib), os.path.join(self.tmp, sub, lib))
        for sub in ('events', 'loggers'):
            os.mkdir(os.path.join(self.tmp, sub))
        conf = {
            'janus.jcfg': f'''general: {{
  configs_folder = "{self.tmp}"
  plugins_folder = "{self.tmp}/plugins"
  transports_folder = "{self.tmp}/transports"
  events_folder = "{self.tmp}/events"
  loggers_folder = "{self.tmp}/loggers"
  debug_level = 3
  session_timeout = 120
  server_name = "castbridge-bench"
}}
media: {{
}}
nat: {{
  ice_enforce_list = "{self.iface}"
  ignore_mdns = true
}}
events: {{
  broadcast = false
}}
''',
            'janus.transport.http.jcfg': f'''general: {{
  json = "compact"
  base_path = "/janus"
  http = true
  port = {self.http_port}
  ip = "{self.http_ip}"
  https = false
}}
admin: {{
  admin_http = false
}}
''',
            'janus.plugin.streaming.jcfg': f'''general: {{
  events = false
}}
bench: {{
  type = "rtp"
  id = 1
  description = "castbridge bench"
  audio = true
  video = true
  audioport = {aport}
  audiopt = 111
  audiocodec = "opus"
  audioiface = "127.0.0.1"
  videoport = {vport}
  videopt = 96
  videocodec = "h264"
  videofmtp = "profile-level-id=42e01f;packetization-mode=1"
  videoiface = "127.0.0.1"
}}
''',
        }
        for name, text in conf.items():
            with open(os.path.join(self.tmp, name), 'w') as f:
                f.write(text)
        self.log_path = os.path.join(self.tmp, 'janus.log')
        self.proc = self.feeder = None
        try:
            self.proc = spawn(wrap('janus', '-C', os.path.join(self.tmp, 'janus.jcfg'), '-F', self.tmp,
                               '-P', os.path.join(self.tmp, 'plugins'), '-o'),
                              self.log_path)
            self.pid = self.proc.pid
            if not wait_until(lambda: self.proc.poll() is not None or self._answers(), 20):
                raise RuntimeError('Janus did not start:\n' + tail(self.log_path))
            if self.proc.poll() is not None:
                raise RuntimeError('Janus exited:\n' + tail(self.log_path))
            self.feeder = spawn(wrap('ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning', '-re',
                                 '-stream_loop', '-1', '-i', annex_b(source),
                                 '-map', '0:v', '-c:v', 'copy', '-payload_type', '96', '-f', 'rtp', f'rtp://127.0.0.1:{vport}?pkt_size=1200',
                                 '-map', '0:a', '-c:a', 'libopus', '-b:a', '96k', '-ar', '48000', '-ac', '2',
                                 '-payload_type', '111', '-f', 'rtp', f'rtp://127.0.0.1:{aport}?pkt_size=1200'),
                                os.path.join(self.tmp, 'feeder.log'))
            time.sleep(2)
        except BaseException:
            self.stop()     # Janus, its feeder and its namespace: a failed start leaves none
            raise

    def _answers(self):
        import http.client
        try:
            conn = http.client.HTTPConnection(self.http_ip, self.http_port, timeout=2)
            conn.request('GET', '/janus/info')
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def loadgen_args(self):
        return ['-mode', 'janus', '-url', f'http://{self.http_ip}:{self.http_port}/janus',
                '-mountpoint', '1', '-local-ip', self.local_ip]

    def log(self):
        return tail(self.log_path) + tail(os.path.join(self.tmp, 'feeder.log'))

    def stop(self):
        stop(self.feeder)
        stop(self.proc, term_first=True)
        if self.host:   # also at exit (cbtest.NetnsHost registers its cleanup with atexit)
            self.host.cleanup()


# ---- one run ---------------------------------------------------------------------------------

def run(side_factory, loadgen, n, args, tmp):
    side = side_factory()
    try:
        gen = Loadgen(loadgen, side.loadgen_args() + [
            '-n', str(n), '-rate', str(args.rate), '-duration', f'{args.window}s',
            '-warmup', f'{args.warmup}s', '-connect-timeout', f'{args.connect_timeout}s'],
            tmp, f'{side.name}-{n}')
        timeout = n / args.rate + args.connect_timeout + args.warmup + args.window + 60
        summary, m = gen.run({'server': side.pid}, timeout)
        if summary is None or m is None:
            raise RuntimeError(f'the load generator gave no summary (see {gen.log_path}):\n'
                               + tail(gen.log_path, 1500) + '\n' + side.log()[-1500:])
        alive = side.proc.poll() is None
        return {'n': n, 'side': side.name, 'gen': summary, 'server': m['server'], 'busy': m['busy'],
                'elapsed': m['elapsed'], 'alive': alive}
    finally:
        side.stop()


SLOW_SHARE = 0.85   # a viewer below this share of the source's bitrate is losing frames


def losses(r, source_kbps):
    """Why a run counts as having losses, or '' (a viewer not receiving, with sequence gaps,
    without a keyframe, failed, or getting less than SLOW_SHARE of the stream: a server that
    falls behind may renumber what it sends, so gaps alone would not show it)."""
    g, n = r['gen'], r['n']
    if n == 0:
        return ''
    why = []
    if g.get('receiving', 0) < n:
        why.append(f"{g.get('receiving', 0)}/{n} receiving")
    if g.get('viewers_with_gaps', 0):
        why.append(f"{g['viewers_with_gaps']} with gaps ({g.get('lost_packets')} packets)")
    if g.get('with_keyframe', 0) < n:
        why.append(f"{g.get('with_keyframe', 0)}/{n} with a keyframe")
    if g.get('errors'):
        why.append(f"errors {g['errors']}")
    slowest = (g.get('kbps') or {}).get('min') or 0
    if slowest < SLOW_SHARE * source_kbps:
        why.append(f'the slowest viewer got {slowest:.0f} kbit/s of the stream\'s {source_kbps:.0f}')
    return ', '.join(why)


# ---- report ----------------------------------------------------------------------------------

def per_mbit(r, base):
    if not base or r['n'] == 0 or not r['gen'].get('delivered_mbps'):
        return None
    return (r['server']['cpu'] - base['server']['cpu']) / r['gen']['delivered_mbps']


def render(meta, results, notes):
    lines = [BEGIN, '## WebRTC viewers at scale: one 720p30 1.5 Mbit/s H.264 + Opus stream — '
             'Castbridge vs Janus, same load generator', '']
    lines.append(f"Run {meta['date']} on {meta['cpus']} × {meta['cpu']} ({meta['kernel']}); load "
                 f"average {meta['load_before']} before, {meta['load_after']} after; whole benchmark "
                 f"{meta['total']:.0f} s. Castbridge `{meta['cb_version']}` (tree `{meta['git']}`, "
                 f"viewers signaled by {meta['signaling'].upper()}{meta['cb_options']}); "
                 f"{meta['janus']}; {meta['ffmpeg']}; load generator built with {meta['go']}.")
    if meta['busy_note']:
        lines.append('')
        lines.append(f"**{meta['busy_note']}**")
    lines.append('')
    lines.append('"castbridge" is the viewer path this build serves by default; '
                 '"castbridge-webrtcbin" (with `--webrtcbin-option`) the one that setting forces.')
    lines.append('')
    lines.append('Server CPU is % of one core (utime+stime of the server process over the '
                 "generator's window); per Mbit/s = (CPU at N − CPU at N=0) / Mbit/s delivered to "
                 'all viewers (counted by the generator after SRTP decryption). Bitrates and '
                 'first-frame times are per viewer; "gaps" = viewers that missed RTP sequence '
                 'numbers in the window. The generator\'s own CPU is shown and is not the '
                 "server's.")
    lines.append('')
    lines.append('| N | server | CPU % | CPU % per Mbit/s | threads | RSS MiB | RSS MiB / viewer '
                 '| receiving | kbit/s min / median | viewers with gaps | first frame ms median / max '
                 '| generator CPU % | machine busy % |')
    lines.append('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    bases = {r['side']: r for r in results if r['n'] == 0}
    per = {}
    for r in results:
        g, s = r['gen'], r['server']
        base = bases.get(r['side'])
        pm = per_mbit(r, base)
        per[(r['side'], r['n'])] = pm
        rss_per = ((s['rss'] - base['server']['rss']) / r['n']
                   if base and r['n'] and s['rss'] is not None and base['server']['rss'] is not None
                   else None)
        kb = g.get('kbps') or {}
        ff = g.get('first_frame_ms') or {}
        n = r['n']
        lines.append(
            f"| {n} | {r['side']} | {fmt(s['cpu'], 1)} | {fmt(pm, 3)} | {s['threads']} | "
            f"{fmt(s['rss'], 1)} | {fmt(rss_per, 3)} | "
            f"{'–' if n == 0 else str(g.get('receiving', 0)) + '/' + str(n)} | "
            f"{'–' if n == 0 else fmt(kb.get('min'), 0) + ' / ' + fmt(kb.get('median'), 0)} | "
            f"{'–' if n == 0 else g.get('viewers_with_gaps', 0)} | "
            f"{'–' if n == 0 else fmt(ff.get('median'), 0) + ' / ' + fmt(ff.get('max'), 0)} | "
            f"{fmt(g.get('cpu_window_pct'), 1)} | {r['busy']:.0f} |")
    sides = list(dict.fromkeys(r['side'] for r in results))
    cb_sides = [x for x in sides if x.startswith('castbridge')]
    if 'janus' in sides and cb_sides:
        lines.append('')
        lines.append('CPU per delivered Mbit/s, Castbridge / Janus (below 1 is better for Castbridge):')
        lines.append('')
        lines.append('| N | ' + ' | '.join(f'{c} / janus' for c in cb_sides) + ' |')
        lines.append('|---:|' + '---:|' * len(cb_sides))
        for n in sorted({r['n'] for r in results if r['n']}):
            cells = []
            for c in cb_sides:
                a, b = per.get((c, n)), per.get(('janus', n))
                cells.append(f'{fmt(a, 3)} vs {fmt(b, 3)} = {a / b:.2f}×' if a is not None and b
                             and b > 0 else '–')
            lines.append(f'| {n} | ' + ' | '.join(cells) + ' |')
    lines.append('')
    lines.append(
        '**How measured.** `python3 bench/webrtc.py` encodes one file once with ffmpeg '
        f'({SOURCE_SECONDS} s of testsrc2 1280x720 30 fps, libx264 veryfast `-tune zerolatency '
        '-b:v 1.5M -maxrate 1.5M -g 30`, AAC 96 kbit/s). For each N and each server it starts the '
        'server afresh: **Castbridge** (`castbridge-server` on 127.0.0.1, a copy of the binary '
        'taken at the start) gets the file by `ffmpeg -re -stream_loop -1 -c copy -f flv` over '
        'RTMP (it makes Opus from the AAC once per stream, from the first viewer on: that is in '
        'every N ≥ 1 and makes N = 1 dear); **Janus** 1.1.2 from '
        'Debian (its own config folder: HTTP transport and streaming plugin only) '
        + ('runs with its feeder in a network namespace of its own joined to this machine by a '
           'veth pair (a private /30): it gathers no loopback candidate, so its HTTP API and its '
           'only ICE candidate (`ice_enforce_list` = the namespace\'s veth) are on the '
           'namespace\'s end, and the viewers on this machine\'s end; it '
           if meta['janus_netns'] else
           'runs on this machine (no network namespace could be made, e.g. not root: it gathers '
           'no loopback candidate, so its viewers used the host\'s first global IPv4 address) and ') +
        'gets the same file by ffmpeg as RTP on loopback ports (video `-c copy`, remuxed once to '
        'Annex B so that SPS and PPS go in-band; audio made Opus by that ffmpeg, outside Janus\'s '
        'figures) into one RTP mountpoint. The load generator '
        '(`bench/webrtc-load`, Go on Debian\'s Pion STUN/DTLS/SRTP with one epoll loop for all '
        'viewers) opens N receive-only viewers — WHEP or WCS `playStream` for Castbridge, the '
        'streaming plugin\'s `watch` over Janus\'s HTTP API (Janus offers, the generator answers) '
        f"— at {meta['rate']:.0f} per second, waits for every viewer's first keyframe, "
        f"{meta['warmup']:.0f} s more, and counts over a {meta['window']:.0f} s window: ICE and "
        'DTLS done, packets that pass SRTP authentication, bytes, RTP sequence gaps, H.264 IDR '
        'starts; first frame = from the offer sent (Janus: the `watch` request) to the last '
        'packet of the first IDR picture received whole. The server is sampled over the same window. Losses: a '
        'viewer not receiving, with gaps, without a keyframe, failed, or below '
        f"{SLOW_SHARE:.0%} of the file's {meta['source_kbps']:.0f} kbit/s; "
        + ('this run went on after losses (`--keep-going`)' if meta['keep_going'] else
           "a server's ramp stops at its first N with losses") +
        '. The generator runs on the same cores as the server; its own CPU is the "generator '
        'CPU" column.')
    lines.append('')
    lines.extend(relay.findings(notes, 'none — every viewer of every run received its stream '
                                'without gaps.'))
    lines.append(END)
    return '\n'.join(lines) + '\n'


# ---- main ------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description='WebRTC viewers at scale: Castbridge vs Janus')
    parser.add_argument('binary', nargs='?', default=relay.DEFAULT_BINARY)
    parser.add_argument('--counts', default='0,1,10,50,100,200,300,400',
                        help='viewer counts (0 = the baseline, always run)')
    parser.add_argument('--window', type=float, default=20)
    parser.add_argument('--warmup', type=float, default=3)
    parser.add_argument('--rate', type=float, default=25, help='viewers started per second')
    parser.add_argument('--connect-timeout', type=float, default=30)
    parser.add_argument('--sides', default='castbridge,janus')
    parser.add_argument('--signaling', choices=('whep', 'wcs'), default='whep',
                        help="how the generator's viewers ask Castbridge")
    parser.add_argument('--cb-option', action='append', default=[], metavar='KEY=VALUE',
                        help='a Castbridge setting for every Castbridge run')
    parser.add_argument('--webrtcbin-option', metavar='KEY=VALUE',
                        help="adds a 'castbridge-webrtcbin' side run with this setting (the one "
                        'that forces the webrtcbin viewer path)')
    parser.add_argument('--keep-going', action='store_true',
                        help='run every count even after losses (they are still reported)')
    parser.add_argument('--budget', type=float, default=1500,
                        help='do not start a run that would end after this many seconds')
    parser.add_argument('--no-write', action='store_true', help='print, do not touch RESULTS.md')
    args = parser.parse_args()
    t_start = time.monotonic()
    counts = sorted({int(x) for x in args.counts.split(',') if x.strip()} | {0})
    sides = [s.strip() for s in args.sides.split(',') if s.strip()]
    if args.webrtcbin_option:
        sides.insert(1 if 'castbridge' in sides else 0, 'castbridge-webrtcbin')

    missing = missing_packages()
    if missing and os.geteuid() == 0:
        subprocess.run([os.path.join(ROOT, 'build-aux', 'install-deps.sh'), BENCH_PACKAGES], check=False)
        missing = missing_packages()
    if 'janus' in sides and (missing and 'janus' in missing or not shutil.which('janus')):
        print('webrtc.py: no Janus (Debian: janus); the Janus side is not run', file=sys.stderr)
        sides.remove('janus')
    if not shutil.which('ffmpeg'):
        sys.exit('webrtc.py: ffmpeg is needed')

    work = mkdtemp('cb-bench-webrtc-')
    loadgen = os.path.join(work, 'castbridge-loadgen')
    err = build_loadgen(loadgen)
    if err:
        sys.exit('webrtc.py: the load generator could not be built:\n' + err)
    binary = os.path.join(work, 'cb-bench-server')
    shutil.copy2(os.path.abspath(args.binary), binary)
    # The server takes unknown keys silently: a misspelt setting would make a side that
    # measures the default path under another name.
    listed = subprocess.run([binary, '--list-settings'], capture_output=True, text=True, timeout=30)
    known = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    for option in args.cb_option + ([args.webrtcbin_option] if args.webrtcbin_option else []):
        key = option.partition('=')[0]
        if '=' not in option or key not in known:
            sys.exit(f'webrtc.py: {option!r} is not KEY=VALUE with a KEY that '
                     f'`{args.binary} --list-settings` lists')

    source = os.path.join(work, 'source.flv')
    print(f'webrtc.py: encoding the {SOURCE_SECONDS} s 720p source …', flush=True)
    enc = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *SOURCE_ENCODE, source],
                         capture_output=True, text=True, timeout=300)
    if enc.returncode != 0:
        sys.exit('webrtc.py: encoding the source failed: ' + enc.stderr[-2000:])

    # The stream's bitrate, container overhead included (RTP's is of the same order).
    source_kbps = os.path.getsize(source) * 8 / SOURCE_SECONDS / 1000
    meta = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'cpus': os.cpu_count(), 'kernel': f'Linux {platform.release()}',
        'cpu': next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo')
                     if l.startswith('model name')), '?'),
        'load_before': loadavg(), 'window': args.window, 'warmup': args.warmup, 'rate': args.rate,
        'cb_version': first_line([binary, '--version']),
        'git': first_line(['git', '-C', ROOT, 'describe', '--always', '--dirty']),
        'janus': 'Janus ' + first_line(['dpkg-query', '-W', '-f=${Version}', 'janus']),
        'ffmpeg': ' '.join(first_line(['ffmpeg', '-version']).split()[:3]),
        'go': first_line(['go', 'version']).replace('go version ', ''),
        'signaling': args.signaling, 'source_kbps': source_kbps, 'keep_going': args.keep_going,
        'cb_options': ''.join(f'; `-o {o}`' for o in args.cb_option),
    }
    # Janus in a network namespace of its own; once one cannot be made, not tried again.
    meta['janus_netns'] = True

    def make_janus():
        host = janus_host() if meta['janus_netns'] else None
        meta['janus_netns'] = host is not None
        return JanusSide(source, host)

    factories = {
        'castbridge': lambda: CastbridgeSide('castbridge', binary, source, args.cb_option,
                                             args.signaling),
        'castbridge-webrtcbin': lambda: CastbridgeSide(
            'castbridge-webrtcbin', binary, source, args.cb_option + [args.webrtcbin_option],
            args.signaling),
        'janus': make_janus,
    }
    results, notes = [], []
    stopped = set()
    for n in counts:
        for side in sides:
            if side in stopped:
                continue
            per_run = n / args.rate + args.warmup + args.window + 15
            if time.monotonic() - t_start + per_run > args.budget:
                notes.append(f'{side} N={n} not run: it would end after the {args.budget:.0f} s budget')
                stopped.add(side)
                continue
            print(f'webrtc.py: {side} N={n} …', flush=True)
            tmp = mkdtemp(f'cb-bench-webrtc-{side}-{n}-')
            try:
                r = run(factories[side], loadgen, n, args, tmp)
            except RuntimeError as e:
                notes.append(f'{side} N={n}: run failed: {e}')
                print(notes[-1], file=sys.stderr)
                stopped.add(side)
                continue
            results.append(r)
            g = r['gen']
            print(f"  server CPU {r['server']['cpu']:.1f} % threads {r['server']['threads']} RSS "
                  f"{fmt(r['server']['rss'], 1)} MiB; receiving {g.get('receiving')}/{n} gaps "
                  f"{g.get('viewers_with_gaps')} delivered {g.get('delivered_mbps')} Mbit/s first frame "
                  f"{(g.get('first_frame_ms') or {}).get('median')} ms; generator CPU "
                  f"{g.get('cpu_window_pct')} %; machine busy {r['busy']:.0f} %", flush=True)
            if not r['alive']:
                notes.append(f'{side} N={n}: the server process died during the run')
                stopped.add(side)
            why = losses(r, source_kbps)
            if why:
                notes.append(f"{side} N={n}: losses — {why}; SRTP errors {g.get('srtp_errors')}; "
                             f"machine busy {r['busy']:.0f} %" +
                             ('' if args.keep_going else '; the ramp stops here'))
                if not args.keep_going:
                    stopped.add(side)
    meta['load_after'] = loadavg()
    meta['total'] = time.monotonic() - t_start
    busiest = max((r['busy'] for r in results), default=0)
    other = max((r['busy'] - r['server']['cpu'] / os.cpu_count() - (r['gen'].get('cpu_window_pct') or 0)
                 / os.cpu_count() for r in results), default=0)
    meta['busy_note'] = ''
    if other > 15:
        meta['busy_note'] = (f'Figures from a busy machine: up to {other:.0f} % of all cores were busy '
                             'with other work (other engineers\' builds and tests) during the windows '
                             f'(machine busy up to {busiest:.0f} %). Read them as a proof that the '
                             'benchmark works, not as the servers\' figures.')
    section = render(meta, results, notes)
    print(section)
    if not args.no_write and results:
        relay.write_section(BEGIN, END, section)
        print(f'written to {RESULTS}')


if __name__ == '__main__':
    main()
