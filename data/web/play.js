// play.js — the player page: any stream of the server, or a VOD file
// SPDX-License-Identifier: GPL-3.0-or-later
import { WcsSession, inboundVideo, serverUrl } from './cb-wcs.js';

const $ = (id) => document.getElementById(id);
const LABELS = { NEW: 'Not playing', PENDING: 'Connecting…', PLAYING: 'Playing',
  STOPPED: 'Stopped', FAILED: 'Failed', UNPUBLISHED: 'Stopped' };

let session = null;
let stream = null;
let statsTimer = null;
let lastBytes = 0;

function setStatus (status) {
  const el = $('status');
  el.dataset.status = status;
  el.textContent = LABELS[status] || status;
}

function showError (text) {
  const el = $('error');
  el.textContent = text;
  el.hidden = !text;
}

function setBusy (busy) {
  $('name').disabled = busy;
  $('play').disabled = busy;
  $('stop').disabled = !busy;
}

async function updateStats () {
  if (!stream)
    return;
  const v = await inboundVideo(stream.pc);
  const el = $('stats');
  const kbps = Math.max(0, Math.round((v.bytes - lastBytes) * 8 / 1000));
  lastBytes = v.bytes;
  el.dataset.framesDecoded = v.framesDecoded;
  el.dataset.width = v.width;
  el.dataset.height = v.height;
  el.textContent = v.width
    ? `${v.width}×${v.height} · ${Math.round(v.fps)} fps · ${kbps} kbit/s · ${v.framesDecoded} frames`
    : 'Waiting for video…';
}

function ended () {
  clearInterval(statsTimer);
  statsTimer = null;
  stream = null;
  $('video').srcObject = null;
  setBusy(false);
}

async function play (event) {
  event.preventDefault();
  const name = $('name').value.trim();
  if (!name) {
    showError('Enter the name of a stream.');
    $('name').focus();
    return;
  }
  showError('');
  setBusy(true);
  setStatus('PENDING');
  history.replaceState(null, '', `?name=${encodeURIComponent(name)}`);
  try {
    if (!session || session.status !== 'ESTABLISHED') {
      session = new WcsSession(await serverUrl());
      await session.connect();
    }
    stream = await session.play(name);
    const video = $('video');
    video.srcObject = stream.remoteStream;
    video.volume = $('volume').value / 100;
    video.play().catch(() => { video.muted = true; syncMute(); video.play().catch(() => {}); });
    lastBytes = 0;
    statsTimer = setInterval(updateStats, 1000);
    stream.addEventListener('status', (e) => {
      const { status, info } = e.detail;
      setStatus(status);
      if (stream && stream.isFinal) {
        if (status === 'FAILED' || info)
          showError(status === 'FAILED' ? `Playing failed: ${info || 'unknown reason'}` : info);
        ended();
      }
    });
  } catch (e) {
    setStatus('FAILED');
    showError(e.message || String(e));
    ended();
  }
}

function syncMute () {
  const muted = $('video').muted;
  $('mute').setAttribute('aria-pressed', String(muted));
  $('mute').textContent = muted ? 'Unmute' : 'Mute';
}

function init () {
  const params = new URLSearchParams(location.search);
  $('name').value = params.get('name') || '';
  setStatus('NEW');
  $('form').addEventListener('submit', play);
  $('stop').addEventListener('click', async () => {
    $('stop').disabled = true;
    if (stream)
      await stream.stop();
  });
  $('volume').addEventListener('input', () => {
    const video = $('video');
    video.volume = $('volume').value / 100;
    if (video.muted && video.volume > 0) {
      video.muted = false;
      syncMute();
    }
  });
  $('mute').addEventListener('click', () => {
    $('video').muted = !$('video').muted;
    syncMute();
  });
  $('fullscreen').addEventListener('click', () => {
    const el = $('player');
    if (document.fullscreenElement)
      document.exitFullscreen();
    else if (el.requestFullscreen)
      el.requestFullscreen().catch((e) => showError(`Full screen is not available: ${e.message}`));
  });
  $('video').addEventListener('dblclick', () => $('fullscreen').click());
  window.addEventListener('pagehide', () => { if (session) session.disconnect(); });
}

init();
