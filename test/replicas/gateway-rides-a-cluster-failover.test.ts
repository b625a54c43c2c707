import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store/redis-fixture.js';
import { startCluster, type ClusterGroup } from '../store/redis-topology.js';
import { LOAD_USERS } from './device-load.js';
import { startGatewayOnRedis, type GatewayOnRedis } from './gateway-on-redis.js';

/**
 * A gateway process on a Redis Cluster (EASGATE_REDIS_URL=redis+cluster://…, three primaries
 * with a replica each) with devices syncing and new devices arriving while the primary
 * serving the prefix's slot changes: by CLUSTER FAILOVER on its replica, and by SIGKILL.
 * What devices may see is what docs/redis-ha.md promises.
 */
describe('a gateway on a Redis Cluster while the primary of its slot changes', () => {
  const prefix = uniquePrefix('gw-cluster');
  const slotKey = `{${prefix}}`;
  let cluster: ClusterGroup;
  let g: GatewayOnRedis;

  beforeAll(async () => {
    cluster = await startCluster();
    g = await startGatewayOnRedis(cluster.url, prefix);
  }, 90_000);
  afterAll(async () => {
    await g?.close();
    await cluster?.stop();
  });

  it('CLUSTER FAILOVER: no device gets an error, nothing listed is lost, an admin block after it is obeyed', async () => {
    const old = await cluster.primaryFor(slotKey);
    const outcome = await g.underLoad('CFO', async () => void (await cluster.failoverFor(slotKey)));
    expect(await cluster.primaryFor(slotKey)).not.toBe(old);
    await g.checkAfter(outcome);
    // A planned switch moves the slot with a MOVED redirection the client follows: nobody notices it.
    expect(outcome.answers.filter((a) => a.status !== 200)).toEqual([]);
    await g.blockIsObeyed(LOAD_USERS[0].user, 'CFOKNOWN0');
  }, 120_000);

  it('SIGKILL of the primary: what was listed and replicated before is kept; until the replica takes over a device needing the store gets 503 with Retry-After', async () => {
    const outcome = await g.underLoad('CKILL', async () => {
      await cluster.waitReplicated(slotKey);
      await cluster.killPrimaryFor(slotKey);
    });
    await g.checkAfter(outcome);
    await g.blockIsObeyed(LOAD_USERS[0].user, 'CKILLKNOWN0');
  }, 120_000);
});
