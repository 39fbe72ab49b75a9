// The console's script: plain JavaScript, no build step, no dependency, nothing fetched but the
// control plane's own JSON. It renders with DOM calls (never innerHTML with data: notes and
// parameters are whatever clients sent). Times of the worlds are shown relative to the emulator
// clock; journal times relative to the wall clock, which is what they were recorded in.
'use strict';

const E = '/_emulator';
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// ---- Helpers ---------------------------------------------------------------------------------

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, options = {}) {
  const init = { credentials: 'same-origin', headers: {}, ...options };
  if (init.json !== undefined) {
    init.body = JSON.stringify(init.json);
    init.headers['Content-Type'] = 'application/json';
    delete init.json;
  }
  const response = await fetch(E + path, init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { error: text }; }
  if (!response.ok) throw new Error((body && body.error) || `${response.status} ${response.statusText}`);
  return body;
}

let toastTimer;
function toast(message, error = false) {
  const node = $('#toast');
  node.textContent = message;
  node.className = error ? 'show error' : 'show';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.className = ''; }, error ? 6000 : 2500);
}

// Runs an action, reporting its failure instead of throwing it away.
async function attempt(action, done) {
  try {
    const result = await action();
    if (done) toast(done);
    return result;
  } catch (error) {
    toast(error.message, true);
    return undefined;
  }
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (an insecure origin): the old way.
    const area = el('textarea', { style: 'position:fixed;opacity:0' }, text);
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  if (button) {
    button.classList.add('done');
    setTimeout(() => button.classList.remove('done'), 1200);
  }
}

function copyButton(text, label = 'copy') {
  return el('button', {
    type: 'button', class: 'copy', title: `${label}: ${text}`, 'aria-label': label,
    onclick: (event) => { event.stopPropagation(); copy(text, event.currentTarget); },
  });
}

function idCell(text) {
  return el('td', {}, el('span', { class: 'id' }, text), copyButton(text, 'copy id'));
}

function cloudBadge(cloud) {
  return el('span', { class: `cloud c-${cloud}` }, cloud);
}

function statusBadge(neutral, wire) {
  return el('span', { class: `badge s-${neutral}`, title: neutral }, wire || neutral);
}

function httpBadge(status) {
  return el('span', { class: `http h${String(status)[0]}xx` }, status);
}

// "3h ago", "in 13d 23h": the larger two units, so a glance tells the distance.
function relative(iso, base) {
  if (!iso) return '';
  const seconds = (Date.parse(iso) - base) / 1000;
  const a = Math.abs(seconds);
  const units = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  let text = 'now';
  if (a >= 1) {
    const parts = [];
    let left = Math.floor(a);
    for (const [unit, size] of units) {
      if (left >= size && parts.length < 2) {
        parts.push(`${Math.floor(left / size)}${unit}`);
        left %= size;
      } else if (parts.length) break;
    }
    text = parts.join(' ');
  }
  if (text === 'now') return text;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

function timeCell(iso, base) {
  return el('td', { title: iso }, relative(iso, base));
}

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) values[name] = value;
  return values;
}

function query(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== '' && value !== undefined && value !== null) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

// A detail row under `row`, toggled; `fill` builds its content.
function toggleDetail(row, columns, fill) {
  const next = row.nextElementSibling;
  if (next && next.classList.contains('detail')) {
    next.remove();
    row.classList.remove('open');
    return;
  }
  row.classList.add('open');
  const cell = el('td', { colspan: columns });
  row.after(el('tr', { class: 'detail' }, cell));
  fill(cell);
}

