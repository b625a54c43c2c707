import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';

/** A listener whose certificate can be replaced for new connections (node:https and node:tls servers). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** What the log and the metrics say of the certificate being served; never key material. */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly notAfter: Date;
  readonly fingerprint256: string;
}

interface Pair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Serves a renewed certificate without a restart. Every `intervalMs` both files are
 * stat()ed (following symlinks); when either's inode, size or mtime moved, both are read,
 * and a pair whose content differs from the one being served is checked (the certificate
 * parses, the key is the certificate's, `tls.createSecureContext` accepts them) and then
 * given to every listener with `setSecureContext`: new connections get it, connections
 * already open keep theirs.
 *
 * Polling, not fs.watch: a watch on the file is lost when an editor or certbot replaces
 * the file by renaming another over it, and a Kubernetes secret volume swaps a `..data`
 * symlink, which a watch on the directory reports as events on names nobody configured
 * (and inotify does not work on every network or overlay file system). A stat of two
 * files every few seconds costs nothing and sees all of these.
 *
 * A pair that is not valid (the certificate renewed, the key not yet; a file half
 * written; a file missing during a swap) is not applied: the old one stays served, one
 * warning is logged per such pair, and the next tick tries again.
 */
export class CertificateReloader {
  private served: { pair: Pair; hash: string; facts: CertificateFacts };
  /** inode/size/mtime of both files when the served pair was last confirmed from them. */
  private seenStat = '';
  private warnedFor = '';
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly targets: SecureContextTarget[] = [];

  constructor(
    private readonly files: { readonly certFile: string; readonly keyFile: string },
    initial: Pair,
    private readonly options: { intervalMs: number; log: Pick<Logger, 'info' | 'warn'> },
  ) {
    this.served = { pair: initial, hash: pairHash(initial), facts: certificateFacts(initial.cert) };
  }

  /** The certificate new connections get now. */
  get certificate(): CertificateFacts {
    return this.served.facts;
  }

  /** Adds a listener to give renewed pairs to. */
  serve(target: SecureContextTarget): void {
    this.targets.push(target);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.options.log.info(logFields(this.served.facts), 'TLS certificate served');
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the files; applies a changed valid pair. Never throws. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const [c, k] = await Promise.all([stat(this.files.certFile), stat(this.files.keyFile)]);
      const seen = `${c.ino}:${c.size}:${c.mtimeMs}/${k.ino}:${k.size}:${k.mtimeMs}`;
      if (seen === this.seenStat) return;
      const [cert, key] = await Promise.all([readFile(this.files.certFile), readFile(this.files.keyFile)]);
      const pair = { cert, key };
      const hash = pairHash(pair);
      if (hash !== this.served.hash) this.apply(pair, hash);
      this.seenStat = seen;
      this.warnedFor = '';
    } catch (err) {
      this.warnOnce(err);
    } finally {
      this.checking = false;
    }
  }

  /** Throws (nothing applied) when the pair is not one to serve. */
  private apply(pair: Pair, hash: string): void {
    const facts = certificateFacts(pair.cert);
    if (!new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key))) {
      throw Object.assign(new Error('the key does not belong to the certificate'), { code: 'KEY_MISMATCH', fingerprint256: facts.fingerprint256 });
    }
    createSecureContext(pair); // the same check the listeners will make, before any gets it
    for (const t of this.targets) t.setSecureContext(pair);
    this.served = { pair, hash, facts };
    this.options.log.info(logFields(facts), 'TLS certificate reloaded');
  }

  private warnOnce(err: unknown): void {
    const e = err as { code?: unknown; message?: unknown; fingerprint256?: unknown };
    // Only the error's code and message (OpenSSL's and fs' say nothing of the key's content).
    const why = { code: typeof e.code === 'string' ? e.code : undefined, reason: typeof e.message === 'string' ? e.message : String(err) };
    const id = `${why.code}:${why.reason}:${String(e.fingerprint256)}`;
    if (id === this.warnedFor) return;
    this.warnedFor = id;
    this.options.log.warn(
      { ...why, certFile: this.files.certFile, keyFile: this.files.keyFile, servedFingerprint256: this.served.facts.fingerprint256 },
      'TLS certificate files changed but are not a valid pair; still serving the previous certificate',
    );
  }
}

function pairHash(pair: Pair): string {
  return createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
}

function certificateFacts(cert: Buffer): CertificateFacts {
  const x = new X509Certificate(cert);
  return { subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), notAfter: new Date(x.validTo), fingerprint256: x.fingerprint256 };
}

function logFields(f: CertificateFacts): Record<string, string> {
  return { subject: f.subject, issuer: f.issuer, notAfter: f.notAfter.toISOString(), fingerprint256: f.fingerprint256 };
}
