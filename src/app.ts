import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { consoleUrl, type Config } from './config/index.js';
import { createLogger, flushLogger } from './log/logger.js';
import { createDeviceHandler, NO_HOOKS, type ProxyHooks, type ProxyState } from './proxy/device-endpoint.js';
import { drainServer, InFlight } from './proxy/drain.js';
import { LongPolls } from './proxy/long-polls.js';
import { isDevicePath } from './proxy/device-path.js';
import { createUpstream, type Upstream } from './proxy/upstream.js';
import { registerHealth, upstreamReachable } from './proxy/health.js';
import { CertificateReloader } from './proxy/tls-reload.js';
import { AccessControl } from './proxy/access.js';
import { AuthProbe } from './proxy/auth-probe.js';
import { watchHeldRequests } from './proxy/held-request-watch.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import { openState, type GatewayState } from './state.js';
import { adminFrameworkErrors, buildAdminServer, registerAdminApi, type AdminServer } from './api/index.js';
import { ADMIN_MAX_PARAM_LENGTH } from './api/route.js';
import { registerConsole } from './api/console-static.js';
import { RedisStore, type Store } from './store/index.js';
import { syncFromConfig, type GatewaySync } from './sync/index.js';

export interface Gateway {
  readonly config: Config;
  readonly log: Logger;
  readonly server: Server;
  readonly app: FastifyInstance;
  readonly upstream: Upstream;
  readonly longPolls: LongPolls;
  readonly state: ProxyState;
  /** The store, the policy cache and the write-behind recorder. */
  readonly data: GatewayState;
  readonly access: AccessControl;
  /** The admin API's own listener, when EASGATE_ADMIN_PORT is set. */
  readonly admin: AdminServer | undefined;
  /** The management-backend sync, when EASGATE_BACKEND_URL is set (started by listen). */
  readonly sync: GatewaySync | undefined;
  /** Listens on config.host:config.port; resolves the bound address. */
  listen(): Promise<AddressInfo>;
  /** Graceful stop: drain, answer held Pings, close upstream connections. Idempotent. */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  hooks?: Partial<ProxyHooks>;
  /** A store to use instead of the one the configuration names (tests); not closed on stop. */
  store?: Store;
}

/**
 * Builds the gateway. The ActiveSync endpoint is served straight from Node's server
 * (device path first, no router, no reply object: it is the hot path and measured so in
 * bench/RESULTS.md); everything else (health, and later the admin API and console) goes
 * through fastify.
 */
