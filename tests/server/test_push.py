# test_push.py — RTMP push against a real nginx-rtmp, through the WCS /push REST API
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
from nginxrtmp import NginxRtmp, ffprobe, wait_ffprobe  # noqa: E402


def codecs(streams):
    return {s['codec_type']: s for s in streams}


def h264_aac(streams, width=None, height=None):
    c = codecs(streams)
    v, a = c.get('video'), c.get('audio')
    return (v is not None and a is not None and v['codec_name'] == 'h264' and
            a['codec_name'] == 'aac' and (width is None or v.get('width') == width) and
            (height is None or v.get('height') == height))


def make_wav(path, seconds=1, rate=48000):
    frames = rate * seconds
    data = b''.join(struct.pack('<hh', (i * 37) % 3000, (i * 37) % 3000) for i in range(frames))
    with open(path, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVE')
        f.write(b'fmt ' + struct.pack('<IHHIIHH', 16, 1, 2, rate, rate * 4, 4, 16))
        f.write(b'data' + struct.pack('<I', len(data)) + data)


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is not installed')
class PushTest(unittest.TestCase):
    server_args = ()

    def setUp(self):
        self.nginx = NginxRtmp()
        self.addCleanup(self.nginx.cleanup)
        self.server = cbtest.ServerProcess('--publish', 'cam=test', *self.server_args)
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def push(self, expect=200, **body):
        body.setdefault('streamName', 'cam')
        status, answer, _ = self.server.rest('push/startup', body)
        self.assertEqual(status, expect, answer)
        return answer

    def find(self, msid):
        status, answer, _ = self.server.rest('push/find', {'mediaSessionId': msid})
        self.assertEqual(status, 200, answer)
        return answer[0]

    def wait_push(self, msid, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.find(msid)
            if predicate(last):
                return last
            time.sleep(0.2)
        raise AssertionError(f'transponder never matched: {last!r}\n{self.server.logs()}')

    def event_types(self, t):
        return [e['type'] for e in t['events']]


class PushBasicsTest(PushTest):
    def test_push_passthrough_reaches_nginx(self):
        t = self.push(rtmpUrl=self.nginx.url())
        # As WCS: the name on the RTMP server, and the URL as given (no secret in either).
        self.assertEqual((t['streamName'], t['localStreamName'], t['rtmpUrl']),
                         ('rtmp_cam', 'cam', self.nginx.url()))
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        self.assertEqual(self.event_types(t)[:2], ['Connected', 'StreamStarted'])
        streams = wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)
        self.assertTrue(h264_aac(streams, 1280, 720), streams)

        status, all_, _ = self.server.rest('push/find_all')
        self.assertEqual(status, 200)
        self.assertEqual(len(all_), 1)
        status, found, _ = self.server.rest('push/find', {'streamName': 'cam',
                                                          'rtmpUrl': self.nginx.url()})
        self.assertEqual(status, 200)
        self.assertEqual(found[0]['mediaSessionId'], t['mediaSessionId'])

        # The same stream to the same URL again: 409, and the first one goes on.
        self.push(expect=409, rtmpUrl=self.nginx.url())

        # Terminate: the destination sees the end of the stream.
        status, _, _ = self.server.rest('push/terminate', {'mediaSessionId': t['mediaSessionId']})
        self.assertEqual(status, 200)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and ffprobe(self.nginx.url(name='rtmp_cam'), timeout=6):
            time.sleep(0.5)
        self.assertIsNone(ffprobe(self.nginx.url(name='rtmp_cam'), timeout=6))
        # Stopped, it stays findable a while with its final event (rtmp_push_keep_stopped_seconds).
        status, found, _ = self.server.rest('push/find', {'mediaSessionId': t['mediaSessionId']})
        self.assertEqual(status, 200)
        self.assertEqual(found[0]['status'], 'STOPPED')
        self.assertEqual(found[0]['events'][-1]['type'], 'StreamStopped')
        self.assertIn('deleteStream', self.nginx.log())

    def test_full_url_and_prefix(self):
        t = self.push(rtmpUrl=self.nginx.url(name='chosen'), rtmpTransponderFullUrl=True)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='chosen'), h264_aac)

    def test_bad_requests(self):
        cases = [
            ({'rtmpUrl': 'rtmp://127.0.0.1/live', 'streamName': 'nope'}, 404),
            ({'streamName': 'cam'}, 400),
            ({'streamName': 'cam', 'rtmpUrl': ''}, 400),
            ({'streamName': 'cam', 'rtmpUrl': 'http://127.0.0.1/live'}, 400),
            ({'streamName': 'cam', 'rtmpUrl': 'rtmp:///live'}, 400),
            ({'streamName': 'cam', 'rtmpUrl': 'rtmp://127.0.0.1:99999/live'}, 400),
            ({'streamName': 'cam', 'rtmpUrl': self.nginx.url(), 'height': -1}, 400),
            ({'streamName': 'cam', 'rtmpUrl': self.nginx.url(), 'height': 'tall'}, 400),
            ({'streamName': 'cam', 'rtmpUrl': self.nginx.url(),
              'options': {'action': 'sound_on', 'soundFile': '../../etc/passwd'}}, 400),
            ({'streamName': 'cam', 'rtmpUrl': self.nginx.url(),
              'options': {'action': 'sound_on', 'soundFile': 'missing.wav'}}, 404),
            ({'streamName': 'cam', 'rtmpUrl': self.nginx.url(), 'options': {'action': 'dance'}}, 400),
        ]
        for body, expected in cases:
            status, answer, _ = self.server.rest('push/startup', body)
            self.assertEqual(status, expected, (body, answer))
        for verb in ('push/terminate', 'push/mute', 'push/unmute', 'push/sound_off'):
            status, _, _ = self.server.rest(verb, {'mediaSessionId': 'no-such-id'})
            self.assertEqual(status, 404, verb)
        status, _, _ = self.server.rest('push/find_all')
        self.assertEqual(status, 404)
        status, _, _ = self.server.rest('push/terminate', {})
        self.assertEqual(status, 400)
        # Still serving.
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)

    def test_credentials_never_shown(self):
        url = f'rtmp://alice:s3cret@127.0.0.1:{self.nginx.port}/live?password=hunter2'
        t = self.push(rtmpUrl=url)
        text = repr(t)
        self.assertNotIn('s3cret', text)
        self.assertNotIn('hunter2', text)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        self.assertNotIn('s3cret', self.server.logs())
        self.assertNotIn('hunter2', self.server.logs())

    def test_mute_and_sound(self):
        make_wav(os.path.join(self.server.media_dir, 'jingle.wav'))
        with open(os.path.join(self.server.media_dir, 'fake.wav'), 'w') as f:
            f.write('not a wav')
        t = self.push(rtmpUrl=self.nginx.url(), options={'action': 'mute'})
        self.assertTrue(t['muted'])
        msid = t['mediaSessionId']
        self.wait_push(msid, lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)   # audio track still there
        muted_volume = nginxrtmp.mean_volume(self.nginx.url(name='rtmp_cam'))
        self.assertIsNotNone(muted_volume)
        self.assertLess(muted_volume, -80)                          # silence
        self.assertEqual(self.server.rest('push/unmute', {'mediaSessionId': msid})[0], 200)
        self.assertFalse(self.find(msid)['muted'])
        tone_volume = nginxrtmp.mean_volume(self.nginx.url(name='rtmp_cam'))
        self.assertGreater(tone_volume, -40)                         # the test tone is back
        status, _, _ = self.server.rest('push/sound_on', {'mediaSessionId': msid,
                                                          'soundFile': 'jingle.wav', 'loop': True})
        self.assertEqual(status, 200)
        self.assertTrue(self.find(msid)['soundEnabled'])
        self.assertEqual(self.server.rest('push/sound_on', {'mediaSessionId': msid,
                                                            'soundFile': 'fake.wav'})[0], 400)
        self.assertEqual(self.server.rest('push/sound_on', {'mediaSessionId': msid,
                                                            'soundFile': '../jingle.wav'})[0], 400)
        time.sleep(2)
        t = self.find(msid)
        self.assertEqual(t['status'], 'STREAMING', t)
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)
        mixed_volume = nginxrtmp.mean_volume(self.nginx.url(name='rtmp_cam'))
        self.assertGreater(mixed_volume, tone_volume + 1)            # the jingle is mixed in
        self.assertEqual(self.server.rest('push/sound_off', {'mediaSessionId': msid})[0], 200)
        self.assertFalse(self.find(msid)['soundEnabled'])

    def test_rejected_publish_reports_server_reason(self):
        # nginx-rtmp refuses a second publisher of a name that is already live.
        first = self.push(rtmpUrl=self.nginx.url(name='taken'), rtmpTransponderFullUrl=True)
        self.wait_push(first['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        status, _, _ = self.server.rest('castbridge/source/publish', {'name': 'other', 'source': 'test'})
        self.assertEqual(status, 200)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'other'})
        t = self.push(streamName='other', rtmpUrl=self.nginx.url(name='taken'),
                      rtmpTransponderFullUrl=True)
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'FAILED')
        errors = [e for e in t['events'] if e['type'] == 'StreamError']
        self.assertTrue(errors, t)
        self.assertIn('NetStream.Publish.BadName', errors[0]['reason'])

    def test_connection_refused(self):
        port = nginxrtmp.free_port()
        t = self.push(rtmpUrl=f'rtmp://127.0.0.1:{port}/live')
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'FAILED')
        self.assertEqual(self.event_types(t), ['ConnectionFailed'])
        self.assertTrue(t['events'][0]['reason'])


