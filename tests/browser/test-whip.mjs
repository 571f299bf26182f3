// test-whip.mjs — WHIP publish and WHEP play from Chromium, on plain RTCPeerConnections
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LossyUdpRelay, Server, chromiumArgs, chromiumPath, loadPlaywright, missing, startPageServer, waitFor } from './harness.mjs';

const skip = missing();

// The test page comes from another origin than the server (listed in rest_allowed_origins
// by the harness): CORS is tested as well.
async function startPage () {
  const pages = await startPageServer();
  return { url: `${pages.url}/whip-page.html`, close () {} };
}

// The UDP ports of WebRTC media come from this range (media_port_from–media_port_to).
const mediaPorts = [46000, 46999];

function assertCandidatePorts (sdp) {
  const ports = [...sdp.matchAll(/a=candidate:\S+ 1 UDP \d+ \S+ (\d+) typ host/g)].map((m) => Number(m[1]));
  assert.ok(ports.length > 0, 'UDP host candidates');
  for (const port of ports)
    assert.ok(port >= mediaPorts[0] && port <= mediaPorts[1], `port ${port} in the media range`);
}

describe('WHIP and WHEP', { skip: skip || false }, () => {
  let server, pageServer, browser;

  before(async () => {
    const { chromium } = await loadPlaywright();
    server = await Server.start('-o', 'webrtc_ice_servers=stun:127.0.0.1:3478',
      '-o', `media_port_from=${mediaPorts[0]}`, '-o', `media_port_to=${mediaPorts[1]}`);
    pageServer = await startPage();
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  });

  after(async () => {
    await browser?.close();
    pageServer?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  test('publish with WHIP, play with WHEP, frames at the published size, DELETE both', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = await browser.newPage();
    await pub.goto(pageServer.url);
    const published = await pub.evaluate((u) => window.whipPublish(u), `${base}/whip/whipcam`);
    assert.equal(published.status, 201, published.body);
    assert.match(published.type, /^application\/sdp/);
    assert.match(published.body, /a=end-of-candidates/);
    assertCandidatePorts(published.body);
    assert.match(published.location, /^\/whip\/whipcam\/[0-9a-f-]+$/);
    assert.ok(published.etag, 'an ETag');
    assert.equal(published.link, '<stun:127.0.0.1:3478>; rel="ice-server"');
    assert.equal(published.patchStatus, 204, 'trickled candidates are accepted');
    assert.equal(published.restartStatus, 422, 'ICE restarts are not supported');
    assert.equal(published.staleStatus, 412, 'a stale If-Match is refused');

    // The resource id is the stream's mediaSessionId.
    const msid = published.location.split('/').pop();
    const found = await waitFor(async () => {
      const r = await server.rest('stream/find', { name: 'whipcam', published: true });
      return r.status === 200 && r.body[0].status === 'PUBLISHING' ? r.body[0] : null;
    }, 'WHIP stream PUBLISHING');
    assert.equal(found.mediaSessionId, msid);
    assert.equal(found.mediaProvider, 'WebRTC');

    const play = await browser.newPage();
    await play.goto(pageServer.url);
    const played = await play.evaluate((u) => window.whepPlay(u), `${base}/whep/whipcam`);
    assert.equal(played.status, 201, played.body);
    assert.match(played.location, /^\/whep\/whipcam\/[0-9a-f-]+$/);
    assertCandidatePorts(played.body);
    const stats = await waitFor(async () => {
      const s = await play.evaluate(() => window.inbound());
      return s.video && s.video.framesDecoded > 10 && s.video.width > 0 ? s : null;
    }, 'decoded frames');
    const source = (await server.rest('stream/find', { name: 'whipcam', published: true })).body[0];
    assert.equal(stats.video.width, source.width);
    assert.equal(stats.video.height, source.height);
    assert.equal(source.width, 640);
    assert.equal(source.height, 480);
    const players = await server.rest('stream/find', { name: 'whipcam', published: false });
    assert.equal(players.body[0].status, 'PLAYING');

    assert.equal(await play.evaluate((r) => window.remove(r), played.resource), 200);
    await waitFor(async () => (await server.rest('stream/find', { name: 'whipcam', published: false })).status === 404,
      'WHEP player gone');
    assert.equal(await pub.evaluate((r) => window.remove(r), published.resource), 200);
    await waitFor(async () => (await server.rest('stream/find', { name: 'whipcam' })).status === 404,
      'WHIP stream gone');
    // Deleted resources are gone for good.
    assert.equal(await pub.evaluate((r) => window.remove(r), published.resource), 404);
    await pub.close();
    await play.close();
  });

  test('video packets lost on the way are NACKed by Chromium and resent by Castbridge (RTX)', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = await browser.newPage();
    await pub.goto(pageServer.url);
    const published = await pub.evaluate((u) => window.whipPublish(u), `${base}/whip/lossy`);
    assert.equal(published.status, 201, published.body);

    const play = await browser.newPage();
    await play.goto(pageServer.url);
    // The player's answer: video first, H.264 at the offered payload type, RTX for it.
    const relay = await LossyUdpRelay.start(-1, 10);
    try {
      const played = await play.evaluate(([u, port]) => window.whepPlay(u, port),
        [`${base}/whep/lossy`, relay.port]);
      assert.equal(played.status, 201, played.body);
      const video = played.body.split('m=')[1];
      const pt = Number(video.match(/^video \d+ \S+ (\d+)/)[1]);
      assert.match(video, new RegExp(`a=rtcp-fb:${pt} nack\r\n`));
      assert.match(video, new RegExp(`a=fmtp:\\d+ apt=${pt}\r\n`), 'an RTX payload type');
      assert.match(video, /a=ssrc-group:FID [1-9]\d* [1-9]\d*\r\n/, 'media and RTX SSRCs signalled');
      relay.pt = pt;
      relay.setTarget(played.serverCandidate.address, played.serverCandidate.port);

      // Every packet the relay lost is asked for again and resent.
      const stats = await waitFor(async () => {
        const dropped = relay.dropped;
        const s = await play.evaluate(() => window.inbound());
        return dropped >= 10 && s.video?.framesDecoded > 60 && s.video.nackCount >= dropped &&
          s.video.retransmitted >= dropped ? s : null;
      }, 'NACKs answered with retransmissions', 30000);
      // Repaired in time: no frame was lost, so no keyframe had to be asked for.
      assert.equal(stats.video.pliCount, 0, JSON.stringify(stats.video));
      assert.equal(await play.evaluate((r) => window.remove(r), played.resource), 200);
    } finally {
      relay.close();
    }
    assert.equal(await pub.evaluate((r) => window.remove(r), published.resource), 200);
    await pub.close();
    await play.close();
  });

  test('WHEP of an unknown stream is 404, a second WHIP publisher of a name is 409', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const page = await browser.newPage();
    await page.goto(pageServer.url);
    const missingStream = await page.evaluate((u) => window.whepPlay(u), `${base}/whep/no-such-stream`);
    assert.equal(missingStream.status, 404);

    const first = await page.evaluate((u) => window.whipPublish(u), `${base}/whip/twice`);
    assert.equal(first.status, 201, first.body);
    const other = await browser.newPage();
    await other.goto(pageServer.url);
    const second = await other.evaluate((u) => window.whipPublish(u), `${base}/whip/twice`);
    assert.equal(second.status, 409);
    assert.match(second.body, /already in use/);
    assert.equal(await page.evaluate((r) => window.remove(r), first.resource), 200);
    await page.close();
    await other.close();
  });
});
