# test_answers.py — the answers WCS and Voximplant clients read: Content-Length limits,
# info texts, push/startup checks, push events kept and delivered, pull statuses
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402


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


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
