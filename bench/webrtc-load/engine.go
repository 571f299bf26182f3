// engine.go — every viewer's transport: one UDP socket each, served by one epoll loop
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Pion's PeerConnection costs a few goroutine hand-offs and a syscall per packet per viewer,
// which at a few hundred viewers would cost the generator more than the server under test.
// So the viewers share one loop: one goroutine waits on every socket with epoll, reads
// what is ready, answers STUN, hands DTLS records to that viewer's Pion DTLS connection (the
// handshake runs on Pion's goroutines, once), and decrypts SRTP in place with Pion's SRTP
// context. ICE is the small part of full ICE a host-candidate peer on loopback needs: checks
// to the server's host candidates (nominating when we are controlling), answers to the
// server's checks (peer-reflexive included), and a check every 2 s once connected (consent).

package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/pion/dtls/v2"
	"github.com/pion/ice/v2"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v2"
	"github.com/pion/stun"
)

const (
	checkInterval   = 100 * time.Millisecond // connectivity checks until connected
	consentInterval = 2 * time.Second
	dtlsQueue       = 128
	earlyQueue      = 2048 // SRTP packets kept while the DTLS goroutine derives the keys
	pollInterval    = 5 * time.Millisecond
	pliInterval     = 500 * time.Millisecond
)

// sendPLI asks for a keyframe as a browser does when its first video is not one (RFC 4585
// picture loss indication over SRTCP), at most every pliInterval. Called by the loop.
func (v *viewer) sendPLI(mediaSSRC uint32) {
	if !v.eng.pli || v.srtcpOut == nil || time.Since(v.lastPLI) < pliInterval {
		return
	}
	v.lastPLI = time.Now()
	pkt := make([]byte, 12)
	pkt[0], pkt[1], pkt[3] = 0x81, 206, 2 // V=2, FMT=1 (PLI), PT=PSFB, length 2
	binary.BigEndian.PutUint32(pkt[4:], v.ssrc)
	binary.BigEndian.PutUint32(pkt[8:], mediaSSRC)
	enc, err := v.srtcpOut.EncryptRTCP(nil, pkt, nil)
	if err != nil {
		return
	}
	v.mu.Lock()
	to := v.selected
	v.mu.Unlock()
	if to != nil {
		syscall.Sendto(v.fd, enc, 0, to)
		v.plis.Add(1)
	}
}

type engine struct {
	localIP     net.IP
	cert        tls.Certificate
	fingerprint string // "sha-256 AB:…"
	epfd        int
	pli         bool // ask for a keyframe when the first video is not one

	mu      sync.RWMutex
	viewers map[int32]*viewer // by socket

	decryptErrors atomic.Uint64
}

// viewer is one receive-only session: its socket, ICE and DTLS state, SRTP context, counters.
type viewer struct {
	id  int
	eng *engine

	fd        int
	localIP   net.IP
	localPort int
	ufrag     string
	pwd       string

	tieBreaker  uint64
	controlling bool

	mu          sync.Mutex
	err         string
	started     time.Time // offer sent (or, for an offering server, the request that makes it)
	answered    time.Time // the other side's SDP arrived
	closer      func()    // ends the signaling session (DELETE, WebSocket close, Janus destroy)
	remote      *remoteDesc
	selected    syscall.Sockaddr // where checks answered, media and DTLS go
	lastCheck   time.Time
	dtlsStarted bool
	dtlsConn    *dtls.Conn

	dtlsIn   chan []byte
	closed   chan struct{}
	payloads map[byte]int // set before media can arrive; read by the loop only afterwards
	srtp     atomic.Pointer[srtp.Context]
	srtcpOut *srtp.Context // our RTCP (PLI), set with srtp; used by the loop only
	ssrc     uint32        // ours, as the PLI's sender
	lastPLI  time.Time

	iceOK  atomic.Bool
	dtlsOK atomic.Bool
	// firstFrame is the time from started to the end (marker bit) of the first IDR picture
	// received whole (every packet from its first to its marker, in sequence), in
	// nanoseconds; 0 until then.
	firstFrame atomic.Int64
	unknownPT  atomic.Uint64
	plis       atomic.Uint64

	// The loop's alone.
	inKeyframe    bool
	keyframeWhole bool     // no packet of the IDR picture being received is missing
	early         [][]byte // SRTP packets that came before the keys (the handshake's goroutine)
	hdr           rtp.Header
	video         rtpStats
	audio         rtpStats
}

