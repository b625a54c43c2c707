import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { expect } from 'vitest';
import { compilePaths, decode, encode, extractPaths, WbxmlError, type WbxmlElement } from '../../../src/wbxml/index.js';
import { EAS_FORM_FIXTURES, fixture, WBXML_FIXTURES } from './fixtures.js';

/**
 * Property-based and mutation fuzzing of the decoder, shared by the short run in the
 * normal suite (fuzz-short.test.ts) and the long one (codec.fuzz.test.ts, npm run fuzz).
 * Every run is seeded: a failure prints the seed and the path that reproduce it.
 */

/**
 * No single input (at most a few KiB, decoded in microseconds) may take longer than this.
 * It catches hangs and super-linear blow-ups, not slowness (speed is bench/codec.ts's
 * job): the bound leaves room for a GC pause or a busy machine running the whole suite,
 * where 50 ms was once exceeded by an ordinary input.
 */
export const TIME_BOUND_MS = 1000;
/** Heap growth allowed over a whole run, after a forced GC. */
export const MEMORY_BOUND_BYTES = 64 << 20;

const PATHS = compilePaths([
  'Provision:Provision/Settings:DeviceInformation/Set/Model',
  'Provision:Provision/Policies/Policy/PolicyKey',
  'AirSync:Sync/Status',
  'Ping:Ping/HeartbeatInterval',
]);
const HEADER = [0x03, 0x01, 0x6a, 0x00];
// Global tokens, flags and page numbers that steer the scanner into its less common paths.
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0e, 0x11, 0x12, 0x19, 0x3f, 0x40, 0x43, 0x45, 0x4e, 0x7f, 0x80, 0x83, 0x85, 0xc3, 0xc4, 0xff];

function countNodes(root: WbxmlElement): number {
  let count = 0;
  const stack: WbxmlElement[] = [root];
  for (let element = stack.pop(); element !== undefined; element = stack.pop()) {
    count++;
    for (const child of element.children) {
      count++;
      if (typeof child === 'object' && !(child instanceof Uint8Array)) stack.push(child);
    }
  }
  return count;
}

/**
 * The invariant: decode either returns a tree or throws a WbxmlError, within the time bound;
 * extractPaths fails exactly when decode does, with the same code; a tree is no bigger than
 * its input and re-encodes to a document that decodes to the same tree.
 */
export function checkInput(bytes: Uint8Array): void {
  const started = performance.now();
  let tree: WbxmlElement | undefined;
  let code: string | undefined;
  try {
    tree = decode(bytes);
  } catch (err) {
    if (!(err instanceof WbxmlError)) throw err;
    code = err.code;
  }
  let extractCode: string | undefined;
  try {
    extractPaths(bytes, PATHS);
  } catch (err) {
    if (!(err instanceof WbxmlError)) throw err;
    extractCode = err.code;
  }
  expect(extractCode).toBe(code);
  if (tree !== undefined) {
    expect(countNodes(tree)).toBeLessThanOrEqual(2 * bytes.length);
    expect(decode(encode(tree))).toEqual(tree);
  }
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
}

const randomBytes = fc.uint8Array({ maxLength: 512 });
const afterHeader = fc.uint8Array({ maxLength: 512 }).map((body) => Uint8Array.from([...HEADER, ...body]));
const tokenSoup = fc
  .array(fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 })), { maxLength: 256 })
  .map((body) => Uint8Array.from([...HEADER, ...body]));

type Mutation = (bytes: number[], at: number, value: number) => void;
const MUTATIONS: readonly Mutation[] = [
  (b, at, v) => { b[at] = v; },
  (b, at, v) => { b[at] = (b[at] ?? 0) ^ (1 << (v & 7)); },
  (b, at, v) => { b.splice(at, 0, v); },
  (b, at, v) => { b.splice(at, 1 + (v & 15)); },
  (b, at, v) => { b.splice(at, 0, ...b.slice(at, at + 1 + (v & 31))); },
  (b, at, v) => { b.splice(at, 0, ...INTERESTING.slice(v % INTERESTING.length, (v % INTERESTING.length) + 3)); },
  (b, at) => { b.length = at; },
];
const mutatedVector = fc
  .tuple(
    fc.constantFrom(...WBXML_FIXTURES.map((name) => [...fixture(name)])),
    fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  )
  .map(([original, steps]) => {
    const bytes = [...original];
    for (const [kind, position, value] of steps) MUTATIONS[kind]!(bytes, bytes.length === 0 ? 0 : position % bytes.length, value);
    return Uint8Array.from(bytes);
  });

export const FUZZ_INPUTS = { randomBytes, afterHeader, tokenSoup, mutatedVector } as const;

function forceGc(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

/** Runs one input family for `numRuns` seeded runs, then checks the heap bound. */
export function fuzz(family: keyof typeof FUZZ_INPUTS, numRuns: number, seed: number): void {
  const gc = forceGc();
  gc();
  const before = process.memoryUsage().heapUsed;
  fc.assert(fc.property(FUZZ_INPUTS[family], checkInput), { seed, numRuns });
  gc();
  expect(process.memoryUsage().heapUsed - before).toBeLessThan(MEMORY_BOUND_BYTES);
}

/** Afterwards the same decoder still decodes every good vector to the tree it gave before. */
export function expectDecoderStillWorks(before: ReadonlyMap<string, WbxmlElement>): void {
  for (const name of EAS_FORM_FIXTURES) {
    expect(decode(fixture(name))).toEqual(before.get(name));
    expect(encode(decode(fixture(name))).equals(fixture(name))).toBe(true);
  }
}

export function treesOfFixtures(): Map<string, WbxmlElement> {
  return new Map(EAS_FORM_FIXTURES.map((name) => [name, decode(fixture(name))]));
}
