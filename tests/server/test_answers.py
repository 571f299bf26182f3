# test_answers.py — the answers WCS and Voximplant clients read: Content-Length limits,
# info texts, push/startup checks, push events kept and delivered, pull statuses
# SPDX-License-Identifier: GPL-3.0-or-later

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
from nginxrtmp import NginxRtmp, wait_ffprobe  # noqa: E402


def h264_aac(streams):
    kinds = {s['codec_type']: s['codec_name'] for s in streams}
    return kinds.get('video') == 'h264' and kinds.get('audio') == 'aac'


def keyframe_times(url, seconds):
    """The times of the video keyframes in @seconds of a live RTMP stream."""
    out = subprocess.run(['ffprobe', '-hide_banner', '-loglevel', 'error', '-rw_timeout', '8000000',
                          '-select_streams', 'v', '-skip_frame', 'nokey',
                          '-read_intervals', '%%+%d' % seconds,
                          '-show_entries', 'frame=pts_time', '-of', 'json', url],
                         capture_output=True, text=True, timeout=seconds + 30)
    frames = json.loads(out.stdout or '{}').get('frames', [])
    return [float(f['pts_time']) for f in frames if 'pts_time' in f]


class HookReceiver:
    """A REST hook on loopback: keeps every JSON body POSTed to it, in the order they came.
    @slow: event type → seconds this hook takes before it keeps such an event and answers
    (a slow receiver: the server must not send the next event meanwhile)."""

    def __init__(self, slow=None):
        self.bodies = []
        slow = slow or {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length', '0'))
                raw = self.rfile.read(length)
                try:
                    kind = json.loads(raw).get('type')
                except (ValueError, AttributeError):
                    kind = None
                time.sleep(slow.get(kind, 0))
                receiver.bodies.append((self.path, self.headers.get('Content-Type'), raw))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        return [json.loads(raw) for _, _, raw in list(self.bodies)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ContentLengthTest(unittest.TestCase):
    """A Content-Length that is not a length the REST API takes is refused at once."""

    def setUp(self):
        self.server = cbtest.ServerProcess()
        self.addCleanup(self.server.cleanup)

    def raw(self, content_length, body=b''):
        sock = socket.create_connection(('127.0.0.1', self.server.http_port), timeout=5)
        try:
            sock.sendall(b'POST /rest-api/stream/find_all HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                         b'Content-Type: application/json\r\nContent-Length: '
                         + content_length.encode() + b'\r\n\r\n' + body)
            start = time.monotonic()
            data = b''
            while b'\r\n\r\n' not in data:
                chunk = sock.recv(4096)   # times out (a failure) if no answer comes
                if not chunk:
                    break
                data += chunk
            return data, time.monotonic() - start
        finally:
            sock.close()

    def test_negative_and_absurd_lengths(self):
        # No body follows: a server that waits for one never answers within the timeout.
        for value in ('-5', '99999999999', '+5', '99999999999999999999999', '70000'):
            with self.subTest(content_length=value):
                data, _ = self.raw(value)
                self.assertTrue(data.startswith(b'HTTP/1.1 400'), data)
                self.assertIn(b'Content-Length', data)
        # A body that does come is not needed to refuse it either.
        data, _ = self.raw('-5', b'{}')
        self.assertTrue(data.startswith(b'HTTP/1.1 400'), data)
        # The server still serves, lengths in range too.
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)
        data, _ = self.raw('2', b'{}')
        self.assertTrue(data.startswith(b'HTTP/1.1 404'), data)   # no streams: 404


class InfoTextTest(unittest.TestCase):
    """`info` names what is missing, not just the status code."""

    def setUp(self):
        self.server = cbtest.ServerProcess()
        self.addCleanup(self.server.cleanup)

    def test_missing_objects_say_what_is_missing(self):
        cases = [
            ('stream/find', {'name': 'nothing'}, 'Stream not found'),
            ('stream/terminate', {'name': 'nothing'}, 'Stream not found'),
            ('push/find_all', {}, 'Transponder not found'),
            ('push/terminate', {'mediaSessionId': 'nothing'}, 'Transponder not found'),
            ('pull/find_all', {}, 'Relay not found'),
            ('pull/terminate', {'localStreamName': 'a', 'remoteStreamName': 'b'}, 'Relay not found'),
            ('pull/rtmp/terminate', {'uri': 'rtmp://127.0.0.1/live/x'}, 'Pull not found'),
            ('recorder/find_all', {}, 'Recorder not found'),
        ]
        for verb, body, info in cases:
            with self.subTest(verb=verb):
                status, answer, _ = self.server.rest(verb, body)
                self.assertEqual(status, 404, answer)
                self.assertEqual(answer.get('info'), info, answer)
        # Two different names already in use say which one.
        status, _, _ = self.server.rest('castbridge/source/publish', {'name': 'cam', 'source': 'test'})
        self.assertEqual(status, 200)
        status, answer, _ = self.server.rest('castbridge/source/publish', {'name': 'cam', 'source': 'test'})
        self.assertEqual((status, answer.get('info')), (409, 'Stream name is already in use'), answer)


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is not installed')
class PushAnswersTest(unittest.TestCase):
    """push/startup as WCS and Voximplant clients call it, against a real nginx-rtmp."""

    server_args = ()

    def setUp(self):
        self.nginx = NginxRtmp(extra='application live2 { live on; record off; }')
        self.addCleanup(self.nginx.cleanup)
        # The hook is slow to take Connected: StreamStarted follows within milliseconds
        # (AAC passes through) and must still arrive after it.
        self.hook = HookReceiver(slow={'Connected': 0.5})
        self.addCleanup(self.hook.close)
        self.server = cbtest.ServerProcess(
            '--publish', 'cam=test', '-o', 'rest_hook_url=http://127.0.0.1:%d/hook' % self.hook.port,
            *self.server_args)
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def push(self, expect=200, **body):
        body.setdefault('streamName', 'cam')
        status, answer, _ = self.server.rest('push/startup', body)
        self.assertEqual(status, expect, answer)
        return answer

    def wait_push(self, msid, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            status, answer, _ = self.server.rest('push/find', {'mediaSessionId': msid})
            last = (status, answer)
            if status == 200 and predicate(answer[0]):
                return answer[0]
            time.sleep(0.2)
        raise AssertionError(f'transponder never matched: {last!r}\n{self.server.logs()}')

    def test_host_that_does_not_resolve_is_400(self):
        # RFC 6761: .invalid never resolves, with or without DNS.
        start = time.monotonic()
        answer = self.push(expect=400, rtmpUrl='rtmp://nonexistent.invalid/live')
        self.assertLess(time.monotonic() - start, 8)
        self.assertIn('nonexistent.invalid', answer['error'])
        self.assertIn('resolve', answer['error'])
        status, _, _ = self.server.rest('push/find_all')
        self.assertEqual(status, 404)   # nothing was started
        # Names that resolve, and addresses, still work.
        t = self.push(rtmpUrl='rtmp://localhost:%d/live' % self.nginx.port)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        t = self.push(rtmpUrl=self.nginx.url(app='live2'))
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')

    def test_application_name_with_url_without_application(self):
        # Voximplant: createStreamingAgent({url: "rtmp://a.rtmp.youtube.com/",
        # applicationName: "live2", streamName: KEY}).
        t = self.push(rtmpUrl='rtmp://127.0.0.1:%d/' % self.nginx.port, applicationName='live2')
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(app='live2', name='rtmp_cam'), h264_aac)
        # Full-URL mode: the URL's only element is the stream name.
        t = self.push(rtmpUrl='rtmp://127.0.0.1:%d/chosen' % self.nginx.port,
                      rtmpTransponderFullUrl=True, applicationName='live2')
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(app='live2', name='chosen'), h264_aac)

    def test_stopped_push_is_findable_and_events_are_posted(self):
        url = 'rtmp://alice:s3cret@127.0.0.1:%d/live?token=hunter2' % self.nginx.port
        t = self.push(rtmpUrl=url)
        msid = t['mediaSessionId']
        self.wait_push(msid, lambda t: t['status'] == 'STREAMING')
        status, _, _ = self.server.rest('push/terminate', {'mediaSessionId': msid})
        self.assertEqual(status, 200)

        # Still findable, stopped, with the final event and its reason.
        t = self.wait_push(msid, lambda t: t['status'] == 'STOPPED', timeout=5)
        self.assertEqual(t['events'][-1]['type'], 'StreamStopped')
        self.assertEqual(t['events'][-1]['reason'], 'Stopped by rest /terminate')
        status, found, _ = self.server.rest('push/find', {'streamName': 'cam'})
        self.assertEqual(status, 200)
        self.assertEqual([f['mediaSessionId'] for f in found], [msid])
        status, found, _ = self.server.rest('push/find_all')
        self.assertEqual(status, 200)
        self.assertEqual([f['status'] for f in found], ['STOPPED'])
        # Stopped is final: it cannot be terminated again.
        self.assertEqual(self.server.rest('push/terminate', {'mediaSessionId': msid})[0], 404)

        # The same events reached the hook, as JSON, without a secret.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and 'StreamStopped' not in [
                e['type'] for e in self.hook.events()]:
            time.sleep(0.1)
        # In the order they happened (`sequence` counts them), though the hook was slow to
        # answer the first: one POST at a time per hook URL.
        events = [e for e in self.hook.events() if e['mediaSessionId'] == msid]
        self.assertEqual([e['type'] for e in events], ['Connected', 'StreamStarted', 'StreamStopped'])
        self.assertEqual([e['sequence'] for e in events], sorted(e['sequence'] for e in events))
        self.assertEqual(events[-1]['reason'], 'Stopped by rest /terminate')
        self.assertEqual(events[-1]['streamName'], 'cam')
        for path, content_type, raw in self.hook.bodies:
            self.assertEqual((path, content_type), ('/hook', 'application/json'))
            for secret in (b's3cret', b'hunter2', b'rtmp_cam'):
                self.assertNotIn(secret, raw)
        for secret in ('s3cret', 'hunter2'):
            self.assertNotIn(secret, self.server.logs())

    def test_stream_end_stops_push_with_reason(self):
        status, _, _ = self.server.rest('castbridge/source/publish', {'name': 'late', 'source': 'test'})
        self.assertEqual(status, 200)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'late'})
        t = self.push(streamName='late', rtmpUrl=self.nginx.url())
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        status, _, _ = self.server.rest('castbridge/source/unpublish', {'name': 'late'})
        self.assertEqual(status, 200)
        t = self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STOPPED', timeout=10)
        self.assertEqual(t['events'][-1]['type'], 'StreamStopped')
        self.assertTrue(t['events'][-1]['reason'])

