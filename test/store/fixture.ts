import { afterEach, beforeEach } from 'vitest';
import type { Mailbox } from '../../src/policy/index.js';
import type { NewAssociation, Page, Store } from '../../src/store/index.js';

/**
 * The store contract: every adapter passes the same suite. `make` returns a fresh, empty
 * store; `peer` a second store on the same data (another replica: for Redis a second
 * connection and subscriber, for memory the same instance).
 */
export interface StoreFixture {
  store: Store;
  peer(): Promise<Store>;
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreFixture>;

export function mailbox(user: string, patch: Partial<Mailbox> = {}): Mailbox {
  return { user, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [], ...patch };
}

export async function waitFor(check: () => boolean, ms = 1000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

/** A fresh store per test of the enclosing describe, cleaned up after it. */
export function useStore(make: MakeStore): { fx: StoreFixture; store: Store } {
  const t = {} as { fx: StoreFixture; store: Store };
  beforeEach(async () => {
    t.fx = await make();
    t.store = t.fx.store;
  });
  afterEach(async () => t.fx.cleanup());
  return t;
}

export function device(user: string, deviceId: string, patch: Partial<NewAssociation> = {}): NewAssociation {
  return { user, deviceId, deviceType: 'iPhone', accessState: 'Allowed', accessReason: 'Global', ...patch };
}

/** Every item of a paged query, following nextCursor. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** `{ cursor }` when there is one (for spreading into a query). */
export const at = (cursor: string | undefined): { cursor?: string } => (cursor === undefined ? {} : { cursor });
