import type { AddressInfo } from 'node:net';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { adminFrameworkErrors, registerAdminApi } from './plugin.js';
import { ADMIN_MAX_PARAM_LENGTH, type AdminApiDeps } from './route.js';

export interface AdminServerOptions {
  /** EASGATE_ADMIN_HOST */
  host: string;
  /** EASGATE_ADMIN_PORT (0 picks a free one) */
  port: number;
  /** PEM certificate and key: the admin listener speaks HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Take the client address from X-Forwarded-For (audit's `source`). */
  trustProxy?: boolean;
  /** More routes for this listener (e.g. /metrics), registered before it is ready. */
  extraRoutes?: (app: FastifyInstance) => void;
}

export interface AdminServer {
  readonly app: FastifyInstance;
  /** Listens on host:port; resolves the bound address. */
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * The admin API on a listener of its own (EASGATE_ADMIN_HOST/EASGATE_ADMIN_PORT), so that
 * it need not face the internet with the device port. It serves /api/v1 and what the
 * gateway adds through extraRoutes (/metrics, the console at /admin/).
 */
export async function buildAdminServer(deps: AdminApiDeps, options: AdminServerOptions): Promise<AdminServer> {
  const app = fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: ADMIN_MAX_PARAM_LENGTH },
    frameworkErrors: adminFrameworkErrors,
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    ...(options.tls === undefined ? {} : { https: { cert: options.tls.cert, key: options.tls.key } }),
  }) as unknown as FastifyInstance;
  await registerAdminApi(app, deps);
  options.extraRoutes?.(app);
  await app.ready();
  return {
    app,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address() as AddressInfo;
      deps.log.info({ address: address.address, port: address.port }, 'admin API listening');
      return address;
    },
    close: () => app.close(),
  };
}
