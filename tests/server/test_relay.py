# test_relay.py — one Castbridge relays a stream to another over WebRTC (WCS /pull/push),
# and plays one from another into a local stream (/pull/pull)
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402
from nginxrtmp import wait_ffprobe  # noqa: E402


class TwoServers(unittest.TestCase):
    """A publishes its test pattern as cam; B is empty."""

    def setUp(self):
        self.a = cbtest.ServerProcess('--publish', 'cam=test')
        self.addCleanup(self.a.cleanup)
        self.b = cbtest.ServerProcess()
        self.addCleanup(self.b.cleanup)
        self.a.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})


class RelayTest(TwoServers):

    def relays(self):
        status, answer, _ = self.a.rest('pull/find_all')
        return answer if status == 200 else []

    def relay_to(self, uri, remote):
        status, answer, _ = self.a.rest('pull/push', {'uri': uri, 'localStreamName': 'cam',
                                                      'remoteStreamName': remote})
        self.assertEqual(status, 200, answer)
        return answer

    def test_relay_over_wcs_signaling(self):
        uri = 'ws://127.0.0.1:%d' % self.b.ws_port
        r = self.relay_to(uri, 'fromA')
        self.assertEqual(r['localStreamName'], 'cam')
        # The sound is known a moment after the picture: A makes the Opus it relays from
        # its AAC once the relay starts (seconds under ASan).
        remote = self.b.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s['videoCodec'] == 'H264' and s['width'] == 1280
            and s.get('audioCodec'), {'name': 'fromA'}, timeout=40)
        self.assertEqual(remote['audioCodec'], 'opus')
        self.assertEqual(remote['mediaSessionId'], r['remoteMediaSessionId'])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.relays()[0]['status'] != 'PROCESSED_REMOTE':
            time.sleep(0.2)
        self.assertEqual(self.relays()[0]['status'], 'PROCESSED_REMOTE')   # WCS's name
        self.assertEqual(self.relays()[0]['state'], 'PUBLISHING')

        # The same relay again: 409; another remote name is fine.
        status, _, _ = self.a.rest('pull/push', {'uri': uri, 'localStreamName': 'cam',
                                                 'remoteStreamName': 'fromA'})
        self.assertEqual(status, 409)

        status, _, _ = self.a.rest('pull/terminate', {'localStreamName': 'cam',
                                                      'remoteStreamName': 'fromA'})
        self.assertEqual(status, 200)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.b.rest('stream/find', {'name': 'fromA'})[0] == 200:
            time.sleep(0.2)
        self.assertEqual(self.b.rest('stream/find', {'name': 'fromA'})[0], 404)
        self.assertEqual(self.a.rest('pull/find_all')[0], 404)

    def test_remote_refusal_is_reported(self):
        # B already has a stream by that name: the relay fails with B's reason.
        status, _, _ = self.b.rest('castbridge/source/publish', {'name': 'busy', 'source': 'test'})
        self.assertEqual(status, 200)
        self.relay_to('ws://127.0.0.1:%d' % self.b.ws_port, 'busy')
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.relays()[0]['status'] != 'FAILED':
            time.sleep(0.2)
        r = self.relays()[0]
        self.assertEqual(r['status'], 'FAILED')
        self.assertEqual(r['info'], 'Stream name is already in use')

    def test_bad_requests(self):
        cases = [
            ({'uri': 'ws://127.0.0.1:1', 'localStreamName': 'nope'}, 404),
            ({'uri': 'ftp://127.0.0.1/x', 'localStreamName': 'cam'}, 400),
            ({'uri': 'not a uri', 'localStreamName': 'cam'}, 400),
            ({'localStreamName': 'cam'}, 400),
            ({'uri': 'ws://127.0.0.1:1'}, 400),
            ({'uri': 5, 'localStreamName': 'cam'}, 400),
        ]
        for body, expected in cases:
            status, answer, _ = self.a.rest('pull/push', body)
            self.assertEqual(status, expected, (body, answer))
        self.assertEqual(self.a.rest('pull/terminate', {})[0], 400)
        self.assertEqual(self.a.rest('pull/terminate', {'uri': 'ws://x'})[0], 404)

    def test_unreachable_server_fails(self):
        self.relay_to('ws://127.0.0.1:1', 'x')   # nothing listens on port 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.relays()[0]['status'] != 'FAILED':
            time.sleep(0.2)
        self.assertEqual(self.relays()[0]['status'], 'FAILED')
        self.assertTrue(self.relays()[0]['info'])


