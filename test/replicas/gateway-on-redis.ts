import { expect } from 'vitest';
import { Agent, request } from 'undici';
import { startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import { spawnGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { loadDevice, underDeviceLoad, type Answer, type LoadOutcome } from './device-load.js';

const TOKEN = 'redis-failover-admin-token-0123456789';

/**
 * A gateway process on a highly available Redis (EASGATE_REDIS_URL=redis+sentinel://… or
 * redis+cluster://…) in front of the sample upstream, with what the failover tests ask of
 * it: the admin API, device load across a change of the Redis primary, and the checks of
 * what docs/redis-ha.md promises devices.
 */
export interface GatewayOnRedis {
  gw: ChildGateway;
  admin(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Every association the admin API lists, as `user/deviceId`. */
  listed(): Promise<Set<string>>;
  /** The load of underDeviceLoad, with the associations listed just before `change`. */
  underLoad(label: string, change: () => Promise<void>): Promise<LoadOutcome & { before: Set<string> }>;
  /** No transport error, nothing unpromised, known devices back to 200, nothing listed lost, the process alive. */
  checkAfter(outcome: LoadOutcome & { before: Set<string> }): Promise<void>;
  /** Blocks a device known before through the admin API and waits until the gateway answers it 129. */
  blockIsObeyed(user: string, deviceId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startGatewayOnRedis(redisUrl: string, prefix: string): Promise<GatewayOnRedis> {
  const agent = new Agent({ connections: 32 });
  let upstream: SampleUpstream | undefined;
  let gw: ChildGateway | undefined;
  const close = async (): Promise<void> => {
    try {
      if (gw !== undefined && gw.child.exitCode === null) {
        gw.child.kill('SIGTERM');
        // A graceful stop takes at most the drain time plus the store's 5 s: not longer.
        const ended = await Promise.race([gw.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 30_000))]);
        if (!ended) {
          gw.child.kill('SIGKILL');
          throw new Error(`the gateway did not exit within 30 s of SIGTERM; its last lines: ${JSON.stringify(gw.logs.slice(-5))}`);
        }
      }
    } finally {
      await upstream?.close();
      await agent.close();
    }
  };
  try {
    upstream = await startSampleUpstream();
    gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: redisUrl, EASGATE_REDIS_PREFIX: prefix, EASGATE_ADMIN_TOKEN: TOKEN, EASGATE_LOG_LEVEL: 'info' });
    await gw.ready;
  } catch (err) {
    await close();
    throw err;
  }
  const g = gw;
  expect(g.logs.find((l) => l.msg === 'store: Redis')?.redis).toBe(redisUrl);
  const api = g.url.replace('/Microsoft-Server-ActiveSync', '/api/v1');

  const admin: GatewayOnRedis['admin'] = async (method, path) => {
    const res = await request(`${api}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

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

  const underLoad: GatewayOnRedis['underLoad'] = async (label, change) => {
    let before = new Set<string>();
    const outcome = await underDeviceLoad({ url: g.url, dispatcher: agent, label, before: async () => void (before = await listed()), change });
    return { ...outcome, before };
  };

  const checkAfter: GatewayOnRedis['checkAfter'] = async (outcome) => {
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
    expect(g.child.exitCode).toBeNull();
    // Connection errors go to the JSON log (once per 10 s), not to ioredis' stderr lines.
    expect(g.stderr.join('')).not.toContain('Unhandled error event');
  };

  const blockIsObeyed: GatewayOnRedis['blockIsObeyed'] = async (user, deviceId) => {
    const s = loadDevice(g.url, agent, 0, deviceId);
    try {
      const blocked = await admin('POST', `/associations/${encodeURIComponent(user)}/${encodeURIComponent(deviceId)}/block`);
      expect(blocked.status).toBe(200);
      let status: number | undefined;
      for (let i = 0; i < 40 && status !== 129; i++) {
        status = (await s.raw('FolderSync')).easStatus;
        if (status !== 129) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(129);
    } finally {
      await s.close();
    }
  };

  return { gw: g, admin, listed, underLoad, checkAfter, blockIsObeyed, close };
}

/** What the docs promise devices: an answer from upstream, or 503 with Retry-After because the store did not answer. */
export function unpromised(answers: Answer[]): Answer[] {
  return answers.filter((a) => !(a.status === 200 && a.easStatus === 1) && !(a.status === 503 && a.retryAfter !== undefined && a.error === 'EASGATE_ERR_STORE_UNAVAILABLE'));
}
