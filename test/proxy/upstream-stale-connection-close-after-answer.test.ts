import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Pool, request } from 'undici';
import type { UpstreamPool } from '../../src/proxy/upstream.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startClosingServer, type ClosingServer } from './upstream-stale-connection-server.js';

/**
 * sogod answers without `Connection: close` and closes the connection right after; a
 * request written into it meanwhile gets a reset. A plain undici pool loses that race;
 * easgate's pool finds out what the upstream does and never writes into such a connection.
 */
describe('an upstream that closes each connection right after answering (like sogod)', () => {
  let server: ClosingServer;

  beforeAll(async () => {
    server = await startClosingServer({ closeAfterMs: 5 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('makes a plain undici pool fail requests written into a connection the server is closing', async () => {
    const pool = new Pool(new URL(server.url).origin, { pipelining: 1, keepAliveTimeout: 4_000, keepAliveTimeoutThreshold: 1_000 });
    const failures: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        try {
          const res = await pool.request({ path: '/Microsoft-Server-ActiveSync?Cmd=Sync', method: 'POST', body: Buffer.from('x') });
          await res.body.dump();
        } catch (err) {
          failures.push(String((err as { code?: string }).code));
        }
      }
    } finally {
      await pool.destroy();
    }
    // Every request that follows an answer within 5 ms lands on the closing connection.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((c) => c === 'ECONNRESET' || c === 'UND_ERR_SOCKET' || c === 'EPIPE')).toBe(true);
  });

  describe('through easgate', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway(server.url);
    });
    afterAll(async () => {
      await gw.stop();
    });

    it('answers 2,000 requests from 20 devices without a 5xx, each reaching the server once', async () => {
      const statuses = new Map<number, number>();
      const errors: string[] = [];
      const commands = ['FolderSync', 'Sync', 'GetItemEstimate', 'Ping'];
      await Promise.all(
        Array.from({ length: 20 }, async (_, d) => {
          const device = new Agent({ keepAliveTimeout: 10_000 });
          try {
            for (let i = 0; i < 100; i++) {
              const cmd = commands[i % commands.length]!;
              const q = `?Cmd=${cmd}&User=alice&DeviceId=STALE${d}&DeviceType=iPhone`;
              try {
                const res = i % 5 === 0
                  ? await request(gw.url, { method: 'OPTIONS', dispatcher: device })
                  : await request(gw.url + q, { method: 'POST', body: Buffer.from(`device ${d} request ${i}`), dispatcher: device });
                await res.body.dump();
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
              } catch (err) {
                errors.push(String((err as { code?: string }).code));
              }
            }
          } finally {
            await device.close();
          }
        }),
      );
      expect(errors).toEqual([]);
      expect(Object.fromEntries(statuses)).toEqual({ 200: 2000 });
      // Every POST reached the server exactly once: nothing was lost, nothing sent twice.
      const posts = server.requests.filter((r) => r.method === 'POST' && r.target.includes('DeviceId=STALE'));
      expect(posts.length).toBe(1600);
      expect(new Set(posts.map((r) => r.body)).size).toBe(1600);
      expect((gw.gateway.upstream.pool as UpstreamPool).connectionReuse).toBe('single');
    }, 60_000);
  });
});
