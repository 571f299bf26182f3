#!/usr/bin/env python3
# make-egress-corpus.py — writes the seed files of corpus/egress-{stun,rtcp,dtls}/
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Like make-corpus.py (kept apart so that the egress can be left out of a build): seeds
# are small valid and broken inputs; crash-* files are added by hand and never removed.
# The DTLS seeds are ClientHellos of `openssl s_client`, caught on a loopback port.
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# Must match fuzz-egress-stun.c.
LOCAL_UFRAG = b'srvU'
LOCAL_PWD = b'server-password-of-22+chars'


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', 'egress-' + target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


# ---- STUN ----
def attr(kind, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack('>HH', kind, len(value)) + value + b'\0' * pad


def stun(attrs, cls_method=0x0001, key=LOCAL_PWD, integrity=True, fingerprint=True,
         tid=b'castbridge12'):
    body = b''.join(attrs)
    if integrity:
        # The length counts up to and including MESSAGE-INTEGRITY.
        hdr = struct.pack('>HHI', cls_method, len(body) + 24, 0x2112A442) + tid
        mac = hmac.new(key, hdr + body, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fingerprint:
        hdr = struct.pack('>HHI', cls_method, len(body) + 8, 0x2112A442) + tid
        crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xffffffff
        body += attr(0x8028, struct.pack('>I', crc))
    return struct.pack('>HHI', cls_method, len(body), 0x2112A442) + tid + body


USERNAME = attr(0x0006, LOCAL_UFRAG + b':brwsr')
PRIORITY = attr(0x0024, struct.pack('>I', 0x6e7f1eff))
CONTROLLING = attr(0x802A, struct.pack('>Q', 0x1122334455667788))
CONTROLLED = attr(0x8029, struct.pack('>Q', 0x1122334455667788))
USE_CANDIDATE = attr(0x0025, b'')
NETWORK_INFO = attr(0xC057, struct.pack('>HH', 1, 10))   # Chrome's, comprehension-optional

write('stun', 'binding', stun([USERNAME, PRIORITY, CONTROLLING]))
write('stun', 'binding-nominating', stun([USERNAME, NETWORK_INFO, PRIORITY, CONTROLLING,
                                          USE_CANDIDATE]))
write('stun', 'role-conflict', stun([USERNAME, PRIORITY, CONTROLLED]))
write('stun', 'wrong-pwd', stun([USERNAME, PRIORITY, CONTROLLING], key=b'wrong'))
write('stun', 'other-ufrag', stun([attr(0x0006, b'othr:brwsr'), PRIORITY, CONTROLLING]))
write('stun', 'no-integrity', stun([USERNAME, PRIORITY], integrity=False))
write('stun', 'no-fingerprint', stun([USERNAME, PRIORITY], fingerprint=False))
write('stun', 'unknown-required-attr', stun([USERNAME, attr(0x0077, b'abcd'), PRIORITY]))
write('stun', 'indication', stun([], cls_method=0x0011, integrity=False))
write('stun', 'success-response', stun([attr(0x0020, struct.pack('>HHI', 1, 0x2112 ^ 5000,
                                                                 0x7f000001 ^ 0x2112A442))],
                                       cls_method=0x0101))
write('stun', 'truncated', stun([USERNAME, PRIORITY, CONTROLLING])[:-7])
write('stun', 'username-no-colon', stun([attr(0x0006, b'srvU'), PRIORITY]))
write('stun', 'username-nul', stun([attr(0x0006, b'srvU\0x:brwsr'), PRIORITY]))

# ---- RTCP and RTP ----
def hexb(s):
    return bytes.fromhex(s.replace(' ', ''))


RR = '81c90007 11111111 01020304 19 00012c 00011234 00000011 aabbccdd 00010000'
SDES = '81ca0003 11111111 0104 6162 6364 0000'
NACK = '81cd0003 11111111 01020304 0064 0005'
PLI = '81ce0002 11111111 01020304'
FIR = '84ce0004 11111111 00000000 01020304 07000000'
REMB = '8fce0005 11111111 00000000 52454d42 01 0a 1234 01020304'
SR = ('80c80006 01020304 ed003780 80000000 00015f90 00000007 00001b58'
      '81ca0003 01020304 0104 6162 6364 0000')
write('rtcp', 'rr', hexb(RR))
write('rtcp', 'compound', hexb(RR + SDES + NACK + PLI + REMB))
write('rtcp', 'fir', hexb(FIR))
write('rtcp', 'sr-sdes', hexb(SR))
write('rtcp', 'padded-nack', hexb('a1cd0004 11111111 01020304 0064 0000 00000004'))
write('rtcp', 'length-past-end', hexb('80c90002 11111111'))
write('rtcp', 'rtp-plain', hexb('80 60 1234 00000064 01020304 c0ffee'))
write('rtcp', 'rtp-csrc-ext-pad',
      hexb('b1 e0 0001 00000064 01020304 99999999 bede0001 10ff0000 abcd 0000 03'))


# ---- DTLS ----
def client_hello(profiles):
    """The first datagram of `openssl s_client -dtls1_2` to a loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 0))
    sock.settimeout(5)
    port = sock.getsockname()[1]
    proc = subprocess.Popen(['openssl', 's_client', '-dtls1_2', '-connect',
                             '127.0.0.1:%d' % port, '-use_srtp', profiles, '-quiet'],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        data, _ = sock.recvfrom(65536)
    finally:
        proc.kill()
        proc.wait()
        sock.close()
    return data


hello = client_hello('SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80')
write('dtls', 'client-hello', hello)
write('dtls', 'client-hello-cm', client_hello('SRTP_AES128_CM_SHA1_80'))
write('dtls', 'client-hello-cut', hello[:40])
write('dtls', 'two-records', hexb('14fefd0000000000000005 0001 01 17fefd0001000000000006 0000'))
write('dtls', 'alert', hexb('15fefd0000000000000001 0002 0228'))
write('dtls', 'length-past-end', hexb('16fefd0000000000000001 0004 010203'))
