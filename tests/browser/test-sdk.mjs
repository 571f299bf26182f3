// test-sdk.mjs — the official WCS Web SDK against Castbridge, in headless Chromium
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxRtmp, Server, ffprobe, launchChromium, missing, openSdkPage, waitFor } from './harness.mjs';

const skip = missing();

describe('WCS Web SDK', { skip: skip || false }, () => {
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

  const open = () => openSdkPage(browser, server);

  test('publish, play with frames at the published size, stop both', async () => {
    const pub = await open();
    assert.equal(await pub.evaluate(() => window.start('publish', 'sdk1')), 'PUBLISHING:');

    const found = await server.rest('stream/find', { name: 'sdk1', published: true });
    assert.equal(found.status, 200);
    assert.equal(found.body[0].mediaProvider, 'WebRTC');

    const play = await open();
    assert.equal(await play.evaluate(() => window.start('play', 'sdk1')), 'PLAYING:');
    const stats = await waitFor(async () => {
      const s = await play.evaluate(() => window.inbound());
      return s.video && s.video.framesDecoded > 10 && s.audio && s.audio.samples > 0 ? s : null;
    }, 'decoded frames');
    const published = (await server.rest('stream/find', { name: 'sdk1', published: true })).body[0];
    assert.equal(stats.video.width, published.width);
    assert.equal(stats.video.height, published.height);
    assert.equal(published.videoCodec, 'H264');
    // A browser's H.264 says nothing of its frame rate: the server measures it from the
    // timestamps (a fake camera runs near 30 fps), and reports Opus's rate.
    const measured = await waitFor(async () => {
      const s = (await server.rest('stream/find', { name: 'sdk1', published: true })).body[0];
      return s.fps > 0 ? s : null;
    }, 'a measured fps');
    assert.ok(measured.fps >= 5 && measured.fps <= 61, `fps ${measured.fps}`);
    assert.equal(measured.audioRate, 48000);

    // The player is a stream too (published: false), as in WCS.
    const players = await server.rest('stream/find', { name: 'sdk1', published: false });
    assert.equal(players.status, 200);
    assert.equal(players.body[0].status, 'PLAYING');

    // Mute on the publisher reaches the player as a stream event.
    await pub.evaluate(() => window.muteAudio());
    await waitFor(() => play.evaluate(() => window.streamEvents.includes('audioMuted')), 'audioMuted event');

    await play.evaluate(() => window.stop('play'));
    await waitFor(() => play.evaluate(() => window.events.includes('STOPPED:')), 'STOPPED');
    await pub.evaluate(() => window.stop('publish'));
    await waitFor(() => pub.evaluate(() => window.events.includes('UNPUBLISHED:')), 'UNPUBLISHED');
    assert.equal((await server.rest('stream/find', { name: 'sdk1' })).status, 404);
    await pub.close();
    await play.close();
  });

  test('a name in use fails with the WCS reason', async () => {
    const first = await open();
    assert.equal(await first.evaluate(() => window.start('publish', 'taken')), 'PUBLISHING:');
    const second = await open();
    assert.equal(await second.evaluate(() => window.start('publish', 'taken')),
      'FAILED:Stream name is already in use');
    // The first one was not disturbed.
    const found = await server.rest('stream/find', { name: 'taken', published: true });
    assert.equal(found.body[0].status, 'PUBLISHING');
    await first.close();
    await second.close();
  });

  test('playing an unknown name fails with Stream not found', async () => {
    const page = await open();
    assert.equal(await page.evaluate(() => window.start('play', 'no-such-stream')),
      'FAILED:Stream not found');
    await page.close();
  });

  function h264aac (streams) {
    const v = streams?.find((s) => s.codec_type === 'video');
    const a = streams?.find((s) => s.codec_type === 'audio');
    return v?.codec_name === 'h264' && a?.codec_name === 'aac' ? { v, a } : null;
  }

  test('a stream published from Chromium is pushed to nginx-rtmp as H.264 + AAC',
    { skip: !NginxRtmp.available() && 'nginx-rtmp or ffprobe missing' }, async () => {
      const nginx = await NginxRtmp.start();
      try {
        const pub = await open();
        assert.equal(await pub.evaluate(() => window.start('publish', 'tonginx')), 'PUBLISHING:');
        const t = await server.rest('push/startup', { streamName: 'tonginx', rtmpUrl: nginx.url() });
        assert.equal(t.status, 200, JSON.stringify(t.body));
        let found;
        try {
          found = await waitFor(() => h264aac(ffprobe(nginx.url('rtmp_tonginx'))), 'H.264 + AAC at nginx', 40000);
        } catch (e) {
          throw new Error(e.message + ' ' + JSON.stringify((await server.rest('push/find_all')).body));
        }
        const published = (await server.rest('stream/find', { name: 'tonginx', published: true })).body[0];
        assert.equal(found.v.width, published.width);
        // publishStream's rtmpUrl pushes at once (Opus becomes AAC once for the stream).
        const pub2 = await open();
        assert.equal(await pub2.evaluate((u) => window.start('publish', 'direct', { rtmpUrl: u }), nginx.url()),
          'PUBLISHING:');
        try {
          await waitFor(() => h264aac(ffprobe(nginx.url('rtmp_direct'))), 'rtmpUrl push at nginx', 40000);
        } catch (e) {
          throw new Error(e.message + ' ' + JSON.stringify((await server.rest('push/find_all')).body));
        }
        await pub.close();
        await pub2.close();
      } finally {
        nginx.stop();
      }
    });

  test('an RTMP stream published by ffmpeg plays in Chromium with audio',
    { skip: !NginxRtmp.available() && 'ffmpeg missing' }, async () => {
      const { spawn } = await import('node:child_process');
      const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac', '-b:a', '96k',
        '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/fromffmpeg`], { stdio: 'ignore' });
      try {
        await waitFor(async () => (await server.rest('stream/find', { name: 'fromffmpeg', status: 'PUBLISHING' })).status === 200,
          'the RTMP stream', 20000);
        const play = await open();
        assert.equal(await play.evaluate(() => window.start('play', 'fromffmpeg')), 'PLAYING:');
        const stats = await waitFor(async () => {
          const s = await play.evaluate(() => window.inbound());
          return s.video?.framesDecoded > 10 && s.audio?.samples > 48000 && s.audio.audioLevel > 0.01 ? s : null;
        }, 'video frames and audible audio', 30000);
        assert.equal(stats.video.width, 640);
        assert.equal(stats.video.height, 360);
        // AAC was made Opus once for the stream, whatever the number of players.
        const rtmp = (await server.rest('stream/find', { name: 'fromffmpeg', published: true })).body[0];
        assert.equal(rtmp.audioCodec, 'mpeg4-generic');
        assert.equal(rtmp.renditions, 1);
        await play.close();
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    });

  test('an RTMP stream with B-frames (x264 defaults) is transcoded for Chromium',
    { skip: !NginxRtmp.available() && 'ffmpeg missing' }, async () => {
      const { spawn } = await import('node:child_process');
      const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440',
        '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-g', '60', '-c:a', 'aac',
        '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/bframes`], { stdio: 'ignore' });
      try {
        await waitFor(async () => (await server.rest('stream/find', { name: 'bframes', status: 'PUBLISHING' })).status === 200,
          'the RTMP stream', 20000);
        const play = await open();
        assert.equal(await play.evaluate(() => window.start('play', 'bframes')), 'PLAYING:');
        // Passed through, Chromium decodes about one frame a second of such a stream.
        const stats = await waitFor(async () => {
          const s = await play.evaluate(() => window.inbound());
          return s.video?.framesDecoded > 90 ? s : null;
        }, 'smoothly decoded frames', 30000);
        assert.equal(stats.video.width, 640);
        // One H.264 encoding without B-frames, one AAC->Opus.
        assert.equal((await server.rest('stream/find', { name: 'bframes', published: true })).body[0].renditions, 2);
        await play.close();
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    });

  test('players asking for 320x240 get it, encoded once for all of them',
    { skip: !NginxRtmp.available() && 'ffmpeg missing' }, async () => {
      const { spawn } = await import('node:child_process');
      const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac',
        '-f', 'flv', `rtmp://127.0.0.1:${server.rtmpPort}/live/scaled`], { stdio: 'ignore' });
      try {
        await waitFor(async () => (await server.rest('stream/find', { name: 'scaled', status: 'PUBLISHING' })).status === 200,
          'the RTMP stream', 20000);
        const small = { constraints: { audio: true, video: { width: 320, height: 240 } } };
        const players = [await open(), await open()];
        for (const p of players)
          assert.equal(await p.evaluate((x) => window.start('play', 'scaled', x), small), 'PLAYING:');
        for (const p of players) {
          const stats = await waitFor(async () => {
            const s = await p.evaluate(() => window.inbound());
            return s.video?.framesDecoded > 10 && s.video.width > 0 ? s : null;
          }, 'decoded frames at the asked size', 30000);
          assert.equal(stats.video.width, 320);
          assert.equal(stats.video.height, 240);
        }
        // One 320x240 encoding shared by both players, one AAC->Opus.
        assert.equal((await server.rest('stream/find', { name: 'scaled', published: true })).body[0].renditions, 2);
        for (const p of players)
          await p.close();
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    });

  test('a VP8 publisher is transcoded to H.264 once for RTMP and H.264-only players; VP8 players take it as it is',
    { skip: !NginxRtmp.available() && 'nginx-rtmp or ffprobe missing' }, async () => {
      const nginx = await NginxRtmp.start();
      try {
        const pub = await open();
        assert.equal(await pub.evaluate(() => window.start('publish', 'vp8cam', { stripCodecs: 'H264' })),
          'PUBLISHING:');
        const published = await waitFor(async () => {
          const f = await server.rest('stream/find', { name: 'vp8cam', published: true });
          return f.body?.[0]?.videoCodec ? f.body[0] : null;
        }, 'the video codec');
        assert.equal(published.videoCodec, 'VP8');
        assert.equal((await server.rest('push/startup', { streamName: 'vp8cam', rtmpUrl: nginx.url() })).status, 200);
        const found = await waitFor(() => h264aac(ffprobe(nginx.url('rtmp_vp8cam'))), 'H.264 at nginx', 40000);
        assert.equal(found.v.width, published.width);

        // A WebRTC player of the same stream that takes H.264 only gets it too, with
        // pictures, while the push goes on: the video is encoded once for both (one
        // rendition for video, whatever audio codec each consumer wants).
        const play = await open();
        assert.equal(await play.evaluate(() => window.start('play', 'vp8cam', { stripCodecs: 'VP8' })), 'PLAYING:');
        const stats = await waitFor(async () => {
          const s = await play.evaluate(() => window.inbound());
          return s.video && s.video.framesDecoded > 10 ? s : null;
        }, 'decoded frames of the VP8 stream', 40000);
        assert.equal(stats.video.width, published.width);
        assert.equal(stats.video.height, published.height);
        // One H.264 encoding for both, one Opus->AAC for the push alone.
        assert.equal((await server.rest('stream/find', { name: 'vp8cam', published: true })).body[0].renditions, 2);
        // A player that offers VP8 gets the VP8 as it is: nothing more is encoded.
        const vp8 = await open();
        assert.equal(await vp8.evaluate(() => window.start('play', 'vp8cam')), 'PLAYING:');
        await waitFor(async () => (await vp8.evaluate(() => window.inbound())).video?.framesDecoded > 10,
          'decoded VP8 frames', 40000);
        assert.equal((await server.rest('stream/find', { name: 'vp8cam', published: true })).body[0].renditions, 2);
        await vp8.close();
        await play.close();
        await pub.close();
      } finally {
        nginx.stop();
      }
    });

  test('closing the publisher page stops its players', async () => {
    const pub = await open();
    assert.equal(await pub.evaluate(() => window.start('publish', 'gone')), 'PUBLISHING:');
    const play = await open();
    assert.equal(await play.evaluate(() => window.start('play', 'gone')), 'PLAYING:');
    await pub.close();   // the socket closes with the page
    await waitFor(() => play.evaluate(() => window.events.some((e) => e === 'STOPPED:Stopped by publisher stop')),
      'player stopped by publisher stop');
    await waitFor(async () => (await server.rest('stream/find', { name: 'gone' })).status === 404,
      'streams gone from the server');
    await play.close();
  });
});

describe('WCS Web SDK with transcoding disabled', { skip: skip || false }, () => {
  let server, browser;

  before(async () => {
    server = await Server.start('-o', 'transcoding_enabled=false');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a push of a VP8 stream reports StreamError with the codec mismatch', async () => {
    const page = await openSdkPage(browser, server);
    assert.equal(await page.evaluate(() => window.start('publish', 'vp8only', { stripCodecs: 'H264' })),
      'PUBLISHING:');
    await waitFor(async () => (await server.rest('stream/find', { name: 'vp8only' })).body?.[0]?.videoCodec === 'VP8',
      'VP8 known');
    const t = await server.rest('push/startup', { streamName: 'vp8only', rtmpUrl: 'rtmp://127.0.0.1:1/live' });
    assert.equal(t.status, 200);
    const agent = await waitFor(async () => {
      const f = await server.rest('push/find', { mediaSessionId: t.body.mediaSessionId });
      return f.body[0].status === 'FAILED' ? f.body[0] : null;
    }, 'the agent to fail');
    assert.deepEqual(agent.events.map((e) => [e.type, e.reason]),
      [['StreamError', 'Video codec mismatch. VP8 granted, but should be H.264']]);
    await page.close();
  });

  test('players that would need transcoding fail with the WCS reason; others play', async () => {
    const open = () => openSdkPage(browser, server);
    const vp8 = await open();
    assert.equal(await vp8.evaluate(() => window.start('publish', 'vp8cam', { stripCodecs: 'H264' })), 'PUBLISHING:');
    const h264 = await open();
    assert.equal(await h264.evaluate(() => window.start('publish', 'h264cam')), 'PUBLISHING:');
    await waitFor(async () => (await server.rest('stream/find', { name: 'vp8cam' })).body?.[0]?.videoCodec === 'VP8',
      'VP8 known');
    await waitFor(async () => (await server.rest('stream/find', { name: 'h264cam' })).body?.[0]?.videoCodec === 'H264',
      'H.264 known');

    // A VP8 stream plays as it is to a player that offers VP8; one that offers H.264 alone
    // is told why it cannot play.
    const play = await open();
    assert.equal(await play.evaluate(() => window.start('play', 'vp8cam')), 'PLAYING:');
    await waitFor(async () => (await play.evaluate(() => window.inbound())).video?.framesDecoded > 10,
      'decoded VP8 frames', 30000);
    const h264only = await open();
    assert.equal(await h264only.evaluate(() => window.start('play', 'vp8cam', { stripCodecs: 'VP8,VP9,AV1' })),
      'FAILED:Transcoding required, but disabled: stream has VP8, player offers H264');
    const sized = await open();
    assert.equal(await sized.evaluate(() => window.start('play', 'h264cam',
      { constraints: { audio: true, video: { width: 320, height: 240 } } })), 'FAILED:Transcoding required, but disabled');
    const plain = await open();
    assert.equal(await plain.evaluate(() => window.start('play', 'h264cam')), 'PLAYING:');
    for (const p of [vp8, h264, play, h264only, sized, plain])
      await p.close();
  });
});
