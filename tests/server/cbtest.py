# cbtest.py — helpers for the server tests: run the real castbridge-server, talk to it
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Python 3 standard library only. Everything stays on loopback (or a private network
# namespace) with ephemeral ports.

import atexit
import base64
import glob
import re
import resource
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

# Slower builds (the sanitizers' run) scale the waits for media: CB_TEST_TIMEOUT_SCALE=3.
TIMEOUT_SCALE = float(os.environ.get('CB_TEST_TIMEOUT_SCALE', '1') or 1)


START_TIMEOUT = float(os.environ.get('CB_TEST_START_TIMEOUT', '20'))
STOP_TIMEOUT = 10


_live_servers = set()


@atexit.register
def _kill_live_servers():
    # Runs also when the test runner is interrupted (SIGTERM from a meson timeout).
    for server in list(_live_servers):
        server.cleanup()


def decode_errors(path):
    """What ffmpeg says when it decodes the whole file (empty: it decodes to the end).
    -enc_time_base -1 keeps each frame's time from the file: ffmpeg would otherwise round
    it to its guess of the frame rate, and RTMP's millisecond times (33, 33, 34 ms apart)
    then collide when it guesses 29.92 or 29.97 fps ("non monotonically increasing dts
    to muxer"), in a file whose times all increase."""
    out = subprocess.run(['ffmpeg', '-hide_banner', '-v', 'error', '-i', path,
                          '-enc_time_base', '-1', '-f', 'null', '-'],
                         capture_output=True, text=True, timeout=300)
    return out.stderr.strip() if out.returncode == 0 else (out.stderr.strip() or 'failed')


def _allow_core_dump():
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass


def _frame_offsets(text):
    """The crashing thread's frames as "#N library+0xOFFSET function", from gdb's output of
    "info proc mappings" and "bt": Debian's libraries have no symbols for their static
    functions, and an offset in the library's file can be looked up in its disassembly on
    any machine with the same package."""
    maps = []
    for line in text.splitlines():
        m = re.match(r'\s*0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(/\S+)', line)
        if m:
            maps.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16), m.group(4)))
    crashed = text.split('---- the thread that crashed ----')[-1]
    out = []
    for line in crashed.splitlines():
        m = re.match(r'#(\d+)\s+(?:0x([0-9a-f]+) in )?\s*(\S*)', line)
        if not m:
            continue
        where = ''
        if m.group(2):
            address = int(m.group(2), 16)
            for start, end, offset, path in maps:
                if start <= address < end:
                    where = f'{os.path.basename(path)}+{address - start + offset:#x}'
                    break
        out.append(f'#{m.group(1)} {where} {m.group(3)}'.rstrip())
    return out


def crash_backtrace(binary, folder):
    """Every thread's stack from a core file in @folder (gdb), or why there is none. The
    thread that crashed comes last, then its frames as library offsets, so that the end
    of a long log shows them."""
    cores = sorted(glob.glob(os.path.join(folder, 'core*')), key=os.path.getmtime)
    if not cores:
        try:
            with open('/proc/sys/kernel/core_pattern') as f:
                pattern = f.read().strip()
        except OSError:
            pattern = '?'
        return f'(no core file in {folder}; kernel.core_pattern is {pattern!r})'
    gdb = shutil.which('gdb')
    if gdb is None:
        return f'(a core file is in {cores[-1]}; gdb is not installed)'
    try:
        result = subprocess.run([gdb, '-batch', '-nx', '-ex', 'set pagination off',
                                 '-ex', 'info proc mappings',
                                 '-ex', 'echo \\n---- every thread ----\\n',
                                 '-ex', 'thread apply all bt 30',
                                 '-ex', 'echo \\n---- the thread that crashed ----\\n', '-ex', 'bt 40',
                                 binary, cores[-1]],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=120, text=True,
                                errors='replace')
        text = result.stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return f'gdb failed: {e}'
    offsets = _frame_offsets(text)
    text = text.split('---- every thread ----')[-1]
    if len(text) > 40000:
        text = text[:15000] + '\n[…]\n' + text[-25000:]
    return ('---- backtrace from the core file ----' + text +
            '\n---- the thread that crashed, as library offsets ----\n' + '\n'.join(offsets))


