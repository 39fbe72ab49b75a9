// SDK contract checks for the official Node clients, through each SDK's own API.
//
// Clients and modes: @alicloud/resourcemanager20200331 (Tea) with its default V3 signing and with
// signatureAlgorithm 'v2'; @alicloud/pop-core RPCClient with POST (form body) and GET.
//
// Prints one line per check (PASS/FAIL) and, last, "N passed, N failed". The emulator address
// comes from RM_EMULATOR_HOSTPORT (host:port); tests/sdk/world.toml is the world it serves.
'use strict';

const RM = require('@alicloud/resourcemanager20200331');
const OpenApi = require('@alicloud/openapi-core');
const openApiUtils = require('@alicloud/openapi-core/dist/utils').default;
const RPCClient = require('@alicloud/pop-core');
const kitx = require('kitx');

const HOSTPORT = process.env.RM_EMULATOR_HOSTPORT;
const MANAGEMENT = ['LTAI5tEmuManagement01', 'EmuManagementSecret01'];
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const UNKNOWN = 'h-Unkn0wnHandshake';

const MISMATCH = [409, 'HandshakeStatusMismatch', 'The invitation is invalid.'];
const NOT_FOUND = [404, 'EntityNotExists.Handshake', 'The specified handshake does not exist.'];
const INVALID_ID = [400, 'InvalidParameter.HandshakeId', 'The HandshakeId is invalid.'];
const BAD_SIGNATURE = [400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.'];
const BAD_TOKEN = [400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.'];
const NONCE_USED = [400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'];

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`PASS ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error && error.stack ? error.stack.split('\n').slice(0, 2).join(' | ') : error}`);
  }
}

function assert(condition, detail) {
  if (!condition) throw new Error(`assertion failed: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}

const invitee = (mode) => [`SDK.${mode}`, `Secret${mode}`];
const sts = (mode) => [`STS.${mode}`, `StsSecret${mode}`, `StsToken${mode}`];

async function expectRaise(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded but an error was expected');
}

// ---- Tea: @alicloud/resourcemanager20200331 ---------------------------------------------

function tea(key, secret, token, algorithm) {
  const config = new OpenApi.$OpenApiUtil.Config({
    accessKeyId: key, accessKeySecret: secret, securityToken: token, endpoint: HOSTPORT, protocol: 'http',
  });
  if (algorithm) config.signatureAlgorithm = algorithm;
  return new RM.default(config);
}

const teaAccept = (client, id) => client.acceptHandshake(new RM.AcceptHandshakeRequest({ handshakeId: id }));
const teaCancel = (client, id) => client.cancelHandshake(new RM.CancelHandshakeRequest({ handshakeId: id }));

function teaOk(response, id, status) {
  assert(response.statusCode === 200, response.statusCode);
  const handshake = response.body.handshake;
  assert(handshake.handshakeId === id && handshake.status === status, handshake);
  assert(handshake.resourceDirectoryId === 'rd-3G6zcw', handshake);
  assert(UUID.test(response.body.requestId), response.body.requestId);
}

async function teaError(call, [status, code, message]) {
  const error = await expectRaise(call);
  assert(error instanceof OpenApi.ClientError, `${error.name}: ${error.message}`);
  assert(error.statusCode === status && error.code === code, [error.statusCode, error.code, error.message]);
  assert(error.message.includes(message), error.message);
  assert(UUID.test(error.requestId || ''), error.requestId);
}

async function teaSuite(mode, algorithm) {
  const label = `node tea ${algorithm || 'v3'}`;
  const client = tea(...invitee(mode), undefined, algorithm);
  const management = tea(...MANAGEMENT, undefined, algorithm);
  const [acceptId, cancelId, stsId] = [`h-${mode}Accept0001`, `h-${mode}Cancel0001`, `h-${mode}StsAcc0001`];

  await check(`${label}: AcceptHandshake succeeds`, async () => teaOk(await teaAccept(client, acceptId), acceptId, 'Accepted'));
  await check(`${label}: CancelHandshake succeeds`, async () => teaOk(await teaCancel(management, cancelId), cancelId, 'Cancelled'));
  await check(`${label}: HandshakeStatusMismatch`, () => teaError(() => teaAccept(client, acceptId), MISMATCH));
  await check(`${label}: EntityNotExists.Handshake`, () => teaError(() => teaAccept(client, UNKNOWN), NOT_FOUND));
  await check(`${label}: InvalidParameter.HandshakeId`, () => teaError(() => teaAccept(client, 'h-bad'), INVALID_ID));
  await check(`${label}: a wrong caller is told the handshake does not exist`,
    () => teaError(() => teaAccept(management, stsId), NOT_FOUND));
  await check(`${label}: a wrong secret is SignatureDoesNotMatch`,
    () => teaError(() => teaAccept(tea(invitee(mode)[0], 'wrong', undefined, algorithm), UNKNOWN), BAD_SIGNATURE));
  await check(`${label}: an STS credential works`,
    async () => teaOk(await teaAccept(tea(...sts(mode), algorithm), stsId), stsId, 'Accepted'));
  await check(`${label}: a wrong STS token is refused`,
    () => teaError(() => teaAccept(tea(...sts(mode).slice(0, 2), 'bogus', algorithm), UNKNOWN), BAD_TOKEN));
  await check(`${label}: a replayed nonce is refused`, async () => {
    const original = openApiUtils.getNonce;
    openApiUtils.getNonce = () => `replayed-nonce-${mode}`;
    try {
      await teaError(() => teaAccept(client, UNKNOWN), NOT_FOUND);
      await teaError(() => teaAccept(client, UNKNOWN), NONCE_USED);
    } finally {
      openApiUtils.getNonce = original;
    }
  });
}

// ---- pop-core: @alicloud/pop-core RPCClient ---------------------------------------------

function pop(key, secret, token) {
  return new RPCClient({
    accessKeyId: key, accessKeySecret: secret, securityToken: token,
    endpoint: `http://${HOSTPORT}`, apiVersion: '2020-03-31',
  });
}

