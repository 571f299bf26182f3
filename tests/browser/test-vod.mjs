// test-vod.mjs — VOD files played in Chromium: the WCS Web SDK's playStream and WHEP (the
// path the studio's own player takes)
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NginxRtmp, Server, launchChromium, missing, openSdkPage, sleep, startPageServer, waitFor } from './harness.mjs';

const skip = missing() || (!NginxRtmp.available() && 'ffmpeg missing');

// 6 s of H.264 (a keyframe a second) and AAC; with B-frames or without.
function makeFile (dir, name, bframes) {
  const out = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '6', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '30', '-bf', String(bframes),
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', path.join(dir, name)]);
  assert.equal(out.status, 0, String(out.stderr));
}

async function startWhipPage () {
  const pages = await startPageServer();
  return { url: `${pages.url}/whip-page.html`, close () {} };
}

describe('VOD in Chromium', { skip: skip || false }, () => {
  let server, whipPage, browser;

  before(async () => {
    server = await Server.start();
    makeFile(server.dir, 'plain.mp4', 0);
    makeFile(server.dir, 'bframes.mp4', 2);
    fs.writeFileSync(path.join(server.dir, 'x.mp4'), 'not an MP4 file\n');
    whipPage = await startWhipPage();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    whipPage?.close();
    const code = await server?.stop();
    assert.equal(code, 0, 'castbridge-server exits cleanly');
  });

  const open = () => openSdkPage(browser, server);

  test('the SDK plays vod:// with B-frames smoothly, then STOPPED at the end of the file', async () => {
    const play = await open();
    assert.equal(await play.evaluate(() => window.start('play', 'vod://bframes.mp4')), 'PLAYING:');
    const stats = await waitFor(async () => {
      const s = await play.evaluate(() => window.inbound());
      return s.video?.framesDecoded > 90 && s.audio?.samples > 0 ? s : null;
    }, 'smoothly decoded frames', 30000);
    assert.equal(stats.video.width, 320);
    assert.equal(stats.video.height, 240);
    await waitFor(() => play.evaluate(() => window.events.some((e) => e.startsWith('STOPPED'))),
      'STOPPED at the end of the file', 30000);
    await play.close();
  });

  test('two SDK viewers of vod:// each get the whole file from its beginning', async () => {
    // The second one starts 3 s after the first: a personal VOD starts again for it, so it
    // gets as many frames as the first one and its STOPPED comes about 3 s later.
    const first = await open();
    assert.equal(await first.evaluate(() => window.start('play', 'vod://plain.mp4')), 'PLAYING:');
    const t0 = Date.now();
    await waitFor(async () => (await first.evaluate(() => window.inbound())).video?.framesDecoded > 0,
      'the first viewer decodes', 15000);
    console.log(`# the first viewer decodes ${Date.now() - t0} ms after PLAYING`);
    await new Promise((resolve) => setTimeout(resolve, 3000 - (Date.now() - t0)));
    const second = await open();
    assert.equal(await second.evaluate(() => window.start('play', 'vod://plain.mp4')), 'PLAYING:');
    const vods = await server.rest('vod/find_all');
    assert.equal(vods.status, 200);
    // The state at hand when this fails (it did on the shared egress: cb_engine_webrtc_play()).
    assert.deepEqual(vods.body.map((v) => v.uri), ['vod://plain.mp4', 'vod://plain.mp4'],
      `one reader per viewer: ${JSON.stringify(vods.body)} ${JSON.stringify((await server.rest('stream/find_all')).body)} ` +
      `first viewer's events: ${JSON.stringify(await first.evaluate(() => window.events))}`);

    // The SDK drops the peer connection on STOPPED: keep the last count seen before it.
    const ends = {};
    const frames = { first: 0, second: 0 };
    await waitFor(async () => {
      for (const [who, page] of [['first', first], ['second', second]]) {
        if (ends[who] !== undefined)
          continue;
        const seen = (await page.evaluate(() => window.inbound())).video?.framesDecoded ?? 0;
        frames[who] = Math.max(frames[who], seen);
        if (await page.evaluate(() => window.events.some((e) => e.startsWith('STOPPED'))))
          ends[who] = Date.now();
      }
      return ends.first !== undefined && ends.second !== undefined;
    }, 'STOPPED for both viewers', 30000);
    const lag = (ends.second - ends.first) / 1000;
    console.log(`# lag ${lag} s, frames ${frames.first} ${frames.second}`);
    assert.ok(lag > 1.5, `the second viewer ended ${lag} s after the first, not at the same time`);
    // 6 s at 30 fps: each saw most of the file, the second as much as the first.
    assert.ok(frames.first > 120, `first viewer decoded ${frames.first} frames`);
    assert.ok(frames.second > 120, `second viewer decoded ${frames.second} frames`);
    assert.ok(Math.abs(frames.first - frames.second) < 45,
      `first ${frames.first} and second ${frames.second} frames`);
    await first.close();
    await second.close();
  });

  test('two SDK viewers of vod-live:// see the same position of the file', async () => {
    // pos.mp4 shows where it is: its colour changes every quarter of a second (24 steps
    // over 6 s, each an RGB of 0/120/240). The second viewer joins 2.5 s after the first;
    // sampled at the same moment, both show about the same step.
    const out = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
      "nullsrc=size=160x120:rate=30,geq=r='120*mod(floor(T*4),3)':g='120*mod(floor(T*4/3),3)':b='120*mod(floor(T*4/9),3)',format=yuv444p",
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '6', '-c:v', 'libx264',
      '-preset', 'veryfast', '-g', '30', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
      path.join(server.dir, 'pos.mp4')]);
    assert.equal(out.status, 0, String(out.stderr));
    const step = (page) => page.evaluate(() => {
      const video = document.querySelector('#display video');
      if (!video || video.videoWidth === 0)
        return null;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(video, 0, 0);
      const [r, g, b] = ctx.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
      const level = (x) => Math.min(2, Math.max(0, Math.round(x / 120)));
      return level(r) + 3 * level(g) + 9 * level(b);
    });
    const apart = (a, b) => { const d = Math.abs(a - b) % 24; return Math.min(d, 24 - d); };

    const first = await open();
    let second = null;
    try {
      assert.equal(await first.evaluate(() => window.start('play', 'vod-live://pos.mp4')), 'PLAYING:');
      await waitFor(async () => (await step(first)) !== null, 'the first viewer shows frames', 15000);
      await sleep(2500);
      second = await open();
      assert.equal(await second.evaluate(() => window.start('play', 'vod-live://pos.mp4')), 'PLAYING:');
      await waitFor(async () => (await step(second)) !== null, 'the second viewer shows frames', 15000);
      await sleep(1000);
      const seen = [];
      for (let i = 0; i < 8; i++) {
        const [a, b] = await Promise.all([step(first), step(second)]);
        seen.push([a, b]);
        await sleep(300);
      }
      // A viewer that joins starts at the keyframe before (a second a GOP here) and stays
      // that much behind at most: up to 4 steps, and one more at a change. A personal
      // vod:// viewer who came 2.5 s later would be 10 steps behind.
      const far = seen.filter(([a, b]) => a === null || b === null || apart(a, b) > 5);
      assert.deepEqual(far, [], `steps seen by the first and the second viewer: ${JSON.stringify(seen)}`);
      // Not one picture standing still: the position moved while they were sampled.
      assert.ok(new Set(seen.map(([a]) => a)).size > 3, JSON.stringify(seen));
    } finally {
      await first.close();
      await second?.close();
      // Not left for vod_stream_timeout: the next test counts the readers.
      assert.equal((await server.rest('vod/terminate', { uri: 'vod-live://pos.mp4' })).status, 200);
    }
  });

  test('the SDK is told why a file cannot be played, in WCS words', async () => {
    for (const [name, expected] of [['vod://missing.mp4', 'FAILED:File not found'],
      ['vod-live://../plain.mp4', 'FAILED:File not found'],
      ['vod://x.mp4', 'FAILED:File has wrong format']]) {
      const play = await open();
      assert.equal(await play.evaluate((n) => window.start('play', n), name), expected, name);
      await play.close();
    }
  });

  test('WHEP plays a shared vod-live stream that an SDK viewer watches too', async () => {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const sdk = await open();
    assert.equal(await sdk.evaluate(() => window.start('play', 'vod-live://plain.mp4')), 'PLAYING:');

    const page = await browser.newPage();
    await page.goto(whipPage.url);
    const played = await page.evaluate((u) => window.whepPlay(u),
      `${base}/whep/${encodeURIComponent('vod-live://plain.mp4')}`);
    assert.equal(played.status, 201, played.body);
    assert.match(played.location, /^\/whep\/vod-live%3A%2F%2Fplain\.mp4\/[0-9a-f-]+$/);
    await waitFor(async () => {
      const s = await page.evaluate(() => window.inbound());
      return s.video?.framesDecoded > 30 ? s : null;
    }, 'WHEP decoded frames', 30000);
    const vods = await server.rest('vod/find_all');
    assert.equal(vods.status, 200);
    assert.deepEqual(vods.body.map((v) => v.uri), ['vod-live://plain.mp4']);   // one reader
    assert.equal(await page.evaluate((r) => window.remove(r), played.resource), 200);
    await sdk.close();
    await page.close();
  });
});
