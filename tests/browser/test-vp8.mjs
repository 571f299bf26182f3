// test-vp8.mjs — WebRTC players that offer no H.264 (browsers built without it): they get
// VP8, encoded once per stream, or a failure that names the codecs; never PLAYING to a
// black picture.
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Server, launchChromium, missing, openSdkPage, sleep, waitFor, which } from './harness.mjs';

const skip = missing() || (!which('ffmpeg') && 'ffmpeg missing');

// A small H.264 + AAC stream over RTMP, without B-frames (the H.264 players take it as it is).
function publishRtmp (server, name) {
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '30', '-b:v', '400k',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/${name}`],
  { stdio: 'ignore' });
}

async function waitPublishing (server, name) {
  await waitFor(async () => {
    const f = await server.rest('stream/find', { name, published: true });
    return f.body?.[0]?.status === 'PUBLISHING' && f.body[0].videoCodec === 'H264';
  }, `the RTMP stream ${name}`, 20000);
}

async function renditions (server, name) {
  return (await server.rest('stream/find', { name, published: true })).body[0].renditions;
}

// In a page of the server's own: a WHEP player whose offer has VP8 as its only video codec
// (setCodecPreferences, as a browser without H.264 would offer), and what it gets.
async function whepVp8 (page, url) {
  return page.evaluate(async (url) => {
    const pc = new RTCPeerConnection();
    const video = pc.addTransceiver('video', { direction: 'recvonly' });
    const vp8 = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/VP8');
    video.setCodecPreferences(vp8);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const media = new MediaStream();
    const el = document.createElement('video');
    el.muted = true;
    el.autoplay = true;
    el.playsInline = true;
    document.body.appendChild(el);
    window.vp8 = { pc, el, frames: 0 };
    pc.ontrack = (e) => { media.addTrack(e.track); el.srcObject = media; };
    const count = () => { window.vp8.frames++; el.requestVideoFrameCallback(count); };
    el.requestVideoFrameCallback(count);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer.sdp });
    const out = { status: res.status, body: await res.text(), offer: offer.sdp,
                  resource: res.headers.get('Location') && new URL(res.headers.get('Location'), url).href };
    if (res.status === 201)
      await pc.setRemoteDescription({ type: 'answer', sdp: out.body });
    return out;
  }, url);
}

// Frames shown by the <video> (requestVideoFrameCallback), and the decoder's view.
function picture (page) {
  return page.evaluate(async () => {
    const { pc, el, frames } = window.vp8;
    const out = { frames, width: el.videoWidth, time: el.currentTime };
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        out.framesDecoded = r.framesDecoded || 0;
        out.codec = stats.get(r.codecId)?.mimeType;
      }
    });
    return out;
  });
}

// CPU seconds the server process used (user + system), from /proc.
function cpuSeconds (pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('Players that offer no H.264', { skip: skip || false }, () => {
  let server, browser;

  before(async () => {
    server = await Server.start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  async function sdkPage () {
    const page = await openSdkPage(browser, server);
    return page;
  }

  test('a VP8-only player of an RTMP H.264 stream gets a picture, from one VP8 encoding shared by all',
    async (t) => {
      const ffmpeg = publishRtmp(server, 'cam');
      try {
        await waitPublishing(server, 'cam');
        const base = `http://127.0.0.1:${server.httpPort}`;
        const idle = cpuSeconds(server.proc.pid);
        await sleep(5000);
        const idleCpu = cpuSeconds(server.proc.pid) - idle;

        // WHEP, from a page of the server's own.
        const whep = await browser.newPage();
        await whep.goto(`${base}/client/index.html`);
        const res = await whepVp8(whep, `${base}/whep/cam`);
        assert.doesNotMatch(res.offer, /H264/, 'the offer has no H.264');
        assert.equal(res.status, 201, res.body);
        assert.match(res.body, /VP8\/90000/);
        assert.doesNotMatch(res.body, /H264/);
        const first = await waitFor(async () => {
          const p = await picture(whep);
          return p.frames > 10 && p.framesDecoded > 10 && p.width > 0 ? p : null;
        }, 'VP8 frames shown', 30000);
        assert.equal(first.codec, 'video/VP8');
        assert.equal(first.width, 320);
        await sleep(1000);
        const later = await picture(whep);
        assert.ok(later.frames > first.frames && later.time > first.time, 'the picture moves');

        // The SDK, with H.264 stripped from its offer: PLAYING, with pictures, from the same
        // VP8 encoding (one VP8 rendition, one AAC->Opus).
        const sdk = await sdkPage();
        assert.equal(await sdk.evaluate(() => window.start('play', 'cam', { stripCodecs: 'H264' })), 'PLAYING:');
        const stats = await waitFor(async () => {
          const s = await sdk.evaluate(() => window.inbound());
          return s.video?.framesDecoded > 10 ? s : null;
        }, 'SDK VP8 frames', 30000);
        assert.equal(stats.video.width, 320);
        assert.equal(await renditions(server, 'cam'), 2);
        // Both VP8 players are served by the shared egress, not by webrtcbin peers.
        const players = (await server.rest('stream/find', { name: 'cam', published: false })).body;
        assert.equal(players.length, 2);
        assert.deepEqual(players.map((p) => p.egress), ['shared', 'shared']);

        // CPU of one 320x240 15 fps VP8 rendition (with the Opus one and two senders): a
        // figure for the log, not a pass/fail (bench/ is for timings).
        const busy = cpuSeconds(server.proc.pid);
        await sleep(5000);
        t.diagnostic(`server CPU over 5 s: ${idleCpu.toFixed(2)} s with no player, ` +
          `${(cpuSeconds(server.proc.pid) - busy).toFixed(2)} s with two VP8 players`);

        // An H.264 player of the same stream still gets H.264 as it is: no third rendition.
        const h264 = await sdkPage();
        assert.equal(await h264.evaluate(() => window.start('play', 'cam')), 'PLAYING:');
        await waitFor(async () => (await h264.evaluate(() => window.inbound())).video?.framesDecoded > 10,
          'H.264 frames', 30000);
        assert.equal(await renditions(server, 'cam'), 2);

        // The VP8 encoding ends with its last player.
        assert.equal(await whep.evaluate(async (r) => (await fetch(r, { method: 'DELETE' })).status, res.resource), 200);
        await whep.close();
        await sdk.close();
        await waitFor(async () => (await renditions(server, 'cam')) === 1, 'the VP8 rendition released');
        await h264.close();
        await waitFor(async () => (await renditions(server, 'cam')) === 0, 'every rendition released');
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    });

  test('a player that offers neither H.264 nor VP8 fails, naming the codecs', async () => {
    const ffmpeg = publishRtmp(server, 'cam2');
    try {
      await waitPublishing(server, 'cam2');
      const sdk = await sdkPage();
      const status = await sdk.evaluate(() => window.start('play', 'cam2', { stripCodecs: 'H264,VP8' }));
      const m = status.match(/^FAILED:No common codecs: stream has H264, player offers (.*)$/);
      assert.ok(m, status);
      assert.match(m[1], /VP9/);
      assert.doesNotMatch(m[1], /H264|VP8|RTX|RED/);
      await sdk.close();
    } finally {
      ffmpeg.kill('SIGKILL');
    }
  });
});