export async function buildGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.logger ?? createLogger(config.logLevel, undefined, config.instanceName);
  const upstream = createUpstream(config, log);
  const longPolls = new LongPolls();
  const inFlight = new InFlight();
  const state: ProxyState = { draining: false, upstreamSeenAt: undefined };
  const hooks: ProxyHooks = { ...NO_HOOKS, ...options.hooks };
  const data = await openState(config, log, options.store);
  const sync = syncFromConfig(config, data.store, log, data.normalizeUser);
  const probe = new AuthProbe(upstream, { ttlMs: config.authProbeTtlMs, maxEntries: 100_000, timeoutMs: 10_000 });
  const access = new AccessControl({
    ...data,
    probe,
    instance: config.instanceName,
    log,
    notifyNewDevices: config.notifyNewDevices,
    adminLinkBase: consoleUrl(config),
  });
  const unwatchHeld = await watchHeldRequests({ ...data, longPolls, log });
  // A renewed certificate reaches the device listener (and the admin listener) without a restart.
  const certificate =
    config.tls === undefined ? undefined : new CertificateReloader(config.tls, config.tls, { intervalMs: config.tlsReloadIntervalMs, log });
  const metrics = createMetrics({
    longPollsHeld: () => longPolls.size,
    policyCache: () => data.runtime.stats,
    syncRecordsPending: () => data.recorder.pendingCount,
    storeCalls: () => data.storeCalls,
    upstreamReachable: () => upstreamReachable(state, config.readyUpstreamWindowMs),
    ...(certificate !== undefined ? { tlsCertificateExpiry: () => certificate.certificate.notAfter.getTime() / 1000 } : {}),
    ...(data.notifier !== undefined ? { mailPending: () => data.notifier!.pending() } : {}),
    ...(sync !== undefined
      ? {
          backendSync: async () => {
            const s = await sync.engine.status();
            return { lagChanges: s.lag.changes, lagSeconds: s.lag.ms === null ? null : s.lag.ms / 1000, failures: s.failures, lastSuccessAt: s.lastSuccessAt, leader: s.leader };
          },
        }
      : {}),
  });
  if (metrics.backendSync !== undefined) sync?.engine.observe(metrics.backendSync);
  const handleDevice = createDeviceHandler({ config, upstream, log, hooks, longPolls, state, access, probeChallenge: () => probe.challenge, metrics, normalizeUser: data.normalizeUser });

  let server!: Server;
  const app = fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { caseSensitive: false, maxParamLength: ADMIN_MAX_PARAM_LENGTH },
    frameworkErrors: adminFrameworkErrors,
    return503OnClosing: true,
    // The admin API's audit records the client address: behind a load balancer, from X-Forwarded-For.
    trustProxy: config.trustProxy,
    serverFactory: (fastifyHandler) => {
      const route = (req: IncomingMessage, res: ServerResponse): void => {
        const leave = inFlight.enter();
        res.once('close', leave);
        if (isDevicePath(req.url)) handleDevice(req, res);
        else fastifyHandler(req, res);
      };
      server = config.tls === undefined ? createHttpServer(route) : createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, route);
      return server;
    },
  }) as unknown as FastifyInstance;
  const redis = data.store instanceof RedisStore ? data.store.client : undefined;
  registerHealth(app, { state, upstream, log, upstreamWindowMs: config.readyUpstreamWindowMs, storeGraceMs: config.readyStoreGraceMs, pingStore: redis === undefined ? undefined : () => redis.ping() });
  const apiDeps = {
    store: data.store,
    log,
    normalizeUser: data.normalizeUser,
    ...(config.adminToken !== undefined ? { bootstrapToken: config.adminToken } : {}),
    ...(sync !== undefined ? { sync: sync.engine } : {}),
    onAuthFailure: (reason: string) => metrics.adminAuthFailure(reason),
    sessionLifetimeMs: config.consoleSessionMinutes * 60_000,
  };
  // The admin API: on its own listener when EASGATE_ADMIN_PORT is set (it need not face
  // the internet with the device port), else beside health on the device listener.
  const admin =
    config.adminPort === undefined
      ? undefined
      : await buildAdminServer(apiDeps, {
          host: config.adminHost,
          port: config.adminPort,
          trustProxy: config.trustProxy,
          ...(config.tls !== undefined ? { tls: config.tls } : {}),
          extraRoutes: (adminApp) => {
            registerMetricsRoute(adminApp, metrics);
            registerConsole(adminApp);
          },
        });
  if (admin === undefined) {
    await registerAdminApi(app, apiDeps);
    registerMetricsRoute(app, metrics);
    registerConsole(app);
  } else {
    // A client pointed at the device port (EASGATE_API_URL) learns where the admin API is.
    const where = `${consoleUrl(config).replace(/\/admin$/, '')}/api/v1`;
    app.all('/api/*', async (_req, reply) =>
      reply.code(404).send({ code: 'EASGATE_ERR_API_NOT_FOUND', message: `the admin API is not served on this listener (the device port): it is at ${where} (EASGATE_ADMIN_PORT)` }),
    );
  }
  await app.ready();
  applyServerTimeouts(server, config);
  if (certificate !== undefined) {
    certificate.serve(server as unknown as HttpsServer);
    if (admin !== undefined) certificate.serve(admin.app.server as unknown as HttpsServer);
    certificate.start();
  }

  let stopping: Promise<void> | undefined;
  const gateway: Gateway = {
    config,
    log,
    server,
    app,
    upstream,
    longPolls,
    state,
    data,
    access,
    admin,
    sync,
    async listen() {
      if (admin !== undefined) await admin.listen();
      await app.listen({ host: config.host, port: config.port });
      sync?.start();
      const address = server.address() as AddressInfo;
      log.info({ address: address.address, port: address.port, upstream: upstream.origin + upstream.path, tls: config.tls !== undefined }, 'listening');
      return address;
    },
    stop() {
      stopping ??= (async () => {
        state.draining = true;
        certificate?.stop();
        if (server.listening) await drainServer(server, longPolls, inFlight, config.drainTimeoutMs, log);
        await app.close().catch(() => undefined);
        await admin?.close().catch(() => undefined);
        await upstream.pool.destroy().catch(() => undefined);
        unwatchHeld();
        await sync?.stop();
        await data.close();
        log.info('stopped');
        flushLogger(log);
      })();
      return stopping;
    },
  };
  return gateway;
}

/**
 * GET /metrics in Prometheus' text format: on the admin listener when there is one (it
 * need not face the internet), else beside /healthz on the device listener.
 */
function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}

/**
 * Node's server timeouts, set on purpose ([MS-ASCMD] Ping/Sync hold up to 3540 s):
 * a whole request must arrive within clientRequestTimeoutMs (a big upload), its headers
 * within 60 s; a socket may be silent up to clientIdleTimeoutMs (above the long-poll
 * timeout, so held Pings live); an idle keep-alive connection lasts keepAliveTimeoutMs.
 */
function applyServerTimeouts(server: Server, config: Config): void {
  server.requestTimeout = config.clientRequestTimeoutMs;
  server.headersTimeout = Math.min(60_000, config.clientRequestTimeoutMs);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.setTimeout(config.clientIdleTimeoutMs);
}
