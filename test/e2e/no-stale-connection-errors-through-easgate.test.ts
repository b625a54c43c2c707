import { describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../../src/peers/index.js';
import type { UpstreamPool } from '../../src/proxy/upstream.js';
import { deviceId, gatewayInFrontOfSogo, requireSogo, SOGO_USERS } from './sogo.js';

/**
 * sogod answers without `Connection: close` and closes the connection a moment later; a
 * client that writes its next request into it gets a reset (see docs/sogo.md and
 * src/proxy/upstream.ts). A device must never see that: 2,000 requests from 20 devices
 * through easgate give no reset and no error of the gateway's own (502/503/504 with
 * X-EasGate-Error). sogod's own answers pass through unchanged; on a loaded machine its
 * five workers are sometimes all busy and its watchdog answers 503 itself ("No child
 * available to handle incoming request!" in sogo.log): those are counted apart, and must
 * stay rare.
 */
const alice = SOGO_USERS.alice;
const DEVICES = 20;
const REQUESTS_EACH = 100;

describe('no stale-connection errors through easgate in front of SOGo', () => {
  const ctx = gatewayInFrontOfSogo({ EASGATE_LOG_LEVEL: 'info' });

  it(`answers ${DEVICES * REQUESTS_EACH} requests from ${DEVICES} devices without a reset or an error of its own`, async () => {
    await requireSogo(); // fails, never skips, when SOGo is not there
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    /** Errors the gateway made itself (it names them in X-EasGate-Error). */
    const gatewayErrors: string[] = [];
    /** Non-200 answers sogod made and the gateway passed through. */
    const sogoAnswers: string[] = [];
    const count = (command: string, r: { status: number; headers: Record<string, string | string[] | undefined> }): void => {
      const error = r.headers['x-easgate-error'];
      if (error !== undefined) gatewayErrors.push(`${command} ${r.status} ${String(error)}`);
      else if (r.status !== 200) sogoAnswers.push(`${command} ${r.status}`);
      else statuses.set(command, (statuses.get(command) ?? 0) + 1);
    };
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const sim = new DeviceSimulator({ url: ctx.gw.url, ...alice, deviceId: deviceId(`E2ELOAD${d}X`), protocolVersion: '14.1' });
        try {
          for (let i = 0; i < REQUESTS_EACH; i++) {
            try {
              // OPTIONS, FolderSync, Sync of the Inbox, GetItemEstimate, over and over.
              const step = i % 4;
              if (step === 0) count('OPTIONS', await sim.options());
              else if (step === 1) count('FolderSync', (await sim.folderSync()).response);
              else if (step === 2) count('Sync', (await sim.sync(sim.inboxId!)).response);
              else count('GetItemEstimate', (await sim.getItemEstimate(sim.inboxId!)).response);
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
    expect(gatewayErrors).toEqual([]);
    expect(ctx.gw.logs.filter((l) => l.msg === 'upstream failed')).toEqual([]);
    // What sogod answered other than 200: only its watchdog's 503, and at most 1 % of the requests.
    expect(sogoAnswers.filter((a) => !a.endsWith(' 503'))).toEqual([]);
    expect(sogoAnswers.length).toBeLessThanOrEqual((DEVICES * REQUESTS_EACH) / 100);
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0) + sogoAnswers.length;
    expect(answered).toBe(DEVICES * REQUESTS_EACH);
    for (const command of ['OPTIONS', 'FolderSync', 'Sync', 'GetItemEstimate']) expect(statuses.get(command)).toBeGreaterThan(0);
    // The pool found out that sogod closes every connection, and gives each request its own.
    expect((ctx.gw.gateway.upstream.pool as UpstreamPool).connectionReuse).toBe('single');
  }, 180_000);
});
