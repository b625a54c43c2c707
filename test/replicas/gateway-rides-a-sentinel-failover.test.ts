import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { uniquePrefix } from '../store/redis-fixture.js';
import { startSentinelGroup, type SentinelGroup } from '../store/redis-topology.js';
import { LOAD_USERS, loadDevice, underDeviceLoad, type Answer } from './device-load.js';

const TOKEN = 'sentinel-failover-admin-token-0123456789';
/**
 * A gateway process on Sentinel (EASGATE_REDIS_URL=redis+sentinel://…) with devices syncing
 * and new devices arriving while the Redis primary changes, by SENTINEL FAILOVER and by
 * SIGKILL. What devices may see is what docs/redis-ha.md promises.
 */
describe('a gateway on Sentinel while the Redis primary changes', () => {
  const prefix = uniquePrefix('gw-sentinel');
  let group: SentinelGroup;
  let upstream: SampleUpstream;
  let gw: ChildGateway;
  let api: string;
  const agent = new Agent({ connections: 32 });

  beforeAll(async () => {
    group = await startSentinelGroup();
    upstream = await startSampleUpstream();
    gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: group.url, EASGATE_REDIS_PREFIX: prefix, EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_LOG_LEVEL: 'info' });
    await gw.ready;
    expect(gw.logs.find((l) => l.msg === 'store: Redis')?.redis).toBe(group.url);
    api = gw.url.replace('/Microsoft-Server-ActiveSync', '/api/v1');
  }, 90_000);
  afterAll(async () => {
    if (gw !== undefined && gw.child.exitCode === null) gw.child.kill('SIGTERM');
    await gw?.exited;
    await upstream?.close();
    await agent.close();
    await group?.stop();
  });

  const admin = async (method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await request(`${api}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  /** Every association the admin API lists, as `user/deviceId`. */
  const listed = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    let cursor: string | null = null;
    do {
      const r = await admin('GET', `/associations?limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(r.status).toBe(200);
      for (const a of r.body.items as { user: string; deviceId: string }[]) out.add(`${a.user}/${a.deviceId}`);
      cursor = r.body.nextCursor as string | null;
    } while (cursor !== null);
    return out;
  };

  const sim = (n: number, deviceId: string) => loadDevice(gw.url, agent, n, deviceId);

  /** The load of underDeviceLoad, with the associations listed just before `change`. */
  async function underLoad(label: string, change: () => Promise<void>) {
    let before = new Set<string>();
    const outcome = await underDeviceLoad({ url: gw.url, dispatcher: agent, label, before: async () => void (before = await listed()), change });
    return { ...outcome, before };
  }

  /** What the docs promise devices: an answer from upstream, or 503 with Retry-After because the store did not answer. */
  function unpromised(answers: Answer[]): Answer[] {
    return answers.filter((a) => !(a.status === 200 && a.easStatus === 1) && !(a.status === 503 && a.retryAfter !== undefined && a.error === 'EASGATE_ERR_STORE_UNAVAILABLE'));
  }

  async function checkAfter(outcome: Awaited<ReturnType<typeof underLoad>>): Promise<void> {
    const { answers, transport, before, done, knownDevices } = outcome;
    expect(transport).toEqual([]);
    expect(unpromised(answers)).toEqual([]);
    // Known devices keep syncing: each one's answers after the switch are all 200.
    for (const d of knownDevices) {
      const late = answers.filter((a) => a.device === d && a.at > done + 500);
      expect(late.length).toBeGreaterThan(0);
      expect(late.filter((a) => a.status !== 200)).toEqual([]);
    }
    // Every association listed before the change is still there.
    await new Promise((r) => setTimeout(r, 500)); // write-behind of the last answers
    const after = await listed();
    expect([...before].filter((id) => !after.has(id))).toEqual([]);
    // And every device answered 200 after the switch has its association.
    const served = new Set(answers.filter((a) => a.status === 200 && a.at > done + 500).map((a) => a.device));
    const missing = [...served].filter((d) => ![...after].some((id) => id.endsWith(`/${d}`)));
    expect(missing).toEqual([]);
    expect(gw.child.exitCode).toBeNull();
    // Connection errors go to the JSON log (once per 10 s), not to ioredis' stderr lines.
    expect(gw.stderr.join('')).not.toContain('Unhandled error event');
  }

  it('SENTINEL FAILOVER: no device gets an error, nothing listed is lost, an admin block after it is obeyed', async () => {
    const outcome = await underLoad('FO', async () => void (await group.failover()));
    await checkAfter(outcome);
    // A planned switch is shorter than the commands' offline queue: nobody notices it.
    expect(outcome.answers.filter((a) => a.status !== 200)).toEqual([]);
    const s = sim(0, 'FOKNOWN0');
    const blocked = await admin('POST', `/associations/${encodeURIComponent(LOAD_USERS[0].user)}/FOKNOWN0/block`);
    expect(blocked.status).toBe(200);
    let status: number | undefined;
    for (let i = 0; i < 40 && status !== 129; i++) {
      status = (await s.raw('FolderSync')).easStatus;
      if (status !== 129) await new Promise((r) => setTimeout(r, 50));
    }
    await s.close();
    expect(status).toBe(129);
  }, 120_000);

  it('SIGKILL of the primary: what was listed and replicated before is kept; until the switch a device needing the store gets 503 with Retry-After', async () => {
    const outcome = await underLoad('KILL', async () => {
      await group.waitReplicated();
      await group.killPrimary();
    });
    await checkAfter(outcome);
  }, 120_000);
});
