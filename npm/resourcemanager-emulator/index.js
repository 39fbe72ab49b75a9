// resourcemanager-emulator for Node: start the emulator binary of this platform (from the
// optional dependency resourcemanager-emulator-<platform>), learn its port from the banner's first
// line, and drive its control plane (/_emulator/). See index.d.ts for the documented API.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { createRequire } = require('node:module');

const BINARY_NAME = 'resourcemanager-emulator';
const BANNER = /^resourcemanager-emulator (\S+) listening at (http:\/\/\S+)\s*$/;

// The default worlds' well-known keys by role (README: "The default world", "The default Huawei world").
const ALIBABA_ROLES = Object.freeze({
  management: 'LTAI5tEmuManagement01',
  invitee: 'LTAI5tEmuInvitee00001',
  'other-directory-member': 'LTAI5tEmuInvitee00002',
  personal: 'LTAI5tEmuInvitee00003',
  individual: 'LTAI5tEmuInvitee00004',
  member: 'LTAI5tEmuInvitee00005',
  unverified: 'LTAI5tEmuInvitee00006',
  nameless: 'LTAI5tEmuInvitee00007',
  sts: 'STS.EmuInvitee00001',
  'sts-expired': 'STS.EmuExpired000001',
  disabled: 'LTAI5tEmuDisabled0001',
});
const HUAWEI_ROLES = Object.freeze({
  management: 'EMUHWMANAGEMENT00001',
  invitee: 'EMUHWINVITEE00000001',
  sts: 'EMUHWTEMPINVITEE0001',
  'sts-expired': 'EMUHWTEMPEXPIRED0001',
  member: 'EMUHWMEMBER000000001',
  'second-invitee': 'EMUHWINVITEE00000002',
  'other-management': 'EMUHWOTHERMGMT000001',
  'other-member': 'EMUHWOTHERMEMBER0001',
});

class EmulatorError extends Error {
  constructor(message) {
    super(message);
    this.name = 'EmulatorError';
  }
}

class ControlError extends EmulatorError {
  constructor(method, route, status, message) {
    super(`${method} /_emulator${route}: ${status} ${message}`);
    this.name = 'ControlError';
    this.status = status;
    this.error = message;
  }
}

function isMusl() {
  if (process.platform !== 'linux') return false;
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return !(report && report.header && report.header.glibcVersionRuntime);
}

/** The name of the binary package for this platform, e.g. resourcemanager-emulator-linux-x64-gnu. */
function platformPackage(platform = process.platform, arch = process.arch) {
  let key = `${platform}-${arch}`;
  if (platform === 'linux') key += isMusl() ? '-musl' : '-gnu';
  if (platform === 'win32') key += '-msvc';
  return `${BINARY_NAME}-${key}`;
}

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The emulator binary: `binary`, else $RM_EMULATOR_BINARY, else this platform's package's. */
function findBinary(binary) {
  const exe = BINARY_NAME + (process.platform === 'win32' ? '.exe' : '');
  const candidates = [];
  if (binary) candidates.push(binary);
  else if (process.env.RM_EMULATOR_BINARY) candidates.push(process.env.RM_EMULATOR_BINARY);
  else {
    const pkg = platformPackage();
    try {
      candidates.push(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe));
    } catch {
      throw new EmulatorError(`the binary package ${pkg} is not installed (it is an optional dependency of `
        + `resourcemanager-emulator, installed only on its platform); install it, or set RM_EMULATOR_BINARY`);
    }
  }
  for (const candidate of candidates) {
    if (executable(candidate)) return candidate;
  }
  throw new EmulatorError(`no ${BINARY_NAME} binary at ${candidates.join(', ')}`);
}

