# test_vod.py — VOD: MP4 files played as streams (vod://, vod-live://, /vod/*), with real
# ffmpeg/ffprobe players, a real nginx-rtmp and the WCS WebSocket and WHEP play paths
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

# The engine's log says how streams end (status and reason): the tests read it.
os.environ.setdefault('G_MESSAGES_DEBUG', 'cb-server cb-engine')

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
from nginxrtmp import NginxRtmp, wait_ffprobe  # noqa: E402

HAVE_FFMPEG = shutil.which('ffmpeg') is not None and shutil.which('ffprobe') is not None
FILE_SECONDS = 6
OFFER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'browser',
                          'chromium-offer.sdp')
_media_dir = None


def media_file(name):
    """6 s of H.264 (a keyframe a second) and AAC, made once per run: plain.mp4 without
    B-frames, bframes.mp4 with them."""
    global _media_dir
    if _media_dir is None:
        _media_dir = tempfile.mkdtemp(prefix='cb-vod-media-')
    path = os.path.join(_media_dir, name)
    if not os.path.exists(path):
        bf = '2' if name == 'bframes.mp4' else '0'
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                        '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30',
                        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
                        '-t', str(FILE_SECONDS), '-c:v', 'libx264', '-preset', 'veryfast',
                        '-g', '30', '-bf', bf, '-pix_fmt', 'yuv420p',
                        '-c:a', 'aac', '-b:a', '64k', path],
                       check=True, timeout=120)
    return path


def packets(url, seconds=None, timeout=30):
    """Plays @url with ffprobe and lists its packets: (packets, returncode, stderr, elapsed).
    Each packet is {type, pts, dts, key}; @seconds stops reading after that much media."""
    args = ['ffprobe', '-hide_banner', '-loglevel', 'error', '-rw_timeout', '8000000']
    if seconds is not None:
        args += ['-read_intervals', '%%+%d' % seconds]
    args += ['-show_entries', 'packet=codec_type,pts_time,dts_time,flags',
             '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', url]
    start = time.monotonic()
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, 'timeout', time.monotonic() - start
    elapsed = time.monotonic() - start
    result = []
    streams = []
    if out.stdout:
        doc = json.loads(out.stdout)
        streams = doc.get('streams', [])
        for p in doc.get('packets', []):
            if 'dts_time' not in p:
                continue
            result.append({'type': p['codec_type'], 'pts': float(p.get('pts_time', p['dts_time'])),
                           'dts': float(p['dts_time']), 'key': 'K' in p.get('flags', '')})
    return (result, streams), out.returncode, out.stderr, elapsed


def codecs(streams):
    return sorted((s['codec_type'], s['codec_name']) for s in streams)


def increasing(values):
    return all(b > a for a, b in zip(values, values[1:]))


class FfprobeProcess:
    """ffprobe listing packets in the background, for players that must overlap."""

    def __init__(self, url, seconds):
        self.out = tempfile.NamedTemporaryFile(prefix='cb-vod-probe-', suffix='.json', delete=False)
        self.err = tempfile.NamedTemporaryFile(prefix='cb-vod-probe-', suffix='.log', delete=False)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            ['ffprobe', '-hide_banner', '-loglevel', 'error', '-rw_timeout', '8000000',
             '-read_intervals', '%%+%d' % seconds,
             '-show_entries', 'packet=codec_type,pts_time,dts_time,flags', '-of', 'json', url],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err)

    def wait(self, timeout=40):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(self.out.name) as f:
            text = f.read()
        doc = json.loads(text) if text.strip() else {}
        return [{'type': p['codec_type'], 'dts': float(p['dts_time']), 'key': 'K' in p.get('flags', '')}
                for p in doc.get('packets', []) if 'dts_time' in p]

    def stderr(self):
        with open(self.err.name, errors='replace') as f:
            return f.read()

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.out, self.err):
            f.close()
            os.unlink(f.name)


