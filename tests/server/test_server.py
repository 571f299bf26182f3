#!/usr/bin/env python3
# test_server.py — the REST API, /health and the WebSocket session start, against the real
# castbridge-server binary
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test_server.py PATH/TO/castbridge-server [unittest arguments]

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

from cbtest import NetnsHost, ServerProcess, WebSocketClient  # noqa: E402

WCS_STREAM_FIELDS = ('mediaSessionId', 'name', 'published', 'hasVideo', 'hasAudio', 'status',
                     'info', 'videoCodec', 'audioCodec', 'width', 'height', 'fps', 'bitrate',
                     'createDate', 'mediaProvider')
CASTBRIDGE_STREAM_FIELDS = ('source', 'audioRate', 'audioChannels', 'consumers')


def is_live_h264(stream):
    return (stream['status'] == 'PUBLISHING' and stream['videoCodec'] == 'H264'
            and stream['width'] > 0)


class ServerTestCase(unittest.TestCase):
    """One server for the whole class; each test leaves it without streams."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        logs = cls.server.logs()
        cls.server.cleanup()
        if status != 0:
            raise AssertionError('castbridge-server exited with %r on SIGTERM\n%s'
                                 % (status, logs))

    def assertJsonError(self, status, answer, expected_status, mentions=None):
        self.assertEqual(status, expected_status, answer)
        self.assertIsInstance(answer, dict)
        self.assertEqual(answer.get('status'), expected_status)
        self.assertIsInstance(answer.get('error'), str)
        if mentions is not None:
            self.assertIn(mentions, answer['error'])

    def terminate_all(self):
        status, answer, _ = self.server.rest('stream/find_all')
        if status == 200:
            for stream in answer:
                self.server.rest('stream/terminate', {'mediaSessionId': stream['mediaSessionId']})


class HealthAndRoutingTest(ServerTestCase):

    def test_health(self):
        status, headers, raw = self.server.request('GET', '/health')
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-origin'), '*')
        answer = json.loads(raw)
        self.assertEqual(answer['status'], 'ok')
        self.assertRegex(answer['version'], r'^\d+\.\d+')
        self.assertIsInstance(answer['uptime'], int)
        self.assertGreaterEqual(answer['uptime'], 0)

    def test_cors_on_answers_and_errors(self):
        # The server's own pages may read answers (its origin is echoed, not '*').
        own = 'http://127.0.0.1:%d' % self.server.http_port
        for body in (None, b'{'):
            status, headers, _ = self.server.request('POST', '/rest-api/stream/find_all', body,
                                                     headers={'Origin': own})
            self.assertIn(status, (200, 400, 404))
            self.assertEqual(headers.get('access-control-allow-origin'), own)
            self.assertIn('origin', headers.get('vary', '').lower())
            self.assertIn('POST', headers.get('access-control-allow-methods', ''))
            allow_headers = headers.get('access-control-allow-headers', '').lower()
            self.assertIn('content-type', allow_headers)
            self.assertIn('authorization', allow_headers)

    def test_preflight(self):
        own = 'http://localhost:%d' % self.server.http_port
        status, headers, _ = self.server.request(
            'OPTIONS', '/rest-api/stream/find_all',
            headers={'Origin': own,
                     'Access-Control-Request-Method': 'POST',
                     'Access-Control-Request-Headers': 'content-type'})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-origin'), own)
        self.assertIn('POST', headers.get('access-control-allow-methods', ''))
        self.assertIn('content-type', headers.get('access-control-allow-headers', '').lower())

    def test_a_burst_of_connections_is_queued_not_dropped(self):
        # While the server is busy (here: stopped) the kernel holds new connections up to the
        # listen backlog. GLib's and libsoup's default, 10, dropped the rest: of 300 RTMP
        # players started at once some timed out. 100 at once on each port now all connect
        # and are all answered once the server runs again.
        ports = {'http': self.server.http_port, 'ws': self.server.ws_port,
                 'rtmp': self.server.rtmp_port}
        socks = []
        self.addCleanup(lambda: [s.close() for _, s in socks])
        os.kill(self.server.proc.pid, signal.SIGSTOP)
        try:
            for kind, port in ports.items():
                for i in range(100):
                    try:
                        socks.append((kind, socket.create_connection(('127.0.0.1', port),
                                                                     timeout=2)))
                    except OSError as e:
                        self.fail(f'connection {i + 1} to the {kind} port: {e}')
        finally:
            os.kill(self.server.proc.pid, signal.SIGCONT)
        for kind, s in socks:
            s.settimeout(30)
            if kind == 'rtmp':
                s.sendall(b'\x03' + bytes(1536))          # C0 + C1
                want, got = 1537, b''                       # S0 + S1
            else:
                s.sendall(b'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                          b'Connection: close\r\n\r\n')
                want, got = 12, b''                         # HTTP/1.1 NNN
            while len(got) < want:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            self.assertGreaterEqual(len(got), want, f'{kind}: {got[:40]!r}')
            if kind == 'rtmp':
                self.assertEqual(got[0], 3)
            else:
                self.assertRegex(got[:12].decode(), r'^HTTP/1\.1 \d{3}')
            s.close()

    def test_get_on_rest_path_is_405(self):
        status, headers, raw = self.server.request('GET', '/rest-api/stream/find_all')
        self.assertJsonError(status, json.loads(raw), 405)
        self.assertIn('POST', headers.get('allow', ''))

    def test_unknown_paths_are_404(self):
        for method, path in (('GET', '/nothing-here'), ('POST', '/rest-api/stream/nope'),
                             ('POST', '/rest-api/'), ('POST', '/rest-api/stream/find_all/')):
            status, _, raw = self.server.request(method, path, b'{}' if method == 'POST' else None)
            self.assertJsonError(status, json.loads(raw), 404)

    def test_empty_body_is_an_empty_object(self):
        status, answer, _ = self.server.rest('stream/find_all', b'')
        self.assertIn(status, (200, 404))
        self.assertIsNotNone(answer)

    def test_find_all_without_streams_is_404(self):
        self.terminate_all()
        status, answer, _ = self.server.rest('stream/find_all')
        self.assertJsonError(status, answer, 404)

    def test_unknown_stream_is_404(self):
        status, answer, _ = self.server.rest('stream/terminate', {'mediaSessionId': 'no-such-id'})
        self.assertJsonError(status, answer, 404)
        self.assertEqual(answer.get('info'), 'Stream not found')
        status, answer, _ = self.server.rest('stream/terminate', {'name': 'no-such-stream'})
        self.assertJsonError(status, answer, 404)
        status, answer, _ = self.server.rest('castbridge/source/unpublish', {'name': 'nope'})
        self.assertJsonError(status, answer, 404)
        status, answer, _ = self.server.rest('stream/find', {'name': 'no-such-stream'})
        self.assertJsonError(status, answer, 404)


class BadInputTest(ServerTestCase):
    """Every kind of bad input is a 400 naming the problem, and the server lives on."""

    def test_bad_inputs(self):
        big = b'{"name": "' + b'a' * (70 * 1024) + b'"}'
        cases = [
            # (name, verb, raw body, text the error must contain)
            ('malformed', 'stream/find', b'{"name": }', 'Malformed JSON'),
            ('not json', 'stream/find', b'hello', 'Malformed JSON'),
            ('nul byte', 'stream/find', b'{"name": "a\x00b"}', 'NUL'),
            ('lone nul', 'stream/find_all', b'\x00', 'NUL'),
            ('truncated', 'stream/find', b'{"name": "t1", "publ', 'Malformed JSON'),
            ('invalid utf-8', 'stream/find', b'{"name": "\xff\xfe"}', 'UTF-8'),
            ('array body', 'stream/find', b'[]', 'object'),
            ('string body', 'stream/find', b'"name"', 'object'),
            ('number body', 'stream/find_all', b'42', 'object'),
            ('deep nesting', 'stream/find_all', b'[' * 50000, 'nested'),
            ('wrong type name', 'stream/find', {'name': 5}, "'name'"),
            ('wrong type published', 'stream/find', {'published': 'yes'}, "'published'"),
            ('wrong type status', 'stream/find', {'status': ['PUBLISHING']}, "'status'"),
            ('unknown status', 'stream/find', {'status': 'DANCING'}, "'status'"),
            ('terminate without id', 'stream/terminate', {}, "'mediaSessionId'"),
            ('wrong type id', 'stream/terminate', {'mediaSessionId': True}, "'mediaSessionId'"),
            ('missing name', 'castbridge/source/publish', {'source': 'test'}, "'name'"),
            ('missing source', 'castbridge/source/publish', {'name': 'x1'}, "'source'"),
            ('null name', 'castbridge/source/publish', {'name': None, 'source': 'test'}, "'name'"),
            ('unknown field', 'castbridge/source/publish',
             {'name': 'x1', 'source': 'test', 'colour': 'red'}, "'colour'"),
            ('unknown field unpublish', 'castbridge/source/unpublish',
             {'name': 'x1', 'force': True}, "'force'"),
            ('oversized', 'stream/find', big, 'too large'),
        ]
        for name, verb, body, mentions in cases:
            with self.subTest(case=name):
                status, answer, headers = self.server.rest(verb, body)
                self.assertJsonError(status, answer, 400, mentions)
                # No page asked: no page is told it may read.
                self.assertIsNone(headers.get('access-control-allow-origin'))
                status, _, _ = self.server.request('GET', '/health')
                self.assertEqual(status, 200, 'server stopped answering after ' + name)

    def test_oversized_chunked_body(self):
        chunks = [b'{"name": "'] + [b'a' * 8192] * 12 + [b'"}']
        status, headers, raw = self.server.request('POST', '/rest-api/stream/find', chunks=chunks)
        self.assertJsonError(status, json.loads(raw), 400, 'too large')
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)

    def test_closed_keepalive_connections_are_let_go(self):
        # A client that keeps its connection after an answer and then closes it (browsers,
        # Go's and Python's HTTP clients) must not leave a descriptor behind: libsoup 3.2
        # kept every such socket in CLOSE_WAIT (an hour-long soak ran out of them).
        import http.client
        import time

        def descriptors():
            return len(os.listdir(f'/proc/{self.server.proc.pid}/fd'))

        before = descriptors()
        for i in range(20):
            conn = http.client.HTTPConnection('127.0.0.1', self.server.http_port, timeout=5)
            if i % 2:
                conn.request('POST', '/rest-api/stream/find_all', body='{}',
                             headers={'Content-Type': 'application/json'})
            else:
                conn.request('POST', '/whep/nothing', body='v=0 garbage',
                             headers={'Content-Type': 'application/sdp'})
            conn.getresponse().read()
            conn.close()
        deadline = time.monotonic() + 5
        while descriptors() > before + 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertLessEqual(descriptors(), before + 2)
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)

    def test_wcs_verbs_ignore_extra_fields(self):
        status, answer, _ = self.server.rest('stream/find', {'name': 'nothing', 'extra': 1})
        self.assertJsonError(status, answer, 404)

    def test_dropped_connections(self):
        import socket
        for payload in (b'POST /rest-api/stream/find HTTP/1.1\r\nHost: x\r\n'
                        b'Content-Length: 100\r\n\r\n{"na',
                        b'POST /rest-api/stream/find HTTP/1.1\r\nHost: x\r\n',
                        b'GARBAGE\r\n\r\n'):
            sock = socket.create_connection(('127.0.0.1', self.server.http_port), timeout=5)
            sock.sendall(payload)
            sock.close()
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)


class StreamLifecycleTest(ServerTestCase):

    def tearDown(self):
        self.terminate_all()

    def test_publish_find_terminate(self):
        status, stream, _ = self.server.rest('castbridge/source/publish',
                                             {'name': 't1', 'source': 'test'})
        self.assertEqual(status, 200, stream)
        for field in WCS_STREAM_FIELDS + CASTBRIDGE_STREAM_FIELDS:
            self.assertIn(field, stream)
        self.assertEqual(stream['name'], 't1')
        self.assertEqual(stream['source'], 'test')
        self.assertTrue(stream['published'])
        self.assertIn(stream['status'], ('NEW', 'PENDING', 'PUBLISHING'))
        session_id = stream['mediaSessionId']
        self.assertTrue(session_id)

        live = self.server.wait_for_stream(is_live_h264, {'name': 't1'})
        self.assertEqual(live['mediaSessionId'], session_id)
        self.assertGreater(live['height'], 0)
        self.assertTrue(live['hasVideo'])

        # find_all and every filter of find
        status, answer, _ = self.server.rest('stream/find_all')
        self.assertEqual(status, 200)
        self.assertIn('t1', [s['name'] for s in answer])
        for body in ({'name': 't1'}, {'mediaSessionId': session_id},
                     {'status': 'PUBLISHING'}, {'published': True},
                     {'name': 't1', 'published': True, 'status': 'PUBLISHING'}):
            with self.subTest(filter=body):
                status, answer, _ = self.server.rest('stream/find', body)
                self.assertEqual(status, 200, answer)
                self.assertEqual([s['mediaSessionId'] for s in answer], [session_id])
        for body in ({'published': False}, {'status': 'PLAYING'}, {'name': 't2'},
                     {'name': 't1', 'mediaSessionId': 'other'}):
            with self.subTest(filter=body):
                status, answer, _ = self.server.rest('stream/find', body)
                self.assertJsonError(status, answer, 404)

        # a second publisher of the same name is refused
        status, answer, _ = self.server.rest('castbridge/source/publish',
                                             {'name': 't1', 'source': 'test'})
        self.assertJsonError(status, answer, 409)
        self.assertEqual(answer.get('info'), 'Stream name is already in use')

        # terminate: 200 with an empty body, then the stream is gone
        status, headers, raw = self.server.request('POST', '/rest-api/stream/terminate',
                                                   {'mediaSessionId': session_id})
        self.assertEqual(status, 200)
        self.assertEqual(raw, b'')
        status, answer, _ = self.server.rest('stream/find', {'name': 't1'})
        self.assertJsonError(status, answer, 404)
        status, answer, _ = self.server.rest('stream/terminate', {'mediaSessionId': session_id})
        self.assertJsonError(status, answer, 404)

    def test_publish_unpublish(self):
        status, stream, _ = self.server.rest('castbridge/source/publish',
                                             {'name': 'u1', 'source': 'test'})
        self.assertEqual(status, 200, stream)
        status, _, raw = self.server.request('POST', '/rest-api/castbridge/source/unpublish',
                                             {'name': 'u1'})
        self.assertEqual(status, 200)
        self.assertEqual(raw, b'')
        status, answer, _ = self.server.rest('stream/find', {'name': 'u1'})
        self.assertJsonError(status, answer, 404)

    def test_terminate_by_name(self):
        status, stream, _ = self.server.rest('castbridge/source/publish',
                                             {'name': 'n1', 'source': 'test'})
        self.assertEqual(status, 200, stream)
        status, answer, _ = self.server.rest('stream/terminate', {'name': 'n1'})
        self.assertEqual(status, 200, answer)
        status, answer, _ = self.server.rest('stream/find', {'name': 'n1'})
        self.assertJsonError(status, answer, 404)

    def test_publish_bad_source(self):
        status, answer, _ = self.server.rest(
            'castbridge/source/publish',
            {'name': 'f1', 'source': 'file:' + os.path.join(self.server.media_dir, 'none.mp4')})
        self.assertIn(status, (400, 404), answer)
        self.assertJsonError(status, answer, status)
        status, answer, _ = self.server.rest('stream/find', {'name': 'f1'})
        self.assertEqual(status, 404)


class PublishOptionTest(ServerTestCase):
    server_args = ('--publish', 'boot=test')

    def test_boot_stream_exists(self):
        status, answer, _ = self.server.rest('stream/find', {'name': 'boot'})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer[0]['name'], 'boot')
        self.assertEqual(answer[0]['source'], 'test')


class WebSocketTest(ServerTestCase):

    def connect_session(self, path='/'):
        ws = WebSocketClient(self.server.ws_port, path)
        ws.send_json('connection', {
            'appKey': 'defaultApp', 'mediaProviders': ['WebRTC'], 'keepAlive': True,
            'authToken': None, 'clientVersion': '2.0.0', 'custom': {'who': 'test'},
            'sipPassword': 'hidden'})
        return ws

    def test_connection_established(self):
        ws = self.connect_session()
        try:
            msg = ws.recv_message('getUserData')
            self.assertIsInstance(msg['data'], list)
            data = msg['data'][0]
            self.assertEqual(data['status'], 'ESTABLISHED')
            self.assertEqual(data['mediaProviders'], ['WebRTC'])
            self.assertEqual(data['appKey'], 'defaultApp')
            self.assertEqual(data['custom'], {'who': 'test'})
            self.assertNotIn('sipPassword', data)
            client_port = ws.sock.getsockname()[1]
            self.assertEqual(data['authToken'], '/127.0.0.1:%d/127.0.0.1:%d'
                             % (client_port, self.server.ws_port))
            version = ws.recv_message('getVersion')
            status, _, raw = self.server.request('GET', '/health')
            self.assertEqual(version['data'], [json.loads(raw)['version']])
        finally:
            ws.close()

    def test_any_path(self):
        for path in ('/websocket', '/some/deep/path?x=1'):
            with self.subTest(path=path):
                ws = self.connect_session(path)
                try:
                    self.assertEqual(ws.recv_message('getUserData')['data'][0]['status'],
                                     'ESTABLISHED')
                finally:
                    ws.close()

    def test_bad_frames_are_ignored(self):
        ws = WebSocketClient(self.server.ws_port)
        try:
            for text in ('{', 'null', '[]', '"connection"', '{"message": 5}', '\u00e9t\u00e9',
                         '{"message": "connection", "data": 7}',
                         '{"message": "connection", "data": ["x"]}',
                         '{"message": "noSuchMessage", "data": [{}]}', '[' * 50000):
                ws.send_text(text)
            ws.send_frame(0x2, b'\x00\x01binary')
            ws.send_json('connection', {'appKey': 'again'})
            # the two malformed connections are answered with defaults, then ours
            for _ in range(10):
                msg = ws.recv_json()
                self.assertIn(msg['message'], ('getUserData', 'getVersion', 'ping'))
                if msg['message'] == 'getUserData':
                    self.assertEqual(msg['data'][0]['status'], 'ESTABLISHED')
                    if msg['data'][0]['appKey'] == 'again':
                        break
            else:
                self.fail('no answer to the last connection message')
        finally:
            ws.close()
        status, _, _ = self.server.request('GET', '/health')
        self.assertEqual(status, 200)

    def test_plain_http_on_ws_port(self):
        import http.client
        conn = http.client.HTTPConnection('127.0.0.1', self.server.ws_port, timeout=5)
        conn.request('GET', '/')
        self.assertGreaterEqual(conn.getresponse().status, 400)
        conn.close()


class WebSocketKeepAliveTest(ServerTestCase):
    # Short intervals so that the test runs quickly; margins stay generous.
    server_args = ('-o', 'keep_alive.server_interval=200', '-o', 'keep_alive.probes=3')

    def test_ping_and_close_without_pong(self):
        ws = WebSocketClient(self.server.ws_port, timeout=15)
        try:
            pings = 0
            while True:
                opcode, payload = ws.recv_frame()
                if opcode == 0x8:
                    break
                msg = json.loads(payload)
                self.assertEqual(msg['message'], 'ping')
                pings += 1
                self.assertLess(pings, 20, 'the server never closed a silent session')
            self.assertGreaterEqual(pings, 3)
        finally:
            ws.sock.close()

    def test_pongs_keep_the_session(self):
        ws = WebSocketClient(self.server.ws_port, timeout=15)
        try:
            for _ in range(8):   # well past probes × interval
                msg = ws.recv_json()
                self.assertEqual(msg['message'], 'ping')
                ws.send_json('pong', None)
            ws.send_json('connection', {})
            self.assertEqual(ws.recv_message('getUserData')['data'][0]['status'], 'ESTABLISHED')
        finally:
            ws.close()


class RemoteAuthTest(unittest.TestCase):
    """Calls from another machine: a network namespace joined by a veth pair."""

    @classmethod
    def setUpClass(cls):
        cls.host = NetnsHost()
        cls.ns, cls.host_ip, cls.ns_ip = cls.host.ns, cls.host.host_ip, cls.host.ns_ip

    @classmethod
    def tearDownClass(cls):
        cls.host.cleanup()

    CLIENT = r'''
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=(b"{}" if sys.argv[2] == "POST" else None),
                             method=sys.argv[2])
if len(sys.argv) > 3:
    req.add_header("Authorization", sys.argv[3])
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.headers.get("WWW-Authenticate") or "-")
except urllib.error.HTTPError as e:
    print(e.code, e.headers.get("WWW-Authenticate") or "-")
'''

    def remote_call(self, server, path, method='POST', authorization=None):
        url = 'http://%s:%d%s' % (self.host_ip, server.http_port, path)
        cmd = ['ip', 'netns', 'exec', self.ns, sys.executable, '-c', self.CLIENT, url, method]
        if authorization is not None:
            cmd.append(authorization)
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        status, challenge = result.stdout.split(None, 1)
        return int(status), challenge.strip()

    @staticmethod
    def basic(user, password):
        return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()

    def with_server(self, *args):
        server = ServerProcess(*args, bind='0.0.0.0')
        self.addCleanup(server.cleanup)

        def stop():
            self.assertEqual(server.stop(), 0, server.logs())
        self.addCleanup(stop)
        return server

    def test_no_credentials_configured(self):
        server = self.with_server()
        status, _ = self.remote_call(server, '/rest-api/stream/find_all')
        self.assertEqual(status, 403)
        status, _ = self.remote_call(server, '/rest-api/stream/find_all',
                                     authorization=self.basic('u', 'p'))
        self.assertEqual(status, 403)
        # the same call from this machine needs nothing
        status, _, _ = server.request('POST', '/rest-api/stream/find_all', b'')
        self.assertIn(status, (200, 404))
        # /health is open to monitoring from anywhere
        status, _ = self.remote_call(server, '/health', method='GET')
        self.assertEqual(status, 200)

    def test_credentials(self):
        server = self.with_server('-o', 'rest_auth_user=u', '-o', 'rest_auth_password=p')
        status, challenge = self.remote_call(server, '/rest-api/stream/find_all')
        self.assertEqual(status, 401)
        self.assertEqual(challenge, 'Basic realm="Castbridge"')
        for auth in (self.basic('u', 'wrong'), self.basic('x', 'p'), self.basic('u', 'pp'),
                     self.basic('u', ''), 'Basic !!!', 'Bearer abc', 'Basic ' + 'A' * 5000):
            with self.subTest(authorization=auth[:40]):
                status, _ = self.remote_call(server, '/rest-api/stream/find_all',
                                             authorization=auth)
                self.assertEqual(status, 401)
        status, _ = self.remote_call(server, '/rest-api/stream/find_all',
                                     authorization=self.basic('u', 'p'))
        self.assertIn(status, (200, 404))
        self.assertEqual(server.request('GET', '/health')[0], 200)
        self.assertNotIn('wrong', server.logs())

    def test_auth_disabled(self):
        server = self.with_server('-o', 'disable_rest_auth=true')
        status, _ = self.remote_call(server, '/rest-api/stream/find_all')
        self.assertIn(status, (200, 404))


if __name__ == '__main__':
    # meson stops a test that times out with SIGTERM: exit so that atexit cleans up.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)   # everything skipped: meson reports SKIP
    sys.exit(0)
