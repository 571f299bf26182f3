# test_record.py — recording with real ffmpeg publishers: REST, files, rotation, crashes,
# full disks, downloads, hooks and retention
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

os.environ.setdefault('G_MESSAGES_DEBUG', 'cb-server cb-engine')

import cbtest  # noqa: E402

HAVE_FFMPEG = shutil.which('ffmpeg') is not None and shutil.which('ffprobe') is not None
_media = None


def media_file(name, seconds, bitrate=None, size='640x360'):
    """H.264 (a keyframe every second, no B-frames) and AAC, made once per run."""
    global _media
    if _media is None:
        _media = tempfile.mkdtemp(prefix='cb-record-media-')
    path = os.path.join(_media, name)
    if not os.path.exists(path):
        rate = ['-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate] if bitrate else []
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                        '-f', 'lavfi', '-i', f'testsrc2=size={size}:rate=30',
                        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
                        '-t', str(seconds), '-c:v', 'libx264', '-preset', 'veryfast',
                        '-g', '30', '-bf', '0', *rate, '-pix_fmt', 'yuv420p',
                        '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', path],
                       check=True, timeout=120)
    return path


def probe(path):
    out = subprocess.run(['ffprobe', '-v', 'error', '-show_entries',
                          'format=duration:stream=codec_type,codec_name', '-of', 'json', path],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise AssertionError(f'ffprobe {path}: {out.stderr}')
    data = json.loads(out.stdout)
    codecs = {s['codec_type']: s['codec_name'] for s in data.get('streams', [])}
    return float(data['format'].get('duration', 0)), codecs


def top_boxes(path):
    boxes = []
    with open(path, 'rb') as f:
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            size, kind = struct.unpack('>I4s', head)
            if size == 1:
                size = struct.unpack('>Q', f.read(8))[0]
                f.seek(size - 16, 1)
            elif size == 0:
                boxes.append(kind.decode('latin-1'))
                break
            else:
                f.seek(size - 8, 1)
            boxes.append(kind.decode('latin-1'))
    return boxes


class Publisher:
    def __init__(self, url, path, loop=False):
        self.log = tempfile.NamedTemporaryFile(prefix='cb-ffmpeg-', suffix='.log', delete=False)
        args = ['ffmpeg', '-hide_banner', '-loglevel', 'warning', '-nostats', '-re']
        if loop:
            args += ['-stream_loop', '-1']
        args += ['-i', path, '-c', 'copy', '-f', 'flv', url]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.log)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log.closed:
            self.log.close()
            os.unlink(self.log.name)


@unittest.skipUnless(HAVE_FFMPEG, 'ffmpeg and ffprobe are needed')
class RecordBase(unittest.TestCase):
    server_args = ()

    def start_server(self, *args):
        server = cbtest.ServerProcess(*self.server_args, *args)
        self.addCleanup(server.cleanup)
        return server

    def setUp(self):
        self.records = tempfile.mkdtemp(prefix='cb-records-')
        self.addCleanup(shutil.rmtree, self.records, True)
        self.server = self.start_server('-o', 'record_dir=' + self.records)

    def publish(self, name, path, loop=False, server=None):
        server = server or self.server
        p = Publisher(f'rtmp://127.0.0.1:{server.rtmp_port}/live/{name}', path, loop)
        self.addCleanup(p.cleanup)
        return p

    def wait_publishing(self, name, server=None):
        server = server or self.server
        return server.wait_for_stream(
            lambda s: s['status'] == 'PUBLISHING' and s.get('width', 0) > 0 and
            s.get('audioCodec'), {'name': name})

    def recordings(self, server=None):
        server = server or self.server
        try:
            status, answer, _ = server.rest('castbridge/recordings/find_all')
        except OSError as e:
            self.fail(f'the server is gone ({e}; exit status {server.proc.poll()}):\n'
                      + server.logs())
        return answer if status == 200 else []

    def wait_recordings(self, predicate, count=1, timeout=40, server=None):
        deadline = time.monotonic() + timeout
        found = []
        while time.monotonic() < deadline:
            found = [r for r in self.recordings(server) if predicate(r)]
            if len(found) >= count:
                return found
            time.sleep(0.2)
        self.fail(f'recordings: wanted {count}, have {self.recordings(server)}\n'
                  f'{(server or self.server).logs()}')

    def visible_files(self):
        return sorted(f for f in os.listdir(self.records) if not f.startswith('.'))


