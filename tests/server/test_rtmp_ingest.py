# test_rtmp_ingest.py — RTMP ingest, RTMP play and RTMP pull with real ffmpeg and nginx-rtmp
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

# The engine's log says how streams end (status and reason): the tests read it.
os.environ.setdefault('G_MESSAGES_DEBUG', 'cb-server cb-engine')

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
from nginxrtmp import NginxRtmp, ffprobe, wait_ffprobe  # noqa: E402


HAVE_FFMPEG = shutil.which('ffmpeg') is not None and shutil.which('ffprobe') is not None
_media_dir = None


def test_file(heavy=False):
    """A few seconds of H.264 (keyframe every 30 frames) and AAC, made once per run;
    @heavy: noise at about 3 Mbit/s, which fills a stalled reader's buffers soon."""
    global _media_dir
    if _media_dir is None:
        _media_dir = tempfile.mkdtemp(prefix='cb-rtmp-media-')
    path = os.path.join(_media_dir, 'heavy.flv' if heavy else 'in.flv')
    video = 'testsrc=size=640x360:rate=30' + (',noise=alls=40:allf=t' if heavy else '')
    rate = ['-b:v', '3M', '-maxrate', '3M', '-bufsize', '3M'] if heavy else []
    if not os.path.exists(path):
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                        '-f', 'lavfi', '-i', video,
                        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
                        '-t', '4', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '30',
                        *rate, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', path],
                       check=True, timeout=60)
    return path


def h264_aac(streams, width=None, height=None):
    c = {s['codec_type']: s for s in streams}
    v, a = c.get('video'), c.get('audio')
    return (v is not None and a is not None and v['codec_name'] == 'h264' and
            a['codec_name'] == 'aac' and (width is None or v.get('width') == width) and
            (height is None or v.get('height') == height))


class Publisher:
    """`ffmpeg -re` looping the test file to an RTMP URL."""

    def __init__(self, url, loop=True, extra=(), heavy=False):
        self.log_file = tempfile.NamedTemporaryFile(prefix='cb-ffmpeg-', suffix='.log',
                                                    delete=False)
        args = ['ffmpeg', '-hide_banner', '-loglevel', 'info', '-nostats', '-re']
        if loop:
            args += ['-stream_loop', '-1']
        args += ['-i', test_file(heavy), '-c', 'copy', *extra, '-f', 'flv', url]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.log_file)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def log(self):
        with open(self.log_file.name, errors='replace') as f:
            return f.read()[-4000:]

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait()

    def cleanup(self):
        self.kill()
        self.log_file.close()
        os.unlink(self.log_file.name)


