import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors.js';

describe('error table', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\| `(EASGATE_ERR_[A-Z0-9_]+)` \| (\d+|—) \| (.+) \|$/gm)].map((m) => [m[1]!, { status: m[2]!, message: m[3]! }]),
  );

  it('documents every code with its status and message, and nothing else', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERRORS).sort());
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(documented.get(code)).toEqual({ status: e.status === 0 ? '—' : String(e.status), message: e.message });
    }
  });

  it('keeps the naming scheme EASGATE_ERR_<AREA>_<WHAT>', () => {
    for (const code of Object.keys(ERRORS)) expect(code).toMatch(/^EASGATE_ERR_[A-Z]+_[A-Z0-9_]+$/);
  });
});