class RecordRestTest(RecordBase):
    def test_rest_start_stop_download(self):
        pub = self.publish('cam', media_file('loop.flv', 4), loop=True)
        stream = self.wait_publishing('cam')
        msid = stream['mediaSessionId']

        status, _, _ = self.server.rest('stream/startRecording', {'mediaSessionId': msid})
        self.assertEqual(status, 200)
        status, running, _ = self.server.rest('recorder/find_all')
        self.assertEqual(status, 200, self.server.logs())
        self.assertEqual(running[0]['mediaSessionId'], msid)
        name = running[0]['fileName']
        self.assertTrue(name.endswith('.mp4'), name)
        self.assertIn(msid, name)   # WCS's default template: stream-{mediaSessionId}-{login}
        stream = self.server.wait_for_stream(lambda s: s['record'], {'mediaSessionId': msid})
        self.assertEqual(stream['recordName'], name)

        # Readable while it is written: the temporary file is a fragmented MP4.
        time.sleep(3)
        status, headers, body = self.server.request(
            'GET', '/client/records/' + urllib.parse.quote(name))
        self.assertEqual(status, 200)
        self.assertGreater(len(body), 1000)
        partial = os.path.join(self.records, 'partial.bin')
        with open(partial, 'wb') as f:
            f.write(body)
        self.assertIn('moof', top_boxes(partial))
        os.unlink(partial)

        time.sleep(2)
        status, _, _ = self.server.rest('stream/stopRecording', {'mediaSessionId': msid})
        self.assertEqual(status, 200)
        done = self.wait_recordings(lambda r: r['fileName'] == name and r['state'] == 'FINISHED')
        self.assertGreater(done[0]['duration'], 4)
        stream = self.server.wait_for_stream(lambda s: not s['record'], {'mediaSessionId': msid})
        self.assertEqual(stream['recordName'], name)
        self.assertEqual(self.visible_files(), [name])

        path = os.path.join(self.records, name)
        duration, codecs = probe(path)
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertAlmostEqual(duration, done[0]['duration'], delta=0.5)
        boxes = top_boxes(path)
        self.assertLess(boxes.index('moov'), boxes.index('mdat'), boxes)   # fast start
        self.assertEqual(cbtest.decode_errors(path), '')

        # Downloads: whole, a range, and names that are not recordings.
        status, headers, body = self.server.request('GET', '/client/records/' + urllib.parse.quote(name))
        self.assertEqual(status, 200)
        self.assertEqual(headers['content-type'], 'video/mp4')
        with open(path, 'rb') as f:
            whole = f.read()
        self.assertEqual(body, whole)
        status, headers, body = self.server.request(
            'GET', '/client/records/' + urllib.parse.quote(name), headers={'Range': 'bytes=100-1099'})
        self.assertEqual(status, 206)
        self.assertEqual(headers['content-range'], f'bytes 100-1099/{len(whole)}')
        self.assertEqual(body, whole[100:1100])
        status, headers, _ = self.server.request(
            'GET', '/client/records/' + urllib.parse.quote(name), headers={'Range': f'bytes={len(whole) + 10}-'})
        self.assertEqual(status, 416)
        for bad in ('..%2Fmedia', '%2Fetc%2Fpasswd', '.hidden', 'missing.mp4', 'a%00b.mp4',
                    '.castbridge-x.mp4', '%2E%2E%2Fmedia'):
            status, _, body = self.server.request('GET', '/client/records/' + bad)
            self.assertIn(status, (400, 404), bad)
            self.assertNotIn(b'root:', body)
        pub.cleanup()

    def test_second_recording_announced_as_kept(self):
        """WCS's default template names a recording after its media session: a second
        recording of the same publish is announced under the name it is kept as (-1), never
        under the first one's."""
        self.publish('cam', media_file('loop.flv', 4), loop=True)
        msid = self.wait_publishing('cam')['mediaSessionId']
        rest = self.server.rest
        names = []
        for i in range(2):
            self.assertEqual(rest('stream/startRecording', {'mediaSessionId': msid})[0], 200)
            stream = self.server.wait_for_stream(lambda s: s['record'], {'mediaSessionId': msid})
            status, running, _ = rest('recorder/find_all')
            self.assertEqual(status, 200)
            self.assertEqual(running[0]['fileName'], stream['recordName'])
            names.append(stream['recordName'])
            time.sleep(2)
            self.assertEqual(rest('stream/stopRecording', {'mediaSessionId': msid})[0], 200)
            stream = self.server.wait_for_stream(lambda s: not s['record'], {'mediaSessionId': msid})
            self.assertEqual(stream['recordName'], names[-1])
        first, second = names
        self.assertNotEqual(first, second)
        self.assertEqual(second, first[:-len('.mp4')] + '-1.mp4')
        for name in names:
            self.wait_recordings(lambda r: r['fileName'] == name and r['state'] == 'FINISHED')
        self.assertEqual(self.visible_files(), sorted(names))

    def test_codes(self):
        self.publish('cam', media_file('loop.flv', 4), loop=True)
        msid = self.wait_publishing('cam')['mediaSessionId']
        rest = self.server.rest
        self.assertEqual(rest('recorder/find_all')[0], 404)
        self.assertEqual(rest('stream/startRecording', {'mediaSessionId': 'nope'})[0], 404)
        self.assertEqual(rest('stream/stopRecording', {'mediaSessionId': msid})[0], 404)
        self.assertEqual(rest('recorder/terminate', {'mediaSessionId': 'nope'})[0], 404)
        self.assertEqual(rest('stream/startRecording', {})[0], 400)
        self.assertEqual(rest('stream/startRecording', {'mediaSessionId': 5})[0], 400)
        self.assertEqual(self.server.request('POST', '/rest-api/stream/startRecording', b'{"media')[0], 400)
        self.assertEqual(rest('recorder/startup', {'mediaSessionId': msid,
                                                   'config': {'rotation': 'soon'}})[0], 400)
        self.assertEqual(rest('recorder/startup', {'mediaSessionId': msid,
                                                   'config': {'rotation': 7}})[0], 400)

        # /recorder/startup with a template of its own; a second start stops the first file.
        status, _, _ = rest('recorder/startup', {'mediaSessionId': msid,
                                                 'config': {'fileTemplate': '{streamName}-a/../b'}})
        self.assertEqual(status, 200)
        status, running, _ = rest('recorder/find_all')
        first = running[0]['fileName']
        self.assertNotIn('/', first)
        self.assertTrue(first.startswith('cam-a'), first)
        time.sleep(3)
        status, _, _ = rest('recorder/startup', {'mediaSessionId': msid,
                                                 'config': {'fileTemplate': 'second-{streamName}'}})
        self.assertEqual(status, 200)
        self.wait_recordings(lambda r: r['fileName'] == first and r['state'] == 'FINISHED')
        status, running, _ = rest('recorder/find_all')
        self.assertEqual([r['fileName'] for r in running], ['second-cam.mp4'])
        # Never deleted while it is being written.
        self.assertEqual(rest('castbridge/recordings/delete', {'fileName': 'second-cam.mp4'})[0], 409)
        time.sleep(2)
        self.assertEqual(rest('recorder/terminate', {'mediaSessionId': msid})[0], 200)
        self.wait_recordings(lambda r: r['fileName'] == 'second-cam.mp4' and r['state'] == 'FINISHED')
        self.assertEqual(rest('recorder/find_all')[0], 404)
        # Deleting: a finished file goes; names that are not recordings do not.
        self.assertEqual(rest('castbridge/recordings/delete', {'fileName': '../media'})[0], 400)
        self.assertEqual(rest('castbridge/recordings/delete', {'fileName': 'missing.mp4'})[0], 404)
        self.assertEqual(rest('castbridge/recordings/delete', {'fileName': 'second-cam.mp4'})[0], 200)
        self.assertNotIn('second-cam.mp4', self.visible_files())


    def test_stop_at_once(self):
        """Started and stopped at once, many times: each either gives a file that decodes
        or leaves nothing; never a damaged file, never a server path in a reason."""
        self.publish('quick', media_file('loop.flv', 4), loop=True)
        msid = self.wait_publishing('quick')['mediaSessionId']
        for _ in range(5):
            self.assertEqual(self.server.rest('stream/startRecording', {'mediaSessionId': msid})[0], 200)
            self.assertEqual(self.server.rest('stream/stopRecording', {'mediaSessionId': msid})[0], 200)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if not any(r['state'] in ('RECORDING', 'FINISHING') for r in self.recordings()):
                break
            time.sleep(0.2)
        done = self.recordings()
        self.assertFalse(any(r['state'] in ('RECORDING', 'FINISHING') for r in done), done)
        for r in done:
            self.assertEqual(r['state'], 'FINISHED', r)
            self.assertNotIn(self.records, r.get('reason') or '')
            self.assertEqual(cbtest.decode_errors(os.path.join(self.records, r['fileName'])), '')
        self.assertEqual([f for f in self.visible_files() if 'damaged' in f], [])


