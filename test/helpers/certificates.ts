import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './tools.js';

export interface CertFiles {
  cert: string;
  key: string;
}

/** Runs openssl (Debian's CLI, installed by CI), quiet unless it fails. */
function openssl(args: string[]): void {
  requireTool('openssl');
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new P-256 key in `dir`/`name`.key.pem. */
function newKey(dir: string, name: string): string {
  const key = join(dir, `${name}.key.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  return key;
}

/**
 * A self-signed certificate for 127.0.0.1 (and `san`, e.g. "DNS:mail.test"), valid for a
 * day, with a key of its own: `dir`/`name`.pem and `dir`/`name`.key.pem.
 */
export function selfSigned(dir: string, name: string, cn = 'localhost', san = 'IP:127.0.0.1'): CertFiles {
  const key = newKey(dir, name);
  const cert = join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-new', '-key', key, '-days', '1', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`, '-out', cert]);
  return { cert, key };
}

/** A private CA (self-signed, CA:TRUE) to sign server certificates with. */
export function certificateAuthority(dir: string, name = 'ca'): CertFiles {
  const key = newKey(dir, name);
  const cert = join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-new', '-key', key, '-days', '1', '-subj', `/CN=easgate test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', cert]);
  return { cert, key };
}

/** A server certificate for `san` (e.g. "IP:127.0.0.1") signed by `ca`; `usage` its extended key usage. */
export function signedBy(ca: CertFiles, dir: string, name: string, san: string, usage = 'serverAuth'): CertFiles {
  const key = newKey(dir, name);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const cert = join(dir, `${name}.pem`);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr]);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\n`);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

/** The SHA-256 fingerprint of a PEM certificate file, as Node's getPeerCertificate() spells it. */
export function fingerprint(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}