@unittest.skipUnless(HAVE_FFMPEG, 'ffmpeg and ffprobe are needed')
class RtmpTest(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.server = cbtest.ServerProcess(*self.server_args)
        self.addCleanup(self.server.cleanup)
        self.assertGreater(self.server.rtmp_port, 0)

    def cb_url(self, name, app='live'):
        return f'rtmp://127.0.0.1:{self.server.rtmp_port}/{app}/{name}'

    def publish(self, name, **kwargs):
        p = Publisher(self.cb_url(name), **kwargs)
        self.addCleanup(p.cleanup)
        return p

    def wait_publishing(self, name, timeout=30):
        return self.server.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s.get('width', 0) > 0 and
            s.get('audioCodec'), {'name': name}, timeout=timeout)

    def wait_gone(self, name, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, answer, _ = self.server.rest('stream/find', {'name': name})
            if status == 404:
                return
            time.sleep(0.2)
        self.fail(f'stream {name} still listed: {answer}\n{self.server.logs()}')


class RtmpIngestTest(RtmpTest):
    def test_publish_shows_in_find_and_plays(self):
        self.publish('cam')
        s = self.wait_publishing('cam')
        self.assertEqual(s['mediaProvider'], 'RTMP')
        self.assertEqual(s['videoCodec'], 'H264')
        self.assertEqual(s['audioCodec'], 'mpeg4-generic')
        self.assertEqual((s['width'], s['height']), (640, 360))
        self.assertTrue(s['hasVideo'] and s['hasAudio'])
        self.assertIn('127.0.0.1', s['source'])            # the publisher's address
        # Played from Castbridge directly, starting on a keyframe of the GOP cache.
        streams = wait_ffprobe(self.cb_url('cam'), h264_aac)
        self.assertTrue(h264_aac(streams, 640, 360), streams)

    def test_player_starts_on_a_keyframe(self):
        """A player's first video packet is a keyframe, decodable at once: the sequence
        headers came before it (ffprobe knows the size from the first packets)."""
        self.publish('cam')
        self.wait_publishing('cam')
        wait_ffprobe(self.cb_url('cam'), h264_aac)
        for _ in range(3):      # joins at different points of the GOP
            out = subprocess.run(['ffprobe', '-v', 'error', '-rw_timeout', '10000000',
                                  '-select_streams', 'v', '-show_entries',
                                  'packet=flags:stream=width,height', '-read_intervals', '%+#3',
                                  '-of', 'csv=p=0', self.cb_url('cam')],
                                 capture_output=True, text=True, timeout=30)
            lines = [l for l in out.stdout.splitlines() if l.strip()]
            self.assertTrue(lines, out.stderr)
            self.assertTrue(lines[0].startswith('K'), lines)
            self.assertIn('640,360', lines, lines)
            time.sleep(0.4)

    def test_hash_in_name(self):
        name = 'amsStream#amsroom1'
        self.publish(name)
        s = self.wait_publishing(name)
        self.assertEqual(s['name'], name)
        wait_ffprobe(self.cb_url(name), h264_aac)

    def test_second_publisher_refused_first_goes_on(self):
        first = self.publish('cam')
        before = self.wait_publishing('cam')
        second = self.publish('cam', loop=False)
        rc = second.wait(30)
        self.assertIsNotNone(rc, 'the second publisher was not refused')
        self.assertNotEqual(rc, 0, second.log())
        self.assertIn('already in use', second.log())
        self.assertIsNone(first.proc.poll(), first.log())
        after = self.wait_publishing('cam')
        self.assertEqual(after['mediaSessionId'], before['mediaSessionId'])
        wait_ffprobe(self.cb_url('cam'), h264_aac)

    def test_killed_publisher_unpublishes(self):
        p = self.publish('cam')
        self.wait_publishing('cam')
        p.kill(signal.SIGKILL)
        self.wait_gone('cam')
        self.assertIn('stream cam ended: UNPUBLISHED Stopped by session disconnect',
                      self.server.logs())
        # The server goes on serving: health, and the same name published again.
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)
        self.publish('cam')
        self.wait_publishing('cam')

    def test_graceful_stop_unpublishes(self):
        p = self.publish('cam', loop=False)
        self.wait_publishing('cam')
        self.assertEqual(p.wait(30), 0, p.log())     # FCUnpublish + deleteStream
        self.wait_gone('cam')

    def test_play_of_unknown_stream_fails(self):
        self.assertIsNone(ffprobe(self.cb_url('nothing'), timeout=15))

    def test_broken_peers_close_only_their_connection(self):
        self.publish('cam')
        self.wait_publishing('cam')
        garbage = [
            b'GET / HTTP/1.1\r\n\r\n',                       # not RTMP
            b'\x06' + b'\x00' * 1536,                        # RTMPE
            b'\x03' + b'\x00' * 1536 + b'\x00' * 1536 + b'\xff' * 4000,   # junk chunks
            b'\x03' + b'\x00' * 100,                         # truncated handshake
        ]
        for data in garbage:
            with socket.create_connection(('127.0.0.1', self.server.rtmp_port), timeout=10) as s:
                s.sendall(data)
                if len(data) > 1537:
                    s.shutdown(socket.SHUT_WR)
                    # The server answers the handshake, then hangs up on the junk.
                    deadline = time.monotonic() + 10
                    while time.monotonic() < deadline and s.recv(65536):
                        pass
        s = self.wait_publishing('cam')
        self.assertEqual(s['status'], 'PUBLISHING')
        wait_ffprobe(self.cb_url('cam'), h264_aac)


