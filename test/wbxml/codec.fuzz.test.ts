import { describe, it } from 'vitest';
import { expectDecoderStillWorks, fuzz, FUZZ_INPUTS, treesOfFixtures } from './helpers/fuzz.js';

/**
 * The long fuzz run: npm run fuzz (vitest.fuzz.config.ts). EASGATE_FUZZ_RUNS sets the runs
 * per input family (default 200 000), EASGATE_FUZZ_SEED the seed (default: the current
 * time, printed, so that a failure can be replayed with the same seed).
 */
const RUNS = Number(process.env.EASGATE_FUZZ_RUNS ?? 200_000);
const SEED = Number(process.env.EASGATE_FUZZ_SEED ?? Date.now() % 0x7fffffff);

describe(`WBXML decoder fuzz: ${RUNS} runs per family, EASGATE_FUZZ_SEED=${SEED}`, () => {
  const before = treesOfFixtures();

  it.each(Object.keys(FUZZ_INPUTS) as (keyof typeof FUZZ_INPUTS)[])('%s', (family) => {
    fuzz(family, RUNS, SEED);
  });

  it('afterwards the same decoder still decodes every good vector', () => {
    expectDecoderStillWorks(before);
  });
});
