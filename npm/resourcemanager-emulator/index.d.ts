// Types of resourcemanager-emulator (index.js; the ES module index.mjs exports the same names).

/// <reference types="node" />
import type { ChildProcess } from 'node:child_process';

/** The default worlds' well-known keys: role → access key id. */
export declare const ALIBABA_ROLES: Readonly<Record<string, string>>;
export declare const HUAWEI_ROLES: Readonly<Record<string, string>>;

export interface StartOptions {
  /** Port to listen on; 0 (the default) picks a free one, learnt from the banner. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** A world file (TOML, or JSON) instead of the embedded default world. */
  fixtures?: string;
  /** Keep the worlds in a SQLite database in this directory (`--data-dir`). */
  dataDir?: string;
  /** Another binary than this platform's package's (also $RM_EMULATOR_BINARY). */
  binary?: string;
  /** Further `serve` flags: `{ workers: 2, journalSize: 0, replaceData: true }` → `--workers 2 …`. */
  flags?: Record<string, string | number | boolean | null | undefined>;
  /** The control plane's admin token (`--admin-token`); the client then sends it. */
  adminToken?: string;
  /** The environment of the process (default: this one's). */
  env?: NodeJS.ProcessEnv;
  /** Where the log (standard error) goes; default: a temporary file (`emulator.logPath`). */
  log?: string;
  /** How long to wait for the banner (default 30000). */
  startupTimeoutMs?: number;
}

/** One access key of the world. */
export interface Key {
  cloud: 'alibaba' | 'huawei';
  accessKeyId: string;
  accessKeySecret: string;
  /** The Alibaba account id, or the Huawei account (domain) id. */
  accountId: string;
  /** The STS token (Alibaba SecurityToken, Huawei X-Security-Token) of a temporary key. */
  securityToken?: string;
  disabled: boolean;
  /** The well-known role it plays, if any. */
  role?: string;
}

/** Keys by role ("management", "invitee", "sts", …); `byId(id)` and `all` for every key. */
export type KeyTable = Readonly<Record<string, Key>> & {
  readonly all: Key[];
  byId(accessKeyId: string): Key | undefined;
};

/** Alibaba's keys by role, and Huawei's under `huawei`. */
export type Keys = KeyTable & { readonly huawei: KeyTable };

export interface ClockReading {
  now: string;
  frozen: boolean;
  offset_seconds: number;
}

export interface Clock {
  get(): Promise<ClockReading>;
  now(): Promise<Date>;
  /** Stop time where it is. */
  freeze(): Promise<ClockReading>;
  /** Let time run again from where it stands. */
  resume(): Promise<ClockReading>;
  /** Back to system time, running. */
  system(): Promise<ClockReading>;
  /** Move to an instant ("2027-01-01T00:00:00Z" or a Date); a frozen clock stays frozen. */
  set(time: string | Date): Promise<ClockReading>;
  /** Move by "14d", "-1h", "90m", "30s", or a number of seconds. */
  advance(by: string | number): Promise<ClockReading>;
}

export interface FaultRule {
  /** The cloud's operation name, e.g. AcceptHandshake. */
  action: string;
  /** A catalog code, e.g. Throttling.User or (Huawei) APIGW.0308. */
  code?: string;
  /** "alibaba" (the default) or "huawei". */
  cloud?: 'alibaba' | 'huawei';
  /** The next N matching calls, then the rule disappears. */
  times?: number;
  /** Or fire with this probability (0–1]. */
  probability?: number;
  latencyMs?: number;
  handshakeId?: string;
  accessKeyId?: string;
  retryAfterMs?: number;
  detail?: string;
}

export interface Faults {
  /** Adds a rule; resolves to it, with its id. */
  add(rule: FaultRule): Promise<Record<string, unknown> & { id: string }>;
  list(): Promise<Array<Record<string, unknown> & { id: string }>>;
  delete(id: string): Promise<void>;
  /** Removes every rule; resolves to how many there were. */
  clear(): Promise<number>;
}

/** One entry of the request journal. */
export interface RequestEntry {
  time: string;
  cloud: 'alibaba' | 'huawei';
  request_id: string;
  method: string;
  path: string;
  action: string | null;
  signature: string | null;
  access_key_id: string | null;
  account_id: string | null;
  parameters: Record<string, string>;
  status: number;
  code: string | null;
  note?: string;
}