class RecordAutoTest(RecordBase):
    """record_flash_published_streams: the recording starts with the stream."""

    def setUp(self):
        self.records = tempfile.mkdtemp(prefix='cb-records-')
        self.addCleanup(shutil.rmtree, self.records, True)
        self.hook_out = os.path.join(self.records, '.hook-out')
        hook = os.path.join(self.records, '.hook.sh')
        with open(hook, 'w') as f:
            f.write('#!/bin/sh\nprintf "%s|%s\\n" "$1" "$2" >> "$0-out"\n')
        os.chmod(hook, 0o755)
        self.hook_out = hook + '-out'
        self.server = self.start_server('-o', 'record_dir=' + self.records,
                                        '-o', 'record_flash_published_streams=true',
                                        '-o', 'stream_record_policy_template={streamName}-{startTimeMillis}',
                                        '-o', 'on_record_hook_script=' + hook)

    def test_whole_file_duration_and_hook(self):
        pub = self.publish('cam_one', media_file('six.flv', 6))
        self.wait_publishing('cam_one')
        self.assertEqual(pub.wait(30), 0)
        done = self.wait_recordings(lambda r: r['state'] == 'FINISHED')
        name = done[0]['fileName']
        self.assertTrue(name.startswith('cam_one-'), name)
        path = os.path.join(self.records, name)
        duration, codecs = probe(path)
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertAlmostEqual(duration, 6.0, delta=0.5)
        self.assertEqual(cbtest.decode_errors(path), '')
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not os.path.exists(self.hook_out):
            time.sleep(0.1)
        with open(self.hook_out) as f:
            self.assertEqual(f.read().strip(), f'cam_one|{path}')


    def test_resolution_change_keeps_one_file(self):
        # Two files of different sizes, one after the other in one RTMP publish: the new
        # parameter sets come in-band, as OBS sends them when its output size changes. The
        # recording goes on in the same file, and both sizes decode from it.
        listing = os.path.join(self.records, '.concat.txt')
        with open(listing, 'w') as f:
            f.write(f"file '{media_file('a640.flv', 4)}'\nfile '{media_file('b320.flv', 4, size='320x240')}'\n")
        p = subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-re', '-f', 'concat',
                            '-safe', '0', '-i', listing, '-c', 'copy', '-f', 'flv',
                            f'rtmp://127.0.0.1:{self.server.rtmp_port}/live/sizes'],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr + self.server.logs())
        done = self.wait_recordings(lambda r: r['streamName'] == 'sizes' and r['state'] == 'FINISHED')
        time.sleep(1)
        self.assertEqual(len([r for r in self.recordings() if r['streamName'] == 'sizes']), 1)
        path = os.path.join(self.records, done[0]['fileName'])
        duration, codecs = probe(path)
        self.assertAlmostEqual(duration, 8, delta=0.6)
        out = subprocess.run(['ffprobe', '-v', 'quiet', '-select_streams', 'v', '-show_entries',
                              'frame=width,height', '-of', 'csv=p=0', path],
                             capture_output=True, text=True, timeout=60)
        sizes = [line.strip().rstrip(',') for line in out.stdout.splitlines() if line.strip()]
        # Each part's 120 frames, less at most a few at the switch.
        self.assertGreaterEqual(sizes.count('640,360'), 114, sizes[:5])
        self.assertGreaterEqual(sizes.count('320,240'), 114, sizes[-5:])

    def test_audio_only(self):
        path = os.path.join(_media or tempfile.gettempdir(), 'audio-only.flv')
        subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
                        '-i', 'sine=frequency=440:sample_rate=44100', '-t', '5', '-c:a', 'aac',
                        '-f', 'flv', path], check=True, timeout=60)
        pub = self.publish('radio', path)
        self.assertEqual(pub.wait(30), 0)
        done = self.wait_recordings(lambda r: r['streamName'] == 'radio' and r['state'] == 'FINISHED')
        file = os.path.join(self.records, done[0]['fileName'])
        self.assertTrue(file.endswith('.mp4'))
        duration, codecs = probe(file)
        self.assertEqual(codecs, {'audio': 'aac'})
        self.assertGreater(duration, 2.5)
        self.assertEqual(cbtest.decode_errors(file), '')


