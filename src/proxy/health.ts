import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ProxyState } from './device-endpoint.js';
import type { Upstream } from './upstream.js';

const PROBE_EVERY_MS = 5_000;
/** How long the gateway stays ready on its cache while the store does not answer. */
const STORE_GRACE_MS = 30_000;
const STORE_PING_TIMEOUT_MS = 1_000;

/**
 * /healthz: the process is alive. /readyz: ready to serve devices: configuration loaded
 * (it is, or the process would not run), not draining, and the upstream has answered at
 * least once (any HTTP status counts: it is reachable), and the store answers, or answered
 * within STORE_GRACE_MS (the hot path serves known devices from its cache meanwhile).
 * Until the upstream has answered, an unauthenticated OPTIONS probe runs every few seconds.
 */
export function registerHealth(
  app: FastifyInstance,
  deps: { state: ProxyState; upstream: Upstream; log: Logger; pingStore?: (() => Promise<unknown>) | undefined },
): void {
  const { state, upstream, log, pingStore } = deps;
  let storeOkAt = Date.now();
  const storeReachable = async (): Promise<boolean> => {
    if (pingStore === undefined) return true;
    try {
      await Promise.race([pingStore(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), STORE_PING_TIMEOUT_MS).unref())]);
      storeOkAt = Date.now();
      return true;
    } catch {
      return Date.now() - storeOkAt < STORE_GRACE_MS;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const probe = async (): Promise<void> => {
    if (state.upstreamSeenAt !== undefined || state.draining) return;
    try {
      const res = await upstream.pool.request({ path: upstream.path, method: 'OPTIONS', headersTimeout: 5_000, bodyTimeout: 5_000 });
      await res.body.dump();
      state.upstreamSeenAt = Date.now();
      log.info({ status: res.statusCode }, 'upstream reachable');
    } catch (err) {
      log.warn({ code: (err as { code?: string }).code }, 'upstream not reachable yet');
    }
  };
  app.addHook('onReady', async () => {
    void probe();
    timer = setInterval(() => void probe(), PROBE_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks = { config: true, draining: state.draining, upstreamReachable: state.upstreamSeenAt !== undefined, storeReachable: await storeReachable() };
    const ready = !checks.draining && checks.upstreamReachable && checks.storeReachable;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', ...checks });
  });
}
