import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { parseRedisAddress, type RedisAddress } from '../store/redis-address.js';
import { closestName } from '../closest-name.js';
import { OTHER_VARIABLES, SETTINGS, TOOL_PREFIXES, type SettingKind, type SettingSpec } from './settings.js';

export interface Config {
  readonly upstreamUrl: URL;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL | undefined;
  readonly logLevel: string;
  /** The certificate and key as read at start, and their files (watched for a renewal: proxy/tls-reload.ts). */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer; readonly certFile: string; readonly keyFile: string } | undefined;
  readonly tlsReloadIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly longPollTimeoutMs: number;
  readonly clientRequestTimeoutMs: number;
  readonly clientIdleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly upstreamKeepAliveMs: number;
  readonly upstreamConnections: number;
  readonly upstreamTlsVerify: boolean;
  readonly upstreamCa: Buffer | undefined;
  readonly readyUpstreamWindowMs: number;
  readonly readyStoreGraceMs: number;
  readonly storeStartWaitMs: number;
  readonly inspectBodyLimit: number;
  readonly drainTimeoutMs: number;
  readonly trustProxy: boolean;
  /** EASGATE_REDIS_URL: one server, Sentinel or Cluster (with EASGATE_REDIS_SENTINEL_PASSWORD folded in). */
  readonly redisUrl: RedisAddress | undefined;
  readonly redisPrefix: string;
  readonly policyFile: string | undefined;
  readonly defaultDomain: string | undefined;
  readonly netbiosDomains: Readonly<Record<string, string>>;
  readonly authProbeTtlMs: number;
  readonly provisionLoopLimit: number;
  readonly provisionLoopWindowMs: number;
  readonly lastSyncWriteIntervalMs: number;
  readonly instanceName: string;
  readonly smtpUrl: URL | undefined;
  readonly mailFrom: string;
  readonly notifyNewDevices: boolean;
  readonly mailRetryMs: number;
  /** EASGATE_ADMIN_TOKEN: the bootstrap admin's bearer token. */
  readonly adminToken: string | undefined;
  readonly adminHost: string;
  /** Set: the admin API listens on adminHost:adminPort instead of the device listener. */
  readonly adminPort: number | undefined;
  readonly adminPublicUrl: URL | undefined;
  readonly consoleSessionMinutes: number;
  /** Set: the backend sync runs (src/sync/backend-sync.ts). */
  readonly backendUrl: URL | undefined;
  readonly backendToken: string | undefined;
  readonly backendCa: Buffer | undefined;
  readonly backendTimeoutMs: number;
  readonly syncDiffIntervalMs: number;
  readonly syncFullIntervalMs: number;
  readonly syncPullIntervalMs: number;
  readonly syncBatchSize: number;
  readonly syncLeaseMs: number;
  readonly syncPacing: number;
}

/** A setting that is missing or does not parse; the message names the variable. */
export class ConfigError extends Error {
  readonly code = 'EASGATE_ERR_CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function accepts(kind: SettingKind): string {
  switch (kind.type) {
    case 'url':
      return `an absolute ${kind.protocols.map((p) => p.slice(0, -1)).join(' or ')} URL`;
    case 'host':
      return 'an IP address or host name';
    case 'port':
      return 'a port number from 0 to 65535';
    case 'int':
      return `a whole number from ${kind.min} to ${kind.max}`;
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'file':
      return 'the path of a readable file';
    case 'bool':
      return 'true or false';
    case 'string':
      return kind.what ?? `text of at most ${kind.maxLength} characters`;
    case 'path':
      return 'the path of a readable file';
    case 'map':
      return 'NAME=value pairs separated by commas';
    case 'redis':
      return 'a redis://, rediss://, redis+sentinel:// or redis+cluster:// address (docs/redis-ha.md)';
  }
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?)*$/;

/** A value refused with a reason more precise than what the kind accepts (never the value itself). */
class Refused {
  constructor(readonly reason: string) {}
}