class RecordRetentionTest(RecordBase):
    """record_max_age_days: finished recordings older than that go; others stay."""

    def setUp(self):
        self.records = tempfile.mkdtemp(prefix='cb-records-')
        self.addCleanup(shutil.rmtree, self.records, True)
        old = time.time() - 3 * 24 * 3600
        for name in ('old-1.mp4', 'old-2.webm', 'new.mp4', 'notes.txt', '.castbridge-old.mp4'):
            with open(os.path.join(self.records, name), 'wb') as f:
                f.write(b'\0' * 1000)
            if name != 'new.mp4':
                os.utime(os.path.join(self.records, name), (old, old))
        self.server = self.start_server('-o', 'record_dir=' + self.records,
                                        '-o', 'record_max_age_days=1')

    def test_old_recordings_go(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and os.path.exists(os.path.join(self.records, 'old-1.mp4')):
            time.sleep(0.2)
        left = sorted(os.listdir(self.records))
        self.assertNotIn('old-1.mp4', left)
        self.assertNotIn('old-2.webm', left)
        self.assertIn('new.mp4', left)
        self.assertIn('notes.txt', left)       # not a recording
        self.assertIn('Retention: deleted the old recording old-1.mp4', self.server.logs())
        # The hidden leftover of a crash could not be repaired (it holds zeros): kept aside
        # under a clear name, old as it is, and never swept.
        deadline = time.monotonic() + 20
        damaged = []
        while time.monotonic() < deadline and not damaged:
            damaged = [f for f in os.listdir(self.records) if '.damaged' in f]
            time.sleep(0.2)
        self.assertEqual(len(damaged), 1, os.listdir(self.records))
        time.sleep(1)
        self.assertTrue(os.path.exists(os.path.join(self.records, damaged[0])))


class RecordCrashTest(RecordBase):
    """kill -9 while recording: the next start repairs the file, losing about a second."""

    def test_kill_and_recover(self):
        self.publish('cam', media_file('loop.flv', 4), loop=True)
        msid = self.wait_publishing('cam')['mediaSessionId']
        self.assertEqual(self.server.rest('stream/startRecording', {'mediaSessionId': msid})[0], 200)
        self.server.wait_for_stream(lambda s: s['record'], {'mediaSessionId': msid})
        started = time.monotonic()
        time.sleep(10)
        written = time.monotonic() - started
        self.assertIsNone(self.server.proc.poll(), self.server.logs())
        self.server.kill()
        temps = [f for f in os.listdir(self.records) if f.endswith('.mp4')]
        self.assertEqual(len(temps), 1, f'{temps}\n{self.server.logs()}')
        self.assertTrue(temps[0].startswith('.'), temps)

        again = self.start_server('-o', 'record_dir=' + self.records)
        found = self.wait_recordings(lambda r: r['state'] == 'RECOVERED', server=again)
        self.assertGreaterEqual(found[0]['recoveredSeconds'], written - 1.6)
        path = os.path.join(self.records, found[0]['fileName'])
        duration, codecs = probe(path)
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertGreaterEqual(duration, written - 1.6)
        self.assertEqual(cbtest.decode_errors(path), '')
        boxes = top_boxes(path)
        self.assertLess(boxes.index('moov'), boxes.index('mdat'), boxes)
        self.assertEqual([f for f in os.listdir(self.records) if f.startswith('.castbridge-')], [])
        self.assertIn('Recovered an interrupted recording', again.logs())


@unittest.skipUnless(os.geteuid() == 0 and shutil.which('mount'), 'mounting a tmpfs needs root')
class RecordDiskFullTest(RecordBase):
    """A small filesystem: the recording stops cleanly, the stream and its players go on."""

    def setUp(self):
        self.records = tempfile.mkdtemp(prefix='cb-records-small-')
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', self.records],
                           capture_output=True)
        if r.returncode != 0:
            os.rmdir(self.records)
            self.skipTest('cannot mount a tmpfs here: ' + r.stderr.decode(errors='replace'))
        self.addCleanup(shutil.rmtree, self.records, True)
        self.addCleanup(subprocess.run, ['umount', '-l', self.records])
        self.server = self.start_server('-o', 'record_dir=' + self.records,
                                        '-o', 'record_min_free_space=2')

    def test_floor_stops_recording_not_stream(self):
        self.publish('big', media_file('big.flv', 6, bitrate='3M'), loop=True)
        msid = self.wait_publishing('big')['mediaSessionId']
        self.assertEqual(self.server.rest('stream/startRecording', {'mediaSessionId': msid})[0], 200)
        done = self.wait_recordings(lambda r: r['state'] in ('FINISHED', 'FAILED'), timeout=60)
        self.assertIn('disk', done[0]['reason'])
        stream = self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING',
                                             {'mediaSessionId': msid})
        self.assertFalse(stream['record'])
        path = os.path.join(self.records, done[0]['fileName'])
        duration, codecs = probe(path)
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertGreater(duration, 1)
        self.assertEqual(cbtest.decode_errors(path), '')
        # Below the floor, no new recording starts.
        status, answer, _ = self.server.rest('stream/startRecording', {'mediaSessionId': msid})
        self.assertEqual(status, 500)
        self.assertIn('free space', answer['error'])


