/**
 * npm run bench:codec: the WBXML codec on the gateway's hot path and on large bodies.
 * - a 14.1 Provision request with DeviceInformation: targeted extraction (the nine
 *   DeviceInformation fields; and readProvisionRequest, everything the gateway reads) and
 *   the full tree;
 * - an ~8 KiB Sync response (22 emails, AirSyncBase bodies, Email2 opaque ids): full tree;
 * - encoding the blocked answer <Sync><Status>129</Status></Sync> and the 8 KiB response.
 * Each case: warm-up, then BENCH_ROUNDS rounds (default 7) of enough iterations for ~200 ms;
 * the median round is reported as ns/op and MB/s (input or output bytes / time).
 * For scale, the only other ActiveSync WBXML decoder on the machine, libwbxml's
 * wbxml2xml, is timed as a process per document (what shelling out would cost).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { commandStatusAnswer } from '../src/eas/answers.js';
import { readProvisionRequest } from '../src/eas/device-info.js';
import { compilePaths, decode, el, encode, extractPaths } from '../src/wbxml/index.js';
import { sampleSyncResponse } from '../test/wbxml/helpers/sample-documents.js';
import { machine, median, table } from './lib/report.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = 200;

interface Result {
  name: string;
  bytes: number;
  nsPerOp: number;
}

let sink: unknown;

function measure(name: string, bytes: number, fn: () => unknown): Result {
  // Warm-up: let V8 optimise, and size the rounds.
  let iterations = 1_000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > 50) {
      iterations = Math.max(1, Math.round((iterations * ROUND_MS) / ms));
      break;
    }
    iterations *= 4;
  }
  const perRound: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn();
    perRound.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return { name, bytes, nsPerOp: median(perRound) };
}

const provision = readFileSync(new URL('../test/fixtures/wbxml/gen-provision-initial-request-14.1.wbxml', import.meta.url));
const DEVICE_INFO = compilePaths(
  ['Model', 'IMEI', 'FriendlyName', 'OS', 'OSLanguage', 'PhoneNumber', 'UserAgent', 'EnableOutboundSMS', 'MobileOperator'].map(
    (f) => `Provision:Provision/Settings:DeviceInformation/Set/${f}`,
  ),
);
const syncTree = sampleSyncResponse();
const sync = encode(syncTree);
const blockedTree = el('AirSync:Sync', el('Status', '129'));
const blocked = encode(blockedTree);

const results: Result[] = [
  measure(`Provision 14.1 request (${provision.length} B): extractPaths, 9 DeviceInformation fields`, provision.length, () => extractPaths(provision, DEVICE_INFO)),
  measure(`Provision 14.1 request (${provision.length} B): readProvisionRequest (device info + policy + wipe)`, provision.length, () => readProvisionRequest(provision)),
  measure(`Provision 14.1 request (${provision.length} B): decode, full tree`, provision.length, () => decode(provision)),
  measure(`Sync response (${sync.length} B): decode, full tree`, sync.length, () => decode(sync)),
  measure(`Sync response (${sync.length} B): extractPaths, one Status`, sync.length, () => extractPaths(sync, ['AirSync:Sync/Collections/Collection/Status'])),
  measure(`blocked answer (${blocked.length} B): commandStatusAnswer('Sync', 129)`, blocked.length, () => commandStatusAnswer('Sync', 129)),
  measure(`blocked answer (${blocked.length} B): encode, tree built beforehand`, blocked.length, () => encode(blockedTree)),
  measure(`Sync response (${sync.length} B): encode, tree built beforehand`, sync.length, () => encode(syncTree)),
];

function wbxml2xmlPerDocument(bytes: Uint8Array): number | undefined {
  const runs = 30;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('wbxml2xml', ['-l', 'ACTIVESYNC', '-m', '0', '-o', '-', '-'], { input: bytes });
    if (r.error !== undefined || r.status !== 0) return undefined;
  }
  return Number(process.hrtime.bigint() - t0) / runs;
}

const fmt = (ns: number): string => (ns >= 10_000 ? ns.toFixed(0) : ns.toFixed(1));
const rows = results.map((r) => [r.name, fmt(r.nsPerOp), ((r.bytes / r.nsPerOp) * 1e3).toFixed(1)]);
for (const [label, bytes] of [['Provision request', provision], ['Sync response', sync]] as const) {
  const ns = wbxml2xmlPerDocument(bytes);
  rows.push([`for scale: libwbxml wbxml2xml as a process, ${label} (${bytes.length} B)`, ns === undefined ? 'not installed' : fmt(ns), ns === undefined ? '-' : ((bytes.length / ns) * 1e3).toFixed(2)]);
}
const extraction = results[0]!.nsPerOp;
process.stdout.write(`${new Date().toISOString()} — ${machine()}\n\n`);
process.stdout.write(`${table(['case', 'ns/op', 'MB/s'], rows)}\n\n`);
process.stdout.write(`target: DeviceInformation extraction <= 2000 ns/op: ${extraction <= 2000 ? 'met' : 'NOT met'} (${fmt(extraction)} ns/op)\n`);
void sink;
