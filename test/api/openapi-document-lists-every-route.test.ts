import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerAdminApi, ROUTES } from '../../src/api/index.js';
import { SESSION_ROUTES } from '../../src/api/console-session.js';
import { createLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/store/index.js';
import { useApi } from './fixture.js';

/** GET /api/v1/openapi.json describes exactly the routes fastify has registered. */
describe('the OpenAPI document', () => {
  const t = useApi({ memory: true });

  it('lists every registered route with its method, path parameters, query, body and roles, and nothing else', async () => {
    const app = fastify();
    const registered: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url}`);
    });
    await registerAdminApi(app, { store: new MemoryStore(), log: createLogger('silent'), normalizeUser: (u) => u });
    await app.ready();
    await app.close();

    const res = await t.fx.call('GET', '/api/v1/openapi.json', { token: t.fx.tokens.viewer });
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown; 'x-roles': string[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.sort()).toEqual(registered.filter((r) => !r.endsWith('*')).sort());
    expect(documented).toHaveLength(ROUTES.length + SESSION_ROUTES.length);

    for (const [p, ops] of Object.entries(doc.paths)) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        expect(op.parameters.filter((x) => x.in === 'path').map((x) => x.name)).toEqual(inPath);
        expect(op['x-roles']).toContain('admin');
      }
    }
    const list = doc.paths['/api/v1/associations']!.get!;
    expect(list.parameters.map((x) => x.name)).toEqual(expect.arrayContaining(['q', 'sort', 'order', 'cursor', 'state', 'lastSyncAfter']));
    expect(doc.paths['/api/v1/rules']!.post!.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/tokens']!.post!['x-roles']).toEqual(['admin']);
  });
});