class PushAutoStartTest(PushTest):
    def setUp(self):
        self.nginx = NginxRtmp()
        self.addCleanup(self.nginx.cleanup)
        self.server = cbtest.ServerProcess('--publish', 'cam=test', '-o', 'rtmp_push_auto_start=true',
                                           '-o', 'rtmp_push_auto_start_url=' + self.nginx.url())
        self.addCleanup(self.server.cleanup)

    def test_every_stream_is_pushed(self):
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)
        status, _, _ = self.server.rest('castbridge/source/publish', {'name': 'late', 'source': 'test'})
        self.assertEqual(status, 200)
        wait_ffprobe(self.nginx.url(name='rtmp_late'), h264_aac)
        status, answer, _ = self.server.rest('push/find_all')
        self.assertEqual(sorted(t['localStreamName'] for t in answer), ['cam', 'late'])
        self.assertEqual(sorted(t['streamName'] for t in answer), ['rtmp_cam', 'rtmp_late'])


@unittest.skipUnless(nginxrtmp.tls_available(), 'nginx stream module or openssl missing')
class PushTlsTest(PushTest):
    server_args = ('-o', 'rtmp_tls_no_verify=true')

    def setUp(self):
        self.nginx = NginxRtmp(tls=True)
        self.addCleanup(self.nginx.cleanup)
        self.server = cbtest.ServerProcess('--publish', 'cam=test', *self.server_args)
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def test_rtmps(self):
        t = self.push(rtmpUrl=self.nginx.tls_url())
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)


