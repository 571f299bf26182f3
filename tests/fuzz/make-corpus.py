#!/usr/bin/env python3
# make-corpus.py — writes the seed files of tests/fuzz/corpus/<target>/
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Seeds are small valid and broken inputs. Run once after changing this script; the files
# are committed. Inputs that crashed a target are added by hand as crash-<what> files and
# never regenerated away (this script only writes seed-* files).
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 8192, name
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


# ---- AMF0 ----
def num(v):
    return b'\x00' + struct.pack('>d', v)


def s(v):
    b = v.encode() if isinstance(v, str) else v
    return b'\x02' + struct.pack('>H', len(b)) + b


def key(v):
    b = v.encode() if isinstance(v, str) else v
    return struct.pack('>H', len(b)) + b


def obj(pairs, marker=b'\x03'):
    return marker + b''.join(key(k) + v for k, v in pairs) + b'\x00\x00\x09'


def ecma(pairs):
    return b'\x08' + struct.pack('>I', len(pairs)) + obj(pairs, b'')


def boolean(v):
    return b'\x01' + (b'\x01' if v else b'\x00')


NULL = b'\x05'

connect = s('connect') + num(1) + obj([
    ('app', s('live')), ('type', s('nonprivate')), ('flashVer', s('FMLE/3.0 (compatible; FMSc/1.0)')),
    ('swfUrl', s('rtmp://localhost/live')), ('tcUrl', s('rtmp://localhost/live')),
    ('fpad', boolean(False)), ('capabilities', num(239)), ('audioCodecs', num(3575)),
    ('videoCodecs', num(252)), ('videoFunction', num(1)), ('objectEncoding', num(0))])
publish = s('publish') + num(5) + NULL + s('stream-key') + s('live')
result = s('_result') + num(1) + obj([('fmsVer', s('FMS/3,0,1,123')), ('capabilities', num(31))]) + \
    obj([('level', s('status')), ('code', s('NetConnection.Connect.Success')),
         ('description', s('Connection succeeded.')), ('objectEncoding', num(0))])
on_status = s('onStatus') + num(0) + NULL + obj([
    ('level', s('error')), ('code', s('NetStream.Publish.BadName')), ('description', s('Stream already publishing'))])
meta_pairs = [('duration', num(0)), ('width', num(1280)), ('height', num(720)),
              ('videodatarate', num(2500)), ('framerate', num(30)), ('videocodecid', num(7)),
              ('audiodatarate', num(160)), ('audiosamplerate', num(48000)),
              ('audiosamplesize', num(16)), ('stereo', boolean(True)), ('audiocodecid', num(10)),
              ('encoder', s('obs-output module (libobs version 30.0.0)'))]
metadata = s('@setDataFrame') + s('onMetaData') + ecma(meta_pairs)

write('amf0', 'connect', connect)
write('amf0', 'publish', publish)
write('amf0', 'result', result)
write('amf0', 'onstatus', on_status)
write('amf0', 'metadata', metadata)
write('amf0', 'strict-array', b'\x0a' + struct.pack('>I', 3) + num(1) + NULL + s('x'))
write('amf0', 'long-string', b'\x0c' + struct.pack('>I', 5) + b'hello')
write('amf0', 'date', b'\x0b' + struct.pack('>dh', 1.7e12, -60))
write('amf0', 'typed-object', b'\x10' + key('Foo') + key('a') + num(2) + b'\x00\x00\x09')
write('amf0', 'xml', b'\x0f' + struct.pack('>I', 4) + b'<a/>')
write('amf0', 'nul-in-string', s(b'li\x00ve') + num(0))
write('amf0', 'deep-objects', b''.join([b'\x03' + key('o')] * 40) + NULL + b'\x00\x00\x09' * 40)
write('amf0', 'deep-arrays', b'\x0a\x00\x00\x00\x01' * 60 + NULL)
write('amf0', 'truncated-connect', connect[:40])
write('amf0', 'reference', b'\x07\x00\x01')
write('amf0', 'amf3-switch', s('connect') + num(1) + b'\x11\x0a\x0b\x01')
write('amf0', 'absurd-strict-array', b'\x0a\xff\xff\xff\xff' + NULL)
write('amf0', 'absurd-long-string', b'\x0c\x7f\xff\xff\xff' + b'ab')
write('amf0', 'ecma-no-end', b'\x08\x00\x00\x00\x01' + key('a') + num(1))
write('amf0', 'lone-object-end', s('x') + num(1) + b'\x09')


