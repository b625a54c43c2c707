import { Pool } from 'undici';
import type { Config } from '../config/index.js';

export interface Upstream {
  readonly pool: Pool;
  /** Origin (scheme://host:port) of the upstream. */
  readonly origin: string;
  /** Path of the upstream endpoint, e.g. /Microsoft-Server-ActiveSync or /SOGo/Microsoft-Server-ActiveSync. */
  readonly path: string;
  close(): Promise<void>;
}

/**
 * One undici pool for the one upstream origin. Every timeout is set here on purpose:
 * connect is short; headers/body timeouts are set per request (short or long-poll, see
 * forward.ts), so the pool's own are turned off; connections are unlimited by default
 * because each held Ping needs one; idle connections are reused for at most
 * upstreamKeepAliveMs (undici also honours a shorter Keep-Alive: timeout= hint from the
 * upstream and keeps a margin before it, keepAliveTimeoutThreshold).
 */
export function createUpstream(config: Config): Upstream {
  const url = config.upstreamUrl;
  const pool = new Pool(url.origin, {
    connections: config.upstreamConnections === 0 ? null : config.upstreamConnections,
    pipelining: 1,
    keepAliveTimeout: config.upstreamKeepAliveMs,
    keepAliveMaxTimeout: config.upstreamKeepAliveMs,
    keepAliveTimeoutThreshold: 1_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: config.connectTimeoutMs,
      rejectUnauthorized: config.upstreamTlsVerify,
      ...(config.upstreamCa !== undefined ? { ca: config.upstreamCa } : {}),
    },
  });
  return {
    pool,
    origin: url.origin,
    path: url.pathname.replace(/\/+$/, '') || '/',
    close: () => pool.close(),
  };
}
