# test_snapshot.py — REST /stream/snapshot and the WebSocket snapshot message
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402

PNG = b'\x89PNG\r\n\x1a\n'


class SnapshotTest(unittest.TestCase):
    def setUp(self):
        self.server = cbtest.ServerProcess('--publish', 'cam=test', '--publish', 'tone=tone')
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['videoCodec'] == 'H264', {'name': 'cam'})

    def test_rest_snapshot(self):
        status, answer, _ = self.server.rest('stream/snapshot', {'streamName': 'cam'})
        self.assertEqual(status, 200, answer)
        png = base64.b64decode(answer['data'])
        self.assertTrue(png.startswith(PNG))
        width, height = int.from_bytes(png[16:20], 'big'), int.from_bytes(png[20:24], 'big')
        self.assertEqual((width, height), (1280, 720))

    def test_rest_snapshot_errors(self):
        self.assertEqual(self.server.rest('stream/snapshot', {'streamName': 'nope'})[0], 404)
        self.assertEqual(self.server.rest('stream/snapshot', {})[0], 400)
        self.assertEqual(self.server.rest('stream/snapshot', b'{bad')[0], 400)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'tone'})
        self.assertEqual(self.server.rest('stream/snapshot', {'streamName': 'tone'})[0], 500)
        self.assertEqual(self.server.request('GET', '/health')[0], 200)

    def test_websocket_snapshot(self):
        ws = cbtest.WebSocketClient(self.server.ws_port)
        self.addCleanup(ws.close)
        ws.send_json('connection', {'appKey': 'defaultApp'})
        ws.recv_message('getUserData')
        ws.send_json('snapshot', {'name': 'cam', 'mediaSessionId': 'snap-1'})
        event = ws.recv_message('notifyStreamEvent', skip=('ping', 'getVersion'))
        self.assertEqual(event['data'][0]['type'], 'snapshotCompleted')
        self.assertEqual(event['data'][0]['mediaSessionId'], 'snap-1')
        self.assertTrue(base64.b64decode(event['data'][0]['payload']['snapshot']).startswith(PNG))
        ws.send_json('snapshot', {'name': 'nope', 'mediaSessionId': 'snap-2'})
        event = ws.recv_message('notifyStreamEvent', skip=('ping', 'getVersion'))
        self.assertEqual(event['data'][0]['type'], 'snapshotFailed')


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
