import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NewAuditEntry } from '../store/index.js';
import { StoreError } from '../store/index.js';
import type { ActionContext } from '../actions/index.js';
import { authenticator, authorize, Unauthorized, type Actor } from './auth.js';
import { FailureThrottle } from './auth-throttle.js';
import { ConsoleSessions, DEFAULT_SESSION_MINUTES, isSignIn, registerSessionRoutes } from './console-session.js';
import { ApiError, invalid, notFound } from './errors.js';
import { ROUTES } from './routes/index.js';
import { ADMIN_MAX_PARAM_LENGTH, API_PREFIX, type AdminApiDeps, type ApiContext, type RouteDef } from './route.js';
import { check } from './schema.js';
import { NO_QUERY, REASON_TEXT } from './schemas.js';

const BODY_LIMIT = 64 * 1024;

const FASTIFY_ERRORS: Record<string, ApiError['code']> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'EASGATE_ERR_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'EASGATE_ERR_API_BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EASGATE_ERR_API_BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'EASGATE_ERR_API_BAD_JSON',
};

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreError) {
    if (err.code === 'EASGATE_ERR_STORE_BAD_CURSOR') return new ApiError('EASGATE_ERR_API_BAD_CURSOR');
    if (err.code === 'EASGATE_ERR_STORE_BAD_QUERY') return new ApiError('EASGATE_ERR_API_INVALID', err.message);
  }
  const e = err as Partial<FastifyError>;
  const mapped = e.code === undefined ? undefined : FASTIFY_ERRORS[e.code];
  if (mapped !== undefined) return new ApiError(mapped);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new ApiError('EASGATE_ERR_API_INVALID', e.message);
  return new ApiError('EASGATE_ERR_API_INTERNAL');
}

/**
 * fastify's `frameworkErrors` option (instance-wide): a URL the router cannot take (bad
 * percent-encoding, a path parameter over maxParamLength) answered like the API's errors.
 */
export function adminFrameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const e =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? invalid('path', `path parameters of at most ${ADMIN_MAX_PARAM_LENGTH} characters`)
      : invalid('path', 'a valid URL (well-formed percent-encoding)');
  void reply.code(e.status).type('application/json; charset=utf-8').send(e.toJSON());
}

/**
 * The admin's reason for a change (free text, e.g. a ticket number), kept in its audit entry
 * and its history: `reason` in the body of a POST or PUT, or in the query of any change
 * (DELETE has no body). It is taken out before the route's own schemas see the request.
 */
function takeReason(def: RouteDef, query: Record<string, unknown>, body: unknown): { reason: string | undefined; query: Record<string, unknown>; body: unknown } {
  if (def.method === 'GET') return { reason: undefined, query, body };
  const { reason: inQuery, ...restQuery } = query as { reason?: unknown };
  let inBody: unknown;
  let restBody = body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'reason' in body) {
    const { reason: r, ...others } = body as Record<string, unknown>;
    inBody = r;
    restBody = Object.keys(others).length === 0 && def.bodyOptional === true ? undefined : others;
  }
  const raw = inBody ?? inQuery;
  if (raw === undefined) return { reason: undefined, query: restQuery, body: restBody };
  const reason = check(REASON_TEXT, raw, 'reason') as string;
  return { reason: reason.trim() === '' ? undefined : reason, query: restQuery, body: restBody };
}

/** `/rules/{id}` → `/rules/:id`. */
function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function parseJson(_req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void): void {
  if (body.length === 0) return done(null, undefined);
  try {
    done(null, JSON.parse(body));
  } catch (err) {
    done(new ApiError('EASGATE_ERR_API_BAD_JSON', `the body is not valid JSON: ${(err as Error).message}`));
  }
}

/**
 * Registers the admin REST API under /api/v1 (docs/admin-api.md) in its own encapsulated
 * context: JSON only, bearer tokens checked before the body is read (onRequest), the role
 * of each route, validation against the route's schemas, one audit entry per change, and
 * errors as `{ code, message, field? }`. Every change goes through the Store, whose change
 * notifications reach every replica's PolicyRuntime within a second.
 */
