import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRANTS, ROLES, ROUTES } from '../../src/api/index.js';

/** docs/admin-api.md has a row for every route, with the roles that may call it. */
describe('docs/admin-api.md', () => {
  const doc = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');

  it('lists every route with its roles', () => {
    for (const r of ROUTES) {
      const roles = ROLES.filter((role) => GRANTS[role].has(r.permission)).join(', ');
      expect(doc, `${r.method} ${r.path}`).toContain(`| ${r.method} | \`${r.path}\` | ${roles} |`);
    }
  });
});
