// sdp.go — the viewer's offer or answer, and what it reads from the other side's SDP
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A viewer offers (or, to an offering server such as Janus, answers) one receive-only video
// section (H.264 packetization-mode 1 in the usual profiles) and one audio section (Opus),
// bundled, rtcp-mux, with its one host candidate and end-of-candidates: no trickle.

package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

const (
	kindAudio = iota + 1
	kindVideo // video that is not H.264 (counted, not inspected)
	kindH264
)

var h264Profiles = []string{"42e01f", "42001f", "4d001f", "640032", "64001f", "640c1f"}

// remoteDesc is what a viewer needs from the server's SDP.
type remoteDesc struct {
	ufrag, pwd  string
	fingerprint string // "sha-256 AB:CD:…" (lower-cased algorithm)
	setup       string // active | passive | actpass
	lite        bool
	candidates  []*net.UDPAddr
	payloads    map[byte]int // payload type → kind
	sections    []mediaSection
}

type mediaSection struct {
	kind     string // "video" | "audio" | other
	mid      string
	rejected bool
	pts      []string          // in the m= line's order
	codecs   map[string]string // pt → "H264", "opus", …
	fmtp     map[string]string
}

func parseSDP(sdp string) (*remoteDesc, error) {
	d := &remoteDesc{payloads: map[byte]int{}}
	var cur *mediaSection
	for _, line := range strings.Split(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			f := strings.Fields(line[2:])
			if len(f) < 4 {
				return nil, fmt.Errorf("bad m= line %q", line)
			}
			d.sections = append(d.sections, mediaSection{kind: f[0], rejected: f[1] == "0",
				pts: f[3:], codecs: map[string]string{}, fmtp: map[string]string{}})
			cur = &d.sections[len(d.sections)-1]
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			d.ufrag = line[len("a=ice-ufrag:"):]
		case strings.HasPrefix(line, "a=ice-pwd:"):
			d.pwd = line[len("a=ice-pwd:"):]
		case line == "a=ice-lite":
			d.lite = true
		case strings.HasPrefix(line, "a=fingerprint:"):
			d.fingerprint = strings.ToLower(line[len("a=fingerprint:"):])
		case strings.HasPrefix(line, "a=setup:"):
			d.setup = line[len("a=setup:"):]
		case strings.HasPrefix(line, "a=mid:") && cur != nil:
			cur.mid = line[len("a=mid:"):]
		case strings.HasPrefix(line, "a=rtpmap:") && cur != nil:
			f := strings.Fields(line[len("a=rtpmap:"):])
			if len(f) == 2 {
				cur.codecs[f[0]] = strings.SplitN(f[1], "/", 2)[0]
			}
		case strings.HasPrefix(line, "a=fmtp:") && cur != nil:
			f := strings.SplitN(line[len("a=fmtp:"):], " ", 2)
			if len(f) == 2 {
				cur.fmtp[f[0]] = f[1]
			}
		case strings.HasPrefix(line, "a=candidate:"):
			// foundation component transport priority address port typ type …
			f := strings.Fields(line[len("a=candidate:"):])
			if len(f) < 8 || !strings.EqualFold(f[2], "udp") || f[1] != "1" {
				continue
			}
			ip := net.ParseIP(f[4]).To4()
			port, err := strconv.Atoi(f[5])
			if ip == nil || err != nil || port <= 0 || port > 65535 {
				continue // IPv6 and mDNS names: not for this generator
			}
			addr := &net.UDPAddr{IP: ip, Port: port}
			dup := false
			for _, c := range d.candidates {
				dup = dup || (c.IP.Equal(addr.IP) && c.Port == addr.Port)
			}
			if !dup {
				d.candidates = append(d.candidates, addr)
			}
		}
	}
	for _, m := range d.sections {
		if m.rejected {
			continue
		}
		for _, pt := range m.pts {
			n, err := strconv.Atoi(pt)
			if err != nil || n < 0 || n > 127 {
				continue
			}
			codec := strings.ToLower(m.codecs[pt])
			switch {
			case m.kind == "audio":
				d.payloads[byte(n)] = kindAudio
			case m.kind == "video" && codec == "h264":
				d.payloads[byte(n)] = kindH264
			case m.kind == "video":
				d.payloads[byte(n)] = kindVideo
			}
		}
	}
	if d.ufrag == "" || d.pwd == "" {
		return nil, errors.New("SDP without ice-ufrag/ice-pwd")
	}
	if d.fingerprint == "" {
		return nil, errors.New("SDP without a DTLS fingerprint")
	}
	return d, nil
}

