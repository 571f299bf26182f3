#!/usr/bin/env node
// webrtc.mjs — how many WebRTC players of one 720p stream Castbridge serves before frames drop,
// its CPU and memory per player, and the time from play to the first decoded frame
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Usage: node bench/webrtc.mjs [path-to-castbridge-server] [--source rtmp|test]
//                              [--counts 1,2,4,8,12,16] [--window 15] [--warmup 5]
//                              [--budget 330] [--no-write]
//
// Needs Node 18+, Chromium (/usr/bin/chromium, or CB_CHROMIUM), ffmpeg (for --source rtmp) and
// the npm modules playwright-core and @flashphoner/websdk: by default those the browser tests
// installed in build/tests/browser/node_modules (`meson test -C build --suite browser` once), or
// the folder CB_BROWSER_MODULES names. Everything runs on 127.0.0.1; every process started here
// is ended on exit. The figures go to bench/RESULTS.md between <!-- webrtc:begin --> and
// <!-- webrtc:end -->; see bench/README.md.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const RESULTS = path.join(here, 'RESULTS.md');
const BEGIN = '<!-- webrtc:begin -->';
const END = '<!-- webrtc:end -->';
const CLK_TCK = 100;                   // USER_HZ on Linux
const FPS = 30;
const MIN_FPS = 25;                    // a player decoding fewer frames per second drops
const MAX_FREEZE_SHARE = 0.05;         // … or frozen for more than this share of the window

// ---- arguments -------------------------------------------------------------------------------

const opts = { binary: path.join(root, 'build', 'src', 'castbridge-server'), source: 'rtmp',
  counts: [1, 2, 4, 8, 12, 16], window: 15, warmup: 5, budget: 330, write: true, sdkPlayers: 3 };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--source') opts.source = argv[++i];
    else if (a === '--counts') opts.counts = argv[++i].split(',').map(Number).filter((n) => n > 0);
    else if (a === '--window') opts.window = Number(argv[++i]);
    else if (a === '--warmup') opts.warmup = Number(argv[++i]);
    else if (a === '--budget') opts.budget = Number(argv[++i]);
    else if (a === '--sdk-players') opts.sdkPlayers = Number(argv[++i]);
    else if (a === '--no-write') opts.write = false;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16).join('\n'));
      process.exit(0);
    } else if (!a.startsWith('--')) opts.binary = path.resolve(a);
    else { console.error(`webrtc.mjs: unknown option ${a}`); process.exit(2); }
  }
  if (!['rtmp', 'test'].includes(opts.source)) { console.error('--source rtmp|test'); process.exit(2); }
}

const modulesDir = process.env.CB_BROWSER_MODULES || path.join(root, 'build', 'tests', 'browser', 'node_modules');
const chromiumPath = process.env.CB_CHROMIUM || '/usr/bin/chromium';
for (const [what, p] of [['Chromium', chromiumPath], ['playwright-core', path.join(modulesDir, 'playwright-core')],
  ['@flashphoner/websdk', path.join(modulesDir, '@flashphoner', 'websdk', 'flashphoner.js')], ['castbridge-server', opts.binary]]) {
  if (!fs.existsSync(p)) {
    console.error(`webrtc.mjs: no ${what} at ${p}` +
      (what.startsWith('playwright') || what.startsWith('@') ? ' (run `meson test -C build --suite browser` once, or set CB_BROWSER_MODULES)' : ''));
    process.exit(77);
  }
}
const { chromium } = await import(path.join(modulesDir, 'playwright-core', 'index.mjs'));

// ---- process bookkeeping ---------------------------------------------------------------------

const procs = new Set();
const tmpdirs = [];
let browser = null;

function mkdtemp (prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpdirs.push(d);
  return d;
}

function start (cmd, args, logPath) {
  const out = fs.openSync(logPath, 'w');
  const env = { ...process.env };
  delete env.G_MESSAGES_DEBUG;
  delete env.G_DEBUG;
  const p = spawn(cmd, args, { stdio: ['ignore', out, out], env });
  fs.closeSync(out);
  procs.add(p);
  p.once('exit', () => procs.delete(p));
  return p;
}

function cleanupSync () {
  for (const p of procs) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
  for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => process.exit(128 + os.constants.signals[sig]));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor (fn, timeoutMs, stepMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(stepMs);
  }
  return fn();
}