function keyValues(pairs) {
  return el('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

// ---- The emulator clock ----------------------------------------------------------------------

const clock = { now: null, frozen: false, offset: 0, at: 0 };

// The emulator's now, moved on by the time since it was read unless the clock is frozen.
function emulatorNow() {
  if (!clock.now) return Date.now();
  const base = Date.parse(clock.now);
  return clock.frozen ? base : base + (Date.now() - clock.at);
}

function showClock() {
  const node = $('#clock');
  const now = new Date(emulatorNow()).toISOString().replace(/\.\d+Z$/, 'Z');
  node.textContent = `emulator clock ${now}`;
  node.classList.toggle('frozen', clock.frozen);
  node.classList.toggle('shifted', Math.abs(clock.offset) >= 1);
  $('#clock-now').textContent = now;
  const offset = clock.offset ? `${relative(new Date(Date.now() + clock.offset * 1000).toISOString(), Date.now()).replace('in ', '+').replace(' ago', ' behind')} from real time` : 'on real time';
  $('#clock-state').textContent = `${clock.frozen ? 'frozen' : 'running'}, ${offset}`;
}

function takeClock(reading) {
  const changed = reading.now !== clock.now || reading.frozen !== clock.frozen;
  clock.now = reading.now;
  clock.frozen = reading.frozen;
  clock.offset = reading.offset_seconds;
  clock.at = Date.now();
  showClock();
  return changed;
}

async function readClock() {
  const before = emulatorNow();
  const frozen = clock.frozen;
  const reading = await api('/clock');
  takeClock(reading);
  // Someone else moved the clock (more than drift): what is expired may have changed.
  return Math.abs(emulatorNow() - before) > 2000 || frozen !== clock.frozen;
}

async function clockCommand(command) {
  const reading = await attempt(() => api('/clock', { method: 'POST', json: command }));
  if (reading) {
    takeClock(reading);
    toast(`clock: ${reading.now}${reading.frozen ? ' (frozen)' : ''}`);
    refreshState();
  }
}

// ---- Invitations -----------------------------------------------------------------------------

const invitations = { cursors: [''], page: 0, next: null, seen: new Map() };

function invitationParams() {
  return formValues($('#inv-filters'));
}

async function loadInvitations() {
  const values = invitationParams();
  const cursor = invitations.cursors[invitations.page];
  const answer = await api(`/handshakes${query({ ...values, after: cursor })}`);
  invitations.next = answer.next;
  const base = Date.parse(answer.now);
  const body = $('#inv-table tbody');
  const rows = answer.handshakes.map((h) => invitationRow(h, base));
  const none = answer.partial ? 'None found yet: Next looks further.' : 'No invitation matches.';
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: 7 }, none))]));
  const matched = Object.entries(answer.matched || {}).filter(([, m]) => m !== 'all')
    .map(([cloud, m]) => `${cloud}: ${m}`).join(', ');
  const total = answer.total === null ? '' : `${answer.total} invitation${answer.total === 1 ? '' : 's'}`;
  // A filter over a large world answers within a scan budget: say so, and let Next go on.
  const partial = answer.partial ? 'searched part of the world: Next looks further' : '';
  $('#inv-summary').textContent = [total, matched && `search matched ${matched}`, partial,
    'newest first, as of the emulator clock'].filter(Boolean).join(' · ');
  const pager = $('#inv-pager');
  $('[data-page=first]', pager).disabled = invitations.page === 0;
  $('[data-page=prev]', pager).disabled = invitations.page === 0;
  $('[data-page=next]', pager).disabled = !answer.next;
  $('span', pager).textContent = `page ${invitations.page + 1}`;
}

function invitationRow(h, base) {
  const key = `${h.cloud}/${h.id}`;
  const previous = invitations.seen.get(key);
  invitations.seen.set(key, h.status);
  const finished = h.status === 'pending' ? relative(h.expires, base) : relative(h.modified, base);
  const row = el('tr', {
    class: `item${previous && previous !== h.status ? ' flash' : ''}`,
    dataset: { id: h.id, cloud: h.cloud, status: h.status },
    onclick: () => toggleDetail(row, 7, (cell) => cell.append(keyValues([
      ['status', `${h.wire_status} (stored: ${h.stored_status})`],
      ['visible to the API', h.retained ? 'yes' : 'no: finished longer ago than the retention period'],
      ['organization', h.organization],
      ['management account', `${h.manager} ${h.manager_name}`],
      ['target', `${h.target_type} ${h.target}`],
      ['created', h.created], ['modified', h.modified], ['expires', h.expires],
      ['note', h.note], ['tags', h.tags.length ? h.tags.map(([k, v]) => `${k}=${v}`).join(', ') : ''],
    ]))),
  },
  el('td', {}, cloudBadge(h.cloud)),
  idCell(h.id),
  el('td', {}, statusBadge(h.status, h.wire_status), h.retained ? '' : el('div', { class: 'small muted', title: 'past retention: no API shows it' }, 'purged')),
  el('td', { title: `${h.organization}, managed by ${h.manager}` }, el('div', {}, h.manager_name), el('div', { class: 'small muted' }, h.organization)),
  el('td', {}, el('span', { class: 'id' }, h.target), copyButton(h.target, 'copy target'), el('div', { class: 'small muted' }, `by ${h.target_type.toLowerCase()}`)),
  timeCell(h.created, base),
  el('td', { title: h.status === 'pending' ? `expires ${h.expires}` : `finished ${h.modified}` }, h.status === 'pending' ? `expires ${finished}` : finished));
  return row;
}

