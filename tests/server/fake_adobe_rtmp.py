# fake_adobe_rtmp.py — a small RTMP server that asks for Adobe-style authentication
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Just enough RTMP to check that a publisher answers the challenge as FMLE, FFmpeg and OBS
# do: the first connect (authmod=adobe&user=U) is refused with reason=needauth and a
# salt/challenge/opaque; the next connect must carry response =
# base64(md5(base64(md5(U + salt + password)) + opaque + client challenge)).

import base64
import hashlib
import os
import socket
import struct
import threading


def amf_string(s):
    b = s.encode()
    return b'\x02' + struct.pack('>H', len(b)) + b


def amf_number(n):
    return b'\x00' + struct.pack('>d', n)


def amf_object(d):
    out = b'\x03'
    for k, v in d.items():
        kb = k.encode()
        out += struct.pack('>H', len(kb)) + kb + (amf_string(v) if isinstance(v, str) else amf_number(v))
    return out + b'\x00\x00\x09'


def amf_decode(data, pos):
    t = data[pos]
    pos += 1
    if t == 0:
        return struct.unpack('>d', data[pos:pos + 8])[0], pos + 8
    if t == 1:
        return bool(data[pos]), pos + 1
    if t == 2:
        n = struct.unpack('>H', data[pos:pos + 2])[0]
        return data[pos + 2:pos + 2 + n].decode(errors='replace'), pos + 2 + n
    if t == 5:
        return None, pos
    if t in (3, 8):
        if t == 8:
            pos += 4
        obj = {}
        while True:
            n = struct.unpack('>H', data[pos:pos + 2])[0]
            pos += 2
            if n == 0 and data[pos] == 9:
                return obj, pos + 1
            key = data[pos:pos + n].decode(errors='replace')
            obj[key], pos = amf_decode(data, pos + n)
    raise ValueError('AMF0 type %d' % t)


def b64md5(text):
    return base64.b64encode(hashlib.md5(text.encode()).digest()).decode()


class FakeAdobeRtmp:
    SALT, CHALLENGE, OPAQUE = 'c2FsdA', 'Y2hhbGw', 'b3BhcXVl'

    def __init__(self, user, password):
        self.user, self.password = user, password
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.events = []          # what happened, for the test to read
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.running = False
        self.sock.close()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _recv(self, conn, n):
        buf = b''
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError
            buf += chunk
        return buf

    def _send(self, conn, csid, type_id, stream_id, payload):
        # One chunk per message: our chunk size is announced as large first.
        conn.sendall(bytes([csid]) + struct.pack('>I', 0)[1:] + struct.pack('>I', len(payload))[1:]
                     + bytes([type_id]) + struct.pack('<I', stream_id) + payload)

    def _read_message(self, conn, state):
        b0 = self._recv(conn, 1)[0]
        fmt, csid = b0 >> 6, b0 & 0x3f
        if csid == 0:
            csid = 64 + self._recv(conn, 1)[0]
        elif csid == 1:
            x = self._recv(conn, 2)
            csid = 64 + x[0] + x[1] * 256
        prev = state.setdefault(csid, {'len': 0, 'type': 0, 'sid': 0, 'buf': b''})
        if fmt <= 2:
            ts = self._recv(conn, 3)
        if fmt <= 1:
            h = self._recv(conn, 4)
            prev['len'] = int.from_bytes(h[:3], 'big')
            prev['type'] = h[3]
        if fmt == 0:
            prev['sid'] = struct.unpack('<I', self._recv(conn, 4))[0]
        if fmt <= 2 and ts == b'\xff\xff\xff':
            self._recv(conn, 4)
        want = min(state['chunk'], prev['len'] - len(prev['buf']))
        prev['buf'] += self._recv(conn, want)
        if len(prev['buf']) < prev['len']:
            return None
        msg = (prev['type'], prev['sid'], prev['buf'])
        prev['buf'] = b''
        if msg[0] == 1:
            state['chunk'] = struct.unpack('>I', msg[2])[0] & 0x7fffffff
        return msg

    def _serve(self, conn):
        conn.settimeout(15)
        try:
            c0c1 = self._recv(conn, 1537)
            conn.sendall(b'\x03' + os.urandom(1536) + c0c1[1:])
            self._recv(conn, 1536)
            self._send(conn, 2, 1, 0, struct.pack('>I', 60000))   # our chunk size
            state = {'chunk': 128}
            while True:
                msg = self._read_message(conn, state)
                if msg is None or msg[0] != 20:
                    continue
                name, pos = amf_decode(msg[2], 0)
                txn, pos = amf_decode(msg[2], pos)
                if name == 'connect':
                    cmd, pos = amf_decode(msg[2], pos)
                    if not self._connect(conn, txn, cmd.get('app', '')):
                        return
                elif name == 'createStream':
                    self._send(conn, 3, 20, 0, amf_string('_result') + amf_number(txn) + b'\x05' + amf_number(1))
                elif name == 'publish':
                    self.events.append('publish')
                    self._send(conn, 5, 20, 1, amf_string('onStatus') + amf_number(0) + b'\x05' +
                               amf_object({'level': 'status', 'code': 'NetStream.Publish.Start',
                                           'description': 'Publishing'}))
        except (ConnectionError, OSError, ValueError, IndexError, struct.error):
            pass
        finally:
            conn.close()

    def _reject(self, conn, txn, description):
        self._send(conn, 3, 20, 0, amf_string('_error') + amf_number(txn) + b'\x05' +
                   amf_object({'level': 'error', 'code': 'NetConnection.Connect.Rejected',
                               'description': description}))

    def _connect(self, conn, txn, app):
        # Raw, as Adobe's servers read it: the base64 response may hold '+', which
        # form decoding would turn into a space (FFmpeg and OBS send it unescaped too).
        one = dict(kv.partition('=')[::2] for kv in app.partition('?')[2].split('&') if kv)
        if one.get('authmod') != 'adobe' or 'user' not in one:
            self.events.append('connect-without-auth')
            self._reject(conn, txn, '[ AccessManager.Reject ] : [ code=403 need auth; authmod=adobe ] : ')
            return False
        if 'response' not in one:
            self.events.append('challenge')
            self._reject(conn, txn, '[ AccessManager.Reject ] : [ authmod=adobe ] : ?reason=needauth&user=%s'
                         '&salt=%s&challenge=%s&opaque=%s' % (one['user'], self.SALT, self.CHALLENGE, self.OPAQUE))
            return False
        expected = b64md5(b64md5(self.user + self.SALT + self.password) + self.OPAQUE + one.get('challenge', ''))
        if one['user'] != self.user or one['response'] != expected:
            self.events.append('authfailed')
            self._reject(conn, txn, '[ AccessManager.Reject ] : [ authmod=adobe ] : ?reason=authfailed&opaque=%s'
                         % self.OPAQUE)
            return False
        self.events.append('authenticated')
        self._send(conn, 3, 20, 0, amf_string('_result') + amf_number(txn) +
                   amf_object({'fmsVer': 'FMS/3,5,7,7009', 'capabilities': 31}) +
                   amf_object({'level': 'status', 'code': 'NetConnection.Connect.Success',
                               'description': 'Connection succeeded.'}))
        return True
