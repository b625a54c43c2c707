import { describe, expect, it } from 'vitest';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { dropPrefix, redisStore, uniquePrefix } from './redis-fixture.js';

/** The audit log is bounded: the oldest entries go, from every index (Redis trims every 100 appends). */
async function check(store: Store): Promise<void> {
  for (let i = 0; i < 25; i++) {
    await store.appendAudit(Array.from({ length: 10 }, (_, j) => ({ at: i * 10 + j, actor: j % 2 ? 'a' : 'b', action: 'rule.put', object: `rule:r${j}` })));
  }
  const page = await store.queryAudit({ limit: 1000 });
  expect(page.items.length).toBeGreaterThanOrEqual(150);
  expect(page.items.length).toBeLessThanOrEqual(250); // Redis trims every 100 appends
  expect(page.items[0]?.at).toBe(249);
  const byActor = await store.queryAudit({ actor: 'a', limit: 1000 });
  expect(byActor.items.every((e) => e.at >= 250 - page.items.length)).toBe(true);
  expect((await store.queryAudit({ object: 'rule:r0', limit: 1000 })).items.length).toBe(page.items.length / 10);
}

describe('the audit log keeps the newest entries', () => {
  it('in memory', async () => {
    await check(new MemoryStore(Date.now, 150));
  });

  it('in Redis, trimming every index', async () => {
    const prefix = uniquePrefix('audit-trim');
    const store = redisStore(prefix, { auditLimit: 150 });
    try {
      await check(store);
    } finally {
      await store.close();
      await dropPrefix(prefix);
    }
  });
});
