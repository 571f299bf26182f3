// test-origin.mjs — a page of another site, open in the user's browser on the same machine,
// cannot drive the studio: no push/startup with a "simple" text/plain POST, no WebSocket
// publish; a page of an origin listed in rest_allowed_origins can
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, chromiumArgs, chromiumPath, loadPlaywright, missing, modulesDir, startStaticServer, waitFor } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const skip = missing();

// Another loopback port is another origin: this one is not the harness's page server.
function startOtherSite () {
  return startStaticServer({
    '/sdk-page.html': [path.join(here, 'sdk-page.html'), 'text/html'],
    '/flashphoner.js': [path.join(modulesDir, '@flashphoner', 'websdk', 'flashphoner.js'), 'text/javascript'],
  });
}

// An "RTMP server" that accepts and says nothing: a push to it stays listed while it tries.
async function startSilentRtmp () {
  const sockets = new Set();
  const server = net.createServer((sock) => { sockets.add(sock); sock.on('error', () => {}); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `rtmp://127.0.0.1:${server.address().port}/live/stolen`;
  server.stop = () => { for (const s of sockets) s.destroy(); server.close(); };
  return server;
}

// What the page does: a push/startup that wants to read the answer, then one that needs
// no preflight and is sent even when the answer may not be read (mode: 'no-cors').
async function tryPush (page, httpPort, rtmpUrl) {
  return page.evaluate(async ({ httpPort, rtmpUrl }) => {
    const url = `http://127.0.0.1:${httpPort}/rest-api/push/startup`;
    const body = JSON.stringify({ streamName: 'boot', rtmpUrl });
    let result;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
      result = { read: true, status: res.status, body: await res.json() };
    } catch (e) {
      result = { read: false, error: String(e) };
    }
    await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body });
    return result;
  }, { httpPort, rtmpUrl });
}

describe('Pages of other sites', { skip: skip || false }, () => {
  let other, rtmp, browser;

  before(async () => {
    const { chromium } = await loadPlaywright();
    other = await startOtherSite();
    rtmp = await startSilentRtmp();
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });

  after(async () => {
    await browser?.close();
    other?.close();
    rtmp?.stop();
  });

  async function openOther (server) {
    const page = await browser.newPage();
    await page.goto(`${other.url}/sdk-page.html`);
    assert.equal(await page.evaluate((u) => window.connect(u), server.wsUrl), 'ESTABLISHED');
    return page;
  }

  test('a page of another site can neither push nor publish, but may play', async () => {
    const server = await Server.start('--publish', 'boot=test');
    try {
      const page = await openOther(server);
      const tried = await tryPush(page, server.httpPort, rtmp.url);
      assert.equal(tried.read, false, 'the page is not let read the answer: ' + JSON.stringify(tried));
      // Asked from node, with no Origin: no push was started.
      const pushes = await server.rest('push/find_all');
      assert.equal(pushes.status, 404, JSON.stringify(pushes.body));

      assert.equal(await page.evaluate(() => window.start('publish', 'stolen')), 'FAILED:Restricted access');
      assert.equal((await server.rest('stream/find', { name: 'stolen' })).status, 404);
      // WCS's public model: any page may play (ws_play_any_origin=true).
      assert.equal(await page.evaluate(() => window.start('play', 'boot')), 'PLAYING:');
      await page.close();
    } finally {
      assert.equal(await server.stop(), 0, 'castbridge-server exits cleanly');
    }
  });

  test('a page of an origin listed in rest_allowed_origins can push and publish', async () => {
    const server = await Server.start('--publish', 'boot=test', '-o', `rest_allowed_origins=${other.url}`);
    try {
      const page = await openOther(server);
      const tried = await tryPush(page, server.httpPort, rtmp.url);
      assert.equal(tried.read, true, JSON.stringify(tried));
      assert.equal(tried.status, 200, JSON.stringify(tried));
      assert.ok(tried.body.mediaSessionId, JSON.stringify(tried.body));
      const pushes = await waitFor(async () => {
        const r = await server.rest('push/find_all');
        return r.status === 200 ? r.body : null;
      }, 'the pushes are listed');
      assert.ok(pushes.length >= 1, JSON.stringify(pushes));

      assert.equal(await page.evaluate(() => window.start('publish', 'welcome')), 'PUBLISHING:');
      assert.equal((await server.rest('stream/find', { name: 'welcome' })).status, 200);
      await page.close();
    } finally {
      assert.equal(await server.stop(), 0, 'castbridge-server exits cleanly');
    }
  });
});
