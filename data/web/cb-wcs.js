// cb-wcs.js — a small client of Castbridge's WCS WebSocket signaling, on a plain
// RTCPeerConnection (no SDK). The protocol is Web Call Server 5.2's: every frame is
// {"message": name, "data": [argument]}; the browser always offers, without trickle.
// SPDX-License-Identifier: GPL-3.0-or-later

/** Final stream statuses: the peer connection is closed after them. */
export const FINAL_STATUSES = ['FAILED', 'STOPPED', 'UNPUBLISHED'];

/** A UUID for mediaSessionId; crypto.randomUUID() exists only in secure contexts. */
export function uuid () {
  if (globalThis.crypto && crypto.randomUUID) {
    try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The WebSocket URL of the server that served this page, from GET /castbridge/config.json
 * ({"wsPort": N, "wssPort": N or null}). A page loaded over https uses wss when the
 * server has it.
 */
export async function serverUrl () {
  const res = await fetch('/castbridge/config.json', { cache: 'no-store' });
  if (!res.ok)
    throw new Error(`Cannot read the server configuration (HTTP ${res.status})`);
  const config = await res.json();
  const secure = location.protocol === 'https:' && config.wssPort;
  let host = location.hostname;
  if (host.includes(':') && !host.startsWith('['))
    host = `[${host}]`;
  return `${secure ? 'wss' : 'ws'}://${host}:${secure ? config.wssPort : config.wsPort}`;
}

/** One publish or play: its peer connection and its status. Events: "status", "event". */
export class WcsStream extends EventTarget {
  constructor (session, name, published) {
    super();
    this.session = session;
    this.id = uuid();
    this.name = name;
    this.published = published;
    this.status = 'NEW';
    this.info = '';
    this.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.remoteStream = new MediaStream();
    this.pc.addEventListener('track', (e) => this.remoteStream.addTrack(e.track));
  }

  get isFinal () { return FINAL_STATUSES.includes(this.status); }

  async _start (extra, hasVideo, hasAudio) {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this._setStatus({ status: 'PENDING', info: '' });
    this.session._send(this.published ? 'publishStream' : 'playStream', {
      mediaSessionId: this.id,
      name: this.name,
      published: this.published,
      hasVideo,
      hasAudio,
      status: 'PENDING',
      record: false,
      mediaProvider: 'WebRTC',
      sdp: offer.sdp,
      custom: {},
      ...extra,
    });
  }

  async _answer (sdp) {
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (e) {
      this._setStatus({ status: 'FAILED', info: `Bad answer: ${e.message}` });
    }
  }

  _setStatus (object) {
    if (this.isFinal)
      return;
    this.status = object.status;
    this.info = object.info || '';
    this.details = object;
    if (this.isFinal) {
      this.pc.close();
      this.session.streams.delete(this.id);
    }
    this.dispatchEvent(new CustomEvent('status', { detail: { status: this.status, info: this.info, stream: object } }));
  }

  /** Stops publishing (unPublishStream) or playing (stopStream); resolves on the final status. */
  stop () {
    if (this.isFinal)
      return Promise.resolve(this.status);
    return new Promise((resolve) => {
      const done = () => resolve(this.status);
      this.addEventListener('status', () => { if (this.isFinal) done(); });
      this.session._send(this.published ? 'unPublishStream' : 'stopStream',
        { mediaSessionId: this.id, name: this.name });
      // A server that went away cannot answer: stop locally.
      setTimeout(() => {
        if (!this.isFinal)
          this._setStatus({ status: this.published ? 'UNPUBLISHED' : 'STOPPED', info: 'Stopped locally' });
        done();
      }, 3000);
    });
  }

  getStats () { return this.pc.getStats(); }
}

/** One signaling session. Events: "status" (ESTABLISHED, DISCONNECTED, FAILED). */
export class WcsSession extends EventTarget {
  constructor (url) {
    super();
    this.url = url;
    this.status = 'NEW';
    this.streams = new Map();
    this.ws = null;
  }

  /** Opens the socket and resolves once the server answered `connection` with getUserData. */
  connect () {
    if (this.status === 'ESTABLISHED')
      return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url);
      } catch (e) {
        reject(e);
        return;
      }
      this.ws = ws;
      this._setStatus('PENDING');
      ws.addEventListener('open', () => {
        this._send('connection', {
          appKey: 'defaultApp',
          mediaProviders: ['WebRTC'],
          keepAlive: true,
          clientVersion: 'castbridge-web-1',
          clientOSVersion: navigator.platform || '',
          clientBrowserVersion: navigator.userAgent,
          custom: {},
        });
      });
      ws.addEventListener('message', (e) => {
        let frame;
        try { frame = JSON.parse(e.data); } catch (err) { return; }
        if (frame && frame.message === 'getUserData' && this.status !== 'ESTABLISHED') {
          this._setStatus('ESTABLISHED');
          resolve(this);
        }
        this._receive(frame);
      });
      ws.addEventListener('close', () => {
        const wasEstablished = this.status === 'ESTABLISHED';
        this._setStatus(wasEstablished ? 'DISCONNECTED' : 'FAILED');
        for (const stream of Array.from(this.streams.values()))
          stream._setStatus({ status: 'FAILED', info: 'Connection to the server closed' });
        if (!wasEstablished)
          reject(new Error(`Cannot connect to ${this.url}`));
      });
    });
  }

  disconnect () {
    if (this.ws)
      this.ws.close();
  }

  /** Publishes @mediaStream's tracks as @name. */
  async publish (name, mediaStream) {
    const stream = new WcsStream(this, name, true);
    this.streams.set(stream.id, stream);
    for (const track of mediaStream.getTracks())
      stream.pc.addTransceiver(track, { direction: 'sendonly', streams: [mediaStream] });
    await stream._start({}, mediaStream.getVideoTracks().length > 0, mediaStream.getAudioTracks().length > 0);
    return stream;
  }

  /** Plays @name (a live stream, or vod://file.mp4); the media arrives in stream.remoteStream. */
  async play (name, options = {}) {
    const stream = new WcsStream(this, name, false);
    this.streams.set(stream.id, stream);
    stream.pc.addTransceiver('video', { direction: 'recvonly' });
    stream.pc.addTransceiver('audio', { direction: 'recvonly' });
    await stream._start({ width: options.width || 0, height: options.height || 0 }, true, true);
    return stream;
  }

  _setStatus (status) {
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: { status } }));
  }

  _send (message, argument) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN)
      this.ws.send(JSON.stringify({ message, data: [argument] }));
  }

  _receive (frame) {
    if (!frame || typeof frame.message !== 'string')
      return;
    const data = Array.isArray(frame.data) ? frame.data : [];
    const arg = data[0];
    switch (frame.message) {
      case 'ping':
        this.ws.send(JSON.stringify({ message: 'pong', data: [null] }));
        break;
      case 'setRemoteSDP': {
        const stream = this.streams.get(data[0]);
        if (stream && typeof data[1] === 'string')
          stream._answer(data[1]);
        break;
      }
      case 'notifyStreamStatusEvent': {
        const stream = arg && this.streams.get(arg.mediaSessionId);
        if (stream && typeof arg.status === 'string')
          stream._setStatus(arg);
        break;
      }
      case 'notifyStreamEvent': {
        const stream = arg && this.streams.get(arg.mediaSessionId);
        if (stream)
          stream.dispatchEvent(new CustomEvent('event', { detail: arg }));
        break;
      }
      case 'fail': {
        const stream = arg && this.streams.get(arg.id);
        if (stream)
          stream._setStatus({ status: 'FAILED', info: arg.info || 'Failed' });
        break;
      }
      default:
        break;   // getVersion, availableStream, DataStatusEvent…
    }
  }
}

/** Inbound video numbers of a player's connection, for people and tests. */
export async function inboundVideo (pc) {
  const out = { framesDecoded: 0, width: 0, height: 0, fps: 0, bytes: 0 };
  const report = await pc.getStats();
  report.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      out.framesDecoded = r.framesDecoded || 0;
      out.width = r.frameWidth || 0;
      out.height = r.frameHeight || 0;
      out.fps = r.framesPerSecond || 0;
      out.bytes = r.bytesReceived || 0;
    }
  });
  return out;
}