def stalled_player(port, app, name):
    """A player that handshakes, plays @name and then never reads: a tiny receive buffer,
    commands sent blindly (the first createStream gives message stream 1)."""
    from fake_adobe_rtmp import amf_number, amf_object, amf_string

    def message(csid, type_id, stream_id, payload):
        out = (bytes([csid]) + struct.pack('>I', 0)[1:] + struct.pack('>I', len(payload))[1:] +
               bytes([type_id]) + struct.pack('<I', stream_id))
        for i in range(0, len(payload), 128):
            out += (b'' if i == 0 else bytes([0xc0 | csid])) + payload[i:i + 128]
        return out

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(('127.0.0.1', port))
    sock.sendall(b'\x03' + bytes(8) + os.urandom(1528))
    s0s1s2 = b''
    while len(s0s1s2) < 1 + 2 * 1536:
        chunk = sock.recv(1 + 2 * 1536 - len(s0s1s2))
        if not chunk:
            raise ConnectionError('handshake cut')
        s0s1s2 += chunk
    sock.sendall(s0s1s2[1:1537])
    sock.sendall(message(3, 20, 0, amf_string('connect') + amf_number(1) +
                         amf_object({'app': app, 'tcUrl': f'rtmp://127.0.0.1:{port}/{app}'})))
    sock.sendall(message(3, 20, 0, amf_string('createStream') + amf_number(2) + b'\x05'))
    sock.sendall(message(8, 20, 1, amf_string('play') + amf_number(3) + b'\x05' +
                         amf_string(name)))
    return sock


def video_dts(framecrc):
    """The video packets' DTS (ms) of `ffmpeg -f framecrc` output."""
    video = None
    out = []
    for line in framecrc.splitlines():
        if line.startswith('#media_type') and line.rstrip().endswith('video'):
            video = line.split()[1].rstrip(':')
        elif not line.startswith('#') and video is not None:
            fields = [f.strip() for f in line.split(',')]
            if len(fields) >= 6 and fields[0] == video:
                out.append(int(fields[1]))
    return out


class RtmpPlayersTest(RtmpTest):
    PLAYERS = 30
    SECONDS = 8

    def test_many_players_whole_and_a_stalled_one_alone(self):
        self.publish('many', heavy=True)
        self.wait_publishing('many')
        stalled = stalled_player(self.server.rtmp_port, 'live', 'many')
        stalled_since = time.monotonic()
        self.addCleanup(stalled.close)
        time.sleep(2)

        players = []
        for _ in range(self.PLAYERS):
            out = tempfile.TemporaryFile()
            self.addCleanup(out.close)
            proc = subprocess.Popen(['ffmpeg', '-hide_banner', '-loglevel', 'error',
                                     '-rw_timeout', '20000000', '-i', self.cb_url('many'),
                                     '-t', str(self.SECONDS), '-c', 'copy', '-f', 'framecrc', '-'],
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.DEVNULL)
            self.addCleanup(lambda p=proc: p.poll() is None and p.kill())
            players.append((proc, out))
        for proc, _ in players:
            self.assertEqual(proc.wait(timeout=120), 0)

        # Each player got every frame of its 8 s at 30 fps: no GOP missing anywhere.
        for i, (_, out) in enumerate(players):
            out.seek(0)
            dts = video_dts(out.read().decode(errors='replace'))
            self.assertGreaterEqual(len(dts), self.SECONDS * 30 - 5, f'player {i}')
            gaps = [b - a for a, b in zip(dts, dts[1:]) if b - a > 100]
            self.assertEqual(gaps, [], f'player {i} lost frames')

        # The stalled player lost whole GOPs on its own queue (its session holds 512 KiB,
        # its queue 4 s); no one else lost a packet.
        time.sleep(max(0.0, stalled_since + 15 - time.monotonic()))
        stalled.close()
        deadline = time.monotonic() + 30
        while True:
            drops = [int(n) for n in
                     re.findall(r'RTMP play of many ended \((\d+) packets dropped\)',
                                self.server.logs())]
            if len(drops) > self.PLAYERS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        drops.sort()
        self.assertEqual(len(drops), self.PLAYERS + 1, self.server.logs()[-3000:])
        self.assertEqual(drops[:-1], [0] * self.PLAYERS)
        self.assertGreater(drops[-1], 0, 'the stalled player lost nothing')


