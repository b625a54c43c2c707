import { request } from 'undici';

/** The admin API over HTTP (undici), for the CLI verbs: EASGATE_API_URL and EASGATE_API_TOKEN. */
export interface AdminIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** An API error answer: the CLI prints `code: message` and exits 1. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** A usage problem found before calling the API (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class ApiClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.base = `${url.replace(/\/+$/, '')}/api/v1`;
  }

  static fromEnv(env: NodeJS.ProcessEnv): ApiClient {
    const url = env.EASGATE_API_URL;
    const token = env.EASGATE_API_TOKEN;
    if (url === undefined || url === '') throw new UsageError('EASGATE_API_URL is not set (e.g. http://127.0.0.1:8081, the gateway or its admin listener)');
    if (token === undefined || token === '') throw new UsageError('EASGATE_API_TOKEN is not set (a token of the admin API: EASGATE_ADMIN_TOKEN or one made with POST /api/v1/tokens)');
    return new ApiClient(url, token);
  }

  /** Calls the API; a non-2xx answer throws ApiCallError. Returns the parsed body (undefined for 204). */
  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await request(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed as T;
    const e = (parsed ?? {}) as { code?: string; message?: string; field?: string };
    throw new ApiCallError(res.statusCode, e.code ?? `HTTP ${res.statusCode}`, e.message ?? (text.slice(0, 200) || 'no answer'), e.field);
  }
}

/** `path` with each segment URI-encoded. */
export function segment(...parts: string[]): string {
  return parts.map((p) => `/${encodeURIComponent(p)}`).join('');
}