# ---- chunk streams ----
class Writer:
    def __init__(self):
        self.chunk_size = 128
        self.out = b''

    @staticmethod
    def basic(fmt, csid):
        if csid < 64:
            return bytes([fmt << 6 | csid])
        if csid < 320:
            return bytes([fmt << 6, csid - 64])
        return bytes([fmt << 6 | 1, (csid - 64) & 0xff, (csid - 64) >> 8])

    def msg(self, csid, type_id, stream_id, ts, payload, ext_in_continuation=True):
        field = min(ts, 0xffffff)
        hdr = self.basic(0, csid) + struct.pack('>I', field)[1:] + struct.pack('>I', len(payload))[1:] + \
            bytes([type_id]) + struct.pack('<I', stream_id)
        ext = struct.pack('>I', ts) if field == 0xffffff else b''
        self.out += hdr + ext + payload[:self.chunk_size]
        off = self.chunk_size
        while off < len(payload):
            self.out += self.basic(3, csid) + (ext if ext_in_continuation else b'') + \
                payload[off:off + self.chunk_size]
            off += self.chunk_size

    def set_chunk_size(self, n):
        self.msg(2, 1, 0, 0, struct.pack('>I', n))
        self.chunk_size = n


def chunk_seed(name, w, control=0x00):
    write('chunk', name, bytes([control]) + w.out)


w = Writer()
w.msg(3, 20, 0, 0, connect)
chunk_seed('connect-128', w)

w = Writer()
w.set_chunk_size(4096)
w.msg(3, 20, 0, 0, connect)
w.msg(3, 20, 0, 0, s('releaseStream') + num(2) + NULL + s('key'))
w.msg(3, 20, 0, 0, s('createStream') + num(4) + NULL)
w.msg(4, 20, 1, 0, publish)
w.msg(4, 18, 1, 0, metadata)
avcc = bytes.fromhex('0164001fffe1001a6764001facd9405005bb0110000003001000000303c0f1831960010006'
                     '68ebe3cb22c0')
w.msg(6, 9, 1, 0, b'\x17\x00\x00\x00\x00' + avcc)
w.msg(4, 8, 1, 0, b'\xaf\x00\x12\x10')
w.msg(6, 9, 1, 33, b'\x17\x01\x00\x00\x21' + struct.pack('>I', 300) + bytes([0x65]) + bytes(299))
w.msg(4, 8, 1, 21, b'\xaf\x01' + bytes(40))
chunk_seed('obs-publish', w, 0x1f)

w = Writer()
w.set_chunk_size(2)
w.msg(3, 20, 0, 0x01000000, b'abcde')
chunk_seed('ext-ts-with-continuation-ext', w, 0x03)
w = Writer()
w.set_chunk_size(2)
w.msg(3, 20, 0, 0x01000000, b'abcde', ext_in_continuation=False)
w.out += Writer.basic(0, 5) + bytes.fromhex('000000 000001 14 00000000 01')
chunk_seed('ext-ts-without-continuation-ext', w, 0x00)

write('chunk', 'deltas', b'\x00' + bytes.fromhex(
    '04 000064 000002 08 01000000 aabb 44 00000a 000003 08 ccddee 84 00000a ff0011 c4 112233'
    .replace(' ', '')))
write('chunk', 'interleaved', b'\x01' + bytes.fromhex(
    ('02 000000 000004 01 00000000 00000002 04 000000 000004 08 01000000 aabb'
     '06 000000 000004 09 01000000 1122 c4 ccdd c6 3344').replace(' ', '')))