@unittest.skipUnless(HAVE_FFMPEG, 'ffmpeg and ffprobe are needed')
class VodTest(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.server = cbtest.ServerProcess(*self.server_args)
        self.addCleanup(self.server.cleanup)
        self.assertGreater(self.server.rtmp_port, 0)
        for name in ('plain.mp4', 'bframes.mp4'):
            shutil.copy(media_file(name), os.path.join(self.server.media_dir, name))
        with open(os.path.join(self.server.media_dir, 'x.mp4'), 'w') as f:
            f.write('this is text, not an MP4 file\n')

    def url(self, name):
        return f'rtmp://127.0.0.1:{self.server.rtmp_port}/live/{name}'

    def play(self, name, seconds=None, timeout=30):
        return packets(self.url(name), seconds, timeout)

    def vod_find(self, body=None):
        return self.server.rest('vod/find' if body else 'vod/find_all', body)

    def wait_vod_gone(self, body, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, answer, _ = self.vod_find(body)
            if status == 404:
                return
            time.sleep(0.2)
        self.fail(f'VOD stream still there: {answer}\n{self.server.logs()}')

    def assert_healthy(self):
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)
        self.assertIsNone(self.server.proc.poll(), self.server.logs())

    def ws_session(self):
        ws = cbtest.WebSocketClient(self.server.ws_port, '/')
        self.addCleanup(ws.close)
        ws.send_json('connection', {'appKey': 'defaultApp', 'mediaProviders': ['WebRTC'],
                                    'keepAlive': True})
        ws.recv_message('getUserData')
        return ws

    def ws_play(self, ws, name):
        with open(OFFER_PATH) as f:
            offer = f.read().replace('\r\n', '\n').replace('\n', '\r\n')
        msid = str(uuid.uuid4())
        ws.send_json('playStream', {'mediaSessionId': msid, 'name': name, 'published': False,
                                    'hasVideo': True, 'hasAudio': True, 'status': 'PENDING',
                                    'mediaProvider': 'WebRTC', 'sdp': offer})
        return msid

    def ws_wait(self, ws, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            msg = ws.recv_json()
            seen.append(msg.get('message'))
            if predicate(msg):
                return msg
        self.fail(f'no such message; saw {seen}\n{self.server.logs()}')


class VodRtmpTest(VodTest):
    """Personal (vod://) and shared (vod-live://) VOD played over RTMP."""

    def check_whole_file(self, name):
        (pkts, streams), rc, err, elapsed = self.play(name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(codecs(streams), [('audio', 'aac'), ('video', 'h264')])
        video = [p for p in pkts if p['type'] == 'video']
        audio = [p for p in pkts if p['type'] == 'audio']
        # From the start: the first frame is the file's first keyframe, at t≈0.
        self.assertTrue(video[0]['key'], video[:3])
        self.assertLess(video[0]['dts'], 0.2)
        self.assertLess(audio[0]['dts'], 0.3)
        # All of it, once, and then the stream ends by itself near the file's length.
        self.assertEqual(len(video), FILE_SECONDS * 30)
        self.assertGreater(max(p['pts'] for p in video), FILE_SECONDS - 0.5)
        self.assertLess(max(p['pts'] for p in video), FILE_SECONDS + 0.5)
        self.assertTrue(increasing([p['dts'] for p in video]))
        self.assertTrue(increasing([p['dts'] for p in audio]))
        # In real time, as a viewer watches it (not as fast as the disk reads).
        self.assertGreater(elapsed, FILE_SECONDS - 2)
        return video

    def test_personal_plays_the_file_from_its_start_and_ends(self):
        self.check_whole_file('vod://plain.mp4')
        self.assertIn('stream vod://plain.mp4 ended: UNPUBLISHED Stopped at the end of the file',
                      self.server.logs())
        # One reader per viewer: each is gone with its viewer.
        self.wait_vod_gone(None)
        self.assert_healthy()

    def test_personal_with_b_frames(self):
        video = self.check_whole_file('vod://bframes.mp4')
        self.assertTrue(any(p['pts'] != p['dts'] for p in video))

    def test_short_forms_of_the_name(self):
        # "vod:" and "vod-live:" without slashes, for RTMP clients that split URLs at "/".
        for name in ('vod:plain.mp4', 'vod-live:plain.mp4', 'VOD://plain.mp4'):
            with self.subTest(name=name):
                streams = wait_ffprobe(self.url(name), lambda s: len(s) == 2, timeout=20)
                self.assertEqual(codecs(streams), [('audio', 'aac'), ('video', 'h264')])

    def test_vod_live_viewers_share_one_reader_and_position(self):
        first = FfprobeProcess(self.url('vod-live://plain.mp4'), 5)
        self.addCleanup(first.cleanup)
        time.sleep(2.5)
        joined_after = time.monotonic() - first.started
        # A second form of the same name joins the same reader.
        second = FfprobeProcess(self.url('vod-live:plain.mp4'), 2)
        self.addCleanup(second.cleanup)
        status, found, _ = self.vod_find()
        self.assertEqual(status, 200, found)
        self.assertEqual([v['uri'] for v in found], ['vod-live://plain.mp4'])
        a = [p for p in first.wait() if p['type'] == 'video']
        b = [p for p in second.wait() if p['type'] == 'video']
        self.assertTrue(a and b, (first.stderr(), second.stderr()))
        self.assertTrue(a[0]['key'] and b[0]['key'])
        self.assertLess(a[0]['dts'], 0.2)
        # The late viewer starts where the file is (from the keyframe before, a second a
        # GOP), not from the start as a personal VOD would.
        self.assertGreater(b[0]['dts'], joined_after - 2.0, (joined_after, b[:2]))
        self.assertLess(b[0]['dts'], joined_after + 1.0, (joined_after, b[:2]))
        # Both saw the same timeline: the frames they both got carry the same timestamps.
        common = {round(p['dts'], 2) for p in a} & {round(p['dts'], 2) for p in b}
        self.assertGreater(len(common), 15)

    def test_vod_live_loops_with_increasing_timestamps(self):
        (pkts, streams), rc, err, elapsed = self.play('vod-live://bframes.mp4', seconds=9,
                                                      timeout=40)
        self.assertEqual(rc, 0, err)
        for kind in ('video', 'audio'):
            dts = [p['dts'] for p in pkts if p['type'] == kind]
            self.assertTrue(increasing(dts), kind)
            self.assertGreater(dts[-1], FILE_SECONDS + 2, kind)      # past the end: it looped
        video = [p for p in pkts if p['type'] == 'video']
        # No jump across the loop: frames keep a frame's distance.
        steps = [b['dts'] - a['dts'] for a, b in zip(video, video[1:])]
        self.assertLess(max(steps), 0.1, steps)
        self.assertIn('from the start again', self.server.logs())


class VodTimeoutTest(VodTest):
    server_args = ('-o', 'vod_stream_timeout=2')

    def test_vod_live_without_viewers_ends(self):
        status, answer, _ = self.server.rest('vod/startup', {'uri': 'vod-live://plain.mp4',
                                                             'localStreamName': 'idle'})
        self.assertEqual(status, 200, answer)
        status, found, _ = self.vod_find({'localStreamName': 'idle'})
        self.assertEqual(status, 200)
        self.wait_vod_gone({'localStreamName': 'idle'}, timeout=15)
        self.assertIn('stream idle ended: UNPUBLISHED Stopped by vod_stream_timeout',
                      self.server.logs())

    def test_vod_live_lives_while_watched_and_ends_after_its_last_viewer(self):
        (pkts, _), rc, err, _ = self.play('vod-live://plain.mp4', seconds=5, timeout=30)
        self.assertEqual(rc, 0, err)
        video = [p['dts'] for p in pkts if p['type'] == 'video']
        self.assertGreater(video[-1], 4.0)      # watched past the timeout: not cut
        self.wait_vod_gone(None, timeout=15)
        self.assertIn('stream vod-live://plain.mp4 ended: UNPUBLISHED Stopped by vod_stream_timeout',
                      self.server.logs())


class VodNoLoopTest(VodTest):
    server_args = ('-o', 'vod_live_loop=false')

    def test_vod_live_without_loop_ends_with_the_file(self):
        (pkts, streams), rc, err, elapsed = self.play('vod-live://plain.mp4', timeout=40)
        self.assertEqual(rc, 0, err)
        video = [p for p in pkts if p['type'] == 'video']
        self.assertEqual(len(video), FILE_SECONDS * 30)
        self.assertGreater(max(p['pts'] for p in video), FILE_SECONDS - 0.5)
        self.assertLess(max(p['pts'] for p in video), FILE_SECONDS + 0.5)
        self.assertLess(elapsed, FILE_SECONDS + 8)
        logs = self.server.logs()
        self.assertNotIn('from the start again', logs)
        self.assertIn('stream vod-live://plain.mp4 ended: UNPUBLISHED Stopped at the end of the file',
                      logs)
        self.wait_vod_gone(None)
        # /vod/startup takes the setting as its default too.
        status, answer, _ = self.server.rest('vod/startup', {'uri': 'vod-live://plain.mp4',
                                                             'localStreamName': 'once'})
        self.assertEqual(status, 200, answer)
        self.assertIs(self.vod_find({'localStreamName': 'once'})[1][0]['loop'], False)

class VodRestTest(VodTest):
    def test_startup_find_terminate(self):
        status, answer, _ = self.vod_find()
        self.assertEqual(status, 404)
        status, answer, _ = self.server.rest('vod/startup', {'uri': 'vod-live://plain.mp4',
                                                             'localStreamName': 'film',
                                                             'loop': False})
        self.assertEqual(status, 200, answer)
        status, found, _ = self.vod_find()
        self.assertEqual(status, 200)
        self.assertEqual(len(found), 1)
        v = found[0]
        self.assertEqual(v['localStreamName'], 'film')
        self.assertEqual(v['uri'], 'vod-live://plain.mp4')
        self.assertEqual(v['status'], 'PROCESSED_LOCAL')
        self.assertIs(v['hasAudio'], True)
        self.assertIs(v['hasVideo'], True)
        self.assertIs(v['loop'], False)
        self.assertTrue(v['localMediaSessionId'])
        status, one, _ = self.vod_find({'localStreamName': 'film'})
        self.assertEqual((status, one), (200, found))
        self.assertEqual(self.vod_find({'localStreamName': 'other'})[0], 404)

        # It is a stream like any other: listed, and played by its name.
        s = self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'film'})
        self.assertEqual(s['mediaProvider'], 'VOD')
        self.assertEqual(s['mediaSessionId'], v['localMediaSessionId'])
        streams = wait_ffprobe(self.url('film'), lambda s: len(s) == 2, timeout=20)
        self.assertEqual(codecs(streams), [('audio', 'aac'), ('video', 'h264')])

        # The name is taken.
        status, answer, _ = self.server.rest('vod/startup', {'uri': 'vod-live://bframes.mp4',
                                                             'localStreamName': 'film'})
        self.assertEqual(status, 409, answer)

        status, answer, _ = self.server.rest('vod/terminate', {'uri': 'vod-live://plain.mp4',
                                                               'localStreamName': 'film'})
        self.assertEqual(status, 200, answer)
        status, answer, _ = self.server.rest('vod/terminate', {'localStreamName': 'film'})
        self.assertEqual(status, 404, answer)
        self.assertEqual(self.vod_find()[0], 404)
        self.assertIn('stream film ended: UNPUBLISHED Stopped by rest /terminate', self.server.logs())

    def test_startup_under_the_uri_is_what_viewers_join(self):
        status, answer, _ = self.server.rest('vod/startup', {'uri': 'vod-live://plain.mp4'})
        self.assertEqual(status, 200, answer)
        status, found, _ = self.vod_find({'uri': 'vod-live://plain.mp4'})
        self.assertEqual(status, 200)
        self.assertEqual(found[0]['localStreamName'], 'vod-live://plain.mp4')
        self.assertIs(found[0]['loop'], True)              # vod_live_loop's default
        wait_ffprobe(self.url('vod-live://plain.mp4'), lambda s: len(s) == 2, timeout=20)
        status, found, _ = self.vod_find()
        self.assertEqual(len(found), 1)                    # joined, not a second reader
        self.assertEqual(self.server.rest('vod/startup', {'uri': 'vod-live://plain.mp4'})[0], 409)

    def test_bad_requests(self):
        cases = [
            ({}, 400, None),
            ({'uri': 7}, 400, None),
            ({'uri': 'vod://plain.mp4'}, 400, 'Bad URI'),              # startup is vod-live only
            ({'uri': 'http://127.0.0.1/plain.mp4'}, 400, 'Bad URI'),
            ({'uri': 'vod-live://'}, 400, 'Bad URI'),
            ({'uri': 'vod-live://plain.mp4', 'localStreamName': 'a/b'}, 400, None),
            ({'uri': 'vod-live://plain.mp4', 'localStreamName': 'vod-live://other.mp4'}, 400, None),
            ({'uri': 'vod-live://missing.mp4'}, 404, 'File not found'),
            ({'uri': 'vod-live://../plain.mp4'}, 404, 'File not found'),
            ({'uri': 'vod-live:///etc/passwd'}, 404, 'File not found'),
            ({'uri': 'vod-live://x.mp4'}, 400, 'File has wrong format'),
        ]
        for body, expect, info in cases:
            with self.subTest(body=body):
                status, answer, _ = self.server.rest('vod/startup', body)
                self.assertEqual(status, expect, answer)
                if info is not None:
                    self.assertIn(info, (answer.get('info'), answer.get('error')), answer)
        self.assertEqual(self.server.rest('vod/terminate', {})[0], 400)
        self.assertEqual(self.server.rest('vod/terminate', {'uri': 'vod-live://plain.mp4'})[0], 404)
        self.assertEqual(self.vod_find()[0], 404)
        self.assert_healthy()

    def test_personal_vod_is_listed_and_terminated(self):
        probe = FfprobeProcess(self.url('vod://plain.mp4'), 30)
        self.addCleanup(probe.cleanup)
        deadline = time.monotonic() + 10
        found = None
        while time.monotonic() < deadline:
            status, found, _ = self.vod_find({'uri': 'vod://plain.mp4'})
            if status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(found[0]['localStreamName'], 'vod://plain.mp4')
        self.assertIs(found[0]['loop'], False)
        status, _, _ = self.server.rest('vod/terminate', {'uri': 'vod://plain.mp4'})
        self.assertEqual(status, 200)
        probe.wait(timeout=15)
        self.assertIsNotNone(probe.proc.returncode)        # the viewer saw the end
        self.wait_vod_gone(None)


class VodErrorsTest(VodTest):
    """What cannot be played says why, in WCS's words, on every play path."""

    def setUp(self):
        super().setUp()
        # A real MP4 outside the media folder, and a link to it from inside.
        outside = os.path.join(self.server.tmp, 'outside.mp4')
        shutil.copy(media_file('plain.mp4'), outside)
        os.symlink(outside, os.path.join(self.server.media_dir, 'link-out.mp4'))
        os.symlink('plain.mp4', os.path.join(self.server.media_dir, 'link-in.mp4'))

    def test_rtmp(self):
        cases = [('vod://missing.mp4', 'File not found'),
                 ('vod://../outside.mp4', 'File not found'),
                 ('vod:///etc/passwd', 'File not found'),
                 ('vod://link-out.mp4', 'File not found'),
                 ('vod-live://link-out.mp4', 'File not found'),
                 ('vod://x.mp4', 'File has wrong format'),
                 ('vod-live://x.mp4', 'File has wrong format')]
        for name, info in cases:
            with self.subTest(name=name):
                result, rc, err, _ = self.play(name, timeout=20)
                self.assertNotEqual(rc, 0)
                self.assertIn(info, err)
        # Refused names were never opened: no reader was made for them.
        logs = self.server.logs()
        self.assertIn('Bad file name: outside the folder', logs)
        for name in ('vod://link-out.mp4', 'vod://../outside.mp4', 'vod:///etc/passwd'):
            self.assertNotIn(f'VOD {name} from', logs)
        # A link inside the folder is a file like any other.
        streams = wait_ffprobe(self.url('vod://link-in.mp4'), lambda s: len(s) == 2, timeout=20)
        self.assertEqual(codecs(streams), [('audio', 'aac'), ('video', 'h264')])
        self.assert_healthy()

    def test_websocket_play_fails_with_wcs_info(self):
        ws = self.ws_session()
        for name, info in [('vod://missing.mp4', 'File not found'),
                           ('vod-live://../outside.mp4', 'File not found'),
                           ('vod://x.mp4', 'File has wrong format')]:
            with self.subTest(name=name):
                msid = self.ws_play(ws, name)
                msg = self.ws_wait(ws, lambda m: m.get('message') == 'notifyStreamStatusEvent' and
                                   m['data'][0]['mediaSessionId'] == msid and
                                   m['data'][0]['status'] == 'FAILED')
                self.assertEqual(msg['data'][0]['info'], info)
                self.assertEqual(msg['data'][0]['name'], name)
        self.assert_healthy()

    def test_websocket_play_of_b_frames_is_answered_and_transcoded(self):
        # The answer waits for the file's head: the player knows the B-frames need new
        # video before it attaches.
        ws = self.ws_session()
        msid = self.ws_play(ws, 'vod://bframes.mp4')
        msg = self.ws_wait(ws, lambda m: m.get('message') in ('setRemoteSDP', 'notifyStreamStatusEvent'))
        self.assertEqual(msg['message'], 'setRemoteSDP', msg)
        self.assertEqual(msg['data'][0], msid)
        s = self.server.wait_for_stream(lambda s: s['mediaProvider'] == 'VOD' and
                                        s['status'] == 'PUBLISHING',
                                        {'name': 'vod://bframes.mp4', 'published': True})
        self.assertGreaterEqual(s['renditions'], 1, s)
        ws.close()
        # The viewer went: its personal reader goes too.
        self.wait_vod_gone(None)

    def test_whep(self):
        with open(OFFER_PATH) as f:
            offer = f.read().replace('\r\n', '\n').replace('\n', '\r\n')
        # The name URL-encoded, as the in-app player sends it.
        for path, expect, info in [('/whep/vod%3A%2F%2Fmissing.mp4', 404, 'File not found'),
                                   ('/whep/vod%3A%2F%2Fsub%2Fmissing.mp4', 404, 'File not found'),
                                   ('/whep/vod%3Aoutside.mp4', 404, 'File not found'),
                                   ('/whep/vod-live%3A%2F%2Fx.mp4', 400, 'File has wrong format'),
                                   # libsoup itself refuses a path with "..".
                                   ('/whep/vod%3A%2F%2F..%2Foutside.mp4', 400, '')]:
            with self.subTest(path=path):
                status, _, body = self.server.request('POST', path, offer.encode(),
                                                      headers={'Content-Type': 'application/sdp'})
                self.assertEqual(status, expect, body)
                self.assertIn(info, body.decode())
        self.assertNotIn('VOD vod://../outside.mp4 from', self.server.logs())
        self.assert_healthy()

    def test_file_deleted_while_playing(self):
        shutil.copy(media_file('plain.mp4'), os.path.join(self.server.media_dir, 'gone.mp4'))
        probe = FfprobeProcess(self.url('vod-live://gone.mp4'), 30)
        self.addCleanup(probe.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING',
                                    {'name': 'vod-live://gone.mp4'})
        time.sleep(1)
        os.unlink(os.path.join(self.server.media_dir, 'gone.mp4'))
        probe.wait(timeout=20)
        self.assertIn('Failed to read file', probe.stderr())
        self.wait_vod_gone(None)
        self.assertIn('stream vod-live://gone.mp4 ended: FAILED Failed to read file',
                      self.server.logs())
        self.assert_healthy()


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is needed')
class VodPushTest(VodTest):
    def test_push_vod_live_to_nginx(self):
        nginx = NginxRtmp()
        self.addCleanup(nginx.cleanup)
        status, t, _ = self.server.rest('push/startup', {'streamName': 'vod-live://plain.mp4',
                                                         'rtmpUrl': nginx.url(name='film'),
                                                         'rtmpTransponderFullUrl': True})
        self.assertEqual(status, 200, t)
        streams = wait_ffprobe(nginx.url(name='film'), lambda s: len(s) == 2, timeout=40)
        self.assertEqual(codecs(streams), [('audio', 'aac'), ('video', 'h264')])
        status, found, _ = self.vod_find({'uri': 'vod-live://plain.mp4'})
        self.assertEqual(status, 200, found)
        # A personal VOD has one viewer of its own: it is not pushed.
        status, answer, _ = self.server.rest('push/startup', {'streamName': 'vod://plain.mp4',
                                                              'rtmpUrl': nginx.url(name='x'),
                                                              'rtmpTransponderFullUrl': True})
        self.assertEqual(status, 400, answer)
        status, answer, _ = self.server.rest('push/startup', {'streamName': 'vod-live://missing.mp4',
                                                              'rtmpUrl': nginx.url(name='y'),
                                                              'rtmpTransponderFullUrl': True})
        self.assertEqual(status, 404, answer)


class VodRelayTest(VodTest):
    def test_relay_vod_live_to_another_castbridge(self):
        other = cbtest.ServerProcess()
        self.addCleanup(other.cleanup)
        uri = 'ws://127.0.0.1:%d' % other.ws_port
        status, answer, _ = self.server.rest('pull/push', {'uri': uri,
                                                           'localStreamName': 'vod-live://plain.mp4',
                                                           'remoteStreamName': 'film'})
        self.assertEqual(status, 200, answer)
        # The audio may be known a moment after the video (seen under ASan): wait for both.
        remote = other.wait_for_stream(lambda s: s['status'] == 'PUBLISHING' and
                                       s['videoCodec'] == 'H264' and s['width'] == 320 and
                                       s.get('audioCodec'),
                                       {'name': 'film'}, timeout=40)
        self.assertEqual(remote['audioCodec'], 'opus')
        status, answer, _ = self.server.rest('pull/push', {'uri': uri,
                                                           'localStreamName': 'vod://plain.mp4',
                                                           'remoteStreamName': 'mine'})
        self.assertEqual(status, 400, answer)


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
