import { describe, expect, it } from 'vitest';
import { expectDecoderStillWorks, fuzz, FUZZ_INPUTS, treesOfFixtures } from './helpers/fuzz.js';

// The short, seeded fuzz run of the normal suite; npm run fuzz runs codec.fuzz.test.ts longer.
const RUNS = 3000;
const SEED = 0x0e45_9a7e;

describe('hostile bytes only ever yield WbxmlError, in bounded time and memory (short run)', () => {
  const before = treesOfFixtures();

  it.each(Object.keys(FUZZ_INPUTS) as (keyof typeof FUZZ_INPUTS)[])('%s', (family) => {
    fuzz(family, RUNS, SEED);
  });

  it('afterwards the same decoder still decodes every good vector', () => {
    expect(before.size).toBeGreaterThan(0);
    expectDecoderStillWorks(before);
  });
});
