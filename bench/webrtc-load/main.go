// castbridge-loadgen — opens N receive-only WebRTC viewers of one stream without decoding,
// checks each one (ICE and DTLS done, SRTP decrypted, packets and bytes per second, RTP
// sequence gaps, H.264 keyframes, first-frame time) and prints one JSON summary line
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Usage:
//
//	castbridge-loadgen -mode whep  -url http://127.0.0.1:8081/whep/NAME      -n 300
//	castbridge-loadgen -mode wcs   -url ws://127.0.0.1:8080/ -stream NAME     -n 300
//	castbridge-loadgen -mode janus -url http://127.0.0.1:8088/janus -mountpoint 1 -n 300
//
// Viewers are started at -rate per second; once every viewer has its first frame (or
// -connect-timeout has passed) and after -warmup seconds, each viewer is measured over
// -duration seconds. Built from Debian's Pion packages (STUN, DTLS, SRTP; not its
// PeerConnection, see engine.go); see bench/webrtc-load/build.sh.

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"
)

type options struct {
	mode           string
	url            string
	stream         string
	mountpoint     int
	n              int
	rate           float64
	duration       time.Duration
	warmup         time.Duration
	connectTimeout time.Duration
	localIP        string
	perViewer      bool
	cpuProfile     string
	pli            bool
}

