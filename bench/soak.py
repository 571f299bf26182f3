#!/usr/bin/env python3
# soak.py — an hour of a busy server under AddressSanitizer: memory, descriptors and threads
# stay flat, pushes come back, recordings decode, and no leak at the end
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/soak.py [--minutes 60] [--binary build-sanitize/src/castbridge-server]
#                              [--publisher build/src/castbridge-server] [--no-write]
#
# Not part of CI (it runs for an hour). Needs the ASan build (build-aux/test-sanitizers makes
# it), ffmpeg, ffprobe, nginx with the RTMP module and, for the WebRTC viewers, the Pion load
# generator (ninja -C build tests/server/castbridge-loadgen; without it there are none and the
# report says so). Everything runs on 127.0.0.1 with free ports; every process started here is
# killed on exit. The figures go to bench/RESULTS.md between <!-- soak:begin --> and
# <!-- soak:end -->.
#
# What runs on the server under test, all the time:
#   - one RTMP ingest: ffmpeg sends a 10 s H.264/AAC file in a loop (-re -c copy) as `ingest`;
#   - one WebRTC publisher: a second castbridge-server (the plain build) publishes its test
#     source and relays it over WCS signaling (/pull/push) as `webrtc`;
#   - 10 RTMP pushes of `ingest`, each to an nginx-rtmp of its own; every 2 minutes one of the
#     nginx is killed and started again on the same port, in turn (rtmp_push_restore=true);
#   - 20 RTMP players (ffmpeg -c copy) of `ingest` and `webrtc`, each leaving after 10-40 s and
#     coming back;
#   - 10 WebRTC viewers (WHEP, the load generator) of `ingest`, in rounds of 20-40 s;
#   - a recording of `ingest`, rotating every minute (record_rotation=60).
# Every minute: RSS, open descriptors and threads of the server. At the end: whether every
# push is streaming again (REST and an ffprobe of each nginx), whether every recorded file
# decodes (ffmpeg -v error -f null), and the leak report LeakSanitizer writes when the server
# exits.

import argparse
import datetime
import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'tests', 'server'))
import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
sys.path.insert(0, HERE)
from benchlib import (Server, first_line, loadavg, mkdtemp, proc_status, spawn,  # noqa: E402
                      stop, tail, wait_until, write_section)

MARKERS = ('<!-- soak:begin -->', '<!-- soak:end -->')
N_PUSHES = 10
N_RTMP_PLAYERS = 20
N_WEBRTC_VIEWERS = 10
KILL_EVERY = 120          # s: one destination killed and restarted
ROTATION = 60             # s: record_rotation
SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
          '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
          '-t', '10', '-map', '0:v', '-map', '1:a',
          '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-b:v', '800k',
          '-g', '30', '-bf', '0', '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-f', 'flv']


def fds(pid):
    try:
        return len(os.listdir(f'/proc/{pid}/fd'))
    except OSError:
        return -1


class Players:
    """N ffmpeg players of RTMP URLs, each staying 10-40 s, then replaced."""

    def __init__(self, urls, n, tmp):
        self.urls, self.tmp = urls, tmp
        self.slots = [None] * n
        self.started = 0
        self.failed = 0
        self.reasons = {}        # first line of a failed player's log -> count

    def tick(self):
        now = time.monotonic()
        for i, slot in enumerate(self.slots):
            if slot is not None:
                proc, until = slot
                if proc.poll() is None and now < until:
                    continue
                if proc.poll() not in (None, 0, 255) and now < until - 1:
                    self.failed += 1     # ended by itself before its time
                    log = tail(os.path.join(self.tmp, f'player-{i}.log'), 300).strip()
                    why = log.splitlines()[-1] if log else f'exit status {proc.poll()}'
                    self.reasons[why] = self.reasons.get(why, 0) + 1
                stop(proc)
            url = self.urls[i % len(self.urls)]
            proc = spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'error',
                          '-rw_timeout', '10000000', '-i', url, '-c', 'copy', '-f', 'null', '-'],
                         os.path.join(self.tmp, f'player-{i}.log'))
            self.slots[i] = (proc, now + random.uniform(10, 40))
            self.started += 1

    def close(self):
        for slot in self.slots:
            if slot is not None:
                stop(slot[0])