function parseValue(kind: SettingKind, raw: string): unknown {
  switch (kind.type) {
    case 'redis': {
      const a = parseRedisAddress(raw);
      return typeof a === 'string' ? new Refused(a) : a;
    }
    case 'url': {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return undefined;
      }
      // Credentials belong in the URL only for SMTP (its AUTH; Redis has its own kind); an upstream URL never carries them.
      const credentialsOk = kind.protocols.includes('smtp:') || (u.username === '' && u.password === '');
      return kind.protocols.includes(u.protocol) && credentialsOk ? u : undefined;
    }
    case 'host':
      return isIP(raw) !== 0 || HOSTNAME.test(raw) ? raw : undefined;
    case 'port':
    case 'int': {
      if (!/^\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      const [min, max] = kind.type === 'port' ? [0, 65535] : [kind.min, kind.max];
      return n >= min && n <= max ? n : undefined;
    }
    case 'enum':
      return kind.values.includes(raw) ? raw : undefined;
    case 'file':
      try {
        return statSync(raw).isFile() ? readFileSync(raw) : undefined;
      } catch {
        return undefined;
      }
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'string':
      return raw.length >= (kind.minLength ?? 1) && raw.length <= kind.maxLength && (kind.pattern?.test(raw) ?? true) ? raw : undefined;
    case 'path':
      try {
        return statSync(raw).isFile() ? raw : undefined;
      } catch {
        return undefined;
      }
    case 'map': {
      const out: Record<string, string> = {};
      for (const pair of raw.split(',')) {
        const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(pair);
        if (m === null) return undefined;
        out[m[1]!] = m[2]!;
      }
      return out;
    }
  }
}

const KNOWN = Object.values(SETTINGS).map((spec) => (spec as SettingSpec).env);

/** Every EASGATE_* variable that is no setting (nor the project's other variables), with the closest setting's name. */
function unknownVariables(env: Env): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('EASGATE_') || KNOWN.includes(name) || OTHER_VARIABLES.has(name) || TOOL_PREFIXES.some((p) => name.startsWith(p))) continue;
    out.push(`${name} is not a setting of easgate (did you mean ${closestName(name, KNOWN)}?)`);
  }
  return out;
}

