import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors.js';
import { RETRY_AFTER_SECONDS } from './upstream-errors.js';

/** Writes an answer the gateway makes itself (no upstream involved). */
export function sendLocal(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: Buffer | string): void {
  if (res.headersSent || res.destroyed) return;
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': payload?.length ?? 0 });
  res.end(payload);
}

const WBXML_TYPE = 'application/vnd.ms-sync.wbxml';

/**
 * An EAS answer the gateway makes itself: the WBXML body (if any) with its content type
 * ([MS-ASHTTP] 2.2.2.1.2: Content-Type only with a body), plus any extra headers.
 */
export function sendWbxml(res: ServerResponse, status: number, body: Buffer | undefined, extra?: OutgoingHttpHeaders): void {
  sendLocal(res, status, body === undefined ? { ...extra } : { 'content-type': WBXML_TYPE, ...extra }, body);
}

/** An HTTP-level error answer: the status of the code, a one-line text naming the problem. */
export function sendError(res: ServerResponse, err: GatewayError, extra?: OutgoingHttpHeaders): void {
  const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8', 'x-easgate-error': err.code, ...extra };
  if (err.status === 503) headers['retry-after'] = RETRY_AFTER_SECONDS;
  if (err.status === 405) headers.allow = 'OPTIONS, POST';
  sendLocal(res, err.status, headers, `${err.code}: ${err.message}\n`);
}
