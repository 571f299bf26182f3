# test_secrets.py — no secret shows, not even in part, in any REST answer or in the log;
# what an answer showed finds what it came from; files from the network stay in the
# media folder
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import socket
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402
from nginxrtmp import NginxRtmp  # noqa: E402

# Upper case with letters that are no hex digit: nothing else in an answer or a log line
# (UUIDs, addresses, codec names) shares four characters with them.
SECRETS = {
    'push_key': 'KQ7ZPXWJ',
    'push_token': 'TQ9VJRMZ',
    'push_user': 'UQZXVKJW',
    'push_password': 'PWQZJXVK',
    'backup_key': 'BKQZJVXW',
    'failing_password': 'FPQZXJVW',
    'failing_key': 'FKQXZJWV',
    'relay_user': 'RUQZKXJV',
    'relay_password': 'RPQJZVXK',
    'relay_token': 'RTQXVZKJ',
    'relay_access_token': 'RAQZWJXV',
    'whep_token': 'WTQJXZVK',
    'pull_password': 'LPQZVJXW',
    'pull_key': 'LKQJWZXV',
    'pull_token': 'LTQXWZJV',
    'ws_password': 'WPQZJVKX',
    'ws_token': 'WKQVZXJW',
    'source_password': 'SPQJVZXW',
}
OFFER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'browser',
                          'chromium-offer.sdp')


def fragments(secret, n=4):
    return {secret[i:i + n] for i in range(len(secret) - n + 1)}


@unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is not installed')
class SecretsTest(unittest.TestCase):
    """Pushes, relays and RTMP pulls started with secrets in their URLs."""

    def setUp(self):
        # Every log domain at debug level: a secret in any g_debug() fails the test.
        os.environ['G_MESSAGES_DEBUG'] = 'all'
        self.nginx = NginxRtmp()
        self.addCleanup(self.nginx.cleanup)
        self.server = cbtest.ServerProcess('--publish', 'cam=test')
        self.addCleanup(self.server.cleanup)
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})
        self.answers = []

    def rest(self, path, body=None, expect=200):
        status, answer, _ = self.server.rest(path, body)
        self.assertEqual(status, expect, (path, body, answer))
        self.answers.append(json.dumps(answer))
        return answer

    def log_text(self):
        text = ''
        for path in (self.server.stdout_path, self.server.stderr_path):
            with open(path, errors='replace') as f:
                text += f.read()
        return text

    def assert_no_secret(self, where, text):
        for name, secret in SECRETS.items():
            for part in fragments(secret):
                self.assertNotIn(part, text, f'{where} shows part of {name} ({secret})')

    def test_nothing_shows_and_answers_find_their_objects(self):
        s = SECRETS
        nginx = f'127.0.0.1:{self.nginx.port}'
        dead = f'127.0.0.1:{nginxrtmp.free_port()}'

        # Pushes: a key and a token in full-URL mode, with a backup URL; user info with the
        # name given in clear; a destination that refuses the connection.
        full = self.rest('push/startup', {
            'streamName': 'cam', 'rtmpTransponderFullUrl': True,
            'rtmpUrl': f'rtmp://{nginx}/live/{s["push_key"]}?token={s["push_token"]}',
            'backupUrl': f'rtmp://{dead}/live/{s["backup_key"]}'})
        plain = self.rest('push/startup', {
            'streamName': 'cam',
            'rtmpUrl': f'rtmp://{s["push_user"]}:{s["push_password"]}@{nginx}/live'})
        failing = self.rest('push/startup', {
            'streamName': 'cam', 'rtmpTransponderFullUrl': True,
            'rtmpUrl': f'rtmp://fq:{s["failing_password"]}@{dead}/live/{s["failing_key"]}'})
        self.assertEqual(full['rtmpUrl'], f'rtmp://{nginx}/live/***?token=***')
        self.assertEqual(full['streamName'], '***')
        self.assertEqual(plain['rtmpUrl'], f'rtmp://***@{nginx}/live')
        self.assertEqual(plain['streamName'], 'rtmp_cam')           # given in clear
        self.assertEqual(plain['localStreamName'], 'cam')

        # Relays: WCS over a WebSocket with user info and tokens, WHEP with a token.
        relay_uri = (f'ws://{s["relay_user"]}:{s["relay_password"]}@{dead}/'
                     f'?token={s["relay_token"]}&access_token={s["relay_access_token"]}')
        relay = self.rest('pull/push', {'uri': relay_uri, 'localStreamName': 'cam',
                                        'remoteStreamName': 'away'})
        self.assertEqual(relay['uri'], f'ws://***@{dead}/?token=***&access_token=***')
        whep = self.rest('pull/pull', {'uri': f'http://{dead}/whep/cam?access_token={s["whep_token"]}',
                                       'remoteStreamName': 'cam', 'localStreamName': 'fromwhep'})
        self.assertEqual(whep['uri'], f'http://{dead}/whep/cam?access_token=***')

        # An RTMP pull: the key is the path's last element.
        pull_uri = (f'rtmp://lu:{s["pull_password"]}@{nginx}/live/{s["pull_key"]}'
                    f'?token={s["pull_token"]}')
        self.rest('pull/rtmp/pull', {'uri': pull_uri, 'localStreamName': 'pulled'})

        # A URL with a password typed where a local source belongs: refused, not repeated.
        self.rest('castbridge/source/publish', {
            'name': 'typo', 'source': f'rtmp://su:{s["source_password"]}@{nginx}/live/k'},
            expect=400)

        # A WebSocket publisher that republishes to RTMP (WCS publishStream's rtmpUrl).
        ws = cbtest.WebSocketClient(self.server.ws_port, '/')
        self.addCleanup(ws.close)
        ws.send_json('connection', {'appKey': 'defaultApp', 'mediaProviders': ['WebRTC']})
        with open(OFFER_PATH) as f:
            offer = f.read().replace('\r\n', '\n').replace('\n', '\r\n')
        ws.send_json('publishStream', {
            'mediaSessionId': str(uuid.uuid4()), 'name': 'wsp', 'published': True,
            'hasVideo': True, 'hasAudio': True, 'status': 'PENDING', 'mediaProvider': 'WebRTC',
            'sdp': offer, 'rtmpUrl': f'rtmp://wu:{s["ws_password"]}@{nginx}/live?token={s["ws_token"]}'})

        # Let them connect, fail and retry; every answer is read again and again.
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            for path in ('push/find_all', 'pull/find_all', 'pull/rtmp/find_all', 'stream/find_all'):
                self.rest(path)
            for t in (full, plain, failing):
                self.rest('push/find', {'mediaSessionId': t['mediaSessionId']})
            time.sleep(0.5)
        ws_pushes = [t for t in self.rest('push/find_all') if t['localStreamName'] == 'wsp']
        self.assertEqual([t['rtmpUrl'] for t in ws_pushes], [f'rtmp://***@{nginx}/live?token=***'])
        pulls = self.rest('pull/rtmp/find_all')
        self.assertEqual(pulls[0]['uri'], f'rtmp://***@{nginx}/live/***?token=***')
        sources = {st['name']: st['source'] for st in self.rest('stream/find_all')}
        self.assertEqual(sources['pulled'], 'pull ' + pulls[0]['uri'])

        # What an answer showed finds what it came from; so does what the request gave.
        for t in (full, plain):
            found = self.rest('push/find', {'streamName': t['streamName'], 'rtmpUrl': t['rtmpUrl']})
            self.assertIn(t['mediaSessionId'], [f['mediaSessionId'] for f in found])
        found = self.rest('push/find', {'streamName': 'cam', 'rtmpUrl': f'rtmp://{nginx}/live/{s["push_key"]}?token={s["push_token"]}'})
        self.assertEqual([f['mediaSessionId'] for f in found], [full['mediaSessionId']])
        found = self.rest('push/find', {'streamName': 'rtmp_cam', 'rtmpUrl': plain['rtmpUrl']})
        self.assertEqual([f['mediaSessionId'] for f in found], [plain['mediaSessionId']])
        self.rest('pull/terminate', {'uri': relay['uri']})
        self.rest('pull/terminate', {'uri': whep['uri']})
        self.rest('pull/find_all', expect=404)
        self.rest('pull/rtmp/terminate', {'uri': pulls[0]['uri']})
        self.rest('pull/rtmp/find_all', expect=404)
        for t in (full, plain, failing):
            self.rest('push/terminate', {'mediaSessionId': t['mediaSessionId']})

        # Every WebSocket event but the SDP answer (random text, shown to no one else).
        self.rest('stream/terminate', {'name': 'wsp'})
        events = []
        ws.sock.settimeout(0.5)
        try:
            while True:
                msg = ws.recv_json()
                if msg.get('message') != 'setRemoteSDP':
                    events.append(json.dumps(msg))
        except (socket.timeout, ConnectionError):
            pass
        self.assertTrue(any('notifyStreamStatusEvent' in e for e in events), events)
        self.assert_no_secret('a WebSocket event', '\n'.join(events))
        self.assert_no_secret('a REST answer', '\n'.join(self.answers))
        self.assert_no_secret('the server log', self.log_text())


