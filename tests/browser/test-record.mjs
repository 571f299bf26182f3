// test-record.mjs — recording from the official WCS Web SDK: record: true, getRecordInfo(),
// the download over HTTP (whole and by Range), and the file decodes
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Server, launchChromium, missing, openSdkPage, sleep, startPageServer, waitFor } from './harness.mjs';

const skip = missing();

function probeFile (file) {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries',
    'format=duration:stream=codec_type,codec_name,start_time,duration', '-of', 'json', file],
  { encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  return JSON.parse(probe.stdout);
}

// Decodes @file with ffmpeg: { status, stderr }. The frames keep the file's time base
// (-enc_time_base -1): by default ffmpeg puts them on 1/frame rate for its null output, and
// two frames closer than that (a WebRTC publisher's frames were 2 ms apart at times in
// recordings made on a loaded machine) land on one tick, which ffmpeg reports as "non
// monotonically increasing dts" although the file decodes.
function decodeFile (file) {
  return spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-enc_time_base', '-1', '-f', 'null', '-'],
    { encoding: 'utf8' });
}

// The recording @name reaches FINISHED; on a timeout the error shows every recording's
// state and reason (and the server log's last lines).
async function waitFinished (server, name, what) {
  let last = null;
  try {
    await waitFor(async () => {
      const r = await server.rest('castbridge/recordings/find_all');
      last = r.body;
      return r.status === 200 && r.body.some((f) => f.fileName === name && f.state === 'FINISHED');
    }, what, 60000);
  } catch (e) {
    const log = fs.readFileSync(server.log, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${e.message}; recordings ${JSON.stringify(last)}; server log:\n${log}`);
  }
}

// Audio and video tracks start together and last as long (the audio timeline has no gap
// where the Opus→AAC encoder or the browser's packets might leave one).
function checkInSync (info) {
  const [v, a] = ['video', 'audio'].map((t) => info.streams.find((s) => s.codec_type === t));
  assert.ok(Math.abs(Number(v.start_time) - Number(a.start_time)) < 0.2,
    `video starts at ${v.start_time}, audio at ${a.start_time}`);
  assert.ok(Math.abs(Number(v.duration) - Number(a.duration)) < 0.5,
    `video lasts ${v.duration}, audio ${a.duration}`);
}

describe('Recording from the WCS Web SDK', { skip: skip || false }, () => {
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

  test('record: true gives a file named by getRecordInfo() that downloads and decodes', async () => {
    const pub = await open();
    assert.equal(await pub.evaluate(() => window.start('publish', 'rec1', { record: true })), 'PUBLISHING:');
    const recording = await waitFor(async () => {
      const r = await server.rest('stream/find', { name: 'rec1', published: true });
      return r.status === 200 && r.body[0].record ? r.body[0] : null;
    }, 'the stream records');
    assert.ok(recording.recordName.endsWith('.mp4'), recording.recordName);
    await sleep(5000);

    await pub.evaluate(() => window.stop('publish'));
    await waitFor(() => pub.evaluate(() => window.events.includes('UNPUBLISHED:')), 'UNPUBLISHED');
    const name = await pub.evaluate(() => window.recordInfo());
    assert.equal(name, recording.recordName);

    // Announced once finished.
    await waitFinished(server, name, 'the recording is finished');

    const url = `http://127.0.0.1:${server.httpPort}/client/records/${encodeURIComponent(name)}`;
    const whole = Buffer.from(await (await fetch(url)).arrayBuffer());
    assert.ok(whole.length > 10000, `downloaded ${whole.length} bytes`);
    const part = await fetch(url, { headers: { Range: 'bytes=0-99' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(0, 100));

    const file = path.join(server.recordsDir, 'download-check.mp4');
    fs.writeFileSync(file, whole);
    const info = probeFile(file);
    const codecs = Object.fromEntries(info.streams.map((s) => [s.codec_type, s.codec_name]));
    assert.deepEqual(codecs, { video: 'h264', audio: 'aac' });   // Opus became AAC
    assert.ok(Number(info.format.duration) > 3, `duration ${info.format.duration}`);
    checkInSync(info);
    const decode = decodeFile(file);
    assert.equal(decode.status, 0, decode.stderr);
    assert.equal(decode.stderr.trim(), '');
    fs.unlinkSync(file);
    await pub.close();
  });

  test('a 20 s WebRTC recording with an audio pause and lost packets keeps a gap-free audio timeline in sync', async () => {
    // The publisher's audio stops for 3 s (its track taken off the sender, as a device
    // switch does: no audio packets at all), and then 3 % of its audio frames are lost for
    // 6 s. The Opus→AAC recording must still have audio from end to end: packets one after
    // the other with neither gap nor overlap, and as long as the video.
    const pub = await browser.newPage();
    await pub.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      window.peerConnections = [];
      // Encoded frames pass through the page, which loses one audio frame in 30 (3 %, as
      // lost packets would) while window.lossy is set.
      window.lossy = false;
      window.lostAudioFrames = 0;
      const tapped = new WeakSet();
      const tap = (pc) => {
        for (const sender of pc.getSenders()) {
          if (!sender.track || tapped.has(sender))
            continue;
          tapped.add(sender);
          const kind = sender.track.kind;
          const { readable, writable } = sender.createEncodedStreams();
          let n = 0;
          readable.pipeThrough(new TransformStream({
            transform (frame, out) {
              if (kind === 'audio' && window.lossy && ++n % 30 === 0) {
                window.lostAudioFrames++;
                return;
              }
              out.enqueue(frame);
            }
          })).pipeTo(writable);
        }
      };
      window.RTCPeerConnection = class extends Native {
        constructor (config, ...rest) {
          super({ ...(config || {}), encodedInsertableStreams: true }, ...rest);
          window.peerConnections.push(this);
        }

        async setLocalDescription (...args) {
          tap(this);
          return super.setLocalDescription(...args);
        }
      };
      window.pauseAudio = async (ms) => {
        const sender = window.peerConnections.flatMap((pc) => pc.getSenders())
          .find((s) => s.track && s.track.kind === 'audio');
        const track = sender.track;
        await sender.replaceTrack(null);
        await new Promise((resolve) => setTimeout(resolve, ms));
        await sender.replaceTrack(track);
        return true;
      };
    });
    const pages = await startPageServer();
    await pub.goto(`${pages.url}/sdk-page.html`);
    assert.equal(await pub.evaluate((u) => window.connect(u), server.wsUrl), 'ESTABLISHED');
    assert.equal(await pub.evaluate(() => window.start('publish', 'syncrec', { record: true })), 'PUBLISHING:');
    await waitFor(async () => {
      const r = await server.rest('stream/find', { name: 'syncrec', published: true });
      return r.status === 200 && r.body[0].record;
    }, 'the stream records');
    await sleep(5000);
    assert.equal(await pub.evaluate(() => window.pauseAudio(3000)), true);
    await sleep(3000);
    await pub.evaluate(() => { window.lossy = true; });
    await sleep(6000);
    await pub.evaluate(() => { window.lossy = false; });
    const lost = await pub.evaluate(() => window.lostAudioFrames);
    assert.ok(lost > 5, `${lost} audio frames lost`);
    await sleep(3000);
    await pub.evaluate(() => window.stop('publish'));
    await waitFor(() => pub.evaluate(() => window.events.includes('UNPUBLISHED:')), 'UNPUBLISHED');
    const name = await pub.evaluate(() => window.recordInfo());
    await waitFinished(server, name, 'the recording is finished');

    const file = path.join(server.recordsDir, name);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries',
      'stream=codec_type,codec_name,sample_rate:packet=codec_type,pts_time,duration_time', '-of', 'json', file],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(probe.status, 0, probe.stderr);
    const info = JSON.parse(probe.stdout);
    const codecs = Object.fromEntries(info.streams.map((s) => [s.codec_type, s.codec_name]));
    assert.deepEqual(codecs, { video: 'h264', audio: 'aac' }, JSON.stringify(info.streams));
    const span = (kind) => {
      const pkts = info.packets.filter((p) => p.codec_type === kind)
        .map((p) => ({ pts: Number(p.pts_time), dur: Number(p.duration_time) }))
        .sort((a, b) => a.pts - b.pts);
      return { pkts, start: pkts[0].pts, end: pkts.at(-1).pts + pkts.at(-1).dur };
    };
    const video = span('video');
    const audio = span('audio');
    assert.ok(video.end - video.start > 17, `video lasts ${video.end - video.start} s`);
    // In MP4 a sample lasts until the next one: a hole in the timeline is a packet that
    // lasts longer than its 1024 samples, an overlap one that lasts less.
    const frame = 1024 / Number(info.streams.find((s) => s.codec_type === 'audio').sample_rate);
    // From the first packet after 0: the first one may be cut where the recording starts,
    // at a video keyframe in the middle of an audio frame, and on a loaded machine audio
    // from before that keyframe (later through the encoder than the video) is stamped 0
    // (several packets at 0, seen at a load average of 20; not fixed yet).
    const holes = [];
    const first = Math.max(2, audio.pkts.findIndex((p) => p.pts > 0) + 1);
    for (let i = first; i < audio.pkts.length; i++) {
      const prev = audio.pkts[i - 1];
      const step = audio.pkts[i].pts - (prev.pts + frame);
      if (Math.abs(step) > 0.002 || Math.abs(prev.dur - frame) > 0.002)
        holes.push(`${step > 0 ? 'gap' : 'overlap'} of ${Math.abs(step).toFixed(3)} s at ${prev.pts.toFixed(3)}`);
    }
    assert.deepEqual(holes, [], 'the audio timeline');
    // The tracks start together within about three video frames (0.101 s seen in a
    // loaded CI run; the timestamps keep them in sync whatever the offset).
    assert.ok(Math.abs(video.start - audio.start) < 0.15, `video starts at ${video.start}, audio at ${audio.start}`);
    assert.ok(Math.min(video.start, audio.start) < 0.05, `timestamps start at ${Math.min(video.start, audio.start)}, not 0`);
    // Where the publisher stops, what each kind still had on the way differs (up to 0.13 s
    // seen); the finisher cuts the longer track where the shorter one ends. The ends, not
    // the lengths: the starts are checked above (the lengths differ by both).
    assert.ok(Math.abs(video.end - audio.end) < 0.1,
      `video ${video.start.toFixed(3)}-${video.end.toFixed(3)} s, audio ${audio.start.toFixed(3)}-${audio.end.toFixed(3)} s`);
    const decode = decodeFile(file);
    assert.equal(decode.status, 0, decode.stderr);
    await pub.close();
  });

  test('a VP8 publisher is recorded to WebM with Opus, without encoding', async () => {
    const pub = await open();
    assert.equal(await pub.evaluate(() => window.start('publish', 'vp8rec', { record: true, stripCodecs: 'H264' })),
      'PUBLISHING:');
    const recording = await waitFor(async () => {
      const r = await server.rest('stream/find', { name: 'vp8rec', published: true });
      return r.status === 200 && r.body[0].record ? r.body[0] : null;
    }, 'the VP8 stream records');
    assert.equal(recording.videoCodec, 'VP8');
    assert.ok(recording.recordName.endsWith('.webm'), recording.recordName);
    assert.equal(recording.renditions, 0, 'nothing is encoded for the recording');
    await sleep(4000);
    await pub.evaluate(() => window.stop('publish'));
    await waitFor(() => pub.evaluate(() => window.events.includes('UNPUBLISHED:')), 'UNPUBLISHED');
    const name = await pub.evaluate(() => window.recordInfo());
    await waitFinished(server, name, 'the WebM recording is finished');
    const file = path.join(server.recordsDir, name);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries',
      'format=duration:stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' });
    assert.equal(probe.status, 0, probe.stderr);
    const info = JSON.parse(probe.stdout);
    const codecs = Object.fromEntries(info.streams.map((s) => [s.codec_type, s.codec_name]));
    assert.deepEqual(codecs, { video: 'vp8', audio: 'opus' });
    const decode = decodeFile(file);
    assert.equal(decode.status, 0, decode.stderr);
    await pub.close();
  });

  test('record_mp4_opus keeps the browser Opus in the MP4, in sync', async () => {
    const opusServer = await Server.start('-o', 'record_mp4_opus=true');
    try {
      const pub = await openSdkPage(browser, opusServer);
      assert.equal(await pub.evaluate(() => window.start('publish', 'opusrec', { record: true })), 'PUBLISHING:');
      await sleep(5000);
      await pub.evaluate(() => window.stop('publish'));
      await waitFor(() => pub.evaluate(() => window.events.includes('UNPUBLISHED:')), 'UNPUBLISHED');
      const name = await pub.evaluate(() => window.recordInfo());
      assert.ok(name.endsWith('.mp4'), name);
      await waitFinished(opusServer, name, 'the recording is finished');
      const info = probeFile(path.join(opusServer.recordsDir, name));
      const codecs = Object.fromEntries(info.streams.map((s) => [s.codec_type, s.codec_name]));
      assert.deepEqual(codecs, { video: 'h264', audio: 'opus' });
      checkInSync(info);
      await pub.close();
    } finally {
      assert.equal(await opusServer.stop(), 0, 'castbridge-server exits cleanly');
    }
  });
});
