import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';

/**
 * Reads a small request body (Provision, Settings) into one Buffer, refusing more than
 * `limit` bytes early: by Content-Length when declared, else while reading.
 */
export function readSmallBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new GatewayError('EASGATE_ERR_EAS_BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new GatewayError('EASGATE_ERR_EAS_BODY_TOO_LARGE', `the body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