class PullTest(TwoServers):
    """B plays A's stream over WebRTC into a stream of its own."""

    def relays(self):
        status, answer, _ = self.b.rest('pull/find_all')
        return answer if status == 200 else []

    def wait_relay(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            relays = self.relays()
            if relays and predicate(relays[0]):
                return relays[0]
            time.sleep(0.2)
        self.fail('relay never matched; last %r' % (self.relays(),))

    def pull(self, uri, **names):
        body = {'uri': uri}
        body.update(names)
        status, answer, _ = self.b.rest('pull/pull', body)
        self.assertEqual(status, 200, answer)
        return answer

    def check_pulled(self, uri):
        r = self.pull(uri, remoteStreamName='cam', localStreamName='fromA')
        self.assertEqual(r['localStreamName'], 'fromA')
        local = self.b.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s['videoCodec'] == 'H264' and s['width'] == 1280
            and s['audioCodec'] == 'opus', {'name': 'fromA'}, timeout=40)
        self.assertEqual(local['mediaSessionId'], r['localMediaSessionId'])
        self.wait_relay(lambda r: r['status'] == 'PROCESSED_REMOTE' and r['state'] == 'PLAYING')
        # A counts B as one of its players, as a browser would be.
        self.a.wait_for_stream(lambda s: s['status'] == 'PLAYING', {'name': 'cam', 'published': False})
        # What came in decodes: B serves it over RTMP as H.264 + AAC.
        wait_ffprobe('rtmp://127.0.0.1:%d/live/fromA' % self.b.rtmp_port,
                     lambda streams: {s['codec_type']: s['codec_name'] for s in streams} ==
                     {'video': 'h264', 'audio': 'aac'})

        status, _, _ = self.b.rest('pull/pull', {'uri': uri, 'remoteStreamName': 'cam',
                                                 'localStreamName': 'fromA'})
        self.assertEqual(status, 409)

        status, _, _ = self.b.rest('pull/terminate', {'localStreamName': 'fromA'})
        self.assertEqual(status, 200)
        self.assertEqual(self.b.rest('stream/find', {'name': 'fromA'})[0], 404)
        self.assertEqual(self.b.rest('pull/find_all')[0], 404)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and \
                self.a.rest('stream/find', {'name': 'cam', 'published': False})[0] == 200:
            time.sleep(0.2)
        self.assertEqual(self.a.rest('stream/find', {'name': 'cam', 'published': False})[0], 404)

    def test_pull_over_wcs_signaling(self):
        self.check_pulled('ws://127.0.0.1:%d' % self.a.ws_port)

    def test_pull_over_whep(self):
        self.check_pulled('http://127.0.0.1:%d/whep/cam' % self.a.http_port)

    def test_pull_is_served_by_the_shared_egress(self):
        # A's player for B is no webrtcbin peer: the shared egress serves it, and what B
        # gets is A's picture.
        self.pull('ws://127.0.0.1:%d' % self.a.ws_port, remoteStreamName='cam', localStreamName='fromA')
        self.b.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s['videoCodec'] == 'H264' and s['width'] == 1280,
            {'name': 'fromA'}, timeout=40)
        player = self.a.wait_for_stream(lambda s: s['status'] == 'PLAYING', {'name': 'cam', 'published': False})
        self.assertEqual(player['egress'], 'shared', player)
        self.assertEqual(self.b.rest('pull/terminate', {'localStreamName': 'fromA'})[0], 200)

    def test_unknown_remote_stream_fails(self):
        self.pull('ws://127.0.0.1:%d' % self.a.ws_port, remoteStreamName='nothing')
        r = self.wait_relay(lambda r: r['status'] == 'FAILED')
        self.assertEqual(r['info'], 'Stream not found')
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.b.rest('stream/find', {'name': 'nothing'})[0] == 200:
            time.sleep(0.2)
        self.assertEqual(self.b.rest('stream/find', {'name': 'nothing'})[0], 404)
        # Listed with its reason until terminated.
        self.assertEqual(self.b.rest('pull/terminate', {'remoteStreamName': 'nothing'})[0], 200)
        self.assertEqual(self.b.rest('pull/find_all')[0], 404)

    def test_whep_refusal_is_reported(self):
        self.pull('http://127.0.0.1:%d/whep/nothing' % self.a.http_port, remoteStreamName='nothing')
        r = self.wait_relay(lambda r: r['status'] == 'FAILED')
        self.assertIn('404', r['info'])

    def test_bad_requests(self):
        status, _, _ = self.b.rest('castbridge/source/publish', {'name': 'taken', 'source': 'test'})
        self.assertEqual(status, 200)
        ws = 'ws://127.0.0.1:%d' % self.a.ws_port
        cases = [
            ({'uri': ws}, 400),
            ({'remoteStreamName': 'cam'}, 400),
            ({'uri': 'ftp://127.0.0.1/x', 'remoteStreamName': 'cam'}, 400),
            ({'uri': ws, 'remoteStreamName': 7}, 400),
            ({'uri': ws, 'remoteStreamName': 'cam', 'localStreamName': '../x'}, 400),
            ({'uri': ws, 'remoteStreamName': 'cam', 'localStreamName': 'taken'}, 409),
        ]
        for body, expected in cases:
            status, answer, _ = self.b.rest('pull/pull', body)
            self.assertEqual(status, expected, (body, answer))
        self.assertEqual(self.b.rest('pull/find_all')[0], 404)

    def test_stream_terminate_stops_the_pull(self):
        self.pull('ws://127.0.0.1:%d' % self.a.ws_port, remoteStreamName='cam')
        local = self.b.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'}, timeout=40)
        status, _, _ = self.b.rest('stream/terminate', {'mediaSessionId': local['mediaSessionId']})
        self.assertEqual(status, 200)
        r = self.wait_relay(lambda r: r['status'] in ('STOPPED', 'FAILED'))
        self.assertEqual(r['status'], 'STOPPED')
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and \
                self.a.rest('stream/find', {'name': 'cam', 'published': False})[0] == 200:
            time.sleep(0.2)
        self.assertEqual(self.a.rest('stream/find', {'name': 'cam', 'published': False})[0], 404)



