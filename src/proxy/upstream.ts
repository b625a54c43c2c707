import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { publicRootsPlus, type Config } from '../config/index.js';

export interface Upstream {
  readonly pool: Pool;
  /** Origin (scheme://host:port) of the upstream. */
  readonly origin: string;
  /** Path of the upstream endpoint, e.g. /Microsoft-Server-ActiveSync or /SOGo/Microsoft-Server-ActiveSync. */
  readonly path: string;
  close(): Promise<void>;
}

/**
 * One pool for the one upstream origin. Every timeout is set here on purpose: connect is
 * short; headers/body timeouts are set per request (short or long-poll, see forward.ts),
 * so the pool's own are turned off; connections are unlimited by default because each
 * held Ping needs one; idle connections are reused for at most upstreamKeepAliveMs
 * (undici also honours a shorter Keep-Alive: timeout= hint from the upstream and keeps a
 * margin before it, keepAliveTimeoutThreshold), and only once the upstream has shown that
 * it keeps them (UpstreamPool).
 */
export function createUpstream(config: Config, log?: Pick<Logger, 'info' | 'warn'>): Upstream {
  const url = config.upstreamUrl;
  const pool = new UpstreamPool(
    url.origin,
    {
      pipelining: 1,
      keepAliveTimeout: config.upstreamKeepAliveMs,
      keepAliveMaxTimeout: config.upstreamKeepAliveMs,
      keepAliveTimeoutThreshold: 1_000,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: {
        timeout: config.connectTimeoutMs,
        rejectUnauthorized: config.upstreamTlsVerify,
        // EASGATE_UPSTREAM_CA adds to the public roots, as documented.
        ...(config.upstreamCa !== undefined ? { secureContext: publicRootsPlus(config.upstreamCa) } : {}),
      },
    },
    config.upstreamConnections === 0 ? null : config.upstreamConnections,
    log,
  );
  return {
    pool,
    origin: url.origin,
    path: url.pathname.replace(/\/+$/, '') || '/',
    close: () => pool.close(),
  };
}

/**
 * How the pool uses connections: `trial` (each request on its own connection while one
 * short request at a time finds out what the upstream does with an idle connection),
 * `reuse` (keep-alive, the upstream keeps idle connections at least as long as we do) or
 * `single` (each request on its own connection: the upstream closes idle connections
 * sooner, without saying so).
 */
export type ConnectionReuse = 'trial' | 'reuse' | 'single';

/** A `single` verdict is tried again after this long (the upstream may have changed). */
const RETRIAL_AFTER_MS = 10 * 60_000;
/** Attempts of one request whose connection died before a byte of it was written. */
const MAX_ATTEMPTS = 3;

/**
 * An HTTP/1.1 server may close a kept-alive connection at any time (RFC 9112 §9.6); a
 * client that writes its next request into a connection the server has already closed
 * gets a reset, and cannot know whether the server acted on the request, so a POST must
 * not simply be sent again (RFC 9110 §9.2.2). sogod does exactly this: it answers without
 * `Connection: close` and closes the connection a fraction of a millisecond later.
 * undici 7 narrows the race but cannot close it: it honours `Connection: close` and
 * `Keep-Alive: timeout=` (minus keepAliveTimeoutThreshold), and before reusing an idle
 * connection it yields one event-loop turn (setImmediate) so that a FIN or RST already
 * read is seen first; a request not yet written when its connection dies is re-queued
 * (for a FIN) or failed (for an RST); a request already written is failed, never retried.
 * A FIN that reaches the kernel a moment after that turn still loses the race (through
 * easgate to SOGo, 20 devices: 2–10 % of requests answered 502).
 *
 * So connections are reused only when the upstream has shown it keeps them: a short
 * request at a time goes on a trial connection of its own; if that connection, once
 * answered, lives until our own keep-alive timeout closes it, the upstream keeps idle
 * connections at least as long as we reuse them and the pool reuses them; if the upstream
 * closes it first without having said so, every request gets its own connection
 * (`Connection: close`), which is what such a server does anyway. Until the verdict, and
 * whenever a reused connection is closed by the upstream unannounced, requests go on
 * connections of their own. On top of that, a request whose connection died while it
 * waited to be written (nothing of it reached the upstream) is dispatched again.
 */
