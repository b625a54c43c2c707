import { changeDomain, deleteDomain, NEEDS } from '../../actions/index.js';
import type { Domain } from '../../policy/index.js';
import type { Store } from '../../store/index.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { DOMAIN, LEVEL, page, POLICY_NAME } from '../schemas.js';

/** Mail domains with their usage: users with ActiveSync enabled (a disabled domain counts zero). */
const DOMAIN_USAGE = s.any('{ name, activeSyncEnabled, defaultAccessLevel?, stored, activeSyncUsers }');
const PARAMS = s.object({ domain: DOMAIN });

interface DomainUsage extends Domain {
  /** False: no domain record, only mailboxes of it. */
  stored: boolean;
  activeSyncUsers: number;
}

async function usage(store: Store): Promise<DomainUsage[]> {
  const [stored, counts] = await Promise.all([store.listDomains(), store.countEnabledMailboxesByDomain()]);
  const byName = new Map<string, Domain>(stored.map((d) => [d.name, d]));
  const names = [...new Set([...byName.keys(), ...Object.keys(counts)])].sort();
  return names.map((name) => {
    const d = byName.get(name) ?? { name, activeSyncEnabled: true };
    return { ...d, stored: byName.has(name), activeSyncUsers: d.activeSyncEnabled ? (counts[name] ?? 0) : 0 };
  });
}

export const domainRoutes = [
  route({
    method: 'GET',
    path: '/domains',
    tag: 'domains',
    summary: 'Every domain (stored, or with enabled users) with its usage',
    permission: 'read',
    response: page(DOMAIN_USAGE),
    handler: async ({ store }) => ({ items: await usage(store), nextCursor: null }),
  }),
  route({
    method: 'GET',
    path: '/domains/{domain}',
    tag: 'domains',
    summary: 'One domain with its usage',
    permission: 'read',
    params: PARAMS,
    response: DOMAIN_USAGE,
    handler: async ({ store, params }) => {
      const d = (await usage(store)).find((u) => u.name === params.domain.toLowerCase());
      if (d === undefined) throw notFound('domain');
      return d;
    },
  }),
  route({
    method: 'PUT',
    path: '/domains/{domain}',
    tag: 'domains',
    summary: 'Turn ActiveSync on or off for a domain, or set its default access level (fields left out keep their value)',
    permission: NEEDS.domain,
    params: PARAMS,
    body: s.object({ activeSyncEnabled: s.optional(s.bool()), defaultAccessLevel: s.optional(s.nullable(LEVEL)), policy: s.optional(s.nullable(POLICY_NAME)) }),
    response: s.any('The domain'),
    handler: ({ action, params, body }) => changeDomain(action, params.domain, body),
  }),
  route({
    method: 'DELETE',
    path: '/domains/{domain}',
    tag: 'domains',
    summary: "Remove a domain's record (its users stay)",
    permission: NEEDS.domain,
    params: PARAMS,
    handler: ({ action, params }) => deleteDomain(action, params.domain),
  }),
];