func newEngine(localIP net.IP) (*engine, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(mrand.Int63()), Subject: pkix.Name{CommonName: "castbridge-loadgen"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	e := &engine{localIP: localIP.To4(), epfd: epfd, viewers: map[int32]*viewer{},
		cert:        tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		fingerprint: "sha-256 " + strings.Join(hexes, ":")}
	go e.loop()
	go e.timers()
	return e, nil
}

func randomICE(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

// newViewer opens the viewer's socket on the local address and registers it with the loop.
func (e *engine) newViewer(id int) (*viewer, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	// Room for a keyframe's burst while the loop serves the others.
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 1<<20) != nil {
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1<<20)
	}
	var addr syscall.SockaddrInet4
	copy(addr.Addr[:], e.localIP)
	if err := syscall.Bind(fd, &addr); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	v := &viewer{id: id, eng: e, fd: fd, localIP: e.localIP, localPort: sa.(*syscall.SockaddrInet4).Port,
		ufrag: randomICE(8), pwd: randomICE(24), tieBreaker: mrand.Uint64(), ssrc: mrand.Uint32(),
		dtlsIn: make(chan []byte, dtlsQueue), closed: make(chan struct{})}
	e.mu.Lock()
	e.viewers[int32(fd)] = v
	e.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(e.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

func (v *viewer) fail(msg string) {
	v.mu.Lock()
	if v.err == "" {
		v.err = msg
	}
	v.mu.Unlock()
}

func (v *viewer) error() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

func (v *viewer) startTime() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.started
}

// setRemote takes the server's SDP; checks start on the next timer tick.
func (v *viewer) setRemote(d *remoteDesc, controlling bool) error {
	if len(d.candidates) == 0 {
		return errors.New("the server's SDP has no IPv4 UDP candidate")
	}
	v.mu.Lock()
	v.remote = d
	v.controlling = controlling || d.lite
	if v.payloads == nil {
		v.payloads = d.payloads
	}
	v.mu.Unlock()
	return nil
}

func (v *viewer) close() {
	v.mu.Lock()
	conn := v.dtlsConn
	select {
	case <-v.closed:
		v.mu.Unlock()
		return
	default:
		close(v.closed)
	}
	v.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	v.eng.mu.Lock()
	delete(v.eng.viewers, int32(v.fd))
	v.eng.mu.Unlock()
	syscall.EpollCtl(v.eng.epfd, syscall.EPOLL_CTL_DEL, v.fd, nil)
	syscall.Close(v.fd)
}

// ---- the loop ----------------------------------------------------------------------------

// mmsghdr is struct mmsghdr of <sys/socket.h> on 64-bit Linux.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

const batch = 16

// receiver holds the buffers of one recvmmsg call.
type receiver struct {
	msgs  [batch]mmsghdr
	iovs  [batch]syscall.Iovec
	names [batch]syscall.RawSockaddrInet4
	bufs  [batch][2048]byte
}

func newReceiver() *receiver {
	r := &receiver{}
	for i := range r.msgs {
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(len(r.bufs[i]))
		r.msgs[i].hdr.Iov = &r.iovs[i]
		r.msgs[i].hdr.Iovlen = 1
		r.msgs[i].hdr.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	return r
}

// read takes what is queued on fd, up to batch packets, without blocking.
func (r *receiver) read(fd int) int {
	for i := range r.msgs {
		r.msgs[i].hdr.Namelen = syscall.SizeofSockaddrInet4
	}
	// Non-blocking (MSG_DONTWAIT), so the raw call does not hold up Go's scheduler.
	n, _, errno := syscall.RawSyscall6(syscall.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&r.msgs[0])),
		batch, syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(n)
}

func (r *receiver) from(i int) syscall.Sockaddr {
	raw := &r.names[i]
	if raw.Family != syscall.AF_INET {
		return nil
	}
	port := int(raw.Port>>8 | raw.Port<<8)
	return &syscall.SockaddrInet4{Port: port, Addr: raw.Addr}
}

func (e *engine) loop() {
	events := make([]syscall.EpollEvent, 512)
	r := newReceiver()
	plain := make([]byte, 2048)
	for {
		start := time.Now()
		n, err := syscall.EpollWait(e.epfd, events, 500)
		if err != nil && err != syscall.EINTR {
			fmt.Fprintln(os.Stderr, "castbridge-loadgen: epoll:", err)
			return
		}
		for i := 0; i < n; i++ {
			e.mu.RLock()
			v := e.viewers[events[i].Fd]
			e.mu.RUnlock()
			if v == nil {
				continue
			}
			for {
				got := r.read(v.fd)
				for j := 0; j < got; j++ {
					size := int(r.msgs[j].len)
					if size > 0 {
						v.onPacket(r.bufs[j][:size], r.from(j), plain)
					}
				}
				if got < batch {
					break
				}
			}
		}
		// Serve every socket at most every pollInterval, so that each wake-up finds several
		// packets queued: fewer system calls per packet. The socket buffers hold the rest.
		if d := pollInterval - time.Since(start); d > 0 {
			time.Sleep(d)
		}
	}
}

// onPacket demultiplexes by the first byte (RFC 7983): STUN, DTLS, or RTP/RTCP.
func (v *viewer) onPacket(p []byte, from syscall.Sockaddr, plain []byte) {
	switch b := p[0]; {
	case b < 4:
		v.onSTUN(p, from)
	case b >= 20 && b < 64:
		select {
		case v.dtlsIn <- append([]byte(nil), p...):
		default: // the handshake is not reading: a retransmit will come
		}
	case b >= 128 && b < 192:
		if len(p) < 12 || (p[1]&0x7f >= 64 && p[1]&0x7f < 96) {
			return // RTCP (sender reports): not counted
		}
		ctx := v.srtp.Load()
		if ctx == nil {
			// The server sends media right after its last handshake flight, as a browser
			// expects: keep it until our goroutine has the keys (a browser does not lose it).
			if v.iceOK.Load() && len(v.early) < earlyQueue {
				v.early = append(v.early, append([]byte(nil), p...))
			}
			return
		}
		for _, e := range v.early {
			v.decrypt(ctx, e, plain)
		}
		v.early = nil
		v.decrypt(ctx, p, plain)
	}
}

func (v *viewer) decrypt(ctx *srtp.Context, p []byte, plain []byte) {
	out, err := ctx.DecryptRTP(plain[:0], p, &v.hdr)
	if err != nil {
		v.eng.decryptErrors.Add(1)
		return
	}
	v.onRTP(out)
}

func sockaddrUDP(sa syscall.Sockaddr) *net.UDPAddr {
	if a, ok := sa.(*syscall.SockaddrInet4); ok {
		return &net.UDPAddr{IP: net.IPv4(a.Addr[0], a.Addr[1], a.Addr[2], a.Addr[3]), Port: a.Port}
	}
	return nil
}

func udpSockaddr(a *net.UDPAddr) syscall.Sockaddr {
	sa := &syscall.SockaddrInet4{Port: a.Port}
	copy(sa.Addr[:], a.IP.To4())
	return sa
}

func sameAddr(a, b syscall.Sockaddr) bool {
	x, ok1 := a.(*syscall.SockaddrInet4)
	y, ok2 := b.(*syscall.SockaddrInet4)
	return ok1 && ok2 && x.Port == y.Port && x.Addr == y.Addr
}

func (v *viewer) onSTUN(p []byte, from syscall.Sockaddr) {
	m := &stun.Message{Raw: append([]byte(nil), p...)}
	if err := m.Decode(); err != nil {
		return
	}
	v.mu.Lock()
	remote := v.remote
	v.mu.Unlock()
	if remote == nil {
		return // checks before the answer: the server retries
	}
	switch m.Type {
	case stun.BindingRequest:
		var user stun.Username
		if user.GetFrom(m) != nil || !strings.HasPrefix(user.String(), v.ufrag+":") ||
			stun.NewShortTermIntegrity(v.pwd).Check(m) != nil {
			return
		}
		addr := sockaddrUDP(from)
		if addr == nil {
			return
		}
		resp, err := stun.Build(stun.NewTransactionIDSetter(m.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: addr.IP, Port: addr.Port},
			stun.NewShortTermIntegrity(v.pwd), stun.Fingerprint)
		if err != nil {
			return
		}
		syscall.Sendto(v.fd, resp.Raw, 0, from)
		// A controlling server nominates with USE-CANDIDATE; as the controlled side we take
		// the pair it checks (its address may be one it never announced).
		if !v.controlling && m.Contains(stun.AttrUseCandidate) {
			v.connected(from)
		}
	case stun.BindingSuccess:
		if stun.NewShortTermIntegrity(remote.pwd).Check(m) != nil {
			return
		}
		v.connected(from)
	}
}

// connected selects the pair and starts DTLS once.
func (v *viewer) connected(to syscall.Sockaddr) {
	v.mu.Lock()
	if v.selected == nil || !v.iceOK.Load() {
		v.selected = to
	}
	start := !v.dtlsStarted
	v.dtlsStarted = true
	v.mu.Unlock()
	v.iceOK.Store(true)
	if start {
		go v.handshake()
	}
}

// ---- ICE timers --------------------------------------------------------------------------

func (e *engine) timers() {
	t := time.NewTicker(checkInterval)
	for now := range t.C {
		e.mu.RLock()
		list := make([]*viewer, 0, len(e.viewers))
		for _, v := range e.viewers {
			list = append(list, v)
		}
		e.mu.RUnlock()
		for _, v := range list {
			v.tick(now)
		}
	}
}

func (v *viewer) tick(now time.Time) {
	v.mu.Lock()
	remote, selected := v.remote, v.selected
	due := v.lastCheck.IsZero() || now.Sub(v.lastCheck) >= consentInterval
	connected := v.iceOK.Load()
	if remote == nil || (connected && !due) {
		v.mu.Unlock()
		return
	}
	v.lastCheck = now
	v.mu.Unlock()
	setters := []stun.Setter{stun.TransactionID, stun.BindingRequest,
		stun.NewUsername(remote.ufrag + ":" + v.ufrag), ice.PriorityAttr(2130706431)}
	if v.controlling {
		setters = append(setters, ice.AttrControlling(v.tieBreaker), ice.UseCandidate())
	} else {
		setters = append(setters, ice.AttrControlled(v.tieBreaker))
	}
	setters = append(setters, stun.NewShortTermIntegrity(remote.pwd), stun.Fingerprint)
	m, err := stun.Build(setters...)
	if err != nil {
		return
	}
	if connected && selected != nil {
		syscall.Sendto(v.fd, m.Raw, 0, selected)
		return
	}
	for _, c := range remote.candidates {
		syscall.Sendto(v.fd, m.Raw, 0, udpSockaddr(c))
	}
}

// ---- DTLS --------------------------------------------------------------------------------

// packetConn is the viewer's DTLS transport: records from the loop in, sendto out.
type packetConn struct{ v *viewer }

func (c packetConn) Read(b []byte) (int, error) {
	select {
	case p := <-c.v.dtlsIn:
		return copy(b, p), nil
	case <-c.v.closed:
		return 0, io.EOF
	}
}

func (c packetConn) Write(b []byte) (int, error) {
	c.v.mu.Lock()
	to := c.v.selected
	c.v.mu.Unlock()
	if err := syscall.Sendto(c.v.fd, b, 0, to); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (c packetConn) Close() error        { return nil }
func (c packetConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: c.v.localIP, Port: c.v.localPort} }
func (c packetConn) RemoteAddr() net.Addr {
	c.v.mu.Lock()
	defer c.v.mu.Unlock()
	return sockaddrUDP(c.v.selected)
}
func (c packetConn) SetDeadline(time.Time) error      { return nil }
func (c packetConn) SetReadDeadline(time.Time) error  { return nil }
func (c packetConn) SetWriteDeadline(time.Time) error { return nil }

func (v *viewer) handshake() {
	v.mu.Lock()
	remote := v.remote
	v.mu.Unlock()
	want := remote.fingerprint
	cfg := &dtls.Config{
		Certificates:           []tls.Certificate{v.eng.cert},
		SRTPProtectionProfiles: []dtls.SRTPProtectionProfile{dtls.SRTP_AEAD_AES_128_GCM, dtls.SRTP_AES128_CM_HMAC_SHA1_80},
		ExtendedMasterSecret:   dtls.RequestExtendedMasterSecret,
		InsecureSkipVerify:     true,
		ClientAuth:             dtls.RequireAnyClientCert,
		FlightInterval:         time.Second,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate")
			}
			if !strings.HasPrefix(want, "sha-256 ") {
				return nil // another hash: not checked here
			}
			sum := sha256.Sum256(raw[0])
			got := make([]string, len(sum))
			for i, b := range sum {
				got[i] = fmt.Sprintf("%02x", b)
			}
			if "sha-256 "+strings.Join(got, ":") != want {
				return errors.New("the DTLS certificate does not match the SDP fingerprint")
			}
			return nil
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The server's a=setup:active makes it the DTLS client; passive (or a lite server) the server.
	client := remote.setup != "active"
	var conn *dtls.Conn
	var err error
	if client {
		conn, err = dtls.ClientWithContext(ctx, packetConn{v}, cfg)
	} else {
		conn, err = dtls.ServerWithContext(ctx, packetConn{v}, cfg)
	}
	if err != nil {
		v.fail("DTLS: " + err.Error())
		return
	}
	v.mu.Lock()
	v.dtlsConn = conn
	v.mu.Unlock()
	profile, ok := conn.SelectedSRTPProtectionProfile()
	if !ok {
		v.fail("DTLS: no SRTP profile negotiated")
		return
	}
	sc := srtp.Config{Profile: srtp.ProtectionProfile(profile)}
	state := conn.ConnectionState()
	if err := sc.ExtractSessionKeysFromDTLS(&state, client); err != nil {
		v.fail("SRTP keys: " + err.Error())
		return
	}
	sctx, err := srtp.CreateContext(sc.Keys.RemoteMasterKey, sc.Keys.RemoteMasterSalt, sc.Profile,
		srtp.SRTPReplayProtection(1024))
	if err != nil {
		v.fail("SRTP: " + err.Error())
		return
	}
	out, err := srtp.CreateContext(sc.Keys.LocalMasterKey, sc.Keys.LocalMasterSalt, sc.Profile)
	if err != nil {
		v.fail("SRTCP: " + err.Error())
		return
	}
	v.srtcpOut = out
	v.srtp.Store(sctx) // publishes srtcpOut to the loop too
	v.dtlsOK.Store(true)
	// Pion reads the connection for alerts from now on; a close_notify ends it.
	go func() {
		b := make([]byte, 1500)
		for {
			if _, err := conn.Read(b); err != nil {
				return
			}
		}
	}()
}
