// The console in a real browser: Debian's Chromium driven by playwright-core, against the
// emulator `run` started (RM_EMULATOR_URL, the embedded default world). Requests to the clouds
// are made as a client would make them: signed by the binary's `sign` subcommand and sent from
// here, while the page is watched changing. The tests run in order and share one page; each
// leaves the world as the next expects it. Screenshots go to RM_UI_SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.RM_UI_NODE_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');

const BASE = process.env.RM_EMULATOR_URL;
const BIN = process.env.RM_EMULATOR_BIN;
const PROFILES = process.env.RM_UI_PROFILES;
const SHOTS = process.env.RM_UI_SCREENSHOTS;
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1280, height: 720 };

const ACCEPTED = 'h-Ih8IuPfvV0t0abcd';
const FAULTED = 'h-Pend1ngAcc0unt02';

let context;
let page;
const offsite = [];
const servers = [];
const browsers = [];

// A fresh profile per browser, so nothing is remembered between runs.
async function browser(options = {}) {
  const profile = mkdtempSync(join(PROFILES, 'profile-'));
  const launched = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', ...FLAGS],
    viewport: VIEWPORT, ...options,
  });
  browsers.push(launched);
  launched.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('http://127.0.0.1:') && !url.startsWith('data:') && !url.startsWith('blob:')) offsite.push(url);
  });
  return launched;
}

// Starts another emulator with `flags`; resolves to its base URL.
function emulator(...flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /listening at (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]);
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
  });
}

// A request signed as a client signs it (V1, the key from the default world), and its answer.
async function alibaba(action, ...params) {
  const url = execFileSync(BIN, ['sign', '--endpoint', BASE, action, ...params], { encoding: 'utf8' }).trim();
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

async function control(method, path, body) {
  const response = await fetch(`${BASE}/_emulator${path}`, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body && JSON.stringify(body),
  });
  return response.json();
}