class Viewers:
    """Rounds of WHEP viewers from the load generator: they join together and leave together."""

    def __init__(self, loadgen, url, n, tmp):
        self.loadgen, self.url, self.n, self.tmp = loadgen, url, n, tmp
        self.proc = None
        self.rounds = 0
        self.ok_rounds = 0
        self.last = ''

    def tick(self):
        if self.loadgen is None:
            return
        if self.proc is not None:
            if self.proc.poll() is None:
                return
            self.rounds += 1
            self.ok_rounds += self.proc.returncode == 0
            self.last = tail(os.path.join(self.tmp, 'viewers.log'), 400)
        seconds = random.randint(20, 40)
        self.proc = spawn([self.loadgen, '-mode', 'whep', '-url', self.url, '-n', str(self.n),
                           '-rate', '5', '-duration', f'{seconds}s', '-warmup', '2s'],
                          os.path.join(self.tmp, 'viewers.log'))

    def close(self):
        stop(self.proc)


def leak_summary(report_dir):
    """(leak lines, text) from LeakSanitizer's/ASan's report files of the server."""
    text = ''
    for path in sorted(glob.glob(os.path.join(report_dir, 'asan*'))):
        with open(path, errors='replace') as f:
            text += f.read()
    lines = [l for l in text.splitlines()
             if 'ERROR: AddressSanitizer' in l or 'ERROR: LeakSanitizer' in l
             or l.startswith('SUMMARY:') or 'runtime error:' in l]
    return lines, text


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--binary', default=os.path.join(ROOT, 'build-sanitize', 'src', 'castbridge-server'))
    ap.add_argument('--publisher', default=os.path.join(ROOT, 'build', 'src', 'castbridge-server'))
    ap.add_argument('--loadgen', default=os.path.join(ROOT, 'build', 'tests', 'server',
                                                      'castbridge-loadgen'))
    ap.add_argument('--no-write', action='store_true', help='print the section only')
    args = ap.parse_args()
    for b in (args.binary, args.publisher):
        if not os.access(b, os.X_OK):
            sys.exit(f'soak: no {b} (build it first)')
    if not nginxrtmp.available():
        sys.exit('soak: nginx with the RTMP module is missing')
    loadgen = args.loadgen if os.access(args.loadgen, os.X_OK) else None
    if loadgen is not None and subprocess.run([loadgen, '-h'], capture_output=True).returncode == 77:
        loadgen = None   # the stub of a build without Go/Pion

    tmp = mkdtemp('cb-soak-')
    reports = os.path.join(tmp, 'reports')
    os.mkdir(reports)
    source = os.path.join(tmp, 'source.flv')
    subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', *SOURCE, source],
                   check=True, timeout=300)

    nginx = []
    try:
        for _ in range(N_PUSHES):
            nginx.append(nginxrtmp.NginxRtmp())
        return soak(args, loadgen, tmp, reports, source, nginx)
    finally:
        for n in nginx:
            n.cleanup()


