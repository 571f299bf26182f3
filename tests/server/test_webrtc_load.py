# test_webrtc_load.py — the WebRTC load generator (bench/webrtc-load) against the real
# castbridge-server: every one of 20 WHEP viewers, and of a few WCS playStream viewers, gets
# its stream (ICE and DTLS done, SRTP decrypted, video and audio packets, a keyframe)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test_webrtc_load.py CASTBRIDGE-SERVER CASTBRIDGE-LOADGEN [unittest arguments]
# The generator is built by meson with bench/webrtc-load/build.sh --stub-on-failure: without Go
# and Pion it is a stub that says why and exits 77, and this test then skips with that reason.
# Timings are the benchmark's business (bench/webrtc.py); this only checks delivery.

import json
import os
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 2 and os.path.isfile(sys.argv[1]) and os.path.isfile(sys.argv[2]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))
    LOADGEN = os.path.abspath(sys.argv.pop(1))
else:
    LOADGEN = os.environ.get('CB_LOADGEN_BINARY', '')

import cbtest  # noqa: E402
import test_rtmp_ingest  # noqa: E402  (the looped RTMP test file and its publisher)

STREAM = 'load'


def loadgen_missing():
    """Why the generator cannot run, or None."""
    if not LOADGEN or not os.access(LOADGEN, os.X_OK):
        return 'no castbridge-loadgen binary given'
    r = subprocess.run([LOADGEN, '-h'], capture_output=True, text=True, timeout=30)
    if r.returncode == 77:
        return (r.stderr or r.stdout).strip() or 'castbridge-loadgen was not built'
    return None


@unittest.skipUnless(test_rtmp_ingest.HAVE_FFMPEG, 'ffmpeg and ffprobe are needed')
class LoadgenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = loadgen_missing()
        if why:
            raise unittest.SkipTest(why)

    def setUp(self):
        self.server = cbtest.ServerProcess()
        self.addCleanup(self.server.cleanup)
        self.publisher = test_rtmp_ingest.Publisher(
            f'rtmp://127.0.0.1:{self.server.rtmp_port}/live/{STREAM}')
        self.addCleanup(self.publisher.cleanup)
        self.server.wait_for_stream(lambda s: s.get('status') == 'PUBLISHING', {'name': STREAM})

    def run_loadgen(self, *args):
        cmd = [LOADGEN, *args, '-duration', '4s', '-warmup', '1s', '-connect-timeout', '25s',
               '-per-viewer']
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        lines = [l for l in r.stdout.splitlines() if l.startswith('{')]
        self.assertTrue(lines, f'no summary from {cmd}:\n{r.stderr[-3000:]}\n{self.server.logs()[-3000:]}')
        summary = json.loads(lines[-1])
        detail = f'{summary}\n{r.stderr[-3000:]}\n{self.publisher.log()}\n{self.server.logs()[-3000:]}'
        return summary, detail

    def assert_all_received(self, summary, n, detail):
        self.assertEqual(summary['viewers'], n, detail)
        self.assertEqual(summary['ice_connected'], n, detail)
        self.assertEqual(summary['dtls_connected'], n, detail)
        # Video and audio packets in the window, each through SRTP authentication.
        self.assertEqual(summary['receiving'], n, detail)
        self.assertEqual(summary['with_keyframe'], n, detail)
        self.assertFalse(summary.get('errors'), detail)
        self.assertEqual(summary['srtp_errors'], 0, detail)
        self.assertGreater(summary['kbps']['min'], 50, detail)
        self.assertTrue(summary['ok'], detail)

    def test_whep_20_viewers(self):
        summary, detail = self.run_loadgen(
            '-mode', 'whep', '-url', f'http://127.0.0.1:{self.server.http_port}/whep/{STREAM}',
            '-n', '20', '-rate', '20')
        self.assert_all_received(summary, 20, detail)

    def test_wcs_play_stream(self):
        summary, detail = self.run_loadgen(
            '-mode', 'wcs', '-url', f'ws://127.0.0.1:{self.server.ws_port}/', '-stream', STREAM,
            '-n', '3')
        self.assert_all_received(summary, 3, detail)

    def test_unknown_stream_fails_every_viewer(self):
        # The generator reports failures instead of hanging or counting them as viewers.
        summary, detail = self.run_loadgen(
            '-mode', 'wcs', '-url', f'ws://127.0.0.1:{self.server.ws_port}/', '-stream', 'nosuch',
            '-n', '2')
        self.assertFalse(summary['ok'], detail)
        self.assertEqual(summary['receiving'], 0, detail)
        self.assertEqual(summary['errors'], {'stream FAILED: Stream not found': 2}, detail)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if test_rtmp_ingest._media_dir is not None:
        shutil.rmtree(test_rtmp_ingest._media_dir, ignore_errors=True)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        sys.exit(77)
    sys.exit(0)