export async function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const authenticate = authenticator(deps.store, deps.bootstrapToken);
  const actors = new WeakMap<FastifyRequest, Actor>();
  const throttle = new FailureThrottle(deps.authThrottle);
  const sessionLifetimeMs = deps.sessionLifetimeMs ?? DEFAULT_SESSION_MINUTES * 60_000;
  const sessions = new ConsoleSessions(deps.store, { lifetimeMs: sessionLifetimeMs, bootstrap: deps.bootstrapToken !== undefined, now });
  const sessionOf = new WeakMap<FastifyRequest, Awaited<ReturnType<ConsoleSessions['resolve']>>>();
  /** The console's session cookie (only when no Authorization header is sent): its actor, else undefined. */
  const sessionActor = async (req: FastifyRequest): Promise<Actor | undefined> => {
    if (req.headers.authorization !== undefined) return undefined;
    const session = await sessions.resolve(req);
    if (session === undefined) return undefined;
    sessionOf.set(req, session);
    return { name: session.record.actor, role: session.record.role };
  };

  const checkToken = async (header: string | undefined, req: FastifyRequest): Promise<Actor> => {
    try {
      return await authenticate(header);
    } catch (err) {
      if (err instanceof Unauthorized) {
        throttle.failed(req.ip, Date.now());
        // Never the header or the token: who tried, from where, and why it failed.
        deps.log.warn({ source: req.ip, reason: err.reason, method: req.method, path: req.url.split('?')[0] }, 'admin authentication failed');
        deps.onAuthFailure?.(err.reason);
      }
      throw err;
    }
  };

  await app.register(
    async (api) => {
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
      api.addHook('onRequest', async (req, reply) => {
        const wait = throttle.waitMs(req.ip, Date.now());
        if (wait > 0) {
          void reply.header('retry-after', String(Math.ceil(wait / 1000)));
          throw new ApiError('EASGATE_ERR_API_TOO_MANY_FAILURES');
        }
        // The console's sign-in carries its token in the body: POST /session checks it.
        if (isSignIn(req)) return;
        const actor = (await sessionActor(req)) ?? (await checkToken(req.headers.authorization, req));
        const def = (req.routeOptions.config as { def?: RouteDef }).def;
        if (def !== undefined) authorize(actor, def.permission);
        actors.set(req, actor);
      });
      api.setErrorHandler((err, req, reply) => {
        const e = toApiError(err);
        if (e.status >= 500) deps.log.error({ err, method: req.method, url: req.url }, 'admin API call failed');
        if (e.code === 'EASGATE_ERR_API_UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer realm="easgate"');
        return reply.code(e.status).type('application/json; charset=utf-8').send(e.toJSON());
      });
      api.setNotFoundHandler(async () => {
        throw notFound('route');
      });
      registerSessionRoutes(api, {
        sessions,
        authenticate: checkToken,
        actorOf: (req) => actors.get(req)!,
        sessionOf: (req) => sessionOf.get(req),
        lifetimeMs: sessionLifetimeMs,
        log: deps.log,
      });
      for (const def of ROUTES) {
        api.route({
          method: def.method,
          url: fastifyPath(def.path),
          bodyLimit: def.bodyLimit ?? BODY_LIMIT,
          config: { def },
          handler: (req, reply) => handle(def, req, reply),
        });
      }
    },
    { prefix: API_PREFIX },
  );

  async function handle(def: RouteDef, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const actor = actors.get(req)!;
    const params = def.params === undefined ? {} : check(def.params, req.params, '', true);
    const { reason, query: rawQuery, body: rawBody } = takeReason(def, (req.query ?? {}) as Record<string, unknown>, req.body);
    const query = check(def.query ?? NO_QUERY, rawQuery, '', true);
    let body: unknown;
    if (def.body !== undefined) {
      if (rawBody !== undefined || def.bodyOptional !== true) body = check(def.body, rawBody, '');
    } else if (rawBody !== undefined) {
      throw invalid('body', 'no body');
    }
    const entries: NewAuditEntry[] = [];
    const audit = (e: Pick<NewAuditEntry, 'action' | 'object' | 'before' | 'after'>): void => {
      entries.push({ ...e, at: now(), actor: actor.name, source: req.ip, ...(reason === undefined ? {} : { reason }) });
    };
    const action: ActionContext = { store: deps.store, actor: actor.name, now, normalizeUser: deps.normalizeUser, reason, audit };
    const ctx: ApiContext<unknown, unknown, unknown> = {
      params,
      query,
      body,
      actor,
      req,
      reply,
      store: deps.store,
      log: deps.log,
      normalizeUser: deps.normalizeUser,
      now,
      sync: deps.sync,
      reason,
      audit,
      action,
    };
    let result: unknown;
    try {
      result = await def.handler(ctx);
    } finally {
      if (entries.length > 0) {
        await deps.store.appendAudit(entries);
        for (const e of entries.slice(0, 10)) deps.log.info({ actor: e.actor, action: e.action, object: e.object, source: e.source, ...(e.reason === undefined ? {} : { reason: e.reason }) }, 'admin change');
        if (entries.length > 10) deps.log.info({ actor: actor.name, changes: entries.length }, 'admin changes');
      }
    }
    if (result === undefined) return reply.code(204).send();
    return reply.code(def.status ?? 200).send(result);
  }
}
