import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { buildAdminServer, mintToken, ROLES, type AdminServer, type Role } from '../../src/api/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createUserNormalizer } from '../../src/policy/index.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { captureLogs } from '../helpers/gateway.js';
import { dropPrefix, redisStore, uniquePrefix } from '../store/redis-fixture.js';

/**
 * A real admin API: its own fastify listener on 127.0.0.1 and a free port, a real Redis
 * (unique key prefix, removed afterwards) or the memory store, one token per role, called
 * over real sockets with undici.
 */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  /** Bearer token; null sends no Authorization header. Default: the admin token. */
  token?: string | null;
  body?: unknown;
  /** A raw body (sent as is, with content-type application/json unless headers say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface ApiFixture {
  store: Store;
  origin: string;
  server: AdminServer;
  /** Parsed log lines of the API. */
  logs: Record<string, unknown>[];
  bootstrap: string;
  tokens: Record<Role, string>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface ApiOptions {
  memory?: boolean;
  now?: () => number;
  normalize?: Parameters<typeof createUserNormalizer>[0];
  /** EASGATE_ADMIN_TOKEN (default: a random one). */
  bootstrap?: string;
  /** Failed authentications allowed per address (default: no practical limit, since the role tests fail on purpose from one address). */
  authThrottle?: { burst?: number; perSecond?: number };
  onAuthFailure?: (reason: string) => void;
}

export async function startApi(options: ApiOptions = {}): Promise<ApiFixture> {
  const prefix = uniquePrefix('api');
  const store: Store = options.memory === true ? new MemoryStore() : redisStore(prefix);
  const { logs, sink } = captureLogs('api');
  const bootstrap = options.bootstrap ?? randomBytes(24).toString('base64url');
  const server = await buildAdminServer(
    { store, log: createLogger('debug', sink), normalizeUser: createUserNormalizer(options.normalize ?? {}), bootstrapToken: bootstrap, authThrottle: options.authThrottle ?? { burst: 1_000_000 }, ...(options.onAuthFailure ? { onAuthFailure: options.onAuthFailure } : {}), ...(options.now ? { now: options.now } : {}) },
    { host: '127.0.0.1', port: 0 },
  ).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const address = await server.listen();
  const origin = `http://127.0.0.1:${address.port}`;
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { token, record } = mintToken(`${role}-token`, role, 'test', Date.now());
    await store.createToken(record);
    tokens[role] = token;
  }
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Answer> => {
    const token = o.token === undefined ? tokens.admin : o.token;
    const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
    let body: string | undefined;
    if (o.raw !== undefined || o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = o.raw ?? JSON.stringify(o.body);
    }
    const res = await request(origin + path, { method: method as 'GET', headers: { ...headers, ...o.headers }, ...(body === undefined ? {} : { body }) });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  };
  return {
    store,
    origin,
    server,
    logs,
    bootstrap,
    tokens,
    call,
    async close() {
      await server.close();
      await store.close();
      if (options.memory !== true) await dropPrefix(prefix);
    },
  };
}

/** A fresh API per test (`each`) or per file. */
export function useApi(options: ApiOptions & { each?: boolean } = {}): { fx: ApiFixture } {
  const t = {} as { fx: ApiFixture };
  const [before, after] = options.each === true ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    t.fx = await startApi(options);
  });
  after(async () => t.fx.close());
  return t;
}
