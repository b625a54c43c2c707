import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RedisStore, type Store } from '../store/index.js';
import { BOOTSTRAP_NAME, ROLES, type Actor, type Role } from './auth.js';
import { ApiError } from './errors.js';
import { check, s, type Infer } from './schema.js';

/**
 * Browser sessions of the admin console (docs/console.md). The console signs in once with
 * an API token (POST /api/v1/session); the browser then holds only an HttpOnly,
 * SameSite=Strict cookie (Secure over TLS) naming a random session, never the token. The
 * session carries the token's name and role, lives EASGATE_CONSOLE_SESSION_MINUTES, ends at
 * sign-out on every replica (it is kept in the store: Redis, or the memory of a single
 * node) and with the revocation of its token. A change made with the cookie must also carry
 * the session's CSRF token in X-EasGate-CSRF, which a page of another origin cannot read.
 */

export const SESSION_COOKIE = 'easgate_session';
export const CSRF_HEADER = 'x-easgate-csrf';
/** Where the cookie is sent: the API only, never the console's files. */
const COOKIE_PATH = '/api/v1';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
export const DEFAULT_SESSION_MINUTES = 480;

interface SessionRecord {
  actor: string;
  role: Role;
  /** The token's creation time: a token revoked and made again under its name ends the old sessions. */
  tokenCreatedAt: number | null;
  csrf: string;
  expiresAt: number;
}

/** Where sessions are kept, by the SHA-256 of their id (a copy of the store holds no usable cookie). */
interface SessionKeeper {
  put(key: string, record: SessionRecord, ttlMs: number): Promise<void>;
  get(key: string): Promise<SessionRecord | undefined>;
  delete(key: string): Promise<void>;
}

class MemoryKeeper implements SessionKeeper {
  private readonly records = new Map<string, SessionRecord>();
  constructor(private readonly now: () => number) {}
  async put(key: string, record: SessionRecord): Promise<void> {
    for (const [k, r] of this.records) if (r.expiresAt <= this.now()) this.records.delete(k);
    this.records.set(key, record);
  }
  async get(key: string): Promise<SessionRecord | undefined> {
    return this.records.get(key);
  }
  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }
}

class RedisKeeper implements SessionKeeper {
  constructor(private readonly store: RedisStore) {}
  private key(k: string): string {
    return `${this.store.keys.tag}:console-session:${k}`;
  }
  async put(key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.store.client.set(this.key(key), JSON.stringify(record), 'PX', Math.max(1, ttlMs));
  }
  async get(key: string): Promise<SessionRecord | undefined> {
    const v = await this.store.client.get(this.key(key));
    return v === null ? undefined : (JSON.parse(v) as SessionRecord);
  }
  async delete(key: string): Promise<void> {
    await this.store.client.del(this.key(key));
  }
}