// ---- Organizations, accounts, access keys ----------------------------------------------------

const tables = {
  organizations: {
    view: 'organizations', offset: 0,
    row: (o) => el('tr', { dataset: { id: o.id, cloud: o.cloud } },
      el('td', {}, cloudBadge(o.cloud)), idCell(o.id),
      el('td', {}, el('span', { class: 'id' }, o.manager), el('div', { class: 'muted' }, o.manager_name || '')),
      el('td', {}, o.members), el('td', {}, o.member_quota ?? 'policy'), el('td', {}, o.sent)),
  },
  accounts: {
    view: 'accounts', offset: 0,
    row: (a) => el('tr', { dataset: { id: a.id, cloud: a.cloud } },
      el('td', {}, cloudBadge(a.cloud)), idCell(a.id), el('td', {}, a.name || el('span', { class: 'muted' }, '(none)')),
      el('td', {}, a.email), el('td', {}, a.type), el('td', {}, a.real_name_type),
      el('td', { class: 'id' }, a.organization || el('span', { class: 'muted' }, '—')), el('td', {}, a.received)),
  },
  access_keys: {
    view: 'keys', offset: 0,
    row: (k) => el('tr', { dataset: { id: k.id, cloud: k.cloud } },
      el('td', {}, cloudBadge(k.cloud)), idCell(k.id), el('td', {}, hidden(k.secret, 'secret')),
      el('td', { class: 'id' }, k.account_id),
      el('td', {}, k.security_token ? hidden(k.security_token, 'token') : el('span', { class: 'muted' }, '—')),
      el('td', {}, k.disabled ? statusBadge('declined', 'disabled')
        : k.expired ? statusBadge('expired', `expired ${relative(k.expiration, emulatorNow())}`)
          : k.expiration ? statusBadge('accepted', `STS, expires ${relative(k.expiration, emulatorNow())}`)
            : statusBadge('accepted', 'active'))),
  },
};

// A secret shown as dots until clicked.
function hidden(value, label) {
  const span = el('span', { class: 'secret', title: `click to show the ${label}`, dataset: { secret: value } }, '••••••••');
  span.addEventListener('click', () => {
    const shown = span.textContent === value;
    span.textContent = shown ? '••••••••' : value;
  });
  return el('span', {}, span, copyButton(value, `copy ${label}`));
}

const PAGE = 50;

async function loadTable(name) {
  const table = tables[name];
  const section = $(`#view-${table.view}`);
  const values = formValues($('form', section));
  const answer = await api(`/${name}${query({ ...values, offset: table.offset, limit: PAGE })}`);
  const items = answer[name];
  const columns = $$('th', section).length;
  $('tbody', section).replaceChildren(...(items.length ? items.map(table.row)
    : [el('tr', {}, el('td', { class: 'empty', colspan: columns }, 'Nothing matches.'))]));
  const last = Math.min(table.offset + items.length, answer.total);
  $('.summary', section).textContent = values.q ? `${answer.total} found` : `${answer.total} in all · ${items.length ? `${table.offset + 1}–${last}` : 'none'} in id order`;
  $('[data-page=prev]', section).disabled = table.offset === 0 || Boolean(values.q);
  $('[data-page=next]', section).disabled = values.q || table.offset + PAGE >= answer.total;
  $('.pager span', section).textContent = `page ${Math.floor(table.offset / PAGE) + 1}`;
}

// ---- Journal ---------------------------------------------------------------------------------

const journal = { version: null, open: new Set(), entries: [] };

function journalParams() {
  const { live, ...values } = formValues($('#journal-filters'));
  return values;
}

// Asks for the journal; `force` refetches even when its version did not change.
async function pollJournal(force = false) {
  const since = force || journal.version === null ? undefined : journal.version;
  const answer = await api(`/journal${query({ ...journalParams(), limit: 200, since })}`);
  if (answer.unchanged) return false;
  const first = journal.version === null;
  journal.version = answer.version;
  const known = new Set(journal.entries.map((e) => e.request_id));
  journal.entries = answer.requests;
  renderJournal(first ? null : known);
  $('#journal-summary').textContent = `${answer.requests.length} shown of ${answer.kept} kept · newest first${$('[name=live]').checked ? ' · live' : ''}`;
  return !first;
}

