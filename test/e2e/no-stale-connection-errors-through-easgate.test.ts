import { describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../../src/peers/index.js';
import type { UpstreamPool } from '../../src/proxy/upstream.js';
import { deviceId, gatewayInFrontOfSogo, requireSogo, SOGO_USERS } from './sogo.js';

/**
 * sogod answers without `Connection: close` and closes the connection a moment later; a
 * client that writes its next request into it gets a reset (see docs/sogo.md and
 * src/proxy/upstream.ts). A device must never see that: 2,000 requests from 20 devices
 * through easgate give no 5xx and no reset.
 */
const alice = SOGO_USERS.alice;
const DEVICES = 20;
const REQUESTS_EACH = 100;

describe('no stale-connection errors through easgate in front of SOGo', () => {
  const ctx = gatewayInFrontOfSogo({ EASGATE_LOG_LEVEL: 'info' });

  it(`answers ${DEVICES * REQUESTS_EACH} requests from ${DEVICES} devices without a 5xx or a reset`, async () => {
    await requireSogo(); // fails, never skips, when SOGo is not there
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    const count = (key: string): void => void statuses.set(key, (statuses.get(key) ?? 0) + 1);
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const sim = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: deviceId(`E2ELOAD${d}X`), protocolVersion: '14.1' });
        try {
          for (let i = 0; i < REQUESTS_EACH; i++) {
            try {
              // OPTIONS, FolderSync, Sync of the Inbox, GetItemEstimate, over and over.
              const step = i % 4;
              if (step === 0) count(`OPTIONS ${(await sim.options()).status}`);
              else if (step === 1) count(`FolderSync ${(await sim.folderSync()).response.status}`);
              else if (step === 2) count(`Sync ${(await sim.sync(sim.inboxId!)).response.status}`);
              else count(`GetItemEstimate ${(await sim.getItemEstimate(sim.inboxId!)).response.status}`);
            } catch (err) {
              failures.push(`device ${d} request ${i}: ${(err as { code?: string }).code ?? String(err)}`);
            }
          }
        } finally {
          await sim.close();
        }
      }),
    );
    expect(failures).toEqual([]);
    const per = (DEVICES * REQUESTS_EACH) / 4;
    expect(Object.fromEntries(statuses)).toEqual({ 'OPTIONS 200': per, 'FolderSync 200': per, 'Sync 200': per, 'GetItemEstimate 200': per });
    expect(ctx.gw.logs.filter((l) => l.msg === 'upstream failed')).toEqual([]);
    // The pool found out that sogod closes every connection, and gives each request its own.
    expect((ctx.gw.gateway.upstream.pool as UpstreamPool).connectionReuse).toBe('single');
  }, 180_000);
});
