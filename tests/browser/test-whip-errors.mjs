// test-whip-errors.mjs — bad requests to WHIP/WHEP over plain HTTP get the right status,
// and the server keeps serving
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, sleep, waitFor } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// A real offer of Chromium (sendonly H.264/VP8 video and Opus audio), so that the server
// answers it for real.
const OFFER = fs.readFileSync(path.join(here, 'chromium-offer.sdp'), 'utf8').replace(/\r?\n/g, '\r\n');
const skip = process.env.CB_SERVER_BINARY ? false : 'CB_SERVER_BINARY is not set';

describe('WHIP and WHEP against bad input', { skip }, () => {
  let server, base;

  before(async () => {
    server = await Server.start('--publish', 'dup=test');
    base = `http://127.0.0.1:${server.httpPort}`;
  });

  after(async () => {
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  async function call (method, url, body, type) {
    const headers = {};
    if (type)
      headers['Content-Type'] = type;
    const res = await fetch(base + url, { method, headers, body });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  async function healthy () {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200, 'the server still answers');
  }

  test('content types', async () => {
    // A Uint8Array body is sent with no Content-Type at all.
    assert.equal((await call('POST', '/whip/e1', new TextEncoder().encode(OFFER))).status, 415);
    const plain = await call('POST', '/whip/e1', OFFER, 'text/plain');
    assert.equal(plain.status, 415);
    assert.match(plain.text, /application\/sdp/);
    assert.match(plain.headers.get('content-type'), /^text\/plain/);
    assert.equal((await call('POST', '/whip/e1', '{"sdp":"v=0"}', 'application/json')).status, 415);
    assert.equal((await call('POST', '/whep/dup', OFFER, 'application/x-www-form-urlencoded')).status, 415);
    await healthy();
  });

  test('bodies that are not SDP offers', async () => {
    const empty = await call('POST', '/whip/e2', '', 'application/sdp');
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Empty body/);
    assert.equal((await call('POST', '/whip/e2', 'hello', 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/e2', 'v=0\r\ns=-\r\n', 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/e2', crypto.randomBytes(4096), 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/e2', Buffer.from('v=0\r\nm=\0video\r\n'), 'application/sdp')).status, 400);
    // SDP, but nothing in it we can receive.
    const nocodec = await call('POST', '/whip/e2', 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'application/sdp');
    assert.equal(nocodec.status, 400);
    assert.match(nocodec.text, /No common codecs/);
    assert.equal((await server.rest('stream/find', { name: 'e2' })).status, 404, 'nothing left behind');
    await healthy();
  });

  test('a huge body is refused and the server goes on', async () => {
    let status = 0;
    try {
      status = (await call('POST', '/whip/e3', 'v=0\r\n' + 'a=x\r\n'.repeat(60000), 'application/sdp')).status;
    } catch (e) {
      status = -1;   // the server may close before the whole body is sent
    }
    assert.ok([400, 413, -1].includes(status), `status ${status}`);
    await healthy();
  });

  test('names, paths and methods', async () => {
    assert.equal((await call('POST', '/whip/', OFFER, 'application/sdp')).status, 404);
    // libsoup decodes the path: a%2Fb is a/b, a resource path, where POST is not allowed.
    assert.equal((await call('POST', '/whip/a%2Fb', OFFER, 'application/sdp')).status, 405);
    assert.equal((await call('POST', '/whip/a%00b', OFFER, 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/a/b/c', OFFER, 'application/sdp')).status, 404);
    assert.equal((await call('POST', '/whip/%20lead', OFFER, 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/a..b', OFFER, 'application/sdp')).status, 400);
    assert.equal((await call('POST', '/whip/' + 'n'.repeat(300), OFFER, 'application/sdp')).status, 400);
    const get = await call('GET', '/whip/e4');
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    assert.equal((await call('DELETE', '/whip/e4')).status, 405);
    assert.equal((await call('PUT', '/whip/e4/abc', 'x', 'text/plain')).status, 405);
    assert.equal((await call('DELETE', '/whip/e4/abcdef')).status, 404);
    assert.equal((await call('DELETE', '/whep/e4/abcdef')).status, 404);
    assert.equal((await call('DELETE', '/whip/e4/bad.id')).status, 404);
    assert.equal((await call('PATCH', '/whip/e4/abcdef', 'a=end-of-candidates\r\n',
      'application/trickle-ice-sdpfrag')).status, 404);
    // A preflight of the server's own page is told it may send (a page of another site is
    // not: test-origin.mjs).
    const own = `http://127.0.0.1:${server.httpPort}`;
    const options = await fetch(base + '/whip/e4', { method: 'OPTIONS', headers: { Origin: own } });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('access-control-allow-origin'), own);
    assert.match(options.headers.get('access-control-allow-methods'), /PATCH/);
    assert.match(options.headers.get('access-control-allow-headers'), /If-Match/);
    assert.match(options.headers.get('access-control-expose-headers'), /Location/);
    await healthy();
  });

  test('409 for a name in use, 404 for WHEP of an unknown stream', async () => {
    const dup = await call('POST', '/whip/dup', OFFER, 'application/sdp');
    assert.equal(dup.status, 409);
    assert.match(dup.text, /already in use/);
    const none = await call('POST', '/whep/nobody', OFFER.replace(/a=sendonly/g, 'a=recvonly'), 'application/sdp');
    assert.equal(none.status, 404);
    assert.match(none.text, /Stream not found/);
    // The test pattern was not disturbed.
    assert.equal((await server.rest('stream/find', { name: 'dup' })).body[0].status, 'PUBLISHING');
  });

  test('a real offer: 201, wrong PATCH type 415, DELETE, then 404', async () => {
    const res = await call('POST', '/whip/e5', OFFER, 'application/sdp; charset=utf-8');
    assert.equal(res.status, 201, res.text);
    const location = res.headers.get('location');
    assert.match(location, /^\/whip\/e5\/[0-9a-f-]{36}$/);
    assert.match(res.text, /^v=0\r\n/);
    assert.match(res.text, /a=setup:(active|passive)/);
    assert.equal(res.headers.get('link'), null, 'no ICE servers configured');
    // The wrong kind of resource path for it.
    assert.equal((await call('DELETE', location.replace('/whip/', '/whep/'))).status, 404);
    assert.equal((await call('DELETE', location.replace('/e5/', '/e6/'))).status, 404);
    assert.equal((await call('PATCH', location, 'a=end-of-candidates\r\n', 'application/sdp')).status, 415);
    assert.equal((await call('PATCH', location, Buffer.from([0, 1, 2]), 'application/trickle-ice-sdpfrag')).status, 400);
    assert.equal((await call('DELETE', location)).status, 200);
    assert.equal((await server.rest('stream/find', { name: 'e5' })).status, 404);
    assert.equal((await call('DELETE', location)).status, 404);
  });

  test('a name that needs percent-encoding keeps it in the Location', async () => {
    const res = await call('POST', '/whip/my%20cam%2520%23', OFFER, 'application/sdp');
    assert.equal(res.status, 201, res.text);
    const location = res.headers.get('location');
    assert.match(location, /^\/whip\/my%20cam%2520%23\/[0-9a-f-]{36}$/);
    assert.equal((await server.rest('stream/find', { name: 'my cam%20#' })).status, 200);
    assert.equal((await call('DELETE', location)).status, 200);
    assert.equal((await server.rest('stream/find', { name: 'my cam%20#' })).status, 404);
  });

  test('a client that hangs up before the answer', async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => {
        const socket = net.connect(server.httpPort, '127.0.0.1', () => {
          const body = Buffer.from(OFFER);
          socket.write(`POST /whip/gone${i} HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n` +
                       `Content-Length: ${body.length}\r\n\r\n`);
          socket.end(body);
          setTimeout(() => { socket.destroy(); resolve(); }, i * 20);
        });
        socket.on('error', resolve);
      });
    }
    await sleep(500);
    await healthy();
    // Nobody learnt their Location: their streams are stopped, not left PENDING.
    for (let i = 0; i < 3; i++)
      await waitFor(async () => (await server.rest('stream/find', { name: `gone${i}` })).status === 404,
        `gone${i} stopped`, 10000);
    // The server still answers offers.
    const res = await call('POST', '/whip/after-hangup', OFFER, 'application/sdp');
    assert.equal(res.status, 201, res.text);
    assert.equal((await call('DELETE', res.headers.get('location'))).status, 200);
  });

  test('many requests at once', async () => {
    const all = [];
    for (let i = 0; i < 30; i++) {
      all.push(call('POST', `/whip/burst${i % 3}`, i % 2 ? 'junk' : '', 'application/sdp'));
      all.push(call('DELETE', `/whip/burst/${i}`));
    }
    const results = await Promise.all(all);
    assert.ok(results.every((r) => r.status === 400 || r.status === 404));
    await healthy();
    await waitFor(async () => (await server.rest('stream/find', { name: 'burst0' })).status === 404, 'no burst stream');
  });
});
