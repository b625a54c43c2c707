import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import { HttpBackendConnector } from './backend/index.js';
import { BackendSync } from './backend-sync.js';
import { MemoryCoordinator, type SyncCoordinator } from './coordinator.js';
import { RedisCoordinator } from './redis-coordinator.js';

/** The gateway's backend sync: started with the listener, stopped before the store closes. */
export interface GatewaySync {
  readonly engine: BackendSync;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The backend sync the configuration asks for: none without EASGATE_BACKEND_URL; with
 * EASGATE_REDIS_URL the replicas share a lease and the state in Redis, else one process.
 */
export function syncFromConfig(config: Config, store: Store, log: Logger, normalizeUser: (raw: string) => string): GatewaySync | undefined {
  if (config.backendUrl === undefined) return undefined;
  const connector = new HttpBackendConnector({
    url: config.backendUrl,
    timeoutMs: config.backendTimeoutMs,
    ...(config.backendToken !== undefined ? { token: config.backendToken } : {}),
    ...(config.backendCa !== undefined ? { ca: config.backendCa } : {}),
  });
  const coordinator: SyncCoordinator =
    config.redisUrl === undefined ? new MemoryCoordinator() : new RedisCoordinator({ url: config.redisUrl, keyPrefix: config.redisPrefix });
  const engine = new BackendSync({
    store,
    connector,
    coordinator,
    instance: config.instanceName,
    log: log.child({ part: 'backend-sync' }),
    normalizeUser,
    diffIntervalMs: config.syncDiffIntervalMs,
    fullIntervalMs: config.syncFullIntervalMs,
    pullIntervalMs: config.syncPullIntervalMs,
    batchSize: config.syncBatchSize,
    leaseMs: config.syncLeaseMs,
    pacing: config.syncPacing,
  });
  return {
    engine,
    start: () => engine.start(),
    async stop() {
      await engine.stop();
      await connector.close().catch(() => undefined);
      await coordinator.close().catch(() => undefined);
    },
  };
}
