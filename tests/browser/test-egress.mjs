// test-egress.mjs — WebRTC viewers served by the shared egress (one thread, one UDP port),
// and the webrtcbin fallback, from Chromium with the WCS Web SDK and WHEP
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LossyUdpRelay, Server, launchChromium, missing, openSdkPage, openWhipPage, sleep, waitFor, which } from './harness.mjs';

const skip = missing();

// The egress takes the first free port of the media range.
const mediaPorts = [47000, 47999];

async function player (server, name) {
  const r = await server.rest('stream/find', { name, published: false });
  return r.status === 200 ? r.body : [];
}

describe('Viewers on the shared egress', { skip: skip || false }, () => {
  let server, browser;

  before(async () => {
    server = await Server.start('-o', `media_port_from=${mediaPorts[0]}`, '-o', `media_port_to=${mediaPorts[1]}`,
      '-o', 'webrtc_egress_consent_timeout=3');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  const openSdk = () => openSdkPage(browser, server);

  const openWhip = () => openWhipPage(browser);

  test('SDK players play through the egress, two of them from one payloading branch', async () => {
    const pub = await openSdk();
    assert.equal(await pub.evaluate(() => window.start('publish', 'eg1')), 'PUBLISHING:');
    const plays = [await openSdk(), await openSdk()];
    for (const play of plays)
      assert.equal(await play.evaluate(() => window.start('play', 'eg1')), 'PLAYING:');
    for (const play of plays) {
      await waitFor(async () => {
        const s = await play.evaluate(() => window.inbound());
        return s.video && s.video.framesDecoded > 10 && s.video.width > 0 && s.audio && s.audio.samples > 0 ? s : null;
      }, 'decoded frames and audio');
    }
    const players = await player(server, 'eg1');
    assert.equal(players.length, 2);
    for (const p of players) {
      assert.equal(p.egress, 'shared', JSON.stringify(p));
      assert.equal(p.status, 'PLAYING');
    }
    // Payloaded once: the publisher has one consumer for both viewers.
    const source = (await server.rest('stream/find', { name: 'eg1', published: true })).body[0];
    assert.equal(source.consumers, 1, JSON.stringify(source));
    assert.equal(source.egress, undefined, 'a publisher has no egress field');

    await plays[0].evaluate(() => window.stop());
    await waitFor(() => plays[0].evaluate(() => window.events.includes('STOPPED:')), 'STOPPED');
    // The other viewer goes on.
    const before = (await plays[1].evaluate(() => window.inbound())).video.framesDecoded;
    await waitFor(async () => (await plays[1].evaluate(() => window.inbound())).video.framesDecoded > before + 10,
      'the second viewer still decodes');
    await plays[1].evaluate(() => window.stop());
    await waitFor(async () => (await player(server, 'eg1')).length === 0, 'players gone');
    await waitFor(async () => (await server.rest('stream/find', { name: 'eg1', published: true })).body[0].consumers === 0,
      'the payloading branch gone with its last viewer');
    await pub.evaluate(() => window.stop());
    for (const p of [pub, ...plays])
      await p.close();
  });

  test('WHEP plays through the egress on the media range port; the publisher stopping stops it', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = await openWhip();
    const published = await pub.evaluate((u) => window.whipPublish(u), `${base}/whip/eg2`);
    assert.equal(published.status, 201, published.body);
    const play = await openWhip();
    const played = await play.evaluate((u) => window.whepPlay(u), `${base}/whep/eg2`);
    assert.equal(played.status, 201, played.body);
    assert.match(played.body, /a=ice-lite\r\n/);
    const port = Number(played.body.match(/a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 (\d+) typ host/)[1]);
    assert.equal(port, mediaPorts[0]);
    await waitFor(async () => {
      const s = await play.evaluate(() => window.inbound());
      return s.video && s.video.framesDecoded > 10 && s.video.width === 640 ? s : null;
    }, 'decoded frames');
    const [entry] = await player(server, 'eg2');
    assert.equal(entry.egress, 'shared');
    assert.equal(entry.status, 'PLAYING');

    assert.equal(await pub.evaluate((r) => window.remove(r), published.resource), 200);
    await waitFor(async () => (await player(server, 'eg2')).length === 0, 'the player ends with its source');
    await pub.close();
    await play.close();
  });

  // An RTMP source that never makes a keyframe on request, with a GOP of 8 s.
  function publishRtmp (name) {
    return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '240', '-keyint_min', '240',
      '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '96k',
      '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/${name}`], { stdio: 'ignore' });
  }

  // The A/V offset Chromium plays with (ms, video behind audio > 0), from the sender's time
  // of what each track plays out now (our sender reports map RTP time to it).
  function avOffset (s) {
    return s.audio?.playout && s.video?.playout ? s.audio.playout - s.video.playout : null;
  }

  test('a late viewer starts at once from the last keyframe, plays on smoothly, audio in sync',
    { skip: !which('ffmpeg') && 'ffmpeg missing' }, async () => {
      const ffmpeg = publishRtmp('eg5');
      try {
        await waitFor(async () => (await server.rest('stream/find', { name: 'eg5', status: 'PUBLISHING' })).status === 200,
          'the RTMP stream', 20000);
        const base = `http://127.0.0.1:${server.httpPort}`;
        const first = await openWhip();
        assert.equal((await first.evaluate((u) => window.whepPlay(u), `${base}/whep/eg5`)).status, 201);
        await waitFor(async () => (await first.evaluate(() => window.inbound())).video?.framesDecoded > 30,
          'the first viewer decodes');
        await sleep(1000);
        // Somewhere in the 8 s GOP: waiting for the next keyframe would take seconds.
        const late = await openWhip();
        assert.equal((await late.evaluate((u) => window.whepPlay(u), `${base}/whep/eg5`)).status, 201);
        const firstFrame = await waitFor(() => late.evaluate(() => window.firstFrameMs), 'the first frame', 20000);
        assert.ok(firstFrame < 1500, `first frame ${firstFrame} ms after the offer`);
        // Chromium decodes the replayed pictures at once, then plays on at the stream's pace.
        const s0 = await late.evaluate(() => window.inbound());
        await sleep(3000);
        const s1 = await late.evaluate(() => window.inbound());
        assert.ok(s1.video.framesDecoded - s0.video.framesDecoded >= 60, `30 fps: ${JSON.stringify([s0.video, s1.video])}`);
        assert.equal(s1.video.pliCount, 0, 'the first picture decoded: no keyframe asked for');
        // Lip sync: Chromium moves its audio and video delays toward our sender reports'
        // common time by tens of ms a second, from where its jitter buffers started (the
        // audio's a few hundred ms on a busy machine, and it comes later: made Opus here).
        const offsets = [];
        await waitFor(async () => {
          offsets.push(avOffset(await late.evaluate(() => window.inbound())));
          return offsets.length >= 3 && offsets.slice(-3).every((o) => o !== null && Math.abs(o) <= 100);
        }, 'audio and video within 100 ms', 40000);
        console.log(`# first frame ${firstFrame.toFixed(0)} ms; A/V offsets (ms) ${offsets.join(' ')}`);
        await first.close();
        await late.close();
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    });

  test('10 % of the video packets lost on the way: NACKed and resent over RTX, no keyframe needed',
    { skip: !which('ffmpeg') && 'ffmpeg missing' }, async () => {
      const ffmpeg = publishRtmp('eg6');
      const relay = await LossyUdpRelay.start(-1, 10);
      try {
        await waitFor(async () => (await server.rest('stream/find', { name: 'eg6', status: 'PUBLISHING' })).status === 200,
          'the RTMP stream', 20000);
        const base = `http://127.0.0.1:${server.httpPort}`;
        const play = await openWhip();
        const played = await play.evaluate(([u, p]) => window.whepPlay(u, p), [`${base}/whep/eg6`, relay.port]);
        assert.equal(played.status, 201, played.body);
        relay.pt = Number(played.body.split('m=')[1].match(/^video \d+ \S+ (\d+)/)[1]);
        relay.setTarget(played.serverCandidate.address, played.serverCandidate.port);
        const s0 = await waitFor(async () => {
          const s = await play.evaluate(() => window.inbound());
          return relay.dropped >= 20 && s.video?.framesDecoded > 30 ? s : null;
        }, 'frames decoded through the lossy relay', 30000);
        await sleep(3000);
        const s1 = await play.evaluate(() => window.inbound());
        const detail = JSON.stringify({ dropped: relay.dropped, seen: relay.seen, s0: s0.video, s1: s1.video });
        assert.ok(s1.video.framesDecoded - s0.video.framesDecoded >= 60, `frames keep decoding: ${detail}`);
        assert.ok(s1.video.nackCount > 0 && s1.video.retransmitted > 0, detail);
        // Repaired in time: the picture never broke, so Chromium asked for no keyframe
        // (this source would not make one before its next GOP anyway).
        assert.equal(s1.video.pliCount, 0, detail);
        const [entry] = await player(server, 'eg6');
        assert.equal(entry.egress, 'shared');
        await play.close();
      } finally {
        relay.close();
        ffmpeg.kill('SIGKILL');
      }
    });

  test('a viewer whose network vanishes is removed when its consent expires', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const pub = await openWhip();
    const published = await pub.evaluate((u) => window.whipPublish(u), `${base}/whip/eg3`);
    assert.equal(published.status, 201, published.body);
    const play = await openWhip();
    const relay = await LossyUdpRelay.start(-1, 1000000);
    try {
      const played = await play.evaluate(([u, p]) => window.whepPlay(u, p), [`${base}/whep/eg3`, relay.port]);
      assert.equal(played.status, 201, played.body);
      relay.setTarget(played.serverCandidate.address, played.serverCandidate.port);
      await waitFor(async () => {
        const s = await play.evaluate(() => window.inbound());
        return s.video && s.video.framesDecoded > 10 ? s : null;
      }, 'decoded frames through the relay');
      assert.equal((await player(server, 'eg3'))[0].status, 'PLAYING');
    } finally {
      relay.close();   // the browser's checks no longer arrive
    }
    await waitFor(async () => (await player(server, 'eg3')).length === 0,
      'the player removed (webrtc_egress_consent_timeout=3)', 15000);
    assert.equal(await pub.evaluate((r) => window.remove(r), published.resource), 200);
    await pub.close();
    await play.close();
  });

  test('a viewer whose page closes is removed', async () => {
    const pub = await openSdk();
    assert.equal(await pub.evaluate(() => window.start('publish', 'eg4')), 'PUBLISHING:');
    const base = `http://127.0.0.1:${server.httpPort}`;
    const play = await openWhip();
    const played = await play.evaluate((u) => window.whepPlay(u), `${base}/whep/eg4`);
    assert.equal(played.status, 201, played.body);
    await waitFor(async () => (await player(server, 'eg4'))[0]?.status === 'PLAYING', 'PLAYING');
    await play.close();
    await waitFor(async () => (await player(server, 'eg4')).length === 0, 'the player removed', 15000);
    await pub.evaluate(() => window.stop());
    await pub.close();
  });
});

describe('Viewers with webrtc_egress=false', { skip: skip || false }, () => {
  let server, browser;

  before(async () => {
    server = await Server.start('-o', 'webrtc_egress=false');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  test('an SDK player falls back to a webrtcbin peer, plays, and says so', async () => {
    const pub = await openSdkPage(browser, server);
    assert.equal(await pub.evaluate(() => window.start('publish', 'fb1')), 'PUBLISHING:');
    const play = await openSdkPage(browser, server);
    assert.equal(await play.evaluate(() => window.start('play', 'fb1')), 'PLAYING:');
    await waitFor(async () => {
      const s = await play.evaluate(() => window.inbound());
      return s.video && s.video.framesDecoded > 10 ? s : null;
    }, 'decoded frames');
    const [entry] = await player(server, 'fb1');
    assert.equal(entry.egress, 'webrtcbin');
    await play.evaluate(() => window.stop());
    await pub.evaluate(() => window.stop());
    await pub.close();
    await play.close();
  });
});