write('chunk', 'abort', b'\x05' + bytes.fromhex(
    ('02 000000 000004 01 00000000 00000002 04 000000 000004 08 01000000 aabb'
     '02 000000 000004 02 00000000 0000 c2 0004 04 000005 000002 08 01000000 ccdd').replace(' ', '')))
write('chunk', 'librtmp-ping', b'\x00' + bytes.fromhex('42 000000 000006 04 0006 00000d0f'.replace(' ', '')))
write('chunk', 'csid-forms', b'\x02' + bytes.fromhex(
    '00 00 000000 000001 14 00000000 01 01 ff ff 000000 000001 14 00000000 02 40 00 000001 000001 14 03'
    .replace(' ', '')))
write('chunk', 'control-messages', b'\x00' + bytes.fromhex(
    ('02 000000 000004 05 00000000 002625a0 02 000000 000005 06 00000000 002625a0 02'
     '02 000000 000004 03 00000000 00001000 02 000000 00000a 04 00000000 0003 00000001 00000bb8').replace(' ', '')))
write('chunk', 'set-chunk-size-zero', b'\x00' + bytes.fromhex('02 000000 000004 01 00000000 00000000'.replace(' ', '')))
write('chunk', 'too-large', b'\x00' + bytes.fromhex('03 000000 ffffff 09 01000000 00'.replace(' ', '')))
write('chunk', 'limit-300', b'\x20' + bytes.fromhex('03 000000 00012d 09 01000000 00'.replace(' ', '')))
write('chunk', 'fmt3-fresh', b'\x00' + bytes.fromhex('c4 aa'.replace(' ', '')))
write('chunk', 'fmt0-mid-message', b'\x00' + bytes.fromhex(
    '03 000000 0000ff 09 01000000 00 03 000000 000001 09 01000000 00'.replace(' ', '')))

# ---- FLV ----
write('flv', 'avc-sequence-header', b'\x17\x00\x00\x00\x00' + avcc)
write('flv', 'avc-nalu', b'\x27\x01\x00\x00\x21' + bytes.fromhex('00000005 4188840021'))
write('flv', 'avc-eos', b'\x17\x02\x00\x00\x00')
write('flv', 'vp6', b'\x24\x00\x11\x22')
write('flv', 'enhanced-hevc', b'\xa1hvc1\x00\x00\x10\xaa')
write('flv', 'enhanced-opus', b'\x90Opus\x01')
write('flv', 'aac-config', b'\xaf\x00\x12\x10')
write('flv', 'mp3', b'\x2f\xff\xfb\x90\x00')
write('flv', 'avcc', avcc)
write('flv', 'avcc-two-sps', bytes.fromhex('0142c01effe2 0004 6742c01e 0004 6742c01f 01 0002 68ce'
                                           .replace(' ', '')))
write('flv', 'annexb-frame', bytes.fromhex(
    ('00000001 6764001facd9405005bb0110000003001000000303c0f1831960 000001 68ebe3cb22c0 0000'
     '00000001 06050180 00000001 65888421').replace(' ', '')))
write('flv', 'length-prefixed', bytes.fromhex('00000002 6742 00000002 68ce 00000003 658884'.replace(' ', '')))
write('flv', 'metadata', metadata)
write('flv', 'metadata-object', s('onMetaData') + obj([('videocodecid', s('avc1')), ('stereo', boolean(False))]))
flv = b'FLV\x01\x05' + struct.pack('>II', 9, 0)
for tag_type, ts, body in ((18, 0, s('onMetaData') + ecma(meta_pairs[:3])),
                           (9, 0, b'\x17\x00\x00\x00\x00' + avcc), (8, 0, b'\xaf\x00\x12\x10'),
                           (9, 0x1234567, b'\x27\x01\x00\x00\x00\x00\x00\x00\x01\x41')):
    flv += bytes([tag_type]) + struct.pack('>I', len(body))[1:] + struct.pack('>I', ts & 0xffffff)[1:] + \
        bytes([ts >> 24]) + b'\x00\x00\x00' + body + struct.pack('>I', 11 + len(body))