def soak(args, loadgen, tmp, reports, source, nginx):
    records = os.path.join(tmp, 'records')
    os.mkdir(records)
    env = {k: v for k, v in os.environ.items() if k != 'G_MESSAGES_DEBUG'}
    env.update({
        'G_DEBUG': 'fatal-criticals',
        'ASAN_OPTIONS': f'fast_unwind_on_malloc=0:detect_leaks=1:log_path={reports}/asan',
        'LSAN_OPTIONS': f'suppressions={ROOT}/tests/lsan.supp:print_suppressions=0',
        'UBSAN_OPTIONS': f'print_stacktrace=1:log_path={reports}/ubsan',
    })
    server = Server(args.binary, ['-o', 'rtmp_push_restore=true',
                                  '-o', 'rtmp_push_restore_attempts=-1',
                                  '-o', 'rtmp_push_restore_interval_ms=2000',
                                  '-o', f'record_rotation={ROTATION}',
                                  '-o', f'record_dir={records}',
                                  '-o', 'stream_record_policy_template=soak-{streamName}'],
                    env=env, log_path=os.path.join(tmp, 'server.log'))
    pid = server.proc.pid
    publisher = Server(args.publisher, ['--publish', 'cam=test'])

    findings = []
    t0 = time.monotonic()
    spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'error', '-re', '-stream_loop', '-1',
           '-i', source, '-c', 'copy', '-f', 'flv',
           f'rtmp://127.0.0.1:{server.rtmp_port}/live/ingest'], os.path.join(tmp, 'ingest.log'))

    def stream_status(name, on=server):
        status, answer = on.rest('stream/find', {'name': name})
        return answer[0] if status == 200 and isinstance(answer, list) and answer else None

    ingest = wait_until(lambda: (s := stream_status('ingest')) and s['status'] == 'PUBLISHING' and s,
                        120, 0.5)
    if not ingest:
        sys.exit('soak: the RTMP ingest did not start:\n' + server.log())
    wait_until(lambda: (s := stream_status('cam', publisher)) and s['status'] == 'PUBLISHING',
               60, 0.5)
    status, answer = publisher.rest('pull/push', {'uri': f'ws://127.0.0.1:{server.ws_port}',
                                                  'localStreamName': 'cam',
                                                  'remoteStreamName': 'webrtc'})
    if status != 200:
        findings.append(f'the WebRTC relay was refused: {status} {answer}')
    if not wait_until(lambda: (s := stream_status('webrtc')) and s['status'] == 'PUBLISHING', 90, 0.5):
        findings.append('the WebRTC publisher did not reach PUBLISHING in 90 s')

    pushes = []
    for i, n in enumerate(nginx):
        # WCS's form: the application's URL; the stream there is rtmp_ingest.
        status, answer = server.rest('push/startup', {'streamName': 'ingest', 'rtmpUrl': n.url()})
        if status != 200:
            findings.append(f'push {i} refused: {status} {answer}')
        else:
            pushes.append(answer['mediaSessionId'])
    status, answer = server.rest('stream/startRecording', {'mediaSessionId': ingest['mediaSessionId']})
    if status != 200:
        findings.append(f'recording refused: {status} {answer}')

    rtmp = f'rtmp://127.0.0.1:{server.rtmp_port}/live/'
    players = Players([rtmp + 'ingest', rtmp + 'webrtc'], N_RTMP_PLAYERS, tmp)
    viewers = Viewers(loadgen, f'http://127.0.0.1:{server.http_port}/whep/ingest',
                      N_WEBRTC_VIEWERS, tmp)
    if loadgen is None:
        findings.append('no WebRTC viewers: the load generator is not built '
                        '(ninja -C build tests/server/castbridge-loadgen)')

    samples = []
    kills = 0
    next_sample = next_kill = time.monotonic()
    next_kill += KILL_EVERY
    end = t0 + args.minutes * 60
    while time.monotonic() < end:
        if server.proc.poll() is not None:
            findings.append(f'the server exited ({server.proc.returncode})')
            break
        players.tick()
        viewers.tick()
        now = time.monotonic()
        if now >= next_kill:
            victim = nginx[kills % len(nginx)]
            victim.kill()
            time.sleep(3)
            victim.start()
            kills += 1
            next_kill += KILL_EVERY
        if now >= next_sample:
            st = proc_status(pid)
            samples.append({'minute': round((now - t0) / 60, 1), 'rss_mib': st['VmRSS'] / 1024,
                            'fds': fds(pid), 'threads': st['Threads'], 'load': loadavg()})
            print(f"soak: {samples[-1]['minute']:5.1f} min  RSS {samples[-1]['rss_mib']:.1f} MiB  "
                  f"fds {samples[-1]['fds']}  threads {samples[-1]['threads']}  "
                  f"players {players.started}  viewer rounds {viewers.rounds}", flush=True)
            next_sample += 60
        time.sleep(1)

    soaked = time.monotonic()
    # Give the last restarted destination its restore interval, then check every push.
    players.close()
    viewers.close()
    time.sleep(15)
    status, answer = server.rest('push/find_all')
    states = {p['mediaSessionId']: p.get('status') for p in (answer or [])} if status == 200 else {}
    restored = sum(1 for m in pushes if states.get(m) == 'STREAMING' or states.get(m) == 'PROCESSED')
    probed = sum(1 for n in nginx if nginxrtmp.ffprobe(n.url(name='rtmp_ingest')))
    if restored < len(pushes):
        findings.append('push states at the end: ' + ', '.join(
            str(states.get(m)) for m in pushes))
    server.rest('stream/stopRecording', {'mediaSessionId': ingest['mediaSessionId']})
    time.sleep(5)
    files = sorted(glob.glob(os.path.join(records, '**', 'soak-*'), recursive=True))
    bad = []
    for f in files:
        why = cbtest.decode_errors(f)
        if why:
            bad.append(f'{os.path.basename(f)}: {why[:300]}')

    # A clean exit, so that LeakSanitizer reports.
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        findings.append('the server did not exit within 120 s of SIGTERM')
    exit_status = server.proc.returncode
    stop(server.proc)
    leaks, report = leak_summary(reports)
    publisher.stop()

    minutes = (soaked - t0) / 60
    section = render(args, samples, minutes, kills, len(pushes), restored, probed, files, bad,
                     leaks, exit_status, players, viewers, findings)
    print(section)
    if report:
        print(report[:6000])
    if not args.no_write:
        write_section(*MARKERS, section)
    ok = (not findings and not bad and not leaks and restored == len(pushes) == N_PUSHES
          and probed == N_PUSHES)
    sys.exit(0 if ok else 1)