class ServerProcess:
    """castbridge-server with ephemeral ports, a private media folder and logs in a file.

    It listens on loopback (so its WebRTC candidates are there too) unless told @bind.
    @prefix runs it through a command (a NetnsHost's command()); @host is where requests
    go (a namespace's address)."""

    def __init__(self, *extra_args, bind='127.0.0.1', prefix=(), host='127.0.0.1'):
        binary = os.environ.get('CB_SERVER_BINARY')
        if not binary:
            raise RuntimeError('CB_SERVER_BINARY is not set')
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix='cb-server-test-')
        self.media_dir = os.path.join(self.tmp, 'media')
        os.mkdir(self.media_dir)
        self.stdout_path = os.path.join(self.tmp, 'stdout')
        self.stderr_path = os.path.join(self.tmp, 'stderr')
        self.host = host
        args = list(prefix) + [binary, '--http-port', '0', '--ws-port', '0', '--rtmp-port', '0',
                               '--media-dir', self.media_dir]
        if bind is not None:
            args += ['--bind', bind]
        args += list(extra_args)
        env = dict(os.environ)
        env.setdefault('G_MESSAGES_DEBUG', 'cb-server')
        # A critical is a programmer error: make it crash the server and fail the test.
        env.setdefault('G_DEBUG', 'fatal-criticals')
        self._stdout = open(self.stdout_path, 'w')
        self._stderr = open(self.stderr_path, 'w')
        try:
            # Core files land in the private folder (when the kernel writes them to the
            # working directory), for the backtrace that logs() adds after a crash.
            self.proc = subprocess.Popen(args, stdout=self._stdout, stderr=self._stderr,
                                         stdin=subprocess.DEVNULL, env=env, cwd=self.tmp,
                                         preexec_fn=_allow_core_dump)
        except OSError:
            self._close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        _live_servers.add(self)
        self.http_port = self.ws_port = self.rtmp_port = None
        try:
            self._wait_listening()
        except Exception:
            self.kill()
            raise

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with open(self.stdout_path) as f:
                for line in f:
                    if line.startswith('listening '):
                        fields = dict(kv.split('=', 1) for kv in line.split()[1:])
                        self.http_port = int(fields['http'])
                        self.ws_port = int(fields['ws'])
                        self.rtmp_port = int(fields.get('rtmp', 0))
                        return
            if self.proc.poll() is not None:
                raise RuntimeError('castbridge-server exited with %d before listening:\n%s'
                                   % (self.proc.returncode, self.logs()))
            time.sleep(0.05)
        raise RuntimeError('castbridge-server did not print its ports:\n' + self.logs())

    def logs(self):
        out = []
        for path in (self.stdout_path, self.stderr_path):
            try:
                with open(path, errors='replace') as f:
                    out.append(f.read()[-20000:])
            except OSError:
                pass
        if self.proc.poll() is not None and self.proc.returncode < 0:
            out.append(crash_backtrace(self.binary, self.tmp))
        return '\n'.join(out)

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self._close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        for f in (self._stdout, self._stderr):
            if not f.closed:
                f.close()

    def cleanup(self):
        # SIGTERM first: a clean exit runs the sanitizer build's leak check.
        self.stop()
        self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)
        _live_servers.discard(self)

    # ---- HTTP --------------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, host=None, chunks=None):
        """Returns (status, headers (lower-case names), raw body bytes)."""
        conn = http.client.HTTPConnection(host or self.host, self.http_port, timeout=15)
        try:
            hdrs = dict(headers or {})
            if chunks is not None:
                hdrs['Transfer-Encoding'] = 'chunked'
                conn.request(method, path, body=iter(chunks), headers=hdrs,
                             encode_chunked=True)
            else:
                if body is None:
                    data = None
                elif isinstance(body, (bytes, bytearray)):
                    data = bytes(body)
                else:
                    data = json.dumps(body).encode()
                if method == 'POST' and data is None:
                    data = b''
                if data is not None:
                    hdrs.setdefault('Content-Type', 'application/json')
                conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
        finally:
            conn.close()

    def rest(self, path, body=None, **kwargs):
        """POST /rest-api/<path>; returns (status, parsed JSON or None, headers)."""
        status, headers, raw = self.request('POST', '/rest-api/' + path, body, **kwargs)
        return status, (json.loads(raw) if raw else None), headers

    def wait_for_stream(self, predicate, body, timeout=30):
        """Polls /stream/find with @body until one stream satisfies @predicate."""
        timeout *= TIMEOUT_SCALE
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            status, answer, _ = self.rest('stream/find', body)
            last = (status, answer)
            if status == 200:
                for stream in answer:
                    if predicate(stream):
                        return stream
            time.sleep(0.2)
        raise AssertionError('no stream matched in %ds; last answer %r\n%s'
                             % (timeout, last, self.logs()))