def _slowfs_missing():
    if os.geteuid() != 0 or not os.path.exists('/dev/fuse'):
        return 'a FUSE mount needs root and /dev/fuse'
    r = subprocess.run(['/usr/bin/python3', '-c', 'import fuse'], capture_output=True)
    return None if r.returncode == 0 else "Debian's python3-fuse is missing"


@unittest.skipIf(_slowfs_missing(), _slowfs_missing() or '')
class RecordSlowDiskTest(RecordBase):
    """A disk slower than the stream (a FUSE file system that takes a second per write):
    the recording stops with a reason after record_max_lag seconds behind, keeps what was
    written, and the stream and its players go on."""

    def setUp(self):
        backing = tempfile.mkdtemp(prefix='cb-slow-backing-')
        self.addCleanup(shutil.rmtree, backing, True)
        self.records = tempfile.mkdtemp(prefix='cb-records-slow-')
        self.addCleanup(shutil.rmtree, self.records, True)
        here = os.path.dirname(os.path.abspath(__file__))
        self.fs = subprocess.Popen(['/usr/bin/python3', os.path.join(here, 'slowfs.py'),
                                    backing, self.records, '1.0'],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self._unmount)
        deadline = time.monotonic() + 10
        while not os.path.ismount(self.records):
            if self.fs.poll() is not None or time.monotonic() > deadline:
                self.skipTest('cannot mount the slow file system: '
                              + self.fs.stderr.read().decode(errors='replace'))
            time.sleep(0.1)
        self.server = self.start_server('-o', 'record_dir=' + self.records,
                                        '-o', 'record_max_lag=3', '-o', 'record_min_free_space=1')

    def _unmount(self):
        subprocess.run(['umount', '-l', self.records], capture_output=True)
        try:
            self.fs.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.fs.kill()
            self.fs.wait()
        self.fs.stderr.close()

    def test_slow_disk_stops_recording_not_stream(self):
        self.publish('slow', media_file('slow.flv', 6, bitrate='2M'), loop=True)
        msid = self.wait_publishing('slow')['mediaSessionId']
        player = subprocess.Popen(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-i',
                                   f'rtmp://127.0.0.1:{self.server.rtmp_port}/live/slow',
                                   '-t', '25', '-c', 'copy', '-f', 'null', '-'],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.addCleanup(lambda: player.poll() is None and player.kill())
        started = time.monotonic()
        self.assertEqual(self.server.rest('stream/startRecording', {'mediaSessionId': msid})[0], 200)
        # Without record_max_lag the 64 MB queue would take minutes to fill.
        stopped = self.wait_recordings(lambda r: 'keep up' in (r.get('reason') or ''), timeout=90)
        behind = time.monotonic() - started
        self.assertLess(behind, 75, f'stopped after {behind:.1f} s')
        # The stream never waited for the disk: still publishing, not recording, and its
        # RTMP player got the whole 25 s.
        stream = self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING',
                                             {'mediaSessionId': msid})
        self.assertFalse(stream['record'])
        self.assertEqual(player.wait(timeout=60), 0, player.stderr.read().decode(errors='replace'))
        player.stderr.close()
        # What reached the disk is kept, finished and decodable.
        done = self.wait_recordings(lambda r: r['state'] in ('FINISHED', 'FAILED'), timeout=120)
        self.assertEqual(done[0]['state'], 'FINISHED', done)
        self.assertEqual(done[0]['fileName'], stopped[0]['fileName'])
        path = os.path.join(self.records, done[0]['fileName'])
        duration, codecs = probe(path)
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertGreater(duration, 0.5)
        self.assertEqual(cbtest.decode_errors(path), '')


