import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { RedisStore, type Store } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { device } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { clientTls, freePort, serverArgs, startRedisProcess, tempDir, tlsArgs, type RedisProcess, type ServerTls } from './redis-server.js';
import { requireTool } from '../helpers/tools.js';

/**
 * Real Redis topologies for the high-availability tests (docs/redis-ha.md), made of
 * Debian's redis-server and redis-sentinel on free ports of 127.0.0.1 in a temporary
 * folder: a primary with replicas watched by Sentinels, or a Cluster made by
 * `redis-cli --cluster create`. `stop()` kills every process and removes the folder.
 */

const run = promisify(execFile);

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One short-lived connection to a test server that gives up at once when it is down. */
async function ask<T>(port: number, f: (r: Redis) => Promise<T>, password?: string): Promise<T> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, ...(password !== undefined ? { password } : {}), ...clientTls(port) });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await f(r);
  } finally {
    r.disconnect();
  }
}

function info(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

/**
 * Waits until `count` replicas are online at the primary and have acknowledged every write
 * it had taken when called (replicas acknowledge once a second).
 */
export async function replicasCaughtUp(primaryPort: number, count: number, password?: string): Promise<void> {
  const replication = () => ask(primaryPort, async (r) => info(await r.info('replication')), password);
  // The writes taken before this call; later ones may still be on their way.
  const target = Number((await replication()).master_repl_offset);
  await waitUntil(`${count} replicas of ${primaryPort} caught up`, async () => {
    const i = await replication();
    const replicas = Object.keys(i)
      .filter((k) => /^slave\d+$/.test(k))
      .map((k) => i[k]!);
    return replicas.length >= count && replicas.every((line) => line.includes('state=online') && Number(/offset=(\d+)/.exec(line)?.[1]) >= target);
  });
}

/** `--name value` pairs as redis.conf lines (`name value`). */
function configLines(args: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) lines.push(`${args[i]!.slice(2)} ${args[i + 1]}`);
  return lines;
}

async function stopAll(procs: Iterable<RedisProcess>, dir: { remove(): Promise<void> }): Promise<void> {
  await Promise.all([...procs].map((p) => p.kill('SIGKILL')));
  await dir.remove();
}

