import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { createUserNormalizer, loadPolicyFile, type UserNormalizer } from './policy/index.js';
import { applyPolicy, countStoreCalls, describeRedisAddress, KEY_SCHEMA_VERSION, MemoryStore, PolicyRuntime, RedisStore, type Store, type StoreCalls } from './store/index.js';
import { SyncRecorder } from './sync/index.js';
import { describeSmtpUrl, MemoryMailQueue, Notifier, RedisMailQueue, SmtpMailer } from './notify/index.js';

/** The gateway's state: the store, its hot-path cache and the write-behind recorder. */
export interface GatewayState {
  readonly store: Store;
  /** The store's operations since start (metrics). */
  readonly storeCalls: StoreCalls;
  readonly runtime: PolicyRuntime;
  readonly recorder: SyncRecorder;
  readonly normalizeUser: UserNormalizer;
  /** Notification mail, when EASGATE_SMTP_URL is set. */
  readonly notifier: Notifier | undefined;
  /** The deployment's secret for gateway policy keys (the same on every replica). */
  readonly policyKeySecret: string;
  /** Flushes the recorder, then stops the cache and closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store (Redis when EASGATE_REDIS_URL is set, else in memory), applies the
 * policy file (a bad one throws PolicyError naming the field, and the start stops), loads
 * the snapshot and starts the recorder.
 */
/** How long a stop waits for the store to take the last writes. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * ioredis reconnects by itself and emits 'error' on every failed attempt; without a
 * listener it prints each one to stderr. They go to the JSON log instead, at most one line
 * every 10 s while Redis stays away.
 */
function reportRedisErrors(store: RedisStore, log: Logger): () => (Error & { code?: string }) | undefined {
  let lastAt = 0;
  let missed = 0;
  let last: (Error & { code?: string }) | undefined;
  store.client.on('error', (err: Error & { code?: string }) => {
    last = err;
    const now = Date.now();
    if (now - lastAt < 10_000) {
      missed++;
      return;
    }
    log.warn({ code: err.code, message: err.message, since: missed }, 'Redis is not reachable; known devices are served from the cache');
    lastAt = now;
    missed = 0;
  });
  return () => last;
}

/**
 * At start, nothing works without the store: the ports open only once Redis answers. Redis
 * that is still starting (a compose file, a node reboot) is waited for, up to
 * EASGATE_STORE_START_WAIT_MS; then the start fails with the connection's own reason (the
 * address without credentials, and e.g. ECONNREFUSED or a certificate that does not verify).
 */
async function waitForRedis(store: RedisStore, config: Config, log: Logger, lastError: () => (Error & { code?: string }) | undefined): Promise<void> {
  const deadline = Date.now() + config.storeStartWaitMs;
  for (let waited = false; ; waited = true) {
    try {
      // A PING may itself wait up to 5 s (COMMAND_TIMEOUT_MS); the start waits no longer than promised.
      const left = Math.max(1, deadline - Date.now());
      await Promise.race([store.client.ping(), sleep(left, undefined, { ref: false }).then(() => Promise.reject(new Error('no answer')))]);
      if (waited) log.info({ waitedMs: Date.now() - (deadline - config.storeStartWaitMs) }, 'Redis answers');
      return;
    } catch (err) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const cause = lastError() ?? (err as Error & { code?: string });
        throw new Error(`${redisNamed(config)} did not answer within ${Math.round(config.storeStartWaitMs / 1000)} s of the start: ${cause.message}${cause.code !== undefined ? ` (${cause.code})` : ''}`);
      }
      if (!waited) log.warn({ waitMs: config.storeStartWaitMs }, 'waiting for Redis before opening the ports');
      await sleep(Math.min(1_000, left));
    }
  }
}

/** "Redis (address without credentials)", for messages that end the start. */
function redisNamed(config: Config): string {
  return config.redisUrl === undefined ? 'Redis' : `Redis (${describeRedisAddress(config.redisUrl)})`;
}

/**
 * Data written by a newer version whose key schema this one would misread is not touched:
 * the start stops (docs/operations.md, upgrades). Nothing is written but the marker, and
 * only where none was.
 */
