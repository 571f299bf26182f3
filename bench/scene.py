#!/usr/bin/env python3
# scene.py — CPU of a 1080p30 scene encoded once and pushed to three RTMP destinations,
# Castbridge side by side with ffmpeg composing the same scene once and tee-ing it to three
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: python3 bench/scene.py [path-to-castbridge] [--window 30] [--warmup 8] [--no-write]
#
# The scene: a 1920x1080 30 fps test pattern (the "screen"), a 480x270 test pattern in the
# bottom-right corner (the "camera", picture-in-picture) and a text label; the test tone.
# Castbridge: the GUI (`castbridge`, under xvfb-run) with that scene in a scenes.json of a
# configuration folder of its own, published over REST as the source `scene`
# (castbridge/source/publish) and pushed with push/startup to three applications of one
# nginx-rtmp; twice: with the preview (480 px wide, 15 fps, which ffmpeg has no
# counterpart for) and with it off (studio_preview=false), the difference being the
# preview's cost. ffmpeg does the same work: still HD SMPTE bars (lavfi
# smptehdbars, drawn once as Castbridge draws its still pattern a few times a second) +
# a moving 480x270 testsrc overlaid + drawtext, libx264 veryfast zerolatency with the
# encoder settings x264enc gets (baseline profile, the same bitrate with its VBV of 600 ms,
# keyframe interval, no B-frames, threads chosen by x264), AAC 128 kbit/s, `-f tee` to the
# same three destinations. Both encode the sound once, to AAC (Castbridge makes Opus only
# while a WebRTC viewer plays; none does here).
# Python 3 standard library only; needs xvfb-run, ffmpeg and nginx with the RTMP module. The figures go to bench/RESULTS.md between <!-- scene:begin --> and
# <!-- scene:end -->. Run it on a quiet machine: the lead does.

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import sys
import time

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import relay  # noqa: E402
from benchlib import (CLK_TCK, busy_percent, cpu_ticks, listening, loadavg,  # noqa: E402
                      machine_ticks, mkdtemp, spawn, stop, tail, wait_until)
from relay import fmt  # noqa: E402

ROOT = relay.ROOT
DEFAULT_BINARY = os.path.join(ROOT, 'build', 'src', 'castbridge')
RESULTS = relay.RESULTS
BEGIN, END = '<!-- scene:begin -->', '<!-- scene:end -->'
WIDTH, HEIGHT, FPS, BITRATE, GOP_S = 1920, 1080, 30, 6000, 2
DESTINATIONS = 3

SCENES = {
    'version': 1, 'active': 0,
    'scenes': [{'name': 'Bench', 'sources': [
        {'id': 1, 'kind': 'pattern', 'name': 'Screen', 'location': 'smpte',
         'x': 0, 'y': 0, 'width': 1, 'height': 1, 'visible': True},
        {'id': 2, 'kind': 'pattern', 'name': 'Camera', 'location': 'ball',
         'x': 0.72, 'y': 0.70, 'width': 0.25, 'height': 0.25, 'visible': True},
        {'id': 3, 'kind': 'text', 'name': 'Title', 'location': '', 'text': 'Castbridge bench',
         'font': 'Sans Bold 48', 'color': '#ffffffff',
         'x': 0.05, 'y': 0.05, 'width': 0.6, 'height': 0.12, 'visible': True},
    ]}],
    'audio': [{'id': 4, 'kind': 'tone', 'name': 'Tone', 'location': '',
               'volume': 1.0, 'muted': False, 'monitor': False}],
}


