import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config/index.js';
import { spawnGateway } from '../helpers/child-gateway.js';

const BASE = { EASGATE_UPSTREAM_URL: 'https://mail.example.test/Microsoft-Server-ActiveSync' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = loadConfig(BASE);
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(8080);
    expect(c.longPollTimeoutMs).toBeGreaterThan(3_540_000);
    expect(c.inspectBodyLimit).toBe(65536);
    expect(c.upstreamUrl.pathname).toBe('/Microsoft-Server-ActiveSync');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('requires the upstream URL and says what it accepts', () => {
    expect(problems({})).toEqual(['EASGATE_UPSTREAM_URL is required: an absolute http or https URL']);
  });

  it.each([
    ['EASGATE_UPSTREAM_URL', 'ftp://x/y', 'an absolute http or https URL'],
    ['EASGATE_UPSTREAM_URL', 'https://user:pw@mail.example.test/', 'an absolute http or https URL'],
    ['EASGATE_PORT', '70000', 'a port number from 0 to 65535'],
    ['EASGATE_PORT', '80a', 'a port number'],
    ['EASGATE_HOST', 'bad host!', 'an IP address or host name'],
    ['EASGATE_LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['EASGATE_LONGPOLL_TIMEOUT_MS', '-5', 'a whole number'],
    ['EASGATE_TLS_CERT', '/nonexistent/cert.pem', 'the path of a readable file'],
    ['EASGATE_UPSTREAM_TLS_VERIFY', 'yes', 'true or false'],
  ])('refuses %s=%s naming the variable and what it accepts', (name, value, accepts) => {
    const p = problems({ ...BASE, [name]: value });
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toContain(name);
    expect(p[0]).toContain(accepts);
  });

  it('stops at a misspelt EASGATE_* variable, naming the closest setting, in the one list of bad values', () => {
    expect(problems({ ...BASE, EASGATE_REDIS_PREFX: 'x', EASGATE_PORT: '70000' })).toEqual([
      'EASGATE_PORT must be a port number from 0 to 65535',
      'EASGATE_REDIS_PREFX is not a setting of easgate (did you mean EASGATE_REDIS_PREFIX?)',
    ]);
    // The CLI's and the tooling's own variables are not settings, and are not refused.
    expect(problems({ ...BASE, EASGATE_API_URL: 'http://x', EASGATE_API_TOKEN: 't', EASGATE_TEST_REDIS_URL: 'redis://x' })).toEqual([]);
  });

  it('checks EASGATE_ADMIN_TOKEN with the other settings, without echoing it', () => {
    const p = problems({ ...BASE, EASGATE_ADMIN_TOKEN: 'short secret', EASGATE_LOG_LEVEL: 'loud' });
    expect(p).toContain('EASGATE_ADMIN_TOKEN must be 16–200 printable characters without spaces');
    expect(p).toHaveLength(2);
    expect(p.join('\n')).not.toContain('short secret');
    expect(loadConfig({ ...BASE, EASGATE_ADMIN_TOKEN: 'a-good-long-token-0123' }).adminToken).toBe('a-good-long-token-0123');
  });

  it('reads NetBIOS names of mail domains as NAME=domain pairs', () => {
    const c = loadConfig({ ...BASE, EASGATE_NETBIOS_DOMAINS: 'CORP=corp.example.com, EU = eu.example.com' });
    expect(c.netbiosDomains).toEqual({ CORP: 'corp.example.com', EU: 'eu.example.com' });
    expect(problems({ ...BASE, EASGATE_NETBIOS_DOMAINS: 'CORP' })[0]).toContain('NAME=value pairs');
  });

  it('accepts credentials in the Redis URL but never in the upstream URL', () => {
    expect(loadConfig({ ...BASE, EASGATE_REDIS_URL: 'redis://:pw@127.0.0.1:6379/2' }).redisUrl?.password).toBe('pw');
    expect(problems({ EASGATE_UPSTREAM_URL: 'https://u:pw@mail.example.test/' })).toHaveLength(1);
  });

  it('reports every bad variable at once', () => {
    expect(problems({ EASGATE_PORT: 'x', EASGATE_LOG_LEVEL: 'y' })).toHaveLength(3);
  });

  it('does not echo a bad value back (it may be a secret)', () => {
    const p = problems({ ...BASE, EASGATE_INSTANCE: 'x'.repeat(500) });
    expect(p.join('\n')).not.toContain('x'.repeat(50));
  });

  it('documents every setting', () => {
    for (const spec of Object.values(SETTINGS)) expect(spec.doc.length).toBeGreaterThan(10);
  });

  it('stops the process with exit code 2 and the message when a value is bad', async () => {
    const gw = spawnGateway({ EASGATE_UPSTREAM_URL: 'not a url', EASGATE_PORT: '99999', EASGATE_REDIS_PREFX: 'x', EASGATE_ADMIN_TOKEN: 'too short' });
    await expect(gw.ready).rejects.toThrow();
    expect(await gw.exited).toBe(2);
    const err = gw.stderr.join('');
    expect(err).toContain('EASGATE_UPSTREAM_URL must be an absolute http or https URL');
    expect(err).toContain('EASGATE_PORT must be a port number from 0 to 65535');
    expect(err).toContain('EASGATE_REDIS_PREFX is not a setting of easgate (did you mean EASGATE_REDIS_PREFIX?)');
    expect(err).toContain('EASGATE_ADMIN_TOKEN must be 16–200 printable characters without spaces');
    expect(err).not.toContain('too short');
  });
});
