import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Serves the admin console (web/, built by `npm run build` into dist/web/) at /admin/: the
 * files are read once at start into memory (a few hundred KiB), so that no request path
 * ever reaches the file system; every other path under /admin/ is a page of the console and
 * gets its index.html. Every answer carries a strict Content-Security-Policy (no inline
 * script or style, nothing from another origin, no framing) and the other security headers.
 */

export const CONSOLE_PREFIX = '/admin';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Content-hashed file names (assets/) never change: cached for a year. */
  immutable: boolean;
}

/** Where the built console is: dist/web beside the compiled code, or dist/web from the sources (tests, tsx). */
export function defaultConsoleDir(): string | undefined {
  const candidates = [new URL('../web/', import.meta.url), new URL('../../dist/web/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

function readTree(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(dir, full).split(sep).join('/');
        const body = readFileSync(full);
        files.set(`/${rel}`, {
          body,
          type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          immutable: rel.startsWith('assets/'),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/** The security headers of every console answer (HSTS only over TLS). */
export function securityHeaders(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  void reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  if (req.protocol === 'https') void reply.header('strict-transport-security', 'max-age=31536000');
  return reply;
}

export interface ConsoleStaticOptions {
  /** The built console (default: defaultConsoleDir()). */
  dir?: string | undefined;
}

/** Registers /admin and /admin/* on an app (the admin listener's, else the device listener's). */
export function registerConsole(app: FastifyInstance, options: ConsoleStaticOptions = {}): void {
  const dir = options.dir ?? defaultConsoleDir();
  const files = dir === undefined ? new Map<string, ConsoleFile>() : readTree(dir);
  const index = files.get('/index.html');

  const send = (req: FastifyRequest, reply: FastifyReply, f: ConsoleFile): FastifyReply => {
    securityHeaders(req, reply).header('etag', f.etag).header('cache-control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.headers['if-none-match'] === f.etag) return reply.code(304).send();
    return reply.type(f.type).send(f.body);
  };

  app.get(CONSOLE_PREFIX, (req, reply) => securityHeaders(req, reply).redirect(`${CONSOLE_PREFIX}/`, 308));
  app.get(`${CONSOLE_PREFIX}/*`, (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    const f = files.get(`/${path}`);
    if (f !== undefined) return send(req, reply, f);
    // A file that is not there (an old asset) is a 404; any other path is a page of the console.
    if (path.startsWith('assets/') || /\.[a-z0-9]{1,5}$/i.test(path)) return securityHeaders(req, reply).code(404).type('text/plain; charset=utf-8').send('not found');
    if (index === undefined) {
      return securityHeaders(req, reply).code(503).type('text/plain; charset=utf-8').send('The admin console is not built: run npm run build (it writes dist/web).');
    }
    return send(req, reply, index);
  });
}