function kebab(name) {
  return name.replace(/_/g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function snake(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function flagArgs(flags) {
  const args = [];
  for (const [name, value] of Object.entries(flags || {})) {
    if (value === undefined || value === null || value === false) continue;
    args.push(`--${kebab(name)}`);
    if (value !== true) args.push(String(value));
  }
  return args;
}

function instant(value) {
  return value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : value;
}

function keyTable(cloud, section, defaults, organizations, managerField, pendingStatus) {
  const keys = (section.access_keys || []).map((k) => ({
    cloud,
    accessKeyId: k.id,
    accessKeySecret: k.secret,
    accountId: k.account_id,
    securityToken: k.security_token || undefined,
    disabled: Boolean(k.disabled),
    role: undefined,
  }));
  const byId = new Map(keys.map((k) => [k.accessKeyId, k]));
  const roles = {};
  for (const [role, id] of Object.entries(defaults)) {
    if (byId.has(id)) roles[role] = { ...byId.get(id), role };
  }
  const firstKeyOf = (accounts) => [...keys].sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1))
    .find((k) => accounts.has(k.accountId) && !k.disabled && !k.securityToken);
  if (!roles.management) {
    const found = firstKeyOf(new Set((section[organizations] || []).map((o) => o[managerField])));
    if (found) roles.management = { ...found, role: 'management' };
  }
  if (!roles.invitee) {
    const found = firstKeyOf(new Set((section.handshakes || []).filter((h) => h.status === pendingStatus)
      .map((h) => h.target_entity)));
    if (found) roles.invitee = { ...found, role: 'invitee' };
  }
  for (const key of Object.values(roles)) {
    if (!byId.get(key.accessKeyId).role) byId.set(key.accessKeyId, key);
  }
  return { roles, byId };
}

function makeKeys(state) {
  const alibaba = keyTable('alibaba', state, ALIBABA_ROLES, 'resource_directories', 'master_account_id', 'Pending');
  const huawei = keyTable('huawei', state.huawei || {}, HUAWEI_ROLES, 'organizations', 'management_account_id', 'pending');
  const hidden = (target, name, value) => Object.defineProperty(target, name, { value, enumerable: false });
  const table = (t) => {
    const out = { ...t.roles };
    hidden(out, 'all', [...t.byId.values()].sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1)));
    hidden(out, 'byId', (id) => t.byId.get(id));
    return out;
  };
  const keys = table(alibaba);
  hidden(keys, 'huawei', table(huawei));
  return Object.freeze(keys);
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
});

