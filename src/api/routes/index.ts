import { sessionOpenApiPaths } from '../console-session.js';
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
import { policyRoutes } from './policies.js';
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
  ...policyRoutes,
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
    handler: async () => (document ??= withSessionPaths(openApiDocument(ROUTES, API_PREFIX))),
  }),
);

/** The console's session routes (src/api/console-session.ts) beside the table's, and the cookie as a way in. */
function withSessionPaths(doc: Record<string, unknown>): Record<string, unknown> {
  const components = doc.components as { securitySchemes: Record<string, unknown> };
  components.securitySchemes.session = { type: 'apiKey', in: 'cookie', name: 'easgate_session', description: 'The console\'s session (POST /api/v1/session); a change also needs X-EasGate-CSRF' };
  return { ...doc, paths: { ...(doc.paths as object), ...sessionOpenApiPaths(API_PREFIX) } };
}