@unittest.skipUnless(nginxrtmp.tls_available(), 'nginx stream module or openssl missing')
class PushTlsVerifyTest(PushTlsTest):
    server_args = ()

    def test_rtmps(self):
        # A self-signed certificate is refused when certificates are checked (the default).
        t = self.push(rtmpUrl=self.nginx.tls_url())
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'FAILED')
        self.assertEqual(self.event_types(t), ['ConnectionFailed'])


class PushLivenessTest(PushTest):
    """A destination on another machine whose cable is pulled: never shown as live."""

    def test_dead_connection_is_detected(self):
        host = cbtest.NetnsHost()
        self.addCleanup(host.cleanup)
        remote = NginxRtmp(host=host.ns_ip, netns=host)
        self.addCleanup(remote.cleanup)
        t = self.push(rtmpUrl=remote.url())
        t = self.wait_push(t['mediaSessionId'],
                           lambda t: t['status'] == 'STREAMING' and t['bytesAcknowledged'] > 0,
                           timeout=40)
        host.link(False)   # no FIN, no RST: the connection just goes quiet
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] != 'STREAMING', timeout=60)
        self.assertIn('Disconnected', self.event_types(t))
        reason = [e for e in t['events'] if e['type'] == 'Disconnected'][0]['reason']
        self.assertRegex(reason, 'stalled|acknowledge|timed out|reset|closed')


class PushOutBufferTest(PushTest):
    """rtmp_out_buffer_*: a start buffer, and a push stopped when the uplink keeps overflowing."""
    server_args = ('-o', 'rtmp_out_buffer_enabled=true', '-o', 'rtmp_out_buffer_start_size=300',
                   '-o', 'rtmp_out_buffer_initial_size=1000', '-o', 'rtmp_out_buffer_polling_time=20',
                   '-o', 'rtmp_out_buffer_max_bufferings_allowed=0')

    def test_buffered_push_plays(self):
        t = self.push(rtmpUrl=self.nginx.url())
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)
        self.assertEqual(self.find(t['mediaSessionId'])['status'], 'STREAMING')

    def test_overflowing_uplink_is_stopped(self):
        host = cbtest.NetnsHost()
        self.addCleanup(host.cleanup)
        remote = NginxRtmp(host=host.ns_ip, netns=host)
        self.addCleanup(remote.cleanup)
        t = self.push(rtmpUrl=remote.url())
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING', timeout=40)
        host.link(False)   # the queue can only grow now
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'FAILED', timeout=40)
        errors = [e['reason'] for e in t['events'] if e['type'] == 'StreamError']
        self.assertTrue(errors and 'bufferings' in errors[0], t['events'])