class RtmpPlayersMergedTest(RtmpPlayersTest):
    """The same with merged writes (rtmp_play_merge_ms): each player still gets every frame,
    and the stalled one alone loses GOPs."""
    server_args = ('-o', 'rtmp_play_merge_ms=100')


class RtmpKeyTest(RtmpTest):
    server_args = ('-o', 'rtmp_publish_key=s3cret', '-o', 'rtmp_publish_keys=vip:v1p')

    def test_global_key(self):
        refused = self.publish('cam', loop=False)
        self.assertNotEqual(refused.wait(30), 0)
        wrong = Publisher(self.cb_url('cam?key=nope'), loop=False)
        self.addCleanup(wrong.cleanup)
        self.assertNotEqual(wrong.wait(30), 0)
        self.publish('cam?key=s3cret')
        s = self.wait_publishing('cam')                 # the key is no part of the name
        self.assertNotIn('s3cret', str(s))
        self.assertNotIn('s3cret', self.server.logs())

    def test_per_stream_key(self):
        global_key = Publisher(self.cb_url('vip?key=s3cret'), loop=False)
        self.addCleanup(global_key.cleanup)
        self.assertNotEqual(global_key.wait(30), 0)
        self.publish('vip?key=v1p')
        self.wait_publishing('vip')


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is not installed')
class RtmpNginxTest(RtmpTest):
    def start_nginx(self, extra=''):
        nginx = NginxRtmp(extra=extra)
        self.addCleanup(nginx.cleanup)
        return nginx

    def test_pushed_on_to_nginx(self):
        nginx = self.start_nginx()
        self.publish('cam')
        self.wait_publishing('cam')
        status, t, _ = self.server.rest('push/startup', {'streamName': 'cam',
                                                         'rtmpUrl': nginx.url()})
        self.assertEqual(status, 200, t)
        streams = wait_ffprobe(nginx.url(name='rtmp_cam'), h264_aac)
        self.assertTrue(h264_aac(streams, 640, 360), streams)

    def test_nginx_push_directive_publishes_into_castbridge(self):
        # nginx-rtmp republishing its streams, as a media server in front of Castbridge.
        nginx = self.start_nginx(extra=f"""
    application relay {{
      live on;
      record off;
      push rtmp://127.0.0.1:{self.server.rtmp_port}/live;
    }}""")
        p = Publisher(nginx.url(app='relay', name='fromnginx'))
        self.addCleanup(p.cleanup)
        s = self.wait_publishing('fromnginx')
        self.assertEqual(s['mediaProvider'], 'RTMP')
        self.assertEqual((s['width'], s['height']), (640, 360))
        wait_ffprobe(self.cb_url('fromnginx'), h264_aac)
        # nginx stops relaying when its publisher goes: the stream ends here as well.
        p.kill(signal.SIGTERM)
        self.wait_gone('fromnginx', timeout=30)

    def test_pull(self):
        nginx = self.start_nginx()
        p = Publisher(nginx.url(name='src'))
        self.addCleanup(p.cleanup)
        wait_ffprobe(nginx.url(name='src'), h264_aac)
        uri = nginx.url(name='src')
        status, answer, _ = self.server.rest('pull/rtmp/pull', {'uri': uri,
                                                                'localStreamName': 'pulled'})
        self.assertEqual(status, 200, answer)
        s = self.wait_publishing('pulled')
        self.assertEqual(s['mediaProvider'], 'RTMP')
        self.assertEqual((s['width'], s['height']), (640, 360))
        streams = wait_ffprobe(self.cb_url('pulled'), h264_aac)
        self.assertTrue(h264_aac(streams, 640, 360), streams)

        status, answer, _ = self.server.rest('pull/rtmp/pull', {'uri': uri,
                                                                'localStreamName': 'again'})
        self.assertEqual(status, 409, answer)
        status, pulls, _ = self.server.rest('pull/rtmp/find_all')
        self.assertEqual(status, 200, pulls)
        self.assertEqual(len(pulls), 1)
        self.assertEqual(pulls[0]['localStreamName'], 'pulled')
        self.assertEqual(pulls[0]['status'], 'PROCESSED_REMOTE')   # WCS's name
        self.assertEqual(pulls[0]['state'], 'PLAYING')

        status, answer, _ = self.server.rest('pull/rtmp/terminate', {'uri': uri})
        self.assertEqual(status, 200, answer)
        self.wait_gone('pulled')
        status, _, _ = self.server.rest('pull/rtmp/find_all')
        self.assertEqual(status, 404)
        status, _, _ = self.server.rest('pull/rtmp/terminate', {'uri': uri})
        self.assertEqual(status, 404)

    def test_pull_reconnects(self):
        nginx = self.start_nginx()
        p = Publisher(nginx.url(name='src'))
        self.addCleanup(p.cleanup)
        wait_ffprobe(nginx.url(name='src'), h264_aac)
        status, answer, _ = self.server.rest('pull/rtmp/pull', {'uri': nginx.url(name='src'),
                                                                'localStreamName': 'src'})
        self.assertEqual(status, 200, answer)
        before = self.wait_publishing('src')
        # The source server goes away and comes back: the local stream stays, the pull
        # reconnects. (nginx alone keeps its players across a publisher restart.)
        p.kill()
        nginx.kill()
        time.sleep(1)
        nginx.start()
        p2 = Publisher(nginx.url(name='src'))
        self.addCleanup(p2.cleanup)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            status, pulls, _ = self.server.rest('pull/rtmp/find_all')
            if status == 200 and pulls[0]['reconnects'] >= 1 and pulls[0]['state'] == 'PLAYING':
                break
            time.sleep(0.5)
        else:
            self.fail(f'the pull did not reconnect: {pulls}\n{self.server.logs()}')
        after = self.wait_publishing('src')
        self.assertEqual(after['mediaSessionId'], before['mediaSessionId'])
        wait_ffprobe(self.cb_url('src'), h264_aac)


class RtmpBadPullTest(RtmpTest):
    def test_bad_requests(self):
        for body, expect in [({}, 400),
                             ({'uri': ''}, 400),
                             ({'uri': 'http://127.0.0.1/live/x'}, 400),
                             ({'uri': 'rtmp://127.0.0.1/live'}, 400),
                             ({'uri': 'rtmp://127.0.0.1:1/live/x', 'localStreamName': 'a/b'}, 400),
                             ({'uri': 7}, 400)]:
            status, answer, _ = self.server.rest('pull/rtmp/pull', body)
            self.assertEqual(status, expect, (body, answer))
        status, _, _ = self.server.rest('pull/rtmp/terminate', {'uri': 'rtmp://127.0.0.1/live/x'})
        self.assertEqual(status, 404)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if _media_dir is not None:
        shutil.rmtree(_media_dir, ignore_errors=True)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
