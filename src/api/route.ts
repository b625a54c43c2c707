import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ActionContext } from '../actions/index.js';
import type { NewAuditEntry, Store } from '../store/index.js';
import type { Actor, AuthFailureReason, Permission } from './auth.js';
import type { ThrottleOptions } from './auth-throttle.js';
import type { Schema } from './schema.js';

export const API_PREFIX = '/api/v1';
/** Path parameters (users, device IDs) may be this long; fastify's default (100) is too short. */
export const ADMIN_MAX_PARAM_LENGTH = 1024;

/** What the admin API needs from the gateway. */
export interface AdminApiDeps {
  store: Store;
  log: Logger;
  /** The gateway's user naming (EASGATE_DEFAULT_DOMAIN, EASGATE_NETBIOS_DOMAINS). */
  normalizeUser: (raw: string) => string;
  now?: () => number;
  /** EASGATE_ADMIN_TOKEN: the bootstrap admin's bearer token. */
  bootstrapToken?: string;
  /** The backend sync, when EASGATE_BACKEND_URL is set. */
  sync?: SyncControl;
  /** Told of every failed authentication (the metric); the log line is the API's. */
  onAuthFailure?: (reason: AuthFailureReason) => void;
  /** How many failed authentications an address may make (default: 10 at once, then 3 a second). */
  authThrottle?: ThrottleOptions;
  /** EASGATE_CONSOLE_SESSION_MINUTES, in ms: how long a console session lasts (src/api/console-session.ts). */
  sessionLifetimeMs?: number;
}

/** What the admin API drives of the backend sync (src/sync/backend-sync.ts). */
export interface SyncControl {
  run(options: { full?: boolean }): Promise<object>;
  status(): Promise<object>;
}

export interface ApiContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  req: FastifyRequest;
  reply: FastifyReply;
  store: Store;
  log: Logger;
  normalizeUser: (raw: string) => string;
  now: () => number;
  sync: SyncControl | undefined;
  /** The admin's reason for a change (a ticket number): `reason` in the body or the query. */
  reason: string | undefined;
  /** Records a change (who, when, from where and why are filled in); written when the handler ends. */
  audit(entry: Pick<NewAuditEntry, 'action' | 'object' | 'before' | 'after'>): void;
  /** The same call as the admin operations (src/actions) see it. */
  action: ActionContext;
}

/**
 * One admin API route, declared once: fastify registers it, the OpenAPI document describes
 * it, the role matrix test calls it. `path` is OpenAPI style (`/rules/{id}`), relative to
 * /api/v1. A handler that returns undefined answers 204.
 */
export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  tag: string;
  permission: Permission;
  params?: Schema<P>;
  query?: Schema<Q>;
  body?: Schema<B>;
  /** A body may be left out (POST actions on a device). */
  bodyOptional?: boolean;
  /** Default 64 KiB. */
  bodyLimit?: number;
  /** The answer, for the document. */
  response?: Schema<unknown>;
  /** Default 200 (204 when the handler returns nothing). */
  status?: 200 | 201;
  handler(ctx: ApiContext<P, Q, B>): Promise<unknown>;
}

/** Identity, for type inference of params, query and body from their schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}
