import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { describeRedisAddress, parseRedisAddress } from '../../src/store/index.js';

const BASE = { EASGATE_UPSTREAM_URL: 'https://mail.example.test/Microsoft-Server-ActiveSync' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('EASGATE_REDIS_URL: one server, Sentinel or Cluster', () => {
  it('reads one server as before, credentials and TLS included', () => {
    expect(loadConfig({ ...BASE, EASGATE_REDIS_URL: 'rediss://app:s%40cret@redis.example.test:6380/2' }).redisUrl).toEqual({
      mode: 'single',
      url: 'rediss://app:s%40cret@redis.example.test:6380/2',
      tls: true,
      username: 'app',
      password: 's@cret',
    });
  });

  it('reads Sentinels, the master name, the data nodes’ credentials and the Sentinels’ password', () => {
    const c = loadConfig({
      ...BASE,
      EASGATE_REDIS_URL: 'redis+sentinel://:data%3Apw@10.0.0.1,10.0.0.2:26380,[::1]:26381/gw-main',
      EASGATE_REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(c.redisUrl).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'gw-main',
      tls: false,
      password: 'data:pw',
      sentinelPassword: 'sentinel-pw',
    });
  });

  it('reads Cluster seed nodes, with TLS for rediss+cluster', () => {
    expect(parseRedisAddress('rediss+cluster://u:p@node-a.example.test:7000, node-b.example.test:7001')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'node-a.example.test', port: 7000 },
        { host: 'node-b.example.test', port: 7001 },
      ],
      tls: true,
      username: 'u',
      password: 'p',
    });
  });

  it.each([
    ['redis+sentinel://10.0.0.1:26379', 'master name'],
    ['redis+sentinel://10.0.0.1:26379/a/b', 'master name'],
    ['redis+cluster://10.0.0.1:7000/0', 'nothing may follow the nodes'],
    ['redis+cluster://10.0.0.1:70000', 'host or host:port'],
    ['redis+cluster://a:1,,b:2', 'host or host:port'],
    ['redis+sentinel://h:1/m?sentinelPassword=x', 'query strings'],
    ['http://10.0.0.1:6379', 'the scheme must be'],
    ['redis+mesh://10.0.0.1', 'the scheme must be'],
  ])('refuses %s naming the variable and why', (value, why) => {
    const p = problems({ EASGATE_REDIS_URL: value });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^EASGATE_REDIS_URL must be a redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ or redis\+cluster:\/\/ address/);
    expect(p[0]).toContain(why);
  });

  it('never repeats credentials in a refusal or in the description for the log', () => {
    const p = problems({ EASGATE_REDIS_URL: 'redis+sentinel://user:TopSecret9@10.0.0.1:26379' });
    expect(p.join('\n')).not.toContain('TopSecret9');
    const sentinel = parseRedisAddress('rediss+sentinel://user:TopSecret9@10.0.0.1:26379,[::1]/gw');
    const single = parseRedisAddress('redis://user:TopSecret9@10.0.0.1:6379/3');
    expect(typeof sentinel === 'string' || typeof single === 'string').toBe(false);
    expect(describeRedisAddress(sentinel as Exclude<typeof sentinel, string>)).toBe('rediss+sentinel://10.0.0.1:26379,[::1]:26379/gw');
    expect(describeRedisAddress(single as Exclude<typeof single, string>)).toBe('redis://10.0.0.1:6379/3');
  });

  it('reads the Sentinels’ password only with a Sentinel address', () => {
    expect(problems({ EASGATE_REDIS_URL: 'redis://127.0.0.1:6379', EASGATE_REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      'EASGATE_REDIS_SENTINEL_PASSWORD is only read with a redis+sentinel:// EASGATE_REDIS_URL',
    ]);
  });
});
