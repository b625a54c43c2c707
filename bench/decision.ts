/**
 * node --import tsx bench/decision.ts: the access decision on the hot path, with 10,000
 * access rules and 100,000 cached mailboxes (and their associations).
 * - evaluate: the pure function over the snapshot, inputs already in hand;
 * - per request: PolicyRuntime.peekMailbox + peekAssociation (cache hits) + evaluate, what
 *   the proxy does for a known device;
 * - the alternative: the same rules searched linearly (an array scan per characteristic),
 *   which is what a snapshot without the Map index would cost.
 * Each case: warm-up, then BENCH_ROUNDS rounds (default 7) of ~300 ms; the median round is
 * reported in ns per decision. Target (issue 4): ≤ 1 µs per decision.
 */
import {
  CHARACTERISTICS,
  deviceKey,
  evaluate,
  type Association,
  type DeviceAccessRule,
  type EvalRequest,
  type MailboxPolicy,
} from '../src/policy/index.js';
import { MemoryStore, PolicyRuntime } from '../src/store/index.js';
import { machine, median, table } from './lib/report.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = 300;
const RULES = 10_000;
const MAILBOXES = 100_000;

let sink: unknown;

function measure(fn: (i: number) => unknown): number {
  let iterations = 10_000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn(i);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > 100) {
      iterations = Math.max(1, Math.round((iterations * ROUND_MS) / ms));
      break;
    }
    iterations *= 4;
  }
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn(i);
    rounds.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(rounds);
}

const models = (i: number): string => `Model ${i % 2000}`;
const oses = (i: number): string => `OS ${i % 500}.${i % 7}`;

async function setUp(): Promise<{ runtime: PolicyRuntime; requests: EvalRequest[]; rules: DeviceAccessRule[] }> {
  const store = new MemoryStore();
  const rules: DeviceAccessRule[] = [];
  for (let i = 0; i < RULES; i++) {
    const characteristic = CHARACTERISTICS[i % 4]!;
    const queryString =
      characteristic === 'DeviceModel' ? models(i) : characteristic === 'DeviceOS' ? oses(i) : `${characteristic}-${i}`;
    rules.push({ id: `r${i}`, characteristic, queryString, accessLevel: i % 3 === 0 ? 'Block' : i % 3 === 1 ? 'Allow' : 'Quarantine' });
  }
  for (const r of rules) await store.putRule(r);
  await store.putDomain({ name: 'example.test', activeSyncEnabled: true });
  await store.putSystem({ activeSyncEnabled: true, license: { total: 1_000_000, expiresAt: '2099-12-31' } });
  const runtime = new PolicyRuntime(store, { mailboxCacheSize: MAILBOXES, reloadIntervalMs: 3_600_000 });
  await runtime.start();
  const requests: EvalRequest[] = [];
  for (let i = 0; i < MAILBOXES; i++) {
    const user = `user${i}@example.test`;
    await store.putMailbox({ user, activeSyncEnabled: true, allowedDeviceIds: i % 10 === 0 ? [`DEV${i}`] : [], blockedDeviceIds: [] });
    await runtime.getMailbox(user);
    const a: Association = {
      user,
      deviceId: `DEV${i}`,
      deviceType: i % 2 ? 'iPhone' : 'SamsungDevice',
      model: models(i * 7),
      os: oses(i * 3),
      userAgent: `UA/${i % 100}`,
      deviceInfoAt: 1,
      firstSyncAt: 1,
      accessState: 'Allowed',
      accessReason: 'Global',
      displayName: `user${i}_iPhone`,
    };
    runtime.rememberAssociation(a);
    // Fresh strings, as a parsed request brings: look-ups compare contents, not pointers.
    const fresh = (s: string): string => Buffer.from(s).toString();
    requests.push({
      command: 'Sync',
      user: fresh(user),
      deviceKey: fresh(deviceKey(a.deviceId)),
      deviceType: fresh(a.deviceType!),
      userAgent: fresh(a.userAgent!),
      now: Date.now(),
    });
  }
  // Shuffle so that cache and map look-ups do not walk memory in insertion order.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [requests[i], requests[j]] = [requests[j]!, requests[i]!];
  }
  return { runtime, requests, rules };
}

/** The naive alternative: scan the rules for each characteristic, most specific first. */
function linearRules(rules: DeviceAccessRule[], a: Association, r: EvalRequest): DeviceAccessRule | undefined {
  const values: Record<string, string | undefined> = { UserAgent: r.userAgent, DeviceOS: a.os, DeviceModel: a.model, DeviceType: r.deviceType };
  for (const c of CHARACTERISTICS) {
    const hit = rules.find((x) => x.characteristic === c && x.queryString === values[c]);
    if (hit) return hit;
  }
  return undefined;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const { runtime, requests, rules } = await setUp();
  const setupMs = Date.now() - t0;
  const n = requests.length;
  const mailboxes: MailboxPolicy[] = requests.map((r) => runtime.peekMailbox(r.user)!);
  const associations: Association[] = requests.map((r) => runtime.peekAssociation(r.user, r.deviceKey)!);
  const verdicts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const d = evaluate(runtime.snapshot, mailboxes[i], associations[i], requests[i]!);
    verdicts.set(`${d.reason}/${d.access}`, (verdicts.get(`${d.reason}/${d.access}`) ?? 0) + 1);
  }
  const evalNs = measure((i) => {
    const k = i % n;
    return evaluate(runtime.snapshot, mailboxes[k], associations[k], requests[k]!);
  });
  const pathNs = measure((i) => {
    const r = requests[i % n]!;
    return evaluate(runtime.snapshot, runtime.peekMailbox(r.user), runtime.peekAssociation(r.user, r.deviceKey), r);
  });
  const hot = requests[0]!;
  const hotNs = measure(() => evaluate(runtime.snapshot, mailboxes[0], associations[0], hot));
  const linearNs = measure((i) => {
    const k = i % n;
    return linearRules(rules, associations[k]!, requests[k]!);
  });
  const misses = runtime.stats.mailboxMisses;
  await runtime.stop();
  const rows = [
    ['evaluate (snapshot + cached inputs)', evalNs.toFixed(0), evalNs <= 1000 ? 'yes' : 'no'],
    ['peekMailbox + peekAssociation + evaluate', pathNs.toFixed(0), pathNs <= 1000 ? 'yes' : 'no'],
    ['evaluate, one device over and over (CPU caches warm)', hotNs.toFixed(0), hotNs <= 1000 ? 'yes' : 'no'],
    ['alternative: linear rule scan only', linearNs.toFixed(0), linearNs <= 1000 ? 'yes' : 'no'],
  ];
  console.log(`${new Date().toISOString().slice(0, 10)} · ${machine()}`);
  console.log(`${RULES} rules, ${MAILBOXES} cached mailboxes and associations (set-up ${setupMs} ms, ${misses} mailbox misses during set-up only)`);
  console.log(table(['case', 'ns/decision (median of rounds)', '≤ 1 µs'], rows));
  console.log(`verdict mix: ${[...verdicts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  void sink;
}

await main();