write('flv', 'file', flv)
write('flv', 'file-truncated', flv[:60])

# ---- handshake ----
BLOCK = 1536
c1 = struct.pack('>II', 1000, 0) + bytes((i * 7) & 0xff for i in range(BLOCK - 8))
s1 = struct.pack('>II', 2000, 0) + bytes((i * 11) & 0xff for i in range(BLOCK - 8))
fmle_c1 = struct.pack('>I', 0) + bytes.fromhex('80000702') + bytes((i * 13) & 0xff for i in range(BLOCK - 8))
write('handshake', 'server-simple', b'\x01' + b'\x03' + c1 + s1 + b'\x02\x00')
write('handshake', 'server-fmle-c1', b'\x21' + b'\x03' + fmle_c1)
write('handshake', 'client-simple', b'\x00' + b'\x03' + s1 + c1)
write('handshake', 'server-http', b'\x01' + b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
write('handshake', 'server-tls', b'\x01' + bytes.fromhex('16030100a5010000a10303'))
write('handshake', 'server-rtmpe', b'\x01' + b'\x06' + c1[:100])
write('handshake', 'client-v4', b'\x00' + b'\x04' + s1)
# The session core goes on after the handshake: control messages it answers (a small
# window, pings) and a command for its owner.
w = Writer()
w.msg(2, 5, 0, 0, struct.pack('>I', 64))
w.msg(2, 4, 0, 0, struct.pack('>HI', 6, 77))
w.set_chunk_size(4096)
w.msg(3, 20, 0, 0, connect)
w.msg(2, 4, 0, 0, struct.pack('>H', 6))
write('handshake', 'server-then-chunks', b'\x05' + b'\x03' + c1 + s1 + w.out)
write('handshake', 'client-then-chunks', b'\x00' + b'\x03' + s1 + c1 + w.out)

# ---- URLs ----
for i, url in enumerate([
        'rtmp://live.twitch.tv/app/live_123456_abcdefghijkl',
        'rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl-mnop',
        'rtmp://127.0.0.1:1936/app/instance/stream?token=abc&x',
        'rtmp://[::1]:1935/live/s',
        'rtmp://[fe80::1%25eth0]/live',
        'rtmp://user:p%40ss@host/live/s',
        'rtmp://host/live/s?username=bob&password=secret',
        'rtmp://host/live/',
        'rtmp://host:65536/live',
        'rtmp://[::1/live',
        'rtmp://user:pa%00ss@host/live',
        'http://host/live/s',
        'rtmp://host//s',
        'rtmp://h\xc3\xa9st/live/\xd0\xbf',
]):
    write('url', '%02d' % i, url.encode('latin-1') if '\xc3' in url else url.encode())
write('url', 'control-chars', b'rtmp://host/live/s\n\x00x')

# ---- server session (after the handshake; control: bit 0 refuse publish/play, bit 1
# refuse connect, the rest the piece size) ----
def server_seed(name, w, control=0x1c):
    write('server', name, bytes([control]) + w.out)


def publisher(w, name='cam'):
    w.msg(3, 20, 0, 0, connect)
    w.msg(3, 20, 0, 0, s('releaseStream') + num(2) + NULL + s(name))
    w.msg(3, 20, 0, 0, s('FCPublish') + num(3) + NULL + s(name))
    w.msg(3, 20, 0, 0, s('createStream') + num(4) + NULL)
    w.msg(8, 20, 1, 0, s('publish') + num(5) + NULL + s(name) + s('live'))


w = Writer()
publisher(w)
w.set_chunk_size(4096)
w.msg(4, 18, 1, 0, metadata)
w.msg(6, 9, 1, 0, b'\x17\x00\x00\x00\x00' + avcc)
w.msg(4, 8, 1, 0, b'\xaf\x00\x12\x10')
w.msg(6, 9, 1, 33, b'\x17\x01\x00\x00\x21' + struct.pack('>I', 300) + bytes([0x65]) + bytes(299))
w.msg(4, 8, 1, 21, b'\xaf\x01' + bytes(40))
w.msg(3, 20, 0, 0, s('FCUnpublish') + num(6) + NULL + s('cam'))
w.msg(3, 20, 0, 0, s('deleteStream') + num(7) + NULL + num(1))
server_seed('obs-publish', w)
server_seed('obs-publish-refused', w, 0x1d)
server_seed('connect-refused', w, 0x1e)
server_seed('obs-publish-bytewise', w, 0x00)

w = Writer()
publisher(w, 'amsStream#amsroom1?key=abc')
w.msg(8, 20, 1, 0, s('publish') + num(0) + NULL + b'\x01\x00')
w.msg(8, 20, 1, 0, s('publish') + num(0) + NULL + s('amsStream#amsroom2') + s('live'))
w.msg(8, 20, 1, 0, s('closeStream') + num(0) + NULL)
server_seed('republish', w)

w = Writer()
w.msg(3, 20, 0, 0, connect)
w.msg(3, 20, 0, 0, s('createStream') + num(2) + NULL)
w.msg(8, 20, 1, 0, s('play') + num(0) + NULL + s('cam') + num(-2000))
w.msg(2, 4, 0, 0, struct.pack('>HII', 3, 1, 3000))
w.msg(2, 4, 0, 0, struct.pack('>HI', 6, 1234))
w.msg(2, 5, 0, 0, struct.pack('>I', 100))
w.msg(3, 20, 0, 0, s('getStreamLength') + num(3) + NULL + s('cam'))
w.msg(3, 20, 0, 0, s('deleteStream') + num(4) + NULL + num(1))
server_seed('play', w)

w = Writer()
publisher(w)
tags = b''
for ts, body in ((1000, b'\x17\x01\x00\x00\x00\x00\x00\x00\x01\x65'), (1033, b'\xaf\x01\x21')):
    tag = bytes([9 if body[0] == 0x17 else 8]) + struct.pack('>I', len(body))[1:] + \
        struct.pack('>I', ts)[1:] + bytes([ts >> 24]) + b'\x00\x00\x00' + body
    tags += tag + struct.pack('>I', len(tag))
w.msg(6, 22, 1, 500, tags)
w.msg(6, 22, 1, 600, tags[:-9] + b'\xff\xff')
server_seed('aggregate', w)

w = Writer()
for i in range(10):
    w.msg(3, 20, 0, 0, connect if i == 0 else s('createStream') + num(i + 1) + NULL)
server_seed('too-many-streams', w)

w = Writer()
w.msg(3, 20, 0, 0, s('createStream') + num(2) + NULL)
server_seed('command-before-connect', w)
w = Writer()
w.msg(6, 9, 1, 0, b'\x17\x01')
server_seed('media-before-connect', w)
w = Writer()
w.msg(3, 20, 0, 0, connect)
w.msg(3, 20, 0, 0, connect)
server_seed('second-connect', w)
w = Writer()
w.msg(3, 20, 0, 0, connect)
w.msg(3, 20, 0, 0, s('publish')[:-2])
server_seed('undecodable-command', w)
w = Writer()
w.msg(3, 17, 0, 0, b'\x00' + connect)
w.msg(3, 17, 0, 0, b'\x00' + s('createStream') + num(2) + NULL)
w.msg(8, 15, 1, 0, b'\x00' + metadata)
server_seed('amf3-commands', w)
write('server', 'junk', b'\x00' + bytes(range(256)) * 4)


# ---- MP4 boxes (cb_mp4_parse) ----
def box(kind, payload=b''):
    return struct.pack('>I', 8 + len(payload)) + kind + payload


def box64(kind, payload=b''):
    return struct.pack('>I', 1) + kind + struct.pack('>Q', 16 + len(payload)) + payload


def mvhd(timescale, duration, version=0):
    if version == 0:
        return box(b'mvhd', struct.pack('>IIIII', 0, 0, 0, timescale, duration) + bytes(80))
    return box(b'mvhd', struct.pack('>IQQIQ', 0x01000000, 0, 0, timescale, duration) + bytes(80))


def trak(handler, entry):
    stsd = box(b'stsd', struct.pack('>II', 0, 1) + box(entry, bytes(28)))
    hdlr = box(b'hdlr', struct.pack('>II', 0, 0) + handler + bytes(13))
    return box(b'trak', box(b'tkhd', bytes(84)) +
               box(b'mdia', box(b'mdhd', bytes(24)) + hdlr + box(b'minf', box(b'stbl', stsd))))


ftyp = box(b'ftyp', b'isom\x00\x00\x02\x00isomiso2avc1mp41')
moov_av = box(b'moov', mvhd(1000, 5000) + trak(b'vide', b'avc1') + trak(b'soun', b'mp4a'))
moov_frag = box(b'moov', mvhd(1000, 0) + trak(b'vide', b'avc1') + trak(b'soun', b'Opus') +
                box(b'mvex', box(b'trex', bytes(24)) * 2))
moof = box(b'moof', box(b'mfhd', bytes(8)) + box(b'traf', box(b'tfhd', bytes(8)) + box(b'trun', bytes(20))))
fragmented = ftyp + moov_frag + moof + box(b'mdat', bytes(64)) + moof + box(b'mdat', bytes(64))

write('mp4', 'plain', ftyp + moov_av + box(b'mdat', bytes(100)))
write('mp4', 'moov-last-v1', ftyp + box(b'mdat', bytes(100)) +
      box(b'moov', mvhd(90000, 630000, 1) + trak(b'vide', b'vp08') + trak(b'soun', b'Opus')))
write('mp4', 'fragmented', fragmented)
write('mp4', 'fragmented-cut', fragmented[:-30])
write('mp4', 'fragmented-moof-last', fragmented[:-72])
write('mp4', '64-bit-sizes', ftyp + box64(b'moov', moov_av[8:]) + box64(b'mdat', bytes(100)))
write('mp4', 'size-zero', ftyp + moov_av + struct.pack('>I', 0) + b'mdat' + bytes(50))
write('mp4', 'claims-4-gib', ftyp + moov_av + b'\xff\xff\xff\xffmdat' + bytes(100))
write('mp4', 'claims-64-bit-max', ftyp + moov_av + struct.pack('>I', 1) + b'mdat' + b'\xff' * 8)
write('mp4', 'child-overflows', ftyp + box(b'moov', mvhd(1000, 2000) + b'\x00\x00\x10\x00trak' +
                                           bytes(16)))
write('mp4', 'cut-header', ftyp + b'\x00\x00\x00\x40mo')
write('mp4', 'garbage', b'hello, this is not an MP4 file at all')
write('mp4', 'webm', bytes.fromhex('1a45dfa39f4286810142f7810142f2810442f381084282847765626d'))


# ---- H.264 SPS (the NAL unit with its header byte, as in an avcC) ----
# Made by x264 (through ffmpeg) for each shape the parser has a branch for.
for name, sps in [
        ('baseline-320x240', '6742c00dd90141fb0110000003001000000303c0f142a480'),
        ('main-1080-cropped-ntsc', '674d4028eca03c0113f2ffe000600082000007d20001d4c01e30632c'),
        ('high-720p', '6764001facd9405005bb0110000003001000000303c0f1831960'),
        ('high-cqm-640x360-60', '6764001facd940a02ff97ff000300041000003000100000300780f183196'),
        ('high-gray-160x120', '6764000bf3650a11f89c05b2000003000200000300601e28532c'),
        ('high444-176x144', '67f4000b919b28589d81080000030008000003019078a14cb0'),
        ('interlaced-720x576', '6764001eacd940b424dff8008000788000000300800000190f8a14cb'),
        ('high-64x64-1fps', '6764000aacd94426c384000003000400000300083c489658')]:
    write('h264-sps', name, bytes.fromhex(sps))
write('h264-sps', 'cut-in-vui', bytes.fromhex('6742c00dd90141fb0110000003'))
write('h264-sps', 'cut-before-size', bytes.fromhex('6742c00dd9'))
write('h264-sps', 'header-only', b'\x67')
# 33 leading zero bits: an exp-Golomb code longer than 32 bits.
write('h264-sps', 'long-golomb', b'\x67\x42\xc0\x0d' + bytes(5) + b'\xff')
# pic_order_cnt_type 1 with a 255-long cycle of offsets.
write('h264-sps', 'poc-type-1', bytes.fromhex('6742c00d') + bytes([0b11010000, 0b00000001]) +
      b'\xff' * 40)


# ---- AAC AudioSpecificConfig ----
def asc(*fields):
    """Packs (value, bits) pairs MSB first, padded with zero bits to whole bytes."""
    bits = ''.join(format(v, '0%db' % n) for v, n in fields)
    bits += '0' * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


write('aac-config', 'lc-44100-stereo', bytes.fromhex('1210'))
write('aac-config', 'lc-48000-stereo', bytes.fromhex('1190'))
write('aac-config', 'lc-48000-mono', bytes.fromhex('1188'))
write('aac-config', 'he-aac-sbr', bytes.fromhex('2b920800'))
write('aac-config', 'explicit-rate', asc((2, 5), (15, 4), (37800, 24), (2, 4)))
write('aac-config', 'escaped-object', asc((31, 5), (10, 6), (3, 4), (1, 4)))
write('aac-config', 'seven-is-eight-channels', asc((2, 5), (4, 4), (7, 4)))
write('aac-config', 'reserved-rate', asc((2, 5), (13, 4), (2, 4)))
write('aac-config', 'explicit-rate-zero', asc((2, 5), (15, 4), (0, 24), (2, 4)))
write('aac-config', 'cut', b'\x12')


# ---- REST bodies: one byte picks the verb (its index in cb-rest.c's table), then the body ----
def rest(index, body):
    return bytes([index]) + (body.encode() if isinstance(body, str) else body)


write('rest-json', 'find-all-empty', rest(0, ''))
write('rest-json', 'find-all-blank', rest(0, ' \r\n\t'))
write('rest-json', 'stream-find', rest(1, '{"name":"cam","published":true,"status":"PUBLISHING"}'))
write('rest-json', 'stream-find-wrong-type', rest(1, '{"name":42}'))
write('rest-json', 'stream-find-null', rest(1, '{"name":null,"mediaSessionId":null}'))
write('rest-json', 'status-too-long', rest(1, '{"status":"' + 'x' * 65 + '"}'))
write('rest-json', 'source-publish', rest(11, '{"name":"cam","source":"test"}'))
write('rest-json', 'source-publish-missing', rest(11, '{"name":"cam"}'))
write('rest-json', 'source-publish-unknown', rest(11, '{"name":"cam","source":"test","x":1}'))
write('rest-json', 'push-startup', rest(13, '{"streamName":"cam","rtmpUrl":"rtmp://127.0.0.1/live",'
                                            '"rtmpFlashVersion":"FMLE/3.0","options":'
                                            '{"action":"mute","width":1280,"height":720}}'))
write('rest-json', 'push-startup-numbers', rest(13, '{"streamName":"cam","rtmpUrl":"x","width":1e3,'
                                                    '"height":-0.5,"bitrate":12345678901234567890}'))
write('rest-json', 'vod-startup', rest(29, '{"url":"vod-live://clip.mp4","localStreamName":"clip"}'))
write('rest-json', 'escapes', rest(1, '{"name":"\\u00e9\\ud83d\\ude00\\n\\"\\/","x":[1,2,{"y":[]}]}'))
write('rest-json', 'lone-surrogate', rest(1, '{"name":"\\udc00"}'))
write('rest-json', 'nul-escape', rest(1, '{"name":"a\\u0000b"}'))
write('rest-json', 'raw-nul', rest(1, b'{"name":"a\x00b"}'))
write('rest-json', 'bad-utf8', rest(1, b'{"name":"\xc3\x28"}'))
write('rest-json', 'deep', rest(0, '[' * 33 + ']' * 33))
write('rest-json', 'deep-ok', rest(0, '{"a":' + '[' * 30 + ']' * 30 + '}'))
write('rest-json', 'two-objects', rest(0, '{}{}'))
write('rest-json', 'comment', rest(0, '{/* c */}'))
write('rest-json', 'single-quotes', rest(1, "{'name':'x'}"))
write('rest-json', 'hex-number', rest(1, '{"n":0x10}'))
write('rest-json', 'not-object', rest(0, '[1,2,3]'))
write('rest-json', 'unterminated', rest(1, '{"name":"cam'))
write('rest-json', 'huge-exponent', rest(0, '{"n":1e999,"m":-1e999,"k":1e-999}'))
write('rest-json', 'duplicate-keys', rest(1, '{"name":"a","name":"b"}'))


# ---- SDP offers (WHIP bodies and signaling's sdp) ----
def sdp(*lines):
    return ('\r\n'.join(lines) + '\r\n').encode()


chrome_video = [
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 108 109',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:ab12', 'a=ice-pwd:0123456789abcdef01234567',
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    'a=setup:actpass', 'a=mid:1', 'a=sendonly', 'a=rtcp-mux',
    'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
    'a=rtpmap:102 H264/90000',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102',
    'a=rtpmap:108 H264/90000',
    'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:109 rtx/90000', 'a=fmtp:109 apt=108']
head = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
        'a=group:BUNDLE 0 1']
