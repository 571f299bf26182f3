// test-record.mjs — recording from the official WCS Web SDK: record: true, getRecordInfo(),
// the download over HTTP (whole and by Range), and the file decodes
// SPDX-License-Identifier: GPL-3.0-or-later

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Server, launchChromium, missing, openSdkPage, sleep, waitFor } from './harness.mjs';

const skip = missing();

function probeFile (file) {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries',
    'format=duration:stream=codec_type,codec_name,start_time,duration', '-of', 'json', file],
  { encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  return JSON.parse(probe.stdout);
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
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.status, 0);
    assert.equal(decode.stderr.trim(), '');
    fs.unlinkSync(file);
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
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
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
