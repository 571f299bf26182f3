// rtp.go — what a viewer checks on the media it gets
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A viewer never decodes: it takes each decrypted RTP packet (its SRTP authentication tag has
// been checked and its payload decrypted, so a packet that reaches here proves SRTP works), counts
// packets and bytes, follows the sequence numbers for gaps, and looks at the H.264 payload
// header for the start of an IDR picture (single NAL unit, STAP-A, FU-A start).

package main

import (
	"encoding/binary"
	"sync/atomic"
	"time"
)

const (
	naluIDR   = 5
	naluSTAPA = 24
	naluFUA   = 28
)

// rtpStats counts one track. The counters are written by the track's reading goroutine and
// read by the reporter, hence atomics; seq state is the reader's alone.
type rtpStats struct {
	packets   atomic.Uint64
	bytes     atomic.Uint64
	lost      atomic.Uint64
	keyframes atomic.Uint64

	haveSeq bool
	lastSeq uint16
}

// count takes one packet's sequence number; a forward jump counts the missing packets, a
// packet from the past (reordered or duplicated) counts nothing.
func (s *rtpStats) count(seq uint16, size int) {
	s.packets.Add(1)
	s.bytes.Add(uint64(size))
	if s.haveSeq {
		diff := seq - s.lastSeq
		if diff == 0 || diff >= 0x8000 {
			return
		}
		if diff > 1 {
			s.lost.Add(uint64(diff - 1))
		}
	}
	s.haveSeq = true
	s.lastSeq = seq
}

// rtpPayload returns a packet's sequence number, marker bit and payload, or ok=false for a
// packet too short to be RTP.
func rtpPayload(p []byte) (seq uint16, marker bool, payload []byte, ok bool) {
	if len(p) < 12 || p[0]>>6 != 2 {
		return 0, false, nil, false
	}
	seq = binary.BigEndian.Uint16(p[2:4])
	marker = p[1]&0x80 != 0
	off := 12 + 4*int(p[0]&0x0f)
	if p[0]&0x10 != 0 { // header extension
		if len(p) < off+4 {
			return 0, false, nil, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(p[off+2:off+4]))
	}
	end := len(p)
	if p[0]&0x20 != 0 && end > 0 { // padding
		end -= int(p[end-1])
	}
	if off > end {
		return 0, false, nil, false
	}
	return seq, marker, p[off:end], true
}

// startsIDR tells whether an H.264 RTP payload (RFC 6184) starts an IDR slice.
func startsIDR(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	switch payload[0] & 0x1f {
	case naluIDR:
		return true
	case naluSTAPA:
		for rest := payload[1:]; len(rest) >= 3; {
			size := int(binary.BigEndian.Uint16(rest))
			if size == 0 || len(rest) < 2+size {
				return false
			}
			if rest[2]&0x1f == naluIDR {
				return true
			}
			rest = rest[2+size:]
		}
	case naluFUA:
		return len(payload) >= 2 && payload[1]&0x80 != 0 && payload[1]&0x1f == naluIDR
	}
	return false
}

// parameterSets tells whether an H.264 RTP payload carries an SPS or PPS (alone or first
// in a STAP-A): what comes before a keyframe's slices, no reason to ask for one.
func parameterSets(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	t := payload[0] & 0x1f
	if t == naluSTAPA && len(payload) >= 4 {
		t = payload[3] & 0x1f
	}
	return t == 7 || t == 8
}

// onRTP takes one decrypted RTP packet of the viewer.
func (v *viewer) onRTP(p []byte) {
	if len(p) < 2 {
		return
	}
	kind, ok := v.payloads[p[1]&0x7f]
	if !ok {
		v.unknownPT.Add(1)
		return
	}
	seq, marker, payload, ok := rtpPayload(p)
	if !ok {
		return
	}
	if kind != kindH264 && kind != kindVideo {
		v.audio.count(seq, len(p))
		return
	}
	prev, inOrder := v.video.lastSeq, !v.video.haveSeq || seq == v.video.lastSeq+1
	v.video.count(seq, len(p))
	if kind != kindH264 {
		return
	}
	if startsIDR(payload) && !v.inKeyframe {
		v.video.keyframes.Add(1)
		v.inKeyframe = true
		v.keyframeWhole = true
	} else if v.inKeyframe && !inOrder && seq-prev < 0x8000 {
		v.keyframeWhole = false // a packet of the picture is missing: not decodable
	}
	if v.firstFrame.Load() == 0 && !v.inKeyframe && !parameterSets(payload) && len(p) >= 12 {
		v.sendPLI(binary.BigEndian.Uint32(p[8:12]))
	}
	if marker && v.inKeyframe {
		v.inKeyframe = false
		if v.firstFrame.Load() == 0 && v.keyframeWhole {
			d := time.Since(v.startTime())
			if d <= 0 {
				d = 1
			}
			v.firstFrame.Store(int64(d))
		}
	}
}