class RecordRotationTest(RecordBase):
    server_args = ('-o', 'record_flash_published_streams=true', '-o', 'record_rotation=10',
                   '-o', 'stream_record_policy_template=rot-{streamName}')

    def test_rotation(self):
        pub = self.publish('cam', media_file('loop.flv', 4), loop=True)
        self.wait_publishing('cam')
        time.sleep(25)
        pub.cleanup()
        done = self.wait_recordings(lambda r: r['state'] == 'FINISHED', count=3, timeout=30)
        names = sorted(r['fileName'] for r in done)
        self.assertEqual(names, ['rot-cam-1.mp4', 'rot-cam-2.mp4', 'rot-cam.mp4'])
        total = 0
        for name in names:
            duration, codecs = probe(os.path.join(self.records, name))
            self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
            total += duration
        self.assertAlmostEqual(probe(os.path.join(self.records, 'rot-cam-1.mp4'))[0], 10, delta=1.1)
        self.assertAlmostEqual(total, 25, delta=2.5)



class RecordStreamsTest(RecordBase):
    """record_streams: every published stream records, with no other setting or request."""

    server_args = ('-o', 'record_streams=true', '-o', 'stream_record_policy_template={streamName}')

    def test_record_streams(self):
        src = self.publish('src', media_file('loop.flv', 4), loop=True)
        self.wait_publishing('src')
        self.wait_recordings(lambda r: r['streamName'] == 'src' and r['state'] == 'RECORDING')
        time.sleep(2)
        src.cleanup()
        self.wait_recordings(lambda r: r['fileName'] == 'src.mp4' and r['state'] == 'FINISHED')
        self.assertEqual(cbtest.decode_errors(os.path.join(self.records, 'src.mp4')), '')