async function popSuite(mode, method) {
  const label = `node pop-core ${method}`;
  const options = { method };
  const call = (client, action, id) => client.request(action, { HandshakeId: id }, options);
  const client = pop(...invitee(mode));
  const management = pop(...MANAGEMENT);
  const [acceptId, cancelId, stsId] = [`h-${mode}Accept0001`, `h-${mode}Cancel0001`, `h-${mode}StsAcc0001`];

  const ok = (body, id, status) => {
    assert(body.Handshake.HandshakeId === id && body.Handshake.Status === status, body);
    assert(UUID.test(body.RequestId), body);
  };
  // pop-core ignores the HTTP status; it raises on a body with Code, naming the error after it.
  const error = async (fn, [status, code, message]) => {
    const e = await expectRaise(fn);
    assert(e.name === `${code}Error` && e.code === code, [e.name, e.code, e.message]);
    assert(e.message.includes(message), e.message);
    assert(e.entry && e.entry.response && e.entry.response.statusCode === status, e.entry && e.entry.response);
    assert(e.data && UUID.test(e.data.RequestId), e.data);
  };

  await check(`${label}: AcceptHandshake succeeds`, async () => ok(await call(client, 'AcceptHandshake', acceptId), acceptId, 'Accepted'));
  await check(`${label}: CancelHandshake succeeds`, async () => ok(await call(management, 'CancelHandshake', cancelId), cancelId, 'Cancelled'));
  await check(`${label}: HandshakeStatusMismatch`, () => error(() => call(client, 'AcceptHandshake', acceptId), MISMATCH));
  await check(`${label}: EntityNotExists.Handshake`, () => error(() => call(client, 'AcceptHandshake', UNKNOWN), NOT_FOUND));
  await check(`${label}: InvalidParameter.HandshakeId`, () => error(() => call(client, 'AcceptHandshake', 'h-bad'), INVALID_ID));
  await check(`${label}: a wrong caller is told the handshake does not exist`,
    () => error(() => call(management, 'AcceptHandshake', stsId), NOT_FOUND));
  await check(`${label}: a wrong secret is SignatureDoesNotMatch`,
    () => error(() => call(pop(invitee(mode)[0], 'wrong'), 'AcceptHandshake', UNKNOWN), BAD_SIGNATURE));
  await check(`${label}: an STS credential works`,
    async () => ok(await call(pop(...sts(mode)), 'AcceptHandshake', stsId), stsId, 'Accepted'));
  await check(`${label}: a wrong STS token is refused`,
    () => error(() => call(pop(...sts(mode).slice(0, 2), 'bogus'), 'AcceptHandshake', UNKNOWN), BAD_TOKEN));
  await check(`${label}: a replayed nonce is refused`, async () => {
    const original = kitx.makeNonce;
    kitx.makeNonce = () => `replayed-nonce-${mode}`;
    try {
      await error(() => call(client, 'AcceptHandshake', UNKNOWN), NOT_FOUND);
      await error(() => call(client, 'AcceptHandshake', UNKNOWN), NONCE_USED);
    } finally {
      kitx.makeNonce = original;
    }
  });
}

(async () => {
  await teaSuite('NdTeV3');
  await teaSuite('NdTeV2', 'v2');
  await popSuite('PopPst', 'POST');
  await popSuite('PopGet', 'GET');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