func (v *viewer) sessionHeader(b *strings.Builder, mids []string) {
	fmt.Fprintf(b, "v=0\r\no=- %d 2 IN IP4 %s\r\ns=-\r\nt=0 0\r\n", v.tieBreaker>>2, v.localIP)
	fmt.Fprintf(b, "a=group:BUNDLE %s\r\na=msid-semantic: WMS\r\n", strings.Join(mids, " "))
}

func (v *viewer) transportLines(b *strings.Builder, setup string) {
	fmt.Fprintf(b, "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n")
	fmt.Fprintf(b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", v.ufrag, v.pwd)
	fmt.Fprintf(b, "a=fingerprint:%s\r\na=setup:%s\r\n", v.eng.fingerprint, setup)
	fmt.Fprintf(b, "a=candidate:1 1 udp 2130706431 %s %d typ host\r\na=end-of-candidates\r\n",
		v.localIP, v.localPort)
}

// offerSDP is the viewer's receive-only offer.
func (v *viewer) offerSDP() string {
	var b strings.Builder
	v.sessionHeader(&b, []string{"0", "1"})
	pts := make([]string, len(h264Profiles))
	for i := range h264Profiles {
		pts[i] = strconv.Itoa(96 + i)
	}
	fmt.Fprintf(&b, "m=video 9 UDP/TLS/RTP/SAVPF %s\r\n", strings.Join(pts, " "))
	v.transportLines(&b, "actpass")
	b.WriteString("a=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n")
	for i, profile := range h264Profiles {
		fmt.Fprintf(&b, "a=rtpmap:%d H264/90000\r\na=rtcp-fb:%d nack pli\r\n", 96+i, 96+i)
		fmt.Fprintf(&b, "a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=%s\r\n",
			96+i, profile)
	}
	b.WriteString("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")
	v.transportLines(&b, "actpass")
	b.WriteString("a=mid:1\r\na=recvonly\r\na=rtcp-mux\r\n")
	b.WriteString("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n")
	return b.String()
}

// answerSDP answers an offer (Janus): every offered section that sends audio or video gets a
// receive-only answer with the first payload type we can count (H.264 packetization-mode 1
// first for video), as the DTLS client.
func (v *viewer) answerSDP(offer *remoteDesc) (string, error) {
	var mids []string
	for _, m := range offer.sections {
		mids = append(mids, m.mid)
	}
	var b strings.Builder
	v.sessionHeader(&b, mids)
	v.payloads = map[byte]int{}
	usable := 0
	for _, m := range offer.sections {
		pick := ""
		if !m.rejected && (m.kind == "video" || m.kind == "audio") {
			for _, pt := range m.pts {
				codec := strings.ToLower(m.codecs[pt])
				if m.kind == "audio" && codec == "opus" ||
					m.kind == "video" && codec == "h264" && !strings.Contains(m.fmtp[pt], "packetization-mode=0") {
					pick = pt
					break
				}
			}
		}
		if pick == "" {
			fmt.Fprintf(&b, "m=%s 0 UDP/TLS/RTP/SAVPF %s\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=inactive\r\n",
				m.kind, strings.Join(m.pts, " "), m.mid)
			continue
		}
		usable++
		n, _ := strconv.Atoi(pick)
		if m.kind == "audio" {
			v.payloads[byte(n)] = kindAudio
		} else {
			v.payloads[byte(n)] = kindH264
		}
		fmt.Fprintf(&b, "m=%s 9 UDP/TLS/RTP/SAVPF %s\r\n", m.kind, pick)
		v.transportLines(&b, "active")
		fmt.Fprintf(&b, "a=mid:%s\r\na=recvonly\r\na=rtcp-mux\r\n", m.mid)
		fmt.Fprintf(&b, "a=rtpmap:%s %s/%s\r\n", pick, m.codecs[pick],
			map[string]string{"audio": "48000/2", "video": "90000"}[m.kind])
		if f := m.fmtp[pick]; f != "" {
			fmt.Fprintf(&b, "a=fmtp:%s %s\r\n", pick, f)
		}
	}
	if usable == 0 {
		return "", errors.New("the offer has neither H.264 nor Opus")
	}
	return b.String(), nil
}
