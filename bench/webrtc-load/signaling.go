// signaling.go — how a viewer gets its session: WHEP, the WCS WebSocket playStream, or the
// Janus streaming plugin over Janus's HTTP API
// SPDX-License-Identifier: GPL-3.0-or-later

package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/net/websocket"
)

var httpClient = &http.Client{
	Timeout: 20 * time.Second,
	Transport: &http.Transport{
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	},
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func uuid() string {
	h := randomID(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// takeRemote notes when the server's SDP came and reads it.
func takeRemote(v *viewer, what, sdp string) (*remoteDesc, error) {
	v.mu.Lock()
	v.answered = time.Now()
	v.mu.Unlock()
	if os.Getenv("CB_LOADGEN_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "--- %s\n%s\n", what, sdp)
	}
	d, err := parseSDP(sdp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

// setAnswer takes the server's answer to our offer: we are the controlling ICE agent.
func setAnswer(v *viewer, sdp string) error {
	d, err := takeRemote(v, "answer", sdp)
	if err != nil {
		return err
	}
	return v.setRemote(d, true)
}

func markStart(v *viewer) {
	v.mu.Lock()
	v.started = time.Now()
	v.mu.Unlock()
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// ---- WHEP --------------------------------------------------------------------------------

func playWHEP(v *viewer, endpoint string) error {
	sdp := v.offerSDP()
	markStart(v)
	resp, err := httpClient.Post(endpoint, "application/sdp", strings.NewReader(sdp))
	if err != nil {
		return fmt.Errorf("WHEP POST: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("WHEP POST: HTTP %d %s", resp.StatusCode, short(body))
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		base, _ := url.Parse(endpoint)
		if ref, err := base.Parse(loc); err == nil {
			resource := ref.String()
			v.closer = func() {
				req, _ := http.NewRequest(http.MethodDelete, resource, nil)
				if r, err := httpClient.Do(req); err == nil {
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
				}
			}
		}
	}
	return setAnswer(v, string(body))
}

// ---- WCS WebSocket (the Web SDK's playStream) ---------------------------------------------

type wcsMessage struct {
	Message string            `json:"message"`
	Data    []json.RawMessage `json:"data"`
}

func wcsSend(ws *websocket.Conn, message string, arg interface{}) error {
	return websocket.JSON.Send(ws, map[string]interface{}{"message": message, "data": []interface{}{arg}})
}

func playWCS(v *viewer, wsURL, stream string, timeout time.Duration) error {
	u, err := url.Parse(wsURL)
	if err != nil {
		return err
	}
	origin := "http://" + u.Host
	if u.Scheme == "wss" {
		origin = "https://" + u.Host
	}
	ws, err := websocket.Dial(wsURL, "", origin)
	if err != nil {
		return fmt.Errorf("WebSocket: %w", err)
	}
	v.closer = func() { ws.Close() }
	ws.SetDeadline(time.Now().Add(timeout))
	if err := wcsSend(ws, "connection", map[string]interface{}{
		"appKey": "defaultApp", "mediaProviders": []string{"WebRTC"}, "keepAlive": true,
		"clientVersion": "castbridge-loadgen", "clientOSVersion": "", "clientBrowserVersion": "",
		"custom": map[string]string{},
	}); err != nil {
		return err
	}
	for established := false; !established; {
		var m wcsMessage
		if err := websocket.JSON.Receive(ws, &m); err != nil {
			return fmt.Errorf("WebSocket before getUserData: %w", err)
		}
		switch m.Message {
		case "getUserData":
			established = true
		case "fail":
			return fmt.Errorf("connection failed: %s", rawArgs(m))
		}
	}
	sdp := v.offerSDP()
	msid := uuid()
	markStart(v)
	if err := wcsSend(ws, "playStream", map[string]interface{}{
		"mediaSessionId": msid, "name": stream, "published": false, "hasVideo": true,
		"hasAudio": true, "status": "PENDING", "record": false, "mediaProvider": "WebRTC",
		"sdp": sdp, "custom": map[string]string{}, "width": 0, "height": 0, "quality": 0,
	}); err != nil {
		return err
	}
	for {
		var m wcsMessage
		if err := websocket.JSON.Receive(ws, &m); err != nil {
			return fmt.Errorf("WebSocket before setRemoteSDP: %w", err)
		}
		switch m.Message {
		case "setRemoteSDP":
			var answer string
			if len(m.Data) < 2 || json.Unmarshal(m.Data[1], &answer) != nil {
				return errors.New("setRemoteSDP without an SDP")
			}
			if err := setAnswer(v, answer); err != nil {
				return err
			}
			ws.SetDeadline(time.Time{})
			go wcsKeepAlive(v, ws)
			return nil
		case "notifyStreamStatusEvent":
			if st, info := wcsStatus(m); st == "FAILED" || st == "STOPPED" {
				return fmt.Errorf("stream %s: %s", st, info)
			}
		case "fail":
			return fmt.Errorf("playStream failed: %s", rawArgs(m))
		case "ping":
			wcsPong(ws)
		}
	}
}

func wcsPong(ws *websocket.Conn) {
	websocket.JSON.Send(ws, map[string]interface{}{"message": "pong", "data": []interface{}{nil}})
}

// wcsStatus reads a notifyStreamStatusEvent's status and info.
func wcsStatus(m wcsMessage) (string, string) {
	var st struct {
		Status string `json:"status"`
		Info   string `json:"info"`
	}
	if len(m.Data) > 0 {
		json.Unmarshal(m.Data[0], &st)
	}
	return st.Status, st.Info
}

func rawArgs(m wcsMessage) string {
	b, _ := json.Marshal(m.Data)
	return short(b)
}

// wcsKeepAlive answers the server's pings for the rest of the session and notes a stream
// that the server stopped.
func wcsKeepAlive(v *viewer, ws *websocket.Conn) {
	for {
		var m wcsMessage
		if err := websocket.JSON.Receive(ws, &m); err != nil {
			return
		}
		switch m.Message {
		case "ping":
			wcsPong(ws)
		case "notifyStreamStatusEvent":
			if st, info := wcsStatus(m); st == "FAILED" || st == "STOPPED" || st == "UNPUBLISHED" {
				v.fail(fmt.Sprintf("stream %s: %s", st, info))
			}
		}
	}
}

// ---- Janus streaming plugin over Janus's HTTP API (Janus offers, we answer) ----------------

type janusReply struct {
	Janus string `json:"janus"`
	Data  struct {
		ID uint64 `json:"id"`
	} `json:"data"`
	Error *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"error"`
	Plugindata struct {
		Data json.RawMessage `json:"data"`
	} `json:"plugindata"`
	Jsep *struct {
		Type string `json:"type"`
		SDP  string `json:"sdp"`
	} `json:"jsep"`
}

func janusPost(u string, body map[string]interface{}) (*janusReply, error) {
	body["transaction"] = randomID(6)
	b, _ := json.Marshal(body)
	resp, err := httpClient.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return janusDecode(resp)
}

func janusDecode(resp *http.Response) (*janusReply, error) {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var r janusReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("Janus: HTTP %d %s", resp.StatusCode, short(raw))
	}
	if r.Error != nil {
		return nil, fmt.Errorf("Janus error %d: %s", r.Error.Code, r.Error.Reason)
	}
	return &r, nil
}

func playJanus(v *viewer, api string, mountpoint int, timeout time.Duration) error {
	api = strings.TrimRight(api, "/")
	r, err := janusPost(api, map[string]interface{}{"janus": "create"})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	session := fmt.Sprintf("%s/%d", api, r.Data.ID)
	stop := make(chan struct{})
	v.closer = func() {
		close(stop)
		janusPost(session, map[string]interface{}{"janus": "destroy"})
	}
	r, err = janusPost(session, map[string]interface{}{"janus": "attach", "plugin": "janus.plugin.streaming"})
	if err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	handle := fmt.Sprintf("%s/%d", session, r.Data.ID)
	markStart(v)
	if _, err := janusPost(handle, map[string]interface{}{"janus": "message",
		"body": map[string]interface{}{"request": "watch", "id": mountpoint}}); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	// The offer comes as an asynchronous event: long-poll the session for it.
	deadline := time.Now().Add(timeout)
	var remote string
	for remote == "" {
		if time.Now().After(deadline) {
			return errors.New("no offer from Janus")
		}
		resp, err := httpClient.Get(session + "?maxev=1&rid=" + randomID(4))
		if err != nil {
			return fmt.Errorf("long poll: %w", err)
		}
		ev, err := janusDecode(resp)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if ev.Jsep != nil && ev.Jsep.Type == "offer" {
			remote = ev.Jsep.SDP
		} else if ev.Janus == "event" && bytes.Contains(ev.Plugindata.Data, []byte(`"error"`)) {
			return fmt.Errorf("watch: %s", short(ev.Plugindata.Data))
		}
	}
	offer, err := takeRemote(v, "Janus offer", remote)
	if err != nil {
		return err
	}
	answer, err := v.answerSDP(offer)
	if err != nil {
		return err
	}
	if err := v.setRemote(offer, false); err != nil {
		return err
	}
	if _, err := janusPost(handle, map[string]interface{}{"janus": "message",
		"body": map[string]interface{}{"request": "start"},
		"jsep": map[string]string{"type": "answer", "sdp": answer}}); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	// Janus drops a session after 60 s without a request.
	go func() {
		t := time.NewTicker(20 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				janusPost(session, map[string]interface{}{"janus": "keepalive"})
			}
		}
	}()
	return nil
}
