/**
 * A bare @fastify/http-proxy (reply-from over undici) with its defaults, as a newcomer would
 * set it up. Usage: fastify-proxy.ts PORT UPSTREAM_PORT
 */
import fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const app = fastify({ logger: false });
// Let bodies stream through unparsed, as a proxy should.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, _payload, done) => done(null));
await app.register(proxy, { upstream: `http://127.0.0.1:${upstreamPort}`, prefix: '/Microsoft-Server-ActiveSync', rewritePrefix: '/Microsoft-Server-ActiveSync' });
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => process.exit(0));