# ---- a minimal WebSocket client ----------------------------------------------------------

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class WebSocketClient:
    def __init__(self, port, path='/', host='127.0.0.1', timeout=10, ssl_context=None,
                 origin=None, headers=None):
        """@origin: the Origin a browser page would send (None: none, as a script sends);
        @headers: more handshake headers (a 'Host' replaces the default one)."""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if ssl_context is not None:
            self.sock = ssl_context.wrap_socket(self.sock, server_hostname='localhost')
        key = base64.b64encode(os.urandom(16)).decode()
        extra = dict(headers or {})
        if origin is not None:
            extra['Origin'] = origin
        extra.setdefault('Host', '%s:%d' % (host, port))
        request = ('GET %s HTTP/1.1\r\nUpgrade: websocket\r\n'
                   'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                   'Sec-WebSocket-Version: 13\r\n%s\r\n'
                   % (path, key, ''.join('%s: %s\r\n' % kv for kv in extra.items())))
        self.sock.sendall(request.encode())
        self.buf = b''
        while b'\r\n\r\n' not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError('closed during the handshake')
            self.buf += data
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        self.status_line = lines[0]
        if ' 101 ' not in lines[0] + ' ':
            raise ConnectionError('handshake refused: ' + lines[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get('sec-websocket-accept') != expected:
            raise ConnectionError('bad Sec-WebSocket-Accept')

    def _recv_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError('connection closed')
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack('!H', n)
        else:
            header += bytes([0x80 | 127]) + struct.pack('!Q', n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send_json(self, message, *data):
        self.send_text(json.dumps({'message': message, 'data': list(data)}))

    def recv_frame(self):
        """Returns (opcode, payload); answers WebSocket-level pings itself."""
        while True:
            b0, b1 = self._recv_exact(2)
            opcode = b0 & 0x0f
            n = b1 & 0x7f
            if n == 126:
                n = struct.unpack('!H', self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack('!Q', self._recv_exact(8))[0]
            mask = self._recv_exact(4) if b1 & 0x80 else None
            payload = self._recv_exact(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            return opcode, payload

    def recv_json(self):
        """The next text message as a dict; raises ConnectionError on a close frame."""
        opcode, payload = self.recv_frame()
        if opcode == 0x8:
            raise ConnectionError('closed by the server: %r' % payload)
        return json.loads(payload.decode())

    def recv_message(self, name, skip=('ping',)):
        while True:
            msg = self.recv_json()
            if msg.get('message') == name:
                return msg
            if msg.get('message') not in skip:
                raise AssertionError('expected %s, got %r' % (name, msg))

    def close(self):
        try:
            self.send_frame(0x8, struct.pack('!H', 1000))
        except OSError:
            pass
        self.sock.close()


# ---- another machine: a network namespace ---------------------------------------------

def _run(*cmd, check=True):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


class NetnsHost:
    """A test host: a network namespace joined to this machine by a veth pair.

    This side is `host_ip`, the namespace is `ns_ip` (a private /30 that only exists
    between the two). Network namespaces are Linux's: raises unittest.SkipTest, saying
    why, on another system, when not root, or when `ip` cannot make one (a container
    without the capability).
    """

    _count = 0

    def __init__(self):
        if not sys.platform.startswith('linux'):
            raise unittest.SkipTest('needs Linux network namespaces (ip netns); this is %s'
                                    % sys.platform)
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root for ip netns')
        if shutil.which('ip') is None:
            raise unittest.SkipTest('needs the ip command (iproute2) for ip netns')
        NetnsHost.remove_stale()
        NetnsHost._count += 1
        pid, n = os.getpid(), NetnsHost._count
        self.ns = 'cbtest-%d-%d' % (pid, n)
        self.host_if = 'cbh%d-%d' % (pid % 100000, n)
        self.ns_if = 'cbn%d-%d' % (pid % 100000, n)
        block = (pid * 8 + n) % 16384
        base = '10.203.%d.%d' % (block // 64, (block % 64) * 4)
        prefix = base.rsplit('.', 1)[0]
        last = int(base.rsplit('.', 1)[1])
        self.host_ip = '%s.%d' % (prefix, last + 1)
        self.ns_ip = '%s.%d' % (prefix, last + 2)
        steps = [
            ('ip', 'netns', 'add', self.ns),
            ('ip', 'link', 'add', self.host_if, 'type', 'veth', 'peer', 'name', self.ns_if),
            ('ip', 'link', 'set', self.ns_if, 'netns', self.ns),
            ('ip', 'addr', 'add', self.host_ip + '/30', 'dev', self.host_if),
            ('ip', 'link', 'set', self.host_if, 'up'),
            ('ip', 'netns', 'exec', self.ns, 'ip', 'addr', 'add', self.ns_ip + '/30',
             'dev', self.ns_if),
            ('ip', 'netns', 'exec', self.ns, 'ip', 'link', 'set', self.ns_if, 'up'),
            ('ip', 'netns', 'exec', self.ns, 'ip', 'link', 'set', 'lo', 'up'),
        ]
        atexit.register(self.cleanup)   # also on SIGTERM: the test mains exit on it
        for step in steps:
            result = _run(*step, check=False)
            if result.returncode != 0:
                self.cleanup()
                raise unittest.SkipTest('cannot set up a network namespace (%s): %s'
                                        % (' '.join(step), result.stderr.strip()))

    def command(self, *cmd):
        """The argv that runs @cmd inside the namespace."""
        return ['ip', 'netns', 'exec', self.ns] + list(cmd)

    def link(self, up):
        """Plugs or unplugs the namespace's cable."""
        _run(*self.command('ip', 'link', 'set', self.ns_if, 'up' if up else 'down'))

    def cleanup(self):
        _run('ip', 'link', 'del', self.host_if, check=False)
        _run('ip', 'netns', 'del', self.ns, check=False)

    @staticmethod
    def remove_stale():
        """Namespaces left by an earlier run that was killed before it could clean up."""
        result = _run('ip', 'netns', 'list', check=False)
        for match in re.finditer(r'^cbtest-(\d+)(?:-(\d+))?\b', result.stdout, re.M):
            pid = int(match.group(1))
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                n = match.group(2)
                if n is not None:
                    _run('ip', 'link', 'del', 'cbh%d-%s' % (pid % 100000, n), check=False)
                else:
                    _run('ip', 'link', 'del', 'cbh%d' % (pid % 1000000), check=False)
                _run('ip', 'netns', 'del', match.group(0), check=False)
            except PermissionError:
                pass
