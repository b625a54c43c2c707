import { GRANTS, ROLES } from './auth.js';
import type { RouteDef } from './route.js';
import type { JsonSchema } from './schema.js';
import { ERROR, REASON_TEXT } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the route table (the same schemas validate the
 * requests), so that it cannot drift from the routes.
 */
export function openApiDocument(routes: readonly RouteDef[], prefix: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = (schema: JsonSchema | undefined, where: 'path' | 'query'): unknown[] => {
      const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
      const required = (schema?.required ?? []) as string[];
      return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.includes(name), schema: s }));
    };
    const ok = r.status ?? (r.response === undefined ? 204 : 200);
    const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    (paths[prefix + r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: r.summary,
      tags: [r.tag],
      'x-permission': r.permission,
      'x-roles': ROLES.filter((role) => GRANTS[role].has(r.permission)),
      security: [{ bearer: [] }],
      // Every change takes the admin's reason, in the query or as `reason` in a JSON body.
      parameters: [...params(r.params, 'path'), ...params(r.query, 'query'), ...(r.method === 'GET' ? [] : [{ name: 'reason', in: 'query', required: false, schema: REASON_TEXT }])],
      ...(r.body === undefined ? {} : { requestBody: { required: r.bodyOptional !== true, content: { 'application/json': { schema: r.body } } } }),
      responses: {
        [String(ok)]: ok === 204 ? { description: 'done' } : { description: 'OK', content: { 'application/json': { schema: r.response } } },
        '400': error,
        '401': error,
        '403': error,
        ...(r.path.includes('{') ? { '404': error } : {}),
        ...(r.method === 'GET' ? {} : { '409': error }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'easgate admin API', version: '1', description: 'Device associations, access policy, licenses, audit and tokens. docs/admin-api.md' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR } },
    paths,
  };
}