describe('Players that offer no H.264, transcoding disabled', { skip: skip || false }, () => {
  let server, browser;

  before(async () => {
    server = await Server.start('-o', 'transcoding_enabled=false');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('WHEP answers an error and the SDK gets FAILED, both naming the codecs', async () => {
    const ffmpeg = publishRtmp(server, 'off');
    try {
      await waitPublishing(server, 'off');
      const base = `http://127.0.0.1:${server.httpPort}`;
      const reason = 'Transcoding required, but disabled: stream has H264, player offers VP8';

      const whep = await browser.newPage();
      await whep.goto(`${base}/client/index.html`);
      const res = await whepVp8(whep, `${base}/whep/off`);
      assert.equal(res.status, 400);
      assert.equal(res.body.trim(), reason);
      assert.equal((await server.rest('stream/find', { name: 'off', published: false })).status, 404,
        'no player left behind');

      const sdk = await openSdkPage(browser, server);
      // The SDK strips H.264 and leaves the rest Chromium has.
      assert.match(await sdk.evaluate(() => window.start('play', 'off', { stripCodecs: 'H264' })),
        /^FAILED:Transcoding required, but disabled: stream has H264, player offers VP8(, [^H]\w+)*$/);
      assert.equal(await renditions(server, 'off'), 0, 'nothing encoded');
      await whep.close();
      await sdk.close();
    } finally {
      ffmpeg.kill('SIGKILL');
    }
  });
});