class Emulator {
  constructor(endpoint, options = {}) {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' || !url.port) {
      throw new EmulatorError(`not an emulator endpoint: ${endpoint} (expected http://HOST:PORT)`);
    }
    let host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === '0.0.0.0') host = '127.0.0.1';
    if (host === '::') host = '::1';
    this.host = host;
    this.port = Number(url.port);
    this.hostport = host.includes(':') ? `[${host}]:${this.port}` : `${host}:${this.port}`;
    this.endpoint = `http://${this.hostport}`;
    this.process = options.process || null;
    this.version = options.version || null;
    this.banner = options.banner || [];
    this.logPath = options.logPath || null;
    this._logDir = options.logDir || null; // a temporary directory of ours, removed by stop()
    this.adminToken = options.adminToken || null;
    this._keys = null;
    this._exited = this.process ? new Promise((resolve) => {
      if (this.process.exitCode !== null || this.process.signalCode !== null) resolve(this.process.exitCode);
      else this.process.once('exit', (code) => resolve(code));
    }) : Promise.resolve(null);
    const call = this._call.bind(this);
    const setClock = (body) => call('POST', '/clock', body);
    this.clock = Object.freeze({
      get: () => call('GET', '/clock'),
      now: async () => new Date((await call('GET', '/clock')).now),
      freeze: () => setClock({ action: 'freeze' }),
      resume: () => setClock({ action: 'resume' }),
      system: () => setClock({ action: 'system' }),
      set: (time) => setClock({ action: 'set', time: instant(time) }),
      advance: (by) => setClock({ action: 'advance', by: typeof by === 'number' ? `${Math.trunc(by)}s` : by }),
    });
    this.faults = Object.freeze({
      add: (rule) => {
        if (!rule || !rule.action) throw new TypeError('faults.add({ action, code?, times?, … }): action is required');
        const body = {};
        for (const [name, value] of Object.entries(rule)) if (value !== undefined) body[snake(name)] = value;
        return call('POST', '/faults', body);
      },
      list: async () => (await call('GET', '/faults')).faults,
      delete: async (id) => {
        await call('DELETE', `/faults/${encodeURIComponent(id)}`);
      },
      clear: async () => (await call('DELETE', '/faults')).deleted,
    });
  }

  _call(method, route, body, { raw, contentType = 'application/json', timeoutMs = 300000 } = {}) {
    const data = raw !== undefined ? raw : (body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    const headers = {};
    if (data !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(data);
    }
    if (this.adminToken) headers.Authorization = `Bearer ${this.adminToken}`;
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: this.host, port: this.port, method, path: `/_emulator${route}`, headers, agent: false, timeout: timeoutMs,
      }, (reply) => {
        const chunks = [];
        reply.on('data', (chunk) => chunks.push(chunk));
        reply.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = null;
          }
          if (reply.statusCode >= 400) {
            reject(new ControlError(method, route, reply.statusCode, (parsed && parsed.error) || text));
          } else {
            resolve(parsed);
          }
        });
      });
      request.on('timeout', () => request.destroy(new EmulatorError(`${method} /_emulator${route}: timed out`)));
      request.on('error', (error) => reject(error instanceof EmulatorError ? error
        : new EmulatorError(`the emulator at ${this.endpoint} is not reachable: ${error.message}`)));
      if (data !== undefined) request.write(data);
      request.end();
    });
  }

  health() {
    return this._call('GET', '/health');
  }

  async reset() {
    const answer = await this._call('POST', '/reset');
    await this.refreshKeys();
    return answer;
  }

  state() {
    return this._call('GET', '/state');
  }

  async load(document) {
    let answer;
    if (typeof document === 'string' || document instanceof URL) {
      const file = document instanceof URL ? document : path.resolve(document);
      const text = fs.readFileSync(file);
      const json = String(file).toLowerCase().endsWith('.json');
      answer = await this._call('PUT', '/state', undefined,
        { raw: text, contentType: json ? 'application/json' : 'application/toml' });
    } else if (document && typeof document === 'object') {
      answer = await this._call('PUT', '/state', document);
    } else {
      throw new TypeError('load(document): a world object, or the path of a .toml or .json world file');
    }
    await this.refreshKeys();
    return answer;
  }

  async requests({ action, code, cloud, limit } = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries({ cloud, action, code, limit })) {
      if (value !== undefined && value !== null) query.set(name, String(value));
    }
    const suffix = query.toString() ? `?${query}` : '';
    return (await this._call('GET', `/requests${suffix}`)).requests;
  }

  async clearRequests() {
    await this._call('DELETE', '/requests');
  }

  async calls(action, { cloud, code, status, accessKeyId, ...params } = {}) {
    const entries = await this.requests({ action, code, cloud });
    return entries.filter((entry) => (status === undefined || entry.status === status)
      && (accessKeyId === undefined || entry.access_key_id === accessKeyId)
      && Object.entries(params).every(([name, value]) => entry.parameters
        && name in entry.parameters && String(entry.parameters[name]) === String(value)));
  }

  async assertCalled(action, { times, ...filters } = {}) {
    const found = await this.calls(action, filters);
    if ((times === undefined && found.length === 0) || (times !== undefined && found.length !== times)) {
      const seen = (await this.requests({ cloud: filters.cloud }))
        .map((e) => `${e.cloud}:${e.action} ${e.status}${e.code ? ` ${e.code}` : ''}`);
      const wanted = times === undefined ? 'at least once' : `${times} time${times === 1 ? '' : 's'}`;
      const error = new Error(`expected ${action} ${wanted} with ${JSON.stringify(filters)}, found ${found.length}; `
        + `the journal has: ${seen.length ? seen.join(', ') : 'nothing'}`);
      error.name = 'AssertionError';
      throw error;
    }
    return found;
  }

  async refreshKeys() {
    this._keys = makeKeys(await this.state());
    return this._keys;
  }

  get keys() {
    if (!this._keys) throw new EmulatorError('keys are not loaded yet: await emulator.refreshKeys()');
    return this._keys;
  }

  key(role, cloud = 'alibaba') {
    if (role && typeof role === 'object') return role;
    const table = cloud === 'huawei' ? this.keys.huawei : this.keys;
    const key = table[role] || table.byId(role);
    if (!key) {
      throw new EmulatorError(`no ${cloud} key with role or id ${role}; roles: ${Object.keys(table).join(', ') || 'none'}`);
    }
    return key;
  }

  client(role, options = {}) {
    const { signature, ...config } = options;
    const key = this.key(role);
    let RM;
    let openApi;
    try {
      const rmPath = require.resolve('@alicloud/resourcemanager20200331', { paths: [process.cwd(), __dirname] });
      RM = require(rmPath);
      openApi = createRequire(rmPath)('@alicloud/openapi-core');
    } catch (error) {
      throw new EmulatorError(`client() needs the optional peer dependency @alicloud/resourcemanager20200331: ${error.message}`);
    }
    const settings = {
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      securityToken: key.securityToken,
      endpoint: this.hostport,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...(signature === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
      ...config,
    };
    return new RM.default(new openApi.$OpenApiUtil.Config(settings));
  }

  async stop({ timeoutMs = 10000 } = {}) {
    const child = this.process;
    if (!child) return null;
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // keep this process alive until the emulator is gone
      const timers = [];
      const within = (ms) => Promise.race([
        this._exited.then(() => true),
        new Promise((resolve) => timers.push(setTimeout(resolve, ms, false))),
      ]);
      try {
        child.stdin.end(); // the emulator stops at once when its standard input closes
        if (!(await within(Math.min(3000, timeoutMs)))) {
          child.kill('SIGTERM');
          if (!(await within(timeoutMs))) child.kill('SIGKILL');
        }
      } finally {
        timers.forEach(clearTimeout);
      }
    }
    const code = await this._exited;
    running.delete(child);
    if (this._logDir) {
      fs.rmSync(this._logDir, { recursive: true, force: true });
      this._logDir = null;
    }
    return code;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Emulator <${this.endpoint}${this.process ? ' (owned)' : ''}>`;
  }
}

if (Symbol.asyncDispose) {
  Emulator.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.stop();
  };
}

/** Starts the emulator; resolves once it listens and its keys are read. */
async function startEmulator(options = {}) {
  const {
    port = 0, host = '127.0.0.1', fixtures, dataDir, binary, flags = {}, env, log, adminToken,
    startupTimeoutMs = 30000,
  } = options;
  const file = findBinary(binary);
  const args = ['serve', '--host', host, '--port', String(port)];
  if (fixtures) args.push('--fixtures', path.resolve(String(fixtures)));
  if (dataDir) args.push('--data-dir', path.resolve(String(dataDir)));
  if (adminToken) args.push('--admin-token', adminToken);
  args.push(...flagArgs(flags));
  const logDir = log ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'rm-emulator-'));
  const logPath = log ? path.resolve(String(log)) : path.join(logDir, 'emulator.log');
  const logFd = fs.openSync(logPath, 'a');
  let child;
  try {
    child = spawn(file, args, {
      stdio: ['pipe', 'pipe', logFd],
      // The emulator stops when its standard input closes: on stop(), or when this process dies.
      env: { ...(env || process.env), RM_EMULATOR_EXIT_ON_STDIN_EOF: 'true' },
    });
  } finally {
    fs.closeSync(logFd);
  }
  running.add(child);
  const banner = [];
  const lines = readline.createInterface({ input: child.stdout });
  const tail = () => {
    try {
      return fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };
  const first = await new Promise((resolve, reject) => {
    const fail = (reason) => {
      child.kill('SIGKILL');
      running.delete(child);
      const log = tail();
      if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
      reject(new EmulatorError(`${reason}: ${file} ${args.join(' ')}${log ? `\n${log}` : ''}`));
    };
    const timer = setTimeout(() => fail(`the emulator did not print its banner within ${startupTimeoutMs} ms`),
      startupTimeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(`cannot start the emulator (${error.message})`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // Let the log file be written out before quoting it.
      setImmediate(() => fail(`the emulator exited with status ${code} before listening`));
    });
    lines.on('line', (line) => {
      banner.push(line);
      const match = BANNER.exec(line);
      if (match && banner.length === 1) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(match);
      }
    });
  });
  const emulator = new Emulator(first[2], {
    process: child, version: first[1], banner, logPath, logDir, adminToken,
  });
  // The rest of the banner follows at once; the process must not keep this one alive.
  child.unref();
  child.stdin.unref?.();
  child.stdout.unref?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await emulator.refreshKeys();
  return emulator;
}

/**
 * An Emulator for a server that is already running: `url`, else $RM_EMULATOR_URL_<worker> (the
 * Jest or Vitest worker's, from JEST_WORKER_ID or VITEST_POOL_ID), else $RM_EMULATOR_URL.
 */
async function connectEmulator(url, { adminToken } = {}) {
  const worker = process.env.JEST_WORKER_ID || process.env.VITEST_POOL_ID;
  const target = url || (worker && process.env[`RM_EMULATOR_URL_${worker}`]) || process.env.RM_EMULATOR_URL;
  if (!target) throw new EmulatorError('connectEmulator(): no url, and neither RM_EMULATOR_URL_<worker> nor RM_EMULATOR_URL is set');
  const emulator = new Emulator(target, { adminToken: adminToken || process.env.RM_EMULATOR_ADMIN_TOKEN });
  emulator.version = (await emulator.health()).version;
  await emulator.refreshKeys();
  return emulator;
}

module.exports = {
  startEmulator,
  connectEmulator,
  findBinary,
  platformPackage,
  Emulator,
  EmulatorError,
  ControlError,
  ALIBABA_ROLES,
  HUAWEI_ROLES,
};