function tail (p, n = 2000) {
  try { return fs.readFileSync(p, 'utf8').slice(-n); } catch { return ''; }
}

function firstLine (cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  return ((r.stdout || '') + (r.stderr || '')).trim().split('\n')[0] || '?';
}

// ---- /proc -----------------------------------------------------------------------------------

function statFields (pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');     // fields from 3 (state) on
}

function cpuTicks (pid) {
  const f = statFields(pid);
  return Number(f[11]) + Number(f[12]);                 // utime + stime
}

function status (pid) {
  const out = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = line.match(/^(VmRSS|VmHWM|RssAnon|Threads):\s+(\d+)/);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// {pid: ticks} of @pid and all its descendants (Chromium's browser, renderer, GPU, utility
// processes), and their summed RSS in KiB.
function tree (pid) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { parent.set(Number(d), Number(statFields(d)[1])); } catch { /* gone */ }
  }
  const members = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of parent) if (!members.has(p) && members.has(pp)) { members.add(p); grew = true; }
  }
  const ticks = {};
  let rss = 0;
  for (const p of members) {
    try { ticks[p] = cpuTicks(p); rss += status(p).VmRSS || 0; } catch { /* gone */ }
  }
  return { ticks, rss };
}

// Chromium's processes: our own descendants other than the server and ffmpeg.
function chromeTree () {
  const t = tree(process.pid);
  const skip = new Set([process.pid, ...[...procs].map((p) => p.pid)]);
  for (const p of procs) for (const q of Object.keys(tree(p.pid).ticks)) skip.add(Number(q));
  const out = { ticks: {}, rss: 0 };
  for (const [p, ticks] of Object.entries(t.ticks)) {
    if (skip.has(Number(p))) continue;
    out.ticks[p] = ticks;
    try { out.rss += status(p).VmRSS || 0; } catch { /* gone */ }
  }
  return out;
}

function treeDelta (a, b) {
  let sum = 0;
  for (const [p, t] of Object.entries(b.ticks)) sum += t - (a.ticks[p] || 0);
  return sum;
}

function machineTicks () {
  const parts = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { total: parts.reduce((x, y) => x + y, 0), idle: parts[3] + parts[4] };
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---- the player page -------------------------------------------------------------------------

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Castbridge WebRTC bench player</title></head>
<body style="margin:0">
<video id="video" autoplay muted playsinline width="320" height="180"></video>
<div id="display" style="width:320px;height:180px"></div>
<script src="flashphoner.js"></script>
<script>
let pc = null, sdkStream = null;
window.timing = {};

async function inboundVideo () {
  let stats;
  if (pc) stats = await pc.getStats();
  else if (sdkStream) {
    // The SDK never calls back before its peer connection exists: give up after 200 ms.
    stats = await new Promise((resolve) => { sdkStream.getStats((s) => resolve(s), true); setTimeout(() => resolve(null), 200); });
  }
  let out = null;
  const reports = [];
  if (stats && typeof stats.forEach === 'function') stats.forEach((r) => { if (r.type === 'inbound-rtp') reports.push(r); });
  else if (stats && Array.isArray(stats['inbound-rtp'])) reports.push(...stats['inbound-rtp']);   // the SDK's shape
  reports.forEach((r) => {
    if (r.kind === 'video')
      out = { framesDecoded: r.framesDecoded || 0, framesDropped: r.framesDropped || 0,
              framesReceived: r.framesReceived || 0, freezeCount: r.freezeCount || 0,
              totalFreezesDuration: r.totalFreezesDuration || 0, packetsLost: r.packetsLost || 0,
              nackCount: r.nackCount || 0, pliCount: r.pliCount || 0, firCount: r.firCount || 0,
              width: r.frameWidth || 0, height: r.frameHeight || 0, bytes: r.bytesReceived || 0, jitter: r.jitter || 0,
              decoder: r.decoderImplementation || '' };
  });
  return out;
}

// Polls getStats until the first decoded frame; timing.firstFrame is ms after t0.
function watchFirstFrame (t0) {
  const poll = async () => {
    const v = await inboundVideo().catch(() => null);
    if (v && v.framesDecoded > 0) { window.timing.firstFrame = performance.now() - t0; return; }
    if (performance.now() - t0 < 30000) setTimeout(poll, 10);
  };
  poll();
}

// WHEP: POST the offer, set the answer. t0 is the moment play is asked for.
window.whepPlay = async function (url) {
  const t0 = performance.now();
  pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const media = new MediaStream();
  pc.ontrack = (e) => { media.addTrack(e.track); document.getElementById('video').srcObject = media; };
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') window.timing.connected = performance.now() - t0;
  });
  watchFirstFrame(t0);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer.sdp });
  const body = await res.text();
  window.timing.answer = performance.now() - t0;
  if (res.status !== 201) return { status: res.status, body };
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  return { status: 201, location: res.headers.get('Location') };
};