class RecordRemuxCrashTest(RecordBase):
    """The remux runs in a child process: a child that crashes (twice, here) leaves the
    server and its streams standing, and the recording is kept as the fragmented MP4 it
    was written as, which plays."""

    server_args = ('-o', 'record_streams=true', '-o', 'stream_record_policy_template={streamName}')

    def setUp(self):
        os.environ['CB_TEST_REMUX_CRASH'] = '1'
        try:
            super().setUp()
        finally:
            del os.environ['CB_TEST_REMUX_CRASH']

    def test_crashed_remux(self):
        src = self.publish('src', media_file('loop.flv', 4), loop=True)
        self.wait_publishing('src')
        other = self.publish('other', media_file('loop.flv', 4), loop=True)
        self.wait_publishing('other')
        time.sleep(2)
        src.cleanup()
        done = self.wait_recordings(lambda r: r['fileName'] == 'src.mp4' and r['state'] == 'FINISHED')
        self.assertGreater(done[0]['duration'], 1.5)
        path = os.path.join(self.records, 'src.mp4')
        self.assertIn('moof', top_boxes(path))
        self.assertEqual(probe(path)[1], {'video': 'h264', 'audio': 'aac'})
        self.assertEqual(cbtest.decode_errors(path), '')
        logs = self.server.logs()
        self.assertEqual(logs.count('The remuxer of'), 2, logs)
        self.assertIn('crashed (signal 11)', logs)
        # Still serving: the other stream publishes on.
        self.assertIsNone(self.server.proc.poll())
        streams = self.server.rest('stream/find_all')[1]
        self.assertIn('other', [s['name'] for s in streams])
        other.cleanup()


