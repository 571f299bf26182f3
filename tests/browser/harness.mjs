// harness.mjs — what the browser tests share: the real castbridge-server, a static page
// server, and headless Chromium with a fake camera and microphone.
// SPDX-License-Identifier: GPL-3.0-or-later

import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const modulesDir = process.env.CB_BROWSER_MODULES || path.join(here, 'node_modules');
export const chromiumPath = process.env.CB_CHROMIUM || '/usr/bin/chromium';

export function missing () {
  if (!fs.existsSync(chromiumPath))
    return `no Chromium at ${chromiumPath}`;
  if (!fs.existsSync(path.join(modulesDir, 'playwright-core')) ||
      !fs.existsSync(path.join(modulesDir, '@flashphoner', 'websdk')))
    return `npm modules missing in ${modulesDir}`;
  if (!process.env.CB_SERVER_BINARY)
    return 'CB_SERVER_BINARY is not set';
  return null;
}

export async function loadPlaywright () {
  return import(path.join(modulesDir, 'playwright-core', 'index.mjs'));
}

export class Server {
  // The test pages come from the harness's page server, another origin than the server's:
  // it is listed in rest_allowed_origins so that they may publish and read answers
  // (test-origin.mjs tests pages that are not listed). A later -o in @args wins.
  static async start (...args) {
    const pages = await sharedPageServer();
    args = ['-o', `rest_allowed_origins=${pages.url}`, ...args];
    const s = new Server();
    s.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-browser-'));
    s.log = path.join(s.dir, 'server.log');
    const out = fs.openSync(s.log, 'w');
    // Through prlimit, where there is one, so that a crash leaves a core file in s.dir
    // (the working directory) for the backtrace that stop() prints.
    const serverArgs = ['--bind', '127.0.0.1', '--http-port', '0', '--ws-port', '0', '--rtmp-port', '0',
      '--media-dir', s.dir, '-o', 'record_dir=' + path.join(s.dir, 'records'), ...args];
    const [command, commandArgs] = fs.existsSync('/usr/bin/prlimit')
      ? ['/usr/bin/prlimit', ['--core=unlimited', process.env.CB_SERVER_BINARY, ...serverArgs]]
      : [process.env.CB_SERVER_BINARY, serverArgs];
    s.proc = spawn(command, commandArgs,
      { stdio: ['ignore', out, out], cwd: s.dir, env: { ...process.env, G_DEBUG: 'fatal-criticals' } });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      const text = fs.readFileSync(s.log, 'utf8');
      const m = text.match(/^listening http=(\d+) ws=(\d+) rtmp=(\d+)/m);
      if (m) {
        [s.httpPort, s.wsPort, s.rtmpPort] = m.slice(1).map(Number);
        return s;
      }
      if (s.proc.exitCode !== null)
        throw new Error('castbridge-server exited: ' + text);
      await sleep(50);
    }
    throw new Error('castbridge-server did not start: ' + fs.readFileSync(s.log, 'utf8'));
  }

  get wsUrl () { return `ws://127.0.0.1:${this.wsPort}`; }

  async rest (verb, body) {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/rest-api/${verb}`,
      { method: 'POST', body: JSON.stringify(body || {}), headers: { 'Content-Type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  get recordsDir () { return path.join(this.dir, 'records'); }

  logs () { return fs.readFileSync(this.log, 'utf8').slice(-20000); }

  async stop () {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((resolve) => { this.proc.once('exit', resolve); setTimeout(resolve, 10000); });
    }
    if (process.env.CB_KEEP_LOGS)
      fs.copyFileSync(this.log, path.join(process.env.CB_KEEP_LOGS, `server-${this.proc.pid}.log`));
    // A server that did not exit 0 says how it ended and what it printed last.
    if (this.proc.exitCode !== 0) {
      const how = this.proc.exitCode === null
        ? (this.proc.signalCode ? `killed by ${this.proc.signalCode}` : 'still running 10 s after SIGTERM')
        : `exit ${this.proc.exitCode}`;
      let text = this.logs().slice(-4000);
      if (this.proc.signalCode)
        text += '\n' + crashBacktrace(this.dir);
      console.log(`# castbridge-server ${how}; its log's tail:\n` + text.replace(/^/gm, '# '));
      if (this.proc.exitCode === null && !this.proc.signalCode)
        this.proc.kill('SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    return this.proc.exitCode;
  }
}

// The backtrace of a crashed server from its core file in @dir: the server tests' helper
// (tests/server/cbtest.py crash_backtrace), so that there is one way to read a core.
function crashBacktrace (dir) {
  const r = spawnSync('python3', ['-c',
    'import sys, cbtest; print(cbtest.crash_backtrace(sys.argv[1], sys.argv[2]))',
    process.env.CB_SERVER_BINARY, dir],
  { env: { ...process.env, PYTHONPATH: path.join(here, '..', 'server') }, encoding: 'utf8', timeout: 150000 });
  return (r.stdout || '') + (r.stderr || '');
}

