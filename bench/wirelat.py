"""Latency through an RTMP relay, read off the wire.

A packet socket on the loopback interface (needs CAP_NET_RAW) stamps every TCP segment the
moment its sender transmits it (the kernel's own time, in nanoseconds). Each video message of
the source file is found, by its last bytes, in the publisher's stream into the relay and in
the relay's stream to every player; the time between the segment that carries the message's
last byte into the relay and the one that carries it out to a player is what the relay added
for that player: waking up, reading, fan-out and the send. No ffmpeg takes part in the stamps.

A signature is the message's last SIG bytes. RTMP splits a message into chunks with a header
between them; a message whose last chunk boundary falls inside its signature is not found on
that side and is skipped (at a 4096-byte chunk size, about 1 in 170).
"""

import bisect
import os
import socket
import struct
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33
SOL_PACKET = 263
PACKET_STATISTICS = 6
SIG = 24


def flv_video_payloads(path):
    """The payload (tag body) of every video tag of an FLV file, in order."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:3] != b'FLV':
        raise ValueError(f'{path} is not FLV')
    pos = struct.unpack('>I', data[5:9])[0] + 4
    out = []
    while pos + 11 <= len(data):
        tag_type = data[pos] & 0x1f
        size = int.from_bytes(data[pos + 1:pos + 4], 'big')
        body = data[pos + 11:pos + 11 + size]
        if len(body) < size:
            break
        if tag_type == 9 and size > SIG + 5:
            out.append(body)
        pos += 11 + size + 4
    return out


class Capture:
    """Every outgoing TCP segment with a payload to or from @ports on `lo`, with its time."""

    def __init__(self, ports):
        self.ports = set(ports)
        self.segments = {}      # (sport, dport) -> [(seq, t_ns, payload)]
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 512 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(('lo', 0))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        anc_size = socket.CMSG_SPACE(16)
        ports = self.ports
        while self.running:
            try:
                data, anc, _flags, addr = self.sock.recvmsg(70000, anc_size)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] != PACKET_OUTGOING or len(data) < 54 or data[12:14] != b'\x08\x00':
                continue
            ip = data[14:]
            ihl = (ip[0] & 0x0f) * 4
            if ip[9] != 6:
                continue
            total = struct.unpack('>H', ip[2:4])[0]
            tcp = ip[ihl:total]
            sport, dport, seq = struct.unpack('>HHI', tcp[:8])
            if sport not in ports and dport not in ports:
                continue
            payload = tcp[(tcp[12] >> 4) * 4:]
            if not payload:
                continue
            t_ns = None
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack('qq', value[:16])
                    t_ns = sec * 1_000_000_000 + nsec
            if t_ns is None:
                t_ns = time.time_ns()
            self.segments.setdefault((sport, dport), []).append((seq, t_ns, bytes(payload)))

    def stop(self):
        """Stops; returns the packets the kernel dropped for want of room (0: a whole capture)."""
        self.running = False
        self.thread.join(2)
        try:
            _packets, drops = struct.unpack('II', self.sock.getsockopt(SOL_PACKET,
                                                                       PACKET_STATISTICS, 8))
        except OSError:
            drops = -1
        self.sock.close()
        return drops


class Stream:
    """One direction of a TCP connection, put back together: its bytes from the first segment
    seen (gaps zero-filled) and, per segment, where it ends and when it was sent."""

    def __init__(self, segments):
        base = segments[0][0]
        parts, ends, times = [], [], []
        end = 0
        for seq, t_ns, payload in segments:
            start = (seq - base) & 0xffffffff
            if start + len(payload) <= end or start > end + (1 << 30):
                continue                       # a retransmission of what is here already
            if start > end:
                parts.append(bytes(start - end))
                end = start
            payload = payload[end - start:]
            parts.append(payload)
            end += len(payload)
            ends.append(end)
            times.append(t_ns)
        self.data = b''.join(parts)
        self.ends = ends
        self.times = times

    def sent_at(self, offset):
        """When the segment holding byte @offset was sent (ns)."""
        i = bisect.bisect_right(self.ends, offset)
        return self.times[min(i, len(self.times) - 1)]

    def find_each(self, signatures):
        """{index: (offset, ns)} of each signature found anywhere (a capture is shorter than
        the looped file: a message is there once at most)."""
        out = {}
        for i, sig in enumerate(signatures):
            at = self.data.find(sig)
            if at >= 0:
                out[i] = (at, self.sent_at(at + len(sig) - 1))
        return out

    def find_in_order(self, signatures, order):
        """{index: ns} for the signatures of @order (indexes), searched one after the other."""
        out = {}
        pos = 0
        for i in order:
            at = self.data.find(signatures[i], pos)
            if at < 0:
                continue
            pos = at + len(signatures[i])
            out[i] = self.sent_at(pos - 1)
        return out


def relay_latencies(capture_segments, relay_port, signatures):
    """Per player connection of the relay on @relay_port: the latencies (s) of the messages
    found both in the publisher's stream into the relay and in the relay's stream to the
    player. Returns (list of latencies over all players, number of players, messages of the
    publisher found)."""
    into = [(k, v) for k, v in capture_segments.items() if k[1] == relay_port]
    if not into:
        return [], 0, 0
    # The publisher's connection is the one that sends the relay the most.
    pub_key = max(into, key=lambda kv: sum(len(s[2]) for s in kv[1]))[0]
    published = Stream(sorted(capture_segments[pub_key], key=lambda s: s[1])).find_each(signatures)
    order = sorted(published, key=lambda i: published[i][0])
    lat, players = [], 0
    for (sport, dport), segs in capture_segments.items():
        if sport != relay_port or dport == pub_key[0]:
            continue
        if sum(len(s[2]) for s in segs) < 100_000:
            continue                            # not a player of the stream
        players += 1
        got = Stream(sorted(segs, key=lambda s: s[1])).find_in_order(signatures, order)
        for i, t_out in got.items():
            lat.append((t_out - published[i][1]) / 1e9)
    return lat, players, len(published)


def measure(source_flv, relay_ports, seconds):
    """Captures @seconds of every relay in @relay_ports ({name: port}) at once; returns
    {name: {'lat': [...], 'players': n, 'published': m}} and the capture's drops."""
    payloads = flv_video_payloads(source_flv)
    # Each message's last SIG bytes; a signature that is not unique in the file is left out.
    sigs = [p[-SIG:] for p in payloads]
    seen = {}
    for s in sigs:
        seen[s] = seen.get(s, 0) + 1
    sigs = [s if seen[s] == 1 else os.urandom(SIG) for s in sigs]
    cap = Capture(relay_ports.values())
    time.sleep(seconds)
    drops = cap.stop()
    out = {}
    for name, port in relay_ports.items():
        lat, players, published = relay_latencies(cap.segments, port, sigs)
        out[name] = {'lat': lat, 'players': players, 'published': published}
    return out, drops