// The official WCS Web SDK: createSession, then stream.play() (the playStream message).
window.sdkPlay = function (wsUrl, name) {
  return new Promise((resolve) => {
    Flashphoner.init({});
    const session = Flashphoner.createSession({ urlServer: wsUrl });
    const S = Flashphoner.constants.STREAM_STATUS;
    session.on(Flashphoner.constants.SESSION_STATUS.FAILED, () => resolve('SESSION_FAILED'));
    session.on(Flashphoner.constants.SESSION_STATUS.ESTABLISHED, () => {
      const t0 = performance.now();
      sdkStream = session.createStream({ name, display: document.getElementById('display') });
      sdkStream.on(S.PLAYING, () => { window.timing.playing = performance.now() - t0; resolve('PLAYING'); });
      sdkStream.on(S.FAILED, (s) => resolve('FAILED:' + s.getInfo()));
      watchFirstFrame(t0);
      sdkStream.play();
    });
  });
};

window.inbound = inboundVideo;
</script></body></html>`;

async function startPageServer () {
  const sdk = path.join(modulesDir, '@flashphoner', 'websdk', 'flashphoner.js');
  const server = http.createServer((req, res) => {
    const p = req.url.split('?')[0];
    if (p === '/player.html') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(PAGE); return; }
    if (p === '/flashphoner.js') { res.writeHead(200, { 'Content-Type': 'text/javascript' }); fs.createReadStream(sdk).pipe(res); return; }
    res.writeHead(404); res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.address().port}/player.html`;
  return server;
}

// ---- castbridge-server -----------------------------------------------------------------------

class Castbridge {
  static async start (binary, extra, dir) {
    const s = new Castbridge();
    s.log = path.join(dir, 'server.log');
    const media = path.join(dir, 'media');
    fs.mkdirSync(media);
    s.proc = start(binary, ['--http-port', '0', '--ws-port', '0', '--rtmp-port', '0', '--bind', '127.0.0.1',
      '--media-dir', media, ...extra], s.log);
    const ok = await waitFor(() => {
      const m = tail(s.log, 100000).match(/^listening http=(\d+) ws=(\d+) rtmp=(\d+)/m);
      if (m) [s.httpPort, s.wsPort, s.rtmpPort] = m.slice(1).map(Number);
      return m || s.proc.exitCode !== null;
    }, 20000, 50);
    if (!ok || s.proc.exitCode !== null) throw new Error('castbridge-server did not start:\n' + tail(s.log));
    return s;
  }

