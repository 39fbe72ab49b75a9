// The package as an ES module: start options, Symbol.asyncDispose / `await using`, the bin shim,
// the Jest/Vitest per-worker recipe (connectEmulator), and the emulator dying with its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startEmulator, connectEmulator, findBinary, platformPackage, EmulatorError } from 'resourcemanager-emulator';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORLD = path.join(here, '..', 'worlds', 'partner.toml');
const require = createRequire(import.meta.url);

const listening = (port) => new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

test('the binary comes from this platform\'s package', { timeout: 60000 }, () => {
  assert.equal(platformPackage('linux', 'x64'), 'resourcemanager-emulator-linux-x64-gnu');
  const binary = findBinary();
  assert.ok(binary.includes(`${platformPackage()}${path.sep}bin${path.sep}`), binary);
});

test('fixtures, dataDir and flags; stop() ends the process', { timeout: 60000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-emulator-data-'));
  const emu = await startEmulator({ port: 0, fixtures: WORLD, dataDir, flags: { journalSize: 0, workers: 1 } });
  assert.equal(emu.keys.management.accessKeyId, 'LTAI5tHoldingAdmin01');
  await emu.clock.advance('1h');
  assert.deepEqual(await emu.requests(), []); // --journal-size 0
  assert.equal(await emu.stop(), 0);
  assert.equal(await listening(emu.port), false);
  // Started again on the same directory: reopened, with the world it held.
  const again = await startEmulator({ dataDir });
  assert.equal(again.keys.invitee.accessKeyId, 'LTAI5tSubsidiary0001');
  await again.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('Symbol.asyncDispose stops it (what `await using` calls)', { timeout: 60000 }, async (t) => {
  const emu = await startEmulator();
  await emu[Symbol.asyncDispose]();
  assert.equal(await listening(emu.port), false);
  let syntax;
  try {
    syntax = await import('./await-using.fixture.mjs');
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    t.diagnostic(`\`await using\` needs a newer Node than ${process.version}; Symbol.asyncDispose was checked`);
    return;
  }
  const port = await syntax.default(startEmulator);
  assert.equal(await listening(port), false);
});

test('an admin token', { timeout: 60000 }, async () => {
  const emu = await startEmulator({ adminToken: 's3cret' });
  try {
    assert.equal((await emu.health()).status, 'ok');
    await assert.rejects(connectEmulator(emu.endpoint, { adminToken: 'wrong' }), (e) => e.status === 401);
  } finally {
    await emu.stop();
  }
});

test('a bad world fails start-up with the reason', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bad-'));
  const bad = path.join(dir, 'bad.toml');
  fs.writeFileSync(bad, "[[accounts]]\nid = 'not-an-id'\n");
  await assert.rejects(startEmulator({ fixtures: bad }), (e) => e instanceof EmulatorError && /exited with status 1/.test(e.message) && e.message.includes('bad.toml'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the Jest/Vitest recipe: one server per worker, found by connectEmulator()', { timeout: 60000 }, async () => {
  const servers = [await startEmulator(), await startEmulator()];
  const saved = { ...process.env };
  try {
    servers.forEach((s, i) => { process.env[`RM_EMULATOR_URL_${i + 1}`] = s.endpoint; });
    for (const [variable, id] of [['JEST_WORKER_ID', '2'], ['VITEST_POOL_ID', '1']]) {
      delete process.env.JEST_WORKER_ID;
      process.env[variable] = id;
      const emu = await connectEmulator();
      assert.equal(emu.endpoint, servers[Number(id) - 1].endpoint);
      assert.equal(emu.process, null);
      assert.equal(await emu.stop(), null); // not ours to stop
    }
  } finally {
    process.env = saved;
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test('npx resourcemanager-emulator: the bin shim', { timeout: 60000 }, async () => {
  const shim = path.join(path.dirname(require.resolve('resourcemanager-emulator/package.json')), 'bin', 'resourcemanager-emulator.js');
  const version = JSON.parse(fs.readFileSync(require.resolve('resourcemanager-emulator/package.json'))).version;
  assert.equal(execFileSync(process.execPath, [shim, '--version'], { encoding: 'utf8' }).trim(), `resourcemanager-emulator ${version}`);
  assert.match(execFileSync(process.execPath, [shim, 'errors', '--cloud', 'huawei'], { encoding: 'utf8' }), /APIGW\.0308/);
  // Serving, and stopped by a signal passed on through the shim.
  const child = spawn(process.execPath, [shim, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const first = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).split('\n')[0])));
  const port = Number(first.match(/:(\d+)$/)[1]);
  assert.equal(await listening(port), true);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(await listening(port), false);
});

test('the emulator dies with the process that started it', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-orphan-'));
  const script = `
    const { startEmulator } = require('resourcemanager-emulator');
    startEmulator({ log: process.argv[1] }).then((emu) => { console.log(emu.port); process.kill(process.pid, 'SIGKILL'); });`;
  const child = spawnSync(process.execPath, ['-e', script, path.join(dir, 'emulator.log')], { encoding: 'utf8', cwd: here });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const port = Number(child.stdout.trim());
  const deadline = Date.now() + 10000;
  while (await listening(port) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await listening(port), false, 'the orphaned emulator is still listening');
  fs.rmSync(dir, { recursive: true, force: true });
});
