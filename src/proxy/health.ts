import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ProxyState } from './device-endpoint.js';
import type { Upstream } from './upstream.js';

const STORE_PING_TIMEOUT_MS = 1_000;
/** The upstream probe's period and timeout, at most this (a third of the window when that is shorter). */
const PROBE_EVERY_MS = 5_000;

/** The upstream answered something (any HTTP status) within the last `windowMs`. */
export function upstreamReachable(state: ProxyState, windowMs: number, now = Date.now()): boolean {
  return state.upstreamSeenAt !== undefined && now - state.upstreamSeenAt <= windowMs;
}

/**
 * /healthz: the process is alive. /readyz: ready to serve devices: configuration loaded
 * (it is, or the process would not run), not draining, the upstream answered recently
 * (any HTTP status counts: it is reachable) and the store answers, or answered within
 * `storeGraceMs` (EASGATE_READY_STORE_GRACE_MS; the hot path serves known devices from its cache meanwhile).
 *
 * "Recently" is `upstreamWindowMs`. Device traffic proves the upstream for free (the
 * device path stores the time of each answer, nothing more); when no answer came within
 * the probe period, an unauthenticated OPTIONS to the upstream path asks. Connect errors,
 * TLS failures and timeouts are not answers: the upstream that gives nothing else for the
 * whole window makes the replica not ready, and the first answer makes it ready again.
 */
export function registerHealth(
  app: FastifyInstance,
  deps: { state: ProxyState; upstream: Upstream; log: Logger; upstreamWindowMs: number; storeGraceMs?: number; pingStore?: (() => Promise<unknown>) | undefined },
): void {
  const { state, upstream, log, upstreamWindowMs, pingStore } = deps;
  const storeGraceMs = deps.storeGraceMs ?? 30_000;
  const probeEveryMs = Math.min(PROBE_EVERY_MS, Math.floor(upstreamWindowMs / 3));
  let storeOkAt = Date.now();
  const storeReachable = async (): Promise<boolean> => {
    if (pingStore === undefined) return true;
    try {
      await Promise.race([pingStore(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), STORE_PING_TIMEOUT_MS).unref())]);
      storeOkAt = Date.now();
      return true;
    } catch {
      return Date.now() - storeOkAt < storeGraceMs;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let probing = false;
  /** What the log last said of the upstream (a line per change, not per probe). */
  let said: 'reachable' | 'unreachable' | undefined;
  const probe = async (): Promise<void> => {
    if (probing || state.draining) return;
    if (state.upstreamSeenAt !== undefined && Date.now() - state.upstreamSeenAt < probeEveryMs) return;
    probing = true;
    try {
      const res = await upstream.pool.request({
        path: upstream.path,
        method: 'OPTIONS',
        headersTimeout: probeEveryMs,
        bodyTimeout: probeEveryMs,
        signal: AbortSignal.timeout(probeEveryMs),
      });
      await res.body.dump();
      state.upstreamSeenAt = Date.now();
      if (said !== 'reachable') log.info({ status: res.statusCode }, 'upstream reachable');
      said = 'reachable';
    } catch (err) {
      if (said !== 'unreachable') {
        const e = err as { code?: unknown; message?: unknown };
        log.warn({ code: e.code, reason: e.message, upstream: upstream.origin }, 'upstream not reachable');
      }
      said = 'unreachable';
    } finally {
      probing = false;
    }
  };
  app.addHook('onReady', async () => {
    void probe();
    timer = setInterval(() => void probe(), probeEveryMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks = { config: true, draining: state.draining, upstreamReachable: upstreamReachable(state, upstreamWindowMs), storeReachable: await storeReachable() };
    const ready = !checks.draining && checks.upstreamReachable && checks.storeReachable;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', ...checks });
  });
}