const hash = (id: string): string => createHash('sha256').update(id).digest('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The session id named by the request's cookie header (undefined: none). */
function cookieOf(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const UNAUTHORIZED = (message: string): ApiError => new ApiError('EASGATE_ERR_API_UNAUTHORIZED', message);

export interface ConsoleSessionOptions {
  lifetimeMs: number;
  /** EASGATE_ADMIN_TOKEN is set (a bootstrap session lasts only while it is). */
  bootstrap: boolean;
  now: () => number;
}

export class ConsoleSessions {
  private readonly keeper: SessionKeeper;

  constructor(
    private readonly store: Store,
    private readonly options: ConsoleSessionOptions,
  ) {
    this.keeper = store instanceof RedisStore ? new RedisKeeper(store) : new MemoryKeeper(options.now);
  }

  /** A new session for this actor: its id (the cookie's value) and its record. */
  async open(actor: Actor): Promise<{ id: string; record: SessionRecord }> {
    const id = randomBytes(32).toString('base64url');
    const token = actor.name === BOOTSTRAP_NAME ? undefined : await this.store.getToken(actor.name);
    const record: SessionRecord = {
      actor: actor.name,
      role: actor.role,
      tokenCreatedAt: token?.createdAt ?? null,
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: this.options.now() + this.options.lifetimeMs,
    };
    await this.keeper.put(hash(id), record, this.options.lifetimeMs);
    return { id, record };
  }

  /**
   * The session a request's cookie names, checked: unexpired, its token still there with the
   * same role, and (for a change) the CSRF header. Undefined: the request has no session
   * cookie (the bearer token decides).
   */
  async resolve(req: FastifyRequest): Promise<{ id: string; record: SessionRecord } | undefined> {
    const id = cookieOf(req);
    if (id === undefined) return undefined;
    if (!SESSION_ID.test(id)) throw UNAUTHORIZED('The console session is unknown or has ended: sign in again');
    const record = await this.keeper.get(hash(id));
    if (record === undefined || record.expiresAt <= this.options.now() || !(await this.tokenStands(record))) {
      if (record !== undefined) await this.keeper.delete(hash(id));
      throw UNAUTHORIZED('The console session is unknown or has ended: sign in again');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const presented = req.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !sameText(presented, record.csrf)) throw new ApiError('EASGATE_ERR_API_CSRF');
    }
    return { id, record };
  }

  async close(id: string): Promise<void> {
    await this.keeper.delete(hash(id));
  }

  private async tokenStands(r: SessionRecord): Promise<boolean> {
    if (r.actor === BOOTSTRAP_NAME) return this.options.bootstrap;
    const token = await this.store.getToken(r.actor);
    return token !== undefined && token.role === r.role && token.createdAt === r.tokenCreatedAt && (ROLES as readonly string[]).includes(token.role);
  }
}

function setCookie(req: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  void reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`);
}

const SIGN_IN = s.object({ token: s.string({ min: 1, max: 200, description: 'An API token (EASGATE_ADMIN_TOKEN or a named one)' }) });
const SESSION = s.any('{ name, role, expiresAt (epoch ms; null for a bearer token), csrfToken (send it as X-EasGate-CSRF with every change; null for a bearer token) }');

/** The session routes, as the OpenAPI document and docs/admin-api.md describe them. */
export const SESSION_ROUTES = [
  { method: 'POST', path: '/session', summary: 'Sign the console in with an API token: sets the HttpOnly session cookie and answers the CSRF token', body: SIGN_IN, status: 201, roles: 'any token' },
  { method: 'GET', path: '/session', summary: 'Who is signed in (the cookie or the bearer token), with the session\'s expiry and CSRF token', status: 200, roles: 'viewer, helpdesk, wiper, admin' },
  { method: 'DELETE', path: '/session', summary: 'Sign out: the session ends on every replica and the cookie is cleared', status: 204, roles: 'viewer, helpdesk, wiper, admin' },
] as const;

/** The session routes' entries of the OpenAPI document. */
export function sessionOpenApiPaths(prefix: string): Record<string, Record<string, unknown>> {
  const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const ops: Record<string, unknown> = {};
  for (const r of SESSION_ROUTES) {
    ops[r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}Session`,
      summary: r.summary,
      tags: ['session'],
      'x-roles': ['viewer', 'helpdesk', 'wiper', 'admin'],
      security: r.method === 'POST' ? [] : [{ bearer: [] }, { session: [] }],
      parameters: [],
      ...('body' in r ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      responses: {
        [String(r.status)]: r.status === 204 ? { description: 'done' } : { description: 'OK', content: { 'application/json': { schema: SESSION } } },
        '400': error,
        '401': error,
        ...(r.method === 'DELETE' ? { '403': error } : {}),
      },
    };
  }
  return { [`${prefix}/session`]: ops };
}

export interface SessionRouteDeps {
  sessions: ConsoleSessions;
  /** The API's bearer authentication (the token of the sign-in goes through it). */
  authenticate(header: string | undefined, req: FastifyRequest): Promise<Actor>;
  /** The actor the onRequest hook found, and the session when the cookie named one. */
  actorOf(req: FastifyRequest): Actor;
  sessionOf(req: FastifyRequest): { id: string; record: SessionRecord } | undefined;
  lifetimeMs: number;
  log: Logger;
}

/** Registers /session in the API's context; POST is marked `signIn` so that the hook lets it through without credentials. */
export function registerSessionRoutes(api: FastifyInstance, d: SessionRouteDeps): void {
  const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store');
  api.post('/session', { config: { signIn: true } }, async (req, reply) => {
    const { token } = check(SIGN_IN, req.body, '') as Infer<typeof SIGN_IN>;
    const actor = await d.authenticate(`Bearer ${token}`, req);
    const { id, record } = await d.sessions.open(actor);
    setCookie(req, reply, id, Math.floor(d.lifetimeMs / 1000));
    d.log.info({ actor: actor.name, role: actor.role, source: req.ip }, 'console signed in');
    return noStore(reply).code(201).send({ name: actor.name, role: actor.role, expiresAt: record.expiresAt, csrfToken: record.csrf });
  });
  api.get('/session', async (req, reply) => {
    const actor = d.actorOf(req);
    const session = d.sessionOf(req);
    return noStore(reply).send({ name: actor.name, role: actor.role, expiresAt: session?.record.expiresAt ?? null, csrfToken: session?.record.csrf ?? null });
  });
  api.delete('/session', async (req, reply) => {
    const session = d.sessionOf(req);
    if (session !== undefined) {
      await d.sessions.close(session.id);
      d.log.info({ actor: session.record.actor, source: req.ip }, 'console signed out');
    }
    setCookie(req, reply, '', 0);
    return noStore(reply).code(204).send();
  });
}

/** True for the sign-in route, which carries its token in the body. */
export function isSignIn(req: FastifyRequest): boolean {
  return (req.routeOptions.config as { signIn?: boolean }).signIn === true;
}
