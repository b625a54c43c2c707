import { GatewayError } from '../errors.js';

/**
 * Maps an upstream transport failure to the answer the device gets, on err.code (undici's
 * UND_ERR_* and Node's system codes), keeping the original as `cause`:
 * could not connect → 503 with Retry-After (the device backs off), no answer in time →
 * 504, anything broken on an open connection → 502.
 */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  // Out of file descriptors: the gateway itself is overloaded; the device should back off.
  'EMFILE',
  'ENFILE',
]);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function upstreamFailure(err: unknown): GatewayError {
  const code = (err as { code?: unknown } | null)?.code;
  const c = typeof code === 'string' ? code : '';
  const detail = c === '' ? undefined : `upstream: ${c}`;
  if (UNAVAILABLE.has(c)) return new GatewayError('EASGATE_ERR_UPSTREAM_UNAVAILABLE', detail, { cause: err });
  if (TIMEOUT.has(c)) return new GatewayError('EASGATE_ERR_UPSTREAM_TIMEOUT', detail, { cause: err });
  return new GatewayError('EASGATE_ERR_UPSTREAM_BAD_RESPONSE', detail, { cause: err });
}

/** Seconds a device is asked to wait after a 503 ([MS-ASHTTP] 2.2.2.1.1: Retry-After with 503). */
export const RETRY_AFTER_SECONDS = '30';