export interface SentinelGroup {
  readonly masterName: string;
  /** EASGATE_REDIS_URL for the group: redis+sentinel://[:dataPassword@]127.0.0.1:s1,…/masterName. */
  readonly url: string;
  readonly servers: ReadonlyMap<number, RedisProcess>;
  readonly sentinels: readonly RedisProcess[];
  /** The primary's port, as every live Sentinel reports it (they agree). */
  primary(): Promise<number>;
  /** Waits until every live replica has every write the primary has taken. */
  waitReplicated(): Promise<void>;
  /** SENTINEL FAILOVER; resolves with the new primary's port once every Sentinel names it and it accepts writes. */
  failover(): Promise<number>;
  /** SIGKILL of the primary; resolves with the new primary's port as failover() does. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A primary, `replicas` replicas and `sentinels` Sentinels (quorum 2) that declare the
 * primary down after a second without an answer.
 */
export async function startSentinelGroup(
  options: {
    replicas?: number;
    sentinels?: number;
    /** The data nodes' default user's password (requirepass; replication and the Sentinels use it). */
    dataPassword?: string;
    /** An ACL user of the data nodes with a password of its own, named in the URL instead of the default user. */
    aclUser?: { name: string; password: string };
    sentinelPassword?: string;
    tls?: ServerTls;
  } = {},
): Promise<SentinelGroup> {
  const tls = options.tls;
  const acl = options.aclUser;
  const masterName = 'easgate-test';
  const dp = options.dataPassword;
  const sp = options.sentinelPassword;
  const dataAuth = [...(dp === undefined ? [] : ['--requirepass', dp, '--masterauth', dp]), ...(acl === undefined ? [] : ['--user', acl.name, 'on', `>${acl.password}`, '~*', '&*', '+@all'])];
  const userinfo = acl !== undefined ? `${encodeURIComponent(acl.name)}:${encodeURIComponent(acl.password)}@` : dp !== undefined ? `:${encodeURIComponent(dp)}@` : '';
  const askData = <T>(port: number, f: (r: Redis) => Promise<T>) => ask(port, f, dp);
  const askSentinel = <T>(port: number, f: (r: Redis) => Promise<T>) => ask(port, f, sp);
  const dir = await tempDir('sentinel');
  const servers = new Map<number, RedisProcess>();
  const sentinels: RedisProcess[] = [];
  try {
    const primaryPort = await freePort();
    servers.set(primaryPort, await startRedisProcess('redis-server', primaryPort, [...serverArgs(primaryPort, dir.path, tls), ...dataAuth], dp, tls));
    for (let i = 0; i < (options.replicas ?? 2); i++) {
      const port = await freePort();
      servers.set(port, await startRedisProcess('redis-server', port, [...serverArgs(port, dir.path, tls), ...dataAuth, '--replicaof', '127.0.0.1', String(primaryPort)], dp, tls));
    }
    for (let i = 0; i < (options.sentinels ?? 3); i++) {
      const port = await freePort();
      const conf = join(dir.path, `sentinel-${port}.conf`);
      await writeFile(
        conf,
        [
          ...(tls === undefined ? [`port ${port}`] : ['port 0', `tls-port ${port}`, ...configLines(tlsArgs(tls))]),
          'bind 127.0.0.1',
          `dir ${dir.path}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 2`,
          ...(dp === undefined ? [] : [`sentinel auth-pass ${masterName} ${dp}`]),
          ...(sp === undefined ? [] : [`requirepass ${sp}`]),
          '',
        ].join('\n'),
      );
      sentinels.push(await startRedisProcess('redis-sentinel', port, [conf], sp, tls));
    }
    const live = () => sentinels.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    const primaryOf = async (s: RedisProcess): Promise<number> => {
      const addr = (await askSentinel(s.port, (r) => r.call('SENTINEL', 'get-master-addr-by-name', masterName))) as [string, string];
      return Number(addr[1]);
    };
    const primary = async (): Promise<number> => {
      const ports = await Promise.all(live().map(primaryOf));
      if (new Set(ports).size !== 1) throw new Error(`the Sentinels disagree: ${ports.join(', ')}`);
      return ports[0]!;
    };
    const waitReplicated = async (): Promise<void> => {
      const p = await primary();
      const others = [...servers.values()].filter((s) => s.port !== p && s.child.exitCode === null && s.child.signalCode === null);
      await replicasCaughtUp(p, others.length, dp);
    };
    /** Every Sentinel knows the others and every live replica, and the replicas are in sync: a failover can start. */
    const settled = async (): Promise<void> => {
      const p = await waitUntil('the Sentinels agree on a primary', async () => primary().catch(() => undefined));
      const expectedReplicas = [...servers.values()].filter((s) => s.port !== p && s.child.exitCode === null && s.child.signalCode === null).length;
      await waitUntil(
        'Sentinels know each other and the replicas',
        async () => {
          for (const s of live()) {
            const others = (await askSentinel(s.port, (r) => r.call('SENTINEL', 'sentinels', masterName))) as unknown[];
            const replicas = (await askSentinel(s.port, (r) => r.call('SENTINEL', 'replicas', masterName))) as string[][];
            const healthy = replicas.filter((fields) => {
              const flags = fields[fields.indexOf('flags') + 1] ?? '';
              return flags === 'slave';
            });
            if (others.length < live().length - 1 || healthy.length < expectedReplicas) return false;
          }
          return true;
        },
        40_000,
      );
      await replicasCaughtUp(p, expectedReplicas, dp);
    };
    const promoted = async (old: number): Promise<number> => {
      const next = await waitUntil('a new primary', async () => {
        const p = await primary().catch(() => undefined);
        return p !== undefined && p !== old ? p : undefined;
      });
      await waitUntil('the new primary takes writes', async () => askData(next, async (r) => info(await r.info('replication')).role === 'master'));
      return next;
    };
    await settled();
    return {
      masterName,
      url: `${tls === undefined ? 'redis' : 'rediss'}+sentinel://${userinfo}${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}`,
      servers,
      sentinels,
      primary,
      waitReplicated,
      async failover() {
        await settled();
        const old = await primary();
        await askSentinel(sentinels[0]!.port, (r) => r.call('SENTINEL', 'failover', masterName));
        const next = await promoted(old);
        await settled();
        return next;
      },
      async killPrimary() {
        await settled();
        const old = await primary();
        await servers.get(old)!.kill('SIGKILL');
        servers.delete(old);
        return promoted(old);
      },
      stop: () => stopAll([...servers.values(), ...sentinels], dir),
    };
  } catch (err) {
    await stopAll([...servers.values(), ...sentinels], dir);
    throw err;
  }
}

export interface ClusterGroup {
  /** EASGATE_REDIS_URL for the cluster: redis+cluster://127.0.0.1:p1,…. */
  readonly url: string;
  readonly nodes: ReadonlyMap<number, RedisProcess>;
  /** The port of the primary that serves the slot of `key`. */
  primaryFor(key: string): Promise<number>;
  /** Waits until the replica of the primary serving `key` has every write it took. */
  waitReplicated(key: string): Promise<void>;
  /** SIGKILL of the primary serving `key`; resolves with its replica's port once that one serves the slot. */
  killPrimaryFor(key: string): Promise<number>;
  /** CLUSTER FAILOVER on the replica of the primary serving `key`; resolves with its port once it serves the slot. */
  failoverFor(key: string): Promise<number>;
  stop(): Promise<void>;
}

/** `primaries` primaries with one replica each, made by `redis-cli --cluster create`; a node is failed after a second. */
export async function startCluster(options: { primaries?: number; tls?: ServerTls } = {}): Promise<ClusterGroup> {
  const tls = options.tls;
  const dir = await tempDir('cluster');
  const nodes = new Map<number, RedisProcess>();
  try {
    const count = 2 * (options.primaries ?? 3);
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const args = [...serverArgs(port, dir.path, tls), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1000'];
      nodes.set(port, await startRedisProcess('redis-server', port, args, undefined, tls));
    }
    const ports = [...nodes.keys()];
    requireTool('redis-cli');
    await run('redis-cli', [...(tls === undefined ? [] : ['--tls', '--cacert', tls.ca]), '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes']);
    const alive = () => ports.filter((p) => nodes.has(p));
    await waitUntil('every node says the cluster is ok', async () => {
      const states = await Promise.all(alive().map((p) => ask(p, async (r) => info((await r.call('CLUSTER', 'INFO')) as string).cluster_state)));
      return states.every((s) => s === 'ok');
    });
    /** The ports serving the slot of `key`, its primary first, then its replicas. */
    const servingSlotOf = async (key: string, via = alive()[0]!): Promise<number[]> =>
      ask(via, async (r) => {
        const slot = (await r.call('CLUSTER', 'KEYSLOT', key)) as number;
        const slots = (await r.call('CLUSTER', 'SLOTS')) as [number, number, ...[string, number, ...unknown[]][]][];
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (range === undefined) throw new Error(`slot ${slot} is not served`);
        return (range.slice(2) as [string, number][]).map((node) => node[1]);
      });
    const primaryFor = async (key: string): Promise<number> => (await servingSlotOf(key))[0]!;
    /** Resolves with the port of the node other than `old` that serves the slot of `key` as a primary. */
    const takenOver = (key: string, old: number): Promise<number> =>
      waitUntil('a replica serves the slot', async () => {
        const p = await primaryFor(key);
        if (p === old) return undefined;
        const role = await ask(p, async (r) => info(await r.info('replication')).role);
        return role === 'master' ? p : undefined;
      });
    return {
      url: `${tls === undefined ? 'redis' : 'rediss'}+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
      nodes,
      primaryFor: (key) => primaryFor(key),
      waitReplicated: async (key) => replicasCaughtUp(await primaryFor(key), 1),
      async killPrimaryFor(key) {
        const old = await primaryFor(key);
        await nodes.get(old)!.kill('SIGKILL');
        nodes.delete(old);
        return takenOver(key, old);
      },
      async failoverFor(key) {
        // A replica is listed for the slot once it is attached to the primary.
        const [old, replica] = await waitUntil('the slot has a replica', async () => {
          const ports = await servingSlotOf(key);
          return ports.length > 1 ? ports : undefined;
        });
        await replicasCaughtUp(old!, 1);
        await ask(replica!, (r) => r.call('CLUSTER', 'FAILOVER'));
        return takenOver(key, old!);
      },
      stop: () => stopAll(nodes.values(), dir),
    };
  } catch (err) {
    await stopAll(nodes.values(), dir);
    throw err;
  }
}

/**
 * A store reached the way the gateway reaches it: EASGATE_REDIS_URL read by the
 * configuration. Connection errors are expected while a primary is killed; nothing logs them here.
 */
export function storeAt(url: string, prefix: string, env: Record<string, string> = {}): RedisStore {
  const config = loadConfig({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/Microsoft-Server-ActiveSync', EASGATE_REDIS_URL: url, EASGATE_REDIS_PREFIX: prefix, ...env });
  const store = new RedisStore({ url: config.redisUrl!, keyPrefix: config.redisPrefix });
  store.client.on('error', () => undefined);
  return store;
}

/** The store contract on a topology; each test has its own prefix, and the topology goes away with the file. */
export function topologyContract(name: string, url: () => string, label: string, env: () => Record<string, string> = () => ({})): void {
  storeContract(name, async () => {
    const prefix = uniquePrefix(label);
    const store = storeAt(url(), prefix, env());
    const peers: Store[] = [];
    return {
      store,
      peer: async () => {
        const p = storeAt(url(), prefix, env());
        peers.push(p);
        return p;
      },
      cleanup: async () => void (await Promise.all([store, ...peers].map((s) => s.close()))),
    };
  });
}

/** Creates one more association, retrying for up to `seconds` (10) while the topology switches; true once created. */
export async function createOnceWritable(store: Store, user: string, deviceId: string, seconds = 10): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    // An attempt whose answer was lost in the switch may have been written all the same:
    // then the next one finds the association there.
    const created = await store.createAssociation(device(user, deviceId)).then(
      async (r) => r.created || (i > 0 && (await store.getAssociation(user, deviceId)) !== undefined),
      () => false,
    );
    if (created) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