function renderJournal(known) {
  const body = $('#journal-table tbody');
  const rows = [];
  const now = Date.now();
  for (const entry of journal.entries) {
    const row = journalRow(entry, now, known && !known.has(entry.request_id));
    rows.push(row);
    if (journal.open.has(entry.request_id)) {
      row.classList.add('open');
      const cell = el('td', { colspan: 8 });
      rows.push(el('tr', { class: 'detail' }, cell));
      journalDetail(cell, entry);
    }
  }
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: 8 }, 'No request yet.'))]));
}

function journalRow(entry, now, fresh) {
  const row = el('tr', {
    class: `item${fresh ? ' flash' : ''}`,
    dataset: { requestId: entry.request_id, action: entry.action || '', code: entry.code || 'none', status: entry.status },
    onclick: () => {
      if (journal.open.has(entry.request_id)) journal.open.delete(entry.request_id);
      else journal.open.add(entry.request_id);
      toggleDetail(row, 8, (cell) => journalDetail(cell, entry));
    },
  },
  el('td', { title: entry.time }, relative(entry.time, now)),
  el('td', {}, cloudBadge(entry.cloud)),
  el('td', { class: 'mono' }, entry.method),
  el('td', {}, entry.action || el('span', { class: 'muted' }, entry.path)),
  el('td', { class: 'id' }, entry.access_key_id || ''),
  el('td', {}, httpBadge(entry.status)),
  el('td', { class: 'mono' }, entry.code || el('span', { class: 'muted' }, '—')),
  idCell(entry.request_id));
  return row;
}

function journalDetail(cell, entry) {
  const why = entry.why || (entry.code ? `answered ${entry.status} ${entry.code}` : '');
  const curlBox = el('div', { class: 'wide' });
  cell.append(el('div', { class: 'detail-body' },
    why ? el('div', { class: `why wide${entry.code ? '' : ' ok'}` }, el('strong', {}, entry.why ? 'Why: ' : ''), why) : '',
    entry.note ? el('div', { class: 'why wide' }, el('strong', {}, 'Note: '), entry.note) : '',
    keyValues([
      ['response', `${entry.status} ${entry.code || 'success'}`],
      ['request', `${entry.method} ${entry.path}`],
      ['time', entry.time], ['signature', entry.signature], ['access key', entry.access_key_id],
      ['account', entry.account_id], ['request id', entry.request_id],
    ]),
    el('table', { class: 'grid params' }, el('thead', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'value'))),
      el('tbody', {}, Object.entries(entry.parameters).map(([k, v]) => el('tr', {}, el('td', { class: 'mono' }, k), el('td', { class: 'mono wrap' }, v))))),
    el('div', { class: 'row wide' }, el('button', {
      type: 'button', class: 'curl-button',
      onclick: async (event) => {
        event.stopPropagation();
        const answer = await attempt(() => api(`/journal/${encodeURIComponent(entry.request_id)}/curl`));
        if (!answer) return;
        curlBox.replaceChildren(el('pre', { class: 'curl' }, answer.curl), copyButton(answer.curl, 'copy curl command'));
        copy(answer.curl);
      },
    }, 'Signed curl command'), el('span', { class: 'muted' }, 'signed afresh with the key from the world (and copied); valid 15 minutes')),
    curlBox));
}

// ---- Controls --------------------------------------------------------------------------------

let catalog = { alibaba: [], huawei: [] };
const CODES = {
  alibaba: ['Throttling.User', 'Throttling', 'ServiceUnavailable', 'InternalError', 'Forbidden.RAM', 'NoPermission', 'LimitExceeded.InvitationRate', 'EntityNotExists.Handshake'],
  huawei: ['APIGW.0308', 'Organizations.1003', 'Common.0500', 'APIGW.0302', 'Organizations.1007', 'Organizations.1400'],
};

function fillOperations() {
  const cloud = $('#fault-form [name=cloud]').value;
  $('#fault-form [name=action]').replaceChildren(...catalog[cloud].map((name) => el('option', {}, name)));
  $('#codes').replaceChildren(...CODES[cloud].map((code) => el('option', { value: code })));
  const all = [...new Set([...catalog.alibaba, ...catalog.huawei])];
  $('#operations').replaceChildren(...all.map((name) => el('option', { value: name })));
}