/**
 * Reads and validates every EASGATE_* setting at once, so that one start reports every
 * problem; returns a frozen object. Values are never echoed back in the messages (a
 * mistyped secret must not reach a log).
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    const raw = env[spec.env]?.trim();
    const text = raw === undefined || raw === '' ? spec.default : raw;
    if (text === undefined) {
      if (spec.required) problems.push(`${spec.env} is required: ${accepts(spec.kind)}`);
      continue;
    }
    const value = parseValue(spec.kind, text);
    if (value === undefined) problems.push(`${spec.env} must be ${accepts(spec.kind)}`);
    else if (value instanceof Refused) problems.push(`${spec.env} must be ${accepts(spec.kind)}: ${value.reason}`);
    else values[name] = value;
  }
  problems.push(...unknownVariables(env));
  let redis = values.redisUrl as RedisAddress | undefined;
  const sentinelPassword = values.redisSentinelPassword as string | undefined;
  if (sentinelPassword !== undefined) {
    if (redis?.mode === 'sentinel') redis = { ...redis, sentinelPassword };
    else if (!problems.some((p) => p.startsWith('EASGATE_REDIS_URL'))) problems.push('EASGATE_REDIS_SENTINEL_PASSWORD is only read with a redis+sentinel:// EASGATE_REDIS_URL');
  }
  const redisCa = values.redisCa as Buffer | undefined;
  if (redisCa !== undefined) {
    if (redis?.tls === true) redis = { ...redis, ca: redisCa };
    else if (!problems.some((p) => p.startsWith('EASGATE_REDIS_URL'))) problems.push('EASGATE_REDIS_CA is only read with a rediss://, rediss+sentinel:// or rediss+cluster:// EASGATE_REDIS_URL');
  }
  const cert = values.tlsCert as Buffer | undefined;
  const key = values.tlsKey as Buffer | undefined;
  if ((cert === undefined) !== (key === undefined) && !problems.some((p) => p.startsWith('EASGATE_TLS_'))) {
    problems.push('EASGATE_TLS_CERT and EASGATE_TLS_KEY must be set together');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config: Config = {
    upstreamUrl: values.upstreamUrl as URL,
    host: values.host as string,
    port: values.port as number,
    publicUrl: values.publicUrl as URL | undefined,
    logLevel: values.logLevel as string,
    tls:
      cert !== undefined && key !== undefined
        ? Object.freeze({ cert, key, certFile: env[SETTINGS.tlsCert.env]!.trim(), keyFile: env[SETTINGS.tlsKey.env]!.trim() })
        : undefined,
    tlsReloadIntervalMs: values.tlsReloadIntervalMs as number,
    connectTimeoutMs: values.connectTimeoutMs as number,
    requestTimeoutMs: values.requestTimeoutMs as number,
    longPollTimeoutMs: values.longPollTimeoutMs as number,
    clientRequestTimeoutMs: values.clientRequestTimeoutMs as number,
    clientIdleTimeoutMs: values.clientIdleTimeoutMs as number,
    keepAliveTimeoutMs: values.keepAliveTimeoutMs as number,
    upstreamKeepAliveMs: values.upstreamKeepAliveMs as number,
    upstreamConnections: values.upstreamConnections as number,
    upstreamTlsVerify: values.upstreamTlsVerify as boolean,
    upstreamCa: values.upstreamCa as Buffer | undefined,
    readyUpstreamWindowMs: values.readyUpstreamWindowMs as number,
    readyStoreGraceMs: values.readyStoreGraceMs as number,
    storeStartWaitMs: values.storeStartWaitMs as number,
    inspectBodyLimit: values.inspectBodyLimit as number,
    drainTimeoutMs: values.drainTimeoutMs as number,
    trustProxy: values.trustProxy as boolean,
    redisUrl: redis,
    redisPrefix: values.redisPrefix as string,
    policyFile: values.policyFile as string | undefined,
    defaultDomain: values.defaultDomain as string | undefined,
    netbiosDomains: Object.freeze((values.netbiosDomains as Record<string, string> | undefined) ?? {}),
    authProbeTtlMs: values.authProbeTtlMs as number,
    provisionLoopLimit: values.provisionLoopLimit as number,
    provisionLoopWindowMs: values.provisionLoopWindowMs as number,
    lastSyncWriteIntervalMs: values.lastSyncWriteIntervalMs as number,
    instanceName: (values.instanceName as string | undefined) ?? hostname(),
    smtpUrl: values.smtpUrl as URL | undefined,
    mailFrom: values.mailFrom as string,
    notifyNewDevices: values.notifyNewDevices as boolean,
    mailRetryMs: values.mailRetryMs as number,
    adminToken: values.adminToken as string | undefined,
    adminHost: values.adminHost as string,
    adminPort: values.adminPort as number | undefined,
    adminPublicUrl: values.adminPublicUrl as URL | undefined,
    consoleSessionMinutes: values.consoleSessionMinutes as number,
    backendUrl: values.backendUrl as URL | undefined,
    backendToken: values.backendToken as string | undefined,
    backendCa: values.backendCa as Buffer | undefined,
    backendTimeoutMs: values.backendTimeoutMs as number,
    syncDiffIntervalMs: values.syncDiffIntervalMs as number,
    syncFullIntervalMs: values.syncFullIntervalMs as number,
    syncPullIntervalMs: values.syncPullIntervalMs as number,
    syncBatchSize: values.syncBatchSize as number,
    syncLeaseMs: values.syncLeaseMs as number,
    syncPacing: values.syncPacing as number,
  };
  return Object.freeze(config);
}

/**
 * Where admins open the console (served under /admin/ on the admin listener): the admin
 * listener's public URL, else its own address, else the device listener's public URL. The
 * notification mail links to pages under it.
 */
export function consoleUrl(config: Config): string {
  const origin =
    config.adminPublicUrl?.href.replace(/\/+$/, '') ??
    (config.adminPort !== undefined
      ? `${config.tls === undefined ? 'http' : 'https'}://${config.adminHost.includes(':') ? `[${config.adminHost}]` : config.adminHost}:${config.adminPort}`
      : (config.publicUrl?.origin ?? `${config.tls === undefined ? 'http' : 'https'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`));
  return `${origin}/admin`;
}