class RecordPullTest(RecordBase):
    """record: true in /pull/rtmp/pull records the pulled stream (and only that one)."""

    server_args = ('-o', 'stream_record_policy_template={streamName}',)

    def test_pull_record(self):
        src = self.publish('src', media_file('loop.flv', 4), loop=True)
        self.wait_publishing('src')
        # A pull of that stream from this server's own RTMP endpoint, with record: true.
        uri = f'rtmp://127.0.0.1:{self.server.rtmp_port}/live/src'
        status, answer, _ = self.server.rest('pull/rtmp/pull', {'uri': uri, 'localStreamName': 'pulled',
                                                                'record': True})
        self.assertEqual(status, 200, answer)
        status, pulls, _ = self.server.rest('pull/rtmp/find_all')
        self.assertIs(pulls[0]['record'], True)
        pulled = self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING' and s['record'],
                                             {'name': 'pulled'})
        self.assertEqual(pulled['recordName'], 'pulled.mp4')
        time.sleep(4)
        self.assertEqual(self.server.rest('pull/rtmp/terminate', {'uri': uri})[0], 200)
        done = self.wait_recordings(lambda r: r['fileName'] == 'pulled.mp4' and r['state'] == 'FINISHED')
        self.assertGreater(done[0]['duration'], 2.5)
        duration, codecs = probe(os.path.join(self.records, 'pulled.mp4'))
        self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
        self.assertEqual(cbtest.decode_errors(os.path.join(self.records, 'pulled.mp4')), '')
        src.cleanup()
        self.assertEqual([r['streamName'] for r in self.recordings()], ['pulled'])


class RecordRotationSizeTest(RecordBase):
    """record_rotation in megabytes: a new part every megabyte, numbered from 1."""

    server_args = ('-o', 'record_flash_published_streams=true', '-o', 'record_rotation=1M',
                   '-o', 'stream_record_policy_template=size-{streamName}')

    def test_rotation_by_size(self):
        # 2 Mbit/s for 8 s: about 2 MB, so three parts of at most 1 MB (the last one smaller).
        pub = self.publish('cam', media_file('two-mbit.flv', 8, bitrate='2M'))
        self.assertEqual(pub.wait(40), 0)
        done = self.wait_recordings(lambda r: r['state'] == 'FINISHED', count=2, timeout=30)
        time.sleep(1)
        names = sorted(r['fileName'] for r in self.recordings() if r['state'] == 'FINISHED')
        self.assertGreaterEqual(len(names), 2, names)
        self.assertIn('size-cam-1.mp4', names)
        self.assertIn('size-cam.mp4', names)            # the last part is not numbered
        total = 0
        for name in names:
            path = os.path.join(self.records, name)
            size = os.path.getsize(path)
            # A part ends at the keyframe after its megabyte: at most a GOP (1 s) more.
            self.assertLess(size, 1024 * 1024 + 400 * 1024, (name, size))
            duration, codecs = probe(path)
            self.assertEqual(codecs, {'video': 'h264', 'audio': 'aac'})
            total += duration
        for name in names[:-1]:
            if name != 'size-cam.mp4':
                self.assertGreater(os.path.getsize(os.path.join(self.records, name)), 600 * 1024, name)
        self.assertAlmostEqual(total, 8, delta=1.5)


class RecordRetentionSizeTest(RecordBase):
    """record_max_total_size: the oldest finished recordings go until the rest fit; a
    running recording's file and files that are not recordings are never touched."""

    def setUp(self):
        self.records = tempfile.mkdtemp(prefix='cb-records-')
        self.addCleanup(shutil.rmtree, self.records, True)
        now = time.time()
        for age, name in ((3, 'a-oldest.mp4'), (2, 'b-older.webm'), (1, 'c-newer.mp4'),
                          (4, 'notes.txt')):
            path = os.path.join(self.records, name)
            with open(path, 'wb') as f:
                f.write(b'\0' * (400 * 1024))
            os.utime(path, (now - age * 3600, now - age * 3600))
        self.server = self.start_server('-o', 'record_dir=' + self.records,
                                        '-o', 'record_max_total_size=1')

    def test_oldest_go_first(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and os.path.exists(os.path.join(self.records, 'a-oldest.mp4')):
            time.sleep(0.2)
        time.sleep(1)
        left = sorted(os.listdir(self.records))
        # 1.2 MB of recordings, 1 MB allowed: only the oldest goes.
        self.assertNotIn('a-oldest.mp4', left)
        self.assertIn('b-older.webm', left)
        self.assertIn('c-newer.mp4', left)
        self.assertIn('notes.txt', left)
        self.assertIn('Retention: deleted the old recording a-oldest.mp4', self.server.logs())

if __name__ == '__main__':
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