class PushAdobeAuthTest(PushTest):
    """Credentials in the URL answer an Adobe-style challenge, and never show."""

    def setUp(self):
        super().setUp()
        import fake_adobe_rtmp
        self.fake = fake_adobe_rtmp.FakeAdobeRtmp('alice', 's3cret')
        self.addCleanup(self.fake.close)

    def test_challenge_answered(self):
        t = self.push(rtmpUrl='rtmp://alice:s3cret@127.0.0.1:%d/live/key1' % self.fake.port,
                      rtmpTransponderFullUrl=True)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        self.assertEqual(self.fake.events[:3], ['challenge', 'authenticated', 'publish'])
        self.assertNotIn('s3cret', repr(self.find(t['mediaSessionId'])))
        self.assertNotIn('s3cret', self.server.logs())

    def test_wrong_password_is_reported(self):
        t = self.push(rtmpUrl='rtmp://alice:wrong@127.0.0.1:%d/live/key2' % self.fake.port,
                      rtmpTransponderFullUrl=True)
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'FAILED')
        self.assertEqual(self.event_types(t), ['ConnectionFailed'])
        self.assertIn('authfailed', t['events'][0]['reason'])
        self.assertIn('authfailed', self.fake.events)


class PushTranscodeTest(PushTest):
    server_args = ('-o', 'capture_width=640', '-o', 'capture_height=360')

    def renditions(self):
        status, answer, _ = self.server.rest('stream/find', {'name': 'cam'})
        return answer[0]['renditions']

    def test_profiles_encoded_once(self):
        hd = self.push(rtmpUrl=self.nginx.url(name='hd'), rtmpTransponderFullUrl=True,
                       width=1280, height=720, fps=30)
        same = self.push(rtmpUrl=self.nginx.url(name='hd2'), rtmpTransponderFullUrl=True,
                         height=720, fps=30)
        small = self.push(rtmpUrl=self.nginx.url(name='small'), rtmpTransponderFullUrl=True,
                          height=180)
        for t in (hd, same, small):
            self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='hd'), lambda s: h264_aac(s, 1280, 720))
        wait_ffprobe(self.nginx.url(name='hd2'), lambda s: h264_aac(s, 1280, 720))
        wait_ffprobe(self.nginx.url(name='small'), lambda s: h264_aac(s, 320, 180))
        # 720p30 once for two agents, 180p once; the test source's sound is AAC already
        # and goes out as it is: two encoders for three agents.
        self.assertEqual(self.renditions(), 2)
        # FLV timestamps are whole milliseconds: ffprobe's average comes out near 30, not on it.
        num, den = codecs(ffprobe(self.nginx.url(name='hd')))['video']['avg_frame_rate'].split('/')
        self.assertAlmostEqual(int(num) / int(den), 30, delta=1)


class PushReconnectTest(PushTest):
    server_args = ('-o', 'rtmp_push_restore=true', '-o', 'rtmp_push_restore_attempts=20',
                   '-o', 'rtmp_push_restore_interval_ms=500')

    def test_reconnects_without_disturbing_others(self):
        other = NginxRtmp()
        self.addCleanup(other.cleanup)
        victim = self.push(rtmpUrl=self.nginx.url())
        steady = self.push(rtmpUrl=other.url())
        for t in (victim, steady):
            self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)

        self.nginx.kill()
        t = self.wait_push(victim['mediaSessionId'], lambda t: 'Disconnected' in self.event_types(t))
        self.nginx.start()
        t = self.wait_push(victim['mediaSessionId'],
                           lambda t: t['status'] == 'STREAMING' and t['reconnects'] >= 1, timeout=40)
        self.assertEqual(self.event_types(t).count('StreamStarted'), 2)
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)

        s = self.find(steady['mediaSessionId'])
        self.assertEqual(s['status'], 'STREAMING')
        self.assertEqual(s['reconnects'], 0)
        self.assertEqual(self.event_types(s), ['Connected', 'StreamStarted'])
        wait_ffprobe(other.url(name='rtmp_cam'), h264_aac)

    def test_retry_now(self):
        port = nginxrtmp.free_port()
        t = self.push(rtmpUrl=f'rtmp://127.0.0.1:{port}/live')
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'WAITING')
        self.assertGreater(t['retryAt'], 0)
        status, _, _ = self.server.rest('castbridge/push/retry', {'mediaSessionId': t['mediaSessionId']})
        self.assertEqual(status, 200)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
