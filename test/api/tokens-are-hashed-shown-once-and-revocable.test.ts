import { describe, expect, it } from 'vitest';
import { startApi, useApi } from './fixture.js';

/** Tokens: the bootstrap admin, named tokens with roles, the secret shown once and kept only as a hash, revocation. */
describe('API tokens', () => {
  const t = useApi({ each: true });

  it('lets the bootstrap admin create a token whose secret is shown once and stored only as a hash', async () => {
    const made = await t.fx.call('POST', '/api/v1/tokens', { token: t.fx.bootstrap, body: { name: 'helpdesk-anna', role: 'helpdesk' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'helpdesk-anna', role: 'helpdesk', token: expect.stringMatching(/^helpdesk-anna\.[A-Za-z0-9_-]{43}$/) });
    const secret = (made.body.token as string).split('.')[1]!;
    const record = await t.fx.store.getToken('helpdesk-anna');
    expect(record).toMatchObject({ role: 'helpdesk', createdBy: 'bootstrap', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(record)).not.toContain(secret);
    const list = await t.fx.call('GET', '/api/v1/tokens');
    expect(list.body.items.find((x: { name: string }) => x.name === 'helpdesk-anna')).toEqual({ name: 'helpdesk-anna', role: 'helpdesk', createdAt: expect.any(Number), createdBy: 'bootstrap' });
    expect(JSON.stringify(list.body)).not.toContain('hash');

    const use = await t.fx.call('POST', '/api/v1/associations/x@x.test/D/allow', { token: made.body.token });
    expect(use.status).toBe(404);
    expect((await t.fx.call('PUT', '/api/v1/settings/system', { token: made.body.token, body: {} })).status).toBe(403);
    expect((await t.fx.call('POST', '/api/v1/tokens', { body: { name: 'helpdesk-anna', role: 'admin' } })).status).toBe(409);
    expect((await t.fx.call('POST', '/api/v1/tokens', { body: { name: 'bootstrap', role: 'admin' } })).status).toBe(409);

    expect((await t.fx.call('DELETE', '/api/v1/tokens/helpdesk-anna')).status).toBe(204);
    expect((await t.fx.call('GET', '/api/v1/rules', { token: made.body.token })).status).toBe(401);
    const audit = (await t.fx.call('GET', '/api/v1/audit?objectType=token')).body.items;
    expect(audit.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`)).toEqual(['token.delete by admin-token', 'token.create by bootstrap']);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('refuses a token whose secret is wrong, and writes no token or secret to the log', async () => {
    const [name] = t.fx.tokens.viewer.split('.');
    for (const bad of [`${name}.${'A'.repeat(43)}`, `${name}.`, '.abc', name!, `${t.fx.bootstrap}x`]) {
      expect((await t.fx.call('GET', '/api/v1/rules', { token: bad })).status).toBe(401);
    }
    await t.fx.call('GET', '/api/v1/rules', { token: t.fx.bootstrap });
    await t.fx.call('PUT', '/api/v1/rules/r', { token: t.fx.bootstrap, body: { characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Block' } });
    const text = JSON.stringify(t.fx.logs);
    expect(text).toContain('admin change');
    for (const secret of [t.fx.bootstrap, ...Object.values(t.fx.tokens).map((tok) => tok.split('.')[1]!)]) expect(text).not.toContain(secret);
  });

  it('refuses a bootstrap token that is too short to be safe', async () => {
    await expect(startApi({ memory: true, bootstrap: 'short' })).rejects.toThrow(/EASGATE_ADMIN_TOKEN must be 16–200 printable characters/);
  });
});