  async rest (verb, body) {
    try {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}/rest-api/${verb}`, { method: 'POST',
        body: JSON.stringify(body || {}), headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (e) {
      return { status: 0, body: String(e) };
    }
  }

  async streams () {
    const r = await this.rest('stream/find_all');
    return r.status === 200 && Array.isArray(r.body) ? r.body : [];
  }

  async stop () {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((resolve) => { this.proc.once('exit', resolve); setTimeout(resolve, 5000); });
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    return this.proc.exitCode ?? this.proc.signalCode;
  }
}

// ---- measuring -------------------------------------------------------------------------------

const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

async function allStats (players) {
  return Promise.all(players.map((p) => p.page.evaluate(() => window.inbound()).catch(() => null)));
}

// One window: CPU and RSS of the server, CPU of Chromium's processes, every player's stats.
async function measure (server, players, seconds) {
  const pid = server.proc.pid;
  const s0 = await allStats(players);
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  const b0 = browser ? chromeTree() : null;
  const m0 = machineTicks();
  const rss = [];
  const anon = [];
  let threads = 0;
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    if (server.proc.exitCode !== null) throw new Error(`castbridge-server exited during the window (${server.proc.exitCode ?? server.proc.signalCode})\n` + tail(server.log));
    const st = status(pid);
    rss.push(st.VmRSS); anon.push(st.RssAnon || 0); threads = Math.max(threads, st.Threads || 0);
    await sleep(Math.min(500, end - performance.now()));
  }
  const c1 = cpuTicks(pid);
  const b1 = browser ? chromeTree() : null;
  const m1 = machineTicks();
  const s1 = await allStats(players);
  const elapsed = (performance.now() - t0) / 1000;
  const per = players.map((p, i) => {
    const a = s0[i]; const b = s1[i];
    if (!a || !b) return { fps: 0, dropped: 0, freezes: 0, freezeSec: 0, lost: 0, dead: true };
    return { fps: (b.framesDecoded - a.framesDecoded) / elapsed, dropped: b.framesDropped - a.framesDropped,
      freezes: b.freezeCount - a.freezeCount, freezeSec: b.totalFreezesDuration - a.totalFreezesDuration,
      lost: b.packetsLost - a.packetsLost, nacks: b.nackCount - a.nackCount, plis: b.pliCount - a.pliCount,
      width: b.width, height: b.height, decoder: b.decoder, jitter: b.jitter };
  });
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / Math.max(1, xs.length);
  const busy = 100 * (1 - (m1.idle - m0.idle) / Math.max(1, m1.total - m0.total));
  const cpu = 100 * (c1 - c0) / CLK_TCK / elapsed;
  const chromeCpu = b0 ? 100 * treeDelta(b0, b1) / CLK_TCK / elapsed : 0;
  return {
    n: players.length, elapsed,
    other: Math.max(0, busy * os.cpus().length - cpu - chromeCpu),   // % of one core used by everything else
    cpu,                                                    // % of one core
    rss: mean(rss) / 1024, rssPeak: Math.max(...rss) / 1024, anon: mean(anon) / 1024, threads,
    chromeCpu: b0 ? chromeCpu : null,
    chromeRss: b1 ? b1.rss / 1024 : null,
    busy,
    per,
  };
}

function verdict (m) {
  if (!m.per.length) return { ok: true, why: '' };
  const why = [];
  const slow = m.per.filter((p) => p.fps < MIN_FPS);
  if (slow.length) why.push(`${slow.length}/${m.n} players < ${MIN_FPS} fps`);
  const frozen = m.per.filter((p) => p.freezeSec > MAX_FREEZE_SHARE * m.elapsed);
  if (frozen.length) why.push(`${frozen.length}/${m.n} frozen > ${fmt(MAX_FREEZE_SHARE * m.elapsed)} s (${m.per.reduce((x, p) => x + p.freezes, 0)} freezes, ` +
    `${fmt(m.per.reduce((x, p) => x + p.freezeSec, 0))} s in all)`);
  const decoded = m.per.reduce((x, p) => x + p.fps * m.elapsed, 0);
  const dropped = m.per.reduce((x, p) => x + p.dropped, 0);
  if (dropped > 0.01 * decoded) why.push(`${dropped} frames dropped (${fmt(100 * dropped / Math.max(1, decoded))} %)`);
  return { ok: why.length === 0, why: why.join('; ') };
}

// ---- the run ---------------------------------------------------------------------------------

const tStart = Date.now();
const elapsedS = () => (Date.now() - tStart) / 1000;
const work = mkdtemp('cb-bench-webrtc-');
const binary = path.join(work, 'cb-bench-server');
fs.copyFileSync(opts.binary, binary);
fs.chmodSync(binary, 0o755);
const meta = {
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  cpus: os.cpus().length, cpu: os.cpus()[0]?.model || '?', kernel: `Linux ${os.release()}`,
  loadBefore: loadavg(),
  cbVersion: firstLine(binary, ['--version']),
  binaryMtime: fs.statSync(opts.binary).mtime.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  git: firstLine('git', ['-C', root, 'describe', '--always', '--dirty']),
  chromium: firstLine(chromiumPath, ['--version']),
  ffmpeg: firstLine('ffmpeg', ['-version']).split(' ').slice(0, 3).join(' '),
  playwright: JSON.parse(fs.readFileSync(path.join(modulesDir, 'playwright-core', 'package.json'), 'utf8')).version,
  websdk: JSON.parse(fs.readFileSync(path.join(modulesDir, '@flashphoner', 'websdk', 'package.json'), 'utf8')).version,
};
const notes = [];
const steps = [];
let baseline = null;
let browserOnly = null;
let sdkTimes = [];
let server = null;
let pageServer = null;
let limit = null;

try {
  // The source.
  let sourceDesc;
  if (opts.source === 'rtmp') {
    const file = path.join(work, 'source.flv');
    console.log('webrtc.mjs: encoding the 720p source …');
    const enc = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '10', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline',
      '-pix_fmt', 'yuv420p', '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5000k', '-g', '60', '-keyint_min', '60',
      '-sc_threshold', '0', '-bf', '0', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000', '-f', 'flv', file],
    { encoding: 'utf8', timeout: 180000 });
    if (enc.status !== 0) throw new Error('encoding the source failed: ' + enc.stderr);
    server = await Castbridge.start(binary, [], work);
    start('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'warning', '-re', '-stream_loop', '-1', '-i', file,
      '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/cam`], path.join(work, 'publisher.log'));
    sourceDesc = 'RTMP ingest: `ffmpeg -re -stream_loop -1 -c copy` of a 1280x720 30 fps H.264 file (libx264 ' +
      'veryfast, Baseline profile, 2500 kbit/s, keyframe every 2 s, no B-frames) with AAC 128 kbit/s, which ' +
      'Castbridge passes through (video) and transcodes once to Opus (audio) for the players';
  } else {
    server = await Castbridge.start(binary, ['--publish', 'cam=test'], work);
    sourceDesc = '`castbridge-server --publish cam=test`: Castbridge\'s own 1280x720 30 fps H.264 + Opus test ' +
      'pattern, encoded in the same process (that encoder is in the 0-player baseline and subtracted)';
  }
  meta.source = sourceDesc;
  const live = await waitFor(async () => (await server.streams()).find((s) => s.name === 'cam' && s.status === 'PUBLISHING'), 20000, 250);
  if (!live) throw new Error('stream cam not PUBLISHING after 20 s:\n' + tail(server.log) + tail(path.join(work, 'publisher.log')));
  meta.stream = `${live.width || '?'}x${live.height || '?'}`;
  await sleep(3000);

  // Baseline: the source alone, before Chromium.
  console.log('webrtc.mjs: baseline (0 players, no browser) …');
  baseline = await measure(server, [], opts.window);

  pageServer = await startPageServer();
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
    '--allow-loopback-in-peer-connection'] });
  const context = await browser.newContext();

  // The official SDK: play → first decoded frame, one player at a time.
  for (let i = 0; i < opts.sdkPlayers; i++) {
    const page = await context.newPage();
    await page.goto(pageServer.url);
    const st = await page.evaluate(([u, n]) => window.sdkPlay(u, n), [`ws://127.0.0.1:${server.wsPort}`, 'cam']);
    const t = await waitFor(() => page.evaluate(() => window.timing.firstFrame !== undefined ? window.timing : null), 20000, 100);
    if (st !== 'PLAYING' || !t) notes.push(`SDK player ${i + 1}: status ${st}, no decoded frame in 20 s; timing ${JSON.stringify(await page.evaluate(() => window.timing))}`);
    else sdkTimes.push(t);
    await page.close();
    await sleep(1000);
  }

  // Chromium with one blank page, no players: what the browser costs by itself.
  {
    const blank = await context.newPage();
    await blank.goto(pageServer.url);
    browserOnly = await measure(server, [], Math.min(opts.window, 8));
    await blank.close();
  }

  // The ramp: WHEP players added up to each count; measured after a warm-up.
  const players = [];
  for (const n of opts.counts) {
    const need = opts.window + opts.warmup + 10;
    if (elapsedS() + need > opts.budget) { notes.push(`N=${n} not run: it would end after the ${opts.budget} s budget`); break; }
    console.log(`webrtc.mjs: N=${n} …`);
    const added = [];
    while (players.length < n) {
      const page = await context.newPage();
      await page.goto(pageServer.url);
      const r = await page.evaluate((u) => window.whepPlay(u), `http://127.0.0.1:${server.httpPort}/whep/cam`);
      const p = { page, index: players.length + 1, answer: r };
      if (r.status !== 201) notes.push(`player ${p.index}: WHEP answered ${r.status}: ${String(r.body).slice(0, 300)}`);
      players.push(p); added.push(p);
    }
    await waitFor(async () => {
      const t = await Promise.all(added.map((p) => p.page.evaluate(() => window.timing.firstFrame)));
      return t.every((x) => x !== undefined);
    }, 20000, 200);
    const ttff = [];
    for (const p of added) {
      p.timing = await p.page.evaluate(() => window.timing);
      if (p.timing.firstFrame === undefined) {
        const v = await p.page.evaluate(() => window.inbound()).catch(() => null);
        notes.push(`N=${n}: player ${p.index} decoded no frame 20 s after play; timing ${JSON.stringify(p.timing)}, ` +
          `inbound ${JSON.stringify(v)}, connectionState ${await p.page.evaluate(() => pc && pc.connectionState)}`);
      } else ttff.push(p.timing.firstFrame);
    }
    await sleep(opts.warmup * 1000);
    let m = await measure(server, players, opts.window);
    m.verdict = verdict(m);
    if (!m.verdict.ok) {
      // The machine is shared: a window with drops is measured once more before it counts.
      console.log(`  drops (${m.verdict.why}); measuring again …`);
      const again = await measure(server, players, opts.window);
      again.verdict = verdict(again);
      notes.push(`N=${n}: the first window had drops (${m.verdict.why}; machine busy ${fmt(m.busy, 0)} %); ` +
        `the repeat ${again.verdict.ok ? 'had none' : 'too (' + again.verdict.why + ')'}; the table shows the repeat`);
      m = again;
    }
    m.ttff = ttff;
    m.added = added.length;
    m.answer = added.map((p) => p.timing.answer).filter((x) => x !== undefined);
    m.connected = added.map((p) => p.timing.connected).filter((x) => x !== undefined);
    const streams = await server.streams();
    m.playing = streams.filter((s) => s.name === 'cam' && s.published === false && s.status === 'PLAYING').length;
    steps.push(m);
    console.log(`  server CPU ${fmt(m.cpu)} % RSS ${fmt(m.rss)} MiB; Chromium CPU ${fmt(m.chromeCpu)} %; ` +
      `fps median ${fmt(median(m.per.map((p) => p.fps)))} min ${fmt(Math.min(...m.per.map((p) => p.fps)))}; ` +
      `TTFF median ${fmt(median(ttff), 0)} ms; busy ${fmt(m.busy, 0)} %; ${m.verdict.ok ? 'ok' : 'DROPS: ' + m.verdict.why}`);
    if (!m.verdict.ok) { limit = n; break; }
  }
  for (const p of players) await p.page.close().catch(() => {});
} catch (e) {
  notes.push('the run failed: ' + (e.stack || e).toString().slice(0, 3000));
  console.error(e);
}