class FileConfinementTest(unittest.TestCase):
    """castbridge/source/publish with file:NAME reads only from the media folder."""

    def setUp(self):
        os.environ['G_MESSAGES_DEBUG'] = 'all'
        self.server = cbtest.ServerProcess()
        self.addCleanup(self.server.cleanup)

    def publish(self, source, name='f'):
        status, answer, _ = self.server.rest('castbridge/source/publish',
                                             {'name': name, 'source': source})
        return status, answer

    def test_names_outside_get_one_answer(self):
        outside = os.path.join(self.server.tmp, 'outside.mp4')
        with open(outside, 'wb') as f:
            f.write(b'\0' * 1024)
        os.symlink(outside, os.path.join(self.server.media_dir, 'link-out.mp4'))
        os.symlink(os.path.join(self.server.tmp, 'gone.mp4'),
                   os.path.join(self.server.media_dir, 'link-out-missing.mp4'))
        refused = [self.publish('file:' + name) for name in (
            '../x.mp4', '../outside.mp4', '/etc/passwd', outside,
            os.path.join(self.server.tmp, 'missing.mp4'), 'link-out.mp4', 'link-out-missing.mp4',
            'sub/../../outside.mp4', '//etc/passwd', 'file://' + outside)]
        for status, answer in refused:
            self.assertEqual((status, answer), refused[0])
        self.assertEqual(refused[0][0], 400)
        self.assertNotIn('passwd', json.dumps(refused[0][1]))
        # The log says why, never which file.
        self.assertNotIn('outside.mp4', self.server.logs())
        self.assertNotIn('passwd', self.server.logs())
        self.assertEqual(self.server.rest('stream/find', {'name': 'f'})[0], 404)
        # A NUL byte never reaches a file name: the JSON layer refuses it in any string.
        status, _, _ = self.server.request(
            'POST', '/rest-api/castbridge/source/publish',
            b'{"name": "f", "source": "file:clip.mp4\\u0000/../../etc/passwd"}')
        self.assertEqual(status, 400)

        # A name in the folder with no file says so; a file there is published.
        status, answer = self.publish('file:missing.mp4')
        self.assertEqual(status, 404, answer)
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                        '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15', '-t', '2',
                        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
                        os.path.join(self.server.media_dir, 'clip.mp4')], check=True, timeout=60)
        status, answer = self.publish('file:clip.mp4', name='clip')
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer['source'], 'file:clip.mp4')


if __name__ == '__main__':
    unittest.main()
