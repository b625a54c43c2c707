import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { startUpstream } from '../helpers/upstream.js';
import { useApi } from './fixture.js';

/**
 * A failed admin authentication (no token, a wrong one, a revoked one) is logged without the
 * token, counted, and repeated failures from one address are slowed to a few per second:
 * guessing tokens is visible and slow.
 */
describe('failed admin authentications', () => {
  const reasons: string[] = [];
  const t = useApi({ each: true, authThrottle: { burst: 3, perSecond: 2 }, onAuthFailure: (r) => reasons.push(r) });

  it('are logged without the token and reported with their reason', async () => {
    const revoked = t.fx.tokens.helpdesk;
    await t.fx.call('DELETE', '/api/v1/tokens/helpdesk-token');
    expect((await t.fx.call('GET', '/api/v1/associations', { token: null })).status).toBe(401);
    expect((await t.fx.call('GET', '/api/v1/associations', { token: revoked })).status).toBe(401);
    expect((await t.fx.call('GET', '/api/v1/associations', { token: null, headers: { authorization: 'Basic YWxpY2U6eA==' } })).status).toBe(401);
    const lines = t.fx.logs.filter((l) => l.msg === 'admin authentication failed');
    expect(lines.map((l) => l.reason)).toEqual(['missing', 'unknown-token', 'malformed']);
    expect(lines[1]).toMatchObject({ source: '127.0.0.1', method: 'GET', path: '/api/v1/associations' });
    const secret = revoked.slice(revoked.indexOf('.') + 1);
    expect(JSON.stringify(t.fx.logs)).not.toContain(secret);
    expect(JSON.stringify(t.fx.logs)).not.toContain('YWxpY2U6eA');
    expect(reasons.slice(-3)).toEqual(['missing', 'unknown-token', 'malformed']);
  });

  it('are slowed: past a few, the address gets 429 with Retry-After before any token is checked, until tokens come back', async () => {
    for (let i = 0; i < 3; i++) expect((await t.fx.call('GET', '/api/v1/license', { token: `guess.${i}` })).status).toBe(401);
    const slowed = await t.fx.call('GET', '/api/v1/license', { token: 'guess.4' });
    expect(slowed.status).toBe(429);
    expect(slowed.body.code).toBe('EASGATE_ERR_API_TOO_MANY_FAILURES');
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Even the right token waits: a guess cannot be checked faster than the rate.
    expect((await t.fx.call('GET', '/api/v1/license')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 600));
    expect((await t.fx.call('GET', '/api/v1/license')).status).toBe(200);
  });
});

describe('failed admin authentications through the gateway', () => {
  it('are counted in easgate_admin_auth_failures_total by reason', async () => {
    const upstream = await startUpstream((_req, res) => res.end());
    const gw = await startGateway(upstream.url, { EASGATE_ADMIN_TOKEN: 'metrics-test-admin-token-0123' });
    try {
      const { request } = await import('undici');
      await (await request(`${gw.origin}/api/v1/license`)).body.text();
      await (await request(`${gw.origin}/api/v1/license`, { headers: { authorization: 'Bearer nobody.wrong' } })).body.text();
      const text = await (await request(`${gw.origin}/metrics`)).body.text();
      expect(text).toMatch(/easgate_admin_auth_failures_total\{reason="missing"\} 1/);
      expect(text).toMatch(/easgate_admin_auth_failures_total\{reason="unknown-token"\} 1/);
    } finally {
      await gw.stop();
      await upstream.close();
    }
  });
});
