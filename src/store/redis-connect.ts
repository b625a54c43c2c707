import type { ConnectionOptions } from 'node:tls';
import { publicRootsPlus } from '../config/extra-ca.js';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { StoreError } from './errors.js';
import { parseRedisAddress, type RedisAddress } from './redis-address.js';
import type { RedisClient } from './redis-scripts.js';

/**
 * The one place that turns EASGATE_REDIS_URL into an ioredis client, for every part of the
 * gateway that talks to Redis (store, change subscriber, mail queue, sync coordinator), so
 * that a failover behaves the same for all of them (docs/redis-ha.md):
 *
 * - Reconnect for ever, at most a second apart: Redis may come back, or a replica may
 *   become the primary.
 * - A command issued while the connection is down waits in the offline queue for
 *   MAX_RETRIES_PER_REQUEST reconnect attempts (about a second and a half), which rides
 *   through a coordinated failover; then it fails, and a device whose request needed the
 *   store gets 503 with Retry-After instead of hanging (known devices are served from the
 *   decision cache and need no command).
 * - No command waits more than COMMAND_TIMEOUT_MS for its answer, queued or sent: the
 *   offline queue is bounded by reconnect attempts only when connections fail, and while
 *   no Sentinel answers (or they refuse our password) ioredis keeps asking them without
 *   one failing; a host gone without a reset would hold a sent command for minutes.
 * - `READONLY` (a write reached a server that a failover has turned into a replica):
 *   reconnect, which asks the Sentinels for the primary again, and resend the command.
 */
export const MAX_RETRIES_PER_REQUEST = 4;
export const COMMAND_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 100, 1_000);
}

function reconnectOnError(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

const common: RedisOptions = {
  retryStrategy: reconnectDelay,
  maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
  reconnectOnError,
  connectTimeout: CONNECT_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
};

function auth(a: RedisAddress, tls: ConnectionOptions | undefined): RedisOptions {
  return {
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(tls !== undefined ? { tls } : {}),
  };
}

/**
 * The TLS options of every connection to the address: Node's defaults (public roots, the
 * host name or IP checked against the certificate), with EASGATE_REDIS_CA added to the roots.
 */
function tlsOptions(a: RedisAddress): ConnectionOptions | undefined {
  if (!a.tls) return undefined;
  return a.ca === undefined ? {} : { secureContext: publicRootsPlus(a.ca) };
}

/**
 * A client for the address (parsed from a URL when given as text). `extra` adds or
 * overrides ioredis options (tests: lazyConnect); on Cluster they apply to every node's
 * connection, except lazyConnect and enableOfflineQueue, which are the Cluster's own.
 */
export function connectRedis(address: RedisAddress | string, extra: RedisOptions = {}): RedisClient {
  const a = typeof address === 'string' ? parsed(address) : address;
  const tls = tlsOptions(a);
  switch (a.mode) {
    case 'single':
      // The URL carries the credentials and database itself; rediss:// alone would mean TLS with Node's defaults.
      return new Redis(a.url, { ...common, ...(tls !== undefined ? { tls } : {}), ...extra });
    case 'sentinel':
      return new Redis({
        ...common,
        ...auth(a, tls),
        sentinels: a.sentinels.map((n) => ({ host: n.host, port: n.port })),
        name: a.masterName,
        role: 'master',
        // Sentinel demotes the old primary of a SENTINEL FAILOVER only seconds after the
        // switch, and writes it takes meanwhile are lost: leave it on +switch-master.
        failoverDetector: true,
        ...(a.sentinelPassword !== undefined ? { sentinelPassword: a.sentinelPassword } : {}),
        ...(tls !== undefined ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
        ...extra,
      });
    case 'cluster': {
      const { lazyConnect, enableOfflineQueue, ...nodeOptions } = extra;
      const options: ClusterOptions = {
        redisOptions: { ...common, ...auth(a, tls), ...nodeOptions },
        clusterRetryStrategy: reconnectDelay,
        // Every key of the gateway is in one slot, served by one primary: reads go there too.
        scaleReads: 'master',
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        ...(lazyConnect !== undefined ? { lazyConnect } : {}),
        ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      };
      return new BoundedCluster(
        a.nodes.map((n) => ({ host: n.host, port: n.port })),
        // The subclass sees only Cluster's first constructor overload (reply mapping "legacy", the default).
        options as ConstructorParameters<typeof BoundedCluster>[1],
      );
    }
  }
}

/**
 * ioredis' Cluster keeps a command issued while it has no usable connection (at start, or
 * while every node is away) in a queue of its own, with no deadline: `commandTimeout` is
 * the node connections' and starts only once a node has the command. Here the deadline
 * starts when the command is issued and covers the queue, redirections and retries, so a
 * device waits at most COMMAND_TIMEOUT_MS for an answer (503 after that), as with one server.
 */
class BoundedCluster extends Cluster {
  override sendCommand(...args: Parameters<Cluster['sendCommand']>): ReturnType<Cluster['sendCommand']> {
    args[0].setTimeout(COMMAND_TIMEOUT_MS);
    return super.sendCommand(...args);
  }
}

/**
 * Closes a client made by connectRedis: QUIT (what was sent is answered first), then the
 * connections QUIT leaves open (ioredis 6 keeps the failover detector's Sentinel
 * connections, reconnecting for ever).
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => undefined);
  client.disconnect();
}

function parsed(raw: string): RedisAddress {
  const a = parseRedisAddress(raw);
  if (typeof a === 'string') throw new StoreError('EASGATE_ERR_STORE_BAD_CONFIG', `Redis address: ${a}`);
  return a;
}
