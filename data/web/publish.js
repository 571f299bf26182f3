// publish.js — the publisher page: camera and microphone to a named stream
// SPDX-License-Identifier: GPL-3.0-or-later
import { WcsSession, serverUrl } from './cb-wcs.js';

const $ = (id) => document.getElementById(id);
const LABELS = { NEW: 'Not publishing', PENDING: 'Connecting…', PUBLISHING: 'Publishing',
  UNPUBLISHED: 'Stopped', FAILED: 'Failed', STOPPED: 'Stopped' };

let preview = null;   // the MediaStream shown and published
let session = null;
let stream = null;

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
  for (const id of ['name', 'camera', 'microphone', 'publish'])
    $(id).disabled = busy;
  $('stop').disabled = !busy;
}

function fill (select, devices, kind, noneLabel) {
  const current = select.value;
  select.replaceChildren();
  let n = 0;
  for (const d of devices.filter((x) => x.kind === kind)) {
    n++;
    select.add(new Option(d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${n}`, d.deviceId));
  }
  select.add(new Option(noneLabel, 'none'));
  if ([...select.options].some((o) => o.value === current))
    select.value = current;
}

async function listDevices () {
  const devices = await navigator.mediaDevices.enumerateDevices();
  fill($('camera'), devices, 'videoinput', 'No camera');
  fill($('microphone'), devices, 'audioinput', 'No microphone');
  // Show the devices actually in use.
  for (const track of preview ? preview.getTracks() : []) {
    const id = track.getSettings().deviceId;
    const select = track.kind === 'video' ? $('camera') : $('microphone');
    if (id && [...select.options].some((o) => o.value === id))
      select.value = id;
  }
}

function constraint (value) {
  if (value === 'none')
    return false;
  return value ? { deviceId: { exact: value } } : true;
}

async function startPreview () {
  if (preview)
    preview.getTracks().forEach((t) => t.stop());
  preview = null;
  $('preview').srcObject = null;
  const video = constraint($('camera').value);
  const audio = constraint($('microphone').value);
  if (!video && !audio)
    return;
  try {
    preview = await navigator.mediaDevices.getUserMedia({ video, audio });
    $('preview').srcObject = preview;
    showError('');
  } catch (e) {
    showError(`Cannot open the camera or microphone: ${e.message || e.name}`);
  }
}

async function publish (event) {
  event.preventDefault();
  const name = $('name').value.trim();
  if (!name) {
    showError('Enter a stream name.');
    $('name').focus();
    return;
  }
  if (!preview || preview.getTracks().length === 0) {
    showError('Choose a camera or a microphone to publish.');
    return;
  }
  showError('');
  setBusy(true);
  setStatus('PENDING');
  try {
    if (!session || session.status !== 'ESTABLISHED') {
      session = new WcsSession(await serverUrl());
      await session.connect();
    }
    stream = await session.publish(name, preview);
    stream.addEventListener('status', (e) => {
      const { status, info } = e.detail;
      setStatus(status);
      if (status === 'PUBLISHING') {
        $('watch-link').href = `play.html?name=${encodeURIComponent(name)}`;
        $('watch').hidden = false;
      } else if (stream && stream.isFinal) {
        if (status === 'FAILED')
          showError(`Publishing failed: ${info || 'unknown reason'}`);
        $('watch').hidden = true;
        stream = null;
        setBusy(false);
      }
    });
  } catch (e) {
    setStatus('FAILED');
    showError(e.message || String(e));
    stream = null;
    setBusy(false);
  }
}

async function stop () {
  $('stop').disabled = true;
  if (stream)
    await stream.stop();
}

function init () {
  const params = new URLSearchParams(location.search);
  $('name').value = params.get('name') || `stream-${Math.random().toString(36).slice(2, 6)}`;
  setStatus('NEW');
  $('form').addEventListener('submit', publish);
  $('stop').addEventListener('click', stop);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showError('Browsers give cameras only to pages loaded over HTTPS or from this computer ' +
              '(localhost). Open this page at https://…, or at http://localhost:… on the studio.');
    $('publish').disabled = true;
    return;
  }
  $('camera').addEventListener('change', startPreview);
  $('microphone').addEventListener('change', startPreview);
  navigator.mediaDevices.addEventListener('devicechange', listDevices);
  startPreview().then(listDevices).catch((e) => showError(e.message || String(e)));
  window.addEventListener('pagehide', () => { if (session) session.disconnect(); });
}

init();
