import { openApiDocument } from '../openapi.js';
import { API_PREFIX, route, type RouteDef } from '../route.js';
import { s } from '../schema.js';
import { actionRoutes } from './actions.js';
import { associationActionRoutes } from './association-actions.js';
import { associationRoutes } from './associations.js';
import { auditTokenRoutes } from './audit-tokens.js';
import { deviceIdRoutes } from './device-ids.js';
import { domainRoutes } from './domains.js';
import { linkRoutes } from './link.js';
import { mailboxRoutes } from './mailboxes.js';
import { ruleRoutes } from './rules.js';
import { settingsRoutes } from './settings.js';
import { syncRoutes } from './sync.js';
import { wipeRoutes } from './wipe.js';

/** Every route of the admin API (paths relative to /api/v1), the OpenAPI document's among them. */
export const ROUTES: RouteDef[] = [
  ...associationRoutes,
  ...associationActionRoutes,
  ...wipeRoutes,
  ...linkRoutes,
  ...mailboxRoutes,
  ...domainRoutes,
  ...settingsRoutes,
  ...ruleRoutes,
  ...deviceIdRoutes,
  ...actionRoutes,
  ...auditTokenRoutes,
  ...syncRoutes,
];

let document: Record<string, unknown> | undefined;

ROUTES.push(
  route({
    method: 'GET',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This API as an OpenAPI 3.1 document',
    permission: 'read',
    response: s.any('OpenAPI 3.1 document'),
    handler: async () => (document ??= openApiDocument(ROUTES, API_PREFIX)),
  }),
);