async function checkKeySchema(store: RedisStore, config: Config): Promise<void> {
  const found = await store.claimKeySchema();
  if (found === KEY_SCHEMA_VERSION) return;
  const where = `${redisNamed(config)}, prefix "${config.redisPrefix}"`;
  if (!Number.isInteger(found) || found < 1) throw new Error(`${where}: the key ${store.keys.schema} does not hold a key schema version; this version writes ${KEY_SCHEMA_VERSION}`);
  throw new Error(
    found > KEY_SCHEMA_VERSION
      ? `${where} holds key schema ${found}, written by a newer easgate; this version reads schema ${KEY_SCHEMA_VERSION} and would misread it: run the newer version (docs/operations.md, upgrades)`
      : `${where} holds key schema ${found}, older than this version's ${KEY_SCHEMA_VERSION}, and no migration from it exists: run the version that wrote it (docs/operations.md, upgrades)`,
  );
}

/** The mail queue lives beside the rest of the state: in Redis shared by the replicas, or in memory. */
function createNotifier(config: Config, store: Store, log: Logger): Notifier | undefined {
  if (config.smtpUrl === undefined) return undefined;
  const policy = { backoffBaseMs: config.mailRetryMs };
  const queue = store instanceof RedisStore ? new RedisMailQueue({ client: store.client, keyPrefix: config.redisPrefix, ...policy }) : new MemoryMailQueue(policy);
  return new Notifier({ queue, mailer: new SmtpMailer({ url: config.smtpUrl.href, from: config.mailFrom }), logger: log });
}

export async function openState(config: Config, log: Logger, store?: Store): Promise<GatewayState> {
  const opened: Store =
    store ?? (config.redisUrl === undefined ? new MemoryStore() : new RedisStore({ url: config.redisUrl, keyPrefix: config.redisPrefix }));
  const { store: s, calls: storeCalls } = countStoreCalls(opened);
  const lastRedisError = s instanceof RedisStore ? reportRedisErrors(s, log) : undefined;
  // Which Redis (one server, Sentinel or Cluster, and where), never its credentials.
  if (store === undefined && config.redisUrl !== undefined) log.info({ redis: describeRedisAddress(config.redisUrl) }, 'store: Redis');
  const normalizeUser = createUserNormalizer({
    netbiosDomains: config.netbiosDomains,
    ...(config.defaultDomain !== undefined ? { defaultDomain: config.defaultDomain } : {}),
  });
  try {
    if (store === undefined && s instanceof RedisStore) {
      await waitForRedis(s, config, log, lastRedisError!);
      await checkKeySchema(s, config);
    }
    if (config.policyFile !== undefined) {
      const report = await applyPolicy(s, await loadPolicyFile(config.policyFile, normalizeUser));
      log.info({ file: config.policyFile, written: report.written, unchanged: report.unchanged }, 'policy file applied');
      if (report.licenseRefused.length > 0) log.warn({ users: report.licenseRefused }, 'the license does not let these users in');
    }
    const policyKeySecret = await s.sharedSecret('policy-keys');
    const runtime = new PolicyRuntime(s, { onError: (err) => log.error({ err }, 'policy cache') });
    await runtime.start();
    const recorder = new SyncRecorder({
      store: s,
      instance: config.instanceName,
      cache: runtime,
      minWriteIntervalMs: config.lastSyncWriteIntervalMs,
      onError: (err) => log.error({ err }, 'writing sync records failed; they are kept for the next flush'),
    });
    recorder.start();
    const notifier = createNotifier(config, s, log);
    notifier?.start();
    if (notifier !== undefined) log.info({ smtp: describeSmtpUrl(config.smtpUrl!.href) }, 'notification mail on');
    return {
      store: s,
      storeCalls,
      runtime,
      recorder,
      normalizeUser,
      notifier,
      policyKeySecret,
      async close() {
        const graceful = (async () => {
          await recorder.stop().catch((err: unknown) => log.error({ err }, 'final flush of sync records failed'));
          await notifier?.stop().catch((err: unknown) => log.error({ err }, 'stopping the mail worker failed'));
          await runtime.stop();
          if (store === undefined) await s.close();
        })();
        // A store that does not answer must not hold the stop forever.
        const done = await Promise.race([graceful.then(() => true), sleep(CLOSE_TIMEOUT_MS, undefined, { ref: false }).then(() => false)]);
        if (!done) {
          log.error({ pendingSyncRecords: recorder.pendingCount }, 'the store did not answer while stopping; what was not written is lost');
          if (store === undefined && s instanceof RedisStore) s.disconnect();
        }
      },
    };
  } catch (err) {
    // Nothing was written yet: a Redis that does not answer is dropped, not asked to QUIT.
    if (store === undefined) {
      if (s instanceof RedisStore) s.disconnect();
      else await s.close().catch(() => undefined);
    }
    throw err;
  }
}
