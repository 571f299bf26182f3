// index.js — the live streams of this server, from the REST API, refreshed every 2 s
// SPDX-License-Identifier: GPL-3.0-or-later

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

function cell (row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function describeVideo (s) {
  if (!s.hasVideo)
    return '—';
  const size = s.width ? ` ${s.width}×${s.height}` : '';
  const fps = s.fps ? ` ${s.fps} fps` : '';
  return `${s.videoCodec || ''}${size}${fps}`.trim() || 'yes';
}

function render (streams) {
  const published = streams.filter((s) => s.published);
  const players = new Map();
  for (const s of streams.filter((x) => !x.published))
    players.set(s.name, (players.get(s.name) || 0) + 1);

  const tbody = $('streams').tBodies[0];
  tbody.replaceChildren();
  published.sort((a, b) => a.name.localeCompare(b.name));
  for (const s of published) {
    const row = tbody.insertRow();
    row.dataset.name = s.name;
    const nameCell = row.insertCell();
    const link = document.createElement('a');
    link.href = `play.html?name=${encodeURIComponent(s.name)}`;
    link.textContent = s.name;
    nameCell.append(link);
    const status = cell(row, s.status);
    status.className = `badge status-${String(s.status).toLowerCase()}`;
    cell(row, s.mediaProvider || '');
    cell(row, describeVideo(s));
    cell(row, s.hasAudio ? (s.audioCodec || 'yes') : '—');
    cell(row, String(players.get(s.name) || 0));
    cell(row, s.createDate ? new Date(s.createDate).toLocaleTimeString() : '');
    const actions = row.insertCell();
    const play = document.createElement('a');
    play.href = link.href;
    play.className = 'button';
    play.textContent = 'Play';
    play.setAttribute('aria-label', `Play ${s.name}`);
    actions.append(play);
  }
  $('streams').hidden = published.length === 0;
  $('summary').textContent = published.length === 0
    ? 'No live streams right now.'
    : `${published.length} live stream${published.length === 1 ? '' : 's'}`;
}

async function refresh () {
  try {
    const res = await fetch('/rest-api/stream/find_all', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', cache: 'no-store',
    });
    if (res.status === 404) {
      render([]);
    } else if (res.status === 401 || res.status === 403) {
      throw new Error('This server lists its streams only to this computer or with the REST credentials.');
    } else if (!res.ok) {
      throw new Error(`The server answered ${res.status}`);
    } else {
      render(await res.json());
    }
    $('error').hidden = true;
  } catch (e) {
    $('error').textContent = e.message || String(e);
    $('error').hidden = false;
  }
}

refresh();
setInterval(refresh, POLL_MS);
