/**
 * node --import tsx bench/redis-failover.ts: what devices see while the Redis primary
 * changes under a gateway on Sentinel (docs/redis-ha.md). Debian's redis-server and
 * redis-sentinel on free ports (primary, two replicas, three Sentinels, quorum 2,
 * down-after-milliseconds 1000), the sample upstream, one gateway process configured with
 * redis+sentinel://…; six devices syncing in a loop and a new device after each answer to the
 * previous one, through (1) SENTINEL FAILOVER and (2) SIGKILL of the primary. Then, store
 * level, writes the old primary took during a SENTINEL FAILOVER and lost: one connection
 * creating associations as fast as it can.
 */
import { Agent } from 'undici';
import { startSampleUpstream } from '../src/peers/index.js';
import { RedisStore } from '../src/store/index.js';
import { spawnGateway } from '../test/helpers/child-gateway.js';
import { longestGap, underDeviceLoad, type LoadOutcome } from '../test/replicas/device-load.js';
import { startSentinelGroup, storeAt } from '../test/store/redis-topology.js';
import { machine, table } from './lib/report.js';

function row(name: string, o: LoadOutcome): (string | number)[] {
  const known = o.answers.filter((a) => a.known);
  const fresh = o.answers.filter((a) => !a.known);
  const refused = o.answers.filter((a) => a.status === 503);
  const gaps = o.knownDevices.map((d) => longestGap(known.filter((a) => a.device === d)));
  const other = o.answers.filter((a) => a.status !== 200 && a.status !== 503).length + o.transport.length;
  const window = refused.length === 0 ? 0 : refused[refused.length - 1]!.at - refused[0]!.at;
  return [
    name,
    o.answers.length,
    fresh.length,
    `${refused.filter((a) => a.known).length} / ${refused.filter((a) => !a.known).length}`,
    window,
    other,
    Math.max(...gaps),
    longestGap(fresh),
  ];
}

async function lostInPlannedSwitch(): Promise<{ acknowledged: number; lost: number }> {
  const group = await startSentinelGroup();
  const store: RedisStore = storeAt(group.url, 'bench-failover');
  try {
    let writing = true;
    const acknowledged: string[] = [];
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await store.createAssociation({ user: `w${i}@x.test`, deviceId: `W${i}`, deviceType: 'iPhone', accessState: 'Allowed', accessReason: 'Global' }).then(
          () => acknowledged.push(`w${i}@x.test/W${i}`),
          () => undefined,
        );
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await group.failover();
    await new Promise((r) => setTimeout(r, 500));
    writing = false;
    await writer;
    return { acknowledged: acknowledged.length, lost: acknowledged.length - (await store.countAssociations()) };
  } finally {
    store.disconnect();
    await group.stop();
  }
}

const group = await startSentinelGroup();
const upstream = await startSampleUpstream();
const gw = spawnGateway({ EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: group.url, EASGATE_REDIS_PREFIX: 'bench-failover', EASGATE_LOG_LEVEL: 'info' });
const agent = new Agent({ connections: 32 });
const rows: (string | number)[][] = [];
try {
  await gw.ready;
  rows.push(row('SENTINEL FAILOVER', await underDeviceLoad({ url: gw.url, dispatcher: agent, label: 'FO', change: async () => void (await group.failover()) })));
  rows.push(
    row(
      'SIGKILL of the primary',
      await underDeviceLoad({
        url: gw.url,
        dispatcher: agent,
        label: 'KILL',
        change: async () => {
          await group.waitReplicated();
          await group.killPrimary();
        },
      }),
    ),
  );
} finally {
  gw.child.kill('SIGTERM');
  await gw.exited;
  await agent.close();
  await upstream.close();
  await group.stop();
}
const lost = await lostInPlannedSwitch();

console.log(`Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${machine()}\n`);
console.log(
  table(
    ['change', 'answers', 'new devices', '503 known / new', '503 window ms', 'other errors', 'longest gap, a known device, ms', 'longest gap, new devices, ms'],
    rows,
  ),
);
console.log(`\nStore level, SENTINEL FAILOVER: ${lost.acknowledged} creations acknowledged, ${lost.lost} of them lost.`);