opus = ['m=audio 9 UDP/TLS/RTP/SAVPF 111 0', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendonly',
        'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
        'a=rtpmap:0 PCMU/8000']
write('sdp', 'chrome-publish', sdp(*head, *opus, *chrome_video))
write('sdp', 'firefox-vp8-only', sdp(*head, *opus, 'm=video 9 UDP/TLS/RTP/SAVPF 120 124',
                                     'a=mid:1', 'a=rtpmap:120 VP8/90000', 'a=fmtp:120 max-fs=12288',
                                     'a=rtpmap:124 rtx/90000', 'a=fmtp:124 apt=120'))
write('sdp', 'h264-mode-0', sdp(*head, 'm=video 9 UDP/TLS/RTP/SAVPF 100', 'a=mid:0',
                                'a=rtpmap:100 H264/90000', 'a=fmtp:100 profile-level-id=42e01f'))
write('sdp', 'bundle-only', sdp(*head, *opus, 'm=video 0 UDP/TLS/RTP/SAVPF 102', 'a=bundle-only',
                                'a=mid:1', 'a=rtpmap:102 H264/90000',
                                'a=fmtp:102 packetization-mode=1;profile-level-id=4d001f'))
write('sdp', 'rejected-video', sdp(*head, 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000'))
write('sdp', 'lf-only', b'v=0\nm=audio 9 RTP/AVP 111\na=rtpmap:111 opus/48000/2\n')
write('sdp', 'no-media', sdp('v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0'))
write('sdp', 'not-v0', sdp('v=1', 'm=video 9 RTP/AVP 96'))
write('sdp', 'nul-inside', b'v=0\r\nm=video 9 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\x00junk\r\n')
write('sdp', 'bad-utf8', b'v=0\r\nm=video 9 RTP/AVP 96\r\na=x:\xff\xfe\r\n')
write('sdp', 'weird-payloads', sdp('v=0', 'm=video 9 RTP/AVP -1 999999999999 abc 96',
                                   'a=rtpmap:-1 H264/90000', 'a=fmtp:-1 packetization-mode=1',
                                   'a=rtpmap:96 VP8', 'a=rtpmap:abc OPUS/48000',
                                   'a=fmtp:96', 'a=fmtp:', 'a=rtpmap:'))
write('sdp', 'empty-ufrag', sdp('v=0', 'm=audio 9 RTP/AVP 0', 'a=ice-ufrag:', 'a=end-of-candidates'))
write('sdp', 'trickle-sdpfrag', sdp('a=ice-ufrag:ab12', 'a=ice-pwd:xyz', 'm=audio 9 RTP/AVP 0', 'a=mid:0',
                                    'a=candidate:1 1 UDP 2122252543 192.0.2.1 50000 typ host'))
