import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * A TLS context that trusts the public roots plus `ca` (a PEM file's content: the
 * EASGATE_*_CA settings). Node's `ca` option alone would replace the public roots. Made
 * once per peer and shared by its connections, so the ~150 roots are parsed once.
 */
export function publicRootsPlus(ca: Buffer | string): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, typeof ca === 'string' ? ca : ca.toString('utf8')] });
}
