// The npm package against the official Node SDK (@alicloud/resourcemanager20200331), with node:test.
// One emulator per test file (node --test runs each file in its own process); reset before each test.
'use strict';

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const RM = require('@alicloud/resourcemanager20200331');
const { startEmulator, ControlError } = require('resourcemanager-emulator');

const PENDING = 'h-Ih8IuPfvV0t0abcd';
const WORLD = path.join(__dirname, '..', 'worlds', 'partner.toml');
let emu;

before(async () => {
  emu = await startEmulator({ port: 0 });
});
after(() => emu.stop());
beforeEach(async () => {
  await emu.reset();
  await emu.faults.clear();
  await emu.clearRequests();
  await emu.clock.system();
});

const accept = (client, handshakeId = PENDING) => client.acceptHandshake(new RM.AcceptHandshakeRequest({ handshakeId }));
const sdkError = (code, statusCode) => (error) => {
  assert.equal(error.name, 'ClientError'); // @alicloud/openapi-core's own error type
  assert.equal(error.code, code);
  assert.equal(error.statusCode, statusCode);
  return true;
};

test('the endpoint and the keys', { timeout: 60000 }, () => {
  assert.match(emu.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(emu.banner[0], `resourcemanager-emulator ${emu.version} listening at ${emu.endpoint}`);
  assert.equal(emu.keys.invitee.accessKeyId, 'LTAI5tEmuInvitee00001');
  assert.equal(emu.keys.sts.securityToken, 'EmuStsToken00001');
  assert.equal(emu.keys.huawei.management.accountId, '0a6d25d23900d45c0faac010e0fb4de0');
  assert.equal(emu.keys.byId('LTAI5tEmuInvitee00003').role, 'personal');
});

for (const signature of ['v3', 'v1']) {
  test(`the invitee accepts (${signature})`, { timeout: 60000 }, async () => {
    const reply = await accept(emu.client('invitee', { signature }));
    assert.equal(reply.body.handshake.status, 'Accepted');
    const [call] = await emu.assertCalled('AcceptHandshake', { times: 1, code: 'none', HandshakeId: PENDING });
    assert.equal(call.signature, signature.toUpperCase());
  });
}

test('accepting twice is HandshakeStatusMismatch', { timeout: 60000 }, async () => {
  const client = emu.client('invitee');
  await accept(client);
  await assert.rejects(accept(client), sdkError('HandshakeStatusMismatch', 409));
  await emu.assertCalled('AcceptHandshake', { times: 1, code: 'HandshakeStatusMismatch' });
});

test('the management account cancels; a stranger is told it does not exist', { timeout: 60000 }, async () => {
  const management = emu.client('management');
  await assert.rejects(accept(management), sdkError('EntityNotExists.Handshake', 404));
  const reply = await management.cancelHandshake(new RM.CancelHandshakeRequest({ handshakeId: PENDING }));
  assert.equal(reply.body.handshake.status, 'Cancelled');
});

test('STS keys', { timeout: 60000 }, async () => {
  assert.equal((await accept(emu.client('sts'), 'h-Pend1ngAcc0unt02')).body.handshake.status, 'Accepted');
  await assert.rejects(accept(emu.client('sts-expired')), sdkError('InvalidSecurityToken.Expired', 400));
});

test('invitations expire after 14 days of emulator time', { timeout: 60000 }, async () => {
  await emu.clock.freeze();
  const reading = await emu.clock.advance('14d');
  assert.equal(reading.frozen, true);
  await assert.rejects(accept(emu.client('invitee')), sdkError('HandshakeStatusMismatch', 409));
  const got = await emu.client('management').getHandshake(new RM.GetHandshakeRequest({ handshakeId: PENDING }));
  assert.equal(got.body.handshake.status, 'Expired');
  assert.equal((await emu.clock.resume()).frozen, false);
  assert.ok((await emu.clock.set(new Date('2030-01-01T00:00:00Z'))).now.startsWith('2030-01-01T00:00'));
});

test('a throttling fault fires once', { timeout: 60000 }, async () => {
  const rule = await emu.faults.add({ action: 'AcceptHandshake', code: 'Throttling.User', times: 1, retryAfterMs: 10 });
  assert.deepEqual((await emu.faults.list()).map((r) => r.id), [rule.id]);
  const client = emu.client('invitee');
  await assert.rejects(accept(client), (error) => error.code === 'Throttling.User');
  assert.equal((await accept(client)).body.handshake.status, 'Accepted');
  assert.deepEqual(await emu.faults.list(), []);
  await emu.faults.add({ cloud: 'huawei', action: 'ListHandshakes', code: 'APIGW.0308', times: 2 });
  const [huaweiRule] = await emu.faults.list();
  await emu.faults.delete(huaweiRule.id);
  assert.equal(await emu.faults.clear(), 0);
});

test('state() and load(): a document, a file, and reset() back to the start world', { timeout: 60000 }, async () => {
  const state = await emu.state();
  state.handshakes = state.handshakes.filter((h) => h.id !== PENDING);
  await emu.load(state);
  await assert.rejects(accept(emu.client('invitee')), sdkError('EntityNotExists.Handshake', 404));
  await emu.load(WORLD);
  assert.equal(emu.keys.invitee.accessKeyId, 'LTAI5tSubsidiary0001'); // found from the world itself
  assert.equal((await accept(emu.client('invitee'), 'h-Subs1diaryInv001')).body.handshake.status, 'Accepted');
  await emu.reset();
  assert.equal(emu.keys.invitee.accessKeyId, 'LTAI5tEmuInvitee00001');
  await assert.rejects(emu.load({ accounts: [{ id: 'nope' }] }), (error) => error instanceof ControlError && error.status === 400);
});

test('requests(): the journal, with filters', { timeout: 60000 }, async () => {
  await accept(emu.client('invitee'));
  await assert.rejects(accept(emu.client('invitee')));
  const all = await emu.requests();
  assert.deepEqual(all.map((e) => e.code), [null, 'HandshakeStatusMismatch']);
  assert.equal((await emu.requests({ action: 'AcceptHandshake', code: 'none' })).length, 1);
  assert.equal((await emu.requests({ cloud: 'huawei' })).length, 0);
  assert.equal((await emu.requests({ limit: 1 }))[0].code, 'HandshakeStatusMismatch');
  await assert.rejects(emu.assertCalled('CancelHandshake'), /expected CancelHandshake at least once/);
});
