import type { Store } from './types.js';

/** Calls of one store operation since start. */
export interface StoreCallCount {
  ok: number;
  failed: number;
  /** Time spent waiting for them, in seconds. */
  seconds: number;
}

/** Store operations by name (getAssociation, recordSyncs, …): each is one Redis round trip or one pipeline. */
export type StoreCalls = ReadonlyMap<string, StoreCallCount>;

/** Not calls to the store's server: local listeners and the lifecycle. */
const NOT_COUNTED: ReadonlySet<PropertyKey> = new Set(['onChange', 'close', 'constructor']);

/**
 * The store with its operations counted and timed (the metrics read the counts when
 * Prometheus scrapes: nothing else happens per call). A Proxy, so that the store keeps its
 * class (`instanceof RedisStore`) and its properties; each method is wrapped once.
 */
export function countStoreCalls<S extends Store>(store: S): { store: S; calls: StoreCalls } {
  const calls = new Map<string, StoreCallCount>();
  const wrapped = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || NOT_COUNTED.has(prop)) return value;
      let w = wrapped.get(prop);
      if (w === undefined) {
        const count: StoreCallCount = { ok: 0, failed: 0, seconds: 0 };
        calls.set(prop, count);
        const fn = value as (...args: unknown[]) => unknown;
        w = (...args: unknown[]): unknown => {
          const started = performance.now();
          const done = (ok: boolean): void => {
            count.seconds += (performance.now() - started) / 1000;
            if (ok) count.ok++;
            else count.failed++;
          };
          let result: unknown;
          try {
            result = fn.apply(target, args);
          } catch (err) {
            done(false);
            throw err;
          }
          if (!(result instanceof Promise)) {
            done(true);
            return result;
          }
          return result.then(
            (v: unknown) => {
              done(true);
              return v;
            },
            (err: unknown) => {
              done(false);
              throw err;
            },
          );
        };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
  return { store: proxy, calls };
}
