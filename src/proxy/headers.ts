import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers are for one connection only and never forwarded (RFC 9110 §7.6.1),
 * nor is any header that the Connection header names. `expect` goes too: Node's server
 * already answered 100-continue to the device, and undici refuses it. `host` is set by
 * the upstream client from the upstream's origin.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

function connectionNamed(headers: IncomingHttpHeaders): Set<string> | undefined {
  const c = headers.connection;
  if (c === undefined) return undefined;
  const names = new Set<string>();
  for (const part of (Array.isArray(c) ? c.join(',') : c).split(',')) {
    const n = part.trim().toLowerCase();
    if (n !== '' && n !== 'close' && n !== 'keep-alive') names.add(n);
  }
  return names.size > 0 ? names : undefined;
}

export interface ForwardedFor {
  /** The address of the peer that connected to the gateway. */
  remoteAddress: string | undefined;
  /** 'http' or 'https', as the device (or a trusted load balancer) spoke it. */
  proto: string;
  /** Keep the X-Forwarded-* chain a trusted load balancer sent; otherwise start it anew. */
  trustProxy: boolean;
}

/** Headers for the upstream request: everything end-to-end, untouched (Authorization, cookies, MS-*, X-MS-*), plus X-Forwarded-*. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, fwd: ForwardedFor): Record<string, string | string[]> {
  const named = connectionNamed(incoming);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || name === 'host' || name === 'expect' || named?.has(name)) continue;
    if (name === 'x-forwarded-for' || name === 'x-forwarded-proto' || name === 'x-forwarded-host') {
      if (!fwd.trustProxy) continue;
    }
    const v = incoming[name];
    if (v !== undefined) out[name] = v;
  }
  const prior = fwd.trustProxy ? out['x-forwarded-for'] : undefined;
  const addr = fwd.remoteAddress ?? 'unknown';
  out['x-forwarded-for'] = prior === undefined ? addr : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${addr}`;
  if (!fwd.trustProxy || out['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = fwd.proto;
  if ((!fwd.trustProxy || out['x-forwarded-host'] === undefined) && incoming.host !== undefined) out['x-forwarded-host'] = incoming.host;
  return out;
}

/** Headers for the device: the upstream's, less hop-by-hop ones. */
export function deviceResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionNamed(upstream);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue;
    const v = upstream[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