export class UpstreamPool extends Pool {
  private state: ConnectionReuse = 'trial';
  private trialClient: Client | undefined;
  private retrialAt = 0;
  /** The last verdict of a trial, for the log. */
  private verdict: ConnectionReuse | undefined;
  /** Errors delivered to a request: a disconnect with any other error closed an idle connection. */
  private readonly requestErrors = new WeakSet<Error>();
  /** Requests dispatched again because nothing of them had been written. */
  replayed = 0;

  constructor(
    private readonly originUrl: string,
    private readonly clientOptions: Client.Options,
    connections: number | null,
    private readonly log?: Pick<Logger, 'info' | 'warn'>,
  ) {
    super(originUrl, { ...clientOptions, connections });
    this.on('disconnect', (_origin, _targets, err) => {
      if (this.state === 'reuse' && isPeerClose(err) && !this.requestErrors.has(err)) {
        this.decide('trial', 'the upstream closed an idle connection without announcing it');
      }
    });
  }

  get connectionReuse(): ConnectionReuse {
    return this.state;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const inner = handler.onRequestStart === undefined ? new LegacyHandler(handler) : handler;
    if (this.state === 'single' && Date.now() >= this.retrialAt) this.state = 'trial';
    if (this.state === 'trial' && this.trialClient === undefined && !this.closed && !this.destroyed && isShort(opts)) {
      return this.dispatchTrial(opts, inner);
    }
    return this.send(opts, new ReplayHandler(this, opts, inner));
  }

  /** @internal Sends one attempt through the pool, on a connection of its own unless reuse is earned. */
  send(opts: Dispatcher.DispatchOptions, handler: ReplayHandler): boolean {
    return super.dispatch(this.state === 'reuse' ? opts : { ...opts, reset: true }, handler);
  }

  /** @internal Told of every error a request got. */
  sawRequestError(err: Error, beforeResponse: boolean): void {
    this.requestErrors.add(err);
    if (this.state === 'reuse' && beforeResponse && isPeerClose(err)) {
      this.decide('trial', 'a reused connection was closed by the upstream before it answered');
    }
  }

  override close(callback: () => void): void;
  override close(): Promise<void>;
  override close(callback?: () => void): Promise<void> | void {
    this.endTrial();
    return callback === undefined ? super.close() : super.close(callback);
  }

  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null): Promise<void>;
  override destroy(): Promise<void>;
  override destroy(...args: unknown[]): Promise<void> | void {
    this.endTrial();
    return (Pool.prototype.destroy as (this: Pool, ...a: unknown[]) => Promise<void> | void).apply(this, args);
  }

  private dispatchTrial(opts: Dispatcher.DispatchOptions, inner: Dispatcher.DispatchHandler): boolean {
    const client = new Client(this.originUrl, this.clientOptions);
    this.trialClient = client;
    let answered = false;
    const done = (verdict?: ConnectionReuse, why?: string): void => {
      if (this.trialClient !== client) return;
      this.trialClient = undefined;
      client.destroy().catch(() => undefined);
      if (verdict !== undefined && this.state === 'trial') this.decide(verdict, why ?? '');
    };
    client.on('disconnect', (_origin, _targets, err) => {
      if (!answered) return done();
      // Our own keep-alive timer closed it: the upstream keeps connections at least as long.
      if (err.code === 'UND_ERR_INFO' && err.message === 'socket idle timeout') return done('reuse', 'the upstream kept an idle connection until easgate closed it');
      if (isPeerClose(err)) return done('single', 'the upstream closed an idle connection right after answering, without announcing it');
      return done(); // announced close (Connection: close), or ours: no verdict
    });
    client.on('connectionError', () => done());
    return client.dispatch(opts, new ReplayHandler(this, opts, inner, {
      answered: () => {
        answered = true;
      },
      failed: () => done(),
    }));
  }

  private endTrial(): void {
    const client = this.trialClient;
    this.trialClient = undefined;
    client?.destroy().catch(() => undefined);
  }

  private decide(state: ConnectionReuse, why: string): void {
    if (this.state === state) return;
    const withdrawn = this.state === 'reuse';
    this.state = state;
    if (state === 'single') this.retrialAt = Date.now() + RETRIAL_AFTER_MS;
    // Logged when what the pool knows changes, not when a retrial confirms a verdict.
    if (state === 'trial' ? !withdrawn : state === this.verdict) return;
    if (state !== 'trial') this.verdict = state;
    const msg = state === 'reuse' ? 'upstream connections are reused' : state === 'single' ? 'upstream connections carry one request each' : 'upstream connections carry one request each until a trial shows what the upstream keeps';
    (withdrawn ? this.log?.warn : this.log?.info)?.call(this.log, { connectionReuse: state, why }, msg);
  }
}

