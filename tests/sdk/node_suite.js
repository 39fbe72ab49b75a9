// SDK contract checks for the official Node clients, through each SDK's own API.
//
// Clients and modes: @alicloud/resourcemanager20200331 (Tea) with its default V3 signing
// (ACS3-HMAC-SHA256), with signatureAlgorithm 'ACS3-HMAC-SM3' and with 'v2'; @alicloud/pop-core RPCClient with POST (form body) and GET.
//
// Every mode is held to one contract (`contract`); an adapter per client turns an action call into
// the SDK's own call and hands back the response body with its wire (PascalCase) keys.
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
// V3 has its own wording (the live gateway's, quoted in aliyun/alibabacloud-csharp-sdk#40).
const BAD_SIGNATURE_V3 = [400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation. server StringToSign is ['];
const BAD_TOKEN = [400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.'];
const NONCE_USED = [400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'];
const DUPLICATE = [409, 'EntityAlreadyExists.Handshake', 'Handshakes with the same target entity already exist.'];
const BAD_PAGE_SIZE = [400, 'InvalidParameter', 'Specified parameter PageSize is not valid.'];
const HANDSHAKE_ID = /^h-[A-Za-z0-9]{16}$/;

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

// Adds a fault rule through the emulator's control plane.
function addFault(rule) {
  const body = JSON.stringify(rule);
  return new Promise((resolve, reject) => {
    const request = require('http').request(`http://${HOSTPORT}/_emulator/faults`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (reply) => {
      reply.resume();
      reply.on('end', () => (reply.statusCode === 201 ? resolve() : reject(new Error(`fault rule: ${reply.statusCode}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function expectRaise(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded but an error was expected');
}

function assertHandshake(body, id, status) {
  const handshake = body.Handshake;
  assert(handshake.HandshakeId === id && handshake.Status === status, body);
  assert(handshake.ResourceDirectoryId === 'rd-3G6zcw' && handshake.ExpireTime.endsWith('Z'), body);
  assert(UUID.test(body.RequestId), body);
}

function listedIds(body) {
  const items = body.Handshakes.Handshake;
  assert(Number(body.TotalCount) === items.length, body);
  return items.map((item) => item.HandshakeId);
}

// ---- The contract every client mode is held to ----------------------------------------

// The checks, through `adapter` (one client in one mode); `mode` names its world entries.
async function contract(adapter, mode) {
  const { label } = adapter;
  const client = adapter.client(...invitee(mode));
  const management = adapter.client(...MANAGEMENT);
  const [acceptId, cancelId, stsId] = [`h-${mode}Accept0001`, `h-${mode}Cancel0001`, `h-${mode}StsAcc0001`];
  const declineId = `h-${mode}Declin0001`;
  const accept = (c, id) => adapter.call(c, 'AcceptHandshake', { HandshakeId: id });
  const error = (call, expected) => adapter.assertError(call, expected);

  await check(`${label}: AcceptHandshake succeeds`, async () => assertHandshake(await accept(client, acceptId), acceptId, 'Accepted'));
  await check(`${label}: CancelHandshake succeeds`,
    async () => assertHandshake(await adapter.call(management, 'CancelHandshake', { HandshakeId: cancelId }), cancelId, 'Cancelled'));
  await check(`${label}: HandshakeStatusMismatch`, () => error(() => accept(client, acceptId), MISMATCH));
  await check(`${label}: EntityNotExists.Handshake`, () => error(() => accept(client, UNKNOWN), NOT_FOUND));
  await check(`${label}: InvalidParameter.HandshakeId`, () => error(() => accept(client, 'h-bad'), INVALID_ID));
  await check(`${label}: a wrong caller is told the handshake does not exist`, () => error(() => accept(management, stsId), NOT_FOUND));
  const wrongSecret = adapter.client(invitee(mode)[0], 'wrong');
  await check(`${label}: a wrong secret is SignatureDoesNotMatch`, () => error(() => accept(wrongSecret, UNKNOWN), adapter.badSignature));
  await check(`${label}: an STS credential works`,
    async () => assertHandshake(await accept(adapter.client(...sts(mode)), stsId), stsId, 'Accepted'));
  const bogusToken = adapter.client(...sts(mode).slice(0, 2), 'bogus');
  await check(`${label}: a wrong STS token is refused`, () => error(() => accept(bogusToken, UNKNOWN), BAD_TOKEN));

  // The rest of the lifecycle.
  await check(`${label}: DeclineHandshake succeeds`,
    async () => assertHandshake(await adapter.call(client, 'DeclineHandshake', { HandshakeId: declineId }), declineId, 'Declined'));
  const target = `new-${mode.toLowerCase()}@fresh.example`;
  let sentId;
  await check(`${label}: InviteAccountToResourceDirectory sends a Pending invitation`, async () => {
    const body = await adapter.call(management, 'InviteAccountToResourceDirectory', { TargetEntity: target, TargetType: 'Email', Note: 'SDK' });
    sentId = body.Handshake.HandshakeId;
    assert(HANDSHAKE_ID.test(sentId), body);
    assertHandshake(body, sentId, 'Pending');
  });
  await check(`${label}: EntityAlreadyExists.Handshake`,
    () => error(() => adapter.call(management, 'InviteAccountToResourceDirectory', { TargetEntity: target, TargetType: 'Email' }), DUPLICATE));
  await check(`${label}: GetHandshake reads it`,
    async () => assertHandshake(await adapter.call(management, 'GetHandshake', { HandshakeId: sentId }), sentId, 'Pending'));
  await check(`${label}: ListHandshakesForResourceDirectory lists it`, async () => {
    const ids = listedIds(await adapter.call(management, 'ListHandshakesForResourceDirectory', { PageNumber: 1, PageSize: 100 }));
    assert(ids.includes(sentId), ids);
  });
  await check(`${label}: ListHandshakesForAccount lists the invitee's invitations`, async () => {
    const ids = listedIds(await adapter.call(client, 'ListHandshakesForAccount', { PageSize: 100 }));
    assert([acceptId, cancelId, declineId].every((id) => ids.includes(id)), ids);
  });
  await check(`${label}: a bad PageSize is InvalidParameter`,
    () => error(() => adapter.call(client, 'ListHandshakesForAccount', { PageSize: 101 }), BAD_PAGE_SIZE));

  if (adapter.accessDenied) {
    await check(`${label}: a RAM denial carries its AccessDeniedDetail`, async () => {
      await addFault({ action: 'AcceptHandshake', access_key_id: invitee(mode)[0], code: 'NoPermission', times: 1 });
      const e = await expectRaise(() => accept(client, acceptId));
      assert(e.statusCode === 403 && e.code === 'NoPermission', [e.statusCode, e.code, e.message]);
      const detail = adapter.accessDenied(e) || {};
      assert(detail.AuthAction === 'resourcemanager:AcceptHandshake', detail);
      assert(detail.AuthPrincipalDisplayName === invitee(mode)[0], detail);
      assert(detail.AuthPrincipalType === 'SubUser' && detail.EncodedDiagnosticMessage, detail);
    });
  }

  await check(`${label}: a replayed nonce is refused`, async () => {
    const [owner, name] = adapter.nonceOwner;
    const original = owner[name];
    owner[name] = () => `replayed-nonce-${mode}`;
    try {
      await error(() => accept(client, UNKNOWN), NOT_FOUND);
      await error(() => accept(client, UNKNOWN), NONCE_USED);
    } finally {
      owner[name] = original;
    }
  });
}

// ---- Tea: @alicloud/resourcemanager20200331, default V3 signing or `algorithm` ---------

const lowerFirst = (name) => name[0].toLowerCase() + name.slice(1);

const tea = (algorithm) => ({
  label: `node tea ${algorithm || 'v3'}`,
  badSignature: algorithm === 'v2' ? BAD_SIGNATURE : BAD_SIGNATURE_V3,
  accessDenied: (error) => error.accessDeniedDetail,
  nonceOwner: [openApiUtils, 'getNonce'],
  client(key, secret, token) {
    const config = new OpenApi.$OpenApiUtil.Config({
      accessKeyId: key, accessKeySecret: secret, securityToken: token, endpoint: HOSTPORT, protocol: 'http',
    });
    if (algorithm) config.signatureAlgorithm = algorithm;
    return new RM.default(config);
  },
  async call(client, action, params) {
    const request = new RM[`${action}Request`](Object.fromEntries(Object.entries(params).map(([k, v]) => [lowerFirst(k), v])));
    const response = await client[lowerFirst(action)](request);
    assert(response.statusCode === 200, response.statusCode);
    return response.body.toMap();
  },
  async assertError(call, [status, code, message]) {
    const error = await expectRaise(call);
    assert(error instanceof OpenApi.ClientError, `${error.name}: ${error.message}`);
    assert(error.statusCode === status && error.code === code, [error.statusCode, error.code, error.message]);
    assert(error.message.includes(message), error.message);
    assert(UUID.test(error.requestId || ''), error.requestId);
  },
});

// ---- pop-core: @alicloud/pop-core RPCClient with `method` ------------------------------

const pop = (method) => ({
  label: `node pop-core ${method}`,
  badSignature: BAD_SIGNATURE,
  nonceOwner: [kitx, 'makeNonce'],
  client: (key, secret, token) => new RPCClient({
    accessKeyId: key, accessKeySecret: secret, securityToken: token,
    endpoint: `http://${HOSTPORT}`, apiVersion: '2020-03-31',
  }),
  call: (client, action, params) => client.request(action, params, { method }),
  // pop-core ignores the HTTP status; it raises on a body with Code, naming the error after it.
  async assertError(call, [status, code, message]) {
    const e = await expectRaise(call);
    assert(e.name === `${code}Error` && e.code === code, [e.name, e.code, e.message]);
    assert(e.message.includes(message), e.message);
    assert(e.entry && e.entry.response && e.entry.response.statusCode === status, e.entry && e.entry.response);
    assert(e.data && UUID.test(e.data.RequestId), e.data);
  },
});

(async () => {
  await contract(tea(), 'NdTeV3');
  await contract(tea('ACS3-HMAC-SM3'), 'NdTeS3');
  await contract(tea('v2'), 'NdTeV2');
  await contract(pop('POST'), 'PopPst');
  await contract(pop('GET'), 'PopGet');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