def render(args, samples, minutes, kills, n_pushes, restored, probed, files, bad, leaks,
           exit_status, players, viewers, findings):
    date = datetime.date.today().isoformat()
    lines = [MARKERS[0], '## Soak', '',
             f'{date}, `bench/soak.py --minutes {args.minutes:g}` ({minutes:.1f} min run), '
             f'`{os.path.relpath(args.binary, ROOT)}` (ASan+UBSan), {first_line(["nginx", "-v"])}, '
             f'load average at the end {loadavg()}. One RTMP ingest, one WebRTC publisher (a '
             f'second castbridge-server relaying over WCS), {N_PUSHES} pushes to nginx-rtmp (one '
             f'killed and restarted every {KILL_EVERY // 60} min: {kills} times), '
             f'{N_RTMP_PLAYERS} RTMP players coming and going ({players.started} sessions), '
             f'{N_WEBRTC_VIEWERS} WHEP viewers in rounds ({viewers.rounds} rounds, '
             f'{viewers.ok_rounds} clean), a recording rotating every {ROTATION} s.', '',
             '| minute | RSS (MiB) | open fds | threads | load |', '| ---: | ---: | ---: | ---: | --- |']
    for s in samples:
        lines.append(f"| {s['minute']:.1f} | {s['rss_mib']:.1f} | {s['fds']} | {s['threads']} | {s['load']} |")
    lines.append('')
    if len(samples) >= 4:
        settled = samples[2:]
        growth = (settled[-1]['rss_mib'] - settled[0]['rss_mib']) / max(1e-9, settled[-1]['minute'] - settled[0]['minute'])
        lines.append(f'- RSS after minute {settled[0]["minute"]:.0f}: {settled[0]["rss_mib"]:.1f} → '
                     f'{settled[-1]["rss_mib"]:.1f} MiB ({growth:+.2f} MiB/min); fds '
                     f'{min(s["fds"] for s in settled)}–{max(s["fds"] for s in settled)}, threads '
                     f'{min(s["threads"] for s in settled)}–{max(s["threads"] for s in settled)}.')
    else:
        lines.append('- Too short a run to say whether memory is flat (needs 4 or more minutes).')
    lines.append(f'- Pushes streaming at the end: {restored} of {n_pushes} by REST, {probed} of '
                 f'{N_PUSHES} destinations with a stream ffprobe reads.')
    lines.append(f'- Recorded files: {len(files)}, of which {len(files) - len(bad)} decode without '
                 'an error' + ('' if not bad else ': ' + '; '.join(bad)) + '.')
    lines.append(f'- Server exit on SIGTERM: status {exit_status}; sanitizer reports: '
                 + ('none' if not leaks else '; '.join(leaks[:6])) + '.')
    if players.failed:
        lines.append(f'- RTMP players that ended before their time: {players.failed}.')
        for why, count in sorted(players.reasons.items(), key=lambda kv: -kv[1])[:5]:
            lines.append(f'  - {count}x `{why[:160]}`')
    for f in findings:
        lines.append(f'- {f}')
    lines.append(MARKERS[1])
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    main()