export interface RequestFilter {
  action?: string;
  /** A code, or "none" for successes. */
  code?: string;
  cloud?: 'alibaba' | 'huawei';
  /** Keep the newest N. */
  limit?: number;
}

/** Matching fields, and any other property compared (as text) with the request's parameters. */
export interface CallFilter {
  cloud?: 'alibaba' | 'huawei';
  code?: string;
  status?: number;
  accessKeyId?: string;
  [parameter: string]: string | number | undefined;
}

export interface ClientOptions {
  /** "v3" (ACS3-HMAC-SHA256, the SDK's default) or "v1" (HMAC-SHA1). */
  signature?: 'v3' | 'v1';
  /** Anything else goes to the SDK's Config. */
  [config: string]: unknown;
}

/** A running emulator: made by startEmulator (which owns the process) or connectEmulator. */
export declare class Emulator implements AsyncDisposable {
  constructor(endpoint: string, options?: { adminToken?: string });
  /** http://HOST:PORT */
  readonly endpoint: string;
  /** HOST:PORT, the endpoint Alibaba's SDKs take. */
  readonly hostport: string;
  readonly host: string;
  readonly port: number;
  readonly version: string | null;
  /** The banner's lines (empty for connectEmulator). */
  readonly banner: string[];
  /** Where its log (standard error) goes: a temporary file, removed by stop(), unless `log` was given. */
  readonly logPath: string | null;
  /** The process, when startEmulator started it. */
  readonly process: ChildProcess | null;
  /** The world's keys by role; read at start and again after load() and reset(). */
  readonly keys: Keys;
  readonly clock: Clock;
  readonly faults: Faults;
  health(): Promise<Record<string, unknown>>;
  /** Both worlds back to what was loaded at start (clock, faults and journal stay). */
  reset(): Promise<Record<string, unknown>>;
  /** The whole world, as a document of the fixture schema. */
  state(): Promise<Record<string, any>>;
  /** Replaces both worlds with a document object, or a .toml / .json world file's contents. */
  load(document: Record<string, unknown> | string | URL): Promise<Record<string, unknown>>;
  /** The journal, oldest first. */
  requests(filter?: RequestFilter): Promise<RequestEntry[]>;
  clearRequests(): Promise<void>;
  /** The journal entries of `action` that match `filter`. */
  calls(action: string, filter?: CallFilter): Promise<RequestEntry[]>;
  /** Rejects unless `action` was called (exactly `times` times when given) as `filter` says. */
  assertCalled(action: string, filter?: CallFilter & { times?: number }): Promise<RequestEntry[]>;
  refreshKeys(): Promise<Keys>;
  /** One key by role or id. */
  key(role: string | Key, cloud?: 'alibaba' | 'huawei'): Key;
  /**
   * An @alicloud/resourcemanager20200331 client (the optional peer dependency) signing as
   * `role`, pointed at this emulator.
   */
  client(role: string | Key, options?: ClientOptions): any;
  /** Stops the process startEmulator started; resolves to its exit status (null otherwise). */
  stop(options?: { timeoutMs?: number }): Promise<number | null>;
  [Symbol.asyncDispose](): Promise<void>;
}

export declare class EmulatorError extends Error {}
export declare class ControlError extends EmulatorError {
  readonly status: number;
  readonly error: string;
}

/** Starts the emulator binary; resolves once it listens and its keys are read. */
export declare function startEmulator(options?: StartOptions): Promise<Emulator>;
/**
 * An Emulator for a running server: `url`, else $RM_EMULATOR_URL_<worker> (JEST_WORKER_ID or
 * VITEST_POOL_ID), else $RM_EMULATOR_URL.
 */
export declare function connectEmulator(url?: string, options?: { adminToken?: string }): Promise<Emulator>;
/** The binary: `binary`, else $RM_EMULATOR_BINARY, else this platform's package's. */
export declare function findBinary(binary?: string): string;
/** This platform's binary package name, e.g. resourcemanager-emulator-linux-x64-gnu. */
export declare function platformPackage(platform?: string, arch?: string): string;