class PushKeyframeTest(PushAnswersTest):
    server_args = ('-o', 'capture_keyframe_interval=10')

    def test_keyframe_interval_in_seconds(self):
        # Voximplant's keyframeInterval is in seconds. The capture makes a keyframe every
        # 10 s: a push asked for 5 s gets one at least every 5 s (and, passed through, no
        # more than it asks for).
        t = self.push(rtmpUrl=self.nginx.url(), keyframeInterval=5)
        self.assertEqual(t['keyframeInterval'], 5)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(self.nginx.url(name='rtmp_cam'), h264_aac)
        times = keyframe_times(self.nginx.url(name='rtmp_cam'), 17)
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(len(gaps), 2, times)
        for gap in gaps:
            self.assertGreater(gap, 3.5, times)
            self.assertLess(gap, 7.5, times)
        # WCS's keyFrameInterval (frames) is still taken; under 2 s becomes 2 s.
        t = self.push(rtmpUrl=self.nginx.url(app='live2'), keyframeInterval=0.5)
        self.assertEqual(t['keyframeInterval'], 2)
        self.push(expect=400, rtmpUrl=self.nginx.url(app='live2', name='x'),
                  rtmpTransponderFullUrl=True, keyframeInterval=-1)
        # WCS's keyFrameInterval counts frames of the encoding it asks for: 15 frames of the
        # 30 fps capture are a keyframe every 0.5 s (frames dropped on a busy machine
        # stretch a gap, up to 1.7 s seen: the median is 0.5 s; the capture's own
        # keyframes are 10 s apart).
        url = self.nginx.url(app='live2', name='frames')
        t = self.push(rtmpUrl=url, rtmpTransponderFullUrl=True, height=240, keyFrameInterval=15)
        self.assertEqual(t['profile']['keyFrameInterval'], 15)
        self.wait_push(t['mediaSessionId'], lambda t: t['status'] == 'STREAMING')
        wait_ffprobe(url, h264_aac)
        times = keyframe_times(url, 6)
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(len(gaps), 4, times)
        self.assertAlmostEqual(sorted(gaps)[len(gaps) // 2], 0.5, delta=0.15, msg=times)
        for gap in gaps:
            self.assertGreater(gap, 0.35, times)
            self.assertLess(gap, 4, times)


for _name in [n for n in dir(PushAnswersTest) if n.startswith('test_')]:
    setattr(PushKeyframeTest, _name, None)   # only its own test runs with this capture


class PushEventDeliveryTest(unittest.TestCase):
    """Hooks that fail or hang never hold anything up; stopped transponders go in time."""

    def setUp(self):
        self.hanging = socket.socket()
        self.hanging.bind(('127.0.0.1', 0))
        self.hanging.listen(8)   # accepts (in the kernel) and never answers
        self.addCleanup(self.hanging.close)
        closed = nginxrtmp.free_port()
        hooks = ('http://127.0.0.1:%d/hook?token=hooksecret,http://127.0.0.1:%d/slow'
                 % (closed, self.hanging.getsockname()[1]))
        self.server = cbtest.ServerProcess('--publish', 'cam=test', '-o', 'rest_hook_url=' + hooks,
                                           '-o', 'rtmp_push_keep_stopped_seconds=3')
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def test_failing_hooks_block_nothing_and_stopped_pushes_expire(self):
        port = nginxrtmp.free_port()
        status, t, _ = self.server.rest('push/startup', {'streamName': 'cam',
                                                         'rtmpUrl': 'rtmp://127.0.0.1:%d/live' % port})
        self.assertEqual(status, 200, t)
        msid = t['mediaSessionId']
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            start = time.monotonic()
            status, found, _ = self.server.rest('push/find', {'mediaSessionId': msid})
            self.assertLess(time.monotonic() - start, 2)   # a hanging hook holds nothing up
            if found[0]['status'] == 'FAILED':
                break
            time.sleep(0.2)
        self.assertEqual(found[0]['status'], 'FAILED')
        start = time.monotonic()
        self.assertEqual(self.server.rest('push/terminate', {'mediaSessionId': msid})[0], 200)
        self.assertLess(time.monotonic() - start, 2)
        status, found, _ = self.server.rest('push/find_all')
        self.assertEqual((status, found[0]['status']), (200, 'STOPPED'))
        # Gone after rtmp_push_keep_stopped_seconds.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.server.rest('push/find_all')[0] == 200:
            time.sleep(0.3)
        self.assertEqual(self.server.rest('push/find_all')[0], 404)
        # The failed hook is in the log, by its host and port only.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and 'REST hook http://127.0.0.1:' not in self.server.logs():
            time.sleep(0.2)
        self.assertIn('REST hook http://127.0.0.1:', self.server.logs())
        self.assertNotIn('hooksecret', self.server.logs())
        # A hook still hanging does not keep the server from a clean exit.
        self.assertEqual(self.server.stop(), 0, self.server.logs())


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is not installed')
class PullAnswersTest(unittest.TestCase):
    """pull/find_all and pull/rtmp/* answer as WCS does."""

    def setUp(self):
        self.nginx = NginxRtmp()
        self.addCleanup(self.nginx.cleanup)
        self.a = cbtest.ServerProcess('--publish', 'cam=test')
        self.addCleanup(self.a.cleanup)
        self.a.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def test_rtmp_pull_named_after_uri_with_tracks(self):
        # A pushes cam to nginx, and pulls it back without a localStreamName.
        status, _, _ = self.a.rest('push/startup', {'streamName': 'cam', 'rtmpUrl': self.nginx.url(),
                                                    'rtmpTransponderFullUrl': False})
        self.assertEqual(status, 200)
        uri = self.nginx.url(name='rtmp_cam')
        wait_ffprobe(uri, h264_aac)
        status, answer, _ = self.a.rest('pull/rtmp/pull', {'uri': uri})
        self.assertEqual(status, 200, answer)
        # WCS names the pulled stream after the URI.
        s = self.a.wait_for_stream(lambda s: s['status'] == 'PUBLISHING' and s['width'] > 0 and
                                   s['audioCodec'], {'name': uri}, timeout=30)
        self.assertEqual(s['name'], uri)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, pulls, _ = self.a.rest('pull/rtmp/find_all')
            if status == 200 and pulls[0]['hasAudio'] and pulls[0]['hasVideo']:
                break
            time.sleep(0.2)
        self.assertEqual(pulls[0]['localStreamName'], uri)
        # Named after its uri, the stream shows the uri: shown whole there too, not masked
        # in one field while the name beside it shows it.
        self.assertEqual(pulls[0]['uri'], uri)
        self.assertEqual(s['source'], 'pull ' + uri)
        self.assertEqual(pulls[0]['status'], 'PROCESSED_REMOTE')
        self.assertEqual((pulls[0]['hasAudio'], pulls[0]['hasVideo']), (True, True))
        self.assertEqual(pulls[0]['record'], False)
        # A URI with credentials would show them as a name: a name must be given then.
        status, answer, _ = self.a.rest('pull/rtmp/pull', {
            'uri': 'rtmp://bob:pw@127.0.0.1:%d/live/rtmp_cam' % self.nginx.port})
        self.assertEqual(status, 400, answer)
        self.assertNotIn('pw@', repr(answer))
        self.assertEqual(self.a.rest('pull/rtmp/terminate', {'uri': uri})[0], 200)

    def test_relay_that_runs_is_processed_remote(self):
        b = cbtest.ServerProcess()
        self.addCleanup(b.cleanup)
        status, answer, _ = self.a.rest('pull/push', {'uri': 'ws://127.0.0.1:%d' % b.ws_port,
                                                      'localStreamName': 'cam',
                                                      'remoteStreamName': 'fromA'})
        self.assertEqual(status, 200, answer)
        b.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'fromA'}, timeout=40)
        deadline = time.monotonic() + 20
        relays = []
        while time.monotonic() < deadline:
            status, relays, _ = self.a.rest('pull/find_all')
            if status == 200 and relays[0]['status'] == 'PROCESSED_REMOTE':
                break
            time.sleep(0.2)
        self.assertEqual(relays[0]['status'], 'PROCESSED_REMOTE', relays)
        self.assertEqual(relays[0]['state'], 'PUBLISHING')


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
