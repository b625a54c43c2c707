import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { mintToken, ROLES, type Role } from '../../src/api/index.js';
import { startSampleUpstream, type SampleUpstream } from '../../src/peers/index.js';
import type { Store } from '../../src/store/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../store/redis-fixture.js';
import { ensureConsoleBuilt } from './console-build.js';

/**
 * A real gateway for the console: a real Redis (a prefix of its own), the sample upstream,
 * the admin API and the console on the admin listener (a free port), and one token per role.
 */
export interface ConsoleGateway {
  gw: TestGateway;
  upstream: SampleUpstream;
  store: Store;
  /** The admin listener: the console is at `${admin}/admin/`. */
  admin: string;
  bootstrap: string;
  tokens: Record<Role, string>;
  close(): Promise<void>;
}

export async function startConsoleGateway(env: Record<string, string> = {}): Promise<ConsoleGateway> {
  await ensureConsoleBuilt();
  const prefix = uniquePrefix('console');
  const upstream = await startSampleUpstream({ seedMails: 2 });
  const bootstrap = randomBytes(24).toString('base64url');
  const gw = await startGateway(upstream.url, {
    EASGATE_REDIS_URL: REDIS_URL,
    EASGATE_REDIS_PREFIX: prefix,
    EASGATE_ADMIN_PORT: '0',
    EASGATE_ADMIN_TOKEN: bootstrap,
    EASGATE_INSTANCE: 'gw-test-1',
    ...env,
  });
  const store = gw.gateway.data.store;
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { token, record } = mintToken(`${role}-console`, role, 'test', Date.now());
    await store.createToken(record);
    tokens[role] = token;
  }
  const port = (gw.gateway.admin!.app.server.address() as AddressInfo).port;
  return {
    gw,
    upstream,
    store,
    admin: `http://127.0.0.1:${port}`,
    bootstrap,
    tokens,
    async close() {
      await gw.stop();
      await upstream.close();
      await dropPrefix(prefix);
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** One HTTP call over a real socket. */
export async function fetchRaw(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const headers = { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers };
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The session cookie's `name=value` from a Set-Cookie answer. */
export function cookieOf(a: Answer): string {
  const set = [a.headers['set-cookie'] ?? []].flat()[0] ?? '';
  return set.split(';')[0]!;
}
