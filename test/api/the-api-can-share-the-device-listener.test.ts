import fastify from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFrameworkErrors, ADMIN_MAX_PARAM_LENGTH, registerAdminApi } from '../../src/api/index.js';
import { createLogger } from '../../src/log/logger.js';
import { MemoryStore } from '../../src/store/index.js';

/** registerAdminApi on a fastify instance that serves other routes (the device listener's): both keep working. */
describe('the admin API on a shared listener', () => {
  const app = fastify({ routerOptions: { caseSensitive: false, maxParamLength: ADMIN_MAX_PARAM_LENGTH }, frameworkErrors: adminFrameworkErrors });
  let origin: string;
  const token = 'bootstrap-token-for-the-shared-listener';

  beforeAll(async () => {
    app.get('/healthz', async () => ({ ok: true }));
    app.post('/echo', async (req) => req.body);
    await registerAdminApi(app, { store: new MemoryStore(), log: createLogger('silent'), normalizeUser: (u) => u.toLowerCase(), bootstrapToken: token });
    origin = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it('serves /api/v1 beside the other routes, whose JSON parsing and answers it does not change', async () => {
    const health = await request(`${origin}/healthz`);
    expect(await health.body.json()).toEqual({ ok: true });
    const echo = await request(`${origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await echo.body.json()).toEqual({ a: 1 });
    const rules = await request(`${origin}/API/V1/rules`, { headers: { authorization: `Bearer ${token}` } });
    expect([rules.statusCode, await rules.body.json()]).toEqual([200, { items: [], nextCursor: null }]);
    const anonymous = await request(`${origin}/api/v1/rules`);
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
    const other404 = await request(`${origin}/elsewhere`);
    expect(other404.statusCode).toBe(404);
    await other404.body.dump();
  });
});
