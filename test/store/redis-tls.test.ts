import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { Change } from '../../src/store/index.js';
import { DeviceSimulator, startSampleUpstream } from '../../src/peers/index.js';
import { certificateAuthority, signedBy } from '../helpers/certificates.js';
import { spawnGateway } from '../helpers/child-gateway.js';
import { device, waitFor } from './fixture.js';
import { uniquePrefix } from './redis-fixture.js';
import { freePort, serverArgs, startRedisProcess, tempDir, type RedisProcess, type ServerTls } from './redis-server.js';
import { createOnceWritable, startCluster, waitUntil, startSentinelGroup, storeAt, topologyContract, type ClusterGroup, type SentinelGroup } from './redis-topology.js';

// Redis over TLS only (`port 0`, `tls-port`; replication, the cluster bus and the Sentinels'
// links over TLS too), with server certificates for 127.0.0.1 from a private CA made here:
// the gateway trusts it through EASGATE_REDIS_CA, read by the configuration.
let certs: string;
let tls: ServerTls;
let single: RedisProcess;
let singleDir: Awaited<ReturnType<typeof tempDir>>;
let singleUrl: string;
let group: SentinelGroup;
let cluster: ClusterGroup;

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'easgate-redis-tls-'));
  const ca = certificateAuthority(certs);
  // Cluster nodes present their certificate as clients of each other's bus too: both usages.
  const server = signedBy(ca, certs, 'redis', 'IP:127.0.0.1', 'serverAuth,clientAuth');
  tls = { ca: ca.cert, cert: server.cert, key: server.key };
  singleDir = await tempDir('redis-tls');
  const port = await freePort();
  single = await startRedisProcess('redis-server', port, serverArgs(port, singleDir.path, tls), undefined, tls);
  singleUrl = `rediss://127.0.0.1:${port}`;
  [group, cluster] = await Promise.all([startSentinelGroup({ tls }), startCluster({ tls })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([single?.kill('SIGKILL'), group?.stop(), cluster?.stop()]);
  await singleDir?.remove();
  rmSync(certs, { recursive: true, force: true });
});

const withCa = (): Record<string, string> => ({ EASGATE_REDIS_CA: tls.ca });

topologyContract('RedisStore over TLS (rediss://) trusting EASGATE_REDIS_CA', () => singleUrl, 'tls', withCa);

describe('EASGATE_REDIS_CA', () => {
  it('is refused without a rediss address, naming both settings', () => {
    let err: unknown;
    try {
      loadConfig({ EASGATE_UPSTREAM_URL: 'http://127.0.0.1:1/x', EASGATE_REDIS_URL: 'redis://127.0.0.1:6379', EASGATE_REDIS_CA: tls.ca });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('EASGATE_REDIS_CA is only read with a rediss://');
  });

  it('is needed: without it the private CA is not trusted, and the error says why', async () => {
    await expectCertificateRefused(singleUrl, {});
  });

  it('a gateway process: without it the start stops naming the certificate problem; with it a device syncs and its association is in Redis', async () => {
    const upstream = await startSampleUpstream();
    const prefix = uniquePrefix('tls-gw');
    const env = { EASGATE_UPSTREAM_URL: upstream.url, EASGATE_REDIS_URL: singleUrl, EASGATE_REDIS_PREFIX: prefix, EASGATE_LOG_LEVEL: 'info' };
    const refused = spawnGateway({ ...env, EASGATE_STORE_START_WAIT_MS: '1000' });
    refused.ready.catch(() => undefined);
    const served = spawnGateway({ ...env, ...withCa() });
    try {
      expect(await refused.exited).toBe(1);
      expect(refused.stderr.join('')).toContain(`Redis (${singleUrl}) did not answer within 1 s of the start: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)`);
      await served.ready;
      const phone = new DeviceSimulator({ url: served.url, user: 'alice@example.test', password: 'alice123', deviceId: 'TLSREDIS1', protocolVersion: '14.1' });
      expect((await phone.folderSync()).response.status).toBe(200);
      await phone.close();
      const store = storeAt(singleUrl, prefix, withCa());
      try {
        await waitUntil('the association is written', async () => (await store.getAssociation('alice@example.test', 'TLSREDIS1')) !== undefined, 5_000);
      } finally {
        await store.close();
      }
    } finally {
      if (served.child.exitCode === null) served.child.kill('SIGTERM');
      await served.exited;
      await upstream.close();
    }
  }, 60_000);

  it('adds to the public roots instead of replacing them: a server outside the CA is still checked', async () => {
    // A server certificate from another private CA: trusted neither by the public roots nor by EASGATE_REDIS_CA.
    const other = certificateAuthority(certs, 'other-ca');
    const stranger = signedBy(other, certs, 'stranger', 'IP:127.0.0.1', 'serverAuth,clientAuth');
    const port = await freePort();
    const dir = await tempDir('redis-tls-stranger');
    const strangerTls = { ca: other.cert, cert: stranger.cert, key: stranger.key };
    const proc = await startRedisProcess('redis-server', port, serverArgs(port, dir.path, strangerTls), undefined, strangerTls);
    try {
      await expectCertificateRefused(`rediss://127.0.0.1:${port}`, withCa());
    } finally {
      await proc.kill('SIGKILL');
      await dir.remove();
    }
  });
});

/** A store at `url` cannot read, and the connection's errors name the certificate. */
async function expectCertificateRefused(url: string, env: Record<string, string>): Promise<void> {
  const store = storeAt(url, uniquePrefix('tls-refused'), env);
  const seen: string[] = [];
  store.client.on('error', (e: Error) => seen.push(e.message));
  try {
    await expect(store.countAssociations()).rejects.toThrow();
    expect(seen.some((m) => /certificate/i.test(m))).toBe(true);
  } finally {
    store.disconnect();
  }
}

describe.each([
  ['Sentinel (rediss+sentinel://)', () => group.url, async () => void (await group.waitReplicated()), async () => void (await group.killPrimary())],
  ['a Cluster (rediss+cluster://)', () => cluster.url, (prefix: string) => cluster.waitReplicated(`{${prefix}}`), async (prefix: string) => void (await cluster.killPrimaryFor(`{${prefix}}`))],
] as const)('RedisStore over TLS through %s', (_name, url, waitReplicated, killPrimary) => {
  it('reads, writes and hears changes over TLS, and carries on after SIGKILL of the primary', async () => {
    expect(url()).toMatch(/^rediss\+/);
    const prefix = uniquePrefix('tls-ha');
    const store = storeAt(url(), prefix, withCa());
    const peer = storeAt(url(), prefix, withCa());
    try {
      const heard: Change[] = [];
      await peer.onChange((c) => heard.push(c));
      for (let i = 0; i < 20; i++) await store.createAssociation(device(`u${i}@x.test`, `D${i}`));
      await waitFor(() => heard.some((c) => c.kind === 'association'));
      expect(await peer.countAssociations()).toBe(20);
      await waitReplicated(prefix);
      await killPrimary(prefix);
      // Up to 30 s: on a loaded machine (TLS handshakes on two shared cores) the switch once took more than 10 s.
      expect(await createOnceWritable(store, 'late@x.test', 'LATE', 30)).toBe(true);
      expect(await peer.countAssociations()).toBe(21);
      for (let i = 0; i < 20; i++) expect(await store.getAssociation(`u${i}@x.test`, `D${i}`)).toBeDefined();
    } finally {
      store.disconnect();
      peer.disconnect();
    }
  }, 60_000);
});
