# test_tls.py — HTTPS and WSS when a certificate is configured
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402


@unittest.skipUnless(shutil.which('openssl'), 'openssl missing')
class TlsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='cb-tls-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.cert = os.path.join(self.tmp, 'cert.pem')
        self.key = os.path.join(self.tmp, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', self.key,
                        '-out', self.cert, '-days', '1', '-subj', '/CN=localhost'],
                       check=True, capture_output=True)
        self.ctx = ssl.create_default_context(cafile=self.cert)
        self.ctx.check_hostname = False

    def test_https_and_wss(self):
        server = cbtest.ServerProcess('-o', 'https.port=0', '-o', 'wss.port=0',
                                      '-o', 'tls_certificate_file=' + self.cert,
                                      '-o', 'tls_key_file=' + self.key)
        self.addCleanup(server.cleanup)
        line = [l for l in server.logs().splitlines() if l.startswith('listening ')][0]
        ports = dict(kv.split('=') for kv in line.split()[1:])
        https, wss = int(ports['https']), int(ports['wss'])
        self.assertNotEqual(https, 0)
        self.assertNotEqual(wss, 0)

        with urllib.request.urlopen('https://127.0.0.1:%d/health' % https, context=self.ctx,
                                    timeout=10) as r:
            self.assertEqual(json.load(r)['status'], 'ok')
        # A page loaded over https learns where WSS is, so that it signals over TLS too.
        with urllib.request.urlopen('https://127.0.0.1:%d/castbridge/config.json' % https,
                                    context=self.ctx, timeout=10) as r:
            config = json.load(r)
        self.assertEqual(config['wssPort'], wss)
        self.assertEqual(config['wsPort'], int(ports['ws']))

        # A WebSocket session over TLS: connection → getUserData.
        ws = cbtest.WebSocketClient(wss, ssl_context=self.ctx)
        self.addCleanup(ws.close)
        ws.send_json('connection', {'appKey': 'defaultApp'})
        user = ws.recv_message('getUserData')
        self.assertEqual(user['data'][0]['status'], 'ESTABLISHED')

    def test_bad_certificate_is_a_clear_error(self):
        with self.assertRaises(RuntimeError) as cm:
            cbtest.ServerProcess('-o', 'tls_certificate_file=/nonexistent.pem')
        self.assertIn('TLS certificate', str(cm.exception))

    def test_no_certificate_no_tls(self):
        server = cbtest.ServerProcess()
        self.addCleanup(server.cleanup)
        line = [l for l in server.logs().splitlines() if l.startswith('listening ')][0]
        self.assertIn('https=0 wss=0', line)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