async function shot(name) {
  await page.evaluate(() => { document.querySelector('#toast').className = ''; window.scrollTo(0, 0); });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function tab(name) {
  await page.click(`#tabs a[data-view=${name}]`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
}

async function search(q, status = '') {
  await tab('invitations');
  await page.selectOption('#inv-filters [name=status]', status);
  await page.fill('#inv-filters [name=q]', q);
}

const row = (id) => `#inv-table tr[data-id="${id}"]`;

before(async () => {
  context = await browser();
  page = await context.newPage();
});

after(async () => {
  for (const launched of browsers) await launched.close().catch(() => {});
  for (const child of servers) child.kill();
});

test('the page answers in under 50 ms and fetches nothing from the network', async () => {
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    const response = await fetch(`${BASE}/_emulator/ui`);
    await response.text();
    times.push(performance.now() - started);
    assert.equal(response.status, 200);
  }
  const best = Math.min(...times);
  console.log(`# GET /_emulator/ui: best ${best.toFixed(1)} ms of 5 (${times.map((t) => t.toFixed(1)).join(', ')})`);
  assert.ok(best < 50, `the page took ${best} ms`);
  await page.goto(`${BASE}/_emulator/ui`);
  await page.waitForSelector('#inv-table tr[data-cloud=alibaba]');
  assert.deepEqual(offsite, []);
});

test('the landing page shows the invitations of both clouds, newest first', async () => {
  await page.waitForSelector('#inv-table tr[data-cloud=huawei]');
  const created = await page.$$eval('#inv-table tr.item td:nth-child(6)', (cells) => cells.map((c) => c.title));
  assert.ok(created.length >= 20, `${created.length} rows`);
  assert.deepEqual(created, [...created].sort().reverse());
  assert.match(await page.textContent('#inv-summary'), /21 invitations/);
  await shot('invitations');
});

test('a Pending invitation found by status and id turns Accepted when a client accepts it', async () => {
  await search(ACCEPTED, 'pending');
  await page.waitForFunction(() => document.querySelectorAll('#inv-table tr.item').length === 1);
  await page.waitForSelector(`${row(ACCEPTED)}[data-status=pending]`);
  await page.selectOption('#inv-filters [name=status]', '');
  await page.waitForSelector(`${row(ACCEPTED)}[data-status=pending]`);
  const accepted = await alibaba('AcceptHandshake', `HandshakeId=${ACCEPTED}`);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  // The page notices by itself: the journal changed, so the view reloads.
  await page.waitForSelector(`${row(ACCEPTED)}[data-status=accepted]`, { timeout: 5000 });
  assert.equal(await page.textContent(`${row(ACCEPTED)} .badge`), 'Accepted');
});

test('the journal shows the accept first, with its parameters and a signed curl command that works', async () => {
  await tab('journal');
  const first = '#journal-table tbody tr.item:first-child';
  await page.waitForSelector(`${first}[data-action=AcceptHandshake][data-code=none]`);
  await page.click(first);
  const detail = '#journal-table tr.detail';
  await page.waitForSelector(detail);
  const text = await page.textContent(detail);
  assert.match(text, /HandshakeId/);
  assert.match(text, new RegExp(ACCEPTED));
  assert.match(text, /200 success/);
  await page.click(`${detail} .curl-button`);
  const curl = await page.textContent(`${detail} pre.curl`, { timeout: 5000 });
  assert.match(curl, /^curl -sS /);
  assert.match(curl, /Signature=/);
  // Sent again, it is judged by the world (already accepted), not refused as badly signed.
  const replay = JSON.parse(execFileSync('bash', ['-c', curl], { encoding: 'utf8' }));
  assert.equal(replay.Code, 'HandshakeStatusMismatch', JSON.stringify(replay));
  await page.click(first);
});

test('a fault rule added from the form refuses the next call, and the journal says why', async () => {
  await tab('controls');
  await page.selectOption('#fault-form [name=cloud]', 'alibaba');
  await page.selectOption('#fault-form [name=action]', 'AcceptHandshake');
  await page.fill('#fault-form [name=code]', 'Throttling.User');
  await page.fill('#fault-form [name=times]', '1');
  await page.click('#fault-form button:not([type])');
  await page.waitForSelector('#faults-table tbody tr[data-id]');
  assert.match(await page.textContent('#faults-table tbody'), /Throttling\.User/);
  await shot('controls');

  const refused = await alibaba('AcceptHandshake', `HandshakeId=${FAULTED}`);
  assert.equal(refused.body.Code, 'Throttling.User');
  await tab('journal');
  const first = '#journal-table tbody tr.item:first-child';
  await page.waitForSelector(`${first}[data-code="Throttling.User"]`, { timeout: 5000 });
  await page.click(first);
  const why = await page.textContent('#journal-table tr.detail .why');
  const entry = (await control('GET', '/journal?limit=1')).requests[0];
  assert.equal(entry.code, 'Throttling.User');
  // The journal's own "why" when it has one; the answer's code in any case.
  assert.ok(why.includes(entry.why ?? 'Throttling.User'), why);
  await page.click('#journal-table tr.detail .curl-button');
  await page.waitForSelector('#journal-table tr.detail pre.curl');
  await shot('journal');
  await page.click(first);

  // Used up (times: 1), the rule is gone; one added and deleted from the page goes too.
  await tab('controls');
  await page.waitForSelector('#faults-table td.empty');
  await page.selectOption('#fault-form [name=action]', 'CancelHandshake');
  await page.fill('#fault-form [name=code]', 'ServiceUnavailable');
  await page.fill('#fault-form [name=times]', '');
  await page.click('#fault-form button:not([type])');
  await page.click('#faults-table tbody tr[data-id] button');
  await page.waitForSelector('#faults-table td.empty');
  assert.deepEqual((await control('GET', '/faults')).faults, []);
});

test('advancing the clock expires a Pending invitation', async () => {
  await tab('controls');
  await page.fill('#clock-advance [name=by]', '15d');
  await page.click('#clock-advance button');
  await page.waitForFunction(() => document.querySelector('#clock').classList.contains('shifted'));
  await search(FAULTED);
  await page.waitForSelector(`${row(FAULTED)}[data-status=expired]`, { timeout: 5000 });
  assert.equal(await page.textContent(`${row(FAULTED)} .badge`), 'Expired');
});

test('reset and real time bring the accepted invitation back to Pending', async () => {
  await tab('controls');
  await page.click('[data-clock=system]');
  await page.waitForFunction(() => !document.querySelector('#clock').classList.contains('shifted'));
  await page.click('#reset');
  await page.click('#reset');
  await page.waitForSelector('#toast.show:has-text("reset")');
  await search(ACCEPTED);
  await page.waitForSelector(`${row(ACCEPTED)}[data-status=pending]`, { timeout: 5000 });
  await search('');
});

test('organizations, accounts and access keys are browsable, and a secret shows only when clicked', async () => {
  await tab('organizations');
  await page.waitForSelector('#view-organizations tr[data-id="rd-3G6zcw"]');
  assert.match(await page.textContent('#view-organizations tbody'), /o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv/);
  await shot('organizations');
  await tab('accounts');
  await page.waitForSelector('#view-accounts tr[data-id="1772422852740000"]');
  await page.fill('#view-accounts [name=q]', 'ops@partner.example');
  await page.waitForFunction(() => document.querySelectorAll('#view-accounts tbody tr').length === 1);
  assert.match(await page.textContent('#view-accounts tbody'), /Partner/);
  await page.fill('#view-accounts [name=q]', '');
  await page.waitForSelector('#view-accounts tr[data-cloud=huawei]');
  await shot('accounts');
  await tab('keys');
  const secret = '#view-keys tr[data-id="LTAI5tEmuInvitee00001"] .secret';
  await page.waitForSelector(secret);
  assert.equal(await page.textContent(secret), '••••••••');
  assert.doesNotMatch(await page.textContent('#view-keys tbody'), /EmuInviteeSecret00001/);
  await page.click(secret);
  assert.equal(await page.textContent(secret), 'EmuInviteeSecret00001');
  await shot('access-keys');
  assert.deepEqual(offsite, []);
});

test('with an admin token the page asks for it, and works once given it', async () => {
  const token = 'console-test-token';
  const guarded = await emulator('--admin-token', token);
  // Without it: 401 with a Basic challenge, which makes a browser ask (the password is the token).
  const refused = await fetch(`${guarded}/_emulator/ui`);
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate'), /^Basic /);
  const admitted = await browser({ httpCredentials: { username: 'admin', password: token } });
  const tabPage = await admitted.newPage();
  await tabPage.goto(`${guarded}/_emulator/ui`);
  // The rows come from the page's own calls, which the browser sent with the credentials.
  await tabPage.waitForSelector('#inv-table tr[data-cloud=huawei]');
  await admitted.close();
});

test('a world of 20,000 invitations pages on the server', async () => {
  const world = join(PROFILES, 'large.json');
  writeFileSync(world, execFileSync(BIN, ['fixtures', 'generate', '--handshakes', '20000'], { maxBuffer: 64 << 20 }));
  const large = await emulator('--fixtures', world);
  await page.goto(`${large}/_emulator/ui`);
  await page.waitForSelector('#inv-table tr.item');
  assert.match(await page.textContent('#inv-summary'), /20000 invitations/);
  const ids = () => page.$$eval('#inv-table tr.item', (rows) => rows.map((r) => r.dataset.id));
  const first = await ids();
  assert.equal(first.length, 50);
  await page.click('#inv-pager [data-page=next]');
  await page.waitForFunction((id) => !document.querySelector(`#inv-table tr[data-id="${id}"]`), first[0]);
  const second = await ids();
  assert.equal(second.length, 50);
  assert.ok(second.every((id) => !first.includes(id)));
  await page.click('#inv-pager [data-page=prev]');
  await page.waitForSelector(row(first[0]));
});
