import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store/redis-fixture.js';
import { startSentinelGroup, type SentinelGroup } from '../store/redis-topology.js';
import { LOAD_USERS } from './device-load.js';
import { startGatewayOnRedis, type GatewayOnRedis } from './gateway-on-redis.js';

/**
 * A gateway process on Sentinel (EASGATE_REDIS_URL=redis+sentinel://…) with devices syncing
 * and new devices arriving while the Redis primary changes, by SENTINEL FAILOVER and by
 * SIGKILL. What devices may see is what docs/redis-ha.md promises.
 */
describe('a gateway on Sentinel while the Redis primary changes', () => {
  let group: SentinelGroup;
  let g: GatewayOnRedis;

  beforeAll(async () => {
    group = await startSentinelGroup();
    g = await startGatewayOnRedis(group.url, uniquePrefix('gw-sentinel'));
  }, 90_000);
  afterAll(async () => {
    await g?.close();
    await group?.stop();
  });

  it('SENTINEL FAILOVER: no device gets an error, nothing listed is lost, an admin block after it is obeyed', async () => {
    const outcome = await g.underLoad('FO', async () => void (await group.failover()));
    await g.checkAfter(outcome);
    // A planned switch is shorter than the commands' offline queue: nobody notices it.
    expect(outcome.answers.filter((a) => a.status !== 200)).toEqual([]);
    await g.blockIsObeyed(LOAD_USERS[0].user, 'FOKNOWN0');
  }, 120_000);

  it('SIGKILL of the primary: what was listed and replicated before is kept; until the switch a device needing the store gets 503 with Retry-After', async () => {
    const outcome = await g.underLoad('KILL', async () => {
      await group.waitReplicated();
      await group.killPrimary();
    });
    await g.checkAfter(outcome);
  }, 120_000);
});
