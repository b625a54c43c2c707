import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WBXML_ERRORS } from '../../src/wbxml/index.js';

describe('the WBXML error table and docs/wbxml.md list the same codes', () => {
  const docs = readFileSync(new URL('../../docs/wbxml.md', import.meta.url), 'utf8');
  const documented = new Set([...docs.matchAll(/^\| `(EASGATE_ERR_WBXML_[A-Z_]+)` \|/gm)].map((m) => m[1]));

  it('every code in src/wbxml/errors.ts has a row in the docs', () => {
    expect([...documented].sort()).toEqual(Object.keys(WBXML_ERRORS).sort());
  });

  it('the docs mention no code the table lacks', () => {
    const mentioned = new Set([...docs.matchAll(/EASGATE_ERR_WBXML_[A-Z_]+/g)].map((m) => m[0]));
    for (const code of mentioned) expect(Object.keys(WBXML_ERRORS)).toContain(code);
  });
});