// ---- report ----------------------------------------------------------------------------------

await browser?.close().catch(() => {});
browser = null;
pageServer?.close();
let exitStatus = null;
if (server) {
  exitStatus = await server.stop();
  if (exitStatus !== 0) notes.push(`castbridge-server exited with ${exitStatus} on SIGTERM; log tail:\n` + tail(server.log, 1500));
}
meta.loadAfter = loadavg();
meta.total = elapsedS();

function render () {
  const L = [BEGIN, '## WebRTC players of one 720p stream (WHEP, headless Chromium)', ''];
  L.push(`Run ${meta.date} on ${meta.cpus} × ${meta.cpu} (${meta.kernel}); load average ${meta.loadBefore} before, ` +
    `${meta.loadAfter} after; whole benchmark ${fmt(meta.total, 0)} s.`);
  L.push(`Castbridge \`${meta.cbVersion}\` (\`build/src/castbridge-server\` built ${meta.binaryMtime}, tree \`${meta.git}\`); ` +
    `${meta.chromium} driven by playwright-core ${meta.playwright}; @flashphoner/websdk ${meta.websdk}; ${meta.ffmpeg}.`);
  L.push('');
  L.push(`**Source:** ${meta.source}; the stream as Castbridge reports it: ${meta.stream || '?'}.`);
  L.push('');
  const best = steps.filter((m) => m.verdict.ok).map((m) => m.n);
  const maxOk = best.length ? Math.max(...best) : 0;
  if (limit) L.push(`**Result:** ${maxOk} players played without drops; at ${limit} players frames dropped (${steps.find((m) => m.n === limit).verdict.why}).`);
  else if (steps.length) L.push(`**Result:** no drops up to ${maxOk} players, the largest count tried (cap).`);
  else L.push('**Result:** no figures: see Findings.');
  L.push('**This limit is a lower bound for the server:** every player is a Chromium page decoding 720p30 H.264 in software ' +
    `on the same ${meta.cpus} cores as Castbridge, so the machine runs out of CPU for Chromium's decoders long before the server ` +
    'is the bottleneck (compare the two CPU columns).');
  L.push('');
  L.push('| N | Castbridge CPU % | CPU % / player | marginal CPU % / player | RSS MiB | RSS MiB / player | marginal RSS MiB / player | threads | PLAYING (find_all) | Chromium CPU % | Chromium CPU % / player | decode fps median (min) | freezes (s) | dropped | packets lost | TTFF median (max) ms | jitter ms median | machine busy % | others\' CPU % | verdict |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  if (baseline)
    L.push(`| 0 | ${fmt(baseline.cpu)} | – | – | ${fmt(baseline.rss)} | – | – | ${baseline.threads} | – | – | – | – | – | – | – | – | – | ${fmt(baseline.busy, 0)} | ${fmt(baseline.other, 0)} | source only, no browser |`);
  if (browserOnly)
    L.push(`| 0 | ${fmt(browserOnly.cpu)} | – | – | ${fmt(browserOnly.rss)} | – | – | ${browserOnly.threads} | – | ${fmt(browserOnly.chromeCpu)} | – | – | – | – | – | – | – | ${fmt(browserOnly.busy, 0)} | ${fmt(browserOnly.other, 0)} | Chromium with one blank page, after the SDK players |`);
  let prev = null;
  for (const m of steps) {
    const fps = m.per.map((p) => p.fps);
    const margCpu = prev ? (m.cpu - prev.cpu) / (m.n - prev.n) : null;
    const margRss = prev ? (m.rss - prev.rss) / (m.n - prev.n) : null;
    prev = m;
    const cpuPer = baseline ? (m.cpu - baseline.cpu) / m.n : null;
    const rssPer = baseline ? (m.rss - baseline.rss) / m.n : null;
    const chromePer = browserOnly ? (m.chromeCpu - browserOnly.chromeCpu) / m.n : m.chromeCpu / m.n;
    const sum = (k) => m.per.reduce((x, p) => x + (p[k] || 0), 0);
    L.push(`| ${m.n} | ${fmt(m.cpu)} | ${fmt(cpuPer, 2)} | ${fmt(margCpu, 2)} | ${fmt(m.rss)} | ${fmt(rssPer, 2)} | ${fmt(margRss, 2)} | ${m.threads} | ${m.playing} | ` +
      `${fmt(m.chromeCpu)} | ${fmt(chromePer)} | ${fmt(median(fps))} (${fmt(Math.min(...fps))}) | ${sum('freezes')} (${fmt(sum('freezeSec'))}) | ${sum('dropped')} | ${sum('lost')} | ` +
      `${fmt(median(m.ttff), 0)} (${m.ttff.length ? fmt(Math.max(...m.ttff), 0) : '–'}) | ${fmt(1000 * median(m.per.map((p) => p.jitter || 0)))} | ${fmt(m.busy, 0)} | ${fmt(m.other, 0)} | ${m.verdict.ok ? 'ok' : 'drops: ' + m.verdict.why} |`);
  }
  L.push('');
  if (sdkTimes.length) {
    const f = sdkTimes.map((t) => t.firstFrame);
    const p = sdkTimes.map((t) => t.playing).filter((x) => x !== undefined);
    L.push(`Time to first frame with the official Web SDK (\`stream.play()\` → \`playStream\` over the WebSocket, one player at a time, no other player): ` +
      `median ${fmt(median(f), 0)} ms (${f.map((x) => fmt(x, 0)).join(', ')} ms); \`PLAYING\` status after ${fmt(median(p), 0)} ms (median).`);
    L.push('');
  }
  const first = steps[0];
  if (first && first.answer.length)
    L.push(`WHEP timings of the first player: answer (201) after ${fmt(first.answer[0], 0)} ms, ICE+DTLS connected after ${fmt(first.connected[0], 0)} ms, first decoded frame after ${fmt(first.ttff[0], 0)} ms.`);
  L.push('');
  L.push('**How measured.** `node bench/webrtc.mjs` starts a castbridge-server (a copy of the binary taken at the start) on 127.0.0.1 ' +
    'with the source above as stream `cam`, measures it alone for a window (0 players), then launches one headless Chromium ' +
    '(`--disable-gpu`, so video is decoded in software) and adds player pages up to each N in ' + opts.counts.join(', ') +
    ', stopping at the first N with drops. Each page is a plain `RTCPeerConnection` (recvonly video + audio) that POSTs its offer to ' +
    '`/whep/cam` and shows the stream in a 320x180 `<video>`. Time to first frame (TTFF) is from the moment play is asked for ' +
    '(before `createOffer`) to the first `getStats` with `framesDecoded > 0` (polled every 10 ms in the page), for the players ' +
    `added at that step, started one after another without waiting. After a ${opts.warmup} s warm-up, a ${opts.window} s window ` +
    'measures Castbridge\'s CPU (utime+stime of all threads, `/proc/PID/stat`, % of one core), its `VmRSS` every 0.5 s, the CPU of ' +
    'all of Chromium\'s processes, and each player\'s `inbound-rtp` video stats. "Per player" is (value at N − value at 0 players) / N ' +
    '(Castbridge against the source-only baseline, Chromium against Chromium with one blank page); the first player also pays ' +
    'one-time costs (GStreamer\'s WebRTC, SRTP and Opus libraries mapped, the stream\'s one AAC→Opus transcoder), so the ' +
    '"marginal" columns — (value at N − value at the previous N) / (difference in N) — are the better per-player figures. ' +
    `A step has drops when a player decodes fewer than ${MIN_FPS} fps (the source is ${FPS}), is frozen (\`totalFreezesDuration\`) for more ` +
    `than ${100 * MAX_FREEZE_SHARE} % of the window, or \`framesDropped\` grows by more than 1 % of the frames decoded; a window with drops is ` +
    'measured once more and only counts if the repeat has drops too. "jitter" is the RTP arrival jitter Chromium reports (how evenly ' +
    'Castbridge delivers packets). The machine is shared with other engineers\' builds and tests: "others\' CPU" is the machine\'s ' +
    'busy time minus Castbridge and Chromium, in % of one core (200 = both cores) — with it high, freezes come from CPU starvation ' +
    'of the players, and the figures are noisy.');
  L.push('');
  L.push('No peer WebRTC server runs side by side here: none is installed on this machine. Debian has Janus (`janus` 1.1.2); ' +
    'its streaming plugin fed by RTP would be the natural peer for a later run, but it needs its own signaling client (no WHEP), so it is not part of this benchmark yet.');
  L.push('');
  if (notes.length) {
    L.push('Findings:');
    L.push('');
    L.push('```');
    for (const n of notes) L.push(n);
    L.push('```');
  } else L.push('Findings: none — every player decoded frames; the server exited cleanly.');
  L.push(END);
  return L.join('\n') + '\n';
}

const section = render();
console.log(section);
if (opts.write && (steps.length || notes.length)) {
  let text = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8')
    : '# Castbridge benchmarks\n\nEach benchmark in `bench/` writes its own section between its markers; see bench/README.md for how to run them.\n';
  const b = text.indexOf(BEGIN); const e = text.indexOf(END);
  if (b >= 0 && e > b) {
    let end = e + END.length;
    if (text[end] === '\n') end++;
    text = text.slice(0, b) + section + text.slice(end);
  } else {
    if (!text.endsWith('\n')) text += '\n';
    text += '\n' + section;
  }
  fs.writeFileSync(RESULTS + '.webrtc.tmp', text);
  fs.renameSync(RESULTS + '.webrtc.tmp', RESULTS);
  console.log(`written to ${RESULTS}`);
}
process.exit(0);
