import { describe, expect, it } from 'vitest';
import { createUserNormalizer, normalizeUser } from '../../src/policy/index.js';

describe('normalizeUser', () => {
  const opts = { netbiosDomains: { CONTOSO: 'Contoso.com' }, defaultDomain: 'Example.TEST' };

  it.each([
    ['Alice@Example.Test', 'alice@example.test'],
    ['CONTOSO\\Bob', 'bob@contoso.com'],
    ['contoso\\bob', 'bob@contoso.com'],
    ['FABRIKAM\\Carol', 'fabrikam\\carol'],
    ['dave', 'dave@example.test'],
    ['  Eve@x.test ', 'eve@x.test'],
  ])('%s → %s', (raw, want) => {
    expect(normalizeUser(raw, opts)).toBe(want);
  });

  it('leaves a bare user bare without a default domain', () => {
    expect(normalizeUser('Dave')).toBe('dave');
  });

  it('builds a reusable normaliser', () => {
    const n = createUserNormalizer(opts);
    expect([n('CONTOSO\\x'), n('y')]).toEqual(['x@contoso.com', 'y@example.test']);
  });
});
