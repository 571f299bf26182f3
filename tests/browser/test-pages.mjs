// test-pages.mjs — the server's own pages (/client/): publish, play and the streams list
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, chromiumArgs, chromiumPath, loadPlaywright, missing, waitFor } from './harness.mjs';

const skip = missing();

describe('browser pages', { skip: skip || false }, () => {
  let server, browser, base;

  before(async () => {
    const { chromium } = await loadPlaywright();
    server = await Server.start();
    base = `http://127.0.0.1:${server.httpPort}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });

  after(async () => {
    await browser?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  async function open (page) {
    const p = await browser.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    p.errors = errors;
    const res = await p.goto(`${base}/client/${page}`);
    assert.equal(res.status(), 200);
    return p;
  }

  const status = (p) => p.locator('#status').getAttribute('data-status');

  test('the config tells the WebSocket port', async () => {
    const res = await fetch(`${base}/castbridge/config.json`);
    assert.equal(res.status, 200);
    const config = await res.json();
    assert.equal(config.wsPort, server.wsPort);
    assert.equal(config.wssPort, null);
    const redirect = await fetch(`${base}/client`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.match(redirect.headers.get('location'), /\/client\/$/);
    assert.equal((await fetch(`${base}/client/no-such-page.html`)).status, 404);
    assert.equal((await fetch(`${base}/client/web.gresource.xml`)).status, 404);
  });

  test('publish pagecam, play it with frames, the list shows it, stop both', async () => {
    const pub = await open('publish.html');
    // The fake devices are listed once the preview has the permission.
    await waitFor(async () => (await pub.locator('#camera option').count()) > 1, 'camera list');
    await waitFor(async () => (await pub.locator('#microphone option').count()) > 1, 'microphone list');
    await pub.fill('#name', 'pagecam');
    await pub.click('#publish');
    await waitFor(async () => (await status(pub)) === 'PUBLISHING', 'PUBLISHING');
    assert.equal(await pub.locator('#watch-link').getAttribute('href'), 'play.html?name=pagecam');

    const source = await waitFor(async () => {
      const r = await server.rest('stream/find', { name: 'pagecam', published: true });
      return r.status === 200 && r.body[0].width > 0 ? r.body[0] : null;
    }, 'published size');

    const play = await open('play.html?name=pagecam');
    assert.equal(await play.inputValue('#name'), 'pagecam');
    await play.click('#play');
    await waitFor(async () => (await status(play)) === 'PLAYING', 'PLAYING');
    const stats = await waitFor(async () => {
      const s = play.locator('#stats');
      const frames = Number(await s.getAttribute('data-frames-decoded'));
      return frames > 10 ? { width: Number(await s.getAttribute('data-width')),
                             height: Number(await s.getAttribute('data-height')) } : null;
    }, 'decoded frames');
    assert.equal(stats.width, source.width);
    assert.equal(stats.height, source.height);
    // Volume and mute act on the video element.
    await play.fill('#volume', '30');
    assert.equal(await play.evaluate(() => document.getElementById('video').volume), 0.3);
    await play.click('#mute');
    assert.equal(await play.evaluate(() => document.getElementById('video').muted), true);
    assert.equal(await play.locator('#mute').getAttribute('aria-pressed'), 'true');

    const list = await open('');
    const row = list.locator('tr[data-name="pagecam"]');
    await waitFor(async () => (await row.count()) === 1, 'pagecam listed');
    assert.equal(await row.locator('a').first().getAttribute('href'), 'play.html?name=pagecam');
    await waitFor(async () => (await row.locator('td').nth(1).textContent()) === 'PUBLISHING', 'status column');
    await waitFor(async () => (await row.locator('td').nth(5).textContent()) === '1', 'one player');

    await play.click('#stop');
    await waitFor(async () => (await status(play)) === 'STOPPED', 'STOPPED');
    await pub.click('#stop');
    await waitFor(async () => (await status(pub)) === 'UNPUBLISHED', 'UNPUBLISHED');
    assert.equal((await server.rest('stream/find', { name: 'pagecam' })).status, 404);
    await waitFor(async () => (await row.count()) === 0, 'pagecam gone from the list');
    assert.match(await list.locator('#summary').textContent(), /No live streams/);

    // The list polls stream/find_all, which answers 404 when there is no stream (as in WCS).
    list.errors = list.errors.filter((e) => !/status of 404/.test(e));
    for (const p of [pub, play, list]) {
      assert.deepEqual(p.errors, [], 'no script errors');
      await p.close();
    }
  });

  test('playing an unknown name shows Stream not found', async () => {
    const play = await open('play.html');
    await play.fill('#name', 'nobody-here');
    await play.click('#play');
    await waitFor(async () => (await status(play)) === 'FAILED', 'FAILED');
    assert.match(await play.locator('#error').textContent(), /Stream not found/);
    assert.equal(await play.locator('#play').isDisabled(), false, 'can try again');
    await play.close();
  });
});
