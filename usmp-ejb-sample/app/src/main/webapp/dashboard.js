// The dashboard: polls the REST API (relative URLs, so it works under any context root) and
// redraws. No framework and no build step; the chart is an inline SVG polyline.
'use strict';

const POLL_MS = 2000;
const HISTORY = 40;
const history = new Map();   // device id -> readings, oldest first
let lastReadingId = 0;
let devices = [];

async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(c));
  return e;
}

function fmt(v, digits, unit) {
  return v === null || v === undefined ? '–' : Number(v).toFixed(digits) + unit;
}

function sparkline(readings) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 100 30');
  svg.setAttribute('preserveAspectRatio', 'none');
  const temps = readings.map(r => r.temperatureC).filter(t => t !== null && t !== undefined);
  if (temps.length > 1) {
    const min = Math.min(...temps), max = Math.max(...temps), span = (max - min) || 1;
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', temps.map((t, i) =>
      (i * 100 / (temps.length - 1)).toFixed(1) + ',' + (28 - (t - min) * 26 / span).toFixed(1)).join(' '));
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
  }
  return svg;
}

function renderDevices() {
  const root = document.getElementById('devices');
  root.replaceChildren(...devices.map(d => {
    const readings = history.get(d.deviceId) || [];
    const last = readings[readings.length - 1];
    return el('div', { class: 'device' + (d.online ? ' online' : ''), 'data-id': d.deviceId },
      el('span', { class: 'state' }, d.online ? 'online' : 'offline'),
      el('div', { class: 'id' }, d.deviceId),
      el('div', { class: 'values' }, last
        ? fmt(last.temperatureC, 2, ' °C') + ' · ' + fmt(last.humidityPct, 1, ' %') + ' · ' + fmt(last.batteryMv, 0, ' mV')
        : 'no reading yet'),
      sparkline(readings),
      el('div', { class: 'meta' }, d.messagesReceived + ' messages · ' + d.sessions + ' sessions · last seen '
        + (d.lastSeen ? new Date(d.lastSeen).toLocaleTimeString() : '–')
        + (d.lastCloseReason ? ' · last close ' + d.lastCloseReason : '')));
  }));
  const select = document.getElementById('command-device');
  const chosen = select.value;
  select.replaceChildren(...devices.filter(d => d.online).map(d => el('option', { value: d.deviceId }, d.deviceId)));
  if ([...select.options].some(o => o.value === chosen)) select.value = chosen;
}

async function renderCommands() {
  const device = document.getElementById('command-device').value;
  const body = document.querySelector('#command-log tbody');
  if (!device) { body.replaceChildren(); return; }
  const commands = await getJson('api/devices/' + device + '/commands?limit=5');
  body.replaceChildren(...commands.map(c => el('tr', {},
    el('td', {}, new Date(c.sentAt).toLocaleTimeString()), el('td', {}, c.text), el('td', {}, c.answer || '…'))));
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const [stats, list, fresh] = await Promise.all([
      getJson('api/stats'), getJson('api/devices'), getJson('api/readings?after=' + lastReadingId)]);
    devices = list;
    fresh.forEach(r => {
      const h = history.get(r.deviceId) || [];
      h.push(r);
      if (h.length > HISTORY) h.shift();
      history.set(r.deviceId, h);
      lastReadingId = Math.max(lastReadingId, r.id);
    });
    for (const [k, v] of Object.entries({ online: stats.online, devices: stats.devices, readings: stats.readings,
        commands: stats.commands, 'dead-letters': stats.deadLettered })) {
      document.getElementById('stat-' + k).textContent = v;
    }
    renderDevices();
    await renderCommands();
    status.textContent = 'updated ' + new Date().toLocaleTimeString();
    status.classList.remove('error');
  } catch (e) {
    status.textContent = e.message;
    status.classList.add('error');
  }
}

document.getElementById('command-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const device = document.getElementById('command-device').value;
  const text = document.getElementById('command-text').value;
  const result = document.getElementById('command-result');
  // A fresh requestId per submit: the server refuses to record (and so to send) one twice.
  const r = await fetch('api/devices/' + device + '/commands', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ command: text, requestId: crypto.randomUUID ? crypto.randomUUID() : Date.now() + '-' + Math.random() }) });
  result.classList.toggle('error', !r.ok);
  result.textContent = r.ok ? 'sent to ' + device : 'not sent: ' + (await r.text() || 'HTTP ' + r.status);
  await renderCommands();
});
document.getElementById('command-device').addEventListener('change', renderCommands);

poll();
setInterval(poll, POLL_MS);