class PullFromAnotherMachineTest(unittest.TestCase):
    """A listens on all addresses; B, on another machine (a namespace), pulls from it."""

    def setUp(self):
        self.net = cbtest.NetnsHost()
        self.addCleanup(self.net.cleanup)
        self.a = cbtest.ServerProcess('--publish', 'cam=test', bind='0.0.0.0')
        self.addCleanup(self.a.cleanup)
        self.b = cbtest.ServerProcess('-o', 'disable_rest_auth=true', bind='0.0.0.0',
                                      prefix=self.net.command(), host=self.net.ns_ip)
        self.addCleanup(self.b.cleanup)
        self.a.wait_for_stream(lambda s: s['status'] == 'PUBLISHING', {'name': 'cam'})

    def test_shared_egress_candidate_is_the_address_reached(self):
        # No address is configured: the egress's candidate is the one B's signaling reached.
        status, answer, _ = self.b.rest('pull/pull', {
            'uri': 'ws://%s:%d' % (self.net.host_ip, self.a.ws_port),
            'remoteStreamName': 'cam', 'localStreamName': 'fromA'})
        self.assertEqual(status, 200, answer)
        self.b.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s['videoCodec'] == 'H264' and s['width'] == 1280,
            {'name': 'fromA'}, timeout=40)
        player = self.a.wait_for_stream(lambda s: s['status'] == 'PLAYING', {'name': 'cam', 'published': False})
        self.assertEqual(player['egress'], 'shared', player)



OFFER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'browser',
                          'chromium-offer.sdp')


class EgressAnswerTest(unittest.TestCase):
    """The answers a WHEP player gets, from the shared egress or from its fallback."""

    def whep(self, server):
        with open(OFFER_PATH) as f:
            offer = f.read().replace('a=sendonly', 'a=recvonly')
        status, headers, body = server.request('POST', '/whep/cam', offer.encode(),
                                               {'Content-Type': 'application/sdp'})
        self.assertEqual(status, 201, body)
        status, players, _ = server.rest('stream/find', {'name': 'cam', 'published': False})
        self.assertEqual(status, 200, players)
        return body.decode(), players[0]

    def server(self, *args):
        s = cbtest.ServerProcess('--publish', 'cam=test', *args, bind='0.0.0.0')
        self.addCleanup(s.cleanup)
        s.wait_for_stream(lambda st: st['status'] == 'PUBLISHING', {'name': 'cam'})
        return s

    def test_announced_address_and_port(self):
        s = self.server('-o', 'webrtc_egress_announced_address=203.0.113.7',
                        '-o', 'webrtc_egress_port=0')
        answer, player = self.whep(s)
        self.assertEqual(player['egress'], 'shared')
        self.assertIn('a=ice-lite\r\n', answer)
        self.assertIn('a=setup:passive\r\n', answer)
        candidates = [line for line in answer.split('\r\n') if line.startswith('a=candidate:')]
        self.assertTrue(candidates)
        for line in candidates:
            self.assertRegex(line, r'^a=candidate:1 1 UDP \d+ 203\.0\.113\.7 [1-9]\d* typ host$')
        # One port for every viewer: a second one gets the same candidate.
        second, _ = self.whep(s)
        self.assertEqual([line for line in second.split('\r\n') if line.startswith('a=candidate:')][:1],
                         candidates[:1])

    def test_fallback_when_off(self):
        s = self.server('-o', 'webrtc_egress=false')
        answer, player = self.whep(s)
        self.assertEqual(player['egress'], 'webrtcbin')
        self.assertNotIn('a=ice-lite', answer)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