func parseOptions() options {
	var o options
	flag.StringVar(&o.mode, "mode", "whep", "whep | wcs | janus")
	flag.StringVar(&o.url, "url", "", "WHEP endpoint, WebSocket URL, or Janus HTTP API URL")
	flag.StringVar(&o.stream, "stream", "", "stream name (wcs)")
	flag.IntVar(&o.mountpoint, "mountpoint", 1, "streaming mountpoint id (janus)")
	flag.IntVar(&o.n, "n", 1, "viewers")
	flag.Float64Var(&o.rate, "rate", 25, "viewers started per second")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measurement window")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "wait after the last first frame")
	flag.DurationVar(&o.connectTimeout, "connect-timeout", 30*time.Second,
		"longest wait for every viewer's first frame")
	flag.StringVar(&o.localIP, "local-ip", "127.0.0.1", "the viewers' host candidate address (IPv4)")
	flag.BoolVar(&o.perViewer, "per-viewer", false, "print one JSON line per viewer to stderr")
	flag.BoolVar(&o.pli, "pli", true, "send a PLI while the first keyframe has not come, as browsers do")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the window to FILE")
	flag.Parse()
	if o.url == "" || o.n < 0 || net.ParseIP(o.localIP).To4() == nil || o.rate <= 0 || (o.mode == "wcs" && o.stream == "") ||
		(o.mode != "whep" && o.mode != "wcs" && o.mode != "janus") {
		fmt.Fprintln(os.Stderr, "castbridge-loadgen: -url is needed, -mode whep|wcs|janus, -stream for wcs")
		flag.Usage()
		os.Exit(2)
	}
	return o
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

type snapshot struct {
	videoPackets, videoBytes, audioPackets, audioBytes, lost uint64
}

func (v *viewer) snap() snapshot {
	return snapshot{v.video.packets.Load(), v.video.bytes.Load(), v.audio.packets.Load(),
		v.audio.bytes.Load(), v.video.lost.Load() + v.audio.lost.Load()}
}

type dist struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

func distOf(xs []float64) *dist {
	if len(xs) == 0 {
		return nil
	}
	sort.Float64s(xs)
	med := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		med = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	r := func(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
	return &dist{r(xs[0]), r(med), r(xs[len(xs)-1])}
}

type summary struct {
	Mode        string         `json:"mode"`
	Viewers     int            `json:"viewers"`
	ICE         int            `json:"ice_connected"`
	DTLS        int            `json:"dtls_connected"`
	Receiving   int            `json:"receiving"` // video and audio packets in the window
	Keyframe    int            `json:"with_keyframe"`
	WithGaps    int            `json:"viewers_with_gaps"` // in the window
	Lost        uint64         `json:"lost_packets"`      // in the window, all viewers
	LostTotal   uint64         `json:"lost_packets_total"`
	Window      float64        `json:"window_s"`
	KbpsAll     *dist          `json:"kbps"` // per viewer, video + audio, in the window
	PPS         *dist          `json:"pps"`  // per viewer
	FirstFrame  *dist          `json:"first_frame_ms"`
	Signaling   *dist          `json:"signaling_ms"` // offer sent → answer received
	DeliveredMb float64        `json:"delivered_mbps"`
	CPU         float64        `json:"cpu_s"`            // this process, whole run
	CPUWindow   float64        `json:"cpu_window_pct"`   // this process, % of one core in the window
	Setup       float64        `json:"setup_s"`          // first viewer started → last first frame
	Errors      map[string]int `json:"errors,omitempty"` // first error of each failed viewer
	DecryptErr  uint64         `json:"srtp_errors"`      // packets that failed SRTP authentication
	PLIs        uint64         `json:"plis_sent"`        // keyframe requests, all viewers
	OK          bool           `json:"ok"`
}

func main() {
	o := parseOptions()
	eng, err := newEngine(net.ParseIP(o.localIP))
	if err != nil {
		fmt.Fprintln(os.Stderr, "castbridge-loadgen:", err)
		os.Exit(2)
	}
	eng.pli = o.pli
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)

	viewers := make([]*viewer, o.n)
	var setups sync.WaitGroup
	t0 := time.Now()
	interval := time.Duration(float64(time.Second) / o.rate)
	for i := range viewers {
		v, err := eng.newViewer(i)
		if err != nil {
			fmt.Fprintln(os.Stderr, "castbridge-loadgen: viewer socket:", err)
			os.Exit(2)
		}
		viewers[i] = v
		setups.Add(1)
		go func() {
			defer setups.Done()
			var err error
			switch o.mode {
			case "whep":
				err = playWHEP(v, o.url)
			case "wcs":
				err = playWCS(v, o.url, o.stream, o.connectTimeout)
			case "janus":
				err = playJanus(v, o.url, o.mountpoint, o.connectTimeout)
			}
			if err != nil {
				v.fail(err.Error())
			}
		}()
		select {
		case <-interrupted:
			os.Exit(130)
		case <-time.After(interval):
		}
	}

	// Wait for every viewer's first frame (or its failure).
	deadline := time.Now().Add(o.connectTimeout)
	for time.Now().Before(deadline) {
		pending := 0
		for _, v := range viewers {
			if v.firstFrame.Load() == 0 && v.error() == "" {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	setup := time.Since(t0)
	time.Sleep(o.warmup)

	before := make([]snapshot, len(viewers))
	for i, v := range viewers {
		before[i] = v.snap()
	}
	if o.cpuProfile != "" {
		if f, err := os.Create(o.cpuProfile); err == nil {
			pprof.StartCPUProfile(f)
			defer f.Close()
		}
	}
	// A driver (bench/webrtc.py) measures the server over the same window.
	fmt.Fprintln(os.Stderr, `{"event":"window-start"}`)
	cpu0, w0 := cpuSeconds(), time.Now()
	select {
	case <-interrupted:
	case <-time.After(o.duration):
	}
	window := time.Since(w0).Seconds()
	cpuWindow := cpuSeconds() - cpu0
	fmt.Fprintln(os.Stderr, `{"event":"window-end"}`)
	pprof.StopCPUProfile()

	s := summary{Mode: o.mode, Viewers: o.n, Window: round1(window), Errors: map[string]int{},
		Setup: round1(setup.Seconds())}
	var kbps, pps, ff, sig []float64
	var delivered float64
	for i, v := range viewers {
		a := v.snap()
		b := before[i]
		if v.iceOK.Load() {
			s.ICE++
		}
		if v.dtlsOK.Load() {
			s.DTLS++
		}
		if v.video.keyframes.Load() > 0 {
			s.Keyframe++
		}
		vp, ap := a.videoPackets-b.videoPackets, a.audioPackets-b.audioPackets
		if vp > 0 && ap > 0 {
			s.Receiving++
		}
		lost := a.lost - b.lost
		s.Lost += lost
		s.LostTotal += a.lost
		if lost > 0 {
			s.WithGaps++
		}
		bits := float64(a.videoBytes-b.videoBytes+a.audioBytes-b.audioBytes) * 8
		kbps = append(kbps, bits/window/1000)
		pps = append(pps, float64(vp+ap)/window)
		delivered += bits / window / 1e6
		if f := v.firstFrame.Load(); f > 0 {
			ff = append(ff, float64(f)/1e6)
		}
		v.mu.Lock()
		if !v.answered.IsZero() && !v.started.IsZero() {
			sig = append(sig, float64(v.answered.Sub(v.started))/1e6)
		}
		v.mu.Unlock()
		if e := v.error(); e != "" {
			s.Errors[e]++
		} else if vp == 0 {
			s.Errors["no video in the window"]++
		}
		if o.perViewer {
			line, _ := json.Marshal(map[string]interface{}{"viewer": i, "ice": v.iceOK.Load(),
				"dtls": v.dtlsOK.Load(), "video_packets": vp, "audio_packets": ap,
				"lost": lost, "keyframes": v.video.keyframes.Load(),
				"kbps": round1(bits / window / 1000), "first_frame_ms": round1(float64(v.firstFrame.Load()) / 1e6),
				"error": v.error()})
			fmt.Fprintln(os.Stderr, string(line))
		}
	}
	s.KbpsAll, s.PPS, s.FirstFrame, s.Signaling = distOf(kbps), distOf(pps), distOf(ff), distOf(sig)
	s.DeliveredMb = round1(delivered)
	s.CPUWindow = round1(100 * cpuWindow / window)
	s.DecryptErr = eng.decryptErrors.Load()
	for _, v := range viewers {
		s.PLIs += v.plis.Load()
	}
	s.OK = s.Receiving == o.n && s.Keyframe == o.n && len(s.Errors) == 0

	// Hang up: close the peer connections and the signaling sessions (not measured).
	var closing sync.WaitGroup
	setups.Wait()
	for _, v := range viewers {
		closing.Add(1)
		go func(v *viewer) {
			defer closing.Done()
			if v.closer != nil {
				v.closer()
			}
			v.close()
		}(v)
	}
	waitTimeout(&closing, 10*time.Second)
	s.CPU = round1(cpuSeconds())
	line, _ := json.Marshal(s)
	fmt.Println(string(line))
	if !s.OK {
		os.Exit(1)
	}
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
