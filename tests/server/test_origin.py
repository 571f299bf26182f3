#!/usr/bin/env python3
# test_origin.py — no web page of another site drives the studio: Origin, Referer and Host
# rules for REST, WHIP/WHEP and the WebSocket, against the real castbridge-server
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test_origin.py PATH/TO/castbridge-server [unittest arguments]
#
# Every request here comes from loopback, as a page in the user's browser would: what
# differs is only what its headers say.

import base64
import json
import os
import signal
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

from cbtest import ServerProcess, WebSocketClient  # noqa: E402

OFFER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'browser',
                          'chromium-offer.sdp')
FOREIGN = 'https://evil.example'
ALLOWED = 'http://app.test:3000'
PUSH = {'streamName': 'live', 'rtmpUrl': 'rtmp://127.0.0.1:9/live/x'}


def offer():
    with open(OFFER_PATH) as f:
        return f.read().replace('\r\n', '\n').replace('\n', '\r\n')


def basic(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


class OriginTestCase(unittest.TestCase):
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess('--publish', 'live=test', *cls.server_args)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        logs = cls.server.logs()
        cls.server.cleanup()
        if status != 0:
            raise AssertionError('castbridge-server exited with %r\n%s' % (status, logs))

    def tearDown(self):
        status, answer, _ = self.server.rest('push/find_all')
        if status == 200:
            for push in answer:
                self.server.rest('push/terminate', {'mediaSessionId': push['mediaSessionId']})

    @property
    def own(self):
        return 'http://127.0.0.1:%d' % self.server.http_port

    def post_text(self, verb, body, headers):
        """The "simple" request any page may send without a preflight."""
        hdrs = {'Content-Type': 'text/plain;charset=UTF-8'}
        hdrs.update(headers)
        status, resp_headers, raw = self.server.request(
            'POST', '/rest-api/' + verb, json.dumps(body).encode(), headers=hdrs)
        return status, resp_headers, (json.loads(raw) if raw else None)

    def assert_no_push(self):
        # Asked as a script would: no Origin.
        status, answer, _ = self.server.rest('push/find_all')
        self.assertEqual(status, 404, answer)

    def assert_refused(self, status, headers, answer, setting, code=403):
        self.assertEqual(status, code, answer)
        self.assertIn(setting, answer['error'])
        self.assertIsNone(headers.get('access-control-allow-origin'), headers)
        self.assertIn('origin', headers.get('vary', '').lower())

    # ---- WebSocket helpers ---------------------------------------------------------------

    def ws(self, connect=True, **kwargs):
        ws = WebSocketClient(self.server.ws_port, timeout=15, **kwargs)
        self.addCleanup(ws.close)
        if connect:
            ws.send_json('connection', {'appKey': 'defaultApp', 'mediaProviders': ['WebRTC'],
                                        'keepAlive': True})
            ws.recv_message('getUserData')
            ws.recv_message('getVersion')
        return ws

    def ws_stream(self, ws, message, name):
        msid = str(uuid.uuid4())
        ws.send_json(message, {'mediaSessionId': msid, 'name': name,
                               'published': message == 'publishStream', 'hasVideo': True,
                               'hasAudio': True, 'status': 'PENDING', 'mediaProvider': 'WebRTC',
                               'sdp': offer()})
        return msid

    def ws_publish(self, ws, name):
        """publishStream answered with setRemoteSDP, as the WebRTC side allows.
        Returns (msid, answer)."""
        msid = self.ws_stream(ws, 'publishStream', name)
        return msid, self.ws_answer(ws, msid)

    def ws_answer(self, ws, msid):
        """setRemoteSDP, or the FAILED status event that came instead: (name, info)."""
        while True:
            msg = ws.recv_json()
            name = msg.get('message')
            if name == 'setRemoteSDP' and msg['data'][0] == msid:
                return name, None
            if name == 'notifyStreamStatusEvent' and msg['data'][0]['mediaSessionId'] == msid:
                stream = msg['data'][0]
                if stream['status'] == 'FAILED':
                    return 'FAILED', stream['info']

    def ws_ask(self, ws, message, name, reply, key):
        """Sends @message about the stream @name; the data of the first @reply whose @key
        is the id it was sent with."""
        msid = str(uuid.uuid4())
        ws.send_json(message, {'mediaSessionId': msid, 'name': name})
        while True:
            msg = ws.recv_json()
            if msg.get('message') == reply and msg['data'][0][key] == msid:
                return msg['data'][0]

    def ws_snapshot(self, ws, name):
        """A WCS snapshot message: (type, info) of the notifyStreamEvent that answers it."""
        event = self.ws_ask(ws, 'snapshot', name, 'notifyStreamEvent', 'mediaSessionId')
        return event['type'], event['payload'].get('info')

    def ws_available(self, ws, name):
        """availableStream: (status, info) of its answer."""
        answer = self.ws_ask(ws, 'availableStream', name, 'availableStream', 'id')
        return answer['status'], answer['info']

    def ws_quiet(self, ws, seconds=2.0):
        """The messages (but pings) that come within @seconds."""
        got = []
        ws.sock.settimeout(0.3)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                try:
                    msg = ws.recv_json()
                except socket.timeout:
                    continue
                if msg.get('message') != 'ping':
                    got.append(msg)
        finally:
            ws.sock.settimeout(15)
        return got


class OriginRestTest(OriginTestCase):
    """REST from loopback: the page's Origin (or Referer) and the Host decide."""

    def test_scripts_keep_working(self):
        for headers in ({}, {'Host': 'localhost:%d' % self.server.http_port},
                        {'Host': '[::1]:%d' % self.server.http_port},
                        {'Host': '127.0.0.1'}):
            with self.subTest(headers=headers):
                status, _, _ = self.server.rest('stream/find_all', headers=headers)
                self.assertEqual(status, 200)

    def test_foreign_page_cannot_push(self):
        for headers in ({'Origin': FOREIGN},
                        {'Origin': 'null'},
                        {'Origin': 'http://127.0.0.1:1'},
                        {'Referer': FOREIGN + '/attack.html'}):
            with self.subTest(headers=headers):
                status, resp_headers, answer = self.post_text('push/startup', PUSH, headers)
                self.assert_refused(status, resp_headers, answer, 'rest_allowed_origins')
                self.assert_no_push()
        # Reading is refused as well, and the page is not told it may read.
        status, headers, answer = self.post_text('stream/find_all', {}, {'Origin': FOREIGN})
        self.assert_refused(status, headers, answer, 'rest_allowed_origins')

    def test_own_pages(self):
        for origin in (self.own, 'http://localhost:%d' % self.server.http_port):
            with self.subTest(origin=origin):
                status, headers, answer = self.post_text('stream/find_all', {}, {'Origin': origin})
                self.assertEqual(status, 200, answer)
                self.assertEqual(headers.get('access-control-allow-origin'), origin)
                self.assertIn('origin', headers.get('vary', '').lower())
        status, _, answer = self.post_text('stream/find_all', {},
                                           {'Referer': self.own + '/client/index.html'})
        self.assertEqual(status, 200, answer)

    def test_dns_rebinding(self):
        for host in ('evil.example:%d' % self.server.http_port, 'evil.example',
                     'localhost.evil.example', '10.1.2.3:%d' % self.server.http_port):
            with self.subTest(host=host):
                status, headers, answer = self.post_text('push/startup', PUSH, {'Host': host})
                self.assert_refused(status, headers, answer, 'rest_allowed_hosts')
                self.assert_no_push()

    def test_preflight(self):
        ask = {'Access-Control-Request-Method': 'POST',
               'Access-Control-Request-Headers': 'content-type'}
        status, headers, _ = self.server.request('OPTIONS', '/rest-api/push/startup',
                                                 headers=dict(ask, Origin=FOREIGN))
        self.assertIsNone(headers.get('access-control-allow-origin'))
        self.assertIsNone(headers.get('access-control-allow-methods'))
        status, headers, _ = self.server.request('OPTIONS', '/rest-api/push/startup',
                                                 headers=dict(ask, Origin=self.own))
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-origin'), self.own)
        self.assertIn('POST', headers.get('access-control-allow-methods', ''))

    def test_health_stays_open(self):
        status, headers, _ = self.server.request('GET', '/health', headers={'Origin': FOREIGN})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-origin'), '*')


class OriginWhipTest(OriginTestCase):
    """WHIP/WHEP POST, DELETE and PATCH follow the REST rule."""

    def whip(self, method, path, origin=None, body=None, host=None):
        headers = {'Content-Type': 'application/sdp' if method == 'POST'
                   else 'application/trickle-ice-sdpfrag'}
        if origin is not None:
            headers['Origin'] = origin
        if host is not None:
            headers['Host'] = host
        return self.server.request(method, path, body, headers=headers)

    def test_foreign_page_cannot_publish(self):
        body = offer().encode()
        for kwargs in ({'origin': FOREIGN}, {'host': 'evil.example'}):
            with self.subTest(**kwargs):
                status, headers, raw = self.whip('POST', '/whip/fromweb', body=body, **kwargs)
                self.assertEqual(status, 403, raw)
                self.assertIsNone(headers.get('access-control-allow-origin'))
                status, _, raw = self.whip('POST', '/whep/live', body=body, **kwargs)
                self.assertEqual(status, 403, raw)
                status, _, raw = self.whip('DELETE', '/whip/fromweb/abc', **kwargs)
                self.assertEqual(status, 403, raw)
                status, _, raw = self.whip('PATCH', '/whip/fromweb/abc', body=b'a=x\r\n', **kwargs)
                self.assertEqual(status, 403, raw)
        status, answer, _ = self.server.rest('stream/find', {'name': 'fromweb'})
        self.assertEqual(status, 404, answer)

    def test_own_page_may_publish(self):
        status, headers, raw = self.whip('POST', '/whip/fromown', origin=self.own,
                                         body=offer().encode())
        self.assertEqual(status, 201, raw)
        self.assertEqual(headers.get('access-control-allow-origin'), self.own)
        self.assertIn('Location', headers.get('access-control-expose-headers', ''))
        status, _, raw = self.whip('DELETE', headers['location'], origin=self.own)
        self.assertEqual(status, 200, raw)

    def test_preflight(self):
        status, headers, _ = self.server.request(
            'OPTIONS', '/whip/x', headers={'Origin': FOREIGN,
                                           'Access-Control-Request-Method': 'POST'})
        self.assertIsNone(headers.get('access-control-allow-origin'))


class OriginWebSocketTest(OriginTestCase):
    """A page of another site may play (WCS's public model), not publish."""

    def test_script_may_publish(self):
        ws = self.ws()
        msid, answer = self.ws_publish(ws, 'ws_script')
        self.assertEqual(answer, ('setRemoteSDP', None))

    def test_own_page_may_publish(self):
        ws = self.ws(origin=self.own)
        msid, answer = self.ws_publish(ws, 'ws_own')
        self.assertEqual(answer, ('setRemoteSDP', None))

    def test_foreign_page_may_play_not_publish(self):
        for kwargs in ({'origin': FOREIGN}, {'origin': 'null'},
                       {'headers': {'Host': 'evil.example:%d' % self.server.ws_port}}):
            with self.subTest(**kwargs):
                ws = self.ws(**kwargs)
                msid = self.ws_stream(ws, 'publishStream', 'ws_foreign')
                self.assertEqual(self.ws_answer(ws, msid), ('FAILED', 'Restricted access'))
                msid = self.ws_stream(ws, 'playStream', 'live')
                self.assertEqual(self.ws_answer(ws, msid), ('setRemoteSDP', None))
        status, answer, _ = self.server.rest('stream/find', {'name': 'ws_foreign'})
        self.assertEqual(status, 404, answer)

    def test_stream_messages_need_a_connection(self):
        for message, name in (('publishStream', 'ws_early'), ('playStream', 'live')):
            with self.subTest(message=message):
                ws = self.ws(connect=False)
                msid = self.ws_stream(ws, message, name)
                self.assertEqual(self.ws_answer(ws, msid), ('FAILED', 'Connection not established'))
        status, answer, _ = self.server.rest('stream/find', {'name': 'ws_early'})
        self.assertEqual(status, 404, answer)
        # A snapshot is a picture of the stream: no connection, no picture.
        ws = self.ws(connect=False)
        self.assertEqual(self.ws_snapshot(ws, 'live'), ('snapshotFailed', 'Connection not established'))
        self.assertEqual(self.ws_available(ws, 'live'), ('false', 'Connection not established'))

    def test_only_the_publisher_sends_stream_events(self):
        first, second = self.ws(), self.ws()
        first_id = self.ws_stream(first, 'playStream', 'live')
        self.assertEqual(self.ws_answer(first, first_id), ('setRemoteSDP', None))
        second_id = self.ws_stream(second, 'playStream', 'live')
        self.assertEqual(self.ws_answer(second, second_id), ('setRemoteSDP', None))
        # A player speaks for the stream it plays; another session for a stream not its own.
        first.send_json('sendStreamEvent', {'mediaSessionId': first_id, 'type': 'audioMuted'})
        first.send_json('sendStreamEvent', {'mediaSessionId': second_id, 'type': 'data',
                                            'payload': {'text': 'spoofed'}})
        events = [m for m in self.ws_quiet(second) if m.get('message') == 'notifyStreamEvent']
        self.assertEqual(events, [])


class OriginWebSocketPublisherEventTest(OriginTestCase):
    """sendStreamEvent from the publisher reaches the players; bad ones do not."""

    def test_publisher_events_checked(self):
        publisher = self.ws()
        pub_id, answer = self.ws_publish(publisher, 'ev')
        self.assertEqual(answer, ('setRemoteSDP', None))
        player = self.ws()
        play_id = self.ws_stream(player, 'playStream', 'ev')
        if self.ws_answer(player, play_id)[0] != 'setRemoteSDP':
            self.skipTest('a pending WebRTC publish cannot be played before it has media')
        bad = [{'type': 'x' * 65}, {'type': 'audio Muted'}, {'type': 'a<script>'},
               {'type': ''}, {'type': 5}, {'type': 'data', 'payload': 'text'},
               {'type': 'data', 'payload': [1, 2]},
               {'type': 'data', 'payload': {'big': 'x' * 20000}}]
        for event in bad:
            publisher.send_json('sendStreamEvent', dict(event, mediaSessionId=pub_id))
        publisher.send_json('sendStreamEvent', {'mediaSessionId': pub_id, 'type': 'data',
                                                'payload': {'text': 'hello'}})
        events = [m['data'][0] for m in self.ws_quiet(player, 3)
                  if m.get('message') == 'notifyStreamEvent']
        self.assertEqual([(e['type'], e['payload']) for e in events],
                         [('data', {'text': 'hello'})])


class OriginAllowedTest(OriginTestCase):
    """rest_allowed_origins and rest_allowed_hosts let named pages and names in."""

    server_args = ('-o', 'rest_allowed_origins=%s, https://other.test' % ALLOWED,
                   '-o', 'rest_allowed_hosts=studio.test')

    def test_allowed_origin(self):
        status, headers, answer = self.post_text('stream/find_all', {}, {'Origin': ALLOWED})
        self.assertEqual(status, 200, answer)
        self.assertEqual(headers.get('access-control-allow-origin'), ALLOWED)
        status, headers, answer = self.post_text('stream/find_all', {},
                                                 {'Origin': 'http://app.test:3001'})
        self.assertEqual(status, 403, answer)
        ws = self.ws(origin=ALLOWED)
        msid, answer = self.ws_publish(ws, 'ws_allowed')
        self.assertEqual(answer, ('setRemoteSDP', None))

    def test_private_network_preflight(self):
        ask = {'Access-Control-Request-Method': 'POST',
               'Access-Control-Request-Private-Network': 'true'}
        status, headers, _ = self.server.request('OPTIONS', '/rest-api/stream/find_all',
                                                 headers=dict(ask, Origin=ALLOWED))
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-origin'), ALLOWED)
        self.assertEqual(headers.get('access-control-allow-private-network'), 'true')
        status, headers, _ = self.server.request('OPTIONS', '/rest-api/stream/find_all',
                                                 headers=dict(ask, Origin=FOREIGN))
        self.assertIsNone(headers.get('access-control-allow-private-network'))

    def test_allowed_host(self):
        status, _, answer = self.post_text('stream/find_all', {},
                                           {'Host': 'studio.test:%d' % self.server.http_port})
        self.assertEqual(status, 200, answer)


class OriginCredentialsTest(OriginTestCase):
    """With credentials configured, a page of another site needs them (401, not 403);
    ws_play_any_origin=false locks playing too."""

    server_args = ('-o', 'rest_auth_user=u', '-o', 'rest_auth_password=p',
                   '-o', 'ws_play_any_origin=false')

    def test_credentials(self):
        status, headers, answer = self.post_text('push/startup', PUSH, {'Origin': FOREIGN})
        self.assertEqual(status, 401, answer)
        self.assertEqual(headers.get('www-authenticate'), 'Basic realm="Castbridge"')
        self.assert_no_push()
        status, headers, answer = self.post_text('stream/find_all', {},
                                                 {'Origin': FOREIGN,
                                                  'Authorization': basic('u', 'p')})
        self.assertEqual(status, 200, answer)
        self.assertIsNone(headers.get('access-control-allow-origin'))

    def test_play_locked(self):
        ws = self.ws(origin=FOREIGN)
        msid = self.ws_stream(ws, 'playStream', 'live')
        self.assertEqual(self.ws_answer(ws, msid), ('FAILED', 'Restricted access'))
        # With credentials in the handshake (non-browser clients can send them) it may.
        ws = self.ws(origin=FOREIGN, headers={'Authorization': basic('u', 'p')})
        msid = self.ws_stream(ws, 'playStream', 'live')
        self.assertEqual(self.ws_answer(ws, msid), ('setRemoteSDP', None))
        # Scripts and the server's own pages are not affected.
        ws = self.ws()
        msid = self.ws_stream(ws, 'playStream', 'live')
        self.assertEqual(self.ws_answer(ws, msid), ('setRemoteSDP', None))

    def test_snapshot_locked(self):
        # A snapshot shows what playing would, availableStream what there is to play:
        # refused where playing is.
        ws = self.ws(origin=FOREIGN)
        self.assertEqual(self.ws_snapshot(ws, 'live'), ('snapshotFailed', 'Restricted access'))
        self.assertEqual(self.ws_available(ws, 'live'), ('false', 'Restricted access'))
        ws = self.ws()
        self.assertEqual(self.ws_available(ws, 'live'), ('true', 'Available'))
        self.assertEqual(self.ws_available(ws, 'nothing'), ('false', 'Stream not found'))
        deadline = time.monotonic() + 20
        while True:   # the first picture needs a decoded frame
            kind, info = self.ws_snapshot(ws, 'live')
            if kind == 'snapshotCompleted' or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(kind, 'snapshotCompleted', info)


if __name__ == '__main__':
    # meson stops a test that times out with SIGTERM: exit so that atexit cleans up.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