def find_descendant(pid, name):
    """The pid of the process called @name among @pid's descendants (xvfb-run starts
    castbridge as a grandchild), or None; never another user's process of that name."""
    parents, names = {}, {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    head, rest = f.read().rsplit(')', 1)
                parents[int(entry)] = int(rest.split()[1])
                names[int(entry)] = head.split('(', 1)[1]
            except (OSError, IndexError, ValueError):
                continue
    for candidate, comm in names.items():
        if comm != name[:15]:
            continue
        p = candidate
        while p in parents and p > 1:
            p = parents[p]
            if p == pid:
                return candidate
    return None


class StudioGui(relay.Castbridge):
    """castbridge (the GUI) under xvfb-run with the bench scene; REST as relay.Castbridge."""

    def __init__(self, binary, preview=True):
        self.tmp = mkdtemp('cb-bench-scene-')
        config = os.path.join(self.tmp, 'config', 'castbridge')
        os.makedirs(config)
        with open(os.path.join(config, 'scenes.json'), 'w') as f:
            json.dump(SCENES, f)
        with open(os.path.join(config, 'castbridge.properties'), 'w') as f:
            f.write(f'capture_width={WIDTH}\ncapture_height={HEIGHT}\ncapture_fps={FPS}\n'
                    f'capture_bitrate={BITRATE}\ncapture_keyframe_interval={GOP_S}\n'
                    'bind_address=127.0.0.1\n'
                    f'studio_preview={"true" if preview else "false"}\n')
        self.log_path = os.path.join(self.tmp, 'log')
        env = {k: v for k, v in os.environ.items() if k not in ('G_MESSAGES_DEBUG', 'G_DEBUG')}
        env.update({'XDG_CONFIG_HOME': os.path.join(self.tmp, 'config'), 'GDK_BACKEND': 'x11',
                    'GSETTINGS_BACKEND': 'memory', 'NO_AT_BRIDGE': '1', 'GTK_A11Y': 'none',
                    'CB_HTTP_PORT': '0', 'CB_WS_PORT': '0', 'CB_RTMP_PORT': '0',
                    'DBUS_SESSION_BUS_ADDRESS': 'unix:path=' + os.path.join(self.tmp, 'no-bus')})
        self.proc = spawn(['xvfb-run', '-a', '-s', '-screen 0 1280x800x24', binary],
                          self.log_path, env)
        self.http_port = int(listening(self.proc, self.log_path, 30, 'castbridge')['http'])
        self.pid = find_descendant(self.proc.pid, 'castbridge')
        if self.pid is None:
            raise RuntimeError('castbridge not found under xvfb-run')

    def stop(self):
        """The window first (xvfb-run does not pass a signal on: killing it alone left the
        castbridge process running), then xvfb-run."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                wait_until(lambda: not os.path.exists(f'/proc/{self.pid}'), 5)
                if os.path.exists(f'/proc/{self.pid}'):
                    os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        stop(self.proc, term_first=True)

    def ready(self):
        return any(s.get('name') == 'scene' and s.get('status') == 'PUBLISHING'
                   for s in self.streams())


def measure(pid_ticks, window):
    """(the process's CPU, % of one core; the whole machine's busy share, % of all cores)
    over @window seconds."""
    t0, c0, m0 = time.monotonic(), pid_ticks(), machine_ticks()
    time.sleep(window)
    t1, c1, m1 = time.monotonic(), pid_ticks(), machine_ticks()
    return (c1 - c0) / CLK_TCK / (t1 - t0) * 100, busy_percent(m0, m1)


def run_castbridge(binary, nginx, args, preview=True):
    studio = StudioGui(binary, preview)
    try:
        # The window makes the scenes a moment after the server listens.
        published = wait_until(lambda: studio.rest('castbridge/source/publish',
                                                    {'name': 'scene', 'source': 'scene'})[0] == 200, 30)
        if not published:
            raise RuntimeError('source/publish of the scene failed:\n' + studio.log())
        if not wait_until(studio.ready, 20):
            raise RuntimeError('the scene did not publish:\n' + studio.log())
        for i in range(DESTINATIONS):
            status, answer = studio.rest('push/startup', {'streamName': 'scene',
                                                          'rtmpUrl': nginx.url(f'cb{i}'),
                                                          'rtmpTransponderFullUrl': True})
            if status != 200:
                raise RuntimeError(f'push/startup: {status} {answer}')
        time.sleep(args.warmup)
        return measure(lambda: cpu_ticks(studio.pid), args.window)
    finally:
        studio.stop()


def run_ffmpeg(nginx, args):
    tmp = mkdtemp('cb-bench-scene-ffmpeg-')
    outputs = '|'.join(f'[f=flv:onfail=ignore]{nginx.url(f"ff{i}")}' for i in range(DESTINATIONS))
    graph = (f'[0:v][1:v]overlay=x=W*0.72:y=H*0.70,'
             f"drawtext=text='Castbridge bench':fontsize=48:fontcolor=white:x=W*0.05:y=H*0.05[v]")
    proc = spawn(['ffmpeg', '-hide_banner', '-nostats', '-loglevel', 'warning',
                  '-re', '-f', 'lavfi', '-i', f'smptehdbars=size={WIDTH}x{HEIGHT}:rate={FPS}',
                  '-re', '-f', 'lavfi', '-i', f'testsrc=size={WIDTH // 4}x{HEIGHT // 4}:rate={FPS}',
                  '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
                  '-filter_complex', graph, '-map', '[v]', '-map', '2:a',
                  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency',
                  '-profile:v', 'baseline', '-b:v', f'{BITRATE}k', '-maxrate', f'{BITRATE}k',
                  '-bufsize', f'{BITRATE * 600 // 1000}k', '-g', str(FPS * GOP_S), '-bf', '0',
                  '-pix_fmt', 'yuv420p',
                  '-c:a', 'aac', '-b:a', '128k', '-f', 'tee', outputs],
                 os.path.join(tmp, 'log'))
    try:
        time.sleep(args.warmup)
        if proc.poll() is not None:
            raise RuntimeError('ffmpeg stopped:\n' + tail(os.path.join(tmp, 'log')))
        return measure(lambda: cpu_ticks(proc.pid), args.window)
    finally:
        stop(proc, term_first=True)


def write_results(text):
    with open(RESULTS) as f:
        content = f.read()
    section = f'{BEGIN}\n{text}\n{END}'
    if BEGIN in content:
        content = content[:content.index(BEGIN)] + section + content[content.index(END) + len(END):]
    else:
        content = content.rstrip('\n') + '\n\n' + section + '\n'
    with open(RESULTS, 'w') as f:
        f.write(content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('binary', nargs='?', default=DEFAULT_BINARY)
    parser.add_argument('--window', type=float, default=30)
    parser.add_argument('--warmup', type=float, default=8)
    parser.add_argument('--no-write', action='store_true')
    args = parser.parse_args()
    for tool in ('xvfb-run', 'ffmpeg', 'nginx'):
        if shutil.which(tool) is None:
            sys.exit(f'{tool} is needed')

    nginx = relay.Nginx()
    try:
        load_before = loadavg()
        cb, cb_busy = run_castbridge(args.binary, nginx, args)
        off, off_busy = run_castbridge(args.binary, nginx, args, preview=False)
        ff, ff_busy = run_ffmpeg(nginx, args)
    finally:
        nginx.stop()
    cores = os.cpu_count() or 1

    text = (f'### Scene: {WIDTH}x{HEIGHT} {FPS} fps, picture-in-picture and text, encoded once, '
            f'pushed to {DESTINATIONS} RTMP destinations\n\n'
            f'{datetime.date.today()}, {platform.node()}, {os.cpu_count()} CPUs, load before '
            f'{load_before}; {args.window:.0f} s window after {args.warmup:.0f} s.\n\n'
            '| | CPU, % of one core | / ffmpeg | machine busy, % of all cores (others\' share) |\n'
            '|---|---:|---:|---|\n'
            f'| Castbridge (GUI under Xvfb), preview shown | {fmt(cb, 1)} | '
            f'{fmt(cb / ff if ff else float("nan"), 2)}x | {cb_busy:.0f} ({max(0, cb_busy - cb / cores):.0f}) |\n'
            f'| Castbridge, preview off (Show Preview, `studio_preview=false`) | {fmt(off, 1)} | '
            f'{fmt(off / ff if ff else float("nan"), 2)}x | {off_busy:.0f} ({max(0, off_busy - off / cores):.0f}) |\n'
            f'| ffmpeg (overlay + drawtext, x264 veryfast baseline, tee) | {fmt(ff, 1)} | 1x | '
            f'{ff_busy:.0f} ({max(0, ff_busy - ff / cores):.0f}) |\n\n'
            f'The preview (480 px wide, up to 15 fps, scaled from the composed picture and drawn '
            f'by GTK under Xvfb) costs {fmt(cb - off, 1)} % of one core: the difference of the '
            f'first two rows.\n\n'
            'Both encode H.264 once with x264 veryfast zerolatency, baseline profile, the same '
            'bitrate, VBV and keyframe interval, and draw their still bars once (ffmpeg) or 5 '
            'times a second (Castbridge), and encode the sound once to AAC at 128 kbit/s.\n')
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == '__main__':
    main()
