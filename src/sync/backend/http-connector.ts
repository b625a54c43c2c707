import { Pool, type Dispatcher } from 'undici';
import { publicRootsPlus } from '../../config/extra-ca.js';
import { BackendError, retryableStatus } from './errors.js';
import { checkAction, checkDevice, checkPage } from './parse.js';
import type { AssociationBatch, BackendAction, BackendConnector, BackendDevice, BackendPage } from './types.js';

export interface HttpConnectorOptions {
  /** EASGATE_BACKEND_URL: the paths of the contract are relative to it. */
  url: URL;
  /** EASGATE_BACKEND_TOKEN, sent as `Authorization: Bearer`. */
  token?: string;
  /** Extra CA certificates (PEM) for a backend with a private CA; verification stays on. */
  ca?: Buffer;
  /** Time to open a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest wait for a whole answer, headers and body (default 30 s). */
  timeoutMs?: number;
  /** Largest answer read (default 16 MiB). */
  maxResponseBytes?: number;
}

const UNDICI_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The HTTP + JSON connector (docs/backend-api.yaml): one undici pool for the backend's
 * origin, TLS verification always on, every call bounded by a deadline.
 */
export class HttpBackendConnector implements BackendConnector {
  private readonly pool: Pool;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpConnectorOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.base = options.url.pathname.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}) };
    this.pool = new Pool(options.url.origin, {
      connections: 4,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: {
        timeout: options.connectTimeoutMs ?? 10_000,
        rejectUnauthorized: true,
        // Node's `ca` replaces the public roots; EASGATE_BACKEND_CA adds to them, as documented.
        ...(options.ca !== undefined ? { secureContext: publicRootsPlus(options.ca) } : {}),
      },
    });
  }

  async pushBatch(batch: AssociationBatch): Promise<void> {
    await this.call('POST', '/associations/batch', undefined, JSON.stringify(batch));
  }

  async devices(cursor?: string): Promise<BackendPage<BackendDevice>> {
    return this.page('/devices', cursor, checkDevice);
  }

  async actions(cursor?: string): Promise<BackendPage<BackendAction>> {
    return this.page('/actions', cursor, checkAction);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async page<T>(path: string, cursor: string | undefined, check: (v: unknown) => T | string): Promise<BackendPage<T>> {
    const text = await this.call('GET', path, cursor, undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new BackendError('EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE', `GET ${path}: the answer is not JSON`, { retryable: true, cause });
    }
    const page = checkPage(body, check);
    if (typeof page === 'string') throw new BackendError('EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE', `GET ${path}: ${page}`, { retryable: false });
    return page;
  }

  /** One request; resolves with the body of a 2xx answer. */
  private async call(method: 'GET' | 'POST', path: string, cursor: string | undefined, body: string | undefined): Promise<string> {
    const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const what = `${method} ${path}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method,
        path: this.base + path + query,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body !== undefined ? { body } : {}),
        signal,
      });
    } catch (cause) {
      throw transportError(what, cause, signal.aborted);
    }
    let text: string;
    try {
      text = await readCapped(res.body, this.maxBytes);
    } catch (cause) {
      if (cause instanceof BackendError) throw cause;
      throw transportError(what, cause, signal.aborted);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new BackendError('EASGATE_ERR_SYNC_BACKEND_REFUSED', `${what}: HTTP ${res.statusCode}`, {
        retryable: retryableStatus(res.statusCode),
        httpStatus: res.statusCode,
      });
    }
    return text;
  }
}

function transportError(what: string, cause: unknown, aborted: boolean): BackendError {
  const code = (cause as { code?: unknown } | null)?.code;
  const timeout = aborted || (typeof code === 'string' && UNDICI_TIMEOUTS.has(code));
  return timeout
    ? new BackendError('EASGATE_ERR_SYNC_BACKEND_TIMEOUT', `${what}: no answer in time`, { retryable: true, cause })
    : new BackendError('EASGATE_ERR_SYNC_BACKEND_UNAVAILABLE', `${what}: ${(cause as Error).message ?? String(cause)}`, { retryable: true, cause });
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      throw new BackendError('EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE', `the answer is larger than ${max} bytes`, { retryable: false });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
