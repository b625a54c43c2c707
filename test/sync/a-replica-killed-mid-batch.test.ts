import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startSampleBackend, type SampleBackend } from '../../src/peers/sample-backend/index.js';
import type { NewAssociation } from '../../src/store/index.js';
import { parseState } from '../../src/sync/sync-state.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { dropPrefix, REDIS_URL, redisStore, uniquePrefix } from '../store/redis-fixture.js';

const ASSOCIATIONS = 3000;
const BATCH = 200;
const LEASE_MS = 3000;
/** The backend answers each call this late: a full sync takes 15 batches and some 4 s. */
const BACKEND_DELAY_MS = 250;

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One sample of a gateway's /metrics (device port: no admin listener here). */
async function metric(g: ChildGateway, series: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** `full-<run>-<n>` → run and n. */
function fullBatch(id: string): { run: string; n: number } {
  const m = /^full-(.+)-(\d+)$/.exec(id);
  if (m === null) throw new Error(`not a full batch id: ${id}`);
  return { run: m[1]!, n: Number(m[2]) };
}

/**
 * Two gateway processes on one Redis with a backend that is slow to accept batches: the
 * leader is SIGKILLed in the middle of a full sync; the other replica takes the lease over
 * when it expires and finishes the same run from the stored cursor.
 */
describe('a replica killed in the middle of a full sync', () => {
  const prefix = uniquePrefix('sync-kill');
  const closers: (() => Promise<void>)[] = [];
  const children: ChildGateway[] = [];
  afterAll(async () => {
    for (const g of children) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    await Promise.all(children.map((g) => g.exited));
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await dropPrefix(prefix);
  });

  it('the other replica takes over within the lease and finishes: every association once, no batch applied twice, not restarted', async () => {
    const store = redisStore(prefix);
    closers.push(() => store.close());
    const rows: NewAssociation[] = Array.from({ length: ASSOCIATIONS }, (_, i) => ({
      user: `user${i % 700}@kill.test`,
      deviceId: `KILL${String(i).padStart(5, '0')}`,
      deviceType: 'iPhone',
      accessState: 'Allowed',
      accessReason: 'Global',
      firstSyncAt: 1_700_000_000_000 + i,
    }));
    for (let i = 0; i < rows.length; i += 1000) await store.createAssociations(rows.slice(i, i + 1000));
    expect(await store.countAssociations()).toBe(ASSOCIATIONS);

    const backend: SampleBackend = await startSampleBackend({ pageSize: 100 });
    closers.push(() => backend.close());
    backend.switches.delayMs = BACKEND_DELAY_MS;
    const upstream = await startUpstream((_req, res) => res.end());
    closers.push(() => upstream.close());
    const redis = new Redis(REDIS_URL);
    closers.push(async () => void (await redis.quit()));
    const keys = { lease: `{${prefix}}:sync:lease`, state: `{${prefix}}:sync:state` };

    const env = {
      EASGATE_UPSTREAM_URL: upstream.url,
      EASGATE_REDIS_URL: REDIS_URL,
      EASGATE_REDIS_PREFIX: prefix,
      EASGATE_BACKEND_URL: backend.url.href,
      EASGATE_SYNC_BATCH_SIZE: String(BATCH),
      EASGATE_SYNC_LEASE_MS: String(LEASE_MS),
      EASGATE_LOG_LEVEL: 'info',
    };
    const replicas = new Map<string, ChildGateway>();
    for (const name of ['replica-a', 'replica-b']) {
      const g = spawnGateway({ ...env, EASGATE_INSTANCE: name });
      children.push(g);
      replicas.set(name, g);
    }
    await Promise.all(children.map((g) => g.ready));

    // No stored state: whichever replica takes the lease first runs a full sync at once.
    // Kill it once the backend answered at least one of its batches (it stored two).
    await until('two batches at the backend', () => (backend.batches.length >= 2 ? true : undefined), 30_000);
    const leaderName = (await redis.get(keys.lease))!;
    const leader = replicas.get(leaderName)!;
    const [survivorName, survivor] = [...replicas].find(([n]) => n !== leaderName)!;
    expect(leader).toBeDefined();
    // Exactly one replica syncs: the other neither leads nor pushed anything.
    expect(await metric(leader, 'easgate_backend_sync_leader')).toBe(1);
    expect(await metric(survivor, 'easgate_backend_sync_leader')).toBe(0);
    expect(await metric(survivor, 'easgate_backend_sync_batches_total{kind="full"}')).toBe(0);
    const before = parseState((await redis.get(keys.state)) ?? undefined);
    expect(before.full).toBeDefined();

    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await leader.exited).toBeNull();
    expect(leader.child.signalCode).toBe('SIGKILL');
    const sentBeforeKill = [...backend.received];

    // The lease expires at most LEASE_MS after the dead leader's last renewal; the survivor
    // checks every third of it.
    await until('the survivor to hold the lease', async () => ((await redis.get(keys.lease)) === survivorName ? true : undefined), LEASE_MS * 3);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + LEASE_MS / 3 + 1000);

    const done = await until(
      'the full sync to complete',
      async () => {
        const s = parseState((await redis.get(keys.state)) ?? undefined);
        return s.full === undefined && s.lastFullAt !== undefined ? s : undefined;
      },
      60_000,
    );

    // The stored cursor completed: no run in progress, the change cursor at the run's snapshot.
    expect(done.changeCursor).toBe(before.full!.snapshot);
    expect(done.failures).toBe(0);

    // Every association exactly once in the full run.
    const full = backend.batches.filter((b) => b.full);
    const pushed = full.flatMap((b) => b.associations.map((a) => `${a.user}/${a.deviceId.toLowerCase()}`));
    expect(pushed.length).toBe(ASSOCIATIONS);
    expect(new Set(pushed).size).toBe(ASSOCIATIONS);

    // One run, not restarted: the batches the backend applied are 1..n of the same run, each once.
    const applied = full.map((b) => fullBatch(b.batchId));
    expect(new Set(applied.map((b) => b.run))).toEqual(new Set([before.full!.runId]));
    expect(applied.map((b) => b.n)).toEqual(Array.from({ length: Math.ceil(ASSOCIATIONS / BATCH) }, (_, i) => i + 1));

    // Sent twice at most: the one batch in flight when the leader died (the backend had it;
    // the survivor repeats its id and the backend ignores it). Nothing sent before it again.
    const sent = new Map<string, number>();
    for (const id of backend.received) sent.set(id, (sent.get(id) ?? 0) + 1);
    const repeated = [...sent].filter(([, n]) => n > 1);
    console.info(
      `killed ${leaderName} after ${sentBeforeKill.length} batches sent (state saved after ${before.full!.batches}); ` +
        `${survivorName} took the lease ${takeoverMs} ms after the kill; batch ids sent more than once: ${repeated.length === 0 ? 'none' : repeated.map(([id, n]) => `${id} ×${n}`).join(', ')}`,
    );
    expect(repeated.length).toBeLessThanOrEqual(1);
    // In the order sent, each batch is the one before it again (the repeat) or the next one.
    const order = backend.received.filter((id) => id.startsWith('full-')).map((id) => fullBatch(id).n);
    expect(order[0]).toBe(1);
    for (let i = 1; i < order.length; i++) expect([order[i - 1], order[i - 1]! + 1]).toContain(order[i]);
    const resumedAt = fullBatch(backend.received[sentBeforeKill.length] ?? repeated[0]![0]).n;

    // The survivor says so too: it leads and pushed the rest of the run.
    expect(await metric(survivor, 'easgate_backend_sync_leader')).toBe(1);
    // (The run ends after the pull of device records and actions that follows the push.)
    await until('the survivor to count its run', async () => ((await metric(survivor, 'easgate_backend_sync_runs_total{kind="full",outcome="ok"}')) === 1 ? true : undefined), 10_000);
    const survivorPushed = await metric(survivor, 'easgate_backend_sync_batches_total{kind="full"}');
    expect(survivorPushed).toBeGreaterThanOrEqual(applied.length - resumedAt);
    expect(survivorPushed).toBeLessThanOrEqual(applied.length - resumedAt + 1);
  }, 90_000);
});