interface TrialWatch {
  answered(): void;
  failed(): void;
}

/**
 * Passes one request's events through to the caller's handler; if the connection died
 * before the request was handed to it (undici calls onRequestStart just before writing),
 * nothing of the request reached the upstream and it is dispatched again.
 */
class ReplayHandler implements Dispatcher.DispatchHandler {
  private attempts = 1;
  private written = false;
  private responded = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly trial?: TrialWatch,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.written = true;
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.responded = true;
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.trial?.answered();
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    this.pool.sawRequestError(err, !this.responded);
    this.trial?.failed();
    if (!this.written && this.attempts < MAX_ATTEMPTS && isPeerClose(err) && !this.pool.closed && !this.pool.destroyed) {
      this.attempts += 1;
      this.pool.replayed += 1;
      // Not from inside undici's socket-close handling: a microtask later, through the pool.
      queueMicrotask(() => this.pool.send(this.opts, this));
      return;
    }
    this.inner.onResponseError?.(controller, err);
  }
}

/**
 * The callbacks of undici's older handler interface (what `pool.request()` passes, e.g.
 * the health and authentication probes) behind the newer one that ReplayHandler speaks.
 */
class LegacyHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly h: Dispatcher.DispatchHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.h.onConnect?.((reason) => controller.abort(reason ?? new Error('aborted')));
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.h.onUpgrade?.(statusCode, raw(controller.rawHeaders, headers), socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.h.onHeaders?.(statusCode, raw(controller.rawHeaders, headers), () => controller.resume(), statusMessage ?? '') === false) controller.pause();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.h.onData?.(chunk) === false) controller.pause();
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.h.onComplete?.(raw(controller.rawTrailers, trailers).map((b) => b.toString('latin1')));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.h.onError?.(err);
  }
}

/** Raw header pairs as undici read them, or rebuilt from the parsed object. */
function raw(given: Dispatcher.DispatchController['rawHeaders'], parsed: IncomingHttpHeaders): Buffer[] {
  if (Array.isArray(given)) return given.map((x: Buffer | string) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x));
  const out: Buffer[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push(Buffer.from(k, 'latin1'), Buffer.from(one, 'latin1'));
  }
  return out;
}

/** The upstream ended or reset the connection (as opposed to a timeout, our own close, or a protocol error). */
function isPeerClose(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  return e.code === 'ECONNRESET' || e.code === 'EPIPE' || (e.code === 'UND_ERR_SOCKET' && e.message === 'other side closed');
}

/** A request that is over quickly and whose body is not a stream: fit to try a connection with. */
function isShort(opts: Dispatcher.DispatchOptions): boolean {
  if (opts.upgrade !== undefined && opts.upgrade !== null) return false;
  const body = opts.body;
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}