async function loadControls() {
  const [faults, health] = await Promise.all([api('/faults'), api('/health')]);
  const rows = faults.faults.map((f) => el('tr', { dataset: { id: f.id } },
    el('td', { class: 'id' }, f.id), el('td', {}, cloudBadge(f.cloud)), el('td', {}, f.action),
    el('td', { class: 'id' }, f.handshake_id || 'any'), el('td', { class: 'id' }, f.access_key_id || 'any'),
    el('td', { class: 'mono' }, f.code || '—'), el('td', {}, f.latency_ms ? `${f.latency_ms} ms` : '—'),
    el('td', {}, f.remaining ?? '∞'), el('td', {}, f.probability ?? 1),
    el('td', {}, el('button', {
      type: 'button', class: 'quiet', title: `delete ${f.id}`,
      onclick: async () => { if (await attempt(() => api(`/faults/${f.id}`, { method: 'DELETE' }), `deleted ${f.id}`)) loadControls(); },
    }, 'Delete'))));
  $('#faults-table tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: 10 }, 'No fault rule: every call runs as the world says.'))]));
  const w = health.world;
  $('#world-counts').textContent = `Alibaba: ${w.resource_directories} resource directories, ${w.accounts} accounts, ${w.access_keys} keys, ${w.handshakes} handshakes · Huawei: ${w.huawei.organizations} organizations, ${w.huawei.accounts} accounts, ${w.huawei.access_keys} keys, ${w.huawei.handshakes} handshakes · ${health.journal} journal entr${health.journal === 1 ? 'y' : 'ies'}, ${health.faults} fault rule${health.faults === 1 ? '' : 's'}`;
}

async function addFault(event) {
  event.preventDefault();
  const values = formValues(event.target);
  const rule = { cloud: values.cloud, action: values.action };
  for (const name of ['code', 'handshake_id', 'access_key_id', 'detail']) if (values[name]) rule[name] = values[name].trim();
  for (const name of ['times', 'latency_ms', 'retry_after_ms']) if (values[name]) rule[name] = parseInt(values[name], 10);
  if (values.probability) rule.probability = parseFloat(values.probability);
  const added = await attempt(() => api('/faults', { method: 'POST', json: rule }));
  if (added) {
    toast(`added ${added.id}: ${added.action} → ${added.code || `${added.latency_ms} ms`}`);
    loadControls();
  }
}

async function download() {
  const response = await fetch(`${E}/state`, { credentials: 'same-origin' });
  if (!response.ok) { toast(`download failed: ${response.status}`, true); return; }
  const url = URL.createObjectURL(await response.blob());
  const stamp = new Date(emulatorNow()).toISOString().slice(0, 19).replace(/:/g, '');
  const link = el('a', { href: url, download: `world-${stamp}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function upload(event) {
  const file = event.target.files[0];
  event.target.value = '';
  if (!file) return;
  const toml = file.name.endsWith('.toml');
  const answer = await attempt(() => api('/state', {
    method: 'PUT', body: file, headers: { 'Content-Type': toml ? 'application/toml' : 'application/json' },
  }));
  if (answer) { toast(`${file.name} loaded: ${answer.world.handshakes} + ${answer.world.huawei.handshakes} handshakes`); refreshState(); }
}

// Reset asks twice: the first click arms the button for three seconds.
function armReset(event) {
  const button = event.currentTarget;
  if (!button.classList.contains('armed')) {
    button.classList.add('armed');
    button.textContent = 'Click again to reset';
    setTimeout(() => { button.classList.remove('armed'); button.textContent = 'Reset both worlds'; }, 3000);
    return;
  }
  button.classList.remove('armed');
  button.textContent = 'Reset both worlds';
  attempt(() => api('/reset', { method: 'POST' }), 'both worlds reset').then(() => refreshState());
}

// ---- Views and refresh -----------------------------------------------------------------------

const VIEWS = ['invitations', 'organizations', 'accounts', 'keys', 'journal', 'controls'];
let current = 'invitations';

function show(view) {
  current = VIEWS.includes(view) ? view : 'invitations';
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== current;
  for (const link of $$('#tabs a')) link.classList.toggle('active', link.dataset.view === current);
  refreshState();
  if (current === 'journal') pollJournal(true).catch((e) => toast(e.message, true));
}

// Reloads what the current view shows of the worlds.
function refreshState() {
  const load = {
    invitations: loadInvitations,
    organizations: () => loadTable('organizations'),
    accounts: () => loadTable('accounts'),
    keys: () => loadTable('access_keys'),
    controls: loadControls,
  }[current];
  if (load) load().catch((error) => toast(error.message, true));
}

// Once a second: the journal's version (any request may have changed a world), and every few
// seconds the clock, which others may move.
let ticks = 0;
async function tick() {
  try {
    ticks += 1;
    let changed = false;
    if ($('[name=live]').checked || journal.version === null) changed = await pollJournal();
    if (ticks % 5 === 0) changed = (await readClock()) || changed;
    if (changed && current !== 'journal') refreshState();
    showClock();
  } catch (error) {
    toast(error.message, true);
  } finally {
    setTimeout(tick, 1000);
  }
}

function setUp() {
  const refilterInvitations = () => { invitations.cursors = ['']; invitations.page = 0; loadInvitations().catch((e) => toast(e.message, true)); };
  $('#inv-filters').addEventListener('submit', (event) => { event.preventDefault(); refilterInvitations(); });
  $('#inv-filters').addEventListener('change', refilterInvitations);
  $('#inv-filters [name=q]').addEventListener('input', debounce(refilterInvitations, 250));
  $('#inv-pager').addEventListener('click', (event) => {
    const page = event.target.dataset.page;
    if (!page) return;
    if (page === 'first') invitations.page = 0;
    if (page === 'prev') invitations.page = Math.max(0, invitations.page - 1);
    if (page === 'next' && invitations.next) {
      invitations.cursors[invitations.page + 1] = invitations.next;
      invitations.page += 1;
    }
    loadInvitations().catch((e) => toast(e.message, true));
  });
  for (const [name, table] of Object.entries(tables)) {
    const section = $(`#view-${table.view}`);
    const form = $('form', section);
    const reload = () => { table.offset = 0; loadTable(name).catch((e) => toast(e.message, true)); };
    form.addEventListener('submit', (event) => { event.preventDefault(); reload(); });
    form.addEventListener('change', reload);
    $('[name=q]', form).addEventListener('input', debounce(reload, 250));
    $('.pager', section).addEventListener('click', (event) => {
      const page = event.target.dataset.page;
      if (page === 'prev') table.offset = Math.max(0, table.offset - PAGE);
      else if (page === 'next') table.offset += PAGE;
      else return;
      loadTable(name).catch((e) => toast(e.message, true));
    });
  }
  const refilterJournal = () => { journal.version = null; journal.open.clear(); pollJournal(true).catch((e) => toast(e.message, true)); };
  $('#journal-filters').addEventListener('submit', (event) => { event.preventDefault(); refilterJournal(); });
  $('#journal-filters').addEventListener('change', refilterJournal);
  for (const name of ['action', 'code', 'key']) $(`#journal-filters [name=${name}]`).addEventListener('input', debounce(refilterJournal, 250));
  $('#journal-clear').addEventListener('click', () => attempt(() => api('/requests', { method: 'DELETE' }), 'journal cleared').then(refilterJournal));

  for (const button of $$('[data-clock]')) button.addEventListener('click', () => clockCommand({ action: button.dataset.clock }));
  $('#clock-advance').addEventListener('submit', (event) => { event.preventDefault(); clockCommand({ action: 'advance', by: formValues(event.target).by.trim() }); });
  $('#clock-set').addEventListener('submit', (event) => { event.preventDefault(); clockCommand({ action: 'set', time: formValues(event.target).time.trim() }); });
  $('#fault-form').addEventListener('submit', addFault);
  $('#fault-form [name=cloud]').addEventListener('change', fillOperations);
  $('#faults-clear').addEventListener('click', () => attempt(() => api('/faults', { method: 'DELETE' }), 'every rule deleted').then(loadControls));
  $('#reset').addEventListener('click', armReset);
  $('#download').addEventListener('click', download);
  $('#upload').addEventListener('change', upload);

  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  api('/catalog').then((answer) => { catalog = answer.operations; fillOperations(); }).catch((e) => toast(e.message, true));
  api('/clock').then(takeClock).catch((e) => toast(e.message, true));
  show(location.hash.slice(1));
  tick();
}

setUp();
