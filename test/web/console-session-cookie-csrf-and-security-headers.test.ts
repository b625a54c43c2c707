import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/api/console-static.js';
import { device } from '../store/fixture.js';
import { cookieOf, fetchRaw, startConsoleGateway, type ConsoleGateway } from './console-gateway.js';

/**
 * The console's server side over real sockets: the built files at /admin/ with a strict CSP,
 * sign-in with a token into an HttpOnly SameSite=Strict cookie, cookie calls with the CSRF
 * header for changes, sign-out and revocation ending the session, and no credential in the log.
 */
describe('the console is served with a session cookie, CSRF protection and security headers', () => {
  let c: ConsoleGateway;
  beforeAll(async () => {
    c = await startConsoleGateway({ EASGATE_CONSOLE_SESSION_MINUTES: '5' });
  });
  afterAll(async () => c?.close());

  const signIn = async (token: string) => {
    const res = await fetchRaw(`${c.admin}/api/v1/session`, { method: 'POST', body: { token } });
    return { res, cookie: cookieOf(res), csrf: res.json?.csrfToken as string };
  };

  it('serves the console at /admin/ on the admin listener, every page path gets index.html, with CSP and the other headers', async () => {
    const page = await fetchRaw(`${c.admin}/admin/associations/alice@example.test/ABC`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="app">');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(page.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cross-origin-opener-policy': 'same-origin' });
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(page.text)![1]!;
    const asset = await fetchRaw(c.admin + script);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await fetchRaw(`${c.admin}/admin/assets/missing-123.js`)).status).toBe(404);
    expect((await fetchRaw(`${c.admin}/admin/..%2f..%2fpackage.json`)).text).not.toContain('"dependencies"');
    const bare = await fetchRaw(`${c.admin}/admin`);
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/admin/');
  });

  it('does not serve the console on the device listener when the admin API has its own', async () => {
    expect((await fetchRaw(`${c.gw.origin}/admin/`)).status).toBe(404);
  });

  it('signs in with a token into an HttpOnly SameSite=Strict cookie of the configured lifetime, without the token in it', async () => {
    const { res, cookie, csrf } = await signIn(c.tokens.helpdesk);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'helpdesk-console', role: 'helpdesk' });
    expect(res.json.expiresAt - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(res.json.expiresAt - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const set = [res.headers['set-cookie']].flat()[0]!;
    expect(set).toMatch(/^easgate_session=[A-Za-z0-9_-]{43}; Path=\/api\/v1; Max-Age=300; HttpOnly; SameSite=Strict$/);
    expect(set).not.toContain('Secure'); // plain HTTP here; over TLS the cookie is Secure
    expect(set).not.toContain(c.tokens.helpdesk.split('.')[1]!);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const me = await fetchRaw(`${c.admin}/api/v1/session`, { headers: { cookie } });
    expect(me.json).toMatchObject({ name: 'helpdesk-console', role: 'helpdesk', csrfToken: csrf });
    const list = await fetchRaw(`${c.admin}/api/v1/associations`, { headers: { cookie } });
    expect(list.status).toBe(200);
  });

  it('refuses a wrong token at sign-in with 401 and sets no cookie', async () => {
    const { res } = await signIn('nobody.not-a-secret');
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('EASGATE_ERR_API_UNAUTHORIZED');
    expect(res.headers['set-cookie']).toBeUndefined();
    const empty = await fetchRaw(`${c.admin}/api/v1/session`, { method: 'POST', body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'token' });
  });

  it('refuses a change made with the cookie but without the CSRF token (403), and takes it with the token', async () => {
    await c.store.createAssociation(device('csrf@example.test', 'CSRF1'));
    const { cookie, csrf } = await signIn(c.tokens.helpdesk);
    const path = `${c.admin}/api/v1/associations/csrf@example.test/CSRF1/block`;
    const none = await fetchRaw(path, { method: 'POST', headers: { cookie } });
    expect(none.status).toBe(403);
    expect(none.json.code).toBe('EASGATE_ERR_API_CSRF');
    const wrong = await fetchRaw(path, { method: 'POST', headers: { cookie, 'x-easgate-csrf': `${csrf.slice(0, -1)}${csrf.endsWith('x') ? 'y' : 'x'}` } });
    expect(wrong.status).toBe(403);
    expect((await c.store.getAssociation('csrf@example.test', 'csrf1'))?.accessState).not.toBe('Blocked');
    const ok = await fetchRaw(path, { method: 'POST', headers: { cookie, 'x-easgate-csrf': csrf } });
    expect(ok.status).toBe(200);
    expect(ok.json.accessState).toBe('Blocked');
    const audit = await c.store.queryAudit({ limit: 5 });
    expect(audit.items[0]).toMatchObject({ actor: 'helpdesk-console', action: 'association.block' });
  });

  it('keeps the role of the token: a viewer session is refused a change with 403', async () => {
    const { cookie, csrf } = await signIn(c.tokens.viewer);
    const res = await fetchRaw(`${c.admin}/api/v1/rules`, { method: 'POST', headers: { cookie, 'x-easgate-csrf': csrf }, body: { characteristic: 'DeviceType', queryString: 'X', accessLevel: 'Block' } });
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('EASGATE_ERR_API_FORBIDDEN');
  });

  it('ends the session at sign-out: the cookie is cleared and no longer accepted', async () => {
    const { cookie, csrf } = await signIn(c.tokens.admin);
    const out = await fetchRaw(`${c.admin}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-easgate-csrf': csrf } });
    expect(out.status).toBe(204);
    expect([out.headers['set-cookie']].flat()[0]).toMatch(/^easgate_session=; Path=\/api\/v1; Max-Age=0;/);
    const after = await fetchRaw(`${c.admin}/api/v1/associations`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(after.json.message).toContain('sign in again');
  });

  it('ends the sessions of a token when the token is revoked', async () => {
    const { token, record } = (await import('../../src/api/index.js')).mintToken('leaver', 'helpdesk', 'test', Date.now());
    await c.store.createToken(record);
    const { cookie } = await signIn(token);
    expect((await fetchRaw(`${c.admin}/api/v1/associations`, { headers: { cookie } })).status).toBe(200);
    await c.store.deleteToken('leaver');
    expect((await fetchRaw(`${c.admin}/api/v1/associations`, { headers: { cookie } })).status).toBe(401);
  });

  it('keeps the session in Redis by a hash of its id, never the id itself', async () => {
    const { cookie } = await signIn(c.tokens.wiper);
    const id = cookie.split('=')[1]!;
    const redis = (c.store as unknown as { client: { keys(p: string): Promise<string[]>; get(k: string): Promise<string | null> } }).client;
    const keys = await redis.keys('*console-session*');
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).not.toContain(id);
      expect(await redis.get(k)).not.toContain(id);
    }
  });

  it('writes no token, cookie value or CSRF token to the log', async () => {
    const { cookie, csrf } = await signIn(c.tokens.admin);
    await fetchRaw(`${c.admin}/api/v1/associations`, { headers: { cookie } });
    await fetchRaw(`${c.admin}/api/v1/session`, { method: 'POST', body: { token: `${c.tokens.admin}x` } });
    const text = JSON.stringify(c.gw.logs);
    expect(c.gw.logs.some((l) => l.msg === 'console signed in')).toBe(true);
    for (const secret of [...Object.values(c.tokens).map((t) => t.split('.')[1]!), c.bootstrap, cookie.split('=')[1]!, csrf]) expect(text).not.toContain(secret);
  });
});

describe('the session routes are documented', () => {
  it('docs/admin-api.md has a row for each session route', async () => {
    const { readFileSync } = await import('node:fs');
    const { SESSION_ROUTES } = await import('../../src/api/console-session.js');
    const doc = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');
    for (const r of SESSION_ROUTES) expect(doc).toContain(`| ${r.method} | \`${r.path}\` | ${r.roles} |`);
  });
});