// Serves static files on a loopback port of its own (another origin than the server's).
// @files: URL path → [file, content type].
export async function startStaticServer (files) {
  const server = http.createServer((req, res) => {
    const f = files[req.url.split('?')[0]];
    if (!f) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': f[1] });
    fs.createReadStream(f[0]).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.address().port}`;
  return server;
}

// One page server per test process: the SDK test page, the SDK itself from node_modules,
// and the WHIP/WHEP page. It does not keep the process alive.
let pageServer = null;
async function sharedPageServer () {
  if (pageServer === null) {
    pageServer = startStaticServer({
      '/sdk-page.html': [path.join(here, 'sdk-page.html'), 'text/html'],
      '/whip-page.html': [path.join(here, 'whip-page.html'), 'text/html'],
      '/flashphoner.js': [path.join(modulesDir, '@flashphoner', 'websdk', 'flashphoner.js'), 'text/javascript'],
    });
    (await pageServer).unref();
  }
  return pageServer;
}

// The shared page server: { url }; close() leaves it to the other users in the process.
export async function startPageServer () {
  const server = await sharedPageServer();
  return { url: server.url, close () {} };
}

export const chromiumArgs = [
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--no-sandbox',
  '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
  // WebRTC on loopback: the tests run where loopback is the only interface (on-loopback.sh).
  '--allow-loopback-in-peer-connection',
];

// Headless Chromium as every page test runs it.
export async function launchChromium () {
  const { chromium } = await loadPlaywright();
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

// A new page of @browser with the SDK test page, connected to @server's WebSocket.
export async function openSdkPage (browser, server) {
  const pages = await sharedPageServer();
  const page = await browser.newPage();
  await page.goto(`${pages.url}/sdk-page.html`);
  const state = await page.evaluate((u) => window.connect(u), server.wsUrl);
  if (state !== 'ESTABLISHED')
    throw new Error(`the SDK page did not connect to ${server.wsUrl}: ${state}`);
  return page;
}

// A new page of @browser with the WHIP/WHEP test page.
export async function openWhipPage (browser) {
  const pages = await sharedPageServer();
  const page = await browser.newPage();
  await page.goto(`${pages.url}/whip-page.html`);
  return page;
}

// A UDP relay on loopback between Chromium and the server that loses some of the server's
// video RTP packets (every @every-th of payload type @pt after the first 100), so that
// retransmission can be seen. RTCP, RTX (another payload type), STUN and DTLS pass.
export class LossyUdpRelay {
  static async start (pt, every) {
    const r = new LossyUdpRelay();
    r.pt = pt;
    r.every = every;
    r.seen = r.dropped = 0;
    r.client = r.target = null;
    r.sock = dgram.createSocket('udp4');
    r.sock.on('message', (msg, from) => r.onMessage(msg, from));
    await new Promise((resolve) => r.sock.bind(0, '127.0.0.1', resolve));
    r.port = r.sock.address().port;
    return r;
  }

  setTarget (address, port) { this.target = { address, port }; }

  onMessage (msg, from) {
    const t = this.target;
    if (t && from.address === t.address && from.port === t.port) {
      const rtp = msg.length > 12 && (msg[0] & 0xc0) === 0x80 && !(msg[1] >= 192 && msg[1] <= 223);
      if (rtp && (msg[1] & 0x7f) === this.pt && ++this.seen > 100 && this.seen % this.every === 0) {
        this.dropped++;
        return;
      }
      if (this.client)
        this.sock.send(msg, this.client.port, this.client.address);
    } else {
      this.client = { address: from.address, port: from.port };
      if (t)
        this.sock.send(msg, t.port, t.address);
    }
  }

  close () { this.sock.close(); }
}

export function sleep (ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

export async function waitFor (fn, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
}

export function which (cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// nginx with the RTMP module on a free loopback port (see tests/server/nginxrtmp.py).
export class NginxRtmp {
  static available () {
    return which('nginx') && fs.existsSync('/usr/lib/nginx/modules/ngx_rtmp_module.so') && which('ffprobe');
  }

  static async start () {
    const n = new NginxRtmp();
    n.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-nginx-'));
    n.port = await freePort();
    fs.writeFileSync(path.join(n.dir, 'nginx.conf'), `
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${n.dir}/nginx.pid;
error_log ${n.dir}/error.log info;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:${n.port}; application live { live on; record off; } } }
`);
    n.proc = spawn('nginx', ['-c', path.join(n.dir, 'nginx.conf'), '-p', n.dir], { stdio: 'ignore' });
    await waitFor(() => canConnect(n.port), 'nginx-rtmp listening', 10000);
    return n;
  }

  url (name) { return `rtmp://127.0.0.1:${this.port}/live` + (name ? `/${name}` : ''); }

  stop () {
    this.proc.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

import net from 'node:net';

export function canConnect (port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

export async function freePort () {
  const s = http.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

// [{codec_type, codec_name, width, height}] of a live RTMP stream, or null.
export function ffprobe (url) {
  const r = spawnSync('ffprobe', ['-hide_banner', '-loglevel', 'error', '-rw_timeout', '8000000',
    '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', url],
  { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout).streams || null;
}
