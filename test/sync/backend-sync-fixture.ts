import { afterEach } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { BackendSync, HttpBackendConnector, MemoryCoordinator, type BackendSyncOptions, type SyncCoordinator } from '../../src/sync/index.js';

/** A sample backend and engines against it; everything is closed after each test. */
export function useBackendSync(): {
  backend(options?: Parameters<typeof startSampleBackend>[0]): Promise<SampleBackend>;
  engine(backend: SampleBackend, extra?: Partial<BackendSyncOptions> & { store?: Store; coordinator?: SyncCoordinator; timeoutMs?: number }): BackendSync & { store: Store };
} {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return {
    async backend(options) {
      const b = await startSampleBackend(options);
      closers.push(() => b.close());
      return b;
    },
    engine(backend, extra = {}) {
      const store = extra.store ?? new MemoryStore();
      const connector = new HttpBackendConnector({ url: backend.url, timeoutMs: extra.timeoutMs ?? 2_000 });
      const coordinator = extra.coordinator ?? new MemoryCoordinator();
      const engine = new BackendSync({
        store,
        connector,
        coordinator,
        instance: 'gw1',
        log: createLogger('silent'),
        normalizeUser: (u) => u.toLowerCase(),
        retry: { attempts: 3, baseMs: 1, maxMs: 2 },
        sleep: () => Promise.resolve(),
        ...extra,
      });
      closers.push(async () => {
        await engine.stop();
        await connector.close();
        if (extra.coordinator === undefined) await coordinator.close();
        if (extra.store === undefined) await store.close();
      });
      return Object.assign(engine, { store });
    },
  };
}

export const assoc = (user: string, deviceId: string, extra: Record<string, unknown> = {}) =>
  ({ user, deviceId, deviceType: 'iPhone', accessState: 'Allowed', accessReason: 'Global', firstSyncAt: 1_000, ...extra }) as const;
