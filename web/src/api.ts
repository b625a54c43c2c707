/**
 * The console's only way to the gateway: JSON calls to /api/v1 with the session cookie
 * (sent by the browser, never readable here) and, for changes, the session's CSRF token in
 * X-EasGate-CSRF. A call that meets 401 waits for the admin to sign in again (the page and
 * what was typed stay as they are) and is then made once more.
 */

export type Role = 'viewer' | 'helpdesk' | 'wiper' | 'admin';
export type Permission = 'read' | 'act' | 'wipe' | 'admin';

export interface Session {
  name: string;
  role: Role;
  expiresAt: number | null;
  csrfToken: string | null;
}

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  helpdesk: ['read', 'act'],
  wiper: ['read', 'wipe'],
  admin: ['read', 'act', 'wipe', 'admin'],
};

export function may(session: Session | null, p: Permission): boolean {
  return session !== null && GRANTS[session.role].includes(p);
}

/** An answer of the API that is not 2xx: its code, message and the field it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let current: Session | null = null;
let waiting: { promise: Promise<void>; resolve: () => void } | undefined;
let onLost: (() => void) | undefined;

/** Called by the shell: shows the sign-in when a call finds the session gone. */
export function whenSessionLost(f: () => void): void {
  onLost = f;
}

export function sessionNow(): Session | null {
  return current;
}

async function raw(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && current?.csrfToken) headers['x-easgate-csrf'] = current.csrfToken;
  return fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(signal ? { signal } : {}) });
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const data = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; field?: string };
    throw new ApiError(res.status, e.code ?? 'HTTP', e.message ?? res.statusText, e.field);
  }
  return data as T;
}

/** One API call; a 401 waits for a new sign-in, then the call is made again. */
export async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await raw(method, path, body, signal);
    if (res.status !== 401 || attempt > 2) return parse<T>(res);
    current = null;
    if (waiting === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      waiting = { promise, resolve };
      onLost?.();
    }
    await waiting.promise;
  }
}

export const get = <T>(path: string, signal?: AbortSignal): Promise<T> => call<T>('GET', path, undefined, signal);

/** A query string of the defined values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s === '' ? '' : `?${s}`;
}

export const enc = encodeURIComponent;

/** The session of the cookie, if there is one. */
export async function loadSession(): Promise<Session | null> {
  const res = await raw('GET', '/session');
  if (res.status === 401) return (current = null);
  current = await parse<Session>(res);
  return current;
}

export async function signIn(token: string): Promise<Session> {
  const res = await raw('POST', '/session', { token });
  current = await parse<Session>(res);
  const w = waiting;
  waiting = undefined;
  w?.resolve();
  return current;
}

export async function signOut(): Promise<void> {
  await raw('DELETE', '/session');
  current = null;
}

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One screenful of a cursor list: a filter that matches rarely answers short pages with a
 * cursor (the API looks at a bounded number of entries per page), so pages are followed
 * until `want` items are there, the list ends, or `hops` pages were read.
 */
export async function fillPage<T>(path: (cursor: string | undefined, room: number) => string, cursor: string | undefined, want: number, signal: AbortSignal, keep: (t: T) => boolean = () => true, hops = 20): Promise<ListPage<T>> {
  const items: T[] = [];
  let next: string | null | undefined = cursor;
  for (let hop = 0; hop < hops; hop++) {
    const p: ListPage<T> = await get<ListPage<T>>(path(next, want - items.length), signal);
    items.push(...p.items.filter(keep));
    next = p.nextCursor;
    if (next === null || items.length >= want) break;
  }
  return { items, nextCursor: next ?? null };
}
